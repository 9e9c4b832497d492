# SPDX-License-Identifier: MIT
"""The member's account: profile, password change, deletion."""

import re
import secrets

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403

SAVED = "Vos informations ont été enregistrées."


def account_values(page):
    return form_values(page, "/account")


@test
def account_shows_the_members_data():
    c, email, _ = new_member(first_name="élodie", last_name="d'arc",
                             gender="female", phone="04 78 00 00 00",
                             street="5 quai Saint-Antoine",
                             postal_code="69001", city_code="69381")
    page = status(c.get("/account"), 200)
    eq(page.headers.get("Cache-Control"), "no-store")
    contains(html_text(page), email)
    v = account_values(page)
    eq(v.get("first_name"), "Élodie")
    eq(v.get("last_name"), "D'Arc")
    eq(v.get("gender"), "female")
    eq(v.get("birth_date"), years_ago(30))
    eq(v.get("phone"), "04 78 00 00 00")
    eq(v.get("street"), "5 quai Saint-Antoine")
    eq(v.get("country"), "FR")
    eq(v.get("postal_code"), "69001")
    eq(v.get("city_code"), "69381")
    contains(select_options(page, "city_code"),
             ("69381", "Lyon 1er Arrondissement"))
    since = psql_value("SELECT to_char(created_at, 'DD/MM/YYYY') FROM users "
                       "WHERE email = :'p1'", email)
    contains(html_text(page), "membre depuis le " + since)
    for f in ("current_password", "new_password", "new_password_confirm"):
        eq(form_values(page, "/account/password").get(f), "")


@test
def edit_profile_abroad_then_back_to_france():
    c, email, _ = new_member()
    page = status(c.get("/account"), 200)
    resp = submit_page(c, page, {
        "first_name": "marie-claire", "last_name": "von berg",
        "gender": "other", "phone": "+41 44 000 00 00",
        "birth_date": years_ago(40), "street": "Bahnhofstrasse 10",
        "country": "CH", "postal_code": "8001", "city_code": None,
        "city_name": "Zürich"}, "/account")
    redirects(resp, "/account")
    u = user_row(email)
    eq(u["first_name"], "Marie-Claire")
    eq(u["last_name"], "Von Berg")
    eq(u["gender"], "other")
    eq(u["phone"], "+41 44 000 00 00")
    eq(u["birth_date"], years_ago(40))
    eq(u["address_street"], "Bahnhofstrasse 10")
    eq(u["country"], "CH")
    eq(u["postal_code"], "8001")
    eq(u["city_name"], "Zürich")
    eq(u["city_insee"], None, "INSEE code kept after moving abroad")
    eq(u["email"], email, "e-mail changed by the profile form")
    page = status(c.follow(resp), 200)
    eq([x.strip() for x in
        re.findall(r'<p class="notice"[^>]*>(.*?)</p>', page.text)],
       [SAVED], "notice after saving")
    v = account_values(page)
    eq(v.get("country"), "CH")
    eq(v.get("city_name"), "Zürich")
    # the notice is shown once
    page = status(c.get("/account"), 200)
    not_contains(page, SAVED)
    # back to France: postal code with a single commune, no city_code
    resp = submit_page(c, page, {
        "country": "FR", "postal_code": "75008", "city_code": None,
        "street": "55 rue du Faubourg Saint-Honoré", "phone": ""},
        "/account")
    redirects(resp, "/account")
    u = user_row(email)
    eq(u["country"], "FR")
    eq(u["postal_code"], "75008")
    eq(u["city_insee"], "75108")
    eq(u["city_name"], "Paris 8e Arrondissement")
    eq(u["address_street"], "55 rue du Faubourg Saint-Honoré")
    eq(u["phone"], None, "empty phone stored as NULL")
    contains(status(c.follow(resp), 200), SAVED)
    # and a commune chosen in the list
    page = status(c.get("/account"), 200)
    resp = submit_page(c, page, {"postal_code": "01000",
                                 "city_code": "01344"}, "/account")
    redirects(resp, "/account")
    eq(user_row(email)["city_insee"], "01344")
    eq(user_row(email)["city_name"], "Saint-Denis-lès-Bourg")


@test
def invalid_edit_keeps_values_and_changes_nothing():
    c, email, _ = new_member()
    before = user_row(email)
    page = status(c.get("/account"), 200)
    resp = submit_page(c, page, {
        "first_name": "X1", "street": "99 avenue Nouvelle",
        "postal_code": "123", "city_code": None, "phone": "abc"},
        "/account")
    status(resp, 422)
    errs = field_errors(resp)
    eq(errs.get("first_name"), "Votre prénom ne peut contenir que des "
       "lettres, des espaces, des tirets et des apostrophes.")
    eq(errs.get("postal_code"),
       "Cette valeur n'est pas un code postal français valide.")
    eq(errs.get("phone"), "Ce numéro de téléphone n'est pas valide.")
    eq(form_errors(resp), [FORM_BANNER])
    v = account_values(resp)
    eq(v.get("first_name"), "X1")
    eq(v.get("street"), "99 avenue Nouvelle")
    eq(v.get("postal_code"), "123")
    eq(v.get("phone"), "abc")
    eq(v.get("last_name"), before["last_name"])
    contains(html_text(resp), email)
    after = user_row(email)
    for k in ("first_name", "address_street", "postal_code", "phone",
              "city_insee", "updated_at"):
        eq(after.get(k), before.get(k), "%s changed by a refused edit" % k)
    # abroad without a city
    page = status(c.get("/account"), 200)
    resp = submit_page(c, page, {"country": "BE", "postal_code": "1000",
                                 "city_code": None, "city_name": ""},
                       "/account")
    status(resp, 422)
    eq(field_errors(resp), {"city_name": "Veuillez renseigner une ville."})
    eq(account_values(resp).get("country"), "BE")
    eq(user_row(email)["country"], "FR")


@test
def change_password():
    c, email, old = new_member()
    other = Client("fcgi")
    login(other, email, old)
    new = "Change-" + secrets.token_hex(6)
    page = status(c.get("/account"), 200)
    # wrong current password
    resp = submit_page(c, page, {"current_password": "pas-le-bon-1",
                                 "new_password": new,
                                 "new_password_confirm": new},
                       "/account/password")
    status(resp, 422)
    eq(field_errors(resp), {"current_password":
                            "Le mot de passe actuel est incorrect."})
    not_contains(resp, new)
    # mismatching confirmation, too short
    resp = submit_page(c, page, {"current_password": old,
                                 "new_password": new,
                                 "new_password_confirm": new + "x"},
                       "/account/password")
    status(resp, 422)
    eq(field_errors(resp), {"new_password_confirm":
                            "Les mots de passe ne correspondent pas."})
    resp = submit_page(c, page, {"current_password": old,
                                 "new_password": "court",
                                 "new_password_confirm": "court"},
                       "/account/password")
    status(resp, 422)
    eq(field_errors(resp), {"new_password": "Votre mot de passe doit "
                            "comporter au moins 8 caractères."})
    long = "é" * 1025
    resp = submit_page(c, page, {"current_password": old,
                                 "new_password": long,
                                 "new_password_confirm": long},
                       "/account/password")
    status(resp, 422)
    eq(field_errors(resp), {"new_password": "Votre mot de passe doit "
                            "comporter au plus 1024 caractères."})
    status(other.get("/account"), 200)
    # success
    resp = submit_page(c, page, {"current_password": old,
                                 "new_password": new,
                                 "new_password_confirm": new},
                       "/account/password")
    redirects(resp, "/account")
    contains(status(c.follow(resp), 200),
             "Votre mot de passe a été modifié.")
    status(c.get("/account"), 200)
    redirects(other.get("/account"), "/login", "other session kept")
    eq(sessions_of(user_id(email)), {c.cookies["sid"]})
    status(post_login(Client("fcgi"), email, old), 422)
    login(Client("fcgi"), email, new)


@test
def delete_requires_reason_and_confirmation():
    c, email, _ = new_member()
    page = status(c.get("/account/delete"), 200)
    eq(page.headers.get("Cache-Control"), "no-store")
    reasons = [v for v, _ in select_options(page, "reason") if v]
    ok(len(reasons) >= 2, "reasons offered: %s" % reasons)
    for fields, errs in (
            ({"reason": "", "confirm": "1"},
             {"reason": "Veuillez choisir une raison."}),
            ({"reason": "not-a-reason", "confirm": "1"},
             {"reason": "Veuillez choisir une raison."}),
            ({"reason": reasons[0], "confirm": None},
             {"confirm": "Veuillez confirmer la suppression de votre "
              "compte."}),
            ({"reason": "", "confirm": None},
             {"reason": "Veuillez choisir une raison.",
              "confirm": "Veuillez confirmer la suppression de votre "
              "compte."})):
        resp = submit_page(c, page, fields, "/account/delete")
        status(resp, 422, "delete with %r" % fields)
        eq(field_errors(resp), errs, "errors for %r" % fields)
        eq(user_count(email), 1, "deleted despite %r" % fields)
    status(c.get("/account"), 200)


@test
def delete_account():
    c, email, password = new_member(postal_code="01000", city_code="01053",
                                    first_name="Léonie",
                                    last_name="Supprimable")
    confirm = path_of(confirm_link(email))
    other = Client("fcgi")
    login(other, email, password)
    sid = c.cookies["sid"]
    u = user_row(email)
    uid = u["id"]
    # a reset token and queued mail exist for this member
    seen = mail_paths(email)
    redirects(Client("fcgi").submit("/password/forgot", {"email": email}),
              "/login?notice=forgot")
    reset = path_of(reset_link(email, seen=seen))
    ok(token_count(uid) >= 2, "tokens before deletion")
    ok(outbox_rows(uid) >= 2, "mails before deletion")
    before = int(psql_value("SELECT coalesce(max(id), 0) FROM "
                            "unregistrations"))
    page = status(c.get("/account/delete"), 200)
    resp = submit_page(c, page, {"reason": "time", "confirm": "1"},
                       "/account/delete")
    redirects(resp, "/account/deleted")
    ok(resp.cookies.attrs("sid").is_deletion(), "sid cookie not cleared")
    contains(status(c.follow(resp), 200), "Compte supprimé")
    # the row and everything hanging from it are gone
    eq(user_row(email), None, "users row still there")
    eq(token_count(uid), 0, "tokens left")
    eq(outbox_rows(uid), 0, "outbox rows left")
    eq(outbox_count(email), 0, "outbox rows with the address left")
    # an anonymous trace
    rows = psql("SELECT postal_code, country, registered_at, "
                "unregistered_at IS NOT NULL, reason, row_to_json(u)::text "
                "FROM unregistrations u WHERE id > :'p1' AND "
                "registered_at = :'p2'", before, u["created_at"])
    eq(len(rows), 1, "unregistrations rows for this member")
    postal, country, registered, has_date, reason, as_json = rows[0]
    eq((postal, country, reason, has_date), ("01000", "FR", "time", "t"))
    for personal in (email, "Léonie", "Supprimable", u["address_street"],
                     u["phone"], u["birth_date"]):
        not_contains(as_json, personal, "personal data in unregistrations")
    columns = [r[0] for r in psql(
        "SELECT column_name FROM information_schema.columns WHERE "
        "table_name = 'unregistrations'")]
    for col in columns:
        ok(not re.search(r"name|mail|phone|street|birth|user", col),
           "unregistrations has a personal column: %s" % col)
    # every session is dead
    redirects(c.get("/account"), "/login")
    c.set_cookie("sid", sid)
    redirects(c.get("/account"), "/login", "deleted member's old cookie")
    redirects(other.get("/account"), "/login", "other session survived")
    eq(redis_cli("EXISTS", "sess:" + sid), "0")
    eq(sessions_of(uid), set())
    # the credentials no longer work
    resp = post_login(Client("fcgi"), email, password)
    status(resp, 422)
    contains(" ".join(form_errors(resp)), BAD_CREDENTIALS)
    redis_cli("DEL", "lf:" + email)
    # the links mailed to the member are dead
    status(Client("fcgi").get(confirm), 404, "old confirmation link")
    status(Client("fcgi").get(reset), 404, "old reset link")
    # the address can be used again
    new_member(email=email)
