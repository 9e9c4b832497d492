/*
 * router: match a method and a path against the static route table.
 * Patterns are '/'-separated literals and {param} segments; a {param}
 * matches one non-empty segment, or the non-empty start of a segment when
 * a literal follows it there ("/events/{slug}.ics": the segment must end
 * in ".ics", and slug is what precedes it). Pure: no allocation, params
 * point into the path (pointer + length).
 */
#ifndef CIVITAS_ROUTER_H
#define CIVITAS_ROUTER_H

#include <stddef.h>

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_POST = 1 << 1,
	HTTP_OTHER = 1 << 2,
};

#define ROUTE_MAX_PARAMS 4

struct route_param {
	const char *p;
	size_t len;
};

enum route_result {
	ROUTE_FOUND,
	ROUTE_NOT_FOUND,
	ROUTE_METHOD_NOT_ALLOWED,
};

struct route_match {
	size_t index;		/* into the table, when FOUND */
	int allowed;		/* methods that would match, for 405 */
	struct route_param params[ROUTE_MAX_PARAMS];
	size_t nparams;
};

int http_method_parse(const char *m);
/* patterns[i] is the pattern of route i, methods[i] its method mask. */
enum route_result router_match(const char *const *patterns, const int *methods,
    size_t n, int method, const char *path, struct route_match *m);

#endif
