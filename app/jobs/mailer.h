/*
 * mailer: what the mail worker's files share (jobs/mailer.c: the process,
 * its threads, the outbox and the reminders; jobs/campaign.c: campaign
 * mail; jobs/mime.c: message formatting; jobs/smtp.c: the SMTP client).
 *
 * struct mailer is the configuration, filled once before the threads
 * start and read-only afterwards. Each thread owns one struct worker:
 * its PostgreSQL connection, its SMTP connection, its arena (reset after
 * each transaction) and its message buffer (reset after each batch, so
 * the memory of a campaign stays what its largest batch needed).
 */
#ifndef CIVITAS_MAILER_H
#define CIVITAS_MAILER_H

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include "../core/arena.h"
#include "../core/buf.h"
#include "../infra/db.h"
#include "smtp.h"

/* Seconds an SMTP exchange may take (each read or write), and the time a
 * batch may spend starting new messages. */
#define SMTP_TIMEOUT 60

struct mailer {
	const char *database_url;
	const char *smtp_url;
	const char *from;	/* header form: Name <addr> */
	char envelope_from[256];	/* addr, for transactional mail */
	char domain[256];	/* MAIL_DOMAIN: the domain of MAIL_FROM */
	long retry_base;	/* MAIL_RETRY_BASE */
	long max_attempts;	/* MAIL_MAX_ATTEMPTS */
	long batch;		/* MAIL_BATCH */
	long connections;	/* MAIL_CONNECTIONS */
	int db_timeout_ms;
	const char *base_url;	/* BASE_URL, no trailing slash */
	const char *root;	/* CIVITAS_ROOT */
	unsigned char secret[32];	/* config.secret, for mail tokens */
};

struct worker {
	int idx;		/* 0: also runs the reminders and schedules */
	const struct mailer *m;
	struct db db;
	struct smtp smtp;
	struct arena a;
	struct buf msgs;	/* the rendered messages of a batch */
	struct buf tmp;		/* scratch for one message's parts */
	time_t next_remind;
	long cursor_cid, cursor_rid;	/* the last recipient claimed */
	unsigned long batches;
	pthread_t thread;
};

extern volatile sig_atomic_t mailer_stopping;

/* Seconds before retry number attempts + 1 (attempts made so far), or -1
 * to give up. */
double mailer_backoff(const struct mailer *m, long attempts);

/* Campaigns (campaign.c). One batch: claim, send, record, in one
 * transaction. 1 when recipients were handled, 0 when none was due, -1
 * when PostgreSQL or the SMTP server failed (the caller waits a bit). */
int campaign_batch(struct worker *w);
/* Start the scheduled campaigns that are due. Thread 0, each loop. */
void campaign_chores(struct worker *w);
/* Finish the campaigns being sent that have no pending recipient left
 * (after a pause; when the last batches ended together). Thread 0, when
 * no batch was due. */
void campaign_sweep(struct worker *w);
/* Seconds until a campaign recipient or a scheduled campaign is due
 * (3600 when none; <= 0 when one is due now). */
double campaign_next_due(struct worker *w);

/* Message formatting (mime.c). */
/* May s go into a header as it is (printable ASCII, no CR or LF)? */
int mime_header_safe(const char *s);
/* A header value as RFC 2047 encoded-words when not ASCII, folded so that
 * no line gets longer than 78 characters. */
void mime_encoded_words(struct buf *b, const char *s);
/* The text with CRLF line ends, ending in CRLF (8bit). */
void mime_text(struct buf *b, const char *text);
/* The text in quoted-printable (RFC 2045), lines of at most 76. */
void mime_qp(struct buf *b, const char *text);
/* The bytes in base64, lines of 76, each ending in CRLF. */
void mime_base64(struct buf *b, const char *data, size_t n);
/* RFC 5322 date of t (UTC). */
void mime_date(char out[64], time_t t);

/* missions (issue 11, part B: missions_job.c): complete the missions
 * whose end passed a month ago, hourly. Thread 0, each loop. */
void missions_chores(struct worker *w);

#endif
