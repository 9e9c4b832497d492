/*
 * crypto: passwords (Argon2id), random tokens, keyed hashes. All secrets
 * come from config.secret; nothing here keeps state between calls.
 *
 * Argon2id cost: OWASP's minimum (m = 19 MiB, t = 2, p = 1), overridable
 * upward with ARGON2_MEMLIMIT_KIB / ARGON2_OPSLIMIT for stronger hosts.
 */
#ifndef CIVITAS_CRYPTO_H
#define CIVITAS_CRYPTO_H

#include <stddef.h>
#include <sodium.h>

#define TOKEN_BYTES 32
#define TOKEN_LEN 43	/* base64url without padding of 32 bytes */
#define HASH_HEX_LEN 64

void crypto_params(unsigned long long *ops, size_t *mem);
/* out must hold crypto_pwhash_STRBYTES; 0 on success. */
int password_hash(const char *pw, char out[crypto_pwhash_STRBYTES]);
int password_verify(const char *hash, const char *pw);
/* Does the hash use weaker parameters than today's? */
int password_needs_rehash(const char *hash);
/* A fresh random token, base64url (TOKEN_LEN chars + NUL). */
void token_new(char out[TOKEN_LEN + 1]);
int token_wellformed(const char *s, size_t len);
/* Hex SHA-256 of a token under the app key: what the database stores. */
void token_digest(const unsigned char key[32], const char *token,
    char out[HASH_HEX_LEN + 1]);
/* HMAC-SHA256(key, domain NUL msg) into out. */
void hmac_raw(const unsigned char key[32], const char *domain,
    const char *msg, unsigned char out[32]);

/*
 * Signed mail tokens "CID.RID.SIG": a campaign recipient's unsubscribe
 * link and envelope sender (VERP) are built from (campaign id, recipient
 * id) and a MAC of both for one purpose ("unsubscribe", "bounce"), so a
 * token works for that recipient and that use only. SIG is the first 16
 * bytes of HMAC-SHA256 in base64url (22 characters).
 */
#define MAIL_TOKEN_MAX 64
void mail_token(const unsigned char key[32], const char *purpose, long cid,
    long rid, char out[MAIL_TOKEN_MAX]);
/* 0 and *cid, *rid when s (up to its end) is a valid token, else -1. */
int mail_token_parse(const unsigned char key[32], const char *purpose,
    const char *s, long *cid, long *rid);

/*
 * Small secrets sealed at rest (issue 13, admin accounts: TOTP secrets).
 * A libsodium secretbox under a key derived from the app key for one
 * purpose and one owner (hmac_raw(key, purpose, owner)): a box opens only
 * for the same APP_SECRET, purpose and owner (a box copied to another
 * admin's row does not). The box is the random nonce, then the MAC and
 * the ciphertext: SEAL_OVERHEAD + n bytes.
 */
#define SEAL_OVERHEAD (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
void secret_seal(const unsigned char key[32], const char *purpose,
    const char *owner, const unsigned char *plain, size_t n,
    unsigned char *box);
/* Open a box into plain (boxlen - SEAL_OVERHEAD bytes): 0, or -1 when it
 * is too short or does not authenticate. */
int secret_open(const unsigned char key[32], const char *purpose,
    const char *owner, const unsigned char *box, size_t boxlen,
    unsigned char *plain);

#endif
