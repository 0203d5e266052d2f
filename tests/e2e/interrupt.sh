#!/bin/bash
# interrupt.sh - SIGINT mid-case: the run says interrupted (exit 130), the
# current case is failed with the reason, the rest skipped, the samples so
# far are kept, and no workload process is left behind.
. "$(dirname "$0")/lib.sh"

need_root "interrupt a run" || exit 0
cat > "$T/long.ini" <<INI
[scenario]
name = e2e-interrupt
workloads = rtlat, cyclictest
cpus = 1
housekeeping = 0
duration_s = 60
INI
DB=$T/r.db
"$ISOLAT" --db "$DB" --quiet run "$T/long.ini" > "$T/uuid" 2>"$T/err" &
pid=$!
# wait until samples are flowing (the first case is running)
for _ in $(seq 100); do
	[ -s "$DB" ] && [ "$(q "$DB" "SELECT count(*) FROM cases WHERE status='running'" 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
sleep 1.5
kill -INT $pid
wait $pid; rc=$?
check "interrupted run exits 130" [ $rc -eq 130 ]
check "run status interrupted" [ "$(q "$DB" "SELECT status FROM runs")" = interrupted ]
check "current case failed: interrupted" [ "$(q "$DB" "SELECT status||': '||substr(reason,1,11) FROM cases WHERE idx=0")" = "failed: interrupted" ]
check "next case skipped" [ "$(q "$DB" "SELECT status FROM cases WHERE idx=1")" = skipped ]
check "workload drained and sent END (status interrupted)" [ "$(q "$DB" "SELECT value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.idx=0 AND f.key='end.status'")" = interrupted ]
check "no truncated stream" [ "$(q "$DB" "SELECT count(*) FROM events WHERE kind='truncated'")" = 0 ]
check "END totals match what was stored" [ "$(q "$DB" "SELECT f.value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.idx=0 AND f.key='end.series.0.count'")" = "$(q "$DB" "SELECT count FROM series s JOIN cases c ON c.id=s.case_id WHERE c.idx=0")" ]
check "samples so far kept" [ "$(q "$DB" "SELECT sum(count) FROM series")" -gt 100 ]
check "no isolat-wl or cyclictest left" bash -c '! pgrep -x isolat-wl >/dev/null && ! pgrep -x cyclictest >/dev/null'
