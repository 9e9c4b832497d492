/*
 * pages: health, the cities API and the generic message page.
 */
#include "../core/common.h"
#include "../core/valid.h"
#include "../infra/session.h"
#include "features.h"

#include <ctype.h>
#include <jansson.h>

int
message_page(struct req *r, int status, const char *title,
    const char *message, const char *link, const char *link_label)
{
	struct view v;

	view_init(&v, &r->arena, 0);
	view_str(&v, "heading", title);
	view_str(&v, "message", message);
	view_str(&v, "link", link ? link : "");
	view_str(&v, "link_label", link_label ? link_label : "");
	return render(r, status, "message", &v, title);
}

/*
 * GET /health: {"status","postgresql","redis"}; 200 when both answer,
 * else 503. Never cached.
 */
int
health_get(struct req *r)
{
	int pg = q(r, STMT_PING) != NULL;
	redisReply *rep = kv(r, "PING");
	int rd = rep && rep->type == REDIS_REPLY_STATUS;

	return resp_json(r, pg && rd ? 200 : 503, json_pack("{s:s, s:s, s:s}",
	    "status", pg && rd ? "ok" : "unavailable", "postgresql",
	    pg ? "up" : "down", "redis", rd ? "up" : "down"));
}

/*
 * GET /api/cities?country=FR&postal_code=69001
 * 200 [{"code","name"}...] ([] for an unknown postal code or a country
 * without commune data); 400 problem+json for a malformed parameter; 503.
 */
int
cities_get(struct req *r)
{
	const char *country = req_query(r, "country");
	const char *postal = req_query(r, "postal_code");
	char norm[8];
	json_t *list;
	PGresult *res;

	if (!country)
		country = "FR";
	if (strlen(country) != 2 || !isupper((unsigned char)country[0]) ||
	    !isupper((unsigned char)country[1]))
		return resp_problem(r, 400, "Paramètre invalide",
		    "country doit être un code pays ISO 3166-1 à deux lettres.");
	if (!postal || (!strcmp(country, "FR") &&
	    valid_postal_code_fr(postal, norm, sizeof(norm)) != VALID_OK) ||
	    strlen(postal) > 15)
		return resp_problem(r, 400, "Paramètre invalide",
		    "postal_code doit être un code postal français à cinq "
		    "chiffres.");
	if (strcmp(country, "FR"))
		return resp_json(r, 200, json_array());
	if (!(res = q(r, STMT_COMMUNES_BY_POSTAL, postal)))
		return resp_problem(r, unavailable(r), "Service indisponible",
		    "La base de données ne répond pas.");
	list = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "code",
		    db_str(res, i, COMMUNE_INSEE), "name", db_str(res, i,
		    COMMUNE_NAME)));
	r->cache = "public, max-age=86400";
	return resp_json(r, 200, list);
}
