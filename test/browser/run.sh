#!/bin/bash
# SPDX-License-Identifier: MIT
# Browser tests: headless Debian Chromium (/usr/bin/chromium) driven by
# playwright-core, accessibility checked with axe-core, against a running
# stack. Usage (from anywhere):
#
#   . DIR/env && test/browser/run.sh [FILE.test.mjs ...]
#
# Environment: BASE_URL and CIVITAS_VAR (the stack's env file), and
# optionally TRUSTED_PROXY, TEST_FILTER (a regexp on test names),
# BROWSER_SHOTS (a directory for screenshots), BROWSER_TIMEOUT (seconds for
# the whole run, default 600). The npm packages (pinned in package-lock.json)
# are installed with `npm ci` when node_modules is missing or does not match
# the lockfile; node, npm and chromium come from Debian (scripts/deps.sh),
# installed here when missing and root. Closing line: "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)

fail() {
	echo "browser: $*"
	echo "0 passed, 1 failed"
	exit 1
}

[ -n "${BASE_URL:-}" ] || fail "BASE_URL is not set (source the stack's env file)"
[ -n "${CIVITAS_VAR:-}" ] || fail "CIVITAS_VAR is not set (source the stack's env file)"

missing=""
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing="$missing chromium"
if [ -n "$missing" ]; then
	[ "$(id -u)" -eq 0 ] || fail "missing:$missing (run scripts/deps.sh)"
	echo "browser: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends \
		$missing >/dev/null; } </dev/null || fail "could not install$missing"
fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
[ "${major:-0}" -ge 18 ] || fail "playwright-core needs Node.js 18 or later (have $(node --version 2>&1))"

# node_modules is installed from the lockfile, and again whenever the
# lockfile changes (the stamp is the lockfile's hash).
stamp=$here/node_modules/.civitas-lock.sha256
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] ||
	[ ! -f "$here/node_modules/playwright-core/package.json" ] ||
	[ ! -f "$here/node_modules/axe-core/axe.min.js" ]; then
	echo "browser: npm ci"
	(cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit \
		--no-fund --no-update-notifier --ignore-scripts --loglevel=error </dev/null) ||
		fail "npm ci failed"
	echo "$want" > "$stamp"
fi

out=$(mktemp /tmp/civitas-browser.XXXXXX)
trap 'rm -f "$out"' EXIT
timeout -k 10 "${BROWSER_TIMEOUT:-600}" node "$here/run.mjs" "$@" </dev/null 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
if ! grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$out"; then
	# Killed (timeout) or crashed before the closing line: count what ran.
	echo "browser: the run stopped early (exit $rc)"
	echo "$(grep -c '^ok - ' "$out") passed, $(( $(grep -c '^FAIL - ' "$out") + 1 )) failed"
	exit 1
fi
exit "$rc"
