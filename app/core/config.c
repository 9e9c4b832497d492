#include "common.h"
#include "config.h"
#include "parse.h"
#include "log.h"
#include "netaddr.h"

#include <sodium.h>

#ifndef CIVITAS_DEFAULT_ROOT
#define CIVITAS_DEFAULT_ROOT "/usr/share/civitas"
#endif

static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static int
hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* donations: Paybox System's shop and keys. */
static int
paybox_load(struct config *c, char *err, size_t errsz)
{
	const char *hex = env_or("PAYBOX_HMAC_KEY", "");
	size_t n = strlen(hex);

	c->paybox_url = env_or("PAYBOX_URL", "");
	c->paybox_resabon_url = env_or("PAYBOX_RESABON_URL", "");
	c->paybox_site = env_or("PAYBOX_SITE", "1999888");
	c->paybox_rang = env_or("PAYBOX_RANG", "32");
	c->paybox_identifiant = env_or("PAYBOX_IDENTIFIANT", "107904482");
	c->paybox_pubkey = env_or("PAYBOX_PUBKEY", "");
	if (n == 0)
		return 0;
	if (n % 2 || n / 2 > sizeof(c->paybox_hmac)) {
		snprintf(err, errsz, "PAYBOX_HMAC_KEY must be at most 128 hex "
		    "digits");
		return -1;
	}
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);

		if (hi < 0 || lo < 0) {
			snprintf(err, errsz, "PAYBOX_HMAC_KEY must be hex");
			return -1;
		}
		c->paybox_hmac[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	c->paybox_hmac_len = n / 2;
	return 0;
}

/* issue 13, many hosts: LISTEN and FCGI_WEB_SERVER_ADDRS must parse, so
 * a typo stops start-up instead of listening elsewhere or letting anyone
 * in. */
static int
net_load(struct config *c, char *err, size_t errsz)
{
	struct listen_addr la;
	struct peer_list *pl = xmalloc(sizeof(*pl));
	int rc;

	c->web_server_addrs = env_or("FCGI_WEB_SERVER_ADDRS", "");
	rc = listen_parse(c->listen, &la, err, errsz) < 0 ||
	    peer_list_parse(c->web_server_addrs, pl, err, errsz) < 0 ? -1 : 0;
	free(pl);
	return rc;
}

int
config_load(struct config *c, char *err, size_t errsz)
{
	const char *secret = getenv("APP_SECRET");
	const char *workers = env_or("WORKERS", "4");
	const char *page_cache = env_or("PAGE_CACHE_MB", "8");
	const char *search_cache = env_or("SEARCH_CACHE_SECONDS", "30");
	const char *db_timeout = env_or("DB_TIMEOUT_MS", "2000");
	long n;
	size_t blen;
	char *base;

	memset(c, 0, sizeof(*c));
	/* issue 13, logs: first, so that the errors below are in the format
	 * asked for. */
	c->log_format = env_or("LOG_FORMAT", "text");
	if (strcmp(c->log_format, "text") && strcmp(c->log_format, "json")) {
		snprintf(err, errsz, "LOG_FORMAT must be text or json");
		return -1;
	}
	log_set_json(!strcmp(c->log_format, "json"));
	c->database_url = env_or("DATABASE_URL", "postgresql:///civitas");
	c->database_replica_url = env_or("DATABASE_REPLICA_URL", "");
	c->redis_url = env_or("REDIS_URL", "redis://127.0.0.1:6379/0");
	c->smtp_url = env_or("SMTP_URL", "smtp://127.0.0.1:25");
	c->listen = env_or("LISTEN", "unix:/run/civitas/fcgi.sock");
	c->root = env_or("CIVITAS_ROOT", CIVITAS_DEFAULT_ROOT);
	c->mail_from = env_or("MAIL_FROM", "civitas <no-reply@civitas.localhost>");
	if (net_load(c, err, errsz) < 0)	/* issue 13 (before any allocation) */
		return -1;
	base = xstrdup(env_or("BASE_URL", "http://127.0.0.1:8080"));
	blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		base[--blen] = '\0';
	c->base_url = base;
	c->secure_cookies = !strncmp(base, "https://", 8);
	c->log_all = !strcmp(env_or("LOG_REQUESTS", ""), "all");
	if (parse_long(workers, 1, 256, &n) < 0) {
		snprintf(err, errsz, "WORKERS must be an integer in 1..256");
		return -1;
	}
	c->workers = (int)n;
	if (parse_long(page_cache, 0, 1024, &n) < 0) {
		snprintf(err, errsz, "PAGE_CACHE_MB must be an integer in 0..1024");
		return -1;
	}
	c->page_cache_mb = (int)n;
	if (parse_long(search_cache, 0, 3600, &n) < 0) {
		snprintf(err, errsz, "SEARCH_CACHE_SECONDS must be an integer in "
		    "0..3600");
		return -1;
	}
	c->search_cache_seconds = (int)n;
	if (parse_long(db_timeout, 100, 600000, &n) < 0) {
		snprintf(err, errsz, "DB_TIMEOUT_MS must be an integer in "
		    "100..600000");
		return -1;
	}
	c->db_timeout_ms = (int)n;
	if (paybox_load(c, err, errsz) < 0)
		return -1;
	/* issue 13: degraded mode */
	c->degraded_file = env_or("DEGRADED_FILE", "/run/civitas/degraded");
	if (!strcmp(env_or("DEGRADED_DONATIONS", "open"), "open"))
		c->degraded_donations = 1;
	else if (strcmp(env_or("DEGRADED_DONATIONS", "open"), "closed")) {
		snprintf(err, errsz, "DEGRADED_DONATIONS must be open or closed");
		return -1;
	}
	if (!secret || strlen(secret) < 32) {
		snprintf(err, errsz,
		    "APP_SECRET must be set to at least 32 random characters");
		return -1;
	}
	if (sodium_init() < 0) {
		snprintf(err, errsz, "libsodium failed to initialise");
		return -1;
	}
	/* Keyed hash so every derived key is independent of the raw text. */
	crypto_generichash(c->secret, sizeof(c->secret),
	    (const unsigned char *)secret, strlen(secret),
	    (const unsigned char *)"civitas-app-secret", 18);
	return 0;
}
