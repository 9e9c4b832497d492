#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`make bench-launch` (scripts/bench-launch.sh): the logged-in members.

    launch_setup.py HOST PORT OUT MEMBERS LOGINS EVENTS MISSIONS

Takes one CSRF token and its cookie (GET /signup, as a browser would),
then logs in the MEMBERS members of test/bench/launch_setup.sql
(launch-member-K@bench.test) once each through POST /login (Argon2id, a
session in Redis: two at a time, as there are few workers) and writes, in
OUT:
  csrf         the token, then the cookie's value (two lines);
  rsvp.data    "SID<TAB>/events/launch-event-E/rsvp", members fastest;
  apply.data   "SID<TAB>/missions/launch-mission-M/apply", members fastest
               (MEMBERS x MISSIONS lines: each pair applies once);
  login.data   the LOGINS addresses launch-login-K@bench.test.
Fails (exit 1) when a member could not log in."""

import http.client
import os
import re
import sys
import threading
import urllib.parse

PASSWORD = "benchmark-pass"


def main(host, port, out, members, logins, events, missions):
    members, logins = int(members), int(logins)
    events, missions = int(events), int(missions)
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.request("GET", "/signup")
    resp = conn.getresponse()
    page = resp.read().decode()
    m = re.search(r'name="_csrf" value="([^"]+)"', page)
    c = re.search(r"csrf=([^;]+)", resp.getheader("Set-Cookie") or "")
    if resp.status != 200 or not m or not c:
        sys.exit("GET /signup: %d, no CSRF token or cookie" % resp.status)
    csrf, cookie = m.group(1), c.group(1)
    conn.close()

    sids, failed, lock = [None] * members, [], threading.Lock()

    def login(k):
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        for i in range(k, members, 2):
            email = "launch-member-%d@bench.test" % (i + 1)
            conn.request("POST", "/login", urllib.parse.urlencode({
                "_csrf": csrf, "email": email, "password": PASSWORD}), {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "csrf=" + cookie})
            resp = conn.getresponse()
            resp.read()
            s = re.search(r"sid=([^;]+)", resp.getheader("Set-Cookie") or "")
            if resp.status != 303 or not s:
                with lock:
                    failed.append("%s: %d" % (email, resp.status))
                continue
            sids[i] = s.group(1)
        conn.close()

    threads = [threading.Thread(target=login, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        sys.exit("log in failed for %d members, e.g. %s" % (
            len(failed), failed[0]))

    def write(name, lines):
        with open(os.path.join(out, name), "w") as f:
            f.write("".join(line + "\n" for line in lines))

    write("csrf", [csrf, cookie])
    write("rsvp.data", ["%s\t/events/launch-event-%d/rsvp" % (s, e)
                        for e in range(1, events + 1) for s in sids])
    write("apply.data", ["%s\t/missions/launch-mission-%d/apply" % (s, m)
                         for m in range(1, missions + 1) for s in sids])
    write("login.data", ["launch-login-%d@bench.test" % (i + 1)
                         for i in range(logins)])
    print("logged in %d members" % members)


if __name__ == "__main__":
    main(*sys.argv[1:])
