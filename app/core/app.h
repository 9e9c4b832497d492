/*
 * app.h: the process-wide application (connections, templates, reference
 * data) and the per-request context every handler receives.
 *
 * Ownership: struct app is built once before the accept loop and only read
 * afterwards, except for its connections (which reconnect) and the caches
 * of immutable reference data. Nothing about a user ever lives in it.
 * struct req is reset after every response: everything it points to is in
 * its arena or deferred on it.
 */
#ifndef CIVITAS_APP_H
#define CIVITAS_APP_H

#include "common.h"
#include "arena.h"
#include "buf.h"
#include "config.h"
#include "parse.h"
#include "router.h"
#include "../infra/crypto.h"
#include "../infra/db.h"
#include "../infra/kv.h"
#include "../infra/view.h"

#define MAX_FORM_BODY (1024 * 1024)	/* nginx client_max_body_size 1m */
#define MAX_UPLOAD_BODY (25 * 1024 * 1024)	/* R_UPLOAD routes: 25m */
#define MAX_FIELDS 64
#define MAX_QUERY_FIELDS 32
#define MAX_COOKIES 32
#define MAX_OUTPUT (8 * 1024 * 1024)

struct country {
	char code[3];
	char *name;
};

struct app {
	struct config cfg;
	struct db db;
	struct kv kv;
	struct views views;
	char *asset_css;	/* fingerprinted URLs from public/assets.map */
	char *asset_js;
	struct country *countries;	/* loaded once, position order */
	size_t ncountries;
	char *country_options;	/* their <option>s, escaped, built once */
	const char **route_patterns;	/* routes[] as the router wants it */
	int *route_methods;
};

struct user {
	long id;
	const char *id_str;
	const char *email;
	const char *role;
	const char *status;
	const char *first_name;
	const char *last_name;
	const char *gender;
	const char *birth_date;
	const char *phone;
	const char *street;
	const char *postal_code;
	const char *country;
	const char *city_insee;
	const char *city_name;
	const char *created;
};

struct req;
typedef int (*handler_fn)(struct req *r);

/* Route flags, enforced by the dispatcher in this order. */
enum {
	R_JSON = 1 << 0,	/* errors as application/problem+json */
	R_CACHEABLE = 1 << 1,	/* public, cookie-free, shared-cacheable */
	R_SESSION = 1 << 2,	/* load the session when there is a cookie */
	R_AUTH = 1 << 3,	/* a logged-in member, else redirect to login */
	R_ADMIN = 1 << 4,	/* role admin, else 403 */
	R_UPLOAD = 1 << 5,	/* multipart body up to MAX_UPLOAD_BODY */
	R_PAGECACHE = 1 << 6,	/* a 200 is kept by the worker (pagecache.h) */
};

struct route {
	int method;
	const char *pattern;
	handler_fn handler;
	int flags;
};

struct req {
	struct app *app;
	struct arena arena;
	int method;
	const char *method_str;
	const char *path;
	const char *query_string;
	const char *remote_addr;
	const char *content_type;
	struct fields query;
	struct fields form;
	struct fields cookies;
	char **envp;			/* the CGI parameters (req_header) */
	struct parts files;		/* multipart parts with a filename */
	const struct route *route;
	const char *params[ROUTE_MAX_PARAMS];
	/* session */
	char sid[TOKEN_LEN + 1];	/* "" when anonymous */
	struct user *user;
	const char *csrf;		/* form token, once csrf_token() ran */
	/* response */
	struct buf headers;
	struct buf body;
	const char *ctype;
	const char *cache;		/* Cache-Control override */
	const char *head_html;		/* extra <head> markup, already safe */
	const char *description;	/* meta description, NULL: the site's */
	int cookies_set;
	int unavailable;		/* a backing service failed: 503 */
	int body_read;			/* the whole request body was read */
	const char *page_key;		/* keep the 200 under this key */
};

/* Routes, from features/routes.c. */
extern const struct route routes[];
extern const size_t nroutes;

/* Request accessors: NULL when absent. */
const char *req_form(const struct req *r, const char *name);
const char *req_query(const struct req *r, const char *name);
const char *req_cookie(const struct req *r, const char *name);
/* The route's {id}: a positive integer as text, else NULL (404). */
const char *req_id(const struct req *r);
/* A request header by its CGI name, e.g. "HTTP_IF_NONE_MATCH". */
const char *req_header(const struct req *r, const char *cgi_name);

/* Responses. Headers refuse CR/LF; redirects only go to our own paths. */
int resp_header(struct req *r, const char *name, const char *value);
int resp_redirect(struct req *r, const char *path);
void resp_cookie(struct req *r, const char *name, const char *value,
    long max_age);
int resp_json_text(struct req *r, int status, const char *json);
int resp_problem(struct req *r, int status, const char *title,
    const char *detail);
/* A page: template `tpl` inside the layout, with `title`. */
int render(struct req *r, int status, const char *tpl, struct view *v,
    const char *title);
/* A path no route or object answers: the redirections, else the 404
 * page (features/content.c). */
int not_found(struct req *r);
/* The error page for a status (HTML or problem+json per route). */
int render_error(struct req *r, int status, const char *message);
/* A backing service failed: 503 (readable page, Retry-After). */
int unavailable(struct req *r);

/* Data access bound to the request: results die with it. */
#define q(r, ...) db_exec(&(r)->app->db, &(r)->arena, __VA_ARGS__)
#define kv(r, ...) kv_cmd(&(r)->app->kv, &(r)->arena, __VA_ARGS__)

/* Worker entry points. */
int app_init(struct app *app);
void app_release(struct app *app);
int worker_run(struct app *app);
int master_run(struct app *app);
const struct country *app_countries(struct req *r, size_t *n);
const char *country_name(struct req *r, const char *code);

#endif
