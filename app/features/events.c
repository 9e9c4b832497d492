/*
 * events: creating, editing and cancelling an event.
 *
 * A committee's event is created by its hosts and supervisor (and
 * admins) once the committee is approved (/committees/{slug}/events/new);
 * a national one by an admin (/admin/events/new). Its organiser, the
 * committee's hosts and admins edit and cancel it (event_can_manage).
 *
 * Times are typed as wall-clock times of the place and stored as
 * instants, converted by PostgreSQL in the event's zone: France's from
 * the postal code (france_time_zone), abroad and online the zone chosen.
 * A change of time or place raises the event's SEQUENCE (trigger of
 * sql/003) and mails everyone registered or waiting the new calendar;
 * a raised capacity fills seats from the waiting list (event_fill); a
 * cancellation mails them the organiser's message and a METHOD:CANCEL.
 * Every mail commits with the change that causes it.
 */
#include "../core/common.h"
#include "../core/valid.h"
#include "admin.h"
#include "event_pages.h"
#include "features.h"

#define EVENT_DESCRIPTION_MAX 10000
#define EVENT_CAPACITY_MAX 1000000L

static const char *const event_modes[] = { "place", "online", NULL };

static int
valid_capacity(const char *in, char *out, size_t outsz)
{
	long n;

	if (parse_long(in, 1, EVENT_CAPACITY_MAX, &n) < 0)
		return VALID_INVALID;
	snprintf(out, outsz, "%ld", n);
	return VALID_OK;
}

static const struct form_field event_fields[] = {
	{ "name", F_REQUIRED, 5, 100, .msg = {
	    [VALID_MISSING] = "Donnez un nom à l'événement.",
	    [VALID_TOO_SHORT] = "Le nom doit comporter entre 5 et 100 "
		"caractères.",
	    [VALID_TOO_LONG] = "Le nom doit comporter entre 5 et 100 "
		"caractères." } },
	{ "category", F_REQUIRED, .max = 20, .valid = valid_id, .msg = {
	    [VALID_MISSING] = "Choisissez une catégorie.",
	    [VALID_INVALID] = "Choisissez une catégorie de la liste." } },
	{ "description", F_REQUIRED | F_MULTILINE, 10, EVENT_DESCRIPTION_MAX,
	    .msg = {
	    [VALID_MISSING] = "Décrivez l'événement.",
	    [VALID_TOO_SHORT] = "La description doit comporter au moins 10 "
		"caractères.",
	    [VALID_TOO_LONG] = "La description doit comporter au plus 10 000 "
		"caractères." } },
	{ "begins_at", F_REQUIRED, .max = 19, .valid = valid_local_datetime,
	    .msg = {
	    [VALID_MISSING] = "Indiquez la date et l'heure de début.",
	    [VALID_INVALID] = "Cette date n'est pas valide (AAAA-MM-JJ HH:MM)." } },
	{ "finishes_at", F_REQUIRED, .max = 19, .valid = valid_local_datetime,
	    .msg = {
	    [VALID_MISSING] = "Indiquez la date et l'heure de fin.",
	    [VALID_INVALID] = "Cette date n'est pas valide (AAAA-MM-JJ HH:MM)." } },
	{ "mode", F_REQUIRED, .choices = event_modes, .initial = "place",
	    .msg = {
	    [VALID_MISSING] = "Indiquez si l'événement a lieu en ligne.",
	    [VALID_INVALID] = "Indiquez si l'événement a lieu en ligne." } },
	{ "online_url", 0, .max = 500, .valid = valid_web_url, .msg = {
	    [VALID_TOO_LONG] = "Le lien doit comporter au plus 500 caractères.",
	    [VALID_INVALID] = "Indiquez un lien commençant par http:// ou "
		"https://." } },
	/* The address block (views/address_fields.html), street optional. */
	ADDRESS_FIELDS(0, 0),
	{ "capacity", 0, .max = 7, .valid = valid_capacity, .msg = {
	    [VALID_TOO_LONG] = "Indiquez un nombre de places entre 1 et "
		"1 000 000.",
	    [VALID_INVALID] = "Indiquez un nombre de places entre 1 et "
		"1 000 000." } },
	{ "time_zone", 0, .max = 64, .initial = "Europe/Paris" },
	{ NULL }
};

/* "YYYY-MM-DDTHH:MM:SS" of a valid_local_datetime value, comparable. */
static void
local_key(const char *in, char out[20])
{
	snprintf(out, 20, "%.10sT%.5s%s", in, in + 11, strlen(in) > 16 ?
	    in + 16 : ":00");
}

/* The zone <option>s, zone selected. */
static const char *
zone_options(struct req *r, const char *zone)
{
	struct buf b;
	const char *out;

	buf_init(&b, 64 * 1024);
	for (const struct event_zone *z = event_zones; z->zone; z++)
		buf_printf(&b, "<option value=\"%s\"%s>%s (%s)</option>",
		    z->zone, strcmp(z->zone, zone) ? "" : " selected",
		    html_text(r, z->place), z->zone);
	out = arena_strndup(&r->arena, b.data, b.len);
	buf_release(&b);
	return out;
}

/* More checks than the table's: the dates, the place, the category,
 * the zone (set to the place's). 0, or -1 (PostgreSQL). */
static int
event_check(struct form *f)
{
	struct req *r = f->r;
	const char *country = form_get(f, "country");
	PGresult *communes, *res;
	char k1[20], k2[20];
	int known = 0;

	if (!form_has_error(f, "begins_at") && !form_has_error(f,
	    "finishes_at") && *form_get(f, "begins_at") &&
	    *form_get(f, "finishes_at")) {
		local_key(form_get(f, "begins_at"), k1);
		local_key(form_get(f, "finishes_at"), k2);
		if (strcmp(k2, k1) <= 0)
			form_error(f, "finishes_at", "La date de fin doit être "
			    "postérieure à la date de début.");
	}
	if (*form_get(f, "category") && !form_has_error(f, "category")) {
		if (!(res = q(r, STMT_EVENT_CATEGORY_OPTIONS)))
			return -1;
		if (!option_exists(res, form_get(f, "category")))
			form_error(f, "category", "Choisissez une catégorie de "
			    "la liste.");
	}
	if (!strcmp(form_get(f, "mode"), "online")) {
		if (!*form_get(f, "online_url"))
			form_error(f, "online_url", "Indiquez le lien de "
			    "l'événement en ligne.");
		country = "";
	} else if (!strcmp(form_get(f, "mode"), "place")) {
		form_set(f, "online_url", "");
		if (!*country)
			form_error(f, "country", "Veuillez choisir un pays.");
		else if (address_check(f, &communes) < 0)
			return -1;
	}
	/* The zone: France's from the postal code, else the one chosen. */
	for (const struct event_zone *z = event_zones; z->zone; z++)
		known |= !strcmp(z->zone, form_get(f, "time_zone"));
	if (strcmp(country, "FR") && known && !(res = q(r,
	    STMT_EVENT_ZONE_KNOWN, form_get(f, "time_zone"))))
		return -1;
	if (strcmp(country, "FR") && (!known || !db_bool(res, 0, VALUE)))
		form_error(f, "time_zone", "Choisissez le fuseau horaire du "
		    "lieu dans la liste.");
	if (!strcmp(country, "FR") && !form_has_error(f, "postal_code")) {
		if (!(res = q(r, STMT_EVENT_ZONE_OF, "FR",
		    form_get(f, "postal_code"), "")))
			return -1;
		form_set(f, "time_zone", db_str(res, 0, VALUE));
	}
	return 0;
}

/* The form page: the categories, zones and the address block. */
static int
event_form_page(struct form *f, const char *heading, const char *action,
    const char *back, int status)
{
	struct req *r = f->r;
	PGresult *cats = q(r, STMT_EVENT_CATEGORY_OPTIONS);

	if (!cats || address_view(f, NULL) < 0)
		return unavailable(r);
	view_raw_html_already_safe(&f->v, "category_options",
	    options_html(r, cats, form_get(f, "category"),
	    "Choisissez une catégorie"));
	view_raw_html_already_safe(&f->v, "zone_options", zone_options(r,
	    form_get(f, "time_zone")));
	view_str(&f->v, "heading", heading);
	view_str(&f->v, "action", action);
	view_str(&f->v, "back", back);
	view_int(&f->v, "online", !strcmp(form_get(f, "mode"), "online"));
	return form_render(f, status, "event_form", heading);
}

/* The description's HTML, or NULL. */
static const char *
description_html(struct req *r, const struct form *f)
{
	return render_body(r, form_get(f, "description"));
}

/* "Camille M.": a national event's organiser (the last name's first
 * character, whole in UTF-8). */
static const char *
person_name(struct req *r)
{
	unsigned char c = (unsigned char)r->user->last_name[0];
	int n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

	return arena_printf(&r->arena, "%s %.*s.", r->user->first_name, n,
	    r->user->last_name);
}

/*
 * Insert the event of f: a slug from its date and name, free (the
 * creations of one base slug take turns; a collision with a slug of
 * another base is tried again). The new slug, or NULL (503).
 */
static const char *
event_insert(struct form *f, const char *committee_id,
    const char *organizer_name)
{
	struct req *r = f->r;
	const char *html = description_html(r, f), *slug;
	char name[SLUG_MAX + 1], base[SLUG_MAX + 1];
	int online = !strcmp(form_get(f, "mode"), "online");
	PGresult *res;

	if (!html)
		return NULL;
	slugify(form_get(f, "name"), name);
	snprintf(base, sizeof(base), "%.10s-%.60s", form_get(f, "begins_at"),
	    name);
	while (strlen(base) && base[strlen(base) - 1] == '-')
		base[strlen(base) - 1] = '\0';
	for (int tries = 0; tries < 3; tries++) {
		/* The lock first: the free slug is read after it (a new
		 * snapshot), so simultaneous creations never pick the same. */
		if (db_begin(&r->app->db) < 0 ||
		    !q(r, STMT_EVENT_SLUG_LOCK, base) ||
		    !(res = q(r, STMT_EVENT_SLUG_FREE, base))) {
			db_rollback(&r->app->db);
			return NULL;
		}
		slug = db_str(res, 0, VALUE);
		{
			const char *p[] = { slug, committee_id, r->user->id_str,
			    organizer_name, form_get(f, "category"),
			    form_get(f, "name"), form_get(f, "description"),
			    html, form_get(f, "begins_at"),
			    form_get(f, "finishes_at"), form_get(f,
			    "time_zone"), form_get(f, "online_url"),
			    online ? "" : form_get(f, "street"),
			    online ? "" : form_get(f, "postal_code"),
			    online ? "" : form_get(f, "country"),
			    online ? "" : form_get(f, "city_code"),
			    online ? "" : form_get(f, "city_name"),
			    form_get(f, "capacity") };

			res = db_exec_array(&r->app->db, &r->arena,
			    STMT_EVENT_INSERT, (int)ARRAY_SIZE(p), p);
		}
		if (!res && db_unique_violation(&r->app->db)) {
			db_rollback(&r->app->db);
			continue;
		}
		if (!res || (!strcmp(committee_id, "0") && audit(r,
		    "event.create", "event", db_long(res, 0, RETURNING_ID),
		    form_get(f, "name")) < 0) || db_commit(&r->app->db) < 0) {
			db_rollback(&r->app->db);
			return NULL;
		}
		return slug;
	}
	return NULL;
}

/* The committee of the route ({slug}) whose events r->user may create:
 * 0; 404 (not visible or not approved); 403; 503. */
static int
event_committee(struct req *r, struct committee *c)
{
	int rc = committee_find(r, r->params[0], c);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0 || strcmp(c->status, "approved"))
		return 404;
	return committee_can_manage(c) ? 0 : 403;
}

/* GET and POST of a new event, for committee c (NULL: national). */
static int
event_new(struct req *r, const struct committee *c, const char *action,
    const char *back)
{
	struct form f;
	const char *slug;

	form_init(&f, r, event_fields);
	if (r->method == HTTP_GET)
		return event_form_page(&f, "Nouvel événement", action, back,
		    200);
	form_read(&f);
	if (event_check(&f) < 0)
		return unavailable(r);
	if (f.errors)
		return event_form_page(&f, "Nouvel événement", action, back,
		    422);
	if (!(slug = event_insert(&f, c ? c->id_str : "0", c ? c->name :
	    person_name(r))))
		return unavailable(r);
	return resp_redirect(r, arena_printf(&r->arena, "/events/%s", slug));
}

/*
 * GET/POST /committees/{slug}/events/new (logged in): hosts and the
 * supervisor of an approved committee, and admins. GET 200 the form;
 * POST the fields of event_fields: 303 to the new event, 422 with the
 * form as typed. 403 for another member; 404 for a committee not
 * visible or not approved; 503.
 */
int
committee_event_new(struct req *r)
{
	struct committee c;
	int rc = event_committee(r, &c);

	if (rc)
		return rc == 503 ? rc : render_error(r, rc, NULL);
	return event_new(r, &c, arena_printf(&r->arena,
	    "/committees/%s/events/new", c.slug), arena_printf(&r->arena,
	    "/committees/%s", c.slug));
}

/* GET/POST /admin/events/new (admins): a national event; as above. */
int
admin_event_new(struct req *r)
{
	return event_new(r, NULL, "/admin/events/new", "/admin/events");
}

/* The event of the route that r->user manages, scheduled and not over:
 * 0; 403; 404; 409 (cancelled or finished: the page says so); 503. */
static int
managed_event(struct req *r, struct event *e)
{
	int rc = event_find(r, r->params[0], e);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0)
		return render_error(r, 404, NULL);
	if (!event_can_manage(e))
		return render_error(r, 403, NULL);
	if (strcmp(e->status, "scheduled") || e->past)
		return message_page(r, 409, "Événement clos", !strcmp(e->status,
		    "scheduled") ? "Cet événement est terminé : il ne peut "
		    "plus être modifié." : "Cet événement est annulé : il ne "
		    "peut plus être modifié.", arena_printf(&r->arena,
		    "/events/%s", e->slug), "Voir l'événement");
	return 0;
}

/* Mail everyone registered or waiting (kind), in the open transaction.
 * 0, or -1. */
static int
mail_everyone(struct req *r, const char *event_id, enum event_mail kind)
{
	PGresult *card, *people;

	if (!(card = q(r, STMT_EVENT_CARD, event_id)) ||
	    PQntuples(card) != 1 || !(people = q(r, STMT_EVENT_PEOPLE,
	    event_id)))
		return -1;
	for (int i = 0; i < PQntuples(people); i++)
		if (event_mail_send(r, card, kind, people, i, NULL) < 0)
			return -1;
	return 0;
}

/* Save f over event e under its row lock: 0 done; 422 (the capacity
 * is below the seats taken: marked); -1 (PostgreSQL). */
static int
event_save(struct form *f, const struct event *e)
{
	struct req *r = f->r;
	const char *html = description_html(r, f);
	int online = !strcmp(form_get(f, "mode"), "online");
	PGresult *lock, *res, *filled;
	long cap = *form_get(f, "capacity") ? strtol(form_get(f, "capacity"),
	    NULL, 10) : 0;

	if (!html || db_begin(&r->app->db) < 0 ||
	    !(lock = q(r, STMT_EVENT_LOCK, e->id_str)) ||
	    PQntuples(lock) != 1)
		goto fail;
	if (cap && cap < db_long(lock, 0, EL_REGISTERED)) {
		db_rollback(&r->app->db);
		form_error(f, "capacity", arena_printf(&r->arena, "%ld "
		    "personnes sont déjà inscrites : la capacité ne peut pas "
		    "être inférieure.", db_long(lock, 0, EL_REGISTERED)));
		return 422;
	}
	if (!(res = q(r, STMT_EVENT_UPDATE, e->id_str, form_get(f,
	    "category"), form_get(f, "name"), form_get(f, "description"),
	    html, form_get(f, "begins_at"), form_get(f, "finishes_at"),
	    form_get(f, "time_zone"), form_get(f, "online_url"),
	    online ? "" : form_get(f, "street"),
	    online ? "" : form_get(f, "postal_code"),
	    online ? "" : form_get(f, "country"),
	    online ? "" : form_get(f, "city_code"),
	    online ? "" : form_get(f, "city_name"), form_get(f, "capacity"))) ||
	    PQntuples(res) != 1)
		goto fail;
	if (db_long(res, 0, ES_SEQUENCE) != db_long(lock, 0, EL_SEQUENCE) &&
	    mail_everyone(r, e->id_str, EM_UPDATED) < 0)
		goto fail;
	if (!(filled = q(r, STMT_EVENT_FILL, e->id_str)) ||
	    event_mail_promoted(r, e->id_str, filled, RETURNING_ID, -1) < 0)
		goto fail;
	if ((e->admin && !e->organizer && e->role < CR_HOST && audit(r,
	    "event.update", "event", e->id, form_get(f, "name")) < 0) ||
	    db_commit(&r->app->db) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(&r->app->db);
	return -1;
}

/*
 * GET/POST /events/{slug}/edit (logged in): those who manage the event.
 * GET 200 the form with the event's values; POST the fields: 303 to the
 * event (the registered mailed when the time or the place moved, the
 * promoted when seats opened), 422 as typed. 403; 404; 409 for a
 * cancelled or finished event; 503.
 */
int
event_edit(struct req *r)
{
	struct event e;
	struct form f;
	PGresult *row;
	const char *action, *back;
	int rc;

	if ((rc = managed_event(r, &e)))
		return rc;
	action = arena_printf(&r->arena, "/events/%s/edit", e.slug);
	back = arena_printf(&r->arena, "/events/%s", e.slug);
	form_init(&f, r, event_fields);
	if (r->method == HTTP_GET) {
		if (!(row = q(r, STMT_EVENT_FORM, e.id_str)) ||
		    PQntuples(row) != 1)
			return unavailable(r);
		for (size_t i = 0; i < f.nread; i++)
			form_set(&f, f.fields[i]->name, db_str(row, 0,
			    EF_ID + 1 + (int)i));
		return event_form_page(&f, "Modifier l'événement", action,
		    back, 200);
	}
	form_read(&f);
	if (event_check(&f) < 0)
		return unavailable(r);
	if (!f.errors && (rc = event_save(&f, &e)) < 0)
		return unavailable(r);
	if (f.errors)
		return event_form_page(&f, "Modifier l'événement", action,
		    back, 422);
	return resp_redirect(r, back);
}

static const struct form_field cancel_fields[] = {
	{ "message", F_MULTILINE, .max = 2000, .msg = {
	    [VALID_TOO_LONG] = "Le message doit comporter au plus 2 000 "
		"caractères." } },
	{ NULL }
};

/*
 * GET/POST /events/{slug}/cancel (logged in): those who manage the
 * event. GET 200 the confirmation with a message for the registered;
 * POST message: 303 to the event, cancelled, everyone registered or
 * waiting mailed (with a METHOD:CANCEL calendar). 403; 404; 409; 422;
 * 503.
 */
int
event_cancel(struct req *r)
{
	struct event e;
	struct form f;
	PGresult *res;
	int rc;

	if ((rc = managed_event(r, &e)))
		return rc;
	form_init(&f, r, cancel_fields);
	view_str(&f.v, "name", e.name);
	view_str(&f.v, "slug", e.slug);
	if (r->method == HTTP_GET)
		return form_render(&f, 200, "event_cancel", "Annuler "
		    "l'événement");
	if (form_read(&f))
		return form_render(&f, 422, "event_cancel", "Annuler "
		    "l'événement");
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_EVENT_CANCEL,
	    e.id_str, form_get(&f, "message"))))
		goto fail;
	if (PQntuples(res) == 1 && (mail_everyone(r, e.id_str,
	    EM_CANCELLED) < 0 || (e.admin && !e.organizer && e.role < CR_HOST &&
	    audit(r, "event.cancel", "event", e.id, e.name) < 0)))
		goto fail;
	if (db_commit(&r->app->db) < 0)
		goto fail;
	return resp_redirect(r, arena_printf(&r->arena, "/events/%s", e.slug));
fail:
	db_rollback(&r->app->db);
	return unavailable(r);
}
