# SPDX-License-Identifier: MIT
"""Sign-up: the form, every validation message, the no-JavaScript commune
choice, the confirmation link and the resend form."""

import re
import secrets
import time

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403

CONFIRM_SUBJECT = "Confirmez votre adhésion"


def db_state(email):
    """(last users id, last outbox id, accounts with that e-mail)."""
    return psql("SELECT (SELECT coalesce(max(id), 0) FROM users), "
                "(SELECT coalesce(max(id), 0) FROM outbox), "
                "(SELECT count(*) FROM users WHERE lower(email) = "
                "lower(:'p1'))", email)[0]


def signup_error(field, message, client=None, also=(), **overrides):
    """Submit a sign-up with overrides; assert 422, exactly the errors
    {field: message} (plus the fields in `also`), the banner, the password
    not echoed, and that no account and no mail were created."""
    c = client or Client("fcgi")
    fields = signup_fields(**overrides)
    before = db_state(fields.get("email") or "")
    resp = c.submit("/signup", fields)
    status(resp, 422, "sign-up with %r" % overrides)
    errs = field_errors(resp)
    eq(errs.get(field), message, "error of %s for %r" % (field, overrides))
    eq(set(errs), {field} | set(also), "fields in error for %r" % overrides)
    eq(form_errors(resp), [FORM_BANNER], "form banner")
    eq(form_values(resp, "/signup").get("password"), "",
       "password field re-rendered empty")
    if len(fields.get("password") or "") >= 4:
        not_contains(resp, fields["password"], "password echoed in the page")
    after = db_state(fields.get("email") or "")
    eq(after[0], before[0], "a users row was inserted")
    eq(after[1], before[1], "a mail was queued")
    eq(after[2], before[2], "an account with this e-mail was created")
    return resp


# --------------------------------------------------------------------------
# Successful sign-ups
# --------------------------------------------------------------------------

@test
def signup_in_france_with_city_from_api():
    c = Client("fcgi")
    page = status(c.get("/signup"), 200)
    eq(form_values(page, "/signup").get("country"), "FR",
       "France preselected")
    cities = status(c.get("/api/cities?country=FR&postal_code=69001"),
                    200).json()
    codes = [x["code"] for x in cities]
    contains(codes, "69381")
    email = unique_email("lyon")
    started = time.time()
    resp = c.submit("/signup", signup_fields(
        email=email, first_name="jean-pauL", last_name="le goff-o'neil",
        gender="male", phone="+33 6 11 22 33 44",
        street="  3   place   Bellecour ", postal_code="69001",
        city_code=codes[0]))
    redirects(resp, "/signup/done")
    u = user_row(email)
    ok(u is not None, "no users row for %s" % email)
    eq(u["status"], "pending")
    eq(u["role"], "member")
    eq(u["first_name"], "Jean-Paul")
    eq(u["last_name"], "Le Goff-O'Neil")
    eq(u["gender"], "male")
    eq(u["birth_date"], years_ago(30))
    eq(u["phone"], "+33 6 11 22 33 44")
    eq(u["address_street"], "3 place Bellecour")
    eq(u["postal_code"], "69001")
    eq(u["country"], "FR")
    eq(u["city_insee"], "69381")
    eq(u["city_name"], "Lyon 1er Arrondissement")
    ok(u["charter_accepted_at"], "charter_accepted_at not set")
    eq(u["activated_at"], None)
    ok(u["password_hash"].startswith("$argon2id$"),
       "password not hashed with Argon2id: %r" % u["password_hash"][:20])
    not_contains(u["password_hash"], PASSWORD)
    # the confirmation mail
    msg = wait_mail(email, CONFIRM_SUBJECT, newer_than=started - 1)
    contains(msg["To"], email)
    text = mail_text(msg)
    contains(text, "Bonjour Jean-Paul")
    link = confirm_link(email)
    matches(link, r"^%s/signup/confirm/[A-Za-z0-9_-]{43}$"
            % re.escape(base_url()))
    not_contains(text, PASSWORD, "password in the mail")
    # the page after sign-up
    done = status(c.follow(resp), 200)
    contains(done, "Vérifiez votre boîte mail")
    contains(page_links(done), "/signup/resend")


@test
def signup_abroad_zurich():
    email = unique_email("zurich")
    c = Client("fcgi")
    resp = c.submit("/signup", signup_fields(
        email=email, country="CH", postal_code="8001", city_code=None,
        city_name="Zürich", street="Bahnhofstrasse 1"))
    redirects(resp, "/signup/done")
    u = user_row(email)
    eq(u["country"], "CH")
    eq(u["postal_code"], "8001")
    eq(u["city_name"], "Zürich")
    eq(u["city_insee"], None, "no INSEE code abroad")
    eq(u["address_street"], "Bahnhofstrasse 1")
    confirm_link(email)


@test
def country_select_lists_countries_in_french_france_first():
    page = status(Client("fcgi").get("/signup"), 200)
    opts = select_options(page, "country")
    eq(opts[0], ("FR", "France"), "first option")
    ok(240 <= len(opts) <= 260, "expected ~249 countries, got %d"
       % len(opts))
    codes = [v for v, _ in opts]
    eq(len(set(codes)), len(codes), "duplicate country codes")
    ok(all(re.match(r"^[A-Z]{2}$", v) for v in codes),
       "country values are not ISO codes")
    for pair in [("DE", "Allemagne"), ("CH", "Suisse"), ("ES", "Espagne"),
                 ("US", "États-Unis"), ("GB", "Royaume-Uni"),
                 ("BE", "Belgique")]:
        contains(opts, pair)
    eq(codes.count("FR"), 1, "France listed twice")


# --------------------------------------------------------------------------
# Validation messages
# --------------------------------------------------------------------------

@test
def first_and_last_name_errors():
    for field, label in (("first_name", "prénom"), ("last_name", "nom")):
        length = "Votre %s doit comporter entre 2 et 50 caractères." % label
        chars = ("Votre %s ne peut contenir que des lettres, des espaces, "
                 "des tirets et des apostrophes." % label)
        missing = "Veuillez renseigner votre %s." % label
        signup_error(field, length, **{field: "J"})
        signup_error(field, length, **{field: "a" * 51})
        signup_error(field, chars, **{field: "Jean3"})
        signup_error(field, chars, **{field: "Jean@Dupont"})
        signup_error(field, missing, **{field: ""})
        signup_error(field, missing, **{field: "   "})
        signup_error(field, missing, **{field: None})


@test
def names_need_a_letter():
    # only separators (hyphens, apostrophes, dots, spaces): not a name
    for field in ("first_name", "last_name"):
        for bad in ("--", "''", "..", "- -", "-'.", "’’"):
            email = unique_email("noletter")
            resp = Client("fcgi").submit("/signup", signup_fields(
                email=email, **{field: bad}))
            status(resp, 422, "%s %r accepted" % (field, bad))
            ok(field_errors(resp).get(field),
               "no error on %s for %r" % (field, bad))
            eq(user_count(email), 0)


@test
def email_is_stored_in_lower_case():
    email = unique_email("mixed")
    mixed = email.split("@")[0].capitalize() + "@" + \
        email.split("@")[1].upper()
    resp = Client("fcgi").submit("/signup", signup_fields(email=mixed))
    redirects(resp, "/signup/done")
    eq(psql_value("SELECT email FROM users WHERE lower(email) = :'p1'",
                  email), email)
    link = confirm_link(email)
    status(Client("fcgi").get(link), 200)
    login(Client("fcgi"), mixed, PASSWORD)
    login(Client("fcgi"), email, PASSWORD)


@test
def name_of_50_letters_is_accepted():
    email = unique_email("longname")
    resp = Client("fcgi").submit("/signup", signup_fields(
        email=email, last_name="b" * 50))
    redirects(resp, "/signup/done")
    eq(user_row(email)["last_name"], "B" + "b" * 49)


@test
def email_errors():
    invalid = "Cette adresse e-mail n'est pas valide."
    for bad in ("not-an-email", "jean@", "@example.test", "jean@example",
                "jean dupont@example.test", "jean@@example.test"):
        signup_error("email", invalid, email=bad)
    signup_error("email", "Veuillez renseigner votre adresse e-mail.",
                 email="")


TAKEN_SUBJECT = "Une demande d'adhésion avec votre adresse"


def answer_of(resp):
    """What a visitor can tell of a sign-up answer: status, redirect, body
    and the names of the cookies set."""
    return (resp.status, resp.location, resp.body,
            sorted(c.split("=", 1)[0] for c in
                   resp.headers.get_all("Set-Cookie")))


@test
def signup_with_a_members_address_tells_nothing():
    """Membership is sensitive: an address already registered gets the
    answer a new one gets, and its owner a mail instead."""
    for confirmed in (True, False):
        _, email, password = new_member(confirm=confirmed)
        mails_before = outbox_count(email)
        hash_before = user_row(email)["password_hash"]
        local, domain = email.split("@")
        for typed in (email, email.upper(),
                      local.capitalize() + "@" + domain.upper()):
            fresh = unique_email("fresh")
            new = Client("fcgi").submit("/signup", signup_fields(
                email=fresh))
            same = Client("fcgi").submit("/signup", signup_fields(
                email=typed, first_name="Usurpateur", password="autre-"
                "mot-de-passe"))
            redirects(same, "/signup/done", "sign-up with %s" % typed)
            eq(answer_of(same), answer_of(new),
               "a member's address answered differently (%s)" % typed)
            eq(user_count(fresh), 1)
        eq(user_count(email), 1, "a second account for the address")
        row = user_row(email)
        eq(row["password_hash"], hash_before, "the password changed")
        ne(row["first_name"], "Usurpateur", "the account changed")
        # the owner is told, within the quota of 3 mails an hour
        msg = wait_mail(email, TAKEN_SUBJECT)
        ok(msg is not None, "no mail to the owner")
        text = mail_text(msg)
        contains(text, "déjà membre")
        contains(text, base_url() + "/password/forgot")
        (contains if not confirmed else not_contains)(
            text, base_url() + "/signup/resend")
        not_contains(text, "autre-mot-de-passe")
        eq(outbox_count(email), mails_before + 3, "mails to the owner")


@test
def mail_quota_per_address():
    """Resend, forgot and sign-up can make us mail an address: 3 an hour at
    most, whoever asks, with the same answer before and after."""
    _, pending, _ = new_member(confirm=False)
    _, active, _ = new_member()
    for email, url, fields, to in (
            (pending, "/signup/resend", {"email": pending}, "/signup/done"),
            (active, "/password/forgot", {"email": active},
             "/login?notice=forgot"),
            (active, "/signup", signup_fields(email=active),
             "/signup/done")):
        before = outbox_count(email)
        answers = set()
        for i in range(6):
            c = Client("fcgi", client_ip="100.64.%d.%d" % (i, i + 1))
            resp = c.submit(url, fields)
            redirects(resp, to, "%s #%d for %s" % (url, i, email))
            answers.add((resp.status, resp.location))
        eq(len(answers), 1, "%s: the answer changed over the quota" % url)
        sent = outbox_count(email) - before
        ok(sent <= 3, "%s: %d mails in an hour to %s" % (url, sent, email))
    eq(outbox_count(pending) - 1, 3, "confirmation mails to %s" % pending)
    # forgot (3) then sign-up: the quota of the address was used up
    eq(outbox_count(active, "Réinitialisez votre mot de passe"), 3)
    eq(outbox_count(active, TAKEN_SUBJECT), 0)


@test
def password_too_short():
    msg = "Votre mot de passe doit comporter au moins 8 caractères."
    signup_error("password", msg, password="1234567")
    signup_error("password", msg, password="")
    signup_error("password", msg, password="éèàùçôî")   # 7 characters


TOO_LONG = "Votre mot de passe doit comporter au plus 1024 caractères."


@test
def password_too_long():
    """One password rule for the whole site: too long is said so (sign-up;
    the reset and account forms: test_password, test_account)."""
    signup_error("password", TOO_LONG, password="a" * 1025)
    signup_error("password", TOO_LONG, password="é" * 1025)
    email = unique_email("long")
    redirects(Client("fcgi").submit("/signup", signup_fields(
        email=email, password="é" * 1024)), "/signup/done")


@test
def gender_missing_or_invalid():
    msg = "Veuillez indiquer votre civilité."
    signup_error("gender", msg, gender=None)
    signup_error("gender", msg, gender="robot")


@test
def birth_date_errors():
    signup_error("birth_date",
                 "Vous devez spécifier votre date de naissance.",
                 birth_date="")
    young = "Vous devez avoir au moins 15 ans pour adhérer."
    signup_error("birth_date", young, birth_date=years_ago(14))
    signup_error("birth_date", young, birth_date=years_ago(15, days=-1))
    invalid = "Cette date de naissance n'est pas valide."
    for bad in ("31/12/1990", "1990-02-30", "1990-13-01", "hier",
                years_ago(-1)):
        signup_error("birth_date", invalid, birth_date=bad)


@test
def fifteen_years_old_today_may_join():
    email = unique_email("fifteen")
    resp = Client("fcgi").submit("/signup", signup_fields(
        email=email, birth_date=years_ago(15)))
    redirects(resp, "/signup/done")
    eq(user_row(email)["birth_date"], years_ago(15))


@test
def charter_must_be_accepted():
    signup_error("charter", "Vous devez accepter la charte.", charter=None)


@test
def street_missing():
    signup_error("street", "L'adresse est obligatoire.", street="")
    signup_error("street", "L'adresse est obligatoire.", street="   ")


@test
def french_postal_code_invalid():
    msg = "Cette valeur n'est pas un code postal français valide."
    for bad in ("6900", "690011", "69OO1", "abcde", "99999"):
        signup_error("postal_code", msg, postal_code=bad, city_code="")
    signup_error("postal_code", "Veuillez renseigner un code postal.",
                 postal_code="", city_code="")


@test
def french_city_not_of_postal_code():
    msg = "Cette ville n'est pas une ville française valide."
    signup_error("city_code", msg, postal_code="69001", city_code="75108")
    signup_error("city_code", msg, postal_code="69001", city_code="99999")


@test
def city_required_abroad():
    signup_error("city_name", "Veuillez renseigner une ville.",
                 country="CH", postal_code="8001", city_code=None,
                 city_name="")


@test
def country_unknown_or_missing():
    signup_error("country", "Ce pays n'est pas valide.", country="XX")
    signup_error("country", "Ce pays n'est pas valide.", country="fr")
    signup_error("country", "Veuillez choisir un pays.", country="")


@test
def error_page_keeps_values_but_never_the_password():
    email = unique_email("kept")
    secret = "Tres-Secret-%s" % secrets.token_hex(4)
    resp = signup_error(
        "birth_date", "Vous devez avoir au moins 15 ans pour adhérer.",
        email=email, password=secret, first_name="marie-anne",
        last_name="Durand", gender="other", phone="0478000000",
        birth_date=years_ago(10), street="8 Bahnhofplatz", country="CH",
        postal_code="8001", city_code=None, city_name="Zürich")
    v = form_values(resp, "/signup")
    eq(v.get("first_name"), "Marie-Anne")
    eq(v.get("last_name"), "Durand")
    eq(v.get("email"), email)
    eq(v.get("gender"), "other")
    eq(v.get("phone"), "0478000000")
    eq(v.get("birth_date"), years_ago(10))
    eq(v.get("street"), "8 Bahnhofplatz")
    eq(v.get("country"), "CH", "selected country")
    eq(v.get("postal_code"), "8001")
    eq(v.get("city_name"), "Zürich")
    eq(v.get("charter"), "1", "charter box kept checked")
    eq(v.get("password"), "")
    not_contains(resp, secret)
    # a France address is kept too, with its commune selected
    resp = signup_error("charter", "Vous devez accepter la charte.",
                        charter=None, postal_code="01000",
                        city_code="01344")
    v = form_values(resp, "/signup")
    eq(v.get("country"), "FR")
    eq(v.get("postal_code"), "01000")
    eq(v.get("city_code"), "01344", "selected commune")


# --------------------------------------------------------------------------
# Without JavaScript: the server offers the communes of the postal code
# --------------------------------------------------------------------------

@test
def nojs_postal_code_with_several_communes():
    c = Client("fcgi")
    email = unique_email("bourg")
    resp = signup_error("city_code",
                        "Veuillez choisir votre commune dans la liste.",
                        client=c, email=email, postal_code="01000",
                        city_code=None, city_name="")
    opts = select_options(resp, "city_code")
    contains(opts, ("01053", "Bourg-en-Bresse"))
    contains(opts, ("01344", "Saint-Denis-lès-Bourg"))
    eq([v for v, _ in opts if v], ["01053", "01344"],
       "communes offered for 01000")
    ok(re.search(r'id="field-city-code"(?![^>]*\bhidden)', resp.text),
       "the commune select is hidden: a browser without JavaScript "
       "cannot choose")
    # choose one and send the same page again (the password is not kept)
    resp = submit_page(c, resp, {"city_code": "01344",
                                 "password": PASSWORD}, "/signup")
    redirects(resp, "/signup/done")
    u = user_row(email)
    eq(u["city_insee"], "01344")
    eq(u["city_name"], "Saint-Denis-lès-Bourg")
    eq(u["postal_code"], "01000")
    confirm_link(email)


@test
def nojs_city_name_matching_no_commune():
    for name in ("Bourg", "Lyon", "Saint-Denis"):
        resp = signup_error("city_code",
                            "Veuillez choisir votre commune dans la liste.",
                            postal_code="01000", city_code=None,
                            city_name=name)
        eq([v for v, _ in select_options(resp, "city_code") if v],
           ["01053", "01344"])


@test
def nojs_postal_code_with_one_commune():
    email = unique_email("single")
    resp = Client("fcgi").submit("/signup", signup_fields(
        email=email, postal_code="75008", city_code=None, city_name=""))
    redirects(resp, "/signup/done")
    u = user_row(email)
    eq(u["city_insee"], "75108")
    eq(u["city_name"], "Paris 8e Arrondissement")


@test
def nojs_city_name_matching_a_commune():
    email = unique_email("byname")
    resp = Client("fcgi").submit("/signup", signup_fields(
        email=email, postal_code="01000", city_code=None,
        city_name="BOURG-EN-bresse"))
    redirects(resp, "/signup/done")
    u = user_row(email)
    eq(u["city_insee"], "01053")
    eq(u["city_name"], "Bourg-en-Bresse")


# --------------------------------------------------------------------------
# Confirmation
# --------------------------------------------------------------------------

@test
def confirmation_activates_once():
    c, email, password = new_member(confirm=False)
    eq(user_row(email)["status"], "pending")
    link = confirm_link(email)
    resp = status(c.get(link), 200)
    contains(resp, "Adhésion confirmée")
    u = user_row(email)
    eq(u["status"], "active")
    ok(u["activated_at"], "activated_at not set")
    again = status(Client("fcgi").get(link), 200)
    contains(again, "Votre compte est déjà actif.")
    eq(user_row(email)["activated_at"], u["activated_at"])
    login(Client("fcgi"), email, password)


@test
def confirmation_link_expired():
    c, email, _ = new_member(confirm=False)
    link = confirm_link(email)
    psql("UPDATE user_tokens SET expires_at = now() - interval '1 minute' "
         "WHERE kind = 'confirm' AND user_id = :'p1'", user_id(email))
    resp = status(c.get(link), 410)
    contains(page_links(resp), "/signup/resend")
    eq(user_row(email)["status"], "pending")


@test
def confirmation_unknown_token():
    c = Client("fcgi")
    status(c.get("/signup/confirm/garbage"), 404)
    status(c.get("/signup/confirm/" + "A" * 43), 404)
    status(c.get("/signup/confirm/" + secrets.token_urlsafe(32)), 404)
    status(c.get("/signup/confirm/" + "!" * 43), 404)


# --------------------------------------------------------------------------
# Resend the confirmation mail
# --------------------------------------------------------------------------

@test
def resend_same_answer_mail_only_to_pending():
    _, pending, _ = new_member(confirm=False)
    first = confirm_link(pending)
    seen = mail_paths(pending)
    _, active, _ = new_member()
    unknown = unique_email("nobody")
    answers = {}
    counts = {e: outbox_count(e) for e in (pending, active, unknown)}
    for name, email in (("pending", pending), ("active", active),
                        ("unknown", unknown)):
        resp = Client("fcgi").submit("/signup/resend", {"email": email})
        redirects(resp, "/signup/done", "resend for %s account" % name)
        answers[name] = (resp.status, resp.location, resp.body)
    eq(answers["unknown"], answers["pending"], "unknown vs pending answer")
    eq(answers["active"], answers["pending"], "active vs pending answer")
    eq(outbox_count(pending), counts[pending] + 1, "new mail for pending")
    eq(outbox_count(active), counts[active], "mail for an active account")
    eq(outbox_count(unknown), 0, "mail for an unknown address")
    # the new link is a different one, and it works
    second = confirm_link(pending, seen=seen)
    ne(second, first, "resend gave the same link")
    contains(status(Client("fcgi").get(second), 200), "Adhésion confirmée")


@test
def resend_invalid_email():
    resp = Client("fcgi").submit("/signup/resend", {"email": "nope"})
    status(resp, 422)
    eq(field_errors(resp).get("email"),
       "Cette adresse e-mail n'est pas valide.")
