/*
 * civitas-fcgi: the FastCGI application.
 *
 *   civitas-fcgi              one worker on fd 0 (as spawn-fcgi starts it)
 *   civitas-fcgi serve        master: open LISTEN, prefork WORKERS workers
 *   civitas-fcgi admin EMAIL  create or promote an admin (PASSWORD from env)
 *   civitas-fcgi hash         print the Argon2id hash of PASSWORD
 *   civitas-fcgi media-import FILE ALT
 *                             add an image to the media library, print its id
 *   civitas-fcgi rerender     render every article and page body again from
 *                             its Markdown (after a sanitiser change)
 *
 * Configuration comes from the environment only (see config.h).
 */
#include "common.h"
#include "app.h"
#include "log.h"

#include <locale.h>
#include <malloc.h>

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
	app->route_patterns = xcalloc(nroutes, sizeof(*app->route_patterns));
	app->route_methods = xcalloc(nroutes, sizeof(*app->route_methods));
	for (size_t i = 0; i < nroutes; i++) {
		app->route_patterns[i] = routes[i].pattern;
		app->route_methods[i] = routes[i].method;
	}
	db_init(&app->db, app->cfg.database_url);
	app->db.timeout_ms = app->cfg.db_timeout_ms;
	kv_init(&app->kv, app->cfg.redis_url);
	return 0;
}

void
app_release(struct app *app)
{
	db_release(&app->db);
	kv_release(&app->kv);
	views_release(&app->views);
	for (size_t i = 0; i < app->ncountries; i++)
		free(app->countries[i].name);
	free(app->countries);
	free(app->country_options);
	free(app->route_patterns);
	free(app->route_methods);
	free(app->asset_css);
	free(app->asset_js);
	free((char *)app->cfg.base_url);
}

int cli_admin(struct app *app, const char *email);
int cli_hash(void);
int cli_media_import(struct app *app, const char *path, const char *alt);
int cli_rerender(struct app *app);

int
main(int argc, char **argv)
{
	struct app app;
	int rc;

	setlocale(LC_CTYPE, "C.UTF-8");
	/* Big buffers (Argon2id's 19 MiB) always go back to the kernel. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/* Two malloc arenas whatever the threads (libvips starts some for
	 * image work): fewer half-empty arenas held by each worker. */
	mallopt(M_ARENA_MAX, 2);
	log_set_role(argc > 1 ? argv[1] : "worker");
	if (app_init(&app) < 0)
		return 1;
	if (argc == 1)
		rc = worker_run(&app);
	else if (!strcmp(argv[1], "serve"))
		rc = master_run(&app);
	else if (!strcmp(argv[1], "admin") && argc == 3)
		rc = cli_admin(&app, argv[2]);
	else if (!strcmp(argv[1], "hash"))
		rc = cli_hash();
	else if (!strcmp(argv[1], "media-import") && argc == 4)
		rc = cli_media_import(&app, argv[2], argv[3]);
	else if (!strcmp(argv[1], "rerender") && argc == 2)
		rc = cli_rerender(&app);
	else {
		fprintf(stderr, "usage: civitas-fcgi [serve | admin EMAIL | hash "
		    "| media-import FILE ALT | rerender]\n");
		rc = 2;
	}
	app_release(&app);
	return rc;
}
