# SPDX-License-Identifier: MIT
"""Behaviour when PostgreSQL or Redis goes away, and recovery without
restarting the workers.

Each test stops one service with stackctl and brings the whole stack back
in a finally block (scripts/stack.sh start, which restarts only what is
down), then waits for /health 200: the next module finds the stack as it
was.
"""

import contextlib
import threading
import time

from civitas import *
import stackctl as sc

HEALTH_OK = {"status": "ok", "postgresql": "up", "redis": "up"}


def signup_fields(email, abroad=False):
    fields = {
        "first_name": "Marianne", "last_name": "Lefèvre", "email": email,
        "password": "un-mot-de-passe-solide", "gender": "female",
        "birth_date": "1987-07-14", "phone": "0612345678", "charter": "1",
        "street": "12 rue de la République",
    }
    if abroad:
        fields.update(country="BE", postal_code="1000", city_code="",
                      city_name="Bruxelles")
    else:
        fields.update(country="FR", postal_code="69001", city_code="69381",
                      city_name="")
    return fields


def http_client():
    return Client("http", client_ip=sc.random_client_ip())


def warm_workers():
    """Every worker has served the sign-up form (and so cached what it
    caches) before a service goes away: the usual state in production."""
    results = sc.load("/signup", count=48, concurrency=8, via="fcgi")
    eq(sorted(set(results)), [200], "warming GET /signup")


@contextlib.contextmanager
def service_down(stop):
    """Stop a service for the duration of the block; afterwards restore the
    stack.  Yields the worker pids taken just before the stop."""
    sc.restore_stack()
    pids = sc.wait_workers()
    try:
        stop()
        yield pids
    finally:
        sc.restore_stack()


def check_health(resp, postgresql, redis, what):
    status(resp, 200 if postgresql == redis == "up" else 503, what)
    contains(resp.content_type, "application/json", what)
    eq(resp.json(), {"status": "ok" if postgresql == redis == "up"
                     else "unavailable",
                     "postgresql": postgresql, "redis": redis}, what)
    not_contains(resp.headers.get("Cache-Control", ""), "max-age",
                 what + ": health must not be cached")


def check_unavailable_page(resp, what):
    status(resp, 503, what)
    contains(resp.content_type, "text/html", what)
    ok(resp.headers.get("Retry-After", "").isdigit(),
       "%s: Retry-After %r" % (what, resp.headers.get("Retry-After")))
    contains(resp.text, 'lang="fr"', what)
    contains(html_text(resp.text), "indisponible", what)


def same_workers(pids, what):
    eq(sc.worker_pids(), pids, "%s: a worker died or was restarted" % what)


@test
def health_reports_both_services():
    check_health(fcgi_request("GET", "/health"), "up", "up", "fcgi")
    r = http_request("GET", "/health", source_address=(trusted_proxy(), 0),
                     forwarded_for=sc.random_client_ip())
    check_health(r, "up", "up", "nginx")
    eq(r.json(), HEALTH_OK)


@test
def postgresql_down_health_503_and_back_without_restart():
    with service_down(sc.stop_postgres) as pids:
        for _ in range(8):  # several workers
            check_health(fcgi_request("GET", "/health"), "down", "up",
                         "fcgi /health, PostgreSQL stopped")
        check_health(http_client().get("/health"), "down", "up",
                     "nginx /health, PostgreSQL stopped")
        same_workers(pids, "PostgreSQL down")
        sc.start_stack()
        # recovers by itself: the same workers reconnect
        wait_until(lambda: all(fcgi_request("GET", "/health").status == 200
                               for _ in range(8)), 30, 0.2,
                   "/health 200 after PostgreSQL came back")
        same_workers(pids, "PostgreSQL back")
        email = unique_email("resilience")
        c = Client("fcgi")
        r = c.submit("/signup", signup_fields(email))
        redirects(r, "/signup/done", "sign-up after PostgreSQL came back")
        eq(psql_value("SELECT status FROM users WHERE email = :'p1'", email),
           "pending")
        msg = wait_mail(email, "Confirmez", timeout=30)
        ok(msg is not None, "confirmation mail after the outage")
        same_workers(pids, "sign-up after the outage")


@test
def postgresql_down_signup_page_503():
    warm_workers()
    with service_down(sc.stop_postgres) as pids:
        for i in range(8):
            check_unavailable_page(fcgi_request("GET", "/signup"),
                                   "fcgi GET /signup #%d, PostgreSQL "
                                   "stopped" % i)
        for i in range(3):
            check_unavailable_page(http_client().get("/signup"),
                                   "nginx GET /signup #%d, PostgreSQL "
                                   "stopped" % i)
        same_workers(pids, "GET /signup while PostgreSQL is down")


def signup_post_while_down(abroad):
    warm_workers()
    email = unique_email("pgdown")
    fields = signup_fields(email, abroad)
    c = Client("fcgi")
    form = find_form(status(c.get("/signup"), 200).text, "/signup")
    csrf = form.values()["_csrf"]
    with service_down(sc.stop_postgres) as pids:
        for i in range(4):      # several workers
            r = c.post("/signup", dict(fields, _csrf=csrf))
            what = "POST /signup #%d (%s address), PostgreSQL stopped" % (
                i, "foreign" if abroad else "French")
            check_unavailable_page(r, what)
            vals = form_values(r.text, "/signup")  # the form is back...
            for name in ("first_name", "last_name", "email", "street",
                         "postal_code", "phone", "birth_date", "gender",
                         "country"):
                eq(vals.get(name), fields[name], "%s: value of %s" % (
                    what, name))
            if abroad:
                eq(vals.get("city_name"), fields["city_name"], what)
            eq(vals.get("password", ""), "", what + ": password echoed")
            banner = " ".join(form_errors(r.text))
            contains(banner, "indisponible", what + ": banner")
        same_workers(pids, "POST /signup while PostgreSQL is down")
    eq(psql_value("SELECT count(*) FROM users WHERE email = :'p1'", email),
       "0", "nothing was recorded")


@test
def postgresql_down_signup_post_keeps_the_form():
    signup_post_while_down(abroad=False)


@test
def postgresql_down_signup_post_keeps_the_form_abroad():
    signup_post_while_down(abroad=True)


# PostgreSQL frozen (SIGSTOP): connections stay open and nothing answers,
# which no refused connection shows.  Requests go out in rounds of
# parallel requests for at least STALL_SECONDS; the cluster is resumed once
# the last round has come back, or after STALL_CAP seconds when requests
# hang (then the test fails: they were answered only after the resume).
STALL_SECONDS = 10
STALL_CAP = 25


class StallProbe(threading.Thread):
    """One request sent while PostgreSQL is stopped.  Remembers its answer
    (or error) and whether it came back before the cluster was resumed;
    checked afterwards from the test's own thread."""

    def __init__(self, what, send, check, resumed):
        super().__init__(daemon=True)
        self.what, self.send, self.check = what, send, check
        self.resumed = resumed
        self.resp = self.error = None
        self.before_resume = None

    def run(self):
        try:
            self.resp = self.send()
        except Exception as exc:   # noqa: BLE001 - reported by verify()
            self.error = exc
        self.before_resume = not self.resumed.is_set()

    def verify(self):
        ok(self.before_resume is not None,
           "%s: no answer at all (still waiting)" % self.what)
        ok(self.error is None, "%s: %s" % (self.what, self.error))
        ok(self.before_resume, "%s: answered %s only after PostgreSQL was "
           "resumed" % (self.what, self.resp.status))
        self.check(self.resp, self.what)


def stall_round(n, login_forms, creds, resumed):
    """One request of each kind, through the FastCGI socket and through
    nginx, each from a client of its own (nginx's rate limits): /health,
    the sign-up form, a login POST (all need PostgreSQL) and the anonymous
    login form (needs nothing from it)."""
    def client(transport):
        return Client(transport, client_ip=sc.random_client_ip(), timeout=60)

    def post_login(transport):
        cookies, csrf = login_forms[transport]
        c = client(transport)
        for name, value in cookies.items():
            c.set_cookie(name, value)
        return c.post("/login", dict(creds, _csrf=csrf))

    kinds = []
    for t, via in (("fcgi", "fcgi"), ("http", "nginx")):
        kinds += [
            (via + " GET /health",
             lambda t=t: client(t).get("/health"),
             lambda r, w: check_health(r, "down", "up", w)),
            (via + " GET /signup", lambda t=t: client(t).get("/signup"),
             check_unavailable_page),
            (via + " POST /login", lambda t=t: post_login(t),
             check_unavailable_page),
            (via + " GET /login", lambda t=t: client(t).get("/login"),
             lambda r, w: find_form(status(r, 200, w).text, "/login")),
        ]
    return [StallProbe("%s (round %d, PostgreSQL stopped)" % (what, n), send,
                       check, resumed) for what, send, check in kinds]


def login_form(transport):
    """The cookies and CSRF token of a login form, fetched now (PostgreSQL
    answers), for POST /login later from any client."""
    c = Client(transport, client_ip=sc.random_client_ip())
    page = status(c.get("/login"), 200, transport + " GET /login")
    return c.cookies, find_form(page.text, "/login").values()["_csrf"]


@test
def postgresql_stalled_answers_503_and_back_without_restart():
    warm_workers()
    sc.restore_stack()
    pids = sc.wait_workers()
    login_forms = {t: login_form(t) for t in ("fcgi", "http")}
    creds = {"email": unique_email("pgstall"), "password": "pas-le-bon"}
    resumed = threading.Event()
    probes = []
    stopped = []
    try:
        stopped = sc.pause_postgres()
        t0 = time.monotonic()
        while time.monotonic() - t0 < STALL_SECONDS:
            batch = stall_round(len(probes) // 8 + 1, login_forms, creds,
                                resumed)
            probes += batch
            for p in batch:
                p.start()
            for p in batch:
                p.join(max(0, t0 + STALL_CAP - time.monotonic()))
            if any(p.is_alive() for p in batch):
                break   # hanging: resume, the checks below will tell
            time.sleep(0.3)
    finally:
        resumed.set()
        sc.resume_postgres(stopped)
    for p in probes:
        p.join(70)
    for p in probes:
        p.verify()
    same_workers(pids, "PostgreSQL stopped")
    # recovers by itself: the same workers drop what they were waiting on
    # and connect again
    wait_until(lambda: all(fcgi_request("GET", "/health").status == 200
                           for _ in range(8)), 30, 0.2,
               "/health 200 after PostgreSQL was resumed")
    same_workers(pids, "PostgreSQL resumed")
    email = unique_email("pgstall")
    r = Client("fcgi").submit("/signup", signup_fields(email))
    redirects(r, "/signup/done", "sign-up after PostgreSQL was resumed")
    eq(psql_value("SELECT status FROM users WHERE email = :'p1'", email),
       "pending")
    ok(wait_mail(email, "Confirmez", timeout=30) is not None,
       "confirmation mail after the stall (the mail worker is back too)")
    same_workers(pids, "sign-up after the stall")


@test
def redis_down_login_503_and_back_without_restart():
    c = Client("fcgi")
    page = status(c.get("/login"), 200)
    csrf = find_form(page.text, "/login").values()["_csrf"]
    h = http_client()
    hpage = status(h.get("/login"), 200)
    hcsrf = find_form(hpage.text, "/login").values()["_csrf"]
    creds = {"email": unique_email("redisdown"), "password": "pas-le-bon"}
    with service_down(sc.stop_redis) as pids:
        for _ in range(8):
            check_health(fcgi_request("GET", "/health"), "up", "down",
                         "fcgi /health, Redis stopped")
        check_health(http_client().get("/health"), "up", "down",
                     "nginx /health, Redis stopped")
        for i in range(4):
            check_unavailable_page(c.post("/login", dict(creds, _csrf=csrf)),
                                   "fcgi POST /login #%d, Redis stopped" % i)
        check_unavailable_page(h.post("/login", dict(creds, _csrf=hcsrf)),
                               "nginx POST /login, Redis stopped")
        same_workers(pids, "Redis down")
        sc.start_stack()
        wait_until(lambda: all(fcgi_request("GET", "/health").status == 200
                               for _ in range(8)), 30, 0.2,
                   "/health 200 after Redis came back")
        for i in range(4):
            r = c.post("/login", dict(creds, _csrf=csrf))
            status(r, 422, "POST /login #%d with a wrong password after "
                   "Redis came back" % i)
        same_workers(pids, "Redis back")


if __name__ == "__main__":
    raise SystemExit(run([__name__]))
