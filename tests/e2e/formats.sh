#!/bin/bash
# formats.sh - issue 17 against a real run: a cyclictest --json reader gets
# isolat's own summary from the cyclictest-json export (µs, truncated;
# avg = mean/1000 to 2 decimals), the osadl export has one count row per
# CPU adding up to the samples and the right maxima, the samples CSV of a
# merged database tells runs apart and says ops for spin, the SQL
# extension counts every stored sample, docs/formats.md's pandas example
# runs, a run off a terminal prints a progress line per case start and
# end and names the worst case last, and `make install DESTDIR=...
# PREFIX=/usr` gives an isolat that runs the smoke scenario from /.
. "$(dirname "$0")/lib.sh"

need_root "formats of a real run" || exit 0
PY=/usr/bin/python3 # Debian's, with python3-pandas (not a pyenv one)
cat > "$T/s.ini" <<INI
[scenario]
name = e2e-formats
environments = bare
workloads = rtlat, spin
cpus = 1
housekeeping = 0
loops = 2000
INI
DB=$T/r.db
uuid=$("$ISOLAT" --db "$DB" --quiet run "$T/s.ini")
check "run exits 0" [ $? -eq 0 ]

# --- cyclictest-json: what a farm's parser reads --------------------------
"$ISOLAT" --db "$DB" export --format cyclictest-json -o "$T/ct" last > "$T/ct.list"
check "cyclictest-json: one file per case" [ "$(wc -l < "$T/ct.list")" = 2 ]
"$ISOLAT" --db "$DB" export --format json last > "$T/sum.json"
check "cyclictest-json reads as isolat's summary" python3 - "$T/ct/case000-"*.json "$T/sum.json" <<'PY'
import json, sys
ct = json.load(open(sys.argv[1]))
s = json.load(open(sys.argv[2]))["cases"][0]["series"]
assert ct["return_code"] == 0 and ct["num_threads"] == len(s) == 1
t = ct["thread"]["0"]
m = s[0]
assert t["cycles"] == m["count"] == sum(t["histogram"].values()), (t["cycles"], m["count"])
assert t["min"] == m["min"] // 1000 and t["max"] == m["max"] // 1000
assert abs(t["avg"] - round(m["mean"] / 1000, 2)) < 1e-9
assert all(int(k) >= 0 and v > 0 for k, v in t["histogram"].items())
for k in ("file_version", "cmdline:", "rt_test_version:", "start_time",
          "end_time", "sysinfo", "resolution_in_ns"):
    assert k in ct, k
assert ct["start_time"].endswith("+0000")
PY
check "spin case in oslat's shape" python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
assert d["num_threads"] == 1 and "duration" in d["thread"]["0"]' "$T/ct/case001-"*.json

# --- osadl ---------------------------------------------------------------
"$ISOLAT" --db "$DB" export --format osadl --case 0 last > "$T/osadl.json"
check "osadl: a row per CPU, counts = samples, maxima" python3 - "$T/osadl.json" "$T/sum.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = json.load(open(sys.argv[2]))["cases"][0]["series"]
assert d["format"] == {"name": "RT Dataset", "version": "1.0"}
cores = d["latency"]["cores"]
assert len(cores) == 1 + len(m)
assert cores[0] == list(range(len(cores[0])))
for row, s in zip(cores[1:], m):
    assert len(row) == len(cores[0]) and sum(row) == s["count"]
assert d["latency"]["maxima"] == [s["max"] // 1000 for s in m]
PY

# --- samples of a merged database ------------------------------------------
# (without --quiet, stderr not a terminal: the progress lines of a log)
"$ISOLAT" --db "$T/b.db" run "$T/s.ini" > /dev/null 2> "$T/progress"
check "progress: a start line per case" \
	[ "$(grep -cE '^isolat: \[[12]/2\] bare\.none\.(rtlat|spin)\.none: started \(~' "$T/progress")" = 2 ]
check "progress: rtlat's end line has its worst max and samples" \
	grep -qE '^isolat: \[1/2\] bare\.none\.rtlat\.none: done, worst max [0-9.]+ us \(cpu 1\), 2000 samples$' "$T/progress"
check "progress: the final line names the worst latency case" \
	grep -qE '^isolat run: e2e-formats: 2 done, 0 failed, 0 skipped; worst max [0-9.]+ us: bare\.none\.rtlat\.none cpu 1 ' "$T/progress"
"$ISOLAT" merge "$T/m.db" "$DB" "$T/b.db" >/dev/null 2>&1
for r in $(q "$T/m.db" "SELECT uuid FROM runs"); do
	"$ISOLAT" --db "$T/m.db" export --samples "$r" | tail -n +2
done > "$T/all.csv"
check "merged samples tell the 2 runs apart" [ "$(cut -d, -f1 "$T/all.csv" | sort -u | wc -l)" = 2 ]
check "spin throughput rows say ops" grep -q ',spin,.*,ops$' "$T/all.csv"
check "latency rows say ns" grep -q ',rtlat,.*,ns$' "$T/all.csv"

# --- SQL ---------------------------------------------------------------------
stored=$(q "$DB" "SELECT sum(nsamples) FROM chunks")
got=$(sqlite3 "$DB" -cmd ".load $TOP/build/isolat_sqlite" "SELECT count(*) FROM isolat_samples WHERE run_uuid = '$uuid'")
check "SELECT count(*) = stored samples ($got = $stored)" [ "$got" = "$stored" ]
if $PY -c 'import pandas' 2>/dev/null; then
	sed -n '/^```python/,/^```/p' "$TOP/docs/formats.md" | grep -v '^```' > "$T/ex.py"
	mkdir -p "$T/ex/results" && cp "$DB" "$T/ex/results/isolat.db" && ln -s "$TOP/build" "$T/ex/build"
	(cd "$T/ex" && $PY "$T/ex.py") > "$T/ex.out" 2>&1
	check "docs/formats.md's pandas example runs" grep -q 'bare.none.rtlat.none' "$T/ex.out"
else
	skip "pandas example" "python3-pandas not installed (ci/install-deps.sh)"
fi

# --- make install: an isolat that runs from anywhere ------------------------
if make -s -C "$TOP" install DESTDIR="$T/x" PREFIX=/usr >/dev/null 2>&1; then
	check "installed: isolat, isolat-wl, extension, man pages, scenarios" \
		test -x "$T/x/usr/bin/isolat" -a -x "$T/x/usr/libexec/isolat/isolat-wl" \
		-a -f "$T/x/usr/lib/isolat/isolat_sqlite.so" \
		-a -f "$T/x/usr/share/man/man1/isolat.1" \
		-a -f "$T/x/usr/share/man/man5/isolat-scenario.5" \
		-a -f "$T/x/usr/share/isolat/scenarios/smoke.ini"
	(cd / && "$T/x/usr/bin/isolat" --db "$T/inst.db" --quiet run --set duration_s=1 smoke) > "$T/inst.out"
	check "installed isolat runs smoke from /" [ $? -eq 0 ]
	check "... both cases done" [ "$(q "$T/inst.db" "SELECT count(*) FROM cases WHERE status = 'done'")" = 2 ]
	make -s -C "$TOP" uninstall DESTDIR="$T/x" PREFIX=/usr >/dev/null 2>&1
	check "uninstall leaves no file" [ -z "$(find "$T/x" -type f)" ]
else
	fail "make install DESTDIR=$T/x PREFIX=/usr"
fi
