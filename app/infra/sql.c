/*
 * sql: the table of statements, from the sql_*.def files (see sql.h).
 */
#include "../core/common.h"
#include "sql.h"

const struct stmt_def stmt_defs[STMT__MAX] = {
	[STMT_NONE] = { "STMT_NONE", NULL, 0, 0 },
#define ROW(shape, ...)
#define STMT(name, n, shape, text) [name] = { #name, text, n, shape##__NCOLS },
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
};
