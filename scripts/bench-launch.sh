#!/bin/bash
# `make bench-launch` (issue 13, part 7): the announcement, replayed. A
# private stack (as `make bench`: rate limits lifted, durable PostgreSQL,
# the mail worker running), the demo content, then the launch night's mix
# at a total rate ramped in steps until the machine saturates, then the
# top step again with degraded mode on. Prints one table a step and a
# final Markdown block (between bench-launch markers) for README and
# docs/capacity.md; writes nothing into the tree.
#
# The mix (request kinds and their share of the total rate):
#   45 % home          GET /                      anonymous
#   20 % article       GET /articles/SLUG         anonymous (demo articles)
#   10 % event         GET /events/SLUG           anonymous (demo events
#                                                 and the launch's 20)
#    8 % search        GET /search?q=WORD         anonymous (16 words)
#    7 % signup        POST /signup               the real form: CSRF token
#                                                 and cookie, a new address
#    4 % login         POST /login                50 confirmed members
#    4 % register      POST /events/SLUG/rsvp     a logged-in member (20
#                                                 events; once all are
#                                                 taken, registering again
#                                                 updates, 200 as well)
#    2 % apply         POST /missions/SLUG/apply  a logged-in member, each
#                                                 (member, mission) once
# Why these shares (the issue's sources: Scalingo's "From 0 to 600
# Transactions per Second in 4 Days" on jeveuxaider.gouv.fr, and En
# Marche's Symfony case study): jeveuxaider planned for 600 sign-ups
# a second within 8,000 requests a second reaching the platform: 7.5 %,
# hence 7 % sign-ups; and for 3,000,000 visitors in 30 minutes (1,667 a
# second), i.e. ~5 requests a visitor, about a third of whom sign up.
# The rest of a visit is reading public pages: jeveuxaider's first load
# test was the homepage ("most traffic was handled by Cloudflare", i.e.
# cacheable pages without a session cookie) and En Marche's last resort
# was "Cache Everything"; so 45 % home (the landing page, and the page a
# visitor comes back to), 20 % articles (the announcement's news), 10 %
# event pages (meetings announced with it), 8 % searches (En Marche's
# search bar; jeveuxaider sized Algolia, its search, for the night). The
# members' actions come after a sign-up is confirmed, so fewer: logins
# (4 %, about half the sign-ups of the same minutes), event registrations
# (4 %) and mission applications (2 %: jeveuxaider's purpose, but only
# once the account is confirmed). Every form costs a worker; sign-up and
# login each cost one Argon2id hash (11 % of the requests): that
# saturates first.
#
# Each kind is one wrk (test/bench/launch_mix.lua: one thread, send times
# paced at the kind's share of the step's rate), all eight at once, for
# BENCH_SECONDS. A kind's figures: requests/s answered, answered as meant
# (pages 2xx/3xx; sign-up, login, application 303; registration 200; in
# degraded mode a form's 503 is "refused (degraded)", as meant), p50/p99
# (wrk's), errors (any other status, timeouts after BENCH_TIMEOUT, socket
# errors) and the share of page requests served by nginx's cache (those
# that did not reach a worker, from /metrics). Sign-ups a second are
# counted in PostgreSQL (users created with the step's tag), applications
# too; the CPU each part used (nginx, workers, PostgreSQL, Redis, mail
# worker and SMTP sink, "other": wrk and whatever else runs here) from
# /proc.
# A step is sustained when every kind was answered as meant at >= 90 % of
# its rate, with no error and a p99 <= BENCH_P99_MS. The ramp: BENCH_START
# (100) req/s, times BENCH_FACTOR (2) a step, at most BENCH_STEPS (8)
# steps, until a step is not sustained; then one step halfway between the
# last sustained and that one (BENCH_REFINE=0: none). BENCH_RATES="100 200"
# replaces the ramp (every rate is run). Then degraded mode on
# (`civitas-fcgi degrade on`, until nginx answers /login with 503) at the
# top rate run (the first not sustained, or the last), then up the same
# ramp times BENCH_DEGRADED_FACTOR (4) while sustained, at most
# BENCH_DEGRADED_STEPS (3) more steps (how far nginx's cache carries the
# site once the forms are shed); degraded mode off at the end
# (BENCH_DEGRADED=0: no degraded phase).
#
# Members: LAUNCH_MEMBERS (64) confirmed members, created in SQL with one
# Argon2id hash of the server's parameters (`civitas-fcgi hash`), each
# logged in once through POST /login (their sessions register and apply);
# LAUNCH_LOGINS (50) others for the logins; LAUNCH_EVENTS (20) events of
# capacity 1,000,000; enough missions of 10,000 places that no member
# applies twice to one (test/bench/launch_setup.sql, launch_setup.py).
#
# Settings (environment): BENCH_HTTP_PORT (18680), BENCH_SMTP_PORT
# (13025; the fake payment provider takes the HTTP port + 2), BENCH_DIR
# (/tmp/civitas-bench-launch-PORT, emptied first), BENCH_SECONDS (20),
# BENCH_START, BENCH_FACTOR, BENCH_STEPS, BENCH_REFINE, BENCH_RATES,
# BENCH_P99_MS (500), BENCH_TIMEOUT (5 s), BENCH_DEGRADED,
# BENCH_DEGRADED_FACTOR, BENCH_DEGRADED_STEPS, WORKERS (one per core), BIN_DIR. A short run:
#   BENCH_STEPS=2 BENCH_SECONDS=5 BENCH_DEGRADED_STEPS=0 make bench-launch
# Traffic goes to 127.0.0.1 only. Exits 1 when a kind got no answer as
# meant in any step (it measured nothing), or the setup failed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
SECS=${BENCH_SECONDS:-20}
START=${BENCH_START:-100} FACTOR=${BENCH_FACTOR:-2} MAXSTEPS=${BENCH_STEPS:-8}
P99_MS=${BENCH_P99_MS:-500} TIMEOUT=${BENCH_TIMEOUT:-5}
MEMBERS=${LAUNCH_MEMBERS:-64} LOGINS=${LAUNCH_LOGINS:-50} EVENTS=${LAUNCH_EVENTS:-20}
export HTTP_PORT=${BENCH_HTTP_PORT:-18680} SMTP_PORT=${BENCH_SMTP_PORT:-13025}
export WORKERS=${WORKERS:-$(nproc)} TRUSTED_PROXY=127.0.0.2
export NGINX_RATE_PAGES=1000000r/s NGINX_RATE_AUTH=1000000r/m
export NGINX_RATE_STEPS=1000000r/m
export BIN_DIR=${BIN_DIR:-$top/${O:-build}}
case $BIN_DIR in /*) ;; *) BIN_DIR=$top/$BIN_DIR ;; esac
dir=${BENCH_DIR:-/tmp/civitas-bench-launch-$HTTP_PORT}
url=http://127.0.0.1:$HTTP_PORT
L=$dir/launch

# The kinds: NAME SHARE(%) MODE DATA EXPECT BUDGET(s) METHOD ROUTE.
# BUDGET: connections = rate x BUDGET (at least 2, at most 256): room for
# answers that take up to BUDGET seconds each at the rate asked, so that a
# slow server shows in the p99 before the client runs out of connections
# (in degraded mode 0.05 s for every kind: the forms answer at once);
# ROUTE: the route pattern in /metrics (what reached the workers).
KINDS='home     45 get    home.data    200 0.25 GET  /
article  20 get    article.data 200 0.25 GET  /articles/{slug}
event    10 get    event.data   200 0.25 GET  /events/{slug}
search    8 get    search.data  200 0.25 GET  /search
signup    7 signup -            303 1    POST /signup
login     4 login  login.data   303 1    POST /login
register  4 rsvp   rsvp.data    200 0.5  POST /events/{slug}/rsvp
apply     2 apply  apply.data   303 0.5  POST /missions/{slug}/apply'
MIX=$(awk '{ printf "%s%s %% %s", (NR > 1 ? ", " : ""), $2, $1 }' <<<"$KINDS")
SEARCH_WORDS="transports école santé logement énergie agriculture procuration
comité réno budgets élections lyon bénévolat mission climat jeunesse"

pids=()
degraded_on=
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ -n "$degraded_on" ] && [ -s "$dir/env" ]; then
		# shellcheck disable=SC1091
		(. "$dir/env" && "$BIN_DIR/civitas-fcgi" degrade off >/dev/null 2>&1) || true
	fi
	scripts/stack.sh stop "$dir" >/dev/null 2>&1 || true
}
scripts/stack.sh stop "$dir" >/dev/null 2>&1 || true
rm -rf "$dir"
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "== setup: a private stack on port $HTTP_PORT ($WORKERS workers), the demo content, the launch's members"
scripts/stack.sh start "$dir" >/dev/null
# shellcheck disable=SC1091
. "$dir/env"
psql_at() { psql -X -At -v ON_ERROR_STOP=1 -d "$DATABASE_URL" "$@"; }
scripts/demo.sh >/dev/null 2>"$dir/log/demo.log" ||
	{ cat "$dir/log/demo.log"; echo "demo content failed"; exit 1; }

# The ramp: the normal steps' rates (refined later).
if [ -n "${BENCH_RATES:-}" ]; then
	read -r -a rates <<<"$BENCH_RATES"
else
	rates=()
	r=$START
	for _ in $(seq "$MAXSTEPS"); do
		rates+=("$r")
		r=$(awk -v r="$r" -v f="$FACTOR" 'BEGIN { printf "%d", r * f + 0.5 }')
	done
fi
# Missions: enough (member, mission) pairs for every application (2 %) of
# every normal step that could run, the halfway step included, with room
# (1.2x, and the connections in flight).
missions=$(printf '%s\n' "${rates[@]}" | awk -v s="$SECS" -v m="$MEMBERS" '
	function need(r) { return r * 0.02 * s * 1.2 + 256 }
	{ n += need($1); if ($1 > top) top = $1 }
	END { n += need(top); print int(n / m) + 10 }')

mkdir -p "$L/steps"
hash=$(PASSWORD=benchmark-pass "$BIN_DIR/civitas-fcgi" hash)
psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -1 -v hash="$hash" \
	-v members="$MEMBERS" -v logins="$LOGINS" -v events="$EVENTS" \
	-v missions="$missions" -f test/bench/launch_setup.sql
/usr/bin/python3 test/bench/launch_setup.py 127.0.0.1 "$HTTP_PORT" "$L" \
	"$MEMBERS" "$LOGINS" "$EVENTS" "$missions"
CSRF=$(sed -n 1p "$L/csrf") CSRF_COOKIE=$(sed -n 2p "$L/csrf")
echo / > "$L/home.data"
psql_at -c "SELECT '/articles/' || slug FROM articles WHERE status = 'published'
	AND published_at <= now() ORDER BY id" > "$L/article.data"
psql_at -c "SELECT '/events/' || slug FROM events WHERE status = 'scheduled'
	AND begins_at > now() ORDER BY slug LIKE 'launch-event-%', id LIMIT 40" > "$L/event.data"
for w in $SEARCH_WORDS; do
	/usr/bin/python3 -c 'import sys, urllib.parse
print("/search?q=" + urllib.parse.quote(sys.argv[1], safe=""))' "$w"
done > "$L/search.data"
for f in article event; do
	[ -s "$L/$f.data" ] || { echo "no ${f}s to read (demo content?)"; exit 1; }
	# every page answers before the load (a 404 would be an error)
	p=$(head -n 1 "$L/$f.data")
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$url$p")" = 200 ] ||
		{ echo "GET $p: not 200"; exit 1; }
done
echo "$(wc -l < "$L/article.data") articles, $(wc -l < "$L/event.data") events, $(wc -l < "$L/search.data") searches, $MEMBERS members logged in, $LOGINS for logins, $missions missions"
{
	echo "date $(date -u +%Y-%m-%d)"
	echo "cores $(nproc)"
	echo "workers $WORKERS"
	echo "seconds $SECS"
	echo "mix $MIX"
} > "$L/run.params"

run=$(date +%s)
apply_base=0
# step NAME RATE MODE: the eight wrk at once, then the step's table;
# returns 1 when the step was not sustained.
step() {
	local name=$1 rate=$2 mode=$3 sd=$L/steps/$1 k share m data
	local budget asked conns base t0 t1 p
	mkdir -p "$sd"
	printf '%s\n' "$KINDS" > "$sd/kinds"
	curl -s "$url/metrics" > "$sd/metrics.before" || true
	/usr/bin/python3 test/bench/launch_report.py snap "$dir" "$sd/cpu.before"
	t0=$(date +%s.%N)
	pids=()
	while read -r k share m data _ budget _; do
		asked=$(awk -v r="$rate" -v s="$share" 'BEGIN { printf "%.3f", r * s / 100 }')
		[ "$mode" = degraded ] && budget=0.05
		conns=$(awk -v a="$asked" -v b="$budget" 'BEGIN { c = int(a * b + 0.999)
			if (c < 2) c = 2; if (c > 256) c = 256; print c }')
		base=0
		[ "$k" = apply ] && base=$apply_base
		[ "$data" = - ] || data=$L/$data
		wrk -t1 -c"$conns" -d"${SECS}s" --timeout "${TIMEOUT}s" \
			-s test/bench/launch_mix.lua "$url" -- "$m" "$asked" "$data" \
			"$base" "$CSRF" "$CSRF_COOKIE" "$run$name" > "$sd/$k.out" 2> "$sd/$k.err" &
		pids+=($!)
		echo "$conns" > "$sd/$k.conns"
	done <<<"$KINDS"
	for p in "${pids[@]}"; do wait "$p" || true; done
	pids=()
	while read -r k _; do
		grep -q '^kv requests' "$sd/$k.out" || {
			echo "bench-launch: wrk of $k printed no figures:"
			head -n 5 "$sd/$k.err" "$sd/$k.out"
			exit 1
		}
	done <<<"$KINDS"
	t1=$(date +%s.%N)
	/usr/bin/python3 test/bench/launch_report.py snap "$dir" "$sd/cpu.after"
	curl -s "$url/metrics" > "$sd/metrics.after" || true
	# (each line of apply.data once: past those sent, and those in flight)
	apply_base=$((apply_base + $(awk '$1 == "kv" && $2 == "requests" { n = $3 }
		END { print n + 0 }' "$sd/apply.out") + $(cat "$sd/apply.conns")))
	{
		echo "name $name"
		echo "rate $rate"
		echo "mode $mode"
		echo "seconds $SECS"
		echo "wall $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
		echo "p99_ms $P99_MS"
		echo "signups_db $(psql_at -c "SELECT count(*) FROM users WHERE email LIKE 'lr-$run$name-%'")"
		echo "applied_db $(psql_at -c "SELECT count(*) FROM applications a JOIN missions m ON m.id = a.mission_id
			WHERE m.slug LIKE 'launch-mission-%' AND a.created_at >= to_timestamp($t0)")"
	} > "$sd/params"
	# (called as a condition, this function runs without set -e)
	/usr/bin/python3 test/bench/launch_report.py step "$sd" ||
		{ echo "bench-launch: step $name could not be reported"; exit 1; }
	echo
	sleep 2	# the queues drain (mail, sign-ups still in nginx)
	/usr/bin/python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["sustained"] else 1)' "$sd/result.json"
}

echo
echo "== the ramp: $MIX; ${SECS} s a step; sustained = every kind >= 90 % of its rate answered as meant, no error, p99 <= $P99_MS ms"
last_ok='' first_bad='' i=0
for r in "${rates[@]}"; do
	i=$((i + 1))
	if step "$i" "$r" normal; then
		last_ok=$r
	else
		first_bad=$r
		[ -n "${BENCH_RATES:-}" ] || break
	fi
done
if [ -z "${BENCH_RATES:-}" ] && [ "${BENCH_REFINE:-1}" = 1 ] && [ -n "$last_ok" ] && [ -n "$first_bad" ]; then
	mid=$(( (last_ok + first_bad) / 2 ))
	if [ "$mid" -gt "$last_ok" ] && [ "$mid" -lt "$first_bad" ]; then
		i=$((i + 1))
		echo "-- halfway between the last sustained step and the first that was not"
		step "$i" "$mid" normal || true
	fi
fi
topr=${first_bad:-${rates[-1]}}

if [ "${BENCH_DEGRADED:-1}" = 1 ]; then
	echo "== degraded mode on (civitas-fcgi degrade on), from $topr req/s"
	degraded_on=1
	"$BIN_DIR/civitas-fcgi" degrade on | sed 's/^/   /'
	t0=$SECONDS
	until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/login")" = 503 ]; do
		[ $((SECONDS - t0)) -lt 20 ] || { echo "nginx did not answer /login with 503 within 20 s"; exit 1; }
		sleep 0.2
	done
	echo "   nginx answers /login with 503 after $((SECONDS - t0)) s"
	r=$topr
	for j in $(seq 0 "${BENCH_DEGRADED_STEPS:-3}"); do
		i=$((i + 1))
		step "d$j" "$r" degraded || break
		r=$(awk -v r="$r" -v f="${BENCH_DEGRADED_FACTOR:-4}" 'BEGIN { printf "%d", r * f + 0.5 }')
	done
	"$BIN_DIR/civitas-fcgi" degrade off | sed 's/^/   /'
	t0=$SECONDS
	until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/login")" = 200 ]; do
		[ $((SECONDS - t0)) -lt 20 ] || { echo "/login still not 200 20 s after degrade off"; exit 1; }
		sleep 0.2
	done
	degraded_on=
	echo "   degraded mode off: /login answers 200 again after $((SECONDS - t0)) s"
fi

echo
echo "== summary (Markdown, for README and docs/capacity.md)"
/usr/bin/python3 test/bench/launch_report.py summary "$L"
