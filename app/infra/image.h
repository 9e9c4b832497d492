/*
 * image: the libvips side of the media pipeline. Nothing here knows about
 * requests, PostgreSQL or Redis; media.c calls it.
 *
 * libvips is started lazily, once per process, with its operation cache
 * off (a worker keeps no pixels between requests) and the loaders marked
 * untrusted by libvips (SVG, PDF, ImageMagick...) blocked. Uploads go
 * through image_ingest() in a fixed order: size, format (sniffed from the
 * magic bytes), header dimensions, and only then a full decode that fails
 * on any error.
 *
 * Ownership: buffers handed out (data, placeholder) are released with
 * image_free() / image_original_release().
 */
#ifndef CIVITAS_IMAGE_H
#define CIVITAS_IMAGE_H

#include <stddef.h>
#include "../core/sniff.h"

#define IMAGE_MAX_BYTES (20UL * 1024 * 1024)	/* an upload */

enum image_err {
	IMAGE_OK,
	IMAGE_TOO_LARGE,	/* over IMAGE_MAX_BYTES */
	IMAGE_FORMAT,		/* not JPEG, PNG, WebP or GIF */
	IMAGE_TOO_MANY_PIXELS,	/* over 10000 per side or 40 megapixels */
	IMAGE_UNREADABLE,	/* the decoder failed: corrupt or truncated */
	IMAGE_FAILED,		/* our side (libvips could not start...) */
};

/* The original as stored: autorotated, re-encoded without metadata. */
struct image_original {
	void *data;
	size_t len;
	const char *mime;	/* static string */
	int width, height;
	char *placeholder;	/* data:image/jpeg;base64,... of ~24 px */
	struct sniff announced;	/* what the header said, for messages */
};

/*
 * The checks made before any decoding: size, format, header dimensions
 * (in *s as soon as the header is read).
 */
enum image_err image_check(const void *data, size_t len, struct sniff *s);
/*
 * Check (image_check, then a full decode) and re-encode an uploaded file. JPEG and WebP keep their format
 * (quality 90), PNG stays PNG; a GIF keeps its first frame only, stored as
 * PNG (lossless, and a still image does not need GIF). On failure nothing
 * needs releasing; o->announced is set for IMAGE_TOO_MANY_PIXELS.
 */
enum image_err image_ingest(const void *data, size_t len,
    struct image_original *o);
void image_original_release(struct image_original *o);
/* A French sentence for an error, for the upload form. */
const char *image_err_message(enum image_err e, const struct sniff *s,
    char *buf, size_t size);

/*
 * A variant of a stored original: exactly width x height (the caller
 * computes them with preset_size, never larger than the original), cropped
 * on the most interesting part when attention, else on the centre. JPEG is
 * progressive quality 70; webp: WebP quality 70. 0 and *out (image_free)
 * or -1 (logged).
 */
int image_variant(const void *orig, size_t len, int width, int height,
    int attention, int webp, void **out, size_t *outlen);
void image_free(void *p);

#endif
