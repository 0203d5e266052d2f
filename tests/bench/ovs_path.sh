#!/bin/bash
# ovs_path.sh up|down - for `make bench` only: the ovs path netlat crosses
# (harness/net/net_ovs.c), built by hand so that sockperf can cross the
# same thing: private ovsdb-server + ovs-vswitchd under
# /run/isolat/ovs-bench, bridge isolat-bnch-ov (datapath netdev, or system
# where the openvswitch module is loaded), veth ports with TX checksum
# offload off, namespaces isolat-bnch-a (198.18.0.1) and isolat-bnch-b
# (198.18.0.2).  `down` removes all of it (also what an `up` left half
# made).  Never the system's OVS.
set -u
D=/run/isolat/ovs-bench
BR=isolat-bnch-ov
export OVS_RUNDIR=$D OVS_DBDIR=$D OVS_LOGDIR=$D
vsctl() { ovs-vsctl --db="unix:$D/db.sock" --timeout=20 "$@"; }

down() {
	for d in ovs-vswitchd ovsdb-server; do
		[ -f "$D/$d.pid" ] && kill "$(cat "$D/$d.pid")" 2> /dev/null
	done
	sleep 0.5
	# The netdev datapath's device, when this script's OVS made it.
	[ -e "$D/made-ovs-netdev" ] && ip link del ovs-netdev 2> /dev/null
	for l in isolat-bnch-ap isolat-bnch-bp $BR; do
		ip link del "$l" 2> /dev/null
	done
	ip netns del isolat-bnch-a 2> /dev/null
	ip netns del isolat-bnch-b 2> /dev/null
	rm -rf "$D"
	return 0
}

up() {
	local dp=netdev
	[ -d /sys/module/openvswitch ] && dp=system
	mkdir -p "$D" && chmod 700 "$D" || return 1
	ip link show ovs-netdev > /dev/null 2>&1 || : > "$D/made-ovs-netdev"
	ovsdb-tool create "$D/conf.db" /usr/share/openvswitch/vswitch.ovsschema &&
	ovsdb-server "$D/conf.db" --remote="punix:$D/db.sock" \
		--pidfile="$D/ovsdb-server.pid" --unixctl="$D/ovsdb-server.ctl" \
		--no-chdir --detach --log-file="$D/ovsdb-server.log" &&
	vsctl --no-wait init &&
	ovs-vswitchd "unix:$D/db.sock" --pidfile="$D/ovs-vswitchd.pid" \
		--unixctl="$D/ovs-vswitchd.ctl" --no-chdir --detach \
		--log-file="$D/ovs-vswitchd.log" &&
	vsctl add-br $BR -- set bridge $BR datapath_type=$dp || return 1
	for e in a b; do
		local ns=isolat-bnch-$e in=isolat-bnch-${e}0 port=isolat-bnch-${e}p
		local addr=198.18.0.1
		[ $e = b ] && addr=198.18.0.2
		ip netns add $ns && ip -n $ns link set lo up &&
		ip link add $in type veth peer name $port &&
		ethtool -K $in tx off > /dev/null && ethtool -K $port tx off > /dev/null &&
		ip link set $in netns $ns &&
		ip -n $ns addr add $addr/24 dev $in && ip -n $ns link set $in up &&
		ip link set $port up && vsctl add-port $BR $port || return 1
	done
}

case ${1:-} in
up) up || { down; exit 1; } ;;
down) down ;;
*) echo "usage: $0 up|down" >&2; exit 129 ;;
esac
