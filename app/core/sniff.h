/*
 * sniff: what kind of image a buffer holds, and its size, read from the
 * headers alone (nothing is decoded). Uploads are checked with it before
 * libvips ever sees them: only JPEG, PNG, GIF and WebP pass, and the pixel
 * count is known before a single pixel is allocated (no decompression
 * bomb).
 *
 * Pure and allocation-free: every read is bounds-checked against len, so
 * any input, however hostile, gets an answer (it is fuzzed).
 */
#ifndef CIVITAS_SNIFF_H
#define CIVITAS_SNIFF_H

#include <stddef.h>

#define SNIFF_MAX_SIDE 10000UL		/* pixels per side */
#define SNIFF_MAX_PIXELS 40000000UL	/* 40 megapixels */

enum sniff_type {
	SNIFF_NONE,
	SNIFF_JPEG,
	SNIFF_PNG,
	SNIFF_GIF,
	SNIFF_WEBP,
	SNIFF__MAX
};

enum sniff_result {
	SNIFF_OK,
	SNIFF_UNKNOWN,		/* not one of the four formats (SVG, PDF...) */
	SNIFF_CORRUPT,		/* a known format whose header is unreadable */
};

struct sniff {
	enum sniff_type type;
	unsigned long width, height;	/* both > 0 when SNIFF_OK */
};

/* Fill s (type SNIFF_NONE and 0 x 0 unless SNIFF_OK). */
enum sniff_result sniff_image(const void *data, size_t len, struct sniff *s);
/* "image/jpeg"... ; NULL for SNIFF_NONE. */
const char *sniff_mime(enum sniff_type t);
/* Over SNIFF_MAX_SIDE on a side or SNIFF_MAX_PIXELS in all? */
int sniff_too_big(const struct sniff *s);

#endif
