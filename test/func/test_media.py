# SPDX-License-Identifier: MIT
"""The media pipeline: uploads (checks before decoding, metadata stripped),
signed variant URLs, the Redis cache with single flight, the media library
of the back-office and `civitas-fcgi media-import`.

Test images are made at test time with the `vips` command line."""

import atexit
import base64
import hashlib
import hmac
import os
import re
import secrets
import shutil
import struct
import subprocess
import tempfile
import threading
import zlib

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403

TMP = tempfile.mkdtemp(prefix="civitas-media-test-")
atexit.register(shutil.rmtree, TMP, True)     # test images, gone at exit
PRESETS = {"thumb": (320, 0), "card": (640, 0), "hero": (1280, 0),
           "og": (1200, 630), "ph": (24, 0)}
IMMUTABLE = "public, max-age=31536000, immutable"


# ---- images ---------------------------------------------------------------

def vips(*args):
    proc = subprocess.run(["vips"] + [str(a) for a in args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    eq(proc.returncode, 0, "vips %s: %s" % (
        " ".join(map(str, args)), proc.stderr.decode("utf-8", "replace")))


def image(w, h, ext, opts=""):
    """The bytes of a smooth, coloured w x h image in format ext (vips
    save options in opts, e.g. "Q=80")."""
    base = os.path.join(TMP, "base-%dx%d.v" % (w, h))
    if not os.path.exists(base):
        s = os.path.join(TMP, "s-%dx%d.v" % (w, h))
        u = os.path.join(TMP, "u-%dx%d.v" % (w, h))
        i = os.path.join(TMP, "i-%dx%d.v" % (w, h))
        vips("sines", s, w, h, "--hfreq", 2, "--vfreq", 3)
        vips("linear", s, u, 120, 128, "--uchar")
        vips("invert", u, i)
        vips("bandjoin", "%s %s %s" % (u, i, u), base)
    out = os.path.join(TMP, "img-%dx%d-%s.%s" % (w, h, opts.replace(
        ",", "_").replace("=", ""), ext))
    vips("copy", base, out + ("[%s]" % opts if opts else ""))
    with open(out, "rb") as f:
        return f.read()


def header(data):
    """(width, height, loader) of image bytes, per vipsheader."""
    path = os.path.join(TMP, "probe-" + hashlib.sha1(data).hexdigest())
    with open(path, "wb") as f:
        f.write(data)
    out = subprocess.run(["vipsheader", path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE).stdout.decode()
    m = re.search(r": (\d+)x(\d+) .*, (\w+)$", out.strip())
    ok(m, "vipsheader: %r" % out)
    return int(m.group(1)), int(m.group(2)), m.group(3)


def jpeg_sof(data):
    """The frame marker of a JPEG (0xC0 baseline, 0xC2 progressive)."""
    ok(data[:2] == b"\xff\xd8", "not a JPEG: %r" % data[:8])
    i = 2
    while i + 4 <= len(data):
        ok(data[i] == 0xFF, "bad JPEG marker at %d" % i)
        m = data[i + 1]
        if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
            return m
        i += 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
    raise AssertionError("no SOF marker")


GPS_MARK = b"CIVITAS-SECRET-PLACE"


def exif_app1(orientation=6):
    """An APP1 Exif segment: ImageDescription (a marker), Orientation and
    a GPS IFD (48 deg 51' N)."""
    ifd0, gps = 8, 50
    rationals, desc = 92, 116
    d = GPS_MARK + b"\0"
    t = b"II*\0" + struct.pack("<I", ifd0)
    t += struct.pack("<H", 3)
    t += struct.pack("<HHII", 0x010E, 2, len(d), desc)
    t += struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)
    t += struct.pack("<HHII", 0x8825, 4, 1, gps)
    t += struct.pack("<I", 0)
    t += struct.pack("<H", 3)
    t += struct.pack("<HHI4s", 0x0000, 1, 4, b"\2\2\0\0")
    t += struct.pack("<HHI4s", 0x0001, 2, 2, b"N\0\0\0")
    t += struct.pack("<HHII", 0x0002, 5, 3, rationals)
    t += struct.pack("<I", 0)
    t += struct.pack("<6I", 48, 1, 51, 1, 0, 1)
    t += d
    body = b"Exif\0\0" + t
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def with_exif(jpeg, orientation=6):
    return jpeg[:2] + exif_app1(orientation) + jpeg[2:]


def png_bomb(w=30000, h=30000):
    """A PNG whose IHDR claims w x h, with one tiny IDAT."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
       b'width="100" height="100"><rect width="100" height="100"/></svg>')


# ---- signed URLs, Redis, rows ----------------------------------------------

def app_key():
    return hashlib.blake2b(os.environ["APP_SECRET"].encode(), digest_size=32,
                           key=b"civitas-app-secret").digest()


def sign(file):
    mac = hmac.new(app_key(), b"img\0" + file.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:16]).decode().rstrip("=")


def img_url(mid, preset, ext="jpg"):
    f = "%s-%s.%s" % (mid, preset, ext)
    return "/img/%s/%s" % (sign(f), f)


def istatus(resp, code, msg=None):
    """status() for image responses: never prints the binary body."""
    if resp.status != code:
        body = resp.body if not resp.body.startswith((b"\xff\xd8", b"RIFF")) \
            else b"<%d bytes of image>" % len(resp.body)
        raise AssertionError("%sexpected status %s, got %s (%s); body: %r" % (
            (msg + ": ") if msg else "", code, resp.status,
            resp.headers.get("Content-Type"), body[:300]))
    return resp


def resized():
    return int(redis_cli("GET", "stats:img:resized") or 0)


def preset_size(name, w, h):
    pw, ph = PRESETS[name]
    if ph:
        s = min(1.0, w / pw, h / ph)
        return max(1, int(pw * s + 0.5)), max(1, int(ph * s + 0.5))
    vw = min(w, pw)
    return vw, max(1, int(h * vw / w + 0.5))


def media_row(mid):
    rows = psql("SELECT mime, width, height, bytes, alt, placeholder, "
                "filename, encode(data, 'hex') FROM media WHERE id = :'p1'",
                mid)
    if not rows:
        return None
    r = rows[0]
    return {"mime": r[0], "width": int(r[1]), "height": int(r[2]),
            "bytes": int(r[3]), "alt": r[4], "placeholder": r[5],
            "filename": r[6], "data": bytes.fromhex(r[7])}


def media_count():
    return int(psql_value("SELECT count(*) FROM media"))


def audit_count(action, mid):
    return int(psql_value("SELECT count(*) FROM audit_log WHERE action = "
                          ":'p1' AND object_type = 'media' AND "
                          "object_id::text = :'p2'", action, str(mid)))


# ---- back-office -------------------------------------------------------------

_ADMIN = {}


def web():
    """A browser through nginx with an address of its own (each client IP
    has its own rate limit)."""
    return Client("http", client_ip="10.%d.%d.%d" % tuple(
        secrets.randbelow(250) + 1 for _ in range(3)))


def admin(transport="http"):
    """The module's logged-in admin (logged in once per transport)."""
    if "email" not in _ADMIN:
        _ADMIN["email"], _ADMIN["password"] = make_admin()
    if transport not in _ADMIN:
        c = web() if transport == "http" else Client(transport)
        login(c, _ADMIN["email"], _ADMIN["password"])
        _ADMIN[transport] = c
    return _ADMIN[transport]


def upload(c, data, alt="Une image de test", filename="photo.jpg",
           ctype="image/jpeg"):
    page = status(c.get("/admin/media"), 200)
    files = {"file": (filename, data, ctype)} if data is not None else None
    return c.post_multipart("/admin/media", {"_csrf": csrf_of(page),
                                             "alt": alt}, files)


def uploaded(c, data, **kw):
    """Upload, expect the 303 to the new media's page; its id."""
    resp = upload(c, data, **kw)
    redirects(resp, "/admin/media/", "upload")
    m = re.search(r"/admin/media/(\d+)$", resp.location)
    ok(m, "redirect to the media page: %s" % resp.location)
    return int(m.group(1))


def refused(c, data, message, alt="Gardez ce texte", **kw):
    """An upload refused with 422, message at the file field, alt kept,
    nothing stored."""
    before = media_count()
    resp = status(upload(c, data, alt=alt, **kw), 422)
    errs = field_errors(resp.text)
    contains(errs.get("file", ""), message)
    ok("alt" not in errs, "no alt error expected: %s" % errs)
    eq(form_values(resp.text, "/admin/media").get("alt"), alt)
    eq(media_count(), before, "a refused upload stored something")
    return resp


# ---- uploads -----------------------------------------------------------------

@test
def jpeg_upload_stored_without_metadata_and_upright():
    c = admin()
    src = with_exif(image(300, 200, "jpg", "Q=85"))
    ok(b"Exif" in src and GPS_MARK in src)
    eq(header(src)[:2], (300, 200))
    mid = uploaded(c, src, alt="  Place   de la  République  ",
                   filename="C:\\fakepath\\été.jpg")
    m = media_row(mid)
    eq(m["mime"], "image/jpeg")
    # Orientation 6 (90 degrees) applied to the pixels, then dropped.
    eq((m["width"], m["height"]), (200, 300))
    eq(header(m["data"])[:2], (200, 300))
    eq(m["bytes"], len(m["data"]))
    eq(m["alt"], "Place de la République")
    eq(m["filename"], "été.jpg")
    for mark in (b"Exif", GPS_MARK, b"http://ns.adobe.com/xap", b"ICC_PROFILE"):
        not_contains(m["data"], mark, "stored original")
    ok(m["placeholder"].startswith("data:image/jpeg;base64,"))
    ph = base64.b64decode(m["placeholder"].split(",", 1)[1])
    w, h, loader = header(ph)
    eq((w, h, loader), (24, 36, "jpegload"))   # 24 px wide, upright
    eq(audit_count("media.upload", mid), 1)


@test
def png_webp_gif_uploads():
    c = admin()
    cases = [("png", "", "image/png", "image/png"),
             ("webp", "Q=80", "image/webp", "image/webp"),
             ("gif", "", "image/gif", "image/png")]   # GIF: first frame, PNG
    for ext, opts, ctype, mime in cases:
        mid = uploaded(c, image(120, 90, ext, opts), filename="x." + ext,
                       ctype=ctype, alt="Format " + ext)
        m = media_row(mid)
        eq(m["mime"], mime, ext)
        eq((m["width"], m["height"]), (120, 90), ext)
        eq(header(m["data"])[2], {"image/png": "pngload",
                                  "image/webp": "webpload"}[mime], ext)
        # Every format gives JPEG and WebP variants.
        r = istatus(c.get(img_url(mid, "thumb")), 200)
        eq(header(r.body)[:2], (120, 90), ext)
        r = istatus(c.get(img_url(mid, "thumb", "webp")), 200)
        eq(r.body[:4] + r.body[8:12], b"RIFFWEBP", ext)


@test
def upload_refusals_before_decoding():
    c = admin()
    jpeg = image(400, 300, "jpg", "Q=90")
    refused(c, png_bomb(), "image trop grande (900 mégapixels, max 40)",
            filename="bomb.png", ctype="image/png")
    refused(c, png_bomb(12000, 10), "image trop grande (12000 × 10 pixels",
            filename="wide.png", ctype="image/png")
    refused(c, SVG, "format non accepté (JPEG, PNG, WebP ou GIF)",
            filename="logo.svg", ctype="image/svg+xml")
    refused(c, b"hello\n" * 50, "format non accepté", filename="a.jpg")
    refused(c, jpeg[:len(jpeg) // 2], "fichier illisible ou tronqué",
            filename="cut.jpg")
    refused(c, jpeg[:40], "fichier illisible ou tronqué", filename="head.jpg")
    refused(c, None, "Choisissez une image")


@test
def oversized_upload_refused_by_the_app():
    # nginx caps bodies; the app's own 20 MiB limit, through FastCGI.
    c = admin("fcgi")
    big = image(64, 64, "jpg") + b"\0" * (20 * 1024 * 1024)
    refused(c, big, "trop volumineux", filename="big.jpg")


@test
def alt_text_required_and_kept():
    c = admin()
    before = media_count()
    resp = status(upload(c, image(80, 60, "png"), alt="   ",
                         filename="a.png", ctype="image/png"), 422)
    errs = field_errors(resp.text)
    contains(errs.get("alt", ""), "obligatoire")
    ok("file" not in errs, errs)
    long_alt = "é" * 301
    resp = status(upload(c, image(80, 60, "png"), alt=long_alt,
                         filename="a.png", ctype="image/png"), 422)
    contains(field_errors(resp.text).get("alt", ""), "300")
    eq(form_values(resp.text, "/admin/media").get("alt"), long_alt)
    # Both wrong: both fields say so, the typed alt comes back.
    resp = status(upload(c, SVG, alt="", filename="x.svg"), 422)
    errs = field_errors(resp.text)
    ok("alt" in errs and "format non accepté" in errs.get("file", ""), errs)
    eq(media_count(), before)


# ---- access -------------------------------------------------------------------

@test
def admin_media_routes_are_for_admins_only():
    mid = uploaded(admin(), image(50, 50, "png"), ctype="image/png")
    member, _, _ = new_member(web())
    page = status(member.get("/account"), 200)
    token = csrf_of(page)
    anon = web()
    anon_token = csrf_of(status(anon.get("/login"), 200))
    for method, path in (("GET", "/admin/media"),
                         ("POST", "/admin/media"),
                         ("GET", "/admin/media/%d" % mid),
                         ("POST", "/admin/media/%d" % mid),
                         ("POST", "/admin/media/%d/delete" % mid)):
        for who, c, tok, want in ((member, member, token, 403),
                                  (anon, anon, anon_token, 303)):
            if method == "GET":
                r = c.get(path)
            else:
                r = c.post(path, {"_csrf": tok, "alt": "pirate"})
            status(r, want, "%s %s" % (method, path))
            if want == 303:
                redirects(r, "/login?next=")
    eq(media_row(mid)["alt"], "Une image de test")


# ---- variants -------------------------------------------------------------------

@test
def signature_refusals_do_no_work():
    c = web()
    mid = uploaded(admin(), image(700, 500, "jpg"))
    before = resized()
    good = "%d-card.jpg" % mid
    bad = [
        "/img/%s/%s" % ("A" * 22, good),                    # wrong
        "/img/%s/%s" % (sign(good)[:-1], good),             # truncated
        "/img/%s/%s" % (sign(good) + "A", good),            # too long
        "/img/%s/%d-hero.jpg" % (sign(good), mid),          # tampered file
        "/img/%s/%d-card.webp" % (sign(good), mid),         # other ext
        "/img/%s/%d-card.jpg" % (sign("%d-card.jpg" % (mid + 1)), mid),
        "/img//%s" % good,                                  # missing
        "/img/%s" % good,
        "/img/%s/%s?sig=%s" % ("B" * 22, good, sign(good)),
    ]
    for url in bad:
        istatus(c.get(url), 404, url)
    # Correctly signed, but an unknown preset, extension or media.
    for f in ("%d-huge.jpg" % mid, "%d-card.png" % mid, "%d-card" % mid,
              "0%d-card.jpg" % mid, "%d-card.jpg.jpg" % mid,
              "%d-card.jpg" % (mid + 100000)):
        istatus(c.get("/img/%s/%s" % (sign(f), f)), 404, f)
    eq(resized(), before, "a refused URL made an image")
    eq(redis_cli("EXISTS", "img:%s" % good), "0")
    istatus(c.get(img_url(mid, "card")), 200)
    eq(resized(), before + 1)


@test
def variants_have_the_preset_size_and_format():
    c = web()
    w, h = 1500, 1000
    mid = uploaded(admin(), image(w, h, "jpg", "Q=80"))
    for name in PRESETS:
        want = preset_size(name, w, h)
        r = istatus(c.get(img_url(mid, name)), 200, name)
        eq(r.headers.get("Content-Type"), "image/jpeg")
        eq(r.headers.get("Cache-Control"), IMMUTABLE)
        ok(re.match(r'^"[0-9a-f]{32}"$', r.headers.get("ETag") or ""),
           r.headers.get("ETag"))
        eq(header(r.body)[:2], want, name)
        eq(jpeg_sof(r.body), 0xC2, "%s: progressive JPEG" % name)
        not_contains(r.body, b"Exif")
        r = istatus(c.get(img_url(mid, name, "webp")), 200, name)
        eq(r.headers.get("Content-Type"), "image/webp")
        eq(r.body[:4] + r.body[8:12], b"RIFFWEBP")
        eq(header(r.body)[:2], want, name + ".webp")
    # A small original is never enlarged; og keeps its 1200:630 ratio.
    small = uploaded(admin(), image(300, 200, "png"), ctype="image/png")
    r = istatus(c.get(img_url(small, "hero")), 200)
    eq(header(r.body)[:2], (300, 200))
    r = istatus(c.get(img_url(small, "og")), 200)
    eq(header(r.body)[:2], preset_size("og", 300, 200))


@test
def etag_and_not_modified():
    for transport in ("http", "fcgi"):
        c = web() if transport == "http" else Client("fcgi")
        mid = uploaded(admin(), image(400, 300, "jpg"))
        url = img_url(mid, "thumb")
        r = istatus(c.get(url), 200)
        etag = r.headers.get("ETag")
        # (304 needs req_header() in core/server.c to read If-None-Match.)
        r2 = istatus(c.get(url, headers={"If-None-Match": etag}), 304,
                     transport + ", If-None-Match")
        eq(r2.body, b"")
        eq(r2.headers.get("ETag"), etag)
        eq(r2.headers.get("Cache-Control"), IMMUTABLE)
        istatus(c.get(url, headers={"If-None-Match": '"0000"'}), 200)
        # The first request (a miss) answers 304 too.
        url = img_url(mid, "card")
        r = istatus(c.get(url), 200)
        redis_cli("DEL", "img:%d-card.jpg" % mid)
        istatus(c.get(url, headers={"If-None-Match": r.headers["ETag"]}),
                304)


@test
def concurrent_first_requests_resize_once():
    mid = uploaded(admin(), image(2000, 1500, "jpg", "Q=90"))
    url = img_url(mid, "hero")
    before = resized()
    results = [None] * 8

    def fetch(i):
        results[i] = web().get(url)
    threads = [threading.Thread(target=fetch, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        istatus(r, 200)
        eq(r.body, results[0].body)
        eq(r.headers.get("ETag"), results[0].headers.get("ETag"))
    eq(resized(), before + 1, "8 concurrent first requests")
    eq(redis_cli("EXISTS", "lock:img:%d-hero.jpg" % mid), "0", "lock left")


@test
def cache_hit_touches_neither_postgresql_nor_libvips():
    # Straight to the workers: through nginx the second request would be
    # answered from nginx's image cache, never reaching Redis.
    c = Client("fcgi")
    mid = uploaded(admin(), image(900, 600, "jpg"))
    first = istatus(c.get(img_url(mid, "card")), 200)
    n = resized()
    ttl = int(redis_cli("TTL", "img:%d-card.jpg" % mid))
    ok(29 * 86400 < ttl <= 30 * 86400, "expiry: %d" % ttl)
    # The original is now garbage: only a cache hit can still answer.
    psql("UPDATE media SET data = '\\x00010203deadbeef'::bytea "
         "WHERE id = :'p1'", mid)
    again = istatus(c.get(img_url(mid, "card")), 200)
    eq(again.body, first.body)
    eq(again.headers.get("ETag"), first.headers.get("ETag"))
    eq(resized(), n, "the hit resized")
    istatus(c.get(img_url(mid, "hero")), 500)   # a miss needs the original
    eq(resized(), n)


# ---- library pages, alt edit, delete ----------------------------------------------

@test
def library_and_media_pages():
    c = admin()
    mid = uploaded(c, image(800, 600, "jpg"), alt="Militants <b>devant</b>")
    page = status(c.get("/admin/media"), 200)
    eq(page.headers.get("Cache-Control"), "no-store")
    contains(page.text, 'enctype="multipart/form-data"')
    contains(page.text, '<label for="file">')
    contains(page.text, '<label for="alt">')
    contains(page.text, "Militants &lt;b&gt;devant&lt;/b&gt;")
    contains(page.text, "/admin/media/%d" % mid)
    contains(page.text, img_url(mid, "thumb"))
    contains(html_text(page.text), "800 × 600")
    page = status(c.get("/admin/media/%d" % mid), 200)
    eq(form_values(page.text, "/admin/media/%d" % mid).get("alt"),
       "Militants <b>devant</b>")
    for name in PRESETS:
        for ext in ("jpg", "webp"):
            contains(page.text, img_url(mid, name, ext))
    for bad in ("abc", "0", "-1", "99999999", "1e3", "%d.0" % mid):
        status(c.get("/admin/media/%s" % bad), 404, bad)


@test
def alt_update_and_delete():
    c = admin()
    mid = uploaded(c, image(640, 480, "jpg"))
    page = status(c.get("/admin/media/%d" % mid), 200)
    resp = submit_page(c, page, {"alt": ""}, "/admin/media/%d" % mid)
    status(resp, 422)
    contains(field_errors(resp.text).get("alt", ""), "obligatoire")
    resp = submit_page(c, page, {"alt": "Nouvelle description"},
                       "/admin/media/%d" % mid)
    redirects(resp, "/admin/media/%d" % mid)
    eq(media_row(mid)["alt"], "Nouvelle description")
    eq(audit_count("media.update", mid), 1)
    # Variants in the cache, then delete.
    pub = web()
    for name in ("thumb", "card"):
        for ext in ("jpg", "webp"):
            istatus(pub.get(img_url(mid, name, ext)), 200)
    eq(redis_cli("EXISTS", "img:%d-card.webp" % mid), "1")
    page = status(c.get("/admin/media/%d" % mid), 200)
    resp = submit_page(c, page, {}, "/admin/media/%d/delete" % mid)
    redirects(resp, "/admin/media")
    ok(resp.location.endswith("/admin/media"), resp.location)
    eq(media_row(mid), None)
    eq(audit_count("media.delete", mid), 1)
    # The workers answer 404 at once. nginx, which kept the variants
    # fetched through it above, serves its copies until its entries
    # expire (10 minutes, see test_microcache); a variant it never kept
    # is a 404 through it too.
    workers = Client("fcgi")
    for name in ("thumb", "card"):
        for ext in ("jpg", "webp"):
            eq(redis_cli("EXISTS", "img:%d-%s.%s" % (mid, name, ext)), "0")
            istatus(workers.get(img_url(mid, name, ext)), 404)
    istatus(pub.get(img_url(mid, "hero")), 404)
    status(c.post("/admin/media/%d/delete" % mid, {"_csrf": csrf_of(page)}),
           404)
    status(c.post("/admin/media/%d" % mid, {"_csrf": csrf_of(page),
                                            "alt": "x"}), 404)


# ---- command line -------------------------------------------------------------------

def media_import(path, alt):
    binary = os.path.join(os.environ.get("BIN_DIR") or
                          os.path.join(REPO_ROOT, "build"), "civitas-fcgi")
    return subprocess.run([binary, "media-import", path, alt],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@test
def cli_media_import():
    path = os.path.join(TMP, "import.jpg")
    with open(path, "wb") as f:
        f.write(with_exif(image(500, 400, "jpg")))
    proc = media_import(path, "Importée en ligne de commande")
    eq(proc.returncode, 0, proc.stderr.decode())
    mid = int(proc.stdout.decode().strip())
    m = media_row(mid)
    eq((m["width"], m["height"], m["mime"]), (400, 500, "image/jpeg"))
    eq(m["alt"], "Importée en ligne de commande")
    eq(m["filename"], "import.jpg")
    not_contains(m["data"], GPS_MARK)
    istatus(web().get(img_url(mid, "thumb")), 200)
    svg = os.path.join(TMP, "x.svg")
    with open(svg, "wb") as f:
        f.write(SVG)
    before = media_count()
    proc = media_import(svg, "Un logo")
    ok(proc.returncode != 0)
    contains(proc.stderr.decode(), "format non accepté")
    proc = media_import(path, "  ")
    ok(proc.returncode != 0)
    proc = media_import(os.path.join(TMP, "missing.jpg"), "x")
    ok(proc.returncode != 0)
    eq(media_count(), before)


# ---- services down ---------------------------------------------------------------

@test
def redis_down_still_serves_postgresql_down_503():
    import contextlib
    import stackctl as sc

    @contextlib.contextmanager
    def down(stop):
        sc.restore_stack()
        sc.wait_workers()
        try:
            stop()
            yield
        finally:
            sc.restore_stack()

    mid = uploaded(admin(), image(500, 400, "jpg"))
    cached = istatus(web().get(img_url(mid, "card")), 200)
    with down(sc.stop_redis):
        for name in ("thumb", "card"):   # no cache: the work is done
            for _ in range(4):
                r = istatus(Client("fcgi").get(img_url(mid, name)), 200,
                            "Redis down")
                eq(header(r.body)[:2], preset_size(name, 500, 400))
        eq(r.body, cached.body, "same bytes with or without the cache")
        istatus(Client("fcgi").get("/img/%s/%d-card.jpg" % ("A" * 22, mid)),
                404)
    # (The cache did not survive Redis's restart: fill it again, past
    # nginx, whose image cache still holds the variant.)
    istatus(Client("fcgi").get(img_url(mid, "card")), 200)
    with down(sc.stop_postgres):
        # A hit needs no PostgreSQL; a miss cannot be made: 503.
        istatus(Client("fcgi").get(img_url(mid, "card")), 200, "PG down, hit")
        istatus(Client("fcgi").get(img_url(mid, "hero")), 503, "PG down, miss")
    istatus(Client("fcgi").get(img_url(mid, "hero")), 200, "PG back")
