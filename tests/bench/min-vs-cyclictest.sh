#!/bin/bash
# min-vs-cyclictest.sh - where rtlat's Min and a standalone cyclictest's
# differ (docs/reports.md, "Min").  ROUNDS interleaved rounds on CPU
# (housekeeping HK) of: cyclictest as usually typed (-a CPU, its main
# thread left where it lands: the threads' CPUs are printed), the same
# with --mainaffinity=HK, and rtlat through isolat.  Prints Min, the
# samples under 15 µs and p50 of each.  Needs root; run it under the
# host lock (flock /tmp/isolat-host.lock ...).  Not a test.
#
#   ROUNDS=3 CPU=1 HK=0 LOOPS=10000 tests/bench/min-vs-cyclictest.sh
set -eu
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
CPU=${CPU:-1}
HK=${HK:-0}
LOOPS=${LOOPS:-10000}
W=$(mktemp -d /tmp/isolat-min.XXXXXX)
trap 'rm -rf "$W"' EXIT
cat > "$W/rt.ini" <<INI
[scenario]
name = min-rtlat
workloads = rtlat
cpus = $CPU
housekeeping = $HK
duration_s = $((LOOPS / 1000))
INI
# cyc FILE: "min below15 p50" from a cyclictest -h histogram
cyc() {
	awk '/^# Min Latencies/ {m = $4 + 0}
	     /^[0-9]/ {if ($1 < 15) b += $2; c += $2; h[$1 + 0] = $2}
	     END {for (i = 0; i in h || i < 2000; i++) {s += h[i]; if (s >= c / 2) break}
		  printf "min %d  below15 %d  p50 %d\n", m, b, i}' "$1"
}
for i in $(seq "$ROUNDS"); do
	cyclictest -m -t1 -a"$CPU" -p95 -i1000 -l"$LOOPS" -q -h 2000 > "$W/c.txt" 2>&1 &
	pid=$!
	sleep 2
	psr=$(ps -L -o psr= -p $pid | tr -s ' \n' ' ')
	wait $pid
	echo "round $i cyclictest -a$CPU (threads on CPUs:$psr): $(cyc "$W/c.txt")"
	cyclictest -m -t1 -a"$CPU" -p95 -i1000 -l"$LOOPS" -q -h 2000 --mainaffinity="$HK" > "$W/c.txt" 2>&1
	echo "round $i cyclictest -a$CPU --mainaffinity=$HK: $(cyc "$W/c.txt")"
	u=$(build/isolat --db "$W/r.db" --quiet run "$W/rt.ini")
	build/isolat --db "$W/r.db" export --samples "$u" | awk -F, 'NR > 1 {print $8 / 1000}' |
		sort -n > "$W/v.txt"
	awk -v i="$i" '{v[NR] = $1; if ($1 < 15) b++}
		END {printf "round %d rtlat: min %.1f  below15 %d  p50 %.1f\n", i, v[1], b, v[int(NR / 2)]}' "$W/v.txt"
done
