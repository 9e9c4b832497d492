/*
 * app: build and release the process's services (app.h).
 */
#include "../core/common.h"
#include "../core/log.h"
#include "app.h"

static char *
read_assets_entry(const char *map, const char *name)
{
	FILE *f = fopen(map, "r");
	char line[512], *found = NULL;
	size_t nlen = strlen(name);

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (!strncmp(line, name, nlen) && line[nlen] == ' ') {
			found = xstrdup(line + nlen + 1);
			break;
		}
	}
	fclose(f);
	return found;
}

int
app_init(struct app *app)
{
	char err[256], path[4096];

	memset(app, 0, sizeof(*app));
	if (config_load(&app->cfg, err, sizeof(err)) < 0) {
		log_error("configuration: %s", err);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/views", app->cfg.root);
	if (views_load(&app->views, path) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/public/assets.map", app->cfg.root);
	app->asset_css = read_assets_entry(path, "app.css");
	app->asset_js = read_assets_entry(path, "app.js");
	if (!app->asset_css || !app->asset_js) {
		log_error("assets: %s lacks app.css or app.js (run make)", path);
		return -1;
	}
	db_init(&app->db, app->cfg.database_url);
	app->db.timeout_ms = app->cfg.db_timeout_ms;
	db_init(&app->replica, app->cfg.database_replica_url);
	app->replica.timeout_ms = app->cfg.db_timeout_ms;
	app->replica.primary = &app->db;
	kv_init(&app->kv, app->cfg.redis_url);
	return 0;
}

void
app_release(struct app *app)
{
	db_release(&app->db);
	db_release(&app->replica);
	kv_release(&app->kv);
	views_release(&app->views);
	free(app->asset_css);
	free(app->asset_js);
	free((char *)app->cfg.base_url);
}
