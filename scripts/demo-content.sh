#!/bin/bash
# Demo content for `make run` (never for production), called by demo.sh:
# eight photos, five categories, about thirty articles (a few featured, one
# scheduled for tomorrow, one draft), three pages, three home blocks and a
# redirection (/actualites -> /articles); then the committees and events of
# sql/demo/committees.sql, and the members' consent, a few newsletter
# subscribers and a referent (sql/demo/mail.sql), and donors, payments
# and receipts (sql/demo/donations.sql). Each part is added once.
# Needs the stack env (. var/env) and an admin (the author).
#
# The photos are generated here with the vips command (libvips-tools, a
# dependency already): layered Perlin noise over a two-colour gradient,
# with a caption when a font is available. Nothing is downloaded and there
# is no licence to track. They are imported through the real pipeline
# (`civitas-fcgi media-import FILE ALT`: checks, re-encoding, placeholder),
# then sql/demo/content.sql inserts everything else in ONE transaction, and
# `civitas-fcgi rerender` renders the Markdown bodies.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL")
FCGI=$BIN_DIR/civitas-fcgi

# Committees and events (sql/demo/committees.sql), once, after the
# articles: on a site that has them already, only these are added.
committees() {
	if [ -z "$("${PSQL[@]}" -tAc "SELECT 1 FROM committees LIMIT 1")" ]; then
		"${PSQL[@]}" -1 -f "$top/sql/demo/committees.sql"
		"$FCGI" rerender >/dev/null
		echo "demo-content: $("${PSQL[@]}" -tAc "SELECT count(*) FROM committees") committees, $("${PSQL[@]}" -tAc "SELECT count(*) FROM events") events" >&2
	fi
}

# Consent, newsletter subscribers and a referent (sql/demo/mail.sql),
# once, after the committees (their members subscribe too).
mail() {
	if [ -z "$("${PSQL[@]}" -tAc "SELECT 1 FROM newsletter_subscribers LIMIT 1")" ]; then
		"${PSQL[@]}" -1 -f "$top/sql/demo/mail.sql"
		echo "demo-content: $("${PSQL[@]}" -tAc "SELECT count(DISTINCT user_id) FROM user_subscriptions") members subscribed, Marianne referent of the Rhône" >&2
	fi
}

# Donations (sql/demo/donations.sql, issue 10), once, after the mail
# part: donors, paid gifts and instalments over the last months, a refund,
# receipts; Marianne's one past gift.
donations() {
	if [ -z "$("${PSQL[@]}" -tAc "SELECT 1 FROM donation_payments WHERE transaction_id LIKE 'demo-%' LIMIT 1")" ]; then
		"${PSQL[@]}" -1 -f "$top/sql/demo/donations.sql"
		echo "demo-content: $("${PSQL[@]}" -tAc "SELECT count(*) FROM donation_payments WHERE transaction_id LIKE 'demo-%'") donation payments, Marianne gave 30 €" >&2
	fi
}

# Volunteer missions (sql/demo/missions.sql, issue 11, part D), once,
# after the donations: ten organisations (one pending), forty missions,
# applications in every state, two threads; Marianne manages one.
missions() {
	if [ -z "$("${PSQL[@]}" -tAc "SELECT 1 FROM organisations WHERE slug = 'entraide-presqu-ile'")" ]; then
		"${PSQL[@]}" -1 -f "$top/sql/demo/missions.sql"
		echo "demo-content: $("${PSQL[@]}" -tAc "SELECT count(*) FROM organisations") organisations, $("${PSQL[@]}" -tAc "SELECT count(*) FROM missions") missions, $("${PSQL[@]}" -tAc "SELECT count(*) FROM applications") applications" >&2
	fi
}

if [ -n "$("${PSQL[@]}" -tAc "SELECT 1 FROM articles LIMIT 1")" ]; then
	committees
	mail
	donations
	missions
	exit 0
fi

tmp=$(mktemp -d /tmp/civitas-demo.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# photo OUT SEED "R G B" (top colour) "R G B" (bottom colour) [CAPTION]
photo() {
	local out=$1 seed=$2 top_rgb=$3 bottom_rgb=$4 caption=${5:-}
	local w=1600 h=1067 a b t bo i
	read -r -a t <<<"$top_rgb"
	read -r -a bo <<<"$bottom_rgb"
	# gradient: value = top + y * (bottom - top) / h, per band
	a="" b=""
	for i in 0 1 2; do
		a="$a $(awk -v t="${t[i]}" -v b="${bo[i]}" -v h=$h 'BEGIN { printf "%.5f", (b - t) / h }')"
		b="$b ${t[i]}"
	done
	vips xyz "$tmp/xy.v" $w $h
	vips extract_band "$tmp/xy.v" "$tmp/y.v" 1
	vips linear "$tmp/y.v" "$tmp/grad.v" -- "${a# }" "${b# }"
	# large soft shapes, then a finer grain
	vips perlin "$tmp/p1.v" $w $h --cell-size 420 --seed "$seed"
	vips linear "$tmp/p1.v" "$tmp/c1.v" -- "70 55 45" "0 0 0"
	vips perlin "$tmp/p2.v" $w $h --cell-size 90 --seed $((seed + 100))
	vips linear "$tmp/p2.v" "$tmp/c2.v" -- "18 18 18" "0 0 0"
	vips add "$tmp/grad.v" "$tmp/c1.v" "$tmp/s1.v"
	vips add "$tmp/s1.v" "$tmp/c2.v" "$tmp/s2.v"
	vips cast "$tmp/s2.v" "$tmp/img.v" uchar
	# A caption in white, left, just below the middle (where every crop of
	# the presets keeps it), if fonts are installed.
	if [ -n "$caption" ] &&
		vips text "$tmp/t.v" "$caption" --width 1200 --dpi 400 \
			--font "sans bold" 2>/dev/null; then
		vips embed "$tmp/t.v" "$tmp/te.v" 80 $((h * 55 / 100)) $w $h
		vips linear "$tmp/y.v" "$tmp/white.v" -- "0 0 0" "255 255 255"
		vips cast "$tmp/white.v" "$tmp/whiteu.v" uchar
		vips ifthenelse "$tmp/te.v" "$tmp/whiteu.v" "$tmp/img.v" \
			"$tmp/out.v" --blend
	else
		cp "$tmp/img.v" "$tmp/out.v"
	fi
	vips copy "$tmp/out.v" "$out[Q=85,strip]"
}

# id ALT FILE: import one photo, print its media id
import() {
	local id
	id=$("$FCGI" media-import "$2" "$1" | tail -n 1 | tr -d '[:space:]')
	[[ $id =~ ^[0-9]+$ ]] || {
		echo "demo-content: media-import printed '$id'" >&2
		exit 1
	}
	echo "$id"
}

echo "demo-content: generating 8 photos..." >&2
photo "$tmp/1.jpg" 11 "250 170 90" "40 50 120" "Lyon, place Bellecour"
photo "$tmp/2.jpg" 12 "120 190 230" "30 90 60" "Trains du quotidien"
photo "$tmp/3.jpg" 13 "240 120 110" "60 30 90" "Porte-à-porte"
photo "$tmp/4.jpg" 14 "90 200 210" "20 60 110" "Marseille"
photo "$tmp/5.jpg" 15 "250 220 120" "170 60 40" "Nos propositions"
photo "$tmp/6.jpg" 16 "200 230 250" "60 90 150" "Jour de vote"
photo "$tmp/7.jpg" 17 "180 230 160" "30 80 70" "Nos comités"
photo "$tmp/8.jpg" 18 "230 200 240" "80 40 110" "Réunion publique"

m=()
m+=("$(import "Illustration aux tons orangés et bleu nuit, légende « Lyon, place Bellecour »" "$tmp/1.jpg")")
m+=("$(import "Illustration en dégradé de bleu ciel et de vert, légende « Trains du quotidien »" "$tmp/2.jpg")")
m+=("$(import "Illustration aux tons corail et violets, légende « Porte-à-porte »" "$tmp/3.jpg")")
m+=("$(import "Illustration en dégradé turquoise et bleu marine, légende « Marseille »" "$tmp/4.jpg")")
m+=("$(import "Illustration aux tons jaunes et rouge brique, légende « Nos propositions »" "$tmp/5.jpg")")
m+=("$(import "Illustration en dégradé de bleu pâle et bleu soutenu, légende « Jour de vote »" "$tmp/6.jpg")")
m+=("$(import "Illustration aux tons vert tendre et vert sapin, légende « Nos comités »" "$tmp/7.jpg")")
m+=("$(import "Illustration aux tons lilas et prune, légende « Réunion publique »" "$tmp/8.jpg")")

vars=()
for i in "${!m[@]}"; do vars+=(-v "m$((i + 1))=${m[i]}"); done
"${PSQL[@]}" -1 "${vars[@]}" -f "$top/sql/demo/content.sql"
"$FCGI" rerender >/dev/null
echo "demo-content: $("${PSQL[@]}" -tAc "SELECT count(*) FROM articles") articles, 3 pages, 8 photos" >&2
committees
mail
donations
missions
