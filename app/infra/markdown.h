/*
 * markdown: what an editor types, as HTML a reader can be given.
 *
 * cmark (CommonMark) in its safe mode does the parsing and the escaping:
 * raw HTML is never emitted and javascript:, vbscript:, file: and data:
 * (bar a few image types) URLs are emptied. On top of that, as a defence
 * in depth, the syntax tree is walked before rendering: raw HTML nodes are
 * removed, and a link or image keeps its URL only when its scheme (read
 * after dropping control characters and whitespace, decoding %XX and
 * ignoring case) is http, https or mailto (links only), or when it has no
 * scheme at all (a relative path, a #fragment). The code points HTML
 * forbids (controls, noncharacters) are dropped from the result.
 *
 * Bodies are rendered at save time (admin_articles.c, admin_pages.c) and on demand
 * (`civitas-fcgi rerender`, after a change here); readers only ever get
 * the stored HTML.
 */
#ifndef CIVITAS_MARKDOWN_H
#define CIVITAS_MARKDOWN_H

#include <stddef.h>

/* The sanitised HTML of len bytes of Markdown: malloc'd (free() it),
 * NUL-terminated; NULL only when cmark fails. */
char *markdown_to_html(const char *md, size_t len);

/* Is this link (image: 0) or image (1) URL one we let a reader follow?
 * Exposed for the unit tests. */
int markdown_url_allowed(const char *url, int image);

#endif
