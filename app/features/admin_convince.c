/*
 * admin_convince: the choices and paragraphs of "Convaincre un ami"
 * (/admin/convince), a resource of the back-office (admin.h: every
 * change audited in its transaction), with each choice's count of
 * messages sent, and their export (/admin/convince.csv). A choice is
 * switched off rather than deleted: the statistics keep it.
 */
#include "../core/common.h"
#include "../infra/csv.h"
#include "admin.h"
#include "convince.h"

static const char *const kinds[] = { "subject", "intro", "gender_female",
    "gender_male", "gender_other", "situation", "concern", "interest",
    "reason", "conclusion", NULL };

static const struct form_field convince_fields[] = {
	{ "kind", F_REQUIRED, .choices = kinds, .initial = "reason", .msg = {
	    [VALID_MISSING] = "Choisissez le type.",
	    [VALID_INVALID] = "Choisissez le type." } },
	{ "label", F_REQUIRED, .max = 200, .msg = {
	    [VALID_MISSING] = "Indiquez le libellé du choix.",
	    [VALID_TOO_LONG] = "Le libellé doit comporter au plus 200 "
		"caractères." } },
	{ "paragraph", F_REQUIRED | F_MULTILINE, .max = 4000, .msg = {
	    [VALID_MISSING] = "Indiquez le paragraphe du message.",
	    [VALID_TOO_LONG] = "Le paragraphe doit comporter au plus 4 000 "
		"caractères." } },
	{ "position", 0, .max = 12, .valid = valid_integer, .fallback = "0",
	    .initial = "0", .msg = {
	    [VALID_INVALID] = "Indiquez un nombre entier." } },
	{ "active", F_CHECKBOX, .initial = "1" },
	{ NULL }
};

static int
convince_view(struct form *f)
{
	view_str(&f->v, "placeholder", "{prenom}");
	return 0;
}

const struct resource admin_convince = {
	.type = "convince_choice",
	.title = "Convaincre un ami",
	.list = STMT_ADMIN_CONVINCE,
	.heads = { "Type", "Libellé", "Actif", "Messages envoyés" },
	.count_label = "choix",
	.caption = "et paragraphes des messages ; les comptes ne disent "
	    "rien des personnes",
	.paged = 1,
	.empty = "Aucun choix.",
	/* The list's link: the export (the new form is on the page). */
	.new_link = "/admin/convince.csv",
	.new_label = "Exporter les comptes (CSV)",
	.fields = convince_fields,
	.fields_tpl = "admin_convince_fields",
	.form_id = "convince-form",
	.new_title = "Nouveau choix",
	.create_label = "Créer le choix",
	.edit_title = "Modifier le choix",
	.back_label = "Tous les choix",
	.get = STMT_ADMIN_CONVINCE_GET,
	.insert = STMT_ADMIN_CONVINCE_INSERT,
	.update = STMT_ADMIN_CONVINCE_UPDATE,
	.label_field = "label",
	.view = convince_view,
	.created = "Le choix « %s » est créé.",
	.saved = "Le choix est enregistré.",
};

int
admin_convince_csv_get(struct req *r)
{
	static const char *const head[] = { "Type", "Choix", "Actif",
	    "Messages" };
	static const char *const mhead[] = { "Mois", "Messages envoyés" };
	PGresult *res, *months;
	struct buf b;

	if (!(res = q(r, STMT_ADMIN_CONVINCE_CSV)) ||
	    !(months = q(r, STMT_ADMIN_CONVINCE_MONTHS)))
		return unavailable(r);
	buf_init(&b, MAX_OUTPUT);
	csv_begin(&b);
	csv_row(&b, ARRAY_SIZE(head), head);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *cells[] = { db_str(res, i, CX_KIND),
		    db_str(res, i, CX_LABEL), db_str(res, i, CX_ACTIVE),
		    db_str(res, i, CX_SENDS) };

		csv_row(&b, ARRAY_SIZE(cells), cells);
	}
	csv_row(&b, 0, NULL);
	csv_row(&b, ARRAY_SIZE(mhead), mhead);
	for (int i = 0; i < PQntuples(months); i++) {
		const char *cells[] = { db_str(months, i, CM_MONTH),
		    db_str(months, i, CM_SENDS) };

		if (csv_row(&b, ARRAY_SIZE(cells), cells) < 0) {
			buf_release(&b);
			return 500;
		}
	}
	buf_reset(&r->body);
	buf_append(&r->body, b.data ? b.data : "", b.len);
	buf_release(&b);
	r->ctype = "text/csv; charset=utf-8";
	resp_header(r, "Content-Disposition",
	    "attachment; filename=\"convaincre-un-ami.csv\"");
	resp_header(r, "X-Content-Type-Options", "nosniff");
	return 200;
}
