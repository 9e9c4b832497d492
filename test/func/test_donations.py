# SPDX-License-Identifier: MIT
"""Donations: the form and each validation message, the yearly cap (several
gifts, two addresses of one person, a monthly gift, many simultaneous
attempts), the signed payment form, the browser return that never marks
a gift paid, the provider's notifications (valid, bad signature, wrong
amount, unknown reference, replay, duplicate), gapless receipt numbers
under concurrent payments, instalments, stopping a monthly gift, and a
member who cannot see another's gifts.  The provider is the fake
(scripts/fake-paybox); notifications are also forged with its key."""

import concurrent.futures
import datetime
import os
import re
import secrets
import subprocess
import urllib.parse

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403

NBSP = "\u00a0"
CAP = 750000


def euros(cents):
    """As core/donation.c writes it: "7 500,00 €" with U+00A0."""
    e, c = divmod(cents, 100)
    s = "{:,}".format(e).replace(",", NBSP)
    return "%s,%02d%s€" % (s, c, NBSP)


def months_left():
    paris = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(hours=1)
    m = int(psql_value("SELECT extract(month FROM now() AT TIME ZONE "
                       "'Europe/Paris')::integer"))
    return 13 - m


def donor(**over):
    """A valid donor for /donate/details, with a fresh e-mail and a fresh
    name (the cap is per person)."""
    f = {
        "amount": "50", "kind": "once", "civility": "mme",
        "first_name": "Camille",
        "last_name": "Don" + random_letters(8),
        "email": unique_email("donor"),
        "street": "12 rue de la République", "country": "FR",
        "postal_code": "69001", "city_code": "69381", "city_name": "",
        "phone": "", "natural_person": "1", "french": "1",
    }
    f.update(over)
    return f


def give(client, fields):
    """GET the details page, then POST it; returns the response."""
    return client.submit("/donate/details", fields)


def gift_count(email):
    return int(psql_value("SELECT count(*) FROM donations WHERE email = "
                          ":'p1'", email))


def new_gift(client=None, **over):
    """A pending gift: (client, uuid, fields)."""
    c = client or Client("fcgi")
    f = donor(**over)
    resp = give(c, f)
    redirects(resp, None, "gift of %r" % over)
    m = re.match(r"^/donate/([0-9a-f-]{36})/pay$", path_of(resp.location))
    ok(m, "redirect to the payment page, got %s" % resp.location)
    return c, m.group(1), f


def pay_form(client, uuid):
    page = status(client.get("/donate/%s/pay" % uuid), 200)
    form = find_form(page.text, "#paybox-form")
    return form, list(form.submission())


def pay(client, uuid, action="pay"):
    """Through the fake: returns the URL the browser is sent back to."""
    _, fields = pay_form(client, uuid)
    return paybox_pay(fields, action)


def gift(uuid):
    return psql("SELECT status, coalesce(subscription_ref, ''), "
                "(SELECT count(*) FROM donation_payments p "
                "WHERE p.donation_id = d.id) FROM donations d "
                "WHERE uuid = :'p1'", uuid)[0]


def notify(query, nginx=False):
    """The notification as the provider sends it: through the FastCGI
    socket (from an address of its own: no rate limit of nginx in the
    way of 50 at once), or through nginx."""
    if nginx:
        return http_request("GET", "/donate/notify?" + query)
    return fcgi_request("GET", "/donate/notify?" + query,
                        remote_addr="10.9.%d.%d" % (
                            int(next_idtrans()) % 250,
                            int(next_idtrans()) % 250 + 1))


def ref_of(uuid):
    return psql_value("SELECT CASE kind WHEN 'monthly' THEN uuid::text || "
                      "'PBX_2MONT' || lpad(amount_cents::text, 10, '0') || "
                      "'PBX_NBPAIE00PBX_FREQ01PBX_QUAND00' ELSE "
                      "uuid::text END FROM donations WHERE uuid = :'p1'",
                      uuid)


_idtrans = [int(datetime.datetime.now().timestamp() * 1000) * 1000]


def next_idtrans():
    _idtrans[0] += 1
    return str(_idtrans[0])


def signed(uuid, mt, erreur="00000", idtrans=None, abo="", ref=None):
    return paybox_signed([("Mt", mt), ("Ref", ref or ref_of(uuid)),
                          ("Auto", "XXXXXX" if erreur == "00000" else ""),
                          ("Erreur", erreur),
                          ("idtrans", idtrans or next_idtrans()),
                          ("abo", abo)])


def last_outcome():
    return psql_value("SELECT outcome FROM donation_notifications "
                      "ORDER BY id DESC LIMIT 1")


# --------------------------------------------------------------------------
# The pages and the validation messages
# --------------------------------------------------------------------------

@test
def donate_page_shows_amounts_and_net_cost():
    page = status(Client("fcgi").get("/donate"), 200)
    for e in (10, 20, 50, 100, 200):
        contains(page, "%s <span class=\"hint\">(soit %s" % (
            euros(e * 100), euros(e * 34)))
    form = forms(page.text)[0]
    eq(form.action, "/donate/details")
    eq(form.method.lower(), "get")


@test
def details_prefilled_for_a_member():
    c, email, _ = new_member()
    page = status(c.get("/donate/details?amount=20&kind=monthly"), 200)
    v = form_values(page, "/donate/details")
    eq(v.get("email"), email)
    eq(v.get("first_name"), "Camille")
    eq(v.get("postal_code"), "69001")
    eq(v.get("amount"), "20")
    eq(v.get("kind"), "monthly")
    eq(v.get("civility"), "mme")


def refused(field, message, **over):
    c = Client("fcgi")
    f = donor(**over)
    resp = give(c, f)
    status(resp, 422, "gift with %r" % over)
    errs = field_errors(resp)
    eq(errs.get(field), message, "message of %s for %r" % (field, over))
    eq(set(errs), {field}, "fields in error for %r" % over)
    eq(gift_count(f["email"]), 0, "a gift was recorded")
    if field != "amount" and over.get(field) is None:
        eq(form_values(resp, "/donate/details").get("amount"),
           f["amount"] + ",00", "amount kept")
    return resp


@test
def each_validation_message():
    bad = "Le montant doit être un nombre d'euros, par exemple 50 ou 50,25."
    refused("amount", "Veuillez indiquer le montant de votre don.",
            amount="")
    refused("amount", bad, amount="-1")
    refused("amount", bad, amount="1e3")
    refused("amount", bad, amount="abc")
    refused("amount", "Le montant se donne au centime près (deux chiffres "
            "après la virgule au plus).", amount="50.255")
    refused("amount", "Le montant du don doit être supérieur à 0 €.",
            amount="0")
    refused("amount", "La valeur maximale d'un don est de 7 500 €.",
            amount="7500,01")
    refused("kind", "Veuillez choisir un don unique ou mensuel.",
            kind="yearly")
    refused("civility", "Veuillez indiquer votre civilité.", civility=None)
    refused("first_name", "Veuillez renseigner votre prénom.",
            first_name="")
    refused("last_name", "Votre nom doit comporter entre 2 et 50 "
            "caractères.", last_name="X")
    refused("email", "Cette adresse e-mail n'est pas valide.",
            email="not-an-address")
    refused("street", "L'adresse est obligatoire.", street="")
    refused("postal_code", "Cette valeur n'est pas un code postal français "
            "valide.", postal_code="1234")
    refused("phone", "Ce numéro de téléphone n'est pas valide.",
            phone="abc")
    refused("natural_person", "Vous devez certifier être une personne "
            "physique et que le règlement provient de votre compte "
            "personnel.", natural_person=None)
    refused("french", "Vous devez certifier être de nationalité française "
            "ou résider en France.", french=None)


@test
def amounts_parsed_to_the_cent():
    for typed, cents in (("50,5", 5050), ("50.25", 5025), ("7500", CAP)):
        _, uuid, _ = new_gift(amount=typed)
        eq(int(psql_value("SELECT amount_cents FROM donations WHERE "
                          "uuid = :'p1'", uuid)), cents, typed)


# --------------------------------------------------------------------------
# The yearly cap
# --------------------------------------------------------------------------

def cap_message(left, monthly=False):
    # field_errors() reads the page's text with its spaces squeezed.
    return ("Les dons d'une personne ne peuvent dépasser 7 500 € par année "
            "civile%s. Vous pouvez encore donner %s cette année." % (
                " (un don mensuel compte pour chacun des mois restants de "
                "l'année)" if monthly else "", euros(left).replace(NBSP, " ")))


@test
def cap_across_several_gifts():
    c, u1, f = new_gift(amount="5000")
    paybox_pay(pay_form(c, u1)[1])
    eq(gift(u1)[0], "paid")
    same = {k: f[k] for k in ("first_name", "last_name", "email",
                              "postal_code")}
    _, u2, _ = new_gift(amount="2000", **same)
    resp = give(Client("fcgi"), donor(amount="600", **same))
    status(resp, 422)
    eq(field_errors(resp).get("amount"), cap_message(50000))
    new_gift(amount="500", **same)
    resp = give(Client("fcgi"), donor(amount="0,01", **same))
    eq(field_errors(resp).get("amount"), cap_message(0))


@test
def cap_across_two_addresses_of_one_person():
    c, u1, f = new_gift(amount="7000")
    paybox_pay(pay_form(c, u1)[1])
    # Same names (other case, accents) and postal code, another address.
    other = donor(amount="501", first_name="CAMILLE",
                  last_name=f["last_name"].upper(),
                  postal_code=f["postal_code"])
    resp = give(Client("fcgi"), other)
    status(resp, 422)
    eq(field_errors(resp).get("amount"), cap_message(50000))
    eq(gift_count(other["email"]), 0)
    new_gift(amount="500", first_name="Camille",
             last_name=f["last_name"], postal_code="69001")


@test
def cap_counts_the_months_left_of_a_monthly_gift():
    n = months_left()
    c, u1, f = new_gift(amount="7400")
    paybox_pay(pay_form(c, u1)[1])
    same = {k: f[k] for k in ("first_name", "last_name", "email",
                              "postal_code")}
    room = CAP - 740000
    # The largest monthly amount that fits the months left, and a cent
    # more.
    top = room // n
    resp = give(Client("fcgi"), donor(amount="%d,%02d" % divmod(top + 1, 100),
                                      kind="monthly", **same))
    status(resp, 422)
    eq(field_errors(resp).get("amount"), cap_message(room, monthly=True))
    c, uuid, _ = new_gift(amount="%d,%02d" % divmod(top, 100),
                          kind="monthly", **same)
    paybox_pay(pay_form(c, uuid)[1])
    eq(gift(uuid)[0], "active")
    left = room - top * n
    resp = give(Client("fcgi"), donor(
        amount="%d,%02d" % divmod(left + 1, 100), **same))
    eq(field_errors(resp).get("amount"), cap_message(left))
    # One active monthly gift per person.
    resp = give(Client("fcgi"), donor(amount="0,01", kind="monthly",
                                      **same))
    status(resp, 422)
    contains(field_errors(resp).get("kind", ""), "Vous faites déjà un don "
             "mensuel")


@test(slow=True)
def simultaneous_gifts_of_one_person_never_exceed_the_cap():
    base = donor(amount="1000")
    same = {k: base[k] for k in ("first_name", "last_name", "email",
                                 "postal_code")}
    clients = [Client("fcgi") for _ in range(20)]
    pages = [c.get("/donate/details") for c in clients]

    def one(i):
        c = clients[i]
        return submit_page(c, pages[i], donor(amount="1000", **same),
                           url="/donate/details").status

    with concurrent.futures.ThreadPoolExecutor(20) as ex:
        codes = list(ex.map(one, range(20)))
    eq(sorted(set(codes)), [303, 422], "answers %s" % codes)
    eq(codes.count(303), 7, "gifts accepted")
    total = int(psql_value("SELECT sum(amount_cents) FROM donations WHERE "
                           "email = :'p1'", same["email"]))
    ok(total <= CAP, "total %d over the cap" % total)


# --------------------------------------------------------------------------
# The payment form and the browser return
# --------------------------------------------------------------------------

@test
def payment_form_is_signed_in_the_protocol_order():
    c, uuid, f = new_gift(amount="50")
    form, fields = pay_form(c, uuid)
    eq(form.method.lower(), "post")
    eq(form.action, os.environ["PAYBOX_URL"])
    names = [k for k, _ in fields]
    eq(names, ["PBX_SITE", "PBX_RANG", "PBX_IDENTIFIANT", "PBX_TOTAL",
               "PBX_DEVISE", "PBX_CMD", "PBX_PORTEUR", "PBX_RETOUR",
               "PBX_HASH", "PBX_TIME", "PBX_EFFECTUE", "PBX_REFUSE",
               "PBX_ANNULE", "PBX_REPONDRE_A", "PBX_HMAC"])
    d = dict(fields)
    eq(d["PBX_TOTAL"], "5000")
    eq(d["PBX_CMD"], uuid)
    eq(d["PBX_PORTEUR"], f["email"])
    eq(d["PBX_RETOUR"], PAYBOX_RETOUR)
    eq(d["PBX_REPONDRE_A"], base_url() + "/donate/notify")
    eq(d["PBX_HMAC"], paybox_hmac(fields[:-1]))
    # A monthly gift carries the subscription fields.
    c, uuid, _ = new_gift(amount="30", kind="monthly")
    d = dict(pay_form(c, uuid)[1])
    eq(d["PBX_CMD"], uuid + "PBX_2MONT0000003000PBX_NBPAIE00PBX_FREQ01"
       "PBX_QUAND00")


@test
def payment_form_only_for_the_browser_that_gave():
    c, uuid, _ = new_gift()
    status(Client("fcgi").get("/donate/%s/pay" % uuid), 404)
    status(Client("fcgi").get("/donate/%s/return" % uuid), 404)
    status(c.get("/donate/00000000-0000-0000-0000-000000000000/pay"), 404)
    status(c.get("/donate/not-a-uuid/pay"), 404)


@test
def browser_return_never_marks_a_gift_paid():
    c, uuid, _ = new_gift(amount="50")
    pay_form(c, uuid)
    paybox_control("next", {"mode": "never"})
    back = pay(c, uuid)
    eq(gift(uuid)[0], "pending")
    page = status(c.get(path_of(back)), 200)
    contains(page, "en cours de confirmation")
    # A forged return that looks paid, with a valid signature even.
    q = signed(uuid, 5000)
    page = status(c.get("/donate/%s/return?%s" % (uuid, q)), 200)
    eq(gift(uuid)[0], "pending")
    eq(gift(uuid)[2], "0")
    not_contains(page, "est bien reçu")


@test
def paid_through_the_fake_with_mail_and_receipt_link():
    c, uuid, f = new_gift(amount="50")
    back = pay(c, uuid)
    eq(gift(uuid)[0], "paid")
    page = status(c.get(path_of(back)), 200)
    contains(page, "est bien reçu")
    msg = wait_mail(f["email"], "Merci pour votre don")
    found = [u for u in links(msg) if "/receipts/" in u]
    eq(len(found), 1, "one receipt link")
    pdf = Client("fcgi").get(path_of(found[0]))
    status(pdf, 200)
    eq(pdf.content_type.split(";")[0], "application/pdf")


@test
def refused_and_cancelled_payments():
    c, uuid, _ = new_gift(amount="50")
    pay(c, uuid, "refuse")
    eq(gift(uuid)[0], "refused")
    c, uuid, _ = new_gift(amount="50")
    back = pay(c, uuid, "cancel")
    eq(gift(uuid)[0], "pending")
    contains(status(c.get(path_of(back)), 200), "annulé le paiement")


# --------------------------------------------------------------------------
# Notifications
# --------------------------------------------------------------------------

@test
def notification_with_a_valid_signature_marks_paid_once():
    c, uuid, f = new_gift(amount="42,50")
    q = signed(uuid, 4250)
    resp = notify(q, nginx=True)
    status(resp, 200)
    eq(resp.body, b"")
    eq(gift(uuid)[0], "paid")
    eq(last_outcome(), "paid")
    mails_before = outbox_count(f["email"])
    # The replay: nothing changes, no second mail.
    status(notify(q), 200)
    eq(last_outcome(), "replay")
    eq(gift(uuid)[2], "1")
    eq(outbox_count(f["email"]), mails_before)


@test
def notification_with_a_bad_signature_changes_nothing():
    c, uuid, _ = new_gift(amount="50")
    q = signed(uuid, 5000)
    data, _, sig = q.partition("&Sign=")
    raw = bytearray(__import__("base64").b64decode(
        urllib.parse.unquote(sig)))
    raw[10] ^= 1
    forged = data + "&Sign=" + paybox_quote(
        __import__("base64").b64encode(bytes(raw)).decode())
    status(notify(forged), 403)
    eq(last_outcome(), "bad_signature")
    # Signed bytes changed after signing (the amount).
    status(notify(q.replace("Mt=5000", "Mt=5001")), 403)
    status(notify(data), 403)          # no signature at all
    eq(gift(uuid)[0], "pending")
    # Through the fake's bad_signature mode.
    paybox_control("next", {"mode": "bad_signature"})
    pay(c, uuid)
    eq(gift(uuid)[0], "pending")


@test
def notification_with_a_wrong_amount_changes_nothing():
    c, uuid, _ = new_gift(amount="50")
    status(notify(signed(uuid, 4999)), 200)
    eq(last_outcome(), "mismatch")
    paybox_control("next", {"mode": "wrong_amount"})
    pay(c, uuid)
    eq(gift(uuid)[0], "pending")
    eq(gift(uuid)[2], "0")


@test
def notification_with_an_unknown_reference_is_logged_only():
    before = int(psql_value("SELECT count(*) FROM donation_payments"))
    status(notify(signed(None, 5000,
                         ref="00000000-0000-0000-0000-000000000000")), 200)
    eq(last_outcome(), "unknown")
    status(notify(signed(None, 5000, ref="nonsense")), 200)
    eq(last_outcome(), "unknown")
    # A one-off gift's uuid with a monthly suffix is not its reference.
    _, uuid, _ = new_gift(amount="50")
    status(notify(signed(uuid, 5000, ref=uuid + "PBX_2MONT0000005000"
                         "PBX_NBPAIE00PBX_FREQ01PBX_QUAND00")), 200)
    eq(last_outcome(), "unknown")
    eq(int(psql_value("SELECT count(*) FROM donation_payments")), before)


@test
def duplicate_and_late_notifications_record_one_payment():
    c, uuid, f = new_gift(amount="50")
    paybox_control("next", {"mode": "twice"})
    pay(c, uuid)
    wait_until(lambda: len([x for x in paybox_log()
                            if uuid in urllib.parse.unquote(x["query"])])
               >= 2, message="two notifications")
    eq(gift(uuid)[2], "1")
    eq(outbox_count(f["email"]), 1)
    c, uuid, f = new_gift(amount="50")
    paybox_control("next", {"mode": "late", "delay": 1})
    back = pay(c, uuid)
    contains(status(c.get(path_of(back)), 200), "en cours de confirmation")
    wait_until(lambda: gift(uuid)[0] == "paid", message="late payment")
    eq(gift(uuid)[2], "1")


@test(slow=True)
def concurrent_payments_number_receipts_without_gap():
    year = int(psql_value("SELECT extract(year FROM now() AT TIME ZONE "
                          "'Europe/Paris')::integer"))
    gifts = [new_gift(amount="10") for _ in range(50)]
    before = int(psql_value("SELECT coalesce(max(number), 0) FROM "
                            "tax_receipts WHERE year = :'p1'", year))
    queries = [signed(u, 1000) for _, u, _ in gifts]
    with concurrent.futures.ThreadPoolExecutor(50) as ex:
        codes = list(ex.map(lambda q: notify(q).status, queries))
    eq(codes, [200] * 50)
    emails = [f["email"] for _, _, f in gifts]
    nums = sorted(int(n) for (n,) in psql(
        "SELECT number FROM tax_receipts WHERE year = :'p1' AND email = "
        "ANY(string_to_array(:'p2', ','))", year, ",".join(emails)))
    eq(nums, list(range(before + 1, before + 51)))
    eq(int(psql_value("SELECT max(number) FROM tax_receipts WHERE year = "
                      ":'p1'", year)), before + 50)


# --------------------------------------------------------------------------
# Monthly gifts: instalments, stop, the account page
# --------------------------------------------------------------------------

def monthly_member(amount="20"):
    c, email, _ = new_member(last_name="Don" + random_letters(8))
    page = c.get("/donate/details?amount=%s&kind=monthly" % amount)
    resp = submit_page(c, page, {"natural_person": "1", "french": "1"},
                       selector="/donate/details")
    redirects(resp, None, "monthly gift of a member: %s" % (
        field_errors(resp) if resp.status == 422 else resp.status))
    ok(path_of(resp.location).startswith("/donate/"), resp.location)
    uuid = path_of(resp.location).split("/")[2]
    pay(c, uuid)
    eq(gift(uuid)[0], "active")
    return c, email, uuid


@test
def instalments_add_payments_and_stop_ends_them():
    c, email, uuid = monthly_member("20")
    abo = gift(uuid)[1]
    ok(abo, "subscription number stored")
    st, obj = paybox_control("instalment", {"abo": abo})
    eq(st, 200)
    eq(obj["status"], 200)
    eq(gift(uuid)[2], "2")
    eq(last_outcome(), "instalment")
    page = status(c.get("/account/donations"), 200)
    contains(page, "Mensuel en cours")
    contains(page, "/account/donations/receipts/")
    resp = c.submit("/account/donations", {},
                    form_selector="/account/donations/%s/stop"
                    % uuid)
    redirects(resp, "/account/donations")
    eq(gift(uuid)[0], "ended")
    wait_mail(email, "Votre don mensuel est arrêté")
    st, _ = paybox_control("instalment", {"abo": abo})
    eq(st, 409)
    eq(gift(uuid)[2], "2")
    # Stopping again: not an active monthly gift.
    status(c.post("/account/donations/%s/stop" % uuid,
                  {"_csrf": csrf_of(c.get("/account/donations"))}), 409)


@test
def another_members_gifts_are_invisible():
    c1, e1, uuid = monthly_member("15")
    c2, e2, _ = new_member(last_name="Don" + random_letters(8))
    page = status(c2.get("/account/donations"), 200)
    not_contains(page, uuid)
    resp = c2.post("/account/donations/%s/stop" % uuid,
                   {"_csrf": csrf_of(c2.get("/account/donations"))})
    status(resp, 404)
    eq(gift(uuid)[0], "active")
    status(c2.post("/account/donations/not-a-uuid/stop",
                   {"_csrf": csrf_of(c2.get("/account/donations"))}), 404)


@test
def gifts_given_before_signing_in_are_listed_by_address():
    email = unique_email("later")
    c, uuid, _ = new_gift(email=email, amount="25")
    pay(c, uuid)
    m, _, _ = new_member(email=email, last_name="Don" + random_letters(8))
    page = status(m.get("/account/donations"), 200)
    contains(page, uuid)


@test
def pending_gifts_expire_after_a_day():
    _, uuid, _ = new_gift(amount="50")
    psql("UPDATE donations SET created_at = now() - interval '25 hours' "
         "WHERE uuid = :'p1'", uuid)
    wait_until(lambda: gift(uuid)[0] == "expired", timeout=20,
               message="expired by the mail worker's sweep")
    status(notify(signed(uuid, 5000)), 200)
    eq(last_outcome(), "not_payable")
    eq(gift(uuid)[2], "0")


# --------------------------------------------------------------------------
# Added by helper E (issue 10): tests that did not exist for two rules,
# found by breaking each rule on purpose (the advisory lock of the person,
# the ON CONFLICT on the provider's transaction).
# --------------------------------------------------------------------------

def hold(sql, seconds):
    """Run sql then pg_sleep(seconds) in one transaction of its own psql
    process; return it once it is sleeping (its locks held)."""
    mark = "hold-" + secrets.token_hex(6)
    proc = subprocess.Popen(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
         os.environ["DATABASE_URL"], "-c",
         "BEGIN; %s; SELECT pg_sleep(%s) /* %s */; COMMIT;" % (
             sql, seconds, mark)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_until(lambda: proc.poll() is not None or psql_value(
        "SELECT count(*) FROM pg_stat_activity WHERE pid <> "
        "pg_backend_pid() AND wait_event = 'PgSleep' AND query LIKE "
        "'%%' || :'p1' || '%%'", mark) == "1",
        message="the holding transaction sleeps")
    if proc.poll() is not None:
        ok(False, "the holding transaction ended early: %s" %
           proc.communicate()[1].decode())
    return proc


@test
def a_gift_waits_for_another_gift_of_the_same_person():
    """The cap's INSERT runs after donation_lock_person: a gift of 7,000 €
    being made (locked, not committed) is counted by a gift of 1,000 €
    that arrives meanwhile, which waits for it; without the lock the
    second would not see the first and the person would pass 7,500 €.
    (Held 1.2 s: less than the workers' statement timeout, 2 s.)"""
    f = donor(amount="1000")
    c = Client("fcgi")
    page = c.get("/donate/details")
    proc = hold(
        "SELECT donation_lock_person('%(e)s', donation_name_key('%(l)s', "
        "'%(f)s', '%(p)s')); INSERT INTO donations (kind, amount_cents, "
        "civility, first_name, last_name, email, street, postal_code, "
        "city_name, country, name_key) VALUES ('once', 700000, 'mme', "
        "'%(f)s', '%(l)s', '%(e)s', '1 rue', '%(p)s', 'Lyon', 'FR', "
        "donation_name_key('%(l)s', '%(f)s', '%(p)s'))" % {
            "e": f["email"], "l": f["last_name"], "f": f["first_name"],
            "p": f["postal_code"]}, 1.2)
    resp = submit_page(c, page, f, url="/donate/details")
    _, err = proc.communicate(timeout=30)
    eq(proc.returncode, 0, err)
    status(resp, 422, "a gift made while the person was locked")
    eq(field_errors(resp).get("amount"), cap_message(50000))
    eq(int(psql_value("SELECT sum(amount_cents) FROM donations WHERE "
                      "email = :'p1'", f["email"])), 700000)


@test
def a_replayed_instalment_records_one_payment():
    """An instalment's notification sent again (same idtrans) is answered
    200 and changes nothing: the payment is unique on the provider's
    transaction (ON CONFLICT DO NOTHING), not an error the provider would
    retry for ever."""
    c, email, uuid = monthly_member("12")
    abo = gift(uuid)[1]
    idtrans = next_idtrans()
    q = signed(uuid, 1200, idtrans=idtrans, abo=abo)
    status(notify(q), 200)
    eq(last_outcome(), "instalment")
    eq(gift(uuid)[2], "2")
    for _ in range(2):
        status(notify(q), 200, "the replayed instalment")
        eq(last_outcome(), "replay")
    eq(gift(uuid)[2], "2")
    eq(gift(uuid)[0], "active")
