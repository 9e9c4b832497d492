/*
 * organisations: registering an organisation (the wizard) and the
 * member's organisations.
 *
 *	GET/POST /organisations/new        a confirmed member
 *	GET      /account/organisations    a member
 *
 * The wizard is the workflow table wf_organisation (core/workflow.h);
 * its state is the member's draft row in PostgreSQL: the place is its
 * wizard_step, the answers its columns. So it resumes after a logout or
 * on another device. Each step is one compare-and-set UPDATE guarded by
 * the step the request read (... AND wizard_step = $from): a page left
 * open, a double submit or a simultaneous tab changes nothing and gets a
 * 409 that shows the step where the draft is. One draft per member is
 * PostgreSQL's rule (organisations_one_draft).
 */
#include "../core/common.h"
#include "../core/workflow.h"
#include "../infra/form.h"
#include "../infra/image.h"
#include "../infra/outbox.h"
#include "admin.h"
#include "features.h"
#include "media.h"
#include "organisations.h"

#define W (&wf_organisation)
#define TITLE "Inscrire une organisation"
#define LOGO_MAX_BYTES (5L * 1024 * 1024)

const char *const org_legal_kinds[] = { "association", "collectivity",
    "public", "private", NULL };
static const char *const legal_labels[] = { "Association",
    "Collectivité territoriale", "Organisation publique",
    "Entreprise privée" };

const char *
org_legal_kind_label(const char *kind)
{
	for (size_t i = 0; org_legal_kinds[i]; i++)
		if (!strcmp(org_legal_kinds[i], kind))
			return legal_labels[i];
	return kind;
}

/* One request of the wizard: the draft (NULL when none) and its place. */
struct wiz {
	struct req *r;
	PGresult *draft;
	PGresult *domains;
	int place;
};

/* ---- The forms of the steps ---------------------------------------- */

#define NAME_MSG "Le nom doit comporter entre 2 et 120 caractères."
#define SIRET_MSG(e) "Le numéro SIRET " e
#define RNA_MSG "Le numéro RNA s'écrit W suivi de 9 chiffres (par exemple " \
	"W751234567)."

static const struct form_field organisation_fields[] = {
	{ "name", F_REQUIRED, 2, 120, .msg = {
	    [VALID_MISSING] = "Indiquez le nom de l'organisation.",
	    [VALID_TOO_SHORT] = NAME_MSG, [VALID_TOO_LONG] = NAME_MSG } },
	{ "legal_kind", F_REQUIRED, .choices = org_legal_kinds, .msg = {
	    [VALID_MISSING] = "Choisissez le statut juridique.",
	    [VALID_INVALID] = "Choisissez le statut juridique." } },
	{ NULL }
};

static const struct form_field identifiant_fields[] = {
	{ "siret", 0, .max = 20, .valid = valid_siret, .msg = {
	    [VALID_TOO_SHORT] = SIRET_MSG("comporte 14 chiffres."),
	    [VALID_TOO_LONG] = SIRET_MSG("comporte 14 chiffres."),
	    [VALID_BAD_CHARS] = SIRET_MSG("ne contient que des chiffres."),
	    [VALID_INVALID] = SIRET_MSG("n'est pas valide (sa clé de "
		"contrôle ne correspond pas) : vérifiez-le.") } },
	{ "rna", 0, .max = 14, .valid = valid_rna, .msg = {
	    [VALID_TOO_SHORT] = RNA_MSG, [VALID_TOO_LONG] = RNA_MSG,
	    [VALID_BAD_CHARS] = RNA_MSG, [VALID_INVALID] = RNA_MSG } },
	{ NULL }
};

static const struct form_field adresse_fields[] = {
	ADDRESS_FIELDS(0, F_REQUIRED),
	{ NULL }
};

#define DESCRIPTION_MSG "La présentation doit comporter entre 20 et 5 000 " \
	"caractères."

/* The presentation: the description, the site, then domain_<slug>
 * checkboxes added from the domains table (presentation_fields()). */
static const struct form_field presentation_base[] = {
	{ "description", F_REQUIRED | F_MULTILINE, 20, 5000, .msg = {
	    [VALID_MISSING] = "Présentez l'organisation et ses actions.",
	    [VALID_TOO_SHORT] = DESCRIPTION_MSG,
	    [VALID_TOO_LONG] = DESCRIPTION_MSG } },
	{ "website_url", 0, .max = 255, .valid = valid_web_url, .msg = {
	    [VALID_TOO_LONG] = "L'adresse du site doit comporter au plus 255 "
		"caractères.",
	    [VALID_INVALID] = "Le site web doit être une adresse commençant "
		"par http:// ou https://." } },
	{ "domains", 0 },	/* never posted: holds the group's message */
};

static const struct form_field logo_fields[] = {
	{ "logo", 0 },	/* a file part: checked by logo_take() */
	{ NULL }
};

static const struct form_field charte_fields[] = {
	{ "charter", F_CHECKBOX },
	{ NULL }
};

static const struct form_field *
presentation_fields(struct wiz *w)
{
	int n = PQntuples(w->domains);
	size_t base = ARRAY_SIZE(presentation_base);
	struct form_field *f = arena_zalloc(&w->r->arena, (base + (size_t)n +
	    1) * sizeof(*f));

	memcpy(f, presentation_base, sizeof(presentation_base));
	for (int i = 0; i < n; i++) {
		f[base + (size_t)i].name = arena_printf(&w->r->arena,
		    "domain_%s", db_str(w->domains, i, DOM_SLUG));
		f[base + (size_t)i].flags = F_CHECKBOX;
	}
	return f;
}

static const struct form_field *
step_fields(struct wiz *w, int place)
{
	switch (place) {
	case ORW_ORGANISATION:
		return organisation_fields;
	case ORW_IDENTIFIANT:
		return identifiant_fields;
	case ORW_ADRESSE:
		return adresse_fields;
	case ORW_PRESENTATION:
		return presentation_fields(w);
	case ORW_LOGO:
		return logo_fields;
	default:
		return charte_fields;
	}
}

/* ---- The draft ------------------------------------------------------ */

static const char *
draft(const struct wiz *w, int col)
{
	return w->draft ? db_str(w->draft, 0, col) : "";
}

/* Load the draft, its place and the domains: 0, or -1 (503). */
static int
wiz_load(struct req *r, struct wiz *w)
{
	PGresult *res;

	w->r = r;
	w->draft = NULL;
	w->place = W->initial;
	if (!(w->domains = q(r, STMT_ORG_DOMAINS)) ||
	    !(res = q(r, STMT_ORG_DRAFT, r->user->id_str)))
		return -1;
	if (PQntuples(res) == 1) {
		w->draft = res;
		w->place = wf_place(W, db_str(res, 0, ODR_STEP));
		if (w->place < 0 || w->place == W->final)
			w->place = W->initial;
	}
	return 0;
}

/* The draft's answers, for the charter's guard. */
static void
draft_answers(const struct wiz *w, struct wf_answers *a)
{
	const char *siret = draft(w, ODR_SIRET);

	memset(a, 0, sizeof(*a));
	wf_answer_set(a, "name", draft(w, ODR_NAME));
	wf_answer_set(a, "legal_kind", draft(w, ODR_LEGAL_KIND));
	wf_answer_set(a, "identifier", *siret ? siret : draft(w, ODR_RNA));
	wf_answer_set(a, "postal_code", draft(w, ODR_POSTAL_CODE));
	wf_answer_set(a, "city_name", draft(w, ODR_CITY_NAME));
	wf_answer_set(a, "description", draft(w, ODR_DESCRIPTION));
}

/* Is domain slug among the draft's ("a,b,c")? */
static int
draft_has_domain(const struct wiz *w, const char *slug)
{
	const char *p = draft(w, ODR_DOMAINS);
	size_t n = strlen(slug);

	for (; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] != '\0'))
		if (!strncmp(p, slug, n) && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The values of the current step from the draft. */
static void
form_from_draft(struct wiz *w, struct form *f)
{
	static const struct { const char *name; int col; } cols[] = {
		{ "name", ODR_NAME }, { "legal_kind", ODR_LEGAL_KIND },
		{ "siret", ODR_SIRET }, { "rna", ODR_RNA },
		{ "street", ODR_STREET }, { "postal_code", ODR_POSTAL_CODE },
		{ "country", ODR_COUNTRY }, { "city_code", ODR_CITY_CODE },
		{ "city_name", ODR_CITY_NAME },
		{ "description", ODR_DESCRIPTION },
		{ "website_url", ODR_WEBSITE },
	};

	if (!w->draft) {
		if (w->place == ORW_ADRESSE)
			form_set(f, "country", "FR");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		for (size_t k = 0; k < f->n; k++)
			if (!strcmp(f->fields[k]->name, cols[i].name))
				form_set(f, cols[i].name, draft(w, cols[i].col));
	if (w->place == ORW_ADRESSE && !*draft(w, ODR_COUNTRY))
		form_set(f, "country", "FR");
	if (w->place == ORW_PRESENTATION)
		for (int i = 0; i < PQntuples(w->domains); i++) {
			const char *slug = db_str(w->domains, i, DOM_SLUG);

			form_set(f, arena_printf(&w->r->arena, "domain_%s",
			    slug), draft_has_domain(w, slug) ? "1" : "");
		}
}

/* ---- Pages ----------------------------------------------------------- */

static void
progress_rows(struct wiz *w, struct form *f)
{
	struct view_rows rows;

	view_rows_init(&rows, &f->v);
	for (int p = 0; p < W->final; p++) {
		const char *state = p == w->place ? "current" :
		    wf_passed(W, p, w->place) ? "done" : "todo";

		view_rows_add(&rows, 4, arena_printf(&w->r->arena, "%d", p + 1),
		    W->titles[p], state, arena_printf(&w->r->arena,
		    "modifier_%s", W->places[p]));
	}
	view_rows_set(&f->v, "steps", &rows);
}

static void
choice_rows(struct wiz *w, struct form *f)
{
	struct view_rows rows;

	view_rows_init(&rows, &f->v);
	for (size_t i = 0; w->place == ORW_ORGANISATION &&
	    org_legal_kinds[i]; i++)
		view_rows_add(&rows, 3, org_legal_kinds[i], legal_labels[i],
		    !strcmp(form_get(f, "legal_kind"), org_legal_kinds[i]) ?
		    "1" : "");
	view_rows_set(&f->v, "kinds", &rows);
	view_rows_init(&rows, &f->v);
	for (int i = 0; w->place == ORW_PRESENTATION &&
	    i < PQntuples(w->domains); i++) {
		const char *field = arena_printf(&w->r->arena, "domain_%s",
		    db_str(w->domains, i, DOM_SLUG));

		view_rows_add(&rows, 3, field, db_str(w->domains, i, DOM_NAME),
		    *form_get(f, field) ? "1" : "");
	}
	view_rows_set(&f->v, "domain_list", &rows);
}

/* The page of the current step with f's values, at status, with an
 * optional banner (a refusal). */
static int
step_page(struct wiz *w, struct form *f, int status, const char *banner,
    PGresult *communes)
{
	struct req *r = w->r;
	const struct wf_transition *fwd = wf_forward(W, w->place);
	const char *flash = flash_take(r);
	struct media_ref m = { 0 };

	progress_rows(w, f);
	choice_rows(w, f);
	if (w->place == ORW_ADRESSE && address_view(f, communes) < 0)
		return unavailable(r);
	if (w->draft)
		media_ref_read(&m, w->draft, 0, ODR_MEDIA);
	view_raw_html_already_safe(&f->v, "logo_html", media_html(r, &m,
	    "thumb", "10rem", 0));
	view_str(&f->v, "place", W->places[w->place]);
	view_str(&f->v, "step_title", W->titles[w->place]);
	view_int(&f->v, "step", w->place + 1);
	view_int(&f->v, "nsteps", W->final);
	view_str(&f->v, "transition", fwd ? fwd->name : "");
	view_str(&f->v, "button", fwd ? fwd->label : "");
	view_str(&f->v, "org_name", draft(w, ODR_NAME));
	view_str(&f->v, "is_association", !strcmp(draft(w, ODR_LEGAL_KIND),
	    "association") ? "1" : "");
	view_str(&f->v, "notice", flash ? flash : "");
	if (banner) {
		view_str(&f->v, "banner", banner);
		return render(r, status, "organisation_wizard", &f->v, TITLE);
	}
	return form_render(f, status, "organisation_wizard", TITLE);
}

static int
current_page(struct wiz *w, int status, const char *banner)
{
	struct form f;

	form_init(&f, w->r, step_fields(w, w->place));
	form_from_draft(w, &f);
	return step_page(w, &f, status, banner, NULL);
}

/* Only a confirmed member registers an organisation: the page that says
 * so, else 0. */
static int
member_refused(struct req *r)
{
	if (strcmp(r->user->status, "active"))
		return message_page(r, 403, TITLE, "Confirmez d'abord votre "
		    "adresse e-mail (le lien vous a été envoyé) pour inscrire "
		    "une organisation.", NULL, NULL);
	return 0;
}

/* GET /organisations/new (logged in): the step where the member's draft
 * is (the first when none). 200; 403 unconfirmed; 503. */
int
organisation_new_get(struct req *r)
{
	struct wiz w;
	int rc;

	if ((rc = member_refused(r)))
		return rc;
	if (wiz_load(r, &w) < 0)
		return unavailable(r);
	return current_page(&w, 200, NULL);
}

/* ---- Steps ----------------------------------------------------------- */

/* Rules across fields of a valid step. 0, or -1 (marked in f). */
static int
step_check(struct wiz *w, struct form *f, PGresult **communes)
{
	int association = !strcmp(draft(w, ODR_LEGAL_KIND), "association");

	switch (w->place) {
	case ORW_IDENTIFIANT:
		if (f->errors)
			return -1;
		/* A non-association's page has no RNA field: the message
		 * goes where the number is asked. */
		if (!association && *form_get(f, "rna"))
			form_error(f, "siret", "Seule une association a un "
			    "numéro RNA : indiquez le numéro SIRET.");
		else if (!association && !*form_get(f, "siret"))
			form_error(f, "siret", "Indiquez le numéro SIRET de "
			    "l'organisation (14 chiffres).");
		else if (!*form_get(f, "siret") && !*form_get(f, "rna"))
			form_error(f, "siret", "Indiquez le numéro SIRET ou le "
			    "numéro RNA de l'association.");
		break;
	case ORW_ADRESSE:
		if (address_check(f, communes) < 0)
			return -2;
		if (!form_has_error(f, "postal_code") &&
		    !*form_get(f, "postal_code"))
			form_error(f, "postal_code", "Indiquez le code postal.");
		break;
	case ORW_PRESENTATION: {
		int any = 0;

		for (int i = 0; i < PQntuples(w->domains); i++)
			any |= *form_get(f, arena_printf(&w->r->arena,
			    "domain_%s", db_str(w->domains, i, DOM_SLUG))) != 0;
		if (!any)
			form_error(f, "domains", "Choisissez au moins un domaine "
			    "d'action.");
		break;
	}
	case ORW_CHARTE:
		if (!*form_get(f, "charter"))
			form_error(f, "charter", "Acceptez la charte pour envoyer "
			    "votre demande.");
		break;
	default:
		break;
	}
	return f->errors ? -1 : 0;
}

/* The domain ids checked, as a PostgreSQL array. */
static const char *
domain_ids(struct wiz *w, struct form *f)
{
	struct buf b;
	const char *s;

	buf_init(&b, 1024);
	buf_puts(&b, "{");
	for (int i = 0; i < PQntuples(w->domains); i++)
		if (*form_get(f, arena_printf(&w->r->arena, "domain_%s",
		    db_str(w->domains, i, DOM_SLUG)))) {
			if (b.len > 1)
				buf_puts(&b, ",");
			buf_puts(&b, db_str(w->domains, i, DOM_ID));
		}
	buf_puts(&b, "}");
	s = arena_strdup(&w->r->arena, b.data);
	buf_release(&b);
	return s;
}

static void
logo_release(void *o)
{
	image_original_release(o);
}

/* The uploaded logo, checked and re-encoded into o (o->data NULL when
 * none was sent). Errors at the field. */
static void
logo_take(struct form *f, struct image_original *o)
{
	struct req *r = f->r;
	const struct part *p = NULL;
	enum image_err err;
	char msg[160];

	for (size_t i = 0; i < r->files.n; i++)
		if (!strcmp(r->files.v[i].name, "logo") && r->files.v[i].len)
			p = &r->files.v[i];
	if (!p)
		return;
	if (p->len > LOGO_MAX_BYTES) {
		form_error(f, "logo", "Le logo doit peser au plus 5 Mo.");
		return;
	}
	if ((err = image_ingest(p->data, p->len, o)) == IMAGE_OK)
		arena_defer(&r->arena, logo_release, o);
	else
		form_error(f, "logo", image_err_message(err, &o->announced,
		    msg, sizeof(msg)));
}

/* Apply the step's form (valid) from place `from` to `to`, in the open
 * transaction. 1 applied, 0 the draft was not there (changed
 * meanwhile), -1. */
static int
step_apply(struct wiz *w, struct form *f, const struct image_original *o,
    const char *from, const char *to)
{
	struct req *r = w->r;
	const char *uid = r->user->id_str, *html, *media = "";
	PGresult *res = NULL;

	switch (w->place) {
	case ORW_ORGANISATION:
		res = w->draft ? q(r, STMT_ORG_STEP_ORGANISATION, uid, from, to,
		    form_get(f, "name"), form_get(f, "legal_kind")) :
		    q(r, STMT_ORG_DRAFT_CREATE, uid, form_get(f, "name"),
		    form_get(f, "legal_kind"), to);
		break;
	case ORW_IDENTIFIANT:
		res = q(r, STMT_ORG_STEP_IDENTIFIANT, uid, from, to,
		    form_get(f, "siret"), form_get(f, "rna"));
		break;
	case ORW_ADRESSE:
		res = q(r, STMT_ORG_STEP_ADRESSE, uid, from, to,
		    form_get(f, "street"), form_get(f, "postal_code"),
		    form_get(f, "country"), form_get(f, "city_code"),
		    form_get(f, "city_name"));
		break;
	case ORW_PRESENTATION:
		if (!(html = render_body(r, form_get(f, "description"))))
			return -1;
		res = q(r, STMT_ORG_STEP_PRESENTATION, uid, from, to,
		    form_get(f, "description"), html,
		    form_get(f, "website_url"), domain_ids(w, f));
		break;
	case ORW_LOGO:
		if (o->data) {
			PGresult *m = media_insert(&r->app->db, &r->arena, o,
			    arena_printf(&r->arena, "Logo de %s",
			    draft(w, ODR_NAME)), "", uid);

			if (!m)
				return -1;
			media = db_str(m, 0, RETURNING_ID);
		}
		res = q(r, STMT_ORG_STEP_LOGO, uid, from, to, media);
		break;
	default:
		return -1;
	}
	if (!res)
		return -1;
	return PQntuples(res) == 1;
}

/* The mails of a submission (in the open transaction): the creator, and
 * the referents of the organisation's département. */
static int
mail_submitted(struct req *r, PGresult *sub)
{
	const char *name = db_str(sub, 0, OSUB_NAME);
	struct view v;

	view_init(&v, &r->arena, 1);
	view_str(&v, "first_name", r->user->first_name);
	view_str(&v, "name", name);
	view_str(&v, "link", arena_printf(&r->arena,
	    "%s/account/organisations", r->cfg->base_url));
	if (outbox_add(r, r->user->id, r->user->email, arena_printf(&r->arena,
	    "Votre organisation « %s » attend sa validation", name),
	    "org_submitted", &v) < 0)
		return -1;
	view_init(&v, &r->arena, 1);
	view_str(&v, "name", name);
	view_str(&v, "link", arena_printf(&r->arena,
	    "%s/moderation/organisations/%s", r->cfg->base_url,
	    db_str(sub, 0, OSUB_ID)));
	return vol_mail_people(r, STMT_VOL_REFERENTS, db_str(sub, 0,
	    OSUB_DEPARTEMENT), 0, arena_printf(&r->arena, "Une organisation "
	    "attend votre validation : %s", name), "org_to_moderate", &v,
	    "first_name");
}

/* The charter accepted and the draft complete: submit it (pending, a
 * slug, the mails), from the charter step only. */
static int
submit(struct wiz *w)
{
	struct req *r = w->r;
	const struct vs_change *c;
	char base[SLUG_MAX + 1];
	PGresult *res;

	/* The creator manages the draft (found by created_by). */
	if (vs_find(&vs_organisation, ORG_DRAFT, "submit", VS_MANAGER, &c) !=
	    VS_OK)
		return current_page(w, 403, vs_refusal(VS_FORBIDDEN));
	slugify(draft(w, ODR_NAME), base);
	if (!*base)
		snprintf(base, sizeof(base), "organisation");
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(res = q(r, STMT_ORG_SUBMIT, r->user->id_str,
	    W->places[ORW_CHARTE], base)))
		goto fail;
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		if (wiz_load(r, w) < 0)
			return unavailable(r);
		return current_page(w, 409, wf_refusal(WF_NOT_HERE, NULL));
	}
	if (mail_submitted(r, res) < 0 || db_commit(&r->app->db) < 0)
		goto fail;
	flash_set(r, arena_printf(&r->arena, "Votre organisation « %s » est "
	    "envoyée pour validation : un référent de son département va "
	    "l'examiner. Vous la retrouvez dans « Mes organisations ».",
	    db_str(res, 0, OSUB_NAME)));
	return resp_redirect(r, "/organisations/new");
fail:
	db_rollback(&r->app->db);
	return unavailable(r);
}

/* A forward step: read, check, apply. */
static int
forward_step(struct wiz *w, const struct wf_transition *t)
{
	struct req *r = w->r;
	struct image_original *o = arena_zalloc(&r->arena, sizeof(*o));
	PGresult *communes = NULL;
	struct wf_answers a;
	struct form f;
	int rc;

	form_init(&f, r, step_fields(w, w->place));
	form_read(&f);
	if (w->place == ORW_LOGO)
		logo_take(&f, o);
	if ((rc = step_check(w, &f, &communes)) == -2)
		return unavailable(r);
	if (rc < 0)
		return step_page(w, &f, 422, NULL, communes);
	if (t->to == W->final) {
		draft_answers(w, &a);
		if (wf_enabled(W, w->place, t->name, &a, &t) != WF_OK)
			return current_page(w, 409, wf_refusal(WF_GUARD, t));
		return submit(w);
	}
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	rc = step_apply(w, &f, o, W->places[w->place], W->places[t->to]);
	if (rc < 0 || (rc == 1 && db_commit(&r->app->db) < 0)) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	if (rc == 0) {
		db_rollback(&r->app->db);
		if (wiz_load(r, w) < 0)
			return unavailable(r);
		return current_page(w, 409, wf_refusal(WF_NOT_HERE, NULL));
	}
	return resp_redirect(r, "/organisations/new");
}

/*
 * POST /organisations/new (urlencoded, or multipart for the logo):
 * transition (the step's, or modifier_<step>) and the step's fields.
 * 303 back to /organisations/new (the next step; after the charter, the
 * first step of a new registration with a notice); 422 the step with
 * its values and a message at each wrong field; 409 a transition that is
 * not the step's (a page left open, a double submit: nothing saved, the
 * current step shown); 403 unconfirmed; 503.
 */
int
organisation_new_post(struct req *r)
{
	const struct wf_transition *t;
	enum wf_verdict v;
	struct wiz w;
	PGresult *res;
	int rc;

	if ((rc = member_refused(r)))
		return rc;
	if (wiz_load(r, &w) < 0)
		return unavailable(r);
	v = wf_enabled(W, w.place, req_form(r, "transition"), NULL, &t);
	if (v != WF_OK)
		return current_page(&w, 409, wf_refusal(v, t));
	if (t->form != WF_NO_FORM)
		return forward_step(&w, t);
	if (!(res = q(r, STMT_ORG_STEP_BACK, r->user->id_str,
	    W->places[w.place], W->places[t->to])))
		return unavailable(r);
	if (PQntuples(res) == 0) {
		if (wiz_load(r, &w) < 0)
			return unavailable(r);
		return current_page(&w, 409, wf_refusal(WF_NOT_HERE, NULL));
	}
	return resp_redirect(r, "/organisations/new");
}

/* ---- The member's organisations --------------------------------------- */

/* GET /account/organisations (logged in): the organisations the member
 * manages, with their state, and the draft of the wizard. 200; 503. */
int
account_organisations_get(struct req *r)
{
	PGresult *res = q(r, STMT_ORG_OF_MEMBER, r->user->id_str);
	const char *flash = flash_take(r);
	struct view_rows rows;
	struct view v;

	if (!res)
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *status = db_str(res, i, OMI_STATUS);
		int step = wf_place(W, db_str(res, i, OMI_STEP));

		view_rows_add(&rows, 6, db_str(res, i, OMI_SLUG),
		    db_str(res, i, OMI_NAME), status,
		    vs_label(&vs_organisation, vs_state(&vs_organisation,
		    status)), db_str(res, i, OMI_UPDATED),
		    step >= 0 && step < W->final ? W->titles[step] : "");
	}
	view_rows_set(&v, "organisations", &rows);
	view_int(&v, "count", PQntuples(res));
	view_str(&v, "notice", flash ? flash : "");
	return render(r, 200, "account_organisations", &v,
	    "Mes organisations");
}
