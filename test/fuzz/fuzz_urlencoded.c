/*
 * parse_urlencoded as a request body (bytes, length given) and as a query
 * string (C string), and url_decode on the raw input. Invariants: every
 * field is UTF-8 without NUL and len == strlen(value); the field count is
 * the number of non-empty '&' segments; re-encoding the fields with
 * url_encode parses back to the same fields.
 */
#include "fuzz.h"
#include "arena.h"
#include "buf.h"
#include "escape.h"
#include "parse.h"

static size_t
segments(const char *s, size_t len)
{
	size_t n = 0, run = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '&') {
			n += run > 0;
			run = 0;
		} else
			run++;
	}
	return n + (run > 0);
}

static void
check_fields(const struct fields *f, size_t max)
{
	FUZZ_CHECK(f->n <= max);
	for (size_t i = 0; i < f->n; i++) {
		const struct field *x = &f->v[i], *first;

		FUZZ_CHECK(x->name && x->value);
		FUZZ_CHECK(strlen(x->value) == x->len);
		FUZZ_CHECK(utf8_valid(x->name, strlen(x->name)));
		FUZZ_CHECK(utf8_valid(x->value, x->len));
		first = fields_find(f, x->name);
		FUZZ_CHECK(first && first <= x && !strcmp(first->name, x->name));
		FUZZ_CHECK(fields_count(f, x->name) >= 1);
	}
}

static void
round_trip(const struct fields *f)
{
	struct arena a;
	struct fields g;
	struct buf b;

	buf_init(&b, (size_t)1 << 30);
	for (size_t i = 0; i < f->n; i++) {
		if (i)
			FUZZ_CHECK(buf_putc(&b, '&') == 0);
		FUZZ_CHECK(url_encode(&b, f->v[i].name) == 0);
		FUZZ_CHECK(buf_putc(&b, '=') == 0);
		FUZZ_CHECK(url_encode(&b, f->v[i].value) == 0);
	}
	arena_init(&a, 1024);
	FUZZ_CHECK(parse_urlencoded(&a, b.data ? b.data : "", b.len, &g,
	    f->n) == PARSE_OK);
	FUZZ_CHECK(g.n == f->n);
	for (size_t i = 0; i < f->n; i++) {
		FUZZ_CHECK(!strcmp(g.v[i].name, f->v[i].name));
		FUZZ_CHECK(g.v[i].len == f->v[i].len);
		FUZZ_CHECK(!memcmp(g.v[i].value, f->v[i].value, g.v[i].len));
	}
	arena_release(&a);
	buf_release(&b);
}

static void
check_parse(const char *s, size_t len, size_t max)
{
	struct arena a;
	struct fields f;
	int rc;

	arena_init(&a, 1024);
	rc = parse_urlencoded(&a, s, len, &f, max);
	FUZZ_CHECK(rc >= PARSE_OK && rc < PARSE_ERR__MAX);
	if (rc == PARSE_OK) {
		FUZZ_CHECK(f.n == segments(s, len));
		check_fields(&f, max);
		round_trip(&f);
	} else if (rc == PARSE_TOO_MANY)
		FUZZ_CHECK(segments(s, len) > max);
	arena_release(&a);
}

static void
check_decode(const char *s, size_t len)
{
	char *plain = xmalloc(len + 1), *plus = xmalloc(len + 1);
	size_t n1 = 0, n2 = 0, pct = 0;
	int r1, r2;

	r1 = url_decode(plain, s, len, &n1, 0);
	r2 = url_decode(plus, s, len, &n2, 1);
	FUZZ_CHECK(r1 == r2);
	FUZZ_CHECK(r1 == PARSE_OK || r1 == PARSE_BAD_ENCODING);
	if (r1 == PARSE_OK) {
		for (size_t i = 0; i < len; i++)
			pct += s[i] == '%';
		FUZZ_CHECK(n1 == n2 && n1 == len - 2 * pct);
		FUZZ_CHECK(plain[n1] == '\0' && plus[n2] == '\0');
		FUZZ_CHECK(!memchr(plain, '\0', n1));
		for (size_t i = 0; i < n1; i++)
			FUZZ_CHECK(plain[i] == plus[i] ||
			    (plain[i] == '+' && plus[i] == ' '));
	}
	free(plain);
	free(plus);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_copy(data, size), *query = fuzz_cstr(data, size);

	check_parse(body, size, 64);		/* MAX_FIELDS */
	check_parse(query, strlen(query), 32);	/* MAX_QUERY_FIELDS */
	check_parse(body, size, 2);
	check_decode(body, size);
	free(body);
	free(query);
	return 0;
}
