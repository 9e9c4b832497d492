# SPDX-License-Identifier: MIT
"""Log in and out: session cookie, messages, throttling, next."""

import secrets
import urllib.parse

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403

LOCKED = ("Vous avez effectué 5 tentatives de connexion erronées. "
          "Veuillez attendre")
ADDRESS_LOCKED = ("Trop de tentatives de connexion erronées depuis votre "
                  "adresse.")
PENDING = "Pour vous connecter vous devez confirmer votre adhésion."


def refused(resp, code, message):
    """A refused login: status, banner text, no session cookie."""
    status(resp, code)
    banner = " ".join(form_errors(resp))
    contains(banner, message, "login banner")
    ok(not resp.cookies.get("sid"), "a session cookie was set: %s"
       % resp.cookies.raw)
    return resp


def account_status(sid):
    """Status of GET /account for a browser holding only that sid."""
    c = Client("fcgi")
    c.set_cookie("sid", sid)
    return c.get("/account")


@test
def login_active_member():
    c, email, password = new_member(Client("fcgi"))
    # new_member logged in; log in again from a fresh browser
    b = Client("fcgi")
    resp = login(b, email, password)
    eq(resp.location, base_url() + "/account")
    sid = resp.cookies.attrs("sid")
    ok(sid.httponly, "sid cookie not HttpOnly: %s" % sid.raw)
    eq((sid.samesite or "").lower(), "lax", "sid SameSite: %s" % sid.raw)
    eq(sid.path, "/", "sid Path")
    eq(len(sid.value), 43, "sid is not a 256-bit token: %r" % sid.value)
    page = status(b.get("/account"), 200)
    contains(page, email)
    ok(psql_value("SELECT last_login_at IS NOT NULL FROM users WHERE "
                  "email = :'p1'", email) == "t", "last_login_at not set")
    uid = user_id(email)
    contains(sessions_of(uid), sid.value)


@test
def each_login_gets_a_new_session_id():
    _, email, password = new_member()
    a, b = Client("fcgi"), Client("fcgi")
    sid_a = login(a, email, password).cookies["sid"]
    sid_b = login(b, email, password).cookies["sid"]
    ne(sid_a, sid_b, "two logins share a session id")
    # a logged-in browser logging in again gets a new id; the old one dies
    csrf = csrf_of(status(a.get("/account"), 200))
    resp = a.post("/login", {"_csrf": csrf, "email": email,
                             "password": password, "next": "/account"})
    redirects(resp, "/account")
    sid_a2 = resp.cookies.get("sid")
    ok(sid_a2, "no new sid cookie at re-login")
    ne(sid_a2, sid_a, "session id reused at re-login")
    redirects(account_status(sid_a), "/login", "old session id still works")
    status(account_status(sid_a2), 200)
    status(account_status(sid_b), 200)


@test
def planted_session_id_is_not_adopted():
    _, email, password = new_member()
    c = Client("fcgi")
    planted = secrets.token_urlsafe(32)
    c.set_cookie("sid", planted)
    resp = login(c, email, password)
    ne(resp.cookies["sid"], planted, "login kept the pre-login session id")
    redirects(account_status(planted), "/login")
    eq(redis_cli("EXISTS", "sess:" + planted), "0")


@test
def wrong_password_and_unknown_email_same_answer():
    _, email, password = new_member()
    wrong = refused(post_login(Client("fcgi"), email, "not-the-password"),
                    422, BAD_CREDENTIALS)
    eq(form_values(wrong, "/login").get("email"), email, "email kept")
    eq(form_values(wrong, "/login").get("password"), "")
    not_contains(wrong, "not-the-password")
    unknown = refused(post_login(Client("fcgi"), unique_email("ghost"),
                                 password), 422, BAD_CREDENTIALS)
    eq(form_errors(unknown), form_errors(wrong))
    eq(field_errors(unknown), field_errors(wrong))
    redis_cli("DEL", "lf:" + email)


@test
def empty_fields():
    resp = post_login(Client("fcgi"), "", "")
    status(resp, 422)
    eq(field_errors(resp), {
        "email": "Veuillez renseigner votre adresse e-mail.",
        "password": "Veuillez renseigner votre mot de passe."})


@test
def pending_account_cannot_log_in():
    _, email, password = new_member(confirm=False)
    refused(post_login(Client("fcgi"), email, password), 422, PENDING)


@test
def five_failures_lock_the_address():
    _, email, password = new_member()
    before = sessions_of(user_id(email))
    c = Client("fcgi")
    for i in range(5):
        refused(post_login(c, email, "wrong-%d-password" % i), 422,
                BAD_CREDENTIALS)
    resp = refused(post_login(c, email, password), 429, LOCKED)
    matches(" ".join(form_errors(resp)),
            r"Veuillez attendre (10 minutes|[1-9] minutes?) avant de "
            r"réessayer\.")
    # from another browser too, and a session is not created
    refused(post_login(Client("fcgi"), email, password), 429, LOCKED)
    ttl = int(redis_cli("TTL", "lf:" + email))
    ok(0 < ttl <= 600, "lock without a 10-minute window: TTL %d" % ttl)
    eq(sessions_of(user_id(email)), before, "session created while locked")


@test
def lock_is_per_address():
    _, locked, password = new_member()
    _, other, other_pw = new_member()
    for i in range(5):
        post_login(Client("fcgi"), locked, "wrong-%d-password" % i)
    refused(post_login(Client("fcgi"), locked, password), 429, LOCKED)
    login(Client("fcgi"), other, other_pw)


@test
def email_case_variants_count_as_one():
    _, email, password = new_member()
    variants = [email, email.upper(), email.capitalize(),
                email.split("@")[0] + "@" + email.split("@")[1].upper(),
                email.split("@")[0].upper() + "@" + email.split("@")[1]]
    for v in variants:
        post_login(Client("fcgi"), v, "bad-password-!")
    refused(post_login(Client("fcgi"), email, password), 429, LOCKED)
    refused(post_login(Client("fcgi"), email.upper(), password), 429, LOCKED)


@test
def unknown_addresses_are_locked_too():
    ghost = unique_email("ghost")
    for i in range(5):
        refused(post_login(Client("fcgi"), ghost, "whatever-%d" % i), 422,
                BAD_CREDENTIALS)
    refused(post_login(Client("fcgi"), ghost, "whatever"), 429, LOCKED)


@test
def lock_ends_with_the_window():
    _, email, password = new_member()
    for i in range(5):
        post_login(Client("fcgi"), email, "wrong-%d-password" % i)
    refused(post_login(Client("fcgi"), email, password), 429, LOCKED)
    # the window ends: let Redis expire the counter now
    eq(redis_cli("PEXPIRE", "lf:" + email, "1"), "1")
    wait_until(lambda: redis_cli("EXISTS", "lf:" + email) == "0", 5)
    login(Client("fcgi"), email, password)


def log_out(c):
    page = status(c.get("/account"), 200)
    redirects(c.post("/logout", {"_csrf": csrf_of(page)}),
              "/login?notice=logout")


@test
def login_gives_the_browser_a_device_cookie():
    _, email, password = new_member()
    resp = login(Client("fcgi"), email, password)
    dev = resp.cookies.attrs("device")
    ok(dev is not None, "no device cookie: %s" % resp.cookies.raw)
    ok(dev.httponly, "device cookie not HttpOnly")
    eq((dev.samesite or "").lower(), "lax")
    ok(dev.max_age and dev.max_age >= 300 * 24 * 3600,
       "device cookie does not last: %s" % dev.raw)
    not_contains(dev.value, email.split("@")[0], "the cookie names the "
                 "member")
    # a failed or refused login gives none
    resp = post_login(Client("fcgi"), email, "pas-le-bon-1")
    ok(not resp.cookies.get("device"), "device cookie for a failure")


@test
def nobody_can_lock_a_member_out_of_their_own_browser():
    """OWASP's device cookies: failures from other browsers and addresses
    lock the account for them only."""
    c, email, password = new_member()
    log_out(c)
    for i in range(8):
        attacker = Client("fcgi", client_ip="100.99.%d.%d" % (i, i + 1))
        resp = post_login(attacker, email, "devine-%d-mot" % i)
        status(resp, (422, 429), "attempt %d" % i)
    refused(post_login(Client("fcgi"), email, password), 429, LOCKED)
    # the member's browser, which logged in before, still gets in
    resp = login(c, email, password)
    eq(resp.location, base_url() + "/account")
    # even with the device cookie of this account, another address of the
    # same member is trusted (the cookie, not the address, is the key)
    c.remote_addr = "100.98.1.1"
    log_out(c)
    login(c, email, password)


@test
def a_cookie_for_another_account_is_not_trusted():
    c, email, password = new_member()
    _, other, other_pw = new_member()
    log_out(c)
    for i in range(5):
        post_login(Client("fcgi"), other, "devine-%d-mot" % i)
    refused(post_login(c, other, other_pw), 429, LOCKED)
    cookie = c.cookies["device"]
    forged = cookie[:-3] + ("AAA" if cookie[-3:] != "AAA" else "BBB")
    c.set_cookie("device", forged)
    for i in range(5):
        post_login(Client("fcgi"), email, "devine-%d-mot" % i)
    refused(post_login(c, email, password), 429, LOCKED)


@test
def a_trusted_browser_that_keeps_failing_loses_its_trust():
    c, email, password = new_member()
    log_out(c)
    for i in range(5):
        refused(post_login(c, email, "oubli-%d-mot" % i), 422,
                BAD_CREDENTIALS)
    # its failures were its own: another browser is not locked
    b = Client("fcgi")
    login(b, email, password)
    log_out(b)
    # now untrusted, its failures count for the account again
    for i in range(5):
        refused(post_login(c, email, "encore-%d-mot" % i), 422,
                BAD_CREDENTIALS)
    refused(post_login(c, email, password), 429, LOCKED)
    # b logged in meanwhile: b is trusted and still gets in
    login(b, email, password)


@test
def one_address_failing_on_many_accounts_is_slowed_down():
    ip = "100.97.%d.%d" % (secrets.randbelow(250), 1 + secrets.randbelow(250))
    for i in range(50):
        refused(post_login(Client("fcgi", client_ip=ip),
                           unique_email("spray"), "devine-le"), 422,
                BAD_CREDENTIALS)
    refused(post_login(Client("fcgi", client_ip=ip), unique_email("spray"),
                       "devine-le"), 429, ADDRESS_LOCKED)
    # another address is not slowed down
    refused(post_login(Client("fcgi"), unique_email("spray"), "devine-le"),
            422, BAD_CREDENTIALS)
    # and a member's own browser at that address still logs in
    c, email, password = new_member()
    log_out(c)
    refused(post_login(Client("fcgi", client_ip=ip), email, password), 429,
            ADDRESS_LOCKED)
    c.remote_addr = ip
    login(c, email, password)


@test
def logout_ends_the_session_server_side():
    c, email, _ = new_member()
    sid = c.cookies["sid"]
    page = status(c.get("/account"), 200)
    resp = c.post("/logout", {"_csrf": csrf_of(page)})
    redirects(resp, "/login?notice=logout")
    ok(resp.cookies.attrs("sid").is_deletion(), "sid cookie not cleared: %s"
       % resp.cookies.raw)
    contains(status(c.follow(resp), 200), "Vous êtes déconnecté.")
    redirects(c.get("/account"), "/login")
    # the old cookie, replayed by someone who kept it
    redirects(account_status(sid), "/login")
    eq(redis_cli("EXISTS", "sess:" + sid), "0", "session left in Redis")
    ok(sid not in sessions_of(user_id(email)), "session still listed")


@test
def next_brings_back_after_login():
    _, email, password = new_member()
    c = Client("fcgi")
    resp = c.get("/account")
    redirects(resp, "/login?next=%2Faccount")
    page = status(c.follow(resp), 200)
    eq(form_values(page, "/login").get("next"), "/account")
    resp = c.get("/account/delete")
    redirects(resp, "/login?next=%2Faccount%2Fdelete")
    page = status(c.follow(resp), 200)
    eq(form_values(page, "/login").get("next"), "/account/delete")
    # a failed attempt keeps the destination
    page = submit_page(c, page, {"email": email, "password": "mauvais-mdp"},
                       "/login")
    status(page, 422)
    eq(form_values(page, "/login").get("next"), "/account/delete")
    resp = submit_page(c, page, {"email": email, "password": password},
                       "/login")
    redirects(resp, "/account/delete")
    status(c.follow(resp), 200)


@test
def external_next_is_ignored():
    _, email, password = new_member()
    for bad in ("https://evil.example", "//evil.example",
                "/\\evil.example", "http://evil.example/account",
                "evil.example", "javascript:alert(1)", "///evil.example",
                # a plain local path only: no control or separator
                # character may reach the Location header
                "/account\tx", "/account\u2028x", "/account\u2029x",
                "/ account", "/account\x7f", "/\tevil.example",
                "/caf\u00e9"):
        c = Client("fcgi")
        page = status(c.get("/login?next=" +
                            urllib.parse.quote(bad, safe="")), 200)
        ne(form_values(page, "/login").get("next"), bad,
           "next %r kept in the form" % bad)
        resp = c.post("/login", {"_csrf": csrf_of(page), "email": email,
                                 "password": password, "next": bad})
        status(resp, 303)
        eq(resp.location, base_url() + "/account",
           "redirect after login with next=%r" % bad)
        # already logged in: GET /login?next= redirects, never outside
        resp = c.get("/login?next=" + urllib.parse.quote(bad, safe=""))
        status(resp, 303)
        eq(resp.location, base_url() + "/account",
           "redirect of a logged-in browser with next=%r" % bad)
