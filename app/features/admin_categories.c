/*
 * admin_categories: the categories of the articles (/admin/categories),
 * a resource of the back-office (admin.h). Articles of a deleted category
 * stay, without category (ON DELETE SET NULL).
 */
#include "../core/common.h"
#include "admin.h"
#include "features.h"

static const struct form_field category_fields[] = {
	{ "name", F_REQUIRED, .max = 100, .msg = {
	    [VALID_MISSING] = "Donnez un nom à la catégorie.",
	    [VALID_TOO_LONG] = "Le nom doit faire au plus 100 caractères." } },
	{ "slug", 0, .valid = valid_slug, .msg = {
	    [VALID_INVALID] = "Cette adresse doit contenir des lettres ou des "
		"chiffres." } },
	{ "description", 0, .max = 1000, .msg = {
	    [VALID_TOO_LONG] = "La description doit faire au plus 1000 "
		"caractères." } },
	{ "position", 0, .max = 12, .valid = valid_integer, .fallback = "0",
	    .initial = "0", .msg = {
	    [VALID_INVALID] = "Indiquez un nombre entier (0 en premier)." } },
	{ NULL }
};

static const char *
category_url(struct req *r, const PGresult *row)
{
	return arena_printf(&r->arena, "/articles/category/%s",
	    db_str(row, 0, CF_SLUG));
}

const struct resource admin_categories = {
	.type = "category",
	.title = "Catégories",
	.list = STMT_ADMIN_CATEGORIES,
	.heads = { "Nom", "Adresse", "Position", "Articles" },
	.code_cols = 1u << 1,
	.caption = "Catégories des articles, dans l'ordre d'affichage",
	.empty = "Aucune catégorie.",
	.fields = category_fields,
	.fields_tpl = "admin_category_fields",
	.form_id = "category-form",
	.new_title = "Nouvelle catégorie",
	.create_label = "Créer la catégorie",
	.edit_title = "Modifier la catégorie",
	.back_label = "Toutes les catégories",
	.get = STMT_ADMIN_CATEGORY,
	.insert = STMT_ADMIN_CATEGORY_INSERT,
	.update = STMT_ADMIN_CATEGORY_UPDATE,
	.label_field = "name",
	.slug_from = "name",
	.slugs = STMT_ADMIN_CATEGORY_SLUGS,
	.unique_field = "slug",
	.unique_msg = "Cette adresse est déjà utilisée.",
	.public_url = category_url,
	.view_label = "Voir la catégorie",
	.del = STMT_ADMIN_CATEGORY_DELETE,
	.delete_label = "Supprimer la catégorie",
	.delete_note = "Les articles de cette catégorie resteront, sans "
	    "catégorie.",
	.created = "La catégorie « %s » est créée.",
	.saved = "La catégorie est enregistrée.",
	.removed = "La catégorie « %s » est supprimée.",
};
