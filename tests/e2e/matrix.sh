#!/bin/bash
# matrix.sh - issue 5's end-to-end acceptance for host tuning on bare
# metal: a scenario of 2 profiles (none, and "full": every run-time knob
# this host has, cpuset isolation and ftrace on threshold) x 2 loads (none,
# cpu via stress-ng) lands every case with its samples; a snapshot of every
# knob isolat touches (lib_snapshot.sh: IRQ affinities, kernel sysctls,
# THP, workqueue mask, governors, cpusets, kthread priorities, tracefs
# files and mount) is identical before and after the run; the same
# profile killed with kill -9 mid-case (tuning and tracing applied) and
# then `isolat restore` gives an identical snapshot again; a profile
# needing isolcpus=1, which this host was not booted with, is skipped
# with a reason naming isolcpus.  profiles.sh covers each knob's facts and
# SIGINT; loads.sh the load details.  No timing value is asserted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_snapshot.sh"

need_root "matrix: 2 profiles x 2 loads, restore" || exit 0
if ! command -v stress-ng > /dev/null; then
	skip "matrix: 2 profiles x 2 loads" "stress-ng not installed (apt-get install stress-ng)"
	exit 0
fi
JOURNAL=/run/isolat/journal
if [ -e "$JOURNAL" ]; then
	fail "a tuning journal is already present ($JOURNAL); run isolat restore"
	exit 1
fi
grep -qw 'isolcpus=[^ ]*1' /proc/cmdline && skip_boot=1 || skip_boot=0
# cgroup v1 cpusets or a v2 partition; neither: the profile goes without.
mode=$(cpuset_mode)
case $mode in
v1) shield_fact="isolat.tune.isolated = 1 without" ;;
v2) shield_fact="isolat.tune.isolated partition" ;;
esac
# Whatever fails below, the host is not left tuned.
trap '"$ISOLAT" --quiet restore > /dev/null 2>&1; rm -rf "$T"' EXIT

differs() { ! cmp -s "$1" "$2"; }
sq() { q "$DB" "$1"; }

# Every run-time knob; governor is "not applicable" without cpufreq.
profile_full() {
	cat <<INI
[profile full]
description = every run-time host knob isolat has
irq_affinity = housekeeping
workqueue_cpumask = housekeeping
timer_migration = 0
sched_rt_runtime_us = -1
thp = never
kthread_priority = 50
cpuset_isolate = $([ $mode = none ] && echo no || echo yes)
governor = performance
dma_latency = 0
INI
}

# trace_threshold_us far above any latency: the ring is set up and
# journaled but never stopped early.
cat > "$T/m.ini" <<INI
[scenario]
name = e2e-matrix
environments = bare
profiles = none, full, boot
workloads = rtlat
loads = none, cpu
load_settle_s = 1
cpus = 1
housekeeping = 0
interval_us = 500
loops = 2000
trace_threshold_us = 5000000

$(profile_full)

[profile boot]
isolcpus = 1
INI
DB=$T/m.db
snapshot > "$T/before"
ring_fresh=$(grep -c '^tracefs/buffer_size_kb [0-9]* (expanded:' "$T/before")
"$ISOLAT" --db "$DB" --quiet run "$T/m.ini" > "$T/run.out" 2>&1
rc=$?
snapshot > "$T/after"
check "run exits 0 ($rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/# /' "$T/run.out" | tail -5
want="none/none:done none/cpu:done full/none:done full/cpu:done"
[ $skip_boot = 0 ] && want="$want boot/none:skipped boot/cpu:skipped"
got=$(sq "SELECT group_concat(profile||'/'||load||':'||status, ' ') FROM (SELECT * FROM cases ORDER BY idx)")
check "2 profiles x 2 loads done, boot skipped ($got)" [ "$got" = "$want" ]
check "every done case landed its samples" [ "$(sq "SELECT count(*) FROM series s JOIN cases c ON c.id=s.case_id WHERE c.status='done' AND s.count = 2000")" = 4 ]
if [ $skip_boot = 0 ]; then
	reason=$(sq "SELECT reason FROM cases WHERE profile='boot' LIMIT 1")
	check "boot skip reason names isolcpus ($reason)" grep -q "isolcpus=1" <<<"$reason"
else
	skip "boot skip reason names isolcpus" "this host was booted with isolcpus=1"
fi
fact() { sq "SELECT f.value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.profile='$1' AND c.load='$2' AND f.key='$3'"; }
for l in none cpu; do
	if [ $mode = none ]; then
		skip "full/$l: cpuset isolation applied" "no usable cpuset controller here"
	else
		check "full/$l: cpuset isolation applied" grep -q "$shield_fact" <<<"$(fact full $l tune.cpuset_isolate)"
	fi
	check "full/$l: tuning and tracefs undone after the case ($(fact full $l tune.restore))" grep -qE '^[1-9][0-9]* changes? undone$' <<<"$(fact full $l tune.restore)"
	t=$(fact full $l trace_stopped)
	check "full/$l: ftrace was set up (trace_stopped=$t)" [ "$t" = no ]
	# none: no profile knob, but the tracefs changes are journaled too.
	check "none/$l: tracefs undone through the journal ($(fact none $l tune.restore))" grep -qE '^[1-9][0-9]* changes? undone$' <<<"$(fact none $l tune.restore)"
done
# The first case that traces since boot expands the kernel's ring for
# good: it says so (fact trace_ring), and later cases have nothing to say.
ring=$(sq "SELECT f.value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE f.key='trace_ring' ORDER BY c.idx")
if [ "$ring_fresh" = 1 ]; then
	check "unexpanded trace ring: the first traced case says it cannot be put back ($ring)" grep -q "cannot shrink it back" <<<"$ring"
	check "only that case says so" [ "$(grep -c . <<<"$ring")" = 1 ]
else
	check "trace ring expanded before the run: no case claims to have expanded it" [ -z "$ring" ]
fi
check "full/cpu: stress-ng ran ($(fact full cpu load.exit))" [ "$(fact full cpu load.exit)" = "exit status 0" ]
check "no tune.restore.failed fact" [ "$(sq "SELECT count(*) FROM case_facts WHERE key LIKE 'tune.restore.failed.%'")" = 0 ]
check "every knob after the run identical to before" snap_same "$T/before" "$T/after"
snap_diff "$T/before" "$T/after"
check "no journal left after the run" [ ! -e "$JOURNAL" ]
check "no stress-ng left after the run" bash -c '! pgrep -x stress-ng > /dev/null'

# kill -9 of the harness mid-case, once the profile and ftrace are
# applied (the tracefs records come last in the journal): the journal
# survives, `isolat restore` brings every knob back.
cat > "$T/k.ini" <<INI
[scenario]
name = e2e-matrix-kill
environments = bare
profiles = full
workloads = rtlat
loads = cpu
load_settle_s = 1
cpus = 1
housekeeping = 0
interval_us = 500
loops = 120000
trace_threshold_us = 5000000

$(profile_full)
INI
"$ISOLAT" --db "$T/k.db" --quiet run "$T/k.ini" > /dev/null 2>&1 &
pid=$!
# Tracing is set up before the environment starts the workload: once
# isolat-wl runs, every change of the case is made.
for _ in $(seq 1 150); do
	grep -q 'events/irq/' "$JOURNAL" 2>/dev/null &&
		pgrep -P $pid -x isolat-wl > /dev/null && break
	sleep 0.2
done
sleep 0.5
snapshot > "$T/during"
check "journal holds tuning and tracefs records while the case runs" grep -q "tracing_on" "$JOURNAL"
[ $mode = none ] ||
	check "journal holds the cpuset directory" grep -q "^mkdir	cpuset_isolate	/sys/fs/cgroup/.*isolat.tune.isolated" "$JOURNAL"
check "host is tuned and tracing while the case runs" differs "$T/before" "$T/during"
check "tracefs differs while tracing" differs <(grep '^tracefs\|^mount tracefs' "$T/before") <(grep '^tracefs\|^mount tracefs' "$T/during")
children=$(pgrep -P $pid)
{ kill -9 $pid; wait $pid; } 2> /dev/null
snapshot > "$T/killed"
check "kill -9 leaves the journal" [ -s "$JOURNAL" ]
check "kill -9 leaves the host tuned" differs "$T/before" "$T/killed"
"$ISOLAT" restore 2> "$T/restore.err"
rc=$?
snapshot > "$T/restored"
check "restore exits 0 ($rc)" [ $rc -eq 0 ]
check "restore wrote tracefs back" grep -q "trace_threshold_us /sys/kernel/tracing/tracing_on" "$T/restore.err"
check "restore: every knob identical to before the run" snap_same "$T/before" "$T/restored"
snap_diff "$T/before" "$T/restored"
check "restore removes the journal" [ ! -e "$JOURNAL" ]
# The dead harness's workload and load end by themselves (loops, stress-ng
# --timeout); stop them by pid so the next test starts on a quiet host.
for c in $children; do kill -TERM -- -"$c" 2> /dev/null; kill -TERM "$c" 2> /dev/null; done
sleep 1
check "restore again: nothing to do, exit 0" "$ISOLAT" --quiet restore
# restore marked the killed run aborted in its database (the run had
# written that database's path beside the journal), not 'running' until
# a later run happens to open it.
check "restore marked the killed run aborted" [ "$(q "$T/k.db" "SELECT status FROM runs")" = aborted ]
check "restore said so" grep -q "1 run in .*k.db left 'running' by a harness that died: marked aborted" "$T/restore.err"
printf '[scenario]\nname = after-kill\ncpus = 1\nhousekeeping = 0\ninterval_us = 500\nloops = 200\n' > "$T/a.ini"
"$ISOLAT" --db "$T/k.db" --quiet run "$T/a.ini" > /dev/null 2> "$T/after.err"
check "the next run finds nothing left to mark ($(cat "$T/after.err"))" [ "$(q "$T/k.db" "SELECT group_concat(status, ' ') FROM runs ORDER BY id")" = "aborted done" ]
check "its running case failed, with the reason" grep -q "harness died" <<<"$(q "$T/k.db" "SELECT reason FROM cases WHERE status='failed'")"
