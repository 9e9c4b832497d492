/*
 * media_html: presets, signed variant URLs and the <picture> markup pages
 * use to show an image. No image work happens here: a page only names the
 * variants; media.c makes them on first request.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "media.h"

const struct preset presets[] = {
	{ "thumb", 320, 0 },
	{ "card", 640, 0 },
	{ "hero", 1280, 0 },
	{ "og", 1200, 630 },
	{ "ph", 24, 0 },
};
const size_t npresets = ARRAY_SIZE(presets);

const struct preset *
preset_find(const char *name)
{
	for (size_t i = 0; i < npresets; i++)
		if (!strcmp(presets[i].name, name))
			return &presets[i];
	return NULL;
}

void
media_ref_read(struct media_ref *m, const PGresult *res, int row, int col)
{
	m->id = db_long(res, row, col);
	m->width = (int)db_long(res, row, col + 1);
	m->height = (int)db_long(res, row, col + 2);
	m->alt = db_str(res, row, col + 3);
	m->placeholder = db_str(res, row, col + 4);
}

void
preset_size(const struct preset *p, int w, int h, int *vw, int *vh)
{
	if (w <= 0 || h <= 0) {
		*vw = *vh = 0;
		return;
	}
	if (p->height) {	/* a crop: fixed box, shrunk if the source is small */
		double s = MIN(1.0, MIN((double)w / p->width,
		    (double)h / p->height));

		*vw = MAX(1, (int)(p->width * s + 0.5));
		*vh = MAX(1, (int)(p->height * s + 0.5));
		return;
	}
	*vw = MIN(w, p->width);
	*vh = MAX(1, (int)((double)h * *vw / w + 0.5));
}

void
media_sign(const struct app *app, const char *file,
    char out[MEDIA_SIG_LEN + 1])
{
	unsigned char mac[32];

	hmac_raw(app->cfg.secret, "img", file, mac);
	sodium_bin2base64(out, MEDIA_SIG_LEN + 1, mac, 16,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

const char *
media_url(struct req *r, long id, const char *preset, const char *ext)
{
	char sig[MEDIA_SIG_LEN + 1];
	char *file = arena_printf(&r->arena, "%ld-%s.%s", id, preset, ext);

	media_sign(r->app, file, sig);
	return arena_printf(&r->arena, "/img/%s/%s", sig, file);
}

/* "url 320w, url 640w" for the presets up to `upto`, JPEG or WebP. */
static void
srcset(struct req *r, struct buf *b, const struct media_ref *m,
    const char *const *names, size_t n, const char *ext)
{
	int last = 0;

	for (size_t i = 0; i < n; i++) {
		int vw, vh;

		preset_size(preset_find(names[i]), m->width, m->height, &vw,
		    &vh);
		if (vw <= last)
			continue;	/* a small original: one size is enough */
		buf_printf(b, "%s%s %dw", last ? ", " : "",
		    media_url(r, m->id, names[i], ext), vw);
		last = vw;
	}
}

const char *
media_html(struct req *r, const struct media_ref *m, const char *preset,
    const char *sizes, int eager)
{
	static const char *const thumb[] = { "thumb" };
	static const char *const card[] = { "thumb", "card" };
	static const char *const hero[] = { "card", "hero" };
	const char *const *names = card;
	size_t n = 2;
	const struct preset *p = preset_find(preset);
	struct buf b;
	char *out;
	int vw, vh;

	if (!m || m->id <= 0 || !p || m->width <= 0 || m->height <= 0)
		return "";
	if (!strcmp(preset, "thumb"))
		names = thumb, n = 1;
	else if (!strcmp(preset, "hero"))
		names = hero;
	preset_size(p, m->width, m->height, &vw, &vh);
	buf_init(&b, 64 * 1024);
	buf_puts(&b, "<span class=\"pic\">");
	if (m->placeholder[0] && !strncmp(m->placeholder, "data:image/", 11)) {
		buf_puts(&b, "<img class=\"pic-ph\" alt=\"\" aria-hidden=\"true\" "
		    "src=\"");
		html_escape(&b, m->placeholder);
		buf_printf(&b, "\" width=\"%d\" height=\"%d\">", vw, vh);
	}
	buf_puts(&b, "<picture><source type=\"image/webp\" srcset=\"");
	srcset(r, &b, m, names, n, "webp");
	buf_puts(&b, "\" sizes=\"");
	html_escape(&b, sizes ? sizes : "100vw");
	buf_printf(&b, "\"><img class=\"pic-img\" src=\"%s\" srcset=\"",
	    media_url(r, m->id, p->name, "jpg"));
	srcset(r, &b, m, names, n, "jpg");
	buf_puts(&b, "\" sizes=\"");
	html_escape(&b, sizes ? sizes : "100vw");
	buf_puts(&b, "\" alt=\"");
	html_escape(&b, m->alt);
	buf_printf(&b, "\" width=\"%d\" height=\"%d\" decoding=\"async\"%s>"
	    "</picture></span>", vw, vh,
	    eager ? " fetchpriority=\"high\"" : " loading=\"lazy\"");
	out = arena_strdup(&r->arena, b.data);
	buf_release(&b);
	return out;
}
