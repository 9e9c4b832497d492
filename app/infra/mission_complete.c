/*
 * mission_complete: see mission_complete.h.
 */
#include "../core/common.h"
#include "../core/log.h"
#include "mission_complete.h"

/* The template's text, in the arena; NULL when it cannot be read. */
static char *
template_text(struct arena *a, const char *root)
{
	char path[4096];
	char *text = NULL;
	size_t n = 0, cap = 64 * 1024;
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root,
	    MISSION_TERMINATED_TEMPLATE) >= sizeof(path) ||
	    !(f = fopen(path, "r"))) {
		log_error("missions-complete: cannot read %s/%s", root,
		    MISSION_TERMINATED_TEMPLATE);
		return NULL;
	}
	text = arena_alloc(a, cap);
	n = fread(text, 1, cap - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

int
mission_complete_run(struct db *db, struct arena *a, const char *root,
    const char *base_url, long *missions, long *mails)
{
	const char *tpl = template_text(a, root);
	PGresult *res;

	*missions = *mails = 0;
	if (!tpl || !(res = db_exec(db, a, STMT_MIS_COMPLETE_OUTDATED,
	    base_url, tpl, MISSION_TERMINATED_SUBJECT)))
		return -1;
	*missions = db_long(res, 0, MISCO_MISSIONS);
	*mails = db_long(res, 0, MISCO_MAILS);
	return 0;
}
