# SPDX-License-Identifier: MIT
"""The stack as an operator sees it: cookies under https, workers that
write no files, and a full stop/start (as `make stop` then `make run`)
that keeps the data."""

import os
import signal
import subprocess
import tempfile
import uuid

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import stackctl as sc


@test
def cookies_are_secure_when_base_url_is_https():
    """One worker under spawn-fcgi with an https BASE_URL: its cookies carry
    Secure (the stack's own workers, on http, must not)."""
    plain = Client("fcgi").get("/signup")
    ok("Secure" not in plain.cookies.attrs("csrf").raw,
       "http BASE_URL: no Secure flag: %s" % plain.cookies.attrs("csrf").raw)
    sock = os.path.join(run_dir(), "https-%s.sock" % uuid.uuid4().hex[:12])
    env = dict(os.environ, BASE_URL="https://civitas.example")
    proc = subprocess.Popen(
        ["spawn-fcgi", "-n", "-s", sock, "--",
         os.path.join(os.environ["BIN_DIR"], "civitas-fcgi")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env=env)
    try:
        wait_until(lambda: os.path.exists(sock), 10, 0.02, "socket " + sock)
        page = status(fcgi_request("GET", "/signup", socket_path=sock), 200)
        cookie = page.cookies.attrs("csrf")
        ok(cookie.secure and cookie.httponly, "csrf cookie: %s" % cookie.raw)
        eq((cookie.samesite or "").lower(), "lax")
        # and a login session cookie too
        email, pw = new_member(confirm=True)[1:]
        c = Client("fcgi", socket_path=sock)
        status(c.get("/login"), 200)
        resp = post_login(c, email, pw)
        redirects(resp, "/account")
        sid = resp.cookies.attrs("sid")
        ok(sid.secure and sid.httponly, "sid cookie: %s" % sid.raw)
        eq(len(resp.cookies["sid"]), 43, "256-bit id, base64url")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        if os.path.exists(sock):
            os.unlink(sock)


def _writable_files(pid):
    """Regular files a process holds open for writing, except stdout and
    stderr (the log the stack redirects them to)."""
    found = []
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        if fd in ("1", "2"):
            continue
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as info:
                flags = next(int(line.split()[1], 8) for line in info
                             if line.startswith("flags:"))
        except OSError:
            continue	# closed meanwhile
        if target.startswith("/") and not target.startswith("/dev/") \
                and flags & (os.O_WRONLY | os.O_RDWR):
            found.append((fd, target))
    return found


@test
def workers_write_no_files():
    for _ in range(20):  # make every worker serve something first
        Client("fcgi").get("/signup")
    pids = sc.worker_pids()
    ok(pids, "no workers found")
    for pid in pids:
        eq(_writable_files(pid), [], "worker %d holds files open for "
           "writing" % pid)


@test
def stop_then_start_keeps_the_data():
    client, email, pw = new_member(confirm=True)
    uid = user_id(email)
    top = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    subprocess.run([os.path.join(top, "scripts", "stack.sh"), "stop",
                    os.environ["CIVITAS_VAR"]], check=True,
                   stdout=subprocess.DEVNULL)
    try:
        ok(not os.path.exists(os.path.join(run_dir(), "fcgi.sock")),
           "the FastCGI socket is gone after stop")
        try:
            fcgi_request("GET", "/health", timeout=2)
            raise AssertionError("a worker still answered after stop")
        except (OSError, ConnectionError):
            pass
    finally:
        sc.restore_stack()
    eq(user_id(email), uid, "the member survived the restart")
    fresh = Client("fcgi")
    status(fresh.get("/login"), 200)
    redirects(post_login(fresh, email, pw), "/account")


@test
def single_use_links_never_reach_the_access_log():
    """Through nginx: a confirmation link and a reset link, opened and then
    sent as Referer, appear in nginx's access log only with the token
    masked."""
    email = unique_email("logmask")
    c = Client("http", client_ip="198.51.100.%d" % (os.getpid() % 250 + 1))
    redirects(c.submit("/signup", signup_fields(email=email)), "/signup/done")
    confirm = confirm_link(email)
    redirects(c.submit("/password/forgot", {"email": email}), "/login")
    reset = reset_link(email)
    tokens = [confirm.rsplit("/", 1)[1], reset.rsplit("/", 1)[1]]
    status(c.get(path_of(confirm)), 200)
    status(c.get(path_of(reset)), 200)
    status(c.get("/login", headers={"Referer": reset}), 200)
    log = os.path.join(os.environ["CIVITAS_VAR"], "log", "nginx-access.log")

    def text():
        with open(log, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    # the log is buffered (flushed every second)
    wait_until(lambda: "GET /password/reset/[token] HTTP" in text() and
               '/password/reset/[token]" "' in text(), 10, 0.2,
               "the masked request line and Referer in the access log")
    for t in tokens:
        not_contains(text(), t, "a token in nginx's access log")
    contains(text(), "GET /signup/confirm/[token] HTTP/1.1")
