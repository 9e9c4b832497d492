/*
 * missions_job: the mail worker's hourly completion of missions (issue
 * 11; infra/mission_complete.h). Thread 0, at start and then every
 * MISSIONS_EVERY seconds; a failure (PostgreSQL down) is tried again a
 * minute later. Two mail workers running it at once complete each
 * mission once (the SQL function's compare-and-set).
 */
#include "../core/common.h"
#include "../core/log.h"
#include "../infra/mission_complete.h"
#include "mailer.h"

#define MISSIONS_EVERY 3600
#define MISSIONS_RETRY 60

void
missions_chores(struct worker *w)
{
	static time_t next;	/* thread 0's only */
	time_t now = time(NULL);
	long missions, mails;

	if (now < next)
		return;
	if (mission_complete_run(&w->db, &w->a, w->m->root, w->m->base_url,
	    &missions, &mails) < 0) {
		next = now + MISSIONS_RETRY;
		return;
	}
	next = now + MISSIONS_EVERY;
	if (missions)
		log_info("missions: %ld completed, %ld mails queued", missions,
		    mails);
}
