# SPDX-License-Identifier: MIT
"""Workers on TCP (issue 13, many hosts): a master of its own listening on
a TCP port of the loopback (LISTEN=127.0.0.1:PORT, [::1]:PORT), serving
only the web servers of FCGI_WEB_SERVER_ADDRS; a connection from another
address is closed before a byte is read, with a line in the log; unix
sockets are never checked; a LISTEN or a list that does not parse stops
start-up with a message.

The stack's own master keeps its unix socket; each test starts and stops
its master (same PostgreSQL, Redis and secret)."""

import os
import socket
import subprocess

from civitas import *   # noqa: F401,F403
from fixtures import fcgi_binary
from tcp_fixtures import Master, free_port


def tcp_exchange(addr, data, source=None, family=socket.AF_INET, timeout=10):
    """Send a FastCGI request over TCP from source (an address to bind),
    read until the worker closes: the records received."""
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        if source:
            s.bind((source, 0))
        s.connect(addr)
        try:
            s.sendall(data)
        except OSError:
            pass          # refused peers are closed at once
        records, _ = fcgi_read_records(s, until_end=False)
    finally:
        s.close()
    return records


def get_over_tcp(addr, path="/health", source=None, family=socket.AF_INET):
    """(Response or None when the worker answered nothing)."""
    data = fcgi_build_request(fcgi_params("GET", path))
    return fcgi_response(tcp_exchange(addr, data, source, family))


@test
def tcp_workers_serve_the_listed_web_server_and_refuse_others():
    port = free_port()
    with Master("127.0.0.1:%d" % port, allowed="192.0.2.7, 127.0.0.1") as m:
        for i in range(6):      # both workers, whichever accepts
            resp = get_over_tcp(("127.0.0.1", port))
            ok(resp is not None, "request #%d from 127.0.0.1 unanswered; "
               "log: %s" % (i, m.log()[-800:]))
            status(resp, 200)
            eq(resp.json()["postgresql"], "up")
        page = get_over_tcp(("127.0.0.1", port), "/signup")
        status(page, 200)
        contains(page.text, 'action="/signup"')
        for i in range(3):
            eq(get_over_tcp(("127.0.0.1", port), source="127.0.0.3"), None,
               "a request from 127.0.0.3 (not listed) must get no answer")
        wait_until(lambda: "refused a connection from 127.0.0.3: not in "
                   "FCGI_WEB_SERVER_ADDRS" in m.log(), 10, 0.05,
                   "the refusal logged")
        # the workers are still there, serving the listed address
        status(get_over_tcp(("127.0.0.1", port)), 200)
        not_contains(m.log(), "refused a connection from 127.0.0.1:")


@test
def without_the_list_every_peer_is_served():
    port = free_port()
    with Master("127.0.0.1:%d" % port) as m:
        status(get_over_tcp(("127.0.0.1", port), source="127.0.0.3"), 200)
        not_contains(m.log(), "refused")


@test
def every_address_form_of_listen():
    port = free_port(host="0.0.0.0")
    with Master("0.0.0.0:%d" % port, allowed="127.0.0.5") as m:
        status(get_over_tcp(("127.0.0.1", port), source="127.0.0.5"), 200)
        eq(get_over_tcp(("127.0.0.1", port), source="127.0.0.6"), None)
        contains(m.log(), "listening on 0.0.0.0:%d" % port)
    if socket.has_ipv6:
        try:
            port = free_port(socket.AF_INET6, "::1")
        except OSError:
            return              # no IPv6 loopback here
        with Master("[::1]:%d" % port, allowed="::1"):
            status(get_over_tcp(("::1", port), family=socket.AF_INET6), 200)
        # libfcgi took "[::1]:PORT" for a unix socket path in the cwd
        ok(not os.path.exists("[::1]:%d" % port), "stray socket file")


@test
def unix_sockets_are_never_checked():
    path = os.path.join(run_dir(), "tcp-test-%d.sock" % os.getpid())
    with Master("unix:" + path, allowed="192.0.2.7"):
        status(fcgi_request("GET", "/health", socket_path=path), 200)
    ok(not os.path.exists(path), "the master removes its unix socket")


def refused_at_start(listen, allowed=None):
    env = dict(os.environ, LISTEN=listen, WORKERS="1")
    if allowed is not None:
        env["FCGI_WEB_SERVER_ADDRS"] = allowed
    proc = subprocess.run([fcgi_binary(), "serve"], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=20)
    ne(proc.returncode, 0, "serve with LISTEN=%r FCGI_WEB_SERVER_ADDRS=%r "
       "must not start" % (listen, allowed))
    err = proc.stderr.decode("utf-8", "replace")
    not_contains(err, "Sanitizer")
    not_contains(err, "runtime error:")
    return err


@test
def a_bad_listen_or_list_stops_start_up_with_a_message():
    port = free_port()
    contains(refused_at_start("127.0.0.1:70000"), "1..65535")
    contains(refused_at_start("fcgi.sock"), "LISTEN must be")
    contains(refused_at_start("127.0.0.1:%d" % port, "10.0.0.0/8"),
             "FCGI_WEB_SERVER_ADDRS")
    contains(refused_at_start("127.0.0.1:%d" % port, "10.0.0.1,"),
             "FCGI_WEB_SERVER_ADDRS")
    contains(refused_at_start("host.invalid:%d" % port),
             "cannot listen on host.invalid")
    # a port already taken: a line in our log, not libfcgi's exit()
    with Master("127.0.0.1:%d" % port):
        contains(refused_at_start("127.0.0.1:%d" % port),
                 "cannot listen on 127.0.0.1:%d: Address already in use"
                 % port)


if __name__ == "__main__":
    raise SystemExit(run([__name__]))
