/* crypto: tokens, keyed hashes, Argon2id passwords (libsodium). */
#include "../../app/core/common.h"
#include "../../app/infra/crypto.h"
#include "unit.h"

static void
key_fill(unsigned char key[32], unsigned char first)
{
	for (int i = 0; i < 32; i++)
		key[i] = (unsigned char)(first + i);
}

static int
b64url_alphabet(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int
lower_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static void
token_new_shape(void)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];

	memset(a, 'x', sizeof(a));
	token_new(a);
	token_new(b);
	EQ_INT(strlen(a), 43);
	EQ_INT(strlen(b), 43);
	CHECK(b64url_alphabet(a));
	CHECK(token_wellformed(a, strlen(a)));
	CHECK(token_wellformed(b, strlen(b)));
	CHECK(strcmp(a, b) != 0);
}

static void
token_wellformed_rules(void)
{
	char t[TOKEN_LEN + 2];

	memset(t, 'A', sizeof(t));
	t[TOKEN_LEN + 1] = '\0';
	CHECK(token_wellformed(t, 43));
	CHECK(!token_wellformed(t, 42));
	CHECK(!token_wellformed(t, 44));
	CHECK(!token_wellformed("", 0));
	t[10] = '-';
	t[20] = '_';
	t[30] = '9';
	CHECK(token_wellformed(t, 43));
	t[5] = '+';
	CHECK(!token_wellformed(t, 43));
	t[5] = '/';
	CHECK(!token_wellformed(t, 43));
	t[5] = '=';
	CHECK(!token_wellformed(t, 43));
	t[5] = '\0';
	CHECK(!token_wellformed(t, 43));
	t[5] = '\xc3';
	CHECK(!token_wellformed(t, 43));
}

static void
token_digest_keyed(void)
{
	unsigned char k1[32], k2[32];
	char d1[HASH_HEX_LEN + 1], d2[HASH_HEX_LEN + 1], d3[HASH_HEX_LEN + 1];
	const char *tok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";

	key_fill(k1, 0);
	key_fill(k2, 1);
	token_digest(k1, tok, d1);
	token_digest(k1, tok, d2);
	EQ_STR(d1, d2);
	EQ_INT(strlen(d1), 64);
	CHECK(lower_hex(d1));
	/*
	 * Known answer: HMAC-SHA256(key 00..1f, "token:" + token). The
	 * database stores these digests: changing the construction logs
	 * everybody out and voids every pending link.
	 */
	EQ_STR(d1,
	    "ef0f6c3f5433e94a21bbe6560927dc83ae22ad029f5155b06ccd5b5ead00673a");
	token_digest(k2, tok, d3);
	CHECK(strcmp(d1, d3) != 0);
	token_digest(k1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPR", d3);
	CHECK(strcmp(d1, d3) != 0);
}

/* hmac_raw keys CSRF tokens: keyed, deterministic, domain-separated. */
static void
hmac_raw_domains(void)
{
	unsigned char k[32], k2[32], a[32], b[32];
	char text[TOKEN_LEN + 1];

	key_fill(k, 0);
	key_fill(k2, 7);
	hmac_raw(k, "csrf", "session-id", a);
	hmac_raw(k, "csrf", "session-id", b);
	CHECK(memcmp(a, b, 32) == 0);
	/* Known answer: HMAC-SHA256(key, domain + "\0" + msg), base64url. */
	sodium_bin2base64(text, sizeof(text), a, 32,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	EQ_STR(text, "X5R-msMCPNT65WQez4H9QFeDhRhVbkDEWziWfpQu2YE");
	hmac_raw(k2, "csrf", "session-id", b);
	CHECK(memcmp(a, b, 32) != 0);
	/* The domain is separated from the message. */
	hmac_raw(k, "ab", "c", a);
	hmac_raw(k, "a", "bc", b);
	CHECK(memcmp(a, b, 32) != 0);
	hmac_raw(k, "other", "session-id", b);
	hmac_raw(k, "csrf", "session-id", a);
	CHECK(memcmp(a, b, 32) != 0);
}

static void
password_round_trip(void)
{
	char h1[crypto_pwhash_STRBYTES], h2[crypto_pwhash_STRBYTES];

	if (!EQ_INT(password_hash("correct horse battery", h1), 0))
		return;
	CHECK(!strncmp(h1, "$argon2id$", 10));
	CHECK(strstr(h1, "m=19456") != NULL || getenv("ARGON2_MEMLIMIT_KIB"));
	CHECK(password_verify(h1, "correct horse battery"));
	CHECK(!password_verify(h1, "correct horse batterY"));
	CHECK(!password_verify(h1, "correct horse battery "));
	CHECK(!password_verify(h1, ""));
	CHECK(!password_verify("not a hash", "correct horse battery"));
	CHECK(!password_needs_rehash(h1));
	/* A fresh salt every time; UTF-8 passwords work the same. */
	if (!EQ_INT(password_hash("mot de passe été", h2), 0))
		return;
	CHECK(strcmp(h1, h2) != 0);
	CHECK(password_verify(h2, "mot de passe été"));
	CHECK(!password_verify(h2, "mot de passe ete"));
}

/* A mail token round-trips for its purpose only, and any change to it,
 * even one character, is refused. */
static void
mail_token_signed(void)
{
	unsigned char key[32], other[32];
	char t[MAIL_TOKEN_MAX], bad[MAIL_TOKEN_MAX];
	long cid = 0, rid = 0;

	key_fill(key, 1);
	key_fill(other, 2);
	mail_token(key, "unsubscribe", 12, 34567, t);
	EQ_INT(strncmp(t, "12.34567.", 9), 0);
	EQ_INT(strlen(t), 9 + 22);
	CHECK(b64url_alphabet(t + 9));
	EQ_INT(mail_token_parse(key, "unsubscribe", t, &cid, &rid), 0);
	EQ_INT(cid, 12);
	EQ_INT(rid, 34567);
	EQ_INT(mail_token_parse(key, "bounce", t, &cid, &rid), -1);
	EQ_INT(mail_token_parse(other, "unsubscribe", t, &cid, &rid), -1);
	memcpy(bad, t, sizeof(bad));
	bad[1] = '3';			/* another campaign, same signature */
	EQ_INT(mail_token_parse(key, "unsubscribe", bad, &cid, &rid), -1);
	memcpy(bad, t, sizeof(bad));
	bad[strlen(bad) - 1] ^= 1;	/* the signature touched */
	EQ_INT(mail_token_parse(key, "unsubscribe", bad, &cid, &rid), -1);
	snprintf(bad, sizeof(bad), "%sx", t);	/* trailing bytes */
	EQ_INT(mail_token_parse(key, "unsubscribe", bad, &cid, &rid), -1);
	snprintf(bad, sizeof(bad), "0%s", t);	/* a leading zero */
	EQ_INT(mail_token_parse(key, "unsubscribe", bad, &cid, &rid), -1);
	EQ_INT(mail_token_parse(key, "unsubscribe", "", &cid, &rid), -1);
	EQ_INT(mail_token_parse(key, "unsubscribe", "1.2.", &cid, &rid), -1);
	EQ_INT(mail_token_parse(key, "unsubscribe",
	    "99999999999999999999.1.AAAAAAAAAAAAAAAAAAAAAA", &cid, &rid), -1);
	EQ_INT(mail_token_parse(key, "unsubscribe", NULL, &cid, &rid), -1);
}

UNIT_SUITE(crypto,
    UNIT(mail_token_signed),
    UNIT(token_new_shape),
    UNIT(token_wellformed_rules),
    UNIT(token_digest_keyed),
    UNIT(hmac_raw_domains),
    UNIT(password_round_trip))
