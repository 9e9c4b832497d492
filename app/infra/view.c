#include "../core/common.h"
#include "../core/escape.h"
#include "../core/log.h"
#include "view.h"

#include <dirent.h>
#include <gio/gio.h>

static int
views_add_dir(struct views *vs, const char *dir, const char *prefix,
    const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t slen = strlen(suffix);

	if (!d) {
		log_error("views: cannot open %s", dir);
		return -1;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		GError *err = NULL;
		char path[4096];
		CtplToken *t;

		if (len <= slen || strcmp(e->d_name + len - slen, suffix))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		t = ctpl_lexer_lex_path(path, &err);
		if (!t) {
			log_error("views: %s: %s", path,
			    err ? err->message : "?");
			g_clear_error(&err);
			closedir(d);
			return -1;
		}
		vs->names = xrealloc(vs->names, (vs->n + 1) * sizeof(char *));
		vs->trees = xrealloc(vs->trees, (vs->n + 1) * sizeof(*vs->trees));
		vs->names[vs->n] = xmalloc(strlen(prefix) + len - slen + 1);
		memcpy(vs->names[vs->n], prefix, strlen(prefix));
		memcpy(vs->names[vs->n] + strlen(prefix), e->d_name, len - slen);
		vs->names[vs->n][strlen(prefix) + len - slen] = '\0';
		vs->trees[vs->n] = t;
		vs->n++;
	}
	closedir(d);
	return 0;
}

int
views_load(struct views *vs, const char *dir)
{
	char mail[4096];

	memset(vs, 0, sizeof(*vs));
	snprintf(mail, sizeof(mail), "%s/mail", dir);
	if (views_add_dir(vs, dir, "", ".html") < 0 ||
	    views_add_dir(vs, mail, "mail/", ".txt") < 0)
		return -1;
	return 0;
}

void
views_release(struct views *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->names[i]);
		ctpl_token_free(vs->trees[i]);
	}
	free(vs->names);
	free(vs->trees);
	memset(vs, 0, sizeof(*vs));
}

static void
view_env_free(void *p)
{
	ctpl_environ_unref(p);
}

void
view_init(struct view *v, struct arena *a, int text)
{
	v->env = ctpl_environ_new();
	v->a = a;
	v->text = text;
	arena_defer(a, view_env_free, v->env);
}

static const char *
view_escape(struct arena *a, int text, const char *s)
{
	struct buf b;
	char *out;

	if (!s)
		return "";
	if (text || !html_escape_needed(s))
		return s;
	buf_init(&b, (size_t)-1 / 2);
	html_escape(&b, s);
	out = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	return out;
}

void
view_str(struct view *v, const char *name, const char *s)
{
	ctpl_environ_push_string(v->env, name, view_escape(v->a, v->text, s));
}

void
view_int(struct view *v, const char *name, long n)
{
	ctpl_environ_push_int(v->env, name, n);
}

void
view_raw_html_already_safe(struct view *v, const char *name,
    const char *html)
{
	ctpl_environ_push_string(v->env, name, html ? html : "");
}

void
view_rows_init(struct view_rows *rows, const struct view *v)
{
	rows->list = ctpl_value_new();
	ctpl_value_set_array(rows->list, CTPL_VTYPE_INT, 0, NULL);
	rows->a = v->a;
	rows->text = v->text;
}

void
view_rows_add_cells(struct view_rows *rows, unsigned raw_mask, int ncols,
    const char *const *cells)
{
	CtplValue *row = ctpl_value_new();

	ctpl_value_set_array(row, CTPL_VTYPE_INT, 0, NULL);
	for (int i = 0; i < ncols; i++)
		ctpl_value_array_append_string(row, i < 32 &&
		    (raw_mask & (1u << i)) ? (cells[i] ? cells[i] : "") :
		    view_escape(rows->a, rows->text, cells[i]));
	ctpl_value_array_append(rows->list, row);
	ctpl_value_free(row);
}

static void
rows_addv(struct view_rows *rows, unsigned raw_mask, int ncols, va_list ap)
{
	const char *cells[32];

	if (ncols > (int)ARRAY_SIZE(cells))
		abort();	/* a table this wide is a mistake */
	for (int i = 0; i < ncols; i++)
		cells[i] = va_arg(ap, const char *);
	view_rows_add_cells(rows, raw_mask, ncols, cells);
}

void
view_rows_add(struct view_rows *rows, int ncols, ...)
{
	va_list ap;

	va_start(ap, ncols);
	rows_addv(rows, 0, ncols, ap);
	va_end(ap);
}

void
view_rows_add_html(struct view_rows *rows, unsigned raw_mask, int ncols, ...)
{
	va_list ap;

	va_start(ap, ncols);
	rows_addv(rows, raw_mask, ncols, ap);
	va_end(ap);
}

void
view_rows_set(struct view *v, const char *name, struct view_rows *rows)
{
	ctpl_environ_push(v->env, name, rows->list);
	ctpl_value_free(rows->list);
	rows->list = NULL;
}

int
view_render(const struct views *vs, const char *name, struct view *v,
    struct buf *out)
{
	GOutputStream *gs;
	CtplOutputStream *os;
	GError *err = NULL;
	const CtplToken *tree = NULL;
	int rc = -1;

	for (size_t i = 0; i < vs->n; i++)
		if (!strcmp(vs->names[i], name))
			tree = vs->trees[i];
	if (!tree) {
		log_error("views: no template %s", name);
		return -1;
	}
	gs = g_memory_output_stream_new_resizable();
	os = ctpl_output_stream_new(gs);
	if (!ctpl_parser_parse(tree, v->env, os, &err)) {
		log_error("views: %s: %s", name, err ? err->message : "?");
		g_clear_error(&err);
	} else if (buf_append(out, g_memory_output_stream_get_data(
	    G_MEMORY_OUTPUT_STREAM(gs)),
	    g_memory_output_stream_get_data_size(G_MEMORY_OUTPUT_STREAM(gs)))
	    == 0)
		rc = 0;
	ctpl_output_stream_unref(os);
	g_object_unref(gs);
	return rc;
}
