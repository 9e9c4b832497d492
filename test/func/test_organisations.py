# SPDX-License-Identifier: MIT
"""Organisations (issue 11, helper A): the wizard (/organisations/new, its
state the member's draft row in PostgreSQL), moderation by referents and
admins (/moderation/organisations), the public page, the managers'
dashboard, managers and their invitations (/organisations/join/{token}),
/account/organisations.

Rules that concurrency could break (one draft per member, one step applied
once, one decision, an invitation used once, never without a manager) are
tested with simultaneous requests. Forms are also posted with forged ids
and forged actions."""

import concurrent.futures
import subprocess
import tempfile

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import vol_fixtures as vf
import stackctl as sc

NEW = "/organisations/new"
LUHN_SIRET = "73282932000074"
LA_POSTE_SIRET = "35600000049837"


# ---- helpers ------------------------------------------------------------

def step(c, transition, fields=None, files=None):
    """POST one step of the wizard with a fresh CSRF token."""
    page = c.get(NEW)
    status(page, 200)
    data = dict(fields or {})
    data["_csrf"] = csrf_of(page)
    data["transition"] = transition
    if files:
        return c.post_multipart(NEW, data, files)
    return c.post(NEW, data)


def draft(person):
    """(wizard_step, status) of the member's draft, None if none."""
    rows = psql("SELECT wizard_step, status FROM organisations WHERE "
                "created_by = :'p1' AND status = 'draft'", person.id)
    return tuple(rows[0]) if rows else None


def run_wizard(person, name=None, kind="association", ident=None,
               postal="69001", city="69381", charter=True):
    """The whole wizard through the worker: the organisation's row id."""
    c = person.client()
    name = name or "Association " + vf.word(8)
    redirects(step(c, "organisation", {"name": name, "legal_kind": kind}),
              NEW)
    ident = ident or ({"rna": "W691000001"} if kind == "association"
                      else {"siret": LUHN_SIRET})
    redirects(step(c, "identifiant", ident), NEW)
    redirects(step(c, "adresse", {"street": "1 place Bellecour",
                                  "country": "FR", "postal_code": postal,
                                  "city_code": city}), NEW)
    redirects(step(c, "presentation", {
        "description": "Nous distribuons des repas chaque semaine.",
        "website_url": "https://exemple.org", "domain_sante": "1",
        "domain_education": "1"}), NEW)
    redirects(step(c, "logo"), NEW)
    if charter:
        redirects(step(c, "envoyer", {"charter": "1"}), NEW)
    return int(psql_value("SELECT id FROM organisations WHERE created_by = "
                          ":'p1' ORDER BY id DESC LIMIT 1", person.id))


def parallel(fn, n):
    with concurrent.futures.ThreadPoolExecutor(n) as ex:
        return list(ex.map(lambda i: fn(i), range(n)))


def org_status(oid):
    return psql_value("SELECT status FROM organisations WHERE id = :'p1'",
                      oid)


def decide(c, oid, action, reason=""):
    page = c.get("/moderation/organisations/%s" % oid)
    token = csrf_of(page) if page.status == 200 else \
        csrf_of(c.get("/account/organisations"))
    return c.post("/moderation/organisations/%s" % oid,
                  {"_csrf": token, "action": action, "reason": reason})


def any_csrf(c):
    return csrf_of(c.get("/account/organisations"))


def png_logo():
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["vips", "black", d + "/b.v", "64", "64", "--bands",
                        "3"], check=True)
        subprocess.run(["vips", "linear", d + "/b.v", d + "/l.png", "1",
                        "120"], check=True)
        with open(d + "/l.png", "rb") as fh:
            return fh.read()


# ---- the wizard ---------------------------------------------------------

@test
def wizard_needs_a_login_and_a_confirmed_member():
    redirects(Client("fcgi").get(NEW))
    p = vf.Person()
    c = p.client()
    psql("UPDATE users SET status = 'pending' WHERE id = :'p1'", p.id)
    page = c.get(NEW)
    status(page, 403)
    contains(page.text, "Confirmez")


@test
def wizard_runs_to_pending_and_resumes_after_logout():
    p = vf.Person()
    c = p.client()
    page = c.get(NEW)
    status(page, 200)
    contains(page.text, "Étape 1 sur 6")
    name = "Les Amis " + vf.word(8)
    redirects(step(c, "organisation", {"name": name,
                                       "legal_kind": "association"}), NEW)
    eq(draft(p), ("identifiant", "draft"))
    # The creator is its first manager from the first step on.
    eq(psql_value("SELECT count(*) FROM organisation_managers g JOIN "
                  "organisations o ON o.id = g.organisation_id WHERE "
                  "o.created_by = :'p1' AND g.user_id = :'p1'", p.id), "1")
    redirects(step(c, "identifiant", {"rna": "w 691 000 001"}), NEW)
    # Log out: the draft is in PostgreSQL, a new session finds it.
    c.post("/logout", {"_csrf": any_csrf(c)})
    c2 = Client("fcgi")
    login(c2, p.email, PASSWORD)
    page = c2.get(NEW)
    status(page, 200)
    contains(page.text, "Étape 3 sur 6")
    contains(page.text, "Son adresse")
    p._client = c2
    redirects(step(c2, "adresse", {"street": "1 place Bellecour",
                                   "country": "FR", "postal_code": "69001"}),
              NEW)
    redirects(step(c2, "presentation", {
        "description": "Des repas pour tous, chaque semaine à Lyon.",
        "domain_sante": "1"}), NEW)
    redirects(step(c2, "logo"), NEW)
    eq(draft(p), ("charte", "draft"))
    page = c2.get(NEW)
    contains(page.text, "charte")
    redirects(step(c2, "envoyer", {"charter": "1"}), NEW)
    row = psql("SELECT status, slug, rna, city_insee, departement, "
               "charter_accepted_at IS NOT NULL, wizard_step FROM "
               "organisations WHERE created_by = :'p1'", p.id)[0]
    eq(row[0], "pending")
    ok(row[1].startswith("les-amis-"), row)
    eq(list(row[2:5]), ["W691000001", "69381", "69"])
    eq(row[5], "t")
    eq(draft(p), None)
    wait_mail(p.email, "attend sa validation")
    # The next visit starts a new registration, with the notice.
    page = c2.get(NEW)
    contains(page.text, "Étape 1 sur 6")
    page = c2.get("/account/organisations")
    contains(page.text, name)
    contains(page.text, "En attente de validation")


@test
def wizard_mails_the_referents_of_the_departement():
    ref69 = vf.make_referent(("69",))
    ref75 = vf.make_referent(("75",))
    p = vf.Person()
    oid = run_wizard(p)
    msg = wait_mail(ref69.email, "attend votre validation")
    contains(mail_text(msg), "/moderation/organisations/%d" % oid)
    eq(mails(ref75.email), [])


@test
def wizard_422_keeps_values_with_a_message_at_each_field():
    p = vf.Person()
    c = p.client()
    r = step(c, "organisation", {"name": "X", "legal_kind": "club"})
    status(r, 422)
    errs = field_errors(r.text)
    contains(errs.get("name", ""), "entre 2 et 120")
    contains(errs.get("legal_kind", ""), "statut")
    contains(r.text, 'name="name" type="text" maxlength="120" required '
             'value="X"')
    eq(draft(p), None)
    redirects(step(c, "organisation", {"name": "Mairie " + vf.word(6),
                                       "legal_kind": "collectivity"}), NEW)
    # A SIRET whose key is wrong; an RNA for a local authority.
    r = step(c, "identifiant", {"siret": "73282932000075"})
    status(r, 422)
    contains(field_errors(r.text).get("siret", ""), "clé de contrôle")
    contains(r.text, 'value="73282932000075"')
    r = step(c, "identifiant", {"rna": "W691000001"})
    status(r, 422)
    contains(field_errors(r.text).get("siret", ""), "Seule une association")
    r = step(c, "identifiant", {"siret": "7328293200007A"})
    status(r, 422)
    contains(field_errors(r.text).get("siret", ""), "chiffres")
    eq(draft(p), ("identifiant", "draft"))
    # La Poste's exception passes.
    redirects(step(c, "identifiant", {"siret": LA_POSTE_SIRET}), NEW)
    eq(psql_value("SELECT siret FROM organisations WHERE created_by = "
                  ":'p1'", p.id), LA_POSTE_SIRET)
    r = step(c, "adresse", {"country": "FR", "postal_code": "00000"})
    status(r, 422)
    ok(field_errors(r.text).get("postal_code"), r.text[:300])
    redirects(step(c, "adresse", {"country": "FR", "postal_code": "69001"}),
              NEW)
    r = step(c, "presentation", {"description": "Trop court."})
    status(r, 422)
    errs = field_errors(r.text)
    contains(errs.get("description", ""), "entre 20")
    contains(errs.get("domains", ""), "au moins un domaine")
    redirects(step(c, "presentation", {
        "description": "Une commune qui accueille des bénévoles.",
        "domain_citoyennete": "1", "domain_inconnu": "1"}), NEW)
    eq(psql_value("SELECT string_agg(d.slug, ',') FROM organisation_domains "
                  "od JOIN domains d ON d.id = od.domain_id JOIN "
                  "organisations o ON o.id = od.organisation_id WHERE "
                  "o.created_by = :'p1'", p.id), "citoyennete")
    redirects(step(c, "logo"), NEW)
    r = step(c, "envoyer", {})
    status(r, 422)
    contains(field_errors(r.text).get("charter", ""), "Acceptez la charte")
    eq(draft(p), ("charte", "draft"))


@test
def wizard_refuses_a_transition_not_of_the_current_step():
    p = vf.Person()
    c = p.client()
    redirects(step(c, "organisation", {"name": "Asso " + vf.word(6),
                                       "legal_kind": "association"}), NEW)
    redirects(step(c, "identifiant", {"rna": "W691000001"}), NEW)
    # A page left open at the first step, a forged name, a forged final
    # step: 409, nothing saved.
    for t in ("organisation", "presentation", "envoyer", "valider", ""):
        r = step(c, t, {"name": "Autre nom", "legal_kind": "private",
                        "charter": "1"})
        status(r, 409, t)
        contains(r.text, "Étape 3 sur 6")
    eq(draft(p), ("adresse", "draft"))
    ok(psql_value("SELECT name FROM organisations WHERE created_by = :'p1'",
                  p.id).startswith("Asso "))
    # A move back keeps what was saved.
    redirects(step(c, "modifier_organisation"), NEW)
    eq(draft(p), ("organisation", "draft"))
    contains(c.get(NEW).text, "Asso ")
    # Not a move forward from the first step.
    status(step(c, "modifier_identifiant"), 409)


@test
def wizard_the_charter_needs_a_complete_draft():
    p = vf.Person()
    run_wizard(p, charter=False)
    # The identifier lost meanwhile (the draft tampered with): refused.
    psql("UPDATE organisations SET rna = NULL WHERE created_by = :'p1'",
         p.id)
    r = step(p.client(), "envoyer", {"charter": "1"})
    status(r, 409)
    contains(r.text, "manquent")
    eq(draft(p), ("charte", "draft"))


@test
def wizard_first_step_at_once_makes_one_draft():
    p = vf.Person()
    c = p.client()
    token = csrf_of(c.get(NEW))

    def first(i):
        return c.post(NEW, {"_csrf": token, "transition": "organisation",
                            "name": "Course %d %s" % (i, vf.word(4)),
                            "legal_kind": "association"}).status
    codes = parallel(first, 20)
    eq(psql_value("SELECT count(*) FROM organisations WHERE created_by = "
                  ":'p1'", p.id), "1")
    eq(psql_value("SELECT count(*) FROM organisation_managers g JOIN "
                  "organisations o ON o.id = g.organisation_id WHERE "
                  "o.created_by = :'p1'", p.id), "1")
    ok(codes.count(303) >= 1 and set(codes) <= {303, 409}, str(codes))


@test
def wizard_one_step_posted_many_times_at_once_applies_once():
    p = vf.Person()
    c = p.client()
    redirects(step(c, "organisation", {"name": "Double " + vf.word(6),
                                       "legal_kind": "private"}), NEW)
    token = csrf_of(c.get(NEW))

    def ident(i):
        return c.post(NEW, {"_csrf": token, "transition": "identifiant",
                            "siret": LUHN_SIRET}).status
    codes = parallel(ident, 20)
    eq(codes.count(303), 1, str(codes))
    eq(codes.count(409), 19, str(codes))
    eq(draft(p), ("adresse", "draft"))


@test
def wizard_submissions_of_one_name_get_distinct_slugs():
    name = "Solidarité " + vf.word(8)
    people = [vf.Person() for _ in range(4)]
    for p in people:
        run_wizard(p, name=name, charter=False)
        p.client()

    def submit(i):
        return step(people[i].client(), "envoyer", {"charter": "1"}).status
    eq(parallel(submit, 4), [303] * 4)
    slugs = sorted(psql_value(
        "SELECT slug FROM organisations WHERE created_by = :'p1'",
        p.id) for p in people)
    base = slugs[0]
    eq(slugs, sorted([base, base + "-2", base + "-3", base + "-4"]))


@test
def wizard_logo_goes_through_the_media_pipeline():
    p = vf.Person()
    c = p.client()
    redirects(step(c, "organisation", {"name": "Logo " + vf.word(6),
                                       "legal_kind": "association"}), NEW)
    redirects(step(c, "identifiant", {"rna": "W691000001"}), NEW)
    redirects(step(c, "adresse", {"country": "FR", "postal_code": "69001"}),
              NEW)
    redirects(step(c, "presentation", {
        "description": "Une association avec un logo.",
        "domain_culture": "1"}), NEW)
    r = step(c, "logo", {}, {"logo": ("logo.png", b"pas une image",
                                      "image/png")})
    status(r, 422)
    ok(field_errors(r.text).get("logo"), r.text[:400])
    eq(draft(p), ("logo", "draft"))
    redirects(step(c, "logo", {}, {"logo": ("logo.png", png_logo(),
                                            "image/png")}), NEW)
    mid = psql_value("SELECT media_id FROM organisations WHERE created_by = "
                     ":'p1'", p.id)
    ok(mid, "no media")
    eq(psql_value("SELECT uploaded_by FROM media WHERE id = :'p1'", mid),
       str(p.id))
    # Back to the logo step: it is shown, and kept when none is sent.
    redirects(step(c, "modifier_logo"), NEW)
    contains(c.get(NEW).text, "/img/")
    redirects(step(c, "logo"), NEW)
    eq(psql_value("SELECT media_id FROM organisations WHERE created_by = "
                  ":'p1'", p.id), mid)


# ---- moderation ---------------------------------------------------------

@test
def referent_of_the_departement_validates_and_managers_are_mailed():
    ref = vf.make_referent(("69",))
    p = vf.Person()
    oid = run_wizard(p)
    page = ref.client().get("/moderation/organisations")
    status(page, 200)
    contains(page.text, "/moderation/organisations/%d" % oid)
    page = ref.client().get("/moderation/organisations/%d" % oid)
    status(page, 200)
    contains(page.text, "W691000001")
    not_contains(page.text, p.email)
    redirects(decide(ref.client(), oid, "validate"),
              "/moderation/organisations/%d" % oid)
    eq(org_status(oid), "validated")
    msg = wait_mail(p.email, "est validée")
    slug = psql_value("SELECT slug FROM organisations WHERE id = :'p1'", oid)
    contains(mail_text(msg), "/organisations/%s" % slug)
    status(Client("fcgi").get("/organisations/%s" % slug), 200)
    # Once validated, validating again is not possible: 409.
    status(decide(ref.client(), oid, "validate"), 409)


@test
def referent_outside_the_departement_cannot_decide():
    ref75 = vf.make_referent(("75",))
    p = vf.Person()
    oid = run_wizard(p)
    page = ref75.client().get("/moderation/organisations")
    status(page, 200)
    not_contains(page.text, "/moderation/organisations/%d\"" % oid)
    status(ref75.client().get("/moderation/organisations/%d" % oid), 403)
    for action in ("validate", "refuse", "report"):
        r = ref75.client().post("/moderation/organisations/%d" % oid, {
            "_csrf": any_csrf(ref75.client()), "action": action,
            "reason": "Hors de mon département."})
        status(r, 403, action)
    eq(org_status(oid), "pending")
    # A plain member neither.
    other = vf.Person()
    status(other.client().get("/moderation/organisations"), 403)
    r = other.client().post("/moderation/organisations/%d" % oid, {
        "_csrf": any_csrf(other.client()), "action": "validate"})
    status(r, 403)
    eq(org_status(oid), "pending")


@test
def a_referent_does_not_moderate_an_organisation_they_manage():
    ref = vf.make_referent(("69",))
    oid = run_wizard(ref)
    status(decide(ref.client(), oid, "validate"), 403)
    eq(org_status(oid), "pending")


@test
def refusing_and_reporting_need_a_reason_that_is_mailed():
    ref = vf.make_referent(("69",))
    p = vf.Person()
    oid = run_wizard(p)
    r = decide(ref.client(), oid, "refuse")
    status(r, 422)
    contains(field_errors(r.text).get("reason", ""), "Indiquez la raison")
    eq(org_status(oid), "pending")
    r = decide(ref.client(), oid, "detruire", "x")
    status(r, 422)
    eq(org_status(oid), "pending")
    redirects(decide(ref.client(), oid, "refuse", "Numéro RNA inconnu."))
    eq(org_status(oid), "refused")
    msg = wait_mail(p.email, "pas été validée")
    contains(mail_text(msg), "Numéro RNA inconnu.")
    # Refused is final in the table: nothing more.
    for action in ("validate", "report", "refuse"):
        status(decide(ref.client(), oid, action, "x"), 409, action)
    # A validated one can be reported; its managers are told why.
    q = vf.Person()
    oid2 = run_wizard(q)
    redirects(decide(ref.client(), oid2, "validate"))
    redirects(decide(ref.client(), oid2, "report", "Contenu trompeur."))
    eq(org_status(oid2), "reported")
    contains(mail_text(wait_mail(q.email, "signalée")), "Contenu trompeur.")
    eq(psql_value("SELECT status_reason FROM organisations WHERE id = "
                  ":'p1'", oid2), "Contenu trompeur.")


@test
def an_admin_decides_in_any_departement():
    admin = vf.Person(admin=True)
    p = vf.Person()
    oid = run_wizard(p, postal="13001", city="13201")
    eq(psql_value("SELECT departement FROM organisations WHERE id = :'p1'",
                  oid), "13")
    page = admin.client().get("/moderation/organisations")
    contains(page.text, "/moderation/organisations/%d" % oid)
    redirects(decide(admin.client(), oid, "validate"))
    eq(org_status(oid), "validated")
    eq(psql_value("SELECT count(*) FROM audit_log WHERE action = "
                  "'organisation.validate' AND object_id = :'p1'",
                  str(oid)), "1")


@test
def simultaneous_decisions_one_wins():
    refs = [vf.make_referent(("69",)) for _ in range(2)]
    p = vf.Person()
    oid = run_wizard(p)
    clients = [r.client() for r in refs]
    tokens = [any_csrf(c) for c in clients]

    def go(i):
        c = clients[i % 2]
        return c.post("/moderation/organisations/%d" % oid, {
            "_csrf": tokens[i % 2],
            "action": "validate" if i % 3 else "refuse",
            "reason": "Décision %d" % i}).status
    codes = parallel(go, 16)
    eq(codes.count(303), 1, str(codes))
    eq(codes.count(409), 15, str(codes))
    ok(org_status(oid) in ("validated", "refused"))
    eq(psql_value("SELECT count(*) FROM outbox WHERE to_addr = :'p1' "
                  "AND (subject LIKE '%validée%')", p.email), "1")


@test
def drafts_and_unknown_ids_are_not_moderated():
    ref = vf.make_referent(("69",))
    p = vf.Person()
    run_wizard(p, charter=False)
    oid = psql_value("SELECT id FROM organisations WHERE created_by = :'p1'",
                     p.id)
    status(ref.client().get("/moderation/organisations/%s" % oid), 404)
    status(decide(ref.client(), oid, "validate"), 404)
    status(ref.client().get("/moderation/organisations/999999999"), 404)
    status(ref.client().get("/moderation/organisations/abc"), 404)
    status(ref.client().get("/moderation/organisations?status=x"), 404)


# ---- the public page ----------------------------------------------------

@test
def public_page_shows_a_validated_organisation_and_its_online_missions():
    oid, slug, manager = vf.make_org()
    _, online = vf.make_mission(oid, title="Distribuer des repas " +
                                vf.word(5))
    _, draft_m = vf.make_mission(oid, status="draft",
                                 title="Brouillon " + vf.word(5))
    other, _, _ = vf.make_org()
    _, foreign = vf.make_mission(other, title="Ailleurs " + vf.word(5))
    page = Client("fcgi").get("/organisations/%s" % slug)
    status(page, 200)
    contains(page.text, "/missions/%s" % online)
    not_contains(page.text, "/missions/%s" % draft_m)
    not_contains(page.text, "/missions/%s" % foreign)
    not_contains(page.text, manager.email)
    # Reported: its page leaves the public.
    psql("UPDATE organisations SET status = 'reported' WHERE id = :'p1'",
         oid)
    status(Client("fcgi").get("/organisations/%s" % slug), 404)
    page = manager.client().get("/organisations/%s" % slug)
    status(page, 200)
    contains(page.text, "Signalée")
    status(Client("fcgi").get("/organisations/pas-une-organisation"), 404)


@test
def pending_organisation_is_seen_by_its_managers_and_referents_only():
    oid, slug, manager = vf.make_org(status="pending")
    status(Client("fcgi").get("/organisations/%s" % slug), 404)
    status(vf.Person().client().get("/organisations/%s" % slug), 404)
    status(vf.make_referent(("75",)).client().get(
        "/organisations/%s" % slug), 404)
    status(vf.make_referent(("69",)).client().get(
        "/organisations/%s" % slug), 200)
    status(manager.client().get("/organisations/%s" % slug), 200)


# ---- managers and invitations -------------------------------------------

@test
def dashboard_is_for_the_managers_of_that_organisation_only():
    oid, slug, manager = vf.make_org()
    _, _, other_manager = vf.make_org()
    page = manager.client().get("/organisations/%s/manage" % slug)
    status(page, 200)
    contains(page.text, "/organisations/%s/missions" % slug)
    contains(page.text, "/organisations/%s/applications" % slug)
    contains(page.text, "%s %s." % (manager.first, manager.last[0]))
    not_contains(page.text, manager.email)
    status(other_manager.client().get("/organisations/%s/manage" % slug),
           403)
    status(vf.make_referent(("69",)).client().get(
        "/organisations/%s/manage" % slug), 403)
    redirects(Client("fcgi").get("/organisations/%s/manage" % slug))


def invite(c, slug, email):
    return c.post("/organisations/%s/managers" % slug,
                  {"_csrf": any_csrf(c), "email": email})


def invitation_link(email):
    msg = wait_mail(email, "Invitation à gérer")
    for link in links(msg):
        if "/organisations/join/" in link:
            return path_of(link)
    raise AssertionError("no join link in %s" % mail_text(msg))


@test
def invitation_makes_a_manager_once():
    oid, slug, manager = vf.make_org()
    newcomer = vf.Person()
    redirects(invite(manager.client(), slug, newcomer.email.upper()),
              "/organisations/%s/manage" % slug)
    page = manager.client().get("/organisations/%s/manage" % slug)
    not_contains(page.text, newcomer.email)
    contains(page.text, newcomer.email[:2] + "***@")
    link = invitation_link(newcomer.email)
    # Anonymous: the page offers to log in and come back.
    page = Client("fcgi").get(link)
    status(page, 200)
    contains(page.text, "/login?next=%s" % link)
    page = newcomer.client().get(link)
    status(page, 200)
    r = newcomer.client().post(link, {"_csrf": csrf_of(page)})
    redirects(r, "/organisations/%s/manage" % slug)
    eq(psql_value("SELECT invited_by FROM organisation_managers WHERE "
                  "organisation_id = :'p1' AND user_id = :'p2'", oid,
                  newcomer.id), str(manager.id))
    eq(psql_value("SELECT email IS NULL FROM organisation_invitations WHERE "
                  "organisation_id = :'p1'", oid), "t")
    status(newcomer.client().get("/organisations/%s/manage" % slug), 200)
    # Used: a second click, by anyone, is a 404.
    third = vf.Person()
    status(third.client().get(link), 404)
    status(third.client().post(link, {"_csrf": any_csrf(third.client())}),
           404)
    eq(psql_value("SELECT count(*) FROM organisation_managers WHERE "
                  "organisation_id = :'p1'", oid), "2")


@test
def invitation_accepted_at_once_by_many_is_used_once():
    oid, slug, manager = vf.make_org()
    email = unique_email("invite")
    redirects(invite(manager.client(), slug, email))
    link = invitation_link(email)
    people = [vf.Person() for _ in range(12)]
    clients = [p.client() for p in people]
    tokens = [any_csrf(c) for c in clients]
    codes = parallel(lambda i: clients[i].post(
        link, {"_csrf": tokens[i]}).status, 12)
    eq(codes.count(303), 1, str(codes))
    eq(codes.count(404), 11, str(codes))
    eq(psql_value("SELECT count(*) FROM organisation_managers WHERE "
                  "organisation_id = :'p1'", oid), "2")


@test
def expired_and_forged_invitations_are_refused():
    oid, slug, manager = vf.make_org()
    email = unique_email("invite")
    redirects(invite(manager.client(), slug, email))
    link = invitation_link(email)
    psql("UPDATE organisation_invitations SET expires_at = now() - "
         "interval '1 second' WHERE organisation_id = :'p1'", oid)
    p = vf.Person()
    status(p.client().get(link), 404)
    status(p.client().post(link, {"_csrf": any_csrf(p.client())}), 404)
    status(p.client().get("/organisations/join/" + "A" * 43), 404)
    status(p.client().get("/organisations/join/pas-un-jeton"), 404)
    eq(psql_value("SELECT count(*) FROM organisation_managers WHERE "
                  "organisation_id = :'p1'", oid), "1")


@test
def invitations_forged_from_another_organisation_are_refused():
    oid, slug, manager = vf.make_org()
    _, _, outsider = vf.make_org()
    r = invite(outsider.client(), slug, unique_email("forged"))
    status(r, 403)
    eq(psql_value("SELECT count(*) FROM organisation_invitations WHERE "
                  "organisation_id = :'p1'", oid), "0")
    r = invite(manager.client(), slug, "pas une adresse")
    status(r, 422)
    contains(field_errors(r.text).get("email", ""), "pas valide")


@test
def twenty_pending_invitations_at_most():
    oid, slug, manager = vf.make_org()
    c = manager.client()
    token = any_csrf(c)
    codes = parallel(lambda i: c.post(
        "/organisations/%s/managers" % slug,
        {"_csrf": token, "email": unique_email("cap%d" % i)}).status, 26)
    eq(codes.count(303), 20, str(codes))
    eq(codes.count(429), 6, str(codes))
    eq(psql_value("SELECT count(*) FROM organisation_invitations WHERE "
                  "organisation_id = :'p1'", oid), "20")


@test
def managers_are_removed_but_never_the_last_one():
    oid, slug, manager = vf.make_org()
    second = vf.Person()
    psql("INSERT INTO organisation_managers (organisation_id, user_id) "
         "VALUES (:'p1', :'p2')", oid, second.id)
    c = manager.client()
    base = "/organisations/%s/managers/" % slug
    # A forged id: a member who does not manage it, nonsense.
    stranger = vf.Person()
    status(c.post(base + "%d/remove" % stranger.id,
                  {"_csrf": any_csrf(c)}), 404)
    status(c.post(base + "0/remove", {"_csrf": any_csrf(c)}), 404)
    # A manager of another organisation cannot remove anyone here.
    _, _, outsider = vf.make_org()
    status(outsider.client().post(base + "%d/remove" % second.id,
                                  {"_csrf": any_csrf(outsider.client())}),
           403)
    redirects(c.post(base + "%d/remove" % second.id, {"_csrf": any_csrf(c)}),
              "/organisations/%s/manage" % slug)
    status(second.client().get("/organisations/%s/manage" % slug), 403)
    r = c.post(base + "%d/remove" % manager.id, {"_csrf": any_csrf(c)})
    status(r, 409)
    contains(r.text, "au moins un responsable")
    eq(psql_value("SELECT count(*) FROM organisation_managers WHERE "
                  "organisation_id = :'p1'", oid), "1")


@test
def two_managers_removing_each_other_at_once_leave_one():
    for _ in range(5):
        oid, slug, a = vf.make_org()
        b = vf.Person()
        psql("INSERT INTO organisation_managers (organisation_id, user_id) "
             "VALUES (:'p1', :'p2')", oid, b.id)
        pairs = [(a.client(), b.id), (b.client(), a.id)]
        tokens = [any_csrf(c) for c, _ in pairs]
        codes = parallel(lambda i: pairs[i][0].post(
            "/organisations/%s/managers/%d/remove" % (slug, pairs[i][1]),
            {"_csrf": tokens[i]}).status, 2)
        eq(psql_value("SELECT count(*) FROM organisation_managers WHERE "
                      "organisation_id = :'p1'", oid), "1", str(codes))


@test
def account_lists_the_members_organisations_and_draft():
    p = vf.Person()
    oid, slug, _ = vf.make_org(manager=p)
    c = p.client()
    redirects(step(c, "organisation", {"name": "Brouillon " + vf.word(6),
                                       "legal_kind": "association"}), NEW)
    page = c.get("/account/organisations")
    status(page, 200)
    contains(page.text, "Reprendre l'inscription")
    contains(page.text, "/organisations/%s/manage" % slug)
    not_contains(vf.Person().client().get("/account/organisations").text,
                 slug)


@test
def wizard_answers_503_when_postgresql_is_down():
    p = vf.Person()
    c = p.client()
    token = any_csrf(c)
    try:
        sc.stop_postgres()
        r = c.post(NEW, {"_csrf": token, "transition": "organisation",
                         "name": "Panne " + vf.word(5),
                         "legal_kind": "association"})
        status(r, 503)
    finally:
        sc.restore_stack()
    eq(draft(p), None)
