/*
 * donations_account: a member's gifts (/account/donations) and stopping
 * a monthly gift.
 *
 * A member's gifts are those made while logged in (user_id) and those
 * given with their address before they had an account or without
 * logging in (email = the member's address: it was confirmed at
 * sign-up). Every statement is keyed on the member of the session; a
 * forged uuid finds nothing (404).
 */
#include "../core/common.h"
#include "../core/donation.h"
#include "../core/log.h"
#include "../infra/outbox.h"
#include "../infra/paybox.h"
#include "donations.h"
#include "features.h"

static const char *
euros(struct req *r, long cents)
{
	char s[DONATION_EUROS_MAX];

	donation_format_euros(cents, s, sizeof(s));
	return arena_strdup(&r->arena, s);
}

/* GET /account/donations: the gifts, their payments, the receipts per
 * year, a stop button for an active monthly gift. 200; 503. */
int
account_donations_get(struct req *r)
{
	const struct user *u = r->user;
	PGresult *gifts, *pays, *receipts;
	struct view v;
	struct view_rows rows;
	const char *flash = flash_take(r);

	if (!(gifts = q(r, STMT_ACCOUNT_DONATIONS, u->id_str, u->email)) ||
	    !(pays = q(r, STMT_ACCOUNT_DONATION_PAYMENTS, u->id_str,
	    u->email)) || !(receipts = q(r, STMT_ACCOUNT_RECEIPTS, u->email)))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(gifts); i++) {
		int st = donation_status_from(db_str(gifts, i, ADON_STATUS));
		int monthly = !strcmp(db_str(gifts, i, ADON_KIND), "monthly");

		view_rows_add(&rows, 7, db_str(gifts, i, ADON_UUID),
		    monthly ? "Mensuel" : "Unique",
		    euros(r, db_long(gifts, i, ADON_AMOUNT)),
		    st >= 0 ? donation_status_labels[st] : "",
		    db_str(gifts, i, ADON_CREATED),
		    euros(r, db_long(gifts, i, ADON_PAID_CENTS)),
		    st == DS_ACTIVE ? "1" : "");
	}
	view_int(&v, "ngifts", PQntuples(gifts));
	view_rows_set(&v, "gifts", &rows);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(pays); i++)
		view_rows_add(&rows, 4, db_str(pays, i, APAY_DATE),
		    euros(r, db_long(pays, i, APAY_AMOUNT)),
		    db_bool(pays, i, APAY_REFUNDED) ? "1" : "",
		    db_str(pays, i, APAY_UUID));
	view_int(&v, "npayments", PQntuples(pays));
	view_rows_set(&v, "payments", &rows);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(receipts); i++)
		view_rows_add(&rows, 2, db_str(receipts, i, ARCPT_YEAR),
		    db_str(receipts, i, ARCPT_NUMBER));
	view_int(&v, "nreceipts", PQntuples(receipts));
	view_rows_set(&v, "receipts", &rows);
	view_str(&v, "csrf", csrf_token(r));
	view_str(&v, "notice", flash ? flash : "");
	r->cache = "no-store";
	return render(r, 200, "account_donations", &v, "Mes dons");
}

/*
 * POST /account/donations/{uuid}/stop: stop the member's active monthly
 * gift: the provider is told first (ResAbon); on its ACQ=OK the gift
 * ends (guarded UPDATE) and a confirmation is mailed, in one
 * transaction. 303 to /account/donations (with a notice); 404 not the
 * member's gift; 409 not an active monthly gift; 502 the provider
 * refused or could not be reached (nothing changed); 503.
 */
int
account_donation_stop_post(struct req *r)
{
	const struct user *u = r->user;
	const char *uuid = r->params[0], *code;
	PGresult *gift, *moved;
	struct view v;
	int rc;

	if (!donation_uuid_wellformed(uuid))
		return 404;
	/* Read it first (no lock held over the call to the provider). */
	if (!(gift = q(r, STMT_ACCOUNT_DONATION_LOCK, uuid, u->id_str,
	    u->email)))
		return unavailable(r);
	if (PQntuples(gift) != 1)
		return 404;
	if (strcmp(db_str(gift, 0, DON_KIND), "monthly") ||
	    strcmp(db_str(gift, 0, DON_STATUS), "active"))
		return message_page(r, 409, "Don non mensuel ou déjà arrêté",
		    "Ce don n'est pas un don mensuel en cours.",
		    "/account/donations", "Mes dons");
	rc = paybox_resabon(r->cfg, &r->arena, db_str(gift, 0,
	    DON_SUBSCRIPTION), donation_reference(&r->arena, uuid, "monthly",
	    db_long(gift, 0, DON_AMOUNT)), &code);
	if (rc != 0) {
		log_error("donation %s: ResAbon %s%s", uuid, rc > 0 ?
		    "refused, ERREUR=" : "failed", rc > 0 && code ? code : "");
		return message_page(r, 502, "Arrêt impossible pour le moment",
		    "Le prestataire de paiement n'a pas confirmé l'arrêt de "
		    "votre don mensuel : rien n'a changé. Réessayez dans "
		    "quelques instants.", "/account/donations", "Mes dons");
	}
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(moved = q(r, STMT_DONATION_MOVE, db_str(gift, 0, DON_ID),
	    "ended", "active", "")))
		goto down;
	if (PQntuples(moved) == 1) {
		view_init(&v, &r->arena, 1);
		view_str(&v, "first_name", db_str(gift, 0, DON_FIRST_NAME));
		view_str(&v, "amount", euros(r, db_long(gift, 0,
		    DON_AMOUNT)));
		if (outbox_add(r, u->id, db_str(gift, 0, DON_EMAIL),
		    "Votre don mensuel est arrêté", "donation_stopped",
		    &v) < 0)
			goto down;
	}
	if (db_commit(&r->app->db) < 0)
		goto down;
	flash_set(r, "Votre don mensuel est arrêté : aucun prélèvement ne "
	    "sera plus fait.");
	return resp_redirect(r, "/account/donations");
down:
	db_rollback(&r->app->db);
	return unavailable(r);
}
