/*
 * paybox: the Paybox System protocol on our side (README, "Donations"):
 * the HMAC-SHA512 of the payment form and of the cancellation call, the
 * RSA-SHA1 signature of the provider's notifications, and the
 * cancellation of a subscription (ResAbon, over libcurl).
 *
 * The provider's public key (PAYBOX_PUBKEY, PEM) is read once per
 * process, at its first use, and kept: a key that cannot be read makes
 * every verification fail (and log once), never pass.
 */
#ifndef CIVITAS_PAYBOX_H
#define CIVITAS_PAYBOX_H

#include "../core/arena.h"
#include "../core/config.h"

/* Uppercase hex of HMAC-SHA512(PAYBOX_HMAC_KEY, msg) into out (129
 * bytes). 0, or -1 when the key is unset. */
int paybox_hmac(const struct config *c, const char *msg, size_t len,
    char out[129]);
/* Does sig (url-encoded base64, as in the query) sign data[0..len) with
 * the provider's key (RSA PKCS#1 v1.5, SHA-1)? 1 yes, 0 no, -1 no key. */
int paybox_verify(const struct config *c, const char *data, size_t len,
    const char *sig);
/* "2026-12-05T14:00:00+00:00" (UTC now) into out (26 bytes). */
void paybox_time(char out[26]);

/* Stop subscription abo of reference ref (ResAbon). 0 the provider said
 * ACQ=OK; 1 it said ACQ=NO (*code: its ERREUR, in a); -1 it could not be
 * reached or answered something else. */
int paybox_resabon(const struct config *c, struct arena *a, const char *abo,
    const char *ref, const char **code);

#endif
