# SPDX-License-Identifier: MIT
"""The mail worker (app/jobs/mailer.c) against the SMTP sink: no mail lost
or stored twice when it is killed mid-batch (it has several threads, each
with its own connections: one message in flight each), retry with backoff while the
SMTP server refuses, and the headers of a real sign-up confirmation.

Rows are inserted with unique Message-IDs and only those are counted: the
outbox and the mailbox may hold anything from other modules.  The mailer
is always running again at the end of a test, and .fail removed.
"""

import email.header
import os
import re
import time
import uuid

from civitas import *
import stackctl as sc


def queue(tag, n, to_prefix="mailer"):
    """Insert n outbox rows <test-TAG-i@x>; returns their Message-IDs."""
    psql("INSERT INTO outbox (message_id, to_addr, subject, body_text) "
         "SELECT '<test-' || :'p1' || '-' || i || '@x>', "
         ":'p2' || '.' || i || '@example.test', "
         "'Essai n°' || i, 'Bonjour,' || chr(10) || 'message ' || i "
         "FROM generate_series(1, :p3) i", tag, to_prefix, n)
    return ["<test-%s-%d@x>" % (tag, i) for i in range(1, n + 1)]


def sent_count(tag):
    return int(psql_value(
        "SELECT count(*) FROM outbox WHERE message_id LIKE :'p1' "
        "AND sent_at IS NOT NULL", "<test-%s-%%" % tag))


def stored_files(tag):
    """Mailbox files of the tag's messages (the sink names a file after
    the Message-ID: <test-TAG-i@x> -> test-TAG-i@x.eml)."""
    prefix = "test-%s-" % tag
    return sorted(n for n in os.listdir(mail_dir())
                  if n.startswith(prefix) and n.endswith(".eml"))


def ensure_mailer():
    smtp_fail(False)
    if sc.mailer_pid() is None:
        sc.start_mailer(via_stack=True)


class Transmissions:
    """Counts, cheaply, the deliveries.log lines of a tag appended since
    its creation (psql is too slow to catch a mailer doing ~300 mails/s)."""

    def __init__(self, tag):
        self.path = os.path.join(mail_dir(), "deliveries.log")
        self.needle = ("<test-%s-" % tag).encode()
        try:
            self.pos = os.path.getsize(self.path)
        except FileNotFoundError:
            self.pos = 0
        self.seen = 0

    def __call__(self):
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.pos)
                data = fh.read()
        except FileNotFoundError:
            return self.seen
        cut = data.rfind(b"\n") + 1
        self.pos += cut
        self.seen += data[:cut].count(self.needle)
        return self.seen


@test(slow=True)
def killed_mid_batch_no_mail_lost_or_stored_twice():
    ensure_mailer()
    n = 200
    tag = uuid.uuid4().hex
    transmitted = Transmissions(tag)
    ids = queue(tag, n)
    kills = 0
    try:
        while kills < 5:
            before = transmitted()
            if before >= n:
                break
            # wait for the (re)started mailer to make progress, kill it
            wait_until(lambda: transmitted() > before, 30, 0.002,
                       "mailer progress on the batch")
            if transmitted() >= n:
                break
            if sc.kill_mailer() is not None:
                kills += 1
            sc.start_mailer()
        ok(kills >= 3, "only %d kills happened mid-batch (the batch of %d "
           "went too fast)" % (kills, n))
        wait_until(lambda: sent_count(tag) == n, 60, 0.1,
                   "all %d rows sent" % n)
    finally:
        ensure_mailer()
    files = stored_files(tag)
    expected = sorted(i.strip("<>") + ".eml" for i in ids)
    eq(len(files), n, "stored messages of the batch")
    eq(files, expected, "one file per Message-ID")
    log = [d for d in deliveries() if d.message_id.startswith(
        "<test-%s-" % tag)]
    per_id = {}
    for d in log:
        per_id.setdefault(d.message_id, []).append(d.status)
    eq(sorted(per_id), sorted(ids), "every message was transmitted")
    for mid, statuses in per_id.items():
        eq(statuses[0], "stored", "first transmission of %s" % mid)
        ok(all(s == "duplicate" for s in statuses[1:]),
           "%s: later transmissions must be recognised as duplicates: %s"
           % (mid, statuses))
    # each of the mailer's MAIL_CONNECTIONS threads has at most one
    # outbox message in flight
    conns = int(os.environ.get("MAIL_CONNECTIONS") or 4)
    ok(len(log) <= n + kills * conns,
       "%d transmissions for %d messages and %d kills (at most one "
       "message in flight per connection and kill may be sent twice)" % (
           len(log), n, kills))
    # a stored message is the one queued
    msg = [m for m in mails("mailer.7@example.test")
           if m.get("Message-ID") == "<test-%s-7@x>" % tag]
    eq(len(msg), 1, "message 7 in the mailbox")
    eq(str(msg[0]["Subject"]), "Essai n°7")
    contains(mail_text(msg[0]), "message 7")


def outbox_row(mid):
    rows = psql("SELECT attempts, extract(epoch FROM next_attempt_at), "
                "last_error, sent_at IS NOT NULL, "
                "extract(epoch FROM created_at) "
                "FROM outbox WHERE message_id = :'p1'", mid)
    ok(rows, "no outbox row %s" % mid)
    a, nxt, err, sent, created = rows[0]
    return int(a), float(nxt), err, sent == "t", float(created)


@test(slow=True)
def smtp_refusal_retried_with_backoff_then_delivered_once():
    ensure_mailer()
    base = float(os.environ.get("MAIL_RETRY_BASE") or 30)
    want = 3 if base <= 2 else 1   # attempts to watch (time: base * 2^k)
    tag = uuid.uuid4().hex
    smtp_fail(True)
    try:
        mid = queue(tag, 1, "retry")[0]
        seen = {}       # attempts -> next_attempt_at

        def progress():
            a, nxt, err, sent, created = outbox_row(mid)
            ok(not sent, "sent while the SMTP server refuses everything")
            if a and a not in seen:
                ok(err, "attempt %d failed without last_error" % a)
                seen[a] = nxt
            return a >= want
        wait_until(progress, base * (2 ** want) + 20, 0.02,
                   "%d failed attempts of %s" % (want, mid))
        a, nxt, err, sent, created = outbox_row(mid)
        ok(err and err.strip(), "last_error empty after %d failures" % a)
        eq(stored_files(tag), [], "nothing stored while refused")
        eq(deliveries(mid), [], "no accepted transmission while refused")
        # next_attempt_at of attempt k is (time of attempt k) + base*2^(k-1),
        # and attempt k+1 cannot start before next_attempt_at of attempt k:
        # so each step is at least the doubled delay.
        ok(seen[1] - created >= base - 0.05,
           "first retry %.2fs after queueing, expected >= %s" % (
               seen[1] - created, base))
        for k in range(2, want + 1):
            step = seen[k] - seen[k - 1]
            ok(step >= base * 2 ** (k - 1) - 0.05,
               "delay before attempt %d: %.2fs, expected >= %s (%s)" % (
                   k + 1, step, base * 2 ** (k - 1), seen))
        if want >= 3:
            ok(seen[3] - seen[2] > 1.25 * (seen[2] - seen[1]),
               "the delay does not double: next_attempt_at %s" % seen)
    finally:
        smtp_fail(False)
    wait_until(lambda: outbox_row(mid)[3], base * 2 ** want + 20, 0.1,
               "%s delivered once the SMTP server accepts again" % mid)
    eq(stored_files(tag), [mid.strip("<>") + ".eml"])
    eq([d.status for d in deliveries(mid)], ["stored"],
       "exactly one accepted transmission")
    a, nxt, err, sent, created = outbox_row(mid)
    eq(a, max(seen) + 1, "attempts: the failed ones and the successful one")
    eq(err, None, "last_error cleared once sent")


@test
def signup_confirmation_mail_headers():
    ensure_mailer()
    addr = unique_email("confirm")
    c = Client("fcgi")
    r = c.submit("/signup", {
        "first_name": "Étienne", "last_name": "Dupré", "email": addr,
        "password": "un-mot-de-passe-solide", "gender": "male",
        "birth_date": "1979-03-21", "phone": "", "charter": "1",
        "street": "3 place Bellecour", "country": "FR",
        "postal_code": "69001", "city_code": "69381", "city_name": ""})
    redirects(r, "/signup/done", "sign-up")
    row = psql("SELECT o.message_id, o.subject FROM outbox o JOIN users u "
               "ON u.id = o.user_id WHERE u.email = :'p1'", addr)
    eq(len(row), 1, "one queued confirmation")
    mid, subject = row[0]
    host = re.sub(r"^\w+://", "", base_url()).split("/")[0].split(":")[0]
    matches(mid, r"^<[A-Za-z0-9_-]{16,}@%s>$" % re.escape(host),
            "Message-ID fixed at insert")
    msg = wait_mail(addr, timeout=30)
    eq(msg["Message-ID"], mid, "Message-ID of the delivered mail")
    eq([a.lower() for a in [str(x) for x in msg["To"].addresses[0:1]]],
       [addr], "To")
    eq(str(msg["Subject"]), "Confirmez votre adhésion")
    eq(subject, "Confirmez votre adhésion")
    with open(msg.path, "rb") as fh:
        raw = fh.read()
    head = raw.split(b"\r\n\r\n", 1)[0]
    m = re.search(rb"^Subject: (.*)$", head, re.M)
    ok(m and re.match(rb"^=\?UTF-8\?[BQ]\?", m.group(1).strip(), re.I),
       "raw Subject must be RFC 2047 encoded: %r" % (m and m.group(1)))
    decoded = str(email.header.make_header(email.header.decode_header(
        m.group(1).strip().decode("ascii"))))
    eq(decoded, "Confirmez votre adhésion")
    ok(all(b < 0x80 for b in head), "non-ASCII byte in the raw headers")
    contains(msg.get("From", ""), "@", "From")
    ok(msg["Date"], "Date header")
    found = [u for u in links(msg) if "/signup/confirm/" in u]
    ok(found and found[0].startswith(base_url() + "/signup/confirm/"),
       "confirmation link on BASE_URL: %s" % links(msg))
    contains(mail_text(msg), "Étienne")
    eq([d.status for d in deliveries(mid)], ["stored"],
       "delivered exactly once")


if __name__ == "__main__":
    raise SystemExit(run([__name__]))
