/*
 * admin: the back-office (/admin, admins only: the dispatcher has
 * checked the role and the CSRF token before any handler here runs).
 * Internal to admin*.c; the handlers are declared in features.h.
 *
 * Articles (admin_articles.c), pages (admin_pages.c), categories, home
 * blocks and redirections (admin_site.c): lists, forms, create, edit,
 * publish, schedule, unpublish, delete. Every change and its audit record
 * commit in one transaction. Markdown bodies are rendered and sanitised
 * once, at save (infra/markdown.c); readers get body_html. The dashboard,
 * the audit log, the preview, the CLI rerender and the helpers below live
 * in admin.c.
 *
 * Every form works without JavaScript; 30-admin.js only adds a live
 * Markdown preview through POST /admin/preview.
 *
 * Every string these helpers return is in r's arena.
 */
#ifndef CIVITAS_ADMIN_H
#define CIVITAS_ADMIN_H

#include "../infra/render.h"
#include "form.h"

#define ADMIN_PAGE_SIZE 50
#define SLUG_MAX 80
#define TITLE_MAX 200
#define BODY_MAX (512 * 1024)	/* bytes of Markdown; the form body is 1 MiB */

enum pub_action { ACT_SAVE, ACT_PUBLISH, ACT_SCHEDULE, ACT_UNPUBLISH };

/* <a href="href">text</a>, both escaped. */
const char *link_html(struct req *r, const char *href, const char *text);
/* Pushes the navigation (section marked) and the flash notice into v. */
void admin_chrome(struct req *r, struct view *v, const char *section);
/* ?page=N (1 when absent or wrong). */
long page_number(struct req *r);
/* The SQL OFFSET of page `page`, as text. */
const char *offset_of(struct req *r, long page);
/* Pushes prev/next links and page, pages, total for a list at base. */
void view_pager(struct req *r, struct view *v, const char *base,
    const char *query, long page, long total);
/* <option>s of rows (id, label), "" first as `none`, selected marked. */
const char *options_html(struct req *r, const PGresult *res,
    const char *selected, const char *none);
/* 1 when id is the first column of a row of res. */
int option_exists(const PGresult *res, const char *id);
/* A posted multi-line field, CR LF made LF; "" if absent, NULL if > max. */
const char *form_body(struct req *r, const char *name, size_t max);
/* 1 when s has more than max code points. */
int too_long(const char *s, size_t max);
/* The slug of text into out (SLUG_MAX + 1 bytes), "" when none. */
void slugify(const char *text, char *out);
/* The slug field: typed or made from `from`, free in stmt's table. */
const char *form_slug(struct form *f, enum stmt stmt, const char *typed,
    const char *from, const char *self, int *failed);
/* Markdown to sanitised HTML, in the arena; NULL on failure. */
const char *render_body(struct req *r, const char *md);
/* "brouillon", "programmé" or "publié" for a stored or derived state. */
const char *state_label(const char *state);
/* The posted action as an enum pub_action, or -1 when unknown. */
int parse_action(const char *s, int allow_schedule);
/* Deletes row {id} with stmt, audits it, 303 to list; 404; 503. */
int delete_row(struct req *r, enum stmt stmt, const char *action,
    const char *type, const char *list, const char *notice);

#endif
