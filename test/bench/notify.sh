#!/bin/bash
# Paybox notification bench (issue 10, section 6), against a running stack
# whose nginx rate limits are lifted (as scripts/bench.sh starts it):
#
#   scripts/stack.sh start DIR && test/bench/notify.sh DIR
#
# (scripts/bench.sh runs it as its measure 13.) The provider's
# server-to-server notification, GET /donate/notify?Mt=..&Sign=.., through
# nginx, signed with the fake provider's private key
# ($CIVITAS_VAR/paybox/key.pem, RSA-SHA1 as Paybox does), next to nginx
# serving a static file in the same run, $ROUNDS interleaved rounds of 5 s
# (2 threads, 32 connections):
#  - fresh: each request pays a different pending gift (made by SQL, one
#    per donor, before the rounds): the real write path, i.e. signature,
#    the gift's row lock, the payment row (unique on idtrans), the tax
#    receipt (the year's counter row lock, held until commit), the status
#    move, the thank-you mail in the outbox, the log row, one durable
#    commit; test/bench/notify.lua gives each wrk thread its own share of
#    the notifications, and says if a list ran out (then some requests
#    were replays: the figure is low and the measure says so);
#  - replay: the same notification of a paid gift again and again (the
#    idempotent path: verified, the gift found already paid, nothing
#    changed but the log row).
# The mail worker is paused meanwhile (its SMTP deliveries are not part of
# the request) and resumed after. Checks that every fresh notification
# paid its gift and every replay changed nothing. Prints what it measures,
# then "key value" lines after a "results:" line.
#
# Rate limits: /donate/notify is an ordinary dynamic request for nginx
# ("location /"): zone civitas_pages, 30 r/s per client address with a
# burst of 60 (civitas_auth counts POSTs only). wrk is one client
# (127.0.0.1), so the stack must be started with NGINX_RATE_PAGES lifted
# (scripts/bench.sh does: 1000000r/s).
#
# Settings: BENCH_NOTIFY_N (notifications per fresh round, 5000),
# BENCH_ROUNDS (3), BIN_DIR.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
dir=${1:?usage: test/bench/notify.sh STACK_DIR}
# shellcheck disable=SC1091
. "$dir/env"
N=${BENCH_NOTIFY_N:-5000}
ROUNDS=${BENCH_ROUNDS:-3}
url=http://127.0.0.1:$HTTP_PORT
run=n$(date +%s)
work=$dir/notify-$run
mkdir -p "$work"
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1 -d "$DATABASE_URL")
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "setup: $((N * ROUNDS + 1)) pending gifts of 10 € and their signed notifications"
# One donor per gift (no cap in the way); the references, in order.
"${PSQL[@]}" -v run="$run" -v n=$((N * ROUNDS + 1)) > "$work/uuids" <<'SQL'
INSERT INTO donations (kind, amount_cents, civility, first_name, last_name,
	email, street, postal_code, city_name, country, name_key)
SELECT 'once', 1000, 'mme', 'Bench', 'Notify',
	:'run' || '-' || i || '@bench.civitas.localhost', '1 rue du Banc',
	'69001', 'Lyon', 'FR', :'run' || '|' || i
FROM generate_series(1, :n) i
RETURNING uuid;
SQL
# Signed as the provider signs (the fake's code path: python3-cryptography),
# on every core; idtrans unique per run.
/usr/bin/python3 - "$work" "$CIVITAS_VAR/paybox/key.pem" "$N" "$ROUNDS" "$run" <<'PY'
import base64, multiprocessing, os, sys, time, urllib.parse
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

work, keyfile, n, rounds, run = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
key = serialization.load_pem_private_key(open(keyfile, "rb").read(), None)
base = int(time.time()) * 10**6

def q(v):
    return urllib.parse.quote(str(v), safe="")

def one(item):
    i, uuid = item
    data = "&".join("%s=%s" % (k, q(v)) for k, v in (
        ("Mt", 1000), ("Ref", uuid), ("Auto", "BENCH1"), ("Erreur", "00000"),
        ("idtrans", base + i), ("abo", "")))
    sig = key.sign(data.encode(), padding.PKCS1v15(), hashes.SHA1())
    return "/donate/notify?%s&Sign=%s" % (data, q(base64.b64encode(sig).decode()))

uuids = [l.strip() for l in open(os.path.join(work, "uuids")) if l.strip()]
with multiprocessing.Pool() as pool:
    targets = pool.map(one, enumerate(uuids), chunksize=500)
for r in range(rounds):
    with open(os.path.join(work, "fresh-%d" % r), "w") as f:
        f.write("\n".join(targets[r * n:(r + 1) * n]) + "\n")
with open(os.path.join(work, "replay"), "w") as f:
    f.write(targets[-1] + "\n")
PY
# The replayed notification's gift is paid by its first sending.
code=$(curl -s -o /dev/null -w '%{http_code}' "$url$(cat "$work/replay")")
[ "$code" = 200 ] || { echo "the first notification answered $code"; exit 1; }
[ "$("${PSQL[@]}" -c "SELECT status FROM donations WHERE uuid = '$(tail -n 1 "$work/uuids")'")" = paid ] ||
	{ echo "the replayed notification's gift is not paid"; exit 1; }
# The static file: the same bytes as the answer (an empty body).
: > "$PUBLIC_DIR/assets/bench-notify.txt"

payments() { "${PSQL[@]}" -c "SELECT count(*) FROM donation_payments p JOIN donations d ON d.id = p.donation_id WHERE d.email LIKE '$run-%'"; }
logged() { "${PSQL[@]}" -c "SELECT count(*) FROM donation_notifications WHERE outcome = '$1' AND query LIKE '%Auto=BENCH1%' AND received_at > '$2'"; }

kill -STOP "$(cat "$dir/run/mailer.pid")"
trap 'kill -CONT "$(cat "$dir/run/mailer.pid")" 2>/dev/null || true' EXIT
# warm-up on the replay (changes nothing)
wrk -t2 -c32 -d2s -s test/bench/notify.lua "$url" -- "$work/replay" 2 >/dev/null
: > "$work/fresh.rps"; : > "$work/replay.rps"; : > "$work/static.rps"
wrapped=0 fresh_req=0
start=$("${PSQL[@]}" -c "SELECT now()")
before=$(payments)
for r in $(seq 0 $((ROUNDS - 1))); do
	wrk -t2 -c32 -d5s -s test/bench/notify.lua "$url" -- "$work/fresh-$r" 2 > "$work/fresh.wrk"
	awk '/^Requests\/sec:/ { print $2 }' "$work/fresh.wrk" >> "$work/fresh.rps"
	wrapped=$((wrapped + $(awk '$1 == "wrapped" { print $2 }' "$work/fresh.wrk")))
	fresh_req=$((fresh_req + $(awk '/requests in/ { print $1 }' "$work/fresh.wrk")))
	grep -q 'Non-2xx' "$work/fresh.wrk" && { grep 'Non-2xx' "$work/fresh.wrk"; echo "some fresh notifications were not answered 200"; }
	wrk -t2 -c32 -d5s -s test/bench/notify.lua "$url" -- "$work/replay" 2 > "$work/replay.wrk"
	awk '/^Requests\/sec:/ { print $2 }' "$work/replay.wrk" >> "$work/replay.rps"
	grep -q 'Non-2xx' "$work/replay.wrk" && { grep 'Non-2xx' "$work/replay.wrk"; echo "some replays were not answered 200"; }
	wrk -t2 -c32 -d5s "$url/assets/bench-notify.txt" | awk '/^Requests\/sec:/ { print $2 }' >> "$work/static.rps"
done
kill -CONT "$(cat "$dir/run/mailer.pid")"
paid=$(( $(payments) - before ))
fresh=$(median < "$work/fresh.rps"); replay=$(median < "$work/replay.rps")
static=$(median < "$work/static.rps")
echo "fresh $(tr '\n' ' ' < "$work/fresh.rps")req/s; replay $(tr '\n' ' ' < "$work/replay.rps")req/s; static $(tr '\n' ' ' < "$work/static.rps")req/s"
echo "fresh notifications sent $fresh_req, payments recorded $paid, sent past the end of the lists $wrapped"
echo "log: $(logged paid "$start") paid, $(logged replay "$start") replays, $(logged bad_signature "$start") bad signatures"
[ "$wrapped" = 0 ] || echo "the lists ran out: raise BENCH_NOTIFY_N (the fresh figure includes replays)"
echo "medians: fresh $fresh, replay $replay, static $static req/s; ratios $(echo "$fresh $replay $static" | awk '{ printf "%.3f and %.3f", $1 / $3, $2 / $3 }')"
rm -f "$PUBLIC_DIR/assets/bench-notify.txt"
echo "results:"
echo "notify.fresh $fresh"
echo "notify.replay $replay"
echo "notify.static $static"
echo "notify.sent $fresh_req"
echo "notify.paid $paid"
echo "notify.wrapped $wrapped"
