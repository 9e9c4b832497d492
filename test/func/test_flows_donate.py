# SPDX-License-Identifier: MIT
"""Issue 10's "done means" for donations, end to end through nginx and the
fake provider (scripts/fake-paybox), as a member does it without a
browser: a new member signs up, gives 50 € once and then 50 € monthly
(the forms of /donate and /donate/details, the payment form handed to the
fake, whose Payer button is its control call /_control/pay), finds both in
/account/donations, downloads the receipt of the year and reads the donor,
the amounts and its number with pdftotext; then tries 7,500 € more and is
told how much is still possible this year (the figure computed here from
the rule, not read from the server), and a gift of exactly that is
accepted. Finally the provider runs one monthly instalment: the account
page and the receipt's total move. Nothing is written with psql."""

import datetime
import re
import secrets
import subprocess
from zoneinfo import ZoneInfo

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"
CAP = 750000


def web():
    return Client("http", client_ip="10.%d.%d.%d" % tuple(
        secrets.randbelow(250) + 1 for _ in range(3)))


def euros(cents, space=" "):
    """"7 400,00 €" (the pages' text, no-break spaces read as spaces)."""
    e, c = divmod(cents, 100)
    return "%s,%02d%s€" % ("{:,}".format(e).replace(",", space), c, space)


def text_of(page):
    return html_text(page.text).replace(NBSP, " ")


def pdf_text(body):
    ok(body.startswith(b"%PDF-"), "not a PDF: %r" % body[:40])
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=body,
                         stdout=subprocess.PIPE, check=True).stdout
    return out.decode().replace(NBSP, " ").replace("\u202f", " ")


def choose(client, amount=None, other=None, kind="once"):
    """/donate's GET form: an amount (a preset, or typed in "other") and
    once or monthly; returns the details page."""
    fields = {"kind": kind}
    if amount is not None:
        fields["amount"] = amount
    if other is not None:
        fields["other"] = other
    page = client.submit("/donate", fields, "/donate/details")
    return status(page, 200, "details page for %r" % fields)


def give(client, details):
    """Post the details page (prefilled for the member) with the two
    certifications; returns the response."""
    return submit_page(client, details, {"natural_person": "1",
                                         "french": "1"},
                       selector="/donate/details")


def pay(client, resp, what):
    """The 303 to /donate/{uuid}/pay, the payment form as civitas renders
    it, handed to the fake's Payer button; the page the browser comes back
    to. Returns the gift's uuid."""
    redirects(resp, None, what)
    m = re.match(r"^/donate/([0-9a-f-]{36})/pay$", path_of(resp.location))
    ok(m, "%s: redirect to the payment page, got %s" % (what, resp.location))
    page = status(client.get(path_of(resp.location)), 200, what)
    form = find_form(page.text, "#paybox-form")
    back = paybox_pay(list(form.submission()), "pay")
    page = status(client.get(path_of(back)), 200, "%s: return page" % what)
    return m.group(1), page


def gift_row(account, uuid):
    """The cells of a gift's row in /account/donations (date, type,
    amount, paid, status)."""
    m = re.search(r'<tr data-uuid="%s">(.*?)</tr>' % uuid, account.text,
                  re.S)
    ok(m, "gift %s listed in /account/donations" % uuid)
    cells = re.findall(r"<td>(.*?)</td>", m.group(1), re.S)
    return [html_text(c).replace(NBSP, " ").strip() for c in cells[:5]]


def receipt(client, year):
    """The receipt link of the year on /account/donations, its number, and
    the PDF's text."""
    page = status(client.get("/account/donations"), 200)
    m = re.search(r'href="(/account/donations/receipts/%d)">Reçu fiscal '
                  r'%d \(n° (\d+)\)' % (year, year), page.text)
    ok(m, "a receipt of %d on /account/donations" % year)
    resp = status(client.get(m.group(1)), 200, "the receipt's PDF")
    eq(resp.headers.get("Content-Type"), "application/pdf")
    return int(m.group(2)), pdf_text(resp.body)


@test(slow=True)
def give_once_then_monthly_receipt_cap_and_an_instalment():
    now = datetime.datetime.now(PARIS)
    year, month = now.year, now.month
    last = "Donateur" + random_letters(6)
    member, email, _ = new_member(web(), last_name=last)

    # 50 € once: the preset of /donate, the details prefilled.
    details = choose(member, amount="50")
    v = form_values(details, "/donate/details")
    eq((v.get("amount"), v.get("kind"), v.get("email"), v.get("last_name")),
       ("50", "once", email, last), "details prefilled for the member")
    contains(text_of(details), "soit 17,00 € après réduction")  # 34 %
    once, page = pay(member, give(member, details), "50 € once")
    contains(text_of(page), "Votre don de 50,00 € est bien reçu")
    wait_mail(email, "Merci pour votre don")

    # Then 50 € monthly.
    details = choose(member, amount="50", kind="monthly")
    eq(form_values(details, "/donate/details").get("kind"), "monthly")
    monthly, page = pay(member, give(member, details), "50 € monthly")
    contains(text_of(page), "Votre don mensuel de 50,00 € est en place")

    # Both in /account/donations, paid and active.
    account = status(member.get("/account/donations"), 200)
    eq(gift_row(account, once)[1:], ["Unique", "50,00 €", "50,00 €",
                                     "Payé"])
    eq(gift_row(account, monthly)[1:], ["Mensuel", "50,00 €", "50,00 €",
                                        "Mensuel en cours"])
    contains(account, "Arrêter mon don mensuel")

    # The receipt of the year: donor, amounts, total and number.
    number, text = receipt(member, year)
    for needle in ("Madame Camille %s" % last, "12 rue de la République",
                   "69001 Lyon", "50,00 €", "100,00 €",
                   "Reçu n° %d-%06d" % (year, number),
                   "Dons reçus en %d" % year):
        contains(text, needle, "the receipt's PDF")

    # 7,500 € more: refused, with what is still possible this year. The
    # monthly gift counts for this month (paid) and each month left.
    room = CAP - 5000 - 5000 * (13 - month)
    details = choose(member, other="7500")
    resp = give(member, details)
    status(resp, 422, "7,500 € over the yearly cap")
    eq(field_errors(resp).get("amount"),
       "Les dons d'une personne ne peuvent dépasser 7 500 € par année "
       "civile. Vous pouvez encore donner %s cette année." % euros(room))
    eq(form_values(resp, "/donate/details").get("amount"), "7500,00",
       "the amount kept")

    # Exactly that room: accepted (on to the payment page).
    resp = give(member, choose(member, other="%d,%02d" % divmod(room, 100)))
    redirects(resp, None, "a gift of exactly the room left")
    ok(re.match(r"^/donate/[0-9a-f-]{36}/pay$", path_of(resp.location)),
       resp.location)
    page = status(member.get(path_of(resp.location)), 200)
    eq(dict(find_form(page.text, "#paybox-form").submission())
       ["PBX_TOTAL"], str(room))
    # and a cent more is not (that gift is pending: it counts).
    resp = give(member, choose(member, other="0,01"))
    status(resp, 422, "the room is used up")
    contains(field_errors(resp).get("amount", ""), "Vous pouvez encore "
             "donner 0,00 € cette année.")

    # The provider runs the next instalment of the monthly gift.
    abo = [x for x in paybox_log() if monthly in x["query"]]
    ok(abo, "the fake notified the monthly gift")
    m = re.search(r"(?:^|&)abo=([^&]+)", abo[-1]["query"])
    ok(m, "a subscription number in %s" % abo[-1]["query"])
    st, obj = paybox_control("instalment", {"abo": m.group(1)})
    eq((st, obj.get("status")), (200, 200), "the instalment: %r" % obj)
    account = status(member.get("/account/donations"), 200)
    eq(gift_row(account, monthly)[2:], ["50,00 €", "100,00 €",
                                        "Mensuel en cours"])
    eq(len(re.findall(r'<tr data-uuid="%s">' % monthly, account.text)), 3,
       "the monthly gift's row and its two payments")
    again, text = receipt(member, year)
    eq(again, number, "one receipt per donor and year")
    contains(text, "150,00 €", "the receipt's total after the instalment")
