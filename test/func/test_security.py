# SPDX-License-Identifier: MIT
"""Security: CSRF on every POST, caching and cookies, access control,
isolation between members, session expiry, HTML escaping."""

import os
import re
import secrets
import time

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import civitas

ROUTES_C = os.path.join(civitas.REPO_ROOT, "app", "features", "routes.c")


# The only POSTs without a CSRF token (R_NOCSRF): each carries its own
# proof, a signed link or an HMAC signature, tested in test_consent and
# test_bounces.
NOCSRF_ROUTES = {"/unsubscribe/{token}", "/webhooks/bounces"}


def routes(with_flags=False):
    """[(method, pattern)] of app/features/routes.c (and the flags, the
    rest of the row up to its closing brace, with with_flags)."""
    with open(ROUTES_C, encoding="utf-8") as fh:
        text = fh.read()
    found = re.findall(
        r'\{\s*HTTP_(GET|POST|PUT|PATCH|DELETE)\s*,\s*"([^"]*)"([^}]*)\}',
        text)
    ok(len(found) >= 10, "could not read the routes of %s" % ROUTES_C)
    return found if with_flags else [(m, p) for m, p, _ in found]


@test
def only_signed_posts_skip_the_csrf_token():
    bare = {p for m, p, flags in routes(True) if "R_NOCSRF" in flags}
    eq(bare, NOCSRF_ROUTES, "R_NOCSRF exactly on the signed routes")
    # the worker's own table agrees; a signed route needs no cookie
    table = {(m, p): f for m, p, f in route_table()}
    eq({p for (m, p), f in table.items() if "nocsrf" in f}, NOCSRF_ROUTES)
    for pattern in NOCSRF_ROUTES:
        flags = table[("POST", pattern)]
        eq(flags & {"session", "auth", "admin"}, set(),
           "%s reads no session" % pattern)


@test
def signed_posts_without_their_proof_are_refused():
    """Without a CSRF token, the signature is the only key: a made-up
    token or a missing signature is refused, cookie and CSRF token or
    not (they prove nothing here)."""
    member = new_member()[0]
    token = csrf_of(status(member.get("/account"), 200))
    for client, fields in ((Client("fcgi"), {}),
                           (member, {"_csrf": token})):
        fake = "1.1.%s" % secrets.token_urlsafe(16)[:22]
        status(client.post("/unsubscribe/" + fake, dict(
            fields, **{"List-Unsubscribe": "One-Click"})), 404)
        resp = client.post("/webhooks/bounces", body=b'{"email": '
                           b'"a@example.test", "type": "hard"}',
                           content_type="application/json")
        status(resp, 401)
        eq(resp.content_type, "application/problem+json")
    eq(psql_value("SELECT count(*) FROM bounces WHERE email = "
                  "'a@example.test'"), "0")


def hash_of(email):
    return user_row(email)["password_hash"]


# --------------------------------------------------------------------------
# CSRF
# --------------------------------------------------------------------------

@test
def every_post_refuses_a_missing_or_wrong_csrf_token():
    member, email, password = new_member()
    uid = user_id(email)
    _, pending, _ = new_member(confirm=False)
    # a valid reset link of the member
    seen = mail_paths(email)
    redirects(Client("fcgi").submit("/password/forgot", {"email": email}),
              "/login?notice=forgot")
    reset = path_of(reset_link(email, seen=seen))
    anon = Client("fcgi")
    status(anon.get("/signup"), 200)          # anon gets its csrf cookie
    status(member.get("/account"), 200)
    other = Client("fcgi")
    other_token = csrf_of(status(other.get("/login"), 200))
    newcomer = unique_email("csrf")
    ok(anon.cookies.get("csrf") and member.cookies.get("csrf"),
       "browsers without a csrf cookie: %s %s" % (anon.cookies,
                                                  member.cookies))
    state = {
        "hash": hash_of(email), "sid": member.cookies["sid"],
        "sessions": sessions_of(uid), "user": user_row(email),
        "out_member": outbox_count(email), "out_pending": outbox_count(
            pending)}
    cases = {
        "/signup": (anon, signup_fields(email=newcomer)),
        "/login": (anon, {"email": email, "password": password,
                          "next": "/account"}),
        "/logout": (member, {}),
        "/signup/resend": (anon, {"email": pending}),
        "/password/forgot": (anon, {"email": email}),
        "/password/reset/{token}": (anon, {
            "password": "Pirate-Mdp-1", "password_confirm": "Pirate-Mdp-1"}),
        "/account": (member, {
            "first_name": "Pirate", "last_name": "Pirate",
            "gender": "male", "birth_date": years_ago(50),
            "street": "1 rue du Pirate", "country": "FR",
            "postal_code": "75008", "city_code": "75108"}),
        "/account/password": (member, {
            "current_password": password, "new_password": "Pirate-Mdp-1",
            "new_password_confirm": "Pirate-Mdp-1"}),
        "/account/delete": (member, {"reason": "time", "confirm": "1"}),
    }
    posts = [p for m, p in routes() if m == "POST"
             and p not in NOCSRF_ROUTES]
    ok(posts, "no POST route found")
    for pattern in posts:
        client, fields = cases.get(pattern, (member, {}))
        path = reset if pattern == "/password/reset/{token}" else \
            pattern.replace("{token}", secrets.token_urlsafe(32))
        variants = {
            "missing": None, "empty": "", "random":
            secrets.token_urlsafe(32),
            "the cookie itself": client.cookies["csrf"],
            "another browser's token": other_token,
        }
        for name, token in variants.items():
            body = dict(fields)
            if token is not None:
                body["_csrf"] = token
            resp = client.post(path, body)
            status(resp, 403, "POST %s with %s _csrf" % (pattern, name))
            ok(not resp.cookies.get("sid"),
               "POST %s with %s _csrf set a session" % (pattern, name))
        # a browser without any csrf cookie, with a token valid elsewhere
        bare = Client("fcgi")
        if client is member:
            bare.set_cookie("sid", member.cookies["sid"])
        body = dict(fields, _csrf=other_token)
        status(bare.post(path, body), 403,
               "POST %s without csrf cookie" % pattern)
    # nothing happened
    eq(user_count(newcomer), 0, "sign-up without CSRF created an account")
    eq(sessions_of(uid), state["sessions"], "login without CSRF")
    ok("sid" not in anon.cookies, "anonymous browser got a session")
    eq(redis_cli("EXISTS", "sess:" + state["sid"]), "1",
       "logout without CSRF ended the session")
    status(member.get("/account"), 200)
    eq(outbox_count(pending), state["out_pending"], "resend without CSRF")
    eq(outbox_count(email), state["out_member"], "forgot without CSRF")
    eq(hash_of(email), state["hash"], "password changed without CSRF")
    after = user_row(email)
    ok(after is not None, "account deleted without CSRF")
    for k in ("first_name", "last_name", "address_street", "postal_code",
              "birth_date", "gender"):
        eq(after[k], state["user"][k], "%s changed without CSRF" % k)
    status(Client("fcgi").get(reset), 200, "reset link spent without CSRF")
    # controls: with their own token the same requests do work
    resp = anon.submit("/signup", signup_fields(email=newcomer))
    redirects(resp, "/signup/done", "control: sign-up with its token")
    page = status(member.get("/account"), 200)
    redirects(member.post("/logout", {"_csrf": csrf_of(page)}), "/login",
              "control: logout with its token")
    redirects(member.get("/account"), "/login")


@test
def csrf_token_is_bound_to_the_browser_cookie():
    a, b = Client("fcgi"), Client("fcgi")
    token_a = csrf_of(status(a.get("/signup"), 200))
    token_b = csrf_of(status(b.get("/signup"), 200))
    ne(token_a, token_b, "two browsers share a CSRF token")
    ne(a.cookies["csrf"], b.cookies["csrf"])
    email = unique_email("bound")
    fields = dict(signup_fields(email=email), _csrf=token_a)
    status(b.post("/signup", fields), 403, "A's token in B's browser")
    eq(user_count(email), 0)
    redirects(a.post("/signup", fields), "/signup/done",
              "A's token in A's browser")
    eq(user_count(email), 1)


# --------------------------------------------------------------------------
# Caching and cookies
# --------------------------------------------------------------------------

@test
def public_pages_set_no_cookie_and_are_cacheable():
    member, email, _ = new_member()
    pages = ["/", "/api/cities?country=FR&postal_code=69001"]
    for transport in ("fcgi", "http"):
        anon = Client(transport)
        logged = Client(transport)
        logged.jar = {k: list(v) for k, v in member.jar.items()}
        contains(logged.cookie_header("/"), "sid=", "member cookies")
        for path in pages:
            for who, c in (("anonymous", anon), ("member", logged)):
                resp = status(c.get(path), 200, "%s %s" % (who, path))
                eq(resp.headers.get_all("Set-Cookie"), [],
                   "%s %s (%s) sets cookies" % (who, path, transport))
                cc = resp.headers.get("Cache-Control", "")
                ok(cc.startswith("public"), "%s %s (%s): Cache-Control %r"
                   % (who, path, transport, cc))
                not_contains(resp, email, "member data in a public page")
        eq(logged.get("/").body, anon.get("/").body,
           "home page differs for a logged-in member (%s)" % transport)


@test
def private_pages_are_not_stored():
    c, email, password = new_member(Client("http"))
    seen = mail_paths(email)
    redirects(Client("fcgi").submit("/password/forgot", {"email": email}),
              "/login?notice=forgot")
    reset = path_of(reset_link(email, seen=seen))
    anon = Client("http")
    admin_email, admin_pw = make_admin()
    admin = Client("http")
    login(admin, admin_email, admin_pw)
    checks = [(anon, "/signup"), (anon, "/login"), (anon, "/signup/resend"),
              (anon, "/password/forgot"), (anon, reset),
              (c, "/account"), (c, "/account/delete"), (admin, "/admin")]
    for client, path in checks:
        resp = status(client.get(path), 200, "GET %s" % path)
        cc = resp.headers.get("Cache-Control", "")
        contains(cc, "no-store", "Cache-Control of %s" % path)
        not_contains(cc, "public", "Cache-Control of %s" % path)
    # answers to form posts and redirects carrying cookies are not stored
    resp = post_login(Client("http"), email, password)
    redirects(resp, "/account")
    contains(resp.headers.get("Cache-Control", ""), "no-store")
    resp = post_login(Client("http"), email, "wrong-password")
    status(resp, 422)
    contains(resp.headers.get("Cache-Control", ""), "no-store")
    redis_cli("DEL", "lf:" + email)


# --------------------------------------------------------------------------
# Access control
# --------------------------------------------------------------------------

@test
def anonymous_is_sent_to_login():
    c = Client("fcgi")
    for path, nxt in (("/account", "%2Faccount"),
                      ("/account/delete", "%2Faccount%2Fdelete"),
                      ("/admin", "%2Fadmin")):
        resp = c.get(path)
        redirects(resp, "/login?next=" + nxt, "anonymous GET %s" % path)
        contains(resp.headers.get("Cache-Control", ""), "no-store")
    token = csrf_of(status(c.get("/login"), 200))
    for path in ("/account", "/account/password", "/account/delete"):
        redirects(c.post(path, {"_csrf": token}), "/login?next=",
                  "anonymous POST %s" % path)


@test
def admin_page_for_admins_only():
    member, _, _ = new_member()
    status(member.get("/admin"), 403, "member on /admin")
    not_contains(page_links(status(member.get("/account"), 200)), "/admin")
    email, password = make_admin()
    admin = Client("fcgi")
    login(admin, email, password)
    page = status(admin.get("/admin"), 200, "admin on /admin")
    contains(page, "Administration")
    text = html_text(page)
    active, pending = psql("SELECT count(*) FILTER (WHERE status = "
                           "'active'), count(*) FILTER (WHERE status = "
                           "'pending') FROM users")[0]
    matches(text, r"Membres actifs\s*%s\b" % active)
    matches(text, r"Adhésions à confirmer\s*%s\b" % pending)
    contains(page_links(page), "/admin")
    # promoting an existing member works as well
    _, promoted, pw = new_member()
    make_admin(promoted, pw)
    c = Client("fcgi")
    login(c, promoted, pw)
    status(c.get("/admin"), 200)


# --------------------------------------------------------------------------
# Members cannot reach each other's data
# --------------------------------------------------------------------------

@test
def no_route_takes_a_member_id():
    # Member routes name a single-use token, public ones a slug or a signed
    # image; object ids appear in the back-office, behind the admin role,
    # and in a host's tools, only under the committee or event they belong
    # to (/{slug}/manage/...: the handler finds the object *in* that
    # committee or event; forged ids are test_manage.py's).
    public = {"token", "slug", "sig", "file"}
    # donations (issue 10): a gift's {uuid} (122 random bits): its payment
    # form and return page answer only the browser that made it, and the
    # stop button only its member (forged uuids: test_donations.py)
    public.add("uuid")
    # donations (issue 10): a member's own tax receipt of a {year}
    public.add("year")
    # volunteer applications (issue 11, part C): /applications/{id} and
    # its two POSTs: the handler finds the application with the viewer's
    # roles on *it* (features/volunteer.h) and answers 404 to anyone but
    # its volunteer, the organisation's managers, the département's
    # referents and admins (forged ids: test_applications.py)
    owned = {"/applications/{id}", "/applications/{id}/messages",
             "/applications/{id}/state"}
    for method, pattern in routes():
        scoped = re.match(r"^/(committees|events)/\{slug\}/manage/", pattern)
        # organisations (issue 11, helper A): a manager's {id} only under
        # the organisation it belongs to (the handler finds the manager
        # *in* it), and the moderation screen's organisation {id}, behind
        # the referent's département or the admin role checked per
        # organisation (forged ids: test_organisations.py).
        scoped = scoped or re.match(
            r"^/(organisations/\{slug\}/managers|moderation/organisations)"
            r"/\{id\}", pattern) or pattern in owned
        for p in re.findall(r"\{([^}]*)\}", pattern):
            if pattern.startswith("/admin/") or scoped:
                ok(p in ("id", "slug"), "%s %s" % (method, pattern))
            else:
                ok(p in public, "%s %s takes a {%s} parameter" %
                   (method, pattern, p))
        if not pattern.startswith("/admin/") and not scoped:
            ok(not re.search(r"/\d+(/|$)|:id|<id>|\{id\}", pattern),
               "%s %s looks like it takes an id" % (method, pattern))


@test
def a_member_never_sees_another_members_data():
    b_first, b_last = random_letters(9), random_letters(10)
    b_street = "%d allée %s" % (secrets.randbelow(900) + 100,
                                random_letters(8))
    b_city = "Ville" + random_letters(7)
    b_phone = "+41 %d" % (10 ** 8 + secrets.randbelow(9 * 10 ** 8))
    b_client, b_email, _ = new_member(
        first_name=b_first, last_name=b_last, street=b_street,
        phone=b_phone, country="CH", postal_code="1200", city_code=None,
        city_name=b_city)
    b_id = user_id(b_email)
    b_before = user_row(b_email)
    needles = [b_email, b_email.split("@")[0], b_first.capitalize(),
               b_last.capitalize(), b_street, b_city, b_phone, b_first,
               b_last]
    a, a_email, a_pw = new_member()
    a_before = user_row(a_email)

    def clean(resp, what):
        blob = resp.text + "\n" + "\n".join(
            "%s: %s" % kv for kv in resp.headers.items())
        for n in needles:
            not_contains(blob, n, "member B's data in %s" % what)

    for path in ("/", "/account", "/account/delete", "/login", "/signup",
                 "/admin", "/signup/done", "/account?id=%s" % b_id,
                 "/account?user_id=%s&email=%s" % (b_id, b_email),
                 "/api/cities?country=CH&postal_code=1200"):
        clean(a.get(path), "GET %s" % path)
    page = status(a.get("/account"), 200)
    resp = submit_page(a, page, {"first_name": "1"}, "/account")
    status(resp, 422)
    clean(resp, "422 of POST /account")
    resp = submit_page(a, page, {"current_password": "nope-nope",
                                 "new_password": "x"}, "/account/password")
    status(resp, 422)
    clean(resp, "422 of POST /account/password")
    # extra fields naming B are ignored: only A's row changes
    resp = submit_page(a, page, {"id": b_id, "user_id": b_id,
                                 "email": b_email, "role": "admin",
                                 "status": "pending",
                                 "last_name": "Changé"}, "/account")
    status(resp, (303, 400, 422), "POST /account with foreign fields")
    clean(resp, "POST /account with foreign fields")
    b_after = user_row(b_email)
    for k in b_before:
        eq(b_after[k], b_before[k], "B's %s changed by A" % k)
    a_after = user_row(a_email)
    eq(a_after["email"], a_before["email"], "A's e-mail changed")
    eq(a_after["role"], "member", "A's role changed")
    eq(a_after["status"], "active", "A's status changed")
    if resp.status == 303:
        eq(a_after["last_name"], "Changé")
        clean(a.follow(resp), "GET /account after saving")
    status(b_client.get("/account"), 200)


# --------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------

@test
def session_expiry_is_enforced_server_side():
    c, email, password = new_member()
    sid = c.cookies["sid"]
    key = "sess:" + sid
    ttl = int(redis_cli("TTL", key))
    ok(0 < ttl <= 14 * 86400, "session idle TTL %d" % ttl)
    now = int(time.time())
    redis_cli("HSET", key, "created", now - 29 * 86400)
    status(c.get("/account"), 200, "29-day-old session")
    redis_cli("HSET", key, "created", now - 31 * 86400)
    resp = c.get("/account")
    redirects(resp, "/login", "31-day-old session")
    ok(resp.cookies.attrs("sid").is_deletion(), "sid cookie not cleared")
    eq(redis_cli("EXISTS", key), "0", "expired session left in Redis")
    c.set_cookie("sid", sid)
    redirects(c.get("/account"), "/login")
    # the Redis key expires (idle timeout): the cookie is worthless
    login(c, email, password)
    sid2 = c.cookies["sid"]
    ne(sid2, sid)
    status(c.get("/account"), 200)
    redis_cli("DEL", "sess:" + sid2)
    redirects(c.get("/account"), "/login", "session deleted in Redis")


@test
def malformed_session_cookies_are_anonymous():
    c = Client("fcgi")
    for value in ("", "x", "a" * 43, "../../etc/passwd", "a" * 44,
                  secrets.token_urlsafe(32)):
        c.set_cookie("sid", value)
        redirects(c.get("/account"), "/login", "sid=%r" % value)


# --------------------------------------------------------------------------
# HTML escaping
# --------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script>'
IMG = '"><img src=x onerror=alert(1)>'


def escaped(resp, payloads, what):
    for p in payloads:
        not_contains(resp.text, p, "unescaped in %s" % what)
    not_contains(resp.text, "<script>alert", "script tag in %s" % what)
    not_contains(resp.text, "<img src=x", "img tag in %s" % what)


@test
def signup_form_escapes_what_it_echoes():
    street = SCRIPT + IMG
    first = IMG
    email = '"><script>alert(2)</script>@example.test'
    resp = Client("fcgi").submit("/signup", signup_fields(
        street=street, first_name=first, email=email, charter=None,
        country="CH", postal_code="1200", city_code=None,
        city_name="<script>alert(3)</script>"))
    status(resp, 422)
    escaped(resp, [street, first, email, "<script>alert(3)"],
            "the sign-up form")
    v = form_values(resp, "/signup")
    eq(v.get("street"), street)
    eq(v.get("first_name"), first)
    eq(v.get("email"), email)
    eq(v.get("city_name"), "<script>alert(3)</script>")


@test
def account_page_escapes_stored_values():
    c, email, _ = new_member()
    street = "12 rue " + SCRIPT + IMG
    city = "Genève" + SCRIPT
    page = status(c.get("/account"), 200)
    resp = submit_page(c, page, {"street": street, "country": "CH",
                                 "postal_code": "1200", "city_code": None,
                                 "city_name": city}, "/account")
    redirects(resp, "/account")
    eq(user_row(email)["address_street"], street, "street stored as typed")
    page = status(c.get("/account"), 200)
    escaped(page, [street, city], "/account")
    v = form_values(page, "/account")
    eq(v.get("street"), street)
    eq(v.get("city_name"), city)


@test
def login_form_escapes_next_and_email():
    nxt = '/"><script>alert(5)</script>'
    c = Client("fcgi")
    page = status(c.get("/login?next=" + urllib_quote(nxt)), 200)
    escaped(page, [nxt], "the login form (next)")
    v = form_values(page, "/login")
    ok(v.get("next") in (nxt, "/account"), "next value %r" % v.get("next"))
    bad = '"><script>alert(6)</script>@example.test'
    resp = post_login(c, bad, "whatever-password")
    status(resp, 422)
    escaped(resp, [bad], "the login form (email)")
    resp = Client("fcgi").submit("/password/forgot", {"email": bad})
    status(resp, 422)
    escaped(resp, [bad], "the forgot form")


def urllib_quote(s):
    import urllib.parse
    return urllib.parse.quote(s, safe="")


# --------------------------------------------------------------------------
# An expired CSRF token on our own form loses nothing
# --------------------------------------------------------------------------

def _expired_signup(headers):
    """Sign-up fields posted with a token whose cookie is gone (as after a
    browser restart), with the given request headers."""
    c = Client("fcgi")
    stale = csrf_of(status(c.get("/signup"), 200))
    c.delete_cookie("csrf")
    fields = signup_fields(first_name="Églantine", street="3 rue <Pasteur>")
    resp = c.post("/signup", dict(fields, _csrf=stale), headers=headers)
    return c, fields, resp


@test
def expired_token_from_our_pages_gives_the_values_back():
    for headers in ({"Sec-Fetch-Site": "same-origin"},
                    {"Origin": base_url()}):
        c, fields, resp = _expired_signup(headers)
        status(resp, 403, "expired token with %s" % headers)
        contains(resp.text, "Formulaire expiré")
        values = form_values(resp.text)
        for name in ("first_name", "email", "street", "postal_code",
                     "city_code", "birth_date"):
            eq(values.get(name), fields[name], "value of %s kept" % name)
        not_contains(resp.text, fields["password"],
                     "a password must never be echoed")
        not_contains(resp.text, "<Pasteur>", "values are escaped")
        eq(user_count(fields["email"]), 0, "nothing saved on a bad token")
        ne(csrf_of(resp), "", "a fresh token")
        # The browser now has a fresh csrf cookie: retyping the password
        # and resending completes the sign-up.
        done = submit_page(c, resp, {"password": fields["password"]})
        redirects(done, "/signup/done")
        eq(user_count(fields["email"]), 1, "resent form saved once")


@test
def bad_token_from_elsewhere_echoes_nothing():
    for headers in ({"Sec-Fetch-Site": "cross-site"},
                    {"Origin": "https://evil.example"}, {}):
        c, fields, resp = _expired_signup(headers)
        status(resp, 403, "bad token with %s" % headers)
        not_contains(resp.text, fields["email"],
                     "a cross-site post must not be echoed back")
        not_contains(resp.text, "Renvoyer le formulaire")
        eq(user_count(fields["email"]), 0)
