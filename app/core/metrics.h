/*
 * metrics: the counters behind GET /metrics (issue 13), kept in memory
 * that every worker of one master shares, and their Prometheus text
 * (exposition format 0.0.4).
 *
 * The master creates one shared segment (a memfd, inherited through
 * exec: its fd number in CIVITAS_METRICS_FD) with one slot per worker it
 * may run (the index in CIVITAS_METRICS_SLOT, set for each worker it
 * forks). Invariants:
 * - one writer per slot: the worker that owns it counts there with
 *   relaxed __atomic loads and stores (no lock, no read-modify-write
 *   instruction on the request path); a reader never sees a torn value;
 * - counters are monotonic across worker restarts and SIGHUP
 *   generations: when the master reaps a worker it folds the slot into
 *   the segment's archive (keyed by method and route pattern, so a new
 *   binary with another route table adds up correctly) and only then
 *   frees the slot; readers see the fold as one step (a sequence count);
 * - a worker started alone (spawn-fcgi, no master) counts in private
 *   memory and shows its own counts; a process that never called
 *   metrics_worker_init (the mail worker, the command line) counts in a
 *   private block nobody reads.
 */
#ifndef CIVITAS_METRICS_H
#define CIVITAS_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arena.h"
#include "buf.h"

struct app;

/* Counters without labels of their own (infra and the dispatcher). */
enum metric {
	M_PAGECACHE_HIT,
	M_PAGECACHE_MISS,
	M_DB_CONNECT_FAILED,	/* a connection attempt failed */
	M_DB_LOST,		/* a connection failed under a command */
	M_DB_TIMEOUT,		/* no answer in time: connection dropped */
	M_DB_STATEMENT,		/* a statement failed (not a unique
				 * violation, which handlers expect) */
	M_DB_RECONNECT,		/* a connection made after a previous one */
	M_KV_CONNECT_FAILED,
	M_KV_LOST,		/* no reply: connection dropped */
	M_KV_REPLY,		/* Redis answered an error */
	M_KV_RECONNECT,
	M__MAX
};

/* Latency buckets, upper bounds in seconds (then +Inf). */
#define METRICS_BUCKETS 8
extern const double metrics_bucket_bounds[METRICS_BUCKETS];

/* Routes a worker's table may hold (the rest count as route="other"),
 * and the bytes of a pattern kept (longer ones are cut). */
#define METRICS_ROUTES 384
#define METRICS_PATTERN 80

/* Master: create the segment for nslots workers and export its fd
 * (CIVITAS_METRICS_FD); 0, or -1 with a log line (the workers then count
 * privately). */
int metrics_master_init(size_t nslots);
/* Master: the worker in slot runs as pid (after fork). */
void metrics_master_started(size_t slot, pid_t pid);
/* Master: the worker of slot was reaped: fold its counts, free the slot. */
void metrics_master_reaped(size_t slot);
/* Master (child side of fork): the slot the worker about to exec takes. */
void metrics_master_child(size_t slot);

/* Worker: attach to the master's slot (or count privately) and record
 * the route table (patterns[i], methods[i] as router.h's HTTP_*). */
void metrics_worker_init(const char *const *patterns, const int *methods,
    size_t n);
/* Detach / free (tests, worker exit). */
void metrics_release(void);
/* The degraded-mode hook of the worker (req.h), read at each scrape. */
void metrics_set_degraded(int (*fn)(const struct app *), const struct app *app);

void metrics_count(enum metric m);
/* One request: route index in the table given at init, or (size_t)-1
 * when no route matched; method as router.h's HTTP_*. */
void metrics_request(size_t route, int method, int status, double seconds);

/* Every family of the process's (and its siblings') counters. */
void metrics_render(struct buf *b, struct arena *a);

/*
 * Prometheus text format helpers (pure): a family's HELP and TYPE lines,
 * and samples with labels given as name, value pairs ending with NULL.
 * Label values and HELP text are escaped as the format says (\\, \" and
 * \n in label values; \\ and \n in HELP).
 */
void prom_family(struct buf *b, const char *name, const char *type,
    const char *help);
void prom_sample(struct buf *b, const char *name, uint64_t value, ...)
	__attribute__((sentinel));
void prom_sample_f(struct buf *b, const char *name, double value, ...)
	__attribute__((sentinel));
void prom_label_value(struct buf *b, const char *v);

/* Is this client address one of ours (loopback, RFC 1918, IPv6 ULA)? */
int addr_internal(const char *addr);

#endif
