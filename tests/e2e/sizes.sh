#!/bin/bash
# sizes.sh - the size limits of STYLE.md and issue 13 hold: no C file over
# 800 lines, no function over 100 lines outside tests/, no SQLite in
# harness/ (tests/tools/size_lint.sh).  Needs no root and no build.
. "$(dirname "$0")/lib.sh"
out=$("$TOP/tests/tools/size_lint.sh" --strict 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
	ok "no file over 800 lines, no function over 100, no SQLite in harness/"
else
	fail "size limits:"
	printf '%s\n' "$out" | sed 's/^/#   /'
fi
