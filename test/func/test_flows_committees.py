# SPDX-License-Identifier: MIT
"""Issue 8's "done means", end to end through nginx, as people do it: a
member creates a committee in Lyon, an admin approves it, a second member
follows it, the committee's supervisor creates an event of capacity 2,
three people register (the third waits), the first cancels from the link
of their mail and the third is promoted and mailed, the event's .ics is
read by a calendar parser, the event is moved by an hour and the update
mail carries the same UID with a higher SEQUENCE. Only forms and links;
nothing is written with psql."""

import datetime
import html
import re
import secrets

import icalendar

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403


def web():
    return Client("http", client_ip="10.%d.%d.%d" % tuple(
        secrets.randbelow(250) + 1 for _ in range(3)))


def ahead(days, hour):
    d = datetime.date.today() + datetime.timedelta(days=days)
    return "%sT%s" % (d.isoformat(), hour)


def calendar_of(msg):
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(
                decode=True).decode("utf-8"))
    ok(False, "no calendar attached to %r" % msg["Subject"])


def register(slug, email, first):
    page = web().submit("/events/%s/rsvp" % slug, {
        "first_name": first, "last_name": "Martin", "email": email,
        "postal_code": "69003"}, "#rsvp-form")
    status(page, 200)
    return html.unescape(page.text)


@test(slow=True)
def create_approve_follow_register_wait_cancel_promote_move():
    # A member creates a committee in Lyon: pending, and mailed.
    founder, founder_email, _ = new_member(web())
    name = "Lyon Debout " + random_letters(6)
    r = founder.submit("/committees/new", {
        "name": name, "description": "Le comité du **centre de Lyon**.",
        "street": "", "country": "FR", "postal_code": "69001",
        "city_code": "69381", "city_name": ""}, "/committees/new")
    status(r, 303, "creation")
    slug = r.location.rsplit("/committees/", 1)[1]
    wait_mail(founder_email, "attend sa validation")
    status(web().get("/committees/" + slug), 404, "pending: hidden")

    # An admin approves it in /admin: the founder is its supervisor.
    admin = web()
    login(admin, *make_admin())
    listing = admin.get("/admin/committees?status=pending")
    m = re.search(r'href="/admin/committees/(\d+)"[^>]*>[^<]*%s' %
                  re.escape(name), html.unescape(listing.text))
    ok(m, "the pending committee in the admin list")
    cid = m.group(1)
    r = admin.submit("/admin/committees/" + cid, {},
                     "/admin/committees/%s/approve" % cid)
    redirects(r, "/admin/committees/" + cid)
    wait_mail(founder_email, name)
    page = web().get("/committees/" + slug)
    status(page, 200, "approved: public")
    contains(html.unescape(page.text), name)
    contains(web().get("/committees?near=69001&radius=20&q=" +
                       name.replace(" ", "+")).text, slug)

    # A second member follows it, without JavaScript.
    fan, _, _ = new_member(web())
    r = fan.submit("/committees/" + slug, {},
                   "/committees/%s/follow" % slug)
    redirects(r, "/committees/" + slug)
    page = html.unescape(fan.get("/committees/" + slug).text)
    contains(page, "/committees/%s/unfollow" % slug, "the follower's button")

    # The admin adds an event category (make run's demo has six); the
    # supervisor creates an event of capacity 2.
    category = "Débats " + random_letters(6)
    redirects(admin.submit("/admin/event-categories", {"name": category},
                           "#event-category-form"), "/admin/event-categories")
    tools = founder.get("/committees/%s/manage" % slug)
    status(tools, 200, "the supervisor's tools")
    form = html.unescape(founder.get("/committees/%s/events/new" %
                                     slug).text)
    cat = re.search(r'<option value="(\d+)"[^>]*>%s[ <]' % category, form)
    ok(cat, "the new category to choose")
    r = founder.submit("/committees/%s/events/new" % slug, {
        "name": "Débat sur les transports " + random_letters(4),
        "category": cat.group(1),
        "description": "Venez **débattre** des transports.",
        "begins_at": ahead(10, "18:00"), "finishes_at": ahead(10, "20:00"),
        "mode": "place", "online_url": "", "capacity": "2",
        "time_zone": "Europe/Paris", "country": "FR",
        "postal_code": "69001", "city_code": "69381",
        "street": "1 place des Terreaux", "city_name": ""}, "#event-form")
    redirects(r, "/events/", "the event is created")
    event = r.location.rsplit("/events/", 1)[1]

    # Three people register: the third waits.
    people = [unique_email("story%d" % i) for i in range(3)]
    contains(register(event, people[0], "Anne"), "Inscription confirmée")
    contains(register(event, people[1], "Bruno"), "Inscription confirmée")
    contains(register(event, people[2], "Chloé"), "liste d'attente")
    contains(html.unescape(web().get("/events/" + event).text), "Complet")

    # The first cancels from the link of their mail: the third is
    # promoted, and mailed.
    first = wait_mail(people[0], "Inscription confirmée")
    cancel = [u for u in links(first) if "/events/cancel/" in u]
    eq(len(cancel), 1, "one cancel link")
    c = web()
    confirm = c.get(path_of(cancel[0]))
    status(confirm, 200, "the link shows a button")
    r = c.submit(path_of(cancel[0]), {})
    contains(html.unescape(r.text), "Inscription annulée")
    promoted = wait_mail(people[2], "Une place s'est libérée")
    uid = str(calendar_of(promoted).walk("VEVENT")[0]["UID"])

    # The calendar: the .ics parses, same UID as the mails'.
    ics = web().get("/events/%s.ics" % event)
    status(ics, 200)
    cal = icalendar.Calendar.from_ical(ics.body.decode("utf-8"))
    vev = cal.walk("VEVENT")[0]
    eq(str(vev["UID"]), uid, "the download and the mails: one event")
    seq = int(vev.get("SEQUENCE", 0))
    eq(vev.decoded("DTSTART").strftime("%H:%M"), "18:00")

    # Moved by an hour: the update mail, same UID, higher SEQUENCE.
    seen = mail_paths(people[1])
    r = founder.submit("/events/%s/edit" % event, {
        "begins_at": ahead(10, "19:00"), "finishes_at": ahead(10, "21:00")},
        "#event-form")
    redirects(r, "/events/" + event)
    update = new_mail(people[1], "Événement modifié", seen)
    vev = calendar_of(update).walk("VEVENT")[0]
    eq(str(vev["UID"]), uid, "the update's UID")
    ok(int(vev["SEQUENCE"]) > seq, "SEQUENCE raised: %s" % vev["SEQUENCE"])
    eq(vev.decoded("DTSTART").strftime("%H:%M"), "19:00")
