/*
 * signup: membership sign-up and e-mail confirmation.
 *
 * The account is created inactive with an Argon2id hash; the confirmation
 * mail (a single-use link valid 24 hours) is queued in the same transaction
 * as the account. Confirming activates the account; a second use of the link
 * says so; an expired link offers a new one.
 */
#include "../core/common.h"
#include "../core/valid.h"
#include "../infra/outbox.h"
#include "../infra/session.h"
#include "address.h"
#include "features.h"

#include <time.h>

static const char *const signup_fields[] = {
	"first_name", "last_name", "email", "password", "gender",
	"birth_date", "phone", "charter", ADDRESS_FIELDS, NULL
};


static const char *
today(struct req *r)
{
	time_t now = time(NULL);
	struct tm tm;
	char *s = arena_alloc(&r->arena, 11);

	gmtime_r(&now, &tm);
	strftime(s, 11, "%Y-%m-%d", &tm);
	return s;
}

static void
check_name(struct form *f, const char *field, const char *label,
    const char **out)
{
	const char *in = form_text(f, field, 50);
	char *norm = arena_alloc(&f->r->arena, strlen(in) * 2 + 8);

	*out = in;
	switch (valid_person_name(in, norm, strlen(in) * 2 + 8)) {
	case VALID_OK:
		*out = norm;
		return;
	case VALID_MISSING:
		form_error(f, field, arena_printf(&f->r->arena,
		    "Veuillez renseigner votre %s.", label));
		return;
	case VALID_INVALID:
		form_error(f, field, arena_printf(&f->r->arena, "Votre %s doit "
		    "commencer par une lettre.", label));
		return;
	case VALID_BAD_CHARS:
		form_error(f, field, arena_printf(&f->r->arena, "Votre %s ne "
		    "peut contenir que des lettres, des espaces, des tirets et "
		    "des apostrophes.", label));
		return;
	default:
		form_error(f, field, arena_printf(&f->r->arena, "Votre %s doit "
		    "comporter entre 2 et 50 caractères.", label));
	}
}

/* Identity fields shared with the account page. */
void
member_check_identity(struct form *f, struct member *m)
{
	check_name(f, "first_name", "prénom", &m->first_name);
	check_name(f, "last_name", "nom", &m->last_name);
	m->gender = form_text(f, "gender", 10);
	if (strcmp(m->gender, "female") && strcmp(m->gender, "male") &&
	    strcmp(m->gender, "other")) {
		form_error(f, "gender", "Veuillez indiquer votre civilité.");
		m->gender = "";
	}
	m->birth_date = form_text(f, "birth_date", 10);
	switch (valid_birth_date(m->birth_date, today(f->r), 15)) {
	case VALID_OK:
		break;
	case VALID_MISSING:
		form_error(f, "birth_date", "Vous devez spécifier votre date "
		    "de naissance.");
		break;
	case VALID_TOO_YOUNG:
		form_error(f, "birth_date", "Vous devez avoir au moins 15 ans "
		    "pour adhérer.");
		break;
	default:
		form_error(f, "birth_date", "Cette date de naissance n'est pas "
		    "valide.");
	}
	m->phone = form_text(f, "phone", 20);
	if (*m->phone && valid_phone(m->phone) != VALID_OK)
		form_error(f, "phone", "Ce numéro de téléphone n'est pas "
		    "valide.");
}

void
member_view_identity(struct form *f, const struct member *m)
{
	form_value(f, "first_name", m->first_name);
	form_value(f, "last_name", m->last_name);
	form_value(f, "gender", m->gender);
	form_value(f, "birth_date", m->birth_date);
	form_value(f, "phone", m->phone);
	form_include(f, "identity_fields", "identity_block");
}

static int
signup_form(struct form *f, struct member *m, int status)
{
	member_view_identity(f, m);
	if (m->email)	/* else form_email kept the value as typed */
		form_value(f, "email", m->email);
	if (address_view(f, &m->addr) < 0)
		return unavailable(f->r);
	return form_render(f, status, "signup", "Adhérer");
}

/* GET /signup: 200 the form; 303 to /account when logged in; 503 when
 * PostgreSQL is down. */
int
signup_get(struct req *r)
{
	struct form f;
	struct member m = { "", "", NULL, "", "", "", { "", "", "FR", "", "",
	    NULL } };

	if (r->user)
		return resp_redirect(r, "/account");
	/* Say so now rather than after the form is filled in. */
	if (!q(r, STMT_PING))
		return unavailable(r);
	form_init(&f, r, signup_fields);
	return signup_form(&f, &m, 200);
}

int
send_confirmation(struct req *r, long uid, const char *email,
    const char *first_name)
{
	char token[TOKEN_LEN + 1], digest[HASH_HEX_LEN + 1];
	struct view v;

	token_new(token);
	token_digest(r->app->cfg.secret, token, digest);
	if (!q(r, STMT_TOKEN_INSERT, arena_printf(&r->arena, "%ld", uid),
	    "confirm", digest))
		return -1;
	view_init(&v, &r->arena, 1);
	view_str(&v, "first_name", first_name);
	view_str(&v, "link", arena_printf(&r->arena, "%s/signup/confirm/%s",
	    r->app->cfg.base_url, token));
	return outbox_add(r, uid, email, "Confirmez votre adhésion", "confirm",
	    &v);
}

/*
 * POST /signup: every field of signup_fields.
 * 303 to /signup/done; 422 with the form when a field is wrong (values kept,
 * never the password); 503 when a service is down (form kept, banner).
 */
int
signup_post(struct req *r)
{
	struct form f;
	struct member m;
	char hash[crypto_pwhash_STRBYTES];
	const char *pw;
	PGresult *res;

	if (r->user)
		return resp_redirect(r, "/account");
	form_init(&f, r, signup_fields);
	member_check_identity(&f, &m);
	m.email = form_email(&f, "email", "Veuillez renseigner votre adresse "
	    "e-mail.");
	pw = req_form(r, "password");
	if (valid_password(pw) == VALID_TOO_LONG)
		form_error(&f, "password", "Votre mot de passe est trop long.");
	else if (valid_password(pw) != VALID_OK)
		form_error(&f, "password", "Votre mot de passe doit comporter "
		    "au moins 8 caractères.");
	if (!req_form(r, "charter"))
		form_error(&f, "charter", "Vous devez accepter la charte.");
	else
		form_value(&f, "charter", "1");
	if (address_check(&f, &m.addr) < 0)
		goto down;
	if (!f.errors) {
		if (!(res = q(r, STMT_USER_AUTH, m.email)))
			goto down;
		if (PQntuples(res))
			form_error(&f, "email", "Cette adresse e-mail existe "
			    "déjà.");
	}
	if (f.errors)
		return signup_form(&f, &m, 422);
	if (password_hash(pw, hash) != 0)
		return 500;
	if (db_begin(&r->app->db) < 0)
		goto down;
	res = q(r, STMT_USER_INSERT, m.email, hash, m.first_name, m.last_name,
	    m.gender, m.birth_date, *m.phone ? m.phone : NULL, m.addr.street,
	    m.addr.postal_code, m.addr.country,
	    *m.addr.city_insee ? m.addr.city_insee : NULL, m.addr.city_name);
	if (!res) {
		db_rollback(&r->app->db);
		if (db_unique_violation(&r->app->db)) {
			form_error(&f, "email", "Cette adresse e-mail existe "
			    "déjà.");
			return signup_form(&f, &m, 422);
		}
		goto down;
	}
	if (send_confirmation(r, db_long(res, 0, RETURNING_ID), m.email,
	    m.first_name) < 0 || db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		goto down;
	}
	return resp_redirect(r, "/signup/done");
down:
	view_str(&f.v, "banner", "Le service est momentanément indisponible : "
	    "votre adhésion n'a pas été enregistrée. Réessayez dans quelques "
	    "instants, vos réponses sont conservées.");
	f.errors = 0;
	r->unavailable = 1;
	resp_header(r, "Retry-After", "5");
	member_view_identity(&f, &m);
	if (m.email)
		form_value(&f, "email", m.email);
	if (address_ready(r) && address_view(&f, &m.addr) == 0)
		return form_render(&f, 503, "signup", "Adhérer");
	return 503;
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
	token_digest(r->app->cfg.secret, token, digest);
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

static const char *const resend_fields[] = { "email", NULL };

int
signup_resend_get(struct req *r)
{
	struct form f;

	form_init(&f, r, resend_fields);
	return form_render(&f, 200, "resend", "Renvoyer l'e-mail de "
	    "confirmation");
}

/*
 * POST /signup/resend: email.
 * 303 to /signup/done whether or not the address is known (no account
 * enumeration); a mail goes only to a known, still inactive account.
 */
int
signup_resend_post(struct req *r)
{
	struct form f;
	const char *norm;
	PGresult *res;

	form_init(&f, r, resend_fields);
	if (!(norm = form_email(&f, "email", "Veuillez renseigner votre "
	    "adresse e-mail.")))
		return form_render(&f, 422, "resend", "Renvoyer l'e-mail de "
		    "confirmation");
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_USER_AUTH, norm)))
		return unavailable(r);
	if (PQntuples(res) == 1 &&
	    !strcmp(db_str(res, 0, AUTH_STATUS), "pending") &&
	    send_confirmation(r, db_long(res, 0, AUTH_ID), norm,
	    db_str(res, 0, AUTH_FIRST_NAME)) < 0)
		return unavailable(r);
	if (db_commit(&r->app->db) < 0)
		return unavailable(r);
	return resp_redirect(r, "/signup/done");
}
