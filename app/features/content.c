/*
 * content: the public site (work in progress).
 */
#include "../core/common.h"
#include "features.h"

/* GET /: public and cookie-free, so nginx or a CDN can cache it. */
int
home_get(struct req *r)
{
	struct view v;

	view_init(&v, &r->arena, 0);
	return render(r, 200, "home", &v, "Accueil");
}

int
articles_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
category_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
article_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
page_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
feed_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
sitemap_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
robots_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_article_preview_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_page_preview_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
not_found(struct req *r)
{
	return render_error(r, 404, NULL);
}
