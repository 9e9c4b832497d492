/* parse: url_decode, utf8_valid, urlencoded, cookies, multipart, parse_long. */
#include "../../app/core/common.h"
#include "../../app/core/parse.h"
#include "unit.h"

#include <limits.h>

#define S(lit) lit, sizeof(lit) - 1	/* a literal and its length */

static struct arena A;

static void
arena_fresh(void)
{
	arena_release(&A);
	arena_init(&A, 4096);
}

static int
decode(const char *src, size_t n, int plus, char *dst, size_t *len)
{
	memset(dst, 0x55, n + 1);
	return url_decode(dst, src, n, len, plus);
}

static void
url_decode_escapes(void)
{
	char d[64];
	size_t len = 99;

	EQ_INT(decode(S("%41"), 0, d, &len), PARSE_OK);
	EQ_STR(d, "A");
	EQ_INT(len, 1);
	EQ_INT(decode(S("%c3%A9t%C3%a9"), 0, d, &len), PARSE_OK);
	EQ_STR(d, "été");
	EQ_INT(len, 5);
	EQ_INT(decode(S(""), 0, d, &len), PARSE_OK);
	EQ_STR(d, "");
	EQ_INT(len, 0);
	/* Only n bytes are read. */
	EQ_INT(decode("%41BC", 3, 0, d, &len), PARSE_OK);
	EQ_STR(d, "A");
}

static void
url_decode_plus(void)
{
	char d[64];
	size_t len;

	EQ_INT(decode(S("a+b%2Bc"), 1, d, &len), PARSE_OK);
	EQ_STR(d, "a b+c");
	EQ_INT(decode(S("a+b%2Bc"), 0, d, &len), PARSE_OK);
	EQ_STR(d, "a+b+c");
	EQ_INT(decode(S("%20+"), 1, d, &len), PARSE_OK);
	EQ_STR(d, "  ");
}

static void
url_decode_refuses_broken(void)
{
	char d[64];
	size_t len;

	EQ_INT(decode(S("%zz"), 0, d, &len), PARSE_BAD_ENCODING);
	EQ_INT(decode(S("%4g"), 0, d, &len), PARSE_BAD_ENCODING);
	EQ_INT(decode(S("ab%4"), 0, d, &len), PARSE_BAD_ENCODING);
	EQ_INT(decode(S("ab%"), 1, d, &len), PARSE_BAD_ENCODING);
	/* "%41" cut to "%4" by n. */
	EQ_INT(decode("%41", 2, 0, d, &len), PARSE_BAD_ENCODING);
	EQ_INT(decode(S("a%00b"), 0, d, &len), PARSE_BAD_ENCODING);
	EQ_INT(decode(S("a\0b"), 1, d, &len), PARSE_BAD_ENCODING);
}

static void
utf8_valid_accepts(void)
{
	CHECK(utf8_valid(S("")));
	CHECK(utf8_valid(S("plain ascii ~\x7f")));
	CHECK(utf8_valid(S("\xc3\xa9")));		/* é */
	CHECK(utf8_valid(S("\xc2\x80")));		/* U+0080 */
	CHECK(utf8_valid(S("\xe2\x82\xac")));		/* € */
	CHECK(utf8_valid(S("\xe0\xa0\x80")));		/* U+0800 */
	CHECK(utf8_valid(S("\xed\x9f\xbf")));		/* U+D7FF */
	CHECK(utf8_valid(S("\xee\x80\x80")));		/* U+E000 */
	CHECK(utf8_valid(S("\xef\xbf\xbf")));		/* U+FFFF */
	CHECK(utf8_valid(S("\xf0\x90\x80\x80")));	/* U+10000 */
	CHECK(utf8_valid(S("\xf0\x9f\x98\x80")));	/* 😀 */
	CHECK(utf8_valid(S("\xf4\x8f\xbf\xbf")));	/* U+10FFFF */
	CHECK(utf8_valid(S("Saint-\xc3\x89tienne \xe2\x82\xac")));
}

static void
utf8_valid_rejects(void)
{
	CHECK(!utf8_valid(S("\xc0\x80")));		/* overlong NUL */
	CHECK(!utf8_valid(S("\xc1\xbf")));		/* overlong */
	CHECK(!utf8_valid(S("\xe0\x80\x80")));		/* overlong */
	CHECK(!utf8_valid(S("\xe0\x9f\xbf")));		/* overlong U+07FF */
	CHECK(!utf8_valid(S("\xf0\x8f\xbf\xbf")));	/* overlong U+FFFF */
	CHECK(!utf8_valid(S("\xed\xa0\x80")));		/* U+D800 */
	CHECK(!utf8_valid(S("\xed\xbf\xbf")));		/* U+DFFF */
	CHECK(!utf8_valid(S("\xf4\x90\x80\x80")));	/* U+110000 */
	CHECK(!utf8_valid(S("\xf5\x80\x80\x80")));
	CHECK(!utf8_valid(S("\xff")));
	CHECK(!utf8_valid(S("\xfe")));
	CHECK(!utf8_valid(S("\x80")));			/* lone continuation */
	CHECK(!utf8_valid(S("a\xbf")));
	/* Truncated sequences, at the end and in the middle. */
	CHECK(!utf8_valid(S("\xc3")));
	CHECK(!utf8_valid(S("\xe2\x82")));
	CHECK(!utf8_valid(S("\xf0\x9f\x98")));
	CHECK(!utf8_valid(S("\xe2\x82x")));
	CHECK(!utf8_valid(S("\xf0\x9f\x98 ")));
	/* n is honoured: "é" cut after its first byte. */
	CHECK(!utf8_valid("\xc3\xa9", 1));
}

static void
urlencoded_basic(void)
{
	struct fields f;

	arena_fresh();
	EQ_INT(parse_urlencoded(&A, S(""), &f, 8), PARSE_OK);
	EQ_INT(f.n, 0);
	EQ_INT(parse_urlencoded(&A, S("a=1&b=2"), &f, 8), PARSE_OK);
	if (EQ_INT(f.n, 2)) {
		EQ_STR(f.v[0].name, "a");
		EQ_STR(f.v[0].value, "1");
		EQ_INT(f.v[0].len, 1);
		EQ_STR(f.v[1].name, "b");
		EQ_STR(f.v[1].value, "2");
	}
	/* len is honoured: no NUL needed at s[len]. */
	EQ_INT(parse_urlencoded(&A, "a=1&b=2", 3, &f, 8), PARSE_OK);
	EQ_INT(f.n, 1);
	EQ_INT(parse_urlencoded(&A, S("first=Jean+Pierre&city=Saint-%C3%89tienne"
	    "&note=1%2B1%3D2"), &f, 8), PARSE_OK);
	if (EQ_INT(f.n, 3)) {
		EQ_STR(f.v[0].value, "Jean Pierre");
		EQ_STR(f.v[1].value, "Saint-Étienne");
		EQ_INT(f.v[1].len, strlen("Saint-Étienne"));
		EQ_STR(f.v[2].value, "1+1=2");
	}
	EQ_INT(parse_urlencoded(&A, S("a==b&c%3Dd=e"), &f, 8), PARSE_OK);
	if (EQ_INT(f.n, 2)) {
		EQ_STR(f.v[0].name, "a");
		EQ_STR(f.v[0].value, "=b");
		EQ_STR(f.v[1].name, "c=d");
		EQ_STR(f.v[1].value, "e");
	}
	arena_release(&A);
}

static void
urlencoded_odd_segments(void)
{
	struct fields f;

	arena_fresh();
	EQ_INT(parse_urlencoded(&A, S("flag"), &f, 8), PARSE_OK);
	if (EQ_INT(f.n, 1)) {
		EQ_STR(f.v[0].name, "flag");
		EQ_STR(f.v[0].value, "");
		EQ_INT(f.v[0].len, 0);
	}
	EQ_INT(parse_urlencoded(&A, S("&&a=1&&&b&"), &f, 8), PARSE_OK);
	if (EQ_INT(f.n, 2)) {
		EQ_STR(f.v[0].name, "a");
		EQ_STR(f.v[1].name, "b");
		EQ_STR(f.v[1].value, "");
	}
	EQ_INT(parse_urlencoded(&A, S("&"), &f, 8), PARSE_OK);
	EQ_INT(f.n, 0);
	EQ_INT(parse_urlencoded(&A, S("a="), &f, 8), PARSE_OK);
	if (EQ_INT(f.n, 1))
		EQ_STR(f.v[0].value, "");
	arena_release(&A);
}

static void
urlencoded_too_many(void)
{
	struct fields f;

	arena_fresh();
	EQ_INT(parse_urlencoded(&A, S("a=1&b=2"), &f, 2), PARSE_OK);
	EQ_INT(parse_urlencoded(&A, S("a=1&b=2&c=3"), &f, 2), PARSE_TOO_MANY);
	/* Empty segments do not count. */
	EQ_INT(parse_urlencoded(&A, S("a=1&&&&b=2&"), &f, 2), PARSE_OK);
	EQ_INT(f.n, 2);
	EQ_INT(parse_urlencoded(&A, S("a"), &f, 0), PARSE_TOO_MANY);
	EQ_INT(parse_urlencoded(&A, S(""), &f, 0), PARSE_OK);
	arena_release(&A);
}

static void
urlencoded_bad_input(void)
{
	struct fields f;

	arena_fresh();
	EQ_INT(parse_urlencoded(&A, S("a=%zz"), &f, 8), PARSE_BAD_ENCODING);
	EQ_INT(parse_urlencoded(&A, S("a%4=1"), &f, 8), PARSE_BAD_ENCODING);
	EQ_INT(parse_urlencoded(&A, S("a=1&b=%"), &f, 8), PARSE_BAD_ENCODING);
	EQ_INT(parse_urlencoded(&A, S("a=%00"), &f, 8), PARSE_BAD_ENCODING);
	EQ_INT(parse_urlencoded(&A, S("a=x\0y"), &f, 8), PARSE_BAD_ENCODING);
	/* Valid escapes, invalid UTF-8 once decoded. */
	EQ_INT(parse_urlencoded(&A, S("a=%ff"), &f, 8), PARSE_BAD_UTF8);
	EQ_INT(parse_urlencoded(&A, S("a=%C0%80"), &f, 8), PARSE_BAD_UTF8);
	EQ_INT(parse_urlencoded(&A, S("a=%ED%A0%80"), &f, 8), PARSE_BAD_UTF8);
	EQ_INT(parse_urlencoded(&A, S("%C3=1"), &f, 8), PARSE_BAD_UTF8);
	EQ_INT(parse_urlencoded(&A, S("a=\xc3"), &f, 8), PARSE_BAD_UTF8);
	EQ_INT(parse_urlencoded(&A, S("a=%C3&b=%A9"), &f, 8), PARSE_BAD_UTF8);
	arena_release(&A);
}

static void
urlencoded_repeats_in_order(void)
{
	struct fields f;
	const struct field *x;

	arena_fresh();
	EQ_INT(parse_urlencoded(&A, S("x=1&y=2&x=3&x=4"), &f, 8), PARSE_OK);
	if (!EQ_INT(f.n, 4))
		return;
	EQ_STR(f.v[0].value, "1");
	EQ_STR(f.v[2].value, "3");
	EQ_STR(f.v[3].value, "4");
	EQ_INT(fields_count(&f, "x"), 3);
	EQ_INT(fields_count(&f, "y"), 1);
	EQ_INT(fields_count(&f, "z"), 0);
	x = fields_find(&f, "x");
	if (CHECK(x != NULL))
		EQ_STR(x->value, "1");
	CHECK(fields_find(&f, "z") == NULL);
	CHECK(fields_find(&f, "") == NULL);
	arena_release(&A);
}

static void
cookies_basic(void)
{
	struct fields f;

	arena_fresh();
	EQ_INT(parse_cookies(&A, "", &f, 8), PARSE_OK);
	EQ_INT(f.n, 0);
	EQ_INT(parse_cookies(&A, "sid=abc; lang=fr", &f, 8), PARSE_OK);
	if (EQ_INT(f.n, 2)) {
		EQ_STR(f.v[0].name, "sid");
		EQ_STR(f.v[0].value, "abc");
		EQ_INT(f.v[0].len, 3);
		EQ_STR(f.v[1].name, "lang");
		EQ_STR(f.v[1].value, "fr");
	}
	/* Spaces and tabs around names and values are not part of them. */
	EQ_INT(parse_cookies(&A, "  a = 1 ;\tb\t=\t2\t;c=x y", &f, 8),
	    PARSE_OK);
	if (EQ_INT(f.n, 3)) {
		EQ_STR(f.v[0].name, "a");
		EQ_STR(f.v[0].value, "1");
		EQ_STR(f.v[1].name, "b");
		EQ_STR(f.v[1].value, "2");
		EQ_STR(f.v[2].value, "x y");
	}
	EQ_INT(parse_cookies(&A, "a=; b=x=y", &f, 8), PARSE_OK);
	if (EQ_INT(f.n, 2)) {
		EQ_STR(f.v[0].value, "");
		EQ_INT(f.v[0].len, 0);
		EQ_STR(f.v[1].value, "x=y");
	}
	arena_release(&A);
}

static void
cookies_quoted(void)
{
	struct fields f;

	arena_fresh();
	EQ_INT(parse_cookies(&A, "a=\"quoted value\"; b=\"\"; c=\"; d=\"x",
	    &f, 8), PARSE_OK);
	if (EQ_INT(f.n, 4)) {
		EQ_STR(f.v[0].value, "quoted value");
		EQ_INT(f.v[0].len, 12);
		EQ_STR(f.v[1].value, "");
		EQ_STR(f.v[2].value, "\"");	/* a lone quote stays */
		EQ_STR(f.v[3].value, "\"x");
	}
	arena_release(&A);
}

static void
cookies_nameless_ignored(void)
{
	struct fields f;

	arena_fresh();
	EQ_INT(parse_cookies(&A, "=x; ;; novalue; =; b=2;   =y", &f, 8),
	    PARSE_OK);
	if (EQ_INT(f.n, 1)) {
		EQ_STR(f.v[0].name, "b");
		EQ_STR(f.v[0].value, "2");
	}
	/* Ignored parts do not count toward the limit. */
	EQ_INT(parse_cookies(&A, "=1; =2; =3; a=1", &f, 1), PARSE_OK);
	EQ_INT(f.n, 1);
	arena_release(&A);
}

static void
cookies_limits(void)
{
	struct fields f;

	arena_fresh();
	EQ_INT(parse_cookies(&A, "a=1; b=2", &f, 2), PARSE_OK);
	EQ_INT(parse_cookies(&A, "a=1; b=2; c=3", &f, 2), PARSE_TOO_MANY);
	EQ_INT(parse_cookies(&A, "a=1", &f, 0), PARSE_TOO_MANY);
	EQ_INT(parse_cookies(&A, "a=\xff", &f, 8), PARSE_BAD_UTF8);
	EQ_INT(parse_cookies(&A, "\xc3=1", &f, 8), PARSE_BAD_UTF8);
	EQ_INT(parse_cookies(&A, "a=\xc3\xa9t\xc3\xa9", &f, 8), PARSE_OK);
	arena_release(&A);
}

static void
boundary_found(void)
{
	char b[80];

	EQ_INT(multipart_boundary("multipart/form-data; boundary=abc123",
	    b, sizeof(b)), 0);
	EQ_STR(b, "abc123");
	EQ_INT(multipart_boundary("multipart/form-data; boundary=\"a b:c\"",
	    b, sizeof(b)), 0);
	EQ_STR(b, "a b:c");
	EQ_INT(multipart_boundary("Multipart/Form-Data; BOUNDARY=XyZ",
	    b, sizeof(b)), 0);
	EQ_STR(b, "XyZ");
	EQ_INT(multipart_boundary("multipart/form-data;charset=utf-8;"
	    "boundary=q;x=y", b, sizeof(b)), 0);
	EQ_STR(b, "q");
	EQ_INT(multipart_boundary("multipart/form-data; boundary="
	    "----WebKitFormBoundary7MA4YWxkTrZu0gW", b, sizeof(b)), 0);
	EQ_STR(b, "----WebKitFormBoundary7MA4YWxkTrZu0gW");
}

static void
boundary_refused(void)
{
	char b[80], small[4], ct[200];
	const char *seventy =
	    "0123456789012345678901234567890123456789012345678901234567890123456789";

	CHECK(multipart_boundary(NULL, b, sizeof(b)) < 0);
	CHECK(multipart_boundary("multipart/form-data", b, sizeof(b)) < 0);
	CHECK(multipart_boundary("multipart/form-data; charset=x", b,
	    sizeof(b)) < 0);
	CHECK(multipart_boundary("multipart/mixed; boundary=x", b,
	    sizeof(b)) < 0);
	CHECK(multipart_boundary("text/plain; boundary=x", b, sizeof(b)) < 0);
	CHECK(multipart_boundary("application/x-www-form-urlencoded", b,
	    sizeof(b)) < 0);
	CHECK(multipart_boundary("multipart/form-data; boundary=", b,
	    sizeof(b)) < 0);
	CHECK(multipart_boundary("multipart/form-data; boundary=\"\"", b,
	    sizeof(b)) < 0);
	CHECK(multipart_boundary("multipart/form-data; boundary=\"abc", b,
	    sizeof(b)) < 0);
	CHECK(multipart_boundary("multipart/form-data; boundary=a\x01z", b,
	    sizeof(b)) < 0);
	/* 70 characters is the RFC 2046 maximum; 71 is refused. */
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", seventy);
	EQ_INT(multipart_boundary(ct, b, sizeof(b)), 0);
	EQ_INT(strlen(b), 70);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%sX", seventy);
	CHECK(multipart_boundary(ct, b, sizeof(b)) < 0);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=\"%sX\"",
	    seventy);
	CHECK(multipart_boundary(ct, b, sizeof(b)) < 0);
	/* And the output size is respected. */
	CHECK(multipart_boundary("multipart/form-data; boundary=abcd", small,
	    sizeof(small)) < 0);
	EQ_INT(multipart_boundary("multipart/form-data; boundary=abc", small,
	    sizeof(small)), 0);
}

#define CD "Content-Disposition: form-data; "
#define FILE_BYTES "\0\x01\r\n\xff-\r\n--XyY\r\n--X\r\n\r\n"

static void
multipart_fields_and_file(void)
{
	static const char body[] =
	    "--XyZ\r\n"
	    CD "name=\"first\"\r\n"
	    "\r\n"
	    "Jean\r\n"
	    "--XyZ\r\n"
	    CD "name=\"city\"\r\n"
	    "\r\n"
	    "Saint-\xc3\x89tienne\r\n--\r\n"
	    "--XyZ\r\n"
	    "content-disposition: form-data; name=\"doc\"; filename=\"a b.bin\"\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "\r\n"
	    FILE_BYTES "\r\n"
	    "--XyZ\r\n"
	    CD "name=empty\r\n"
	    "\r\n"
	    "\r\n"
	    "--XyZ--\r\n";
	static const char file[] = FILE_BYTES;
	struct parts p;
	int rc;

	arena_fresh();
	rc = parse_multipart(&A, "XyZ", body, sizeof(body) - 1, &p, 8);
	EQ_INT(rc, PARSE_OK);
	if (rc != PARSE_OK || !EQ_INT(p.n, 4))
		goto out;
	EQ_STR(p.v[0].name, "first");
	CHECK(p.v[0].filename == NULL);
	CHECK(p.v[0].content_type == NULL);
	EQ_STR(p.v[0].data, "Jean");
	EQ_INT(p.v[0].len, 4);
	EQ_STR(p.v[1].name, "city");
	EQ_STR(p.v[1].data, "Saint-\xc3\x89tienne\r\n--");
	EQ_INT(p.v[1].len, strlen(p.v[1].data));
	EQ_STR(p.v[2].name, "doc");
	EQ_STR(p.v[2].filename, "a b.bin");
	EQ_STR(p.v[2].content_type, "application/octet-stream");
	EQ_MEM(p.v[2].data, p.v[2].len, file, sizeof(file) - 1);
	EQ_STR(p.v[3].name, "empty");
	EQ_STR(p.v[3].data, "");
	EQ_INT(p.v[3].len, 0);
out:
	arena_release(&A);
}

static void
multipart_malformed(void)
{
	struct parts p;

	arena_fresh();
	/* No closing delimiter at all. */
	EQ_INT(parse_multipart(&A, "XyZ", S("--XyZ\r\n" CD "name=\"a\"\r\n"
	    "\r\nvalue"), &p, 8), PARSE_MALFORMED);
	/* A delimiter, but neither "--" nor another part after it. */
	EQ_INT(parse_multipart(&A, "XyZ", S("--XyZ\r\n" CD "name=\"a\"\r\n"
	    "\r\nvalue\r\n--XyZ"), &p, 8), PARSE_MALFORMED);
	/* Content-Disposition without a name. */
	EQ_INT(parse_multipart(&A, "XyZ", S("--XyZ\r\n"
	    "Content-Disposition: form-data\r\n\r\nv\r\n--XyZ--\r\n"), &p, 8),
	    PARSE_MALFORMED);
	EQ_INT(parse_multipart(&A, "XyZ", S("--XyZ\r\n"
	    "Content-Disposition: form-data; filename=\"f\"\r\n\r\nv\r\n"
	    "--XyZ--\r\n"), &p, 8), PARSE_MALFORMED);
	/* No Content-Disposition at all. */
	EQ_INT(parse_multipart(&A, "XyZ", S("--XyZ\r\n"
	    "Content-Type: text/plain\r\n\r\nv\r\n--XyZ--\r\n"), &p, 8),
	    PARSE_MALFORMED);
	/* A header line without a colon. */
	EQ_INT(parse_multipart(&A, "XyZ", S("--XyZ\r\n" CD "name=a\r\n"
	    "garbage\r\n\r\nv\r\n--XyZ--\r\n"), &p, 8), PARSE_MALFORMED);
	/* No blank line after the headers. */
	EQ_INT(parse_multipart(&A, "XyZ", S("--XyZ\r\n" CD "name=a\r\n"
	    "--XyZ--\r\n"), &p, 8), PARSE_MALFORMED);
	/* Not starting with the delimiter, or another boundary. */
	EQ_INT(parse_multipart(&A, "XyZ", S("preamble\r\n--XyZ\r\n" CD
	    "name=a\r\n\r\nv\r\n--XyZ--\r\n"), &p, 8), PARSE_MALFORMED);
	EQ_INT(parse_multipart(&A, "Other", S("--XyZ\r\n" CD "name=a\r\n"
	    "\r\nv\r\n--XyZ--\r\n"), &p, 8), PARSE_MALFORMED);
	EQ_INT(parse_multipart(&A, "XyZ", S(""), &p, 8), PARSE_MALFORMED);
	EQ_INT(parse_multipart(&A, "XyZ", S("--Xy"), &p, 8), PARSE_MALFORMED);
	/* The smallest well-formed body: no parts. */
	EQ_INT(parse_multipart(&A, "XyZ", S("--XyZ--"), &p, 8), PARSE_OK);
	EQ_INT(p.n, 0);
	arena_release(&A);
}

static void
multipart_text_must_be_utf8(void)
{
	struct parts p;

	arena_fresh();
	EQ_INT(parse_multipart(&A, "b", S("--b\r\n" CD "name=\"a\"\r\n\r\n"
	    "x\0y\r\n--b--\r\n"), &p, 8), PARSE_BAD_UTF8);
	EQ_INT(parse_multipart(&A, "b", S("--b\r\n" CD "name=\"a\"\r\n\r\n"
	    "x\xffy\r\n--b--\r\n"), &p, 8), PARSE_BAD_UTF8);
	EQ_INT(parse_multipart(&A, "b", S("--b\r\n" CD "name=\"\xff\"\r\n\r\n"
	    "x\r\n--b--\r\n"), &p, 8), PARSE_BAD_UTF8);
	/* The same bytes are fine in a file. */
	EQ_INT(parse_multipart(&A, "b", S("--b\r\n" CD "name=\"a\"; "
	    "filename=\"f\"\r\n\r\nx\0\xffy\r\n--b--\r\n"), &p, 8), PARSE_OK);
	if (EQ_INT(p.n, 1))
		EQ_MEM(p.v[0].data, p.v[0].len, "x\0\xffy", 4);
	arena_release(&A);
}

static void
multipart_too_many(void)
{
	static const char body[] =
	    "--b\r\n" CD "name=a\r\n\r\n1\r\n"
	    "--b\r\n" CD "name=b\r\n\r\n2\r\n"
	    "--b\r\n" CD "name=c\r\n\r\n3\r\n"
	    "--b--\r\n";
	struct parts p;

	arena_fresh();
	EQ_INT(parse_multipart(&A, "b", body, sizeof(body) - 1, &p, 3),
	    PARSE_OK);
	EQ_INT(p.n, 3);
	EQ_INT(parse_multipart(&A, "b", body, sizeof(body) - 1, &p, 2),
	    PARSE_TOO_MANY);
	EQ_INT(parse_multipart(&A, "b", body, sizeof(body) - 1, &p, 0),
	    PARSE_TOO_MANY);
	arena_release(&A);
}

static void
multipart_quoted_semicolon_in_name(void)
{
	struct parts p;

	/*
	 * A quoted name may contain ';' (browsers send field names as
	 * typed): "filename=" inside it is not a filename parameter, so
	 * this is a text field, not a file.
	 */
	arena_fresh();
	EQ_INT(parse_multipart(&A, "b", S("--b\r\n" CD "name=\"x;filename=y\""
	    "\r\n\r\nv\r\n--b--\r\n"), &p, 8), PARSE_OK);
	if (EQ_INT(p.n, 1)) {
		EQ_STR(p.v[0].name, "x;filename=y");
		CHECK(p.v[0].filename == NULL);
	}
	arena_release(&A);
}

static void
parse_long_whole_string(void)
{
	long v = 0;

	EQ_INT(parse_long("42", 0, 100, &v), 0);
	EQ_INT(v, 42);
	EQ_INT(parse_long("-5", -10, 10, &v), 0);
	EQ_INT(v, -5);
	EQ_INT(parse_long("0", 0, 0, &v), 0);
	v = 7;
	CHECK(parse_long(NULL, 0, 100, &v) < 0);
	CHECK(parse_long("", 0, 100, &v) < 0);
	CHECK(parse_long(" 1", 0, 100, &v) < 0);
	CHECK(parse_long("1 ", 0, 100, &v) < 0);
	CHECK(parse_long("1x", 0, 100, &v) < 0);
	CHECK(parse_long("0x10", 0, 100, &v) < 0);
	CHECK(parse_long("101", 0, 100, &v) < 0);
	CHECK(parse_long("-1", 0, 100, &v) < 0);
	CHECK(parse_long("99999999999999999999", 0, LONG_MAX, &v) < 0);
	EQ_INT(v, 7);	/* untouched on failure */
}

static void
parse_err_names(void)
{
	EQ_STR(parse_err_str(PARSE_OK), "ok");
	EQ_STR(parse_err_str(PARSE_BAD_UTF8), "invalid UTF-8");
	EQ_STR(parse_err_str(PARSE_ERR__MAX), "?");
	EQ_STR(parse_err_str((enum parse_err)-1), "?");
}

UNIT_SUITE(parse,
    UNIT(url_decode_escapes),
    UNIT(url_decode_plus),
    UNIT(url_decode_refuses_broken),
    UNIT(utf8_valid_accepts),
    UNIT(utf8_valid_rejects),
    UNIT(urlencoded_basic),
    UNIT(urlencoded_odd_segments),
    UNIT(urlencoded_too_many),
    UNIT(urlencoded_bad_input),
    UNIT(urlencoded_repeats_in_order),
    UNIT(cookies_basic),
    UNIT(cookies_quoted),
    UNIT(cookies_nameless_ignored),
    UNIT(cookies_limits),
    UNIT(boundary_found),
    UNIT(boundary_refused),
    UNIT(multipart_fields_and_file),
    UNIT(multipart_malformed),
    UNIT(multipart_text_must_be_utf8),
    UNIT(multipart_too_many),
    UNIT(multipart_quoted_semicolon_in_name),
    UNIT(parse_long_whole_string),
    UNIT(parse_err_names))
