# SPDX-License-Identifier: MIT
"""Control the services of the RUNNING civitas stack from functional tests.

Everything is read from the environment of the stack ($CIVITAS_VAR/env,
sourced before the tests): CIVITAS_VAR (pid files in $CIVITAS_VAR/run),
DATABASE_URL (host=<pg>/run -> data directory <pg>/data), WORKERS...

  * processes: pid_alive, service_pid, master_pid, worker_pids,
    wait_workers, mailer_pid, kill_mailer, start_mailer, redis_pid
  * services:  stop_postgres, postgres_running, postgres_pids,
    pause_postgres / resume_postgres (SIGSTOP / SIGCONT the whole cluster),
    stop_redis, redis_running,
    start_stack (scripts/stack.sh start: restarts only what is down),
    restore_stack (start_stack + wait for the workers and /health)
  * logs:      log_offset, log_since (what a service logged since a mark)
  * load:      Load (background threads, context manager) and load()

A note on zombies: when the stack was started by scripts/stack.sh its
daemons are orphans adopted by pid 1.  Where pid 1 does not reap children
(some containers), a killed mailer or a stopped Redis stays a zombie, and
stack.sh's "kill -0" liveness check would take it for alive and never
restart it.  kill_mailer()/stop_redis() therefore wait for the process to be
dead OR a zombie, and remove its pid file, so that stack.sh starts a new
one.  pid_alive() treats a zombie as dead.

Functions raise AssertionError (a test failure) when the stack does not
reach the expected state in time, RuntimeError when a command fails.
"""

import os
import random
import re
import signal
import subprocess
import threading
import time
import urllib.parse

import civitas
from civitas import (fcgi_request, http_request, run_dir, log_dir, var_dir,
                     trusted_proxy, wait_until)

__all__ = [
    "repo_root", "pid_alive", "read_pid", "service_pid", "master_pid",
    "children", "worker_pids", "follower_pid", "expected_workers", "wait_workers",
    "mailer_pid", "kill_mailer", "start_mailer", "redis_pid",
    "pg_data_dir", "pg_bin", "postgres_running", "stop_postgres",
    "postmaster_pid", "postgres_pids", "pause_postgres", "resume_postgres",
    "redis_running", "stop_redis", "start_stack", "restore_stack",
    "health", "log_offset", "log_since", "random_client_ip",
    "Load", "load", "is_failure",
]


def repo_root():
    return civitas.REPO_ROOT


# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------

def _stat(pid):
    """(state, ppid) from /proc/PID/stat, or None when there is no such
    process."""
    try:
        with open("/proc/%d/stat" % int(pid), "rb") as fh:
            data = fh.read().decode("ascii", "replace")
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    rest = data[data.rfind(")") + 2:].split()
    if len(rest) < 2:
        return None
    return rest[0], int(rest[1])


def pid_alive(pid):
    """True when the process exists and is not a zombie."""
    if not pid:
        return False
    st = _stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def read_pid(name):
    """The pid in $CIVITAS_VAR/run/NAME.pid (None when absent/empty)."""
    try:
        with open(os.path.join(run_dir(), name + ".pid")) as fh:
            text = fh.read().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def service_pid(name):
    """pid of the service NAME (fcgi, mailer, smtp, redis, nginx) when it
    is alive, else None."""
    pid = read_pid(name)
    return pid if pid_alive(pid) else None


def master_pid():
    """pid of the FastCGI master (civitas-fcgi serve)."""
    return service_pid("fcgi")


def children(ppid):
    """pids of the live (non-zombie) children of ppid, sorted."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        st = _stat(entry)
        if st and st[1] == ppid and st[0] not in ("Z", "X"):
            out.append(int(entry))
    return sorted(out)


def follower_pid(master=None):
    """pid of the master's degraded-mode follower (`civitas-fcgi
    mode-follow`, issue 13), or None."""
    master = master or master_pid()
    for pid in children(master) if master else []:
        if _argv(pid)[1:2] == ["mode-follow"]:
            return pid
    return None


def _argv(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().decode("utf-8", "replace").split("\0")[:-1]
    except OSError:
        return []


def worker_pids():
    """pids of the workers: the live children of the master, but its
    degraded-mode follower (issue 13)."""
    master = master_pid()
    if master is None:
        raise AssertionError("the FastCGI master is not running (%s)"
                             % os.path.join(run_dir(), "fcgi.pid"))
    return [p for p in children(master)
            if _argv(p)[1:2] != ["mode-follow"]]


def expected_workers():
    return int(os.environ.get("WORKERS") or 4)


def wait_workers(count=None, exclude=(), timeout=20):
    """Wait until the master has exactly `count` (default WORKERS) live
    workers, none of them in `exclude`; returns their pids (sorted)."""
    count = expected_workers() if count is None else count
    exclude = set(exclude)
    state = {}

    def probe():
        pids = worker_pids()
        state["last"] = pids
        return pids if len(pids) == count and not exclude & set(pids) \
            else None
    try:
        return wait_until(probe, timeout, 0.05)
    except AssertionError:
        raise AssertionError(
            "expected %d workers none of %s, got %s after %ss" % (
                count, sorted(exclude), state.get("last"), timeout))


def _wait_gone(pid, timeout=15, what="process"):
    wait_until(lambda: not pid_alive(pid), timeout, 0.02,
               "%s %s to exit" % (what, pid))


def _remove_pid_file(name, pid):
    """Remove run/NAME.pid if it still names pid (see the zombie note)."""
    if read_pid(name) == pid:
        try:
            os.unlink(os.path.join(run_dir(), name + ".pid"))
        except FileNotFoundError:
            pass


def mailer_pid():
    return service_pid("mailer")


def kill_mailer(sig=signal.SIGKILL, timeout=15):
    """Send sig to the mail worker, wait for its end, forget its pid file.
    Returns the pid it had (None when it was not running)."""
    pid = mailer_pid()
    if pid is None:
        return None
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
    _wait_gone(pid, timeout, "mailer")
    proc = _children.pop(pid, None)
    if proc is not None:
        proc.wait()        # ours: reap it now
    _remove_pid_file("mailer", pid)
    return pid


_children = {}     # pid -> Popen of the mailers started here (to reap)


def start_mailer(via_stack=False, timeout=60):
    """(Re)start the mail worker when it is not running; returns its pid.

    By default it is started exactly as scripts/stack.sh starts it (same
    binary, environment, log file and pid file) but without waiting for the
    rest of the stack: a test killing it mid-batch must be able to kill it
    again before it has delivered everything.  via_stack=True runs
    "stack.sh start" instead (which also checks the whole stack)."""
    pid = mailer_pid()
    if pid is not None:
        return pid
    if via_stack:
        start_stack(timeout)
        return wait_until(mailer_pid, 10, 0.05, "mailer running")
    _forget_dead_services()
    binary = os.path.join(os.environ.get("BIN_DIR") or
                          os.path.join(repo_root(), "build"),
                          "civitas-mailer")
    log = open(os.path.join(log_dir(), "mailer.log"), "ab")
    try:
        proc = subprocess.Popen([binary], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT,
                                env=dict(os.environ),
                                start_new_session=True)
    finally:
        log.close()
    _children[proc.pid] = proc
    tmp = os.path.join(run_dir(), ".mailer.pid.%d" % os.getpid())
    with open(tmp, "w") as fh:
        fh.write("%d\n" % proc.pid)
    os.replace(tmp, os.path.join(run_dir(), "mailer.pid"))
    return proc.pid


def redis_pid():
    return service_pid("redis")


# --------------------------------------------------------------------------
# PostgreSQL / Redis
# --------------------------------------------------------------------------

def _pg_socket_dir():
    url = os.environ.get("DATABASE_URL") or ""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    hosts = query.get("host")
    if not hosts or not hosts[0].startswith("/"):
        raise RuntimeError("DATABASE_URL has no host=/<dir>/run socket "
                           "directory: %r" % url)
    return hosts[0].rstrip("/")


def pg_data_dir():
    """The cluster's data directory: DATABASE_URL host=<pg>/run ->
    <pg>/data (the layout of scripts/stack.sh)."""
    return os.path.join(os.path.dirname(_pg_socket_dir()), "data")


def pg_bin(name="pg_ctl"):
    """Newest /usr/lib/postgresql/*/bin/NAME (as stack.sh picks it)."""
    root = "/usr/lib/postgresql"
    versions = [v for v in os.listdir(root)
                if os.path.isdir(os.path.join(root, v, "bin"))]
    versions.sort(key=lambda v: [int(x) if x.isdigit() else x
                                 for x in re.split(r"(\d+)", v)])
    if not versions:
        raise RuntimeError("no PostgreSQL under %s" % root)
    return os.path.join(root, versions[-1], "bin", name)


def _as_pg(cmd):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + cmd
    return cmd


def postgres_running():
    proc = subprocess.run(_as_pg([pg_bin(), "-D", pg_data_dir(), "status"]),
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    return proc.returncode == 0


# PG_FAST is not written in $CIVITAS_VAR/env: remember whether the running
# cluster was started with it, to restart it the same way.
_pg_fast = None


def _remember_pg_fast():
    global _pg_fast
    try:
        _pg_fast = civitas.psql_value("SHOW fsync") == "off"
    except RuntimeError:
        pass


def stop_postgres(timeout=60):
    """pg_ctl stop -m fast (as stack.sh does), waits until it is down."""
    _remember_pg_fast()
    proc = subprocess.run(
        _as_pg([pg_bin(), "-D", pg_data_dir(), "-m", "fast", "-w",
                "-t", str(timeout), "stop"]),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode != 0 and postgres_running():
        raise RuntimeError("pg_ctl stop failed: %s"
                           % proc.stdout.decode("utf-8", "replace"))
    wait_until(lambda: not postgres_running(), timeout, 0.1,
               "PostgreSQL to stop")


def postmaster_pid():
    """pid of the cluster's postmaster (first line of
    <data>/postmaster.pid) when it is alive, else None."""
    try:
        with open(os.path.join(pg_data_dir(), "postmaster.pid")) as fh:
            first = fh.readline().strip()
    except FileNotFoundError:
        return None
    pid = int(first) if first.isdigit() else None
    return pid if pid_alive(pid) else None


def postgres_pids():
    """The postmaster then its live children (backends, checkpointer,
    walwriter...): every process of the cluster.  [] when it is down."""
    pm = postmaster_pid()
    return [pm] + children(pm) if pm else []


def _stopped(pid):
    st = _stat(pid)
    return st is None or st[0] in ("T", "t", "Z", "X")


def pause_postgres(timeout=10):
    """SIGSTOP the whole cluster, as if its machine froze: connections
    stay open, nothing answers.  The postmaster first, so that it forks
    nothing more; then its children, listed again until none is left
    running (one forked just before the stop shows up a moment later).
    Returns the pids stopped; ALWAYS pair with resume_postgres() in a
    finally block, or the cluster stays frozen for the next tests."""
    pm = postmaster_pid()
    if pm is None:
        raise AssertionError("PostgreSQL is not running (no postmaster in %s)"
                             % pg_data_dir())
    os.kill(pm, signal.SIGSTOP)
    stopped = [pm]

    def all_stopped():
        for pid in children(pm):
            if pid not in stopped:
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)
        return all(_stopped(pid) for pid in stopped) and \
            set(children(pm)) <= set(stopped)
    wait_until(all_stopped, timeout, 0.01, "every PostgreSQL process to stop")
    return stopped


def resume_postgres(pids=()):
    """SIGCONT the pids pause_postgres() returned and every process of the
    cluster (safe to call when nothing is stopped)."""
    for pid in list(pids) + [p for p in postgres_pids() if p not in pids]:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


def redis_running():
    sock = os.path.join(run_dir(), "redis.sock")
    proc = subprocess.run(["redis-cli", "-s", sock, "ping"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return proc.returncode == 0 and proc.stdout.strip() == b"PONG"


def stop_redis(timeout=20, save=True):
    """SHUTDOWN Redis (as stack.sh does), waits until it is gone. It saves
    first unless told not to: other modules' cached clients (e.g.
    test_manage's admin, imported by later modules) stay logged in across
    an outage test."""
    pid = redis_pid()
    sock = os.path.join(run_dir(), "redis.sock")
    subprocess.run(["redis-cli", "-s", sock, "shutdown",
                    "save" if save else "nosave"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if pid is not None:
        _wait_gone(pid, timeout, "redis")
        _remove_pid_file("redis", pid)
    wait_until(lambda: not redis_running(), timeout, 0.05, "Redis to stop")


# --------------------------------------------------------------------------
# The whole stack
# --------------------------------------------------------------------------

def _forget_dead_services():
    """Remove the pid files naming a dead or zombie process, so that
    stack.sh (which tests liveness with kill -0) restarts the service."""
    for name in ("mailer", "smtp", "fcgi", "redis", "nginx"):
        pid = read_pid(name)
        if pid is not None and not pid_alive(pid):
            _remove_pid_file(name, pid)


def start_stack(timeout=120):
    """scripts/stack.sh start $CIVITAS_VAR with the tests' environment:
    starts whatever is not running (idempotent), waits for /health."""
    _forget_dead_services()
    env = dict(os.environ)
    if _pg_fast and not env.get("PG_FAST"):
        env["PG_FAST"] = "1"
    script = os.path.join(repo_root(), "scripts", "stack.sh")
    try:
        proc = subprocess.run([script, "start", var_dir()], env=env,
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError("stack.sh start took more than %ss: %s" % (
            timeout, (exc.output or b"").decode("utf-8", "replace")))
    if proc.returncode != 0:
        raise RuntimeError("stack.sh start failed (%d): %s" % (
            proc.returncode, proc.stdout.decode("utf-8", "replace")))
    return proc.stdout.decode("utf-8", "replace")


def health(via="fcgi"):
    """(status, json or None) of GET /health."""
    try:
        if via == "fcgi":
            r = fcgi_request("GET", "/health", timeout=10)
        else:
            r = http_request("GET", "/health", timeout=10,
                             source_address=(trusted_proxy(), 0),
                             forwarded_for=random_client_ip())
    except (OSError, ValueError):
        return None, None
    try:
        return r.status, r.json()
    except AssertionError:
        return r.status, None


def restore_stack(timeout=60):
    """Bring everything back (used in finally blocks): stack.sh start,
    then wait for WORKERS workers and /health 200 through every worker."""
    start_stack(timeout)
    wait_workers(timeout=timeout)
    wait_until(lambda: all(health()[0] == 200 for _ in range(8)), timeout,
               0.2, "/health 200 after restoring the stack")


# --------------------------------------------------------------------------
# Logs
# --------------------------------------------------------------------------

def log_offset(name="fcgi.log"):
    """Current size of $CIVITAS_VAR/log/NAME: a mark for log_since()."""
    try:
        return os.path.getsize(os.path.join(log_dir(), name))
    except FileNotFoundError:
        return 0


def log_since(offset, name="fcgi.log"):
    """Text appended to $CIVITAS_VAR/log/NAME since the mark."""
    try:
        with open(os.path.join(log_dir(), name), "rb") as fh:
            fh.seek(offset)
            return fh.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


# --------------------------------------------------------------------------
# Load
# --------------------------------------------------------------------------

def random_client_ip():
    """A random address of 100.64.0.0/10 (shared address space): a fresh
    client for nginx's rate limits when sent through TRUSTED_PROXY."""
    n = random.getrandbits(22)
    return "100.%d.%d.%d" % (64 + (n >> 16), (n >> 8) & 255,
                             max(1, n & 255))


def is_failure(result):
    """A request failed: transport error (str) or a 5xx status."""
    return not isinstance(result, int) or result >= 500


class Load:
    """Concurrent requests from background threads.

        with Load("/health", concurrency=4, via="fcgi") as ld:
            ...                      # disturb the stack
        ld.results                   # statuses (int) or error strings

    via="http" goes through nginx; by default every request then comes
    from a distinct client (bound to TRUSTED_PROXY, random
    X-Forwarded-For) so nginx's rate limits never answer 429 to the load
    itself; client_ip=None sends from 127.0.0.1 instead.
    Stops after `count` requests, after `seconds`, or on stop().
    """

    def __init__(self, path="/health", seconds=None, count=None,
                 concurrency=4, via="http", method="GET", headers=None,
                 body=b"", client_ip="random", timeout=15):
        if via not in ("http", "fcgi"):
            raise ValueError("via must be 'http' or 'fcgi'")
        self.path = path
        self.seconds = seconds
        self.count = count
        self.concurrency = concurrency
        self.via = via
        self.method = method
        self.headers = headers
        self.body = body
        self.client_ip = client_ip
        self.timeout = timeout
        self.results = []
        self._lock = threading.Lock()
        self._issued = 0
        self._stop = threading.Event()
        self._threads = []
        self._deadline = None

    def _next(self):
        with self._lock:
            if self._stop.is_set():
                return False
            if self.count is not None and self._issued >= self.count:
                return False
            if self._deadline is not None and \
                    time.monotonic() >= self._deadline:
                return False
            self._issued += 1
            return True

    def _one(self):
        try:
            if self.via == "fcgi":
                r = fcgi_request(self.method, self.path, self.headers,
                                 self.body, timeout=self.timeout)
            else:
                ip = self.client_ip
                if ip == "random":
                    ip = random_client_ip()
                r = http_request(self.method, self.path, self.headers,
                                 self.body, timeout=self.timeout,
                                 source_address=(trusted_proxy(), 0)
                                 if ip else None,
                                 forwarded_for=ip)
            return r.status
        except Exception as exc:   # noqa: BLE001 - a failed request
            return "%s: %s" % (type(exc).__name__, exc)

    def _run(self):
        while self._next():
            res = self._one()
            with self._lock:
                self.results.append(res)

    def start(self):
        if self.seconds is not None:
            self._deadline = time.monotonic() + self.seconds
        for _ in range(self.concurrency):
            t = threading.Thread(target=self._run, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def wait(self, timeout=None):
        """Wait for the end (count/seconds reached); returns results."""
        end = None if timeout is None else time.monotonic() + timeout
        for t in self._threads:
            t.join(None if end is None else max(0, end - time.monotonic()))
        return list(self.results)

    def stop(self):
        self._stop.set()
        return self.wait(self.timeout + 5)

    @property
    def done(self):
        with self._lock:
            return len(self.results)

    def failures(self):
        with self._lock:
            return [r for r in self.results if is_failure(r)]

    def wait_done(self, n, timeout=30):
        """Wait until at least n more requests completed (progress)."""
        target = self.done + n
        wait_until(lambda: self.done >= target, timeout, 0.01,
                   "%d requests of the load to complete" % n)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def load(path="/health", seconds=None, count=None, concurrency=4,
         via="http", **kwargs):
    """Run a load to its end; returns the per-request results (status int
    or error string), in completion order."""
    if seconds is None and count is None:
        raise ValueError("load: give seconds or count")
    ld = Load(path, seconds, count, concurrency, via, **kwargs).start()
    return ld.wait()
