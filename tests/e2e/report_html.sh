#!/bin/bash
# report_html.sh - the HTML report as a reader's browser shows it.
#
# A synthetic run of bare, lxc and an emulated kvm case (build/tools/mkrun
# with MKRUN_ENVS: through the store as the collector writes it, no root
# needed) rendered in both styles and opened in headless Chromium: every
# image loads, the headline table is there and comes first, the emulated
# row is marked and has no ratio; every paper PDF rasterises.  A screenshot is left in $KEEP_SHOT when
# that is set (for a look).  SKIPs with the reason when gnuplot or
# chromium is missing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_chromium.sh"

MKRUN=$TOP/build/tools/mkrun
if [ ! -x "$MKRUN" ]; then
	skip "report in Chromium" "build/tools/mkrun not built (make tools)"
	exit 0
fi
if ! command -v gnuplot >/dev/null; then
	skip "report in Chromium" "gnuplot not installed (apt-get install gnuplot-nox)"
	exit 0
fi
if [ -z "$CHROMIUM" ]; then
	skip "report in Chromium" "chromium not installed (apt-get install chromium)"
	exit 0
fi
U=cccccccc-0000-4000-8000-000000000014
DB=$T/r.db
MKRUN_ENVS=bare,lxc,kvm:emulated "$MKRUN" "$DB" $U 7 1.0 20 >/dev/null
check "synthetic bare/lxc/kvm run stored" [ "$(q "$DB" "SELECT count(*) FROM cases")" = 3 ]
# A folder that cannot be made is an I/O error (exit 2) naming it; 3 is
# kept for "gnuplot missing".
"$ISOLAT" --db "$DB" report -o /proc/isolat-nope last > /dev/null 2> "$T/nodir.err"
rc=$?
check "report into an uncreatable folder: exit 2 ($rc), folder named" bash -c '[ "$1" = 2 ] && grep -q "/proc/isolat-nope: cannot create folder" "$2"' _ "$rc" "$T/nodir.err"

for style in plain paper; do
	out=$T/$style
	if ! "$ISOLAT" --db "$DB" --quiet report --style $style -o "$out" $U >/dev/null; then
		fail "$style: report renders"
		continue
	fi
	dom=$(page_dom "$out")
	res=$(grep -o 'IMGCHECK total=[0-9]* broken=[0-9]*' <<<"$dom")
	# 3 cases x 3 plots, the overviews, 2 environment overlays, the
	# matrices: at least 12 images.
	check "$style: every image loads in Chromium ($res)" \
		grep -qE '^IMGCHECK total=(1[2-9]|[2-9][0-9]) broken=0$' <<<"$res"
	check "$style: the headline table is in the page" grep -q 'id="headline"' <<<"$dom"
	first=$(grep -o 'id="headline"\|id="summary"\|id="run"' <<<"$dom" | head -1)
	check "$style: the headline comes first ($first)" [ "$first" = 'id="headline"' ]
	# the lxc row has ratios against bare; the emulated kvm row none
	lxc=$(tr '\n' ' ' <<<"$dom" | grep -o '<tr><td><span[^<]*</span> lxc</td>.\{0,400\}' | head -1)
	check "$style: lxc has its ratio against bare" grep -q '×1\.2' <<<"$lxc"
	kvm=$(tr '\n' ' ' <<<"$dom" | grep -o '<tr class="emurow">.*' | sed 's|</tr>.*||' | head -1)
	check "$style: the emulated kvm row is marked" grep -q 'EMULATED' <<<"$kvm"
	check "$style: the emulated kvm row has no ratio" bash -c '! grep -q "×" <<<"$1"' _ "$kvm"
	if [ "${KEEP_SHOT:-}" ]; then
		chrome --window-size=1400,2000 --screenshot="$KEEP_SHOT-$style.png" \
			"file://$out/index.html" >/dev/null
	fi
done

# Paper PDFs: every one rasterises (pdftoppm, poppler-utils), as a
# white paper's build would.
if command -v pdftoppm >/dev/null; then
	bad=0 total=0
	for pdf in "$T"/paper/*.pdf; do
		total=$((total + 1))
		pdftoppm -png -r 30 -singlefile "$pdf" "$T/pdfpage" 2>/dev/null &&
			[ -s "$T/pdfpage.png" ] || bad=$((bad + 1))
		rm -f "$T/pdfpage.png"
	done
	check "paper: all $total PDFs render to PNG ($bad failed)" test "$total" -ge 12 -a "$bad" = 0
else
	skip "paper PDFs render to PNG" "pdftoppm not installed (apt-get install poppler-utils)"
fi

# A paper's figures print at 100 %: at 40 cases every paper PDF is at
# most 17 cm (482 pt, an A4 / letter text width) wide and 24 cm (680 pt)
# tall - a figure that grows with the run is split into parts, never
# widened - and the page shows every part (every SVG written is an image
# of index.html, and every image loads).
U40=cccccccc-0000-4000-8000-000000000040
MKRUN_PROFILES=none,irq,full,irq+rcu,cpu+memory-tuned,p6,p7,p8,p9,p10 \
	MKRUN_ENVS=bare,lxc,kvm,xen "$MKRUN" "$DB" $U40 3 1.0 5 >/dev/null
out=$T/paper40
if ! "$ISOLAT" --db "$DB" --quiet report --style paper -o "$out" $U40 >/dev/null; then
	fail "40 cases: paper report renders"
elif ! command -v pdfinfo >/dev/null; then
	skip "40 cases: PDF page sizes" "pdfinfo not installed (apt-get install poppler-utils)"
else
	wide="" total=0
	for pdf in "$out"/*.pdf; do
		total=$((total + 1))
		size=$(pdfinfo "$pdf" | awk '/^Page size:/ { print $3, $5 }')
		awk -v s="$size" 'BEGIN { split(s, a, " ");
			exit !(a[1] > 0 && a[1] <= 482 && a[2] <= 680) }' ||
			wide="$wide ${pdf##*/}($size)"
	done
	check "40 cases: all $total paper PDFs fit 17 x 24 cm (too big:${wide:- none})" \
		test "$total" -ge 40 -a -z "$wide"
	missing=""
	for svg in "$out"/*.svg; do
		grep -q "<img src=\"${svg##*/}\"" "$out/index.html" ||
			missing="$missing ${svg##*/}"
	done
	check "40 cases: index.html shows every figure (missing:${missing:- none})" \
		test -z "$missing"
	res=$(imgcheck "$out")
	check "40 cases: every image loads in Chromium ($res)" \
		grep -qE '^IMGCHECK total=[0-9]+ broken=0$' <<<"$res"
fi

# The check itself: a missing image is seen.
rm -f "$T/plain/matrix.svg"
res=$(imgcheck "$T/plain")
check "Chromium check sees a broken image ($res)" grep -qE 'broken=1$' <<<"$res"
echo "1..$n"
