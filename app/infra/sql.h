/*
 * sql: the fixed, numbered set of prepared statements. Every query civitas
 * runs is declared in one of the sql_*.def files; each is prepared once per
 * connection (db.c) and run with PQexecPrepared and $n parameters. Never
 * build SQL from strings.
 *
 * A .def file holds two kinds of lines:
 *
 *   ROW(shape, COL_A, COL_B, ...)	the result columns of a shape, as
 *					named constants 0, 1, ... and
 *					shape__NCOLS
 *   STMT(NAME, nparams, shape, "SQL")	a statement, its parameter count
 *					and the shape of its rows
 *
 * Handlers read columns by name (db_str(res, i, COL_A)), never by number.
 * Builds with CIVITAS_CHECKS ask PostgreSQL, at each connect, how many
 * parameters and columns every statement really has, and refuse to start
 * when a declaration is wrong; every call (q(), db_exec()) is checked
 * against the declared parameter count.
 */
#ifndef CIVITAS_SQL_H
#define CIVITAS_SQL_H

/* The five columns of an image as pages show it (features/media.h,
 * media_ref_read), from media alias m; a LEFT JOIN without a match reads
 * as id 0. In a ROW, MEDIA_REF(NAME) names them: NAME is the first. */
#define MEDIA_REF_COLUMNS(m) \
	"coalesce(" m ".id, 0), coalesce(" m ".width, 0), " \
	"coalesce(" m ".height, 0), coalesce(" m ".alt, ''), " \
	"coalesce(" m ".placeholder, '')"
#define MEDIA_REF(name) name, name##_LAST_ = name + 4

/* The column constants of every shape, then the statements' enum. */
#define ROW(shape, ...) \
	enum { shape##__FIRST_ = -1, ##__VA_ARGS__, shape##__NCOLS };
#define STMT(name, n, shape, text)
ROW(no_rows)			/* INSERT, UPDATE, DELETE without RETURNING */
ROW(returning_id, RETURNING_ID)	/* ... RETURNING id */
ROW(one_value, VALUE)		/* a single value */
ROW(label, LABEL)		/* what was deleted, for the audit */
#include "sql_members.def"
#include "sql_outbox.def"
#include "sql_content.def"
#include "sql_media.def"
#include "sql_admin.def"
#include "sql_public.def"
#include "sql_places.def"
#include "sql_committees.def"
#include "sql_events.def"
/* calendar */
#include "sql_calendar.def"
/* host tools (manage) */
#include "sql_manage.def"
/* consent: subscriptions, ledger, suppression, newsletter */
#include "sql_consent.def"
/* bounces and unsubscribing */
#include "sql_bounces.def"
#include "sql_campaigns.def"
/* mass mail: the mail worker (jobs/campaign.c) */
#include "sql_mailer.def"
/* donations (issue 10) */
#include "sql_donations.def"
/* tax receipts (donations, issue 10) */
#include "sql_receipts.def"
/* opt-out of unrequested mail (optout.c, issue 10) */
#include "sql_optout.def"
/* "Convaincre un ami" (convince.c, admin_convince.c, issue 10) */
#include "sql_convince.def"
/* invitations to join, the donations' back-office (invite.c,
 * admin_donations.c, issue 10) */
#include "sql_invite.def"
/* volunteer missions, shared lookups (volunteer.c, issue 11) */
#include "sql_volunteer.def"
/* organisations (issue 11, helper A) */
#include "sql_organisations.def"
/* missions (issue 11, part B: missions*.c, jobs/missions_job.c) */
#include "sql_missions.def"
/* the member's data: export, account deletion (export.c, account.c,
 * issue 11, part D) */
#include "sql_export.def"
/* volunteer applications (applications*.c, issue 11, part C) */
#include "sql_applications.def"
/* degraded mode (mode.c, issue 13) */
#include "sql_mode.def"
/* metrics: what /metrics reads at each scrape (scrape.c, issue 13) */
#include "sql_metrics.def"
/* the back-office second factor (issue 13, admin accounts) */
#include "sql_totp.def"
#undef STMT
#undef ROW

#define ROW(shape, ...)
enum stmt {
	STMT_NONE,	/* no statement (an optional one of a table) */
#define STMT(name, n, shape, text) name,
#include "sql_members.def"
#include "sql_outbox.def"
#include "sql_content.def"
#include "sql_media.def"
#include "sql_admin.def"
#include "sql_public.def"
#include "sql_places.def"
#include "sql_committees.def"
#include "sql_events.def"
/* calendar */
#include "sql_calendar.def"
/* host tools (manage) */
#include "sql_manage.def"
/* consent: subscriptions, ledger, suppression, newsletter */
#include "sql_consent.def"
/* bounces and unsubscribing */
#include "sql_bounces.def"
#include "sql_campaigns.def"
/* mass mail: the mail worker (jobs/campaign.c) */
#include "sql_mailer.def"
/* donations (issue 10) */
#include "sql_donations.def"
/* tax receipts (donations, issue 10) */
#include "sql_receipts.def"
/* opt-out of unrequested mail (optout.c, issue 10) */
#include "sql_optout.def"
/* "Convaincre un ami" (convince.c, admin_convince.c, issue 10) */
#include "sql_convince.def"
/* invitations to join, the donations' back-office (invite.c,
 * admin_donations.c, issue 10) */
#include "sql_invite.def"
/* volunteer missions, shared lookups (volunteer.c, issue 11) */
#include "sql_volunteer.def"
/* organisations (issue 11, helper A) */
#include "sql_organisations.def"
/* missions (issue 11, part B: missions*.c, jobs/missions_job.c) */
#include "sql_missions.def"
/* the member's data: export, account deletion (export.c, account.c,
 * issue 11, part D) */
#include "sql_export.def"
/* volunteer applications (applications*.c, issue 11, part C) */
#include "sql_applications.def"
/* degraded mode (mode.c, issue 13) */
#include "sql_mode.def"
/* metrics: what /metrics reads at each scrape (scrape.c, issue 13) */
#include "sql_metrics.def"
/* the back-office second factor (issue 13, admin accounts) */
#include "sql_totp.def"
#undef STMT
	STMT__MAX
};
#undef ROW

struct stmt_def {
	const char *name;	/* "STMT_USER_AUTH", for logs */
	const char *sql;
	int nparams;
	int ncols;		/* of its shape */
};

extern const struct stmt_def stmt_defs[STMT__MAX];

#endif
