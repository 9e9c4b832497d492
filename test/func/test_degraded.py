# SPDX-License-Identifier: MIT
"""Degraded mode (issue 13, README "Degraded mode"): one switch
(`civitas-fcgi degrade on|off|status`, /admin/mode) changes a row in
PostgreSQL; the master's follower keeps the flag file DEGRADED_FILE in step
with it; nginx reads the file on every request (the micro-cache then serves
everyone, session cookie or not, and tells the workers), and the workers
answer sign-up, login and every form with a friendly 503 while public pages,
images and the read APIs stay served, with stale copies allowed.

Each test switches the mode on and always back off (finally); the mode is
global, so the other modules never see it on.
"""

import os
import signal
import subprocess
import tempfile
import time
import uuid

from civitas import *   # noqa: F401,F403
from fixtures import fcgi_binary, make_admin, login
import stackctl as sc
import vol_fixtures as vf

FRIENDLY = "Le site est très sollicité"


def flag_file():
    return os.environ.get("DEGRADED_FILE") or os.path.join(run_dir(),
                                                           "degraded")


def degrade(arg, check=True):
    proc = subprocess.run([fcgi_binary(), "degrade", arg],
                          env=dict(os.environ), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=30)
    out = proc.stdout.decode("utf-8", "replace")
    if check:
        eq(proc.returncode, 0, "degrade %s: %s %s" % (
            arg, out, proc.stderr.decode("utf-8", "replace")))
    return out


def via():
    return {"source_address": (trusted_proxy(), 0),
            "forwarded_for": sc.random_client_ip()}


def get(path, cookie=None):
    headers = [("Cookie", cookie)] if cookie else []
    return http_request("GET", path, headers, **via())


def signup_answers(code):
    """Wait until GET /signup through nginx answers code (every worker
    and nginx have seen the switch)."""
    def probe():
        return all(get("/signup").status == code for _ in range(8))
    wait_until(probe, 15, 0.2, "GET /signup answering %d through nginx"
               % code)


class Degraded:
    """with Degraded(): the site degraded by the command line, restored
    (and seen restored through nginx) afterwards, whatever happened."""

    def __enter__(self):
        degrade("on")
        signup_answers(503)
        return self

    def __exit__(self, *exc):
        degrade("off")
        signup_answers(200)


def is_friendly(resp, what):
    status(resp, 503, what)
    eq(resp.headers.get("Retry-After"), "120", "%s: Retry-After" % what)
    contains(resp.text, FRIENDLY, what)
    return resp


@test
def the_command_switches_every_form_to_the_friendly_page():
    out = degrade("status")
    matches(out, r"degraded mode: off", "status before")
    with Degraded():
        matches(degrade("status"), r"degraded mode: on .*\n"
                r"this host: on", "status while degraded")
        ok(os.path.exists(flag_file()), "the flag file exists")
        is_friendly(get("/signup"), "GET /signup")
        is_friendly(get("/login"), "GET /login")
        is_friendly(get("/password/forgot"), "GET /password/forgot")
        # a form of a page opened earlier: the friendly page, not a
        # CSRF refusal, and nothing written
        email = unique_email("degraded")
        resp = http_request("POST", "/signup", [
            ("Content-Type", "application/x-www-form-urlencoded")],
            urlencode({"email": email, "password": "x" * 12}), **via())
        is_friendly(resp, "POST /signup")
        eq(psql_value("SELECT count(*) FROM users WHERE email = :'p1'",
                      email), "0", "no account written")
        is_friendly(get("/account"), "GET /account")
        # public pages, the read APIs and the health check are served
        for path in ("/", "/articles", "/events", "/api/events",
                     "/api/search?q=projet", "/health"):
            status(get(path), 200, "GET %s while degraded" % path)
        home = get("/")
        contains(home.headers.get("Cache-Control"),
                 "stale-if-error=600", "public page: stale allowed")
        matches(fcgi_request("GET", "/metrics").text,
                r"(?m)^civitas_degraded_mode 1$", "the gauge of /metrics")
        # a JSON route closed: problem+json
        resp = fcgi_request("GET", "/account/export.json",
                            params={"CIVITAS_DEGRADED": "1"})
        status(resp, 503)
        eq(resp.headers.get("Content-Type"), "application/problem+json")
    ok(not os.path.exists(flag_file()), "the flag file is gone")
    status(get("/signup"), 200, "GET /signup after")
    not_contains(get("/?fresh=" + uuid.uuid4().hex)
                 .headers.get("Cache-Control"), "stale",
                 "no stale copies in normal mode")


@test
def everyone_is_served_from_the_cache_while_degraded():
    sid = "sid=" + uuid.uuid4().hex
    key = "/articles?degraded=" + uuid.uuid4().hex
    eq(get(key, sid).headers.get("X-Cache-Status"), "BYPASS",
       "a session cookie bypasses the micro-cache in normal mode")
    with Degraded():
        def served_from_cache():
            k = "/articles?degraded=" + uuid.uuid4().hex
            first = get(k, sid)
            second = get(k, "sid=" + uuid.uuid4().hex)
            return (first.headers.get("X-Cache-Status") == "MISS" and
                    second.headers.get("X-Cache-Status") == "HIT")
        wait_until(served_from_cache, 15, 0.2,
                   "a member's request filled the cache, another's hit it")
    eq(get(key, sid).headers.get("X-Cache-Status"), "BYPASS",
       "normal mode again: the cookie bypasses")


@test(slow=True)
def stale_copies_are_served_while_the_workers_fail():
    key = "/articles?stale=" + uuid.uuid4().hex
    master = sc.master_pid()
    try:
        with Degraded():
            status(get(key), 200, "the page, fetched once")
            os.kill(master, signal.SIGTERM)
            wait_until(lambda: not sc.pid_alive(master), 40, 0.1,
                       "the master to stop")
            time.sleep(6)          # past the page's max-age (5 s)
            resp = get(key)
            status(resp, 200, "the kept copy, the workers gone")
            eq(resp.headers.get("X-Cache-Status"), "STALE")
            status(get("/articles?stale=" + uuid.uuid4().hex), 502,
                   "a page never kept: nothing to serve")
            sc.restore_stack()
    finally:
        if not sc.pid_alive(master):
            sc.restore_stack()


@test
def a_members_public_page_is_the_visitors_page():
    org_id, _, manager = vf.make_org()
    _, slug = vf.make_mission(org_id)
    member = vf.Person()
    client = member.client()
    page = status(client.get("/missions/" + slug), 200, "normal mode")
    contains(page.text, 'href="/account"', "the member's menu")
    with Degraded():
        resp = fcgi_request("GET", "/missions/" + slug, headers=[
            ("Cookie", "sid=%s" % client.cookies.get("sid"))],
            params={"CIVITAS_DEGRADED": "1"})
        status(resp, 200, "the mission page, degraded")
        not_contains(resp.text, 'href="/account"', "no member's menu")
        contains(resp.headers.get("Cache-Control"), "public",
                 "cacheable for everyone")
        eq(resp.headers.get("Set-Cookie"), None, "no cookie set")
        is_friendly(fcgi_request("GET", "/account", headers=[
            ("Cookie", "sid=%s" % client.cookies.get("sid"))],
            params={"CIVITAS_DEGRADED": "1"}), "the member's account")


@test
def what_stays_open():
    admin_email, password = make_admin()
    admin = Client("fcgi")
    login(admin, admin_email, password)
    with Degraded():
        status(get("/health"), 200, "health")
        status(get("/donate"), 200, "donations open by default")
        # the provider's notification, unsubscribing: their own answers
        for path in ("/donate/notify?x=1", "/unsubscribe/not-a-token",
                     "/optout/not-a-token"):
            resp = get(path)
            not_contains(resp.text, FRIENDLY, path)
            ne(resp.status, 503, path)
        page = status(admin.get("/admin/mode"), 200, "the back-office")
        contains(page.text, "Le mode dégradé est activé")
        status(admin.post("/logout", {"_csrf": csrf_of(admin)}), 303,
               "logout stays open")


def csrf_of(client):
    page = status(client.get("/admin/mode"), 200)
    return dict(find_form(page.text, "/admin/mode").submission())["_csrf"]


@test
def donations_close_with_the_setting_and_the_host_file_counts():
    """A worker alone (spawn-fcgi) with DEGRADED_DONATIONS=closed and a
    flag file of its own: degraded by the file alone (no nginx in front),
    the gifts close; by nginx's parameter alone too."""
    tmp = tempfile.mkdtemp(prefix="degraded-", dir=run_dir())
    sock = os.path.join(tmp, "fcgi.sock")
    flag = os.path.join(tmp, "degraded")
    env = dict(os.environ, DEGRADED_DONATIONS="closed", DEGRADED_FILE=flag)
    proc = subprocess.Popen(["spawn-fcgi", "-n", "-s", sock, "--",
                             fcgi_binary()], env=env,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: os.path.exists(sock), 10, 0.05, "the worker")
        status(fcgi_request("GET", "/donate", socket_path=sock), 200,
               "normal mode")
        is_friendly(fcgi_request("GET", "/donate", socket_path=sock,
                                 params={"CIVITAS_DEGRADED": "1"}),
                    "nginx says degraded: gifts closed")
        with open(flag, "w") as f:
            f.write("degraded\n")
        wait_until(lambda: fcgi_request("GET", "/donate", socket_path=sock)
                   .status == 503, 5, 0.2, "the host's file read")
        is_friendly(fcgi_request("GET", "/signup", socket_path=sock),
                    "sign-up, by the file alone")
        status(fcgi_request("GET", "/", socket_path=sock), 200, "home")
        not_contains(fcgi_request("GET", "/donate/notify", socket_path=sock)
                     .text, FRIENDLY, "the notification stays open")
        os.unlink(flag)
        wait_until(lambda: fcgi_request("GET", "/donate", socket_path=sock)
                   .status == 200, 5, 0.2, "back to normal")
    finally:
        proc.terminate()
        proc.wait(10)


@test
def every_closed_route_answers_the_friendly_page():
    """The route table decides (R_CACHEABLE, R_PUBLIC, R_ALWAYS,
    R_DONATION, R_ADMIN): every other route answers 503 with Retry-After
    in degraded mode, before CSRF, session or database."""
    out = subprocess.run([fcgi_binary(), "routes"], env=dict(os.environ),
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    closed = 0
    for line in out.splitlines():
        method, pattern, *flags = line.split()
        if ({"cacheable", "public"} & set(flags) and method == "GET") or \
                {"always", "admin", "donation"} & set(flags):
            continue
        path = pattern.replace("{", "x").replace("}", "")
        resp = fcgi_request(method, path, body=b"a=1" if method == "POST"
                            else b"", headers=[
                                ("Content-Type",
                                 "application/x-www-form-urlencoded")]
                            if method == "POST" else None,
                            params={"CIVITAS_DEGRADED": "1"})
        eq(resp.status, 503, "%s %s while degraded" % (method, pattern))
        eq(resp.headers.get("Retry-After"), "120", "%s %s" % (method,
                                                              pattern))
        closed += 1
    ok(closed > 100, "%d routes closed" % closed)
    # and none of the open ones is closed
    for path in ("/", "/articles", "/api/events", "/health", "/donate"):
        ne(fcgi_request("GET", path, params={"CIVITAS_DEGRADED": "1"})
           .status, 503, path)


@test
def the_admin_switch_is_audited_and_reaches_every_host():
    admin_email, password = make_admin()
    admin = Client("fcgi")
    login(admin, admin_email, password)
    page = status(admin.get("/admin/mode"), 200)
    contains(page.text, "Activer le mode dégradé")
    member = vf.Person()
    status(member.client().get("/admin/mode"), 403, "a member")
    status(member.client().post("/admin/mode", {"degraded": "on"}), 403,
           "a member's POST")
    status(admin.post("/admin/mode", {"degraded": "on", "_csrf": "forged"}),
           403, "a forged CSRF token")
    ok(not os.path.exists(flag_file()), "nothing switched")
    try:
        resp = admin.submit("/admin/mode", {}, "/admin/mode")
        redirects(resp, "/admin/mode")
        signup_answers(503)
        eq(psql_value("SELECT user_email FROM audit_log WHERE action = "
                      "'mode.degrade' ORDER BY id DESC LIMIT 1"),
           admin_email, "audited with the admin's name")
        page = admin.get("/admin/mode")
        contains(page.text, "Mode dégradé activé")
        contains(page.text, "Désactiver le mode dégradé")
        status(admin.post("/admin/mode", {"degraded": "maybe",
                                          "_csrf": csrf_of(admin)}), 400)
        redirects(admin.submit("/admin/mode", {}, "/admin/mode"),
                  "/admin/mode")
        signup_answers(200)
        eq(psql_value("SELECT count(*) FROM audit_log WHERE action = "
                      "'mode.restore' AND user_email = :'p1'", admin_email),
           "1", "the restore audited")
    finally:
        degrade("off")
        signup_answers(200)


@test
def another_hosts_switch_reaches_this_host_through_the_follower():
    """The row changed elsewhere (as another host's command would): this
    host's follower makes the file within seconds; a follower killed is
    replaced and applies what changed meanwhile."""
    follower = sc.follower_pid()
    ok(follower, "the master runs a follower")
    try:
        psql("SELECT * FROM site_mode_set(true, NULL, 'another host')")
        wait_until(lambda: os.path.exists(flag_file()), 10, 0.1,
                   "the follower to create the file")
        os.kill(follower, signal.SIGKILL)
        psql("SELECT * FROM site_mode_set(false, NULL, 'another host')")
        wait_until(lambda: sc.follower_pid() not in (None, follower), 10,
                   0.1, "a new follower")
        wait_until(lambda: not os.path.exists(flag_file()), 10, 0.1,
                   "the new follower to remove the file")
        before = int(psql_value("SELECT count(*) FROM audit_log WHERE "
                                "action = 'mode.degrade' AND user_email "
                                "LIKE 'ligne de commande%'"))
        eq(degrade("on").count("unchanged"), 0, "a real switch")
        ok("unchanged" in degrade("on"), "the same switch twice")
        eq(int(psql_value("SELECT count(*) FROM audit_log WHERE action = "
                          "'mode.degrade' AND user_email LIKE "
                          "'ligne de commande%'")), before + 1,
           "one audit record for two commands")
    finally:
        degrade("off")
        signup_answers(200)
