#include "../core/common.h"
#include "../core/log.h"
#include "../core/metrics.h"
#include "db.h"

#include <poll.h>
#include <time.h>

/* The client gives the server this much longer than statement_timeout
 * before it stops waiting: a slow statement ends with the server's own
 * error, only a silent server with a timeout. */
#define DB_GRACE_MS 1000

void
db_init(struct db *db, const char *url)
{
	memset(db, 0, sizeof(*db));
	db->url = url;
	db->timeout_ms = DB_TIMEOUT_MS_DEFAULT;
	db->idle_tx_ms = 30000;
}

void
db_release(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);	/* nonblocking: never waits */
	db->conn = NULL;
}

/* libpq's messages run over several lines; the log takes the first. */
static int
db_line(const char *msg)
{
	return (int)strcspn(msg, "\n");
}

/*
 * Wait until the connection's socket is readable (or writable, with
 * want_write), or the deadline (CLOCK_MONOTONIC seconds) passes: 1 ready,
 * 0 deadline passed, -1 no socket or poll failed. A signal does not end
 * the wait early.
 */
static int
db_poll(PGconn *conn, int want_write, double deadline)
{
	struct pollfd pfd;
	double left;
	int rc;

	pfd.fd = PQsocket(conn);
	pfd.events = POLLIN | (want_write ? POLLOUT : 0);
	if (pfd.fd < 0)
		return -1;
	for (;;) {
		left = (deadline - mono_now()) * 1000;
		rc = poll(&pfd, 1, left > 0 ? (int)left + 1 : 0);
		if (rc >= 0)
			return rc > 0;
		if (errno != EINTR)
			return -1;
	}
}

/* Drop a connection that can no longer be trusted (it timed out, or
 * failed under us): one log line, and the failure of the call in
 * progress reads as a lost connection. A timeout also holds back the
 * next attempt (see db.h). */
static void
db_drop(struct db *db, const char *what, int timed_out)
{
	const char *msg;

	metrics_count(timed_out ? M_DB_TIMEOUT : M_DB_LOST);
	if (timed_out) {
		log_error("postgresql: no answer to %s within %d ms: "
		    "connection dropped", what, db->timeout_ms + DB_GRACE_MS);
		db->retry_at = mono_now() + DB_RETRY_MS / 1000.0;
	} else {
		msg = db->conn ? PQerrorMessage(db->conn) : "";
		log_error("postgresql: connection lost during %s: %.*s", what,
		    db_line(msg), msg);
	}
	snprintf(db->sqlstate, sizeof(db->sqlstate), "08006");
	db_release(db);
}

/* Like PQexec: keep the last result, unless an earlier one failed. */
static void
db_keep(PGresult **res, PGresult *r)
{
	if (*res && PQresultStatus(*res) == PGRES_FATAL_ERROR) {
		PQclear(r);
		return;
	}
	PQclear(*res);
	*res = r;
}

/*
 * The result of the command just sent on db->conn: flush it, then read
 * until libpq has every result, waiting at most timeout_ms + DB_GRACE_MS
 * in all. NULL when the server did not answer in time or the connection
 * failed: it has then been dropped (db_drop). Notifications that arrive
 * meanwhile stay queued for db_notifications().
 */
static PGresult *
db_wait(struct db *db, const char *what)
{
	double deadline = mono_now() + (db->timeout_ms + DB_GRACE_MS) / 1000.0;
	PGresult *res = NULL, *r;
	int flushing = 1, rc;

	for (;;) {
		if (flushing && (flushing = PQflush(db->conn)) < 0)
			goto lost;
		if (!flushing && !PQisBusy(db->conn)) {
			if (!(r = PQgetResult(db->conn)))
				return res;
			db_keep(&res, r);
			continue;
		}
		if ((rc = db_poll(db->conn, flushing, deadline)) == 0) {
			PQclear(res);
			db_drop(db, what, 1);
			return NULL;
		}
		if (rc < 0 || !PQconsumeInput(db->conn))
			goto lost;
	}
lost:
	PQclear(res);
	db_drop(db, what, 0);
	return NULL;
}

/* A command failed: remember its SQLSTATE and log it (a unique violation
 * is the caller's business), or drop the connection when it is gone. */
static void
db_failed(struct db *db, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg;

	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
	if (db->conn && PQstatus(db->conn) != CONNECTION_OK) {
		db_drop(db, what, 0);
		return;
	}
	if (!db_unique_violation(db)) {
		metrics_count(M_DB_STATEMENT);
		msg = res ? PQresultErrorMessage(res) : db->conn ?
		    PQerrorMessage(db->conn) : "not connected";
		log_error("postgresql: %s: %.*s", what, db_line(msg), msg);
	}
}

static void
db_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;	/* NOTICEs are not worth a log line per request */
}

/* Run one SQL command without parameters: 0 when it completed, else -1
 * (db_failed or db_drop said why). */
static int
db_simple(struct db *db, const char *cmd)
{
	PGresult *res;
	int ok;

	if (!db->conn)
		return -1;
	if (!PQsendQuery(db->conn, cmd)) {
		db_failed(db, NULL, cmd);
		return -1;
	}
	if (!(res = db_wait(db, cmd)))
		return -1;
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		db_failed(db, res, cmd);
	PQclear(res);
	return ok ? 0 : -1;
}

static int
db_listen(struct db *db)
{
	char *ch = PQescapeIdentifier(db->conn, db->listen, strlen(db->listen));
	char cmd[128];

	if (!ch)
		return -1;
	snprintf(cmd, sizeof(cmd), "LISTEN %s", ch);
	PQfreemem(ch);
	return db_simple(db, cmd);
}

static int
db_prepare(struct db *db, int i)
{
	char name[16];
	PGresult *res;
	int ok;

	snprintf(name, sizeof(name), "s%d", i);
	if (!PQsendPrepare(db->conn, name, stmt_defs[i].sql,
	    stmt_defs[i].nparams, NULL)) {
		db_failed(db, NULL, "prepare");
		return -1;
	}
	if (!(res = db_wait(db, "prepare")))
		return -1;
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		metrics_count(M_DB_STATEMENT);
	if (!ok)
		log_error("postgresql: prepare %s: %.*s", stmt_defs[i].name,
		    db_line(PQresultErrorMessage(res)),
		    PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

int
db_notifications(struct db *db)
{
	PGnotify *n;
	int count = 0;

	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK)
		return -1;
	if (!PQconsumeInput(db->conn)) {	/* the server went away */
		metrics_count(M_DB_LOST);
		db_release(db);
		return -1;
	}
	while ((n = PQnotifies(db->conn))) {
		PQfreemem(n);
		count++;
		db->notified++;
	}
	return count;
}

int
db_wait_notification(struct db *db, int timeout_ms)
{
	double deadline = mono_now() + timeout_ms / 1000.0;
	int n, rc;

	while ((n = db_notifications(db)) == 0) {
		if ((rc = db_poll(db->conn, 0, deadline)) == 0)
			return 0;
		if (rc < 0) {
			db_release(db);
			return -1;
		}
	}
	return n;
}

/*
 * The server-side limits (db.h), as the connection's options, followed by
 * those of DATABASE_URL or PGOPTIONS, which libpq would otherwise have
 * used and which win where they set the same thing. Freed by the caller.
 */
static char *
db_options(const struct db *db)
{
	PQconninfoOption *info = PQconninfoParse(db->url, NULL);
	const char *own = getenv("PGOPTIONS");
	size_t n;
	char *s;

	for (PQconninfoOption *o = info; o && o->keyword; o++)
		if (!strcmp(o->keyword, "options") && o->val)
			own = o->val;
	n = 128 + (own ? strlen(own) : 0);
	s = xmalloc(n);
	snprintf(s, n, "-c statement_timeout=%d "
	    "-c idle_in_transaction_session_timeout=%d%s%s", db->timeout_ms,
	    db->idle_tx_ms, own ? " " : "", own ? own : "");
	PQconninfoFree(info);
	return s;
}

/* Open the connection, without waiting more than timeout_ms: 0, or -1
 * with a log line. */
static int
db_open(struct db *db)
{
	char *options = db_options(db);
	const char *keys[] = { "dbname", "application_name", "options", NULL };
	const char *vals[] = { db->url, "civitas", options, NULL };
	double deadline = mono_now() + db->timeout_ms / 1000.0;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	const char *msg;
	int rc;

	/* expand_dbname: the URL supplies everything it names, except what
	 * follows it here. */
	db->conn = PQconnectStartParams(keys, vals, 1);
	free(options);
	if (!db->conn)
		abort();	/* out of memory (common.h) */
	/* As libpq's documentation says: poll as PQconnectPoll last asked,
	 * as if it had said "writing" before its first call. */
	while (PQstatus(db->conn) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
	    st != PGRES_POLLING_FAILED) {
		rc = db_poll(db->conn, st == PGRES_POLLING_WRITING, deadline);
		if (rc == 0) {
			log_error("postgresql: no connection within %d ms",
			    db->timeout_ms);
			return -1;
		}
		st = rc < 0 ? PGRES_POLLING_FAILED : PQconnectPoll(db->conn);
	}
	if (PQstatus(db->conn) != CONNECTION_OK ||
	    PQsetnonblocking(db->conn, 1) < 0) {
		msg = PQerrorMessage(db->conn);
		log_error("postgresql: %.*s", db_line(msg), msg);
		return -1;
	}
	PQsetNoticeProcessor(db->conn, db_notice, NULL);
	return 0;
}

#ifdef CIVITAS_CHECKS
/*
 * Every statement's declaration (sql.h) against what PostgreSQL made of
 * it: the number of parameters, and the number of columns its shape
 * names. A wrong declaration stops the process at its first connect, so
 * the first test run finds it. -1 after logging each mismatch.
 */
static int
db_check_declarations(struct db *db)
{
	char name[16];
	int bad = 0;

	for (int i = STMT_NONE + 1; i < STMT__MAX; i++) {
		PGresult *res;

		snprintf(name, sizeof(name), "s%d", i);
		if (!PQsendDescribePrepared(db->conn, name) ||
		    !(res = db_wait(db, "describe")))
			return 0;	/* lost: the next connect checks */
		if (PQresultStatus(res) == PGRES_COMMAND_OK &&
		    (PQnparams(res) != stmt_defs[i].nparams ||
		    PQnfields(res) != stmt_defs[i].ncols)) {
			log_error("%s is declared with %d parameters and %d "
			    "columns, PostgreSQL sees %d and %d",
			    stmt_defs[i].name, stmt_defs[i].nparams,
			    stmt_defs[i].ncols, PQnparams(res), PQnfields(res));
			bad = 1;
		}
		PQclear(res);
	}
	return bad ? -1 : 0;
}
#endif

static int
db_connect(struct db *db)
{
	db_release(db);
	db->in_tx = 0;
	if (db_open(db) < 0) {
		metrics_count(M_DB_CONNECT_FAILED);
		goto fail;
	}
	for (int i = STMT_NONE + 1; i < STMT__MAX; i++)
		if (db_prepare(db, i) < 0)
			goto fail;
#ifdef CIVITAS_CHECKS
	if (db_check_declarations(db) < 0)
		abort();
#endif
	if (db->listen && db_listen(db) < 0)
		goto fail;
	if (db->generation++)
		metrics_count(M_DB_RECONNECT);
	return 0;
fail:
	db_release(db);
	db->retry_at = mono_now() + DB_RETRY_MS / 1000.0;
	return -1;
}

/*
 * Is the idle connection still there? A server that ended the session
 * meanwhile (PostgreSQL restarted, the backend terminated) left its
 * goodbye and the end of the stream in the socket: seen here, before a
 * statement is sent, a new connection serves it, so that a restart costs
 * no request, and no write is sent into a dead session (issue 13). One
 * poll without waiting; what arrived otherwise (notifications) stays in
 * libpq for db_notifications.
 */
static int
db_alive(struct db *db)
{
	struct pollfd p = { .fd = PQsocket(db->conn), .events = POLLIN };

	if (db->in_tx)
		return 1;
	/* The goodbye (read as a notice) and the end of the stream may take
	 * two reads: read while something is there, a few times at most. */
	for (int i = 0; i < 4 && poll(&p, 1, 0) > 0; i++)
		if (!PQconsumeInput(db->conn) ||
		    PQstatus(db->conn) != CONNECTION_OK)
			return 0;
	return 1;
}

int
db_ensure(struct db *db)
{
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK) {
		if (db_alive(db))
			return 0;
		metrics_count(M_DB_LOST);
		log_info("postgresql: the server ended the session; connecting "
		    "again");
		db_release(db);
		return db_connect(db);
	}
	if (mono_now() < db->retry_at) {
		db_release(db);
		return -1;
	}
	return db_connect(db);
}

static void
db_clear(void *p)
{
	PQclear(p);
}

/* On a replica: should the failed statement run on the primary? A write
 * it refused (25006), or the replica gone (connection lost, shutting
 * down, not accepting connections yet). */
static int
replica_failover(const struct db *db)
{
	return !strcmp(db->sqlstate, "25006") ||
	    !strncmp(db->sqlstate, "08", 2) || !strncmp(db->sqlstate, "57P", 3);
}

/* Does statement s only read? A plain SELECT that names no write (the
 * replica refuses the rest anyway: see db_execv). */
static int
stmt_reads_only(enum stmt s)
{
	const char *t = stmt_defs[s].sql;

	return !strncmp(t, "SELECT ", 7) && !strstr(t, "UPDATE ") &&
	    !strstr(t, "INSERT ") && !strstr(t, "DELETE ") &&
	    !strstr(t, "nextval(");
}

static PGresult *
db_run(struct db *db, struct arena *a, enum stmt s,
    const char *const *params, const int *lengths, const int *formats,
    int result_binary)
{
	const char *what = stmt_defs[s].name;
	char name[16];
	PGresult *res;
	ExecStatusType st;

	db->sqlstate[0] = '\0';
	if (!db->in_tx && db_ensure(db) < 0) {
		snprintf(db->sqlstate, sizeof(db->sqlstate), "08000");
		return NULL;	/* (a replica: db_execv asks the primary) */
	}
	if (!db->conn) {
		snprintf(db->sqlstate, sizeof(db->sqlstate), "08000");
		return NULL;
	}
	snprintf(name, sizeof(name), "s%d", (int)s);
	if (!PQsendQueryPrepared(db->conn, name, stmt_defs[s].nparams, params,
	    lengths, formats, result_binary)) {
		db_failed(db, NULL, what);
		return NULL;
	}
	if (!(res = db_wait(db, what)))
		return NULL;
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		db_failed(db, res, what);
		PQclear(res);
		return NULL;
	}
	arena_defer(a, db_clear, res);
	return res;
}

/*
 * A statement on the connection, with two second chances (issue 13):
 * - a plain SELECT outside a transaction whose connection turns out lost
 *   (PostgreSQL restarted since the last statement: the session was ended
 *   while idle) runs once more on a new connection, so that a restart of
 *   PostgreSQL costs no request; a write never runs twice, and a server
 *   that did not answer in time (retry_at set) is not asked again;
 * - on a replica, see struct db's primary.
 */
PGresult *
db_execv(struct db *db, struct arena *a, enum stmt s,
    const char *const *params, const int *lengths, const int *formats,
    int result_binary)
{
	PGresult *res;
	int was_connected = db->conn != NULL;

	if (db->primary && !stmt_reads_only(s))
		return db_execv(db->primary, a, s, params, lengths, formats,
		    result_binary);
	res = db_run(db, a, s, params, lengths, formats, result_binary);
	if (!res && was_connected && !db->in_tx &&
	    !strcmp(db->sqlstate, "08006") && stmt_reads_only(s) &&
	    mono_now() >= db->retry_at && db_ensure(db) == 0)
		res = db_run(db, a, s, params, lengths, formats,
		    result_binary);
	if (!res && db->primary && replica_failover(db))
		return db_execv(db->primary, a, s, params, lengths, formats,
		    result_binary);
	return res;
}

/* A call that does not pass what the statement declares is a bug of
 * ours: stop loudly (the master respawns the worker). */
static void
db_check_call(enum stmt s, int nargs)
{
	if (s != STMT_NONE && s < STMT__MAX && nargs == stmt_defs[s].nparams)
		return;
	log_error("%s takes %d parameters, called with %d",
	    s < STMT__MAX ? stmt_defs[s].name : "?",
	    s < STMT__MAX ? stmt_defs[s].nparams : -1, nargs);
	abort();
}

PGresult *
db_exec_array(struct db *db, struct arena *a, enum stmt s, int n,
    const char *const *params)
{
	db_check_call(s, n);
	return db_execv(db, a, s, params, NULL, NULL, 0);
}

PGresult *
db_exec_n(struct db *db, struct arena *a, enum stmt s, int nargs, ...)
{
	const char *params[16];
	va_list ap;
	int n = stmt_defs[s].nparams;

	db_check_call(s, nargs);
	if (n > (int)ARRAY_SIZE(params))
		abort();
	va_start(ap, nargs);
	for (int i = 0; i < n; i++)
		params[i] = va_arg(ap, const char *);
	va_end(ap);
	return db_execv(db, a, s, params, NULL, NULL, 0);
}

int
db_begin(struct db *db)
{
	if (db_ensure(db) < 0) {
		snprintf(db->sqlstate, sizeof(db->sqlstate), "08000");
		return -1;
	}
	if (db_simple(db, "BEGIN") < 0)
		return -1;
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct db *db)
{
	int rc = db_simple(db, "COMMIT");

	db->in_tx = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db->in_tx && db->conn)
		db_simple(db, "ROLLBACK");
	db->in_tx = 0;
}

int
db_unique_violation(const struct db *db)
{
	return !strcmp(db->sqlstate, "23505");
}

const char *
db_str(const PGresult *res, int row, int col)
{
	if (!res || row >= PQntuples(res) || col >= PQnfields(res) ||
	    PQgetisnull(res, row, col))
		return "";
	return PQgetvalue(res, row, col);
}

long
db_long(const PGresult *res, int row, int col)
{
	return strtol(db_str(res, row, col), NULL, 10);
}

int
db_bool(const PGresult *res, int row, int col)
{
	return db_str(res, row, col)[0] == 't';
}
