/*
 * routes: the whole URL space of civitas, as data. Order matters only
 * between patterns that could both match (literals first).
 */
#include "../core/common.h"
#include "features.h"

const struct route routes[] = {
	{ HTTP_GET, "/", home_get, R_CACHEABLE },
	{ HTTP_GET, "/health", health_get, R_JSON },
	{ HTTP_GET, "/api/cities", cities_get, R_JSON | R_CACHEABLE },

	{ HTTP_GET, "/signup", signup_get, R_SESSION },
	{ HTTP_POST, "/signup", signup_post, R_SESSION },
	{ HTTP_GET, "/signup/done", signup_done_get, 0 },
	{ HTTP_GET, "/signup/resend", signup_resend_get, 0 },
	{ HTTP_POST, "/signup/resend", signup_resend_post, 0 },
	{ HTTP_GET, "/signup/confirm/{token}", signup_confirm_get, 0 },

	{ HTTP_GET, "/login", login_get, R_SESSION },
	{ HTTP_POST, "/login", login_post, R_SESSION },
	{ HTTP_POST, "/logout", logout_post, R_SESSION },
	{ HTTP_GET, "/password/forgot", forgot_get, 0 },
	{ HTTP_POST, "/password/forgot", forgot_post, 0 },
	{ HTTP_GET, "/password/reset/{token}", reset_get, 0 },
	{ HTTP_POST, "/password/reset/{token}", reset_post, 0 },

	{ HTTP_GET, "/account", account_get, R_AUTH },
	{ HTTP_POST, "/account", account_post, R_AUTH },
	{ HTTP_POST, "/account/password", account_password_post, R_AUTH },
	{ HTTP_GET, "/account/delete", account_delete_get, R_AUTH },
	{ HTTP_POST, "/account/delete", account_delete_post, R_AUTH },
	{ HTTP_GET, "/account/deleted", account_deleted_get, 0 },

	{ HTTP_GET, "/admin", admin_get, R_ADMIN },
};

const size_t nroutes = ARRAY_SIZE(routes);
