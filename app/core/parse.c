#include "common.h"
#include "parse.h"

#include <ctype.h>

static const char *const parse_err_names[PARSE_ERR__MAX] = {
	[PARSE_OK] = "ok",
	[PARSE_BAD_ENCODING] = "bad percent-encoding",
	[PARSE_BAD_UTF8] = "invalid UTF-8",
	[PARSE_TOO_MANY] = "too many fields",
	[PARSE_MALFORMED] = "malformed",
};

const char *
parse_err_str(enum parse_err e)
{
	return (unsigned)e < PARSE_ERR__MAX ? parse_err_names[e] : "?";
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
int
utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t need;
		unsigned cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1; cp = c & 0x1f; min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2; cp = c & 0x0f; min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3; cp = c & 0x07; min = 0x10000;
		} else
			return 0;
		if (n - i <= need)
			return 0;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
url_decode(char *dst, const char *src, size_t n, size_t *outlen, int plus)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = src[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3 || (hi = hexval(src[i + 1])) < 0 ||
			    (lo = hexval(src[i + 2])) < 0)
				return PARSE_BAD_ENCODING;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (c == '\0')
			return PARSE_BAD_ENCODING;
		dst[o++] = c;
	}
	dst[o] = '\0';
	*outlen = o;
	return PARSE_OK;
}

static int
decode_into(struct arena *a, const char *s, size_t n, const char **out,
    size_t *outlen)
{
	char *d = arena_alloc(a, n + 1);
	size_t len;
	int rc;

	if ((rc = url_decode(d, s, n, &len, 1)) != PARSE_OK)
		return rc;
	if (!utf8_valid(d, len))
		return PARSE_BAD_UTF8;
	*out = d;
	if (outlen)
		*outlen = len;
	return PARSE_OK;
}

int
parse_urlencoded(struct arena *a, const char *s, size_t len,
    struct fields *out, size_t max_fields)
{
	size_t i = 0, count = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	for (size_t k = 0; k < len; k++)
		count += s[k] == '&';
	if (count + 1 > max_fields)
		count = max_fields;
	out->v = arena_alloc(a, (count + 1) * sizeof(*out->v));
	while (i < len) {
		const char *seg = s + i, *amp = memchr(seg, '&', len - i);
		size_t seglen = amp ? (size_t)(amp - seg) : len - i;
		const char *eq = memchr(seg, '=', seglen);
		size_t namelen = eq ? (size_t)(eq - seg) : seglen;
		struct field *f;

		i += seglen + 1;
		if (seglen == 0)
			continue;
		if (out->n >= max_fields)
			return PARSE_TOO_MANY;
		f = &out->v[out->n];
		if ((rc = decode_into(a, seg, namelen, &f->name, NULL)) != 0)
			return rc;
		if (eq)
			rc = decode_into(a, eq + 1, seglen - namelen - 1,
			    &f->value, &f->len);
		else {
			f->value = "";
			f->len = 0;
		}
		if (rc != PARSE_OK)
			return rc;
		out->n++;
	}
	return PARSE_OK;
}

int
parse_cookies(struct arena *a, const char *h, struct fields *out,
    size_t max_fields)
{
	size_t count = 1;

	out->n = 0;
	for (const char *p = h; *p; p++)
		count += *p == ';';
	if (count > max_fields)
		count = max_fields;
	out->v = arena_alloc(a, count * sizeof(*out->v));
	while (*h) {
		const char *end = strchr(h, ';'), *eq, *ns, *ne, *vs, *ve;
		struct field *f;

		if (!end)
			end = h + strlen(h);
		eq = memchr(h, '=', (size_t)(end - h));
		ns = h;
		while (ns < end && (*ns == ' ' || *ns == '\t'))
			ns++;
		h = *end ? end + 1 : end;
		if (!eq || eq == ns)
			continue;	/* nameless or valueless: ignore */
		ne = eq;
		while (ne > ns && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		vs = eq + 1;
		ve = end;
		while (vs < ve && (*vs == ' ' || *vs == '\t'))
			vs++;
		while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
			vs++;
			ve--;
		}
		if (!utf8_valid(ns, (size_t)(ne - ns)) ||
		    !utf8_valid(vs, (size_t)(ve - vs)))
			return PARSE_BAD_UTF8;
		if (out->n >= max_fields)
			return PARSE_TOO_MANY;
		f = &out->v[out->n++];
		f->name = arena_strndup(a, ns, (size_t)(ne - ns));
		f->value = arena_strndup(a, vs, (size_t)(ve - vs));
		f->len = (size_t)(ve - vs);
	}
	return PARSE_OK;
}

/* The next ';' of [p, end) outside a quoted string, or NULL. */
static const char *
next_semicolon(const char *p, const char *end)
{
	int quoted = 0;

	for (; p < end; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ';' && !quoted)
			return p;
	}
	return NULL;
}

/* Case-insensitive search for `key=` as a parameter of a header value. */
static const char *
header_param(const char *h, size_t hlen, const char *key, size_t *vlen,
    int *quoted)
{
	size_t klen = strlen(key);
	const char *end = h + hlen, *p = h;

	while (p < end) {
		const char *semi = next_semicolon(p, end), *v;

		if (!semi)
			return NULL;
		p = semi + 1;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) <= klen || strncasecmp(p, key, klen) ||
		    p[klen] != '=')
			continue;
		v = p + klen + 1;
		if (v < end && *v == '"') {
			const char *q = memchr(v + 1, '"', (size_t)(end - v - 1));

			if (!q)
				return NULL;
			*vlen = (size_t)(q - v - 1);
			*quoted = 1;
			return v + 1;
		}
		p = v;
		while (p < end && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		*vlen = (size_t)(p - v);
		*quoted = 0;
		return v;
	}
	return NULL;
}

int
multipart_boundary(const char *ct, char *out, size_t outsz)
{
	static const char prefix[] = "multipart/form-data";
	size_t vlen;
	int quoted;
	const char *v;

	if (!ct || strncasecmp(ct, prefix, sizeof(prefix) - 1))
		return -1;
	v = header_param(ct, strlen(ct), "boundary", &vlen, &quoted);
	/* RFC 2046: 1 to 70 characters. */
	if (!v || vlen == 0 || vlen > 70 || vlen + 1 > outsz)
		return -1;
	for (size_t i = 0; i < vlen; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return -1;
	memcpy(out, v, vlen);
	out[vlen] = '\0';
	return 0;
}

/* Parse one part's header block [h, end) into p. */
static int
part_headers(struct arena *a, const char *h, const char *end, struct part *p)
{
	while (h < end) {
		const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2);
		const char *line = h, *colon;
		size_t llen;

		llen = eol ? (size_t)(eol - h) : (size_t)(end - h);
		h = eol ? eol + 2 : end;
		if (!utf8_valid(line, llen) || memchr(line, '\0', llen))
			return PARSE_BAD_UTF8;
		colon = memchr(line, ':', llen);
		if (!colon)
			return PARSE_MALFORMED;
		if ((size_t)(colon - line) == 19 &&
		    !strncasecmp(line, "Content-Disposition", 19)) {
			const char *v;
			size_t vlen;
			int quoted;

			v = header_param(line, llen, "name", &vlen, &quoted);
			if (!v)
				return PARSE_MALFORMED;
			p->name = arena_strndup(a, v, vlen);
			v = header_param(line, llen, "filename", &vlen, &quoted);
			if (v)
				p->filename = arena_strndup(a, v, vlen);
		} else if ((size_t)(colon - line) == 12 &&
		    !strncasecmp(line, "Content-Type", 12)) {
			const char *v = colon + 1;

			while (v < line + llen && (*v == ' ' || *v == '\t'))
				v++;
			p->content_type = arena_strndup(a, v,
			    (size_t)(line + llen - v));
		}
	}
	if (!p->name)
		return PARSE_MALFORMED;
	return PARSE_OK;
}

int
parse_multipart(struct arena *a, const char *boundary, const char *body,
    size_t len, struct parts *out, size_t max_parts)
{
	size_t blen = strlen(boundary), dlen = blen + 4;
	char *delim = arena_alloc(a, dlen + 1);
	const char *p, *end = body + len;
	int rc;

	out->n = 0;
	out->v = arena_alloc(a, (max_parts ? max_parts : 1) * sizeof(*out->v));
	/* delim = "\r\n--boundary"; the body starts with "--boundary". */
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, blen);
	delim[dlen] = '\0';
	if (len < blen + 2 || memcmp(body, delim + 2, blen + 2))
		return PARSE_MALFORMED;
	p = body + blen + 2;
	for (;;) {
		const char *hend, *next;
		struct part *part;

		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return PARSE_OK;	/* closing delimiter */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return PARSE_MALFORMED;
		p += 2;
		hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (!hend || hend - p > 8192)
			return PARSE_MALFORMED;
		next = memmem(hend + 4, (size_t)(end - hend - 4), delim, dlen);
		if (!next)
			return PARSE_MALFORMED;
		if (out->n >= max_parts)
			return PARSE_TOO_MANY;
		part = &out->v[out->n];
		memset(part, 0, sizeof(*part));
		if ((rc = part_headers(a, p, hend + 2, part)) != PARSE_OK)
			return rc;
		part->len = (size_t)(next - hend - 4);
		if (part->filename)
			part->data = hend + 4;
		else {
			if (!utf8_valid(hend + 4, part->len) ||
			    memchr(hend + 4, '\0', part->len))
				return PARSE_BAD_UTF8;
			part->data = arena_strndup(a, hend + 4, part->len);
		}
		out->n++;
		p = next + dlen;
	}
}

const struct field *
fields_find(const struct fields *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].name, name))
			return &f->v[i];
	return NULL;
}

size_t
fields_count(const struct fields *f, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += !strcmp(f->v[i].name, name);
	return n;
}

int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
