#!/bin/bash
# kvm.sh - the kvm environment end to end, under TCG where KVM does not
# boot a guest (CI): a Debian cloud kernel (tests/e2e/lib_kernel.sh) boots
# the harness-built initramfs with 2 vCPUs and nohz_full=1 rcu_nocbs=1
# isolcpus=1 (the scenario's guest_cmdline, the profile's, and the
# profile's isolcpus key, which in a guest is the guest kernel's); the
# samples land, the guest's own facts show that command line and vCPU 1
# isolated, the case is labelled emulated when TCG ran it, the QEMU argv,
# the profile's vcpu_pin / vcpu_priority / emulator_cpus / mem_lock as the
# kernel applied them (affinity read back) and the host CPUs of the case
# are recorded; a guest that never sends HELLO is killed at the
# bound and recorded as failed with its console log; no QEMU process is
# left behind.  No time is asserted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_kernel.sh"

need_root "kvm guest run" || exit 0
if ! command -v qemu-system-x86_64 >/dev/null; then
	skip "kvm guest run" "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
	exit 0
fi
if ! fetch_guest_kernel; then
	skip "kvm guest run" "no guest kernel: $GUEST_KERNEL_WHY"
	exit 0
fi
# No QEMU of the case in $DB is alive: its argv (recorded) names the case's
# private initrd, so concurrent runs of other tests do not count; the
# anchor keeps pgrep from matching a shell that merely names the path.
no_qemu_left() {
	local initrd
	initrd=$(q "$DB" "SELECT value FROM case_facts WHERE key='kvm.qemu_argv'" |
		sed -n 's/.* -initrd \([^ ]*\) .*/\1/p')
	[ -n "$initrd" ] && ! pgrep -f "^[^ ]*qemu-system-x86_64 .*-initrd $initrd " >/dev/null
}

# isolat envs: ready, with the accelerator it found (KVM or TCG fallback).
envs=$("$ISOLAT" envs 2>&1)
check "envs lists kvm as ready" grep -qE '^  kvm +ready ' <<<"$envs"
check "envs says which accelerator" grep -qE '^  kvm +ready +(KVM|TCG fallback)' <<<"$envs"

LOOPS=1000
cat > "$T/kvm.ini" <<INI
[scenario]
name = e2e-kvm
environments = kvm
workloads = rtlat
cpus = 1
housekeeping = 0
vcpus = 2
memory_mb = 384
profiles = iso
guest_cmdline = nohz_full=1
kvm_kernel = $GUEST_KERNEL
kvm_modules = $GUEST_MODULES
interval_us = 1000
loops = $LOOPS
hello_timeout_s = 120

; the guest side of an isolation profile: its guest_cmdline is appended
; to the scenario's, then its boot keys (vCPU numbers in a guest)
[profile iso]
guest_cmdline = rcu_nocbs=1
isolcpus = 1
vcpu_pin = 0-1
vcpu_priority = 1
emulator_cpus = housekeeping
mem_lock = yes
INI
DB=$T/kvm.db
"$ISOLAT" check "$T/kvm.ini" >/dev/null
check "kvm scenario checks" [ $? -eq 0 ]
uuid=$("$ISOLAT" --db "$DB" --quiet run "$T/kvm.ini")
rc=$?
check "kvm run exits 0" [ $rc -eq 0 ]
fact() { q "$DB" "SELECT value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE f.key='$1'"; }
check "case done" [ "$(q "$DB" "SELECT status FROM cases")" = done ]
check "every sample landed ($(q "$DB" "SELECT sum(count) FROM series"))" \
	[ "$(q "$DB" "SELECT sum(count) FROM series")" = "$LOOPS" ]
check "measured vCPU 1" [ "$(q "$DB" "SELECT group_concat(cpu) FROM series")" = 1 ]
check "guest cmdline: scenario's, profile's, then its isolcpus key" grep -q 'quiet nohz_full=1 rcu_nocbs=1 isolcpus=1' <<<"$(fact cmdline)"
check "QEMU was given the same command line" grep -q -- '-append console=ttyS0 quiet nohz_full=1 rcu_nocbs=1 isolcpus=1 ' <<<"$(fact kvm.qemu_argv)"
check "guest sees CPU 1 isolated" [ "$(fact isolated)" = 1 ]
check "guest boot isolation verified from its report" [ "$(fact guest.boot)" = isolcpus=1 ]
check "guest sees CPU 1 nohz_full" [ "$(fact nohz_full)" = 1 ]
check "guest kernel is the test kernel" [ "$(fact kernel_release)" = "${GUEST_KERNEL##*/vmlinuz-}" ]
check "guest clocksource recorded" [ -n "$(fact clocksource)" ]
accel=$(fact kvm.accel)
check "accelerator recorded ($accel)" grep -qE '^(kvm|tcg)$' <<<"$accel"
if [ "$accel" = tcg ]; then
	check "TCG case labelled emulated" [ "$(q "$DB" "SELECT emulated FROM cases")" = 1 ]
else
	check "KVM case not labelled emulated" [ "$(q "$DB" "SELECT emulated FROM cases")" = 0 ]
fi
check "KVM probe result recorded" [ -n "$(fact kvm.probe)" ]
check "QEMU argv recorded" grep -q -- "-accel $accel .*-smp 2 " <<<"$(fact kvm.qemu_argv)"
check "vCPU 1 pinned to host CPU 1" [ "$(fact kvm.vcpu.1.host_cpu)" = 1 ]
check "vCPU 1 thread affinity read back: CPU 1 (vcpu_pin)" [ "$(fact kvm.vcpu.1.affinity)" = 1 ]
check "vCPU 0 thread affinity read back: CPU 0 (vcpu_pin)" [ "$(fact kvm.vcpu.0.affinity)" = 0 ]
check "host CPUs of the case: where vCPU 1 is pinned" [ "$(fact host_cpus)" = 1 ]
params=$(q "$DB" "SELECT params FROM cases")
check "case params: host_cpus, vcpu_pin, emulator_cpus, mem_lock, guest_boot" \
	grep -q '"host_cpus":"1".*"vcpu_pin":"0-1".*"emulator_cpus":"housekeeping","mem_lock":"yes","guest_boot":"isolcpus=1"' <<<"$params"
check "emulator threads on the housekeeping CPU" [ "$(fact kvm.emulator.cpus)" = 0 ]
check "emulator threads counted ($(fact kvm.emulator.threads))" [ "$(fact kvm.emulator.threads)" -ge 1 ]
check "emulator rule recorded" grep -q '^housekeeping' <<<"$(fact kvm.emulator.rule)"
check "QEMU memory locked (mem_lock, VmLck read back)" grep -qE '^yes: VmLck [1-9][0-9]* kB$' <<<"$(fact kvm.mem_lock)"
check "QEMU argv has -overcommit mem-lock=on" grep -q -- '-overcommit mem-lock=on' <<<"$(fact kvm.qemu_argv)"
check "QEMU started paused (-S), placed, then cont" grep -q -- ' -S ' <<<"$(fact kvm.qemu_argv)"
check "started after placement recorded" grep -q 'then QMP cont$' <<<"$(fact kvm.started)"
check "late QEMU threads counted ($(fact kvm.emulator.late_threads))" grep -qE '^[0-9]+$' <<<"$(fact kvm.emulator.late_threads)"
check "vCPU 1 thread SCHED_FIFO 1 (profile's vcpu_priority)" [ "$(fact kvm.vcpu.1.policy)" = "SCHED_FIFO 1" ]
check "vCPU 0 thread left SCHED_OTHER" [ "$(fact kvm.vcpu.0.policy)" = "SCHED_OTHER 0" ]
check "other QEMU threads on housekeeping" grep -q 'on host CPUs 0$' <<<"$(fact kvm.other_threads)"
check "guest console log stored" grep -q 'isolat-guest: channel' <<<"$(fact workload_log)"
check "workload got SCHED_FIFO 95 in the guest" [ "$(fact end.series.0.policy) $(fact end.series.0.priority)" = "SCHED_FIFO 95" ]
check "image cached under its SHA-256" grep -qE '/[0-9a-f]{64}\.cpio$' <<<"$(fact kvm.image)"
check "no QEMU left after the run" no_qemu_left

# Boot isolation the guest kernel does not apply is never measured as if
# it were: isolcpus=0-1 on 2 vCPUs leaves the boot vCPU 0 to housekeeping
# (the kernel insists on one), so the guest reports only 1 isolated and
# the case fails at its HELLO with that reason.
sed 's/^isolcpus = 1$/isolcpus = 0-1/; s/^name = e2e-kvm$/name = e2e-kvm-notapplied/' \
	"$T/kvm.ini" > "$T/notapplied.ini"
DB=$T/notapplied.db
"$ISOLAT" --db "$DB" --quiet run "$T/notapplied.ini" >/dev/null 2>&1
rc=$?
check "not applied: run exits 1" [ $rc -eq 1 ]
check "not applied: case failed" [ "$(q "$DB" "SELECT status FROM cases")" = failed ]
check "not applied: reason says what the guest reported" \
	grep -q 'booted with isolcpus=0-1 but reports isolated = 1' <<<"$(q "$DB" "SELECT reason FROM cases")"
check "not applied: recorded" [ "$(fact guest.boot)" = "not applied" ]
check "not applied: QEMU killed" no_qemu_left

# A guest that never runs the workload: rdinit names a missing program,
# the kernel panics (panic timeout 0: it hangs), no HELLO ever comes.
cat > "$T/hang.ini" <<INI
[scenario]
name = e2e-kvm-hang
environments = kvm
workloads = rtlat
cpus = 1
housekeeping = 0
kvm_kernel = $GUEST_KERNEL
kvm_accel = tcg
guest_cmdline = rdinit=/bin/doesnotexist
loops = 100
hello_timeout_s = 10
INI
DB=$T/hang.db
"$ISOLAT" --db "$DB" --quiet run "$T/hang.ini" >/dev/null 2>&1
rc=$?
check "hung guest: run exits 1" [ $rc -eq 1 ]
check "hung guest: case failed" [ "$(q "$DB" "SELECT status FROM cases")" = failed ]
check "hung guest: reason is the HELLO bound" grep -q 'no HELLO .* within 10 s' <<<"$(q "$DB" "SELECT reason FROM cases")"
check "hung guest: console log stored" grep -q 'Kernel panic' <<<"$(fact workload_log)"
check "hung guest: labelled emulated" [ "$(q "$DB" "SELECT emulated FROM cases")" = 1 ]
check "hung guest: QEMU killed" no_qemu_left
initrd=$(q "$DB" "SELECT value FROM case_facts WHERE key='kvm.qemu_argv'" |
	sed -n 's/.* -initrd \([^ ]*\) .*/\1/p')
check "hung guest: work directory removed" [ -n "$initrd" -a ! -e "${initrd%/initrd}" ]

# SIGINT while the guest runs: the run ends interrupted and takes its
# QEMU with it.
sed "s|^loops = .*|loops = 600000|; s|^hello_timeout_s = .*|hello_timeout_s = 120|" \
	"$T/hang.ini" | grep -v '^guest_cmdline' > "$T/long.ini"
DB=$T/int.db
"$ISOLAT" --db "$DB" --quiet run "$T/long.ini" >/dev/null 2>&1 &
ipid=$!
qpid=
for _ in $(seq 600); do
	qpid=$(pgrep -P "$ipid" -f '^[^ ]*qemu-system-x86_64 ' | head -1)
	[ -n "$qpid" ] && break
	sleep 0.1
done
check "interrupt: QEMU started" [ -n "$qpid" ]
sleep 1
kill -INT "$ipid"
wait "$ipid"
rc=$?
check "interrupt: run exits 130" [ $rc -eq 130 ]
check "interrupt: QEMU gone" bash -c '[ -n "$1" ] && ! kill -0 "$1" 2>/dev/null' _ "$qpid"
check "interrupt: case failed as interrupted" grep -q interrupted <<<"$(q "$DB" "SELECT reason FROM cases")"

# A missing guest kernel is a scenario error with FILE:LINE, nothing runs.
sed "s|^kvm_kernel = .*|kvm_kernel = /nonexistent/vmlinuz-0|" "$T/hang.ini" > "$T/nokernel.ini"
out=$("$ISOLAT" check "$T/nokernel.ini" 2>&1)
rc=$?
check "missing kernel: check exits 2" [ $rc -eq 2 ]
check "missing kernel: FILE:LINE named" grep -q "nokernel.ini:7: kvm_kernel = /nonexistent/vmlinuz-0" <<<"$out"
