/*
 * markdown: cmark in safe mode plus our own pass over the tree (see
 * markdown.h for the contract).
 */
#include "../core/common.h"
#include "markdown.h"
#include "../core/escape.h"

#include <cmark.h>
#include <ctype.h>

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * The scheme of url as a browser would read it, lowercased into out, or ""
 * when there is none. Browsers drop tabs and newlines anywhere in a URL and
 * leading control characters and spaces; we drop every byte <= 0x20 and
 * 0x7f, and decode %XX first so that "java%09script:" and "%6Aavascript:"
 * are read as the worst case. cmark has already decoded entities.
 */
static void
url_scheme(const char *url, char *out, size_t outsz)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)url;

	out[0] = '\0';
	for (; *p; p++) {
		int c = *p;

		if (c == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			c = hexval(p[1]) * 16 + hexval(p[2]);
			p += 2;
		}
		if (c <= 0x20 || c == 0x7f)
			continue;
		if (c == ':') {
			out[n] = '\0';
			return;
		}
		/* A path, query or fragment starts first: no scheme. */
		if (c == '/' || c == '?' || c == '#' || c == '\\') {
			out[0] = '\0';
			return;
		}
		if (n + 1 >= outsz) {	/* no scheme we allow is this long */
			snprintf(out, outsz, "?");
			return;
		}
		out[n++] = (char)tolower(c);
	}
	out[0] = '\0';	/* no colon at all: relative */
}

int
markdown_url_allowed(const char *url, int image)
{
	char scheme[32];

	if (!url)
		return 1;
	url_scheme(url, scheme, sizeof(scheme));
	if (!scheme[0])
		return 1;	/* relative: a path, a query, a fragment */
	if (!strcmp(scheme, "http") || !strcmp(scheme, "https"))
		return 1;
	return !image && !strcmp(scheme, "mailto");
}

static int
node_is_raw(cmark_node *n)
{
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_HTML_BLOCK:
	case CMARK_NODE_HTML_INLINE:
	case CMARK_NODE_CUSTOM_BLOCK:
	case CMARK_NODE_CUSTOM_INLINE:
		return 1;
	default:
		return 0;
	}
}

/* Empty the URLs we refuse and take out raw HTML nodes (removed after the
 * walk: the iterator must not see its nodes freed). */
static void
markdown_clean(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_node **drop = NULL;
	size_t ndrop = 0, cap = 0;
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);

		if (ev != CMARK_EVENT_ENTER)
			continue;
		if ((t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE) &&
		    !markdown_url_allowed(cmark_node_get_url(n),
		    t == CMARK_NODE_IMAGE))
			cmark_node_set_url(n, "");
		if (node_is_raw(n)) {
			if (ndrop == cap) {
				cap = cap ? cap * 2 : 16;
				drop = xrealloc(drop, cap * sizeof(*drop));
			}
			drop[ndrop++] = n;
		}
	}
	cmark_iter_free(it);
	for (size_t i = 0; i < ndrop; i++)
		cmark_node_free(drop[i]);	/* unlinks it too */
	free(drop);
}

char *
markdown_to_html(const char *md, size_t len)
{
	cmark_node *doc;
	char *html;

	/* CMARK_OPT_SAFE is the default since 0.29; we never pass UNSAFE. */
	doc = cmark_parse_document(md ? md : "", md ? len : 0,
	    CMARK_OPT_DEFAULT | CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8);
	if (!doc)
		return NULL;
	markdown_clean(doc);
	html = cmark_render_html(doc, CMARK_OPT_DEFAULT | CMARK_OPT_SAFE);
	cmark_node_free(doc);
	/* cmark copies controls and noncharacters, which HTML forbids. */
	return html ? html_drop_forbidden(html) : NULL;
}
