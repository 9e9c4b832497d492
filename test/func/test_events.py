# SPDX-License-Identifier: MIT
"""Events: creation by hosts and admins, editing and cancelling (with the
mails to the registered), the public list and page, registration with
capacity and the waiting list under concurrency, the single-use cancel
link, categories, the API, and search.

Committees are written to the database directly (their own pages are
another part's): approved or pending, with a supervisor, a host and a
follower. Everything else goes through the real forms and mails."""

import datetime
import html
import json
import os
import re
import threading

import icalendar  # noqa: E402  (Debian's python3-icalendar)

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import stackctl as sc

LYON = {"country": "FR", "postal_code": "69001", "city_code": "69381",
        "street": "1 place des Terreaux", "city_name": ""}


def days_ahead(n, hour="18:00"):
    d = datetime.date.today() + datetime.timedelta(days=n)
    return "%sT%s" % (d.isoformat(), hour)


def category(name=None):
    """A new event category: (id, slug, name)."""
    name = name or "Catégorie " + random_letters()
    slug = "cat-" + random_letters()
    cid = psql_value("INSERT INTO event_categories (name, slug) VALUES "
                     "(:'p1', :'p2') RETURNING id", name, slug)
    return cid, slug, name


def committee(status="approved", postal="69001", insee="69381",
              city="Lyon"):
    """A committee with a supervisor, a host and a follower, each a
    logged-in member: a dict of slug, id, name and the clients."""
    name = "Comité " + random_letters()
    slug = "comite-" + random_letters()
    sup, sup_email, _ = new_member()
    cid = psql_value(
        "INSERT INTO committees (slug, name, description, postal_code, "
        "country, city_insee, city_name, status, approved_at, created_by) "
        "VALUES (:'p1', :'p2', 'Un comité pour les tests.', :'p3', 'FR', "
        ":'p4', :'p5', :'p6', CASE WHEN :'p6' = 'approved' THEN now() END, "
        ":'p7') RETURNING id", slug, name, postal, insee, city, status,
        user_id(sup_email))
    out = {"slug": slug, "id": cid, "name": name, "creator": sup}
    if status == "approved":
        add_member(cid, sup_email, "supervisor")
        host, host_email, _ = new_member()
        add_member(cid, host_email, "host")
        fol, fol_email, _ = new_member()
        add_member(cid, fol_email, "follower")
        out.update(supervisor=sup, host=host, follower=fol,
                   host_email=host_email)
    return out


def add_member(cid, email, role):
    psql("INSERT INTO committee_memberships (committee_id, user_id, role) "
         "VALUES (:'p1', :'p2', :'p3')", cid, user_id(email), role)


def event_fields(cat_id, **over):
    fields = {"name": "Débat sur les transports " + random_letters(4),
              "category": str(cat_id),
              "description": "Venez **débattre** des transports.",
              "begins_at": days_ahead(10, "18:00"),
              "finishes_at": days_ahead(10, "20:00"),
              "mode": "place", "online_url": "", "capacity": "",
              "time_zone": "Europe/Paris"}
    fields.update(LYON)
    fields.update(over)
    return fields


def create_event(client, url, fields):
    """Submit the new event form; returns the slug of the event."""
    resp = client.submit(url, fields, "#event-form")
    redirects(resp, "/events/", "create event %r" % fields.get("name"))
    return resp.location.rsplit("/events/", 1)[1]


_SHARED = {}


def shared():
    """A committee and a category made once for the tests that only need
    some event."""
    if not _SHARED:
        _SHARED["committee"] = committee()
        _SHARED["category"] = category()
    return _SHARED["committee"], _SHARED["category"]


def new_event(**over):
    """A new event of the shared committee: its slug and id."""
    com, cat = shared()
    slug = create_event(com["host"], "/committees/%s/events/new" %
                        com["slug"], event_fields(cat[0], **over))
    return slug, event_id(slug)


def event_id(slug):
    return psql_value("SELECT id FROM events WHERE slug = :'p1'", slug)


def event_row(slug):
    cols = ("id", "committee_id", "organizer_name", "time_zone",
            "begins_utc", "finishes_utc", "status", "sequence", "capacity",
            "online_url", "city_insee", "description_html")
    rows = psql("SELECT id, committee_id, organizer_name, time_zone, "
                "to_char(begins_at AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD HH24:MI'), to_char(finishes_at AT TIME ZONE "
                "'UTC', 'YYYY-MM-DD HH24:MI'), status, sequence, capacity, "
                "online_url, city_insee, description_html FROM events "
                "WHERE slug = :'p1'", slug)
    return dict(zip(cols, rows[0])) if rows else None


def registrations(eid):
    """{status: count} of an event."""
    return {s: int(n) for s, n in psql(
        "SELECT status, count(*) FROM event_registrations WHERE event_id = "
        ":'p1' GROUP BY status", eid)}


def guest(email=None, **over):
    fields = {"first_name": "Léa", "last_name": "Durand",
              "email": email or unique_email("guest"),
              "postal_code": "69003"}
    fields.update(over)
    return fields


def rsvp(slug, fields, client=None):
    c = client or Client("fcgi")
    return c.submit("/events/%s/rsvp" % slug, fields, "#rsvp-form")


def post_rsvp(slug, fields):
    """A guest's registration as one browser: GET the form, POST it."""
    return rsvp(slug, fields)


def text_of(resp):
    """The text of a page, entities decoded."""
    return html.unescape(resp.text)


def ics_of(email, subject):
    """The calendar attached to the latest mail with subject received by
    email at the SMTP sink: (file name, Content-Type, text), or None."""
    msg = wait_mail(email, subject)
    part = ics_part(msg)
    if part is None:
        return None
    return (part.get_filename(), "%s; method=%s" % (
        part.get_content_type(), part.get_param("method")),
        part.get_payload(decode=True).decode("utf-8"))


def mailed_with_calendar(email, seen, subject, text, method):
    """A new mail to email with subject and text arrived, its calendar of
    method queued with it: the calendar, parsed."""
    contains(mail_text(new_mail(email, subject, seen)), text)
    ics = ics_of(email, subject)
    ok(ics is not None, "%r carries the calendar" % subject)
    contains(ics[1], "method=" + method)
    cal = icalendar.Calendar.from_ical(ics[2])
    eq(str(cal["METHOD"]), method)
    return cal


def cancel_link_of(msg):
    found = [u for u in links(msg) if "/events/cancel/" in u]
    eq(len(found), 1, "one cancel link in the mail: %s" % links(msg))
    return found[0]


def ics_part(msg):
    """The text/calendar attachment of a mail (its part), or None."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return part
    return None


def unpast(slug):
    """Make an event of the past (it started and ended yesterday)."""
    psql("UPDATE events SET begins_at = now() - interval '26 hours', "
         "finishes_at = now() - interval '24 hours' WHERE slug = :'p1'",
         slug)


# ----------------------------------------------------------------------
# Creation

@test
def host_creates_an_event_with_slug_times_and_organiser():
    com, cat = shared()
    fields = event_fields(cat[0], name="Débat sur les transports",
                          begins_at="2031-12-14T18:30",
                          finishes_at="2031-12-14T20:00", capacity="30",
                          description="Un **débat** <script>alert(1)"
                          "</script> [x](javascript:alert(1))")
    slug = create_event(com["host"], "/committees/%s/events/new" %
                        com["slug"], fields)
    ok(re.match(r"^2031-12-14-debat-sur-les-transports(-\d+)?$", slug),
       "slug of date and name: %s" % slug)
    row = event_row(slug)
    eq(row["committee_id"], com["id"])
    eq(row["organizer_name"], com["name"], "the committee organises")
    eq(row["time_zone"], "Europe/Paris")
    eq(row["begins_utc"], "2031-12-14 17:30", "18:30 in Paris in winter")
    eq(row["capacity"], "30")
    eq(row["city_insee"], "69381")
    contains(row["description_html"], "<strong>débat</strong>")
    not_contains(row["description_html"], "<script")
    not_contains(row["description_html"], "javascript:")
    page = Client("fcgi").get("/events/" + slug)
    status(page, 200)
    contains(page, "Débat sur les transports")
    contains(page, "dimanche 14 décembre 2031, de 18 h 30 à 20 h 00")
    not_contains(page, "heure de", "Paris needs no zone")
    contains(page, '/committees/%s"' % com["slug"])
    contains(page, "0 inscrit sur 30 places")
    contains(page, 'href="/events/%s.ics"' % slug)
    contains(page, cat[2])
    # the same name and date again: a suffix
    slug2 = create_event(com["supervisor"], "/committees/%s/events/new" %
                         com["slug"], fields)
    ok(slug2.startswith("2031-12-14-debat-sur-les-transports-") and
       slug2 != slug, "a second slug with a suffix: %s" % slug2)


@test
def simultaneous_creations_of_the_same_name_and_day_get_their_own_slugs():
    com, cat = shared()
    url = "/committees/%s/events/new" % com["slug"]
    fields = event_fields(cat[0], name="Assemblée " + random_letters(5),
                          begins_at="2032-03-03T19:00",
                          finishes_at="2032-03-03T21:00")
    n = 8
    csrf = csrf_of(com["host"].get(url))
    clients = []
    for _ in range(n):
        c = Client("fcgi")
        c.jar = dict(com["host"].jar)
        clients.append(c)
    barrier = threading.Barrier(n)
    answers = [None] * n

    def go(i):
        barrier.wait()
        answers[i] = clients[i].post(url, [("_csrf", csrf)] +
                                     list(fields.items()))
    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(set(a.status for a in answers)), [303])
    slugs = {a.location.rsplit("/events/", 1)[1] for a in answers}
    eq(len(slugs), n, "one slug each: %s" % slugs)
    eq(int(psql_value("SELECT count(*) FROM events WHERE name = :'p1'",
                      fields["name"])), n)


@test
def end_before_start_is_refused_at_the_end_field():
    com, cat = shared()
    c = com["host"]
    for end in (days_ahead(10, "17:00"), days_ahead(10, "18:00")):
        resp = c.submit("/committees/%s/events/new" % com["slug"],
                        event_fields(cat[0], begins_at=days_ahead(10, "18:00"),
                                     finishes_at=end), "#event-form")
        status(resp, 422)
        eq(field_errors(resp.text).get("finishes_at"),
           "La date de fin doit être postérieure à la date de début.")
        eq(find_form(resp.text, "#event-form").values().get("begins_at"),
           days_ahead(10, "18:00"), "the values are kept")


@test
def bad_fields_come_back_with_their_messages():
    com, cat = shared()
    url = "/committees/%s/events/new" % com["slug"]
    c = com["host"]
    cases = [
        ({"name": "Abc"}, "name", "entre 5 et 100"),
        ({"name": "x" * 101}, "name", "entre 5 et 100"),
        ({"category": ""}, "category", "Choisissez une catégorie."),
        ({"category": "999999999"}, "category", "de la liste"),
        ({"mode": "online", "online_url": ""}, "online_url", "lien"),
        ({"mode": "online", "online_url": "javascript:alert(1)"},
         "online_url", "http://"),
        ({"capacity": "0"}, "capacity", "entre 1 et"),
        ({"capacity": "-3"}, "capacity", "entre 1 et"),
        ({"postal_code": "99999", "city_code": ""}, "postal_code",
         "code postal"),
        ({"country": "US", "city_name": "New York",
          "time_zone": "Mars/Olympus"}, "time_zone", "fuseau"),
        ({"begins_at": "2031-02-30T10:00"}, "begins_at", "pas valide"),
    ]
    before = int(psql_value("SELECT count(*) FROM events"))
    for over, field, msg in cases:
        resp = c.submit(url, event_fields(cat[0], **over), "#event-form")
        status(resp, 422, "%r" % over)
        errs = field_errors(resp.text)
        ok(msg in (errs.get(field) or ""), "%r: message at %s: %s" % (
            over, field, errs))
    eq(int(psql_value("SELECT count(*) FROM events")), before,
       "nothing created")


@test
def an_event_in_la_reunion_is_stored_in_utc_and_shown_in_its_zone():
    """97400 Saint-Denis, 14:00 local: 10:00 UTC, shown 14 h 00 with the
    zone named (page, list, API)."""
    com, cat = shared()
    slug = create_event(com["host"], "/committees/%s/events/new" %
                        com["slug"], event_fields(
                            cat[0], name="Réunion publique à Saint-Denis",
                            begins_at="2031-06-10T14:00",
                            finishes_at="2031-06-10T16:00",
                            postal_code="97400", city_code="97411",
                            street="", time_zone="Europe/Paris"))
    row = event_row(slug)
    eq(row["time_zone"], "Indian/Reunion", "the zone of the postal code")
    eq(row["begins_utc"], "2031-06-10 10:00")
    page = Client("fcgi").get("/events/" + slug)
    contains(page, "de 14 h 00 à 16 h 00, heure de La Réunion "
             "(Indian/Reunion)")
    contains(page, 'datetime="2031-06-10T14:00:00+04:00"')
    api = Client("fcgi").get("/api/events?from=2031-06-10&to=2031-06-10")
    found = [e for e in api.json()["events"] if e["name"] == slug]
    eq(len(found), 1, "the event in the API")
    eq(found[0]["start_date"], "2031-06-10T14:00:00+04:00")
    eq(found[0]["end_date"], "2031-06-10T16:00:00+04:00")
    eq(found[0]["time_zone"], "Indian/Reunion")
    email = unique_email("reunion")
    post_rsvp(slug, guest(email, postal_code="97400"))
    vev = icalendar.Calendar.from_ical(
        ics_of(email, "Inscription")[2]).walk("VEVENT")[0]
    start = vev.decoded("DTSTART")
    eq((start.strftime("%H:%M"), str(start.tzinfo)), ("14:00",
                                                      "Indian/Reunion"),
       "14:00 Indian/Reunion in the calendar")


@test
def abroad_and_online_events_take_the_chosen_zone():
    com, cat = shared()
    url = "/committees/%s/events/new" % com["slug"]
    zones = [v for v, _ in select_options(com["host"].get(url).text,
                                          "time_zone")]
    ok(len(zones) > 30 and "Europe/Paris" in zones, zones)
    eq(psql("SELECT z FROM unnest(string_to_array(:'p1', ' ')) z WHERE NOT "
            "EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = z)",
            " ".join(zones)), [], "every zone offered is PostgreSQL's")
    slug = create_event(com["host"], url, event_fields(
        cat[0], country="US", postal_code="", city_code="",
        city_name="New York", street="", time_zone="America/New_York",
        begins_at="2031-07-04T12:00", finishes_at="2031-07-04T13:00"))
    row = event_row(slug)
    eq(row["time_zone"], "America/New_York")
    eq(row["begins_utc"], "2031-07-04 16:00", "EDT is UTC-4")
    contains(Client("fcgi").get("/events/" + slug),
             "heure de New York (America/New_York)")
    slug = create_event(com["host"], url, event_fields(
        cat[0], mode="online", online_url="https://visio.example.org/abc",
        time_zone="Europe/Paris"))
    row = event_row(slug)
    eq(row["online_url"], "https://visio.example.org/abc")
    eq(row["city_insee"], None, "no place for an online event")
    contains(Client("fcgi").get("/events/" + slug),
             "https://visio.example.org/abc")


@test
def who_may_create_an_event_of_a_committee():
    com, cat = shared()
    url = "/committees/%s/events/new" % com["slug"]
    anon = Client("fcgi")
    redirects(anon.get(url), "/login")
    member, _, _ = new_member()
    status(member.get(url), 403)
    status(com["follower"].get(url), 403)
    other = committee(postal="13001", insee="13201", city="Marseille")
    status(other["host"].get(url), 403, "the host of another committee")
    status(other["supervisor"].get(url), 403, "another's supervisor")
    status(com["host"].get(url), 200)
    status(com["supervisor"].get(url), 200)
    admin_c = Client("fcgi")
    login(admin_c, *make_admin())
    status(admin_c.get(url), 200)
    # a POST by a follower creates nothing
    page = com["host"].get(url)
    before = int(psql_value("SELECT count(*) FROM events"))
    resp = com["follower"].post(url, [
        ("_csrf", csrf_of(com["follower"].get("/account")))] +
        list(event_fields(cat[0]).items()))
    status(resp, 403)
    eq(int(psql_value("SELECT count(*) FROM events")), before)
    ok(page.status == 200, "host page")
    # a pending committee: 404, its creator included; unknown: 404
    pending = committee(status="pending")
    status(pending["creator"].get("/committees/%s/events/new" %
                                  pending["slug"]), 404)
    status(admin_c.get("/committees/%s/events/new" % pending["slug"]), 404)
    status(com["host"].get("/committees/nope-%s/events/new" %
                           random_letters()), 404)


# What each role gets from each route of this part (GET, then a POST that
# must change nothing for those refused): "login" is a redirect to the
# login page; None: not refused (the handler's own answer).
ROLES = ("anonymous", "member", "follower", "host", "supervisor", "admin")
MANAGE = ("login", 403, 403, None, None, None)
ADMIN = ("login", 403, 403, 403, 403, None)
OPEN = (None,) * 6
ROUTE_RULES = {
    "/events": OPEN,
    "/api/events": OPEN,
    "/events/{slug}": OPEN,
    "/events/{slug}/rsvp": OPEN,
    "/events/cancel/{token}": OPEN,
    "/events/{slug}/edit": MANAGE,
    "/events/{slug}/cancel": MANAGE,
    "/committees/{slug}/events/new": MANAGE,
    "/admin/events": ADMIN,
    "/admin/events/new": ADMIN,
    "/admin/event-categories": ADMIN,
    "/admin/event-categories/{id}": ADMIN,
    "/admin/event-categories/{id}/delete": ADMIN,
}


def part_routes():
    """The routes of this part in the worker's own table (not the
    calendars' .ics, nor the host tools' manage and invite pages)."""
    out = []
    for method, pattern, flags in route_table():
        if not re.match(r"^(/events|/api/events|/admin/event|"
                        r"/committees/\{slug\}/events/new)", pattern):
            continue
        if ".ics" in pattern or "/manage" in pattern or "/invite" in \
                pattern:
            continue
        out.append((method, pattern))
    return out


@test
def every_route_of_events_answers_each_role_as_its_rule_says():
    """Read from the route table: a new route without a rule fails here."""
    com, cat = shared()
    slug, eid = new_event()
    cat_id = category()[0]
    clients = {"anonymous": Client("fcgi"), "member": new_member()[0],
               "follower": com["follower"], "host": com["host"],
               "supervisor": com["supervisor"]}
    clients["admin"] = Client("fcgi")
    login(clients["admin"], *make_admin())
    routes = part_routes()
    ok(len(routes) >= 20, "the routes of events: %s" % routes)

    def state():
        return psql("SELECT status, sequence, capacity, (SELECT count(*) "
                    "FROM event_categories), (SELECT count(*) FROM events) "
                    "FROM events WHERE id = :'p1'", eid)
    for method, pattern in routes:
        rule = ROUTE_RULES.get(pattern)
        ok(rule is not None, "no rule for %s %s" % (method, pattern))
        path = (pattern.replace("{slug}", com["slug"] if "committees" in
                                pattern else slug)
                .replace("{token}", "C" * 43).replace("{id}", str(cat_id)))
        for role, want in zip(ROLES, rule):
            c = clients[role]
            before = state()
            if method == "GET":
                resp = c.get(path)
            else:
                resp = c.post(path, [("_csrf", csrf_of(c.get(
                    "/signup/resend")))])
            where = "%s %s as %s" % (method, pattern, role)
            if want == "login":
                redirects(resp, "/login", where)
            elif want is not None:
                status(resp, want, where)
            else:
                ok(resp.status not in (401, 403) and not (
                    resp.status in (302, 303) and "/login" in
                    (resp.location or "")), "%s: refused (%s)" % (
                        where, resp.status))
                ok(resp.status < 500, "%s: %s" % (where, resp.status))
            if want is not None and method == "POST":
                eq(state(), before, "%s changed nothing" % where)


@test
def an_admin_creates_a_national_event():
    _, cat = shared()
    email, pw = make_admin()
    c = Client("fcgi")
    login(c, email, pw)
    status(c.get("/admin/events"), 200)
    slug = create_event(c, "/admin/events/new",
                        event_fields(cat[0], name="Meeting national"))
    row = event_row(slug)
    eq(row["committee_id"], None, "a national event")
    me = user_row(email)
    who = "%s %s." % (me["first_name"], me["last_name"][0])
    eq(row["organizer_name"], who, "first name and initial")
    contains(c.get("/admin/events"), "/events/%s" % slug)
    eq(psql_value("SELECT count(*) FROM audit_log WHERE action = "
                  "'event.create' AND object_id = :'p1'", row["id"]), "1",
       "audited")
    page = Client("fcgi").get("/events/" + slug)
    status(page, 200)
    contains(page, "Organisé par " + who)
    member, _, _ = new_member()
    status(member.get("/admin/events/new"), 403)
    status(member.get("/admin/events"), 403)


# ----------------------------------------------------------------------
# Editing and cancelling

@test
def who_may_edit_and_cancel_an_event():
    com, cat = shared()
    slug, _ = new_event()
    other = committee()
    admin_c = Client("fcgi")
    login(admin_c, *make_admin())
    member, _, _ = new_member()
    for path in ("/events/%s/edit" % slug, "/events/%s/cancel" % slug):
        redirects(Client("fcgi").get(path), "/login")
        status(member.get(path), 403, path)
        status(com["follower"].get(path), 403, path)
        status(other["host"].get(path), 403, "host of another committee")
        status(com["host"].get(path), 200, path)
        status(com["supervisor"].get(path), 200, path)
        status(admin_c.get(path), 200, path)
    # forged slugs
    for path in ("/events/nope-%s/edit", "/events/nope-%s/cancel",
                 "/events/nope-%s/rsvp", "/events/nope-%s"):
        status(com["host"].get(path % random_letters()), 404, path)
    # a follower's POST changes nothing
    resp = member.post("/events/%s/cancel" % slug,
                       [("_csrf", csrf_of(member.get("/account"))),
                        ("message", "non")])
    status(resp, 403)
    eq(event_row(slug)["status"], "scheduled")


@test
def an_event_of_a_pending_committee_is_hidden():
    pending = committee(status="pending")
    _, cat = shared()
    psql("INSERT INTO events (slug, committee_id, organizer_name, "
         "category_id, name, description, begins_at, finishes_at, "
         "time_zone, street, postal_code, country, city_insee, city_name) "
         "VALUES ('2031-01-01-cache-' || :'p2', :'p1', 'x', :'p3', "
         "'Événement caché', 'x', now() + interval '3 days', now() + "
         "interval '3 days 2 hours', 'Europe/Paris', '', '69001', 'FR', "
         "'69381', 'Lyon')", pending["id"], random_letters(), cat[0])
    slug = psql_value("SELECT slug FROM events WHERE committee_id = :'p1'",
                      pending["id"])
    status(Client("fcgi").get("/events/" + slug), 404)
    status(Client("fcgi").get("/events/%s/rsvp" % slug), 404)
    not_contains(Client("fcgi").get("/api/events").text, slug)
    status(pending["creator"].get("/events/%s/edit" % slug), 404)


@test
def moving_an_event_mails_everyone_an_update_and_raises_the_sequence():
    com, cat = shared()
    slug, eid = new_event(capacity="1")
    a, b = unique_email("upd-a"), unique_email("upd-b")
    contains(post_rsvp(slug, guest(a)), "Inscription confirmée")
    contains(text_of(post_rsvp(slug, guest(b))), "liste d'attente")
    seq = int(event_row(slug)["sequence"])
    uid = psql_value("SELECT uuid FROM events WHERE id = :'p1'", eid)
    first = icalendar.Calendar.from_ical(ics_of(a, "Inscription")[2])
    ok(str(first.walk("VEVENT")[0]["UID"]).startswith(uid), "the UID")
    seen_a, seen_b = mail_paths(a), mail_paths(b)
    # the description only: no mail, same sequence
    resp = com["host"].submit("/events/%s/edit" % slug,
                              {"description": "Une autre description."},
                              "#event-form")
    redirects(resp, "/events/" + slug)
    eq(int(event_row(slug)["sequence"]), seq, "no change of time or place")
    eq(outbox_count(a, "Événement modifié : " + psql_value(
        "SELECT name FROM events WHERE slug = :'p1'", slug)), 0)
    # one hour later: everyone is mailed, with the calendar
    resp = com["host"].submit("/events/%s/edit" % slug,
                              {"begins_at": days_ahead(10, "19:00"),
                               "finishes_at": days_ahead(10, "21:00")},
                              "#event-form")
    redirects(resp, "/events/" + slug)
    eq(int(event_row(slug)["sequence"]), seq + 1, "SEQUENCE raised")
    for email, seen in ((a, seen_a), (b, seen_b)):
        cal = mailed_with_calendar(email, seen, "Événement modifié",
                                   "de 19 h 00 à 21 h 00", "REQUEST")
        vev = cal.walk("VEVENT")[0]
        eq(str(vev["UID"]), str(first.walk("VEVENT")[0]["UID"]),
           "the same UID")
        eq(int(vev["SEQUENCE"]), seq + 1, "the new SEQUENCE")
        eq(vev.decoded("DTSTART").strftime("%H:%M"), "19:00")
    eq(int(event_row(slug)["sequence"]), seq + 1)


@test
def raising_the_capacity_promotes_the_waiting_list():
    com, _ = shared()
    slug, eid = new_event(capacity="1")
    emails = [unique_email("cap%d" % i) for i in range(3)]
    for e in emails:
        post_rsvp(slug, guest(e))
    eq(registrations(eid), {"registered": 1, "waiting": 2})
    seen = mail_paths(emails[1])
    redirects(com["host"].submit("/events/%s/edit" % slug,
                                 {"capacity": "2"}, "#event-form"),
              "/events/" + slug)
    eq(registrations(eid), {"registered": 2, "waiting": 1})
    msg = new_mail(emails[1], "Une place s'est libérée", seen)
    ok(ics_of(emails[1], "Une place") is not None,
       "the promoted get the calendar")
    eq(psql_value("SELECT status FROM event_registrations WHERE email = "
                  ":'p1'", emails[2]), "waiting", "the queue's order kept")
    # below the seats taken: refused
    resp = com["host"].submit("/events/%s/edit" % slug, {"capacity": "1"},
                              "#event-form")
    status(resp, 422)
    contains(field_errors(resp.text).get("capacity", ""), "déjà inscrites")
    eq(event_row(slug)["capacity"], "2")


@test
def cancelling_an_event_mails_the_message_and_closes_it():
    com, _ = shared()
    slug, eid = new_event(capacity="1")
    a, b = unique_email("can-a"), unique_email("can-b")
    post_rsvp(slug, guest(a))
    post_rsvp(slug, guest(b))
    seen_a, seen_b = mail_paths(a), mail_paths(b)
    status(com["host"].get("/events/%s/cancel" % slug), 200)
    eq(event_row(slug)["status"], "scheduled", "a GET changes nothing")
    resp = com["host"].submit("/events/%s/cancel" % slug,
                              {"message": "La salle est fermée."},
                              "#event-cancel-form")
    redirects(resp, "/events/" + slug)
    row = event_row(slug)
    eq(row["status"], "cancelled")
    for email, seen in ((a, seen_a), (b, seen_b)):
        mailed_with_calendar(email, seen, "Événement annulé",
                             "La salle est fermée.", "CANCEL")
    page = Client("fcgi").get("/events/" + slug)
    contains(page, "Cet événement est annulé.")
    contains(page, "La salle est fermée.")
    not_contains(page, "/rsvp\"")
    status(Client("fcgi").get("/events/%s/rsvp" % slug), 409)
    status(com["host"].get("/events/%s/edit" % slug), 409)
    status(com["host"].get("/events/%s/cancel" % slug), 409)
    before = registrations(eid)
    resp = Client("fcgi").post("/events/%s/rsvp" % slug, [])
    status(resp, (403, 409))
    eq(registrations(eid), before)


# ----------------------------------------------------------------------
# Registration

@test
def a_guest_registers_and_gets_the_calendar_and_a_cancel_link():
    slug, eid = new_event(capacity="5")
    email = unique_email("rsvp")
    resp = post_rsvp(slug, guest(email, news_optin="1"))
    status(resp, 200)
    contains(resp, "Inscription confirmée")
    row = psql("SELECT status, first_name, news_optin, cancel_token_hash, "
               "user_id FROM event_registrations WHERE event_id = :'p1' AND "
               "email = :'p2'", eid, email)[0]
    eq(row[:3], ("registered", "Léa", "t"))
    eq(row[4], None, "a guest")
    msg = wait_mail(email, "Inscription confirmée")
    link = cancel_link_of(msg)
    token = link.rsplit("/", 1)[1]
    ok(row[3] and token not in row[3], "only a digest of the token stored")
    ics = ics_of(email, "Inscription confirmée")
    ok(ics is not None, "the event attached")
    eq(ics[0], "evenement.ics")
    contains(ics[1], "text/calendar")
    contains(ics[1], "method=REQUEST")
    contains(Client("fcgi").get("/events/" + slug), "1 inscrit sur 5 places")
    # bad guest fields
    resp = post_rsvp(slug, guest("pas-une-adresse"))
    status(resp, 422)
    ok("email" in field_errors(resp.text), "message at the e-mail")


@test
def a_member_registers_in_one_click_with_their_profile():
    slug, eid = new_event()
    c, email, _ = new_member()
    page = c.get("/events/%s/rsvp" % slug)
    status(page, 200)
    form = find_form(page.text, "#rsvp-form")
    eq(sorted(n for n, _ in form.submission()), ["_csrf"],
       "just the button")
    contains(page, "Camille Martin")
    resp = c.submit("/events/%s/rsvp" % slug, {}, "#rsvp-form")
    contains(resp, "Inscription confirmée")
    eq(psql("SELECT status, user_id, postal_code FROM event_registrations "
            "WHERE event_id = :'p1' AND email = :'p2'", eid, email),
       [("registered", user_id(email), "69001")])
    wait_mail(email, "Inscription confirmée")


@test
def the_same_address_twice_is_one_registration():
    slug, eid = new_event(capacity="3")
    email = unique_email("twice")
    post_rsvp(slug, guest(email))
    resp = post_rsvp(slug, guest(email.upper(), first_name="Léonie"))
    contains(text_of(resp), "déjà inscrit")
    eq(psql("SELECT first_name FROM event_registrations WHERE event_id = "
            ":'p1'", eid), [("Léonie",)], "one row, updated")
    eq(outbox_count(email), 2, "mailed again (a new cancel link), within "
       "the address's quota")
    # concurrently
    email2 = unique_email("twice-c")
    pages = [Client("fcgi") for _ in range(12)]
    forms = [(p, csrf_of(p.get("/events/%s/rsvp" % slug))) for p in pages]
    results = []

    def go(p, csrf):
        results.append(p.post("/events/%s/rsvp" % slug, [("_csrf", csrf)] +
                              list(guest(email2).items())).status)
    threads = [threading.Thread(target=go, args=f) for f in forms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(set(results)), [200], "every answer")
    eq(psql_value("SELECT count(*) FROM event_registrations WHERE "
                  "event_id = :'p1' AND email = :'p2'", eid, email2), "1")
    eq(registrations(eid), {"registered": 2})


@test(slow=True)
def capacity_holds_under_100_simultaneous_registrations():
    """Capacity 20, 100 different addresses at once: exactly 20
    registered, 80 waiting; cancelling one from its mail link gives the
    seat to the first waiting person, who is mailed; the link is
    single-use."""
    slug, eid = new_event(capacity="20")
    n = 100
    emails = [unique_email("crowd%d" % i) for i in range(n)]
    clients = [Client("fcgi") for _ in range(n)]
    tokens = [csrf_of(c.get("/events/%s/rsvp" % slug)) for c in clients]
    barrier = threading.Barrier(n)
    answers = [None] * n

    def go(i):
        barrier.wait()
        answers[i] = clients[i].post("/events/%s/rsvp" % slug,
                                     [("_csrf", tokens[i])] +
                                     list(guest(emails[i]).items()))
    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(set(a.status for a in answers)), [200], "every answer")
    confirmed = [i for i, a in enumerate(answers)
                 if "Inscription confirmée" in a.text]
    waiting = [i for i, a in enumerate(answers)
               if "sur la liste d'attente" in text_of(a)]
    eq((len(confirmed), len(waiting)), (20, 80), "the answers")
    eq(registrations(eid), {"registered": 20, "waiting": 80})
    page = Client("fcgi").get("/events/" + slug)
    contains(page, "Complet")
    contains(text_of(page), "20 inscrits sur 20 places, 80 en liste "
             "d'attente")
    # the first in the queue
    first = psql_value("SELECT email FROM event_registrations WHERE "
                       "event_id = :'p1' AND status = 'waiting' ORDER BY "
                       "created_at, id LIMIT 1", eid)
    seen = mail_paths(first)
    who = emails[confirmed[0]]
    link = cancel_link_of(wait_mail(who, "Inscription confirmée"))
    c = Client("fcgi")
    page = c.get(path_of(link))
    status(page, 200)
    contains(page, "Annuler mon inscription")
    eq(registrations(eid), {"registered": 20, "waiting": 80},
       "the GET changes nothing (mail scanners)")
    resp = c.submit(path_of(link), {})
    status(resp, 200)
    contains(resp, "Inscription annulée")
    eq(registrations(eid), {"registered": 20, "waiting": 79,
                            "cancelled": 1})
    eq(psql_value("SELECT status FROM event_registrations WHERE email = "
                  ":'p1'", first), "registered", "the first waiting")
    msg = new_mail(first, "Une place s'est libérée", seen)
    ok(ics_of(first, "Une place") is not None, "with the calendar")
    cancel_link_of(msg)
    # single-use
    status(Client("fcgi").get(path_of(link)), 404)
    again = Client("fcgi")
    resp = again.post(path_of(link), [("_csrf", csrf_of(again.get(
        "/events/%s/rsvp" % slug)))])
    status(resp, 404)
    contains(resp, "déjà servi")
    eq(registrations(eid), {"registered": 20, "waiting": 79,
                            "cancelled": 1})


@test
def through_nginx_simultaneous_registrations_keep_the_capacity():
    """30 browsers at once through nginx (each its own address) on 5
    seats: 5 registered, 25 waiting, every answer a 200."""
    slug, eid = new_event(capacity="5")
    n = 30
    clients = [Client("http", client_ip=sc.random_client_ip())
               for _ in range(n)]
    tokens = [csrf_of(c.get("/events/%s/rsvp" % slug)) for c in clients]
    barrier = threading.Barrier(n)
    answers = [None] * n

    def go(i):
        barrier.wait()
        answers[i] = clients[i].post(
            "/events/%s/rsvp" % slug, [("_csrf", tokens[i])] +
            list(guest(unique_email("ngx%d" % i)).items())).status
    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(set(answers)), [200])
    eq(registrations(eid), {"registered": 5, "waiting": 25})


@test
def a_waiting_person_leaves_the_list_from_the_link():
    slug, eid = new_event(capacity="1")
    a, b = unique_email("wl-a"), unique_email("wl-b")
    post_rsvp(slug, guest(a))
    resp = post_rsvp(slug, guest(b))
    contains(text_of(resp), "L'événement est complet : vous êtes sur la "
             "liste")
    msg = wait_mail(b, "Liste d'attente")
    ok(ics_of(b, "Liste d'attente") is None, "no calendar without a seat")
    link = cancel_link_of(msg)
    c = Client("fcgi")
    contains(text_of(c.get(path_of(link))), "Quitter la liste d'attente")
    status(c.submit(path_of(link), {}), 200)
    eq(registrations(eid), {"registered": 1, "cancelled": 1})
    status(Client("fcgi").get("/events/cancel/" + "A" * 43), 404)
    status(Client("fcgi").get("/events/cancel/short"), 404)


@test
def past_events_take_no_registration():
    slug, eid = new_event()
    unpast(slug)
    status(Client("fcgi").get("/events/%s/rsvp" % slug), 409)
    page = Client("fcgi").get("/events/" + slug)
    contains(page, "Cet événement est terminé.")
    not_contains(page, "/rsvp\"")
    c = Client("fcgi")
    csrf = csrf_of(c.get("/events/%s" % new_event()[0] + "/rsvp"))
    resp = c.post("/events/%s/rsvp" % slug, [("_csrf", csrf)] +
                  list(guest().items()))
    status(resp, 409)
    eq(registrations(eid), {}, "nothing registered")
    com, _ = shared()
    status(com["host"].get("/events/%s/edit" % slug), 409)


# ----------------------------------------------------------------------
# Lists, API, search

@test
def the_list_shows_upcoming_events_with_filters():
    com, cat = shared()
    other_cat = category()
    mars = committee(postal="13001", insee="13201", city="Marseille")
    lyon_slug, _ = new_event(name="Atelier lyonnais " + random_letters(4))
    vill = create_event(com["host"], "/committees/%s/events/new" %
                        com["slug"], event_fields(
                            other_cat[0], name="Porte-à-porte Villeurbanne",
                            postal_code="69100", city_code="69266"))
    mars_slug = create_event(mars["host"], "/committees/%s/events/new" %
                             mars["slug"], event_fields(
                                 cat[0], name="Marché de Marseille",
                                 postal_code="13001", city_code="13201"))
    online = create_event(com["host"], "/committees/%s/events/new" %
                          com["slug"], event_fields(
                              cat[0], name="Visio nationale", mode="online",
                              online_url="https://visio.example.org/x"))
    past, _ = new_event(name="Un événement passé")
    unpast(past)
    cancelled, _ = new_event(name="Un événement annulé")
    psql("UPDATE events SET status = 'cancelled' WHERE slug = :'p1'",
         cancelled)

    def slugs(query):
        out, page = [], 1
        while True:
            resp = Client("fcgi").get("/events?%s%spage=%d" % (
                query, "&" if query else "", page))
            status(resp, 200, query)
            out += re.findall(r'href="/events/([a-z0-9-]+)"', resp.text)
            if 'rel="next"' not in resp.text:
                return out
            page += 1
    every = slugs("")
    for s in (lyon_slug, vill, mars_slug, online):
        ok(s in every, "%s listed" % s)
    for s in (past, cancelled):
        ok(s not in every, "%s not listed" % s)
    near = slugs("near=69001&radius=20")
    ok(lyon_slug in near and vill in near, "Lyon and Villeurbanne near 69001")
    ok(mars_slug not in near, "Marseille is not near 69001")
    ok(online not in near, "online events are not near anything")
    on = slugs("online=1")
    ok(online in on and lyon_slug not in on, "online filter")
    by_cat = slugs("category=" + other_cat[1])
    eq([s for s in by_cat if s in (vill, lyon_slug)], [vill], "category")
    resp = Client("fcgi").get("/events")
    eq(resp.headers.get("Cache-Control"), "public, max-age=5")
    ok("Set-Cookie" not in resp.headers, "no cookie on a public page")
    for bad in ("page=0", "page=x", "radius=9999", "near=abc"):
        status(Client("fcgi").get("/events?" + bad), 400, bad)
    status(Client("fcgi").get("/events?page=99999"), 404, "past the end")


@test
def the_api_gives_public_data_in_osdi_terms():
    cat = category()
    slug, eid = new_event(name="Réunion ouverte API " + random_letters(4),
                          capacity="12", street="3 rue de la Paix",
                          category=str(cat[0]))
    email = unique_email("api")
    c, member_email, _ = new_member(phone="06 99 88 77 66")
    c.submit("/events/%s/rsvp" % slug, {}, "#rsvp-form")
    post_rsvp(slug, guest(email))
    day = psql_value("SELECT to_char(begins_at AT TIME ZONE 'Europe/Paris',"
                     " 'YYYY-MM-DD') FROM events WHERE id = :'p1'", eid)
    resp = Client("fcgi").get("/api/events?from=%s&to=%s&category=%s" % (
        day, day, cat[1]))
    status(resp, 200)
    ok(resp.content_type.startswith("application/json"), resp.content_type)
    found = [e for e in resp.json()["events"] if e["name"] == slug]
    eq(len(found), 1)
    ev = found[0]
    for key in ("name", "title", "description", "start_date", "end_date",
                "location", "capacity", "total_accepted", "status",
                "browser_url", "time_zone"):
        ok(key in ev, "field %s" % key)
    eq(ev["capacity"], 12)
    eq(ev["total_accepted"], 2)
    eq(ev["status"], "confirmed")
    eq(ev["browser_url"], base_url() + "/events/" + slug)
    eq(ev["location"]["postal_code"], "69001")
    eq(ev["location"]["address_lines"], ["3 rue de la Paix"])
    ok(abs(ev["location"]["location"]["latitude"] - 45.77) < 0.1, "lat")
    ok(re.match(r"^\d{4}-\d\d-\d\dT18:00:00\+0[12]:00$", ev["start_date"]),
       ev["start_date"])
    for k in ("total_records", "total_pages", "page", "per_page"):
        ok(k in resp.json(), k)
    text = resp.text
    for secret in (email, member_email, "06 99 88 77 66", "0699887766"):
        not_contains(text, secret, "no address nor phone in the API")
    # near and cancelled
    near = Client("fcgi").get("/api/events?near=69001&radius=5&category=" +
                              cat[1])
    ok(slug in near.text, "near 69001")
    far = Client("fcgi").get("/api/events?near=13001&radius=5&category=" +
                             cat[1])
    ok(slug not in far.text, "not near 13001")
    psql("UPDATE events SET status = 'cancelled' WHERE id = :'p1'", eid)
    resp = Client("fcgi").get("/api/events?category=" + cat[1])
    eq([e["status"] for e in resp.json()["events"] if e["name"] == slug],
       ["cancelled"])
    for bad in ("page=0", "radius=0", "near=7500", "from=2031-13-01",
                "to=demain", "online=2"):
        resp = Client("fcgi").get("/api/events?" + bad)
        status(resp, 400, bad)
        ok(resp.content_type.startswith("application/problem+json"), bad)


@test
def search_finds_upcoming_events_only():
    word = "zorglub" + random_letters(6)
    up, _ = new_event(name="Conférence %s à venir" % word)
    past, _ = new_event(name="Conférence %s passée" % word)
    cancelled, eid = new_event(name="Conférence %s annulée" % word)
    unpast(past)
    com, _ = shared()
    com["host"].submit("/events/%s/cancel" % cancelled, {},
                       "#event-cancel-form")
    eq(event_row(cancelled)["status"], "cancelled")
    resp = Client("fcgi").get("/api/search?q=" + word)
    urls = [r["url"] for r in resp.json()["results"] if word in r["url"]]
    eq(urls, ["/events/" + up], "only the upcoming one")


# ----------------------------------------------------------------------
# Categories, nginx

@test
def admins_manage_event_categories():
    email, pw = make_admin()
    c = Client("fcgi")
    login(c, email, pw)
    status(c.get("/admin/event-categories"), 200)
    name = "Porte-à-porte " + random_letters()
    resp = c.submit("/admin/event-categories", {"name": name, "slug": "",
                                                "position": "2"},
                    "#event-category-form")
    redirects(resp, "/admin/event-categories")
    row = psql("SELECT id, slug, position FROM event_categories WHERE "
               "name = :'p1'", name)
    eq(len(row), 1)
    ok(row[0][1].startswith("porte-a-porte-"), row[0][1])
    eq(psql_value("SELECT count(*) FROM audit_log WHERE action = "
                  "'event_category.create' AND object_id = :'p1'",
                  row[0][0]), "1")
    resp = c.submit("/admin/event-categories", {"name": name},
                    "#event-category-form")
    status(resp, 422, "the same name twice")
    member, _, _ = new_member()
    status(member.get("/admin/event-categories"), 403)
    # the category shows in the event form; deleted, its events stay
    com, _ = shared()
    contains(com["host"].get("/committees/%s/events/new" % com["slug"]),
             name)
    slug, eid = new_event(category=row[0][0])
    resp = c.post("/admin/event-categories/%s/delete" % row[0][0],
                  [("_csrf", csrf_of(c.get("/admin/event-categories/%s" %
                                           row[0][0])))])
    redirects(resp, "/admin/event-categories")
    eq(psql("SELECT category_id FROM events WHERE id = :'p1'", eid),
       [(None,)], "the event stays, without category")
    status(Client("fcgi").get("/events/" + slug), 200)


@test
def through_nginx_a_guest_registers_and_the_cancel_token_is_masked():
    slug, eid = new_event()
    c = Client("http", client_ip=sc.random_client_ip())
    page = c.get("/events/" + slug)
    status(page, 200)
    eq(page.headers.get("Cache-Control"), "public, max-age=5")
    email = unique_email("nginx")
    resp = c.submit("/events/%s/rsvp" % slug, guest(email), "#rsvp-form")
    contains(resp, "Inscription confirmée")
    link = cancel_link_of(wait_mail(email, "Inscription confirmée"))
    token = link.rsplit("/", 1)[1]
    status(c.get(path_of(link)), 200)
    status(c.submit(path_of(link), {}), 200)
    eq(registrations(eid), {"cancelled": 1})
    api = c.get("/api/events")
    status(api, 200)
    log = os.path.join(os.environ["CIVITAS_VAR"], "log", "nginx-access.log")

    def text():
        with open(log, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    wait_until(lambda: "POST /events/cancel/[token] HTTP" in text(), 10, 0.2,
               "the masked cancel link in the access log")
    not_contains(text(), token, "a cancel token in nginx's access log")


@test
def event_pages_are_valid_html():
    """Every page of this part, in each state, through the Nu HTML
    checker (test_markup.py's run of vnu.jar)."""
    import tempfile
    from test_markup import run_checker, describe
    com, cat = shared()
    slug, eid = new_event(capacity="1", description="Du *texte* et "
                          "[un lien](https://example.org/?a=1&b=2).")
    post_rsvp(slug, guest())
    email = unique_email("markup")
    post_rsvp(slug, guest(email))
    link = path_of(cancel_link_of(wait_mail(email, "Liste d'attente")))
    cancelled, _ = new_event()
    com["host"].submit("/events/%s/cancel" % cancelled,
                       {"message": "Annulé <b>vraiment</b>."},
                       "#event-cancel-form")
    past, _ = new_event()
    unpast(past)
    admin_c = Client("fcgi")
    login(admin_c, *make_admin())
    member, _, _ = new_member()
    anon = Client("fcgi")
    new_url = "/committees/%s/events/new" % com["slug"]
    pages = {
        "list": anon.get("/events"),
        "list-near": anon.get("/events?near=69001&radius=10&category=" +
                              cat[1]),
        "list-bad": anon.get("/events?near=abc"),
        "event-full": anon.get("/events/" + slug),
        "event-cancelled": anon.get("/events/" + cancelled),
        "event-past": anon.get("/events/" + past),
        "rsvp-guest": anon.get("/events/%s/rsvp" % slug),
        "rsvp-guest-422": post_rsvp(slug, guest("x", first_name="1")),
        "rsvp-member": member.get("/events/%s/rsvp" % slug),
        "rsvp-done": post_rsvp(slug, guest()),
        "rsvp-closed": anon.get("/events/%s/rsvp" % past),
        "unregister": anon.get(link),
        "unregister-unknown": anon.get("/events/cancel/" + "B" * 43),
        "new": com["host"].get(new_url),
        "new-422": com["host"].submit(new_url, event_fields(
            cat[0], name="x", finishes_at=days_ahead(1, "08:00"),
            mode="online", online_url="ftp://x"), "#event-form"),
        "edit": com["host"].get("/events/%s/edit" % slug),
        "cancel": com["host"].get("/events/%s/cancel" % slug),
        "admin-events": admin_c.get("/admin/events"),
        "admin-new": admin_c.get("/admin/events/new"),
        "admin-categories": admin_c.get("/admin/event-categories"),
        "admin-category-422": admin_c.submit("/admin/event-categories",
                                             {"name": ""},
                                             "#event-category-form"),
    }
    with tempfile.TemporaryDirectory() as d:
        files = {}
        for name, resp in pages.items():
            ok(resp.content_type.startswith("text/html"), "%s: %s" % (
                name, resp.content_type))
            path = os.path.join(d, name + ".html")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(resp.text)
            files[path] = name
        found = run_checker(sorted(files))
        bad = ["%s: %s" % (files[f], describe(m)) for f, msgs in
               found.items() for m in msgs]
        eq(bad, [], "markup errors")
