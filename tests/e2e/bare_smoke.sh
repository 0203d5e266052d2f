#!/bin/bash
# bare_smoke.sh - a real bare-metal run of rtlat and cyclictest, checked in
# the database: exact sample counts, summaries equal to a recomputation
# from the exported samples, the report's SVGs are XML and PNGs decode.
. "$(dirname "$0")/lib.sh"

need_root "bare smoke run" || exit 0
LOOPS=3000
cat > "$T/s.ini" <<INI
[scenario]
name = e2e-smoke
environments = bare
workloads = rtlat, cyclictest
cpus = 1
housekeeping = 0
interval_us = 500
loops = $LOOPS
INI
DB=$T/r.db
uuid=$("$ISOLAT" --db "$DB" --quiet run "$T/s.ini")
rc=$?
check "run exits 0" [ $rc -eq 0 ]
check "run prints a UUID" grep -qE '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' <<<"$uuid"
check "run status done" [ "$(q "$DB" "SELECT status FROM runs WHERE uuid='$uuid'")" = done ]
check "both cases done" [ "$(q "$DB" "SELECT group_concat(workload||':'||status, ' ') FROM cases ORDER BY idx")" = "rtlat:done cyclictest:done" ]
for wl in rtlat cyclictest; do
	cnt=$(q "$DB" "SELECT sum(s.count) FROM series s JOIN cases c ON c.id=s.case_id WHERE c.workload='$wl'")
	chunked=$(q "$DB" "SELECT sum(k.nsamples) FROM chunks k JOIN series s ON s.id=k.series_id JOIN cases c ON c.id=s.case_id WHERE c.workload='$wl'")
	check "$wl: exactly threads x loops samples ($cnt)" [ "$cnt" = "$LOOPS" ]
	check "$wl: chunks hold every sample ($chunked)" [ "$chunked" = "$LOOPS" ]
	check "$wl: nothing dropped" [ "$(q "$DB" "SELECT sum(s.dropped) FROM series s JOIN cases c ON c.id=s.case_id WHERE c.workload='$wl'")" = 0 ]
	check "$wl: measured CPU 1" [ "$(q "$DB" "SELECT group_concat(s.cpu) FROM series s JOIN cases c ON c.id=s.case_id WHERE c.workload='$wl'")" = 1 ]
	check "$wl: got SCHED_FIFO 95" [ "$(q "$DB" "SELECT group_concat(f.value, ' ') FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.workload='$wl' AND f.key IN ('end.series.0.policy','end.series.0.priority') ORDER BY f.key")" = "SCHED_FIFO 95" ]
done
check "host metadata stored" [ "$(q "$DB" "SELECT count(*) FROM run_meta WHERE key IN ('hostname','kernel_release','cmdline','hwloc_xml','clocksource','thp','sched_rt_runtime_us','cpu_model')")" = 8 ]

# Every sample back, bit-exact, and the summaries recomputed from them.
"$ISOLAT" --db "$DB" export --samples "${uuid:0:8}" > "$T/samples.csv"
check "export --samples by prefix" [ $? -eq 0 ]
check "export has every sample" [ "$(($(wc -l < "$T/samples.csv") - 1))" = $((2 * LOOPS)) ]
"$ISOLAT" --db "$DB" export --format csv last > "$T/sum.csv"
for wl in rtlat cyclictest; do
	# nearest-rank percentiles and min/max/count from the raw samples
	want=$(awk -F, -v wl=$wl 'NR>1 && $6==wl {print $13}' "$T/samples.csv" | sort -n |
		awk '{v[NR]=$1; s+=$1} END {
			n=NR; split("0.5 0.9 0.99 0.999", P, " ");
			printf "%d %d %d", n, v[1], v[n];
			for (i=1;i<=4;i++) { k=int(P[i]*n); if (k<P[i]*n) k++; if (k<1) k=1; printf " %d", v[k] }
			printf " %.3f\n", s/n }')
	got=$(q "$DB" "SELECT m.count, m.min, m.max, m.p50, m.p90, m.p99, m.p999, printf('%.3f', m.mean) FROM summaries m JOIN series s ON s.id=m.series_id JOIN cases c ON c.id=s.case_id WHERE c.workload='$wl'" | tr '|' ' ')
	check "$wl: summary equals recomputation ($got)" [ "$want" = "$got" ]
done
check "summary csv has a row per series" [ "$(($(wc -l < "$T/sum.csv") - 1))" = 2 ]
"$ISOLAT" --db "$DB" export --format json last > "$T/sum.json"
check "summary json parses" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["cases"])==2' "$T/sum.json"

"$ISOLAT" --db "$DB" show last > "$T/show.txt"
check "show exits 0" [ $? -eq 0 ]
check "show lists both cases" grep -q cyclictest "$T/show.txt"
# Missed periods (END's series.N.overruns) beside dropped, per CPU row.
ov=$(q "$DB" "SELECT f.value FROM case_facts f JOIN cases c ON c.id = f.case_id JOIN runs r ON r.id = c.run_id WHERE r.uuid = '$uuid' AND c.idx = 0 AND f.key = 'end.series.0.overruns'")
row=$(awk '$1 == "0" && $2 ~ /rtlat|cyclictest/' "$T/show.txt")
check "show has a missed column with the workload's overruns ($ov)" bash -c '[ -n "$1" ] && grep -q " missed$" "$2" && [ "$(awk "{print \$NF}" <<<"$3")" = "$1" ]' _ "$ov" "$T/show.txt" "$row"
check "list shows the run" grep -q "$uuid" <("$ISOLAT" --db "$DB" list)

if command -v gnuplot >/dev/null; then
	"$ISOLAT" --db "$DB" --quiet report -o "$T/rep" last > /dev/null
	check "report exits 0" [ $? -eq 0 ]
	check "index.html written" [ -s "$T/rep/index.html" ]
	nsvg=0 badsvg=0
	for f in "$T"/rep/*.svg; do
		nsvg=$((nsvg + 1)); xmllint --noout "$f" 2>/dev/null || badsvg=$((badsvg + 1))
	done
	check "SVGs parse as XML ($nsvg)" [ $nsvg -ge 3 -a $badsvg -eq 0 ]
	npng=0 badpng=0
	for f in "$T"/rep/*.png; do
		npng=$((npng + 1)); pngtopnm "$f" >/dev/null 2>&1 || badpng=$((badpng + 1))
	done
	check "PNGs decode ($npng)" [ $npng -ge 3 -a $badpng -eq 0 ]
	check "every img in index.html exists" bash -c '
		cd "$1" && grep -o "src=\"[^\"]*\"" index.html | cut -d\" -f2 |
		while read -r f; do [ -s "$f" ] || exit 1; done' _ "$T/rep"
else
	skip "report" "gnuplot not installed"
fi

# A run that creates its database says where (the default is relative:
# an installed isolat run from / makes /results); the next run does not.
printf '[scenario]\nname = nd\ncpus = 1\nhousekeeping = 0\ninterval_us = 1000\nloops = 50\n' > "$T/nd.ini"
"$ISOLAT" --db "$T/nd/new.db" run "$T/nd.ini" > /dev/null 2> "$T/nd1.err"
"$ISOLAT" --db "$T/nd/new.db" run "$T/nd.ini" > /dev/null 2> "$T/nd2.err"
check "a new database is said, once" bash -c 'grep -q "isolat run: new database $1/nd/new.db" "$2" && ! grep -q "new database" "$3"' _ "$T" "$T/nd1.err" "$T/nd2.err"
