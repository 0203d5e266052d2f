# lib_kernel.sh - a Debian guest kernel for the KVM/Xen end-to-end tests, so a
# guest boots without the host's own kernel (which may be custom, without
# modules or without the virtio drivers as modules).  Source it, then call
# fetch_guest_kernel; on success it sets
#
#   GUEST_KERNEL   the vmlinuz path
#   GUEST_MODULES  its /lib/modules/VERSION tree
#
# and returns 0; otherwise GUEST_KERNEL_WHY says why (the caller SKIPs).
#
# The package is the versioned dependency of linux-image-cloud-amd64
# (resolved with apt-cache depends), fetched with `apt-get download` and
# unpacked with dpkg-deb -x into $ISOLAT_KERNEL_CACHE (default
# /var/cache/isolat/kernels), outside the repository; `depmod -b` (kmod)
# writes the modules.dep the package leaves to its postinst.  Idempotent: an
# unpacked tree is reused without asking apt anything.

ISOLAT_KERNEL_CACHE=${ISOLAT_KERNEL_CACHE:-/var/cache/isolat/kernels}
GUEST_KERNEL= GUEST_MODULES= GUEST_KERNEL_WHY=

_guest_kernel_found() {
	local d=$1 v
	for v in "$d"/boot/vmlinuz-*; do
		[ -f "$v" ] || continue
		v=${v##*/vmlinuz-}
		# The .deb does not ship modules.dep (its postinst runs depmod).
		if [ -d "$d/lib/modules/$v" ] && [ ! -f "$d/lib/modules/$v/modules.dep" ] &&
			command -v depmod >/dev/null; then
			depmod -b "$d" "$v" 2>/dev/null
		fi
		if [ -f "$d/lib/modules/$v/modules.dep" ]; then
			GUEST_KERNEL=$d/boot/vmlinuz-$v
			GUEST_MODULES=$d/lib/modules/$v
			return 0
		fi
	done
	return 1
}

fetch_guest_kernel() {
	local pkg dir deb tmp
	for dir in "$ISOLAT_KERNEL_CACHE"/*/; do
		[ -d "$dir" ] && _guest_kernel_found "${dir%/}" && return 0
	done
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		GUEST_KERNEL_WHY="no apt-get/dpkg-deb to fetch a Debian kernel"
		return 1
	fi
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
	if [ -z "$pkg" ]; then
		GUEST_KERNEL_WHY="apt cannot resolve linux-image-cloud-amd64 (apt-get update?)"
		return 1
	fi
	if ! mkdir -p "$ISOLAT_KERNEL_CACHE" 2>/dev/null; then
		GUEST_KERNEL_WHY="cannot create $ISOLAT_KERNEL_CACHE"
		return 1
	fi
	tmp=$(mktemp -d "$ISOLAT_KERNEL_CACHE/.fetch.XXXXXX") || return 1
	# apt-get download writes into the current directory.
	if ! (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null 2>&1); then
		rm -rf "$tmp"
		GUEST_KERNEL_WHY="apt-get download $pkg failed (no network or mirror?)"
		return 1
	fi
	deb=$(ls "$tmp"/*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ] || ! dpkg-deb -x "$deb" "$tmp/root"; then
		rm -rf "$tmp"
		GUEST_KERNEL_WHY="cannot unpack $pkg"
		return 1
	fi
	rm -f "$deb"
	# Publish atomically: a half-unpacked tree is never found above.
	rm -rf "${ISOLAT_KERNEL_CACHE:?}/$pkg"
	mv "$tmp/root" "$ISOLAT_KERNEL_CACHE/$pkg" && rmdir "$tmp"
	_guest_kernel_found "$ISOLAT_KERNEL_CACHE/$pkg" && return 0
	GUEST_KERNEL_WHY="$pkg has no vmlinuz with modules.dep (depmod from kmod missing?)"
	return 1
}
