/*
 * campaign: campaign mail, in batches of MAIL_BATCH recipients, one
 * transaction each:
 *
 *   BEGIN; claim the due recipients FOR UPDATE SKIP LOCKED (the row locks
 *   are the lease: a mailer killed with -9 loses its session, PostgreSQL
 *   aborts the transaction, and another mailer takes the rows at once);
 *   render each mail; send them over this thread's SMTP connection
 *   (pipelined when offered); record_bounce() for the refusals; record
 *   every outcome and the campaign's counters in one statement; finish
 *   the campaign when nothing is pending; COMMIT.
 *
 * Exactly one mail per recipient: a recipient is 'sent' only in the
 * transaction whose mail the server accepted. The only second
 * transmission is a mail accepted between the server's 250 and a COMMIT
 * that never came (a crash); it is sent again as the very same bytes
 * (same Message-ID <uuid.rid@domain>, Date from the campaign's
 * started_at, MIME boundary from a keyed hash of the Message-ID), so the
 * receiving side sees one message.
 *
 * Outcomes: 2xx sent; 5xx failed, hard bounce (suppressed); 4xx soft
 * bounce, retried with backoff (MAIL_RETRY_BASE, doubling) unless the
 * address is now suppressed (third soft bounce in 30 days) or
 * MAIL_MAX_ATTEMPTS is reached; a connection lost during a mail's
 * exchange counts as an attempt (no bounce); mails not attempted stay
 * as they were.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../core/log.h"
#include "../core/mailmerge.h"
#include "../infra/crypto.h"
#include "mailer.h"

#include <sodium.h>

#define SKIPPED_WHY "consentement retiré ou adresse supprimée"
/* One claim in so many takes the due recipients from the start (the
 * retries, what a killed mailer left behind); the others go on after
 * the thread's last one (STMT_MAILER_CLAIM_NEXT). */
#define CLAIM_FULL_EVERY 16

/* A campaign of the batch. */
struct camp {
	long id;
	const char *uuid, *subject, *body_md, *body_html, *type, *label,
	    *sender;
	time_t started;
};

/* A claimed recipient. */
struct rcpt {
	long cid, rid, attempts;
	const char *email, *first_name, *committee;
	int gone;		/* consent gone: skipped */
	int bad;		/* an address we cannot put in a header */
	const struct camp *c;
	size_t off, len;	/* its mail in w->msgs */
	long msg;		/* its index in the SMTP batch, -1: none */
};

/* The start and the end of the HTML part: the campaign's body_html (or
 * its text, escaped) goes between, then the unsubscribe link. */
static const char layout_head[] =
	"<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width\">\n<title>";
static const char layout_body[] =
	"</title>\n</head>\n<body style=\"margin:0;padding:0;"
	"background:#f3f4f6\">\n<div style=\"max-width:600px;margin:0 auto;"
	"padding:24px;background:#ffffff;color:#1f2937;"
	"font-family:Helvetica,Arial,sans-serif;font-size:16px;"
	"line-height:1.5\">\n";
static const char layout_foot[] =
	"</div>\n<p style=\"max-width:600px;margin:0 auto;padding:16px 24px;"
	"color:#4b5563;font-family:Helvetica,Arial,sans-serif;"
	"font-size:13px\">\nVous recevez ce message car vous êtes abonné(e) "
	"à « ";

/* The campaign id's row of the batch, fetched once. NULL: db failed. */
static const struct camp *
camp_get(struct worker *w, struct camp *camps, size_t *n, long id)
{
	char idstr[24];
	PGresult *res;
	struct camp *c;

	for (size_t i = 0; i < *n; i++)
		if (camps[i].id == id)
			return &camps[i];
	snprintf(idstr, sizeof(idstr), "%ld", id);
	if (!(res = db_exec(&w->db, &w->a, STMT_MAILER_CAMPAIGN, idstr)) ||
	    PQntuples(res) != 1)
		return NULL;
	c = &camps[(*n)++];
	c->id = id;
	c->uuid = db_str(res, 0, MAILER_C_UUID);
	c->subject = db_str(res, 0, MAILER_C_SUBJECT);
	c->body_md = db_str(res, 0, MAILER_C_BODY_MD);
	c->body_html = PQgetisnull(res, 0, MAILER_C_BODY_HTML) ? NULL :
	    db_str(res, 0, MAILER_C_BODY_HTML);
	c->type = db_str(res, 0, MAILER_C_TYPE);
	c->label = db_str(res, 0, MAILER_C_LABEL);
	c->sender = db_str(res, 0, MAILER_C_SENDER);
	c->started = (time_t)db_long(res, 0, MAILER_C_STARTED);
	return c;
}

/* A header value from merged text: controls become spaces. */
static void
put_header_text(struct buf *b, struct buf *tmp)
{
	for (char *p = tmp->data; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	mime_encoded_words(b, tmp->data ? tmp->data : "");
}

/* The List-Id phrase: the label quoted when ASCII, else encoded. */
static void
put_list_id(struct buf *b, const struct mailer *m, const struct camp *c)
{
	int plain = mime_header_safe(c->label) && !strpbrk(c->label, "\"\\");

	buf_puts(b, "List-Id: ");
	if (plain)
		buf_printf(b, "\"%s\"", c->label);
	else
		mime_encoded_words(b, c->label);
	buf_printf(b, " <%s.%s>\r\n", c->type, m->domain);
}

/*
 * The mail of recipient r, appended to b: headers, then
 * multipart/alternative with the text (body_md filled, MERGE_TEXT) and
 * the HTML (body_html filled, MERGE_HTML, in the layout), both in
 * quoted-printable. Deterministic: the same recipient gets the same
 * bytes.
 */
static void
render(struct worker *w, const struct rcpt *r, struct buf *b)
{
	const struct mailer *m = w->m;
	const struct camp *c = r->c;
	struct buf *t = &w->tmp;
	char tok[MAIL_TOKEN_MAX], date[64], bd[2 * 16 + 1], msgid[384],
	    url[1024];
	unsigned char h[16];
	struct merge_field f[3];
	const char *subject;

	mail_token(m->secret, "unsubscribe", c->id, r->rid, tok);
	snprintf(msgid, sizeof(msgid), "<%s.%ld@%s>", c->uuid, r->rid,
	    m->domain);
	snprintf(url, sizeof(url), "%s/unsubscribe/%s", m->base_url, tok);
	/* Keyed: a first name cannot be made to hold the boundary. */
	crypto_generichash(h, sizeof(h), (const unsigned char *)msgid,
	    strlen(msgid), m->secret, sizeof(m->secret));
	sodium_bin2hex(bd, sizeof(bd), h, sizeof(h));
	mime_date(date, c->started);
	f[0] = (struct merge_field){ "first_name", r->first_name };
	f[1] = (struct merge_field){ "committee", r->committee };
	f[2] = (struct merge_field){ "unsubscribe_url", url };

	buf_printf(b, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: ", date,
	    m->from, r->email);
	buf_reset(t);
	mail_merge(t, c->subject, f, ARRAY_SIZE(f), MERGE_TEXT);
	put_header_text(b, t);
	subject = arena_strdup(&w->a, t->data ? t->data : "");
	buf_printf(b, "\r\nMessage-ID: %s\r\n", msgid);
	buf_printf(b, "List-Unsubscribe: <%s>, <mailto:unsubscribe+%s@%s>\r\n"
	    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
	    url, tok, m->domain);
	put_list_id(b, m, c);
	buf_printf(b, "Feedback-ID: %ld:%s:%s:civitas\r\n"
	    "Precedence: bulk\r\nAuto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/alternative; boundary=\"=_%s\"\r\n\r\n",
	    c->id, c->sender, c->type, bd);

	buf_printf(b, "--=_%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", bd);
	buf_reset(t);
	mail_merge(t, c->body_md, f, ARRAY_SIZE(f), MERGE_TEXT);
	buf_printf(t, "\n\n-- \nPour ne plus recevoir ces messages : %s\n",
	    url);
	mime_qp(b, t->data);

	buf_printf(b, "--=_%s\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", bd);
	buf_reset(t);
	buf_puts(t, layout_head);
	html_escape(t, subject);
	buf_puts(t, layout_body);
	if (c->body_html && *c->body_html)
		mail_merge(t, c->body_html, f, ARRAY_SIZE(f), MERGE_HTML);
	else {	/* no HTML stored: the text, escaped as a whole */
		struct buf plain;

		buf_init(&plain, t->max);
		mail_merge(&plain, c->body_md, f, ARRAY_SIZE(f), MERGE_TEXT);
		buf_puts(t, "<div style=\"white-space:pre-wrap\">");
		html_escape(t, plain.data ? plain.data : "");
		buf_puts(t, "</div>");
		buf_release(&plain);
	}
	buf_puts(t, layout_foot);
	html_escape(t, c->label);
	buf_puts(t, " ». <a href=\"");
	html_escape(t, url);
	buf_puts(t, "\">Se désabonner</a>\n</p>\n</body>\n</html>\n");
	mime_qp(b, t->data);
	buf_printf(b, "--=_%s--\r\n", bd);
}

/* PostgreSQL array literals, one element at a time. */
static void
arr_sep(struct buf *b)
{
	buf_putc(b, b->len ? ',' : '{');
}

static void
arr_long(struct buf *b, long v)
{
	arr_sep(b);
	buf_printf(b, "%ld", v);
}

static void
arr_text(struct buf *b, const char *s)
{
	arr_sep(b);
	if (!s) {
		buf_puts(b, "NULL");
		return;
	}
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/* The literal, closed; "{}" when empty. Copied to the arena. */
static const char *
arr_end(struct arena *a, struct buf *b)
{
	char *s;

	if (!b->len)
		buf_putc(b, '{');
	buf_putc(b, '}');
	s = arena_strndup(a, b->data, b->len);
	buf_release(b);
	return s;
}

/* A batch's outcomes, as the arrays of STMT_MAILER_RECORD. */
struct record {
	struct buf cid, rid, status, error, delay;
	int sent, failed, retried, skipped;
};

static void
record_add(struct record *o, const struct rcpt *r, const char *status,
    const char *error, double delay)
{
	arr_long(&o->cid, r->cid);
	arr_long(&o->rid, r->rid);
	arr_text(&o->status, status);
	arr_text(&o->error, error);
	arr_sep(&o->delay);
	buf_printf(&o->delay, "%.0f", delay < 0 ? 0 : delay);
	o->sent += !strcmp(status, "sent");
	o->failed += !strcmp(status, "failed");
	o->retried += !strcmp(status, "pending");
	o->skipped += !strcmp(status, "skipped");
}

/*
 * record_bounce() for every 4xx and 5xx of the batch; sets suppressed[k]
 * for the k-th message (by its index in sm). 0, or -1 (db failed).
 */
static int
record_bounces(struct worker *w, const struct rcpt *r, int n,
    const struct smtp_msg *sm, size_t nsm, char *suppressed)
{
	struct buf e, k, c, id, d;
	const char *p[5];
	PGresult *res;
	int count = 0, j = 0;

	buf_init(&e, 64 << 20);
	buf_init(&k, 64 << 20);
	buf_init(&c, 64 << 20);
	buf_init(&id, 64 << 20);
	buf_init(&d, 64 << 20);
	for (int i = 0; i < n; i++) {
		const struct smtp_msg *s;

		if (r[i].msg < 0)
			continue;
		s = &sm[r[i].msg];
		if (s->code < 400 || s->code >= 600)
			continue;
		arr_text(&e, r[i].email);
		arr_text(&k, s->code >= 500 ? "hard" : "soft");
		arr_long(&c, r[i].cid);
		arr_long(&id, r[i].rid);
		arr_text(&d, s->reply);
		count++;
	}
	p[0] = arr_end(&w->a, &e);
	p[1] = arr_end(&w->a, &k);
	p[2] = arr_end(&w->a, &c);
	p[3] = arr_end(&w->a, &id);
	p[4] = arr_end(&w->a, &d);
	if (!count)
		return 0;
	if (!(res = db_exec_array(&w->db, &w->a, STMT_MAILER_BOUNCES, 5, p)) ||
	    PQntuples(res) != count)
		return -1;
	for (size_t i = 0; i < nsm; i++)
		if (sm[i].code >= 400 && sm[i].code < 600)
			suppressed[i] = db_bool(res, j++, MAILER_B_SUPPRESSED);
	return 0;
}

/* The outcome of each claimed recipient (those not attempted: none). */
static void
decide(struct worker *w, const struct rcpt *r, int n,
    const struct smtp_msg *sm, const char *suppressed, struct record *o)
{
	for (int i = 0; i < n; i++) {
		const struct smtp_msg *s = r[i].msg >= 0 ? &sm[r[i].msg] : NULL;
		double delay;

		if (r[i].gone) {
			record_add(o, &r[i], "skipped", SKIPPED_WHY, 0);
			continue;
		}
		if (r[i].bad) {
			record_add(o, &r[i], "failed", "adresse inutilisable", 0);
			continue;
		}
		if (!s || s->code < 0)
			continue;	/* not attempted: stays as it was */
		if (s->code >= 200 && s->code < 300) {
			record_add(o, &r[i], "sent", NULL, 0);
			continue;
		}
		if (s->code >= 500 && s->code < 600) {
			record_add(o, &r[i], "failed", s->reply, 0);
			continue;
		}
		delay = mailer_backoff(w->m, r[i].attempts);
		if ((s->code >= 400 && suppressed[r[i].msg]) || delay < 0)
			record_add(o, &r[i], "failed", s->code ? s->reply :
			    arena_printf(&w->a, "SMTP: %s", s->reply), 0);
		else
			record_add(o, &r[i], "pending", s->code ? s->reply :
			    arena_printf(&w->a, "SMTP: %s", s->reply), delay);
	}
}

/* Record the outcomes; when the claim found less than a batch (the
 * end is near), finish what has nothing pending. 0 or -1. */
static int
record(struct worker *w, struct record *o, const struct camp *camps,
    size_t ncamps, int last)
{
	const char *p[5];
	struct buf ids;
	PGresult *res;

	p[0] = arr_end(&w->a, &o->cid);
	p[1] = arr_end(&w->a, &o->rid);
	p[2] = arr_end(&w->a, &o->status);
	p[3] = arr_end(&w->a, &o->error);
	p[4] = arr_end(&w->a, &o->delay);
	if (!db_exec_array(&w->db, &w->a, STMT_MAILER_RECORD, 5, p))
		return -1;
	if (!last)
		return 0;
	buf_init(&ids, 1 << 20);
	for (size_t i = 0; i < ncamps; i++)
		arr_long(&ids, camps[i].id);
	if (!(res = db_exec(&w->db, &w->a, STMT_MAILER_FINISH,
	    arr_end(&w->a, &ids))))
		return -1;
	for (int i = 0; i < PQntuples(res); i++)
		log_info("campaign %s finished", db_str(res, i, MAILER_F_ID));
	return 0;
}

/* Claim, render, send. The recipients and their messages. */
static int
claim(struct worker *w, struct rcpt **rp, struct camp **cp, size_t *ncamps,
    struct smtp_msg **smp, size_t *nsm)
{
	const struct mailer *m = w->m;
	struct arena *a = &w->a;
	struct smtp_msg *sm;
	struct camp *camps;
	struct rcpt *r;
	PGresult *res;
	int n;

	res = NULL;
	if (w->batches++ % CLAIM_FULL_EVERY != 0 && !(res = db_exec(&w->db,
	    a, STMT_MAILER_CLAIM_NEXT, arena_printf(a, "%ld", m->batch),
	    arena_printf(a, "%ld", w->cursor_cid), arena_printf(a, "%ld",
	    w->cursor_rid))))
		return -1;
	if ((!res || PQntuples(res) == 0) && !(res = db_exec(&w->db, a,
	    STMT_MAILER_CLAIM, arena_printf(a, "%ld", m->batch))))
		return -1;
	if ((n = PQntuples(res)) == 0)
		return 0;
	w->cursor_cid = db_long(res, n - 1, MAILER_R_CAMPAIGN);
	w->cursor_rid = db_long(res, n - 1, MAILER_R_ID);
	*rp = r = arena_zalloc(a, (size_t)n * sizeof(*r));
	*cp = camps = arena_zalloc(a, (size_t)n * sizeof(*camps));
	*smp = sm = arena_zalloc(a, (size_t)n * sizeof(*sm));
	*ncamps = *nsm = 0;
	buf_reset(&w->msgs);
	for (int i = 0; i < n; i++) {
		char tok[MAIL_TOKEN_MAX];

		r[i].cid = db_long(res, i, MAILER_R_CAMPAIGN);
		r[i].rid = db_long(res, i, MAILER_R_ID);
		r[i].email = db_str(res, i, MAILER_R_EMAIL);
		r[i].first_name = db_str(res, i, MAILER_R_FIRST_NAME);
		r[i].committee = db_str(res, i, MAILER_R_COMMITTEE);
		r[i].attempts = db_long(res, i, MAILER_R_ATTEMPTS);
		r[i].gone = db_bool(res, i, MAILER_R_GONE);
		r[i].bad = !r[i].gone && (!mime_header_safe(r[i].email) ||
		    strpbrk(r[i].email, "<> ,;\"") || !strchr(r[i].email, '@'));
		r[i].msg = -1;
		if (r[i].gone || r[i].bad)
			continue;
		if (!(r[i].c = camp_get(w, camps, ncamps, r[i].cid)))
			return -1;
		r[i].off = w->msgs.len;
		render(w, &r[i], &w->msgs);
		r[i].len = w->msgs.len - r[i].off;
		mail_token(m->secret, "bounce", r[i].cid, r[i].rid, tok);
		r[i].msg = (long)*nsm;
		sm[*nsm].from = arena_printf(a, "bounces+%s@%s", tok, m->domain);
		sm[*nsm].to = r[i].email;
		(*nsm)++;
	}
	/* The buffer has stopped moving: point into it. */
	for (int i = 0; i < n; i++)
		if (r[i].msg >= 0) {
			sm[r[i].msg].data = w->msgs.data + r[i].off;
			sm[r[i].msg].len = r[i].len;
		}
	return n;
}

int
campaign_batch(struct worker *w)
{
	struct record o;
	struct smtp_msg *sm = NULL;
	struct camp *camps = NULL;
	struct rcpt *r = NULL;
	size_t ncamps = 0, nsm = 0, done = 0;
	char *suppressed;
	int n, rc = -1;

	memset(&o, 0, sizeof(o));
	buf_init(&o.cid, 64 << 20);
	buf_init(&o.rid, 64 << 20);
	buf_init(&o.status, 64 << 20);
	buf_init(&o.error, 64 << 20);
	buf_init(&o.delay, 64 << 20);
	if (db_begin(&w->db) < 0)
		goto out;
	if ((n = claim(w, &r, &camps, &ncamps, &sm, &nsm)) <= 0) {
		rc = n;
		if (n == 0 && db_commit(&w->db) < 0)
			rc = -1;
		goto out;
	}
	if (nsm)
		done = smtp_send(&w->smtp, sm, nsm, mono_now() + SMTP_TIMEOUT);
	if (done < nsm)
		log_error("campaign: SMTP: %s (%zu of %zu mails attempted)",
		    *w->smtp.error ? w->smtp.error : "batch took too long",
		    done, nsm);
	suppressed = arena_zalloc(&w->a, nsm + 1);
	if (record_bounces(w, r, n, sm, nsm, suppressed) < 0)
		goto out;
	decide(w, r, n, sm, suppressed, &o);
	if (record(w, &o, camps, ncamps, n < w->m->batch) < 0 ||
	    db_commit(&w->db) < 0) {
		log_error("campaign: the outcomes of %zu mails were not "
		    "recorded: they will be sent again, the same", done);
		goto out;
	}
	if (o.sent + o.failed + o.retried + o.skipped)
		log_info("campaign batch: %d sent, %d failed, %d to retry, "
		    "%d skipped", o.sent, o.failed, o.retried, o.skipped);
	/* Nothing could be attempted: the SMTP server is down, wait. */
	rc = nsm && !done ? -1 : 1;
out:
	if (rc < 0 || w->db.in_tx)
		db_rollback(&w->db);
	buf_release(&o.cid);
	buf_release(&o.rid);
	buf_release(&o.status);
	buf_release(&o.error);
	buf_release(&o.delay);
	buf_reset(&w->msgs);
	return rc;
}

void
campaign_chores(struct worker *w)
{
	PGresult *res, *st;

	if ((res = db_exec(&w->db, &w->a, STMT_MAILER_DUE)))
		for (int i = 0; i < PQntuples(res); i++) {
			const char *id = db_str(res, i, MAILER_D_ID);

			if (db_begin(&w->db) < 0)
				return;
			if (!db_exec(&w->db, &w->a, STMT_MAILER_LONG_TX) ||
			    !(st = db_exec(&w->db, &w->a, STMT_MAILER_START,
			    id)) || db_commit(&w->db) < 0) {
				db_rollback(&w->db);
				return;
			}
			if (!PQgetisnull(st, 0, VALUE))
				log_info("campaign %s scheduled: started, %s "
				    "recipients", id, db_str(st, 0, VALUE));
		}
}

void
campaign_sweep(struct worker *w)
{
	PGresult *res;

	if ((res = db_exec(&w->db, &w->a, STMT_MAILER_FINISH, NULL)))
		for (int i = 0; i < PQntuples(res); i++)
			log_info("campaign %s finished", db_str(res, i,
			    MAILER_F_ID));
	/* A cancel whose second step failed (campaigns_send.c). */
	db_exec(&w->db, &w->a, STMT_MAILER_CANCEL_PENDING);
}

double
campaign_next_due(struct worker *w)
{
	PGresult *res = db_exec(&w->db, &w->a, STMT_MAILER_NEXT_DUE);

	return res ? strtod(db_str(res, 0, VALUE), NULL) : 5;
}
