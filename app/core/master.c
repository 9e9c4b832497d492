/*
 * master: prefork and supervise the workers.
 *
 * The master opens the FastCGI socket (LISTEN), then starts WORKERS
 * children; each one gets the socket as fd 0 and exec()s this same binary
 * in worker mode, exactly as spawn-fcgi would start it. So a new generation
 * always runs the binary and templates currently on disk.
 *
 * - A worker that dies is replaced at once (after a short pause if workers
 *   keep dying right after start, so a broken config cannot fork-bomb).
 * - SIGHUP: start a new generation, then SIGTERM the old one; an old
 *   worker finishes the request it is serving before it exits, and the
 *   listening socket stays open all along, so no request is dropped.
 * - SIGTERM/SIGINT: stop all workers (each finishes its request) and exit.
 * - Degraded mode (issue 13): when DEGRADED_FILE is set, one more child,
 *   `civitas-fcgi mode-follow`, keeps that flag file in step with the
 *   switch in PostgreSQL (features/mode.c). It holds no listening socket,
 *   is replaced when it dies and restarted with each generation.
 * - The counters of /metrics (metrics.h): one shared slot per worker
 *   place, the place's index handed to the worker it starts; a reaped
 *   worker's counts are folded into the master's archive.
 */
#include "common.h"
#include "req.h"
#include "log.h"
#include "metrics.h"
#include "netaddr.h"

#include <netdb.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct child {
	pid_t pid;
	int generation;
	time_t started;
};

static volatile sig_atomic_t got_hup, got_term, got_chld;
static char self_path[4096];

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
	else
		got_term = 1;
}

/* A child running this binary: a worker on the listening socket sock
 * (fd 0), or, with arg, `civitas-fcgi arg` without it. */
static pid_t
spawn(int sock, size_t slot, const char *arg)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (!arg)
		metrics_master_child(slot);
	/* child: the master blocks these signals; a worker must not. */
	{
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (arg) {
		close(sock);
		execl(self_path, self_path, arg, (char *)NULL);
	} else {
		if (sock != 0) {
			dup2(sock, 0);
			close(sock);
		}
		execl(self_path, self_path, (char *)NULL);
	}
	log_error("exec %s: %s", self_path, strerror(errno));
	_exit(127);
}

/* A unix socket at path, connectable by the owner and group (nginx). */
static int
open_unix(const char *path)
{
	struct sockaddr_un sun;
	int sock;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);	/* fits: listen_parse */
	unlink(path);
	if ((sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(sock, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0660) < 0 || listen(sock, 1024) < 0) {
		log_error("cannot listen on unix:%s: %s", path, strerror(errno));
		if (sock >= 0)
			close(sock);
		return -1;
	}
	return sock;
}

/*
 * issue 13, many hosts: TCP, opened here rather than by libfcgi's
 * FCGX_OpenSocket, which took "[::1]:9000" for a unix socket path,
 * wrapped ports above 32767 into another port and exit()ed without a word
 * in our log when the address was taken or the host unknown. An empty
 * host (":9000", "*:9000") is every IPv4 address, as with libfcgi.
 */
static int
open_tcp(const struct listen_addr *la)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8];
	int sock = -1, one = 1, rc, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = la->host[0] ? AF_UNSPEC : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(port, sizeof(port), "%u", la->port);
	if ((rc = getaddrinfo(la->host[0] ? la->host : NULL, port, &hints,
	    &res)) != 0) {
		log_error("cannot listen on %s:%s: %s", la->host, port,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		sock = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (sock < 0) {
			saved = errno;
			continue;
		}
		setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(sock, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(sock, 1024) == 0)
			break;
		saved = errno;
		close(sock);
		sock = -1;
	}
	freeaddrinfo(res);
	if (sock < 0)
		log_error("cannot listen on %s:%s: %s", la->host, port,
		    strerror(saved));
	return sock;
}

static int
open_listen(const char *listen)
{
	struct listen_addr la;
	char err[256];

	if (listen_parse(listen, &la, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	return la.kind == LISTEN_UNIX ? open_unix(la.path) : open_tcp(&la);
}

/* The workers: slots for four generations' worth, the current one. */
struct pool {
	struct child *kids;
	size_t nkids;
	int n;			/* workers per generation */
	int generation;
	int sock;
	pid_t follower;		/* mode-follow, 0: none running */
	time_t follower_started;
	int follower_generation;
};

/* Forget the dead; those of the current generation are replaced next. */
static void
pool_reap(struct pool *p)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == p->follower) {
			if (p->follower_generation == p->generation)
				log_error("mode-follow %ld died (status %d): "
				    "replacing it", (long)pid, status);
			p->follower = 0;
		}
		for (size_t i = 0; i < p->nkids; i++)
			if (p->kids[i].pid == pid) {
				if (p->kids[i].generation == p->generation)
					log_error("worker %ld died (status %d): "
					    "replacing it", (long)pid, status);
				p->kids[i].pid = 0;
				metrics_master_reaped(i);
			}
	}
}

/* The degraded mode's follower: one, of the current generation. */
static void
pool_follow(struct pool *p, const struct config *cfg)
{
	time_t now = time(NULL);

	if (!cfg->degraded_file || !*cfg->degraded_file)
		return;
	if (p->follower && p->follower_generation != p->generation)
		kill(p->follower, SIGTERM);	/* reaped, then replaced */
	if (p->follower || p->follower_started == now)
		return;
	p->follower = spawn(p->sock, 0, "mode-follow");
	p->follower_started = now;
	p->follower_generation = p->generation;
}

/* Start the missing workers of the current generation (a slot that
 * crashed this second waits for the next); the old generation goes once
 * the new one is complete. */
static void
pool_fill(struct pool *p)
{
	int current = 0;

	for (size_t i = 0; i < p->nkids; i++)
		current += p->kids[i].pid && p->kids[i].generation ==
		    p->generation;
	for (size_t i = 0; i < p->nkids && current < p->n; i++) {
		time_t now = time(NULL);

		if (p->kids[i].pid)
			continue;
		if (p->kids[i].started == now)
			break;
		p->kids[i].pid = spawn(p->sock, i, NULL);
		if (p->kids[i].pid > 0)
			metrics_master_started(i, p->kids[i].pid);
		p->kids[i].generation = p->generation;
		p->kids[i].started = now;
		current++;
	}
	if (current < p->n)
		return;
	for (size_t i = 0; i < p->nkids; i++)
		if (p->kids[i].pid && p->kids[i].generation != p->generation &&
		    p->kids[i].started != -1) {
			kill(p->kids[i].pid, SIGTERM);
			p->kids[i].started = -1;	/* asked to leave */
		}
}

/* Ask every worker to finish its request and leave; wait 30 s at most. */
static void
pool_stop(struct pool *p)
{
	int alive = 1;

	for (size_t i = 0; i < p->nkids; i++)
		if (p->kids[i].pid)
			kill(p->kids[i].pid, SIGTERM);
	if (p->follower)
		kill(p->follower, SIGTERM);
	for (int tries = 0; alive && tries < 300; tries++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		alive = 0;
		for (size_t i = 0; i < p->nkids; i++)
			if (p->kids[i].pid && kill(p->kids[i].pid, 0) == 0)
				alive = 1;
		if (alive)
			nanosleep(&ts, NULL);
	}
}

/* The master's signals arrive through sigtimedwait (blocked in *old's
 * stead), so that none is lost between two checks. */
static void
master_signals(sigset_t *block, sigset_t *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(block);
	sigaddset(block, SIGHUP);
	sigaddset(block, SIGTERM);
	sigaddset(block, SIGINT);
	sigaddset(block, SIGCHLD);
	sigprocmask(SIG_BLOCK, block, old);
}

/* Sleep until a signal or a second passed. */
static void
master_wait(const sigset_t *block)
{
	struct timespec ts = { 1, 0 };
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	sigtimedwait(block, &si, &ts);
	if (si.si_signo == SIGHUP)
		got_hup = 1;
	else if (si.si_signo == SIGTERM || si.si_signo == SIGINT)
		got_term = 1;
}

int
master_run(const struct config *cfg)
{
	struct pool p = { .n = cfg->workers };
	sigset_t block, old;

	log_set_role("master");
	if (readlink("/proc/self/exe", self_path, sizeof(self_path) - 1) < 0) {
		log_error("cannot find my own binary");
		return 1;
	}
	if ((p.sock = open_listen(cfg->listen)) < 0)
		return 1;
	p.nkids = (size_t)p.n * 4;
	p.kids = xcalloc(p.nkids, sizeof(*p.kids));
	metrics_master_init(p.nkids);	/* else: workers count alone */
	master_signals(&block, &old);
	log_info("listening on %s with %d workers", cfg->listen, p.n);
	for (;;) {
		pool_reap(&p);
		if (got_term)
			break;
		if (got_hup) {
			got_hup = 0;
			p.generation++;
			log_info("SIGHUP: starting generation %d", p.generation);
		}
		pool_fill(&p);
		pool_follow(&p, cfg);
		master_wait(&block);
	}
	log_info("stopping workers");
	pool_stop(&p);
	{
		struct listen_addr la;
		char err[256];

		if (listen_parse(cfg->listen, &la, err, sizeof(err)) == 0 &&
		    la.kind == LISTEN_UNIX)
			unlink(la.path);
	}
	free(p.kids);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}
