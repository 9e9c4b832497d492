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
 */
#include "common.h"
#include "req.h"
#include "log.h"

#include <fcgiapp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

static pid_t
spawn_worker(int sock)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* child: the master blocks these signals; a worker must not. */
	{
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (sock != 0) {
		dup2(sock, 0);
		close(sock);
	}
	execl(self_path, self_path, (char *)NULL);
	log_error("exec %s: %s", self_path, strerror(errno));
	_exit(127);
}

static int
open_listen(const char *listen)
{
	const char *addr = listen;
	int sock;

	if (!strncmp(addr, "unix:", 5))
		addr += 5;
	if (addr[0] == '/')
		unlink(addr);
	if (FCGX_Init() != 0)
		return -1;
	sock = FCGX_OpenSocket(addr, 1024);
	if (sock < 0) {
		log_error("cannot listen on %s", listen);
		return -1;
	}
	if (addr[0] == '/')
		chmod(addr, 0660);
	return sock;
}

int
master_run(const struct config *cfg)
{
	int n = cfg->workers, generation = 0, alive;
	struct child *kids = xcalloc((size_t)n * 4, sizeof(*kids));
	size_t nkids = (size_t)n * 4;
	struct sigaction sa;
	sigset_t block, old;
	int sock;

	log_set_role("master");
	if (readlink("/proc/self/exe", self_path, sizeof(self_path) - 1) < 0) {
		log_error("cannot find my own binary");
		return 1;
	}
	if ((sock = open_listen(cfg->listen)) < 0)
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	log_info("listening on %s with %d workers", cfg->listen, n);
	for (;;) {
		int status, current = 0;
		pid_t pid;

		/* Reap, forgetting the dead. */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (size_t i = 0; i < nkids; i++)
				if (kids[i].pid == pid) {
					if (kids[i].generation == generation)
						log_error("worker %ld died "
						    "(status %d): replacing it",
						    (long)pid, status);
					kids[i].pid = 0;
				}
		if (got_term)
			break;
		if (got_hup) {
			got_hup = 0;
			generation++;
			log_info("SIGHUP: starting generation %d", generation);
		}
		for (size_t i = 0; i < nkids; i++)
			current += kids[i].pid && kids[i].generation == generation;
		for (size_t i = 0; i < nkids && current < n; i++) {
			time_t now = time(NULL);

			if (kids[i].pid)
				continue;
			if (kids[i].started == now)
				break;	/* this slot crashed this second: wait */
			kids[i].pid = spawn_worker(sock);
			kids[i].generation = generation;
			kids[i].started = now;
			current++;
		}
		/* Old generation goes once the new one is up. */
		if (current == n)
			for (size_t i = 0; i < nkids; i++)
				if (kids[i].pid && kids[i].generation != generation &&
				    kids[i].started != -1) {
					kill(kids[i].pid, SIGTERM);
					kids[i].started = -1;
				}
		{
			struct timespec ts = { 1, 0 };
			siginfo_t si;

			memset(&si, 0, sizeof(si));
			sigtimedwait(&block, &si, &ts);
			if (si.si_signo == SIGHUP)
				got_hup = 1;
			else if (si.si_signo == SIGTERM || si.si_signo == SIGINT)
				got_term = 1;
		}
	}
	log_info("stopping workers");
	for (size_t i = 0; i < nkids; i++)
		if (kids[i].pid)
			kill(kids[i].pid, SIGTERM);
	alive = 1;
	for (int tries = 0; alive && tries < 300; tries++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		alive = 0;
		for (size_t i = 0; i < nkids; i++)
			if (kids[i].pid && kill(kids[i].pid, 0) == 0)
				alive = 1;
		if (alive)
			nanosleep(&ts, NULL);
	}
	if (!strncmp(cfg->listen, "unix:", 5))
		unlink(cfg->listen + 5);
	else if (cfg->listen[0] == '/')
		unlink(cfg->listen);
	free(kids);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}
