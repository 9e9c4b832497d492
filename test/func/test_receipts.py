# SPDX-License-Identifier: MIT
"""Tax receipts (issue 10): the member's PDF of a year, the signed link for
donors without an account, the operators' CLI, and the gapless numbering
of tax_receipt_for() under concurrent transactions. Gifts are written with
SQL here (the payment flow is test_donations'); the PDFs are read back
with pdftotext."""

import os
import secrets
import subprocess

from civitas import *  # noqa: F401,F403
from fixtures import *  # noqa: F401,F403


def give(email, cents, year, refunded=False, first="Hélène", last="Dupré",
         street="3 rue de la Paix", postal="69002", city="Lyon",
         civility="mme", month=6):
    """A paid gift of email in year (refunded or not), with its receipt:
    the receipt's id."""
    return int(psql_value(
        "WITH d AS (INSERT INTO donations (kind, amount_cents, status, "
        "civility, first_name, last_name, email, street, postal_code, "
        "city_name, country, name_key) VALUES ('once', :'p2', 'paid', "
        ":'p9', :'p5', :'p6', :'p1', :'p7', :'p8', :'p10', 'FR', "
        "donation_name_key(:'p6', :'p5', :'p8')) RETURNING id) "
        "INSERT INTO donation_payments (donation_id, transaction_id, "
        "amount_cents, paid_at, year, receipt_id, refunded_at) "
        "SELECT id, 'test-' || gen_random_uuid(), :'p2', "
        "make_timestamptz(:'p3', :'p11', 15, 12, 0, 0, 'Europe/Paris'), "
        ":'p3', tax_receipt_for(:'p1', :'p3'), "
        "CASE WHEN :'p4' THEN now() END FROM d RETURNING receipt_id",
        email, cents, year, refunded, first, last, street, postal, civility,
        city, month))


def number_of(receipt_id):
    return int(psql_value("SELECT number FROM tax_receipts WHERE id = :'p1'",
                          receipt_id))


def pdf_text(body):
    """The text of a PDF as pdftotext reads it (layout kept, no-break
    spaces as spaces)."""
    ok(body.startswith(b"%PDF-"), "not a PDF: %r" % body[:40])
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=body,
                         stdout=subprocess.PIPE, check=True).stdout
    return out.decode().replace("\u00a0", " ").replace("\u202f", " ")


def is_pdf_download(resp):
    status(resp, 200)
    eq(resp.headers.get("Content-Type"), "application/pdf")
    matches(resp.headers.get("Content-Disposition") or "",
            r'^attachment; filename="recu-fiscal-\d{4}-\d{6}\.pdf"$')
    eq(resp.headers.get("Cache-Control"), "private, no-store")
    return pdf_text(resp.body)


def receipt_token(receipt_id, year, purpose="receipt"):
    out = subprocess.run([fcgi_binary(), "mail-token", purpose,
                          str(receipt_id), str(year)],
                         stdout=subprocess.PIPE, check=True)
    return out.stdout.decode().strip()


@test
def a_member_downloads_the_receipt_of_a_year():
    c, email, _ = new_member()
    rid = give(email, 5000, 2025, month=3)
    give(email, 2000, 2025, month=9, first="Hélène", last="Dupré")
    give(email, 9900, 2024)		# another year: another receipt
    text = is_pdf_download(c.get("/account/donations/receipts/2025"))
    for needle in ("Madame Hélène Dupré", "3 rue de la Paix", "69002 Lyon",
                   "50,00 €", "20,00 €", "70,00 €", "15/03/2025",
                   "15/09/2025", "Reçu n° 2025-%06d" % number_of(rid),
                   "Dons reçus en 2025", "article 200", "66 %"):
        contains(text, needle)
    not_contains(text, "99,00 €")
    # 66 % of 70 €
    contains(text, "46,20 €")


@test
def the_receipt_through_nginx_keeps_its_headers():
    c, email, pw = new_member()
    give(email, 5000, 2025)
    h = Client("http")
    login(h, email, pw)
    text = is_pdf_download(h.get("/account/donations/receipts/2025"))
    contains(text, "50,00 €")


@test
def refunded_gifts_are_left_out_and_a_fully_refunded_year_is_no_receipt():
    c, email, _ = new_member()
    give(email, 5000, 2025)
    give(email, 3100, 2025, refunded=True)
    text = is_pdf_download(c.get("/account/donations/receipts/2025"))
    contains(text, "50,00 €")
    not_contains(text, "31,00 €")
    not_contains(text, "81,00 €")
    give(email, 1200, 2023, refunded=True)
    status(c.get("/account/donations/receipts/2023"), 404)


@test
def another_members_year_and_forged_years_are_404():
    a, a_email, _ = new_member()
    give(a_email, 5000, 2025)
    b, b_email, _ = new_member()
    give(b_email, 4000, 2024)
    status(b.get("/account/donations/receipts/2025"), 404)
    status(a.get("/account/donations/receipts/2024"), 404)
    for year in ("1999", "2101", "02025", "2025x", "-2025", "20250",
                 "99999999999999999999"):
        status(a.get("/account/donations/receipts/" + year), 404, year)
    # Gifts under another address of the same person are not the
    # account's: the receipt follows the e-mail address.
    give("other." + a_email, 7000, 2022)
    status(a.get("/account/donations/receipts/2022"), 404)


@test
def the_member_route_needs_a_login():
    resp = Client("fcgi").get("/account/donations/receipts/2025")
    eq(resp.status, 303)
    contains(resp.location, "/login")


@test
def the_signed_link_opens_that_receipt_only():
    email = unique_email("donor")
    rid = give(email, 2500, 2025, first="Zoé", last="Lefèvre",
               civility="mme")
    other = give(unique_email("donor"), 9000, 2025, first="Autre",
                 last="Personne")
    token = receipt_token(rid, 2025)
    anon = Client("fcgi")
    text = is_pdf_download(anon.get("/receipts/" + token))
    contains(text, "Madame Zoé Lefèvre")
    contains(text, "25,00 €")
    contains(text, "2025-%06d" % number_of(rid))
    not_contains(text, "Personne")
    # Altered: each part of the token.
    cid, yr, sig = token.split(".")
    flipped = sig[:5] + ("A" if sig[5] != "A" else "B") + sig[6:]
    for bad in ("%s.%s.%s" % (cid, yr, flipped),
                "%s.%s.%s" % (other, yr, sig),
                "%s.%d.%s" % (cid, 2024, sig),
                token[:-1], token + "A", "A" * 43, "1.2025"):
        status(anon.get("/receipts/" + bad), 404, bad)
    # Signed, but for another purpose, or for a year the receipt is not.
    status(anon.get("/receipts/" + receipt_token(rid, 2025, "unsubscribe")),
           404)
    status(anon.get("/receipts/" + receipt_token(rid, 2024)), 404)
    # Through nginx as well.
    is_pdf_download(Client("http").get("/receipts/" + token))


@test
def the_cli_writes_the_pdf_of_a_number():
    email = unique_email("donor")
    rid = give(email, 12345, 2025, first="Jean", last="Moulin",
               civility="m")
    n = number_of(rid)
    out = subprocess.run([fcgi_binary(), "receipt", "2025", str(n)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    eq(out.returncode, 0, out.stderr.decode("utf-8", "replace"))
    text = pdf_text(out.stdout)
    contains(text, "Monsieur Jean Moulin")
    contains(text, "123,45 €")
    contains(text, "2025-%06d" % n)
    out = subprocess.run([fcgi_binary(), "receipt", "2025", "999999999"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    eq((out.returncode, out.stdout), (1, b""))
    eq(subprocess.run([fcgi_binary(), "receipt", "x", "1"],
                      stderr=subprocess.PIPE).returncode, 64)


@test
def many_gifts_continue_on_a_second_page():
    c, email, _ = new_member()
    for i in range(60):
        give(email, 100 + i, 2021, month=1 + i % 12)
    resp = c.get("/account/donations/receipts/2021")
    text = is_pdf_download(resp)
    ok(text.count("\f") >= 2, "two pages or more")
    contains(text, "1,59 €")
    contains(text, "Total")
    # 60 gifts of 1,00 € to 1,59 €: 60 € + 17,70 €
    contains(text, "77,70 €")


def _unused_year():
    return int(psql_value(
        "SELECT y FROM generate_series(2200, 9000) y WHERE NOT EXISTS "
        "(SELECT 1 FROM receipt_counters WHERE year = y) "
        "ORDER BY random() LIMIT 1"))


def _concurrently(sqls):
    """Each SQL in its own psql process (its own connection), all started
    before any is waited for; their outputs."""
    procs = [subprocess.Popen(["psql", "-X", "-q", "-tA", "-v",
                               "ON_ERROR_STOP=1", "-d",
                               os.environ["DATABASE_URL"], "-c", sql],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for sql in sqls]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        eq(p.returncode, 0, err.decode("utf-8", "replace"))
        outs.append(out.decode().strip())
    return outs


@test(slow=True)
def fifty_concurrent_receipts_are_numbered_1_to_50():
    year = _unused_year()
    # Each transaction holds the year's counter a moment after taking a
    # number, so that the others really queue behind it.
    sql = ("BEGIN; SELECT tax_receipt_for('n%d.{y}@example.test', {y}); "
           "SELECT pg_sleep(0.02); COMMIT;").replace("{y}", str(year))
    _concurrently([sql % i for i in range(50)])
    nums = [int(n) for (n,) in psql(
        "SELECT number FROM tax_receipts WHERE year = :'p1' ORDER BY number",
        year)]
    eq(nums, list(range(1, 51)))
    eq(psql_value("SELECT last FROM receipt_counters WHERE year = :'p1'",
                  year), "50")
    # The same donor again (concurrently): the same receipt, no number.
    again = ("SELECT tax_receipt_for('n7.%d@example.test', %d)"
             % (year, year))
    ids = set(_concurrently([again] * 10))
    eq(len(ids), 1)
    eq(psql_value("SELECT count(*) FROM tax_receipts WHERE year = :'p1'",
                  year), "50")


@test(slow=True)
def rolled_back_transactions_leave_no_gap():
    year = _unused_year()
    sqls = []
    for i in range(20):
        end = "ROLLBACK" if i % 2 else "COMMIT"
        sqls.append("BEGIN; SELECT tax_receipt_for('r%d.%d@example.test', "
                    "%d); SELECT pg_sleep(0.01); %s;" % (i, year, year, end))
    _concurrently(sqls)
    nums = [int(n) for (n,) in psql(
        "SELECT number FROM tax_receipts WHERE year = :'p1' ORDER BY number",
        year)]
    eq(nums, list(range(1, 11)))


@test(slow=True)
def a_new_donor_in_concurrent_transactions_gets_one_receipt():
    """Added by helper E: the receipt of a donor who has none yet, asked by
    several transactions at once (two payments of one donor), is issued
    once: the counter row lock taken before looking for it makes the
    others wait and then find it. Without that lock each would find none,
    draw a number and fail on UNIQUE (year, email). A transaction holds
    the counter row until the six are all waiting, then is cancelled:
    they start together, and each keeps its transaction open a moment
    after its call, as a payment does until its commit."""
    year = _unused_year()
    # The year's counter exists (committed): the six queue behind the
    # holder's lock on its row, not behind its INSERT of it.
    psql("SELECT tax_receipt_for(:'p1', :'p2')",
         "zero.%d@example.test" % year, year)
    mark = "hold-" + secrets.token_hex(6)
    holder = subprocess.Popen(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
         os.environ["DATABASE_URL"], "-c",
         "BEGIN; SELECT tax_receipt_for('first.%d@example.test', %d); "
         "SELECT pg_sleep(60) /* %s */; COMMIT;" % (year, year, mark)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    waiting = ("SELECT count(*) FROM pg_stat_activity WHERE pid <> "
               "pg_backend_pid() AND query LIKE '%%' || :'p1' || '%%' AND "
               "%s")
    try:
        wait_until(lambda: psql_value(waiting % "wait_event = 'PgSleep'",
                                      mark) == "1",
                   message="the holding transaction sleeps")
        email = "same.%d@example.test" % year
        procs = [subprocess.Popen(
            ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d",
             os.environ["DATABASE_URL"], "-c",
             "BEGIN; SELECT tax_receipt_for('%s', %d); "
             "SELECT pg_sleep(0.5); COMMIT;" % (email, year)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(6)]
        wait_until(lambda: psql_value(waiting % "wait_event_type = 'Lock'",
                                      email) == "6", timeout=30,
                   message="the six wait for the counter")
    finally:
        psql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE "
             "pid <> pg_backend_pid() AND query LIKE '%%' || :'p1' || "
             "'%%'", mark)
        holder.communicate(timeout=30)
    ids = []
    for p in procs:
        out, err = p.communicate(timeout=30)
        eq(p.returncode, 0, err.decode("utf-8", "replace"))
        ids.append(out.decode().split()[0])
    eq(len(set(ids)), 1, "receipts of one donor: %s" % ids)
    eq([int(n) for (n,) in psql(
        "SELECT number FROM tax_receipts WHERE year = :'p1' ORDER BY "
        "number", year)], [1, 2])
