/*
 * signup: membership sign-up and e-mail confirmation.
 *
 * The account is created inactive with an Argon2id hash; the confirmation
 * mail (a single-use link valid 24 hours) is queued in the same transaction
 * as the account. Confirming activates the account; a second use of the link
 * says so; an expired link offers a new one.
 *
 * Membership of a political movement is sensitive (special-category data
 * under the GDPR): sign-up never says whether an address is already a
 * member's. The same answer comes back, and the owner gets a mail instead.
 */
#include "../core/common.h"
#include "../infra/outbox.h"
#include "features.h"

#include <time.h>

const char *const member_genders[] = { "female", "male", "other", NULL };

static const struct form_field signup_fields[] = {
	MEMBER_IDENTITY_FIELDS,
	MEMBER_EMAIL_FIELD("email", "Veuillez renseigner votre adresse "
	    "e-mail."),
	FORM_PASSWORD("password"),
	{ "charter", F_REQUIRED | F_CHECKBOX, .msg = {
	    [VALID_MISSING] = "Vous devez accepter la charte." } },
	MEMBER_ADDRESS_FIELDS,
	{ NULL }
};

#define SIGNUP_TITLE "Adhérer"

int
valid_member_birth_date(const char *in, char *out, size_t outsz)
{
	time_t now = time(NULL);
	struct tm tm;
	char today[11];
	int rc;

	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if ((rc = valid_birth_date(in, today, 15)) == VALID_OK)
		snprintf(out, outsz, "%s", in);
	return rc;
}

/* The sign-up form's table: signup_fields and a checkbox per
 * subscription type (consent.c); NULL when PostgreSQL is down. */
static const struct form_field *
signup_table(struct req *r)
{
	return consent_fields(r, signup_fields);
}

/* The sign-up page with the form's values; 503 without the countries. */
static int
signup_form(struct form *f, PGresult *communes, int status)
{
	form_include(f, "identity_fields", "identity_block");
	if (consent_view(f) < 0)
		return 500;
	if (address_view(f, communes) < 0)
		return unavailable(f->r);
	return form_render(f, status, "signup", SIGNUP_TITLE);
}

/* GET /signup: 200 the form; 303 to /account when logged in; 503 when
 * PostgreSQL is down. */
int
signup_get(struct req *r)
{
	const struct form_field *fields;
	struct form f;

	if (r->user)
		return resp_redirect(r, "/account");
	/* Say so now rather than after the form is filled in. */
	if (!q(r, STMT_PING) || !(fields = signup_table(r)))
		return unavailable(r);
	form_init(&f, r, fields);
	return signup_form(&f, NULL, 200);
}

/* Queue the mail that confirms an address (sign-up, resend). */
static int
send_confirmation(struct req *r, long uid, const char *email,
    const char *first_name)
{
	char token[TOKEN_LEN + 1], digest[HASH_HEX_LEN + 1];
	struct view v;

	token_new(token);
	token_digest(r->cfg->secret, token, digest);
	if (!q(r, STMT_TOKEN_INSERT, arena_printf(&r->arena, "%ld", uid),
	    "confirm", digest))
		return -1;
	view_init(&v, &r->arena, 1);
	view_str(&v, "first_name", first_name);
	view_str(&v, "link", arena_printf(&r->arena, "%s/signup/confirm/%s",
	    r->cfg->base_url, token));
	return outbox_add(r, uid, email, "Confirmez votre adhésion", "confirm",
	    &v);
}

int
mail_quota_take(struct req *r, const char *email)
{
	char digest[HASH_HEX_LEN + 1];
	long n;

	/* A keyed hash: Redis never holds the address itself. */
	token_digest(r->cfg->secret, email, digest);
	n = kv_count(&r->app->kv, &r->arena, arena_printf(&r->arena, "mq:%s",
	    digest), 3600);
	return n < 0 ? -1 : n <= MAIL_QUOTA;
}

/* Someone signed up with the address of a member: tell the owner (within
 * the mail quota). 0, or -1 when a service failed. */
static int
signup_taken(struct req *r, const char *email)
{
	struct view v;
	PGresult *res;
	int rc;

	if ((rc = mail_quota_take(r, email)) <= 0)
		return rc;
	if (!(res = q(r, STMT_USER_AUTH, email)))
		return -1;
	if (PQntuples(res) != 1)
		return 0;	/* deleted meanwhile */
	view_init(&v, &r->arena, 1);
	view_str(&v, "first_name", db_str(res, 0, AUTH_FIRST_NAME));
	view_int(&v, "pending", !strcmp(db_str(res, 0, AUTH_STATUS),
	    "pending"));
	return outbox_add(r, db_long(res, 0, AUTH_ID), email, "Une demande "
	    "d'adhésion avec votre adresse", "signup_taken", &v);
}

/*
 * POST /signup: every field of signup_fields, and the sub_<code>
 * checkboxes of the subscription types: the subscriptions and their
 * ledger rows (source 'signup') are written with the account.
 * 303 to /signup/done, for a new address and for a member's alike (the
 * member is mailed); 422 with the form when a field is wrong (values
 * kept, boxes as left, never the password); 503 when a service is down
 * (form kept, banner).
 */
int
signup_post(struct req *r)
{
	char hash[crypto_pwhash_STRBYTES];
	const struct form_field *fields;
	const char *email;
	struct form f;
	PGresult *communes, *res;

	if (r->user)
		return resp_redirect(r, "/account");
	/* Without the types (PostgreSQL down since this worker started),
	 * the form still comes back filled in. */
	fields = signup_table(r);
	form_init(&f, r, fields ? fields : signup_fields);
	form_read(&f);
	if (!fields || address_check(&f, &communes) < 0)
		goto down;
	if (f.errors)
		return signup_form(&f, communes, 422);
	/* Hashed for a member's address too: the time tells nothing. */
	if (password_hash(form_get(&f, "password"), hash) != 0)
		return 500;
	email = form_get(&f, "email");
	if (db_begin(&r->app->db) < 0)
		goto down;
	res = q(r, STMT_USER_INSERT, email, hash, form_get(&f, "first_name"),
	    form_get(&f, "last_name"), form_get(&f, "gender"),
	    form_get(&f, "birth_date"), *form_get(&f, "phone") ?
	    form_get(&f, "phone") : NULL, form_get(&f, "street"),
	    form_get(&f, "postal_code"), form_get(&f, "country"),
	    *form_get(&f, "city_code") ? form_get(&f, "city_code") : NULL,
	    form_get(&f, "city_name"));
	if (!res && db_unique_violation(&r->app->db)) {
		db_rollback(&r->app->db);
		if (signup_taken(r, email) < 0)
			goto down;
		return resp_redirect(r, "/signup/done");
	}
	if (!res || !q(r, STMT_CONSENT_SIGNUP, db_str(res, 0, RETURNING_ID),
	    consent_codes(&f)) || send_confirmation(r, db_long(res, 0,
	    RETURNING_ID), email, form_get(&f, "first_name")) < 0 ||
	    db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		goto down;
	}
	return resp_redirect(r, "/signup/done");
down:
	if (!address_ready(r))
		return unavailable(r);
	form_include(&f, "identity_fields", "identity_block");
	if (consent_view(&f) < 0 || address_view(&f, NULL) < 0)
		return unavailable(r);
	return form_unavailable(&f, "Le service est momentanément "
	    "indisponible : votre adhésion n'a pas été enregistrée. Réessayez "
	    "dans quelques instants, vos réponses sont conservées.", "signup",
	    SIGNUP_TITLE);
}

int
signup_done_get(struct req *r)
{
	return message_page(r, 200, "Vérifiez votre boîte mail",
	    "Merci ! Nous vous avons envoyé un e-mail contenant un lien pour "
	    "confirmer votre adhésion. Ce lien est valable 24 heures.",
	    "/signup/resend", "Je n'ai pas reçu l'e-mail");
}

/*
 * GET /signup/confirm/{token}
 * 200 account activated (or already active); 404 unknown token;
 * 410 expired (with a way to get a new link); 503.
 */
int
signup_confirm_get(struct req *r)
{
	const char *token = r->params[0];
	char digest[HASH_HEX_LEN + 1];
	PGresult *res;

	if (!token_wellformed(token, strlen(token)))
		return 404;
	token_digest(r->cfg->secret, token, digest);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(res = q(r, STMT_TOKEN_FIND, digest, "confirm")))
		return unavailable(r);
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		return 404;
	}
	if (db_bool(res, 0, TOKEN_USED) ||
	    !strcmp(db_str(res, 0, TOKEN_USER_STATUS), "active")) {
		db_rollback(&r->app->db);
		return message_page(r, 200, "Compte déjà actif",
		    "Votre compte est déjà actif. Vous pouvez vous connecter.",
		    "/login", "Se connecter");
	}
	if (db_bool(res, 0, TOKEN_EXPIRED)) {
		db_rollback(&r->app->db);
		return message_page(r, 410, "Lien expiré",
		    "Ce lien de confirmation a expiré (il était valable 24 "
		    "heures). Demandez-en un nouveau.", "/signup/resend",
		    "Recevoir un nouveau lien");
	}
	if (!q(r, STMT_TOKEN_USE, db_str(res, 0, TOKEN_ID)) ||
	    !q(r, STMT_USER_ACTIVATE, db_str(res, 0, TOKEN_USER_ID)) ||
	    db_commit(&r->app->db) < 0)
		return unavailable(r);
	return message_page(r, 200, "Adhésion confirmée",
	    "Votre compte est maintenant actif. Bienvenue dans le mouvement !",
	    "/login", "Se connecter");
}

static const struct form_field resend_fields[] = {
	MEMBER_EMAIL_FIELD("email", "Veuillez renseigner votre adresse "
	    "e-mail."),
	{ NULL }
};

#define RESEND_TITLE "Renvoyer l'e-mail de confirmation"

int
signup_resend_get(struct req *r)
{
	struct form f;

	form_init(&f, r, resend_fields);
	return form_render(&f, 200, "resend", RESEND_TITLE);
}

/*
 * POST /signup/resend: email.
 * 303 to /signup/done whether or not the address is known (no account
 * enumeration); a mail goes only to a known, still inactive account, and
 * within the mail quota of the address. 422; 503.
 */
int
signup_resend_post(struct req *r)
{
	struct form f;
	const char *email;
	PGresult *res;
	int quota;

	form_init(&f, r, resend_fields);
	if (form_read(&f))
		return form_render(&f, 422, "resend", RESEND_TITLE);
	email = form_get(&f, "email");
	if ((quota = mail_quota_take(r, email)) < 0)
		return unavailable(r);
	if (!quota)
		return resp_redirect(r, "/signup/done");
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_USER_AUTH, email)))
		return unavailable(r);
	if (PQntuples(res) == 1 &&
	    !strcmp(db_str(res, 0, AUTH_STATUS), "pending") &&
	    send_confirmation(r, db_long(res, 0, AUTH_ID), email,
	    db_str(res, 0, AUTH_FIRST_NAME)) < 0)
		return unavailable(r);
	if (db_commit(&r->app->db) < 0)
		return unavailable(r);
	return resp_redirect(r, "/signup/done");
}
