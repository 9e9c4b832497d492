/*
 * civitas-mailer: delivers the PostgreSQL outbox over SMTP.
 *
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
 * is sent when the row has one.
 *
 * The reminder the day before an event is a job of this process: at start
 * and every minute, one statement claims the events due (reminded_at) and
 * queues their mails (STMT_REMIND_CLAIM), so that two mailers, or one
 * killed and restarted, never send a reminder twice. Its text is
 * views/mail/event_reminder.txt under CIVITAS_ROOT.
 *
 * Environment: DATABASE_URL, SMTP_URL, MAIL_FROM, MAIL_RETRY_BASE (30),
 * MAIL_MAX_ATTEMPTS (10), DB_TIMEOUT_MS (2000, as the workers: db.h),
 * BASE_URL and CIVITAS_ROOT (as the workers).
 */
#include "../core/common.h"
#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/log.h"
#include "../core/parse.h"
#include "../infra/db.h"

#include <ctype.h>
#include <curl/curl.h>
#include <signal.h>
#include <sodium.h>
#include <time.h>
#include <unistd.h>

/* Seconds an SMTP exchange may take, connection included. */
#define SMTP_TIMEOUT 60
/* Seconds between two looks for events to remind. */
#define REMIND_EVERY 60
#define REMINDER_TEMPLATE "views/mail/event_reminder.txt"
#ifndef CIVITAS_DEFAULT_ROOT
#define CIVITAS_DEFAULT_ROOT "/usr/share/civitas"
#endif

static volatile sig_atomic_t stopping;

struct mailer {
	struct db db;
	CURL *curl;
	const char *smtp_url;
	const char *from;	/* header form: Name <addr> */
	char envelope_from[256];
	long retry_base;
	long max_attempts;
	char *base_url;		/* BASE_URL, for links and Message-IDs */
	const char *root;	/* CIVITAS_ROOT */
	time_t next_remind;	/* when to look for events to remind */
};

/* What a message carries besides its text (NULL: none). */
struct mail_parts {
	const char *reply_to;
	const char *attachment_name;
	const char *attachment_type;
	const char *attachment;
};

struct upload {
	const char *data;
	size_t len;
	size_t off;
};

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static size_t
read_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct upload *u = userp;
	size_t n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return n;
}

/* RFC 2047 encoded-word for a UTF-8 subject. */
static void
encode_subject(struct buf *b, const char *s)
{
	size_t n = strlen(s), cap = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_ORIGINAL);
	char *enc = xmalloc(cap);
	int ascii = 1;

	for (const char *p = s; *p; p++)
		ascii &= (unsigned char)*p < 0x80 && *p != '\r' && *p != '\n';
	if (ascii) {
		buf_puts(b, s);
	} else {
		sodium_bin2base64(enc, cap, (const unsigned char *)s, n,
		    sodium_base64_VARIANT_ORIGINAL);
		buf_printf(b, "=?UTF-8?B?%s?=", enc);
	}
	free(enc);
}

/* May s go into a header as it is (printable ASCII, no CR or LF)? */
static int
header_safe(const char *s)
{
	if (!s || !*s)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

/* The text with CRLF line ends, ending in CRLF. */
static void
put_text(struct buf *b, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '\n' && (p == text || p[-1] != '\r'))
			buf_putc(b, '\r');
		buf_putc(b, *p);
	}
	if (b->len < 2 || b->data[b->len - 1] != '\n')
		buf_puts(b, "\r\n");
}

/* The attachment as a MIME part in base64, lines of 76 characters. Its
 * name keeps [A-Za-z0-9._-] only, its type is checked like a header. */
static void
put_attachment(struct buf *b, const struct mail_parts *x)
{
	const char *data = x->attachment;
	size_t n = strlen(data), cap = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_ORIGINAL), len;
	char *enc = xmalloc(cap);

	buf_printf(b, "Content-Type: %s\r\nContent-Disposition: attachment; "
	    "filename=\"", header_safe(x->attachment_type) ?
	    x->attachment_type : "application/octet-stream");
	for (const char *p = x->attachment_name; *p; p++)
		if (isalnum((unsigned char)*p) || strchr("._-", *p))
			buf_putc(b, *p);
	buf_puts(b, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	sodium_bin2base64(enc, cap, (const unsigned char *)data, n,
	    sodium_base64_VARIANT_ORIGINAL);
	len = strlen(enc);
	for (size_t i = 0; i < len; i += 76) {
		buf_append(b, enc + i, MIN(76, len - i));
		buf_puts(b, "\r\n");
	}
	free(enc);
}

static void
build_message(struct mailer *m, struct buf *b, const char *msgid,
    const char *to, const char *subject, const char *body,
    const struct mail_parts *x)
{
	char date[64], boundary[2 * 16 + 1];
	unsigned char rnd[16];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_printf(b, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: ", date,
	    m->from, to);
	encode_subject(b, subject);
	buf_printf(b, "\r\nMessage-ID: %s\r\n", msgid);
	if (header_safe(x->reply_to))
		buf_printf(b, "Reply-To: %s\r\n", x->reply_to);
	buf_puts(b, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
	if (!x->attachment) {
		buf_puts(b, "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n\r\n");
		put_text(b, body);
		return;
	}
	/* A random boundary: no text can hold it by chance. */
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(boundary, sizeof(boundary), rnd, sizeof(rnd));
	buf_printf(b, "Content-Type: multipart/mixed; boundary=\"=_%s\"\r\n"
	    "\r\n--=_%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", boundary, boundary);
	put_text(b, body);
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

/* 0 when the SMTP server accepted the message; else -1 with err set and
 * *permanent when the server refused it for good (a 5xx reply). */
static int
smtp_send(struct mailer *m, const char *to, const struct buf *msg,
    char *err, size_t errsz, int *permanent)
{
	struct curl_slist *rcpt = curl_slist_append(NULL, to);
	struct upload u = { msg->data, msg->len, 0 };
	char detail[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;

	curl_easy_setopt(m->curl, CURLOPT_URL, m->smtp_url);
	curl_easy_setopt(m->curl, CURLOPT_MAIL_FROM, m->envelope_from);
	curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(m->curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(m->curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(m->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(m->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(m->curl, CURLOPT_TIMEOUT, (long)SMTP_TIMEOUT);
	curl_easy_setopt(m->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(m->curl, CURLOPT_ERRORBUFFER, detail);
	rc = curl_easy_perform(m->curl);
	curl_easy_setopt(m->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(rcpt);
	*permanent = 0;
	if (rc == CURLE_OK)
		return 0;
	curl_easy_getinfo(m->curl, CURLINFO_RESPONSE_CODE, &code);
	*permanent = code >= 500 && code < 600;
	snprintf(err, errsz, "%s%s%s (SMTP %ld)", curl_easy_strerror(rc),
	    *detail ? ": " : "", detail, code);
	return -1;
}

static double
backoff(const struct mailer *m, long attempts)
{
	double d = (double)m->retry_base;

	if (attempts + 1 >= m->max_attempts)
		return -1;	/* give up: next_attempt_at = infinity */
	for (long i = 0; i < attempts && d < 3600; i++)
		d *= 2;
	return d > 3600 ? 3600 : d;
}

/* Deliver one due message. 1 sent or failed, 0 nothing due, -1 db down. */
static int
deliver_one(struct mailer *m, struct arena *a)
{
	char err[CURL_ERROR_SIZE + 128];
	PGresult *res;
	struct mail_parts x;
	struct buf msg;
	int rc, permanent;

	if (db_begin(&m->db) < 0)
		return -1;
	if (!(res = db_exec(&m->db, a, STMT_OUTBOX_CLAIM))) {
		db_rollback(&m->db);
		return -1;
	}
	if (PQntuples(res) == 0) {
		db_commit(&m->db);
		return 0;
	}
	x.reply_to = column_or_null(res, OUTBOX_REPLY_TO);
	x.attachment_name = column_or_null(res, OUTBOX_ATTACHMENT_NAME);
	x.attachment_type = column_or_null(res, OUTBOX_ATTACHMENT_TYPE);
	x.attachment = x.attachment_name && x.attachment_type ?
	    column_or_null(res, OUTBOX_ATTACHMENT) : NULL;
	buf_init(&msg, 16 * 1024 * 1024);
	build_message(m, &msg, db_str(res, 0, OUTBOX_MESSAGE_ID),
	    db_str(res, 0, OUTBOX_TO), db_str(res, 0, OUTBOX_SUBJECT),
	    db_str(res, 0, OUTBOX_BODY), &x);
	if (smtp_send(m, db_str(res, 0, OUTBOX_TO), &msg, err, sizeof(err),
	    &permanent) == 0) {
		rc = db_exec(&m->db, a, STMT_OUTBOX_SENT, db_str(res, 0,
		    OUTBOX_ID)) && db_commit(&m->db) == 0 ? 1 : -1;
		if (rc == 1)
			log_info("sent %s", db_str(res, 0, OUTBOX_MESSAGE_ID));
	} else {
		long attempts = db_long(res, 0, OUTBOX_ATTEMPTS);
		double delay = permanent ? -1 : backoff(m, attempts);
		char *d = arena_printf(a, "%.0f", delay);

		log_error("delivery of %s failed (attempt %ld): %s%s",
		    db_str(res, 0, OUTBOX_MESSAGE_ID), attempts + 1, err,
		    delay < 0 ? "; giving up" : "");
		rc = db_exec(&m->db, a, STMT_OUTBOX_FAILED, db_str(res, 0,
		    OUTBOX_ID), err, d) && db_commit(&m->db) == 0 ? 1 : -1;
	}
	buf_release(&msg);
	if (rc < 0)
		db_rollback(&m->db);
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
remind(struct mailer *m, struct arena *a)
{
	time_t now = time(NULL);
	PGresult *res;
	char *fmt;

	if (now < m->next_remind || !(res = db_exec(&m->db, a,
	    STMT_REMIND_DUE)))
		return;	/* not yet, or PostgreSQL down: the next loop */
	m->next_remind = now + REMIND_EVERY;
	if (!db_bool(res, 0, VALUE))
		return;
	if (!(fmt = reminder_format(m->root))) {
		log_error("reminders: cannot read %s/%s", m->root,
		    REMINDER_TEMPLATE);
		return;
	}
	if ((res = db_exec(&m->db, a, STMT_REMIND_CLAIM, m->base_url, fmt)))
		log_info("reminders: %s mails queued", db_str(res, 0, VALUE));
	else
		m->next_remind = now + 1;	/* failed: try again soon */
	free(fmt);
}

/* Sleep until new mail is announced (LISTEN outbox, db.c), the next
 * retry is due, or 5 s. */
static void
wait_for_mail(struct mailer *m, struct arena *a)
{
	PGresult *res;
	double due = 5;

	if ((res = db_exec(&m->db, a, STMT_OUTBOX_NEXT_DUE)))
		due = strtod(db_str(res, 0, VALUE), NULL);
	if (due > 5)
		due = 5;
	if (due > 0)
		db_wait_notification(&m->db, (int)(due * 1000) + 10);
	else
		db_notifications(&m->db);	/* due now: forget the wake-ups */
}

static void
mailer_envelope(struct mailer *m)
{
	const char *lt = strchr(m->from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	size_t n;

	if (lt && gt && gt > lt + 1) {
		n = (size_t)(gt - lt + 1);
		if (n >= sizeof(m->envelope_from))
			n = sizeof(m->envelope_from) - 1;
		memcpy(m->envelope_from, lt, n);
		m->envelope_from[n] = '\0';
	} else
		snprintf(m->envelope_from, sizeof(m->envelope_from), "<%s>",
		    m->from);
}

int
main(void)
{
	struct mailer m;
	struct arena a;
	const char *v;
	struct sigaction sa;
	long n;

	log_set_role("mailer");
	memset(&m, 0, sizeof(m));
	v = getenv("DATABASE_URL");
	db_init(&m.db, v && *v ? v : "postgresql:///civitas");
	m.db.listen = "outbox";
	if (parse_long(getenv("DB_TIMEOUT_MS"), 100, 600000, &n) == 0)
		m.db.timeout_ms = (int)n;
	/* The transaction stays open across the SMTP exchange (up to
	 * SMTP_TIMEOUT s): the server must not end it meanwhile. */
	m.db.idle_tx_ms = (SMTP_TIMEOUT + 30) * 1000;
	v = getenv("SMTP_URL");
	m.smtp_url = v && *v ? v : "smtp://127.0.0.1:25";
	v = getenv("MAIL_FROM");
	m.from = v && *v ? v : "civitas <no-reply@civitas.localhost>";
	mailer_envelope(&m);
	v = getenv("BASE_URL");
	m.base_url = xstrdup(v && *v ? v : "http://127.0.0.1:8080");
	n = (long)strlen(m.base_url);
	if (n > 1 && m.base_url[n - 1] == '/')
		m.base_url[n - 1] = '\0';
	v = getenv("CIVITAS_ROOT");
	m.root = v && *v ? v : CIVITAS_DEFAULT_ROOT;
	m.retry_base = 30;
	m.max_attempts = 10;
	parse_long(getenv("MAIL_RETRY_BASE"), 1, 86400, &m.retry_base);
	parse_long(getenv("MAIL_MAX_ATTEMPTS"), 1, 1000, &m.max_attempts);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT))
		return 1;
	m.curl = curl_easy_init();
	arena_init(&a, 64 * 1024);
	log_info("delivering to %s", m.smtp_url);
	while (!stopping) {
		int rc;

		remind(&m, &a);
		arena_reset(&a);
		rc = deliver_one(&m, &a);

		if (rc == 0)
			wait_for_mail(&m, &a);
		else if (rc < 0)
			sleep(1);	/* PostgreSQL down: retry soon */
		arena_reset(&a);
	}
	log_info("stopping");
	arena_release(&a);
	curl_easy_cleanup(m.curl);
	curl_global_cleanup();
	db_release(&m.db);
	free(m.base_url);
	return 0;
}
