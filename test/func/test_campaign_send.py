# SPDX-License-Identifier: MIT
"""Campaign mail, sent by the mail worker (app/jobs/campaign.c) to the SMTP
sink: headers (RFC 8058 and the others) on every campaign mail and none on
transactional mail, escaping of the placeholders, exactly one mail per
recipient when the worker is killed with SIGKILL mid-campaign, pause,
resume, cancel, scheduled campaigns, SMTP refusals (5xx: failed and
suppressed; 4xx: retried), consent re-checked at claim time, and a sign-up
confirmation that does not wait behind a 45,000-recipient campaign.

Campaigns are made with SQL (INSERT INTO campaigns, then
campaign_start(id, NULL), as the back-office does) for members created
with SQL in French Guiana (973) and Mayotte (976), where no other module
creates members; every test deletes its members and the campaign mail
files it caused, so the other modules' mail scans stay fast.  Campaign
mail is read under var/mail/campaigns/ when the sink keeps it there, else
under var/mail/; the sink names a file after its Message-ID
<uuid.rid@domain>, so a campaign's files are found by name.
"""

import email.parser
import email.policy
import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import stackctl as sc

GUYANE = ("973", "97302", "97300")     # département, INSEE, postal code
MAYOTTE = ("976", "97611", "97600")
PREFIX = "cs."                          # e-mail prefix of our members


# ---- helpers --------------------------------------------------------------

def mail_domain():
    sender = os.environ.get("MAIL_FROM") or "civitas <no-reply@civitas.localhost>"
    return re.search(r"@([^>\s]+)", sender).group(1)


def campaign_files(cuuid):
    """{recipient id: path} of the campaign's stored mails (the sink keeps
    campaign mail under campaign_dir(), named after its Message-ID)."""
    out = {}
    d = campaign_dir()
    try:
        names = os.listdir(d)
    except FileNotFoundError:
        return out
    for n in names:
        if n.startswith(cuuid + ".") and n.endswith(".eml"):
            out[int(n[len(cuuid) + 1:].split("@")[0])] = os.path.join(d, n)
    return out


def parse(path):
    with open(path, "rb") as fh:
        msg = email.parser.BytesParser(policy=email.policy.default).parse(fh)
    msg.path = path
    return msg


def campaign_mail(cuuid, rid):
    path = campaign_files(cuuid).get(rid)
    ok(path, "no stored mail for recipient %s of %s" % (rid, cuuid))
    return parse(path)


class Transmissions:
    """deliveries.log lines of one campaign, read incrementally:
    .lines is a list of (message_id, status, rcpt)."""

    def __init__(self, cuuid):
        self.path = os.path.join(mail_dir(), "deliveries.log")
        self.needle = ("<%s." % cuuid).encode()
        self.pos = 0
        self.lines = []

    def __call__(self):
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.pos)
                data = fh.read()
        except FileNotFoundError:
            return len(self.lines)
        cut = data.rfind(b"\n") + 1
        self.pos += cut
        if self.needle in data[:cut]:
            for line in data[:cut].split(b"\n"):
                if self.needle in line:
                    p = line.decode("utf-8", "replace").split(" ")
                    self.lines.append((p[1], p[2], p[3] if len(p) > 3
                                       else ""))
        return len(self.lines)


def cleanup_members():
    """Our members (and through them their recipients rows) and the
    campaigns we made; mail files of those campaigns."""
    for (cuuid,) in psql("SELECT uuid FROM campaigns WHERE subject LIKE "
                         "'[cs]%'"):
        for path in campaign_files(cuuid).values():
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
    for (cid,) in psql("SELECT id FROM campaigns WHERE subject LIKE '[cs]%' "
                       "AND status IN ('sending', 'paused', 'scheduled')"):
        cancel(cid)
    psql("DELETE FROM users WHERE email LIKE :'p1' AND departement IN "
         "('973', '976')", PREFIX + "%")
    psql("DELETE FROM newsletter_subscribers WHERE email LIKE :'p1'",
         PREFIX + "%")
    psql("DELETE FROM suppressions WHERE email LIKE :'p1'", PREFIX + "%")


def new_members(n, first_name="Prénom", place=GUYANE, tag=None,
                emails=None):
    """n active members subscribed to 'national' (one INSERT), addressed
    cs.TAG.1@example.test... (or the given addresses); returns their
    addresses. first_name may hold {i}."""
    tag = tag or uuid.uuid4().hex[:10]
    if emails is None:
        emails = ["%s%s.%d@example.test" % (PREFIX, tag, i)
                  for i in range(1, n + 1)]
        source = ("SELECT :'p1' || i || '@example.test' AS e, i FROM "
                  "generate_series(1, %d) i" % n)
        first = "%s%s." % (PREFIX, tag)
    else:
        source = ("SELECT e, i FROM unnest(string_to_array(:'p1', ' ')) "
                  "WITH ORDINALITY AS a(e, i)")
        first = " ".join(emails)
    psql("WITH u AS (INSERT INTO users (email, password_hash, first_name, "
         "last_name, status, charter_accepted_at, city_insee, postal_code, "
         "country) SELECT a.e, 'x', replace(:'p2', '{i}', a.i::text), "
         "'Test', 'active', now(), :'p3', :'p4', 'FR' FROM (" + source +
         ") a RETURNING id) INSERT INTO user_subscriptions (user_id, type) "
         "SELECT id, 'national' FROM u", first, first_name, place[1],
         place[2])
    if n >= 1000:   # the planner must know (as it would in production)
        psql("ANALYZE users; ANALYZE user_subscriptions")
    return emails


def new_campaign(subject="Bonjour {first_name}", body_md=None,
                 body_html=None, deps="{973}", audience="members",
                 status="draft", scheduled="NULL"):
    """A campaign row; returns (id, uuid). Subjects start with [cs]."""
    body_md = body_md or ("Bonjour {first_name},\n\nNouvelles du mouvement."
                          "\n\nSe désabonner : {unsubscribe_url}")
    body_html = body_html or ("<p>Bonjour {first_name},</p>\n<p>Nouvelles "
                              "du mouvement.</p>\n<p><a href=\""
                              "{unsubscribe_url}\">Se désabonner</a></p>")
    row = psql("INSERT INTO campaigns (sender, subject, body_md, body_html, "
               "audience, departements, subscription_type, status, "
               "scheduled_at) VALUES ('admin', '[cs] ' || :'p1', :'p2', "
               ":'p3', :'p4', :'p5', 'national', :'p6', " + scheduled +
               ") RETURNING id, uuid",
               subject, body_md, body_html, audience, deps, status)
    return int(row[0][0]), row[0][1]


def start(cid):
    n = psql_value("SELECT campaign_start(:'p1', NULL)", cid)
    ok(n is not None, "campaign_start(%s) returned NULL" % cid)
    return int(n)


def cancel(cid):
    """Cancel as the back-office must: first the campaign (the mailers
    stop claiming its recipients; a batch in flight still records its
    outcomes), then, in a second transaction, its pending recipients
    (which waits for those batches only). In one transaction the two
    would deadlock with a batch recording its counters; recipients first
    would chase the mailers, which keep claiming ahead, to the end."""
    psql("UPDATE campaigns SET status = 'cancelled', cancelled_at = now() "
         "WHERE id = :'p1'", cid)
    psql("UPDATE campaign_recipients SET status = 'cancelled' WHERE "
         "campaign_id = :'p1' AND status = 'pending'", cid)


def campaign(cid):
    r = psql("SELECT status, total, sent, failed, skipped, "
             "finished_at IS NOT NULL FROM campaigns WHERE id = :'p1'", cid)[0]
    return {"status": r[0], "total": int(r[1]), "sent": int(r[2]),
            "failed": int(r[3]), "skipped": int(r[4]), "finished_at": r[5] == "t"}


def wait_finished(cid, timeout=120):
    return wait_until(lambda: campaign(cid)["status"] == "finished" and
                      campaign(cid), timeout, 0.1,
                      "campaign %s finished (now %s)" % (cid, campaign(cid)))


def recipients(cid):
    """{email: (id, status, attempts, error)}"""
    return {r[0]: (int(r[1]), r[2], int(r[3]), r[4]) for r in psql(
        "SELECT email, id, status, attempts, error FROM campaign_recipients "
        "WHERE campaign_id = :'p1'", cid)}


def in_flight(cid):
    """Recipients of cid locked by a mailer's batch right now."""
    return int(psql_value(
        "SELECT (SELECT count(*) FROM campaign_recipients WHERE campaign_id "
        "= :'p1' AND status = 'pending') - (SELECT count(*) FROM (SELECT 1 "
        "FROM campaign_recipients WHERE campaign_id = :'p1' AND status = "
        "'pending' FOR UPDATE SKIP LOCKED) x)", cid))


def ensure_mailer():
    smtp_fail(False)
    if sc.mailer_pid() is None:
        sc.start_mailer(via_stack=True)


def part(msg, ctype):
    for p in msg.walk():
        if p.get_content_type() == ctype:
            return p.get_content()
    return None


def fresh(fn):
    """Run a test between two clean-ups, with the mailer running."""
    def wrapper():
        ensure_mailer()
        cleanup_members()
        try:
            fn()
        finally:
            smtp_fail(False)
            ensure_mailer()
            cleanup_members()
    wrapper.__name__ = fn.__name__
    return wrapper


# ---- tests ----------------------------------------------------------------

@test
@fresh
def headers_on_every_campaign_mail_and_none_on_transactional():
    emails = new_members(3, first_name="Prénom{i}")
    cid, cuuid = new_campaign()
    eq(start(cid), 3, "recipients frozen")
    c = wait_finished(cid)
    eq((c["sent"], c["failed"], c["skipped"]), (3, 0, 0))
    ok(c["finished_at"], "finished_at set")
    dom = mail_domain()
    rows = recipients(cid)
    files = campaign_files(cuuid)
    eq(sorted(files), sorted(r[0] for r in rows.values()),
       "one stored mail per recipient")
    for addr, (rid, st, attempts, err) in rows.items():
        eq((st, attempts, err), ("sent", 1, None), addr)
        msg = parse(files[rid])
        eq(msg["Message-ID"], "<%s.%d@%s>" % (cuuid, rid, dom))
        eq(str(msg["To"]), addr)
        unsub = msg["List-Unsubscribe"]
        m = re.fullmatch(r"<(%s/unsubscribe/(\d+)\.(\d+)\.[A-Za-z0-9_-]{22})>"
                         r", <mailto:unsubscribe\+(\S+)@%s>"
                         % (re.escape(base_url()), re.escape(dom)), unsub)
        ok(m, "List-Unsubscribe: %r" % unsub)
        eq((int(m.group(2)), int(m.group(3))), (cid, rid), "token ids")
        eq(m.group(4), m.group(1).rsplit("/", 1)[1], "mailto token")
        eq(msg["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        lid = str(msg["List-Id"])
        ok(lid.endswith("<national.%s>" % dom) and
           "Les actualités du mouvement" in lid, "List-Id: %r" % lid)
        eq(msg["Feedback-ID"], "%d:admin:national:civitas" % cid)
        eq(msg["Precedence"], "bulk")
        env = msg["X-Civitas-Envelope-From"]
        matches(env, r"^bounces\+%d\.%d\.[A-Za-z0-9_-]{22}@%s$"
                % (cid, rid, re.escape(dom)), "VERP envelope sender")
        eq(msg.get_content_type(), "multipart/alternative")
        first = "Prénom%d" % (emails.index(addr) + 1)
        eq(str(msg["Subject"]), "[cs] Bonjour %s" % first)
        text, html = part(msg, "text/plain"), part(msg, "text/html")
        contains(text, "Bonjour %s," % first)
        contains(text, m.group(1), "unsubscribe URL in the text")
        contains(html, "<p>Bonjour %s,</p>" % first)
        contains(html, 'href="%s"' % m.group(1), "link in the HTML")
        not_contains(text + html, "{first_name}")
        not_contains(text + html, "{unsubscribe_url}")
        with open(files[rid], "rb") as fh:
            raw = fh.read()
        ok(max(len(x) for x in raw.split(b"\r\n")) <= 998, "line too long")
    # the same recipient's mail again is the same bytes (a re-send after
    # a crash): put one back to pending, remove its stored copy
    rid = rows[emails[0]][0]
    with open(files[rid], "rb") as fh:
        before = fh.read().split(b"\r\n", 3)[3]    # the sink's 3 lines
    os.unlink(files[rid])
    psql("UPDATE campaign_recipients SET status = 'pending' WHERE "
         "campaign_id = :'p1' AND id = :'p2'; UPDATE campaigns SET status "
         "= 'sending', sent = sent - 1 WHERE id = :'p1'", cid, rid)
    wait_finished(cid)
    with open(campaign_files(cuuid)[rid], "rb") as fh:
        after = fh.read().split(b"\r\n", 3)[3]
    eq(after, before, "a mail sent again must be the same bytes")
    # transactional mail: none of those headers; an HTML part when given
    mid = "<cs-%s@x>" % uuid.uuid4().hex
    to = unique_email("cs-tx")
    psql("INSERT INTO outbox (message_id, to_addr, subject, body_text, "
         "body_html) VALUES (:'p1', :'p2', 'Essai', 'Le texte', "
         "'<p>Le <b>HTML</b></p>')", mid, to)
    msg = wait_mail(to, timeout=30)
    for h in ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id",
              "Feedback-ID", "Precedence"):
        eq(msg[h], None, "%s on transactional mail" % h)
    eq(msg.get_content_type(), "multipart/alternative")
    eq(part(msg, "text/plain").strip(), "Le texte")
    eq(part(msg, "text/html").strip(), "<p>Le <b>HTML</b></p>")
    matches(msg["X-Civitas-Envelope-From"], r"^[^+]+@", "plain sender")


@test
@fresh
def first_name_escaped_in_html_raw_in_text():
    name = "<script>alert('x')</script>&"
    emails = new_members(1, first_name=name)
    cid, cuuid = new_campaign(subject="Pour {first_name}")
    start(cid)
    wait_finished(cid)
    rid = recipients(cid)[emails[0]][0]
    msg = campaign_mail(cuuid, rid)
    html, text = part(msg, "text/html"), part(msg, "text/plain")
    contains(html, "<p>Bonjour &lt;script&gt;alert(&#39;x&#39;)"
             "&lt;/script&gt;&amp;,</p>")
    not_contains(html, "<script>", "raw first name in the HTML part")
    contains(text, "Bonjour %s," % name)
    eq(str(msg["Subject"]), "[cs] Pour %s" % name)


@test(slow=True)
@fresh
def killed_three_times_every_recipient_gets_exactly_one_mail():
    n = 5000
    new_members(n)
    cid, cuuid = new_campaign()
    seen = Transmissions(cuuid)
    eq(start(cid), n)
    kills = 0
    try:
        while kills < 3:
            before = seen()
            wait_until(lambda: seen() > before, 60, 0.002,
                       "mailer progress on the campaign")
            if campaign(cid)["status"] == "finished":
                break
            if sc.kill_mailer(signal.SIGKILL) is not None:
                kills += 1
            sc.start_mailer()
    finally:
        ensure_mailer()
    eq(kills, 3, "kills made while the campaign was being sent")
    c = wait_finished(cid, 300)
    eq((c["sent"], c["failed"], c["skipped"], c["total"]), (n, 0, 0, n))
    eq(int(psql_value("SELECT count(*) FROM campaign_recipients WHERE "
                      "campaign_id = :'p1' AND status = 'sent'", cid)), n)
    seen()
    per_rcpt = {}
    for mid, status, rcpt in seen.lines:
        per_rcpt.setdefault(rcpt, []).append((mid, status))
    rows = recipients(cid)
    eq(sorted(per_rcpt), sorted(rows), "every recipient got a mail")
    ids = set()
    for addr, tx in per_rcpt.items():
        mids = {m for m, _ in tx}
        eq(len(mids), 1, "%s got different mails: %s" % (addr, tx))
        eq(mids.pop(), "<%s.%d@%s>" % (cuuid, rows[addr][0], mail_domain()))
        eq(tx[0][1], "stored", addr)
        ok(all(s == "duplicate" for _, s in tx[1:]), "%s: %s" % (addr, tx))
        ids.add(tx[0][0])
    eq(len(ids), n, "distinct Message-IDs")
    eq(len(campaign_files(cuuid)), n, "stored mails")
    resent = len(seen.lines) - n
    print("     (%d kills, %d mails sent again with their Message-ID)"
          % (kills, resent))


@test(slow=True)
@fresh
def pause_stops_claiming_resume_continues_cancel_marks_pending():
    n = 2000
    new_members(n)
    cid, cuuid = new_campaign()
    seen = Transmissions(cuuid)
    start(cid)
    wait_until(lambda: seen() > 0, 60, 0.002, "first mails")
    psql("UPDATE campaigns SET status = 'paused' WHERE id = :'p1'", cid)
    wait_until(lambda: in_flight(cid) == 0, 120, 0.05, "batches in flight")
    paused = campaign(cid)
    ok(paused["status"] == "paused" and 0 < paused["sent"] < n,
       "paused mid-way: %s" % paused)
    # a second campaign, started after the pause, is sent entirely while
    # the first (a lower id, claimed first when claimable) does not move
    new_members(5, place=MAYOTTE)
    cid2, _ = new_campaign(deps="{976}")
    start(cid2)
    wait_finished(cid2)
    eq(campaign(cid), paused, "the paused campaign moved")
    eq(seen(), paused["sent"], "mails of the paused campaign")
    psql("UPDATE campaigns SET status = 'sending' WHERE id = :'p1'", cid)
    c = wait_finished(cid, 300)
    eq((c["sent"], c["total"]), (n, n), "resumed to the end")
    # cancel: pending recipients become 'cancelled' and get nothing
    cid3, cuuid3 = new_campaign()
    seen3 = Transmissions(cuuid3)
    start(cid3)
    wait_until(lambda: seen3() > 0, 60, 0.002, "first mails")
    cancel(cid3)
    c = campaign(cid3)
    counts = dict((r[0], int(r[1])) for r in psql(
        "SELECT status, count(*) FROM campaign_recipients WHERE "
        "campaign_id = :'p1' GROUP BY 1", cid3))
    eq(c["status"], "cancelled")
    ok(0 < counts.get("cancelled", 0), "nothing cancelled: %s" % counts)
    eq(counts.get("sent", 0) + counts.get("cancelled", 0), n, str(counts))
    eq(c["sent"], counts.get("sent", 0), "sent counter")
    # the mailer goes on with other work, and never finishes a cancelled
    # campaign nor sends to its cancelled recipients
    cid4, _ = new_campaign(deps="{976}")
    start(cid4)
    wait_finished(cid4)
    eq(campaign(cid3)["status"], "cancelled")
    eq(seen3(), counts.get("sent", 0), "mails of the cancelled campaign")


@test(slow=True)
@fresh
def scheduled_campaign_starts_by_itself_when_due():
    emails = new_members(2)
    later, cuuid_later = new_campaign(status="scheduled",
                                      scheduled="now() + interval '1 day'")
    due, cuuid = new_campaign(status="scheduled",
                              scheduled="now() + interval '1 second'")
    c = wait_finished(due, 60)
    eq((c["total"], c["sent"]), (2, 2))
    rows = recipients(due)
    for addr in emails:
        msg = campaign_mail(cuuid, rows[addr][0])
        eq(msg["To"], addr)
    eq(campaign(later)["status"], "scheduled", "a campaign due tomorrow")
    eq(recipients(later), {}, "nothing frozen for tomorrow's campaign")


@test(slow=True)
@fresh
def smtp_5xx_fails_and_suppresses_4xx_is_retried():
    # the sink refuses a malformed address at RCPT with 553
    tag = uuid.uuid4().hex[:10]
    bad = "%s%s.bad@x@example.test" % (PREFIX, tag)
    good = new_members(1, tag=tag)[0]
    new_members(1, emails=[bad])
    cid, cuuid = new_campaign()
    eq(start(cid), 2)
    c = wait_finished(cid)
    eq((c["sent"], c["failed"]), (1, 1))
    rows = recipients(cid)
    eq(rows[good][1], "sent")
    rid, st, attempts, err = rows[bad]
    eq((st, attempts), ("failed", 1))
    matches(err or "", r"^553 ", "the server's reply kept")
    eq(psql("SELECT reason FROM suppressions WHERE email = :'p1'", bad),
       [("hard_bounce",)], "suppressed")
    eq(psql("SELECT kind, source, campaign_id, recipient_id FROM bounces "
            "WHERE email = :'p1'", bad), [("hard", "smtp", str(cid),
                                          str(rid))])
    ok(psql("SELECT 1 FROM consent_ledger WHERE email = :'p1' AND "
            "source = 'bounce'", bad), "ledger row")
    # 451 while .fail exists: pending with attempts and error, then sent
    soft = new_members(1, place=MAYOTTE)[0]
    cid2, cuuid2 = new_campaign(deps="{976}")
    smtp_fail(True)
    try:
        start(cid2)

        def refused():
            r = recipients(cid2)[soft]
            return r[1] == "pending" and r[2] >= 1 and r
        r = wait_until(refused, 60, 0.01, "a refused attempt")
    finally:
        smtp_fail(False)
    matches(r[3] or "", r"^451 ", "error of the refused attempt")
    eq(psql_value("SELECT count(*) FROM bounces WHERE email = :'p1' AND "
                  "kind = 'soft'", soft), str(r[2]), "soft bounces")
    c = wait_finished(cid2, 60)
    eq((c["sent"], c["failed"]), (1, 0))
    rid, st, attempts, err = recipients(cid2)[soft]
    eq((st, err), ("sent", None))
    ok(attempts >= 2, "attempts: %d" % attempts)
    eq(psql("SELECT 1 FROM suppressions WHERE email = :'p1'", soft), [],
       "a soft bounce or two do not suppress")
    eq(len([d for d in deliveries("<%s.%d@%s>" % (cuuid2, rid,
                                                  mail_domain()))]), 1)


@test
@fresh
def consent_gone_at_claim_time_is_skipped():
    tag = uuid.uuid4().hex[:10]
    sup, unsub, keep = new_members(3, tag=tag)
    news = "%s%s.news@example.test" % (PREFIX, tag)
    psql("INSERT INTO newsletter_subscribers (email, postal_code, "
         "departement, status, confirmed_at) VALUES (:'p1', '97300', '973', "
         "'confirmed', now())", news)
    cid, cuuid = new_campaign(audience="everyone")
    # frozen, then paused in the same transaction: nothing is claimed
    # before the consents change
    psql("BEGIN; SELECT campaign_start(:'p1', NULL); UPDATE campaigns SET "
         "status = 'paused' WHERE id = :'p1'; COMMIT", cid)
    eq(campaign(cid)["total"], 4)
    psql("INSERT INTO suppressions (email, reason) VALUES (:'p1', 'request')",
         sup)
    psql("DELETE FROM user_subscriptions WHERE user_id = (SELECT id FROM "
         "users WHERE email = :'p1')", unsub)
    psql("UPDATE newsletter_subscribers SET status = 'unsubscribed' WHERE "
         "email = :'p1'", news)
    psql("UPDATE campaigns SET status = 'sending' WHERE id = :'p1'", cid)
    c = wait_finished(cid)
    eq((c["sent"], c["skipped"], c["failed"]), (1, 3, 0))
    rows = recipients(cid)
    for addr in (sup, unsub, news):
        eq(rows[addr][1:3], ("skipped", 0), addr)
    eq(rows[keep][1], "sent")
    eq(sorted(campaign_files(cuuid)), [rows[keep][0]], "only one mail")


@test(slow=True)
@fresh
def signup_confirmation_not_stuck_behind_45000_recipients():
    n = 45000
    tag = uuid.uuid4().hex[:10]
    psql("WITH u AS (INSERT INTO users (email, password_hash, first_name, "
         "last_name, status, charter_accepted_at, city_insee, postal_code, "
         "country) SELECT :'p1' || i || '@example.test', 'x', 'Prénom' || i, "
         "'Test', 'active', now(), :'p2', :'p3', 'FR' FROM generate_series(1, "
         ":p4) i RETURNING id) INSERT INTO user_subscriptions (user_id, type) "
         "SELECT id, 'national' FROM u", PREFIX + tag + ".", GUYANE[1],
         GUYANE[2], n)
    psql("ANALYZE users; ANALYZE user_subscriptions")
    cid, cuuid = new_campaign()
    seen = Transmissions(cuuid)
    eq(start(cid), n)
    wait_until(lambda: seen() > 0, 60, 0.01, "the campaign going out")
    fields = signup_fields(email=unique_email("cs-confirm"))
    r = Client("fcgi").submit("/signup", fields)
    redirects(r, "/signup/done", "sign-up")
    mid = psql_value("SELECT o.message_id FROM outbox o JOIN users u ON "
                     "u.id = o.user_id WHERE u.email = :'p1'", fields["email"])
    wait_until(lambda: deliveries(mid), 30, 0.05,
               "the confirmation at the sink")
    c = campaign(cid)
    ok(c["status"] == "sending" and c["sent"] < n,
       "the campaign was still going out: %s" % c)
    cancel(cid)
    print("     (%d of %d campaign mails sent before the confirmation "
          "arrived)" % (c["sent"], n))
    # the stored confirmation (read by name: the mailbox is full of the
    # campaign's mails until the clean-up)
    msg = parse(os.path.join(mail_dir(), mid.strip("<>") + ".eml"))
    eq(msg["Message-ID"], mid)
    eq(str(msg["To"]), fields["email"])


class PipeliningServer:
    """A small SMTP server that offers PIPELINING and notes, for each
    command, what had already arrived when it was read: a client that
    waits for each reply never sends RCPT before MAIL's answer. Refuses
    RCPT to addresses holding "reject" with 550."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.log = []       # (command line, lines already buffered after it)
        self.messages = []  # (rcpt, data bytes as received, unstuffed)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(conn,),
                             daemon=True).start()

    def session(self, conn):
        buf = b""
        rcpt = None

        def line():
            nonlocal buf
            while b"\r\n" not in buf:
                chunk = conn.recv(65536)
                if not chunk:
                    raise EOFError
                buf += chunk
            ln, buf = buf.split(b"\r\n", 1)
            return ln
        try:
            conn.sendall(b"220 test ESMTP\r\n")
            while True:
                cmd = line()
                self.log.append((cmd, buf.count(b"\r\n")))
                verb = cmd[:4].upper()
                if verb == b"EHLO":
                    conn.sendall(b"250-test\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                elif verb == b"MAIL":
                    rcpt = None
                    conn.sendall(b"250 2.1.0 Ok\r\n")
                elif verb == b"RCPT":
                    if b"reject" in cmd:
                        conn.sendall(b"550 5.1.1 No such user here\r\n")
                    else:
                        rcpt = cmd[9:-1].decode()
                        conn.sendall(b"250 2.1.5 Ok\r\n")
                elif verb == b"DATA":
                    if rcpt is None:
                        conn.sendall(b"554 5.5.1 No valid recipients\r\n")
                        continue
                    conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    body = []
                    while True:
                        ln = line()
                        if ln == b".":
                            break
                        body.append(ln[1:] if ln.startswith(b".") else ln)
                    self.log.append((b"<end of data>", buf.count(b"\r\n")))
                    self.messages.append((rcpt, b"\r\n".join(body)))
                    conn.sendall(b"250 2.0.0 Ok: queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 Bye\r\n")
                    return
                else:   # RSET, NOOP
                    conn.sendall(b"250 2.0.0 Ok\r\n")
        except (EOFError, OSError):
            pass
        finally:
            conn.close()

    def close(self):
        self.sock.close()


@test
@fresh
def pipelining_dot_stuffing_and_rset_with_a_server_that_offers_it():
    server = PipeliningServer()
    tag = uuid.uuid4().hex[:10]
    good = new_members(3, tag=tag)
    rejected = "%s%s.0reject@example.test" % (PREFIX, tag)
    new_members(1, emails=[rejected])
    cid, cuuid = new_campaign(body_md="Bonjour {first_name},\n.point au "
                              "début\n..deux points\n.\nfin")
    sc.kill_mailer(signal.SIGTERM)
    binary = os.path.join(os.environ.get("BIN_DIR") or "build",
                          "civitas-mailer")
    env = dict(os.environ, SMTP_URL="smtp://127.0.0.1:%d" % server.port,
               MAIL_CONNECTIONS="1")
    with open(os.path.join(log_dir(), "mailer.log"), "ab") as log:
        proc = subprocess.Popen([binary], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        eq(start(cid), 4)
        c = wait_finished(cid, 60)
    finally:
        proc.terminate()
        proc.wait()
        server.close()
    eq((c["sent"], c["failed"]), (3, 1))
    rows = recipients(cid)
    eq(rows[rejected][1:4], ("failed", 1, "550 5.1.1 No such user here"))
    eq(sorted(r for r, _ in server.messages), sorted(good))
    cmds = [(c.split(b":")[0].split(b" ")[0].upper(), after)
            for c, after in server.log]
    names = [c for c, _ in cmds]
    first = names.index(b"MAIL")
    # the rejected address sorts first: MAIL RCPT(550) DATA(554), then
    # RSET before the next transaction
    eq(names[first:first + 4], [b"MAIL", b"RCPT", b"DATA", b"RSET"])
    for i, (name, after) in enumerate(cmds):
        if name == b"MAIL":
            ok(after >= 2, "RCPT and DATA were not sent with MAIL: %s"
               % server.log[i - 2:i + 4])
    ends = [after for name, after in cmds if name == b"<END"]
    eq(len(ends), 3)
    ok(all(a >= 3 for a in ends[:-1]), "the next message's MAIL, RCPT "
       "and DATA did not follow the end of data: %s" % ends)
    for rcpt, data in server.messages:
        text = email.parser.BytesParser(policy=email.policy.default) \
            .parsebytes(data)
        contains(part(text, "text/plain").replace("\r\n", "\n"),
                 "\n.point au début\n..deux points\n.\nfin\n")


if __name__ == "__main__":
    raise SystemExit(run([__name__]))
