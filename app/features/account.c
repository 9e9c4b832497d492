/*
 * account: a member's own profile, password and deletion. Every statement
 * here is keyed on r->user->id, the member of the session: no route takes
 * a member id from the request, so nobody can reach another's data.
 */
#include "../core/common.h"
#include "../infra/outbox.h"
#include "applications.h"
#include "features.h"

static const struct form_field profile_fields[] = {
	MEMBER_IDENTITY_FIELDS,
	MEMBER_ADDRESS_FIELDS,
	{ NULL }
};

static const struct form_field password_fields[] = {
	{ "current_password", F_SECRET },
	FORM_PASSWORD("new_password"),
	{ "new_password_confirm", F_SECRET },
	{ NULL }
};

/* The account page: the profile form (values in f) and the password
 * form. */
static int
account_form(struct form *f, PGresult *communes, int status)
{
	const char *flash = flash_take(f->r);

	form_include(f, "identity_fields", "identity_block");
	view_str(&f->v, "email", f->r->user->email);
	view_str(&f->v, "member_since", f->r->user->created);
	if (flash)
		view_str(&f->v, "notice", flash);
	if (address_view(f, communes) < 0)
		return unavailable(f->r);
	return form_render(f, status, "account", "Mon compte");
}

/* The profile of the member of the session, as the form shows it. */
static void
profile_values(struct form *f, const struct user *u)
{
	form_set(f, "first_name", u->first_name);
	form_set(f, "last_name", u->last_name);
	form_set(f, "gender", u->gender);
	form_set(f, "birth_date", u->birth_date);
	form_set(f, "phone", u->phone);
	form_set(f, "street", u->street);
	form_set(f, "postal_code", u->postal_code);
	form_set(f, "country", u->country);
	form_set(f, "city_code", u->city_insee);
	form_set(f, "city_name", u->city_name);
}

int
account_get(struct req *r)
{
	struct form f;

	form_init(&f, r, profile_fields);
	form_also(&f, password_fields);
	profile_values(&f, r->user);
	return account_form(&f, NULL, 200);
}

/*
 * POST /account: identity and address fields.
 * 303 back to /account with a notice; 422 with the form; 503.
 */
int
account_post(struct req *r)
{
	const char *phone, *city;
	struct form f;
	PGresult *communes;

	form_init(&f, r, profile_fields);
	form_also(&f, password_fields);
	form_read(&f);
	if (address_check(&f, &communes) < 0)
		return unavailable(r);
	if (f.errors)
		return account_form(&f, communes, 422);
	phone = form_get(&f, "phone");
	city = form_get(&f, "city_code");
	if (!q(r, STMT_USER_UPDATE_PROFILE, r->user->id_str,
	    form_get(&f, "first_name"), form_get(&f, "last_name"),
	    form_get(&f, "gender"), form_get(&f, "birth_date"),
	    *phone ? phone : NULL, form_get(&f, "street"),
	    form_get(&f, "postal_code"), form_get(&f, "country"),
	    *city ? city : NULL, form_get(&f, "city_name")))
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
	struct form f;
	PGresult *res;

	form_init(&f, r, password_fields);
	form_also(&f, profile_fields);
	profile_values(&f, r->user);
	form_read(&f);
	if (!(res = q(r, STMT_USER_AUTH, r->user->email)))
		return unavailable(r);
	if (PQntuples(res) != 1 || !password_verify(db_str(res, 0, AUTH_HASH),
	    form_get(&f, "current_password")))
		form_error(&f, "current_password", "Le mot de passe actuel est "
		    "incorrect.");
	if (!form_has_error(&f, "new_password") && strcmp(form_get(&f,
	    "new_password"), form_get(&f, "new_password_confirm")))
		form_error(&f, "new_password_confirm", "Les mots de passe ne "
		    "correspondent pas.");
	if (f.errors)
		return account_form(&f, NULL, 422);
	if (password_hash(form_get(&f, "new_password"), hash) != 0)
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
static const char *const delete_reason_keys[] = { "emails", "disagree",
	"time", "other_org", "other", NULL };

static const struct form_field delete_fields[] = {
	{ "reason", F_REQUIRED, .choices = delete_reason_keys, .msg = {
	    [VALID_MISSING] = "Veuillez choisir une raison.",
	    [VALID_INVALID] = "Veuillez choisir une raison." } },
	{ "confirm", F_REQUIRED | F_CHECKBOX, .msg = {
	    [VALID_MISSING] = "Veuillez confirmer la suppression de votre "
		"compte." } },
	{ NULL }
};

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

/* Volunteer missions (issue 11), before the users row goes, in its
 * transaction: the member's open applications are cancelled (reason
 * account_deleted) through application_change, which gives each freed
 * place to the first of the waiting list; each volunteer so promoted is
 * mailed here. A draft organisation the member alone created goes too
 * (account_missions_release, sql/007_missions_d.sql). 0 or -1. */
static int
delete_missions(struct req *r)
{
	PGresult *res = q(r, STMT_ACCOUNT_MISSIONS_RELEASE, r->user->id_str);

	if (!res)
		return -1;
	/* Only the promoted rows: the member's own go with their account. */
	return application_mail_changes(r, res, EXPX_APPLICATION,
	    EXPX_PROMOTED);
}

/*
 * POST /account/delete: reason (a key of delete_reasons), confirm.
 * Releases the member's volunteer missions (delete_missions), then
 * deletes the member's row for real (tokens, mails, subscriptions, the
 * consent ledger and their applications cascade; their messages in
 * others' threads stay without an author), keeps an anonymous trace
 * (postal code, country, dates, reason, the number of consent changes),
 * ends every session. 303 to /account/deleted; 422; 503.
 */
int
account_delete_post(struct req *r)
{
	struct form f;
	PGresult *res;

	form_init(&f, r, delete_fields);
	if (form_read(&f))
		return delete_form(&f, 422);
	if (db_begin(&r->app->db) < 0 || delete_missions(r) < 0 ||
	    !(res = q(r, STMT_USER_DELETE, r->user->id_str)) ||
	    PQntuples(res) != 1 ||
	    !q(r, STMT_UNREGISTRATION_INSERT, db_str(res, 0,
	    DELETED_POSTAL_CODE), db_str(res, 0, DELETED_COUNTRY),
	    db_str(res, 0, DELETED_CREATED), form_get(&f, "reason"),
	    db_str(res, 0, DELETED_CONSENT_CHANGES)) ||
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
