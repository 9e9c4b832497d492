#include "../core/common.h"
#include "mailer.h"

#include <sodium.h>

/* Bytes of UTF-8 text per encoded-word: 45 make 60 base64 characters, a
 * word of 72 with its "=?UTF-8?B?" and "?=". */
#define WORD_BYTES 45

int
mime_header_safe(const char *s)
{
	if (!s || !*s)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

void
mime_encoded_words(struct buf *b, const char *s)
{
	char enc[sodium_base64_ENCODED_LEN(WORD_BYTES + 4,
	    sodium_base64_VARIANT_ORIGINAL)];
	size_t n = strlen(s), off = 0, len;
	int ascii = 1;

	for (const char *p = s; *p; p++)
		ascii &= (unsigned char)*p < 0x80 && *p != '\r' && *p != '\n';
	if (ascii && n <= 900) {
		buf_puts(b, s);
		return;
	}
	while (off < n) {
		len = MIN(WORD_BYTES, n - off);
		/* Never cut a UTF-8 sequence: back up to its first byte. */
		while (off + len < n && len > 1 &&
		    ((unsigned char)s[off + len] & 0xc0) == 0x80)
			len--;
		sodium_bin2base64(enc, sizeof(enc),
		    (const unsigned char *)s + off, len,
		    sodium_base64_VARIANT_ORIGINAL);
		buf_printf(b, "%s=?UTF-8?B?%s?=", off ? "\r\n " : "", enc);
		off += len;
	}
}

void
mime_text(struct buf *b, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '\n' && (p == text || p[-1] != '\r'))
			buf_putc(b, '\r');
		buf_putc(b, *p);
	}
	if (b->len < 2 || b->data[b->len - 1] != '\n')
		buf_puts(b, "\r\n");
}

void
mime_qp(struct buf *b, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)text;
	size_t col = 0;

	while (*p) {
		unsigned char c = *p;
		int eol = p[1] == '\0' || p[1] == '\n' ||
		    (p[1] == '\r' && p[2] == '\n');
		int literal = (c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && !eol);

		if (c == '\r' && p[1] == '\n') {
			p++;
			continue;
		}
		if (c == '\n') {
			buf_puts(b, "\r\n");
			col = 0;
			p++;
			continue;
		}
		if (col + (literal ? 1 : 3) > 75) {
			buf_puts(b, "=\r\n");
			col = 0;
		}
		if (literal) {
			buf_putc(b, (char)c);
			col++;
		} else {
			buf_putc(b, '=');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
			col += 3;
		}
		p++;
	}
	if (col)
		buf_puts(b, "\r\n");
}

void
mime_base64(struct buf *b, const char *data, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_ORIGINAL), len;
	char *enc = xmalloc(cap);

	sodium_bin2base64(enc, cap, (const unsigned char *)data, n,
	    sodium_base64_VARIANT_ORIGINAL);
	len = strlen(enc);
	for (size_t i = 0; i < len; i += 76) {
		buf_append(b, enc + i, MIN(76, len - i));
		buf_puts(b, "\r\n");
	}
	free(enc);
}

void
mime_date(char out[64], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 64, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}
