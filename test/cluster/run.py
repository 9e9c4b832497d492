#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The cluster under faults (issue 13, many hosts), run by
`scripts/cluster.sh test` inside the front namespace of a fresh cluster
(three worker hosts, a database host, nginx in front; scripts/cluster.sh).

A bounded mixed load of browsers (Python threads, each browser a client
address of its own through nginx's trusted proxy): GETs of the home page,
an article, the events and a search (the public pages), sign-ups through
the real form (GET /signup, then POST with its CSRF token) and event
registrations (GET the form, POST it). Meanwhile:
  1. every process of worker host w2 is killed (SIGKILL);
  2. the database host's Redis is shut down for 10 seconds, then started
     again on the same append-only file;
  3. w2 is started again.
Then: no GET failed, apart from clean 503s (our readable page) during the
Redis stop; every sign-up and registration that got its success page is in
the database, none twice (rows counted by e-mail); a member's session made
before the Redis restart is still valid after it; and after Redis loses
everything (stopped, its files deleted, started) the member must log in
again, and nothing of record is lost.

Prints the counts (requests/s, answers and failures by kind) and ends with
"N passed, N failed"; exit status 0 only when every expectation held.
Bounds: LOAD_THREADS (12) browsers, at most LOAD_MAX (40000) requests, and
the schedule above (about 35 s of load)."""

import collections
import os
import queue
import random
import re
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "test", "lib"))

from civitas import (Client, page_links, psql,  # noqa: E402
                     psql_value, unique_email, fcgi_build_request,
                     fcgi_params, fcgi_read_records, fcgi_response)
from fixtures import (new_member, login, signup_fields,  # noqa: E402
                      submit_page, PASSWORD)

CLUSTER = os.path.join(REPO, "scripts", "cluster.sh")
DIR = os.environ["CLUSTER_DIR"]
NS = os.environ.get("CLUSTER_NS", "civ")
THREADS = int(os.environ.get("LOAD_THREADS", "12"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX", "40000"))
WORKER_ADDR = {"w1": "198.18.0.11", "w2": "198.18.0.12",
               "w3": "198.18.0.13"}
WORDS = ["lyon", "transports", "europe", "climat", "école", "santé",
         "comité", "débat", "emploi", "culture"]

# this run's addresses (a cluster started by hand may be tested twice)
SIGNUP, RSVP = "cl%d-signup" % os.getpid(), "cl%d-rsvp" % os.getpid()
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + what, flush=True)
    else:
        failed += 1
        print("FAIL " + what, flush=True)
    return cond


def say(msg):
    print("cluster-test: " + msg, flush=True)


def ctl(*args):
    """scripts/cluster.sh ARGS... DIR (faults)."""
    subprocess.run([CLUSTER] + list(args) + [DIR], check=True,
                   stdout=subprocess.DEVNULL)


def is_clean_503(resp):
    """Our readable 503 (the workers' page or a form's banner), not an
    nginx error page."""
    text = resp.body.decode("utf-8", "replace")
    return (resp.status == 503 and "momentanément indisponible" in text
            and "/assets/app." in text)


def browser():
    return Client("http", client_ip="100.%d.%d.%d" % (
        random.randint(64, 127), random.randint(0, 255),
        random.randint(1, 254)), timeout=30)


# --------------------------------------------------------------------------
# The load
# --------------------------------------------------------------------------

Result = collections.namedtuple("Result", "kind method status clean t0 t1")


class Load:
    def __init__(self, article, event, members):
        self.article, self.event = article, event
        self.members = members    # a queue of logged-in browsers
        self.results = []
        self.signups = {}        # email -> "ok" | the failure
        self.rsvps = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.errors = []
        self.threads = [threading.Thread(target=self.run, daemon=True)
                        for _ in range(THREADS)]

    def record(self, kind, method, resp, t0):
        if isinstance(resp, Exception):
            r = Result(kind, method, type(resp).__name__, False, t0,
                       time.monotonic())
        else:
            r = Result(kind, method, resp.status, is_clean_503(resp), t0,
                       time.monotonic())
        with self.lock:
            self.results.append(r)
            if len(self.results) >= MAX_REQUESTS:
                self.stop.set()
        return r

    def do(self, c, kind, method, url, fields=None, page=None, sel=None):
        t0 = time.monotonic()
        try:
            if method == "GET":
                resp = c.get(url)
            else:
                resp = submit_page(c, page, fields, sel, url)
        except Exception as exc:      # a timeout, a reset: a failure
            self.record(kind, method, exc, t0)
            return None
        self.record(kind, method, resp, t0)
        return resp

    def signup(self, c):
        page = self.do(c, "signup", "GET", "/signup")
        if page is None or page.status != 200:
            return
        fields = signup_fields(email=unique_email(SIGNUP))
        email = fields["email"].lower()
        resp = self.do(c, "signup", "POST", "/signup", fields, page)
        ok = resp is not None and resp.status == 303 and \
            (resp.location or "").endswith("/signup/done")
        with self.lock:
            self.signups[email] = "ok" if ok else (
                resp.status if resp is not None else "exception")

    def rsvp(self, c):
        url = "/events/%s/rsvp" % self.event
        page = self.do(c, "rsvp", "GET", url)
        if page is None or page.status != 200:
            return
        email = unique_email(RSVP).lower()
        fields = {"first_name": "Léa", "last_name": "Durand",
                  "email": email, "postal_code": "69003"}
        resp = self.do(c, "rsvp", "POST", url, fields, page, "#rsvp-form")
        ok = resp is not None and resp.status == 200 and \
            "Inscription confirmée" in resp.text
        with self.lock:
            self.rsvps[email] = "ok" if ok else (
                resp.status if resp is not None else "exception")

    def one(self):
        c = browser()
        kind = random.choices(
            ["home", "article", "events", "search", "signup", "rsvp",
             "member"], [30, 20, 15, 15, 8, 12, 5])[0]
        if kind == "member":    # a member's own page: needs Redis
            m = self.members.get()
            try:
                self.do(m, kind, "GET", "/account")
            finally:
                self.members.put(m)
        elif kind == "home":
            self.do(c, kind, "GET", "/")
        elif kind == "article":
            self.do(c, kind, "GET", "/articles/%s" % self.article)
        elif kind == "events":
            self.do(c, kind, "GET", "/events")
        elif kind == "search":
            q = random.choice(WORDS)
            if random.random() < 0.3:   # a miss of nginx's micro-cache
                q += " %d" % random.randint(1, 10 ** 6)
            self.do(c, kind, "GET", "/search?q=" + urllib.parse.quote_plus(q))
        elif kind == "signup":
            self.signup(c)
        else:
            self.rsvp(c)

    def run(self):
        while not self.stop.is_set():
            try:
                self.one()
            except Exception:
                with self.lock:
                    self.errors.append(traceback.format_exc())
                time.sleep(0.05)

    def __enter__(self):
        self.started = time.monotonic()
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(60)
        self.ended = time.monotonic()


# --------------------------------------------------------------------------
# Helpers on the cluster
# --------------------------------------------------------------------------

def fcgi_health_from(host_ns, addr):
    """A FastCGI GET /health to addr:9000, sent from the namespace host_ns
    (None: from here, the front host): the status, or None when the
    worker answered nothing."""
    if host_ns is None:
        data = fcgi_build_request(fcgi_params("GET", "/health"))
        s = socket.create_connection((addr, 9000), timeout=10)
        try:
            s.sendall(data)
            records, _ = fcgi_read_records(s, until_end=False)
        finally:
            s.close()
        r = fcgi_response(records)
        return r.status if r else None
    code = ("import sys; sys.path.insert(0, %r); import run; "
            "print(run.fcgi_health_from(None, %r))" % (HERE, addr))
    out = subprocess.run(["ip", "netns", "exec", "%s-%s" % (NS, host_ns),
                          "/usr/bin/python3", "-c", code],
                         capture_output=True, text=True, timeout=60)
    return out.stdout.strip()


def host_processes(h):
    out = subprocess.run(["ip", "netns", "pids", "%s-%s" % (NS, h)],
                         capture_output=True, text=True)
    return out.stdout.split()


def record_counts():
    users = int(psql_value("SELECT count(*) FROM users"))
    regs = int(psql_value("SELECT count(*) FROM event_registrations"))
    return users, regs


def seed():
    """An article and an event of the demo content; the event takes every
    registration (no capacity)."""
    c = browser()
    links = page_links(c.get("/articles").text)
    arts = [m.group(1) for m in (re.match(r"^/articles/([a-z0-9-]+)$", u)
                                 for u in links) if m]
    slug = psql_value(
        "SELECT slug FROM events WHERE status = 'scheduled' AND begins_at > "
        "now() + interval '1 day' ORDER BY begins_at LIMIT 1")
    psql("UPDATE events SET capacity = NULL WHERE slug = :'p1'", slug)
    return (arts[0] if arts else None), slug


# --------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------

def report(ld, marks):
    dur = ld.ended - ld.started
    n = len(ld.results)
    say("%d requests in %.1f s: %.0f requests/s (%d browsers)" % (
        n, dur, n / dur if dur else 0, THREADS))
    by = collections.Counter((r.kind, r.method, r.status) for r in ld.results)
    for (kind, method, st), k in sorted(by.items(), key=str):
        say("  %-8s %-4s %-22s %6d" % (kind, method, st, k))
    fails = collections.Counter(
        "%s %s %s" % (r.kind, r.method, r.status) for r in ld.results
        if not (r.status == 200 or (r.method == "POST" and r.status == 303)))
    say("failures by kind: %s" % (dict(fails) or "none"))
    sign = collections.Counter(ld.signups.values())
    rsvp = collections.Counter(ld.rsvps.values())
    say("sign-ups: %s" % dict(sign))
    say("registrations: %s" % dict(rsvp))
    for name, t in marks:
        say("  at %5.1f s: %s" % (t - ld.started, name))


def main():
    article, event = seed()
    check(article is not None and event is not None,
          "the demo content has an article (%s) and an event (%s)" % (
              article, event))
    if article is None or event is None:
        return
    # every worker host serves the front host, and refuses the others
    for h, addr in WORKER_ADDR.items():
        check(fcgi_health_from(None, addr) == 200,
              "%s (%s:9000) answers the front host over FastCGI" % (h, addr))
    check(fcgi_health_from("w1", WORKER_ADDR["w2"]) == "None",
          "w2 refuses a FastCGI connection from w1 (FCGI_WEB_SERVER_ADDRS)")
    # members logged in before anything happens
    member, email, _ = new_member(browser())
    check(member.get("/account").status == 200, "the member is logged in")
    members = queue.Queue()
    for _ in range(3):
        members.put(new_member(browser())[0])

    marks = []

    def mark(name):
        marks.append((name, time.monotonic()))
        say(name)

    with Load(article, event, members) as ld:
        time.sleep(5)
        mark("kill every process of w2 (SIGKILL)")
        ctl("kill", "w2")
        check(host_processes("w2") == [], "w2 has no process left")
        time.sleep(5)
        mark("Redis: shutdown")
        redis_down = time.monotonic()
        ctl("redis-stop")
        time.sleep(1)
        r = member.get("/account")
        check(is_clean_503(r), "a member's page during the Redis stop: our "
              "readable 503 (got %s)" % r.status)
        time.sleep(max(0, 10 - (time.monotonic() - redis_down)))
        mark("Redis: started again on its append-only file")
        ctl("redis-start")
        redis_up = time.monotonic()
        # the workers connect again at once (no 503 once Redis is back)
        r = member.get("/account")
        check(r.status == 200, "the session made before the Redis restart "
              "is still valid after it (append-only file) (got %s)"
              % r.status)
        time.sleep(2)
        mark("w2 started again")
        ctl("restart", "w2")
        check(fcgi_health_from(None, WORKER_ADDR["w2"]) == 200,
              "w2 answers again after its restart")
        time.sleep(5)
        mark("load stopped")
    report(ld, marks)
    for e in ld.errors[:5]:
        say("load error: " + e)
    check(not ld.errors, "the load ran without an error of its own")

    gets = [r for r in ld.results if r.method == "GET"]
    bad = [r for r in gets if r.status != 200 and not (
        r.clean and r.t1 >= redis_down and r.t0 <= redis_up)]
    for r in bad[:10]:
        say("failed GET: %s %s clean=%s, sent at %.2f s, answered at %.2f s"
            % (r.kind, r.status, r.clean, r.t0 - ld.started,
               r.t1 - ld.started))
    check(len(gets) > 0 and not bad, "no failed GET apart from clean 503s "
          "during the Redis stop (%d GETs, %d failed: %s)" % (
              len(gets), len(bad), dict(collections.Counter(
                  (r.kind, r.status) for r in bad))))
    check(sum(1 for r in gets if r.t0 > marks[0][1]
              and r.t1 < marks[-2][1]) > 0,
          "GETs were answered while w2 was down")
    ok_signups = [e for e, v in ld.signups.items() if v == "ok"]
    ok_rsvps = [e for e, v in ld.rsvps.items() if v == "ok"]
    check(len(ok_signups) > 0 and len(ok_rsvps) > 0,
          "sign-ups (%d) and registrations (%d) succeeded under the faults"
          % (len(ok_signups), len(ok_rsvps)))

    # the database: every success once, nothing twice
    users = dict(psql("SELECT lower(email), count(*) FROM users WHERE "
                      "email LIKE :'p1' GROUP BY 1", SIGNUP + ".%"))
    regs = dict(psql("SELECT lower(email), count(*) FROM event_registrations "
                     "WHERE email LIKE :'p1' GROUP BY 1", RSVP + ".%"))
    missing = [e for e in ok_signups if users.get(e) != "1"]
    check(not missing, "every sign-up that got its success page is in the "
          "database (%d missing)" % len(missing))
    twice = [e for e, n in users.items() if n != "1"]
    check(not twice, "no sign-up twice (%d addresses with several rows)"
          % len(twice))
    missing = [e for e in ok_rsvps if regs.get(e) != "1"]
    check(not missing, "every registration that got its success page is in "
          "the database (%d missing)" % len(missing))
    twice = [e for e, n in regs.items() if n != "1"]
    check(not twice, "no registration twice (%d addresses with several "
          "rows)" % len(twice))
    unknown = [e for e in users if e not in ld.signups]
    check(not unknown, "no sign-up row the load did not send (%d)"
          % len(unknown))
    say("failed sign-ups kept or not: %d of %d in the database" % (
        sum(1 for e, v in ld.signups.items() if v != "ok" and e in users),
        sum(1 for v in ld.signups.values() if v != "ok")))

    # Redis loses everything: members log in again, nothing else
    before = record_counts()
    mark("Redis: stopped, its files deleted, started empty")
    ctl("redis-wipe")
    r = member.get("/account")
    check(r.status == 303 and "/login" in (r.location or ""),
          "after Redis lost everything the member must log in again (got "
          "%s %s)" % (r.status, r.location))
    login(member, email, PASSWORD)
    check(member.get("/account").status == 200, "the member logs in again")
    check(record_counts() == before, "nothing of record lost with Redis "
          "(users, registrations: %s, then %s)" % (before, record_counts()))

    # Degraded mode (README, "Degraded mode"): one command, every host
    degraded_everywhere()


def degraded_everywhere():
    """`civitas-fcgi degrade on` once: within seconds the flag file of
    every host (the three masters' followers, the front's own) exists,
    nginx serves sign-up's friendly 503 and the public pages; off: back."""
    binary = os.path.join(os.environ["BIN_DIR"], "civitas-fcgi")
    files = [os.path.join(DIR, h, "run", "degraded")
             for h in ("front", "w1", "w2", "w3")]
    b = browser()
    for on in (True, False):
        t0 = time.monotonic()
        subprocess.run([binary, "degrade", "on" if on else "off"],
                       check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, DEGRADED_FILE=files[0]))
        deadline = t0 + 15
        while time.monotonic() < deadline and not (
                all(os.path.exists(f) == on for f in files) and
                b.get("/signup").status == (503 if on else 200)):
            time.sleep(0.2)
        took = time.monotonic() - t0
        check(all(os.path.exists(f) == on for f in files),
              "degraded mode %s on every host (%.1f s)" % (
                  "on" if on else "off", took))
        check(b.get("/signup").status == (503 if on else 200),
              "sign-up through nginx with degraded mode %s"
              % ("on" if on else "off"))
        check(b.get("/").status == 200, "the home page meanwhile")


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not passed else 0)
