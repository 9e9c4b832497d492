# SPDX-License-Identifier: MIT
"""Search at 100,000 documents (issue 12): what the faster search must
keep true. The workers keep results (SEARCH_CACHE_SECONDS, 30 s in the
test stack) and drop them at once on a change, on every worker; documents
that appear or leave by themselves are not hidden by what is kept; an
older title match is not lost behind a hundred recent mentions; typos are
corrected word by word at the configured threshold, also when PostgreSQL
runs the query in parallel; and nothing is set at the database level any
more, so a parallel VACUUM no longer warns.

Checked through the FastCGI socket (4 workers), right after each change.
"""

import os
import re
import subprocess
import urllib.parse

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403
from content_fixtures import *  # noqa: F401,F403

TRIES = 12      # > 4 workers: every worker answers more than once


def ask(q):
    """(urls, X-Search-Cache) of /api/search?q= through the socket."""
    r = status(Client("fcgi").get("/api/search?q=" + urllib.parse.quote(q)),
               200, "search %r" % q)
    return ([x["url"] for x in r.json()["results"]],
            r.headers.get("X-Search-Cache"))


def everywhere(q):
    """The URLs found by TRIES requests (each worker several times), and
    the cache marks seen."""
    seen = [ask(q) for _ in range(TRIES)]
    return [u for u, _ in seen], [m for _, m in seen]


def psql_session(sql):
    """Run a whole psql script in one session; (stdout, stderr)."""
    proc = subprocess.run(
        ["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d",
         os.environ["DATABASE_URL"]], input=sql.encode(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    ok(proc.returncode == 0, "psql failed: %s" % proc.stderr.decode())
    return proc.stdout.decode(), proc.stderr.decode()


@test
def kept_results_are_dropped_at_once_on_every_worker():
    w = word()
    found, marks = everywhere(w)
    ok(all(not u for u in found), "nothing yet: %s" % found)
    ok(marks.count("HIT") >= TRIES - 4, "kept by the workers: %s" % marks)
    aid, slug = make_article(title="Conservé " + w)
    url = "/articles/" + slug
    found, marks = everywhere(w)
    eq([u.count(url) for u in found], [1] * TRIES,
       "found by every worker right after publication")
    unpublish("articles", aid)
    found, _ = everywhere(w)
    eq([url in u for u in found], [False] * TRIES,
       "gone from every worker right after unpublication")


@test
def what_appears_or_leaves_by_itself_is_not_hidden_by_what_is_kept():
    """No notification is sent when a scheduled article's time comes or
    an event ends: the kept results last until then, not 30 s (8 s ahead:
    twelve searches fit in it even under ASan)."""
    w = word()
    _, slug = make_article(title="Bientôt " + w,
                           when="now() + interval '8 seconds'")
    url = "/articles/" + slug
    found, marks = everywhere(w)
    ok(all(url not in u for u in found), "not before its time")
    ok("HIT" in marks, "kept meanwhile: %s" % marks)
    wait_until(lambda: all(url in u for u in everywhere(w)[0]), timeout=20,
               message="the scheduled article is found by every worker")
    e = word()
    eslug = "fin-" + e
    psql("INSERT INTO events (slug, organizer_name, name, description, "
         "begins_at, finishes_at, time_zone, online_url) VALUES (:'p1', "
         "'Test', :'p2', 'En ligne.', now() - interval '1 hour', now() + "
         "interval '8 seconds', 'Europe/Paris', 'https://example.org/v')",
         eslug, "Débat " + e)
    found, _ = everywhere(e)
    ok(all("/events/" + eslug in u for u in found), "found while on")
    wait_until(lambda: all("/events/" + eslug not in u
                           for u in everywhere(e)[0]), timeout=20,
               message="the event is gone from every worker once over")


@test
def an_older_title_match_is_not_lost_behind_recent_mentions():
    """Full-text candidates are the 100 most recent matches and the 20
    most recent title matches: 110 recent articles mentioning the word in
    their text do not hide a month-old article about it."""
    w = word()
    psql("INSERT INTO articles (slug, title, summary, body_md, body_html, "
         "status, published_at, first_published_at) "
         "SELECT 'mention-' || :'p1' || '-' || g, 'Brève ' || g || ' ' || "
         "md5(:'p1' || g), 'Résumé.', 'On y cite ' || :'p1' || '.', "
         "'<p>On y cite.</p>', 'published', now() - g * interval "
         "'1 minute', now() - g * interval '1 minute' "
         "FROM generate_series(1, 110) g", w)
    _, slug = make_article(title="Tout sur " + w,
                           when="now() - interval '30 days'")
    found, _ = ask(w)
    eq(len(found), 20)
    eq(found[0], "/articles/" + slug, "the title match first")
    ok(all(u.startswith("/articles/mention-" + w) for u in found[1:]),
       "then the mentions, most recent first: %s" % found[1:4])
    eq(found[1], "/articles/mention-%s-1" % w)


def typo_of(w):
    """w with two neighbouring letters swapped in the middle."""
    i = len(w) // 2
    return w[:i] + w[i + 1] + w[i] + w[i + 2:]


@test
def typos_are_corrected_word_by_word():
    w = word(10)
    _, slug = make_article(title="Réunion publique à " + w.capitalize(),
                           summary="Une réunion ouverte à tous.")
    url = "/articles/" + slug
    t = typo_of(w)
    ok(url in ask(t)[0], "one word with a typo: %r" % t)
    ok(url in ask("reunion " + t)[0], "a right word and a typo")
    ok(url in ask("réunoin " + w)[0], "a typo and a right word")
    ok(url not in ask(t + " " + "zq" + word(8))[0],
       "a word close to nothing keeps the query from matching")
    # the corrected words are highlighted in the snippet of /search
    page = status(Client("fcgi").get("/search?q=" + urllib.parse.quote(
        "reunion " + t)), 200)
    contains(page, "<mark>")


def variants(w, low, high):
    """A variant of w (a run of its letters replaced by q) whose pg_trgm
    word similarity to w, by PostgreSQL, lies in [low, high)."""
    vs = [w[:i] + "q" * n + w[i + n:] for n in range(1, len(w))
          for i in range(len(w) - n + 1)]
    row = psql("SELECT v, word_similarity(v, :'p1') FROM unnest("
               "string_to_array(:'p2', ' ')) v WHERE word_similarity(v, "
               ":'p1') >= :'p3'::real AND word_similarity(v, :'p1') < "
               ":'p4'::real ORDER BY 2 DESC, 1 LIMIT 1", w, " ".join(vs),
               low, high)
    ok(row, "no variant of %s in [%s, %s)" % (w, low, high))
    return row[0][0], float(row[0][1])


def parallel_settings():
    num = int(psql_value("SHOW server_version_num"))
    force = "debug_parallel_query" if num >= 160000 else "force_parallel_mode"
    return ("SET %s = on;\nSET parallel_setup_cost = 0;\n"
            "SET parallel_tuple_cost = 0;\nSET min_parallel_table_scan_size "
            "= 0;\nSET min_parallel_index_scan_size = 0;\n" % force)


@test
def the_typo_threshold_holds_in_parallel_plans():
    """0.45, as configured, not pg_trgm's default 0.6: through the
    workers, in a session where PostgreSQL plans everything in parallel,
    and when the correction itself runs in a parallel worker (a fresh
    session that has not loaded pg_trgm yet: the worker loads it in the
    middle of the parallel operation, the case that warned before)."""
    w = word(12)
    _, slug = make_article(title="Atelier " + w)
    url = "/articles/" + slug
    near, s_near = variants(w, 0.45, 0.6)
    far, s_far = variants(w, 0.3, 0.45)
    ok(url in ask(near)[0], "%r (%.2f) finds it" % (near, s_near))
    ok(url not in ask(far)[0], "%r (%.2f) does not" % (far, s_far))
    explain = ("LOAD 'auto_explain';\nSET auto_explain.log_min_duration = 0;"
               "\nSET auto_explain.log_analyze = on;\n"
               "SET auto_explain.log_level = notice;\n")
    out, err = psql_session(
        explain + parallel_settings() +
        "SELECT t.v, search_corrected(t.v) @> to_tsquery('civitas_fr', "
        "'%s') FROM (VALUES ('%s'), ('%s')) t(v);\n" % (w, near, far))
    eq(sorted(out.split()), sorted(["%s|t" % near, "%s|f" % far]),
       "corrected in a parallel worker")
    matches(err, r"Workers Launched: 1", "the worker ran it")
    for q, want in ((near, True), (far, False)):
        out, _ = psql_session(
            parallel_settings() + "SELECT url FROM search_find("
            "'%s:*', '%s', 20);\n" % (q, q))
        eq(url in out.split(), want, "%r in a parallel session" % q)


@test
def a_parallel_vacuum_no_longer_warns():
    """The warning came from the database-level setting of pg_trgm's
    threshold (sql/008_search.sql explains it): there is none now."""
    for table in ("search_documents", "search_words"):
        _, err = psql_session("SET min_parallel_index_scan_size = 0;\n"
                              "VACUUM (PARALLEL 2) %s;\n" % table)
        not_contains(err, "cannot be set during a parallel operation")
        not_contains(err, "WARNING")
    eq(psql_value("SELECT count(*) FROM pg_db_role_setting WHERE "
                  "array_to_string(setconfig, ' ') LIKE '%pg_trgm%'"), "0")


@test
def a_search_does_not_hide_a_change_from_the_kept_pages():
    """A worker reads a notification once: when a search reads it first,
    the pages that worker keeps must still be dropped (the page cache
    counts the connection's notifications, not what it read itself)."""
    aid, slug = make_article(title="Avant " + word())
    path = "/articles/" + slug
    for _ in range(TRIES):          # every worker keeps the old page
        status(Client("fcgi").get(path), 200)
    new = "Après " + word()
    psql("UPDATE articles SET title = :'p1' WHERE id = :'p2'", new, aid)
    everywhere(word())              # every worker searches first
    for _ in range(TRIES):
        contains(Client("fcgi").get(path), new)
