/*
 * account: a member's own profile, password and deletion. Every statement
 * here is keyed on r->user->id, the member of the session: no route takes
 * a member id from the request, so nobody can reach another's data.
 */
#include "../core/common.h"
#include "../core/valid.h"
#include "../infra/session.h"
#include "features.h"

static const char *const profile_fields[] = {
	"first_name", "last_name", "gender", "birth_date", "phone",
	"current_password", "new_password", "new_password_confirm",
	ADDRESS_FIELDS, NULL
};

static int
account_form(struct form *f, const struct member *m, int status)
{
	const char *flash = flash_take(f->r);

	member_view_identity(f, m);
	view_str(&f->v, "email", f->r->user->email);
	view_str(&f->v, "member_since", f->r->user->created);
	if (flash)
		view_str(&f->v, "notice", flash);
	if (address_view(f, &m->addr) < 0)
		return unavailable(f->r);
	return form_render(f, status, "account", "Mon compte");
}

static void
member_from_user(const struct user *u, struct member *m)
{
	m->first_name = u->first_name;
	m->last_name = u->last_name;
	m->email = u->email;
	m->gender = u->gender;
	m->birth_date = u->birth_date;
	m->phone = u->phone;
	m->addr.street = u->street;
	m->addr.postal_code = u->postal_code;
	m->addr.country = u->country;
	m->addr.city_insee = u->city_insee;
	m->addr.city_name = u->city_name;
	m->addr.communes = NULL;
}

int
account_get(struct req *r)
{
	struct form f;
	struct member m;

	form_init(&f, r, profile_fields);
	member_from_user(r->user, &m);
	return account_form(&f, &m, 200);
}

/*
 * POST /account: identity and address fields.
 * 303 back to /account with a notice; 422 with the form; 503.
 */
int
account_post(struct req *r)
{
	struct form f;
	struct member m;

	form_init(&f, r, profile_fields);
	member_check_identity(&f, &m);
	m.email = r->user->email;
	if (address_check(&f, &m.addr) < 0)
		return unavailable(r);
	if (f.errors)
		return account_form(&f, &m, 422);
	if (!q(r, STMT_USER_UPDATE_PROFILE, r->user->id_str, m.first_name,
	    m.last_name, m.gender, m.birth_date, *m.phone ? m.phone : NULL,
	    m.addr.street, m.addr.postal_code, m.addr.country,
	    *m.addr.city_insee ? m.addr.city_insee : NULL, m.addr.city_name))
		return unavailable(r);
	flash_set(r, "Vos informations ont été enregistrées.");
	return resp_redirect(r, "/account");
}

/*
 * POST /account/password: current_password, new_password,
 * new_password_confirm. 303 to /account (other sessions end); 422; 503.
 */
int
account_password_post(struct req *r)
{
	char hash[crypto_pwhash_STRBYTES];
	const char *cur = req_form(r, "current_password");
	const char *pw = req_form(r, "new_password");
	const char *pw2 = req_form(r, "new_password_confirm");
	struct form f;
	struct member m;
	PGresult *res;

	form_init(&f, r, profile_fields);
	member_from_user(r->user, &m);
	if (!(res = q(r, STMT_USER_AUTH, r->user->email)))
		return unavailable(r);
	if (!cur || PQntuples(res) != 1 ||
	    !password_verify(db_str(res, 0, AUTH_HASH), cur))
		form_error(&f, "current_password", "Le mot de passe actuel est "
		    "incorrect.");
	if (valid_password(pw) != VALID_OK)
		form_error(&f, "new_password", "Votre mot de passe doit "
		    "comporter au moins 8 caractères.");
	else if (!pw2 || strcmp(pw, pw2))
		form_error(&f, "new_password_confirm", "Les mots de passe ne "
		    "correspondent pas.");
	if (f.errors)
		return account_form(&f, &m, 422);
	if (password_hash(pw, hash) != 0)
		return 500;
	if (!q(r, STMT_USER_SET_PASSWORD, r->user->id_str, hash))
		return unavailable(r);
	sessions_revoke(r, r->user->id, 1);
	flash_set(r, "Votre mot de passe a été modifié.");
	return resp_redirect(r, "/account");
}

/* Reasons offered when leaving; only the key is kept. */
static const char *const delete_reasons[][2] = {
	{ "emails", "Je reçois trop d'e-mails" },
	{ "disagree", "Je ne partage plus les idées du mouvement" },
	{ "time", "Je n'ai plus le temps de m'engager" },
	{ "other_org", "Je m'engage ailleurs" },
	{ "other", "Autre raison" },
};

static const char *const delete_fields[] = { "reason", "confirm", NULL };

static int
delete_form(struct form *f, int status)
{
	struct view_rows rows;

	view_rows_init(&rows, &f->v);
	for (size_t i = 0; i < ARRAY_SIZE(delete_reasons); i++)
		view_rows_add(&rows, 2, delete_reasons[i][0],
		    delete_reasons[i][1]);
	view_rows_set(&f->v, "reasons", &rows);
	return form_render(f, status, "delete", "Supprimer mon compte");
}

int
account_delete_get(struct req *r)
{
	struct form f;

	form_init(&f, r, delete_fields);
	return delete_form(&f, 200);
}

/*
 * POST /account/delete: reason (a key of delete_reasons), confirm.
 * Deletes the member's row for real (tokens and mails cascade), keeps an
 * anonymous trace (postal code, country, dates, reason), ends every
 * session. 303 to /account/deleted; 422; 503.
 */
int
account_delete_post(struct req *r)
{
	const char *reason = req_form(r, "reason");
	struct form f;
	PGresult *res;
	size_t i;

	form_init(&f, r, delete_fields);
	for (i = 0; reason && i < ARRAY_SIZE(delete_reasons); i++)
		if (!strcmp(reason, delete_reasons[i][0]))
			break;
	if (!reason || i == ARRAY_SIZE(delete_reasons))
		form_error(&f, "reason", "Veuillez choisir une raison.");
	else
		form_value(&f, "reason", reason);
	if (!req_form(r, "confirm"))
		form_error(&f, "confirm", "Veuillez confirmer la suppression "
		    "de votre compte.");
	if (f.errors)
		return delete_form(&f, 422);
	if (db_begin(&r->app->db) < 0 ||
	    !(res = q(r, STMT_USER_DELETE, r->user->id_str)) ||
	    PQntuples(res) != 1 ||
	    !q(r, STMT_UNREGISTRATION_INSERT, db_str(res, 0,
	    DELETED_POSTAL_CODE), db_str(res, 0, DELETED_COUNTRY),
	    db_str(res, 0, DELETED_CREATED), reason) ||
	    db_commit(&r->app->db) < 0)
		return unavailable(r);
	sessions_revoke(r, r->user->id, 0);
	kv(r, "DEL usess:%s", r->user->id_str);
	session_end(r);
	return resp_redirect(r, "/account/deleted");
}

int
account_deleted_get(struct req *r)
{
	return message_page(r, 200, "Compte supprimé", "Votre compte et vos "
	    "données personnelles ont été supprimés. Merci pour votre "
	    "engagement.", "/", "Retour à l'accueil");
}
