/*
 * login: log in and out, forgotten and reset passwords.
 *
 * Throttling (as En Marche did it): 5 failed attempts for one e-mail
 * address within 10 minutes lock that address until the window ends, even
 * for the right password. The counter lives in Redis ("lf:<email>"), and
 * unknown addresses are counted too, so the lock says nothing about
 * whether an account exists.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../core/valid.h"
#include "../infra/outbox.h"
#include "../infra/session.h"
#include "features.h"

#define LOGIN_MAX_FAILURES 5
#define LOGIN_WINDOW_SECONDS 600

static const char *const login_fields[] = { "email", "password", "next",
	NULL };

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
	form_value(&f, "next", safe_next(req_query(r, "next")));
	view_str(&f.v, "notice", login_notice(req_query(r, "notice")));
	return form_render(&f, 200, "login", "Connexion");
}

static int
login_refuse(struct form *f, int status, const char *msg)
{
	view_str(&f->v, "banner", msg);
	return render(f->r, status, "login", &f->v, "Connexion");
}

/*
 * POST /login: email, password, next.
 * 303 to next on success (new session id); 422 wrong credentials or
 * account not confirmed; 429 locked after too many failures; 503.
 */
int
login_post(struct req *r)
{
	/* Verified when the address is unknown, so timing tells nothing. */
	static char dummy[crypto_pwhash_STRBYTES];
	struct form f;
	const char *email = req_form(r, "email"), *pw = req_form(r, "password");
	char *norm;
	redisReply *rep;
	PGresult *res;
	int ok;

	form_init(&f, r, login_fields);
	form_value(&f, "next", safe_next(req_form(r, "next")));
	if (!email || !pw || !*email || !*pw) {
		form_value(&f, "email", email ? email : "");
		if (!email || !*email)
			form_error(&f, "email", "Veuillez renseigner votre "
			    "adresse e-mail.");
		if (!pw || !*pw)
			form_error(&f, "password", "Veuillez renseigner votre "
			    "mot de passe.");
		return form_render(&f, 422, "login", "Connexion");
	}
	norm = arena_alloc(&r->arena, strlen(email) + 1);
	if (valid_email(email, norm, strlen(email) + 1) != VALID_OK ||
	    strlen(pw) > 1024) {
		form_value(&f, "email", email);
		return login_refuse(&f, 422, "L'adresse e-mail et le mot de "
		    "passe que vous avez saisis ne correspondent pas.");
	}
	form_value(&f, "email", norm);
	if (!(rep = kv(r, "GET lf:%s", norm)))
		return unavailable(r);
	if (rep->type == REDIS_REPLY_STRING &&
	    strtol(rep->str, NULL, 10) >= LOGIN_MAX_FAILURES) {
		redisReply *ttl = kv(r, "TTL lf:%s", norm);
		long minutes = ttl && ttl->type == REDIS_REPLY_INTEGER ?
		    (ttl->integer + 59) / 60 : 10;

		if (minutes < 1)
			minutes = 1;
		return login_refuse(&f, 429, arena_printf(&r->arena,
		    "Vous avez effectué %d tentatives de connexion erronées. "
		    "Veuillez attendre %ld minute%s avant de réessayer.",
		    LOGIN_MAX_FAILURES, minutes, minutes > 1 ? "s" : ""));
	}
	if (!(res = q(r, STMT_USER_AUTH, norm)))
		return unavailable(r);
	if (PQntuples(res) == 1)
		ok = password_verify(db_str(res, 0, AUTH_HASH), pw);
	else {
		if (!dummy[0] && password_hash("civitas-dummy", dummy) != 0)
			return 500;
		password_verify(dummy, pw);
		ok = 0;
	}
	if (!ok) {
		if (!(rep = kv(r, "INCR lf:%s", norm)))
			return unavailable(r);
		if (rep->integer == 1)
			kv(r, "EXPIRE lf:%s %d", norm, LOGIN_WINDOW_SECONDS);
		return login_refuse(&f, 422, "L'adresse e-mail et le mot de "
		    "passe que vous avez saisis ne correspondent pas.");
	}
	kv(r, "DEL lf:%s", norm);
	if (strcmp(db_str(res, 0, AUTH_STATUS), "active"))
		return login_refuse(&f, 422, "Pour vous connecter vous devez "
		    "confirmer votre adhésion. Si vous n'avez pas reçu le mail "
		    "de validation, demandez-en un nouveau depuis la page "
		    "« Je n'ai pas reçu l'e-mail ».");
	if (password_needs_rehash(db_str(res, 0, AUTH_HASH))) {
		char hash[crypto_pwhash_STRBYTES];

		if (password_hash(pw, hash) == 0)
			q(r, STMT_USER_SET_PASSWORD, db_str(res, 0, AUTH_ID),
			    hash);
	}
	if (session_start(r, db_long(res, 0, AUTH_ID)) < 0)
		return unavailable(r);
	q(r, STMT_USER_LOGGED_IN, db_str(res, 0, AUTH_ID));
	return resp_redirect(r, safe_next(req_form(r, "next")));
}

int
logout_post(struct req *r)
{
	session_end(r);
	return resp_redirect(r, "/login?notice=logout");
}

static const char *const forgot_fields[] = { "email", NULL };

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
 * reset link (single use, 24 hours). 422 when the field is empty or not an
 * address; 503.
 */
int
forgot_post(struct req *r)
{
	char token[TOKEN_LEN + 1], digest[HASH_HEX_LEN + 1];
	struct form f;
	struct view v;
	const char *norm;
	PGresult *res;

	form_init(&f, r, forgot_fields);
	if (!(norm = form_email(&f, "email", "Cette valeur ne doit pas être "
	    "vide.")))
		return form_render(&f, 422, "forgot", "Mot de passe oublié");
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_USER_AUTH, norm)))
		return unavailable(r);
	if (PQntuples(res) == 1) {
		token_new(token);
		token_digest(r->app->cfg.secret, token, digest);
		view_init(&v, &r->arena, 1);
		view_str(&v, "first_name", db_str(res, 0, AUTH_FIRST_NAME));
		view_str(&v, "link", arena_printf(&r->arena,
		    "%s/password/reset/%s", r->app->cfg.base_url, token));
		if (!q(r, STMT_TOKEN_INSERT, db_str(res, 0, AUTH_ID), "reset",
		    digest) || outbox_add(r, db_long(res, 0, AUTH_ID), norm,
		    "Réinitialisez votre mot de passe", "reset", &v) < 0)
			return unavailable(r);
	}
	if (db_commit(&r->app->db) < 0)
		return unavailable(r);
	return resp_redirect(r, "/login?notice=forgot");
}

static const char *const reset_fields[] = { "password", "password_confirm",
	NULL };

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
	token_digest(r->app->cfg.secret, token, digest);
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
reset_expired(struct req *r)
{
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
	if (!reset_token(r, &status)) {
		db_rollback(&r->app->db);
		return status == 410 ? reset_expired(r) : status;
	}
	db_rollback(&r->app->db);
	form_init(&f, r, reset_fields);
	return form_render(&f, 200, "reset", "Nouveau mot de passe");
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
	const char *pw = req_form(r, "password");
	const char *pw2 = req_form(r, "password_confirm");
	struct form f;
	struct view v;
	PGresult *tok;
	const char *uid;
	int status;

	form_init(&f, r, reset_fields);
	if (valid_password(pw) != VALID_OK)
		form_error(&f, "password", "Votre mot de passe doit comporter "
		    "au moins 8 caractères.");
	else if (!pw2 || strcmp(pw, pw2))
		form_error(&f, "password_confirm", "Les mots de passe ne "
		    "correspondent pas.");
	if (f.errors)
		return form_render(&f, 422, "reset", "Nouveau mot de passe");
	if (password_hash(pw, hash) != 0)
		return 500;
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(tok = reset_token(r, &status))) {
		db_rollback(&r->app->db);
		return status == 410 ? reset_expired(r) : status;
	}
	view_init(&v, &r->arena, 1);
	view_str(&v, "first_name", db_str(tok, 0, TOKEN_USER_FIRST_NAME));
	uid = db_str(tok, 0, TOKEN_USER_ID);
	if (!q(r, STMT_USER_SET_PASSWORD, uid, hash) ||
	    !q(r, STMT_TOKENS_REVOKE, uid, "reset") ||
	    !q(r, STMT_USER_ACTIVATE, uid) ||
	    outbox_add(r, db_long(tok, 0, TOKEN_USER_ID),
	    db_str(tok, 0, TOKEN_USER_EMAIL),
	    "Votre mot de passe a été modifié", "password_changed", &v) < 0 ||
	    db_commit(&r->app->db) < 0)
		return unavailable(r);
	sessions_revoke(r, db_long(tok, 0, TOKEN_USER_ID), 0);
	return resp_redirect(r, "/login?notice=reset");
}
