# SPDX-License-Identifier: MIT
"""The host tools of committees (/committees/{slug}/manage...) and events
(/events/{slug}/manage..., /events/{slug}/invite): authorisation per
object and per role, members and registered people without any e-mail
address or phone, CSV bytes, promote and demote, contact through the
outbox with Reply-To and a daily quota, the timeline and its mail, the
check-in, invitations (24-hour rule, 50 a day).

Committees, memberships, events and registrations are rows written here
with psql (the committee and event pages are tested in their own
modules); members are rows too, and log in through the real form."""

import concurrent.futures
import csv
import io
import os
import re
import secrets
import subprocess

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import stackctl as sc


# -- fixtures ----------------------------------------------------------------

_HASH = []


def password_hash():
    """The Argon2id hash of PASSWORD, made once (civitas-fcgi hash)."""
    if not _HASH:
        out = subprocess.run([fcgi_binary(), "hash"], capture_output=True,
                             text=True, env=dict(os.environ,
                                                 PASSWORD=PASSWORD))
        eq(out.returncode, 0, "civitas-fcgi hash: %s" % out.stderr)
        _HASH.append(out.stdout.strip())
    return _HASH[0]


def word(n=8):
    consonants, vowels = "bcdfghjklmnprstvz", "aeiou"
    return "".join(secrets.choice(consonants if i % 2 == 0 else vowels)
                   for i in range(n))


class Person:
    """A member row: id, email, phone, names."""

    def __init__(self, first=None, last=None, postal="69001",
                 city="Lyon 1er Arrondissement", insee="69381", admin=False):
        self.first = first or "Prénom" + word(5)
        self.last = last or "Nom" + word(7)
        self.email = unique_email("manage")
        self.phone = "06 %02d %02d %02d %02d" % tuple(
            secrets.randbelow(100) for _ in range(4))
        self.id = int(psql_value(
            "INSERT INTO users (email, password_hash, first_name, "
            "last_name, gender, birth_date, phone, address_street, "
            "postal_code, country, city_insee, city_name, role, status, "
            "charter_accepted_at, activated_at) VALUES (:'p1', :'p2', "
            ":'p3', :'p4', 'female', '1990-01-01', :'p5', '1 rue X', "
            ":'p6', 'FR', :'p7', :'p8', :'p9', 'active', now(), now()) "
            "RETURNING id", self.email, password_hash(), self.first,
            self.last, self.phone, postal, insee, city,
            "admin" if admin else "member"))
        self._client = None

    def client(self, transport="fcgi"):
        """A browser logged in as this member (one per person, fcgi)."""
        if transport != "fcgi":
            c = Client("http", client_ip=sc.random_client_ip())
            login(c, self.email, PASSWORD)
            return c
        if self._client is None:
            self._client = Client("fcgi")
            login(self._client, self.email, PASSWORD)
        return self._client


def make_committee(creator, status="approved"):
    """(id, slug) of a committee in Lyon created by creator."""
    slug = "comite-" + word(10)
    cid = psql_value(
        "INSERT INTO committees (slug, name, description, postal_code, "
        "country, city_insee, city_name, status, created_by, approved_at) "
        "VALUES (:'p1', :'p2', 'Un comité de test à Lyon.', '69001', 'FR', "
        "'69381', 'Lyon', :'p3', :'p4', CASE WHEN :'p3' = 'approved' "
        "THEN now() END) RETURNING id", slug, "Comité " + word(10), status,
        creator.id)
    return int(cid), slug


def join(cid, person, role="follower", notify=True, joined=None):
    psql("INSERT INTO committee_memberships (committee_id, user_id, role, "
         "notify_messages, joined_at) VALUES (:'p1', :'p2', :'p3', :'p4', "
         + ("now()" if joined is None else ":'p5'::timestamptz") + ")",
         cid, person.id, role, notify, *([] if joined is None else [joined]))


class Committee:
    """An approved committee with a supervisor, a co-host, two followers
    and a member who does not follow it."""

    def __init__(self, status="approved"):
        self.supervisor = Person()
        self.id, self.slug = make_committee(self.supervisor, status)
        self.host = Person()
        self.followers = [Person(), Person()]
        self.outsider = Person()
        join(self.id, self.supervisor, "supervisor")
        join(self.id, self.host, "host")
        for f in self.followers:
            join(self.id, f)
        self.base = "/committees/%s/manage" % self.slug

    @property
    def members(self):
        return [self.supervisor, self.host] + self.followers

    def role(self, person):
        return psql_value("SELECT role FROM committee_memberships WHERE "
                          "committee_id = :'p1' AND user_id = :'p2'",
                          self.id, person.id)


def make_event(committee_id=None, organizer=None, days=7, status="scheduled",
               capacity=None):
    """(id, slug) of an event in Lyon, beginning in `days` days."""
    slug = "2027-01-01-evenement-" + word(10)
    eid = psql_value(
        "INSERT INTO events (slug, committee_id, organizer_id, "
        "organizer_name, name, description, begins_at, finishes_at, "
        "time_zone, street, postal_code, country, city_insee, city_name, "
        "capacity, status) VALUES (:'p1', NULLIF(:'p2', '')::bigint, "
        "NULLIF(:'p3', '')::bigint, 'Camille M.', :'p4', 'Une réunion.', "
        "now() + make_interval(days => :'p5'), "
        "now() + make_interval(days => :'p5', hours => 2), 'Europe/Paris', "
        "'1 place Bellecour', '69002', 'FR', '69382', 'Lyon', "
        "NULLIF(:'p6', '')::int, :'p7') RETURNING id",
        slug, committee_id or "", organizer.id if organizer else "",
        "Réunion " + word(8), days, capacity or "", status)
    return int(eid), slug


def register(eid, first=None, last=None, status="registered", user=None,
             postal="69003"):
    """A registration row; returns (id, email)."""
    email = user.email if user else unique_email("guest")
    rid = psql_value(
        "INSERT INTO event_registrations (event_id, user_id, email, "
        "first_name, last_name, postal_code, status, registered_at) VALUES "
        "(:'p1', NULLIF(:'p2', '')::bigint, :'p3', :'p4', :'p5', :'p6', "
        ":'p7', now()) RETURNING id", eid, user.id if user else "", email,
        first or "Invité" + word(5), last or "Nomdinvite" + word(6),
        postal, status)
    return int(rid), email


def token(c):
    """A CSRF token for client c (from a page with a form)."""
    return csrf_of(c.get("/login" if not c.cookies.get("sid")
                         else "/account"))


def post(c, path, fields=None, headers=None):
    data = dict(fields or {})
    data["_csrf"] = token(c)
    return c.post(path, data, headers=headers)


def outbox_to(email):
    """(subject, reply_to, body) of the mails queued for email."""
    return psql("SELECT subject, coalesce(reply_to, ''), body_text FROM "
                "outbox WHERE to_addr = :'p1' ORDER BY id", email)


_admin = []


def admin():
    if not _admin:
        _admin.append(Person(admin=True))
    return _admin[0]


def private_strings(people):
    """What no host page may show of people: addresses, phones (as typed
    and as digits) and full last names."""
    out = []
    for p in people:
        out += [p.email, p.phone, p.phone.replace(" ", ""), p.last]
    return out


def shows_nothing_private(body, people, what):
    text = body if isinstance(body, str) else body.decode("utf-8", "replace")
    for s in private_strings(people):
        ok(s not in text, "%s shows %r" % (what, s))


# -- authorisation, by role --------------------------------------------------

def manage_routes():
    """[(method, pattern)] of the host tools, from the worker's own route
    table; each must require a login there."""
    found = []
    for method, pattern, flags in route_table():
        # (an event's /invite; not issue 10's /invite, open to visitors;
        # not issue 11's organisations: test_organisations.py)
        if not pattern.startswith(("/committees/", "/events/")):
            continue
        if "/manage" in pattern or pattern.endswith("}/invite"):
            ok("auth" in flags, "%s %s does not require a login" % (
                method, pattern))
            found.append((method, pattern))
    ok(len(found) >= 18, "host tools missing from the route table: %s"
       % found)
    return found


def fill(pattern, slug, member_id, message_id, registration_id,
         campaign_id=0):
    path = pattern.replace("{slug}", slug)
    if "/members/" in path:
        path = path.replace("{id}", str(member_id))
    elif "/messages/" in path:
        path = path.replace("{id}", str(message_id))
    elif "/campaigns/" in path:
        path = path.replace("{id}", str(campaign_id))
    else:
        path = path.replace("{id}", str(registration_id))
    return path


def add_campaign(committee, author):
    """A draft campaign of the committee's hosts (issue 9)."""
    return int(psql_value(
        "INSERT INTO campaigns (sender, author_id, committee_id, subject, "
        "body_md, audience, subscription_type) VALUES ('host', :'p1', "
        ":'p2', 'Campagne', 'Bonjour {first_name}', 'committee', "
        "'committees') RETURNING id", author.id, committee.id))


def add_message(committee, author, subject=None):
    return int(psql_value(
        "INSERT INTO committee_messages (committee_id, author_id, "
        "author_name, subject, body_md, body_html) VALUES (:'p1', :'p2', "
        "'Auteur A.', :'p3', 'Un message assez long.', "
        "'<p>Un message assez long.</p>') RETURNING id", committee.id,
        author.id, subject or "Sujet " + word()))


@test
def every_host_tool_by_role_from_the_route_table():
    """GET: anonymous -> login, a member or a follower -> 403, a host,
    the supervisor, an admin, the event's organiser -> 200. POST (with a
    valid token): anonymous -> login, member and follower -> 403 and
    nothing changes."""
    com = Committee()
    organizer = Person()
    eid, eslug = make_event(com.id, organizer)
    rid, _ = register(eid)
    mid = add_message(com, com.host)
    cid = add_campaign(com, com.host)
    follower = com.followers[0]
    routes = manage_routes()
    for method, pattern in routes:
        is_event = pattern.startswith("/events/")
        path = fill(pattern, eslug if is_event else com.slug,
                    com.followers[1].id, mid, rid, cid)
        anon = Client("fcgi")
        if method == "GET":
            resp = anon.get(path)
        else:
            resp = post(anon, path)
        redirects(resp, "/login", "anonymous %s %s" % (method, path))
        invite = pattern.endswith("/invite")
        if method == "GET":
            for who, person in (("member", com.outsider),
                                ("follower", follower)):
                want = 200 if invite else 403
                status(person.client().get(path), want, "%s GET %s" % (
                    who, path))
            people = [("host", com.host), ("supervisor", com.supervisor),
                      ("admin", admin())]
            if is_event:
                people.append(("organiser", organizer))
            for who, person in people:
                status(person.client().get(path), 200, "%s GET %s" % (
                    who, path))
        elif not invite:
            before = psql("SELECT role FROM committee_memberships WHERE "
                          "committee_id = :'p1' ORDER BY user_id", com.id)
            for who, person in (("member", com.outsider),
                                ("follower", follower)):
                resp = post(person.client(), path, {
                    "subject": "Objet", "message": "Un message de test.",
                    "body": "Un message de test.", "all": "1",
                    "attended": "present"})
                status(resp, 403, "%s POST %s" % (who, path))
            eq(psql("SELECT role FROM committee_memberships WHERE "
                    "committee_id = :'p1' ORDER BY user_id", com.id), before)
    eq(psql_value("SELECT attended FROM event_registrations WHERE id = "
                  ":'p1'", rid), None)
    eq(psql_value("SELECT count(*) FROM committee_messages WHERE "
                  "committee_id = :'p1'", com.id), "1")
    eq(outbox_count(com.followers[1].email), 0)
    eq(psql_value("SELECT status || subject FROM campaigns WHERE id = "
                  ":'p1'", cid), "draftCampagne")


@test
def a_host_never_reaches_another_committee():
    """A host of committee A gets 403 on B's tools (and sees none of B's
    members); B's member ids and message ids through A's slug are 404."""
    a, b = Committee(), Committee()
    c = a.host.client()
    for tail in ("", "/members", "/members.csv", "/contact", "/messages",
                 "/campaigns", "/campaigns/new"):
        resp = c.get("/committees/%s/manage%s" % (b.slug, tail))
        status(resp, 403, "host of A on B%s" % tail)
        for p in b.members:
            not_contains(resp.text, p.first)
    # B's follower through A's slug: not a member of A, nothing changes.
    resp = post(a.supervisor.client(), "%s/members/%d/promote" % (
        a.base, b.followers[0].id))
    status(resp, 404)
    eq(b.role(b.followers[0]), "follower")
    mid = add_message(b, b.host)
    status(c.get("%s/messages/%d" % (a.base, mid)), 404)
    status(post(a.supervisor.client(), "%s/messages/%d/delete" % (
        a.base, mid)), 404)
    eq(psql_value("SELECT count(*) FROM committee_messages WHERE id = "
                  ":'p1'", mid), "1")
    status(c.get("/committees/no-such-committee-%s/manage" % word()), 404)


@test
def a_pending_committee_is_404_but_to_its_creator_and_admins():
    com = Committee(status="pending")
    status(com.outsider.client().get(com.base), 404)
    status(com.followers[0].client().get(com.base + "/members"), 404)
    page = status(com.supervisor.client().get(com.base), 200)
    contains(page, "pas encore approuvé")
    status(admin().client().get(com.base + "/members"), 200)


@test
def the_dashboard_links_every_tool():
    com = Committee()
    page = status(com.host.client().get(com.base), 200)
    for tail in ("/members", "/contact", "/messages", "/edit",
                 "/members.csv", "/campaigns"):
        contains(page, 'href="%s%s"' % (com.base, tail))
    contains(page, 'href="/committees/%s/events/new"' % com.slug)
    contains(page, "Aucun événement à venir")
    eid, slug = make_event(com.id, com.host)
    register(eid)
    _, old = make_event(com.id, com.host, days=-60)
    page = status(com.host.client().get(com.base), 200)
    contains(page, 'href="/events/%s/manage"' % slug)
    contains(page, "1 inscrit(s)")
    not_contains(page, old)
    eq(page.headers.get("Cache-Control"), "no-store")


# -- members and their CSV ---------------------------------------------------

@test
def members_show_initials_communes_roles_and_no_address_or_phone():
    com = Committee()
    page = status(com.host.client().get(com.base + "/members"), 200)
    text = html_text(page)
    for p in com.members:
        contains(text, p.first)
        contains(text, p.last[0] + ".")
    contains(text, "Lyon 1er Arrondissement")
    contains(text, "69001")
    for label in ("Animateur", "Co-animateur", "Membre"):
        contains(text, label)
    joined = psql_value("SELECT to_char(joined_at AT TIME ZONE "
                        "'Europe/Paris', 'DD/MM/YYYY') FROM "
                        "committee_memberships WHERE committee_id = :'p1' "
                        "LIMIT 1", com.id)
    contains(text, joined)
    not_contains(text, com.outsider.first)
    shows_nothing_private(page.body, com.members, "members page")
    # Only the supervisor sees the promote buttons.
    not_contains(page, "/promote")
    page = status(com.supervisor.client().get(com.base + "/members"), 200)
    contains(page, "%s/members/%d/promote" % (com.base, com.followers[0].id))
    contains(page, "%s/members/%d/demote" % (com.base, com.host.id))
    not_contains(page, "%s/members/%d/demote" % (com.base,
                                                 com.supervisor.id))
    shows_nothing_private(page.body, com.members, "members page")


@test
def members_are_paginated_and_sorted_by_join_date():
    supervisor = Person()
    cid, slug = make_committee(supervisor)
    join(cid, supervisor, "supervisor", joined="2020-01-01")
    people = []
    for i in range(55):
        p = Person(first="Membre%02d" % i)
        join(cid, p, joined="2024-01-%02d 12:00+00" % (i % 28 + 1)
             if i < 28 else "2024-02-%02d 12:00+00" % (i - 27))
        people.append(p)
    c = supervisor.client()
    base = "/committees/%s/manage/members" % slug

    def firsts(resp):
        return re.findall(r"<td>(Membre\d\d|Prénom\w+)</td>", resp.text)
    page1 = status(c.get(base), 200)
    contains(page1, "56 membre(s)")
    names = firsts(page1)
    eq(len(names), 50)
    eq(names[0], "Membre54")          # newest first
    contains(page1, "?sort=joined&amp;page=2")
    page2 = status(c.get(base + "?page=2"), 200)
    names2 = firsts(page2)
    eq(len(names2), 6)                 # 5 members and the supervisor
    ok(set(names).isdisjoint(names2), "a member on both pages")
    asc = firsts(status(c.get(base + "?sort=joined_asc"), 200))
    eq(asc[:2], [supervisor.first, "Membre00"])
    status(c.get(base + "?page=0"), 404)
    # An unknown sort falls back to the join date.
    eq(firsts(status(c.get(base + "?sort=email"), 200))[0], "Membre54")


def csv_rows(resp):
    body = resp.body
    ok(body.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: %r" % body[:10])
    text = body[3:].decode("utf-8")
    ok(text.endswith("\r\n"), "the last record does not end with CRLF")
    ok("\n" not in text.replace("\r\n", ""), "a bare LF in %r" % text)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


@test
def members_csv_bytes_quoting_formulas_and_accents():
    com = Committee()
    evil = [Person(first='=HYPERLINK("http://evil.test")', last="Éric"),
            Person(first="+33 6", last="Plus", city='Saint-Étienne; "Nord"'),
            Person(first="-2+3", last="Moins"),
            Person(first="@SUM(A1)", last="Arobase"),
            Person(first="Zoé, Anaïs", last="Œuvre")]
    for p in evil:
        join(com.id, p)
    resp = status(com.host.client().get(com.base + "/members.csv"), 200)
    eq(resp.content_type, "text/csv; charset=utf-8")
    eq(resp.headers.get("Content-Disposition"),
       'attachment; filename="membres-%s.csv"' % com.slug)
    eq(resp.headers.get("Cache-Control"), "no-store")
    rows = csv_rows(resp)
    eq(rows[0], ["Prénom", "Nom (initiale)", "Code postal", "Commune",
                 "Adhésion", "Rôle"])
    eq(len(rows), 1 + len(com.members) + len(evil))
    by_first = {r[0]: r for r in rows[1:]}
    ok("'=HYPERLINK(\"http://evil.test\")" in by_first,
       "formula not neutralised: %s" % list(by_first))
    eq(by_first["'=HYPERLINK(\"http://evil.test\")"][1], "É")
    eq(by_first["'+33 6"][3], 'Saint-Étienne; "Nord"')
    ok("'-2+3" in by_first and "'@SUM(A1)" in by_first, list(by_first))
    eq(by_first["Zoé, Anaïs"][1], "Œ")
    # RFC 4180 on the wire: quoted cells, doubled quotes.
    raw = resp.body.decode("utf-8")
    contains(raw, '"\'=HYPERLINK(""http://evil.test"")"')
    contains(raw, '"Saint-Étienne; ""Nord"""')
    contains(raw, '"Zoé, Anaïs"')
    today = psql_value("SELECT to_char(now() AT TIME ZONE 'Europe/Paris', "
                       "'YYYY-MM-DD')")
    eq(by_first[com.host.first][4], today)
    eq(by_first[com.host.first][5], "Co-animateur")
    eq(by_first[com.host.first][2], "69001")
    shows_nothing_private(resp.body, com.members + evil, "members CSV")


@test
def members_csv_through_nginx():
    com = Committee()
    c = com.supervisor.client("http")
    resp = status(c.get(com.base + "/members.csv"), 200)
    ok(resp.headers.get("Content-Disposition", "").startswith(
        "attachment;"), resp.headers)
    eq(len(csv_rows(resp)), 1 + len(com.members))
    shows_nothing_private(resp.body, com.members, "members CSV (nginx)")


# -- promote and demote ------------------------------------------------------

@test
def the_supervisor_promotes_and_demotes_co_hosts():
    com = Committee()
    f = com.followers[0]
    c = com.supervisor.client()
    resp = post(c, "%s/members/%d/promote" % (com.base, f.id))
    redirects(resp, com.base + "/members")
    eq(com.role(f), "host")
    # The new co-host reaches the tools at once.
    status(f.client().get(com.base), 200)
    contains(c.get(com.base + "/members"), "co-animateur du comité")
    redirects(post(c, "%s/members/%d/demote" % (com.base, f.id)),
              com.base + "/members")
    eq(com.role(f), "follower")
    status(f.client().get(com.base), 403)
    # Promoting a host or demoting a follower changes nothing.
    status(post(c, "%s/members/%d/promote" % (com.base, com.host.id)), 409)
    status(post(c, "%s/members/%d/demote" % (com.base, f.id)), 409)
    eq(com.role(com.host), "host")
    # Admins may too.
    redirects(post(admin().client(), "%s/members/%d/promote" % (
        com.base, f.id)), com.base + "/members")
    eq(com.role(f), "host")


@test
def the_supervisor_is_never_demoted_and_co_hosts_cannot_promote():
    com = Committee()
    sup = com.supervisor
    resp = post(sup.client(), "%s/members/%d/demote" % (com.base, sup.id))
    status(resp, 409)
    contains(resp, "animateur du comité ne peut pas")
    status(post(admin().client(), "%s/members/%d/demote" % (com.base,
                                                            sup.id)), 409)
    eq(com.role(sup), "supervisor")
    # A co-host: 403, nothing changes.
    for path in ("%s/members/%d/promote" % (com.base, com.followers[0].id),
                 "%s/members/%d/demote" % (com.base, sup.id)):
        status(post(com.host.client(), path), 403)
    eq(com.role(com.followers[0]), "follower")
    eq(com.role(sup), "supervisor")
    # A member who does not follow the committee, an unknown id, junk.
    for uid in (com.outsider.id, 999999999, "abc"):
        status(post(sup.client(), "%s/members/%s/promote" % (com.base, uid)),
               404)
    eq(com.role(com.outsider), None)


@test
def promote_and_demote_refuse_a_missing_csrf_token():
    com = Committee()
    f = com.followers[0]
    resp = com.supervisor.client().post("%s/members/%d/promote" % (
        com.base, f.id), {"_csrf": "forged"})
    status(resp, 403)
    resp = com.supervisor.client().post("%s/members/%d/promote" % (
        com.base, f.id), {})
    status(resp, 403)
    eq(com.role(f), "follower")


# -- contact -------------------------------------------------------------------

def contact(c, path, fields):
    return post(c, path, fields)


@test
def contact_mails_the_selected_members_with_reply_to_the_sender():
    com = Committee()
    other = Committee()
    a, b = com.followers
    c = com.host.client()
    page = status(c.get(com.base + "/contact"), 200)
    contains(page, 'name="m_%d"' % a.id)
    not_contains(page, 'name="m_%d"' % com.host.id)     # not to oneself
    shows_nothing_private(page.body, com.members, "contact page")
    resp = contact(c, com.base + "/contact", {
        "m_%d" % a.id: "1", "m_%d" % com.supervisor.id: "1",
        "m_%d" % other.followers[0].id: "1",      # forged: not mailed
        "subject": "Réunion de jeudi", "message": "Bonjour à tous,\nà jeudi !"})
    redirects(resp, com.base)
    contains(c.get(com.base), "envoyé à 2 personnes")
    for p in (a, com.supervisor):
        rows = outbox_to(p.email)
        eq(len(rows), 1, "mails queued for %s" % p.email)
        eq(rows[0][0], "Réunion de jeudi")
        eq(rows[0][1], com.host.email)
        contains(rows[0][2], "à jeudi !")
        contains(rows[0][2], "%s %s." % (com.host.first, com.host.last[0]))
        for q in com.members:
            if q is not com.host:
                not_contains(rows[0][2], q.email)
        m = wait_mail(p.email, "Réunion de jeudi")
        contains(mail_text(m), "à jeudi !")
        eq(str(m.get("Reply-To")), com.host.email)
        eq(m.get_all("To"), [p.email])
    for p in (b, other.followers[0], com.outsider):
        eq(outbox_count(p.email), 0, "mail queued for %s" % p.email)
        eq(mails(p.email), [])


@test
def contact_all_mails_every_member_but_the_sender():
    com = Committee()
    c = com.supervisor.client()
    redirects(contact(c, com.base + "/contact", {
        "all": "1", "subject": "À tous", "message": "Un message pour tous."}),
        com.base)
    for p in [com.host] + com.followers:
        eq([r[1] for r in outbox_to(p.email)], [com.supervisor.email])
    eq(outbox_count(com.supervisor.email), 0)
    eq(outbox_count(com.outsider.email), 0)


@test
def contact_refuses_an_empty_selection_and_a_short_message():
    com = Committee()
    other = Committee()
    c = com.host.client()
    resp = contact(c, com.base + "/contact", {"subject": "Objet",
                                              "message": "Assez long ici."})
    status(resp, 422)
    contains(resp, "au moins un destinataire")
    # Only ids of another committee: nobody to write to, no send counted.
    resp = contact(c, com.base + "/contact", {
        "m_%d" % other.host.id: "1", "subject": "Objet",
        "message": "Assez long ici."})
    status(resp, 422)
    resp = contact(c, com.base + "/contact", {"all": "1", "subject": "O",
                                              "message": "court"})
    status(resp, 422)
    eq(field_errors(resp.text).keys() >= {"subject", "message"}, True)
    # More than 50 boxes: "Tout le monde" is the way.
    many = {"m_%d" % (10 ** 9 + i): "1" for i in range(51)}
    many.update({"subject": "Objet", "message": "Assez long ici."})
    resp = contact(c, com.base + "/contact", many)
    status(resp, 422)
    contains(resp, "au plus 50 personnes")
    eq(psql_value("SELECT count(*) FROM send_quotas WHERE subject_id = "
                  ":'p1' AND scope = 'committee_contact'", com.id), "0")
    eq(outbox_count(other.host.email), 0)


@test
def the_fourth_contact_send_of_the_day_is_refused():
    com = Committee()
    c = com.host.client()
    target = com.followers[0]
    for i in range(3):
        redirects(contact(c, com.base + "/contact", {
            "m_%d" % target.id: "1", "subject": "Envoi %d" % i,
            "message": "Un message numéro %d." % i}), com.base)
    resp = contact(c, com.base + "/contact", {
        "m_%d" % target.id: "1", "subject": "Envoi 4",
        "message": "Un message de trop."})
    status(resp, 429)
    contains(html_text(resp), "déjà envoyé 3 messages aujourd'hui")
    eq([r[0] for r in outbox_to(target.email)],
       ["Envoi 0", "Envoi 1", "Envoi 2"])
    # Another host of the same committee shares the committee's quota.
    status(contact(com.supervisor.client(), com.base + "/contact", {
        "all": "1", "subject": "Envoi 5", "message": "Encore un de trop."}),
        429)
    eq(outbox_count(target.email), 3)


@test(slow=True)
def simultaneous_contact_sends_stop_at_three():
    com = Committee()
    target = com.followers[0]
    hosts = [com.host, com.supervisor]
    tokens = [(h.client(), token(h.client())) for h in hosts]

    def send(i):
        c, tok = tokens[i % 2]
        return c.post(com.base + "/contact", {
            "_csrf": tok, "m_%d" % target.id: "1", "subject": "Course %d" % i,
            "message": "Un message simultané %d." % i}).status
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(send, range(8)))
    eq(sorted(codes), [303] * 3 + [429] * 5, codes)
    eq(outbox_count(target.email), 3)


# -- timeline ------------------------------------------------------------------

@test
def a_message_is_published_and_mailed_to_followers_who_opted_in():
    com = Committee()
    quiet = Person()
    join(com.id, quiet, notify=False)
    c = com.host.client()
    resp = post(c, com.base + "/messages", {
        "subject": "Tractage samedi",
        "body": "Rendez-vous **samedi** à 10 h.\n\n<script>alert(1)</script>"
                "\n\n[lien](javascript:alert(2))"})
    redirects(resp, com.base + "/messages")
    row = psql("SELECT author_id, author_name, subject, body_md, body_html "
               "FROM committee_messages WHERE committee_id = :'p1'", com.id)
    eq(len(row), 1)
    author, name, subject, md, html = row[0]
    eq((int(author), name, subject), (com.host.id, "%s %s." % (
        com.host.first, com.host.last[0]), "Tractage samedi"))
    contains(html, "<strong>samedi</strong>")
    not_contains(html, "<script")
    not_contains(html, "javascript:")
    page = status(c.get(com.base + "/messages"), 200)
    contains(page, "<strong>samedi</strong>")
    not_contains(page, "<script>alert(1)")
    for p in [com.supervisor] + com.followers:
        rows = outbox_to(p.email)
        eq(len(rows), 1, "timeline mail for %s" % p.email)
        contains(rows[0][0], "Tractage samedi")
        contains(rows[0][2], "Rendez-vous **samedi**")
    wait_mail(com.followers[0].email, "Tractage samedi")
    eq(outbox_count(quiet.email), 0)
    eq(outbox_count(com.host.email), 0)     # not to its author
    eq(outbox_count(com.outsider.email), 0)


@test
def a_message_needs_a_subject_and_ten_characters():
    com = Committee()
    resp = post(com.host.client(), com.base + "/messages", {
        "subject": "Titre", "body": "Trop court"[:9]})
    status(resp, 422)
    contains(resp, "au moins 10 caractères")
    eq(form_values(resp.text, com.base + "/messages").get("subject"),
       "Titre")
    eq(psql_value("SELECT count(*) FROM committee_messages WHERE "
                  "committee_id = :'p1'", com.id), "0")
    eq(outbox_count(com.followers[0].email), 0)


@test
def a_message_is_edited_or_deleted_by_its_author_or_the_supervisor():
    com = Committee()
    co_host = Person()
    join(com.id, co_host, "host")
    mid = add_message(com, com.host, "Premier titre")
    path = "%s/messages/%d" % (com.base, mid)
    # Another co-host: 403, nothing changes.
    status(co_host.client().get(path), 403)
    status(post(co_host.client(), path, {"subject": "Piraté",
                                         "body": "Un texte piraté."}), 403)
    status(post(co_host.client(), path + "/delete"), 403)
    eq(psql_value("SELECT subject FROM committee_messages WHERE id = "
                  ":'p1'", mid), "Premier titre")
    page = status(com.host.client().get(path), 200)
    eq(form_values(page.text, path).get("subject"), "Premier titre")
    redirects(post(com.host.client(), path, {
        "subject": "Titre corrigé", "body": "Le *texte* corrigé."}),
        com.base + "/messages")
    eq(psql("SELECT subject, body_html FROM committee_messages WHERE id = "
            ":'p1'", mid)[0], ("Titre corrigé",
                               "<p>Le <em>texte</em> corrigé.</p>\n"))
    status(post(com.host.client(), path, {"subject": "T", "body": "x"}), 422)
    redirects(post(com.supervisor.client(), path, {
        "subject": "Par l'animateur", "body": "Corrigé par l'animateur."}),
        com.base + "/messages")
    redirects(post(com.supervisor.client(), path + "/delete"),
              com.base + "/messages")
    eq(psql_value("SELECT count(*) FROM committee_messages WHERE id = "
                  ":'p1'", mid), "0")
    status(com.host.client().get(path), 404)
    mid2 = add_message(com, com.host)
    redirects(post(admin().client(), "%s/messages/%d/delete" % (
        com.base, mid2)), com.base + "/messages")


# -- events --------------------------------------------------------------------

class Event:
    """An upcoming event of an approved committee, its organiser (a
    follower, not a host), and people: 2 registered (one a member), 1
    waiting, 1 cancelled."""

    def __init__(self, capacity=2):
        self.com = Committee()
        self.organizer = self.com.followers[1]
        self.id, self.slug = make_event(self.com.id, self.organizer,
                                        capacity=capacity)
        self.member = Person()
        self.guests = []
        for st, user in (("registered", self.member), ("registered", None),
                         ("waiting", None), ("cancelled", None)):
            rid, email = register(self.id, status=st, user=user)
            self.guests.append((rid, email, st))
        self.base = "/events/%s/manage" % self.slug

    def names(self):
        return psql("SELECT first_name, last_name, email FROM "
                    "event_registrations WHERE event_id = :'p1' ORDER BY id",
                    self.id)


@test
def event_tools_are_for_its_organiser_hosts_and_admins():
    ev = Event()
    for who, person in (("organiser", ev.organizer), ("host", ev.com.host),
                        ("supervisor", ev.com.supervisor),
                        ("admin", admin())):
        status(person.client().get(ev.base), 200, who)
    for who, person in (("follower", ev.com.followers[0]),
                        ("member", ev.com.outsider),
                        ("registered member", ev.member)):
        status(person.client().get(ev.base), 403, who)
    other = Committee()
    status(other.host.client().get(ev.base), 403)
    # A national event: its organiser and admins only.
    org = Person()
    _, nslug = make_event(None, org)
    status(org.client().get("/events/%s/manage" % nslug), 200)
    status(ev.com.host.client().get("/events/%s/manage" % nslug), 403)
    # An event of a pending committee: 404 but for admins.
    pending = Committee(status="pending")
    _, pslug = make_event(pending.id, pending.host)
    status(pending.host.client().get("/events/%s/manage" % pslug), 404)
    status(admin().client().get("/events/%s/manage" % pslug), 200)
    status(ev.com.host.client().get("/events/nope-%s/manage" % word()), 404)


@test
def the_event_list_shows_registered_waiting_and_no_address():
    ev = Event()
    page = status(ev.com.host.client().get(ev.base), 200)
    text = html_text(page)
    for first, last, email in ev.names():
        contains(text, first)
        not_contains(text, email)
        not_contains(text, last)
        contains(text, last[0] + ".")
    contains(text, "Liste d'attente")
    contains(text, "69003")
    for tail in ("/edit", "/cancel", "/invite", "/manage/checkin",
                 "/manage/contact", "/manage/registrations.csv"):
        contains(page, 'href="/events/%s%s"' % (ev.slug, tail))
    shows_nothing_private(page.body, [ev.member], "event list")


@test
def check_in_marks_present_and_absent():
    ev = Event()
    rid = ev.guests[1][0]
    c = ev.organizer.client()
    page = status(c.get(ev.base + "/checkin"), 200)
    contains(page, 'action="%s/checkin/%d"' % (ev.base, rid))
    # Only the registered: not the waiting nor the cancelled.
    not_contains(page, "%s/checkin/%d\"" % (ev.base, ev.guests[2][0]))
    not_contains(page, "%s/checkin/%d\"" % (ev.base, ev.guests[3][0]))
    shows_nothing_private(page.body, [ev.member], "check-in")
    resp = redirects(post(c, "%s/checkin/%d" % (ev.base, rid),
                          {"attended": "present"}), ev.base + "/checkin")
    ok(resp.location.endswith("/checkin#r-%d" % rid), resp.location)
    eq(psql_value("SELECT attended FROM event_registrations WHERE id = "
                  ":'p1'", rid), "t")
    resp = post(c, "%s/checkin/%d" % (ev.base, rid), {"attended": "absent"},
                headers={"Accept": "application/json"})
    status(resp, 200)
    eq(resp.json(), {"id": rid, "attended": "absent"})
    eq(psql_value("SELECT attended FROM event_registrations WHERE id = "
                  ":'p1'", rid), "f")
    status(post(c, "%s/checkin/%d" % (ev.base, rid), {"attended": "maybe"}),
           400)
    redirects(post(c, "%s/checkin/%d" % (ev.base, rid), {"attended": ""}))
    eq(psql_value("SELECT attended FROM event_registrations WHERE id = "
                  ":'p1'", rid), None)
    page = c.get(ev.base + "/checkin")
    contains(page, 'aria-pressed="false"')


@test
def check_in_through_nginx_answers_the_script_in_json():
    ev = Event()
    rid = ev.guests[0][0]
    c = ev.com.host.client("http")
    page = status(c.get(ev.base + "/checkin"), 200)
    resp = c.post("%s/checkin/%d" % (ev.base, rid), {
        "_csrf": csrf_of(page), "attended": "present"},
        headers={"Accept": "application/json"})
    status(resp, 200)
    eq(resp.json(), {"id": rid, "attended": "present"})
    eq(psql_value("SELECT attended FROM event_registrations WHERE id = "
                  ":'p1'", rid), "t")


@test
def check_in_refuses_other_events_waiting_people_and_forged_tokens():
    ev, other = Event(), Event()
    c = ev.organizer.client()
    rid_other = other.guests[0][0]
    status(post(c, "%s/checkin/%d" % (ev.base, rid_other),
                {"attended": "present"}), 404)
    status(post(c, "%s/checkin/%d" % (ev.base, ev.guests[2][0]),
                {"attended": "present"}), 404)
    status(c.post("%s/checkin/%d" % (ev.base, ev.guests[0][0]),
                  {"attended": "present", "_csrf": "x"}), 403)
    eq(psql("SELECT attended FROM event_registrations WHERE id IN (:'p1', "
            ":'p2', :'p3')", rid_other, ev.guests[2][0], ev.guests[0][0]),
       [(None,)] * 3)


@test
def registrations_csv_has_status_date_and_attendance():
    ev = Event()
    rid = ev.guests[0][0]
    psql("UPDATE event_registrations SET attended = true, first_name = "
         "'=cmd|calc' WHERE id = :'p1'", rid)
    resp = status(ev.com.host.client().get(ev.base + "/registrations.csv"),
                  200)
    eq(resp.headers.get("Content-Disposition"),
       'attachment; filename="inscrits-%s.csv"' % ev.slug)
    rows = csv_rows(resp)
    eq(rows[0], ["Prénom", "Nom (initiale)", "Code postal", "Statut",
                 "Inscription", "Présence"])
    eq([r[3] for r in rows[1:]], ["Inscrit", "Inscrit", "En liste d'attente",
                                  "Désinscrit"])
    eq(rows[1][0], "'=cmd|calc")
    eq(rows[1][5], "Présent")
    matches(rows[1][4], r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
    text = resp.body.decode("utf-8")
    for first, last, email in ev.names():
        not_contains(text, email)
        not_contains(text, last)
    shows_nothing_private(resp.body, [ev.member], "registrations CSV")


@test
def event_contact_mails_registered_and_waiting_with_reply_to():
    ev = Event()
    c = ev.com.host.client()
    page = status(c.get(ev.base + "/contact"), 200)
    for rid, email, st in ev.guests:
        if st == "cancelled":
            not_contains(page, 'name="r_%d"' % rid)
        else:
            contains(page, 'name="r_%d"' % rid)
    redirects(post(c, ev.base + "/contact", {
        "all": "1", "subject": "Infos pratiques",
        "message": "Apportez vos tracts."}), ev.base)
    for rid, email, st in ev.guests:
        rows = outbox_to(email)
        if st == "cancelled":
            eq(rows, [])
        else:
            eq([(r[0], r[1]) for r in rows],
               [("Infos pratiques", ev.com.host.email)])
    m = wait_mail(ev.guests[1][1], "Infos pratiques")
    eq(str(m.get("Reply-To")), ev.com.host.email)
    # Selected one by one; a registration of another event is ignored.
    other = Event()
    redirects(post(c, ev.base + "/contact", {
        "r_%d" % ev.guests[1][0]: "1", "r_%d" % other.guests[1][0]: "1",
        "subject": "Deuxième", "message": "Un deuxième message."}), ev.base)
    eq(outbox_count(ev.guests[1][1], "Deuxième"), 1)
    eq(outbox_count(ev.guests[0][1], "Deuxième"), 0)
    eq(outbox_count(other.guests[1][1]), 0)
    redirects(post(c, ev.base + "/contact", {
        "all": "1", "subject": "Troisième", "message": "Un troisième."}))
    status(post(c, ev.base + "/contact", {
        "all": "1", "subject": "Quatrième", "message": "Un de trop ici."}),
        429)
    eq(outbox_count(ev.guests[1][1], "Quatrième"), 0)


# -- invitations ---------------------------------------------------------------

def invite(person, slug, addresses, message="Viens avec moi !"):
    return post(person.client(), "/events/%s/invite" % slug, {
        "addresses": "\n".join(addresses), "message": message})


def notice_of(person, slug):
    page = status(person.client().get("/events/%s/invite" % slug), 200)
    m = re.search(r'<p class="notice" role="status">([^<]*)</p>', page.text)
    return m.group(1) if m else ""


@test
def an_invitation_mails_the_addresses_and_keeps_only_hashes():
    ev = Event()
    inviter = Person(first="Margaux", last="Lefèvre")
    a, b = unique_email("ami"), unique_email("amie")
    redirects(invite(inviter, ev.slug, [a, b.upper()]),
              "/events/%s/invite" % ev.slug)
    eq(notice_of(inviter, ev.slug), "Invitations envoyées : 2.")
    for addr in (a, b):
        m = wait_mail(addr, "Margaux L. vous invite")
        text = mail_text(m)
        contains(text, "Viens avec moi !")
        contains(text, "/events/%s" % ev.slug)
        not_contains(text, inviter.email)
        not_contains(text, "Lefèvre")
        eq(m.get("Reply-To"), None)
    eq(psql_value("SELECT count(*) FROM event_invitations WHERE event_id = "
                  ":'p1' AND inviter_id = :'p2'", ev.id, inviter.id), "2")
    hashes = [r[0] for r in psql(
        "SELECT address_hash FROM event_invitations WHERE event_id = :'p1'",
        ev.id)]
    for h in hashes:
        matches(h, r"^[0-9a-f]{64}$")
    dump = psql_value("SELECT string_agg(address_hash, ' ') FROM "
                      "invitation_addresses")
    not_contains(dump, a)
    not_contains(dump, b)


@test
def an_address_invited_in_the_last_24_hours_is_not_mailed_again():
    ev, ev2 = Event(), Event()
    first, second = Person(), Person()
    a, b = unique_email("ami"), unique_email("ami")
    redirects(invite(first, ev.slug, [a]))
    redirects(invite(second, ev2.slug, [a, b]))     # another inviter
    eq(notice_of(second, ev2.slug), "Invitations envoyées : 1. Non "
       "envoyées : 1 (ces personnes ont déjà été invitées dans les "
       "dernières 24 heures).")
    eq(outbox_count(a), 1)
    eq(outbox_count(b), 1)
    eq(psql_value("SELECT count(*) FROM event_invitations WHERE "
                  "inviter_id = :'p1'", second.id), "1")
    # 25 hours later it may be invited again.
    psql("UPDATE invitation_addresses SET last_invited_at = now() - "
         "interval '25 hours' WHERE address_hash = (SELECT address_hash "
         "FROM event_invitations WHERE inviter_id = :'p1')", first.id)
    redirects(invite(second, ev2.slug, [a]))
    eq(outbox_count(a), 2)


@test(slow=True)
def simultaneous_invitations_of_one_address_mail_it_once():
    evs = [Event() for _ in range(2)]
    inviters = [Person() for _ in range(6)]
    tokens = [(p.client(), token(p.client())) for p in inviters]
    addr = unique_email("convoite")

    def send(i):
        c, tok = tokens[i]
        return c.post("/events/%s/invite" % evs[i % 2].slug, {
            "_csrf": tok, "addresses": addr, "message": ""}).status
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(send, range(6)))
    eq(codes, [303] * 6)
    eq(outbox_count(addr), 1)


@test
def at_most_50_invitations_per_inviter_per_day():
    ev = Event()
    inviter = Person()
    for i in range(4):
        redirects(invite(inviter, ev.slug,
                         [unique_email("lot%d" % i) for _ in range(10)]))
    nine = [unique_email("lot5") for _ in range(9)]
    resp = invite(inviter, ev.slug, nine + [unique_email("lot5")] +
                  [])
    redirects(resp)                                  # 50 exactly
    extra = unique_email("trop")
    resp = invite(inviter, ev.slug, [extra])
    status(resp, 429)
    contains(resp, "plus de 50 invitations par jour")
    eq(outbox_count(extra), 0)
    eq(psql_value("SELECT count(*) FROM event_invitations WHERE inviter_id "
                  "= :'p1'", inviter.id), "50")
    # Skipped addresses count too (they were submitted).
    other = Person()
    psql("INSERT INTO send_quotas VALUES ('invite', :'p1', (now() AT TIME "
         "ZONE 'Europe/Paris')::date, 45)", other.id)
    status(invite(other, ev.slug, [unique_email("x") for _ in range(6)]),
           429)
    redirects(invite(other, ev.slug, [unique_email("x") for _ in range(5)]))


@test(slow=True)
def simultaneous_invitations_stop_at_the_cap():
    ev = Event()
    inviter = Person()
    psql("INSERT INTO send_quotas VALUES ('invite', :'p1', (now() AT TIME "
         "ZONE 'Europe/Paris')::date, 40)", inviter.id)
    c = inviter.client()
    tok = token(c)

    def send(i):
        return c.post("/events/%s/invite" % ev.slug, {
            "_csrf": tok, "message": "",
            "addresses": ",".join(unique_email("c%d" % i)
                                  for _ in range(10))}).status
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        codes = list(pool.map(send, range(5)))
    eq(sorted(codes), [303] + [429] * 4, codes)
    eq(psql_value("SELECT count(*) FROM event_invitations WHERE inviter_id "
                  "= :'p1'", inviter.id), "10")


@test
def the_invitation_form_checks_its_fields():
    ev = Event()
    p = Person()
    resp = invite(p, ev.slug, [unique_email("x") for _ in range(11)])
    status(resp, 422)
    contains(resp, "au plus 10 adresses")
    resp = invite(p, ev.slug, ["pas-une-adresse", unique_email("x")])
    status(resp, 422)
    contains(resp, "pas-une-adresse")
    resp = invite(p, ev.slug, [unique_email("x")], message="x" * 501)
    status(resp, 422)
    resp = invite(p, ev.slug, [" , "])
    status(resp, 422)
    # The same address twice is one invitation.
    addr = unique_email("deux")
    redirects(invite(p, ev.slug, [addr, addr.upper()]))
    eq(outbox_count(addr), 1)
    eq(psql_value("SELECT count(*) FROM event_invitations WHERE inviter_id "
                  "= :'p1'", p.id), "1")
    resp = p.client().post("/events/%s/invite" % ev.slug, {
        "addresses": unique_email("y"), "_csrf": "forged"})
    status(resp, 403)


@test
def invitations_only_to_upcoming_visible_events():
    p = Person()
    com = Committee()
    _, past = make_event(com.id, com.host, days=-2)
    _, cancelled = make_event(com.id, com.host, status="cancelled")
    for slug in (past, cancelled):
        status(p.client().get("/events/%s/invite" % slug), 409)
        addr = unique_email("x")
        status(invite(p, slug, [addr]), 409)
        eq(outbox_count(addr), 0)
    pending = Committee(status="pending")
    _, pslug = make_event(pending.id, pending.host)
    status(p.client().get("/events/%s/invite" % pslug), 404)
    status(p.client().get("/events/nope-%s/invite" % word()), 404)
    redirects(Client("fcgi").get("/events/%s/invite" % past), "/login")


# -- markup --------------------------------------------------------------------

@test(slow=True)
def host_pages_are_valid_html():
    """Every host page, with errors too, through the W3C Nu checker
    (test_markup.py's run_checker)."""
    import tempfile
    from test_markup import run_checker, describe
    ev = Event()
    com = ev.com
    mid = add_message(com, com.host)
    host = com.host.client()
    pages = {
        "dashboard": host.get(com.base),
        "members": host.get(com.base + "/members"),
        "contact": host.get(com.base + "/contact"),
        "contact-422": post(host, com.base + "/contact", {"subject": "x",
                                                          "message": "y"}),
        "messages": host.get(com.base + "/messages"),
        "messages-422": post(host, com.base + "/messages", {"subject": "",
                                                            "body": "x"}),
        "message": host.get("%s/messages/%d" % (com.base, mid)),
        "promote-409": post(com.supervisor.client(), "%s/members/%d/promote"
                            % (com.base, com.host.id)),
        "event": host.get(ev.base),
        "checkin": host.get(ev.base + "/checkin"),
        "event-contact": host.get(ev.base + "/contact"),
        "invite": host.get("/events/%s/invite" % ev.slug),
        "invite-422": invite(com.host, ev.slug, ["nope"]),
    }
    for i in range(3):
        post(host, ev.base + "/contact", {"all": "1", "subject": "Objet %d"
                                          % i, "message": "Un message."})
    pages["event-contact-429"] = post(host, ev.base + "/contact", {
        "all": "1", "subject": "Objet", "message": "Un message de trop."})
    with tempfile.TemporaryDirectory() as d:
        files = {}
        for name, resp in pages.items():
            ok(resp.status in (200, 409, 422, 429), "%s: %s" % (
                name, resp.status))
            path = os.path.join(d, name + ".html")
            with open(path, "wb") as fh:
                fh.write(resp.body)
            files[path] = name
        errors = run_checker(sorted(files))
    bad = ["%s: %s" % (files[f], describe(m)) for f, msgs in errors.items()
           for m in msgs]
    eq(bad, [], "invalid HTML")
