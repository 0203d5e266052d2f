#!/bin/bash
# run-bench.sh - `make bench`: (1) the collector's ingest rate and size on
# disk against a one-INSERT-per-sample baseline and the order-0 entropy;
# (1b) `isolat report` on a run of REPORT_SAMPLES samples (8 cases x 4
# CPUs, stored through the ingest path): wall time, samples/s, peak RSS;
# (2) rtlat against cyclictest on the same CPU and settings, interleaved
# (rtlat, cyclictest, rtlat, ...), as ratios of p50/p99/max; (3) netlat
# against sockperf ping-pong over the same OVS path (docs/netlat.md).
# Not a test: prints figures, asserts nothing.
#
#   SAMPLES=50000000 REPORT_SAMPLES=100000000 PAIRS=5 SECONDS_PER_RUN=10 \
#   CPU=1 HK=0 make bench
#   ONLY=netlat make bench     just (3), netlat vs sockperf over ovs
set -eu
cd "$(dirname "$0")/../.."
SAMPLES=${SAMPLES:-50000000}
BASELINE=${BASELINE:-2000000}
REPORT_SAMPLES=${REPORT_SAMPLES:-100000000}
PAIRS=${PAIRS:-5}
SECS=${SECONDS_PER_RUN:-10}
CPU=${CPU:-1}
HK=${HK:-0}
W=$(mktemp -d /tmp/isolat-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

if [ "${ONLY:-}" != netlat ]; then
echo "== (1) ingest: $SAMPLES synthetic samples through the collector path"
build/bench_ingest "$SAMPLES" "$BASELINE" "$W"

echo
echo "== (1b) report: $REPORT_SAMPLES samples, 8 cases x 4 CPUs"
build/bench_report build/isolat "$REPORT_SAMPLES" "$W" 8 4
rm -rf "$W/report"

echo
echo "== (2) rtlat vs cyclictest: CPU $CPU, housekeeping $HK, SCHED_FIFO 95, 1000 us, ${SECS} s each, $PAIRS interleaved pairs"
if [ "$(id -u)" != 0 ]; then
	echo "skipped: needs root"
	exit 0
fi
for wl in rtlat cyclictest; do
	cat > "$W/$wl.ini" <<INI
[scenario]
name = bench-$wl
workloads = $wl
cpus = $CPU
housekeeping = $HK
duration_s = $SECS
INI
done
DB=$W/pairs.db
for i in $(seq "$PAIRS"); do
	for wl in rtlat cyclictest; do
		build/isolat --db "$DB" --quiet run "$W/$wl.ini" >/dev/null
	done
done
sqlite3 -batch "$DB" <<'SQL'
.mode column
.headers on
SELECT c.workload,
       count(*) AS runs,
       printf('%.2f', avg(m.p50) / 1000.0) AS p50_us,
       printf('%.2f', avg(m.p99) / 1000.0) AS p99_us,
       printf('%.2f', avg(m.max) / 1000.0) AS max_us
FROM summaries m JOIN series s ON s.id = m.series_id
JOIN cases c ON c.id = s.case_id GROUP BY c.workload ORDER BY c.workload DESC;
SELECT printf('%.3f', r.p50 / y.p50) AS ratio_p50_rtlat_over_cyclictest,
       printf('%.3f', r.p99 / y.p99) AS ratio_p99,
       printf('%.3f', r.mx / y.mx) AS ratio_max
FROM (SELECT avg(m.p50) p50, avg(m.p99) p99, avg(m.max) mx FROM summaries m
      JOIN series s ON s.id = m.series_id JOIN cases c ON c.id = s.case_id
      WHERE c.workload = 'rtlat') r,
     (SELECT avg(m.p50) p50, avg(m.p99) p99, avg(m.max) mx FROM summaries m
      JOIN series s ON s.id = m.series_id JOIN cases c ON c.id = s.case_id
      WHERE c.workload = 'cyclictest') y;
SQL
fi

echo
echo "== (3) netlat vs sockperf ping-pong over the ovs path: initiator on CPU $CPU, reflector/server on $HK, SCHED_FIFO 95, 1000 us, ${SECS} s each, $PAIRS interleaved pairs"
if [ "$(id -u)" != 0 ]; then
	echo "skipped: needs root"
	exit 0
fi
if ! command -v sockperf > /dev/null || ! command -v ovs-vswitchd > /dev/null; then
	echo "skipped: apt-get install sockperf openvswitch-switch"
	exit 0
fi
cat > "$W/netlat.ini" <<INI
[scenario]
name = bench-netlat
workloads = netlat
networks = ovs
cpus = $CPU
housekeeping = $HK
duration_s = $SECS
INI
NDB=$W/netlat.db
trap 'tests/bench/ovs_path.sh down; rm -rf "$W"' EXIT
: > "$W/sockperf.txt"
for i in $(seq "$PAIRS"); do
	build/isolat --db "$NDB" --quiet run "$W/netlat.ini" > /dev/null
	# sockperf across the same construction, same CPUs and priority;
	# it prints half the round trip, so x2 below.
	tests/bench/ovs_path.sh up 2> "$W/ovs_path.log"
	ip netns exec isolat-bnch-b chrt -f 95 taskset -c "$HK" \
		sockperf server -i 198.18.0.2 -p 11111 > /dev/null 2>&1 &
	spid=$!
	sleep 1
	ip netns exec isolat-bnch-a chrt -f 95 taskset -c "$CPU" \
		sockperf ping-pong -i 198.18.0.2 -p 11111 -t "$SECS" --mps=1000 \
		2>&1 | sed 's/\x1b\[[0-9;]*m//g' |
		awk '/percentile 50.000/ {p50=$NF} /percentile 99.000/ {p99=$NF}
		     END {print p50, p99}' >> "$W/sockperf.txt"
	kill "$spid" 2> /dev/null || true
	wait "$spid" 2> /dev/null || true
	tests/bench/ovs_path.sh down
done
read -r s50 s99 <<<"$(awk '{a+=$1; b+=$2; n++} END {printf "%.3f %.3f", 2*a/n, 2*b/n}' "$W/sockperf.txt")"
read -r n50 n99 <<<"$(sqlite3 -batch -separator ' ' "$NDB" "SELECT printf('%.3f', avg(m.p50)/1000.0), printf('%.3f', avg(m.p99)/1000.0) FROM summaries m JOIN series s ON s.id = m.series_id WHERE s.idx = 0")"
printf '%-28s %10s %10s\n' "round trip (us)" p50 p99
printf '%-28s %10s %10s\n' "netlat (isolat)" "$n50" "$n99"
printf '%-28s %10s %10s\n' "sockperf ping-pong (2x)" "$s50" "$s99"
awk -v a="$n50" -v b="$s50" -v c="$n99" -v d="$s99" 'BEGIN {
	printf "ratio netlat/sockperf: p50 %.3f  p99 %.3f\n", a / b, c / d }'
