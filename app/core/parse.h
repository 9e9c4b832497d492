/*
 * parse: pure parsers for untrusted request bytes (query strings,
 * application/x-www-form-urlencoded and multipart/form-data bodies, Cookie
 * headers). They only read their input, allocate from the given arena, never
 * write outside it, and return a parse_err. Every one of them has a fuzz
 * target in test/fuzz/.
 *
 * Decoded names and values are NUL-terminated and valid UTF-8 without NUL
 * bytes (multipart file contents excepted: those are binary, see part.len).
 */
#ifndef CIVITAS_PARSE_H
#define CIVITAS_PARSE_H

#include <stddef.h>
#include "arena.h"

enum parse_err {
	PARSE_OK = 0,
	PARSE_BAD_ENCODING,	/* broken %-escape or NUL byte */
	PARSE_BAD_UTF8,
	PARSE_TOO_MANY,		/* more fields than allowed */
	PARSE_MALFORMED,	/* structure (multipart framing, headers) */
	PARSE_ERR__MAX
};

struct field {
	const char *name;
	const char *value;
	size_t len;		/* of value, without the NUL */
};

struct fields {
	struct field *v;
	size_t n;
};

struct part {
	const char *name;
	const char *filename;	/* NULL when not a file */
	const char *content_type;	/* NULL when absent */
	const char *data;	/* binary for files, else UTF-8 and NUL-ended */
	size_t len;
};

struct parts {
	struct part *v;
	size_t n;
};

const char *parse_err_str(enum parse_err e);
int utf8_valid(const char *s, size_t n);
/* Decode %XX (and '+' as space when plus is set) into dst (n + 1 bytes). */
int url_decode(char *dst, const char *src, size_t n, size_t *outlen, int plus);
int parse_urlencoded(struct arena *a, const char *s, size_t len,
    struct fields *out, size_t max_fields);
int parse_cookies(struct arena *a, const char *header, struct fields *out,
    size_t max_fields);
/* The boundary of a multipart/form-data Content-Type, or -1. */
int multipart_boundary(const char *content_type, char *out, size_t outsz);
int parse_multipart(struct arena *a, const char *boundary, const char *body,
    size_t len, struct parts *out, size_t max_parts);

const struct field *fields_find(const struct fields *f, const char *name);
size_t fields_count(const struct fields *f, const char *name);
/* Whole-string base-10 integer in [min, max]; 0 on success. */
int parse_long(const char *s, long min, long max, long *out);

#endif
