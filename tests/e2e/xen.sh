#!/bin/bash
# xen.sh - the xen environment end to end on a real Xen: Xen 4.17 boots
# under QEMU TCG with a Debian 12 PV dom0 from an initramfs (the recipe of
# shared/xen-under-tcg); inside dom0 the real build/isolat (with every
# shared library `ldd` names) runs Xen scenarios whose isolation comes
# from [profile] sections - PV with a credit2 cpupool + vCPU pinning
# (pooled), pinning without a pool (shared: dom0 may run there, warned),
# an RTDS pool (rtds: not built into Debian's Xen, skipped at plan time);
# PVH with a cpupool and dom0's vCPUs pinned away (fenced) - then a guest
# that never says HELLO, then a run killed with -9 mid-case followed by
# `isolat restore`.  The database and xl's listings come back through a
# virtio-9p share.  Checked here: samples, the guest's own facts (Xen
# PV / PVH), emulated labels, the recorded pinning, cpupool and dom0
# placement, the skip reason, and that no isolat-* domain or cpupool (nor
# dom0 pinning) is left - after the runs and after the restore.  The PV
# cases also run a load_side = inside stress-ng in the domU (dom0 gets the
# host's stress-ng and its libraries; the harness carries them into the
# domU image).
#
# Packages (Xen, its libraries, busybox, the Debian generic kernel: its
# CONFIG_XEN_DOM0=y, the cloud kernel has none) come with `apt-get
# download` into $ISOLAT_XEN_CACHE (default /var/cache/isolat/xen),
# outside the repository; the test SKIPs with the reason when they cannot.
. "$(dirname "$0")/lib.sh"

need_root "xen guest run" || exit 0
for p in qemu-system-x86_64 dpkg-deb apt-get python3 depmod sqlite3; do
	if ! command -v $p >/dev/null; then
		skip "xen guest run" "$p not installed"
		exit 0
	fi
done
W=${ISOLAT_XEN_CACHE:-/var/cache/isolat/xen}
mkdir -p "$W/debs" || { skip "xen guest run" "cannot create $W"; exit 0; }

# --- packages ---------------------------------------------------------------
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/{print $2; exit}')
if [ -z "$KPKG" ]; then
	skip "xen guest run" "apt cannot resolve linux-image-amd64 (apt-get update?)"
	exit 0
fi
KVER=${KPKG#linux-image-}
PKGS="xen-hypervisor-4.17-amd64 xen-utils-4.17 libxenmisc4.17 libxenstore4
      libxencall1 libxendevicemodel1 libxenevtchn1 libxenforeignmemory1
      libxengnttab1 libxenhypfs1 libxentoolcore1 libxentoollog1 libyajl2
      libuuid1 zlib1g liblzma5 libzstd1 libc6 libgcc-s1 busybox-static $KPKG"
need=
for p in $PKGS; do ls "$W"/debs/${p}_*.deb >/dev/null 2>&1 || need="$need $p"; done
if [ -n "$need" ] && ! (cd "$W/debs" &&
	apt-get -qq -o APT::Sandbox::User=root download $need >/dev/null 2>&1); then
	skip "xen guest run" "apt-get download of$need failed (no mirror?)"
	exit 0
fi
R=$W/root-$KVER
if [ ! -e "$R/.done" ]; then
	rm -rf "$R" && mkdir -p "$R"
	for p in $PKGS; do
		d=$(ls -t "$W"/debs/${p}_*.deb | head -1)
		case $d in
		# From the kernel: the image, the Xen drivers and what a 9p
		# share over virtio needs.
		*/${KPKG}_*) dpkg-deb --fsys-tarfile "$d" | tar -x -C "$R" --wildcards \
			'./boot/vmlinuz-*' "./lib/modules/$KVER/modules.*" \
			"./lib/modules/$KVER/kernel/drivers/xen/*" \
			"./lib/modules/$KVER/kernel/drivers/virtio/*" \
			"./lib/modules/$KVER/kernel/net/9p/*" \
			"./lib/modules/$KVER/kernel/fs/9p/*" \
			"./lib/modules/$KVER/kernel/fs/netfs/*" \
			"./lib/modules/$KVER/kernel/fs/fscache/*" 2>/dev/null ;;
		*) dpkg -x "$d" "$R" ;;
		esac
	done
	depmod -b "$R" "$KVER" 2>/dev/null
	touch "$R/.done"
fi
if [ ! -s "$W/vmlinux-$KVER" ]; then
	# Xen's libxenguest decodes an xz bzImage slowly under TCG: hand it
	# the ELF inside.
	python3 - "$R/boot/vmlinuz-$KVER" "$W/vmlinux-$KVER.tmp" <<'PY' || exit 1
import lzma, sys
d = open(sys.argv[1], 'rb').read()
off = d.find(b'\xfd7zXZ\x00')
elf = lzma.LZMADecompressor().decompress(d[off:])
assert elf[:4] == b'\x7fELF'
open(sys.argv[2], 'wb').write(elf)
PY
	mv "$W/vmlinux-$KVER.tmp" "$W/vmlinux-$KVER"
fi
zcat "$R"/boot/xen-4.17-amd64.gz > "$T/xen.elf"

# --- dom0 initramfs -------------------------------------------------------------
D=$T/dom0
mkdir -p "$D"/{bin,proc,sys,dev,run,tmp,share,guest,etc/xen,lib64,lib/x86_64-linux-gnu,usr/lib/xen-4.17/bin,isolat,scenario}
cp "$R/bin/busybox" "$D/bin/"
for b in xl xenstored xenconsoled xen-init-dom0; do
	cp "$R/usr/lib/xen-4.17/bin/$b" "$D/usr/lib/xen-4.17/bin/"
done
for d in "$R/lib/x86_64-linux-gnu" "$R/usr/lib/x86_64-linux-gnu"; do
	[ -d "$d" ] && find "$d" -maxdepth 1 -name '*.so*' -exec cp -a {} "$D/lib/x86_64-linux-gnu/" \;
done
# isolat's own libraries, from this host (the same Debian release).
for l in $(ldd "$ISOLAT" | awk '$3 ~ /^\// {print $3}'); do
	cp -L "$l" "$D/lib/x86_64-linux-gnu/"
done
ln -sf /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$D/lib64/ld-linux-x86-64.so.2"
mkdir -p "$D/lib/modules"
cp -a "$R/lib/modules/$KVER" "$D/lib/modules/"
# stress-ng for the PV case's load inside: the harness in dom0 carries
# it (and its libraries, found in dom0's multiarch directory) into the
# domU image.
if command -v stress-ng >/dev/null; then
	mkdir -p "$D/usr/bin"
	cp "$(command -v stress-ng)" "$D/usr/bin/stress-ng"
	for l in $(ldd "$(command -v stress-ng)" | awk '$3 ~ /^\// {print $3}'); do
		cp -L "$l" "$D/lib/x86_64-linux-gnu/"
	done
fi
cp "$ISOLAT" "$D/isolat/isolat"
cp "$(dirname "$ISOLAT")/isolat-wl" "$D/isolat/isolat-wl"
cp "$W/vmlinux-$KVER" "$D/guest/vmlinux"
echo 'autoballoon="off"' > "$D/etc/xen/xl.conf"

LOOPS=300
# The Xen isolation is a profile's, not the scenario's: pooled (the
# guest's pCPUs in a credit2 cpupool), shared (pinned, but in Pool-0
# beside dom0: a warning), rtds (not built into Debian's Xen: skipped at
# plan time), fenced (a cpupool, and dom0's vCPUs pinned to the others).
scn() { # NAME TYPE PROFILES LOOPS [SCENARIO-LINE...]
	local extra
	extra=$(printf '%s\n' "${@:5}")
	cat <<INI
[scenario]
name = e2e-xen-$1
environments = xen
profiles = $3
workloads = rtlat
cpus = 1
housekeeping = 0
vcpus = 2
memory_mb = 256
interval_us = 1000
loops = $4
hello_timeout_s = 180
grace_s = 180
xen_kernel = /guest/vmlinux
xen_type = $2
$extra
guest_cmdline = isolcpus=1

[profile pooled]
vcpu_pin = 2-3
xen_cpupool = yes
xen_sched = credit2

[profile shared]
vcpu_pin = 2-3

[profile rtds]
vcpu_pin = 2-3
xen_cpupool = yes
xen_sched = rtds

[profile fenced]
vcpu_pin = 2-3
xen_cpupool = yes
xen_sched = credit2
dom0_cpus = housekeeping
INI
}
# The PV cases also run a load inside the domU (no extra boot).
if command -v stress-ng >/dev/null; then
	scn pv pv pooled,shared,rtds $LOOPS "loads = cpu" "load_side = inside" "load_settle_s = 1" > "$D/scenario/pv.ini"
else
	scn pv pv pooled,shared,rtds $LOOPS > "$D/scenario/pv.ini"
fi
scn pvh pvh fenced $LOOPS > "$D/scenario/pvh.ini"
# Killed with -9 mid-case (runs long), then `isolat restore`.
scn kill pv fenced 100000 > "$D/scenario/kill.ini"
# A guest that never sends HELLO: rdinit names a missing program, the
# kernel panics and the domain sits there until the bound.
cat > "$D/scenario/hang.ini" <<INI
[scenario]
name = e2e-xen-hang
environments = xen
workloads = rtlat
cpus = 1
housekeeping = 0
vcpus = 2
memory_mb = 256
loops = 100
hello_timeout_s = 25
xen_kernel = /guest/vmlinux
xen_pcpus = 2-3
xen_cpupool = yes
guest_cmdline = rdinit=/bin/doesnotexist
INI


cat > "$D/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/usr/lib/xen-4.17/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /run
mkdir -p /run/xen /var/run /var/lock /var/lib/xen /var/lib/xenstored \
	/var/log/xen/console /var/cache/isolat/images /tmp
ln -sf /run/xen /var/run/xen
# order matters: xenfs needs xen-privcmd; virtio_pci must find the 9p
# device before 9pnet_virtio looks for its channel
for m in xen-privcmd xen-evtchn xen-gntdev xen-gntalloc xenfs virtio_pci 9pnet_virtio 9p; do
	modprobe $m || echo "XENE2E: modprobe $m failed"
done
mount -t xenfs xenfs /proc/xen
mount -t 9p -o trans=virtio,version=9p2000.L share /share || echo "XENE2E: no 9p share"
xenstored --pid-file=/run/xenstored.pid
timeout 60 xen-init-dom0
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console
echo "XENE2E: toolstack up"
/isolat/isolat envs > /share/envs.txt 2>&1
sed 's/^/XENE2E: /' /share/envs.txt
# A leftover of a "crashed" run: the next case must remove it.
xl cpupool-create name=\"isolat-stale\" sched=\"credit2\" cpus=[] \
	|| echo "XENE2E: cannot make the stale pool"
for s in pv pvh hang; do
	# SQLite's WAL needs shared mmap, which 9p lacks: run on the
	# rootfs, copy the database over at the end.
	/isolat/isolat --db /tmp/isolat.db --quiet run /scenario/$s.ini \
		> /share/run-$s.txt 2>&1
	echo "rc=$?" >> /share/run-$s.txt
	echo "XENE2E: run $s done"
	sed 's/^/XENE2E: /' /share/run-$s.txt
done
xl list > /share/xl-list.txt 2>&1
cp /tmp/isolat.db* /share/
xl cpupool-list -c > /share/cpupool-list.txt 2>&1
xl vcpu-list Domain-0 > /share/dom0-vcpus.txt 2>&1
# kill -9 of isolat mid-case: its journal is left; `isolat restore`
# destroys the domain, gives the pCPUs back, unpins dom0.
/isolat/isolat --db /tmp/kill.db --quiet run /scenario/kill.ini \
	> /share/run-kill.txt 2>&1 &
pid=$!
i=0
while [ $i -lt 300 ] && ! xl list 2>/dev/null | grep -q '^isolat-case'; do
	sleep 1; i=$((i + 1))
done
sleep 15 # past `xl create`: the guest boots
kill -9 $pid
wait $pid 2>/dev/null
{ echo "== journal"; cat /run/isolat/journal; echo "== xl list"; xl list
  echo "== cpupool-list"; xl cpupool-list -c; echo "== dom0"
  xl vcpu-list Domain-0; } > /share/kill-before.txt 2>&1
/isolat/isolat restore > /share/restore.txt 2>&1
echo "rc=$?" >> /share/restore.txt
[ -e /run/isolat/journal ] && echo "journal still there" >> /share/restore.txt
sed 's/^/XENE2E: restore: /' /share/restore.txt
/isolat/isolat restore > /share/restore2.txt 2>&1
echo "rc=$?" >> /share/restore2.txt
xl list > /share/kill-xl-list.txt 2>&1
xl cpupool-list -c > /share/kill-cpupool-list.txt 2>&1
xl vcpu-list Domain-0 > /share/kill-dom0.txt 2>&1
sync
umount /share
echo "XENE2E: done"
poweroff -f
EOF
chmod +x "$D/init"
python3 - "$D" "$T/dom0.cpio" <<'PY'
# cpio newc of a tree (no cpio(1) needed on the host)
import os, sys, stat
root, out = sys.argv[1], sys.argv[2]
ino = 1
with open(out, 'wb') as f:
    def ent(name, st, data):
        global ino
        hdr = '070701' + ''.join('%08X' % v for v in (
            ino, st.st_mode, 0, 0, 1, int(st.st_mtime), len(data), 0, 0, 0, 0,
            len(name) + 1, 0))
        ino += 1
        b = hdr.encode() + name.encode() + b'\0'
        b += b'\0' * ((4 - len(b) % 4) % 4)
        f.write(b + data + b'\0' * ((4 - len(data) % 4) % 4))
    for d, dirs, files in os.walk(root):
        for n in sorted(dirs) + sorted(files):
            p = os.path.join(d, n)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(p).encode()
            elif stat.S_ISREG(st.st_mode):
                data = open(p, 'rb').read()
            else:
                data = b''
            ent(rel, st, data)
    class E: st_mode = 0; st_mtime = 0
    ent('TRAILER!!!', E, b'')
PY

# --- boot -----------------------------------------------------------------------
mkdir -p "$T/share"
XEN_CMD="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=1 smap=0 loglvl=all guest_loglvl=all"
timeout 900 qemu-system-x86_64 -accel tcg -cpu max -m 2048 -smp 4 \
	-display none -vga none -monitor none -serial stdio -net none -no-reboot \
	-virtfs local,path="$T/share",mount_tag=share,security_model=none,id=share \
	-kernel "$T/xen.elf" -append "$XEN_CMD" \
	-initrd "$R/boot/vmlinuz-$KVER console=hvc0 earlyprintk=xen,$T/dom0.cpio" \
	</dev/null > "$T/serial.log" 2>&1
rc=$?
check "dom0 finished (qemu rc $rc)" grep -aq 'XENE2E: done' "$T/serial.log"
if [ -n "${XEN_E2E_KEEP:-}" ]; then
	cp -r "$T/share" "$XEN_E2E_KEEP/" && cp "$T/serial.log" "$XEN_E2E_KEEP/"
fi
DB=$T/share/isolat.db
check "database came back" [ -s "$DB" ]
check "envs in dom0: xen ready" grep -qE '^  xen +ready +Xen 4\.17' "$T/share/envs.txt"
for s in pv pvh; do
	check "$s run exits 0 ($(tail -1 "$T/share/run-$s.txt" 2>/dev/null))" \
		grep -q '^rc=0$' "$T/share/run-$s.txt"
done
fact() { # SCENARIO PROFILE KEY
	q "$DB" "SELECT f.value FROM case_facts f JOIN cases c ON c.id=f.case_id
		JOIN runs r ON r.id=c.run_id WHERE f.key='$3' AND
		r.scenario_name='e2e-xen-$1' AND c.profile='$2'" 2>/dev/null
}
case_col() { # SCENARIO PROFILE COLUMN
	q "$DB" "SELECT c.$3 FROM cases c JOIN runs r ON r.id=c.run_id WHERE
		r.scenario_name='e2e-xen-$1' AND c.profile='$2'" 2>/dev/null
}
for sp in pv:pooled pvh:fenced; do
	s=${sp%%:*} p=${sp#*:}
	check "$s $p: case done ($(case_col $s $p reason))" [ "$(case_col $s $p status)" = done ]
	check "$s $p: every sample landed" [ "$(q "$DB" "SELECT sum(s.count) FROM series s JOIN cases c ON c.id=s.case_id JOIN runs r ON r.id=c.run_id WHERE r.scenario_name='e2e-xen-$s' AND c.profile='$p'" 2>/dev/null)" = $LOOPS ]
	check "$s $p: labelled emulated" [ "$(case_col $s $p emulated)" = 1 ]
	want=PV; [ $s = pvh ] && want=PVH
	check "$s $p: guest says Xen $want ($(fact $s $p hypervisor))" [ "$(fact $s $p hypervisor)" = "Xen $want" ]
	check "$s $p: guest cmdline has isolcpus=1" grep -q 'isolcpus=1' <<<"$(fact $s $p cmdline)"
	check "$s $p: vCPU 1 pinned to pCPU 3 (profile's vcpu_pin)" [ "$(fact $s $p xen.vcpu.1.pcpu)" = 3 ]
	check "$s $p: cpupool recorded" grep -q 'isolat-pool-.* sched=credit2 pCPUs "2","3"' <<<"$(fact $s $p xen.cpupool)"
	check "$s $p: xl info recorded" grep -q 'xen_version' <<<"$(fact $s $p xen.info)"
	check "$s $p: dom0 vCPU placement recorded" grep -q 'Domain-0' <<<"$(fact $s $p xen.dom0_vcpus)"
	check "$s $p: dom0 vCPU 0's pCPU recorded ($(fact $s $p xen.dom0.vcpu.0.pcpu))" grep -qE '^[01]$' <<<"$(fact $s $p xen.dom0.vcpu.0.pcpu)"
	check "$s $p: dom0 in Pool-0 without the guest's pCPUs ($(fact $s $p xen.dom0.pool))" [ "$(fact $s $p xen.dom0.pool)" = "Pool-0 (pCPUs 0-1)" ]
	check "$s $p: dom0 verified off the guest's pCPUs" grep -q '^no:' <<<"$(fact $s $p xen.dom0_shares_pcpus)"
done
check "pvh fenced: dom0 pinned to the housekeeping pCPUs ($(fact pvh fenced xen.dom0_cpus))" grep -q '^0-1 ' <<<"$(fact pvh fenced xen.dom0_cpus)"
check "pvh fenced: dom0 vCPU 0 hard affinity 0-1 ($(fact pvh fenced xen.dom0.vcpu.0.affinity))" grep -q '^hard 0-1 /' <<<"$(fact pvh fenced xen.dom0.vcpu.0.affinity)"
check "pv shared: case done ($(case_col pv shared reason))" [ "$(case_col pv shared status)" = done ]
check "pv shared: no cpupool" [ -z "$(fact pv shared xen.cpupool)" ]
check "pv shared: dom0 shares the guest's pCPUs ($(fact pv shared xen.dom0_shares_pcpus))" grep -q '^yes: pCPUs 2-3' <<<"$(fact pv shared xen.dom0_shares_pcpus)"
check "pv shared: warned" grep -q 'dom0 may run on' <<<"$(fact pv shared xen.warning)"
check "pv rtds: skipped at plan time" [ "$(case_col pv rtds status)" = skipped ]
check "pv rtds: reason names the missing scheduler ($(case_col pv rtds reason))" grep -q 'no rtds scheduler' <<<"$(case_col pv rtds reason)"
check "dom0 unpinned after the runs" grep -qE '^Domain-0 .* all / all$' "$T/share/dom0-vcpus.txt"
check "kill -9: isolat's domain was running" grep -q '^isolat-case' "$T/share/kill-before.txt"
check "kill -9: journal holds domain, cpupool, dom0pin" bash -c 'grep -q "^domain	xen	isolat-case" "$1" && grep -q "^cpupool	xen_cpupool	isolat-pool-.*	2-3	created" "$1" && grep -q "^dom0pin	dom0_cpus	Domain-0:0	all	0-1" "$1"' _ "$T/share/kill-before.txt"
check "kill -9: restore exits 0 ($(grep -v '^isolat restore: ' "$T/share/restore.txt" 2>/dev/null | tr '\n' ' '))" grep -qx 'rc=0' "$T/share/restore.txt"
check "kill -9: a second restore has nothing to do" bash -c 'grep -qx "rc=0" "$1" && grep -q "nothing to restore" "$1"' _ "$T/share/restore2.txt"
check "kill -9: journal removed" bash -c '! grep -q "journal still there" "$1"' _ "$T/share/restore.txt"
check "kill -9: no isolat domain after restore" bash -c '[ -s "$1" ] && ! grep -q "^isolat-" "$1"' _ "$T/share/kill-xl-list.txt"
check "kill -9: no isolat cpupool after restore" bash -c '[ -s "$1" ] && ! grep -q "^isolat-" "$1"' _ "$T/share/kill-cpupool-list.txt"
check "kill -9: pCPUs back in Pool-0 after restore" grep -qE '^Pool-0 +(0-3|0,1,2,3)$' "$T/share/kill-cpupool-list.txt"
check "kill -9: dom0 unpinned after restore" grep -qE '^Domain-0 .* all / all$' "$T/share/kill-dom0.txt"

# The PV case's load inside: isolat-wl in the domU started stress-ng on
# vCPU 0 (the housekeeping vCPU) and it counted work there.
if command -v stress-ng >/dev/null; then
	check "pv: load inside, on vCPU 0 ($(fact pv pooled load.side) $(fact pv pooled load.inside.cpus))" [ "$(fact pv pooled load.side) $(fact pv pooled load.inside.cpus)" = "inside 0" ]
	bogo=$(fact pv pooled load.metrics | awk '$1=="stress-ng:" && $2=="metrc:" && $4=="cpu" {print $5; n=1} END {if (!n) print 0}')
	check "pv: stress-ng counted work in the domU ($bogo bogo-ops)" [ "$bogo" -gt 0 ]
	check "pv: stress-ng ended cleanly" [ "$(fact pv pooled load.exit)" = "exit status 0" ]
else
	skip "pv: load inside" "stress-ng not installed"
fi
check "host metadata holds xl info" grep -q 'xen_version' <<<"$(q "$DB" "SELECT value FROM run_meta WHERE key='xen_info' LIMIT 1")"
check "stale cpupool of a crashed run removed" grep -q 'cpupool isolat-stale' <<<"$(fact pv pooled xen.leftovers_removed)"
check "hung guest: run exits 1" grep -q '^rc=1$' "$T/share/run-hang.txt"
check "hung guest: case failed" [ "$(q "$DB" "SELECT c.status FROM cases c JOIN runs r ON r.id=c.run_id WHERE r.scenario_name='e2e-xen-hang'")" = failed ]
check "hung guest: reason is no HELLO" grep -q 'no HELLO' <<<"$(q "$DB" "SELECT c.reason FROM cases c JOIN runs r ON r.id=c.run_id WHERE r.scenario_name='e2e-xen-hang'")"
check "hung guest: console log stored" grep -q 'Kernel panic' <<<"$(fact hang none xen.console_log)"
check "hung guest: labelled emulated" [ "$(q "$DB" "SELECT c.emulated FROM cases c JOIN runs r ON r.id=c.run_id WHERE r.scenario_name='e2e-xen-hang'")" = 1 ]
check "no isolat domain left" bash -c '[ -s "$1" ] && ! grep -q "^isolat-" "$1"' _ "$T/share/xl-list.txt"
check "no isolat cpupool left" bash -c '[ -s "$1" ] && ! grep -q "^isolat-" "$1"' _ "$T/share/cpupool-list.txt"
check "pCPUs back in Pool-0" grep -qE '^Pool-0 +(0-3|0,1,2,3)$' "$T/share/cpupool-list.txt"
# What failed, for the log.
q "$DB" "SELECT '# case ' || id || ': ' || status || ' ' || coalesce(reason, '') FROM cases" 2>/dev/null
