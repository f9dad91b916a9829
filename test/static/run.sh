#!/usr/bin/env bash
#
# test/static/run.sh -- cppcheck and clang-tidy over src/ with the server's
# include directories.  Prints every finding; findings listed in
# test/static/suppressions.txt (each with the reason it is not a bug) are
# shown as "explained".  Exit status 1 if any unexplained finding remains,
# 2 if a tool is missing.
#
# Checks that are not run at all, and why:
#   clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling
#       asks for C11 Annex K (memcpy_s, snprintf_s), which glibc and
#       PostgreSQL do not provide; every memcpy/snprintf here is bounded.
#   bugprone-easily-swappable-parameters, bugprone-reserved-identifier,
#   bugprone-macro-parentheses, bugprone-branch-clone
#       style findings that fire on PostgreSQL's own macros and idioms.
#   bugprone-narrowing-conversions, bugprone-implicit-widening-of-multiplication-result
#       int arithmetic on counts bounded by SM_MAX_FILES / SM_MAX_PARENTS
#       (sm_core.h) and PostgreSQL's MaxAllocSize; reviewed, not bugs, and
#       too noisy to keep on.
#
# Environment: PG_CONFIG (default: PostgreSQL 15's), SM_STATIC_JOBS (default nproc)

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
ROOT=$(pwd)
# shellcheck source=test/lib/cluster.sh
. "$ROOT/test/lib/cluster.sh"
PGC=$(sm_pg_config)
INC=$("$PGC" --includedir-server)
JOBS=${SM_STATIC_JOBS:-$(nproc)}
SUPP=$ROOT/test/static/suppressions.txt
OUT=$(mktemp -d /tmp/sm-static.XXXXXX) || exit 2
trap 'rm -rf -- "$OUT"' EXIT

for t in cppcheck clang-tidy; do
	command -v "$t" >/dev/null || { echo "static: $t is not installed (apt-get install cppcheck clang-tidy)"; exit 2; }
done
mapfile -t FILES < <(ls src/*.c src/formats/*.c)

# --- cppcheck --------------------------------------------------------------
echo "static: cppcheck $(cppcheck --version | awk '{print $2}') on ${#FILES[@]} files"
cppcheck --quiet -j "$JOBS" --enable=warning,portability,performance --std=c99 \
	--inline-suppr --suppress=missingIncludeSystem --suppress=missingInclude \
	-I src -I "$INC" -D__GNUC__=12 -D__x86_64__ \
	--template='cppcheck|{id}|{file}|{line}|{severity}: {message}' \
	"${FILES[@]}" 2>"$OUT/cppcheck.txt" >/dev/null
# --- clang-tidy ------------------------------------------------------------
CHECKS='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-macro-parentheses,-bugprone-narrowing-conversions,-bugprone-branch-clone,-bugprone-implicit-widening-of-multiplication-result,cert-err34-c,cert-str34-c,cert-msc30-c'
echo "static: $(clang-tidy --version | grep -o 'LLVM version [0-9.]*') on ${#FILES[@]} files"
printf '%s\n' "${FILES[@]}" | xargs -P "$JOBS" -I{} sh -c \
	'clang-tidy --quiet -checks="$1" "$2" -- -I src -I "$3" -Wno-unknown-warning-option 2>/dev/null' _ "$CHECKS" {} "$INC" |
	grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error): ' |
	sed -E 's#^'"$ROOT"'/##; s#^([^:]+):([0-9]+):[0-9]+: (warning|error): (.*) \[([^]]+)\]$#clang-tidy|\5|\1|\2|\3: \4#' |
	sort -u >"$OUT/clang-tidy.txt"

# --- report ----------------------------------------------------------------
unexplained=0
explained=0
while IFS='|' read -r tool check file line text; do
	[ -n "$tool" ] || continue
	file=${file#"$ROOT"/}
	why=
	while IFS=$'\t' read -r st sc sg sw; do
		case "$st" in '' | '#'*) continue ;; esac
		# shellcheck disable=SC2053
		if [ "$st" = "$tool" ] && [ "$sc" = "$check" ] && [[ $file == $sg ]]; then
			why=$sw
			break
		fi
	done <"$SUPP"
	if [ -n "$why" ]; then
		echo "explained  $file:$line: [$tool $check] $text"
		explained=$((explained + 1))
	else
		echo "FINDING    $file:$line: [$tool $check] $text"
		unexplained=$((unexplained + 1))
	fi
done < <(cat "$OUT/cppcheck.txt" "$OUT/clang-tidy.txt")
echo "static: $unexplained unexplained, $explained explained"
[ "$unexplained" -eq 0 ]
