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
#include "metrics.h"
#include "netaddr.h"

#include <limits.h>
#include <sys/random.h>

#include <fcgiapp.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
	metrics_count(M_PAGECACHE_HIT);
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
	metrics_count(M_PAGECACHE_MISS);
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

/* Degraded mode (issue 13): what stays open. The rest answers the
 * worker's degraded_refused: sign-up, login, every form, a member's
 * pages. */
static int
degraded_open(const struct req *r)
{
	int f = r->route->flags;

	return (f & (R_ALWAYS | R_ADMIN)) ||
	    ((f & R_DONATION) && r->cfg->degraded_donations) ||
	    (r->method == HTTP_GET && (f & (R_CACHEABLE | R_PUBLIC)));
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
	/* Before the CSRF check: a form of a page opened earlier gets the
	 * friendly page, not a refusal. */
	if (w->degraded && (r->degraded = w->degraded(r)) && !degraded_open(r))
		return w->degraded_refused ? w->degraded_refused(r) : 503;
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
	    !(r->degraded && (r->route->flags & R_PUBLIC)) &&
	    w->session_load && w->session_load(r) < 0)
		return unavailable(r);
	if (r->route->flags & (R_AUTH | R_ADMIN) && !r->user)
		return login_first(w->login_path, r);
	/* issue 13: an admin before the second factor reaches its pages
	 * only, and is sent there from the others. */
	if (r->route->flags & R_ADMIN & ~r->roles) {
		if (!(r->roles & ROLE_ADMIN_PENDING))
			return 403;
		if (!(r->route->flags & R_SECOND_FACTOR))
			return w->second_factor_path ?
			    login_first(w->second_factor_path, r) : 403;
	}
	if (w->before_handler)
		w->before_handler(r);
	return r->route->handler(r);
}

static void
respond(const struct worker *w, struct req *r, FCGX_Request *fr, int status)
{
	struct buf head;
	const char *cache;
	/* Degraded mode: a page nginx keeps for everyone, which it may serve
	 * for minutes while it fetches a fresh copy, or while the workers
	 * fail. */
	int for_all;

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
	for_all = r->degraded && r->route && r->method == HTTP_GET &&
	    (r->route->flags & (R_CACHEABLE | R_PUBLIC)) && status == 200 &&
	    !r->cookies_set;
	if (r->route && (r->route->flags & R_CACHEABLE) && status == 200 &&
	    !r->cookies_set)
		cache = r->cache ? r->cache : "public, max-age=60";
	else if (for_all)	/* R_PUBLIC: as to any visitor */
		cache = "public, max-age=5";
	else
		cache = r->cache && status < 400 && !r->cookies_set ? r->cache :
		    "no-store";
	buf_init(&head, 64 * 1024);
	buf_printf(&head, "Status: %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n", status, status_text(status),
	    r->ctype ? r->ctype : "text/html; charset=utf-8", r->body.len);
	if (for_all)
		buf_printf(&head, "Cache-Control: %s, stale-while-revalidate=600, "
		    "stale-if-error=600\r\n", cache);
	else
		buf_printf(&head, "Cache-Control: %s\r\n", cache);
	/* Here, not in r->headers: the page cache keeps those. */
	buf_printf(&head, "X-Request-Id: %s\r\n", r->request_id);
	buf_append(&head, r->headers.data, r->headers.len);
	buf_puts(&head, "\r\n");
	FCGX_PutStr(head.data, (int)head.len, fr->out);
	if (r->body.len)
		FCGX_PutStr(r->body.data, (int)r->body.len, fr->out);
	buf_release(&head);
	r->answered = status;
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * The request's id: nginx's $request_id (fastcgi.conf passes it as
 * REQUEST_ID), else one of our own (a client talking FastCGI directly).
 * It goes to the log line and to X-Request-Id, so that a user's report
 * can be traced in nginx's log and ours.
 */
static const char *
request_id(struct req *r, FCGX_Request *fr)
{
	const char *given = FCGX_GetParam("REQUEST_ID", fr->envp);
	static const char hex[] = "0123456789abcdef";
	static unsigned long seq;
	unsigned char raw[16];
	char *id;
	size_t n;

	if (given && (n = strlen(given)) > 0 && n <= 64 &&
	    strspn(given, "0123456789abcdefABCDEF"
	    "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ-_.") == n)
		return given;
	if (getrandom(raw, sizeof(raw), GRND_NONBLOCK) != (ssize_t)sizeof(raw)) {
		/* no entropy yet (early boot): unique is enough */
		unsigned long v[2] = { (unsigned long)getpid() << 32 ^ ++seq,
		    (unsigned long)(mono_now() * 1e9) };

		memcpy(raw, v, sizeof(raw));
	}
	id = arena_alloc(&r->arena, 2 * sizeof(raw) + 1);
	for (size_t i = 0; i < sizeof(raw); i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 15];
	}
	id[2 * sizeof(raw)] = '\0';
	return id;
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
	r->request_id = request_id(r, fr);
	buf_init(&r->headers, 64 * 1024);
	buf_init(&r->body, MAX_OUTPUT);
	status = dispatch(w, r, fr);
	if (w->request_end)
		w->request_end(r);
	page_keep(w, r, status);
	respond(w, r, fr, status);
	ms = elapsed_ms(&t0);
	/* The status answered: respond() may have turned it into a 503. */
	metrics_request(r->route ? (size_t)(r->route - w->routes) : (size_t)-1,
	    r->method, r->answered, ms / 1e3);
	/* nginx logs every request; the worker logs what needs a look (errors,
	 * slow requests), or everything with LOG_REQUESTS=all. The route
	 * pattern, not the path: paths can hold tokens. */
	if (w->cfg->log_all || r->answered >= 400 || ms >= 250)
		log_request(r->method_str ? r->method_str : "-",
		    r->route ? r->route->pattern : NULL,
		    r->path && strlen(r->path) < 120 ? r->path : "-",
		    r->answered, ms, r->request_id);
	buf_release(&r->headers);
	buf_release(&r->body);
}

/*
 * Connections. nginx may keep its FastCGI connections open between
 * requests (fastcgi_keep_conn on, an upstream keepalive pool; issue 13,
 * README "Kept FastCGI connections"): it then sets FCGI_KEEP_CONN in each
 * request and sends the next request of any of its clients on any idle
 * connection of its pool. A worker therefore holds up to KEPT_MAX such
 * connections and waits on all of them and on the listening socket at
 * once (poll): an idle kept connection never blocks a request arriving on
 * another one, or on a new connection (epoll). The listening socket is
 * nonblocking, so that a worker woken with another by one connection
 * does not wait in accept: one gets it, the other goes back to wait.
 *
 * issue 13, many hosts: FCGI_WEB_SERVER_ADDRS. libfcgi checks it in its
 * own accept, which ours replaces (worker_accept), so the check is made
 * here: a TCP peer that is not listed is closed at once, before a byte is
 * read, with a log line (at most one a second, with the count of those
 * not logged, so a scan cannot flood the log). Unix sockets are never
 * checked. The address is the one accept4 returns (getpeername's).
 * TCP connections also get TCP_NODELAY: a response's last records must
 * not wait for the web server's delayed ACK.
 */
static struct peer_list web_servers;

static int
peer_allowed(int fd, const struct sockaddr *sa, socklen_t len)
{
	static double last_log;
	static unsigned long unlogged;
	char name[64];
	int one = 1;

	if (peer_list_allows(&web_servers, sa, len)) {
		if (sa->sa_family != AF_UNIX)
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
		return 1;
	}
	close(fd);
	if (mono_now() - last_log < 1.0) {
		unlogged++;
		return 0;
	}
	peer_name(sa, len, name, sizeof(name));
	if (unlogged)
		log_error("refused a connection from %s: not in "
		    "FCGI_WEB_SERVER_ADDRS (and %lu more since the last "
		    "line)", name, unlogged);
	else
		log_error("refused a connection from %s: not in "
		    "FCGI_WEB_SERVER_ADDRS", name);
	last_log = mono_now();
	unlogged = 0;
	return 0;
}

#define KEPT_MAX 64

static int kept[KEPT_MAX];
static size_t nkept;
static int epfd = -1;	/* the listening socket (key 0) and kept ones */

/* The waiting set: the listening socket with EPOLLEXCLUSIVE, so that a
 * new connection wakes one idle worker, as a blocking accept did (the
 * longest waiting first), not all of them. 0, or -1. */
static int
kept_init(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };

	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	ev.data.fd = 0;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev) == 0)
		return 0;
	ev.events = EPOLLIN;	/* a kernel without EPOLLEXCLUSIVE */
	return epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev);
}

static void
kept_add(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	ev.data.fd = fd;
	if (nkept == KEPT_MAX || epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return;
	}
	kept[nkept++] = fd;
}

static void
kept_remove(int fd)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
	for (size_t i = 0; i < nkept; i++)
		if (kept[i] == fd) {
			kept[i] = kept[--nkept];
			break;
		}
}

/* A connection ready with a request: a kept one (taken out of the set),
 * or the listening socket's new connection; -1 to stop. */
static int
worker_next_fd(int *was_kept)
{
	struct epoll_event ev[16];
	struct sockaddr_storage peer;
	socklen_t plen;

	for (;;) {
		int fd = -1, n;

		if (worker_stopping)
			return -1;
		if ((n = epoll_wait(epfd, ev, (int)ARRAY_SIZE(ev), -1)) < 0) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait: %s", strerror(errno));
			return -1;
		}
		/* Kept connections first: nginx is waiting on them. */
		for (int i = 0; i < n && fd < 0; i++)
			if (ev[i].data.fd != 0)
				fd = ev[i].data.fd;
		if (fd >= 0) {
			kept_remove(fd);
			*was_kept = 1;
			return fd;
		}
		if (n == 0)
			continue;
		plen = sizeof(peer);
		fd = accept4(0, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
		if (fd >= 0 && !peer_allowed(fd, (struct sockaddr *)&peer, plen))
			continue;
		if (fd >= 0) {
			*was_kept = 0;
			return fd;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED || errno == EPROTO)
			continue;	/* another worker took it */
		if (!worker_stopping)
			log_error("accept: %s", strerror(errno));
		return -1;
	}
}

/*
 * The next request, read by libfcgi from the connection poll found ready:
 * 1 a request is ready, 0 the connection held no valid request (nginx
 * closed a kept one, or sent junk: it is closed; try again), -1 stop. The
 * connection is handed over through the request's public ipcFd;
 * keepConnection stops FCGX_Accept_r's opening FCGX_Finish_r from closing
 * it, and libfcgi then sets it from the request's FCGI_KEEP_CONN flag.
 */
static int
worker_accept(FCGX_Request *fr)
{
	int fd, rc, was_kept;

	if ((fd = worker_next_fd(&was_kept)) < 0)
		return -1;
	fr->ipcFd = fd;
	fr->keepConnection = 1;
	if ((rc = FCGX_Accept_r(fr)) != 0) {
		/* A kept connection that nginx closed ends here: quietly. */
		if (!was_kept)
			log_error("connection without a valid request: %s",
			    strerror(-rc));
		return 0;
	}
	return 1;
}

/*
 * End the request. A connection nginx asked to keep joins the kept set
 * (when there is room), else it is closed. Closing a connection nginx
 * wants kept would lose the next request it sends there (a POST is never
 * sent again), so what the handler left unread of the body (a 404, a 405,
 * answered early) is read and dropped first, up to DRAIN_MAX; a body
 * refused for its size (413) or larger is not read, and the connection is
 * closed carefully (our nginx refuses those bodies itself).
 * libfcgi's default close half-closes the connection and waits for the
 * web server to close first, which keeps the worker idle for a round trip
 * per request. When the request was read to its end we close at once
 * instead: nothing unread is left in the socket, so even over TCP the
 * close cannot turn into a reset that would lose the response.
 */
#define DRAIN_MAX (MAX_UPLOAD_BODY + 1024 * 1024)

static void
worker_close(const struct req *r, FCGX_Request *fr)
{
	char sink[4096];
	size_t drained = 0;
	int n, all = 1;

	/* A body refused for its size is not read: careful close. */
	if (!r->body_read && r->answered == 413)
		all = 0;
	while (all && (n = FCGX_GetStr(sink, sizeof(sink), fr->in)) > 0)
		if ((drained += (size_t)n) > DRAIN_MAX && !r->body_read)
			all = 0;
	if (all)
		fr->detached = 1;	/* FCGX_Free: close without lingering */
	else
		fr->keepConnection = 0;
	if (worker_stopping)
		fr->keepConnection = 0;
	FCGX_Finish_r(fr);
	if (fr->ipcFd >= 0) {	/* kept open: FCGI_KEEP_CONN */
		kept_add(fr->ipcFd);
		fr->ipcFd = -1;
		fr->detached = 0;
	}
}

/* Stopping: close the kept connections (nginx opens new ones elsewhere). */
static void
worker_close_kept(void)
{
	while (nkept)
		close(kept[--nkept]);
	if (epfd >= 0)
		close(epfd);
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
	{	/* issue 13: checked by config_load already */
		char err[256];

		if (peer_list_parse(w->cfg->web_server_addrs, &web_servers,
		    err, sizeof(err)) < 0) {
			log_error("%s", err);
			return 1;
		}
	}
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		return 1;
	}
	/* See worker_next_fd: nonblocking accept, for every worker of the
	 * socket (a shared file description). */
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	if (kept_init() < 0) {
		log_error("epoll: %s", strerror(errno));
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
	/* issue 13: the counters of /metrics, in the master's shared slot */
	metrics_worker_init(route_patterns, route_methods, w->nroutes);
	metrics_set_degraded(w->degraded_gauge, w->app);
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
	worker_close_kept();
	arena_release(&r.arena);
	free(route_patterns);
	free(route_methods);
	metrics_release();
	log_info("worker exiting");
	return 0;
}
