/*
 * multipart/form-data: the first line of the input is the Content-Type
 * header, the rest is the body. multipart_boundary() then
 * parse_multipart(); when the header has no usable boundary the body is
 * still parsed with boundary "b" so that the parser is always exercised.
 *
 * Invariants: names, filenames and content types are UTF-8 without NUL;
 * text parts are NUL-terminated UTF-8 with len == strlen(data); file data
 * lies inside the body; no part contains the delimiter; and writing the
 * parts back out as multipart parses to the same parts.
 */
#include "fuzz.h"
#include "arena.h"
#include "buf.h"
#include "parse.h"

#define MAX_PARTS 64	/* MAX_FIELDS */

static int
utf8_cstr(const char *s)
{
	return s && utf8_valid(s, strlen(s));
}

static void
check_parts(const struct parts *p, const char *boundary, const char *body,
    size_t len)
{
	char delim[80];
	size_t dlen;

	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	FUZZ_CHECK(dlen < sizeof(delim));
	FUZZ_CHECK(p->n <= MAX_PARTS);
	for (size_t i = 0; i < p->n; i++) {
		const struct part *x = &p->v[i];

		FUZZ_CHECK(utf8_cstr(x->name));
		FUZZ_CHECK(!x->filename || utf8_cstr(x->filename));
		FUZZ_CHECK(!x->content_type || utf8_cstr(x->content_type));
		FUZZ_CHECK(x->data);
		FUZZ_CHECK(!memmem(x->data, x->len, delim, dlen));
		if (x->filename) {
			FUZZ_CHECK(x->data >= body &&
			    x->len <= (size_t)(body + len - x->data));
		} else {
			FUZZ_CHECK(x->data[x->len] == '\0');
			FUZZ_CHECK(strlen(x->data) == x->len);
			FUZZ_CHECK(utf8_valid(x->data, x->len));
		}
	}
}

/* Can s be written back as a quoted header parameter? */
static int
quotable(const char *s)
{
	return !strpbrk(s, "\";\r\n");
}

static int
writable(const struct part *x)
{
	return quotable(x->name) && (!x->filename || quotable(x->filename)) &&
	    (!x->content_type || !strstr(x->content_type, "\r\n"));
}

static void
round_trip(const struct parts *p, const char *boundary)
{
	struct arena a;
	struct parts q;
	struct buf b;
	size_t hstart;

	for (size_t i = 0; i < p->n; i++)
		if (!writable(&p->v[i]))
			return;
	buf_init(&b, (size_t)1 << 30);
	for (size_t i = 0; i < p->n; i++) {
		const struct part *x = &p->v[i];

		buf_printf(&b, "--%s\r\n", boundary);
		hstart = b.len;
		buf_printf(&b, "Content-Disposition: form-data; name=\"%s\"",
		    x->name);
		if (x->filename)
			buf_printf(&b, "; filename=\"%s\"", x->filename);
		buf_puts(&b, "\r\n");
		if (x->content_type)
			buf_printf(&b, "Content-Type: %s\r\n", x->content_type);
		if (b.len - hstart > 8192) {	/* over the header limit */
			buf_release(&b);
			return;
		}
		buf_puts(&b, "\r\n");
		FUZZ_CHECK(buf_append(&b, x->data, x->len) == 0);
		buf_puts(&b, "\r\n");
	}
	FUZZ_CHECK(buf_printf(&b, "--%s--\r\n", boundary) == 0);
	arena_init(&a, 4096);
	FUZZ_CHECK(parse_multipart(&a, boundary, b.data, b.len, &q,
	    MAX_PARTS) == PARSE_OK);
	FUZZ_CHECK(q.n == p->n);
	for (size_t i = 0; i < p->n; i++) {
		const struct part *x = &p->v[i], *y = &q.v[i];

		FUZZ_CHECK(!strcmp(x->name, y->name));
		FUZZ_CHECK(!x->filename == !y->filename);
		FUZZ_CHECK(!x->filename || !strcmp(x->filename, y->filename));
		FUZZ_CHECK(!x->content_type == !y->content_type);
		FUZZ_CHECK(!x->content_type ||
		    !strcmp(x->content_type, y->content_type));
		FUZZ_CHECK(x->len == y->len && !memcmp(x->data, y->data, x->len));
	}
	arena_release(&a);
	buf_release(&b);
}

static void
check_multipart(const char *boundary, const char *body, size_t len)
{
	struct arena a;
	struct parts p;
	int rc;

	arena_init(&a, 4096);
	rc = parse_multipart(&a, boundary, body, len, &p, MAX_PARTS);
	FUZZ_CHECK(rc >= PARSE_OK && rc < PARSE_ERR__MAX);
	if (rc == PARSE_OK) {
		check_parts(&p, boundary, body, len);
		round_trip(&p, boundary);
	}
	arena_release(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ctlen = nl ? (size_t)(nl - data) : size;
	size_t blen = nl ? size - ctlen - 1 : 0;
	char *ct = fuzz_cstr(data, ctlen);
	char *body = fuzz_copy(nl ? nl + 1 : data, blen);
	char boundary[80];

	if (ctlen && ct[ctlen - 1] == '\r')
		ct[ctlen - 1] = '\0';
	memset(boundary, 0x55, sizeof(boundary));
	if (multipart_boundary(ct, boundary, sizeof(boundary)) == 0) {
		size_t n = strlen(boundary);

		FUZZ_CHECK(n >= 1 && n <= 70);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(boundary[i] >= 0x20 && boundary[i] <= 0x7e);
		check_multipart(boundary, body, blen);
	} else
		check_multipart("b", body, blen);
	free(ct);
	free(body);
	return 0;
}
