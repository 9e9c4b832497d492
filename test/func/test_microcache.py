# SPDX-License-Identifier: MIT
"""The nginx micro-cache (nginx/civitas.conf, fastcgi.conf): anonymous GET
and HEAD of public pages are served from nginx for the page's max-age; a
session cookie bypasses it; Set-Cookie, no-store and POST never enter it;
a change shows once the entry expires. Image variants have a cache of
their own (key without the query string, kept 10 minutes, no session
bypass).

Every request goes through nginx and reads its verdict in X-Cache-Status.
Each test names its own cache entries with a unique query string (the key
is the whole request target), so the order of the tests and the entries
other modules left behind do not matter.  Requests come from a random
client behind the trusted proxy, as in test_nginx (rate limits).
"""

import os
import re
import struct
import subprocess
import tempfile
import time
import uuid

from civitas import *   # noqa: F401,F403
import stackctl as sc


def via():
    return {"source_address": (trusted_proxy(), 0),
            "forwarded_for": sc.random_client_ip()}


def get(path, cookie=None, method="GET"):
    headers = [("Cookie", cookie)] if cookie else []
    return http_request(method, path, headers, **via())


def cache_status(resp):
    return resp.headers.get("X-Cache-Status")


class Expired(Exception):
    """An entry expired between two requests of a test (the machine
    stalled longer than the page's max-age): the sequence is retried."""


def verdict(resp, want, what):
    got = cache_status(resp)
    if want == "HIT" and got in ("EXPIRED", "STALE", "UPDATING"):
        raise Expired("%s: %s" % (what, got))
    eq(got, want, "%s: X-Cache-Status" % what)
    return resp


def retried(fn):
    """Run fn (which uses fresh cache keys) again when an entry expired
    under it; up to 3 times. Never hides a wrong verdict."""
    def run_it():
        for attempt in range(3):
            try:
                return fn()
            except Expired:
                if attempt == 2:
                    raise AssertionError("entries kept expiring between "
                                         "two requests, 3 times in a row")
    run_it.__name__ = fn.__name__
    run_it.__doc__ = fn.__doc__
    return run_it


def fresh(path="/"):
    """path with a query string no other request used: a new cache key."""
    return "%s%smc=%s" % (path, "&" if "?" in path else "?",
                          uuid.uuid4().hex)


def max_age(resp):
    m = re.search(r"max-age=(\d+)", resp.headers.get("Cache-Control", ""))
    ok(m, "no max-age in Cache-Control %r" % resp.headers.get(
        "Cache-Control"))
    return int(m.group(1))


def stale_window(resp):
    """stale-while-revalidate (seconds nginx may serve an expired copy
    while refreshing it), 0 when absent."""
    m = re.search(r"stale-while-revalidate=(\d+)",
                  resp.headers.get("Cache-Control", ""))
    return int(m.group(1)) if m else 0


@test
@retried
def anonymous_get_is_miss_then_hit():
    for base in ("/", "/api/cities?country=FR&postal_code=69001"):
        path = fresh(base)
        first = verdict(status(get(path), 200, path), "MISS", path)
        contains(first.headers.get("Cache-Control", ""), "public", path)
        second = verdict(status(get(path), 200, path), "HIT", path)
        eq(second.body, first.body, "%s: the cached body" % path)
        eq(second.content_type, first.content_type, path)
        # HEAD is answered from the same entry, without a body.
        head = verdict(status(get(path, method="HEAD"), 200), "HIT",
                       "HEAD " + path)
        eq(head.body, b"", "HEAD body")
    # A cached answer keeps the security headers (add_header inheritance).
    hit = verdict(get(path), "HIT", path)
    for name in ("Content-Security-Policy", "X-Content-Type-Options",
                 "Referrer-Policy", "X-Frame-Options"):
        eq(len(hit.headers.get_all(name)), 1, "one %s on a HIT" % name)


@test
@retried
def session_cookie_bypasses_and_is_never_stored():
    path = fresh("/")
    verdict(get(path), "MISS", path)
    verdict(get(path), "HIT", path)
    # An entry exists, yet a request with a session cookie goes to a worker.
    for cookie in ("sid=" + uuid.uuid4().hex,
                   "csrf=x; sid=" + uuid.uuid4().hex + "; lang=fr"):
        for _ in range(3):
            verdict(status(get(path, cookie), 200), "BYPASS",
                    "%s with Cookie: %s" % (path, cookie))
    # What a session request fetched is not stored for the others.
    other = fresh("/")
    verdict(get(other, "sid=" + uuid.uuid4().hex), "BYPASS", other)
    verdict(get(other, "sid=" + uuid.uuid4().hex), "BYPASS", other)
    verdict(get(other), "MISS", other + " after two session requests")
    # An empty sid is no session.
    verdict(get(other, "sid="), "HIT", other + " with an empty sid")


@test
@retried
def csrf_cookie_alone_does_not_bypass():
    """The CSRF cookie marks a visitor who opened a form, not a session:
    the cacheable pages are the same bytes with or without it."""
    path = fresh("/")
    verdict(get(path, "csrf=" + uuid.uuid4().hex), "MISS", path)
    verdict(get(path), "HIT", path)
    verdict(get(path, "csrf=" + uuid.uuid4().hex), "HIT", path)


@test
def set_cookie_and_no_store_never_cached():
    for base in ("/signup", "/login", "/password/forgot"):
        path = fresh(base)
        statuses = []
        for _ in range(3):
            # without a cookie: the form sets the csrf cookie
            r = status(get(path), 200, path)
            ok(r.headers.get("Set-Cookie") or "no-store" in
               r.headers.get("Cache-Control", ""),
               "%s: expected Set-Cookie or no-store, got %s" % (
                   path, r.headers))
            statuses.append(cache_status(r))
            # with one: no Set-Cookie, but Cache-Control: no-store
            r = status(get(path, "csrf=" + uuid.uuid4().hex), 200, path)
            contains(r.headers.get("Cache-Control", ""), "no-store", path)
            statuses.append(cache_status(r))
        eq(set(statuses), {"MISS"}, "%s: never stored (%s)" % (
            path, statuses))
    # An error page of the application (no-store) is not kept either.
    path = fresh("/nothing-" + uuid.uuid4().hex)
    for _ in range(2):
        verdict(status(get(path), 404), "MISS", path)


@test
@retried
def post_is_never_cached():
    path = fresh("/")
    cached = verdict(get(path), "MISS", path).body
    for _ in range(2):
        r = http_request("POST", path, [("Content-Type",
                                         "application/x-www-form-urlencoded")],
                         b"a=b", **via())
        ok(r.status in (403, 405), "POST %s: %d from the application"
           % (path, r.status))
        eq(cache_status(r), None, "POST %s: the cache is not consulted"
           % path)
        ne(r.body, cached, "POST %s got the cached page" % path)
    # A POST does not fill an entry either.
    other = fresh("/")
    http_request("POST", other, [("Content-Type",
                                  "application/x-www-form-urlencoded")],
                 b"a=b", **via())
    verdict(get(other), "MISS", other + " after a POST")


def new_article(title):
    slug = "microcache-" + uuid.uuid4().hex[:12]
    psql("INSERT INTO articles (slug, title, summary, body_md, body_html, "
         "status, published_at) VALUES (:'p1', :'p2', 'Résumé.', "
         "'Texte.', '<p>Texte.</p>', 'published', now() - interval "
         "'1 minute')", slug, title)
    return slug


@test
def change_visible_once_the_entry_expires():
    """Editing then unpublishing an article: the cached page is served
    until its max-age (a few seconds), then the change shows."""
    old, new = "Ancien titre " + uuid.uuid4().hex, \
        "Nouveau titre " + uuid.uuid4().hex
    slug = new_article(old)
    path = "/articles/" + slug
    first = verdict(status(get(path), 200, path), "MISS", path)
    contains(first.text, old)
    age = max_age(first) + stale_window(first)
    ok(age <= 15, "%s: %r, a change could take %d s to show (the issue "
       "asks for a few seconds)" % (path, first.headers.get("Cache-Control"),
                                    age))
    second = cache_status(get(path))
    ok(second in ("HIT", "EXPIRED", "STALE", "UPDATING"),
       "%s: the second GET was not served from an entry (%s)" % (
           path, second))
    psql("UPDATE articles SET title = :'p1', updated_at = now() "
         "WHERE slug = :'p2'", new, slug)

    def shows_new():
        r = get(path)
        return r.status == 200 and new in r.text
    wait_until(shows_new, timeout=age + 10, interval=0.5,
               message="%s shows the new title" % path)
    psql("UPDATE articles SET status = 'draft' WHERE slug = :'p1'", slug)
    # 404 is not one of the fastcgi_cache_use_stale cases: no stale copy.
    wait_until(lambda: get(path).status == 404, timeout=age + 10,
               interval=0.5, message="%s gone once unpublished" % path)
    psql("DELETE FROM articles WHERE slug = :'p1'", slug)


def bin_dir():
    return os.environ.get("BIN_DIR") or os.path.join(REPO_ROOT, "build")


def fcgi_get(path):
    """The same request straight to the workers (FastCGI socket), past
    nginx and its caches."""
    return Client("fcgi").get(path)


def entry_expiry(path):
    """The time (epoch seconds) until which nginx's image cache holds the
    entry of path: valid_sec of the entry file's header (after its
    version field; both machine words), found by the "KEY:" line."""
    root = os.path.join(var_dir(), "nginx", "cache", "img")
    for dirpath, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as fh:
                head = fh.read(4096)
            if re.search(rb"\nKEY: [a-z]+://[^/\n]*" + re.escape(
                    path.encode()) + rb"\n", head):
                return struct.unpack_from("=q", head, 8)[0]
    raise AssertionError("no entry for %s under %s" % (path, root))


@test
def image_variants_kept_by_nginx():
    """A variant (signed URL taken from the article page) is kept by nginx
    (zone civitas_img): MISS then HIT, for everyone (a session cookie does
    not bypass), one entry whatever the query string. Clients still get
    the application's one-year immutable Cache-Control and its ETag.
    nginx keeps an entry 10 minutes (fastcgi_cache_valid 200 10m): after
    the picture is deleted, the workers answer 404 at once but nginx goes
    on serving its copy until the entry expires (the test does not wait
    10 minutes for it)."""
    with tempfile.TemporaryDirectory() as tmp:
        jpg = os.path.join(tmp, "mc.jpg")
        subprocess.run(["vips", "black", jpg + "[Q=80]", "800", "600",
                        "--bands", "3"], check=True)
        out = subprocess.run(
            [os.path.join(bin_dir(), "civitas-fcgi"), "media-import", jpg,
             "Image de test du micro-cache"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    media = out.stdout.decode().strip().split()[-1]
    ok(media.isdigit(), "media-import printed %r" % out.stdout)
    slug = new_article("Article illustré " + uuid.uuid4().hex)
    psql("UPDATE articles SET media_id = :'p1' WHERE slug = :'p2'",
         media, slug)
    page = status(get("/articles/" + slug), 200)
    urls = sorted(set(re.findall(r"/img/[A-Za-z0-9_-]+/%s-[a-z]+\.(?:jpg|webp)"
                                 % media, page.text)))
    ok(len(urls) >= 2, "not two /img/ URLs of media %s in the article "
       "page: %s" % (media, urls))
    url, other = urls[0], urls[1]
    first = status(get(url), 200, url)
    eq(cache_status(first), "MISS", "%s: X-Cache-Status" % url)
    contains(first.headers.get("Cache-Control", ""), "immutable", url)
    contains(first.headers.get("Cache-Control", ""), "max-age=31536000",
             url)
    etag = first.headers.get("ETag")
    ok(etag, "%s: no ETag" % url)
    junk = "%s?junk=%s" % (url, uuid.uuid4().hex)
    for path, cookie in ((url, None), (junk, None),
                         (url, "sid=" + uuid.uuid4().hex)):
        r = status(get(path, cookie), 200, path)
        eq(cache_status(r), "HIT", "%s (Cookie: %s): X-Cache-Status"
           % (path, cookie))
        eq(r.body, first.body, path)
        # What the client gets is the application's header, not nginx's
        # 10 minutes.
        eq(r.headers.get("Cache-Control"),
           first.headers.get("Cache-Control"), path)
        eq(r.headers.get("ETag"), etag, path)
    # nginx itself keeps the entry 10 minutes, not the year clients are
    # told (fastcgi_ignore_headers + fastcgi_cache_valid 200 10m).
    left = entry_expiry(url) - time.time()
    ok(0 < left <= 600, "%s: nginx keeps the entry %d s more (at most "
       "600 expected)" % (url, left))
    head = status(get(url, method="HEAD"), 200, "HEAD " + url)
    eq(cache_status(head), "HIT", "HEAD %s" % url)
    eq(head.body, b"", "HEAD body")
    # A conditional request is answered by nginx from the entry.
    r = http_request("GET", url, [("If-None-Match", etag)], **via())
    status(r, 304, url + " with If-None-Match")
    # Still with the security headers of the server level.
    eq(len(r.headers.get_all("Content-Security-Policy")), 1, url)
    hit = get(url)
    for name in ("Content-Security-Policy", "X-Content-Type-Options",
                 "Referrer-Policy", "X-Frame-Options"):
        eq(len(hit.headers.get_all(name)), 1, "one %s on a HIT" % name)
    # The picture is deleted: the workers know at once, nginx keeps its
    # copy until the entry expires (10 minutes at most).
    psql("UPDATE articles SET media_id = NULL WHERE slug = :'p1'", slug)
    psql("DELETE FROM media WHERE id = :'p1'", media)
    redis_cli("DEL", "img:%s" % url.rsplit("/", 1)[1])
    eq(fcgi_get(url).status, 404, "%s from the workers after the delete"
       % url)
    r = status(get(url), 200, url + " through nginx after the delete")
    eq(cache_status(r), "HIT", url + " after the delete")
    eq(r.body, first.body, url)
    # A variant nginx never kept is a miss and gets the 404, which is not
    # kept either.
    for _ in range(2):
        r = status(get(other), 404, other + " after the delete")
        eq(cache_status(r), "MISS", other + " (a 404 is not kept)")
    psql("DELETE FROM articles WHERE slug = :'p1'", slug)


if __name__ == "__main__":
    raise SystemExit(run([__name__]))
