# SPDX-License-Identifier: MIT
"""The member's own data (issue 11, section 4): /account/export as a page
and /account/export.json as a file hold each kind of data the platform
keeps about the member, and nothing of another member (other people as a
first name and an initial, never an address, a phone or a last name);
deleting an account releases its volunteer missions (open applications
cancelled with reason account_deleted, the waiting lists promoted and
mailed, a lone draft organisation deleted, messages in others' threads
kept without an author), exactly once under simultaneous deletions.

Members, committees, events, campaigns, gifts, organisations, missions,
applications and messages are rows written with psql (test_manage's
Person, vol_fixtures); the export and the deletion go through the
workers (FastCGI) and nginx."""

import concurrent.futures
import json
import re
import secrets

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import stackctl as sc
import vol_fixtures as vf
from test_manage import Person, make_committee, join, make_event, word


# -- fixtures ----------------------------------------------------------------

def add_consent(person, detail):
    psql("INSERT INTO user_subscriptions (user_id, type) VALUES "
         "(:'p1', 'national') ON CONFLICT DO NOTHING", person.id)
    psql("INSERT INTO consent_ledger (user_id, type, subscribed, source, "
         "detail) VALUES (:'p1', 'national', true, 'form', :'p2')",
         person.id, detail)


def add_committee_message(cid, person, subject):
    psql("INSERT INTO committee_messages (committee_id, author_id, "
         "author_name, subject, body_md, body_html) VALUES (:'p1', :'p2', "
         "'Auteur A.', :'p3', 'Un message assez long.', "
         "'<p>Un message assez long.</p>')", cid, person.id, subject)


def add_registration(eid, person, email=None):
    """A registration of person to event eid (by account, or by address
    only when email is given: a guest)."""
    psql("INSERT INTO event_registrations (event_id, user_id, email, "
         "first_name, last_name, postal_code, status, registered_at) VALUES "
         "(:'p1', NULLIF(:'p2', '')::bigint, :'p3', :'p4', :'p5', '69003', "
         "'registered', now())", eid, "" if email else person.id,
         email or person.email, person.first, person.last)


def add_campaign_mail(subject, people):
    cid = psql_value(
        "INSERT INTO campaigns (sender, subject, body_md, audience, "
        "subscription_type, status) VALUES ('admin', :'p1', 'Bonjour', "
        "'members', 'national', 'finished') RETURNING id", subject)
    for i, p in enumerate(people, 1):
        psql("INSERT INTO campaign_recipients (campaign_id, id, user_id, "
             "email, first_name, status, sent_at) VALUES (:'p1', :'p2', "
             ":'p3', :'p4', :'p5', 'sent', now())", cid, i, p.id, p.email,
             p.first)


def add_gift(person, cents, by_email=False):
    """A paid one-off gift of person (logged in, or by address only) with
    its payment and receipt; the gift's uuid."""
    uuid = psql_value(
        "INSERT INTO donations (user_id, kind, amount_cents, status, "
        "civility, first_name, last_name, email, street, postal_code, "
        "city_name, country, phone, name_key, paid_at) VALUES "
        "(NULLIF(:'p1', '')::bigint, 'once', :'p2', 'paid', 'mme', :'p3', "
        ":'p4', :'p5', '3 rue du Don', '69001', 'Lyon', 'FR', :'p6', "
        "donation_name_key(:'p4', :'p3', '69001'), now()) RETURNING uuid",
        "" if by_email else person.id, cents, person.first, person.last,
        person.email, person.phone)
    psql("INSERT INTO donation_payments (donation_id, transaction_id, "
         "amount_cents, year, receipt_id) SELECT d.id, :'p2', "
         "d.amount_cents, extract(year FROM now())::int, "
         "tax_receipt_for(d.email, extract(year FROM now())::int) "
         "FROM donations d WHERE d.uuid = :'p1'", uuid,
         "test-" + secrets.token_hex(8))
    return uuid


def add_message(app_id, author, side, body):
    psql("INSERT INTO application_messages (application_id, author_id, "
         "side, body) VALUES (:'p1', :'p2', :'p3', :'p4')", app_id,
         author.id, side, body)


class World:
    """`me` with every kind of data, and `other`, a member who shares
    each object with me (committee, event, campaign, organisation,
    mission, thread) and whose data must never show in my export."""

    def __init__(self):
        self.me, self.other = Person(), Person()
        self.mgr = Person()             # manages the mission I apply to
        me, other = self.me, self.other
        self.secret = "secret-" + word(10)   # in other's rows only
        add_consent(me, "consent-of-me")
        add_consent(other, self.secret)
        self.committee, _ = make_committee(me)
        join(self.committee, me, "supervisor")
        join(self.committee, other)
        self.cmsg = "Sujet " + word(8)
        add_committee_message(self.committee, me, self.cmsg)
        add_committee_message(self.committee, other, self.secret)
        self.event, _ = make_event(self.committee, organizer=me)
        add_registration(self.event, me)
        add_registration(self.event, other)
        self.guest_event, _ = make_event()
        add_registration(self.guest_event, me, email=me.email)
        self.campaign = "Campagne " + word(8)
        add_campaign_mail(self.campaign, [me, other])
        psql("INSERT INTO event_invitations (event_id, inviter_id, "
             "address_hash) VALUES (:'p1', :'p2', 'h1'), (:'p1', :'p2', "
             "'h2')", self.event, me.id)
        psql("INSERT INTO invite_sends (inviter_id, sent, skipped) VALUES "
             "(:'p1', 3, 1)", me.id)
        self.gift = add_gift(me, 4200)
        self.guest_gift = add_gift(me, 1500, by_email=True)
        self.other_gift = add_gift(other, 9900)
        # My organisation: other applies to its mission and we talk.
        self.org, self.org_slug, _ = vf.make_org(me)
        psql("INSERT INTO organisation_invitations (organisation_id, "
             "email, token_hash, invited_by, accepted_at, accepted_by) "
             "VALUES (:'p1', :'p2', :'p3', :'p4', now(), :'p5')", self.org,
             other.email, secrets.token_hex(16), me.id, other.id)
        self.my_mission, _ = vf.make_mission(self.org, places=3)
        self.other_app, _ = vf.apply(self.my_mission, other)
        add_message(self.other_app, other, "volunteer", self.secret)
        self.my_reply = "Réponse de moi " + word(8)
        add_message(self.other_app, me, "organisation", self.my_reply)
        # Another organisation's mission: I apply, the manager replies.
        org2, _, _ = vf.make_org(self.mgr)
        self.mission, self.mission_slug = vf.make_mission(org2, places=3)
        self.app, st = vf.apply(self.mission, me)
        eq(st, "waiting")
        self.motivation = psql_value("SELECT motivation FROM applications "
                                     "WHERE id = :'p1'", self.app)
        vf.apply(self.mission, other)
        self.my_msg = "Bonjour de moi " + word(8)
        add_message(self.app, me, "volunteer", self.my_msg)
        self.mgr_msg = "Bienvenue " + word(8)
        add_message(self.app, self.mgr, "organisation", self.mgr_msg)

    def private(self):
        """Strings of other and of the manager that no export of mine may
        hold (their first names may show, with an initial)."""
        out = [self.secret, self.other_gift]
        for p in (self.other, self.mgr):
            out += [p.email, p.phone, p.phone.replace(" ", ""), p.last]
        out.append(psql_value("SELECT motivation FROM applications WHERE "
                              "id = :'p1'", self.other_app))
        out.append(psql_value("SELECT uuid::text FROM users WHERE id = "
                              ":'p1'", self.other.id))
        return out


def export_json(client):
    resp = status(client.get("/account/export.json"), 200)
    eq(resp.headers.get("Cache-Control"), "no-store")
    contains(resp.headers.get("Content-Disposition", ""), "attachment")
    ok(resp.content_type.startswith("application/json"), resp.content_type)
    return resp, json.loads(resp.body)


def one(rows, what, **match):
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    eq(len(found), 1, "%s matching %r in %r" % (what, match, rows))
    return found[0]


# -- the export --------------------------------------------------------------

@test
def export_needs_a_login():
    for path in ("/account/export", "/account/export.json"):
        resp = redirects(Client("fcgi").get(path), None, path)
        eq(path_of(resp.location), "/login?next=" + path.replace("/", "%2F"),
           path)


@test
def the_export_holds_each_kind_of_data():
    w = World()
    me = w.me
    _, d = export_json(me.client())
    eq(d["format"], "civitas-export/1")
    p = d["profile"]
    eq((p["email"], p["first_name"], p["last_name"], p["phone"],
        p["birth_date"], p["postal_code"]),
       (me.email, me.first, me.last, me.phone, "1990-01-01", "69001"))
    one(d["subscriptions"], "subscription", type="national")
    one(d["consent_ledger"], "ledger row", detail="consent-of-me",
        subscribed=True, source="form")
    one(d["committees"], "committee", role="supervisor")
    one(d["committee_messages"], "committee message", subject=w.cmsg)
    eq(len(d["events"]), 2, "registrations (one as a guest by address)")
    one(d["events_organised"], "event organised", status="scheduled")
    one(d["campaigns_received"], "campaign", subject=w.campaign,
        status="sent")
    one(d["invitations_sent"], "event invitations", kind="event",
        addresses=2)
    one(d["invitations_sent"], "invite send", kind="join", addresses=4)
    inv = one(d["invitations_sent"], "organisation invitation",
              kind="organisation")
    eq(inv["accepted_by"], "%s %s." % (w.other.first, w.other.last[0]))
    one(d["donations"], "gift", uuid=w.gift, amount_cents=4200)
    one(d["donations"], "gift by address", uuid=w.guest_gift,
        amount_cents=1500)
    eq(len(d["donation_payments"]), 2)
    eq(len(d["tax_receipts"]), 1, "one receipt a year")
    one(d["organisations"], "organisation", slug=w.org_slug, creator=True,
        status="validated")
    a = one(d["applications"], "application", id=w.app)
    eq((a["mission_slug"], a["status"], a["motivation"]),
       (w.mission_slug, "waiting", w.motivation))
    msgs = d["messages"]
    one(msgs, "my message", body=w.my_msg, mine=True, author=None)
    one(msgs, "the manager's reply", body=w.mgr_msg, mine=False,
        author="%s %s." % (w.mgr.first, w.mgr.last[0]))
    one(msgs, "my reply as a manager", body=w.my_reply, mine=True)
    eq(len(msgs), 3, "messages")
    # The page shows the same, readable.
    page = status(me.client().get("/account/export"), 200)
    eq(page.headers.get("Cache-Control"), "no-store")
    text = html_text(page.text)
    for s in (me.email, me.phone, w.cmsg, w.campaign, w.gift, "42,00 €",
              w.motivation, w.my_msg, w.mgr_msg, w.my_reply, "En attente",
              "%s %s." % (w.mgr.first, w.mgr.last[0]), "01/01/1990"):
        contains(text, s, "the page")
    for key in d:
        if key not in ("format", "generated_at", "time_zone"):
            contains(page.text, 'id="%s"' % key, "section %s" % key)
    contains(page.text, 'href="/account/export.json"')


@test
def the_export_holds_nothing_of_another_member():
    w = World()
    resp, _ = export_json(w.me.client())
    page = status(w.me.client().get("/account/export"), 200)
    for body, what in ((resp.body.decode(), "JSON"), (page.text, "page")):
        for s in w.private():
            not_contains(body, s, "%s of my export" % what)
    # ...and other's own export holds their data, not mine.
    resp, d = export_json(w.other.client())
    for s in (w.me.email, w.me.phone, w.me.last, w.gift, w.motivation,
              w.my_msg, w.cmsg):
        not_contains(resp.body.decode(), s, "other's export")
    one(d["messages"], "other's thread with my reply", body=w.my_reply,
        mine=False, author="%s %s." % (w.me.first, w.me.last[0]))


@test
def the_export_through_nginx_is_not_cached():
    w = World()
    c = w.me.client("http")
    for path in ("/account/export", "/account/export.json"):
        resp = status(c.get(path), 200, path)
        eq(resp.headers.get("Cache-Control"), "no-store", path)
        ok(resp.headers.get("X-Cache-Status") in (None, "BYPASS"),
           "%s: %s" % (path, resp.headers.get("X-Cache-Status")))
    resp, d = export_json(c)
    eq(d["profile"]["email"], w.me.email)
    # Another member on the same path gets their own.
    resp, d = export_json(w.other.client("http"))
    eq(d["profile"]["email"], w.other.email)


@test
def the_export_is_503_while_postgresql_is_down():
    me = Person()
    c = me.client()
    status(c.get("/account/export"), 200)
    sc.restore_stack()
    try:
        sc.stop_postgres()
        status(c.get("/account/export"), 503, "page")
        resp = status(c.get("/account/export.json"), 503, "file")
        ok(resp.content_type.startswith("application/problem+json"),
           resp.content_type)
    finally:
        sc.restore_stack()
    status(c.get("/account/export"), 200)


# -- deletion ----------------------------------------------------------------

def delete(person, client=None):
    c = client or person.client()
    page = status(c.get("/account/delete"), 200)
    resp = submit_page(c, page, {"reason": "time", "confirm": "1"},
                       "/account/delete")
    redirects(resp, "/account/deleted")


def app_row(app_id):
    rows = psql("SELECT status, coalesce(reason, ''), promoted_at IS NOT "
                "NULL FROM applications WHERE id = :'p1'", app_id)
    return tuple(rows[0]) if rows else None


def places_taken(mid):
    return int(psql_value("SELECT places_taken FROM missions WHERE id = "
                          ":'p1'", mid))


def promoted_mails(person):
    return int(psql_value("SELECT count(*) FROM outbox WHERE to_addr = "
                          ":'p1' AND subject LIKE 'Une place s''est "
                          "libérée%'", person.email))


@test
def deletion_gives_the_place_to_the_first_of_the_waiting_list():
    org, _, _ = vf.make_org()
    mid, _ = vf.make_mission(org, places=1)
    me, first, second = Person(), Person(), Person()
    mine, st = vf.apply(mid, me)
    eq(st, "waiting")
    q1, st = vf.apply(mid, first)
    eq(st, "queued")
    q2, st = vf.apply(mid, second)
    eq(st, "queued")
    # Another of my applications, validated, on a mission without a queue.
    mid2, _ = vf.make_mission(org, places=2)
    done, _ = vf.apply(mid2, me)
    psql("SELECT application_change(:'p1', 'waiting', 'validated', NULL)",
         done)
    eq(places_taken(mid2), 1)
    delete(me)
    eq(app_row(mine), None, "my application went with me")
    eq(app_row(q1), ("waiting", "", "t"), "the first was promoted")
    eq(app_row(q2), ("queued", "", "f"), "the second still waits")
    eq(places_taken(mid), 1)
    eq(places_taken(mid2), 0, "the validated place was given back")
    eq(promoted_mails(first), 1, "the promoted volunteer is mailed")
    eq(promoted_mails(second), 0)
    body = psql_value("SELECT body_text FROM outbox WHERE to_addr = :'p1' "
                      "ORDER BY id DESC LIMIT 1", first.email)
    contains(body, psql_value("SELECT title FROM missions WHERE id = "
                              ":'p1'", mid))
    contains(body, "/applications/%d" % q1)
    not_contains(body, me.email)
    not_contains(body, me.last)


@test
def deletion_cancels_with_reason_account_deleted_before_the_row_goes():
    # The cancellation is recorded (trace kept by a trigger of this test)
    # with the contract's reason, through application_change.
    me = Person()
    org, _, _ = vf.make_org()
    mid, _ = vf.make_mission(org, places=2)
    app, _ = vf.apply(mid, me)
    psql("CREATE TABLE IF NOT EXISTS test_export_trace (id bigint, "
         "status text, reason text)")
    psql("CREATE OR REPLACE FUNCTION test_export_trace() RETURNS trigger "
         "LANGUAGE plpgsql AS $$ BEGIN INSERT INTO test_export_trace "
         "VALUES (NEW.id, NEW.status, NEW.reason); RETURN NULL; END $$")
    psql("DROP TRIGGER IF EXISTS test_export_trace ON applications")
    psql("CREATE TRIGGER test_export_trace AFTER UPDATE OF status ON "
         "applications FOR EACH ROW EXECUTE FUNCTION test_export_trace()")
    try:
        delete(me)
    finally:
        psql("DROP TRIGGER IF EXISTS test_export_trace ON applications")
    eq(psql("SELECT status, reason FROM test_export_trace WHERE id = "
            ":'p1'", app), [("cancelled", "account_deleted")])


@test
def deletion_removes_a_lone_draft_organisation_only():
    alone, shared, owner, co = Person(), Person(), Person(), Person()
    draft, _, _ = vf.make_org(alone, status="draft")
    kept, _, _ = vf.make_org(alone)                 # validated: kept
    draft2, _, _ = vf.make_org(shared, status="draft")
    psql("INSERT INTO organisation_managers (organisation_id, user_id) "
         "VALUES (:'p1', :'p2')", draft2, co.id)
    delete(alone)
    delete(shared)
    exists = "SELECT count(*) FROM organisations WHERE id = :'p1'"
    eq(psql_value(exists, draft), "0", "the lone draft is deleted")
    eq(psql_value(exists, kept), "1", "a validated organisation stays")
    eq(psql_value(exists, draft2), "1", "a draft with another manager stays")
    eq(psql_value("SELECT coalesce(created_by::text, 'null') FROM "
                  "organisations WHERE id = :'p1'", draft2), "null")
    eq(psql_value("SELECT string_agg(user_id::text, ',') FROM "
                  "organisation_managers WHERE organisation_id = :'p1'",
                  draft2), str(co.id))


@test
def deletion_keeps_the_managers_messages_in_others_threads_without_author():
    manager, volunteer = Person(), Person()
    org, _, _ = vf.make_org(manager)
    mid, _ = vf.make_mission(org)
    theirs, _ = vf.apply(mid, volunteer)
    body = "Merci pour votre candidature " + word(6)
    add_message(theirs, manager, "organisation", body)
    add_message(theirs, volunteer, "volunteer", "Avec plaisir " + word(6))
    # The manager's own application elsewhere, with its thread.
    org2, _, _ = vf.make_org()
    mid2, _ = vf.make_mission(org2)
    mine, _ = vf.apply(mid2, manager)
    add_message(mine, manager, "volunteer", "Ma question " + word(6))
    delete(manager)
    eq(psql("SELECT coalesce(author_id::text, 'null'), side FROM "
            "application_messages WHERE application_id = :'p1' AND body = "
            ":'p2'", theirs, body), [("null", "organisation")])
    eq(psql_value("SELECT count(*) FROM application_messages WHERE "
                  "application_id = :'p1'", theirs), "2")
    eq(app_row(theirs), ("waiting", "", "f"), "their application untouched")
    eq(psql_value("SELECT count(*) FROM application_messages WHERE "
                  "application_id = :'p1'", mine), "0")
    # The volunteer's export shows the message, from nobody.
    _, d = export_json(volunteer.client())
    one(d["messages"], "the deleted manager's message", body=body,
        author=None, mine=False)


@test(slow=True)
def simultaneous_deletions_promote_each_waiting_volunteer_once():
    n = 12
    org, _, _ = vf.make_org()
    mid, _ = vf.make_mission(org, places=n)
    leaving = [Person() for _ in range(n)]
    queued = [Person() for _ in range(n + 2)]
    for p in leaving:
        eq(vf.apply(mid, p)[1], "waiting")
    qids = [vf.apply(mid, p)[0] for p in queued]
    eq(places_taken(mid), n)
    ready = []
    for p in leaving:
        c = p.client()
        ready.append((p, c, status(c.get("/account/delete"), 200)))

    def go(item):
        p, c, page = item
        return submit_page(c, page, {"reason": "time", "confirm": "1"},
                           "/account/delete").status

    with concurrent.futures.ThreadPoolExecutor(n) as ex:
        codes = list(ex.map(go, ready))
    eq(codes, [303] * n)
    eq(places_taken(mid), n, "every freed place was taken again")
    states = [app_row(q)[0] for q in qids]
    eq(states, ["waiting"] * n + ["queued"] * 2, "first come first served")
    eq([promoted_mails(p) for p in queued], [1] * n + [0, 0],
       "one mail per promoted volunteer")
    eq(psql_value("SELECT count(*) FROM applications WHERE mission_id = "
                  ":'p1'", mid), str(n + 2))
