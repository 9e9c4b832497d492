/*
 * routes: the whole URL space of civitas, as data. Order matters only
 * between patterns that could both match (literals first).
 */
#include "../core/common.h"
#include "features.h"

const struct route routes[] = {
	/* Public site: cookie-free, shared-cacheable (content.c, search.c);
	 * pages also kept by the workers (not search: it must be fresh at once,
	 * and its URLs are endless). */
	{ HTTP_GET, "/", home_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/articles", articles_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/articles/category/{slug}", category_get,
	    R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/articles/{slug}", article_get,
	    R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/pages/{slug}", page_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/feed.xml", feed_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/sitemap.xml", sitemap_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/robots.txt", robots_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/search", search_get, R_CACHEABLE },
	{ HTTP_GET, "/api/search", api_search_get, R_JSON | R_CACHEABLE },
	/* Images: /img/{signature}/{id}-{preset}.{jpg|webp} (media.c). */
	{ HTTP_GET, "/img/{sig}/{file}", img_get, R_CACHEABLE },
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

	/* Back-office (admin*.c; media: media.c). */
	{ HTTP_GET, "/admin", admin_get, R_ADMIN },
	{ HTTP_GET, "/admin/audit", admin_audit_get, R_ADMIN },
	{ HTTP_POST, "/admin/preview", admin_preview_post, R_ADMIN },

	{ HTTP_GET, "/admin/articles", admin_articles_get, R_ADMIN },
	{ HTTP_GET, "/admin/articles/new", admin_article_new_get, R_ADMIN },
	{ HTTP_POST, "/admin/articles", admin_article_create_post, R_ADMIN },
	{ HTTP_GET, "/admin/articles/{id}", admin_article_get, R_ADMIN },
	{ HTTP_POST, "/admin/articles/{id}", admin_article_post, R_ADMIN },
	{ HTTP_GET, "/admin/articles/{id}/preview", admin_article_preview_get,
	    R_ADMIN },
	{ HTTP_POST, "/admin/articles/{id}/delete", admin_article_delete_post,
	    R_ADMIN },

	{ HTTP_GET, "/admin/pages", admin_pages_get, R_ADMIN },
	{ HTTP_GET, "/admin/pages/new", admin_page_new_get, R_ADMIN },
	{ HTTP_POST, "/admin/pages", admin_page_create_post, R_ADMIN },
	{ HTTP_GET, "/admin/pages/{id}", admin_page_get, R_ADMIN },
	{ HTTP_POST, "/admin/pages/{id}", admin_page_post, R_ADMIN },
	{ HTTP_GET, "/admin/pages/{id}/preview", admin_page_preview_get,
	    R_ADMIN },
	{ HTTP_POST, "/admin/pages/{id}/delete", admin_page_delete_post,
	    R_ADMIN },

	{ HTTP_GET, "/admin/categories", admin_categories_get, R_ADMIN },
	{ HTTP_POST, "/admin/categories", admin_category_create_post,
	    R_ADMIN },
	{ HTTP_GET, "/admin/categories/{id}", admin_category_get, R_ADMIN },
	{ HTTP_POST, "/admin/categories/{id}", admin_category_post, R_ADMIN },
	{ HTTP_POST, "/admin/categories/{id}/delete",
	    admin_category_delete_post, R_ADMIN },

	{ HTTP_GET, "/admin/home-blocks", admin_blocks_get, R_ADMIN },
	{ HTTP_POST, "/admin/home-blocks", admin_block_create_post, R_ADMIN },
	{ HTTP_GET, "/admin/home-blocks/{id}", admin_block_get, R_ADMIN },
	{ HTTP_POST, "/admin/home-blocks/{id}", admin_block_post, R_ADMIN },
	{ HTTP_POST, "/admin/home-blocks/{id}/delete", admin_block_delete_post,
	    R_ADMIN },

	{ HTTP_GET, "/admin/redirections", admin_redirections_get, R_ADMIN },
	{ HTTP_POST, "/admin/redirections", admin_redirection_create_post,
	    R_ADMIN },
	{ HTTP_GET, "/admin/redirections/{id}", admin_redirection_get,
	    R_ADMIN },
	{ HTTP_POST, "/admin/redirections/{id}", admin_redirection_post,
	    R_ADMIN },
	{ HTTP_POST, "/admin/redirections/{id}/delete",
	    admin_redirection_delete_post, R_ADMIN },

	{ HTTP_GET, "/admin/media", admin_media_get, R_ADMIN },
	{ HTTP_POST, "/admin/media", admin_media_upload_post,
	    R_ADMIN | R_UPLOAD },
	{ HTTP_GET, "/admin/media/{id}", admin_media_item_get, R_ADMIN },
	{ HTTP_POST, "/admin/media/{id}", admin_media_item_post, R_ADMIN },
	{ HTTP_POST, "/admin/media/{id}/delete", admin_media_delete_post,
	    R_ADMIN },
};

const size_t nroutes = ARRAY_SIZE(routes);
