/*
 * admin_events: the back-office of events: their categories
 * (/admin/event-categories, a resource) and the list of every event
 * (/admin/events), from which an admin creates a national one
 * (/admin/events/new, events.c). Events of a deleted category stay,
 * without category (ON DELETE SET NULL).
 */
#include "../core/common.h"
#include "admin.h"
#include "features.h"

static const struct form_field event_category_fields[] = {
	{ "name", F_REQUIRED, .max = 100, .msg = {
	    [VALID_MISSING] = "Donnez un nom à la catégorie.",
	    [VALID_TOO_LONG] = "Le nom doit faire au plus 100 caractères." } },
	{ "slug", 0, .valid = valid_slug, .msg = {
	    [VALID_INVALID] = "Cette adresse doit contenir des lettres ou des "
		"chiffres." } },
	{ "position", 0, .max = 12, .valid = valid_integer, .fallback = "0",
	    .initial = "0", .msg = {
	    [VALID_INVALID] = "Indiquez un nombre entier (0 en premier)." } },
	{ NULL }
};

static const char *
event_category_url(struct req *r, const PGresult *row)
{
	return arena_printf(&r->arena, "/events?category=%s",
	    db_str(row, 0, ECF_SLUG));
}

const struct resource admin_event_categories = {
	.type = "event_category",
	.title = "Catégories d'événements",
	.list = STMT_ADMIN_EVENT_CATEGORIES,
	.heads = { "Nom", "Adresse", "Position", "Événements" },
	.code_cols = 1u << 1,
	.caption = "Catégories des événements, dans l'ordre d'affichage",
	.empty = "Aucune catégorie d'événement.",
	.fields = event_category_fields,
	.fields_tpl = "admin_event_category_fields",
	.form_id = "event-category-form",
	.new_title = "Nouvelle catégorie d'événement",
	.create_label = "Créer la catégorie",
	.edit_title = "Modifier la catégorie d'événement",
	.back_label = "Toutes les catégories d'événements",
	.get = STMT_ADMIN_EVENT_CATEGORY,
	.insert = STMT_ADMIN_EVENT_CATEGORY_INSERT,
	.update = STMT_ADMIN_EVENT_CATEGORY_UPDATE,
	.label_field = "name",
	.slug_from = "name",
	.slugs = STMT_ADMIN_EVENT_CATEGORY_SLUGS,
	.unique_field = "slug",
	.unique_msg = "Ce nom ou cette adresse est déjà utilisé.",
	.public_url = event_category_url,
	.view_label = "Voir les événements de la catégorie",
	.del = STMT_ADMIN_EVENT_CATEGORY_DELETE,
	.delete_label = "Supprimer la catégorie",
	.delete_note = "Les événements de cette catégorie resteront, sans "
	    "catégorie.",
	.created = "La catégorie « %s » est créée.",
	.saved = "La catégorie est enregistrée.",
	.removed = "La catégorie « %s » est supprimée.",
};

/* A row of the events' list: the name links to the public page. */
static void
event_cells(struct req *r, const PGresult *res, int i, const char **cells)
{
	cells[0] = link_html(r, arena_printf(&r->arena, "/events/%s",
	    db_str(res, i, AEL_SLUG)), db_str(res, i, AEL_NAME));
	cells[1] = html_text(r, db_str(res, i, AEL_START));
	cells[2] = html_text(r, db_str(res, i, AEL_ORGANIZER));
	cells[3] = html_text(r, db_str(res, i, AEL_STATUS));
	cells[4] = html_text(r, db_str(res, i, AEL_REGISTERED));
}

const struct resource admin_events = {
	.type = "event",
	.title = "Événements",
	.list = STMT_ADMIN_EVENTS,
	.heads = { "Nom", "Début", "Organisateur", "État", "Inscrits" },
	.cells = event_cells,
	.caption = "Tous les événements, les plus lointains d'abord",
	.paged = 1,
	.empty = "Aucun événement.",
	.new_link = "/admin/events/new",
	.new_label = "Nouvel événement national",
};
