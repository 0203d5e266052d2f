#!/bin/bash
# spin_counters.sh - issue 7 end to end on bare metal: a spin case lands
# one throughput sample per window and its noise events; per-case counters
# (host side and workload side) are stored and never negative; a loopback
# network load pinned to the measured CPU raises that CPU's interrupt +
# softirq delta above an idle case's; trace_threshold_us below the observed
# latency stops the ftrace ring and stores the trace with the case, and
# tracefs is left as it was.  No timing is asserted.
. "$(dirname "$0")/lib.sh"

need_root "spin and counters run" || exit 0
WINDOWS=1500
DB=$T/r.db
# sq SQL: one value from the database
sq() { q "$DB" "$1"; }

# --- spin -------------------------------------------------------------------
cat > "$T/spin.ini" <<INI
[scenario]
name = e2e-spin
environments = bare
workloads = spin
cpus = 1
housekeeping = 0
; lowest RT priority: a busy loop must not starve RT threads of other runs
priority = 1
interval_us = 1000
loops = $WINDOWS
INI
"$ISOLAT" --db "$DB" --quiet run "$T/spin.ini" > /dev/null
check "spin run exits 0" [ $? -eq 0 ]
check "spin case done" [ "$(sq "SELECT status FROM cases WHERE workload='spin'")" = done ]
tput="SELECT s.%s FROM series s JOIN cases c ON c.id=s.case_id WHERE c.workload='spin' AND s.kind='%s'"
# shellcheck disable=SC2059
check "throughput series: one sample per window" [ "$(sq "$(printf "$tput" count throughput)")" = $WINDOWS ]
# shellcheck disable=SC2059
check "throughput unit is ops" [ "$(sq "$(printf "$tput" unit throughput)")" = ops ]
chunked=$(sq "SELECT sum(k.nsamples) FROM chunks k JOIN series s ON s.id=k.series_id WHERE s.kind='throughput'")
check "throughput chunks hold every window ($chunked)" [ "$chunked" = $WINDOWS ]
check "some window did work" [ "$(sq "SELECT m.max > 0 FROM summaries m JOIN series s ON s.id=m.series_id WHERE s.kind='throughput'")" = 1 ]
# shellcheck disable=SC2059
nnoise=$(sq "$(printf "$tput" count noise)")
check "noise events landed ($nnoise)" [ "${nnoise:-0}" -gt 0 ]
check "noise chunks hold every event" [ "$(sq "SELECT sum(k.nsamples) FROM chunks k JOIN series s ON s.id=k.series_id WHERE s.kind='noise'")" = "$nnoise" ]
check "noise events are above the 1 us threshold" [ "$(sq "SELECT m.min > 1000 FROM summaries m JOIN series s ON s.id=m.series_id WHERE s.kind='noise'")" = 1 ]
check "spin: nothing dropped" [ "$(sq "SELECT sum(dropped) FROM series")" = 0 ]

# --- counters ---------------------------------------------------------------
spin_case=$(sq "SELECT id FROM cases WHERE workload='spin'")
check "host-side counters stored for CPU 1" [ "$(sq "SELECT count(*) FROM counters WHERE case_id=$spin_case AND side='host' AND cpu=1 AND name LIKE 'irq.%'")" -gt 0 ]
check "workload-side counters stored for CPU 1" [ "$(sq "SELECT count(*) FROM counters WHERE case_id=$spin_case AND side='workload' AND cpu=1")" -gt 0 ]
check "context switches of the spin thread stored" [ "$(sq "SELECT count(*) FROM counters WHERE case_id=$spin_case AND name IN ('ctxsw.voluntary','ctxsw.nonvoluntary') AND value >= 0")" = 2 ]
check "perf events stored or marked unsupported" [ "$(sq "SELECT count(*) FROM counters WHERE case_id=$spin_case AND name LIKE 'perf.%' AND (value >= 0 OR note LIKE 'unsupported%')")" = 3 ]
check "no counter is negative" [ "$(sq "SELECT count(*) FROM counters WHERE value < 0")" = 0 ]
check "a counter without value says why" [ "$(sq "SELECT count(*) FROM counters WHERE value IS NULL AND (note IS NULL OR note = '')")" = 0 ]
"$ISOLAT" --db "$DB" show last > "$T/show.txt"
check "show says what interrupted CPU 1" grep -q "what interrupted CPU 1: " "$T/show.txt"

# --- interrupt delta: idle vs loopback network load on the same CPU --------
cat > "$T/lat.ini" <<INI
[scenario]
name = e2e-irq
environments = bare
workloads = rtlat
cpus = 1
housekeeping = 0
interval_us = 1000
loops = 2000
INI
# The load: UDP datagrams to ourselves over 127.0.0.1, pinned to CPU 1,
# bounded in time and count; every send raises NET_RX on the sending CPU.
cat > "$T/udp_load.py" <<'PY'
import socket, sys, time
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", 0))
r.setblocking(False)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end, n, addr = time.monotonic() + float(sys.argv[1]), 0, r.getsockname()
while time.monotonic() < end and n < 20000000:
    s.sendto(b"x" * 64, addr)
    n += 1
    try:
        while True:
            r.recv(2048)
    except BlockingIOError:
        pass
PY
irq_sum="SELECT coalesce(sum(value),0) FROM counters WHERE case_id=(SELECT max(id) FROM cases) AND side='host' AND cpu=1 AND (name LIKE 'irq.%' OR name LIKE 'softirq.%')"
"$ISOLAT" --db "$DB" --quiet run "$T/lat.ini" > /dev/null
check "idle rtlat run exits 0" [ $? -eq 0 ]
idle=$(sq "$irq_sum")
taskset -c 1 timeout 60 python3 "$T/udp_load.py" 30 &
load_pid=$!
"$ISOLAT" --db "$DB" --quiet run "$T/lat.ini" > /dev/null
check "loaded rtlat run exits 0" [ $? -eq 0 ]
kill "$load_pid" 2>/dev/null
wait "$load_pid" 2>/dev/null
loaded=$(sq "$irq_sum")
check "loopback load raises CPU 1's interrupt delta (idle $idle, loaded $loaded)" [ "$loaded" -gt "$idle" ]

# --- trace on threshold ------------------------------------------------------
tr=/sys/kernel/tracing
was_mounted=no
[ -e $tr/tracing_on ] && was_mounted=yes
before=""
[ $was_mounted = yes ] && before="$(cat $tr/tracing_on $tr/current_tracer $tr/events/sched/sched_switch/enable 2>/dev/null)"
cat > "$T/trace.ini" <<INI
[scenario]
name = e2e-trace
environments = bare
workloads = rtlat
cpus = 1
housekeeping = 0
interval_us = 1000
loops = 2000
trace_threshold_us = 1
INI
"$ISOLAT" --db "$DB" --quiet run "$T/trace.ini" > /dev/null
check "trace run exits 0" [ $? -eq 0 ]
tcase="(SELECT max(id) FROM cases)"
trace=$(sq "SELECT substr(value, 1, 200) FROM case_facts WHERE case_id=$tcase AND key='trace'")
if [[ "$trace" == "trace unavailable"* ]]; then
	skip "threshold trace stored" "$trace"
	check "absence recorded, case still done" [ "$(sq "SELECT status FROM cases WHERE id=$tcase")" = done ]
else
	check "the workload stopped on the threshold" [ "$(sq "SELECT value FROM case_facts WHERE case_id=$tcase AND key='end.trace_stop'")" = yes ]
	check "the stop latency is above 1 us" [ "$(sq "SELECT value > 1000 FROM case_facts WHERE case_id=$tcase AND key='end.trace_stop_latency_ns'")" = 1 ]
	check "tracing_on was 0 after the case (ring frozen)" [ "$(sq "SELECT value FROM case_facts WHERE case_id=$tcase AND key='trace_stopped'")" = yes ]
	check "threshold trace stored with the case" grep -q "^# tracer: nop" <<<"$trace"
	check "trace kept within 1 MiB" [ "$(sq "SELECT length(value) <= 1048576 AND length(value) > 100 FROM case_facts WHERE case_id=$tcase AND key='trace'")" = 1 ]
	check "the run stopped early" [ "$(sq "SELECT count FROM series WHERE case_id=$tcase")" -lt 2000 ]
fi
now_mounted=no
[ -e $tr/tracing_on ] && now_mounted=yes
check "tracefs mount state left as found ($was_mounted)" [ $was_mounted = $now_mounted ]
if [ $was_mounted = yes ]; then
	after="$(cat $tr/tracing_on $tr/current_tracer $tr/events/sched/sched_switch/enable 2>/dev/null)"
	check "tracefs settings restored" [ "$before" = "$after" ]
fi

if command -v gnuplot >/dev/null; then
	"$ISOLAT" --db "$DB" --quiet report -o "$T/rep" "$(sq "SELECT uuid FROM runs WHERE scenario_name='e2e-spin'")" > /dev/null
	check "report of the spin run exits 0" [ $? -eq 0 ]
	check "report has the spin table" grep -q "Throughput and OS noise" "$T/rep/index.html"
	check "noise histogram SVG is XML" xmllint --noout "$T/rep/spin-noise.svg"
else
	skip "spin report" "gnuplot not installed"
fi
