#!/bin/bash
# `make test`: build, then run every suite against a private stack on its own
# ports and temporary directory, and print one closing line
# "N passed, N failed" (the sum of all suites). Exit status 0 only when
# nothing failed.
#
# Suites: checks (the source: layers, SQL declarations), unit (C), fuzz
# corpus replay (C), lib (the test library and the SMTP sink), functional
# (Python, through the FastCGI socket and through nginx), browser
# (Chromium + playwright-core), cluster (issue 13: the namespace cluster
# under faults, scripts/cluster.sh test; needs root or sudo).
# ASAN=1 builds everything with AddressSanitizer + UBSan into build-asan and
# fails on any sanitizer report in the logs.
# TEST_SUITES="checks unit fuzz lib func browser" selects suites; arguments after the
# script name are passed to the functional runner (module names).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
SUITES=${TEST_SUITES:-checks unit fuzz lib func browser cluster}
if [ -n "${ASAN:-}" ]; then
	out_dir=${O:-build-asan}
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:log_path=stderr
	export LSAN_OPTIONS=suppressions=$top/test/lsan.supp:print_suppressions=0
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	# GCC misreports format checks under the sanitizers: keep them off there.
	BUILD=(make -s O=$out_dir OPT=-O1 CC=gcc CFLAGS="-g -Wno-format-truncation -Wno-nonnull"
		SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer")
else
	out_dir=${O:-build}
	BUILD=(make -s O=$out_dir)
fi
export BIN_DIR=$top/$out_dir
# Targets are named as the Makefile names them (relative to the top).
"${BUILD[@]}" all "$out_dir/unit-tests" || { echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0
tally() {	# read a suite's output for its "N passed, N failed" line
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		echo "test: suite $2 printed no result line: counted as 1 failure"
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
	failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
	[ "$3" -ne 0 ] && [ "$(echo "$line" | cut -d' ' -f3)" = 0 ] && {
		echo "test: suite $2 exited $3 with no failure counted: 1 failure"
		failed=$((failed + 1))
	}
}
out=$(mktemp -d /tmp/civitas-test.XXXXXX)
chmod 755 "$out"
run_suite() {	# run_suite NAME COMMAND...
	local name=$1 rc
	shift
	echo "== $name"
	"$@" 2>&1 | tee "$out/$name.out"
	rc=${PIPESTATUS[0]}
	tally "$out/$name.out" "$name" "$rc"
}

has() { [[ " $SUITES " == *" $1 "* ]]; }
has checks && run_suite checks /usr/bin/python3 scripts/check-source.py all \
	"$BIN_DIR/obj"
has unit && run_suite unit "$BIN_DIR/unit-tests"
has fuzz && run_suite fuzz scripts/fuzz.sh replay
has lib && run_suite lib /usr/bin/python3 test/lib/selftest.py

if has func || has browser; then
	export HTTP_PORT=${TEST_HTTP_PORT:-18080} SMTP_PORT=${TEST_SMTP_PORT:-12525}
	export WORKERS=4 PG_FAST=1 MAIL_RETRY_BASE=1 TRUSTED_PROXY=127.0.0.2
	stackdir=$out/var
	trap 'scripts/stack.sh stop "$stackdir" >/dev/null 2>&1' EXIT
	if scripts/stack.sh start "$stackdir"; then
		# shellcheck disable=SC1091
		. "$stackdir/env"
		has func && run_suite func /usr/bin/python3 test/func/run.py "$@"
		has browser && run_suite browser test/browser/run.sh
	else
		echo "test: the stack did not start"
		tail -n 20 "$stackdir"/log/*.log
		failed=$((failed + 1))
	fi
	if [ -n "${ASAN:-}" ]; then
		reports=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
			"$stackdir"/log/*.log 2>/dev/null)
		if [ -n "$reports" ]; then
			echo "test: sanitizer reports in: $reports"
			grep -hE -A20 'ERROR: (Address|Leak)Sanitizer|runtime error:' $reports | head -80
			failed=$((failed + 1))
		fi
	fi
	scripts/stack.sh stop "$stackdir" >/dev/null 2>&1
	trap - EXIT
fi
# issue 13, many hosts: a cluster of its own (network namespaces, its own
# PostgreSQL and Redis), after the private stack has stopped.
has cluster && run_suite cluster scripts/cluster.sh test
[ "$failed" -eq 0 ] && rm -rf "$out" || echo "test: logs kept in $out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
