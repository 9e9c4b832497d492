/*
 * The request path as the server sees it: url_decode (no '+' mapping) and
 * utf8_valid, then router_match against a table shaped like
 * app/features/routes.c. The first byte picks the method.
 *
 * router_match is compared with a reference matcher written here
 * (segment by segment; "{x}" is one non-empty segment, "{x}.ics" one that
 * ends in ".ics" after at least one byte), and a match must
 * be consistent: params point into the path, and substituting them into
 * the pattern rebuilds the path exactly.
 */
#include "fuzz.h"
#include "parse.h"
#include "router.h"

static const char *const pat[] = {
	"/",
	"/health",
	"/api/cities",
	"/signup",
	"/signup",
	"/signup/done",
	"/signup/confirm/{token}",
	"/login",
	"/login",
	"/logout",
	"/password/reset/{token}",
	"/password/reset/{token}",
	"/account",
	"/account/delete",
	"/groups/{group}/events/{event}",
	"/{lang}/about",
	"/{a}/{b}/{c}/{d}",
	"/events/{slug}.ics",
	"/events/{slug}",
};
static const int meth[] = {
	HTTP_GET, HTTP_GET, HTTP_GET,
	HTTP_GET, HTTP_POST, HTTP_GET, HTTP_GET,
	HTTP_GET, HTTP_POST, HTTP_POST,
	HTTP_GET, HTTP_POST,
	HTTP_GET | HTTP_POST, HTTP_GET,
	HTTP_GET, HTTP_GET, HTTP_POST,
	HTTP_GET, HTTP_GET,
};
static const char *const method_names[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "get", "",
};

/* Does path match pattern p, segment by segment? */
static int
ref_match(const char *p, const char *path)
{
	for (;;) {
		const char *pe = strchrnul(p, '/'), *se = strchrnul(path, '/');

		if (*p == '{') {
			/* "{x}" then a literal suffix of the segment, if any */
			const char *suf = strchr(p, '}') + 1;
			size_t n = (size_t)(pe - suf);

			if ((size_t)(se - path) <= n || memcmp(se - n, suf, n))
				return 0;
		} else if (pe - p != se - path || memcmp(p, path,
		    (size_t)(pe - p)))
			return 0;
		if (!*pe || !*se)
			return !*pe && !*se;
		p = pe + 1;
		path = se + 1;
	}
}

static void
check_found(const struct route_match *m, int method, const char *path)
{
	const char *p = pat[m->index], *s = path;
	size_t k = 0, plen = strlen(path);

	FUZZ_CHECK(m->index < ARRAY_SIZE(pat));
	FUZZ_CHECK(meth[m->index] & method);
	FUZZ_CHECK(m->nparams <= ROUTE_MAX_PARAMS);
	/* Rebuild the path from the pattern and the parameters. */
	while (*p) {
		if (*p == '{') {
			const struct route_param *r;

			FUZZ_CHECK(k < m->nparams);
			r = &m->params[k++];
			FUZZ_CHECK(r->p == s);
			FUZZ_CHECK(r->len > 0 && r->len <= plen);
			FUZZ_CHECK(!memchr(r->p, '/', r->len));
			s += r->len;
			p = strchr(p, '}') + 1;
		} else {
			FUZZ_CHECK(*s == *p);
			s++;
			p++;
		}
	}
	FUZZ_CHECK(*s == '\0');
	FUZZ_CHECK(k == m->nparams);
}

static void
check_route(int method, const char *path)
{
	struct route_match m;
	enum route_result rr;
	size_t first = SIZE_MAX;
	int allowed = 0;

	memset(&m, 0xa5, sizeof(m));
	rr = router_match(pat, meth, ARRAY_SIZE(pat), method, path, &m);
	for (size_t i = 0; i < ARRAY_SIZE(pat); i++) {
		if (!ref_match(pat[i], path))
			continue;
		if (meth[i] & method) {
			if (first == SIZE_MAX)
				first = i;
		} else if (first == SIZE_MAX)
			allowed |= meth[i];
	}
	if (first != SIZE_MAX) {
		FUZZ_CHECK(rr == ROUTE_FOUND);
		FUZZ_CHECK(m.index == first);
		check_found(&m, method, path);
	} else if (allowed) {
		FUZZ_CHECK(rr == ROUTE_METHOD_NOT_ALLOWED);
		FUZZ_CHECK(m.allowed == allowed);
		FUZZ_CHECK(!(m.allowed & method));
	} else {
		FUZZ_CHECK(rr == ROUTE_NOT_FOUND);
		FUZZ_CHECK(m.allowed == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *mname;
	char *raw, *path;
	size_t plen = 0;
	int method;

	if (size == 0)
		return 0;
	mname = method_names[data[0] % ARRAY_SIZE(method_names)];
	method = http_method_parse(data[0] & 0x80 ? NULL : mname);
	FUZZ_CHECK(method == HTTP_GET || method == HTTP_POST ||
	    method == HTTP_OTHER);
	raw = fuzz_cstr(data + 1, size - 1);
	path = xmalloc(strlen(raw) + 1);
	/* As req_parse_path() does; the raw path is routed too. */
	if (url_decode(path, raw, strlen(raw), &plen, 0) == PARSE_OK) {
		FUZZ_CHECK(strlen(path) == plen);
		if (utf8_valid(path, plen))
			check_route(method, path);
	}
	check_route(method, raw);
	free(path);
	free(raw);
	return 0;
}
