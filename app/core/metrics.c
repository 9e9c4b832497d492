/*
 * metrics: counters shared by the workers of a master, and the Prometheus
 * text that shows them (metrics.h says the invariants).
 *
 * Layout of the segment: a header (written by the master), the archive
 * (the folded counts of workers that are gone: master only), then one
 * slot per worker. A slot holds the owner's table of entries (one per
 * route of its table, then the requests no route matched, by method,
 * then "other") and its counters; the master writes only its pid, and
 * zeroes it after the fold, once the owner is dead.
 */
#include "common.h"
#include "metrics.h"
#include "log.h"
#include "router.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define METRICS_MAGIC 0x43495654u
#define METRICS_VERSION 1
#define METRICS_ARCHIVE 1024
/* Entries after a worker's routes: no route matched (GET, POST, other
 * methods), then the routes beyond METRICS_ROUTES. */
#define RESERVED 4

const double metrics_bucket_bounds[METRICS_BUCKETS] = {
	0.001, 0.005, 0.025, 0.1, 0.25, 1, 2.5, 10,
};

/* The statuses counted one by one; any other counts as "other". */
static const int status_codes[] = {
	200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409, 410,
	413, 414, 415, 422, 429, 500, 502, 503, 504,
};
#define NSTATUS (ARRAY_SIZE(status_codes) + 1)

struct mcount {
	uint64_t status[NSTATUS];
	uint64_t bucket[METRICS_BUCKETS + 1];	/* not cumulative; +Inf last */
	uint64_t sum_us;
};

struct mname {
	int32_t method;			/* HTTP_GET, HTTP_POST, HTTP_OTHER */
	char pattern[METRICS_PATTERN];	/* NUL-terminated */
};

struct mentry {
	struct mname name;
	struct mcount c;
};

struct mslot {
	int32_t pid;		/* master: the worker's, 0 when free */
	uint32_t nentries;	/* owner: entries named (published last) */
	uint64_t scalar[M__MAX];
	struct mentry e[METRICS_ROUTES];
};

struct mshm {
	uint32_t magic;
	uint32_t version;
	uint64_t size;
	uint64_t nslots;
	uint32_t seq;		/* master: odd while a fold is under way */
	uint32_t narchive;	/* master: archive entries in use */
	uint64_t scalar[M__MAX];	/* master: folded */
	struct mentry archive[METRICS_ARCHIVE];
	struct mslot slot[];
};

/* The process's view. */
static struct mshm *shm;	/* the segment, or the private block */
static size_t shm_bytes;
static int shm_private;
static struct mslot *me;	/* this worker's slot */
static size_t kept;		/* routes with an entry of their own */
static uint64_t nobody[M__MAX];	/* counts of processes never attached */
static int (*degraded_fn)(const struct app *);
static const struct app *degraded_app;

static size_t
segment_size(size_t nslots)
{
	return sizeof(struct mshm) + nslots * sizeof(struct mslot);
}

/* The owner of a counter is its only writer: a load and a store, each
 * atomic (never torn), no read-modify-write on the request path. */
static inline void
bump(uint64_t *p, uint64_t by)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + by,
	    __ATOMIC_RELAXED);
}

static inline uint64_t
get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void
put(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* ---- master ------------------------------------------------------------ */

static struct mshm *master_shm;

int
metrics_master_init(size_t nslots)
{
	size_t size = segment_size(nslots);
	char num[24];
	void *p;
	int fd, moved;

	/* Not close-on-exec: the workers exec() this binary and map it. */
	if ((fd = memfd_create("civitas-metrics", 0)) < 0) {
		log_error("metrics: memfd_create: %s", strerror(errno));
		return -1;
	}
	/* Keep clear of fds 0-2: a worker gets its socket as fd 0. */
	if (fd < 3) {
		moved = fcntl(fd, F_DUPFD, 3);
		close(fd);
		if ((fd = moved) < 0)
			return -1;
	}
	if (ftruncate(fd, (off_t)size) < 0 || (p = mmap(NULL, size,
	    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		log_error("metrics: shared segment of %zu bytes: %s", size,
		    strerror(errno));
		close(fd);
		return -1;
	}
	master_shm = p;
	master_shm->size = size;
	master_shm->nslots = nslots;
	master_shm->version = METRICS_VERSION;
	__atomic_store_n(&master_shm->magic, METRICS_MAGIC, __ATOMIC_RELEASE);
	snprintf(num, sizeof(num), "%d", fd);
	setenv("CIVITAS_METRICS_FD", num, 1);
	return 0;
}

void
metrics_master_child(size_t slot)
{
	char num[24];

	if (!master_shm)
		return;
	snprintf(num, sizeof(num), "%zu", slot);
	setenv("CIVITAS_METRICS_SLOT", num, 1);
}

void
metrics_master_started(size_t slot, pid_t pid)
{
	if (master_shm && slot < master_shm->nslots)
		__atomic_store_n(&master_shm->slot[slot].pid, (int32_t)pid,
		    __ATOMIC_RELAXED);
}

static int
name_eq(const struct mname *a, const struct mname *b)
{
	return a->method == b->method && !strcmp(a->pattern, b->pattern);
}

/* The archive's entry for name, added when missing; the last place is
 * kept for "other", which takes what no longer fits. */
static struct mentry *
archive_entry(struct mshm *m, const struct mname *name)
{
	static const struct mname other = { HTTP_OTHER, "other" };
	uint32_t n = m->narchive;

	for (uint32_t i = 0; i < n; i++)
		if (name_eq(&m->archive[i].name, name))
			return &m->archive[i];
	if (n >= METRICS_ARCHIVE - 1 && !name_eq(name, &other))
		return archive_entry(m, &other);
	m->archive[n].name = *name;
	__atomic_store_n(&m->narchive, n + 1, __ATOMIC_RELEASE);
	return &m->archive[n];
}

static void
count_add(struct mcount *to, const struct mcount *from)
{
	for (size_t i = 0; i < NSTATUS; i++)
		put(&to->status[i], get(&to->status[i]) + get(&from->status[i]));
	for (size_t i = 0; i <= METRICS_BUCKETS; i++)
		put(&to->bucket[i], get(&to->bucket[i]) + get(&from->bucket[i]));
	put(&to->sum_us, get(&to->sum_us) + get(&from->sum_us));
}

static void
count_zero(struct mcount *c)
{
	for (size_t i = 0; i < NSTATUS; i++)
		put(&c->status[i], 0);
	for (size_t i = 0; i <= METRICS_BUCKETS; i++)
		put(&c->bucket[i], 0);
	put(&c->sum_us, 0);
}

/* Only ever called for a dead worker: its slot no longer changes. Readers
 * that overlap the fold see the sequence count move and read again. */
void
metrics_master_reaped(size_t slot)
{
	struct mshm *m = master_shm;
	struct mslot *s;
	uint32_t n, seq;

	if (!m || slot >= m->nslots)
		return;
	s = &m->slot[slot];
	n = __atomic_load_n(&s->nentries, __ATOMIC_ACQUIRE);
	if (n > METRICS_ROUTES)
		n = METRICS_ROUTES;
	seq = m->seq;
	__atomic_store_n(&m->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (uint32_t i = 0; i < n; i++) {
		struct mname name = s->e[i].name;

		name.pattern[METRICS_PATTERN - 1] = '\0';
		count_add(&archive_entry(m, &name)->c, &s->e[i].c);
		count_zero(&s->e[i].c);
	}
	for (size_t i = 0; i < M__MAX; i++) {
		put(&m->scalar[i], get(&m->scalar[i]) + get(&s->scalar[i]));
		put(&s->scalar[i], 0);
	}
	__atomic_store_n(&s->nentries, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->pid, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->seq, seq + 2, __ATOMIC_RELEASE);
}

/* ---- worker ------------------------------------------------------------ */

/* The master's segment and our slot in it, from the environment; -1 when
 * there is none (started alone) or it is not one we understand. */
static int
worker_attach(void)
{
	const char *fds = getenv("CIVITAS_METRICS_FD");
	const char *slots = getenv("CIVITAS_METRICS_SLOT");
	struct stat st;
	struct mshm *m;
	char *end;
	long fd;
	unsigned long slot;
	void *p;

	if (!fds || !slots)
		return -1;
	fd = strtol(fds, &end, 10);
	if (*end || fd < 3)
		return -1;
	slot = strtoul(slots, &end, 10);
	if (*end || fstat((int)fd, &st) < 0 ||
	    (size_t)st.st_size < sizeof(struct mshm))
		return -1;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
	    MAP_SHARED, (int)fd, 0);
	close((int)fd);		/* the mapping stays */
	unsetenv("CIVITAS_METRICS_FD");
	unsetenv("CIVITAS_METRICS_SLOT");
	if (p == MAP_FAILED)
		return -1;
	m = p;
	if (__atomic_load_n(&m->magic, __ATOMIC_ACQUIRE) != METRICS_MAGIC ||
	    m->version != METRICS_VERSION || m->size != (uint64_t)st.st_size ||
	    m->size != segment_size(m->nslots) || slot >= m->nslots) {
		munmap(p, (size_t)st.st_size);
		return -1;
	}
	shm = m;
	shm_bytes = (size_t)st.st_size;
	shm_private = 0;
	me = &m->slot[slot];
	return 0;
}

static void
name_set(struct mname *n, int method, const char *pattern)
{
	n->method = method;
	snprintf(n->pattern, sizeof(n->pattern), "%s", pattern);
}

void
metrics_worker_init(const char *const *patterns, const int *methods,
    size_t n)
{
	static const int by_method[] = { HTTP_GET, HTTP_POST, HTTP_OTHER };
	size_t i;

	metrics_release();
	if (worker_attach() < 0) {
		shm_bytes = segment_size(1);
		shm = xcalloc(1, shm_bytes);
		shm->magic = METRICS_MAGIC;
		shm->nslots = 1;
		shm->size = shm_bytes;
		shm_private = 1;
		me = &shm->slot[0];
		me->pid = (int32_t)getpid();
	}
	kept = MIN(n, (size_t)METRICS_ROUTES - RESERVED);
	if (kept < n)
		log_error("metrics: %zu routes, %d counted one by one (the "
		    "others as \"other\")", n, METRICS_ROUTES - RESERVED);
	for (i = 0; i < kept; i++) {
		if (strlen(patterns[i]) >= METRICS_PATTERN)
			log_error("metrics: route %s cut to %d bytes",
			    patterns[i], METRICS_PATTERN - 1);
		name_set(&me->e[i].name, methods[i], patterns[i]);
	}
	for (size_t k = 0; k < ARRAY_SIZE(by_method); k++)
		name_set(&me->e[i + k].name, by_method[k], "unmatched");
	name_set(&me->e[i + 3].name, HTTP_OTHER, "other");
	/* The names before the count that makes them visible. */
	__atomic_store_n(&me->nentries, (uint32_t)(kept + RESERVED),
	    __ATOMIC_RELEASE);
}

void
metrics_release(void)
{
	if (shm && shm_private)
		free(shm);
	else if (shm)
		munmap(shm, shm_bytes);
	shm = NULL;
	me = NULL;
	kept = 0;
	shm_bytes = 0;
}

void
metrics_set_degraded(int (*fn)(const struct app *), const struct app *app)
{
	degraded_fn = fn;
	degraded_app = app;
}

void
metrics_count(enum metric m)
{
	if (m >= M__MAX)
		return;
	if (me)
		bump(&me->scalar[m], 1);
	else	/* threads of the mail worker: nobody reads these */
		__atomic_fetch_add(&nobody[m], 1, __ATOMIC_RELAXED);
}

static size_t
status_index(int status)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_codes); i++)
		if (status_codes[i] == status)
			return i;
	return NSTATUS - 1;
}

static size_t
method_index(int method)
{
	return method == HTTP_GET ? 0 : method == HTTP_POST ? 1 : 2;
}

void
metrics_request(size_t route, int method, int status, double seconds)
{
	struct mcount *c;
	size_t b = 0;
	double us = seconds * 1e6;

	if (!me)
		return;
	if (route == (size_t)-1)
		c = &me->e[kept + method_index(method)].c;
	else if (route < kept)
		c = &me->e[route].c;
	else
		c = &me->e[kept + 3].c;
	while (b < METRICS_BUCKETS && seconds > metrics_bucket_bounds[b])
		b++;
	bump(&c->status[status_index(status)], 1);
	bump(&c->bucket[b], 1);
	bump(&c->sum_us, us > 0 ? (uint64_t)(us + 0.5) : 0);
}

/* ---- the text ---------------------------------------------------------- */

void
prom_label_value(struct buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			buf_puts(b, "\\\\");
		else if (*v == '"')
			buf_puts(b, "\\\"");
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *v);
	}
}

void
prom_family(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s ", name);
	for (; *help; help++) {
		if (*help == '\\')
			buf_puts(b, "\\\\");
		else if (*help == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *help);
	}
	buf_printf(b, "\n# TYPE %s %s\n", name, type);
}

static void
prom_labels(struct buf *b, const char *name, va_list ap)
{
	const char *k, *v;
	int first = 1;

	buf_puts(b, name);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		buf_printf(b, "%s%s=\"", first ? "{" : ",", k);
		prom_label_value(b, v ? v : "");
		buf_putc(b, '"');
		first = 0;
	}
	if (!first)
		buf_putc(b, '}');
}

void
prom_sample(struct buf *b, const char *name, uint64_t value, ...)
{
	va_list ap;

	va_start(ap, value);
	prom_labels(b, name, ap);
	va_end(ap);
	buf_printf(b, " %llu\n", (unsigned long long)value);
}

void
prom_sample_f(struct buf *b, const char *name, double value, ...)
{
	va_list ap;

	va_start(ap, value);
	prom_labels(b, name, ap);
	va_end(ap);
	buf_printf(b, " %.6f\n", value);
}

/* ---- reading every slot -------------------------------------------------- */

struct agg {
	struct mname name;
	struct mcount c;
};

#define AGG_MAX 2048
#define AGG_HASH 4096

struct snapshot {
	struct agg *v;
	size_t n;
	int32_t *hash;		/* index + 1, 0: empty */
	uint64_t scalar[M__MAX];
	unsigned workers;
};

static uint32_t
name_hash(const struct mname *n)
{
	uint32_t h = 2166136261u ^ (uint32_t)n->method;

	for (const char *p = n->pattern; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static void
snap_add(struct snapshot *s, const struct mentry *e)
{
	struct mname name;
	uint32_t h;
	struct agg *a;

	memcpy(&name, &e->name, sizeof(name));
	name.pattern[METRICS_PATTERN - 1] = '\0';
	h = name_hash(&name) & (AGG_HASH - 1);
	while (s->hash[h] && !name_eq(&s->v[s->hash[h] - 1].name, &name))
		h = (h + 1) & (AGG_HASH - 1);
	if (!s->hash[h]) {
		if (s->n >= AGG_MAX)
			return;	/* 2,048 routes at once: not ours */
		s->v[s->n].name = name;
		s->hash[h] = (int32_t)++s->n;
	}
	a = &s->v[s->hash[h] - 1];
	for (size_t i = 0; i < NSTATUS; i++)
		a->c.status[i] += get(&e->c.status[i]);
	for (size_t i = 0; i <= METRICS_BUCKETS; i++)
		a->c.bucket[i] += get(&e->c.bucket[i]);
	a->c.sum_us += get(&e->c.sum_us);
}

static void
snap_read(struct snapshot *s, const struct mshm *m)
{
	uint32_t n = __atomic_load_n(&m->narchive, __ATOMIC_ACQUIRE);

	memset(s->v, 0, AGG_MAX * sizeof(*s->v));
	memset(s->hash, 0, AGG_HASH * sizeof(*s->hash));
	memset(s->scalar, 0, sizeof(s->scalar));
	s->n = 0;
	s->workers = 0;
	for (uint32_t i = 0; i < n && i < METRICS_ARCHIVE; i++)
		snap_add(s, &m->archive[i]);
	for (size_t k = 0; k < M__MAX; k++)
		s->scalar[k] += get(&m->scalar[k]);
	for (uint64_t i = 0; i < m->nslots; i++) {
		const struct mslot *sl = &m->slot[i];

		n = __atomic_load_n(&sl->nentries, __ATOMIC_ACQUIRE);
		for (uint32_t k = 0; k < n && k < METRICS_ROUTES; k++)
			snap_add(s, &sl->e[k]);
		for (size_t k = 0; k < M__MAX; k++)
			s->scalar[k] += get(&sl->scalar[k]);
		s->workers += __atomic_load_n(&sl->pid, __ATOMIC_RELAXED) != 0;
	}
}

/* A consistent snapshot: no fold of the master in the middle of it. */
static void
snap_take(struct snapshot *s)
{
	struct timespec ms = { 0, 1000 * 1000 };
	uint32_t s1, s2;

	for (int tries = 0; tries < 1000; tries++) {
		s1 = __atomic_load_n(&shm->seq, __ATOMIC_ACQUIRE);
		if (s1 & 1) {
			nanosleep(&ms, NULL);
			continue;
		}
		snap_read(s, shm);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&shm->seq, __ATOMIC_RELAXED);
		if (s1 == s2)
			return;
	}
	log_error("metrics: no consistent snapshot after 1000 tries");
}

static int
agg_cmp(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;
	int c = strcmp(x->name.pattern, y->name.pattern);

	return c ? c : x->name.method - y->name.method;
}

static const char *
method_label(int method)
{
	return method == HTTP_GET ? "GET" : method == HTTP_POST ? "POST" :
	    "OTHER";
}

static uint64_t
agg_total(const struct agg *a)
{
	uint64_t t = 0;

	for (size_t i = 0; i <= METRICS_BUCKETS; i++)
		t += a->c.bucket[i];
	return t;
}

static void
render_requests(struct buf *b, const struct snapshot *s)
{
	char code[8];

	prom_family(b, "civitas_http_requests_total", "counter",
	    "Requests answered by the workers, by method, route pattern "
	    "(\"unmatched\": no route) and status.");
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < NSTATUS; k++) {
			const struct agg *a = &s->v[i];

			if (!a->c.status[k])
				continue;
			if (k < ARRAY_SIZE(status_codes))
				snprintf(code, sizeof(code), "%d",
				    status_codes[k]);
			else
				snprintf(code, sizeof(code), "other");
			prom_sample(b, "civitas_http_requests_total",
			    a->c.status[k], "method",
			    method_label(a->name.method), "route",
			    a->name.pattern, "status", code, (char *)NULL);
		}
}

static void
render_latency(struct buf *b, const struct snapshot *s)
{
	static const char name[] = "civitas_http_request_duration_seconds";
	char le[16];

	prom_family(b, name, "histogram", "Time from the request's arrival "
	    "at a worker to its response written, by method and route "
	    "pattern.");
	for (size_t i = 0; i < s->n; i++) {
		const struct agg *a = &s->v[i];
		const char *m = method_label(a->name.method);
		uint64_t cum = 0, total = agg_total(a);

		if (!total)
			continue;
		for (size_t k = 0; k < METRICS_BUCKETS; k++) {
			cum += a->c.bucket[k];
			snprintf(le, sizeof(le), "%g", metrics_bucket_bounds[k]);
			prom_sample(b, "civitas_http_request_duration_seconds"
			    "_bucket", cum, "method", m, "route",
			    a->name.pattern, "le", le, (char *)NULL);
		}
		prom_sample(b, "civitas_http_request_duration_seconds_bucket",
		    total, "method", m, "route", a->name.pattern, "le", "+Inf",
		    (char *)NULL);
		prom_sample_f(b, "civitas_http_request_duration_seconds_sum",
		    (double)a->c.sum_us / 1e6, "method", m, "route",
		    a->name.pattern, (char *)NULL);
		prom_sample(b, "civitas_http_request_duration_seconds_count",
		    total, "method", m, "route", a->name.pattern, (char *)NULL);
	}
}

static void
render_scalars(struct buf *b, const struct snapshot *s)
{
	static const struct { enum metric m; const char *kind; } pg[] = {
		{ M_DB_CONNECT_FAILED, "connect" }, { M_DB_LOST, "lost" },
		{ M_DB_TIMEOUT, "timeout" }, { M_DB_STATEMENT, "statement" },
	}, kv[] = {
		{ M_KV_CONNECT_FAILED, "connect" }, { M_KV_LOST, "lost" },
		{ M_KV_REPLY, "reply" },
	};

	prom_family(b, "civitas_page_cache_hits_total", "counter",
	    "Pages the workers answered from their own page cache.");
	prom_sample(b, "civitas_page_cache_hits_total",
	    s->scalar[M_PAGECACHE_HIT], (char *)NULL);
	prom_family(b, "civitas_page_cache_misses_total", "counter",
	    "Pages of cached routes the workers had to render.");
	prom_sample(b, "civitas_page_cache_misses_total",
	    s->scalar[M_PAGECACHE_MISS], (char *)NULL);
	prom_family(b, "civitas_postgresql_errors_total", "counter",
	    "PostgreSQL failures seen by the workers: connect (no "
	    "connection), lost (connection failed under a command), timeout "
	    "(no answer: connection dropped), statement (a statement "
	    "failed).");
	for (size_t i = 0; i < ARRAY_SIZE(pg); i++)
		prom_sample(b, "civitas_postgresql_errors_total",
		    s->scalar[pg[i].m], "kind", pg[i].kind, (char *)NULL);
	prom_family(b, "civitas_postgresql_reconnections_total", "counter",
	    "Connections to PostgreSQL a worker made after losing one.");
	prom_sample(b, "civitas_postgresql_reconnections_total",
	    s->scalar[M_DB_RECONNECT], (char *)NULL);
	prom_family(b, "civitas_redis_errors_total", "counter",
	    "Redis failures seen by the workers: connect, lost (no reply: "
	    "connection dropped), reply (Redis answered an error).");
	for (size_t i = 0; i < ARRAY_SIZE(kv); i++)
		prom_sample(b, "civitas_redis_errors_total",
		    s->scalar[kv[i].m], "kind", kv[i].kind, (char *)NULL);
	prom_family(b, "civitas_redis_reconnections_total", "counter",
	    "Connections to Redis a worker made after losing one.");
	prom_sample(b, "civitas_redis_reconnections_total",
	    s->scalar[M_KV_RECONNECT], (char *)NULL);
}

void
metrics_render(struct buf *b, struct arena *a)
{
	struct snapshot s;

	if (!shm)
		return;
	memset(&s, 0, sizeof(s));
	s.v = arena_alloc(a, AGG_MAX * sizeof(*s.v));
	s.hash = arena_alloc(a, AGG_HASH * sizeof(*s.hash));
	snap_take(&s);
	qsort(s.v, s.n, sizeof(*s.v), agg_cmp);
	render_requests(b, &s);
	render_latency(b, &s);
	render_scalars(b, &s);
	prom_family(b, "civitas_workers_up", "gauge",
	    "Worker processes running (those of an old generation that are "
	    "finishing their request included).");
	prom_sample(b, "civitas_workers_up", s.workers, (char *)NULL);
	prom_family(b, "civitas_degraded_mode", "gauge",
	    "1 while the site is in degraded mode, else 0.");
	prom_sample(b, "civitas_degraded_mode", degraded_fn &&
	    degraded_fn(degraded_app) ? 1 : 0, (char *)NULL);
}

/* ---- addresses --------------------------------------------------------- */

#include <arpa/inet.h>

int
addr_internal(const char *addr)
{
	unsigned char v6[16];
	struct in_addr v4;

	if (!addr)
		return 0;
	if (inet_pton(AF_INET, addr, &v4) == 1) {
		uint32_t a = ntohl(v4.s_addr);

		return (a >> 24) == 127 || (a >> 24) == 10 ||
		    (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168);
	}
	if (inet_pton(AF_INET6, addr, v6) != 1)
		return 0;
	if ((v6[0] & 0xfe) == 0xfc)	/* fc00::/7, unique local */
		return 1;
	for (int i = 0; i < 10; i++)
		if (v6[i])
			return 0;
	if (v6[10] == 0xff && v6[11] == 0xff) {	/* ::ffff:a.b.c.d */
		char s[INET_ADDRSTRLEN];

		return inet_ntop(AF_INET, v6 + 12, s, sizeof(s)) &&
		    addr_internal(s);
	}
	for (int i = 10; i < 15; i++)
		if (v6[i])
			return 0;
	return v6[15] == 1;	/* ::1 */
}
