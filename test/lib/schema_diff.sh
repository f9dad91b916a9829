# shellcheck shell=bash
#
# test/lib/schema_diff.sh -- what the checks of the differ share
# (test/t_schema_diff.sh, test/t_schema_diff_history.sh,
# test/public/diff_history.sh): a database's schema as pg_dump prints it and
# as sm_schema_model() models it, the script sm_diff_models() writes between
# two models, and the check of one point of a history.  Source it after
# test/lib/checks.sh, with PSQL_BIN and SM_PGBIN set; the script defines
# fresh_db DB (a new database with schema_migrate).
#
#   psql_q ARGS...              psql, quiet, unaligned, stopping at the first error
#   dump DB OUT                 pg_dump --schema-only without comments and blank lines
#   model DB OUT                sm_schema_model() of DB
#   diff_script DB FROM TO OUT  the statements of sm_diff_models(FROM, TO), model files
#   try_point DB BASE SCRIPT TARGET
#                               DB from empty, BASE (a script or ""), then SCRIPT;
#                               0 when it dumps as TARGET, 2 when only with
#                               check_function_bodies = off, 1 otherwise
#   show_failure SCRIPT TARGET  the first errors of SCRIPT and the dump's difference
#   diff_point PREFIX P WHAT    point P of a history (PREFIX$P.model, PREFIX$P.dump;
#                               PREFIX0 is the empty schema) rebuilt from empty and
#                               from point P-1; counts exact_empty, cfb_empty,
#                               exact_step, cfb_step; bad WHAT ... otherwise

psql_q() { "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

dump() {
	"$SM_PGBIN/pg_dump" --schema-only -d "$1" | grep -v -e '^--' -e '^$' -e '^\\restrict ' -e '^\\unrestrict ' >"$2"
}

model() { psql_q -d "$1" -c "SELECT sm_schema_model()" >"$2"; }

diff_script() {
	psql_q -d "$1" -o "$4" <<-EOF
	\\set f \`cat '$2'\`
	\\set t \`cat '$3'\`
	SELECT statement FROM sm_diff_models(:'f', :'t') ORDER BY step;
	EOF
}

try_point() {
	local cfb
	for cfb in on off; do
		fresh_db "$1" >/dev/null || return 1
		if PGOPTIONS="${PGOPTIONS:-} -c check_function_bodies=$cfb" sh -c '
			[ -z "$2" ] || "$0" -d "$1" -X -q -v ON_ERROR_STOP=1 -f "$2" >/dev/null 2>&1 || exit 1
			"$0" -d "$1" -X -q -v ON_ERROR_STOP=1 -f "$3" >/dev/null 2>"$3.err"' "$PSQL_BIN" "$1" "$2" "$3" &&
			dump "$1" "$3.dump" && cmp -s "$3.dump" "$4"; then
			[ $cfb = on ] && return 0
			return 2
		fi
	done
	return 1
}

show_failure() {
	head -3 "$1.err" | sed 's/^/    /'
	diff "$1.dump" "$2" | head -12 | sed 's/^/    /'
}

exact_empty=0 cfb_empty=0 exact_step=0 cfb_step=0
diff_point() {
	local pre=$1 p=$2 what=$3 prev=
	diff_script hist_empty "${pre}0.model" "$pre$p.model" "$WORK/e.sql"
	try_point hist_a "" "$WORK/e.sql" "$pre$p.dump"
	case $? in
	0) exact_empty=$((exact_empty + 1)) ;;
	2) cfb_empty=$((cfb_empty + 1)); echo "# $what: from empty, only with check_function_bodies = off" ;;
	*) bad "$what: empty -> point does not reproduce it"; show_failure "$WORK/e.sql" "$pre$p.dump" ;;
	esac
	# consecutive: from the previous point, itself rebuilt from empty
	if [ "$p" -gt 1 ]; then
		diff_script hist_empty "${pre}0.model" "$pre$((p - 1)).model" "$WORK/prev.sql"
		prev="$WORK/prev.sql"
	fi
	diff_script hist_empty "$pre$((p - 1)).model" "$pre$p.model" "$WORK/c.sql"
	try_point hist_b "$prev" "$WORK/c.sql" "$pre$p.dump"
	case $? in
	0) exact_step=$((exact_step + 1)) ;;
	2) cfb_step=$((cfb_step + 1)); echo "# $what: from point $((p - 1)), only with check_function_bodies = off" ;;
	*) bad "$what: point $((p - 1)) -> $p does not reproduce it"; show_failure "$WORK/c.sql" "$pre$p.dump" ;;
	esac
}
