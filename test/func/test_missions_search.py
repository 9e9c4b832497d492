# SPDX-License-Identifier: MIT
"""The public side of missions (issue 11, part B): /missions (words,
domain, on site near a postal code or remote, a period, pages),
/api/missions, the site search, and a mission's page (its organisation,
places left, slots, prerequisites, the link to apply; offline missions
only for their managers and moderators; never kept by the workers).

Missions are rows (vol_fixtures) with a title of their own word, so each
test finds only its own."""

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import stackctl as sc
import vol_fixtures as vf


def titled(tag, **kw):
    """An online mission whose title holds the word tag."""
    oid = kw.pop("org", None) or vf.make_org()[0]
    return vf.make_mission(oid, title="Mission %s %s" % (tag, vf.word(4)),
                           **kw)


def slugs_of(resp):
    return [m["slug"] for m in resp.json()["missions"]]


@test
def words_find_online_missions_only():
    tag = vf.word(9)
    oid, _, _ = vf.make_org()
    _, online = titled(tag, org=oid)
    _, draft = titled(tag, org=oid, status="draft")
    _, pending_org = titled(tag, org=vf.make_org(status="pending")[0])
    c = Client("fcgi")
    r = c.get("/api/missions?q=" + tag)
    status(r, 200)
    eq(slugs_of(r), [online])
    page = c.get("/missions?q=" + tag)
    status(page, 200)
    contains(page.text, "/missions/" + online)
    not_contains(page.text, draft)
    not_contains(page.text, pending_org)
    eq(page.headers.get("Set-Cookie"), None)


@test
def near_a_postal_code_is_nearest_first_with_its_distance():
    tag = vf.word(9)
    _, lyon = titled(tag)                                     # Lyon 1er
    _, villeurbanne = titled(tag, insee="69266", postal="69100",
                             city="Villeurbanne")
    _, paris = titled(tag, insee="75101", postal="75001", city="Paris")
    _, remote = titled(tag, remote=True)
    r = Client("fcgi").get("/api/missions?q=%s&near=69001&radius=20" % tag)
    status(r, 200)
    eq(slugs_of(r), [lyon, villeurbanne])
    d = [m["distance_km"] for m in r.json()["missions"]]
    ok(d[0] <= d[1], d)
    r = Client("fcgi").get("/api/missions?q=%s&type=remote" % tag)
    eq(slugs_of(r), [remote])
    eq(r.json()["missions"][0]["location"], None)
    r = Client("fcgi").get("/api/missions?q=%s&type=onsite" % tag)
    eq(sorted(slugs_of(r)), sorted([lyon, villeurbanne, paris]))
    page = Client("fcgi").get("/missions?q=%s&near=69001" % tag)
    contains(page.text, "km")


@test
def a_second_place_makes_a_mission_near_it_too():
    tag = vf.word(9)
    mid, slug = titled(tag, insee="75101", postal="75001", city="Paris")
    vf.add_place(mid, "69266", "69100", "Villeurbanne")
    r = Client("fcgi").get("/api/missions?q=%s&near=69100&radius=5" % tag)
    eq(slugs_of(r), [slug])


@test
def domain_and_period_filter():
    tag = vf.word(9)
    _, sante = titled(tag, domain=2, days=5)        # tomorrow for 5 days
    _, culture = titled(tag, domain=5, days=5)
    late_id, late = titled(tag, domain=2)
    psql("UPDATE missions SET starts_at = now() + interval '60 days', "
         "ends_at = now() + interval '70 days' WHERE id = :'p1'", late_id)
    c = Client("fcgi")
    eq(sorted(slugs_of(c.get("/api/missions?q=%s&domain=sante" % tag))),
       sorted([sante, late]))
    soon = psql_value("SELECT to_char(now() + interval '2 days', "
                      "'YYYY-MM-DD')")
    eq(sorted(slugs_of(c.get("/api/missions?q=%s&from=%s&to=%s"
                             % (tag, soon, soon)))), sorted([sante, culture]))
    far = psql_value("SELECT to_char(now() + interval '65 days', "
                     "'YYYY-MM-DD')")
    eq(slugs_of(c.get("/api/missions?q=%s&from=%s" % (tag, far))), [late])


@test
def malformed_parameters_are_400_and_a_page_past_the_end_404():
    c = Client("fcgi")
    for q in ("domain=nope", "type=flying", "near=ABCDE", "radius=500",
              "from=2031-02-30", "from=2031-03-02&to=2031-03-01",
              "near=69001&type=remote", "page=0"):
        r = c.get("/missions?" + q)
        status(r, 400, q)
        r = c.get("/api/missions?" + q)
        status(r, 400, q)
        eq(r.content_type.split(";")[0], "application/problem+json", q)
    status(c.get("/missions?q=%s&page=2" % vf.word(12)), 404)


@test
def results_are_paginated_by_twenty():
    tag = vf.word(9)
    oid, _, _ = vf.make_org()
    made = [titled(tag, org=oid)[1] for _ in range(23)]
    c = Client("fcgi")
    one = c.get("/api/missions?q=" + tag).json()
    eq((one["total_records"], one["total_pages"], len(one["missions"])),
       (23, 2, 20))
    two = c.get("/api/missions?q=%s&page=2" % tag).json()
    eq(sorted(slugs_of_json(one) + slugs_of_json(two)), sorted(made))
    page = c.get("/missions?q=" + tag)
    contains(page.text, "page=2")


def slugs_of_json(j):
    return [m["slug"] for m in j["missions"]]


@test
def the_site_search_shows_online_missions():
    tag = vf.word(9)
    _, slug = titled(tag)
    r = Client("fcgi").get("/search?q=" + tag)
    status(r, 200)
    contains(r.text, "/missions/" + slug)
    contains(r.text, "Mission de bénévolat")
    psql("UPDATE missions SET status = 'cancelled' WHERE slug = :'p1'", slug)
    not_contains(Client("fcgi").get("/search?q=" + tag).text, slug)


@test
def a_mission_page_shows_its_organisation_places_left_slots_and_apply():
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, places=3, prerequisites=(
        "Savoir nager",))
    vf.add_slot(mid, 2)
    vf.apply(mid, vf.Person(), slot=psql_value(
        "SELECT id FROM mission_slots WHERE mission_id = :'p1'", mid))
    c = Client("fcgi")
    page = c.get("/missions/" + slug)
    status(page, 200)
    contains(page.text, "/organisations/" + oslug)
    contains(page.text, "2 places restantes")
    contains(page.text, "1 place restante")          # the slot
    contains(page.text, "Savoir nager")
    contains(page.text, 'href="/missions/%s/apply"' % slug)
    eq(page.headers.get("Cache-Control"), "public, max-age=5")
    # Places left are never kept by the workers: a new application shows
    # at once (no content notification on places_taken).
    vf.apply(mid, vf.Person(), slot=psql_value(
        "SELECT id FROM mission_slots WHERE mission_id = :'p1'", mid))
    page = c.get("/missions/" + slug)
    contains(page.text, "1 place restante")
    ne(page.headers.get("X-Page-Cache"), "HIT")
    tag = psql_value("SELECT split_part(title, ' ', 2) FROM missions "
                     "WHERE id = :'p1'", mid)
    eq([m["places_left"] for m in c.get("/api/missions?q=" + tag).json()[
        "missions"]], [1])


@test
def a_full_mission_offers_the_waiting_list():
    oid, _, _ = vf.make_org()
    mid, slug = vf.make_mission(oid, places=1)
    vf.apply(mid, vf.Person())
    page = Client("fcgi").get("/missions/" + slug)
    contains(page.text, "Complet")
    contains(page.text, "liste d&#39;attente")


@test
def an_offline_mission_is_404_but_to_its_managers_and_moderators():
    oid, oslug, manager = vf.make_org()
    _, slug = vf.make_mission(oid, status="pending")
    status(Client("fcgi").get("/missions/" + slug), 404)
    status(vf.Person().client().get("/missions/" + slug), 404)
    status(vf.make_referent(("75",)).client().get("/missions/" + slug), 404)
    page = manager.client().get("/missions/" + slug)
    status(page, 200)
    contains(page.text, "est pas en ligne")
    contains(page.text, "Annuler la mission")
    not_contains(page.text, "/apply")
    ne(page.headers.get("Cache-Control"), "public, max-age=5")
    page = vf.make_referent(("69",)).client().get("/missions/" + slug)
    status(page, 200)
    contains(page.text, 'action="/moderation/missions/%s"' % slug)
    not_contains(page.text, "Annuler la mission")
    # The organisation's own state: a validated mission of a pending
    # organisation is offline.
    poid, _, pmanager = vf.make_org(status="pending")
    _, pslug = vf.make_mission(poid)
    status(Client("fcgi").get("/missions/" + pslug), 404)
    status(pmanager.client().get("/missions/" + pslug), 200)


@test
def the_search_and_a_page_through_nginx():
    tag = vf.word(9)
    _, slug = titled(tag)
    c = Client("http", client_ip=sc.random_client_ip())
    r = c.get("/missions?q=" + tag)
    status(r, 200)
    contains(r.text, slug)
    status(c.get("/api/missions?q=" + tag), 200)
    status(c.get("/missions/" + slug), 200)


@test
def the_search_page_kept_by_the_workers_follows_every_change_at_once():
    # /missions is kept by the workers (it shows no places left); a
    # mission cancelled by a status-only change leaves it at once (the
    # content notification of 007_missions_b), and a new one appears.
    tag = vf.word(9)
    oid, _, _ = vf.make_org()
    _, slug = titled(tag, org=oid)
    c = Client("fcgi")
    for _ in range(6):
        contains(c.get("/missions?q=" + tag).text, slug)
    ok(any(c.get("/missions?q=" + tag).headers.get("X-Page-Cache") == "HIT"
           for _ in range(6)), "the search page is kept")
    not_contains(c.get("/missions?q=" + tag).text, "restante")
    psql("UPDATE missions SET status = 'cancelled' WHERE slug = :'p1'", slug)
    for _ in range(6):
        not_contains(c.get("/missions?q=" + tag).text, slug)
    _, other = titled(tag, org=oid)
    for _ in range(6):
        contains(c.get("/missions?q=" + tag).text, other)
