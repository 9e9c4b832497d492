/*
 * campaigns: the sender kinds and their scopes, the list of campaigns
 * and the form that writes one (new, edit) for admins, referents and
 * hosts (campaigns.h). The campaign's own page and its actions are
 * campaigns_send.c's.
 */
#include "../core/common.h"
#include "admin.h"
#include "campaigns.h"
#include "features.h"

#define PLACES_MAX 400		/* characters of the typed départements */

/* ---- the form ------------------------------------------------------ */

#define SUBJECT_FIELD \
	{ "subject", F_REQUIRED, 1, 200, .msg = { \
	    [VALID_MISSING] = "Veuillez indiquer l'objet du message.", \
	    [VALID_TOO_LONG] = "L'objet doit comporter au plus 200 " \
		"caractères." } }
#define BODY_FIELD \
	{ "body", F_REQUIRED | F_MULTILINE, 1, CAMPAIGN_BODY_MAX, .msg = { \
	    [VALID_MISSING] = "Veuillez écrire le message.", \
	    [VALID_TOO_LONG] = "Le message doit comporter au plus 100 000 " \
		"caractères." } }
#define PLACES_FIELD \
	{ "departements", 0, 0, PLACES_MAX, .msg = { \
	    [VALID_TOO_LONG] = "Indiquez au plus une centaine de " \
		"départements." } }
#define REGION(code) { "region_" code, F_CHECKBOX }

static const char *const local_audiences[] = { "members", "subscribers",
	"everyone", NULL };
static const char *const all_audiences[] = { "members", "subscribers",
	"everyone", "committee", "event", NULL };
static const char *const types[] = { "national", "committees", "events",
	"departement", NULL };

static const char *const region_codes[] = { "01", "02", "03", "04", "06",
	"11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93",
	"94" };

static const struct form_field admin_fields[] = {
	SUBJECT_FIELD,
	BODY_FIELD,
	{ "subscription_type", F_REQUIRED, .choices = types,
	    .initial = "national", .msg = {
	    [VALID_MISSING] = "Choisissez le type d'abonnement.",
	    [VALID_INVALID] = "Choisissez l'un des types d'abonnement "
		"proposés." } },
	{ "audience", F_REQUIRED, .choices = all_audiences,
	    .initial = "members", .msg = {
	    [VALID_MISSING] = "Choisissez les destinataires.",
	    [VALID_INVALID] = "Choisissez l'un des publics proposés." } },
	PLACES_FIELD,
	REGION("01"), REGION("02"), REGION("03"), REGION("04"), REGION("06"),
	REGION("11"), REGION("24"), REGION("27"), REGION("28"), REGION("32"),
	REGION("44"), REGION("52"), REGION("53"), REGION("75"), REGION("76"),
	REGION("84"), REGION("93"), REGION("94"),
	{ "committee", 0, 0, SLUG_MAX, .msg = {
	    [VALID_TOO_LONG] = "Ce comité n'existe pas." } },
	{ "event", 0, 0, 200, .msg = {
	    [VALID_TOO_LONG] = "Cet événement n'existe pas." } },
	{ NULL }
};

static const struct form_field referent_fields[] = {
	SUBJECT_FIELD,
	BODY_FIELD,
	{ "audience", F_REQUIRED, .choices = local_audiences,
	    .initial = "members", .msg = {
	    [VALID_MISSING] = "Choisissez les destinataires.",
	    [VALID_INVALID] = "Choisissez l'un des publics proposés." } },
	PLACES_FIELD,
	{ NULL }
};

static const struct form_field host_fields[] = {
	SUBJECT_FIELD,
	BODY_FIELD,
	{ NULL }
};

/* ---- the kinds and their scopes ------------------------------------ */

static int
admin_scope(struct req *r, struct campaign_scope *s)
{
	(void)r;
	s->base = "/admin/campaigns";
	return 0;
}

static int
referent_scope(struct req *r, struct campaign_scope *s)
{
	s->base = "/referent/campaigns";
	if (!(s->areas = q(r, STMT_REFERENT_AREAS, r->user->id_str)))
		return unavailable(r);
	return PQntuples(s->areas) ? 0 : 403;
}

static int
host_scope(struct req *r, struct campaign_scope *s)
{
	int rc;

	if ((rc = committee_managed(r, &s->c)))
		return rc;
	s->committee_id = s->c.id_str;
	s->committee_name = s->c.name;
	s->committee_slug = s->c.slug;
	s->base = arena_printf(&r->arena, "/committees/%s/manage/campaigns",
	    s->c.slug);
	return 0;
}

const struct campaign_kind campaigns_admin = { CS_ADMIN, "admin", 0,
	admin_fields, admin_scope };
const struct campaign_kind campaigns_referent = { CS_REFERENT, "referent",
	0, referent_fields, referent_scope };
const struct campaign_kind campaigns_host = { CS_HOST, "host", 1,
	host_fields, host_scope };

int
campaign_scope_load(struct req *r, struct campaign_scope *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = r->route->data;
	s->member_id = r->user->id_str;
	s->committee_id = s->committee_name = s->committee_slug = "";
	return s->kind->load(r, s);
}

int
campaign_load(struct req *r, const struct campaign_scope *s, PGresult **row)
{
	const char *id = r->params[s->kind->id_param];
	long n;

	if (!id || parse_long(id, 1, LONG_MAX, &n) < 0)
		return 404;
	if (!(*row = q(r, STMT_CAMPAIGN_GET, id, s->kind->name, s->member_id,
	    s->committee_id)))
		return unavailable(r);
	return PQntuples(*row) == 1 ? 0 : 404;
}

void
campaign_chrome(struct req *r, const struct campaign_scope *s,
    struct view *v)
{
	const char *flash;

	view_str(v, "base", s->base);
	view_str(v, "kind", s->kind->name);
	view_str(v, "committee_name", s->committee_name);
	view_str(v, "ph_first_name", "{first_name}");
	view_str(v, "ph_committee", "{committee}");
	view_str(v, "ph_unsubscribe_url", "{unsubscribe_url}");
	if (s->kind->sender == CS_ADMIN) {
		admin_chrome(r, v, "/admin/campaigns");
		return;
	}
	flash = flash_take(r);
	view_str(v, "notice", flash ? flash : "");
	view_raw_html_already_safe(v, "nav", s->kind->sender == CS_HOST ?
	    arena_printf(&r->arena, "<p class=\"breadcrumb\"><a href=\""
	    "/committees/%s/manage\">Gérer %s</a></p>", html_text(r,
	    s->committee_slug), html_text(r, s->committee_name)) :
	    "<p class=\"breadcrumb\"><a href=\"/account\">Mon compte</a></p>");
}

const char *
campaign_status_label(const char *status)
{
	static const char *const labels[][2] = {
		{ "draft", "Brouillon" }, { "scheduled", "Programmée" },
		{ "sending", "En cours d'envoi" }, { "paused", "En pause" },
		{ "cancelled", "Annulée" }, { "finished", "Envoyée" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
		if (!strcmp(labels[i][0], status))
			return labels[i][1];
	return status;
}

const char *
campaign_audience_label(struct req *r, const PGresult *row)
{
	const char *a = db_str(row, 0, CA_AUDIENCE), *who;
	const char *deps = db_str(row, 0, CA_DEPARTEMENTS);
	const char *regs = db_str(row, 0, CA_REGIONS);

	if (!strcmp(a, "committee"))
		return arena_printf(&r->arena, "Les membres du comité « %s »",
		    db_str(row, 0, CA_COMMITTEE_NAME));
	if (!strcmp(a, "event"))
		return arena_printf(&r->arena, "Les inscrits à l'événement "
		    "« %s »", db_str(row, 0, CA_EVENT_NAME));
	who = !strcmp(a, "members") ? "Les adhérents" : !strcmp(a,
	    "subscribers") ? "Les abonnés à la lettre d'information" :
	    "Les adhérents et les abonnés à la lettre d'information";
	if (!*deps && !*regs)
		return arena_printf(&r->arena, "%s, partout", who);
	return arena_printf(&r->arena, "%s%s%s%s%s", who,
	    *deps ? ", départements " : "", deps,
	    *regs ? ", régions " : "", regs);
}

int
campaign_scope_allows(const struct campaign_scope *s, const char *deps)
{
	const char *p = deps;

	if (s->kind->sender != CS_REFERENT)
		return 1;
	if (!*deps)
		return 0;
	while (*p) {
		size_t n = strcspn(p, " ");
		int mine = 0;

		for (int i = 0; i < PQntuples(s->areas); i++) {
			const char *code = db_str(s->areas, i, PLACE_CODE);

			mine |= strlen(code) == n && !strncmp(code, p, n);
		}
		if (!mine)
			return 0;
		p += n;
		p += *p == ' ';
	}
	return 1;
}

int
campaign_audit(struct req *r, const char *action, long id, const char *label)
{
	return audit(r, action, "campaign", id, label);
}

/* ---- the list ------------------------------------------------------ */

/*
 * GET /admin/campaigns, /referent/campaigns,
 * /committees/{slug}/manage/campaigns ?page=N: the scope's campaigns,
 * newest first, with their status and counts. 200; 303 to login; 403
 * (not an admin, not a referent, not a host of the committee); 404;
 * 503.
 */
int
campaigns_list_get(struct req *r)
{
	struct campaign_scope s;
	const char *p = req_query(r, "page");
	struct view_rows rows;
	long page = 1, total = 0, last;
	PGresult *res;
	struct view v;
	int rc;

	if ((rc = campaign_scope_load(r, &s)))
		return rc;
	if (p && parse_long(p, 1, 100000, &page) < 0)
		page = 1;
	if (!(res = q(r, STMT_CAMPAIGNS_LIST, s.kind->name, s.member_id,
	    s.committee_id, arena_printf(&r->arena, "%d", CAMPAIGNS_PER_PAGE),
	    arena_printf(&r->arena, "%ld", (page - 1) * CAMPAIGNS_PER_PAGE))))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	campaign_chrome(r, &s, &v);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++) {
		view_rows_add(&rows, 7, db_str(res, i, CLS_ID),
		    db_str(res, i, CLS_SUBJECT),
		    campaign_status_label(db_str(res, i, CLS_STATUS)),
		    db_str(res, i, CLS_TOTAL), db_str(res, i, CLS_SENT),
		    db_str(res, i, CLS_FAILED), db_str(res, i, CLS_WHEN));
		total = db_long(res, i, CLS_COUNT);
	}
	view_rows_set(&v, "rows", &rows);
	last = MAX(1, (total + CAMPAIGNS_PER_PAGE - 1) / CAMPAIGNS_PER_PAGE);
	view_int(&v, "empty", PQntuples(res) == 0);
	view_int(&v, "total", total);
	view_str(&v, "caption", arena_printf(&r->arena, "%ld campagne(s), les "
	    "plus récentes d'abord — page %ld sur %ld", total, page, last));
	view_str(&v, "prev", page > 1 ? arena_printf(&r->arena, "%s?page=%ld",
	    s.base, MIN(page - 1, last)) : "");
	view_str(&v, "next", page < last ? arena_printf(&r->arena,
	    "%s?page=%ld", s.base, page + 1) : "");
	return render(r, 200, "campaigns", &v, "Campagnes d'e-mails");
}

/* ---- the form ------------------------------------------------------ */

/* What a saved form stores (strings in r's arena, "" for none). */
struct campaign_values {
	const char *committee_id, *audience, *deps, *regions, *event_id;
	const char *type;
};

/* The typed départements ("69, 01 2a") checked against the table (and
 * a referent's areas) into v->deps ("69 01 2A"), or a message on the
 * field. A referent who types none gets all theirs. 0, or -1 (503). */
static int
check_places(struct form *f, const struct campaign_scope *s,
    struct campaign_values *v)
{
	struct req *r = f->r;
	const char *p = form_get(f, "departements");
	PGresult *all = q(r, STMT_DEPARTEMENTS);
	struct buf b;

	if (!all)
		return -1;
	buf_init(&b, PLACES_MAX * 2 + 64);
	while (*p) {
		char code[8];
		size_t n;
		int known = 0;

		p += strspn(p, " ,;");
		n = strcspn(p, " ,;");
		if (!n)
			break;
		snprintf(code, sizeof(code), "%.*s", (int)MIN(n, 7), p);
		for (char *c = code; *c; c++)
			*c = (char)(*c == 'a' ? 'A' : *c == 'b' ? 'B' : *c);
		p += n;
		for (int i = 0; i < PQntuples(all); i++)
			known |= !strcmp(db_str(all, i, PLACE_CODE), code);
		if (!known) {
			form_error(f, "departements", arena_printf(&r->arena,
			    "Le département « %s » n'existe pas : indiquez des "
			    "numéros de département (69, 2A, 974...).",
			    code));
			break;
		}
		if (b.len && strstr(arena_printf(&r->arena, " %s ",
		    b.data), arena_printf(&r->arena, " %s ", code)))
			continue;
		buf_printf(&b, "%s%s", b.len ? " " : "", code);
		if (!campaign_scope_allows(s, code)) {
			form_error(f, "departements", arena_printf(&r->arena,
			    "Vous n'êtes pas référent du département « %s » : "
			    "vous ne pouvez écrire qu'aux départements qui vous "
			    "sont confiés.", code));
			break;
		}
	}
	v->deps = arena_strndup(&r->arena, b.data ? b.data : "", b.len);
	buf_release(&b);
	if (s->kind->sender == CS_REFERENT && !*v->deps) {
		buf_init(&b, 4096);
		for (int i = 0; i < PQntuples(s->areas); i++)
			buf_printf(&b, "%s%s", i ? " " : "",
			    db_str(s->areas, i, PLACE_CODE));
		v->deps = arena_strndup(&r->arena, b.data, b.len);
		buf_release(&b);
	}
	return 0;
}

/* The admin's extra fields: regions, the committee or the event. 0, or
 * -1 (503). */
static int
check_admin(struct form *f, struct campaign_values *v)
{
	struct req *r = f->r;
	struct buf b;
	PGresult *res;

	buf_init(&b, 256);
	for (size_t i = 0; i < ARRAY_SIZE(region_codes); i++)
		if (*form_get(f, arena_printf(&r->arena, "region_%s",
		    region_codes[i])))
			buf_printf(&b, "%s%s", b.len ? " " : "",
			    region_codes[i]);
	v->regions = arena_strndup(&r->arena, b.data ? b.data : "", b.len);
	buf_release(&b);
	v->type = form_get(f, "subscription_type");
	v->audience = form_get(f, "audience");
	if (!strcmp(v->audience, "committee")) {
		if (!(res = q(r, STMT_CAMPAIGN_COMMITTEE_BY_SLUG,
		    form_get(f, "committee"))))
			return -1;
		if (PQntuples(res) == 1)
			v->committee_id = db_str(res, 0, CREF_ID);
		else
			form_error(f, "committee", *form_get(f, "committee") ?
			    "Aucun comité validé n'a cette adresse." :
			    "Indiquez l'adresse du comité (son identifiant "
			    "dans /committees/…).");
	}
	if (!strcmp(v->audience, "event")) {
		if (!(res = q(r, STMT_CAMPAIGN_EVENT_BY_SLUG,
		    form_get(f, "event"))))
			return -1;
		if (PQntuples(res) == 1)
			v->event_id = db_str(res, 0, CREF_ID);
		else
			form_error(f, "event", *form_get(f, "event") ?
			    "Aucun événement n'a cette adresse." :
			    "Indiquez l'adresse de l'événement (son "
			    "identifiant dans /events/…).");
	}
	if (!strcmp(v->audience, "committee") || !strcmp(v->audience,
	    "event"))
		v->deps = v->regions = "";
	return 0;
}

/* Read and check the posted form of s's kind into v: the number of
 * errors, or -1 (503). */
static int
campaign_read(struct form *f, const struct campaign_scope *s,
    struct campaign_values *v)
{
	memset(v, 0, sizeof(*v));
	v->committee_id = s->committee_id;
	v->deps = v->regions = v->event_id = "";
	form_read(f);
	switch (s->kind->sender) {
	case CS_HOST:
		v->audience = "committee";
		v->type = "committees";
		break;
	case CS_REFERENT:
		v->audience = form_get(f, "audience");
		v->type = "departement";
		if (check_places(f, s, v) < 0)
			return -1;
		break;
	case CS_ADMIN:
		if (check_places(f, s, v) < 0 || check_admin(f, v) < 0)
			return -1;
		break;
	}
	return f->errors;
}

/* The form's region checkboxes and the reference lists, into f's view. */
static int
form_places(struct form *f, const struct campaign_scope *s)
{
	struct req *r = f->r;
	PGresult *regs = NULL, *deps = NULL;
	struct view_rows rows;

	if (s->kind->sender == CS_ADMIN && (!(regs = q(r, STMT_REGIONS)) ||
	    !(deps = q(r, STMT_DEPARTEMENTS))))
		return -1;
	view_rows_init(&rows, &f->v);
	for (int i = 0; regs && i < PQntuples(regs); i++) {
		const char *code = db_str(regs, i, PLACE_CODE);

		view_rows_add(&rows, 3, code, db_str(regs, i, PLACE_NAME),
		    form_get(f, arena_printf(&r->arena, "region_%s", code)));
	}
	view_rows_set(&f->v, "regions", &rows);
	view_rows_init(&rows, &f->v);
	for (int i = 0; deps && i < PQntuples(deps); i++)
		view_rows_add(&rows, 3, db_str(deps, i, PLACE_CODE),
		    db_str(deps, i, PLACE_NAME), db_str(deps, i, PLACE_REGION));
	view_rows_set(&f->v, "departements", &rows);
	view_rows_init(&rows, &f->v);
	for (int i = 0; s->areas && i < PQntuples(s->areas); i++)
		view_rows_add(&rows, 2, db_str(s->areas, i, PLACE_CODE),
		    db_str(s->areas, i, PLACE_NAME));
	view_rows_set(&f->v, "areas", &rows);
	return 0;
}

/* The form page: new (id NULL) or the edit of draft id. */
static int
form_page(struct form *f, const struct campaign_scope *s, const char *id,
    int status)
{
	struct req *r = f->r;
	const char *title = id ? "Modifier la campagne" : "Nouvelle campagne";

	static const char *const others[] = { "subscription_type", "audience",
		"departements", "committee", "event" };

	if (form_places(f, s) < 0)
		return unavailable(r);
	for (size_t i = 0; s->kind->sender != CS_ADMIN &&
	    i < ARRAY_SIZE(others); i++)
		if (s->kind->sender == CS_HOST || (strcmp(others[i],
		    "audience") && strcmp(others[i], "departements"))) {
			view_str(&f->v, arena_printf(&r->arena, "v_%s",
			    others[i]), "");
			view_str(&f->v, arena_printf(&r->arena, "error_%s",
			    others[i]), "");
		}
	campaign_chrome(r, s, &f->v);
	view_str(&f->v, "heading", title);
	view_str(&f->v, "id", id ? id : "");
	view_str(&f->v, "action", id ? arena_printf(&r->arena, "%s/%s/edit",
	    s->base, id) : arena_printf(&r->arena, "%s/new", s->base));
	return form_render(f, status, "campaign_form", title);
}

/*
 * GET /.../campaigns/new: the form (the kind's fields). POST: subject,
 * body (Markdown with {first_name}, {committee}, {unsubscribe_url});
 * admins: subscription_type, audience, departements (codes), region_XX
 * checkboxes, committee or event (slugs); referents: audience,
 * departements (theirs only; none: all theirs). A draft is created
 * with its body rendered (body_html, as the mail worker will use it),
 * audited. 303 to its page; 422 with the values (a département outside
 * a referent's areas included: nothing saved); 403; 404; 503.
 */
int
campaign_new(struct req *r)
{
	struct campaign_values v;
	struct campaign_scope s;
	const char *html;
	struct form f;
	PGresult *res;
	int rc;

	if ((rc = campaign_scope_load(r, &s)))
		return rc;
	form_init(&f, r, s.kind->fields);
	if (r->method != HTTP_POST)
		return form_page(&f, &s, NULL, 200);
	if ((rc = campaign_read(&f, &s, &v)) < 0)
		return unavailable(r);
	if (rc)
		return form_page(&f, &s, NULL, 422);
	if (!(html = render_body(r, form_get(&f, "body"))))
		return 500;
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_CAMPAIGN_INSERT,
	    s.kind->name, r->user->id_str, v.committee_id,
	    form_get(&f, "subject"), form_get(&f, "body"), v.audience, v.deps,
	    v.regions, v.event_id, v.type, html)) || campaign_audit(r,
	    "campaign.create", db_long(res, 0, RETURNING_ID),
	    form_get(&f, "subject")) < 0 || db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	flash_set(r, "La campagne est enregistrée comme brouillon : "
	    "prévisualisez-la, envoyez-vous un test, puis envoyez-la.");
	return resp_redirect(r, arena_printf(&r->arena, "%s/%s", s.base,
	    db_str(res, 0, RETURNING_ID)));
}

/* The stored values of row as the form shows them. */
static void
form_from_row(struct form *f, const struct campaign_scope *s,
    const PGresult *row)
{
	struct req *r = f->r;
	const char *regs = db_str(row, 0, CA_REGIONS);

	form_set(f, "subject", db_str(row, 0, CA_SUBJECT));
	form_set(f, "body", db_str(row, 0, CA_BODY_MD));
	if (s->kind->sender == CS_HOST)
		return;
	form_set(f, "audience", db_str(row, 0, CA_AUDIENCE));
	form_set(f, "departements", db_str(row, 0, CA_DEPARTEMENTS));
	if (s->kind->sender != CS_ADMIN)
		return;
	form_set(f, "subscription_type", db_str(row, 0, CA_TYPE));
	form_set(f, "committee", db_str(row, 0, CA_COMMITTEE_SLUG));
	form_set(f, "event", db_str(row, 0, CA_EVENT_SLUG));
	for (size_t i = 0; i < ARRAY_SIZE(region_codes); i++)
		if (strstr(regs, region_codes[i]))
			form_set(f, arena_printf(&r->arena, "region_%s",
			    region_codes[i]), "1");
}

/*
 * GET /.../campaigns/{id}/edit: the form of a draft of the scope. POST:
 * the fields of campaign_new; saved (the draft only), audited. 303 to its
 * page; 409 (no longer a draft); 422; 403; 404 (not in the scope); 503.
 */
int
campaign_edit(struct req *r)
{
	struct campaign_values v;
	struct campaign_scope s;
	const char *id, *html;
	struct form f;
	PGresult *row, *res;
	int rc;

	if ((rc = campaign_scope_load(r, &s)) || (rc = campaign_load(r, &s,
	    &row)))
		return rc;
	id = db_str(row, 0, CA_ID);
	if (strcmp(db_str(row, 0, CA_STATUS), "draft"))
		return message_page(r, 409, "Campagne déjà envoyée", "Seul un "
		    "brouillon peut être modifié.", arena_printf(&r->arena,
		    "%s/%s", s.base, id), "Retour à la campagne");
	form_init(&f, r, s.kind->fields);
	if (r->method != HTTP_POST) {
		form_from_row(&f, &s, row);
		return form_page(&f, &s, id, 200);
	}
	if ((rc = campaign_read(&f, &s, &v)) < 0)
		return unavailable(r);
	if (rc)
		return form_page(&f, &s, id, 422);
	if (!(html = render_body(r, form_get(&f, "body"))))
		return 500;
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_CAMPAIGN_UPDATE, id,
	    form_get(&f, "subject"), form_get(&f, "body"), v.audience, v.deps,
	    v.regions, v.event_id, v.type, v.committee_id, html))) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		return 409;
	}
	if (campaign_audit(r, "campaign.update", strtol(id, NULL, 10),
	    form_get(&f, "subject")) < 0 || db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	flash_set(r, "La campagne est enregistrée.");
	return resp_redirect(r, arena_printf(&r->arena, "%s/%s", s.base, id));
}
