#!/bin/bash
# bad_input.sh - every kind of bad input gets a clear error naming the
# file (and line), a non-zero exit, and nothing written or changed.
. "$(dirname "$0")/lib.sh"

DB=$T/db/r.db
printf '[scenario]\nname = x\ncpus = 1\nworklaods = rtlat\n' > "$T/typo.ini"
out=$("$ISOLAT" --db "$DB" run "$T/typo.ini" 2>&1); rc=$?
check "typo: exit 2" [ $rc -eq 2 ]
check "typo: FILE:LINE and the fix (the nearest key)" grep -q "typo.ini:4: unknown key 'worklaods' in \[scenario\]; expected 'workloads', the nearest key" <<<"$out"
check "typo: no database written" [ ! -e "$DB" ]

out=$("$ISOLAT" --db "$DB" check "$T/missing.ini" 2>&1); rc=$?
check "missing scenario: exit 2 naming the file (status)" [ $rc -eq 2 ]
check "missing scenario: exit 2 naming the file (message)" grep -q "missing.ini: No such file" <<<"$out"

printf '[scenario]\nname = x\ncpus = 1,99\n' > "$T/cpu.ini"
out=$("$ISOLAT" --db "$DB" plan "$T/cpu.ini" 2>&1); rc=$?
check "offline CPU: exit 2 with line" [ $rc -eq 2 ]
check "offline CPU: says which and what exists" grep -q "cpu.ini:3: cpus: CPU 99 is not online on this host; expected CPUs from" <<<"$out"

printf '[scenario]\nname = x\ncpus = 1\n' > "$T/ok.ini"
out=$("$ISOLAT" check "$T/ok.ini" "$T/typo.ini" 2>&1); rc=$?
check "check: one bad file fails the check" [ $rc -eq 2 ]
check "check: good file reported ok" grep -q "ok.ini: ok" <<<"$out"
printf '[scenario]\nname = x\ncpus = 1\n[profile spare]\ntimer_migration = 0\n' > "$T/spare.ini"
out=$("$ISOLAT" check "$T/spare.ini" 2>&1); rc=$?
check "check: an unlisted profile is ok but warned about" bash -c '[ $1 -eq 0 ] && grep -q "spare.ini:5: warning: \[profile spare\] is not in profiles =" <<<"$2"' _ $rc "$out"
printf '[scenario]\nname = x\ncpus = 1\nworkloads = rtlat\nnetworks = veth\n' > "$T/nonet.ini"
out=$("$ISOLAT" check "$T/nonet.ini" 2>&1); rc=$?
check "check: networks = without netlat is ok but warned about" bash -c '[ $1 -eq 0 ] && grep -q "nonet.ini:5: warning: netlat.s keys (networks, peer, peer_cpu) change nothing" <<<"$2"' _ $rc "$out"
check "check: shipped scenarios are valid" "$ISOLAT" --quiet check "$TOP"/scenarios/*.ini
out=$("$ISOLAT" plan "$TOP/scenarios/smoke.ini"); rc=$?
check "plan: smoke expands to rtlat and cyclictest" grep -q "bare.none.cyclictest.none" <<<"$out"
out=$(cd "$T" && "$ISOLAT" plan smoke); rc=$?
check "plan: a shipped name, as run takes it" bash -c '[ $1 -eq 0 ] && grep -q "bare.none.cyclictest.none" <<<"$2"' _ $rc "$out"
out=$(cd "$T" && "$ISOLAT" check smoke quick 2>&1); rc=$?
check "check: shipped names, as run takes them" bash -c '[ $1 -eq 0 ] && grep -q "smoke.ini: ok" <<<"$2" && grep -q "quick.ini: ok" <<<"$2"' _ $rc "$out"

# A database isolat did not make is refused and left byte-identical.
sqlite3 "$T/foreign.db" "CREATE TABLE mine(x); INSERT INTO mine VALUES (1);"
sum=$(sha256sum < "$T/foreign.db")
out=$("$ISOLAT" --db "$T/foreign.db" run "$T/ok.ini" 2>&1); rc=$?
check "foreign db: exit 2" [ $rc -eq 2 ]
check "foreign db: names the file" grep -q "foreign.db: an SQLite database that isolat did not create" <<<"$out"
check "foreign db: unchanged" [ "$(sha256sum < "$T/foreign.db")" = "$sum" ]

head -c 4096 /dev/urandom > "$T/corrupt.db"
sum=$(sha256sum < "$T/corrupt.db")
out=$("$ISOLAT" --db "$T/corrupt.db" list 2>&1); rc=$?
check "corrupt db: exit 2 naming the file (status)" [ $rc -eq 2 ]
check "corrupt db: exit 2 naming the file (message)" grep -q "corrupt.db" <<<"$out"
check "corrupt db: unchanged" [ "$(sha256sum < "$T/corrupt.db")" = "$sum" ]

: > "$T/empty.db"
out=$("$ISOLAT" --db "$T/empty.db" list 2>&1); rc=$?
check "empty file as db: exit 2" [ $rc -eq 2 ]
check "empty file as db: says so" grep -q "empty.db: empty, not an isolat database" <<<"$out"
check "empty file as db: left empty" [ ! -s "$T/empty.db" ]

out=$("$ISOLAT" --db "$T/none.db" show last 2>&1); rc=$?
check "no database: exit 2 and the fix (status)" [ $rc -eq 2 ]
check "no database: exit 2 and the fix (message)" grep -q "isolat run SCENARIO" <<<"$out"
check "no database: not created by show" [ ! -e "$T/none.db" ]

out=$("$ISOLAT" frobnicate 2>&1); rc=$?
check "unknown command: usage exit 129" [ $rc -eq 129 ]
for c in run check plan envs list show export report; do
	"$ISOLAT" "$c" --help | grep -q "usage: isolat $c" || { fail "$c --help"; continue; }
	ok "$c --help"
done
check "envs lists bare as ready" grep -qE '^  bare +ready' <("$ISOLAT" envs)

if [ "$(id -u)" = 0 ]; then
	# Non-root with SCHED_FIFO: refused up front, nothing written.
	chmod 755 "$T"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$ISOLAT" --db "$T/nobody.db" run "$T/ok.ini" 2>&1); rc=$?
	check "non-root run: exit 3 with the reason (status)" [ $rc -eq 3 ]
check "non-root run: exit 3 with the reason (message)" grep -q "needs root" <<<"$out"
	check "non-root run: nothing written" [ ! -e "$T/nobody.db" ]
else
	skip "non-root run" "test runs as non-root already"
fi
