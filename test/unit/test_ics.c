/* ics: content lines, TEXT escaping, folding, VTIMEZONE from zoneinfo. */
#include "../../app/core/common.h"
#include "../../app/core/ics.h"
#include "unit.h"

/* Every line of s ends in CRLF, has no other CR or LF and is at most
 * 75 octets long. */
static int
lines_ok(const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			if (i + 1 >= n || s[i + 1] != '\n' || i - start > 75)
				return 0;
			start = i + 2;
			i++;
		} else if (s[i] == '\n')
			return 0;
	}
	return start == n;
}

static void
ics_escapes_text(void)
{
	struct buf b;

	buf_init(&b, 4096);
	ics_text(&b, "SUMMARY", "a,b;c\\d\ne\r\nf\rg:h\x01i\tj");
	EQ_STR(b.data, "SUMMARY:a\\,b\\;c\\\\d\\ne\\nfg:hi\tj\r\n");
	buf_release(&b);
}

static void
ics_unescape_round_trips(void)
{
	const char *text = "Débat, transports; 2\\3\nligne deux\n\n";
	struct buf b;
	size_t n;

	buf_init(&b, 4096);
	ics_escape(&b, text, strlen(text));
	n = ics_unescape(b.data, b.len);
	EQ_MEM(b.data, n, text, strlen(text));
	buf_release(&b);
}

static void
ics_folds_at_75_octets(void)
{
	char line[200];
	struct buf b;

	memset(line, 'x', sizeof(line));
	buf_init(&b, 4096);
	/* 75 octets: one line; 76: two, the second " x". */
	ics_fold(&b, line, 75);
	EQ_INT(b.len, 77);
	buf_reset(&b);
	ics_fold(&b, line, 76);
	EQ_INT(b.len, 75 + 2 + 1 + 1 + 2);
	CHECK(!memcmp(b.data + 75, "\r\n x\r\n", 6));
	/* 75 + 74 + 1: three lines, each at most 75 octets. */
	buf_reset(&b);
	ics_fold(&b, line, 150);
	CHECK(lines_ok(b.data, b.len));
	CHECK(!memcmp(b.data + 75 + 2 + 75, "\r\n x\r\n", 6));
	buf_release(&b);
}

static void
ics_fold_keeps_utf8_sequences(void)
{
	/* 74 ASCII octets then "é" (2 octets): the 75-octet cut falls in
	 * the middle of é, which moves whole to the next line. */
	char line[200];
	struct buf b;
	size_t n;

	memset(line, 'a', 74);
	memcpy(line + 74, "é€𝄞", 2 + 3 + 4);
	buf_init(&b, 4096);
	ics_fold(&b, line, 74 + 9);
	CHECK(lines_ok(b.data, b.len));
	CHECK(!memcmp(b.data + 74, "\r\n é€𝄞\r\n", 2 + 1 + 9 + 2));
	/* Only multi-byte characters: every line ends on a boundary. */
	buf_reset(&b);
	for (n = 0; n + 4 <= sizeof(line); n += 4)
		memcpy(line + n, "𝄞", 4);
	ics_fold(&b, line, n);
	CHECK(lines_ok(b.data, b.len));
	for (size_t i = 0; i + 2 < b.len; i++)
		if (b.data[i] == '\n')
			CHECK(((unsigned char)b.data[i + 2] & 0xc0) != 0x80);
	/* The first line holds 72 octets (18 characters of 4). */
	CHECK(!memcmp(b.data + 72, "\r\n ", 3));
	n = ics_unfold(b.data, b.len);
	EQ_INT(n, 200 + 2);	/* and the final CRLF */
	buf_release(&b);
}

static void
ics_param_is_quoted(void)
{
	struct buf b;

	buf_init(&b, 256);
	ics_param(&b, "Comité \"Lyon\", 1er; centre");
	EQ_STR(b.data, "\"Comité Lyon, 1er; centre\"");
	buf_release(&b);
}

static void
ics_posix_tz_parsed(void)
{
	struct ics_zone z;

	if (EQ_INT(ics_posix_tz("CET-1CEST,M3.5.0,M10.5.0/3", &z), 0)) {
		EQ_STR(z.std_name, "CET");
		EQ_STR(z.dst_name, "CEST");
		EQ_INT(z.std_off, 3600);
		EQ_INT(z.dst_off, 7200);
		EQ_INT(z.dst_start.month, 3);
		EQ_INT(z.dst_start.week, 5);
		EQ_INT(z.dst_start.secs, 7200);
		EQ_INT(z.dst_end.secs, 3 * 3600);
	}
	if (EQ_INT(ics_posix_tz("<+0330>-3:30", &z), 0)) {
		EQ_STR(z.std_name, "+0330");
		EQ_INT(z.std_off, 3 * 3600 + 1800);
		EQ_INT(z.has_dst, 0);
	}
	if (EQ_INT(ics_posix_tz("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", &z), 0)) {
		EQ_INT(z.dst_off, -3600);
		EQ_INT(z.dst_start.secs, -3600);
	}
	CHECK(ics_posix_tz("", &z) < 0);
	CHECK(ics_posix_tz("CET", &z) < 0);
	CHECK(ics_posix_tz("CET-1CEST", &z) < 0);	/* no rules */
	CHECK(ics_posix_tz("CET-1CEST,J60,J300", &z) < 0);
	CHECK(ics_posix_tz("CET-1CEST,M13.5.0,M10.5.0", &z) < 0);
	CHECK(ics_posix_tz("CET-1CEST,M3.5.0,M10.5.0x", &z) < 0);
}

static void
ics_tzid_checked(void)
{
	CHECK(ics_tzid_valid("Europe/Paris"));
	CHECK(ics_tzid_valid("America/Port-au-Prince"));
	CHECK(ics_tzid_valid("Etc/GMT+4"));
	CHECK(!ics_tzid_valid("../etc/passwd"));
	CHECK(!ics_tzid_valid("/etc/passwd"));
	CHECK(!ics_tzid_valid("Europe/../../x"));
	CHECK(!ics_tzid_valid(""));
	CHECK(!ics_tzid_valid("Europe/Paris\n"));
}

static void
vtimezone(const char *tzid, const char *want)
{
	struct buf b;

	buf_init(&b, 8192);
	if (EQ_INT(ics_vtimezone(&b, ICS_ZONEINFO, tzid), 0))
		EQ_STR(b.data, want);
	CHECK(lines_ok(b.data, b.len));
	buf_release(&b);
}

static void
ics_vtimezone_paris(void)
{
	vtimezone("Europe/Paris",
	    "BEGIN:VTIMEZONE\r\n"
	    "TZID:Europe/Paris\r\n"
	    "X-LIC-LOCATION:Europe/Paris\r\n"
	    "BEGIN:DAYLIGHT\r\n"
	    "TZOFFSETFROM:+0100\r\n"
	    "TZOFFSETTO:+0200\r\n"
	    "TZNAME:CEST\r\n"
	    "DTSTART:19700329T020000\r\n"
	    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
	    "END:DAYLIGHT\r\n"
	    "BEGIN:STANDARD\r\n"
	    "TZOFFSETFROM:+0200\r\n"
	    "TZOFFSETTO:+0100\r\n"
	    "TZNAME:CET\r\n"
	    "DTSTART:19701025T030000\r\n"
	    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
	    "END:STANDARD\r\n"
	    "END:VTIMEZONE\r\n");
}

static void
ics_vtimezone_reunion(void)
{
	vtimezone("Indian/Reunion",
	    "BEGIN:VTIMEZONE\r\n"
	    "TZID:Indian/Reunion\r\n"
	    "X-LIC-LOCATION:Indian/Reunion\r\n"
	    "BEGIN:STANDARD\r\n"
	    "TZOFFSETFROM:+0400\r\n"
	    "TZOFFSETTO:+0400\r\n"
	    "TZNAME:+04\r\n"
	    "DTSTART:19700101T000000\r\n"
	    "END:STANDARD\r\n"
	    "END:VTIMEZONE\r\n");
	vtimezone("America/Guadeloupe",
	    "BEGIN:VTIMEZONE\r\n"
	    "TZID:America/Guadeloupe\r\n"
	    "X-LIC-LOCATION:America/Guadeloupe\r\n"
	    "BEGIN:STANDARD\r\n"
	    "TZOFFSETFROM:-0400\r\n"
	    "TZOFFSETTO:-0400\r\n"
	    "TZNAME:AST\r\n"
	    "DTSTART:19700101T000000\r\n"
	    "END:STANDARD\r\n"
	    "END:VTIMEZONE\r\n");
}

static void
ics_vtimezone_southern(void)
{
	/* Sydney: summer time from the first Sunday of October. */
	vtimezone("Australia/Sydney",
	    "BEGIN:VTIMEZONE\r\n"
	    "TZID:Australia/Sydney\r\n"
	    "X-LIC-LOCATION:Australia/Sydney\r\n"
	    "BEGIN:DAYLIGHT\r\n"
	    "TZOFFSETFROM:+1000\r\n"
	    "TZOFFSETTO:+1100\r\n"
	    "TZNAME:AEDT\r\n"
	    "DTSTART:19701004T020000\r\n"
	    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU\r\n"
	    "END:DAYLIGHT\r\n"
	    "BEGIN:STANDARD\r\n"
	    "TZOFFSETFROM:+1100\r\n"
	    "TZOFFSETTO:+1000\r\n"
	    "TZNAME:AEST\r\n"
	    "DTSTART:19700405T030000\r\n"
	    "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU\r\n"
	    "END:STANDARD\r\n"
	    "END:VTIMEZONE\r\n");
	/* Santiago changes at 24:00 on the first Saturday: the Sunday that
	 * follows it, which falls on the 2nd to the 8th. */
	vtimezone("America/Santiago",
	    "BEGIN:VTIMEZONE\r\n"
	    "TZID:America/Santiago\r\n"
	    "X-LIC-LOCATION:America/Santiago\r\n"
	    "BEGIN:DAYLIGHT\r\n"
	    "TZOFFSETFROM:-0400\r\n"
	    "TZOFFSETTO:-0300\r\n"
	    "TZNAME:-03\r\n"
	    "DTSTART:19700906T000000\r\n"
	    "RRULE:FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=2,3,4,5,6,7,8;BYDAY=SU\r\n"
	    "END:DAYLIGHT\r\n"
	    "BEGIN:STANDARD\r\n"
	    "TZOFFSETFROM:-0300\r\n"
	    "TZOFFSETTO:-0400\r\n"
	    "TZNAME:-04\r\n"
	    "DTSTART:19700405T000000\r\n"
	    "RRULE:FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=2,3,4,5,6,7,8;BYDAY=SU\r\n"
	    "END:STANDARD\r\n"
	    "END:VTIMEZONE\r\n");
}

static void
ics_vtimezone_negative_time(void)
{
	/* Nuuk: at -1:00 on the last Sunday of March, i.e. 23:00 on the
	 * Saturday before it. */
	struct ics_zone z;
	struct buf b;

	buf_init(&b, 8192);
	if (EQ_INT(ics_posix_tz("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", &z), 0) &&
	    EQ_INT(ics_vtimezone_of(&b, "America/Nuuk", &z), 0)) {
		CHECK(strstr(b.data, "DTSTART:19700328T230000\r\n"
		    "RRULE:FREQ=YEARLY;BYMONTH=3;"
		    "BYMONTHDAY=-8,-7,-6,-5,-4,-3,-2;BYDAY=SA\r\n") != NULL);
		CHECK(strstr(b.data, "DTSTART:19701025T000000\r\n"
		    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n") != NULL);
	}
	/* Past the end of the month: not expressible, refused. */
	buf_reset(&b);
	if (EQ_INT(ics_posix_tz("XST3XDT,M3.5.0/25,M10.5.0", &z), 0))
		CHECK(ics_vtimezone_of(&b, "X/Y", &z) < 0);
	EQ_INT(b.len, 0);
	buf_release(&b);
}

static void
ics_vtimezone_unknown_zone(void)
{
	struct buf b;

	buf_init(&b, 8192);
	CHECK(ics_vtimezone(&b, ICS_ZONEINFO, "Europe/Nowhere") < 0);
	CHECK(ics_vtimezone(&b, ICS_ZONEINFO, "../zoneinfo/Europe/Paris") < 0);
	CHECK(ics_vtimezone(&b, ICS_ZONEINFO, "Europe") < 0);	/* a dir */
	EQ_INT(b.len, 0);
	buf_release(&b);
}

UNIT_SUITE(ics,
    UNIT(ics_escapes_text),
    UNIT(ics_unescape_round_trips),
    UNIT(ics_folds_at_75_octets),
    UNIT(ics_fold_keeps_utf8_sequences),
    UNIT(ics_param_is_quoted),
    UNIT(ics_posix_tz_parsed),
    UNIT(ics_tzid_checked),
    UNIT(ics_vtimezone_paris),
    UNIT(ics_vtimezone_reunion),
    UNIT(ics_vtimezone_southern),
    UNIT(ics_vtimezone_negative_time),
    UNIT(ics_vtimezone_unknown_zone))
