/*
 * admin: the back-office (/admin, admins only: the dispatcher has
 * checked the role and the CSRF token before any handler here runs).
 * Internal to admin*.c and media.c; the handlers are in features.h.
 *
 * A back-office screen is a resource (git's commands[] is the model): one
 * struct resource row says what its list shows, what its form holds (a
 * form table, infra/form.h), which statements read and write it, and
 * what its notices and audit records say. One generic code path
 * (admin_resource.c) lists, shows the new and edit forms, creates,
 * updates and deletes, and the routes hand it its row (route.data):
 *
 *	GET  /admin/X             resource_list_get    the list (+ new form)
 *	POST /admin/X             resource_create_post
 *	GET  /admin/X/{id}        resource_edit_get
 *	POST /admin/X/{id}        resource_update_post
 *	POST /admin/X/{id}/delete resource_delete_post
 *
 * A resource with its own workflow (articles and pages publish, media
 * upload) routes those actions to its own handlers, which use the same
 * helpers. Every change and its audit record commit in one transaction.
 * Every string these helpers return is in r's arena.
 */
#ifndef CIVITAS_ADMIN_H
#define CIVITAS_ADMIN_H

#include "../infra/form.h"

#define ADMIN_PAGE_SIZE 50
#define TITLE_MAX 200
#define BODY_MAX (512 * 1024)	/* characters of Markdown; the body is 1 MiB */

/* The first column of every list and get statement of a resource. */
enum { RESOURCE_ID = 0 };

/* A list's tabs: ?param=value, "" for all, with their labels. */
struct resource_filter {
	const char *param;
	const char *const (*tabs)[2];	/* { value, label }, { NULL } */
};

struct resource {
	const char *type;	/* the audit's object type: "category" */
	const char *title;	/* the list's heading */
	/* The list: rows of id, one column per heading, then the total
	 * count; $1 limit and $2 offset, after the filter's value as $1
	 * when there is a filter. */
	enum stmt list;
	const char *heads[8];	/* NULL-ended */
	unsigned code_cols;	/* columns shown as code (bit 0: the first) */
	const char *count_label;	/* "article(s)": the caption's count */
	const char *caption;
	int paged;		/* the caption says which page */
	const char *empty;	/* "Aucune catégorie." */
	/* A row as shown, when its columns are not enough: fills
	 * cells[0..nheads-1] with HTML built from escaped parts. */
	void (*cells)(struct req *r, const PGresult *res, int i,
	    const char **cells);
	const struct resource_filter *filter;
	const char *list_tpl;	/* default "admin_list" */
	const char *new_link, *new_label;	/* a page that creates one */
	/* The form: new on the list page, edit on its own page. get
	 * returns id then each field of the table, in order; insert takes
	 * the fields in order, update the id then the fields; both return
	 * the id. */
	const struct form_field *fields;
	const char *fields_tpl;	/* the fields' markup */
	const char *form_id;
	const char *new_title, *create_label, *edit_title, *back_label;
	enum stmt get, insert, update;
	const char *label_field;	/* names a row: notices, the audit */
	/* The "slug" field, when left empty, is made from this field, with
	 * a -2, -3... among the slugs that statement lists. */
	const char *slug_from;
	enum stmt slugs;
	const char *unique_field, *unique_msg;	/* a unique violation */
	int (*check)(struct form *f);	/* more checks: 0, or -1 (503) */
	int (*view)(struct form *f);	/* more values to show: 0 or -1 */
	/* The edit page's link to the public page of row (get's), with
	 * its label. */
	const char *(*public_url)(struct req *r, const PGresult *row);
	const char *view_label;
	/* Delete: del takes the id and returns the label. */
	enum stmt del;
	const char *delete_label, *delete_note;
	void (*deleted)(struct req *r, long id);	/* after the commit */
	/* Notices (%s: the label). */
	const char *created, *saved, *removed;
};

/* The resources (route.data of their routes). */
extern const struct resource admin_articles, admin_pages, admin_categories,
    admin_blocks, admin_redirections, admin_media, admin_audit;
/* Do the resources' and the editors' statements fit their rows (columns
 * and parameters, as the contracts say)? 0, or -1 after logging each
 * misfit. */
int resources_check(void);

int resource_list_get(struct req *r);
int resource_create_post(struct req *r);
int resource_edit_get(struct req *r);
int resource_update_post(struct req *r);
int resource_delete_post(struct req *r);

/* The list page of res at path, with the new form f (NULL: none) at
 * status. 200/422; 503. */
int resource_list(struct req *r, const struct resource *res,
    const char *path, struct form *f, int status);
/* The row {id} of the route by stmt into *row: 0; 404; 503. */
int admin_load(struct req *r, enum stmt stmt, PGresult **row);

/* Pushes the navigation (section marked) and the flash notice into v. */
void admin_chrome(struct req *r, struct view *v, const char *section);
/* s escaped for HTML. */
const char *html_text(struct req *r, const char *s);
/* <a href="href">text</a>, both escaped. */
const char *link_html(struct req *r, const char *href, const char *text);
/* <option>s of rows (id, label), "" first as `none`, selected marked. */
const char *options_html(struct req *r, const PGresult *res,
    const char *selected, const char *none);
/* 1 when id is the id of a row of res (OPTION_ID). */
int option_exists(const PGresult *res, const char *id);
/* The slug field of f: typed (made a slug; taken: an error) or made
 * from `from` with a -N suffix when needed, free in stmt's table except
 * row self. 0 (the field set or marked), or -1 when PostgreSQL failed. */
int form_slug(struct form *f, enum stmt stmt, const char *from,
    const char *self);
/* Markdown to sanitised HTML, in the arena; NULL on failure. */
const char *render_body(struct req *r, const char *md);
/* "brouillon", "programmé" or "publié" for a stored or derived state. */
const char *state_label(const char *state);
/* Record an admin action in the audit log, inside the caller's
 * transaction when there is one. object_id 0: none. 0, or -1. */
int audit(struct req *r, const char *action, const char *object_type,
    long object_id, const char *label);

/*
 * The editors of what is published (articles, pages): the same screens
 * around a workflow of their own. An editor row gives its form table and
 * its get statement: the id, each field of the form in order, then
 * state (draft | scheduled | published), frozen (the slug may no longer
 * change), updated, author and created. Its post hook saves.
 */
struct pub {
	const char *id;		/* NULL: not created yet */
	const char *state;
	int frozen;
	const char *slug;	/* the slug readers know, "" if new */
	const char *updated, *author, *created;
};

struct editor {
	const char *type;		/* "article": its audit type */
	const char *path;		/* "/admin/articles" */
	const char *public_path;	/* "/articles/": + slug */
	const struct form_field *fields;
	enum stmt get;
	const char *tpl, *new_title, *edit_title;
	int (*view)(struct form *f);	/* more values: 0, or -1 (503) */
	int (*post)(struct req *r, struct form *f, const struct pub *p);
};

extern const struct editor article_editor, page_editor;
/* GET: the editor of a new one; POST: create it (post hook). */
int editor_new(struct req *r);
/* GET: the editor of row {id}; POST: save it (post hook). 404; 503. */
int editor_edit(struct req *r);
/* The editor page with the form's values around p, at status. */
int editor_page(struct form *f, const struct editor *e, const struct pub *p,
    int status);

/* Publishing (articles, pages): the posted action (field "action"). */
enum pub_action { ACT_SAVE, ACT_PUBLISH, ACT_SCHEDULE, ACT_UNPUBLISH };
extern const char *const pub_actions[];	/* their names, NULL-ended */
int pub_action(const struct form *f);
/* The slug of an article or a page: frozen (the one readers know, NULL
 * when it may still change: then made as form_slug does, from "title"),
 * a typed other one is refused with frozen_msg. 0, or -1 (PostgreSQL). */
int pub_slug(struct form *f, const char *self, const char *frozen,
    const char *frozen_msg, enum stmt slugs);
/* After the insert or update (res) of a `type` row (id NULL: created),
 * in the open transaction: the audit records of act, and the commit.
 * The row's id, or NULL with *status: 422 (the slug was taken meanwhile:
 * marked), 404, 503. */
const char *pub_write(struct form *f, PGresult *res, const char *type,
    const char *id, int act, int *status);

#endif
