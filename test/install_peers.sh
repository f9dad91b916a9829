#!/usr/bin/env bash
#
# test/install_peers.sh -- install the other migration tools that the tests
# run for real (npm packages, pinned to the versions the tests were written
# against) into one cache directory, once per machine.
#
#   bash test/install_peers.sh            install what is missing; prints the root
#   bash test/install_peers.sh --bench    also the peers bench/ compares with
#                                         (@pgkit/migra, squawk-cli)
#
# Root: $SM_NPM, default ${XDG_CACHE_HOME:-$HOME/.cache}/schema_migrate/npm.
# Each tool gets its own prefix there (<root>/<tool>/node_modules/...), the
# layout test/t_formats_more.sh, test/t_adopt_more.sh and bench/ expect.
# Best effort: a tool that cannot be installed (no npm, no registry) is
# reported, and the tests that need it say they skipped it.
set -uo pipefail

ROOT=${SM_NPM:-${XDG_CACHE_HOME:-$HOME/.cache}/schema_migrate/npm}
mkdir -p "$ROOT" || exit 1

# prefix  marker-file  packages...
PEERS=(
	"node-pg-migrate node_modules/.bin/node-pg-migrate node-pg-migrate@9.0.0 pg@8"
	"postgrator-cli node_modules/.bin/postgrator postgrator-cli@9.1.1 pg@8"
	"graphile-migrate node_modules/.bin/graphile-migrate graphile-migrate@1.4.1"
	"drizzle node_modules/drizzle-orm/package.json drizzle-orm@0.45.4 drizzle-kit@0.31.11 pg@8"
	"liquibase-npm node_modules/liquibase/package.json liquibase@4.28.1"
	"dbmate node_modules/.bin/dbmate dbmate@2.36.0"
)

if [ "${1:-}" = --bench ]; then
	PEERS+=(
		"migra node_modules/.bin/migra @pgkit/migra@0.6.1"
		"squawk node_modules/.bin/squawk squawk-cli@2.66.0"
	)
fi

if ! command -v npm >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null 2>&1
	fi
fi
if ! command -v npm >/dev/null 2>&1; then
	echo "install_peers: npm is not available; tests that run the real tools skip them" >&2
	echo "$ROOT"
	exit 0
fi

for p in "${PEERS[@]}"; do
	read -r dir marker pkgs <<<"$p"
	[ -e "$ROOT/$dir/$marker" ] && continue
	echo "install_peers: installing $pkgs into $ROOT/$dir" >&2
	# shellcheck disable=SC2086
	if ! timeout 300 npm install --silent --no-audit --no-fund --prefix "$ROOT/$dir" $pkgs >"$ROOT/$dir.log" 2>&1; then
		echo "install_peers: could not install $pkgs (see $ROOT/$dir.log)" >&2
	fi
done
chmod -R a+rX "$ROOT" 2>/dev/null
echo "$ROOT"
