#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Tests of test/lib/civitas.py and scripts/smtp-sink.py (no stack needed).

    /usr/bin/python3 test/lib/selftest.py

Uses a fake FastCGI application on a unix socket in a temporary directory
and starts the SMTP sink on a free port.  Prints "N passed, N failed".
"""

import http.server
import os
import re
import shutil
import smtplib
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, HERE)

from civitas import *  # noqa: E402,F403
import civitas  # noqa: E402

TMP = tempfile.mkdtemp(prefix="civitas-selftest-")


# --------------------------------------------------------------------------
# FastCGI encoding
# --------------------------------------------------------------------------

@test
def fcgi_record_known_bytes():
    eq(fcgi_record(FCGI_PARAMS, 1, b"abc"),
       b"\x01\x04\x00\x01\x00\x03\x05\x00abc\x00\x00\x00\x00\x00")
    eq(fcgi_record(FCGI_STDIN, 258, b""), b"\x01\x05\x01\x02\x00\x00\x00\x00")
    eq(fcgi_begin_request(1), b"\x01\x01\x00\x01\x00\x08\x00\x00"
       b"\x00\x01\x00\x00\x00\x00\x00\x00")
    eq(len(fcgi_record(FCGI_STDOUT, 1, b"x" * 8)), 16, "no padding at 8")


@test
def fcgi_lengths_1_and_4_bytes():
    eq(fcgi_encode_length(0), b"\x00")
    eq(fcgi_encode_length(127), b"\x7f")
    eq(fcgi_encode_length(128), b"\x80\x00\x00\x80")
    eq(fcgi_encode_length(70000), struct.pack("!I", 70000 | 0x80000000))
    eq(fcgi_encode_length(0x7FFFFFFF), b"\xff\xff\xff\xff")
    try:
        fcgi_encode_length(0x80000000)
    except ValueError:
        pass
    else:
        raise AssertionError("length 2^31 accepted")


@test
def fcgi_pairs_round_trip():
    pairs = [("A", ""), ("", "empty name"), ("N" * 127, "v" * 128),
             ("LONG_NAME_" + "x" * 300, "y" * 70000),
             ("UTF8", "élan ✓"), (b"\xff\x00", b"\x00\x01")]
    encoded = fcgi_encode_pairs(pairs)
    decoded = fcgi_decode_pairs(encoded)
    expected = [(civitas._to_bytes(n), civitas._to_bytes(v))
                for n, v in pairs]
    eq(decoded, expected)
    # 127 -> 1-byte length, 128 -> 4-byte length
    small = fcgi_encode_pairs([("N" * 127, "v" * 128)])
    eq(small[:5], b"\x7f\x80\x00\x00\x80")
    for cut in (1, 2, 4, len(encoded) - 1):
        try:
            fcgi_decode_pairs(encoded[:cut])
        except ValueError:
            continue
        raise AssertionError("truncated pairs (cut %d) not detected" % cut)


@test
def fcgi_records_round_trip_with_padding():
    data = b""
    contents = [b"x" * n for n in range(0, 20)] + [b"z" * 65535]
    for i, c in enumerate(contents):
        data += fcgi_record(FCGI_STDOUT, i + 1, c)
    # explicit odd padding is honoured too
    data += fcgi_record(FCGI_STDERR, 7, b"err", padding=3)
    records, rest = fcgi_parse_records(data)
    eq(rest, b"")
    eq(len(records), len(contents) + 1)
    for i, c in enumerate(contents):
        eq(records[i].content, c)
        eq(records[i].request_id, i + 1)
        eq((len(c) + records[i].padding_length) % 8, 0, "padded to 8")
    eq(records[-1], FcgiRecord(1, FCGI_STDERR, 7, b"err", 3))
    # incomplete trailing record stays in rest
    records, rest = fcgi_parse_records(data[:-2])
    eq(len(records), len(contents))
    eq(len(rest), 8 + 3 + 3 - 2)
    try:
        fcgi_record(FCGI_STDIN, 1, b"x" * 65536)
    except ValueError:
        pass
    else:
        raise AssertionError("65536-byte record accepted")


@test
def fcgi_request_stream_layout():
    body = bytes(range(256)) * 600        # 153600 bytes -> 3 chunks
    params = {"REQUEST_METHOD": "POST", "BIG": "b" * 100000}
    data = fcgi_build_request(params, body, request_id=3)
    records, rest = fcgi_parse_records(data)
    eq(rest, b"")
    eq(records[0].type, FCGI_BEGIN_REQUEST)
    eq(struct.unpack("!HB", records[0].content[:3]), (FCGI_RESPONDER, 0))
    ptypes = [r for r in records if r.type == FCGI_PARAMS]
    stdin = [r for r in records if r.type == FCGI_STDIN]
    eq(ptypes[-1].content, b"", "PARAMS ends with an empty record")
    eq(stdin[-1].content, b"", "STDIN ends with an empty record")
    ok(all(len(r.content) <= 65535 for r in records), "record > 65535")
    eq(len(stdin), 4)
    eq(b"".join(r.content for r in stdin), body)
    eq(dict(fcgi_decode_pairs(b"".join(r.content for r in ptypes))),
       {b"REQUEST_METHOD": b"POST", b"BIG": b"b" * 100000})
    ok(all(r.request_id == 3 for r in records), "request id")


@test
def fcgi_params_like_nginx():
    p = fcgi_params("post", "/a%20b/c?x=1&y=%C3%A9",
                    [("Content-Type", "application/x-www-form-urlencoded"),
                     ("X-Forwarded-For", "203.0.113.9"),
                     ("Cookie", "a=1"), ("Cookie", "b=2")],
                    b"k=v", remote_addr="10.0.0.1",
                    params={"SERVER_NAME": "example", "SCRIPT_NAME": None})
    eq(p["REQUEST_METHOD"], "POST")
    eq(p["REQUEST_URI"], "/a%20b/c?x=1&y=%C3%A9")
    eq(p["PATH_INFO"], "/a b/c")
    eq(p["DOCUMENT_URI"], "/a b/c")
    eq(p["QUERY_STRING"], "x=1&y=%C3%A9")
    eq(p["CONTENT_TYPE"], "application/x-www-form-urlencoded")
    eq(p["CONTENT_LENGTH"], "3")
    eq(p["REMOTE_ADDR"], "10.0.0.1")
    eq(p["HTTP_X_FORWARDED_FOR"], "203.0.113.9")
    eq(p["HTTP_COOKIE"], "a=1; b=2")
    eq(p["GATEWAY_INTERFACE"], "CGI/1.1")
    eq(p["SERVER_PROTOCOL"], "HTTP/1.1")
    eq(p["SERVER_NAME"], "example")
    ok("SCRIPT_NAME" not in p, "None removes a param")
    ok("HTTP_HOST" in p, "default Host header")
    g = fcgi_params("GET", "/", None)
    ok("CONTENT_LENGTH" not in g and "CONTENT_TYPE" not in g,
       "no body params on GET")
    eq(g["QUERY_STRING"], "")
    eq(fcgi_params("POST", "/", None)["CONTENT_LENGTH"], "0")


# --------------------------------------------------------------------------
# CGI responses and cookies
# --------------------------------------------------------------------------

@test
def cgi_response_status_and_headers():
    r = parse_cgi_response(
        b"Status: 303 See Other\r\nLocation: /next\r\n"
        b"Set-Cookie: a=1; Path=/; HttpOnly\r\n"
        b"set-cookie: b=2; Max-Age=0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\nbody\r\n\r\nmore")
    eq(r.status, 303)
    eq(r.reason, "See Other")
    eq(r.location, "/next")
    eq(r.headers.get("content-type"), "text/html; charset=utf-8")
    eq(r.headers.get_all("Set-Cookie"),
       ["a=1; Path=/; HttpOnly", "b=2; Max-Age=0"])
    eq(r.body, b"body\r\n\r\nmore")
    ok("Status" not in r.headers, "Status is not a header")
    eq(dict(r.cookies), {"a": "1", "b": "2"})
    ok(r.cookies.attrs("a").httponly, "HttpOnly")
    eq(r.cookies.attrs("b").max_age, 0)
    r = parse_cgi_response(b"Content-Type: application/json\n\n{\"x\": [1]}")
    eq(r.status, 200)
    eq(r.json(), {"x": [1]})
    eq(r.text, '{"x": [1]}')
    eq(parse_cgi_response(b"Location: /x\r\n\r\n").status, 302)
    eq(parse_cgi_response(b"Status: 404\r\n\r\n").status, 404)
    for bad in (b"no header end", b"bad line\r\n\r\n",
                b"Status: abc\r\n\r\n"):
        try:
            parse_cgi_response(bad)
        except ValueError:
            continue
        raise AssertionError("accepted %r" % bad)


@test
def set_cookie_attributes():
    c = parse_set_cookie('sid="abc=def"; Path=/; Secure; HttpOnly; '
                         'SameSite=Lax; Max-Age=3600; Domain=example.test')
    eq((c.name, c.value), ("sid", "abc=def"))
    ok(c.secure and c.httponly, "flags")
    eq(c.samesite, "Lax")
    eq(c.max_age, 3600)
    eq(c.path, "/")
    eq(c.domain, "example.test")
    ok(not c.is_deletion(), "not a deletion")
    ok(parse_set_cookie("a=; Max-Age=0").is_deletion(), "Max-Age=0")
    ok(parse_set_cookie("a=x; Max-Age=-1").is_deletion(), "Max-Age<0")
    ok(parse_set_cookie("a=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
       .is_deletion(), "Expires in the past")
    ok(not parse_set_cookie("a=x; Expires=Fri, 01 Jan 2100 00:00:00 GMT")
       .is_deletion(), "Expires in the future")
    ok(not parse_set_cookie("a=x; Max-Age=10; Expires=Thu, 01 Jan 1970 "
                            "00:00:00 GMT").is_deletion(),
       "Max-Age wins over Expires")


def _resp_with_cookies(*cookies):
    return Response(200, [("Set-Cookie", c) for c in cookies], b"")


@test
def cookie_jar_expiry_and_paths():
    c = Client("fcgi")
    c.store_cookies(_resp_with_cookies("sid=1; Path=/; HttpOnly",
                                       "pref=x; Max-Age=100",
                                       "adm=y; Path=/admin",
                                       "old=z; Expires=Thu, 01 Jan 1970 "
                                       "00:00:00 GMT"))
    eq(c.cookies, {"sid": "1", "pref": "x", "adm": "y"})
    eq(c.cookie_header("/"), "sid=1; pref=x")
    contains(c.cookie_header("/admin/users?x=1"), "adm=y")
    not_contains(c.cookie_header("/administrator"), "adm=")
    # deletion by Max-Age=0 and by Expires in the past
    c.store_cookies(_resp_with_cookies("sid=; Path=/; Max-Age=0",
                                       "pref=; Expires=Thu, 01 Jan 1970 "
                                       "00:00:00 GMT"))
    eq(c.cookies, {"adm": "y"})
    # expiry of a stored cookie once its time has passed
    c.store_cookies(_resp_with_cookies("short=1; Max-Age=1"))
    eq(c.cookies.get("short"), "1")
    c.jar[("short", "/")][1] = time.time() - 1
    ok("short" not in c.cookies, "expired cookie still in the jar")
    c.set_cookie("manual", "v")
    c.delete_cookie("adm")
    eq(c.cookies, {"manual": "v"})


# --------------------------------------------------------------------------
# HTML helpers
# --------------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head><title>Adhésion</title><style>.x{color:red}</style>
<script>var t = "<form>not a form</form>";</script></head>
<body>
<form action='/search' method=get><input name=q value="a&amp;b"></form>
<form class="big" method="POST" action="/signup?step=2" id=signup>
  <input type="hidden" value="tok&amp;en" name="_csrf">
  <input name='email' value='jean@example.test' type='email'>
  <span id="error-email" class="hint field-error">Adresse <b>invalide</b>
  </span>
  <p class=field-error id='error-password'>Trop court</p>
  <input type=password name=password>
  <select name="region"><option value="">Choisir</option>
    <option value="idf" selected>Île-de-France</option>
    <option>Bretagne</option></select>
  <select name="tags" multiple><option value="a" selected>A<option value="b">B
    <option value="c" selected="selected">C</select>
  <textarea name="bio">
Ligne 1 &lt;ok&gt;
Ligne 2</textarea>
  <input type="checkbox" name="cgu" value="1" checked>
  <input type="checkbox" name="news" value="1">
  <input type="radio" name="civ" value="m"><input type="radio" name="civ"
   value="mme" checked>
  <input name="locked" value="L" disabled>
  <div class="form-error">Le formulaire contient des erreurs.</div>
  <div data-field="phone" class="field-error">Numéro&nbsp;invalide</div>
  <button type="submit" name="action" value="save">Enregistrer</button>
  <button type="submit" name="action" value="draft">Brouillon</button>
</form>
<a href="/a?x=1&amp;y=2">lien</a>
</body></html>"""


@test
def html_field_errors():
    errs = field_errors(PAGE)
    eq(errs, {"email": "Adresse invalide", "password": "Trop court",
              "phone": "Numéro\xa0invalide".replace("\xa0", " ")})
    eq(form_errors(PAGE), ["Le formulaire contient des erreurs."])
    eq(field_errors("<p>rien</p>"), {})
    # implicit end of <p>, unclosed <li>, attribute order and quoting
    eq(field_errors('<p id=error-a class="field-error">Faux<div>x</div>'
                    '<ul><li class=\'field-error\' id="error-b">B<li>c</ul>'
                    '<span\nid="error-c"\nclass="x field-error y">C '
                    '<em>!</em></span> fin'),
       {"a": "Faux", "b": "B", "c": "C !"})


@test
def html_form_values_and_options():
    v = form_values(PAGE, 1)
    eq(v["_csrf"], "tok&en")
    eq(v["email"], "jean@example.test")
    eq(v["password"], "")
    eq(v["region"], "idf")
    eq(v["tags"], ["a", "c"])
    eq(v["bio"], "Ligne 1 <ok>\nLigne 2")
    eq(v["cgu"], "1")
    ok("news" not in v, "unchecked box absent")
    eq(v["civ"], "mme")
    eq(v["locked"], "L")
    ok("action" not in v, "buttons are not values")
    eq(form_values(PAGE, 0), {"q": "a&b"})
    eq(form_values(PAGE, "#signup")["email"], "jean@example.test")
    eq(select_options(PAGE, "region"),
       [("", "Choisir"), ("idf", "Île-de-France"),
        ("Bretagne", "Bretagne")])
    eq(select_options(PAGE, "tags"), [("a", "A"), ("b", "B"), ("c", "C")])
    eq(form_values('<select name="s"><option value="1">Un</option>'
                   '<option value="2">Deux</option></select>'), {"s": "1"})


@test
def html_forms_and_submission():
    eq(len(forms(PAGE)), 2, "the <form> inside <script> is ignored")
    f = find_form(PAGE)
    eq(f.id, "signup")
    eq(f.method, "post")
    eq(f.action, "/signup?step=2")
    eq(find_form(PAGE, "/search").method, "get")
    eq(find_form(PAGE, "/signup").id, "signup")
    eq(find_form(PAGE, 0).action, "/search")
    sub = f.submission()
    ok(("_csrf", "tok&en") in sub, "hidden csrf submitted")
    ok(("action", "save") in sub and ("action", "draft") not in sub,
       "only the first submit button")
    ok(not any(k == "locked" for k, _ in sub), "disabled not submitted")
    eq([v for k, v in sub if k == "tags"], ["a", "c"])
    try:
        find_form(PAGE, "#nope")
    except AssertionError as exc:
        contains(str(exc), "no form matching")
    else:
        raise AssertionError("missing form not reported")


@test
def html_text_helpers():
    ok(find_text(PAGE, "Adresse   invalide"), "normalised whitespace")
    ok(not find_text(PAGE, "color:red"), "style is not text")
    ok(not find_text(PAGE, "not a form"), "script is not text")
    ok(find_text(PAGE, "Adhésion"), "title")
    eq(page_links(PAGE), ["/a?x=1&y=2"])
    eq(unescape("&lt;a&gt; &amp; &#233;"), "<a> & é")
    contains(html_text("<p>Un</p><p>Deux</p>"), "Un Deux")


@test
def form_encodings():
    eq(urlencode([("a", "1 2"), ("é", "x&y"), ("l", ["1", "2"])]),
       "a=1+2&%C3%A9=x%26y&l=1&l=2")
    body, ctype = encode_multipart({"t": "é"}, {"f": ("a.txt", b"\x00\xff",
                                                      "text/plain")},
                                   boundary="BND")
    eq(ctype, "multipart/form-data; boundary=BND")
    contains(body, b'name="t"\r\n\r\n\xc3\xa9\r\n')
    contains(body, b'name="f"; filename="a.txt"\r\nContent-Type: '
             b'text/plain\r\n\r\n\x00\xff\r\n--BND--\r\n')


# --------------------------------------------------------------------------
# Fake FastCGI application for end-to-end client tests
# --------------------------------------------------------------------------

class FakeApp:
    """Minimal FastCGI responder, one request per connection."""

    def __init__(self, path):
        self.path = path
        self.requests = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(16)
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                self.handle(conn)
            except Exception as exc:          # reported through the test
                self.requests.append(("error", exc))
            finally:
                conn.close()

    def handle(self, conn):
        buf = b""
        params = b""
        stdin = b""
        rid = 1
        done = False
        while not done:
            chunk = conn.recv(65536)
            if not chunk:
                return
            buf += chunk
            records, buf = fcgi_parse_records(buf)
            for r in records:
                rid = r.request_id
                if r.type == FCGI_PARAMS:
                    params += r.content
                elif r.type == FCGI_STDIN:
                    if r.content == b"":
                        done = True
                    stdin += r.content
        env = {k.decode(): v.decode() for k, v in fcgi_decode_pairs(params)}
        self.requests.append((env, stdin))
        out = self.respond(env, stdin)
        data = b""
        for i in range(0, len(out), 65535):
            data += fcgi_record(FCGI_STDOUT, rid, out[i:i + 65535])
        data += fcgi_record(FCGI_STDERR, rid, b"warn: something")
        data += fcgi_record(FCGI_STDOUT, rid, b"")
        data += fcgi_record(FCGI_END_REQUEST, rid,
                            struct.pack("!IB3x", 0, 0))
        conn.sendall(data)

    def respond(self, env, stdin):
        path = env["PATH_INFO"]
        cookies = env.get("HTTP_COOKIE", "")
        if path == "/form":
            page = ('<html><form method="post" action="/save">'
                    '<input type=hidden name=_csrf value="T-%s">'
                    '<input name=name value="">'
                    '<input type=hidden name=keep value=1></form></html>'
                    % ("withsid" if "sid=S1" in cookies else "nosid"))
            return (b"Status: 200 OK\r\nContent-Type: text/html\r\n"
                    b"Set-Cookie: sid=S1; Path=/; HttpOnly; SameSite=Lax\r\n"
                    b"\r\n" + page.encode())
        if path == "/save":
            return (b"Status: 303 See Other\r\nLocation: /done?x=1\r\n"
                    b"Set-Cookie: flash=saved; Path=/\r\n\r\n")
        if path == "/logout":
            return (b"Status: 200 OK\r\n"
                    b"Set-Cookie: sid=; Path=/; Max-Age=0\r\n\r\nbye")
        if path == "/big":
            return b"Content-Type: application/octet-stream\r\n\r\n" + \
                b"B" * 200000
        body = ("%s %s cookies=[%s] len=%d" % (
            env["REQUEST_METHOD"], env["REQUEST_URI"], cookies, len(stdin)))
        return b"Content-Type: text/plain\r\n\r\n" + body.encode()


_app = None


def fake_app():
    global _app
    if _app is None:
        _app = FakeApp(os.path.join(TMP, "fcgi.sock"))
    return _app


@test
def fcgi_request_end_to_end():
    app = fake_app()
    body = b"x" * 150000
    r = fcgi_request("POST", "/echo?a=1", [("Content-Type", "text/plain")],
                     body, socket_path=app.path, remote_addr="192.0.2.7")
    status(r, 200)
    eq(r.text, "POST /echo?a=1 cookies=[] len=150000")
    eq(r.stderr, b"warn: something")
    eq(r.app_status, 0)
    env, stdin = app.requests[-1]
    eq(stdin, body)
    eq(env["REMOTE_ADDR"], "192.0.2.7")
    eq(env["CONTENT_LENGTH"], "150000")
    r = fcgi_request("GET", "/big", socket_path=app.path)
    eq(len(r.body), 200000)
    raw = fcgi_request("GET", "/big", socket_path=app.path, raw=True)
    ok(raw.ended and raw.stdout.startswith(b"Content-Type"), repr(raw))
    # a malformed request: PARAMS announcing more than is sent, then EOF
    data = fcgi_begin_request(1) + fcgi_record(FCGI_PARAMS, 1, b"abc",
                                               declared_length=60000)
    res = fcgi_exchange(data, app.path, timeout=5, shutdown_write=True)
    ok(res.closed and not res.ended and not res.timed_out, repr(res))


@test
def client_submit_follow_and_cookies():
    app = fake_app()
    c = Client("fcgi", socket_path=app.path)
    r = c.submit("/form", {"name": "Zoé Dupont", "extra": ["a", "b"],
                           "keep": None})
    redirects(r, "/done")
    eq(c.cookies, {"sid": "S1", "flash": "saved"})
    env, stdin = app.requests[-1]
    eq(env["REQUEST_METHOD"], "POST")
    eq(env["CONTENT_TYPE"], "application/x-www-form-urlencoded")
    eq(stdin, b"_csrf=T-nosid&name=Zo%C3%A9+Dupont&extra=a&extra=b")
    contains(env["HTTP_COOKIE"], "sid=S1")
    r = c.follow(r)
    eq(r.text, "GET /done?x=1 cookies=[sid=S1; flash=saved] len=0")
    r = c.get("http://127.0.0.1:1/form")     # absolute URL (mail links)
    eq(form_values(r)["_csrf"], "T-withsid")
    c.get("/logout")
    eq(c.cookies, {"flash": "saved"})
    r = c.post("/save", {"a": 1}, follow=True)
    status(r, 200)
    contains(r, "GET /done?x=1")


class _EchoHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self._answer()

    def do_POST(self):
        self._answer()

    def _answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        text = "%s %s from=%s xff=%s cookie=%s body=%s" % (
            self.command, self.path, self.client_address[0],
            self.headers.get("X-Forwarded-For"), self.headers.get("Cookie"),
            body.decode())
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1/landing")
        else:
            self.send_response(200)
        self.send_header("Set-Cookie", "a=1; Path=/; HttpOnly")
        self.send_header("Set-Cookie", "b=2; Path=/; SameSite=Strict")
        self.send_header("Content-Length", str(len(text.encode())))
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *args):
        pass


@test
def http_client_source_address_and_xff():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    old = os.environ.get("HTTP_PORT")
    os.environ["HTTP_PORT"] = str(port)
    try:
        r = http_request("GET", "/x?y=1")
        status(r, 200)
        contains(r, "GET /x?y=1 from=127.0.0.1 xff=None")
        eq(r.headers.get_all("set-cookie"), ["a=1; Path=/; HttpOnly",
                                             "b=2; Path=/; SameSite=Strict"])
        eq(r.cookies.attrs("b").samesite, "Strict")
        r = http_request("GET", "/", source_address=(trusted_proxy(), 0),
                         forwarded_for="198.51.100.4")
        contains(r, "from=%s xff=198.51.100.4" % trusted_proxy())
        c = Client("http", client_ip="198.51.100.5")
        r = c.get("/redirect")
        redirects(r, "/landing")
        r = c.follow(r)
        contains(r, "GET /landing from=%s xff=198.51.100.5 cookie=a=1; b=2"
                 % trusted_proxy())
        r = c.post("/form", [("k", "v w")])
        contains(r, "POST /form ")
        contains(r, "body=k=v+w")
    finally:
        server.shutdown()
        server.server_close()
        if old is None:
            os.environ.pop("HTTP_PORT", None)
        else:
            os.environ["HTTP_PORT"] = old


# --------------------------------------------------------------------------
# Assertions and runner helpers
# --------------------------------------------------------------------------

def _message(fn, *args):
    try:
        fn(*args)
    except AssertionError as exc:
        return str(exc)
    raise AssertionError("%s%r did not fail" % (fn.__name__, args))


@test
def assertion_messages():
    contains(_message(eq, 1, 2, "count"), "count: expected 2, got 1")
    contains(_message(contains, "abc", "z"), "'z' not found in: abc")
    contains(_message(not_contains, "abc", "b"), "unexpectedly found")
    r = Response(500, [("Content-Type", "text/plain")], b"E" * 2000)
    m = _message(status, r, 200)
    contains(m, "expected status 200, got 500")
    ok(len(m) < 700, "body excerpt is capped")
    status(r, (500, 502))
    eq(wait_until(lambda: 42, 1), 42)
    contains(_message(wait_until, lambda: False, 0.2, 0.05), "within 0.2s")
    a, b = unique_email("t"), unique_email("t")
    ne(a, b)
    matches(a, r"^t\.\d+\.\d+\.\d+@example\.test$")


# --------------------------------------------------------------------------
# SMTP sink
# --------------------------------------------------------------------------

class Sink:
    def __init__(self, *extra, name="var"):
        self.var = os.path.join(TMP, name)
        self.dir = os.path.join(self.var, "mail")
        self.log = os.path.join(self.var, "log", "smtp.log")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(REPO, "scripts",
                                              "smtp-sink.py"),
             "--host", "127.0.0.1", "--port", "0", "--dir", self.dir,
             "--log", self.log] + list(extra),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def started():
            if self.proc.poll() is not None:
                raise RuntimeError("smtp-sink exited: %s" %
                                   self.proc.stderr.read().decode())
            try:
                with open(self.log) as fh:
                    m = re.search(r"listening on 127\.0\.0\.1:(\d+)",
                                  fh.read())
            except FileNotFoundError:
                return None
            return m and int(m.group(1))
        self.port = wait_until(started, 15, 0.1, "smtp-sink startup")

    def send(self, msg, to):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
            return s.send_message(msg, to_addrs=to)

    def stop(self):
        self.proc.terminate()
        try:
            return self.proc.wait(10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def _msg(to, subject, msgid=None, body="Bonjour"):
    m = EmailMessage()
    m["From"] = "Civitas <noreply@civitas.example.test>"
    m["To"] = to
    m["Subject"] = subject
    if msgid:
        m["Message-ID"] = msgid
    m.set_content(body)
    m.add_alternative('<p>%s <a href="http://127.0.0.1:8080/confirm?t=abc'
                      '&amp;u=1">ici</a></p>' % body, subtype="html")
    return m


@test(name="smtp_sink_round_trip", slow=True)
def smtp_sink_round_trip():
    sink = Sink()
    old_var = os.environ.get("CIVITAS_VAR")
    os.environ["CIVITAS_VAR"] = sink.var
    try:
        to1, to2 = unique_email("a"), unique_email("b")
        first = _msg(to1, "Confirmez votre adhésion", "<m1.123@civitas.test>",
                     "Cliquez : http://127.0.0.1:8080/confirm?t=abc&u=1.")
        sink.send(first, [to1, "cc@example.test"])
        sink.send(first, [to1])                       # same Message-ID
        sink.send(_msg(to2, "Sans identifiant"), [to2])   # no Message-ID
        utf8 = _msg(to2, "Été ✓", "<m2@civitas.test>", "Ça marche — ✓")
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as s:
            s.send_message(utf8, to_addrs=[to2])
        emls = sorted(n for n in os.listdir(sink.dir) if n.endswith(".eml"))
        eq(len(emls), 3, "files: %s" % emls)
        ok("m1.123@civitas.test.eml" in emls, emls)
        eq([n for n in os.listdir(sink.dir) if n.startswith(".tmp")], [])
        d = deliveries("<m1.123@civitas.test>")
        eq([x.status for x in d], ["stored", "duplicate"])
        eq(d[0].rcpts, [to1, "cc@example.test"])
        eq(len(deliveries()), 4)
        eq(deliveries("m2@civitas.test")[0].message_id, "<m2@civitas.test>")
        eq(deliveries()[2].message_id, "-")
        # library view of the stored mail
        m = wait_mail(to1, "adhésion", timeout=2)
        eq(m["Subject"], "Confirmez votre adhésion")
        eq(m["X-Civitas-Envelope-To"], "%s, cc@example.test" % to1)
        contains(m["Received"], "civitas-smtp-sink")
        eq(links(m), ["http://127.0.0.1:8080/confirm?t=abc&u=1"])
        contains(mail_text(m), "Cliquez")
        ok("\r" not in mail_text(m), "line ends read as \\n")
        contains(mail_html(m), "<a href")
        eq(len(mails(to2)), 2)
        eq(len(mails("cc@example.test")), 1, "envelope recipient matches")
        eq(len(mails()), 3)
        contains(mail_text(mails(to2)[-1]), "Ça marche — ✓")
        try:
            wait_mail("nobody@example.test", timeout=0.3)
        except AssertionError as exc:
            contains(str(exc), "no mail to nobody@example.test")
        # failure injection
        smtp_fail(True)
        try:
            sink.send(_msg(to1, "Retry", "<m3@civitas.test>"), [to1])
        except smtplib.SMTPRecipientsRefused as exc:
            eq(exc.recipients[to1][0], 451)
        else:
            raise AssertionError("no 451 while .fail exists")
        smtp_fail(False)
        sink.send(_msg(to1, "Retry", "<m3@civitas.test>"), [to1])
        eq([x.status for x in deliveries("<m3@civitas.test>")], ["stored"])
        # 451 at DATA when .fail appears after RCPT
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as s:
            s.ehlo()
            ok(s.has_extn("8bitmime") and s.has_extn("smtputf8"),
               "extensions: %s" % s.esmtp_features)
            eq(s.mail("noreply@civitas.test")[0], 250)
            eq(s.rcpt(to1)[0], 250)
            smtp_fail(True)
            code, _ = s.data(b"Message-ID: <m4@x>\r\nSubject: x\r\n\r\nx\r\n")
            eq(code, 451)
            smtp_fail(False)
        eq(deliveries("<m4@x>"), [])
        eq(sink.stop(), 0, "exit status after SIGTERM")
        with open(sink.log) as fh:
            log = fh.read()
        contains(log, "listening on 127.0.0.1:%d" % sink.port)
        contains(log, "stopped")
    finally:
        smtp_fail(False)
        if sink.proc.poll() is None:
            sink.stop()
        if old_var is None:
            os.environ.pop("CIVITAS_VAR", None)
        else:
            os.environ["CIVITAS_VAR"] = old_var


@test
def smtp_sink_file_names():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "smtp_sink", os.path.join(REPO, "scripts", "smtp-sink.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    eq(mod.file_stem("<abc.1@x.test>"), "abc.1@x.test")
    a = mod.file_stem("<a b/c@x>")
    b = mod.file_stem("<a_b_c@x>")
    ok(a.startswith("a_b_c@x-") and a != b, (a, b))
    ok(len(mod.file_stem("<%s@x>" % ("z" * 500))) <= 140, "capped")
    ok(not mod.file_stem("<.fail>").startswith("."), "no hidden names")
    eq(mod.find_message_id(b"Subject: x\r\nMessage-Id:\r\n <id@y>\r\n\r\n"
                           b"Message-ID: <body@z>\r\n"), "<id@y>")
    eq(mod.find_message_id(b"Subject: x\n\nMessage-ID: <no@z>\n"), None)


class _Var:
    """CIVITAS_VAR pointed at a sink's directory for the test's length."""

    def __init__(self, sink):
        self.sink = sink

    def __enter__(self):
        self.old = os.environ.get("CIVITAS_VAR")
        os.environ["CIVITAS_VAR"] = self.sink.var
        return self.sink

    def __exit__(self, *exc):
        if self.sink.proc.poll() is None:
            self.sink.stop()
        if self.old is None:
            os.environ.pop("CIVITAS_VAR", None)
        else:
            os.environ["CIVITAS_VAR"] = self.old


def _replies(sock, n):
    """The next n SMTP replies (a multi-line reply counts once) as
    (code, last line) pairs."""
    out, buf = [], b""
    sock.settimeout(10)
    while len(out) < n:
        while b"\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise AssertionError("connection closed after %s" % out)
            buf += chunk
        line, buf = buf.split(b"\r\n", 1)
        text = line.decode()
        if text[3:4] == " ":
            out.append((int(text[:3]), text))
    ok(buf == b"", "no reply beyond the %d expected: %r" % (n, buf))
    return out


@test(slow=True)
def smtp_sink_campaigns_and_pipelining():
    with _Var(Sink(name="var-campaigns")) as sink:
        verp = "bounces+1.2.abcdefghijklmnopqrstuv@civitas.test"
        to1, to2 = unique_email("c1"), unique_email("c2")
        with socket.create_connection(("127.0.0.1", sink.port), 10) as s:
            eq(_replies(s, 1)[0][0], 220)
            s.sendall(b"EHLO pipe.test\r\n")
            ehlo = b""
            while not re.search(rb"^250 ", ehlo, re.M):
                ehlo += s.recv(65536)
            contains(ehlo.decode(), "250-PIPELINING")
            # MAIL, RCPT, DATA in one packet (RFC 2920)
            s.sendall(("MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n" % (
                verp, to1)).encode())
            eq([c for c, _ in _replies(s, 3)], [250, 250, 354])
            # the message, its dot and the next transaction in one packet
            s.sendall(("Message-ID: <camp.1@civitas.test>\r\nTo: %s\r\n"
                       "Subject: Campagne\r\n\r\nBonjour\r\n.\r\n"
                       "MAIL FROM:<noreply@civitas.test>\r\n"
                       "RCPT TO:<%s>\r\nDATA\r\n" % (to1, to2)).encode())
            eq([c for c, _ in _replies(s, 4)], [250, 250, 250, 354])
            s.sendall(b"Message-ID: <tx.1@civitas.test>\r\nSubject: T\r\n"
                      b"\r\nx\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n")
            eq([c for c, _ in _replies(s, 4)], [250, 250, 250, 221])
        # the same campaign mail again: one file, two transmissions
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as c:
            c.sendmail(verp, [to1], b"Message-ID: <camp.1@civitas.test>\r\n"
                       b"Subject: Campagne\r\n\r\nBonjour\r\n")
        ok(os.path.exists(os.path.join(sink.dir, "campaigns",
                                       "camp.1@civitas.test.eml")))
        ok(not os.path.exists(os.path.join(sink.dir,
                                           "camp.1@civitas.test.eml")))
        eq([m["Subject"] for m in campaign_mails(to1)], ["Campagne"])
        eq(campaign_mails(to2), [])
        eq(campaign_mails(to1)[0]["X-Civitas-Envelope-From"], verp)
        eq([m["Message-ID"] for m in mails()], ["<tx.1@civitas.test>"])
        eq([d.status for d in campaign_deliveries()],
           ["stored", "duplicate"])
        eq(campaign_deliveries("camp.1@civitas.test")[0].rcpts, [to1])
        eq([d.message_id for d in deliveries()], [
            "<camp.1@civitas.test>", "<tx.1@civitas.test>",
            "<camp.1@civitas.test>"])
        eq(campaign_deliveries("<tx.1@civitas.test>"), [])


# A stand-in for `civitas-fcgi inbound`: keeps what it was given under
# DIR/<recipient> and exits 75 for "tempfail" tokens, 3 for "broken".
FAKE_INBOUND = r"""
import os, sys
rcpt = sys.argv[2]
with open(os.path.join(sys.argv[1], rcpt), "ab") as fh:
    fh.write(sys.stdin.buffer.read())
print("fake inbound for", rcpt)
sys.exit(75 if "+tempfail@" in rcpt else 3 if "+broken@" in rcpt else 0)
"""


@test(slow=True)
def smtp_sink_inbound_command():
    got = os.path.join(TMP, "inbound")
    os.makedirs(got, exist_ok=True)
    fake = os.path.join(TMP, "fake_inbound.py")
    with open(fake, "w") as fh:
        fh.write(FAKE_INBOUND)
    cmd = "/usr/bin/python3 %s %s" % (fake, got)
    with _Var(Sink("--inbound-command", cmd, name="var-inbound")) as sink:
        dsn = b"Subject: Undelivered\r\n\r\nreport\r\n"
        bounce = "bounces+1.2.sig@civitas.test"
        unsub = "unsubscribe+3.4.sig@civitas.test"
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as c:
            eq(c.sendmail("", [bounce], dsn), {})
            eq(c.sendmail("x@example.test", [unsub, "keep@example.test"],
                          b"Message-ID: <kept@x>\r\n\r\nplease\r\n"), {})
            for local, code in (("tempfail", 451), ("broken", 554)):
                try:
                    c.sendmail("", ["bounces+%s@civitas.test" % local], dsn)
                except smtplib.SMTPDataError as exc:
                    eq(exc.smtp_code, code, local)
                else:
                    raise AssertionError("%s accepted" % local)
        with open(os.path.join(got, bounce), "rb") as fh:
            eq(fh.read(), dsn, "the message as received, on stdin")
        with open(os.path.join(got, unsub), "rb") as fh:
            contains(fh.read().decode(), "please")
        eq(sorted(os.listdir(sink.dir)),
           ["campaigns", "deliveries.log", "kept@x.eml"])
        eq(mails("keep@example.test")[0]["X-Civitas-Envelope-To"],
           "keep@example.test")
        eq([d.message_id for d in deliveries()], ["<kept@x>"])
        with open(sink.log) as fh:
            log = fh.read()
        contains(log, "INBOUND to=%s exit=0" % bounce)
        contains(log, "fake inbound for %s" % bounce)
        contains(log, "exit=75")


if __name__ == "__main__":
    try:
        code = run([sys.modules[__name__]])
    finally:
        if _app is not None:
            _app.sock.close()
        shutil.rmtree(TMP, ignore_errors=True)
    sys.exit(code)
