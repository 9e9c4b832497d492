/*
 * wf_organisation: the table of the organisation wizard
 * (features/organisations.c, issue 11).
 *
 *	organisation -> identifiant -> adresse -> presentation -> logo
 *	    -> charte -> envoyee
 *
 * Unlike convince, the state is not in Redis: it is the member's draft
 * row in PostgreSQL (organisations.wizard_step, its columns the answers),
 * moved by one compare-and-set UPDATE per step, so the wizard resumes
 * after a logout and on another device. Each step's form posts its
 * forward transition; from any later step a "Modifier" button posts a
 * move back (no form: what was saved stays). "envoyer" (the charter) is
 * guarded: every answer the submission needs must be in the draft.
 */
#include "common.h"
#include "workflow.h"

static const char *const places[ORW__MAX + 1] = {
	[ORW_ORGANISATION] = "organisation",
	[ORW_IDENTIFIANT] = "identifiant",
	[ORW_ADRESSE] = "adresse",
	[ORW_PRESENTATION] = "presentation",
	[ORW_LOGO] = "logo",
	[ORW_CHARTE] = "charte",
	[ORW_ENVOYEE] = "envoyee",
};

static const char *const titles[ORW__MAX + 1] = {
	[ORW_ORGANISATION] = "Votre organisation",
	[ORW_IDENTIFIANT] = "Son identifiant",
	[ORW_ADRESSE] = "Son adresse",
	[ORW_PRESENTATION] = "Sa présentation",
	[ORW_LOGO] = "Son logo",
	[ORW_CHARTE] = "La charte",
	[ORW_ENVOYEE] = "Demande envoyée",
};

/* What a submitted organisation must have (the CHECK of
 * sql/007_missions.sql, and a description): the draft's answers. */
static int
draft_complete(const struct wf_answers *a)
{
	static const char *const need[] = { "name", "legal_kind",
	    "identifier", "postal_code", "city_name", "description" };

	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		const char *v = wf_answer(a, need[i]);

		if (!v || !*v)
			return 0;
	}
	return 1;
}

/* Every place after p, up to the charter (not the final one). */
#define AFTER(p) (((1u << ORW_ENVOYEE) - 1) & ~((1u << ((p) + 1)) - 1))

static const struct wf_transition transitions[] = {
	{ "organisation", WF_AT(ORW_ORGANISATION), ORW_IDENTIFIANT, NULL,
	    NULL, ORW_ORGANISATION, "Suivant" },
	{ "identifiant", WF_AT(ORW_IDENTIFIANT), ORW_ADRESSE, NULL, NULL,
	    ORW_IDENTIFIANT, "Suivant" },
	{ "adresse", WF_AT(ORW_ADRESSE), ORW_PRESENTATION, NULL, NULL,
	    ORW_ADRESSE, "Suivant" },
	{ "presentation", WF_AT(ORW_PRESENTATION), ORW_LOGO, NULL, NULL,
	    ORW_PRESENTATION, "Suivant" },
	{ "logo", WF_AT(ORW_LOGO), ORW_CHARTE, NULL, NULL, ORW_LOGO,
	    "Suivant" },
	{ "envoyer", WF_AT(ORW_CHARTE), ORW_ENVOYEE, draft_complete,
	    "Des informations manquent : reprenez les étapes précédentes.",
	    ORW_CHARTE, "Envoyer pour validation" },
	/* Moves back: from every later step but the final one. */
	{ "modifier_organisation", AFTER(ORW_ORGANISATION), ORW_ORGANISATION,
	    NULL, NULL, WF_NO_FORM, "Modifier" },
	{ "modifier_identifiant", AFTER(ORW_IDENTIFIANT), ORW_IDENTIFIANT,
	    NULL, NULL, WF_NO_FORM, "Modifier" },
	{ "modifier_adresse", AFTER(ORW_ADRESSE), ORW_ADRESSE, NULL, NULL,
	    WF_NO_FORM, "Modifier" },
	{ "modifier_presentation", AFTER(ORW_PRESENTATION), ORW_PRESENTATION,
	    NULL, NULL, WF_NO_FORM, "Modifier" },
	{ "modifier_logo", AFTER(ORW_LOGO), ORW_LOGO, NULL, NULL, WF_NO_FORM,
	    "Modifier" },
};

const struct workflow wf_organisation = {
	.name = "organisation",
	.places = places,
	.titles = titles,
	.nplaces = ORW__MAX,
	.initial = ORW_ORGANISATION,
	.final = ORW_ENVOYEE,
	.transitions = transitions,
	.ntransitions = ARRAY_SIZE(transitions),
	.owner = WF_OWNER_MEMBER,
};
