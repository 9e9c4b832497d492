#include "../core/common.h"
#include "../core/valid.h"
#include "../core/escape.h"
#include "address.h"

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

static void
check_france(struct form *f, struct address *a, PGresult *communes,
    const char *code)
{
	int n = PQntuples(communes);

	if (n == 0) {
		form_error(f, "postal_code", "Cette valeur n'est pas un code "
		    "postal français valide.");
		return;
	}
	for (int i = 0; *code && i < n; i++)
		if (!strcmp(db_str(communes, i, COMMUNE_INSEE), code)) {
			a->city_insee = db_str(communes, i, COMMUNE_INSEE);
			a->city_name = db_str(communes, i, COMMUNE_NAME);
			return;
		}
	if (*code) {
		form_error(f, "city_code", "Cette ville n'est pas une ville "
		    "française valide.");
		return;
	}
	/* No code (no JavaScript): decide alone when that is possible. */
	for (int i = 0; i < n; i++)
		if (n == 1 || (*a->city_name && !strcasecmp(db_str(communes,
		    i, COMMUNE_NAME), a->city_name))) {
			a->city_insee = db_str(communes, i, COMMUNE_INSEE);
			a->city_name = db_str(communes, i, COMMUNE_NAME);
			return;
		}
	form_error(f, "city_code", "Veuillez choisir votre commune dans la "
	    "liste.");
}

int
address_check(struct form *f, struct address *a)
{
	struct req *r = f->r;
	const char *code = form_text(f, "city_code", 5);

	a->street = form_text(f, "street", 150);
	a->postal_code = form_text(f, "postal_code", 15);
	a->country = form_text(f, "country", 2);
	a->city_name = form_text(f, "city_name", 100);
	a->city_insee = "";
	a->communes = NULL;
	if (!*a->street)
		form_error(f, "street", "L'adresse est obligatoire.");
	else if (utf8_length(a->street) > 150)
		form_error(f, "street", "L'adresse doit comporter au plus 150 "
		    "caractères.");
	if (!*a->country) {
		form_error(f, "country", "Veuillez choisir un pays.");
		return 0;
	}
	if (!address_ready(r))
		return -1;
	if (!country_name(r, a->country)) {
		form_error(f, "country", "Ce pays n'est pas valide.");
		return 0;
	}
	if (strcmp(a->country, "FR")) {
		if (utf8_length(a->postal_code) > 15)
			form_error(f, "postal_code", "Le code postal doit "
			    "contenir moins de 15 caractères.");
		if (!*a->city_name)
			form_error(f, "city_name", "Veuillez renseigner une "
			    "ville.");
		else if (utf8_length(a->city_name) > 100)
			form_error(f, "city_name", "Le nom de la ville doit "
			    "comporter au plus 100 caractères.");
		return 0;
	}
	if (!*a->postal_code) {
		form_error(f, "postal_code", "Veuillez renseigner un code "
		    "postal.");
		return 0;
	}
	if (valid_postal_code_fr(a->postal_code) != VALID_OK) {
		form_error(f, "postal_code", "Cette valeur n'est pas un code "
		    "postal français valide.");
		return 0;
	}
	{
		PGresult *communes = q(r, STMT_COMMUNES_BY_POSTAL,
		    a->postal_code);

		if (!communes)
			return -1;
		a->communes = communes;
		check_france(f, a, communes, code);
	}
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

int
address_view(struct form *f, const struct address *a)
{
	struct req *r = f->r;
	struct view_rows rows;
	const char *options;
	int has_communes = 0;

	form_value(f, "street", a->street);
	form_value(f, "postal_code", a->postal_code);
	form_value(f, "country", *a->country ? a->country : "FR");
	form_value(f, "city_code", a->city_insee);
	form_value(f, "city_name", a->city_name);
	if (!(options = country_options(r, *a->country ? a->country : "FR")))
		return -1;
	view_raw_html_already_safe(&f->v, "country_options", options);
	view_rows_init(&rows, &f->v);
	if ((!*a->country || !strcmp(a->country, "FR")) &&
	    valid_postal_code_fr(a->postal_code) == VALID_OK) {
		PGresult *res = a->communes ? a->communes :
		    q(r, STMT_COMMUNES_BY_POSTAL, a->postal_code);

		/* Without the communes (PostgreSQL down) the form still
		 * shows, with the city as typed. */
		for (int i = 0; res && i < PQntuples(res); i++)
			view_rows_add(&rows, 2, db_str(res, i, COMMUNE_INSEE),
			    db_str(res, i, COMMUNE_NAME));
		has_communes = res && PQntuples(res) > 0;
	}
	view_rows_set(&f->v, "communes", &rows);
	view_int(&f->v, "has_communes", has_communes);
	return form_include(f, "address_fields", "address_block");
}
