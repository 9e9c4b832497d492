#include "../core/common.h"
#include "../core/parse.h"

#include <limits.h>
#include "crypto.h"

#define DEFAULT_OPS 2ULL
#define DEFAULT_MEM_KIB 19456UL		/* 19 MiB */

void
crypto_params(unsigned long long *ops, size_t *mem)
{
	long v;

	*ops = DEFAULT_OPS;
	*mem = (size_t)DEFAULT_MEM_KIB * 1024;
	if (parse_long(getenv("ARGON2_OPSLIMIT"), 2, 64, &v) == 0)
		*ops = (unsigned long long)v;
	if (parse_long(getenv("ARGON2_MEMLIMIT_KIB"), 19456, 4194304, &v) == 0)
		*mem = (size_t)v * 1024;
}

int
password_hash(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	unsigned long long ops;
	size_t mem;

	crypto_params(&ops, &mem);
	return crypto_pwhash_str_alg(out, pw, strlen(pw), ops, mem,
	    crypto_pwhash_ALG_ARGON2ID13);
}

int
password_verify(const char *hash, const char *pw)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

int
password_needs_rehash(const char *hash)
{
	unsigned long long ops;
	size_t mem;

	crypto_params(&ops, &mem);
	return crypto_pwhash_str_needs_rehash(hash, ops, mem) != 0;
}

void
token_new(char out[TOKEN_LEN + 1])
{
	unsigned char raw[TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, TOKEN_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
token_wellformed(const char *s, size_t len)
{
	if (len != TOKEN_LEN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

void
token_digest(const unsigned char key[32], const char *token,
    char out[HASH_HEX_LEN + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, 32);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"token:", 6);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)token,
	    strlen(token));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, HASH_HEX_LEN + 1, mac, sizeof(mac));
}

void
hmac_raw(const unsigned char key[32], const char *domain, const char *msg,
    unsigned char out[32])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, 32);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)domain,
	    strlen(domain) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg,
	    strlen(msg));
	crypto_auth_hmacsha256_final(&st, out);
}

#define MAIL_SIG_BYTES 16
#define MAIL_SIG_LEN 22	/* base64url without padding of 16 bytes */

static void
mail_sig(const unsigned char key[32], const char *purpose, long cid,
    long rid, char sig[MAIL_SIG_LEN + 1])
{
	unsigned char mac[32];
	char msg[48];

	snprintf(msg, sizeof(msg), "%ld.%ld", cid, rid);
	hmac_raw(key, purpose, msg, mac);
	sodium_bin2base64(sig, MAIL_SIG_LEN + 1, mac, MAIL_SIG_BYTES,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
mail_token(const unsigned char key[32], const char *purpose, long cid,
    long rid, char out[MAIL_TOKEN_MAX])
{
	char sig[MAIL_SIG_LEN + 1];

	mail_sig(key, purpose, cid, rid, sig);
	snprintf(out, MAIL_TOKEN_MAX, "%ld.%ld.%s", cid, rid, sig);
}

/* A positive decimal without sign or leading zero, up to '.'. */
static const char *
mail_id(const char *s, long *v)
{
	long n = 0;

	if (*s < '1' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (LONG_MAX - 9) / 10)
			return NULL;
		n = n * 10 + (*s - '0');
	}
	*v = n;
	return *s == '.' ? s + 1 : NULL;
}

int
mail_token_parse(const unsigned char key[32], const char *purpose,
    const char *s, long *cid, long *rid)
{
	char sig[MAIL_SIG_LEN + 1];
	long c, r;

	if (!s || !(s = mail_id(s, &c)) || !(s = mail_id(s, &r)) ||
	    strlen(s) != MAIL_SIG_LEN)
		return -1;
	mail_sig(key, purpose, c, r, sig);
	if (sodium_memcmp(sig, s, MAIL_SIG_LEN) != 0)
		return -1;
	*cid = c;
	*rid = r;
	return 0;
}

/* ---- sealed secrets (issue 13, admin accounts) ---------------------- */

void
secret_seal(const unsigned char key[32], const char *purpose,
    const char *owner, const unsigned char *plain, size_t n,
    unsigned char *box)
{
	unsigned char k[crypto_secretbox_KEYBYTES];

	hmac_raw(key, purpose, owner, k);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain, n, box,
	    k);
	sodium_memzero(k, sizeof(k));
}

int
secret_open(const unsigned char key[32], const char *purpose,
    const char *owner, const unsigned char *box, size_t boxlen,
    unsigned char *plain)
{
	unsigned char k[crypto_secretbox_KEYBYTES];
	int rc;

	if (boxlen < SEAL_OVERHEAD)
		return -1;
	hmac_raw(key, purpose, owner, k);
	rc = crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES,
	    boxlen - crypto_secretbox_NONCEBYTES, box, k);
	sodium_memzero(k, sizeof(k));
	return rc == 0 ? 0 : -1;
}
