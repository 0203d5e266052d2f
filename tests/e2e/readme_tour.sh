#!/bin/bash
# readme_tour.sh - the README's ten-minute tour runs as written (issue 17):
# every command of its ```sh blocks, in order, from a directory laid out
# like the checkout (build/ and scenarios/ linked, results/ fresh), each
# exiting 0 (the gate may say 1: a regression between the two runs is
# what it is for; envs says 3 when an environment is not ready here).  The quick start's make targets: tests/e2e/docs.sh.
. "$(dirname "$0")/lib.sh"

need_root "README tour" || exit 0
mkdir -p "$T/tour/results"
ln -s "$TOP/build" "$T/tour/build"
ln -s "$TOP/scenarios" "$T/tour/scenarios"
sed -n '/^## A ten-minute tour/,/^## /p' "$TOP/README.md" |
	sed -n '/^```sh/,/^```/p' | grep -v '^```' > "$T/tour.cmds"
check "the tour has commands ($(wc -l < "$T/tour.cmds"))" [ "$(wc -l < "$T/tour.cmds")" -ge 10 ]
while IFS= read -r cmd; do
	case $cmd in
	*" report "*) command -v gnuplot >/dev/null ||
		{ skip "$cmd" "gnuplot not installed"; continue; } ;;
	esac
	(cd "$T/tour" && bash -c "$cmd") > "$T/out" 2>&1
	rc=$?
	case $cmd in
	*" gate "*) check "$cmd (exit $rc)" [ $rc -eq 0 -o $rc -eq 1 ] ;;
	*" envs") check "$cmd (exit $rc: 3 = some not ready here)" [ $rc -eq 0 -o $rc -eq 3 ] ;;
	*) check "$cmd (exit $rc)" [ $rc -eq 0 ] ;;
	esac
	case "$cmd:$rc" in
	*:0 | *" gate "*:1 | *" envs":3) ;;
	*) sed 's/^/# /' "$T/out" | tail -5 ;;
	esac
done < "$T/tour.cmds"
check "the tour's report exists" bash -c 'ls "$1"/results/report-*/index.html >/dev/null' _ "$T/tour"
check "the tour's cyclictest-json export exists" bash -c 'ls "$1"/results/ct/*.json >/dev/null' _ "$T/tour"
