/*
 * qr: a QR code drawn by us (issue 13, admin accounts: the enrolment's
 * otpauth:// link), as inline SVG. libqrencode makes the matrix; each dark
 * module is a unit square of one <path> in a viewBox of the matrix plus
 * a quiet zone of QR_QUIET modules. No script, no image service, no
 * style attribute (the CSP): fill and size are attributes.
 */
#ifndef CIVITAS_QR_H
#define CIVITAS_QR_H

#include "../core/arena.h"

#define QR_QUIET 4

/* The SVG of text (byte mode, error correction M), in the arena, safe to
 * put in a page as it is (C built it; only digits and fixed markup);
 * label is the image's accessible name, HTML-escaped here. NULL when
 * libqrencode fails (text too long for a QR code). */
const char *qr_svg(struct arena *a, const char *text, const char *label);

#endif
