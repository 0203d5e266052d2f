#!/bin/bash
# restore.sh - what `isolat restore` says about the records it does not
# undo (docs/restore.md): a kept record (the kernel's trace ring, expanded
# for good once tracing was enabled after a boot) is said plainly and
# counted apart, never claimed as undone; a sched record whose PID is no
# longer the kernel thread journaled is left alone and said so.  The
# journals are written here in isolat's own format, in a private
# directory (--journal), for a dead owner: nothing on the host is
# written by either of them.
. "$(dirname "$0")/lib.sh"

need_root "restore: kept and left-alone records" || exit 0

# journal DIR RECORD...: a journal of a harness that is gone (pid 1 with a
# start time that is not init's), 0600 as isolat makes it.
journal() {
	local d=$1; shift
	mkdir -p "$d" && chmod 700 "$d"
	{
		printf 'isolat-journal 1\nowner 1 1\n'
		printf '%s\n' "$@"
	} > "$d/journal"
	chmod 600 "$d/journal"
}

TAB=$'\t'
journal "$T/kept" "kept${TAB}trace_threshold_us${TAB}/sys/kernel/tracing/buffer_size_kb${TAB}7 (expanded: 1408)${TAB}expanded"
before=$(cat /sys/kernel/tracing/buffer_size_kb 2> /dev/null)
"$ISOLAT" restore --journal "$T/kept/journal" > "$T/kept.out" 2> "$T/kept.err"
rc=$?
check "kept record: restore exits 0 ($rc)" [ $rc -eq 0 ]
check "kept record: says the kernel cannot put the ring back" grep -q "buffer_size_kb: cannot be put back: the kernel expanded its trace ring" "$T/kept.err"
check "kept record: counted as not undone ($(tail -1 "$T/kept.err"))" grep -q "0 changes undone, 0 left alone, 1 the kernel cannot undo" "$T/kept.err"
check "kept record: the journal is removed" [ ! -e "$T/kept/journal" ]
check "kept record: nothing written to buffer_size_kb" [ "$(cat /sys/kernel/tracing/buffer_size_kb 2> /dev/null)" = "$before" ]
"$ISOLAT" --quiet restore --journal "$T/kept/journal" 2> "$T/again.err"
check "restore again: nothing to do, silent with --quiet" [ ! -s "$T/again.err" ]

# A kept record naming another file, or another value, is refused.
journal "$T/bad" "kept${TAB}trace_threshold_us${TAB}/proc/sys/kernel/core_pattern${TAB}7 (expanded: 1408)${TAB}expanded"
"$ISOLAT" restore --journal "$T/bad/journal" 2> "$T/bad.err"
rc=$?
check "kept record on another file: refused, exit 2 ($rc)" [ $rc -eq 2 ]
check "kept record on another file: the journal stays" [ -s "$T/bad/journal" ]

# A sched record for a PID that is not the kernel thread journaled: this
# shell.  Its policy must not change, and restore must not claim it did.
sleep 600 &
victim=$!
pol=$(chrt -p $victim)
journal "$T/gone" "sched${TAB}kthread_priority:ksoftirqd/0${TAB}/proc/$victim${TAB}fifo:50${TAB}fifo:1"
"$ISOLAT" restore --journal "$T/gone/journal" 2> "$T/gone.err"
rc=$?
check "sched record of a reused PID: restore exits 0 ($rc)" [ $rc -eq 0 ]
check "sched record of a reused PID: said to be left alone" grep -q "/proc/$victim: left alone" "$T/gone.err"
check "sched record of a reused PID: no undo claimed" bash -c "! grep -q \"'fifo:1' -> 'fifo:50'\" '$T/gone.err'"
check "sched record of a reused PID: counted as left alone" grep -q "0 changes undone, 1 left alone" "$T/gone.err"
check "sched record of a reused PID: its policy untouched" [ "$(chrt -p $victim)" = "$pol" ]
kill $victim 2> /dev/null
wait $victim 2> /dev/null
exit 0
