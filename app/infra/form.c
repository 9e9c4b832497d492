#include "../core/common.h"
#include "../core/log.h"
#include "csrf.h"
#include "form.h"

static size_t
field_index(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->fields[i]->name, name))
			return i;
	log_error("form: no field %s in this form's table", name);
	abort();	/* a typo in a handler: the first test finds it */
}

/* The n elements of v in a new zeroed array of total elements. */
static void *
grow(struct arena *a, const void *v, size_t n, size_t total, size_t size)
{
	void *p = arena_zalloc(a, (total + 1) * size);

	if (n)
		memcpy(p, v, n * size);
	return p;
}

/* Add a table's fields to the form, empty (in the view too). */
static void
form_add(struct form *f, const struct form_field *fields)
{
	struct arena *a = &f->r->arena;
	size_t n = 0, total;

	while (fields[n].name)
		n++;
	total = f->n + n;
	f->fields = grow(a, f->fields, f->n, total, sizeof(*f->fields));
	f->val = grow(a, f->val, f->n, total, sizeof(*f->val));
	f->err = grow(a, f->err, f->n, total, sizeof(*f->err));
	for (size_t i = 0; i < n; i++) {
		f->fields[f->n + i] = &fields[i];
		f->val[f->n + i] = fields[i].initial ? fields[i].initial : "";
		view_str(&f->v, arena_printf(a, "v_%s", fields[i].name),
		    f->val[f->n + i]);
		view_str(&f->v, arena_printf(a, "error_%s", fields[i].name),
		    "");
	}
	f->n = total;
}

void
form_init(struct form *f, struct req *r, const struct form_field *fields)
{
	memset(f, 0, sizeof(*f));
	f->r = r;
	view_init(&f->v, &r->arena, 0);
	form_add(f, fields);
	f->nread = f->n;
	view_str(&f->v, "csrf", csrf_token(r));
	view_str(&f->v, "banner", "");
	view_str(&f->v, "notice", "");
}

void
form_also(struct form *f, const struct form_field *fields)
{
	form_add(f, fields);
}

const char *
form_get(const struct form *f, const char *name)
{
	return f->val[field_index(f, name)];
}

void
form_set(struct form *f, const char *name, const char *value)
{
	size_t i = field_index(f, name);

	f->val[i] = value ? value : "";
	if (!(f->fields[i]->flags & F_SECRET))
		view_str(&f->v, arena_printf(&f->r->arena, "v_%s", name),
		    f->val[i]);
}

void
form_error(struct form *f, const char *name, const char *message)
{
	size_t i = field_index(f, name);

	if (f->err[i])
		return;
	f->err[i] = message;
	view_str(&f->v, arena_printf(&f->r->arena, "error_%s", name), message);
	f->errors++;
}

int
form_has_error(const struct form *f, const char *name)
{
	return f->err[field_index(f, name)] != NULL;
}

/* The posted text of a field: at most max characters are looked at (a
 * code point is at most 4 bytes, so a longer value is cut there, never
 * inside a character); trimmed and squeezed unless secret or multi-line
 * (then CR LF becomes LF). */
static const char *
field_text(struct form *f, const struct form_field *ff, const char *v)
{
	size_t cap = ff->max ? ff->max * 4 + 4 : 0;
	char *out, *o;

	if (cap && strlen(v) > cap) {
		while (cap > 0 && ((unsigned char)v[cap] & 0xc0) == 0x80)
			cap--;
		v = arena_strndup(&f->r->arena, v, cap);
	}
	if (ff->flags & F_SECRET)
		return v;
	out = arena_alloc(&f->r->arena, strlen(v) + 1);
	if (ff->flags & F_MULTILINE) {
		for (o = out; *v; v++)
			if (!(v[0] == '\r' && v[1] == '\n'))
				*o++ = *v;
		*o = '\0';
	} else
		text_squeeze(v, out);
	return out;
}

/* Check one value: VALID_OK (with *norm the value to keep) or the
 * failure. */
static int
field_check(struct form *f, const struct form_field *ff, const char *v,
    const char **norm)
{
	size_t len = utf8_length(v), outsz;
	char *out;
	int rc;

	*norm = v;
	if (!*v)
		return ff->flags & F_REQUIRED ? VALID_MISSING : VALID_OK;
	if (ff->min && len < ff->min)
		return VALID_TOO_SHORT;
	if (ff->max && len > ff->max)
		return VALID_TOO_LONG;
	if (ff->choices) {
		for (const char *const *c = ff->choices; *c; c++)
			if (!strcmp(*c, v))
				return VALID_OK;
		return VALID_INVALID;
	}
	if (!ff->valid)
		return VALID_OK;
	outsz = VALID_OUT_SIZE(strlen(v));
	out = arena_alloc(&f->r->arena, outsz);
	if ((rc = ff->valid(v, out, outsz)) == VALID_OK)
		*norm = out;
	return rc;
}

int
form_read(struct form *f)
{
	for (size_t i = 0; i < f->nread; i++) {
		const struct form_field *ff = f->fields[i];
		const char *raw = req_form(f->r, ff->name), *v, *norm;
		int rc;

		if (ff->flags & F_CHECKBOX)
			v = raw ? "1" : "";
		else
			v = field_text(f, ff, raw ? raw : "");
		if (!*v && ff->fallback)
			v = ff->fallback;
		rc = field_check(f, ff, v, &norm);
		form_set(f, ff->name, rc == VALID_OK ? norm : v);
		if (rc != VALID_OK)
			form_error(f, ff->name, ff->msg[rc] ? ff->msg[rc] :
			    ff->msg[VALID_INVALID] ? ff->msg[VALID_INVALID] :
			    FORM_INVALID);
	}
	return f->errors;
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
form_unavailable(struct form *f, const char *banner, const char *tpl,
    const char *title)
{
	view_str(&f->v, "banner", banner);
	unavailable(f->r);
	return render(f->r, 503, tpl, &f->v, title);
}

int
form_include(struct form *f, const char *tpl, const char *name)
{
	return render_include(f->r, &f->v, tpl, name);
}
