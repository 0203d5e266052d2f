#!/bin/bash
# sizes.sh - the largest C files and functions (outside tests/), against
# the project's limits: files under ~800 lines, functions under ~100.
#
#   ci/sizes.sh [N]     the N largest of each (default 10)
#
# A function is counted from its opening "{" at column 0 to its closing
# "}" at column 0 (the project's style), named by the last line before it
# that starts a declaration at column 0.
set -u
cd "$(dirname "$0")/.."
n=${1:-10}
src=$(find harness collectors reports workloads -name '*.c' | sort)

echo "largest files (lines):"
wc -l $src | grep -v ' total$' | sort -rn | head -"$n"
echo "largest functions (lines, file: name):"
for f in $src; do
	awk -v f="$f" '
		/^\{/ { start = NR; name = sig; next }
		/^\}/ && start { print NR - start + 1, f ": " name; start = 0 }
		/^[A-Za-z_].*\(/ { sig = $0 }' "$f"
done | sed 's/(.*//' | sort -rn | head -"$n"
