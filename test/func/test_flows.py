# SPDX-License-Identifier: MIT
"""The issue's "done means", end to end through nginx: an admin uploads a
photo, writes an article with it, schedules it, sees it appear at its time,
in the feed and in search, then unpublishes it and sees it vanish from the
site, the feed and search. The back-office, the public pages, the media
pipeline and the search index are all real; nothing is written with psql."""

import datetime
import re
import secrets
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403

PARIS = ZoneInfo("Europe/Paris")


def web():
    return Client("http", client_ip="10.%d.%d.%d" % tuple(
        secrets.randbelow(250) + 1 for _ in range(3)))


def photo():
    """A 1600x900 JPEG made by libvips' command line."""
    with tempfile.TemporaryDirectory() as d:
        out = d + "/photo.jpg"
        subprocess.run(["vips", "black", d + "/b.v", "1600", "900",
                        "--bands", "3"], check=True)
        subprocess.run(["vips", "linear", d + "/b.v", out, "1", "90"],
                       check=True)
        with open(out, "rb") as fh:
            return fh.read()


def paris(seconds_ahead):
    t = datetime.datetime.now(PARIS) + datetime.timedelta(
        seconds=seconds_ahead)
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def poll(fn, what, timeout=20):
    """fn() until it returns a true value (the content is real; the time is
    the scheduler's and nginx's 5-second micro-cache)."""
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > end:
            ok(False, "still not true after %ss: %s" % (timeout, what))
        time.sleep(0.25)


def search(word):
    r = status(Client("fcgi").get("/api/search?q=" + word), 200)
    return [x["url"] for x in r.json()["results"]]


def feed_links(client):
    r = status(client.get("/feed.xml"), 200)
    root = ET.fromstring(r.body)
    return [i.findtext("link") for i in root.iter("item")]


@test
def schedule_publish_find_unpublish_vanish():
    email, pw = make_admin()
    adm = web()
    login(adm, email, pw)

    # 1. a photo, through the back-office upload form
    page = status(adm.get("/admin/media"), 200)
    resp = adm.post_multipart("/admin/media", {
        "_csrf": csrf_of(page), "alt": "Des militants sur le marché"},
        {"file": ("marche.jpg", photo(), "image/jpeg")})
    redirects(resp, "/admin/media/", "upload")
    media_id = re.search(r"/admin/media/(\d+)$", resp.location).group(1)

    # 2. an article with it, scheduled a few seconds ahead
    word = "zq" + random_letters(8).lower()
    title = "Le marché de %s, élection en vue" % word
    page = status(adm.get("/admin/articles/new"), 200)
    resp = adm.post("/admin/articles", {
        "_csrf": csrf_of(page), "title": title, "slug": "",
        "summary": "Une matinée au marché avec les militants.",
        "body": "## Au marché\n\nNous étions **nombreux**.",
        "category_id": "", "media_id": media_id,
        "published_at": paris(4), "action": "schedule"})
    redirects(resp, "/admin/articles/", "create")
    art_id = re.search(r"/admin/articles/(\d+)$", resp.location).group(1)
    slug = psql_value("SELECT slug FROM articles WHERE id = :'p1'", art_id)
    ok(slug, "the article exists")
    path = "/articles/" + slug

    # not yet: not on the site, not in the feed, not in search
    status(Client("fcgi").get(path), 404)
    ok(path not in " ".join(feed_links(Client("fcgi"))), "feed before time")
    eq(search(word), [], "found before its time")

    # 3. it appears by itself at its time
    poll(lambda: Client("fcgi").get(path).status == 200, "published")
    art = poll(lambda: (lambda r: r if r.status == 200 else None)(
        web().get(path)), "through nginx")
    contains(art.text, title)
    imgs = re.findall(r'<img class="pic-img" src="(/img/[^"]+)"', art.text)
    ok(imgs, "the article shows its photo")
    img = status(web().get(imgs[0]), 200)
    eq(img.content_type, "image/jpeg")
    eq(search(word), [path], "findable once published")
    ok(any(l.endswith(path) for l in feed_links(Client("fcgi"))),
       "in the feed once published")

    # 4. unpublish: gone at once from the workers, within seconds via nginx
    edit = status(adm.get("/admin/articles/" + art_id), 200)
    resp = submit_page(adm, edit, {"action": "unpublish"},
                       selector="/admin/articles/" + art_id)
    redirects(resp, "/admin/articles/" + art_id, "unpublish")
    status(Client("fcgi").get(path), 404)
    eq(search(word), [], "found after unpublishing")
    ok(not any(l.endswith(path) for l in feed_links(Client("fcgi"))),
       "in the feed after unpublishing")
    poll(lambda: web().get(path).status == 404, "gone through nginx")
    poll(lambda: not any(l.endswith(path) for l in feed_links(web())),
         "gone from the feed through nginx")

    # 5. and the audit log says who did it
    rows = psql("SELECT action FROM audit_log WHERE user_email = :'p1' "
                     "AND object_type = 'article' AND object_id = :'p2' "
                     "ORDER BY id", email, art_id)
    actions = [r[0] for r in rows]
    for a in ("article.create", "article.unpublish"):
        ok(a in actions, "audit has %s: %s" % (a, actions))
    ok("article.schedule" in actions or "article.create" in actions,
       "audit has the scheduling: %s" % actions)
