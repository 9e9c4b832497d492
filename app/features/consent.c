/*
 * consent: what a member wants to be mailed, and the record of it.
 *
 *	GET/POST /account/notifications          the checkboxes, the ledger
 *	POST     /account/notifications/stop     "never mail me again"
 *	POST     /account/notifications/resume   its undo
 *
 * plus the checkboxes of the sign-up form (members.h: consent_*).
 *
 * Every statement is keyed on r->user, the member of the session: no
 * route takes a member id or an address from the request. The rules of
 * record are PostgreSQL's (app/infra/sql_consent.def): a change writes
 * its ledger rows from the rows it really changed, in the same
 * statement, so simultaneous submissions never log one change twice;
 * the undo lifts only a suppression the member asked for ('request'),
 * never a bounce, a complaint or an admin's.
 */
#include "../core/common.h"
#include "features.h"

/* ---- the subscription types ----------------------------------------- */

/* Reference data (sql/005_mail.sql, changed by migrations only): loaded
 * once by each worker and kept for its life, with each type's checkbox
 * (a field "sub_<code>" whose initial value is default_on). A new type
 * reaches the workers at their next start (SIGHUP). */
struct sub_type {
	char *code, *label, *description;
};

static struct sub_type *type_list;
static struct form_field *type_fields;	/* NULL-ended */
static size_t ntypes;

static int
types_load(struct req *r)
{
	PGresult *res;

	if (type_list)
		return 0;
	if (!(res = q(r, STMT_CONSENT_TYPES)) || PQntuples(res) == 0)
		return -1;
	ntypes = (size_t)PQntuples(res);
	type_list = xcalloc(ntypes, sizeof(*type_list));
	type_fields = xcalloc(ntypes + 1, sizeof(*type_fields));
	for (size_t i = 0; i < ntypes; i++) {
		int row = (int)i;
		size_t n = strlen(db_str(res, row, SUBTYPE_CODE)) + 5;
		char *field = xcalloc(1, n);

		type_list[i].code = xstrdup(db_str(res, row, SUBTYPE_CODE));
		type_list[i].label = xstrdup(db_str(res, row, SUBTYPE_LABEL));
		type_list[i].description = xstrdup(db_str(res, row,
		    SUBTYPE_DESCRIPTION));
		snprintf(field, n, "sub_%s", type_list[i].code);
		type_fields[i].name = field;
		type_fields[i].flags = F_CHECKBOX;
		type_fields[i].initial = db_bool(res, row, SUBTYPE_DEFAULT_ON) ?
		    "1" : "";
	}
	return 0;
}

const struct form_field *
consent_fields(struct req *r, const struct form_field *base)
{
	struct form_field *out;
	size_t n = 0;

	if (types_load(r) < 0)
		return NULL;
	if (!base)
		return type_fields;
	while (base[n].name)
		n++;
	out = arena_zalloc(&r->arena, (n + ntypes + 1) * sizeof(*out));
	memcpy(out, base, n * sizeof(*out));
	memcpy(out + n, type_fields, ntypes * sizeof(*out));
	return out;
}

int
consent_view(struct form *f)
{
	struct view_rows rows;

	view_rows_init(&rows, &f->v);
	for (size_t i = 0; i < ntypes; i++)
		view_rows_add(&rows, 4, type_fields[i].name, type_list[i].label,
		    type_list[i].description, form_get(f, type_fields[i].name));
	view_rows_set(&f->v, "subscriptions", &rows);
	return form_include(f, "account_subscriptions", "subscriptions_block");
}

const char *
consent_codes(struct form *f)
{
	struct buf b;
	const char *out;

	buf_init(&b, 1024);
	buf_puts(&b, "{");
	for (size_t i = 0; i < ntypes; i++) {
		if (!*form_get(f, type_fields[i].name))
			continue;
		if (b.len > 1)
			buf_puts(&b, ",");
		buf_puts(&b, type_list[i].code);	/* ^[a-z_]+$ */
	}
	buf_puts(&b, "}");
	out = arena_strdup(&f->r->arena, b.data);
	buf_release(&b);
	return out;
}

/* ---- the page --------------------------------------------------------- */

#define LEDGER_PER_PAGE 20
#define NOTIFICATIONS_TITLE "Mes e-mails"
#define NOTIFICATIONS_PATH "/account/notifications"

/* Where a ledger row came from, as the member reads it. */
static const char *const sources[][2] = {
	{ "signup", "À l'adhésion" },
	{ "form", "Par vous, sur cette page" },
	{ "unsubscribe", "Lien de désinscription d'un e-mail" },
	{ "bounce", "Adresse en erreur (messages non distribués)" },
	{ "complaint", "E-mail signalé comme indésirable" },
	{ "admin", "Par l'équipe du mouvement" },
	{ "newsletter", "Lettre d'information" },
};

static const char *
source_label(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(sources); i++)
		if (!strcmp(sources[i][0], key))
			return sources[i][1];
	return key;
}

static const char *
type_label(const PGresult *res, int i)
{
	const char *type = db_str(res, i, LEDGER_TYPE);

	if (*db_str(res, i, LEDGER_LABEL))
		return db_str(res, i, LEDGER_LABEL);
	if (!strcmp(type, "all"))
		return "Tous les e-mails de campagne";
	if (!strcmp(type, "newsletter"))
		return "Lettre d'information";
	return type;
}

/* "never mail me again" is on: why, as the page explains it. */
static const char *const suppression_reasons[][2] = {
	{ "request", "à votre demande" },
	{ "hard_bounce", "parce que nos messages nous sont revenus : votre "
	    "adresse semblait ne plus exister" },
	{ "soft_bounces", "parce que nos messages nous sont revenus plusieurs "
	    "fois (boîte pleine ou indisponible)" },
	{ "complaint", "parce qu'un de nos e-mails a été signalé comme "
	    "indésirable depuis votre boîte" },
	{ "admin", "à la demande de l'équipe du mouvement" },
};

/* The ledger (newest first, a page of it) into the view. 0, or -1. */
static int
ledger_view(struct form *f, long page)
{
	struct req *r = f->r;
	struct view_rows rows;
	PGresult *res;
	long total = 0, pages;

	if (!(res = q(r, STMT_CONSENT_LEDGER, r->user->id_str,
	    arena_printf(&r->arena, "%d", LEDGER_PER_PAGE),
	    arena_printf(&r->arena, "%ld", (page - 1) * LEDGER_PER_PAGE))))
		return -1;
	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(res); i++) {
		total = db_long(res, i, LEDGER_TOTAL);
		view_rows_add(&rows, 4, db_str(res, i, LEDGER_WHEN),
		    type_label(res, i), db_bool(res, i, LEDGER_SUBSCRIBED) ?
		    "Inscription" : "Désinscription",
		    source_label(db_str(res, i, LEDGER_SOURCE)));
	}
	view_rows_set(&f->v, "ledger", &rows);
	view_int(&f->v, "ledger_empty", PQntuples(res) == 0);
	pages = (total + LEDGER_PER_PAGE - 1) / LEDGER_PER_PAGE;
	return pagination(r, &f->v, page > 1 ? arena_printf(&r->arena,
	    NOTIFICATIONS_PATH "?page=%ld", page - 1) : "", page < pages ?
	    arena_printf(&r->arena, NOTIFICATIONS_PATH "?page=%ld", page + 1) :
	    "", page, pages);
}

/* The member's suppression, if any, into the view. 0, or -1. */
static int
suppression_view(struct form *f)
{
	struct req *r = f->r;
	PGresult *res = q(r, STMT_CONSENT_SUPPRESSION, r->user->email);
	const char *reason = "", *why = "", *since = "";

	if (!res)
		return -1;
	if (PQntuples(res) == 1) {
		reason = db_str(res, 0, SUPPRESSION_REASON);
		since = db_str(res, 0, SUPPRESSION_WHEN);
		why = reason;
		for (size_t i = 0; i < ARRAY_SIZE(suppression_reasons); i++)
			if (!strcmp(suppression_reasons[i][0], reason))
				why = suppression_reasons[i][1];
	}
	view_str(&f->v, "suppressed", reason);
	view_str(&f->v, "suppressed_why", why);
	view_str(&f->v, "suppressed_since", since);
	return 0;
}

/* The page: the checkboxes (values in f), the "never again" form, the
 * ledger. */
static int
notifications_page(struct form *f, int status)
{
	struct req *r = f->r;
	const char *flash = flash_take(r);
	long page = query_page(r);

	if (page == 0)
		return render_error(r, 400, "Le numéro de page est invalide.");
	if (flash)
		view_str(&f->v, "notice", flash);
	if (consent_view(f) < 0)
		return 500;
	if (suppression_view(f) < 0 || ledger_view(f, page) < 0)
		return unavailable(r);
	return form_render(f, status, "notifications", NOTIFICATIONS_TITLE);
}

static const struct form_field stop_fields[] = {
	{ "confirm", F_REQUIRED | F_CHECKBOX, .msg = {
	    [VALID_MISSING] = "Cochez la case pour confirmer que vous ne "
		"voulez plus recevoir aucun e-mail de campagne." } },
	{ NULL }
};

/* The checkboxes as the member's subscriptions are now. 0, or -1. */
static int
subscriptions_set(struct form *f)
{
	struct req *r = f->r;
	PGresult *res = q(r, STMT_CONSENT_OF_USER, r->user->id_str);

	if (!res)
		return -1;
	for (size_t i = 0; i < ntypes; i++) {
		const char *v = "";

		for (int j = 0; j < PQntuples(res); j++)
			if (!strcmp(db_str(res, j, SUB_CODE), type_list[i].code))
				v = "1";
		form_set(f, type_fields[i].name, v);
	}
	return 0;
}

/*
 * GET /account/notifications[?page=N]: the member's subscriptions, the
 * "never mail me again" form (or its state and undo), the ledger.
 * 200; 303 to login; 400 malformed page; 503.
 */
int
account_notifications_get(struct req *r)
{
	const struct form_field *fields = consent_fields(r, NULL);
	struct form f;

	if (!fields)
		return unavailable(r);
	form_init(&f, r, fields);
	form_also(&f, stop_fields);
	if (subscriptions_set(&f) < 0)
		return unavailable(r);
	return notifications_page(&f, 200);
}

/*
 * POST /account/notifications: sub_<code> checkboxes (absent: off).
 * The member's subscriptions become exactly those, in one statement
 * with a ledger row per real change (source 'form'). 303 back with a
 * notice; 503.
 */
int
account_notifications_post(struct req *r)
{
	const struct form_field *fields = consent_fields(r, NULL);
	struct form f;
	PGresult *res;

	if (!fields)
		return unavailable(r);
	form_init(&f, r, fields);
	form_read(&f);
	if (!(res = q(r, STMT_CONSENT_SAVE, r->user->id_str,
	    consent_codes(&f), "form")))
		return unavailable(r);
	flash_set(r, PQntuples(res) ? "Vos choix ont été enregistrés." :
	    "Vos choix n'ont pas changé.");
	return resp_redirect(r, NOTIFICATIONS_PATH);
}

/*
 * POST /account/notifications/stop: confirm (checkbox, required).
 * The member's address joins the suppression list (reason 'request')
 * with a ledger row (type 'all'); nothing when it is on it already.
 * 303 back with a notice; 422 the page with the message; 503.
 */
int
account_notifications_stop_post(struct req *r)
{
	const struct form_field *fields = consent_fields(r, NULL);
	struct form f;
	PGresult *res;

	if (!fields)
		return unavailable(r);
	form_init(&f, r, stop_fields);
	form_also(&f, fields);
	if (form_read(&f)) {
		if (subscriptions_set(&f) < 0)
			return unavailable(r);
		return notifications_page(&f, 422);
	}
	if (!(res = q(r, STMT_CONSENT_STOP, r->user->id_str, r->user->email)))
		return unavailable(r);
	flash_set(r, PQntuples(res) ? "C'est noté : vous ne recevrez plus "
	    "aucun e-mail de campagne." : "Votre adresse ne reçoit déjà plus "
	    "d'e-mail de campagne.");
	return resp_redirect(r, NOTIFICATIONS_PATH);
}

/*
 * POST /account/notifications/resume: lift the member's own "never
 * again" (reason 'request' only) with a ledger row. A bounce, a
 * complaint or an admin's block stays (the page says why). 303 back
 * with a notice; 503.
 */
int
account_notifications_resume_post(struct req *r)
{
	PGresult *res = q(r, STMT_CONSENT_RESUME, r->user->id_str,
	    r->user->email);

	if (!res)
		return unavailable(r);
	flash_set(r, PQntuples(res) ? "Vous recevrez de nouveau les e-mails "
	    "que vous avez choisis." : "Ce blocage ne peut pas être levé "
	    "depuis cette page.");
	return resp_redirect(r, NOTIFICATIONS_PATH);
}
