/*
 * newsletter: people without an account subscribe with an address and a
 * postal code, and leave, each time through a link mailed to the address
 * (double opt-in both ways).
 *
 *	GET/POST /newsletter                           the form
 *	GET      /newsletter/sent                      "check your mail"
 *	GET/POST /newsletter/confirm/{token}           the confirmation
 *	GET/POST /newsletter/unsubscribe               ask to leave
 *	GET/POST /newsletter/unsubscribe/{token}       leave
 *
 * The answer never says whether an address is subscribed: the same
 * redirect whatever the address (a confirmed subscriber is mailed that
 * they are, instead of a new link), and the mails anyone can trigger this
 * way share the per-address quota of members.h. Links are random tokens
 * valid 7 days, of which only an HMAC is stored; each is spent by the
 * statement that uses it (app/infra/sql_consent.def), so it works once.
 * A GET changes nothing (mail scanners fetch links): the page has one
 * button that posts.
 */
#include "../core/common.h"
#include "../infra/outbox.h"
#include "features.h"

#define NEWSLETTER_TITLE "La lettre d'information"
#define UNSUBSCRIBE_TITLE "Se désinscrire de la lettre d'information"

static const struct form_field newsletter_fields[] = {
	MEMBER_EMAIL_FIELD("email", "Veuillez renseigner votre adresse "
	    "e-mail."),
	{ "postal_code", F_REQUIRED, .max = 15, .valid = valid_postal_code_fr,
	    .msg = {
	    [VALID_MISSING] = "Veuillez renseigner votre code postal.",
	    [VALID_TOO_LONG] = "Le code postal français comporte 5 chiffres.",
	    [VALID_INVALID] = "Le code postal français comporte 5 "
		"chiffres." } },
	{ NULL }
};

static const struct form_field unsubscribe_fields[] = {
	MEMBER_EMAIL_FIELD("email", "Veuillez renseigner votre adresse "
	    "e-mail."),
	{ NULL }
};

/* GET /newsletter: the form. 200. */
int
newsletter_get(struct req *r)
{
	struct form f;

	form_init(&f, r, newsletter_fields);
	return form_render(&f, 200, "newsletter", NEWSLETTER_TITLE);
}

/* A new link: the token into token, its digest into digest. */
static void
link_new(struct req *r, char token[TOKEN_LEN + 1],
    char digest[HASH_HEX_LEN + 1])
{
	token_new(token);
	token_digest(r->cfg->secret, token, digest);
}

/* Queue the mail of a subscription request (in the open transaction):
 * the confirmation link, or "you are subscribed already". 0 or -1. */
static int
request_mail(struct req *r, const char *email, const char *postal)
{
	char token[TOKEN_LEN + 1], digest[HASH_HEX_LEN + 1];
	PGresult *res;
	struct view v;

	link_new(r, token, digest);
	if (!(res = q(r, STMT_NEWSLETTER_REQUEST, email, postal, digest)) ||
	    PQntuples(res) != 1)
		return -1;
	view_init(&v, &r->arena, 1);
	if (db_bool(res, 0, NL_CONFIRMED)) {
		view_str(&v, "link", arena_printf(&r->arena,
		    "%s/newsletter/unsubscribe", r->cfg->base_url));
		return outbox_add(r, 0, email, "Vous êtes déjà inscrit(e) à "
		    "la lettre d'information", "newsletter_already", &v);
	}
	view_str(&v, "link", arena_printf(&r->arena,
	    "%s/newsletter/confirm/%s", r->cfg->base_url, token));
	return outbox_add(r, 0, email, "Confirmez votre inscription à la "
	    "lettre d'information", "newsletter_confirm", &v);
}

/*
 * POST /newsletter: email, postal_code (5 digits, a French commune's).
 * 303 to /newsletter/sent whatever the address (a link or a "you are
 * subscribed" mail goes within the address's quota); 422 with the form;
 * 503.
 */
int
newsletter_post(struct req *r)
{
	struct db *db = &r->app->db;
	const char *email, *postal;
	struct form f;
	PGresult *res;
	int quota;

	form_init(&f, r, newsletter_fields);
	form_read(&f);
	postal = form_get(&f, "postal_code");
	if (!form_has_error(&f, "postal_code")) {
		if (!(res = q(r, STMT_COMMUNES_BY_POSTAL, postal)))
			return unavailable(r);
		if (PQntuples(res) == 0)
			form_error(&f, "postal_code", "Ce code postal ne "
			    "correspond à aucune commune française.");
	}
	if (f.errors)
		return form_render(&f, 422, "newsletter", NEWSLETTER_TITLE);
	email = form_get(&f, "email");
	if ((quota = mail_quota_take(r, email)) < 0)
		return unavailable(r);
	if (!quota)
		return resp_redirect(r, "/newsletter/sent");
	if (db_begin(db) < 0 || request_mail(r, email, postal) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		return unavailable(r);
	}
	return resp_redirect(r, "/newsletter/sent");
}

int
newsletter_sent_get(struct req *r)
{
	return message_page(r, 200, "Vérifiez votre boîte mail",
	    "Merci ! Si votre demande peut être suivie, vous allez recevoir un "
	    "e-mail : ouvrez le lien qu'il contient pour la confirmer (il est "
	    "valable 7 jours). Rien ne change tant que vous ne l'avez pas "
	    "ouvert.", "/", "Retour à l'accueil");
}

/* ---- links ------------------------------------------------------------ */

enum link_kind { LINK_CONFIRM, LINK_UNSUBSCRIBE };

static const struct {
	const char *kind;	/* STMT_NEWSLETTER_LINK's $2 */
	const char *path;
	const char *title;
	const char *text;
	const char *button;
} links[] = {
	[LINK_CONFIRM] = { "confirm", "/newsletter/confirm/",
	    "Confirmer mon inscription", "Pour recevoir la lettre "
	    "d'information du mouvement à cette adresse, confirmez votre "
	    "inscription.", "Je confirme mon inscription" },
	[LINK_UNSUBSCRIBE] = { "unsubscribe", "/newsletter/unsubscribe/",
	    "Me désinscrire", "Vous ne recevrez plus la lettre d'information "
	    "du mouvement à cette adresse.", "Je me désinscris" },
};

/* The route's {token}: 1 valid, 0 unknown or used, 2 expired, -1. */
static int
link_state(struct req *r, enum link_kind k, char digest[HASH_HEX_LEN + 1])
{
	const char *token = r->params[0];
	PGresult *res;

	if (!token_wellformed(token, strlen(token)))
		return 0;
	token_digest(r->cfg->secret, token, digest);
	if (!(res = q(r, STMT_NEWSLETTER_LINK, digest, links[k].kind)))
		return -1;
	if (PQntuples(res) != 1)
		return 0;
	return db_bool(res, 0, NL_LINK_EXPIRED) ? 2 : 1;
}

/* The page of a link that does not work (rc of link_state). */
static int
link_refused(struct req *r, enum link_kind k, int rc)
{
	if (rc < 0)
		return unavailable(r);
	if (rc == 2)
		return message_page(r, 410, "Lien expiré", "Ce lien a expiré "
		    "(il était valable 7 jours). Faites une nouvelle demande.",
		    k == LINK_CONFIRM ? "/newsletter" :
		    "/newsletter/unsubscribe", "Faire une nouvelle demande");
	return message_page(r, 404, "Lien inconnu ou déjà utilisé",
	    "Ce lien n'est pas valable : il a déjà servi, ou il a été "
	    "remplacé par celui d'un e-mail plus récent.", "/newsletter",
	    "La lettre d'information");
}

/* GET: the page with one button; nothing changes. 200; 404; 410; 503. */
static int
link_get(struct req *r, enum link_kind k)
{
	char digest[HASH_HEX_LEN + 1];
	int rc = link_state(r, k, digest);
	struct view v;

	if (rc != 1)
		return link_refused(r, k, rc);
	view_init(&v, &r->arena, 0);
	view_str(&v, "csrf", csrf_token(r));
	view_str(&v, "action", arena_printf(&r->arena, "%s%s", links[k].path,
	    r->params[0]));
	view_str(&v, "heading", links[k].title);
	view_str(&v, "text", links[k].text);
	view_str(&v, "button", links[k].button);
	r->head_html = "<meta name=\"robots\" content=\"noindex\">\n";
	return render(r, 200, "newsletter_link", &v, links[k].title);
}

/* POST: do it, in one statement that spends the link and writes the
 * ledger row. 200; 404 unknown or used; 410 expired; 503. */
static int
link_post(struct req *r, enum link_kind k)
{
	char digest[HASH_HEX_LEN + 1];
	PGresult *res;
	int rc = link_state(r, k, digest);

	if (rc != 1)
		return link_refused(r, k, rc);
	if (!(res = q(r, k == LINK_CONFIRM ? STMT_NEWSLETTER_CONFIRM :
	    STMT_NEWSLETTER_UNSUBSCRIBE, digest)))
		return unavailable(r);
	if (PQntuples(res) == 0)	/* the same link, at the same time */
		return link_refused(r, k, 0);
	if (k == LINK_CONFIRM)
		return message_page(r, 200, "Inscription confirmée", "Merci ! "
		    "Vous recevrez désormais la lettre d'information du "
		    "mouvement. Chacune contient un lien pour vous "
		    "désinscrire.", "/", "Retour à l'accueil");
	return message_page(r, 200, "Désinscription confirmée", "Vous ne "
	    "recevrez plus la lettre d'information du mouvement.", "/",
	    "Retour à l'accueil");
}

int
newsletter_confirm_get(struct req *r)
{
	return link_get(r, LINK_CONFIRM);
}

int
newsletter_confirm_post(struct req *r)
{
	return link_post(r, LINK_CONFIRM);
}

int
newsletter_leave_get(struct req *r)
{
	return link_get(r, LINK_UNSUBSCRIBE);
}

int
newsletter_leave_post(struct req *r)
{
	return link_post(r, LINK_UNSUBSCRIBE);
}

/* ---- asking to leave ------------------------------------------------- */

int
newsletter_unsubscribe_get(struct req *r)
{
	struct form f;

	form_init(&f, r, unsubscribe_fields);
	return form_render(&f, 200, "newsletter_unsubscribe",
	    UNSUBSCRIBE_TITLE);
}

/*
 * POST /newsletter/unsubscribe: email. A confirmed subscriber gets a
 * link that unsubscribes (within the address's quota); 303 to
 * /newsletter/sent whatever the address; 422; 503.
 */
int
newsletter_unsubscribe_post(struct req *r)
{
	char token[TOKEN_LEN + 1], digest[HASH_HEX_LEN + 1];
	struct db *db = &r->app->db;
	const char *email;
	struct form f;
	PGresult *res;
	struct view v;
	int quota;

	form_init(&f, r, unsubscribe_fields);
	if (form_read(&f))
		return form_render(&f, 422, "newsletter_unsubscribe",
		    UNSUBSCRIBE_TITLE);
	email = form_get(&f, "email");
	if ((quota = mail_quota_take(r, email)) < 0)
		return unavailable(r);
	if (!quota)
		return resp_redirect(r, "/newsletter/sent");
	link_new(r, token, digest);
	if (db_begin(db) < 0 ||
	    !(res = q(r, STMT_NEWSLETTER_UNSUB_REQUEST, email, digest)))
		goto fail;
	if (PQntuples(res) == 1) {
		view_init(&v, &r->arena, 1);
		view_str(&v, "link", arena_printf(&r->arena,
		    "%s/newsletter/unsubscribe/%s", r->cfg->base_url, token));
		if (outbox_add(r, 0, email, "Votre désinscription de la lettre "
		    "d'information", "newsletter_unsubscribe", &v) < 0)
			goto fail;
	}
	if (db_commit(db) < 0)
		goto fail;
	return resp_redirect(r, "/newsletter/sent");
fail:
	db_rollback(db);
	return unavailable(r);
}
