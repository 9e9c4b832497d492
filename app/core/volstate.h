/*
 * volstate: who may change the state of an organisation, a mission or an
 * application, and to what (issue 11). Each is a table of changes
 * {name, from, to, who}: the name is what a form posts ("action"), from
 * the states where it is allowed (a bit mask), who the roles that may
 * make it (a bit mask). Nothing here does I/O: a handler finds the one
 * change allowed for the viewer's roles on *that* object (vs_find), then
 * applies it with a statement guarded by the state it read
 * (compare-and-set: "... WHERE id = $1 AND status = $from"), so two
 * simultaneous changes cannot both apply.
 *
 * The roles are the viewer's on the object, computed in C per request:
 * the volunteer of an application, a manager of the organisation, a
 * referent of its département, an admin; VS_SYSTEM is the platform itself
 * (the first reply of an organisation, the scheduled completion, the
 * waiting list), never a person.
 */
#ifndef CIVITAS_VOLSTATE_H
#define CIVITAS_VOLSTATE_H

#include <stddef.h>

#define VS_AT(s) (1u << (s))

enum vs_role {
	VS_VOLUNTEER = 1u << 0,
	VS_MANAGER = 1u << 1,
	VS_REFERENT = 1u << 2,
	VS_ADMIN = 1u << 3,
	VS_SYSTEM = 1u << 4
};

struct vs_change {
	const char *name;	/* posted as "action": "submit", "validate" */
	unsigned from;		/* VS_AT(s) | ... */
	int to;
	unsigned who;		/* VS_MANAGER | ... */
	int reason;		/* 1: the change takes a reason */
	const char *label;	/* the button: "Valider" */
};

struct vs_table {
	const char *name;		/* "organisation" */
	const char *const *states;	/* as stored: "draft", "pending"... */
	const char *const *labels;	/* shown: "Brouillon" */
	size_t nstates;
	const struct vs_change *changes;
	size_t nchanges;
};

enum vs_verdict {
	VS_OK = 0,
	VS_UNKNOWN,	/* no change has that name (forged) */
	VS_NOT_NOW,	/* it exists, but not from this state */
	VS_FORBIDDEN,	/* not for these roles */
	VS_VERDICT__MAX
};

/* The change `name` from state `from` for a viewer with roles `who`:
 * VS_OK and *c, else why not (*c NULL). A state out of range reads as
 * VS_NOT_NOW. */
enum vs_verdict vs_find(const struct vs_table *t, int from,
    const char *name, unsigned who, const struct vs_change **c);
/* Is there a change from `from` to `to` that `who` may make? */
int vs_allowed(const struct vs_table *t, int from, int to, unsigned who);
/* The French sentence of a refusal. */
const char *vs_refusal(enum vs_verdict v);
/* A state by its stored name, -1 when unknown. */
int vs_state(const struct vs_table *t, const char *name);
/* Shown label of a state ("" when out of range). */
const char *vs_label(const struct vs_table *t, int s);
/* 0 when the table is sound (unique names, states in range, a label for
 * every state, a role for every change), else -1 and *why. */
int vs_check(const struct vs_table *t, const char **why);

/* The tables. */
extern const struct vs_table vs_organisation, vs_mission, vs_application;

enum { ORG_DRAFT, ORG_PENDING, ORG_VALIDATED, ORG_REFUSED, ORG_REPORTED,
    ORG__MAX };
enum { MIS_DRAFT, MIS_PENDING, MIS_VALIDATED, MIS_COMPLETED, MIS_REPORTED,
    MIS_CANCELLED, MIS__MAX };
enum { APP_QUEUED, APP_WAITING, APP_IN_PROGRESS, APP_VALIDATED,
    APP_REFUSED, APP_CANCELLED, APP__MAX };

#endif
