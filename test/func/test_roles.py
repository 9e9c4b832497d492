# SPDX-License-Identifier: MIT
"""Every route of committees and events, by role, read from the worker's
own route table (issue 8, section 6): a route added under /committees,
/events, /api/committees, /api/events, /admin/committees or /admin/event*
without a rule fails here.

Three tables answer for them: ROUTE_RULES of test_events.py (the events
part), the host tools' test of test_manage.py (every pattern with /manage
or ending in /invite), and RULES below (committees, their back-office and
API, and the calendars). `every_route_has_a_rule` checks that the three
cover the whole table; `every_committee_route_by_role` runs RULES for the
six roles on a fresh committee per route, and checks that a refused POST
changes nothing."""

import re

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403

ROLES = ("anonymous", "member", "follower", "host", "supervisor", "admin")
# "login": a redirect to the login page; a number: that status; "kept":
# refused with the handler's own answer (a notice), the state unchanged;
# None: not refused (the handler's own answer, below 500).
OPEN = (None,) * 6
AUTH = ("login",) + (None,) * 5
MANAGE = ("login", 403, 403, None, None, None)
ADMIN = ("login", 403, 403, 403, 403, None)
RULES = {
    ("GET", "/committees"): OPEN,
    ("GET", "/api/committees"): OPEN,
    ("GET", "/committees/new"): AUTH,
    ("POST", "/committees/new"): AUTH,
    ("GET", "/committees/{slug}"): OPEN,
    ("GET", "/committees/{slug}/events.ics"): OPEN,
    ("GET", "/events/{slug}.ics"): OPEN,
    ("POST", "/committees/{slug}/follow"): AUTH,
    # The supervisor cannot leave the committee.
    ("POST", "/committees/{slug}/unfollow"): ("login", None, None, None,
                                             "kept", None),
    ("POST", "/committees/{slug}/preferences"): AUTH,
    ("GET", "/committees/{slug}/manage/edit"): MANAGE,
    ("POST", "/committees/{slug}/manage/edit"): MANAGE,
    ("GET", "/admin/committees"): ADMIN,
    ("GET", "/admin/committees/{id}"): ADMIN,
    ("POST", "/admin/committees/{id}/approve"): ADMIN,
    ("POST", "/admin/committees/{id}/refuse"): ADMIN,
    ("POST", "/admin/committees/{id}/delete"): ADMIN,
}
PREFIXES = re.compile(r"^(/committees|/events|/api/committees|/api/events|"
                      r"/admin/committees|/admin/event)")


def claimed_by_events(pattern):
    """The routes test_events.py's ROUTE_RULES answers for (its
    part_routes())."""
    return (re.match(r"^(/events|/api/events|/admin/event|"
                     r"/committees/\{slug\}/events/new)", pattern) and
            ".ics" not in pattern and "/manage" not in pattern and
            "/invite" not in pattern)


def claimed_by_manage(pattern):
    """The routes test_manage.py's manage_routes() runs by role."""
    return "/manage" in pattern and not pattern.endswith("/manage/edit") \
        or pattern.endswith("/invite")


@test
def every_route_has_a_rule():
    seen = 0
    for method, pattern, flags in route_table():
        if not PREFIXES.match(pattern):
            continue
        seen += 1
        owners = [name for name, claimed in (
            ("test_events", claimed_by_events(pattern)),
            ("test_manage", claimed_by_manage(pattern)),
            ("test_roles", (method, pattern) in RULES)) if claimed]
        eq(len(owners), 1, "%s %s: answered for by %s" % (
            method, pattern, owners or "no table"))
    ok(seen >= 55, "routes of committees and events: %d" % seen)
    table = {(m, p) for m, p, _ in route_table()}
    for key in RULES:
        ok(key in table, "%s %s: a rule for no route" % key)


def person(role="member"):
    """(id, logged-in client) of a new confirmed member."""
    email, password = make_admin() if role == "admin" else (None, None)
    if email:
        c = Client("fcgi")
        login(c, email, password)
        return int(user_id(email)), c
    c, email, _ = new_member()
    return int(user_id(email)), c


def committee(people):
    """(id, slug) of a new approved committee in Lyon whose follower, host
    and supervisor are those of people."""
    slug = "roles-" + random_letters(10).lower()
    cid = int(psql_value(
        "INSERT INTO committees (slug, name, description, postal_code, "
        "country, city_insee, city_name, status, created_by, approved_at) "
        "VALUES (:'p1', :'p2', 'Un comité pour les rôles.', '69001', 'FR', "
        "'69381', 'Lyon 1er Arrondissement', 'approved', :'p3', now()) "
        "RETURNING id", slug, "Rôles " + random_letters(12),
        people["supervisor"][0]))
    for role in ("follower", "host", "supervisor"):
        psql("INSERT INTO committee_memberships (committee_id, user_id, "
             "role) VALUES (:'p1', :'p2', :'p3')", cid, people[role][0], role)
    return cid, slug


def state(cid):
    return psql("SELECT c.name, c.status, c.description, (SELECT "
                "string_agg(m.user_id || m.role || m.notify_messages || "
                "m.notify_events, ',' ORDER BY m.user_id) FROM "
                "committee_memberships m WHERE m.committee_id = c.id), "
                "(SELECT count(*) FROM committees) FROM committees c WHERE "
                "c.id = :'p1'", cid)


@test
def every_committee_route_by_role():
    people = {"anonymous": (0, Client("fcgi"))}
    for role in ROLES[1:]:
        people[role] = person(role)
    tokens = {role: csrf_of(c.get("/signup/resend"))
              for role, (_, c) in people.items()}
    event_slug = psql_value("INSERT INTO events (slug, organizer_name, "
                            "name, description, begins_at, finishes_at, "
                            "time_zone, online_url) VALUES (:'p1', 'Rôles', "
                            "'Un événement national', 'En ligne.', now() + "
                            "interval '3 days', now() + interval '3 days "
                            "1 hour', 'Europe/Paris', 'https://example.org/"
                            "visio') RETURNING slug",
                            "roles-" + random_letters(10).lower())
    for (method, pattern), rule in sorted(RULES.items()):
        cid, slug = committee(people)
        path = (pattern.replace("{id}", str(cid))
                .replace("/events/{slug}", "/events/" + event_slug)
                .replace("{slug}", slug))
        for role, want in zip(ROLES, rule):
            _, c = people[role]
            before = state(cid)
            if method == "GET":
                resp = c.get(path)
            else:
                resp = c.post(path, [("_csrf", tokens[role])])
            where = "%s %s as %s" % (method, pattern, role)
            if want == "login":
                redirects(resp, "/login", where)
            elif want == "kept":
                ok(resp.status < 500, "%s: %s" % (where, resp.status))
            elif want is not None:
                status(resp, want, where)
            else:
                ok(resp.status not in (401, 403, 404) and not (
                    resp.status in (302, 303) and "/login" in
                    (resp.location or "")), "%s: refused (%s)" % (
                        where, resp.status))
                ok(resp.status < 500, "%s: %s" % (where, resp.status))
            if want is not None and method == "POST":
                eq(state(cid), before, "%s changed nothing" % where)
