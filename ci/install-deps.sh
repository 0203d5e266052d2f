#!/bin/sh
# install-deps.sh - the Debian 12 packages isolat builds, runs and tests
# with.  Idempotent: installs only what is missing (so `make demo` is quick
# the second time).  Needs root for apt-get.
set -eu

PKGS="gcc make pkg-config
      libinih-dev libsqlite3-dev libhwloc-dev libcmocka-dev
      rt-tests stress-ng gnuplot-nox
      clang libclang-rt-14-dev
      sqlite3 libxml2-utils netpbm
      lxc lxc-dev
      qemu-system-x86 libarchive-dev libssl-dev kmod
      iproute2 ethtool openvswitch-switch sockperf
      chromium poppler-utils python3-pandas man-db groff-base
      lava-common"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing; run as root (apt-get install)" >&2
	exit 3
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing </dev/null
