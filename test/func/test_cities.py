# SPDX-License-Identifier: MIT
"""GET /api/cities: the communes of a French postal code, as JSON."""

from civitas import *   # noqa: F401,F403
from fixtures import *  # noqa: F401,F403


def cities(query, transport="fcgi", headers=None):
    return Client(transport).get("/api/cities" + query, headers=headers)


def json_ok(resp):
    status(resp, 200)
    eq(resp.content_type.split(";")[0].strip(), "application/json",
       "Content-Type")
    return resp.json()


def problem(resp, code=400):
    status(resp, code)
    eq(resp.content_type.split(";")[0].strip(), "application/problem+json",
       "Content-Type")
    body = resp.json()
    ok(isinstance(body, dict), "problem is not an object: %r" % body)
    eq(body.get("status"), code, "problem status")
    ok(isinstance(body.get("title"), str) and body["title"],
       "problem without title: %r" % body)
    ok(isinstance(body.get("detail"), str) and body["detail"],
       "problem without detail: %r" % body)
    return body


@test
def lyon_first_arrondissement():
    resp = cities("?country=FR&postal_code=69001")
    eq(json_ok(resp), [{"code": "69381", "name": "Lyon 1er Arrondissement"}])
    eq(resp.body, b'[{"code":"69381","name":"Lyon 1er Arrondissement"}]')


@test
def paris_eighth():
    eq(json_ok(cities("?country=FR&postal_code=75008")),
       [{"code": "75108", "name": "Paris 8e Arrondissement"}])


@test
def corsica_ajaccio():
    eq(json_ok(cities("?country=FR&postal_code=20000")),
       [{"code": "2A004", "name": "Ajaccio"}])


@test
def overseas_saint_barthelemy():
    eq(json_ok(cities("?country=FR&postal_code=97133")),
       [{"code": "97701", "name": "Saint-Barthélemy"}])


@test
def several_communes_sorted_by_name():
    eq(json_ok(cities("?country=FR&postal_code=01000")),
       [{"code": "01053", "name": "Bourg-en-Bresse"},
        {"code": "01344", "name": "Saint-Denis-lès-Bourg"}])


@test
def country_defaults_to_france():
    eq(json_ok(cities("?postal_code=69001")),
       [{"code": "69381", "name": "Lyon 1er Arrondissement"}])


@test
def unknown_postal_code_is_empty():
    eq(json_ok(cities("?country=FR&postal_code=99999")), [])
    eq(json_ok(cities("?country=FR&postal_code=00000")), [])


@test
def malformed_postal_code_is_a_problem():
    for query in ("?country=FR&postal_code=6901",
                  "?country=FR&postal_code=abcde",
                  "?country=FR&postal_code=690011",
                  "?country=FR&postal_code=",
                  "?country=FR&postal_code=69%2001",
                  "?country=FR"):
        problem(cities(query))


@test
def other_country_is_empty():
    eq(json_ok(cities("?country=CH&postal_code=8001")), [])


@test
def malformed_country_is_a_problem():
    for query in ("?country=fr&postal_code=69001",
                  "?country=FRA&postal_code=69001",
                  "?country=F&postal_code=69001",
                  "?country=&postal_code=69001"):
        problem(cities(query))


@test
def public_cache_and_no_cookie():
    for transport in ("fcgi", "http"):
        resp = cities("?country=FR&postal_code=69001", transport)
        json_ok(resp)
        cc = resp.headers.get("Cache-Control", "")
        ok(cc.startswith("public"), "%s: Cache-Control %r" % (transport, cc))
        not_contains(cc, "no-store")
        not_contains(cc, "private")
        eq(resp.headers.get_all("Set-Cookie"), [],
           "%s: cookies set by a public API" % transport)
        # even for a browser that sends cookies
        resp = cities("?country=FR&postal_code=01000", transport,
                      headers={"Cookie": "csrf=" + "a" * 43 +
                               "; sid=" + "b" * 43})
        json_ok(resp)
        ok(resp.headers.get("Cache-Control", "").startswith("public"),
           "%s: Cache-Control with cookies %r" % (
               transport, resp.headers.get("Cache-Control")))
        eq(resp.headers.get_all("Set-Cookie"), [],
           "%s: cookies set by a public API (request with cookies)"
           % transport)
