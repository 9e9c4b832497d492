/* totp: HOTP, TOTP and base32 (see totp.h). */
#include "common.h"
#include "totp.h"

#include <sodium.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

long
base32_encode(const unsigned char *in, size_t n, char *out, size_t size)
{
	size_t len = BASE32_LEN(n), o = 0;
	unsigned buf = 0;
	int bits = 0;

	if (size < len + 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = B32[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
		buf &= (1u << bits) - 1;	/* keep only the bits not written */
	}
	if (bits > 0)
		out[o++] = B32[(buf << (5 - bits)) & 31];
	out[o] = '\0';
	return (long)o;
}

int
base32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

long
base32_decode(const char *in, unsigned char *out, size_t size)
{
	size_t n = strlen(in), o = 0;
	unsigned buf = 0;
	int bits = 0;

	while (n > 0 && in[n - 1] == '=')
		n--;
	/* 8 characters carry 5 bytes; a group may end after 2, 4, 5 or 7. */
	if (n % 8 == 1 || n % 8 == 3 || n % 8 == 6)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int v = base32_value(in[i]);

		if (v < 0)
			return -1;
		buf = (buf << 5) | (unsigned)v;
		bits += 5;
		if (bits >= 8) {
			if (o == size)
				return -1;
			out[o++] = (unsigned char)(buf >> (bits - 8));
			bits -= 8;
			buf &= (1u << bits) - 1;
		}
	}
	if (buf != 0)	/* leftover bits must be zero (canonical text) */
		return -1;
	return (long)o;
}

uint32_t
hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits)
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	uint32_t bin, mod = 1;
	int off;

	for (int i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	if (!HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac,
	    &maclen) || maclen != 20)
		abort();	/* SHA-1 always there: an impossible state */
	off = mac[19] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) |
	    ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) |
	    (uint32_t)mac[off + 3];
	for (int i = 0; i < digits && i < 9; i++)
		mod *= 10;
	return bin % mod;
}

int64_t
totp_step(time_t t)
{
	return (int64_t)t / TOTP_PERIOD;
}

void
totp_code(const unsigned char *key, size_t keylen, int64_t step,
    char out[TOTP_DIGITS + 1])
{
	uint32_t v = hotp(key, keylen, (uint64_t)step, TOTP_DIGITS);

	for (int i = TOTP_DIGITS - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[TOTP_DIGITS] = '\0';
}

int
totp_code_parse(const char *in, char out[TOTP_DIGITS + 1])
{
	int n = 0;

	for (; *in; in++) {
		if (*in == ' ')
			continue;
		if (*in < '0' || *in > '9' || n == TOTP_DIGITS)
			return -1;
		out[n++] = *in;
	}
	out[n] = '\0';
	return n == TOTP_DIGITS ? 0 : -1;
}

int64_t
totp_match(const unsigned char *key, size_t keylen, const char *code,
    int64_t now)
{
	int64_t found = -1;
	char want[TOTP_DIGITS + 1];

	for (int64_t s = now - TOTP_DRIFT; s <= now + TOTP_DRIFT; s++) {
		if (s < 0)
			continue;
		totp_code(key, keylen, s, want);
		/* in a time that does not depend on where they differ */
		if (sodium_memcmp(want, code, TOTP_DIGITS) == 0)
			found = s;	/* the newest wins; all are computed */
	}
	return found;
}
