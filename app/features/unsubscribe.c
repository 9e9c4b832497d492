/*
 * unsubscribe: the link of every campaign mail (List-Unsubscribe), its
 * RFC 8058 one-click POST, and the mailto (cli.c, `inbound`).
 *
 * The token is the proof: mail_token(purpose "unsubscribe", campaign id,
 * recipient id), so no login, no cookie and no CSRF token are needed
 * (R_NOCSRF), and a link works for its recipient only. A GET changes
 * nothing (mail scanners fetch links); the page names the subscription
 * type and nothing about the person.
 */
#include "../core/common.h"
#include "../core/log.h"
#include "features.h"

#define NOINDEX "<meta name=\"robots\" content=\"noindex\">\n"

int
unsubscribe_recipient(struct db *db, struct arena *a, long cid, long rid)
{
	char c[24], id[24];
	PGresult *res;

	snprintf(c, sizeof(c), "%ld", cid);
	snprintf(id, sizeof(id), "%ld", rid);
	if (!(res = db_exec(db, a, STMT_UNSUBSCRIBE, c, id)))
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	if (db_long(res, 0, VALUE) > 0)
		log_info("unsubscribe: campaign %ld recipient %ld", cid, rid);
	return 1;
}

static int
link_invalid(struct req *r)
{
	r->head_html = NOINDEX;
	return message_page(r, 404, "Lien de désabonnement invalide",
	    "Ce lien de désabonnement n'est pas valable : il a peut-être été "
	    "coupé ou mal copié. Utilisez le lien complet de l'e-mail reçu.",
	    "/", "Retour à l'accueil");
}

/* The recipient of the route's token: 1 and its row in *res, 0 for a
 * bad token or an unknown recipient, -1 when PostgreSQL failed. */
static int
recipient_of(struct req *r, long *cid, long *rid, PGresult **res)
{
	char c[24], id[24];

	if (mail_token_parse(r->cfg->secret, "unsubscribe", r->params[0], cid,
	    rid) < 0)
		return 0;
	snprintf(c, sizeof(c), "%ld", *cid);
	snprintf(id, sizeof(id), "%ld", *rid);
	if (!(*res = q(r, STMT_BOUNCE_RECIPIENT, c, id)))
		return -1;
	return PQntuples(*res) > 0;
}

/*
 * GET /unsubscribe/{token}: what the link stops (the campaign's
 * subscription type) and one button. 200; 404 bad token or unknown
 * recipient; 503.
 */
int
unsubscribe_get(struct req *r)
{
	PGresult *res;
	long cid, rid;
	struct view v;
	int rc = recipient_of(r, &cid, &rid, &res);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0)
		return link_invalid(r);
	view_init(&v, &r->arena, 0);
	view_str(&v, "token", r->params[0]);
	view_str(&v, "label", db_str(res, 0, BR_TYPE_LABEL));
	r->head_html = NOINDEX;
	return render(r, 200, "unsubscribe", &v, "Se désabonner");
}

/*
 * POST /unsubscribe/{token}: unsubscribe (idempotent; one ledger row
 * the first time). The page's button, or the one-click POST of a mailbox
 * provider (body List-Unsubscribe=One-Click, no cookie): the same 200
 * page, never a redirection. 404 bad token or unknown recipient; 503.
 */
int
unsubscribe_post(struct req *r)
{
	PGresult *res;
	long cid, rid;
	int rc = recipient_of(r, &cid, &rid, &res);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0)
		return link_invalid(r);
	if ((rc = unsubscribe_recipient(&r->app->db, &r->arena, cid, rid)) < 0)
		return unavailable(r);
	if (rc == 0)
		return link_invalid(r);
	r->head_html = NOINDEX;
	return message_page(r, 200, "Désabonnement enregistré",
	    arena_printf(&r->arena, "Vous ne recevrez plus les e-mails « %s ».",
	    db_str(res, 0, BR_TYPE_LABEL)), "/", "Retour à l'accueil");
}
