/*
 * cli: `civitas-fcgi admin EMAIL` creates an admin, or promotes (and
 * activates, and sets the password of) an existing account. The password
 * comes from the PASSWORD environment variable, never from argv (which
 * other users can read in ps).
 *
 * `civitas-fcgi hash` prints the Argon2id hash of PASSWORD (demo data,
 * operators' scripts).
 *
 * `civitas-fcgi rerender` renders body_html again from body_md for every
 * article and page (demo data inserted with SQL, a sanitiser change).
 */
#include "../core/common.h"
#include "../core/log.h"
#include "../core/valid.h"
#include "../infra/markdown.h"
#include "features.h"

/* PASSWORD from the environment, under the site's password rule. */
static const char *
password_from_env(void)
{
	const char *pw = getenv("PASSWORD");
	size_t n = pw ? VALID_OUT_SIZE(strlen(pw)) : 0;
	char *copy = pw ? xmalloc(n) : NULL;
	int ok = pw && valid_password(pw, copy, n) == VALID_OK;

	free(copy);
	return ok ? pw : NULL;
}

int
cli_admin(struct app *app, const char *email)
{
	const char *pw = password_from_env();
	char hash[crypto_pwhash_STRBYTES], norm[256];
	struct arena a;
	PGresult *res;
	int rc = 1;

	if (valid_email(email, norm, sizeof(norm)) != VALID_OK) {
		fprintf(stderr, "admin: not an e-mail address: %s\n", email);
		return 2;
	}
	if (!pw) {
		fprintf(stderr, "admin: set PASSWORD (8 characters or more)\n");
		return 2;
	}
	if (password_hash(pw, hash) != 0)
		return 1;
	arena_init(&a, 4096);
	res = db_exec(&app->db, &a, STMT_USER_UPSERT_ADMIN, norm, hash);
	if (res) {
		printf("admin %s ready (id %s)\n", norm,
		    db_str(res, 0, RETURNING_ID));
		rc = 0;
	} else
		fprintf(stderr, "admin: could not write to PostgreSQL\n");
	arena_release(&a);
	return rc;
}

int
cli_hash(void)
{
	const char *pw = password_from_env();
	char hash[crypto_pwhash_STRBYTES];

	if (!pw || password_hash(pw, hash) != 0) {
		fprintf(stderr, "hash: set PASSWORD (8 characters or more)\n");
		return 2;
	}
	puts(hash);
	return 0;
}

static long
rerender_table(struct app *app, struct arena *a, enum stmt select,
    enum stmt update)
{
	PGresult *res = db_exec(&app->db, a, select);
	long n = 0;

	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *md = db_str(res, i, BODY_MD);
		char *html = markdown_to_html(md, strlen(md));
		PGresult *up;

		if (!html)
			return -1;
		up = db_exec(&app->db, a, update, db_str(res, i, BODY_ID), html);
		free(html);
		if (!up)
			return -1;
		n++;
	}
	return n;
}

/* What `rerender` renders again: Markdown source, then HTML. */
static const struct {
	const char *name;
	enum stmt select, update;
} rendered[] = {
	{ "articles", STMT_ADMIN_ARTICLE_BODIES, STMT_ADMIN_ARTICLE_SET_HTML },
	{ "pages", STMT_ADMIN_PAGE_BODIES, STMT_ADMIN_PAGE_SET_HTML },
	{ "committees", STMT_ADMIN_COMMITTEE_BODIES,
	    STMT_ADMIN_COMMITTEE_SET_HTML },
	{ "events", STMT_ADMIN_EVENT_BODIES, STMT_ADMIN_EVENT_SET_HTML },
	{ "committee messages", STMT_ADMIN_MESSAGE_BODIES,
	    STMT_ADMIN_MESSAGE_SET_HTML },
};

int
cli_rerender(struct app *app)
{
	struct arena a;
	long n[ARRAY_SIZE(rendered)];
	size_t i = 0;

	arena_init(&a, 64 * 1024);
	if (db_begin(&app->db) == 0) {
		for (i = 0; i < ARRAY_SIZE(rendered); i++)
			if ((n[i] = rerender_table(app, &a, rendered[i].select,
			    rendered[i].update)) < 0)
				break;
	}
	if (i == ARRAY_SIZE(rendered) && db_commit(&app->db) == 0) {
		for (i = 0; i < ARRAY_SIZE(rendered); i++)
			printf("%s%ld %s", i ? ", " : "rerendered ", n[i],
			    rendered[i].name);
		putchar('\n');
		arena_release(&a);
		return 0;
	}
	if (app->db.in_tx)
		db_rollback(&app->db);
	fprintf(stderr, "rerender: could not read or write PostgreSQL\n");
	arena_release(&a);
	return 1;
}
