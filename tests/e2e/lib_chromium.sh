# lib_chromium.sh - sourced by the e2e tests that open a page in headless
# Chromium (report_html.sh, compare_gate.sh, trend_farm.sh); not a test
# itself (lib*.sh are helpers).  Source lib.sh first ($T).
#
# CHROMIUM: the browser, "" when not installed (the test SKIPs).
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

# chrome ARGS...: headless Chromium with the flags this closed machine
# needs (no background networking, a fresh profile each call).
chrome() {
	local prof
	prof=$(mktemp -d "$T/chrome.XXXXXX")
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --disable-dev-shm-usage \
		--user-data-dir="$prof" --virtual-time-budget=10000 "$@" 2>/dev/null
}

# page_dom DIR: the DOM of DIR/index.html after load, ending with a line
# "IMGCHECK total=N broken=M" that counts images the browser could not
# decode (from a copy of the page with a script appended).
page_dom() {
	cp "$1/index.html" "$1/_check.html"
	cat >> "$1/_check.html" <<'JS'
<script>
window.addEventListener('load', function () {
  var im = document.images, bad = 0;
  for (var i = 0; i < im.length; i++)
    if (!im[i].complete || im[i].naturalWidth === 0) bad++;
  var d = document.createElement('div');
  d.textContent = 'IMGCHECK total=' + im.length + ' broken=' + bad;
  document.body.appendChild(d);
});
</script>
JS
	chrome --dump-dom "file://$1/_check.html"
}

# imgcheck DIR: just page_dom's IMGCHECK line.
imgcheck() {
	page_dom "$1" | grep -o 'IMGCHECK total=[0-9]* broken=[0-9]*'
}
