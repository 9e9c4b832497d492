# SPDX-License-Identifier: MIT
"""Committees: creation (/committees/new), moderation (/admin/committees),
the directory (/committees, /api/committees) with distances, a committee's
page, following (JSON and plain forms), the opt-ins, the edit form, and
the search index.

Every test makes committees of its own with made-up names (all modules
share one database). Rules that concurrency could break (the folded name,
one open committee per member, one membership per follower, a committee
never left without a host) are tested with simultaneous requests."""

import re
import threading
import urllib.parse

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import content_fixtures as cf
import stackctl as sc

JSON = {"Accept": "application/json"}
PUBLIC = "public, max-age=5"


# ---- helpers ------------------------------------------------------------

def client(transport="fcgi"):
    if transport == "http":
        return Client("http", client_ip=sc.random_client_ip())
    return Client("fcgi")


def member(transport="fcgi", **overrides):
    """A confirmed, logged-in member: (client, email, user id)."""
    c, email, _ = new_member(client(transport), **overrides)
    return c, email, int(user_id(email))


_ADMIN = []


def admin(transport="fcgi"):
    """A logged-in admin (a client per call; another admin when this one
    cannot pass the second factor again without waiting for the next 30 s
    step: each code is accepted once)."""
    if not _ADMIN or not admin_ready(_ADMIN[-1][0]):
        _ADMIN.append(make_admin())
    email, password = _ADMIN[-1]
    c = client(transport)
    login(c, email, password)
    return c


def name_of(prefix="Comité"):
    return "%s %s" % (prefix, cf.word().capitalize())


def fields(**overrides):
    f = {
        "name": name_of(),
        "description": "Un comité pour **agir ensemble** près de chez nous.",
        "street": "",
        "country": "FR",
        "postal_code": "69001",
        "city_code": "69381",
        "city_name": "",
        "website_url": "",
        "facebook_url": "",
        "twitter_handle": "",
    }
    f.update(overrides)
    return f


def create(c, **overrides):
    return c.submit("/committees/new", fields(**overrides),
                    form_selector="/committees/new")


def row(name):
    """The committee named exactly name: dict or None."""
    rows = psql("SELECT id, slug, status, coalesce(created_by, 0), "
                "description_html, coalesce(media_id, 0), "
                "coalesce(street, ''), coalesce(postal_code, ''), country, "
                "coalesce(city_insee, ''), city_name, "
                "coalesce(website_url, ''), coalesce(twitter_handle, ''), "
                "approved_at IS NOT NULL FROM committees WHERE name = :'p1'",
                name)
    if not rows:
        return None
    keys = ("id", "slug", "status", "created_by", "html", "media_id",
            "street", "postal_code", "country", "city_insee", "city_name",
            "website", "twitter", "approved")
    d = dict(zip(keys, rows[0]))
    d["id"] = int(d["id"])
    d["created_by"] = int(d["created_by"])
    return d


def created(c, **overrides):
    """Create through the form; returns the row."""
    f = fields(**overrides)
    r = c.submit("/committees/new", f, form_selector="/committees/new")
    status(r, 303, "creation of %s" % f["name"])
    cm = row(f["name"])
    ok(cm, "no committee %s" % f["name"])
    redirects(r, "/committees/" + cm["slug"])
    return cm


def approve(a, cid):
    r = a.submit("/admin/committees/%d" % cid, {},
                 form_selector="/admin/committees/%d/approve" % cid)
    redirects(r, "/admin/committees/%d" % cid, "approval")
    return r


def refuse(a, cid, reason="Le nom ne convient pas."):
    return a.submit("/admin/committees/%d" % cid, {"reason": reason},
                    form_selector="/admin/committees/%d/refuse" % cid)


def approved(transport="fcgi", **overrides):
    """An approved committee and its supervisor: (row, client, email,
    uid)."""
    c, email, uid = member(transport)
    cm = created(c, **overrides)
    approve(admin(), cm["id"])
    return row_by_id(cm["id"]), c, email, uid


def row_by_id(cid):
    name = psql_value("SELECT name FROM committees WHERE id = :'p1'", cid)
    return row(name)


def insert_approved(name, postal, insee, city, country="FR"):
    """A committee approved straight in the database (directory tests)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    psql("INSERT INTO committees (slug, name, description, country, "
         "postal_code, city_insee, city_name, status, approved_at) VALUES "
         "(:'p1', :'p2', 'Un comité de test.', :'p3', nullif(:'p4', ''), "
         "nullif(:'p5', ''), :'p6', 'approved', now())",
         slug, name, country, postal, insee, city)
    return slug


def committees_of(uid):
    return int(psql_value("SELECT count(*) FROM committees WHERE "
                          "created_by = :'p1'", uid))


def membership(cid, uid):
    rows = psql("SELECT role, notify_messages, notify_events, "
                "notify_followers FROM committee_memberships WHERE "
                "committee_id = :'p1' AND user_id = :'p2'", cid, uid)
    return rows[0] if rows else None


def members_of(cid):
    return int(psql_value("SELECT count(*) FROM committee_memberships "
                          "WHERE committee_id = :'p1'", cid))


def token(c, slug):
    page = c.get("/committees/" + slug)
    status(page, 200)
    return csrf_of(page)


def follow(c, slug, json=False, action="follow", tok=None):
    tok = tok or token(c, slug)
    return c.post("/committees/%s/%s" % (slug, action), {"_csrf": tok},
                  headers=JSON if json else None)


def parallel(fns):
    """Run the callables at once; their results in order."""
    out = [None] * len(fns)
    barrier = threading.Barrier(len(fns))

    def run(i, fn):
        barrier.wait()
        try:
            out[i] = fn()
        except Exception as e:      # noqa: BLE001 - reported below
            out[i] = e
    threads = [threading.Thread(target=run, args=(i, fn))
               for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for o in out:
        if isinstance(o, Exception):
            raise o
    return out


def twin(c):
    """Another client with the same cookies (a second tab)."""
    d = Client(c.transport)
    d.remote_addr, d.source_address = c.remote_addr, c.source_address
    d.forwarded_for = c.forwarded_for
    d.jar = {k: list(v) for k, v in c.jar.items()}
    return d


def audit_count(action, cid):
    return int(psql_value("SELECT count(*) FROM audit_log WHERE action = "
                          ":'p1' AND object_id = :'p2'", action, str(cid)))


# ---- creation -----------------------------------------------------------

@test
def creation_needs_a_logged_in_member():
    r = Client("fcgi").get("/committees/new")
    redirects(r, "/login?next=")
    contains(r.location, "committees%2Fnew")
    r = Client("fcgi").post("/committees/new", {"name": "x"})
    status(r, 403, "anonymous POST without a CSRF token")


@test
def creation_is_pending_mailed_and_visible_to_its_creator_only():
    c, email, uid = member()
    page = c.get("/committees/new")
    street = re.search(r'<input id="street"[^>]*>', page.text).group(0)
    not_contains(street, " required", "the street is optional")
    contains(page, "(facultative)")
    eq(form_values(page.text, "/committees/new").get("postal_code"),
       "69001", "the member's commune is offered")
    signup = Client("fcgi").get("/signup")
    contains(re.search(r'<input id="street"[^>]*>', signup.text).group(0),
             " required", "members still give their street")
    seen = mail_paths(email)
    cm = created(c, description="Nous **agissons** à Lyon.\n\n- un\n- deux")
    eq(cm["status"], "pending")
    eq(cm["created_by"], uid)
    contains(cm["html"], "<strong>agissons</strong>")
    contains(cm["html"], "<li>un</li>")
    eq(cm["city_insee"], "69381")
    eq(cm["street"], "", "the street is optional")
    ok(cm["slug"].startswith("comite-"), cm["slug"])
    msg = new_mail(email, "attend sa validation", seen)
    contains(mail_text(msg), "/committees/" + cm["slug"])
    # the creator sees it, with its state; nobody else does
    page = c.get("/committees/" + cm["slug"])
    status(page, 200)
    contains(page, "attend la validation")
    eq(page.headers.get("Cache-Control"), "no-store")
    status(Client("fcgi").get("/committees/" + cm["slug"]), 404)
    status(client("http").get("/committees/" + cm["slug"]), 404)
    other, _, _ = member()
    status(other.get("/committees/" + cm["slug"]), 404)
    status(admin().get("/committees/" + cm["slug"]), 200)
    # not in the directory, the API or the search
    not_contains(Client("fcgi").get("/committees?q=" + urllib.parse.quote(
        cm_name(cm))), cm["slug"])
    not_contains(Client("fcgi").get("/api/committees?q=" +
                                    urllib.parse.quote(cm_name(cm))),
                 cm["slug"])


def cm_name(cm):
    return psql_value("SELECT name FROM committees WHERE id = :'p1'",
                      cm["id"])


@test
def slug_gets_a_suffix_on_collision():
    base = name_of()
    c1, _, _ = member()
    c2, _, _ = member()
    a = created(c1, name=base)
    b = created(c2, name=base + " !")
    ne(a["slug"], b["slug"])
    eq(b["slug"], a["slug"] + "-2")


@test
def name_unique_once_accents_and_case_are_folded():
    word = cf.word()
    c1, _, _ = member()
    created(c1, name="Écologie à %s" % word.capitalize())
    c2, _, _ = member()
    r = create(c2, name="ecologie A %s" % word.upper(),
               description="Une description gardée telle quelle.")
    status(r, 422)
    ok(FORM_BANNER in html_text(r.text), "the banner")
    eq(field_errors(r.text).get("name"), "Un comité porte déjà ce nom (les "
       "accents et les majuscules ne comptent pas).")
    eq(form_values(r.text, "/committees/new").get("description"),
       "Une description gardée telle quelle.")
    eq(form_values(r.text, "/committees/new").get("name"), "ecologie A %s" % word.upper())
    eq(psql_value("SELECT count(*) FROM committees WHERE civitas_norm(name) "
                  "= civitas_norm(:'p1')", "ecologie a " + word), "1")


@test(slow=True)
def name_unique_under_simultaneous_creations():
    word = cf.word()
    clients = [member()[0] for _ in range(6)]
    pages = [c.get("/committees/new") for c in clients]
    names = ["Réseau %s" % word.capitalize(), "RESEAU %s" % word.upper(),
             "réseau %s" % word, "Reseau %s" % word.capitalize(),
             "RÉSEAU %s" % word.upper(), "réSeau %s" % word]

    def post(i):
        return submit_page(clients[i], pages[i], fields(name=names[i]),
                           selector="/committees/new",
                           url="/committees/new")
    results = parallel([lambda i=i: post(i) for i in range(6)])
    codes = sorted(r.status for r in results)
    eq(codes, [303] + [422] * 5, "one creation, five refusals")
    for r in results:
        if r.status == 422:
            contains(field_errors(r.text).get("name", ""),
                     "Un comité porte déjà ce nom")
    eq(psql_value("SELECT count(*) FROM committees WHERE civitas_norm(name) "
                  "= civitas_norm(:'p1')", "reseau " + word), "1")


@test
def one_pending_or_refused_committee_per_member():
    c, email, uid = member()
    cm = created(c)
    page = c.get("/committees/new")
    status(page, 200)
    contains(page, "attend encore la validation")
    not_contains(page, 'id="description"')
    r = c.post("/committees/new", dict(fields(), _csrf=csrf_of(page)))
    status(r, 409)
    contains(r, "attend encore la validation")
    eq(committees_of(uid), 1)
    # refused: still in the way, with its own sentence
    status(refuse(admin(), cm["id"]), 303)
    page = c.get("/committees/new")
    contains(page, "a été refusé")
    # deleted by an admin: the member may try again
    a = admin()
    r = a.post("/admin/committees/%d/delete" % cm["id"],
               {"_csrf": csrf_of(a.get("/admin/committees/%d" % cm["id"]))})
    status(r, 303)
    created(c)


@test(slow=True)
def one_open_committee_under_simultaneous_creations():
    c, _, uid = member()
    page = c.get("/committees/new")
    tabs = [twin(c) for _ in range(5)]
    results = parallel([
        lambda t=t: submit_page(t, page, fields(),
                                selector="/committees/new",
                                url="/committees/new")
        for t in tabs])
    eq(sorted(r.status for r in results)[0], 303)
    eq(sum(r.status == 303 for r in results), 1,
       repr([r.status for r in results]))
    for r in results:
        if r.status != 303:
            ok(r.status in (409, 422), r.status)
            contains(r, "créer un autre")
    eq(committees_of(uid), 1)


@test
def wrong_fields_come_back_in_french_with_their_values():
    c, _, uid = member()
    r = create(c, name="X", description="court", website_url="javascript:x",
               facebook_url="ftp://facebook.com/x", twitter_handle="@a-b",
               postal_code="", city_code="", street="3 rue Neuve")
    status(r, 422)
    errs = field_errors(r.text)
    eq(errs.get("name"), "Le nom du comité doit comporter entre 2 et 50 "
       "caractères.")
    eq(errs.get("description"), "La description doit comporter entre 10 et "
       "2 000 caractères.")
    eq(errs.get("website_url"), "Le site web doit être une adresse "
       "commençant par http:// ou https://.")
    eq(errs.get("facebook_url"), "La page Facebook doit être une adresse "
       "commençant par http:// ou https://.")
    contains(errs.get("twitter_handle", ""), "@nom")
    eq(errs.get("postal_code"), "Veuillez renseigner un code postal.")
    v = form_values(r.text, "/committees/new")
    eq(v.get("street"), "3 rue Neuve")
    eq(v.get("website_url"), "javascript:x")
    eq(v.get("description"), "court")
    r = create(c, name="", description="")
    eq(field_errors(r.text).get("name"), "Veuillez donner un nom au comité.")
    eq(field_errors(r.text).get("description"), "Veuillez décrire le comité.")
    r = create(c, description="\n" + " " * 20 + "\n")
    eq(field_errors(r.text).get("description"), "Veuillez décrire le comité.")
    r = create(c, description="x" * 2001)
    status(r, 422)
    eq(committees_of(uid), 0)


@test
def social_links_and_abroad_address():
    c, _, _ = member()
    cm = created(c, country="DE", postal_code="", city_code="",
                 city_name="Berlin", website_url="https://example.org/a",
                 twitter_handle="comite_Berlin")
    eq((cm["country"], cm["city_name"], cm["postal_code"]),
       ("DE", "Berlin", ""))
    eq(cm["twitter"], "@comite_Berlin", "the @ is added")
    eq(cm["website"], "https://example.org/a")
    r = create(member()[0], country="DE", postal_code="", city_code="",
               city_name="")
    eq(field_errors(r.text).get("city_name"), "Veuillez renseigner une ville.")


@test
def description_markdown_is_rendered_safely():
    c, _, _ = member()
    cm = created(c, description="Salut <script>alert(1)</script> "
                 "[clic](javascript:alert(1)) <img src=x onerror=alert(1)>")
    not_contains(cm["html"], "<script")
    not_contains(cm["html"], "javascript:")
    not_contains(cm["html"], "onerror")


@test
def photo_goes_through_the_media_pipeline():
    c, _, _ = member()
    f = fields()
    jpeg = cf._jpeg(640, 360, (200, 40, 40))
    r = c.submit("/committees/new", dict(f, photo=("c.jpg", jpeg,
                                                    "image/jpeg")),
                 form_selector="/committees/new")
    status(r, 303)
    cm = row(f["name"])
    ok(cm["media_id"] != "0", "a media row")
    eq(psql_value("SELECT mime FROM media WHERE id = :'p1'",
                  cm["media_id"]), "image/jpeg")
    page = c.get("/committees/" + cm["slug"])
    matches(page.text, r'<img [^>]*src="/img/[^"]+/%s-hero\.jpg"'
            % cm["media_id"])
    # not an image, an SVG, too big: refused at the field
    c2, _, uid2 = member()
    for data, name, ctype in (
            (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg",
             "image/svg+xml"),
            (b"not an image at all", "x.jpg", "image/jpeg"),
            (b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024 + 1), "big.jpg",
             "image/jpeg")):
        r = c2.submit("/committees/new", dict(fields(), photo=(name, data,
                                                                ctype)),
                      form_selector="/committees/new")
        status(r, 422, name)
        ok(field_errors(r.text).get("photo"), "an error at the photo for "
           "%s: %s" % (name, field_errors(r.text)))
    eq(committees_of(uid2), 0)


# ---- moderation ---------------------------------------------------------

@test
def admin_screens_are_for_admins_only():
    c, _, _ = member()
    cm = created(c)
    for path in ("/admin/committees", "/admin/committees/%d" % cm["id"]):
        status(c.get(path), 403, path)
        redirects(Client("fcgi").get(path))
    tok = token(c, cm["slug"])
    for action in ("approve", "refuse", "delete"):
        r = c.post("/admin/committees/%d/%s" % (cm["id"], action),
                   {"_csrf": tok, "reason": "x"})
        status(r, 403, action)
    eq(row_by_id(cm["id"])["status"], "pending")
    for method, pattern, flags in route_table():
        if pattern.startswith("/admin/committees"):
            ok("admin" in flags, "%s %s" % (method, pattern))


@test
def admin_list_by_status_pending_first():
    c1, _, _ = member()
    pending = created(c1)
    c2, _, _ = member()
    refused = created(c2)
    status(refuse(admin(), refused["id"]), 303)
    a = admin()
    contains(a.get("/admin"), 'href="/admin/committees?status=pending"')
    page = a.get("/admin/committees")
    status(page, 200)
    contains(page, '<a href="/admin/committees" aria-current="page">')
    contains(page, cm_name(pending))
    p = a.get("/admin/committees?status=pending")
    contains(p, cm_name(pending))
    not_contains(p, cm_name(refused))
    p = a.get("/admin/committees?status=refused")
    contains(p, cm_name(refused))
    not_contains(p, cm_name(pending))
    first = re.findall(r"<td>(En attente|Validés|Refusés)</td>", page.text)
    ok(first and first[0] == "En attente", first[:3])


@test
def approval_makes_the_creator_supervisor_mails_and_audits():
    c, email, uid = member()
    cm = created(c)
    seen = mail_paths(email)
    a = admin()
    approve(a, cm["id"])
    now = row_by_id(cm["id"])
    eq(now["status"], "approved")
    eq(now["approved"], "t")
    eq(membership(cm["id"], uid)[0], "supervisor")
    msg = new_mail(email, "est validé", seen)
    contains(mail_text(msg), "/committees/" + cm["slug"])
    eq(audit_count("committee.approve", cm["id"]), 1)
    # public now: anyone sees it
    page = Client("fcgi").get("/committees/" + cm["slug"])
    status(page, 200)
    eq(page.headers.get("Cache-Control"), PUBLIC)
    # approving again changes nothing
    r = a.post("/admin/committees/%d/approve" % cm["id"],
               {"_csrf": csrf_of(a.get("/admin/committees/%d" % cm["id"]))})
    status(r, 303)
    eq(audit_count("committee.approve", cm["id"]), 1)


@test
def refusal_needs_a_reason_and_mails_it():
    c, email, uid = member()
    cm = created(c)
    a = admin()
    r = refuse(a, cm["id"], reason="")
    status(r, 422)
    eq(field_errors(r.text).get("reason"), "Indiquez la raison du refus : "
       "elle est envoyée au créateur du comité.")
    eq(row_by_id(cm["id"])["status"], "pending")
    seen = mail_paths(email)
    r = refuse(a, cm["id"], reason="Le nom prête à confusion.")
    redirects(r, "/admin/committees/%d" % cm["id"])
    eq(row_by_id(cm["id"])["status"], "refused")
    msg = new_mail(email, "n'a pas été validé", seen)
    contains(mail_text(msg), "Le nom prête à confusion.")
    eq(audit_count("committee.refuse", cm["id"]), 1)
    eq(membership(cm["id"], uid), None, "no supervisor when refused")
    page = c.get("/committees/" + cm["slug"])
    status(page, 200)
    contains(page, "Le nom prête à confusion.")
    status(Client("fcgi").get("/committees/" + cm["slug"]), 404)
    # approved, then refused while its creator waits for another one
    approve(a, cm["id"])
    other = created(c)
    r = refuse(a, cm["id"], reason="Trop tard.")
    status(r, 409)
    contains(field_errors(r.text).get("reason", ""), "supprimez plutôt")
    eq(row_by_id(cm["id"])["status"], "approved")
    eq(row_by_id(other["id"])["status"], "pending")


@test
def admin_renames_an_approved_committee_hosts_cannot():
    cm, c, _, _ = approved()
    old = cm_name(cm)
    # the supervisor: the name is read-only, a forged one is ignored
    page = c.get("/committees/%s/manage/edit" % cm["slug"])
    status(page, 200)
    matches(page.text, r'<input id="name" name="name" type="text" '
            r'value="[^"]*" readonly')
    edit = "/committees/%s/manage/edit" % cm["slug"]
    r = c.submit(edit, {"name": "Nom Forgé " + cf.word(),
                        "description": "Une description toute neuve."},
                 form_selector=edit)
    redirects(r, "/committees/" + cm["slug"])
    eq(cm_name(cm), old, "a forged name is ignored")
    contains(row_by_id(cm["id"])["html"], "toute neuve")
    tok = token(c, cm["slug"])
    for forged in ("", "X"):
        r = c.post(edit, dict(fields(name=forged), _csrf=tok))
        redirects(r, "/committees/" + cm["slug"], "forged name %r" % forged)
        eq(cm_name(cm), old)
    # an admin may rename it (audited)
    a = admin()
    new = name_of("Renommé")
    r = a.submit(edit, {"name": new}, form_selector=edit)
    redirects(r, "/committees/" + cm["slug"])
    eq(cm_name(cm), new)
    eq(audit_count("committee.update", cm["id"]), 1)
    # to a taken name (folded): 422 at the field
    other, _, _, _ = approved()
    r = a.submit(edit, {"name": cm_name(other).upper()},
                 form_selector=edit)
    status(r, 422)
    contains(field_errors(r.text).get("name", ""), "Un comité porte déjà")


@test
def edit_is_for_its_hosts_and_admins():
    cm, sup, _, _ = approved()
    other, _, _, _ = approved()
    path = "/committees/%s/manage/edit" % cm["slug"]
    redirects(Client("fcgi").get(path))
    f, _, fuid = member()
    status(follow(f, cm["slug"]), 303)
    status(f.get(path), 403, "a follower")
    # the supervisor of another committee
    other_sup_id = int(psql_value("SELECT user_id FROM committee_memberships "
                                  "WHERE committee_id = :'p1' AND role = "
                                  "'supervisor'", other["id"]))
    ne(other_sup_id, fuid)
    status(sup.get("/committees/%s/manage/edit" % other["slug"]), 403)
    tok = token(sup, cm["slug"])
    r = sup.post("/committees/%s/manage/edit" % other["slug"],
                 dict(fields(), _csrf=tok))
    status(r, 403)
    status(sup.get("/committees/nope-%s/manage/edit" % cf.word()), 404)
    # a co-host may edit
    psql("UPDATE committee_memberships SET role = 'host' WHERE "
         "committee_id = :'p1' AND user_id = :'p2'", cm["id"], fuid)
    status(f.get(path), 200)


# ---- the page ------------------------------------------------------------

@test
def page_shows_hosts_by_first_name_and_initial_events_and_timeline():
    c, email, uid = member(first_name="Élodie", last_name="Durand")
    cm = created(c)
    approve(admin(), cm["id"])
    subject = "Réunion " + cf.word()
    psql("INSERT INTO committee_messages (committee_id, author_id, "
         "author_name, subject, body_md, body_html) VALUES (:'p1', :'p2', "
         "'Élodie D.', :'p3', 'Un message du comité.', "
         "'<p>Un message du comité.</p>')", cm["id"], uid, subject)
    future, past = "Débat " + cf.word(), "Passé " + cf.word()
    for name, offset in ((future, "3 days"), (past, "-3 days")):
        psql("INSERT INTO events (slug, committee_id, organizer_name, name, "
             "description, begins_at, finishes_at, time_zone, country, "
             "postal_code, city_insee, city_name) VALUES (:'p1', :'p2', "
             "'Élodie D.', :'p3', 'Un débat.', now() + :'p4'::interval, "
             "now() + :'p4'::interval + interval '2 hours', 'Europe/Paris', "
             "'FR', '69001', '69381', 'Lyon 1er Arrondissement')",
             cf.word(), cm["id"], name, offset)
    page = Client("fcgi").get("/committees/" + cm["slug"])
    status(page, 200)
    contains(page, "Élodie D.")
    not_contains(page, "Durand")
    not_contains(page, email)
    contains(page, future)
    not_contains(page, past)
    contains(page, subject)
    contains(page, "Un message du comité.")
    contains(page, "1 membre")
    contains(page, "/login?next=/committees/" + cm["slug"])
    not_contains(page, "/manage")
    eq(page.headers.get_all("Set-Cookie"), [])
    # the supervisor has the host tools' link
    contains(c.get("/committees/" + cm["slug"]),
             'href="/committees/%s/manage"' % cm["slug"])


@test
def forged_slugs_are_404():
    for slug in ("nope-" + cf.word(), "%2e%2e", "a" * 300, "x'--"):
        r = Client("fcgi").get("/committees/" + slug)
        ok(r.status in (404, 400), "%s: %s" % (slug, r.status))
        r = Client("fcgi").get("/committees/%s/follow" % slug)
        ok(r.status in (404, 405, 400), "%s: %s" % (slug, r.status))
    c, _, _ = member()
    r = follow(c, "nope-" + cf.word(), json=True,
               tok=csrf_of(c.get("/account")))
    status(r, 404)
    eq(r.content_type, "application/problem+json")


# ---- following -----------------------------------------------------------

@test
def follow_and_unfollow_without_javascript():
    cm, _, _, _ = approved()
    c, _, uid = member()
    r = follow(c, cm["slug"])
    redirects(r, "/committees/" + cm["slug"])
    eq(membership(cm["id"], uid)[0:3], ("follower", "t", "t"))
    page = c.get("/committees/" + cm["slug"])
    contains(page, "Vous suivez ce comité.")
    contains(page, "Ne plus suivre ce comité")
    contains(page, "2 membres")
    eq(page.headers.get("Cache-Control"), "no-store")
    r = follow(c, cm["slug"], action="unfollow")
    redirects(r, "/committees/" + cm["slug"])
    eq(membership(cm["id"], uid), None)
    page = c.get("/committees/" + cm["slug"])
    contains(page, "Vous ne suivez plus ce comité.")
    contains(page, "Suivre ce comité")


@test
def follow_and_unfollow_in_json():
    cm, _, _, _ = approved()
    c, _, uid = member("http")
    r = follow(c, cm["slug"], json=True)
    status(r, 200)
    eq(r.content_type, "application/json")
    eq((r.json()["following"], r.json()["members"]), (True, 2))
    r = follow(c, cm["slug"], json=True)
    eq((r.json()["following"], r.json()["members"]), (True, 2), "idempotent")
    r = follow(c, cm["slug"], json=True, action="unfollow")
    eq((r.json()["following"], r.json()["members"]), (False, 1))
    eq(membership(cm["id"], uid), None)


@test
def follow_needs_login_csrf_and_an_approved_committee():
    cm, _, _, _ = approved()
    anon = Client("fcgi")
    page = anon.get("/committees/" + cm["slug"])
    # an anonymous visitor is sent to log in, then back to the committee
    c, email, uid = member()
    anon2 = Client("fcgi")
    anon2.jar = {k: v for k, v in c.jar.items() if k[0] == "csrf"}
    r = anon2.post("/committees/%s/follow" % cm["slug"],
                   {"_csrf": csrf_of(c.get("/committees/" + cm["slug"]))})
    redirects(r, "/login?next=/committees/" + cm["slug"])
    r = anon2.post("/committees/%s/follow" % cm["slug"],
                   {"_csrf": csrf_of(c.get("/committees/" + cm["slug"]))},
                   headers=JSON)
    status(r, 401)
    eq(r.content_type, "application/problem+json")
    login(anon2, email, PASSWORD, next="/committees/" + cm["slug"])
    # CSRF
    r = c.post("/committees/%s/follow" % cm["slug"], {})
    status(r, 403)
    r = c.post("/committees/%s/follow" % cm["slug"], {"_csrf": "forged"},
               headers=JSON)
    status(r, 403)
    eq(membership(cm["id"], uid), None)
    # a pending committee: not even its creator follows it
    p, _, _ = member()
    pending = created(p)
    r = follow(p, pending["slug"], json=True)
    status(r, 409)
    r = c.post("/committees/%s/follow" % pending["slug"],
               {"_csrf": csrf_of(c.get("/account"))}, headers=JSON)
    status(r, 404)
    eq(members_of(pending["id"]), 0)
    not_contains(page, "_csrf")


@test(slow=True)
def twenty_simultaneous_follows_make_one_membership_and_one_mail():
    cm, sup, sup_email, _ = approved()
    c, _, uid = member(first_name="Zoé", last_name="Lambert")
    tok = token(c, cm["slug"])
    seen = mail_paths(sup_email)
    tabs = [twin(c) for _ in range(20)]
    results = parallel([lambda t=t: follow(t, cm["slug"], json=True, tok=tok)
                        for t in tabs])
    eq([r.status for r in results], [200] * 20)
    eq(int(psql_value("SELECT count(*) FROM committee_memberships WHERE "
                      "committee_id = :'p1' AND user_id = :'p2'",
                      cm["id"], uid)), 1)
    ok(all(r.json()["following"] for r in results))
    # the supervisor asked for it (on by default for the supervisor): one
    # mail, with the first name and initial only
    msg = new_mail(sup_email, "Nouveau membre", seen)
    text = mail_text(msg)
    contains(text, "Zoé L.")
    not_contains(text, "Lambert")
    eq(int(psql_value("SELECT count(*) FROM outbox WHERE to_addr = :'p1' "
                      "AND subject LIKE 'Nouveau membre%' AND created_at > "
                      "now() - interval '1 minute'", sup_email)), 1)


@test
def hosts_who_did_not_ask_get_no_follower_mail():
    cm, sup, sup_email, sup_id = approved()
    h, h_email, hid = member()
    status(follow(h, cm["slug"]), 303)
    psql("UPDATE committee_memberships SET role = 'host' WHERE "
         "committee_id = :'p1' AND user_id = :'p2'", cm["id"], hid)
    # the supervisor turns it off, the host turns it on
    r = sup.submit("/committees/" + cm["slug"], {"notify_followers": None},
                   form_selector="/committees/%s/preferences" % cm["slug"])
    redirects(r, "/committees/" + cm["slug"])
    eq(membership(cm["id"], sup_id)[3], "f")
    r = h.submit("/committees/" + cm["slug"], {"notify_followers": "1"},
                 form_selector="/committees/%s/preferences" % cm["slug"])
    eq(membership(cm["id"], hid)[3], "t")
    before = outbox_count(sup_email)
    seen = mail_paths(h_email)
    f, _, _ = member()
    status(follow(f, cm["slug"]), 303)
    new_mail(h_email, "Nouveau membre", seen)
    eq(outbox_count(sup_email), before)


@test
def followers_choose_their_notifications():
    cm, _, _, _ = approved()
    c, _, uid = member()
    status(follow(c, cm["slug"]), 303)
    page = c.get("/committees/" + cm["slug"])
    contains(page, "Recevoir les messages du comité")
    contains(page, "Recevoir les événements près de chez moi")
    not_contains(page, 'name="notify_followers"')
    r = c.submit("/committees/" + cm["slug"],
                 {"notify_messages": None, "notify_followers": "1"},
                 form_selector="/committees/%s/preferences" % cm["slug"])
    redirects(r, "/committees/" + cm["slug"])
    eq(membership(cm["id"], uid)[1:], ("f", "t", "f"),
       "a follower cannot set notify_followers")
    page = c.get("/committees/" + cm["slug"])
    not_contains(page.text.split('id="notify_messages"')[1][:40], "checked")
    # not a member: refused, nothing written
    o, _, _ = member()
    r = o.post("/committees/%s/preferences" % cm["slug"],
               {"_csrf": token(o, cm["slug"]), "notify_messages": "1"},
               headers=JSON)
    status(r, 409)


@test
def supervisor_cannot_unfollow():
    cm, sup, _, sup_id = approved()
    # even with a co-host to take over
    h, _, hid = member()
    status(follow(h, cm["slug"]), 303)
    psql("UPDATE committee_memberships SET role = 'host' WHERE "
         "committee_id = :'p1' AND user_id = :'p2'", cm["id"], hid)
    page = sup.get("/committees/" + cm["slug"])
    contains(page, "Vous êtes l'animateur de ce comité.")
    not_contains(page, "/unfollow")
    r = follow(sup, cm["slug"], json=True, action="unfollow",
               tok=csrf_of(page))
    status(r, 409)
    eq(r.content_type, "application/problem+json")
    contains(r.json()["detail"], "responsable")
    r = follow(sup, cm["slug"], action="unfollow", tok=csrf_of(page))
    redirects(r, "/committees/" + cm["slug"])
    contains(sup.get("/committees/" + cm["slug"]), "responsable")
    eq(membership(cm["id"], sup_id)[0], "supervisor")


def hosts_committee(n):
    """An approved committee with n co-hosts and no supervisor (the
    supervisor's account was deleted): [(client, uid)]."""
    cm, sup, _, sup_id = approved()
    hosts = []
    for _ in range(n):
        c, _, uid = member()
        status(follow(c, cm["slug"]), 303)
        psql("UPDATE committee_memberships SET role = 'host' WHERE "
             "committee_id = :'p1' AND user_id = :'p2'", cm["id"], uid)
        hosts.append((c, uid))
    return cm, sup, sup_id, hosts


@test
def a_host_leaves_only_if_another_host_remains():
    cm, sup, sup_id, hosts = hosts_committee(2)
    (h1, id1), (h2, id2) = hosts
    # with the supervisor there, a host may leave
    r = follow(h1, cm["slug"], json=True, action="unfollow")
    eq(r.json()["following"], False)
    status(follow(h1, cm["slug"]), 303)
    psql("UPDATE committee_memberships SET role = 'host' WHERE "
         "committee_id = :'p1' AND user_id = :'p2'", cm["id"], id1)
    # without the supervisor: one of two hosts may leave, not the last
    psql("DELETE FROM committee_memberships WHERE committee_id = :'p1' AND "
         "user_id = :'p2'", cm["id"], sup_id)
    r = follow(h1, cm["slug"], json=True, action="unfollow")
    eq(r.json()["following"], False)
    r = follow(h2, cm["slug"], json=True, action="unfollow")
    status(r, 409)
    contains(r.json()["detail"], "dernier animateur")
    eq(membership(cm["id"], id2)[0], "host")


@test(slow=True)
def two_hosts_leaving_at_once_leave_one_host():
    for _ in range(4):
        cm, sup, sup_id, hosts = hosts_committee(2)
        psql("DELETE FROM committee_memberships WHERE committee_id = :'p1' "
             "AND user_id = :'p2'", cm["id"], sup_id)
        toks = [token(c, cm["slug"]) for c, _ in hosts]
        results = parallel([
            lambda c=c, t=t: follow(c, cm["slug"], json=True,
                                    action="unfollow", tok=t)
            for (c, _), t in zip(hosts, toks)])
        eq(sorted(r.status for r in results), [200, 409])
        eq(psql_value("SELECT count(*) FROM committee_memberships WHERE "
                      "committee_id = :'p1' AND role <> 'follower'",
                      cm["id"]), "1")


# ---- directory, distances, API ------------------------------------------

@test
def near_a_postal_code_real_distances_sorted():
    tag = cf.word()
    ven = insert_approved("Vénissieux %s" % tag, "69200", "69259",
                          "Vénissieux")
    vil = insert_approved("Villeurbanne %s" % tag, "69100", "69266",
                          "Villeurbanne")
    lyon = insert_approved("Lyon Trois %s" % tag, "69003", "69383",
                           "Lyon 3e Arrondissement")
    mars = insert_approved("Marseille %s" % tag, "13001", "13201",
                           "Marseille 1er Arrondissement")
    r = Client("fcgi").get("/committees?near=69001&radius=20&q=" + tag)
    status(r, 200)
    eq(r.headers.get("Cache-Control"), PUBLIC)
    eq(r.headers.get_all("Set-Cookie"), [])
    found = re.findall(r'href="/committees/([^"]+)"', r.text)
    eq([s for s in found if tag in s], [lyon, vil, ven], "nearest first")
    contains(r, "à 5,2 km</span>")
    contains(r, "à 8,1 km</span>")
    not_contains(r, mars)
    j = Client("fcgi").get("/api/committees?near=69001&radius=20&q=" + tag)
    status(j, 200)
    items = j.json()["committees"]
    eq([i["slug"] for i in items], [lyon, vil, ven])
    eq([i["distance_km"] for i in items], [0.0, 5.2, 8.1])
    eq(items[1]["location"], {"locality": "Villeurbanne",
                              "postal_code": "69100", "country": "FR"})
    # a smaller radius leaves Vénissieux out
    j = Client("fcgi").get("/api/committees?near=69001&radius=6&q=" + tag)
    eq([i["slug"] for i in j.json()["committees"]], [lyon, vil])
    # Marseille is 283 km away: out even at 200 km, in from 13001
    j = Client("fcgi").get("/api/committees?near=69001&radius=200&q=" + tag)
    not_contains(j.text, mars)
    j = Client("fcgi").get("/api/committees?near=13001&q=" + tag)
    eq([i["slug"] for i in j.json()["committees"]], [mars])
    # through nginx too
    r = client("http").get("/committees?near=69001&q=" + tag)
    contains(r, vil)
    not_contains(r, mars)


@test
def directory_search_folds_accents_and_case():
    tag = cf.word()
    slug = insert_approved("Énergie Citoyenne %s" % tag, "69003", "69383",
                           "Lyon 3e Arrondissement")
    for q in ("energie citoyenne " + tag, "ÉNERGIE CITOYENNE " + tag,
              tag.upper(), "gie Citoy"):
        r = Client("fcgi").get("/committees?q=" + urllib.parse.quote(q))
        contains(r, slug, q)
    r = Client("fcgi").get("/committees?q=" + urllib.parse.quote(
        "Énergie Solaire " + tag))
    not_contains(r, slug)


@test
def abroad_committees_are_listed_by_country():
    tag = cf.word()
    de = insert_approved("Berlin %s" % tag, "", "", "Berlin", "DE")
    be = insert_approved("Bruxelles %s" % tag, "", "", "Bruxelles", "BE")
    fr = insert_approved("Lyon %s" % tag, "69003", "69383", "Lyon")
    r = Client("fcgi").get("/committees?q=" + tag)
    found = [s for s in re.findall(r'href="/committees/([^"]+)"', r.text)
             if tag in s]
    eq(found[0], fr, "France first")
    eq(set(found[1:]), {de, be})
    contains(r, "<h2>Allemagne</h2>")
    contains(r, "<h2>Belgique</h2>")
    r = Client("fcgi").get("/committees?near=69001&q=" + tag)
    not_contains(r, de)


@test
def directory_parameters_are_checked_and_paginated():
    for q in ("radius=0", "radius=201", "radius=x", "near=abc",
              "page=0", "page=x"):
        status(Client("fcgi").get("/committees?near=69001&" + q
                                  if "near" not in q else
                                  "/committees?" + q), 400, q)
        r = Client("fcgi").get("/api/committees?" + q)
        status(r, 400, q)
        eq(r.content_type, "application/problem+json")
    status(Client("fcgi").get("/committees?page=9999"), 404)
    r = Client("fcgi").get("/committees?near=99999")
    status(r, 200)
    contains(r, "aucune commune connue")
    tag = cf.word()
    for i in range(23):
        insert_approved("Page %s %02d" % (tag, i), "69003", "69383", "Lyon")
    j = Client("fcgi").get("/api/committees?q=" + tag).json()
    eq((j["total_records"], j["total_pages"], len(j["committees"])),
       (23, 2, 20))
    j2 = Client("fcgi").get("/api/committees?page=2&q=" + tag).json()
    eq(len(j2["committees"]), 3)
    r = Client("fcgi").get("/committees?q=" + tag)
    contains(r, 'href="/committees?q=%s&amp;page=2"' % tag)


@test
def api_gives_public_data_only():
    cm, _, email, _ = approved(street="7 rue Secrète",
                               website_url="https://example.org")
    j = Client("fcgi").get("/api/committees?q=" + urllib.parse.quote(
        cm_name(cm)))
    status(j, 200)
    eq(j.headers.get("Cache-Control"), PUBLIC)
    item = j.json()["committees"][0]
    eq(set(item), {"name", "slug", "browser_url", "location", "members"})
    ok(item["browser_url"].endswith("/committees/" + cm["slug"]))
    not_contains(j.text, email)
    not_contains(j.text, "Secrète")
    not_contains(j.text, "@")


@test
def pages_are_cached_by_nginx_for_anonymous_visitors_only():
    cm, sup, _, _ = approved("http")
    anon = client("http")
    path = "/committees/%s?v=%s" % (cm["slug"], cf.word())
    first = anon.get(path)
    status(first, 200)
    eq(first.headers.get("Cache-Control"), PUBLIC)
    second = anon.get(path)
    eq(second.headers.get("X-Cache-Status"), "HIT")
    # a member (session cookie) bypasses it and sees their own state
    mine = sup.get(path)
    eq(mine.headers.get("X-Cache-Status"), "BYPASS")
    eq(mine.headers.get("Cache-Control"), "no-store")
    contains(mine, "Vous êtes l'animateur")
    # the directory too
    d = "/committees?q=%s" % cf.word()
    anon.get(d)
    eq(anon.get(d).headers.get("X-Cache-Status"), "HIT")
    eq(sup.get(d).headers.get("X-Cache-Status"), "BYPASS")


# ---- search ---------------------------------------------------------------

def search_urls(q):
    r = Client("fcgi").get("/api/search?q=" + urllib.parse.quote(q))
    status(r, 200)
    return [x["url"] for x in r.json()["results"]]


@test
def search_finds_approved_committees_only():
    word = cf.word()
    c, _, _ = member()
    cm = created(c, name="Comité %s" % word.capitalize())
    url = "/committees/" + cm["slug"]
    ok(url not in search_urls(word), "pending: not found")
    not_contains(Client("fcgi").get("/search?q=" + word), url)
    a = admin()
    approve(a, cm["id"])
    ok(url in search_urls(word), "approved: found")
    contains(Client("fcgi").get("/search?q=" + word), url)
    status(refuse(a, cm["id"]), 303)
    ok(url not in search_urls(word), "refused: gone")
    approve(a, cm["id"])
    ok(url in search_urls(word), "approved again")
    r = a.post("/admin/committees/%d/delete" % cm["id"],
               {"_csrf": csrf_of(a.get("/admin/committees/%d" % cm["id"]))})
    status(r, 303)
    ok(url not in search_urls(word), "deleted: gone")
    not_contains(Client("fcgi").get("/search?q=" + word), url)


def noisy_jpeg(side):
    """A JPEG of noise (hard to compress): about side² / 2 bytes."""
    import os
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        noise, out = os.path.join(d, "n.v"), os.path.join(d, "n.jpg")
        subprocess.run(["vips", "gaussnoise", noise, str(side), str(side),
                        "--sigma", "80"], check=True)
        subprocess.run(["vips", "copy", noise, out + "[Q=95]"], check=True)
        with open(out, "rb") as f:
            return f.read()


@test
def photo_of_a_few_megabytes_passes_nginx():
    c, _, uid = member("http")
    big = noisy_jpeg(2000)
    ok(1024 * 1024 < len(big) < 5 * 1024 * 1024, len(big))
    f = fields()
    r = c.submit("/committees/new", dict(f, photo=("p.jpg", big,
                                                   "image/jpeg")),
                 form_selector="/committees/new")
    status(r, 303, "a %d-byte photo through nginx" % len(big))
    ok(row(f["name"])["media_id"] != "0")
    # beyond what nginx takes for this form: its own 413 page
    c2, _, uid2 = member("http")
    r = c2.submit("/committees/new", dict(fields(), photo=(
        "p.jpg", b"\xff\xd8\xff" + b"\0" * (7 * 1024 * 1024), "image/jpeg")),
                  form_selector="/committees/new")
    status(r, 413)
    contains(r, "5 Mo")
    eq(committees_of(uid2), 0)


@test
def every_committee_route_hides_a_pending_committee():
    """Read from the worker's route table: whatever a route under
    /committees/{slug} does, for a pending committee it answers an
    anonymous visitor and another member 404 or the login page, and
    changes nothing."""
    creator, _, _ = member()
    cm = created(creator)
    name = cm_name(cm)
    other, _, other_id = member()
    anon = Client("fcgi")
    anon_tok = csrf_of(anon.get("/login"))
    other_tok = csrf_of(other.get("/account"))
    seen = 0
    for method, pattern, _ in route_table():
        if not pattern.startswith("/committees/{slug}"):
            continue
        path = re.sub(r"\{[a-z_]+\}", "1", pattern.replace(
            "{slug}", cm["slug"], 1))
        for c, tok in ((anon, anon_tok), (other, other_tok)):
            r = c.get(path) if method == "GET" else c.post(
                path, {"_csrf": tok, "name": "Forgé", "reason": "x"})
            where = "%s %s" % (method, pattern)
            if r.status in (302, 303):
                contains(r.location, "/login", where)
            else:
                eq(r.status, 404, where)
            not_contains(r.body.decode("utf-8", "replace"), name, where)
        seen += 1
    ok(seen >= 6, "routes under /committees/{slug}: %d" % seen)
    eq(members_of(cm["id"]), 0)
    eq(row_by_id(cm["id"])["status"], "pending")
    eq(cm_name(cm), name)
