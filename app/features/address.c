/*
 * address: the postal address block shared by sign-up and the account page.
 *
 * For France the city is a commune of the postal code, identified by its
 * INSEE code (field city_code); elsewhere it is free text (city_name). The
 * browser script fills the commune select from /api/cities; without
 * JavaScript the server decides alone when the postal code has a single
 * commune or the typed name matches one, and otherwise shows the choice.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "features.h"

/*
 * The countries (reference data from sql/data, the same for every
 * member): loaded once by each worker and kept for its life, with their
 * <option>s built (and escaped) once.
 */
struct country {
	char code[3];
	char *name;
};

static struct country *country_list;
static size_t ncountries;
static char *country_html;

static const struct country *
countries(struct req *r, size_t *n)
{
	PGresult *res;

	if (!country_list) {
		res = q(r, STMT_COUNTRIES);
		if (!res || PQntuples(res) == 0)
			return NULL;
		ncountries = (size_t)PQntuples(res);
		country_list = xcalloc(ncountries, sizeof(*country_list));
		for (size_t i = 0; i < ncountries; i++) {
			snprintf(country_list[i].code, 3, "%s",
			    db_str(res, (int)i, COUNTRY_CODE));
			country_list[i].name = xstrdup(db_str(res, (int)i,
			    COUNTRY_NAME));
		}
	}
	*n = ncountries;
	return country_list;
}

int
address_ready(struct req *r)
{
	size_t n;

	return countries(r, &n) != NULL;
}

static const char *
country_name(struct req *r, const char *code)
{
	size_t n;
	const struct country *c = countries(r, &n);

	for (size_t i = 0; c && i < n; i++)
		if (!strcmp(c[i].code, code))
			return c[i].name;
	return NULL;
}

/* A French address: the commune of the postal code, by its INSEE code
 * (city_code, from the select) or, without JavaScript, the only one or
 * the one whose name was typed. */
static void
check_france(struct form *f, PGresult *communes)
{
	const char *code = form_get(f, "city_code");
	const char *typed = form_get(f, "city_name");
	int n = PQntuples(communes);

	if (n == 0) {
		form_error(f, "postal_code", "Cette valeur n'est pas un code "
		    "postal français valide.");
		return;
	}
	for (int i = 0; i < n; i++)
		if (*code ? !strcmp(db_str(communes, i, COMMUNE_INSEE), code) :
		    n == 1 || (*typed && !strcasecmp(db_str(communes, i,
		    COMMUNE_NAME), typed))) {
			form_set(f, "city_code", db_str(communes, i,
			    COMMUNE_INSEE));
			form_set(f, "city_name", db_str(communes, i,
			    COMMUNE_NAME));
			return;
		}
	form_error(f, "city_code", *code ? "Cette ville n'est pas une ville "
	    "française valide." : "Veuillez choisir votre commune dans la "
	    "liste.");
}

int
address_check(struct form *f, PGresult **communes)
{
	struct req *r = f->r;
	const char *country = form_get(f, "country");
	const char *postal = form_get(f, "postal_code");
	char norm[8];

	*communes = NULL;
	if (!*country || form_has_error(f, "country"))
		return 0;
	if (!address_ready(r))
		return -1;
	if (!country_name(r, country)) {
		form_error(f, "country", "Ce pays n'est pas valide.");
		return 0;
	}
	if (strcmp(country, "FR")) {
		form_set(f, "city_code", "");
		if (!*form_get(f, "city_name"))
			form_error(f, "city_name", "Veuillez renseigner une "
			    "ville.");
		return 0;
	}
	if (!*postal) {
		form_error(f, "postal_code", "Veuillez renseigner un code "
		    "postal.");
		return 0;
	}
	if (valid_postal_code_fr(postal, norm, sizeof(norm)) != VALID_OK) {
		form_error(f, "postal_code", "Cette valeur n'est pas un code "
		    "postal français valide.");
		return 0;
	}
	if (!(*communes = q(r, STMT_COMMUNES_BY_POSTAL, postal)))
		return -1;
	check_france(f, *communes);
	return 0;
}

/* The country <option>s with `code` selected. The list is built (and
 * escaped) once per worker; only the selected mark is per request. */
static const char *
country_options(struct req *r, const char *code)
{
	struct buf b;
	const char *at;
	char key[16];
	size_t n;
	const struct country *c = countries(r, &n);

	if (!c)
		return NULL;
	if (!country_html) {
		buf_init(&b, 1024 * 1024);
		for (size_t i = 0; i < n; i++) {
			buf_printf(&b, "<option value=\"%s\">", c[i].code);
			html_escape(&b, c[i].name);
			buf_puts(&b, "</option>\n");
		}
		country_html = buf_detach(&b, NULL);
	}
	snprintf(key, sizeof(key), "value=\"%.2s\"", code);
	at = strlen(code) == 2 ? strstr(country_html, key) : NULL;
	if (!at)
		return country_html;
	n = (size_t)(at - country_html) + strlen(key);
	return arena_printf(&r->arena, "%.*s selected%s", (int)n, country_html,
	    country_html + n);
}

/* Does the form's table require the street (members), or not (a
 * committee's address)? */
static int
street_required(const struct form *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->fields[i]->name, "street"))
			return (f->fields[i]->flags & F_REQUIRED) != 0;
	return 1;
}

int
address_view(struct form *f, PGresult *communes)
{
	struct req *r = f->r;
	struct view_rows rows;
	const char *country = form_get(f, "country");
	const char *postal = form_get(f, "postal_code");
	const char *options;
	char norm[8];
	int has_communes = 0;

	if (!*country)
		form_set(f, "country", country = "FR");
	if (!(options = country_options(r, country)))
		return -1;
	view_raw_html_already_safe(&f->v, "country_options", options);
	view_rows_init(&rows, &f->v);
	if (!strcmp(country, "FR") &&
	    valid_postal_code_fr(postal, norm, sizeof(norm)) == VALID_OK) {
		PGresult *res = communes ? communes :
		    q(r, STMT_COMMUNES_BY_POSTAL, postal);

		/* Without the communes (PostgreSQL down) the form still
		 * shows, with the city as typed. */
		for (int i = 0; res && i < PQntuples(res); i++)
			view_rows_add(&rows, 2, db_str(res, i, COMMUNE_INSEE),
			    db_str(res, i, COMMUNE_NAME));
		has_communes = res && PQntuples(res) > 0;
	}
	view_rows_set(&f->v, "communes", &rows);
	view_int(&f->v, "has_communes", has_communes);
	view_int(&f->v, "street_required", street_required(f));
	return form_include(f, "address_fields", "address_block");
}
