/* mailmerge: a campaign's placeholders filled for one recipient. */
#include "../../app/core/common.h"
#include "../../app/core/buf.h"
#include "../../app/core/mailmerge.h"
#include "unit.h"

static const struct merge_field fields[] = {
	{ "first_name", "<script>alert(1)</script> & {committee}" },
	{ "committee", "Lyon 1er" },
	{ "unsubscribe_url", "https://x.test/unsubscribe/1.2.a?b=c&d" },
};

static char *
merged(const char *tpl, int mode)
{
	static char out[1024];
	struct buf b;

	buf_init(&b, sizeof(out) - 1);
	if (mail_merge(&b, tpl, fields, ARRAY_SIZE(fields), mode) < 0)
		snprintf(out, sizeof(out), "(full)");
	else
		snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	buf_release(&b);
	return out;
}

/* The text part takes the values as they are, once: a value that holds a
 * placeholder is not filled again. */
static void
merge_text_fills_once(void)
{
	EQ_STR(merged("Bonjour {first_name}, {committee}!", MERGE_TEXT),
	    "Bonjour <script>alert(1)</script> & {committee}, Lyon 1er!");
	EQ_STR(merged("{unknown} {first_name", MERGE_TEXT),
	    "{unknown} {first_name");
	EQ_STR(merged("", MERGE_TEXT), "");
	EQ_STR(merged("%7Bcommittee%7D", MERGE_TEXT), "%7Bcommittee%7D");
}

/* The HTML part escapes every value, and fills a placeholder Markdown
 * percent-encoded inside a link. */
static void
merge_html_escapes(void)
{
	EQ_STR(merged("<p>{first_name}</p>", MERGE_HTML),
	    "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; {committee}</p>");
	EQ_STR(merged("<a href=\"%7Bunsubscribe_url%7D\">x</a>", MERGE_HTML),
	    "<a href=\"https://x.test/unsubscribe/1.2.a?b=c&amp;d\">x</a>");
	EQ_STR(merged("%7bcommittee%7d %7B", MERGE_HTML), "Lyon 1er %7B");
}

UNIT_SUITE(mailmerge,
    UNIT(merge_text_fills_once),
    UNIT(merge_html_escapes))
