/*
 * export: the member's own data, the GDPR right of access (issue 11,
 * section 4). GET /account/export shows it as a readable page, GET
 * /account/export.json hands the same as one JSON file.
 *
 * What is exported is a table (sections[]): each section is one
 * statement of sql_export.def and its columns, with the JSON key, the
 * label of the page and the kind of value of each. The JSON and the page
 * are built from the same rows by the same loop, so neither can show what
 * the other leaves out.
 *
 * Every statement is keyed on the member of the session (and their
 * address): no route takes an id, so nobody can read another member's
 * export. Other people appear as a first name and an initial, never by
 * address or phone (sql_export.def). Neither answer is kept by any cache
 * (Cache-Control: no-store).
 */
#include <assert.h>
#include <time.h>

#include "../core/common.h"
#include "../core/buf.h"
#include "../core/volstate.h"
#include "features.h"

enum exp_kind {
	XK_TEXT,	/* a string */
	XK_INT,		/* a number */
	XK_BOOL,	/* true / false, "oui" / "non" */
	XK_TIME,	/* "YYYY-MM-DDTHH:MM:SS", Paris time */
	XK_DATE,	/* "YYYY-MM-DD" */
	XK_CENTS,	/* an amount in cents; the page shows euros */
	XK_APP_STATE,	/* an application's status (volstate labels) */
	XK_ORG_STATE,	/* an organisation's status */
};

struct exp_col {
	const char *key;	/* in the JSON */
	const char *label;	/* on the page */
	int col;		/* the ROW constant */
	enum exp_kind kind;
};

struct exp_section {
	const char *key, *title, *empty;
	enum stmt stmt;
	int by_email;		/* the statement takes the address as $2 */
	int single;		/* one object (the profile), not a list */
	const struct exp_col *cols;
	size_t ncols;
};

#define COLS(a) a, ARRAY_SIZE(a)

static const struct exp_col profile_cols[] = {
	{ "uuid", "Identifiant", EXP_UUID, XK_TEXT },
	{ "email", "Adresse e-mail", EXP_EMAIL, XK_TEXT },
	{ "first_name", "Prénom", EXP_FIRST_NAME, XK_TEXT },
	{ "last_name", "Nom", EXP_LAST_NAME, XK_TEXT },
	{ "gender", "Genre", EXP_GENDER, XK_TEXT },
	{ "birth_date", "Date de naissance", EXP_BIRTH_DATE, XK_DATE },
	{ "phone", "Téléphone", EXP_PHONE, XK_TEXT },
	{ "street", "Adresse", EXP_STREET, XK_TEXT },
	{ "postal_code", "Code postal", EXP_POSTAL_CODE, XK_TEXT },
	{ "country", "Pays", EXP_COUNTRY, XK_TEXT },
	{ "city_insee", "Code INSEE de la commune", EXP_CITY_INSEE, XK_TEXT },
	{ "city_name", "Commune", EXP_CITY_NAME, XK_TEXT },
	{ "role", "Rôle", EXP_ROLE, XK_TEXT },
	{ "status", "État du compte", EXP_STATUS, XK_TEXT },
	{ "referent_of", "Référent des départements", EXP_REFERENT_OF,
	    XK_TEXT },
	{ "charter_accepted_at", "Charte acceptée le", EXP_CHARTER_AT,
	    XK_TIME },
	{ "created_at", "Inscription", EXP_CREATED_AT, XK_TIME },
	{ "activated_at", "Confirmation de l'adresse", EXP_ACTIVATED_AT,
	    XK_TIME },
	{ "last_login_at", "Dernière connexion", EXP_LAST_LOGIN_AT, XK_TIME },
};

static const struct exp_col subscription_cols[] = {
	{ "type", "Code", EXPS_TYPE, XK_TEXT },
	{ "label", "E-mails", EXPS_LABEL, XK_TEXT },
	{ "since", "Depuis", EXPS_SINCE, XK_TIME },
};

static const struct exp_col consent_cols[] = {
	{ "at", "Date", EXPC_AT, XK_TIME },
	{ "type", "E-mails", EXPC_TYPE, XK_TEXT },
	{ "subscribed", "Abonné", EXPC_SUBSCRIBED, XK_BOOL },
	{ "source", "Origine", EXPC_SOURCE, XK_TEXT },
	{ "detail", "Détail", EXPC_DETAIL, XK_TEXT },
};

static const struct exp_col committee_cols[] = {
	{ "name", "Comité", EXPM_NAME, XK_TEXT },
	{ "slug", "Adresse de la page", EXPM_SLUG, XK_TEXT },
	{ "city", "Commune", EXPM_CITY, XK_TEXT },
	{ "role", "Rôle", EXPM_ROLE, XK_TEXT },
	{ "notify_messages", "Reçoit ses messages", EXPM_NOTIFY_MESSAGES,
	    XK_BOOL },
	{ "notify_events", "Reçoit ses événements", EXPM_NOTIFY_EVENTS,
	    XK_BOOL },
	{ "joined_at", "Depuis", EXPM_JOINED_AT, XK_TIME },
};

static const struct exp_col committee_message_cols[] = {
	{ "committee", "Comité", EXPCM_COMMITTEE, XK_TEXT },
	{ "subject", "Objet", EXPCM_SUBJECT, XK_TEXT },
	{ "body", "Message", EXPCM_BODY, XK_TEXT },
	{ "created_at", "Date", EXPCM_CREATED_AT, XK_TIME },
};

static const struct exp_col event_cols[] = {
	{ "event", "Événement", EXPE_NAME, XK_TEXT },
	{ "slug", "Adresse de la page", EXPE_SLUG, XK_TEXT },
	{ "begins_at", "Début", EXPE_BEGINS_AT, XK_TIME },
	{ "status", "Inscription", EXPE_STATUS, XK_TEXT },
	{ "first_name", "Prénom", EXPE_FIRST_NAME, XK_TEXT },
	{ "last_name", "Nom", EXPE_LAST_NAME, XK_TEXT },
	{ "postal_code", "Code postal", EXPE_POSTAL_CODE, XK_TEXT },
	{ "news_optin", "Accepte les nouvelles", EXPE_NEWS_OPTIN, XK_BOOL },
	{ "attended", "Présent", EXPE_ATTENDED, XK_BOOL },
	{ "created_at", "Inscrit le", EXPE_CREATED_AT, XK_TIME },
	{ "cancelled_at", "Annulé le", EXPE_CANCELLED_AT, XK_TIME },
};

static const struct exp_col organised_cols[] = {
	{ "event", "Événement", EXPO_NAME, XK_TEXT },
	{ "slug", "Adresse de la page", EXPO_SLUG, XK_TEXT },
	{ "begins_at", "Début", EXPO_BEGINS_AT, XK_TIME },
	{ "status", "État", EXPO_STATUS, XK_TEXT },
	{ "created_at", "Créé le", EXPO_CREATED_AT, XK_TIME },
};

static const struct exp_col campaign_cols[] = {
	{ "subject", "Objet", EXPK_SUBJECT, XK_TEXT },
	{ "sender", "Envoyé par", EXPK_SENDER, XK_TEXT },
	{ "committee", "Comité", EXPK_COMMITTEE, XK_TEXT },
	{ "status", "Envoi", EXPK_STATUS, XK_TEXT },
	{ "sent_at", "Envoyé le", EXPK_SENT_AT, XK_TIME },
};

static const struct exp_col invitation_cols[] = {
	{ "kind", "Invitation", EXPI_KIND, XK_TEXT },
	{ "about", "À", EXPI_ABOUT, XK_TEXT },
	{ "addresses", "Adresses", EXPI_ADDRESSES, XK_INT },
	{ "accepted_by", "Acceptée par", EXPI_ACCEPTED_BY, XK_TEXT },
	{ "created_at", "Date", EXPI_CREATED_AT, XK_TIME },
};

static const struct exp_col donation_cols[] = {
	{ "uuid", "Référence", EXPD_UUID, XK_TEXT },
	{ "kind", "Type", EXPD_KIND, XK_TEXT },
	{ "amount_cents", "Montant", EXPD_AMOUNT, XK_CENTS },
	{ "status", "État", EXPD_STATUS, XK_TEXT },
	{ "civility", "Civilité", EXPD_CIVILITY, XK_TEXT },
	{ "first_name", "Prénom", EXPD_FIRST_NAME, XK_TEXT },
	{ "last_name", "Nom", EXPD_LAST_NAME, XK_TEXT },
	{ "email", "Adresse e-mail", EXPD_EMAIL, XK_TEXT },
	{ "street", "Adresse", EXPD_STREET, XK_TEXT },
	{ "postal_code", "Code postal", EXPD_POSTAL_CODE, XK_TEXT },
	{ "city", "Commune", EXPD_CITY, XK_TEXT },
	{ "country", "Pays", EXPD_COUNTRY, XK_TEXT },
	{ "phone", "Téléphone", EXPD_PHONE, XK_TEXT },
	{ "created_at", "Date", EXPD_CREATED_AT, XK_TIME },
	{ "paid_at", "Premier paiement", EXPD_PAID_AT, XK_TIME },
	{ "ended_at", "Arrêté le", EXPD_ENDED_AT, XK_TIME },
};

static const struct exp_col payment_cols[] = {
	{ "donation", "Don", EXPP_DONATION, XK_TEXT },
	{ "amount_cents", "Montant", EXPP_AMOUNT, XK_CENTS },
	{ "paid_at", "Date", EXPP_PAID_AT, XK_TIME },
	{ "year", "Année fiscale", EXPP_YEAR, XK_INT },
	{ "receipt", "Reçu n°", EXPP_RECEIPT, XK_INT },
	{ "refunded_at", "Remboursé le", EXPP_REFUNDED_AT, XK_TIME },
};

static const struct exp_col receipt_cols[] = {
	{ "year", "Année", EXPR_YEAR, XK_INT },
	{ "number", "Numéro", EXPR_NUMBER, XK_INT },
	{ "issued_at", "Émis le", EXPR_ISSUED_AT, XK_TIME },
};

static const struct exp_col organisation_cols[] = {
	{ "name", "Organisation", EXPG_NAME, XK_TEXT },
	{ "slug", "Adresse de la page", EXPG_SLUG, XK_TEXT },
	{ "status", "État", EXPG_STATUS, XK_ORG_STATE },
	{ "legal_kind", "Statut juridique", EXPG_LEGAL_KIND, XK_TEXT },
	{ "creator", "Créée par vous", EXPG_CREATOR, XK_BOOL },
	{ "manager_since", "Responsable depuis", EXPG_MANAGER_SINCE,
	    XK_TIME },
	{ "wizard_step", "Étape du formulaire", EXPG_WIZARD_STEP, XK_TEXT },
	{ "created_at", "Créée le", EXPG_CREATED_AT, XK_TIME },
};

static const struct exp_col application_cols[] = {
	{ "id", "Candidature", EXPA_ID, XK_INT },
	{ "mission", "Mission", EXPA_MISSION, XK_TEXT },
	{ "mission_slug", "Adresse de la mission", EXPA_MISSION_SLUG,
	    XK_TEXT },
	{ "organisation", "Organisation", EXPA_ORGANISATION, XK_TEXT },
	{ "status", "État", EXPA_STATUS, XK_APP_STATE },
	{ "reason", "Raison", EXPA_REASON, XK_TEXT },
	{ "motivation", "Motivation", EXPA_MOTIVATION, XK_TEXT },
	{ "slot_starts_at", "Créneau", EXPA_SLOT, XK_TIME },
	{ "created_at", "Envoyée le", EXPA_CREATED_AT, XK_TIME },
	{ "status_at", "État depuis", EXPA_STATUS_AT, XK_TIME },
	{ "promoted_at", "Sortie de la liste d'attente", EXPA_PROMOTED_AT,
	    XK_TIME },
};

static const struct exp_col message_cols[] = {
	{ "application", "Candidature", EXPT_APPLICATION, XK_INT },
	{ "mission", "Mission", EXPT_MISSION, XK_TEXT },
	{ "side", "Côté", EXPT_SIDE, XK_TEXT },
	{ "mine", "Écrit par vous", EXPT_MINE, XK_BOOL },
	{ "author", "Auteur", EXPT_AUTHOR, XK_TEXT },
	{ "body", "Message", EXPT_BODY, XK_TEXT },
	{ "created_at", "Date", EXPT_CREATED_AT, XK_TIME },
};

static const struct exp_section sections[] = {
	{ "profile", "Mon profil", "", STMT_EXPORT_PROFILE, 0, 1,
	    COLS(profile_cols) },
	{ "subscriptions", "Mes abonnements aux e-mails",
	    "Vous ne recevez aucun e-mail d'information.",
	    STMT_EXPORT_SUBSCRIPTIONS, 0, 0, COLS(subscription_cols) },
	{ "consent_ledger", "L'historique de mes consentements",
	    "Aucun changement enregistré.", STMT_EXPORT_CONSENTS, 1, 0,
	    COLS(consent_cols) },
	{ "committees", "Mes comités", "Vous ne suivez aucun comité.",
	    STMT_EXPORT_COMMITTEES, 0, 0, COLS(committee_cols) },
	{ "committee_messages", "Mes messages aux comités",
	    "Vous n'avez publié aucun message.",
	    STMT_EXPORT_COMMITTEE_MESSAGES, 0, 0,
	    COLS(committee_message_cols) },
	{ "events", "Mes inscriptions aux événements",
	    "Aucune inscription.", STMT_EXPORT_EVENTS, 1, 0,
	    COLS(event_cols) },
	{ "events_organised", "Les événements que j'organise",
	    "Aucun événement.", STMT_EXPORT_EVENTS_ORGANISED, 0, 0,
	    COLS(organised_cols) },
	{ "campaigns_received", "Les campagnes d'e-mails reçues",
	    "Aucune campagne.", STMT_EXPORT_CAMPAIGNS, 1, 0,
	    COLS(campaign_cols) },
	{ "invitations_sent", "Mes invitations",
	    "Vous n'avez envoyé aucune invitation.",
	    STMT_EXPORT_INVITATIONS, 0, 0, COLS(invitation_cols) },
	{ "donations", "Mes dons", "Aucun don.", STMT_EXPORT_DONATIONS, 1, 0,
	    COLS(donation_cols) },
	{ "donation_payments", "Mes versements", "Aucun versement.",
	    STMT_EXPORT_PAYMENTS, 1, 0, COLS(payment_cols) },
	{ "tax_receipts", "Mes reçus fiscaux", "Aucun reçu.",
	    STMT_EXPORT_RECEIPTS, 1, 0, COLS(receipt_cols) },
	{ "organisations", "Mes organisations",
	    "Vous ne gérez aucune organisation.", STMT_EXPORT_ORGANISATIONS,
	    0, 0, COLS(organisation_cols) },
	{ "applications", "Mes candidatures aux missions",
	    "Aucune candidature.", STMT_EXPORT_APPLICATIONS, 0, 0,
	    COLS(application_cols) },
	{ "messages", "Mes messages avec les organisations",
	    "Aucun message.", STMT_EXPORT_MESSAGES, 0, 0,
	    COLS(message_cols) },
};

/* The rows of every section, in order; NULL when PostgreSQL failed.
 * Read in one read-only transaction: one consistent picture. */
static PGresult **
export_read(struct req *r)
{
	PGresult **res = arena_alloc(&r->arena, sizeof(*res) *
	    ARRAY_SIZE(sections));
	const struct user *u = r->user;

	if (db_begin(&r->app->db) < 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		res[i] = sections[i].by_email ?
		    q(r, sections[i].stmt, u->id_str, u->email) :
		    q(r, sections[i].stmt, u->id_str);
		if (!res[i]) {
			db_rollback(&r->app->db);
			return NULL;
		}
	}
	if (db_commit(&r->app->db) < 0)
		return NULL;
	return res;
}

static json_t *
cell_json(const PGresult *res, int row, const struct exp_col *c)
{
	const char *s = db_str(res, row, c->col);

	if (PQgetisnull(res, row, c->col))
		return json_null();
	switch (c->kind) {
	case XK_INT:
	case XK_CENTS:
		return json_integer(db_long(res, row, c->col));
	case XK_BOOL:
		return json_boolean(db_bool(res, row, c->col));
	default:
		return json_string(s);
	}
}

/* "2024-05-01T09:30:00" → "01/05/2024 à 09:30", "2024-05-01" →
 * "01/05/2024"; anything else as it is. */
static const char *
french_time(struct req *r, const char *s, int with_time)
{
	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return s;
	if (!with_time || strlen(s) < 16)
		return arena_printf(&r->arena, "%.2s/%.2s/%.4s", s + 8, s + 5,
		    s);
	return arena_printf(&r->arena, "%.2s/%.2s/%.4s à %.5s", s + 8, s + 5,
	    s, s + 11);
}

static const char *
cell_text(struct req *r, const PGresult *res, int row,
    const struct exp_col *c)
{
	const char *s = db_str(res, row, c->col);
	long n;

	if (PQgetisnull(res, row, c->col))
		return "—";
	switch (c->kind) {
	case XK_BOOL:
		return db_bool(res, row, c->col) ? "oui" : "non";
	case XK_TIME:
		return french_time(r, s, 1);
	case XK_DATE:
		return french_time(r, s, 0);
	case XK_CENTS:
		n = db_long(res, row, c->col);
		return arena_printf(&r->arena, "%ld,%02ld €", n / 100, n % 100);
	case XK_APP_STATE:
		return vs_state(&vs_application, s) >= 0 ? vs_label(
		    &vs_application, vs_state(&vs_application, s)) : s;
	case XK_ORG_STATE:
		return vs_state(&vs_organisation, s) >= 0 ? vs_label(
		    &vs_organisation, vs_state(&vs_organisation, s)) : s;
	default:
		return s;
	}
}

static json_t *
row_json(const PGresult *res, int row, const struct exp_section *sec)
{
	json_t *o = json_object();

	for (size_t k = 0; k < sec->ncols; k++)
		json_object_set_new(o, sec->cols[k].key, cell_json(res, row,
		    &sec->cols[k]));
	return o;
}

/*
 * GET /account/export.json: the member's data as one JSON file
 * (attachment): {"format", "generated_at", "time_zone", then one key per
 * section: "profile" an object, the others arrays of objects}. SQL NULL
 * is null; amounts are cents. 200; 503 (problem+json).
 */
int
export_json_get(struct req *r)
{
	PGresult **res = export_read(r);
	char now[32], *s;
	time_t t = time(NULL);
	struct tm tm;
	json_t *out;

	if (!res)
		return unavailable(r);
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	out = json_pack("{s:s, s:s, s:s}", "format", "civitas-export/1",
	    "generated_at", now, "time_zone", "Europe/Paris");
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		const struct exp_section *sec = &sections[i];
		json_t *v;

		if (sec->single) {
			v = PQntuples(res[i]) ? row_json(res[i], 0, sec) :
			    json_null();
		} else {
			v = json_array();
			for (int j = 0; j < PQntuples(res[i]); j++)
				json_array_append_new(v, row_json(res[i], j,
				    sec));
		}
		json_object_set_new(out, sec->key, v);
	}
	s = json_dumps(out, JSON_INDENT(2));
	json_decref(out);
	if (!s)
		return 500;
	buf_reset(&r->body);
	buf_puts(&r->body, s);
	buf_putc(&r->body, '\n');
	free(s);
	r->ctype = "application/json; charset=utf-8";
	r->cache = "no-store";
	resp_header(r, "Content-Disposition",
	    "attachment; filename=\"mes-donnees-civitas.json\"");
	resp_header(r, "X-Content-Type-Options", "nosniff");
	return 200;
}

/* One section of the page (views/export_section.html) appended to out.
 * 0, or -1 on a template error. */
static int
section_html(struct req *r, const struct exp_section *sec,
    const PGresult *res, struct buf *out)
{
	const char *cells[32];
	struct view v;
	struct view_rows rows;
	int n = PQntuples(res);

	assert(sec->ncols <= ARRAY_SIZE(cells));
	view_init(&v, &r->arena, 0);
	view_str(&v, "key", sec->key);
	view_str(&v, "title", sec->title);
	view_str(&v, "empty", sec->empty);
	view_int(&v, "n", n);
	view_int(&v, "single", sec->single);
	view_rows_init(&rows, &v);
	for (size_t k = 0; k < sec->ncols; k++)
		view_rows_add(&rows, 1, sec->cols[k].label);
	view_rows_set(&v, "heads", &rows);
	view_rows_init(&rows, &v);
	if (sec->single && n)
		for (size_t k = 0; k < sec->ncols; k++)
			view_rows_add(&rows, 2, sec->cols[k].label,
			    cell_text(r, res, 0, &sec->cols[k]));
	view_rows_set(&v, "fields", &rows);
	view_rows_init(&rows, &v);
	for (int j = 0; !sec->single && j < n; j++) {
		for (size_t k = 0; k < sec->ncols; k++)
			cells[k] = cell_text(r, res, j, &sec->cols[k]);
		view_rows_add_cells(&rows, 0, (int)sec->ncols, cells);
	}
	view_rows_set(&v, "rows", &rows);
	return view_render(&r->app->views, "export_section", &v, out);
}

/*
 * GET /account/export: the same data as a page, one section per kind,
 * with the link to the JSON file. 200; 503.
 */
int
export_get(struct req *r)
{
	PGresult **res = export_read(r);
	struct buf html;
	struct view v;
	struct view_rows toc;
	int rc = 0;

	if (!res)
		return unavailable(r);
	buf_init(&html, MAX_OUTPUT);
	view_init(&v, &r->arena, 0);
	view_rows_init(&toc, &v);
	for (size_t i = 0; i < ARRAY_SIZE(sections) && rc == 0; i++) {
		view_rows_add(&toc, 2, sections[i].key, sections[i].title);
		rc = section_html(r, &sections[i], res[i], &html);
	}
	if (rc < 0) {
		buf_release(&html);
		return 500;
	}
	view_rows_set(&v, "toc", &toc);
	view_raw_html_already_safe(&v, "sections", arena_strndup(&r->arena,
	    html.data ? html.data : "", html.len));
	buf_release(&html);
	r->cache = "no-store";
	return render(r, 200, "account_export", &v, "Mes données");
}
