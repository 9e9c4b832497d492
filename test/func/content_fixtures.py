# SPDX-License-Identifier: MIT
"""Content for the public site tests, written straight into PostgreSQL.

The back-office forms are tested elsewhere; here articles, pages, media,
home blocks and redirections are rows created with psql, so the public
side is tested alone. Every helper makes unique slugs and words, because
all test modules share one database. Test modules do
`from content_fixtures import *` after `from civitas import *`.
"""

import base64
import os
import re
import secrets
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

from civitas import (Client, ok, psql, psql_value, wait_until)

__all__ = [
    "word", "make_media", "make_category", "make_article", "make_page",
    "make_block", "make_redirection", "publish", "unpublish",
    "eventually_http", "imgs", "parse_xml", "PUBLIC_CACHE",
]

PUBLIC_CACHE = "public, max-age=5"


def word(n=9):
    """A made-up lowercase word no other test uses."""
    consonants, vowels = "bcdfghjklmnprstvz", "aeiou"
    return "".join(secrets.choice(consonants if i % 2 == 0 else vowels)
                   for i in range(n))


def _jpeg(width, height, colour):
    """A small valid progressive JPEG made with the vips command."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "x.jpg")
        subprocess.run(["vips", "black", os.path.join(d, "b.v"), str(width),
                        str(height), "--bands", "3"], check=True)
        subprocess.run(["vips", "linear", os.path.join(d, "b.v"),
                        path + "[Q=70]", "1 1 1", " ".join(map(str, colour))],
                       check=True)
        with open(path, "rb") as f:
            return f.read()


def make_media(alt=None, width=800, height=450):
    """A media row (a real JPEG, its placeholder data: URI); returns its
    id."""
    alt = alt or "Photo " + word()
    data = _jpeg(width, height, (40, 90, 160))
    ph = "data:image/jpeg;base64," + base64.b64encode(
        _jpeg(24, max(1, 24 * height // width), (40, 90, 160))).decode()
    return int(psql_value(
        "INSERT INTO media (data, mime, width, height, bytes, alt, "
        "placeholder, filename) VALUES (decode(:'p1', 'hex'), 'image/jpeg', "
        ":'p2', :'p3', :'p4', :'p5', :'p6', 'test.jpg') RETURNING id",
        data.hex(), width, height, len(data), alt, ph))


def make_category(name=None):
    """(id, slug, name) of a new category."""
    slug = "cat-" + word()
    name = name or "Catégorie " + slug
    cid = psql_value("INSERT INTO categories (slug, name, description) "
                     "VALUES (:'p1', :'p2', :'p3') RETURNING id",
                     slug, name, "Tout sur " + name)
    return int(cid), slug, name


def make_article(title=None, body_md=None, body_html=None, summary=None,
                 status="published", when="now() - interval '1 minute'",
                 featured=False, category_id=None, media_id=None,
                 slug=None, author="Camille Martin"):
    """(id, slug) of a new article. `when` is SQL for published_at (NULL
    allowed for drafts); a future time makes it scheduled."""
    title = title or "Article " + word()
    slug = slug or re.sub(r"[^a-z0-9]+", "-", "a " + word()).strip("-")
    body_md = body_md if body_md is not None else "Texte de " + title
    body_html = body_html if body_html is not None else \
        "<p>" + body_md.replace("&", "&amp;").replace("<", "&lt;") + "</p>"
    summary = summary if summary is not None else "Résumé de " + title
    aid = psql_value(
        "INSERT INTO articles (slug, title, summary, body_md, body_html, "
        "category_id, media_id, author_name, status, featured, "
        "published_at, first_published_at) VALUES (:'p1', :'p2', :'p3', "
        ":'p4', :'p5', nullif(:'p6', '')::bigint, nullif(:'p7', '')::bigint,"
        " :'p8', :'p9', :'p10', %s, %s) RETURNING id" % (when, when),
        slug, title, summary, body_md, body_html,
        "" if category_id is None else category_id,
        "" if media_id is None else media_id, author, status, featured)
    return int(aid), slug


def make_page(title=None, body_md=None, status="published"):
    """(id, slug) of a new page."""
    title = title or "Page " + word()
    slug = "p-" + word()
    body_md = body_md if body_md is not None else "Contenu de " + title
    pid = psql_value(
        "INSERT INTO pages (slug, title, body_md, body_html, status, "
        "published_at) VALUES (:'p1', :'p2', :'p3', :'p4', :'p5', "
        "CASE WHEN :'p5' = 'published' THEN now() END) RETURNING id",
        slug, title, body_md, "<p>" + body_md + "</p>", status)
    return int(pid), slug


def make_block(title=None, link="/signup", media_id=None, visible=True,
               position=0):
    title = title or "Bloc " + word()
    bid = psql_value(
        "INSERT INTO home_blocks (title, body, link, media_id, visible, "
        "position) VALUES (:'p1', :'p2', :'p3', nullif(:'p4', '')::bigint, "
        ":'p5', :'p6') RETURNING id", title, "Texte du bloc " + title, link,
        "" if media_id is None else media_id, visible, position)
    return int(bid), title


def make_redirection(from_path, to_path, code=301):
    psql("INSERT INTO redirections (from_path, to_path, code) VALUES "
         "(:'p1', :'p2', :'p3')", from_path, to_path, code)


def publish(table, oid, when="now()"):
    psql("UPDATE %s SET status = 'published', published_at = %s, "
         "updated_at = now() WHERE id = :'p1'" % (table, when), oid)


def unpublish(table, oid):
    psql("UPDATE %s SET status = 'draft', updated_at = now() WHERE id = "
         ":'p1'" % table, oid)


def eventually_http(path, check, timeout=15):
    """GET path through nginx until check(resp) passes (nginx may keep an
    anonymous page 5 s); returns the response."""
    c = Client("http")

    def probe():
        resp = c.get(path)
        check(resp)
        return resp
    return wait_until(probe, timeout, 0.3, message="GET %s via nginx" % path)


def imgs(markup):
    """Every <img> tag of markup as a dict of its attributes."""
    out = []
    for tag in re.findall(r"<img\b[^>]*>", markup):
        attrs = dict(re.findall(r'([a-zA-Z:-]+)(?:="([^"]*)")?', tag[4:]))
        out.append(attrs)
    return out


def parse_xml(resp):
    """The parsed XML document of a response (raises when malformed)."""
    return ET.fromstring(resp.body)
