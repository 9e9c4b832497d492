/*
 * bounces: POST /webhooks/bounces, bounce and complaint reports from a
 * mail provider (listmonk's generic webhook, signed). The DSNs that reach
 * our own VERP addresses are read by cli.c (`inbound`).
 *
 * Request (Content-Type application/json, at most 1 MiB):
 *   X-Civitas-Timestamp: <unix seconds>
 *   X-Civitas-Signature: sha256=<hex HMAC-SHA256(BOUNCE_WEBHOOK_SECRET,
 *                               timestamp "." raw body)>
 *   {"email": "...", "type": "hard"|"soft"|"complaint",
 *    "campaign_uuid": "..." (optional), "source": "..." (optional),
 *    "meta": {...} (optional)}
 *   or "verp": "bounces+TOKEN@domain" instead of (or with) "email": the
 *   envelope sender the mail was sent with names its recipient.
 * A timestamp more than WEBHOOK_SKEW seconds away from now is refused (a
 * replay), and so is a signature already seen in that window (answered
 * 200 "duplicate", nothing recorded again). The comparison is in
 * constant time; the body is parsed only once the signature holds.
 */
#include "../core/common.h"
#include "../core/log.h"
#include "../core/valid.h"
#include "features.h"

#include <ctype.h>
#include <time.h>

#define WEBHOOK_SKEW 300
#define WEBHOOK_SEEN_SECONDS "660"	/* the skew both ways, and a minute */
#define DETAIL_MAX 1000

/* Does the request carry a valid signature of its body under secret?
 * NULL when it does, else why not (for the 401). */
static const char *
signature_error(struct req *r, const char *secret)
{
	const char *ts = req_header(r, "HTTP_X_CIVITAS_TIMESTAMP");
	const char *sig = req_header(r, "HTTP_X_CIVITAS_SIGNATURE");
	unsigned char got[32], want[32];
	crypto_auth_hmacsha256_state st;
	size_t n = 0;
	long t;

	if (!ts || !sig)
		return "En-têtes X-Civitas-Timestamp et X-Civitas-Signature "
		    "requis.";
	if (parse_long(ts, 0, LONG_MAX, &t) < 0)
		return "Horodatage invalide.";
	if (labs((long)time(NULL) - t) > WEBHOOK_SKEW)
		return "Horodatage hors délai (plus de 5 minutes d'écart).";
	if (strncmp(sig, "sha256=", 7) || strlen(sig + 7) != 64 ||
	    sodium_hex2bin(got, sizeof(got), sig + 7, 64, NULL, &n, NULL) ||
	    n != sizeof(got))
		return "Signature invalide.";
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
	    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts,
	    strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	if (r->raw_len)
		crypto_auth_hmacsha256_update(&st,
		    (const unsigned char *)r->raw_body, r->raw_len);
	crypto_auth_hmacsha256_final(&st, want);
	if (sodium_memcmp(got, want, sizeof(want)) != 0)
		return "Signature invalide.";
	return NULL;
}

static int
is_uuid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	}
	return s[36] == '\0';
}

/* What the report is about: the address, and its campaign and recipient
 * ids as text (NULL when unknown). NULL, or the 422's detail; *down set
 * when PostgreSQL failed. */
struct target {
	const char *email, *cid, *rid;
};

static const char *
target_of_verp(struct req *r, const char *verp, struct target *t, int *down)
{
	char token[MAIL_TOKEN_MAX];
	const char *at = strrchr(verp, '@');
	size_t n = at ? (size_t)(at - verp) : 0;
	PGresult *res;
	long cid, rid;

	if (n <= 8 || strncmp(verp, "bounces+", 8) || n - 8 >= sizeof(token))
		return "Adresse VERP invalide.";
	memcpy(token, verp + 8, n - 8);
	token[n - 8] = '\0';
	if (mail_token_parse(r->cfg->secret, "bounce", token, &cid, &rid) < 0)
		return "Adresse VERP invalide.";
	t->cid = arena_printf(&r->arena, "%ld", cid);
	t->rid = arena_printf(&r->arena, "%ld", rid);
	if (!(res = q(r, STMT_BOUNCE_RECIPIENT, t->cid, t->rid))) {
		*down = 1;
		return "";
	}
	if (PQntuples(res) == 0)
		return "Destinataire inconnu.";
	t->email = db_str(res, 0, BR_EMAIL);
	return NULL;
}

static const char *
target_of_email(struct req *r, const char *email, const char *uuid,
    struct target *t, int *down)
{
	size_t n = VALID_OUT_SIZE(strlen(email));
	char *norm = arena_alloc(&r->arena, n);
	PGresult *res;

	if (valid_email(email, norm, n) != VALID_OK)
		return "Adresse e-mail invalide.";
	t->email = norm;
	if (!uuid)
		return NULL;
	if (!is_uuid(uuid))
		return "campaign_uuid invalide.";
	if (!(res = q(r, STMT_BOUNCE_CAMPAIGN, uuid, norm))) {
		*down = 1;
		return "";
	}
	if (PQntuples(res) == 0)	/* not ours: recorded all the same */
		return NULL;
	t->cid = db_str(res, 0, BC_CAMPAIGN_ID);
	if (db_long(res, 0, BC_RECIPIENT_ID) > 0)
		t->rid = db_str(res, 0, BC_RECIPIENT_ID);
	return NULL;
}

/* The bounce's detail: {"source","meta"} as ASCII JSON, cut. */
static const char *
detail_of(struct req *r, json_t *body)
{
	json_t *d = json_object();
	json_t *src = json_object_get(body, "source");
	json_t *meta = json_object_get(body, "meta");
	char *s;
	const char *out;

	json_object_set_new(d, "source", json_string(json_is_string(src) ?
	    json_string_value(src) : "webhook"));
	if (meta)
		json_object_set(d, "meta", meta);
	s = json_dumps(d, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_SORT_KEYS);
	json_decref(d);
	if (!s)
		return "webhook";
	if (strlen(s) > DETAIL_MAX)
		s[DETAIL_MAX] = '\0';
	out = arena_printf(&r->arena, "%s", s);
	free(s);
	return out;
}

/* Record the report of body. The status and the answer. */
static int
record(struct req *r, json_t *body)
{
	const char *type = json_string_value(json_object_get(body, "type"));
	const char *verp = json_string_value(json_object_get(body, "verp"));
	const char *email = json_string_value(json_object_get(body, "email"));
	const char *uuid = json_string_value(json_object_get(body,
	    "campaign_uuid"));
	struct target t = { NULL, NULL, NULL };
	const char *err;
	PGresult *res;
	int down = 0;

	if (!type || (strcmp(type, "hard") && strcmp(type, "soft") &&
	    strcmp(type, "complaint")))
		return resp_problem(r, 422, "Type inconnu",
		    "type doit valoir hard, soft ou complaint.");
	if (verp)
		err = target_of_verp(r, verp, &t, &down);
	else if (email)
		err = target_of_email(r, email, uuid, &t, &down);
	else
		err = "email ou verp requis.";
	if (down)
		return unavailable(r);
	if (err)
		return resp_problem(r, 422, "Rapport invalide", err);
	if (!(res = q(r, STMT_BOUNCE_RECORD, t.email, type, t.cid, t.rid,
	    "webhook", detail_of(r, body))))
		return unavailable(r);
	log_info("webhook: %s bounce recorded (campaign %s)", type,
	    t.cid ? t.cid : "-");
	return resp_json(r, 200, json_pack("{s:b, s:b, s:s}", "recorded", 1,
	    "suppressed", db_bool(res, 0, VALUE), "email", t.email));
}

/*
 * POST /webhooks/bounces: see the top of this file. 200 {"recorded",
 * "suppressed", "email"} or {"duplicate": true}; problem+json: 400 not a
 * JSON object, 401 signature missing, wrong or out of time, 422 unknown
 * type or no address, 503 no BOUNCE_WEBHOOK_SECRET configured or
 * PostgreSQL down.
 */
int
bounces_webhook_post(struct req *r)
{
	const char *secret = getenv("BOUNCE_WEBHOOK_SECRET");
	const char *why, *seen;
	redisReply *rep;
	json_error_t jerr;
	json_t *body;
	int status;

	if (!secret || !*secret)
		return resp_problem(r, 503, "Webhook non configuré",
		    "webhook non configuré : BOUNCE_WEBHOOK_SECRET est vide.");
	if ((why = signature_error(r, secret)))
		return resp_problem(r, 401, "Signature refusée", why);
	body = json_loadb(r->raw_body ? r->raw_body : "", r->raw_len, 0, &jerr);
	if (!json_is_object(body)) {
		json_decref(body);
		return resp_problem(r, 400, "JSON invalide",
		    "Le corps doit être un objet JSON.");
	}
	/* The same signed report twice in its window: once only. Redis
	 * down: recorded anyway (a soft bounce may then count twice). */
	seen = arena_printf(&r->arena, "webhook:bounce:%s",
	    req_header(r, "HTTP_X_CIVITAS_SIGNATURE") + 7);	/* checked */
	rep = kv(r, "SET %s 1 NX EX %s", seen, WEBHOOK_SEEN_SECONDS);
	if (rep && rep->type == REDIS_REPLY_NIL) {
		json_decref(body);
		return resp_json(r, 200, json_pack("{s:b}", "duplicate", 1));
	}
	status = record(r, body);
	json_decref(body);
	if (status != 200 && rep)	/* a retry must be heard */
		kv(r, "DEL %s", seen);
	return status;
}
