#!/bin/bash
# SPDX-License-Identifier: MIT
# Validate deploy/k8s offline (validate.mjs: the Kubernetes schemas of the
# npm package kubernetes-models, pinned in package-lock.json, and the
# references between the manifests). Usage, from anywhere:
#
#   test/deploy/run.sh [--json] [DIR]
#
# The npm packages are installed with `npm ci` when node_modules is missing
# or does not match the lockfile (as test/browser/run.sh does); node and
# npm come from Debian (scripts/deps.sh), installed here when missing and
# root. No cluster and no kubectl are needed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)

fail() {
	echo "deploy: $*" >&2
	exit 2
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	[ "$(id -u)" -eq 0 ] || fail "node and npm are missing (run scripts/deps.sh)"
	echo "deploy: installing nodejs npm" >&2
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends \
		nodejs npm >/dev/null; } </dev/null || fail "could not install nodejs npm"
fi

# node_modules is installed from the lockfile, and again whenever the
# lockfile changes (the stamp is the lockfile's hash).
stamp=$here/node_modules/.civitas-lock.sha256
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] ||
	[ ! -f "$here/node_modules/kubernetes-models/package.json" ] ||
	[ ! -f "$here/node_modules/yaml/package.json" ]; then
	echo "deploy: npm ci" >&2
	(cd "$here" && npm ci --no-audit --no-fund --no-update-notifier \
		--ignore-scripts --loglevel=error </dev/null >&2) || fail "npm ci failed"
	echo "$want" > "$stamp"
fi
exec node "$here/validate.mjs" "$@"
