#!/bin/bash
# gate-false-alarms.sh DB SCENARIO_NAME [GATE ARGS...] - the gate's
# false-alarm count on repeated runs of an unchanged system: the newest
# ten finished runs of SCENARIO_NAME in DB are gated (1) each against
# the other nine (leave-one-out) and (2) the last seven against the
# first three.  Every failure is printed; the last lines are the counts.
# docs/gate.md quotes it.  Make the runs first, e.g. ten times:
#   flock /tmp/isolat-host.lock build/isolat --db DB --quiet run scenarios/smoke.ini
set -u
DB=${1:?usage: gate-false-alarms.sh DB SCENARIO_NAME [GATE ARGS...]}
NAME=${2:?usage: gate-false-alarms.sh DB SCENARIO_NAME [GATE ARGS...]}
shift 2
ISOLAT=${ISOLAT:-$(cd "$(dirname "$0")/.." && pwd)/build/isolat}
mapfile -t U < <(sqlite3 -batch -noheader "$DB" "SELECT uuid FROM (SELECT uuid, started_at, id FROM runs WHERE scenario_name = '${NAME//\'/\'\'}' AND status = 'done' ORDER BY started_at DESC, id DESC LIMIT 10) ORDER BY started_at, id")
[ ${#U[@]} -eq 10 ] || { echo "need 10 finished runs of $NAME in $DB, found ${#U[@]}" >&2; exit 2; }
gate() { # CANDIDATE BASELINE...: 1 when the gate failed
	local c=$1 args=() out rc
	shift
	for b in "$@"; do args+=(--baseline "$b"); done
	out=$("$ISOLAT" --db "$DB" gate "${args[@]}" --candidate "$c" "${EXTRA[@]}" 2>&1)
	rc=$?
	grep '^isolat gate: FAIL' <<<"$out" | sed "s/^/  $c: /"
	[ $rc -eq 1 ]
}
EXTRA=("$@")
f1=0
for c in "${U[@]}"; do
	others=()
	for b in "${U[@]}"; do [ "$b" = "$c" ] || others+=("$b"); done
	gate "$c" "${others[@]}" && f1=$((f1 + 1))
done
f2=0
for c in "${U[@]:3}"; do
	gate "$c" "${U[@]:0:3}" && f2=$((f2 + 1))
done
echo "leave-one-out (9 baseline runs): $f1 of 10 gates failed"
echo "first three as baseline: $f2 of 7 gates failed"
