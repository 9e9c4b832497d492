/*
 * The iCalendar writer (app/core/ics.h) on arbitrary text: as a TEXT
 * value (the bytes as they are, NULs included, through ics_escape and
 * ics_fold), as a property value (ics_prop), and as a POSIX TZ string
 * (ics_posix_tz, then its VTIMEZONE).
 *
 * Invariants: every line ends in CRLF, no other CR or LF appears, no line
 * is over 75 octets; a fold never starts a line inside a UTF-8 sequence
 * when the input is UTF-8; unfolding then unescaping gives the input
 * back, less the control characters but TAB and LF.
 */
#include "fuzz.h"
#include "buf.h"
#include "ics.h"
#include "parse.h"

static void
check_lines(const struct buf *b, int utf8)
{
	size_t start = 0;

	for (size_t i = 0; i < b->len; i++) {
		if (b->data[i] == '\n')
			FUZZ_CHECK(0);	/* a LF not after a CR */
		if (b->data[i] != '\r')
			continue;
		FUZZ_CHECK(i + 1 < b->len && b->data[i + 1] == '\n');
		FUZZ_CHECK(i - start <= ICS_LINE_MAX);
		/* A continuation line: one space, then a character's start. */
		if (utf8 && i + 3 < b->len && b->data[i + 2] == ' ')
			FUZZ_CHECK(((unsigned char)b->data[i + 3] & 0xc0) !=
			    0x80);
		start = i + 2;
		i++;
	}
	FUZZ_CHECK(start == b->len);
}

/* The input less what ics_escape drops. */
static size_t
expected(const uint8_t *data, size_t size, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < size; i++)
		if ((data[i] >= 0x20 || data[i] == '\t' || data[i] == '\n') &&
		    data[i] != 0x7f)
			out[n++] = (char)data[i];
	return n;
}

static void
check_text(const uint8_t *data, size_t size)
{
	struct buf esc, out;
	char *want = xmalloc(size + 1);
	size_t n, wn;
	int utf8 = utf8_valid((const char *)data, size);

	buf_init(&esc, 4 * size + 64);
	buf_init(&out, 8 * size + 64);
	FUZZ_CHECK(buf_puts(&esc, "DESCRIPTION:") == 0);
	FUZZ_CHECK(ics_escape(&esc, (const char *)data, size) == 0);
	FUZZ_CHECK(ics_fold(&out, esc.data, esc.len) == 0);
	check_lines(&out, utf8);
	/* Unfold and unescape: the input, less the dropped controls. */
	n = ics_unfold(out.data, out.len);
	FUZZ_CHECK(n >= 14 && !memcmp(out.data, "DESCRIPTION:", 12));
	FUZZ_CHECK(!memcmp(out.data + n - 2, "\r\n", 2));
	n = ics_unescape(out.data + 12, n - 14);
	wn = expected(data, size, want);
	FUZZ_CHECK(n == wn && !memcmp(out.data + 12, want, n));
	free(want);
	buf_release(&esc);
	buf_release(&out);
}

static void
check_prop(const char *s)
{
	struct buf b;

	buf_init(&b, 8 * strlen(s) + 64);
	FUZZ_CHECK(ics_prop(&b, "URL", s) == 0);
	check_lines(&b, utf8_valid(s, strlen(s)));
	buf_reset(&b);
	FUZZ_CHECK(ics_text(&b, "SUMMARY", s) == 0);
	check_lines(&b, utf8_valid(s, strlen(s)));
	buf_reset(&b);
	FUZZ_CHECK(ics_param(&b, s) == 0);
	FUZZ_CHECK(b.len >= 2 && b.data[0] == '"' && b.data[b.len - 1] == '"');
	FUZZ_CHECK(!memchr(b.data + 1, '"', b.len - 2));
	FUZZ_CHECK(!memchr(b.data, '\r', b.len) && !memchr(b.data, '\n',
	    b.len));
	buf_release(&b);
}

static void
check_zone(const char *s)
{
	struct ics_zone z;
	struct buf b;

	if (ics_posix_tz(s, &z) < 0)
		return;
	FUZZ_CHECK(z.std_off > -7 * 86400 && z.std_off < 7 * 86400);
	buf_init(&b, 64 * 1024);
	if (ics_vtimezone_of(&b, "Zone/Fuzz", &z) == 0) {
		check_lines(&b, 1);
		FUZZ_CHECK(!memcmp(b.data, "BEGIN:VTIMEZONE\r\n", 17));
	} else
		FUZZ_CHECK(b.len == 0);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	check_text(data, size);
	s = fuzz_cstr(data, size);
	check_prop(s);
	check_zone(s);
	free(s);
	return 0;
}
