/* metrics: the Prometheus text, the counters of one worker and of several
 * sharing the master's segment, internal addresses; log's JSON strings. */
#include "../../app/core/common.h"
#include "../../app/core/log.h"
#include "../../app/core/metrics.h"
#include "../../app/core/router.h"
#include "unit.h"

#include <unistd.h>

static const char *
text_of(struct buf *b)
{
	buf_putc(b, '\0');
	b->len--;
	return b->data;
}

static void
label_values_escaped(void)
{
	struct buf b;

	buf_init(&b, 4096);
	prom_label_value(&b, "a\"b\\c\nd/{e}");
	EQ_STR(text_of(&b), "a\\\"b\\\\c\\nd/{e}");
	buf_reset(&b);
	prom_sample(&b, "x_total", 7, "route", "/say \"hi\"", "status", "200",
	    (char *)NULL);
	EQ_STR(text_of(&b), "x_total{route=\"/say \\\"hi\\\"\",status=\"200\"} 7\n");
	buf_reset(&b);
	prom_sample(&b, "up", 1, (char *)NULL);
	EQ_STR(text_of(&b), "up 1\n");
	buf_reset(&b);
	prom_sample_f(&b, "t_sum", 0.25, "le", "+Inf", (char *)NULL);
	EQ_STR(text_of(&b), "t_sum{le=\"+Inf\"} 0.250000\n");
	buf_release(&b);
}

static void
help_escaped(void)
{
	struct buf b;

	buf_init(&b, 4096);
	/* HELP escapes backslash and newline, not quotes */
	prom_family(&b, "x_total", "counter", "a \"b\" c\\d\ne");
	EQ_STR(text_of(&b), "# HELP x_total a \"b\" c\\\\d\\ne\n"
	    "# TYPE x_total counter\n");
	buf_release(&b);
}

static const char *const pats[] = { "/health", "/articles/{slug}" };
static const int meths[] = { HTTP_GET, HTTP_GET };

static int
always(const struct app *app)
{
	(void)app;
	return 1;
}

static void
render_private(struct buf *b, struct arena *a)
{
	buf_reset(b);
	arena_reset(a);
	metrics_render(b, a);
	text_of(b);
}

static void
one_worker_counts_and_histogram(void)
{
	struct buf b;
	struct arena a;

	unsetenv("CIVITAS_METRICS_FD");
	metrics_worker_init(pats, meths, 2);
	buf_init(&b, 1 << 20);
	arena_init(&a, 64 * 1024);
	metrics_request(1, HTTP_GET, 200, 0.0004);
	metrics_request(1, HTTP_GET, 200, 0.003);
	metrics_request(1, HTTP_GET, 404, 0.2);
	metrics_request((size_t)-1, HTTP_POST, 422, 42.0);
	metrics_request((size_t)-1, HTTP_POST, 299, 0.001);
	metrics_count(M_PAGECACHE_HIT);
	metrics_count(M_KV_LOST);
	metrics_count(M_KV_LOST);
	render_private(&b, &a);
	CHECK(strstr(b.data, "civitas_http_requests_total{method=\"GET\","
	    "route=\"/articles/{slug}\",status=\"200\"} 2\n"));
	CHECK(strstr(b.data, "civitas_http_requests_total{method=\"GET\","
	    "route=\"/articles/{slug}\",status=\"404\"} 1\n"));
	CHECK(strstr(b.data, "{method=\"POST\",route=\"unmatched\","
	    "status=\"422\"} 1\n"));
	CHECK(strstr(b.data, "{method=\"POST\",route=\"unmatched\","
	    "status=\"other\"} 1\n"));
	/* a route never asked shows nothing */
	CHECK(!strstr(b.data, "route=\"/health\""));
	/* buckets are cumulative; 0.001 itself falls in le="0.001" */
	CHECK(strstr(b.data, "_bucket{method=\"GET\",route=\"/articles/{slug}\","
	    "le=\"0.001\"} 1\n"));
	CHECK(strstr(b.data, "_bucket{method=\"GET\",route=\"/articles/{slug}\","
	    "le=\"0.005\"} 2\n"));
	CHECK(strstr(b.data, "_bucket{method=\"GET\",route=\"/articles/{slug}\","
	    "le=\"0.1\"} 2\n"));
	CHECK(strstr(b.data, "_bucket{method=\"GET\",route=\"/articles/{slug}\","
	    "le=\"0.25\"} 3\n"));
	CHECK(strstr(b.data, "_bucket{method=\"GET\",route=\"/articles/{slug}\","
	    "le=\"+Inf\"} 3\n"));
	CHECK(strstr(b.data, "civitas_http_request_duration_seconds_count{"
	    "method=\"GET\",route=\"/articles/{slug}\"} 3\n"));
	CHECK(strstr(b.data, "civitas_http_request_duration_seconds_sum{"
	    "method=\"GET\",route=\"/articles/{slug}\"} 0.203400\n"));
	CHECK(strstr(b.data, "_bucket{method=\"POST\",route=\"unmatched\","
	    "le=\"0.001\"} 1\n"));
	CHECK(strstr(b.data, "_bucket{method=\"POST\",route=\"unmatched\","
	    "le=\"10\"} 1\n"));
	CHECK(strstr(b.data, "_bucket{method=\"POST\",route=\"unmatched\","
	    "le=\"+Inf\"} 2\n"));
	CHECK(strstr(b.data, "\ncivitas_page_cache_hits_total 1\n"));
	CHECK(strstr(b.data, "\ncivitas_redis_errors_total{kind=\"lost\"} 2\n"));
	CHECK(strstr(b.data, "\ncivitas_workers_up 1\n"));
	CHECK(strstr(b.data, "\ncivitas_degraded_mode 0\n"));
	CHECK(strstr(b.data, "# TYPE civitas_http_request_duration_seconds "
	    "histogram\n"));
	metrics_set_degraded(always, NULL);
	render_private(&b, &a);
	CHECK(strstr(b.data, "\ncivitas_degraded_mode 1\n"));
	metrics_set_degraded(NULL, NULL);
	/* a new worker in the same process starts from zero */
	metrics_worker_init(pats, meths, 2);
	render_private(&b, &a);
	CHECK(!strstr(b.data, "route=\"/articles/{slug}\""));
	metrics_release();
	arena_release(&a);
	buf_release(&b);
}

/* Two workers of one master, the second with another route table (a new
 * binary after SIGHUP); the first one's death keeps its counts. */
static void
workers_share_and_fold(void)
{
	static const char *const pats2[] = { "/articles/{slug}", "/new" };
	static const int meths2[] = { HTTP_GET, HTTP_POST };
	struct buf b;
	struct arena a;
	char *end, num[16];
	long fd;
	int keep;

	if (!CHECK(metrics_master_init(2) == 0))
		return;
	fd = strtol(getenv("CIVITAS_METRICS_FD"), &end, 10);
	keep = dup((int)fd);
	buf_init(&b, 1 << 20);
	arena_init(&a, 64 * 1024);
	metrics_master_child(0);
	metrics_worker_init(pats, meths, 2);	/* slot 0 (closes fd) */
	CHECK(getenv("CIVITAS_METRICS_FD") == NULL);
	metrics_master_started(0, 1000);
	for (int i = 0; i < 3; i++)
		metrics_request(1, HTTP_GET, 200, 0.002);
	metrics_count(M_DB_RECONNECT);
	/* the second worker: slot 1 */
	dup2(keep, (int)fd);
	snprintf(num, sizeof(num), "%ld", fd);
	setenv("CIVITAS_METRICS_FD", num, 1);
	metrics_master_child(1);
	metrics_worker_init(pats2, meths2, 2);
	metrics_master_started(1, 1001);
	metrics_request(0, HTTP_GET, 200, 0.002);
	metrics_request(0, HTTP_GET, 200, 0.002);
	metrics_request(1, HTTP_POST, 303, 0.002);
	metrics_count(M_DB_RECONNECT);
	render_private(&b, &a);
	CHECK(strstr(b.data, "{method=\"GET\",route=\"/articles/{slug}\","
	    "status=\"200\"} 5\n"));
	CHECK(strstr(b.data, "{method=\"POST\",route=\"/new\","
	    "status=\"303\"} 1\n"));
	CHECK(strstr(b.data, "\ncivitas_postgresql_reconnections_total 2\n"));
	CHECK(strstr(b.data, "\ncivitas_workers_up 2\n"));
	/* worker 0 dies: its counts stay (folded), its slot is free */
	metrics_master_reaped(0);
	render_private(&b, &a);
	CHECK(strstr(b.data, "{method=\"GET\",route=\"/articles/{slug}\","
	    "status=\"200\"} 5\n"));
	CHECK(strstr(b.data, "_count{method=\"GET\","
	    "route=\"/articles/{slug}\"} 5\n"));
	CHECK(strstr(b.data, "\ncivitas_postgresql_reconnections_total 2\n"));
	CHECK(strstr(b.data, "\ncivitas_workers_up 1\n"));
	/* and worker 1 too: everything is in the archive now */
	metrics_master_reaped(1);
	render_private(&b, &a);
	CHECK(strstr(b.data, "{method=\"GET\",route=\"/articles/{slug}\","
	    "status=\"200\"} 5\n"));
	CHECK(strstr(b.data, "{method=\"POST\",route=\"/new\","
	    "status=\"303\"} 1\n"));
	CHECK(strstr(b.data, "\ncivitas_workers_up 0\n"));
	metrics_release();
	close(keep);
	close((int)fd);
	arena_release(&a);
	buf_release(&b);
}

static void
internal_addresses(void)
{
	static const char *const in[] = { "127.0.0.1", "127.5.6.7", "10.0.0.1",
	    "172.16.0.1", "172.31.255.254", "192.168.1.10", "::1", "fd12::1",
	    "fc00::5", "::ffff:10.1.2.3", "::ffff:127.0.0.1" };
	static const char *const out[] = { "8.8.8.8", "172.15.255.255",
	    "172.32.0.1", "192.169.0.1", "11.0.0.1", "100.64.0.1",
	    "203.0.113.5", "2001:db8::1", "::", "::2", "::ffff:8.8.8.8",
	    "fe80::1", "", "localhost", "127.0.0.1 ", "10.0.0.1/8" };

	for (size_t i = 0; i < ARRAY_SIZE(in); i++)
		if (!CHECK(addr_internal(in[i])))
			fprintf(stderr, "  (%s)\n", in[i]);
	for (size_t i = 0; i < ARRAY_SIZE(out); i++)
		if (!CHECK(!addr_internal(out[i])))
			fprintf(stderr, "  (%s)\n", out[i]);
	CHECK(!addr_internal(NULL));
}

static void
json_strings_escaped(void)
{
	char out[64];

	EQ_INT(log_json_escape(out, sizeof(out), "a\"b\\c\nd\te\x01"), 19);
	EQ_STR(out, "a\\\"b\\\\c\\nd\\te\\u0001");
	/* UTF-8 is kept, a byte that is not is replaced */
	log_json_escape(out, sizeof(out), "é\xff\xc3(");
	EQ_STR(out, "é\\ufffd\\ufffd(");
	/* cut between characters, never inside an escape */
	EQ_INT(log_json_escape(out, 6, "ab\"cd"), 5);
	EQ_STR(out, "ab\\\"c");
	EQ_INT(log_json_escape(out, 5, "ab\"cd"), 4);
	EQ_STR(out, "ab\\\"");
	EQ_INT(log_json_escape(out, 4, "ab\"cd"), 2);
	EQ_STR(out, "ab");
	EQ_INT(log_json_escape(out, 3, "aé"), 1);
	EQ_STR(out, "a");
}

UNIT_SUITE(metrics,
    UNIT(label_values_escaped),
    UNIT(help_escaped),
    UNIT(one_worker_counts_and_histogram),
    UNIT(workers_share_and_fold),
    UNIT(internal_addresses),
    UNIT(json_strings_escaped))
