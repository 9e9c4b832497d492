/*
 * sniff: image type and dimensions from the first bytes of a file.
 *
 * Each reader takes (p, len) and never looks past len: get16/get24/get32
 * are only called after the caller checked the bytes are there.
 */
#include "common.h"
#include "sniff.h"

static unsigned long
be16(const unsigned char *p)
{
	return (unsigned long)p[0] << 8 | p[1];
}

static unsigned long
be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	    (unsigned long)p[2] << 8 | p[3];
}

static unsigned long
le16(const unsigned char *p)
{
	return (unsigned long)p[1] << 8 | p[0];
}

static unsigned long
le24(const unsigned char *p)
{
	return (unsigned long)p[2] << 16 | (unsigned long)p[1] << 8 | p[0];
}

/* SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share
 * the range but are not frames. */
static int
jpeg_is_sof(unsigned char m)
{
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* Walk the marker segments up to the first frame header. */
static enum sniff_result
sniff_jpeg(const unsigned char *p, size_t len, struct sniff *s)
{
	size_t i = 2;

	for (;;) {
		unsigned char m;
		unsigned long seg;

		if (i >= len || p[i] != 0xff)
			return SNIFF_CORRUPT;
		while (i < len && p[i] == 0xff)	/* fill bytes */
			i++;
		if (i >= len)
			return SNIFF_CORRUPT;
		m = p[i++];
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7))
			continue;	/* TEM, RSTn: no length */
		if (m == 0xd8 || m == 0xd9 || m == 0xda || m == 0x00)
			return SNIFF_CORRUPT;	/* no frame before the data */
		if (len - i < 2)
			return SNIFF_CORRUPT;
		seg = be16(p + i);
		if (seg < 2 || seg > len - i)
			return SNIFF_CORRUPT;
		if (jpeg_is_sof(m)) {
			/* length, precision, height, width, components */
			if (seg < 8)
				return SNIFF_CORRUPT;
			s->height = be16(p + i + 3);
			s->width = be16(p + i + 5);
			return SNIFF_OK;
		}
		i += seg;
	}
}

static enum sniff_result
sniff_png(const unsigned char *p, size_t len, struct sniff *s)
{
	/* signature, IHDR length (13), "IHDR", width, height */
	if (len < 24 || be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4))
		return SNIFF_CORRUPT;
	s->width = be32(p + 16);
	s->height = be32(p + 20);
	/* The PNG spec caps each at 2^31 - 1. */
	if (s->width > 0x7fffffffUL || s->height > 0x7fffffffUL)
		return SNIFF_CORRUPT;
	return SNIFF_OK;
}

static enum sniff_result
sniff_gif(const unsigned char *p, size_t len, struct sniff *s)
{
	if (len < 10)
		return SNIFF_CORRUPT;
	s->width = le16(p + 6);	/* the logical screen */
	s->height = le16(p + 8);
	return SNIFF_OK;
}

/* RIFF, size, WEBP, then the first chunk: VP8, VP8L or VP8X. */
static enum sniff_result
sniff_webp(const unsigned char *p, size_t len, struct sniff *s)
{
	const unsigned char *c = p + 20;	/* the first chunk's data */

	if (len < 20)
		return SNIFF_CORRUPT;
	if (!memcmp(p + 12, "VP8 ", 4)) {
		/* frame tag (3), start code 9d 01 2a, 14-bit sizes */
		if (len < 30 || c[3] != 0x9d || c[4] != 0x01 || c[5] != 0x2a)
			return SNIFF_CORRUPT;
		s->width = le16(c + 6) & 0x3fff;
		s->height = le16(c + 8) & 0x3fff;
		return SNIFF_OK;
	}
	if (!memcmp(p + 12, "VP8L", 4)) {
		unsigned long bits;

		if (len < 25 || c[0] != 0x2f)
			return SNIFF_CORRUPT;
		bits = (unsigned long)c[1] | (unsigned long)c[2] << 8 |
		    (unsigned long)c[3] << 16 | (unsigned long)c[4] << 24;
		s->width = (bits & 0x3fff) + 1;
		s->height = ((bits >> 14) & 0x3fff) + 1;
		return SNIFF_OK;
	}
	if (!memcmp(p + 12, "VP8X", 4)) {
		/* flags (4), canvas width - 1 (24 bits), height - 1 */
		if (len < 30)
			return SNIFF_CORRUPT;
		s->width = le24(c + 4) + 1;
		s->height = le24(c + 7) + 1;
		return SNIFF_OK;
	}
	return SNIFF_CORRUPT;
}

enum sniff_result
sniff_image(const void *data, size_t len, struct sniff *s)
{
	static const unsigned char png_sig[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
	};
	const unsigned char *p = data;
	enum sniff_result rc;

	s->type = SNIFF_NONE;
	s->width = s->height = 0;
	if (!p)
		return SNIFF_UNKNOWN;
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) {
		s->type = SNIFF_JPEG;
		rc = sniff_jpeg(p, len, s);
	} else if (len >= 8 && !memcmp(p, png_sig, 8)) {
		s->type = SNIFF_PNG;
		rc = sniff_png(p, len, s);
	} else if (len >= 6 && (!memcmp(p, "GIF87a", 6) ||
	    !memcmp(p, "GIF89a", 6))) {
		s->type = SNIFF_GIF;
		rc = sniff_gif(p, len, s);
	} else if (len >= 16 && !memcmp(p, "RIFF", 4) &&
	    !memcmp(p + 8, "WEBP", 4)) {
		s->type = SNIFF_WEBP;
		rc = sniff_webp(p, len, s);
	} else
		return SNIFF_UNKNOWN;
	if (rc == SNIFF_OK && (s->width == 0 || s->height == 0))
		rc = SNIFF_CORRUPT;
	if (rc != SNIFF_OK) {
		s->type = SNIFF_NONE;
		s->width = s->height = 0;
	}
	return rc;
}

const char *
sniff_mime(enum sniff_type t)
{
	switch (t) {
	case SNIFF_JPEG: return "image/jpeg";
	case SNIFF_PNG: return "image/png";
	case SNIFF_GIF: return "image/gif";
	case SNIFF_WEBP: return "image/webp";
	default: return NULL;
	}
}

int
sniff_too_big(const struct sniff *s)
{
	if (s->width > SNIFF_MAX_SIDE || s->height > SNIFF_MAX_SIDE)
		return 1;
	/* Both sides are <= 10000 here: the product cannot overflow. */
	return s->width * s->height > SNIFF_MAX_PIXELS;
}
