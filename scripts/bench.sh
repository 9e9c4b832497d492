#!/bin/bash
# `make bench`: the performance targets, measured in one run on this machine
# against a private stack (rate limits lifted, durable PostgreSQL), printed
# as ratios and written into README.md between the bench markers.
#
#  1. a public page rendered by the workers vs nginx serving the same bytes
#     as a static file (target >= 0.5);
#  2. sign-ups per second end to end (through nginx, Argon2id, PostgreSQL,
#     outbox) vs libsodium's raw Argon2id rate with the same parameters on
#     the same cores (target >= 0.85); the mail worker is paused meanwhile
#     (its SMTP delivery is not part of the request) and resumed after;
#  3. worker resident memory after 100,000 requests (target < 20 MB and not
#     growing between the first 10,000 and the end).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
DUR=${BENCH_SECONDS:-15}
CORES=$(nproc)
dir=/tmp/civitas-bench
# One worker per core unless told otherwise: requests here are CPU-bound
# (Argon2id, rendering) and extra workers only add context switches.
export HTTP_PORT=18480 SMTP_PORT=12925 WORKERS=${WORKERS:-$(nproc)} TRUSTED_PROXY=127.0.0.2
export NGINX_RATE_PAGES=1000000r/s NGINX_RATE_AUTH=1000000r/m
scripts/stack.sh stop "$dir" >/dev/null 2>&1 || true
rm -rf "$dir"
trap 'rm -f "$PUBLIC_DIR/assets/bench-home.html"; scripts/stack.sh stop "$dir" >/dev/null 2>&1' EXIT
scripts/stack.sh start "$dir"
# shellcheck disable=SC1091
. "$dir/env"
url=http://127.0.0.1:$HTTP_PORT
rps() { wrk "$@" | awk '/^Requests\/sec:/ { print $2 }'; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ROUNDS=${BENCH_ROUNDS:-5}
echo "== 1. public page: workers vs nginx static ($ROUNDS interleaved rounds of 5 s each, 2 threads, 32 connections)"
curl -sf "$url/" > "$PUBLIC_DIR/assets/bench-home.html"
rps -t2 -c32 -d2s "$url/" >/dev/null
: > "$dir/page.rps"; : > "$dir/static.rps"
for _ in $(seq "$ROUNDS"); do
	rps -t2 -c32 -d5s "$url/" >> "$dir/page.rps"
	rps -t2 -c32 -d5s "$url/assets/bench-home.html" >> "$dir/static.rps"
done
page=$(median < "$dir/page.rps")
static=$(median < "$dir/static.rps")
page_ratio=$(echo "$page $static" | awk '{ printf "%.2f", $1 / $2 }')
echo "workers $(tr '\n' ' ' < "$dir/page.rps")req/s, nginx static $(tr '\n' ' ' < "$dir/static.rps")req/s"
echo "medians: workers $page, static $static, ratio $page_ratio"

echo "== 2. sign-ups end to end vs raw Argon2id ($CORES threads)"
argon=$("$BIN_DIR/argon2-rate" "$CORES" "$DUR" | awk '{ print $2 }')
jar=$(mktemp)
csrf=$(curl -sf -c "$jar" "$url/signup" | grep -o 'name="_csrf" value="[^"]*"' |
	head -n 1 | sed 's/.*value="//; s/"$//')
cookie=$(awk '$6 == "csrf" { print $7 }' "$jar")
rm -f "$jar"
kill -STOP "$(cat "$dir/run/mailer.pid")"
run=$(date +%s)
wrk -t2 -c$((WORKERS)) -d"${DUR}s" -s test/bench/signup.lua "$url" -- "$csrf" "$cookie" "$run" >/dev/null
kill -CONT "$(cat "$dir/run/mailer.pid")"
made=$(psql -X -At -d "$DATABASE_URL" -c "SELECT count(*) FROM users WHERE email LIKE 'b$run-%'")
signups=$(echo "$made $DUR" | awk '{ printf "%.2f", $1 / $2 }')
signup_ratio=$(echo "$signups $argon" | awk '{ printf "%.2f", $1 / $2 }')
echo "sign-ups $signups/s ($made in ${DUR}s), raw Argon2id $argon/s, ratio $signup_ratio"

echo "== 3. worker memory over 100,000 requests"
rss() {	# the largest VmRSS (kB) among the master's workers
	local m=0 v
	for p in $(pgrep -P "$(cat "$dir/run/fcgi.pid")"); do
		v=$(awk '/^VmRSS/ { print $2 }' "/proc/$p/status")
		[ "$v" -gt "$m" ] && m=$v
	done
	echo "$m"
}
count() { wrk "$@" | awk '/requests in/ { print $1 }'; }
total=$(count -t2 -c8 -d3s -s test/bench/mixed.lua "$url")
while [ "$total" -lt 10000 ]; do total=$((total + $(count -t2 -c8 -d2s -s test/bench/mixed.lua "$url"))); done
rss_warm=$(rss)
while [ "$total" -lt 100000 ]; do total=$((total + $(count -t2 -c8 -d5s -s test/bench/mixed.lua "$url"))); done
rss_end=$(rss)
mem=$(echo "$rss_end" | awk '{ printf "%.1f", $1 / 1024 }')
growth=$(echo "$rss_warm $rss_end" | awk '{ printf "%+.1f", ($2 - $1) / 1024 }')
echo "after $total requests: largest worker RSS $mem MB (growth since 10k: $growth MB)"

table=$(cat <<TABLE
<!-- bench:start -->
Measured by \`make bench\` on $(date -u +%Y-%m-%d), $CORES cores, $WORKERS workers:

| measure | result | target |
|---|---|---|
| public page (workers) vs nginx static, same bytes (medians of $ROUNDS rounds) | $page vs $static req/s = **$page_ratio** | >= 0.5 |
| sign-ups/s end to end vs raw Argon2id ($CORES threads) | $signups vs $argon /s = **$signup_ratio** | >= 0.85 |
| worker RSS after $total requests | **$mem MB**, $growth MB since the first 10,000 | < 20 MB, not growing |
<!-- bench:end -->
TABLE
)
echo "$table"
if grep -q '<!-- bench:start -->' README.md; then
	awk -v t="$table" '/<!-- bench:start -->/ { print t; skip = 1; next }
		/<!-- bench:end -->/ { skip = 0; next } !skip' README.md > README.md.new
	mv README.md.new README.md
fi
