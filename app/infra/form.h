/*
 * form: a form is a table of fields (after kcgi's keys[]), declared once:
 *
 *	static const struct form_field login_fields[] = {
 *		{ "email", F_REQUIRED, .max = 255, .msg = {
 *		    [VALID_MISSING] = "Veuillez renseigner votre adresse e-mail." } },
 *		FORM_PASSWORD("password"),
 *		{ NULL }
 *	};
 *
 * One reader (form_read) takes each field's posted value, trims it (or
 * not: F_SECRET, F_MULTILINE), checks that it is there (F_REQUIRED), its
 * length in characters (min, max), its value (choices, or a validator of
 * core/valid.h that also normalises it), and keeps the value and the
 * French message of the first failure. The rules every form shares live
 * here once:
 *
 * - only declared fields are read: any other posted field is ignored (a
 *   field sent twice never gets here: the dispatcher answers 400);
 * - a wrong form comes back (form_render: 422 and a banner) with every
 *   value as typed, each message at its field;
 * - a password (F_SECRET) is never written back into a page.
 *
 * Templates read v_<name> (the value; "1" or "" for a checkbox) and
 * error_<name> (the message, "" when fine), plus csrf, banner and notice.
 */
#ifndef CIVITAS_FORM_H
#define CIVITAS_FORM_H

#include "../core/valid.h"
#include "render.h"

enum form_flags {
	F_REQUIRED = 1 << 0,	/* empty: msg[VALID_MISSING] */
	F_SECRET = 1 << 1,	/* a password: read as sent, never shown */
	F_MULTILINE = 1 << 2,	/* spaces kept, CR LF made LF (Markdown) */
	F_CHECKBOX = 1 << 3,	/* present: "1", absent: "" */
};

struct form_field {
	const char *name;
	unsigned flags;
	size_t min, max;		/* length in characters; 0: unbounded */
	valid_fn valid;			/* checks and normalises; NULL: text */
	const char *const *choices;	/* NULL-ended allowed values */
	const char *fallback;		/* the value of a field left empty */
	const char *initial;		/* what a new form shows */
	const char *msg[VALID__MAX];	/* the message of each failure */
};

struct form {
	struct req *r;
	const struct form_field **fields;	/* the posted table's, then
						 * those of form_also() */
	size_t n, nread;
	const char **val;	/* by field: the value, normalised when valid */
	const char **err;	/* by field: the message, NULL when fine */
	struct view v;
	int errors;
};

/* The message of a failure no entry of msg[] names. */
#define FORM_INVALID "Cette valeur n'est pas valide."
#define FORM_BANNER "L'un des champs du formulaire est mal renseigné."

/* The site's one password rule (core/valid.h: valid_password). */
#define FORM_PASSWORD_MSG { \
	[VALID_MISSING] = "Votre mot de passe doit comporter au moins 8 " \
	    "caractères.", \
	[VALID_TOO_SHORT] = "Votre mot de passe doit comporter au moins 8 " \
	    "caractères.", \
	[VALID_TOO_LONG] = "Votre mot de passe doit comporter au plus " \
	    "1024 caractères." }
#define FORM_PASSWORD(name) \
	{ name, F_REQUIRED | F_SECRET, .valid = valid_password, \
	    .msg = FORM_PASSWORD_MSG }

/* Every field of the table empty, in the view; also the CSRF token. */
void form_init(struct form *f, struct req *r, const struct form_field *fields);
/* A page that shows a second form: its fields join this one (empty, in
 * the view; form_set and form_get know them), but form_read reads only
 * the first table, the posted one. */
void form_also(struct form *f, const struct form_field *fields);
/* Read and check every field of the (first) table from the posted body.
 * Returns the number of fields in error. */
int form_read(struct form *f);
/* The value of a field ("" when absent); the name must be in the table. */
const char *form_get(const struct form *f, const char *name);
/* A field's value as the page shows it (e.g. from the database). */
void form_set(struct form *f, const char *name, const char *value);
/* Mark a field wrong (the first message of a field is kept). */
void form_error(struct form *f, const char *name, const char *message);
int form_has_error(const struct form *f, const char *name);
/* Render the sub-template tpl with the form's values into the raw
 * variable name (templates have no include). 0, or -1 on a template error. */
int form_include(struct form *f, const char *tpl, const char *name);
/* Render the form page: 422 with the banner when errors, else status. */
int form_render(struct form *f, int status, const char *tpl,
    const char *title);
/* A backing service failed while the form was being handled: the form
 * comes back filled in (503, Retry-After) under `banner`. */
int form_unavailable(struct form *f, const char *banner, const char *tpl,
    const char *title);

#endif
