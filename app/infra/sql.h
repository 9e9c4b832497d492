/*
 * sql: the fixed, numbered set of prepared statements. Every query civitas
 * runs is here; each is prepared once per connection (db_connect) and run
 * with PQexecPrepared and $n parameters. Never build SQL from strings.
 */
#ifndef CIVITAS_SQL_H
#define CIVITAS_SQL_H

/* The five columns of an image as pages show it (features/media.h,
 * media_ref_read), from media alias m; a LEFT JOIN without a match reads
 * as id 0. */
#define MEDIA_REF_COLUMNS(m) \
	"coalesce(" m ".id, 0), coalesce(" m ".width, 0), " \
	"coalesce(" m ".height, 0), coalesce(" m ".alt, ''), " \
	"coalesce(" m ".placeholder, '')"

enum stmt {
	STMT_PING,
	STMT_COUNTRIES,
	STMT_COMMUNES_BY_POSTAL,
	STMT_COMMUNE_CHECK,
	STMT_USER_EMAIL_TAKEN,
	STMT_USER_INSERT,
	STMT_USER_AUTH,
	STMT_USER_BY_ID,
	STMT_USER_UPDATE_PROFILE,
	STMT_USER_SET_PASSWORD,
	STMT_USER_LOGGED_IN,
	STMT_USER_ACTIVATE,
	STMT_USER_DELETE,
	STMT_USER_UPSERT_ADMIN,
	STMT_UNREGISTRATION_INSERT,
	STMT_TOKEN_INSERT,
	STMT_TOKEN_FIND,
	STMT_TOKEN_USE,
	STMT_TOKENS_REVOKE,
	STMT_OUTBOX_INSERT,
	STMT_OUTBOX_CLAIM,
	STMT_OUTBOX_SENT,
	STMT_OUTBOX_FAILED,
	STMT_OUTBOX_NEXT_DUE,
	STMT_ADMIN_STATS,
	/* Each feature area keeps its statements in its own sql_*.def, as
	 * STMT(NAME, nparams, "SQL") lines. */
#define STMT(name, n, text) name,
#include "sql_content.def"
#include "sql_media.def"
#include "sql_admin.def"
#include "sql_public.def"
#undef STMT
	STMT__MAX
};

struct stmt_def {
	const char *sql;
	int nparams;
};

extern const struct stmt_def stmt_defs[STMT__MAX];

#endif
