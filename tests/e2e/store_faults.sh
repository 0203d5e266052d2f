#!/bin/bash
# store_faults.sh - damaged, shared and read-only databases (issue 12,
# items 1, 3, 4, 5), through the real command line.
#
# 1. A database whose schema version is out of range (one flipped header
#    byte, -1, far too new) through every command that opens one: exit 2
#    with a message naming the file, never a crash (build-san/isolat too,
#    when built: ASan/UBSan), the file byte-identical, no -wal/-shm left.
#    Other damage (foreign id, truncation, zeroed schema page, garbage in
#    a page): no crash, no change to a file only read.
# 3. merge reads boards read-only, creating nothing beside them: a 0444
#    board as user nobody, a board on a read-only bind mount, and a board
#    whose -wal holds a committed run (read through the -wal).  Root for
#    the user switch and the mount; skipped otherwise.
# 4. Concurrent merges into one new central database all succeed.
# 5. Messages name the right file: a read-only or locked central, a
#    database without chunks, a corrupt chunk (with run and case).
# Synthetic runs from build/tools/mkrun: no measurement, no host tuning.
. "$(dirname "$0")/lib.sh"

MKRUN=$TOP/build/tools/mkrun
if [ ! -x "$MKRUN" ]; then
	skip "store faults" "build/tools/mkrun not built (make tools)"
	exit 0
fi
U1=aaaaaaaa-0000-4000-8000-000000000001
U2=aaaaaaaa-0000-4000-8000-000000000002
U3=aaaaaaaa-0000-4000-8000-000000000003
DB=$T/real.db
"$MKRUN" "$DB" $U1 1 1.0 2 >/dev/null
"$MKRUN" "$DB" $U2 2 1.0 2 >/dev/null
chmod 755 "$T"

# sides FILE: the files SQLite may leave beside FILE
sides() { ls "$1"-wal "$1"-shm "$1"-journal 2>/dev/null; }

# --- 1: schema version out of range, through every command ------------
BINS=("$ISOLAT")
if [ -x "$TOP/build-san/isolat" ]; then
	BINS+=("$TOP/build-san/isolat")
else
	skip "corrupt databases under ASan/UBSan" "build-san/isolat not built (make build-san/isolat)"
fi
cp "$DB" "$T/flip60.db"
printf '\xff' | dd of="$T/flip60.db" bs=1 seek=60 conv=notrunc 2>/dev/null
cp "$DB" "$T/minus1.db"
q "$T/minus1.db" "PRAGMA user_version = -1"
cp "$DB" "$T/flip61.db"
printf '\xff' | dd of="$T/flip61.db" bs=1 seek=61 conv=notrunc 2>/dev/null
# name: arguments (@ stands for the damaged file)
CMDS=("list:--db @ list" "show:--db @ show last" "export:--db @ export last"
      "report:--db @ report -o $T/rep last" "compare:--db @ compare $U1 $U2"
      "gate:--db @ gate --baseline $U1 --candidate $U2"
      "tag:--db @ tag $U1 nightly" "merge-into:merge @ $DB"
      "merge-from:merge $T/central-from.db @")
for bad in flip60 minus1 flip61; do
	f=$T/$bad.db
	sum=$(sha256sum < "$f")
	for bin in "${BINS[@]}"; do
		kind=plain
		[[ $bin == */build-san/* ]] && kind=san
		for c in "${CMDS[@]}"; do
			name=${c%%:*} args=${c#*:}
			read -ra argv <<<"${args//@/$f}"
			out=$(ASAN_OPTIONS=detect_leaks=0 "$bin" "${argv[@]}" 2>&1); rc=$?
			if [ $rc -eq 2 ] && grep -q "$f: schema version" <<<"$out" &&
			   [ "$(sha256sum < "$f")" = "$sum" ] && [ -z "$(sides "$f")" ]; then
				ok "$bad.db ($kind) $name: exit 2 naming the file, untouched"
			else
				fail "$bad.db ($kind) $name: rc $rc, untouched: $([ "$(sha256sum < "$f")" = "$sum" ] && echo yes || echo no), beside: $(sides "$f" | tr '\n' ' ')"
				echo "# $out" | head -5
			fi
		done
	done
done
# Other damage (foreign id, truncation, a zeroed schema page, garbage in
# a data page): whatever the command says, it must not crash (exit below
# 128, no sanitizer report) nor change a file it only reads.
cp "$DB" "$T/appid.db"
printf '\x00' | dd of="$T/appid.db" bs=1 seek=68 conv=notrunc 2>/dev/null
head -c $(( $(stat -c %s "$DB") / 2 )) "$DB" > "$T/trunc.db"
cp "$DB" "$T/page1.db"
head -c 500 /dev/zero | dd of="$T/page1.db" bs=1 seek=100 conv=notrunc 2>/dev/null
cp "$DB" "$T/page5.db"
head -c 4096 /dev/zero | tr '\0' '\252' | dd of="$T/page5.db" bs=4096 seek=4 conv=notrunc 2>/dev/null
for bad in appid trunc page1 page5; do
	f=$T/$bad.db
	sum=$(sha256sum < "$f")
	worst=
	for bin in "${BINS[@]}"; do
		for c in "${CMDS[@]}"; do
			name=${c%%:*} args=${c#*:}
			read -ra argv <<<"${args//@/$f}"
			out=$(ASAN_OPTIONS=detect_leaks=0 "$bin" "${argv[@]}" 2>&1); rc=$?
			if [ $rc -ge 128 ] || grep -qE "Sanitizer|runtime error" <<<"$out"; then
				worst+=" $name($(basename "$(dirname "$bin")")):rc=$rc"
			fi
			if [ $name != merge-into ] && [ "$(sha256sum < "$f")" != "$sum" ]; then
				worst+=" $name:changed-it"
				sum=$(sha256sum < "$f")
			fi
		done
	done
	check "$bad.db: no command crashes or changes it${worst:+ ($worst)}" [ -z "$worst" ]
done

# A damaged page meets the first query that reaches it: every error then
# names the file and the fix, not SQLite's message alone.  The damage: a
# garbage b-tree header on the cases table's root page.
cp "$DB" "$T/cases.db"
rp=$(q "$DB" "SELECT rootpage FROM sqlite_master WHERE name = 'cases'")
printf '\x0d\xff\xff\xff\xff\x00\x00' | dd of="$T/cases.db" bs=1 seek=$(( (rp - 1) * 4096 )) conv=notrunc 2>/dev/null
bad=
for c in list "show last" "export last"; do
	read -ra argv <<<"$c"
	out=$("$ISOLAT" --db "$T/cases.db" "${argv[@]}" 2>&1 >/dev/null); rc=$?
	if [ $rc -ne 2 ] || ! grep -q "cases.db: database disk image is malformed; the database is damaged: check it with sqlite3 FILE 'PRAGMA integrity_check'" <<<"$out"; then
		bad+=" $c: rc $rc: $out"
	fi
done
check "damaged page: list, show, export exit 2 naming the file and the fix${bad:+ ($bad)}" [ -z "$bad" ]
out=$("$ISOLAT" --db "$T/flip60.db" list 2>&1)
check "negative version: says what is wrong and the fix" grep -q "flip60.db: schema version -16777213 is not one isolat ever wrote.*restore it from a copy" <<<"$out"

# --- 3: boards read-only, nothing created beside them -------------------
if [ "$(id -u)" = 0 ]; then
	mkdir "$T/ro" "$T/cen"
	cp "$DB" "$T/ro/board.db"
	chmod 444 "$T/ro/board.db"
	chmod 755 "$T/ro"
	chown nobody "$T/cen"
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$ISOLAT" --quiet merge "$T/cen/c.db" "$T/ro/board.db" 2>&1); rc=$?
	check "0444 board as nobody: merged (exit 0)" [ $rc -eq 0 ]
	check "0444 board as nobody: both runs imported" [ "$(q "$T/cen/c.db" "SELECT count(*) FROM runs")" = 2 ]
	check "0444 board as nobody: nothing beside it" [ -z "$(ls -A "$T/ro" | grep -v '^board.db$')" ]
	[ $rc -eq 0 ] || echo "# $out"

	# A board whose -wal holds a committed run: its writer (here a
	# reader keeping the -wal alive) still had it open when copied.
	mkdir "$T/live" "$T/walb"
	cp "$DB" "$T/live/b.db"
	sqlite3 "$T/live/b.db" "SELECT count(*) FROM runs" \
		".shell $MKRUN $T/live/b.db $U3 3 1.0 1 >/dev/null" \
		".shell cp $T/live/b.db $T/live/b.db-wal $T/live/b.db-shm $T/walb/" >/dev/null
	check "wal board: the third run is only in its -wal" [ "$(q "file:$T/walb/b.db?immutable=1" "SELECT count(*) FROM runs")" = 2 ]
	walsum=$(cat "$T/walb/"* | sha256sum)

	rm -rf "$T/cen"/*
	unshare -m bash -c 'mount --bind -o ro "$1/ro" "$1/ro" && mount --bind -o ro "$1/walb" "$1/walb" &&
		"$2" --quiet merge "$1/cen/a.db" "$1/ro/board.db" >/dev/null &&
		"$2" --quiet merge "$1/cen/b.db" "$1/walb/b.db" >/dev/null' _ "$T" "$ISOLAT" 2>"$T/err"
	rc=$?
	check "read-only bind mount: merged (exit 0)" [ $rc -eq 0 ]
	[ $rc -eq 0 ] || echo "# $(cat "$T/err")"
	check "read-only bind mount: both runs imported" [ "$(q "$T/cen/a.db" "SELECT count(*) FROM runs")" = 2 ]
	check "wal board on a read-only mount: the -wal's run imported too" [ "$(q "$T/cen/b.db" "SELECT count(*) FROM runs")" = 3 ]
	out=$(unshare -m bash -c 'mount --bind -o ro "$1/walb" "$1/walb" && "$2" --db "$1/walb/b.db" list' _ "$T" "$ISOLAT" 2>&1)
	check "wal board on a read-only mount: list shows the -wal's run" grep -q "^$U3" <<<"$out"
	check "wal board: its files unchanged" [ "$(cat "$T/walb/"* | sha256sum)" = "$walsum" ]
	rm -f "$T/walb/b.db-shm"
	"$ISOLAT" --quiet merge "$T/cen/b2.db" "$T/walb/b.db" >/dev/null
	check "wal board without -shm: the -wal's run imported" [ "$(q "$T/cen/b2.db" "SELECT count(*) FROM runs")" = 3 ]

	# --- 5: a read-only central is named as the one that cannot be written
	cp "$DB" "$T/ro/central.db"
	"$MKRUN" "$T/board2.db" $U3 3 1.0 1 >/dev/null
	out=$(unshare -m bash -c 'mount --bind -o ro "$1/ro" "$1/ro" && "$2" merge "$1/ro/central.db" "$1/board2.db"' _ "$T" "$ISOLAT" 2>&1); rc=$?
	check "read-only central (mount): exit 2" [ $rc -eq 2 ]
	check "read-only central (mount): names the central file and the fix" grep -q "ro/central.db: cannot be written here.*make both writable" <<<"$out"
	check "read-only central (mount): never blames the board" bash -c '! grep -q "board2.db" <<<"$1"' _ "$out"
	chmod 444 "$T/ro/central.db"
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$ISOLAT" merge "$T/ro/central.db" "$T/board2.db" 2>&1); rc=$?
	check "read-only central (0444, nobody): exit 2 naming it" bash -c '[ $1 -eq 2 ] && grep -q "ro/central.db: cannot be written here" <<<"$2"' _ $rc "$out"
	check "read-only central: nothing beside it" [ -z "$(sides "$T/ro/central.db")" ]
else
	skip "read-only boards and centrals" "needs root (setpriv to nobody, bind mounts)"
fi

# --- 4: concurrent merges into one new central database ----------------
"$MKRUN" "$T/b3.db" $U3 3 1.0 1 >/dev/null
bad=0
for i in 1 2 3 4 5; do
	rm -f "$T/race.db"*
	pids=()
	for j in 1 2 3; do
		"$ISOLAT" --quiet merge "$T/race.db" "$DB" "$T/b3.db" >"$T/race$j.out" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
	[ "$(q "$T/race.db" "SELECT count(*) FROM runs")" = 3 ] || bad=$((bad + 1))
done
check "3 concurrent merges into a new central, 5 times: all exit 0, every run once" [ $bad -eq 0 ]
[ $bad -eq 0 ] || cat "$T"/race*.out | sed 's/^/# /'
check "merged boards: nothing left beside them" [ -z "$(sides "$DB")$(sides "$T/b3.db")" ]

# --- 5: messages that name the file, run and case -----------------------
cp "$DB" "$T/nochunks.db"
q "$T/nochunks.db" "DROP TABLE chunks"
out=$("$ISOLAT" --db "$T/nochunks.db" compare $U1 $U2 -o "$T/cmp" 2>&1); rc=$?
check "compare without a chunks table: exit 2" [ $rc -eq 2 ]
check "compare without a chunks table: says which file and what" grep -q "nochunks.db: run $U1 case 0 (bare.none.rtlat.none).*no such table: chunks" <<<"$out"

cp "$DB" "$T/badchunk.db"
q "$T/badchunk.db" "UPDATE chunks SET data = x'00112233' WHERE series_id = (SELECT s.id FROM series s JOIN cases c ON c.id = s.case_id JOIN runs r ON r.id = c.run_id WHERE r.uuid = '$U2')"
for c in "compare $U1 $U2 -o $T/cmp2" "gate --baseline $U1 --candidate $U2" \
	 "report -o $T/rep2 $U2" "export --samples -o $T/samples.csv $U2"; do
	read -ra argv <<<"$c"
	out=$("$ISOLAT" --db "$T/badchunk.db" "${argv[@]}" 2>&1); rc=$?
	check "corrupt chunk, ${c%% *}: exit 2" [ $rc -eq 2 ]
	check "corrupt chunk, ${c%% *}: names file, run, case and chunk" grep -q "badchunk.db: run $U2 case 0 (bare.none.rtlat.none) series 0 (cpu 1): sample chunk 0 is corrupt" <<<"$out"
done

# A central database locked by a live writer: named, not the board.
"$ISOLAT" --quiet merge "$T/live.db" "$DB" >/dev/null
mkfifo "$T/fifo"
sqlite3 "$T/live.db" <"$T/fifo" >/dev/null 2>&1 &
lockpid=$!
exec 3>"$T/fifo"
echo "BEGIN IMMEDIATE; INSERT INTO hosts(fingerprint) VALUES ('lock'); SELECT 1;" >&3
for i in $(seq 50); do
	q "$T/live.db" "BEGIN IMMEDIATE; ROLLBACK" 2>/dev/null || break
	sleep 0.1
done
out=$("$ISOLAT" merge "$T/live.db" "$T/b3.db" 2>&1); rc=$?
echo "ROLLBACK;" >&3
exec 3>&-
wait $lockpid
check "locked central: exit 2" [ $rc -eq 2 ]
check "locked central: names the central file, the run and the fix" grep -q "live.db: locked by another process.*run $U3 of .*b3.db was not imported; merge again" <<<"$out"
check "locked central: no 'not an error'" bash -c '! grep -q "not an error" <<<"$1"' _ "$out"

echo "1..$n"
