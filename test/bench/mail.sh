#!/bin/bash
# Mass mail bench (issue 9, section 7), against a running stack:
#
#   scripts/stack.sh start DIR && test/bench/mail.sh DIR
#
# (scripts/bench.sh runs it as its measure 10.) 45,000 members, each with
# their own first name in the mail, and one campaign to all of them, sent
# by a civitas-mailer of its own (the stack's is stopped meanwhile and
# started again at the end) to Postfix's smtp-sink, which accepts and
# discards. Measured:
#  - the send request: SELECT campaign_start(id, NULL), the statement the
#    back-office's send request runs (timed by psql, through the socket);
#  - the time from the request until the last mail is accepted (the
#    campaign's sent counter reaching 45,000, polled every 50 ms), and
#    the mails per second from the start of sending;
#  - smtp-source -> smtp-sink on the same machine just after: 45,000
#    messages of the campaign's mean size over as many persistent
#    connections as the mailer has (-d), the raw rate (target: ours
#    >= 0.25 of it);
#  - the mailer's resident memory, sampled every 200 ms while it sends
#    (flat: the batches reuse their buffers).
# Prints what it measures, then "key value" lines after a "results:" line.
#
# Settings: BENCH_MAIL_N (45000), BENCH_SINK_PORT (SMTP_PORT + 1),
# MAIL_CONNECTIONS (4), MAIL_BATCH (100), BIN_DIR.
# Needs /usr/sbin/smtp-sink and smtp-source (Debian package postfix; with
# debconf's "No configuration" Postfix itself stays off).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
dir=${1:?usage: test/bench/mail.sh STACK_DIR}
# shellcheck disable=SC1091
. "$dir/env"
BIN_DIR=${BIN_DIR:-$top/build}
N=${BENCH_MAIL_N:-45000}
CONN=${MAIL_CONNECTIONS:-4}
PORT=${BENCH_SINK_PORT:-$((SMTP_PORT + 1))}
SINK=/usr/sbin/smtp-sink SOURCE=/usr/sbin/smtp-source
for t in "$SINK" "$SOURCE"; do
	[ -x "$t" ] || {
		echo "$t is missing: apt-get install postfix (answer 'No configuration')"
		exit 1
	}
done
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$DATABASE_URL" "$@"; }
now() { date +%s.%N; }
tag=bench-mail-$$
work=$dir/bench-mail
mkdir -p "$work"
sink_pid= mailer_pid=
cleanup() {
	[ -n "$mailer_pid" ] && kill "$mailer_pid" 2>/dev/null && wait "$mailer_pid" 2>/dev/null
	[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
	if [ -n "${cid:-}" ]; then
		q -c "UPDATE campaigns SET status = 'cancelled' WHERE id = $cid AND status <> 'finished'" \
			-c "DELETE FROM campaign_recipients WHERE campaign_id = $cid" >/dev/null || true
	fi
	q -c "DELETE FROM users WHERE email LIKE '$tag.%'" >/dev/null || true
	# the stack's mailer again, as scripts/stack.sh starts it
	if [ -n "${stack_mailer:-}" ]; then
		"$BIN_DIR/civitas-mailer" >>"$dir/log/mailer.log" 2>&1 &
		echo $! > "$dir/run/mailer.pid"
	fi
}
trap cleanup EXIT

# The stack's mailer sends to the stack's sink: stop it meanwhile.
if [ -s "$dir/run/mailer.pid" ] && kill -0 "$(cat "$dir/run/mailer.pid")" 2>/dev/null; then
	stack_mailer=$(cat "$dir/run/mailer.pid")
	kill "$stack_mailer"
	while kill -0 "$stack_mailer" 2>/dev/null; do sleep 0.05; done
fi

user=()
[ "$(id -u)" = 0 ] && user=(-u nobody)
"$SINK" "${user[@]}" 127.0.0.1:"$PORT" 1024 >"$work/sink.log" 2>&1 &
sink_pid=$!
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
	sleep 0.05
done

echo "setup: $N members in 973 (one INSERT), subscribed to the national news"
q -c "WITH u AS (INSERT INTO users (email, password_hash, first_name, last_name,
	status, charter_accepted_at, city_insee, postal_code, country)
	SELECT '$tag.' || i || '@example.test', 'x', 'Prénom' || i, 'Banc',
	'active', now(), '97302', '97300', 'FR' FROM generate_series(1, $N) i
	RETURNING id) INSERT INTO user_subscriptions (user_id, type)
	SELECT id, 'national' FROM u" -c "ANALYZE users" -c "ANALYZE user_subscriptions" >/dev/null
cid=$(q -c "INSERT INTO campaigns (sender, subject, body_md, body_html,
	audience, departements, subscription_type) VALUES ('admin',
	'Bonjour {first_name}, les nouvelles de la semaine',
	'Bonjour {first_name},' || chr(10) || chr(10) || repeat('Voici les nouvelles du mouvement cette semaine. ', 20)
	|| chr(10) || chr(10) || 'Se désabonner : {unsubscribe_url}',
	'<p>Bonjour {first_name},</p>' || chr(10) || '<p>' || repeat('Voici les nouvelles du mouvement cette semaine. ', 20)
	|| '</p>' || chr(10) || '<p><a href=\"{unsubscribe_url}\">Se désabonner</a></p>',
	'members', '{973}', 'national') RETURNING id" | head -n 1)

MAIL_CONNECTIONS=$CONN SMTP_URL=smtp://127.0.0.1:$PORT \
	"$BIN_DIR/civitas-mailer" >>"$dir/log/mailer-bench.log" 2>&1 &
mailer_pid=$!
sleep 0.5	# connected and listening

echo "== the send request: SELECT campaign_start($cid, NULL)"
t0=$(now)
out=$(q -c '\timing on' -c "SELECT campaign_start($cid, NULL)")
total=$(echo "$out" | grep -E '^[0-9]+$' | head -n 1)
request_ms=$(echo "$out" | awk '/^Time:/ { print $2 }')
t1=$(now)
echo "$total recipients frozen in $request_ms ms"
# The bench corpus of measure 8 may have members in 973 too: they are
# in the campaign as well, and counted.
[ -n "$total" ] && [ "$total" -ge "$N" ] || { echo "expected $N recipients or more, got $total"; exit 1; }
N=$total

: > "$work/rss"
sent=0
while [ "$sent" -lt "$N" ]; do
	awk '/^VmRSS/ { print $2 }' "/proc/$mailer_pid/status" >> "$work/rss"
	sleep 0.2
	sent=$(q -c "SELECT sent + failed + skipped FROM campaigns WHERE id = $cid")
	[ "$(echo "$(now) $t0" | awk '{ print ($1 - $2 > 600) }')" = 1 ] && {
		echo "not finished after 600 s: $sent of $N"; exit 1; }
done
t2=$(now)
read -r sent_ok failed status <<<"$(q -F ' ' -c "SELECT sent, failed, status FROM campaigns WHERE id = $cid")"
# The size of a mail (smtp-sink discards them): its two parts in
# quoted-printable (about 10% more for this French text), the HTML layout
# and the headers (about 1,800 bytes together).
size=$(( $(q -c "SELECT octet_length(body_md) + octet_length(body_html) FROM campaigns WHERE id = $cid") * 11 / 10 + 1800 ))
secs=$(echo "$t2 $t1" | awk '{ printf "%.2f", $1 - $2 }')
total_s=$(echo "$t2 $t0" | awk '{ printf "%.2f", $1 - $2 }')
rate=$(echo "$N $secs" | awk '{ printf "%.0f", $1 / $2 }')
echo "last mail accepted $total_s s after the request ($sent_ok sent, $failed failed, $status): $rate mails/s"
sort -n "$work/rss" > "$work/rss.sorted"
rss_min=$(head -n 1 "$work/rss.sorted"); rss_max=$(tail -n 1 "$work/rss.sorted")
rss_first=$(sed -n 3p "$work/rss"); rss_last=$(tail -n 1 "$work/rss")
echo "mailer RSS while sending: min $rss_min kB, max $rss_max kB ($(wc -l < "$work/rss") samples; at 0.6 s $rss_first kB, at the end $rss_last kB)"

kill "$mailer_pid"; wait "$mailer_pid" 2>/dev/null || true; mailer_pid=

echo "== smtp-source -> smtp-sink: $N messages of $size bytes, $CONN persistent sessions"
t3=$(now)
"$SOURCE" -d -s "$CONN" -l "$size" -m "$N" -f bench@civitas.localhost \
	-t sink@civitas.localhost 127.0.0.1:"$PORT"
t4=$(now)
raw_s=$(echo "$t4 $t3" | awk '{ printf "%.2f", $1 - $2 }')
raw=$(echo "$N $raw_s" | awk '{ printf "%.0f", $1 / $2 }')
ratio=$(echo "$rate $raw" | awk '{ printf "%.2f", $1 / $2 }')
echo "smtp-source: $raw_s s, $raw messages/s; mailer / raw = $ratio"
echo "results:"
echo "mail.n $N"
echo "mail.request_ms $request_ms"
echo "mail.total_s $total_s"
echo "mail.rate $rate"
echo "mail.raw_rate $raw"
echo "mail.ratio $ratio"
echo "mail.rss_min $rss_min"
echo "mail.rss_max $rss_max"
echo "mail.sent $sent_ok"
