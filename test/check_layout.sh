#!/usr/bin/env bash
#
# test/check_layout.sh -- the file-level dependency listing of src/, derived
# from the built objects, checked against README.md's "Layout of the source".
#
# A file depends on another when it uses a symbol (function or variable)
# the other defines: nm's undefined symbols of one object matched against
# the defined ones of the others.  src/formats/ counts as one unit (its
# adapters and their shared helpers are one concern seen from outside).
#
# Fails when the listing between the "layout: begin/end" markers in
# README.md differs from the code for a file it lists, when it lists a
# file that is gone, or when the dependencies have a cycle.  A file the
# listing does not know yet (a new feature's) is reported with the line to
# add, and does not fail the check.
#
#   bash test/check_layout.sh            check (objects are built when missing)
#   bash test/check_layout.sh --print    print the derived listing
#   bash test/check_layout.sh --update   write it into README.md (after a
#                                        reviewed change of dependencies)
#
# Prints "ok - ..." / "not ok - ..." lines; exit status 1 on failure.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

PG_CONFIG=${PG_CONFIG:-pg_config}
shopt -s nullglob
sources=(src/*.c src/formats/*.c)
missing=0
for c in "${sources[@]}"; do
	[ -f "${c%.c}.o" ] && [ "${c%.c}.o" -nt "$c" ] || missing=1
done
if [ "$missing" = 1 ]; then
	make -s -j2 PG_CONFIG="$PG_CONFIG" >/dev/null 2>&1 ||
		{ echo "not ok - could not build the objects"; exit 1; }
fi

# unit name of an object: "functions", "formats/"
unit_of() {
	case "$1" in
	src/formats/*) echo "formats/" ;;
	*) basename "$1" .o ;;
	esac
}

declare -A def_of	# symbol -> unit defining it
declare -A deps		# unit -> " a b c "
units=()
for c in "${sources[@]}"; do
	o=${c%.c}.o
	u=$(unit_of "$o")
	[[ " ${units[*]} " == *" $u "* ]] || units+=("$u")
	while read -r sym; do
		def_of[$sym]=$u
	done < <(nm --defined-only -g "$o" | awk 'NF == 3 { print $3 }')
done
for c in "${sources[@]}"; do
	o=${c%.c}.o
	u=$(unit_of "$o")
	while read -r sym; do
		d=${def_of[$sym]:-}
		[ -n "$d" ] && [ "$d" != "$u" ] || continue
		[[ "${deps[$u]:-} " == *" $d "* ]] || deps[$u]="${deps[$u]:-} $d"
	done < <(nm -u "$o" | awk '{ print $NF }')
done

listing() {
	for u in $(printf '%s\n' "${units[@]}" | LC_ALL=C sort); do
		# shellcheck disable=SC2086
		printf '%-18s -> %s\n' "$u" "$(printf '%s\n' ${deps[$u]:-} | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
	done
}

if [ "${1:-}" = "--print" ]; then
	listing
	exit 0
fi
if [ "${1:-}" = "--update" ]; then
	# rewrite the listing between the markers with the derived one
	listing >"README.md.layout.$$"
	awk -v f="README.md.layout.$$" '
		/<!-- layout: begin -->/ { print; print "```"; while ((getline l < f) > 0) print l; print "```"; skip = 1; next }
		/<!-- layout: end -->/ { skip = 0 }
		!skip' README.md >"README.md.new.$$" && mv "README.md.new.$$" README.md
	rm -f "README.md.layout.$$"
	echo "README.md's dependency listing rewritten"
	exit 0
fi

fail=0
# --- no cycle: depth-first search over the derived graph
declare -A state	# unit -> 1 visiting, 2 done
cycle=
visit() {
	local u=$1 d
	state[$u]=1
	for d in ${deps[$u]:-}; do
		if [ "${state[$d]:-0}" = 1 ]; then
			cycle="$d <- $u"
			return 1
		fi
		if [ "${state[$d]:-0}" = 0 ]; then
			visit "$d" || { cycle="$cycle <- $u"; return 1; }
		fi
	done
	state[$u]=2
	return 0
}
for u in "${units[@]}"; do
	if [ "${state[$u]:-0}" = 0 ] && ! visit "$u"; then
		echo "not ok - dependency cycle: $cycle"
		fail=1
		break
	fi
done
[ -z "$cycle" ] && echo "ok - no dependency cycle among ${#units[@]} units of src/"

# --- the README's listing
readme=$(awk '/<!-- layout: begin -->/ { on = 1; next } /<!-- layout: end -->/ { on = 0 } on' README.md |
	grep -- '->')
if [ -z "$readme" ]; then
	echo "not ok - README.md has no dependency listing between <!-- layout: begin/end --> markers"
	exit 1
fi
derived=$(listing)
declare -A listed
while read -r line; do
	u=$(awk '{ print $1 }' <<<"$line")
	want=$(sed 's/^[^>]*-> *//' <<<"$line" | tr -s ' ' | sed 's/ $//')
	listed[$u]=1
	got_line=$(grep -E "^$(sed 's/[.\/]/\\&/g' <<<"$u") +->" <<<"$derived")
	if [ -z "$got_line" ]; then
		echo "not ok - README lists $u, which is not in src/ any more"
		fail=1
		continue
	fi
	got=$(sed 's/^[^>]*-> *//' <<<"$got_line" | tr -s ' ' | sed 's/ $//')
	if [ "$want" != "$got" ]; then
		echo "not ok - $u: README says -> $want; the code has -> $got"
		fail=1
	fi
done <<<"$readme"
unknown=0
for u in "${units[@]}"; do
	if [ -z "${listed[$u]:-}" ]; then
		unknown=$((unknown + 1))
		echo "# $u is not in README.md's layout yet; add: $(grep -E "^$(sed 's/[.\/]/\\&/g' <<<"$u") +->" <<<"$derived")"
	fi
done
[ "$fail" = 1 ] && echo "# after reviewing the change, bash test/check_layout.sh --update rewrites the listing"
[ "$fail" = 0 ] && echo "ok - README.md's dependency listing matches the code ($(wc -l <<<"$readme") files listed, $unknown not listed yet)"
exit "$fail"
