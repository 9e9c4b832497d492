/*
 * paybox: HMAC, RSA verification and ResAbon (paybox.h).
 */
#include "../core/common.h"
#include "../core/buf.h"
#include "../core/log.h"
#include "../core/parse.h"
#include "paybox.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <time.h>

int
paybox_hmac(const struct config *c, const char *msg, size_t len,
    char out[129])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char hex[] = "0123456789ABCDEF";

	if (!c->paybox_hmac_len || !HMAC(EVP_sha512(), c->paybox_hmac,
	    (int)c->paybox_hmac_len, (const unsigned char *)msg, len, mac, &n))
		return -1;
	for (unsigned int i = 0; i < n && i < 64; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[2 * (n < 64 ? n : 64)] = '\0';
	return 0;
}

/* The provider's key, read once per process (NULL: unreadable, logged
 * once). */
static EVP_PKEY *
pubkey(const struct config *c)
{
	static EVP_PKEY *key;
	static int tried;
	FILE *f;

	if (key || tried)
		return key;
	tried = 1;
	if (!*c->paybox_pubkey || !(f = fopen(c->paybox_pubkey, "r"))) {
		log_error("paybox: cannot read PAYBOX_PUBKEY (%s)",
		    *c->paybox_pubkey ? c->paybox_pubkey : "unset");
		return NULL;
	}
	key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!key)
		log_error("paybox: PAYBOX_PUBKEY is not a PEM public key");
	return key;
}

int
paybox_verify(const struct config *c, const char *data, size_t len,
    const char *sig)
{
	EVP_PKEY *key = pubkey(c);
	unsigned char raw[1024];
	char b64[2048];
	size_t b64len = 0, rawlen = 0;
	EVP_MD_CTX *ctx;
	int ok;

	if (!key)
		return -1;
	if (strlen(sig) >= sizeof(b64) || url_decode(b64, sig, strlen(sig),
	    &b64len, 0) < 0)
		return 0;
	if (sodium_base642bin(raw, sizeof(raw), b64, b64len, NULL, &rawlen,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || rawlen == 0)
		return 0;
	if (!(ctx = EVP_MD_CTX_new()))
		abort();	/* out of memory: the worker's policy */
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha1(), NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, raw, rawlen, (const unsigned char *)data,
	    len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

void
paybox_time(char out[26])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 26, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len + size * n > 4096)
		return 0;	/* an answer this long is not ResAbon's */
	buf_append(b, p, size * n);
	return size * n;
}

/* The value of name in an urlencoded answer "A=1&B=2" (in a), or NULL. */
static const char *
answer_field(struct arena *a, const char *s, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = s; p && *p; p = strchr(p, '&'), p = p ? p + 1 :
	    NULL)
		if (!strncmp(p, name, n) && p[n] == '=') {
			const char *end = strchr(p + n + 1, '&');
			size_t len = end ? (size_t)(end - p - n - 1) :
			    strlen(p + n + 1);

			return arena_printf(a, "%.*s", (int)len, p + n + 1);
		}
	return NULL;
}

int
paybox_resabon(const struct config *c, struct arena *a, const char *abo,
    const char *ref, const char **code)
{
	char when[26], mac[129], *fields, *body;
	const char *acq, *text;
	struct buf answer, enc;
	CURL *curl;
	CURLcode rc;
	long status = 0;
	int ret = -1;

	*code = NULL;
	if (!*c->paybox_resabon_url)
		return -1;
	paybox_time(when);
	/* Values as they are (the HMAC is over them unencoded); ours are
	 * digits, a uuid reference and PBX_ suffixes: nothing to encode. */
	fields = arena_printf(a, "VERSION=001&TYPE=001&SITE=%s&MACH=%s"
	    "&IDENTIFIANT=%s&ABONNEMENT=%s&REFERENCE=%s&TIME=%s&HASH=SHA512",
	    c->paybox_site, c->paybox_rang, c->paybox_identifiant, abo, ref,
	    when);
	if (paybox_hmac(c, fields, strlen(fields), mac) < 0)
		return -1;
	/* Form-encoded: TIME's '+' goes as %2B, nothing else needs it. */
	buf_init(&enc, 8192);
	for (const char *p = fields; *p; p++)
		if (*p == '+')
			buf_puts(&enc, "%2B");
		else
			buf_putc(&enc, *p);
	buf_printf(&enc, "&HMAC=%s", mac);
	body = arena_printf(a, "%.*s", (int)enc.len, enc.data);
	buf_release(&enc);
	buf_init(&answer, 8192);
	if (!(curl = curl_easy_init()))
		abort();
	curl_easy_setopt(curl, CURLOPT_URL, c->paybox_resabon_url);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK || status != 200) {
		log_error("paybox: ResAbon failed (%s, HTTP %ld)",
		    curl_easy_strerror(rc), status);
		goto out;
	}
	text = arena_printf(a, "%.*s", (int)answer.len,
	    answer.len ? answer.data : "");
	acq = answer_field(a, text, "ACQ");
	if (acq && !strcmp(acq, "OK"))
		ret = 0;
	else if (acq && !strcmp(acq, "NO")) {
		*code = answer_field(a, text, "ERREUR");
		ret = 1;
	} else
		log_error("paybox: ResAbon answered something else");
out:
	buf_release(&answer);
	return ret;
}
