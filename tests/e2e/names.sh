#!/bin/bash
# names.sh - nothing outside the backends knows an environment or a
# workload by name (issue 13): no C file outside harness/env/ and
# workloads/ compares a name from harness/env/envs.def or
# workloads/workloads.def to a string literal (strcmp/strncmp/strcasecmp,
# == on a name); they ask env_ops.flags / the workload flags instead.
# Needs no root and no build.  Also checks that the check itself bites:
# a planted comparison in a scratch copy is found.
. "$(dirname "$0")/lib.sh"
cd "$TOP"

names() {
	sed -n 's/^X(\([a-z0-9_]*\),.*/\1/p' harness/env/envs.def \
		workloads/workloads.def
}

# Lines that name a list word as something else, each with why: none
# today (kvm_accel = auto|kvm|tcg moved into harness/env/kvm/ with the
# per-backend key tables).  A pattern that matches no grep -n line:
ALLOW='^$'

# FILES... : the offending lines, as FILE:LINE: text
offenders() {
	local alt
	alt=$(names | paste -sd'|')
	# strcmp and friends, == / !=, and any helper whose name says it
	# compares (same(), streq(), name_eq(), ...).
	grep -nHE "((str(n|case)?cmp|==|!=)|\\b[a-z_]*(cmp|same|eq|match)[a-z_]*[[:space:]]*\\()[^;]*\"($alt)\"" "$@" 2>/dev/null |
		grep -vE "$ALLOW"
}

files=$(find harness collectors reports -name '*.c' -o -name '*.h' |
	grep -v '^harness/env/' | sort)
n_names=$(names | wc -l)
if [ "$n_names" -ge 4 ]; then
	ok "names read from the lists ($n_names: $(names | paste -sd' '))"
else
	fail "names read from the lists (got $n_names)"
fi

out=$(offenders $files)
if [ -z "$out" ]; then
	ok "no C file outside harness/env/ and workloads/ compares an environment or workload name to a literal"
else
	fail "name comparisons outside the backends:"
	printf '%s\n' "$out" | sed 's/^/#   /'
fi

# The check must fail on the bug it guards.
printf 'int f(const char *e) { return !strcmp(e, "bare"); }\n' >"$T/planted.c"
printf 'int g(const char *w) { return strcmp(w, "rtlat") == 0; }\n' >>"$T/planted.c"
printf 'int h(const char *e) { return same(e, "kvm"); }\n' >>"$T/planted.c"
if [ "$(offenders "$T/planted.c" | wc -l)" = 3 ]; then
	ok "a planted comparison is found"
else
	fail "a planted comparison is found"
fi
