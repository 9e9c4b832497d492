#include "common.h"
#include "parse.h"
#include "valid.h"

#include <ctype.h>
#include <limits.h>
#include <wchar.h>
#include <wctype.h>

size_t
utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void
text_squeeze(const char *s, char *out)
{
	char *o = out;
	int space = 0;

	while (*s && isspace((unsigned char)*s))
		s++;
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = 1;
			continue;
		}
		if (space && o != out)
			*o++ = ' ';
		space = 0;
		*o++ = *s;
	}
	*o = '\0';
}

static int
name_separator(wchar_t c)
{
	return c == L' ' || c == L'-' || c == L'\'' || c == L'\u2019' ||
	    c == L'.';
}

int
valid_person_name(const char *in, char *out, size_t outsz)
{
	mbstate_t ist, ost;
	const char *p = in;
	size_t o = 0, count = 0;
	int word_start = 1;

	if (!in || !*in)
		return VALID_MISSING;
	memset(&ist, 0, sizeof(ist));
	memset(&ost, 0, sizeof(ost));
	while (*p) {
		wchar_t wc;
		char mb[MB_LEN_MAX];
		size_t n = mbrtowc(&wc, p, strlen(p), &ist), m;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			return VALID_BAD_CHARS;
		p += n;
		if (!iswalpha((wint_t)wc) && !name_separator(wc))
			return VALID_BAD_CHARS;
		if (count == 0 && !iswalpha((wint_t)wc))
			return VALID_INVALID;	/* "--", "'x": not a name */
		if (++count > 50)
			return VALID_TOO_LONG;
		wc = (wchar_t)(word_start ? towupper((wint_t)wc) :
		    towlower((wint_t)wc));
		word_start = name_separator(wc);
		m = wcrtomb(mb, wc, &ost);
		if (m == (size_t)-1 || o + m + 1 > outsz)
			return VALID_TOO_LONG;
		memcpy(out + o, mb, m);
		o += m;
	}
	out[o] = '\0';
	if (count < 2)
		return VALID_TOO_SHORT;
	return VALID_OK;
}

int
valid_email(const char *in, char *out, size_t outsz)
{
	const char *at, *dot;
	size_t len;

	if (!in || !*in)
		return VALID_MISSING;
	len = strlen(in);
	if (len > 255 || len + 1 > outsz)
		return VALID_TOO_LONG;
	at = strchr(in, '@');
	if (!at || at == in || strchr(at + 1, '@') || at - in > 64)
		return VALID_INVALID;
	dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || !dot[1] || strstr(at, ".."))
		return VALID_INVALID;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c <= ' ' || c == 0x7f || strchr("\"(),:;<>[\\]", c))
			return VALID_INVALID;
		out[i] = (char)tolower(c);
	}
	if (in[0] == '.' || at[-1] == '.' || at[1] == '-' || at[1] == '.')
		return VALID_INVALID;
	out[len] = '\0';
	return VALID_OK;
}

/* Copy in to out (outsz >= strlen(in) + 1: VALID_OUT_SIZE). */
static int
copy_out(const char *in, char *out, size_t outsz)
{
	size_t n = strlen(in);

	if (n + 1 > outsz)
		return VALID_TOO_LONG;
	memcpy(out, in, n + 1);
	return VALID_OK;
}

int
valid_password(const char *in, char *out, size_t outsz)
{
	size_t n;

	if (!in || !*in)
		return VALID_MISSING;
	n = utf8_length(in);
	if (n > PASSWORD_MAX)
		return VALID_TOO_LONG;
	if (n < PASSWORD_MIN)
		return VALID_TOO_SHORT;
	return copy_out(in, out, outsz);
}

static int
parse_ymd(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int leap;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	if (*y < 1800 || *m < 1 || *m > 12 || *d < 1)
		return -1;
	leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	if (*d > mdays[*m - 1] + (*m == 2 && leap))
		return -1;
	return 0;
}

int
valid_birth_date(const char *in, const char *today, int min_age)
{
	int y, m, d, ty, tm, td, age;

	if (!in || !*in)
		return VALID_MISSING;
	if (parse_ymd(in, &y, &m, &d) < 0 || parse_ymd(today, &ty, &tm, &td) < 0)
		return VALID_INVALID;
	age = ty - y - (tm < m || (tm == m && td < d));
	if (age < 0)
		return VALID_INVALID;
	if (age < min_age)
		return VALID_TOO_YOUNG;
	if (age > 120)
		return VALID_TOO_OLD;
	return VALID_OK;
}

int
valid_postal_code_fr(const char *in, char *out, size_t outsz)
{
	if (!in || !*in)
		return VALID_MISSING;
	if (strlen(in) != 5)
		return VALID_INVALID;
	for (int i = 0; i < 5; i++)
		if (!isdigit((unsigned char)in[i]))
			return VALID_INVALID;
	return copy_out(in, out, outsz);
}

int
valid_phone(const char *in, char *out, size_t outsz)
{
	size_t len, digits = 0;

	if (!in || !*in)
		return VALID_MISSING;
	len = strlen(in);
	if (len > 20)
		return VALID_TOO_LONG;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (isdigit(c))
			digits++;
		else if (!(c == ' ' || c == '.' || c == '-' || c == '(' ||
		    c == ')' || (c == '+' && i == 0)))
			return VALID_BAD_CHARS;
	}
	return digits >= 6 ? copy_out(in, out, outsz) : VALID_TOO_SHORT;
}

static int
digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

int
valid_local_datetime(const char *in, char *out, size_t outsz)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, h, mi, sec = 0;
	size_t len;

	if (!in || !*in)
		return VALID_MISSING;
	len = strlen(in);
	if ((len != 16 && len != 19) || in[4] != '-' || in[7] != '-' ||
	    (in[10] != 'T' && in[10] != ' ') || in[13] != ':' ||
	    digits(in, 4, &y) || digits(in + 5, 2, &mo) ||
	    digits(in + 8, 2, &d) || digits(in + 11, 2, &h) ||
	    digits(in + 14, 2, &mi) ||
	    (len == 19 && (in[16] != ':' || digits(in + 17, 2, &sec))))
		return VALID_INVALID;
	if (y < 2000 || y > 2200 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 59)
		return VALID_INVALID;
	if (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)))
		return VALID_INVALID;
	return copy_out(in, out, outsz);
}

static int
valid_long(const char *in, long min, long max, char *out, size_t outsz)
{
	long n;

	if (!in || !*in)
		return VALID_MISSING;
	if (parse_long(in, min, max, &n) < 0)
		return VALID_INVALID;
	if ((size_t)snprintf(out, outsz, "%ld", n) >= outsz)
		return VALID_TOO_LONG;
	return VALID_OK;
}

int
valid_integer(const char *in, char *out, size_t outsz)
{
	return valid_long(in, -1000000, 1000000, out, outsz);
}

int
valid_id(const char *in, char *out, size_t outsz)
{
	return valid_long(in, 1, LONG_MAX, out, outsz);
}

/* Latin-1 letters U+00C0..U+00FF, as ASCII. */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "y",
};

static const char *
translit(unsigned long cp)
{
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1[cp - 0xc0];
	if (cp == 0x152 || cp == 0x153)
		return "oe";
	if (cp == 0x178)
		return "y";
	return NULL;
}

/* Next code point of s (advanced); an invalid byte reads as U+FFFD. */
static unsigned long
utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	unsigned long cp;
	int n;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0)
		n = 1, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 2, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 3, cp = p[0] & 0x07;
	else {
		*s = p + 1;
		return 0xfffd;
	}
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*s = p + i;
			return 0xfffd;
		}
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	*s = p + n + 1;
	return cp;
}

void
slugify(const char *text, char *out)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = 0;
	int dash = 0;

	while (*s) {
		unsigned long cp = utf8_next(&s);
		char one[2] = { 0, 0 };
		const char *add;
		size_t len;

		if (cp < 0x80 && isalnum((int)cp)) {
			one[0] = (char)tolower((int)cp);
			add = one;
		} else if (!(add = translit(cp))) {
			dash = n > 0;
			continue;
		}
		len = strlen(add) + (size_t)dash;
		if (n + len > SLUG_MAX)
			break;
		if (dash)
			out[n++] = '-';
		memcpy(out + n, add, strlen(add));
		n += strlen(add);
		dash = 0;
	}
	out[n] = '\0';
}

int
valid_slug(const char *in, char *out, size_t outsz)
{
	if (!in || !*in)
		return VALID_MISSING;
	if (outsz < SLUG_MAX + 1)
		return VALID_TOO_LONG;
	slugify(in, out);
	return *out ? VALID_OK : VALID_INVALID;
}

/* No space and no control character. */
static int
printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

int
valid_link(const char *in, char *out, size_t outsz)
{
	if (!in || !*in)
		return VALID_MISSING;
	if (!printable(in))
		return VALID_INVALID;
	if (in[0] == '/' ? in[1] == '/' || in[1] == '\\' :
	    strncmp(in, "https://", 8) || !in[8] || in[8] == '/' ||
	    in[8] == '\\')
		return VALID_INVALID;
	return copy_out(in, out, outsz);
}

int
valid_web_url(const char *in, char *out, size_t outsz)
{
	const char *host;
	int rc;

	if (!in || !*in)
		return VALID_MISSING;
	if (!strncasecmp(in, "https://", 8))
		host = in + 8;
	else if (!strncasecmp(in, "http://", 7))
		host = in + 7;
	else
		return VALID_INVALID;
	if (!*host || *host == '/' || *host == '.' || !printable(in) ||
	    strpbrk(in, "\"<>\\"))
		return VALID_INVALID;
	if ((rc = copy_out(in, out, outsz)) == VALID_OK)
		for (char *p = out; p < out + (host - in); p++)
			*p = (char)tolower((unsigned char)*p);
	return rc;
}

int
valid_site_path(const char *in, char *out, size_t outsz)
{
	if (!in || !*in)
		return VALID_MISSING;
	if (!printable(in) || in[0] != '/' || !in[1] || in[1] == '/' ||
	    in[1] == '\\' || strpbrk(in, "?#"))
		return VALID_INVALID;
	return copy_out(in, out, outsz);
}

int
valid_local_path(const char *in)
{
	if (!in || !*in)
		return VALID_MISSING;
	if (in[0] != '/' || in[1] == '/')
		return VALID_INVALID;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '\\')
			return VALID_INVALID;
	return VALID_OK;
}

/* ---- Organisations' identifiers (issue 11) ---------------------------- */

/* The digits of in without the spaces, dots and dashes people type as
 * separators, into out (up to max digits). The count of digits, or -1
 * when another character is there; max + 1 when there are too many. */
static int
digits_only(const char *in, char *out, size_t max)
{
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '.' || *p == '-')
			continue;
		if (*p < '0' || *p > '9')
			return -1;
		if (n == max)
			return (int)max + 1;
		out[n++] = *p;
	}
	out[n] = '\0';
	return (int)n;
}

int
siret_check(const char *d)
{
	int luhn = 0, sum = 0, nonzero = 0;

	for (int i = 0; i < 14; i++) {
		int v = d[i] - '0';

		if (v < 0 || v > 9)
			return 0;
		nonzero |= v;
		sum += v;
		/* From the right, every second digit is doubled: with 14
		 * digits, those at even positions from the left. */
		if (i % 2 == 0 && (v *= 2) > 9)
			v -= 9;
		luhn += v;
	}
	if (d[14] != '\0' || !nonzero)
		return 0;
	if (luhn % 10 == 0)
		return 1;
	/* La Poste's establishments share the SIREN 356 000 000 and are too
	 * many for the Luhn key: the sum of their digits is a multiple of 5
	 * instead. */
	return !strncmp(d, "356000000", 9) && sum % 5 == 0;
}

int
valid_siret(const char *in, char *out, size_t outsz)
{
	char d[16];
	int n;

	if (!in || !*in)
		return VALID_MISSING;
	if ((n = digits_only(in, d, 14)) < 0)
		return VALID_BAD_CHARS;
	if (n == 0)
		return VALID_MISSING;
	if (n < 14)
		return VALID_TOO_SHORT;
	if (n > 14)
		return VALID_TOO_LONG;
	if (!siret_check(d))
		return VALID_INVALID;
	if (outsz < sizeof(d))
		return VALID_TOO_LONG;
	memcpy(out, d, 15);
	return VALID_OK;
}

int
valid_rna(const char *in, char *out, size_t outsz)
{
	char d[12];
	const char *p;
	int n;

	if (!in || !*in)
		return VALID_MISSING;
	p = in + strspn(in, " ");
	if (*p != 'W' && *p != 'w')
		return VALID_INVALID;
	if ((n = digits_only(p + 1, d, 9)) < 0)
		return VALID_BAD_CHARS;
	if (n < 9)
		return VALID_TOO_SHORT;
	if (n > 9)
		return VALID_TOO_LONG;
	if (outsz < 11)
		return VALID_TOO_LONG;
	out[0] = 'W';
	memcpy(out + 1, d, 10);
	return VALID_OK;
}
