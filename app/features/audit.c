/*
 * audit: who did what, when, in the back-office. Handlers call audit()
 * between db_begin() and db_commit() so the record and the change commit
 * together or not at all.
 */
#include "../core/common.h"
#include "features.h"

int
audit(struct req *r, const char *action, const char *object_type,
    long object_id, const char *label)
{
	const char *id = object_id > 0 ?
	    arena_printf(&r->arena, "%ld", object_id) : "";

	if (!r->user)
		return -1;
	return q(r, STMT_AUDIT_INSERT, r->user->id_str, r->user->email, action,
	    object_type, id, label ? label : "") ? 0 : -1;
}
