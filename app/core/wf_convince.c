/*
 * wf_convince: the table of "Convaincre un ami" (features/convince.c).
 *
 *	ami -> preoccupation -> interets -> raisons -> resume -> envoye
 *
 * Each step's form posts its forward transition; from any later step a
 * "Modifier" button posts a move back (no form: the answers are kept,
 * and the pages show them again). "envoyer" is guarded: every answer of
 * the four steps must be there (they are, unless a state was tampered
 * with in Redis). The final place has no way out: "Recommencer" clears
 * the state (a new run).
 */
#include "common.h"
#include "workflow.h"

static const char *const places[CV__MAX + 1] = {
	[CV_AMI] = "ami",
	[CV_PREOCCUPATION] = "preoccupation",
	[CV_INTERETS] = "interets",
	[CV_RAISONS] = "raisons",
	[CV_RESUME] = "resume",
	[CV_ENVOYE] = "envoye",
};

static const char *const titles[CV__MAX + 1] = {
	[CV_AMI] = "Votre ami",
	[CV_PREOCCUPATION] = "Sa préoccupation",
	[CV_INTERETS] = "Ses centres d'intérêt",
	[CV_RAISONS] = "Vos raisons",
	[CV_RESUME] = "Votre message",
	[CV_ENVOYE] = "Message envoyé",
};

static int
answers_complete(const struct wf_answers *a)
{
	static const char *const need[] = { "first_name", "age", "gender",
	    "situation", "concern", "interests", "reasons" };

	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		const char *v = wf_answer(a, need[i]);

		if (!v || !*v)
			return 0;
	}
	return 1;
}

#define AFTER(p) (((1u << CV_ENVOYE) - 1) & ~((1u << ((p) + 1)) - 1))

static const struct wf_transition transitions[] = {
	{ "ami", WF_AT(CV_AMI), CV_PREOCCUPATION, NULL, NULL, CV_AMI,
	    "Suivant" },
	{ "preoccupation", WF_AT(CV_PREOCCUPATION), CV_INTERETS, NULL, NULL,
	    CV_PREOCCUPATION, "Suivant" },
	{ "interets", WF_AT(CV_INTERETS), CV_RAISONS, NULL, NULL, CV_INTERETS,
	    "Suivant" },
	{ "raisons", WF_AT(CV_RAISONS), CV_RESUME, NULL, NULL, CV_RAISONS,
	    "Suivant" },
	{ "envoyer", WF_AT(CV_RESUME), CV_ENVOYE, answers_complete,
	    "Des réponses manquent : reprenez les étapes précédentes.",
	    CV_RESUME, "Envoyer" },
	/* Moves back: from every later step but the final one. */
	{ "modifier_ami", AFTER(CV_AMI), CV_AMI, NULL, NULL, WF_NO_FORM,
	    "Modifier" },
	{ "modifier_preoccupation", AFTER(CV_PREOCCUPATION), CV_PREOCCUPATION,
	    NULL, NULL, WF_NO_FORM, "Modifier" },
	{ "modifier_interets", AFTER(CV_INTERETS), CV_INTERETS, NULL, NULL,
	    WF_NO_FORM, "Modifier" },
	{ "modifier_raisons", AFTER(CV_RAISONS), CV_RAISONS, NULL, NULL,
	    WF_NO_FORM, "Modifier" },
};

const struct workflow wf_convince = {
	.name = "convince",
	.places = places,
	.titles = titles,
	.nplaces = CV__MAX,
	.initial = CV_AMI,
	.final = CV_ENVOYE,
	.transitions = transitions,
	.ntransitions = ARRAY_SIZE(transitions),
	.owner = WF_OWNER_VISITOR,
};
