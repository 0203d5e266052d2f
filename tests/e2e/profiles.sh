#!/bin/bash
# profiles.sh - host tuning of isolation profiles: applied for the case,
# journaled before each change, undone after it; after a kill -9 the
# journal brings the host back through `isolat restore`, or through the
# next run when restore was not run; a profile that
# needs a boot parameter this host lacks is skipped with the reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_snapshot.sh"

need_root "profiles: host tuning and restore" || exit 0
JOURNAL=/run/isolat/journal
if [ -e "$JOURNAL" ]; then
	fail "a tuning journal is already present ($JOURNAL); run isolat restore"
	exit 1
fi
# Whatever fails below, the host is not left tuned.
trap '"$ISOLAT" --quiet restore > /dev/null 2>&1; rm -rf "$T"' EXIT

differs() { ! cmp -s "$1" "$2"; }
not_in() { ! grep -qE "$1" "$2"; }

profile_irq() {
	cat <<INI
[profile irq]
description = host IRQs, timers, THP, workqueues off the measured CPU
irq_affinity = housekeeping
timer_migration = 0
thp = never
workqueue_cpumask = housekeeping
kthread_priority = 50
INI
}

cat > "$T/s.ini" <<INI
[scenario]
name = e2e-profiles
environments = bare
profiles = none, irq, boot, misc, shield
workloads = rtlat
cpus = 1
housekeeping = 0
interval_us = 500
loops = 4000

$(profile_irq)

[profile boot]
isolcpus = 1

[profile misc]
governor = performance
dma_latency = 0
sched_rt_runtime_us = -1

[profile shield]
cpuset_isolate = yes
INI
DB=$T/r.db
# The last record cpuset_isolate journals, by cgroup version; without a
# usable cpuset controller the shield case fails with the reason.
case $(cpuset_mode) in
v1) want_shield=done last_knob=cpuset.sched_load_balance
    shield_fact="isolat.tune.isolated = 1 without load balancing" ;;
v2) want_shield=done last_knob=cpuset.cpus.partition
    shield_fact="isolat.tune.isolated partition" ;;
*) want_shield=failed last_knob=kthread_priority ;;
esac
snapshot > "$T/before"
"$ISOLAT" --db "$DB" --quiet run "$T/s.ini" > /dev/null
rc=$?
snapshot > "$T/after"
want_rc=0; [ $want_shield = done ] || want_rc=1
check "run exits $want_rc" [ $rc -eq $want_rc ]
check "none, irq, misc cases done, boot skipped" [ "$(q "$DB" "SELECT group_concat(profile||':'||status, ' ') FROM cases ORDER BY idx")" = "none:done irq:done boot:skipped misc:done shield:$want_shield" ]
reason=$(q "$DB" "SELECT reason FROM cases WHERE profile='boot'")
check "skip reason names isolcpus=1 ($reason)" grep -q "isolcpus=1" <<<"$reason"
check "irq case records tune.irq_affinity" [ "$(q "$DB" "SELECT value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.profile='irq' AND f.key='tune.irq_affinity'")" = 0 ]
for k in timer_migration thp workqueue_cpumask kthread_priority restore; do
	check "irq case records tune.$k" [ -n "$(q "$DB" "SELECT value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.profile='irq' AND f.key='tune.$k'")" ]
done
fact() { q "$DB" "SELECT value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.profile='$1' AND f.key='$2'"; }
gov=$(fact misc tune.governor)
if [ -e /sys/devices/system/cpu/cpu1/cpufreq/scaling_governor ]; then
	check "governor applied ($gov)" grep -q "^performance" <<<"$gov"
else
	check "no cpufreq: governor not applicable ($gov)" grep -q "not applicable" <<<"$gov"
fi
check "dma_latency recorded" grep -q "held by the rtlat workload" <<<"$(fact misc tune.dma_latency)"
check "sched_rt_runtime_us applied ($(fact misc tune.sched_rt_runtime_us))" grep -q "^-1 (was " <<<"$(fact misc tune.sched_rt_runtime_us)"
[ $want_shield = done ] &&
	check "cpuset_isolate applied ($(fact shield tune.cpuset_isolate))" grep -q "$shield_fact" <<<"$(fact shield tune.cpuset_isolate)"
facts=$("$ISOLAT" --db "$DB" show last --facts 1)
check "show --facts 1 lists the irq case's tuning" bash -c 'grep -q "^case 1  bare.irq" <<<"$1" && grep -q "^  tune.irq_affinity = 0$" <<<"$1" && ! grep -q "^case 0" <<<"$1"' _ "$facts"
check "show --facts 99: no such case, exit non-zero" bash -c '"$1" --db "$2" show last --facts 99 >/dev/null 2>&1; [ $? -ne 0 ]' _ "$ISOLAT" "$DB"
check "none case records no tuning" [ "$(q "$DB" "SELECT count(*) FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.profile='none' AND f.key LIKE 'tune.%'")" = 0 ]
check "host state after the run identical to before" snap_same "$T/before" "$T/after"
[ -s "$T/after" ] && snap_diff "$T/before" "$T/after"
check "no journal left after the run" [ ! -e "$JOURNAL" ]
# What isolation buys back: irq and misc against the baseline none.
"$ISOLAT" --db "$DB" show last > "$T/show.txt"
check "show compares the profiles: none is the baseline" grep -qE '^bare +rtlat +none +none +1 .*x +\+0\.0  baseline$' "$T/show.txt"
check "show compares the profiles: irq against none" grep -qE '^bare +rtlat +none +irq +1 .*x +[+-][0-9.]+$' "$T/show.txt"
check "show leaves the skipped boot profile out" not_in "bare +rtlat +none +boot " "$T/show.txt"
if command -v gnuplot >/dev/null; then
	"$ISOLAT" --db "$DB" --quiet report -o "$T/rep" last > /dev/null
	check "report has the profiles table" grep -q "<h2 id=\"profiles\">Profiles compared</h2>" "$T/rep/index.html"
	check "report has the profiles plot" [ -s "$T/rep/profiles-bare.png" ]
else
	skip "report profiles table" "gnuplot not installed"
fi

# kill -9 mid-case: the journal survives, restore undoes (and the next
# run, when restore was not run).
cat > "$T/k.ini" <<INI
[scenario]
name = e2e-profiles-kill
environments = bare
profiles = irq
workloads = rtlat
cpus = 1
housekeeping = 0
interval_us = 500
loops = 60000

$(profile_irq)
$([ $want_shield = done ] && echo "cpuset_isolate = yes")
INI
"$ISOLAT" --db "$T/k.db" --quiet run "$T/k.ini" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	grep -q "$last_knob" "$JOURNAL" 2>/dev/null && break
	sleep 0.2
done
sleep 1
check "journal exists while the case runs" [ -s "$JOURNAL" ]
snapshot > "$T/during"
# Written before the change: the journal holds the original values.
orig=$(awk -F'\t' '$3=="/proc/sys/kernel/timer_migration" {print $4}' "$JOURNAL")
check "journal holds timer_migration's original ($orig)" [ "$orig" = "$(awk '$1=="/proc/sys/kernel/timer_migration" {print $2}' "$T/before")" ]
check "host is tuned while the case runs" differs "$T/before" "$T/during"
{ kill -9 $pid; wait $pid; } 2>/dev/null
sleep 1
snapshot > "$T/killed"
check "kill -9 leaves the journal" [ -s "$JOURNAL" ]
check "kill -9 leaves the host tuned" differs "$T/before" "$T/killed"
"$ISOLAT" --quiet restore
rc=$?
snapshot > "$T/restored"
check "restore exits 0" [ $rc -eq 0 ]
check "restore brings every value back identical" snap_same "$T/before" "$T/restored"
snap_diff "$T/before" "$T/restored"
check "restore removes the journal" [ ! -e "$JOURNAL" ]
"$ISOLAT" --quiet restore
check "restore again: nothing to do, exit 0" [ $? -eq 0 ]

# The same kill, then no restore: the next run replays the dead harness's
# journal itself before it tunes anything (docs/restore.md).
"$ISOLAT" --db "$T/k.db" --quiet run "$T/k.ini" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	grep -q "$last_knob" "$JOURNAL" 2>/dev/null && break
	sleep 0.2
done
sleep 1
{ kill -9 $pid; wait $pid; } 2>/dev/null
check "kill -9 again leaves the journal" [ -s "$JOURNAL" ]
"$ISOLAT" --db "$T/k.db" --quiet run "$T/s.ini" > /dev/null 2> "$T/next.err"
rc=$?
snapshot > "$T/restored"
check "the next run restores the host first" grep -q "which is gone: restoring the host first" "$T/next.err"
check "... and then runs (exit $rc)" [ $rc -eq $want_rc ]
check "no journal after it" [ ! -e "$JOURNAL" ]
check "every value back identical after it" snap_same "$T/before" "$T/restored"
snap_diff "$T/before" "$T/restored"

# SIGINT mid-case: the run loop's signal path undoes the tuning itself.
"$ISOLAT" --db "$T/i.db" --quiet run "$T/k.ini" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	grep -q "$last_knob" "$JOURNAL" 2>/dev/null && break
	sleep 0.2
done
sleep 1
snapshot > "$T/during2"
check "host is tuned before SIGINT" differs "$T/before" "$T/during2"
kill -INT $pid
wait $pid
rc=$?
snapshot > "$T/interrupted"
check "interrupted run exits 130 ($rc)" [ $rc -eq 130 ]
check "SIGINT: every value back identical" snap_same "$T/before" "$T/interrupted"
check "SIGINT: journal removed" [ ! -e "$JOURNAL" ]
check "SIGINT: case records tune.restore" [ -n "$(q "$T/i.db" "SELECT value FROM case_facts WHERE key='tune.restore'")" ]
