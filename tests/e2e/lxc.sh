#!/bin/bash
# lxc.sh - the lxc environment with real containers (liblxc), next to bare:
# samples land for every case; the workload really ran inside (its PID
# namespace and cgroup differ from the host's) with SCHED_FIFO; a container
# that cannot start fails its case with liblxc's reason and the run goes
# on; nothing is left behind; a container left by a killed run is removed
# by the next run, with a message.
. "$(dirname "$0")/lib.sh"

need_root "lxc environment" || exit 0
if ! "$ISOLAT" envs 2>/dev/null | grep -qE '^  lxc +ready'; then
	skip "lxc environment" "$("$ISOLAT" envs 2>/dev/null | grep -E '^  lxc ' | sed 's/^  lxc *//')"
	exit 0
fi
LXCPATH=/run/isolat/lxc
EXCL=/sys/fs/cgroup/cpuset/isolat-e2e-excl
bg=
cleanup() {
	[ -n "$bg" ] && kill -9 "$bg" 2>/dev/null
	[ -d "$EXCL" ] && rmdir "$EXCL" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# Workloads running in one of our containers (other tests may run
# isolat-wl on the host meanwhile).
in_container() {
	local p
	for p in $(pgrep -x isolat-wl); do
		grep -qs 'isolat\.payload\.' /proc/$p/cgroup && echo $p
	done
}
# Nothing of ours anywhere: lxcpath, cgroups, processes.
leftovers() {
	ls "$LXCPATH" 2>/dev/null | grep '^isolat-'
	ls -d /sys/fs/cgroup/*/isolat.* /sys/fs/cgroup/isolat.* 2>/dev/null
	in_container
}
# fact DB CASE-NAME-LIKE KEY
fact() { q "$1" "SELECT f.value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.name LIKE '$2' AND f.key='$3'"; }

LOOPS=2000
cat > "$T/s.ini" <<INI
[scenario]
name = e2e-lxc
environments = bare, lxc
workloads = rtlat, cyclictest
cpus = 1
housekeeping = 0
interval_us = 500
loops = $LOOPS
INI
DB=$T/r.db
"$ISOLAT" --db "$DB" --quiet run "$T/s.ini" > "$T/uuid" 2> "$T/err"
rc=$?
check "bare + lxc run exits 0 (rc $rc: $(head -c 300 "$T/err"))" [ $rc -eq 0 ]
check "four cases done" [ "$(q "$DB" "SELECT group_concat(name||':'||status, ' ') FROM cases ORDER BY idx")" = "bare.none.rtlat.none:done bare.none.cyclictest.none:done lxc.none.rtlat.none:done lxc.none.cyclictest.none:done" ]
host_pidns=$(readlink /proc/self/ns/pid)
for env in bare lxc; do
	for wl in rtlat cyclictest; do
		c=$env.none.$wl.none
		cnt=$(q "$DB" "SELECT sum(s.count) FROM series s JOIN cases c ON c.id=s.case_id WHERE c.name='$c'")
		check "$c: every sample stored ($cnt)" [ "$cnt" = "$LOOPS" ]
		check "$c: SCHED_FIFO 95 obtained" [ "$(fact "$DB" "$c" end.series.0.policy) $(fact "$DB" "$c" end.series.0.priority)" = "SCHED_FIFO 95" ]
	done
done
for wl in rtlat cyclictest; do
	c=lxc.none.$wl.none
	pidns=$(fact "$DB" "$c" pidns)
	check "$wl: lxc PID namespace ($pidns) differs from the host's ($host_pidns)" \
		[ -n "$pidns" -a "$pidns" != "$host_pidns" -a "$pidns" != "$(fact "$DB" bare.none.$wl.none pidns)" ]
	check "$wl: lxc.host_pidns fact is the host's" [ "$(fact "$DB" "$c" lxc.host_pidns)" = "$host_pidns" ]
	cg=$(fact "$DB" "$c" cgroup)
	check "$wl: lxc cgroup ($cg) differs from bare's and is the container's" \
		[ "$cg" != "$(fact "$DB" bare.none.$wl.none cgroup)" -a "${cg#*isolat.payload.}" != "$cg" ]
	check "$wl: config stored (caps, limits, no network)" \
		bash -c 'grep -q "^lxc.cap.keep = sys_nice ipc_lock$" <<<"$1" && grep -q "^lxc.net.0.type = empty$" <<<"$1" && grep -q "^lxc.prlimit.memlock = " <<<"$1"' _ "$(fact "$DB" "$c" lxc.config)"
	if [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]; then
		check "$wl: RT budget recorded" [ "$(q "$DB" "SELECT count(*) FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.name='$c' AND f.key LIKE 'lxc.rt_runtime_us.%'")" -ge 1 ]
	else
		check "$wl: no RT budget needed, recorded" [ -n "$(fact "$DB" "$c" lxc.rt_budget)" ]
	fi
	check "$wl: liblxc's log stored" [ -n "$(fact "$DB" "$c" lxc.log)" ]
done
check "RT budget of the root cgroup unchanged" [ ! -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us -o "$(cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us 2>/dev/null)" = "$(cat /proc/sys/kernel/sched_rt_runtime_us)" ]
check "no container, cgroup or workload left" [ -z "$(leftovers)" ]

# A container the kernel refuses to start: another cpuset holds CPU 1
# exclusively (a real situation on a shared board), so liblxc cannot give
# the new container's cgroup the CPUs.  bare still runs after it.
if [ -d /sys/fs/cgroup/cpuset ] && [ -e /sys/fs/cgroup/cpuset/cpuset.cpu_exclusive ]; then
	# liblxc's pivot cgroup overlaps every CPU; it is empty between
	# container exits and liblxc makes it again when needed.
	rmdir /sys/fs/cgroup/cpuset/lxc.pivot 2>/dev/null
	mkdir -p "$EXCL" && echo 1 > "$EXCL/cpuset.cpus" && echo 0 > "$EXCL/cpuset.mems" &&
		echo 1 > "$EXCL/cpuset.cpu_exclusive" 2>/dev/null
	if [ "$(cat "$EXCL/cpuset.cpu_exclusive" 2>/dev/null)" = 1 ]; then
		cat > "$T/f.ini" <<INI
[scenario]
name = e2e-lxc-fail
environments = lxc, bare
workloads = rtlat
cpus = 1
housekeeping = 0
interval_us = 500
loops = $LOOPS
INI
		"$ISOLAT" --db "$T/f.db" --quiet run "$T/f.ini" > /dev/null 2> "$T/ferr"
		rc=$?
		rmdir "$EXCL"
		reason=$(q "$T/f.db" "SELECT reason FROM cases WHERE idx=0")
		check "start failure: run exits 1 ($rc)" [ $rc -eq 1 ]
		check "start failure: lxc case failed with liblxc's reason ($reason)" \
			bash -c '[ "$(sqlite3 "$1" "SELECT status FROM cases WHERE idx=0")" = failed ] && grep -q "failed to start: .*cpuset" <<<"$2"' _ "$T/f.db" "$reason"
		check "start failure: container log stored" bash -c 'grep -q ERROR <<<"$1"' _ "$(fact "$T/f.db" lxc.% lxc.log)"
		check "start failure: the run went on (bare done, $LOOPS samples)" \
			[ "$(q "$T/f.db" "SELECT c.status||' '||sum(s.count) FROM cases c JOIN series s ON s.case_id=c.id WHERE c.idx=1")" = "done $LOOPS" ]
		check "start failure: nothing left" [ -z "$(leftovers)" ]
	else
		rmdir "$EXCL" 2>/dev/null
		skip "start failure" "cannot make an exclusive cpuset on CPU 1 here (another cpuset overlaps it)"
	fi
else
	skip "start failure" "no cgroup v1 cpuset hierarchy to hold CPU 1 exclusively"
fi

# kill -9 of the harness mid-case leaves a container; the next run
# removes it (replaying the dead run's journal) and says so.
cat > "$T/long.ini" <<INI
[scenario]
name = e2e-lxc-kill
environments = lxc
workloads = rtlat
cpus = 1
housekeeping = 0
duration_s = 60
INI
"$ISOLAT" --db "$T/k.db" --quiet run "$T/long.ini" > /dev/null 2>&1 &
bg=$!
# (the case's rows are committed only when it ends: watch the host)
running() {
	name=$(ls "$LXCPATH" 2>/dev/null | grep "^isolat-$1-" | head -1)
	[ -n "$name" ] && [ -n "$(in_container)" ]
}
for _ in $(seq 100); do running $bg && break; sleep 0.2; done
sleep 1
rootfs=$(sed -n 's/^lxc.rootfs.path = \(dir:\)\{0,1\}//p' "$LXCPATH/$name/config" 2>/dev/null)
kill -9 $bg
{ wait $bg; } 2>/dev/null
bg=
check "killed run left its container ($name)" [ -n "$name" -a -d "$LXCPATH/$name" ]
cat > "$T/short.ini" <<INI
[scenario]
name = e2e-lxc-after
environments = lxc
workloads = rtlat
cpus = 1
housekeeping = 0
interval_us = 500
loops = 500
INI
"$ISOLAT" --db "$T/a.db" --quiet run "$T/short.ini" > /dev/null 2> "$T/aerr"
rc=$?
check "next run exits 0 ($rc)" [ $rc -eq 0 ]
# The dead run's journal names its container (docs/restore.md): the next
# run destroys it before it starts anything.
check "next run says it destroyed $name" grep -q "LXC container $name: stopped and destroyed" "$T/aerr"
check "the leftover is gone, nothing left" [ ! -e "$LXCPATH/$name" -a -z "$(leftovers)" ]
check "its rootfs and work directory are gone (${rootfs%/rootfs})" [ -n "$rootfs" -a ! -e "${rootfs%/rootfs}" ]

# The workload dies inside the container (SIGKILL): that case fails with
# the reason and the container's log, the next one runs.
cat > "$T/die.ini" <<INI
[scenario]
name = e2e-lxc-die
environments = lxc
workloads = rtlat
repetitions = 2
cpus = 1
housekeeping = 0
interval_us = 500
loops = 6000
INI
"$ISOLAT" --db "$T/d.db" --quiet run "$T/die.ini" > /dev/null 2>&1 &
bg=$!
for _ in $(seq 100); do running $bg && break; sleep 0.2; done
sleep 1
victim=$(in_container | head -1)
[ -n "$victim" ] && kill -9 "$victim"
wait $bg; rc=$?
bg=
check "workload killed inside: run exits 1 ($rc)" [ $rc -eq 1 ]
check "workload killed inside: that case failed with the reason ($(q "$T/d.db" "SELECT reason FROM cases WHERE idx=0"))" \
	[ "$(q "$T/d.db" "SELECT status FROM cases WHERE idx=0")" = failed -a -n "$(q "$T/d.db" "SELECT reason FROM cases WHERE idx=0")" ]
check "workload killed inside: container log stored" [ -n "$(fact "$T/d.db" '%.r0' lxc.log)" ]
check "workload killed inside: next case done" [ "$(q "$T/d.db" "SELECT status FROM cases WHERE idx=1")" = done ]
check "workload killed inside: nothing left" [ -z "$(leftovers)" ]

# ^C during an lxc case: failed as interrupted, the container stopped.
"$ISOLAT" --db "$T/i.db" --quiet run "$T/long.ini" > /dev/null 2>&1 &
bg=$!
for _ in $(seq 100); do running $bg && break; sleep 0.2; done
sleep 1
kill -INT $bg
wait $bg; rc=$?
bg=
check "SIGINT: run exits 130 ($rc)" [ $rc -eq 130 ]
check "SIGINT: case failed as interrupted" [ "$(q "$T/i.db" "SELECT status||': '||substr(reason,1,11) FROM cases")" = "failed: interrupted" ]
check "SIGINT: nothing left" [ -z "$(leftovers)" ]

# liblxc is opened at run time: without it isolat still starts and says why.
L=$(readlink -f /usr/lib/x86_64-linux-gnu/liblxc.so.1 2>/dev/null)
if [ -n "$L" ] && command -v unshare >/dev/null; then
	out=$(unshare -m sh -c 'mount --bind /dev/null "$1" && "$2" envs' _ "$L" "$ISOLAT" 2>&1)
	check "no liblxc: envs says lxc not ready and how to fix it" grep -qE '^  lxc +not ready +liblxc missing .*apt-get install lxc' <<<"$out"
else
	skip "no liblxc: envs reason" "liblxc.so.1 or unshare not found"
fi
