#!/bin/bash
# loads.sh - background loads (stress-ng) end to end on bare metal: loads =
# none, cpu, cpu+memory lands every case; the facts show stress-ng's argv
# and the placement; with load_cpus = measured the load's bogo-ops show it
# ran there; no stress-ng is left after the run nor after a SIGINT
# mid-case; load_side = inside runs stress-ng in an lxc container and a
# kvm guest (started by isolat-wl there, which reports it).  No
# timing relation (loaded p99 vs idle) is asserted: too noisy on a VM.
. "$(dirname "$0")/lib.sh"

need_root "background load run" || exit 0
if ! command -v stress-ng >/dev/null; then
	skip "background load run" "stress-ng not installed (apt-get install stress-ng)"
	exit 0
fi
DB=$T/r.db
sq() { q "$DB" "$1"; }
# No stress-ng is alive (the tests run one at a time).
no_load_left() { ! pgrep -x stress-ng >/dev/null; }
fact() { sq "SELECT f.value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.load='$1' AND c.run_id=(SELECT max(id) FROM runs) AND f.key='$2'"; }

cat > "$T/l.ini" <<INI
[scenario]
name = e2e-loads
environments = bare
workloads = rtlat
loads = none, cpu, cpu+memory
load_cpus = measured
load_settle_s = 1
cpus = 1
housekeeping = 0
interval_us = 1000
loops = 1500
INI
"$ISOLAT" --db "$DB" --quiet run "$T/l.ini" > /dev/null
check "run exits 0" [ $? -eq 0 ]
check "every case done" [ "$(sq "SELECT group_concat(load||':'||status, ' ') FROM cases ORDER BY idx")" = "none:done cpu:done cpu+memory:done" ]
check "every case landed its samples" [ "$(sq "SELECT count(*) FROM series WHERE count = 1500")" = 3 ]
check "no load facts for none" [ "$(sq "SELECT count(*) FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.load='none' AND f.key LIKE 'load.%'")" = 0 ]
argv=$(fact cpu load.argv)
check "cpu: stress-ng argv stored ($argv)" grep -qE '^stress-ng --cpu 1 --taskset 1 --timeout [0-9]+s --metrics-brief --temp-path /tmp/isolat-' <<<"$argv"
argv=$(fact cpu+memory load.argv)
check "cpu+memory: both stressors in one argv" grep -qE '^stress-ng --cpu 1 --vm 1 --vm-bytes 64M --taskset 1 ' <<<"$argv"
for l in cpu cpu+memory; do
	check "$l: placement facts (cpus side settle instances)" [ "$(fact $l load.cpus) $(fact $l load.side) $(fact $l load.settle_s) $(fact $l load.instances)" = "1 host 1 1" ]
	check "$l: stress-ng ended cleanly" [ "$(fact $l load.exit)" = "exit status 0" ]
	check "$l: placement in the case parameters" [ "$(sq "SELECT json_extract(params, '\$.load_cpus') FROM cases WHERE load='$l'")" = 1 ]
done
# The load ran on the measured CPU: stress-ng counted work for each part.
bogo() { fact "$1" load.metrics | awk -v s="$2" '$1=="stress-ng:" && $2=="metrc:" && $4==s {print $5}'; }
c1=$(bogo cpu cpu) c2=$(bogo cpu+memory cpu) v2=$(bogo cpu+memory vm)
check "cpu: bogo-ops counted ($c1)" [ "${c1:-0}" -gt 0 ]
check "cpu+memory: cpu and vm bogo-ops counted ($c2, $v2)" [ "${c2:-0}" -gt 0 -a "${v2:-0}" -gt 0 ]
check "host-side counters stored for the loaded CPU" [ "$(sq "SELECT count(*) FROM counters k JOIN cases c ON c.id=k.case_id WHERE c.load='cpu' AND k.side='host' AND k.cpu=1")" -gt 0 ]
check "no stress-ng left after the run" no_load_left
"$ISOLAT" --db "$DB" show last > "$T/show.txt"
check "show compares the loads" grep -qE '^ +2  bare .* cpu\+memory .*x +[0-9.]+x$' "$T/show.txt"
if command -v gnuplot >/dev/null; then
	"$ISOLAT" --db "$DB" --quiet report -o "$T/rep" last > /dev/null
	check "report has the loads table" grep -q "<h2 id=\"loads\">Loads compared</h2>" "$T/rep/index.html"
else
	skip "report loads table" "gnuplot not installed"
fi

# Plan time: inside runs for bare and lxc (and kvm), no skip for the side;
# a CPU list must be online.
cat > "$T/in.ini" <<INI
[scenario]
name = e2e-inside
environments = bare, lxc
workloads = rtlat
loads = cpu
load_side = inside
cpus = 1
housekeeping = 0
loops = 100
INI
plan=$("$ISOLAT" plan "$T/in.ini" 2>&1)
check "inside: bare runs" grep -qE 'bare\.none\.rtlat\.cpu .* run$' <<<"$plan"
check "inside: lxc not skipped for its side" bash -c '! grep -q "load_side" <<<"$1"' _ "$plan"
sed 's/^load_side = inside$/load_cpus = 1000/' "$T/in.ini" > "$T/off.ini"
out=$("$ISOLAT" check "$T/off.ini" 2>&1)
check "offline load CPU: FILE:LINE named" grep -q "off.ini:6: load_cpus = 1000: CPU 1000 is not online" <<<"$out"
sed 's/^loops = 100$/load_cpus = 2/' "$T/in.ini" > "$T/cs.ini"
out=$("$ISOLAT" check "$T/cs.ini" 2>&1)
if [ "$(nproc)" -gt 2 ]; then
	check "inside lxc: a CPU outside the container's cpuset named" grep -q "cs.ini:9: load_cpus = 2: CPU 2 is not in the container's cpuset" <<<"$out"
fi

# isolat-wl itself: --load takes stress-ng only; a load that ends during
# the settle time ends the workload before HELLO (never measured
# unloaded); a good one is reported in HELLO and END and stopped.
WL=$(dirname "$ISOLAT")/isolat-wl
out=$("$WL" rtlat --cpus 1 --housekeeping 0 --loops 10 --load sh --load -c --load reboot 2>&1 >/dev/null); rc=$?
check "isolat-wl --load sh: usage error (exit $rc)" bash -c '[ $1 = 2 ] && grep -q "expected stress-ng" <<<"$2"' _ $rc "$out"
out=$("$WL" rtlat --cpus 1 --housekeeping 0 --loops 10 --load-settle-s 2 --load stress-ng --load --cpu --load 1 --load --taskset --load 4096 2>&1 >"$T/wl.out"); rc=$?
check "isolat-wl: load dead in the settle time: exit 1, no frame" bash -c '[ $1 = 1 ] && [ ! -s "$2" ] && grep -q "ended before the measurement" <<<"$3"' _ $rc "$T/wl.out" "$out"
"$WL" rtlat --cpus 1 --housekeeping 0 --loops 200 --load-settle-s 0 --load stress-ng --load --cpu --load 1 --load --taskset --load 0 --load --metrics-brief >"$T/wl.out" 2>/dev/null; rc=$?
check "isolat-wl: load reported in HELLO and END (exit $rc)" bash -c '[ $1 = 0 ] && grep -qa "load.inside.cpus=0" "$2" && grep -qa "load.exit=exit status 0" "$2"' _ $rc "$T/wl.out"
check "isolat-wl: no stress-ng left" no_load_left

# bogo-ops of stressor $3 in case $2 of database $1 (0 when none).
bogo_in() { q "$1" "SELECT f.value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.name LIKE '$2' AND f.key='load.metrics'" | awk -v s="$3" '$1=="stress-ng:" && $2=="metrc:" && $4==s {print $5; n=1} END {if (!n) print 0}'; }
fact_in() { q "$1" "SELECT f.value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.name LIKE '$2' AND f.key='$3'"; }

# load_side = inside in a real container: stress-ng runs as the
# container's tenant - same PID namespace and cgroup as the workload
# (reported by isolat-wl, which started it there), not the host's.
if "$ISOLAT" envs 2>/dev/null | grep -qE '^  lxc +ready'; then
	cat > "$T/lxc.ini" <<INI
[scenario]
name = e2e-loads-lxc
environments = lxc
workloads = rtlat
loads = cpu
load_side = inside
load_settle_s = 1
cpus = 1
housekeeping = 0
duration_s = 2
INI
	DBL=$T/lxc.db
	"$ISOLAT" --db "$DBL" --quiet run "$T/lxc.ini" > "$T/lxc.out" 2>&1
	c=lxc.none.rtlat.cpu
	check "lxc inside: case done" [ "$(q "$DBL" "SELECT status FROM cases")" = done ]
	check "lxc inside: samples landed" [ "$(q "$DBL" "SELECT sum(count) FROM series")" -gt 0 ]
	check "lxc inside: side, placement, argv as run inside" [ "$(fact_in "$DBL" $c load.side) $(fact_in "$DBL" $c load.cpus) $(fact_in "$DBL" $c load.argv | cut -d' ' -f1-5)" = "inside 0 stress-ng --cpu 1 --taskset 0" ]
	check "lxc inside: isolat-wl executed exactly that argv" [ "$(fact_in "$DBL" $c load.inside.argv)" = "/usr/bin/$(fact_in "$DBL" $c load.argv)" ]
	cg=$(fact_in "$DBL" $c cgroup)
	check "lxc inside: the load in the container's cgroup ($cg)" [ "$(fact_in "$DBL" $c load.inside.cgroup)" = "$cg" ]
	check "lxc inside: ... which is a payload cgroup" grep -q 'isolat\.payload\.' <<<"$cg"
	check "lxc inside: the load in the container's PID namespace" [ "$(fact_in "$DBL" $c load.inside.pidns)" = "$(fact_in "$DBL" $c pidns)" ]
	check "lxc inside: ... not the host's" [ "$(fact_in "$DBL" $c load.inside.pidns)" != "$(fact_in "$DBL" $c lxc.host_pidns)" ]
	check "lxc inside: stress-ng placed on the load CPUs" [ "$(fact_in "$DBL" $c load.inside.cpus)" = 0 ]
	check "lxc inside: stress-ng counted work ($(bogo_in "$DBL" $c cpu) bogo-ops)" [ "$(bogo_in "$DBL" $c cpu)" -gt 0 ]
	check "lxc inside: stress-ng ended cleanly" [ "$(fact_in "$DBL" $c load.exit)" = "exit status 0" ]
	check "lxc inside: no container left" [ ! -e "/run/isolat/lxc/$(fact_in "$DBL" $c lxc.name)" ]
	check "lxc inside: no stress-ng left" no_load_left
else
	skip "lxc inside load" "lxc not ready: $("$ISOLAT" envs 2>/dev/null | grep -E '^  lxc ' | sed 's/^  lxc *//')"
fi

# load_side = inside in a KVM guest (TCG here): stress-ng and its
# libraries travel in the guest image, isolat-wl starts it on a vCPU and
# reports it; the host runs none.
. "$(dirname "$0")/lib_kernel.sh"
if ! command -v qemu-system-x86_64 >/dev/null; then
	skip "kvm inside load" "qemu-system-x86_64 not installed"
elif ! fetch_guest_kernel; then
	skip "kvm inside load" "no guest kernel: $GUEST_KERNEL_WHY"
else
	cat > "$T/kvm.ini" <<INI
[scenario]
name = e2e-loads-kvm
environments = kvm
workloads = rtlat
loads = cpu
load_side = inside
load_cpus = housekeeping
load_settle_s = 2
cpus = 1
housekeeping = 0
vcpus = 2
memory_mb = 384
kvm_kernel = $GUEST_KERNEL
kvm_modules = $GUEST_MODULES
duration_s = 2
hello_timeout_s = 120
INI
	plan=$("$ISOLAT" plan "$T/kvm.ini" 2>&1)
	check "kvm inside: planned to run" grep -qE 'kvm\.none\.rtlat\.cpu .* run$' <<<"$plan"
	DBK=$T/kvm.db
	"$ISOLAT" --db "$DBK" --quiet run "$T/kvm.ini" > "$T/kvm.out" 2>&1 &
	kpid=$!
	host_load=0
	while kill -0 $kpid 2>/dev/null; do
		pgrep -x stress-ng >/dev/null && host_load=1
		sleep 0.5
	done
	wait $kpid
	c=kvm.none.rtlat.cpu
	check "kvm inside: case done" [ "$(q "$DBK" "SELECT status FROM cases")" = done ]
	check "kvm inside: samples landed" [ "$(q "$DBK" "SELECT sum(count) FROM series")" -gt 0 ]
	check "kvm inside: side and vCPU placement" [ "$(fact_in "$DBK" $c load.side) $(fact_in "$DBK" $c load.cpus) $(fact_in "$DBK" $c load.inside.cpus)" = "inside 0 0" ]
	check "kvm inside: isolat-wl in the guest executed the recorded argv" [ "$(fact_in "$DBK" $c load.inside.argv)" = "/usr/bin/$(fact_in "$DBK" $c load.argv)" ]
	# A newc cpio holds its names in clear (no cpio tool needed).
	check "kvm inside: the image carries stress-ng" grep -qaF usr/bin/stress-ng "$(fact_in "$DBK" $c kvm.image)"
	check "kvm inside: stress-ng counted work in the guest ($(bogo_in "$DBK" $c cpu) bogo-ops)" [ "$(bogo_in "$DBK" $c cpu)" -gt 0 ]
	check "kvm inside: stress-ng ended cleanly" [ "$(fact_in "$DBK" $c load.exit)" = "exit status 0" ]
	check "kvm inside: no stress-ng ran on the host" [ $host_load = 0 ]
fi

# SIGINT mid-case: the load is stopped with the case.
cat > "$T/long.ini" <<INI
[scenario]
name = e2e-loads-int
environments = bare
workloads = rtlat
loads = cpu
load_settle_s = 0
cpus = 1
housekeeping = 0
duration_s = 60
INI
DB2=$T/int.db
"$ISOLAT" --db "$DB2" --quiet run "$T/long.ini" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -s "$DB2" ] && [ "$(q "$DB2" "SELECT count(*) FROM cases WHERE status='running'" 2>/dev/null)" = 1 ] && pgrep -x stress-ng >/dev/null && break
	sleep 0.1
done
check "stress-ng runs during the case" bash -c "pgrep -x stress-ng >/dev/null"
sleep 1
kill -INT $pid
wait $pid; rc=$?
check "interrupted run exits 130" [ $rc -eq 130 ]
check "case failed: interrupted" [ "$(q "$DB2" "SELECT status||': '||substr(reason,1,11) FROM cases")" = "failed: interrupted" ]
check "load stop recorded" [ -n "$(q "$DB2" "SELECT value FROM case_facts WHERE key='load.exit'")" ]
check "no stress-ng left after SIGINT" no_load_left
