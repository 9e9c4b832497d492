/*
 * ics: iCalendar content lines, TEXT values and VTIMEZONE components
 * (ics.h).
 */
#include "common.h"
#include "ics.h"

#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* A zone file is a few kB; refuse anything much larger. */
#define ZONE_FILE_MAX (256 * 1024)

static int
is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

int
ics_fold(struct buf *b, const char *s, size_t n)
{
	size_t pos = 0, lim = ICS_LINE_MAX, start = b->len;

	while (n - pos > lim) {
		size_t cut = pos + lim, k = cut;

		/* Back up to the first byte of a UTF-8 sequence (at most 3
		 * continuation bytes; invalid UTF-8 is cut where it falls). */
		while (k > cut - 3 && is_cont((unsigned char)s[k]))
			k--;
		if (is_cont((unsigned char)s[k]))
			k = cut;
		if (buf_append(b, s + pos, k - pos) < 0 ||
		    buf_puts(b, "\r\n ") < 0)
			goto full;
		pos = k;
		lim = ICS_LINE_MAX - 1;	/* the leading space counts */
	}
	if (buf_append(b, s + pos, n - pos) < 0 || buf_puts(b, "\r\n") < 0)
		goto full;
	return 0;
full:
	b->len = start;
	if (b->data)
		b->data[start] = '\0';
	return -1;
}

int
ics_escape(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;

		if (c == '\\' || c == ';' || c == ',')
			rc = buf_putc(b, '\\') | buf_putc(b, (char)c);
		else if (c == '\n')
			rc = buf_puts(b, "\\n");
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			rc = 0;	/* CR and the other controls: dropped */
		else
			rc = buf_putc(b, (char)c);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A value as it is, but for controls (never a CR or LF in a line). */
static int
put_raw(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p >= 0x20 || *p == '\t') && *p != 0x7f &&
		    buf_putc(b, (char)*p) < 0)
			return -1;
	return 0;
}

/* name, ':' and value (escaped as a TEXT when text), folded into b. */
static int
content_line(struct buf *b, const char *name, const char *value, int text)
{
	struct buf line;
	int rc = -1;

	buf_init(&line, b->max);
	if (buf_puts(&line, name) < 0 || buf_putc(&line, ':') < 0)
		goto out;
	if (text ? ics_escape(&line, value, strlen(value)) :
	    put_raw(&line, value))
		goto out;
	rc = ics_fold(b, line.data, line.len);
out:
	buf_release(&line);
	return rc;
}

int
ics_prop(struct buf *b, const char *name, const char *value)
{
	return content_line(b, name, value, 0);
}

int
ics_text(struct buf *b, const char *name, const char *text)
{
	return content_line(b, name, text, 1);
}

int
ics_param(struct buf *b, const char *value)
{
	if (buf_putc(b, '"') < 0)
		return -1;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p != '"' && (*p >= 0x20 || *p == '\t') && *p != 0x7f &&
		    buf_putc(b, (char)*p) < 0)
			return -1;
	return buf_putc(b, '"');
}

size_t
ics_unfold(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 2 < n && s[i + 1] == '\n' &&
		    (s[i + 2] == ' ' || s[i + 2] == '\t')) {
			i += 2;
			continue;
		}
		s[o++] = s[i];
	}
	if (o < n)
		s[o] = '\0';
	return o;
}

size_t
ics_unescape(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			s[o++] = s[i] == 'n' || s[i] == 'N' ? '\n' : s[i];
		} else
			s[o++] = s[i];
	}
	if (o < n)
		s[o] = '\0';
	return o;
}

/* --- Zones ------------------------------------------------------------ */

/* A zone abbreviation: <...> or 3+ letters. */
static const char *
tz_name(const char *p, char *out, size_t outsz)
{
	const char *start = p, *end;

	if (*p == '<') {
		start = ++p;
		while (*p && *p != '>')
			p++;
		if (*p != '>')
			return NULL;
		end = p++;
	} else {
		while (isalpha((unsigned char)*p))
			p++;
		end = p;
	}
	if (end - start < 3 || (size_t)(end - start) >= outsz)
		return NULL;
	memcpy(out, start, (size_t)(end - start));
	out[end - start] = '\0';
	return p;
}

/* [+-]hh[:mm[:ss]] as seconds. */
static const char *
tz_time(const char *p, long *secs)
{
	long sign = 1, v[3] = { 0, 0, 0 };

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p) && v[i] < 1000)
			v[i] = v[i] * 10 + (*p++ - '0');
		if (*p != ':' || i == 2)
			break;
		p++;
	}
	if (v[0] > 167 || v[1] > 59 || v[2] > 59)
		return NULL;
	*secs = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
	return p;
}

static const char *
tz_number(const char *p, int lo, int hi, int *out)
{
	int v = 0;

	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p) && v <= hi)
		v = v * 10 + (*p++ - '0');
	if (v < lo || v > hi)
		return NULL;
	*out = v;
	return p;
}

/* ",Mm.w.d[/time]" (the J and n forms are not used by tzdata). */
static const char *
tz_rule(const char *p, struct ics_rule *r)
{
	if (*p++ != ',' || *p++ != 'M')
		return NULL;
	if (!(p = tz_number(p, 1, 12, &r->month)) || *p++ != '.' ||
	    !(p = tz_number(p, 1, 5, &r->week)) || *p++ != '.' ||
	    !(p = tz_number(p, 0, 6, &r->wday)))
		return NULL;
	r->secs = 7200;
	if (*p == '/')
		p = tz_time(p + 1, &r->secs);
	return p;
}

int
ics_posix_tz(const char *s, struct ics_zone *z)
{
	const char *p = s;
	long off;

	memset(z, 0, sizeof(*z));
	if (!(p = tz_name(p, z->std_name, sizeof(z->std_name))) ||
	    !(p = tz_time(p, &off)))
		return -1;
	z->std_off = -off;	/* POSIX counts west of UTC */
	if (!*p)
		return 0;
	if (!(p = tz_name(p, z->dst_name, sizeof(z->dst_name))))
		return -1;
	z->dst_off = z->std_off + 3600;
	if (*p && *p != ',') {
		if (!(p = tz_time(p, &off)))
			return -1;
		z->dst_off = -off;
	}
	/* Rules are required: their default is implementation-defined. */
	if (!(p = tz_rule(p, &z->dst_start)) || !(p = tz_rule(p, &z->dst_end))
	    || *p)
		return -1;
	z->has_dst = 1;
	return 0;
}

int
ics_tzid_valid(const char *tzid)
{
	size_t n = strlen(tzid);

	if (n == 0 || n > 64 || tzid[0] == '/' || tzid[0] == '.' ||
	    strstr(tzid, ".."))
		return 0;
	for (const char *p = tzid; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	return 1;
}

int
ics_zone_footer(const char *dir, const char *tzid, char *out, size_t outsz)
{
	char path[256];
	struct stat st;
	char *data = NULL;
	const char *end, *start;
	ssize_t got = 0;
	int fd = -1, rc = -1;

	if (!ics_tzid_valid(tzid) || (size_t)snprintf(path, sizeof(path),
	    "%s/%s", dir, tzid) >= sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0
	    || !S_ISREG(st.st_mode) || st.st_size < 46 ||
	    st.st_size > ZONE_FILE_MAX)
		goto out;
	data = xmalloc((size_t)st.st_size);
	while (got < st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)(st.st_size - got));

		if (n <= 0)
			goto out;
		got += n;
	}
	/* TZif, version 2 or later: the file ends "\n<TZ string>\n". */
	if (memcmp(data, "TZif", 4) || data[4] < '2' || data[got - 1] != '\n')
		goto out;
	end = data + got - 1;
	start = end;
	while (start > data && start[-1] != '\n')
		start--;
	if (start == end || start == data || (size_t)(end - start) >= outsz)
		goto out;
	memcpy(out, start, (size_t)(end - start));
	out[end - start] = '\0';
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(data);
	return rc;
}

/* Days from 1970-01-01 to y-m-d, and back (H. Hinnant's algorithms). */
static long
days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, long *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static long
floor_div(long a, long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static const char *const day_names[] = {
	"SU", "MO", "TU", "WE", "TH", "FR", "SA"
};

/* DTSTART (its first onset in 1970) and RRULE of a transition rule. The
 * rule's time may move the day (24:00, -1:00): then the day is the
 * weekday after (or before) within a range of month days. */
static int
write_rule(struct buf *b, const struct ics_rule *r)
{
	long days, shift = floor_div(r->secs, 86400), rem, y;
	int first_wday, day, m, d, wday, lo, hi;
	char rrule[128];
	size_t n;

	/* The rule's day in 1970 (1970-01-01 was a Thursday). */
	days = days_from_civil(1970, r->month, 1);
	first_wday = (int)((days % 7 + 4 + 7) % 7);
	day = 1 + (r->wday - first_wday + 7) % 7 + 7 * (r->week - 1);
	while (day > 1 && days_from_civil(1970, r->month, day) >=
	    days_from_civil(r->month == 12 ? 1971 : 1970,
	    r->month == 12 ? 1 : r->month + 1, 1))
		day -= 7;
	rem = r->secs - shift * 86400;
	civil_from_days(days_from_civil(1970, r->month, day) + shift, &y, &m,
	    &d);
	if (buf_printf(b, "DTSTART:%04ld%02d%02dT%02ld%02ld%02ld\r\n", y, m, d,
	    rem / 3600, rem / 60 % 60, rem % 60) < 0)
		return -1;
	wday = (int)(((r->wday + shift) % 7 + 7) % 7);
	if (shift == 0) {
		n = (size_t)snprintf(rrule, sizeof(rrule),
		    "FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", r->month,
		    r->week == 5 ? -1 : r->week, day_names[wday]);
	} else {
		if (r->week == 5) {	/* the last week: -7..-1 */
			lo = (int)(-7 + shift);
			hi = (int)(-1 + shift);
			if (hi > -1 || lo < -28)
				return -1;
		} else {
			lo = (int)(7 * (r->week - 1) + 1 + shift);
			hi = (int)(7 * r->week + shift);
			if (lo < 1 || hi > 28)
				return -1;
		}
		/* As tzurl.org's zones say it. */
		n = (size_t)snprintf(rrule, sizeof(rrule),
		    "FREQ=YEARLY;BYMONTH=%d;BYMONTHDAY=", r->month);
		for (int i = lo; i <= hi && n < sizeof(rrule); i++)
			n += (size_t)snprintf(rrule + n, sizeof(rrule) - n,
			    "%d%s", i, i < hi ? "," : "");
		if (n < sizeof(rrule))
			n += (size_t)snprintf(rrule + n, sizeof(rrule) - n,
			    ";BYDAY=%s", day_names[wday]);
	}
	if (n >= sizeof(rrule))
		return -1;
	return ics_prop(b, "RRULE", rrule);
}

static int
write_offset(struct buf *b, const char *name, long off)
{
	long a = off < 0 ? -off : off;

	if (buf_printf(b, "%s:%c%02ld%02ld", name, off < 0 ? '-' : '+',
	    a / 3600, a / 60 % 60) < 0)
		return -1;
	if (a % 60 && buf_printf(b, "%02ld", a % 60) < 0)
		return -1;
	return buf_puts(b, "\r\n");
}

/* One STANDARD or DAYLIGHT component; r NULL: no rule, from 1970. */
static int
write_observance(struct buf *b, const char *kind, long from, long to,
    const char *name, const struct ics_rule *r)
{
	if (buf_printf(b, "BEGIN:%s\r\n", kind) < 0 ||
	    write_offset(b, "TZOFFSETFROM", from) < 0 ||
	    write_offset(b, "TZOFFSETTO", to) < 0 ||
	    ics_text(b, "TZNAME", name) < 0)
		return -1;
	if (r ? write_rule(b, r) < 0 :
	    buf_puts(b, "DTSTART:19700101T000000\r\n") < 0)
		return -1;
	return buf_printf(b, "END:%s\r\n", kind) < 0 ? -1 : 0;
}

int
ics_vtimezone_of(struct buf *b, const char *tzid, const struct ics_zone *z)
{
	size_t start = b->len;

	if (!ics_tzid_valid(tzid) || buf_puts(b, "BEGIN:VTIMEZONE\r\n") < 0 ||
	    ics_prop(b, "TZID", tzid) < 0 ||
	    ics_prop(b, "X-LIC-LOCATION", tzid) < 0)
		goto fail;
	if (z->has_dst) {
		if (write_observance(b, "DAYLIGHT", z->std_off, z->dst_off,
		    z->dst_name, &z->dst_start) < 0 ||
		    write_observance(b, "STANDARD", z->dst_off, z->std_off,
		    z->std_name, &z->dst_end) < 0)
			goto fail;
	} else if (write_observance(b, "STANDARD", z->std_off, z->std_off,
	    z->std_name, NULL) < 0)
		goto fail;
	if (buf_puts(b, "END:VTIMEZONE\r\n") < 0)
		goto fail;
	return 0;
fail:
	b->len = start;
	if (b->data)
		b->data[start] = '\0';
	return -1;
}

int
ics_vtimezone(struct buf *b, const char *dir, const char *tzid)
{
	char footer[128];
	struct ics_zone z;

	if (ics_zone_footer(dir, tzid, footer, sizeof(footer)) < 0 ||
	    ics_posix_tz(footer, &z) < 0)
		return -1;
	return ics_vtimezone_of(b, tzid, &z);
}
