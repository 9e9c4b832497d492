/*
 * committee_manage: the host tools of a committee, under
 * /committees/{slug}/manage (its edit form is committees' own): the
 * dashboard, the members and their CSV, promoting and demoting co-hosts,
 * writing to members, and the timeline.
 *
 * Every handler starts with committee_managed(): the committee as the member
 * sees it (404 when it is not visible to them) and their role in *this*
 * committee (403 unless host, supervisor or admin). Every statement after
 * that is keyed on the committee's id, so an id of another committee's
 * member or message is simply not found (404) and changes nothing.
 * Members' e-mail addresses and phones are never read for a page (see
 * manage.h).
 */
#include "../core/common.h"
#include "../infra/csv.h"
#include "../infra/outbox.h"
#include "admin.h"
#include "features.h"
#include "manage.h"

#define MEMBERS_PER_PAGE 50

/* The committee of the route's {slug} if r->user may manage it: 0, or
 * the status to answer (404, 403, 503). */
static const char *
base_path(struct req *r, const struct committee *c)
{
	return arena_printf(&r->arena, "/committees/%s/manage", c->slug);
}

static const char *
role_label(const char *role)
{
	if (!strcmp(role, "supervisor"))
		return "Animateur";
	if (!strcmp(role, "host"))
		return "Co-animateur";
	return "Membre";
}

static void
view_committee(struct req *r, struct view *v, const struct committee *c)
{
	const char *flash = flash_take(r);

	view_str(v, "name", c->name);
	view_str(v, "slug", c->slug);
	view_str(v, "base", base_path(r, c));
	view_int(v, "supervise", committee_can_supervise(c));
	view_str(v, "notice", flash ? flash : "");
	view_str(v, "csrf", csrf_token(r));
}

/*
 * GET /committees/{slug}/manage: the host's dashboard: figures, the
 * tools, the committee's events (upcoming and of the last 30 days). 200; 303 to login
 * (anonymous); 403 (not a host of this committee); 404; 503.
 */
int
committee_manage_get(struct req *r)
{
	struct view_rows rows;
	struct committee c;
	PGresult *res, *ev;
	struct view v;
	int rc;

	if ((rc = committee_managed(r, &c)))
		return rc;
	if (!(res = q(r, STMT_MANAGE_COUNTS, c.id_str)) ||
	    !(ev = q(r, STMT_MANAGE_COMMITTEE_EVENTS, c.id_str)))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(ev); i++)
		view_rows_add(&rows, 5, db_str(ev, i, ME_SLUG), db_str(ev, i,
		    ME_NAME), db_str(ev, i, ME_WHEN), db_str(ev, i, ME_STATUS),
		    db_str(ev, i, ME_REGISTERED));
	view_rows_set(&v, "events", &rows);
	view_int(&v, "n_events", PQntuples(ev));
	view_committee(r, &v, &c);
	view_str(&v, "status", c.status);
	view_int(&v, "approved", !strcmp(c.status, "approved"));
	view_str(&v, "members", db_str(res, 0, MC_MEMBERS));
	view_str(&v, "hosts", db_str(res, 0, MC_HOSTS));
	view_str(&v, "messages", db_str(res, 0, MC_MESSAGES));
	view_int(&v, "left", MANAGE_SENDS_PER_DAY - db_long(res, 0,
	    MC_SENDS_USED));
	return render(r, 200, "manage", &v, arena_printf(&r->arena,
	    "Gérer %s", c.name));
}

static const char *const member_sorts[][2] = {
	{ "joined", "Adhésion (récentes d'abord)" },
	{ "joined_asc", "Adhésion (anciennes d'abord)" },
	{ "name", "Prénom" },
	{ "postal_code", "Code postal" },
	{ "role", "Rôle" },
};

static const char *
member_sort(struct req *r)
{
	const char *s = req_query(r, "sort");

	for (size_t i = 0; s && i < ARRAY_SIZE(member_sorts); i++)
		if (!strcmp(s, member_sorts[i][0]))
			return s;
	return "joined";
}

/*
 * GET /committees/{slug}/manage/members?sort=&page=: first name, initial,
 * postal code, commune, joined, role; 50 a page. Promote and demote
 * buttons for the supervisor and admins. 200; 303 to login; 403; 404;
 * 503.
 */
int
committee_members_get(struct req *r)
{
	const char *sort = member_sort(r), *p = req_query(r, "page");
	struct view_rows rows, sorts;
	struct committee c;
	struct view v;
	PGresult *res;
	long page = 1, total;
	int rc;

	if ((rc = committee_managed(r, &c)))
		return rc;
	if (p && parse_long(p, 1, 100000, &page) < 0)
		return 404;
	if (!(res = q(r, STMT_MANAGE_MEMBERS, c.id_str, sort,
	    arena_printf(&r->arena, "%d", MEMBERS_PER_PAGE),
	    arena_printf(&r->arena, "%ld", (page - 1) * MEMBERS_PER_PAGE))))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_committee(r, &v, &c);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *role = db_str(res, i, MM_ROLE);

		view_rows_add(&rows, 8, db_str(res, i, MM_USER_ID),
		    db_str(res, i, MM_FIRST_NAME), db_str(res, i, MM_INITIAL),
		    db_str(res, i, MM_POSTAL_CODE), db_str(res, i, MM_CITY),
		    db_str(res, i, MM_JOINED), role_label(role), role);
	}
	view_rows_set(&v, "rows", &rows);
	view_rows_init(&sorts, &v);
	for (size_t i = 0; i < ARRAY_SIZE(member_sorts); i++)
		view_rows_add(&sorts, 2, member_sorts[i][0],
		    member_sorts[i][1]);
	view_rows_set(&v, "sorts", &sorts);
	total = PQntuples(res) ? db_long(res, 0, MM_TOTAL) : 0;
	view_str(&v, "sort", sort);
	view_int(&v, "total", total);
	view_int(&v, "empty", PQntuples(res) == 0);
	view_str(&v, "prev", page > 1 ? arena_printf(&r->arena,
	    "?sort=%s&page=%ld", sort, page - 1) : "");
	view_str(&v, "next", page * MEMBERS_PER_PAGE < total ?
	    arena_printf(&r->arena, "?sort=%s&page=%ld", sort, page + 1) : "");
	return render(r, 200, "manage_members", &v, arena_printf(&r->arena,
	    "Membres de %s", c.name));
}

/*
 * GET /committees/{slug}/manage/members.csv: the same columns, every
 * member, as a download (csv.h). 200; 303 to login; 403; 404; 503.
 */
int
committee_members_csv_get(struct req *r)
{
	static const char *const head[] = { "Prénom", "Nom (initiale)",
		"Code postal", "Commune", "Adhésion", "Rôle" };
	struct committee c;
	PGresult *res;
	struct buf b;
	int rc;

	if ((rc = committee_managed(r, &c)))
		return rc;
	if (!(res = q(r, STMT_MANAGE_MEMBERS, c.id_str, member_sort(r), NULL,
	    "0")))
		return unavailable(r);
	buf_init(&b, MAX_OUTPUT);
	csv_begin(&b);
	csv_row(&b, ARRAY_SIZE(head), head);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *cells[] = { db_str(res, i, MM_FIRST_NAME),
			db_str(res, i, MM_INITIAL),
			db_str(res, i, MM_POSTAL_CODE), db_str(res, i, MM_CITY),
			db_str(res, i, MM_JOINED_ISO),
			role_label(db_str(res, i, MM_ROLE)) };

		if (csv_row(&b, ARRAY_SIZE(cells), cells) < 0) {
			buf_release(&b);
			return 500;
		}
	}
	return manage_csv_response(r, &b, arena_printf(&r->arena,
	    "membres-%s.csv", c.slug));
}

/* Member {id} of this committee from role `from` to role `to`. */
static int
set_role(struct req *r, const char *from, const char *to, const char *done)
{
	struct committee c;
	PGresult *res;
	long uid;
	int rc;

	if ((rc = committee_managed(r, &c)))
		return rc;
	if (!committee_can_supervise(&c))
		return 403;
	if (parse_long(r->params[1], 1, LONG_MAX, &uid) < 0)
		return 404;
	if (!(res = q(r, STMT_MANAGE_SET_ROLE, c.id_str, r->params[1], from,
	    to)))
		return unavailable(r);
	if (PQntuples(res) == 0)
		return 404;
	if (!db_bool(res, 0, RC_CHANGED))
		return message_page(r, 409, "Rôle inchangé", !strcmp(db_str(res,
		    0, RC_OLD_ROLE), "supervisor") ? "Le rôle de l'animateur "
		    "du comité ne peut pas être changé ici." : "Ce membre n'a "
		    "pas le rôle attendu : la page n'était peut-être plus à "
		    "jour.", arena_printf(&r->arena, "%s/members",
		    base_path(r, &c)), "Retour aux membres");
	flash_set(r, done);
	return resp_redirect(r, arena_printf(&r->arena, "%s/members",
	    base_path(r, &c)));
}

/*
 * POST /committees/{slug}/manage/members/{user_id}/promote and /demote:
 * a follower becomes a co-host, a co-host a follower (the supervisor and
 * admins only; never the supervisor). 303 to the members; 403; 404 (not
 * a member of this committee); 409 (not in the expected role); 503.
 */
int
committee_member_promote_post(struct req *r)
{
	return set_role(r, "follower", "host", "Le membre est désormais "
	    "co-animateur du comité.");
}

int
committee_member_demote_post(struct req *r)
{
	return set_role(r, "host", "follower", "Le co-animateur est "
	    "redevenu membre du comité.");
}

/* The contact form of the committee of {slug}: where it sends (mc) and
 * its checkboxes (every member but the sender; checked as posted), in
 * v. 0, or the status to answer. */
static int
contact_load(struct req *r, struct manage_contact *mc, struct view *v,
    struct view_rows *rows)
{
	struct committee c;
	PGresult *res;
	int rc;

	if ((rc = committee_managed(r, &c)))
		return rc;
	mc->scope = "committee_contact";
	mc->subject_id = c.id_str;
	mc->recipients = STMT_MANAGE_COMMITTEE_RECIPIENTS;
	mc->prefix = "m_";
	mc->what = arena_printf(&r->arena, "du comité « %s »", c.name);
	mc->link = arena_printf(&r->arena, "/committees/%s", c.slug);
	mc->action = arena_printf(&r->arena, "%s/contact", base_path(r, &c));
	mc->back = base_path(r, &c);
	mc->heading = arena_printf(&r->arena, "Écrire aux membres de %s",
	    c.name);
	if (!(res = q(r, STMT_MANAGE_MEMBERS, c.id_str, "name", NULL, "0")))
		return unavailable(r);
	view_rows_init(rows, v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *id = db_str(res, i, MM_USER_ID);

		if (!strcmp(id, r->user->id_str))
			continue;
		view_rows_add(rows, 3, arena_printf(&r->arena, "m_%s", id),
		    arena_printf(&r->arena, "%s %s. (%s, %s)", db_str(res, i,
		    MM_FIRST_NAME), db_str(res, i, MM_INITIAL), db_str(res, i,
		    MM_CITY), role_label(db_str(res, i, MM_ROLE))),
		    manage_checked(r, "m_", id) ? "1" : "");
	}
	return 0;
}

/*
 * GET and POST /committees/{slug}/manage/contact: subject, message, the
 * members as checkboxes (or "all"); see manage_contact (manage.h). 303 to
 * login; 403; 404.
 */
int
committee_contact(struct req *r)
{
	return manage_contact(r, contact_load);
}

/* The timeline: a message has a subject and a Markdown body. */
static const struct form_field message_fields[] = {
	{ "subject", F_REQUIRED, 2, 150, .msg = {
	    [VALID_MISSING] = "Veuillez indiquer le titre du message.",
	    [VALID_TOO_SHORT] = "Le titre doit comporter entre 2 et 150 "
		"caractères.",
	    [VALID_TOO_LONG] = "Le titre doit comporter entre 2 et 150 "
		"caractères." } },
	{ "body", F_REQUIRED | F_MULTILINE, 10, 10000, .msg = {
	    [VALID_MISSING] = "Veuillez écrire le message.",
	    [VALID_TOO_SHORT] = "Le message doit comporter au moins 10 "
		"caractères.",
	    [VALID_TOO_LONG] = "Le message doit comporter au plus 10 000 "
		"caractères." } },
	{ NULL }
};

/* May r->user edit or delete a message by author_id? Its author and the
 * supervisor (and admins); committee_managed already required a host. */
static int
may_edit(struct req *r, const struct committee *c, long author_id)
{
	return committee_can_supervise(c) || (author_id && author_id ==
	    r->user->id);
}

static int
messages_page(struct form *f, const struct committee *c, int status)
{
	struct req *r = f->r;
	PGresult *res = q(r, STMT_MANAGE_MESSAGES, c->id_str);
	struct view_rows rows;

	if (!res)
		return unavailable(r);
	view_committee(r, &f->v, c);
	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add_html(&rows, 1u << 3, 6, db_str(res, i, CM_ID),
		    db_str(res, i, CM_SUBJECT), db_str(res, i, CM_AUTHOR_NAME),
		    db_str(res, i, CM_BODY_HTML), db_str(res, i, CM_CREATED),
		    may_edit(r, c, db_long(res, i, CM_AUTHOR_ID)) ? "1" : "");
	view_rows_set(&f->v, "rows", &rows);
	view_int(&f->v, "empty", PQntuples(res) == 0);
	if (form_include(f, "manage_message_fields", "message_fields") < 0)
		return 500;
	return form_render(f, status, "manage_messages",
	    arena_printf(&r->arena, "Actualités de %s", c->name));
}

/* Queue the new message to the followers who want them. 0 or -1. */
static int
queue_message(struct form *f, const struct committee *c, const char *author)
{
	struct req *r = f->r;
	PGresult *res = q(r, STMT_MANAGE_MESSAGE_RECIPIENTS, c->id_str,
	    r->user->id_str);
	/* Not asked for at that moment: never to a suppressed address. */
	static const struct mail_extra x = { .category = "host" };

	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct view v;

		view_init(&v, &r->arena, 1);
		view_str(&v, "first_name", db_str(res, i, RCPT_FIRST_NAME));
		view_str(&v, "author", author);
		view_str(&v, "committee", c->name);
		view_str(&v, "subject", form_get(f, "subject"));
		view_str(&v, "body", form_get(f, "body"));
		view_str(&v, "link", arena_printf(&r->arena,
		    "%s/committees/%s", r->app->cfg.base_url, c->slug));
		if (outbox_add_ex(r, db_long(res, i, RCPT_USER_ID),
		    db_str(res, i, RCPT_EMAIL), arena_printf(&r->arena,
		    "[%s] %s", c->name, form_get(f, "subject")),
		    "manage_message", &v, &x) < 0)
			return -1;
	}
	return 0;
}

/*
 * GET /committees/{slug}/manage/messages: the timeline and the form of a
 * new message. 200; 303 to login; 403; 404; 503.
 * POST: subject, body (Markdown, 10 characters at least). The message
 * joins the timeline and is mailed to the followers whose
 * notify_messages is set, in one transaction. 303 to the timeline; 422;
 * 403; 404; 503.
 */
int
committee_messages(struct req *r)
{
	struct db *db = &r->app->db;
	const char *author, *html;
	struct committee c;
	struct form f;
	int rc;

	if ((rc = committee_managed(r, &c)))
		return rc;
	form_init(&f, r, message_fields);
	if (r->method != HTTP_POST)
		return messages_page(&f, &c, 200);
	if (form_read(&f))
		return messages_page(&f, &c, 422);
	if (!(html = render_body(r, form_get(&f, "body"))))
		return 500;
	author = manage_short_name(r, r->user->first_name,
	    r->user->last_name);
	if (db_begin(db) < 0 || !q(r, STMT_MANAGE_MESSAGE_INSERT, c.id_str,
	    r->user->id_str, author, form_get(&f, "subject"),
	    form_get(&f, "body"), html) || queue_message(&f, &c, author) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		return unavailable(r);
	}
	flash_set(r, "Votre message a été publié.");
	return resp_redirect(r, arena_printf(&r->arena, "%s/messages",
	    base_path(r, &c)));
}

/* Message {id} of this committee, if r->user may edit it: 0, or the
 * status (403, 404, 503). */
static int
message_find(struct req *r, struct committee *c, PGresult **res)
{
	int rc;

	if ((rc = committee_managed(r, c)))
		return rc;
	if (parse_long(r->params[1], 1, LONG_MAX, &(long){ 0 }) < 0)
		return 404;
	if (!(*res = q(r, STMT_MANAGE_MESSAGE_GET, c->id_str, r->params[1])))
		return unavailable(r);
	if (PQntuples(*res) == 0)
		return 404;
	return may_edit(r, c, db_long(*res, 0, CM_AUTHOR_ID)) ? 0 : 403;
}

static int
message_form(struct form *f, const struct committee *c, int status)
{
	view_committee(f->r, &f->v, c);
	view_str(&f->v, "id", f->r->params[1]);
	if (form_include(f, "manage_message_fields", "message_fields") < 0)
		return 500;
	return form_render(f, status, "manage_message", "Modifier le message");
}

/*
 * GET /committees/{slug}/manage/messages/{id}: the edit form (its author,
 * the supervisor, admins). 200; 403; 404; 503.
 * POST: subject, body. 303 to the timeline; 422; 403; 404; 503.
 */
int
committee_message(struct req *r)
{
	struct committee c;
	const char *html;
	PGresult *res;
	struct form f;
	int rc;

	if ((rc = message_find(r, &c, &res)))
		return rc;
	form_init(&f, r, message_fields);
	if (r->method != HTTP_POST) {
		form_set(&f, "subject", db_str(res, 0, CM_SUBJECT));
		form_set(&f, "body", db_str(res, 0, CM_BODY_MD));
		return message_form(&f, &c, 200);
	}
	if (form_read(&f))
		return message_form(&f, &c, 422);
	if (!(html = render_body(r, form_get(&f, "body"))))
		return 500;
	if (!(res = q(r, STMT_MANAGE_MESSAGE_UPDATE, c.id_str, r->params[1],
	    form_get(&f, "subject"), form_get(&f, "body"), html)))
		return unavailable(r);
	if (PQntuples(res) == 0)
		return 404;
	flash_set(r, "Le message a été modifié.");
	return resp_redirect(r, arena_printf(&r->arena, "%s/messages",
	    base_path(r, &c)));
}

/*
 * POST /committees/{slug}/manage/messages/{id}/delete: its author, the
 * supervisor, admins. 303 to the timeline; 403; 404; 503.
 */
int
committee_message_delete_post(struct req *r)
{
	struct committee c;
	PGresult *res;
	int rc;

	if ((rc = message_find(r, &c, &res)))
		return rc;
	if (!(res = q(r, STMT_MANAGE_MESSAGE_DELETE, c.id_str, r->params[1])))
		return unavailable(r);
	if (PQntuples(res) == 0)
		return 404;
	flash_set(r, "Le message a été supprimé.");
	return resp_redirect(r, arena_printf(&r->arena, "%s/messages",
	    base_path(r, &c)));
}
