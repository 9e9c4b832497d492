# SPDX-License-Identifier: MIT
"""A Redis restart costs no request once Redis is back (issue 13, many
hosts): each worker's connection, closed by the old server, is made again
and the command sent once more (app/infra/kv.c), instead of the first
request of every worker answering 503. And a session kept by Redis across
the restart is still valid at the first request.

(The namespace cluster's test, scripts/cluster.sh test, does the same under
load with the append-only file of the cluster's Redis.)"""

import os
import subprocess
import threading

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import stackctl as sc


def health_burst(n):
    """n /health requests over FastCGI, 8 at a time (so every worker
    takes some): their statuses."""
    out = []
    lock = threading.Lock()

    def one():
        r = fcgi_request("GET", "/health")
        with lock:
            out.append((r.status, r.json().get("redis")))
    for start in range(0, n, 8):
        ts = [threading.Thread(target=one) for _ in range(min(8, n - start))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    return out


@test
def no_request_answers_503_once_redis_is_back():
    sc.restore_stack()
    member, _, _ = new_member()
    status(member.get("/account"), 200)
    n = 4 * sc.expected_workers()
    eq(set(health_burst(n)), {(200, "up")}, "every worker connected")
    try:
        # no request while it is down: each worker still holds the
        # connection the old server closed
        sc.stop_redis()          # SHUTDOWN SAVE: the sessions are kept
        # Redis alone (stack.sh start would ask every worker for /health)
        subprocess.run([os.path.join(sc.repo_root(), "scripts", "stack.sh"),
                        "redis", var_dir()], check=True,
                       stdout=subprocess.DEVNULL)
        status(member.get("/account"), 200,
               "the first request after the restart, with a session")
        eq(sorted(set(health_burst(n))), [(200, "up")],
           "every request once Redis is back")
    finally:
        sc.restore_stack()


if __name__ == "__main__":
    raise SystemExit(run([__name__]))
