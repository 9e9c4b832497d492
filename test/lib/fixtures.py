# SPDX-License-Identifier: MIT
"""Shared helpers of the functional tests: a valid sign-up, a confirmed and
logged-in member, mail links, database and Redis look-ups.

Everything goes through the real forms and the real mail (civitas.py); the
database is only read, or written to simulate time (expired links).
Test modules do `from fixtures import *` after `from civitas import *`.
"""

import base64
import datetime
import hashlib
import hmac
import os
import re
import struct
import subprocess
import time
import urllib.parse

from civitas import (Client, find_form, forms, links, mails, wait_until,
                     psql, psql_value, redirects, status, unique_email,
                     wait_mail, ok, contains, eq, redis_cli, REPO_ROOT)

__all__ = [
    "PASSWORD", "FORM_BANNER", "BAD_CREDENTIALS", "years_ago",
    "signup_fields", "new_member", "confirm_link", "reset_link", "login",
    "mail_paths", "new_mail",
    "post_login", "submit_page", "csrf_of", "path_of", "user_row",
    "user_id", "user_count", "outbox_count", "outbox_rows", "token_count",
    "sessions_of", "make_admin", "random_letters", "fcgi_binary",
    "route_table",
    # issue 13, admin accounts: the back-office second factor
    "ADMIN_TOTP", "totp_code", "totp_step", "admin_link", "enrol_admin",
    "admin_ready",
    "second_factor", "post_second_factor", "enrol_secret", "take_step",
    "ENROL_PREFIX",
]

PASSWORD = "Motdepasse-2024"
FORM_BANNER = "L'un des champs du formulaire est mal renseigné."
BAD_CREDENTIALS = ("L'adresse e-mail et le mot de passe que vous avez saisis "
                   "ne correspondent pas.")


def years_ago(years, days=0):
    """ISO date `years` years (and `days` days) before today (UTC, as the
    server computes ages)."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    try:
        d = today.replace(year=today.year - years)
    except ValueError:            # 29 February
        d = today.replace(year=today.year - years, day=28)
    return (d - datetime.timedelta(days=days)).isoformat()


def random_letters(n=8):
    """A lowercase random word (letters only: valid in names)."""
    import secrets
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(n))


def signup_fields(**overrides):
    """The fields of a valid French sign-up (Lyon 69001, INSEE 69381, born
    30 years ago), with a fresh unique e-mail.  overrides replace fields;
    a None value removes the field from the submission (Client.submit)."""
    fields = {
        "gender": "female",
        "first_name": "Camille",
        "last_name": "Martin",
        "birth_date": years_ago(30),
        "phone": "06 12 34 56 78",
        "email": unique_email("member"),
        "password": PASSWORD,
        "street": "12 rue de la République",
        "country": "FR",
        "postal_code": "69001",
        "city_code": "69381",
        "city_name": "",
        "charter": "1",
    }
    fields.update(overrides)
    return fields


def path_of(url):
    """The path?query of an absolute URL (or the path itself)."""
    return Client._path(url)


def mail_paths(email):
    """Files of the mails already received for email (see new_mail)."""
    return {m.path for m in mails(email)}


def new_mail(email, subject, seen, timeout=20):
    """Wait for a mail to email with subject in its Subject whose file is
    not in seen (a set from mail_paths); returns it."""
    def probe():
        for m in reversed(mails(email)):
            if m.path not in seen and subject in str(m.get("Subject", "")):
                return m
        return None
    return wait_until(probe, timeout, 0.1, message="new mail %r to %s" % (
        subject, email))


def confirm_link(email, newer_than=None, seen=None):
    """The confirmation link of the newest confirmation mail to email
    (only among mails not in seen, when given)."""
    if seen is not None:
        msg = new_mail(email, "Confirmez votre adhésion", seen)
    else:
        msg = wait_mail(email, "Confirmez votre adhésion",
                        newer_than=newer_than)
    found = [u for u in links(msg) if "/signup/confirm/" in u]
    ok(len(found) == 1, "confirmation mail to %s: expected one link to "
       "/signup/confirm/, got %s" % (email, links(msg)))
    return found[0]


def reset_link(email, newer_than=None, seen=None):
    """The reset link of the newest password reset mail to email (only
    among mails not in seen, when given)."""
    if seen is not None:
        msg = new_mail(email, "Réinitialisez votre mot de passe", seen)
    else:
        msg = wait_mail(email, "Réinitialisez votre mot de passe",
                        newer_than=newer_than)
    found = [u for u in links(msg) if "/password/reset/" in u]
    ok(len(found) == 1, "reset mail to %s: expected one link to "
       "/password/reset/, got %s" % (email, links(msg)))
    return found[0]


def post_login(client, email, password, next=None):
    """Submit the login form (GET /login first, as a browser); returns the
    response without judging it."""
    url = "/login"
    if next is not None:
        url += "?next=" + urllib.parse.quote(next, safe="")
    return client.submit(url, {"email": email, "password": password})


def login(client, email, password, next=None):
    """Log in through the form; asserts 303 to /account (or next) and a
    session cookie.  An admin (issue 13) also passes the second factor
    with a code of the authenticator make_admin enrolled (an admin made
    otherwise is enrolled first, through a real link); the response is
    then that of the second factor's form."""
    if is_admin(email):
        if email.lower() not in ADMIN_TOTP:    # made in SQL or elsewhere
            enrol_admin(email, password, admin_link(email, None))
        target = next or "/account"
        resp = post_login(client, email, password, "/admin/2fa?next=" +
                          urllib.parse.quote(target, safe=""))
        redirects(resp, "/admin/2fa?next=", "login of admin %s" % email)
        resp = second_factor(client, email, target)
        redirects(resp, target, "second factor of %s" % email)
        ok(resp.cookies.get("sid"), "second factor of %s: no new sid "
           "cookie (%s)" % (email, resp.cookies.raw))
        return resp
    resp = post_login(client, email, password, next)
    redirects(resp, next or "/account", "login of %s" % email)
    ok(resp.cookies.get("sid"), "login of %s: no sid cookie set (%s)" % (
        email, resp.cookies.raw))
    return resp


def new_member(client=None, confirm=True, **overrides):
    """Sign up through the real form, confirm through the link of the real
    mail and log in.  Returns (client, email, password); the client is
    logged in when confirm is true (a pending account cannot log in)."""
    client = client or Client("fcgi")
    fields = signup_fields(**overrides)
    email, password = fields["email"], fields["password"]
    seen = mail_paths(email)
    resp = client.submit("/signup", fields)
    redirects(resp, "/signup/done", "sign-up of %s" % email)
    if confirm:
        resp = client.get(confirm_link(email, seen=seen))
        status(resp, 200, "confirmation of %s" % email)
        contains(resp, "Adhésion confirmée")
        login(client, email, password)
    return client, email.lower(), password


def submit_page(client, page, fields=None, selector=None, url=None):
    """Submit a form of an already received page (e.g. a 422 re-render),
    like a browser would: its current values, merged with fields (None
    removes a field).  url: the page's address, for a form without action
    (defaults to the request that produced page)."""
    form = find_form(page.text, selector)
    given = list((fields or {}).items())
    names = {k for k, _ in given}
    pairs = [(k, v) for k, v in form.submission() if k not in names]
    pairs += [(k, v) for k, v in given if v is not None]
    base = url or (page.request[1] if page.request else "/")
    action = urllib.parse.urljoin("http://x" + base, form.action or base)
    return client.post(path_of(action), pairs)


def csrf_of(page):
    """The _csrf value of the first form of a page carrying one."""
    for f in forms(page.text):
        for fld in f.fields:
            if fld["name"] == "_csrf":
                return fld["value"]
    raise AssertionError("no _csrf field in the page")


_USER_COLUMNS = ("id", "email", "first_name", "last_name", "gender",
                 "birth_date", "phone", "address_street", "postal_code",
                 "country", "city_insee", "city_name", "role", "status",
                 "password_hash", "created_at", "activated_at",
                 "charter_accepted_at", "last_login_at")


def user_row(email):
    """The users row of email as a dict (text values, None for NULL), or
    None when there is none."""
    rows = psql("SELECT %s FROM users WHERE lower(email) = lower(:'p1')"
                % ", ".join(_USER_COLUMNS), email)
    if not rows:
        return None
    return dict(zip(_USER_COLUMNS, rows[0]))


def user_id(email):
    return psql_value("SELECT id FROM users WHERE lower(email) = "
                      "lower(:'p1')", email)


def user_count(email):
    return int(psql_value("SELECT count(*) FROM users WHERE lower(email) = "
                          "lower(:'p1')", email))


def outbox_count(email, subject=None):
    """Mails queued for email (optionally with that subject)."""
    if subject is None:
        return int(psql_value("SELECT count(*) FROM outbox WHERE "
                              "lower(to_addr) = lower(:'p1')", email))
    return int(psql_value("SELECT count(*) FROM outbox WHERE lower(to_addr) "
                          "= lower(:'p1') AND subject = :'p2'", email,
                          subject))


def outbox_rows(uid):
    return int(psql_value("SELECT count(*) FROM outbox WHERE user_id = "
                          ":'p1'", uid))


def token_count(uid, kind=None):
    if kind is None:
        return int(psql_value("SELECT count(*) FROM user_tokens WHERE "
                              "user_id = :'p1'", uid))
    return int(psql_value("SELECT count(*) FROM user_tokens WHERE "
                          "user_id = :'p1' AND kind = :'p2'", uid, kind))


def sessions_of(uid):
    """Session ids Redis lists for a member (usess:<uid>)."""
    out = redis_cli("SMEMBERS", "usess:%s" % uid)
    return set(x for x in out.split("\n") if x)


def fcgi_binary(name="civitas-fcgi"):
    """The civitas-fcgi (or another of our programs) under test
    (BIN_DIR)."""
    return os.path.join(os.environ.get("BIN_DIR") or
                        os.path.join(REPO_ROOT, "build"), name)


def route_table():
    """[(method, pattern, {flags})]: the worker's own route table, as
    `civitas-fcgi routes` prints it."""
    out = subprocess.run([fcgi_binary(), "routes"], capture_output=True,
                         text=True, check=True).stdout
    return [(w[0], w[1], set(w[2:])) for w in map(str.split,
                                                  out.splitlines()) if w]


def admin_link(email, password=PASSWORD):
    """`civitas-fcgi admin EMAIL` (PASSWORD from the environment, the
    stack's settings from ours): creates or promotes the admin; returns
    the enrolment link it prints (issue 13).  password None: an existing
    admin's new link only, the password untouched."""
    env = dict(os.environ, PASSWORD=password or "")
    proc = subprocess.run([fcgi_binary(), "admin", email], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    eq(proc.returncode, 0, "civitas-fcgi admin %s: %s" % (
        email, proc.stderr.decode("utf-8", "replace")))
    out = proc.stdout.decode("utf-8")
    found = re.findall(r"\S*%s[A-Za-z0-9_-]{43}\b" % re.escape(ENROL_PREFIX),
                       out)
    eq(len(found), 1, "civitas-fcgi admin printed one enrolment link: %r"
       % out)
    return found[0]


def make_admin(email=None, password=PASSWORD, enrol=True):
    """Create an admin with `civitas-fcgi admin EMAIL`, and (issue 13)
    enrol its second factor through the link printed, as the admin would:
    log in, open the link, type a code of the secret shown.  The secret
    and the recovery codes are kept in ADMIN_TOTP for login().  Returns
    (email, password)."""
    email = (email or unique_email("admin")).lower()
    link = admin_link(email, password)
    if enrol:
        enrol_admin(email, password, link)
    return email, password


# --------------------------------------------------------------------------
# The back-office second factor (issue 13, admin accounts)
# --------------------------------------------------------------------------

ENROL_PREFIX = "/admin/2fa/enrol/"
# email -> {"secret": base32, "last": last step used, "codes": [recovery]}
ADMIN_TOTP = {}


def totp_step(t=None):
    """The RFC 6238 time step of t (default now): 30-second steps."""
    return int((time.time() if t is None else t) // 30)


def totp_code(secret, step):
    """The 6-digit TOTP code (HMAC-SHA1, RFC 6238) of a base32 secret at a
    step, computed here independently of the server."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


def take_step(email, wait=True):
    """A step whose code the server accepts for this admin now: after the
    last one used (each step is accepted once), within the window the
    server accepts (now - 1 to now + 1; the step before only when the
    current one has 3 s left, so that crossing a step boundary on the way
    keeps the code in the window).  When all are used, waits for the next
    step, as a person would."""
    entry = ADMIN_TOTP[email]
    while True:
        t = time.time()
        now = totp_step(t)
        low = now - 1 if t % 30 < 27 else now
        step = max(low, entry["last"] + 1)
        if step <= now + 1:
            entry["last"] = step
            return step
        if not wait:
            return None
        time.sleep(max(0.05, (now + 1) * 30 - time.time() + 0.05))


def admin_ready(email):
    """Can the admin pass the second factor now without waiting (a step of
    the window not used yet, or a recovery code left)? Takes nothing."""
    entry = ADMIN_TOTP.get(email.lower())
    if entry is None:
        return False
    t = time.time()
    now = totp_step(t)
    low = now - 1 if t % 30 < 27 else now
    return max(low, entry["last"] + 1) <= now + 1 or bool(entry["codes"])


def is_admin(email):
    """Is email an admin's (known here, else asked of the database)?"""
    if email.lower() in ADMIN_TOTP:
        return True
    return psql_value("SELECT role FROM users WHERE lower(email) = "
                      "lower(:'p1')", email) == "admin"


def enrol_admin(email, password, link, client=None):
    """Enrol the admin's second factor through link: log in (the page
    asks for it), read the secret on the page, confirm with a code; keeps
    the secret and the ten recovery codes in ADMIN_TOTP.  Returns the
    page of the recovery codes."""
    c = client or Client("fcgi")
    path = path_of(link)
    resp = post_login(c, email, password, next=path)
    redirects(resp, path, "login of %s for enrolment" % email)
    page = status(c.get(path), 200, "enrolment page of %s" % email)
    secret = enrol_secret(page)
    ok(secret, "enrolment page of %s: no secret shown" % email)
    ADMIN_TOTP[email.lower()] = {"secret": secret, "last": -1, "codes": []}
    step = take_step(email.lower())
    done = submit_page(c, page, {"code": totp_code(secret, step)},
                       "#totp-enrol")
    status(done, 200, "enrolment of %s" % email)
    codes = re.findall(r"<li><code>([A-Z2-7]{5}-[A-Z2-7]{5})</code></li>",
                       done.text)
    eq(len(codes), 10, "enrolment of %s: ten recovery codes" % email)
    ADMIN_TOTP[email.lower()]["codes"] = codes
    return done


def enrol_secret(page):
    """The base32 secret an enrolment page shows (without its spaces), or
    None."""
    m = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text)
    return m.group(1).replace(" ", "") if m else None


def post_second_factor(client, code, next="/admin"):
    """POST the second factor's form (/admin/2fa) with code; the
    response."""
    return client.submit("/admin/2fa?next=" + urllib.parse.quote(
        next, safe=""), {"code": code}, "#totp-verify")


def second_factor(client, email, next="/admin"):
    """Pass the second factor of a logged-in admin (POST /admin/2fa with a
    code of its authenticator); returns the response (303 to next)."""
    entry = ADMIN_TOTP[email.lower()]
    step = take_step(email.lower(), wait=False)
    if step is not None:
        code = totp_code(entry["secret"], step)
    elif entry["codes"]:
        # Every code of the window used (the same admin logged in a few
        # times within seconds): a recovery code, as a person in a hurry
        # would, rather than waiting up to 30 s for the next step.
        code = entry["codes"].pop()
    else:
        code = totp_code(entry["secret"], take_step(email.lower()))
    return post_second_factor(client, code, next)
