/*
 * login: log in and out, forgotten and reset passwords.
 *
 * Throttling, the way OWASP recommends it ("device cookies"): guessing
 * must be slow, but nobody may lock a member out by typing wrong
 * passwords for their address.
 *
 * - A browser where a member logged in carries a device cookie: a random
 *   nonce and its HMAC, bound to that member's address. Such a trusted
 *   browser is not subject to the account's lock; its own failures are
 *   counted (lfd:<nonce>), and after LOGIN_MAX_FAILURES in the window it
 *   is trusted no more.
 * - Every other browser is throttled per account (lf:<address>: 5
 *   failures within 10 minutes lock the address for untrusted browsers
 *   until the window ends, right password included, unknown addresses
 *   alike so the lock tells nothing) and per client address (lfa:<ip>:
 *   LOGIN_ADDRESS_FAILURES within the window).
 * Counters live in Redis.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../infra/outbox.h"
#include "features.h"

#define LOGIN_MAX_FAILURES 5
#define LOGIN_ADDRESS_FAILURES 50
#define LOGIN_WINDOW_SECONDS 600
#define DEVICE_COOKIE "device"
#define DEVICE_MAX_AGE (365L * 24 * 3600)

static const struct form_field login_fields[] = {
	{ "email", F_REQUIRED, .max = 255, .msg = {
	    [VALID_MISSING] = "Veuillez renseigner votre adresse e-mail." } },
	{ "password", F_REQUIRED | F_SECRET, .msg = {
	    [VALID_MISSING] = "Veuillez renseigner votre mot de passe." } },
	{ "next", 0, .max = 2048 },
	{ NULL }
};

#define BAD_CREDENTIALS "L'adresse e-mail et le mot de passe que vous avez " \
	"saisis ne correspondent pas."

/* Only a plain path of our own survives as a post-login destination. */
static const char *
safe_next(const char *next)
{
	return valid_local_path(next) == VALID_OK ? next : "/account";
}

static const char *
login_notice(const char *code)
{
	if (!code)
		return "";
	if (!strcmp(code, "reset"))
		return "Votre mot de passe a été modifié. Vous pouvez vous "
		    "connecter.";
	if (!strcmp(code, "logout"))
		return "Vous êtes déconnecté.";
	if (!strcmp(code, "forgot"))
		return "Si un compte existe pour cette adresse, un e-mail vous "
		    "a été envoyé contenant un lien pour réinitialiser votre "
		    "mot de passe.";
	return "";
}

int
login_get(struct req *r)
{
	struct form f;

	if (r->user)
		return resp_redirect(r, safe_next(req_query(r, "next")));
	form_init(&f, r, login_fields);
	form_set(&f, "next", safe_next(req_query(r, "next")));
	view_str(&f.v, "notice", login_notice(req_query(r, "notice")));
	return form_render(&f, 200, "login", "Connexion");
}

static int
login_refuse(struct form *f, int status, const char *msg)
{
	view_str(&f->v, "banner", msg);
	return render(f->r, status, "login", &f->v, "Connexion");
}

/* ---- device cookies ----------------------------------------------- */

/* The MAC of a device nonce for an address, base64url (TOKEN_LEN). */
static void
device_mac(struct req *r, const char *email, const char *nonce,
    char out[TOKEN_LEN + 1])
{
	unsigned char mac[32];

	hmac_raw(r->cfg->secret, "device", arena_printf(&r->arena, "%s\n%s",
	    email, nonce), mac);
	sodium_bin2base64(out, TOKEN_LEN + 1, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The nonce of this browser's device cookie when it was given for this
 * address, else NULL. */
static const char *
device_nonce(struct req *r, const char *email)
{
	const char *c = req_cookie(r, DEVICE_COOKIE), *dot;
	char want[TOKEN_LEN + 1];
	const char *nonce;

	if (!c || strlen(c) != 2 * TOKEN_LEN + 1 || c[TOKEN_LEN] != '.')
		return NULL;
	dot = c + TOKEN_LEN;
	nonce = arena_strndup(&r->arena, c, TOKEN_LEN);
	if (!token_wellformed(nonce, TOKEN_LEN))
		return NULL;
	device_mac(r, email, nonce, want);
	return sodium_memcmp(want, dot + 1, TOKEN_LEN) == 0 ? nonce : NULL;
}

static void
device_issue(struct req *r, const char *email)
{
	char nonce[TOKEN_LEN + 1], mac[TOKEN_LEN + 1];

	token_new(nonce);
	device_mac(r, email, nonce, mac);
	resp_cookie(r, DEVICE_COOKIE, arena_printf(&r->arena, "%s.%s", nonce,
	    mac), DEVICE_MAX_AGE);
}

/* ---- throttling ---------------------------------------------------- */

struct throttle {
	const char *device;	/* a trusted browser's nonce, else NULL */
	const char *account;	/* lf:<address> */
	const char *address;	/* lfa:<client ip> */
};

/* The count under key and the minutes left of its window (kv_counter). */
static long
counter(struct req *r, const char *key, long *minutes)
{
	return kv_counter(&r->app->kv, &r->arena, key, LOGIN_WINDOW_SECONDS,
	    minutes);
}

/* 0 when this attempt may be checked, else the status already answered
 * (429 locked, 503). */
static int
throttle_check(struct form *f, struct throttle *t, const char *email)
{
	struct req *r = f->r;
	long n, minutes = 0;

	t->account = arena_printf(&r->arena, "lf:%s", email);
	t->address = arena_printf(&r->arena, "lfa:%s",
	    r->remote_addr ? r->remote_addr : "-");
	if ((t->device = device_nonce(r, email))) {
		n = counter(r, arena_printf(&r->arena, "lfd:%s", t->device),
		    &minutes);
		if (n < 0)
			return unavailable(r);
		if (n < LOGIN_MAX_FAILURES)
			return 0;	/* trusted: no account lock */
		t->device = NULL;	/* too many failures: trusted no more */
	}
	if ((n = counter(r, t->account, &minutes)) < 0)
		return unavailable(r);
	if (n >= LOGIN_MAX_FAILURES)
		return login_refuse(f, 429, arena_printf(&r->arena,
		    "Vous avez effectué %d tentatives de connexion erronées. "
		    "Veuillez attendre %ld minute%s avant de réessayer.",
		    LOGIN_MAX_FAILURES, minutes, minutes > 1 ? "s" : ""));
	if ((n = counter(r, t->address, &minutes)) < 0)
		return unavailable(r);
	if (n >= LOGIN_ADDRESS_FAILURES)
		return login_refuse(f, 429, arena_printf(&r->arena,
		    "Trop de tentatives de connexion erronées depuis votre "
		    "adresse. Veuillez attendre %ld minute%s avant de "
		    "réessayer.", minutes, minutes > 1 ? "s" : ""));
	return 0;
}

/* Count a failure where it belongs: the trusted browser's own counter,
 * else the account's and the client address's. 0, or -1 (Redis). */
static int
throttle_fail(struct req *r, const struct throttle *t)
{
	if (t->device)
		return kv_count(&r->app->kv, &r->arena, arena_printf(&r->arena,
		    "lfd:%s", t->device), LOGIN_WINDOW_SECONDS) < 0 ? -1 : 0;
	if (kv_count(&r->app->kv, &r->arena, t->account,
	    LOGIN_WINDOW_SECONDS) < 0 ||
	    kv_count(&r->app->kv, &r->arena, t->address,
	    LOGIN_WINDOW_SECONDS) < 0)
		return -1;
	return 0;
}

/* ---- log in and out ------------------------------------------------ */

/* Does pw open the account of res (or, for an unknown address, a dummy
 * hash, so that the time tells nothing)? -1 on an internal failure. */
static int
password_matches(const PGresult *res, const char *pw)
{
	static char dummy[crypto_pwhash_STRBYTES];

	if (PQntuples(res) == 1)
		return password_verify(db_str(res, 0, AUTH_HASH), pw);
	if (!dummy[0] && password_hash("civitas-dummy", dummy) != 0)
		return -1;
	password_verify(dummy, pw);
	return 0;
}

/*
 * POST /login: email, password, next.
 * 303 to next on success (new session id, a fresh device cookie); 422
 * wrong credentials or account not confirmed; 429 locked after too many
 * failures; 503.
 */
int
login_post(struct req *r)
{
	struct form f;
	struct throttle t;
	const char *pw, *id;
	char email[256];
	PGresult *res;
	int ok;

	form_init(&f, r, login_fields);
	form_read(&f);
	form_set(&f, "next", safe_next(form_get(&f, "next")));
	if (f.errors)
		return form_render(&f, 422, "login", "Connexion");
	pw = form_get(&f, "password");
	if (valid_email(form_get(&f, "email"), email, sizeof(email)) !=
	    VALID_OK || utf8_length(pw) > PASSWORD_MAX)
		return login_refuse(&f, 422, BAD_CREDENTIALS);
	form_set(&f, "email", email);
	if ((ok = throttle_check(&f, &t, email)))
		return ok;
	if (!(res = q(r, STMT_USER_AUTH, email)))
		return unavailable(r);
	if ((ok = password_matches(res, pw)) < 0)
		return 500;
	if (!ok) {
		if (throttle_fail(r, &t) < 0)
			return unavailable(r);
		return login_refuse(&f, 422, BAD_CREDENTIALS);
	}
	kv(r, "DEL %s", t.device ? arena_printf(&r->arena, "lfd:%s",
	    t.device) : t.account);
	if (strcmp(db_str(res, 0, AUTH_STATUS), "active"))
		return login_refuse(&f, 422, "Pour vous connecter vous devez "
		    "confirmer votre adhésion. Si vous n'avez pas reçu le mail "
		    "de validation, demandez-en un nouveau depuis la page "
		    "« Je n'ai pas reçu l'e-mail ».");
	id = db_str(res, 0, AUTH_ID);
	if (password_needs_rehash(db_str(res, 0, AUTH_HASH))) {
		char hash[crypto_pwhash_STRBYTES];

		if (password_hash(pw, hash) == 0)
			q(r, STMT_USER_SET_PASSWORD, id, hash);
	}
	if (session_start(r, db_long(res, 0, AUTH_ID)) < 0)
		return unavailable(r);
	device_issue(r, email);
	q(r, STMT_USER_LOGGED_IN, id);
	return resp_redirect(r, safe_next(form_get(&f, "next")));
}

int
logout_post(struct req *r)
{
	session_end(r);
	return resp_redirect(r, "/login?notice=logout");
}

/* ---- forgotten password -------------------------------------------- */

static const struct form_field forgot_fields[] = {
	MEMBER_EMAIL_FIELD("email", "Cette valeur ne doit pas être vide."),
	{ NULL }
};

int
forgot_get(struct req *r)
{
	struct form f;

	form_init(&f, r, forgot_fields);
	return form_render(&f, 200, "forgot", "Mot de passe oublié");
}

/*
 * POST /password/forgot: email.
 * The same 303 for known and unknown addresses; only a known one gets a
 * reset link (single use, 24 hours), within the mail quota of the
 * address. 422 when the field is empty or not an address; 503.
 */
int
forgot_post(struct req *r)
{
	char token[TOKEN_LEN + 1], digest[HASH_HEX_LEN + 1];
	const char *email;
	struct form f;
	struct view v;
	PGresult *res;
	int quota;

	form_init(&f, r, forgot_fields);
	if (form_read(&f))
		return form_render(&f, 422, "forgot", "Mot de passe oublié");
	email = form_get(&f, "email");
	if ((quota = mail_quota_take(r, email)) < 0)
		return unavailable(r);
	if (!quota)
		return resp_redirect(r, "/login?notice=forgot");
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_USER_AUTH, email)))
		return unavailable(r);
	if (PQntuples(res) == 1) {
		token_new(token);
		token_digest(r->cfg->secret, token, digest);
		view_init(&v, &r->arena, 1);
		view_str(&v, "first_name", db_str(res, 0, AUTH_FIRST_NAME));
		view_str(&v, "link", arena_printf(&r->arena,
		    "%s/password/reset/%s", r->cfg->base_url, token));
		if (!q(r, STMT_TOKEN_INSERT, db_str(res, 0, AUTH_ID), "reset",
		    digest) || outbox_add(r, db_long(res, 0, AUTH_ID), email,
		    "Réinitialisez votre mot de passe", "reset", &v) < 0)
			return unavailable(r);
	}
	if (db_commit(&r->app->db) < 0)
		return unavailable(r);
	return resp_redirect(r, "/login?notice=forgot");
}

/* ---- reset ---------------------------------------------------------- */

static const struct form_field reset_fields[] = {
	FORM_PASSWORD("password"),
	{ "password_confirm", F_SECRET },
	{ NULL }
};

#define RESET_TITLE "Nouveau mot de passe"

/* Lock and check the reset token in the current transaction. Returns the
 * row, or NULL with *status set (404 unknown or used, 410 expired, 503). */
static PGresult *
reset_token(struct req *r, int *status)
{
	const char *token = r->params[0];
	char digest[HASH_HEX_LEN + 1];
	PGresult *res;

	*status = 404;
	if (!token_wellformed(token, strlen(token)))
		return NULL;
	token_digest(r->cfg->secret, token, digest);
	if (!(res = q(r, STMT_TOKEN_FIND, digest, "reset"))) {
		*status = unavailable(r);
		return NULL;
	}
	if (PQntuples(res) == 0 || db_bool(res, 0, TOKEN_USED))
		return NULL;
	if (db_bool(res, 0, TOKEN_EXPIRED)) {
		*status = 410;
		return NULL;
	}
	return res;
}

static int
reset_refused(struct req *r, int status)
{
	db_rollback(&r->app->db);
	if (status != 410)
		return status;
	return message_page(r, 410, "Lien expiré", "Ce lien de "
	    "réinitialisation a expiré (il était valable 24 heures). "
	    "Demandez-en un nouveau.", "/password/forgot",
	    "Recevoir un nouveau lien");
}

/* GET /password/reset/{token}: 200 form; 404 unknown/used; 410; 503. */
int
reset_get(struct req *r)
{
	struct form f;
	int status;

	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!reset_token(r, &status))
		return reset_refused(r, status);
	db_rollback(&r->app->db);
	form_init(&f, r, reset_fields);
	return form_render(&f, 200, "reset", RESET_TITLE);
}

/*
 * POST /password/reset/{token}: password, password_confirm.
 * 303 to /login?notice=reset (every session of the member ends, the token
 * is spent, a notice mail is queued, a pending account becomes active since
 * the link proved the address); 422; 404; 410; 503.
 */
int
reset_post(struct req *r)
{
	char hash[crypto_pwhash_STRBYTES];
	struct form f;
	struct view v;
	PGresult *tok;
	const char *uid;
	int status;

	form_init(&f, r, reset_fields);
	if (!form_read(&f) && strcmp(form_get(&f, "password"),
	    form_get(&f, "password_confirm")))
		form_error(&f, "password_confirm", "Les mots de passe ne "
		    "correspondent pas.");
	if (f.errors)
		return form_render(&f, 422, "reset", RESET_TITLE);
	if (password_hash(form_get(&f, "password"), hash) != 0)
		return 500;
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(tok = reset_token(r, &status)))
		return reset_refused(r, status);
	view_init(&v, &r->arena, 1);
	view_str(&v, "first_name", db_str(tok, 0, TOKEN_USER_FIRST_NAME));
	uid = db_str(tok, 0, TOKEN_USER_ID);
	if (!q(r, STMT_USER_SET_PASSWORD, uid, hash) ||
	    !q(r, STMT_TOKENS_REVOKE, uid, "reset") ||
	    !q(r, STMT_USER_ACTIVATE, uid) ||
	    outbox_add(r, db_long(tok, 0, TOKEN_USER_ID),
	    db_str(tok, 0, TOKEN_USER_EMAIL), "Votre mot de passe a été modifié",
	    "password_changed", &v) < 0 ||
	    db_commit(&r->app->db) < 0)
		return unavailable(r);
	sessions_revoke(r, db_long(tok, 0, TOKEN_USER_ID), 0);
	return resp_redirect(r, "/login?notice=reset");
}
