#!/bin/bash
# diskfull.sh - a database on a full disk (issue 12 item 8): the run ends
# failed AND its case ends failed with the reason (the store write that
# failed), never left 'running' with none.  The disk is a small tmpfs in
# a private mount namespace (unshare -m), so nothing is mounted for the
# rest of the host.  Then the fallback: a case left 'running' in a run
# that ended (marking it failed did not fit either) is marked failed by
# the next run's sweep on this host.
. "$(dirname "$0")/lib.sh"

need_root "database on a full disk" || exit 0
command -v unshare > /dev/null ||
	{ skip "database on a full disk" "needs unshare (util-linux)"; exit 0; }
cat > "$T/s.ini" <<INI
[scenario]
name = e2e-diskfull
environments = bare
workloads = rtlat
cpus = 1
housekeeping = 0
interval_us = 100
loops = 40000
INI
mkdir "$T/m"
# 200 KiB: the run and its case are recorded, the samples do not fit.
unshare -m --propagation private bash -c '
	mount -t tmpfs -o size=200k isolat-e2e-full "$1" || exit 99
	"$2" --db "$1/r.db" --quiet run "$3" > /dev/null 2> "$4"
	echo $? > "$5"
	cp "$1"/r.db* "$6"' _ "$T/m" "$ISOLAT" "$T/s.ini" "$T/run.err" \
	"$T/rc" "$T"
rc=$(cat "$T/rc" 2> /dev/null)
check "the run on a full disk fails (rc $rc)" [ "$rc" = 2 ]
check "it says the database is full" grep -q "database or disk is full" "$T/run.err"
check "the run is failed" [ "$(q "$T/r.db" "SELECT status FROM runs")" = failed ]
st=$(q "$T/r.db" "SELECT status || ': ' || ifnull(reason, '(no reason)') FROM cases")
check "its case is failed, not running ($st)" [ "${st%%:*}" = failed ]
check "the case's reason is the failed store write" grep -q "recording the case failed: .*r.db: database or disk is full; the disk is full" <<<"$st"

# The fallback: what the failed run could not mark, the next one does.
q "$T/r.db" "UPDATE cases SET status = 'running', reason = NULL"
sed -i 's/^loops = .*/loops = 200/' "$T/s.ini"
"$ISOLAT" --db "$T/r.db" --quiet run "$T/s.ini" > /dev/null 2>&1
st=$(q "$T/r.db" "SELECT status || ': ' || ifnull(reason, '(no reason)') FROM cases WHERE run_id = 1")
check "the next run marks a case left running in an ended run ($st)" grep -q "^failed: left running when its run ended" <<<"$st"
check "the next run itself is done" [ "$(q "$T/r.db" "SELECT status FROM runs WHERE id = 2")" = done ]
