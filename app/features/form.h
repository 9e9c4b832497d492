/*
 * form: the glue between a declared list of fields, the view, and the
 * French messages. form_init() gives every field an empty value and error
 * in the view (templates read v_<field> and error_<field>); handlers set the
 * user's (normalised) values back with form_value() so a wrong form comes
 * back filled in, and mark each wrong field with form_error().
 */
#ifndef CIVITAS_FORM_H
#define CIVITAS_FORM_H

#include "../infra/render.h"

struct form {
	struct req *r;
	struct view v;
	int errors;
};

/* fields: NULL-terminated list of names. Also sets the CSRF token. */
void form_init(struct form *f, struct req *r, const char *const *fields);
void form_value(struct form *f, const char *name, const char *value);
void form_error(struct form *f, const char *name, const char *message);
/* The trimmed value of a posted field ("" when absent), squeezed. */
const char *form_text(struct form *f, const char *name, size_t max);
/* The posted e-mail address in field `name`, checked and lowercased, or
 * NULL after marking the field (`missing` when empty, else "not valid").
 * The value as typed is kept in the form either way. */
const char *form_email(struct form *f, const char *name, const char *missing);
/* Render the sub-template tpl with the form's values into the raw
 * variable name (templates have no include). 0, or -1 on a template error. */
int form_include(struct form *f, const char *tpl, const char *name);
/* Render the form page: 422 with the banner when errors, else status. */
int form_render(struct form *f, int status, const char *tpl,
    const char *title);

#define FORM_BANNER "L'un des champs du formulaire est mal renseigné."

#endif
