/*
 * mission_complete: the scheduled completion of missions (issue 11),
 * shared by the mail worker's hourly job (jobs/missions_job.c) and the
 * command `civitas-fcgi missions-complete` (features/mission_cli.c).
 *
 * A validated mission whose end passed a month ago is completed, and the
 * applications it leaves open are declined with reason mission_terminated,
 * each volunteer mailed: all of it is one SQL function
 * (missions_complete_outdated, sql/007_missions_b.sql), whose claim is a
 * compare-and-set on each mission's status, so two runs at once, or a
 * run and a manager, complete a mission once. The mail's text is
 * views/mail/mis_terminated.txt under the root (the same template the
 * workers render when a manager completes a mission).
 */
#ifndef CIVITAS_MISSION_COMPLETE_H
#define CIVITAS_MISSION_COMPLETE_H

#include "db.h"

#define MISSION_TERMINATED_TEMPLATE "views/mail/mis_terminated.txt"
#define MISSION_TERMINATED_SUBJECT "Votre candidature à « %s »"

/* Run it once: 0 and the counts, or -1 (the template cannot be read:
 * logged; PostgreSQL failed). */
int mission_complete_run(struct db *db, struct arena *a, const char *root,
    const char *base_url, long *missions, long *mails);

#endif
