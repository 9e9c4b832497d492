/*
 * media: image variants and the media library (work in progress).
 */
#include "../core/common.h"
#include "features.h"

int
img_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_media_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_media_upload_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_media_item_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_media_item_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
admin_media_delete_post(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
cli_media_import(struct app *app, const char *path, const char *alt)
{
	(void)app, (void)path, (void)alt;
	return 1;	/* not yet */
}
