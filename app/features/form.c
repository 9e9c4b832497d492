#include "../core/common.h"
#include "../core/valid.h"
#include "../infra/csrf.h"
#include "form.h"

void
form_init(struct form *f, struct req *r, const char *const *fields)
{
	f->r = r;
	f->errors = 0;
	view_init(&f->v, &r->arena, 0);
	for (; *fields; fields++) {
		form_value(f, *fields, "");
		view_str(&f->v, arena_printf(&r->arena, "error_%s", *fields), "");
	}
	view_str(&f->v, "csrf", csrf_token(r));
	view_str(&f->v, "banner", "");
	view_str(&f->v, "notice", "");
}

void
form_value(struct form *f, const char *name, const char *value)
{
	view_str(&f->v, arena_printf(&f->r->arena, "v_%s", name), value);
}

void
form_error(struct form *f, const char *name, const char *message)
{
	view_str(&f->v, arena_printf(&f->r->arena, "error_%s", name), message);
	f->errors++;
}

const char *
form_text(struct form *f, const char *name, size_t max)
{
	const char *v = req_form(f->r, name);
	char *out;

	if (!v)
		return "";
	if (strlen(v) > max * 4) {	/* a code point is at most 4 bytes */
		size_t cut = max * 4;

		/* Never split a character: back up to a lead byte. */
		while (cut > 0 && ((unsigned char)v[cut] & 0xc0) == 0x80)
			cut--;
		v = arena_strndup(&f->r->arena, v, cut);
	}
	out = arena_alloc(&f->r->arena, strlen(v) + 1);
	text_squeeze(v, out);
	return out;
}

int
form_render(struct form *f, int status, const char *tpl, const char *title)
{
	if (f->errors) {
		view_str(&f->v, "banner", FORM_BANNER);
		if (status < 400)
			status = 422;
	}
	return render(f->r, status, tpl, &f->v, title);
}

int
form_include(struct form *f, const char *tpl, const char *name)
{
	return render_include(f->r, &f->v, tpl, name);
}

const char *
form_email(struct form *f, const char *name, const char *missing)
{
	const char *typed = form_text(f, name, 255);
	char *norm = arena_alloc(&f->r->arena, strlen(typed) + 1);

	form_value(f, name, typed);
	if (!*typed) {
		form_error(f, name, missing);
		return NULL;
	}
	if (valid_email(typed, norm, strlen(typed) + 1) != VALID_OK) {
		form_error(f, name, "Cette adresse e-mail n'est pas valide.");
		return NULL;
	}
	return norm;
}
