# SPDX-License-Identifier: MIT
"""The back-office (/admin): access control, articles, pages, categories,
home blocks, redirections, the audit log, CSRF, and the Markdown sanitiser
through the whole path (form -> worker -> database).

Public pages (an article as readers see it, search) are tested elsewhere;
here the database is the witness."""

import datetime
import os
import re
import secrets
import subprocess

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import civitas
import stackctl as sc


ARTICLE_COLUMNS = ("id", "slug", "title", "summary", "body_md", "body_html",
                   "category_id", "media_id", "author_id", "author_name",
                   "status", "featured", "published_at",
                   "first_published_at")


def admin_routes():
    """[(method, pattern)] of the /admin routes, from the worker's own
    route table; each must say admin there."""
    found = []
    for method, pattern, flags in route_table():
        if pattern.startswith("/admin"):
            ok("admin" in flags, "%s %s is not for admins in the route "
               "table" % (method, pattern))
            found.append((method, pattern))
    ok(len(found) >= 30, "could not read the /admin routes: %s" % found)
    return found


def http_client():
    """A browser through nginx, as a client of its own (nginx's rate limits
    are per client address: see test_nginx.py)."""
    return Client("http", client_ip=sc.random_client_ip())


def fresh_ip(c):
    """Go on as another address (long loops stay under the rate limit)."""
    c.forwarded_for = sc.random_client_ip()
    return c


def admin():
    """A new admin, logged in through nginx: (client, email, user id)."""
    email, password = make_admin()
    c = http_client()
    login(c, email, password)
    return c, email, int(user_id(email))


def article_row(aid):
    rows = psql("SELECT id, slug, title, summary, body_md, body_html, "
                "category_id, media_id, author_id, author_name, status, "
                "featured, published_at, first_published_at FROM articles "
                "WHERE id = :'p1'", aid)
    return dict(zip(ARTICLE_COLUMNS, rows[0])) if rows else None


def id_of(resp, kind):
    m = re.search(r"/admin/%s/(\d+)$" % kind, resp.location or "")
    ok(m, "expected a redirect to /admin/%s/{id}, got %s" % (
        kind, resp.location))
    return int(m.group(1))


def create_article(c, **fields):
    data = {"title": "Article " + random_letters(), "body": "Du *texte*.",
            "action": "save"}
    data.update(fields)
    resp = c.submit("/admin/articles/new", data, "#article-form")
    redirects(resp, "/admin/articles/", "create article %r" % data["title"])
    return id_of(resp, "articles")


def edit_article(c, aid, **fields):
    return c.submit("/admin/articles/%d" % aid, fields, "#article-form")


def audit_rows(oid, otype):
    return psql("SELECT user_email, action, label FROM audit_log WHERE "
                "object_type = :'p1' AND object_id = :'p2' ORDER BY id",
                otype, oid)


def paris(local):
    """'YYYY-MM-DDTHH:MM' in Paris as a UTC ISO string from PostgreSQL."""
    return psql_value("SELECT to_char((:'p1'::timestamp AT TIME ZONE "
                      "'Europe/Paris') AT TIME ZONE 'UTC', "
                      "'YYYY-MM-DD HH24:MI:SS')", local)


def utc_text(col, aid):
    return psql_value("SELECT to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD "
                      "HH24:MI:SS') FROM articles WHERE id = :'p1'" % col, aid)


# href= or src= whose value, without whitespace, starts with a bad scheme.
BAD_URL = re.compile(r"""(href|src)\s*=\s*["']?[\s\x00-\x20]*"""
                     r"(j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|vbscript|data|"
                     r"file)\s*:", re.I)


def future_local(days=40):
    t = datetime.datetime.now() + datetime.timedelta(days=days)
    return t.strftime("%Y-%m-%dT10:30")


# --------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------

@test
def every_admin_route_is_for_admins_only():
    routes = admin_routes()
    aid = None
    c, _, _ = admin()
    aid = create_article(c)
    anon = http_client()
    anon_token = csrf_of(status(anon.get("/login"), 200))
    member, _, _ = new_member(http_client())
    member_token = csrf_of(status(member.get("/account"), 200))
    before = psql_value("SELECT count(*) FROM audit_log")
    for method, pattern in routes:
        path = pattern.replace("{id}", str(aid))
        fresh_ip(anon)
        fresh_ip(member)
        fresh_ip(c)
        if method == "GET":
            resp = anon.get(path)
            redirects(resp, "/login?next=", "anonymous GET %s" % path)
            status(member.get(path), 403, "member GET %s" % path)
        else:
            resp = anon.post(path, {"_csrf": anon_token, "title": "x"})
            redirects(resp, "/login?next=", "anonymous POST %s" % path)
            status(member.post(path, {"_csrf": member_token, "title": "x",
                                      "body": "x"}),
                   403, "member POST %s" % path)
    eq(psql_value("SELECT count(*) FROM audit_log"), before,
       "a refused request wrote to the audit log")
    ok(article_row(aid) is not None, "a member deleted an article")
    # an admin reaches every GET page
    for method, pattern in routes:
        if method == "GET" and "/media" not in pattern and \
                "/preview" not in pattern and "{id}" not in pattern:
            status(c.get(pattern), 200, "admin GET %s" % pattern)


@test
def unknown_or_malformed_ids_are_404():
    c, _, _ = admin()
    token = csrf_of(status(c.get("/admin/articles/new"), 200))
    for kind in ("articles", "pages", "categories", "home-blocks",
                 "redirections"):
        for bad in ("999999999", "abc", "0", "-1", "1x",
                    "99999999999999999999999"):
            fresh_ip(c)
            status(c.get("/admin/%s/%s" % (kind, bad)), 404,
                   "GET /admin/%s/%s" % (kind, bad))
            status(c.post("/admin/%s/%s" % (kind, bad),
                          {"_csrf": token, "title": "x", "name": "x"}),
                   404, "POST /admin/%s/%s" % (kind, bad))
            status(c.post("/admin/%s/%s/delete" % (kind, bad),
                          {"_csrf": token}), 404,
                   "POST /admin/%s/%s/delete" % (kind, bad))


@test
def admin_posts_need_the_csrf_token():
    c, _, _ = admin()
    other = http_client()
    other_token = csrf_of(status(other.get("/login"), 200))
    aid = create_article(c)
    title = "Sans jeton " + random_letters()
    for token in (None, "", other_token, c.cookies["csrf"]):
        body = {"title": title, "body": "x", "action": "publish"}
        if token is not None:
            body["_csrf"] = token
        status(c.post("/admin/articles", body), 403, "create without CSRF")
        status(c.post("/admin/articles/%d" % aid, body), 403,
               "edit without CSRF")
        status(c.post("/admin/articles/%d/delete" % aid, body), 403,
               "delete without CSRF")
        status(c.post("/admin/redirections", {
            "from_path": "/" + random_letters(), "to_path": "/",
            "code": "301", "_csrf": token or ""}), 403)
    eq(psql_value("SELECT count(*) FROM articles WHERE title = :'p1'",
                  title), "0")
    row = article_row(aid)
    ok(row is not None, "deleted without CSRF")
    eq(row["status"], "draft", "published without CSRF")
    # control: with its own token it works
    redirects(edit_article(c, aid, action="publish"),
              "/admin/articles/%d" % aid)
    eq(article_row(aid)["status"], "published")


# --------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------

@test
def article_lifecycle_create_edit_publish_unpublish_schedule_delete():
    c, email, uid = admin()
    title = "Le plan vélo " + random_letters()
    resp = c.submit("/admin/articles/new", {
        "title": title, "summary": "Un résumé.",
        "body": "## Intertitre\n\nUn *mot*.\n\n- a\n- b", "featured": "1",
        "action": "save"}, "#article-form")
    aid = id_of(resp, "articles")
    page = status(c.follow(resp), 200)
    contains(html_text(page), "L'article est enregistré.")
    row = article_row(aid)
    eq(row["status"], "draft")
    eq(row["published_at"], None)
    eq(row["first_published_at"], None)
    eq(row["title"], title)
    eq(row["summary"], "Un résumé.")
    eq(row["body_md"], "## Intertitre\n\nUn *mot*.\n\n- a\n- b")
    contains(row["body_html"], "<h2>Intertitre</h2>")
    contains(row["body_html"], "<em>mot</em>")
    eq(row["featured"], "t")
    eq(row["author_id"], str(uid))
    eq(row["author_name"], "Admin Civitas")
    slug = row["slug"]
    matches(slug, r"^le-plan-velo-[a-z]+$")
    # the form shows what was saved
    v = form_values(page, "#article-form")
    eq(v["title"], title)
    eq(v["slug"], slug)
    eq(v["body"], row["body_md"])
    # save keeps the status and changes the content
    redirects(edit_article(c, aid, summary="Autre résumé.", featured=None,
                           action="save"), "/admin/articles/%d" % aid)
    row = article_row(aid)
    eq((row["status"], row["summary"], row["featured"]),
       ("draft", "Autre résumé.", "f"))
    # while a draft, the slug may change
    new_slug = "plan-velo-" + random_letters()
    redirects(edit_article(c, aid, slug=new_slug, action="save"))
    eq(article_row(aid)["slug"], new_slug)
    # publish: published now, slug frozen
    redirects(edit_article(c, aid, action="publish"))
    row = article_row(aid)
    eq(row["status"], "published")
    ok(row["published_at"] and row["first_published_at"], row)
    eq(psql_value("SELECT published_at <= now() FROM articles WHERE id = "
                  ":'p1'", aid), "t")
    resp = edit_article(c, aid, slug="autre-adresse", action="save")
    status(resp, 422, "slug change after publication")
    contains(field_errors(resp.text).get("slug", ""), "ne peut plus changer")
    eq(form_values(resp.text, "#article-form")["slug"], "autre-adresse")
    eq(article_row(aid)["slug"], new_slug)
    # save on a published article keeps it published, same time
    published_at = utc_text("published_at", aid)
    redirects(edit_article(c, aid, title=title + " (mis à jour)",
                           action="save"))
    row = article_row(aid)
    eq(row["status"], "published")
    eq(utc_text("published_at", aid), published_at)
    eq(row["title"], title + " (mis à jour)")
    # unpublish: draft again, slug still frozen
    redirects(edit_article(c, aid, action="unpublish"))
    row = article_row(aid)
    eq((row["status"], row["published_at"]), ("draft", None))
    ok(row["first_published_at"], "first_published_at was cleared")
    status(edit_article(c, aid, slug="encore-une-autre", action="save"), 422)
    eq(article_row(aid)["slug"], new_slug)
    # schedule: a past time is refused, a future one is stored (Paris)
    resp = edit_article(c, aid, published_at="2020-01-01T10:00",
                        action="schedule")
    status(resp, 422, "schedule in the past")
    ok("published_at" in field_errors(resp.text), field_errors(resp.text))
    eq(article_row(aid)["status"], "draft")
    resp = edit_article(c, aid, published_at="", action="schedule")
    status(resp, 422, "schedule without a time")
    when = future_local()
    redirects(edit_article(c, aid, published_at=when, action="schedule"))
    row = article_row(aid)
    eq(row["status"], "published")
    eq(utc_text("published_at", aid), paris(when))
    eq(psql_value("SELECT published_at > now() FROM articles WHERE id = "
                  ":'p1'", aid), "t")
    page = status(c.get("/admin/articles/%d" % aid), 200)
    eq(form_values(page, "#article-form")["published_at"], when)
    contains(html_text(page), "programmé")
    # with seconds too (datetime-local with step)
    when2 = future_local(41)[:-5] + "08:15:30"
    redirects(edit_article(c, aid, published_at=when2, action="schedule"))
    eq(utc_text("published_at", aid), paris(when2))
    # the list: status filter and states
    lst = status(c.get("/admin/articles?status=scheduled"), 200)
    contains(page_links(lst), "/admin/articles/%d" % aid)
    contains(page_links(lst), "/admin/articles/%d/preview" % aid)
    not_contains(page_links(lst), "/articles/" + new_slug)
    ok(find_text(lst, "programmé"), "state not shown")
    not_contains(page_links(status(c.get("/admin/articles?status=draft"),
                                   200)), "/admin/articles/%d" % aid)
    redirects(edit_article(c, aid, action="publish"))
    lst = status(c.get("/admin/articles?status=published"), 200)
    contains(page_links(lst), "/articles/" + new_slug, "Voir link")
    # delete
    resp = c.post("/admin/articles/%d/delete" % aid,
                  {"_csrf": csrf_of(page)})
    redirects(resp, "/admin/articles")
    eq(article_row(aid), None)
    # every action was recorded, with who
    got = [(e, a) for e, a, _ in audit_rows(aid, "article")]
    eq(got, [(email, a) for a in (
        "article.create", "article.update", "article.update",
        "article.publish", "article.update", "article.unpublish",
        "article.schedule", "article.schedule", "article.publish",
        "article.delete")])


@test
def article_created_published_or_scheduled_at_once():
    c, email, _ = admin()
    aid = create_article(c, action="publish")
    row = article_row(aid)
    eq(row["status"], "published")
    ok(row["first_published_at"], row)
    eq([a for _, a, _ in audit_rows(aid, "article")],
       ["article.create", "article.publish"])
    when = future_local(3)
    aid = create_article(c, action="schedule", published_at=when)
    eq(article_row(aid)["status"], "published")
    eq(utc_text("published_at", aid), paris(when))
    eq([a for _, a, _ in audit_rows(aid, "article")],
       ["article.create", "article.schedule"])


@test
def slugs_from_titles_unique_and_checked():
    c, _, _ = admin()
    word = random_letters()
    title = "Œuvres d'été à Noël : ça « marche » %s !" % word
    a1 = create_article(c, title=title)
    base = "oeuvres-d-ete-a-noel-ca-marche-" + word
    eq(article_row(a1)["slug"], base)
    a2 = create_article(c, title=title)
    eq(article_row(a2)["slug"], base + "-2")
    a3 = create_article(c, title=title)
    eq(article_row(a3)["slug"], base + "-3")
    # long titles: at most 80 characters, suffix included
    long_title = ("Très " + word + " ") * 14
    l1 = create_article(c, title=long_title.strip())
    l2 = create_article(c, title=long_title.strip())
    s1, s2 = article_row(l1)["slug"], article_row(l2)["slug"]
    ok(len(s1) <= 80 and len(s2) <= 80, (s1, s2))
    ok(s2.endswith("-2") and s1 != s2, (s1, s2))
    for s in (s1, s2):
        matches(s, r"^[a-z0-9]+(-[a-z0-9]+)*$")
    # a typed slug is made a slug, and refused when taken
    a4 = create_article(c, slug="Mon Adresse " + word.upper())
    eq(article_row(a4)["slug"], "mon-adresse-" + word)
    before = psql_value("SELECT count(*) FROM articles")
    resp = c.submit("/admin/articles/new", {
        "title": "Autre", "slug": base, "body": "corps", "action": "save"},
        "#article-form")
    status(resp, 422, "typed slug already taken")
    contains(field_errors(resp.text).get("slug", ""), "déjà utilisée")
    eq(psql_value("SELECT count(*) FROM articles"), before)
    # editing a draft with its own slug is no collision
    redirects(edit_article(c, a2, summary="s", action="save"))
    eq(article_row(a2)["slug"], base + "-2")
    # nothing to make a slug from
    resp = c.submit("/admin/articles/new", {
        "title": "!!! ???", "slug": "", "action": "save"}, "#article-form")
    status(resp, 422)
    ok("slug" in field_errors(resp.text), field_errors(resp.text))


@test
def article_form_errors_keep_every_value():
    c, _, _ = admin()
    body = "Ligne 1\n\n    code   indenté\n\n* liste"
    before = psql_value("SELECT count(*) FROM articles")
    resp = c.submit("/admin/articles/new", {
        "title": "", "summary": "Résumé gardé", "body": body,
        "category_id": "999999999", "media_id": "abc",
        "published_at": "2030-02-30T10:00", "featured": "1",
        "action": "save"}, "#article-form")
    status(resp, 422)
    contains(form_errors(resp.text), FORM_BANNER)
    errs = field_errors(resp.text)
    for f in ("title", "category_id", "media_id", "published_at"):
        ok(f in errs, "no error for %s: %s" % (f, errs))
    v = form_values(resp.text, "#article-form")
    eq(v["summary"], "Résumé gardé")
    eq(v["body"], body)
    eq(v.get("featured"), "1")
    eq(v["published_at"], "2030-02-30T10:00")
    eq(psql_value("SELECT count(*) FROM articles"), before)
    # an unknown action is refused too
    resp = c.submit("/admin/articles/new", {
        "title": "x", "action": "delete-everything"}, "#article-form")
    status(resp, 422)
    eq(psql_value("SELECT count(*) FROM articles"), before)
    # the form has a label for every field
    page = status(c.get("/admin/articles/new"), 200)
    for f in find_form(page.text, "#article-form").fields:
        if f.get("type") in ("hidden", "submit") or f["tag"] == "button":
            continue
        matches(page.text, r'<label for="%s"' % f["name"],
                "label for %s" % f["name"])


@test
def xss_through_the_whole_path_is_stored_clean():
    c, _, _ = admin()
    vectors = [
        "<script>alert('s1')</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<iframe src=javascript:alert(1)></iframe>",
        "[a](javascript:alert(1))",
        "[b](JaVaScRiPt:alert(1))",
        "[c](java&#x09;script:alert(1))",
        "[d](&#106;avascript:alert(1))",
        "[e](%6Aavascript:alert(1))",
        "[f](vbscript:msgbox(1))",
        "[g](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![h](javascript:alert(1))",
        "<javascript:alert(1)>",
        "[i][ref]\n\n[ref]: javascript:alert(1)",
        "<a href=\"javascript:alert(1)\" onmouseover=\"alert(1)\">j</a>",
        "[k](https://example.org \"x\\\" onmouseover=\\\"alert(1)\")",
        "<style>body{}</style>",
        "[sûr](https://example.org/ok) et [relatif](/pages/x)",
    ]
    aid = create_article(c, body="\n\n".join(vectors), action="publish")
    html = article_row(aid)["body_html"]
    low = html.lower()
    for bad in ("<script", "<img src=\"x\"", "<svg", "<iframe", "<style"):
        not_contains(low, bad, "stored body_html")
    ok(not BAD_URL.search(html), "a dangerous URL in %s" % html)
    ok(not re.search(r"<[^>]*\son[a-z]+\s*=", re.sub(r'"[^"]*"', '""',
                                                      html)),
       "an event handler attribute in %s" % html)
    contains(html, '<a href="https://example.org/ok">sûr</a>')
    contains(html, '<a href="/pages/x">relatif</a>')
    # the live preview answers the same sanitised HTML
    token = csrf_of(status(c.get("/admin/articles/new"), 200))
    resp = status(c.post("/admin/preview", {
        "_csrf": token, "body": "# T\n\n" + "\n\n".join(vectors)}), 200)
    contains(resp.headers.get("Content-Type", ""), "text/html")
    contains(resp.text, "<h1>T</h1>")
    not_contains(resp.text.lower(), "<script", "preview")
    ok(not BAD_URL.search(resp.text), "preview: %s" % resp.text)
    status(c.post("/admin/preview", {"body": "x"}), 403,
           "preview without CSRF")


@test
def rerender_renders_every_body_again():
    c, _, _ = admin()
    aid = create_article(c, body="avant")
    psql("UPDATE articles SET body_md = '# Après\n\n<script>x</script>"
         "[l](javascript:x)', body_html = 'périmé' WHERE id = :'p1'", aid)
    binary = fcgi_binary()
    proc = subprocess.run([binary, "rerender"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    eq(proc.returncode, 0, proc.stderr)
    n = int(psql_value("SELECT count(*) FROM articles"))
    contains(proc.stdout.decode(), "rerendered %d articles" % n)
    html = article_row(aid)["body_html"]
    contains(html, "<h1>Après</h1>")
    not_contains(html, "<script")
    not_contains(html, "javascript:")


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------

def page_row(pid):
    rows = psql("SELECT slug, title, body_md, body_html, status, "
                "published_at FROM pages WHERE id = :'p1'", pid)
    return dict(zip(("slug", "title", "body_md", "body_html", "status",
                     "published_at"), rows[0])) if rows else None


@test
def page_lifecycle():
    c, email, _ = admin()
    word = random_letters()
    resp = c.submit("/admin/pages/new", {
        "title": "Mentions légales " + word, "body": "Éditeur : *nous*.",
        "action": "save"}, "#page-form")
    pid = id_of(resp, "pages")
    p = page_row(pid)
    eq((p["slug"], p["status"], p["published_at"]),
       ("mentions-legales-" + word, "draft", None))
    contains(p["body_html"], "<em>nous</em>")
    # a draft's slug may change
    redirects(c.submit("/admin/pages/%d" % pid, {
        "slug": "legal-" + word, "action": "save"}, "#page-form"))
    eq(page_row(pid)["slug"], "legal-" + word)
    redirects(c.submit("/admin/pages/%d" % pid, {"action": "publish"},
                       "#page-form"))
    p = page_row(pid)
    eq(p["status"], "published")
    ok(p["published_at"], p)
    resp = c.submit("/admin/pages/%d" % pid, {"slug": "autre-" + word,
                                              "action": "save"}, "#page-form")
    status(resp, 422, "slug change of a published page")
    ok("slug" in field_errors(resp.text))
    eq(page_row(pid)["slug"], "legal-" + word)
    lst = status(c.get("/admin/pages"), 200)
    contains(page_links(lst), "/pages/legal-" + word)
    contains(page_links(lst), "/admin/pages/%d/preview" % pid)
    # empty title: 422 with the body kept
    resp = c.submit("/admin/pages/%d" % pid, {"title": "",
                                              "body": "gardé\n\nici"},
                    "#page-form")
    status(resp, 422)
    eq(form_values(resp.text, "#page-form")["body"], "gardé\n\nici")
    redirects(c.submit("/admin/pages/%d" % pid, {"action": "unpublish"},
                       "#page-form"))
    p = page_row(pid)
    eq((p["status"], p["published_at"]), ("draft", None))
    redirects(c.submit("/admin/pages/%d" % pid, {
        "slug": "autre-" + word, "action": "save"}, "#page-form"))
    eq(page_row(pid)["slug"], "autre-" + word)
    # a second page with the same title gets -2
    resp = c.submit("/admin/pages/new", {"title": "Autre " + word,
                                         "action": "publish"}, "#page-form")
    pid2 = id_of(resp, "pages")
    eq(page_row(pid2)["slug"], "autre-" + word + "-2")
    eq(page_row(pid2)["status"], "published")
    redirects(c.post("/admin/pages/%d/delete" % pid,
                     {"_csrf": csrf_of(lst)}), "/admin/pages")
    eq(page_row(pid), None)
    eq([(e, a) for e, a, _ in audit_rows(pid, "page")],
       [(email, a) for a in ("page.create", "page.update", "page.publish",
                             "page.unpublish", "page.update",
                             "page.delete")])
    eq([a for _, a, _ in audit_rows(pid2, "page")],
       ["page.create", "page.publish"])


# --------------------------------------------------------------------------
# Categories, home blocks, redirections
# --------------------------------------------------------------------------

@test
def categories_crud_and_articles_survive_their_category():
    c, email, _ = admin()
    word = random_letters()
    resp = c.submit("/admin/categories", {
        "name": "Écologie " + word, "description": "Le climat.",
        "position": "3"}, "#category-form")
    redirects(resp, "/admin/categories")
    cid, slug, pos = psql("SELECT id, slug, position FROM categories WHERE "
                          "name = :'p1'", "Écologie " + word)[0]
    eq((slug, pos), ("ecologie-" + word, "3"))
    lst = status(c.follow(resp), 200)
    contains(page_links(lst), "/admin/categories/%s" % cid)
    # explicit duplicate slug: a field error, not a 500
    resp = c.submit("/admin/categories", {"name": "Autre", "slug": slug},
                    "#category-form")
    status(resp, 422)
    contains(field_errors(resp.text).get("slug", ""), "déjà utilisée")
    eq(form_values(resp.text, "#category-form")["name"], "Autre")
    # same name again: -2
    redirects(c.submit("/admin/categories", {"name": "Écologie " + word},
                       "#category-form"))
    eq(psql_value("SELECT count(*) FROM categories WHERE slug = :'p1'",
                  slug + "-2"), "1")
    # bad position, empty name
    resp = c.submit("/admin/categories", {"name": "", "position": "abc"},
                    "#category-form")
    status(resp, 422)
    errs = field_errors(resp.text)
    ok("name" in errs and "position" in errs, errs)
    # edit
    redirects(c.submit("/admin/categories/%s" % cid, {
        "name": "Climat " + word, "slug": "climat-" + word},
        "#category-form"), "/admin/categories/%s" % cid)
    eq(psql("SELECT name, slug FROM categories WHERE id = :'p1'", cid)[0],
       ("Climat " + word, "climat-" + word))
    # an article in it, offered in the article form
    page = status(c.get("/admin/articles/new"), 200)
    contains([v for v, _ in select_options(page, "category_id")], cid)
    aid = create_article(c, category_id=cid)
    eq(article_row(aid)["category_id"], cid)
    redirects(c.post("/admin/categories/%s/delete" % cid,
                     {"_csrf": csrf_of(page)}), "/admin/categories")
    eq(psql_value("SELECT count(*) FROM categories WHERE id = :'p1'", cid),
       "0")
    row = article_row(aid)
    ok(row is not None, "the article went with its category")
    eq(row["category_id"], None)
    eq([(e, a) for e, a, _ in audit_rows(cid, "category")],
       [(email, "category.create"), (email, "category.update"),
        (email, "category.delete")])


@test
def home_blocks_crud():
    c, email, _ = admin()
    title = "Bloc " + random_letters()
    redirects(c.submit("/admin/home-blocks", {
        "title": title, "body": "Rejoignez-nous", "link": "/signup",
        "position": "2"}, "#block-form"), "/admin/home-blocks")
    bid, link, pos, visible = psql(
        "SELECT id, link, position, visible FROM home_blocks WHERE title = "
        ":'p1'", title)[0]
    eq((link, pos, visible), ("/signup", "2", "t"))
    for bad in ("javascript:alert(1)", "//evil.example", "http://x.example",
                "/a b", "https://", "/\\evil"):
        resp = c.submit("/admin/home-blocks", {"title": title + "x",
                                               "link": bad}, "#block-form")
        status(resp, 422, "link %r" % bad)
        ok("link" in field_errors(resp.text), bad)
        eq(form_values(resp.text, "#block-form")["link"], bad)
    eq(psql_value("SELECT count(*) FROM home_blocks WHERE title = :'p1'",
                  title + "x"), "0")
    redirects(c.submit("/admin/home-blocks/%s" % bid, {
        "link": "https://example.org/don", "visible": None},
        "#block-form"), "/admin/home-blocks/%s" % bid)
    eq(psql("SELECT link, visible FROM home_blocks WHERE id = :'p1'",
            bid)[0], ("https://example.org/don", "f"))
    page = status(c.get("/admin/home-blocks/%s" % bid), 200)
    eq(form_values(page, "#block-form").get("visible"), None)
    redirects(c.post("/admin/home-blocks/%s/delete" % bid,
                     {"_csrf": csrf_of(page)}), "/admin/home-blocks")
    eq(psql_value("SELECT count(*) FROM home_blocks WHERE id = :'p1'", bid),
       "0")
    eq([(e, a) for e, a, _ in audit_rows(bid, "home_block")],
       [(email, "home_block.create"), (email, "home_block.update"),
        (email, "home_block.delete")])


@test
def redirections_crud_and_duplicates():
    c, email, _ = admin()
    src = "/ancien-" + random_letters()
    resp = c.submit("/admin/redirections", {
        "from_path": src, "to_path": "/articles", "code": "302"},
        "#redirection-form")
    redirects(resp, "/admin/redirections")
    rid, to, code = psql("SELECT id, to_path, code FROM redirections WHERE "
                         "from_path = :'p1'", src)[0]
    eq((to, code), ("/articles", "302"))
    contains(page_links(status(c.follow(resp), 200)),
             "/admin/redirections/%s" % rid)
    # the same from_path again: a field error, never a 500
    resp = c.submit("/admin/redirections", {
        "from_path": src, "to_path": "/", "code": "301"},
        "#redirection-form")
    status(resp, 422, "duplicate from_path")
    contains(field_errors(resp.text).get("from_path", ""), "existe déjà")
    eq(form_values(resp.text, "#redirection-form")["to_path"], "/")
    bad = [
        ({"from_path": "//evil.example"}, "from_path"),
        ({"from_path": "ancien"}, "from_path"),
        ({"from_path": "/"}, "from_path"),
        ({"from_path": "/a?b=1"}, "from_path"),
        ({"to_path": "javascript:alert(1)"}, "to_path"),
        ({"to_path": "//evil.example"}, "to_path"),
        ({"to_path": "http://example.org"}, "to_path"),
        ({"to_path": src + "-x", "from_path": src + "-x"}, "to_path"),
        ({"code": "303"}, "code"),
    ]
    for fields, field in bad:
        data = {"from_path": src + "-new", "to_path": "/", "code": "301"}
        data.update(fields)
        resp = c.submit("/admin/redirections", data, "#redirection-form")
        status(resp, 422, repr(fields))
        ok(field in field_errors(resp.text), "%r: %s" % (
            fields, field_errors(resp.text)))
    eq(psql_value("SELECT count(*) FROM redirections WHERE from_path LIKE "
                  ":'p1'", src + "%"), "1")
    # edit, then an edit onto another redirection's from_path
    other = src + "-autre"
    redirects(c.submit("/admin/redirections", {
        "from_path": other, "to_path": "https://example.org/x",
        "code": "301"}, "#redirection-form"))
    redirects(c.submit("/admin/redirections/%s" % rid, {
        "to_path": "/pages/nouvelle", "code": "301"}, "#redirection-form"),
        "/admin/redirections/%s" % rid)
    eq(psql("SELECT to_path, code FROM redirections WHERE id = :'p1'",
            rid)[0], ("/pages/nouvelle", "301"))
    resp = c.submit("/admin/redirections/%s" % rid, {"from_path": other},
                    "#redirection-form")
    status(resp, 422)
    ok("from_path" in field_errors(resp.text))
    page = status(c.get("/admin/redirections/%s" % rid), 200)
    redirects(c.post("/admin/redirections/%s/delete" % rid,
                     {"_csrf": csrf_of(page)}), "/admin/redirections")
    eq(psql_value("SELECT count(*) FROM redirections WHERE id = :'p1'", rid),
       "0")
    eq([(e, a, lbl) for e, a, lbl in audit_rows(rid, "redirection")],
       [(email, "redirection.create", src),
        (email, "redirection.update", src),
        (email, "redirection.delete", src)])


# --------------------------------------------------------------------------
# Audit log and dashboard
# --------------------------------------------------------------------------

@test
def audit_page_shows_who_did_what_newest_first():
    c, email, _ = admin()
    title = "Audité " + random_letters()
    aid = create_article(c, title=title)
    redirects(edit_article(c, aid, action="publish"))
    page = status(c.get("/admin/audit"), 200)
    text = html_text(page)
    contains(text, email)
    contains(text, "article.publish")
    contains(text, "article n° %d" % aid)
    contains(text, title)
    ok(text.index("article.publish") < text.index("article.create"),
       "newest first")
    when = psql_value("SELECT to_char(created_at AT TIME ZONE "
                      "'Europe/Paris', 'DD/MM/YYYY HH24:MI') FROM audit_log "
                      "WHERE object_id = :'p1' AND action = "
                      "'article.publish'", aid)
    contains(text, when)
    # pagination: enough entries for a second page
    for i in range(50):
        fresh_ip(c)
        redirects(edit_article(c, aid, summary="v%d" % i, action="save"))
    page = status(c.get("/admin/audit"), 200)
    contains(page_links(page), "/admin/audit?page=2")
    page2 = status(c.get("/admin/audit?page=2"), 200)
    contains(page_links(page2), "/admin/audit?page=1")
    status(c.get("/admin/audit?page=abc"), 200)
    # the audit label is escaped
    title = "<b>gras</b> " + random_letters()
    create_article(c, title=title)
    page = status(c.get("/admin/audit"), 200)
    not_contains(page.text, "<b>gras</b>")
    contains(page.text, "&lt;b&gt;gras&lt;/b&gt;")


@test
def dashboard_counts_and_links():
    c, _, _ = admin()
    create_article(c)
    create_article(c, action="publish")
    create_article(c, action="schedule", published_at=future_local(5))
    page = status(c.get("/admin"), 200)
    text = html_text(page)
    drafts, scheduled, published = psql(
        "SELECT count(*) FILTER (WHERE status = 'draft'), count(*) FILTER "
        "(WHERE status = 'published' AND published_at > now()), count(*) "
        "FILTER (WHERE status = 'published' AND published_at <= now()) "
        "FROM articles")[0]
    matches(text, r"Articles en brouillon\s*%s\b" % drafts)
    matches(text, r"Articles programmés\s*%s\b" % scheduled)
    matches(text, r"Articles publiés\s*%s\b" % published)
    active = psql_value("SELECT count(*) FROM users WHERE status = 'active'")
    matches(text, r"Membres actifs\s*%s\b" % active)
    links = page_links(page)
    for href in ("/admin/articles", "/admin/pages", "/admin/categories",
                 "/admin/home-blocks", "/admin/redirections", "/admin/media",
                 "/admin/audit", "/admin/articles/new"):
        contains(links, href)
    # the admin navigation is on every back-office page of this module
    for path in ("/admin/articles", "/admin/pages", "/admin/categories",
                 "/admin/home-blocks", "/admin/redirections", "/admin/audit",
                 "/admin/articles/new", "/admin/pages/new"):
        p = status(c.get(path), 200)
        contains(p.text, 'class="admin-nav"', path)
        contains(p.text, 'aria-current="page"', path)
