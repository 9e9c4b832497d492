/*
 * campaigns_send: a campaign's page (what it is, whom it reaches, its
 * progress) and what can be done to it: preview for a recipient, a test
 * to oneself, send now, schedule, pause, resume, cancel; the progress as
 * JSON for the page's script; the failed recipients. Every handler loads
 * the scope and the campaign in it first (campaigns.h); every change is
 * one statement guarded by the status, audited in the same transaction.
 */
#include "../core/common.h"
#include "../core/mailmerge.h"
#include "../infra/outbox.h"
#include "admin.h"
#include "campaigns.h"
#include "features.h"

#define FAILURES_PER_PAGE 50
#define SAMPLE_SIZE 10

static const struct form_field schedule_fields[] = {
	{ "scheduled_at", F_REQUIRED, .valid = valid_local_datetime, .msg = {
	    [VALID_MISSING] = "Indiquez la date et l'heure d'envoi.",
	    [VALID_INVALID] = "Indiquez une date et une heure valides "
		"(heure de Paris)." } },
	{ NULL }
};

static const char *
campaign_path(struct req *r, const struct campaign_scope *s,
    const PGresult *row, const char *tail)
{
	return arena_printf(&r->arena, "%s/%s%s", s->base,
	    db_str(row, 0, CA_ID), tail);
}

/* The scope and the campaign of the route: 0, or the status. */
static int
load(struct req *r, struct campaign_scope *s, PGresult **row)
{
	int rc;

	if ((rc = campaign_scope_load(r, s)))
		return rc;
	return campaign_load(r, s, row);
}

/* A refusal on a campaign's action: a page with a way back. */
static int
refuse(struct req *r, const struct campaign_scope *s, const PGresult *row,
    int status, const char *title, const char *message)
{
	return message_page(r, status, title, message,
	    campaign_path(r, s, row, ""), "Retour à la campagne");
}

static const char *const not_yours = "Cette campagne vise un département "
    "qui ne vous est pas (ou plus) confié : modifiez-la avant de l'envoyer.";
static const char *const daily = "Ce comité a déjà envoyé (ou programmé) "
    "une campagne ce jour-là : une seule campagne par comité et par jour.";

/* ---- the page ------------------------------------------------------ */

/* The progress figures of campaign id into v (and p); -1 (503). */
static int
view_progress(struct req *r, struct view *v, const char *id, PGresult **p)
{
	static const struct { const char *name; int col; } cols[] = {
		{ "total", CP_TOTAL }, { "sent", CP_SENT },
		{ "failed", CP_FAILED }, { "skipped", CP_SKIPPED },
		{ "cancelled", CP_CANCELLED }, { "waiting", CP_WAITING },
		{ "rate", CP_RATE }, { "eta", CP_ETA },
		{ "started", CP_STARTED }, { "finished", CP_FINISHED },
	};

	if (!(*p = q(r, STMT_CAMPAIGN_PROGRESS, id)) || PQntuples(*p) != 1)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		view_str(v, cols[i].name, db_str(*p, 0, cols[i].col));
	view_int(v, "done", db_long(*p, 0, CP_SENT) + db_long(*p, 0,
	    CP_FAILED) + db_long(*p, 0, CP_SKIPPED) + db_long(*p, 0,
	    CP_CANCELLED));
	view_int(v, "max", MAX(1, db_long(*p, 0, CP_TOTAL)));
	return 0;
}

/* The campaign's page with the schedule form f, at status. */
static int
campaign_page(struct form *f, const struct campaign_scope *s,
    const PGresult *row, int status)
{
	struct req *r = f->r;
	const char *st = db_str(row, 0, CA_STATUS), *id = db_str(row, 0, CA_ID);
	int open = !strcmp(st, "draft") || !strcmp(st, "scheduled");
	PGresult *count = NULL, *p;

	if (open && !(count = q(r, STMT_CAMPAIGN_COUNT, id)))
		return unavailable(r);
	if (view_progress(r, &f->v, id, &p) < 0)
		return unavailable(r);
	campaign_chrome(r, s, &f->v);
	view_str(&f->v, "id", id);
	view_str(&f->v, "path", campaign_path(r, s, row, ""));
	view_str(&f->v, "subject", db_str(row, 0, CA_SUBJECT));
	view_str(&f->v, "status", st);
	view_str(&f->v, "status_label", campaign_status_label(st));
	view_str(&f->v, "audience", campaign_audience_label(r, row));
	view_str(&f->v, "type_label", db_str(row, 0, CA_TYPE_LABEL));
	view_str(&f->v, "author", db_str(row, 0, CA_AUTHOR));
	view_str(&f->v, "created", db_str(row, 0, CA_CREATED));
	view_str(&f->v, "scheduled", db_str(row, 0, CA_SCHEDULED));
	view_str(&f->v, "count", count ? db_str(count, 0, VALUE) : "");
	view_int(&f->v, "open", open);
	view_int(&f->v, "live", !strcmp(st, "sending") || !strcmp(st,
	    "paused"));
	if (!strcmp(st, "sending"))
		r->head_html = "<noscript><meta http-equiv=\"refresh\" "
		    "content=\"10\"></noscript>";
	if (status == 200 && !*form_get(f, "scheduled_at"))
		form_set(f, "scheduled_at", db_str(row, 0, CA_SCHEDULED_INPUT));
	return form_render(f, status, "campaign", db_str(row, 0, CA_SUBJECT));
}

/*
 * GET /.../campaigns/{id}: the campaign, the exact number of recipients
 * before it is sent (draft, scheduled), its progress after (sent,
 * failed, skipped, waiting, rate, expected end, a <progress> bar that
 * the page's script updates; without script, the page reloads itself
 * while sending), and its actions. 200; 403; 404; 503.
 */
int
campaign_get(struct req *r)
{
	struct campaign_scope s;
	struct form f;
	PGresult *row;
	int rc;

	if ((rc = load(r, &s, &row)))
		return rc;
	form_init(&f, r, schedule_fields);
	return campaign_page(&f, &s, row, 200);
}

/*
 * GET /.../campaigns/{id}/progress: {status, status_label, total, sent,
 * failed, skipped, cancelled, waiting, rate, eta} (JSON). 200; 403; 404;
 * 503.
 */
int
campaign_progress_get(struct req *r)
{
	struct campaign_scope s;
	PGresult *row, *p;
	int rc;

	if ((rc = load(r, &s, &row)))
		return rc;
	if (!(p = q(r, STMT_CAMPAIGN_PROGRESS, db_str(row, 0, CA_ID))) ||
	    PQntuples(p) != 1)
		return unavailable(r);
	resp_header(r, "Cache-Control", "no-store");
	return resp_json(r, 200, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:f, s:s}", "status", db_str(p, 0, CP_STATUS),
	    "status_label", campaign_status_label(db_str(p, 0, CP_STATUS)),
	    "total", (json_int_t)db_long(p, 0, CP_TOTAL),
	    "sent", (json_int_t)db_long(p, 0, CP_SENT),
	    "failed", (json_int_t)db_long(p, 0, CP_FAILED),
	    "skipped", (json_int_t)db_long(p, 0, CP_SKIPPED),
	    "cancelled", (json_int_t)db_long(p, 0, CP_CANCELLED),
	    "waiting", (json_int_t)db_long(p, 0, CP_WAITING),
	    "rate", strtod(db_str(p, 0, CP_RATE), NULL),
	    "eta", db_str(p, 0, CP_ETA)));
}

/* ---- preview and test ---------------------------------------------- */

/* A campaign's subject, text and HTML filled for one recipient. */
struct merged {
	const char *subject, *text, *html;
};

static int
merge(struct req *r, const PGresult *row, const char *first_name,
    const char *committee, struct merged *m)
{
	const struct merge_field fields[] = {
		{ "first_name", first_name }, { "committee", committee },
		{ "unsubscribe_url", "#" },
	};
	const char *html = render_body(r, db_str(row, 0, CA_BODY_MD));
	struct buf b;
	const char **out[] = { &m->subject, &m->text, &m->html };
	const char *tpl[] = { db_str(row, 0, CA_SUBJECT),
		db_str(row, 0, CA_BODY_MD), html };

	if (!html)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(out); i++) {
		buf_init(&b, MAX_OUTPUT);
		if (mail_merge(&b, tpl[i], fields, ARRAY_SIZE(fields),
		    i == 2 ? MERGE_HTML : MERGE_TEXT) < 0) {
			buf_release(&b);
			return -1;
		}
		*out[i] = arena_strndup(&r->arena, b.data ? b.data : "",
		    b.len);
		buf_release(&b);
	}
	return 0;
}

/*
 * GET /.../campaigns/{id}/preview?n=K (admins also ?email=): the subject,
 * HTML and text parts as recipient K (1-10, by address) of the audience
 * would get them, or the recipient of that address; the first ten as
 * links (addresses for admins only; others see first names and
 * initials). 200; 403; 404; 503.
 */
int
campaign_preview_get(struct req *r)
{
	const char *email = req_query(r, "email"), *n = req_query(r, "n");
	struct campaign_scope s;
	struct view_rows rows;
	struct merged m;
	PGresult *row, *sample;
	struct view v;
	long k = 1;
	int rc, admin, found;

	if ((rc = load(r, &s, &row)))
		return rc;
	admin = s.kind->sender == CS_ADMIN;
	if (!admin || !email)
		email = "";
	if (n && parse_long(n, 1, SAMPLE_SIZE, &k) < 0)
		k = 1;
	if (!(sample = q(r, STMT_CAMPAIGN_SAMPLE, db_str(row, 0, CA_ID), "",
	    "0")))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	campaign_chrome(r, &s, &v);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(sample); i++)
		view_rows_add(&rows, 3, arena_printf(&r->arena, "%d", i + 1),
		    admin ? arena_printf(&r->arena, "%s (%s)", db_str(sample,
		    i, AR_EMAIL), db_str(sample, i, AR_FIRST_NAME)) :
		    arena_printf(&r->arena, "%s %s%s", db_str(sample, i,
		    AR_FIRST_NAME), db_str(sample, i, AR_INITIAL), *db_str(
		    sample, i, AR_INITIAL) ? "." : ""), i + 1 == k && !*email ?
		    "1" : "");
	view_rows_set(&v, "sample", &rows);
	if (*email && !(sample = q(r, STMT_CAMPAIGN_SAMPLE, db_str(row, 0,
	    CA_ID), email, "0")))
		return unavailable(r);
	if (*email)
		k = 1;
	found = PQntuples(sample) >= k;
	if (merge(r, row, found ? db_str(sample, (int)k - 1, AR_FIRST_NAME) :
	    r->user->first_name, found ? db_str(sample, (int)k - 1,
	    AR_COMMITTEE) : db_str(row, 0, CA_COMMITTEE_NAME), &m) < 0)
		return 500;
	view_str(&v, "id", db_str(row, 0, CA_ID));
	view_str(&v, "path", campaign_path(r, &s, row, ""));
	view_int(&v, "admin", admin);
	view_str(&v, "email", email);
	view_int(&v, "found", found);
	view_str(&v, "who", !found ? "" : admin ? db_str(sample, (int)k - 1,
	    AR_EMAIL) : arena_printf(&r->arena, "%s %s.", db_str(sample,
	    (int)k - 1, AR_FIRST_NAME), db_str(sample, (int)k - 1,
	    AR_INITIAL)));
	view_str(&v, "subject", m.subject);
	view_str(&v, "text", m.text);
	view_raw_html_already_safe(&v, "html", m.html);
	return render(r, 200, "campaign_preview", &v, "Aperçu de la campagne");
}

/*
 * POST /.../campaigns/{id}/test: the campaign as the author would get
 * it ({first_name}: theirs; {unsubscribe_url}: "#"), subject prefixed
 * [TEST], queued to their own address (transactional, text and HTML);
 * audited. 303 to the campaign; 403; 404; 503.
 */
int
campaign_test_post(struct req *r)
{
	struct campaign_scope s;
	struct mail_extra x = { 0 };
	struct merged m;
	PGresult *row;
	struct view v;
	int rc;

	if ((rc = load(r, &s, &row)))
		return rc;
	if (merge(r, row, r->user->first_name, db_str(row, 0,
	    CA_COMMITTEE_NAME), &m) < 0)
		return 500;
	view_init(&v, &r->arena, 1);
	view_str(&v, "body", m.text);
	x.body_html = arena_printf(&r->arena, "<!doctype html>\n<html lang=\"fr"
	    "\"><head><meta charset=\"utf-8\"><title>%s</title></head><body>"
	    "\n%s</body></html>\n", html_text(r, m.subject), m.html);
	if (db_begin(&r->app->db) < 0 || outbox_add_ex(r, r->user->id,
	    r->user->email, arena_printf(&r->arena, "[TEST] %s", m.subject),
	    "campaign_test", &v, &x) < 0 || campaign_audit(r, "campaign.test",
	    db_long(row, 0, CA_ID), db_str(row, 0, CA_SUBJECT)) < 0 ||
	    db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	flash_set(r, arena_printf(&r->arena, "Un test part vers votre adresse "
	    "(%s).", r->user->email));
	return resp_redirect(r, campaign_path(r, &s, row, ""));
}

/* ---- send, schedule ------------------------------------------------ */

/*
 * POST /.../campaigns/{id}/send: the body rendered and stored, the
 * audience frozen and the campaign marked sending, in one statement
 * (campaign_start); audited. A second click finds it sending and sends
 * nothing more. 303 to the campaign's page at once; 409 (a host's second
 * campaign of the day); 422 (nobody to send to; a referent's
 * département no longer theirs); 403; 404; 503.
 */
int
campaign_send_post(struct req *r)
{
	struct campaign_scope s;
	const char *html, *total;
	PGresult *row, *res;
	int rc;

	if ((rc = load(r, &s, &row)))
		return rc;
	if (!campaign_scope_allows(&s, db_str(row, 0, CA_DEPARTEMENTS)))
		return refuse(r, &s, row, 422, "Envoi refusé", not_yours);
	if (!(res = q(r, STMT_CAMPAIGN_COUNT, db_str(row, 0, CA_ID))))
		return unavailable(r);
	if (db_long(res, 0, VALUE) == 0)
		return refuse(r, &s, row, 422, "Aucun destinataire", "Cette "
		    "campagne n'atteint personne : changez ses destinataires.");
	if (!(html = render_body(r, db_str(row, 0, CA_BODY_MD))))
		return 500;
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(res = q(r, STMT_CAMPAIGN_START, db_str(row, 0, CA_ID), html))) {
		int taken = db_unique_violation(&r->app->db);

		db_rollback(&r->app->db);
		return taken ? refuse(r, &s, row, 409, "Envoi refusé", daily) :
		    unavailable(r);
	}
	total = db_str(res, 0, VALUE);
	if (!*total) {
		db_rollback(&r->app->db);
		flash_set(r, "Cette campagne était déjà partie : rien de plus "
		    "n'est envoyé.");
	} else if (campaign_audit(r, "campaign.send", db_long(row, 0, CA_ID),
	    db_str(row, 0, CA_SUBJECT)) < 0 || db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	} else
		flash_set(r, arena_printf(&r->arena, "La campagne part vers %s "
		    "destinataire(s).", total));
	return resp_redirect(r, campaign_path(r, &s, row, ""));
}

/*
 * POST /.../campaigns/{id}/schedule: scheduled_at (local time, Paris),
 * at least a minute ahead. The body is rendered and stored; the mail
 * worker starts it when due. A draft or a scheduled campaign only;
 * audited. 303 to the campaign; 409 (not a draft; a host's day already
 * taken); 422 (the date); 403; 404; 503.
 */
int
campaign_schedule_post(struct req *r)
{
	struct campaign_scope s;
	PGresult *row, *res;
	const char *html;
	struct form f;
	int rc;

	if ((rc = load(r, &s, &row)))
		return rc;
	form_init(&f, r, schedule_fields);
	if (form_read(&f))
		return campaign_page(&f, &s, row, 422);
	if (!(res = q(r, STMT_CAMPAIGN_FUTURE, form_get(&f, "scheduled_at"))))
		return unavailable(r);
	if (!db_bool(res, 0, VALUE)) {
		form_error(&f, "scheduled_at", "Choisissez un moment à venir "
		    "(heure de Paris).");
		return campaign_page(&f, &s, row, 422);
	}
	if (!campaign_scope_allows(&s, db_str(row, 0, CA_DEPARTEMENTS)))
		return refuse(r, &s, row, 422, "Envoi refusé", not_yours);
	if (!(html = render_body(r, db_str(row, 0, CA_BODY_MD))))
		return 500;
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(res = q(r, STMT_CAMPAIGN_SCHEDULE, db_str(row, 0, CA_ID),
	    form_get(&f, "scheduled_at"), html))) {
		int taken = db_unique_violation(&r->app->db);

		db_rollback(&r->app->db);
		if (!taken)
			return unavailable(r);
		form_error(&f, "scheduled_at", daily);
		return campaign_page(&f, &s, row, 409);
	}
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		return refuse(r, &s, row, 409, "Programmation refusée", "Cette "
		    "campagne est déjà partie.");
	}
	if (campaign_audit(r, "campaign.schedule", db_long(row, 0, CA_ID),
	    db_str(row, 0, CA_SUBJECT)) < 0 || db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	flash_set(r, "La campagne est programmée.");
	return resp_redirect(r, campaign_path(r, &s, row, ""));
}

/* ---- pause, resume, cancel ----------------------------------------- */

struct change {
	enum stmt stmt;
	const char *action;	/* audit */
	const char *done, *already;
	int sends;		/* a send: a referent's scope checked */
	enum stmt after;	/* run once committed, on its own (or 0) */
};

static const struct change pausing = { STMT_CAMPAIGN_PAUSE, "campaign.pause",
	"La campagne est en pause.", "Seule une campagne en cours d'envoi "
	"peut être mise en pause.", 0 };
static const struct change resuming = { STMT_CAMPAIGN_RESUME,
	"campaign.resume", "L'envoi reprend.", "Seule une campagne en pause "
	"peut reprendre.", 1 };
static const struct change cancelling = { STMT_CAMPAIGN_CANCEL,
	"campaign.cancel", "La campagne est annulée : plus aucun message ne "
	"part.", "Cette campagne est déjà terminée ou annulée.", 0,
	STMT_CAMPAIGN_CANCEL_PENDING };

/* One guarded statement, its audit record, the commit. 303 to the
 * campaign; 409 (its status did not allow it); 422; 403; 404; 503. */
static int
change(struct req *r, const struct change *c)
{
	struct campaign_scope s;
	PGresult *row, *res;
	int rc;

	if ((rc = load(r, &s, &row)))
		return rc;
	if (c->sends && !campaign_scope_allows(&s, db_str(row, 0,
	    CA_DEPARTEMENTS)))
		return refuse(r, &s, row, 422, "Envoi refusé", not_yours);
	if (db_begin(&r->app->db) < 0 || !(res = q(r, c->stmt,
	    db_str(row, 0, CA_ID)))) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		return refuse(r, &s, row, 409, "Action impossible", c->already);
	}
	if (campaign_audit(r, c->action, db_long(row, 0, CA_ID),
	    db_str(res, 0, LABEL)) < 0 || db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	/* Failing here leaves recipients 'pending' in a cancelled campaign:
	 * nothing claims them; the mailer's sweep cancels them later. */
	if (c->after)
		q(r, c->after, db_str(row, 0, CA_ID));
	flash_set(r, c->done);
	return resp_redirect(r, campaign_path(r, &s, row, ""));
}

/* POST /.../campaigns/{id}/pause: a sending campaign stops taking new
 * recipients (those in flight finish). See change(). */
int
campaign_pause_post(struct req *r)
{
	return change(r, &pausing);
}

/* POST /.../campaigns/{id}/resume: a paused campaign sends again. */
int
campaign_resume_post(struct req *r)
{
	return change(r, &resuming);
}

/* POST /.../campaigns/{id}/cancel: a draft, scheduled, sending or
 * paused campaign is cancelled; its pending recipients too. */
int
campaign_cancel_post(struct req *r)
{
	return change(r, &cancelling);
}

/* ---- failures ------------------------------------------------------ */

/*
 * GET /.../campaigns/{id}/failures?page=N: the recipients whose mail
 * failed and why, 50 a page (admins see addresses; others a first name
 * and an initial). 200; 403; 404; 503.
 */
int
campaign_failures_get(struct req *r)
{
	const char *p = req_query(r, "page");
	struct campaign_scope s;
	struct view_rows rows;
	PGresult *row, *res;
	long page = 1, total = 0, last;
	struct view v;
	int rc, admin;

	if ((rc = load(r, &s, &row)))
		return rc;
	admin = s.kind->sender == CS_ADMIN;
	if (p && parse_long(p, 1, 1000000, &page) < 0)
		page = 1;
	if (!(res = q(r, STMT_CAMPAIGN_FAILURES, db_str(row, 0, CA_ID),
	    arena_printf(&r->arena, "%d", FAILURES_PER_PAGE),
	    arena_printf(&r->arena, "%ld", (page - 1) * FAILURES_PER_PAGE))))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	campaign_chrome(r, &s, &v);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *initial = db_str(res, i, CFL_INITIAL);

		view_rows_add(&rows, 3, db_str(res, i, CFL_ID), admin ?
		    db_str(res, i, CFL_EMAIL) : arena_printf(&r->arena, "%s%s%s%s",
		    db_str(res, i, CFL_FIRST_NAME), *initial ? " " : "", initial,
		    *initial ? "." : ""), db_str(res, i, admin ? CFL_ERROR :
		    CFL_ERROR_MASKED));
		total = db_long(res, i, CFL_COUNT);
	}
	view_rows_set(&v, "rows", &rows);
	last = MAX(1, (total + FAILURES_PER_PAGE - 1) / FAILURES_PER_PAGE);
	view_str(&v, "path", campaign_path(r, &s, row, ""));
	view_str(&v, "subject", db_str(row, 0, CA_SUBJECT));
	view_int(&v, "admin", admin);
	view_int(&v, "empty", PQntuples(res) == 0);
	view_str(&v, "caption", arena_printf(&r->arena, "%ld échec(s) — page "
	    "%ld sur %ld", total, page, last));
	view_str(&v, "prev", page > 1 ? arena_printf(&r->arena,
	    "%s/failures?page=%ld", campaign_path(r, &s, row, ""),
	    MIN(page - 1, last)) : "");
	view_str(&v, "next", page < last ? arena_printf(&r->arena,
	    "%s/failures?page=%ld", campaign_path(r, &s, row, ""), page + 1) :
	    "");
	return render(r, 200, "campaign_failures", &v, "Envois en échec");
}
