#include "../core/common.h"
#include "outbox.h"

/* The host part of BASE_URL, for Message-IDs. */
static const char *
mail_domain(struct req *r)
{
	const char *b = strstr(r->app->cfg.base_url, "://");
	size_t n;

	b = b ? b + 3 : r->app->cfg.base_url;
	n = strcspn(b, ":/");
	return n ? arena_strndup(&r->arena, b, n) : "civitas.localhost";
}

int
outbox_add(struct req *r, long uid, const char *to, const char *subject,
    const char *tpl, struct view *v)
{
	return outbox_add_ex(r, uid, to, subject, tpl, v, NULL);
}

int
outbox_add_ex(struct req *r, long uid, const char *to, const char *subject,
    const char *tpl, struct view *v, const struct mail_extra *x)
{
	static const struct mail_extra none;
	struct buf body;
	char id[TOKEN_LEN + 1];
	PGresult *res;
	int rc = -1;

	buf_init(&body, 256 * 1024);
	view_str(v, "base_url", r->app->cfg.base_url);
	if (view_render(&r->app->views, arena_printf(&r->arena, "mail/%s",
	    tpl), v, &body) < 0)
		goto out;
	token_new(id);
	if (!x)
		x = &none;
	res = q(r, STMT_OUTBOX_INSERT, uid > 0 ? arena_printf(&r->arena,
	    "%ld", uid) : NULL, arena_printf(&r->arena, "<%s@%s>", id,
	    mail_domain(r)), to, subject, body.data, x->reply_to,
	    x->attachment_name, x->attachment_type, x->attachment,
	    x->category, x->body_html, x->from_name);
	if (res)
		rc = 0;
out:
	buf_release(&body);
	return rc;
}
