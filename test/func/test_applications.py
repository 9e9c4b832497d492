# SPDX-License-Identifier: MIT
"""Volunteer applications (issue 11, part C): applying and the waiting
list, places under concurrency (one member 50 times at once, 200 members
on 20 places, the same per time slot), the states of an application by
role with their mails, the promotion mail, threads (the organisation's
first reply, one mail an hour per side), /account/missions, and the
managers' list, bulk changes and CSV; forged ids in every form.

Organisations and missions are rows (vol_fixtures); members are rows
with a session written into Redis as the login would (hashing 200
passwords would only time Argon2id); every request goes through the
workers, FastCGI or nginx."""

import csv
import html
import io
import secrets
import threading
import time

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import stackctl as sc
import vol_fixtures as vf

MOTIVATION = "Je souhaite aider, j'ai du temps libre le week-end."


# -- fixtures ----------------------------------------------------------------

class Member:
    """A confirmed member (a row) and a browser with its session."""

    def __init__(self, row=None, transport="fcgi"):
        if row is None:
            p = vf.Person()
            row = (p.id, p.email, p.first, p.last, p.phone)
        self.id, self.email, self.first, self.last, self.phone = row
        self.id = int(self.id)
        self.transport = transport
        self._c = None

    def client(self):
        if self._c is None:
            self._c = session_client(self.id, self.transport)
        return self._c


def session_client(uid, transport="fcgi"):
    """A browser holding a session of member uid (the rows the login
    writes: sess:<sid> and usess:<uid>)."""
    sid = secrets.token_urlsafe(32)
    # (as after the login, and for an admin after the second factor:
    # issue 13's "mfa")
    redis_cli("HSET", "sess:" + sid, "uid", str(uid), "created",
              str(int(time.time())), "mfa", "1")
    redis_cli("EXPIRE", "sess:" + sid, "3600")
    redis_cli("SADD", "usess:%d" % uid, sid)
    c = Client(transport, client_ip=sc.random_client_ip()) \
        if transport == "http" else Client("fcgi")
    c.set_cookie("sid", sid)
    return c


def members(n):
    """n confirmed members, inserted in one statement."""
    tag = secrets.token_hex(4)
    rows = psql(
        "INSERT INTO users (email, password_hash, first_name, last_name, "
        "gender, birth_date, phone, postal_code, country, city_insee, "
        "city_name, role, status, charter_accepted_at, activated_at) "
        "SELECT 'vol-' || :'p1' || '-' || i || '@example.org', 'x', "
        "'Prénom' || i, 'Nom' || :'p1' || i, 'female', '1990-01-01', "
        "'06 12 34 56 ' || lpad((i % 100)::text, 2, '0'), '69001', 'FR', "
        "'69381', 'Lyon', 'member', 'active', now(), now() "
        "FROM generate_series(1, :'p2'::int) i "
        "RETURNING id, email, first_name, last_name, phone", tag, n)
    return [Member(tuple(r)) for r in rows]


def mission(places=2, **kw):
    """(org id, org slug, manager Member, mission id, mission slug)."""
    mgr = Member()
    oid, oslug, _ = vf.make_org(manager=_person(mgr))
    mid, mslug = vf.make_mission(oid, places=places, **kw)
    return oid, oslug, mgr, mid, mslug


def _person(m):
    """The vol_fixtures view of a Member (id only is used)."""
    class P:
        pass
    p = P()
    p.id = m.id
    return p


def apply_form(c, slug, **fields):
    data = {"motivation": MOTIVATION}
    data.update(fields)
    return c.submit("/missions/%s/apply" % slug, data,
                    form_selector="#apply-form")


def text_of(resp):
    """The text of a page, entities decoded."""
    return html.unescape(resp.text)


def app_status(aid):
    return psql_value("SELECT status FROM applications WHERE id = :'p1'",
                      aid)


def statuses(mid):
    rows = psql("SELECT status, count(*) FROM applications WHERE "
                "mission_id = :'p1' GROUP BY status", mid)
    return {s: int(n) for s, n in rows}


def app_id_of(resp):
    redirects(resp)
    matches(resp.location, r"/applications/\d+$")
    return int(resp.location.rsplit("/", 1)[1])


def outbox_to(email, subject=None):
    return int(psql_value(
        "SELECT count(*) FROM outbox WHERE to_addr = :'p1' AND "
        "(:'p2' = '' OR subject LIKE '%' || :'p2' || '%')", email,
        subject or ""))


def post_fields(c, url, fields, page_url):
    """POST fields with the CSRF token of page_url."""
    token = csrf_of(c.get(page_url))
    return c.post(url, [("_csrf", token)] + list(fields.items()))


def concurrently(n, fn):
    barrier = threading.Barrier(n)
    out = [None] * n

    def go(i):
        barrier.wait()
        out[i] = fn(i)
    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


# -- applying ----------------------------------------------------------------

@test
def applying_creates_a_waiting_application_and_mails_both_sides():
    oid, oslug, mgr, mid, mslug = mission(places=3)
    vol = Member()
    page = vol.client().get("/missions/%s/apply" % mslug)
    status(page, 200)
    contains(page, "3 place(s) restante(s) sur 3")
    resp = apply_form(vol.client(), mslug)
    aid = app_id_of(resp)
    eq(app_status(aid), "waiting")
    eq(psql_value("SELECT places_taken FROM missions WHERE id = :'p1'",
                  mid), "1")
    msg = wait_mail(vol.email, "Candidature envoyée")
    contains(mail_text(msg), "/applications/%d" % aid)
    msg = wait_mail(mgr.email, "Nouvelle candidature")
    text = mail_text(msg)
    contains(text, "%s %s." % (vol.first, vol.last[0]))
    contains(text, MOTIVATION)
    not_contains(text, vol.email)
    not_contains(text, vol.phone)
    page = vol.client().get("/applications/%d" % aid)
    status(page, 200)
    contains(page, "Votre candidature est envoyée")
    contains(page, "En attente de validation")
    page = vol.client().get("/account/missions")
    contains(page, "/applications/%d" % aid)


@test
def a_wrong_form_comes_back_with_the_values_and_a_message_at_each_field():
    oid, oslug, mgr, mid, mslug = mission(
        places=3, prerequisites=("Avoir le permis B", "Être disponible"))
    vf.add_slot(mid, 2)
    vol = Member()
    resp = apply_form(vol.client(), mslug, motivation="Trop court")
    status(resp, 422)
    errors = field_errors(resp.text)
    contains(errors.get("motivation", ""), "au moins 20 caractères")
    contains(resp, "Trop court")
    contains(resp, 'id="error-prereq_1"')
    contains(resp, 'id="error-prereq_2"')
    contains(resp, "Veuillez choisir un créneau.")
    eq(statuses(mid), {})
    # one prerequisite confirmed only
    resp = apply_form(vol.client(), mslug, prereq_1="1")
    status(resp, 422)
    not_contains(resp, 'id="error-prereq_1"')
    contains(resp, 'id="error-prereq_2"')
    eq(statuses(mid), {})


@test
def a_slot_of_another_mission_is_refused():
    _, _, _, mid, mslug = mission(places=3)
    vf.add_slot(mid, 2)
    _, _, _, other_mid, _ = mission(places=3)
    foreign = vf.add_slot(other_mid, 2)
    vol = Member()
    c = vol.client()
    resp = post_fields(c, "/missions/%s/apply" % mslug,
                       {"motivation": MOTIVATION, "slot": str(foreign)},
                       "/missions/%s/apply" % mslug)
    status(resp, 422)
    contains(text_of(resp), "Ce créneau n'existe pas pour cette mission.")
    eq(statuses(mid), {})
    eq(statuses(other_mid), {})


@test
def a_second_active_application_is_refused():
    _, _, _, mid, mslug = mission(places=3)
    vol = Member()
    app_id_of(apply_form(vol.client(), mslug))
    resp = apply_form(vol.client(), mslug)
    status(resp, 409)
    contains(resp, "déjà une candidature en cours")
    eq(statuses(mid), {"waiting": 1})


@test
def a_manager_cannot_apply_to_a_mission_of_their_organisation():
    _, _, mgr, mid, mslug = mission()
    status(mgr.client().get("/missions/%s/apply" % mslug), 403)
    # the POST, forged without the form
    c = mgr.client()
    resp = c.post("/missions/%s/apply" % mslug, {
        "_csrf": csrf_of(c.get("/account")), "motivation": MOTIVATION})
    status(resp, 403)
    eq(statuses(mid), {})
    # and SQL refuses it too (application_apply's own check)
    eq(vf.apply(mid, _person(mgr))[1], "own")


@test
def a_mission_that_is_not_online_takes_no_application():
    oid, oslug, mgr, _, _ = mission()
    _, pending = vf.make_mission(oid, status="pending")
    vol = Member()
    status(vol.client().get("/missions/%s/apply" % pending), 404)
    status(vol.client().get("/missions/nope-%s/apply" % vf.word(6)), 404)
    # an organisation no longer validated takes its missions offline
    _, _, _, mid, mslug = mission()
    oid2 = psql_value("SELECT organisation_id FROM missions WHERE id = "
                      ":'p1'", mid)
    psql("UPDATE organisations SET status = 'reported' WHERE id = :'p1'",
         oid2)
    status(vol.client().get("/missions/%s/apply" % mslug), 404)
    ref = Member(transport="fcgi")
    psql("INSERT INTO referent_areas (user_id, departement) VALUES "
         "(:'p1', '69')", ref.id)
    resp = ref.client().get("/missions/%s/apply" % mslug)
    status(resp, 409)
    contains(resp, "ne prend pas de candidature")


@test
def a_mission_that_has_ended_takes_no_application():
    _, _, _, mid, mslug = mission()
    psql("UPDATE missions SET starts_at = now() - interval '3 days', "
         "ends_at = now() - interval '1 day' WHERE id = :'p1'", mid)
    vol = Member()
    resp = vol.client().get("/missions/%s/apply" % mslug)
    status(resp, 409)
    contains(resp, "Cette mission est terminée")
    eq(vf.apply(mid, vol)[1], "closed")


@test
def a_member_younger_than_the_minimum_age_is_refused():
    _, _, _, mid, mslug = mission(min_age=18)
    vol = Member()
    psql("UPDATE users SET birth_date = (now() - interval '17 years')::date"
         " WHERE id = :'p1'", vol.id)
    resp = apply_form(vol.client(), mslug)
    status(resp, 403)
    contains(resp, "à partir de 18 ans")
    eq(statuses(mid), {})


@test
def a_full_mission_offers_its_waiting_list():
    _, _, mgr, mid, mslug = mission(places=1)
    first, second = Member(), Member()
    app_id_of(apply_form(first.client(), mslug))
    page = second.client().get("/missions/%s/apply" % mslug)
    contains(page, "Complet")
    # without ticking the waiting list: nothing stored, the list offered
    resp = apply_form(second.client(), mslug, waitlist=None)
    status(resp, 409)
    contains(text_of(resp), "Il n'y a plus de place")
    form = find_form(resp.text, "#apply-form")
    ok(any(f["name"] == "waitlist" and f.get("checked")
           for f in form.fields), "the waiting list is offered, ticked")
    eq(statuses(mid), {"waiting": 1})
    resp = submit_page(second.client(), resp, selector="#apply-form",
                       url="/missions/%s/apply" % mslug)
    aid = app_id_of(resp)
    eq(app_status(aid), "queued")
    wait_mail(second.email, "Liste d'attente")
    eq(outbox_to(mgr.email, "Nouvelle candidature"), 1,
       "managers are told of applications that take a place")


# -- concurrency -------------------------------------------------------------

@test(slow=True)
def fifty_identical_simultaneous_applications_make_one_row():
    _, _, _, mid, mslug = mission(places=5)
    vol = Member()
    base = vol.client()
    token = csrf_of(base.get("/missions/%s/apply" % mslug))
    cookies = base.cookies
    clients = []
    for _ in range(50):
        c = Client("fcgi")
        for k, v in cookies.items():
            c.set_cookie(k, v)
        clients.append(c)
    answers = concurrently(50, lambda i: clients[i].post(
        "/missions/%s/apply" % mslug,
        {"_csrf": token, "motivation": MOTIVATION}).status)
    eq(sorted(set(answers)), [303, 409])
    eq(answers.count(303), 1)
    eq(int(psql_value("SELECT count(*) FROM applications WHERE "
                      "mission_id = :'p1'", mid)), 1)
    eq(psql_value("SELECT places_taken FROM missions WHERE id = :'p1'",
                  mid), "1")


def _crowd(mslug, people, slot=None, waitlist="1"):
    clients = [p.client() for p in people]
    tokens = [csrf_of(c.get("/missions/%s/apply" % mslug))
              for c in clients]

    def go(i):
        f = {"_csrf": tokens[i], "motivation": MOTIVATION}
        if waitlist:
            f["waitlist"] = waitlist
        if slot:
            f["slot"] = str(slot)
        return clients[i].post("/missions/%s/apply" % mslug, f).status
    return concurrently(len(people), go)


@test(slow=True)
def two_hundred_members_at_once_on_twenty_places():
    _, _, _, mid, mslug = mission(places=20)
    crowd = members(200)
    answers = _crowd(mslug, crowd)
    eq(sorted(set(answers)), [303], "every answer")
    eq(statuses(mid), {"waiting": 20, "queued": 180})
    eq(psql_value("SELECT places_taken FROM missions WHERE id = :'p1'",
                  mid), "20")


@test(slow=True)
def without_the_waiting_list_a_crowd_gets_the_places_and_nothing_more():
    _, _, _, mid, mslug = mission(places=10)
    answers = _crowd(mslug, members(60), waitlist=None)
    eq(answers.count(303), 10)
    eq(answers.count(409), 50)
    eq(statuses(mid), {"waiting": 10})


@test(slow=True)
def a_time_slot_holds_its_capacity_under_a_crowd():
    _, _, _, mid, mslug = mission(places=500)
    a = vf.add_slot(mid, 15)
    b = vf.add_slot(mid, 15, day=3)
    answers = _crowd(mslug, members(120), slot=a)
    eq(sorted(set(answers)), [303])
    rows = psql("SELECT status, count(*) FROM applications WHERE "
                "slot_id = :'p1' GROUP BY status", a)
    eq({s: int(n) for s, n in rows}, {"waiting": 15, "queued": 105})
    eq(psql_value("SELECT taken FROM mission_slots WHERE id = :'p1'", a),
       "15")
    eq(psql_value("SELECT taken FROM mission_slots WHERE id = :'p1'", b),
       "0")
    eq(psql_value("SELECT places_taken FROM missions WHERE id = :'p1'",
                  mid), "15")
    # the other slot still takes people
    late = Member()
    resp = apply_form(late.client(), mslug, slot=str(b))
    eq(app_status(app_id_of(resp)), "waiting")


@test
def through_nginx_applying_keeps_the_places():
    _, _, _, mid, mslug = mission(places=3)
    crowd = [Member(transport="http") for _ in range(12)]
    answers = _crowd(mslug, crowd)
    eq(sorted(set(answers)), [303])
    eq(statuses(mid), {"waiting": 3, "queued": 9})
    page = crowd[0].client().get("/missions/%s/apply" % mslug)
    status(page, 200)
    ne(page.headers.get("X-Page-Cache"), "HIT")
    ok("no-store" in (page.headers.get("Cache-Control") or "") or
       "private" in (page.headers.get("Cache-Control") or ""),
       "a page with places left is not cached: %s" %
       page.headers.get("Cache-Control"))


# -- states ------------------------------------------------------------------

def change(c, aid, action, reason=None):
    f = {"action": action}
    if reason is not None:
        f["reason"] = reason
    return post_fields(c, "/applications/%d/state" % aid, f,
                       "/applications/%d" % aid)


@test
def refusing_frees_the_place_and_promotes_the_first_of_the_waiting_list():
    _, _, mgr, mid, mslug = mission(places=2)
    a, b, c = Member(), Member(), Member()
    ida = app_id_of(apply_form(a.client(), mslug))
    app_id_of(apply_form(b.client(), mslug))
    idc = app_id_of(apply_form(c.client(), mslug, waitlist="1"))
    eq(app_status(idc), "queued")
    page = mgr.client().get("/applications/%d" % ida)
    status(page, 200)
    contains(page, "%s %s." % (a.first, a.last[0]))
    not_contains(page, a.email)
    not_contains(page, a.phone)
    resp = change(mgr.client(), ida, "refuse", "requirements_not_fulfilled")
    redirects(resp, "/applications/%d" % ida)
    eq(app_status(ida), "refused")
    eq(app_status(idc), "waiting")
    eq(psql_value("SELECT promoted_at IS NOT NULL FROM applications "
                  "WHERE id = :'p1'", idc), "t")
    text = mail_text(wait_mail(a.email, "Candidature non retenue"))
    contains(text, "Les prérequis ne sont pas remplis")
    text = mail_text(wait_mail(c.email, "Une place s'est libérée"))
    contains(text, "/applications/%d" % idc)


@test
def the_state_table_decides_who_may_change_what():
    _, _, mgr, mid, mslug = mission(places=3)
    vol = Member()
    aid = app_id_of(apply_form(vol.client(), mslug))
    # forged action names
    status(change(mgr.client(), aid, "delete"), 400)
    status(change(mgr.client(), aid, "withdraw", "other"), 403,
           "the platform's")
    # the volunteer cannot validate; the manager cannot cancel for them
    status(change(vol.client(), aid, "validate"), 403)
    status(change(mgr.client(), aid, "cancel", "other"), 403)
    # a reason is required, from the list
    resp = change(mgr.client(), aid, "refuse")
    status(resp, 422)
    contains(resp, "Veuillez choisir une raison")
    status(change(mgr.client(), aid, "refuse", "account_deleted"), 422)
    status(change(mgr.client(), aid, "refuse", "not_available"), 422)
    eq(app_status(aid), "waiting")
    redirects(change(mgr.client(), aid, "validate"))
    eq(app_status(aid), "validated")
    wait_mail(vol.email, "Candidature validée")
    status(change(mgr.client(), aid, "validate"), 409, "not now")
    status(change(mgr.client(), aid, "refuse", "other"), 409)
    # the volunteer may still cancel a validated application
    redirects(change(vol.client(), aid, "cancel", "not_available"))
    eq(app_status(aid), "cancelled")
    text = mail_text(wait_mail(mgr.email, "Candidature annulée par le "
                                          "bénévole"))
    contains(text, "Je ne suis plus disponible")
    status(change(vol.client(), aid, "cancel", "other"), 409)
    eq(psql_value("SELECT places_taken FROM missions WHERE id = :'p1'",
                  mid), "0")


@test
def two_simultaneous_changes_of_one_application_make_one():
    _, _, mgr, mid, mslug = mission(places=3)
    second = Member()
    oid = psql_value("SELECT organisation_id FROM missions WHERE id = "
                     ":'p1'", mid)
    psql("INSERT INTO organisation_managers (organisation_id, user_id) "
         "VALUES (:'p1', :'p2')", oid, second.id)
    for _ in range(3):
        vol = Member()
        aid = app_id_of(apply_form(vol.client(), mslug))
        c1, c2 = mgr.client(), second.client()
        t1 = csrf_of(c1.get("/applications/%d" % aid))
        t2 = csrf_of(c2.get("/applications/%d" % aid))
        answers = concurrently(2, lambda i: (c1, c2)[i].post(
            "/applications/%d/state" % aid,
            {"_csrf": (t1, t2)[i], "action": ("validate", "refuse")[i],
             "reason": "other"}).status)
        eq(sorted(answers), [303, 409])
        ok(app_status(aid) in ("validated", "refused"))
        eq(int(psql_value("SELECT count(*) FROM outbox WHERE to_addr = "
                          ":'p1' AND (subject LIKE 'Candidature validée%' "
                          "OR subject LIKE 'Candidature non retenue%')",
                          vol.email)), 1, "one mail")


# -- threads -----------------------------------------------------------------

def say(c, aid, body):
    return post_fields(c, "/applications/%d/messages" % aid,
                       {"body": body}, "/applications/%d" % aid)


@test
def the_first_reply_of_the_organisation_puts_the_application_in_progress():
    _, _, mgr, mid, mslug = mission(places=3)
    vol = Member()
    aid = app_id_of(apply_form(vol.client(), mslug))
    redirects(say(vol.client(), aid, "Bonjour, une question sur l'horaire."))
    eq(app_status(aid), "waiting", "the volunteer's message changes nothing")
    text = mail_text(wait_mail(mgr.email, "Nouveau message d'un bénévole"))
    contains(text, "une question sur l'horaire")
    not_contains(text, vol.email)
    redirects(say(mgr.client(), aid, "Bonjour, rendez-vous à 9 h."))
    eq(app_status(aid), "in_progress")
    text = mail_text(wait_mail(vol.email, "Candidature en cours de "
                                          "traitement"))
    contains(text, "rendez-vous à 9 h")
    not_contains(text, mgr.email)
    page = vol.client().get("/applications/%d" % aid)
    contains(page, "En cours de traitement")
    contains(page, "%s %s." % (mgr.first, mgr.last[0]))
    contains(page, "rendez-vous à 9 h")
    not_contains(page, mgr.email)
    page = mgr.client().get("/applications/%d" % aid)
    not_contains(page, vol.email)
    not_contains(page, vol.phone)


@test
def a_thread_mails_each_side_at_most_once_an_hour():
    _, _, mgr, mid, mslug = mission(places=3)
    vol = Member()
    aid = app_id_of(apply_form(vol.client(), mslug))
    redirects(say(mgr.client(), aid, "Premier message de l'organisation."))
    for i in range(3):
        redirects(say(vol.client(), aid, "Message %d du bénévole." % i))
        redirects(say(mgr.client(), aid, "Réponse %d." % i))
    eq(outbox_to(mgr.email, "Nouveau message"), 1)
    eq(outbox_to(vol.email, "Nouveau message") +
       outbox_to(vol.email, "en cours de traitement"), 1)
    eq(int(psql_value("SELECT count(*) FROM application_messages WHERE "
                      "application_id = :'p1'", aid)), 7)
    # an hour later, the next message mails again
    psql("UPDATE application_thread_mail SET mailed_at = now() - "
         "interval '61 minutes' WHERE application_id = :'p1'", aid)
    redirects(say(vol.client(), aid, "Encore moi, une heure après."))
    eq(outbox_to(mgr.email, "Nouveau message"), 2)


@test(slow=True)
def simultaneous_messages_mail_the_other_side_once():
    _, _, mgr, mid, mslug = mission(places=3)
    vol = Member()
    aid = app_id_of(apply_form(vol.client(), mslug))
    c = vol.client()
    token = csrf_of(c.get("/applications/%d" % aid))
    cookies = c.cookies
    clients = []
    for _ in range(20):
        k = Client("fcgi")
        for n, v in cookies.items():
            k.set_cookie(n, v)
        clients.append(k)
    answers = concurrently(20, lambda i: clients[i].post(
        "/applications/%d/messages" % aid,
        {"_csrf": token, "body": "Message simultané %d" % i}).status)
    eq(sorted(set(answers)), [303])
    eq(outbox_to(mgr.email, "Nouveau message"), 1)


@test
def a_message_form_with_errors_comes_back():
    _, _, mgr, mid, mslug = mission(places=3)
    vol = Member()
    aid = app_id_of(apply_form(vol.client(), mslug))
    resp = say(vol.client(), aid, "")
    status(resp, 422)
    contains(resp, "Veuillez écrire votre message.")
    resp = say(vol.client(), aid, "x" * 5001)
    status(resp, 422)
    contains(resp, "au plus 5 000 caractères")


# -- authorisation -----------------------------------------------------------

@test
def nobody_else_sees_or_touches_an_application():
    oid, oslug, mgr, mid, mslug = mission(places=3)
    vol = Member()
    aid = app_id_of(apply_form(vol.client(), mslug))
    o2, o2slug, other_mgr, _, _ = mission()
    stranger = Member()
    for who in (other_mgr, stranger):
        c = who.client()
        status(c.get("/applications/%d" % aid), 404)
        token = csrf_of(c.get("/account"))
        status(c.post("/applications/%d/messages" % aid,
                      {"_csrf": token, "body": "Intrus"}), 404)
        status(c.post("/applications/%d/state" % aid,
                      {"_csrf": token, "action": "validate"}), 404)
        status(c.get("/organisations/%s/applications" % oslug), 403)
        status(c.get("/organisations/%s/applications.csv" % oslug), 403)
        status(c.post("/organisations/%s/applications/bulk" % oslug,
                      {"_csrf": token, "action": "validate",
                       "app_%d" % aid: "1"}), 403)
    status(Client("fcgi").get("/applications/%d" % aid), 303)
    eq(app_status(aid), "waiting")
    eq(int(psql_value("SELECT count(*) FROM application_messages WHERE "
                      "application_id = :'p1'", aid)), 0)
    # the other organisation's manager, on their own list, with this id
    c = other_mgr.client()
    token = csrf_of(c.get("/organisations/%s/applications" % o2slug))
    resp = c.post("/organisations/%s/applications/bulk" % o2slug,
                  {"_csrf": token, "action": "validate",
                   "app_%d" % aid: "1"})
    redirects(resp, "/organisations/%s/applications" % o2slug)
    eq(app_status(aid), "waiting", "a forged id changes nothing")
    contains(c.get("/organisations/%s/applications" % o2slug),
             "Ignorées : 1")
    status(c.get("/applications/abc"), 404)
    status(c.get("/applications/99999999999"), 404)


@test
def referents_of_the_departement_read_and_do_not_write():
    _, oslug, mgr, mid, mslug = mission(places=3)
    vol = Member()
    aid = app_id_of(apply_form(vol.client(), mslug))
    ref = Member()
    psql("INSERT INTO referent_areas (user_id, departement) VALUES "
         "(:'p1', '69')", ref.id)
    far = Member()
    psql("INSERT INTO referent_areas (user_id, departement) VALUES "
         "(:'p1', '75')", far.id)
    c = ref.client()
    page = c.get("/applications/%d" % aid)
    status(page, 200)
    not_contains(page, 'action="/applications/%d/state"' % aid)
    not_contains(page, 'id="message-form"')
    token = csrf_of(c.get("/account"))
    status(c.post("/applications/%d/messages" % aid,
                  {"_csrf": token, "body": "Bonjour"}), 403)
    status(c.post("/applications/%d/state" % aid,
                  {"_csrf": token, "action": "validate"}), 403)
    status(far.client().get("/applications/%d" % aid), 404)
    eq(app_status(aid), "waiting")


# -- managers' list, bulk, CSV ----------------------------------------------

@test
def an_admin_reads_the_list_and_does_not_act_in_bulk():
    oid, oslug, mgr, mid, mslug = mission(places=3)
    vol = Member()
    aid = app_id_of(apply_form(vol.client(), mslug))
    p = vf.Person(admin=True)
    admin = Member((p.id, p.email, p.first, p.last, p.phone))
    c = admin.client()
    page = c.get("/organisations/%s/applications" % oslug)
    status(page, 200)
    contains(page, "/applications/%d" % aid)
    not_contains(page, 'name="app_%d"' % aid)
    status(c.post("/organisations/%s/applications/bulk" % oslug,
                  {"_csrf": csrf_of(c.get("/account")), "action": "validate",
                   "app_%d" % aid: "1"}), 403)
    eq(app_status(aid), "waiting")



@test
def the_managers_list_filters_by_state_to_process_and_mission():
    oid, oslug, mgr, mid, mslug = mission(places=2)
    mid2, mslug2 = vf.make_mission(oid, places=5, title="Autre mission " +
                                   vf.word(5))
    a, b, c, d = Member(), Member(), Member(), Member()
    ida = app_id_of(apply_form(a.client(), mslug))
    idb = app_id_of(apply_form(b.client(), mslug))
    idc = app_id_of(apply_form(c.client(), mslug, waitlist="1"))
    idd = app_id_of(apply_form(d.client(), mslug2))
    psql("UPDATE applications SET status_at = now() - interval '8 days', "
         "created_at = now() - interval '8 days' WHERE id = :'p1'", ida)
    base = "/organisations/%s/applications" % oslug
    m = mgr.client()
    page = m.get(base)
    status(page, 200)
    for who in (a, b, c, d):
        contains(page, "%s %s." % (who.first, who.last[0]))
        not_contains(page, who.email)
        not_contains(page, who.phone)
    contains(text_of(page), "Liste d'attente (1)")
    contains(page, "À traiter (plus de 7 jours) (1)")
    page = m.get(base + "?todo=1")
    contains(page, 'name="app_%d"' % ida)
    not_contains(page, 'name="app_%d"' % idb)
    page = m.get(base + "?state=queued")
    contains(page, "/applications/%d" % idc)
    not_contains(page, "/applications/%d" % ida)
    page = m.get(base + "?mission=" + mslug2)
    contains(page, "/applications/%d" % idd)
    not_contains(page, "/applications/%d" % ida)
    status(m.get(base + "?state=bogus"), 400)
    status(m.get(base + "?todo=yes"), 400)
    status(m.get(base + "?page=x"), 400)
    status(m.get(base + "?page=9"), 404)


@test
def bulk_validate_and_refuse_with_mails():
    oid, oslug, mgr, mid, mslug = mission(places=5)
    vols = [Member() for _ in range(4)]
    ids = [app_id_of(apply_form(v.client(), mslug)) for v in vols]
    base = "/organisations/%s/applications" % oslug
    m = mgr.client()
    resp = m.submit(base, {"action": "validate", "app_%d" % ids[0]: "1",
                           "app_%d" % ids[1]: "1"}, form_selector="#bulk-form")
    redirects(resp, base)
    eq([app_status(i) for i in ids], ["validated", "validated", "waiting",
                                      "waiting"])
    contains(m.get(base), "Candidatures validées : 2.")
    wait_mail(vols[0].email, "Candidature validée")
    # refuse needs a reason
    resp = m.submit(base, {"action": "refuse", "app_%d" % ids[2]: "1"},
                    form_selector="#bulk-form")
    status(resp, 422)
    eq(app_status(ids[2]), "waiting")
    resp = m.submit(base, {"action": "refuse", "reason": "no_response",
                           "app_%d" % ids[2]: "1", "app_%d" % ids[3]: "1"},
                    form_selector="#bulk-form")
    redirects(resp, base)
    eq(app_status(ids[2]), "refused")
    eq(psql_value("SELECT reason FROM applications WHERE id = :'p1'",
                  ids[3]), "no_response")
    wait_mail(vols[3].email, "Candidature non retenue")
    token = csrf_of(m.get(base))
    status(m.post(base + "/bulk", {"_csrf": token, "action": "cancel",
                                   "app_%d" % ids[2]: "1"}), 422)
    status(m.post(base + "/bulk", {"_csrf": token, "action": "validate"}),
           422)


@test
def the_csv_has_names_and_states_and_no_address_or_phone():
    oid, oslug, mgr, mid, mslug = mission(places=3)
    vols = [Member() for _ in range(2)]
    for v in vols:
        app_id_of(apply_form(v.client(), mslug))
    psql("UPDATE users SET first_name = '=cmd|calc' WHERE id = :'p1'",
         vols[1].id)
    resp = mgr.client().get("/organisations/%s/applications.csv" % oslug)
    status(resp, 200)
    contains(resp.headers.get("Content-Type"), "text/csv")
    ok(resp.body.startswith(b"\xef\xbb\xbf"), "a BOM")
    text = resp.body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    eq(rows[0], ["Numéro", "Prénom", "Nom (initiale)", "Mission", "Créneau",
                 "Statut", "Raison", "Candidature"])
    eq(len(rows), 3)
    eq(rows[1][1:3], [vols[0].first, vols[0].last[0]])
    eq(rows[2][1], "'=cmd|calc", "formula neutralised")
    eq(rows[1][5], "En attente de validation")
    for v in vols:
        not_contains(text, v.email)
        not_contains(text, v.phone)
    status(mgr.client().get("/organisations/%s/applications.csv?state=x"
                            % oslug), 400)


@test
def account_missions_lists_only_the_members_applications():
    _, _, _, mid, mslug = mission(places=3)
    a, b = Member(), Member()
    ida = app_id_of(apply_form(a.client(), mslug))
    idb = app_id_of(apply_form(b.client(), mslug))
    page = a.client().get("/account/missions")
    status(page, 200)
    contains(page, "/applications/%d" % ida)
    not_contains(page, "/applications/%d" % idb)
    redirects(Client("fcgi").get("/account/missions"))


@test(slow=True)
def postgresql_down_is_a_503_and_stores_nothing():
    _, _, _, mid, mslug = mission(places=3)
    vol = Member()
    c = vol.client()
    token = csrf_of(c.get("/missions/%s/apply" % mslug))
    try:
        sc.stop_postgres()
        resp = c.post("/missions/%s/apply" % mslug,
                      {"_csrf": token, "motivation": MOTIVATION})
        status(resp, 503)
    finally:
        sc.restore_stack()
    eq(statuses(mid), {})


# -- markup ------------------------------------------------------------------

@test(slow=True)
def every_page_of_applications_is_valid_html():
    """The Nu HTML checker (test_markup's) on each page, fresh and with
    errors."""
    import os
    import shutil
    import tempfile
    from test_markup import run_checker, describe
    oid, oslug, mgr, mid, mslug = mission(
        places=1, prerequisites=("Avoir le permis B",))
    vf.add_slot(mid, 1)
    a, b = Member(), Member()
    pages = [("apply, fresh", a.client().get("/missions/%s/apply" % mslug)),
             ("apply, errors", apply_form(a.client(), mslug, motivation="x"))]
    aid = app_id_of(apply_form(a.client(), mslug, prereq_1="1", slot=str(
        psql_value("SELECT id FROM mission_slots WHERE mission_id = :'p1'",
                   mid))))
    pages.append(("apply, full, waiting list offered", apply_form(
        b.client(), mslug, prereq_1="1", waitlist=None, slot=str(psql_value(
            "SELECT id FROM mission_slots WHERE mission_id = :'p1'", mid)))))
    say(a.client(), aid, "Une question <b>ici</b> & là.")
    pages += [("application, volunteer", a.client().get(
                   "/applications/%d" % aid)),
              ("application, manager", mgr.client().get(
                   "/applications/%d" % aid)),
              ("application, reason missing", change(mgr.client(), aid,
                                                     "refuse")),
              ("application, empty message", say(mgr.client(), aid, "")),
              ("account missions", a.client().get("/account/missions")),
              ("account missions, none", b.client().get("/account/missions")),
              ("organisation's applications", mgr.client().get(
                  "/organisations/%s/applications" % oslug)),
              ("organisation's applications, none", mgr.client().get(
                  "/organisations/%s/applications?state=refused" % oslug))]
    tmp = tempfile.mkdtemp(prefix="civitas-app-markup.")
    try:
        files = []
        for i, (label, resp) in enumerate(pages):
            ok(resp.status in (200, 409, 422), "%s: %s" % (label,
                                                           resp.status))
            path = os.path.join(tmp, "%02d.html" % i)
            with open(path, "wb") as fh:
                fh.write(resp.body)
            files.append(path)
        errors = run_checker(files)
        bad = ["%s:\n%s" % (label, "\n".join("    " + describe(m) for m in
                                             errors[path]))
               for (label, _), path in zip(pages, files) if errors[path]]
        eq(bad, [], "the checker's errors")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
