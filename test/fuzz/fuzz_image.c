/*
 * sniff_image on the input as an uploaded file. Invariants: the answer is
 * one of the three results; SNIFF_OK comes with a known type, its MIME
 * type and both sides > 0 and within what the format can express, the type
 * agreeing with the magic bytes; anything else leaves type NONE and 0 x 0;
 * the answer depends on the bytes only (same answer twice); and the reader
 * never looks past the end (the input is an exact-size heap copy, so ASan
 * catches any over-read).
 */
#include "fuzz.h"
#include "sniff.h"

static void
check_ok(const unsigned char *p, size_t size, const struct sniff *s)
{
	FUZZ_CHECK(s->type > SNIFF_NONE && s->type < SNIFF__MAX);
	FUZZ_CHECK(sniff_mime(s->type) != NULL);
	FUZZ_CHECK(s->width > 0 && s->height > 0);
	switch (s->type) {
	case SNIFF_JPEG:
		FUZZ_CHECK(size >= 3 && p[0] == 0xff && p[1] == 0xd8);
		FUZZ_CHECK(s->width <= 0xffff && s->height <= 0xffff);
		break;
	case SNIFF_PNG:
		FUZZ_CHECK(size >= 24 && p[0] == 0x89 && !memcmp(p + 1, "PNG", 3));
		FUZZ_CHECK(s->width <= 0x7fffffffUL && s->height <= 0x7fffffffUL);
		break;
	case SNIFF_GIF:
		FUZZ_CHECK(size >= 10 && !memcmp(p, "GIF8", 4));
		FUZZ_CHECK(s->width <= 0xffff && s->height <= 0xffff);
		break;
	case SNIFF_WEBP:
		FUZZ_CHECK(size >= 25 && !memcmp(p, "RIFF", 4) &&
		    !memcmp(p + 8, "WEBP", 4));
		FUZZ_CHECK(s->width <= 1UL << 24 && s->height <= 1UL << 24);
		break;
	default:
		FUZZ_CHECK(0);
	}
	/* The limit check never overflows and agrees with the sides. */
	if (s->width <= SNIFF_MAX_SIDE && s->height <= SNIFF_MAX_SIDE &&
	    s->width * s->height <= SNIFF_MAX_PIXELS)
		FUZZ_CHECK(!sniff_too_big(s));
	else
		FUZZ_CHECK(sniff_too_big(s));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_copy(data, size);
	struct sniff s, again;
	enum sniff_result rc = sniff_image(copy, size, &s);

	FUZZ_CHECK(rc == SNIFF_OK || rc == SNIFF_UNKNOWN ||
	    rc == SNIFF_CORRUPT);
	if (rc == SNIFF_OK)
		check_ok(data, size, &s);
	else
		FUZZ_CHECK(s.type == SNIFF_NONE && s.width == 0 &&
		    s.height == 0);
	FUZZ_CHECK(sniff_image(copy, size, &again) == rc);
	FUZZ_CHECK(again.type == s.type && again.width == s.width &&
	    again.height == s.height);
	free(copy);
	return 0;
}
