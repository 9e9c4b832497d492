/*
 * totp: the back-office's second factor (issue 13, admin accounts).
 *
 * Every R_ADMIN route needs a session that passed it: the dispatcher
 * sends an admin whose session has not (ROLE_ADMIN_PENDING) to
 * /admin/2fa?next=PATH, and admin powers elsewhere wait for it too
 * (core/req.h). The pages here are R_ADMIN | R_SECOND_FACTOR: a logged-in
 * admin, before the second factor.
 *
 * - Enrolment: `civitas-fcgi admin EMAIL` makes a single-use link valid
 *   24 hours (cli.c, totp_enrol_link) with a fresh secret sealed in its
 *   row. Its page, for that admin only, shows the secret as a QR code of
 *   the otpauth:// URI (drawn by infra/qr.c) and in base32; a code from
 *   it confirms: the secret becomes the admin's, ten recovery codes are
 *   made and shown once, the session passes the second factor and the
 *   admin's other sessions end.
 * - Verification: a TOTP code (RFC 6238: HMAC-SHA1, 6 digits, 30 s, the
 *   step before and after accepted), each step accepted once by a
 *   compare-and-set in PostgreSQL; or a recovery code, used once by a
 *   single DELETE ... RETURNING.
 * - Attempts: TOTP_MAX_FAILURES wrong codes per account within
 *   TOTP_WINDOW_SECONDS (Redis "tfa:<uid>", as login counts), then 429
 *   until the window ends; enrolment codes count too.
 * - Audit: enrolment, a recovery code used, the lock.
 *
 * Secrets at rest: crypto.h's secret_seal, purpose "totp", owner the
 * admin's id. No secret, token or code is ever logged.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../core/totp.h"
#include "../infra/qr.h"
#include "admin.h"
#include "features.h"

#include <time.h>

#define TOTP_MAX_FAILURES 5
#define TOTP_WINDOW_SECONDS (15 * 60)
#define RECOVERY_CODES 10
#define RECOVERY_CHARS 10	/* base32: 50 bits each */
#define RECOVERY_BYTES 7	/* drawn for them (56 bits) */
#define SEAL_PURPOSE "totp"
#define BOX_BYTES (SEAL_OVERHEAD + TOTP_SECRET_BYTES)
#define BOX_HEX (2 * BOX_BYTES)

#define TITLE_VERIFY "Vérification en deux étapes"
#define TITLE_ENROL "Activer la vérification en deux étapes"
#define WRONG_CODE "Ce code n'est pas valide. Saisissez le code à 6 " \
	"chiffres affiché maintenant par votre application, ou un code de " \
	"secours."

static const struct form_field verify_fields[] = {
	{ "code", F_REQUIRED, .max = 32, .msg = {
	    [VALID_MISSING] = "Veuillez saisir un code." } },
	{ "next", 0, .max = 2048 },
	{ NULL }
};

static const struct form_field enrol_fields[] = {
	{ "code", F_REQUIRED, .max = 32, .msg = {
	    [VALID_MISSING] = "Veuillez saisir le code affiché par "
	    "l'application." } },
	{ NULL }
};

/* Only a plain path of our own survives as the destination. */
static const char *
safe_next(const char *next)
{
	return next && valid_local_path(next) == VALID_OK ? next : "/admin";
}

/* ---- sealed secrets ------------------------------------------------ */

/* A fresh secret, sealed for uid, as hex (BOX_HEX + NUL). */
static void
secret_new_sealed(const unsigned char key[32], const char *uid,
    char hex[BOX_HEX + 1])
{
	unsigned char secret[TOTP_SECRET_BYTES], box[BOX_BYTES];

	randombytes_buf(secret, sizeof(secret));
	secret_seal(key, SEAL_PURPOSE, uid, secret, sizeof(secret), box);
	sodium_memzero(secret, sizeof(secret));
	sodium_bin2hex(hex, BOX_HEX + 1, box, sizeof(box));
}

/* The secret of a sealed box (hex) of uid: 0, or -1 (corrupt, another
 * APP_SECRET). */
static int
secret_unseal(const unsigned char key[32], const char *uid, const char *hex,
    unsigned char secret[TOTP_SECRET_BYTES])
{
	unsigned char box[BOX_BYTES];
	size_t n = 0;

	if (strlen(hex) != BOX_HEX || sodium_hex2bin(box, sizeof(box), hex,
	    BOX_HEX, NULL, &n, NULL) != 0 || n != sizeof(box))
		return -1;
	return secret_open(key, SEAL_PURPOSE, uid, box, sizeof(box), secret);
}

/* ---- enrolment links (the command line) ---------------------------- */

int
totp_enrol_link(struct app *app, struct arena *a, const char *uid,
    const char **link)
{
	char token[TOKEN_LEN + 1], digest[HASH_HEX_LEN + 1], box[BOX_HEX + 1];

	token_new(token);
	token_digest(app->cfg.secret, token, digest);
	secret_new_sealed(app->cfg.secret, uid, box);
	if (db_begin(&app->db) < 0 ||
	    !db_exec(&app->db, a, STMT_TOTP_ENROL_REVOKE, uid) ||
	    !db_exec(&app->db, a, STMT_TOTP_ENROL_INSERT, uid, digest, box) ||
	    db_commit(&app->db) < 0) {
		db_rollback(&app->db);
		return -1;
	}
	*link = arena_printf(a, "%s/admin/2fa/enrol/%s", app->cfg.base_url,
	    token);
	return 0;
}

/* ---- attempts ------------------------------------------------------ */

/* The count of wrong codes' key: "tfa:<user id>". */
static const char *
failures_key(struct req *r)
{
	return arena_printf(&r->arena, "tfa:%s", r->user->id_str);
}

/* Is the account locked after too many wrong codes? 1 with the French
 * message in *msg, 0, or -1 (Redis). */
static int
attempts_locked(struct req *r, const char **msg)
{
	long minutes, n = kv_counter(&r->app->kv, &r->arena, failures_key(r),
	    TOTP_WINDOW_SECONDS, &minutes);

	if (n < TOTP_MAX_FAILURES)
		return n < 0 ? -1 : 0;
	*msg = arena_printf(&r->arena, "Vous avez saisi %d codes erronés. Par "
	    "sécurité, la vérification est bloquée : veuillez attendre %ld "
	    "minute%s avant de réessayer.", TOTP_MAX_FAILURES, minutes,
	    minutes > 1 ? "s" : "");
	return 1;
}

/* Count a wrong code; the one that locks the account is audited. 0, or
 * -1 (Redis, PostgreSQL). */
static int
attempts_fail(struct req *r)
{
	long n = kv_count(&r->app->kv, &r->arena, failures_key(r),
	    TOTP_WINDOW_SECONDS);

	if (n < 0)
		return -1;
	if (n == TOTP_MAX_FAILURES && audit(r, "admin.2fa.locked", "user",
	    r->user->id, r->user->email) < 0)
		return -1;
	return 0;
}

/* ---- recovery codes ------------------------------------------------ */

/* The keyed hash of a recovery code (canonical form) of uid. */
static void
recovery_hash(struct req *r, const char *code, char out[HASH_HEX_LEN + 1])
{
	unsigned char mac[32];

	hmac_raw(r->cfg->secret, "totp-recovery", arena_printf(&r->arena,
	    "%s:%s", r->user->id_str, code), mac);
	sodium_bin2hex(out, HASH_HEX_LEN + 1, mac, sizeof(mac));
}

/* What a person typed, made canonical (upper case, without spaces and
 * dashes) into out: 0, or -1 when it cannot be a recovery code. */
static int
recovery_parse(const char *in, char out[RECOVERY_CHARS + 1])
{
	int n = 0;

	for (; *in; in++) {
		char c = *in;

		if (c == ' ' || c == '-')
			continue;
		if (base32_value(c) < 0 || n == RECOVERY_CHARS)
			return -1;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		out[n++] = c;
	}
	out[n] = '\0';
	return n == RECOVERY_CHARS ? 0 : -1;
}

/* Ten new codes for the admin of r, stored hashed (in the caller's
 * transaction, the old ones dropped) and shown as "ABCDE-FGHIJ" in rows.
 * 0, or -1 (PostgreSQL). */
static int
recovery_make(struct req *r, struct view_rows *rows)
{
	if (!q(r, STMT_RECOVERY_CLEAR, r->user->id_str))
		return -1;
	for (int i = 0; i < RECOVERY_CODES; i++) {
		unsigned char raw[RECOVERY_BYTES];
		char code[BASE32_LEN(RECOVERY_BYTES) + 1];
		char hash[HASH_HEX_LEN + 1];

		/* the first RECOVERY_CHARS characters: 5 random bits each */
		randombytes_buf(raw, sizeof(raw));
		base32_encode(raw, sizeof(raw), code, sizeof(code));
		code[RECOVERY_CHARS] = '\0';
		recovery_hash(r, code, hash);
		if (!q(r, STMT_RECOVERY_INSERT, r->user->id_str, hash))
			return -1;
		view_rows_add(rows, 1, arena_printf(&r->arena, "%.5s-%s", code,
		    code + 5));
	}
	return 0;
}

/* ---- verification -------------------------------------------------- */

enum check { CHECK_OK, CHECK_WRONG, CHECK_FAILED };

/* A TOTP code against the admin's secret (row: its STMT_TOTP_GET):
 * accepted once per step. */
static enum check
check_totp(struct req *r, PGresult *row, const char *code)
{
	unsigned char secret[TOTP_SECRET_BYTES];
	PGresult *res;
	int64_t step;

	if (secret_unseal(r->cfg->secret, r->user->id_str, db_str(row, 0,
	    TOTP_BOX), secret) < 0)
		return CHECK_WRONG;
	step = totp_match(secret, sizeof(secret), code, totp_step(time(NULL)));
	sodium_memzero(secret, sizeof(secret));
	if (step < 0)
		return CHECK_WRONG;
	/* the compare-and-set: no row when this step (or a later one) was
	 * accepted already, whoever asked first */
	res = q(r, STMT_TOTP_ACCEPT, r->user->id_str,
	    arena_printf(&r->arena, "%lld", (long long)step));
	if (!res)
		return CHECK_FAILED;
	return PQntuples(res) == 1 ? CHECK_OK : CHECK_WRONG;
}

/* A recovery code: spent by the one DELETE that finds it; audited. */
static enum check
check_recovery(struct req *r, const char *code, long *left)
{
	char hash[HASH_HEX_LEN + 1];
	PGresult *res;

	recovery_hash(r, code, hash);
	if (db_begin(&r->app->db) < 0 ||
	    !(res = q(r, STMT_RECOVERY_USE, r->user->id_str, hash)))
		return CHECK_FAILED;
	if (PQntuples(res) != 1) {
		db_rollback(&r->app->db);
		return CHECK_WRONG;
	}
	if (!(res = q(r, STMT_RECOVERY_LEFT, r->user->id_str)))
		return CHECK_FAILED;
	*left = db_long(res, 0, VALUE);
	if (audit(r, "admin.2fa.recovery", "user", r->user->id,
	    arena_printf(&r->arena, "%s (%ld restant%s)", r->user->email,
	    *left, *left > 1 ? "s" : "")) < 0 || db_commit(&r->app->db) < 0)
		return CHECK_FAILED;
	return CHECK_OK;
}

static int
not_enrolled(struct req *r)
{
	return message_page(r, 403, TITLE_VERIFY, "L'administration demande "
	    "une vérification en deux étapes, et votre compte n'en a pas "
	    "encore. Demandez à un autre administrateur (ou à la personne "
	    "qui gère le serveur) un lien d'inscription : la commande « make "
	    "admin EMAIL=… PASSWORD=… » (ou « civitas-fcgi admin EMAIL ») "
	    "l'affiche. Il est valable 24 heures.", "/account", "Mon compte");
}

/* The session passed already: where the admin stands. */
static int
verified_page(struct req *r, const char *next)
{
	PGresult *res = q(r, STMT_RECOVERY_LEFT, r->user->id_str);

	if (!res)
		return unavailable(r);
	return message_page(r, 200, TITLE_VERIFY, arena_printf(&r->arena,
	    "Votre session a passé la vérification en deux étapes. Codes de "
	    "secours restants : %s. Pour enregistrer un autre téléphone (ou "
	    "de nouveaux codes), demandez un nouveau lien d'inscription "
	    "(make admin).", db_str(res, 0, VALUE)), next, "Continuer");
}

/*
 * GET /admin/2fa?next=PATH: the form (a code or a recovery code).
 * 200 the form, or (the session passed already) where the admin stands;
 * 403 not enrolled (a page that says how to get a link); 503.
 */
int
totp_verify_get(struct req *r)
{
	const char *next = safe_next(req_query(r, "next"));
	struct form f;
	PGresult *row;

	if (r->roles & ROLE_ADMIN)
		return verified_page(r, next);
	/* the admin's secret: none, not enrolled */
	if (!(row = q(r, STMT_TOTP_GET, r->user->id_str)))
		return unavailable(r);
	if (PQntuples(row) != 1)
		return not_enrolled(r);
	form_init(&f, r, verify_fields);
	form_set(&f, "next", next);
	return form_render(&f, 200, "admin_2fa", TITLE_VERIFY);
}

/*
 * POST /admin/2fa: code (6 digits, or a recovery code), next.
 * 303 to next (a new session id, marked); 422 a wrong or used code; 429
 * too many wrong codes; 403 not enrolled; 503.
 */
int
totp_verify_post(struct req *r)
{
	char totp[TOTP_DIGITS + 1], rec[RECOVERY_CHARS + 1];
	enum check c = CHECK_WRONG;
	const char *msg;
	long left = -1;
	struct form f;
	PGresult *row;
	int st;

	form_init(&f, r, verify_fields);
	form_read(&f);
	form_set(&f, "next", safe_next(form_get(&f, "next")));
	if (r->roles & ROLE_ADMIN)
		return resp_redirect(r, form_get(&f, "next"));
	if (!(row = q(r, STMT_TOTP_GET, r->user->id_str)))
		return unavailable(r);
	if (PQntuples(row) != 1)
		return not_enrolled(r);
	if (f.errors)
		return form_render(&f, 422, "admin_2fa", TITLE_VERIFY);
	if ((st = attempts_locked(r, &msg)) < 0)
		return unavailable(r);
	if (st) {
		view_str(&f.v, "banner", msg);
		form_set(&f, "code", "");
		return render(r, 429, "admin_2fa", &f.v, TITLE_VERIFY);
	}
	if (totp_code_parse(form_get(&f, "code"), totp) == 0)
		c = check_totp(r, row, totp);
	else if (recovery_parse(form_get(&f, "code"), rec) == 0)
		c = check_recovery(r, rec, &left);
	if (c == CHECK_FAILED)
		return unavailable(r);
	if (c == CHECK_WRONG) {
		if (attempts_fail(r) < 0)
			return unavailable(r);
		form_error(&f, "code", WRONG_CODE);
		form_set(&f, "code", "");
		return form_render(&f, 422, "admin_2fa", TITLE_VERIFY);
	}
	kv(r, "DEL %s", failures_key(r));
	if (session_second_factor(r) < 0)
		return unavailable(r);
	if (left >= 0)
		flash_set(r, left ? arena_printf(&r->arena, "Code de secours "
		    "utilisé : il vous en reste %ld. Pensez à demander un "
		    "nouveau lien d'inscription avant d'en manquer.", left) :
		    "Vous avez utilisé votre dernier code de secours : "
		    "demandez dès maintenant un nouveau lien d'inscription.");
	return resp_redirect(r, form_get(&f, "next"));
}

/* ---- the enrolment page -------------------------------------------- */

/* The enrolment row of the route's token, for the admin of r, in the
 * open transaction, locked (the POST's). NULL with the status answered: 404 unknown,
 * 410 used or expired, 403 another admin's, 503. */
static PGresult *
enrolment_find(struct req *r, int *status)
{
	const char *token = r->params[0];
	char digest[HASH_HEX_LEN + 1];
	PGresult *res;

	*status = 0;
	if (token_wellformed(token, strlen(token))) {
		token_digest(r->cfg->secret, token, digest);
		if (!(res = q(r, STMT_TOTP_ENROL_FIND, digest))) {
			*status = unavailable(r);
			return NULL;
		}
		if (PQntuples(res) == 1 &&
		    strcmp(db_str(res, 0, ENROL_USER_ID), r->user->id_str))
			*status = message_page(r, 403, TITLE_ENROL, "Ce lien "
			    "d'inscription a été créé pour un autre compte "
			    "administrateur. Connectez-vous avec ce compte, ou "
			    "demandez un lien pour le vôtre.", NULL, NULL);
		else if (PQntuples(res) == 1 && db_bool(res, 0, ENROL_USED))
			*status = message_page(r, 410, TITLE_ENROL, "Ce lien "
			    "d'inscription a déjà servi : il ne fonctionne "
			    "qu'une fois. Si vous devez enregistrer un nouveau "
			    "téléphone, demandez un nouveau lien (make admin).",
			    NULL, NULL);
		else if (PQntuples(res) == 1 && db_bool(res, 0, ENROL_EXPIRED))
			*status = message_page(r, 410, TITLE_ENROL, "Ce lien "
			    "d'inscription a expiré (il était valable 24 "
			    "heures). Demandez-en un nouveau (make admin).",
			    NULL, NULL);
		else if (PQntuples(res) == 1)
			return res;
	}
	if (!*status)
		*status = message_page(r, 404, TITLE_ENROL, "Ce lien "
		    "d'inscription n'est pas valable : vérifiez qu'il a été "
		    "copié en entier. Un lien plus récent remplace les "
		    "précédents.", NULL, NULL);
	db_rollback(&r->app->db);
	return NULL;
}

/* The enrolment page of a secret: QR code, base32, the code's form. */
static int
enrol_render(struct form *f, int status, const unsigned char *secret)
{
	struct req *r = f->r;
	char b32[BASE32_LEN(TOTP_SECRET_BYTES) + 1];
	const char *uri, *svg;
	struct buf label, grouped;

	base32_encode(secret, TOTP_SECRET_BYTES, b32, sizeof(b32));
	buf_init(&label, 1024);
	url_encode(&label, r->user->email);
	uri = arena_printf(&r->arena, "otpauth://totp/civitas:%s?secret=%s"
	    "&issuer=civitas&algorithm=SHA1&digits=%d&period=%d", label.data,
	    b32, TOTP_DIGITS, TOTP_PERIOD);
	buf_release(&label);
	svg = qr_svg(&r->arena, uri, "Code QR à scanner avec l'application "
	    "d'authentification");
	if (!svg)
		return 500;
	buf_init(&grouped, 256);
	for (size_t i = 0; b32[i]; i++) {
		if (i && i % 4 == 0)
			buf_putc(&grouped, ' ');
		buf_putc(&grouped, b32[i]);
	}
	view_raw_html_already_safe(&f->v, "qr", svg);
	view_str(&f->v, "secret_grouped", grouped.data);
	view_str(&f->v, "uri", uri);
	view_str(&f->v, "account", arena_printf(&r->arena, "civitas:%s",
	    r->user->email));
	buf_release(&grouped);
	sodium_memzero(b32, sizeof(b32));
	return form_render(f, status, "admin_2fa_enrol", TITLE_ENROL);
}

/*
 * GET /admin/2fa/enrol/{id}: the admin of the link, logged in (else
 * the dispatcher sent them to /login?next=...).
 * 200 the QR code, the secret and the form; 403 another admin's link;
 * 404 unknown; 410 used or expired; 503.
 */
int
totp_enrol_get(struct req *r)
{
	unsigned char secret[TOTP_SECRET_BYTES];
	struct form f;
	PGresult *res;
	int st;

	/* (only read: no transaction, the POST locks the row) */
	if (!(res = enrolment_find(r, &st)))
		return st;
	if (secret_unseal(r->cfg->secret, r->user->id_str,
	    db_str(res, 0, ENROL_BOX), secret) < 0)
		return 500;
	form_init(&f, r, enrol_fields);
	st = enrol_render(&f, 200, secret);
	sodium_memzero(secret, sizeof(secret));
	return st;
}

/* Spend the link, make the secret the admin's (its step counts as used)
 * with new recovery codes into rows, audit, commit. 0, or -1. */
static int
enrol_commit(struct req *r, PGresult *link, int64_t step,
    struct view_rows *rows)
{
	PGresult *res = q(r, STMT_TOTP_ENROL_USE, db_str(link, 0, ENROL_ID));

	if (!res || PQntuples(res) != 1 ||
	    !q(r, STMT_TOTP_SET, r->user->id_str, db_str(link, 0, ENROL_BOX),
	    arena_printf(&r->arena, "%lld", (long long)step)) ||
	    recovery_make(r, rows) < 0 ||
	    audit(r, "admin.2fa.enrol", "user", r->user->id,
	    r->user->email) < 0)
		return -1;
	return db_commit(&r->app->db);
}

/*
 * POST /admin/2fa/enrol/{id}: code (from the new secret).
 * 200 the ten recovery codes, shown once (the session passed the second
 * factor: a new id; the admin's other sessions end); 422 a wrong code
 * (the page again); 429 too many wrong codes; 403; 404; 410; 503.
 */
int
totp_enrol_post(struct req *r)
{
	unsigned char secret[TOTP_SECRET_BYTES];
	char code[TOTP_DIGITS + 1];
	struct view_rows rows;
	int64_t step = -1;
	const char *msg;
	struct view v;
	struct form f;
	PGresult *link;
	int st;

	form_init(&f, r, enrol_fields);
	form_read(&f);
	if ((st = attempts_locked(r, &msg)) < 0)
		return unavailable(r);
	if (st)
		return message_page(r, 429, TITLE_ENROL, msg, NULL, NULL);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(link = enrolment_find(r, &st)))
		return st;
	if (secret_unseal(r->cfg->secret, r->user->id_str,
	    db_str(link, 0, ENROL_BOX), secret) < 0)
		return 500;
	if (!f.errors && totp_code_parse(form_get(&f, "code"), code) == 0)
		step = totp_match(secret, sizeof(secret), code,
		    totp_step(time(NULL)));
	if (step < 0) {
		db_rollback(&r->app->db);
		if (!f.errors && attempts_fail(r) < 0)
			st = unavailable(r);
		else {
			if (!f.errors)
				form_error(&f, "code", "Ce code ne correspond "
				    "pas. Vérifiez que l'heure du téléphone est "
				    "juste et saisissez le code affiché "
				    "maintenant.");
			form_set(&f, "code", "");
			st = enrol_render(&f, 422, secret);
		}
		sodium_memzero(secret, sizeof(secret));
		return st;
	}
	sodium_memzero(secret, sizeof(secret));
	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	if (enrol_commit(r, link, step, &rows) < 0)
		return unavailable(r);
	view_rows_set(&v, "codes", &rows);
	kv(r, "DEL %s", failures_key(r));
	sessions_revoke(r, r->user->id, 1);
	if (session_second_factor(r) < 0)
		return unavailable(r);
	view_str(&v, "next", "/admin");
	view_str(&v, "others", "Par sécurité, vos autres sessions ont été "
	    "fermées.");
	return render(r, 200, "admin_2fa_codes", &v, "Vérification en deux "
	    "étapes activée");
}
