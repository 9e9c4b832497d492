/* sniff: image type and size from hand-made headers, and refusals. */
#include "../../app/core/common.h"
#include "../../app/core/sniff.h"
#include "unit.h"

static enum sniff_result
sniff_of(const void *p, size_t n, struct sniff *s)
{
	return sniff_image(p, n, s);
}

/* SOI, an APP0 segment, a DHT (C4: not a frame), then SOF2 640 x 480. */
static const unsigned char jpeg[] = {
	0xff, 0xd8,
	0xff, 0xe0, 0x00, 0x06, 'J', 'F', 'I', 'F',
	0xff, 0xff, 0xc4, 0x00, 0x04, 0x00, 0x00,	/* fill byte, DHT */
	0xff, 0xc2, 0x00, 0x0b, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03,
	0x01, 0x11, 0x00,
};

static void
jpeg_frame_size(void)
{
	struct sniff s;

	EQ_INT(sniff_of(jpeg, sizeof(jpeg), &s), SNIFF_OK);
	EQ_INT(s.type, SNIFF_JPEG);
	EQ_INT(s.width, 640);
	EQ_INT(s.height, 480);
	EQ_STR(sniff_mime(s.type), "image/jpeg");
}

static void
jpeg_without_frame_refused(void)
{
	/* SOI then SOS: no frame header before the data. */
	static const unsigned char sos[] = { 0xff, 0xd8, 0xff, 0xda, 0x00,
	    0x02, 0x00 };
	/* A segment longer than the file. */
	static const unsigned char longseg[] = { 0xff, 0xd8, 0xff, 0xe1,
	    0xff, 0xff, 'E', 'x' };
	/* SOF with height 0 (defined later by DNL): refused. */
	static const unsigned char dnl[] = { 0xff, 0xd8, 0xff, 0xc0, 0x00,
	    0x0b, 0x08, 0x00, 0x00, 0x02, 0x80, 0x03, 0x01, 0x11, 0x00 };
	struct sniff s;

	EQ_INT(sniff_of(sos, sizeof(sos), &s), SNIFF_CORRUPT);
	EQ_INT(s.type, SNIFF_NONE);
	EQ_INT(sniff_of(longseg, sizeof(longseg), &s), SNIFF_CORRUPT);
	EQ_INT(sniff_of(dnl, sizeof(dnl), &s), SNIFF_CORRUPT);
	EQ_INT(s.width, 0);
	/* Every truncation of a good header is refused, none is misread. */
	for (size_t n = 0; n < sizeof(jpeg) - 1; n++) {
		enum sniff_result rc = sniff_of(jpeg, n, &s);

		CHECK(rc != SNIFF_OK);
		EQ_INT(s.width, 0);
	}
}

static void
png_ihdr(void)
{
	static const unsigned char png[] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
		0, 0, 0, 13, 'I', 'H', 'D', 'R',
		0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30,	/* 30000 x 30000 */
		8, 6, 0, 0, 0,
	};
	struct sniff s;

	EQ_INT(sniff_of(png, sizeof(png), &s), SNIFF_OK);
	EQ_INT(s.type, SNIFF_PNG);
	EQ_INT(s.width, 30000);
	EQ_INT(s.height, 30000);
	CHECK(sniff_too_big(&s));	/* a pixel bomb, seen before decoding */
	EQ_INT(sniff_of(png, 23, &s), SNIFF_CORRUPT);
	EQ_INT(sniff_of(png, 8, &s), SNIFF_CORRUPT);
}

static void
png_absurd_sizes(void)
{
	unsigned char png[] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
		0, 0, 0, 13, 'I', 'H', 'D', 'R',
		0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1,
	};
	struct sniff s;

	EQ_INT(sniff_of(png, sizeof(png), &s), SNIFF_CORRUPT);	/* > 2^31-1 */
	memset(png + 16, 0, 4);
	EQ_INT(sniff_of(png, sizeof(png), &s), SNIFF_CORRUPT);	/* width 0 */
	png[11] = 12;	/* IHDR is 13 bytes, nothing else */
	png[19] = 1;
	EQ_INT(sniff_of(png, sizeof(png), &s), SNIFF_CORRUPT);
}

static void
gif_logical_screen(void)
{
	static const unsigned char gif[] = { 'G', 'I', 'F', '8', '9', 'a',
	    0x40, 0x01, 0xc8, 0x00, 0xf7, 0, 0 };
	static const unsigned char old[] = { 'G', 'I', 'F', '8', '7', 'a',
	    1, 0, 1, 0 };
	static const unsigned char bad[] = { 'G', 'I', 'F', '8', '8', 'a',
	    1, 0, 1, 0 };
	struct sniff s;

	EQ_INT(sniff_of(gif, sizeof(gif), &s), SNIFF_OK);
	EQ_INT(s.type, SNIFF_GIF);
	EQ_INT(s.width, 320);
	EQ_INT(s.height, 200);
	EQ_INT(sniff_of(old, sizeof(old), &s), SNIFF_OK);
	EQ_INT(s.width, 1);
	EQ_INT(sniff_of(gif, 9, &s), SNIFF_CORRUPT);
	EQ_INT(sniff_of(bad, sizeof(bad), &s), SNIFF_UNKNOWN);
}

static void
webp_vp8_lossy(void)
{
	static const unsigned char w[] = {
		'R', 'I', 'F', 'F', 0x24, 0, 0, 0, 'W', 'E', 'B', 'P',
		'V', 'P', '8', ' ', 0x18, 0, 0, 0,
		0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a,
		0x80, 0x02, 0xe0, 0xc1,	/* 640, 480 with a scale in the top bits */
	};
	unsigned char bad[sizeof(w)];
	struct sniff s;

	EQ_INT(sniff_of(w, sizeof(w), &s), SNIFF_OK);
	EQ_INT(s.type, SNIFF_WEBP);
	EQ_INT(s.width, 640);
	EQ_INT(s.height, 480);
	memcpy(bad, w, sizeof(w));
	bad[23] = 0;	/* no start code */
	EQ_INT(sniff_of(bad, sizeof(bad), &s), SNIFF_CORRUPT);
	EQ_INT(sniff_of(w, 29, &s), SNIFF_CORRUPT);
}

static void
webp_vp8l_lossless(void)
{
	/* 14-bit width - 1 and height - 1: 100 x 50 -> 99 | 49 << 14 */
	unsigned long bits = 99UL | 49UL << 14;
	unsigned char w[] = {
		'R', 'I', 'F', 'F', 0x1a, 0, 0, 0, 'W', 'E', 'B', 'P',
		'V', 'P', '8', 'L', 0x0d, 0, 0, 0, 0x2f,
		(unsigned char)bits, (unsigned char)(bits >> 8),
		(unsigned char)(bits >> 16), (unsigned char)(bits >> 24),
	};
	struct sniff s;

	EQ_INT(sniff_of(w, sizeof(w), &s), SNIFF_OK);
	EQ_INT(s.width, 100);
	EQ_INT(s.height, 50);
	w[20] = 0x2e;	/* wrong signature byte */
	EQ_INT(sniff_of(w, sizeof(w), &s), SNIFF_CORRUPT);
}

static void
webp_vp8x_extended(void)
{
	/* canvas 16777216 x 2 (24-bit minus one fields): far too big */
	static const unsigned char w[] = {
		'R', 'I', 'F', 'F', 0x1a, 0, 0, 0, 'W', 'E', 'B', 'P',
		'V', 'P', '8', 'X', 0x0a, 0, 0, 0, 0x10, 0, 0, 0,
		0xff, 0xff, 0xff, 0x01, 0x00, 0x00,
	};
	static const unsigned char other[] = {
		'R', 'I', 'F', 'F', 0x1a, 0, 0, 0, 'W', 'E', 'B', 'P',
		'A', 'L', 'P', 'H', 0x0a, 0, 0, 0, 0, 0,
	};
	struct sniff s;

	EQ_INT(sniff_of(w, sizeof(w), &s), SNIFF_OK);
	EQ_INT(s.width, 16777216);
	EQ_INT(s.height, 2);
	CHECK(sniff_too_big(&s));
	EQ_INT(sniff_of(other, sizeof(other), &s), SNIFF_CORRUPT);
	EQ_INT(sniff_of(w, 29, &s), SNIFF_CORRUPT);
}

static void
others_refused(void)
{
	static const char *const refused[] = {
		"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
		"<svg width=\"10\" height=\"10\"></svg>",
		"%PDF-1.7\n",
		"hello, world\n",
		"\x00\x00\x00\x18" "ftypheic",
		"BM6\x00\x00\x00",
		"RIFF\x10\x00\x00\x00WAVEfmt ",
		"",
	};
	struct sniff s;

	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		EQ_INT(sniff_of(refused[i], i == 4 ? 12 : strlen(refused[i]),
		    &s), SNIFF_UNKNOWN);
		EQ_INT(s.type, SNIFF_NONE);
	}
	EQ_INT(sniff_of(NULL, 0, &s), SNIFF_UNKNOWN);
	CHECK(sniff_mime(SNIFF_NONE) == NULL);
}

static void
limits(void)
{
	struct sniff s = { SNIFF_JPEG, 10000, 4000 };

	CHECK(!sniff_too_big(&s));	/* exactly 40 megapixels */
	s.height = 4001;
	CHECK(sniff_too_big(&s));
	s.width = 10001, s.height = 1;
	CHECK(sniff_too_big(&s));
	s.width = 1, s.height = 10001;
	CHECK(sniff_too_big(&s));
	s.width = 6000, s.height = 6000;	/* 36 MP */
	CHECK(!sniff_too_big(&s));
}

UNIT_SUITE(sniff,
    UNIT(jpeg_frame_size),
    UNIT(jpeg_without_frame_refused),
    UNIT(png_ihdr),
    UNIT(png_absurd_sizes),
    UNIT(gif_logical_screen),
    UNIT(webp_vp8_lossy),
    UNIT(webp_vp8l_lossless),
    UNIT(webp_vp8x_extended),
    UNIT(others_refused),
    UNIT(limits))
