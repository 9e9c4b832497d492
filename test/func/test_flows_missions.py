# SPDX-License-Identifier: MIT
"""Issue 11's "done means", end to end through nginx, as people do it: a
new member registers an organisation through the wizard of
/organisations/new, leaving it after the first step (logged out) and
resuming it where it was; a referent of the Rhône validates it (the
creator is mailed) and it has a public page; the creator posts a mission
with 2 places and submits it, the referent validates it and it is
online; three members apply (the third is offered the waiting list and
takes it); the manager refuses the first, and the third is promoted and
mailed; the second volunteer and the manager exchange messages in the
application's thread (the organisation's first reply puts the
application in progress; the thread shows names, no address); the
volunteer downloads their data export, which holds the application and
the thread.

Written against the routes of the brief of issue 11 (parts A, B and C):
it passes once the three are merged. The forms are filled from what the
pages offer (field names of the wizard and the mission editor are read
from the forms, not assumed), so only the routes and the action names of
core/volstate.c are taken as given. The referent is the one row written
with psql (the grant of the role is issue 9's, tested there); the rest
goes through forms and links, and psql only reads."""

import datetime
import json
import re
import secrets

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
import vol_fixtures as vf

BACKWARD = re.compile(r"back|prev|retour|pr[ée]c[ée]dent|cancel|annul|"
                      r"edit|modif", re.I)
FORWARD = re.compile(r"next|suivant|continu|submit|soumet|envoy|valid|"
                     r"finish|termin|save", re.I)


def web():
    return Client("http", client_ip="10.%d.%d.%d" % tuple(
        secrets.randbelow(250) + 1 for _ in range(3)))


def day(days):
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


def fill(form, values, later=False):
    """The (name, value) pairs a person would send from form: values by
    name when the form has the field, every prerequisite and charter box
    ticked, the first two domains, dates and times when the field is one
    (a start in 10 days, an end in 11; time slots left empty), the rest
    as the page set it."""
    out, domains = [], 0
    for f in form.fields:
        name, ftype = f["name"], f["type"]
        if not name or f["disabled"] or f["tag"] == "button" or ftype in (
                "submit", "image", "reset", "button", "file"):
            continue
        end = re.search(r"end|fin", name, re.I)
        optional = name.startswith("slot_")    # no time slots here
        if name in values:
            if ftype in ("checkbox", "radio"):
                if f["value"] == values[name] or (ftype == "checkbox" and
                                                  values[name] == "1"):
                    out.append((name, f["value"] or "on"))
            else:
                out.append((name, values[name]))
        elif ftype == "checkbox" and name.startswith("domain_"):
            if domains < 2 or f["checked"]:
                out.append((name, f["value"] or "1"))
                domains += 1
        elif ftype == "checkbox" and re.search(r"prereq|charte?r?|accept",
                                               name):
            out.append((name, f["value"] or "1"))
        elif ftype in ("checkbox", "radio"):
            if f["checked"]:
                out.append((name, f["value"] or "on"))
        elif ftype == "date" and not optional:
            out.append((name, day(11 if end else 10)))
        elif ftype == "time" and not optional:
            out.append((name, "12:00" if end else "09:00"))
        elif ftype == "datetime-local" and not optional:
            out.append((name, day(11 if end else 10) +
                        ("T12:00" if end else "T09:00")))
        elif f["tag"] == "select":
            out.extend((name, v) for v in form._select_values(f))
        else:
            out.append((name, f["value"] or ""))
    return out


def forward(form):
    """The transition of the step's forward button (or hidden field)."""
    names = [f for f in form.fields if f["name"] == "transition"]
    ok(names, "no transition in the wizard's form: %r" % form)
    hidden = [f["value"] for f in names if f["type"] == "hidden"]
    if hidden:
        return hidden[0]
    values = [f["value"] for f in names if f["value"]]
    ahead = [v for v in values if FORWARD.search(v)] or \
        [v for v in values if not BACKWARD.search(v)]
    ok(ahead, "no forward transition among %r" % values)
    return ahead[-1]


def post_form(client, page, form, values, extra=()):
    pairs = [p for p in fill(form, values) if p[0] != "transition"]
    pairs += list(extra)
    action = form.action or page.request[1]
    return client.post(path_of(action), pairs)


def wizard_form(page):
    """The step's form among the page's forms to /organisations/new (the
    others go back to a step done): the one with a hidden transition, or
    a forward button."""
    mine = [f for f in forms(page.text) if f.method == "post" and
            f.action.split("?")[0] == "/organisations/new"]
    ok(mine, "no wizard form on the page")
    for f in mine:
        if any(x["name"] == "transition" and x["type"] == "hidden"
               for x in f.fields):
            return f
    for f in mine:
        if any(x["name"] == "transition" and FORWARD.search(x["value"] or "")
               and not BACKWARD.search(x["value"] or "") for x in f.fields):
            return f
    return mine[-1]


def wizard_step(client, values):
    """One step of /organisations/new: the form of the page, filled, sent
    with its forward transition. The response (303 to itself while not
    done) and the field names of the step."""
    page = status(client.get("/organisations/new"), 200, "wizard")
    form = wizard_form(page)
    resp = post_form(client, page, form, values,
                     [("transition", forward(form))])
    ok(resp.status in (303, 302), "wizard step %r: %s %s" % (
        [f["name"] for f in form.fields], resp.status,
        field_errors(resp.text) if resp.status == 422 else ""))
    return resp, sorted({f["name"] for f in form.fields if f["name"]})


def step_names(client):
    page = status(client.get("/organisations/new"), 200, "wizard")
    form = wizard_form(page)
    return sorted({f["name"] for f in form.fields if f["name"]})


def logout(client):
    page = status(client.get("/account"), 200)
    redirects(client.post("/logout", {"_csrf": csrf_of(page)}))


def act(client, page_path, post_path, fields):
    """POST fields (with the CSRF token of page_path) to post_path."""
    page = status(client.get(page_path), 200, page_path)
    data = dict(fields)
    data["_csrf"] = csrf_of(page)
    return client.post(post_path, data)


def apply(client, slug, motivation):
    """Apply through /missions/{slug}/apply; when the mission is full the
    form offers the waiting list: take it. The final response."""
    path = "/missions/%s/apply" % slug
    page = status(client.get(path), 200, "apply form")
    form = find_form(page.text, path)
    resp = post_form(client, page, form, {"motivation": motivation})
    if resp.status == 303:
        return resp, False
    ok(resp.status in (200, 409, 422), "full: %s answered %s" % (
        path, resp.status))
    form = find_form(resp.text, path)
    ok(any(f["name"] == "waitlist" for f in form.fields),
       "the waiting list is offered: %r" % form)
    resp = post_form(client, resp, form, {"motivation": motivation,
                                          "waitlist": "1"})
    redirects(resp, None, "joining the waiting list")
    return resp, True


def application_of(mission_id, email):
    row = psql("SELECT a.id, a.status FROM applications a JOIN users u ON "
               "u.id = a.user_id WHERE a.mission_id = :'p1' AND u.email = "
               ":'p2' ORDER BY a.id DESC LIMIT 1", mission_id, email)
    ok(row, "an application of %s" % email)
    return int(row[0][0]), row[0][1]


@test(slow=True)
def wizard_validate_post_apply_wait_refuse_promote_talk_export():
    # -- A new member registers an organisation, leaving after one step.
    founder, founder_email, password = new_member(web())
    name = "Les Amis du Rhône " + random_letters(6)
    org = {"name": name, "legal_kind": "association", "rna": "W691000123",
           "identifier": "W691000123", "siret": "", "street":
           "3 rue de la République", "country": "FR", "postal_code": "69001",
           "city_code": "69381", "city_name": "", "description":
           "Une association de quartier qui aide les habitants du centre "
           "de Lyon.", "website_url": ""}
    resp, first = wizard_step(founder, org)
    draft = psql("SELECT id, status, wizard_step FROM organisations WHERE "
                 "name = :'p1'", name)
    eq(len(draft), 1, "a draft in PostgreSQL after the first step")
    eq(draft[0][1], "draft")
    here = step_names(founder)
    ok(here != first, "the wizard moved on from %r" % first)
    logout(founder)
    login(founder, founder_email, password)
    eq(step_names(founder), here, "resumed where it was left")
    for _ in range(12):
        resp, _ = wizard_step(founder, org)
        if path_of(resp.location).split("?")[0] != "/organisations/new" or \
                psql_value("SELECT status FROM organisations WHERE id = "
                           ":'p1'", draft[0][0]) != "draft":
            break
    oid, ostatus, slug = psql("SELECT id, status, slug FROM organisations "
                              "WHERE id = :'p1'", draft[0][0])[0]
    eq(ostatus, "pending", "submitted at the wizard's end")
    status(web().get("/organisations/" + slug), 404, "pending: no page")

    # -- A referent of the Rhône validates it; the creator is mailed.
    referent = vf.make_referent(("69",))
    rc = referent.client("http")
    contains(status(rc.get("/moderation/organisations"), 200), name)
    resp = act(rc, "/moderation/organisations/%s" % oid,
               "/moderation/organisations/%s" % oid, {"action": "validate"})
    redirects(resp, None, "validation")
    eq(psql_value("SELECT status FROM organisations WHERE id = :'p1'", oid),
       "validated")
    wait_mail(founder_email)
    contains(status(web().get("/organisations/" + slug), 200), name)

    # -- The creator posts a mission with 2 places; the referent
    # validates it.
    title = "Distribution de repas " + random_letters(6)
    path = "/organisations/%s/missions/new" % slug
    page = status(founder.get(path), 200, "mission editor")
    form = find_form(page.text, path)
    resp = post_form(founder, page, form, {
        "title": title, "domain": "1", "domain_id": "1", "description":
        "Aider à préparer et distribuer des repas aux familles du "
        "quartier.", "places": "2", "remote": "0", "date_kind": "one_off",
        "mode": "place", "starts_at": day(10) + "T09:00",
        "ends_at": day(11) + "T12:00",
        "street": "3 rue de la République", "country": "FR",
        "postal_code": "69001", "city_code": "69381", "city_name": "",
        "min_age": "16", "hours_per_week": ""})
    redirects(resp, None, "mission created: %r" % (
        field_errors(resp.text) if resp.status == 422 else ""))
    mid, mslug, mstatus = psql("SELECT id, slug, status FROM missions WHERE "
                               "title = :'p1'", title)[0]
    eq(mstatus, "draft")
    redirects(act(founder, "/missions/%s/edit" % mslug,
                  "/missions/%s/state" % mslug, {"action": "submit"}),
              None, "mission submitted")
    redirects(act(rc, "/moderation/missions", "/moderation/missions/%s" %
                  mslug, {"action": "validate"}), None, "mission validated")
    eq(psql_value("SELECT online FROM missions WHERE id = :'p1'", mid), "t")
    mission_page = status(web().get("/missions/" + mslug), 200)
    contains(mission_page, title)
    contains(mission_page, "/missions/%s/apply" % mslug)

    # -- Three members apply; the third takes the waiting list.
    volunteers = []
    for i in range(3):
        c, email, _ = new_member(web(), first_name="Bénévole",
                                 last_name="Numéro" + random_letters(5))
        resp, queued = apply(c, mslug, "Je suis disponible le samedi et "
                             "j'aime cuisiner, volontaire %d." % i)
        eq(queued, i == 2, "volunteer %d on the waiting list" % (i + 1))
        volunteers.append((c, email))
    apps = [application_of(mid, e) for _, e in volunteers]
    eq([s for _, s in apps], ["waiting", "waiting", "queued"])
    contains(status(volunteers[2][0].get("/account/missions"), 200), title)

    # -- The manager refuses the first: the third is promoted and mailed.
    first_app = apps[0][0]
    resp = act(founder, "/applications/%d" % first_app,
               "/applications/%d/state" % first_app,
               {"action": "refuse", "reason": "requirements_not_fulfilled"})
    redirects(resp, None, "refusal")
    eq(application_of(mid, volunteers[0][1])[1], "refused")
    eq(application_of(mid, volunteers[2][1])[1], "waiting", "promoted")
    msg = wait_mail(volunteers[2][1], "place")
    ok(any(re.search(r"/(applications/%d|missions/%s)$" % (apps[2][0],
                                                           mslug), link)
           for link in links(msg)),
       "the application's or the mission's link in the promotion mail: %r"
       % links(msg))

    # -- A thread: the volunteer writes, the organisation replies.
    second, second_email = volunteers[1]
    app2 = apps[1][0]
    question = "Bonjour, faut-il apporter un tablier ? " + random_letters(4)
    answer = "Bonjour, non, nous en prêtons un. " + random_letters(4)
    redirects(act(second, "/applications/%d" % app2,
                  "/applications/%d/messages" % app2, {"body": question}))
    redirects(act(founder, "/applications/%d" % app2,
                  "/applications/%d/messages" % app2, {"body": answer}))
    eq(application_of(mid, second_email)[1], "in_progress",
       "the organisation's first reply")
    for c, who in ((second, "volunteer"), (founder, "manager")):
        thread = status(c.get("/applications/%d" % app2), 200, who)
        contains(thread, question)
        contains(thread, answer)
        for address in (second_email, founder_email):
            not_contains(thread.text, address, "%s's thread page" % who)
    ok(status(web().get("/applications/%d" % app2), 303).location,
       "an anonymous visitor is sent to log in")

    # -- The volunteer downloads their data export.
    resp = status(second.get("/account/export.json"), 200)
    contains(resp.headers.get("Content-Disposition", ""), "attachment")
    data = json.loads(resp.body)
    eq(data["profile"]["email"], second_email)
    ok(any(a["id"] == app2 and a["mission_slug"] == mslug and
           a["status"] == "in_progress" for a in data["applications"]),
       "the application in the export: %r" % data["applications"])
    bodies = {(m["body"], m["mine"]) for m in data["messages"]}
    ok((question, True) in bodies and (answer, False) in bodies,
       "the thread in the export: %r" % data["messages"])
    not_contains(resp.body.decode(), founder_email, "the export")
    page = status(second.get("/account/export"), 200)
    contains(html_text(page.text), answer)
