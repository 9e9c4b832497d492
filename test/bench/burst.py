#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`make bench`, measure 9: a burst of guest registrations to one event,
all at once, through nginx: exactly TOTAL POST /events/SLUG/rsvp with a
fresh e-mail each, over CONCURRENCY keep-alive connections. wrk cannot
stop at an exact count (a stopped thread drops what it has in flight), so
this client sends exactly TOTAL and times each.

    burst.py HOST PORT SLUG CSRF COOKIE TOTAL CONCURRENCY [PROXY]

PROXY: an address nginx trusts for X-Forwarded-For (the bench's
TRUSTED_PROXY): connections come from it and each registration carries an
address of its own, as 2,000 people would (nginx's per-client limits then
count each apart).

Prints "seconds S", "rate R", "p50 MS", "p99 MS", "errors N" (any answer
but 200)."""

import http.client
import sys
import threading
import time


def main(host, port, slug, csrf, cookie, total, concurrency, proxy=None):
    total, concurrency = int(total), int(concurrency)
    lat, errors, lock = [], [0], threading.Lock()
    start = threading.Barrier(concurrency + 1)

    def worker(k):
        conn = http.client.HTTPConnection(
            host, int(port), timeout=60,
            source_address=(proxy, 0) if proxy else None)
        mine = range(k, total, concurrency)
        start.wait()
        for i in mine:
            body = ("_csrf=%s&first_name=Jean&last_name=Rafale&email=burst-%d"
                    "%%40bench.test&postal_code=69001" % (csrf, i))
            t0 = time.monotonic()
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "Cookie": "csrf=" + cookie}
            if proxy:
                headers["X-Forwarded-For"] = "10.9.%d.%d" % (i // 250,
                                                             1 + i % 250)
            conn.request("POST", "/events/%s/rsvp" % slug, body, headers)
            resp = conn.getresponse()
            resp.read()
            dt = time.monotonic() - t0
            with lock:
                lat.append(dt)
                if resp.status != 200:
                    errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,))
               for k in range(concurrency)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.monotonic()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    lat.sort()
    print("seconds %.2f" % elapsed)
    print("rate %.0f" % (len(lat) / elapsed))
    print("p50 %.1f" % (lat[len(lat) // 2] * 1000))
    print("p99 %.1f" % (lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000))
    print("errors %d" % errors[0])


if __name__ == "__main__":
    main(*sys.argv[1:])
