/*
 * admin_redirections: old addresses sent elsewhere (/admin/redirections),
 * a resource of the back-office (admin.h). content.c looks them up before
 * the 404 page.
 */
#include "../core/common.h"
#include "admin.h"
#include "features.h"

static const char *const redirection_codes[] = { "301", "302", NULL };

static const struct form_field redirection_fields[] = {
	{ "from_path", F_REQUIRED, .max = 2000, .valid = valid_site_path,
	    .msg = {
	    [VALID_MISSING] = "Indiquez l'ancienne adresse.",
	    [VALID_INVALID] = "Indiquez un chemin du site commençant par / "
		"(par exemple /ancienne-page), sans ? ni #." } },
	{ "to_path", F_REQUIRED, .max = 2000, .valid = valid_link, .msg = {
	    [VALID_MISSING] = "Indiquez la nouvelle adresse.",
	    [VALID_INVALID] = "Indiquez un chemin du site commençant par / ou "
		"une adresse https://." } },
	{ "code", 0, .choices = redirection_codes, .fallback = "301",
	    .initial = "301", .msg = {
	    [VALID_INVALID] = "Choisissez 301 (définitive) ou 302 "
		"(temporaire)." } },
	{ NULL }
};

static int
redirection_check(struct form *f)
{
	if (!f->errors && !strcmp(form_get(f, "from_path"),
	    form_get(f, "to_path")))
		form_error(f, "to_path", "La nouvelle adresse doit être "
		    "différente de l'ancienne.");
	return 0;
}

const struct resource admin_redirections = {
	.type = "redirection",
	.title = "Redirections",
	.list = STMT_ADMIN_REDIRECTIONS,
	.heads = { "Ancienne adresse", "Nouvelle adresse", "Code",
	    "Utilisations" },
	.count_label = "redirection(s)",
	.caption = "consultées avant d'afficher une page introuvable",
	.paged = 1,
	.empty = "Aucune redirection.",
	.fields = redirection_fields,
	.fields_tpl = "admin_redirection_fields",
	.form_id = "redirection-form",
	.new_title = "Nouvelle redirection",
	.create_label = "Créer la redirection",
	.edit_title = "Modifier la redirection",
	.back_label = "Toutes les redirections",
	.get = STMT_ADMIN_REDIRECTION,
	.insert = STMT_ADMIN_REDIRECTION_INSERT,
	.update = STMT_ADMIN_REDIRECTION_UPDATE,
	.label_field = "from_path",
	.unique_field = "from_path",
	.unique_msg = "Une redirection existe déjà pour cette adresse.",
	.check = redirection_check,
	.del = STMT_ADMIN_REDIRECTION_DELETE,
	.delete_label = "Supprimer la redirection",
	.created = "La redirection de %s est créée.",
	.saved = "La redirection est enregistrée.",
	.removed = "La redirection de %s est supprimée.",
};
