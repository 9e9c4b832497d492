/*
 * search: full text over the public content (search_documents, kept by
 * triggers in the same transaction as every change; sql/002_content.sql).
 *
 * User text never reaches tsquery syntax: the query is cut into words of
 * letters and digits only (UTF-8 aware, through the process's C.UTF-8
 * LC_CTYPE), then C writes "w1 & w2 & w3:*" itself: every word must match,
 * the last one as a prefix (search-as-you-type). Ranked by ts_rank_cd then
 * recency; when those do not fill the 20 places, titles close to the query
 * (pg_trgm word similarity: typos) follow (sql_public.def).
 * Snippets come from ts_headline with control characters around the
 * matches, so the text is escaped first and only then gets its <mark>s.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../core/valid.h"
#include "features.h"

#include <ctype.h>
#include <jansson.h>
#include <wchar.h>
#include <wctype.h>

#define SEARCH_MIN 2		/* characters, after trimming */
#define SEARCH_MAX 100
#define SEARCH_WORDS 10		/* words kept from a query */
#define SEARCH_LIMIT "20"
#define SEARCH_CACHE "public, max-age=5"

enum search_state { S_NONE, S_SHORT, S_LONG, S_OK };

struct search {
	enum search_state state;
	const char *q;		/* trimmed */
	const char *tsquery;	/* "" when q has no word */
	const char *words;	/* the words, space-separated */
};

/* q without surrounding white space, in r's arena. */
static const char *
trim(struct req *r, const char *s)
{
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return arena_strndup(&r->arena, s, n);
}

/* Append the next word of *p (letters and digits) to b; 0 at the end. */
static int
next_word(const char **p, struct buf *b)
{
	mbstate_t st;
	size_t start = b->len;

	memset(&st, 0, sizeof(st));
	while (**p) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, *p, strlen(*p), &st);

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			(*p)++;	/* cannot happen: the query is valid UTF-8 */
			memset(&st, 0, sizeof(st));
			continue;
		}
		if (iswalnum((wint_t)wc))
			buf_append(b, *p, n);
		*p += n;
		if (!iswalnum((wint_t)wc) && b->len > start)
			break;
	}
	return b->len > start;
}

/* Check and cut the query (NULL: none given). */
static void
search_parse(struct req *r, const char *raw, struct search *s)
{
	struct buf tsq, words, w;
	const char *p;
	int n = 0;

	memset(s, 0, sizeof(*s));
	s->q = raw ? trim(r, raw) : "";
	s->tsquery = s->words = "";
	if (!*s->q)
		return;
	s->state = utf8_length(s->q) < SEARCH_MIN ? S_SHORT :
	    utf8_length(s->q) > SEARCH_MAX ? S_LONG : S_OK;
	if (s->state != S_OK)
		return;
	buf_init(&tsq, 4096);
	buf_init(&words, 4096);
	buf_init(&w, 4096);
	for (p = s->q; n < SEARCH_WORDS && next_word(&p, &w); n++) {
		buf_printf(&tsq, "%s%s", n ? " & " : "", w.data);
		buf_printf(&words, "%s%s", n ? " " : "", w.data);
		buf_reset(&w);
	}
	if (n)
		buf_puts(&tsq, ":*");	/* the word being typed */
	s->tsquery = arena_strdup(&r->arena, tsq.data ? tsq.data : "");
	s->words = arena_strdup(&r->arena, words.data ? words.data : "");
	buf_release(&tsq);
	buf_release(&words);
	buf_release(&w);
}

/*
 * The results kept by this worker: a small table of copies, emptied at
 * once when anything may have changed (rather than entry by entry) and
 * when it is full. Valid while no notification came since `notified`, on
 * the same connection (a notification could have been lost in between),
 * and before `until` (monotonic seconds; 0: nothing kept).
 */
#define KEPT_SLOTS 128

static struct kept {
	char *key;
	PGresult *res;
} kept[KEPT_SLOTS];
static size_t nkept;
static unsigned long kept_notified, kept_generation;
static double kept_until;

static void
kept_clear(void)
{
	for (size_t i = 0; i < nkept; i++) {
		free(kept[i].key);
		PQclear(kept[i].res);
	}
	nkept = 0;
	kept_until = 0;
}

/* Whether what is kept is still true (else it is emptied). Reads the
 * notifications that arrived. */
static int
kept_valid(struct db *db)
{
	if (db_notifications(db) != 0 || db->notified != kept_notified ||
	    db->generation != kept_generation || mono_now() >= kept_until) {
		kept_clear();
		return 0;
	}
	return 1;
}

/* Arm an empty table: trusted until the next document that appears or
 * leaves by itself, SEARCH_CACHE_SECONDS at most. Before the search it
 * covers, so that nothing comes due between the two. -1 on failure. */
static int
kept_arm(struct req *r, unsigned long notified, unsigned long generation)
{
	PGresult *res = q(r, STMT_SEARCH_DUE);
	double ttl = r->cfg->search_cache_seconds, due;

	if (!res)
		return -1;
	due = PQgetisnull(res, 0, DUE_SECONDS) ? ttl :
	    strtod(db_str(res, 0, DUE_SECONDS), NULL);
	if (!(due >= 0))	/* not a number: trust nothing */
		due = 0;
	kept_until = mono_now() + MIN(ttl, due);
	kept_notified = notified;
	kept_generation = generation;
	return 0;
}

/* The matches of s (NULL with r->unavailable set on failure); a kept copy
 * when there is one (X-Search-Cache says which). */
static PGresult *
search_run(struct req *r, const struct search *s)
{
	struct db *db = &r->app->db;
	unsigned long notified, generation;
	const char *key;
	PGresult *res;
	int keep = r->cfg->search_cache_seconds > 0;

	key = arena_printf(&r->arena, "%s\x1f%s", s->tsquery, s->words);
	if (keep && kept_valid(db))
		for (size_t i = 0; i < nkept; i++)
			if (!strcmp(kept[i].key, key)) {
				resp_header(r, "X-Search-Cache", "HIT");
				return kept[i].res;
			}
	/* What a notification during the statements below would change. */
	notified = db->notified;
	generation = db->generation;
	if (keep && !kept_until && kept_arm(r, notified, generation) < 0)
		keep = 0;
	/* The replica was chosen fresh up to fewer notifications (issue 13,
	 * replica.c): what is kept must hold them all, ask the primary. */
	if (r->replica && r->replica_notified != notified)
		r->replica = 0;
	if (!(res = q(r, STMT_SEARCH, s->tsquery, s->words, SEARCH_LIMIT)))
		return NULL;
	if (keep && kept_until) {
		if (nkept == KEPT_SLOTS)
			kept_clear();
		else {
			kept[nkept].key = xstrdup(key);
			kept[nkept].res = PQcopyResult(res, PG_COPYRES_ATTRS |
			    PG_COPYRES_TUPLES);
			if (kept[nkept].res)
				nkept++;
			else
				free(kept[nkept].key);
		}
	}
	resp_header(r, "X-Search-Cache", "MISS");
	return res;
}

/* A ts_headline snippet as HTML: the text escaped, \001 and \002 become
 * <mark> and </mark>, balanced. */
static const char *
snippet_html(struct req *r, const char *s)
{
	struct buf b, run;
	int open = 0;
	char *out;

	buf_init(&b, 64 * 1024);
	buf_init(&run, 64 * 1024);
	for (;; s++) {
		if (*s && (unsigned char)*s >= 0x20) {
			buf_putc(&run, *s);
			continue;
		}
		html_escape(&b, run.data ? run.data : "");
		buf_reset(&run);
		if (!*s)
			break;
		if (*s == '\001' && !open)
			buf_puts(&b, "<mark>"), open = 1;
		else if (*s == '\002' && open)
			buf_puts(&b, "</mark>"), open = 0;
		else if (*s == '\n' || *s == '\t')
			buf_putc(&b, ' ');
	}
	if (open)
		buf_puts(&b, "</mark>");
	out = arena_strdup(&r->arena, b.data ? b.data : "");
	buf_release(&run);
	buf_release(&b);
	return out;
}

static const char *
kind_label(const char *kind)
{
	if (!strcmp(kind, "article"))
		return "Article";
	if (!strcmp(kind, "page"))
		return "Page";
	if (!strcmp(kind, "committee"))
		return "Comité";
	if (!strcmp(kind, "event"))
		return "Événement";
	if (!strcmp(kind, "mission"))	/* issue 11 */
		return "Mission de bénévolat";
	return kind;
}

/* Results: 0 url, 1 title, 2 kind, 3 iso date, 4 date, 5 snippet (raw). */
static void
result_rows(struct req *r, struct view *v, const PGresult *res)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; res && i < PQntuples(res); i++) {
		const char *snip = db_str(res, i, HIT_SNIPPET);

		view_rows_add_html(&rows, 1u << 5, 6, db_str(res, i, HIT_URL),
		    db_str(res, i, HIT_TITLE), kind_label(db_str(res, i,
		    HIT_KIND)), db_str(res, i, HIT_ISO), db_str(res, i,
		    HIT_DATE), snippet_html(r, *snip ? snip : db_str(res, i,
		    HIT_SUMMARY)));
	}
	view_rows_set(v, "results", &rows);
}

/*
 * GET /search?q=: the form, and the results of q when given (a message
 * when it is too short or too long). Works without JavaScript;
 * 10-search.js updates the same list as the user types. 200; 503.
 */
int
search_get(struct req *r)
{
	struct search s;
	PGresult *res = NULL;
	struct view v;
	int n;

	search_parse(r, req_query(r, "q"), &s);
	if (s.state == S_OK && *s.tsquery && !(res = search_run(r, &s)))
		return unavailable(r);
	n = res ? PQntuples(res) : 0;
	view_init(&v, &r->arena, 0);
	view_str(&v, "q", s.q);
	view_str(&v, "error", s.state == S_SHORT ? "Saisissez au moins 2 "
	    "caractères." : s.state == S_LONG ? "Votre recherche est trop "
	    "longue : 100 caractères au plus." : "");
	view_int(&v, "count", n);
	view_str(&v, "status", s.state != S_OK ? "" : n == 0 ?
	    "Aucun résultat." : n == 1 ? "1 résultat." :
	    arena_printf(&r->arena, "%d résultats.", n));
	result_rows(r, &v, res);
	r->head_html = "<meta name=\"robots\" content=\"noindex\">\n";
	if (s.state == S_NONE) {	/* the bare form is worth indexing */
		struct buf b;

		buf_init(&b, 4096);
		buf_puts(&b, "<link rel=\"canonical\" href=\"");
		html_escape(&b, r->app->cfg.base_url);
		buf_puts(&b, "/search\">\n");
		r->head_html = arena_strdup(&r->arena, b.data);
		buf_release(&b);
	}
	r->description = "Rechercher dans les actualités et les pages du "
	    "mouvement.";
	r->cache = SEARCH_CACHE;
	return render(r, 200, "search", &v, s.state == S_OK ?
	    arena_printf(&r->arena, "Recherche : %s", s.q) : "Rechercher");
}

static json_t *
result_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}",
	    "kind", db_str(res, i, HIT_KIND), "title", db_str(res, i, HIT_TITLE),
	    "url", db_str(res, i, HIT_URL), "summary", db_str(res, i,
	    HIT_SUMMARY), "published_at", db_str(res, i, HIT_ISO));
}

/*
 * GET /api/search?q=: {"query", "results": [{"kind", "title", "url",
 * "summary", "published_at"}]}, best first, 20 at most. 200; 400
 * problem+json for a missing, too short or too long q; 503.
 */
int
api_search_get(struct req *r)
{
	struct search s;
	PGresult *res = NULL;
	json_t *list;

	search_parse(r, req_query(r, "q"), &s);
	if (s.state != S_OK)
		return resp_problem(r, 400, "Recherche invalide",
		    s.state == S_LONG ? "q : 100 caractères au plus." :
		    "q : au moins 2 caractères.");
	if (*s.tsquery && !(res = search_run(r, &s)))
		return resp_problem(r, unavailable(r), "Service indisponible",
		    "La base de données ne répond pas.");
	list = json_array();
	for (int i = 0; res && i < PQntuples(res); i++)
		json_array_append_new(list, result_json(res, i));
	r->cache = SEARCH_CACHE;
	return resp_json(r, 200, json_pack("{s:s, s:o}", "query", s.q,
	    "results", list));
}
