/*
 * volstate: the state tables of organisations, missions and applications,
 * every (state, action, role) against a matrix written out by hand (not
 * from the tables).
 */
#include "../../app/core/common.h"
#include "../../app/core/volstate.h"
#include "unit.h"

/* Roles by letter: V volunteer, M manager, R referent, A admin, S the
 * platform. */
static const char role_letters[] = "VMRAS";
static const unsigned role_bits[] = { VS_VOLUNTEER, VS_MANAGER,
    VS_REFERENT, VS_ADMIN, VS_SYSTEM };

/*
 * A matrix: for each state (row) and action (column), "-" when the action
 * is not possible from that state, else the letters of the roles that
 * may make it. The destination of each action is in `to`.
 */
struct expect {
	const struct vs_table *t;
	const char *const *actions;
	size_t nactions;
	const int *to;
	const char *const *cell;	/* [state * nactions + action] */
};

static const char *const org_actions[] = { "submit", "validate", "refuse",
    "report" };
static const int org_to[] = { ORG_PENDING, ORG_VALIDATED, ORG_REFUSED,
    ORG_REPORTED };
static const char *const org_cells[ORG__MAX * 4] = {
	/*               submit  validate refuse report */
	/* draft */      "M",    "-",     "-",   "-",
	/* pending */    "-",    "RA",    "RA",  "RA",
	/* validated */  "-",    "-",     "-",   "RA",
	/* refused */    "-",    "-",     "-",   "-",
	/* reported */   "-",    "RA",    "-",   "-",
};

static const char *const mis_actions[] = { "submit", "validate", "report",
    "cancel", "complete" };
static const int mis_to[] = { MIS_PENDING, MIS_VALIDATED, MIS_REPORTED,
    MIS_CANCELLED, MIS_COMPLETED };
static const char *const mis_cells[MIS__MAX * 5] = {
	/*               submit validate report cancel complete */
	/* draft */      "M",   "-",     "-",   "M",   "-",
	/* pending */    "-",   "RA",    "RA",  "M",   "-",
	/* validated */  "-",   "-",     "RA",  "M",   "MS",
	/* completed */  "-",   "-",     "-",   "-",   "-",
	/* reported */   "-",   "RA",    "-",   "-",   "-",
	/* cancelled */  "-",   "-",     "-",   "-",   "-",
};

static const char *const app_actions[] = { "promote", "process",
    "validate", "refuse", "cancel", "withdraw", "decline" };
static const int app_to[] = { APP_WAITING, APP_IN_PROGRESS, APP_VALIDATED,
    APP_REFUSED, APP_CANCELLED, APP_CANCELLED, APP_REFUSED };
static const char *const app_cells[APP__MAX * 7] = {
	/*              promote process validate refuse cancel withdraw decline */
	/* queued */     "S",   "-",    "-",     "-",   "V",   "S",     "S",
	/* waiting */    "-",   "MS",   "M",     "M",   "V",   "S",     "S",
	/* in_progress */"-",   "-",    "M",     "M",   "V",   "S",     "S",
	/* validated */  "-",   "-",    "-",     "-",   "V",   "-",     "-",
	/* refused */    "-",   "-",    "-",     "-",   "-",   "-",     "-",
	/* cancelled */  "-",   "-",    "-",     "-",   "-",   "-",     "-",
};

static const struct expect expects[] = {
	{ &vs_organisation, org_actions, ARRAY_SIZE(org_actions), org_to,
	    org_cells },
	{ &vs_mission, mis_actions, ARRAY_SIZE(mis_actions), mis_to,
	    mis_cells },
	{ &vs_application, app_actions, ARRAY_SIZE(app_actions), app_to,
	    app_cells },
};

static void
tables_are_sound(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(expects); i++) {
		const char *why = NULL;

		if (!EQ_INT(vs_check(expects[i].t, &why), 0))
			fprintf(stderr, "  %s: %s\n", expects[i].t->name, why);
	}
}

/* Every action of a table is a column of its matrix and the reverse: a
 * change added to a table without its column here fails. */
static void
tables_have_the_expected_actions(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(expects); i++) {
		const struct expect *e = &expects[i];

		EQ_INT(e->t->nchanges, e->nactions);
		for (size_t c = 0; c < e->t->nchanges; c++) {
			size_t k;

			for (k = 0; k < e->nactions; k++)
				if (!strcmp(e->actions[k], e->t->changes[c].name))
					break;
			if (!CHECK(k < e->nactions))
				fprintf(stderr, "  %s: %s has no column\n",
				    e->t->name, e->t->changes[c].name);
		}
	}
}

static void
every_state_action_and_role(void)
{
	int allowed = 0, refused = 0;

	for (size_t i = 0; i < ARRAY_SIZE(expects); i++) {
		const struct expect *e = &expects[i];

		for (size_t s = 0; s < e->t->nstates; s++)
			for (size_t a = 0; a < e->nactions; a++)
				for (size_t k = 0; k < 5; k++) {
			const char *cell = e->cell[s * e->nactions + a];
			const struct vs_change *c = NULL;
			enum vs_verdict v = vs_find(e->t, (int)s,
			    e->actions[a], role_bits[k], &c);
			enum vs_verdict want = !strcmp(cell, "-") ? VS_NOT_NOW :
			    strchr(cell, role_letters[k]) ? VS_OK : VS_FORBIDDEN;

			if (!EQ_INT(v, want))
				fprintf(stderr, "  %s: %s from %s by %c\n",
				    e->t->name, e->actions[a], e->t->states[s],
				    role_letters[k]);
			if (want == VS_OK) {
				allowed++;
				if (CHECK(c != NULL))
					EQ_INT(c->to, e->to[a]);
				CHECK(vs_allowed(e->t, (int)s, e->to[a],
				    role_bits[k]));
			} else {
				refused++;
				CHECK(c == NULL);
			}
		}
	}
	/* The matrices above: 11 + 14 + 17 allowed (state, action, role). */
	EQ_INT(allowed, 42);
	EQ_INT(refused, 5 * (5 * 4 + 6 * 5 + 6 * 7) - 42);
}

/* Nobody reaches a state by a change that is not in the matrix: the
 * final states have no way out, and a volunteer never validates. */
static void
allowed_matches_the_matrix(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(expects); i++) {
		const struct expect *e = &expects[i];

		for (size_t s = 0; s < e->t->nstates; s++)
			for (size_t to = 0; to < e->t->nstates; to++)
				for (size_t k = 0; k < 5; k++) {
			int want = 0;

			for (size_t a = 0; a < e->nactions; a++) {
				const char *cell =
				    e->cell[s * e->nactions + a];

				if ((size_t)e->to[a] == to && strcmp(cell, "-") &&
				    strchr(cell, role_letters[k]))
					want = 1;
			}
			if (!EQ_INT(vs_allowed(e->t, (int)s, (int)to,
			    role_bits[k]), want))
				fprintf(stderr, "  %s: %s -> %s by %c\n",
				    e->t->name, e->t->states[s],
				    e->t->states[to], role_letters[k]);
		}
	}
	CHECK(!vs_allowed(&vs_application, APP_WAITING, APP_VALIDATED,
	    VS_VOLUNTEER | VS_REFERENT | VS_ADMIN));
	CHECK(vs_allowed(&vs_application, APP_WAITING, APP_VALIDATED,
	    VS_VOLUNTEER | VS_MANAGER));
}

static void
forged_names_and_states(void)
{
	const struct vs_change *c = (const void *)1;

	EQ_INT(vs_find(&vs_mission, MIS_DRAFT, "publish", VS_ADMIN, &c),
	    VS_UNKNOWN);
	CHECK(c == NULL);
	EQ_INT(vs_find(&vs_mission, MIS_DRAFT, NULL, VS_ADMIN, &c),
	    VS_UNKNOWN);
	EQ_INT(vs_find(&vs_mission, MIS_DRAFT, "", VS_ADMIN, &c), VS_UNKNOWN);
	EQ_INT(vs_find(&vs_mission, -1, "submit", VS_MANAGER, &c),
	    VS_NOT_NOW);
	EQ_INT(vs_find(&vs_mission, MIS__MAX, "submit", VS_MANAGER, &c),
	    VS_NOT_NOW);
	EQ_INT(vs_find(&vs_mission, MIS_DRAFT, "submit", 0, &c),
	    VS_FORBIDDEN);
	CHECK(!vs_allowed(&vs_mission, -1, MIS_PENDING, ~0u));
	EQ_INT(vs_state(&vs_application, "in_progress"), APP_IN_PROGRESS);
	EQ_INT(vs_state(&vs_application, "In_progress"), -1);
	EQ_INT(vs_state(&vs_application, NULL), -1);
	EQ_STR(vs_label(&vs_organisation, ORG_REPORTED), "Signalée");
	EQ_STR(vs_label(&vs_organisation, 99), "");
	for (int v = VS_UNKNOWN; v < VS_VERDICT__MAX; v++)
		CHECK(*vs_refusal((enum vs_verdict)v) != '\0');
}

/* The states are those of sql/007_missions.sql, in the same spelling. */
static void
states_as_stored(void)
{
	EQ_STR(vs_organisation.states[ORG_PENDING], "pending");
	EQ_STR(vs_mission.states[MIS_COMPLETED], "completed");
	EQ_STR(vs_mission.states[MIS_CANCELLED], "cancelled");
	EQ_STR(vs_application.states[APP_QUEUED], "queued");
	EQ_STR(vs_application.states[APP_IN_PROGRESS], "in_progress");
	EQ_INT(vs_organisation.nstates, 5);
	EQ_INT(vs_mission.nstates, 6);
	EQ_INT(vs_application.nstates, 6);
}

static void
check_refuses_bad_tables(void)
{
	static const char *const st[] = { "a", "b" };
	static const char *const lb[] = { "A", "B" };
	static const char *const nolabel[] = { "A", "" };
	const struct vs_change twice[] = {
		{ "go", VS_AT(0), 1, VS_MANAGER, 0, "Go" },
		{ "go", VS_AT(1), 0, VS_MANAGER, 0, "Back" },
	};
	const struct vs_change nobody[] = {
		{ "go", VS_AT(0), 1, 0, 0, "Go" } };
	const struct vs_change outside[] = {
		{ "go", VS_AT(0), 2, VS_MANAGER, 0, "Go" } };
	const struct vs_change from_outside[] = {
		{ "go", VS_AT(3), 1, VS_MANAGER, 0, "Go" } };
	const struct vs_change unlabelled[] = {
		{ "go", VS_AT(0), 1, VS_MANAGER, 0, "" } };
	const char *why;
	struct vs_table t = { "t", st, lb, 2, twice, 2 };

	CHECK(vs_check(&t, &why) == -1);
	t.changes = nobody, t.nchanges = 1;
	CHECK(vs_check(&t, &why) == -1);
	t.changes = outside;
	CHECK(vs_check(&t, &why) == -1);
	t.changes = from_outside;
	CHECK(vs_check(&t, &why) == -1);
	t.changes = unlabelled;
	CHECK(vs_check(&t, &why) == -1);
	t.changes = twice, t.nchanges = 1;
	CHECK(vs_check(&t, &why) == 0);
	t.labels = nolabel;
	CHECK(vs_check(&t, &why) == -1);
}

UNIT_SUITE(volstate,
    UNIT(tables_are_sound),
    UNIT(tables_have_the_expected_actions),
    UNIT(every_state_action_and_role),
    UNIT(allowed_matches_the_matrix),
    UNIT(forged_names_and_states),
    UNIT(states_as_stored),
    UNIT(check_refuses_bad_tables))
