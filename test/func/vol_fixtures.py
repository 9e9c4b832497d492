# SPDX-License-Identifier: MIT
"""Organisations, missions and applications for the tests of issue 11,
written straight into PostgreSQL (the wizard, the mission editor and the
apply form are tested through the workers in their own modules; here the
others get a validated organisation or an online mission in one line).

Members are test_manage's Person (a confirmed member with PASSWORD, one
logged-in client each). Test modules do `import vol_fixtures as vf`.
"""

import secrets

from civitas import psql, psql_value
from test_manage import Person, word

__all__ = ["Person", "word", "make_org", "make_mission", "add_slot",
           "add_place", "make_referent", "apply"]


def make_org(manager=None, status="validated", insee="69381",
             postal="69001", city="Lyon", legal_kind="association"):
    """(org id, slug, manager Person) of an organisation in Lyon (the
    Rhône, 69) managed by manager (a new Person if None)."""
    manager = manager or Person()
    slug = "orga-" + word(10)
    oid = int(psql_value(
        "INSERT INTO organisations (slug, name, legal_kind, rna, street, "
        "postal_code, country, city_insee, city_name, description, "
        "description_html, charter_accepted_at, wizard_step, status, "
        "created_by, submitted_at, validated_at) VALUES (:'p1', :'p2', "
        ":'p3', CASE WHEN :'p3' = 'association' THEN 'W691000001' END, "
        "'1 place Bellecour', :'p4', 'FR', :'p5', :'p6', "
        "'Une association de test.', '<p>Une association de test.</p>', "
        "now(), 'charte', :'p7', :'p8', now(), CASE WHEN :'p7' = "
        "'validated' THEN now() END) RETURNING id",
        slug, "Association " + word(10), legal_kind, postal, insee, city,
        status, manager.id))
    if legal_kind != "association":
        psql("UPDATE organisations SET siret = '73282932000074' "
             "WHERE id = :'p1'", oid)
    psql("INSERT INTO organisation_managers (organisation_id, user_id) "
         "VALUES (:'p1', :'p2')", oid, manager.id)
    return oid, slug, manager


def make_mission(org_id, places=2, status="validated", remote=False,
                 min_age=16, days=30, title=None, insee="69381",
                 postal="69001", city="Lyon", domain=1, prerequisites=()):
    """(mission id, slug) of a one-off mission of org_id starting tomorrow
    and lasting `days` days, on site in Lyon unless remote."""
    slug = "mission-" + word(10)
    mid = int(psql_value(
        "INSERT INTO missions (slug, organisation_id, title, domain_id, "
        "description, description_html, remote, date_kind, starts_at, "
        "ends_at, places, min_age, prerequisites, status, submitted_at, "
        "validated_at) VALUES (:'p1', :'p2', :'p3', :'p4', "
        "'Aider à la distribution de repas.', "
        "'<p>Aider à la distribution de repas.</p>', :'p5', 'one_off', "
        "now() + interval '1 day', now() + make_interval(days => :'p6'), "
        ":'p7', :'p8', :'p9'::text[], :'p10', now(), "
        "CASE WHEN :'p10' = 'validated' THEN now() END) RETURNING id",
        slug, org_id, title or "Mission " + word(10), domain,
        "true" if remote else "false", days + 1, places, min_age,
        "{" + ",".join('"%s"' % p for p in prerequisites) + "}", status))
    if not remote:
        add_place(mid, insee, postal, city)
    return mid, slug


def add_place(mission_id, insee="69381", postal="69001", city="Lyon"):
    return int(psql_value(
        "INSERT INTO mission_places (mission_id, street, postal_code, "
        "country, city_insee, city_name) VALUES (:'p1', '2 rue de la "
        "République', :'p2', 'FR', :'p3', :'p4') RETURNING id",
        mission_id, postal, insee, city))


def add_slot(mission_id, capacity, day=2):
    """A 3-hour slot `day` days from now; its id."""
    return int(psql_value(
        "INSERT INTO mission_slots (mission_id, starts_at, ends_at, "
        "capacity) VALUES (:'p1', now() + make_interval(days => :'p2'), "
        "now() + make_interval(days => :'p2', hours => 3), :'p3') "
        "RETURNING id", mission_id, day, capacity))


def make_referent(departements=("69",)):
    """A Person who is a referent of the given départements."""
    p = Person()
    for d in departements:
        psql("INSERT INTO referent_areas (user_id, departement) "
             "VALUES (:'p1', :'p2')", p.id, d)
    return p


def apply(mission_id, person, slot=None, waitlist=True):
    """Apply in SQL (application_apply): (id or None, status)."""
    row = psql("SELECT coalesce(application_id::text, ''), status FROM "
               "application_apply(:'p1', :'p2', NULLIF(:'p3', '')::bigint, "
               ":'p4', :'p5')", mission_id, person.id,
               "" if slot is None else slot,
               "Je souhaite vraiment aider : " + secrets.token_hex(4),
               "true" if waitlist else "false")
    app_id, status = row[0]
    return (int(app_id) if app_id else None), status
