#!/bin/bash
# loads.sh - background loads (stress-ng) end to end on bare metal: loads =
# none, cpu, cpu+memory lands every case; the facts show stress-ng's argv
# and the placement; with load_cpus = measured the load's bogo-ops show it
# ran there; no stress-ng is left after the run nor after a SIGINT
# mid-case; load_side = inside is skipped for guests at plan time.  No
# timing relation (loaded p99 vs idle) is asserted: too noisy on a VM.
. "$(dirname "$0")/lib.sh"

need_root "background load run" || exit 0
if ! command -v stress-ng >/dev/null; then
	skip "background load run" "stress-ng not installed (apt-get install stress-ng)"
	exit 0
fi
DB=$T/r.db
sq() { q "$DB" "$1"; }
# No stress-ng is alive (the tests run one at a time).
no_load_left() { ! pgrep -x stress-ng >/dev/null; }
fact() { sq "SELECT f.value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.load='$1' AND c.run_id=(SELECT max(id) FROM runs) AND f.key='$2'"; }

cat > "$T/l.ini" <<INI
[scenario]
name = e2e-loads
environments = bare
workloads = rtlat
loads = none, cpu, cpu+memory
load_cpus = measured
load_settle_s = 1
cpus = 1
housekeeping = 0
interval_us = 1000
loops = 1500
INI
"$ISOLAT" --db "$DB" --quiet run "$T/l.ini" > /dev/null
check "run exits 0" [ $? -eq 0 ]
check "every case done" [ "$(sq "SELECT group_concat(load||':'||status, ' ') FROM cases ORDER BY idx")" = "none:done cpu:done cpu+memory:done" ]
check "every case landed its samples" [ "$(sq "SELECT count(*) FROM series WHERE count = 1500")" = 3 ]
check "no load facts for none" [ "$(sq "SELECT count(*) FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.load='none' AND f.key LIKE 'load.%'")" = 0 ]
argv=$(fact cpu load.argv)
check "cpu: stress-ng argv stored ($argv)" grep -qE '^stress-ng --cpu 1 --taskset 1 --timeout [0-9]+s --metrics-brief --temp-path /tmp/isolat-' <<<"$argv"
argv=$(fact cpu+memory load.argv)
check "cpu+memory: both stressors in one argv" grep -qE '^stress-ng --cpu 1 --vm 1 --vm-bytes 64M --taskset 1 ' <<<"$argv"
for l in cpu cpu+memory; do
	check "$l: placement facts (cpus side settle instances)" [ "$(fact $l load.cpus) $(fact $l load.side) $(fact $l load.settle_s) $(fact $l load.instances)" = "1 host 1 1" ]
	check "$l: stress-ng ended cleanly" [ "$(fact $l load.exit)" = "exit status 0" ]
	check "$l: placement in the case parameters" [ "$(sq "SELECT json_extract(params, '\$.load_cpus') FROM cases WHERE load='$l'")" = 1 ]
done
# The load ran on the measured CPU: stress-ng counted work for each part.
bogo() { fact "$1" load.metrics | awk -v s="$2" '$1=="stress-ng:" && $2=="metrc:" && $4==s {print $5}'; }
c1=$(bogo cpu cpu) c2=$(bogo cpu+memory cpu) v2=$(bogo cpu+memory vm)
check "cpu: bogo-ops counted ($c1)" [ "${c1:-0}" -gt 0 ]
check "cpu+memory: cpu and vm bogo-ops counted ($c2, $v2)" [ "${c2:-0}" -gt 0 -a "${v2:-0}" -gt 0 ]
check "host-side counters stored for the loaded CPU" [ "$(sq "SELECT count(*) FROM counters k JOIN cases c ON c.id=k.case_id WHERE c.load='cpu' AND k.side='host' AND k.cpu=1")" -gt 0 ]
check "no stress-ng left after the run" no_load_left
"$ISOLAT" --db "$DB" show last > "$T/show.txt"
check "show compares the loads" grep -qE '^ +2  bare .* cpu\+memory .*x +[0-9.]+x$' "$T/show.txt"
if command -v gnuplot >/dev/null; then
	"$ISOLAT" --db "$DB" --quiet report -o "$T/rep" last > /dev/null
	check "report has the loads table" grep -q "<h2>Loads compared</h2>" "$T/rep/index.html"
else
	skip "report loads table" "gnuplot not installed"
fi

# Plan time: inside is bare-only; a CPU list must be online.
cat > "$T/in.ini" <<INI
[scenario]
name = e2e-inside
environments = bare, lxc
workloads = rtlat
loads = cpu
load_side = inside
cpus = 1
housekeeping = 0
loops = 100
INI
plan=$("$ISOLAT" plan "$T/in.ini" 2>&1)
check "inside: bare runs" grep -qE 'bare\.none\.rtlat\.cpu .* run$' <<<"$plan"
check "inside: lxc skipped with the reason" grep -qE 'lxc\.none\.rtlat\.cpu .*(load_side = inside is not yet supported for lxc|not ready)' <<<"$plan"
sed 's/^load_side = inside$/load_cpus = 1000/' "$T/in.ini" > "$T/off.ini"
out=$("$ISOLAT" check "$T/off.ini" 2>&1)
check "offline load CPU: FILE:LINE named" grep -q "off.ini:6: load_cpus = 1000: CPU 1000 is not online" <<<"$out"

# SIGINT mid-case: the load is stopped with the case.
cat > "$T/long.ini" <<INI
[scenario]
name = e2e-loads-int
environments = bare
workloads = rtlat
loads = cpu
load_settle_s = 0
cpus = 1
housekeeping = 0
duration_s = 60
INI
DB2=$T/int.db
"$ISOLAT" --db "$DB2" --quiet run "$T/long.ini" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -s "$DB2" ] && [ "$(q "$DB2" "SELECT count(*) FROM cases WHERE status='running'" 2>/dev/null)" = 1 ] && pgrep -x stress-ng >/dev/null && break
	sleep 0.1
done
check "stress-ng runs during the case" bash -c "pgrep -x stress-ng >/dev/null"
sleep 1
kill -INT $pid
wait $pid; rc=$?
check "interrupted run exits 130" [ $rc -eq 130 ]
check "case failed: interrupted" [ "$(q "$DB2" "SELECT status||': '||substr(reason,1,11) FROM cases")" = "failed: interrupted" ]
check "load stop recorded" [ -n "$(q "$DB2" "SELECT value FROM case_facts WHERE key='load.exit'")" ]
check "no stress-ng left after SIGINT" no_load_left
