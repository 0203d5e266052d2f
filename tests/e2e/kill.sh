#!/bin/bash
# kill.sh - kill -9 of the harness mid-case with a cpu load, then `isolat
# restore` (issue 12, docs/restore.md): no isolat process, stress-ng,
# container, work directory or journal remains, and the snapshot
# (lib_snapshot.sh: IRQ affinities and their lists, sysctls, cgroups with
# cpu.rt_runtime_us, kernel threads' policy and CPUs, mounts, tracefs) is
# the one from before the run - but for the one thing the kernel cannot
# put back (snap_same).  For bare (host tuning, tracing, a host-side load)
# and for lxc (the container, its RT budget, the load inside it).  Then
# the same kill without restore: the next run cleans up by itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_snapshot.sh"

need_root "kill -9 mid-case, then restore" || exit 0
if ! command -v stress-ng > /dev/null; then
	skip "kill -9 mid-case" "stress-ng not installed (apt-get install stress-ng)"
	exit 0
fi
JOURNAL=/run/isolat/journal
LXCPATH=/run/isolat/lxc
if [ -e "$JOURNAL" ]; then
	fail "a tuning journal is already present ($JOURNAL); run isolat restore"
	exit 1
fi
bg=
cleanup() {
	[ -n "$bg" ] && kill -9 "$bg" 2> /dev/null
	"$ISOLAT" --quiet restore > /dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# Live (not zombie: whoever inherits them may be slow to reap) processes
# named $1.
alive() { ps -eo stat=,comm= | awk -v c="$1" '$1 !~ /^Z/ && $2 == c'; }
# Work directories (the run loop's /tmp/isolat-XXXXXXXXXX, older ones
# had 6 letters), one per line.
workdirs() { ls -d /tmp/isolat-* 2> /dev/null | grep -E '^/tmp/isolat-[A-Za-z0-9]{6,16}$' | sort; }
# Our containers, left in the lxcpath.
containers() { ls "$LXCPATH" 2> /dev/null | grep '^isolat-'; }

# kill_mid_case NAME INI: start the run, wait for its load, kill -9 it.
kill_mid_case() {
	local i
	"$ISOLAT" --db "$T/$1.db" --quiet run "$2" > /dev/null 2>&1 &
	bg=$!
	for i in $(seq 150); do
		[ -n "$(alive stress-ng)" ] && [ -n "$(alive isolat-wl)" ] &&
			grep -qs "$3" "$JOURNAL" && break
		sleep 0.2
	done
	sleep 1
	check "$1: the load runs mid-case" [ -n "$(alive stress-ng)" ]
	check "$1: the journal names $3" grep -qs "^$3	" "$JOURNAL"
	kill -9 $bg
	{ wait $bg; } 2> /dev/null
	bg=
	sleep 0.5
}

# nothing_left NAME: no process, container, work directory or journal.
nothing_left() {
	check "$1: no stress-ng left" [ -z "$(alive stress-ng)" ]
	check "$1: no isolat-wl left" [ -z "$(alive isolat-wl)" ]
	check "$1: no isolat process left" [ -z "$(alive isolat)" ]
	check "$1: no container left ($(containers | xargs))" [ -z "$(containers)" ]
	check "$1: no work directory left" [ "$(workdirs)" = "$WORKDIRS" ]
	[ "$(workdirs)" = "$WORKDIRS" ] ||
		diff <(echo "$WORKDIRS") <(workdirs) | sed 's/^/# /' 
	check "$1: no journal left" [ ! -e "$JOURNAL" ]
	check "$1: no run marker left" [ ! -e "$JOURNAL.run" ]
}

cat > "$T/bare.ini" <<INI
[scenario]
name = e2e-kill-bare
environments = bare
profiles = tuned
workloads = rtlat
loads = cpu
load_cpus = housekeeping
load_settle_s = 1
cpus = 1
housekeeping = 0
interval_us = 500
duration_s = 120
trace_threshold_us = 5000000

[profile tuned]
irq_affinity = housekeeping
workqueue_cpumask = housekeeping
timer_migration = 0
kthread_priority = 50
INI

WORKDIRS=$(workdirs)
snapshot > "$T/before"
kill_mid_case bare "$T/bare.ini" proc
check "bare: kill -9 leaves the journal" [ -s "$JOURNAL" ]
"$ISOLAT" restore 2> "$T/restore.err"
rc=$?
check "bare: restore exits 0 ($rc)" [ $rc -eq 0 ]
check "bare: restore removed the work directory" grep -q "work directory /tmp/isolat-.*: removed" "$T/restore.err"
check "bare: restore marked the killed run aborted in its database" grep -q "1 run in $T/bare.db left 'running' by a harness that died: marked aborted" "$T/restore.err"
check "bare: the run is aborted, not running (and not 'last' running)" [ "$(q "$T/bare.db" "SELECT status FROM runs")" = aborted ]
check "bare: its case failed with the reason" [ "$(q "$T/bare.db" "SELECT count(*) FROM cases WHERE status = 'failed' AND reason LIKE 'the harness died%'")" = 1 ]
nothing_left bare
snapshot > "$T/after"
check "bare: snapshot identical to before the run" snap_same "$T/before" "$T/after"
snap_diff "$T/before" "$T/after"

# The same kill, no restore: the next run replays the dead run's journal
# before it starts anything, and marks the dead run aborted in the
# database it was writing, though the next run writes another.
kill_mid_case bare-next "$T/bare.ini" proc
printf '[scenario]\nname = after-kill\ncpus = 1\nhousekeeping = 0\ninterval_us = 500\nloops = 200\n' > "$T/a.ini"
"$ISOLAT" --db "$T/a.db" --quiet run "$T/a.ini" > /dev/null 2> "$T/next.err"
rc=$?
check "bare-next: the next run exits 0 ($rc)" [ $rc -eq 0 ]
check "bare-next: it restored the host first" grep -q "which is gone: restoring the host first" "$T/next.err"
check "bare-next: ... and removed the work directory" grep -q "isolat run: work directory /tmp/isolat-.*: removed" "$T/next.err"
check "bare-next: the killed run is aborted in its own database (not the next run's)" [ "$(q "$T/bare-next.db" "SELECT status FROM runs")" = aborted ]
nothing_left bare-next
snapshot > "$T/after"
check "bare-next: snapshot identical to before the run" snap_same "$T/before" "$T/after"
snap_diff "$T/before" "$T/after"

if "$ISOLAT" envs 2> /dev/null | grep -qE '^  lxc +ready'; then
	cat > "$T/lxc.ini" <<INI
[scenario]
name = e2e-kill-lxc
environments = lxc
workloads = rtlat
loads = cpu
load_side = inside
load_settle_s = 1
cpus = 1
housekeeping = 0
interval_us = 500
duration_s = 120
INI
	WORKDIRS=$(workdirs)
	snapshot > "$T/before"
	kill_mid_case lxc "$T/lxc.ini" container
	name=$(sed -n 's/^container	lxc	\([^	]*\)	.*/\1/p' "$JOURNAL" 2> /dev/null)
	"$ISOLAT" restore 2> "$T/restore.err"
	rc=$?
	check "lxc: restore exits 0 ($rc)" [ $rc -eq 0 ]
	check "lxc: restore destroyed the container ($name)" grep -q "LXC container $name: stopped and destroyed" "$T/restore.err"
	# (destroying the container removes its rootfs and the directory
	# that held it; the workdir record then finds it gone)
	check "lxc: restore removed the work directory" grep -qE "work directory /tmp/isolat-.*: (removed|already gone)" "$T/restore.err"
	nothing_left lxc
	check "lxc: no isolat cgroup left" [ -z "$(ls -d /sys/fs/cgroup/*/isolat.* /sys/fs/cgroup/isolat.* 2> /dev/null)" ]
	snapshot > "$T/after"
	check "lxc: snapshot identical to before the run" snap_same "$T/before" "$T/after"
	snap_diff "$T/before" "$T/after"
else
	skip "lxc: kill -9 mid-case, then restore" "lxc not ready: $("$ISOLAT" envs 2> /dev/null | grep -E '^  lxc ' | sed 's/^  lxc *//')"
fi
exit 0
