#include "common.h"
#include "router.h"

int
http_method_parse(const char *m)
{
	if (!m)
		return HTTP_OTHER;
	/* HEAD is answered as GET; nginx drops the body. */
	if (!strcmp(m, "GET") || !strcmp(m, "HEAD"))
		return HTTP_GET;
	if (!strcmp(m, "POST"))
		return HTTP_POST;
	return HTTP_OTHER;
}

static int
pattern_match(const char *pat, const char *path, struct route_match *m)
{
	m->nparams = 0;
	for (;;) {
		if (*pat == '{') {
			const char *close = strchr(pat, '}');
			const char *seg = path;
			size_t suffix;

			while (*path && *path != '/')
				path++;
			if (!close || m->nparams >= ROUTE_MAX_PARAMS)
				return 0;
			/* A literal after the parameter, in the same segment
			 * ("{slug}.ics"), ends the segment; the parameter is
			 * what comes before it, never empty. */
			suffix = strcspn(close + 1, "/");
			if ((size_t)(path - seg) <= suffix ||
			    memcmp(path - suffix, close + 1, suffix))
				return 0;
			m->params[m->nparams].p = seg;
			m->params[m->nparams].len = (size_t)(path - seg) - suffix;
			m->nparams++;
			pat = close + 1 + suffix;
			continue;
		}
		if (*pat != *path)
			return 0;
		if (!*pat)
			return 1;
		pat++;
		path++;
	}
}

enum route_result
router_match(const char *const *patterns, const int *methods, size_t n,
    int method, const char *path, struct route_match *m)
{
	struct route_match tmp = { 0 };

	m->allowed = 0;
	m->nparams = 0;
	for (size_t i = 0; i < n; i++) {
		if (!pattern_match(patterns[i], path, &tmp))
			continue;
		if (methods[i] & method) {
			*m = tmp;
			m->index = i;
			return ROUTE_FOUND;
		}
		m->allowed |= methods[i];
	}
	return m->allowed ? ROUTE_METHOD_NOT_ALLOWED : ROUTE_NOT_FOUND;
}
