/*
 * valid: pure validators and normalisers for what people type in forms.
 * No I/O; unit-tested and fuzzed (test/fuzz/fuzz_valid.c).
 *
 * The field validators share one shape, valid_fn: they return a
 * valid_err and write the normalised value to out, which holds at least
 * VALID_OUT_SIZE(strlen(in)) bytes (case mapping can change byte lengths).
 * The form tables (infra/form.h) name them, with a French message for
 * each failure.
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
	VALID__MAX
};

#define VALID_OUT_SIZE(len) ((len) * 2 + 128)
typedef int (*valid_fn)(const char *in, char *out, size_t outsz);

#define PASSWORD_MIN 8		/* characters */
#define PASSWORD_MAX 1024	/* characters: Argon2id takes any length */
#define SLUG_MAX 80		/* bytes: lowercase ASCII letters, digits, '-' */

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
/* The site's one password rule: PASSWORD_MIN to PASSWORD_MAX characters,
 * anything else allowed (out: a copy). */
int valid_password(const char *in, char *out, size_t outsz);
/* YYYY-MM-DD, a real date, age in [min_age, 120] on `today` (YYYY-MM-DD). */
int valid_birth_date(const char *in, const char *today, int min_age);
/* Five digits. */
int valid_postal_code_fr(const char *in, char *out, size_t outsz);
/* A phone: digits with spaces . - ( ) and a leading +, 6-20 chars. */
int valid_phone(const char *in, char *out, size_t outsz);
/* A wall-clock time typed in a form, "YYYY-MM-DDTHH:MM[:SS]" (or a space
 * for the T), a real time of the years 2000-2200. */
int valid_local_datetime(const char *in, char *out, size_t outsz);
/* An integer in [-1,000,000, 1,000,000], written back plainly ("+7" ->
 * "7"): positions and orders. */
int valid_integer(const char *in, char *out, size_t outsz);
/* A row id: a positive integer (a <select> of rows). */
int valid_id(const char *in, char *out, size_t outsz);
/* The slug of text into out (SLUG_MAX + 1 bytes): lowercase ASCII words
 * joined by '-', "" when text has no letter or digit.
 * "L'été 2024 : œuvres" -> "l-ete-2024-oeuvres". */
void slugify(const char *text, char *out);
/* A typed address made a slug (VALID_INVALID when nothing is left). */
int valid_slug(const char *in, char *out, size_t outsz);
/* A link a page may show: a path of the site ("/..." but not "//" nor
 * "/\") or an https:// URL, with no space or control character. */
int valid_link(const char *in, char *out, size_t outsz);
/* An address on the web given by a member (a committee's site, an online
 * event): http:// or https:// (any case), then a host (not "/" nor "."),
 * no space, control character, '"', '<', '>' or '\'. */
int valid_web_url(const char *in, char *out, size_t outsz);
/* A path of the site that can be redirected: "/x..." (not "/" alone, not
 * "//" nor "/\"), no space, control character, '?' or '#'. */
int valid_site_path(const char *in, char *out, size_t outsz);
/* A path of our own site to send a browser to: "/" then printable ASCII
 * only (no space, no control character, no backslash; other text comes
 * percent-encoded), and not "//host". VALID_OK or VALID_INVALID. */
int valid_local_path(const char *in);

/* Organisations (issue 11). A SIRET: 14 digits (spaces, dots and dashes
 * between them are dropped) whose Luhn key is right, or, for La Poste's
 * establishments (SIREN 356 000 000), whose digits add up to a multiple
 * of 5. VALID_BAD_CHARS another character, VALID_TOO_SHORT/LONG the
 * count of digits, VALID_INVALID the key. out: the 14 digits. */
int valid_siret(const char *in, char *out, size_t outsz);
/* The check of 14 digits d (NUL-ended) alone: 1 valid, else 0. */
int siret_check(const char *d);
/* An association's RNA number: W and 9 digits (a lowercase w, spaces
 * and separators between the digits are accepted). out: "W" + 9 digits. */
int valid_rna(const char *in, char *out, size_t outsz);

#endif
