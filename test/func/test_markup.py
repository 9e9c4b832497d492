# SPDX-License-Identifier: MIT
"""Every HTML page of the site through the W3C Nu HTML checker.

Each group below (public site, members, back-office, nginx's own error
pages) fetches its pages with the real forms and the real mail, in every
state a visitor can see: empty and with errors (422), the error pages
(400, 403, 404, 413, 429), the "expired form" page. The pages are saved, and vnu.jar runs once over all
of them (the JVM takes seconds to start); each group's test then fails
with the checker's errors on its own pages, naming each page.

vnu.jar comes from npm (vnu-jar, pinned in test/markup/package-lock.json)
and is installed there with `npm ci` when missing or when the lockfile
changed; Java is Debian's (scripts/deps.sh). Only errors count: the
checker's warnings are advice. Feeds, sitemaps and JSON are not HTML
pages and are not checked here (test_content.py parses them).

Forms are sent with errors a browser can make. Values a typed input never
submits (a "datetime-local" of 30 February, a "number" of "abc") are given
back as typed, which test_admin.py requires and the checker calls an
error, so they are left out.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
from content_fixtures import *  # noqa: F401,F403
import civitas
import stackctl as sc

MARKUP_DIR = os.path.join(civitas.REPO_ROOT, "test", "markup")
VNU_JAR = os.path.join(MARKUP_DIR, "node_modules", "vnu-jar", "build",
                       "dist", "vnu.jar")
STAMP = os.path.join(MARKUP_DIR, "node_modules", ".civitas-lock.sha256")

# Markdown with every construct the sanitiser lets through, for the
# article and page templates with real rendered content.
RICH_MARKDOWN = """Premier paragraphe avec *italique*, **gras**, `code` et un
[lien](https://example.org/page?a=1&b=2).

## Un intertitre

- un
- deux

1. premier
2. second

> Une citation.

```
bloc de code <pas du HTML>
```

---

<script>alert(1)</script> <b onclick="x()">gras</b>

Des contrôles\x01 et\u0085 des non-caractères\ufdd0 que HTML refuse\uffff.
"""

# Text that HTML forbids in a document (controls, noncharacters), as rows
# written by another tool could hold it.
FORBIDDEN = "\x01\x7f\u0085\ufdd0\uffff\U0001fffe"


# Checked with the pages: the error the checker must report.
CANARY = ('<!doctype html><html lang="fr"><head><meta charset="utf-8">'
          '<title>x</title></head><body><input name="street" '
          'autocomplete="street-address"></body></html>')


class Pages:
    """The pages one group fetched: (label, response) in order."""

    def __init__(self):
        self.items = []

    def add(self, resp, code=200, what=None):
        """Keep a page, after checking its status and that it is HTML."""
        method, path = resp.request[0], resp.request[1]
        label = "%s %s" % (method, path)
        if what:
            label += " (%s)" % what
        status(resp, code, label)
        contains(resp.content_type, "text/html", label + ": Content-Type")
        self.items.append((label, resp))
        return resp


# --------------------------------------------------------------------------
# The checker
# --------------------------------------------------------------------------

def lock_hash():
    with open(os.path.join(MARKUP_DIR, "package-lock.json"), "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def vnu_jar():
    """The path of vnu.jar, installed from the lockfile when missing or
    stale (--ignore-scripts: the package's install script would download
    a Java of its own; Debian's is used)."""
    want = lock_hash()
    try:
        with open(STAMP) as fh:
            have = fh.read().strip()
    except FileNotFoundError:
        have = None
    if have != want or not os.path.isfile(VNU_JAR):
        ok(shutil.which("npm"), "npm is missing: run scripts/deps.sh")
        proc = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--no-update-notifier",
             "--ignore-scripts", "--loglevel=error"], cwd=MARKUP_DIR,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        eq(proc.returncode, 0, "npm ci in test/markup: %s"
           % proc.stdout.decode("utf-8", "replace")[-2000:])
        ok(os.path.isfile(VNU_JAR), "npm ci did not install %s" % VNU_JAR)
        with open(STAMP, "w") as fh:
            fh.write(want + "\n")
    return VNU_JAR


def run_checker(files):
    """Run vnu.jar once over files; returns {path: [message dicts]} of the
    errors (every file present, [] when valid). Raises AssertionError when
    the checker itself fails."""
    jar = vnu_jar()
    ok(shutil.which("java"), "java is missing: run scripts/deps.sh "
       "(Debian's default-jre-headless)")
    proc = subprocess.run(
        ["java", "-jar", jar, "--errors-only", "--format", "json",
         "--stdout", "--exit-zero-always"] + files,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    text = proc.stdout.decode("utf-8", "replace")
    try:
        report = json.loads(text)
    except ValueError:
        raise AssertionError("vnu.jar (exit %d) did not print JSON: %s %s" % (
            proc.returncode, text[:1000],
            proc.stderr.decode("utf-8", "replace")[:1000]))
    eq(proc.returncode, 0, "vnu.jar exit status; stderr: %s" %
       proc.stderr.decode("utf-8", "replace")[:1000])
    ok(report.get("version"), "vnu.jar report without a version: %s" % text)
    found = {f: [] for f in files}
    for msg in report.get("messages", []):
        if msg.get("type") == "info":       # warnings: advice, not errors
            continue
        path = re.sub(r"^file:", "", msg.get("url", ""))
        # an error not tied to one of our files fails every page
        for f in ([path] if path in found else files):
            found[f].append(msg)
    return found


def describe(msg):
    where = ""
    if msg.get("lastLine"):
        where = "line %s: " % msg["lastLine"]
    extract = (msg.get("extract") or "").replace("\n", " ").strip()
    return "%s%s%s%s" % (where, msg.get("type", "?") + ": "
                         if msg.get("type") != "error" else "",
                         msg.get("message", ""),
                         " [%s]" % extract if extract else "")


# --------------------------------------------------------------------------
# Groups: each fills a Pages; all are checked in one run of the checker
# --------------------------------------------------------------------------

GROUPS = []     # (name, fetch function)


def group(name):
    def register(fn):
        GROUPS.append((name, fn))
        return fn
    return register


def admin_client():
    email, password = make_admin()
    c = Client("fcgi")
    login(c, email, password)
    return c


# ---- issue 10: "Convaincre un ami", the opt-out link, donations ----------

def convince_choice(kind, n=1):
    return [r[0] for r in psql(
        "SELECT id FROM convince_choices WHERE kind = :'p1' AND active "
        "ORDER BY position, id LIMIT :'p2'", kind, str(n))]


def convince_pages(p):
    """Each step of /convince, a step with errors (422), a stale step
    (409), the summary with errors, the thank-you page, and the opt-out
    page of the friend's mail before and after its button."""
    c = Client("fcgi")
    first = p.add(c.get("/convince"), what="step 1")
    stale = find_form(first.text, "#convince-form").submission()
    p.add(c.submit("/convince", {"first_name": "", "age": "200",
                                 "gender": None, "situation": None},
                   "#convince-form"), 422, "step 1, errors")
    steps = [{"first_name": "Léa", "age": "34", "gender": "female",
              "situation": convince_choice("situation")[0]},
             {"concern": convince_choice("concern")[0]},
             {"interest_" + i: "1" for i in convince_choice("interest", 2)},
             {"reason_" + i: "1" for i in convince_choice("reason", 2)}]
    for n, fields in enumerate(steps, 2):
        redirects(c.submit("/convince", fields, "#convince-form"), "/convince")
        p.add(c.get("/convince"), what="step %d" % n)
    p.add(c.post("/convince", list(stale)), 409, "a stale step")
    p.add(c.submit("/convince", {"subject": "", "author_email": "x",
                                 "friend_email": ""}, "#convince-form"),
          422, "summary, errors")
    friend = unique_email("ami")
    resp = c.submit("/convince", {
        "author_first_name": "Marie", "author_last_name": "Curie",
        "author_email": unique_email("auteur"), "friend_email": friend},
        "#convince-form")
    redirects(resp, "/convince/sent")
    p.add(c.follow(resp))
    link = [u for u in links(wait_mail(friend)) if "/optout/" in u][0]
    anon = Client("fcgi")
    p.add(anon.get(path_of(link)))
    p.add(anon.submit(path_of(link), {}, path_of(link)), what="done")
    p.add(anon.get("/optout/" + "A" * 20 + ".x"), (400, 404), "forged")


def donation_pages(p, c=None):
    """/donate, /donate/details empty and with errors; a gift's payment
    page (the form that posts itself to the provider)."""
    c = c or Client("fcgi")
    p.add(c.get("/donate"))
    p.add(c.get("/donate/details?amount=50&kind=once"))
    p.add(c.submit("/donate/details", {"amount": "0", "email": "x",
                                       "first_name": "", "natural_person":
                                       None, "french": None},
                   "/donate/details"), 422, "errors")
    resp = c.submit("/donate/details", {
        "amount": "50", "kind": "once", "civility": "mme",
        "first_name": "Camille", "last_name": "Don" + word(),
        "email": unique_email("donor"), "street": "12 rue de la République",
        "country": "FR", "postal_code": "69001", "city_code": "69381",
        "natural_person": "1", "french": "1"}, "/donate/details")
    redirects(resp, None, "a gift")
    return p.add(c.follow(resp), what="payment form")


@group("public")
def public_pages(p):
    c = Client("fcgi")
    media = make_media("Une foule sur une place")
    cid, cslug, _ = make_category()
    _, aslug = make_article(title="Article vérifié " + word() + FORBIDDEN,
                            summary="Résumé" + FORBIDDEN,
                            body_md="Texte de l'article.", featured=True,
                            media_id=media, category_id=cid)
    make_article(category_id=cid, media_id=media)
    make_block(media_id=media, position=-1000)
    make_block(position=-999)
    _, pslug = make_page()
    # one article whose body is rendered by the real Markdown renderer
    a = admin_client()
    found = word()
    resp = a.submit("/admin/articles/new", {
        "title": "Rendu " + found, "body": RICH_MARKDOWN + found,
        "category_id": str(cid), "media_id": str(media),
        "action": "publish"}, "#article-form")
    redirects(resp, "/admin/articles/", "publish the Markdown article")
    rslug = psql_value("SELECT slug FROM articles WHERE title = :'p1'",
                       "Rendu " + found)
    p.add(c.get("/"))
    p.add(c.get("/articles"))
    p.add(c.get("/articles?page=2"), (200, 404))
    p.add(c.get("/articles/" + aslug))
    p.add(c.get("/articles/" + rslug), what="Markdown body")
    p.add(c.get("/articles/category/" + cslug))
    p.add(c.get("/pages/" + pslug))
    p.add(c.get("/search"), what="empty")
    p.add(c.get("/search?q=" + found), what="results")
    p.add(c.get("/search?q=" + word(12)), what="no result")
    p.add(c.get("/nulle-part-" + word()), 404)
    p.add(c.get("/articles/" + word()), 404)
    convince_pages(p)       # issue 10
    donation_pages(p)


@group("members")
def member_pages(p):
    c = Client("fcgi")
    p.add(c.get("/signup"))
    p.add(c.submit("/signup", signup_fields(
        email="pas-une-adresse", first_name="", last_name="",
        birth_date="", phone="12", password="court", street="",
        postal_code="", city_code="", charter=None)), 422, "errors")
    p.add(c.submit("/signup", signup_fields(country="BE", postal_code="x",
                                            city_name="")),
          422, "abroad, errors")
    fields = signup_fields()
    email, seen = fields["email"], mail_paths(fields["email"])
    resp = c.submit("/signup", fields)
    redirects(resp, "/signup/done")
    p.add(c.follow(resp))
    p.add(c.get("/signup/resend"))
    p.add(c.submit("/signup/resend", {"email": "nope"}), 422, "errors")
    p.add(c.get(path_of(confirm_link(email, seen=seen))), what="confirmed")
    p.add(c.get("/signup/confirm/" + "A" * 43), 404, "unknown token")
    p.add(c.get("/login"))
    p.add(c.submit("/login", {"email": email, "password": "pas-le-bon"}),
          422, "bad password")
    p.add(c.get("/password/forgot"))
    p.add(c.submit("/password/forgot", {"email": ""}), 422, "errors")
    seen = mail_paths(email)
    redirects(Client("fcgi").submit("/password/forgot", {"email": email}),
              "/login?notice=forgot")
    reset = path_of(reset_link(email, seen=seen))
    page = p.add(c.get(reset))
    p.add(submit_page(c, page, {"password": "court",
                                "password_confirm": "autre"}, url=reset),
          422, "errors")
    p.add(c.get("/password/reset/" + "A" * 43), (404, 410), "unknown token")
    login(c, email, fields["password"])
    page = p.add(c.get("/account"))
    p.add(submit_page(c, page, {"first_name": "", "postal_code": "x",
                                "phone": "1"}, "/account", "/account"),
          422, "errors")
    p.add(c.get("/account/notifications"))
    # issue 10: a member's gift, paid through the fake provider, listed
    pay = donation_pages(p, c)
    form = find_form(pay.text, "#paybox-form")
    p.add(c.get(path_of(paybox_pay(list(form.submission())))),
          what="back from the provider")
    p.add(c.get("/account/donations"))
    anon = Client("fcgi")
    p.add(anon.get("/newsletter"))
    p.add(anon.submit("/newsletter", {"email": "x", "postal_code": "1"}),
          422, "newsletter errors")
    p.add(anon.get("/newsletter/unsubscribe"))
    page = p.add(c.get("/account/delete"))
    p.add(submit_page(c, page, {"reason": "", "confirm": None},
                      "/account/delete"), 422, "errors")
    p.add(c.get("/admin"), 403, "member")
    p.add(c.get("/login?next=%zz"), 400, "bad query")
    # a form of our own posted with a stale token: 403, values given back
    stale = Client("fcgi")
    token = csrf_of(status(stale.get("/signup"), 200))
    stale.delete_cookie("csrf")
    p.add(stale.post("/signup", dict(signup_fields(), _csrf=token),
                     headers={"Origin": base_url()}), 403, "expired form")
    resp = submit_page(c, page, {"reason": "time", "confirm": "1"},
                       "/account/delete")
    redirects(resp, "/account/deleted")
    p.add(c.follow(resp))


@group("back-office")
def backoffice_pages(p):
    c = admin_client()
    media = make_media("Affiche de la marche")
    p.add(c.get("/admin"))
    p.add(c.get("/admin/campaigns"))
    p.add(c.get("/admin/campaigns/new"))
    p.add(c.submit("/admin/campaigns/new", {"subject": "", "body": ""},
                   "#campaign-form"), 422, "campaign errors")
    resp = c.submit("/admin/campaigns/new", {
        "subject": "Bonjour {first_name}", "body": RICH_MARKDOWN,
        "subscription_type": "national", "audience": "members",
        "departements": "69"}, "#campaign-form")
    redirects(resp, "/admin/campaigns/", "a campaign drafted")
    p.add(c.follow(resp), what="campaign")
    p.add(c.get(path_of(resp.location) + "/preview"),
          what="campaign preview")
    p.add(c.get("/admin/referents"))
    p.add(c.get("/admin/articles"))
    p.add(c.get("/admin/articles/new"))
    # errors a browser can send (its typed inputs only send valid values)
    p.add(c.submit("/admin/articles/new", {"title": "", "slug": "A B",
                                           "category_id": "999999999",
                                           "published_at": "2020-01-01T10:00",
                                           "action": "schedule"},
                   "#article-form"), 422, "errors")
    resp = c.submit("/admin/articles/new", {
        "title": "Brouillon " + word(), "body": RICH_MARKDOWN,
        "media_id": str(media), "action": "save"}, "#article-form")
    redirects(resp, "/admin/articles/")
    aid = int(resp.location.rsplit("/", 1)[1])
    p.add(c.get("/admin/articles/%d" % aid))
    p.add(c.get("/admin/articles/%d/preview" % aid), what="draft")
    redirects(c.submit("/admin/articles/%d" % aid, {"action": "publish"},
                       "#article-form"), "/admin/articles/%d" % aid)
    p.add(c.get("/admin/articles/%d" % aid), what="published")
    p.add(c.get("/admin/articles/%d/preview" % aid), what="published")
    p.add(c.get("/admin/pages"))
    p.add(c.get("/admin/pages/new"))
    resp = c.submit("/admin/pages/new", {"title": "Page " + word(),
                                         "body": RICH_MARKDOWN,
                                         "action": "save"}, "#page-form")
    redirects(resp, "/admin/pages/")
    pid = int(resp.location.rsplit("/", 1)[1])
    p.add(c.get("/admin/pages/%d" % pid))
    p.add(c.submit("/admin/pages/%d" % pid, {"title": ""}, "#page-form"),
          422, "errors")
    p.add(c.get("/admin/pages/%d/preview" % pid))
    cid, _, _ = make_category()
    p.add(c.get("/admin/categories"))
    p.add(c.submit("/admin/categories", {"name": "", "position": "-1.5"},
                   "#category-form"), 422, "errors")
    p.add(c.get("/admin/categories/%d" % cid))
    bid, _ = make_block(media_id=media)
    p.add(c.get("/admin/home-blocks"))
    p.add(c.submit("/admin/home-blocks", {"title": "", "link": "//x"},
                   "#block-form"), 422, "errors")
    p.add(c.get("/admin/home-blocks/%d" % bid))
    src = "/ancien-" + word()
    make_redirection(src, "/articles")
    rid = int(psql_value("SELECT id FROM redirections WHERE from_path = "
                         ":'p1'", src))
    p.add(c.get("/admin/redirections"))
    p.add(c.submit("/admin/redirections", {"from_path": "x", "to_path": "",
                                           "code": "300"},
                   "#redirection-form"), 422, "errors")
    p.add(c.get("/admin/redirections/%d" % rid))
    page = p.add(c.get("/admin/media"))
    p.add(c.post_multipart("/admin/media", {"_csrf": csrf_of(page),
                                            "alt": ""}, None),
          (413, 415, 422), "no file")
    p.add(c.get("/admin/media/%d" % media))
    p.add(c.get("/admin/audit"))
    # issue 10: the choices of "Convaincre un ami"
    p.add(c.get("/admin/convince"))
    p.add(c.submit("/admin/convince", {"label": "", "paragraph": "",
                                       "position": "1.5"}, "#convince-form"),
          422, "errors")
    cid = convince_choice("concern")[0]
    p.add(c.get("/admin/convince/%s" % cid))


@group("nginx")
def nginx_pages(p):
    """nginx's own error pages (its 502, 503 and 504 need the workers
    down; their markup is the same as these)."""
    c = Client("http", client_ip=sc.random_client_ip())
    asset = re.search(r'href="(/assets/[^"]+\.css)"',
                      status(c.get("/"), 200).text)
    ok(asset, "no stylesheet linked from /")
    p.add(c.get(re.sub(r"\.[0-9a-f]+\.", ".0000000000.", asset.group(1))),
          404, "missing asset")
    p.add(c.get("/", headers={"User-Agent": "WordPress"}), 403, "WordPress")
    p.add(c.post("/signup", body=b"x" * (1024 * 1024 + 1)), 413)
    p.add(c.post("/admin/media", body=b"x" * (25 * 1024 * 1024 + 1),
                 content_type="multipart/form-data; boundary=x"), 413,
          "upload")
    for _ in range(40):
        resp = c.post("/login", {"email": "a", "password": "b"})
        if resp.status == 429:
            break
    p.add(resp, 429, "over the limit")


_RESULT = {}


def checked():
    """Fetch every group's pages, then check them all in one run of the
    checker: {group: (fetch exception or None, [(label, errors)])}. Done
    once for the module; a checker failure is raised to every group."""
    if "error" in _RESULT:
        raise _RESULT["error"]
    if "groups" in _RESULT:
        return _RESULT["groups"]
    tmp = tempfile.mkdtemp(prefix="civitas-markup.")
    try:
        fetched, files = [], []
        for name, fetch in GROUPS:
            pages = Pages()
            try:
                fetch(pages)
                exc = None
            except Exception as e:      # reported by that group's test
                exc = e
            saved = []
            for i, (label, resp) in enumerate(pages.items):
                path = os.path.join(tmp, "%s-%02d.html" % (name, i))
                with open(path, "wb") as fh:
                    fh.write(resp.body)
                saved.append((label, path))
                files.append(path)
            fetched.append((name, exc, saved))
        canary = os.path.join(tmp, "canary.html")
        with open(canary, "w", encoding="utf-8") as fh:
            fh.write(CANARY)
        try:
            errors = run_checker(files + [canary])
        except Exception as e:
            _RESULT["error"] = e
            raise
        _RESULT["canary"] = errors[canary]
        _RESULT["groups"] = {
            name: (exc, [(label, errors[path]) for label, path in saved])
            for name, exc, saved in fetched}
        return _RESULT["groups"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_group(name):
    exc, pages = checked()[name]
    if exc is not None:
        raise exc
    ok(pages, "%s: no page was checked" % name)
    bad = [(label, errs) for label, errs in pages if errs]
    if bad:
        raise AssertionError("%s: the Nu HTML checker found errors on %d of "
                             "%d pages:\n%s" % (
                                 name, len(bad), len(pages), "\n".join(
                                     "  %s:\n%s" % (label, "\n".join(
                                         "    " + describe(m) for m in errs))
                                     for label, errs in bad)))


@test
def public_pages_are_valid_html():
    check_group("public")


@test
def member_pages_are_valid_html():
    check_group("members")


@test
def backoffice_pages_are_valid_html():
    check_group("back-office")


@test
def nginx_error_pages_are_valid_html():
    check_group("nginx")


@test
def the_checker_reports_a_known_error():
    """The check itself: a page with a known error, checked in the same
    run, is reported, so a checker that reports nothing cannot pass."""
    checked()
    errs = _RESULT["canary"]
    ok(any("street-address" in m.get("message", "") for m in errs),
       "the checker did not report autocomplete=street-address on an "
       "input: %s" % errs)
