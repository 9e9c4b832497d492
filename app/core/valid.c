#include "common.h"
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

int
valid_password(const char *pw)
{
	if (!pw || !*pw)
		return VALID_MISSING;
	if (strlen(pw) > 1024)
		return VALID_TOO_LONG;
	if (utf8_length(pw) < 8)
		return VALID_TOO_SHORT;
	return VALID_OK;
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
valid_postal_code_fr(const char *in)
{
	if (!in || !*in)
		return VALID_MISSING;
	if (strlen(in) != 5)
		return VALID_INVALID;
	for (int i = 0; i < 5; i++)
		if (!isdigit((unsigned char)in[i]))
			return VALID_INVALID;
	return VALID_OK;
}

int
valid_phone(const char *in)
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
	return digits >= 6 ? VALID_OK : VALID_TOO_SHORT;
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
