/*
 * scrape: GET /metrics, for Prometheus (issue 13, section 3).
 *
 * The counters of every worker of this master (core/metrics.c: requests,
 * latency, page cache, PostgreSQL and Redis failures, workers, degraded
 * mode), then what PostgreSQL and Redis say at this moment. An outage
 * never fails the scrape: what needs the database is left out, and
 * civitas_postgresql_up / civitas_redis_up say so.
 */
#include "../core/common.h"
#include "../core/metrics.h"
#include "features.h"

static void
mail_metrics(struct buf *b, const PGresult *res)
{
	prom_family(b, "civitas_outbox_messages", "gauge",
	    "Transactional mail not sent yet: waiting (for its turn or a "
	    "retry) or given_up (after MAIL_MAX_ATTEMPTS, or refused).");
	prom_sample(b, "civitas_outbox_messages", (uint64_t)db_long(res, 0,
	    METRICS_OUTBOX_WAITING), "state", "waiting", (char *)NULL);
	prom_sample(b, "civitas_outbox_messages", (uint64_t)db_long(res, 0,
	    METRICS_OUTBOX_GIVEN_UP), "state", "given_up", (char *)NULL);
	prom_family(b, "civitas_campaign_recipients_total", "counter",
	    "Campaign recipients sent and failed, over every campaign kept "
	    "(the send rate is its rate()).");
	prom_sample(b, "civitas_campaign_recipients_total", (uint64_t)db_long(
	    res, 0, METRICS_CAMPAIGN_SENT), "status", "sent", (char *)NULL);
	prom_sample(b, "civitas_campaign_recipients_total", (uint64_t)db_long(
	    res, 0, METRICS_CAMPAIGN_FAILED), "status", "failed", (char *)NULL);
	prom_family(b, "civitas_campaign_recipients_waiting", "gauge",
	    "Recipients still to send of the campaigns sending or paused.");
	prom_sample(b, "civitas_campaign_recipients_waiting", (uint64_t)db_long(
	    res, 0, METRICS_CAMPAIGN_WAITING), (char *)NULL);
}

/*
 * GET /metrics: 200 text/plain (exposition format 0.0.4), never cached;
 * 403 to a client address that is not internal (metrics.h,
 * addr_internal): nginx refuses those first, this is the second lock.
 */
int
metrics_get(struct req *r)
{
	PGresult *res;
	redisReply *pong;

	if (r->remote_addr && !addr_internal(r->remote_addr))
		return 403;
	res = q(r, STMT_METRICS_MAIL);
	pong = kv(r, "PING");
	metrics_render(&r->body, &r->arena);
	prom_family(&r->body, "civitas_postgresql_up", "gauge",
	    "1 when this scrape could read PostgreSQL (the mail figures "
	    "below need it), else 0.");
	prom_sample(&r->body, "civitas_postgresql_up", res != NULL,
	    (char *)NULL);
	prom_family(&r->body, "civitas_redis_up", "gauge",
	    "1 when Redis answered this scrape's PING, else 0.");
	prom_sample(&r->body, "civitas_redis_up", pong &&
	    pong->type == REDIS_REPLY_STATUS, (char *)NULL);
	if (res)
		mail_metrics(&r->body, res);
	r->ctype = "text/plain; version=0.0.4; charset=utf-8";
	r->cache = "no-store";
	return 200;
}
