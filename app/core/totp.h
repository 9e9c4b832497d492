/*
 * totp: one-time codes of authenticator apps (issue 13, admin accounts),
 * and the base32 their secrets are typed in.
 *
 * - HOTP (RFC 4226): HMAC-SHA1 of an 8-byte big-endian counter, dynamic
 *   truncation, the last `digits` decimal digits.
 * - TOTP (RFC 6238): HOTP of the time step floor(unix time / 30), 6
 *   digits; a code is accepted for its step and the steps just before
 *   and after (TOTP_DRIFT), for the phone's clock.
 * - base32 (RFC 4648, section 6): upper-case alphabet A-Z 2-7, written
 *   without padding; read in either case, with or without padding.
 *
 * Pure: no state, nothing kept between calls; HMAC-SHA1 comes from
 * OpenSSL's libcrypto (libsodium has none). Which steps were already used
 * is the caller's business (once per step, in the database).
 */
#ifndef CIVITAS_TOTP_H
#define CIVITAS_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOTP_PERIOD 30
#define TOTP_DIGITS 6
#define TOTP_DRIFT 1		/* steps accepted on each side of now */
#define TOTP_SECRET_BYTES 20	/* 160 bits, RFC 4226's recommendation */

/* Characters of the unpadded base32 of n bytes. */
#define BASE32_LEN(n) (((n) * 8 + 4) / 5)

/* The unpadded base32 of in[0..n) into out (size >= BASE32_LEN(n) + 1).
 * Returns the length written, or -1 when out is too small. */
long base32_encode(const unsigned char *in, size_t n, char *out,
    size_t size);
/* The value (0..31) of a base32 character, either case; -1 when c is
 * not one. */
int base32_value(char c);
/* The bytes of the base32 text in (either case, '=' padding allowed at
 * the end only) into out. Returns their count, or -1 when in is not
 * base32 (a foreign character, an impossible length, leftover bits that
 * are not zero) or out is too small. */
long base32_decode(const char *in, unsigned char *out, size_t size);

/* HOTP(key, counter) with `digits` digits (1..9). */
uint32_t hotp(const unsigned char *key, size_t keylen, uint64_t counter,
    int digits);
/* The time step of t (t >= 0). */
int64_t totp_step(time_t t);
/* The TOTP_DIGITS-digit code of a step, as text (with leading zeros). */
void totp_code(const unsigned char *key, size_t keylen, int64_t step,
    char out[TOTP_DIGITS + 1]);
/*
 * The code a person typed (spaces allowed between the digits, as apps
 * show "123 456"), made TOTP_DIGITS digits into out. 0, or -1 when it is
 * not a code.
 */
int totp_code_parse(const char *in, char out[TOTP_DIGITS + 1]);
/*
 * The newest step within TOTP_DRIFT of now whose code is `code` (already
 * parsed), or -1. Every candidate is compared in constant time. Whether
 * that step was used already is for the caller to settle, atomically (a
 * compare-and-set on the last step accepted).
 */
int64_t totp_match(const unsigned char *key, size_t keylen,
    const char *code, int64_t now);

#endif
