/*
 * civitas-mailer: delivers the PostgreSQL outbox and campaigns over SMTP.
 *
 * MAIL_CONNECTIONS threads (4), each with its own PostgreSQL connection
 * and its own persistent SMTP connection (jobs/smtp.c). Each loop of a
 * thread first drains the outbox (transactional mail: a sign-up
 * confirmation is never stuck behind a campaign), then sends one batch
 * of campaign mail (jobs/campaign.c). Thread 0 also queues the reminders
 * and starts the scheduled campaigns.
 *
 * The outbox:
 * One message per transaction: claim the oldest due row with
 * FOR UPDATE SKIP LOCKED (so several mailers never take the same one), send
 * it, and mark it sent in that same transaction. A crash before COMMIT
 * leaves the row unsent and unlocked, so it is retried: no mail is lost.
 * The only window for a second transmission is between the SMTP server's
 * final "250" and our COMMIT; the Message-ID, fixed when the row was
 * written, lets the receiving side recognise that copy as the same mail.
 *
 * A failed delivery is retried with exponential backoff
 * (MAIL_RETRY_BASE seconds, doubling, capped at an hour) and given up after
 * MAIL_MAX_ATTEMPTS, or at once when the server refuses it for good (5xx);
 * last_error keeps the server's reply. New mail wakes the mailer at once (LISTEN outbox).
 *
 * A message is plain text, or multipart/mixed when it has an attachment
 * (an event's .ics: its text part, then the file in base64); a Reply-To
 * is sent when the row has one. A row with body_html (a campaign's test
 * send) is multipart/alternative: the text, then the HTML in
 * quoted-printable.
 *
 * The reminder the day before an event is a job of this process: at start
 * and every minute, one statement claims the events due (reminded_at) and
 * queues their mails (STMT_REMIND_CLAIM), so that two mailers, or one
 * killed and restarted, never send a reminder twice. Its text is
 * views/mail/event_reminder.txt under CIVITAS_ROOT.
 *
 * Environment: DATABASE_URL, SMTP_URL (smtp://host:port: plain SMTP to
 * the local MTA in production, see smtp.h), MAIL_FROM, MAIL_RETRY_BASE
 * (30), MAIL_MAX_ATTEMPTS (10), MAIL_CONNECTIONS (4), MAIL_BATCH (100),
 * DB_TIMEOUT_MS (2000, as the workers: db.h), APP_SECRET (the mail
 * tokens: config.h), BASE_URL and CIVITAS_ROOT (as the workers).
 */
#include "../core/common.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../core/parse.h"
#include "mailer.h"

#include <ctype.h>
#include <signal.h>
#include <sodium.h>
#include <unistd.h>

/* Seconds between two looks for events to remind. */
#define REMIND_EVERY 60
#define REMINDER_TEMPLATE "views/mail/event_reminder.txt"

volatile sig_atomic_t mailer_stopping;

/* What a message carries besides its text (NULL: none). */
struct mail_parts {
	const char *reply_to;
	const char *attachment_name;
	const char *attachment_type;
	const char *attachment;
	const char *body_html;
	const char *from_name;
};

static void
on_term(int sig)
{
	(void)sig;
	mailer_stopping = 1;
}

/* The attachment as a MIME part in base64, lines of 76 characters. Its
 * name keeps [A-Za-z0-9._-] only, its type is checked like a header. */
static void
put_attachment(struct buf *b, const struct mail_parts *x)
{
	buf_printf(b, "Content-Type: %s\r\nContent-Disposition: attachment; "
	    "filename=\"", mime_header_safe(x->attachment_type) ?
	    x->attachment_type : "application/octet-stream");
	for (const char *p = x->attachment_name; *p; p++)
		if (isalnum((unsigned char)*p) || strchr("._-", *p))
			buf_putc(b, *p);
	buf_puts(b, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	mime_base64(b, x->attachment, strlen(x->attachment));
}

/* The text alone, or the text and the HTML as multipart/alternative
 * (boundary bd, the headers of the part included). */
static void
put_body(struct buf *b, const char *bd, const char *body,
    const char *html)
{
	if (!html) {
		buf_puts(b, "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n\r\n");
		mime_text(b, body);
		return;
	}
	buf_printf(b, "Content-Type: multipart/alternative; "
	    "boundary=\"=_a%s\"\r\n\r\n--=_a%s\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", bd, bd);
	mime_text(b, body);
	buf_printf(b, "--=_a%s\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", bd);
	mime_qp(b, html);
	buf_printf(b, "--=_a%s--\r\n", bd);
}

/* MAIL_FROM's display name ("civitas" when it has none). */
static const char *
site_name(const struct mailer *m, char *out, size_t n)
{
	const char *lt = strchr(m->from, '<');
	size_t len = lt ? (size_t)(lt - m->from) : 0;
	const char *s = m->from;

	while (len && (*s == ' ' || *s == '"')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '"'))
		len--;
	snprintf(out, n, "%.*s", (int)len, len ? s : "civitas");
	return out;
}

/*
 * The From header: MAIL_FROM, or for a person writing through the
 * platform (from_name) "Name (via Site)" <our address>: the address stays
 * ours (infra/outbox.h: DMARC). The name is a quoted string when it is printable
 * ASCII, else RFC 2047 encoded-words (allowed in a phrase, 5(3)).
 */
static void
put_from(struct buf *b, const struct mailer *m, const char *from_name)
{
	char site[128];
	struct buf nb;
	int ascii = 1;

	if (!from_name || !*from_name) {
		buf_puts(b, m->from);
		return;
	}
	buf_init(&nb, 1024);
	buf_printf(&nb, "%s (via %s)", from_name, site_name(m, site,
	    sizeof(site)));
	for (size_t i = 0; i < nb.len; i++)
		ascii &= (unsigned char)nb.data[i] >= 0x20 &&
		    (unsigned char)nb.data[i] < 0x7f;
	if (ascii) {
		buf_putc(b, '"');
		for (size_t i = 0; i < nb.len; i++) {
			if (nb.data[i] == '"' || nb.data[i] == '\\')
				buf_putc(b, '\\');
			buf_putc(b, nb.data[i]);
		}
		buf_putc(b, '"');
	} else {
		mime_encoded_words(b, nb.data);
	}
	buf_release(&nb);
	buf_printf(b, " <%s>", m->envelope_from);
}

static void
build_message(const struct mailer *m, struct buf *b, const char *msgid,
    const char *to, const char *subject, const char *body,
    const struct mail_parts *x)
{
	char date[64], boundary[2 * 16 + 1];
	unsigned char rnd[16];

	mime_date(date, time(NULL));
	buf_printf(b, "Date: %s\r\nFrom: ", date);
	put_from(b, m, x->from_name);
	buf_printf(b, "\r\nTo: %s\r\nSubject: ", to);
	mime_encoded_words(b, subject);
	buf_printf(b, "\r\nMessage-ID: %s\r\n", msgid);
	if (mime_header_safe(x->reply_to))
		buf_printf(b, "Reply-To: %s\r\n", x->reply_to);
	buf_puts(b, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
	/* A random boundary: no text can hold it by chance. */
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(boundary, sizeof(boundary), rnd, sizeof(rnd));
	if (!x->attachment) {
		put_body(b, boundary, body, x->body_html);
		return;
	}
	buf_printf(b, "Content-Type: multipart/mixed; boundary=\"=_%s\"\r\n"
	    "\r\n--=_%s\r\n", boundary, boundary);
	put_body(b, boundary, body, x->body_html);
	buf_printf(b, "--=_%s\r\n", boundary);
	put_attachment(b, x);
	buf_printf(b, "--=_%s--\r\n", boundary);
}

/* Column col of row 0, NULL when it is NULL. */
static const char *
column_or_null(PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? NULL : db_str(res, 0, col);
}

double
mailer_backoff(const struct mailer *m, long attempts)
{
	double d = (double)m->retry_base;

	if (attempts + 1 >= m->max_attempts)
		return -1;	/* give up: next_attempt_at = infinity */
	for (long i = 0; i < attempts && d < 3600; i++)
		d *= 2;
	return d > 3600 ? 3600 : d;
}

/* Deliver one due message. 1 sent or failed, 0 nothing due, -1 db down
 * or SMTP server unreachable. */
static int
deliver_one(struct worker *w)
{
	struct arena *a = &w->a;
	struct smtp_msg sm;
	struct mail_parts x;
	PGresult *res;
	char err[SMTP_REPLY_MAX + 32];
	int rc;

	if (db_begin(&w->db) < 0)
		return -1;
	if (!(res = db_exec(&w->db, a, STMT_OUTBOX_CLAIM))) {
		db_rollback(&w->db);
		return -1;
	}
	if (PQntuples(res) == 0) {
		db_commit(&w->db);
		return 0;
	}
	x.reply_to = column_or_null(res, OUTBOX_REPLY_TO);
	x.attachment_name = column_or_null(res, OUTBOX_ATTACHMENT_NAME);
	x.attachment_type = column_or_null(res, OUTBOX_ATTACHMENT_TYPE);
	x.attachment = x.attachment_name && x.attachment_type ?
	    column_or_null(res, OUTBOX_ATTACHMENT) : NULL;
	x.body_html = column_or_null(res, OUTBOX_BODY_HTML);
	x.from_name = column_or_null(res, OUTBOX_FROM_NAME);
	buf_reset(&w->msgs);
	build_message(w->m, &w->msgs, db_str(res, 0, OUTBOX_MESSAGE_ID),
	    db_str(res, 0, OUTBOX_TO), db_str(res, 0, OUTBOX_SUBJECT),
	    db_str(res, 0, OUTBOX_BODY), &x);
	memset(&sm, 0, sizeof(sm));
	sm.from = w->m->envelope_from;
	sm.to = db_str(res, 0, OUTBOX_TO);
	sm.data = w->msgs.data;
	sm.len = w->msgs.len;
	smtp_send(&w->smtp, &sm, 1, 0);
	if (sm.code >= 200 && sm.code < 300) {
		rc = db_exec(&w->db, a, STMT_OUTBOX_SENT, db_str(res, 0,
		    OUTBOX_ID)) && db_commit(&w->db) == 0 ? 1 : -1;
		if (rc == 1)
			log_info("sent %s", db_str(res, 0, OUTBOX_MESSAGE_ID));
	} else {
		long attempts = db_long(res, 0, OUTBOX_ATTEMPTS);
		int permanent = sm.code >= 500 && sm.code < 600;
		double delay = permanent ? -1 : mailer_backoff(w->m, attempts);
		char *d = arena_printf(a, "%.0f", delay);

		if (sm.code > 0)
			snprintf(err, sizeof(err), "%s", sm.reply);
		else
			snprintf(err, sizeof(err), "SMTP: %s", *sm.reply ?
			    sm.reply : w->smtp.error);
		log_error("delivery of %s failed (attempt %ld): %s%s",
		    db_str(res, 0, OUTBOX_MESSAGE_ID), attempts + 1, err,
		    delay < 0 ? "; giving up" : "");
		rc = db_exec(&w->db, a, STMT_OUTBOX_FAILED, db_str(res, 0,
		    OUTBOX_ID), err, d) && db_commit(&w->db) == 0 ? 1 : -1;
		/* Unreachable server: let the caller wait before the next. */
		if (rc == 1 && sm.code <= 0)
			rc = -1;
	}
	buf_reset(&w->msgs);
	if (rc < 0)
		db_rollback(&w->db);
	return rc;
}
/* The reminder's text as a format() string for STMT_REMIND_CLAIM: the
 * template's {first_name} {event} {when} {place} {link} {base_url} become
 * %1$s to %6$s, and a '%' "%%" (so the values are put in one pass: a
 * name holding "{link}" stays as it is). NULL when it cannot be read. */
static char *
reminder_format(const char *root)
{
	static const char *const names[] = {
		"{first_name}", "{event}", "{when}", "{place}", "{link}",
		"{base_url}",
	};
	char path[4096], tpl[64 * 1024];
	struct buf out;
	FILE *f;
	size_t n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root,
	    REMINDER_TEMPLATE) >= sizeof(path) || !(f = fopen(path, "r")))
		return NULL;
	n = fread(tpl, 1, sizeof(tpl) - 1, f);
	fclose(f);
	tpl[n] = '\0';
	buf_init(&out, 4 * sizeof(tpl));
	for (const char *p = tpl; *p; p++) {
		size_t i = 0;

		while (i < ARRAY_SIZE(names) && strncmp(p, names[i],
		    strlen(names[i])))
			i++;
		if (i < ARRAY_SIZE(names)) {
			buf_printf(&out, "%%%zu$s", i + 1);
			p += strlen(names[i]) - 1;
		} else if (*p == '%')
			buf_puts(&out, "%%");
		else
			buf_putc(&out, *p);
	}
	return buf_detach(&out, NULL);
}

/* At start and every REMIND_EVERY seconds: queue the reminders of the
 * events due. Outside any transaction: the claim is one statement. */
static void
remind(struct worker *w)
{
	struct arena *a = &w->a;
	time_t now = time(NULL);
	PGresult *res;
	char *fmt;

	if (now < w->next_remind || !(res = db_exec(&w->db, a,
	    STMT_REMIND_DUE)))
		return;	/* not yet, or PostgreSQL down: the next loop */
	w->next_remind = now + REMIND_EVERY;
	if (!db_bool(res, 0, VALUE))
		return;
	if (!(fmt = reminder_format(w->m->root))) {
		log_error("reminders: cannot read %s/%s", w->m->root,
		    REMINDER_TEMPLATE);
		return;
	}
	if ((res = db_exec(&w->db, a, STMT_REMIND_CLAIM, w->m->base_url,
	    fmt)))
		log_info("reminders: %s mails queued", db_str(res, 0, VALUE));
	else
		w->next_remind = now + 1;	/* failed: try again soon */
	free(fmt);
}

/* Sleep until new mail is announced (LISTEN outbox, db.c: a new outbox
 * row, a campaign that starts sending), the next retry or scheduled
 * campaign is due, or 5 s. */
static void
wait_for_mail(struct worker *w)
{
	PGresult *res;
	double due = 5, c;

	if ((res = db_exec(&w->db, &w->a, STMT_OUTBOX_NEXT_DUE)))
		due = strtod(db_str(res, 0, VALUE), NULL);
	c = campaign_next_due(w);
	if (c < due)
		due = c;
	if (due > 5)
		due = 5;
	if (due > 0)
		db_wait_notification(&w->db, (int)(due * 1000) + 10);
	else
		db_notifications(&w->db);	/* due now: forget the wake-ups */
}

/* The address of MAIL_FROM ("Name <addr>" or "addr"), and its domain. */
static void
mailer_envelope(struct mailer *m)
{
	const char *lt = strchr(m->from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *at;

	if (lt && gt && gt > lt + 1)
		snprintf(m->envelope_from, sizeof(m->envelope_from), "%.*s",
		    (int)(gt - lt - 1), lt + 1);
	else
		snprintf(m->envelope_from, sizeof(m->envelope_from), "%s",
		    m->from);
	at = strrchr(m->envelope_from, '@');
	snprintf(m->domain, sizeof(m->domain), "%s", at && at[1] ? at + 1 :
	    "localhost");
}

/*
 * The keyed hashes of the 24-hour rule (invitation_addresses: invitations,
 * "Convaincre un ami") are kept 30 days: thread 0 deletes the older ones
 * at start and then hourly.
 */
static void
purge_invitation_hashes(struct worker *w)
{
	static time_t last;	/* thread 0's only */
	time_t now = time(NULL);

	if (last && now - last < 3600)
		return;
	if (db_exec(&w->db, &w->a, STMT_INVITE_ADDRESS_PURGE))
		last = now;
}

/* One thread: the outbox first (all that is due), then one campaign
 * batch; sleep when neither had anything. */
static void *
worker_run(void *arg)
{
	struct worker *w = arg;

	while (!mailer_stopping) {
		int rc = 0, busy = 0;

		if (w->idx == 0) {
			remind(w);
			arena_reset(&w->a);
			purge_invitation_hashes(w);
			arena_reset(&w->a);
			missions_chores(w);	/* issue 11 */
			arena_reset(&w->a);
			campaign_chores(w);
			arena_reset(&w->a);
		}
		while (!mailer_stopping && (rc = deliver_one(w)) > 0) {
			busy = 1;
			arena_reset(&w->a);
		}
		arena_reset(&w->a);
		if (rc == 0 && !mailer_stopping) {
			rc = campaign_batch(w);
			busy |= rc > 0;
			arena_reset(&w->a);
			if (rc == 0 && w->idx == 0) {
				campaign_sweep(w);
				/* donations: gifts left pending a day */
				db_exec(&w->db, &w->a, STMT_DONATION_EXPIRE);
			}
			arena_reset(&w->a);
		}
		if (rc < 0)
			sleep(1);	/* PostgreSQL or SMTP down: soon */
		else if (!busy && !mailer_stopping)
			wait_for_mail(w);
		arena_reset(&w->a);
	}
	return NULL;
}

static int
mailer_load(struct mailer *m)
{
	struct config cfg;
	char err[256];
	const char *v;

	if (config_load(&cfg, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	memset(m, 0, sizeof(*m));
	m->database_url = cfg.database_url;
	m->db_timeout_ms = cfg.db_timeout_ms;
	m->smtp_url = cfg.smtp_url;
	m->from = cfg.mail_from;
	m->base_url = cfg.base_url;
	m->root = cfg.root;
	memcpy(m->secret, cfg.secret, sizeof(m->secret));
	sodium_memzero(cfg.secret, sizeof(cfg.secret));
	mailer_envelope(m);
	m->retry_base = 30;
	m->max_attempts = 10;
	m->connections = 4;
	m->batch = 100;
	parse_long(getenv("MAIL_RETRY_BASE"), 1, 86400, &m->retry_base);
	parse_long(getenv("MAIL_MAX_ATTEMPTS"), 1, 1000, &m->max_attempts);
	if ((v = getenv("MAIL_CONNECTIONS")) && *v &&
	    parse_long(v, 1, 64, &m->connections) < 0) {
		log_error("MAIL_CONNECTIONS must be an integer in 1..64");
		free((char *)m->base_url);	/* config_load's copy */
		return -1;
	}
	if ((v = getenv("MAIL_BATCH")) && *v &&
	    parse_long(v, 1, 1000, &m->batch) < 0) {
		log_error("MAIL_BATCH must be an integer in 1..1000");
		free((char *)m->base_url);
		return -1;
	}
	return 0;
}

static void
worker_init(struct worker *w, const struct mailer *m, int idx)
{
	memset(w, 0, sizeof(*w));
	w->idx = idx;
	w->m = m;
	db_init(&w->db, m->database_url);
	w->db.listen = "outbox";
	w->db.timeout_ms = m->db_timeout_ms;
	/* A batch's transaction stays open across its SMTP exchange: the
	 * server must not end it meanwhile (smtp.h, campaign.c). */
	w->db.idle_tx_ms = (2 * SMTP_TIMEOUT + 30) * 1000;
	if (smtp_init(&w->smtp, m->smtp_url, SMTP_TIMEOUT * 1000) < 0)
		abort();	/* checked in main */
	arena_init(&w->a, 64 * 1024);
	/* The largest batch: MAIL_BATCH messages, each at most the outbox's
	 * 16 MB or a campaign of 100,000 characters rendered twice. */
	buf_init(&w->msgs, 1024 * 1024 * 1024);
	buf_init(&w->tmp, 16 * 1024 * 1024);
}

static void
worker_release(struct worker *w)
{
	smtp_release(&w->smtp);
	db_release(&w->db);
	arena_release(&w->a);
	buf_release(&w->msgs);
	buf_release(&w->tmp);
}

int
main(void)
{
	struct mailer m;
	struct worker *w;
	struct smtp probe;
	struct sigaction sa;
	int rc = 0;

	log_set_role("mailer");
	if (mailer_load(&m) < 0)
		return 1;
	if (smtp_init(&probe, m.smtp_url, 1000) < 0) {
		log_error("SMTP_URL must be smtp://host[:port], not %s",
		    m.smtp_url);
		return 1;
	}
	smtp_release(&probe);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	w = xcalloc((size_t)m.connections, sizeof(*w));
	log_info("delivering to %s, %ld connections, batches of %ld",
	    m.smtp_url, m.connections, m.batch);
	for (long i = 0; i < m.connections; i++) {
		worker_init(&w[i], &m, (int)i);
		if (i > 0 && pthread_create(&w[i].thread, NULL, worker_run,
		    &w[i]) != 0) {
			log_error("cannot start thread %ld", i);
			abort();
		}
	}
	worker_run(&w[0]);
	for (long i = 1; i < m.connections; i++)
		pthread_join(w[i].thread, NULL);
	log_info("stopping");
	for (long i = 0; i < m.connections; i++)
		worker_release(&w[i]);
	free(w);
	free((char *)m.base_url);
	sodium_memzero(m.secret, sizeof(m.secret));
	return rc;
}
