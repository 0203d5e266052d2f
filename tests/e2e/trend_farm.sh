#!/bin/bash
# trend_farm.sh - `isolat trend` and `isolat farm` end to end on nights
# stored through the real collector path (build/tools/mknights: the
# samples fed to ingest_feed as wire frames; no root needed):
# a step at night 15 of 30 is found there and exits 1, 30 noise-only
# nights exit 0; three boards x ten nights merged into a central
# database give a farm page on which every image loads in headless
# Chromium (and the check sees a broken one).  ISOLAT_SHOT=FILE keeps a
# screenshot of the page.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_chromium.sh"

MK=$TOP/build/tools/mknights
if [ ! -x "$MK" ]; then
	skip "trend/farm" "build/tools/mknights not built (make tools)"
	exit 0
fi

"$MK" "$T/step.db" stepboard 30 15 >/dev/null
out=$("$ISOLAT" --db "$T/step.db" trend -o "$T/trend" 2>&1); rc=$?
check "trend, step at night 15: exit 1 (newest change point a regression) ($rc)" [ $rc -eq 1 ]
check "trend names run 15 and what changed" grep -q "change point at run 15 of 30: 00000015-0000-4000-8000-.* kernel 6.6.0" <<<"$out"
check "trend says the kernel changed" grep -q "changed since the run before: kernel_release 6.1.0 -> 6.6.0" <<<"$out"
check "trend plots one SVG per metric, well-formed" bash -c 'for m in p50 p99 p999 max; do xmllint --noout "$1/trend-$m.svg" || exit 1; done' _ "$T/trend"
check "trend plot marks the change point" grep -q "change point at run 15" "$T/trend/trend-p99.svg"
"$ISOLAT" --db "$T/step.db" --quiet trend --last 10 >/dev/null
check "trend --last 10 (after the step): exit 0" [ $? -eq 0 ]
"$MK" "$T/calm.db" calmboard 30 >/dev/null
out=$("$ISOLAT" --db "$T/calm.db" trend 2>&1); rc=$?
check "trend, 30 noise-only nights: no change point, exit 0 ($rc)" bash -c '[ "$1" -eq 0 ] && grep -q ", 0 change points" <<<"$2"' _ "$rc" "$out"
"$ISOLAT" --quiet merge "$T/two.db" "$T/step.db" "$T/calm.db" >/dev/null
"$ISOLAT" --db "$T/two.db" trend >/dev/null 2>&1
check "trend on two hosts without --host: error (exit 2)" [ $? -eq 2 ]
"$ISOLAT" --db "$T/two.db" trend --since 2026-13 >/dev/null 2>&1
check "trend --since with a bad date: usage (129)" [ $? -eq 129 ]

# The farm: three boards x ten nights, one of them emulated.
"$MK" "$T/b1.db" alpha 10 >/dev/null
"$MK" "$T/b2.db" beta 10 10 1.5 >/dev/null
MKNIGHTS_EMULATED=1 "$MK" "$T/b3.db" gamma 10 >/dev/null
"$ISOLAT" --quiet merge "$T/central.db" "$T/b1.db" "$T/b2.db" "$T/b3.db" >/dev/null
check "three boards merged: 30 runs" [ "$(q "$T/central.db" "SELECT count(*) FROM runs")" = 30 ]
"$ISOLAT" --db "$T/central.db" --quiet farm -o "$T/farm" >/dev/null
check "farm exits 0" [ $? -eq 0 ]
check "farm: 3 boards, 6 trend images" [ "$(grep -c '<img' "$T/farm/index.html")" = 6 ]
check "farm: beta's last night is a regression" grep -q "REGRESSION" "$T/farm/index.html"
check "farm: the emulated board is not gated" grep -q "nothing real compared" "$T/farm/index.html"
check "farm: a link per night (30) and each night's report exists" bash -c '[ "$(grep -o "href=\"nights/[^\"]*\"" "$1/index.html" | wc -l)" = 30 ] && for f in $(grep -o "nights/[^\"]*index.html" "$1/index.html"); do [ -s "$1/$f" ] || exit 1; done' _ "$T/farm"
check "farm: SVGs are XML" bash -c 'for f in "$1"/*.svg; do xmllint --noout "$f" || exit 1; done' _ "$T/farm"

if [ -z "$CHROMIUM" ]; then
	skip "farm page in Chromium" "chromium not installed (apt-get install chromium)"
	exit 0
fi
res=$(imgcheck "$T/farm")
check "Chromium: every image of the farm page loads ($res)" [ "$res" = "IMGCHECK total=6 broken=0" ]
res=$(imgcheck "$T/farm/cell1")
check "Chromium: every plot of a trend page loads ($res)" [ "$res" = "IMGCHECK total=4 broken=0" ]
if [ -n "${ISOLAT_SHOT:-}" ]; then
	chrome --screenshot="$ISOLAT_SHOT" --window-size=1100,700 "file://$T/farm/index.html" >/dev/null
	chrome --screenshot="${ISOLAT_SHOT%.png}-trend.png" --window-size=800,1400 "file://$T/farm/cell1/index.html" >/dev/null
fi
rm -f "$T/farm/cell0-p99.svg"
res=$(imgcheck "$T/farm")
check "Chromium check sees a broken image ($res)" [ "$res" = "IMGCHECK total=6 broken=1" ]
