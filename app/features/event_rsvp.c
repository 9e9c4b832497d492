/*
 * event_rsvp: registering to an event, and the single-use link that
 * cancels a registration without logging in.
 *
 * Capacity and the waiting list are PostgreSQL's (sql/003:
 * event_register, event_unregister, under the event's row lock): C
 * never counts seats. One address is one registration: registering it
 * again updates the names and keeps the place. Every registration mail
 * carries a fresh cancel link (only its HMAC is stored, like the tokens
 * of sign-up) and, for a seat, the event's calendar. The link's GET only
 * shows a button (mail scanners follow links); its POST cancels, and the
 * first waiting person gets the seat and a mail, in the same
 * transaction.
 */
#include "../core/common.h"
#include "event_pages.h"
#include "features.h"

static const struct form_field guest_fields[] = {
	MEMBER_NAME_FIELD("first_name", "prénom"),
	MEMBER_NAME_FIELD("last_name", "nom"),
	MEMBER_EMAIL_FIELD("email", "Veuillez renseigner votre adresse "
	    "e-mail."),
	{ "postal_code", F_REQUIRED, .max = 15, .msg = {
	    [VALID_MISSING] = "Veuillez renseigner votre code postal.",
	    [VALID_TOO_LONG] = "Le code postal doit contenir moins de 15 "
		"caractères." } },
	{ "news_optin", F_CHECKBOX },
	{ NULL }
};

/* The event of the route for registration: 1 found (*card), 0 404
 * answered, -1 (503). */
static int
rsvp_event(struct req *r, PGresult **card)
{
	if (!(*card = q(r, STMT_EVENT_PAGE, r->params[0])))
		return -1;
	return PQntuples(*card) == 1;
}

/* Registration is closed: cancelled or finished. */
static int
rsvp_closed(struct req *r, const PGresult *card)
{
	return message_page(r, 409, "Inscriptions closes",
	    !strcmp(db_str(card, 0, EC_STATUS), "cancelled") ?
	    "Cet événement est annulé : il ne prend plus d'inscription." :
	    "Cet événement est terminé : il ne prend plus d'inscription.",
	    arena_printf(&r->arena, "/events/%s", db_str(card, 0, EC_SLUG)),
	    "Voir l'événement");
}

static int
open_for_rsvp(const PGresult *card)
{
	return !strcmp(db_str(card, 0, EC_STATUS), "scheduled") &&
	    !db_bool(card, 0, EC_PAST);
}

static int
rsvp_page(struct form *f, const PGresult *card, int status)
{
	struct req *r = f->r;
	const char *cap = db_str(card, 0, EC_CAPACITY);

	view_str(&f->v, "slug", db_str(card, 0, EC_SLUG));
	view_str(&f->v, "name", db_str(card, 0, EC_NAME));
	view_str(&f->v, "when", event_when(r, card, 0));
	view_str(&f->v, "place", event_place(r, card, 0));
	view_int(&f->v, "full", *cap && db_long(card, 0, EC_REGISTERED) >=
	    strtol(cap, NULL, 10));
	view_int(&f->v, "member", r->user != NULL);
	view_str(&f->v, "member_name", r->user ? arena_printf(&r->arena,
	    "%s %s", r->user->first_name, r->user->last_name) : "");
	return form_render(f, status, "event_rsvp", arena_printf(&r->arena,
	    "S'inscrire : %s", db_str(card, 0, EC_NAME)));
}

/*
 * GET /events/{slug}/rsvp: the registration form (a guest's fields, or
 * one button for a member). 200; 404; 409 for a cancelled or finished
 * event; 503.
 */
int
event_rsvp_get(struct req *r)
{
	PGresult *card;
	struct form f;
	int rc = rsvp_event(r, &card);

	if (rc <= 0)
		return rc < 0 ? unavailable(r) : not_found(r);
	if (!open_for_rsvp(card))
		return rsvp_closed(r, card);
	form_init(&f, r, guest_fields);
	return rsvp_page(&f, card, 200);
}

/* The answer to a registration: what the person now holds. */
static int
rsvp_done(struct req *r, const PGresult *card, const char *status,
    int again)
{
	const char *url = arena_printf(&r->arena, "/events/%s",
	    db_str(card, 0, EC_SLUG));

	if (!strcmp(status, "waiting"))
		return message_page(r, 200, "Vous êtes sur la liste d'attente",
		    again ? "Vous étiez déjà sur la liste d'attente de cet "
		    "événement : vous gardez votre place dans la file." :
		    "L'événement est complet : vous êtes sur la liste "
		    "d'attente. Dès qu'une place se libère, vous êtes inscrit(e) "
		    "automatiquement et prévenu(e) par e-mail.", url,
		    "Retour à l'événement");
	return message_page(r, 200, "Inscription confirmée", again ?
	    "Vous étiez déjà inscrit(e) à cet événement : votre inscription "
	    "est mise à jour." : "Vous êtes inscrit(e). Un e-mail de "
	    "confirmation vous attend, avec l'événement à ajouter à votre "
	    "agenda et un lien pour annuler si besoin.", url,
	    "Retour à l'événement");
}

/*
 * POST /events/{slug}/rsvp: a member in one click (their profile), a
 * guest with guest_fields. 200 registered, or on the waiting list when
 * full (the answer says which; a mail with the cancel link, and the
 * calendar for a seat); the same address again updates the
 * registration (mailed again within the address's mail quota). 422 with
 * the form as typed; 404; 409 cancelled or finished; 503.
 */
int
event_rsvp_post(struct req *r)
{
	PGresult *card, *res;
	struct form f;
	const char *email, *first, *last, *postal, *optin, *status;
	int rc = rsvp_event(r, &card), again, quota = 1;

	if (rc <= 0)
		return rc < 0 ? unavailable(r) : not_found(r);
	if (!open_for_rsvp(card))
		return rsvp_closed(r, card);
	form_init(&f, r, guest_fields);
	if (r->user) {
		email = r->user->email;
		first = r->user->first_name;
		last = r->user->last_name;
		postal = r->user->postal_code ? r->user->postal_code : "";
		optin = "false";
	} else {
		if (form_read(&f))
			return rsvp_page(&f, card, 422);
		email = form_get(&f, "email");
		first = form_get(&f, "first_name");
		last = form_get(&f, "last_name");
		postal = form_get(&f, "postal_code");
		optin = *form_get(&f, "news_optin") ? "true" : "false";
	}
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_EVENT_REGISTER,
	    db_str(card, 0, EC_ID), r->user ? r->user->id_str : "0", email,
	    first, last, postal, optin, NULL)))
		goto fail;
	if (PQntuples(res) != 1) {	/* closed meanwhile */
		db_rollback(&r->app->db);
		return rsvp_closed(r, card);
	}
	status = db_str(res, 0, ER_STATUS);
	again = db_bool(res, 0, ER_WAS_ACTIVE);
	/* Anyone can type an address: a mail again only within its quota. */
	if (again && (quota = mail_quota_take(r, email)) < 0)
		goto fail;
	if (quota && event_mail_seat(r, card, strcmp(status, "waiting") ?
	    EM_REGISTERED : EM_WAITING, db_str(res, 0, ER_ID)) < 0)
		goto fail;
	if (db_commit(&r->app->db) < 0)
		goto fail;
	return rsvp_done(r, card, status, again);
fail:
	db_rollback(&r->app->db);
	return unavailable(r);
}

/* The registration of the route's cancel link ({token}): 1 (*res), 0
 * unknown or used, -1 (503). */
static int
link_find(struct req *r, PGresult **res)
{
	const char *token = r->params[0];
	char digest[HASH_HEX_LEN + 1];

	if (!token_wellformed(token, strlen(token)))
		return 0;
	token_digest(r->cfg->secret, token, digest);
	if (!(*res = q(r, STMT_EVENT_REG_BY_TOKEN, digest)))
		return -1;
	return PQntuples(*res) == 1;
}

static int
link_unknown(struct req *r)
{
	return message_page(r, 404, "Lien inconnu ou déjà utilisé",
	    "Ce lien d'annulation n'est pas valable : il a déjà servi (votre "
	    "inscription est alors déjà annulée) ou il a été remplacé par "
	    "celui d'un e-mail plus récent.", "/events",
	    "Voir les événements");
}

/*
 * GET /events/cancel/{token}: the registration the link cancels, and
 * one button (nothing changes on a GET: mail scanners fetch links).
 * 200; 404 unknown or used link; 503.
 */
int
event_unregister_get(struct req *r)
{
	PGresult *res;
	struct view v;
	int rc = link_find(r, &res);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0)
		return link_unknown(r);
	view_init(&v, &r->arena, 0);
	view_str(&v, "csrf", csrf_token(r));
	view_str(&v, "token", r->params[0]);
	view_str(&v, "name", db_str(res, 0, ELK_EVENT_NAME));
	view_str(&v, "slug", db_str(res, 0, ELK_EVENT_SLUG));
	view_str(&v, "first_name", db_str(res, 0, ELK_FIRST_NAME));
	view_int(&v, "waiting", !strcmp(db_str(res, 0, ELK_STATUS),
	    "waiting"));
	r->head_html = "<meta name=\"robots\" content=\"noindex\">\n";
	return render(r, 200, "event_unregister", &v, "Annuler mon "
	    "inscription");
}

/*
 * POST /events/cancel/{token}: cancel the registration (the link then
 * stops working) and give the seat to the first waiting person, mailed
 * with the calendar. 200; 404 unknown or already used; 503.
 */
int
event_unregister_post(struct req *r)
{
	PGresult *res, *done;
	int rc;

	if (db_begin(&r->app->db) < 0 || (rc = link_find(r, &res)) < 0)
		goto fail;
	if (rc == 0) {
		db_rollback(&r->app->db);
		return link_unknown(r);
	}
	if (!(done = q(r, STMT_EVENT_UNREGISTER, db_str(res, 0, ELK_ID))))
		goto fail;
	if (PQntuples(done) == 0) {	/* the same link, at the same time */
		db_rollback(&r->app->db);
		return link_unknown(r);
	}
	if (event_mail_promoted(r, db_str(res, 0, ELK_EVENT_ID), done, EU_ID,
	    EU_CANCELLED) < 0 || db_commit(&r->app->db) < 0)
		goto fail;
	return message_page(r, 200, "Inscription annulée",
	    arena_printf(&r->arena, "Votre inscription à « %s » est annulée. "
	    "Merci de nous avoir prévenus : votre place revient à la "
	    "personne suivante.", db_str(res, 0, ELK_EVENT_NAME)),
	    arena_printf(&r->arena, "/events/%s", db_str(res, 0,
	    ELK_EVENT_SLUG)), "Retour à l'événement");
fail:
	db_rollback(&r->app->db);
	return unavailable(r);
}
