/*
 * media: images in pages. The presets, the signed URLs and the <img>
 * markup (media_html.c) are shared by every page that shows a picture;
 * serving the variants and the back-office live in media.c.
 *
 * A variant URL is /img/{sig}/{id}-{preset}.{ext}: sig is the base64url of
 * the first 16 bytes of HMAC-SHA256(APP_SECRET, "img", "{id}-{preset}.{ext}").
 * Only our own pages can name a variant, so nobody can make the workers
 * resize at will (the En Marche DDoS lesson).
 */
#ifndef CIVITAS_MEDIA_H
#define CIVITAS_MEDIA_H

#include "../infra/render.h"

#define MEDIA_SIG_LEN 22	/* base64url of 16 bytes, no padding */

struct preset {
	const char *name;
	int width;		/* the variant's width (never upscaled) */
	int height;		/* 0: keep the ratio; else crop to width x height */
};

/* thumb 320w, card 640w, hero 1280w, og 1200x630 (crop), ph 24w. */
extern const struct preset presets[];
extern const size_t npresets;
const struct preset *preset_find(const char *name);

/* An image as a page shows it: id 0 when there is none. */
struct media_ref {
	long id;
	int width, height;	/* of the original */
	const char *alt;
	const char *placeholder;	/* data: URI of the ~24 px version */
};

/* media_ref_read() reads the five columns of MEDIA_REF_COLUMNS(alias)
 * (infra/sql.h). */
void media_ref_read(struct media_ref *m, const PGresult *res, int row,
    int col);
/* The size of preset p of an original w x h. */
void preset_size(const struct preset *p, int w, int h, int *vw, int *vh);
/* The signature of "{id}-{preset}.{ext}" into out (MEDIA_SIG_LEN + 1). */
void media_sign(const struct app *app, const char *file,
    char out[MEDIA_SIG_LEN + 1]);
/* "/img/{sig}/{id}-{preset}.{ext}" (ext "jpg" or "webp"), in r's arena. */
const char *media_url(struct req *r, long id, const char *preset,
    const char *ext);
/*
 * A <picture> (WebP, then progressive JPEG) with width and height, the
 * blurred placeholder behind it and native lazy loading unless eager (for
 * the first screen). Already-safe HTML in r's arena; "" when m->id is 0.
 * sizes: the <img sizes> attribute, e.g. "(min-width: 60em) 33vw, 100vw".
 */
const char *media_html(struct req *r, const struct media_ref *m,
    const char *preset, const char *sizes, int eager);

/* Insert an image checked and re-encoded by infra/image.h into the media
 * table (the original as a binary parameter): RETURNING_ID, or NULL. */
struct image_original;
PGresult *media_insert(struct db *db, struct arena *a,
    const struct image_original *o, const char *alt, const char *filename,
    const char *user_id);

#endif
