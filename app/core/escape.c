#include "common.h"
#include "escape.h"

static int
continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t
html_forbidden_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp;

	if (s[0] == 0x7f)
		return 1;
	if (s[0] < 0x20)	/* C0 controls bar the whitespace (and the end) */
		return s[0] && s[0] != '\t' && s[0] != '\n' && s[0] != '\f' &&
		    s[0] != '\r';
	if (s[0] == 0xc2)	/* C1 controls: U+0080..U+009F */
		return s[1] >= 0x80 && s[1] <= 0x9f ? 2 : 0;
	if (s[0] == 0xef && continuation(s[1]) && continuation(s[2])) {
		cp = 0xf000 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return (cp >= 0xfdd0 && cp <= 0xfdef) || cp >= 0xfffe ? 3 : 0;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4 && continuation(s[1]) &&
	    continuation(s[2]) && continuation(s[3])) {
		cp = (uint32_t)(s[0] & 0x07) << 18 |
		    (uint32_t)(s[1] & 0x3f) << 12 |
		    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		return (cp & 0xfffe) == 0xfffe ? 4 : 0;	/* U+1FFFE... */
	}
	return 0;
}

int
html_escape_needed(const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': case '<': case '>': case '"': case '\'':
			return 1;
		default:
			if (html_forbidden_len(s))
				return 1;
		}
	return 0;
}

char *
html_drop_forbidden(char *s)
{
	char *w = s;
	const char *p = s;

	while (*p) {
		size_t n = html_forbidden_len(p);

		if (n) {
			p += n;
			continue;
		}
		*w++ = *p++;
	}
	*w = '\0';
	return s;
}

int
html_escape(struct buf *out, const char *s)
{
	const char *run = s;

	while (*s) {
		const char *ent = NULL;
		size_t skip = html_forbidden_len(s);

		if (!skip) {
			switch (*s) {
			case '&': ent = "&amp;"; break;
			case '<': ent = "&lt;"; break;
			case '>': ent = "&gt;"; break;
			case '"': ent = "&quot;"; break;
			case '\'': ent = "&#39;"; break;
			default: s++; continue;
			}
			skip = 1;
		}
		if (buf_append(out, run, (size_t)(s - run)) < 0 ||
		    (ent && buf_puts(out, ent) < 0))
			return -1;
		s += skip;
		run = s;
	}
	return buf_append(out, run, (size_t)(s - run));
}

int
url_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (buf_putc(out, (char)c) < 0)
				return -1;
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			if (buf_append(out, e, 3) < 0)
				return -1;
		}
	}
	return 0;
}
