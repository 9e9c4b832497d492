/*
 * missions: the managers' editor of an organisation's missions.
 *
 *	GET|POST /organisations/{slug}/missions/new   a new draft
 *	GET      /organisations/{slug}/missions       the organisation's list
 *	GET|POST /missions/{slug}/edit                the mission, its places
 *	                                              and its time slots
 *
 * Only a manager of *that* organisation (VS_MANAGER, volunteer.h) writes;
 * referents of its département and admins read the list. A mission is
 * on site (an address block, plus other postal codes) or remote, one-off
 * (start and end) or recurring (a start, an optional end, hours a week),
 * with places, a minimum age, up to three prerequisites and up to
 * SLOT_ROWS time slots per save, each with its capacity. A save is one
 * transaction; what PostgreSQL refuses (places or a capacity below what
 * applications took, a slot of another mission) comes back as a 422 at
 * its field.
 */
#include "../core/common.h"
#include "../core/valid.h"
#include "admin.h"
#include "features.h"
#include "missions.h"

#define SLOT_ROWS 5
#define OTHER_PLACES_MAX 5

static const char *const mis_modes[] = { "place", "remote", NULL };
static const char *const mis_kinds[] = { "one_off", "recurring", NULL };

static int
valid_bounded(const char *in, long lo, long hi, char *out, size_t outsz)
{
	long n;

	if (!in || !*in)
		return VALID_MISSING;
	if (parse_long(in, lo, hi, &n) < 0)
		return VALID_INVALID;
	snprintf(out, outsz, "%ld", n);
	return VALID_OK;
}

static int
valid_places(const char *in, char *out, size_t outsz)
{
	return valid_bounded(in, 1, 10000, out, outsz);
}

static int
valid_hours(const char *in, char *out, size_t outsz)
{
	return valid_bounded(in, 1, 60, out, outsz);
}

static int
valid_age(const char *in, char *out, size_t outsz)
{
	return valid_bounded(in, 0, 99, out, outsz);
}

#define PREREQ_FIELD(name) \
	{ name, 0, .max = 100, .msg = { \
	    [VALID_TOO_LONG] = "Un prérequis doit comporter au plus 100 " \
		"caractères." } }
#define SLOT_FIELDS(n) \
	{ "slot_" #n "_id", 0, .max = 18, .valid = valid_id, .msg = { \
	    [VALID_INVALID] = "Ce créneau n'existe pas." } }, \
	{ "slot_" #n "_starts", 0, .max = 19, .valid = valid_local_datetime, \
	    .msg = { [VALID_INVALID] = "Cette date n'est pas valide " \
		"(AAAA-MM-JJ HH:MM)." } }, \
	{ "slot_" #n "_ends", 0, .max = 19, .valid = valid_local_datetime, \
	    .msg = { [VALID_INVALID] = "Cette date n'est pas valide " \
		"(AAAA-MM-JJ HH:MM)." } }, \
	{ "slot_" #n "_capacity", 0, .max = 5, .valid = valid_places, \
	    .msg = { [VALID_INVALID] = "Indiquez un nombre de places entre 1 " \
		"et 10 000.", [VALID_TOO_LONG] = "Indiquez un nombre de " \
		"places entre 1 et 10 000." } }, \
	{ "slot_" #n "_delete", F_CHECKBOX }

static const struct form_field mission_fields[] = {
	{ "title", F_REQUIRED, 5, 120, .msg = {
	    [VALID_MISSING] = "Donnez un titre à la mission.",
	    [VALID_TOO_SHORT] = "Le titre doit comporter entre 5 et 120 "
		"caractères.",
	    [VALID_TOO_LONG] = "Le titre doit comporter entre 5 et 120 "
		"caractères." } },
	{ "domain", F_REQUIRED, .max = 3, .valid = valid_id, .msg = {
	    [VALID_MISSING] = "Choisissez un domaine.",
	    [VALID_TOO_LONG] = "Choisissez un domaine de la liste.",
	    [VALID_INVALID] = "Choisissez un domaine de la liste." } },
	{ "description", F_REQUIRED | F_MULTILINE, 20, 10000, .msg = {
	    [VALID_MISSING] = "Décrivez la mission.",
	    [VALID_TOO_SHORT] = "La description doit comporter au moins 20 "
		"caractères.",
	    [VALID_TOO_LONG] = "La description doit comporter au plus "
		"10 000 caractères." } },
	{ "mode", F_REQUIRED, .choices = mis_modes, .initial = "place",
	    .msg = {
	    [VALID_MISSING] = "Indiquez si la mission a lieu sur place ou à "
		"distance.",
	    [VALID_INVALID] = "Indiquez si la mission a lieu sur place ou à "
		"distance." } },
	ADDRESS_FIELDS(0, 0),
	{ "other_places", 0, .max = 100, .msg = {
	    [VALID_TOO_LONG] = "Indiquez au plus 5 codes postaux." } },
	{ "date_kind", F_REQUIRED, .choices = mis_kinds, .initial = "one_off",
	    .msg = {
	    [VALID_MISSING] = "Indiquez si la mission est ponctuelle ou "
		"récurrente.",
	    [VALID_INVALID] = "Indiquez si la mission est ponctuelle ou "
		"récurrente." } },
	{ "starts_at", F_REQUIRED, .max = 19, .valid = valid_local_datetime,
	    .msg = {
	    [VALID_MISSING] = "Indiquez la date de début.",
	    [VALID_INVALID] = "Cette date n'est pas valide (AAAA-MM-JJ HH:MM)." } },
	{ "ends_at", 0, .max = 19, .valid = valid_local_datetime, .msg = {
	    [VALID_INVALID] = "Cette date n'est pas valide (AAAA-MM-JJ HH:MM)." } },
	{ "hours_per_week", 0, .max = 2, .valid = valid_hours, .msg = {
	    [VALID_TOO_LONG] = "Indiquez un nombre d'heures entre 1 et 60.",
	    [VALID_INVALID] = "Indiquez un nombre d'heures entre 1 et 60." } },
	{ "places", F_REQUIRED, .max = 5, .valid = valid_places, .initial = "1",
	    .msg = {
	    [VALID_MISSING] = "Indiquez le nombre de bénévoles recherchés.",
	    [VALID_TOO_LONG] = "Indiquez un nombre de places entre 1 et "
		"10 000.",
	    [VALID_INVALID] = "Indiquez un nombre de places entre 1 et "
		"10 000." } },
	{ "min_age", F_REQUIRED, .max = 2, .valid = valid_age, .initial = "16",
	    .msg = {
	    [VALID_MISSING] = "Indiquez l'âge minimum.",
	    [VALID_TOO_LONG] = "Indiquez un âge entre 0 et 99 ans.",
	    [VALID_INVALID] = "Indiquez un âge entre 0 et 99 ans." } },
	PREREQ_FIELD("prereq_1"), PREREQ_FIELD("prereq_2"),
	PREREQ_FIELD("prereq_3"),
	SLOT_FIELDS(1), SLOT_FIELDS(2), SLOT_FIELDS(3), SLOT_FIELDS(4),
	SLOT_FIELDS(5),
	{ NULL }
};

/* A place besides the first: a postal code's first commune. */
struct other_place {
	const char *postal, *insee, *city;
};

struct mission_form {
	struct form f;
	struct other_place other[OTHER_PLACES_MAX];
	int nother;
};

static const char *
slot_field(struct req *r, int n, const char *what)
{
	return arena_printf(&r->arena, "slot_%d_%s", n, what);
}

/* The dates: an end after the start; one-off: an end; recurring: hours. */
static void
dates_check(struct form *f)
{
	const char *s = form_get(f, "starts_at"), *e = form_get(f, "ends_at");
	int recurring = !strcmp(form_get(f, "date_kind"), "recurring");

	if (!recurring && !*e && !form_has_error(f, "ends_at"))
		form_error(f, "ends_at", "Indiquez la date de fin d'une "
		    "mission ponctuelle.");
	if (recurring && !*form_get(f, "hours_per_week") &&
	    !form_has_error(f, "hours_per_week"))
		form_error(f, "hours_per_week", "Indiquez l'engagement "
		    "hebdomadaire, en heures.");
	if (!recurring)
		form_set(f, "hours_per_week", "");
	if (*s && *e && !form_has_error(f, "starts_at") &&
	    !form_has_error(f, "ends_at") && strcmp(e, s) <= 0)
		form_error(f, "ends_at", "La date de fin doit être postérieure "
		    "à la date de début.");
}

/* Each slot row: all three values or none; the end after the start. */
static void
slots_check(struct form *f)
{
	struct req *r = f->r;

	for (int n = 1; n <= SLOT_ROWS; n++) {
		const char *s = form_get(f, slot_field(r, n, "starts"));
		const char *e = form_get(f, slot_field(r, n, "ends"));
		const char *c = form_get(f, slot_field(r, n, "capacity"));
		const char *id = form_get(f, slot_field(r, n, "id"));

		if (*form_get(f, slot_field(r, n, "delete")) && *id)
			continue;
		if (!*s && !*e && !*c && !*id)
			continue;
		if (!*s && !form_has_error(f, slot_field(r, n, "starts")))
			form_error(f, slot_field(r, n, "starts"), "Indiquez le "
			    "début du créneau.");
		if (!*e && !form_has_error(f, slot_field(r, n, "ends")))
			form_error(f, slot_field(r, n, "ends"), "Indiquez la fin "
			    "du créneau.");
		if (!*c && !form_has_error(f, slot_field(r, n, "capacity")))
			form_error(f, slot_field(r, n, "capacity"), "Indiquez le "
			    "nombre de places du créneau.");
		if (*s && *e && strcmp(e, s) <= 0 && !form_has_error(f,
		    slot_field(r, n, "ends")))
			form_error(f, slot_field(r, n, "ends"), "La fin du "
			    "créneau doit être postérieure à son début.");
	}
}

/* "69002, 69003": each a French postal code, its first commune. */
static int
other_places_check(struct mission_form *mf)
{
	struct form *f = &mf->f;
	struct req *r = f->r;
	char *list = arena_strdup(&r->arena, form_get(f, "other_places"));
	char *save = NULL, norm[8];
	PGresult *res;

	mf->nother = 0;
	for (char *t = strtok_r(list, " ,;", &save); t;
	    t = strtok_r(NULL, " ,;", &save)) {
		if (mf->nother == OTHER_PLACES_MAX) {
			form_error(f, "other_places", "Indiquez au plus 5 "
			    "codes postaux.");
			return 0;
		}
		if (valid_postal_code_fr(t, norm, sizeof(norm)) != VALID_OK) {
			form_error(f, "other_places", arena_printf(&r->arena,
			    "« %s » n'est pas un code postal français valide.",
			    t));
			return 0;
		}
		if (!(res = q(r, STMT_COMMUNES_BY_POSTAL, norm)))
			return -1;
		if (PQntuples(res) == 0) {
			form_error(f, "other_places", arena_printf(&r->arena,
			    "Aucune commune n'a le code postal %s.", norm));
			return 0;
		}
		mf->other[mf->nother].postal = arena_strdup(&r->arena, norm);
		mf->other[mf->nother].insee = db_str(res, 0, COMMUNE_INSEE);
		mf->other[mf->nother].city = db_str(res, 0, COMMUNE_NAME);
		mf->nother++;
	}
	return 0;
}

/* Everything the table cannot check. 0, or -1 (PostgreSQL). */
static int
mission_check(struct mission_form *mf, PGresult **communes)
{
	struct form *f = &mf->f;
	struct req *r = f->r;
	PGresult *domains;

	*communes = NULL;
	dates_check(f);
	slots_check(f);
	if (*form_get(f, "domain") && !form_has_error(f, "domain")) {
		if (!(domains = q(r, STMT_MIS_DOMAIN_OPTIONS)))
			return -1;
		if (!option_exists(domains, form_get(f, "domain")))
			form_error(f, "domain", "Choisissez un domaine de la "
			    "liste.");
	}
	if (!strcmp(form_get(f, "mode"), "remote")) {
		static const char *const clear[] = { "street", "postal_code",
		    "country", "city_code", "city_name", "other_places" };

		for (size_t i = 0; i < ARRAY_SIZE(clear); i++)
			form_set(f, clear[i], "");
		mf->nother = 0;
		return 0;
	}
	if (!*form_get(f, "country"))
		form_error(f, "country", "Veuillez choisir un pays.");
	else if (address_check(f, communes) < 0)
		return -1;
	return other_places_check(mf);
}

/* The form page. */
static int
mission_form_page(struct form *f, const char *heading, const char *action,
    const char *back, const struct vol_org *o, int status)
{
	struct req *r = f->r;
	PGresult *domains = q(r, STMT_MIS_DOMAIN_OPTIONS);
	struct view_rows rows;

	if (!domains || address_view(f, NULL) < 0)
		return unavailable(r);
	view_raw_html_already_safe(&f->v, "domain_options", options_html(r,
	    domains, form_get(f, "domain"), "Choisissez un domaine"));
	view_rows_init(&rows, &f->v);
	for (int n = 1; n <= SLOT_ROWS; n++) {
		const char *cells[] = {
		    arena_printf(&r->arena, "%d", n),
		    form_get(f, slot_field(r, n, "id")),
		    form_get(f, slot_field(r, n, "starts")),
		    form_get(f, slot_field(r, n, "ends")),
		    form_get(f, slot_field(r, n, "capacity")),
		    form_get(f, slot_field(r, n, "delete")), "", "", "" };
		const char *names[] = { "starts", "ends", "capacity" };

		for (int k = 0; k < 3; k++)
			for (size_t i = 0; i < f->n; i++)
				if (!strcmp(f->fields[i]->name, slot_field(r, n,
				    names[k])) && f->err[i])
					cells[6 + k] = f->err[i];
		view_rows_add_cells(&rows, 0, 9, cells);
	}
	view_rows_set(&f->v, "slots", &rows);
	view_str(&f->v, "heading", heading);
	view_str(&f->v, "action", action);
	view_str(&f->v, "back", back);
	view_str(&f->v, "org_name", o->name);
	view_int(&f->v, "remote", !strcmp(form_get(f, "mode"), "remote"));
	view_int(&f->v, "recurring", !strcmp(form_get(f, "date_kind"),
	    "recurring"));
	return form_render(f, status, "mission_form", heading);
}

/* A statement of the save failed: 1 when it was PostgreSQL refusing
 * a value (the transaction is rolled back, the field marked), else 0. */
static int
refused_value(struct form *f, const char *field, const char *msg)
{
	struct db *db = &f->r->app->db;

	if (strcmp(db->sqlstate, "23514") && strcmp(db->sqlstate, "23502"))
		return 0;
	db_rollback(db);
	form_error(f, field, msg);
	return 1;
}

/* The places of mission id: the address block, then the others. */
static int
places_save(struct mission_form *mf, const char *id)
{
	struct form *f = &mf->f;
	struct req *r = f->r;

	if (!q(r, STMT_MIS_PLACES_CLEAR, id))
		return -1;
	if (!strcmp(form_get(f, "mode"), "remote"))
		return 0;
	if (!q(r, STMT_MIS_PLACE_ADD, id, "1", form_get(f, "street"),
	    form_get(f, "postal_code"), form_get(f, "country"),
	    form_get(f, "city_code"), form_get(f, "city_name")))
		return -1;
	for (int i = 0; i < mf->nother; i++)
		if (!q(r, STMT_MIS_PLACE_ADD, id, arena_printf(&r->arena, "%d",
		    i + 2), "", mf->other[i].postal, "FR", mf->other[i].insee,
		    mf->other[i].city))
			return -1;
	return 0;
}

/* The slot rows of mission id: 0; 422 (a row refused: marked, the
 * transaction rolled back); -1 (PostgreSQL). */
static int
slots_save(struct form *f, const char *id)
{
	struct req *r = f->r;
	PGresult *res;

	for (int n = 1; n <= SLOT_ROWS; n++) {
		const char *sid = form_get(f, slot_field(r, n, "id"));
		const char *s = form_get(f, slot_field(r, n, "starts"));
		const char *e = form_get(f, slot_field(r, n, "ends"));
		const char *c = form_get(f, slot_field(r, n, "capacity"));
		const char *at = slot_field(r, n, "starts");

		if (*sid && *form_get(f, slot_field(r, n, "delete"))) {
			if (!(res = q(r, STMT_MIS_SLOT_DELETE, sid, id)))
				return -1;
			if (PQntuples(res) == 1)
				continue;
			db_rollback(&r->app->db);
			form_error(f, at, "Ce créneau a des candidatures : il ne "
			    "peut pas être supprimé.");
			return 422;
		}
		if (!*s)
			continue;
		if (*sid) {
			res = q(r, STMT_MIS_SLOT_UPDATE, sid, id, s, e, c);
			if (!res && refused_value(f, slot_field(r, n,
			    "capacity"), "Des candidatures occupent déjà plus "
			    "de places dans ce créneau."))
				return 422;
			if (!res)
				return -1;
			if (PQntuples(res) == 0) {
				db_rollback(&r->app->db);
				form_error(f, at, "Ce créneau n'existe pas.");
				return 422;
			}
		} else if (!q(r, STMT_MIS_SLOT_INSERT, id, s, e, c))
			return -1;
	}
	return 0;
}

/* The mission's own columns: insert (id NULL, org o) or update. The
 * mission's id and slug into *out_id, *out_slug. 0; 409 (closed
 * meanwhile); 422 (places below what is taken); -1. */
static int
mission_write(struct form *f, const struct vol_org *o, const char *id,
    const char **out_id, const char **out_slug)
{
	struct req *r = f->r;
	const char *html = render_body(r, form_get(f, "description"));
	const char *remote = strcmp(form_get(f, "mode"), "remote") ? "f" : "t";
	char base[SLUG_MAX + 1];
	PGresult *res;

	if (!html)
		return -1;
	if (id) {
		res = q(r, STMT_MIS_UPDATE, id, form_get(f, "title"),
		    form_get(f, "domain"), form_get(f, "description"), html,
		    remote, form_get(f, "date_kind"), form_get(f, "starts_at"),
		    form_get(f, "ends_at"), form_get(f, "hours_per_week"),
		    form_get(f, "places"), form_get(f, "min_age"),
		    form_get(f, "prereq_1"), form_get(f, "prereq_2"),
		    form_get(f, "prereq_3"));
		if (!res && refused_value(f, "places", "Des candidatures "
		    "occupent déjà plus de places : le nombre de places ne "
		    "peut pas être inférieur."))
			return 422;
		if (!res)
			return -1;
		if (PQntuples(res) == 0)
			return 409;
		*out_id = id;
		return 0;
	}
	slugify(form_get(f, "title"), base);
	base[60] = '\0';
	while (*base && base[strlen(base) - 1] == '-')
		base[strlen(base) - 1] = '\0';
	if (!*base)
		snprintf(base, sizeof(base), "mission");
	{
		const char *p[] = { base, o->id_str, form_get(f, "title"),
		    form_get(f, "domain"), form_get(f, "description"), html,
		    remote, form_get(f, "date_kind"), form_get(f, "starts_at"),
		    form_get(f, "ends_at"), form_get(f, "hours_per_week"),
		    form_get(f, "places"), form_get(f, "min_age"),
		    form_get(f, "prereq_1"), form_get(f, "prereq_2"),
		    form_get(f, "prereq_3"), r->user->id_str };

		res = db_exec_array(&r->app->db, &r->arena, STMT_MIS_INSERT,
		    (int)ARRAY_SIZE(p), p);
	}
	if (!res)
		return db_unique_violation(&r->app->db) ? 1 : -1;
	*out_id = db_str(res, 0, MISC_ID);
	*out_slug = db_str(res, 0, MISC_SLUG);
	return 0;
}

/* Save the form in one transaction (a new mission when id is NULL).
 * 0 and *slug; 409; 422 (marked); -1. */
static int
mission_save(struct mission_form *mf, const struct vol_org *o,
    const char *id, const char **slug)
{
	struct form *f = &mf->f;
	struct db *db = &f->r->app->db;
	const char *mid = NULL;
	int rc;

	for (int tries = 0; tries < 3; tries++) {
		if (db_begin(db) < 0)
			return -1;
		rc = mission_write(f, o, id, &mid, slug);
		if (rc == 1) {		/* a simultaneous slug: again */
			db_rollback(db);
			continue;
		}
		if (rc == 422)
			return 422;
		if (rc)
			goto fail;
		if (places_save(mf, mid) < 0)
			goto fail;
		if ((rc = slots_save(f, mid)) == 422)
			return 422;
		if (rc < 0 || db_commit(db) < 0)
			goto fail;
		return 0;
	}
	return -1;
fail:
	db_rollback(db);
	return rc == 409 ? 409 : -1;
}

/* The organisation of the route whose missions r->user writes: 0; else
 * the status answered (404, 403, 409, 503). */
static int
managed_org(struct req *r, struct vol_org *o)
{
	int rc = vol_org_find(r, r->params[0], o);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0 || !vol_org_visible(o))
		return render_error(r, 404, NULL);
	if (!(o->roles & VS_MANAGER))
		return render_error(r, 403, NULL);
	if (o->status != ORG_PENDING && o->status != ORG_VALIDATED)
		return message_page(r, 409, "Organisation fermée", "Cette "
		    "organisation n'est pas validée : elle ne peut pas "
		    "publier de mission.", arena_printf(&r->arena,
		    "/organisations/%s/manage", o->slug), "Retour");
	return 0;
}

static int
save_answer(struct mission_form *mf, const struct vol_org *o,
    const char *id, const char *heading, const char *action,
    const char *back)
{
	struct form *f = &mf->f;
	struct req *r = f->r;
	PGresult *communes = NULL;
	const char *slug = NULL;
	int rc;

	form_read(f);
	if (mission_check(mf, &communes) < 0)
		return form_unavailable(f, "Le service est momentanément "
		    "indisponible.", "mission_form", heading);
	if (f->errors)
		return mission_form_page(f, heading, action, back, o, 422);
	rc = mission_save(mf, o, id, &slug);
	if (rc == 422)
		return mission_form_page(f, heading, action, back, o, 422);
	if (rc == 409)
		return message_page(r, 409, "Mission close", "Cette mission "
		    "est terminée, annulée ou signalée : elle ne peut plus "
		    "être modifiée.", back, "Retour");
	if (rc < 0)
		return unavailable(r);
	flash_set(r, id ? "La mission est enregistrée." : "La mission est "
	    "enregistrée comme brouillon : envoyez-la pour validation quand "
	    "elle est prête.");
	return resp_redirect(r, arena_printf(&r->arena, "/missions/%s",
	    id ? r->params[0] : slug));
}

/*
 * GET/POST /organisations/{slug}/missions/new (logged in): a manager of
 * that organisation, pending or validated. GET 200 the form; POST the
 * fields of mission_fields: 303 to the new draft, 422 as typed. 403 for
 * anyone else who may see the organisation; 404; 409 (refused or
 * reported organisation); 503.
 */
int
mission_new(struct req *r)
{
	struct mission_form mf;
	struct vol_org o;
	const char *action, *back;
	int rc;

	if ((rc = managed_org(r, &o)))
		return rc;
	action = arena_printf(&r->arena, "/organisations/%s/missions/new",
	    o.slug);
	back = arena_printf(&r->arena, "/organisations/%s/missions", o.slug);
	memset(&mf, 0, sizeof(mf));
	form_init(&mf.f, r, mission_fields);
	if (r->method == HTTP_GET)
		return mission_form_page(&mf.f, "Nouvelle mission", action,
		    back, &o, 200);
	return save_answer(&mf, &o, NULL, "Nouvelle mission", action, back);
}

/* The edit form's values from the database. 0, or -1. */
static int
form_load(struct form *f, const struct vol_mission *m)
{
	struct req *r = f->r;
	PGresult *row = q(r, STMT_MIS_FORM, m->id_str), *slots;
	static const struct { const char *name; int col; } cols[] = {
		{ "title", MISF_TITLE }, { "domain", MISF_DOMAIN },
		{ "description", MISF_DESCRIPTION }, { "mode", MISF_MODE },
		{ "date_kind", MISF_DATE_KIND }, { "starts_at", MISF_STARTS },
		{ "ends_at", MISF_ENDS }, { "hours_per_week", MISF_HOURS },
		{ "places", MISF_PLACES }, { "min_age", MISF_MIN_AGE },
		{ "prereq_1", MISF_PREREQ_1 }, { "prereq_2", MISF_PREREQ_2 },
		{ "prereq_3", MISF_PREREQ_3 }, { "street", MISF_STREET },
		{ "postal_code", MISF_POSTAL }, { "country", MISF_COUNTRY },
		{ "city_code", MISF_INSEE }, { "city_name", MISF_CITY },
		{ "other_places", MISF_OTHER_PLACES },
	};

	if (!row || PQntuples(row) != 1 ||
	    !(slots = q(r, STMT_MIS_SLOTS, m->id_str)))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		form_set(f, cols[i].name, db_str(row, 0, cols[i].col));
	for (int i = 0; i < PQntuples(slots) && i < SLOT_ROWS; i++) {
		form_set(f, slot_field(r, i + 1, "id"), db_str(slots, i, MISS_ID));
		form_set(f, slot_field(r, i + 1, "starts"), db_str(slots, i,
		    MISS_STARTS));
		form_set(f, slot_field(r, i + 1, "ends"), db_str(slots, i,
		    MISS_ENDS));
		form_set(f, slot_field(r, i + 1, "capacity"), db_str(slots, i,
		    MISS_CAPACITY));
	}
	return 0;
}

/*
 * GET/POST /missions/{slug}/edit (logged in): a manager of the mission's
 * organisation, while the mission is a draft, pending or validated. GET
 * 200 the form with the mission's values, places and slots; POST the
 * fields: 303 to the mission, 422 as typed (also: places or a slot's
 * capacity below what applications took, a slot of another mission,
 * a slot with applications deleted). 403; 404; 409 closed; 503.
 */
int
mission_edit(struct req *r)
{
	struct mission_form mf;
	struct vol_mission m;
	const char *action, *back;
	int rc;

	if ((rc = mission_of_route(r, &m)))
		return rc;
	if (!(m.roles & VS_MANAGER))
		return render_error(r, 403, NULL);
	back = arena_printf(&r->arena, "/missions/%s", m.slug);
	if (m.status != MIS_DRAFT && m.status != MIS_PENDING &&
	    m.status != MIS_VALIDATED)
		return message_page(r, 409, "Mission close", "Cette mission "
		    "est terminée, annulée ou signalée : elle ne peut plus être "
		    "modifiée.", back, "Retour");
	action = arena_printf(&r->arena, "/missions/%s/edit", m.slug);
	memset(&mf, 0, sizeof(mf));
	form_init(&mf.f, r, mission_fields);
	if (r->method == HTTP_GET) {
		if (form_load(&mf.f, &m) < 0)
			return unavailable(r);
		return mission_form_page(&mf.f, "Modifier la mission", action,
		    back, &m.org, 200);
	}
	return save_answer(&mf, &m.org, m.id_str, "Modifier la mission",
	    action, back);
}

/*
 * GET /organisations/{slug}/missions (logged in): the organisation's
 * missions, every state, with places taken and the waiting list; the
 * link to a new one for its managers. Managers, referents of its
 * département and admins. 200; 403; 404; 503.
 */
int
org_missions_get(struct req *r)
{
	struct vol_org o;
	struct view v;
	struct view_rows rows;
	PGresult *res;
	const char *notice;
	int rc = vol_org_find(r, r->params[0], &o);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0 || !vol_org_visible(&o))
		return not_found(r);
	if (!(o.roles & (VS_MANAGER | VS_REFERENT | VS_ADMIN)))
		return render_error(r, 403, NULL);
	if (!(res = q(r, STMT_MIS_ORG_LIST, o.id_str)))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *cells[] = {
		    db_str(res, i, MISO_SLUG), db_str(res, i, MISO_TITLE),
		    vs_label(&vs_mission, vs_state(&vs_mission, db_str(res, i,
		    MISO_STATUS))), arena_printf(&r->arena, "%s / %s",
		    db_str(res, i, MISO_TAKEN), db_str(res, i, MISO_PLACES)),
		    db_str(res, i, MISO_STARTS), db_str(res, i, MISO_QUEUED),
		    db_bool(res, i, MISO_ONLINE) ? "1" : "" };

		view_rows_add_cells(&rows, 0, 7, cells);
	}
	view_rows_set(&v, "missions", &rows);
	view_int(&v, "has_missions", PQntuples(res) > 0);
	view_str(&v, "org_name", o.name);
	view_str(&v, "org_slug", o.slug);
	view_int(&v, "is_manager", (o.roles & VS_MANAGER) != 0);
	view_int(&v, "can_create", (o.roles & VS_MANAGER) &&
	    (o.status == ORG_PENDING || o.status == ORG_VALIDATED));
	notice = flash_take(r);
	view_str(&v, "notice", notice ? notice : "");
	return render(r, 200, "org_missions", &v, arena_printf(&r->arena,
	    "Missions de %s", o.name));
}
