#!/usr/bin/env bash
# Fetch one pinned npm package's published files into DIR/package, checked
# against its Subresource Integrity hash, without running any of its code.
# Shared by the refresh scripts of sql/data (see sql/data/README.md).
#
# Usage: scripts/npm-fetch.sh PACKAGE VERSION INTEGRITY DIR
#
# Needs node and npm (installed with apt-get when missing and run as root).
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: $0 PACKAGE VERSION INTEGRITY DIR" >&2; exit 2; }
PACKAGE=$1 VERSION=$2 INTEGRITY=$3 DIR=$4

say() { printf 'npm-fetch: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

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

mkdir -p "$DIR"
say "fetching $PACKAGE@$VERSION"
# --ignore-scripts: we only want the published files, never run package code.
if ! TARBALL=$(cd "$DIR" && npm pack --silent --ignore-scripts "$PACKAGE@$VERSION" 2>"$DIR/npm.log"); then
    cat "$DIR/npm.log" >&2
    die "npm pack $PACKAGE@$VERSION failed"
fi
TARBALL=$(printf '%s\n' "$TARBALL" | tail -n 1)
[ -n "$TARBALL" ] && [ -f "$DIR/$TARBALL" ] || { cat "$DIR/npm.log" >&2; die "npm pack produced no tarball"; }

# Check the tarball against the pinned Subresource Integrity hash.
ACTUAL=$(node -e '
const crypto = require("crypto"), fs = require("fs")
process.stdout.write("sha512-" + crypto.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))
' "$DIR/$TARBALL")
[ "$ACTUAL" = "$INTEGRITY" ] || die "integrity mismatch for $TARBALL: got $ACTUAL, expected $INTEGRITY"

tar -xzf "$DIR/$TARBALL" -C "$DIR"
rm -f "$DIR/$TARBALL" "$DIR/npm.log"
GOT_VERSION=$(node -e 'process.stdout.write(require(process.argv[1]).version)' "$DIR/package/package.json")
[ "$GOT_VERSION" = "$VERSION" ] || die "tarball is version $GOT_VERSION, expected $VERSION"
