/*
 * convince: see convince.h.
 */
#include "../core/common.h"
#include "../core/workflow.h"
#include "../infra/form.h"
#include "../infra/outbox.h"
#include "../infra/wfstate.h"
#include "convince.h"
#include "invitations.h"
#include "optout.h"

#define W (&wf_convince)
#define TITLE "Convaincre un ami"
#define AGE_MSG "L'âge doit être un nombre entre 17 et 120."

static const char *const genders[] = { "female", "male", "other", NULL };

/* One request: the state and the active choices (STMT_CONVINCE_CHOICES). */
struct cv {
	struct req *r;
	struct wf_state s;
	PGresult *choices;
};

static int
valid_friend_age(const char *in, char *out, size_t outsz)
{
	long age;

	if (parse_long(in, 0, 999, &age) < 0)
		return VALID_INVALID;
	if (age < 17)
		return VALID_TOO_YOUNG;
	if (age > 120)
		return VALID_TOO_OLD;
	snprintf(out, outsz, "%ld", age);
	return VALID_OK;
}

/* The row of choice id of kind, -1 when it is not an active one. */
static int
choice_row(const struct cv *c, const char *id, const char *kind)
{
	for (int i = 0; id && i < PQntuples(c->choices); i++)
		if (!strcmp(db_str(c->choices, i, CC_ID), id) &&
		    !strcmp(db_str(c->choices, i, CC_KIND), kind))
			return i;
	return -1;
}

/* The ids of kind, NULL-ended (a form field's choices). */
static const char *const *
choice_ids(struct cv *c, const char *kind)
{
	int n = PQntuples(c->choices), k = 0;
	const char **ids = arena_zalloc(&c->r->arena, (size_t)(n + 1) *
	    sizeof(*ids));

	for (int i = 0; i < n; i++)
		if (!strcmp(db_str(c->choices, i, CC_KIND), kind))
			ids[k++] = db_str(c->choices, i, CC_ID);
	return ids;
}

/* "a,b": two distinct active choices of kind. */
static int
pair_valid(const struct cv *c, const char *v, const char *kind)
{
	const char *comma = v ? strchr(v, ',') : NULL;
	char *first;

	if (!comma)
		return 0;
	first = arena_strndup(&c->r->arena, v, (size_t)(comma - v));
	return strcmp(first, comma + 1) && choice_row(c, first, kind) >= 0 &&
	    choice_row(c, comma + 1, kind) >= 0;
}

/*
 * Keep the answers that are still valid: a choice the back-office has
 * since switched off is dropped (its step asks again, and "envoyer" is
 * refused by its guard until it is answered).
 */
static void
answers_clean(struct cv *c)
{
	struct wf_answers *a = &c->s.answers;
	const char *v;

	if ((v = wf_answer(a, "gender")) && *v) {
		size_t i;

		for (i = 0; genders[i] && strcmp(genders[i], v); i++)
			;
		if (!genders[i])
			wf_answer_set(a, "gender", "");
	}
	if ((v = wf_answer(a, "situation")) && choice_row(c, v, "situation") < 0)
		wf_answer_set(a, "situation", "");
	if ((v = wf_answer(a, "concern")) && choice_row(c, v, "concern") < 0)
		wf_answer_set(a, "concern", "");
	if ((v = wf_answer(a, "interests")) && !pair_valid(c, v, "interest"))
		wf_answer_set(a, "interests", "");
	if ((v = wf_answer(a, "reasons")) && !pair_valid(c, v, "reason"))
		wf_answer_set(a, "reasons", "");
}

/*
 * The active choices, kept in the worker's memory: every step reads them
 * and they change only in the back-office. Any notification on the
 * content channel (a trigger on convince_choices, sql/006_workflow_cache.sql)
 * or a reconnection of the worker's PostgreSQL connection (one may have
 * been missed) drops the copy. The count of notifications is taken
 * before the query: one that arrives meanwhile reloads next time.
 */
static PGresult *choices_kept;
static unsigned long kept_generation, kept_notified;

static PGresult *
choices_get(struct req *r)
{
	struct db *db = &r->app->db;
	unsigned long notified;
	PGresult *res, *copy;

	if (db_notifications(db) >= 0 && choices_kept &&
	    db->generation == kept_generation &&
	    db->notified == kept_notified)
		return choices_kept;
	notified = db->notified;
	if (!(res = q(r, STMT_CONVINCE_CHOICES)))
		return NULL;
	if (!(copy = PQcopyResult(res, PG_COPYRES_ATTRS |
	    PG_COPYRES_TUPLES)))
		return res;
	PQclear(choices_kept);
	choices_kept = copy;
	kept_generation = db->generation;
	kept_notified = notified;
	return choices_kept;
}

/* Load the state and the choices: 0, or -1 (503). */
static int
cv_load(struct req *r, struct cv *c)
{
	c->r = r;
	if (wfstate_load(r, W, &c->s) < 0 || !(c->choices = choices_get(r)))
		return -1;
	answers_clean(c);
	return 0;
}

/* ---- The forms of the steps ---------------------------------------- */

static const struct form_field ami_fields[] = {
	{ "first_name", F_REQUIRED, .max = 50, .msg = {
	    [VALID_MISSING] = "Indiquez le prénom de votre ami.",
	    [VALID_TOO_LONG] = "Le prénom doit comporter au plus 50 "
		"caractères." } },
	{ "age", F_REQUIRED, .max = 3, .valid = valid_friend_age, .msg = {
	    [VALID_MISSING] = "Indiquez l'âge de votre ami.",
	    [VALID_TOO_LONG] = AGE_MSG, [VALID_INVALID] = AGE_MSG,
	    [VALID_TOO_YOUNG] = AGE_MSG, [VALID_TOO_OLD] = AGE_MSG } },
	{ "gender", F_REQUIRED, .choices = genders, .msg = {
	    [VALID_MISSING] = "Indiquez si vous écrivez à une amie ou à un "
		"ami.",
	    [VALID_INVALID] = "Indiquez si vous écrivez à une amie ou à un "
		"ami." } },
	{ "situation", F_REQUIRED, .msg = {
	    [VALID_MISSING] = "Choisissez la situation de votre ami.",
	    [VALID_INVALID] = "Choisissez la situation de votre ami." } },
	{ NULL }
};

static const struct form_field concern_fields[] = {
	{ "concern", F_REQUIRED, .msg = {
	    [VALID_MISSING] = "Choisissez sa principale préoccupation.",
	    [VALID_INVALID] = "Choisissez sa principale préoccupation." } },
	{ NULL }
};

static const struct form_field resume_fields[] = {
	{ "subject", F_REQUIRED, .max = 150, .msg = {
	    [VALID_MISSING] = "Indiquez l'objet du message.",
	    [VALID_TOO_LONG] = "L'objet doit comporter au plus 150 "
		"caractères." } },
	{ "body", F_REQUIRED | F_MULTILINE, .max = 10000, .msg = {
	    [VALID_MISSING] = "Le message ne peut pas être vide.",
	    [VALID_TOO_LONG] = "Le message doit comporter au plus 10 000 "
		"caractères." } },
	{ "author_first_name", F_REQUIRED, .max = 50,
	    .valid = valid_person_name, .msg = {
	    [VALID_MISSING] = "Indiquez votre prénom.",
	    [VALID_TOO_SHORT] = "Votre prénom doit comporter au moins 2 "
		"caractères.",
	    [VALID_TOO_LONG] = "Votre prénom doit comporter au plus 50 "
		"caractères.",
	    [VALID_BAD_CHARS] = "Votre prénom ne peut contenir que des "
		"lettres, des espaces, des traits d'union et des "
		"apostrophes.",
	    [VALID_INVALID] = "Votre prénom doit commencer par une "
		"lettre." } },
	{ "author_last_name", F_REQUIRED, .max = 50,
	    .valid = valid_person_name, .msg = {
	    [VALID_MISSING] = "Indiquez votre nom.",
	    [VALID_TOO_SHORT] = "Votre nom doit comporter au moins 2 "
		"caractères.",
	    [VALID_TOO_LONG] = "Votre nom doit comporter au plus 50 "
		"caractères.",
	    [VALID_BAD_CHARS] = "Votre nom ne peut contenir que des "
		"lettres, des espaces, des traits d'union et des "
		"apostrophes.",
	    [VALID_INVALID] = "Votre nom doit commencer par une lettre." } },
	{ "author_email", F_REQUIRED, .max = 255, .valid = valid_email,
	    .msg = {
	    [VALID_MISSING] = "Indiquez votre adresse e-mail.",
	    [VALID_TOO_LONG] = "Cette adresse e-mail n'est pas valide.",
	    [VALID_INVALID] = "Cette adresse e-mail n'est pas valide." } },
	{ "friend_email", F_REQUIRED, .max = 255, .valid = valid_email,
	    .msg = {
	    [VALID_MISSING] = "Indiquez l'adresse e-mail de votre ami.",
	    [VALID_TOO_LONG] = "Cette adresse e-mail n'est pas valide.",
	    [VALID_INVALID] = "Cette adresse e-mail n'est pas valide." } },
	{ "copy", F_CHECKBOX },
	{ NULL }
};

/* The checkboxes of a "two among" step: the field `group` (never posted:
 * it holds the step's message), then <prefix><id> for each choice. */
static const struct form_field *
pick_fields(struct cv *c, const char *group, const char *prefix,
    const char *kind)
{
	const char *const *ids = choice_ids(c, kind);
	size_t n = 0;
	struct form_field *f;

	while (ids[n])
		n++;
	f = arena_zalloc(&c->r->arena, (n + 2) * sizeof(*f));
	f[0].name = group;
	for (size_t i = 0; i < n; i++) {
		f[i + 1].name = arena_printf(&c->r->arena, "%s%s", prefix,
		    ids[i]);
		f[i + 1].flags = F_CHECKBOX;
	}
	return f;
}

/* A table with its choice field given the active ids of kind. */
static const struct form_field *
with_choices(struct cv *c, const struct form_field *base, const char *name,
    const char *kind)
{
	size_t n = 0;
	struct form_field *f;

	while (base[n].name)
		n++;
	f = arena_zalloc(&c->r->arena, (n + 1) * sizeof(*f));
	memcpy(f, base, n * sizeof(*f));
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].name, name))
			f[i].choices = choice_ids(c, kind);
	return f;
}

static const struct form_field *
step_fields(struct cv *c, int place)
{
	switch (place) {
	case CV_AMI:
		return with_choices(c, ami_fields, "situation", "situation");
	case CV_PREOCCUPATION:
		return with_choices(c, concern_fields, "concern", "concern");
	case CV_INTERETS:
		return pick_fields(c, "interests", "interest_", "interest");
	case CV_RAISONS:
		return pick_fields(c, "reasons", "reason_", "reason");
	default:
		return resume_fields;
	}
}

/* ---- Composing the message ------------------------------------------ */

/* Append paragraph p with {prenom} filled, a blank line before. */
static void
put_paragraph(struct buf *b, const char *p, const char *first_name)
{
	const char *hole;

	if (b->len)
		buf_puts(b, "\n\n");
	while ((hole = strstr(p, "{prenom}"))) {
		buf_append(b, p, (size_t)(hole - p));
		buf_puts(b, first_name);
		p = hole + strlen("{prenom}");
	}
	buf_puts(b, p);
}

/* Every active paragraph of kind, in order (only ids in `only`, a
 * comma-separated list, when given). */
static void
put_kind(struct cv *c, struct buf *b, const char *kind, const char *only,
    const char *first_name)
{
	for (int i = 0; i < PQntuples(c->choices); i++) {
		const char *id = db_str(c->choices, i, CC_ID);

		if (strcmp(db_str(c->choices, i, CC_KIND), kind))
			continue;
		if (only) {
			size_t n = strlen(id);
			const char *p = only;
			int found = 0;

			for (; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")]
			    != '\0'))
				found |= strncmp(p, id, n) == 0 &&
				    (p[n] == ',' || p[n] == '\0');
			if (!found)
				continue;
		}
		put_paragraph(b, db_str(c->choices, i, CC_PARAGRAPH),
		    first_name);
	}
}

/*
 * The subject and the body from the answers, in the order:
 * introduction, the line for the friend's gender, reasons, situation,
 * interests, concern, conclusion.
 */
static void
compose(struct cv *c, const char **subject, const char **body)
{
	const struct wf_answers *a = &c->s.answers;
	const char *name = wf_answer(a, "first_name");
	const char *g = wf_answer(a, "gender");
	struct buf b;

	name = name ? name : "";
	buf_init(&b, 64 * 1024);
	put_kind(c, &b, "subject", NULL, name);
	*subject = arena_strdup(&c->r->arena, b.data ? b.data : "");
	buf_reset(&b);
	put_kind(c, &b, "intro", NULL, name);
	if (g && *g)
		put_kind(c, &b, arena_printf(&c->r->arena, "gender_%s", g),
		    NULL, name);
	put_kind(c, &b, "reason", wf_answer(a, "reasons") ?
	    wf_answer(a, "reasons") : "", name);
	put_kind(c, &b, "situation", wf_answer(a, "situation") ?
	    wf_answer(a, "situation") : "", name);
	put_kind(c, &b, "interest", wf_answer(a, "interests") ?
	    wf_answer(a, "interests") : "", name);
	put_kind(c, &b, "concern", wf_answer(a, "concern") ?
	    wf_answer(a, "concern") : "", name);
	put_kind(c, &b, "conclusion", NULL, name);
	*body = arena_strdup(&c->r->arena, b.data ? b.data : "");
	buf_release(&b);
}

/* ---- Pages ----------------------------------------------------------- */

/* The rows (id, label, checked) of kind; `checked` holds the ids. */
static void
choice_rows(struct cv *c, struct form *f, const char *name, const char *kind,
    const char *prefix)
{
	struct view_rows rows;

	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(c->choices); i++) {
		const char *id = db_str(c->choices, i, CC_ID);
		const char *field = prefix ? arena_printf(&c->r->arena,
		    "%s%s", prefix, id) : name;
		int on;

		if (strcmp(db_str(c->choices, i, CC_KIND), kind))
			continue;
		on = prefix ? *form_get(f, field) != '\0' :
		    !strcmp(form_get(f, name), id);
		view_rows_add(&rows, 4, id, db_str(c->choices, i, CC_LABEL),
		    on ? "1" : "", field);
	}
	view_rows_set(&f->v, arena_printf(&c->r->arena, "%s_list", name),
	    &rows);
}

/* The steps, each done (with its "Modifier" button), current or to
 * come. */
static void
progress_rows(struct cv *c, struct form *f)
{
	struct view_rows rows;

	view_rows_init(&rows, &f->v);
	for (int p = 0; p < W->final; p++) {
		const char *state = p == c->s.place ? "current" :
		    wf_passed(W, p, c->s.place) ? "done" : "todo";

		view_rows_add(&rows, 4, arena_printf(&c->r->arena, "%d", p + 1),
		    W->titles[p], state, arena_printf(&c->r->arena,
		    "modifier_%s", W->places[p]));
	}
	view_rows_set(&f->v, "steps", &rows);
}

/* The values of the current step from the answers. */
static void
form_from_answers(struct cv *c, struct form *f)
{
	const struct wf_answers *a = &c->s.answers;
	static const char *const plain[] = { "first_name", "age", "gender",
	    "situation", "concern" };
	const char *v;

	for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
		for (size_t k = 0; k < f->n; k++)
			if (!strcmp(f->fields[k]->name, plain[i]) &&
			    (v = wf_answer(a, plain[i])))
				form_set(f, plain[i], v);
	if (c->s.place == CV_INTERETS || c->s.place == CV_RAISONS) {
		const char *key = c->s.place == CV_INTERETS ? "interests" :
		    "reasons";
		const char *prefix = c->s.place == CV_INTERETS ? "interest_" :
		    "reason_";

		v = wf_answer(a, key);
		for (size_t k = 0; v && k < f->n; k++) {
			const char *name = f->fields[k]->name;
			size_t pl = strlen(prefix), idl;
			const char *p = v;
			int on = 0;

			if (strncmp(name, prefix, pl))
				continue;
			idl = strlen(name + pl);
			for (; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")]
			    != '\0'))
				on |= !strncmp(p, name + pl, idl) &&
				    (p[idl] == ',' || p[idl] == '\0');
			form_set(f, name, on ? "1" : "");
		}
	}
	if (c->s.place == CV_RESUME) {
		const char *subject, *body;

		compose(c, &subject, &body);
		form_set(f, "subject", subject);
		form_set(f, "body", body);
	}
}

/* The page of the current step with f's values, at status, with an
 * optional banner (a refusal). */
static int
step_page(struct cv *c, struct form *f, int status, const char *banner)
{
	const struct wf_transition *fwd = wf_forward(W, c->s.place);

	if (c->s.place == CV_AMI)
		choice_rows(c, f, "situation", "situation", NULL);
	else if (c->s.place == CV_PREOCCUPATION)
		choice_rows(c, f, "concern", "concern", NULL);
	else if (c->s.place == CV_INTERETS)
		choice_rows(c, f, "interests", "interest", "interest_");
	else if (c->s.place == CV_RAISONS)
		choice_rows(c, f, "reasons", "reason", "reason_");
	progress_rows(c, f);
	view_str(&f->v, "place", W->places[c->s.place]);
	view_str(&f->v, "step_title", W->titles[c->s.place]);
	view_int(&f->v, "step", c->s.place + 1);
	view_int(&f->v, "nsteps", W->final);
	view_str(&f->v, "transition", fwd ? fwd->name : "");
	view_str(&f->v, "button", fwd ? fwd->label : "");
	view_str(&f->v, "friend", wf_answer(&c->s.answers, "first_name") ?
	    wf_answer(&c->s.answers, "first_name") : "");
	if (banner) {
		view_str(&f->v, "banner", banner);
		return render(c->r, status, "convince", &f->v, TITLE);
	}
	return form_render(f, status, "convince", TITLE);
}

/* The current step, as stored. */
static int
current_page(struct cv *c, int status, const char *banner)
{
	struct form f;

	form_init(&f, c->r, step_fields(c, c->s.place));
	form_from_answers(c, &f);
	return step_page(c, &f, status, banner);
}

int
convince_get(struct req *r)
{
	struct cv c;

	if (cv_load(r, &c) < 0)
		return unavailable(r);
	if (c.s.place == W->final)
		return resp_redirect(r, "/convince/sent");
	return current_page(&c, 200, NULL);
}

/* ---- Steps ----------------------------------------------------------- */

/* The "two among" answer of f: "a,b", or NULL with the message set. */
static const char *
picked(struct form *f, const char *group, const char *prefix,
    const char *msg)
{
	const char *ids[3];
	size_t n = 0, pl = strlen(prefix);

	for (size_t k = 0; k < f->n; k++) {
		const char *name = f->fields[k]->name;

		if (!strncmp(name, prefix, pl) && *form_get(f, name) &&
		    n < ARRAY_SIZE(ids))
			ids[n++] = name + pl;
	}
	if (n != 2) {
		form_error(f, group, msg);
		return NULL;
	}
	return arena_printf(&f->r->arena, "%s,%s", ids[0], ids[1]);
}

/* The step's answers from its valid form into a. 0, or -1 when a rule
 * across fields failed (marked in f). */
static int
step_answers(struct form *f, int place, struct wf_answers *a)
{
	const char *v;

	switch (place) {
	case CV_AMI:
		wf_answer_set(a, "first_name", form_get(f, "first_name"));
		wf_answer_set(a, "age", form_get(f, "age"));
		wf_answer_set(a, "gender", form_get(f, "gender"));
		wf_answer_set(a, "situation", form_get(f, "situation"));
		return 0;
	case CV_PREOCCUPATION:
		wf_answer_set(a, "concern", form_get(f, "concern"));
		return 0;
	case CV_INTERETS:
		if (!(v = picked(f, "interests", "interest_", "Choisissez "
		    "exactement deux centres d'intérêt.")))
			return -1;
		wf_answer_set(a, "interests", v);
		return 0;
	case CV_RAISONS:
		if (!(v = picked(f, "reasons", "reason_", "Choisissez "
		    "exactement deux raisons.")))
			return -1;
		wf_answer_set(a, "reasons", v);
		return 0;
	default:
		if (!strcmp(form_get(f, "author_email"),
		    form_get(f, "friend_email"))) {
			form_error(f, "friend_email", "L'adresse de votre ami "
			    "doit être différente de la vôtre.");
			return -1;
		}
		return 0;
	}
}

/* The ids of every chosen argument, as a PostgreSQL array. */
static const char *
chosen_ids(struct req *r, const struct wf_answers *a)
{
	return arena_printf(&r->arena, "{%s,%s,%s,%s}",
	    wf_answer(a, "situation"), wf_answer(a, "concern"),
	    wf_answer(a, "interests"), wf_answer(a, "reasons"));
}

/* Queue the friend's mail (and the author's copy) in the open
 * transaction. 0, or -1. */
static int
queue_mails(struct cv *c, struct form *f)
{
	struct req *r = c->r;
	const char *author = arena_printf(&r->arena, "%s %s",
	    form_get(f, "author_first_name"), form_get(f, "author_last_name"));
	const char *friend = form_get(f, "friend_email");
	struct mail_extra x = { .category = "invitation",
	    .reply_to = form_get(f, "author_email"), .from_name = author };
	/* The author's copy: unrequested mail too (the address is typed,
	 * not proven), so a suppressed address gets nothing. */
	static const struct mail_extra copy_x = { .category = "invitation" };
	struct view v;

	view_init(&v, &r->arena, 1);
	view_str(&v, "body", form_get(f, "body"));
	view_str(&v, "author", author);
	view_str(&v, "optout_url", optout_url(r, friend));
	if (outbox_add_ex(r, 0, friend, form_get(f, "subject"), "convince", &v,
	    &x) < 0)
		return -1;
	if (!*form_get(f, "copy"))
		return 0;
	view_init(&v, &r->arena, 1);
	view_str(&v, "body", form_get(f, "body"));
	view_str(&v, "author", author);
	return outbox_add_ex(r, 0, form_get(f, "author_email"),
	    arena_printf(&r->arena, "Copie : %s", form_get(f, "subject")),
	    "convince_copy", &v, &copy_x);
}

enum send_result { SENT, ALREADY_SENT, RECENTLY_MAILED, SEND_FAILED };

/* The message of the run, once: the run's row, the 24-hour rule, the
 * arguments and the mails, in one transaction. */
static enum send_result
send_once(struct cv *c, struct form *f)
{
	struct req *r = c->r;
	struct db *db = &r->app->db;
	PGresult *res;

	if (db_begin(db) < 0 || !(res = q(r, STMT_CONVINCE_SEND, c->s.run,
	    *form_get(f, "copy") ? "true" : "false")))
		goto fail;
	if (PQntuples(res) == 0) {
		db_rollback(db);
		return ALREADY_SENT;
	}
	if (!(res = q(r, STMT_INVITE_ADDRESS, invitation_hash(r,
	    form_get(f, "friend_email")))))
		goto fail;
	if (PQntuples(res) == 0) {
		db_rollback(db);
		return RECENTLY_MAILED;
	}
	if (!q(r, STMT_CONVINCE_SEND_CHOICES, c->s.run,
	    chosen_ids(r, &c->s.answers)) || queue_mails(c, f) < 0 ||
	    db_commit(db) < 0)
		goto fail;
	return SENT;
fail:
	db_rollback(db);
	return SEND_FAILED;
}

/* The final step: its form is valid and the guard passed. */
static int
send_step(struct cv *c, struct form *f, const struct wf_answers *a)
{
	struct req *r = c->r;
	long n = kv_count(&r->app->kv, &r->arena, arena_printf(&r->arena,
	    "cvq:%s", c->s.owner), 3600);

	if (n < 0)
		return unavailable(r);
	if (n > CONVINCE_SENDS_PER_HOUR) {
		form_error(f, "friend_email", "Vous avez déjà envoyé 5 "
		    "messages cette heure-ci : réessayez plus tard.");
		return step_page(c, f, 429, NULL);
	}
	switch (send_once(c, f)) {
	case SENT:
		break;
	case ALREADY_SENT:
		return current_page(c, 409, wf_refusal(WF_FINISHED, NULL));
	case RECENTLY_MAILED:
		form_error(f, "friend_email", "Cette adresse a déjà reçu un "
		    "message de ce type ces dernières 24 heures : réessayez "
		    "demain.");
		return step_page(c, f, 422, NULL);
	case SEND_FAILED:
		return unavailable(r);
	}
	/* Sent: the state follows (a lost race here changes nothing: the
	 * run is recorded in PostgreSQL, a second send is refused there). */
	if (wfstate_apply(r, &c->s, W->final, a) < 0)
		return unavailable(r);
	return resp_redirect(r, "/convince/sent");
}

/*
 * The common case in one round trip to Redis: a forward step (not the
 * final one) whose form is valid is applied by wfstate_advance, which
 * merges its answers only if the visitor is still at that step. What it
 * skips is what the step's own place already guarantees (its guard is
 * none; the answers of the earlier steps are kept as they are, and read
 * back cleaned as always). 1 applied; -1 Redis unavailable; 0 not
 * taken: c->s is then loaded when *loaded, for the general path.
 */
static int
step_at_once(struct cv *c, int *loaded)
{
	const char *name = req_form(c->r, "transition");
	const struct wf_transition *t = NULL;
	struct wf_answers a = { 0 };
	struct form f;
	int rc;

	*loaded = 0;
	for (size_t i = 0; name && i < W->ntransitions; i++)
		if (!strcmp(W->transitions[i].name, name))
			t = &W->transitions[i];
	/* One place it leaves from, its form, no guard, not the end. */
	if (!t || t->form == WF_NO_FORM || t->guard || t->to == W->final ||
	    t->from != WF_AT(t->form))
		return 0;
	form_init(&f, c->r, step_fields(c, t->form));
	if (form_read(&f) > 0 || step_answers(&f, t->form, &a) < 0)
		return 0;
	if ((rc = wfstate_advance(c->r, W, t->form, t->to, &a, &c->s)) == 0) {
		*loaded = 1;
		answers_clean(c);
	}
	return rc;
}

int
convince_post(struct req *r)
{
	const struct wf_transition *t;
	struct wf_answers a;
	enum wf_verdict v;
	struct form f;
	struct cv c;
	int rc, loaded;

	c.r = r;
	if (!(c.choices = choices_get(r)))
		return unavailable(r);
	if ((rc = step_at_once(&c, &loaded)) != 0)
		return rc < 0 ? unavailable(r) : resp_redirect(r, "/convince");
	if (!loaded && cv_load(r, &c) < 0)
		return unavailable(r);
	v = wf_enabled(W, c.s.place, req_form(r, "transition"), NULL, &t);
	if (v != WF_OK) {
		if (c.s.place == W->final)
			return message_page(r, 409, "Message déjà envoyé",
			    wf_refusal(v, t), "/convince/sent", "Continuer");
		return current_page(&c, 409, wf_refusal(v, t));
	}
	a = c.s.answers;
	if (t->form != WF_NO_FORM) {
		form_init(&f, r, step_fields(&c, c.s.place));
		if (form_read(&f) > 0 || step_answers(&f, c.s.place, &a) < 0)
			return step_page(&c, &f, 422, NULL);
		if (wf_enabled(W, c.s.place, t->name, &a, &t) != WF_OK)
			return current_page(&c, 409, wf_refusal(WF_GUARD, t));
		if (t->to == W->final)
			return send_step(&c, &f, &a);
	}
	if ((rc = wfstate_apply(r, &c.s, t->to, &a)) < 0)
		return unavailable(r);
	if (rc == 0) {
		/* Changed meanwhile (a double submit): show where it is. */
		if (cv_load(r, &c) < 0)
			return unavailable(r);
		if (c.s.place == W->final)
			return resp_redirect(r, "/convince/sent");
		return current_page(&c, 409, wf_refusal(WF_NOT_HERE, NULL));
	}
	return resp_redirect(r, "/convince");
}

int
convince_restart_post(struct req *r)
{
	struct wf_state s;

	if (wfstate_load(r, W, &s) < 0 || wfstate_clear(r, &s) < 0)
		return unavailable(r);
	return resp_redirect(r, "/convince");
}

int
convince_sent_get(struct req *r)
{
	struct wf_state s;
	struct view v;
	const char *name;

	if (wfstate_load(r, W, &s) < 0)
		return unavailable(r);
	if (s.place != W->final)
		return resp_redirect(r, "/convince");
	name = wf_answer(&s.answers, "first_name");
	view_init(&v, &r->arena, 0);
	view_str(&v, "friend", name ? name : "");
	view_str(&v, "csrf", csrf_token(r));
	return render(r, 200, "convince_sent", &v, "Message envoyé");
}
