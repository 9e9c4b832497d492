# SPDX-License-Identifier: MIT
"""/admin/donations (app/features/admin_donations.c): the financial
agent's screens. The list and its filters, the totals by month of payment
(received less refunded), the CSV of payments, recording a refund (once,
audited, and the gift leaves the donor's yearly room: donation_room()),
admins only, forged ids 404.

Gifts and payments are made here with SQL, on sql/006_donations.sql
(receipts through tax_receipt_for()): the payment flow is not this
module's."""

import concurrent.futures
import csv
import io
import re
import secrets

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403

_ADMIN = []


def word(n=8):
    consonants, vowels = "bcdfghjklmnprstvz", "aeiou"
    return "".join(secrets.choice(consonants if i % 2 == 0 else vowels)
                   for i in range(n))


def admin():
    """A logged-in admin browser (one for the module)."""
    if not _ADMIN:
        email, password = make_admin()
        c = Client("fcgi")
        login(c, email, password)
        _ADMIN.append((c, email))
    return _ADMIN[0]


class Gift:
    """A donations row of a new donor (unique names and address)."""

    def __init__(self, kind="once", amount=5000, status="paid",
                 created=None, email=None, first=None, last=None,
                 postal="69001"):
        self.first = first or "Donatrice" + word(5).capitalize()
        self.last = last or "Nom" + word(7).capitalize()
        self.email = email or unique_email("don")
        self.postal = postal
        self.street = "%d rue %s" % (secrets.randbelow(90) + 1,
                                     word(6).capitalize())
        self.id = int(psql_value(
            "INSERT INTO donations (kind, amount_cents, status, civility, "
            "first_name, last_name, email, street, postal_code, city_name, "
            "country, name_key, created_at, paid_at) VALUES (:'p1', "
            ":'p2'::int, :'p3', 'mme', :'p4', :'p5', :'p6', :'p7', :'p8', "
            "'Lyon', 'FR', donation_name_key(:'p5', :'p4', :'p8'), "
            "coalesce(nullif(:'p9', '')::timestamptz, now()), now()) "
            "RETURNING id", kind, amount, status, self.first, self.last,
            self.email, self.street, postal, created or ""))
        self.uuid = psql_value("SELECT uuid FROM donations WHERE id = "
                               ":'p1'", self.id)

    def pay(self, amount=None, when=None):
        """A payment of this gift (now, or at `when`); its id and its
        transaction number."""
        trans = str(10 ** 9 + secrets.randbelow(10 ** 9))
        pid = int(psql_value(
            "WITH t AS (SELECT coalesce(nullif(:'p4', '')::timestamptz, "
            "now()) AS at) INSERT INTO donation_payments (donation_id, "
            "transaction_id, authorization_code, amount_cents, paid_at, "
            "year, receipt_id) SELECT :'p1', :'p2', 'XXXXXX', :'p3'::int, "
            "t.at, extract(year FROM t.at AT TIME ZONE 'Europe/Paris'), "
            "tax_receipt_for(:'p5', extract(year FROM t.at AT TIME ZONE "
            "'Europe/Paris')::int) FROM t RETURNING id", self.id, trans,
            amount or psql_value("SELECT amount_cents FROM donations WHERE "
                                 "id = :'p1'", self.id), when or "",
            self.email))
        return pid, trans

    def room(self, year=None):
        return int(psql_value(
            "SELECT donation_room(:'p1', donation_name_key(:'p2', :'p3', "
            ":'p4'), coalesce(nullif(:'p5', '')::int, extract(year FROM "
            "now() AT TIME ZONE 'Europe/Paris')::int))", self.email,
            self.last, self.first, self.postal, year or ""))


def refund(c, gift_id, payment_id):
    page = status(c.get("/admin/donations/%s" % gift_id), 200)
    return c.post("/admin/donations/%s/refund" % gift_id, {
        "_csrf": csrf_of(page), "payment": str(payment_id)})


def old_month(decade):
    """A random month of a past decade, one decade per test, so that no
    other test puts gifts or payments in it (YYYY, MM)."""
    return decade + secrets.randbelow(10), 1 + secrets.randbelow(12)


@test
def the_list_shows_gifts_and_filters_them():
    c, _ = admin()
    year, month = old_month(1970)
    ym = "%04d-%02d" % (year, month)
    when = "%s-10 12:00 Europe/Paris" % ym
    once = Gift(created=when, amount=2000)
    monthly = Gift(kind="monthly", status="active", created=when,
                   amount=1500, last="Pourcent%Nom" + word(4))
    # Refused, not pending: the mail worker's sweep expires gifts left
    # pending a day, and this one is decades old.
    refused = Gift(status="refused", created=when)
    page = status(c.get("/admin/donations?month=" + ym), 200)
    for g in (once, monthly, refused):
        contains(page, g.email)
        contains(page, 'href="/admin/donations/%d"' % g.id)
    contains(page, "20,00 €")
    contains(page, "15,00 €")
    page = status(c.get("/admin/donations?month=%s&kind=monthly" % ym), 200)
    contains(page, monthly.email)
    not_contains(page, once.email)
    page = status(c.get("/admin/donations?month=%s&status=refused" % ym),
                  200)
    contains(page, refused.email)
    not_contains(page, once.email)
    not_contains(page, monthly.email)
    # Search by a piece of the name or of the address, any case; % and _
    # are letters there, not patterns.
    page = status(c.get("/admin/donations", {"q": once.last.upper()[2:]}),
                  200)
    contains(page, once.email)
    not_contains(page, monthly.email)
    page = status(c.get("/admin/donations", {"q": once.email}), 200)
    contains(page, once.email)
    not_contains(page, refused.email)
    page = status(c.get("/admin/donations", {"q": "Pourcent%Nom"}), 200)
    contains(page, monthly.email)
    page = status(c.get("/admin/donations", {"q": "t%N", "month": ym}), 200)
    contains(page, monthly.email)
    not_contains(page, once.email)
    status(c.get("/admin/donations", {"q": "%", "month": ym}), 200)
    page = status(c.get("/admin/donations", {"q": "_", "month": ym}), 200)
    contains(page, "Aucun don.")
    # Unknown filter values show everything; a bad page number is a 400.
    status(c.get("/admin/donations?status=bogus&kind=x&month=2024-13"), 200)
    status(c.get("/admin/donations?page=zero"), 400)


@test
def totals_by_month_are_paid_minus_refunded():
    c, _ = admin()
    year, month = old_month(1980)
    ym = "%04d-%02d" % (year, month)
    when = "%s-05 10:00 Europe/Paris" % ym
    gifts = [Gift(created=when, amount=a) for a in (5000, 2000, 1234)]
    payments = [g.pay(when=when) for g in gifts]
    before = psql("SELECT count(*), coalesce(sum(amount_cents), 0), "
                  "coalesce(sum(amount_cents) FILTER (WHERE refunded_at "
                  "IS NOT NULL), 0) FROM donation_payments WHERE "
                  "to_char(paid_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM') "
                  "= :'p1'", ym)[0]
    redirects(refund(c, gifts[1].id, payments[1][0]))
    n, gross, refunded = (int(x) for x in before)
    refunded += 2000
    page = status(c.get("/admin/donations"), 200)
    row = re.search(r"<tr><td>%s</td>(.*?)</tr>" % ym, page.text)
    ok(row, "no row for %s in the totals" % ym)
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))

    def fmt(cents):
        return "%d,%02d €" % (cents // 100, cents % 100)
    eq(cells[:4], [str(n), fmt(gross), fmt(refunded), fmt(gross - refunded)])
    contains(row.group(1), 'href="/admin/donations.csv?month=%s"' % ym)


@test
def the_csv_has_one_line_per_payment_for_the_financial_agent():
    c, _ = admin()
    year, month = old_month(1990)
    ym = "%04d-%02d" % (year, month)
    g = Gift(kind="monthly", status="active", amount=2500,
             created="%s-01 09:00 Europe/Paris" % ym, last="=HYPERLINK(1)")
    p1 = g.pay(when="%s-02 09:00 Europe/Paris" % ym)
    p2 = g.pay(when="%s-20 09:00 Europe/Paris" % ym)
    redirects(refund(c, g.id, p2[0]))
    resp = status(c.get("/admin/donations.csv?month=" + ym), 200)
    contains(resp.headers.get("Content-Type"), "text/csv")
    contains(resp.headers.get("Content-Disposition"),
             'filename="dons-%s.csv"' % ym)
    ok(resp.body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark")
    rows = list(csv.reader(io.StringIO(resp.body[3:].decode("utf-8")),
                           delimiter=";"))
    eq(rows[0], ["Date", "Référence", "Transaction", "Autorisation", "Type",
                 "Civilité", "Prénom", "Nom", "E-mail", "Adresse",
                 "Code postal", "Ville", "Pays", "Montant (€)",
                 "Reçu fiscal", "Remboursé le"])
    mine = [r for r in rows[1:] if r[1] == g.uuid]
    eq(len(mine), 2, "one line per payment: %s" % rows)
    receipt = psql_value(
        "SELECT t.year || '-' || lpad(t.number::text, 6, '0') FROM "
        "tax_receipts t JOIN donation_payments p ON p.receipt_id = t.id "
        "WHERE p.id = :'p1'", p1[0])
    eq(mine[0][:5], ["%s-02 09:00" % ym, g.uuid, p1[1], "XXXXXX",
                     "Mensuel"])
    eq(mine[0][5:], ["Mme", g.first, "'=HYPERLINK(1)", g.email, g.street,
                     "69001", "Lyon", "FR", "25,00", receipt, ""])
    eq(mine[1][2], p2[1])
    matches(mine[1][15], r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
    # Every month: the whole file holds them too; another month does not.
    whole = status(c.get("/admin/donations.csv"), 200).body.decode("utf-8")
    contains(whole, p1[1])
    other = "%04d-%02d" % (year + 20, month)
    not_contains(status(c.get("/admin/donations.csv?month=" + other),
                        200).body.decode("utf-8"), p1[1])


@test
def a_refund_is_recorded_once_audited_and_leaves_the_yearly_total():
    c, admin_email = admin()
    g = Gift(amount=300000)
    pid, trans = g.pay()
    other = Gift(email=g.email.replace("@", "+autre@"), first=g.first,
                 last=g.last, postal=g.postal, amount=100000)
    other.pay()
    # Both addresses are one person: 7,500 - 3,000 - 1,000.
    eq(g.room(), 750000 - 400000)
    resp = refund(c, g.id, pid)
    redirects(resp, "/admin/donations/%d" % g.id)
    eq(g.room(), 750000 - 100000)
    eq(other.room(), 750000 - 100000)
    page = status(c.get("/admin/donations/%d" % g.id), 200)
    contains(page, "Le remboursement de 3000,00 € (transaction %s) est "
             "enregistré." % trans)
    contains(page, "Remboursé le ")
    not_contains(page, 'name="payment" value="%d"' % pid)
    eq(psql("SELECT user_email, action, label FROM audit_log WHERE "
            "object_type = 'donation' AND object_id = :'p1'", g.id),
       [(admin_email, "donation.refund",
         "3000,00 €, transaction %s" % trans)])
    refunded_by = psql_value("SELECT u.email FROM donation_payments p "
                             "JOIN users u ON u.id = p.refunded_by WHERE "
                             "p.id = :'p1'", pid)
    eq(refunded_by, admin_email)
    # A second time: nothing changes, and it says so.
    at = psql_value("SELECT refunded_at FROM donation_payments WHERE id = "
                    ":'p1'", pid)
    redirects(refund(c, g.id, pid))
    contains(c.get("/admin/donations/%d" % g.id), "déjà remboursé")
    eq(psql_value("SELECT refunded_at FROM donation_payments WHERE id = "
                  ":'p1'", pid), at)
    eq(psql_value("SELECT count(*) FROM audit_log WHERE object_type = "
                  "'donation' AND object_id = :'p1'", g.id), "1")
    eq(g.room(), 750000 - 100000)


@test(slow=True)
def simultaneous_refunds_of_one_payment_record_it_once():
    c, _ = admin()
    g = Gift(amount=4200)
    pid, _ = g.pay()
    tok = csrf_of(status(c.get("/admin/donations/%d" % g.id), 200))

    def go(_):
        return c.post("/admin/donations/%d/refund" % g.id, {
            "_csrf": tok, "payment": str(pid)}).status
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(go, range(8)))
    eq(codes, [303] * 8)
    eq(psql_value("SELECT count(*) FROM audit_log WHERE object_type = "
                  "'donation' AND object_id = :'p1' AND action = "
                  "'donation.refund'", g.id), "1")


@test
def forged_ids_are_404():
    c, _ = admin()
    g, h = Gift(), Gift()
    gp, _ = g.pay()
    hp, _ = h.pay()
    missing = int(psql_value("SELECT coalesce(max(id), 0) + 1000 FROM "
                             "donations"))
    status(c.get("/admin/donations/%d" % missing), 404)
    status(c.get("/admin/donations/abc"), 404)
    tok = csrf_of(status(c.get("/admin/donations/%d" % g.id), 200))
    for gift, payment in ((g.id, hp), (missing, gp), (g.id, 0),
                          (g.id, "x"), (g.id, 10 ** 18), ("abc", gp)):
        status(c.post("/admin/donations/%s/refund" % gift, {
            "_csrf": tok, "payment": str(payment)}), 404,
            "refund of payment %s of gift %s" % (payment, gift))
    eq(psql_value("SELECT count(*) FROM donation_payments WHERE id IN "
                  "(:'p1', :'p2') AND refunded_at IS NOT NULL", gp, hp), "0")


@test
def only_admins_reach_the_donations():
    g = Gift()
    pid, _ = g.pay()
    member, _, _ = new_member()
    referent, ref_email, _ = new_member()
    psql("INSERT INTO referent_areas (user_id, departement) SELECT id, "
         "'69' FROM users WHERE email = :'p1'", ref_email)
    anon = Client("fcgi")
    anon.get("/login")
    paths = ["/admin/donations", "/admin/donations.csv",
             "/admin/donations/%d" % g.id]
    for p in paths:
        redirects(anon.get(p), None, "anonymous GET %s" % p)
        ok("/login" in anon.get(p).headers.get("Location", ""), p)
    for who, cl in (("member", member), ("referent", referent)):
        for p in paths:
            resp = cl.get(p)
            status(resp, 403, "%s GET %s" % (who, p))
            not_contains(resp, g.email)
        tok = csrf_of(cl.get("/account"))
        status(cl.post("/admin/donations/%d/refund" % g.id, {
            "_csrf": tok, "payment": str(pid)}), 403, who)
    eq(psql_value("SELECT refunded_at IS NULL FROM donation_payments "
                  "WHERE id = :'p1'", pid), "t")
    # The admin screen does show the donor's identity and address.
    c, _ = admin()
    page = status(c.get("/admin/donations/%d" % g.id), 200)
    for s in (g.email, g.first, g.last, g.street):
        contains(page, s)
