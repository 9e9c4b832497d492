/*
 * mode: degraded mode, one switch for every host (issue 13, README
 * "Degraded mode").
 *
 * - The state of record: the row site_mode (sql/009_mode.sql), changed by
 *   `civitas-fcgi degrade on|off` or at /admin/mode, audited in the same
 *   statement, notified on channel civitas_mode at commit.
 * - On each host, the follower (`civitas-fcgi mode-follow`, a child of
 *   the master; standalone under systemd on a host with nginx and no
 *   workers) keeps the flag file DEGRADED_FILE in step with the row: it
 *   listens on civitas_mode and reads the row every 5 s, and keeps the
 *   file as it is while PostgreSQL is unreachable.
 * - nginx looks at the file on every request (nginx/civitas.conf,
 *   "Degraded mode"): its micro-cache then serves everyone, session cookie
 *   or not, and it tells the workers with the FastCGI parameter
 *   CIVITAS_DEGRADED. A worker is degraded when nginx says so or when the
 *   file of its own host exists (looked at once a second).
 * - A degraded worker (core/server.c, dispatch) serves what nginx can keep
 *   for everyone: the GET routes flagged R_CACHEABLE and the public pages
 *   R_PUBLIC (then as to a visitor, without the session), with
 *   stale-while-revalidate and stale-if-error; the routes R_ALWAYS and the
 *   back-office as usual; the gifts (R_DONATION) when DEGRADED_DONATIONS
 *   is open. Everything else (sign-up, login, every form, every page of a
 *   member) answers the friendly page below: 503 with Retry-After, and
 *   needs neither PostgreSQL nor Redis.
 */
#include "../core/common.h"
#include "../core/log.h"
#include "../core/mode.h"
#include "admin.h"
#include "features.h"

#include <unistd.h>

/* How long the friendly page asks clients to wait (Retry-After). */
#define DEGRADED_RETRY_AFTER "120"

int
degraded_now(struct req *r)
{
	const char *p = req_header(r, "CIVITAS_DEGRADED");

	return (p && !strcmp(p, "1")) ||
	    mode_file_degraded(r->cfg->degraded_file);
}

/* This host's state, for /metrics (civitas_degraded_mode): looked at
 * now (a scrape is rare), not through the requests' one-second memory. */
int
degraded_gauge(const struct app *app)
{
	return mode_file_exists(app->cfg.degraded_file);
}

/* The dispatcher's answer to what degraded mode closes. */
int
degraded_refused(struct req *r)
{
	struct view v;

	resp_header(r, "Retry-After", DEGRADED_RETRY_AFTER);
	if ((r->route && (r->route->flags & R_JSON)) ||
	    !strncmp(r->path ? r->path : "", "/api/", 5))
		return resp_problem(r, 503, "Service momentanément restreint",
		    "Le site reçoit un très grand nombre de visites : cette "
		    "action est suspendue pour quelques minutes. Réessayez "
		    "plus tard.");
	view_init(&v, &r->arena, 0);
	view_int(&v, "donations", r->cfg->degraded_donations);
	return render(r, 503, "degraded", &v,
	    "Le site est très sollicité") == 500 ? 500 : 503;
}

/* The row's state into *on, *at, *by (in a's memory). 0, or -1. */
static int
mode_row(struct db *db, struct arena *a, enum stmt s, const char *on_arg,
    const char *uid, const char *who, PGresult **out)
{
	PGresult *res = s == STMT_MODE_GET ? db_exec(db, a, s) :
	    db_exec(db, a, s, on_arg, uid, who);

	if (!res || PQntuples(res) != 1)
		return -1;
	*out = res;
	return 0;
}

/* GET /admin/mode: the switch. 200; 503. */
int
admin_mode_get(struct req *r)
{
	struct view v;
	PGresult *res;

	if (mode_row(&r->app->db, &r->arena, STMT_MODE_GET, NULL, NULL, NULL,
	    &res) < 0)
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	admin_chrome(r, &v, "/admin/mode");
	view_str(&v, "csrf", csrf_token(r));
	view_int(&v, "degraded", db_bool(res, 0, MODE_DEGRADED));
	view_str(&v, "changed_at", db_str(res, 0, MODE_AT));
	view_str(&v, "changed_by", db_str(res, 0, MODE_BY));
	view_int(&v, "here", mode_file_exists(r->cfg->degraded_file));
	view_int(&v, "donations", r->cfg->degraded_donations);
	return render(r, 200, "admin_mode", &v, "Mode dégradé");
}

/* POST /admin/mode (degraded=on|off): switch, audited. 303; 400; 503. */
int
admin_mode_post(struct req *r)
{
	const char *want = req_form(r, "degraded");
	PGresult *res;
	int on;

	if (!want || (strcmp(want, "on") && strcmp(want, "off")))
		return 400;
	on = !strcmp(want, "on");
	if (mode_row(&r->app->db, &r->arena, STMT_MODE_SET,
	    on ? "true" : "false", r->user->id_str, r->user->email, &res) < 0)
		return unavailable(r);
	/* This host at once; the others within a second or so. */
	if (mode_file_set(r->cfg->degraded_file, on) < 0)
		log_error("degraded mode: cannot write %s: %s",
		    r->cfg->degraded_file, strerror(errno));
	flash_set(r, !db_bool(res, 0, MODE_CHANGED) ? (on ?
	    "Le mode dégradé était déjà activé." :
	    "Le mode dégradé était déjà désactivé.") : on ?
	    "Mode dégradé activé : chaque serveur l'applique en quelques "
	    "secondes." : "Mode dégradé désactivé : le site redevient normal "
	    "en quelques secondes.");
	return resp_redirect(r, "/admin/mode");
}

/* `civitas-fcgi degrade on|off|status`. 0; 1 (PostgreSQL unreachable);
 * 2 usage. */
int
cli_degrade(struct app *app, const char *arg)
{
	const char *file = app->cfg.degraded_file;
	const char *user = getenv("SUDO_USER") ? getenv("SUDO_USER") :
	    getenv("USER");
	char who[128];
	struct arena a;
	PGresult *res;
	int on = -1, rc = 0;

	if (!strcmp(arg, "on"))
		on = 1;
	else if (!strcmp(arg, "off"))
		on = 0;
	else if (strcmp(arg, "status")) {
		fprintf(stderr, "usage: civitas-fcgi degrade on|off|status\n");
		return 2;
	}
	snprintf(who, sizeof(who), "ligne de commande (%s)",
	    user && *user ? user : "?");
	arena_init(&a, 4096);
	if (mode_row(&app->db, &a, on < 0 ? STMT_MODE_GET : STMT_MODE_SET,
	    on ? "true" : "false", NULL, who, &res) < 0) {
		rc = 1;
		if (on >= 0 && mode_file_set(file, on) >= 0)
			fprintf(stderr, "degrade: PostgreSQL is unreachable: only "
			    "this host is switched (%s). Its follower puts the "
			    "database's state back when PostgreSQL returns: run "
			    "this again then.\n", file);
		else
			fprintf(stderr, "degrade: PostgreSQL is unreachable\n");
	} else {
		if (on >= 0 && mode_file_set(file, on) < 0) {
			fprintf(stderr, "degrade: cannot write %s: %s (this "
			    "host's follower will)\n", file, strerror(errno));
		}
		printf("degraded mode: %s%s (since %s, by %s)\n",
		    db_bool(res, 0, MODE_DEGRADED) ? "on" : "off",
		    on >= 0 && !db_bool(res, 0, MODE_CHANGED) ?
		    ", unchanged" : "", db_str(res, 0, MODE_AT),
		    db_str(res, 0, MODE_BY));
	}
	printf("this host: %s (%s %s)\n", mode_file_exists(file) ? "on" :
	    "off", file, mode_file_exists(file) ? "exists" : "absent");
	arena_release(&a);
	return rc;
}

/* `civitas-fcgi mode-follow`: keep DEGRADED_FILE in step with site_mode,
 * until SIGTERM (the default action: the file stays as it is). */
int
mode_follow(struct app *app)
{
	const char *file = app->cfg.degraded_file;
	struct arena a;

	log_set_role("mode-follow");
	if (!file || !*file) {
		log_error("DEGRADED_FILE is empty: nothing to follow");
		return 2;
	}
	app->db.listen = MODE_CHANNEL;
	arena_init(&a, 4096);
	for (;;) {
		PGresult *res;
		int ch;

		if (db_ensure(&app->db) < 0) {
			sleep(1);
			continue;
		}
		if (mode_row(&app->db, &a, STMT_MODE_GET, NULL, NULL, NULL,
		    &res) == 0) {
			int on = db_bool(res, 0, MODE_DEGRADED);

			if ((ch = mode_file_set(file, on)) < 0)
				log_error("cannot write %s: %s", file,
				    strerror(errno));
			else if (ch > 0)
				log_info("degraded mode %s", on ? "on" : "off");
		}
		arena_reset(&a);
		db_wait_notification(&app->db, 5000);
	}
	return 0;
}
