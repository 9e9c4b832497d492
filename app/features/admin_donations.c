/*
 * admin_donations: the gifts in the back-office (/admin/donations,
 * admins only: the financial agent's screens). Donors' identities and
 * addresses are shown here, and only here.
 *
 *	GET  /admin/donations              the list (filters: status, kind,
 *	                                   month of the gift, q: words of the
 *	                                   donor's name or address) and the
 *	                                   totals by month of payment
 *	GET  /admin/donations.csv          one line per payment (?month=)
 *	GET  /admin/donations/{id}         a gift and its payments
 *	POST /admin/donations/{id}/refund  payment: record its refund
 *
 * A refund is one guarded UPDATE (refunded_at IS NULL), audited in the
 * same transaction: recorded once whatever the clicks. donation_room()
 * (sql/006_donations.sql) skips refunded payments, so a refunded gift
 * leaves the donor's yearly total. The money itself is returned through
 * the provider's back-office: this records that it was.
 */
#include <ctype.h>

#include "../core/common.h"
#include "../core/escape.h"
#include "../infra/csv.h"
#include "admin.h"
#include "features.h"
#include "manage.h"

#define MONTH_LEN 7	/* YYYY-MM */
#define SEARCH_MAX 100

static const char *const status_names[][2] = {
	{ "pending", "En attente" }, { "paid", "Payé" },
	{ "active", "Mensuel en cours" }, { "ended", "Mensuel arrêté" },
	{ "refused", "Refusé" }, { "cancelled", "Annulé" },
	{ "expired", "Expiré" }, { NULL, NULL }
};

static const char *const kind_names[][2] = {
	{ "once", "Ponctuel" }, { "monthly", "Mensuel" }, { NULL, NULL }
};

static const char *
label_of(const char *const names[][2], const char *value)
{
	for (size_t i = 0; names[i][0]; i++)
		if (!strcmp(names[i][0], value))
			return names[i][1];
	return NULL;
}

/* 1234 cents: "12,34 €". */
static const char *
euros(struct req *r, long cents)
{
	return arena_printf(&r->arena, "%s%ld,%02ld €", cents < 0 ? "-" : "",
	    labs(cents) / 100, labs(cents) % 100);
}

/* The same for a spreadsheet: "12.34"... as a French one reads it. */
static const char *
euros_csv(struct req *r, long cents)
{
	return arena_printf(&r->arena, "%ld,%02ld", cents / 100, cents % 100);
}

/* ?name=value if it is one of names, else "". */
static const char *
query_choice(struct req *r, const char *name, const char *const names[][2])
{
	const char *s = req_query(r, name);

	return s && label_of(names, s) ? s : "";
}

/* ?name=YYYY-MM (a real month), else "". */
static const char *
query_month(struct req *r, const char *name)
{
	const char *s = req_query(r, name);
	long m;

	if (!s || strlen(s) != MONTH_LEN || s[4] != '-')
		return "";
	for (int i = 0; i < MONTH_LEN; i++)
		if (i != 4 && !isdigit((unsigned char)s[i]))
			return "";
	if (parse_long(s + 5, 1, 12, &m) < 0 || s[0] == '0')
		return "";
	return s;
}

/* <option>s of names, value selected, "" first as "Tous". */
static const char *
choice_options(struct req *r, const char *const names[][2],
    const char *value)
{
	struct buf b;
	char *out;

	buf_init(&b, 16 * 1024);
	buf_printf(&b, "<option value=\"\"%s>Tous</option>", *value ? "" :
	    " selected");
	for (size_t i = 0; names[i][0]; i++)
		buf_printf(&b, "<option value=\"%s\"%s>%s</option>",
		    names[i][0], strcmp(names[i][0], value) ? "" :
		    " selected", names[i][1]);
	out = arena_strndup(&r->arena, b.data, b.len);
	buf_release(&b);
	return out;
}

struct filters {
	const char *status, *kind, *month, *q;
};

/* The list's URL for page with the filters f (escaped for HTML by the
 * view). */
static const char *
list_url(struct req *r, const struct filters *f, long page)
{
	struct buf b;
	char *out;

	buf_init(&b, 4096);
	buf_puts(&b, "/admin/donations?status=");
	url_encode(&b, f->status);
	buf_puts(&b, "&kind=");
	url_encode(&b, f->kind);
	buf_puts(&b, "&month=");
	url_encode(&b, f->month);
	buf_puts(&b, "&q=");
	url_encode(&b, f->q);
	buf_printf(&b, "&page=%ld", page);
	out = arena_strndup(&r->arena, b.data, b.len);
	buf_release(&b);
	return out;
}

static void
list_rows(struct req *r, struct view *v, const PGresult *res)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *status = db_str(res, i, ADL_STATUS);
		const char *label = label_of(status_names, status);
		long refunds = db_long(res, i, ADL_REFUNDS);

		view_rows_add(&rows, 9, db_str(res, i, ADL_ID),
		    db_str(res, i, ADL_CREATED), db_str(res, i, ADL_NAME),
		    db_str(res, i, ADL_EMAIL), label_of(kind_names,
		    db_str(res, i, ADL_KIND)), euros(r, db_long(res, i,
		    ADL_AMOUNT)), label ? label : status, euros(r,
		    db_long(res, i, ADL_PAID)), refunds ? arena_printf(
		    &r->arena, "%ld remboursé(s)", refunds) : "");
	}
	view_rows_set(v, "rows", &rows);
}

static void
month_rows(struct req *r, struct view *v, const PGresult *res)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add(&rows, 5, db_str(res, i, DM_MONTH),
		    db_str(res, i, DM_PAYMENTS), euros(r, db_long(res, i,
		    DM_GROSS)), euros(r, db_long(res, i, DM_REFUNDED)),
		    euros(r, db_long(res, i, DM_NET)));
	view_rows_set(v, "months", &rows);
}

/*
 * GET /admin/donations: ?status, ?kind (unknown values: all), ?month
 * (YYYY-MM of the gift), ?q (words of the name or the address), ?page.
 * 200; 400 (?page malformed); 503.
 */
int
admin_donations_get(struct req *r)
{
	struct filters fl = { query_choice(r, "status", status_names),
		query_choice(r, "kind", kind_names), query_month(r, "month"),
		req_query(r, "q") };
	long page = query_page(r), total, pages;
	PGresult *res, *months;
	struct view v;

	if (page == 0)
		return render_error(r, 400, "Le numéro de page est invalide.");
	if (!fl.q || utf8_length(fl.q) > SEARCH_MAX)
		fl.q = "";
	if (!(res = q(r, STMT_ADMIN_DONATIONS, fl.status, fl.kind, fl.month,
	    fl.q, arena_printf(&r->arena, "%d", ADMIN_PAGE_SIZE),
	    arena_printf(&r->arena, "%ld", (page - 1) * ADMIN_PAGE_SIZE))) ||
	    !(months = q(r, STMT_ADMIN_DONATION_MONTHS)))
		return unavailable(r);
	total = PQntuples(res) ? db_long(res, 0, ADL_TOTAL) : 0;
	pages = (total + ADMIN_PAGE_SIZE - 1) / ADMIN_PAGE_SIZE;
	view_init(&v, &r->arena, 0);
	admin_chrome(r, &v, "/admin/donations");
	view_str(&v, "csrf", csrf_token(r));
	view_str(&v, "status", fl.status);
	view_str(&v, "kind", fl.kind);
	view_str(&v, "month", fl.month);
	view_str(&v, "q", fl.q);
	view_raw_html_already_safe(&v, "status_options", choice_options(r,
	    status_names, fl.status));
	view_raw_html_already_safe(&v, "kind_options", choice_options(r,
	    kind_names, fl.kind));
	view_int(&v, "total", total);
	view_int(&v, "page", page);
	view_int(&v, "pages", pages);
	view_str(&v, "prev", page > 1 ? list_url(r, &fl, page - 1) : "");
	view_str(&v, "next", page < pages ? list_url(r, &fl, page + 1) : "");
	view_int(&v, "empty", PQntuples(res) == 0);
	view_int(&v, "no_months", PQntuples(months) == 0);
	list_rows(r, &v, res);
	month_rows(r, &v, months);
	return render(r, 200, "admin_donations", &v, "Dons");
}

/*
 * GET /admin/donations.csv: ?month (YYYY-MM of payment; absent: all).
 * One line per payment, for the financial agent (csv.h). 200; 503.
 */
int
admin_donations_csv_get(struct req *r)
{
	static const char *const head[] = { "Date", "Référence",
		"Transaction", "Autorisation", "Type", "Civilité", "Prénom",
		"Nom", "E-mail", "Adresse", "Code postal", "Ville", "Pays",
		"Montant (€)", "Reçu fiscal", "Remboursé le" };
	const char *month = query_month(r, "month");
	PGresult *res;
	struct buf b;

	if (!(res = q(r, STMT_ADMIN_DONATIONS_CSV, month)))
		return unavailable(r);
	buf_init(&b, MAX_OUTPUT);
	csv_begin(&b);
	csv_row(&b, ARRAY_SIZE(head), head);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *cells[] = { db_str(res, i, DC_PAID),
			db_str(res, i, DC_REFERENCE),
			db_str(res, i, DC_TRANSACTION),
			db_str(res, i, DC_AUTHORIZATION),
			label_of(kind_names, db_str(res, i, DC_KIND)),
			!strcmp(db_str(res, i, DC_CIVILITY), "mme") ? "Mme" :
			    "M.",
			db_str(res, i, DC_FIRST_NAME),
			db_str(res, i, DC_LAST_NAME), db_str(res, i, DC_EMAIL),
			db_str(res, i, DC_STREET),
			db_str(res, i, DC_POSTAL_CODE),
			db_str(res, i, DC_CITY), db_str(res, i, DC_COUNTRY),
			euros_csv(r, db_long(res, i, DC_AMOUNT)),
			db_str(res, i, DC_RECEIPT),
			db_str(res, i, DC_REFUNDED) };

		if (csv_row(&b, ARRAY_SIZE(cells), cells) < 0) {
			buf_release(&b);
			return 500;
		}
	}
	return manage_csv_response(r, &b, *month ? arena_printf(&r->arena,
	    "dons-%s.csv", month) : "dons.csv");
}

/*
 * GET /admin/donations/{id}: the gift, the donor, the payments and
 * their refund buttons. 200; 404; 503.
 */
int
admin_donation_get(struct req *r)
{
	static const struct { const char *name; int col; } cols[] = {
		{ "id", AD_ID }, { "uuid", AD_UUID }, { "created", AD_CREATED },
		{ "first_name", AD_FIRST_NAME }, { "last_name", AD_LAST_NAME },
		{ "email", AD_EMAIL }, { "street", AD_STREET },
		{ "postal_code", AD_POSTAL_CODE }, { "city", AD_CITY },
		{ "country", AD_COUNTRY }, { "phone", AD_PHONE },
		{ "subscription", AD_SUBSCRIPTION },
	};
	PGresult *d, *p;
	struct view_rows rows;
	struct view v;
	int rc;

	if ((rc = admin_load(r, STMT_ADMIN_DONATION, &d)))
		return rc;
	if (!(p = q(r, STMT_ADMIN_DONATION_PAYMENTS, r->params[0])))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	admin_chrome(r, &v, "/admin/donations");
	view_str(&v, "csrf", csrf_token(r));
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		view_str(&v, cols[i].name, db_str(d, 0, cols[i].col));
	view_str(&v, "civility", !strcmp(db_str(d, 0, AD_CIVILITY), "mme") ?
	    "Mme" : "M.");
	view_str(&v, "kind", label_of(kind_names, db_str(d, 0, AD_KIND)));
	view_str(&v, "status", label_of(status_names, db_str(d, 0,
	    AD_STATUS)));
	view_str(&v, "amount", euros(r, db_long(d, 0, AD_AMOUNT)));
	view_int(&v, "member", db_bool(d, 0, AD_MEMBER));
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(p); i++)
		view_rows_add(&rows, 8, db_str(p, i, AP_ID),
		    db_str(p, i, AP_PAID), db_str(p, i, AP_TRANSACTION),
		    db_str(p, i, AP_AUTHORIZATION), euros(r, db_long(p, i,
		    AP_AMOUNT)), db_str(p, i, AP_RECEIPT),
		    db_str(p, i, AP_REFUNDED), db_str(p, i, AP_REFUNDED_BY));
	view_rows_set(&v, "payments", &rows);
	view_int(&v, "no_payments", PQntuples(p) == 0);
	return render(r, 200, "admin_donation", &v, arena_printf(&r->arena,
	    "Don de %s %s", db_str(d, 0, AD_FIRST_NAME), db_str(d, 0,
	    AD_LAST_NAME)));
}

static const struct form_field refund_fields[] = {
	{ "payment", F_REQUIRED, .max = 19, .valid = valid_id },
	{ NULL }
};

/*
 * POST /admin/donations/{id}/refund: payment (a payment of gift {id}).
 * Records its refund once, audited ("donation.refund"). 303 back to the
 * gift with a notice (already refunded: says so, changes nothing); 404
 * (no such gift or payment, or not this gift's); 503.
 */
int
admin_donation_refund_post(struct req *r)
{
	struct db *db = &r->app->db;
	const char *payment;
	PGresult *res;
	struct form f;

	if (!req_id(r))
		return 404;
	form_init(&f, r, refund_fields);
	if (form_read(&f))
		return 404;
	payment = form_get(&f, "payment");
	if (db_begin(db) < 0 || !(res = q(r, STMT_ADMIN_PAYMENT_REFUND,
	    payment, r->params[0], r->user->id_str)))
		goto fail;
	if (PQntuples(res) == 0) {
		db_rollback(db);
		if (!(res = q(r, STMT_ADMIN_PAYMENT_EXISTS, payment,
		    r->params[0])))
			return unavailable(r);
		if (PQntuples(res) == 0)
			return 404;
		flash_set(r, "Ce paiement était déjà remboursé : rien n'a "
		    "changé.");
		return resp_redirect(r, arena_printf(&r->arena,
		    "/admin/donations/%s", r->params[0]));
	}
	if (audit(r, "donation.refund", "donation", req_id_long(r),
	    arena_printf(&r->arena, "%s, transaction %s", euros(r,
	    db_long(res, 0, RF_AMOUNT)), db_str(res, 0, RF_TRANSACTION))) < 0 ||
	    db_commit(db) < 0)
		goto fail;
	flash_set(r, arena_printf(&r->arena, "Le remboursement de %s "
	    "(transaction %s) est enregistré.", euros(r, db_long(res, 0,
	    RF_AMOUNT)), db_str(res, 0, RF_TRANSACTION)));
	return resp_redirect(r, arena_printf(&r->arena, "/admin/donations/%s",
	    r->params[0]));
fail:
	db_rollback(db);
	return unavailable(r);
}
