/*
 * config: everything a process needs to know, from the environment only.
 * Loaded once before the accept loop; read-only afterwards.
 */
#ifndef CIVITAS_CONFIG_H
#define CIVITAS_CONFIG_H

#include <stddef.h>

struct config {
	const char *database_url;	/* DATABASE_URL (libpq URI) */
	/* DATABASE_REPLICA_URL: a streaming replica for the public read
	 * routes (issue 13, features/replica.c); "" none */
	const char *database_replica_url;
	const char *redis_url;		/* REDIS_URL: redis://h:p/db or unix:///path */
	const char *smtp_url;		/* SMTP_URL: smtp://host:port */
	const char *base_url;		/* BASE_URL, no trailing slash */
	const char *listen;		/* LISTEN: unix:/path, /path or host:port */
	const char *root;		/* CIVITAS_ROOT: holds views/ and public/ */
	const char *mail_from;		/* MAIL_FROM */
	int workers;			/* WORKERS */
	int page_cache_mb;		/* PAGE_CACHE_MB per worker, 0: off */
	int search_cache_seconds;	/* SEARCH_CACHE_SECONDS, 0: off */
	int db_timeout_ms;		/* DB_TIMEOUT_MS: PostgreSQL waits (db.h) */
	int secure_cookies;		/* BASE_URL is https */
	int log_all;			/* LOG_REQUESTS=all */
	unsigned char secret[32];	/* derived from APP_SECRET */
	/* donations: Paybox System (README, "Donations"); the gifts'
	 * payment answers 503 while PAYBOX_URL or the HMAC key is unset. */
	const char *paybox_url;		/* PAYBOX_URL: the payment page */
	const char *paybox_resabon_url;	/* PAYBOX_RESABON_URL */
	const char *paybox_site;	/* PAYBOX_SITE */
	const char *paybox_rang;	/* PAYBOX_RANG */
	const char *paybox_identifiant;	/* PAYBOX_IDENTIFIANT */
	const char *paybox_pubkey;	/* PAYBOX_PUBKEY: PEM file path */
	unsigned char paybox_hmac[64];	/* PAYBOX_HMAC_KEY, hex-decoded */
	size_t paybox_hmac_len;		/* 0: unset */
	/* degraded mode (issue 13, README "Degraded mode") */
	const char *degraded_file;	/* DEGRADED_FILE: exists = degraded */
	int degraded_donations;		/* DEGRADED_DONATIONS=open (default)
					 * keeps the gifts open, closed not */
	/* issue 13, logs */
	const char *log_format;		/* LOG_FORMAT: "text" or "json" */
	/* issue 13, many hosts: the web servers that may connect to a TCP
	 * LISTEN (netaddr.h); checked at load, parsed again by each worker. */
	const char *web_server_addrs;	/* FCGI_WEB_SERVER_ADDRS, "" = any */
};

/* 0 on success; else -1 with a message in err. */
int config_load(struct config *c, char *err, size_t errsz);

#endif
