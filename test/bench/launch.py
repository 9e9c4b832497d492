#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`make bench`, measure 14 (issue 11, part C): jeveuxaider's launch in
miniature. TOTAL new volunteers, CONCURRENCY at a time, each through nginx
as a browser would: POST /signup (Argon2id), GET the confirmation link of
their mail, POST /login (Argon2id again: confirming does not log in), GET
the application form of a mission, POST it (waiting list accepted).

Two timed phases with a pause between them that is not counted: the
sign-ups, then (once the links are read from the outbox, which is reading
one's mail) confirm, log in and apply. Each volunteer's journey is the sum
of its own requests' times.

    launch.py HOST PORT CSRF COOKIE RUN TOTAL CONCURRENCY PROXY DATABASE_URL SLUG...

CSRF and COOKIE: a token and its csrf cookie (one GET of /signup); RUN:
a tag for the addresses (launch-RUN-N@bench.test); SLUG...: the missions,
applied to in turn. Prints "seconds S", "rate R" (volunteers a second),
"hashes H" (Argon2id hashes the server made a second: two a volunteer),
"p50 MS", "p99 MS" (a volunteer's journey), "req_p99 MS" (one request),
"errors N" (an unexpected status), "applied N"."""

import http.client
import re
import subprocess
import sys
import threading
import time
import urllib.parse

PASSWORD = "benchmark-pass"


def main(host, port, csrf, cookie, run, total, concurrency, proxy, dburl,
         *slugs):
    total, concurrency = int(total), int(concurrency)
    journey = [0.0] * total
    reqs, errors, lock = [], [0], threading.Lock()
    links = {}
    start = threading.Barrier(concurrency + 1)
    middle = threading.Barrier(concurrency + 1)
    resume = threading.Barrier(concurrency + 1)

    def email(i):
        return "launch-%s-%d@bench.test" % (run, i)

    def call(conn, i, method, path, body=None, cookies="", expect=(200,)):
        headers = {"Cookie": cookies, "X-Forwarded-For": "10.%d.%d.%d" % (
            11 + i // 62500, (i // 250) % 250, 1 + i % 250)}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(body)
        t0 = time.monotonic()
        conn.request(method, path, body, headers)
        resp = conn.getresponse()
        data = resp.read()
        dt = time.monotonic() - t0
        journey[i] += dt
        with lock:
            reqs.append(dt)
            if resp.status not in expect:
                errors[0] += 1
                if errors[0] <= 3:
                    sys.stderr.write("%s %s: %d %s\n" % (
                        method, path, resp.status, data[:200]))
        return resp, data

    def worker(k):
        conn = http.client.HTTPConnection(
            host, int(port), timeout=60,
            source_address=(proxy, 0) if proxy else None)
        mine = range(k, total, concurrency)
        base = "csrf=" + cookie
        start.wait()
        for i in mine:
            call(conn, i, "POST", "/signup", {
                "_csrf": csrf, "first_name": "Jeanne", "last_name": "Launch",
                "email": email(i), "password": PASSWORD, "gender": "female",
                "birth_date": "1990-01-01",
                "street": "1 rue de la République", "postal_code": "69001",
                "country": "FR", "city_code": "69381", "charter": "1"},
                base, (303,))
        middle.wait()
        resume.wait()
        for i in mine:
            link = links.get(email(i))
            if not link:
                with lock:
                    errors[0] += 1
                continue
            call(conn, i, "GET", link, None, base)
            resp, _ = call(conn, i, "POST", "/login", {
                "_csrf": csrf, "email": email(i), "password": PASSWORD},
                base, (303,))
            m = re.search(r"sid=([^;]+)", resp.getheader("Set-Cookie") or "")
            sid = m.group(1) if m else ""
            jar = base + "; sid=" + sid
            slug = slugs[i % len(slugs)]
            call(conn, i, "GET", "/missions/%s/apply" % slug, None, jar)
            call(conn, i, "POST", "/missions/%s/apply" % slug, {
                "_csrf": csrf, "motivation": "Je suis disponible et motivée "
                "pour aider, dès ce week-end.", "waitlist": "1"}, jar,
                (303,))
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,))
               for k in range(concurrency)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.monotonic()
    middle.wait()
    signups = time.monotonic() - t0
    # Reading one's mail: not timed.
    out = subprocess.run(
        ["psql", "-X", "-At", "-F", " ", "-d", dburl, "-c",
         "SELECT to_addr, substring(body_text FROM "
         "'/signup/confirm/[A-Za-z0-9_-]+') FROM outbox WHERE to_addr "
         "LIKE 'launch-%s-%%@bench.test'" % run],
        capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        addr, _, link = line.partition(" ")
        if link:
            links[addr] = link
    t1 = time.monotonic()
    resume.wait()
    for t in threads:
        t.join()
    elapsed = signups + (time.monotonic() - t1)
    applied = subprocess.run(
        ["psql", "-X", "-At", "-d", dburl, "-c",
         "SELECT count(*) FROM applications a JOIN users u ON u.id = "
         "a.user_id WHERE u.email LIKE 'launch-%s-%%@bench.test'" % run],
        capture_output=True, text=True, check=True).stdout.strip()
    journey.sort()
    reqs.sort()
    print("seconds %.2f" % elapsed)
    print("rate %.2f" % (total / elapsed))
    print("hashes %.2f" % (2 * total / elapsed))
    print("p50 %.1f" % (journey[len(journey) // 2] * 1000))
    print("p99 %.1f" % (journey[min(total - 1, int(total * 0.99))] * 1000))
    print("req_p99 %.1f" % (reqs[min(len(reqs) - 1,
                                     int(len(reqs) * 0.99))] * 1000))
    print("errors %d" % errors[0])
    print("applied %s" % applied)


if __name__ == "__main__":
    main(*sys.argv[1:])
