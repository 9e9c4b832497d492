# SPDX-License-Identifier: MIT
"""The back-office second factor (issue 13, admin accounts): TOTP (RFC
6238) enrolled through the link `civitas-fcgi admin` prints, its QR code,
/admin/2fa before every admin route, single-use codes and recovery codes,
attempts limited, the audit log.  Codes are computed here (hmac, hashlib:
fixtures.totp_code), never asked of the server."""

import base64
import os
import re
import subprocess
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import stackctl as sc

SVG = "{http://www.w3.org/2000/svg}"
FORM = "application/x-www-form-urlencoded"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def fresh_admin():
    """An admin created by `civitas-fcgi admin`, not enrolled yet:
    (email, enrolment link)."""
    email = unique_email("totp").lower()
    return email, admin_link(email)


def logged_in(email, transport="fcgi"):
    """A client logged in with the password only (the second factor not
    passed)."""
    c = Client(transport) if transport == "fcgi" else Client(
        "http", client_ip=sc.random_client_ip())
    redirects(post_login(c, email, PASSWORD), "/account")
    return c


def enrolled_admin():
    """An enrolled admin whose last accepted step is set back to 0, as if
    the enrolment were long past (the database written to simulate time):
    every step of the window is free.  (email, secret, recovery codes)."""
    email, password = make_admin(unique_email("totp"))
    psql("UPDATE admin_totp SET last_step = 0 WHERE user_id = "
         "(SELECT id FROM users WHERE email = :'p1')", email)
    entry = ADMIN_TOTP[email]
    return email, entry["secret"], list(entry["codes"])


def away_from_a_step_boundary():
    """The tests that aim at one step exactly (the one before, three away)
    compute a code and send it at once: never within 3 s of the end of a
    step, so that client and server see the same step."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.2)
    return totp_step()


verify = post_second_factor


def audit_actions(email):
    return [r[0] for r in psql(
        "SELECT action FROM audit_log WHERE user_email = :'p1' ORDER BY id",
        email)]


def qr_text(svg):
    """What the QR code of the page says, read by zbarimg (zbar-tools)
    from a bitmap of the SVG's modules."""
    root = ET.fromstring(svg)
    side = int(root.get("viewBox").split()[2])
    paths = list(root.iter(SVG + "path"))
    eq(len(paths), 1, "the QR code is one path")
    dark = {(int(x), int(y)) for x, y in
            re.findall(r"M(\d+) (\d+)h1v1h-1z", paths[0].get("d"))}
    ok(len(dark) > 100, "dark modules: %d" % len(dark))
    scale = 4
    rows = [" ".join("1" if (x // scale, y // scale) in dark else "0"
                     for x in range(side * scale))
            for y in range(side * scale)]
    with tempfile.NamedTemporaryFile("w", suffix=".pbm", delete=False) as fh:
        fh.write("P1\n%d %d\n%s\n" % (side * scale, side * scale,
                                      "\n".join(rows)))
    try:
        out = subprocess.run(["zbarimg", "--raw", "-q", fh.name],
                             capture_output=True, text=True)
    finally:
        os.unlink(fh.name)
    eq(out.returncode, 0, "zbarimg read no QR code: %s" % out.stderr)
    return out.stdout.strip()


# --------------------------------------------------------------------------
# Enrolment
# --------------------------------------------------------------------------

@test
def enrolment_through_the_printed_link():
    email, link = fresh_admin()
    ok(link.startswith(os.environ["BASE_URL"] + "/admin/2fa/enrol/"), link)
    path = path_of(link)
    token = path.rsplit("/", 1)[1]
    # only a keyed hash of the token is stored, and the secret is sealed
    eq(psql_value("SELECT count(*) FROM admin_totp_enrolments WHERE "
                  "token_hash = :'p1'", token), "0")
    # anonymous: to the login page, back to the link after
    anon = Client("fcgi")
    redirects(anon.get(path), "/login?next=" + urllib.parse.quote(path,
                                                                   safe=""))
    c = Client("fcgi")
    redirects(post_login(c, email, PASSWORD, next=path), path)
    page = status(c.get(path), 200)
    contains(page, "Activer la vérification en deux étapes")
    # the QR code: inline SVG drawn by us, no script, no image service
    svgs = re.findall(r"(?s)<svg\b.*?</svg>", page.text)
    eq(len(svgs), 1, "one inline SVG")
    main = re.search(r"(?s)<main\b.*</main>", page.text).group(0)
    not_contains(main, "<img", "no image from elsewhere")
    not_contains(main, "<script", "no script")
    # the secret in base32 for manual entry, and the otpauth URI
    m = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text)
    ok(m, "the secret is shown")
    secret = m.group(1).replace(" ", "")
    eq(len(base64.b32decode(secret + "=" * (-len(secret) % 8))), 20,
       "a 160-bit secret")
    uri = re.search(r'href="(otpauth://[^"]+)"', page.text).group(1)
    uri = uri.replace("&amp;", "&")
    parts = urllib.parse.urlsplit(uri)
    eq((parts.scheme, parts.netloc), ("otpauth", "totp"))
    eq(urllib.parse.unquote(parts.path), "/civitas:" + email)
    eq(dict(urllib.parse.parse_qsl(parts.query)), {
        "secret": secret, "issuer": "civitas", "algorithm": "SHA1",
        "digits": "6", "period": "30"})
    eq(qr_text(svgs[0]), uri, "the QR code holds the otpauth URI")
    # the sealed secret is not in the database in clear
    raw = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    boxes = psql_value("SELECT string_agg(encode(secret_box, 'hex'), ',') "
                       "FROM admin_totp_enrolments WHERE user_id = :'p1'",
                       user_id(email))
    ok(boxes and raw not in boxes, "the secret sealed at rest")
    # a wrong code: 422, the page again, nothing enrolled
    wrong = "%06d" % ((int(totp_code(secret, totp_step())) + 1) % 1000000)
    resp = submit_page(c, page, {"code": wrong}, "#totp-enrol")
    status(resp, 422, "a wrong code at enrolment")
    contains(html_text(resp.text), "Ce code ne correspond pas")
    eq(len(re.findall(r"<svg\b", resp.text)), 1, "the QR code again")
    eq(psql_value("SELECT count(*) FROM admin_totp WHERE user_id = :'p1'",
                  user_id(email)), "0")
    # the right one: the ten recovery codes, once
    old_sid = c.cookies.get("sid")
    done = submit_page(c, resp, {"code": totp_code(secret, totp_step())},
                       "#totp-enrol")
    status(done, 200, "enrolment confirmed")
    codes = re.findall(r"<li><code>([A-Z2-7]{5}-[A-Z2-7]{5})</code></li>",
                       done.text)
    eq(len(set(codes)), 10, "ten different recovery codes")
    contains(html_text(done.text), "Conservez ces dix codes")
    ne(done.cookies.get("sid"), old_sid, "a new session id")
    hashes = [r[0] for r in psql("SELECT code_hash FROM admin_recovery_codes "
                                 "WHERE user_id = :'p1'", user_id(email))]
    eq(len(hashes), 10, "ten stored")
    for code in codes:
        ok(all(code.replace("-", "") not in h.upper() for h in hashes),
           "a recovery code stored in clear")
    # the session passed the second factor; the enrolment is audited
    status(c.get("/admin"), 200, "the back-office after enrolment")
    contains(audit_actions(email), "admin.2fa.enrol")
    # the link is spent, and its secret cleared
    eq(psql_value("SELECT count(*) FROM admin_totp_enrolments WHERE "
                  "user_id = :'p1' AND (used_at IS NULL OR secret_box IS "
                  "NOT NULL)", user_id(email)), "0")


@test
def enrolment_links_refused_forged_used_expired_or_others():
    email, link = fresh_admin()
    c = logged_in(email)
    # forged: a well-formed token nobody made, and junk
    for bad in ("A" * 43, "nope", link.rsplit("/", 1)[1][:-1] + "x"):
        resp = status(c.get("/admin/2fa/enrol/" + bad), 404, bad)
        contains(html_text(resp.text),
                 "lien d'inscription n'est pas valable")
    # someone else's link, for another logged-in admin
    other, other_link = fresh_admin()
    resp = status(c.get(path_of(other_link)), 403, "another admin's link")
    contains(html_text(resp.text), "créé pour un autre compte")
    page = status(logged_in(other).get(path_of(other_link)), 200)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<',
                       page.text).group(1).replace(" ", "")
    resp = c.post(path_of(other_link), {"_csrf": csrf_of(status(
        c.get("/account"), 200)), "code": totp_code(secret, totp_step())})
    status(resp, 403, "POST of another admin's link with its right code")
    eq(psql_value("SELECT count(*) FROM admin_totp WHERE user_id = :'p1'",
                  user_id(other)), "0", "nothing enrolled by the other")
    # a member (not an admin) is refused too
    member = new_member()[0]
    status(member.get(path_of(link)), 403, "a member")
    # used: 410 and a clear page
    enrol_admin(email, PASSWORD, link, Client("fcgi"))
    resp = status(logged_in(email).get(path_of(link)), 410, "a used link")
    contains(html_text(resp.text), "a déjà servi")
    # expired (the database set back 25 hours): 410
    third, third_link = fresh_admin()
    psql("UPDATE admin_totp_enrolments SET expires_at = now() - interval "
         "'1 hour' WHERE user_id = :'p1'", user_id(third))
    resp = status(logged_in(third).get(path_of(third_link)), 410, "expired")
    contains(html_text(resp.text), "a expiré")
    # a new link replaces the one not used yet
    fourth, first_link = fresh_admin()
    second_link = admin_link(fourth)
    d = logged_in(fourth)
    status(d.get(path_of(first_link)), 404, "a link replaced by a newer one")
    status(d.get(path_of(second_link)), 200, "the newer link")


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------

@test
def wrong_code_422_right_code_passes_and_renews_the_session():
    email, secret, _ = enrolled_admin()
    c = logged_in(email)
    redirects(c.get("/admin/articles"), "/admin/2fa?next=%2Fadmin%2Farticles")
    page = status(c.get("/admin/2fa?next=%2Fadmin%2Farticles"), 200)
    contains(page, "Code de vérification")
    now = totp_step()
    wrong = "%06d" % ((int(totp_code(secret, now)) + 1) % 1000000)
    resp = verify(c, wrong, "/admin/articles")
    status(resp, 422, "a wrong code")
    contains(html_text(resp.text), "Ce code n'est pas valide")
    for junk in ("", "12345", "abcdef", "ABCDE-FGHIJ"):
        status(verify(c, junk, "/admin/articles"), 422, repr(junk))
    redirects(c.get("/admin"), "/admin/2fa?next=%2Fadmin")
    old_sid = c.cookies.get("sid")
    resp = verify(c, totp_code(secret, totp_step()), "/admin/articles")
    redirects(resp, "/admin/articles", "the right code")
    new_sid = resp.cookies.get("sid")
    ok(new_sid and new_sid != old_sid, "a new session id (fixation)")
    status(c.get("/admin/articles"), 200, "after the second factor")
    page = status(c.get("/admin/2fa?next=%2Fadmin%2Farticles"), 200)
    contains(html_text(page.text), "Codes de secours restants : 10")
    contains(page_links(page), "/admin/articles")
    # the id planted before the second factor is worth nothing now
    planted = Client("fcgi")
    planted.set_cookie("sid", old_sid)
    redirects(planted.get("/admin"), "/login?next=")
    # next: our own paths only
    for bad in ("//evil.example/x", "http://evil.example/", "https:x"):
        d = logged_in(email)
        ADMIN_TOTP[email]["last"] = int(psql_value(
            "SELECT last_step FROM admin_totp WHERE user_id = :'p1'",
            user_id(email)))
        resp = second_factor(d, email, bad)
        redirects(resp, "/admin", "next=%s" % bad)
        ok(resp.location.endswith("/admin"), resp.location)


@test
def the_same_code_cannot_be_used_twice():
    email, secret, _ = enrolled_admin()
    code = totp_code(secret, totp_step())
    a, b = logged_in(email), logged_in(email)
    redirects(verify(a, code), "/admin", "first use")
    resp = verify(b, code)
    status(resp, 422, "the same code again, in another session")
    redirects(b.get("/admin"), "/admin/2fa")
    # at the same time: exactly one of two sessions gets in (the
    # compare-and-set, not a read then a write)
    email, secret, _ = enrolled_admin()
    clients = [logged_in(email) for _ in range(4)]
    tokens = [csrf_of(status(x.get("/admin/2fa"), 200)) for x in clients]
    code = totp_code(secret, totp_step())
    results = [None] * len(clients)
    together = threading.Barrier(len(clients))

    def send(i):
        together.wait(10)
        results[i] = clients[i].post("/admin/2fa", {
            "_csrf": tokens[i], "code": code, "next": "/admin"}).status
    threads = [threading.Thread(target=send, args=(i,))
               for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(results), [303, 422, 422, 422], "one code, four sessions")


@test
def the_step_before_is_accepted_three_away_are_not():
    email, secret, _ = enrolled_admin()
    c = logged_in(email)
    now = away_from_a_step_boundary()
    for far in (now + 3, now - 3, now - 2):
        status(verify(c, totp_code(secret, far)), 422, "step %+d" % (
            far - now))
    redirects(verify(c, totp_code(secret, now - 1)), "/admin",
              "the step before")
    # after it, an earlier or the same step is refused, a later one not
    d = logged_in(email)
    now = away_from_a_step_boundary()
    status(verify(d, totp_code(secret, now - 1)), 422, "the step before, "
           "used already")
    redirects(verify(d, totp_code(secret, now + 1)), "/admin",
              "the step after")
    e = logged_in(email)
    status(verify(e, totp_code(secret, now)), 422, "a step before the one "
           "accepted last")


@test
def a_recovery_code_works_once():
    email, _, codes = enrolled_admin()
    c = logged_in(email)
    # as typed: lower case, without the dash, spaces
    typed = " " + codes[3].lower().replace("-", " ") + " "
    resp = verify(c, typed)
    redirects(resp, "/admin", "a recovery code")
    page = status(c.get("/admin"), 200)
    contains(html_text(page.text), "il vous en reste 9")
    eq(psql_value("SELECT count(*) FROM admin_recovery_codes WHERE user_id "
                  "= :'p1'", user_id(email)), "9")
    contains(audit_actions(email), "admin.2fa.recovery")
    d = logged_in(email)
    status(verify(d, codes[3]), 422, "the same recovery code again")
    redirects(verify(d, codes[4]), "/admin", "another one")


@test
def sixth_wrong_attempt_refused():
    email, secret, codes = enrolled_admin()
    c = logged_in(email)
    wrong = "%06d" % ((int(totp_code(secret, totp_step())) + 500000) %
                      1000000)
    for i in range(5):
        status(verify(c, wrong), 422, "wrong code #%d" % (i + 1))
    eq(audit_actions(email).count("admin.2fa.locked"), 1, "the lock audited")
    for code in (totp_code(secret, totp_step()), codes[0]):
        resp = verify(c, code)
        status(resp, 429, "right code after 5 wrong ones")
        contains(html_text(resp.text), "Vous avez saisi 5 codes erronés")
        contains(resp, "minutes")
    # per account: another session of the same admin is locked too
    status(verify(logged_in(email), totp_code(secret, totp_step())), 429)
    eq(psql_value("SELECT count(*) FROM admin_recovery_codes WHERE user_id "
                  "= :'p1'", user_id(email)), "10", "no recovery code spent")
    eq(audit_actions(email).count("admin.2fa.locked"), 1, "audited once")
    # the window ends (Redis: the counter expires); then it works
    ttl = int(redis_cli("TTL", "tfa:" + user_id(email)))
    ok(800 < ttl <= 900, "a 15-minute window: %d" % ttl)
    redis_cli("DEL", "tfa:" + user_id(email))
    redirects(verify(c, totp_code(secret, totp_step())), "/admin")


@test
def admin_without_second_factor_sent_to_it_on_every_admin_route():
    """Every route flagged admin in the worker's own table, except the
    second factor's own pages: 303 to /admin/2fa?next=PATH for an admin
    whose session has not passed it (GET and POST with a good token)."""
    email, _, _ = enrolled_admin()
    c = logged_in(email)
    token = csrf_of(status(c.get("/account"), 200))
    routes = [(m, p) for m, p, f in route_table() if "admin" in f and
              "secondfactor" not in f]
    ok(len(routes) >= 30, "admin routes: %d" % len(routes))
    before = psql_value("SELECT count(*) FROM audit_log")
    for method, pattern in routes:
        path = re.sub(r"\{[a-z_]+\}", "1", pattern)
        resp = c.get(path) if method == "GET" else c.post(path, {
            "_csrf": token, "title": "x"})
        redirects(resp, "/admin/2fa?next=" + urllib.parse.quote(path,
                                                                 safe=""),
                  "%s %s" % (method, path))
    eq(psql_value("SELECT count(*) FROM audit_log"), before)
    # the second factor's own pages are flagged admin, and only they skip
    pages = {(m, p) for m, p, f in route_table() if "secondfactor" in f}
    eq(pages, {("GET", "/admin/2fa"), ("POST", "/admin/2fa"),
               ("GET", "/admin/2fa/enrol/{id}"),
               ("POST", "/admin/2fa/enrol/{id}")})
    for m, p, f in route_table():
        if "secondfactor" in f:
            ok("admin" in f, "%s %s" % (m, p))
    # a member gets 403 there, anonymous the login page
    member = new_member()[0]
    status(member.get("/admin/2fa"), 403)
    redirects(Client("fcgi").get("/admin/2fa"), "/login?next=")


@test
def admin_not_enrolled_is_told_to_ask_for_a_link():
    email, _ = fresh_admin()
    c = logged_in(email)
    redirects(c.get("/admin"), "/admin/2fa?next=%2Fadmin")
    resp = status(c.get("/admin/2fa?next=%2Fadmin"), 403)
    contains(html_text(resp.text), "lien d'inscription")
    contains(resp, "make admin")
    token = csrf_of(resp)
    status(c.post("/admin/2fa", {"_csrf": token, "code": "123456"}), 403)


@test
def logout_and_password_change_end_it():
    email, secret, _ = enrolled_admin()
    c = logged_in(email)
    redirects(verify(c, totp_code(secret, totp_step())), "/admin")
    status(c.get("/admin"), 200)
    # another session that passed it is ended by a password change
    other = logged_in(email)
    redirects(verify(other, totp_code(secret, totp_step() + 1)), "/admin")
    page = status(c.get("/account"), 200)
    redirects(submit_page(c, page, {"current_password": PASSWORD,
                                    "new_password": PASSWORD + "2",
                                    "new_password_confirm": PASSWORD + "2"},
                          "/account/password"), "/account",
              "password change")
    redirects(other.get("/admin"), "/login?next=")
    # logout: the next login asks for the second factor again
    status(c.get("/admin"), 200)
    page = status(c.get("/account"), 200)
    redirects(submit_page(c, page, {}, "/logout"), "/login")
    redirects(post_login(c, email, PASSWORD + "2"), "/account")
    redirects(c.get("/admin"), "/admin/2fa?next=%2Fadmin")


@test
def posts_need_the_csrf_token():
    email, link = fresh_admin()
    c = logged_in(email)
    status(c.get(path_of(link)), 200)
    for path in ("/admin/2fa", path_of(link)):
        status(c.post(path, {"code": "123456"}), 403, "%s without token"
               % path)
        status(c.post(path, {"code": "123456", "_csrf": "x" * 40}), 403,
               "%s with a bad token" % path)
    eq(psql_value("SELECT count(*) FROM admin_totp_enrolments WHERE "
                  "user_id = :'p1' AND used_at IS NULL", user_id(email)), "1")


@test
def sealed_secret_bound_to_its_admin():
    """A box copied to another admin's row does not open there: that admin
    then has no working authenticator (every code wrong)."""
    a, secret_a, _ = enrolled_admin()
    b, _, _ = enrolled_admin()
    psql("UPDATE admin_totp SET secret_box = (SELECT secret_box FROM "
         "admin_totp WHERE user_id = :'p1') WHERE user_id = :'p2'",
         user_id(a), user_id(b))
    status(verify(logged_in(b), totp_code(secret_a, totp_step())), 422)


@test
def nginx_limits_posts_of_the_second_factor():
    """POST /admin/2fa and /admin/2fa/enrol/... share nginx's auth zone
    (10 a minute per client); GET not counted."""
    for path in ("/admin/2fa", "/admin/2fa/enrol/" + "A" * 43):
        ip = sc.random_client_ip()
        via = {"source_address": (trusted_proxy(), 0), "forwarded_for": ip}
        resps = [http_request("POST", path, [("Content-Type", FORM)],
                              "code=123456", **via) for _ in range(25)]
        limited = [r for r in resps if r.status == 429]
        ok(limited, "25 POST %s: no 429 (%s)" % (
            path, [r.status for r in resps]))
        for r in limited:
            eq(r.headers.get("Retry-After"), "60", "Retry-After")
        for r in resps:
            ok(r.status in (403, 429), "POST %s: %s" % (path, r.status))
        status(http_request("GET", "/admin/2fa", **via), 303,
               "GET from a limited client: not counted")


@test
def enrolment_link_masked_in_the_access_log():
    email, link = fresh_admin()
    c = logged_in(email, "http")
    status(c.get(path_of(link)), 200)
    token = link.rsplit("/", 1)[1]
    log = os.path.join(os.environ["CIVITAS_VAR"], "log", "nginx-access.log")

    def text():
        with open(log, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    wait_until(lambda: "GET /admin/2fa/enrol/[token] HTTP" in text(), 10,
               0.2, "the masked enrolment link in the access log")
    not_contains(text(), token, "the token in nginx's access log")


@test
def a_new_link_without_password_leaves_the_password_alone():
    """`civitas-fcgi admin EMAIL` without PASSWORD (a lost phone): a new
    enrolment link for an existing admin, the password unchanged; for an
    account that is not an admin, a refusal."""
    email, secret, _ = enrolled_admin()
    before = psql_value("SELECT password_hash FROM users WHERE email = "
                        ":'p1'", email)
    link = admin_link(email, None)
    eq(psql_value("SELECT password_hash FROM users WHERE email = :'p1'",
                  email), before, "the password untouched")
    c = logged_in(email)
    page = status(c.get(path_of(link)), 200, "the new link")
    new_secret = enrol_secret(page)
    ne(new_secret, secret, "a new secret")
    # until it is confirmed, the old authenticator still works
    redirects(verify(logged_in(email), totp_code(secret, totp_step())),
              "/admin")
    done = submit_page(c, page, {"code": totp_code(new_secret,
                                                   totp_step() + 1)},
                       "#totp-enrol")
    status(done, 200, "the new phone enrolled")
    psql("UPDATE admin_totp SET last_step = 0 WHERE user_id = :'p1'",
         user_id(email))
    d = logged_in(email)
    status(verify(d, totp_code(secret, totp_step())), 422,
           "the old authenticator no longer")
    redirects(verify(d, totp_code(new_secret, totp_step())), "/admin",
              "the new one")
    member = new_member()[1]
    proc = subprocess.run([fcgi_binary(), "admin", member],
                          env=dict(os.environ, PASSWORD=""),
                          capture_output=True, text=True)
    eq(proc.returncode, 2, "a member without PASSWORD: %s" % proc.stdout)
    not_contains(proc.stdout, "/admin/2fa/enrol/")
    eq(psql_value("SELECT role FROM users WHERE email = :'p1'", member),
       "member")
