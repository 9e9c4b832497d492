#!/usr/bin/env bash
# Regenerate sql/data/countries.csv from Debian's iso-codes package
# (ISO 3166-1 codes + French gettext catalogue, LGPL-2.1+).
# See sql/data/README.md for the naming and ordering choices.
#
# Usage: scripts/refresh-countries.sh
#
# Uses Debian's /usr/bin/python3 (standard library only), not whatever
# python3 comes first on PATH. Installs iso-codes (and python3) with apt-get
# when missing and run as root.
set -euo pipefail

say() { printf 'refresh-countries: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/sql/data/countries.csv"
CONVERTER="$ROOT/scripts/countries-to-csv.py"
PY=/usr/bin/python3
JSON=/usr/share/iso-codes/json/iso_3166-1.json
MO=/usr/share/locale/fr/LC_MESSAGES/iso_3166-1.mo
[ -f "$CONVERTER" ] || die "missing $CONVERTER"

missing=()
[ -x "$PY" ] || missing+=(python3)
{ [ -f "$JSON" ] && [ -f "$MO" ]; } || missing+=(iso-codes)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # iso-codes ships its .mo files under /usr/share/locale; an image
        # built with dpkg path-exclude for locales would drop them.
        apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        die "missing ${missing[*]}: install with 'apt-get install ${missing[*]}' (as root) and run again"
    fi
fi
[ -x "$PY" ] || die "$PY not found"
[ -f "$JSON" ] || die "$JSON not found (package iso-codes)"
[ -f "$MO" ] || die "$MO not found: the French catalogue of iso-codes is missing (dpkg path-exclude on /usr/share/locale?)"

ISO_VERSION=$(dpkg-query -W -f='${Version}' iso-codes 2>/dev/null || echo unknown)
say "using iso-codes $ISO_VERSION"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$(dirname "$OUT")"
"$PY" "$CONVERTER" "$JSON" "$MO" "$TMP/countries.csv"
mv "$TMP/countries.csv" "$OUT"
chmod 644 "$OUT"
say "wrote $OUT ($(wc -l <"$OUT") lines including header)"
