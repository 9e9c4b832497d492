/*
 * civitas-fcgi: the FastCGI application. main wires the layers together:
 * the route table and the hooks of features and infra go to the worker
 * loop of core (core/req.h, struct worker).
 *
 *   civitas-fcgi              one worker on fd 0 (as spawn-fcgi starts it)
 *   civitas-fcgi serve        master: open LISTEN, prefork WORKERS workers
 *   civitas-fcgi admin EMAIL  create or promote an admin (PASSWORD from env)
 *                             and print its second factor's enrolment link;
 *                             without PASSWORD, an existing admin's new link
 *                             only (issue 13)
 *   civitas-fcgi hash         print the Argon2id hash of PASSWORD
 *   civitas-fcgi media-import FILE ALT
 *                             add an image to the media library, print its id
 *   civitas-fcgi rerender     render every article and page body again from
 *                             its Markdown (after a sanitiser change)
 *   civitas-fcgi routes       print the route table: method, pattern, flags
 *   civitas-fcgi inbound ADDRESS < message
 *                             a bounce report or a mailto unsubscribe sent
 *                             to ADDRESS (exit 0, or 75: try again)
 *   civitas-fcgi degrade on|off|status
 *                             degraded mode, for every host (mode.c)
 *   civitas-fcgi mode-follow  keep DEGRADED_FILE in step with it (the
 *                             master starts one; nginx-only hosts too)
 *   civitas-fcgi mail-token PURPOSE CID RID
 *                             print a campaign recipient's signed token
 *
 * Configuration comes from the environment only (see core/config.h).
 */
#include "core/common.h"
#include "core/log.h"
#include "core/req.h"
#include "features/admin.h"
#include "features/features.h"

#include <locale.h>
#include <malloc.h>

/* Connect early when possible; a service that is down now is retried by
 * the first request that needs it. */
static void
worker_start(struct app *app)
{
	app->db.listen = CONTENT_CHANNEL;
	db_ensure(&app->db);
	kv_ensure(&app->kv);
}

/* A handler that bailed out mid-way leaves no transaction open. */
static void
request_end(struct req *r)
{
	if (r->app->db.in_tx)
		db_rollback(&r->app->db);
}

static int
serve(struct app *app)
{
	const struct worker w = {
		.app = app,
		.cfg = &app->cfg,
		.routes = routes,
		.nroutes = nroutes,
		.start = worker_start,
		.fallback = not_found,
		.csrf_valid = csrf_valid,
		.csrf_refused = csrf_refused,
		.session_load = session_load,
		.login_path = "/login",
		.error_page = render_error,
		.cache_valid = content_cache_valid,
		.cache_arm = content_cache_arm,
		.request_end = request_end,
		.degraded = degraded_now,		/* issue 13 */
		.degraded_refused = degraded_refused,
		.before_handler = replica_choose,	/* issue 13 */
		.degraded_gauge = degraded_gauge,
		.second_factor_path = "/admin/2fa",	/* issue 13 */
	};

	return worker_run(&w);
}

/* The route table, one route a line: "GET /admin/audit admin". */
static int
print_routes(void)
{
	static const char *const flags[] = { "json", "cacheable", "session",
	    "auth", "admin", "upload", "pagecache", "brief", "nocsrf",
	    "public", "always", "donation", "secondfactor" };

	for (size_t i = 0; i < nroutes; i++) {
		printf("%s %s", routes[i].method == HTTP_POST ? "POST" : "GET",
		    routes[i].pattern);
		for (size_t k = 0; k < ARRAY_SIZE(flags); k++)
			if (routes[i].flags & (1 << k))
				printf(" %s", flags[k]);
		putchar('\n');
	}
	return 0;
}

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
#ifdef CIVITAS_CHECKS
	/* The tables' declarations, before anything runs on them. */
	if (resources_check() < 0)
		return 1;
#endif
	if (app_init(&app) < 0)	/* inbound: the MTA keeps the mail */
		return argc > 1 && !strcmp(argv[1], "inbound") ? 75 : 1;
	if (argc == 1)
		rc = serve(&app);
	else if (!strcmp(argv[1], "serve"))
		rc = master_run(&app.cfg);
	else if (!strcmp(argv[1], "admin") && argc == 3)
		rc = cli_admin(&app, argv[2]);
	else if (!strcmp(argv[1], "hash"))
		rc = cli_hash();
	else if (!strcmp(argv[1], "media-import") && argc == 4)
		rc = cli_media_import(&app, argv[2], argv[3]);
	else if (!strcmp(argv[1], "rerender") && argc == 2)
		rc = cli_rerender(&app);
	else if (!strcmp(argv[1], "routes") && argc == 2)
		rc = print_routes();
	else if (!strcmp(argv[1], "inbound") && argc == 3)
		rc = cli_inbound(&app, argv[2]);
	else if (!strcmp(argv[1], "mail-token") && argc == 5)
		rc = cli_mail_token(&app, argv[2], argv[3], argv[4]);
	else if (!strcmp(argv[1], "receipt") && argc == 4)	/* issue 10 */
		rc = cli_receipt(&app, argv[2], argv[3]);
	else if (!strcmp(argv[1], "missions-complete") && argc == 2)
		rc = cli_missions_complete(&app);	/* issue 11 */
	else if (!strcmp(argv[1], "degrade") && argc == 3)	/* issue 13 */
		rc = cli_degrade(&app, argv[2]);
	else if (!strcmp(argv[1], "mode-follow") && argc == 2)
		rc = mode_follow(&app);
	else {
		fprintf(stderr, "usage: civitas-fcgi [serve | admin EMAIL | hash "
		    "| media-import FILE ALT | rerender | routes | inbound ADDRESS "
		    "| mail-token PURPOSE CID RID | receipt YEAR NUMBER "
		    "| missions-complete | degrade on|off|status "
		    "| mode-follow]\n");
		rc = 2;
	}
	app_release(&app);
	return rc;
}
