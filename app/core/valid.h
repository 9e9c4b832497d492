/*
 * valid: pure validators and normalisers for what people type in forms.
 * Each returns a valid_err and writes the normalised value to out (which
 * must hold at least strlen(in) * 2 + 1 bytes for names, since case
 * mapping can change byte lengths). No I/O; unit-tested and fuzzed.
 */
#ifndef CIVITAS_VALID_H
#define CIVITAS_VALID_H

#include <stddef.h>

enum valid_err {
	VALID_OK = 0,
	VALID_MISSING,
	VALID_TOO_SHORT,
	VALID_TOO_LONG,
	VALID_BAD_CHARS,
	VALID_INVALID,
	VALID_TOO_YOUNG,
	VALID_TOO_OLD,
};

/* Code points in a valid UTF-8 string. */
size_t utf8_length(const char *s);
/* Copy s without leading/trailing whitespace and with inner runs of
 * whitespace collapsed to one space. out holds strlen(s) + 1. */
void text_squeeze(const char *s, char *out);
/* First or last name: 2-50 letters (and - ' ’ . space), starting with a
 * letter (else VALID_INVALID), re-cased the way people write names:
 * "jean-pauL" -> "Jean-Paul", "d'ARTAGNAN" -> "D'Artagnan". */
int valid_person_name(const char *in, char *out, size_t outsz);
/* Address syntax, at most 255 bytes, lowercased. */
int valid_email(const char *in, char *out, size_t outsz);
int valid_password(const char *pw);
/* YYYY-MM-DD, a real date, age in [min_age, 120] on `today` (YYYY-MM-DD). */
int valid_birth_date(const char *in, const char *today, int min_age);
/* Five digits. */
int valid_postal_code_fr(const char *in);
/* Optional phone: digits with spaces . - ( ) and a leading +, 6-20 chars. */
int valid_phone(const char *in);
/* A path of our own site to send a browser to: "/" then printable ASCII
 * only (no space, no control character, no backslash; other text comes
 * percent-encoded), and not "//host". VALID_OK or VALID_INVALID. */
int valid_local_path(const char *in);

#endif
