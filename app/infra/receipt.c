/*
 * receipt: the tax receipt as a PDF (receipt.h).
 *
 * Why cairo (with pango) rather than libharu: cairo is already in every
 * worker (libvips links it), Debian 12 ships it with its PDF surface and
 * pango, and pango shapes UTF-8 text with real fonts (DejaVu, embedded
 * and subset by cairo), so accents, "€" and no-break spaces need no
 * encoding tables; pdftotext reads the text back as written. libharu
 * (libhpdf) would be one more library to install, and its text API
 * works on single-byte encodings unless each TrueType font is loaded
 * and set to UTF-8 by hand, with no line breaking.
 *
 * Every string is set as plain text (pango_layout_set_text, never
 * markup), so a donor's name cannot change the document's layout
 * beyond its own line. The PDF is streamed into the caller's buffer: a
 * failed append (its ceiling) makes cairo stop with a write error.
 */
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "../core/common.h"
#include "receipt.h"

#define PAGE_W 595.28	/* A4 in points */
#define PAGE_H 841.89
#define MARGIN 56.0
#define BOTTOM (PAGE_H - MARGIN)
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define FONT "DejaVu Sans"

#define NNBSP "\xe2\x80\xaf"	/* U+202F narrow no-break space */
#define NBSP "\xc2\xa0"		/* U+00A0 no-break space */

void
receipt_euros(long cents, char *out, size_t n)
{
	char digits[24], grouped[48];
	size_t len, i, o = 0;

	if (cents < 0)
		cents = 0;
	snprintf(digits, sizeof(digits), "%ld", cents / 100);
	len = strlen(digits);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0) {
			memcpy(grouped + o, NNBSP, sizeof(NNBSP) - 1);
			o += sizeof(NNBSP) - 1;
		}
		grouped[o++] = digits[i];
	}
	grouped[o] = '\0';
	snprintf(out, n, "%s,%02ld" NBSP "€", grouped, cents % 100);
}

void
receipt_number(int year, long number, char *out, size_t n)
{
	snprintf(out, n, "%d-%06ld", year, number);
}

struct pen {
	cairo_t *cr;
	double y;
};

/* Text at (x, pen->y) in a box of width w; the height it took. */
static double
text_at(struct pen *p, double x, double w, const char *text, double size,
    int bold, PangoAlignment align)
{
	PangoLayout *layout = pango_cairo_create_layout(p->cr);
	PangoFontDescription *font = pango_font_description_from_string(FONT);
	int pw, ph;

	pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
	pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD :
	    PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(layout, font);
	pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(layout, align);
	pango_layout_set_text(layout, text ? text : "", -1);
	pango_layout_get_pixel_size(layout, &pw, &ph);
	cairo_move_to(p->cr, x, p->y);
	pango_cairo_show_layout(p->cr, layout);
	pango_font_description_free(font);
	g_object_unref(layout);
	return ph;
}

/* A paragraph across the text width; the pen moves below it. */
static void
para(struct pen *p, const char *text, double size, int bold, double after)
{
	p->y += text_at(p, MARGIN, TEXT_W, text, size, bold,
	    PANGO_ALIGN_LEFT) + after;
}

/* A new page when fewer than need points are left. */
static void
room(struct pen *p, double need)
{
	if (p->y + need <= BOTTOM)
		return;
	cairo_show_page(p->cr);
	p->y = MARGIN;
}

static void
rule(struct pen *p, double after)
{
	cairo_set_line_width(p->cr, 0.6);
	cairo_move_to(p->cr, MARGIN, p->y);
	cairo_line_to(p->cr, PAGE_W - MARGIN, p->y);
	cairo_stroke(p->cr);
	p->y += after;
}

static void
header(struct pen *p, const struct receipt_doc *d)
{
	char num[RECEIPT_NUMBER_MAX], line[128];
	double left, right, top = p->y;

	left = text_at(p, MARGIN, TEXT_W * 0.55, d->org_name, 13, 1,
	    PANGO_ALIGN_LEFT);
	p->y += left + 2;
	left += text_at(p, MARGIN, TEXT_W * 0.55, d->org_address, 9.5, 0,
	    PANGO_ALIGN_LEFT) + 2;
	p->y = top;
	receipt_number(d->year, d->number, num, sizeof(num));
	snprintf(line, sizeof(line), "Reçu n°" NBSP "%s", num);
	right = text_at(p, MARGIN + TEXT_W * 0.55, TEXT_W * 0.45, line, 12, 1,
	    PANGO_ALIGN_RIGHT);
	p->y += right + 2;
	snprintf(line, sizeof(line), "Dons de l'année %d", d->year);
	right += text_at(p, MARGIN + TEXT_W * 0.55, TEXT_W * 0.45, line, 10,
	    0, PANGO_ALIGN_RIGHT) + 2;
	p->y = top + (left > right ? left : right) + 24;
	p->y += text_at(p, MARGIN, TEXT_W, "Reçu au titre des dons à un parti "
	    "ou groupement politique", 15, 1, PANGO_ALIGN_CENTER) + 4;
	p->y += text_at(p, MARGIN, TEXT_W, "Articles 200 du code général des "
	    "impôts et 11-4 de la loi n°" NBSP "88-227 du 11 mars 1988", 9.5, 0,
	    PANGO_ALIGN_CENTER) + 22;
}

static void
donor(struct pen *p, const struct receipt_doc *d)
{
	char line[512];

	para(p, "Donateur", 11, 1, 4);
	snprintf(line, sizeof(line), "%s %s %s", d->civility, d->first_name,
	    d->last_name);
	para(p, line, 10.5, 0, 2);
	para(p, d->street, 10.5, 0, 2);
	snprintf(line, sizeof(line), "%s %s%s%s", d->postal_code, d->city,
	    strcmp(d->country, "FR") ? " — " : "",
	    strcmp(d->country, "FR") ? d->country : "");
	para(p, line, 10.5, 0, 18);
}

static void
gifts(struct pen *p, const struct receipt_doc *d)
{
	char line[128], amount[RECEIPT_EUROS_MAX];
	double h;
	size_t i;

	snprintf(line, sizeof(line), "Dons reçus en %d", d->year);
	para(p, line, 11, 1, 6);
	text_at(p, MARGIN, TEXT_W / 2, "Date du don", 10, 1, PANGO_ALIGN_LEFT);
	p->y += text_at(p, MARGIN + TEXT_W / 2, TEXT_W / 2, "Montant", 10, 1,
	    PANGO_ALIGN_RIGHT) + 3;
	rule(p, 4);
	for (i = 0; i < d->ngifts; i++) {
		room(p, 16);
		receipt_euros(d->gifts[i].cents, amount, sizeof(amount));
		text_at(p, MARGIN, TEXT_W / 2, d->gifts[i].date, 10, 0,
		    PANGO_ALIGN_LEFT);
		p->y += text_at(p, MARGIN + TEXT_W / 2, TEXT_W / 2, amount, 10,
		    0, PANGO_ALIGN_RIGHT) + 3;
	}
	room(p, 24);
	rule(p, 4);
	receipt_euros(d->total_cents, amount, sizeof(amount));
	text_at(p, MARGIN, TEXT_W / 2, "Total", 10.5, 1, PANGO_ALIGN_LEFT);
	h = text_at(p, MARGIN + TEXT_W / 2, TEXT_W / 2, amount, 10.5, 1,
	    PANGO_ALIGN_RIGHT);
	p->y += h + 20;
}

static void
mentions(struct pen *p, const struct receipt_doc *d)
{
	char total[RECEIPT_EUROS_MAX], cut[RECEIPT_EUROS_MAX], text[1024];

	receipt_euros(d->total_cents, total, sizeof(total));
	/* 66 %, rounded down to the cent: the tax office's own figure. */
	receipt_euros(d->total_cents * 66 / 100, cut, sizeof(cut));
	snprintf(text, sizeof(text), "%s certifie avoir reçu de %s %s %s, "
	    "en %d, la somme de %s au titre de dons versés par carte "
	    "bancaire, sans contrepartie pour le donateur.",
	    d->org_name, d->civility, d->first_name, d->last_name, d->year,
	    total);
	room(p, 60);
	para(p, text, 10, 0, 10);
	snprintf(text, sizeof(text), "Ces dons ouvrent droit à une réduction "
	    "d'impôt sur le revenu égale à 66" NBSP "%% de leur montant, "
	    "dans la limite de 20" NBSP "%% du revenu imposable (article 200 "
	    "du code général des impôts), soit %s pour ce reçu.", cut);
	room(p, 60);
	para(p, text, 10, 0, 10);
	room(p, 60);
	para(p, "Les dons d'une personne physique à un ou plusieurs partis "
	    "ou groupements politiques ne peuvent excéder 7" NNBSP "500" NBSP
	    "€ par an (article 11-4 de la loi n°" NBSP "88-227 du 11 mars "
	    "1988). Ils ne peuvent venir que d'une personne physique de "
	    "nationalité française ou résidant en France.", 9, 0, 22);
	snprintf(text, sizeof(text), "Fait le %s, pour %s, par son "
	    "mandataire financier.", d->issued, d->org_name);
	room(p, 30);
	para(p, text, 10, 0, 0);
}

static cairo_status_t
write_out(void *closure, const unsigned char *data, unsigned int len)
{
	return buf_append(closure, data, len) < 0 ?
	    CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

int
receipt_pdf(const struct receipt_doc *d, struct buf *out)
{
	size_t was = out->len;
	cairo_surface_t *s;
	struct pen p;
	char title[96], num[RECEIPT_NUMBER_MAX];
	int rc;

	s = cairo_pdf_surface_create_for_stream(write_out, out, PAGE_W,
	    PAGE_H);
	receipt_number(d->year, d->number, num, sizeof(num));
	snprintf(title, sizeof(title), "Reçu fiscal %s", num);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR,
	    d->org_name);
	p.cr = cairo_create(s);
	p.y = MARGIN;
	cairo_set_source_rgb(p.cr, 0.1, 0.1, 0.1);
	header(&p, d);
	donor(&p, d);
	gifts(&p, d);
	mentions(&p, d);
	cairo_show_page(p.cr);
	cairo_destroy(p.cr);
	cairo_surface_finish(s);
	rc = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS ? 0 : -1;
	cairo_surface_destroy(s);
	if (rc < 0) {
		out->len = was;
		if (out->data)
			out->data[was] = '\0';
	}
	return rc;
}
