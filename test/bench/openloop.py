#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`make bench`, measure 6 (issue 12): latency at a constant rate, open
loop. wrk only closes the loop (a connection sends its next request when
the last one is answered), so a slow answer holds back the requests that
should have followed it and their wait is never counted (coordinated
omission). Here request i is due at START + i / RATE whatever happened
before; it goes out on the first free keep-alive connection of CONNS, and
its latency runs from the time it was due to the end of its answer: a
stall of the server shows in every request it delayed.

    openloop.py HOST PORT RATE SECONDS CONNS HEADER PATH...

RATE: requests a second (uniform spacing); SECONDS: how long requests are
sent; HEADER: one "Name: value" sent with each request ("" for none);
PATH...: the paths, requested in turn. Prints "sent N", "rate R" (answers
a second, from the first request due to the last answer), "p50 MS",
"p99 MS", "max MS", "errors N" (any answer but 200, or a broken
connection)."""

import http.client
import queue
import sys
import threading
import time


def main(host, port, rate, seconds, conns, header, *paths):
    rate, seconds, conns = float(rate), float(seconds), int(conns)
    total = max(1, int(rate * seconds))
    headers = {}
    if header:
        name, _, value = header.partition(":")
        headers[name.strip()] = value.strip()
    due = queue.Queue()
    lat, errors, lock = [], [0], threading.Lock()
    last = [0.0]

    def worker():
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        while True:
            item = due.get()
            if item is None:
                break
            t_due, path = item
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                ok = False
            t_end = time.monotonic()
            with lock:
                lat.append(t_end - t_due)
                last[0] = max(last[0], t_end)
                if not ok:
                    errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for t in threads:
        t.start()
    start = time.monotonic() + 0.1
    for i in range(total):
        t_due = start + i / rate
        wait = t_due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        due.put((t_due, paths[i % len(paths)]))
    for _ in threads:
        due.put(None)
    for t in threads:
        t.join()
    lat.sort()
    n = len(lat)
    print("sent %d" % total)
    print("rate %.1f" % (n / (last[0] - start)))
    print("p50 %.2f" % (lat[n // 2] * 1000))
    print("p99 %.2f" % (lat[min(n - 1, int(n * 0.99))] * 1000))
    print("max %.2f" % (lat[-1] * 1000))
    print("errors %d" % errors[0])


if __name__ == "__main__":
    main(*sys.argv[1:])
