# SPDX-License-Identifier: MIT
"""The read replica (issue 13, features/replica.c): a streaming replica of
the test cluster (`scripts/stack.sh replica`), and a master of its own with
DATABASE_REPLICA_URL on a socket of its own. Public read routes read from
the replica when it is fresh (header X-Read-From: replica), fall back to the
primary when it lags or is down, and an article published on the primary is
visible through the replica master as soon as the worker is told of it.
"""

import os
import subprocess
import time
import uuid

from civitas import *   # noqa: F401,F403
import content_fixtures as cf
from fixtures import fcgi_binary
import stackctl as sc

_state = {}


def replica_url():
    if "url" not in _state:
        proc = subprocess.run(
            [os.path.join(sc.repo_root(), "scripts", "stack.sh"), "replica",
             var_dir()], env=dict(os.environ), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, timeout=120)
        out = proc.stdout.decode("utf-8", "replace").strip()
        eq(proc.returncode, 0, "stack.sh replica: %s" % out)
        _state["url"] = out.splitlines()[-1]
    return _state["url"]


def replica_sql(sql):
    proc = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-v",
                           "ON_ERROR_STOP=1", "-d", replica_url(), "-c", sql],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    eq(proc.returncode, 0, "psql on the replica: %s" %
       proc.stderr.decode("utf-8", "replace"))
    return proc.stdout.decode("utf-8").strip()


def replica_ctl(action):
    """pg_ctl ACTION on the replica (stop; start goes through stack.sh,
    which knows its options)."""
    data = replica_url().split("host=")[1].rsplit("/run", 1)[0] + "/data"
    subprocess.run(["runuser", "-u", "postgres", "--", sc.pg_bin("pg_ctl"),
                    "-D", data, "-m", "fast", "-w", action],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)


class ReplicaMaster:
    """A master reading public routes from the replica, on its own
    socket."""

    def __enter__(self):
        self.sock = os.path.join(run_dir(), "replica-%s.sock"
                                 % uuid.uuid4().hex[:8])
        env = dict(os.environ, LISTEN="unix:" + self.sock, WORKERS="2",
                   DATABASE_REPLICA_URL=replica_url(), DEGRADED_FILE="",
                   SEARCH_CACHE_SECONDS="0")
        self.log = open(os.path.join(log_dir(), "replica-master.log"), "ab")
        self.proc = subprocess.Popen([fcgi_binary(), "serve"], env=env,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        wait_until(lambda: os.path.exists(self.sock), 15, 0.05,
                   "the replica master's socket")
        return self

    def get(self, path):
        return fcgi_request("GET", path, socket_path=self.sock)

    def from_replica(self, path="/api/events"):
        resp = status(self.get(path), 200, path)
        return resp.headers.get("X-Read-From") == "replica"

    def wait_replica(self, used=True, what="the replica"):
        wait_until(lambda: all(self.from_replica() == used
                               for _ in range(4)), 20, 0.2,
                   "%s %s" % (what, "used" if used else "left"))

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@test
def public_reads_go_to_the_replica_and_nothing_else():
    with ReplicaMaster() as m:
        m.wait_replica()
        eq(replica_sql("SELECT pg_is_in_recovery()"), "t", "a real replica")
        for path in ("/api/events", "/api/search?q=projet", "/events"):
            ok(m.from_replica(path), "%s from the replica" % path)
        for path in ("/signup", "/login", "/health"):
            eq(m.get(path).headers.get("X-Read-From"), None,
               "%s reads the primary" % path)


@test
def an_article_published_on_the_primary_shows_at_once():
    with ReplicaMaster() as m:
        m.wait_replica()
        # Fill the worker's page cache with the list first.
        status(m.get("/articles"), 200)
        status(m.get("/articles"), 200)
        _, slug = cf.make_article(title="Répliqué " + cf.word())
        started = time.monotonic()
        wait_until(lambda: m.get("/articles/" + slug).status == 200 and
                   slug in m.get("/articles").text, 15, 0.05,
                   "the article through the replica master")
        print("    visible after %.2f s (nginx's micro-cache adds its "
              "5 s at most)" % (time.monotonic() - started))


@test(slow=True)
def a_lagging_replica_is_left_for_the_primary():
    with ReplicaMaster() as m:
        m.wait_replica()
        replica_sql("SELECT pg_wal_replay_pause()")
        try:
            # the primary goes on writing: the replica falls behind
            w = cf.word()
            _, slug = cf.make_article(title="Pendant la pause " + w)
            # From the primary as soon as the worker hears of the change:
            # its notification reaches the worker's connection a moment
            # after the commit (the listening backend forwards it), not
            # before; the paused replica never has the article. Within
            # 0.5 s: the once-a-second lag check alone would take 1-2 s.
            wait_until(lambda: m.get("/articles/" + slug).status == 200,
                       0.5, 0.02, "published during the pause: from the "
                       "primary once the change is notified")
            m.wait_replica(used=False, what="the lagging replica")
            contains(m.get("/api/search?q=" + w).text, slug,
                     "search finds it, from the primary")
        finally:
            replica_sql("SELECT pg_wal_replay_resume()")
        m.wait_replica(what="the replica, caught up")


@test(slow=True)
def a_replica_down_is_left_for_the_primary():
    with ReplicaMaster() as m:
        m.wait_replica()
        replica_ctl("stop")
        try:
            m.wait_replica(used=False, what="the stopped replica")
            for i in range(20):
                status(m.get("/api/events"), 200, "request %d, replica "
                       "down" % i)
        finally:
            _state.pop("url", None)
            replica_url()          # stack.sh replica starts it again
        m.wait_replica(what="the restarted replica")
