# SPDX-License-Identifier: MIT
"""`make run`'s demo site (scripts/demo.sh, demo-content.sh): on a fresh
database of the test cluster, migrated like any other, it fills the site
with photos imported through the real pipeline, about thirty articles,
three pages, home blocks and a redirection, bodies rendered, then the
committees and events of issue 8, consent and subscribers of issue 9,
the donors, payments and receipts of issue 10, the organisations,
missions, applications and threads of issue 11; run again, it adds
nothing."""

import os
import re
import secrets
import subprocess

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def integers(env, sql):
    out = subprocess.run(["psql", "-X", "-At", "-F", " ", "-d",
                          env["DATABASE_URL"], "-c", sql], env=env,
                         check=True, stdout=subprocess.PIPE).stdout
    return [int(x) for x in out.decode().split()]


def counts(env):
    sql = ("SELECT (SELECT count(*) FROM media WHERE placeholder LIKE "
           "'data:image/jpeg;base64,%'), (SELECT count(*) FROM categories), "
           "(SELECT count(*) FROM articles WHERE status = 'published' AND "
           "published_at <= now() AND media_id IS NOT NULL AND "
           "body_html LIKE '<%'), "
           "(SELECT count(*) FROM articles WHERE status = 'published' AND "
           "published_at > now()), "
           "(SELECT count(*) FROM articles WHERE status = 'draft'), "
           "(SELECT count(*) FROM pages WHERE status = 'published' AND "
           "body_html LIKE '<%'), (SELECT count(*) FROM home_blocks), "
           "(SELECT count(*) FROM redirections WHERE from_path = "
           "'/actualites' AND to_path = '/articles'), "
           "(SELECT count(*) FROM search_documents WHERE kind IN "
           "('article', 'page'))")
    return integers(env, sql)


def committee_counts(env):
    sql = ("SELECT (SELECT count(*) FROM committees WHERE status = "
           "'approved'), (SELECT count(*) FROM committees WHERE status = "
           "'pending'), (SELECT count(*) FROM events), "
           "(SELECT count(*) FROM events WHERE finishes_at < now()), "
           "(SELECT count(*) FROM events e WHERE e.capacity = (SELECT "
           "count(*) FROM event_registrations r WHERE r.event_id = e.id AND "
           "r.status = 'registered') AND EXISTS (SELECT 1 FROM "
           "event_registrations r WHERE r.event_id = e.id AND r.status = "
           "'waiting')), "
           "(SELECT count(*) FROM events WHERE status = 'cancelled'), "
           "(SELECT count(*) FROM events WHERE time_zone = 'Indian/Reunion' "
           "AND finishes_at > now() AND capacity IS NOT NULL), "
           "(SELECT count(*) FROM committees WHERE country <> 'FR'), "
           "(SELECT count(*) FROM events WHERE online_url IS NOT NULL AND "
           "finishes_at > now()), "
           "(SELECT count(*) FROM committee_memberships m JOIN users u ON "
           "u.id = m.user_id WHERE u.email = 'marianne@civitas.localhost' "
           "AND m.role = 'follower'), "
           "(SELECT count(*) FROM committee_memberships m JOIN users u ON "
           "u.id = m.user_id WHERE u.email = 'marianne@civitas.localhost' "
           "AND m.role IN ('host', 'supervisor')), "
           "(SELECT count(*) FROM committees WHERE description_html NOT "
           "LIKE '<p>%') + (SELECT count(*) FROM events WHERE "
           "description_html NOT LIKE '<p>%')")
    return integers(env, sql)


def mail_counts(env):
    """The demo's mass-mail part: members of the Rhône an admin's national
    campaign reaches, newsletter subscribers, Marianne's départements as
    referent, and consent ledger rows."""
    insert = ("INSERT INTO campaigns (sender, subject, body_md, audience, "
              "departements, subscription_type) VALUES ('admin', 'x', 'x', "
              "'everyone', '{69}', 'national')")
    select = ("SELECT (SELECT count(*) FROM campaign_audience("
              "currval('campaigns_id_seq')) WHERE user_id IS NOT NULL), "
              "(SELECT count(*) FROM campaign_audience("
              "currval('campaigns_id_seq')) WHERE subscriber_id IS NOT "
              "NULL), (SELECT string_agg(r.departement, ' ') FROM "
              "referent_areas r JOIN users u ON u.id = r.user_id WHERE "
              "u.email = 'marianne@civitas.localhost'), "
              "(SELECT count(*) FROM consent_ledger)")
    delete = "DELETE FROM campaigns WHERE id = currval('campaigns_id_seq')"
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", " ", "-d",
                          env["DATABASE_URL"], "-c", insert, "-c", select,
                          "-c", delete], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT).stdout.decode()
    lines = [x for x in out.splitlines() if x and x[0].isdigit()]
    ok(lines, "no figures from psql: %r" % out)
    line = lines[-1]
    return line.split()


def donation_counts(env):
    """The demo's donations (issue 10): paid payments not refunded, the
    refunded ones, distinct months they fall in, active and ended monthly
    gifts, receipts, payments without a receipt of their year, Marianne's
    gifts listed by her account (user_id) and paid, and her room left
    this year in cents."""
    sql = ("SELECT (SELECT count(*) FROM donation_payments WHERE "
           "refunded_at IS NULL), "
           "(SELECT count(*) FROM donation_payments WHERE refunded_at IS "
           "NOT NULL AND refunded_by IS NOT NULL), "
           "(SELECT count(DISTINCT date_trunc('month', paid_at)) FROM "
           "donation_payments), "
           "(SELECT count(*) FROM donations WHERE kind = 'monthly' AND "
           "status = 'active' AND subscription_ref IS NOT NULL), "
           "(SELECT count(*) FROM donations WHERE kind = 'monthly' AND "
           "status = 'ended'), "
           "(SELECT count(*) FROM tax_receipts), "
           "(SELECT count(*) FROM donation_payments p JOIN tax_receipts r "
           "ON r.id = p.receipt_id JOIN donations d ON d.id = "
           "p.donation_id WHERE r.year <> p.year OR r.email <> d.email), "
           "(SELECT count(*) FROM donations d JOIN users u ON u.id = "
           "d.user_id WHERE u.email = 'marianne@civitas.localhost' AND "
           "d.status = 'paid'), "
           "donation_room('marianne@civitas.localhost', "
           "donation_name_key('Dupont', 'Marianne', '69002'), "
           "extract(year FROM now() AT TIME ZONE "
           "'Europe/Paris')::integer)")
    return integers(env, sql)


def mission_counts(env):
    """The demo's volunteer missions (issue 11, part D): validated and
    pending organisations, missions online, on site, remote, with time
    slots, domains used; full missions with a waiting list; the states
    applications are in (of six); threads with messages; organisations
    Marianne manages; places counted right (places_taken is the number
    of applications that take one)."""
    sql = ("SELECT (SELECT count(*) FROM organisations WHERE status = "
           "'validated'), (SELECT count(*) FROM organisations WHERE "
           "status = 'pending'), (SELECT count(*) FROM missions), "
           "(SELECT count(*) FROM missions WHERE online), "
           "(SELECT count(*) FROM missions m WHERE EXISTS (SELECT 1 FROM "
           "mission_places p WHERE p.mission_id = m.id)), "
           "(SELECT count(*) FROM missions WHERE remote), "
           "(SELECT count(DISTINCT mission_id) FROM mission_slots), "
           "(SELECT count(DISTINCT domain_id) FROM missions), "
           "(SELECT count(*) FROM missions m WHERE m.places_taken = "
           "m.places AND m.online AND EXISTS (SELECT 1 FROM applications a "
           "WHERE a.mission_id = m.id AND a.status = 'queued')), "
           "(SELECT count(DISTINCT status) FROM applications), "
           "(SELECT count(DISTINCT application_id) FROM "
           "application_messages), "
           "(SELECT count(*) FROM organisation_managers g JOIN users u ON "
           "u.id = g.user_id WHERE u.email = 'marianne@civitas.localhost'), "
           "(SELECT count(*) FROM missions m WHERE m.places_taken <> "
           "(SELECT count(*) FROM applications a WHERE a.mission_id = m.id "
           "AND application_counts(a.status)))")
    return integers(env, sql)


def run_script(env, script):
    proc = subprocess.run([os.path.join(REPO, "scripts", script)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.decode("utf-8", "replace")
    eq(proc.returncode, 0, "%s: %s" % (script, out[-2000:]))
    ok("could not be created" not in out, out[-2000:])
    return out


@test
def demo_fills_a_fresh_site_once():
    url = os.environ["DATABASE_URL"]
    name = "demo_" + secrets.token_hex(4)
    demo_url = re.sub(r"/civitas\?", "/%s?" % name, url, count=1)
    ok(demo_url != url, "a database name in %s" % url)
    admin_url = re.sub(r"/civitas\?", "/postgres?", url, count=1)
    psql_admin = ["psql", "-X", "-q", "-d", admin_url, "-c"]
    subprocess.run(psql_admin + ['CREATE DATABASE "%s"' % name], check=True)
    try:
        env = dict(os.environ, DATABASE_URL=demo_url)
        run_script(env, "migrate.sh")
        out = run_script(env, "demo.sh")
        # issue 13: the admin's second factor, enrolled through a link
        ok(re.search(r"http://\S+/admin/2fa/enrol/[A-Za-z0-9_-]{43}\n",
                     out), "the demo prints the admin's enrolment link: %s"
           % out[-1000:])
        first = counts(env)
        media, cats, public, scheduled, drafts, pages, blocks, redir, docs = \
            first
        ok(media >= 8, "photos with placeholders: %d" % media)
        eq(cats, 5, "categories")
        ok(25 <= public <= 35, "public articles with a photo and a "
           "rendered body: %d" % public)
        eq(scheduled, 1, "scheduled article")
        eq(drafts, 1, "draft")
        eq(pages, 3, "published pages")
        eq(blocks, 3, "home blocks")
        eq(redir, 1, "the /actualites redirection")
        eq(docs, public + scheduled + pages, "search documents")
        places = committee_counts(env)
        eq(places[:2], [12, 1], "approved and pending committees")
        ok(25 <= places[2] <= 35, "events: %d" % places[2])
        ok(places[3] >= 3, "past events: %d" % places[3])
        eq(places[4:8], [1, 1, 1, 1], "a full event with a waiting list, "
           "a cancelled one, one in La Réunion, a committee abroad")
        ok(places[8] >= 1, "online events: %d" % places[8])
        eq(places[9:11], [2, 1], "Marianne follows two committees and "
           "hosts one")
        eq(places[11], 0, "descriptions not rendered")
        mail = mail_counts(env)
        ok(int(mail[0]) >= 20, "members of the Rhône a campaign reaches: "
           "%s" % mail[0])
        ok(int(mail[1]) >= 3, "subscribers of the Rhône: %s" % mail[1])
        eq(mail[2], "69", "Marianne's départements as referent")
        gifts = donation_counts(env)
        ok(gifts[0] >= 10, "paid payments: %d" % gifts[0])
        eq(gifts[1], 1, "a refunded payment, by an admin")
        ok(gifts[2] >= 5, "months with payments: %d" % gifts[2])
        eq(gifts[3:5], [1, 1], "an active and an ended monthly gift")
        ok(gifts[5] >= 5, "receipts: %d" % gifts[5])
        eq(gifts[6], 0, "payments whose receipt is not their donor's and "
           "year's")
        eq(gifts[7], 1, "Marianne's past gift")
        # Room for the walk-through: 50 € once, 50 € monthly, then 7,500 €
        # refused with what is left.
        ok(gifts[8] >= 750000 - 3000, "Marianne's room: %d" % gifts[8])
        vol = mission_counts(env)
        eq(vol[:2], [9, 1], "validated and pending organisations")
        eq(vol[2], 40, "missions")
        ok(vol[3] >= 30, "missions online: %d" % vol[3])
        ok(vol[4] >= 25 and vol[5] >= 5, "on site %d, remote %d" %
           (vol[4], vol[5]))
        ok(vol[6] >= 3, "missions with time slots: %d" % vol[6])
        eq(vol[7], 12, "domains")
        eq(vol[8], 1, "a full mission with a waiting list")
        eq(vol[9], 6, "applications in every state")
        ok(vol[10] >= 1, "threads with messages: %d" % vol[10])
        eq(vol[11], 1, "Marianne manages one organisation")
        eq(vol[12], 0, "missions whose places taken are miscounted")
        run_script(env, "demo.sh")
        eq(mission_counts(env), vol, "a second run adds no mission")
        eq(donation_counts(env), gifts, "a second run adds no donation")
        eq(mail_counts(env), mail, "a second run adds no consent")
        eq(counts(env), first, "a second run adds nothing")
        eq(committee_counts(env), places, "a second run adds no committee")
    finally:
        subprocess.run(psql_admin + ['DROP DATABASE IF EXISTS "%s" '
                                     'WITH (FORCE)' % name])
