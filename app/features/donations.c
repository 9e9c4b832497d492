/*
 * donations: giving, paying through Paybox System, and the provider's
 * notifications (README, "Donations"; the pure rules are
 * core/donation.h, the protocol's cryptography infra/paybox.h).
 *
 * Invariants:
 * - the yearly cap (7,500 € per person, by e-mail or by name and postal
 *   code) is checked by PostgreSQL in the INSERT that makes the gift,
 *   after the person is locked: simultaneous gifts never exceed it;
 * - only a notification whose Sign verifies over the raw query, whose
 *   Ref is a gift's reference exactly and whose Mt is its amount records
 *   a payment; the browser's return only shows the status;
 * - a payment is recorded once per provider transaction (idtrans, a
 *   unique key): a replay or a late duplicate changes nothing and mails
 *   nothing; the receipt, the status and the thank-you mail are written
 *   in the same transaction as the payment row, only when it was new;
 * - the payment form and the return page are shown to the browser that
 *   made the gift only (the keyed digest of its csrf cookie).
 */
#include "../core/common.h"
#include "../core/donation.h"
#include "../infra/outbox.h"
#include "../infra/paybox.h"
#include "donations.h"
#include "features.h"

#include <time.h>

static const char *const donation_kinds[] = { "once", "monthly", NULL };
static const char *const donation_civilities[] = { "mme", "m", NULL };
static const long preset_euros[] = { 10, 20, 50, 100, 200 };

/* The amount typed: valid_fn over donation_amount_parse, written back
 * as "50,25". */
static int
valid_donation_amount(const char *in, char *out, size_t outsz)
{
	static const int map[DONATION_AMOUNT__MAX] = {
		[DONATION_AMOUNT_OK] = VALID_OK,
		[DONATION_AMOUNT_EMPTY] = VALID_MISSING,
		[DONATION_AMOUNT_SYNTAX] = VALID_INVALID,
		[DONATION_AMOUNT_CENTS] = VALID_BAD_CHARS,
		[DONATION_AMOUNT_ZERO] = VALID_TOO_SHORT,
		[DONATION_AMOUNT_TOO_BIG] = VALID_TOO_LONG,
	};
	long cents;
	int rc = donation_amount_parse(in, &cents);

	if (rc == DONATION_AMOUNT_OK)
		snprintf(out, outsz, "%ld,%02ld", cents / 100, cents % 100);
	return map[rc];
}

#define AMOUNT_MSG_INVALID "Le montant doit être un nombre d'euros, par " \
	"exemple 50 ou 50,25."

static const struct form_field details_fields[] = {
	{ "amount", F_REQUIRED, .max = 20, .valid = valid_donation_amount,
	    .msg = {
	    [VALID_MISSING] = "Veuillez indiquer le montant de votre don.",
	    [VALID_INVALID] = AMOUNT_MSG_INVALID,
	    [VALID_TOO_LONG] = "La valeur maximale d'un don est de 7 500 €.",
	    [VALID_TOO_SHORT] = "Le montant du don doit être supérieur à 0 €.",
	    [VALID_BAD_CHARS] = "Le montant se donne au centime près (deux "
		"chiffres après la virgule au plus)." } },
	{ "kind", F_REQUIRED, .choices = donation_kinds, .initial = "once",
	    .msg = {
	    [VALID_MISSING] = "Veuillez choisir un don unique ou mensuel.",
	    [VALID_INVALID] = "Veuillez choisir un don unique ou mensuel." } },
	{ "civility", F_REQUIRED, .choices = donation_civilities, .msg = {
	    [VALID_MISSING] = "Veuillez indiquer votre civilité.",
	    [VALID_INVALID] = "Veuillez indiquer votre civilité." } },
	MEMBER_NAME_FIELD("first_name", "prénom"),
	MEMBER_NAME_FIELD("last_name", "nom"),
	MEMBER_EMAIL_FIELD("email", "Veuillez renseigner votre adresse "
	    "e-mail."),
	MEMBER_ADDRESS_FIELDS,
	{ "phone", 0, .max = 20, .valid = valid_phone, .msg = {
	    [VALID_INVALID] = "Ce numéro de téléphone n'est pas valide." } },
	{ "natural_person", F_REQUIRED | F_CHECKBOX, .msg = {
	    [VALID_MISSING] = "Vous devez certifier être une personne "
		"physique et que le règlement provient de votre compte "
		"personnel." } },
	{ "french", F_REQUIRED | F_CHECKBOX, .msg = {
	    [VALID_MISSING] = "Vous devez certifier être de nationalité "
		"française ou résider en France." } },
	{ NULL }
};

#define DONATE_TITLE "Faire un don"
#define DETAILS_TITLE "Vos coordonnées"

static const char *
euros(struct req *r, long cents)
{
	char s[DONATION_EUROS_MAX];

	donation_format_euros(cents, s, sizeof(s));
	return arena_strdup(&r->arena, s);
}

/* GET /donate: the amounts (with their net cost) and once or monthly; a
 * GET form to /donate/details. 200. */
int
donate_get(struct req *r)
{
	struct view v;
	struct view_rows rows;

	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	for (size_t i = 0; i < ARRAY_SIZE(preset_euros); i++)
		view_rows_add(&rows, 3, arena_printf(&r->arena, "%ld",
		    preset_euros[i]), euros(r, preset_euros[i] * 100),
		    euros(r, donation_net_cents(preset_euros[i] * 100)));
	view_rows_set(&v, "amounts", &rows);
	return render(r, 200, "donate", &v, DONATE_TITLE);
}

static int
details_form(struct form *f, PGresult *communes, int status)
{
	long cents;

	if (donation_amount_parse(form_get(f, "amount"), &cents) ==
	    DONATION_AMOUNT_OK) {
		view_str(&f->v, "net", euros(f->r, donation_net_cents(cents)));
	}
	if (address_view(f, communes) < 0)
		return unavailable(f->r);
	return form_render(f, status, "donate_details", DETAILS_TITLE);
}

/* GET /donate/details?amount=50[&other=..][&kind=once|monthly]: the
 * form, the amount and kind as chosen (checked on POST), the member's
 * details when logged in. 200; 503. */
int
donate_details_get(struct req *r)
{
	const char *other = req_query(r, "other");
	const char *amount = other && *other ? other : req_query(r, "amount");
	const char *kind = req_query(r, "kind");
	struct form f;

	form_init(&f, r, details_fields);
	if (amount)
		form_set(&f, "amount", amount);
	if (kind && donation_kind_from(kind) >= 0)
		form_set(&f, "kind", kind);
	if (r->user) {
		const struct user *u = r->user;

		form_set(&f, "civility", !strcmp(u->gender, "female") ? "mme" :
		    !strcmp(u->gender, "male") ? "m" : "");
		form_set(&f, "first_name", u->first_name);
		form_set(&f, "last_name", u->last_name);
		form_set(&f, "email", u->email);
		form_set(&f, "phone", u->phone);
		form_set(&f, "street", u->street);
		form_set(&f, "postal_code", u->postal_code);
		form_set(&f, "country", u->country);
		form_set(&f, "city_code", u->city_insee);
		form_set(&f, "city_name", u->city_name);
	}
	return details_form(&f, NULL, 200);
}

/* The keyed digest of this browser's csrf cookie ("" without one). */
static const char *
owner_digest(struct req *r)
{
	const char *c = req_cookie(r, "csrf");
	char d[HASH_HEX_LEN + 1];

	if (!c || !*c)
		return "";
	token_digest(r->cfg->secret, arena_printf(&r->arena, "donation:%s",
	    c), d);
	return arena_strdup(&r->arena, d);
}

/* The gift was refused by the cap (or a second monthly gift): say why at
 * the field. -1 when PostgreSQL failed. */
static int
refusal(struct form *f, long needed, int monthly)
{
	struct req *r = f->r;
	PGresult *res = q(r, STMT_DONATION_ROOM, form_get(f, "email"),
	    form_get(f, "last_name"), form_get(f, "first_name"),
	    form_get(f, "postal_code"));
	long room;

	if (!res || PQntuples(res) != 1)
		return -1;
	room = db_long(res, 0, ROOM_CENTS);
	if (monthly && db_bool(res, 0, ROOM_HAS_MONTHLY)) {
		form_error(f, "kind", "Vous faites déjà un don mensuel : "
		    "arrêtez-le depuis votre espace (Mes dons) avant d'en "
		    "commencer un autre, ou faites un don unique.");
		return 0;
	}
	if (room >= needed)	/* freed meanwhile: let them try again */
		room = needed - 1;
	form_error(f, "amount", arena_printf(&r->arena, "Les dons d'une "
	    "personne ne peuvent dépasser 7 500 € par année civile%s. Vous "
	    "pouvez encore donner %s cette année.", monthly ? " (un don "
	    "mensuel compte pour chacun des mois restants de l'année)" : "",
	    euros(r, room)));
	return 0;
}

/*
 * POST /donate/details: details_fields. 303 to /donate/{uuid}/pay; 422
 * with a message at each wrong field, values kept (the cap and a second
 * monthly gift included: how much can still be given this year); 503.
 */
int
donate_details_post(struct req *r)
{
	struct form f;
	PGresult *communes, *res;
	long cents, needed;
	int monthly, month;
	const char *phone;

	form_init(&f, r, details_fields);
	form_read(&f);
	if (address_check(&f, &communes) < 0)
		return unavailable(r);
	if (f.errors)
		return details_form(&f, communes, 422);
	donation_amount_parse(form_get(&f, "amount"), &cents);
	monthly = !strcmp(form_get(&f, "kind"), "monthly");
	phone = form_get(&f, "phone");
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(res = q(r, STMT_DONATION_LOCK, form_get(&f, "email"),
	    form_get(&f, "last_name"), form_get(&f, "first_name"),
	    form_get(&f, "postal_code"))))
		goto down;
	month = (int)db_long(res, 0, VALUE);
	needed = donation_needed_cents(monthly, cents, month);
	res = q(r, STMT_DONATION_CREATE, r->user ? r->user->id_str : NULL,
	    form_get(&f, "kind"), arena_printf(&r->arena, "%ld", cents),
	    form_get(&f, "civility"), form_get(&f, "first_name"),
	    form_get(&f, "last_name"), form_get(&f, "email"),
	    form_get(&f, "street"), form_get(&f, "postal_code"),
	    form_get(&f, "city_name"), form_get(&f, "country"),
	    *phone ? phone : NULL, owner_digest(r),
	    arena_printf(&r->arena, "%ld", needed));
	if (!res)
		goto down;
	if (PQntuples(res) == 0) {
		if (refusal(&f, needed, monthly) < 0)
			goto down;
		db_rollback(&r->app->db);
		return details_form(&f, communes, 422);
	}
	if (db_commit(&r->app->db) < 0)
		goto down;
	return resp_redirect(r, arena_printf(&r->arena, "/donate/%s/pay",
	    db_str(res, 0, DONATION_NEW_UUID)));
down:
	db_rollback(&r->app->db);
	return unavailable(r);
}

const char *
donation_reference(struct arena *a, const char *uuid, const char *kind,
    long cents)
{
	if (strcmp(kind, "monthly"))
		return arena_strdup(a, uuid);
	return arena_printf(a, "%sPBX_2MONT%010ldPBX_NBPAIE00PBX_FREQ01"
	    "PBX_QUAND00", uuid, cents);
}

/* The gift {uuid} of this browser, or NULL (404) / r->unavailable. */
static PGresult *
own_gift(struct req *r)
{
	const char *uuid = r->params[0];
	const char *mine = owner_digest(r);
	PGresult *res;

	if (!donation_uuid_wellformed(uuid))
		return NULL;
	if (!(res = q(r, STMT_DONATION_BY_UUID, uuid))) {
		r->unavailable = 1;
		return NULL;
	}
	if (PQntuples(res) != 1 || !*mine ||
	    strcmp(db_str(res, 0, DON_OWNER), mine))
		return NULL;
	return res;
}

/*
 * GET /donate/{uuid}/pay: the form that takes the browser to the
 * provider (PBX_* fields in the protocol's order, signed with
 * PBX_HMAC); posted by a script, or by its button without one. 200;
 * 404 not this browser's gift; 409 no longer waiting for a payment; 503
 * (Paybox not configured, PostgreSQL down).
 */
int
donate_pay_get(struct req *r)
{
	static const char *const names[] = {
		"PBX_SITE", "PBX_RANG", "PBX_IDENTIFIANT", "PBX_TOTAL",
		"PBX_DEVISE", "PBX_CMD", "PBX_PORTEUR", "PBX_RETOUR",
		"PBX_HASH", "PBX_TIME", "PBX_EFFECTUE", "PBX_REFUSE",
		"PBX_ANNULE", "PBX_REPONDRE_A",
	};
	const char *values[ARRAY_SIZE(names)];
	const struct config *c = r->cfg;
	PGresult *res = own_gift(r);
	struct view v;
	struct view_rows rows;
	struct buf signed_text;
	char when[26], mac[129];
	const char *uuid, *kind, *back;
	long cents;
	int monthly;

	if (!res)
		return r->unavailable ? unavailable(r) : 404;
	if (!*c->paybox_url || !c->paybox_hmac_len)
		return unavailable(r);
	uuid = db_str(res, 0, DON_UUID);
	kind = db_str(res, 0, DON_KIND);
	cents = db_long(res, 0, DON_AMOUNT);
	monthly = !strcmp(kind, "monthly");
	if (strcmp(db_str(res, 0, DON_STATUS), "pending"))
		return message_page(r, 409, "Don déjà traité", "Ce don n'attend "
		    "plus de paiement.", "/donate", "Faire un nouveau don");
	paybox_time(when);
	back = arena_printf(&r->arena, "%s/donate/%s/return", c->base_url,
	    uuid);
	values[0] = c->paybox_site;
	values[1] = c->paybox_rang;
	values[2] = c->paybox_identifiant;
	values[3] = arena_printf(&r->arena, "%ld", cents);
	values[4] = "978";
	values[5] = donation_reference(&r->arena, uuid, kind, cents);
	values[6] = db_str(res, 0, DON_EMAIL);
	values[7] = "Mt:M;Ref:R;Auto:A;Erreur:E;idtrans:S;abo:B;Sign:K";
	values[8] = "SHA512";
	values[9] = when;
	values[10] = back;
	values[11] = back;
	values[12] = back;
	values[13] = arena_printf(&r->arena, "%s/donate/notify", c->base_url);
	buf_init(&signed_text, 16384);
	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		buf_printf(&signed_text, "%s%s=%s", i ? "&" : "", names[i],
		    values[i]);
		view_rows_add(&rows, 2, names[i], values[i]);
	}
	if (paybox_hmac(c, signed_text.data, signed_text.len, mac) < 0) {
		buf_release(&signed_text);
		return unavailable(r);
	}
	buf_release(&signed_text);
	view_rows_add(&rows, 2, "PBX_HMAC", mac);
	view_rows_set(&v, "fields", &rows);
	view_str(&v, "action", c->paybox_url);
	view_str(&v, "amount", euros(r, cents));
	view_int(&v, "monthly", monthly);
	r->cache = "no-store";
	return render(r, 200, "donate_pay", &v, "Paiement de votre don");
}

/*
 * GET /donate/{uuid}/return?Mt=..&Ref=..&Erreur=..: where the provider
 * brings the browser back. Shows the gift's status as recorded (from
 * notifications only) and what the provider said; changes nothing.
 * 200; 404 not this browser's gift; 503.
 */
int
donate_return_get(struct req *r)
{
	PGresult *res = own_gift(r);
	const char *err = req_query(r, "Erreur");
	struct view v;
	int st;

	if (!res)
		return r->unavailable ? unavailable(r) : 404;
	st = donation_status_from(db_str(res, 0, DON_STATUS));
	view_init(&v, &r->arena, 0);
	view_str(&v, "status", db_str(res, 0, DON_STATUS));
	view_str(&v, "status_label", st >= 0 ? donation_status_labels[st] :
	    "");
	view_str(&v, "amount", euros(r, db_long(res, 0, DON_AMOUNT)));
	view_int(&v, "monthly", !strcmp(db_str(res, 0, DON_KIND), "monthly"));
	view_str(&v, "provider", !err ? "" : !strcmp(err, "00000") ? "paid" :
	    !strcmp(err, "00001") ? "cancelled" : "refused");
	view_str(&v, "first_name", db_str(res, 0, DON_FIRST_NAME));
	view_str(&v, "uuid", db_str(res, 0, DON_UUID));
	r->cache = "no-store";
	return render(r, 200, "donate_return", &v, "Votre don");
}
