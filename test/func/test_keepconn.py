# SPDX-License-Identifier: MIT
"""Kept FastCGI connections (issue 13, README "Kept FastCGI connections"):
nginx may keep its connections to the workers open between requests
(FCGI_KEEP_CONN). A worker then waits on all its kept connections and on
the listening socket at once, so an idle kept connection never blocks a
request that arrives elsewhere: more idle kept connections than workers,
or a burst of more clients than workers x connections, never hangs.
"""

import socket
import threading
import time

from civitas import *   # noqa: F401,F403
import stackctl as sc


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(fcgi_socket_path())
    return s


def ask(sock, path="/health", request_id=1):
    """One request with FCGI_KEEP_CONN on an open connection: (status,
    stdout) once its END_REQUEST came; the connection stays open."""
    sock.sendall(fcgi_build_request(fcgi_params("GET", path), b"",
                                    request_id, FCGI_KEEP_CONN))
    records, _ = fcgi_read_records(sock)
    r = fcgi_response(records)
    ok(r is not None,
       "%s: the worker closed a kept connection before answering" % path)
    return r


@test
def idle_kept_connections_never_block_a_new_request():
    workers = sc.expected_workers()
    kept = []
    try:
        # Twice as many kept connections as workers, each idle after one
        # request: a worker that waited on one of them alone would leave
        # the requests below unanswered.
        for i in range(2 * workers):
            s = connect()
            status(ask(s), 200, "first request on kept connection %d" % i)
            kept.append(s)
        for i in range(3 * workers):
            status(fcgi_request("GET", "/health", timeout=10), 200,
                   "a new connection while %d kept ones idle (#%d)"
                   % (len(kept), i))
        # and each kept connection serves again, in any order
        for i, s in reversed(list(enumerate(kept))):
            status(ask(s, "/api/events", request_id=2), 200,
                   "second request on kept connection %d" % i)
    finally:
        for s in kept:
            s.close()


@test
def a_kept_connection_closed_by_nginx_is_forgotten():
    offset = sc.log_offset()
    for _ in range(10):
        s = connect()
        status(ask(s), 200)
        s.close()                  # as nginx does after keepalive_timeout
    for i in range(20):
        status(fcgi_request("GET", "/health", timeout=10), 200,
               "after closed kept connections (#%d)" % i)
    not_contains(sc.log_since(offset), "connection without a valid request",
                 "a kept connection's end is no error")


@test
def a_request_without_keep_conn_is_closed_after_its_answer():
    s = connect()
    try:
        s.sendall(fcgi_build_request(fcgi_params("GET", "/health"), b"", 1,
                                     0))
        s.settimeout(10)
        try:
            records, closed = fcgi_read_records(s, until_end=False)
        except socket.timeout:     # answered, perhaps, but kept open
            records, closed = [], False
        ok(closed, "closed by the worker within 10 s")
        ok(any(r.type == FCGI_END_REQUEST for r in records),
           "answered, then closed by the worker")
    finally:
        s.close()


@test
def a_burst_of_more_clients_than_kept_connections_never_hangs():
    """Through nginx (its upstream keepalive pool): 200 clients at once,
    five requests each, mixed routes. Every one is answered."""
    paths = ["/health", "/", "/articles", "/api/events", "/events"]
    results, lock = [], threading.Lock()

    def client(n):
        ip = sc.random_client_ip()
        for k in range(5):
            path = paths[(n + k) % len(paths)]
            try:
                r = http_request("GET", path + "?burst=%d" % (n % 7),
                                 [("Cookie", "sid=burst-%d" % n)],
                                 timeout=60,
                                 source_address=(trusted_proxy(), 0),
                                 forwarded_for=ip)
                got = r.status
            except OSError as exc:
                got = repr(exc)
            with lock:
                results.append((path, got))
    threads = [threading.Thread(target=client, args=(n,))
               for n in range(200)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    eq([t for t in threads if t.is_alive()], [], "no client left hanging")
    bad = [x for x in results if x[1] != 200]
    eq(bad, [], "every request answered 200")
    eq(len(results), 1000)
    print("    1000 requests from 200 clients in %.1f s"
          % (time.monotonic() - started))
