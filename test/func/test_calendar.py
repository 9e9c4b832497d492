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

import base64
import datetime
import email
import email.policy
import os
import re
import signal
import subprocess
import time
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


# --------------------------------------------------------------------------
# The mail worker: Reply-To and the .ics attachment
# --------------------------------------------------------------------------

def ensure_mailer():
    smtp_fail(False)
    if sc.mailer_pid() is None:
        sc.start_mailer(via_stack=True)


def queue_mail(to, body="Bonjour,\nVous êtes inscrit(e).", reply_to=None,
               attachment=None, name="evenement.ics",
               ctype="text/calendar; charset=UTF-8; method=REQUEST"):
    """Queue a message as outbox_add_ex() does; returns its Message-ID."""
    mid = "<cal-%s@x>" % word(12)
    psql("INSERT INTO outbox (message_id, to_addr, subject, body_text, "
         "reply_to, attachment_name, attachment_type, attachment) VALUES "
         "(:'p1', :'p2', 'Inscription confirmée', :'p3', "
         "nullif(:'p4', ''), nullif(:'p5', ''), nullif(:'p6', ''), "
         "nullif(convert_from(decode(:'p7', 'base64'), 'UTF8'), ''))",
         mid, to, body, reply_to or "", name if attachment else "",
         ctype if attachment else "",
         base64.b64encode(attachment or b"").decode())
    return mid


def raw_mail(msg):
    with open(msg.path, "rb") as fh:
        return fh.read()


@test
def mailer_sends_reply_to_and_the_ics_attachment():
    ensure_mailer()
    cid, _, _ = make_committee()
    eid, slug, uuid = make_event(cid, name="Débat, « transports » " +
                                 "é€" * 30)
    ics = status(Client("fcgi").get("/events/%s.ics" % slug), 200).body
    ics = ics.replace(b"METHOD:PUBLISH", b"METHOD:REQUEST")
    to, host = unique_email("calmail"), unique_email("host")
    mid = queue_mail(to, reply_to=host, attachment=ics)
    msg = wait_mail(to)
    eq(msg["Message-ID"], mid)
    eq(msg["Reply-To"], host)
    eq(msg.get_content_type(), "multipart/mixed")
    parts = list(msg.iter_parts())
    eq(len(parts), 2)
    eq(parts[0].get_content_type(), "text/plain")
    eq(parts[0].get_content_charset(), "utf-8")
    contains(parts[0].get_content(), "Vous êtes inscrit(e).")
    att = parts[1]
    eq(att.get_content_type(), "text/calendar")
    eq(att.get_param("method"), "REQUEST")
    eq(att.get_param("charset").upper(), "UTF-8")
    eq(att.get_content_disposition(), "attachment")
    eq(att.get_filename(), "evenement.ics")
    eq(att["Content-Transfer-Encoding"], "base64")
    eq(att.get_payload(decode=True), ics, "the attachment's bytes")
    cal = icalendar.Calendar.from_ical(att.get_payload(decode=True))
    eq(str(cal["METHOD"]), "REQUEST")
    ev = events_of(cal)[0]
    ok(str(ev["UID"]).startswith(uuid + "@"), "UID")
    # Every line of the message is short (base64 lines of 76).
    raw = raw_mail(msg)
    body = raw.split(b"\r\n\r\n", 1)[1]
    for line in body.split(b"\r\n"):
        ok(len(line) <= 76, "a line of %d octets" % len(line))


@test
def mailer_plain_mail_unchanged_and_reply_to_never_injected():
    ensure_mailer()
    to = unique_email("calplain")
    queue_mail(to, reply_to="x@example.test\r\nBcc: victim@example.test")
    msg = wait_mail(to)
    eq(msg.get_content_type(), "text/plain")
    ok(msg["Reply-To"] is None, "a Reply-To with a line break is dropped")
    ok(msg["Bcc"] is None, "no header injected")
    not_contains(raw_mail(msg).decode("utf-8"), "victim@")
    eq(mail_text(msg).strip(), "Bonjour,\nVous êtes inscrit(e).")
    to = unique_email("calplain")
    queue_mail(to)
    msg = wait_mail(to)
    ok(msg["Reply-To"] is None, "no Reply-To when the row has none")
    ok(not msg.is_multipart(), "plain text")


# --------------------------------------------------------------------------
# The reminder the day before
# --------------------------------------------------------------------------

def reminders(addr):
    """(outbox rows, stored mails) of the reminders to addr."""
    rows = int(psql_value(
        "SELECT count(*) FROM outbox WHERE to_addr = :'p1' AND "
        "message_id LIKE '<reminder-%'", addr))
    stored = [m for m in mails(addr)
              if str(m.get("Subject", "")).startswith("Rappel")]
    return rows, stored


def restart_mailer(delay=None):
    """SIGKILL the mail worker and start it again; with delay (seconds),
    kill the new one too after that long and start a third."""
    sc.kill_mailer(signal.SIGKILL)
    sc.start_mailer()
    if delay is not None:
        time.sleep(delay)
        sc.kill_mailer(signal.SIGKILL)
        sc.start_mailer()


def marker_reminded():
    """A new due event with one registration (its address): its reminder
    arrives once a mail worker has looked for due events (at start)."""
    eid, _, _ = make_event(begins="now() + interval '2 hours'")
    _, addr = register(eid)
    return addr


@test(slow=True)
def reminder_sent_once_to_registered_people_across_sigkill():
    ensure_mailer()
    sc.kill_mailer(signal.SIGKILL)
    cid, _, _ = make_committee()
    # 20 hours ahead, created now: due at once.
    eid, slug, uuid = make_event(cid, tz="Indian/Reunion", place="reunion",
                                 begins="date_trunc('minute', now()) + "
                                        "interval '20 hours'")
    # A name holding a placeholder or a '%' is put as it is.
    registered = [register(eid, first=f) for f in
                  ("Inès", "Inès", "Zoé {link} 100%s %%")]
    waiting = register(eid, "waiting")
    cancelled = register(eid, "cancelled")
    others = [register(make_event(cid, begins=b, status=s)[0])
              for b, s in (("now() + interval '3 days'", "scheduled"),
                           ("now() - interval '1 hour'", "scheduled"),
                           ("now() + interval '5 hours'", "cancelled"))]
    # Killed at start, then a little later, around the claim.
    for delay in (0, 0.02, 0.1, 0.3):
        restart_mailer(delay)
    for _, addr in registered:
        wait_mail(addr, "Rappel")
    # Restarted again: the event is not claimed again (the reminder of
    # an event made while it was stopped proves the new worker looked).
    sc.kill_mailer(signal.SIGKILL)
    marker = marker_reminded()
    sc.start_mailer()
    wait_mail(marker, "Rappel")
    seq = psql_value("SELECT sequence FROM events WHERE id = :'p1'", eid)
    for rid, addr in registered:
        rows, stored = reminders(addr)
        eq(rows, 1, "one reminder queued for " + addr)
        eq(len(stored), 1, "one reminder received by " + addr)
        reg_uuid = psql_value("SELECT uuid FROM event_registrations "
                              "WHERE id = :'p1'", rid)
        eq(stored[0]["Message-ID"], "<reminder-%s-%s@%s>" % (
            reg_uuid, seq, re.match(r"https?://([^:/]+)",
                                    base_url()).group(1)))
        text = mail_text(stored[0])
        contains(text, "Bonjour %s," % psql_value(
            "SELECT first_name FROM event_registrations WHERE id = :'p1'",
            rid))
        eq(text.count(base_url() + "/events/"), 1, "one link")
        contains(text, "(heure locale, Indian/Reunion)")
        contains(text, "1 rue de Paris, 97400 Saint-Denis")
        contains(text, "%s/events/%s" % (base_url(), slug))
        local = psql_value(
            "SELECT to_char(begins_at AT TIME ZONE 'Indian/Reunion', "
            "'FMHH24\" h \"MI') FROM events WHERE id = :'p1'", eid)
        contains(text, " à " + local + " (heure locale")
    for _, addr in [waiting, cancelled] + others:
        eq(reminders(addr), (0, []), "no reminder to " + addr)
    ok(psql_value("SELECT reminded_at IS NOT NULL FROM events "
                  "WHERE id = :'p1'", eid) == "t", "reminded_at set")


@test(slow=True)
def reminder_never_twice_with_several_mail_workers():
    ensure_mailer()
    sc.kill_mailer(signal.SIGKILL)
    addrs = []
    for i in range(8):
        eid, _, _ = make_event(begins="now() + interval '%d hours'" % (
            i + 1))
        addrs += [register(eid)[1] for _ in range(3)]
    binary = os.path.join(os.environ.get("BIN_DIR") or "build",
                          "civitas-mailer")
    extra = [subprocess.Popen([binary], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL,
                              env=dict(os.environ))
             for _ in range(3)]
    try:
        sc.start_mailer()
        for addr in addrs:
            wait_mail(addr, "Rappel")
    finally:
        for p in extra:
            p.terminate()
        for p in extra:
            p.wait(timeout=30)
    for addr in addrs:
        rows, stored = reminders(addr)
        eq((rows, len(stored)), (1, 1), "one reminder for " + addr)


@test
def reminder_follows_a_moved_event():
    eid, _, _ = make_event(begins="now() + interval '3 days'")
    psql("UPDATE events SET reminded_at = now() WHERE id = :'p1'", eid)
    # Moved within the last day: the update mail tells it, no reminder.
    psql("UPDATE events SET begins_at = now() + interval '10 hours', "
         "finishes_at = now() + interval '12 hours' WHERE id = :'p1'", eid)
    eq(psql_value("SELECT reminded_at IS NULL FROM events WHERE id = "
                  ":'p1'", eid), "f")
    # Moved to next week: reminded again the day before.
    psql("UPDATE events SET begins_at = now() + interval '7 days', "
         "finishes_at = now() + interval '7 days 2 hours' "
         "WHERE id = :'p1'", eid)
    eq(psql_value("SELECT reminded_at IS NULL FROM events WHERE id = "
                  ":'p1'", eid), "t")
    # Its name or description changed: nothing moves.
    psql("UPDATE events SET reminded_at = now(), name = name || ' bis' "
         "WHERE id = :'p1'", eid)
    eq(psql_value("SELECT reminded_at IS NULL FROM events WHERE id = "
                  ":'p1'", eid), "f")
