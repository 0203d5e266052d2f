#!/bin/bash
# size_lint.sh - the limits of STYLE.md and issue 13 that a script can
# check: C files over 800 lines, functions over 100 lines (kernel style:
# a body opens with '{' and closes with '}' in column 0; counted from the
# line that names the function), and SQLite reaching into harness/
# (collectors/store_db.h is for collectors/ and reports/).
#
#   tests/tools/size_lint.sh [--strict] [DIR...]   (default: collectors
#                                                   harness reports workloads)
# Prints one line per finding; --strict exits 1 when there is any.
# Tests (tests/) are not held to the function limit.
set -u
cd "$(dirname "$0")/../.." || exit 2
strict=0
[ "${1:-}" = --strict ] && { strict=1; shift; }
dirs=("$@")
[ ${#dirs[@]} -eq 0 ] && dirs=(collectors harness reports workloads)
found=0

while IFS= read -r f; do
	n=$(wc -l < "$f")
	if [ "$n" -gt 800 ]; then
		echo "file $f: $n lines (limit 800)"
		found=1
	fi
	out=$(awk -v file="$f" '
		/^[A-Za-z_].*\(/ && !/;[ \t]*$/ { sig = FNR; name = $0 }
		/^\{/ { start = sig ? sig : FNR; fn = name }
		/^\}/ && start {
			len = FNR - start + 1
			if (len > 100) {
				sub(/\(.*/, "", fn); n = split(fn, w, /[ \t*]+/)
				printf "function %s:%d %s: %d lines (limit 100)\n",
				       file, start, w[n], len
			}
			start = 0; sig = 0
		}' "$f")
	if [ -n "$out" ]; then
		echo "$out"
		found=1
	fi
done < <(find "${dirs[@]}" -name '*.c' -o -name '*.h' | sort)

# The store boundary: no SQLite anywhere in harness/.
while IFS= read -r f; do
	echo "sqlite $f: includes SQLite (store_db.h / sqlite3.h) outside collectors/ and reports/"
	found=1
done < <(grep -rlE '#include (<sqlite3.h>|"collectors/store_db.h")' harness 2>/dev/null)

[ "$strict" = 1 ] && exit $found
exit 0
