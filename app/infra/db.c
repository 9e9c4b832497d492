#include "../core/common.h"
#include "../core/log.h"
#include "db.h"

void
db_init(struct db *db, const char *url)
{
	memset(db, 0, sizeof(*db));
	db->url = url;
}

void
db_release(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
}

static void
db_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;	/* NOTICEs are not worth a log line per request */
}

static int
db_listen(struct db *db)
{
	char *ch = PQescapeIdentifier(db->conn, db->listen, strlen(db->listen));
	char cmd[128];
	PGresult *res;
	int ok;

	if (!ch)
		return -1;
	snprintf(cmd, sizeof(cmd), "LISTEN %s", ch);
	PQfreemem(ch);
	res = PQexec(db->conn, cmd);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		log_error("postgresql: %s", PQerrorMessage(db->conn));
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
		db_release(db);
		return -1;
	}
	while ((n = PQnotifies(db->conn))) {
		PQfreemem(n);
		count++;
	}
	return count;
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
		res = PQdescribePrepared(db->conn, name);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			PQclear(res);
			return 0;	/* lost: the next connect checks */
		}
		if (PQnparams(res) != stmt_defs[i].nparams ||
		    PQnfields(res) != stmt_defs[i].ncols) {
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
	const char *keys[] = { "dbname", "connect_timeout",
	    "application_name", NULL };
	const char *vals[] = { db->url, "3", "civitas", NULL };

	db_release(db);
	db->in_tx = 0;
	/* expand_dbname: the URL supplies everything it names. */
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		log_error("postgresql: %s", PQerrorMessage(db->conn));
		db_release(db);
		return -1;
	}
	PQsetNoticeProcessor(db->conn, db_notice, NULL);
	for (int i = STMT_NONE + 1; i < STMT__MAX; i++) {
		char name[16];
		PGresult *res;

		snprintf(name, sizeof(name), "s%d", i);
		res = PQprepare(db->conn, name, stmt_defs[i].sql,
		    stmt_defs[i].nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_error("postgresql: prepare %s: %s", stmt_defs[i].name,
			    PQerrorMessage(db->conn));
			PQclear(res);
			db_release(db);
			return -1;
		}
		PQclear(res);
	}
#ifdef CIVITAS_CHECKS
	if (db_check_declarations(db) < 0)
		abort();
#endif
	if (db->listen && db_listen(db) < 0) {
		db_release(db);
		return -1;
	}
	db->generation++;
	return 0;
}

int
db_ensure(struct db *db)
{
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	return db_connect(db);
}

static void
db_clear(void *p)
{
	PQclear(p);
}

static void
db_failed(struct db *db, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
	if (db->conn && PQstatus(db->conn) != CONNECTION_OK) {
		log_error("postgresql: connection lost during %s", what);
		db_release(db);
		return;
	}
	if (!db_unique_violation(db))
		log_error("postgresql: %s: %s", what,
		    db->conn ? PQerrorMessage(db->conn) : "not connected");
}

PGresult *
db_execv(struct db *db, struct arena *a, enum stmt s,
    const char *const *params, const int *lengths, const int *formats,
    int result_binary)
{
	char name[16];
	PGresult *res;
	ExecStatusType st;

	db->sqlstate[0] = '\0';
	if (!db->in_tx && db_ensure(db) < 0) {
		snprintf(db->sqlstate, sizeof(db->sqlstate), "08000");
		return NULL;
	}
	if (!db->conn) {
		snprintf(db->sqlstate, sizeof(db->sqlstate), "08000");
		return NULL;
	}
	snprintf(name, sizeof(name), "s%d", (int)s);
	res = PQexecPrepared(db->conn, name, stmt_defs[s].nparams, params,
	    lengths, formats, result_binary);
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		db_failed(db, res, stmt_defs[s].name);
		PQclear(res);
		return NULL;
	}
	arena_defer(a, db_clear, res);
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

static int
db_simple(struct db *db, const char *cmd)
{
	PGresult *res;
	int ok;

	if (!db->conn)
		return -1;
	res = PQexec(db->conn, cmd);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		db_failed(db, res, cmd);
	PQclear(res);
	return ok ? 0 : -1;
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
