/*
 * replica: the public read routes may read from a streaming replica
 * (DATABASE_REPLICA_URL; issue 13, README "Many hosts").
 *
 * Chosen per request, just before the handler: only a GET of a route
 * flagged R_CACHEABLE (the pages, feeds, search and read APIs nginx may
 * keep), only when the replica is known to be fresh enough, else the
 * primary. Fresh enough means both:
 *   - no change the worker was told of is missing: when a content
 *     notification came in on the primary since the last look, the
 *     primary's WAL position is read then, and the replica is used again
 *     once it has replayed that far (so a page kept by the worker's page
 *     cache or by nginx is never older than the notification that emptied
 *     the cache);
 *   - it does not lag: once a second, the replica must have replayed what
 *     the primary had written a second earlier (a lag of a second or two at
 *     most); else, or when it is down, the primary serves.
 * A statement the replica fails for want of a connection, or refuses as a
 * write, runs again on the primary (infra/db.c, struct db's primary): a
 * replica that dies between two looks costs no request.
 * Each look is one short statement; between looks the choice costs
 * nothing. Writes and every other route always use the primary (q() reads
 * req_db(r), writes name &r->app->db).
 */
#include "../core/common.h"
#include "../core/log.h"
#include "features.h"

static struct {
	unsigned long notified, generation;	/* of the primary, last look */
	char want[32];		/* the replica must have replayed this */
	int caught_up;		/* ... and it has */
	char prev[32];		/* the primary's position a second ago */
	double tick;		/* monotonic time of the last lag look */
	int lag_ok;
} rep;

/* The primary's WAL position into out; 0, or -1. */
static int
primary_lsn(struct req *r, char *out, size_t n)
{
	PGresult *res = db_exec(&r->app->db, &r->arena, STMT_WAL_LSN);

	if (!res || PQntuples(res) != 1)
		return -1;
	snprintf(out, n, "%s", db_str(res, 0, VALUE));
	return 0;
}

/* Has the replica replayed lsn? 1, 0, or -1 (down). */
static int
replayed(struct req *r, const char *lsn)
{
	PGresult *res;

	if (db_ensure(&r->app->replica) < 0 ||
	    !(res = db_exec(&r->app->replica, &r->arena, STMT_REPLAYED, lsn)))
		return -1;
	return db_bool(res, 0, VALUE);
}

void
replica_choose(struct req *r)
{
	struct db *db = &r->app->db;
	double now;
	char lsn[32];

	if (!*r->cfg->database_replica_url || r->method != HTTP_GET ||
	    !(r->route->flags & R_CACHEABLE))
		return;
	db_notifications(db);
	now = mono_now();
	/* Once a second: the replica must have replayed what the primary
	 * had a second ago. */
	if (now - rep.tick >= 1.0) {
		if (primary_lsn(r, lsn, sizeof(lsn)) < 0)
			return;
		/* (the first time, where the primary is now) */
		rep.lag_ok = replayed(r, rep.prev[0] ? rep.prev : lsn) == 1;
		snprintf(rep.prev, sizeof(rep.prev), "%s", lsn);
		rep.tick = now;
	}
	/* A change notified since the last look: not before it is there. */
	if (db->notified != rep.notified || db->generation != rep.generation ||
	    !rep.want[0]) {
		rep.notified = db->notified;
		rep.generation = db->generation;
		rep.caught_up = 0;
		if (primary_lsn(r, rep.want, sizeof(rep.want)) < 0) {
			rep.want[0] = '\0';
			return;
		}
	}
	if (!rep.caught_up)
		rep.caught_up = replayed(r, rep.want) == 1;
	if (rep.lag_ok && rep.caught_up) {
		r->replica = 1;
		r->replica_notified = rep.notified;
		resp_header(r, "X-Read-From", "replica");
	}
}
