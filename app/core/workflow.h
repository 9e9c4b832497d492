/*
 * workflow: multi-step forms as data (a state machine). A workflow is a
 * table of places (the steps, and a final place) and of transitions
 * {name, from, to, guard, form}: the name is what a step's form posts
 * (field "transition"), `from` the places where it is enabled (a bit
 * mask), `form` the index of the form the step validates (the feature's
 * own table of form tables: this layer knows no forms). Nothing here
 * does I/O: the state (the current place and the answers) lives in
 * Redis (infra/wfstate.h), and the feature applies what wf_enabled()
 * allows.
 *
 * Invariants a table keeps (wf_check() verifies them, the unit tests run
 * it on every table): names are unique, no transition leaves the final
 * place, every `to` is a place, and each place has at most one forward
 * (form-carrying) transition.
 *
 * Answers are name/value pairs (a multi-valued answer is one value the
 * feature joins, e.g. "12,15"); they travel to and from Redis as one
 * urlencoded string, so a step's answers are replaced in the same atomic
 * write as the place.
 */
#ifndef CIVITAS_WORKFLOW_H
#define CIVITAS_WORKFLOW_H

#include <stddef.h>
#include "arena.h"

#define WF_MAX_PLACES 16
#define WF_MAX_ANSWERS 32
#define WF_NO_FORM (-1)
#define WF_AT(place) (1u << (place))

struct wf_answers {
	size_t n;
	const char *name[WF_MAX_ANSWERS];
	const char *value[WF_MAX_ANSWERS];
};

struct wf_transition {
	const char *name;	/* posted as "transition" */
	unsigned from;		/* WF_AT(p) | ...: where it is enabled */
	int to;
	/* May it apply with these answers (those already kept, plus the
	 * step's own)? NULL: always. */
	int (*guard)(const struct wf_answers *a);
	const char *guard_msg;	/* the French refusal of the guard */
	int form;		/* the step's form, or WF_NO_FORM (a move back) */
	const char *label;	/* the button: "Suivant", "Modifier" */
};

/* Whose state it is (infra/wfstate.h): an anonymous visitor's cookie,
 * or the logged-in member (a wizard resumed after logout). */
enum wf_owner { WF_OWNER_VISITOR, WF_OWNER_MEMBER };

struct workflow {
	const char *name;		/* "convince": part of the Redis key */
	const char *const *places;	/* ids: "ami", "preoccupation"... */
	const char *const *titles;	/* shown: "Votre ami" */
	size_t nplaces;
	int initial, final;
	const struct wf_transition *transitions;
	size_t ntransitions;
	enum wf_owner owner;
};

enum wf_verdict {
	WF_OK = 0,
	WF_UNKNOWN,	/* no transition has that name (forged) */
	WF_NOT_HERE,	/* it exists, but not from the current place */
	WF_FINISHED,	/* the current place is the final one */
	WF_GUARD,	/* its guard refused the answers */
	WF_VERDICT__MAX
};

/* The transition `name` may apply at `place` with answers a (NULL: no
 * guard is asked): WF_OK and *t, else why not (*t NULL, or the guarded
 * transition for WF_GUARD). A place out of range reads as unknown. */
enum wf_verdict wf_enabled(const struct workflow *w, int place,
    const char *name, const struct wf_answers *a,
    const struct wf_transition **t);
/* The French sentence of a refusal (WF_GUARD: the transition's own). */
const char *wf_refusal(enum wf_verdict v, const struct wf_transition *t);

/* A place by id, -1 when unknown. */
int wf_place(const struct workflow *w, const char *id);
/* The forward transition of place (the one with a form), NULL if none. */
const struct wf_transition *wf_forward(const struct workflow *w, int place);
/* Has the visitor already passed place p to be at `current`? (The
 * places are in order: the back links of a step.) */
int wf_passed(const struct workflow *w, int p, int current);
/* 0 when the table keeps the invariants above, else -1 and *why. */
int wf_check(const struct workflow *w, const char **why);

/* Answers. */
const char *wf_answer(const struct wf_answers *a, const char *name);
/* Set (replace) name; -1 when the table is full. Strings are kept, not
 * copied. */
int wf_answer_set(struct wf_answers *a, const char *name, const char *value);
/* Urlencoded "n1=v1&n2=v2", in the arena. */
const char *wf_answers_encode(struct arena *ar, const struct wf_answers *a);
/* The reverse; -1 on malformed input (then *a is empty). */
int wf_answers_decode(struct arena *ar, const char *s, struct wf_answers *a);

/* The tables. */
extern const struct workflow wf_convince;
enum { CV_AMI, CV_PREOCCUPATION, CV_INTERETS, CV_RAISONS, CV_RESUME,
    CV_ENVOYE, CV__MAX };

/* The organisation wizard (issue 11, core/wf_organisation.c): its state
 * is the member's draft row in PostgreSQL, not Redis. */
extern const struct workflow wf_organisation;
enum { ORW_ORGANISATION, ORW_IDENTIFIANT, ORW_ADRESSE, ORW_PRESENTATION,
    ORW_LOGO, ORW_CHARTE, ORW_ENVOYEE, ORW__MAX };

#endif
