# SPDX-License-Identifier: MIT
"""Unsubscribing and bounces: the signed /unsubscribe/{token} link (GET
page, one-click POST without a cookie), the signed bounce webhook, and
`civitas-fcgi inbound` behind the SMTP sink (bounce reports to the VERP
address, abuse reports, the mailto unsubscribe).

Campaigns and their recipients are made with SQL, already sent (status
'finished', recipients 'sent': the mail worker leaves them alone); tokens
come from `civitas-fcgi mail-token`, so the C code signs them.  Every
address is new, so counts are exact whatever else the database holds.
"""

import hashlib
import hmac
import json
import os
import signal
import smtplib
import subprocess
import threading
import time
import uuid

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import stackctl as sc

DOMAIN = "civitas.localhost"
NATIONAL = "Les actualités du mouvement"


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

def cli(*args, env=None, stdin=b""):
    """Run civitas-fcgi with args; (exit status, stdout, stderr)."""
    proc = subprocess.run([fcgi_binary()] + [str(a) for a in args],
                          input=stdin, env=env or os.environ,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=60)
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


def mail_token(purpose, cid, rid):
    rc, out, err = cli("mail-token", purpose, cid, rid)
    eq(rc, 0, "mail-token: %s" % err)
    return out.strip()


def member(types=("national", "events")):
    """An active member subscribed to types; (user id, email)."""
    email = unique_email("bounce")
    uid = psql_value(
        "INSERT INTO users (email, password_hash, first_name, last_name, "
        "status, charter_accepted_at, activated_at) VALUES (:'p1', 'x', "
        "'Camille', 'Lemoine', 'active', now(), now()) RETURNING id", email)
    psql("INSERT INTO user_subscriptions (user_id, type) SELECT :'p1', t "
         "FROM unnest(string_to_array(:'p2', ',')) t", uid, ",".join(types))
    return uid, email


def subscriptions(uid):
    return sorted(r[0] for r in psql(
        "SELECT type FROM user_subscriptions WHERE user_id = :'p1'", uid))


def campaign(recipients, type="national", audience="members",
             event_id=None):
    """A campaign already sent to recipients [(user id, subscriber id,
    email)] (ids 1, 2...); returns (campaign id, uuid)."""
    cid, cuuid = psql(
        "INSERT INTO campaigns (sender, subject, body_md, audience, "
        "subscription_type, event_id, status, started_at, finished_at, "
        "total, sent) VALUES ('admin', 'Nouvelles', 'Bonjour {first_name}', "
        ":'p1', :'p2', NULLIF(:'p3', '')::bigint, 'finished', now(), now(), "
        ":'p4', :'p4') RETURNING id, uuid",
        audience, type, event_id or "", len(recipients))[0]
    for i, (uid, sid, email) in enumerate(recipients, 1):
        psql("INSERT INTO campaign_recipients (campaign_id, id, user_id, "
             "subscriber_id, email, first_name, status, sent_at) VALUES "
             "(:'p1', :'p2', NULLIF(:'p3', '')::bigint, "
             "NULLIF(:'p4', '')::bigint, :'p5', 'Camille', 'sent', now())",
             cid, i, uid or "", sid or "", email)
    return cid, cuuid


def ledger(cid):
    """The unsubscribe rows of campaign cid: [(user id, email, type)]."""
    return psql("SELECT user_id, email, type FROM consent_ledger WHERE "
                "source = 'unsubscribe' AND detail = :'p1' AND NOT "
                "subscribed ORDER BY id", cid)


def suppression(email):
    rows = psql("SELECT reason FROM suppressions WHERE email = :'p1'", email)
    return rows[0][0] if rows else None


def bounces_of(email):
    return psql("SELECT kind, source, campaign_id, recipient_id, detail "
                "FROM bounces WHERE email = :'p1' ORDER BY id", email)


def one_click(token, client=None):
    """The RFC 8058 POST a mailbox provider makes: no cookie, no token
    field, through nginx."""
    return (client or Client("http")).post(
        "/unsubscribe/" + token, body=b"List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded")


# --------------------------------------------------------------------------
# The unsubscribe link
# --------------------------------------------------------------------------

@test
def unsubscribe_page_shows_one_button_and_changes_nothing():
    uid, email = member()
    cid, _ = campaign([(uid, None, email)])
    token = mail_token("unsubscribe", cid, 1)
    page = status(Client("http").get("/unsubscribe/" + token), 200)
    contains(page, "« %s »" % NATIONAL)
    contains(page, 'name="robots" content="noindex"')
    for personal in (email, "Camille", "Lemoine"):
        not_contains(page, personal)
    found = forms(page.text)
    form = [f for f in found if f.action == "/unsubscribe/" + token]
    eq(len(form), 1, "one form posting to the link: %s" % found)
    eq(form[0].method, "post")
    eq(page.text.count("<button"), 1, "one button")
    eq([f.action for f in found if f.method == "post"], ["/unsubscribe/" +
                                                         token])
    eq(subscriptions(uid), ["events", "national"], "a GET changes nothing")
    eq(ledger(cid), [])


@test
def one_click_post_without_cookie_unsubscribes_once():
    uid, email = member()
    cid, _ = campaign([(uid, None, email)])
    token = mail_token("unsubscribe", cid, 1)
    c = Client("http")
    resp = status(one_click(token, c), 200)
    eq(resp.location, None, "no redirection (to login or elsewhere)")
    contains(resp, "Désabonnement enregistré")
    contains(resp, NATIONAL)
    eq(subscriptions(uid), ["events"], "only the campaign's type is off")
    eq(ledger(cid), [(uid, None, "national")])
    # the same POST again, and the page's button: harmless
    status(one_click(token, c), 200)
    submit_page(c, status(c.get("/unsubscribe/" + token), 200))
    eq(subscriptions(uid), ["events"])
    eq(len(ledger(cid)), 1, "one ledger row however many clicks")


@test
def simultaneous_one_clicks_write_one_ledger_row():
    uid, email = member()
    cid, _ = campaign([(uid, None, email)])
    token = mail_token("unsubscribe", cid, 1)
    codes = []

    def click():
        codes.append(one_click(token, Client("fcgi")).status)
    threads = [threading.Thread(target=click) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    eq(codes, [200] * 12)
    eq(subscriptions(uid), ["events"])
    eq(len(ledger(cid)), 1)


@test
def subscriber_and_guest_are_unsubscribed_too():
    sub = unique_email("news")
    sid = psql_value("INSERT INTO newsletter_subscribers (email, "
                     "postal_code, departement, status, confirmed_at) "
                     "VALUES (:'p1', '69001', '69', 'confirmed', now()) "
                     "RETURNING id", sub)
    cid, _ = campaign([(None, sid, sub)])
    status(one_click(mail_token("unsubscribe", cid, 1)), 200)
    eq(psql_value("SELECT status FROM newsletter_subscribers WHERE id = "
                  ":'p1'", sid), "unsubscribed")
    eq(ledger(cid), [(None, sub, "newsletter")])
    status(one_click(mail_token("unsubscribe", cid, 1)), 200)
    eq(len(ledger(cid)), 1)
    # a guest registered to two events with their news: both stop
    guest = unique_email("guest")
    events = []
    for i in range(2):
        eid = psql_value(
            "INSERT INTO events (slug, organizer_name, name, description, "
            "begins_at, finishes_at, time_zone, online_url) VALUES "
            "(:'p1', 'Camille L.', 'Réunion en ligne', 'x', now() + "
            "interval '2 days', now() + interval '3 days', 'Europe/Paris', "
            "'https://visio.example') RETURNING id",
            "bounce-%s" % uuid.uuid4().hex[:12])
        psql("INSERT INTO event_registrations (event_id, email, first_name, "
             "last_name, news_optin, status, registered_at) VALUES (:'p1', "
             ":'p2', 'Dom', 'Invité', true, 'registered', now())", eid, guest)
        events.append(eid)
    cid, _ = campaign([(None, None, guest)], type="events", audience="event",
                      event_id=events[0])
    # RFC 8058 allows the one-click body as multipart/form-data too
    status(Client("http").post_multipart(
        "/unsubscribe/" + mail_token("unsubscribe", cid, 1),
        fields={"List-Unsubscribe": "One-Click"}), 200)
    eq(psql("SELECT news_optin FROM event_registrations WHERE email = "
            ":'p1'", guest), [("f",), ("f",)])
    eq(ledger(cid), [(None, guest, "events")])


@test
def tampered_tokens_do_nothing():
    (a, ea), (b, eb) = member(), member()
    cid, _ = campaign([(a, None, ea), (b, None, eb)])
    good = mail_token("unsubscribe", cid, 1)
    sig = good.split(".")[2]
    forged = set()
    for i, ch in enumerate(good):
        for other in ("A", "b", "9", "-", "_"):
            if other != ch and not (i == 0 and other in "-_"):
                forged.add(good[:i] + other + good[i + 1:])
                break
    forged |= {
        "%s.2.%s" % (cid, sig),                 # B's ids, A's signature
        mail_token("bounce", cid, 1),           # another purpose
        mail_token("unsubscribe", cid, 3),      # a recipient not there
        good[:-1], good + "A", "%s.1." % cid, "%s.01.%s" % (cid, sig),
        "0%s" % good, "-%s" % good, good.replace(".", "..", 1),
    }
    forged.discard(good)
    ok(len(forged) > len(good), "every character altered once")
    c = Client("fcgi")
    for token in sorted(forged):
        path = "/unsubscribe/" + token
        contains(status(c.get(path), 404, path), "Lien de désabonnement "
                 "invalide")
        status(one_click(token, c), 404, "POST " + path)
    eq(subscriptions(a), ["events", "national"])
    eq(subscriptions(b), ["events", "national"])
    eq(ledger(cid), [])
    # and the real link still works, for its recipient only
    status(one_click(good), 200)
    eq(subscriptions(a), ["events"])
    eq(subscriptions(b), ["events", "national"])


# --------------------------------------------------------------------------
# The webhook
# --------------------------------------------------------------------------

def sign(body, ts=None, secret=None):
    """The headers a provider sends: X-Civitas-Timestamp and
    X-Civitas-Signature = sha256=hex(HMAC-SHA256(secret, ts "." body))."""
    ts = str(int(time.time()) if ts is None else ts)
    key = (secret or os.environ["BOUNCE_WEBHOOK_SECRET"]).encode()
    mac = hmac.new(key, ts.encode() + b"." + body, hashlib.sha256)
    return {"X-Civitas-Timestamp": ts,
            "X-Civitas-Signature": "sha256=" + mac.hexdigest()}


def webhook(data, headers=None, raw=None, client=None, **sign_args):
    body = raw if raw is not None else json.dumps(data).encode()
    hdrs = sign(body, **sign_args) if headers is None else headers
    return (client or Client("http")).post(
        "/webhooks/bounces", body=body, headers=hdrs,
        content_type="application/json")


def problem(resp, code):
    status(resp, code)
    eq(resp.content_type, "application/problem+json")
    eq(resp.json()["status"], code)
    return resp.json()


@test
def webhook_hard_bounce_suppresses():
    uid, email = member()
    cid, cuuid = campaign([(uid, None, email)])
    resp = status(webhook({"email": email.upper(), "type": "hard",
                           "campaign_uuid": cuuid, "source": "ses",
                           "meta": {"smtp": "550 5.1.1"}}), 200)
    eq(resp.json(), {"recorded": True, "suppressed": True, "email": email})
    eq(suppression(email), "hard_bounce")
    kind, source, bcid, rid, detail = bounces_of(email)[0]
    eq((kind, source, bcid, rid), ("hard", "webhook", cid, "1"))
    eq(json.loads(detail), {"source": "ses", "meta": {"smtp": "550 5.1.1"}})
    eq(psql("SELECT user_id, type, source FROM consent_ledger WHERE email "
            "= :'p1'", email), [(uid, "all", "bounce")])


@test
def webhook_by_verp_finds_the_recipient():
    (a, ea), (b, eb) = member(), member()
    cid, _ = campaign([(a, None, ea), (b, None, eb)])
    verp = "bounces+%s@%s" % (mail_token("bounce", cid, 2), DOMAIN)
    resp = status(webhook({"verp": verp, "type": "complaint",
                           "email": ea}), 200)
    eq(resp.json()["email"], eb, "the signed address wins")
    eq(suppression(eb), "complaint")
    eq(suppression(ea), None)
    eq([r[:4] for r in bounces_of(eb)], [("complaint", "webhook", cid, "2")])
    forged = verp.replace("+%s." % cid, "+%s." % cid, 1).replace(".2.", ".1.")
    problem(webhook({"verp": forged, "type": "hard"}), 422)
    problem(webhook({"verp": "bounces+%s@x" % mail_token(
        "unsubscribe", cid, 1), "type": "hard"}), 422)
    eq(bounces_of(ea), [])


@test
def webhook_refuses_bad_signatures_and_replays():
    email = unique_email("hook")
    data = {"email": email, "type": "hard"}
    body = json.dumps(data).encode()
    now = int(time.time())
    cases = {
        "no signature": {},
        "no timestamp": {"X-Civitas-Signature":
                         sign(body)["X-Civitas-Signature"]},
        "another secret": sign(body, secret="not-the-secret-" * 3),
        "another body": sign(body + b" "),
        "another timestamp": dict(sign(body, ts=now), **{
            "X-Civitas-Timestamp": str(now + 1)}),
        "not hex": {"X-Civitas-Timestamp": str(now),
                    "X-Civitas-Signature": "sha256=" + "zz" * 32},
        "no prefix": {"X-Civitas-Timestamp": str(now),
                      "X-Civitas-Signature": sign(body)[
                          "X-Civitas-Signature"][7:]},
        "replayed, 6 minutes old": sign(body, ts=now - 360),
        "from the future": sign(body, ts=now + 360),
        "timestamp not a number": sign(body, ts="12ab"),
    }
    for name, headers in cases.items():
        p = problem(webhook(data, headers=headers), 401)
        ok(p["detail"], name)
    eq(bounces_of(email), [], "nothing recorded")
    # inside the window: heard once, the replay answered but not counted
    headers = sign(body, ts=now - 200)
    eq(status(webhook(data, headers=headers), 200).json()["recorded"], True)
    eq(status(webhook(data, headers=headers), 200).json(),
       {"duplicate": True})
    eq(len(bounces_of(email)), 1)


@test
def webhook_answers_problems_for_bad_reports():
    email = unique_email("hook")
    eq(problem(webhook(None, raw=b"{not json"), 400)["title"],
       "JSON invalide")
    problem(webhook(None, raw=b'["a"]'), 400)
    problem(webhook(None, raw=b""), 400)
    problem(webhook({"email": email, "type": "bounce"}), 422)
    problem(webhook({"email": email}), 422)
    problem(webhook({"type": "hard"}), 422)
    problem(webhook({"email": "not an address", "type": "hard"}), 422)
    problem(webhook({"email": email, "type": "hard",
                     "campaign_uuid": "1' OR '1'='1"}), 422)
    eq(bounces_of(email), [])
    # an unknown campaign: recorded without it
    status(webhook({"email": email, "type": "soft",
                    "campaign_uuid": str(uuid.uuid4())}), 200)
    eq([r[:4] for r in bounces_of(email)], [("soft", "webhook", None, None)])


@test
def three_soft_bounces_suppress():
    email = unique_email("soft")
    for i in range(3):
        resp = status(webhook({"email": email, "type": "soft",
                               "meta": {"n": i}}), 200)
        eq(resp.json()["suppressed"], i == 2, "after soft bounce %d" % i)
        eq(suppression(email), "soft_bounces" if i == 2 else None)


@test
def webhook_without_a_secret_is_unavailable():
    """A worker whose BOUNCE_WEBHOOK_SECRET is empty answers 503."""
    sock = os.path.join(run_dir(), "nosecret-%s.sock" % uuid.uuid4().hex[:8])
    env = dict(os.environ, BOUNCE_WEBHOOK_SECRET="")
    proc = subprocess.Popen(["spawn-fcgi", "-n", "-s", sock, "--",
                             fcgi_binary()], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    try:
        wait_until(lambda: os.path.exists(sock), 10, 0.02, "socket " + sock)
        body = json.dumps({"email": unique_email("x"), "type": "hard"})
        resp = fcgi_request("POST", "/webhooks/bounces", headers=dict(
            sign(body.encode(), secret="whatever-the-secret"),
            **{"Content-Type": "application/json"}), body=body.encode(),
            socket_path=sock)
        contains(problem(resp, 503)["detail"], "webhook non configuré")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        if os.path.exists(sock):
            os.unlink(sock)


# --------------------------------------------------------------------------
# Mail to our own addresses, through the SMTP sink
# --------------------------------------------------------------------------

def dsn(recipient, action="failed", status_code="5.1.1", message_id=None):
    """A delivery status notification as Postfix writes it."""
    boundary = "B%s/mx.example.org" % uuid.uuid4().hex[:8]
    return (
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <%s@mx.example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        "\tboundary=\"%s\"\r\n\r\n"
        "--%s\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n\r\n"
        "--%s\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        "Final-Recipient: rfc822; %s\r\nAction: %s\r\nStatus: %s\r\n"
        "Diagnostic-Code: smtp; 550 %s User unknown\r\n\r\n"
        "--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "Message-ID: <%s>\r\n\r\n--%s--\r\n" % (
            message_id or uuid.uuid4().hex, boundary, boundary, boundary,
            recipient, action, status_code, status_code, boundary,
            message_id or "x@y", boundary)).encode()


def arf(recipient):
    """An RFC 5965 abuse report."""
    return (
        "From: fbl@isp.example\r\nSubject: FW: Nouvelles\r\n"
        "Message-ID: <%s@isp.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=feedback-report; "
        "boundary=arf\r\n\r\n"
        "--arf\r\nContent-Type: text/plain\r\n\r\nAbuse report.\r\n"
        "--arf\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nUser-Agent: isp/1.0\r\nVersion: 1\r\n"
        "Original-Rcpt-To: %s\r\n\r\n"
        "--arf\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\n"
        "y\r\n--arf--\r\n" % (uuid.uuid4().hex, recipient)).encode()


def smtp_send(rcpt, message, sender=""):
    """Mail message to rcpt through the stack's SMTP sink, as a remote
    MTA would (a bounce has the null sender)."""
    port = int(os.environ.get("SMTP_PORT", "2525"))
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        return s.sendmail(sender, [rcpt], message)


@test
def dsn_to_the_verp_address_suppresses():
    (a, ea), (b, eb) = member(), member()
    cid, _ = campaign([(a, None, ea), (b, None, eb)])
    verp = "bounces+%s@%s" % (mail_token("bounce", cid, 1), DOMAIN)
    msgid = "dsn-%s@mx.example.org" % uuid.uuid4().hex
    eq(smtp_send(verp, dsn(ea, message_id=msgid)), {})
    eq(suppression(ea), "hard_bounce")
    kind, source, bcid, rid, detail = bounces_of(ea)[0]
    eq((kind, source, bcid, rid), ("hard", "dsn", cid, "1"))
    contains(detail, "5.1.1 failed: 550 5.1.1 User unknown")
    eq(suppression(eb), None)
    eq([m for m in mails() if msgid in str(m.get("Message-ID"))], [],
       "handed over, not stored")
    # a delay is a soft bounce; an auto-reply and a forged VERP address
    # are dropped (250, nothing recorded)
    verp_b = "bounces+%s@%s" % (mail_token("bounce", cid, 2), DOMAIN)
    eq(smtp_send(verp_b, dsn(eb, "delayed", "4.4.7")), {})
    eq([r[:2] for r in bounces_of(eb)], [("soft", "dsn")])
    eq(suppression(eb), None)
    eq(smtp_send(verp_b, b"Subject: Absent\r\n\r\nJe suis absent.\r\n"), {})
    forged = verp_b.replace("+%s.2." % cid, "+%s.1." % cid)
    eq(smtp_send(forged, dsn(ea)), {})
    eq(len(bounces_of(eb)), 1)
    eq(len(bounces_of(ea)), 1)


@test
def arf_complaint_suppresses():
    uid, email = member()
    cid, _ = campaign([(uid, None, email)])
    verp = "bounces+%s@%s" % (mail_token("bounce", cid, 1), DOMAIN)
    eq(smtp_send(verp, arf(email)), {})
    eq(suppression(email), "complaint")
    eq([r[:4] for r in bounces_of(email)], [("complaint", "dsn", cid, "1")])
    eq(psql("SELECT user_id, type, source FROM consent_ledger WHERE email "
            "= :'p1'", email), [(uid, "all", "complaint")])


@test
def mailto_unsubscribe_through_the_sink():
    uid, email = member()
    cid, _ = campaign([(uid, None, email)])
    addr = "unsubscribe+%s@%s" % (mail_token("unsubscribe", cid, 1), DOMAIN)
    eq(smtp_send(addr, b"Subject: unsubscribe\r\n\r\n", sender=email), {})
    eq(subscriptions(uid), ["events"])
    eq(ledger(cid), [(uid, None, "national")])
    eq(smtp_send(addr, b"Subject: unsubscribe\r\n\r\n", sender=email), {})
    eq(len(ledger(cid)), 1)
    # the bounce token is no unsubscribe token
    (b, eb) = member()
    cid2, _ = campaign([(b, None, eb)])
    eq(smtp_send("unsubscribe+%s@%s" % (mail_token("bounce", cid2, 1),
                                        DOMAIN), b"\r\n"), {})
    eq(subscriptions(b), ["events", "national"])


@test
def inbound_exit_codes():
    uid, email = member()
    cid, _ = campaign([(uid, None, email)])
    verp = "bounces+%s@%s" % (mail_token("bounce", cid, 1), DOMAIN)
    # PostgreSQL unreachable: 75, so that the MTA keeps the mail
    down = dict(os.environ, DATABASE_URL="postgresql://civitas@/civitas?"
                "host=/nonexistent-%s" % uuid.uuid4().hex[:6],
                DB_TIMEOUT_MS="500")
    rc, _, err = cli("inbound", verp, env=down, stdin=dsn(email))
    eq(rc, 75, err)
    rc, _, err = cli("inbound", verp.replace("bounces+", "unsubscribe+"),
                     env=down, stdin=b"")
    eq(rc, 0, "a bad token is dropped before PostgreSQL: %s" % err)
    rc, _, _ = cli("inbound", "unsubscribe+%s@%s" % (mail_token(
        "unsubscribe", cid, 1), DOMAIN), env=down)
    eq(rc, 75)
    eq(bounces_of(email), [])
    eq(subscriptions(uid), ["events", "national"])
    # handled, or dropped: 0
    for address in ("", "postmaster@" + DOMAIN, "bounces+@" + DOMAIN,
                    "bounces+%s@%s" % ("x" * 500, DOMAIN)):
        rc, _, err = cli("inbound", address, stdin=dsn(email))
        eq(rc, 64 if address == "" else 0, "%r: %s" % (address, err))
    eq(bounces_of(email), [])
    rc, _, err = cli("inbound", "<%s>" % verp, stdin=dsn(email))
    eq(rc, 0, err)
    eq(suppression(email), "hard_bounce")
    # a huge message is read whole and answered
    rc, _, _ = cli("inbound", verp, stdin=b"x" * (11 * 1024 * 1024))
    eq(rc, 0)


@test(slow=True)
def report_during_a_postgresql_freeze_is_deferred_then_recorded():
    """The sink answers 451 while `inbound` cannot reach PostgreSQL (exit
    75), so the sending MTA keeps the report; sent again, it counts."""
    uid, email = member()
    cid, _ = campaign([(uid, None, email)])
    verp = "bounces+%s@%s" % (mail_token("bounce", cid, 1), DOMAIN)
    message = dsn(email)
    stopped = []
    try:
        stopped = sc.pause_postgres()
        try:
            smtp_send(verp, message)
        except smtplib.SMTPDataError as exc:
            eq(exc.smtp_code, 451)
        else:
            raise AssertionError("accepted while PostgreSQL was frozen")
    finally:
        sc.resume_postgres(stopped)
    eq(bounces_of(email), [])
    eq(smtp_send(verp, message), {})
    eq(suppression(email), "hard_bounce")
