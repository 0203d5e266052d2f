#!/bin/bash
# run-tests.sh - every test of isolat, in one run, ending with
# "N passed, N failed[, N skipped]".  Called by `make check` (after the
# build), which .ci/run calls.
#
#   unit   cmocka programs in build/tests (plain) and build-san/tests
#          (ASan+UBSan); cmocka's own per-test counts are summed
#   fuzz   bounded libFuzzer smoke of the decoder and the chunk codec
#   e2e    tests/e2e/*.sh (except lib*.sh and _*.sh, which are sourced
#          helpers): real runs of the harness; TAP lines
#          "ok N - what", "not ok N - what", "ok N - what # SKIP why"
#
# TESTS=unit|fuzz|e2e (space separated) runs a subset.
set -u
cd "$(dirname "$0")/.."

passed=0 failed=0 skipped=0
failures=()
TESTS=${TESTS:-unit fuzz e2e}
LOG=build/test-logs
mkdir -p "$LOG"

note() { printf '%s\n' "$*"; }

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)..."
run_cmocka() {
	local bin=$1 name=$2 out p f rc
	out=$LOG/$name.log
	mkdir -p "$(dirname "$out")"
	"$bin" >"$out" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or sanitizer abort before its summary
	fi
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures+=("$name (see $out)")
		note "FAIL  $name: $p passed, $f failed"
		grep -E '^\[  (FAILED|ERROR)|ERROR:|runtime error|Sanitizer' "$out" | head -20
	else
		note "ok    $name: $p passed"
	fi
}

if [[ " $TESTS " == *" unit "* ]]; then
	for bin in build/tests/test_*; do
		[ -x "$bin" ] && run_cmocka "$bin" "unit/$(basename "$bin")"
	done
	for bin in build-san/tests/test_*; do
		[ -x "$bin" ] && ASAN_OPTIONS=detect_leaks=1 \
			UBSAN_OPTIONS=print_stacktrace=1 \
			run_cmocka "$bin" "unit-san/$(basename "$bin")"
	done
fi

if [[ " $TESTS " == *" fuzz "* ]]; then
	for f in fuzz_decode fuzz_codec; do
		bin=build/$f
		if [ ! -x "$bin" ]; then
			note "skip  fuzz/$f: not built (clang missing?)"
			skipped=$((skipped + 1))
			continue
		fi
		mkdir -p "build/fuzz-work/$f"
		# Bounded: a smoke that the target runs clean, not a campaign.
		if "$bin" -max_total_time=20 -rss_limit_mb=2048 \
			"build/fuzz-work/$f" tests/fuzz/corpus \
			>"$LOG/$f.log" 2>&1; then
			note "ok    fuzz/$f: $(grep -o 'Done [0-9]* runs' "$LOG/$f.log" | tail -1)"
			passed=$((passed + 1))
		else
			note "FAIL  fuzz/$f (see $LOG/$f.log)"
			failures+=("fuzz/$f")
			failed=$((failed + 1))
		fi
	done
fi

# run_e2e FILE NAME: one TAP test file, counted
run_e2e() {
	local t=$1 name=$2 out p s f rc
	out=$LOG/$name.log
	mkdir -p "$(dirname "$out")"
	bash "$t" >"$out" 2>&1
	rc=$?
	p=$(grep -cE '^ok [0-9]+' "$out" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+.*# SKIP' "$out" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' "$out" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		failures+=("$name (see $out)")
		note "FAIL  $name: $p passed, $f failed, $s skipped"
		grep -E '^not ok|^#' "$out" | head -30
	else
		note "ok    $name: $p passed${s:+, $s skipped}"
		grep -E '# SKIP' "$out" | sed 's/^/      /'
	fi
}

if [[ " $TESTS " == *" e2e "* ]]; then
	for t in tests/e2e/*.sh; do
		[ -e "$t" ] || continue
		# sourced helpers, not tests
		case $(basename "$t") in lib*.sh | _*.sh) continue ;; esac
		run_e2e "$t" "e2e/$(basename "$t" .sh)"
	done
	# The harness itself once more under ASan+UBSan, on the bare paths.
	if [ -x build-san/isolat ]; then
		for t in tests/e2e/bare_smoke.sh tests/e2e/bad_input.sh; do
			ISOLAT=$PWD/build-san/isolat run_e2e "$t" \
				"e2e-san/$(basename "$t" .sh)"
		done
	fi
fi

if [ ${#failures[@]} -gt 0 ]; then
	note ""
	note "failed:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
