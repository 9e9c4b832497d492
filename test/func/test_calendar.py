# SPDX-License-Identifier: MIT
"""Calendars (RFC 5545) and the mails that carry them: GET
/events/{slug}.ics, a committee's feed /committees/{slug}/events.ics, the
mail worker's Reply-To and .ics attachment, and the reminder the day
before each event.

Committees, events and registrations are rows written with psql (the
event pages are another module's). Calendars are read with Debian's
python3-icalendar, mails as the SMTP sink stored them, with Python's email
package.
"""

import datetime
import email
import email.policy
import os
import re
import signal
import subprocess
import zoneinfo

import icalendar

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
from content_fixtures import word, PUBLIC_CACHE
import stackctl as sc

UTC = datetime.timezone.utc


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

def make_committee(status="approved", name=None):
    """(id, slug, name) of a new committee in Lyon."""
    slug = "cal-" + word()
    name = name or "Comité " + slug
    cid = psql_value(
        "INSERT INTO committees (slug, name, description, postal_code, "
        "country, city_insee, city_name, status, approved_at) VALUES "
        "(:'p1', :'p2', 'Un comité pour les tests du calendrier.', '69001', "
        "'FR', '69381', 'Lyon', :'p3', CASE WHEN :'p3' = 'approved' "
        "THEN now() END) RETURNING id", slug, name, status)
    return int(cid), slug, name


def make_event(committee_id=None, name=None, begins="now() + interval "
               "'10 days'", hours=2, tz="Europe/Paris", description=None,
               place="lyon", status="scheduled"):
    """(id, slug, uuid) of a new event. begins: SQL of a timestamptz;
    place: "lyon", "reunion", "online" or "abroad"."""
    slug = "cal-" + word()
    name = name or "Réunion publique " + slug
    description = description if description is not None else \
        "Venez nombreux.\n\n**Ordre du jour** : les transports."
    places = {
        "lyon": "'12 rue de la République', '69001', 'FR', '69381', "
                "'Lyon 1er Arrondissement', NULL",
        "reunion": "'1 rue de Paris', '97400', 'FR', '97411', "
                   "'Saint-Denis', NULL",
        "online": "NULL, NULL, NULL, NULL, NULL, "
                  "'https://visio.example.test/salle-1'",
        "abroad": "'Avenida Providencia 1', NULL, 'CL', NULL, "
                  "'Santiago', NULL",
    }
    row = psql(
        "INSERT INTO events (slug, committee_id, organizer_name, name, "
        "description, begins_at, finishes_at, time_zone, street, "
        "postal_code, country, city_insee, city_name, online_url, status) "
        "VALUES (:'p1', nullif(:'p2', '')::bigint, 'Camille M.', :'p3', "
        ":'p4', " + begins + ", " + begins + " + make_interval(hours => "
        ":'p5'), :'p6', " + places[place] + ", :'p7') "
        "RETURNING id, uuid", slug, committee_id or "", name, description,
        hours, tz, status)[0]
    return int(row[0]), slug, row[1]


def register(event_id, status="registered", first="Alex"):
    """(id, email) of a registration (written as event_register would)."""
    addr = unique_email("cal")
    rid = psql_value(
        "INSERT INTO event_registrations (event_id, email, first_name, "
        "last_name, status, registered_at, cancelled_at) VALUES "
        "(:'p1', :'p2', :'p3', 'Durand', :'p4', CASE WHEN :'p4' = "
        "'registered' THEN now() END, CASE WHEN :'p4' = 'cancelled' THEN "
        "now() END) RETURNING id", event_id, addr, first, status)
    return int(rid), addr


def fetch(client, path):
    """A 200 calendar: (raw bytes, icalendar.Calendar)."""
    resp = status(client.get(path), 200, "%s via %s" % (path,
                                                         client.transport))
    eq(resp.headers.get("Content-Type"), "text/calendar; charset=utf-8")
    return resp.body, icalendar.Calendar.from_ical(resp.body)


def clients():
    return [Client("fcgi"), Client("http")]


def fresh(path):
    """path with a query nginx has never seen (handlers ignore it)."""
    return path + "?t=" + word(6)


def check_lines(raw, what=""):
    """CRLF only, no line over 75 octets, no UTF-8 sequence split by a
    fold (each physical line decodes on its own)."""
    ok(raw.endswith(b"\r\n"), what + ": ends with CRLF")
    ok(b"\r" not in raw.replace(b"\r\n", b""), what + ": a bare CR")
    ok(b"\n" not in raw.replace(b"\r\n", b""), what + ": a bare LF")
    for line in raw.split(b"\r\n")[:-1]:
        ok(len(line) <= 75, "%s: a line of %d octets: %r" % (
            what, len(line), line))
        line.decode("utf-8")


def events_of(cal):
    return [c for c in cal.walk("VEVENT")]


def raw_props(raw, name):
    """Unfolded content lines of property name (with parameters)."""
    text = raw.decode("utf-8").replace("\r\n ", "")
    return [l for l in text.split("\r\n") if re.match(
        r"%s[;:=]" % re.escape(name), l)]


def check_zones(cal, raw, what=""):
    """A VTIMEZONE for every TZID used, once each, that agrees with the
    system's zone database every 6 hours from 2026 to 2030."""
    used = set(re.findall(r";TZID=([^:;]+)", raw.decode("utf-8").replace(
        "\r\n ", "")))
    zones = {}
    for tz in cal.walk("VTIMEZONE"):
        tzid = str(tz["TZID"])
        ok(tzid not in zones, "%s: VTIMEZONE %s twice" % (what, tzid))
        zones[tzid] = tz
    eq(set(zones), used, what + ": VTIMEZONEs vs TZIDs used")
    for tzid, comp in zones.items():
        mine, real = comp.to_tz(), zoneinfo.ZoneInfo(tzid)
        t = datetime.datetime(2026, 1, 1, tzinfo=UTC)
        while t.year < 2031:
            naive = t.replace(tzinfo=None)
            want = t.astimezone(real).utcoffset()
            got = mine.fromutc(naive.replace(tzinfo=mine)).utcoffset()
            eq(got, want, "%s: %s offset at %s UTC" % (what, tzid, t))
            t += datetime.timedelta(hours=6)
    return zones


# --------------------------------------------------------------------------
# GET /events/{slug}.ics
# --------------------------------------------------------------------------

@test
def event_ics_is_a_calendar_with_one_event():
    cid, cslug, cname = make_committee(name="Comité " + word() + ", Lyon")
    eid, slug, uuid = make_event(cid)
    host = re.match(r"https?://([^:/]+)", base_url()).group(1)
    for c in clients():
        resp = status(c.get(fresh("/events/%s.ics" % slug)), 200)
        eq(resp.headers.get("Cache-Control"), PUBLIC_CACHE, c.transport)
        eq(resp.headers.get_all("Set-Cookie"), [], c.transport)
        raw, cal = fetch(c, "/events/%s.ics" % slug)
        check_lines(raw, c.transport)
        eq(str(cal["VERSION"]), "2.0")
        ok(str(cal["PRODID"]), "PRODID")
        eq(str(cal["CALSCALE"]), "GREGORIAN")
        eq(str(cal["METHOD"]), "PUBLISH")
        evs = events_of(cal)
        eq(len(evs), 1)
        ev = evs[0]
        ok("METHOD" not in ev, "METHOD is on the calendar only")
        eq(len(raw_props(raw, "METHOD")), 1)
        eq(str(ev["UID"]), "%s@%s" % (uuid, host))
        eq(int(ev["SEQUENCE"]), 0)
        stamp = ev["DTSTAMP"].dt
        eq(stamp.utcoffset(), datetime.timedelta(0), "DTSTAMP in UTC")
        ok(abs((stamp - datetime.datetime.now(UTC)).total_seconds()) < 3600,
           "DTSTAMP is now: %s" % stamp)
        eq(str(ev["STATUS"]), "CONFIRMED")
        eq(str(ev["URL"]), "%s/events/%s" % (base_url(), slug))
        eq(str(ev["LOCATION"]),
           "12 rue de la République, 69001 Lyon 1er Arrondissement")
        eq(str(ev["DESCRIPTION"]),
           "Venez nombreux.\n\n**Ordre du jour** : les transports.")
        org = ev["ORGANIZER"]
        eq(str(org), "mailto:no-reply@civitas.localhost")
        eq(org.params["CN"], cname)
        ok("ATTENDEE" not in ev, "no attendee in a download")
        eq(ev["DTSTART"].params["TZID"], "Europe/Paris")
        eq(ev["DTEND"].dt - ev["DTSTART"].dt, datetime.timedelta(hours=2))
        check_zones(cal, raw, c.transport)


@test
def reunion_at_14h_stays_14h_indian_reunion():
    cid, _, _ = make_committee()
    # 14:00 in La Réunion (UTC+4) is 10:00 UTC.
    eid, slug, _ = make_event(
        cid, tz="Indian/Reunion", place="reunion",
        begins="('2026-12-14 14:00'::timestamp AT TIME ZONE "
               "'Indian/Reunion')")
    for c in clients():
        raw, cal = fetch(c, fresh("/events/%s.ics" % slug))
        ev = events_of(cal)[0]
        eq(raw_props(raw, "DTSTART;TZID"),
           ["DTSTART;TZID=Indian/Reunion:20261214T140000"])
        start = ev["DTSTART"].dt
        eq((start.hour, start.minute), (14, 0), "local time")
        eq(ev["DTSTART"].params["TZID"], "Indian/Reunion")
        eq(start.astimezone(UTC), datetime.datetime(2026, 12, 14, 10, 0,
                                                    tzinfo=UTC))
        zones = check_zones(cal, raw, c.transport)
        eq(list(zones), ["Indian/Reunion"])
        # Its own VTIMEZONE (not only the parser's database) says +04.
        tz = zones["Indian/Reunion"].to_tz()
        eq(tz.fromutc(datetime.datetime(2026, 12, 14, 10, 0).replace(
            tzinfo=tz)).hour, 14)
        eq(str(ev["LOCATION"]), "1 rue de Paris, 97400 Saint-Denis")


@test
def escaping_round_trips_through_the_parser():
    cid, _, _ = make_committee()
    name = "Débat, transports; vélo\\train"
    desc = ("Ligne 1, avec virgule; point-virgule \\ barre\nLigne 2\r\n"
            "Ligne 3 : « guillemets » " + "é€𝄞" * 40)
    eid, slug, _ = make_event(cid, name=name, description=desc)
    raw, cal = fetch(Client("fcgi"), "/events/%s.ics" % slug)
    check_lines(raw)
    ev = events_of(cal)[0]
    eq(str(ev["SUMMARY"]), name)
    eq(str(ev["DESCRIPTION"]), desc.replace("\r", ""), "CR dropped")
    contains(raw.decode(), "SUMMARY:Débat\\, transports\\; vélo\\\\train")


@test
def uid_stable_and_sequence_raised_across_an_edit():
    cid, _, _ = make_committee()
    eid, slug, uuid = make_event(cid)
    c = Client("fcgi")
    raw, cal = fetch(c, "/events/%s.ics" % slug)
    before = events_of(cal)[0]
    psql("UPDATE events SET begins_at = begins_at + interval '1 hour', "
         "finishes_at = finishes_at + interval '1 hour' WHERE id = :'p1'",
         eid)
    raw, cal = fetch(c, "/events/%s.ics" % slug)
    after = events_of(cal)[0]
    eq(str(after["UID"]), str(before["UID"]), "same UID")
    ok(str(after["UID"]).startswith(uuid + "@"), "UID from events.uuid")
    eq(int(after["SEQUENCE"]), int(before["SEQUENCE"]) + 1)
    eq(after["DTSTART"].dt - before["DTSTART"].dt,
       datetime.timedelta(hours=1))
    # Through nginx too (a URL it has not kept).
    raw, cal = fetch(Client("http"), fresh("/events/%s.ics" % slug))
    eq(str(events_of(cal)[0]["UID"]), str(before["UID"]))
    eq(int(events_of(cal)[0]["SEQUENCE"]), int(before["SEQUENCE"]) + 1)


@test
def cancelled_event_says_cancelled():
    cid, _, _ = make_committee()
    eid, slug, _ = make_event(cid)
    psql("UPDATE events SET status = 'cancelled', cancel_message = "
         "'La salle est indisponible.' WHERE id = :'p1'", eid)
    for c in clients():
        raw, cal = fetch(c, fresh("/events/%s.ics" % slug))
        ev = events_of(cal)[0]
        eq(str(ev["STATUS"]), "CANCELLED")
        eq(int(ev["SEQUENCE"]), 1, "a cancellation raises SEQUENCE")
        eq(str(cal["METHOD"]), "PUBLISH", "a download publishes")
        ok(str(ev["DESCRIPTION"]).startswith(
            "Événement annulé : La salle est indisponible."),
            str(ev["DESCRIPTION"]))


@test
def online_event_gives_its_link_as_location():
    eid, slug, _ = make_event(None, place="online")     # a national event
    raw, cal = fetch(Client("fcgi"), "/events/%s.ics" % slug)
    ev = events_of(cal)[0]
    eq(str(ev["LOCATION"]), "https://visio.example.test/salle-1")
    eq(ev["ORGANIZER"].params["CN"], "Camille M.")


@test
def event_ics_404_when_not_visible():
    pid, _, _ = make_committee(status="pending")
    eid, slug, _ = make_event(pid)
    for c in clients():
        status(c.get(fresh("/events/%s.ics" % slug)), 404, "pending")
        status(c.get(fresh("/events/nope-%s.ics" % word())), 404)
        status(c.get(fresh("/events/.ics")), 404)
        status(c.get(fresh("/committees/%s/events.ics" % word())), 404)


# --------------------------------------------------------------------------
# GET /committees/{slug}/events.ics
# --------------------------------------------------------------------------

@test
def committee_feed_lists_its_events_with_their_zones():
    cid, cslug, cname = make_committee()
    other, _, _ = make_committee()
    paris = make_event(cid)
    reunion = make_event(cid, tz="Indian/Reunion", place="reunion")
    santiago = make_event(cid, tz="America/Santiago", place="abroad",
                          begins="now() + interval '20 days'")
    sydney = make_event(cid, tz="Australia/Sydney", place="online")
    paris2 = make_event(cid, begins="now() - interval '3 days'")
    cancelled = make_event(cid, status="cancelled")
    old = make_event(cid, begins="now() - interval '60 days'")
    elsewhere = make_event(other)
    for c in clients():
        raw, cal = fetch(c, fresh("/committees/%s/events.ics" % cslug))
        check_lines(raw, c.transport)
        eq(str(cal["METHOD"]), "PUBLISH")
        eq(str(cal["X-WR-CALNAME"]), cname)
        uids = {str(e["UID"]).split("@")[0]: e for e in events_of(cal)}
        want = [paris, reunion, santiago, sydney, paris2, cancelled]
        eq(set(uids), {e[2] for e in want}, "the feed's events")
        ok(old[2] not in uids and elsewhere[2] not in uids, "others left")
        eq(str(uids[cancelled[2]]["STATUS"]), "CANCELLED")
        for e in events_of(cal):
            ok("METHOD" not in e, "METHOD on the calendar only")
        zones = check_zones(cal, raw, c.transport)
        eq(set(zones), {"Europe/Paris", "Indian/Reunion",
                        "America/Santiago", "Australia/Sydney"})
        eq(str(uids[santiago[2]]["LOCATION"]),
           "Avenida Providencia 1, Santiago, Chili")
        eq(raw.count(b"\r\nBEGIN:VTIMEZONE\r\n"), 4)


@test
def committee_feed_404_for_a_pending_committee():
    pid, pslug, _ = make_committee(status="pending")
    make_event(pid)
    for c in clients():
        status(c.get(fresh("/committees/%s/events.ics" % pslug)), 404)
