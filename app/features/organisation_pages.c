/*
 * organisation_pages: an organisation's public page, its managers'
 * dashboard, its managers and their invitations.
 *
 *	GET      /organisations/{slug}                        anyone
 *	GET      /organisations/{slug}/manage                 its managers
 *	POST     /organisations/{slug}/managers               its managers
 *	POST     /organisations/{slug}/managers/{id}/remove   its managers
 *	GET/POST /organisations/join/{token}                  the invited
 *
 * Who is a manager is read per request for *that* organisation
 * (vol_org_find: VS_MANAGER), never taken from a form. An invitation is a
 * single-use link valid 7 days; only an HMAC of its token is stored, and
 * accepting it is one UPDATE (two simultaneous clicks: one wins). The
 * last manager cannot be removed (organisation_manager_remove holds the
 * organisation's row lock, so two managers removing each other at once
 * leave one). Managers see each other as "Camille M.", never an address.
 */
#include "../core/common.h"
#include "../infra/crypto.h"
#include "../infra/form.h"
#include "../infra/outbox.h"
#include "features.h"
#include "media.h"
#include "organisations.h"

/* The organisation of the route ({slug}, or the id of a draft) that the
 * viewer may see, into o: 0, or the status to answer (404, 503). */
static int
org_of_route(struct req *r, struct vol_org *o)
{
	int rc = vol_org_find(r, r->params[0], o);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0 || !vol_org_visible(o))
		return 404;
	return 0;
}

/* ... and that the viewer manages: 0, or 404 (not visible), 403 (seen but
 * not managed), 503. */
static int
org_managed(struct req *r, struct vol_org *o)
{
	int rc;

	if ((rc = org_of_route(r, o)))
		return rc;
	if (!(o->roles & VS_MANAGER))
		return message_page(r, 403, "Accès réservé", "Seuls les "
		    "responsables de cette organisation ont accès à cette "
		    "page.", NULL, NULL);
	return 0;
}

/* The organisation's key in its URLs: its slug, or a draft's id. */
static const char *
org_key(const struct vol_org *o)
{
	return *o->slug ? o->slug : o->id_str;
}

/* ---- The public page ---------------------------------------------------- */

/*
 * GET /organisations/{slug}: a validated organisation and its online
 * missions (no places left: the page shows no counter). Its managers,
 * the referents of its département and admins also see it before
 * validation, with its state. 200; 404; 503.
 */
int
organisation_get(struct req *r)
{
	struct vol_org o;
	struct media_ref m;
	struct view_rows rows;
	struct view v;
	PGresult *res, *missions;
	int rc;

	if ((rc = org_of_route(r, &o)))
		return rc;
	if (!(res = q(r, STMT_ORG_PAGE, o.id_str)) || PQntuples(res) != 1 ||
	    !(missions = q(r, STMT_ORG_MISSIONS, o.id_str)))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_str(&v, "slug", o.slug);
	view_str(&v, "name", o.name);
	view_str(&v, "status", o.status_name);
	view_str(&v, "status_label", vs_label(&vs_organisation, o.status));
	view_int(&v, "manager", (o.roles & VS_MANAGER) != 0);
	view_str(&v, "legal_kind", org_legal_kind_label(o.legal_kind));
	view_raw_html_already_safe(&v, "description",
	    db_str(res, 0, OPG_DESCRIPTION_HTML));
	view_str(&v, "website", db_str(res, 0, OPG_WEBSITE));
	view_str(&v, "city", db_str(res, 0, OPG_CITY));
	view_str(&v, "postal_code", db_str(res, 0, OPG_POSTAL_CODE));
	view_str(&v, "domains", db_str(res, 0, OPG_DOMAINS));
	media_ref_read(&m, res, 0, OPG_MEDIA);
	view_raw_html_already_safe(&v, "logo", media_html(r, &m, "thumb",
	    "10rem", 1));
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(missions); i++)
		view_rows_add(&rows, 6, db_str(missions, i, OM_SLUG),
		    db_str(missions, i, OM_TITLE), db_str(missions, i,
		    OM_DOMAIN), db_bool(missions, i, OM_REMOTE) ? "1" : "",
		    db_str(missions, i, OM_STARTS), db_str(missions, i,
		    OM_CITY));
	view_rows_set(&v, "missions", &rows);
	view_int(&v, "nmissions", PQntuples(missions));
	return render(r, 200, "organisation", &v, o.name);
}

/* ---- The managers' dashboard -------------------------------------------- */

static const struct form_field invite_fields[] = {
	MEMBER_EMAIL_FIELD("email", "Indiquez l'adresse e-mail de la personne "
	    "à inviter."),
	{ NULL }
};

/* The dashboard with the invitation form f, at status. */
static int
manage_page(struct form *f, const struct vol_org *o, int status)
{
	struct req *r = f->r;
	PGresult *managers, *invitations;
	const char *flash = flash_take(r);
	struct view_rows rows;

	if (!(managers = q(r, STMT_ORG_MANAGERS, o->id_str)) ||
	    !(invitations = q(r, STMT_ORG_INVITATIONS, o->id_str)))
		return unavailable(r);
	view_str(&f->v, "slug", org_key(o));
	view_str(&f->v, "name", o->name);
	view_str(&f->v, "status", o->status_name);
	view_str(&f->v, "status_label", vs_label(&vs_organisation, o->status));
	view_str(&f->v, "notice", flash ? flash : "");
	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(managers); i++)
		view_rows_add(&rows, 4, db_str(managers, i, OMG_ID),
		    db_str(managers, i, OMG_NAME), db_str(managers, i,
		    OMG_ADDED), db_long(managers, i, OMG_ID) == r->user->id ?
		    "1" : "");
	view_rows_set(&f->v, "managers", &rows);
	view_int(&f->v, "nmanagers", PQntuples(managers));
	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(invitations); i++)
		view_rows_add(&rows, 3, db_str(invitations, i, OIV_EMAIL),
		    db_str(invitations, i, OIV_CREATED), db_str(invitations, i,
		    OIV_EXPIRES));
	view_rows_set(&f->v, "invitations", &rows);
	view_int(&f->v, "ninvitations", PQntuples(invitations));
	return form_render(f, status, "organisation_manage",
	    arena_printf(&r->arena, "Gérer %s", o->name));
}

/* GET /organisations/{slug}/manage (logged in): state, managers, pending
 * invitations, links to missions and applications. 200; 403 not one of
 * its managers; 404; 503. */
int
organisation_manage_get(struct req *r)
{
	struct vol_org o;
	struct form f;
	int rc;

	if ((rc = org_managed(r, &o)))
		return rc;
	form_init(&f, r, invite_fields);
	return manage_page(&f, &o, 200);
}

/* The invitation's mail (in the open transaction). */
static int
mail_invitation(struct req *r, const struct vol_org *o, const char *email,
    const char *token)
{
	/* Nobody asked for it at that moment: never to a suppressed
	 * address. */
	static const struct mail_extra x = { .category = "invitation" };
	struct view v;

	view_init(&v, &r->arena, 1);
	view_str(&v, "inviter", arena_printf(&r->arena, "%s %.1s.",
	    r->user->first_name, r->user->last_name));
	view_str(&v, "name", o->name);
	view_str(&v, "link", arena_printf(&r->arena, "%s/organisations/join/%s",
	    r->cfg->base_url, token));
	return outbox_add_ex(r, 0, email, arena_printf(&r->arena,
	    "Invitation à gérer « %s »", o->name), "org_invitation", &v, &x);
}

/*
 * POST /organisations/{slug}/managers (email): invite someone to manage
 * the organisation: a single-use link valid 7 days, mailed. 303 back to
 * the dashboard; 422 a wrong address; 429 twenty invitations pending
 * already, or the address's mail quota used; 403; 404; 503.
 */
int
organisation_invite_post(struct req *r)
{
	char token[TOKEN_LEN + 1], digest[HASH_HEX_LEN + 1];
	struct vol_org o;
	struct form f;
	PGresult *res;
	int rc;

	if ((rc = org_managed(r, &o)))
		return rc;
	form_init(&f, r, invite_fields);
	if (form_read(&f))
		return manage_page(&f, &o, 422);
	if ((rc = mail_quota_take(r, form_get(&f, "email"))) < 0)
		return unavailable(r);
	if (rc == 0) {
		form_error(&f, "email", "Cette adresse a reçu trop de messages "
		    "cette heure-ci : réessayez plus tard.");
		return manage_page(&f, &o, 429);
	}
	token_new(token);
	token_digest(r->cfg->secret, token, digest);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(res = q(r, STMT_ORG_INVITE, o.id_str, form_get(&f, "email"),
	    digest, r->user->id_str)))
		goto fail;
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		form_error(&f, "email", "Vingt invitations attendent déjà une "
		    "réponse : attendez qu'elles soient acceptées ou "
		    "expirées.");
		return manage_page(&f, &o, 429);
	}
	if (mail_invitation(r, &o, form_get(&f, "email"), token) < 0 ||
	    db_commit(&r->app->db) < 0)
		goto fail;
	flash_set(r, "L'invitation est envoyée : le lien est valable 7 "
	    "jours.");
	return resp_redirect(r, arena_printf(&r->arena,
	    "/organisations/%s/manage", org_key(&o)));
fail:
	db_rollback(&r->app->db);
	return unavailable(r);
}

/*
 * POST /organisations/{slug}/managers/{id}/remove: a manager removes a
 * manager (themself included), never the last one. 303 to the dashboard
 * (to the member's organisations after removing themself); 409 the last
 * manager; 404 not a manager of this organisation (a forged id); 403;
 * 503.
 */
int
organisation_manager_remove_post(struct req *r)
{
	struct vol_org o;
	const char *id = r->params[1], *result;
	long uid;
	PGresult *res;
	int rc;

	if ((rc = org_managed(r, &o)))
		return rc;
	if (parse_long(id, 1, LONG_MAX, &uid) < 0)
		return 404;
	if (!(res = q(r, STMT_ORG_MANAGER_REMOVE, o.id_str, id)))
		return unavailable(r);
	result = db_str(res, 0, VALUE);
	if (!strcmp(result, "absent"))
		return 404;
	if (!strcmp(result, "last"))
		return message_page(r, 409, "Dernier responsable", "Une "
		    "organisation garde au moins un responsable : invitez "
		    "d'abord quelqu'un d'autre.", arena_printf(&r->arena,
		    "/organisations/%s/manage", org_key(&o)), "Retour");
	if (uid == r->user->id) {
		flash_set(r, arena_printf(&r->arena, "Vous ne gérez plus « %s ».",
		    o.name));
		return resp_redirect(r, "/account/organisations");
	}
	flash_set(r, "Ce responsable est retiré de l'organisation.");
	return resp_redirect(r, arena_printf(&r->arena,
	    "/organisations/%s/manage", org_key(&o)));
}

/* ---- Accepting an invitation --------------------------------------------- */

/* The invitation of the route's token into *res: 1 usable, 0 unknown,
 * used or expired, -1 (503). */
static int
invitation_find(struct req *r, PGresult **res, char digest[])
{
	const char *token = r->params[0];

	if (!token_wellformed(token, strlen(token)))
		return 0;
	token_digest(r->cfg->secret, token, digest);
	if (!(*res = q(r, STMT_ORG_INVITATION_BY_HASH, digest)))
		return -1;
	return PQntuples(*res) == 1 && db_bool(*res, 0, OIL_USABLE);
}

static int
invitation_unusable(struct req *r)
{
	return message_page(r, 404, "Invitation inconnue ou expirée",
	    "Ce lien d'invitation n'est pas valable : il a déjà servi, ou "
	    "ses 7 jours sont passés. Demandez une nouvelle invitation à un "
	    "responsable de l'organisation.", "/", "Accueil");
}

/*
 * GET /organisations/join/{token}: the organisation that invites, and one
 * button (logged in) or the ways to log in or sign up and come back
 * (nothing changes on a GET: mail scanners fetch links). 200; 404
 * unknown, used or expired; 503.
 */
int
organisation_join_get(struct req *r)
{
	char digest[HASH_HEX_LEN + 1];
	PGresult *res;
	struct view v;
	int rc;

	if ((rc = invitation_find(r, &res, digest)) < 0)
		return unavailable(r);
	if (rc == 0)
		return invitation_unusable(r);
	view_init(&v, &r->arena, 0);
	view_str(&v, "name", db_str(res, 0, OIL_ORG_NAME));
	view_str(&v, "token", r->params[0]);
	view_int(&v, "logged_in", r->user != NULL);
	view_str(&v, "csrf", csrf_token(r));
	view_str(&v, "next", arena_printf(&r->arena, "/organisations/join/%s",
	    r->params[0]));
	return render(r, 200, "organisation_join", &v,
	    "Invitation à gérer une organisation");
}

/*
 * POST /organisations/join/{token} (logged in): the member becomes a
 * manager; the link is used up, whoever clicks at the same time. 303 to
 * the dashboard (to the member's organisations for a draft); 404
 * unknown, used or expired; 503.
 */
int
organisation_join_post(struct req *r)
{
	char digest[HASH_HEX_LEN + 1];
	PGresult *res, *acc;
	int rc;

	if ((rc = invitation_find(r, &res, digest)) < 0)
		return unavailable(r);
	if (rc == 0)
		return invitation_unusable(r);
	if (!(acc = q(r, STMT_ORG_INVITATION_ACCEPT, digest, r->user->id_str)))
		return unavailable(r);
	if (PQntuples(acc) == 0)
		return invitation_unusable(r);
	flash_set(r, db_bool(acc, 0, OAC_ALREADY) ? "Vous gériez déjà cette "
	    "organisation." : arena_printf(&r->arena, "Vous gérez maintenant "
	    "« %s ».", db_str(res, 0, OIL_ORG_NAME)));
	return resp_redirect(r, arena_printf(&r->arena,
	    "/organisations/%s/manage", *db_str(res, 0, OIL_ORG_SLUG) ?
	    db_str(res, 0, OIL_ORG_SLUG) : db_str(res, 0, OIL_ORG_ID)));
}
