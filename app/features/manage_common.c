/*
 * manage_common: contact forms, quotas and downloads of the host tools
 * (manage.h).
 */
#include "../core/common.h"
#include "../infra/outbox.h"
#include "manage.h"

const struct form_field manage_contact_fields[] = {
	{ "subject", F_REQUIRED, 2, 150, .msg = {
	    [VALID_MISSING] = "Veuillez indiquer l'objet du message.",
	    [VALID_TOO_SHORT] = "L'objet doit comporter entre 2 et 150 "
		"caractères.",
	    [VALID_TOO_LONG] = "L'objet doit comporter entre 2 et 150 "
		"caractères." } },
	{ "message", F_REQUIRED | F_MULTILINE, 10, 5000, .msg = {
	    [VALID_MISSING] = "Veuillez écrire votre message.",
	    [VALID_TOO_SHORT] = "Le message doit comporter au moins 10 "
		"caractères.",
	    [VALID_TOO_LONG] = "Le message doit comporter au plus 5 000 "
		"caractères." } },
	{ "all", F_CHECKBOX },
	{ NULL }
};

const char *
manage_short_name(struct req *r, const char *first, const char *last)
{
	size_t n = 0;

	/* The first character of the last name, whole (UTF-8). */
	if (*last)
		for (n = 1; ((unsigned char)last[n] & 0xC0) == 0x80; n++)
			;
	return n ? arena_printf(&r->arena, "%s %.*s.", first, (int)n, last) :
	    first;
}

long
manage_sends_used(struct req *r, const char *scope, const char *id)
{
	PGresult *res = q(r, STMT_SEND_QUOTA_USED, scope, id);

	return res ? db_long(res, 0, VALUE) : -1;
}

int
manage_checked(struct req *r, const char *prefix, const char *id)
{
	const char *v = req_form(r, arena_printf(&r->arena, "%s%s", prefix,
	    id));

	return v && !strcmp(v, "1");
}

static int
contact_page(struct form *f, const struct manage_contact *mc,
    struct view_rows *people, int status)
{
	long used = manage_sends_used(f->r, mc->scope, mc->subject_id);

	if (used < 0) {
		unavailable(f->r);
		status = 503;
		used = 0;
	}
	view_rows_set(&f->v, "people", people);
	view_str(&f->v, "action", mc->action);
	view_str(&f->v, "back", mc->back);
	view_str(&f->v, "heading", mc->heading);
	view_int(&f->v, "left", used >= MANAGE_SENDS_PER_DAY ? 0 :
	    MANAGE_SENDS_PER_DAY - used);
	view_int(&f->v, "per_day", MANAGE_SENDS_PER_DAY);
	view_int(&f->v, "select_max", MANAGE_SELECT_MAX);
	return form_render(f, status, "manage_contact", mc->heading);
}

/* The ids of the checked boxes as a bigint[] literal, "{}" when none;
 * NULL when more than MANAGE_SELECT_MAX. Only prefix + digits count. */
static const char *
selection(struct req *r, const char *prefix)
{
	size_t plen = strlen(prefix);
	struct buf b;
	const char *out;
	int n = 0;
	long id;

	buf_init(&b, 64 * 1024);
	buf_putc(&b, '{');
	for (size_t i = 0; i < r->form.n; i++) {
		const struct field *fl = &r->form.v[i];

		if (strncmp(fl->name, prefix, plen) || strcmp(fl->value, "1") ||
		    parse_long(fl->name + plen, 1, LONG_MAX, &id) < 0)
			continue;
		buf_printf(&b, "%s%ld", n++ ? "," : "", id);
	}
	buf_putc(&b, '}');
	out = n > MANAGE_SELECT_MAX ? NULL : arena_strdup(&r->arena, b.data);
	buf_release(&b);
	return out;
}

/* Queue the mail to every recipient of res. 0 or -1. */
static int
queue_contact(struct form *f, const struct manage_contact *mc,
    PGresult *res)
{
	struct req *r = f->r;
	const char *sender = manage_short_name(r, r->user->first_name,
	    r->user->last_name);
	/* category: never to a suppressed address. */
	struct mail_extra x = { .reply_to = r->user->email,
	    .category = "host" };
	const char *subject = form_get(f, "subject");

	for (int i = 0; i < PQntuples(res); i++) {
		struct view v;

		view_init(&v, &r->arena, 1);
		view_str(&v, "first_name", db_str(res, i, RCPT_FIRST_NAME));
		view_str(&v, "sender", sender);
		view_str(&v, "what", mc->what);
		view_str(&v, "message", form_get(f, "message"));
		view_str(&v, "link", arena_printf(&r->arena, "%s%s",
		    r->app->cfg.base_url, mc->link));
		if (outbox_add_ex(r, db_long(res, i, RCPT_USER_ID),
		    db_str(res, i, RCPT_EMAIL), subject, "manage_contact", &v,
		    &x) < 0)
			return -1;
	}
	return 0;
}

static int
contact_post(struct form *f, const struct manage_contact *mc,
    struct view_rows *people)
{
	struct req *r = f->r;
	struct db *db = &r->app->db;
	const char *ids = NULL;
	PGresult *res, *rcpt;
	int n;

	form_read(f);
	if (!*form_get(f, "all") && !(ids = selection(r, mc->prefix)))
		form_error(f, "all", arena_printf(&r->arena, "Sélectionnez au "
		    "plus %d personnes, ou « Tout le monde ».",
		    MANAGE_SELECT_MAX));
	else if (ids && !strcmp(ids, "{}"))
		form_error(f, "all", "Sélectionnez au moins un destinataire.");
	if (f->errors)
		return contact_page(f, mc, people, 422);
	if (db_begin(db) < 0 || !(rcpt = q(r, mc->recipients, mc->subject_id,
	    r->user->id_str, ids)))
		goto fail;
	if ((n = PQntuples(rcpt)) == 0) {
		db_rollback(db);
		form_error(f, "all", "Aucun des destinataires choisis ne peut "
		    "recevoir ce message.");
		return contact_page(f, mc, people, 422);
	}
	if (!(res = q(r, STMT_SEND_QUOTA_TAKE, mc->scope, mc->subject_id,
	    "1", arena_printf(&r->arena, "%d", MANAGE_SENDS_PER_DAY))))
		goto fail;
	if (PQntuples(res) == 0) {
		db_rollback(db);
		view_str(&f->v, "banner", arena_printf(&r->arena, "Vous avez "
		    "déjà envoyé %d messages aujourd'hui : c'est le maximum. "
		    "Réessayez demain.", MANAGE_SENDS_PER_DAY));
		return contact_page(f, mc, people, 429);
	}
	if (queue_contact(f, mc, rcpt) < 0 || db_commit(db) < 0)
		goto fail;
	flash_set(r, arena_printf(&r->arena, n == 1 ? "Votre message a été "
	    "envoyé à %d personne." : "Votre message a été envoyé à %d "
	    "personnes.", n));
	return resp_redirect(r, mc->back);
fail:
	db_rollback(db);
	unavailable(r);
	view_str(&f->v, "banner", "Le service est momentanément "
	    "indisponible : votre message n'a pas été envoyé.");
	return contact_page(f, mc, people, 503);
}

int
manage_contact(struct req *r, manage_contact_load load)
{
	struct manage_contact mc = { 0 };
	struct view_rows people;
	struct form f;
	int rc;

	form_init(&f, r, manage_contact_fields);
	if ((rc = load(r, &mc, &f.v, &people)))
		return rc;
	if (r->method == HTTP_POST)
		return contact_post(&f, &mc, &people);
	return contact_page(&f, &mc, &people, 200);
}

int
manage_csv_response(struct req *r, struct buf *b, const char *filename)
{
	buf_reset(&r->body);
	buf_append(&r->body, b->data ? b->data : "", b->len);
	buf_release(b);
	r->ctype = "text/csv; charset=utf-8";
	resp_header(r, "Content-Disposition", arena_printf(&r->arena,
	    "attachment; filename=\"%s\"", filename));
	resp_header(r, "X-Content-Type-Options", "nosniff");
	return 200;
}

int
manage_wants_json(struct req *r)
{
	const char *accept = req_header(r, "HTTP_ACCEPT");

	return accept && strstr(accept, "application/json") != NULL;
}
