# SPDX-License-Identifier: MIT
"""Campaigns (issue 9, section 2): /admin/campaigns, /referent/campaigns,
/committees/{slug}/manage/campaigns and /admin/referents, through the
FastCGI socket (and nginx for the Done-means flow).

What the fcgi side does is asserted here: the drafts, the exact count
(campaign_audience), the frozen recipients and the status after a send,
the guarded state changes, the scope of every sender (forged ids and
forged form values), the preview's escaping, the test mail in the outbox.
The delivery of campaign mail is the mail worker's (test_campaign_send.py);
the Done-means flow follows it to the end: the progress reaching
"finished", the mails, the one-click unsubscribe and the next count.

Members, committees, events and registrations are rows (test_manage.py's
fixtures); subscriptions and suppressions are rows too."""

import concurrent.futures
import json
import re

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
from test_manage import (Person, Committee, make_event, register, join,
                         post, token, admin, word, private_strings)

ADMIN_BASE = "/admin/campaigns"
REFERENT_BASE = "/referent/campaigns"

# Communes by département: (postal code, name, INSEE code).
LYON = ("69001", "Lyon 1er Arrondissement", "69381")
PARIS = ("75001", "Paris 1er Arrondissement", "75101")
MENDE = ("48000", "Mende", "48095")
AJACCIO = ("20000", "Ajaccio", "2A004")
BASTIA = ("20200", "Bastia", "2B033")
CAHORS = ("46000", "Cahors", "46042")


def member(place=LYON, types=("national",), first=None):
    """A member of place subscribed to types."""
    p = Person(first=first, postal=place[0], city=place[1], insee=place[2])
    for t in types:
        psql("INSERT INTO user_subscriptions (user_id, type) VALUES "
             "(:'p1', :'p2')", p.id, t)
    return p


def subscriber(postal, status="confirmed"):
    email = unique_email("news")
    psql("INSERT INTO newsletter_subscribers (email, postal_code, "
         "departement, status) VALUES (:'p1', :'p2', "
         "departement_of_postal(:'p2'), :'p3')", email, postal, status)
    return email


def suppress(email):
    psql("INSERT INTO suppressions (email, reason) VALUES (lower(:'p1'), "
         "'complaint')", email)


def audience(cid):
    """The addresses campaign cid reaches now (SQL's own answer)."""
    return {r[0] for r in psql("SELECT email FROM campaign_audience(:'p1')",
                               cid)}


def audience_count(cid):
    return int(psql_value("SELECT count(*) FROM campaign_audience(:'p1')",
                          cid))


def row(cid):
    rows = psql("SELECT sender, coalesce(committee_id::text, ''), audience, "
                "array_to_string(departements, ' '), "
                "array_to_string(regions, ' '), subscription_type, status, "
                "total, coalesce(send_day::text, ''), subject, "
                "coalesce(author_id::text, '') FROM campaigns WHERE id = "
                ":'p1'", cid)
    if not rows:
        return None
    return dict(zip(("sender", "committee_id", "audience", "departements",
                     "regions", "type", "status", "total", "send_day",
                     "subject", "author_id"), rows[0]))


def campaign_count():
    return int(psql_value("SELECT count(*) FROM campaigns"))


def created_id(resp, base):
    redirects(resp, base + "/")
    m = re.search(re.escape(base) + r"/(\d+)$", resp.location)
    ok(m, "expected a redirect to %s/{id}, got %s" % (base, resp.location))
    return int(m.group(1))


def create(c, base, **fields):
    data = {"subject": "Objet " + word(), "body": "Bonjour {first_name} !"}
    data.update(fields)
    return created_id(post(c, base + "/new", data), base)


def recipients(cid, status=None):
    return int(psql_value("SELECT count(*) FROM campaign_recipients WHERE "
                          "campaign_id = :'p1' AND (:'p2' = '' OR status = "
                          ":'p2')", cid, status or ""))


def audits(cid, action):
    return int(psql_value("SELECT count(*) FROM audit_log WHERE "
                          "object_type = 'campaign' AND object_id = :'p1' "
                          "AND action = :'p2'", cid, action))


def shown_count(page):
    m = re.search(r'id="campaign-count">(\d+)<', page.text)
    ok(m, "no count on the campaign's page")
    return int(m.group(1))


def referent(*deps):
    """A member who is referent of deps (rows)."""
    p = member()
    for d in deps:
        psql("INSERT INTO referent_areas (user_id, departement) VALUES "
             "(:'p1', :'p2')", p.id, d)
    return p


# -- the Done-means flow -------------------------------------------------------

@test
def an_admin_writes_to_every_member_of_the_rhone_and_sends_it():
    """Through nginx: compose with {first_name}, see the exact count, send;
    the audience is frozen (recipients = the count shown), the unsubscribed
    and the suppressed are not in it; the progress reaches the end, each
    member has their mail with working one-click headers, and the member
    who unsubscribes through the link is out of the next count."""
    camille = member(LYON, first="Camillerhone")
    others = [member(LYON) for _ in range(2)]
    quiet = member(LYON, types=())            # unsubscribed from "national"
    gone = member(LYON)
    suppress(gone.email)
    paris = member(PARIS)
    a = Person(admin=True)
    c = a.client("http")
    resp = c.submit(ADMIN_BASE + "/new", {
        "subject": "Rhône : {first_name}, on compte sur vous",
        "body": "Bonjour {first_name},\n\nRendez-vous samedi.\n\n"
                "[Se désabonner]({unsubscribe_url})",
        "subscription_type": "national", "audience": "members",
        "departements": "69"}, "#campaign-form")
    cid = created_id(resp, ADMIN_BASE)
    page = status(c.get(ADMIN_BASE + "/%d" % cid), 200)
    count = shown_count(page)
    eq(count, audience_count(cid))
    reached = audience(cid)
    for p in [camille] + others:
        ok(p.email in reached, "%s is a subscribed member of the Rhône" %
           p.first)
    for p, why in ((quiet, "unsubscribed"), (gone, "suppressed"),
                   (paris, "in Paris")):
        ok(p.email not in reached, "%s is reached" % why)
    before = recipients(cid)
    eq(before, 0)
    resp = c.submit(ADMIN_BASE + "/%d" % cid, {}, "#send-form")
    redirects(resp, ADMIN_BASE + "/%d" % cid)
    r = row(cid)
    ok(r["status"] in ("sending", "finished"), r["status"])
    eq(int(r["total"]), count)
    eq(recipients(cid), count)
    eq(audits(cid, "campaign.send"), 1)
    # The body is stored rendered, its placeholders left for the worker.
    html = psql_value("SELECT body_html FROM campaigns WHERE id = :'p1'", cid)
    contains(html, "<p>Bonjour {first_name},</p>")
    contains(html, 'href="%7Bunsubscribe_url%7D"')
    page = status(c.get(ADMIN_BASE + "/%d" % cid), 200)
    contains(page, "<progress")
    contains(page, "campaign-progress")
    # The mail worker delivers it: the progress endpoint reaches the end,
    # every member reached has one mail with their first name and the
    # RFC 8058 headers.
    progress = ADMIN_BASE + "/%d/progress" % cid

    def finished():
        got = json.loads(status(c.get(progress), 200).text)
        return got if got.get("status") == "finished" else None
    got = wait_until(finished, 60, 0.5, "the campaign finished")
    eq(got.get("sent"), count, "progress: %s" % got)
    for p in [camille] + others:
        eq(len(campaign_mails(p.email)), 1, "mails to %s" % p.first)
    for p in (quiet, gone, paris):
        eq(campaign_mails(p.email), [], "a mail to %s" % p.first)
    msg = campaign_mails(camille.email)[0]
    contains(msg.get_body(("plain",)).get_content(), "Camillerhone")
    contains(str(msg["Subject"]), "Camillerhone")
    eq(str(msg["List-Unsubscribe-Post"]), "List-Unsubscribe=One-Click")
    link = re.search(r"<(https?://[^>]+/unsubscribe/[^>]+)>",
                     str(msg["List-Unsubscribe"]))
    ok(link, "no https link in List-Unsubscribe: %s" %
       msg["List-Unsubscribe"])
    path = "/" + link.group(1).split("/", 3)[3]
    # The link's page has one button; the one-click POST, without any
    # cookie, unsubscribes her from the national news.
    page = status(Client("http").get(path), 200)
    eq(len(forms(page.text)), 1, "one form on the unsubscribe page")
    status(Client("http").post(path, {"List-Unsubscribe": "One-Click"}),
           200)
    eq(psql_value("SELECT count(*) FROM user_subscriptions WHERE user_id = "
                  ":'p1' AND type = 'national'", camille.id), "0")
    eq(psql_value("SELECT count(*) FROM consent_ledger WHERE user_id = "
                  ":'p1' AND type = 'national' AND NOT subscribed AND "
                  "source = 'unsubscribe'", camille.id), "1")
    # The next campaign to the Rhône counts her out.
    resp = c.submit(ADMIN_BASE + "/new", {
        "subject": "Rhône, la suite", "body": "Bonjour {first_name}",
        "subscription_type": "national", "audience": "members",
        "departements": "69"}, "#campaign-form")
    again = created_id(resp, ADMIN_BASE)
    page = status(c.get(ADMIN_BASE + "/%d" % again), 200)
    eq(shown_count(page), count - 1)
    ok(camille.email not in audience(again), "Camille is counted again")


# -- counts --------------------------------------------------------------------

def admin_campaign(**fields):
    c = admin().client()
    data = {"subscription_type": "national", "audience": "members"}
    data.update(fields)
    return c, create(c, ADMIN_BASE, **data)


@test
def the_count_follows_the_departement_and_region_filters():
    """Lozère (48) by département, Corse (94: 2A and 2B) by region, and
    both; members and subscribers; the unsubscribed and suppressed
    excluded."""
    c, dep = admin_campaign(departements="48")
    _, reg = admin_campaign(region_94="1")
    _, both = admin_campaign(departements="48", region_94="1",
                             audience="everyone")
    _, lot = admin_campaign(departements="46")
    base = {k: audience_count(k) for k in (dep, reg, both, lot)}
    mende = [member(MENDE) for _ in range(3)]
    member(MENDE, types=("events",))                 # another type
    suppress(member(MENDE).email)
    ajaccio, bastia = member(AJACCIO), member(BASTIA)
    news48 = subscriber("48000")
    subscriber("48000", status="pending")
    suppress(subscriber("20000"))
    cahors = member(CAHORS)
    eq(audience_count(dep), base[dep] + 3)
    eq(audience_count(reg), base[reg] + 2)
    eq(audience_count(both), base[both] + 3 + 2 + 1)
    eq(audience_count(lot), base[lot] + 1)
    for p in mende:
        ok(p.email in audience(dep))
    ok(news48 in audience(both))
    ok(news48 not in audience(dep), "a subscriber in a members' campaign")
    ok(ajaccio.email in audience(reg) and bastia.email in audience(reg))
    ok(cahors.email in audience(lot))
    for cid in (dep, reg, both):
        page = status(c.get(ADMIN_BASE + "/%d" % cid), 200)
        eq(shown_count(page), audience_count(cid))
    eq(row(both)["departements"], "48")
    eq(row(both)["regions"], "94")


@test
def the_count_of_committee_followers_and_event_registrants():
    com = Committee()
    for p in com.members:
        psql("INSERT INTO user_subscriptions (user_id, type) VALUES "
             "(:'p1', 'committees')", p.id)
    quiet = member(types=("committees",))
    join(com.id, quiet, notify=False)
    c, cid = admin_campaign(audience="committee", committee=com.slug,
                            subscription_type="committees")
    eq(row(cid)["committee_id"], str(com.id))
    eq(row(cid)["sender"], "admin")
    eq(audience(cid), {p.email for p in com.members})
    eq(shown_count(c.get(ADMIN_BASE + "/%d" % cid)), 4)
    eid, eslug = make_event(com.id, com.supervisor)
    guest_yes = register(eid)[1]
    psql("UPDATE event_registrations SET news_optin = true WHERE email = "
         ":'p1'", guest_yes)
    register(eid)                                      # no opt-in
    m = member(types=("events",))
    register(eid, user=m)
    register(eid, user=member(types=()))               # not subscribed
    register(eid, user=member(types=("events",)), status="cancelled")
    _, ev = admin_campaign(audience="event", event=eslug,
                           subscription_type="events")
    eq(audience(ev), {guest_yes, m.email})
    # A wrong committee or event: 422, nothing saved.
    n = campaign_count()
    resp = post(c, ADMIN_BASE + "/new", {
        "subject": "x", "body": "y", "subscription_type": "national",
        "audience": "committee", "committee": "pas-un-comite-" + word()})
    status(resp, 422)
    contains(html_text(resp.text), "Aucun comité validé n'a cette adresse.")
    contains(resp, 'value="pas-un-comite-')
    eq(campaign_count(), n)


# -- preview and test ----------------------------------------------------------

@test
def the_preview_escapes_a_first_name_holding_a_script():
    evil = member(CAHORS)
    psql("UPDATE users SET first_name = '<script>alert(1)</script>' WHERE "
         "id = :'p1'", evil.id)
    c, cid = admin_campaign(departements="46", body="Bonjour **{first_name}**"
                            " ([lien]({unsubscribe_url}))")
    page = status(c.get(ADMIN_BASE + "/%d/preview?email=%s" % (
        cid, evil.email)), 200)
    not_contains(page, "<script>alert(1)")
    contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;")
    contains(page, evil.email)
    contains(page, 'href="#"')
    # The HTML part and the text part are both there.
    contains(page, 'id="preview-html"')
    contains(page, "<strong>&lt;script&gt;")
    contains(page, 'id="preview-text"')
    contains(page, "Bonjour **&lt;script&gt;")
    # The first recipients, by rank.
    page = status(c.get(ADMIN_BASE + "/%d/preview?n=1" % cid), 200)
    contains(page, "Aperçu pour")


@test
def a_test_goes_to_the_author_only():
    a = admin()
    c, cid = admin_campaign(departements="46",
                            subject="Essai {first_name}",
                            body="Bonjour *{first_name}* !")
    before = int(psql_value("SELECT count(*) FROM outbox"))
    redirects(post(c, ADMIN_BASE + "/%d/test" % cid), ADMIN_BASE + "/%d" %
              cid)
    rows = psql("SELECT subject, body_text, coalesce(body_html, ''), "
                "category FROM outbox WHERE to_addr = :'p1' AND subject "
                "LIKE '[TEST]%%' ORDER BY id DESC LIMIT 1", a.email)
    ok(rows, "no test mail for the author")
    subject, text, html, category = rows[0]
    eq(subject, "[TEST] Essai " + a.first)
    contains(text, "Bonjour *%s* !" % a.first)
    contains(html, "<em>%s</em>" % a.first)
    eq(category, "transactional")
    eq(int(psql_value("SELECT count(*) FROM outbox")), before + 1)
    eq(audits(cid, "campaign.test"), 1)
    eq(row(cid)["status"], "draft")


# -- send, schedule, pause, resume, cancel -------------------------------------

@test
def a_double_click_sends_once():
    for _ in range(3):
        member(MENDE)
    c, cid = admin_campaign(departements="48")
    count = audience_count(cid)
    tok = token(c)

    def send(_):
        return c.post(ADMIN_BASE + "/%d/send" % cid, {"_csrf": tok}).status
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(send, range(12)))
    eq(codes, [303] * 12, str(codes))
    eq(recipients(cid), count)
    eq(int(row(cid)["total"]), count)
    eq(audits(cid, "campaign.send"), 1)
    eq(int(psql_value("SELECT count(DISTINCT email) FROM "
                      "campaign_recipients WHERE campaign_id = :'p1'", cid)),
       count)


@test
def schedule_pause_resume_and_cancel_are_guarded_by_the_status():
    member(MENDE)
    c, cid = admin_campaign(departements="48")
    path = ADMIN_BASE + "/%d" % cid
    # Schedule: a past moment is refused, the values kept.
    resp = post(c, path + "/schedule", {"scheduled_at": "2020-01-01T10:00"})
    status(resp, 422)
    contains(html_text(resp.text), "Choisissez un moment à venir")
    contains(resp, 'value="2020-01-01T10:00"')
    status(post(c, path + "/schedule", {"scheduled_at": "demain"}), 422)
    eq(row(cid)["status"], "draft")
    redirects(post(c, path + "/schedule", {
        "scheduled_at": "2099-07-14T09:30"}), path)
    eq(row(cid)["status"], "scheduled")
    eq(psql_value("SELECT to_char(scheduled_at AT TIME ZONE "
                  "'Europe/Paris', 'YYYY-MM-DD HH24:MI') FROM campaigns "
                  "WHERE id = :'p1'", cid), "2099-07-14 09:30")
    ok(psql_value("SELECT body_html FROM campaigns WHERE id = :'p1'", cid),
       "no body_html stored at scheduling")
    contains(c.get(path), "14/07/2099 à 09:30")
    # Edit is for drafts only; pause and resume need a sending campaign.
    status(c.get(path + "/edit"), 409)
    status(post(c, path + "/pause"), 409)
    status(post(c, path + "/resume"), 409)
    redirects(post(c, path + "/cancel"), path)
    eq(row(cid)["status"], "cancelled")
    status(post(c, path + "/cancel"), 409)
    status(post(c, path + "/send"), 303)             # nothing happens
    eq(row(cid)["status"], "cancelled")
    eq(recipients(cid), 0)
    # Send, pause, resume, cancel.
    _, cid = admin_campaign(departements="48")
    path = ADMIN_BASE + "/%d" % cid
    redirects(post(c, path + "/send"), path)
    total = recipients(cid)
    ok(total >= 1)
    if row(cid)["status"] != "sending":
        return      # a mail worker that sends campaigns finished it already
    redirects(post(c, path + "/pause"), path)
    eq(row(cid)["status"], "paused")
    status(post(c, path + "/pause"), 409)
    redirects(post(c, path + "/resume"), path)
    eq(row(cid)["status"], "sending")
    redirects(post(c, path + "/pause"), path)
    redirects(post(c, path + "/cancel"), path)
    r = row(cid)
    eq(r["status"], "cancelled")
    eq(recipients(cid, "pending"), 0)
    eq(recipients(cid, "cancelled") + recipients(cid, "sent") +
       recipients(cid, "failed") + recipients(cid, "skipped"), total)
    if recipients(cid, "sent") == 0:
        eq(r["send_day"], "")
    for action, n in (("send", 1), ("pause", 2), ("resume", 1),
                      ("cancel", 1)):
        eq(audits(cid, "campaign." + action), n, action)


@test
def the_progress_endpoint_and_the_failures_list():
    c, cid = admin_campaign(departements="48")
    path = ADMIN_BASE + "/%d" % cid
    redirects(post(c, path + "/send"), path)
    resp = status(c.get(path + "/progress"), 200)
    d = json.loads(resp.text)
    for k in ("status", "total", "sent", "failed", "skipped", "waiting",
              "rate", "eta"):
        ok(k in d, k)
    eq(d["total"], recipients(cid))
    page = c.get(path)
    contains(page, 'data-progress="%s/progress"' % path)
    # A failure, as the mail worker records it.
    email = psql_value("UPDATE campaign_recipients SET status = 'failed', "
                       "error = '550 5.1.1 Boîte inconnue' WHERE "
                       "campaign_id = :'p1' AND id = 1 RETURNING email", cid)
    page = status(c.get(path + "/failures"), 200)
    contains(page, "550 5.1.1 Boîte inconnue")
    contains(page, email)
    eq(json.loads(c.get(path + "/progress").text)["failed"], 1)


# -- the admins' routes --------------------------------------------------------

def fill(pattern, cid, uid=0):
    return pattern.replace("{id}", str(uid if "referents" in pattern
                                       else cid))


@test
def every_admin_campaign_route_is_for_admins_only():
    c, cid = admin_campaign(departements="48")
    routes = [(m, p) for m, p, flags in route_table()
              if p.startswith(("/admin/campaigns", "/admin/referents"))]
    ok(len(routes) >= 18, routes)
    m = member()
    anon = Client("fcgi")
    for method, pattern in routes:
        path = fill(pattern, cid, m.id)
        if method == "GET":
            redirects(anon.get(path), "/login", path)
            status(m.client().get(path), 403, path)
            ok(c.get(path).status < 400, "admin GET %s" % path)
        else:
            redirects(post(anon, path), "/login", path)
            status(post(m.client(), path, {"departement": "69",
                                           "email": m.email}), 403, path)
    eq(row(cid)["status"], "draft")
    eq(int(psql_value("SELECT count(*) FROM referent_areas WHERE user_id = "
                      ":'p1'", m.id)), 0)


# -- referents -----------------------------------------------------------------

@test
def an_admin_names_and_removes_referents():
    c = admin().client()
    m = member()
    resp = post(c, "/admin/referents", {"email": m.email.upper(),
                                        "departement": "69"})
    redirects(resp, "/admin/referents")
    redirects(post(c, "/admin/referents", {"email": m.email,
                                           "departement": "01"}))
    eq(psql("SELECT departement FROM referent_areas WHERE user_id = :'p1' "
            "ORDER BY 1", m.id), [("01",), ("69",)])
    page = c.get("/admin/referents")
    contains(page, m.email)
    # Unknown member, unknown département: 422 with the values.
    resp = post(c, "/admin/referents", {"email": "personne-%s@example.org" %
                                        word(), "departement": "69"})
    status(resp, 422)
    contains(html_text(resp.text), "Aucun membre actif n'a cette adresse.")
    status(post(c, "/admin/referents", {"email": m.email,
                                        "departement": "99"}), 422)
    redirects(post(c, "/admin/referents/%d/revoke" % m.id,
                   {"departement": "01"}), "/admin/referents")
    eq(psql("SELECT departement FROM referent_areas WHERE user_id = :'p1'",
            m.id), [("69",)])
    status(post(c, "/admin/referents/%d/revoke" % m.id,
                {"departement": "01"}), 404)
    eq(int(psql_value("SELECT count(*) FROM audit_log WHERE action IN "
                      "('referent.grant', 'referent.revoke') AND object_id "
                      "= :'p1'", m.id)), 3)


@test
def a_referent_writes_to_their_departements_only():
    ref = referent("48", "46")
    c = ref.client()
    status(c.get(REFERENT_BASE), 200)
    status(c.get(REFERENT_BASE + "/new"), 200)
    # None typed: all theirs; the type is fixed.
    cid = create(c, REFERENT_BASE, audience="members")
    r = row(cid)
    eq((r["sender"], r["type"], r["departements"]),
       ("referent", "departement", "46 48"))
    # A département that is not theirs: 422, French, nothing saved.
    n = campaign_count()
    for forged in ("69", "48 75", "2A"):
        resp = post(c, REFERENT_BASE + "/new", {
            "subject": "Forgé", "body": "x", "audience": "members",
            "departements": forged})
        status(resp, 422, forged)
        contains(html_text(resp.text),
                 "Vous n'êtes pas référent du département")
    resp = post(c, REFERENT_BASE + "/new", {
        "subject": "Forgé", "body": "x", "audience": "committee",
        "departements": "48"})
    status(resp, 422)
    eq(campaign_count(), n)
    # Forged fields the form does not have are ignored.
    cid2 = create(c, REFERENT_BASE, audience="everyone", departements="48",
                  subscription_type="national", region_84="1",
                  committee="x", sender="admin")
    r = row(cid2)
    eq((r["sender"], r["type"], r["departements"], r["regions"],
        r["audience"]), ("referent", "departement", "48", "", "everyone"))
    # Editing to another département: 422 and the row unchanged.
    status(post(c, REFERENT_BASE + "/%d/edit" % cid2, {
        "subject": "Forgé", "body": "x", "audience": "members",
        "departements": "69"}), 422)
    eq(row(cid2)["departements"], "48")
    # The SQL cuts a referent's campaign to their areas too.
    psql("UPDATE campaigns SET departements = '{48,75}' WHERE id = :'p1'",
         cid2)
    paris = member(PARIS, types=("departement",))
    ok(paris.email not in audience(cid2))
    mende = member(MENDE, types=("departement",))
    ok(mende.email in audience(cid2))
    # The send checks the areas again (75 is not theirs): 422.
    status(post(c, REFERENT_BASE + "/%d/send" % cid2), 422)
    eq(row(cid2)["status"], "draft")
    # Areas taken back: the campaign on 46 can no longer go.
    cid3 = create(c, REFERENT_BASE, audience="members", departements="46")
    psql("DELETE FROM referent_areas WHERE user_id = :'p1' AND "
         "departement = '46'", ref.id)
    resp = post(c, REFERENT_BASE + "/%d/send" % cid3)
    status(resp, 422)
    contains(html_text(resp.text), "ne vous est pas (ou plus) confié")
    eq(row(cid3)["status"], "draft")


@test
def a_referent_sees_their_own_campaigns_and_no_address():
    ref, other = referent("48"), referent("48")
    mine = create(ref.client(), REFERENT_BASE, audience="members")
    theirs = create(other.client(), REFERENT_BASE, audience="members")
    _, by_admin = admin_campaign(departements="48")
    c = ref.client()
    for cid in (theirs, by_admin):
        for tail in ("", "/edit", "/preview", "/progress", "/failures"):
            status(c.get(REFERENT_BASE + "/%d%s" % (cid, tail)), 404, tail)
        for action in ("send", "test", "cancel", "schedule", "edit"):
            status(post(c, REFERENT_BASE + "/%d/%s" % (cid, action), {
                "subject": "Forgé", "body": "x", "audience": "members",
                "scheduled_at": "2099-01-01T10:00"}), 404, action)
    eq(row(theirs)["subject"] != "Forgé", True)
    eq(row(theirs)["status"], "draft")
    eq(row(by_admin)["status"], "draft")
    not_contains(c.get(REFERENT_BASE), row(theirs)["subject"])
    # The preview and the failures show no address.
    people = [member(MENDE, types=("departement",)) for _ in range(2)]
    page = status(c.get(REFERENT_BASE + "/%d/preview" % mine), 200)
    page2 = c.get(REFERENT_BASE + "/%d/preview?email=%s" % (
        mine, people[0].email))
    redirects(post(c, REFERENT_BASE + "/%d/send" % mine))
    psql("UPDATE campaign_recipients SET status = 'failed', error = "
         "'550 5.1.1 <' || email || '>: Refusé' WHERE campaign_id = :'p1'",
         mine)
    page3 = status(c.get(REFERENT_BASE + "/%d/failures" % mine), 200)
    contains(page3, "550 5.1.1 &lt;[adresse]&gt;: Refusé")
    for p in people:
        contains(page3, "%s %s." % (p.first, p.last[0]))
    for pg in (page, page2, page3):
        for s in [p.email for p in people] + ["@"]:
            not_contains(pg.text.replace(ref.email, ""), s)
    # Without départements: no referent screens.
    m = member()
    status(m.client().get(REFERENT_BASE), 403)
    status(post(m.client(), REFERENT_BASE + "/new", {
        "subject": "x", "body": "y", "audience": "members"}), 403)
    redirects(Client("fcgi").get(REFERENT_BASE), "/login")


# -- hosts ---------------------------------------------------------------------

@test
def a_host_writes_to_the_followers_of_their_committee_only():
    com, other = Committee(), Committee()
    for p in com.members + other.members:
        psql("INSERT INTO user_subscriptions (user_id, type) VALUES "
             "(:'p1', 'committees')", p.id)
    c = com.host.client()
    base = com.base + "/campaigns"
    status(c.get(base), 200)
    # Forged values: the audience, the committee and the type are fixed.
    cid = create(c, base, audience="everyone", committee_id=str(other.id),
                 committee=other.slug, subscription_type="national",
                 departements="75", sender="admin")
    r = row(cid)
    eq((r["sender"], r["committee_id"], r["audience"], r["type"],
        r["departements"]), ("host", str(com.id), "committee",
                             "committees", ""))
    eq(audience(cid), {p.email for p in com.members})
    page = status(c.get("%s/%d" % (base, cid)), 200)
    eq(shown_count(page), 4)
    # The preview shows first names and initials, never an address.
    page = status(c.get("%s/%d/preview?email=%s" % (
        base, cid, com.followers[0].email)), 200)
    for s in private_strings(com.members):
        not_contains(page, s)
    # Another committee's campaign through this committee: 404; this
    # committee's tools for a host of another: 403; nothing changes.
    ocid = create(other.host.client(), other.base + "/campaigns")
    for tail in ("", "/edit", "/preview", "/progress", "/failures"):
        status(c.get("%s/%d%s" % (base, ocid, tail)), 404, tail)
        status(c.get("%s/campaigns/%d%s" % (other.base, ocid, tail)), 403)
    for action in ("send", "test", "cancel", "edit", "schedule"):
        status(post(c, "%s/%d/%s" % (base, ocid, action), {
            "subject": "Forgé", "body": "x"}), 404, action)
        status(post(c, "%s/campaigns/%d/%s" % (other.base, ocid, action),
                    {"subject": "Forgé", "body": "x"}), 403, action)
    for who in (com.followers[0], com.outsider):
        status(who.client().get(base), 403)
        status(post(who.client(), "%s/%d/send" % (base, cid)), 403)
    r = row(ocid)
    eq((r["status"], r["subject"] != "Forgé"), ("draft", True))
    eq(row(cid)["status"], "draft")
    eq(recipients(cid), 0)
    redirects(Client("fcgi").get(base), "/login")


@test
def one_campaign_per_committee_per_day_under_concurrency():
    com = Committee()
    for p in com.members:
        psql("INSERT INTO user_subscriptions (user_id, type) VALUES "
             "(:'p1', 'committees')", p.id)
    base = com.base + "/campaigns"
    hosts = [(com.host.client(), base), (com.supervisor.client(), base)]
    ids = [create(c, b) for c, b in hosts for _ in range(2)]
    toks = [token(c) for c, _ in hosts]

    def send(i):
        c, b = hosts[i % 2]
        return c.post("%s/%d/send" % (b, ids[i]), {"_csrf": toks[i % 2]})
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        resps = list(pool.map(send, range(4)))
    codes = sorted(r.status for r in resps)
    eq(codes, [303, 409, 409, 409], str(codes))
    for r in resps:
        if r.status == 409:
            contains(html_text(r.text),
                     "une seule campagne par comité et par jour")
    sent = [i for i in ids if row(i)["status"] != "draft"]
    eq(len(sent), 1)
    # Scheduling for today is refused the same way; another day is fine.
    rest = [i for i in ids if i not in sent]
    today = psql_value("SELECT to_char((now() + interval '2 hours') AT TIME "
                       "ZONE 'Europe/Paris', 'YYYY-MM-DD\"T\"HH24:MI')")
    if today[:10] == psql_value("SELECT to_char(now() AT TIME ZONE "
                                "'Europe/Paris', 'YYYY-MM-DD')"):
        resp = post(hosts[0][0], "%s/%d/schedule" % (base, rest[0]),
                    {"scheduled_at": today})
        status(resp, 409)
        contains(html_text(resp.text),
                 "une seule campagne par comité et par jour")
    redirects(post(hosts[0][0], "%s/%d/schedule" % (base, rest[0]),
                   {"scheduled_at": "2099-03-01T08:00"}))
    eq(row(rest[0])["send_day"], "2099-03-01")
    # Cancelled before any mail left, the day is free again.
    if recipients(sent[0], "sent") == 0:
        redirects(post(hosts[0][0], "%s/%d/cancel" % (base, sent[0])))
        eq(row(sent[0])["send_day"], "")
        redirects(post(hosts[0][0], "%s/%d/send" % (base, rest[1])))
        ok(row(rest[1])["status"] in ("sending", "finished"))


@test
def every_referent_route_by_role():
    """Anonymous: the login page; a member without départements: 403 and
    nothing changes; the referent: their own campaign."""
    ref = referent("48")
    cid = create(ref.client(), REFERENT_BASE, audience="members")
    routes = [(m, p) for m, p, flags in route_table()
              if p.startswith(REFERENT_BASE)]
    ok(len(routes) >= 15, routes)
    m = member()
    anon = Client("fcgi")
    n = campaign_count()
    for method, pattern in routes:
        path = pattern.replace("{id}", str(cid))
        if method == "GET":
            redirects(anon.get(path), "/login", path)
            status(m.client().get(path), 403, path)
            ok(ref.client().get(path).status == 200, "referent GET %s" % path)
        else:
            redirects(post(anon, path), "/login", path)
            status(post(m.client(), path, {
                "subject": "Forgé", "body": "x", "audience": "members",
                "departements": "48", "scheduled_at": "2099-01-01T10:00"}),
                403, path)
    eq(campaign_count(), n)
    r = row(cid)
    eq((r["status"], r["subject"] != "Forgé"), ("draft", True))


@test
def the_list_shows_each_campaign_with_its_status_and_counts():
    c, cid = admin_campaign(departements="48", subject="Liste " + word())
    path = ADMIN_BASE + "/%d" % cid
    redirects(post(c, path + "/send"), path)
    total = recipients(cid)
    psql("UPDATE campaign_recipients SET status = 'failed' WHERE "
         "campaign_id = :'p1' AND id = 1", cid)
    page = status(c.get(ADMIN_BASE), 200)
    m = re.search(r'<a href="%s">([^<]*)</a></td><td>([^<]*)</td><td>(\d+)'
                  r'</td><td>(\d+)</td><td>(\d+)</td>' % re.escape(path),
                  page.text)
    ok(m, "the campaign's row in the list")
    eq(m.group(1), row(cid)["subject"])
    ok(m.group(2) in ("En cours d'envoi", "En cours d&#39;envoi", "Envoyée"),
       m.group(2))
    eq(int(m.group(3)), total)
    eq(int(m.group(5)), 1)
    contains(page, "campagne(s), les plus récentes d")
