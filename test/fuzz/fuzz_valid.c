/*
 * Every validator and normaliser of valid.h on the input as a C string,
 * plus parse_long, html_escape and url_encode. Outputs go to heap buffers
 * of exactly the promised size, so an overflow is caught by ASan.
 *
 * Invariants: normalised outputs are valid UTF-8 when the input is, and
 * bounded; normalising twice changes nothing; utf8_valid agrees with the
 * C library's UTF-8 decoder; accepted values have the documented shape;
 * escapes decode back to the input less the code points HTML forbids
 * (html_drop_forbidden), and keep none of them when the input is UTF-8.
 */
#include "fuzz.h"
#include "buf.h"
#include "escape.h"
#include "parse.h"
#include "valid.h"

#include <ctype.h>
#include <locale.h>
#include <wchar.h>
#include <wctype.h>

#define TODAY "2025-06-15"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* As main() does: valid_person_name needs a UTF-8 LC_CTYPE. */
	FUZZ_CHECK(setlocale(LC_CTYPE, "C.UTF-8") != NULL);
	return 0;
}

static int
utf8_cstr(const char *s)
{
	return utf8_valid(s, strlen(s));
}

static void
check_utf8(const char *s, size_t len, int valid)
{
	mbstate_t st;
	const char *p = s;
	size_t count = 0;
	int libc = 1, beyond = 0;

	memset(&st, 0, sizeof(st));
	while (*p) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, len - (size_t)(p - s), &st);

		if (n == (size_t)-1 || n == (size_t)-2) {
			libc = 0;
			break;
		}
		beyond |= (unsigned long)wc > 0x10ffff;
		p += n;
		count++;
	}
	/* glibc also decodes the old 31-bit forms, above U+10FFFF. */
	FUZZ_CHECK(libc == valid || (libc && beyond));
	if (valid)
		FUZZ_CHECK(utf8_length(s) == count);
}

static void
check_squeeze(const char *s, size_t len, int valid)
{
	char *o = xmalloc(len + 1), *o2 = xmalloc(len + 1);
	const char *p, *q;
	size_t olen;

	text_squeeze(s, o);
	olen = strlen(o);
	FUZZ_CHECK(olen <= len);
	FUZZ_CHECK(!valid || utf8_cstr(o));
	if (olen) {
		FUZZ_CHECK(!isspace((unsigned char)o[0]));
		FUZZ_CHECK(!isspace((unsigned char)o[olen - 1]));
	}
	for (size_t i = 0; i < olen; i++) {
		unsigned char c = (unsigned char)o[i];

		FUZZ_CHECK(!isspace(c) || (c == ' ' && o[i + 1] != ' '));
	}
	/* The same non-blank bytes, in the same order. */
	for (p = s, q = o;; p++, q++) {
		while (isspace((unsigned char)*p))
			p++;
		while (*q == ' ')
			q++;
		FUZZ_CHECK(*p == *q);
		if (!*p)
			break;
	}
	text_squeeze(o, o2);
	FUZZ_CHECK(!strcmp(o, o2));
	free(o);
	free(o2);
}

static int
starts_with_letter(const char *s)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;

	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, strlen(s), &st);
	return n != (size_t)-1 && n != (size_t)-2 && n != 0 &&
	    iswalpha((wint_t)wc);
}

static void
check_name(const char *s, size_t len, int valid)
{
	size_t outsz = len * 2 + 1, count = utf8_length(s);
	char *o = xmalloc(outsz), *o2 = xmalloc(outsz), *tiny = xmalloc(8);
	int rc = valid_person_name(s, o, outsz), rc2;

	switch (rc) {
	case VALID_OK:
		FUZZ_CHECK(valid);
		FUZZ_CHECK(utf8_cstr(o));
		FUZZ_CHECK(starts_with_letter(o));
		FUZZ_CHECK(utf8_length(o) == count);
		FUZZ_CHECK(count >= 2 && count <= 50);
		/* Normalising a normalised name changes nothing. */
		rc2 = valid_person_name(o, o2, outsz);
		FUZZ_CHECK(rc2 == VALID_OK);
		FUZZ_CHECK(!strcmp(o, o2));
		break;
	case VALID_MISSING:
		FUZZ_CHECK(len == 0);
		break;
	case VALID_TOO_SHORT:
		FUZZ_CHECK(count < 2);
		break;
	case VALID_TOO_LONG:
		/* With out at 2 * strlen + 1, only the letter count. */
		FUZZ_CHECK(count > 50);
		break;
	case VALID_BAD_CHARS:
		break;
	case VALID_INVALID:	/* punctuation first: "--", "'x" */
		FUZZ_CHECK(!starts_with_letter(s));
		break;
	default:
		FUZZ_CHECK(!"unexpected valid_person_name result");
	}
	rc2 = valid_person_name(s, tiny, 8);
	FUZZ_CHECK(rc2 != VALID_OK || strlen(tiny) < 8);
	free(o);
	free(o2);
	free(tiny);
}

static void
check_email(const char *s, size_t len, int valid)
{
	char *o = xmalloc(len + 1), *o2 = xmalloc(len + 1);
	int rc = valid_email(s, o, len + 1);

	FUZZ_CHECK(rc == VALID_OK || rc == VALID_MISSING ||
	    rc == VALID_TOO_LONG || rc == VALID_INVALID);
	FUZZ_CHECK((rc == VALID_MISSING) == (len == 0));
	if (rc == VALID_OK) {
		const char *at = strchr(o, '@');

		FUZZ_CHECK(len <= 255 && strlen(o) == len);
		for (size_t i = 0; i < len; i++)
			FUZZ_CHECK(o[i] == (char)tolower((unsigned char)s[i]));
		FUZZ_CHECK(at && at != o && !strchr(at + 1, '@'));
		FUZZ_CHECK(strchr(at, '.'));
		FUZZ_CHECK(!strpbrk(o, " \t\r\n\"(),:;<>[\\]"));
		FUZZ_CHECK(!valid || utf8_cstr(o));
		FUZZ_CHECK(valid_email(o, o2, len + 1) == VALID_OK);
		FUZZ_CHECK(!strcmp(o, o2));
	}
	free(o);
	free(o2);
}

static int ref_date(const char *s, int *y, int *m, int *d);

/* A field validator into a heap buffer of exactly VALID_OUT_SIZE bytes
 * (ASan catches an overflow); the output when it accepts, else NULL. */
static char *
run_field(valid_fn fn, const char *s, size_t len, int *rc)
{
	char *o = xmalloc(VALID_OUT_SIZE(len));

	*rc = fn(s, o, VALID_OUT_SIZE(len));
	if (*rc == VALID_OK) {
		FUZZ_CHECK(strlen(o) < VALID_OUT_SIZE(len));
		return o;
	}
	free(o);
	return NULL;
}

static void
check_password(const char *s, size_t len)
{
	int rc;
	char *o = run_field(valid_password, s, len, &rc);
	size_t n = utf8_length(s);

	if (rc == VALID_OK)
		FUZZ_CHECK(n <= PASSWORD_MAX && n >= PASSWORD_MIN &&
		    !strcmp(o, s));
	else if (rc == VALID_TOO_SHORT)
		FUZZ_CHECK(n < PASSWORD_MIN);
	else if (rc == VALID_TOO_LONG)
		FUZZ_CHECK(n > PASSWORD_MAX);
	else
		FUZZ_CHECK(rc == VALID_MISSING && len == 0);
	free(o);
}

static void
check_datetime(const char *s, size_t len)
{
	int rc, y, mo, d;
	char *o = run_field(valid_local_datetime, s, len, &rc);
	char date[11];

	if (rc != VALID_OK)
		return;
	FUZZ_CHECK(!strcmp(o, s) && (len == 16 || len == 19));
	FUZZ_CHECK(s[10] == 'T' || s[10] == ' ');
	memcpy(date, s, 10);
	date[10] = '\0';
	FUZZ_CHECK(ref_date(date, &y, &mo, &d) && y >= 2000 && y <= 2200);
	FUZZ_CHECK(s[13] == ':' && (s[11] - '0') * 10 + s[12] - '0' < 24);
	free(o);
}

static void
check_numbers(const char *s, size_t len)
{
	int rc, rc2;
	char *o = run_field(valid_integer, s, len, &rc), *o2;
	long v;

	if (o) {
		/* Written back plainly, and the same number. */
		FUZZ_CHECK(parse_long(o, -1000000, 1000000, &v) == 0);
		o2 = run_field(valid_integer, o, strlen(o), &rc2);
		FUZZ_CHECK(o2 && !strcmp(o, o2));
		free(o2);
	}
	free(o);
	if ((o = run_field(valid_id, s, len, &rc))) {
		FUZZ_CHECK(o[0] >= '1' && o[0] <= '9');
		free(o);
	}
}

static void
check_slug(const char *s, size_t len)
{
	char out[SLUG_MAX + 1], again[SLUG_MAX + 1];
	size_t n;
	int rc;
	char *o;

	slugify(s, out);
	n = strlen(out);
	FUZZ_CHECK(n <= SLUG_MAX);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((out[i] >= 'a' && out[i] <= 'z') ||
		    (out[i] >= '0' && out[i] <= '9') ||
		    (out[i] == '-' && i > 0 && i + 1 < n && out[i + 1] != '-'));
	slugify(out, again);
	FUZZ_CHECK(!strcmp(out, again));
	o = run_field(valid_slug, s, len, &rc);
	FUZZ_CHECK((rc == VALID_OK) == (n > 0));
	FUZZ_CHECK(!o || !strcmp(o, out));
	free(o);
}

static void
check_paths(const char *s, size_t len)
{
	int rc;
	char *o;

	if (valid_local_path(s) == VALID_OK) {
		FUZZ_CHECK(s[0] == '/' && s[1] != '/');
		for (size_t i = 0; i < len; i++)
			FUZZ_CHECK(s[i] > 0x20 && s[i] < 0x7f && s[i] != '\\');
	}
	if ((o = run_field(valid_link, s, len, &rc))) {
		FUZZ_CHECK(!strcmp(o, s) && !strpbrk(s, " \t\r\n"));
		FUZZ_CHECK((s[0] == '/' && s[1] != '/' && s[1] != '\\') ||
		    !strncmp(s, "https://", 8));
		free(o);
	}
	if ((o = run_field(valid_web_url, s, len, &rc))) {
		FUZZ_CHECK(!strcasecmp(o, s) && !strpbrk(s, " \t\r\n\"<>\\"));
		FUZZ_CHECK(!strncmp(o, "http://", 7) ||
		    !strncmp(o, "https://", 8));
		free(o);
	}
	if ((o = run_field(valid_site_path, s, len, &rc))) {
		FUZZ_CHECK(s[0] == '/' && s[1] && !strpbrk(s, "?# \t"));
		free(o);
	}
}

/* YYYY-MM-DD, a real date from 1800 on (valid.c's lower bound). */
static int
ref_date(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (strlen(s) != 10)
		return 0;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' :
		    !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    s[3] - '0';
	*m = (s[5] - '0') * 10 + s[6] - '0';
	*d = (s[8] - '0') * 10 + s[9] - '0';
	if (*y < 1800 || *m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
		return 0;
	if (*m == 2 && *d == 29)
		return (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	return 1;
}

static void
check_dates(const char *birth, const char *today)
{
	int y, m, d, ty, tm, td, age, ok = ref_date(birth, &y, &m, &d) &&
	    ref_date(today, &ty, &tm, &td);
	int r0 = valid_birth_date(birth, today, 0);

	if (!*birth) {
		FUZZ_CHECK(r0 == VALID_MISSING);
		return;
	}
	if (!ok) {
		FUZZ_CHECK(r0 == VALID_INVALID);
		return;
	}
	/* Completed years: compare month-day as strings. */
	age = ty - y - (strcmp(today + 5, birth + 5) < 0);
	if (age < 0)
		FUZZ_CHECK(r0 == VALID_INVALID);
	else if (age > 120)
		FUZZ_CHECK(r0 == VALID_TOO_OLD);
	else {
		FUZZ_CHECK(r0 == VALID_OK);
		FUZZ_CHECK(valid_birth_date(birth, today, age) == VALID_OK);
		FUZZ_CHECK(valid_birth_date(birth, today, age + 1) ==
		    VALID_TOO_YOUNG);
	}
}

static void
check_phone(const char *s, size_t len)
{
	int rc;
	char *o = run_field(valid_phone, s, len, &rc);
	size_t digits = 0;

	if (rc != VALID_OK)
		return;
	FUZZ_CHECK(!strcmp(o, s));
	free(o);
	FUZZ_CHECK(len <= 20);
	for (size_t i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else
			FUZZ_CHECK(strchr(" .-()", s[i]) ||
			    (i == 0 && s[i] == '+'));
	}
	FUZZ_CHECK(digits >= 6);
}

static void
check_postal(const char *s, size_t len)
{
	int rc, ref = len == 5;
	char *o = run_field(valid_postal_code_fr, s, len, &rc);

	free(o);

	for (size_t i = 0; i < len && ref; i++)
		ref = s[i] >= '0' && s[i] <= '9';
	FUZZ_CHECK((rc == VALID_OK) == ref);
}

static void
check_long(const char *s)
{
	long v = 12345, ref = 0;
	size_t i = 0;
	int neg = 0;

	if (parse_long(s, -1000, 1000, &v) != 0) {
		FUZZ_CHECK(v == 12345);
		return;
	}
	if (s[0] == '+' || s[0] == '-')
		neg = s[i++] == '-';
	FUZZ_CHECK(s[i]);
	for (; s[i]; i++) {
		FUZZ_CHECK(s[i] >= '0' && s[i] <= '9');
		if (ref <= 100000)
			ref = ref * 10 + (s[i] - '0');
	}
	FUZZ_CHECK(v == (neg ? -ref : ref) && v >= -1000 && v <= 1000);
}

static void
check_escapes(const char *s, size_t len)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&#39;", '\'' },
	};
	struct buf b;
	char *dec, *kept;
	size_t o = 0, n;
	int utf8 = utf8_valid(s, len);

	/* What escaping keeps: s without the code points HTML forbids. */
	kept = xmalloc(len + 1);
	memcpy(kept, s, len + 1);
	html_drop_forbidden(kept);
	buf_init(&b, len * 6 + 1);
	FUZZ_CHECK(html_escape(&b, s) == 0);
	FUZZ_CHECK(html_escape_needed(s) == (b.len != len ||
	    memcmp(b.data ? b.data : "", s, len)));
	dec = xmalloc(b.len + 1);
	for (size_t i = 0; i < b.len; i++) {
		char c = b.data[i];
		size_t k;

		FUZZ_CHECK(!strchr("<>\"'", c));
		/* (Dropping from broken UTF-8 may join bytes into one.) */
		FUZZ_CHECK(!utf8 || !html_forbidden_len(b.data + i));
		if (c == '&') {
			for (k = 0; k < ARRAY_SIZE(ents); k++)
				if (!strncmp(b.data + i, ents[k].ent,
				    strlen(ents[k].ent)))
					break;
			FUZZ_CHECK(k < ARRAY_SIZE(ents));
			c = ents[k].c;
			i += strlen(ents[k].ent) - 1;
		}
		dec[o++] = c;
	}
	FUZZ_CHECK(o == strlen(kept) && !memcmp(dec, kept, o));
	free(kept);
	free(dec);
	buf_release(&b);

	buf_init(&b, len * 3 + 1);
	FUZZ_CHECK(url_encode(&b, s) == 0);
	for (size_t i = 0; i < b.len; i++)
		FUZZ_CHECK(isalnum((unsigned char)b.data[i]) ||
		    strchr("-._~%", b.data[i]));
	dec = xmalloc(b.len + 1);
	FUZZ_CHECK(url_decode(dec, b.data ? b.data : "", b.len, &n, 1) ==
	    PARSE_OK);
	FUZZ_CHECK(n == len && !memcmp(dec, s, len));
	free(dec);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	size_t len = strlen(s);
	int valid = utf8_valid(s, len);

	check_utf8(s, len, valid);
	check_squeeze(s, len, valid);
	check_name(s, len, valid);
	check_email(s, len, valid);
	check_password(s, len);
	check_dates(s, TODAY);
	check_dates("2000-01-01", s);
	if (len >= 20) {
		char birth[11], today[11];

		memcpy(birth, s, 10);
		birth[10] = '\0';
		memcpy(today, s + 10, 10);
		today[10] = '\0';
		check_dates(birth, today);
	}
	check_phone(s, len);
	check_postal(s, len);
	check_datetime(s, len);
	check_numbers(s, len);
	check_slug(s, len);
	check_paths(s, len);
	check_long(s);
	check_escapes(s, len);
	free(s);
	return 0;
}
