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
 *
 * `civitas-fcgi inbound ADDRESS < message` takes a message addressed to
 * one of our own mail addresses, as Postfix's pipe(8) transport hands it
 * over (ADDRESS: the envelope recipient, ${recipient}):
 *   bounces+TOKEN@...      a bounce report (app/core/dsn.h) for the
 *                          campaign recipient of TOKEN (purpose
 *                          "bounce"): record_bounce(..., 'dsn', status);
 *   unsubscribe+TOKEN@...  the mailto of List-Unsubscribe: the same as
 *                          the link (purpose "unsubscribe").
 * Exit status (sysexits, as pipe(8) reads it): 0 handled, or dropped (a
 * bad token, an unknown recipient, a message that is no bounce report,
 * another address: logged, like a silent discard); 75 (EX_TEMPFAIL)
 * PostgreSQL unreachable or failing: the MTA keeps the message and tries
 * again; 64 (EX_USAGE) no address. The local part is case-sensitive (the
 * token is base64url): do not fold it (no pipe flag "u").
 *
 * `civitas-fcgi mail-token PURPOSE CID RID` prints the signed token of a
 * campaign recipient (PURPOSE "unsubscribe" or "bounce"), or of a tax
 * receipt (PURPOSE "receipt", CID the receipt's id, RID its year: the
 * token of /receipts/{token}): for operators and tests.
 */
#include "../core/common.h"
#include "../core/log.h"
#include "../core/dsn.h"
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

/* Print the admin's new enrolment link (issue 13). 0, or 1. */
static int
print_enrol_link(struct app *app, struct arena *a, const char *email,
    const char *uid)
{
	const char *link = NULL;

	if (totp_enrol_link(app, a, uid, &link) < 0) {
		fprintf(stderr, "admin: could not write to PostgreSQL\n");
		return 1;
	}
	printf("admin %s ready (id %s)\n", email, uid);
	printf("second factor: the admin, logged in, opens this enrolment "
	    "link (single use, 24 hours):\n%s\n", link);
	return 0;
}

/* Without PASSWORD (issue 13): an existing admin's new enrolment link,
 * the password untouched (a lost phone). */
static int
admin_link_only(struct app *app, const char *email)
{
	struct arena a;
	PGresult *res;
	int rc = 1;

	arena_init(&a, 4096);
	if (!(res = db_exec(&app->db, &a, STMT_TOTP_ADMIN_BY_EMAIL, email)))
		fprintf(stderr, "admin: could not read PostgreSQL\n");
	else if (PQntuples(res) != 1) {
		fprintf(stderr, "admin: %s is not an admin yet: set PASSWORD "
		    "(8 characters or more) to create or promote it\n", email);
		rc = 2;
	} else
		rc = print_enrol_link(app, &a, email, db_str(res, 0, VALUE));
	arena_release(&a);
	return rc;
}

int
cli_admin(struct app *app, const char *email)
{
	const char *pw = password_from_env(), *given = getenv("PASSWORD");
	char hash[crypto_pwhash_STRBYTES], norm[256];
	struct arena a;
	PGresult *res;
	int rc = 1;

	if (valid_email(email, norm, sizeof(norm)) != VALID_OK) {
		fprintf(stderr, "admin: not an e-mail address: %s\n", email);
		return 2;
	}
	if (!given || !*given)
		return admin_link_only(app, norm);
	if (!pw) {
		fprintf(stderr, "admin: set PASSWORD (8 characters or more)\n");
		return 2;
	}
	if (password_hash(pw, hash) != 0)
		return 1;
	arena_init(&a, 4096);
	res = db_exec(&app->db, &a, STMT_USER_UPSERT_ADMIN, norm, hash);
	/* issue 13: the back-office's second factor, enrolled by the link */
	if (res)
		rc = print_enrol_link(app, &a, norm, db_str(res, 0,
		    RETURNING_ID));
	else
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

#define EX_USAGE 64
#define EX_TEMPFAIL 75
#define INBOUND_MAX (10 * 1024 * 1024)	/* the SMTP sink's SIZE */

/* All of stdin, the first INBOUND_MAX bytes kept (the rest is read and
 * dropped, so the writer never sees a broken pipe). */
static char *
read_stdin(size_t *len)
{
	char *buf = xmalloc(INBOUND_MAX + 1), skip[65536];
	size_t n = 0, got;

	while (n < INBOUND_MAX && (got = fread(buf + n, 1, INBOUND_MAX - n,
	    stdin)) > 0)
		n += got;
	while (fread(skip, 1, sizeof(skip), stdin) > 0)
		;
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* "PREFIX+TOKEN@domain" (angle brackets allowed): TOKEN into token, or
 * -1 when address does not have that shape. */
static int
address_token(const char *address, const char *prefix, char *token,
    size_t size)
{
	size_t pn = strlen(prefix), n;
	const char *at;

	if (*address == '<')
		address++;
	if (strncmp(address, prefix, pn) || !(at = strrchr(address, '@')))
		return -1;
	n = (size_t)(at - address);
	if (n <= pn || n - pn >= size)
		return -1;
	memcpy(token, address + pn, n - pn);
	token[n - pn] = '\0';
	return 0;
}

/* A bounce report for recipient rid of campaign cid. */
static int
inbound_bounce(struct app *app, struct arena *a, long cid, long rid)
{
	char c[24], id[24], detail[600];
	size_t len;
	char *msg = read_stdin(&len);
	PGresult *res;
	struct dsn d;
	int rc = EX_TEMPFAIL;

	if (dsn_parse(msg, len, &d) == DSN_NONE) {
		log_info("inbound: campaign %ld recipient %ld: not a bounce "
		    "report, dropped", cid, rid);
		rc = 0;
		goto out;
	}
	snprintf(c, sizeof(c), "%ld", cid);
	snprintf(id, sizeof(id), "%ld", rid);
	if (!(res = db_exec(&app->db, a, STMT_BOUNCE_RECIPIENT, c, id)))
		goto out;
	if (PQntuples(res) == 0) {
		log_info("inbound: campaign %ld recipient %ld unknown, dropped",
		    cid, rid);
		rc = 0;
		goto out;
	}
	snprintf(detail, sizeof(detail), "%s%s%s%s%s", d.status,
	    d.status[0] ? " " : "", d.action, d.diagnostic[0] ? ": " : "",
	    d.diagnostic);
	if (!(res = db_exec(&app->db, a, STMT_BOUNCE_RECORD,
	    db_str(res, 0, BR_EMAIL), dsn_kind_name(d.kind), c, id, "dsn",
	    detail)))
		goto out;
	log_info("inbound: campaign %ld recipient %ld: %s bounce (%s)%s", cid,
	    rid, dsn_kind_name(d.kind), detail, db_bool(res, 0, VALUE) ?
	    ", suppressed" : "");
	rc = 0;
out:
	free(msg);
	return rc;
}

static int
inbound_unsubscribe(struct app *app, struct arena *a, long cid, long rid)
{
	size_t len;

	free(read_stdin(&len));
	switch (unsubscribe_recipient(&app->db, a, cid, rid)) {
	case -1:
		return EX_TEMPFAIL;
	case 0:
		log_info("inbound: campaign %ld recipient %ld unknown, dropped",
		    cid, rid);
		return 0;
	default:
		return 0;
	}
}

int
cli_inbound(struct app *app, const char *address)
{
	char token[MAIL_TOKEN_MAX];
	struct arena a;
	long cid, rid;
	int rc;
	size_t len;

	if (!*address) {
		fprintf(stderr, "inbound: usage: inbound ADDRESS < message\n");
		return EX_USAGE;
	}
	arena_init(&a, 16 * 1024);
	if (address_token(address, "bounces+", token, sizeof(token)) == 0 &&
	    mail_token_parse(app->cfg.secret, "bounce", token, &cid,
	    &rid) == 0)
		rc = inbound_bounce(app, &a, cid, rid);
	else if (address_token(address, "unsubscribe+", token,
	    sizeof(token)) == 0 && mail_token_parse(app->cfg.secret,
	    "unsubscribe", token, &cid, &rid) == 0)
		rc = inbound_unsubscribe(app, &a, cid, rid);
	else {
		log_info("inbound: no valid token in the address, dropped");
		free(read_stdin(&len));
		rc = 0;
	}
	if (rc == EX_TEMPFAIL)
		log_error("inbound: PostgreSQL failed: try again later");
	arena_release(&a);
	return rc;
}

int
cli_mail_token(struct app *app, const char *purpose, const char *cid,
    const char *rid)
{
	char token[MAIL_TOKEN_MAX];
	long c, r;

	if ((strcmp(purpose, "unsubscribe") && strcmp(purpose, "bounce") &&
	    strcmp(purpose, "receipt")) ||
	    parse_long(cid, 1, LONG_MAX, &c) < 0 ||
	    parse_long(rid, 1, LONG_MAX, &r) < 0) {
		fprintf(stderr, "mail-token: usage: mail-token "
		    "unsubscribe|bounce CAMPAIGN_ID RECIPIENT_ID, or receipt "
		    "RECEIPT_ID YEAR\n");
		return EX_USAGE;
	}
	mail_token(app->cfg.secret, purpose, c, r, token);
	puts(token);
	return 0;
}
