/*
 * app: the services of a process (configuration, the PostgreSQL and Redis
 * connections, the templates, the asset URLs), built once before the
 * accept loop and handed to every request as r->app.
 *
 * Ownership: struct app is only read after app_init(), except for its
 * connections (which reconnect). Nothing about a user ever lives in it.
 */
#ifndef CIVITAS_APP_H
#define CIVITAS_APP_H

#include "../core/req.h"
#include "crypto.h"
#include "db.h"
#include "kv.h"
#include "view.h"

struct app {
	struct config cfg;
	struct db db;
	struct db replica;	/* DATABASE_REPLICA_URL, unused when "" */
	struct kv kv;
	struct views views;
	char *asset_css;	/* fingerprinted URLs from public/assets.map */
	char *asset_js;
};

/* Configuration, templates and assets; the connections open lazily.
 * 0, or -1 with a log line. */
int app_init(struct app *app);
void app_release(struct app *app);

/* Data access bound to the request: results die with it. Like db_exec(),
 * q() checks its count of parameters against the statement's. */
#define q(r, ...) db_exec(req_db(r), &(r)->arena, __VA_ARGS__)
/* The connection of the request's reads: the replica when the dispatcher
 * chose it for a public read route (features/replica.c), else the
 * primary. Writes always name &r->app->db. */
#define req_db(r) ((r)->replica && !(r)->app->db.in_tx ? \
	&(r)->app->replica : &(r)->app->db)
#define kv(r, ...) kv_cmd(&(r)->app->kv, &(r)->arena, __VA_ARGS__)

#endif
