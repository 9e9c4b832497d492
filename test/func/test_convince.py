# SPDX-License-Identifier: MIT
"""Convaincre un ami (issue 10, sections 1 and 2): the workflow engine
through /convince without JavaScript, through nginx, ending with the mail
in the SMTP sink; refusals (skipped step, forged transition, replayed and
concurrent final POSTs), expiry, Recommencer, a restart of the workers,
going back; the 24-hour rule across two visitors, the hourly limit, each
validation message; the opt-out link; /admin/convince (audited, admins
only) and its CSV (counts, no address)."""

import os
import re
import signal
import threading

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import stackctl as sc

STEP_FORM = "#convince-form"


# ---- helpers ------------------------------------------------------------

def visitor():
    return Client("http", client_ip=sc.random_client_ip())


def busy_visitor():
    """A visitor who posts more steps than nginx lets one client post in a
    minute (civitas_steps, 20/min, burst 20: test_nginx_issue10.py): over
    the FastCGI socket, where the workers' own limits are what is tested."""
    return Client("fcgi", client_ip=sc.random_client_ip())


def choices(kind):
    """[(id, label, paragraph)] of the active choices of kind, in order."""
    return psql("SELECT id, label, paragraph FROM convince_choices "
                "WHERE kind = :'p1' AND active ORDER BY position, id", kind)


def state_key(c):
    return "wf:convince:v:" + c.cookies["visitor"]


def place(c):
    return redis_cli("HGET", state_key(c), "place").strip()


def step(c, fields, expect=303):
    resp = c.submit("/convince", fields, STEP_FORM)
    if expect == 303:
        redirects(resp, "/convince")
    else:
        status(resp, expect)
    return resp


def about(first_name="Léa", age="34", gender="female", situation=None):
    return {"first_name": first_name, "age": age, "gender": gender,
            "situation": situation or choices("situation")[0][0]}


def picks(kind, prefix, n=2, skip=0):
    return {prefix + i: "1" for i, _, _ in choices(kind)[skip:skip + n]}


def to_summary(c, **kw):
    step(c, about(**kw))
    step(c, {"concern": choices("concern")[0][0]})
    step(c, picks("interest", "interest_"))
    step(c, picks("reason", "reason_"))
    eq(place(c), "resume")


def author(friend, **over):
    fields = {"author_first_name": "Marie", "author_last_name": "Curie",
              "author_email": unique_email("auteur"), "friend_email": friend,
              "copy": None}
    fields.update(over)
    return fields


def outbox_to(addr):
    return int(psql_value("SELECT count(*) FROM outbox WHERE to_addr = "
                          ":'p1'", addr))


def final_pairs(c, friend, **over):
    """The summary form as a browser would post it (CSRF token included)."""
    page = status(c.get("/convince"), 200)
    form = find_form(page.text, STEP_FORM)
    values = dict(form.submission())
    values.update({k: v for k, v in author(friend, **over).items()
                   if v is not None})
    return values


# ---- the whole run -------------------------------------------------------

@test
def a_full_run_without_javascript_mails_the_friend():
    c = visitor()
    page = status(c.get("/convince"), 200)
    ok("Étape 1 sur 5" in page.text)
    cookie = [h for h in page.headers.get_all("Set-Cookie")
              if h.startswith("visitor=")][0]
    ok("HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie)
    eq(len(c.cookies["visitor"]), 43, "256 random bits, base64url")
    to_summary(c, first_name="Léa", gender="female")
    page = status(c.get("/convince"), 200)
    values = find_form(page.text, STEP_FORM).values()
    ok(values["subject"].startswith("Léa"), values["subject"])
    friend = unique_email("ami")
    fields = author(friend, copy="1")
    run = redis_cli("HGET", state_key(c), "run").strip()
    resp = c.submit("/convince", fields, STEP_FORM)
    redirects(resp, "/convince/sent")
    thanks = status(c.follow(resp), 200)
    ok("Léa" in thanks.text and "Merci" in thanks.text)
    msg = wait_mail(friend)
    sender = str(msg["From"])
    ok("Marie Curie (via civitas)" in sender, sender)
    ok(sender.endswith("<no-reply@civitas.localhost>"),
       "the From address stays ours: %s" % sender)
    eq(str(msg["Reply-To"]), fields["author_email"])
    body = mail_text(msg)
    # the paragraphs, in the order
    order = [choices("intro")[0][2].replace("{prenom}", "Léa"),
             choices("gender_female")[0][2]]
    order += [p for _, _, p in choices("reason")[:2]]
    order += [choices("situation")[0][2]]
    order += [p for _, _, p in choices("interest")[:2]]
    order += [choices("concern")[0][2], choices("conclusion")[0][2]]
    at = [body.find(p.splitlines()[0]) for p in order]
    ok(all(i >= 0 for i in at), "every paragraph in the mail: %s" % at)
    eq(at, sorted(at), "paragraphs in order")
    ok("Bonjour Léa" in body)
    copy = wait_mail(fields["author_email"], "Copie")
    ok(choices("conclusion")[0][2].splitlines()[0] in mail_text(copy))
    # what is kept: the run and its arguments, no address
    eq(psql_value("SELECT count(*) FROM convince_send_choices "
                  "WHERE run_id = :'p1'", run), "6")
    kept = psql_value("SELECT coalesce(string_agg(t::text, ' '), '') FROM "
                      "(SELECT row_to_json(s) t FROM convince_sends s) x")
    ok(friend not in kept and "@" not in kept, "no address kept")
    eq(outbox_to(friend), 1)
    eq(psql_value("SELECT category FROM outbox WHERE to_addr = :'p1'",
                  friend), "invitation")
    # the opt-out link: GET changes nothing, the button suppresses
    link = [u for u in links(msg) if "/optout/" in u][0]
    page = status(c.get(path_of(link)), 200)
    ok(friend in page.text)
    eq(psql_value("SELECT count(*) FROM suppressions WHERE email = :'p1'",
                  friend), "0")
    other = visitor()
    resp = other.submit(path_of(link), {}, path_of(link))
    status(resp, 200)
    eq(psql_value("SELECT reason FROM suppressions WHERE email = :'p1'",
                  friend), "request")
    eq(psql_value("SELECT count(*) FROM consent_ledger WHERE email = :'p1' "
                  "AND type = 'all' AND NOT subscribed", friend), "1")
    status(other.submit(path_of(link), {}, path_of(link)), 200)
    eq(psql_value("SELECT count(*) FROM consent_ledger WHERE email = :'p1'",
                  friend), "1", "one ledger row, the first time")
    # an invitation to that address is dropped now
    psql("INSERT INTO outbox (message_id, to_addr, subject, body_text, "
         "category) VALUES ('<x-' || gen_random_uuid() || '@t>', :'p1', "
         "'x', 'x', 'invitation')", friend)
    eq(outbox_to(friend), 1)


@test
def the_optout_link_cannot_be_forged():
    c = visitor()
    friend = unique_email("ami")
    to_summary(c)
    redirects(c.submit("/convince", author(friend), STEP_FORM),
              "/convince/sent")
    link = path_of([u for u in links(wait_mail(friend))
                    if "/optout/" in u][0])
    token = link.rsplit("/", 1)[1]
    enc, sig = token.split(".")
    import base64
    other = base64.urlsafe_b64encode(b"victime@example.test").decode()
    for bad in ("%s.%s" % (other.rstrip("="), sig), enc + "." + "A" * 22,
                enc, "x.y", enc + "." + sig[:-1]):
        status(c.get("/optout/" + bad), 404)
    token_page = status(c.get(link), 200)
    csrf = csrf_of(token_page)
    status(c.post("/optout/%s.%s" % (other.rstrip("="), sig),
                  {"_csrf": csrf}), 404)
    eq(psql_value("SELECT count(*) FROM suppressions WHERE email = "
                  "'victime@example.test'"), "0")


# ---- refusals ------------------------------------------------------------

@test
def a_skipped_step_is_refused_and_changes_nothing():
    c = visitor()
    page = status(c.get("/convince"), 200)
    token = csrf_of(page)
    fields = dict(picks("interest", "interest_"), _csrf=token,
                  transition="interets")
    resp = status(c.post("/convince", fields), 409)
    ok("Étape 1 sur 5" in resp.text, "the current step is shown")
    ok("rien n'a été enregistré" in html_text(resp.text))
    eq(redis_cli("EXISTS", state_key(c)).strip(), "0")
    step(c, about())
    resp = status(c.post("/convince", dict(
        picks("reason", "reason_"), _csrf=token, transition="raisons")), 409)
    ok("Étape 2 sur 5" in resp.text)
    eq(place(c), "preoccupation")


@test
def a_forged_transition_is_refused():
    c = visitor()
    token = csrf_of(status(c.get("/convince"), 200))
    for name in ("pirate", "envoyer", "modifier_raisons", ""):
        resp = status(c.post("/convince", dict(about(), _csrf=token,
                                                transition=name)), 409)
        ok("Étape 1 sur 5" in resp.text, name)
    resp = status(c.post("/convince", dict(about(), _csrf=token)), 409)
    ok("Cette étape n'existe pas" in html_text(resp.text))
    eq(redis_cli("EXISTS", state_key(c)).strip(), "0")


@test
def a_replayed_final_post_sends_one_mail():
    c = visitor()
    to_summary(c)
    friend = unique_email("ami")
    pairs = final_pairs(c, friend)
    redirects(c.post("/convince", pairs), "/convince/sent")
    resp = status(c.post("/convince", pairs), 409)
    ok("déjà terminé" in resp.text, resp.text[:300])
    wait_mail(friend)
    eq(outbox_to(friend), 1)


@test
def two_simultaneous_final_posts_send_one_mail():
    c = visitor()
    to_summary(c)
    friend = unique_email("ami")
    pairs = final_pairs(c, friend)
    results = []

    def post():
        d = Client("http", client_ip=sc.random_client_ip())
        for k, v in c.cookies.items():
            d.set_cookie(k, v)
        results.append(d.post("/convince", pairs).status)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(results.count(303), 1, "one send applied: %s" % results)
    ok(set(results) <= {303, 409, 429}, results)
    wait_mail(friend)
    eq(outbox_to(friend), 1)
    eq(place(c), "envoye")


@test
def a_double_submitted_step_applies_once():
    c = visitor()
    step(c, about())
    token = csrf_of(status(c.get("/convince"), 200))
    fields = {"_csrf": token, "transition": "preoccupation",
              "concern": choices("concern")[0][0]}
    results = []

    def post():
        d = Client("http", client_ip=sc.random_client_ip())
        for k, v in c.cookies.items():
            d.set_cookie(k, v)
        results.append(d.post("/convince", fields).status)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(results.count(303), 1, results)
    eq(place(c), "interets")


# ---- time, restart, going back --------------------------------------------

@test
def the_state_expires_after_an_hour_idle():
    c = visitor()
    step(c, about())
    ttl = int(redis_cli("TTL", state_key(c)))
    ok(3500 < ttl <= 3600, "idle TTL of an hour: %d" % ttl)
    status(c.get("/convince"), 200)
    ok(int(redis_cli("TTL", state_key(c))) > 3500, "a visit renews it")
    # an hour passes: Redis forgets the key
    redis_cli("PEXPIRE", state_key(c), "1")
    wait_until(lambda: redis_cli("EXISTS", state_key(c)).strip() == "0",
               10, 0.05)
    page = status(c.get("/convince"), 200)
    ok("Étape 1 sur 5" in page.text)
    eq(find_form(page.text, STEP_FORM).values()["first_name"], "")


@test
def recommencer_clears_the_run():
    c = visitor()
    step(c, about(first_name="Paul"))
    run = redis_cli("HGET", state_key(c), "run").strip()
    redirects(c.submit("/convince", {},
                       "/convince/recommencer"), "/convince")
    page = status(c.get("/convince"), 200)
    ok("Étape 1 sur 5" in page.text and "Paul" not in page.text)
    step(c, about())
    ok(redis_cli("HGET", state_key(c), "run").strip() != run, "a new run")


@test(slow=True)
def the_run_survives_a_restart_of_the_workers():
    c = visitor()
    step(c, about(first_name="Inès"))
    step(c, {"concern": choices("concern")[1][0]})
    before = sc.wait_workers()
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not set(sc.worker_pids()) & set(before) and
               len(sc.worker_pids()) == sc.expected_workers(), 30, 0.1)
    wait_until(lambda: c.get("/convince").status == 200, 30, 0.2)
    page = status(c.get("/convince"), 200)
    ok("Étape 3 sur 5" in page.text, "the visitor is where they were")
    step(c, picks("interest", "interest_"))
    eq(place(c), "raisons")


@test
def going_back_keeps_the_later_answers():
    c = visitor()
    to_summary(c, first_name="Léa")
    concern = choices("concern")[0][0]
    # "Modifier" of step 1: a button, no JavaScript
    resp = c.submit("/convince", {"transition": "modifier_ami"}, "/convince")
    redirects(resp, "/convince")
    eq(place(c), "ami")
    page = status(c.get("/convince"), 200)
    eq(find_form(page.text, STEP_FORM).values()["first_name"], "Léa")
    step(c, about(first_name="Zoé"))
    page = status(c.get("/convince"), 200)
    ok('value="%s" checked' % concern in page.text,
       "the concern is still chosen")
    step(c, {})     # as it is
    page = status(c.get("/convince"), 200)
    for i, _, _ in choices("interest")[:2]:
        ok('name="interest_%s" value="1" checked' % i in page.text)
    step(c, {})
    step(c, {})
    eq(place(c), "resume")
    page = status(c.get("/convince"), 200)
    ok("Bonjour Zoé" in page.text)
    # from the summary straight back to step 3, and forward again
    redirects(c.submit("/convince", {"transition": "modifier_interets"},
                       "/convince"),
              "/convince")
    eq(place(c), "interets")


# ---- abuse limits ----------------------------------------------------------

@test
def one_mail_per_friend_in_24_hours_whoever_sends_it():
    friend = unique_email("ami")
    a = visitor()
    to_summary(a)
    redirects(a.submit("/convince", author(friend), STEP_FORM),
              "/convince/sent")
    b = visitor()
    to_summary(b)
    resp = b.submit("/convince", author(friend.upper(),
                                        author_first_name="Jean",
                                        author_last_name="Moulin"),
                    STEP_FORM)
    status(resp, 422)
    ok("24 heures" in field_errors(resp.text).get("friend_email", ""),
       field_errors(resp.text))
    eq(place(b), "resume", "nothing changed")
    wait_mail(friend)
    eq(outbox_to(friend), 1)
    # the same sender may write to someone else
    redirects(b.submit("/convince", author(unique_email("ami"),
                                           author_first_name="Jean",
                                           author_last_name="Moulin"),
                       STEP_FORM), "/convince/sent")


@test(slow=True)
def at_most_five_sends_per_visitor_per_hour():
    c = busy_visitor()
    sent = []
    for i in range(5):
        to_summary(c)
        friend = unique_email("ami")
        redirects(c.submit("/convince", author(friend), STEP_FORM),
                  "/convince/sent")
        sent.append(friend)
        redirects(c.submit("/convince/sent", {},
                           "/convince/recommencer"), "/convince")
    to_summary(c)
    friend = unique_email("ami")
    resp = c.submit("/convince", author(friend), STEP_FORM)
    status(resp, 429)
    ok("5 messages" in resp.text)
    eq(place(c), "resume")
    eq(outbox_to(friend), 0)
    # another visitor is not held back
    d = visitor()
    to_summary(d)
    redirects(d.submit("/convince", author(friend), STEP_FORM),
              "/convince/sent")


# ---- validation --------------------------------------------------------------

@test
def each_validation_message():
    c = busy_visitor()
    age_msg = "L'âge doit être un nombre entre 17 et 120."
    for age in ("16", "121", "abc", "1000", "-5"):
        resp = step(c, about(age=age), 422)
        eq(field_errors(resp.text).get("age"), age_msg, age)
    for age in ("17", "120"):
        step(c, about(age=age))
        redirects(c.submit("/convince", {"transition": "modifier_ami"}, "/convince"),
                  "/convince")
    resp = step(c, about(first_name="x" * 51), 422)
    eq(field_errors(resp.text).get("first_name"),
       "Le prénom doit comporter au plus 50 caractères.")
    step(c, about(first_name="é" * 50))
    redirects(c.submit("/convince", {"transition": "modifier_ami"}, "/convince"),
              "/convince")
    resp = step(c, dict(about(), first_name="", gender=None,
                        situation="999999"), 422)
    errs = field_errors(resp.text)
    eq(errs.get("first_name"), "Indiquez le prénom de votre ami.")
    ok(errs.get("gender"), errs)
    eq(errs.get("situation"), "Choisissez la situation de votre ami.")
    step(c, about())
    resp = step(c, {"concern": None}, 422)
    eq(field_errors(resp.text).get("concern"),
       "Choisissez sa principale préoccupation.")
    step(c, {"concern": choices("concern")[0][0]})
    for n in (1, 3):
        resp = step(c, picks("interest", "interest_", n), 422)
        eq(field_errors(resp.text).get("interests"),
           "Choisissez exactement deux centres d'intérêt.", n)
    step(c, picks("interest", "interest_"))
    for n in (0, 3):
        resp = step(c, picks("reason", "reason_", n), 422)
        eq(field_errors(resp.text).get("reasons"),
           "Choisissez exactement deux raisons.", n)
    step(c, picks("reason", "reason_"))
    resp = step(c, author("pas-une-adresse", author_email="x@",
                          author_first_name="", subject="", body=""), 422)
    errs = field_errors(resp.text)
    eq(errs.get("friend_email"), "Cette adresse e-mail n'est pas valide.")
    eq(errs.get("author_email"), "Cette adresse e-mail n'est pas valide.")
    eq(errs.get("author_first_name"), "Indiquez votre prénom.")
    eq(errs.get("subject"), "Indiquez l'objet du message.")
    eq(errs.get("body"), "Le message ne peut pas être vide.")
    same = unique_email("moi")
    resp = step(c, author(same, author_email=same), 422)
    eq(field_errors(resp.text).get("friend_email"),
       "L'adresse de votre ami doit être différente de la vôtre.")
    eq(place(c), "resume")


# ---- the back-office ---------------------------------------------------------

@test
def admin_convince_edits_are_audited_and_admins_only():
    member = new_member()[0]
    status(member.get("/admin/convince"), 403)
    status(member.get("/admin/convince.csv"), 403)
    anon = Client("fcgi")
    ok(anon.get("/admin/convince").status in (303, 403, 404))
    email, password = make_admin()
    adm = Client("fcgi")
    login(adm, email, password)
    page = status(adm.get("/admin/convince"), 200)
    ok("Messages envoyés" in page.text)
    cid, label, _ = choices("concern")[-1]
    new_label = "Le logement " + random_letters(5)
    resp = adm.submit("/admin/convince/%s" % cid, {
        "label": new_label, "paragraph": "Le logement te préoccupe, "
        "{prenom} : nous aussi."}, "#convince-form")
    redirects(resp, "/admin/convince/%s" % cid)
    eq(psql_value("SELECT count(*) FROM audit_log WHERE object_type = "
                  "'convince_choice' AND object_id = :'p1' AND "
                  "user_email = :'p2'", cid, email), "1")
    # a new choice, audited too, offered at once
    resp = adm.submit("/admin/convince", {
        "kind": "interest", "label": "La mer " + random_letters(4),
        "paragraph": "Toi qui aimes la mer.", "position": "99"},
        "#convince-form")
    status(resp, 303)
    c = visitor()
    step(c, about(first_name="Léo"))
    page = status(c.get("/convince"), 200)
    ok(new_label in page.text)
    step(c, {"concern": cid})
    to = status(c.get("/convince"), 200)
    ok("La mer" in to.text)
    step(c, picks("interest", "interest_"))
    step(c, picks("reason", "reason_"))
    page = status(c.get("/convince"), 200)
    ok("Le logement te préoccupe, Léo : nous aussi." in page.text)
    # switched off: no longer offered, and a kept answer is dropped
    redirects(adm.submit("/admin/convince/%s" % cid, {"active": None},
                         "#convince-form"), "/admin/convince/%s" % cid)
    resp = c.submit("/convince", author(unique_email("ami")), STEP_FORM)
    status(resp, 409)
    ok("Des réponses manquent" in resp.text)
    redirects(adm.submit("/admin/convince/%s" % cid, {"active": "1"},
                         "#convince-form"), "/admin/convince/%s" % cid)


@test
def the_csv_counts_arguments_and_holds_no_address():
    c = visitor()
    to_summary(c)
    friend = unique_email("ami")
    redirects(c.submit("/convince", author(friend), STEP_FORM),
              "/convince/sent")
    email, password = make_admin()
    adm = Client("fcgi")
    login(adm, email, password)
    resp = status(adm.get("/admin/convince.csv"), 200)
    ok(resp.content_type.startswith("text/csv"))
    text = resp.body.decode("utf-8-sig")
    ok("@" not in text, "no address in the export")
    label = choices("reason")[0][1]
    count = psql_value("SELECT count(*) FROM convince_send_choices s JOIN "
                       "convince_choices c ON c.id = s.choice_id WHERE "
                       "c.kind = 'reason' AND c.label = :'p1'", label)
    ok(int(count) >= 1)
    row = [line for line in text.splitlines()
           if line.startswith("Raison;") and label.replace('"', '""') in line]
    ok(row and row[0].endswith(";" + count), (row, count))
    ok(re.search(r"^\d{4}-\d{2};\d+\r?$", text, re.M), "messages by month")


# ---- the speed path: choices kept by the workers, one round trip --------

@test
def a_choice_changed_in_the_database_shows_in_every_worker():
    """The workers keep the choices in memory (bench measure 12); a change
    committed by anyone (here straight in SQL, as another tool would)
    reaches every one of them through the content channel's NOTIFY."""
    cid, label, _ = choices("situation")[0]
    for _ in range(4 * sc.expected_workers()):     # every worker keeps them
        ok(label in status(visitor().get("/convince"), 200).text)
    new_label = "Étudiante " + random_letters(6)
    try:
        psql("UPDATE convince_choices SET label = :'p2' WHERE id = :'p1'",
             cid, new_label)
        wait_until(lambda: all(
            new_label in status(visitor().get("/convince"), 200).text
            for _ in range(4 * sc.expected_workers())), 10, 0.1,
            "every worker shows the new label")
    finally:
        psql("UPDATE convince_choices SET label = :'p2' WHERE id = :'p1'",
             cid, label)


@test
def a_step_survives_redis_forgetting_its_scripts():
    """Scripts run by their SHA1: after SCRIPT FLUSH (as after a restart
    of Redis) the next step loads them again and applies."""
    n = 4 * sc.expected_workers()
    for _ in range(n):                  # every worker has loaded them
        step(visitor(), about())
    redis_cli("SCRIPT", "FLUSH")
    for _ in range(n):
        c = visitor()
        status(c.get("/convince"), 200)
        step(c, about())
        eq(place(c), "preoccupation")


@test(slow=True)
def redis_down_a_step_is_503_and_changes_nothing():
    c = visitor()
    step(c, about())
    page = status(c.get("/convince"), 200)
    fields = dict(find_form(page.text, STEP_FORM).submission(),
                  concern=choices("concern")[0][0])
    sc.restore_stack()
    try:
        sc.stop_redis()   # (it saves: other modules stay logged in)
        for _ in range(2 * sc.expected_workers()):
            status(c.post("/convince", fields), 503, "a step, Redis stopped")
    finally:
        sc.restore_stack()
    # Nothing applied (the state was lost or kept, as Redis saved it), and
    # steps work again (the scripts loaded anew).
    ok(place(c) in ("", "preoccupation"), place(c))
    d = visitor()
    step(d, about())
    eq(place(d), "preoccupation")
