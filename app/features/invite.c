/*
 * invite: /invite, a member or a visitor invites up to INVITE_PEOPLE
 * people to join (issue 10). The rules are those of event invitations
 * (invitations.h): one mail per address in 24 hours whoever invites it,
 * only a keyed hash of the address kept, a daily quota per inviter (a
 * member, or a visitor's client address); and here, at most
 * INVITE_SENDS_PER_HOUR sends per session (a member's session, or a
 * visitor's csrf cookie) per hour, counted in Redis (kv_count).
 *
 * Each mail is category "invitation" (the outbox trigger drops it for a
 * suppressed address) and carries its address's opt-out link (optout.h).
 * A send is recorded in invite_sends (who, how many mailed and skipped,
 * when; no address). The answer says how many were mailed and how many
 * skipped, never which.
 */
#include "../core/common.h"
#include "invitations.h"
#include "manage.h"
#include "optout.h"

#define INVITE_PEOPLE 5
#define INVITE_SENDS_PER_HOUR 5
#define INVITE_MESSAGE_MAX 500

#define PERSON(n) \
	{ "first_name_" #n, 0, .max = 50, .valid = valid_person_name, \
	    .msg = { [VALID_TOO_LONG] = "Le prénom doit comporter au plus " \
		"50 caractères.", \
		[VALID_TOO_SHORT] = "Le prénom doit comporter au moins 2 " \
		"lettres.", \
		[VALID_INVALID] = "Ce prénom n'est pas valide.", \
		[VALID_BAD_CHARS] = "Ce prénom n'est pas valide." } }, \
	{ "email_" #n, 0, .max = 255, .valid = valid_email, .msg = { \
	    [VALID_TOO_LONG] = "Cette adresse e-mail n'est pas valide.", \
	    [VALID_INVALID] = "Cette adresse e-mail n'est pas valide.", \
	    [VALID_BAD_CHARS] = "Cette adresse e-mail n'est pas valide." } }

#define MESSAGE_FIELD \
	{ "message", F_MULTILINE, 0, INVITE_MESSAGE_MAX, .msg = { \
	    [VALID_TOO_LONG] = "Le message doit comporter au plus 500 " \
		"caractères." } }

/* A member's form: the inviter is the member. */
static const struct form_field member_fields[] = {
	PERSON(1), PERSON(2), PERSON(3), PERSON(4), PERSON(5),
	MESSAGE_FIELD,
	{ NULL }
};

/* A visitor's form: the inviter gives a name. */
static const struct form_field visitor_fields[] = {
	PERSON(1), PERSON(2), PERSON(3), PERSON(4), PERSON(5),
	MESSAGE_FIELD,
	{ "inviter_name", F_REQUIRED, 2, 100, .msg = {
	    [VALID_MISSING] = "Indiquez votre nom : il figure dans "
		"l'invitation.",
	    [VALID_TOO_SHORT] = "Votre nom doit comporter au moins 2 "
		"caractères.",
	    [VALID_TOO_LONG] = "Votre nom doit comporter au plus 100 "
		"caractères.",
	    [VALID_BAD_CHARS] = "Votre nom n'est pas valide." } },
	{ NULL }
};

/* The people of a valid form, and the send's other values. */
struct invite_send {
	const char *first[INVITE_PEOPLE];	/* by address below */
	const char *email[INVITE_PEOPLE];
	size_t n;
};

static const char *
field_name(struct req *r, const char *what, int i)
{
	return arena_printf(&r->arena, "%s_%d", what, i + 1);
}

/* The message of field name of f, "" when fine. */
static const char *
field_error(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->fields[i]->name, name))
			return f->err[i] ? f->err[i] : "";
	return "";
}

/* The page of form f at status. */
static int
invite_page(struct form *f, int status)
{
	struct req *r = f->r;
	struct view_rows rows;

	view_rows_init(&rows, &f->v);
	for (int i = 0; i < INVITE_PEOPLE; i++) {
		const char *fn = field_name(r, "first_name", i);
		const char *em = field_name(r, "email", i);

		view_rows_add(&rows, 5, arena_printf(&r->arena, "%d", i + 1),
		    form_get(f, fn), form_get(f, em),
		    field_error(f, fn), field_error(f, em));
	}
	view_rows_set(&f->v, "people", &rows);
	view_int(&f->v, "max", INVITE_PEOPLE);
	view_int(&f->v, "member", r->user != NULL);
	view_int(&f->v, "message_max", INVITE_MESSAGE_MAX);
	return form_render(f, status, "invite", "Inviter des amis");
}

static void
invite_form(struct form *f, struct req *r)
{
	form_init(f, r, r->user ? member_fields : visitor_fields);
}

/*
 * GET /invite: the form (anyone; a member signs with their name, a
 * visitor types one). 200; 503.
 */
int
invite_get(struct req *r)
{
	struct form f;
	const char *flash = flash_take(r);

	invite_form(&f, r);
	view_str(&f.v, "notice", flash ? flash : "");
	return invite_page(&f, 200);
}

/* A posted person beyond the form's INVITE_PEOPLE (a forged form): any
 * field email_N or first_name_N with N > INVITE_PEOPLE, not empty. */
static int
too_many_people(const struct req *r)
{
	for (size_t i = 0; i < r->form.n; i++) {
		const char *name = r->form.v[i].name, *num;
		long n;

		if (!strncmp(name, "email_", 6))
			num = name + 6;
		else if (!strncmp(name, "first_name_", 11))
			num = name + 11;
		else
			continue;
		if (parse_long(num, 1, LONG_MAX, &n) == 0 &&
		    n > INVITE_PEOPLE && r->form.v[i].value[0])
			return 1;
	}
	return 0;
}

/* The people of f into s, each row complete and each address once;
 * marks the wrong fields. */
static void
invite_people(struct form *f, struct invite_send *s)
{
	struct req *r = f->r;

	s->n = 0;
	for (int i = 0; i < INVITE_PEOPLE; i++) {
		const char *fn = field_name(r, "first_name", i);
		const char *em = field_name(r, "email", i);
		const char *first = form_get(f, fn), *email = form_get(f, em);

		if (form_has_error(f, fn) || form_has_error(f, em))
			continue;
		if (!*first && !*email)
			continue;
		if (!*first) {
			form_error(f, fn, "Indiquez le prénom de cette "
			    "personne.");
			continue;
		}
		if (!*email) {
			form_error(f, em, "Indiquez l'adresse e-mail de cette "
			    "personne.");
			continue;
		}
		for (size_t j = 0; j < s->n; j++)
			if (!strcmp(s->email[j], email)) {
				form_error(f, em, "Cette adresse figure déjà "
				    "plus haut.");
				break;
			}
		if (form_has_error(f, em))
			continue;
		s->first[s->n] = first;
		s->email[s->n++] = email;
	}
	if (s->n == 0 && !f->errors)
		form_error(f, "email_1", "Indiquez au moins une personne à "
		    "inviter : son prénom et son adresse e-mail.");
}

/* The opt-out link and the first name of each mail. */
static int
invite_per_address(struct req *r, struct view *mail, const char *address,
    const void *arg)
{
	const struct invite_send *s = arg;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->email[i], address))
			view_str(mail, "first_name", s->first[i]);
	view_str(mail, "optout", optout_url(r, address));
	return 0;
}

static int
invite_finish(struct req *r, int sent, int skipped, const void *arg)
{
	(void)arg;
	return q(r, STMT_INVITE_SEND_INSERT, r->user ? r->user->id_str : NULL,
	    arena_printf(&r->arena, "%d", sent),
	    arena_printf(&r->arena, "%d", skipped)) ? 0 : -1;
}

/* Count this send in the session's hour: 1 allowed, 0 over the limit, -1
 * Redis unavailable. A member's session, else the visitor's csrf cookie
 * (which the CSRF check made sure is there), keyed-hashed. */
static int
invite_session_take(struct req *r)
{
	const char *key;
	long n;

	if (r->sid && r->sid[0])
		key = arena_printf(&r->arena, "invite:s:%s", r->sid);
	else {
		unsigned char mac[32];
		char hex[2 * 16 + 1];
		const char *c = req_cookie(r, "csrf");

		hmac_raw(r->cfg->secret, "invite-session", c ? c : "", mac);
		sodium_bin2hex(hex, sizeof(hex), mac, 16);
		key = arena_printf(&r->arena, "invite:v:%s", hex);
	}
	if ((n = kv_count(&r->app->kv, &r->arena, key, 3600)) < 0)
		return -1;
	return n <= INVITE_SENDS_PER_HOUR;
}

/* The mail's values common to every address. */
static void
invite_mail(struct form *f, struct view *v, const char *inviter)
{
	struct req *r = f->r;

	view_init(v, &r->arena, 1);
	view_str(v, "inviter", inviter);
	view_str(v, "message", form_get(f, "message"));
	view_int(v, "has_message", *form_get(f, "message") != '\0');
	view_str(v, "link", arena_printf(&r->arena, "%s/signup",
	    r->app->cfg.base_url));
	view_str(v, "first_name", "");
	view_str(v, "optout", "");
}

/*
 * POST /invite: first_name_N and email_N (N = 1..5; a row may stay
 * empty), message (500 characters at most), inviter_name (visitors
 * only). Mails each address nobody invited in the last 24 hours
 * (invitations.h). A member: 303 back to the form with a notice; a
 * visitor (no session for a notice): 200, the form and the notice. The
 * notice says how many were mailed and skipped. 422 (a wrong field, a
 * person beyond the fifth); 429 (more than 5 sends in an hour from this
 * session, or the day's quota); 503.
 */
int
invite_post(struct req *r)
{
	struct invitation inv = { 0 };
	struct invite_send s = { 0 };
	const char *inviter, *notice;
	int sent, skipped, rc;
	struct view mail;
	struct form f;

	invite_form(&f, r);
	form_read(&f);
	if (too_many_people(r)) {
		view_str(&f.v, "banner", arena_printf(&r->arena, "Vous pouvez "
		    "inviter au plus %d personnes à la fois.", INVITE_PEOPLE));
		return invite_page(&f, 422);
	}
	invite_people(&f, &s);
	if (f.errors)
		return invite_page(&f, 422);
	if ((rc = invite_session_take(r)) < 0) {
		view_str(&f.v, "banner", "Le service est momentanément "
		    "indisponible : aucune invitation n'a été envoyée.");
		unavailable(r);
		return invite_page(&f, 503);
	}
	if (rc == 0) {
		view_str(&f.v, "banner", arena_printf(&r->arena, "Vous avez "
		    "déjà envoyé %d invitations dans l'heure : réessayez plus "
		    "tard.", INVITE_SENDS_PER_HOUR));
		return invite_page(&f, 429);
	}
	inviter = r->user ? manage_short_name(r, r->user->first_name,
	    r->user->last_name) : form_get(&f, "inviter_name");
	invite_mail(&f, &mail, inviter);
	inv.addresses = s.email;
	inv.n = s.n;
	inv.subject = arena_printf(&r->arena, "%s vous invite à rejoindre "
	    "civitas", inviter);
	inv.tpl = "invite";
	inv.mail = &mail;
	inv.arg = &s;
	inv.quota_subject = r->user ? 0 : invitation_visitor(r);
	inv.per_address = invite_per_address;
	inv.finish = invite_finish;
	switch (invitations_send(r, &inv, &sent, &skipped)) {
	case INVITE_OK:
		break;
	case INVITE_OVER_QUOTA:
		view_str(&f.v, "banner", arena_printf(&r->arena, "Vous ne "
		    "pouvez pas envoyer plus de %d invitations par jour : "
		    "réessayez demain.", INVITE_PER_DAY));
		return invite_page(&f, 429);
	default:
		view_str(&f.v, "banner", "Le service est momentanément "
		    "indisponible : aucune invitation n'a été envoyée.");
		unavailable(r);
		return invite_page(&f, 503);
	}
	notice = skipped ? arena_printf(&r->arena, "Invitations envoyées : "
	    "%d. Non envoyées : %d (ces personnes ont déjà été invitées dans "
	    "les dernières 24 heures).", sent, skipped) :
	    arena_printf(&r->arena, "Invitations envoyées : %d.", sent);
	if (r->user) {
		flash_set(r, notice);
		return resp_redirect(r, "/invite");
	}
	invite_form(&f, r);
	view_str(&f.v, "notice", notice);
	return invite_page(&f, 200);
}
