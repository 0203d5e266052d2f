#!/bin/bash
# compare_gate.sh - tag, gate, merge and compare end to end.
#
# Synthetic runs (build/tools/mkrun: known distributions through the
# store API, no root needed) for the gate's decisions: identical data
# passes, two noise-only runs pass, a 30% shift fails with a JUnit
# failure; then merge twice (idempotent), compare (every image loads in
# headless Chromium), and with root two short real runs gated against
# each other (noise only: pass).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_chromium.sh"

MKRUN=$TOP/build/tools/mkrun
if [ ! -x "$MKRUN" ]; then
	skip "compare/gate" "build/tools/mkrun not built (make tools)"
	exit 0
fi
U1=aaaaaaaa-0000-4000-8000-000000000001
U2=aaaaaaaa-0000-4000-8000-000000000002
U3=aaaaaaaa-0000-4000-8000-000000000003
UB=bbbbbbbb-0000-4000-8000-000000000001
DB=$T/a.db
"$MKRUN" "$DB" $U1 1 1.0 >/dev/null
"$MKRUN" "$DB" $U2 2 1.0 >/dev/null
"$MKRUN" "$DB" $U3 3 1.3 >/dev/null
U5=aaaaaaaa-0000-4000-8000-000000000006
"$MKRUN" "$DB" $U5 6 1.0 >/dev/null
# Three noise-only baseline runs: the unit of the gate's test is a run.
B3=(--baseline nightly-base --baseline $U2 --baseline $U5)
check "tag a run" "$ISOLAT" --db "$DB" --quiet tag $U1 nightly-base
check "tag resolves" [ "$(q "$DB" "SELECT r.uuid FROM tags t JOIN runs r ON r.id=t.run_id WHERE t.name='nightly-base'")" = $U1 ]
"$ISOLAT" --db "$DB" tag $U1 'bad name' 2>/dev/null
check "bad tag name refused (exit 2)" [ $? -eq 2 ]

# junit_counts FILE: "testcases failures" via a real XML parser
junit_counts() {
	python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
tc = r.findall('.//testcase')
print(len(tc), sum(1 for t in tc if t.find('failure') is not None))
PY
}

"$ISOLAT" --db "$DB" --quiet gate --baseline nightly-base --candidate $U1 --junit "$T/same.xml" --markdown "$T/same.md"
check "identical data: gate passes (exit 0)" [ $? -eq 0 ]
check "identical data: JUnit well-formed (xmllint)" xmllint --noout "$T/same.xml"
check "identical data: 7 testcases, 0 failures" [ "$(junit_counts "$T/same.xml")" = "7 0" ]

"$ISOLAT" --db "$DB" --quiet gate --baseline nightly-base --candidate $U2 --junit "$T/noise.xml"
check "noise-only repetition: gate passes (exit 0)" [ $? -eq 0 ]

# One baseline run: its spread is unknown, quantiles are shown not gated.
out=$("$ISOLAT" --db "$DB" gate --baseline nightly-base --candidate $U3 2>&1); rc=$?
check "30% shift, one baseline run: passes (exit $rc), spread unknown said" bash -c '[ "$1" -eq 0 ] && grep -q "run-to-run spread unknown" <<<"$2"' _ "$rc" "$out"
"$ISOLAT" --db "$DB" --quiet gate --baseline nightly-base --candidate $U3 --alpha off 2>/dev/null
check "30% shift, one baseline run, --alpha off: fails on the margin (exit 1)" [ $? -eq 1 ]
"$ISOLAT" --db "$DB" --quiet gate "${B3[@]}" --candidate $U3 --junit "$T/shift.xml" --markdown "$T/shift.md" 2>/dev/null
check "30% shift against 3 baseline runs: gate fails (exit 1)" [ $? -eq 1 ]
check "30% shift: JUnit well-formed (xmllint)" xmllint --noout "$T/shift.xml"
for f in same shift; do
	check "$f: JUnit valid against tests/e2e/data/junit.xsd" xmllint --noout --schema "$TOP/tests/e2e/data/junit.xsd" "$T/$f.xml"
done
check "30% shift: 7 testcases, 1 failure (p99)" [ "$(junit_counts "$T/shift.xml")" = "7 1" ]
check "30% shift: Markdown names the failure" grep -q '| p99 | .*\*\*FAIL\*\*' "$T/shift.md"
# A candidate that lost a case must not go green.
cp "$DB" "$T/lost.db"
sqlite3 "$T/lost.db" "PRAGMA foreign_keys=ON; DELETE FROM cases WHERE idx=0 AND run_id=(SELECT id FROM runs WHERE uuid='$U2')"
out=$("$ISOLAT" --db "$T/lost.db" gate --baseline nightly-base --candidate $U2 2>&1); rc=$?
check "candidate lost a case: gate fails (exit $rc) naming it MISSING" bash -c '[ "$1" -eq 1 ] && grep -q "MISSING bare.none.rtlat.none" <<<"$2"' _ "$rc" "$out"
# A candidate whose case failed (its harness died): ERROR for the case,
# no CPU to name.
cp "$DB" "$T/failed.db"
sqlite3 "$T/failed.db" "PRAGMA foreign_keys=ON; DELETE FROM series WHERE case_id IN (SELECT c.id FROM cases c JOIN runs r ON r.id = c.run_id WHERE r.uuid='$U2'); UPDATE cases SET status='failed', reason='the harness died' WHERE run_id=(SELECT id FROM runs WHERE uuid='$U2')"
out=$("$ISOLAT" --db "$T/failed.db" gate --baseline nightly-base --candidate $U2 2>&1); rc=$?
check "candidate's case failed: ERROR for the case, no 'cpu -1' (exit $rc)" bash -c '[ "$1" -eq 1 ] && grep -q "ERROR bare.none.rtlat.none case" <<<"$2" && ! grep -q "cpu -1" <<<"$2"' _ "$rc" "$out"
"$ISOLAT" --db "$DB" --quiet gate "${B3[@]}" --candidate $U3 --threshold p99=+50% 2>/dev/null
check "30% shift under a +50% limit passes" [ $? -eq 0 ]
"$ISOLAT" --db "$DB" --quiet gate --baseline nightly-base --candidate $U3 --threshold p99=-5% 2>/dev/null
check "a negative limit is a usage error (129)" [ $? -eq 129 ]

# Thresholds from the candidate's stored scenario [gate] section.
"$MKRUN" "$DB" aaaaaaaa-0000-4000-8000-000000000004 4 1.3 30 $'[scenario]\nname = x\n[gate]\np99 = +50%\nmax = +100%\n' >/dev/null
"$ISOLAT" --db "$DB" --quiet gate "${B3[@]}" --candidate aaaaaaaa-0000-4000-8000-000000000004 2>/dev/null
check "[gate] p99 = +50% in the scenario: 30% shift passes" [ $? -eq 0 ]
"$MKRUN" "$DB" aaaaaaaa-0000-4000-8000-000000000005 4 1.0 30 $'[scenario]\nname = x\n[gate]\np99 = +lots\n' >/dev/null
err=$("$ISOLAT" --db "$DB" --quiet gate --baseline nightly-base --candidate aaaaaaaa-0000-4000-8000-000000000005 2>&1)
rc=$?
check "bad [gate] value: exit 2 ($rc) with UUID scenario:LINE" bash -c '[ "$1" -eq 2 ] && grep -q "aaaaaaaa-0000-4000-8000-000000000005 scenario:4: " <<<"$2"' _ "$rc" "$err"

# Emulated against emulated: shown, not gated; nothing real compared: 3.
UE2=aaaaaaaa-0000-4000-8000-0000000000e2
MKRUN_EMULATED=1 "$MKRUN" "$T/emu.db" $UE2 8 1.0 >/dev/null
MKRUN_EMULATED=1 "$MKRUN" "$T/emu.db" aaaaaaaa-0000-4000-8000-0000000000e3 9 3.0 >/dev/null
out=$("$ISOLAT" --db "$T/emu.db" gate --baseline $UE2 --candidate last 2>&1); rc=$?
check "emulated only, default policy: fails nothing, exit 3 ($rc), says why" bash -c '[ "$1" -eq 3 ] && ! grep -q "^isolat gate: FAIL" <<<"$2" && grep -q "nothing real was compared" <<<"$2"' _ "$rc" "$out"
"$ISOLAT" --db "$T/emu.db" --quiet gate --baseline $UE2 --candidate last --emulated gate 2>/dev/null
check "emulated only, --emulated gate: the 3x shift fails (exit 1)" [ $? -eq 1 ]
# A tenfold max: the deterministic rule and the absolute limit.
"$ISOLAT" --db "$DB" --quiet gate --baseline nightly-base --candidate $U2 --limit max=50us 2>/dev/null
check "--limit max=50us on 20 us + noise runs (max ~75 us): fails (exit 1)" [ $? -eq 1 ]

# No baseline: the limits alone (RT acceptance, "max <= N").
"$ISOLAT" --db "$DB" --quiet gate --limit max=50us --candidate $U2 2>/dev/null
check "no baseline, --limit max=50us: fails (exit 1)" [ $? -eq 1 ]
"$ISOLAT" --db "$DB" --quiet gate --limit max=10ms --limit over=200us:0 --candidate $U2 2>/dev/null
check "no baseline, --limit max=10ms over=200us:0: passes (exit 0)" [ $? -eq 0 ]
"$ISOLAT" --db "$DB" --quiet gate --candidate $U2 2>/dev/null
check "no baseline and no limit: usage (129)" [ $? -eq 129 ]
# The candidate's own [gate] limit = lines stand for --limit.
UL=eeeeeeee-0000-4000-8000-000000000001
"$MKRUN" "$DB" $UL 9 1.0 30 "$(printf '[scenario]\nname = synthetic\n[gate]\nlimit = max=50us\n')" >/dev/null
"$ISOLAT" --db "$DB" --quiet gate --candidate $UL 2>/dev/null
check "no baseline, the candidate's [gate] limit = max=50us: fails (exit 1)" [ $? -eq 1 ]

# Emulated results are never compared with real ones.
UE=aaaaaaaa-0000-4000-8000-0000000000e1
MKRUN_EMULATED=1 "$MKRUN" "$DB" $UE 7 1.0 >/dev/null
"$ISOLAT" --db "$DB" --quiet gate --baseline nightly-base --candidate $UE --junit "$T/emu.xml" 2>/dev/null
check "emulated vs real: nothing compared, exit 2" [ $? -eq 2 ]
check "emulated vs real: JUnit valid against the schema" xmllint --noout --schema "$TOP/tests/e2e/data/junit.xsd" "$T/emu.xml"
check "emulated vs real: JUnit says skipped, not comparable" grep -q 'skipped message="candidate EMULATED, baseline real: emulated and real results are never compared"' "$T/emu.xml"

# Merge: two boards into a central database, twice.
"$MKRUN" "$T/board.db" $UB 9 1.05 >/dev/null
dump() { sqlite3 "$1" "SELECT uuid, status, host_id FROM runs ORDER BY uuid;
	SELECT count(*) FROM cases; SELECT count(*), sum(nsamples), sum(length(data)) FROM chunks;
	SELECT count(*) FROM series; SELECT count(*) FROM summaries; SELECT count(*) FROM histograms;
	SELECT count(*) FROM events; SELECT count(*) FROM case_facts; SELECT name FROM tags ORDER BY name;
	SELECT count(*) FROM hosts;" | md5sum; }
"$ISOLAT" --quiet merge "$T/central.db" "$DB" "$T/board.db" >/dev/null
check "merge exits 0" [ $? -eq 0 ]
check "merge imported every run" [ "$(q "$T/central.db" "SELECT count(*) FROM runs")" = 9 ]
check "merged samples equal the source" [ "$(q "$T/central.db" "SELECT sum(nsamples) FROM chunks")" = "$(( $(q "$DB" "SELECT sum(nsamples) FROM chunks") + $(q "$T/board.db" "SELECT sum(nsamples) FROM chunks") ))" ]
check "merge carries tags" [ "$(q "$T/central.db" "SELECT count(*) FROM tags WHERE name='nightly-base'")" = 1 ]
d1=$(dump "$T/central.db")
"$ISOLAT" --quiet merge "$T/central.db" "$DB" "$T/board.db" >/dev/null
check "merge again exits 0" [ $? -eq 0 ]
check "merge twice is idempotent (content dump unchanged)" [ "$d1" = "$(dump "$T/central.db")" ]
echo "not a database" > "$T/junk.db"
"$ISOLAT" --quiet merge "$T/central.db" "$T/junk.db" 2>/dev/null
check "merge refuses a non-isolat file (exit 2)" [ $? -eq 2 ]
check "gate works on the merged database" "$ISOLAT" --db "$T/central.db" --quiet gate --baseline nightly-base --candidate $U2

# Compare: renders, and every image loads in a real browser.
if command -v gnuplot >/dev/null; then
	"$ISOLAT" --db "$T/central.db" --quiet compare -o "$T/cmp" nightly-base $U3 $UB >/dev/null
	check "compare exits 0" [ $? -eq 0 ]
	check "compare writes index.html with 3 plots" [ "$(grep -c '<img' "$T/cmp/index.html")" = 3 ]
	check "compare SVGs are XML" bash -c 'for f in "$1"/*.svg; do xmllint --noout "$f" || exit 1; done' _ "$T/cmp"
	check "compare marks the shift up" grep -q 'shifted up (p = ' "$T/cmp/index.html"
	"$ISOLAT" --db "$T/central.db" --quiet compare -o "$T/cmp-down" $U3 nightly-base >/dev/null
	check "compare marks the shift down, not 'no shift'" grep -q 'shifted down (p = ' "$T/cmp-down/index.html"
	MKRUN_PARAMS='{"interval_us":500}' "$MKRUN" "$DB" dddddddd-0000-4000-8000-000000000001 8 1.0 >/dev/null
	"$ISOLAT" --db "$DB" --quiet compare -o "$T/cmp-params" $U1 dddddddd >/dev/null
	check "compare says which parameters differ from the first run" grep -q 'differs from the first run: interval_us 1000 -&gt; 500' "$T/cmp-params/index.html"
	check "compare says nothing where they agree" bash -c '! grep -q "differs from the first run" "$1"' _ "$T/cmp-down/index.html"
	out=$("$ISOLAT" --db "$DB" gate --baseline $U1 --candidate dddddddd --markdown "$T/params.md" 2>&1)
	check "gate notes a matched case with other parameters" grep -q "bare.none.rtlat.none: baseline ${U1:0:8} differs: interval_us 1000 -> 500" <<<"$out"
	check "gate's Markdown notes it too" grep -q "ran with other parameters than the candidate" "$T/params.md"
	out=$("$ISOLAT" --db "$DB" gate --baseline $U1 --candidate $U1 2>&1)
	check "gate notes nothing where they agree" bash -c '! grep -q "other parameters" <<<"$1"' _ "$out"
	# A run with no kernel recorded and cases without a start time (as
	# mkrun makes them): OSADL's file still has strings and a time.
	out=$("$ISOLAT" --db "$DB" export --format osadl --case 0 $U1)
	check "osadl without kernel metadata: version 'unknown', origin the run's start" python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["kernel"]["version"] == "unknown" and d["kernel"]["cmdline"] == "" and d["timestamps"]["origin"].startswith("20")' "$out"
	MKRUN_ENVS=lxc "$MKRUN" "$DB" cccccccc-0000-4000-8000-000000000001 7 1.0 >/dev/null
	out=$("$ISOLAT" --db "$DB" compare -o "$T/cmp-none" $U1 cccccccc 2>&1); rc=$?
	check "compare, no case in common: exit 2, says which cases, writes nothing" bash -c '[ $1 -eq 2 ] && grep -q "no case is in two of these runs.*aaaaaaaa has bare.none.rtlat.none; cccccccc has lxc.none.rtlat.none" <<<"$2" && [ ! -e "$3" ]' _ $rc "$out" "$T/cmp-none"
	# Colour means environment (issue 14): an lxc group's lines are all
	# lxc's colour, none another environment's; runs differ by dash.
	MKRUN_ENVS=lxc "$MKRUN" "$DB" cccccccc-0000-4000-8000-000000000002 8 1.2 >/dev/null
	"$ISOLAT" --db "$DB" --quiet compare -o "$T/cmp-lxc" cccccccc-0000-4000-8000-000000000001 cccccccc-0000-4000-8000-000000000002 >/dev/null
	envrgb() { sed -n "s/^X($1, \"\\(#[0-9a-f]*\\)\".*/\\1/p" "$TOP/harness/env/envs.def"; }
	lxc=$(envrgb lxc)
	check "compare, lxc group: every line in lxc's colour ($lxc)" bash -c '[ -n "$2" ] && [ "$(grep -c "lc rgb .$2. dt " "$1")" = 2 ]' _ "$T/cmp-lxc/g000-pct.gp" "$lxc"
	check "compare, lxc group: no other environment's colour" bash -c 'for e in bare kvm xen; do c=$(sed -n "s/^X($e, \"\(#[0-9a-f]*\)\".*/\1/p" "$2"); [ -n "$c" ] || exit 1; grep -qi "$c" "$1" && exit 1; done; exit 0' _ "$T/cmp-lxc/g000-pct.gp" "$TOP/harness/env/envs.def"
	check "compare, lxc group: run A solid, run B dashed" bash -c 'grep -q "dt 1 title .A cccccccc" "$1" && grep -q "dt (8,5) title .B cccccccc" "$1"' _ "$T/cmp-lxc/g000-pct.gp"
	check "compare, run marks are dashes, not colours" bash -c '! grep -q "<td style=\"color:" "$1" && grep -q "stroke-dasharray" "$1"' _ "$T/cmp-lxc/index.html"
	# A percentile the 30 000 samples cannot support reads n<N (issue 14).
	check "compare delta table: p99.99 of 30 000 samples reads n<100000" grep -q '>n&lt;100000</td>' "$T/cmp-lxc/index.html"
	out=$("$ISOLAT" --db "$DB" show $U1)
	check "show: p99.99 of 30 000 samples reads n<100000, with why" bash -c 'grep -q " n<100000 " <<<"$1" && grep -q "^n<N: fewer samples than the percentile needs" <<<"$1"' _ "$out"
	"$ISOLAT" --db "$DB" --quiet report --style paper -o "$T/paper" $U3 >/dev/null
	check "report --style paper exits 0" [ $? -eq 0 ]
	npdf=$(ls "$T"/paper/*.pdf 2>/dev/null | wc -l)
	check "paper style: a vector PDF per plot ($npdf)" bash -c '[ "$2" -ge 4 ] && for f in "$1"/*.pdf; do head -c 5 "$f" | grep -q "%PDF-" || exit 1; done' _ "$T/paper" "$npdf"
	check "paper style: environment colour in the scripts" grep -q "set linetype 1 lc rgb '#1f77b4'" "$T/paper/case000-bare.none.rtlat.none-pct.gp"
	"$ISOLAT" --db "$DB" report --style glossy last 2>/dev/null
	check "report --style glossy is a usage error (129)" [ $? -eq 129 ]
	if [ -z "$CHROMIUM" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1
		CHROMIUM=$(command -v chromium || true)
	fi
	if [ -z "$CHROMIUM" ]; then
		skip "compare images load in Chromium" "chromium not installed and not installable here"
	else
		res=$(imgcheck "$T/cmp")
		check "Chromium: every image of compare loads ($res)" [ "$res" = "IMGCHECK total=3 broken=0" ]
		"$ISOLAT" --db "$DB" --quiet report --style paper -o "$T/paper" $U3 >/dev/null
		res=$(imgcheck "$T/paper")
		check "Chromium: every image of the paper-style report loads ($res)" grep -qE '^IMGCHECK total=[1-9][0-9]* broken=0$' <<<"$res"
		rm -f "$T/cmp/g000-pct.svg"
		res=$(imgcheck "$T/cmp")
		check "Chromium check sees a broken image ($res)" [ "$res" = "IMGCHECK total=3 broken=1" ]
	fi
else
	skip "compare" "gnuplot not installed"
fi

# Real runs: two short runs of one scenario, noise only.
need_root "two real runs gate each other" || exit 0
cat > "$T/s.ini" <<INI
[scenario]
name = e2e-gate
environments = bare
workloads = rtlat
cpus = 1
housekeeping = 0
interval_us = 500
duration_s = 3
INI
R=$T/real.db
u1=$("$ISOLAT" --db "$R" --quiet run "$T/s.ini")
r1=$?
u2=$("$ISOLAT" --db "$R" --quiet run "$T/s.ini")
r2=$?
check "two real runs exit 0" [ $r1 -eq 0 -a $r2 -eq 0 ]
# Generous limits and max off: two runs on a shared CI host differ by more
# than sampling noise (other jobs come and go between them, and the test
# rightly sees that); the point here is the whole path on real data.  The
# statistical claims are tested on synthetic runs above and in test_gate.
"$ISOLAT" --db "$R" --quiet gate --baseline "$u1" --candidate "$u2" --threshold p99=+300% --threshold max=off --junit "$T/real.xml" --markdown "$T/real.md"
rc=$?
check "real runs, noise only: gate passes (exit $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/# /' "$T/real.md"
check "real runs: JUnit has 7 testcases" [ "$(junit_counts "$T/real.xml" | cut -d' ' -f1)" = 7 ]

# The CI glue: run + gate against the tag, JUnit + Markdown, roll forward.
"$ISOLAT" --db "$R" --quiet tag "$u1" baseline
"$TOP/ci/isolat-gate.sh" --isolat "$ISOLAT" --db "$R" --out "$T/ci" \
	--threshold p99=+300% --threshold max=off --tag-on-pass baseline \
	"$T/s.ini" >/dev/null 2>&1
check "ci/isolat-gate.sh: noise only passes (exit 0)" [ $? -eq 0 ]
check "ci/isolat-gate.sh: JUnit and Markdown written" [ -s "$T/ci/gate-junit.xml" -a -s "$T/ci/gate-summary.md" ]
check "ci/isolat-gate.sh: baseline rolled forward" [ "$(q "$R" "SELECT r.uuid FROM tags t JOIN runs r ON r.id=t.run_id WHERE t.name='baseline'")" != "$u1" ]
"$TOP/ci/isolat-gate.sh" --isolat "$ISOLAT" --db "$R" --out "$T/ci2" --baseline no-such-tag "$T/s.ini" >/dev/null 2>&1
check "ci/isolat-gate.sh: unknown baseline is an error (exit 2)" [ $? -eq 2 ]
