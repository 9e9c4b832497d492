/* workflow: the engine's lookups and the tables of every workflow. */
#include "../../app/core/common.h"
#include "../../app/core/workflow.h"
#include "unit.h"

/*
 * The convince table's expected matrix, written out by hand (not from
 * the table): for each place, for each transition name, 'O' enabled,
 * '-' not here, 'F' finished. A transition added to the table without a
 * column here fails table_has_the_expected_transitions.
 */
static const char *const cv_names[] = { "ami", "preoccupation", "interets",
    "raisons", "envoyer", "modifier_ami", "modifier_preoccupation",
    "modifier_interets", "modifier_raisons" };
static const char *const cv_matrix[CV__MAX] = {
	/*              a p i r e Ma Mp Mi Mr */
	[CV_AMI] =           "O--------",
	[CV_PREOCCUPATION] = "-O---O---",
	[CV_INTERETS] =      "--O--OO--",
	[CV_RAISONS] =       "---O-OOO-",
	[CV_RESUME] =        "----OOOOO",
	[CV_ENVOYE] =        "FFFFFFFFF",
};
/* Where each name leads, by hand. */
static const int cv_to[] = { CV_PREOCCUPATION, CV_INTERETS, CV_RAISONS,
    CV_RESUME, CV_ENVOYE, CV_AMI, CV_PREOCCUPATION, CV_INTERETS,
    CV_RAISONS };

static int
name_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cv_names); i++)
		if (!strcmp(cv_names[i], name))
			return (int)i;
	return -1;
}

static struct wf_answers
complete_answers(void)
{
	struct wf_answers a = { 0 };

	wf_answer_set(&a, "first_name", "Léa");
	wf_answer_set(&a, "age", "34");
	wf_answer_set(&a, "gender", "female");
	wf_answer_set(&a, "situation", "3");
	wf_answer_set(&a, "concern", "7");
	wf_answer_set(&a, "interests", "9,11");
	wf_answer_set(&a, "reasons", "14,15");
	return a;
}

static void
tables_keep_their_invariants(void)
{
	const char *why = NULL;

	EQ_INT(wf_check(&wf_convince, &why), 0);
	CHECK(why == NULL);
}

static void
table_has_the_expected_transitions(void)
{
	EQ_INT(wf_convince.ntransitions, ARRAY_SIZE(cv_names));
	EQ_INT(wf_convince.nplaces, CV__MAX);
	for (size_t i = 0; i < wf_convince.ntransitions; i++)
		CHECK(name_index(wf_convince.transitions[i].name) >= 0);
}

/* Every (place, transition) pair of the table, against the matrix. */
static void
every_pair_of_the_convince_table(void)
{
	struct wf_answers a = complete_answers();
	int allowed = 0, refused = 0;

	for (int p = 0; p < (int)wf_convince.nplaces; p++)
		for (size_t i = 0; i < wf_convince.ntransitions; i++) {
			const char *name = wf_convince.transitions[i].name;
			int col = name_index(name);
			const struct wf_transition *t;
			enum wf_verdict v;
			char want;

			if (!CHECK(col >= 0))
				continue;
			want = cv_matrix[p][col];
			v = wf_enabled(&wf_convince, p, name, &a, &t);
			if (want == 'O') {
				allowed++;
				if (EQ_INT(v, WF_OK) && CHECK(t != NULL))
					EQ_INT(t->to, cv_to[col]);
			} else {
				refused++;
				EQ_INT(v, want == 'F' ? WF_FINISHED :
				    WF_NOT_HERE);
				CHECK(t == NULL);
				CHECK(*wf_refusal(v, t) != '\0');
			}
		}
	/* 6 places x 9 names: 15 allowed, 39 refused. */
	EQ_INT(allowed, 15);
	EQ_INT(refused, 39);
}

static void
forged_names_are_unknown_everywhere(void)
{
	static const char *const forged[] = { "", "AMI", "ami ", "envoyer2",
	    "modifier_envoye", "recommencer", "ami\n" };
	const struct wf_transition *t;

	for (int p = 0; p < (int)wf_convince.nplaces; p++)
		for (size_t i = 0; i < ARRAY_SIZE(forged); i++)
			EQ_INT(wf_enabled(&wf_convince, p, forged[i], NULL,
			    &t), WF_UNKNOWN);
	EQ_INT(wf_enabled(&wf_convince, 0, NULL, NULL, &t), WF_UNKNOWN);
	EQ_INT(wf_enabled(&wf_convince, -1, "ami", NULL, &t), WF_UNKNOWN);
	EQ_INT(wf_enabled(&wf_convince, CV__MAX, "ami", NULL, &t),
	    WF_UNKNOWN);
}

static void
send_is_guarded_by_complete_answers(void)
{
	static const char *const need[] = { "first_name", "age", "gender",
	    "situation", "concern", "interests", "reasons" };
	const struct wf_transition *t;

	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		struct wf_answers a = complete_answers();

		wf_answer_set(&a, need[i], "");
		EQ_INT(wf_enabled(&wf_convince, CV_RESUME, "envoyer", &a, &t),
		    WF_GUARD);
		CHECK(t != NULL && strstr(wf_refusal(WF_GUARD, t), "manquent"));
	}
}

static void
forward_and_passed_places(void)
{
	const struct wf_transition *t = wf_forward(&wf_convince, CV_INTERETS);

	if (CHECK(t != NULL))
		EQ_STR(t->name, "interets");
	CHECK(wf_forward(&wf_convince, CV_ENVOYE) == NULL);
	CHECK(wf_passed(&wf_convince, CV_AMI, CV_RAISONS));
	CHECK(!wf_passed(&wf_convince, CV_RAISONS, CV_RAISONS));
	CHECK(!wf_passed(&wf_convince, CV_AMI, CV_ENVOYE));
	EQ_INT(wf_place(&wf_convince, "resume"), CV_RESUME);
	EQ_INT(wf_place(&wf_convince, "nope"), -1);
}

/* A table that breaks each invariant is caught. */
static void
check_refuses_bad_tables(void)
{
	static const char *const pl[] = { "a", "b" };
	struct wf_transition bad[2] = {
		{ "x", WF_AT(0), 1, NULL, NULL, 0, "" },
		{ "y", WF_AT(0), 1, NULL, NULL, 1, "" },
	};
	struct workflow w = { "t", pl, pl, 2, 0, 1, bad, 2,
	    WF_OWNER_VISITOR };
	const char *why;

	EQ_INT(wf_check(&w, &why), -1);		/* two forwards at a */
	bad[1].form = WF_NO_FORM;
	EQ_INT(wf_check(&w, &why), 0);
	bad[1].name = "x";
	EQ_INT(wf_check(&w, &why), -1);		/* a shared name */
	bad[1].name = "y";
	bad[1].from = WF_AT(1);
	EQ_INT(wf_check(&w, &why), -1);		/* leaves the final place */
	bad[1].from = WF_AT(0);
	bad[1].to = 2;
	EQ_INT(wf_check(&w, &why), -1);		/* to nowhere */
}

static void
answers_round_trip(void)
{
	struct arena ar;
	struct wf_answers a = { 0 }, b;
	const char *s;

	arena_init(&ar, 4096);
	wf_answer_set(&a, "first_name", "Zoé & Cie = 100 %");
	wf_answer_set(&a, "interests", "3,4");
	wf_answer_set(&a, "note", "ligne\nsuivante+plus");
	wf_answer_set(&a, "empty", "");
	wf_answer_set(&a, "interests", "5,6");	/* replaced */
	EQ_INT(a.n, 4);
	s = wf_answers_encode(&ar, &a);
	CHECK(!strchr(s, ' ') && !strchr(s, '\n'));
	if (EQ_INT(wf_answers_decode(&ar, s, &b), 0) && EQ_INT(b.n, 4)) {
		EQ_STR(wf_answer(&b, "first_name"), "Zoé & Cie = 100 %");
		EQ_STR(wf_answer(&b, "interests"), "5,6");
		EQ_STR(wf_answer(&b, "note"), "ligne\nsuivante+plus");
		EQ_STR(wf_answer(&b, "empty"), "");
		CHECK(wf_answer(&b, "absent") == NULL);
	}
	EQ_INT(wf_answers_decode(&ar, "a=%zz", &b), -1);
	EQ_INT(b.n, 0);
	EQ_INT(wf_answers_decode(&ar, "", &b), 0);
	EQ_INT(b.n, 0);
	arena_release(&ar);
}

/*
 * The organisation wizard (issue 11), by hand as above: 7 places x 11
 * names.
 */
static const char *const ow_names[] = { "organisation", "identifiant",
    "adresse", "presentation", "logo", "envoyer", "modifier_organisation",
    "modifier_identifiant", "modifier_adresse", "modifier_presentation",
    "modifier_logo" };
static const char *const ow_matrix[ORW__MAX] = {
	/*                   o i a p l e Mo Mi Ma Mp Ml */
	[ORW_ORGANISATION] = "O----------",
	[ORW_IDENTIFIANT] =  "-O----O----",
	[ORW_ADRESSE] =      "--O---OO---",
	[ORW_PRESENTATION] = "---O--OOO--",
	[ORW_LOGO] =         "----O-OOOO-",
	[ORW_CHARTE] =       "-----OOOOOO",
	[ORW_ENVOYEE] =      "FFFFFFFFFFF",
};
static const int ow_to[] = { ORW_IDENTIFIANT, ORW_ADRESSE,
    ORW_PRESENTATION, ORW_LOGO, ORW_CHARTE, ORW_ENVOYEE, ORW_ORGANISATION,
    ORW_IDENTIFIANT, ORW_ADRESSE, ORW_PRESENTATION, ORW_LOGO };
/* Where each step's form is, by hand (the moves back have none). */
static const int ow_form[] = { ORW_ORGANISATION, ORW_IDENTIFIANT,
    ORW_ADRESSE, ORW_PRESENTATION, ORW_LOGO, ORW_CHARTE, WF_NO_FORM,
    WF_NO_FORM, WF_NO_FORM, WF_NO_FORM, WF_NO_FORM };

static struct wf_answers
draft_answers(void)
{
	struct wf_answers a = { 0 };

	wf_answer_set(&a, "name", "Les Restos du Cœur");
	wf_answer_set(&a, "legal_kind", "association");
	wf_answer_set(&a, "identifier", "W751234567");
	wf_answer_set(&a, "postal_code", "69001");
	wf_answer_set(&a, "city_name", "Lyon");
	wf_answer_set(&a, "description", "Aide alimentaire.");
	return a;
}

static int
ow_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ow_names); i++)
		if (!strcmp(ow_names[i], name))
			return (int)i;
	return -1;
}

static void
organisation_table_is_sound(void)
{
	const char *why = NULL;

	EQ_INT(wf_check(&wf_organisation, &why), 0);
	CHECK(why == NULL);
	EQ_INT(wf_organisation.ntransitions, ARRAY_SIZE(ow_names));
	EQ_INT(wf_organisation.nplaces, ORW__MAX);
	EQ_INT(wf_organisation.initial, ORW_ORGANISATION);
	EQ_INT(wf_organisation.final, ORW_ENVOYEE);
	/* The stored wizard_step values (sql/007_missions.sql's default is
	 * "organisation"; test fixtures write "charte"). */
	EQ_INT(wf_place(&wf_organisation, "organisation"), ORW_ORGANISATION);
	EQ_INT(wf_place(&wf_organisation, "charte"), ORW_CHARTE);
	EQ_INT(wf_place(&wf_organisation, "envoyee"), ORW_ENVOYEE);
	for (size_t i = 0; i < wf_organisation.ntransitions; i++) {
		int col = ow_index(wf_organisation.transitions[i].name);

		if (CHECK(col >= 0))
			EQ_INT(wf_organisation.transitions[i].form,
			    ow_form[col]);
	}
}

/* Every (place, transition) pair of the organisation wizard. */
static void
every_pair_of_the_organisation_table(void)
{
	struct wf_answers a = draft_answers();
	int allowed = 0, refused = 0;

	for (int p = 0; p < (int)wf_organisation.nplaces; p++)
		for (size_t i = 0; i < ARRAY_SIZE(ow_names); i++) {
			const struct wf_transition *t;
			enum wf_verdict v = wf_enabled(&wf_organisation, p,
			    ow_names[i], &a, &t);
			char want = ow_matrix[p][i];

			if (want == 'O') {
				allowed++;
				if (EQ_INT(v, WF_OK) && CHECK(t != NULL))
					EQ_INT(t->to, ow_to[i]);
			} else {
				refused++;
				EQ_INT(v, want == 'F' ? WF_FINISHED :
				    WF_NOT_HERE);
				CHECK(t == NULL);
			}
		}
	/* 7 places x 11 names: 21 allowed, 56 refused. */
	EQ_INT(allowed, 21);
	EQ_INT(refused, 56);
}

static void
organisation_forged_and_guarded(void)
{
	static const char *const forged[] = { "", "ORGANISATION", "valider",
	    "modifier_charte", "modifier_envoyee", "submit", "envoyer " };
	static const char *const need[] = { "name", "legal_kind",
	    "identifier", "postal_code", "city_name", "description" };
	const struct wf_transition *t;

	for (int p = 0; p < (int)wf_organisation.nplaces; p++)
		for (size_t i = 0; i < ARRAY_SIZE(forged); i++)
			EQ_INT(wf_enabled(&wf_organisation, p, forged[i], NULL,
			    &t), WF_UNKNOWN);
	EQ_INT(wf_enabled(&wf_organisation, ORW__MAX, "logo", NULL, &t),
	    WF_UNKNOWN);
	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		struct wf_answers a = draft_answers();

		wf_answer_set(&a, need[i], "");
		EQ_INT(wf_enabled(&wf_organisation, ORW_CHARTE, "envoyer", &a,
		    &t), WF_GUARD);
		CHECK(t != NULL && strstr(wf_refusal(WF_GUARD, t),
		    "manquent"));
	}
	t = wf_forward(&wf_organisation, ORW_LOGO);
	if (CHECK(t != NULL))
		EQ_STR(t->name, "logo");
	CHECK(wf_forward(&wf_organisation, ORW_ENVOYEE) == NULL);
}

UNIT_SUITE(workflow,
    UNIT(tables_keep_their_invariants),
    UNIT(table_has_the_expected_transitions),
    UNIT(every_pair_of_the_convince_table),
    UNIT(forged_names_are_unknown_everywhere),
    UNIT(send_is_guarded_by_complete_answers),
    UNIT(forward_and_passed_places),
    UNIT(check_refuses_bad_tables),
    UNIT(answers_round_trip),
    UNIT(organisation_table_is_sound),
    UNIT(every_pair_of_the_organisation_table),
    UNIT(organisation_forged_and_guarded))
