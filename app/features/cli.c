/*
 * cli: `civitas-fcgi admin EMAIL` creates an admin, or promotes (and
 * activates, and sets the password of) an existing account. The password
 * comes from the PASSWORD environment variable, never from argv (which
 * other users can read in ps).
 *
 * `civitas-fcgi hash` prints the Argon2id hash of PASSWORD (demo data,
 * operators' scripts).
 */
#include "../core/common.h"
#include "../core/log.h"
#include "../core/valid.h"
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
