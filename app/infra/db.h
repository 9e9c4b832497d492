/*
 * db: one PostgreSQL connection per process, prepared statements only.
 *
 * The connection is (re)opened lazily by db_ensure(): a worker that starts
 * while PostgreSQL is down, or loses it mid-flight, answers 503 and simply
 * reconnects on a later request. Results are registered on the caller's
 * arena and freed with it; callers never PQclear.
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
};

void db_init(struct db *db, const char *url);
void db_release(struct db *db);
/* 0 when connected and prepared, -1 when PostgreSQL is unreachable. */
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
 * reconnect bumps db->generation: what was missed in between is unknown. */
int db_notifications(struct db *db);
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
