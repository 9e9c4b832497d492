/*
 * server: the worker's accept loop and the dispatcher.
 *
 * For each request, in this order: parse the CGI parameters and the path,
 * match the route (404/405), bound and parse the query, cookies and body
 * (400/413), check CSRF on every POST (403), load the session when the
 * route wants it, enforce login and role (303 to /login, 403), run the
 * handler, then write the response once. A handler returns a status; when
 * it produced no body the dispatcher renders the error page for it.
 */
#include "common.h"
#include "app.h"
#include "pagecache.h"
#include "log.h"
#include "escape.h"
#include "../infra/session.h"

#include <jansson.h>
#include <limits.h>

#include <fcgiapp.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t worker_stopping;
static int devnull_fd = -1;

/* SIGTERM/SIGINT: stop accepting. Replacing the listening socket (fd 0)
 * by /dev/null makes the accept libfcgi is blocked in (or will enter) fail,
 * while a request already accepted completes normally. */
static void
worker_on_term(int sig)
{
	(void)sig;
	worker_stopping = 1;
	if (devnull_fd >= 0)
		dup2(devnull_fd, 0);
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

const char *
req_form(const struct req *r, const char *name)
{
	const struct field *f = fields_find(&r->form, name);

	return f ? f->value : NULL;
}

const char *
req_query(const struct req *r, const char *name)
{
	const struct field *f = fields_find(&r->query, name);

	return f ? f->value : NULL;
}

const char *
req_id(const struct req *r)
{
	long id;

	if (!r->params[0] || parse_long(r->params[0], 1, LONG_MAX, &id) < 0)
		return NULL;
	return r->params[0];
}

const char *
req_cookie(const struct req *r, const char *name)
{
	const struct field *f = fields_find(&r->cookies, name);

	return f ? f->value : NULL;
}

const char *
req_header(const struct req *r, const char *cgi_name)
{
	return r->envp ? FCGX_GetParam(cgi_name, r->envp) : NULL;
}

int
resp_header(struct req *r, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) {
		log_error("refused a header with CR/LF: %s", name);
		return -1;
	}
	if (!strcasecmp(name, "Set-Cookie"))
		r->cookies_set = 1;
	buf_printf(&r->headers, "%s: %s\r\n", name, value);
	return 0;
}

int
resp_redirect(struct req *r, const char *path)
{
	/* Our own absolute paths only: no scheme, no "//host". */
	if (path[0] != '/' || path[1] == '/' || path[1] == '\\')
		path = "/";
	if (resp_header(r, "Location",
	    arena_printf(&r->arena, "%s%s", r->app->cfg.base_url, path)) < 0)
		return 500;
	return 303;
}

void
resp_cookie(struct req *r, const char *name, const char *value, long max_age)
{
	char *c = arena_printf(&r->arena, "%s=%s; Path=/; HttpOnly; "
	    "SameSite=Lax%s", name, value,
	    r->app->cfg.secure_cookies ? "; Secure" : "");

	if (max_age >= 0)
		c = arena_printf(&r->arena, "%s; Max-Age=%ld", c, max_age);
	resp_header(r, "Set-Cookie", c);
}

int
resp_json_text(struct req *r, int status, const char *json)
{
	r->ctype = "application/json";
	buf_reset(&r->body);
	buf_puts(&r->body, json);
	return status;
}

int
resp_problem(struct req *r, int status, const char *title, const char *detail)
{
	json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank",
	    "title", title, "status", status, "detail", detail ? detail : title);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	buf_reset(&r->body);
	buf_puts(&r->body, s ? s : "{}");
	free(s);
	json_decref(o);
	r->ctype = "application/problem+json";
	return status;
}

static const char *
error_message(int status)
{
	switch (status) {
	case 400: return "La requête est invalide.";
	case 403: return "Vous n'avez pas accès à cette page.";
	case 404: return "La page demandée n'existe pas.";
	case 405: return "Cette méthode n'est pas permise ici.";
	case 413: return "Le contenu envoyé est trop volumineux.";
	case 414: return "L'adresse demandée est trop longue.";
	case 415: return "Ce type de contenu n'est pas accepté.";
	case 503: return "Le service est momentanément indisponible. "
	    "Réessayez dans quelques instants.";
	default: return "Une erreur est survenue de notre côté. "
	    "Réessayez dans quelques instants.";
	}
}

int
render(struct req *r, int status, const char *tpl, struct view *v,
    const char *title)
{
	struct buf content;
	struct view layout;
	int rc;

	buf_init(&content, MAX_OUTPUT);
	rc = view_render(&r->app->views, tpl, v, &content);
	if (rc == 0) {
		view_init(&layout, &r->arena, 0);
		view_str(&layout, "title", title);
		view_str(&layout, "description", r->description ? r->description :
		    "civitas, la plateforme du mouvement : adhérez, agissez "
		    "près de chez vous.");
		view_raw_html_already_safe(&layout, "head",
		    r->head_html ? r->head_html : "");
		view_str(&layout, "css", r->app->asset_css);
		view_str(&layout, "js", r->app->asset_js);
		view_int(&layout, "logged_in", r->user != NULL);
		view_int(&layout, "is_admin",
		    r->user && !strcmp(r->user->role, "admin"));
		view_str(&layout, "csrf", r->user ? csrf_token(r) : "");
		view_raw_html_already_safe(&layout, "content", content.data);
		buf_reset(&r->body);
		rc = view_render(&r->app->views, "layout", &layout, &r->body);
	}
	buf_release(&content);
	if (rc < 0) {
		buf_reset(&r->body);
		buf_puts(&r->body, "Erreur interne.");
		r->ctype = "text/plain; charset=utf-8";
		return 500;
	}
	r->ctype = "text/html; charset=utf-8";
	return status;
}

int
render_error(struct req *r, int status, const char *message)
{
	struct view v;

	if (!message)
		message = error_message(status);
	if ((r->route && (r->route->flags & R_JSON)) ||
	    !strncmp(r->path ? r->path : "", "/api/", 5))
		return resp_problem(r, status, status_text(status), message);
	view_init(&v, &r->arena, 0);
	view_int(&v, "status", status);
	view_str(&v, "message", message);
	return render(r, status, "error", &v, status_text(status)) == 500 &&
	    status != 500 ? 500 : status;
}

int
unavailable(struct req *r)
{
	r->unavailable = 1;
	resp_header(r, "Retry-After", "5");
	return 503;
}

/* Decode and check REQUEST_URI's path: 0, or an HTTP status. */
static int
req_parse_path(struct req *r, const char *uri)
{
	const char *qm;
	size_t plen, dlen;
	char *path;

	if (!uri || uri[0] != '/')
		return 400;
	qm = strchr(uri, '?');
	plen = qm ? (size_t)(qm - uri) : strlen(uri);
	if (plen > 2048)
		return 414;
	path = arena_alloc(&r->arena, plen + 1);
	if (url_decode(path, uri, plen, &dlen, 0) != PARSE_OK ||
	    !utf8_valid(path, dlen))
		return 400;
	r->path = path;
	if (!r->query_string)
		r->query_string = qm ? qm + 1 : "";
	return 0;
}

/* Is ct exactly this media type (parameters allowed after ';')? */
static int
media_type_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	return ct && !strncasecmp(ct, type, n) &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

static int
req_read_body(struct req *r, FCGX_Request *fr)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	long len = 0;
	char *body;
	char boundary[80];
	int rc;

	r->content_type = FCGX_GetParam("CONTENT_TYPE", fr->envp);
	if (cl && *cl && parse_long(cl, 0, LONG_MAX, &len) < 0)
		return 400;
	if (len > (r->route && (r->route->flags & R_UPLOAD) ?
	    MAX_UPLOAD_BODY : MAX_FORM_BODY))
		return 413;
	body = arena_alloc(&r->arena, (size_t)len + 1);
	if (len && FCGX_GetStr(body, (int)len, fr->in) != (int)len)
		return 400;
	body[len] = '\0';
	r->body_read = 1;
	if (r->method != HTTP_POST || len == 0)
		return 0;
	if (media_type_is(r->content_type, "application/x-www-form-urlencoded"))
		rc = parse_urlencoded(&r->arena, body, (size_t)len, &r->form,
		    MAX_FIELDS);
	else if (media_type_is(r->content_type, "multipart/form-data")) {
		if (multipart_boundary(r->content_type, boundary,
		    sizeof(boundary)) < 0)
			return 400;
		struct parts parts;

		rc = parse_multipart(&r->arena, boundary, body, (size_t)len,
		    &parts, MAX_FIELDS);
		/* Text parts become form fields, files go to r->files. */
		r->form.v = arena_alloc(&r->arena,
		    (parts.n + 1) * sizeof(*r->form.v));
		r->form.n = 0;
		r->files.v = arena_alloc(&r->arena,
		    (parts.n + 1) * sizeof(*r->files.v));
		r->files.n = 0;
		for (size_t i = 0; rc == PARSE_OK && i < parts.n; i++) {
			if (parts.v[i].filename) {
				r->files.v[r->files.n++] = parts.v[i];
				continue;
			}
			r->form.v[r->form.n].name = parts.v[i].name;
			r->form.v[r->form.n].value = parts.v[i].data;
			r->form.v[r->form.n].len = parts.v[i].len;
			r->form.n++;
		}
	} else if (r->route && (r->route->flags & R_JSON))
		return 0;	/* JSON APIs parse their own body */
	else
		return 415;
	if (rc == PARSE_TOO_MANY)
		return 413;
	return rc == PARSE_OK ? 0 : 400;
}

/* Did the browser say this request comes from our own pages? */
static int
same_origin(const struct req *r, FCGX_Request *fr)
{
	const char *site = FCGX_GetParam("HTTP_SEC_FETCH_SITE", fr->envp);
	const char *origin = FCGX_GetParam("HTTP_ORIGIN", fr->envp);

	if (site)
		return !strcmp(site, "same-origin");
	return origin && !strcmp(origin, r->app->cfg.base_url);
}

/*
 * A POST whose CSRF token does not check out. From another site: a plain
 * 403, nothing echoed. From our own pages (an expired cookie, a tab left
 * open): 403 with the user's values handed back in a form ready to resend
 * with a fresh token, so nothing typed is lost. Passwords are not echoed:
 * the page asks for each password field again.
 */
static const char *
password_label(const char *name)
{
	if (strstr(name, "current"))
		return "Mot de passe actuel";
	if (strstr(name, "confirm"))
		return "Confirmez le mot de passe";
	return "Mot de passe";
}

static int
csrf_refused(struct req *r, FCGX_Request *fr)
{
	struct view v;
	struct view_rows rows, passwords;
	int npasswords = 0;

	if (!same_origin(r, fr))
		return render_error(r, 403, "Le formulaire ne vient pas de ce "
		    "site : il n'a pas été pris en compte.");
	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	view_rows_init(&passwords, &v);
	for (size_t i = 0; i < r->form.n; i++) {
		const struct field *f = &r->form.v[i];

		if (!strcmp(f->name, "_csrf"))
			continue;
		if (strstr(f->name, "password")) {
			view_rows_add(&passwords, 3, f->name,
			    password_label(f->name),
			    arena_printf(&r->arena, "again-%d", npasswords++));
			continue;
		}
		view_rows_add(&rows, 2, f->name, f->value);
	}
	view_rows_set(&v, "fields", &rows);
	view_rows_set(&v, "passwords", &passwords);
	view_int(&v, "has_password", npasswords > 0);
	view_str(&v, "action", r->path);
	view_str(&v, "csrf", csrf_token(r));
	return render(r, 403, "expired", &v, "Formulaire expiré");
}

/* A field sent twice is ambiguous: refuse rather than guess. */
static int
form_has_repeats(const struct fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		for (size_t k = i + 1; k < f->n; k++)
			if (!strcmp(f->v[i].name, f->v[k].name))
				return 1;
	return 0;
}

/*
 * The worker's page cache (pagecache.h) is trusted while three things hold:
 * the PostgreSQL connection it LISTENs on is the one that was open when the
 * pages were kept (a reconnect may have missed a notification), no content
 * change was notified since, and no scheduled article has come due. The
 * check costs no round trip: notifications are read from the socket only
 * when they are already there.
 */
static unsigned long cache_generation;
static double cache_until;	/* monotonic seconds; 0: not armed */

static double
now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
page_cache_valid(struct app *app)
{
	int n = db_notifications(&app->db);

	if (n != 0 || app->db.generation != cache_generation ||
	    now_seconds() >= cache_until) {
		pagecache_clear();
		cache_until = 0;
		return 0;
	}
	return 1;
}

/* A 200 from a R_PAGECACHE route answered from the cache, else 0 (and
 * r->page_key set, so that the response is kept). */
static int
page_from_cache(struct req *r, const char *uri)
{
	const struct page *p;

	if (!r->app->cfg.page_cache_mb || !uri || strlen(uri) > 1024)
		return 0;
	r->page_key = arena_strdup(&r->arena, uri);
	if (!page_cache_valid(r->app) || !(p = pagecache_get(uri)))
		return 0;
	buf_append(&r->body, p->body, p->blen);
	buf_append(&r->headers, p->headers, p->hlen);
	resp_header(r, "X-Page-Cache", "HIT");
	r->ctype = arena_strdup(&r->arena, p->ctype);
	r->cache = p->cache_control[0] ?
	    arena_strdup(&r->arena, p->cache_control) : NULL;
	r->page_key = NULL;
	return 200;
}

/* Arm the cache on its first page: trusted until the next scheduled
 * article (a minute at most). 0, or -1 when it cannot be armed now. */
static int
page_arm(struct req *r)
{
	struct db *db = &r->app->db;
	PGresult *res;

	if (cache_until)
		return 0;
	if (!(res = q(r, STMT_NEXT_SCHEDULED)))
		return -1;
	if (db_notifications(db) != 0)
		return -1;	/* changed meanwhile: next time */
	cache_generation = db->generation;
	cache_until = now_seconds() + MIN(60.0,
	    strtod(db_str(res, 0, 0), NULL));
	return 0;
}

/* Keep a fresh 200 of a R_PAGECACHE route. */
static void
page_keep(struct req *r, int status)
{
	if (!r->page_key)
		return;
	if (status == 200 && !r->unavailable && !r->cookies_set &&
	    page_arm(r) == 0)
		pagecache_put(r->page_key, r->ctype ? r->ctype :
		    "text/html; charset=utf-8", r->cache ? r->cache : "",
		    r->headers.data, r->headers.len, r->body.data, r->body.len);
	/* After the copy: a hit must not say MISS. */
	resp_header(r, "X-Page-Cache", "MISS");
}

static int
dispatch(struct req *r, FCGX_Request *fr)
{
	const char *cookie = FCGX_GetParam("HTTP_COOKIE", fr->envp);
	struct route_match m;
	enum route_result rr;
	int rc;

	r->envp = fr->envp;
	r->method_str = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	r->method = http_method_parse(r->method_str);
	r->remote_addr = FCGX_GetParam("REMOTE_ADDR", fr->envp);
	r->query_string = FCGX_GetParam("QUERY_STRING", fr->envp);
	if ((rc = req_parse_path(r, FCGX_GetParam("REQUEST_URI", fr->envp))))
		return rc;
	rr = router_match(r->app->route_patterns, r->app->route_methods,
	    nroutes, r->method, r->path, &m);
	if (rr == ROUTE_NOT_FOUND)
		return r->method == HTTP_GET ? not_found(r) : 404;
	if (rr == ROUTE_METHOD_NOT_ALLOWED) {
		resp_header(r, "Allow", m.allowed & HTTP_POST ?
		    (m.allowed & HTTP_GET ? "GET, HEAD, POST" : "POST") :
		    "GET, HEAD");
		return 405;
	}
	r->route = &routes[m.index];
	for (size_t i = 0; i < m.nparams; i++) {
		char *p = arena_strndup(&r->arena, m.params[i].p,
		    m.params[i].len);

		r->params[i] = p;
	}
	if (parse_urlencoded(&r->arena, r->query_string,
	    strlen(r->query_string), &r->query, MAX_QUERY_FIELDS) != PARSE_OK)
		return 400;
	/* Junk or too many cookies: keep those parsed before the trouble. */
	if (cookie && !(r->route->flags & R_CACHEABLE))
		parse_cookies(&r->arena, cookie, &r->cookies, MAX_COOKIES);
	if ((rc = req_read_body(r, fr)))
		return rc;
	if (form_has_repeats(&r->query) || form_has_repeats(&r->form))
		return 400;
	/* After the body is read (nothing, for a GET): the connection then
	 * closes at once, without waiting for nginx. */
	if ((r->route->flags & R_PAGECACHE) && r->method == HTTP_GET &&
	    (rc = page_from_cache(r, FCGX_GetParam("REQUEST_URI", fr->envp))))
		return rc;
	if (r->method == HTTP_POST && !csrf_valid(r))
		return csrf_refused(r, fr);
	if (r->route->flags & (R_SESSION | R_AUTH | R_ADMIN) &&
	    session_load(r) < 0)
		return unavailable(r);
	if (r->route->flags & (R_AUTH | R_ADMIN) && !r->user) {
		struct buf b;
		int st;

		buf_init(&b, 4096);
		buf_puts(&b, "/login?next=");
		url_encode(&b, r->path);
		st = resp_redirect(r, b.data);
		buf_release(&b);
		return st;
	}
	if (r->route->flags & R_ADMIN && strcmp(r->user->role, "admin"))
		return 403;
	return r->route->handler(r);
}

static void
respond(struct req *r, FCGX_Request *fr, int status)
{
	struct buf head;
	const char *cache;

	if (r->unavailable && status < 500)
		status = 503;
	if (status >= 400 && r->body.len == 0)
		status = render_error(r, status, NULL);
	if (r->route && (r->route->flags & R_CACHEABLE) && status == 200 &&
	    !r->cookies_set)
		cache = r->cache ? r->cache : "public, max-age=60";
	else
		cache = r->cache && status < 400 && !r->cookies_set ? r->cache :
		    "no-store";
	buf_init(&head, 64 * 1024);
	buf_printf(&head, "Status: %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n", status, status_text(status),
	    r->ctype ? r->ctype : "text/html; charset=utf-8", r->body.len);
	buf_printf(&head, "Cache-Control: %s\r\n", cache);
	buf_append(&head, r->headers.data, r->headers.len);
	buf_puts(&head, "\r\n");
	FCGX_PutStr(head.data, (int)head.len, fr->out);
	if (r->body.len)
		FCGX_PutStr(r->body.data, (int)r->body.len, fr->out);
	buf_release(&head);
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
handle(struct app *app, struct req *r, FCGX_Request *fr)
{
	struct timespec t0;
	double ms;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r->app = app;
	buf_init(&r->headers, 64 * 1024);
	buf_init(&r->body, MAX_OUTPUT);
	status = dispatch(r, fr);
	if (app->db.in_tx)
		db_rollback(&app->db);	/* a handler bailed out mid-way */
	page_keep(r, status);
	respond(r, fr, status);
	/* nginx logs every request; the worker logs what needs a look (errors,
	 * slow requests), or everything with LOG_REQUESTS=all. The route
	 * pattern, not the path: paths can hold tokens. */
	ms = elapsed_ms(&t0);
	if (app->cfg.log_all || status >= 400 || ms >= 250)
		log_info("%s %s %d %.1fms", r->method_str ? r->method_str : "-",
		    r->route ? r->route->pattern :
		    (r->path && strlen(r->path) < 120 ? r->path : "-"),
		    status, ms);
	buf_release(&r->headers);
	buf_release(&r->body);
}

/*
 * Accept one connection on fd 0 and let libfcgi read the request from it.
 * We accept ourselves so that a stopping worker leaves only from here,
 * between requests: 1 a request is ready, 0 the peer sent no valid
 * request (try again), -1 stop. The connection is handed over through the
 * request's public ipcFd; keepConnection stops FCGX_Accept_r's opening
 * FCGX_Finish_r from closing it.
 */
static int
worker_accept(FCGX_Request *fr)
{
	int fd, rc;

	for (;;) {
		if (worker_stopping)
			return -1;
		fd = accept4(0, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
			continue;
		if (!worker_stopping)
			log_error("accept: %s", strerror(errno));
		return -1;
	}
	fr->ipcFd = fd;
	fr->keepConnection = 1;
	if ((rc = FCGX_Accept_r(fr)) != 0) {
		log_error("connection without a valid request: %s",
		    strerror(-rc));
		return 0;
	}
	return 1;
}

/*
 * End the request. libfcgi's default close half-closes the connection and
 * waits for the web server to close first, which keeps the worker idle for
 * a round trip per request. When the request was read to its end we close
 * at once instead: nothing unread is left in the socket, so even over TCP
 * the close cannot turn into a reset that would lose the response. An
 * unread body (413) keeps the careful close.
 */
static void
worker_close(const struct req *r, FCGX_Request *fr)
{
	char sink[512];

	if (r->body_read) {
		while (FCGX_GetStr(sink, sizeof(sink), fr->in) > 0)
			;	/* the end-of-stdin record, normally */
		fr->detached = 1;	/* FCGX_Free: close without lingering */
	}
	FCGX_Finish_r(fr);
}

int
worker_run(struct app *app)
{
	FCGX_Request fr;
	struct req r;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_term;
	/* Restart interrupted reads and writes: a request being served must
	 * not see EINTR. The accept restarts too, on /dev/null, and fails. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		return 1;
	}
	/* libfcgi gets an invalid listening socket: it must never accept by
	 * itself (see worker_accept). */
	FCGX_InitRequest(&fr, -1, 0);
	memset(&r, 0, sizeof(r));
	arena_init(&r.arena, 64 * 1024);
	/* Connect early when possible; a service that is down now is
	 * retried by the first request that needs it. */
	app->db.listen = "civitas_content";
	pagecache_init((size_t)app->cfg.page_cache_mb * 1024 * 1024);
	db_ensure(&app->db);
	kv_ensure(&app->kv);
	log_info("worker ready");
	for (;;) {
		struct arena keep = r.arena;
		int rc;

		if ((rc = worker_accept(&fr)) < 0)
			break;
		if (rc == 0)
			continue;
		memset(&r, 0, sizeof(r));
		r.arena = keep;
		handle(app, &r, &fr);
		worker_close(&r, &fr);
		arena_reset(&r.arena);
	}
	arena_release(&r.arena);
	log_info("worker exiting");
	return 0;
}
