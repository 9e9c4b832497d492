/*
 * optout: see optout.h.
 */
#include "../core/common.h"
#include "optout.h"

#define OPTOUT_SIG_BYTES 16
#define OPTOUT_SIG_LEN 22	/* base64url, no padding, of 16 bytes */
#define OPTOUT_EMAIL_MAX 255
#define NOINDEX "<meta name=\"robots\" content=\"noindex\">\n"

static void
optout_sig(struct req *r, const char *email, char out[OPTOUT_SIG_LEN + 1])
{
	unsigned char mac[32];

	hmac_raw(r->cfg->secret, "optout", email, mac);
	sodium_bin2base64(out, OPTOUT_SIG_LEN + 1, mac, OPTOUT_SIG_BYTES,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

const char *
optout_url(struct req *r, const char *email)
{
	size_t n = strlen(email);
	size_t b64 = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *enc = arena_alloc(&r->arena, b64);
	char sig[OPTOUT_SIG_LEN + 1];

	sodium_bin2base64(enc, b64, (const unsigned char *)email, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	optout_sig(r, email, sig);
	return arena_printf(&r->arena, "%s/optout/%s.%s", r->cfg->base_url,
	    enc, sig);
}

/* The address of the route's token, NULL when it does not check out. */
static const char *
optout_email(struct req *r)
{
	const char *tok = r->params[0], *dot = strchr(tok, '.');
	char sig[OPTOUT_SIG_LEN + 1];
	unsigned char raw[OPTOUT_EMAIL_MAX + 1];
	size_t n;
	char *email;

	if (!dot || dot == tok || strlen(dot + 1) != OPTOUT_SIG_LEN ||
	    sodium_base642bin(raw, OPTOUT_EMAIL_MAX, tok, (size_t)(dot - tok),
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n == 0 || memchr(raw, '\0', n))
		return NULL;
	email = arena_strndup(&r->arena, (const char *)raw, n);
	optout_sig(r, email, sig);
	if (sodium_memcmp(sig, dot + 1, OPTOUT_SIG_LEN) != 0)
		return NULL;
	return email;
}

static int
link_invalid(struct req *r)
{
	r->head_html = NOINDEX;
	return message_page(r, 404, "Lien invalide", "Ce lien n'est pas "
	    "valable : il a peut-être été coupé ou mal copié. Utilisez le "
	    "lien complet de l'e-mail reçu.", "/", "Retour à l'accueil");
}

int
optout_get(struct req *r)
{
	const char *email = optout_email(r);
	struct view v;

	if (!email)
		return link_invalid(r);
	view_init(&v, &r->arena, 0);
	view_str(&v, "token", r->params[0]);
	view_str(&v, "email", email);
	view_str(&v, "csrf", csrf_token(r));
	r->head_html = NOINDEX;
	return render(r, 200, "optout", &v, "Ne plus recevoir ces e-mails");
}

int
optout_post(struct req *r)
{
	const char *email = optout_email(r);

	if (!email)
		return link_invalid(r);
	if (!q(r, STMT_OPTOUT, email))
		return unavailable(r);
	r->head_html = NOINDEX;
	return message_page(r, 200, "C'est noté", arena_printf(&r->arena,
	    "L'adresse %s ne recevra plus jamais d'invitation ni de message "
	    "envoyé par un tiers à travers ce site. Les e-mails que vous "
	    "demanderez vous-même (une confirmation, par exemple) restent "
	    "possibles.", email), "/", "Retour à l'accueil");
}
