# SPDX-License-Identifier: MIT
"""The FastCGI master and its workers (app/core/master.c): prefork count,
respawn of a killed worker, SIGHUP generations without dropped requests,
and the binary as a single spawn-fcgi worker.

Every test leaves WORKERS live workers behind (new pids are fine).
"""

import os
import signal
import subprocess
import time
import uuid

from civitas import *
import stackctl as sc


def binary():
    return os.path.join(os.environ.get("BIN_DIR") or
                        os.path.join(sc.repo_root(), "build"),
                        "civitas-fcgi")


def exe(pid):
    try:
        return os.path.realpath("/proc/%d/exe" % pid)
    except OSError:
        return None


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
            victim = current[0]
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
    sighup_under_load("fcgi")


@test
def sighup_replaces_every_worker_without_failure_through_nginx():
    sighup_under_load("http")


@test
def single_worker_under_spawn_fcgi():
    sock = os.path.join(run_dir(), "spawn-%s.sock" % uuid.uuid4().hex[:12])
    proc = subprocess.Popen(
        ["spawn-fcgi", "-n", "-s", sock, "--", binary()],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        wait_until(lambda: os.path.exists(sock) or proc.poll() is not None,
                   10, 0.02, "spawn-fcgi socket %s" % sock)
        ok(proc.poll() is None, "spawn-fcgi exited (%s): %s" % (
            proc.returncode, proc.stdout.read()[:500]))
        eq(exe(proc.pid), os.path.realpath(binary()),
           "spawn-fcgi -n execs the worker in place")
        h = status(fcgi_request("GET", "/health", socket_path=sock), 200)
        eq(h.json(), {"status": "ok", "postgresql": "up", "redis": "up"})
        page = status(fcgi_request("GET", "/signup", socket_path=sock), 200)
        contains(page.text, 'action="/signup"')
        status(fcgi_request("GET", "/nothing", socket_path=sock), 404)
        # one worker serves requests one after the other
        results = sc.load("/health", count=20, concurrency=1, via="fcgi")
        eq(summary(results), {200: 20}, "the pool kept working meanwhile")
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            raise AssertionError("the worker ignored SIGTERM for 10 s")
        eq(proc.returncode, 0, "exit status of the worker after SIGTERM")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
        try:
            os.unlink(sock)
        except FileNotFoundError:
            pass


if __name__ == "__main__":
    raise SystemExit(run([__name__]))
