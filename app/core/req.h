/*
 * req: one request, as every handler receives it, and the worker that
 * serves requests.
 *
 * The core knows nothing of the layers above it (see README,
 * "Layers"): the services a handler uses (struct app) and the member of
 * the session (struct user) are opaque here, and everything that needs
 * them (sessions, CSRF, error pages, redirections, the page cache's
 * trust) reaches the dispatcher as a hook of struct worker, handed over
 * by main.
 *
 * Ownership: struct req is reset after every response; everything it
 * points to lives in its arena or is deferred on it.
 */
#ifndef CIVITAS_REQ_H
#define CIVITAS_REQ_H

#include <jansson.h>

#include "common.h"
#include "arena.h"
#include "buf.h"
#include "config.h"
#include "parse.h"
#include "router.h"

#define MAX_FORM_BODY (1024 * 1024)	/* nginx client_max_body_size 1m */
#define MAX_UPLOAD_BODY (25 * 1024 * 1024)	/* R_UPLOAD routes: 25m */
#define MAX_FIELDS 64
#define MAX_QUERY_FIELDS 32
#define MAX_COOKIES 32
#define MAX_OUTPUT (8 * 1024 * 1024)

struct app;	/* the process's services (infra/app.h) */
struct user;	/* the member of the session (infra/session.h) */
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
	R_BRIEF = 1 << 7,	/* with R_PAGECACHE: kept PAGE_BRIEF_SECONDS
				 * only (counts that change without notice) */
	R_NOCSRF = 1 << 8,	/* a POST that carries its own proof (a signed
				 * link, an HMAC signature): no CSRF token */
	/* Degraded mode (issue 13, features/mode.c): what stays open. A GET
	 * R_CACHEABLE route, the back-office (R_ADMIN) and these: */
	R_PUBLIC = 1 << 9,	/* a public page that shows more to a member:
				 * served as to a visitor, and cacheable */
	R_ALWAYS = 1 << 10,	/* served as usual (health, the provider's
				 * notification, unsubscribing, logout) */
	R_DONATION = 1 << 11,	/* the gifts: open when DEGRADED_DONATIONS
				 * is open */
	/* issue 13, admin accounts: with R_ADMIN, the second factor's own
	 * pages, open to an admin whose session has not passed it yet */
	R_SECOND_FACTOR = 1 << 12,
};

/* How long a R_BRIEF page is kept: the micro-cache's own delay. */
#define PAGE_BRIEF_SECONDS 5.0

/* Roles a session grants (r->roles), checked against the route flags.
 * ROLE_ADMIN only once the session passed the back-office's second factor
 * (issue 13); before, an admin has ROLE_ADMIN_PENDING: R_ADMIN routes
 * send them to worker.second_factor_path, and admin powers elsewhere are
 * not theirs yet. */
enum { ROLE_ADMIN = R_ADMIN, ROLE_ADMIN_PENDING = 1 << 16 };

/* A route: data is handed to the handler as r->route->data (e.g. the
 * back-office resource a generic handler serves). */
struct route {
	int method;
	const char *pattern;
	handler_fn handler;
	int flags;
	const void *data;
};

struct req {
	struct app *app;
	const struct config *cfg;
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
	/* the session, set by the session hook */
	const char *sid;		/* "" when anonymous */
	struct user *user;		/* NULL when anonymous */
	unsigned roles;			/* ROLE_* of the member */
	const char *csrf;		/* form token, once made */
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
	int degraded;			/* degraded mode (issue 13) */
	int replica;			/* reads from the replica (issue 13) */
	unsigned long replica_notified;	/* ... fresh up to this count of
					 * the primary's notifications */
	const char *raw_body;		/* the body as received (NUL after it),
					 * for signatures over the bytes */
	size_t raw_len;
	const char *page_key;		/* keep the 200 under this key */
	/* issue 13, metrics and logs */
	const char *request_id;		/* nginx's $request_id, or ours */
	int answered;			/* the status written (respond) */
};

/* Request accessors: NULL when absent. */
const char *req_form(const struct req *r, const char *name);
const char *req_query(const struct req *r, const char *name);
const char *req_cookie(const struct req *r, const char *name);
/* The route's {id}: a positive integer as text, else NULL (404). */
const char *req_id(const struct req *r);
/* The same as a number, 0 when it is not one. */
long req_id_long(const struct req *r);
/* A request header by its CGI name, e.g. "HTTP_IF_NONE_MATCH". */
const char *req_header(const struct req *r, const char *cgi_name);

/* Responses. Headers refuse CR/LF; redirects only go to our own paths
 * (valid_local_path), anything else goes to "/". */
int resp_header(struct req *r, const char *name, const char *value);
int resp_redirect(struct req *r, const char *path);
void resp_cookie(struct req *r, const char *name, const char *value,
    long max_age);
/* The body of a JSON answer: takes ownership of v (NULL: out of memory,
 * a 500). */
int resp_json(struct req *r, int status, json_t *v);
int resp_problem(struct req *r, int status, const char *title,
    const char *detail);
/* A backing service failed: 503 (the error page says so, Retry-After). */
int unavailable(struct req *r);
const char *status_text(int status);
/* The French sentence of an error page for status. */
const char *error_message(int status);

/*
 * The worker: its table of routes and the hooks of the layers above,
 * wired by main. Every hook may be NULL (then: no session, no CSRF
 * check, a plain-text error page, no page cache).
 */
struct worker {
	struct app *app;		/* handed to each request as r->app */
	const struct config *cfg;
	const struct route *routes;
	size_t nroutes;
	/* Connect early, before the first request (may fail: the first
	 * request that needs a service retries). */
	void (*start)(struct app *app);
	/* A GET no route answers: redirections, then the 404 page. */
	handler_fn fallback;
	/* Every POST: does the CSRF token check out? Else csrf_refused
	 * answers (403). */
	int (*csrf_valid)(struct req *r);
	handler_fn csrf_refused;
	/* Routes with R_SESSION, R_AUTH or R_ADMIN: set r->sid, r->user and
	 * r->roles from the cookie; -1 when a service failed (503). */
	int (*session_load)(struct req *r);
	const char *login_path;	/* R_AUTH without a member: 303 here */
	/* The page of an error status that no handler wrote (message NULL:
	 * error_message(status)); returns the status answered. */
	int (*error_page)(struct req *r, int status, const char *message);
	/* The page cache: may what it keeps be served (1), or must it be
	 * emptied (0)? And may this fresh page be kept (0) or not (-1)? */
	int (*cache_valid)(struct req *r);
	int (*cache_arm)(struct req *r);
	/* After the handler, before the response: e.g. roll back a
	 * transaction a handler left open. */
	void (*request_end)(struct req *r);
	/* Degraded mode (issue 13): is the site degraded for this request?
	 * Then what it closes is answered by degraded_refused (503). */
	int (*degraded)(struct req *r);
	handler_fn degraded_refused;
	/* Just before the handler (issue 13): e.g. choose the replica for a
	 * public read route. */
	void (*before_handler)(struct req *r);
	/* issue 13, metrics: is the site in degraded mode (non-zero)? Read
	 * at each scrape of /metrics (civitas_degraded_mode); NULL: never. */
	int (*degraded_gauge)(const struct app *app);
	/* issue 13, admin accounts: an admin whose session has not passed
	 * the second factor, on a R_ADMIN route: 303 here (?next=path); NULL:
	 * 403. */
	const char *second_factor_path;
};

/* The accept loop on fd 0, until SIGTERM. */
int worker_run(const struct worker *w);
/* The master: open cfg->listen, prefork cfg->workers workers. */
int master_run(const struct config *cfg);

#endif
