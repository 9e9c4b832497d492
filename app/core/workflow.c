/*
 * workflow: see workflow.h.
 */
#include "common.h"
#include "parse.h"
#include "workflow.h"

enum wf_verdict
wf_enabled(const struct workflow *w, int place, const char *name,
    const struct wf_answers *a, const struct wf_transition **t)
{
	const struct wf_transition *found = NULL;

	*t = NULL;
	if (!name || place < 0 || (size_t)place >= w->nplaces)
		return WF_UNKNOWN;
	for (size_t i = 0; i < w->ntransitions; i++)
		if (!strcmp(w->transitions[i].name, name))
			found = &w->transitions[i];
	if (!found)
		return WF_UNKNOWN;
	if (place == w->final)
		return WF_FINISHED;
	if (!(found->from & WF_AT(place)))
		return WF_NOT_HERE;
	if (a && found->guard && !found->guard(a)) {
		*t = found;
		return WF_GUARD;
	}
	*t = found;
	return WF_OK;
}

const char *
wf_refusal(enum wf_verdict v, const struct wf_transition *t)
{
	switch (v) {
	case WF_OK:
		return "";
	case WF_UNKNOWN:
		return "Cette étape n'existe pas : rien n'a été enregistré. "
		    "Voici l'étape où vous en êtes.";
	case WF_NOT_HERE:
		return "Ce formulaire n'est pas celui de l'étape où vous en "
		    "êtes (une page restée ouverte ?) : rien n'a été "
		    "enregistré. Voici l'étape en cours.";
	case WF_FINISHED:
		return "Ce parcours est déjà terminé : rien n'a été envoyé de "
		    "nouveau. Pour en commencer un autre, cliquez sur "
		    "« Recommencer ».";
	case WF_GUARD:
		return t && t->guard_msg ? t->guard_msg : "Des réponses "
		    "manquent : complétez les étapes précédentes.";
	case WF_VERDICT__MAX:
		break;
	}
	return "";
}

int
wf_place(const struct workflow *w, const char *id)
{
	for (size_t i = 0; id && i < w->nplaces; i++)
		if (!strcmp(w->places[i], id))
			return (int)i;
	return -1;
}

const struct wf_transition *
wf_forward(const struct workflow *w, int place)
{
	for (size_t i = 0; i < w->ntransitions; i++)
		if (w->transitions[i].form != WF_NO_FORM &&
		    (w->transitions[i].from & WF_AT(place)))
			return &w->transitions[i];
	return NULL;
}

int
wf_passed(const struct workflow *w, int p, int current)
{
	return p >= 0 && p < current && current != w->final &&
	    p != w->final;
}

int
wf_check(const struct workflow *w, const char **why)
{
	*why = NULL;
	if (w->nplaces == 0 || w->nplaces > WF_MAX_PLACES ||
	    w->initial < 0 || (size_t)w->initial >= w->nplaces ||
	    w->final < 0 || (size_t)w->final >= w->nplaces)
		*why = "places out of range";
	for (size_t i = 0; !*why && i < w->ntransitions; i++) {
		const struct wf_transition *t = &w->transitions[i];

		if (t->to < 0 || (size_t)t->to >= w->nplaces ||
		    (t->from >> w->nplaces) != 0 || t->from == 0)
			*why = "a transition out of range";
		else if (t->from & WF_AT(w->final))
			*why = "a transition leaves the final place";
		for (size_t j = 0; !*why && j < i; j++) {
			const struct wf_transition *u = &w->transitions[j];

			if (!strcmp(t->name, u->name))
				*why = "two transitions share a name";
			else if (t->form != WF_NO_FORM &&
			    u->form != WF_NO_FORM && (t->from & u->from))
				*why = "two forward transitions at a place";
		}
	}
	return *why ? -1 : 0;
}

const char *
wf_answer(const struct wf_answers *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->name[i], name))
			return a->value[i];
	return NULL;
}

int
wf_answer_set(struct wf_answers *a, const char *name, const char *value)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->name[i], name)) {
			a->value[i] = value;
			return 0;
		}
	if (a->n == WF_MAX_ANSWERS)
		return -1;
	a->name[a->n] = name;
	a->value[a->n++] = value;
	return 0;
}

/* Bytes written as they are; the others as %XX. */
static int
plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	    c == ',';
}

static size_t
encoded_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += plain((unsigned char)*s) ? 1 : 3;
	return n;
}

static char *
encode_into(char *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (plain(c)) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	return o;
}

const char *
wf_answers_encode(struct arena *ar, const struct wf_answers *a)
{
	size_t n = 1;
	char *out, *o;

	for (size_t i = 0; i < a->n; i++)
		n += encoded_len(a->name[i]) + encoded_len(a->value[i]) + 2;
	o = out = arena_alloc(ar, n);
	for (size_t i = 0; i < a->n; i++) {
		if (i)
			*o++ = '&';
		o = encode_into(o, a->name[i]);
		*o++ = '=';
		o = encode_into(o, a->value[i]);
	}
	*o = '\0';
	return out;
}

int
wf_answers_decode(struct arena *ar, const char *s, struct wf_answers *a)
{
	struct fields f;

	a->n = 0;
	if (!s || !*s)
		return 0;
	if (parse_urlencoded(ar, s, strlen(s), &f, WF_MAX_ANSWERS) != 0)
		return -1;
	for (size_t i = 0; i < f.n; i++)
		if (wf_answer_set(a, f.v[i].name, f.v[i].value) < 0) {
			a->n = 0;
			return -1;
		}
	return 0;
}
