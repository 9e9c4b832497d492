/*
 * volstate: the state tables of organisations, missions and applications
 * (volstate.h), and the one lookup they share.
 */
#include <string.h>

#include "volstate.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Organisations: the wizard submits a draft; a referent of its
 * département or an admin validates, refuses or reports it. */
static const char *const org_states[ORG__MAX] = {
	"draft", "pending", "validated", "refused", "reported"
};
static const char *const org_labels[ORG__MAX] = {
	"Brouillon", "En attente de validation", "Validée", "Refusée",
	"Signalée"
};
static const struct vs_change org_changes[] = {
	{ "submit", VS_AT(ORG_DRAFT), ORG_PENDING, VS_MANAGER, 0,
	    "Envoyer pour validation" },
	{ "validate", VS_AT(ORG_PENDING) | VS_AT(ORG_REPORTED), ORG_VALIDATED,
	    VS_REFERENT | VS_ADMIN, 0, "Valider" },
	{ "refuse", VS_AT(ORG_PENDING), ORG_REFUSED,
	    VS_REFERENT | VS_ADMIN, 1, "Refuser" },
	{ "report", VS_AT(ORG_PENDING) | VS_AT(ORG_VALIDATED), ORG_REPORTED,
	    VS_REFERENT | VS_ADMIN, 1, "Signaler" },
};
const struct vs_table vs_organisation = {
	"organisation", org_states, org_labels, ORG__MAX,
	org_changes, NITEMS(org_changes)
};

/* Missions: a manager writes and submits; a referent or an admin
 * validates or reports; a manager cancels or completes (the platform
 * completes a validated mission a month after its end). */
static const char *const mis_states[MIS__MAX] = {
	"draft", "pending", "validated", "completed", "reported", "cancelled"
};
static const char *const mis_labels[MIS__MAX] = {
	"Brouillon", "En attente de validation", "Validée", "Terminée",
	"Signalée", "Annulée"
};
static const struct vs_change mis_changes[] = {
	{ "submit", VS_AT(MIS_DRAFT), MIS_PENDING, VS_MANAGER, 0,
	    "Envoyer pour validation" },
	{ "validate", VS_AT(MIS_PENDING) | VS_AT(MIS_REPORTED), MIS_VALIDATED,
	    VS_REFERENT | VS_ADMIN, 0, "Valider" },
	{ "report", VS_AT(MIS_PENDING) | VS_AT(MIS_VALIDATED), MIS_REPORTED,
	    VS_REFERENT | VS_ADMIN, 1, "Signaler" },
	{ "cancel", VS_AT(MIS_DRAFT) | VS_AT(MIS_PENDING) | VS_AT(MIS_VALIDATED),
	    MIS_CANCELLED, VS_MANAGER, 0, "Annuler la mission" },
	{ "complete", VS_AT(MIS_VALIDATED), MIS_COMPLETED,
	    VS_MANAGER | VS_SYSTEM, 0, "Marquer comme terminée" },
};
const struct vs_table vs_mission = {
	"mission", mis_states, mis_labels, MIS__MAX,
	mis_changes, NITEMS(mis_changes)
};

/* Applications: the volunteer applies (waiting, or queued on the waiting
 * list) and may cancel; the organisation's first reply puts it in
 * progress; a manager validates or refuses; the platform promotes from
 * the waiting list, and withdraws or declines what a cancelled, reported
 * or completed mission leaves waiting. */
static const char *const app_states[APP__MAX] = {
	"queued", "waiting", "in_progress", "validated", "refused", "cancelled"
};
static const char *const app_labels[APP__MAX] = {
	"Liste d'attente", "En attente de validation",
	"En cours de traitement", "Validée", "Refusée", "Annulée"
};
#define APP_OPEN (VS_AT(APP_QUEUED) | VS_AT(APP_WAITING) | \
	VS_AT(APP_IN_PROGRESS))
static const struct vs_change app_changes[] = {
	{ "promote", VS_AT(APP_QUEUED), APP_WAITING, VS_SYSTEM, 0, "" },
	{ "process", VS_AT(APP_WAITING), APP_IN_PROGRESS,
	    VS_MANAGER | VS_SYSTEM, 0, "Passer en traitement" },
	{ "validate", VS_AT(APP_WAITING) | VS_AT(APP_IN_PROGRESS),
	    APP_VALIDATED, VS_MANAGER, 0, "Valider" },
	{ "refuse", VS_AT(APP_WAITING) | VS_AT(APP_IN_PROGRESS), APP_REFUSED,
	    VS_MANAGER, 1, "Refuser" },
	{ "cancel", APP_OPEN | VS_AT(APP_VALIDATED), APP_CANCELLED,
	    VS_VOLUNTEER, 1, "Annuler ma candidature" },
	{ "withdraw", APP_OPEN, APP_CANCELLED, VS_SYSTEM, 1, "" },
	{ "decline", APP_OPEN, APP_REFUSED, VS_SYSTEM, 1, "" },
};
const struct vs_table vs_application = {
	"application", app_states, app_labels, APP__MAX,
	app_changes, NITEMS(app_changes)
};

enum vs_verdict
vs_find(const struct vs_table *t, int from, const char *name, unsigned who,
    const struct vs_change **c)
{
	enum vs_verdict v = VS_UNKNOWN;
	size_t i;

	*c = NULL;
	if (name == NULL)
		return VS_UNKNOWN;
	for (i = 0; i < t->nchanges; i++) {
		const struct vs_change *ch = &t->changes[i];

		if (strcmp(ch->name, name) != 0)
			continue;
		if (from < 0 || (size_t)from >= t->nstates ||
		    !(ch->from & VS_AT(from)))
			return VS_NOT_NOW;
		if (!(ch->who & who))
			return VS_FORBIDDEN;
		*c = ch;
		return VS_OK;
	}
	return v;
}

int
vs_allowed(const struct vs_table *t, int from, int to, unsigned who)
{
	size_t i;

	if (from < 0 || (size_t)from >= t->nstates)
		return 0;
	for (i = 0; i < t->nchanges; i++)
		if (t->changes[i].to == to &&
		    (t->changes[i].from & VS_AT(from)) &&
		    (t->changes[i].who & who))
			return 1;
	return 0;
}

const char *
vs_refusal(enum vs_verdict v)
{
	switch (v) {
	case VS_OK:
		return "";
	case VS_UNKNOWN:
		return "Cette action n'existe pas.";
	case VS_NOT_NOW:
		return "Cette action n'est plus possible dans l'état actuel.";
	case VS_FORBIDDEN:
	default:
		return "Vous n'avez pas le droit de faire cette action.";
	}
}

int
vs_state(const struct vs_table *t, const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < t->nstates; i++)
		if (strcmp(t->states[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
vs_label(const struct vs_table *t, int s)
{
	if (s < 0 || (size_t)s >= t->nstates)
		return "";
	return t->labels[s];
}

int
vs_check(const struct vs_table *t, const char **why)
{
	size_t i, j;

	if (t->nstates == 0 || t->nstates > 32) {
		*why = "states: none, or more than a mask holds";
		return -1;
	}
	for (i = 0; i < t->nstates; i++)
		if (t->states[i] == NULL || t->labels[i] == NULL ||
		    *t->labels[i] == '\0') {
			*why = "a state without a name or a label";
			return -1;
		}
	for (i = 0; i < t->nchanges; i++) {
		const struct vs_change *c = &t->changes[i];

		if (c->to < 0 || (size_t)c->to >= t->nstates ||
		    c->from == 0 || (c->from >> t->nstates) != 0) {
			*why = "a change out of the states";
			return -1;
		}
		if (c->who == 0) {
			*why = "a change nobody may make";
			return -1;
		}
		if (!(c->who & VS_SYSTEM) && *c->label == '\0') {
			*why = "a change people make without a label";
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(t->changes[j].name, c->name) == 0) {
				*why = "two changes of one name";
				return -1;
			}
	}
	return 0;
}
