# SPDX-License-Identifier: MIT
"""Search: /search (server-rendered) and /api/search (JSON).

Freshness is checked through the FastCGI socket right after each change
(nginx may keep an answer 5 s). Every test searches for made-up words of
its own, since all modules share one database.
"""

import re
import urllib.parse

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
from content_fixtures import *  # noqa: F401,F403


def api(q, client=None):
    c = client or Client("fcgi")
    r = c.get("/api/search?q=" + urllib.parse.quote(q))
    status(r, 200, "search %r" % q)
    eq(r.headers.get("Content-Type"), "application/json")
    eq(r.headers.get("Cache-Control"), PUBLIC_CACHE)
    eq(r.headers.get_all("Set-Cookie"), [])
    return r.json()


def urls(q, client=None):
    return [x["url"] for x in api(q, client)["results"]]


def mine(found, *wanted):
    """found restricted to the URLs a test made, in order: titles with
    other tests' made-up words may come close enough for the typo
    tolerance."""
    return [u for u in found if u in wanted]


def html_urls(page):
    """Result links of a /search page, in order."""
    ol = re.search(r'(?s)<ol id="search-results"[^>]*>(.*?)</ol>', page.text)
    ok(ol, "no results list")
    return re.findall(r'<h2><a href="([^"]+)">', ol.group(1))


@test
def accents_prefixes_and_typos():
    w = word(8)
    aid, slug = make_article(title="Les élections de Vél%s" % w,
                             summary="Le scrutin municipal approche.")
    url = "/articles/" + slug
    for c in (Client("fcgi"), Client("http")):
        for q in ("élections vél" + w, "elections vel" + w, "ELECTION VEL"
                  + w.upper(), "électi vel" + w, "vel" + w[:-2],
                  "l'élection de vél" + w):
            ok(url in urls(q, c), "%r finds %s via %s" % (q, url,
                                                           c.transport))
        data = api("election vel" + w, c)
        eq(data["query"], "election vel" + w)
        hit = [x for x in data["results"] if x["url"] == url][0]
        eq(hit["kind"], "article")
        eq(hit["title"], "Les élections de Vél" + w)
        eq(hit["summary"], "Le scrutin municipal approche.")
        matches(hit["published_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        eq(sorted(hit), ["kind", "published_at", "summary", "title", "url"])
    # a prefix of a word of the body only (titles alone are compared by
    # trigrams): the full-text prefix match
    b = word(10)
    bid, bslug = make_article(title="Sans rapport " + word(),
                              body_md="Le mot %s est rare." % b)
    ok("/articles/" + bslug in urls(b[:5]), "prefix of a body word")
    ok("/articles/" + bslug in urls("mot " + b[:6]), "words and a prefix")
    # a typo in the title's rare word: found by trigram similarity
    typo = "vel" + w[:3] + w[4:]
    ok(url in urls(typo), "typo %r finds %s" % (typo, url))
    ok(url in urls("elecion vel" + w), "elecion")
    ok(url not in urls("zz" + word(10)), "found by an unknown word")
    # made-up words never have q or x: nothing is close to this one
    eq(urls("qxwqxwqxw"), [], "results for a word like no other")


@test
def title_matches_rank_before_body_matches():
    w = word()
    body_id, body_slug = make_article(
        title="Un autre sujet " + word(), body_md="On y parle de %s." % w,
        when="now()")
    title_id, title_slug = make_article(
        title="Tout sur %s" % w, when="now() - interval '1 day'")
    both = ("/articles/" + title_slug, "/articles/" + body_slug)
    found = urls(w)
    eq(mine(found, *both), list(both), "title match first, though older")
    page = status(Client("fcgi").get("/search?q=" + w), 200)
    eq(html_urls(page), found, "the page ranks like the API")


@test
def drafts_and_scheduled_are_never_found():
    w = word()
    hidden = ("/articles/" + make_article(title="Brouillon " + w,
                                          status="draft")[1],
              "/articles/" + make_article(
                  title="Programmé " + w,
                  when="now() + interval '1 hour'")[1],
              "/pages/" + make_page(title="Page brouillon " + w,
                                    status="draft")[1])
    eq(mine(urls(w), *hidden), [])
    eq(mine(urls("brouillon " + w), *hidden), [])
    page = status(Client("fcgi").get("/search?q=" + w), 200)
    eq(mine(html_urls(page), *hidden), [])
    not_contains(page, "Brouillon " + w)


@test
def article_changes_are_searchable_at_once():
    w = word()
    aid, slug = make_article(title="Annonce " + w, status="draft")
    url = "/articles/" + slug
    eq(mine(urls(w), url), [], "draft")
    publish("articles", aid)
    eq(mine(urls(w), url), [url], "found right after publication")
    psql("UPDATE articles SET title = :'p1', updated_at = now() WHERE id = "
         ":'p2'", "Nouvelle annonce " + w + "nouveau", aid)
    eq(mine(urls(w + "nouveau"), url), [url], "found by its new title")
    eq([x["title"] for x in api(w)["results"] if x["url"] == url],
       ["Nouvelle annonce %snouveau" % w])
    unpublish("articles", aid)
    eq(mine(urls(w), url), [], "gone right after unpublication")
    publish("articles", aid)
    eq(mine(urls(w), url), [url], "back")
    publish("articles", aid, "now() + interval '1 hour'")
    eq(mine(urls(w), url), [], "rescheduled: gone until its time")
    publish("articles", aid)
    psql("DELETE FROM articles WHERE id = :'p1'", aid)
    eq(mine(urls(w), url), [], "gone right after deletion")
    page = status(Client("fcgi").get("/search?q=" + w), 200)
    eq(mine(html_urls(page), url), [])


@test
def page_changes_are_searchable_at_once():
    w = word()
    pid, slug = make_page(title="Charte " + w, status="draft")
    url = "/pages/" + slug
    eq(mine(urls(w), url), [])
    publish("pages", pid)
    res = api(w)["results"]
    eq(mine([x["url"] for x in res], url), [url])
    eq([x["kind"] for x in res if x["url"] == url], ["page"])
    page = status(Client("fcgi").get("/search?q=" + w), 200)
    eq(mine(html_urls(page), url), [url])
    contains(page, '<span class="kind">Page</span>')
    unpublish("pages", pid)
    eq(mine(urls(w), url), [])
    publish("pages", pid)
    psql("DELETE FROM pages WHERE id = :'p1'", pid)
    eq(mine(urls(w), url), [])


@test
def results_are_bounded():
    w = word()
    for i in range(23):
        make_article(title="Série %s numéro %d" % (w, i),
                     when="now() - interval '%d minutes'" % i)
    eq(len(urls(w)), 20)
    page = status(Client("fcgi").get("/search?q=" + w), 200)
    eq(len(html_urls(page)), 20)
    contains(page, "20 résultats.")


@test
def query_length_limits():
    c = Client("fcgi")
    for q in ("", "a", "  a  ", "é", "%20%20", "x" * 101, "é" * 101):
        path = "/api/search?q=" + (q if "%" in q else urllib.parse.quote(q))
        r = status(c.get(path), 400, "api q=%r" % q)
        eq(r.headers.get("Content-Type"), "application/problem+json")
        eq(r.json()["status"], 400)
    status(c.get("/api/search"), 400, "no q")
    ok(isinstance(api("é" * 100)["results"], list), "100 characters")
    eq(api("  ab  ")["query"], "ab", "trimmed")
    # the page: a message and no search
    r = status(c.get("/search?q=a"), 200)
    contains(r, "Saisissez au moins 2 caractères.")
    eq(html_urls(r), [])
    r = status(c.get("/search?q=" + "x" * 101), 200)
    contains(r, "100 caractères au plus")
    r = status(c.get("/search"), 200)
    f = find_form(r.text, "/search")
    eq(f.method, "get")
    eq(r.headers.get("Cache-Control"), PUBLIC_CACHE)
    contains(r, '<label for="q">')
    contains(r, 'aria-live="polite"')


@test
def hostile_queries_never_break():
    c = Client("fcgi")
    queries = ["a & | ! :*", "!!", "(((", "'", "''", '"', "\\", "a:*",
               "a <-> b", "a <2> b", "&&", "|| !x", "x' | 'y", "x:A*",
               "ab" * 50, "é:*&", "\u200b\u200b", "日本語 検索",
               "a\tb\nc", "😀😀", "1 2 3 4 5 6 7 8 9 10 11 12 13 14",
               "-- ;DROP TABLE articles", "%s%n", "<script>x</script>"]
    for q in queries:
        for path in ("/api/search?q=", "/search?q="):
            r = c.get(path + urllib.parse.quote(q))
            status(r, (200, 400), "%s%r" % (path, q))
    for raw in ("%ff%fe", "%c3%28", "ab%00cd", "%e2%82", "ab%"):
        for path in ("/api/search?q=", "/search?q="):
            status(c.get(path + raw), 400, "%s%s" % (path, raw))
    ok(int(psql_value("SELECT count(*) FROM articles")) > 0, "still there")


@test
def snippets_and_titles_are_escaped():
    w = word()
    aid, slug = make_article(
        title="<script>alert(1)</script> %s & co" % w,
        summary="Le %s <img src=x onerror=alert(2)> a < b && c > d "
                "\"guillemets\"" % w)
    for c in (Client("fcgi"), Client("http")):
        page = status(c.get("/search?q=" + w), 200)
        html = page.text
        ol = matches(html, r'(?s)<ol id="search-results"[^>]*>(.*?)</ol>'
                     ).group(1)
        not_contains(ol, "<script>")
        not_contains(ol, "<img")
        contains(ol, "&lt;script&gt;alert(1)&lt;/script&gt; %s &amp; co" % w)
        snippet = matches(ol, r'<p class="snippet">(.*?)</p>').group(1)
        contains(snippet, "<mark>%s</mark>" % w, "match highlighted")
        eq(re.sub(r"</?mark>", "", snippet).count("<"), 0,
           "only <mark> tags in the snippet: %s" % snippet)
        contains(snippet, "a &lt; b &amp;&amp; c &gt; d")
    eq([x["title"] for x in api(w)["results"] if x["url"] == "/articles/" +
        slug], ["<script>alert(1)</script> %s & co" % w], "JSON: as typed")
