# SPDX-License-Identifier: MIT
"""The fake payment provider (scripts/fake-paybox) speaks Paybox System:
its HMAC check, its signatures (checked by openssl), the notification
modes of its control API, subscriptions and ResAbon. Its notifications go
to a small HTTP server of the test, not to civitas (test_donations does
that part)."""

import http.client
import http.server
import os
import threading
import urllib.parse
import uuid

from civitas import *  # noqa: F401,F403


class Target:
    """A notification target: records every GET (its query and whether
    the browser return was already handed out) and answers the statuses
    queued in .answers (then 200)."""

    def __init__(self):
        self.got = []
        self.answers = []
        self.returned = threading.Event()
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                query = urllib.parse.urlsplit(self.path).query
                target.got.append((query, target.returned.is_set()))
                status = target.answers.pop(0) if target.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()
        self.url = "http://127.0.0.1:%d/donate/notify" % \
            self.server.server_address[1]

    def __enter__(self):
        paybox_reset()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        paybox_reset()

    def pay(self, total=5000, action="pay", monthly=None, **kw):
        ref = str(uuid.uuid4())
        form = paybox_form(total, ref, "donor@example.test", monthly=monthly,
                           repondre_a=self.url, **kw)
        url = paybox_pay(form, action)
        self.returned.set()
        return ref, dict(form), url


def fields(query):
    """The notification's fields, decoded, in order (Sign included)."""
    return urllib.parse.parse_qsl(query, keep_blank_values=True)


def post_page(pairs):
    body = urlencode(pairs).encode()
    conn = http.client.HTTPConnection("127.0.0.1", paybox_port(), timeout=30)
    try:
        conn.request("POST", "/cgi/MYchoix_pagepaiement.cgi", body=body,
                     headers={"Content-Type":
                              "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        return resp.status, resp.read().decode()
    finally:
        conn.close()


@test
def payment_page_shows_the_amount_and_three_buttons():
    st, page = post_page(paybox_form(5000, str(uuid.uuid4()),
                                     "a@example.test"))
    eq(st, 200, page)
    contains(page, 'lang="fr"')
    contains(html_text(page), "Paiement de 50,00 €")
    for label in ("Payer", "Refuser", "Annuler"):
        contains(page, ">%s</button>" % label)
    st, page = post_page(paybox_form(2000, str(uuid.uuid4()),
                                     "a@example.test", monthly=2000))
    eq(st, 200, page)
    contains(html_text(page), "20,00 € puis 20,00 € par mois")
    st, page = post_page(paybox_form(750000, "x", "a@example.test"))
    contains(html_text(page), "7 500,00 €")


@test
def a_bad_or_missing_hmac_is_refused_and_nothing_is_sent():
    with Target() as t:
        good = paybox_form(5000, "ref-1", "a@example.test",
                           repondre_a=t.url)
        forged = [(k, "9000" if k == "PBX_TOTAL" else v) for k, v in good]
        st, page = post_page(forged)
        eq(st, 400)
        contains(html_text(page), "HMAC")
        st, _ = post_page([kv for kv in good if kv[0] != "PBX_HMAC"])
        eq(st, 400)
        other_key = paybox_form(5000, "ref-1", "a@example.test",
                                key_hex="00" * 64, repondre_a=t.url)
        eq(post_page(other_key)[0], 400)
        # Another shop, correctly signed: refused too.
        eq(post_page(paybox_form(5000, "r", "a@example.test",
                                 PBX_SITE="1234567"))[0], 400)
        st, obj = paybox_control("pay", {"form": dict(forged),
                                         "action": "pay"})
        eq(st, 400, obj)
        eq(paybox_log(), [])
        eq(t.got, [])


@test
def paying_notifies_then_returns_with_a_signature_openssl_verifies():
    with Target() as t:
        ref, form, url = t.pay(5000)
        eq(len(t.got), 1)
        query, after_return = t.got[0]
        eq(after_return, False, "the notification comes before the return")
        f = fields(query)
        eq([k for k, _ in f], ["Mt", "Ref", "Auto", "Erreur", "idtrans",
                               "abo", "Sign"])
        d = dict(f)
        eq((d["Mt"], d["Ref"], d["Erreur"], d["abo"]),
           ("5000", ref, "00000", ""))
        matches(d["Auto"], r"^[0-9A-Z]{6}$")
        matches(d["idtrans"], r"^[0-9]+$")
        ok(paybox_verify(query), "openssl verifies the signature")
        # The exact bytes: any change breaks it.
        ok(not paybox_verify(query.replace("Mt=5000", "Mt=5001")))
        eq(url, form["PBX_EFFECTUE"] + "?" + query)
        eq(paybox_log()[0]["status"], 200)


@test
def signed_data_is_the_percent_encoded_fields():
    with Target() as t:
        ref = "réf/1 +&="
        form = paybox_form(1234, ref, "a@example.test", repondre_a=t.url)
        paybox_pay(form)
        query = t.got[0][0]
        contains(query, "Ref=r%C3%A9f%2F1%20%2B%26%3D&")
        eq(dict(fields(query))["Ref"], ref)
        ok(paybox_verify(query))


@test
def refusing_notifies_00105_and_cancelling_does_not_notify():
    with Target() as t:
        ref, form, url = t.pay(5000, action="refuse")
        eq(len(t.got), 1)
        d = dict(fields(t.got[0][0]))
        eq((d["Erreur"], d["Auto"], d["Ref"]), ("00105", "", ref))
        ok(paybox_verify(t.got[0][0]))
        ok(url.startswith(form["PBX_REFUSE"] + "?"), url)
        ref, form, url = t.pay(5000, action="cancel")
        eq(len(t.got), 1, "no notification for a cancel")
        ok(url.startswith(form["PBX_ANNULE"] + "?"), url)
        query = urllib.parse.urlsplit(url).query
        eq(dict(fields(query))["Erreur"], "00001")
        ok(paybox_verify(query))


@test
def transaction_numbers_are_unique_and_increasing():
    with Target() as t:
        for _ in range(5):
            t.pay(1000)
        ids = [int(dict(fields(q))["idtrans"]) for q, _ in t.got]
        eq(ids, sorted(set(ids)))
        eq(len(ids), 5)


@test
def mode_twice_sends_the_same_notification_twice():
    with Target() as t:
        eq(paybox_control("next", {"mode": "twice"})[0], 200)
        t.pay(5000)
        eq(len(t.got), 2)
        eq(t.got[0][0], t.got[1][0])
        t.pay(5000)
        eq(len(t.got), 3, "the mode applies to one payment only")


@test
def mode_never_sends_nothing_and_still_returns():
    with Target() as t:
        paybox_control("next", {"mode": "never"})
        ref, form, url = t.pay(5000)
        ok(url.startswith(form["PBX_EFFECTUE"] + "?"))
        eq(t.got, [])
        eq(paybox_log(), [])


@test
def mode_late_notifies_after_the_browser_return():
    with Target() as t:
        paybox_control("next", {"mode": "late", "delay": 1})
        ref, form, url = t.pay(5000)
        wait_until(lambda: t.got, timeout=20)
        eq(t.got[0][1], True, "notified after the return was handed out")
        eq(urllib.parse.urlsplit(url).query, t.got[0][0])


@test
def mode_bad_signature_flips_a_byte_of_the_signature():
    with Target() as t:
        paybox_control("next", {"mode": "bad_signature"})
        t.pay(5000)
        query = t.got[0][0]
        d = dict(fields(query))
        eq((d["Mt"], d["Erreur"]), ("5000", "00000"))
        ok(not paybox_verify(query), "the signature must not verify")
        t.pay(5000)
        ok(paybox_verify(t.got[1][0]), "next payment: normal again")


@test
def mode_wrong_amount_signs_mt_plus_100():
    with Target() as t:
        paybox_control("next", {"mode": "wrong_amount"})
        t.pay(5000)
        query = t.got[0][0]
        eq(dict(fields(query))["Mt"], "5100")
        ok(paybox_verify(query))


@test
def an_unknown_mode_is_refused():
    eq(paybox_control("next", {"mode": "sometimes"})[0], 400)


@test
def a_5xx_is_retried_and_a_4xx_is_not():
    with Target() as t:
        t.answers = [503, 500]
        t.pay(5000)
        eq(len(t.got), 3)
        eq(len(set(q for q, _ in t.got)), 1, "the same notification")
        eq([e["status"] for e in paybox_log()], [503, 500, 200])
        t.answers = [403]
        t.pay(5000)
        eq(len(t.got), 4, "a 403 is an answer: no retry")


@test
def control_notify_sends_signed_or_unsigned_queries():
    with Target() as t:
        st, obj = paybox_control("notify", {"query": "Mt=100&Ref=x",
                                            "sign": True, "url": t.url})
        eq((st, obj["status"]), (200, 200))
        ok(t.got[0][0].startswith("Mt=100&Ref=x&Sign="))
        ok(paybox_verify(t.got[0][0]))
        paybox_control("notify", {"query": "Mt=100&Ref=y", "sign": False,
                                  "url": t.url})
        eq(t.got[1][0], "Mt=100&Ref=y")
        eq([e["query"] for e in paybox_log()], [t.got[0][0], "Mt=100&Ref=y"])


@test
def the_library_signs_like_the_fake():
    data = "Mt=5000&Ref=abc&Auto=&Erreur=00000&idtrans=1&abo="
    eq(paybox_control("sign", {"data": data})[1]["sign"], paybox_sign(data))
    ok(paybox_verify(paybox_signed([("Mt", 5000), ("Ref", "abc")])))


@test
def reset_forgets_the_mode_and_the_log():
    with Target() as t:
        paybox_control("next", {"mode": "never"})
        paybox_control("notify", {"query": "a=1", "url": t.url})
        ok(paybox_log())
        paybox_reset()
        eq(paybox_log(), [])
        t.pay(5000)
        eq(len(t.got), 2, "the mode was forgotten")


def resabon(abo, ref, key_hex=None, **over):
    pairs = [("VERSION", "001"), ("TYPE", "001"),
             ("SITE", os.environ["PAYBOX_SITE"]),
             ("MACH", os.environ["PAYBOX_RANG"]),
             ("IDENTIFIANT", os.environ["PAYBOX_IDENTIFIANT"]),
             ("ABONNEMENT", abo), ("REFERENCE", ref),
             ("TIME", "2026-12-05T14:00:00+00:00"), ("HASH", "SHA512")]
    pairs = [(k, over.get(k, v)) for k, v in pairs]
    pairs.append(("HMAC", paybox_hmac(pairs, key_hex)))
    url = urllib.parse.urlsplit(os.environ["PAYBOX_RESABON_URL"])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("POST", url.path, body=urlencode(pairs).encode(),
                     headers={"Content-Type":
                              "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        return resp.status, resp.read().decode()
    finally:
        conn.close()


@test
def monthly_instalments_then_resabon_stops_them():
    with Target() as t:
        ref, form, url = t.pay(3000, monthly=2000)
        first = dict(fields(t.got[0][0]))
        abo = first["abo"]
        matches(abo, r"^[0-9]+$")
        eq((first["Mt"], first["Ref"]), ("3000", form["PBX_CMD"]))
        st, obj = paybox_control("instalment", {"abo": abo})
        eq((st, obj["status"]), (200, 200), obj)
        nxt = dict(fields(t.got[1][0]))
        eq((nxt["Mt"], nxt["Ref"], nxt["abo"], nxt["Erreur"]),
           ("2000", form["PBX_CMD"], abo, "00000"))
        eq(nxt["idtrans"], obj["idtrans"])
        ok(int(nxt["idtrans"]) > int(first["idtrans"]))
        ok(paybox_verify(t.got[1][0]))
        # ResAbon: a bad HMAC, an unknown subscription, another reference.
        eq(resabon(abo, ref, key_hex="11" * 64),
           (200, "ACQ=NO&ERREUR=4&IDENTIFIANT=%s&ABONNEMENT=%s"
            % (os.environ["PAYBOX_IDENTIFIANT"], abo)))
        eq(resabon("999999999", ref)[1].split("&")[:2], ["ACQ=NO", "ERREUR=9"])
        eq(resabon(abo, "not-" + ref)[1].split("&")[:2],
           ["ACQ=NO", "ERREUR=9"])
        eq(paybox_control("instalment", {"abo": abo})[0], 200,
           "still running after refused cancellations")
        eq(resabon(abo, ref),
           (200, "ACQ=OK&IDENTIFIANT=%s&ABONNEMENT=%s"
            % (os.environ["PAYBOX_IDENTIFIANT"], abo)))
        sent = len(t.got)
        eq(paybox_control("instalment", {"abo": abo})[0], 409)
        eq(len(t.got), sent, "no instalment after cancellation")
        eq(paybox_control("instalment", {"abo": "0"})[0], 404)


@test
def a_one_off_gift_has_no_subscription():
    with Target() as t:
        t.pay(5000)
        eq(dict(fields(t.got[0][0]))["abo"], "")
