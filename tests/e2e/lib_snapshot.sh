# lib_snapshot.sh - sourced by the host-tuning tests (profiles.sh,
# matrix.sh): snapshot prints every host knob isolat's tuning and tracing
# can touch, one "path value" line each, so that two snapshots compare
# with cmp.  Not a test itself (lib*.sh are helpers).
#
# Read only: tracefs is read through a private mount namespace when it is
# not mounted (a mount on the host would itself be a change, and would make
# trace.c skip the mount it journals).  /dev/cpu_dma_latency is held open by
# the workload, never written, so it has no state to compare.

# How cpuset_isolate can work here: "v1" (a cpuset hierarchy), "v2" (a
# cgroup2 partition: needs a CPU besides measured CPU 1 and housekeeping
# CPU 0, as the tests use them), or "none" (the case fails with why).
cpuset_mode() {
	local cg=/sys/fs/cgroup
	if [ -e $cg/cpuset/cpuset.sched_load_balance ]; then
		echo v1
	elif grep -qsw cpuset $cg/cgroup.controllers $cg/unified/cgroup.controllers &&
		[ "$(getconf _NPROCESSORS_ONLN)" -ge 3 ]; then
		echo v2
	else
		echo none
	fi
}

# path value, for every readable file given (one grep: /proc/irq is long).
snap_files() {
	grep -H '' "$@" 2>/dev/null | sed 's/:/ /'
}

snap_tracefs() {
	local d
	# Where tracefs is mounted on the host is part of the state.
	awk '$3 == "tracefs" {print "mount tracefs " $2}' /proc/self/mounts
	command -v unshare > /dev/null || { echo "tracefs: no unshare"; return; }
	d=$(mktemp -d /tmp/isolat-snap.XXXXXX)
	unshare -m --propagation private sh -c '
		mount -t tracefs nodev "$1" 2>/dev/null || exit 0
		cd "$1" || exit 0
		grep -H "" tracing_on current_tracer buffer_size_kb \
			tracing_cpumask tracing_thresh \
			events/sched/*/enable events/irq/*/enable \
			events/irq_vectors/*/enable 2>/dev/null |
			sed "s|^|tracefs/|; s/:/ /"' sh "$d"
	rmdir "$d"
}

# cpu.rt_runtime_us of the cgroup v1 cpu controller's root and of every
# cgroup below it, to two levels (the LXC backend gives its containers an
# RT budget taken from their parents, lxc_cgroup.c) - but liblxc's own
# lxc.pivot, which liblxc makes the first time a container starts and
# never removes, and which isolat does not touch.
snap_rt_budgets() {
	local d=/sys/fs/cgroup/cpu
	[ -d "$d" ] || d=/sys/fs/cgroup/cpu,cpuacct
	[ -e "$d/cpu.rt_runtime_us" ] || return 0
	find "$d/" -maxdepth 3 -name cpu.rt_runtime_us 2>/dev/null |
		grep -v '/lxc\.pivot/' | sort | xargs grep -H '' 2>/dev/null |
		sed 's/:/ /'
}

# Kernel threads (children of kthreadd, and kthreadd): policy, RT
# priority and allowed CPUs - kthread_priority changes the first, and a
# workqueue or IRQ change must not leave any pinned elsewhere.  By name,
# not PID: the kernel stops khugepaged when THP is set to never and starts
# a new one when it is set back (same policy and CPUs).  kworkers
# and the per-VM kvm-*/vhost-* threads come and go on their own: left
# out.
snap_kthreads() {
	local pid comm
	ps -eo pid=,ppid=,comm= | awk '($1 == 2 || $2 == 2) && $3 !~ /^(kworker|kvm-|vhost-)/ {print $1, $3}' |
	while read -r pid comm; do
		printf 'kthread %s %s %s\n' "$comm" \
			"$(ps -o cls=,rtprio= -p "$pid" 2>/dev/null | xargs)" \
			"$(awk '/^Cpus_allowed_list:/ {print $2}' /proc/$pid/status 2>/dev/null)"
	done | awk 'NF >= 4' | sort
}

# The mounts that are isolat's business: cgroup hierarchies, tracefs,
# anything under /run/isolat or in a work directory /tmp/isolat-*.
snap_mounts() {
	awk '$3 ~ /^cgroup2?$/ || $3 == "tracefs" || $2 ~ "^/run/isolat" ||
	     $2 ~ "^/tmp/isolat-" {print "mount", $3, $2, $4}' /proc/self/mounts |
		sort
}

snapshot() {
	local cg=/sys/fs/cgroup
	snap_files /proc/irq/default_smp_affinity /proc/irq/*/smp_affinity \
		/proc/irq/*/smp_affinity_list
	# Every kernel sysctl (timer_migration, sched_rt_runtime_us, ...);
	# ns_last_pid moves with every fork.
	for f in /proc/sys/kernel/*; do
		[ -f "$f" ] && [ "${f##*/}" != ns_last_pid ] && echo "$f"
	done | xargs grep -H '' 2>/dev/null | sed 's/:/ /'
	snap_files /sys/kernel/mm/transparent_hugepage/enabled \
		/sys/kernel/mm/transparent_hugepage/defrag \
		/sys/devices/virtual/workqueue/cpumask \
		/sys/devices/system/cpu/cpu*/cpufreq/scaling_governor
	# cgroup v1 cpuset root (memory_pressure is a running average) and
	# v2 root files; the isolat.tune.* directories tuning makes.
	for f in "$cg"/cpuset/cpuset.*; do
		[ "${f##*/}" != cpuset.memory_pressure ] && echo "$f"
	done | xargs grep -H '' 2>/dev/null | sed 's/:/ /'
	snap_files "$cg"/cgroup.subtree_control "$cg"/cpuset.cpus.effective \
		"$cg"/cpuset.cpus.isolated "$cg"/unified/cgroup.subtree_control
	ls -d "$cg"/isolat.tune.* "$cg"/*/isolat.tune.* 2>/dev/null
	ps -eo pid=,comm=,cls=,rtprio= | awk '$2 ~ /^(ksoftirqd|ktimers|rcuc)\//'
	snap_rt_budgets
	snap_kthreads
	snap_mounts
	snap_tracefs
}

# The one thing the kernel cannot put back (docs/restore.md): after a
# boot its trace ring is unexpanded ("7 (expanded: 1408)"); the first
# time tracing is enabled it is expanded for good, and no write gives the
# boot state back (writing 1408 reads back 1410 on 6.x).  snap_same A B:
# the snapshots are identical except, at most, that very line going from
# the unexpanded boot state in A to a plain size in B.  Nothing broader:
# any other difference, or that line changing in any other way, fails.
snap_same() {
	local ring
	ring=$(sed -n 's|^\(tracefs/buffer_size_kb [0-9]* (expanded: [0-9]*)\)$|\1|p' "$1")
	if [ -n "$ring" ]; then
		cmp -s "$1" <(sed "s|^tracefs/buffer_size_kb [0-9][0-9]*$|$ring|" "$2")
	else
		cmp -s "$1" "$2"
	fi
}

# Lines where A and B differ beyond snap_same's one exception, as TAP
# comments (nothing when they are the same).
snap_diff() {
	snap_same "$1" "$2" && return 0
	diff "$1" "$2" | head -20 | sed 's/^/# /'
	return 0
}
