# SPDX-License-Identifier: MIT
"""civitas functional test library (stdlib only).

Talks to the real stack:
  * FastCGI directly on $CIVITAS_VAR/run/fcgi.sock   (fcgi_request)
  * HTTP through nginx on 127.0.0.1:$HTTP_PORT        (http_request)
  * a cookie-keeping Client over either transport
  * mail stored by scripts/smtp-sink.py in $CIVITAS_VAR/mail
  * PostgreSQL ($DATABASE_URL) and Redis ($CIVITAS_VAR/run/redis.sock)
plus HTML helpers, assertion helpers and a tiny test runner.

Environment: CIVITAS_VAR (default: <repo>/var), HTTP_PORT (default: port of
BASE_URL, else 8080), TRUSTED_PROXY (default 127.0.0.2), BASE_URL (default
http://127.0.0.1:$HTTP_PORT), DATABASE_URL, TEST_FILTER, TEST_SKIP_SLOW,
TEST_TIMEOUT (seconds per test, default 300, 0 = none).

Test modules do `from civitas import *`.
"""

import email
import email.parser
import email.policy
import html
import html.parser
import http.client
import importlib
import io
import json as _json
import os
import re
import secrets
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time
import traceback
import urllib.parse
from collections import namedtuple
from email.utils import getaddresses, parsedate_to_datetime

__all__ = [
    # settings
    "var_dir", "run_dir", "mail_dir", "log_dir", "http_port", "base_url",
    "trusted_proxy", "fcgi_socket_path",
    # FastCGI
    "FCGI_BEGIN_REQUEST", "FCGI_ABORT_REQUEST", "FCGI_END_REQUEST",
    "FCGI_PARAMS", "FCGI_STDIN", "FCGI_STDOUT", "FCGI_STDERR", "FCGI_DATA",
    "FCGI_GET_VALUES", "FCGI_GET_VALUES_RESULT", "FCGI_UNKNOWN_TYPE",
    "FCGI_RESPONDER", "FcgiRecord", "FcgiResult", "fcgi_record",
    "fcgi_begin_request", "fcgi_encode_length", "fcgi_encode_pairs",
    "fcgi_decode_pairs", "fcgi_parse_records", "fcgi_read_records",
    "fcgi_stream", "fcgi_response", "FCGI_KEEP_CONN",
    "fcgi_build_request", "fcgi_params", "fcgi_exchange", "fcgi_request",
    # HTTP / responses / sessions
    "http_request", "parse_cgi_response", "parse_set_cookie", "Headers",
    "SetCookie", "CookieDict", "Response", "Client",
    "urlencode", "encode_multipart",
    # HTML
    "Form", "forms", "find_form", "field_errors", "form_errors",
    "form_values", "select_options", "html_text", "find_text", "unescape",
    "page_links",
    # mail
    "mails", "wait_mail", "links", "mail_text", "mail_html", "deliveries",
    "Delivery", "smtp_fail", "campaign_dir", "campaign_mails",
    "campaign_deliveries",
    # utilities
    "wait_until", "unique_email", "psql", "psql_value", "redis_cli",
    # runner and assertions
    "test", "run", "eq", "ne", "ok", "contains", "not_contains", "status",
    "redirects", "matches",
]

_HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(_HERE))


# --------------------------------------------------------------------------
# Settings (read lazily so a test can change the environment)
# --------------------------------------------------------------------------

def var_dir():
    return os.environ.get("CIVITAS_VAR") or os.path.join(REPO_ROOT, "var")


def run_dir():
    return os.path.join(var_dir(), "run")


def mail_dir():
    return os.path.join(var_dir(), "mail")


def log_dir():
    return os.path.join(var_dir(), "log")


def fcgi_socket_path():
    return os.path.join(run_dir(), "fcgi.sock")


def http_port():
    port = os.environ.get("HTTP_PORT")
    if port:
        return int(port)
    base = os.environ.get("BASE_URL")
    if base:
        parsed = urllib.parse.urlsplit(base)
        if parsed.port:
            return parsed.port
        return 443 if parsed.scheme == "https" else 80
    return 8080


def base_url():
    return (os.environ.get("BASE_URL")
            or "http://127.0.0.1:%d" % http_port()).rstrip("/")


def trusted_proxy():
    return os.environ.get("TRUSTED_PROXY") or "127.0.0.2"


# --------------------------------------------------------------------------
# FastCGI 1.0 protocol
# --------------------------------------------------------------------------

FCGI_VERSION_1 = 1
FCGI_BEGIN_REQUEST = 1
FCGI_ABORT_REQUEST = 2
FCGI_END_REQUEST = 3
FCGI_PARAMS = 4
FCGI_STDIN = 5
FCGI_STDOUT = 6
FCGI_STDERR = 7
FCGI_DATA = 8
FCGI_GET_VALUES = 9
FCGI_GET_VALUES_RESULT = 10
FCGI_UNKNOWN_TYPE = 11
FCGI_RESPONDER = 1
FCGI_KEEP_CONN = 1
FCGI_MAX_CONTENT = 65535

_HEADER = struct.Struct("!BBHHBB")   # version type id length padding reserved

FcgiRecord = namedtuple(
    "FcgiRecord", "version type request_id content padding_length")


class FcgiResult:
    """Outcome of a raw FastCGI exchange.

    stdout/stderr: concatenated FCGI_STDOUT / FCGI_STDERR contents (bytes);
    records: every FcgiRecord received; app_status/protocol_status from
    FCGI_END_REQUEST (None when it never came); ended: END_REQUEST seen;
    closed: the peer closed the connection; timed_out: we gave up waiting;
    send_error: exception raised while sending (e.g. peer closed early);
    trailing: bytes received that did not form a complete record.
    """

    def __init__(self):
        self.stdout = b""
        self.stderr = b""
        self.records = []
        self.app_status = None
        self.protocol_status = None
        self.ended = False
        self.closed = False
        self.timed_out = False
        self.send_error = None
        self.trailing = b""

    def __repr__(self):
        return ("<FcgiResult ended=%s app_status=%s closed=%s timed_out=%s "
                "stdout=%d bytes stderr=%r>" % (
                    self.ended, self.app_status, self.closed, self.timed_out,
                    len(self.stdout), self.stderr[:200]))


def fcgi_record(rtype, request_id, content=b"", padding=None, version=1,
                declared_length=None):
    """Encode one record.  padding=None pads the content to a multiple of 8.

    declared_length lets a test lie about the content length (malformed
    records); with it the 65535-byte limit is not checked.
    """
    content = bytes(content)
    if declared_length is None:
        if len(content) > FCGI_MAX_CONTENT:
            raise ValueError("FastCGI record content > 65535 bytes")
        declared_length = len(content)
    if padding is None:
        padding = (-len(content)) % 8
    return (_HEADER.pack(version, rtype, request_id, declared_length,
                         padding, 0) + content + b"\0" * padding)


def fcgi_begin_request(request_id=1, role=FCGI_RESPONDER, flags=0):
    body = struct.pack("!HB5x", role, flags)
    return fcgi_record(FCGI_BEGIN_REQUEST, request_id, body)


def fcgi_encode_length(n):
    """1 byte for lengths < 128, else 4 bytes with the high bit set."""
    if n < 0 or n > 0x7FFFFFFF:
        raise ValueError("FastCGI name/value length out of range: %d" % n)
    if n < 128:
        return bytes([n])
    return struct.pack("!I", n | 0x80000000)


def _to_bytes(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray):
        return bytes(value)
    return str(value).encode("utf-8", "surrogateescape")


def fcgi_encode_pairs(pairs):
    """Encode name-value pairs (dict or list of pairs, str or bytes)."""
    if isinstance(pairs, dict):
        pairs = pairs.items()
    out = bytearray()
    for name, value in pairs:
        name, value = _to_bytes(name), _to_bytes(value)
        out += fcgi_encode_length(len(name))
        out += fcgi_encode_length(len(value))
        out += name + value
    return bytes(out)


def fcgi_decode_pairs(data):
    """Decode name-value pairs to a list of (name bytes, value bytes)."""
    pairs = []
    pos = 0
    data = bytes(data)

    def length():
        nonlocal pos
        if pos >= len(data):
            raise ValueError("truncated name-value length")
        if data[pos] < 128:
            pos += 1
            return data[pos - 1]
        if pos + 4 > len(data):
            raise ValueError("truncated 4-byte name-value length")
        n = struct.unpack_from("!I", data, pos)[0] & 0x7FFFFFFF
        pos += 4
        return n

    while pos < len(data):
        nlen = length()
        vlen = length()
        if pos + nlen + vlen > len(data):
            raise ValueError("truncated name-value pair")
        name = data[pos:pos + nlen]
        value = data[pos + nlen:pos + nlen + vlen]
        pos += nlen + vlen
        pairs.append((name, value))
    return pairs


def fcgi_parse_records(data):
    """Split bytes into complete records: returns (records, rest)."""
    records = []
    pos = 0
    data = bytes(data)
    while len(data) - pos >= 8:
        version, rtype, rid, clen, plen, _ = _HEADER.unpack_from(data, pos)
        end = pos + 8 + clen + plen
        if end > len(data):
            break
        records.append(FcgiRecord(version, rtype, rid,
                                  data[pos + 8:pos + 8 + clen], plen))
        pos = end
    return records, data[pos:]


def fcgi_stream(rtype, request_id, data, chunk=FCGI_MAX_CONTENT):
    """A stream (PARAMS, STDIN, ...) in <= chunk byte records + empty one."""
    out = bytearray()
    for i in range(0, len(data), chunk):
        out += fcgi_record(rtype, request_id, data[i:i + chunk])
    out += fcgi_record(rtype, request_id, b"")
    return bytes(out)


def fcgi_read_records(sock, until_end=True):
    """Read from an open FastCGI connection: until an END_REQUEST record
    (until_end) or the peer's close (a reset counts as a close). Returns
    (records, closed)."""
    buf, closed = b"", False
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            closed = True
            break
        buf += chunk
        if until_end:
            records, _ = fcgi_parse_records(buf)
            if any(r.type == FCGI_END_REQUEST for r in records):
                break
    records, _ = fcgi_parse_records(buf)
    return records, closed


def fcgi_response(records):
    """The Response of one request's records (its STDOUT parsed), or None
    when they hold no END_REQUEST (the worker answered nothing)."""
    if not any(r.type == FCGI_END_REQUEST for r in records):
        return None
    return parse_cgi_response(b"".join(r.content for r in records
                                       if r.type == FCGI_STDOUT))


def fcgi_build_request(params, body=b"", request_id=1, flags=0):
    """BEGIN_REQUEST + PARAMS stream + STDIN stream, as bytes."""
    return (fcgi_begin_request(request_id, FCGI_RESPONDER, flags)
            + fcgi_stream(FCGI_PARAMS, request_id, fcgi_encode_pairs(params))
            + fcgi_stream(FCGI_STDIN, request_id, bytes(body)))


def _header_param_name(name):
    return "HTTP_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def _header_items(headers):
    if headers is None:
        return []
    if isinstance(headers, (Headers, dict)):
        return list(headers.items())
    return list(headers)


def fcgi_params(method, path_with_query, headers=None, body=b"",
                remote_addr="127.0.0.1", params=None):
    """The CGI parameters nginx would send (as an ordered dict)."""
    path, _, query = path_with_query.partition("?")
    hdrs = _header_items(headers)
    names = {n.lower() for n, _ in hdrs}
    if "host" not in names:
        hdrs.insert(0, ("Host", "127.0.0.1:%d" % http_port()))
    p = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_SOFTWARE": "civitas-test",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_ADDR": "127.0.0.1",
        "SERVER_PORT": str(http_port()),
        "REQUEST_SCHEME": "http",
        "REQUEST_METHOD": method.upper(),
        "REQUEST_URI": path_with_query,
        "SCRIPT_NAME": "",
        # nginx's $uri/$document_uri are percent-decoded
        "DOCUMENT_URI": urllib.parse.unquote(path, errors="surrogateescape"),
        "PATH_INFO": urllib.parse.unquote(path, errors="surrogateescape"),
        "QUERY_STRING": query,
        "REMOTE_ADDR": remote_addr,
        "REMOTE_PORT": str(40000 + secrets.randbelow(20000)),
    }
    ctype = None
    for name, value in hdrs:
        if name.lower() == "content-type" and ctype is None:
            ctype = value
    if ctype is not None:
        p["CONTENT_TYPE"] = ctype
    if body or method.upper() in ("POST", "PUT", "PATCH"):
        p["CONTENT_LENGTH"] = str(len(body))
    for name, value in hdrs:
        key = _header_param_name(name)
        if key in p:               # repeated header: join like nginx
            sep = "; " if key == "HTTP_COOKIE" else ", "
            p[key] = p[key] + sep + str(value)
        else:
            p[key] = str(value)
    for key, value in (params or {}).items():
        if value is None:
            p.pop(key, None)
        else:
            p[key] = value
    return p


def fcgi_exchange(data, socket_path=None, timeout=30, shutdown_write=False,
                  request_id=None):
    """Send raw bytes on a new connection, collect the answer.

    Sending and receiving are interleaved, so a server answering before it
    has read everything does not deadlock us.  Returns an FcgiResult; never
    raises for protocol problems, only for connection errors (socket
    missing, connection refused).
    """
    socket_path = socket_path or fcgi_socket_path()
    res = FcgiResult()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(socket_path)
    except OSError as exc:
        sock.close()
        raise ConnectionError("cannot connect to FastCGI socket %s: %s"
                              % (socket_path, exc)) from exc
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    out = memoryview(bytes(data))
    sent = 0
    buf = b""
    deadline = time.monotonic() + timeout
    events = selectors.EVENT_READ | (selectors.EVENT_WRITE if out else 0)
    sel.register(sock, events)
    if not out and shutdown_write:
        sock.shutdown(socket.SHUT_WR)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                res.timed_out = True
                break
            ready = sel.select(left)
            if not ready:
                continue
            mask = ready[0][1]
            if mask & selectors.EVENT_WRITE and sent < len(out):
                try:
                    sent += sock.send(out[sent:sent + 262144])
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError as exc:   # EPIPE, ECONNRESET...
                    res.send_error = exc
                    sent = len(out)
                if sent >= len(out):
                    sel.modify(sock, selectors.EVENT_READ)
                    if shutdown_write and res.send_error is None:
                        try:
                            sock.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
            if mask & selectors.EVENT_READ:
                try:
                    chunk = sock.recv(262144)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    res.closed = True
                    break
                buf += chunk
                records, buf = fcgi_parse_records(buf)
                for rec in records:
                    res.records.append(rec)
                    if request_id is not None and rec.request_id != request_id:
                        continue
                    if rec.type == FCGI_STDOUT:
                        res.stdout += rec.content
                    elif rec.type == FCGI_STDERR:
                        res.stderr += rec.content
                    elif rec.type == FCGI_END_REQUEST:
                        res.ended = True
                        if len(rec.content) >= 5:
                            res.app_status, res.protocol_status = \
                                struct.unpack_from("!IB", rec.content)
                if res.ended:
                    break
    finally:
        res.trailing = buf
        sel.close()
        sock.close()
    return res


def fcgi_request(method, path_with_query, headers=None, body=b"",
                 socket_path=None, remote_addr="127.0.0.1", timeout=30,
                 raw=False, params=None, request_id=1):
    """One request through the FastCGI socket.

    params: extra/overriding CGI params (value None removes one), e.g.
    {"CONTENT_LENGTH": "3"} with a longer body.  raw=True returns the
    FcgiResult (undecoded stdout) instead of a parsed Response.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    p = fcgi_params(method, path_with_query, headers, body, remote_addr,
                    params)
    data = fcgi_build_request(p, body, request_id)
    started = time.monotonic()
    res = fcgi_exchange(data, socket_path, timeout, request_id=request_id)
    if raw:
        return res
    if res.timed_out:
        raise TimeoutError("FastCGI %s %s: no END_REQUEST after %ss "
                           "(stdout so far: %r)" % (method, path_with_query,
                                                    timeout, res.stdout[:300]))
    if not res.ended:
        raise ConnectionError(
            "FastCGI %s %s: connection closed without END_REQUEST "
            "(stdout: %r, stderr: %r)" % (method, path_with_query,
                                          res.stdout[:300], res.stderr[:300]))
    resp = parse_cgi_response(res.stdout)
    resp.stderr = res.stderr
    resp.app_status = res.app_status
    resp.transport = "fcgi"
    resp.elapsed = time.monotonic() - started
    resp.request = (method.upper(), path_with_query, _header_items(headers),
                    body)
    return resp


# --------------------------------------------------------------------------
# Headers, cookies, responses
# --------------------------------------------------------------------------

class Headers:
    """Ordered multi-valued headers with case-insensitive lookup."""

    def __init__(self, items=()):
        self._items = [(str(k), str(v)) for k, v in items]

    def get(self, name, default=None):
        lname = name.lower()
        for k, v in self._items:
            if k.lower() == lname:
                return v
        return default

    def get_all(self, name):
        lname = name.lower()
        return [v for k, v in self._items if k.lower() == lname]

    def __getitem__(self, name):
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name):
        return self.get(name) is not None

    def add(self, name, value):
        self._items.append((str(name), str(value)))

    def items(self):
        return list(self._items)

    def keys(self):
        return [k for k, _ in self._items]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self._items)

    def __repr__(self):
        return "Headers(%r)" % (self._items,)


class SetCookie:
    """One parsed Set-Cookie header.

    name, value, raw (the header), attrs (dict, lower-case keys; flags map
    to True), and shortcuts httponly, secure, samesite, max_age (int or
    None), expires (str or None), path, domain.
    """

    def __init__(self, name, value, attrs, raw):
        self.name = name
        self.value = value
        self.attrs = attrs
        self.raw = raw

    httponly = property(lambda self: bool(self.attrs.get("httponly")))
    secure = property(lambda self: bool(self.attrs.get("secure")))
    samesite = property(lambda self: self.attrs.get("samesite"))
    expires = property(lambda self: self.attrs.get("expires"))
    path = property(lambda self: self.attrs.get("path"))
    domain = property(lambda self: self.attrs.get("domain"))

    @property
    def max_age(self):
        value = self.attrs.get("max-age")
        if value is None or value is True:
            return None
        try:
            return int(value)
        except ValueError:
            return None

    def is_deletion(self, now=None):
        """True when the cookie asks the browser to delete it."""
        max_age = self.max_age
        if max_age is not None:
            return max_age <= 0
        if self.expires:
            try:
                when = parsedate_to_datetime(self.expires).timestamp()
            except (TypeError, ValueError, IndexError):
                return False
            return when <= (now or time.time())
        return False

    def expiry(self, now=None):
        """Absolute expiry time (unix) or None for a session cookie."""
        now = now or time.time()
        if self.max_age is not None:
            return now + self.max_age
        if self.expires:
            try:
                return parsedate_to_datetime(self.expires).timestamp()
            except (TypeError, ValueError, IndexError):
                return None
        return None

    def __repr__(self):
        return "SetCookie(%r)" % self.raw


def parse_set_cookie(header):
    """Parse one Set-Cookie header value into a SetCookie."""
    parts = header.split(";")
    name, _, value = parts[0].partition("=")
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    attrs = {}
    for part in parts[1:]:
        if not part.strip():
            continue
        key, sep, val = part.partition("=")
        attrs[key.strip().lower()] = val.strip() if sep else True
    return SetCookie(name.strip(), value, attrs, header)


class CookieDict(dict):
    """{name: value} of the Set-Cookie headers of a response.

    .attrs(name) -> SetCookie (the last one for that name) with HttpOnly,
    SameSite, Secure, Max-Age...; .all is the list of every SetCookie;
    .raw is the list of Set-Cookie header strings.
    """

    def __init__(self, set_cookies):
        super().__init__()
        self.all = list(set_cookies)
        self.raw = [c.raw for c in self.all]
        for c in self.all:
            self[c.name] = c.value

    def attrs(self, name):
        for c in reversed(self.all):
            if c.name == name:
                return c
        raise KeyError("no Set-Cookie for %r (got: %s)" % (
            name, ", ".join(self.raw) or "none"))


class Response:
    """status (int), reason, headers (Headers), body (bytes), text, json(),
    cookies (CookieDict), location; stderr (FastCGI only), transport,
    request (method, path, headers, body), elapsed."""

    def __init__(self, status, headers, body, reason=""):
        self.status = status
        self.reason = reason
        self.headers = headers if isinstance(headers, Headers) \
            else Headers(headers)
        self.body = body
        self.stderr = b""
        self.app_status = None
        self.transport = None
        self.request = None
        self.elapsed = None
        self._cookies = None

    @property
    def text(self):
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise AssertionError("response body is not valid UTF-8: %s "
                                 "(first bytes: %r)" % (exc, self.body[:200]))

    def json(self):
        try:
            return _json.loads(self.body)
        except ValueError as exc:
            raise AssertionError("response body is not JSON (%s): %r" % (
                exc, self.body[:500]))

    @property
    def cookies(self):
        if self._cookies is None:
            self._cookies = CookieDict(
                parse_set_cookie(h) for h in self.headers.get_all("Set-Cookie"))
        return self._cookies

    @property
    def location(self):
        return self.headers.get("Location")

    @property
    def content_type(self):
        return self.headers.get("Content-Type", "")

    def __repr__(self):
        return "<Response %s %s %d bytes%s>" % (
            self.status, self.reason, len(self.body),
            " -> %s" % self.location if self.location else "")


def parse_cgi_response(stdout):
    """Parse a CGI response (Status:, headers, body) into a Response.

    Without Status: 200, or 302 when there is a Location (as nginx does).
    Header lines end in CRLF or LF.  Raises ValueError when the header
    block is missing or malformed.
    """
    stdout = bytes(stdout)
    m = re.search(rb"\r?\n\r?\n", stdout)
    if not m:
        raise ValueError("CGI response without end of headers: %r"
                         % stdout[:300])
    head, body = stdout[:m.start()], stdout[m.end():]
    items = []
    status, reason = None, ""
    for line in re.split(rb"\r?\n", head):
        if not line:
            continue
        if line[:1] in (b" ", b"\t") and items:
            name, value = items[-1]
            items[-1] = (name, value + " " + line.strip().decode("latin-1"))
            continue
        name, sep, value = line.partition(b":")
        if not sep or not name.strip():
            raise ValueError("malformed CGI header line: %r" % line)
        name = name.strip().decode("latin-1")
        value = value.strip().decode("utf-8", "replace")
        if name.lower() == "status":
            code, _, reason = value.partition(" ")
            try:
                status = int(code)
            except ValueError:
                raise ValueError("bad CGI Status header: %r" % value)
            continue
        items.append((name, value))
    headers = Headers(items)
    if status is None:
        status = 302 if "Location" in headers else 200
    return Response(status, headers, body, reason)


def http_request(method, path_with_query, headers=None, body=b"", port=None,
                 host="127.0.0.1", source_address=None, forwarded_for=None,
                 timeout=30):
    """One request to nginx with http.client; never follows redirects.

    source_address=(ip, 0) binds the client side (e.g. TRUSTED_PROXY);
    forwarded_for adds an X-Forwarded-For header.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    hdrs = _header_items(headers)
    if forwarded_for is not None:
        hdrs.append(("X-Forwarded-For", forwarded_for))
    conn = http.client.HTTPConnection(host, port or http_port(),
                                      timeout=timeout,
                                      source_address=source_address)
    started = time.monotonic()
    try:
        conn.putrequest(method.upper(), path_with_query,
                        skip_host=any(n.lower() == "host" for n, _ in hdrs),
                        skip_accept_encoding=True)
        for name, value in hdrs:
            conn.putheader(name, value)
        names = {n.lower() for n, _ in hdrs}
        if "content-length" not in names and "transfer-encoding" not in names \
                and (body or method.upper() in ("POST", "PUT", "PATCH")):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body if body else None)
        r = conn.getresponse()
        data = r.read()
        resp = Response(r.status, Headers(r.getheaders()), data, r.reason)
    finally:
        conn.close()
    resp.transport = "http"
    resp.elapsed = time.monotonic() - started
    resp.request = (method.upper(), path_with_query, hdrs, body)
    return resp


def urlencode(fields):
    """application/x-www-form-urlencoded (UTF-8, spaces as '+')."""
    return urllib.parse.urlencode(
        [(k, "" if v is None else str(v)) for k, v in _pairs(fields)])


def _pairs(fields):
    """dict or list of pairs -> list of pairs; a list value expands to
    repeated fields (a tuple value is a file for multipart forms)."""
    if fields is None:
        return []
    items = fields.items() if isinstance(fields, dict) else fields
    out = []
    for k, v in items:
        if isinstance(v, list):
            out.extend((k, x) for x in v)
        else:
            out.append((k, v))
    return out


def _quote_param(value):
    return value.replace("\\", "\\\\").replace('"', "%22") \
        .replace("\r", "%0D").replace("\n", "%0A")


def encode_multipart(fields=None, files=None, boundary=None):
    """multipart/form-data body; returns (body bytes, content type).

    files: {name: (filename, content bytes|str, content_type)} or a list of
    (name, (filename, content, content_type)).
    """
    boundary = boundary or "----civitas" + secrets.token_hex(12)
    out = bytearray()
    for name, value in _pairs(fields):
        out += b"--" + boundary.encode() + b"\r\n"
        out += ('Content-Disposition: form-data; name="%s"\r\n\r\n'
                % _quote_param(str(name))).encode("utf-8")
        out += _to_bytes("" if value is None else value) + b"\r\n"
    file_items = files.items() if isinstance(files, dict) else (files or [])
    for name, spec in file_items:
        filename, content = spec[0], spec[1]
        ctype = spec[2] if len(spec) > 2 else "application/octet-stream"
        out += b"--" + boundary.encode() + b"\r\n"
        out += ('Content-Disposition: form-data; name="%s"; filename="%s"\r\n'
                'Content-Type: %s\r\n\r\n' % (
                    _quote_param(str(name)), _quote_param(str(filename)),
                    ctype)).encode("utf-8")
        out += _to_bytes(content) + b"\r\n"
    out += b"--" + boundary.encode() + b"--\r\n"
    return bytes(out), "multipart/form-data; boundary=" + boundary


_REDIRECTS = (301, 302, 303, 307, 308)


def _shared_address():
    """A random address of 100.64.0.0/10 (shared address space)."""
    n = secrets.randbits(22)
    return "100.%d.%d.%d" % (64 + (n >> 16), (n >> 8) & 255,
                             max(1, n & 255))


class Client:
    """A browser-like session over "fcgi" or "http", with a cookie jar.

    Options: socket_path, remote_addr (fcgi); port, source_address,
    forwarded_for (http); client_ip: act as a distinct client (fcgi:
    REMOTE_ADDR; http: bind TRUSTED_PROXY and send X-Forwarded-For);
    headers: sent with every request; timeout.
    Over fcgi each client has an address of its own by default (a random
    one of 100.64.0.0/10), as distinct browsers do: the workers' limits
    per client address never add up a whole test run.
    Secure cookies are sent over plain HTTP too (tests run without TLS).
    """

    def __init__(self, transport="fcgi", socket_path=None, remote_addr=None,
                 port=None, source_address=None, forwarded_for=None,
                 client_ip=None, headers=None, timeout=30):
        if transport not in ("fcgi", "http"):
            raise ValueError("transport must be 'fcgi' or 'http'")
        self.transport = transport
        self.socket_path = socket_path
        self.remote_addr = remote_addr or client_ip or _shared_address()
        self.port = port
        self.source_address = source_address
        self.forwarded_for = forwarded_for
        if transport == "http" and client_ip:
            self.source_address = source_address or (trusted_proxy(), 0)
            self.forwarded_for = forwarded_for or client_ip
        self.headers = _header_items(headers)
        self.timeout = timeout
        self.jar = {}          # (name, path) -> [value, expires or None]
        self.last = None
        self.last_form = None

    # -- cookies ---------------------------------------------------------
    def _expire(self):
        now = time.time()
        for key in [k for k, (_, exp) in self.jar.items()
                    if exp is not None and exp <= now]:
            del self.jar[key]

    @property
    def cookies(self):
        """{name: value} currently in the jar (most specific path wins)."""
        self._expire()
        out = {}
        for (name, path), (value, _) in sorted(self.jar.items(),
                                               key=lambda kv: len(kv[0][1])):
            out[name] = value
        return out

    def set_cookie(self, name, value, path="/"):
        self.jar[(name, path)] = [value, None]

    def delete_cookie(self, name):
        for key in [k for k in self.jar if k[0] == name]:
            del self.jar[key]

    def clear_cookies(self):
        self.jar.clear()

    def store_cookies(self, resp):
        for c in resp.cookies.all:
            path = c.path if isinstance(c.path, str) and \
                c.path.startswith("/") else "/"
            key = (c.name, path)
            if c.is_deletion():
                self.jar.pop(key, None)
            else:
                self.jar[key] = [c.value, c.expiry()]

    def cookie_header(self, path):
        self._expire()
        path = path.split("?", 1)[0]
        matching = []
        for (name, cpath), (value, _) in self.jar.items():
            if path == cpath or path.startswith(cpath.rstrip("/") + "/") \
                    or cpath == "/":
                matching.append((len(cpath), name, value))
        matching.sort(key=lambda t: -t[0])
        return "; ".join("%s=%s" % (n, v) for _, n, v in matching)

    # -- requests ----------------------------------------------------------
    @staticmethod
    def _path(url):
        if re.match(r"^https?://", url, re.I):
            parts = urllib.parse.urlsplit(url)
            return urllib.parse.urlunsplit(("", "", parts.path or "/",
                                            parts.query, ""))
        return url

    def request(self, method, url, body=b"", headers=None, follow=False):
        path = self._path(url)
        hdrs = list(self.headers) + _header_items(headers)
        cookie = self.cookie_header(path)
        if cookie and not any(n.lower() == "cookie" for n, _ in hdrs):
            hdrs.append(("Cookie", cookie))
        if self.transport == "fcgi":
            resp = fcgi_request(method, path, hdrs, body,
                                socket_path=self.socket_path,
                                remote_addr=self.remote_addr,
                                timeout=self.timeout)
        else:
            resp = http_request(method, path, hdrs, body, port=self.port,
                                source_address=self.source_address,
                                forwarded_for=self.forwarded_for,
                                timeout=self.timeout)
        self.store_cookies(resp)
        self.last = resp
        if follow:
            for _ in range(10):
                if resp.status not in _REDIRECTS or not resp.location:
                    break
                resp = self.follow(resp)
        return resp

    def get(self, url, params=None, headers=None, follow=False):
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        return self.request("GET", url, b"", headers, follow)

    def head(self, url, headers=None):
        return self.request("HEAD", url, b"", headers)

    def post(self, url, fields=None, headers=None, body=None,
             content_type="application/x-www-form-urlencoded", follow=False):
        """POST form fields (dict or list of pairs) or a raw body."""
        if body is None:
            body = urlencode(fields).encode("ascii")
        hdrs = _header_items(headers)
        if content_type and not any(n.lower() == "content-type"
                                    for n, _ in hdrs):
            hdrs.append(("Content-Type", content_type))
        return self.request("POST", url, body, hdrs, follow)

    def post_json(self, url, data, headers=None):
        return self.post(url, headers=headers,
                         body=_json.dumps(data).encode("utf-8"),
                         content_type="application/json")

    def post_multipart(self, url, fields=None, files=None, headers=None,
                       follow=False):
        body, ctype = encode_multipart(fields, files)
        return self.post(url, headers=headers, body=body, content_type=ctype,
                         follow=follow)

    def follow(self, resp):
        """Follow one redirect (GET for 301/302/303, same request for
        307/308)."""
        if resp.status not in _REDIRECTS or not resp.location:
            raise AssertionError("not a redirect: %s %s; body: %s" % (
                resp.status, resp.reason, _excerpt(resp.body)))
        base = resp.request[1] if resp.request else "/"
        target = self._path(urllib.parse.urljoin(
            "http://x" + base.split("?")[0], resp.location))
        if resp.status in (307, 308) and resp.request:
            method, _, hdrs, body = resp.request
            hdrs = [(n, v) for n, v in hdrs if n.lower() == "content-type"]
            return self.request(method, target, body, hdrs)
        return self.request("GET", target)

    def submit(self, url, fields=None, form_selector=None, headers=None,
               follow=False):
        """GET the page, pick a form, merge fields into its values, send it.

        form_selector: None (first method=post form), int (index among all
        forms), "#id", or an action (exact path, or path without query).
        A field given as None is removed from the submission.
        """
        page = self.get(url)
        if page.status != 200:
            raise AssertionError("submit: GET %s gave %s; body: %s" % (
                url, page.status, _excerpt(page.body)))
        form = find_form(page.text, form_selector)
        self.last_form = form
        given = _pairs(fields)
        names = {k for k, _ in given}
        pairs = [(k, v) for k, v in form.submission() if k not in names]
        pairs += [(k, v) for k, v in given if v is not None]
        action = form.action or self._path(url)
        action = self._path(urllib.parse.urljoin(
            "http://x" + self._path(url), action))
        if form.method == "get":
            action = action.split("?")[0]
            return self.get(action, pairs, headers, follow)
        if form.enctype.startswith("multipart/"):
            plain = [(k, v) for k, v in pairs if not isinstance(v, tuple)]
            files = [(k, v) for k, v in pairs if isinstance(v, tuple)]
            return self.post_multipart(action, plain, files, headers, follow)
        return self.post(action, pairs, headers, follow=follow)


# --------------------------------------------------------------------------
# HTML helpers
# --------------------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
         "meta", "param", "source", "track", "wbr"}
# start tags that implicitly close an open <p> (HTML parsing rules)
_CLOSES_P = {"address", "article", "aside", "blockquote", "details", "div",
             "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1",
             "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "menu",
             "nav", "ol", "p", "pre", "section", "table", "ul"}


class Form:
    """A parsed <form>: attrs, action, method, enctype, id, fields.

    fields: list of dicts {tag, type, name, value, checked, disabled,
    multiple, options: [(value, label, selected)]}.
    """

    def __init__(self, attrs):
        self.attrs = attrs
        self.fields = []

    action = property(lambda self: self.attrs.get("action") or "")
    method = property(lambda self: (self.attrs.get("method") or "get")
                      .strip().lower())
    enctype = property(lambda self: (self.attrs.get("enctype") or
                                     "application/x-www-form-urlencoded")
                       .strip().lower())
    id = property(lambda self: self.attrs.get("id"))

    def _select_values(self, f):
        selected = [o[0] for o in f["options"] if o[2]]
        if not selected and not f["multiple"] and f["options"]:
            selected = [f["options"][0][0]]
        return selected if f["multiple"] else selected[:1]

    def submission(self):
        """(name, value) pairs a browser would send (first submit button
        included when it has a name)."""
        out = []
        button_done = False
        for f in self.fields:
            name, ftype = f["name"], f["type"]
            if f["disabled"]:
                continue
            if f["tag"] == "button" or ftype in ("submit", "image",
                                                 "reset", "button"):
                # the first submit button is the one "clicked"
                if ftype in ("submit", "image") and not button_done:
                    button_done = True
                    if name:
                        out.append((name, f["value"] or ""))
                continue
            if not name or ftype in ("reset", "button", "file"):
                continue
            if ftype in ("checkbox", "radio"):
                if f["checked"]:
                    out.append((name, f["value"] if f["value"] is not None
                                else "on"))
            elif f["tag"] == "select":
                out.extend((name, v) for v in self._select_values(f))
            else:
                out.append((name, f["value"] or ""))
        return out

    def values(self):
        """{name: value} (list when several values) of the data fields."""
        out = {}
        for f in self.fields:
            name, ftype = f["name"], f["type"]
            if not name or f["tag"] == "button" or ftype in (
                    "submit", "image", "reset", "button", "file"):
                continue
            if ftype in ("checkbox", "radio"):
                if not f["checked"]:
                    continue
                vals = [f["value"] if f["value"] is not None else "on"]
            elif f["tag"] == "select":
                vals = self._select_values(f)
                if f["multiple"]:
                    out.setdefault(name, [])
                    if not isinstance(out[name], list):
                        out[name] = [out[name]]
                    out[name].extend(vals)
                    continue
            else:
                vals = [f["value"] or ""]
            for v in vals:
                if name in out:
                    if not isinstance(out[name], list):
                        out[name] = [out[name]]
                    out[name].append(v)
                else:
                    out[name] = v
        return out

    def __repr__(self):
        return "<Form method=%s action=%r id=%r fields=%s>" % (
            self.method, self.action, self.id,
            [f["name"] for f in self.fields if f["name"]])


class _Parser(html.parser.HTMLParser):
    """One pass collecting forms, field errors, options, links and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.orphans = Form({})        # fields outside any form
        self.form = None
        self.field = None              # open textarea/select
        self.option = None             # [value attr or None, text, selected]
        self.errors = []               # [key, classes, open?, text parts]
        self.stack = []                # open elements: (tag, error or None)
        self.text = []
        self.skip = 0                  # inside script/style
        self.links = []

    def _fields(self):
        return (self.form or self.orphans).fields

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs, selfclosing=True)

    def handle_starttag(self, tag, attrs, selfclosing=False):
        a = {}
        for k, v in attrs:
            a.setdefault(k.lower(), v if v is not None else "")
        void = tag in _VOID or selfclosing
        if tag in _CLOSES_P and any(t == "p" for t, _ in self.stack):
            self._close("p")
        if tag in ("li", "dt", "dd", "tr", "td", "th"):
            # a new item closes the previous one (inside the same list)
            for i in range(len(self.stack) - 1, -1, -1):
                t = self.stack[i][0]
                if t in ("ul", "ol", "dl", "table", "tbody", "thead"):
                    break
                if t == tag or (tag in ("td", "th") and t in ("td", "th")) \
                        or (tag in ("dt", "dd") and t in ("dt", "dd")):
                    self._close(t)
                    break
        if tag in ("script", "style") and not selfclosing:
            self.skip += 1
        if tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4",
                   "option", "label", "td", "th"):
            self._data_text(" ")
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "form":
            self.form = Form(a)
            self.forms.append(self.form)
        elif tag == "input":
            ftype = (a.get("type") or "text").lower()
            self._fields().append({
                "tag": "input", "type": ftype, "name": a.get("name"),
                "value": a.get("value",
                               None if ftype in ("checkbox", "radio") else ""),
                "checked": "checked" in a, "disabled": "disabled" in a,
                "multiple": "multiple" in a, "options": []})
        elif tag == "button":
            self._fields().append({
                "tag": "button", "type": (a.get("type") or "submit").lower(),
                "name": a.get("name"), "value": a.get("value", ""),
                "checked": False, "disabled": "disabled" in a,
                "multiple": False, "options": []})
        elif tag in ("textarea", "select"):
            self.field = {
                "tag": tag, "type": tag, "name": a.get("name"),
                "value": "", "checked": False, "disabled": "disabled" in a,
                "multiple": "multiple" in a, "options": [], "_text": []}
            self._fields().append(self.field)
            if selfclosing:
                self.field = None
        elif tag == "option":
            self._close_option()
            self.option = [a.get("value"), [], "selected" in a]
        if not void:
            err = None
            classes = (a.get("class") or "").split()
            ident = a.get("id") or ""
            if "field-error" in classes or "form-error" in classes:
                if ident.startswith("error-"):
                    key = ident[len("error-"):]
                else:
                    key = a.get("data-field") or ""
                err = [key, classes, True, []]
                self.errors.append(err)
            self.stack.append((tag, err))

    def _close_option(self):
        if self.option is not None and self.field is not None \
                and self.field["tag"] == "select":
            label = _norm(" ".join(self.option[1]))
            value = self.option[0] if self.option[0] is not None else label
            self.field["options"].append((value, label, self.option[2]))
        self.option = None

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag in ("p", "div", "li", "tr", "td", "th", "label", "option",
                   "h1", "h2", "h3", "h4"):
            self._data_text(" ")
        if tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self.field = None
        elif tag == "textarea" and self.field is not None:
            text = "".join(self.field.pop("_text"))
            if text.startswith("\n"):       # browsers drop one leading LF
                text = text[1:]
            self.field["value"] = text
            self.field = None
        elif tag == "form":
            self.form = None
        self._close(tag)

    def _close(self, tag):
        """Close the innermost open element of that name and everything
        opened inside it (tolerates unclosed <p>, <li>, <span>...)."""
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for _, err in self.stack[i:]:
                    if err is not None:
                        err[2] = False
                del self.stack[i:]
                break

    def _data_text(self, data):
        self.text.append(data)
        for err in self.errors:
            if err[2]:
                err[3].append(data)

    def handle_data(self, data):
        if self.field is not None and self.field["tag"] == "textarea":
            self.field["_text"].append(data)
        if self.option is not None:
            self.option[1].append(data)
        if self.skip:
            return
        self._data_text(data)

    def close(self):
        super().close()
        self._close_option()
        if self.field is not None and "_text" in self.field:
            self.field["value"] = "".join(self.field.pop("_text"))


def _norm(text):
    return re.sub(r"\s+", " ", text).strip()


def _parse(markup):
    if isinstance(markup, Response):
        markup = markup.text
    elif isinstance(markup, bytes):
        markup = markup.decode("utf-8", "replace")
    p = _Parser()
    p.feed(markup)
    p.close()
    return p


def forms(markup):
    """Every <form> of the page as Form objects."""
    return _parse(markup).forms


def find_form(markup, selector=None):
    """Pick a form: None -> first method=post form; int -> index; "#id";
    otherwise the form whose action equals selector (or whose action
    without query string does).  Raises AssertionError when none matches."""
    all_forms = forms(markup)
    found = None
    if selector is None:
        found = next((f for f in all_forms if f.method == "post"), None)
    elif isinstance(selector, int):
        found = all_forms[selector] if -len(all_forms) <= selector \
            < len(all_forms) else None
    elif selector.startswith("#"):
        found = next((f for f in all_forms if f.id == selector[1:]), None)
    else:
        found = next((f for f in all_forms if f.action == selector), None) \
            or next((f for f in all_forms
                     if f.action.split("?")[0] == selector.split("?")[0]),
                    None)
    if found is None:
        raise AssertionError("no form matching %r; forms on the page: %s" % (
            selector, all_forms or "none"))
    return found


def field_errors(markup):
    """{field name: message} from elements class="field-error"
    id="error-<field name>" (element without such id: key from
    data-field, else "")."""
    out = {}
    for key, classes, _, parts in _parse(markup).errors:
        if "field-error" in classes:
            out[key] = _norm("".join(parts))
    return out


def form_errors(markup):
    """Texts of the elements with class="form-error" (errors not tied to
    one field)."""
    return [_norm("".join(parts)) for _, classes, _, parts in
            _parse(markup).errors if "form-error" in classes]


def form_values(markup, form_index=0):
    """{name: current value} of a form's inputs/selects/textareas (checked
    boxes only; list when a name has several values).  form_index may be
    anything find_form accepts; fields outside forms when no form."""
    p = _parse(markup)
    if not p.forms:
        return p.orphans.values()
    if isinstance(form_index, int):
        if not -len(p.forms) <= form_index < len(p.forms):
            raise AssertionError("form_values: no form #%d (%d forms)" % (
                form_index, len(p.forms)))
        return p.forms[form_index].values()
    return find_form(markup, form_index).values()


def select_options(markup, name):
    """[(value, label)] of the <select name=...>."""
    p = _parse(markup)
    for f in [fld for form in p.forms for fld in form.fields] \
            + p.orphans.fields:
        if f["tag"] == "select" and f["name"] == name:
            return [(v, label) for v, label, _ in f["options"]]
    raise AssertionError("no <select name=%r> in the page" % name)


def html_text(markup):
    """Visible text: tags and script/style removed, entities decoded,
    whitespace collapsed."""
    return _norm("".join(_parse(markup).text))


def find_text(markup, text):
    """True when text (whitespace-normalised) is in the visible text."""
    return _norm(text) in html_text(markup)


def page_links(markup):
    """href of every <a> (entities decoded)."""
    return _parse(markup).links


unescape = html.unescape


# --------------------------------------------------------------------------
# Mail
# --------------------------------------------------------------------------

def _addresses(msg):
    found = set()
    for header in ("To", "Cc", "X-Civitas-Envelope-To"):
        for value in msg.get_all(header) or []:
            for _, addr in getaddresses([str(value)]):
                if addr:
                    found.add(addr.lower())
    return found


def campaign_dir():
    """Where the SMTP sink keeps campaign mail (envelope sender
    bounces+...): $CIVITAS_VAR/mail/campaigns."""
    return os.path.join(mail_dir(), "campaigns")


def mails(to=None):
    """Messages in $CIVITAS_VAR/mail/*.eml (email.message.EmailMessage,
    with .path and .mtime), oldest first, optionally only those for `to`.
    Campaign mail is not among them: see campaign_mails()."""
    return _mails_in(mail_dir(), to)


def campaign_mails(to=None):
    """The same as mails() for campaign mail ($CIVITAS_VAR/mail/campaigns,
    where the sink stores mail whose envelope sender is bounces+...)."""
    return _mails_in(campaign_dir(), to)


def _mails_in(directory, to):
    try:
        names = [n for n in os.listdir(directory)
                 if n.endswith(".eml") and not n.startswith(".")]
    except FileNotFoundError:
        return []
    found = []
    parser = email.parser.BytesParser(policy=email.policy.default)
    for name in names:
        path = os.path.join(directory, name)
        try:
            with open(path, "rb") as fh:
                mtime = os.fstat(fh.fileno()).st_mtime
                data = fh.read()
        except FileNotFoundError:
            continue
        # The address is in the sink's X-Civitas-Envelope-To: skip the
        # parsing of the others (a campaign leaves thousands of files).
        if to is not None and to.lower().encode() not in data.lower():
            continue
        # parse() of a binary file, as before: universal newlines
        msg = parser.parse(io.BytesIO(data))
        if to is not None and to.lower() not in _addresses(msg):
            continue
        msg.path = path
        msg.mtime = mtime
        found.append(msg)
    found.sort(key=lambda m: (m.mtime, m.path))
    return found


def wait_mail(to, subject_contains=None, timeout=20, newer_than=None):
    """Wait for a message to `to` (and subject containing the text);
    returns the newest match.  newer_than: unix time, ignore older files."""
    def probe():
        for msg in reversed(mails(to)):
            if newer_than is not None and msg.mtime < newer_than:
                continue
            if subject_contains is None or \
                    subject_contains in str(msg.get("Subject", "")):
                return msg
        return None
    try:
        return wait_until(probe, timeout, 0.2)
    except AssertionError:
        recent = ["%s: %s" % (m.get("To"), m.get("Subject"))
                  for m in mails()[-5:]]
        raise AssertionError(
            "no mail to %s%s within %ss; latest mails: %s" % (
                to, " with subject containing %r" % subject_contains
                if subject_contains else "", timeout, recent or "none"))


def _part_text(part):
    try:
        return part.get_content()
    except (LookupError, ValueError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def mail_text(msg):
    """The text/plain body ("" when none)."""
    part = msg.get_body(preferencelist=("plain",))
    return _part_text(part) if part is not None else ""


def mail_html(msg):
    """The text/html body ("" when none)."""
    part = msg.get_body(preferencelist=("html",))
    return _part_text(part) if part is not None else ""


_URL_RE = re.compile(r"""https?://[^\s<>"'`]+""")


def links(msg):
    """URLs in the text/plain and text/html parts, in order, no repeats."""
    found = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if part.is_multipart() or ctype not in ("text/plain", "text/html"):
            continue
        text = _part_text(part)
        candidates = []
        if ctype == "text/html":
            candidates += [h for h in _parse(text).links
                           if re.match(r"https?://", h)]
            text = html.unescape(text)
        candidates += [u.rstrip(".,;:!?)]}") for u in _URL_RE.findall(text)]
        for url in candidates:
            if url not in found:
                found.append(url)
    return found


Delivery = namedtuple("Delivery", "time message_id status rcpts")


def deliveries(message_id=None):
    """Lines of deliveries.log as Delivery(time, message_id, status,
    rcpts list); message_id filters (with or without <>).  Every
    transmission, campaign mail included."""
    return _deliveries_in(mail_dir(), message_id)


def campaign_deliveries(message_id=None):
    """The same as deliveries() for campaign mail only (the sink's
    campaigns/deliveries.log: one line per transmission of a mail whose
    envelope sender is bounces+...)."""
    return _deliveries_in(campaign_dir(), message_id)


def _deliveries_in(directory, message_id):
    path = os.path.join(directory, "deliveries.log")
    out = []
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError:
        return out
    want = None
    if message_id is not None:
        want = message_id.strip().strip("<>")
    for line in lines:
        parts = line.split(" ")
        if len(parts) < 3:
            continue
        rcpts = parts[3].split(",") if len(parts) > 3 and parts[3] else []
        d = Delivery(float(parts[0]), parts[1], parts[2], rcpts)
        if want is not None and d.message_id.strip("<>") != want:
            continue
        out.append(d)
    return out


def smtp_fail(enabled=True):
    """Make the SMTP sink answer 451 (enabled) or accept mail again."""
    flag = os.path.join(mail_dir(), ".fail")
    if enabled:
        os.makedirs(mail_dir(), exist_ok=True)
        with open(flag, "w") as fh:
            fh.write("fail\n")
    else:
        try:
            os.unlink(flag)
        except FileNotFoundError:
            pass


# --------------------------------------------------------------------------
# Utilities
# --------------------------------------------------------------------------

def wait_until(fn, timeout=10, interval=0.1, message=None):
    """Call fn until it returns something truthy (returned).  An
    AssertionError raised by fn counts as "not yet"; on timeout raises
    AssertionError (with the last one's text)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = fn()
            if value:
                return value
        except AssertionError as exc:
            last = exc
        if time.monotonic() >= deadline:
            text = message or "condition %s not met" % getattr(
                fn, "__name__", "fn")
            if last is not None:
                text += " (last: %s)" % last
            raise AssertionError("%s within %ss" % (text, timeout))
        time.sleep(interval)


_email_counter = 0


def unique_email(prefix="user"):
    """prefix.<ms>.<pid>.<n>@example.test, unique within and across runs."""
    global _email_counter
    _email_counter += 1
    return "%s.%d.%d.%d@example.test" % (
        prefix, int(time.time() * 1000), os.getpid(), _email_counter)


_NULL = "\x1d<NULL>\x1d"


def psql(sql, *params):
    """Run SQL with psql against $DATABASE_URL; returns a list of row
    tuples (str, None for NULL).  Parameters are psql variables: refer to
    them as :'p1', :'p2'... (literal) or :"p1" (identifier)."""
    cmd = ["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
           "-F", "\x1f", "-0", "-P", "null=" + _NULL]
    url = os.environ.get("DATABASE_URL")
    if url:
        cmd += ["-d", url]
    for i, value in enumerate(params, 1):
        if value is None:
            raise ValueError("psql: parameter p%d is None; write NULL in "
                             "the SQL instead" % i)
        if isinstance(value, bool):
            value = "true" if value else "false"
        cmd += ["-v", "p%d=%s" % (i, value)]
    proc = subprocess.run(cmd, input=sql.encode("utf-8"),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise RuntimeError("psql failed (%d): %s\nSQL: %s" % (
            proc.returncode, proc.stderr.decode("utf-8", "replace").strip(),
            sql))
    # -0: every record (of every result set) ends with a NUL byte, which
    # cannot occur in PostgreSQL text, so values may contain newlines.
    out = proc.stdout.decode("utf-8")
    rows = []
    for rec in out.split("\0")[:-1]:
        rows.append(tuple(None if f == _NULL else f
                          for f in rec.split("\x1f")))
    return rows


def psql_value(sql, *params):
    """First column of the first row, or None when there is no row."""
    rows = psql(sql, *params)
    return rows[0][0] if rows else None


def redis_cli(*args):
    """redis-cli -s $CIVITAS_VAR/run/redis.sock ARGS; returns stdout
    without its final newline (raw mode: one line per reply element, ""
    for nil).  Raises RuntimeError on a Redis error reply."""
    sock = os.environ.get("REDIS_SOCKET") or os.path.join(run_dir(),
                                                          "redis.sock")
    proc = subprocess.run(["redis-cli", "-s", sock] + [str(a) for a in args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError("redis-cli %s failed (%d): %s %s" % (
            " ".join(map(str, args)), proc.returncode, out,
            proc.stderr.decode("utf-8", "replace")))
    if re.match(r"^(ERR|WRONGTYPE|NOAUTH|NOPERM|NOSCRIPT|BUSY|LOADING"
                r"|READONLY|MISCONF|EXECABORT) ", out):
        raise RuntimeError("redis-cli %s: %s" % (
            " ".join(map(str, args)), out.strip()))
    return out[:-1] if out.endswith("\n") else out


# --------------------------------------------------------------------------
# Assertions
# --------------------------------------------------------------------------

def _excerpt(value, n=500):
    if isinstance(value, Response):
        value = value.body
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = value if isinstance(value, str) else repr(value)
    return text[:n] + ("..." if len(text) > n else "")


def _prefix(msg):
    return msg + ": " if msg else ""


def eq(a, b, msg=None):
    """a == b (a: actual, b: expected)."""
    if a != b:
        raise AssertionError("%sexpected %s, got %s" % (
            _prefix(msg), _excerpt(repr(b), 300), _excerpt(repr(a), 300)))


def ne(a, b, msg=None):
    if a == b:
        raise AssertionError("%sdid not expect %s" % (
            _prefix(msg), _excerpt(repr(a), 300)))


def ok(cond, msg="condition is false"):
    if not cond:
        raise AssertionError(msg)


def _haystack(h):
    if isinstance(h, Response):
        return h.text
    return h


def contains(haystack, needle, msg=None):
    """needle in haystack (str, bytes, list, dict or Response text)."""
    h = _haystack(haystack)
    if needle not in h:
        raise AssertionError("%s%r not found in: %s" % (
            _prefix(msg), needle, _excerpt(h)))


def not_contains(haystack, needle, msg=None):
    h = _haystack(haystack)
    if needle in h:
        text = h if isinstance(h, str) else repr(h)
        i = text.find(needle) if isinstance(needle, str) else -1
        where = text[max(0, i - 150):i + 150] if i >= 0 else _excerpt(h)
        raise AssertionError("%s%r unexpectedly found in: ...%s..." % (
            _prefix(msg), needle, where))


def status(resp, code, msg=None):
    """resp.status == code (or in code when a tuple/list)."""
    codes = tuple(code) if isinstance(code, (tuple, list, set)) else (code,)
    if resp.status not in codes:
        extra = " -> Location: %s" % resp.location if resp.location else ""
        errs = ""
        if resp.stderr:
            errs = "; stderr: %s" % _excerpt(resp.stderr, 300)
        raise AssertionError("%sexpected status %s, got %s%s; body: %s%s" % (
            _prefix(msg), "/".join(map(str, codes)), resp.status, extra,
            _excerpt(resp.body), errs))
    return resp


def redirects(resp, to=None, msg=None):
    """resp is a redirect (301/302/303/307/308), to a location starting
    with `to` (path or absolute URL; the scheme://host part is ignored
    when `to` is a path)."""
    status(resp, _REDIRECTS, msg)
    if to is not None:
        loc = resp.location or ""
        cmp = Client._path(loc) if to.startswith("/") else loc
        if not cmp.startswith(to):
            raise AssertionError("%sexpected redirect to %s, got %s" % (
                _prefix(msg), to, loc))
    return resp


def matches(text, regex, msg=None):
    """re.search(regex, text); returns the match."""
    text = _haystack(text)
    m = re.search(regex, text)
    if not m:
        raise AssertionError("%s/%s/ does not match: %s" % (
            _prefix(msg), regex, _excerpt(text)))
    return m


# --------------------------------------------------------------------------
# Test runner
# --------------------------------------------------------------------------

TestCase = namedtuple("TestCase", "module name fn slow")
_TESTS = []


def test(fn=None, *, name=None, slow=False):
    """Register a test: @test or @test(name="...", slow=True)."""
    def register(f):
        _TESTS.append(TestCase(f.__module__, name or f.__name__, f, slow))
        return f
    if fn is not None and callable(fn):
        return register(fn)
    return register


class _TestTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _TestTimeout("test took longer than TEST_TIMEOUT=%ss"
                       % os.environ.get("TEST_TIMEOUT", "300"))


def _assert_location(tb):
    frames = traceback.extract_tb(tb)
    here = os.path.abspath(__file__)
    for fr in reversed(frames):
        if os.path.abspath(fr.filename) != here:
            return "%s:%d" % (os.path.basename(fr.filename), fr.lineno)
    return None


def run(modules):
    """Run the tests of the given modules (module objects or names to
    import), print one line per test and "N passed, N failed"; return the
    exit code (0 only when nothing failed and something passed)."""
    passed = failed = skipped = 0
    flt = os.environ.get("TEST_FILTER", "")
    skip_slow = os.environ.get("TEST_SKIP_SLOW", "") not in ("", "0")
    limit = int(os.environ.get("TEST_TIMEOUT", "300") or 0)
    use_alarm = limit > 0 and hasattr(signal, "SIGALRM")
    loaded = []
    for mod in modules:
        if isinstance(mod, str):
            try:
                mod = importlib.import_module(mod)
            except Exception:
                failed += 1
                etype, exc, tb = sys.exc_info()
                print("FAIL %s: import error: %s: %s" % (
                    mod, etype.__name__, exc), flush=True)
                for line in traceback.format_exception(etype, exc, tb)[-4:]:
                    print("     " + line.rstrip().replace("\n", "\n     "))
                continue
        loaded.append(mod)
    old = signal.signal(signal.SIGALRM, _on_alarm) if use_alarm else None
    try:
        for mod in loaded:
            started = time.monotonic()
            modname = mod.__name__
            short = modname.rsplit(".", 1)[-1]
            if short == "__main__" and getattr(mod, "__file__", None):
                short = os.path.splitext(os.path.basename(mod.__file__))[0]
            for case in [t for t in _TESTS if t.module == modname]:
                label = "%s.%s" % (short, case.name)
                if flt and flt not in label:
                    continue
                if case.slow and skip_slow:
                    skipped += 1
                    print("skip %s (slow)" % label, flush=True)
                    continue
                try:
                    if use_alarm:
                        signal.alarm(limit)
                    try:
                        case.fn()
                    finally:
                        if use_alarm:
                            signal.alarm(0)
                except AssertionError as exc:
                    failed += 1
                    where = _assert_location(sys.exc_info()[2])
                    text = str(exc) or "assertion failed"
                    print("FAIL %s: %s%s" % (label, text,
                                             " (%s)" % where if where
                                             else ""), flush=True)
                except KeyboardInterrupt:
                    raise
                except BaseException as exc:
                    failed += 1
                    print("FAIL %s: %s: %s" % (label, type(exc).__name__,
                                               exc), flush=True)
                    frames = traceback.extract_tb(exc.__traceback__)[1:]
                    for line in traceback.format_list(frames[-4:]):
                        print("     " + line.rstrip().replace("\n", "\n     "))
                    sys.stdout.flush()
                else:
                    passed += 1
                    print("ok   %s" % label, flush=True)
            # how long each module takes (make test's budget: README)
            print("time %s %.1f s" % (short, time.monotonic() - started),
                  flush=True)
    finally:
        if use_alarm:
            signal.signal(signal.SIGALRM, old)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 and passed > 0 else 1


# --------------------------------------------------------------------------
# Donations (issue 10): the fake Paybox provider (scripts/fake-paybox)
# --------------------------------------------------------------------------

__all__ += ["paybox_port", "paybox_control", "paybox_pay", "paybox_log",
            "paybox_reset", "paybox_form", "paybox_hmac", "paybox_sign",
            "paybox_signed", "paybox_verify", "paybox_quote",
            "PAYBOX_RETOUR"]

PAYBOX_RETOUR = "Mt:M;Ref:R;Auto:A;Erreur:E;idtrans:S;abo:B;Sign:K"


def paybox_port():
    """The fake's port: $PAYBOX_PORT, else HTTP_PORT + 2 (stack.sh)."""
    return int(os.environ.get("PAYBOX_PORT") or http_port() + 2)


def paybox_control(path, payload=None, method=None, timeout=60):
    """Call the fake's control API (or any of its paths): POST path with
    the JSON payload (GET when payload is None and no method is given).
    Returns (status, decoded JSON or text)."""
    conn = http.client.HTTPConnection("127.0.0.1", paybox_port(),
                                      timeout=timeout)
    if not path.startswith("/"):
        path = "/_control/" + path
    body = None if payload is None else _json.dumps(payload).encode()
    method = method or ("GET" if body is None else "POST")
    try:
        conn.request(method, path, body=body,
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        try:
            return resp.status, _json.loads(data)
        except ValueError:
            return resp.status, data
    finally:
        conn.close()


def paybox_pay(form_fields, action="pay"):
    """What the buttons of the fake's page do, without a browser:
    form_fields is the PBX_* form as civitas rendered it (a dict or a list
    of pairs, in order). Returns the URL the browser is sent back to
    (after the notification, unless the mode said otherwise)."""
    if not isinstance(form_fields, dict):
        form_fields = dict(form_fields)	# dicts keep the order
    status, obj = paybox_control("pay", {"form": form_fields,
                                         "action": action})
    if status != 200:
        raise AssertionError("fake paybox refused the payment (%d): %s"
                             % (status, obj))
    return obj["return_url"]


def paybox_log():
    """The notifications the fake sent: [{query, url, status, attempt,
    time}], oldest first."""
    return paybox_control("log")[1]


def paybox_reset():
    paybox_control("reset", {})


def paybox_hmac(pairs, key_hex=None):
    """Uppercase hex HMAC-SHA512 of "K=v&K=v" (values not encoded), key
    the hex-decoded $PAYBOX_HMAC_KEY: PBX_HMAC and ResAbon's HMAC."""
    import hashlib
    import hmac
    key = bytes.fromhex(key_hex or os.environ["PAYBOX_HMAC_KEY"])
    data = "&".join("%s=%s" % (k, v) for k, v in pairs).encode()
    return hmac.new(key, data, hashlib.sha512).hexdigest().upper()


def paybox_form(total, cmd, email, monthly=None, base=None, key_hex=None,
                repondre_a=None, **over):
    """A payment form as civitas must build it (brief, "Paybox System"):
    an ordered list of (name, value) ending with PBX_HMAC. monthly: the
    monthly amount in cents (PBX_CMD gets the PBX_2MONT suffix); over:
    fields to replace before signing (e.g. PBX_SITE="1")."""
    base = (base or base_url()).rstrip("/")
    if monthly:
        cmd += ("PBX_2MONT%010dPBX_NBPAIE00PBX_FREQ01PBX_QUAND00" % monthly)
    pairs = [
        ("PBX_SITE", os.environ.get("PAYBOX_SITE", "1999888")),
        ("PBX_RANG", os.environ.get("PAYBOX_RANG", "32")),
        ("PBX_IDENTIFIANT", os.environ.get("PAYBOX_IDENTIFIANT",
                                           "107904482")),
        ("PBX_TOTAL", str(total)), ("PBX_DEVISE", "978"),
        ("PBX_CMD", cmd), ("PBX_PORTEUR", email),
        ("PBX_RETOUR", PAYBOX_RETOUR), ("PBX_HASH", "SHA512"),
        ("PBX_TIME", time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                                   time.gmtime())),
        ("PBX_EFFECTUE", base + "/donate/done"),
        ("PBX_REFUSE", base + "/donate/refused"),
        ("PBX_ANNULE", base + "/donate/cancelled"),
        ("PBX_REPONDRE_A", repondre_a or base + "/donate/notify"),
    ]
    pairs = [(k, over.pop(k, v)) for k, v in pairs]
    if over:
        raise ValueError("unknown fields %s" % sorted(over))
    return pairs + [("PBX_HMAC", paybox_hmac(pairs, key_hex))]


def paybox_quote(value):
    """A value as the provider encodes it in its results (RFC 3986)."""
    return urllib.parse.quote(str(value), safe="")


def _paybox_key():
    return os.environ.get("PAYBOX_PRIVKEY") or os.path.join(
        var_dir(), "paybox", "key.pem")


def paybox_sign(data, key=None):
    """base64 of the RSA PKCS#1 v1.5 SHA-1 signature of data (str) with
    the fake's private key ($CIVITAS_VAR/paybox/key.pem), by openssl."""
    import base64
    proc = subprocess.run(["openssl", "dgst", "-sha1", "-sign",
                           key or _paybox_key()], input=data.encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=True)
    return base64.b64encode(proc.stdout).decode()


def paybox_signed(fields, key=None):
    """A notification's query string as the fake makes it: fields (list
    of pairs or a dict, e.g. [("Mt", 5000), ("Ref", uuid), ...]) encoded
    then "&Sign=" and the encoded signature of exactly those bytes."""
    items = fields.items() if isinstance(fields, dict) else fields
    data = "&".join("%s=%s" % (k, paybox_quote(v)) for k, v in items)
    return "%s&Sign=%s" % (data, paybox_quote(paybox_sign(data, key)))


def paybox_verify(query, pubkey=None):
    """Does the query's Sign verify over the bytes before "&Sign=" with
    the public key ($PAYBOX_PUBKEY)? Checked by `openssl dgst -verify`."""
    import base64
    import tempfile
    data, sep, sign = query.partition("&Sign=")
    if not sep:
        return False
    try:
        raw = base64.b64decode(urllib.parse.unquote(sign), validate=True)
    except ValueError:
        return False
    with tempfile.NamedTemporaryFile() as sig:
        sig.write(raw)
        sig.flush()
        proc = subprocess.run(["openssl", "dgst", "-sha1", "-verify",
                               pubkey or os.environ["PAYBOX_PUBKEY"],
                               "-signature", sig.name],
                              input=data.encode(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    return proc.returncode == 0
