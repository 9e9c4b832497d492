#!/bin/bash
# Fuzz targets of test/fuzz/ (one per test/fuzz/fuzz_*.c).
#
#   scripts/fuzz.sh replay [TARGET...]   `make test`: build each target with
#       gcc + test/fuzz/replay.c (+ ASan/UBSan when gcc has them) into
#       build-fuzz/replay/ and run it over test/fuzz/corpus/TARGET/. One line
#       per target, then "N passed, N failed" (N counts targets).
#   scripts/fuzz.sh run [TARGET...]      `make fuzz`: build each target with
#       clang -fsanitize=fuzzer,address,undefined into build-fuzz/libfuzzer/
#       and fuzz it for FUZZ_SECONDS (default 60), one target at a time.
#       New inputs go to build-fuzz/corpus/TARGET/ (the seed corpus in
#       test/fuzz/corpus/ is only read); crashes to test/fuzz/crashes/.
#       Exits 1 when a target crashed.
#   scripts/fuzz.sh merge [TARGET...]    after `run`: add to
#       test/fuzz/corpus/TARGET/ the inputs of build-fuzz/corpus/TARGET/ that
#       reach new coverage (libFuzzer -merge=1), and report the corpus size
#       (keep it under 200 files and 1 MB per target).
#
# A crash reproducer is replayed with: build-fuzz/replay/TARGET FILE
# (or build-fuzz/libfuzzer/TARGET FILE for libFuzzer's own report).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

# The pure modules: keep in step with PURE in the Makefile.
PURE="app/core/buf.c app/core/xalloc.c app/core/log.c app/core/arena.c
app/core/parse.c app/core/router.c app/core/escape.c app/core/valid.c
app/core/sniff.c app/core/ics.c app/core/dsn.c
app/core/donation.c"
WARN="-Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wno-format-nonliteral"
CFLAGS_COMMON="-std=gnu11 -g -O1 -fno-omit-frame-pointer -I app/core -I test/fuzz"
HEADERS="app/core/*.h test/fuzz/fuzz.h"
OUT=build-fuzz
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
# Keep the whole build directory out of git (like meson and cargo do).
mkdir -p "$OUT" && [ -f "$OUT/.gitignore" ] ||
	printf '# Build output of scripts/fuzz.sh: never committed.\n*\n' \
		>"$OUT/.gitignore"

mode=${1:-}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=$(for f in test/fuzz/fuzz_*.c; do basename "$f" .c; done)
fi

# stale OUT SRC...: is OUT missing or older than a source or a header?
stale() {
	local out=$1 f
	shift
	[ -e "$out" ] || return 0
	# shellcheck disable=SC2086
	for f in "$@" $HEADERS; do
		[ "$f" -nt "$out" ] && return 0
	done
	return 1
}

# compile CC FLAGS OBJDIR SRC: print the object path; build it if stale.
compile() {
	local cc=$1 flags=$2 dir=$3 src=$4 obj
	obj=$dir/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')
	if stale "$obj" "$src"; then
		# Through a temporary name: a concurrent run never links half
		# an object.
		# shellcheck disable=SC2086
		if ! $cc $flags -c -o "$obj.$$" "$src" >&2; then
			rm -f "$obj.$$"
			return 1
		fi
		mv -f "$obj.$$" "$obj"
	fi
	echo "$obj"
}

# build CC COMMON_FLAGS TARGET_FLAGS LINK_FLAGS DIR EXTRA_SRC:
# every target of $targets into DIR (pure objects shared).
build() {
	local cc=$1 cflags=$2 tflags=$3 lflags=$4 dir=$5 extra=$6
	local objs="" o src t
	# Other compiler or flags: start over.
	if [ "$(cat "$dir/flags" 2>/dev/null)" != "$cc $cflags|$tflags|$lflags" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/obj"
		echo "$cc $cflags|$tflags|$lflags" >"$dir/flags"
	fi
	for src in $PURE $extra; do
		if ! o=$(compile "$cc" "$cflags" "$dir/obj" "$src"); then
			for t in $targets; do rm -f "$dir/$t"; done
			return 1
		fi
		objs="$objs $o"
	done
	for t in $targets; do
		[ -f "test/fuzz/$t.c" ] || { echo "fuzz: no test/fuzz/$t.c" >&2; continue; }
		o=$(compile "$cc" "$tflags" "$dir/obj" "test/fuzz/$t.c") ||
			{ rm -f "$dir/$t"; continue; }
		# shellcheck disable=SC2086
		if stale "$dir/$t" $objs "$o"; then
			# shellcheck disable=SC2086
			if $cc $tflags -o "$dir/$t.$$" $objs "$o" $lflags >&2
			then
				mv -f "$dir/$t.$$" "$dir/$t"
			else
				rm -f "$dir/$t" "$dir/$t.$$"
			fi
		fi
	done
}

replay() {
	local cc=${FUZZ_CC:-gcc} san="" flags passed=0 failed=0 t log n
	tmp=$(mktemp -d /tmp/civitas-fuzz.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	if echo 'int main(void){return 0;}' |
		$cc -x c -fsanitize=address,undefined -o "$tmp/probe" - 2>/dev/null &&
		"$tmp/probe"; then
		san="-fsanitize=address,undefined -fno-sanitize-recover=all"
	else
		echo "fuzz: $cc has no ASan/UBSan here: replaying without them"
	fi
	flags="$CFLAGS_COMMON $WARN -Werror $san"
	build "$cc" "$flags" "$flags" "$san" "$OUT/replay" test/fuzz/replay.c ||
		{ echo "fuzz: build failed"; }
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:allocator_may_return_null=0
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	for t in $targets; do
		log=$tmp/$t.log
		if [ ! -x "$OUT/replay/$t" ]; then
			echo "fuzz: $t FAILED (build)"
			failed=$((failed + 1))
			continue
		fi
		if "$OUT/replay/$t" "test/fuzz/corpus/$t" >"$log" 2>&1 &&
			! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
			n=$(sed -n 's/^replay: \([0-9]*\) inputs$/\1/p' "$log")
			echo "fuzz: $t ok ($n inputs)"
			passed=$((passed + 1))
		else
			echo "fuzz: $t FAILED"
			grep -v '^    #[0-9]' "$log" | head -n 20 | sed 's/^/  /'
			failed=$((failed + 1))
		fi
	done
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

find_clang() {
	local c
	for c in ${FUZZ_CLANG:-} clang clang-14; do
		command -v "$c" >/dev/null 2>&1 && { echo "$c"; return 0; }
	done
	echo "fuzz: clang not found (scripts/deps.sh installs clang)" >&2
	return 1
}

build_libfuzzer() {
	local clang san
	clang=$(find_clang) || return 1
	san="-fsanitize=address,undefined -fno-sanitize-recover=all"
	build "$clang" "$CFLAGS_COMMON $WARN $san -fsanitize=fuzzer-no-link" \
		"$CFLAGS_COMMON $WARN $san -fsanitize=fuzzer" \
		"$san -fsanitize=fuzzer" "$OUT/libfuzzer" ""
}

run() {
	local t log bin work dict crashed=0 rc line execs
	build_libfuzzer || return 1
	mkdir -p test/fuzz/crashes "$OUT/logs"
	for t in $targets; do
		bin=$OUT/libfuzzer/$t
		[ -x "$bin" ] || { echo "fuzz: $t FAILED (build)"; crashed=1; continue; }
		work=$OUT/corpus/$t
		log=$OUT/logs/$t.log
		mkdir -p "$work"
		dict=""
		[ -f "test/fuzz/$t.dict" ] && dict="-dict=test/fuzz/$t.dict"
		echo "fuzz: $t for ${FUZZ_SECONDS}s (log: $log)"
		# shellcheck disable=SC2086
		"$bin" -max_len=65536 -max_total_time="$FUZZ_SECONDS" \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="test/fuzz/crashes/$t-" $dict \
			"$work" "test/fuzz/corpus/$t" >"$log" 2>&1
		rc=$?
		line=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		if [ "$rc" -eq 0 ]; then
			echo "fuzz: $t ok: ${execs:-?} execs; last: ${line:-?}"
		else
			crashed=1
			echo "fuzz: $t CRASHED (exit $rc); last: ${line:-?}"
			grep -E 'ERROR:|runtime error:|invariant failed|Test unit written|^SUMMARY' \
				"$log" | head -n 10 | sed 's/^/  /'
		fi
	done
	return $crashed
}

merge() {
	local t bin before after size
	build_libfuzzer || return 1
	for t in $targets; do
		bin=$OUT/libfuzzer/$t
		[ -d "$OUT/corpus/$t" ] || { echo "fuzz: $t: nothing to merge (run first)"; continue; }
		before=$(find "test/fuzz/corpus/$t" -type f | wc -l)
		# Edges only (no hit counts): a few dozen files, not hundreds.
		"$bin" -merge=1 -use_counters=0 -max_len=65536 \
			"test/fuzz/corpus/$t" \
			"$OUT/corpus/$t" >"$OUT/logs/$t.merge.log" 2>&1 ||
			{ echo "fuzz: $t: merge failed (see $OUT/logs/$t.merge.log)"; continue; }
		after=$(find "test/fuzz/corpus/$t" -type f | wc -l)
		size=$(cat "test/fuzz/corpus/$t"/* | wc -c)
		echo "fuzz: $t corpus $before -> $after files, $size bytes"
		if [ "$after" -ge 200 ] || [ "$size" -ge 1048576 ]; then
			echo "fuzz: $t: corpus over 200 files or 1 MB: prune it"
		fi
	done
	return 0
}

case $mode in
replay) replay ;;
run) run ;;
merge) merge ;;
*)
	echo "usage: scripts/fuzz.sh replay|run|merge [TARGET...]" >&2
	exit 2
	;;
esac
