# SPDX-License-Identifier: MIT
"""The public site: homepage, lists, articles, pages, feed, sitemap,
robots.txt, redirections and the 404 page, caching, previews.

Content is written with psql (content_fixtures.py). Checks go through
the FastCGI socket and through nginx; nginx may keep an anonymous page 5 s
(micro-cache), so an nginx check after a change uses a URL nginx has not
served yet or polls (eventually_http).
"""

import html
import re
import time
import urllib.parse

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
from content_fixtures import *  # noqa: F401,F403

RSS_ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def fcgi():
    return Client("fcgi")


def public_headers(resp, what):
    eq(resp.headers.get("Cache-Control"), PUBLIC_CACHE, what)
    eq(resp.headers.get_all("Set-Cookie"), [], what + ": Set-Cookie")


def fresh(path):
    """path with a query nginx has never seen (the handlers ignore it)."""
    return path + ("&" if "?" in path else "?") + "t=" + word(6)


@test
def homepage_shows_featured_grid_and_blocks():
    media = make_media("Une foule sur une place")
    cid, cslug, cname = make_category()
    fid, fslug = make_article(title="À la une " + word(), featured=True,
                              media_id=media, category_id=cid,
                              when="now() - interval '10 seconds'")
    # newer, not featured: still in the grid, not in the featured slot
    gid, gslug = make_article(media_id=media, category_id=cid,
                              when="now() - interval '5 seconds'")
    bid, btitle = make_block(media_id=media, link="/signup", position=-1000)
    hidden_id, hidden_title = make_block(visible=False)
    for c in (fcgi(), Client("http")):
        path = "/" if c.transport == "fcgi" else fresh("/")
        page = status(c.get(path), 200, c.transport)
        public_headers(page, "homepage via " + c.transport)
        html = page.text
        featured = matches(html, r'(?s)<article class="featured">(.*?)'
                           r'</article>').group(1)
        contains(featured, 'href="/articles/%s"' % fslug)
        contains(featured, cname)
        hero = imgs(featured)
        eq(len(hero), 2, "placeholder and picture in the featured article")
        ok(hero[0]["src"].startswith("data:image/jpeg;base64,"),
           "placeholder: %s" % hero[0])
        eq(hero[1].get("fetchpriority"), "high", "the hero loads at once")
        ok("loading" not in hero[1], "the hero is not lazy")
        grid = matches(html, r'(?s)<ul class="cards">(.*?)</ul>').group(1)
        contains(grid, 'href="/articles/%s"' % gslug)
        not_contains(grid, 'href="/articles/%s"' % fslug,
                     "the featured article is not repeated in the grid")
        ok(grid.count('<li class="card">') <= 12, "12 cards at most")
        for img in imgs(grid):
            ok(img.get("width") and img.get("height"), "size: %s" % img)
            if "pic-img" in img.get("class", ""):
                eq(img.get("loading"), "lazy", "card image lazy")
                ok(img["src"].startswith("/img/"), img["src"])
            else:
                ok(img["src"].startswith("data:image/"), "placeholder")
        card = matches(grid, r'(?s)<li class="card">((?:(?!</li>).)*'
                       r'href="/articles/%s".*?)</li>' % gslug).group(1)
        pics = imgs(card)
        eq([i.get("class") for i in pics], ["pic-ph", "pic-img"])
        eq(pics[1].get("alt"), "Une foule sur une place")
        eq((pics[1]["width"], pics[1]["height"]), ("640", "360"))
        contains(card, cname)
        blocks = matches(html, r'(?s)<ul class="blocks">(.*?)</ul>').group(1)
        contains(blocks, btitle)
        not_contains(blocks, hidden_title, "hidden block shown")
        ok(any("pic-img" in i.get("class", "") and i.get("loading") == "lazy"
               for i in imgs(blocks)), "block thumbnail, lazy")
        contains(html, 'href="/signup"')


@test
def featured_falls_back_to_the_latest():
    psql("UPDATE articles SET featured = false WHERE featured")
    aid, slug = make_article(when="now()")
    page = status(fcgi().get("/"), 200)
    featured = matches(page.text, r'(?s)<article class="featured">(.*?)'
                       r'</article>').group(1)
    contains(featured, 'href="/articles/%s"' % slug)


@test
def article_page_content_and_tags():
    media = make_media("Le maire au marché")
    cid, cslug, cname = make_category()
    title = "Le marché de " + word() + " & <b>ses</b> étals"
    aid, slug = make_article(
        title=title, summary="Un résumé « court » & <i>précis</i>",
        body_html="<p>Premier paragraphe <em>important</em>.</p>",
        media_id=media, category_id=cid, author="Jeanne Dupont",
        when="'2026-03-01 10:00:00+01'")
    rid, rslug = make_article(category_id=cid)
    for c in (fcgi(), Client("http")):
        path = "/articles/" + slug
        page = status(c.get(path if c.transport == "fcgi" else fresh(path)),
                      200)
        public_headers(page, "article via " + c.transport)
        html = page.text
        contains(html, "<h1>Le marché de ")
        contains(html, "&amp; &lt;b&gt;ses&lt;/b&gt; étals")
        contains(html, "<p>Premier paragraphe <em>important</em>.</p>",
                 "body_html pushed as it is")
        contains(html, 'href="/articles/category/%s"' % cslug)
        contains(html, "Jeanne Dupont")
        contains(html, "1er mars 2026", "date in French")
        contains(html, 'href="/articles/%s"' % rslug, "related article")
        url = base_url() + "/articles/" + slug
        contains(html, '<link rel="canonical" href="%s">' % url)
        metas = dict(re.findall(
            r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html))
        eq(metas.get("og:type"), "article")
        eq(unescape(metas.get("og:title", "")), title)
        eq(unescape(metas.get("og:description", "")),
           "Un résumé « court » & <i>précis</i>")
        eq(unescape(metas.get("description", "")),
           "Un résumé « court » & <i>précis</i>", "meta description")
        eq(metas.get("og:url"), url)
        eq(metas.get("og:site_name"), "civitas")
        eq(metas.get("og:locale"), "fr_FR")
        eq(metas.get("article:published_time"), "2026-03-01T09:00:00Z")
        eq(metas.get("twitter:card"), "summary_large_image")
        img = metas.get("og:image", "")
        matches(img, r"^%s/img/[A-Za-z0-9_-]{22}/%d-og\.jpg$" % (
            re.escape(base_url()), media))
        eq(metas.get("og:image:width"), "800")
        eq(metas.get("og:image:height"), "420")
        eq(metas.get("og:image:alt"), "Le maire au marché")
        hero = [i for i in imgs(html) if "pic-img" in i.get("class", "")][0]
        eq((hero.get("width"), hero.get("height")), ("800", "450"))
        contains(html, "Aller au contenu")
        not_contains(html, "Aperçu", "no preview banner on a public page")


@test
def draft_and_scheduled_are_invisible_everywhere():
    cid, cslug, _ = make_category()
    marker = word()
    did, dslug = make_article(title="Brouillon " + marker, status="draft",
                              category_id=cid)
    sid, sslug = make_article(title="Programmé " + marker, category_id=cid,
                              when="now() + interval '1 day'")
    c = fcgi()
    for slug in (dslug, sslug):
        page = status(c.get("/articles/" + slug), 404, slug)
        contains(page, "Page introuvable")
        status(Client("http").get(fresh("/articles/" + slug)), 404)
    for path in ("/", "/articles", "/articles/category/" + cslug,
                 "/feed.xml", "/sitemap.xml", "/search?q=" + marker):
        page = status(c.get(path), 200, path)
        not_contains(page, dslug, path)
        not_contains(page, sslug, path)
        not_contains(page, "Brouillon " + marker, path)
        not_contains(page, "Programmé " + marker, path)
    found = [x["url"] for x in
             c.get("/api/search?q=" + marker).json()["results"]]
    for slug in (dslug, sslug):
        ok("/articles/" + slug not in found, "%s found" % slug)


@test
def scheduled_article_appears_by_itself():
    marker = word()
    aid, slug = make_article(title="Bientôt " + marker,
                             when="now() + interval '3 seconds'")
    c = fcgi()
    status(c.get("/articles/" + slug), 404, "before its time")
    ok("/articles/" + slug not in [x["url"] for x in c.get(
        "/api/search?q=" + marker).json()["results"]],
       "findable before its time")
    not_contains(c.get("/feed.xml"), slug)
    # nginx: 404s are never kept, so the very same URL turns to 200
    status(Client("http").get("/articles/" + slug), 404)
    wait_until(lambda: c.get("/articles/" + slug).status == 200, 15,
               0.3, message="scheduled article visible at its time")
    eventually_http("/articles/" + slug, lambda r: status(r, 200))
    results = c.get("/api/search?q=" + marker).json()["results"]
    ok("/articles/" + slug in [r["url"] for r in results], "found in time")
    contains(c.get("/feed.xml"), slug)
    contains(c.get("/articles"), slug)


@test
def pages_published_only():
    pid, pslug = make_page(title="Mentions " + word())
    did, dslug = make_page(status="draft")
    for c in (fcgi(), Client("http")):
        page = status(c.get("/pages/" + pslug), 200, c.transport)
        public_headers(page, "page via " + c.transport)
        contains(page, "<h1>Mentions ")
        contains(page, '<link rel="canonical" href="%s/pages/%s">' % (
            base_url(), pslug))
        status(c.get("/pages/" + dslug), 404)
    contains(fcgi().get("/sitemap.xml"), "/pages/" + pslug)
    not_contains(fcgi().get("/sitemap.xml"), "/pages/" + dslug)


@test
def category_pages_and_pagination():
    cid, cslug, cname = make_category()
    other, oslug, _ = make_category()
    slugs = [make_article(category_id=cid,
                          when="now() - interval '%d minutes'" % (i + 2))[1]
             for i in range(14)]
    foreign = make_article(category_id=other)[1]
    c = fcgi()
    p1 = status(c.get("/articles/category/" + cslug), 200)
    public_headers(p1, "category page")
    contains(p1, "<h1>%s</h1>" % cname)
    for s in slugs[:12]:
        contains(p1, 'href="/articles/%s"' % s, "page 1")
    not_contains(p1, 'href="/articles/%s"' % slugs[12], "page 1")
    not_contains(p1, 'href="/articles/%s"' % foreign, "other category")
    next_url = "/articles/category/%s?page=2" % cslug
    contains(p1, '<link rel="next" href="%s%s">' % (base_url(), next_url))
    contains(p1, 'rel="next" href="%s"' % next_url)
    p2 = status(c.get(next_url), 200)
    for s in slugs[12:]:
        contains(p2, 'href="/articles/%s"' % s, "page 2")
    not_contains(p2, 'href="/articles/%s"' % slugs[0], "page 2")
    contains(p2, 'rel="prev" href="/articles/category/%s"' % cslug)
    not_contains(p2, 'rel="next"')
    contains(p2, '<link rel="canonical" href="%s%s">' % (base_url(),
                                                         next_url))
    status(c.get("/articles/category/%s?page=3" % cslug), 404, "past end")
    for bad in ("0", "-1", "x", "2x", "99999999999999999999", ""):
        status(c.get("/articles/category/%s?page=%s" % (cslug, bad)),
               (400, 404), "page=%r" % bad)
    status(c.get("/articles/category/no-such-" + word()), 404)
    # /articles: every category, 12 a page, and a page past the end is 404
    total = int(psql_value("SELECT count(*) FROM articles WHERE status = "
                           "'published' AND published_at <= now()"))
    pages = (total + 11) // 12
    status(c.get("/articles?page=%d" % pages), 200)
    status(c.get("/articles?page=%d" % (pages + 1)), 404)
    status(Client("http").get(fresh("/articles?page=2")), 200)
    status(Client("http").get("/articles?page=99999"), 404)


@test
def redirections_before_404():
    old = "/ancien-" + word()
    make_redirection(old, "/articles", 301)
    tmp = "/temporaire-" + word()
    make_redirection(tmp, "/pages/mentions-legales", 302)
    ext = "/dehors-" + word()
    make_redirection(ext, "https://example.org/campagne?x=1", 302)
    # an unknown article slug with a redirection (a renamed article)
    aid, slug = make_article()
    gone = "/articles/" + word()
    make_redirection(gone, "/articles/" + slug, 301)
    for c in (fcgi(), Client("http")):
        r = status(c.get(old), 301, c.transport)
        eq(r.location, base_url() + "/articles")
        r = status(c.get(tmp), 302)
        eq(r.location, base_url() + "/pages/mentions-legales")
        r = status(c.get(ext), 302)
        eq(r.location, "https://example.org/campagne?x=1")
        r = status(c.get(gone), 301)
        eq(r.location, base_url() + "/articles/" + slug)
        eq(r.headers.get_all("Set-Cookie"), [])
    eq(psql_value("SELECT hits FROM redirections WHERE from_path = :'p1'",
                  old), "2", "hits counted")
    # a redirection never shadows real content
    make_redirection("/articles/" + slug, "/", 301)
    status(fcgi().get("/articles/" + slug), 200)


@test
def unknown_paths_get_the_404_page():
    for c in (fcgi(), Client("http")):
        for path in ("/nulle-part-" + word(), "/pages/" + word(),
                     "/articles/" + word(), "/a/b/c/" + word()):
            r = status(c.get(path), 404, path)
            contains(r.headers.get("Content-Type", ""), "text/html")
            contains(r, "Page introuvable")
            f = find_form(r.text, "/search")
            eq(f.method, "get")
            contains(r, 'href="/articles"')
            contains(r, 'href="/"')
            eq(r.headers.get_all("Set-Cookie"), [])
    r = status(fcgi().get("/x-%3Cscript%3Ealert(1)%3C%2Fscript%3E"), 404)
    not_contains(r, "<script>alert(1)")
    contains(r, "&lt;script&gt;")


@test
def feed_is_valid_rss():
    cid, cslug, cname = make_category()
    aid, slug = make_article(title="Fil & <flux> " + word(),
                             summary="Résumé\x01 avec <balises> & « guillemets »",
                             category_id=cid, when="now()")
    did, dslug = make_article(status="draft")
    for c in (fcgi(), Client("http")):
        def check(r):
            contains(status(r, 200), slug)
        if c.transport == "fcgi":
            r = c.get("/feed.xml")
            check(r)
        else:
            r = eventually_http("/feed.xml", check)
        eq(r.headers.get("Content-Type"),
           "application/rss+xml; charset=utf-8")
        public_headers(r, "feed")
        root = parse_xml(r)
        eq(root.tag, "rss")
        eq(root.get("version"), "2.0")
        ch = root.find("channel")
        for tag in ("title", "link", "description", "language",
                    "lastBuildDate"):
            ok(ch.findtext(tag), "channel %s" % tag)
        eq(ch.findtext("language"), "fr")
        eq(ch.find(RSS_ATOM + "link").get("href"), base_url() + "/feed.xml")
        eq(ch.find(RSS_ATOM + "link").get("rel"), "self")
        items = ch.findall("item")
        ok(0 < len(items) <= 20, "%d items" % len(items))
        mine = [i for i in items if i.findtext("link", "").endswith(slug)]
        eq(len(mine), 1, "the new article in the feed")
        it = mine[0]
        # Text that feed readers which render HTML still show as text:
        # the XML carries the HTML-escaped text (escaped twice on the
        # wire), so "<flux>" is never read as a tag.
        ok(it.findtext("title").startswith("Fil &amp; &lt;flux&gt; "),
           "title escaped for HTML readers: %r" % it.findtext("title"))
        ok(html.unescape(it.findtext("title")).startswith("Fil & <flux> "),
           "title read back as text")
        eq(it.findtext("link"), base_url() + "/articles/" + slug)
        eq(it.find("guid").get("isPermaLink"), "true")
        eq(it.findtext("guid"), base_url() + "/articles/" + slug)
        eq(it.findtext("description"),
           "Résumé avec &lt;balises&gt; &amp; « guillemets »")
        eq(html.unescape(it.findtext("description")),
           "Résumé avec <balises> & « guillemets »")
        eq(it.findtext("category"), cname)
        matches(it.findtext("pubDate"),
                r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|"
                r"Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$")
        not_contains(r, dslug)


@test
def sitemap_lists_public_urls():
    cid, cslug, _ = make_category()
    aid, slug = make_article(category_id=cid, when="now()")
    did, dslug = make_article(status="draft")
    pid, pslug = make_page()
    c = fcgi()
    r = status(c.get("/sitemap.xml"), 200)
    eq(r.headers.get("Content-Type"), "application/xml; charset=utf-8")
    public_headers(r, "sitemap")
    root = parse_xml(r)
    eq(root.tag, SITEMAP_NS + "urlset")
    urls = {u.findtext(SITEMAP_NS + "loc"): u.findtext(SITEMAP_NS + "lastmod")
            for u in root.findall(SITEMAP_NS + "url")}
    b = base_url()
    for u in (b + "/", b + "/articles", b + "/articles/category/" + cslug,
              b + "/articles/" + slug, b + "/pages/" + pslug):
        ok(u in urls, "%s in the sitemap" % u)
    matches(urls[b + "/articles/" + slug],
            r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    ok(b + "/articles/" + dslug not in urls, "draft in the sitemap")
    parse_xml(status(Client("http").get(fresh("/sitemap.xml")), 200))


@test
def robots_txt():
    for c in (fcgi(), Client("http")):
        r = status(c.get("/robots.txt"), 200)
        eq(r.headers.get("Content-Type"), "text/plain; charset=utf-8")
        public_headers(r, "robots.txt")
        lines = r.text.splitlines()
        for line in ("User-agent: *", "Disallow: /admin",
                     "Disallow: /account", "Disallow: /api/",
                     "Disallow: /signup/confirm/", "Disallow: /password/",
                     "Sitemap: %s/sitemap.xml" % base_url()):
            ok(line in lines, "%r in robots.txt" % line)
        ok("Disallow: /" not in lines, "the whole site disallowed")


@test
def public_pages_ignore_the_session_cookie():
    c, email, _ = new_member()
    ok(c.cookies.get("sid"), "logged in")
    aid, slug = make_article()
    pid, pslug = make_page()
    cid, cslug, _ = make_category()
    paths = ["/", "/articles", "/articles/" + slug, "/pages/" + pslug,
             "/articles/category/" + cslug, "/feed.xml", "/sitemap.xml",
             "/robots.txt", "/search", "/search?q=" + word(),
             "/api/search?q=" + word()]
    h = Client("http")
    h.set_cookie("sid", c.cookies["sid"])
    for path in paths:
        for client in (c, h):
            r = status(client.get(path if client is c else fresh(path)), 200,
                       path)
            public_headers(r, "%s via %s" % (path, client.transport))
            not_contains(r, email, "the member's data on a public page")
            not_contains(r, "Se déconnecter", path)


@test
def preview_shows_drafts_to_admins_only():
    admin, pw = make_admin()
    a = Client("fcgi")
    login(a, admin, pw, next="/admin")
    marker = word()
    did, dslug = make_article(title="Brouillon " + marker, status="draft",
                              body_html="<p>Corps %s</p>" % marker)
    sid, sslug = make_article(title="Programmé " + marker,
                              when="now() + interval '2 days'")
    pid, pslug = make_page(title="Page brouillon " + marker, status="draft")
    r = status(a.get("/admin/articles/%d/preview" % did), 200)
    contains(r, "Aperçu — brouillon")
    contains(r, "Brouillon " + marker)
    contains(r, "<p>Corps %s</p>" % marker)
    contains(r, '<meta name="robots" content="noindex">')
    eq(r.headers.get("Cache-Control"), "no-store")
    not_contains(r, "og:title", "no OpenGraph on a preview")
    r = status(a.get("/admin/articles/%d/preview" % sid), 200)
    contains(r, "Aperçu — programmé")
    r = status(a.get("/admin/pages/%d/preview" % pid), 200)
    contains(r, "Aperçu — brouillon")
    contains(r, "Page brouillon " + marker)
    eq(r.headers.get("Cache-Control"), "no-store")
    status(a.get("/admin/articles/999999999/preview"), 404)
    status(a.get("/admin/articles/abc/preview"), 404)
    # still invisible to the public
    status(fcgi().get("/articles/" + dslug), 404)
    # members: 403; anonymous: to the login page
    m, _, _ = new_member()
    status(m.get("/admin/articles/%d/preview" % did), 403)
    status(m.get("/admin/pages/%d/preview" % pid), 403)
    redirects(fcgi().get("/admin/articles/%d/preview" % did), "/login")
