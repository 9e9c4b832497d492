/*
 * view: templates (libctpl) and the values they see.
 *
 * Invariant: libctpl escapes nothing, so this module is the only code that
 * pushes values into a CtplEnviron, and view_str() HTML-escapes every string.
 * Raw HTML enters only through view_raw_html_already_safe(), for markup that
 * C code built itself from escaped parts. Text-mode views (mail bodies) push
 * strings unchanged because they are never read as HTML.
 *
 * Templates are lexed once per process (views_load) and shared read-only;
 * a view's environ lives in the request arena.
 */
#ifndef CIVITAS_VIEW_H
#define CIVITAS_VIEW_H

#include <ctpl/ctpl.h>
#include "../core/arena.h"
#include "../core/buf.h"

struct views {
	size_t n;
	char **names;
	CtplToken **trees;
};

struct view {
	CtplEnviron *env;
	struct arena *a;
	int text;
};

struct view_rows {
	CtplValue *list;
	struct arena *a;
	int text;
};

/* Lex every *.html and mail/ *.txt under dir; -1 with a log on failure. */
int views_load(struct views *vs, const char *dir);
void views_release(struct views *vs);

void view_init(struct view *v, struct arena *a, int text);
void view_str(struct view *v, const char *name, const char *s);
void view_int(struct view *v, const char *name, long n);
void view_raw_html_already_safe(struct view *v, const char *name,
    const char *html);

void view_rows_init(struct view_rows *rows, const struct view *v);
/* Append a row of ncols strings (escaped like view_str). */
void view_rows_add(struct view_rows *rows, int ncols, ...);
/* The same, except that the columns whose bit is set in raw_mask (bit 0 =
 * first column) are already-safe HTML built by C code, pushed as is. */
void view_rows_add_html(struct view_rows *rows, unsigned raw_mask,
    int ncols, ...);
/* The same from an array of ncols strings. */
void view_rows_add_cells(struct view_rows *rows, unsigned raw_mask,
    int ncols, const char *const *cells);
/* Hand the rows to the view under name (rows are consumed). */
void view_rows_set(struct view *v, const char *name, struct view_rows *rows);

/* Render template `name` into out; -1 on a template error (logged). */
int view_render(const struct views *vs, const char *name, struct view *v,
    struct buf *out);

#endif
