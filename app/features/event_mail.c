/*
 * event_mail: the zones of events and how pages name them, and every
 * mail about an event (event_pages.h). Mails are queued in the caller's
 * transaction; those about a seat carry the event's calendar.
 */
#include "../core/common.h"
#include "../infra/outbox.h"
#include "event_pages.h"
#include "features.h"

/* France's zones first (overseas places get theirs from the postal
 * code, sql/003: france_time_zone), then a choice for abroad. */
const struct event_zone event_zones[] = {
	{ "Europe/Paris", "Paris" },
	{ "America/Guadeloupe", "la Guadeloupe" },
	{ "America/Martinique", "la Martinique" },
	{ "America/Cayenne", "la Guyane" },
	{ "Indian/Reunion", "La Réunion" },
	{ "Indian/Mayotte", "Mayotte" },
	{ "America/Miquelon", "Saint-Pierre-et-Miquelon" },
	{ "America/St_Barthelemy", "Saint-Barthélemy" },
	{ "America/Marigot", "Saint-Martin" },
	{ "Pacific/Wallis", "Wallis-et-Futuna" },
	{ "Pacific/Tahiti", "Tahiti" },
	{ "Pacific/Noumea", "Nouméa" },
	{ "Europe/London", "Londres" },
	{ "Europe/Dublin", "Dublin" },
	{ "Europe/Lisbon", "Lisbonne" },
	{ "Europe/Madrid", "Madrid" },
	{ "Europe/Brussels", "Bruxelles" },
	{ "Europe/Luxembourg", "Luxembourg" },
	{ "Europe/Amsterdam", "Amsterdam" },
	{ "Europe/Berlin", "Berlin" },
	{ "Europe/Zurich", "Zurich" },
	{ "Europe/Rome", "Rome" },
	{ "Europe/Athens", "Athènes" },
	{ "Africa/Casablanca", "Casablanca" },
	{ "Africa/Algiers", "Alger" },
	{ "Africa/Tunis", "Tunis" },
	{ "Africa/Dakar", "Dakar" },
	{ "Africa/Abidjan", "Abidjan" },
	{ "America/Montreal", "Montréal" },
	{ "America/New_York", "New York" },
	{ "America/Chicago", "Chicago" },
	{ "America/Los_Angeles", "Los Angeles" },
	{ "America/Mexico_City", "Mexico" },
	{ "America/Sao_Paulo", "São Paulo" },
	{ "America/Argentina/Buenos_Aires", "Buenos Aires" },
	{ "Asia/Beirut", "Beyrouth" },
	{ "Asia/Jerusalem", "Jérusalem" },
	{ "Asia/Dubai", "Dubaï" },
	{ "Asia/Kolkata", "l'Inde" },
	{ "Asia/Bangkok", "Bangkok" },
	{ "Asia/Singapore", "Singapour" },
	{ "Asia/Hong_Kong", "Hong Kong" },
	{ "Asia/Shanghai", "Pékin" },
	{ "Asia/Tokyo", "Tokyo" },
	{ "Australia/Sydney", "Sydney" },
	{ "Pacific/Auckland", "Auckland" },
	{ NULL, NULL }
};

const char *
event_zone_note(struct req *r, const char *zone)
{
	if (!strcmp(zone, "Europe/Paris"))
		return "";
	for (const struct event_zone *z = event_zones; z->zone; z++)
		if (!strcmp(z->zone, zone))
			return arena_printf(&r->arena, ", heure de %s (%s)",
			    z->place, zone);
	return arena_printf(&r->arena, ", heure locale (%s)", zone);
}

const char *
event_place(struct req *r, const PGresult *card, int i)
{
	const char *street = db_str(card, i, EC_STREET);
	const char *postal = db_str(card, i, EC_POSTAL_CODE);

	if (*db_str(card, i, EC_ONLINE_URL))
		return "En ligne";
	return arena_printf(&r->arena, "%s%s%s%s%s%s%s", street,
	    *street ? ", " : "", postal, *postal ? " " : "",
	    db_str(card, i, EC_CITY), strcmp(db_str(card, i, EC_COUNTRY),
	    "FR") ? ", " : "", strcmp(db_str(card, i, EC_COUNTRY), "FR") ?
	    db_str(card, i, EC_COUNTRY_NAME) : "");
}

const char *
event_when(struct req *r, const PGresult *card, int i)
{
	const char *d1 = db_str(card, i, EC_START_DATE);
	const char *d2 = db_str(card, i, EC_END_DATE);
	const char *note = event_zone_note(r, db_str(card, i, EC_TIME_ZONE));

	if (!strcmp(d1, d2))
		return arena_printf(&r->arena, "%s, de %s à %s%s", d1,
		    db_str(card, i, EC_START_TIME), db_str(card, i,
		    EC_END_TIME), note);
	return arena_printf(&r->arena, "du %s, %s, au %s, %s%s", d1,
	    db_str(card, i, EC_START_TIME), d2, db_str(card, i, EC_END_TIME),
	    note);
}

static const struct {
	const char *tpl;
	const char *subject;	/* then the event's name */
	const char *method;	/* of the .ics, NULL: none attached */
} mail_kinds[EM__MAX] = {
	[EM_REGISTERED] = { "event_registered", "Inscription confirmée : ",
	    "REQUEST" },
	[EM_WAITING] = { "event_waiting", "Liste d'attente : ", NULL },
	[EM_PROMOTED] = { "event_promoted", "Une place s'est libérée : ",
	    "REQUEST" },
	[EM_UPDATED] = { "event_updated", "Événement modifié : ",
	    "REQUEST" },
	[EM_CANCELLED] = { "event_cancelled", "Événement annulé : ",
	    "CANCEL" },
};

int
event_mail_send(struct req *r, const PGresult *card, enum event_mail kind,
    const PGresult *person, int i, const char *token)
{
	const char *email = db_str(person, i, EP_EMAIL);
	struct mail_extra x = { 0 };
	struct view v;

	view_init(&v, &r->arena, 1);
	view_str(&v, "first_name", db_str(person, i, EP_FIRST_NAME));
	view_str(&v, "name", db_str(card, 0, EC_NAME));
	view_str(&v, "when", event_when(r, card, 0));
	view_str(&v, "place", event_place(r, card, 0));
	view_str(&v, "online_url", db_str(card, 0, EC_ONLINE_URL));
	view_str(&v, "url", arena_printf(&r->arena, "%s/events/%s",
	    r->app->cfg.base_url, db_str(card, 0, EC_SLUG)));
	view_str(&v, "cancel_link", token ? arena_printf(&r->arena,
	    "%s/events/cancel/%s", r->app->cfg.base_url, token) : "");
	view_str(&v, "message", db_str(card, 0, EC_CANCEL_MESSAGE));
	/* A change or a cancellation comes from the host, not from the
	 * person: never to a suppressed address. Their own registration's
	 * mails always go. */
	if (kind == EM_UPDATED || kind == EM_CANCELLED)
		x.category = "host";
	if (mail_kinds[kind].method) {
		x.attachment = event_ics(r, db_str(card, 0, EC_ID),
		    mail_kinds[kind].method, email);
		if (!x.attachment)
			return -1;
		x.attachment_name = "evenement.ics";
		x.attachment_type = arena_printf(&r->arena, "text/calendar; "
		    "charset=UTF-8; method=%s", mail_kinds[kind].method);
	}
	return outbox_add_ex(r, db_long(person, i, EP_USER_ID), email,
	    arena_printf(&r->arena, "%s%s", mail_kinds[kind].subject,
	    db_str(card, 0, EC_NAME)), mail_kinds[kind].tpl, &v, &x);
}

int
event_mail_seat(struct req *r, const PGresult *card, enum event_mail kind,
    const char *registration_id)
{
	char token[TOKEN_LEN + 1], digest[HASH_HEX_LEN + 1];
	PGresult *person;

	token_new(token);
	token_digest(r->cfg->secret, token, digest);
	if (!(person = q(r, STMT_EVENT_REG_TOKEN, registration_id, digest)) ||
	    PQntuples(person) != 1)
		return -1;
	return event_mail_send(r, card, kind, person, 0, token);
}

int
event_mail_promoted(struct req *r, const char *event_id, const PGresult *res,
    int col, int flag_col)
{
	PGresult *card = NULL;

	for (int i = 0; i < PQntuples(res); i++) {
		if (flag_col >= 0 && db_bool(res, i, flag_col))
			continue;
		if (!card && (!(card = q(r, STMT_EVENT_CARD, event_id)) ||
		    PQntuples(card) != 1))
			return -1;
		if (event_mail_seat(r, card, EM_PROMOTED, db_str(res, i,
		    col)) < 0)
			return -1;
	}
	return 0;
}
