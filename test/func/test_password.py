# SPDX-License-Identifier: MIT
"""Forgotten password: request, reset link, new password."""

import secrets
import time

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403

RESET_SUBJECT = "Réinitialisez votre mot de passe"
CHANGED_SUBJECT = "Votre mot de passe a été modifié"


def forgot(email):
    return Client("fcgi").submit("/password/forgot", {"email": email})


def new_reset_link(email):
    """Ask for a reset link and return it (waits for the mail)."""
    seen = mail_paths(email)
    before = outbox_count(email, RESET_SUBJECT)
    redirects(forgot(email), "/login?notice=forgot")
    eq(outbox_count(email, RESET_SUBJECT), before + 1, "reset mail queued")
    return reset_link(email, seen=seen)


def set_password(link, password, confirm=None, client=None):
    c = client or Client("fcgi")
    page = status(c.get(link), 200)
    return submit_page(c, page, {
        "password": password,
        "password_confirm": password if confirm is None else confirm},
        url=path_of(link))


@test
def forgot_same_answer_for_known_and_unknown():
    _, email, _ = new_member()
    unknown = unique_email("nobody")
    known_resp = forgot(email)
    unknown_resp = forgot(unknown)
    redirects(known_resp, "/login?notice=forgot")
    eq((unknown_resp.status, unknown_resp.location, unknown_resp.body),
       (known_resp.status, known_resp.location, known_resp.body),
       "answers for unknown vs known address")
    eq(outbox_count(email, RESET_SUBJECT), 1, "reset mail for known")
    eq(outbox_count(unknown), 0, "mail for an unknown address")
    link = reset_link(email)
    matches(link, r"/password/reset/[A-Za-z0-9_-]{43}$")
    page = status(Client("fcgi").get(path_of(known_resp.location)), 200)
    contains(page, "Si un compte existe pour cette adresse")
    # the address is matched whatever its case
    redirects(forgot(email.upper()), "/login?notice=forgot")
    eq(outbox_count(email, RESET_SUBJECT), 2, "reset mail for EMAIL")


@test
def forgot_empty_or_invalid():
    resp = status(forgot(""), 422)
    eq(field_errors(resp).get("email"), "Cette valeur ne doit pas être vide.")
    eq(form_errors(resp), [FORM_BANNER])
    resp = status(forgot("   "), 422)
    eq(field_errors(resp).get("email"), "Cette valeur ne doit pas être vide.")
    resp = status(forgot("not-an-address"), 422)
    eq(field_errors(resp).get("email"),
       "Cette adresse e-mail n'est pas valide.")
    eq(form_values(resp, "/password/forgot").get("email"), "not-an-address")


@test
def reset_link_shows_the_form():
    _, email, _ = new_member()
    link = new_reset_link(email)
    page = status(Client("fcgi").get(link), 200)
    names = {f["name"] for f in find_form(page.text).fields}
    ok({"password", "password_confirm", "_csrf"} <= names,
       "reset form fields: %s" % names)
    eq(page.headers.get("Cache-Control"), "no-store")


@test
def reset_refuses_bad_new_passwords():
    _, email, password = new_member()
    link = new_reset_link(email)
    hash_before = user_row(email)["password_hash"]
    resp = status(set_password(link, "Nouveau-Mdp-1", "Nouveau-Mdp-2"), 422)
    eq(field_errors(resp).get("password_confirm"),
       "Les mots de passe ne correspondent pas.")
    not_contains(resp, "Nouveau-Mdp-1")
    resp = status(set_password(link, "court"), 422)
    eq(field_errors(resp).get("password"),
       "Votre mot de passe doit comporter au moins 8 caractères.")
    resp = status(set_password(link, "x" * 1025), 422)
    eq(field_errors(resp).get("password"),
       "Votre mot de passe doit comporter au plus 1024 caractères.")
    eq(user_row(email)["password_hash"], hash_before, "password changed")
    # the link still works after those errors
    redirects(set_password(link, "Nouveau-Mdp-1"), "/login?notice=reset")


@test
def reset_changes_the_password_and_ends_sessions():
    c, email, old = new_member()
    other = Client("fcgi")
    login(other, email, old)
    link = new_reset_link(email)
    started = time.time()
    new = "Nouveau-" + secrets.token_hex(6)
    resp = set_password(link, new)
    redirects(resp, "/login?notice=reset")
    page = status(Client("fcgi").follow(resp), 200)
    contains(page, "Votre mot de passe a été modifié.")
    # every session of the member is over
    redirects(c.get("/account"), "/login", "session of browser 1")
    redirects(other.get("/account"), "/login", "session of browser 2")
    eq(sessions_of(user_id(email)), set())
    # the new password works, the old one does not
    status(post_login(Client("fcgi"), email, old), 422)
    login(Client("fcgi"), email, new)
    msg = wait_mail(email, CHANGED_SUBJECT, newer_than=started - 1)
    contains(mail_text(msg), "mot de passe de votre compte vient d'être "
             "modifié")
    not_contains(mail_text(msg), new)
    # the link is spent
    status(Client("fcgi").get(link), 404)
    c2 = Client("fcgi")
    csrf = csrf_of(status(c2.get("/password/forgot"), 200))
    status(c2.post(path_of(link), {"_csrf": csrf, "password": "Encore-1234",
                                   "password_confirm": "Encore-1234"}), 404)
    login(Client("fcgi"), email, new)


@test
def older_reset_links_die_with_the_reset():
    _, email, _ = new_member()
    first = new_reset_link(email)
    second = new_reset_link(email)
    ne(first, second)
    redirects(set_password(second, "Second-Mdp-1"), "/login?notice=reset")
    status(Client("fcgi").get(first), 404)


@test
def expired_reset_link():
    _, email, password = new_member()
    link = new_reset_link(email)
    c = Client("fcgi")
    page = status(c.get(link), 200)
    psql("UPDATE user_tokens SET expires_at = now() - interval '1 minute' "
         "WHERE kind = 'reset' AND user_id = :'p1'", user_id(email))
    resp = status(Client("fcgi").get(link), 410)
    contains(page_links(resp), "/password/forgot")
    resp = submit_page(c, page, {"password": "Trop-Tard-1",
                                 "password_confirm": "Trop-Tard-1"},
                       url=path_of(link))
    status(resp, 410)
    login(Client("fcgi"), email, password)


@test
def unknown_reset_token():
    c = Client("fcgi")
    status(c.get("/password/reset/nope"), 404)
    status(c.get("/password/reset/" + secrets.token_urlsafe(32)), 404)


@test
def reset_activates_a_pending_account():
    _, email, _ = new_member(confirm=False)
    link = new_reset_link(email)
    redirects(set_password(link, "Pending-Mdp-1"), "/login?notice=reset")
    eq(user_row(email)["status"], "active")
    login(Client("fcgi"), email, "Pending-Mdp-1")
