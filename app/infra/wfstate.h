/*
 * wfstate: where a visitor is in a workflow (core/workflow.h), in Redis.
 *
 * One hash per (workflow, owner): "wf:<name>:v:<visitor id>" for an
 * anonymous visitor (a random 256-bit "visitor" cookie, HttpOnly,
 * SameSite=Lax, set by wfstate_load when missing), or
 * "wf:<name>:u:<user id>" for a workflow whose owner is the member
 * (WF_OWNER_MEMBER: a wizard found again after logout and login; without
 * a member, the visitor's). Fields: place (its id), run (a UUID: this
 * run's identity, the key of its exactly-once record in PostgreSQL) and
 * answers (urlencoded). Idle TTL WF_TTL_SECONDS, renewed by every load
 * and write; then the run is forgotten (the visitor starts again).
 *
 * A load is one Lua script (read, and renew the TTL). Writes are a
 * compare-and-set in one Lua script: the place and the run the request
 * read must still be there, or nothing changes (two simultaneous POSTs of
 * one step: one applies, the other is refused). wfstate_advance reads and
 * writes in one script: the place must be the step's own.
 * A missing hash stands for the initial place of a new run.
 */
#ifndef CIVITAS_WFSTATE_H
#define CIVITAS_WFSTATE_H

#include "../core/workflow.h"
#include "app.h"

#define WF_TTL_SECONDS 3600L
#define WF_RUN_LEN 36	/* a UUID's text */

struct wf_state {
	const struct workflow *w;
	const char *key;		/* the Redis key */
	const char *owner;		/* the visitor id or "u<uid>" */
	int place;
	const char *run;		/* UUID text */
	struct wf_answers answers;
	int fresh;			/* nothing was stored yet */
	int corrupt;			/* what was stored did not parse */
};

/* Read s (a fresh initial state when none, with a new run id). 0; -1
 * when Redis is unavailable. A stored state that does not parse (an
 * unknown place, bad answers) reads as fresh. */
int wfstate_load(struct req *r, const struct workflow *w, struct wf_state *s);
/* A forward step of w from `from` to `to` without reading first (one
 * round trip): applied only if the stored place is still `from` (no
 * state: the initial place, a new run), the step's answers merged into
 * the stored ones. 1 applied (s->place is `to`; s->answers holds only
 * `step`); 0 refused: s is the state as wfstate_load reads it (its TTL
 * renewed), for the caller to answer from; -1 Redis unavailable. */
int wfstate_advance(struct req *r, const struct workflow *w, int from,
    int to, const struct wf_answers *step, struct wf_state *s);
/* Move from s's place and run to `to` with answers a (the whole set,
 * replacing the stored one). 1 applied (s updated), 0 refused: the state
 * changed since it was read; -1 Redis unavailable. */
int wfstate_apply(struct req *r, struct wf_state *s, int to,
    const struct wf_answers *a);
/* Forget the run ("Recommencer"). 0, or -1. */
int wfstate_clear(struct req *r, struct wf_state *s);

#endif
