/*
 * volstate_mission: the state table of missions (core/volstate.c,
 * issue 11), every change from every state for every role, against a
 * matrix written out by hand (not from the table): a change added,
 * removed or opened to another role fails here.
 */
#include "../../app/core/common.h"
#include "../../app/core/volstate.h"
#include "unit.h"

static const char *const actions[] = { "submit", "validate", "report",
    "cancel", "complete" };
static const unsigned roles[] = { VS_VOLUNTEER, VS_MANAGER, VS_REFERENT,
    VS_ADMIN, VS_SYSTEM };
/* Where each action leads. */
static const int to[] = { MIS_PENDING, MIS_VALIDATED, MIS_REPORTED,
    MIS_CANCELLED, MIS_COMPLETED };

/*
 * For each action, for each state, the verdict for the volunteer, the
 * manager, the referent, the admin and the platform: 'O' allowed, 'F'
 * forbidden to that role, 'N' not from that state.
 */
static const char *const matrix[][MIS__MAX] = {
	/* submit: a manager, from a draft */
	{ [MIS_DRAFT] = "FOFFF", [MIS_PENDING] = "NNNNN",
	  [MIS_VALIDATED] = "NNNNN", [MIS_COMPLETED] = "NNNNN",
	  [MIS_REPORTED] = "NNNNN", [MIS_CANCELLED] = "NNNNN" },
	/* validate: a referent or an admin, pending or reported */
	{ [MIS_DRAFT] = "NNNNN", [MIS_PENDING] = "FFOOF",
	  [MIS_VALIDATED] = "NNNNN", [MIS_COMPLETED] = "NNNNN",
	  [MIS_REPORTED] = "FFOOF", [MIS_CANCELLED] = "NNNNN" },
	/* report: a referent or an admin, pending or validated */
	{ [MIS_DRAFT] = "NNNNN", [MIS_PENDING] = "FFOOF",
	  [MIS_VALIDATED] = "FFOOF", [MIS_COMPLETED] = "NNNNN",
	  [MIS_REPORTED] = "NNNNN", [MIS_CANCELLED] = "NNNNN" },
	/* cancel: a manager, until validated */
	{ [MIS_DRAFT] = "FOFFF", [MIS_PENDING] = "FOFFF",
	  [MIS_VALIDATED] = "FOFFF", [MIS_COMPLETED] = "NNNNN",
	  [MIS_REPORTED] = "NNNNN", [MIS_CANCELLED] = "NNNNN" },
	/* complete: a manager or the scheduled job, validated only */
	{ [MIS_DRAFT] = "NNNNN", [MIS_PENDING] = "NNNNN",
	  [MIS_VALIDATED] = "FOFFO", [MIS_COMPLETED] = "NNNNN",
	  [MIS_REPORTED] = "NNNNN", [MIS_CANCELLED] = "NNNNN" },
};

static void
every_change_by_state_and_role(void)
{
	for (size_t a = 0; a < ARRAY_SIZE(actions); a++)
		for (int s = 0; s < MIS__MAX; s++)
			for (size_t k = 0; k < ARRAY_SIZE(roles); k++) {
				const struct vs_change *c;
				enum vs_verdict v = vs_find(&vs_mission, s,
				    actions[a], roles[k], &c);
				char want = matrix[a][s][k];
				enum vs_verdict w = want == 'O' ? VS_OK :
				    want == 'F' ? VS_FORBIDDEN : VS_NOT_NOW;

				if (!EQ_INT(v, w))
					fprintf(stderr, "  %s from %s, role %zu\n",
					    actions[a], vs_mission.states[s], k);
				CHECK((v == VS_OK) == (c != NULL));
				if (c)
					EQ_INT(c->to, to[a]);
			}
}

static void
every_allowed_pair_is_a_change_of_the_matrix(void)
{
	/* vs_allowed(from, to, role) agrees with the matrix. */
	for (int s = 0; s < MIS__MAX; s++)
		for (int t = 0; t < MIS__MAX; t++)
			for (size_t k = 0; k < ARRAY_SIZE(roles); k++) {
				int want = 0;

				for (size_t a = 0; a < ARRAY_SIZE(actions); a++)
					want |= to[a] == t &&
					    matrix[a][s][k] == 'O';
				EQ_INT(vs_allowed(&vs_mission, s, t, roles[k]),
				    want);
			}
}

static void
unknown_names_and_states_are_refused(void)
{
	const struct vs_change *c;
	const char *why = NULL;

	EQ_INT(vs_find(&vs_mission, MIS_DRAFT, "publish", VS_ADMIN, &c),
	    VS_UNKNOWN);
	EQ_INT(vs_find(&vs_mission, MIS_DRAFT, NULL, VS_ADMIN, &c),
	    VS_UNKNOWN);
	EQ_INT(vs_find(&vs_mission, -1, "submit", VS_MANAGER, &c), VS_NOT_NOW);
	EQ_INT(vs_find(&vs_mission, MIS__MAX, "submit", VS_MANAGER, &c),
	    VS_NOT_NOW);
	/* No role at all (a member of another organisation). */
	EQ_INT(vs_find(&vs_mission, MIS_DRAFT, "submit", 0, &c),
	    VS_FORBIDDEN);
	EQ_INT(vs_check(&vs_mission, &why), 0);
	EQ_INT(vs_mission.nchanges, ARRAY_SIZE(actions));
	EQ_INT(vs_state(&vs_mission, "reported"), MIS_REPORTED);
	EQ_STR(vs_label(&vs_mission, MIS_CANCELLED), "Annulée");
}

static void
only_reports_take_a_reason(void)
{
	const struct vs_change *c;

	for (size_t a = 0; a < ARRAY_SIZE(actions); a++)
		for (int s = 0; s < MIS__MAX; s++)
			if (vs_find(&vs_mission, s, actions[a], VS_MANAGER |
			    VS_REFERENT | VS_SYSTEM, &c) == VS_OK)
				EQ_INT(c->reason, !strcmp(actions[a], "report"));
}

UNIT_SUITE(volstate_mission,
    UNIT(every_change_by_state_and_role),
    UNIT(every_allowed_pair_is_a_change_of_the_matrix),
    UNIT(unknown_names_and_states_are_refused),
    UNIT(only_reports_take_a_reason))
