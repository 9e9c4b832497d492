# SPDX-License-Identifier: MIT
"""Malformed and hostile input, mostly straight to the FastCGI socket (no
nginx to clean it up), a few through nginx: broken encodings, repeated and
unknown fields, bad lengths, multipart, content types, cookies, paths,
methods, JSON API errors and raw FastCGI garbage.

Every test checks that no worker died during it (same worker pids before
and after), and the last one that none died during the whole module.
"""

import json
import os
import struct
import subprocess
import time
import urllib.parse

from civitas import *
import stackctl as sc

FORM = "application/x-www-form-urlencoded"
_module_pids = []
_session = {}


def guarded(fn):
    """@test that also fails when a worker died while it ran."""
    def run_guarded():
        if not _module_pids:
            _module_pids.extend(sc.wait_workers())
        before = sc.wait_workers()
        fn()
        eq(sc.worker_pids(), before, "worker pids after %s: a worker died"
           % fn.__name__)
    run_guarded.__name__ = fn.__name__
    run_guarded.__module__ = fn.__module__
    return test(run_guarded)


def csrf():
    """(cookie header dict, token) of a fresh anonymous visitor."""
    if not _session:
        c = Client("fcgi")
        page = status(c.get("/login"), 200)
        _session["token"] = find_form(page.text, "/login").values()["_csrf"]
        _session["cookie"] = {"Cookie": "csrf=" + c.cookies["csrf"]}
    return dict(_session["cookie"]), _session["token"]


def post_login(body, content_type=FORM, headers=None, **kw):
    cookie, _ = csrf()
    hdrs = dict(cookie)
    if content_type:
        hdrs["Content-Type"] = content_type
    hdrs.update(headers or {})
    return fcgi_request("POST", "/login", hdrs, body, **kw)


def creds():
    """e-mail and wrong password of nobody, new each time: the login
    throttle (5 failures per address) must never answer 429 here."""
    return "email=%s&password=pas-le-bon" % urllib.parse.quote(
        unique_email("badinput"))


def token_body(rest):
    return "_csrf=%s&%s" % (csrf()[1], rest)


def error_page(resp, code, what):
    status(resp, code, what)
    contains(resp.content_type, "text/html", what)
    contains(resp.text, 'lang="fr"', what)
    contains(resp.text, "</html>", what)
    return resp


def via_proxy():
    return {"source_address": (trusted_proxy(), 0),
            "forwarded_for": sc.random_client_ip()}


# --------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------

BAD_PERCENT = ["%zz", "%4", "abc%", "%G1", "%%41"]
BAD_UTF8 = ["%C3%28", "%ED%A0%80", "%C0%AF", "%F4%90%80%80", "%FF",
            "%E2%82"]


@guarded
def broken_percent_encoding_in_query_400():
    for bad in BAD_PERCENT:
        for q in ("next=" + bad, bad + "=1"):
            error_page(fcgi_request("GET", "/login?" + q), 400,
                       "GET /login?" + q)
    for bad in ("%zz", "%4"):
        error_page(http_request("GET", "/login?next=a" + bad, **via_proxy()),
                   400, "nginx GET /login?next=a" + bad)


@guarded
def broken_percent_encoding_in_body_400():
    for bad in BAD_PERCENT:
        for field in ("email=" + bad, bad + "=1"):
            error_page(post_login(token_body("password=x&" + field)), 400,
                       "POST /login " + field)


@guarded
def invalid_utf8_400():
    for bad in BAD_UTF8:
        error_page(fcgi_request("GET", "/login?next=/" + bad), 400,
                   "GET /login?next=/" + bad)
        error_page(post_login(token_body("password=x&email=a" + bad)), 400,
                   "POST /login email=a" + bad)
        error_page(fcgi_request("GET", "/login" + bad), 400,
                   "GET /login" + bad)
    raw = ("_csrf=%s&password=x&email=" % csrf()[1]).encode() + b"\xff\xfe"
    error_page(post_login(raw), 400, "raw invalid UTF-8 body")
    error_page(http_request("GET", "/signup?x=%C3%28", **via_proxy()), 400,
               "nginx GET /signup?x=%C3%28")


@guarded
def nul_byte_400():
    error_page(fcgi_request("GET", "/login?next=/a%00b"), 400, "query %00")
    error_page(fcgi_request("GET", "/login?%00=1"), 400, "query name %00")
    error_page(post_login(token_body("password=x&email=a%00b")), 400,
               "body %00")
    error_page(fcgi_request("GET", "/login%00"), 400, "path %00")


# --------------------------------------------------------------------------
# Fields
# --------------------------------------------------------------------------

@guarded
def repeated_body_field_400():
    for rest in ("email=a%40example.test&email=b%40example.test&password=x",
                 "email=a%40example.test&password=x&password=y",
                 "email=a%40example.test&password=x&_csrf=" + csrf()[1]):
        error_page(post_login(token_body(rest)), 400, "POST /login " + rest)
    body, ctype = encode_multipart([("_csrf", csrf()[1]),
                                    ("email", "a@example.test"),
                                    ("email", "b@example.test"),
                                    ("password", "x")])
    error_page(post_login(body, ctype), 400, "multipart repeated email")


@guarded
def repeated_query_field_400():
    error_page(fcgi_request("GET", "/login?next=/account&next=/admin"), 400,
               "GET /login?next=/account&next=/admin")
    r = fcgi_request("GET", "/api/cities?country=FR&postal_code=69001"
                     "&postal_code=75001")
    status(r, 400, "GET /api/cities with postal_code twice")


@guarded
def unknown_fields_ignored():
    plain = status(post_login(token_body(creds())), 422, "POST /login")
    rest = creds()
    extra = status(post_login(token_body(
        rest + "&is_admin=1&role=admin&x%5B%5D=1&zzz=")), 422,
        "POST /login with unknown fields")
    eq(form_errors(extra.text), form_errors(plain.text))
    eq(find_form(extra.text, "/login").values().get("email"),
       urllib.parse.unquote(rest.split("&")[0][6:]),
       "the known field was read")


@guarded
def too_many_fields_refused():
    many = token_body("&".join("f%d=1" % i for i in range(64)))  # 65
    r = post_login(many)
    ok(r.status in (400, 413), "65 body fields: %s" % r.status)
    error_page(r, r.status, "65 body fields")
    q = "&".join("f%d=1" % i for i in range(33))
    error_page(fcgi_request("GET", "/login?" + q), 400, "33 query fields")
    r = post_login(token_body("&".join("f%d=1" % i for i in range(62))))
    status(r, 422, "64 body fields are accepted (the form is just wrong)")


# --------------------------------------------------------------------------
# Lengths
# --------------------------------------------------------------------------

def partial_post(length, sent, terminate_stdin):
    """POST /login announcing CONTENT_LENGTH=length but sending `sent`."""
    cookie, _ = csrf()
    p = fcgi_params("POST", "/login", dict(cookie, **{"Content-Type": FORM}),
                    b"", params={"CONTENT_LENGTH": str(length)})
    data = (fcgi_begin_request(1)
            + fcgi_stream(FCGI_PARAMS, 1, fcgi_encode_pairs(p))
            + fcgi_record(FCGI_STDIN, 1, sent))
    if terminate_stdin:
        data += fcgi_record(FCGI_STDIN, 1, b"")
    return data


@guarded
def content_length_over_limit_413_without_reading_the_body():
    # 2 MiB announced, 7 bytes sent, the stream never ends: a worker that
    # tried to read the body would wait until our timeout.
    started = time.monotonic()
    res = fcgi_exchange(partial_post(2 * 1024 * 1024, b"a=b&c=d", False),
                        timeout=15)
    ok(res.ended, "no answer to CONTENT_LENGTH=2MiB (%r, %.1fs)" % (
        res, time.monotonic() - started))
    error_page(parse_cgi_response(res.stdout), 413, "CONTENT_LENGTH 2 MiB")
    r = post_login(b"a=" + b"x" * (2 * 1024 * 1024))
    error_page(r, 413, "a real 2 MiB body")
    r = http_request("POST", "/login", {"Content-Type": FORM},
                     b"a=" + b"x" * (2 * 1024 * 1024), **via_proxy())
    status(r, 413, "nginx, 2 MiB body")


@guarded
def bad_content_length_400():
    for value in ("-1", "abc", "99999999999999999999", "0x10", "5 "):
        error_page(post_login(token_body("email=a"),
                              params={"CONTENT_LENGTH": value}), 400,
                   "CONTENT_LENGTH %r" % value)


@guarded
def truncated_body_400_or_closed_never_hangs():
    res = fcgi_exchange(partial_post(5000, b"email=a%40b.c&pass", True),
                        timeout=15)
    ok(res.ended, "CONTENT_LENGTH 5000 with 18 bytes: %r" % res)
    error_page(parse_cgi_response(res.stdout), 400, "truncated body")
    # the stream is not even terminated, we just stop writing
    res = fcgi_exchange(partial_post(5000, b"email=a%40b.c&pass", False),
                        timeout=15, shutdown_write=True)
    ok(not res.timed_out, "worker still waiting after 15 s: %r" % res)
    if res.ended:
        status(parse_cgi_response(res.stdout), 400, "unterminated body")
    status(fcgi_request("GET", "/health"), 200, "next request")


# --------------------------------------------------------------------------
# Content types
# --------------------------------------------------------------------------

def active_member():
    """(email, password) of an active member created directly in SQL."""
    if "member" not in _session:
        addr = unique_email("multipart")
        password = "multipart-" + os.urandom(4).hex()
        binary = os.path.join(os.environ.get("BIN_DIR") or
                              os.path.join(sc.repo_root(), "build"),
                              "civitas-fcgi")
        proc = subprocess.run([binary, "hash"], env=dict(os.environ,
                                                         PASSWORD=password),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        eq(proc.returncode, 0, "civitas-fcgi hash: %s" % proc.stderr[:300])
        digest = proc.stdout.decode().strip()
        psql("INSERT INTO users (email, password_hash, first_name, "
             "last_name, status, charter_accepted_at, activated_at) VALUES "
             "(:'p1', :'p2', 'Multi', 'Part', 'active', now(), now())",
             addr, digest)
        _session["member"] = (addr, password)
    return _session["member"]


@guarded
def multipart_form_post_works():
    addr, password = active_member()
    c = Client("fcgi")
    page = status(c.get("/login"), 200)
    token = find_form(page.text, "/login").values()["_csrf"]
    r = c.post_multipart("/login", {"_csrf": token, "email": addr,
                                    "password": password,
                                    "next": "/account"})
    redirects(r, "/account", "multipart POST /login")
    status(c.get("/account"), 200, "logged in after a multipart login")
    # wrong password: the fields were read (the e-mail is echoed)
    c2 = Client("fcgi")
    page = status(c2.get("/login"), 200)
    token = find_form(page.text, "/login").values()["_csrf"]
    r = c2.post_multipart("/login", {"_csrf": token, "email": addr,
                                     "password": "pas-le-bon"})
    status(r, 422, "multipart, wrong password")
    eq(find_form(r.text, "/login").values().get("email"), addr)
    # with a file part too: the text fields still work
    c3 = Client("fcgi")
    page = status(c3.get("/login"), 200)
    token = find_form(page.text, "/login").values()["_csrf"]
    r = c3.post_multipart("/login", {"_csrf": token, "email": addr,
                                     "password": password},
                          files={"avatar": ("a.txt", b"hello", "text/plain")})
    redirects(r, "/account", "multipart POST /login with a file part")


@guarded
def malformed_multipart_400():
    token = csrf()[1]
    good, ctype = encode_multipart({"_csrf": token, "email": "a@b.c",
                                    "password": "x"})
    boundary = ctype.split("boundary=")[1].encode()
    cases = {
        "no closing boundary": good[:good.rindex(b"--" + boundary)],
        "cut in a part": good[:len(good) // 2],
        "other boundary": good.replace(boundary, b"somethingelse"),
        "no blank line after part headers":
            b"--" + boundary + b"\r\nContent-Disposition: form-data; "
            b"name=\"email\"\r\nvalue\r\n--" + boundary + b"--\r\n",
        "part without Content-Disposition":
            b"--" + boundary + b"\r\nContent-Type: text/plain\r\n\r\nx\r\n--"
            + boundary + b"--\r\n",
        "garbage": os.urandom(300),
        "empty boundary lines": b"--\r\n--\r\n",
    }
    for what, body in cases.items():
        error_page(post_login(body, ctype), 400, "multipart: " + what)


@guarded
def multipart_without_boundary_400():
    body, _ = encode_multipart({"_csrf": csrf()[1], "email": "a@b.c"})
    error_page(post_login(body, "multipart/form-data"), 400,
               "multipart/form-data without boundary parameter")


@guarded
def unknown_content_type_415():
    body = token_body(creds()).encode()
    for ctype in ("text/plain", "application/xml", "application/json",
                  "image/png", "text/html; charset=utf-8"):
        error_page(post_login(body, ctype), 415, "Content-Type " + ctype)
    error_page(post_login(body, None), 415, "no Content-Type")
    r = http_request("POST", "/login", {"Content-Type": "text/plain"}, body,
                     **via_proxy())
    status(r, 415, "nginx, text/plain")


@guarded
def content_type_compared_as_a_whole():
    """A media type that merely starts like the form one is not it."""
    body = token_body(creds()).encode()
    for ctype in ("application/x-www-form-urlencodedx",
                  "application/x-www-form-urlencoded-json"):
        error_page(post_login(body, ctype), 415, "Content-Type " + ctype)
    # while parameters after the type are fine
    status(post_login(body, FORM + "; charset=UTF-8"), 422,
           "form with a charset parameter")


# --------------------------------------------------------------------------
# Headers, paths, methods
# --------------------------------------------------------------------------

@guarded
def huge_and_numerous_cookies_handled():
    huge = "junk=" + "x" * 20000
    many = "; ".join("c%d=v%d" % (i, i) for i in range(200))
    for what, cookie in (("a 20 kB cookie", huge), ("200 cookies", many),
                         ("junk", "=;;=; ;a=\x01\x7f; b")):
        status(fcgi_request("GET", "/login", {"Cookie": cookie}), 200,
               "GET /login with " + what)
        status(fcgi_request("GET", "/", {"Cookie": cookie}), 200,
               "GET / with " + what)
        r = fcgi_request("POST", "/login", {
            "Content-Type": FORM, "Cookie": cookie + "; " +
            csrf()[0]["Cookie"]}, token_body(creds()))
        ok(r.status in (403, 422), "POST /login with %s: %s" % (
            what, r.status))
    status(http_request("GET", "/login", {"Cookie": "a=" + "x" * 6000},
                        **via_proxy()), 200, "nginx, 6 kB cookie")
    status(http_request("GET", "/login", {"Cookie": huge}, **via_proxy()),
           (400, 431, 494), "nginx, 20 kB cookie")


@guarded
def odd_paths_404_not_crash():
    for path in ("/../etc/passwd", "/signup/../login", "//login",
                 "/%2e%2e/%2e%2e/etc/passwd", "/login/", "/LOGIN",
                 "/a%2fb", "/signup/confirm/../../admin", "/.env",
                 "/signup/confirm/", "/signup/confirm/a/b"):
        error_page(fcgi_request("GET", path), 404, "GET " + path)
    for path in ("/../etc/passwd", "/%2e%2e/etc/passwd", "//etc//passwd"):
        r = http_request("GET", path, **via_proxy())
        ok(r.status in (400, 404), "nginx GET %s: %s" % (path, r.status))


@guarded
def very_long_path_414_not_crash():
    long_path = "/" + "a" * 10000
    r = fcgi_request("GET", long_path)
    ok(r.status in (404, 414), "GET of a 10k path: %s" % r.status)
    error_page(r, r.status, "10k path")
    r = fcgi_request("GET", "/signup/confirm/" + "b" * 10000)
    ok(r.status in (404, 414), "confirm link with a 10k token: %s" % r.status)
    r = http_request("GET", long_path, **via_proxy())
    ok(r.status in (404, 414), "nginx, 10k path: %s" % r.status)
    status(fcgi_request("GET", "/health"), 200)


@guarded
def uri_too_long_page_is_a_client_error():
    """The 414 page is the app's own: it must name the problem (the
    address is too long), not blame the server."""
    r = fcgi_request("GET", "/" + "a" * 3000)
    status(r, 414)
    eq(r.reason, "URI Too Long", "Status reason phrase")
    text = html_text(r.text)
    not_contains(text, "de notre côté", "a 414 is the client's error")
    r = http_request("GET", "/" + "a" * 3000, **via_proxy())
    status(r, 414, "through nginx")
    ne(r.reason, "Status", "reason phrase seen by the browser")


@guarded
def unknown_method_405_with_allow():
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS", "FOO"):
        r = error_page(fcgi_request(method, "/login"), 405, method + " /login")
        eq(r.headers.get("Allow"), "GET, HEAD, POST", method + " Allow")
    r = error_page(fcgi_request("DELETE", "/"), 405, "DELETE /")
    eq(r.headers.get("Allow"), "GET, HEAD")
    for method in ("PUT", "DELETE"):
        r = http_request(method, "/signup", **via_proxy())
        status(r, 405, "nginx %s /signup" % method)
        eq(r.headers.get("Allow"), "GET, HEAD, POST")


def problem(resp, code, what):
    status(resp, code, what)
    eq(resp.content_type.split(";")[0].strip(), "application/problem+json",
       what + ": Content-Type")
    doc = resp.json()
    eq(doc.get("status"), code, what + ": status member")
    ok(isinstance(doc.get("title"), str) and doc["title"],
       what + ": title member")
    ok("type" in doc, what + ": type member")
    return doc


@guarded
def json_api_errors_are_problem_json():
    problem(fcgi_request("GET", "/api/cities?country=xx&postal_code=1"), 400,
            "bad country")
    problem(fcgi_request("GET", "/api/cities?country=FR&postal_code=abc"),
            400, "bad postal code")
    problem(fcgi_request("GET", "/api/cities?country=%zz"), 400,
            "broken percent-encoding")
    problem(fcgi_request("GET", "/api/cities?country=FR&postal_code=%C3%28"),
            400, "invalid UTF-8")
    problem(fcgi_request("GET", "/api/nothing"), 404, "unknown API path")
    r = fcgi_request("POST", "/api/cities", dict(csrf()[0], **{
        "Content-Type": FORM}), token_body("x=1"))
    problem(r, 405, "POST /api/cities")
    eq(r.headers.get("Allow"), "GET, HEAD")
    r = http_request("GET", "/api/cities?country=x", **via_proxy())
    problem(r, 400, "nginx, bad country")
    ok(fcgi_request("GET", "/api/cities?country=FR&postal_code=69001")
       .json(), "a good request still works")


# --------------------------------------------------------------------------
# Raw FastCGI
# --------------------------------------------------------------------------

@guarded
def raw_fastcgi_garbage_worker_survives():
    good = fcgi_build_request(fcgi_params("GET", "/health"))
    begin = fcgi_begin_request(1)
    cases = {
        "random bytes": os.urandom(4096),
        "only a header": good[:8],
        "truncated record": good[:30],
        "truncated params": begin + fcgi_record(FCGI_PARAMS, 1,
                                                good[24:80])[:40],
        "PARAMS announcing a 2 GiB name": begin + fcgi_record(
            FCGI_PARAMS, 1, fcgi_encode_length(0x7fffffff)
            + fcgi_encode_length(5) + b"abc")
        + fcgi_record(FCGI_PARAMS, 1, b"") + fcgi_record(FCGI_STDIN, 1, b""),
        "PARAMS announcing a 2 GiB value": begin + fcgi_record(
            FCGI_PARAMS, 1, b"\x04" + struct.pack("!I", 0xfffffff0) + b"ABCD")
        + fcgi_record(FCGI_PARAMS, 1, b"") + fcgi_record(FCGI_STDIN, 1, b""),
        "record longer than sent": begin + fcgi_record(
            FCGI_PARAMS, 1, b"abc", declared_length=65535),
        "bad version": fcgi_record(FCGI_BEGIN_REQUEST, 1,
                                   struct.pack("!HB5x", 1, 0), version=9)
        + good[16:],
        "no BEGIN_REQUEST": good[16:],
        "unknown record type": fcgi_record(42, 1, b"xyz") + good,
        "request id 0": fcgi_begin_request(0) + good[16:],
        "ABORT_REQUEST": begin + fcgi_record(FCGI_ABORT_REQUEST, 1, b""),
        "no parameters": begin + fcgi_record(FCGI_PARAMS, 1, b"")
        + fcgi_record(FCGI_STDIN, 1, b""),
        "no REQUEST_URI": fcgi_build_request({"REQUEST_METHOD": "GET"}),
        "no REQUEST_METHOD": fcgi_build_request({"REQUEST_URI": "/health"}),
        "relative REQUEST_URI": fcgi_build_request(
            fcgi_params("GET", "health")),
        "two BEGIN_REQUEST": begin + good,
        "the same parameter in 1000 records": begin
        + b"".join(fcgi_record(FCGI_PARAMS, 1, b"\x01\x01ab")
                   for _ in range(1000)) + fcgi_record(FCGI_PARAMS, 1, b"")
        + fcgi_record(FCGI_STDIN, 1, b""),
        "empty connection": b"",
    }
    problems = []
    for what, data in cases.items():
        res = fcgi_exchange(data, timeout=10, shutdown_write=True)
        if res.timed_out:
            problems.append("%s: no answer or close within 10 s" % what)
        if res.ended and res.protocol_status == 0:
            try:
                code = parse_cgi_response(res.stdout).status
            except ValueError as exc:
                problems.append("%s: bad CGI answer %s" % (what, exc))
            else:
                if code >= 500:
                    problems.append("%s: status %d" % (what, code))
        nxt = fcgi_request("GET", "/health")
        if nxt.status != 200:
            problems.append("%s: next request %d" % (what, nxt.status))
    eq(problems, [], "garbage on the FastCGI socket")
    eq(sc.load("/health", count=16, concurrency=4, via="fcgi"), [200] * 16,
       "every worker still answers")


@test
def no_worker_died_during_this_module():
    ok(_module_pids, "the module's first test did not run")
    eq(sc.worker_pids(), sorted(_module_pids),
       "worker pids at the start and the end of test_badinput")


if __name__ == "__main__":
    raise SystemExit(run([__name__]))
