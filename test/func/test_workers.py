# SPDX-License-Identifier: MIT
"""The FastCGI master and its workers (app/core/master.c): prefork count,
respawn of a killed worker, SIGHUP generations without dropped requests,
and the binary as a single spawn-fcgi worker.

Every test leaves WORKERS live workers behind (new pids are fine).
"""

import os
import signal
import socket
import subprocess
import tempfile
import time
import uuid

from civitas import *
import stackctl as sc


def binary():
    return os.path.join(os.environ.get("BIN_DIR") or
                        os.path.join(sc.repo_root(), "build"),
                        "civitas-fcgi")


def exe(pid):
    """Path of the process's binary ("(deleted)" stripped: `make` may have
    replaced the file since the process started)."""
    try:
        path = os.readlink("/proc/%d/exe" % pid)
    except OSError:
        return None
    if path.endswith(" (deleted)"):
        path = path[:-len(" (deleted)")]
    return os.path.realpath(path)


def summary(results):
    counts = {}
    for r in results:
        key = r if isinstance(r, int) else r.split(":")[0]
        counts[key] = counts.get(key, 0) + 1
    return counts


@test
def master_runs_the_configured_number_of_workers():
    master = sc.master_pid()
    ok(master, "no FastCGI master running")
    with open("/proc/%d/cmdline" % master, "rb") as fh:
        argv = fh.read().split(b"\0")
    eq(argv[1:2], [b"serve"], "master command line %r" % argv)
    pids = sc.wait_workers()
    eq(len(pids), sc.expected_workers(), "workers of master %d" % master)
    for pid in pids:
        eq(exe(pid), os.path.realpath(binary()), "binary of worker %d" % pid)
    # and they all answer: enough concurrent requests to reach each one
    results = sc.load("/health", count=40, concurrency=8, via="fcgi")
    eq(summary(results), {200: 40})


def kill_under_load(via, kills=2):
    before = sc.wait_workers()
    master = sc.master_pid()
    victims = []
    with sc.Load("/health", concurrency=4, via=via) as ld:
        ld.wait_done(40)
        for _ in range(kills):
            current = sc.wait_workers(exclude=victims)
            victim = [p for p in current if p in before][0]
            os.kill(victim, signal.SIGKILL)
            victims.append(victim)
            sc.wait_workers(exclude=victims)
            ld.wait_done(40)
        tail_start = ld.done
        ld.wait_done(40)
    results = ld.results
    after = sc.wait_workers(exclude=victims)
    eq(sc.master_pid(), master, "the master must survive")
    eq(len(set(before) - set(after)), kills,
       "exactly the killed workers were replaced (before %s, after %s)"
       % (before, after))
    failures = [r for r in results if sc.is_failure(r)]
    ok(len(failures) <= kills,
       "%d failed requests for %d killed workers (via %s): %s" % (
           len(failures), kills, via, failures[:5]))
    tail = results[tail_start:]
    ok(tail and all(r == 200 for r in tail),
       "after the replacement every request must succeed: %s"
       % summary(tail))
    status(fcgi_request("GET", "/health"), 200)


@test
def killed_worker_replaced_under_load_fastcgi():
    kill_under_load("fcgi")


@test
def killed_worker_replaced_under_load_through_nginx():
    kill_under_load("http")


def sighup_under_load(via, hups=2):
    master = sc.master_pid()
    seen = [set(sc.wait_workers())]
    with sc.Load("/health", concurrency=4, via=via) as ld:
        ld.wait_done(40)
        for _ in range(hups):
            old = sc.wait_workers()
            os.kill(master, signal.SIGHUP)
            new = sc.wait_workers(exclude=old)
            seen.append(set(new))
            ld.wait_done(40)
        ld.wait_done(40)
    results = ld.results
    eq(sc.master_pid(), master, "SIGHUP must not replace the master")
    for i in range(1, len(seen)):
        eq(seen[i] & seen[i - 1], set(),
           "generation %d shares workers with the previous one" % i)
    eq(len(seen[-1]), sc.expected_workers())
    failures = [r for r in results if sc.is_failure(r)]
    eq(failures, [], "failed requests during %d SIGHUP (via %s, %d "
       "requests, %s)" % (hups, via, len(results), summary(results)))


@test
def sighup_replaces_every_worker_without_failure_fastcgi():
    sighup_under_load("fcgi", hups=3)


@test
def sighup_replaces_every_worker_without_failure_through_nginx():
    sighup_under_load("http", hups=3)


def read_answer(sock, timeout=10):
    """FcgiResult-like (stdout, ended, closed) of what the peer sends."""
    sock.settimeout(timeout)
    buf = b""
    closed = timed_out = False
    while True:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            timed_out = True
            break
        except OSError:
            chunk = b""
        if not chunk:
            closed = True
            break
        buf += chunk
        records, _ = fcgi_parse_records(buf)
        if any(r.type == FCGI_END_REQUEST for r in records):
            break
    records, _ = fcgi_parse_records(buf)
    stdout = b"".join(r.content for r in records if r.type == FCGI_STDOUT)
    ended = any(r.type == FCGI_END_REQUEST for r in records)
    return stdout, ended, closed, timed_out


@test
def sighup_while_workers_are_receiving_requests():
    """A deterministic form of the SIGHUP guarantee: every old worker is
    in the middle of receiving a request (its parameters, or its body)
    when the master tells it to stop; each request must still be answered
    normally once its client has sent the rest."""
    old = sc.wait_workers()
    body = b"email=hup%40example.test&password=abcdefgh&pad=" + b"x" * 8000
    pending = []
    try:
        for i in range(len(old)):
            if i % 2 == 0:
                what, expect = "GET /health (params half sent)", 200
                data = fcgi_build_request(fcgi_params("GET", "/health"))
                cut = 16 + 20   # BEGIN_REQUEST + 20 bytes of PARAMS
            else:
                what, expect = "POST /login (body half sent)", 403
                data = fcgi_build_request(fcgi_params(
                    "POST", "/login", {"Content-Type":
                                       "application/x-www-form-urlencoded"},
                    body), body)
                cut = len(data) - 4000
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(fcgi_socket_path())
            s.sendall(data[:cut])
            pending.append((s, data, cut, what, expect))
        time.sleep(0.3)     # let each idle worker accept one of them
        os.kill(sc.master_pid(), signal.SIGHUP)
        wait_until(lambda: len(set(sc.worker_pids()) - set(old)) ==
                   len(old), 20, 0.02, "the new generation of workers")
        time.sleep(0.3)     # the old ones have had their SIGTERM
        problems = []
        for s, data, cut, what, expect in pending:
            try:
                s.sendall(data[cut:])
            except OSError as exc:
                problems.append("%s: connection lost before the rest was "
                                "sent (%s)" % (what, exc))
                continue
            stdout, ended, closed, timed_out = read_answer(s)
            if not ended:
                problems.append("%s: no answer (closed=%s timed_out=%s)" % (
                    what, closed, timed_out))
                continue
            got = parse_cgi_response(stdout).status
            if got != expect:
                problems.append("%s: status %s, expected %s" % (
                    what, got, expect))
        eq(problems, [], "requests being received during SIGHUP")
    finally:
        for s, *_ in pending:
            s.close()
        sc.wait_workers(exclude=old)


@test
def single_worker_under_spawn_fcgi():
    sock = os.path.join(run_dir(), "spawn-%s.sock" % uuid.uuid4().hex[:12])
    out = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        ["spawn-fcgi", "-n", "-s", sock, "--", binary()],
        stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        env=dict(os.environ))

    def output():
        out.seek(0)
        return out.read()[-500:].decode("utf-8", "replace")
    try:
        wait_until(lambda: os.path.exists(sock) or proc.poll() is not None,
                   10, 0.02, "spawn-fcgi socket %s" % sock)
        if proc.poll() is not None:
            raise AssertionError("spawn-fcgi exited (%s): %s" % (
                proc.returncode, output()))
        # spawn-fcgi binds the socket, then execs: the socket may show
        # a moment before the exec (seen on a loaded machine)
        wait_until(lambda: exe(proc.pid) == os.path.realpath(binary()), 10,
                   0.02, "spawn-fcgi -n to exec the worker in place (exe: "
                   "%s)" % exe(proc.pid))
        h = status(fcgi_request("GET", "/health", socket_path=sock), 200)
        eq(h.json(), {"status": "ok", "postgresql": "up", "redis": "up"})
        page = status(fcgi_request("GET", "/signup", socket_path=sock), 200)
        contains(page.text, 'action="/signup"')
        status(fcgi_request("GET", "/nothing", socket_path=sock), 404)
        # one worker serves requests one after the other
        for i in range(10):
            status(fcgi_request("GET", "/health", socket_path=sock), 200,
                   "request #%d to the single worker" % i)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            raise AssertionError("the worker ignored SIGTERM for 10 s: %s"
                                 % output())
        eq(proc.returncode, 0, "exit status of the worker after SIGTERM")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        out.close()
        try:
            os.unlink(sock)
        except FileNotFoundError:
            pass


if __name__ == "__main__":
    raise SystemExit(run([__name__]))
