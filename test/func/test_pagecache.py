# SPDX-License-Identifier: MIT
"""The workers' own page cache (core/pagecache.c): public pages are kept
by each worker and dropped as soon as PostgreSQL notifies a content change
or a scheduled article comes due. Tested through the FastCGI socket, where
nginx's micro-cache is not in the way; the stack runs 4 workers."""

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
from content_fixtures import *  # noqa: F401,F403

TRIES = 16      # > 4 workers: at most one miss each, the rest are hits


def fetch(path):
    r = status(Client("fcgi").get(path), 200)
    return r.headers.get("X-Page-Cache"), r.body


@test
def public_pages_are_kept_by_the_workers():
    _, slug = make_article(title="Gardé " + word())
    seen = [fetch("/articles/" + slug) for _ in range(TRIES)]
    marks = [m for m, _ in seen]
    ok(marks.count("MISS") <= 4, "one miss per worker at most: %s" % marks)
    ok(marks.count("HIT") >= TRIES - 4, "hits: %s" % marks)
    eq(len({b for _, b in seen}), 1, "a hit is the same page")


@test
def a_change_drops_every_kept_copy():
    aid, slug = make_article(title="Avant " + word())
    path = "/articles/" + slug
    for _ in range(TRIES):          # every worker keeps the old page
        fetch(path)
    new = "Après " + word()
    psql("UPDATE articles SET title = :'p1' WHERE id = :'p2'", new, aid)
    wait_until(lambda: new in fetch(path)[1].decode(), timeout=10,
               message="the change shows")
    for _ in range(TRIES):          # and no worker serves the old one
        contains(fetch(path)[1].decode(), new)
    unpublish("articles", aid)
    wait_until(lambda: Client("fcgi").get(path).status == 404, timeout=10,
               message="the unpublished article goes")
    for _ in range(TRIES):
        eq(Client("fcgi").get(path).status, 404)


@test
def a_scheduled_article_is_not_hidden_by_the_cache():
    title = "Programmé " + word()
    make_article(title=title, when="now() + interval '3 seconds'")
    for _ in range(TRIES):          # the list is kept without it
        ok(title not in fetch("/articles")[1].decode(), "not yet")
    # Without a bound at the next publication the list would be kept a
    # whole minute.
    wait_until(lambda: title in fetch("/articles")[1].decode(), timeout=15,
               message="the scheduled article appears in the kept list")


@test
def search_and_private_pages_are_not_kept():
    for path in ("/search?q=kept", "/api/search?q=kept", "/login",
                 "/health"):
        r = Client("fcgi").get(path)
        eq(r.headers.get("X-Page-Cache"), None, path)


@test
def counts_of_registrations_are_kept_a_few_seconds_only():
    """An event's page is kept (R_BRIEF) but for PAGE_BRIEF_SECONDS: a
    registration notifies no change (a burst of them would empty every
    cache at each one), so the count shows within seconds."""
    slug = "brief-" + word().lower()
    eid = psql_value(
        "INSERT INTO events (slug, organizer_name, name, description, "
        "begins_at, finishes_at, time_zone, online_url) VALUES (:'p1', "
        "'Test', 'Un débat en ligne', 'En ligne.', now() + interval "
        "'3 days', now() + interval '3 days 1 hour', 'Europe/Paris', "
        "'https://example.org/v') RETURNING id", slug)
    path = "/events/" + slug
    marks = [fetch(path)[0] for _ in range(TRIES)]
    ok(marks.count("HIT") >= TRIES - 4, "kept by the workers: %s" % marks)
    contains(fetch(path)[1].decode(), "0 inscrit")
    psql("SELECT event_register(:'p1', NULL, 'brief@example.test', 'Léa', "
         "'Martin', NULL, false, NULL)", eid)
    contains(fetch(path)[1].decode(), "0 inscrit", "still the kept page")
    wait_until(lambda: all("1 inscrit" in fetch(path)[1].decode()
                           for _ in range(TRIES)), timeout=15,
               message="every worker shows the registration")
