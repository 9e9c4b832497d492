#include "common.h"
#include "config.h"
#include "parse.h"

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

int
config_load(struct config *c, char *err, size_t errsz)
{
	const char *secret = getenv("APP_SECRET");
	const char *workers = env_or("WORKERS", "4");
	const char *page_cache = env_or("PAGE_CACHE_MB", "8");
	const char *db_timeout = env_or("DB_TIMEOUT_MS", "2000");
	long n;
	size_t blen;
	char *base;

	memset(c, 0, sizeof(*c));
	c->database_url = env_or("DATABASE_URL", "postgresql:///civitas");
	c->redis_url = env_or("REDIS_URL", "redis://127.0.0.1:6379/0");
	c->smtp_url = env_or("SMTP_URL", "smtp://127.0.0.1:25");
	c->listen = env_or("LISTEN", "unix:/run/civitas/fcgi.sock");
	c->root = env_or("CIVITAS_ROOT", CIVITAS_DEFAULT_ROOT);
	c->mail_from = env_or("MAIL_FROM", "civitas <no-reply@civitas.localhost>");
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
	if (parse_long(db_timeout, 100, 600000, &n) < 0) {
		snprintf(err, errsz, "DB_TIMEOUT_MS must be an integer in "
		    "100..600000");
		return -1;
	}
	c->db_timeout_ms = (int)n;
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
