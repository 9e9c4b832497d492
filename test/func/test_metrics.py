# SPDX-License-Identifier: MIT
"""GET /metrics (issue 13, section 3): Prometheus text checked by
promtool, counters summed over the master's workers and kept across
worker restarts, page cache, PostgreSQL and Redis outages, nginx's
internal-only location; the request id (nginx, X-Request-Id, the
worker's log line) and LOG_FORMAT=json.

Tests that stop a service or the master bring the stack back in a
finally block (stackctl.restore_stack).
"""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import uuid

from civitas import *
from fixtures import *
import stackctl as sc

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
CTYPE = "text/plain; version=0.0.4; charset=utf-8"
PUBLIC = "203.0.113.7"


class Metrics:
    """The samples of one scrape: value(name, **labels), 0 when absent."""

    def __init__(self, text):
        self.text = text
        self.samples = {}
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            m = SAMPLE.match(line)
            ok(m, "not a sample line: %r" % line)
            labels = {}
            for k, v in LABEL.findall(m.group(2) or ""):
                labels[k] = re.sub(r'\\(.)', lambda g: "\n" if g.group(1)
                                   == "n" else g.group(1), v)
            key = (m.group(1), frozenset(labels.items()))
            ok(key not in self.samples, "sample twice: %r" % line)
            self.samples[key] = float(m.group(3))

    def value(self, name, **labels):
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def has(self, name):
        return any(k[0] == name for k in self.samples)

    def series(self, name):
        return [(dict(k[1]), v) for k, v in self.samples.items()
                if k[0] == name]


def scrape(remote_addr="127.0.0.1"):
    r = fcgi_request("GET", "/metrics", remote_addr=remote_addr)
    status(r, 200, "GET /metrics")
    eq(r.content_type, CTYPE)
    contains(r.headers.get("Cache-Control", ""), "no-store")
    return Metrics(r.text)


def promtool_ok(text, what):
    proc = subprocess.run(["promtool", "check", "metrics"],
                          input=text.encode("utf-8"),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.decode("utf-8", "replace")
    eq((proc.returncode, out), (0, ""), "promtool check metrics (%s)" % what)


def requests(m, route, status_code, method="GET"):
    return m.value("civitas_http_requests_total", method=method, route=route,
                   status=str(status_code))


def histogram(m, route, method="GET"):
    """(le -> cumulative count as listed, _count, _sum) of a route."""
    name = "civitas_http_request_duration_seconds"
    buckets = [(lab["le"], v) for lab, v in m.series(name + "_bucket")
               if lab.get("route") == route and lab.get("method") == method]
    return (buckets, m.value(name + "_count", method=method, route=route),
            m.value(name + "_sum", method=method, route=route))


def check_buckets(buckets, count, what):
    les = [float("inf") if le == "+Inf" else float(le) for le, _ in buckets]
    eq(les, sorted(les), "%s: buckets in order of le" % what)
    ok(les and les[0] <= 0.001 and 10 <= les[-2] and les[-1] ==
       float("inf"), "%s: buckets from 1 ms to 10 s, then +Inf: %s"
       % (what, les))
    counts = [v for _, v in buckets]
    eq(counts, sorted(counts), "%s: cumulative buckets never decrease"
       % what)
    eq(counts[-1], count, "%s: le=\"+Inf\" equals _count" % what)


# --------------------------------------------------------------------------
# The text
# --------------------------------------------------------------------------

@test
def metrics_text_passes_promtool_and_lists_every_family():
    fcgi_request("GET", "/health")
    fcgi_request("GET", "/no-such-page-%s" % uuid.uuid4().hex[:8])
    m = scrape()
    promtool_ok(m.text, "stack up")
    for family, kind in (
            ("civitas_http_requests_total", "counter"),
            ("civitas_http_request_duration_seconds", "histogram"),
            ("civitas_page_cache_hits_total", "counter"),
            ("civitas_page_cache_misses_total", "counter"),
            ("civitas_postgresql_errors_total", "counter"),
            ("civitas_postgresql_reconnections_total", "counter"),
            ("civitas_redis_errors_total", "counter"),
            ("civitas_redis_reconnections_total", "counter"),
            ("civitas_workers_up", "gauge"),
            ("civitas_degraded_mode", "gauge"),
            ("civitas_postgresql_up", "gauge"),
            ("civitas_redis_up", "gauge"),
            ("civitas_outbox_messages", "gauge"),
            ("civitas_campaign_recipients_total", "counter"),
            ("civitas_campaign_recipients_waiting", "gauge")):
        contains(m.text, "\n# TYPE %s %s\n" % (family, kind))
        contains(m.text, "# HELP %s " % family)
    ok(requests(m, "/health", 200) >= 1, "GET /health counted")
    ok(requests(m, "unmatched", 404) >= 1,
       "a path no route matches counts as route=\"unmatched\"")
    eq(m.value("civitas_workers_up"), sc.expected_workers())
    eq(m.value("civitas_degraded_mode"), 0)
    eq(m.value("civitas_postgresql_up"), 1)
    eq(m.value("civitas_redis_up"), 1)
    # every route label is a method and pattern of the table, never a path
    table = {(method, pattern) for method, pattern, _ in route_table()}
    for lab, _ in m.series("civitas_http_requests_total"):
        ok((lab["method"], lab["route"]) in table or
           lab["route"] == "unmatched",
           "%s %s is not a route of the table" % (lab["method"],
                                                   lab["route"]))


# --------------------------------------------------------------------------
# Counting, over several workers
# --------------------------------------------------------------------------

def pin_workers(n, path):
    """n connections each holding a worker in the middle of a request (its
    parameters half sent): the other workers serve what comes next."""
    pins = []
    for _ in range(n):
        data = fcgi_build_request(fcgi_params("GET", path))
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(fcgi_socket_path())
        s.sendall(data[:36])
        pins.append((s, data))
    return pins


def release_pins(pins):
    statuses = []
    for s, data in pins:
        try:
            s.sendall(data[36:])
            s.settimeout(15)
            records, _ = fcgi_read_records(s)
            r = fcgi_response(records)
            statuses.append(r.status if r else None)
        finally:
            s.close()
    return statuses


@test
def requests_counted_exactly_summed_over_workers():
    sc.wait_workers()
    route = "/articles/{slug}"
    slug = "metrics-none-%s" % uuid.uuid4().hex[:10]
    before = scrape()
    # three workers are held by half-sent requests while a fourth serves
    # ten; then the three finish theirs: 13 requests, served by 4 workers
    pins = pin_workers(sc.expected_workers() - 1, "/articles/" + slug)
    try:
        for i in range(10):
            status(fcgi_request("GET", "/articles/%s?i=%d" % (slug, i)), 404)
    finally:
        eq(release_pins(pins), [404] * len(pins), "the held requests")
    # and a 422: a wrong password
    c = Client("fcgi")
    page = status(c.get("/login"), 200)
    csrf = find_form(page.text, "/login").values()["_csrf"]
    status(c.post("/login", {"email": unique_email("metrics"),
                             "password": "pas-le-bon", "_csrf": csrf}), 422)
    after = scrape()
    promtool_ok(after.text, "after the requests")
    n = 10 + len(pins)
    eq(requests(after, route, 404) - requests(before, route, 404), n,
       "GET %s 404 counted once per request, over every worker" % route)
    eq(requests(after, route, 200), requests(before, route, 200),
       "no 200 of %s meanwhile" % route)
    eq(requests(after, "/login", 422, "POST") -
       requests(before, "/login", 422, "POST"), 1, "POST /login 422")
    eq(requests(after, "/login", 200) - requests(before, "/login", 200), 1,
       "GET /login 200")
    b0, c0, s0 = histogram(before, route)
    b1, c1, s1 = histogram(after, route)
    check_buckets(b1, c1, route)
    eq(c1 - c0, n, "_count moved by the requests")
    ok(s1 > s0, "_sum grew")
    eq(c1, sum(v for lab, v in after.series("civitas_http_requests_total")
               if lab["route"] == route and lab["method"] == "GET"),
       "_count equals the requests of the route, all statuses")
    for lab, v in after.series("civitas_http_request_duration_seconds_count"):
        buckets, count, _ = histogram(after, lab["route"], lab["method"])
        check_buckets(buckets, count, "%s %s" % (lab["method"],
                                                 lab["route"]))


@test
def counters_survive_a_killed_worker_and_sighup():
    route = "/articles/{slug}"
    slug = "metrics-keep-%s" % uuid.uuid4().hex[:10]
    pins = pin_workers(sc.expected_workers() - 1, "/articles/" + slug)
    try:
        for i in range(6):
            status(fcgi_request("GET", "/articles/%s?i=%d" % (slug, i)), 404)
    finally:
        release_pins(pins)
    before = requests(scrape(), route, 404)
    old = sc.wait_workers()
    os.kill(old[0], signal.SIGKILL)
    sc.wait_workers(exclude=[old[0]])
    m = scrape()
    eq(requests(m, route, 404), before,
       "the killed worker's requests are still counted")
    eq(m.value("civitas_workers_up"), sc.expected_workers())
    old = sc.wait_workers()
    os.kill(sc.master_pid(), signal.SIGHUP)
    sc.wait_workers(exclude=old)
    m = scrape()
    eq(requests(m, route, 404), before,
       "after SIGHUP (every worker replaced) the counts are kept")
    promtool_ok(m.text, "after SIGHUP")


@test
def page_cache_hits_and_misses_counted():
    before = scrape()
    seen = {"HIT": 0, "MISS": 0}
    for i in range(12):
        r = status(fcgi_request("GET", "/"), 200)
        seen[r.headers.get("X-Page-Cache")] += 1
    after = scrape()
    ok(seen["HIT"] > 0, "some hits in 12 requests to 4 workers: %s" % seen)
    eq(after.value("civitas_page_cache_hits_total") -
       before.value("civitas_page_cache_hits_total"), seen["HIT"], "hits")
    eq(after.value("civitas_page_cache_misses_total") -
       before.value("civitas_page_cache_misses_total"), seen["MISS"],
       "misses")


@test
def mail_figures_read_from_postgresql():
    tag = uuid.uuid4().hex[:12]
    before = scrape()
    psql("INSERT INTO outbox (message_id, to_addr, subject, body_text, "
         "next_attempt_at) VALUES (:'p1', 'later@example.test', 'later', "
         "'x', now() + interval '1 day'), (:'p2', 'never@example.test', "
         "'never', 'x', 'infinity')",
         "<later-%s@test>" % tag, "<never-%s@test>" % tag)
    try:
        after = scrape()
        eq(after.value("civitas_outbox_messages", state="waiting") -
           before.value("civitas_outbox_messages", state="waiting"), 1,
           "a message waiting")
        eq(after.value("civitas_outbox_messages", state="given_up") -
           before.value("civitas_outbox_messages", state="given_up"), 1,
           "a message given up")
    finally:
        psql("DELETE FROM outbox WHERE message_id IN (:'p1', :'p2')",
             "<later-%s@test>" % tag, "<never-%s@test>" % tag)
    sent, failed = psql_value("SELECT coalesce(sum(sent), 0) || ' ' || "
                              "coalesce(sum(failed), 0) FROM campaigns"
                              ).split()
    m = scrape()
    eq(m.value("civitas_campaign_recipients_total", status="sent"),
       float(sent))
    eq(m.value("civitas_campaign_recipients_total", status="failed"),
       float(failed))


# --------------------------------------------------------------------------
# Outages
# --------------------------------------------------------------------------

@test(slow=True)
def redis_stop_moves_its_error_and_reconnection_counters():
    sc.restore_stack()
    before = scrape()
    try:
        sc.stop_redis()
        for _ in range(8):
            status(fcgi_request("GET", "/health"), 503)
        m = scrape()
        promtool_ok(m.text, "Redis stopped")
        eq(m.value("civitas_redis_up"), 0)
        eq(m.value("civitas_postgresql_up"), 1)
        ok(m.has("civitas_outbox_messages"), "mail figures without Redis")
    finally:
        sc.restore_stack()     # and /health 200 through every worker
    after = scrape()
    errors = sum(after.value("civitas_redis_errors_total", kind=k) -
                 before.value("civitas_redis_errors_total", kind=k)
                 for k in ("connect", "lost", "reply"))
    ok(errors >= 8, "Redis errors counted: %s" % errors)
    ok(after.value("civitas_redis_reconnections_total") >
       before.value("civitas_redis_reconnections_total"),
       "the workers reconnected to Redis")
    eq(after.value("civitas_redis_up"), 1)


@test(slow=True)
def metrics_served_with_postgresql_down():
    sc.restore_stack()
    before = scrape()
    try:
        sc.stop_postgres()
        m = scrape()
        promtool_ok(m.text, "PostgreSQL stopped")
        eq(m.value("civitas_postgresql_up"), 0)
        eq(m.value("civitas_redis_up"), 1)
        ok(not m.has("civitas_outbox_messages") and
           not m.has("civitas_campaign_recipients_total"),
           "what needs the database is left out")
        ok(m.has("civitas_http_requests_total"), "the rest is served")
        r = http_request("GET", "/metrics")
        status(r, 200, "through nginx, PostgreSQL stopped")
        ok(sum(m.value("civitas_postgresql_errors_total", kind=k) -
               before.value("civitas_postgresql_errors_total", kind=k)
               for k in ("connect", "lost", "timeout", "statement")) > 0,
           "PostgreSQL errors counted")
    finally:
        sc.restore_stack()     # and /health 200 through every worker
    after = scrape()
    eq(after.value("civitas_postgresql_up"), 1)
    ok(after.value("civitas_postgresql_reconnections_total") >
       before.value("civitas_postgresql_reconnections_total"),
       "the workers reconnected to PostgreSQL")


# --------------------------------------------------------------------------
# nginx: internal addresses only, never cached
# --------------------------------------------------------------------------

@test
def nginx_serves_metrics_to_internal_addresses_only():
    before = scrape()
    # a public client through the trusted proxy: refused by nginx
    r = http_request("GET", "/metrics", source_address=(trusted_proxy(), 0),
                     forwarded_for=PUBLIC)
    status(r, 403, "public address through the trusted proxy")
    contains(r.text, "Accès refusé")
    not_contains(r.text, "civitas_")
    # a private address through the proxy, and 127.0.0.1 itself: served
    r = http_request("GET", "/metrics", source_address=(trusted_proxy(), 0),
                     forwarded_for="10.20.30.40")
    status(r, 200, "a private address through the trusted proxy")
    r = http_request("GET", "/metrics")
    status(r, 200, "from 127.0.0.1")
    eq(r.headers.get("Content-Type"), CTYPE)
    promtool_ok(r.text, "through nginx")
    after = scrape()
    eq(requests(after, "/metrics", 403), requests(before, "/metrics", 403),
       "nginx refused the public address: no worker saw it")
    # the workers refuse a public address themselves too
    status(fcgi_request("GET", "/metrics", remote_addr=PUBLIC), 403)


@test
def nginx_never_caches_metrics():
    first = Metrics(status(http_request("GET", "/metrics"), 200).text)
    r = status(http_request("GET", "/metrics"), 200)
    second = Metrics(r.text)
    eq(requests(second, "/metrics", 200) - requests(first, "/metrics", 200),
       1, "the second scrape reached a worker and counts the first")
    eq(r.headers.get("X-Cache-Status"), None, "no cache on /metrics")
    contains(r.headers.get("Cache-Control", ""), "no-store")


# --------------------------------------------------------------------------
# The request id
# --------------------------------------------------------------------------

def access_log():
    with open(os.path.join(log_dir(), "nginx-access.log"),
              encoding="utf-8", errors="replace") as fh:
        return fh.read()


def access_line(needle):
    """The access log line holding needle (the log is flushed each
    second)."""
    def find():
        lines = [ln for ln in access_log().splitlines() if needle in ln]
        return lines[-1] if lines else None
    return wait_until(find, 10, 0.1, "%r in nginx's access log" % needle)


@test
def request_id_in_nginx_log_worker_log_and_header():
    tag = uuid.uuid4().hex[:12]
    mark = sc.log_offset()
    r = http_request("GET", "/articles/rid-%s" % tag,
                     source_address=(trusted_proxy(), 0),
                     forwarded_for=sc.random_client_ip())
    status(r, 404)
    rid = r.headers.get("X-Request-Id")
    ok(rid and re.fullmatch(r"[0-9a-f]{32}", rid),
       "X-Request-Id is nginx's $request_id: %r" % rid)
    ok(access_line("rid-%s" % tag).endswith(" " + rid),
       "nginx's access line ends with the request id")
    lines = [ln for ln in sc.log_since(mark).splitlines()
             if "request_id=" + rid in ln]
    eq(len(lines), 1, "the worker's line with the request id")
    contains(lines[0], "GET /articles/{slug} 404 ")
    not_contains(lines[0], tag, "the route pattern, never the path")
    # a page from the micro-cache carries the id of its own request
    a = http_request("GET", "/")
    b = http_request("GET", "/")
    eq(b.headers.get("X-Cache-Status"), "HIT")
    ok(a.headers.get("X-Request-Id") != b.headers.get("X-Request-Id"),
       "two requests, two ids, even from the cache")
    eq(len(b.headers.get_all("X-Request-Id")), 1, "one X-Request-Id")
    # straight to FastCGI: the worker makes one, or keeps a sound one
    mark = sc.log_offset()
    r = status(fcgi_request("GET", "/nothing-%s" % tag), 404)
    own = r.headers.get("X-Request-Id")
    ok(own and re.fullmatch(r"[0-9a-f]{32}", own), "worker's id %r" % own)
    r = status(fcgi_request("GET", "/nothing-%s" % tag,
                            params={"REQUEST_ID": "given-" + tag}), 404)
    eq(r.headers.get("X-Request-Id"), "given-" + tag)
    r = status(fcgi_request("GET", "/nothing-%s" % tag,
                            params={"REQUEST_ID": "bad id\""}), 404)
    ok(re.fullmatch(r"[0-9a-f]{32}", r.headers.get("X-Request-Id")),
       "an id with a space or a quote is replaced")
    text = sc.log_since(mark)
    for needle in ("request_id=" + own, "request_id=given-" + tag):
        contains(text, needle)


# --------------------------------------------------------------------------
# LOG_FORMAT=json
# --------------------------------------------------------------------------

def json_lines(path):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    out = []
    for line in text.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            raise AssertionError("not a JSON line: %r" % line)
        ok(isinstance(obj, dict), "not an object: %r" % line)
        for k, t in (("ts", str), ("level", str), ("role", str),
                     ("pid", int), ("msg", str)):
            ok(isinstance(obj.get(k), t), "%s missing in %r" % (k, line))
        ok(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
                        obj["ts"]), "ts %r" % obj["ts"])
        out.append(obj)
    return out


@test(slow=True)
def json_log_lines_and_request_id_through_nginx():
    """The stack's master is replaced by one with LOG_FORMAT=json on the
    same socket (nginx's upstream), then the stack is restored."""
    tag = uuid.uuid4().hex[:12]
    master = sc.master_pid()
    logfile = tempfile.NamedTemporaryFile(prefix="civitas-json-",
                                          suffix=".log", delete=False)
    proc = None
    try:
        os.kill(master, signal.SIGTERM)
        sc._wait_gone(master, 40, "master")
        sc._remove_pid_file("fcgi", master)
        env = dict(os.environ, LOG_FORMAT="json", LOG_REQUESTS="all",
                   WORKERS="2")
        proc = subprocess.Popen([fcgi_binary(), "serve"],
                                stdin=subprocess.DEVNULL, stdout=logfile,
                                stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        wait_until(lambda: os.path.exists(fcgi_socket_path()) and
                   fcgi_request("GET", "/health").status == 200, 20, 0.1,
                   "the JSON master's workers")
        r = http_request("GET", "/articles/json-%s" % tag,
                         source_address=(trusted_proxy(), 0),
                         forwarded_for=sc.random_client_ip())
        status(r, 404)
        rid = r.headers.get("X-Request-Id")
        h = status(http_request("GET", "/health?json=" + tag), 200)
        hid = h.headers.get("X-Request-Id")
        ok(access_line("json-%s" % tag).endswith(" " + rid))
        ok(access_line("json=%s" % tag).endswith(" " + hid))
        d = status(fcgi_request("GET", "/json-nothing-%s" % tag), 404)
        did = d.headers.get("X-Request-Id")
        wait_until(lambda: all(x in open(logfile.name).read()
                               for x in (rid, hid, did)), 10, 0.1,
                   "the three request lines")
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        sc.restore_stack()
    lines = json_lines(logfile.name)
    os.unlink(logfile.name)
    roles = {o["role"] for o in lines}
    ok({"serve", "master"} & roles and "worker" in roles,
       "lines of the master and of the workers: %s" % roles)
    by_id = {o.get("request_id"): o for o in lines if "request_id" in o}
    eq({k: by_id[rid][k] for k in ("method", "route", "status")},
       {"method": "GET", "route": "/articles/{slug}", "status": 404})
    ok(isinstance(by_id[rid]["duration_ms"], (int, float)), "duration_ms")
    eq({k: by_id[hid][k] for k in ("method", "route", "status")},
       {"method": "GET", "route": "/health", "status": 200})
    eq((by_id[did]["route"], by_id[did]["path"], by_id[did]["status"]),
       (None, "/json-nothing-%s" % tag, 404))
    not_contains(json.dumps(by_id[rid]), tag, "the pattern, not the path")


@test
def json_log_of_the_mail_worker_and_a_bad_format():
    env = dict(os.environ, LOG_FORMAT="json", MAIL_CONNECTIONS="0")
    proc = subprocess.run([fcgi_binary("civitas-mailer")], env=env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=30)
    ok(proc.returncode != 0, "MAIL_CONNECTIONS=0 is refused")
    with tempfile.NamedTemporaryFile("wb", delete=False) as fh:
        fh.write(proc.stdout)
    try:
        lines = json_lines(fh.name)
    finally:
        os.unlink(fh.name)
    ok(lines, "the mailer said why")
    eq((lines[-1]["role"], lines[-1]["level"]), ("mailer", "error"))
    contains(lines[-1]["msg"], "MAIL_CONNECTIONS")
    proc = subprocess.run([fcgi_binary(), "routes"],
                          env=dict(os.environ, LOG_FORMAT="xml"),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=30)
    ok(proc.returncode != 0, "LOG_FORMAT=xml is refused")
    contains(proc.stdout.decode(), "LOG_FORMAT must be text or json")


if __name__ == "__main__":
    raise SystemExit(run([__name__]))
