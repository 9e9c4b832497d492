/* router: route matching and method parsing. */
#include "../../app/core/common.h"
#include "../../app/core/router.h"
#include "unit.h"

static const char *const pat[] = {
	"/",					/* 0 */
	"/signup",				/* 1 */
	"/signup",				/* 2 */
	"/signup/done",				/* 3 */
	"/signup/confirm/{token}",		/* 4 */
	"/password/reset/{token}",		/* 5 */
	"/password/reset/{token}",		/* 6 */
	"/logout",				/* 7 */
	"/groups/{group}/events/{event}",	/* 8 */
	"/account",				/* 9 */
	"/events/{slug}.ics",			/* 10 */
	"/events/{slug}",			/* 11 */
	"/committees/{slug}/events.ics",	/* 12 */
	"/files/{name}.tar.gz/list",		/* 13 */
};
static const int meth[] = {
	HTTP_GET, HTTP_GET, HTTP_POST, HTTP_GET, HTTP_GET, HTTP_GET,
	HTTP_POST, HTTP_POST, HTTP_GET, HTTP_GET | HTTP_POST,
	HTTP_GET, HTTP_GET, HTTP_GET, HTTP_GET,
};

static enum route_result
match(int method, const char *path, struct route_match *m)
{
	memset(m, 0xa5, sizeof(*m));
	return router_match(pat, meth, ARRAY_SIZE(pat), method, path, m);
}

static void
router_literals(void)
{
	struct route_match m;

	if (EQ_INT(match(HTTP_GET, "/", &m), ROUTE_FOUND))
		EQ_INT(m.index, 0);
	if (EQ_INT(match(HTTP_GET, "/signup", &m), ROUTE_FOUND)) {
		EQ_INT(m.index, 1);
		EQ_INT(m.nparams, 0);
	}
	if (EQ_INT(match(HTTP_POST, "/signup", &m), ROUTE_FOUND))
		EQ_INT(m.index, 2);
	if (EQ_INT(match(HTTP_GET, "/signup/done", &m), ROUTE_FOUND))
		EQ_INT(m.index, 3);
	if (EQ_INT(match(HTTP_POST, "/account", &m), ROUTE_FOUND))
		EQ_INT(m.index, 9);
	EQ_INT(match(HTTP_GET, "/nope", &m), ROUTE_NOT_FOUND);
	EQ_INT(m.nparams, 0);
	EQ_INT(match(HTTP_GET, "", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "/signu", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "/signupx", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "/SIGNUP", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "//signup", &m), ROUTE_NOT_FOUND);
}

static void
router_trailing_slash_differs(void)
{
	struct route_match m;

	EQ_INT(match(HTTP_GET, "/signup/", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "/signup/done/", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "/signup/confirm/abc/", &m), ROUTE_NOT_FOUND);
}

static void
router_params(void)
{
	struct route_match m;
	const char *path = "/signup/confirm/abc-DEF_123";

	if (EQ_INT(match(HTTP_GET, path, &m), ROUTE_FOUND)) {
		EQ_INT(m.index, 4);
		if (EQ_INT(m.nparams, 1)) {
			EQ_MEM(m.params[0].p, m.params[0].len, "abc-DEF_123",
			    11);
			CHECK(m.params[0].p == path + 16);	/* into path */
		}
	}
	if (EQ_INT(match(HTTP_POST, "/password/reset/t0k", &m), ROUTE_FOUND)) {
		EQ_INT(m.index, 6);
		EQ_INT(m.nparams, 1);
	}
	if (EQ_INT(match(HTTP_GET, "/groups/g1/events/é", &m), ROUTE_FOUND)) {
		EQ_INT(m.index, 8);
		if (EQ_INT(m.nparams, 2)) {
			EQ_MEM(m.params[0].p, m.params[0].len, "g1", 2);
			EQ_MEM(m.params[1].p, m.params[1].len, "é", 2);
		}
	}
}

static void
router_empty_param_refused(void)
{
	struct route_match m;

	EQ_INT(match(HTTP_GET, "/signup/confirm/", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "/signup/confirm", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "/groups//events/1", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "/groups/1/events/", &m), ROUTE_NOT_FOUND);
	/* A parameter is one segment only. */
	EQ_INT(match(HTTP_GET, "/signup/confirm/a/b", &m), ROUTE_NOT_FOUND);
}

static void
router_method_not_allowed(void)
{
	struct route_match m;

	if (EQ_INT(match(HTTP_GET, "/logout", &m),
	    ROUTE_METHOD_NOT_ALLOWED))
		EQ_INT(m.allowed, HTTP_POST);
	if (EQ_INT(match(HTTP_OTHER, "/signup", &m),
	    ROUTE_METHOD_NOT_ALLOWED))
		EQ_INT(m.allowed, HTTP_GET | HTTP_POST);
	if (EQ_INT(match(HTTP_POST, "/signup/confirm/x", &m),
	    ROUTE_METHOD_NOT_ALLOWED))
		EQ_INT(m.allowed, HTTP_GET);
	if (EQ_INT(match(HTTP_OTHER, "/password/reset/x", &m),
	    ROUTE_METHOD_NOT_ALLOWED))
		EQ_INT(m.allowed, HTTP_GET | HTTP_POST);
	/* 404 stays 404 whatever the method. */
	EQ_INT(match(HTTP_OTHER, "/nope", &m), ROUTE_NOT_FOUND);
}

static void
router_methods_parsed(void)
{
	EQ_INT(http_method_parse("GET"), HTTP_GET);
	EQ_INT(http_method_parse("HEAD"), HTTP_GET);
	EQ_INT(http_method_parse("POST"), HTTP_POST);
	EQ_INT(http_method_parse("PUT"), HTTP_OTHER);
	EQ_INT(http_method_parse("DELETE"), HTTP_OTHER);
	EQ_INT(http_method_parse("get"), HTTP_OTHER);
	EQ_INT(http_method_parse("GETX"), HTTP_OTHER);
	EQ_INT(http_method_parse(""), HTTP_OTHER);
	EQ_INT(http_method_parse(NULL), HTTP_OTHER);
}

static void
router_head_is_get(void)
{
	struct route_match m;

	if (EQ_INT(match(http_method_parse("HEAD"), "/signup", &m),
	    ROUTE_FOUND))
		EQ_INT(m.index, 1);
	EQ_INT(match(http_method_parse("HEAD"), "/logout", &m),
	    ROUTE_METHOD_NOT_ALLOWED);
}

static void
router_param_with_suffix(void)
{
	struct route_match m;
	const char *path = "/events/2026-12-14-debat.ics";

	if (EQ_INT(match(HTTP_GET, path, &m), ROUTE_FOUND)) {
		EQ_INT(m.index, 10);
		if (EQ_INT(m.nparams, 1))
			EQ_MEM(m.params[0].p, m.params[0].len,
			    "2026-12-14-debat", 16);
	}
	/* Without the suffix, the next pattern. */
	if (EQ_INT(match(HTTP_GET, "/events/2026-12-14-debat", &m),
	    ROUTE_FOUND)) {
		EQ_INT(m.index, 11);
		EQ_MEM(m.params[0].p, m.params[0].len, "2026-12-14-debat", 16);
	}
	/* The suffix alone leaves the parameter empty: not this pattern. */
	if (EQ_INT(match(HTTP_GET, "/events/.ics", &m), ROUTE_FOUND)) {
		EQ_INT(m.index, 11);
		EQ_MEM(m.params[0].p, m.params[0].len, ".ics", 4);
	}
	/* The suffix ends the segment. */
	if (EQ_INT(match(HTTP_GET, "/events/a.ics.ics", &m), ROUTE_FOUND)) {
		EQ_INT(m.index, 10);
		EQ_MEM(m.params[0].p, m.params[0].len, "a.ics", 5);
	}
	EQ_INT(match(HTTP_GET, "/events/a.ics/x", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "/events/a.icsx", &m), ROUTE_FOUND);
	EQ_INT(m.index, 11);
	/* A literal segment after a parameter segment. */
	if (EQ_INT(match(HTTP_GET, "/committees/lyon/events.ics", &m),
	    ROUTE_FOUND)) {
		EQ_INT(m.index, 12);
		EQ_MEM(m.params[0].p, m.params[0].len, "lyon", 4);
	}
	EQ_INT(match(HTTP_GET, "/committees/lyon/events.icsx", &m),
	    ROUTE_NOT_FOUND);
	/* A suffix, then more segments. */
	if (EQ_INT(match(HTTP_GET, "/files/a.b.tar.gz/list", &m),
	    ROUTE_FOUND)) {
		EQ_INT(m.index, 13);
		EQ_MEM(m.params[0].p, m.params[0].len, "a.b", 3);
	}
	EQ_INT(match(HTTP_GET, "/files/.tar.gz/list", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "/files/a.tar.gz", &m), ROUTE_NOT_FOUND);
	EQ_INT(match(HTTP_GET, "/files/a.tar/list", &m), ROUTE_NOT_FOUND);
}

UNIT_SUITE(router,
    UNIT(router_literals),
    UNIT(router_trailing_slash_differs),
    UNIT(router_params),
    UNIT(router_empty_param_refused),
    UNIT(router_method_not_allowed),
    UNIT(router_methods_parsed),
    UNIT(router_head_is_get),
    UNIT(router_param_with_suffix))
