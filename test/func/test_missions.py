# SPDX-License-Identifier: MIT
"""Missions (issue 11, part B): the managers' editor (places, slots,
prerequisites, one-off and recurring), authorisation per organisation with
forged ids, the states by role and their mails, cancelling and reporting
closing the open applications, moderation by the referents of the
département, and the scheduled completion (`civitas-fcgi
missions-complete`). The search and the page are test_missions_search.py.

Organisations, referents and applications are rows (vol_fixtures); the
missions under test are written through the workers."""

import concurrent.futures
import os
import subprocess

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import vol_fixtures as vf
from test_manage import token, outbox_to

_psql = psql


def psql(sql, *params):   # noqa: F811 (rows as lists, to compare)
    return [list(row) for row in _psql(sql, *params)]


def post(c, path, fields=None):
    data = dict(fields or {})
    data["_csrf"] = token(c)
    return c.post(path, data)


def mission_fields(**over):
    f = {
        "title": "Distribution alimentaire " + vf.word(6),
        "domain": "1",
        "description": "Aider à distribuer des colis alimentaires aux "
                       "familles du quartier.",
        "mode": "place",
        "street": "3 rue Mercière",
        "country": "FR",
        "postal_code": "69002",
        "city_code": "",
        "city_name": "",
        "date_kind": "one_off",
        "starts_at": "2031-03-01T09:00",
        "ends_at": "2031-03-01T17:00",
        "places": "2",
        "min_age": "16",
    }
    f.update(over)
    return f


def create(manager, org_slug, **over):
    """POST a new mission as manager; (response, slug or None)."""
    c = manager.client()
    r = post(c, "/organisations/%s/missions/new" % org_slug,
             mission_fields(**over))
    slug = None
    if r.status == 303:
        slug = r.location.rsplit("/", 1)[-1]
    return r, slug


def mission_row(slug, cols="status"):
    return psql("SELECT " + cols + " FROM missions WHERE slug = :'p1'",
                slug)[0]


def state(c, slug, action, reason=None, moderation=False):
    fields = {"action": action}
    if reason is not None:
        fields["reason"] = reason
    path = ("/moderation/missions/%s" if moderation
            else "/missions/%s/state") % slug
    return post(c, path, fields)


def cli(*args):
    out = subprocess.run([fcgi_binary()] + list(args), capture_output=True,
                         text=True, env=os.environ)
    return out.returncode, out.stdout, out.stderr


# -- creation and editing ------------------------------------------------------

@test
def a_manager_creates_a_draft_with_its_place_and_other_places():
    oid, oslug, manager = vf.make_org()
    r, slug = create(manager, oslug, other_places="69003, 69100",
                     prereq_1="Avoir un gilet", prereq_3="Être ponctuel")
    status(r, 303)
    row = mission_row(slug, "status, organisation_id, places, remote, "
                      "created_by, array_to_string(prerequisites, '|'), "
                      "to_char(starts_at AT TIME ZONE 'Europe/Paris', "
                      "'YYYY-MM-DD HH24:MI')")
    eq(row, ["draft", str(oid), "2", "f", str(manager.id),
             "Avoir un gilet|Être ponctuel", "2031-03-01 09:00"])
    places = psql("SELECT position, postal_code, city_insee FROM "
                  "mission_places p JOIN missions m ON m.id = p.mission_id "
                  "WHERE m.slug = :'p1' ORDER BY position", slug)
    eq([p[1] for p in places], ["69002", "69003", "69100"])
    ok(all(p[2] for p in places), "every place has its commune")
    # The draft is shown to its manager, not to others.
    status(manager.client().get("/missions/" + slug), 200)
    status(vf.Person().client().get("/missions/" + slug), 404)
    status(Client("fcgi").get("/missions/" + slug), 404)


@test
def a_remote_recurring_mission_needs_its_hours_and_no_place():
    oid, oslug, manager = vf.make_org()
    r, _ = create(manager, oslug, mode="remote", date_kind="recurring",
                  ends_at="")
    status(r, 422)
    contains(r.text, "engagement hebdomadaire, en heures")
    r, slug = create(manager, oslug, mode="remote", date_kind="recurring",
                     ends_at="", hours_per_week="4")
    status(r, 303)
    eq(mission_row(slug, "remote, hours_per_week, ends_at IS NULL, "
                   "(SELECT count(*) FROM mission_places p WHERE "
                   "p.mission_id = missions.id)"), ["t", "4", "t", "0"])


@test
def a_wrong_form_comes_back_as_typed_with_a_message_at_each_field():
    oid, oslug, manager = vf.make_org()
    r, _ = create(manager, oslug, title="Abc", places="0", domain="99",
                  ends_at="2031-02-01T09:00", postal_code="99999",
                  min_age="120", slot_1_starts="2031-03-01T09:00")
    status(r, 422)
    for msg in ("Le titre doit comporter entre 5 et 120",
                "Indiquez un nombre de places entre 1 et",
                "Choisissez un domaine de la liste",
                "La date de fin doit être postérieure",
                "pas un code postal français valide",
                "Indiquez un âge entre 0 et 99",
                "Indiquez la fin du créneau"):
        contains(r.text, msg)
    contains(r.text, 'value="Abc"')
    eq(psql_value("SELECT count(*) FROM missions WHERE organisation_id = "
                  ":'p1'", oid), "0")


@test
def slots_are_created_edited_and_deleted_with_the_mission():
    oid, oslug, manager = vf.make_org()
    r, slug = create(manager, oslug, slot_1_starts="2031-03-01T09:00",
                     slot_1_ends="2031-03-01T12:00", slot_1_capacity="3",
                     slot_2_starts="2031-03-01T14:00",
                     slot_2_ends="2031-03-01T17:00", slot_2_capacity="2")
    status(r, 303)
    slots = psql("SELECT s.id, s.capacity FROM mission_slots s JOIN missions "
                 "m ON m.id = s.mission_id WHERE m.slug = :'p1' ORDER BY "
                 "s.starts_at", slug)
    eq([s[1] for s in slots], ["3", "2"])
    c = manager.client()
    page = c.get("/missions/%s/edit" % slug)
    status(page, 200)
    contains(page.text, 'value="%s"' % slots[0][0])
    r = c.submit("/missions/%s/edit" % slug, {
        "slot_1_capacity": "5", "slot_2_delete": "1",
        "slot_3_starts": "2031-03-02T09:00", "slot_3_ends":
        "2031-03-02T12:00", "slot_3_capacity": "4"},
        form_selector="#mission-form")
    status(r, 303)
    eq([s[0] for s in psql("SELECT s.capacity FROM mission_slots s JOIN "
                           "missions m ON m.id = s.mission_id WHERE m.slug "
                           "= :'p1' ORDER BY s.starts_at", slug)],
       ["5", "4"])


@test
def places_and_capacities_never_go_below_what_applications_took():
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, places=3)
    sid = vf.add_slot(mid, 2)
    for _ in range(2):
        eq(vf.apply(mid, vf.Person(), slot=sid)[1], "waiting")
    c = manager.client()
    form = c.get("/missions/%s/edit" % slug)
    status(form, 200)
    r = c.submit("/missions/%s/edit" % slug, {"places": "1"},
                 form_selector="#mission-form")
    status(r, 422)
    contains(r.text, "le nombre de places ne peut pas être inférieur")
    r = c.submit("/missions/%s/edit" % slug, {"slot_1_capacity": "1"},
                 form_selector="#mission-form")
    status(r, 422)
    contains(r.text, "Des candidatures occupent déjà plus de places dans "
             "ce créneau")
    r = c.submit("/missions/%s/edit" % slug, {"slot_1_delete": "1"},
                 form_selector="#mission-form")
    status(r, 422)
    contains(r.text, "il ne peut pas être supprimé")
    eq(psql("SELECT m.places, s.capacity FROM missions m JOIN mission_slots "
            "s ON s.mission_id = m.id WHERE m.id = :'p1'", mid)[0],
       ["3", "2"])


# -- authorisation, forged ids -------------------------------------------------

@test
def only_the_managers_of_that_organisation_write_its_missions():
    oid, oslug, manager = vf.make_org()
    other_oid, other_slug, other_manager = vf.make_org()
    mid, slug = vf.make_mission(oid)
    # Another organisation's manager: the new form and the edit of this
    # one's mission are 403, its list too.
    oc = other_manager.client()
    status(oc.get("/organisations/%s/missions/new" % oslug), 403)
    status(post(oc, "/organisations/%s/missions/new" % oslug,
                mission_fields()), 403)
    status(oc.get("/missions/%s/edit" % slug), 403)
    status(post(oc, "/missions/%s/edit" % slug, mission_fields()), 403)
    status(oc.get("/organisations/%s/missions" % oslug), 403)
    status(state(oc, slug, "cancel"), 403)
    eq(mission_row(slug), ["validated"])
    # A volunteer, too; anonymous: to the login.
    vc = vf.Person().client()
    status(vc.get("/missions/%s/edit" % slug), 403)
    status(Client("fcgi").get("/missions/%s/edit" % slug), 303)
    eq(psql_value("SELECT count(*) FROM missions WHERE organisation_id = "
                  ":'p1'", oid), "1")


@test
def a_forged_slot_id_of_another_mission_changes_nothing():
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid)
    other_oid, _, _ = vf.make_org()
    other_mid, _ = vf.make_mission(other_oid)
    foreign = vf.add_slot(other_mid, 5)
    own = vf.add_slot(mid, 5)
    c = manager.client()
    c.get("/missions/%s/edit" % slug)
    for fields in ({"slot_1_id": str(foreign), "slot_1_capacity": "9"},
                   {"slot_1_id": str(foreign), "slot_1_delete": "1"},
                   {"slot_2_id": str(foreign), "slot_2_starts":
                    "2031-01-01T10:00", "slot_2_ends": "2031-01-01T11:00",
                    "slot_2_capacity": "9"}):
        r = c.submit("/missions/%s/edit" % slug, fields,
                     form_selector="#mission-form")
        ne(r.status, 303, "forged %r" % fields)
    eq(psql("SELECT mission_id, capacity FROM mission_slots WHERE id = "
            ":'p1'", foreign)[0], [str(other_mid), "5"])
    eq(psql_value("SELECT count(*) FROM mission_slots WHERE mission_id = "
                  ":'p1'", mid), "1")
    eq(psql_value("SELECT capacity FROM mission_slots WHERE id = :'p1'",
                  own), "5")


@test
def a_refused_organisation_cannot_post_missions():
    oid, oslug, manager = vf.make_org(status="refused")
    status(manager.client().get("/organisations/%s/missions/new" % oslug),
           409)


# -- states by role, moderation, mails -----------------------------------------

@test
def submit_validate_and_the_mails_of_each_change():
    oid, oslug, manager = vf.make_org()
    referent = vf.make_referent(("69",))
    r, slug = create(manager, oslug)
    mc = manager.client()
    status(state(mc, slug, "submit"), 303)
    eq(mission_row(slug, "status, submitted_at IS NOT NULL"),
       ["pending", "t"])
    ok(any("Mission à valider" in s for s, _, _ in
           outbox_to(referent.email)), "the referent is mailed")
    # The manager cannot validate it; a referent sees it in moderation.
    status(state(mc, slug, "validate", moderation=True), 403)
    rc = referent.client()
    page = rc.get("/moderation/missions")
    status(page, 200)
    contains(page.text, "/missions/" + slug)
    status(state(rc, slug, "validate", moderation=True), 303)
    eq(mission_row(slug, "status, online"), ["validated", "t"])
    ok(any("est validée" in s for s, _, _ in outbox_to(manager.email)),
       "the manager is mailed")
    # Validating again: not from this state.
    status(state(rc, slug, "validate", moderation=True), 409)


@test
def a_referent_outside_the_departement_cannot_validate():
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, status="pending")
    outsider = vf.make_referent(("75",))
    oc = outsider.client()
    status(state(oc, slug, "validate", moderation=True), 404)
    not_contains(oc.get("/moderation/missions").text, slug)
    eq(mission_row(slug), ["pending"])
    # Nor a plain member (the moderation list is 403).
    status(vf.Person().client().get("/moderation/missions"), 403)
    # An admin can.
    admin = vf.Person(admin=True)
    status(state(admin.client(), slug, "validate", moderation=True), 303)
    eq(mission_row(slug), ["validated"])


@test
def actions_are_refused_out_of_their_route_state_or_name():
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, status="draft")
    mc = manager.client()
    status(state(mc, slug, "complete"), 409)        # a draft
    status(state(mc, slug, "publish"), 400)         # no such action
    status(state(mc, slug, "submit", moderation=True), 400)
    referent = vf.make_referent(("69",))
    psql("UPDATE missions SET status = 'pending' WHERE id = :'p1'", mid)
    status(state(referent.client(), slug, "validate"), 400)
    r = state(referent.client(), slug, "report", moderation=True)
    status(r, 422)
    contains(r.text, "Indiquez la raison")
    eq(mission_row(slug), ["pending"])


@test
def cancelling_cancels_the_open_applications_with_a_mail_each():
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, places=1)
    people = [vf.Person() for _ in range(3)]
    ids = [vf.apply(mid, p)[0] for p in people]
    psql("UPDATE applications SET status = 'validated' WHERE id = :'p1'",
         ids[0])
    status(state(manager.client(), slug, "cancel"), 303)
    eq(mission_row(slug, "status, online"), ["cancelled", "f"])
    rows = psql("SELECT status, coalesce(reason, '') FROM applications "
                "WHERE mission_id = :'p1' ORDER BY id", mid)
    eq(rows, [["validated", ""], ["cancelled", "mission_cancelled"],
              ["cancelled", "mission_cancelled"]])
    ok(any("Mission annulée" in s for s, _, _ in
           outbox_to(people[1].email)), "the queued volunteer is mailed")
    ok(not any("Mission annulée" in s for s, _, _ in
               outbox_to(people[0].email)), "the validated one is not")


@test
def reporting_cancels_the_open_applications_and_mails_the_managers():
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, places=5)
    v = vf.Person()
    aid, st = vf.apply(mid, v)
    eq(st, "waiting")
    referent = vf.make_referent(("69",))
    status(state(referent.client(), slug, "report", reason="Contenu "
                 "trompeur", moderation=True), 303)
    eq(mission_row(slug, "status, status_reason"), ["reported",
                                                     "Contenu trompeur"])
    eq(psql("SELECT status, reason FROM applications WHERE id = :'p1'",
            aid)[0], ["cancelled", "mission_reported"])
    mails = outbox_to(manager.email)
    ok(any("signalée" in s and "Contenu trompeur" in b for s, _, b in mails),
       "the manager is mailed with the reason")
    ok(any("Mission annulée" in s for s, _, _ in outbox_to(v.email)),
       "the volunteer is mailed")
    # The mission is offline: 404 for the volunteer, no apply any more.
    status(v.client().get("/missions/" + slug), 404)
    eq(vf.apply(mid, vf.Person()), (None, "closed"))


@test
def twenty_simultaneous_cancellations_apply_once():
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, places=5)
    people = [vf.Person() for _ in range(3)]
    for p in people:
        vf.apply(mid, p)
    c = manager.client()
    tok = token(c)

    def one(_):
        return c.post("/missions/%s/state" % slug,
                      {"_csrf": tok, "action": "cancel"}).status

    with concurrent.futures.ThreadPoolExecutor(20) as ex:
        codes = list(ex.map(one, range(20)))
    eq(codes.count(303), 1, str(codes))
    eq(sorted(set(codes) - {303}), [409], str(codes))
    eq(psql_value("SELECT count(*) FROM outbox WHERE subject LIKE "
                  "'Mission annulée%' AND to_addr = ANY(:'p1'::text[])",
                  "{" + ",".join(p.email for p in people) + "}"), "3")


@test
def an_application_never_lands_on_a_mission_that_went_offline():
    # The trigger of 007_missions_b: an open application on a mission
    # offline is refused, even when inserted directly.
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, status="cancelled")
    p = vf.Person()
    try:
        psql("INSERT INTO applications (mission_id, user_id, motivation, "
             "status) VALUES (:'p1', :'p2', 'Une motivation assez longue.', "
             "'waiting')", mid, p.id)
        failed = ""
    except RuntimeError as e:
        failed = str(e)
    contains(failed, "is not online")



@test
def an_application_racing_a_cancellation_is_answered_closed():
    # application_apply() reads the mission online, then waits for the
    # row a cancellation holds; once that commits the application is
    # refused (CV002) and answered 'closed', not an error.
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, places=3)
    p = vf.Person()
    holder = subprocess.Popen(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
         os.environ["DATABASE_URL"]], stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        holder.stdin.write("BEGIN;\nUPDATE missions SET status = "
                           "'cancelled' WHERE id = %d;\n" % mid)
        holder.stdin.flush()
        wait_until(lambda: psql_value(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = "
            "l.relation WHERE c.relname = 'missions' AND l.mode = "
            "'RowExclusiveLock' AND l.pid <> pg_backend_pid()") != "0",
            10, 0.05, "the cancellation to hold the mission's row")
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            applying = pool.submit(vf.apply, mid, p, None, False)
            wait_until(lambda: psql_value(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type"
                " = 'Lock' AND query LIKE '%application_apply%'") != "0",
                10, 0.05, "the application to wait for the mission's row")
            holder.stdin.write("COMMIT;\n")
            holder.stdin.close()
            eq(holder.wait(20), 0, holder.stderr.read())
            eq(applying.result(20), (None, "closed"))
    finally:
        if holder.poll() is None:
            holder.kill()
    eq(psql_value("SELECT count(*) FROM applications WHERE mission_id = "
                  ":'p1'", mid), "0")
    eq(psql_value("SELECT places_taken FROM missions WHERE id = :'p1'",
                  mid), "0")


# -- the scheduled completion ----------------------------------------------------

@test
def the_scheduled_completion_completes_and_declines_what_is_left_open():
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, places=2)
    recent, _ = vf.make_mission(oid, places=2)
    people = [vf.Person() for _ in range(3)]
    ids = [vf.apply(mid, p)[0] for p in people]
    psql("UPDATE applications SET status = 'validated' WHERE id = :'p1'",
         ids[0])
    vf.apply(recent, vf.Person())
    # Its end passed 31 days ago; the other's 20 days ago.
    psql("UPDATE missions SET starts_at = now() - interval '40 days', "
         "ends_at = now() - interval '31 days' WHERE id = :'p1'", mid)
    psql("UPDATE missions SET starts_at = now() - interval '30 days', "
         "ends_at = now() - interval '20 days' WHERE id = :'p1'", recent)
    rc, out, err = cli("missions-complete")
    eq(rc, 0, err)
    matches(out, r"^[1-9][0-9]* missions completed, [0-9]+ mails queued")
    eq(psql("SELECT status, auto_completed, completed_at IS NOT NULL FROM "
            "missions WHERE id = :'p1'", mid)[0], ["completed", "t", "t"])
    eq(psql_value("SELECT status FROM missions WHERE id = :'p1'", recent),
       "validated")
    eq(psql("SELECT status, coalesce(reason, '') FROM applications WHERE "
            "mission_id = :'p1' ORDER BY id", mid),
       [["validated", ""], ["refused", "mission_terminated"],
        ["refused", "mission_terminated"]])
    for p in people[1:]:
        mails = [m for m in outbox_to(p.email) if "Votre candidature" in m[0]]
        eq(len(mails), 1, p.email)
        contains(mails[0][2], "est terminée")
        contains(mails[0][2], "Bonjour " + p.first)
    # Run again: nothing more, no second mail.
    rc, out, err = cli("missions-complete")
    eq(rc, 0, err)
    for p in people[1:]:
        eq(len([m for m in outbox_to(p.email)
                if "Votre candidature" in m[0]]), 1)


@test
def a_manager_completes_a_mission_and_its_waiting_applications_are_declined():
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, places=2)
    v = vf.Person()
    aid, _ = vf.apply(mid, v)
    status(state(manager.client(), slug, "complete"), 303)
    eq(psql("SELECT m.status, a.status, a.reason FROM missions m JOIN "
            "applications a ON a.mission_id = m.id WHERE a.id = :'p1'",
            aid)[0], ["completed", "refused", "mission_terminated"])
    ok(any("Votre candidature" in s for s, _, _ in outbox_to(v.email)),
       "the volunteer is mailed")


@test
def the_organisation_lists_its_missions_for_managers_and_referents():
    oid, oslug, manager = vf.make_org()
    mid, slug = vf.make_mission(oid, status="draft", title="Mission "
                                "brouillon " + vf.word(5))
    page = manager.client().get("/organisations/%s/missions" % oslug)
    status(page, 200)
    contains(page.text, "/missions/" + slug)
    contains(page.text, "Brouillon")
    contains(page.text, "/organisations/%s/missions/new" % oslug)
    referent = vf.make_referent(("69",))
    page = referent.client().get("/organisations/%s/missions" % oslug)
    status(page, 200)
    not_contains(page.text, "/missions/new")
