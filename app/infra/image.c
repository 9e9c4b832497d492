/*
 * image: checks, re-encoding and resizing with libvips.
 *
 * Memory stays bounded: an upload is at most 20 MiB and 40 megapixels
 * (checked from the header before decoding), libvips keeps no operation
 * cache, and variants are made with vips_thumbnail_buffer, which shrinks
 * JPEG and WebP while decoding (a 12-megapixel JPEG never exists in full
 * in memory for a 640-pixel variant).
 */
#include "../core/common.h"
#include "../core/log.h"
#include "../core/sniff.h"
#include "image.h"

#include <sodium.h>
#include <vips/vips.h>
#include <malloc.h>

#define PLACEHOLDER_WIDTH 24

static int vips_state;	/* 0 not started, 1 ready, -1 failed */

static int
image_start(void)
{
	if (vips_state)
		return vips_state > 0 ? 0 : -1;
	if (VIPS_INIT("civitas")) {
		log_error("libvips: %s", vips_error_buffer());
		vips_error_clear();
		vips_state = -1;
		return -1;
	}
	/* Process-wide settings, not per request: no pixels are kept
	 * between requests, and only our four loaders may run (never the
	 * SVG, PDF or ImageMagick ones, even by mistake). */
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_cache_set_max_files(0);
	vips_block_untrusted_set(TRUE);
	vips_state = 1;
	return 0;
}

static void
vips_failed(const char *what)
{
	log_error("libvips: %s: %s", what, vips_error_buffer());
	vips_error_clear();
}

/* Image work leaves big free blocks in malloc's arenas (libvips threads
 * have their own): hand them back, so a worker that resized a 12 MP photo
 * goes back to its usual size. */
void
image_free(void *p)
{
	g_free(p);
	malloc_trim(0);
}

void
image_original_release(struct image_original *o)
{
	g_free(o->data);
	free(o->placeholder);
	o->data = NULL;
	o->placeholder = NULL;
	malloc_trim(0);
}

/* Header only: libvips reads pixels when something asks for them. The
 * loader is the one the magic bytes named, and any decoding error (a
 * truncated file included) fails the load. */
static VipsImage *
image_load(enum sniff_type t, const void *data, size_t len)
{
	VipsImage *im = NULL;
	void *p = (void *)data;	/* libvips only reads it */
	int rc = -1;

	switch (t) {
	case SNIFF_JPEG:
		rc = vips_jpegload_buffer(p, len, &im, "fail_on",
		    VIPS_FAIL_ON_ERROR, NULL);
		break;
	case SNIFF_PNG:
		rc = vips_pngload_buffer(p, len, &im, "fail_on",
		    VIPS_FAIL_ON_ERROR, NULL);
		break;
	case SNIFF_GIF:	/* the first frame (n = 1 by default) */
		rc = vips_gifload_buffer(p, len, &im, "fail_on",
		    VIPS_FAIL_ON_ERROR, NULL);
		break;
	case SNIFF_WEBP:
		rc = vips_webpload_buffer(p, len, &im, "fail_on",
		    VIPS_FAIL_ON_ERROR, NULL);
		break;
	default:
		break;
	}
	if (rc) {
		log_info("image refused by the decoder: %s",
		    vips_error_buffer());
		vips_error_clear();
		return NULL;
	}
	return im;
}

/* Replace *im by op's output, or keep it when op failed (when it is only
 * an improvement). 0, or -1 when op failed. */
static int
swap(VipsImage **im, VipsImage *out, int rc)
{
	if (rc)
		return -1;
	g_object_unref(*im);
	*im = out;
	return 0;
}

/* Upright and in sRGB: the orientation tag and the ICC profile are about to
 * be stripped, so apply them to the pixels first. */
static int
image_normalise(VipsImage **im)
{
	VipsImage *out = NULL;

	if (swap(im, out, vips_autorot(*im, &out, NULL)) < 0)
		return -1;
	if (vips_image_get_typeof(*im, VIPS_META_ICC_NAME)) {
		out = NULL;
		if (swap(im, out, vips_icc_transform(*im, &out, "srgb",
		    "embedded", TRUE, "intent", VIPS_INTENT_PERCEPTUAL,
		    NULL)) < 0) {
			log_info("libvips: ICC profile ignored: %s",
			    vips_error_buffer());
			vips_error_clear();
		}
	}
	return 0;
}

/* White behind transparent pixels, for JPEG (which has no alpha). */
static int
image_flatten(VipsImage **im)
{
	VipsArrayDouble *white;
	VipsImage *out = NULL;
	double w[] = { 255, 255, 255 };
	int rc;

	if (!vips_image_hasalpha(*im))
		return 0;
	white = vips_array_double_new(w, 3);
	rc = vips_flatten(*im, &out, "background", white, NULL);
	vips_area_unref(VIPS_AREA(white));
	return swap(im, out, rc);
}

static char *
placeholder_uri(const void *jpeg, size_t len)
{
	static const char prefix[] = "data:image/jpeg;base64,";
	size_t b64 = sodium_base64_encoded_len(len,
	    sodium_base64_VARIANT_ORIGINAL);
	char *uri = xmalloc(sizeof(prefix) - 1 + b64);

	memcpy(uri, prefix, sizeof(prefix) - 1);
	sodium_bin2base64(uri + sizeof(prefix) - 1, b64, jpeg, len,
	    sodium_base64_VARIANT_ORIGINAL);
	return uri;
}

/* The ~24 px JPEG of the stored original, as a data: URI. */
static char *
image_placeholder(const void *orig, size_t len)
{
	VipsImage *t = NULL;
	void *jpeg = NULL;
	size_t jlen = 0;
	char *uri = NULL;

	if (vips_thumbnail_buffer((void *)orig, len, &t, PLACEHOLDER_WIDTH,
	    "height", VIPS_MAX_COORD, "size", VIPS_SIZE_DOWN, NULL)) {
		vips_failed("placeholder");
		return NULL;
	}
	if (image_flatten(&t) == 0 && vips_jpegsave_buffer(t, &jpeg, &jlen,
	    "Q", 40, "strip", TRUE, "optimize_coding", TRUE, NULL) == 0)
		uri = placeholder_uri(jpeg, jlen);
	else
		vips_failed("placeholder");
	g_free(jpeg);
	g_object_unref(t);
	return uri;
}

/* Encode the original: same format (GIF: PNG), no metadata at all. */
static int
image_save_original(VipsImage *im, enum sniff_type t, struct image_original *o)
{
	int rc;

	switch (t) {
	case SNIFF_JPEG:
		o->mime = "image/jpeg";
		rc = vips_jpegsave_buffer(im, &o->data, &o->len, "Q", 90,
		    "strip", TRUE, "optimize_coding", TRUE, NULL);
		break;
	case SNIFF_WEBP:
		o->mime = "image/webp";
		rc = vips_webpsave_buffer(im, &o->data, &o->len, "Q", 90,
		    "strip", TRUE, NULL);
		break;
	default:	/* PNG, and the first frame of a GIF */
		o->mime = "image/png";
		rc = vips_pngsave_buffer(im, &o->data, &o->len, "strip", TRUE,
		    NULL);
		break;
	}
	return rc ? -1 : 0;
}

enum image_err
image_check(const void *data, size_t len, struct sniff *s)
{
	memset(s, 0, sizeof(*s));
	if (len > IMAGE_MAX_BYTES)
		return IMAGE_TOO_LARGE;
	switch (sniff_image(data, len, s)) {
	case SNIFF_OK:
		break;
	case SNIFF_UNKNOWN:
		return IMAGE_FORMAT;
	default:
		return IMAGE_UNREADABLE;
	}
	return sniff_too_big(s) ? IMAGE_TOO_MANY_PIXELS : IMAGE_OK;
}

enum image_err
image_ingest(const void *data, size_t len, struct image_original *o)
{
	struct sniff s;
	VipsImage *im = NULL;
	enum image_err err;

	memset(o, 0, sizeof(*o));
	if ((err = image_check(data, len, &s)) != IMAGE_OK) {
		o->announced = s;
		return err;
	}
	if (image_start() < 0)
		return IMAGE_FAILED;
	if (!(im = image_load(s.type, data, len)))
		return IMAGE_UNREADABLE;
	/* What the decoder announces must pass the same limits (a GIF frame
	 * may be larger than its logical screen). */
	s.width = (unsigned long)vips_image_get_width(im);
	s.height = (unsigned long)vips_image_get_height(im);
	err = IMAGE_UNREADABLE;
	if (sniff_too_big(&s)) {
		err = IMAGE_TOO_MANY_PIXELS;
		goto out;
	}
	/* Pixels are decoded from here on: a truncated file fails now. */
	if (image_normalise(&im) < 0 || image_save_original(im, s.type, o) < 0) {
		log_info("image refused while decoding: %s",
		    vips_error_buffer());
		vips_error_clear();
		goto out;
	}
	o->width = vips_image_get_width(im);
	o->height = vips_image_get_height(im);
	if (!(o->placeholder = image_placeholder(o->data, o->len))) {
		err = IMAGE_FAILED;
		goto out;
	}
	err = IMAGE_OK;
out:
	g_object_unref(im);
	if (err != IMAGE_OK) {
		image_original_release(o);
		memset(o, 0, sizeof(*o));
	}
	o->announced = s;
	return err;
}

const char *
image_err_message(enum image_err e, const struct sniff *s, char *buf,
    size_t size)
{
	unsigned long mp = (s->width * s->height + 500000) / 1000000;

	switch (e) {
	case IMAGE_OK:
		return "";
	case IMAGE_TOO_LARGE:
		return "Fichier trop volumineux (20 Mo au plus).";
	case IMAGE_FORMAT:
		return "Fichier refusé : format non accepté (JPEG, PNG, WebP "
		    "ou GIF).";
	case IMAGE_TOO_MANY_PIXELS:
		if (s->width * s->height > SNIFF_MAX_PIXELS)
			snprintf(buf, size, "Fichier refusé : image trop grande "
			    "(%lu mégapixels, max 40).", mp);
		else
			snprintf(buf, size, "Fichier refusé : image trop grande "
			    "(%lu × %lu pixels, 10 000 au plus de côté).",
			    s->width, s->height);
		return buf;
	case IMAGE_UNREADABLE:
		return "Fichier refusé : fichier illisible ou tronqué.";
	default:
		return "L'image n'a pas pu être traitée. Réessayez dans quelques "
		    "instants.";
	}
}

int
image_variant(const void *orig, size_t len, int width, int height,
    int attention, int webp, void **out, size_t *outlen)
{
	VipsImage *t = NULL;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (image_start() < 0)
		return -1;
	/* Shrink-on-load to fill the box, then crop what overflows: the
	 * box has the original's ratio (to a pixel) except for og. */
	if (vips_thumbnail_buffer((void *)orig, len, &t, width, "height",
	    height, "crop", attention ? VIPS_INTERESTING_ATTENTION :
	    VIPS_INTERESTING_CENTRE, NULL)) {
		vips_failed("thumbnail");
		return -1;
	}
	if (webp)
		rc = vips_webpsave_buffer(t, out, outlen, "Q", 70, "strip", TRUE,
		    NULL);
	else
		rc = image_flatten(&t) < 0 ? -1 : vips_jpegsave_buffer(t, out,
		    outlen, "Q", 70, "interlace", TRUE, "strip", TRUE,
		    "optimize_coding", TRUE, NULL);
	g_object_unref(t);
	if (rc) {
		vips_failed("variant");
		g_free(*out);
		*out = NULL;
		*outlen = 0;
		return -1;
	}
	return 0;
}
