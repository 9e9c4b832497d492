/*
 * donations_notify: GET /donate/notify, the provider's server-to-server
 * notification (README, "Donations"; the protocol: infra/paybox.h).
 *
 * Every notification is logged (donation_notifications) with what it
 * did. Only one that verifies, names one of our gifts by its exact
 * reference and carries its amount records a payment, in one
 * transaction: the payment row (unique on idtrans), then only if it was
 * new, the tax receipt, the gift's move (a guarded UPDATE) and the
 * thank-you mail. A GET that changes state: the provider calls it, no
 * browser; the proof is the RSA signature, not a CSRF token.
 */
#include "../core/common.h"
#include "../core/donation.h"
#include "../infra/outbox.h"
#include "../infra/paybox.h"
#include "donations.h"
#include "features.h"

/* The thank-you mail of a first payment, with the receipt's signed link
 * (mail_token "receipt": receipt id, year). */
static int
thank(struct req *r, PGresult *gift, PGresult *pay)
{
	char tok[MAIL_TOKEN_MAX], amount[DONATION_EUROS_MAX];
	struct view v;
	long uid = 0;

	mail_token(r->cfg->secret, "receipt", db_long(pay, 0, PAY_RECEIPT_ID),
	    db_long(pay, 0, PAY_YEAR), tok);
	donation_format_euros(db_long(gift, 0, DON_AMOUNT), amount,
	    sizeof(amount));
	view_init(&v, &r->arena, 1);
	view_str(&v, "first_name", db_str(gift, 0, DON_FIRST_NAME));
	view_str(&v, "amount", amount);
	view_int(&v, "monthly", !strcmp(db_str(gift, 0, DON_KIND), "monthly"));
	view_str(&v, "year", db_str(pay, 0, PAY_YEAR));
	view_str(&v, "receipt_link", arena_printf(&r->arena,
	    "%s/receipts/%s", r->cfg->base_url, tok));
	return outbox_add(r, uid, db_str(gift, 0, DON_EMAIL),
	    "Merci pour votre don", "donation_thanks", &v);
}

/* In the open transaction: what the verified notification does.
 * Returns the outcome to log; NULL when PostgreSQL failed. *commit is set
 * when the transaction must be committed. */
static const char *
apply(struct req *r, int *commit)
{
	const char *ref = req_query(r, "Ref"), *mt = req_query(r, "Mt");
	const char *err = req_query(r, "Erreur");
	const char *idtrans = req_query(r, "idtrans");
	const char *abo = req_query(r, "abo");
	const char *auth = req_query(r, "Auto");
	PGresult *gift, *pay;
	char uuid[37];
	const char *kind, *status;
	long cents, mt_cents;
	int k, from;

	*commit = 0;
	if (!ref || !mt || !err || donation_ref_uuid(ref, uuid) < 0)
		return "unknown";
	if (!(gift = q(r, STMT_DONATION_LOCK_ROW, uuid)))
		return NULL;
	if (PQntuples(gift) != 1)
		return "unknown";
	kind = db_str(gift, 0, DON_KIND);
	status = db_str(gift, 0, DON_STATUS);
	cents = db_long(gift, 0, DON_AMOUNT);
	k = donation_kind_from(kind);
	from = donation_status_from(status);
	if (strcmp(ref, donation_reference(&r->arena, uuid, kind, cents)))
		return "unknown";
	if (strcmp(err, "00000")) {
		int to = !strcmp(err, "00001") ? DS_CANCELLED : DS_REFUSED;

		if (!donation_transition_allowed(k, from, to))
			return "refused_ignored";
		if (!q(r, STMT_DONATION_MOVE, db_str(gift, 0, DON_ID),
		    donation_status_names[to], status, ""))
			return NULL;
		*commit = 1;
		return donation_status_names[to];
	}
	if (parse_long(mt, 1, DONATION_MAX_CENTS, &mt_cents) < 0 ||
	    mt_cents != cents)
		return "mismatch";
	if (!idtrans || !*idtrans || strlen(idtrans) > 64)
		return "mismatch";
	/* A first payment moves a pending gift; an instalment belongs to an
	 * active monthly gift with the same subscription. */
	if (from == DS_ACTIVE && (!abo || strcmp(abo, db_str(gift, 0,
	    DON_SUBSCRIPTION))))
		return "mismatch";
	if (from != DS_PENDING && from != DS_ACTIVE) {
		/* a one-off already paid: a replay or a late duplicate;
		 * anything else (expired, ended, refused) is not taken */
		return from == DS_PAID ? "replay" : "not_payable";
	}
	if (!(pay = q(r, STMT_DONATION_PAY, db_str(gift, 0, DON_ID), idtrans,
	    auth ? auth : "", mt, db_str(gift, 0, DON_EMAIL))))
		return NULL;
	if (PQntuples(pay) == 0)
		return "replay";
	if (from == DS_PENDING) {
		int to = donation_paid_status(k);
		PGresult *moved;

		if (!donation_transition_allowed(k, from, to))
			return "not_payable";
		moved = q(r, STMT_DONATION_MOVE, db_str(gift, 0, DON_ID),
		    donation_status_names[to], status, abo ? abo : "");
		if (!moved)
			return db_unique_violation(&r->app->db) ?
			    "second_monthly" : NULL;
		if (PQntuples(moved) != 1)
			return "not_payable";
		if (thank(r, gift, pay) < 0)
			return NULL;
		*commit = 1;
		return "paid";
	}
	*commit = 1;
	return "instalment";
}

/*
 * GET /donate/notify?Mt=..&Ref=..&Auto=..&Erreur=..&idtrans=..&abo=..
 * &Sign=..: 200 with an empty body for every notification handled (paid,
 * refused, replay, unknown reference, wrong amount); 403 when the
 * signature does not verify (logged, no effect); 503 when PostgreSQL is
 * down or the key cannot be read, so the provider tries again.
 */
int
donate_notify_get(struct req *r)
{
	const char *query = r->query_string ? r->query_string : "";
	const char *sig, *outcome = NULL;
	size_t len;
	int v = -1, commit = 0, logged = 0;

	if (donation_split_signed(query, &len, &sig) == 0)
		v = paybox_verify(r->cfg, query, len, sig);
	else
		v = 0;
	if (v < 0)
		return unavailable(r);	/* our key: not the provider's fault */
	if (v == 1) {
		if (db_begin(&r->app->db) < 0)
			return unavailable(r);
		outcome = apply(r, &commit);
		/* What changed something is logged in its own transaction:
		 * one commit (one WAL flush) per payment, not two. */
		if (outcome && commit)
			logged = q(r, STMT_DONATION_NOTIFICATION_LOG, query,
			    "t", outcome) != NULL;
		if (!outcome || (commit && (!logged ||
		    db_commit(&r->app->db) < 0))) {
			db_rollback(&r->app->db);
			return unavailable(r);
		}
		if (!commit)
			db_rollback(&r->app->db);
	} else
		outcome = "bad_signature";
	if (!logged && !q(r, STMT_DONATION_NOTIFICATION_LOG, query,
	    v == 1 ? "t" : "f", outcome))
		return unavailable(r);
	r->ctype = "text/plain; charset=utf-8";
	r->cache = "no-store";
	return v == 1 ? 200 : 403;
}
