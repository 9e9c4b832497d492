#include "../core/common.h"
#include "csrf.h"
#include "render.h"

/*
 * The token in a form is mask || (HMAC(cookie) XOR mask) with a fresh
 * random mask per response, so a compressed page never repeats the same
 * secret bytes (BREACH), while any of these tokens checks out.
 */
#define CSRF_RAW 32
#define CSRF_LEN 86	/* base64url of 64 bytes, no padding */

const char *
csrf_token(struct req *r)
{
	const char *c = req_cookie(r, "csrf");
	unsigned char mac[CSRF_RAW], both[2 * CSRF_RAW];
	char fresh[TOKEN_LEN + 1];
	char *tok;

	if (r->csrf)
		return r->csrf;
	if (!c || !token_wellformed(c, strlen(c))) {
		token_new(fresh);
		resp_cookie(r, "csrf", fresh, -1);
		c = fresh;
	}
	hmac_raw(r->cfg->secret, "csrf", c, mac);
	randombytes_buf(both, CSRF_RAW);
	for (int i = 0; i < CSRF_RAW; i++)
		both[CSRF_RAW + i] = mac[i] ^ both[i];
	tok = arena_alloc(&r->arena, CSRF_LEN + 1);
	sodium_bin2base64(tok, CSRF_LEN + 1, both, sizeof(both),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	r->csrf = tok;
	return tok;
}

int
csrf_valid(struct req *r)
{
	const char *c = req_cookie(r, "csrf"), *sent = req_form(r, "_csrf");
	unsigned char mac[CSRF_RAW], both[2 * CSRF_RAW];
	size_t n;

	if (!c || !sent || !token_wellformed(c, strlen(c)) ||
	    strlen(sent) != CSRF_LEN ||
	    sodium_base642bin(both, sizeof(both), sent, CSRF_LEN, NULL, &n,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof(both))
		return 0;
	hmac_raw(r->cfg->secret, "csrf", c, mac);
	for (int i = 0; i < CSRF_RAW; i++)
		both[CSRF_RAW + i] ^= both[i];
	return sodium_memcmp(both + CSRF_RAW, mac, CSRF_RAW) == 0;
}

/* Did the browser say this request comes from our own pages? */
static int
same_origin(const struct req *r)
{
	const char *site = req_header(r, "HTTP_SEC_FETCH_SITE");
	const char *origin = req_header(r, "HTTP_ORIGIN");

	if (site)
		return !strcmp(site, "same-origin");
	return origin && !strcmp(origin, r->cfg->base_url);
}

static const char *
password_label(const char *name)
{
	if (strstr(name, "current"))
		return "Mot de passe actuel";
	if (strstr(name, "confirm"))
		return "Confirmez le mot de passe";
	return "Mot de passe";
}

int
csrf_refused(struct req *r)
{
	struct view v;
	struct view_rows rows, passwords;
	int npasswords = 0;

	if (!same_origin(r))
		return render_error(r, 403, "Le formulaire ne vient pas de ce "
		    "site : il n'a pas été pris en compte.");
	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	view_rows_init(&passwords, &v);
	for (size_t i = 0; i < r->form.n; i++) {
		const struct field *f = &r->form.v[i];

		if (!strcmp(f->name, "_csrf"))
			continue;
		if (strstr(f->name, "password")) {
			view_rows_add(&passwords, 3, f->name,
			    password_label(f->name),
			    arena_printf(&r->arena, "again-%d", npasswords++));
			continue;
		}
		view_rows_add(&rows, 2, f->name, f->value);
	}
	view_rows_set(&v, "fields", &rows);
	view_rows_set(&v, "passwords", &passwords);
	view_int(&v, "has_password", npasswords > 0);
	view_str(&v, "action", r->path);
	view_str(&v, "csrf", csrf_token(r));
	return render(r, 403, "expired", &v, "Formulaire expiré");
}
