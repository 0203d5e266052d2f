#!/bin/bash
# docs.sh - the documentation agrees with the code (issue 17): every
# subcommand and each of its long options is in isolat(1), every scenario
# key `isolat check --keys` lists is in isolat-scenario(5), both pages render with
# `man -l` without a warning, the README stays under 300 lines, its links
# to docs/ resolve (or are docs other branches add), and its quick-start
# make targets exist.  Needs no root.
. "$(dirname "$0")/lib.sh"

MAN1=$TOP/docs/man/isolat.1
MAN5=$TOP/docs/man/isolat-scenario.5

cmds=$("$ISOLAT" --help | sed -n '/^commands:/,/^$/p' | awk 'NR>1 && NF {print $1}')
check "isolat --help lists commands" [ -n "$cmds" ]
missing=""
for c in $cmds; do
	grep -q "^\.SS $c\$" "$MAN1" || missing="$missing $c"
	for o in $("$ISOLAT" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		[ "$o" = --help ] && continue
		grep -qF -- "${o//-/\\-}" "$MAN1" || missing="$missing $c:$o"
	done
done
check "isolat(1) has every subcommand and option${missing:+ (missing:$missing)}" [ -z "$missing" ]

# The one key list: `isolat check --keys` (the rooms' .def tables, the
# profile keys, [gate]).
keys=$("$ISOLAT" check --keys)
check "isolat check --keys lists keys ($(printf '%s\n' "$keys" | wc -l))" \
	[ "$(printf '%s\n' "$keys" | wc -l)" -gt 40 ]
missing=""
while IFS=$'\t' read -r section key _; do
	grep -qE "^\.B $key\$|\\\\fB$key\\\\fR|^\.BR $key " "$MAN5" ||
		missing="$missing [$section]$key"
done <<< "$keys"
check "isolat-scenario(5) has every key of check --keys${missing:+ (missing:$missing)}" [ -z "$missing" ]

for page in "$MAN1" "$MAN5"; do
	if command -v man >/dev/null && command -v groff >/dev/null; then
		warn=$( { MANWIDTH=80 man -l "$page" >/dev/null; } 2>&1;
			groff -man -Tutf8 -ww -z "$page" 2>&1)
		check "man -l $(basename "$page") renders cleanly${warn:+: $warn}" [ -z "$warn" ]
		check "$(basename "$page") renders text" [ "$(MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l)" -gt 50 ]
	else
		skip "man -l $(basename "$page")" "man-db/groff-base not installed"
	fi
done

R=$TOP/README.md
check "README is under 300 lines ($(wc -l < "$R"))" [ "$(wc -l < "$R")" -lt 300 ]
# Links into docs/: present, or docs/netlat.md (issue 16 adds it).
later="netlat.md"
bad=""
for l in $(grep -o '](docs/[^)]*)' "$R" | sed 's/^](//; s/)$//'); do
	[ -e "$TOP/$l" ] && continue
	case " $later " in *" $(basename "$l") "*) continue ;; esac
	bad="$bad $l"
done
check "README's docs/ links resolve${bad:+ (broken:$bad)}" [ -z "$bad" ]
# The quick start's commands are make targets that exist.
qs=$(sed -n '/^## Quick start/,/^## /p' "$R" | sed -n '/^```sh/,/^```/p' | grep -v '^```')
check "quick start is make demo, make check" [ "$qs" = "make demo
make check" ]
for tgt in demo check install uninstall; do
	check "make -n $tgt works" bash -c 'make -s -n -C "$1" "$2" >/dev/null' _ "$TOP" "$tgt"
done
