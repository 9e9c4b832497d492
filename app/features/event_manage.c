/*
 * event_manage: the host tools of an event (its edit and cancel forms are
 * the events pages' own): the people registered and the waiting list,
 * the check-in of the day, their CSV, writing to them; and the
 * invitations any member may send to an upcoming event.
 *
 * Every host tool starts with event_managed(): the event as the member sees
 * it (404 when not visible) and event_can_manage (its organiser, the
 * hosts of its committee, admins; else 403). Statements are keyed on the
 * event's id, so a registration id of another event is not found (404).
 * E-mail addresses and phones are never shown (manage.h).
 */
#include "../core/common.h"
#include "../infra/csv.h"
#include "features.h"
#include "invitations.h"
#include "manage.h"

static const char *
base_path(struct req *r, const struct event *e)
{
	return arena_printf(&r->arena, "/events/%s/manage", e->slug);
}

/* What pages and CSV say of a registration's status and check-in. */
static const char *const labels[][2] = {
	{ "registered", "Inscrit" },
	{ "waiting", "En liste d'attente" },
	{ "cancelled", "Désinscrit" },
	{ "present", "Présent" },
	{ "absent", "Absent" },
};

static const char *
label(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
		if (!strcmp(key, labels[i][0]))
			return labels[i][1];
	return "";
}

/* The event's name, date and place, and the page's common values: 1
 * when it still takes people (scheduled, not begun), 0 when not, -1 when
 * PostgreSQL is unavailable. */
static int
view_event(struct req *r, struct view *v, const struct event *e)
{
	PGresult *res = q(r, STMT_MANAGE_EVENT_BRIEF, e->id_str);
	const char *flash = flash_take(r);

	if (!res || PQntuples(res) != 1)
		return -1;
	view_str(v, "name", e->name);
	view_str(v, "slug", e->slug);
	view_str(v, "base", base_path(r, e));
	view_str(v, "when", db_str(res, 0, EB_WHEN));
	view_str(v, "zone", db_str(res, 0, EB_ZONE));
	view_str(v, "place", db_str(res, 0, EB_PLACE));
	view_int(v, "open", db_bool(res, 0, EB_OPEN));
	view_int(v, "cancelled", !strcmp(e->status, "cancelled"));
	view_int(v, "past", e->past);
	view_str(v, "notice", flash ? flash : "");
	view_str(v, "csrf", csrf_token(r));
	return db_bool(res, 0, EB_OPEN);
}

/* The event of {slug} if r->user may manage it, its people (*res) and
 * the page's values (v): 0, or the status to answer. */
static int
manage_people(struct req *r, struct event *e, struct view *v, PGresult **res)
{
	int rc;

	if ((rc = event_managed(r, e)))
		return rc;
	view_init(v, &r->arena, 0);
	if (!(*res = q(r, STMT_MANAGE_REGISTRATIONS, e->id_str)) ||
	    view_event(r, v, e) < 0)
		return unavailable(r);
	return 0;
}

/*
 * GET /events/{slug}/manage: the people registered, the waiting list in
 * its order, the cancelled; links to the check-in, the CSV, the contact
 * form and the invitations. 200; 303 to login; 403; 404; 503.
 */
int
event_manage_get(struct req *r)
{
	struct view_rows reg, wait, gone;
	struct event e;
	struct view v;
	PGresult *res;
	int rc, present = 0, n[3] = { 0 };

	if ((rc = manage_people(r, &e, &v, &res)))
		return rc;
	view_rows_init(&reg, &v);
	view_rows_init(&wait, &v);
	view_rows_init(&gone, &v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *status = db_str(res, i, MR_STATUS);
		int k = !strcmp(status, "registered") ? 0 :
		    !strcmp(status, "waiting") ? 1 : 2;
		struct view_rows *rows = k == 0 ? &reg : k == 1 ? &wait : &gone;

		n[k]++;
		present += !strcmp(db_str(res, i, MR_ATTENDED), "present");
		view_rows_add(rows, 6, db_str(res, i, MR_POSITION),
		    db_str(res, i, MR_FIRST_NAME), db_str(res, i, MR_INITIAL),
		    db_str(res, i, MR_POSTAL_CODE), db_str(res, i, MR_CREATED),
		    label(db_str(res, i, MR_ATTENDED)));
	}
	view_rows_set(&v, "registered", &reg);
	view_rows_set(&v, "waiting", &wait);
	view_rows_set(&v, "gone", &gone);
	view_int(&v, "present", present);
	view_int(&v, "n_registered", n[0]);
	view_int(&v, "n_waiting", n[1]);
	view_int(&v, "n_cancelled", n[2]);
	return render(r, 200, "manage_event", &v, arena_printf(&r->arena,
	    "Gérer %s", e.name));
}

/*
 * GET /events/{slug}/manage/checkin: the registered people, each with
 * big "présent" / "absent" buttons (forms: works without JavaScript;
 * 45-manage.js posts them without a reload). 200; 303 to login; 403;
 * 404; 503.
 */
int
event_checkin_get(struct req *r)
{
	struct view_rows rows;
	struct event e;
	struct view v;
	PGresult *res;
	int rc;

	if ((rc = manage_people(r, &e, &v, &res)))
		return rc;
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++)
		if (!strcmp(db_str(res, i, MR_STATUS), "registered"))
			view_rows_add(&rows, 5, db_str(res, i, MR_ID),
			    db_str(res, i, MR_FIRST_NAME), db_str(res, i,
			    MR_INITIAL), db_str(res, i, MR_POSTAL_CODE),
			    db_str(res, i, MR_ATTENDED));
	view_rows_set(&v, "rows", &rows);
	return render(r, 200, "manage_checkin", &v, arena_printf(&r->arena,
	    "Accueil : %s", e.name));
}

/*
 * POST /events/{slug}/manage/checkin/{registration_id}: attended
 * ("present", "absent", or "" for not yet) of a registered person of
 * this event. JSON {"id","attended"} to the script (Accept:
 * application/json), else 303 back to the check-in at that person.
 * 400 (another value); 403; 404 (not a seat of this event); 503.
 */
int
event_checkin_post(struct req *r)
{
	const char *a = req_form(r, "attended"), *value;
	struct event e;
	PGresult *res;
	long id;
	int rc;

	if ((rc = event_managed(r, &e)))
		return rc;
	if (parse_long(r->params[1], 1, LONG_MAX, &id) < 0)
		return 404;
	if (!a)
		a = "";
	if (!strcmp(a, "present"))
		value = "true";
	else if (!strcmp(a, "absent"))
		value = "false";
	else if (!*a)
		value = NULL;
	else
		return 400;
	if (!(res = q(r, STMT_MANAGE_CHECKIN, e.id_str, r->params[1], value)))
		return unavailable(r);
	if (PQntuples(res) == 0)
		return 404;
	if (manage_wants_json(r))
		return resp_json(r, 200, json_pack("{s:I, s:s}", "id",
		    (json_int_t)id, "attended", a));
	return resp_redirect(r, arena_printf(&r->arena, "%s/checkin#r-%ld",
	    base_path(r, &e), id));
}

/*
 * GET /events/{slug}/manage/registrations.csv: first name, initial,
 * postal code, status, registration date, attended (csv.h). 200; 303 to
 * login; 403; 404; 503.
 */
int
event_registrations_csv_get(struct req *r)
{
	static const char *const head[] = { "Prénom", "Nom (initiale)",
		"Code postal", "Statut", "Inscription", "Présence" };
	struct event e;
	PGresult *res;
	struct buf b;
	int rc;

	if ((rc = event_managed(r, &e)))
		return rc;
	if (!(res = q(r, STMT_MANAGE_REGISTRATIONS, e.id_str)))
		return unavailable(r);
	buf_init(&b, MAX_OUTPUT);
	csv_begin(&b);
	csv_row(&b, ARRAY_SIZE(head), head);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *cells[] = { db_str(res, i, MR_FIRST_NAME),
			db_str(res, i, MR_INITIAL),
			db_str(res, i, MR_POSTAL_CODE),
			label(db_str(res, i, MR_STATUS)),
			db_str(res, i, MR_CREATED_ISO),
			label(db_str(res, i, MR_ATTENDED)) };

		if (csv_row(&b, ARRAY_SIZE(cells), cells) < 0) {
			buf_release(&b);
			return 500;
		}
	}
	return manage_csv_response(r, &b, arena_printf(&r->arena,
	    "inscrits-%s.csv", e.slug));
}

/* The contact form of the event of {slug}: where it sends (mc) and its
 * checkboxes (the registered and waiting people, r_<registration>), in
 * v. 0, or the status to answer. */
static int
contact_load(struct req *r, struct manage_contact *mc, struct view *v,
    struct view_rows *rows)
{
	struct event e;
	PGresult *res;
	int rc;

	if ((rc = event_managed(r, &e)))
		return rc;
	mc->scope = "event_contact";
	mc->subject_id = e.id_str;
	mc->recipients = STMT_MANAGE_EVENT_RECIPIENTS;
	mc->prefix = "r_";
	mc->what = arena_printf(&r->arena, "de l'événement « %s »", e.name);
	mc->link = arena_printf(&r->arena, "/events/%s", e.slug);
	mc->action = arena_printf(&r->arena, "%s/contact", base_path(r, &e));
	mc->back = base_path(r, &e);
	mc->heading = arena_printf(&r->arena, "Écrire aux inscrits de %s",
	    e.name);
	if (!(res = q(r, STMT_MANAGE_REGISTRATIONS, e.id_str)))
		return unavailable(r);
	view_rows_init(rows, v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *id = db_str(res, i, MR_ID);
		const char *status = db_str(res, i, MR_STATUS);

		if (!strcmp(status, "cancelled"))
			continue;
		view_rows_add(rows, 3, arena_printf(&r->arena, "r_%s", id),
		    arena_printf(&r->arena, "%s %s. (%s)", db_str(res, i,
		    MR_FIRST_NAME), db_str(res, i, MR_INITIAL),
		    label(status)),
		    manage_checked(r, "r_", id) ? "1" : "");
	}
	return 0;
}

/*
 * GET and POST /events/{slug}/manage/contact: subject, message, the
 * registered and waiting people as checkboxes (or "all"); see
 * manage_contact (manage.h). 303 to login; 403; 404.
 */
int
event_contact(struct req *r)
{
	return manage_contact(r, contact_load);
}

static const struct form_field invite_fields[] = {
	{ "addresses", F_REQUIRED | F_MULTILINE, 3, 3000, .msg = {
	    [VALID_MISSING] = "Indiquez au moins une adresse e-mail.",
	    [VALID_TOO_SHORT] = "Indiquez au moins une adresse e-mail.",
	    [VALID_TOO_LONG] = "Indiquez au plus 10 adresses e-mail." } },
	{ "message", F_MULTILINE, 0, 500, .msg = {
	    [VALID_TOO_LONG] = "Le message doit comporter au plus 500 "
		"caractères." } },
	{ NULL }
};

/* The event of {slug}, if it takes invitations: 0 (scheduled and
 * upcoming), or the status: 404 when not visible, 409 when cancelled or
 * begun (its page), 503. */
static int
invite_find(struct req *r, struct event *e, struct view *v)
{
	int rc = event_find(r, r->params[0], e);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0)
		return 404;
	if ((rc = view_event(r, v, e)) < 0)
		return unavailable(r);
	if (rc == 0)
		return message_page(r, 409, "Invitations fermées", "Cet "
		    "événement est annulé ou a déjà commencé : on ne peut plus "
		    "y inviter.", arena_printf(&r->arena, "/events/%s",
		    e->slug), "Voir l'événement");
	return 0;
}

static int
invite_page(struct form *f, const struct event *e, int status)
{
	view_int(&f->v, "max", INVITE_MAX_ADDRESSES);
	view_int(&f->v, "per_day", INVITE_PER_DAY);
	return form_render(f, status, "manage_invite",
	    arena_printf(&f->r->arena, "Inviter à %s", e->name));
}

/*
 * GET /events/{slug}/invite: the form (any member, for a scheduled,
 * upcoming, visible event). 200; 303 to login; 404; 409; 503.
 */
int
event_invite_get(struct req *r)
{
	struct event e;
	struct form f;
	int rc;

	form_init(&f, r, invite_fields);
	if ((rc = invite_find(r, &e, &f.v)))
		return rc;
	return invite_page(&f, &e, 200);
}

static int
record_event_invitation(struct req *r, const char *hash, const void *arg)
{
	const struct event *e = arg;

	return q(r, STMT_EVENT_INVITATION_INSERT, e->id_str, r->user->id_str,
	    hash) ? 0 : -1;
}

/* The mail of an invitation to e (text mode). 0, or -1 when PostgreSQL
 * is unavailable. */
static int
invite_mail(struct req *r, struct form *f, const struct event *e,
    struct view *v)
{
	PGresult *res = q(r, STMT_MANAGE_EVENT_BRIEF, e->id_str);

	if (!res || PQntuples(res) != 1)
		return -1;
	view_init(v, &r->arena, 1);
	view_str(v, "when", db_str(res, 0, EB_WHEN));
	view_str(v, "zone", db_str(res, 0, EB_ZONE));
	view_str(v, "place", db_str(res, 0, EB_PLACE));
	view_str(v, "inviter", manage_short_name(r, r->user->first_name,
	    r->user->last_name));
	view_str(v, "message", form_get(f, "message"));
	view_int(v, "has_message", *form_get(f, "message") != '\0');
	view_str(v, "name", e->name);
	view_str(v, "link", arena_printf(&r->arena, "%s/events/%s",
	    r->app->cfg.base_url, e->slug));
	return 0;
}

/*
 * POST /events/{slug}/invite: addresses (up to 10), message (500
 * characters at most). Mails every address nobody invited in the last 24
 * hours (invitations.h); the notice says how many were sent and skipped.
 * 303 back to the form; 422 (an invalid address, too many, none, a
 * message too long); 429 (50 a day); 404; 409; 503.
 */
int
event_invite_post(struct req *r)
{
	struct invitation inv = { 0 };
	const char **addresses, *bad;
	int rc, sent, skipped;
	struct view mail;
	struct event e;
	struct form f;
	size_t n = 0;

	form_init(&f, r, invite_fields);
	if ((rc = invite_find(r, &e, &f.v)))
		return rc;
	form_read(&f);
	if (!form_has_error(&f, "addresses")) {
		rc = invitations_parse(r, form_get(&f, "addresses"),
		    &addresses, &n, &bad);
		if (rc == -1)
			form_error(&f, "addresses", arena_printf(&r->arena,
			    "Cette adresse n'est pas valide : %s", bad));
		else if (rc == -2)
			form_error(&f, "addresses", arena_printf(&r->arena,
			    "Indiquez au plus %d adresses e-mail.",
			    INVITE_MAX_ADDRESSES));
		else if (rc == -3)
			form_error(&f, "addresses", "Indiquez au moins une "
			    "adresse e-mail.");
	}
	if (f.errors)
		return invite_page(&f, &e, 422);
	if (invite_mail(r, &f, &e, &mail) < 0)
		return unavailable(r);
	inv.addresses = addresses;
	inv.n = n;
	inv.subject = arena_printf(&r->arena, "%s vous invite : %s",
	    manage_short_name(r, r->user->first_name, r->user->last_name),
	    e.name);
	inv.tpl = "manage_invite";
	inv.mail = &mail;
	inv.record = record_event_invitation;
	inv.arg = &e;
	switch (invitations_send(r, &inv, &sent, &skipped)) {
	case INVITE_OK:
		break;
	case INVITE_OVER_QUOTA:
		view_str(&f.v, "banner", arena_printf(&r->arena, "Vous ne "
		    "pouvez pas envoyer plus de %d invitations par jour : "
		    "réessayez demain.", INVITE_PER_DAY));
		return invite_page(&f, &e, 429);
	default:
		view_str(&f.v, "banner", "Le service est momentanément "
		    "indisponible : aucune invitation n'a été envoyée.");
		unavailable(r);
		return invite_page(&f, &e, 503);
	}
	flash_set(r, skipped ? arena_printf(&r->arena, "Invitations "
	    "envoyées : %d. Non envoyées : %d (ces personnes ont déjà été "
	    "invitées dans les dernières 24 heures).", sent, skipped) :
	    arena_printf(&r->arena, "Invitations envoyées : %d.", sent));
	return resp_redirect(r, arena_printf(&r->arena, "/events/%s/invite",
	    e.slug));
}
