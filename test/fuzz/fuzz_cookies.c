/*
 * parse_cookies on the input as a Cookie header. Invariants: names are
 * non-empty, UTF-8, without ';' '=' or surrounding blanks; values are
 * UTF-8 without ';' and len == strlen(value); no more than the limit; and
 * writing the cookies back as `name="value"; ...` parses to the same list.
 */
#include "fuzz.h"
#include "arena.h"
#include "buf.h"
#include "parse.h"

#define MAX_COOKIES 32

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
check_cookies(const struct fields *f, size_t max)
{
	FUZZ_CHECK(f->n <= max);
	for (size_t i = 0; i < f->n; i++) {
		const struct field *x = &f->v[i];
		size_t nlen = strlen(x->name);

		FUZZ_CHECK(nlen > 0);
		FUZZ_CHECK(!blank(x->name[0]) && !blank(x->name[nlen - 1]));
		FUZZ_CHECK(!strpbrk(x->name, ";="));
		FUZZ_CHECK(utf8_valid(x->name, nlen));
		FUZZ_CHECK(strlen(x->value) == x->len);
		FUZZ_CHECK(!strchr(x->value, ';'));
		FUZZ_CHECK(utf8_valid(x->value, x->len));
	}
}

static void
round_trip(const struct fields *f)
{
	struct arena a;
	struct fields g;
	struct buf b;

	buf_init(&b, (size_t)1 << 30);
	buf_puts(&b, "");
	for (size_t i = 0; i < f->n; i++)
		FUZZ_CHECK(buf_printf(&b, "%s%s=\"%s\"", i ? "; " : "",
		    f->v[i].name, f->v[i].value) == 0);
	arena_init(&a, 1024);
	FUZZ_CHECK(parse_cookies(&a, b.data, &g, f->n) == PARSE_OK);
	FUZZ_CHECK(g.n == f->n);
	for (size_t i = 0; i < f->n; i++) {
		FUZZ_CHECK(!strcmp(g.v[i].name, f->v[i].name));
		FUZZ_CHECK(!strcmp(g.v[i].value, f->v[i].value));
	}
	arena_release(&a);
	buf_release(&b);
}

static void
check(const char *h, size_t max)
{
	struct arena a;
	struct fields f;
	int rc;

	arena_init(&a, 1024);
	rc = parse_cookies(&a, h, &f, max);
	FUZZ_CHECK(rc == PARSE_OK || rc == PARSE_BAD_UTF8 ||
	    rc == PARSE_TOO_MANY);
	if (rc == PARSE_OK) {
		check_cookies(&f, max);
		round_trip(&f);
	}
	arena_release(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = fuzz_cstr(data, size);

	check(h, MAX_COOKIES);
	check(h, 1);
	free(h);
	return 0;
}
