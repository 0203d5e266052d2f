#!/bin/bash
# netlat.sh - netlat end to end (docs/netlat.md): bare<->bare samples land
# over loopback, veth, a Linux bridge and Open vSwitch (isolat's own
# daemons); lxc<->bare over bridge and ovs, the reflector in a container
# of its own (peer = lxc: bare->lxc, lxc->lxc) and kvm (emulated here) <->
# bare over a tap in the bridge where those environments are ready; then
# kill -9 of the harness mid-case on the ovs path and `isolat restore`:
# no isolat- namespace, link or OVS process is left and the host's IRQ
# affinities are as before.  Bad input: an unknown network, a peer that
# cannot hold the reflector, a name already taken.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_snapshot.sh"

need_root "netlat" || exit 0
command -v ip > /dev/null || { skip "netlat" "no ip (apt-get install iproute2)"; exit 0; }
HAVE_OVS=1
command -v ovs-vswitchd > /dev/null || HAVE_OVS=0
command -v ovsdb-server > /dev/null || HAVE_OVS=0

# Nothing of isolat's on the network side: namespaces, links, OVS.
leftovers() {
	{
		ip netns list 2> /dev/null | grep '^isolat-'
		ip -o link show 2> /dev/null | grep -o ' isolat-[^:@]*'
		ps -eo stat=,comm= | awk '$1 !~ /^Z/ && $2 ~ /^ovs/'
		ls -d /run/isolat/ovs-* 2> /dev/null
	} | tr '\n' ' '
}
check "no leftovers before ($(leftovers))" [ -z "$(leftovers)" ]

LOOPS=400
nets="loopback, veth, bridge"
[ $HAVE_OVS = 1 ] && nets="$nets, ovs"
cat > "$T/bare.ini" <<INI
[scenario]
name = e2e-netlat
environments = bare
workloads = netlat
networks = $nets
cpus = 1
housekeeping = 0
interval_us = 1000
loops = $LOOPS
INI
DB=$T/r.db
"$ISOLAT" --db "$DB" --quiet run "$T/bare.ini" > /dev/null 2> "$T/bare.err"
rc=$?
check "bare run exits 0 ($rc)" [ $rc -eq 0 ]
for net in loopback veth bridge ovs; do
	if [ $net = ovs ] && [ $HAVE_OVS = 0 ]; then
		skip "bare<->bare over ovs" "Open vSwitch not installed: apt-get install openvswitch-switch"
		continue
	fi
	c="bare.none.netlat-$net.none"
	check "$c done" [ "$(q "$DB" "SELECT status FROM cases WHERE name='$c'")" = done ]
	got=$(q "$DB" "SELECT s.count FROM series s JOIN cases c ON c.id=s.case_id WHERE c.name='$c' AND s.idx=0")
	lost=$(q "$DB" "SELECT value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.name='$c' AND key='end.netlat.lost'")
	check "$c: every round trip landed or was counted lost ($got + $lost)" [ $((got + lost)) -eq $LOOPS -a "$got" -gt 0 ]
	check "$c: one-way series out and back (one clock)" [ "$(q "$DB" "SELECT count(*) FROM series s JOIN cases c ON c.id=s.case_id WHERE c.name='$c' AND s.kind='oneway'")" = 2 ]
	check "$c: END says the one-way maxima (not 0)" [ "$(q "$DB" "SELECT count(*) FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.name='$c' AND key IN ('end.series.1.max', 'end.series.2.max') AND CAST(value AS INTEGER) > 0")" = 2 ]
done
"$ISOLAT" --db "$DB" show last > "$T/show.out" 2>&1
check "show: a one-way row out and back per path" [ "$(grep -cE '^ +[0-9]+  bare\.none\.netlat-[a-z]+\.none +(out|back) ' "$T/show.out")" = $((2 * $(echo $nets | wc -w))) ]
check "show: the case table says round trip" grep -q "netlat cases: the table gives the round trip" "$T/show.out"
check "path recorded as a fact" [ "$(q "$DB" "SELECT group_concat(value, ',') FROM case_facts WHERE key='net.path'")" = "$(echo "$nets" | tr -d ' ')" ]
check "kernel timestamps said" [ -n "$(q "$DB" "SELECT value FROM case_facts WHERE key='netlat.timestamping' LIMIT 1")" ]
if [ $HAVE_OVS = 1 ]; then
	check "ovs datapath recorded ($(q "$DB" "SELECT value FROM case_facts WHERE key='net.ovs.datapath'"))" \
		grep -qx 'netdev\|system' <<<"$(q "$DB" "SELECT value FROM case_facts WHERE key='net.ovs.datapath'")"
	check "TX offload off on the ovs ports" [ "$(q "$DB" "SELECT count(*) FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.name LIKE '%netlat-ovs%' AND key LIKE 'net.tx_offload.%' AND value='off'")" = 4 ]
fi
check "nothing left after the run ($(leftovers))" [ -z "$(leftovers)" ]
check "journal gone" [ ! -e /run/isolat/journal ]
# The path's isolation keys, read back as facts.
if [ $HAVE_OVS = 1 ]; then
	cat > "$T/iso.ini" <<INI
[scenario]
name = e2e-netlat-iso
environments = bare
workloads = netlat
networks = ovs
profiles = net
cpus = 1
housekeeping = 0
loops = 200

[profile net]
net_rps_cpus = 0
net_xps_cpus = 0
ovs_pmd_cpus = 0
ovs_cpus = 0
INI
	"$ISOLAT" --db "$T/iso.db" --quiet run "$T/iso.ini" > /dev/null 2> "$T/iso.err"
	isof() { q "$T/iso.db" "SELECT value FROM case_facts WHERE key = '$1'"; }
	check "isolation: ovs-vswitchd's threads placed and read back ($(isof net.ovs.threads))" grep -qE '^[1-9][0-9]* threads on CPUs 0, read back' <<<"$(isof net.ovs.threads)"
	check "isolation: pmd-cpu-mask read back ($(isof net.ovs.pmd_cpu_mask))" grep -q '0*1' <<<"$(isof net.ovs.pmd_cpu_mask)"
	check "isolation: RPS/XPS masks read back as facts" [ "$(q "$T/iso.db" "SELECT count(*) FROM case_facts WHERE key LIKE 'net.rps.%' OR key LIKE 'net.xps.%'")" -ge 2 ]
	check "isolation run: nothing left ($(leftovers))" [ -z "$(leftovers)" ]
fi
# The path is a dimension of reports, compare and gate: workload netlat-PATH,
# round trip only (one-way series are in the database and export).
check "stored as workload netlat-PATH" [ "$(q "$DB" "SELECT group_concat(workload, ',') FROM cases")" = "$(echo "$nets" | sed 's/ //g; s/\([a-z]*\)/netlat-\1/g')" ]
npaths=$(q "$DB" "SELECT count(*) FROM cases")
"$ISOLAT" --db "$DB" gate --baseline last > "$T/gate.out" 2>&1
rc=$?
check "gate against itself passes, round trip per path ($(cat "$T/gate.out"))" \
	[ $rc -eq 0 -a -n "$(grep " $((npaths * 7)) passed, 0 failed" "$T/gate.out")" ]
if command -v gnuplot > /dev/null; then
	"$ISOLAT" --db "$DB" --quiet report -o "$T/rep" last > /dev/null
	check "report lists every path" [ "$(grep -o 'netlat-[a-z]*' "$T/rep/index.html" | sort -u | wc -l)" = "$npaths" ]
fi

# lxc <-> bare over bridge and ovs: the container takes the veth end
# (lxc.net.0.type = phys); one host clock, so one-way series too.
env_ready() { "$ISOLAT" envs 2> /dev/null | grep -q "^  $1 *ready"; }
if env_ready lxc; then
	lnets=bridge
	[ $HAVE_OVS = 1 ] && lnets="bridge, ovs"
	sed "s/^environments = .*/environments = lxc/; s/^networks = .*/networks = $lnets/; s/^loops = .*/loops = 200/" \
		"$T/bare.ini" > "$T/lxc.ini"
	"$ISOLAT" --db "$T/l.db" --quiet run "$T/lxc.ini" > /dev/null 2> "$T/lxc.err"
	rc=$?
	check "lxc run exits 0 ($rc)" [ $rc -eq 0 ]
	for net in bridge ovs; do
		[ $net = ovs ] && [ $HAVE_OVS = 0 ] && continue
		c="lxc.none.netlat-$net.none"
		got=$(q "$T/l.db" "SELECT s.count FROM series s JOIN cases c ON c.id=s.case_id WHERE c.name='$c' AND s.idx=0")
		check "$c: samples landed (${got:-none})" [ "${got:-0}" -gt 0 ]
		check "$c: the container took the veth end" grep -q "(phys)" <<<"$(q "$T/l.db" "SELECT value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.name='$c' AND key='lxc.net'")"
		check "$c: measured inside the container's cgroup" grep -q "isolat.payload" <<<"$(q "$T/l.db" "SELECT value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.name='$c' AND key='cgroup'")"
	done
	check "nothing left after lxc ($(leftovers))" [ -z "$(leftovers)" ]
else
	skip "lxc<->bare" "lxc environment not ready ($("$ISOLAT" envs 2>/dev/null | grep '^  lxc'))"
fi

# The reflector in a container of its own (peer = lxc): bare -> lxc over
# the bridge, lxc -> lxc over ovs (container to container, the path this
# stack connects its environments by).  The peer takes the veth end if_b
# as the case's container takes if_a; both share the host's real-time
# budget and give it back in order, so the host's knobs are as before.
if env_ready lxc; then
	pnets=bridge
	[ $HAVE_OVS = 1 ] && pnets="bridge, ovs"
	sed "s/^environments = .*/environments = bare, lxc/; s/^networks = .*/networks = $pnets/; s/^loops = .*/loops = 200/" \
		"$T/bare.ini" > "$T/peer-lxc.ini"
	echo "peer = lxc" >> "$T/peer-lxc.ini"
	snapshot > "$T/peer-before.snap"
	"$ISOLAT" --db "$T/p.db" --quiet run "$T/peer-lxc.ini" > /dev/null 2> "$T/peer-lxc.err"
	rc=$?
	check "peer = lxc run exits 0 ($rc: $(head -c 300 "$T/peer-lxc.err"))" [ $rc -eq 0 ]
	for c in bare.none.netlat-bridge-to-lxc.none lxc.none.netlat-bridge-to-lxc.none \
		 lxc.none.netlat-ovs-to-lxc.none; do
		case $c in *ovs*) [ $HAVE_OVS = 0 ] && continue ;; esac
		f() { q "$T/p.db" "SELECT value FROM case_facts f JOIN cases c ON c.id=f.case_id WHERE c.name='$c' AND key='$1'"; }
		got=$(q "$T/p.db" "SELECT s.count FROM series s JOIN cases c ON c.id=s.case_id WHERE c.name='$c' AND s.idx=0")
		check "$c: samples landed (${got:-none})" [ "${got:-0}" -gt 0 ]
		check "$c: one-way series (one host clock)" [ "$(q "$T/p.db" "SELECT count(*) FROM series s JOIN cases c ON c.id=s.case_id WHERE c.name='$c' AND s.kind='oneway'")" = 2 ]
		check "$c: net.peer says lxc" [ "$(f net.peer)" = lxc ]
		check "$c: the peer container took the reflector's end ($(f peer.lxc.net))" grep -q -- "-b0 198.18.0.2/24 (phys)" <<<"$(f peer.lxc.net)"
		check "$c: the peer container has a name of its own" [ -n "$(f peer.lxc.name)" -a "$(f peer.lxc.name)" != "$(f lxc.name)" ]
		check "$c: the reflector answered ($(f net.reflector_log))" grep -q "replies sent" <<<"$(f net.reflector_log)"
	done
	check "nothing left after peer = lxc ($(leftovers))" [ -z "$(leftovers)" ]
	check "no peer container left" [ -z "$(ls /run/isolat/lxc 2> /dev/null)" ]
	snapshot > "$T/peer-after.snap"
	snap_diff "$T/peer-before.snap" "$T/peer-after.snap"
	check "peer = lxc: RT budgets and host state as before" snap_same "$T/peer-before.snap" "$T/peer-after.snap"
	# A path that cannot reach a container end: skipped with the reason.
	sed "s/^networks = .*/networks = loopback/" "$T/peer-lxc.ini" > "$T/peer-lo.ini"
	"$ISOLAT" plan "$T/peer-lo.ini" > "$T/peer-lo.out" 2>&1
	check "peer = lxc over loopback: skipped, with the reason" grep -q "cannot reach a reflector in lxc" "$T/peer-lo.out"
else
	skip "peer = lxc" "lxc environment not ready"
fi

# kvm (TCG here: emulated) <-> bare over a tap in the bridge: virtio-net
# in the guest, its address from isolat.net= on its kernel command line;
# a guest has its own clock, so the round trip only.
if env_ready kvm; then
	cat > "$T/kvm.ini" <<INI
[scenario]
name = e2e-netlat-kvm
environments = kvm
workloads = netlat
networks = bridge
cpus = 1
housekeeping = 0
interval_us = 10000
loops = 100
reply_timeout_us = 200000
hello_timeout_s = 120
INI
	"$ISOLAT" --db "$T/k.db" --quiet run "$T/kvm.ini" > /dev/null 2> "$T/kvm.err"
	rc=$?
	check "kvm run exits 0 ($rc)" [ $rc -eq 0 ]
	c=kvm.none.netlat-bridge.none
	got=$(q "$T/k.db" "SELECT s.count FROM series s JOIN cases c ON c.id=s.case_id WHERE c.name='$c' AND s.idx=0")
	check "$c: samples landed (${got:-none})" [ "${got:-0}" -gt 0 ]
	check "$c: round trip only (no shared clock)" [ "$(q "$T/k.db" "SELECT count(*) FROM series s JOIN cases c ON c.id=s.case_id WHERE c.name='$c'")" = 1 ]
	check "$c: the guest got its address on its command line" grep -q "isolat.net=198.18.0.1/24" <<<"$(q "$T/k.db" "SELECT value FROM case_facts WHERE key='kvm.guest_cmdline'")"
	check "$c: virtio-net on a tap in QEMU's argv" grep -q "tap,id=n0,ifname=isolat-" <<<"$(q "$T/k.db" "SELECT value FROM case_facts WHERE key='kvm.qemu_argv'")"
	check "nothing left after kvm ($(leftovers))" [ -z "$(leftovers)" ]
else
	skip "kvm<->bare" "kvm environment not ready"
fi

# Bad input: an unknown network, a peer that cannot hold the reflector -
# exit 2, named.
sed 's/^networks = .*/networks = veth, wifi/' "$T/bare.ini" > "$T/bad.ini"
"$ISOLAT" --db "$DB" --quiet run "$T/bad.ini" > /dev/null 2> "$T/bad.err"
rc=$?
check "unknown network: exit 2 ($rc)" [ $rc -eq 2 ]
check "unknown network: named with the choices" grep -q "unknown network 'wifi'; expected one of: loopback, veth, bridge, ovs" "$T/bad.err"
{ cat "$T/bare.ini"; echo "peer = kvm"; } > "$T/peer.ini"
"$ISOLAT" --db "$DB" --quiet run "$T/peer.ini" > /dev/null 2> "$T/peer.err"
check "peer = kvm: exit 2 with the choices" grep -q "peer = kvm: expected bare or lxc" "$T/peer.err"
check "nothing left after bad input ($(leftovers))" [ -z "$(leftovers)" ]

# A name already taken is an error, never a takeover.  The case's names
# carry a tag from the harness's PID and the case index (net_case.c
# names(): (pid * 31 + idx * 7919) & 0xffff), so a subshell that takes
# the first case's namespace name and then becomes the harness (exec
# keeps the PID) makes the clash for real.
sed 's/^networks = .*/networks = veth/; s/^loops = .*/loops = 50/' "$T/bare.ini" > "$T/clash.ini"
(
	p=$BASHPID
	tag=$(printf %04x $(((p * 31) & 0xffff)))
	echo "$tag" > "$T/clash.tag"
	ip netns add "isolat-$tag-a" || exit 99
	exec "$ISOLAT" --db "$T/c.db" run "$T/clash.ini" > /dev/null 2> "$T/clash.err"
)
rc=$?
tag=$(cat "$T/clash.tag")
check "name clash: the run fails (exit $rc)" [ $rc -ne 0 -a $rc -ne 99 ]
check "name clash: named, not taken over" grep -q "network namespace isolat-$tag-a already exists: not ours to take over" "$T/clash.err"
check "name clash: the case failed with the reason" grep -q "already exists" <<<"$(q "$T/c.db" "SELECT reason FROM cases WHERE name='bare.none.netlat-veth.none'")"
check "name clash: the other namespace is still there" bash -c "ip netns list | grep -q '^isolat-$tag-a'"
ip netns del "isolat-$tag-a"
check "name clash: nothing of the case left ($(leftovers))" [ -z "$(leftovers)" ]

# SIGTERM mid-case on the bridge path: the case ends, the path goes.
sed 's/^networks = .*/networks = bridge/; s/^loops = .*/loops = 60000/' "$T/bare.ini" > "$T/term.ini"
"$ISOLAT" --db "$T/t.db" --quiet run "$T/term.ini" > /dev/null 2> "$T/term.err" &
pid=$!
for _ in $(seq 1 100); do
	pgrep -f "isolat-wl netlat --cpus" > /dev/null && break
	sleep 0.2
done
sleep 1
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM mid-case: run ends interrupted ($rc)" [ $rc -ne 0 ]
check "SIGTERM mid-case: nothing left ($(leftovers))" [ -z "$(leftovers)" ]
check "SIGTERM mid-case: journal gone" [ ! -e /run/isolat/journal ]

# kill -9 mid-case with the reflector in a container (peer = lxc, both
# ends containers): `isolat restore` destroys both, their cgroups and the
# RT budgets they took, and the path.
if env_ready lxc; then
	sed "s/^environments = .*/environments = lxc/; s/^networks = .*/networks = bridge/; s/^loops = .*/duration_s = 120/" \
		"$T/bare.ini" > "$T/peer-kill.ini"
	echo "peer = lxc" >> "$T/peer-kill.ini"
	snapshot > "$T/pk-before.snap"
	"$ISOLAT" --db "$T/pk.db" --quiet run "$T/peer-kill.ini" > /dev/null 2> "$T/pk.err" &
	pid=$!
	for _ in $(seq 1 150); do
		pgrep -f "isolat-wl netlat --cpus" > /dev/null && break
		sleep 0.2
	done
	sleep 1
	check "peer = lxc: both containers running before the kill" [ "$(grep -c '^container' /run/isolat/journal 2> /dev/null)" = 2 ]
	kill -9 $pid
	wait $pid 2> /dev/null
	sleep 0.5
	"$ISOLAT" restore > /dev/null 2> "$T/pk-restore.err"
	rc=$?
	check "peer = lxc: restore exits 0 ($rc)" [ $rc -eq 0 ]
	check "peer = lxc: restore destroyed both containers" [ "$(grep -c "LXC container isolat-.*: stopped and destroyed" "$T/pk-restore.err")" = 2 ]
	sleep 0.5
	check "peer = lxc after kill -9: nothing left ($(leftovers))" [ -z "$(leftovers)" -a -z "$(ls /run/isolat/lxc 2> /dev/null)" ]
	wl_left=$(pgrep -f '^[^ ]*isolat-wl netlat' | tr '\n' ' ')
	check "peer = lxc after kill -9: no isolat-wl left ($wl_left)" [ -z "$wl_left" ]
	snapshot > "$T/pk-after.snap"
	snap_diff "$T/pk-before.snap" "$T/pk-after.snap"
	check "peer = lxc after kill -9: RT budgets and host state as before" snap_same "$T/pk-before.snap" "$T/pk-after.snap"
else
	skip "kill -9 with peer = lxc" "lxc environment not ready"
fi

# kill -9 mid-case on the ovs path, with the path's isolation keys set.
if [ $HAVE_OVS = 0 ]; then
	skip "kill -9 on the ovs path" "Open vSwitch not installed: apt-get install openvswitch-switch"
	exit 0
fi
cat > "$T/kill.ini" <<INI
[scenario]
name = e2e-netlat-kill
environments = bare
workloads = netlat
networks = ovs
profiles = net
cpus = 1
housekeeping = 0
duration_s = 120

[profile net]
irq_affinity = housekeeping
net_rps_cpus = 0
net_xps_cpus = 0
ovs_pmd_cpus = 0
ovs_cpus = 0
INI
snapshot > "$T/before.snap"
"$ISOLAT" --db "$T/k.db" --quiet run "$T/kill.ini" > /dev/null 2> "$T/kill.err" &
pid=$!
for _ in $(seq 1 150); do
	pgrep -f "isolat-wl netlat --cpus" > /dev/null && break
	sleep 0.2
done
sleep 1
check "ovs case running before the kill" bash -c 'pgrep -f "isolat-wl netlat --cpus" > /dev/null'
check "ovs daemons of isolat's own running" bash -c 'ps -eo stat=,args= | awk '"'"'$1 !~ /^Z/'"'"' | grep -q "ovs-vswitchd unix:/run/isolat/ovs-"'
check "journal holds the path" grep -q "^ovs" /run/isolat/journal
check "RPS and XPS masks of the ports journaled" [ "$(grep -c '/sys/class/net/isolat-[0-9a-f]*-[ab]p/queues/[rt]x-0/[rx]ps_cpus' /run/isolat/journal)" = 4 ]
kill -9 $pid
wait $pid 2> /dev/null
sleep 0.5
check "after kill -9 the path is still there" [ -n "$(leftovers)" ]
"$ISOLAT" restore > "$T/restore.out" 2> "$T/restore.err"
rc=$?
check "restore exits 0 ($rc)" [ $rc -eq 0 ]
check "restore says the OVS went" grep -q "Open vSwitch of /run/isolat/ovs-" "$T/restore.err"
sleep 0.5
check "no isolat- namespace, link or ovs process left ($(leftovers))" [ -z "$(leftovers)" ]
snapshot > "$T/after.snap"
snap_diff "$T/before.snap" "$T/after.snap"
check "IRQ affinities and host state as before" snap_same "$T/before.snap" "$T/after.snap"
check "no ovs-netdev left behind" bash -c '! ip link show ovs-netdev > /dev/null 2>&1'
