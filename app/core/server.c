/*
 * server: the worker's accept loop and the dispatcher.
 *
 * For each request, in this order: parse the CGI parameters and the path,
 * match the route (404/405), bound and parse the query, cookies and body
 * (400/413), check CSRF on every POST (403), load the session when the
 * route wants it, enforce login and role (303 to the login page; an
 * admin before the second factor, issue 13: 303 to its page; 403),
 * run the handler, then write the response once. A handler returns a
 * status; when it produced no body the dispatcher has the error page
 * rendered for it. What needs the layers above (sessions, CSRF, pages,
 * redirections) comes as the hooks of struct worker (req.h).
 */
#include "common.h"
#include "req.h"
#include "pagecache.h"
#include "log.h"
#include "escape.h"

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
	r->raw_body = body;
	r->raw_len = (size_t)len;
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
 * The worker's page cache (pagecache.h): the worker's hooks say whether
 * what it keeps is still true (else it is emptied) and whether a fresh
 * page may be kept.
 */

/* A 200 from a R_PAGECACHE route answered from the cache, else 0 (and
 * r->page_key set, so that the response is kept). */
static int
page_from_cache(const struct worker *w, struct req *r, const char *uri)
{
	const struct page *p;

	if (!r->cfg->page_cache_mb || !w->cache_valid || !uri ||
	    strlen(uri) > 1024)
		return 0;
	r->page_key = arena_strdup(&r->arena, uri);
	if (!w->cache_valid(r)) {
		pagecache_clear();
		return 0;
	}
	if (!(p = pagecache_get(uri, mono_now())))
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

/* Keep a fresh 200 of a R_PAGECACHE route. */
static void
page_keep(const struct worker *w, struct req *r, int status)
{
	if (!r->page_key)
		return;
	if (status == 200 && !r->unavailable && !r->cookies_set &&
	    w->cache_arm(r) == 0)
		pagecache_put(r->page_key, r->ctype ? r->ctype :
		    "text/html; charset=utf-8", r->cache ? r->cache : "",
		    r->headers.data, r->headers.len, r->body.data, r->body.len,
		    r->route->flags & R_BRIEF ? mono_now() +
		    PAGE_BRIEF_SECONDS : 0);
	/* After the copy: a hit must not say MISS. */
	resp_header(r, "X-Page-Cache", "MISS");
}

/* Not logged in on a R_AUTH route: to the login page (or, issue 13, an
 * admin to the second factor's), back here after. */
static int
login_first(const char *page, struct req *r)
{
	struct buf b;
	int st;

	buf_init(&b, 4096);
	buf_printf(&b, "%s?next=", page ? page : "/");
	url_encode(&b, r->path);
	st = resp_redirect(r, b.data);
	buf_release(&b);
	return st;
}

/* routes[] as the router wants it, built once when the worker starts. */
static const char **route_patterns;
static int *route_methods;

static int
dispatch(const struct worker *w, struct req *r, FCGX_Request *fr)
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
	rr = router_match(route_patterns, route_methods, w->nroutes,
	    r->method, r->path, &m);
	if (rr == ROUTE_NOT_FOUND)
		return r->method == HTTP_GET && w->fallback ? w->fallback(r) :
		    404;
	if (rr == ROUTE_METHOD_NOT_ALLOWED) {
		resp_header(r, "Allow", m.allowed & HTTP_POST ?
		    (m.allowed & HTTP_GET ? "GET, HEAD, POST" : "POST") :
		    "GET, HEAD");
		return 405;
	}
	r->route = &w->routes[m.index];
	for (size_t i = 0; i < m.nparams; i++)
		r->params[i] = arena_strndup(&r->arena, m.params[i].p,
		    m.params[i].len);
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
	    (rc = page_from_cache(w, r, FCGX_GetParam("REQUEST_URI",
	    fr->envp))))
		return rc;
	if (r->method == HTTP_POST && !(r->route->flags & R_NOCSRF) &&
	    w->csrf_valid && !w->csrf_valid(r))
		return w->csrf_refused ? w->csrf_refused(r) : 403;
	if (r->route->flags & (R_SESSION | R_AUTH | R_ADMIN) &&
	    w->session_load && w->session_load(r) < 0)
		return unavailable(r);
	if (r->route->flags & (R_AUTH | R_ADMIN) && !r->user)
		return login_first(w->login_path, r);
	/* issue 13: an admin before the second factor */
	if (r->route->flags & R_ADMIN & ~r->roles &&
	    r->roles & ROLE_ADMIN_PENDING && w->second_factor_path &&
	    !(r->route->flags & R_SECOND_FACTOR))
		return login_first(w->second_factor_path, r);
	if (r->route->flags & R_ADMIN & ~r->roles &&
	    !(r->route->flags & R_SECOND_FACTOR &&
	    r->roles & ROLE_ADMIN_PENDING))
		return 403;
	return r->route->handler(r);
}

static void
respond(const struct worker *w, struct req *r, FCGX_Request *fr, int status)
{
	struct buf head;
	const char *cache;

	if (r->unavailable && status < 500)
		status = 503;
	if (status >= 400 && r->body.len == 0) {
		if (w->error_page)
			status = w->error_page(r, status, NULL);
		else {
			buf_puts(&r->body, error_message(status));
			r->ctype = "text/plain; charset=utf-8";
		}
	}
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
handle(const struct worker *w, struct req *r, FCGX_Request *fr)
{
	struct timespec t0;
	double ms;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r->app = w->app;
	r->cfg = w->cfg;
	r->sid = "";
	buf_init(&r->headers, 64 * 1024);
	buf_init(&r->body, MAX_OUTPUT);
	status = dispatch(w, r, fr);
	if (w->request_end)
		w->request_end(r);
	page_keep(w, r, status);
	respond(w, r, fr, status);
	/* nginx logs every request; the worker logs what needs a look (errors,
	 * slow requests), or everything with LOG_REQUESTS=all. The route
	 * pattern, not the path: paths can hold tokens. */
	ms = elapsed_ms(&t0);
	if (w->cfg->log_all || status >= 400 || ms >= 250)
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
worker_run(const struct worker *w)
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
	route_patterns = xcalloc(w->nroutes, sizeof(*route_patterns));
	route_methods = xcalloc(w->nroutes, sizeof(*route_methods));
	for (size_t i = 0; i < w->nroutes; i++) {
		route_patterns[i] = w->routes[i].pattern;
		route_methods[i] = w->routes[i].method;
	}
	pagecache_init(w->cache_valid && w->cache_arm ?
	    (size_t)w->cfg->page_cache_mb * 1024 * 1024 : 0);
	if (w->start)
		w->start(w->app);
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
		handle(w, &r, &fr);
		worker_close(&r, &fr);
		arena_reset(&r.arena);
	}
	arena_release(&r.arena);
	free(route_patterns);
	free(route_methods);
	log_info("worker exiting");
	return 0;
}
