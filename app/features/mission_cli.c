/*
 * mission_cli: `civitas-fcgi missions-complete` runs the scheduled
 * completion of missions once (infra/mission_complete.h), as the mail
 * worker does hourly: for operators and tests. Prints "N missions
 * completed, M mails queued"; exit status 0, or 1 when it could not run.
 */
#include "../core/common.h"
#include "../infra/mission_complete.h"
#include "features.h"

int
cli_missions_complete(struct app *app)
{
	struct arena a;
	long missions, mails;
	int rc = 1;

	arena_init(&a, 256 * 1024);
	if (mission_complete_run(&app->db, &a, app->cfg.root,
	    app->cfg.base_url, &missions, &mails) == 0) {
		printf("%ld missions completed, %ld mails queued\n", missions,
		    mails);
		rc = 0;
	} else
		fprintf(stderr, "missions-complete: could not run (PostgreSQL, "
		    "or the template)\n");
	arena_release(&a);
	return rc;
}
