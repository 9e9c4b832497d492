# SPDX-License-Identifier: MIT
"""nginx in front of several worker hosts (issue 13, many hosts): the
upstream written from FCGI_UPSTREAMS by scripts/nginx-conf.sh, and which
requests go to another host when one fails (nginx/fastcgi.conf).

An nginx of its own (generated from nginx/civitas.conf like the stack's)
with two "hosts": a real master on TCP, and a host that dies in the middle
of every request (it reads the request, then closes the connection without
answering: a worker killed while serving). A GET that met the dying host is
answered by the other one; a POST that reached the dying host is never sent
again (502), so it cannot run twice; a POST whose connection was refused
goes to the other host."""

import os
import shutil
import socket
import subprocess
import tempfile
import threading

from civitas import *   # noqa: F401,F403
from tcp_fixtures import Master, free_port

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class DyingHost:
    """Accepts FastCGI connections, reads one request, closes unanswered;
    remembers the methods it saw."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.methods = []
        self.lock = threading.Lock()
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,),
                             daemon=True).start()

    def serve(self, conn):
        buf, params = b"", b""
        conn.settimeout(10)
        try:
            while True:      # until the empty FCGI_STDIN record
                chunk = conn.recv(65536)
                if not chunk:
                    break
                buf += chunk
                records, _ = fcgi_parse_records(buf)
                params = b"".join(r.content for r in records
                                  if r.type == FCGI_PARAMS)
                if any(r.type == FCGI_STDIN and not r.content
                       for r in records):
                    break
        except OSError:
            pass
        method = dict(fcgi_decode_pairs(params)).get(b"REQUEST_METHOD", b"?")
        with self.lock:
            self.methods.append(method.decode())
        conn.close()

    def close(self):
        self.sock.close()


class Nginx:
    """nginx from nginx/civitas.conf with FCGI_UPSTREAMS, on a port of its
    own, in a temporary directory."""

    def __init__(self, upstreams):
        self.dir = tempfile.mkdtemp(prefix="civitas-upstreams.")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.env = dict(os.environ, CIVITAS_VAR=self.dir,
                        HTTP_PORT=str(self.port),
                        FCGI_UPSTREAMS=" ".join(upstreams))
        self.conf = os.path.join(self.dir, "nginx", "nginx.conf")

    def __enter__(self):
        subprocess.run([os.path.join(REPO, "scripts", "nginx-conf.sh")],
                       env=self.env, check=True, capture_output=True)
        subprocess.run(["nginx", "-c", self.conf, "-p",
                        os.path.join(self.dir, "nginx") + "/"], check=True)
        wait_until(lambda: os.path.exists(os.path.join(self.dir, "run",
                                                        "nginx.pid")),
                   10, 0.05, "nginx started")
        return self

    def __exit__(self, *exc):
        subprocess.run(["nginx", "-c", self.conf, "-p",
                        os.path.join(self.dir, "nginx") + "/", "-s", "stop"],
                       capture_output=True)
        wait_until(lambda: not os.path.exists(os.path.join(
            self.dir, "run", "nginx.pid")), 10, 0.05, "nginx stopped")
        shutil.rmtree(self.dir, ignore_errors=True)

    def text(self):
        with open(self.conf) as fh:
            return fh.read()

    def request(self, method, path, body=b""):
        hdrs = [("Content-Type", "application/x-www-form-urlencoded")] \
            if method == "POST" else []
        return http_request(method, path, hdrs, body, port=self.port)


@test
def nginx_conf_writes_one_server_line_per_host():
    with Nginx(["127.0.0.1:9001", "[::1]:9002"]) as ngx:
        text = ngx.text()
        contains(text, "server 127.0.0.1:9001 max_fails=2 fail_timeout=5s;")
        contains(text, "server [::1]:9002 max_fails=2 fail_timeout=5s;")
        not_contains(text, "fcgi.sock;")
    env = dict(os.environ, CIVITAS_VAR=tempfile.mkdtemp(), HTTP_PORT="1",
               FCGI_UPSTREAMS="10.0.0.1:9000;evil")
    proc = subprocess.run([os.path.join(REPO, "scripts", "nginx-conf.sh")],
                          env=env, capture_output=True, text=True)
    ne(proc.returncode, 0, "a bad FCGI_UPSTREAMS is refused")
    contains(proc.stderr, "FCGI_UPSTREAMS must be")
    shutil.rmtree(env["CIVITAS_VAR"], ignore_errors=True)


@test
def a_get_that_met_a_dying_host_is_answered_by_another():
    port = free_port()
    dying = DyingHost()
    try:
        with Master("127.0.0.1:%d" % port, allowed="127.0.0.1"), \
                Nginx(["127.0.0.1:%d" % dying.port,
                       "127.0.0.1:%d" % port]) as ngx:
            answers = [ngx.request("GET", "/health").status
                       for _ in range(6)]
            eq(answers, [200] * 6, "every GET answered")
            ok("GET" in dying.methods, "the dying host got some GETs "
               "(%s): they were sent again to the other" % dying.methods)
    finally:
        dying.close()


@test
def a_post_that_reached_a_dying_host_is_never_sent_again():
    port = free_port()
    dying = DyingHost()
    try:
        with Master("127.0.0.1:%d" % port, allowed="127.0.0.1"), \
                Nginx(["127.0.0.1:%d" % dying.port,
                       "127.0.0.1:%d" % port]) as ngx:
            answers = [ngx.request("POST", "/", b"a=1").status
                       for _ in range(6)]
            lost = answers.count(502)
            posts = dying.methods.count("POST")
            ok(posts >= 1, "the dying host got some POSTs (%s)" % answers)
            eq(lost, posts, "each POST the dying host took is a 502, never "
               "sent to the other host (answers %s)" % answers)
            ok(all(a in (502, 403, 405) for a in answers), answers)
    finally:
        dying.close()


@test
def a_post_whose_connection_was_refused_goes_to_another_host():
    port, gone = free_port(), free_port()   # nobody listens on "gone"
    with Master("127.0.0.1:%d" % port, allowed="127.0.0.1"), \
            Nginx(["127.0.0.1:%d" % gone, "127.0.0.1:%d" % port]) as ngx:
        answers = [ngx.request("POST", "/", b"a=1").status
                   for _ in range(6)]
        ok(502 not in answers, "refused connections: the POST goes on "
           "(%s)" % answers)
        eq(ngx.request("GET", "/health").status, 200)


if __name__ == "__main__":
    raise SystemExit(run([__name__]))
