/* req: the response builders every layer uses. */
#include "../../app/core/common.h"
#include "../../app/core/req.h"
#include "../../app/core/valid.h"
#include "unit.h"

static struct config cfg = { .base_url = "https://civitas.example" };

static void
req_open(struct req *r)
{
	memset(r, 0, sizeof(*r));
	r->cfg = &cfg;
	arena_init(&r->arena, 4096);
	buf_init(&r->headers, 64 * 1024);
	buf_init(&r->body, 64 * 1024);
}

static void
req_close(struct req *r)
{
	buf_release(&r->headers);
	buf_release(&r->body);
	arena_release(&r->arena);
}

static void
local_paths(void)
{
	EQ_INT(valid_local_path("/"), VALID_OK);
	EQ_INT(valid_local_path("/account"), VALID_OK);
	EQ_INT(valid_local_path("/login?next=%2Fadmin&x=1#top"), VALID_OK);
	EQ_INT(valid_local_path("/articles/caf%C3%A9"), VALID_OK);
	EQ_INT(valid_local_path(""), VALID_MISSING);
	EQ_INT(valid_local_path(NULL), VALID_MISSING);
	EQ_INT(valid_local_path("account"), VALID_INVALID);
	EQ_INT(valid_local_path("//evil.example"), VALID_INVALID);
	EQ_INT(valid_local_path("/\\evil.example"), VALID_INVALID);
	EQ_INT(valid_local_path("https://evil.example"), VALID_INVALID);
	EQ_INT(valid_local_path("/a\tb"), VALID_INVALID);
	EQ_INT(valid_local_path("/a b"), VALID_INVALID);
	EQ_INT(valid_local_path("/a\r\nSet-Cookie: x=1"), VALID_INVALID);
	EQ_INT(valid_local_path("/a\x7f"), VALID_INVALID);
	EQ_INT(valid_local_path("/a\xe2\x80\xa8"), VALID_INVALID);	/* U+2028 */
	EQ_INT(valid_local_path("/caf\xc3\xa9"), VALID_INVALID);
}

/* A redirect goes to one of our paths, else home; its header never
 * carries a control or separator character. */
static void
redirects_stay_local(void)
{
	static const char *const bad[] = { "//evil.example", "/\tx",
	    "/x\xe2\x80\xa8y", "https://evil.example", "/a\r\nX: 1", "" };
	struct req r;

	req_open(&r);
	EQ_INT(resp_redirect(&r, "/account?tab=1"), 303);
	EQ_STR(r.headers.data,
	    "Location: https://civitas.example/account?tab=1\r\n");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		buf_reset(&r.headers);
		EQ_INT(resp_redirect(&r, bad[i]), 303);
		EQ_STR(r.headers.data, "Location: https://civitas.example/\r\n");
	}
	req_close(&r);
}

static void
json_answers(void)
{
	struct req r;

	req_open(&r);
	EQ_INT(resp_json(&r, 200, json_pack("{s:i}", "n", 1)), 200);
	EQ_STR(r.body.data, "{\"n\":1}");
	EQ_STR(r.ctype, "application/json");
	EQ_INT(resp_json(&r, 200, NULL), 500);	/* json_pack failed */
	EQ_INT(resp_problem(&r, 400, "Mauvais", "q manque"), 400);
	EQ_STR(r.ctype, "application/problem+json");
	CHECK(strstr(r.body.data, "\"detail\":\"q manque\"") != NULL);
	req_close(&r);
}

static void
header_lookup(void)
{
	char *env[] = { "HTTP_ORIGIN=https://a.example", "HTTP_X=1=2",
	    "HTTP_XY=3", NULL };
	struct req r;

	req_open(&r);
	r.envp = env;
	EQ_STR(req_header(&r, "HTTP_ORIGIN"), "https://a.example");
	EQ_STR(req_header(&r, "HTTP_X"), "1=2");
	EQ_STR(req_header(&r, "HTTP_XY"), "3");
	CHECK(req_header(&r, "HTTP_Y") == NULL);
	CHECK(req_header(&r, "HTTP") == NULL);
	req_close(&r);
}

UNIT_SUITE(req,
    UNIT(local_paths),
    UNIT(redirects_stay_local),
    UNIT(json_answers),
    UNIT(header_lookup))
