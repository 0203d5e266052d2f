# lib.sh - helpers for the end-to-end tests: TAP output and a scratch dir.
# Source it; then call ok/fail/skip/check.  Each test file runs the real
# build/isolat against a fresh database in $T.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ISOLAT=${ISOLAT:-$TOP/build/isolat}
T=$(mktemp -d /tmp/isolat-e2e.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0

ok()   { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check "description" command...: ok when the command succeeds
check() {
	local what=$1; shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}
# q DB SQL: one value from the database
q() { sqlite3 -batch -noheader "$1" "$2"; }
need_root() {
	if [ "$(id -u)" != 0 ]; then
		skip "$1" "needs root (SCHED_FIFO, mlockall)"
		return 1
	fi
}
