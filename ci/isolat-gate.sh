#!/bin/bash
# isolat-gate.sh - run a scenario and gate it against a baseline; for any
# CI (Jenkins, GitLab, GitHub Actions, a LAVA job).
#
#   ci/isolat-gate.sh [options] SCENARIO
#     --db PATH            database to run into (default results/isolat.db)
#     --baseline REF       tag / UUID of the baseline in that database
#                          (default: tag "baseline", unless
#                          --baseline-last is given alone)
#     --baseline-db PATH   a database holding the baseline (e.g. fetched
#                          from the lab's central store): merged into --db
#                          first (idempotent), REF resolved there
#     --baseline-last N    also gate against the N runs before the
#                          candidate (same host and scenario): the
#                          run-to-run spread the quantile test needs
#     --threshold M=MARGIN passed to `isolat gate` (repeatable)
#     --limit M=LIMIT      passed to `isolat gate` (repeatable), e.g.
#                          max=100us or over=50us:0
#     --alpha A|off        passed to `isolat gate`
#     --emulated show|gate passed to `isolat gate`
#     --out DIR            where gate-junit.xml, gate-summary.md and the
#                          compare report go (default results/gate)
#     --tag-on-pass NAME   tag the candidate NAME when the gate passes
#                          (e.g. "baseline" to roll the baseline forward)
#     --isolat PATH        the isolat binary (default: build/isolat, else
#                          isolat in PATH)
#
# Exit status is isolat gate's: 0 pass, 1 regression, 2 error, 3 nothing
# real compared (only emulated cases: shown, not gated); a failed
# run exits with isolat run's status (1 a case failed, 2 error, 3 no
# resource).  Every command is run with an argv, nothing is eval'd.
set -u

die() { echo "isolat-gate: $*" >&2; exit 2; }

DB=results/isolat.db BASE=baseline BASEDB='' OUT=results/gate TAGPASS=''
ISOLAT='' BASE_SET='' LAST=''
THS=()
while [ $# -gt 0 ]; do
	case $1 in
	--db) DB=${2:?}; shift 2 ;;
	--baseline) BASE=${2:?}; BASE_SET=1; shift 2 ;;
	--baseline-db) BASEDB=${2:?}; shift 2 ;;
	--threshold) THS+=(--threshold "${2:?}"); shift 2 ;;
	--limit) THS+=(--limit "${2:?}"); shift 2 ;;
	--alpha) THS+=(--alpha "${2:?}"); shift 2 ;;
	--emulated) THS+=(--emulated "${2:?}"); shift 2 ;;
	--baseline-last) THS+=(--baseline-last "${2:?}"); LAST=1; shift 2 ;;
	--out) OUT=${2:?}; shift 2 ;;
	--tag-on-pass) TAGPASS=${2:?}; shift 2 ;;
	--isolat) ISOLAT=${2:?}; shift 2 ;;
	-h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || die "give exactly one SCENARIO (see --help)"
SCENARIO=$1
if [ -z "$ISOLAT" ]; then
	here=$(cd "$(dirname "$0")/.." && pwd)
	if [ -x "$here/build/isolat" ]; then ISOLAT=$here/build/isolat
	else ISOLAT=$(command -v isolat) || die "isolat not found: build it or pass --isolat"
	fi
fi
mkdir -p "$OUT" || die "cannot create $OUT"

if [ -n "$BASEDB" ]; then
	"$ISOLAT" --quiet merge "$DB" "$BASEDB" >/dev/null ||
		die "merging the baseline database $BASEDB failed"
fi
uuid=$("$ISOLAT" --db "$DB" --quiet run "$SCENARIO")
rc=$?
if [ $rc -ne 0 ] && [ -z "$uuid" ]; then
	echo "isolat-gate: isolat run failed (exit $rc)" >&2
	exit $rc
fi
echo "isolat-gate: candidate run $uuid"
BARGS=(--baseline "$BASE")
[ -n "$LAST" ] && [ -z "$BASE_SET" ] && BARGS=()
"$ISOLAT" --db "$DB" gate "${BARGS[@]}" --candidate "$uuid" "${THS[@]}" \
	--junit "$OUT/gate-junit.xml" --markdown "$OUT/gate-summary.md"
grc=$?
# The report is for people; its failure must not change the verdict.
if [ ${#BARGS[@]} -gt 0 ]; then
	"$ISOLAT" --db "$DB" --quiet compare -o "$OUT/compare" "$BASE" "$uuid" \
		>/dev/null 2>&1 || echo "isolat-gate: (compare report not rendered)" >&2
else
	echo "isolat-gate: (no compare report: no --baseline REF to compare with)" >&2
fi
if [ $grc -eq 0 ] && [ $rc -ne 0 ]; then
	grc=$rc # the gate passed what ran, but a case failed to run
fi
if [ $grc -eq 0 ] && [ -n "$TAGPASS" ]; then
	"$ISOLAT" --db "$DB" --quiet tag "$uuid" "$TAGPASS" || grc=2
fi
exit $grc
