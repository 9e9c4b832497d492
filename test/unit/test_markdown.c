/* markdown: whatever an editor types, no script reaches a reader. */
#include "../../app/core/common.h"
#include "../../app/infra/markdown.h"
#include "unit.h"

#include <ctype.h>

/*
 * Vectors an editor (or whoever stole an editor's session) could type.
 * Each is rendered and the HTML must carry no script, no event handler and
 * no dangerous URL scheme, however written.
 */
static const char *const xss[] = {
	"<script>alert(1)</script>",
	"<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
	"text <script>alert(1)</script> inline",
	"<img src=x onerror=alert(1)>",
	"<IMG SRC=x ONERROR=\"alert(1)\">",
	"<svg onload=alert(1)>",
	"<svg><script>alert(1)</script></svg>",
	"<iframe src=\"javascript:alert(1)\"></iframe>",
	"<a href=\"javascript:alert(1)\">x</a>",
	"<a href=\"&#106;avascript:alert(1)\">x</a>",
	"[x](javascript:alert(1))",
	"[x](JaVaScRiPt:alert(1))",
	"[x]( javascript:alert(1))",
	"[x](<java script:alert(1)>)",
	"[x](java&#x09;script:alert(1))",
	"[x](java&#9;script:alert(1))",
	"[x](&#106;avascript:alert(1))",
	"[x](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
	"[x](&Tab;javascript:alert(1))",
	"[x](%6Aavascript:alert(1))",
	"[x](javascript%3Aalert(1))",
	"[x](java%0Ascript:alert(1))",
	"[x](vbscript:msgbox(1))",
	"[x](VBScript:msgbox(1))",
	"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"[x](DATA:text/html,<script>alert(1)</script>)",
	"[x](file:///etc/passwd)",
	"![x](javascript:alert(1))",
	"![x](data:text/html;base64,PHNjcmlwdD4=)",
	"![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
	"<javascript:alert(1)>",
	"<JAVASCRIPT:alert(1)>",
	"<vbscript:msgbox(1)>",
	"[x][r]\n\n[r]: javascript:alert(1)",
	"[r]\n\n[r]: <javascript:alert(1)> \"t\"",
	"![x][r]\n\n[r]: javascript:alert(1)",
	"<!-- <script>alert(1)</script> -->",
	"<style>body{background:url(javascript:alert(1))}</style>",
	"<div style=\"background:url(javascript:alert(1))\">x</div>",
	"<p onmouseover=\"alert(1)\">x</p>",
	"<a onmouseover=alert(1)>x</a>",
	"[x](https://example.org \"a\\\" onmouseover=\\\"alert(1)\")",
	"[x](https://example.org 'x\" onmouseover=\"alert(1)')",
	"![a\" onerror=\"alert(1)](https://example.org/i.png)",
	"[x](https://example.org\" onmouseover=\"alert(1))",
	"<details open ontoggle=alert(1)>",
	"<object data=\"javascript:alert(1)\"></object>",
	"<embed src=\"javascript:alert(1)\">",
	"<form action=\"javascript:alert(1)\"><button>x</button></form>",
	"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
	"<<script>script>alert(1)<</script>/script>",
	"<scr<script>ipt>alert(1)</script>",
	"```\n</code><script>alert(1)</script>\n```",
	"`<script>alert(1)</script>`",
	"    <script>alert(1)</script>",
	"<base href=\"javascript:/\">",
	"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
	"[x](\\javascript:alert(1))",
	"[x](javascript\\:alert(1))",
	"[x](\x01javascript:alert(1))",
};

static int
has_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

/* An attribute on...= inside a tag, outside quoted values: " on", letters
 * then "=". */
static int
has_handler(const char *html)
{
	int in_tag = 0, quote = 0;

	for (const char *p = html; *p; p++) {
		if (in_tag && quote) {
			if (*p == quote)
				quote = 0;
		} else if (in_tag && (*p == '"' || *p == '\''))
			quote = *p;
		else if (*p == '<')
			in_tag = 1;
		else if (*p == '>')
			in_tag = 0;
		else if (in_tag && isspace((unsigned char)*p) &&
		    tolower((unsigned char)p[1]) == 'o' &&
		    tolower((unsigned char)p[2]) == 'n') {
			const char *q = p + 3;

			while (isalpha((unsigned char)*q))
				q++;
			while (isspace((unsigned char)*q))
				q++;
			if (*q == '=')
				return 1;
		}
	}
	return 0;
}

/* href="..." or src="..." whose value, without control characters and
 * whitespace, starts with a dangerous scheme. */
static int
has_bad_url(const char *html)
{
	static const char *const attrs[] = { "href=\"", "src=\"" };
	static const char *const bad[] = { "javascript:", "vbscript:",
	    "data:", "file:" };

	for (size_t a = 0; a < ARRAY_SIZE(attrs); a++) {
		for (const char *p = html; (p = strstr(p, attrs[a])); p++) {
			char v[64];
			size_t n = 0;

			for (const char *q = p + strlen(attrs[a]);
			    *q && *q != '"' && n + 1 < sizeof(v); q++)
				if ((unsigned char)*q > 0x20)
					v[n++] = *q;
			v[n] = '\0';
			for (size_t b = 0; b < ARRAY_SIZE(bad); b++)
				if (!strncasecmp(v, bad[b], strlen(bad[b])))
					return 1;
		}
	}
	return 0;
}

static int
clean(const char *md)
{
	char *html = markdown_to_html(md, strlen(md));
	int ok;

	if (!html) {
		fprintf(stderr, "markdown_to_html(%s) failed\n", md);
		return 0;
	}
	ok = !has_ci(html, "<script") && !has_handler(html) &&
	    !has_bad_url(html) && !has_ci(html, "javascript:\"") &&
	    !has_ci(html, "<iframe") && !has_ci(html, "<svg") &&
	    !has_ci(html, "<style") && !has_ci(html, "<img src=\"x\"") &&
	    !has_ci(html, "<object") && !has_ci(html, "<embed") &&
	    !has_ci(html, "<base") && !has_ci(html, "<meta") &&
	    !has_ci(html, "<form") && !has_ci(html, "<details");
	if (!ok)
		fprintf(stderr, "  unsafe output for %s:\n  %s\n", md, html);
	free(html);
	return ok;
}

static void
xss_vectors_are_neutralised(void)
{
	CHECK(ARRAY_SIZE(xss) >= 30);
	for (size_t i = 0; i < ARRAY_SIZE(xss); i++)
		CHECK(clean(xss[i]));
}

/* The checks themselves must see what they look for. */
static void
checks_catch_unsafe_markup(void)
{
	CHECK(has_handler("<img src=\"x\" onerror=\"alert(1)\">"));
	CHECK(has_handler("<p\tONmouseover = x>"));
	CHECK(!has_handler("<p>once upon a time one=1</p>"));
	CHECK(!has_handler("<a title=\"a onclick=x\">"));
	CHECK(has_handler("<a title=\"a\" onclick=x>"));
	CHECK(has_bad_url("<a href=\"java\tscript:x\">"));
	CHECK(has_bad_url("<a href=\" JavaScript:x\">"));
	CHECK(has_bad_url("<img src=\"data:text/html,x\">"));
	CHECK(!has_bad_url("<a href=\"https://example.org\">"));
}

static int
renders(const char *md, const char *want)
{
	char *html = markdown_to_html(md, strlen(md));
	int ok = html && strstr(html, want) != NULL;

	if (!ok)
		fprintf(stderr, "  %s\n  gave: %s\n  wanted: %s\n", md,
		    html ? html : "(null)", want);
	free(html);
	return ok;
}

static void
markdown_still_works(void)
{
	CHECK(renders("# Titre", "<h1>Titre</h1>"));
	CHECK(renders("## Sous-titre", "<h2>Sous-titre</h2>"));
	CHECK(renders("un *mot* et un **autre**",
	    "<p>un <em>mot</em> et un <strong>autre</strong></p>"));
	CHECK(renders("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"));
	CHECK(renders("1. a\n2. b", "<ol>\n<li>a</li>"));
	CHECK(renders("[site](https://example.org/a?b=1&c=2)",
	    "<a href=\"https://example.org/a?b=1&amp;c=2\">site</a>"));
	CHECK(renders("[page](/pages/mentions-legales)",
	    "<a href=\"/pages/mentions-legales\">page</a>"));
	CHECK(renders("[ancre](#top)", "<a href=\"#top\">ancre</a>"));
	CHECK(renders("[écrire](mailto:contact@example.org)",
	    "<a href=\"mailto:contact@example.org\">"));
	CHECK(renders("[t](http://example.org \"Un titre\")",
	    "<a href=\"http://example.org\" title=\"Un titre\">t</a>"));
	CHECK(renders("![une photo](https://example.org/p.jpg)",
	    "<img src=\"https://example.org/p.jpg\" alt=\"une photo\" />"));
	CHECK(renders("![relative](/img/a.jpg)", "src=\"/img/a.jpg\""));
	CHECK(renders("```\n<b>gras</b> & co\n```",
	    "<pre><code>&lt;b&gt;gras&lt;/b&gt; &amp; co\n</code></pre>"));
	CHECK(renders("`a < b`", "<code>a &lt; b</code>"));
	CHECK(renders("> citation", "<blockquote>\n<p>citation</p>"));
	CHECK(renders("Élection & « guillemets »",
	    "<p>Élection &amp; « guillemets »</p>"));
	CHECK(renders("", ""));
	/* Controls and noncharacters, which HTML forbids, are dropped. */
	CHECK(renders("a\x01" "b\x7f\xc2\x85" "c\xef\xbf\xbf `d\x02" "e`",
	    "<p>abc <code>de</code></p>"));
}

static void
dangerous_links_keep_their_text(void)
{
	CHECK(renders("[cliquez](javascript:alert(1))",
	    "<a href=\"\">cliquez</a>"));
	CHECK(renders("[x](%6Aavascript:alert(1))", "<a href=\"\">x</a>"));
	CHECK(renders("avant <b>gras</b> après", "avant gras après"));
}

static void
url_policy(void)
{
	CHECK(markdown_url_allowed("https://example.org", 0));
	CHECK(markdown_url_allowed("HTTP://example.org", 1));
	CHECK(markdown_url_allowed("/a/b:c", 0));
	CHECK(markdown_url_allowed("?q=a:b", 0));
	CHECK(markdown_url_allowed("#x", 0));
	CHECK(markdown_url_allowed("mailto:a@b.c", 0));
	CHECK(markdown_url_allowed("", 0));
	CHECK(!markdown_url_allowed("mailto:a@b.c", 1));
	CHECK(!markdown_url_allowed("javascript:x", 0));
	CHECK(!markdown_url_allowed(" \t\njava\tscript:x", 0));
	CHECK(!markdown_url_allowed("\x01javascript:x", 0));
	CHECK(!markdown_url_allowed("jav%61script:x", 0));
	CHECK(!markdown_url_allowed("data:image/png;base64,AAAA", 1));
	CHECK(!markdown_url_allowed("data:text/html,x", 0));
	CHECK(!markdown_url_allowed("ftp://example.org", 0));
	CHECK(!markdown_url_allowed("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaa:x", 0));
}

UNIT_SUITE(markdown,
    UNIT(xss_vectors_are_neutralised),
    UNIT(checks_catch_unsafe_markup),
    UNIT(markdown_still_works),
    UNIT(dangerous_links_keep_their_text),
    UNIT(url_policy))
