/*
 * committees: creating and editing a committee, following it.
 *
 *	GET/POST /committees/new                  a confirmed member
 *	GET/POST /committees/{slug}/manage/edit   hosts, supervisor, admins
 *	POST     /committees/{slug}/follow        a member (JSON or redirect)
 *	POST     /committees/{slug}/unfollow
 *	POST     /committees/{slug}/preferences   a member's opt-ins
 *
 * The rules of record are PostgreSQL's (sql/003_committees.sql): a name is
 * unique once accents and case are folded (committees_name_key), a member
 * waits for one committee at a time (committees_one_open), a follow is
 * one row whatever the number of simultaneous requests (the primary key),
 * and who may leave is said by the DELETE itself (STMT_COMMITTEE_UNFOLLOW).
 * The C code only turns their answers into French sentences.
 */
#include "../core/common.h"

#include <ctype.h>
#include "../core/valid.h"
#include "../infra/image.h"
#include "../infra/markdown.h"
#include "../infra/outbox.h"
#include "admin.h"
#include "committees.h"
#include "features.h"
#include "media.h"

#include <ctype.h>

/* A member's photo: smaller than the back-office's uploads. */
#define PHOTO_MAX_BYTES (5L * 1024 * 1024)
#define SLUG_TRIES 3

/* An X (Twitter) account: @name, 1 to 15 letters, digits or '_'; the @
 * may be left out. */
static int
valid_x_handle(const char *in, char *out, size_t outsz)
{
	const char *name = *in == '@' ? in + 1 : in;
	size_t n = strlen(name);

	if (n < 1 || n > 15)
		return VALID_INVALID;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return VALID_INVALID;
	snprintf(out, outsz, "@%s", name);
	return VALID_OK;
}

#define NAME_LENGTH_MSG "Le nom du comité doit comporter entre 2 et 50 " \
	"caractères."
#define DESCRIPTION_LENGTH_MSG "La description doit comporter entre 10 et " \
	"2 000 caractères."
#define URL_MSG(what) what " doit être une adresse commençant par " \
	"http:// ou https://."

/* The committee's fields; the address is members.h's block with the
 * street made optional. */
static const struct form_field committee_fields[] = {
	/* first: an edit whose name is locked reads from the next row on */
	{ "name", F_REQUIRED, 2, 50, .msg = {
	    [VALID_MISSING] = "Veuillez donner un nom au comité.",
	    [VALID_TOO_SHORT] = NAME_LENGTH_MSG,
	    [VALID_TOO_LONG] = NAME_LENGTH_MSG } },
	{ "description", F_REQUIRED | F_MULTILINE, 10, 2000, .msg = {
	    [VALID_MISSING] = "Veuillez décrire le comité.",
	    [VALID_TOO_SHORT] = DESCRIPTION_LENGTH_MSG,
	    [VALID_TOO_LONG] = DESCRIPTION_LENGTH_MSG } },
	ADDRESS_FIELDS(0, F_REQUIRED),
	{ "website_url", 0, .max = 255, .valid = valid_web_url, .msg = {
	    [VALID_TOO_LONG] = "L'adresse du site doit comporter au plus 255 "
		"caractères.",
	    [VALID_INVALID] = URL_MSG("Le site web") } },
	{ "facebook_url", 0, .max = 255, .valid = valid_web_url, .msg = {
	    [VALID_TOO_LONG] = "L'adresse de la page Facebook doit comporter "
		"au plus 255 caractères.",
	    [VALID_INVALID] = URL_MSG("La page Facebook") } },
	{ "twitter_handle", 0, .max = 16, .valid = valid_x_handle, .msg = {
	    [VALID_TOO_LONG] = "Le compte X doit s'écrire @nom (15 lettres, "
		"chiffres ou _ au plus).",
	    [VALID_INVALID] = "Le compte X doit s'écrire @nom (15 lettres, "
		"chiffres ou _ au plus)." } },
	{ "photo", 0 },	/* a file part: checked by photo_take() */
	{ NULL }
};

/* The name of a committee whose name is locked: shown, not read. */
static const struct form_field stored_name[] = {
	{ "name", 0 },
	{ NULL }
};

/* Not posted: the slug made from the name (form_slug). */
static const struct form_field slug_field[] = {
	{ "slug", 0 },
	{ NULL }
};

/* "Camille M." for a member. */
static const char *
short_name(struct req *r, const char *first, const char *last)
{
	size_t n = 1;

	while (last[0] && ((unsigned char)last[n] & 0xc0) == 0x80)
		n++;
	return *last ? arena_printf(&r->arena, "%s %.*s.", first, (int)n,
	    last) : first;
}

/* ---- the form ------------------------------------------------------- */

/* The form page: new (c NULL) or the edit of c; name_locked shows the
 * name read-only. */
static int
form_page(struct form *f, const struct committee *c, int name_locked,
    PGresult *communes, const char *photo, int status)
{
	struct req *r = f->r;

	if (address_view(f, communes) < 0)
		return unavailable(r);
	view_int(&f->v, "editing", c != NULL);
	view_str(&f->v, "action", c ? arena_printf(&r->arena,
	    "/committees/%s/manage/edit", c->slug) : "/committees/new");
	view_str(&f->v, "slug", c ? c->slug : "");
	view_int(&f->v, "name_locked", name_locked);
	view_raw_html_already_safe(&f->v, "photo", photo ? photo : "");
	return form_render(f, status, "committee_form", c ?
	    "Modifier le comité" : "Créer un comité");
}

static void
photo_release(void *o)
{
	image_original_release(o);
}

/* The uploaded photo, checked and re-encoded into o (o->data NULL when
 * none was sent); only the cheap checks when the form is wrong anyway.
 * Errors at the field. */
static void
photo_take(struct form *f, struct image_original *o)
{
	struct req *r = f->r;
	const struct part *p = NULL;
	enum image_err err;
	char msg[160];

	for (size_t i = 0; i < r->files.n; i++)
		if (!strcmp(r->files.v[i].name, "photo") && r->files.v[i].len)
			p = &r->files.v[i];
	if (!p)
		return;
	if (p->len > PHOTO_MAX_BYTES) {
		form_error(f, "photo", "La photo doit peser au plus 5 Mo.");
		return;
	}
	if (f->errors)
		err = image_check(p->data, p->len, &o->announced);
	else if ((err = image_ingest(p->data, p->len, o)) == IMAGE_OK)
		arena_defer(&r->arena, photo_release, o);
	if (err != IMAGE_OK)
		form_error(f, "photo", image_err_message(err, &o->announced,
		    msg, sizeof(msg)));
	else if (f->errors)
		form_error(f, "photo", "Choisissez la photo à nouveau.");
}

/* Store the photo (in the open transaction): its media id, "" when there
 * is none, NULL when PostgreSQL failed. */
static const char *
photo_store(struct req *r, const struct image_original *o, const char *name)
{
	PGresult *res;

	if (!o->data)
		return "";
	res = media_insert(&r->app->db, &r->arena, o, arena_printf(&r->arena,
	    "Photo du comité %s", name), "", r->user->id_str);
	return res ? db_str(res, 0, RETURNING_ID) : NULL;
}

/* Read and check the whole form: fields, address, photo, description.
 * 0 (f->errors says whether it is right), or -1 when PostgreSQL failed. */
static int
form_take(struct form *f, PGresult **communes, struct image_original *o,
    const char **html)
{
	form_read(f);
	if (!form_has_error(f, "description") &&
	    !form_get(f, "description")[strspn(form_get(f, "description"),
	    " \t\n")])
		form_error(f, "description", "Veuillez décrire le comité.");
	if (address_check(f, communes) < 0)
		return -1;
	photo_take(f, o);
	*html = render_body(f->r, form_get(f, "description"));
	return *html ? 0 : -1;
}

/* The 14 parameters shared by insert and update ($2-$13 are the
 * fields). */
static void
committee_params(struct form *f, const char **p, const char *html,
    const char *media)
{
	static const char *const names[] = { "name", "description", NULL,
	    "street", "postal_code", "country", "city_code", "city_name",
	    NULL, "website_url", "facebook_url", "twitter_handle" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		p[i + 1] = names[i] ? form_get(f, names[i]) : "";
	p[3] = html;
	p[9] = media;
}

/* Why no row was written: the message at its field (or the open
 * committee). 1 when known, 0 when it was the slug (try another), -1. */
static int
explain_conflict(struct form *f, const char *self)
{
	struct req *r = f->r;
	PGresult *res = q(r, STMT_COMMITTEE_CONFLICT, form_get(f, "name"),
	    r->user->id_str, self);

	if (!res)
		return -1;
	if (db_bool(res, 0, CONFLICT_NAME)) {
		form_error(f, "name", "Un comité porte déjà ce nom (les "
		    "accents et les majuscules ne comptent pas).");
		return 1;
	}
	if (db_bool(res, 0, CONFLICT_OPEN)) {
		form_error(f, "name", "Vous avez déjà un comité en attente de "
		    "validation ou refusé : vous ne pouvez pas en créer un "
		    "autre.");
		return 1;
	}
	return 0;
}

/* The member may not create a committee now: the page that says why,
 * else 0. */
static int
creation_refused(struct req *r, int status)
{
	PGresult *res;

	if (strcmp(r->user->status, "active"))
		return message_page(r, 403, "Créer un comité", "Confirmez "
		    "d'abord votre adhésion (le lien vous a été envoyé par "
		    "e-mail) pour créer un comité.", NULL, NULL);
	if (!(res = q(r, STMT_COMMITTEE_OPEN_OF, r->user->id_str)))
		return unavailable(r);
	if (PQntuples(res) == 0)
		return 0;
	if (!strcmp(db_str(res, 0, OPEN_STATUS), "pending"))
		return message_page(r, status, "Créer un comité",
		    arena_printf(&r->arena, "Votre comité « %s » attend "
		    "encore la validation d'un administrateur : vous pourrez "
		    "en créer un autre une fois celui-ci validé.",
		    db_str(res, 0, OPEN_NAME)), arena_printf(&r->arena,
		    "/committees/%s", db_str(res, 0, OPEN_SLUG)),
		    "Voir mon comité");
	return message_page(r, status, "Créer un comité",
	    arena_printf(&r->arena, "Votre comité « %s » a été refusé : vous "
	    "ne pouvez pas en créer un autre tant qu'un administrateur ne l'a "
	    "pas supprimé.", db_str(res, 0, OPEN_NAME)),
	    arena_printf(&r->arena, "/committees/%s",
	    db_str(res, 0, OPEN_SLUG)), "Voir mon comité");
}

/* GET /committees/new (logged in): the form, or why the member may not
 * create one (403 unconfirmed; 200 an open committee). 503. */
int
committee_new_get(struct req *r)
{
	struct form f;
	int rc;

	if ((rc = creation_refused(r, 200)))
		return rc;
	form_init(&f, r, committee_fields);
	form_set(&f, "country", r->user->country);
	form_set(&f, "postal_code", r->user->postal_code);
	form_set(&f, "city_code", r->user->city_insee);
	form_set(&f, "city_name", r->user->city_name);
	return form_page(&f, NULL, 0, NULL, NULL, 200);
}

/* The mail to the creator, in the open transaction. */
static int
mail_created(struct req *r, const char *name, const char *slug)
{
	struct view v;

	view_init(&v, &r->arena, 1);
	view_str(&v, "first_name", r->user->first_name);
	view_str(&v, "name", name);
	view_str(&v, "link", arena_printf(&r->arena, "%s/committees/%s",
	    r->cfg->base_url, slug));
	return outbox_add(r, r->user->id, r->user->email, arena_printf(
	    &r->arena, "Votre comité « %s » attend sa validation", name),
	    "committee_created", &v);
}

/* Insert the committee (in the open transaction), trying another slug
 * when a simultaneous creation took it. 1 created (*slug), 0 refused
 * (the message at its field), -1. */
static int
committee_insert(struct form *f, const char *html, const char *media,
    const char **slug)
{
	struct req *r = f->r;
	const char *p[14];
	PGresult *res;
	int rc;

	committee_params(f, p, html, media);
	p[13] = r->user->id_str;
	for (int i = 0; i < SLUG_TRIES; i++) {
		form_set(f, "slug", "");
		if (form_slug(f, STMT_COMMITTEE_SLUGS, "name", NULL) < 0)
			return -1;
		p[0] = form_get(f, "slug");
		if (!(res = db_exec_array(&r->app->db, &r->arena,
		    STMT_COMMITTEE_INSERT, 14, p)))
			return -1;
		if (PQntuples(res) == 1) {
			*slug = db_str(res, 0, CREATED_SLUG);
			return 1;
		}
		if ((rc = explain_conflict(f, "0")) != 0)
			return rc < 0 ? -1 : 0;
	}
	return -1;
}

/*
 * POST /committees/new (multipart or urlencoded: the fields above, an
 * optional photo): 303 to the committee's page (pending), mailed to the
 * creator; 422 with the form as typed and the messages at their fields
 * (the name taken, also by a simultaneous request); 403 unconfirmed;
 * 409 an open committee already; 503.
 */
int
committee_new_post(struct req *r)
{
	struct form f;
	struct image_original *o = arena_zalloc(&r->arena, sizeof(*o));
	PGresult *communes = NULL;
	const char *html, *media, *slug = NULL;
	char base[SLUG_MAX + 1];
	int rc;

	if ((rc = creation_refused(r, 409)))
		return rc;
	form_init(&f, r, committee_fields);
	form_also(&f, slug_field);
	if (form_take(&f, &communes, o, &html) < 0)
		return unavailable(r);
	slugify(form_get(&f, "name"), base);
	if (!f.errors && !*base)
		form_error(&f, "name", "Le nom doit contenir des lettres ou "
		    "des chiffres.");
	if (f.errors)
		return form_page(&f, NULL, 0, communes, NULL, 422);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(media = photo_store(r, o, form_get(&f, "name"))) ||
	    (rc = committee_insert(&f, html, media, &slug)) < 0 ||
	    (rc == 1 && (mail_created(r, form_get(&f, "name"), slug) < 0 ||
	    db_commit(&r->app->db) < 0))) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	if (rc == 0) {
		db_rollback(&r->app->db);
		return form_page(&f, NULL, 0, communes, NULL, 422);
	}
	flash_set(r, "Votre comité est créé. Il sera visible de tous dès "
	    "qu'un administrateur l'aura validé.");
	return resp_redirect(r, arena_printf(&r->arena, "/committees/%s",
	    slug));
}

/* ---- edit ----------------------------------------------------------- */

/* The committee of the route that r->user may manage, into c; 0, or the
 * status to answer (404 not visible, 403 not a host, 503). */
/* The stored committee into the form; its photo as HTML. */
static const char *
form_load(struct form *f, const PGresult *res)
{
	static const struct { const char *name; int col; } cols[] = {
		{ "name", CMF_NAME }, { "description", CMF_DESCRIPTION },
		{ "street", CMF_STREET }, { "postal_code", CMF_POSTAL_CODE },
		{ "country", CMF_COUNTRY }, { "city_code", CMF_CITY_CODE },
		{ "city_name", CMF_CITY_NAME }, { "website_url", CMF_WEBSITE },
		{ "facebook_url", CMF_FACEBOOK },
		{ "twitter_handle", CMF_TWITTER },
	};
	struct media_ref m;

	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		form_set(f, cols[i].name, db_str(res, 0, cols[i].col));
	media_ref_read(&m, res, 0, CMF_MEDIA);
	return media_html(f->r, &m, "thumb", "10rem", 0);
}

/*
 * GET and POST /committees/{slug}/manage/edit (logged in): the committee's
 * form. The name is locked once approved, except for admins: a forged
 * name is ignored (here, and by STMT_COMMITTEE_UPDATE). POST: 303 to the
 * page; 422; 403 not a host; 404; 503.
 */
int
committee_edit(struct req *r)
{
	struct committee c;
	struct form f;
	struct image_original *o = arena_zalloc(&r->arena, sizeof(*o));
	PGresult *res, *communes = NULL;
	const char *html, *media, *photo, *p[14];
	int rc, locked;

	if ((rc = committee_managed(r, &c)))
		return rc;
	if (!(res = q(r, STMT_COMMITTEE_FORM, c.id_str)) || !PQntuples(res))
		return unavailable(r);
	/* Locked: the posted table leaves the name out (committee_fields
	 * starts with it), so a forged one is never even read. */
	locked = !strcmp(c.status, "approved") && !c.admin;
	form_init(&f, r, committee_fields + (locked ? 1 : 0));
	if (locked)
		form_also(&f, stored_name);
	photo = form_load(&f, res);
	if (r->method == HTTP_GET)
		return form_page(&f, &c, locked, NULL, photo, 200);
	if (form_take(&f, &communes, o, &html) < 0)
		return unavailable(r);
	if (f.errors)
		return form_page(&f, &c, locked, communes, photo, 422);
	committee_params(&f, p, html, "");
	p[0] = c.id_str;
	p[13] = c.admin ? "true" : "false";
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(media = photo_store(r, o, form_get(&f, "name"))))
		goto fail;
	p[9] = media;
	if (!(res = db_exec_array(&r->app->db, &r->arena,
	    STMT_COMMITTEE_UPDATE, 14, p))) {
		if (!db_unique_violation(&r->app->db))
			goto fail;
		db_rollback(&r->app->db);
		form_error(&f, "name", "Un comité porte déjà ce nom (les "
		    "accents et les majuscules ne comptent pas).");
		return form_page(&f, &c, locked, communes, photo, 422);
	}
	if ((c.admin && audit(r, "committee.update", "committee", c.id,
	    form_get(&f, "name")) < 0) || db_commit(&r->app->db) < 0)
		goto fail;
	flash_set(r, "Les informations du comité sont enregistrées.");
	return resp_redirect(r, arena_printf(&r->arena, "/committees/%s",
	    c.slug));
fail:
	db_rollback(&r->app->db);
	return unavailable(r);
}

/* ---- following ------------------------------------------------------ */

static int
wants_json(struct req *r)
{
	const char *accept = req_header(r, "HTTP_ACCEPT");

	return accept && strstr(accept, "application/json") != NULL;
}

/* The answer of a follow action: JSON {following, members}, or back to
 * the page with notice. */
static int
follow_answer(struct req *r, const struct committee *c, int following,
    long members, const char *notice)
{
	if (wants_json(r))
		return resp_json(r, 200, json_pack("{s:b, s:I, s:s}",
		    "following", following, "members", (json_int_t)members,
		    "message", notice));
	flash_set(r, notice);
	return resp_redirect(r, arena_printf(&r->arena, "/committees/%s",
	    c->slug));
}

/* A refusal: problem+json, or back to the page with the reason. */
static int
follow_refused(struct req *r, const struct committee *c, int status,
    const char *why)
{
	if (wants_json(r))
		return resp_problem(r, status, status_text(status), why);
	flash_set(r, why);
	return resp_redirect(r, arena_printf(&r->arena, "/committees/%s",
	    c->slug));
}

/* The approved committee of the route for a logged-in member, into c:
 * 0, or the status answered (anonymous: to the login page and back to
 * the committee; 404; 409 not approved; 503). */
static int
follow_target(struct req *r, struct committee *c)
{
	int rc = committee_find(r, r->params[0], c);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0)
		return wants_json(r) ? resp_problem(r, 404, status_text(404),
		    error_message(404)) : 404;
	if (!r->user) {
		if (wants_json(r))
			return resp_problem(r, 401, status_text(401),
			    "Connectez-vous pour suivre ce comité.");
		return resp_redirect(r, arena_printf(&r->arena,
		    "/login?next=/committees/%s", c->slug));
	}
	if (strcmp(c->status, "approved"))
		return follow_refused(r, c, 409, "Ce comité n'est pas encore "
		    "validé : on ne peut pas le suivre.");
	return 0;
}

/* Tell the hosts who asked for it (in the open transaction). */
static int
mail_new_follower(struct req *r, const struct committee *c)
{
	PGresult *res = q(r, STMT_COMMITTEE_FOLLOWER_WATCHERS, c->id_str);
	const char *who = short_name(r, r->user->first_name,
	    r->user->last_name);
	/* Not asked for at that moment: never to a suppressed address. */
	static const struct mail_extra x = { .category = "host" };

	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct view v;

		view_init(&v, &r->arena, 1);
		view_str(&v, "first_name", db_str(res, i, NOTIFIED_FIRST_NAME));
		view_str(&v, "follower", who);
		view_str(&v, "name", c->name);
		view_str(&v, "link", arena_printf(&r->arena,
		    "%s/committees/%s", r->cfg->base_url, c->slug));
		if (outbox_add_ex(r, db_long(res, i, NOTIFIED_ID),
		    db_str(res, i, NOTIFIED_EMAIL), arena_printf(&r->arena,
		    "Nouveau membre dans le comité « %s »", c->name),
		    "committee_follower", &v, &x) < 0)
			return -1;
	}
	return 0;
}

/*
 * POST /committees/{slug}/follow: r->user follows the committee (once,
 * whatever the number of simultaneous requests); the hosts who asked are
 * mailed. With Accept: application/json, 200 {following, members} or
 * problem+json (401, 404, 409); else 303 back to the page (anonymous: to
 * the login page). 503.
 */
int
committee_follow_post(struct req *r)
{
	struct committee c;
	PGresult *res;
	int rc;

	if ((rc = follow_target(r, &c)))
		return rc;
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(res = q(r, STMT_COMMITTEE_FOLLOW, c.id_str, r->user->id_str)))
		goto fail;
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		return follow_refused(r, &c, 404, error_message(404));
	}
	if ((db_bool(res, 0, FOLLOW_NEW) && mail_new_follower(r, &c) < 0) ||
	    db_commit(&r->app->db) < 0)
		goto fail;
	return follow_answer(r, &c, 1, db_long(res, 0, FOLLOW_MEMBERS),
	    "Vous suivez ce comité.");
fail:
	db_rollback(&r->app->db);
	return unavailable(r);
}

/*
 * POST /committees/{slug}/unfollow: r->user leaves the committee, unless
 * they are its supervisor, or its last host (STMT_COMMITTEE_UNFOLLOW
 * decides, in one statement). JSON or redirect as for follow; a refusal
 * is a 409 that says why. 503.
 */
int
committee_unfollow_post(struct req *r)
{
	struct committee c;
	PGresult *res, *count;
	int rc;

	if ((rc = follow_target(r, &c)))
		return rc;
	if (!(res = q(r, STMT_COMMITTEE_UNFOLLOW, c.id_str, r->user->id_str)) ||
	    !(count = q(r, STMT_COMMITTEE_MEMBER_COUNT, c.id_str)))
		return unavailable(r);
	if (PQntuples(res) == 0 && c.role == CR_SUPERVISOR)
		return follow_refused(r, &c, 409, "Vous êtes le responsable de "
		    "ce comité : vous ne pouvez pas cesser de le suivre.");
	if (PQntuples(res) == 0 && c.role == CR_HOST)
		return follow_refused(r, &c, 409, "Vous êtes le dernier "
		    "animateur de ce comité : il ne peut pas rester sans "
		    "animateur. Un autre co-animateur doit être nommé avant "
		    "que vous ne le quittiez.");
	return follow_answer(r, &c, 0, db_long(count, 0, VALUE),
	    "Vous ne suivez plus ce comité.");
}

/*
 * POST /committees/{slug}/preferences (notify_messages, notify_events,
 * and for hosts notify_followers: checkboxes): a member's opt-ins. 303
 * back to the page (with a notice; 409 in JSON when not a member); 404;
 * 503.
 */
int
committee_preferences_post(struct req *r)
{
	struct committee c;
	PGresult *res;
	int rc;

	if ((rc = follow_target(r, &c)))
		return rc;
	res = q(r, STMT_COMMITTEE_PREFS_SET, c.id_str, r->user->id_str,
	    req_form(r, "notify_messages") ? "true" : "false",
	    req_form(r, "notify_events") ? "true" : "false",
	    req_form(r, "notify_followers") ? "true" : "false");
	if (!res)
		return unavailable(r);
	if (PQntuples(res) == 0)
		return follow_refused(r, &c, 409, "Suivez ce comité pour "
		    "choisir ce que vous en recevez.");
	if (wants_json(r))
		return resp_json(r, 200, json_pack("{s:b}", "saved", 1));
	flash_set(r, "Vos préférences sont enregistrées.");
	return resp_redirect(r, arena_printf(&r->arena, "/committees/%s",
	    c.slug));
}
