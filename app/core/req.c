/*
 * req: the request accessors and the response builders every layer uses.
 * Pure (no I/O): the worker loop (server.c) writes the response once the
 * handler has returned.
 */
#include "common.h"
#include "req.h"
#include "log.h"
#include "valid.h"

#include <limits.h>

const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

const char *
error_message(int status)
{
	switch (status) {
	case 400: return "La requête est invalide.";
	case 403: return "Vous n'avez pas accès à cette page.";
	case 404: return "La page demandée n'existe pas.";
	case 405: return "Cette méthode n'est pas permise ici.";
	case 413: return "Le contenu envoyé est trop volumineux.";
	case 414: return "L'adresse demandée est trop longue.";
	case 415: return "Ce type de contenu n'est pas accepté.";
	case 503: return "Le service est momentanément indisponible. "
	    "Réessayez dans quelques instants.";
	default: return "Une erreur est survenue de notre côté. "
	    "Réessayez dans quelques instants.";
	}
}

const char *
req_form(const struct req *r, const char *name)
{
	const struct field *f = fields_find(&r->form, name);

	return f ? f->value : NULL;
}

const char *
req_query(const struct req *r, const char *name)
{
	const struct field *f = fields_find(&r->query, name);

	return f ? f->value : NULL;
}

const char *
req_id(const struct req *r)
{
	return req_id_long(r) ? r->params[0] : NULL;
}

long
req_id_long(const struct req *r)
{
	long id;

	if (!r->params[0] || parse_long(r->params[0], 1, LONG_MAX, &id) < 0)
		return 0;
	return id;
}

const char *
req_cookie(const struct req *r, const char *name)
{
	const struct field *f = fields_find(&r->cookies, name);

	return f ? f->value : NULL;
}

/* envp holds "NAME=value" strings, as FastCGI hands them over. */
const char *
req_header(const struct req *r, const char *cgi_name)
{
	size_t n = strlen(cgi_name);

	for (char **e = r->envp; e && *e; e++)
		if (!strncmp(*e, cgi_name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

int
resp_header(struct req *r, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) {
		log_error("refused a header with CR/LF: %s", name);
		return -1;
	}
	if (!strcasecmp(name, "Set-Cookie"))
		r->cookies_set = 1;
	buf_printf(&r->headers, "%s: %s\r\n", name, value);
	return 0;
}

int
resp_redirect(struct req *r, const char *path)
{
	if (valid_local_path(path) != VALID_OK)
		path = "/";
	if (resp_header(r, "Location",
	    arena_printf(&r->arena, "%s%s", r->cfg->base_url, path)) < 0)
		return 500;
	return 303;
}

void
resp_cookie(struct req *r, const char *name, const char *value, long max_age)
{
	char *c = arena_printf(&r->arena, "%s=%s; Path=/; HttpOnly; "
	    "SameSite=Lax%s", name, value,
	    r->cfg->secure_cookies ? "; Secure" : "");

	if (max_age >= 0)
		c = arena_printf(&r->arena, "%s; Max-Age=%ld", c, max_age);
	resp_header(r, "Set-Cookie", c);
}

int
resp_json(struct req *r, int status, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	json_decref(v);
	buf_reset(&r->body);
	if (!s)
		return 500;
	buf_puts(&r->body, s);
	free(s);
	r->ctype = "application/json";
	return status;
}

int
resp_problem(struct req *r, int status, const char *title, const char *detail)
{
	int rc = resp_json(r, status, json_pack("{s:s, s:s, s:i, s:s}", "type",
	    "about:blank", "title", title, "status", status, "detail",
	    detail ? detail : title));

	r->ctype = "application/problem+json";
	return rc;
}

int
unavailable(struct req *r)
{
	r->unavailable = 1;
	resp_header(r, "Retry-After", "5");
	return 503;
}
