/*
 * admin_content: the back-office (work in progress).
 */
#include "../core/common.h"
#include "features.h"

/* GET /admin: admins only (dispatcher); counts of members and mails. */
int
admin_get(struct req *r)
{
	struct view v;
	PGresult *res = q(r, STMT_ADMIN_STATS);

	if (!res)
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_str(&v, "active", db_str(res, 0, 0));
	view_str(&v, "pending", db_str(res, 0, 1));
	view_str(&v, "unregistered", db_str(res, 0, 2));
	view_str(&v, "outbox", db_str(res, 0, 3));
	return render(r, 200, "admin", &v, "Administration");
}

int
admin_audit_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_preview_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_articles_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_article_new_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_article_create_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_article_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_article_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_article_delete_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_pages_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_page_new_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_page_create_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_page_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_page_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_page_delete_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_categories_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_category_create_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_category_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_category_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_category_delete_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_blocks_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_block_create_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_block_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_block_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_block_delete_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_redirections_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_redirection_create_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_redirection_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_redirection_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_redirection_delete_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
cli_rerender(struct app *app)
{
	(void)app;
	return 1;	/* not yet */
}
