/*
 * db: one PostgreSQL connection per process, prepared statements only.
 *
 * The connection is (re)opened lazily by db_ensure(): a worker that starts
 * while PostgreSQL is down, or loses it mid-flight, answers 503 and simply
 * reconnects on a later request. Results are registered on the caller's
 * arena and freed with it; callers never PQclear.
 *
 * No call waits on PostgreSQL without a limit, so a frozen or unreachable
 * server costs a 503, not a stuck worker:
 * - opening a connection takes at most timeout_ms; the commands run on it
 *   then (PREPARE, LISTEN) are bounded like any statement (below);
 * - the server cancels any statement running longer than timeout_ms
 *   (statement_timeout: an ordinary failure, the connection stays) and
 *   ends a session left idle inside a transaction for idle_tx_ms;
 * - the client waits at most timeout_ms + 1 s for a result (the server
 *   does not answer at all: frozen, or its host gone). The connection is
 *   then in an unknown state: it is dropped, with one log line, and
 *   sqlstate reads "08006" as for a lost connection.
 * After a failed connect or such a timeout, no connection is tried for a
 * second (DB_RETRY_MS): every call fails at once with sqlstate "08000", so
 * a handler running several statements waits once, not once per
 * statement, and the process reconnects by itself soon after PostgreSQL
 * is back. Everything runs on libpq's asynchronous API over a nonblocking
 * connection; the process must not use db->conn for blocking calls.
 */
#ifndef CIVITAS_DB_H
#define CIVITAS_DB_H

#include <libpq-fe.h>
#include "../core/arena.h"
#include "sql.h"

struct db {
	PGconn *conn;
	const char *url;
	char sqlstate[6];	/* of the last failed statement, "" if none */
	int in_tx;
	const char *listen;	/* a channel to LISTEN on at each connect */
	unsigned long generation;	/* connections made so far */
	unsigned long notified;		/* notifications read so far, over
					 * every connection (db_notifications) */
	int timeout_ms;		/* DB_TIMEOUT_MS (default 2000): see above */
	int idle_tx_ms;		/* idle in a transaction that long: the server
				 * ends the session (default 30000; 0: never) */
	double retry_at;	/* CLOCK_MONOTONIC seconds: no connection
				 * attempt before (after a failure) */
	/* A read replica's primary (issue 13, features/replica.c): a
	 * statement that is not a plain SELECT, or that the replica refuses
	 * as a write (SQLSTATE 25006), runs there instead. NULL otherwise. */
	struct db *primary;
};

#define DB_TIMEOUT_MS_DEFAULT 2000
#define DB_RETRY_MS 1000

void db_init(struct db *db, const char *url);
void db_release(struct db *db);
/* 0 when connected and prepared, -1 when PostgreSQL is unreachable (at
 * once during the second that follows a failure). */
int db_ensure(struct db *db);
/* Run a prepared statement with its stmt_defs[s].nparams (const char *)
 * arguments (NULL = SQL NULL). NULL on any failure. db_exec() counts the
 * arguments it is given: a count that is not the declared one aborts
 * the process with a log line (a wrong call, caught by the first test
 * that runs it, rather than garbage read off the stack). */
#define db_exec(db, a, s, ...) \
	db_exec_n((db), (a), (s), DB_NARGS(__VA_ARGS__), ##__VA_ARGS__)
PGresult *db_exec_n(struct db *db, struct arena *a, enum stmt s, int nargs,
    ...);
#define DB_NARGS(...) DB_NARGS_(0, ##__VA_ARGS__, 16, 15, 14, 13, 12, 11, \
	10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define DB_NARGS_(_0, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, \
	_13, _14, _15, _16, n, ...) n
/* The same with the n parameters of an array (n checked as by
 * db_exec). */
PGresult *db_exec_array(struct db *db, struct arena *a, enum stmt s, int n,
    const char *const *params);
/* The same with an array of parameters, their lengths and formats (1 =
 * binary, e.g. a bytea; NULL = all text) and a binary result when
 * result_binary: for images. */
PGresult *db_execv(struct db *db, struct arena *a, enum stmt s,
    const char *const *params, const int *lengths, const int *formats,
    int result_binary);
/* Notifications received on db->listen since the last call (never
 * blocks); -1 when not connected (notifications may have been lost). A
 * reconnect bumps db->generation: what was missed in between is unknown.
 * Each one read also counts in db->notified, so that several caches can
 * each tell whether anything was notified since they filled. */
int db_notifications(struct db *db);
/* Wait at most timeout_ms for a notification on db->listen; those already
 * received count at once. The number received (> 0), 0 when none came in
 * time, -1 when not connected (or the connection was lost while waiting).
 * What it returns, db_notifications() does not count again. */
int db_wait_notification(struct db *db, int timeout_ms);
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
/* Did the last failure come from a unique constraint? */
int db_unique_violation(const struct db *db);

/* Accessors that never return NULL: "" for SQL NULL or out of range. */
const char *db_str(const PGresult *res, int row, int col);
long db_long(const PGresult *res, int row, int col);
int db_bool(const PGresult *res, int row, int col);

#endif
