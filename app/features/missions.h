/*
 * missions (issue 11, part B): what missions.c (the editor and the
 * organisation's list), mission_state.c (states and moderation) and
 * missions_public.c (the search and the page) share.
 *
 * Every handler finds its mission or organisation with the viewer's
 * roles on *that* object (volunteer.h) and decides from them; a change
 * of state is the one vs_find() allows, applied with a statement guarded
 * by the state read (STMT_MIS_STATE), 409 when it had changed.
 */
#ifndef CIVITAS_MISSIONS_H
#define CIVITAS_MISSIONS_H

#include "../infra/mission_complete.h"
#include "volunteer.h"

/* The mission of the route ({slug}, r->params[0]) that r->user may see:
 * 0; 404 (unknown, or offline and not theirs: the 404 page is written);
 * 503 written. */
int mission_of_route(struct req *r, struct vol_mission *m);

/* The buttons of the changes r->user may make on m from here (the
 * managers' on /missions/{slug}/state, the moderators' on
 * /moderation/missions/{slug}) into v as rows "actions": action, label,
 * url, takes a reason ("1"/""). */
void mission_actions_view(struct req *r, struct view *v,
    const struct vol_mission *m);

/* Mail each manager of organisation org_id (tpl, subject) about mission
 * (title, slug) with reason, in the open transaction. 0, or -1. */
int mission_mail_managers(struct req *r, const char *org_id,
    const char *title, const char *slug, const char *reason,
    const char *tpl, const char *subject);

#define MISSION_MAIL_TERMINATED "mis_terminated"

#endif
