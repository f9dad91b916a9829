# shellcheck shell=bash
#
# test/lib/checks.sh -- what the server-level scripts test/t_*.sh share: the
# "ok - " / "not ok - " lines and their count, and a work directory beside
# the cluster.  Source it after test/lib/cluster.sh.
#
#   ok WHAT, bad WHAT       print the line; bad counts it in FAILS
#   check WHAT CMD...       ok WHAT when CMD succeeds, else bad WHAT
#   expect WHAT WANT GOT    ok WHAT when GOT is WANT, else bad WHAT and both
#   contains NEEDLE TEXT    (for check) TEXT contains NEEDLE, else says so
#   sm_test_setup NAME      start a cluster unless PGHOST is set; set SM_PGBIN,
#                           PSQL_BIN and WORK (a new directory under the
#                           cluster's, removed at exit, after the script's
#                           own cleanup_more when it defines one)

FAILS=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1"; printf '  expected: %s\n  actual:   %s\n' "$2" "$3"; fi
}
contains() { case $2 in *"$1"*) return 0 ;; esac; printf '  %s\n  does not contain: %s\n' "$2" "$1"; return 1; }

# shellcheck disable=SC2317
sm__test_cleanup() {
	! declare -F cleanup_more >/dev/null || cleanup_more
	[ -z "${WORK:-}" ] || rm -rf -- "$WORK"
}

sm_test_setup() {
	WORK=
	# armed before the cluster: sm_cluster_start chains its own trap to it
	trap sm__test_cleanup EXIT
	if [ -z "${PGHOST:-}" ]; then
		sm_cluster_start || { echo "could not start a cluster"; exit 1; }
	fi
	: "${SM_PGBIN:=$("$(sm_pg_config)" --bindir)}"
	# shellcheck disable=SC2034 # for the scripts
	PSQL_BIN=$SM_PGBIN/psql
	WORK=$(mktemp -d "${SM_CLUSTER_DIR:-/tmp}/$1.XXXXXX") || exit 1
}
