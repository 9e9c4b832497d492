# SPDX-License-Identifier: MIT
"""/invite: a member or a visitor invites up to 5 people to join
(app/features/invite.c on invitations.c): the mail and its opt-out link,
the 24-hour rule whoever invites, the form's checks (422, values kept,
French messages), the suppression list, 5 sends per session per hour, the
daily quota, and what is recorded (invite_sends, no address)."""

import concurrent.futures
import re
import secrets

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
from test_manage import password_hash, word


class Member:
    """An active member (a row), and a logged-in browser."""

    def __init__(self, first="Margaux", last="Lefèvre"):
        self.first, self.last = first, last
        self.email = unique_email("inviteur")
        self.id = int(psql_value(
            "INSERT INTO users (email, password_hash, first_name, "
            "last_name, gender, birth_date, address_street, postal_code, "
            "country, city_insee, city_name, role, status, "
            "charter_accepted_at, activated_at) VALUES (:'p1', :'p2', "
            ":'p3', :'p4', 'female', '1990-01-01', '1 rue X', '69001', "
            "'FR', '69381', 'Lyon', 'member', 'active', now(), now()) "
            "RETURNING id", self.email, password_hash(), first, last))
        self.client = Client("fcgi")
        login(self.client, self.email, PASSWORD)


def people(*pairs):
    """Form fields of (first name, e-mail) pairs, rows 1, 2..."""
    out = {}
    for i, (first, email) in enumerate(pairs, 1):
        out["first_name_%d" % i] = first
        out["email_%d" % i] = email
    return out


def send(client, fields, message="Rejoins-nous, c'est important !",
         name=None):
    f = dict(fields, message=message)
    if name is not None:
        f["inviter_name"] = name
    return client.submit("/invite", f, form_selector="/invite")


def notice(page):
    m = re.search(r'<p class="notice" role="status">([^<]*)</p>', page.text)
    return m.group(1) if m else ""


def member_notice(member):
    return notice(status(member.client.get("/invite"), 200))


def invite_sends(inviter_id=None):
    if inviter_id is None:
        return psql("SELECT sent, skipped FROM invite_sends "
                    "WHERE inviter_id IS NULL ORDER BY id")
    return psql("SELECT sent, skipped FROM invite_sends WHERE inviter_id "
                "= :'p1' ORDER BY id", inviter_id)


@test
def a_member_invites_two_people_who_get_the_mail_and_an_optout_link():
    m = Member(first="Margaux", last="Lefèvre")
    a, b = unique_email("ami"), unique_email("amie")
    resp = send(m.client, people(("Jules", a), ("Inès", b.upper())))
    redirects(resp, "/invite")
    eq(member_notice(m), "Invitations envoyées : 2.")
    for addr, first in ((a, "Jules"), (b, "Inès")):
        mail = wait_mail(addr, "Margaux L. vous invite à rejoindre")
        text = mail_text(mail)
        contains(text, "Bonjour %s," % first)
        contains(text, "Rejoins-nous, c'est important !")
        contains(text, base_url() + "/signup")
        not_contains(text, m.email)
        not_contains(text, "Lefèvre")
        optout = [u for u in links(mail) if "/optout/" in u]
        eq(len(optout), 1, "one opt-out link in %s" % links(mail))
        # The link is the address's: following it suppresses that address.
        c = Client("fcgi")
        page = status(c.get(path_of(optout[0])), 200)
        status(submit_page(c, page, url=path_of(optout[0])), 200)
        eq(psql_value("SELECT reason FROM suppressions WHERE email = "
                      ":'p1'", addr), "request")
    eq(psql("SELECT category FROM outbox WHERE to_addr IN (:'p1', :'p2')",
            a, b), [("invitation",), ("invitation",)])
    eq(invite_sends(m.id), [("2", "0")])
    # Nothing of the addresses in clear, anywhere but the outbox.
    dump = psql_value("SELECT string_agg(address_hash, ' ') FROM "
                      "invitation_addresses")
    not_contains(dump, a)
    not_contains(dump, b)


@test
def a_visitor_invites_with_their_name_and_gets_the_counts_on_the_page():
    c = Client("fcgi")
    page = status(c.get("/invite"), 200)
    contains(page, 'name="inviter_name"')
    a = unique_email("visite")
    before = len(invite_sends())
    resp = send(c, people(("Paul", a)), message="", name="Claire Dubois")
    status(resp, 200)
    eq(notice(resp), "Invitations envoyées : 1.")
    mail = wait_mail(a, "Claire Dubois vous invite à rejoindre")
    text = mail_text(mail)
    contains(text, "Bonjour Paul,")
    not_contains(text, "Son message")
    ok(any("/optout/" in u for u in links(mail)), "opt-out link")
    eq(invite_sends()[before:], [("1", "0")])
    # The visitor's name is required.
    resp = send(Client("fcgi"), people(("Paul", unique_email("x"))),
                name="")
    status(resp, 422)
    eq(field_errors(resp.text).get("inviter_name"),
       "Indiquez votre nom : il figure dans l'invitation.")


@test
def the_24_hour_rule_holds_across_two_inviters_and_says_only_counts():
    first, second = Member(), Member(first="Hugo", last="Martin")
    a, b = unique_email("ami"), unique_email("ami")
    redirects(send(first.client, people(("Léa", a))))
    redirects(send(second.client, people(("Léa", a), ("Tom", b))))
    eq(member_notice(second), "Invitations envoyées : 1. Non envoyées : 1 "
       "(ces personnes ont déjà été invitées dans les dernières 24 "
       "heures).")
    eq(outbox_count(a), 1)
    eq(outbox_count(b), 1)
    eq(invite_sends(second.id), [("1", "1")])
    # A visitor is held by the same rule, and an event invitation too
    # marks the address (the rule is shared).
    resp = send(Client("fcgi"), people(("Léa", a)), name="Inconnu Total")
    status(resp, 200)
    contains(notice(resp), "Non envoyées : 1")
    eq(outbox_count(a), 1)
    # 25 hours later the address may be invited again.
    psql("UPDATE invitation_addresses SET last_invited_at = now() - "
         "interval '25 hours'")
    redirects(send(second.client, people(("Léa", a))))
    eq(outbox_count(a), 2)


@test(slow=True)
def simultaneous_invitations_of_one_address_mail_it_once():
    addr = unique_email("convoite")
    clients = [Member().client for _ in range(3)] + \
        [Client("fcgi") for _ in range(3)]
    tokens = [csrf_of(c.get("/invite")) for c in clients]

    def go(i):
        f = dict(people(("Zoé", addr)), _csrf=tokens[i], message="")
        if i >= 3:
            f["inviter_name"] = "Visiteur %d" % i
        return clients[i].post("/invite", f).status
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(go, range(6)))
    eq(sorted(codes), [200] * 3 + [303] * 3, codes)
    eq(outbox_count(addr), 1)


@test
def more_than_five_people_are_refused():
    m = Member()
    page = status(m.client.get("/invite"), 200)
    eq(len(re.findall(r'name="email_\d"', page.text)), 5)
    six = [("Ami", unique_email("six")) for _ in range(6)]
    tok = csrf_of(page)
    resp = m.client.post("/invite", dict(people(*six), _csrf=tok,
                                         message=""))
    status(resp, 422)
    contains(resp, "Vous pouvez inviter au plus 5 personnes à la fois.")
    # the values typed come back
    eq(form_values(resp.text, 1).get("email_1"), six[0][1])
    for _, e in six:
        eq(outbox_count(e), 0)
    eq(invite_sends(m.id), [])


@test
def a_message_too_long_is_refused_with_the_values_kept():
    m = Member()
    a = unique_email("long")
    resp = send(m.client, people(("Jean", a)), message="x" * 501)
    status(resp, 422)
    eq(field_errors(resp.text).get("message"),
       "Le message doit comporter au plus 500 caractères.")
    vals = form_values(resp.text, 1)
    eq(vals.get("email_1"), a)
    eq(vals.get("first_name_1"), "Jean")
    eq(vals.get("message"), "x" * 501)
    eq(outbox_count(a), 0)
    # 500 exactly is fine (characters, not bytes).
    redirects(send(m.client, people(("Jean", a)), message="é" * 500))
    eq(outbox_count(a), 1)


@test
def invalid_or_forged_addresses_and_incomplete_rows_are_refused():
    m = Member()
    good = unique_email("bon")
    cases = [
        (people(("Jean", "pas-une-adresse")), "email_1",
         "Cette adresse e-mail n'est pas valide."),
        (people(("Jean", "a@b.fr\r\nBcc: victime@example.test")), "email_1",
         "Cette adresse e-mail n'est pas valide."),
        (people(("Jean", "x" * 250 + "@example.test")), "email_1",
         "Cette adresse e-mail n'est pas valide."),
        (people(("", good)), "first_name_1",
         "Indiquez le prénom de cette personne."),
        (people(("Jean", "")), "email_1",
         "Indiquez l'adresse e-mail de cette personne."),
        (people(("Jean", good), ("Jeanne", good.upper())), "email_2",
         "Cette adresse figure déjà plus haut."),
        ({}, "email_1", "Indiquez au moins une personne à inviter : son "
         "prénom et son adresse e-mail."),
    ]
    for fields, field, message in cases:
        resp = send(m.client, fields)
        status(resp, 422, repr(fields))
        eq(field_errors(resp.text).get(field), message, repr(fields))
        contains(resp, "des champs du formulaire est mal renseigné.")
    eq(outbox_count(good), 0)
    eq(invite_sends(m.id), [])


@test
def a_suppressed_address_gets_no_invitation():
    m = Member()
    gone, fine = unique_email("supprime"), unique_email("ok")
    psql("INSERT INTO suppressions (email, reason) VALUES (:'p1', "
         "'request')", gone)
    redirects(send(m.client, people(("Non", gone), ("Oui", fine))))
    wait_mail(fine, "vous invite à rejoindre")
    eq(outbox_count(gone), 0)
    eq(mails(gone), [])
    # The answer does not say which: two counted as sent.
    eq(member_notice(m), "Invitations envoyées : 2.")


@test
def five_sends_per_session_per_hour_then_429():
    m = Member()
    for i in range(5):
        redirects(send(m.client, people(("Ami", unique_email("h%d" % i)))))
    extra = unique_email("sixieme")
    resp = send(m.client, people(("Ami", extra)))
    status(resp, 429)
    contains(resp, "Vous avez déjà envoyé 5 invitations dans l")
    eq(form_values(resp.text, 1).get("email_1"), extra)
    eq(outbox_count(extra), 0)
    # Another session of the same member has its own hour.
    other = Client("fcgi")
    login(other, m.email, PASSWORD)
    redirects(send(other, people(("Ami", extra))))
    eq(outbox_count(extra), 1)
    # A wrong form does not count.
    v = Client("fcgi")
    for _ in range(6):
        status(send(v, people(("Ami", "faux")), name="Visiteur"), 422)
    for i in range(5):
        status(send(v, people(("Ami", unique_email("v%d" % i))),
                    name="Visiteur"), 200)
    # A visitor is counted by their browser (csrf cookie).
    resp = send(v, people(("Ami", unique_email("v6"))), name="Visiteur")
    status(resp, 429)


@test
def the_daily_quota_holds_for_members_and_visitors():
    m = Member()
    psql("INSERT INTO send_quotas VALUES ('invite', :'p1', (now() AT TIME "
         "ZONE 'Europe/Paris')::date, 49)", m.id)
    a, b = unique_email("q"), unique_email("q")
    resp = send(m.client, people(("Al", a), ("Bo", b)))
    status(resp, 429)
    contains(resp, "plus de 50 invitations par jour")
    eq(outbox_count(a), 0)
    redirects(send(m.client, people(("Al", a))))
    eq(outbox_count(a), 1)
    # A visitor's quota is their client address's: a new browser (new
    # cookie) from the same address does not get a new one.
    addr = "198.51.100.%d" % secrets.randbelow(250)
    for i in range(10):
        c = Client("fcgi", remote_addr=addr)
        status(send(c, people(*[("Ami", unique_email("d%d" % i))
                                for _ in range(5)]), name="Visiteur"), 200)
    c = Client("fcgi", remote_addr=addr)
    last = unique_email("d-trop")
    resp = send(c, people(("Ami", last)), name="Visiteur")
    status(resp, 429)
    eq(outbox_count(last), 0)
    status(send(Client("fcgi"), people(("Ami", last)), name="Visiteur"), 200)


@test
def the_account_page_and_the_footer_link_to_invite():
    m = Member()
    contains(status(m.client.get("/account"), 200), 'href="/invite"')
    page = status(Client("fcgi").get("/"), 200)
    contains(page, 'href="/invite"')
    contains(page, 'href="/donate"')
    contains(page, 'href="/convince"')
