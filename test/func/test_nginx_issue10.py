# SPDX-License-Identifier: MIT
"""nginx rate limits of issue 10 (nginx/civitas.conf): the POSTs that
mail an address typed by a stranger or create a gift.

- POST /invite and POST /donate/details share the auth zone (10 a minute
  per client, burst 10, Retry-After 60);
- POST /convince (every step of "Convaincre un ami" posts there) has its
  own zone, civitas_steps (20 a minute, burst 20, Retry-After 3): a whole
  run of about 8 POSTs passes, a flood does not;
- GET of those pages is not counted.

As in test_nginx.py, each test is its own client: it connects from
TRUSTED_PROXY and names a random client address in X-Forwarded-For. The
requests carry no CSRF token: what passes nginx is refused by the worker
(403) or not routed yet (404), never 429.
"""

import time

from civitas import *   # noqa: F401,F403
import stackctl as sc
from test_nginx import max_accepted, nginx_limit

FORM = "application/x-www-form-urlencoded"


def via(ip):
    return {"source_address": (trusted_proxy(), 0), "forwarded_for": ip}


def burst(path, n, ip):
    t0 = time.monotonic()
    resps = [http_request("POST", path, [("Content-Type", FORM)],
                          "email_1=x%d%%40example.test" % i, **via(ip))
             for i in range(n)]
    return resps, time.monotonic() - t0


def check_429(resp, retry_after, msg):
    status(resp, 429, msg)
    eq(resp.headers.get("Retry-After"), retry_after, msg + " Retry-After")
    contains(resp.text, "Trop de requêtes", msg)


@test
def invite_and_donation_details_bursts_get_429_in_the_auth_zone():
    for path in ("/invite", "/donate/details"):
        ip = sc.random_client_ip()
        resps, elapsed = burst(path, 30, ip)
        passed = [r for r in resps if r.status != 429]
        ok(len(passed) < 30, "POST %s x30: no 429" % path)
        ok(len(passed) <= max_accepted("civitas_auth", elapsed),
           "%d of 30 POST %s passed in %.1fs" % (len(passed), path, elapsed))
        for r in passed:
            ok(r.status in (403, 404), "POST %s passed nginx: %d" % (
                path, r.status))
        for r in resps:
            if r.status == 429:
                check_429(r, "60", "POST %s over the limit" % path)
        # GET is not counted.
        ok(http_request("GET", path, **via(ip)).status != 429,
           "GET %s from a client limited on POST" % path)


@test
def a_whole_convince_run_passes_and_a_flood_gets_429():
    rate, burst_size = nginx_limit("civitas_steps")
    ok(burst_size >= 16, "the steps zone lets two runs of 8 POSTs pass "
       "(burst %d)" % burst_size)
    ip = sc.random_client_ip()
    run, _ = burst("/convince", 8, ip)
    eq([r.status for r in run if r.status == 429], [],
       "a run of 8 POSTs /convince")
    resps, elapsed = burst("/convince", 40, ip)
    limited = [r for r in resps if r.status == 429]
    ok(limited, "48 POST /convince: no 429")
    ok(8 + len(resps) - len(limited) <= max_accepted("civitas_steps",
                                                       elapsed) + 1,
       "%d of 48 POST /convince passed" % (48 - len(limited)))
    for r in limited:
        check_429(r, "3", "POST /convince over the limit")
    ok(http_request("GET", "/convince", **via(ip)).status != 429,
       "GET /convince from a client limited on POST")
    # The steps zone is not the auth zone: the same client may still log in.
    r = http_request("POST", "/login", [("Content-Type", FORM)],
                     "email=a%40example.test&password=x", **via(ip))
    status(r, 403, "POST /login from a client limited on /convince")


@test
def the_issue_10_zones_do_not_touch_other_posts():
    ip = sc.random_client_ip()
    resps, _ = burst("/invitations", 30, ip)
    eq([r.status for r in resps if r.status == 429], [],
       "POST /invitations (not a limited path)")
    resps, _ = burst("/donate", 30, ip)
    eq([r.status for r in resps if r.status == 429], [],
       "POST /donate (the amount step: no mail, no gift)")


@test
def the_providers_notifications_are_never_limited_others_are():
    # GET /donate/notify: the provider's addresses (127.0.0.1, the fake's,
    # on this stack: a direct connection, no X-Forwarded-For) are never
    # limited; any other client is limited like a page (civitas_notify).
    # Unsigned queries: the workers answer 403, nginx never 429.
    rate, burst_size = nginx_limit("civitas_notify")
    n = burst_size + 340
    ip = sc.random_client_ip()
    t0 = time.monotonic()
    resps = [http_request("GET", "/donate/notify?Mt=1&Ref=x%d" % i, **via(ip))
             for i in range(n)]
    elapsed = time.monotonic() - t0
    limited = [r for r in resps if r.status == 429]
    ok(limited, "%d notifications from a stranger: no 429" % n)
    ok(n - len(limited) <= 1 + burst_size + int(rate * elapsed) + 1,
       "%d of %d passed in %.1fs" % (n - len(limited), n, elapsed))
    resps = [http_request("GET", "/donate/notify?Mt=1&Ref=y%d" % i)
             for i in range(n)]
    eq(sorted({r.status for r in resps}), [403],
       "%d notifications from the provider's address" % n)
    eq([r.headers.get("X-Cache-Status") for r in resps if
        r.headers.get("X-Cache-Status")], [],
       "the notification never goes through the micro-cache")
