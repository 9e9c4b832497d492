/*
 * admin_blocks: the blocks of the home page (/admin/home-blocks), a
 * resource of the back-office (admin.h): a title, a text, a link and a
 * picture of the media library.
 */
#include "../core/common.h"
#include "admin.h"
#include "features.h"

static const struct form_field block_fields[] = {
	{ "title", F_REQUIRED, .max = TITLE_MAX, .msg = {
	    [VALID_MISSING] = "Donnez un titre au bloc.",
	    [VALID_TOO_LONG] = "Le titre doit faire au plus 200 caractères." } },
	{ "body", 0, .max = 1000, .msg = {
	    [VALID_TOO_LONG] = "Le texte doit faire au plus 1000 "
		"caractères." } },
	{ "link", 0, .max = 2000, .valid = valid_link, .msg = {
	    [VALID_INVALID] = "Indiquez une adresse du site (commençant par /) "
		"ou une adresse https://." } },
	{ "media_id", 0, .valid = valid_id, .msg = {
	    [VALID_INVALID] = "Cette image n'existe pas." } },
	{ "position", 0, .max = 12, .valid = valid_integer, .fallback = "0",
	    .initial = "0", .msg = {
	    [VALID_INVALID] = "Indiquez un nombre entier (0 en premier)." } },
	{ "visible", F_CHECKBOX, .initial = "1" },
	{ NULL }
};

/* The picture must be one of the library. */
static int
block_check(struct form *f)
{
	const char *id = form_get(f, "media_id");
	PGresult *media;

	if (!*id || form_has_error(f, "media_id"))
		return 0;
	if (!(media = q(f->r, STMT_ADMIN_MEDIA_OPTIONS)))
		return -1;
	if (!option_exists(media, id))
		form_error(f, "media_id", "Cette image n'existe pas.");
	return 0;
}

/* The library's pictures to choose from. */
static int
block_view(struct form *f)
{
	PGresult *media = q(f->r, STMT_ADMIN_MEDIA_OPTIONS);

	if (!media)
		return -1;
	view_raw_html_already_safe(&f->v, "media_options", options_html(f->r,
	    media, form_get(f, "media_id"), "Aucune"));
	return 0;
}

const struct resource admin_blocks = {
	.type = "home_block",
	.title = "Blocs de la page d'accueil",
	.list = STMT_ADMIN_BLOCKS,
	.heads = { "Titre", "Lien", "Position", "Affiché" },
	.caption = "Blocs, dans l'ordre d'affichage",
	.empty = "Aucun bloc.",
	.fields = block_fields,
	.fields_tpl = "admin_block_fields",
	.form_id = "block-form",
	.new_title = "Nouveau bloc",
	.create_label = "Créer le bloc",
	.edit_title = "Modifier le bloc",
	.back_label = "Tous les blocs",
	.get = STMT_ADMIN_BLOCK,
	.insert = STMT_ADMIN_BLOCK_INSERT,
	.update = STMT_ADMIN_BLOCK_UPDATE,
	.label_field = "title",
	.check = block_check,
	.view = block_view,
	.del = STMT_ADMIN_BLOCK_DELETE,
	.delete_label = "Supprimer le bloc",
	.created = "Le bloc « %s » est créé.",
	.saved = "Le bloc est enregistré.",
	.removed = "Le bloc « %s » est supprimé.",
};
