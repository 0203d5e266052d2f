#!/bin/bash
# isolat-lava.sh SCENARIO [BASELINE_DB [BASELINE]] - the LAVA step of
# ci/lava/isolat.yaml: run SCENARIO, then print one
#   lava-test-case NAME --result pass|fail --measurement V --units us
# per case x CPU x metric (from the gate's JUnit when there is a baseline,
# else the run's summaries, all "pass" when the case ran).
# Outside LAVA (no lava-test-case in PATH) the lines are echoed instead.
set -u
cd "$(dirname "$0")/../.." || exit 2
SCENARIO=${1:?usage: isolat-lava.sh SCENARIO [BASELINE_DB [BASELINE]]}
BASEDB=${2:-} BASE=${3:-baseline}
ISOLAT=build/isolat DB=results/lava.db OUT=results/lava
mkdir -p "$OUT"

tc() { # NAME RESULT [VALUE]: report through LAVA's helper when there
	local name=$1 res=$2 val=${3:-}
	name=$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_')
	if command -v lava-test-case >/dev/null; then
		if [ -n "$val" ]; then
			lava-test-case "$name" --result "$res" --measurement "$val" --units us
		else
			lava-test-case "$name" --result "$res"
		fi
	else
		echo "lava-test-case $name --result $res${val:+ --measurement $val --units us}"
	fi
}

if [ -n "$BASEDB" ]; then
	ci/isolat-gate.sh --db "$DB" --baseline-db "$BASEDB" --baseline "$BASE" \
		--out "$OUT" "$SCENARIO"
	rc=$?
	if [ -s "$OUT/gate-junit.xml" ]; then
		# testcase -> name, verdict, candidate value (us) from the JUnit
		python3 - "$OUT/gate-junit.xml" <<'PY' | while read -r n r v; do tc "$n" "$r" "$v"; done
import re, sys, xml.etree.ElementTree as ET
for t in ET.parse(sys.argv[1]).getroot().iter('testcase'):
    name = t.get('classname').removeprefix('isolat.') + '.' + t.get('name').split()[0]
    res = 'fail' if t.find('failure') is not None or t.find('error') is not None \
        else 'skip' if t.find('skipped') is not None else 'pass'
    text = ''.join(x.text or '' for x in t)
    m = re.search(r'candidate ([0-9.]+) us', text)
    print(name, res, m.group(1) if m else '')
PY
	fi
	tc isolat-gate "$([ $rc -eq 0 ] && echo pass || echo fail)"
	exit 0 # the verdict is in the test cases; LAVA runs on
fi

uuid=$("$ISOLAT" --db "$DB" --quiet run "$SCENARIO")
rc=$?
tc isolat-run "$([ $rc -eq 0 ] && echo pass || echo fail)"
[ -n "$uuid" ] || exit 0
"$ISOLAT" --db "$DB" export --format csv "$uuid" >"$OUT/summary.csv" || exit 0
# Columns by header name, so the export can grow columns.
python3 - "$OUT/summary.csv" <<'PY' | while read -r n r v; do tc "$n" "$r" "$v"; done
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    base = '%s.cpu%s' % (row['name'], row['cpu'])
    ok = 'pass' if row['status'] == 'done' else 'fail'
    scale = 1000.0 if row['unit'] == 'ns' else 1.0
    for m in ('p50', 'p99', 'max'):
        if row.get(m):
            print(base + '.' + m, ok, '%.3f' % (float(row[m]) / scale))
PY
