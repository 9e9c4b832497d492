/* qr: QR codes as inline SVG (see qr.h). */
#include "../core/common.h"
#include "../core/buf.h"
#include "../core/escape.h"
#include "qr.h"

#include <qrencode.h>

const char *
qr_svg(struct arena *a, const char *text, const char *label)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	const char *out = NULL;
	struct buf b;
	int w, side;

	if (!qr)
		return NULL;
	w = qr->width;
	side = w + 2 * QR_QUIET;
	buf_init(&b, 1024 * 1024);
	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"qr\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	    "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"",
	    side, side, side * 6, side * 6);
	html_escape(&b, label);
	buf_printf(&b, "\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", side, side);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (qr->data[y * w + x] & 1)
				buf_printf(&b, "M%d %dh1v1h-1z", x + QR_QUIET,
				    y + QR_QUIET);
	if (buf_puts(&b, "\"/></svg>") == 0)
		out = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	QRcode_free(qr);
	return out;
}
