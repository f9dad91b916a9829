/*
 * test_formats.c
 *	  The format adapters and the dispatcher, through an in-memory SmFiles
 *	  (memfiles.h): each tool's order with versions that a numeric and a
 *	  string sort order differently, its keying of files, and its refusals.
 */
#include <stdarg.h>

#include "unit.h"
#include "memfiles.h"
#include "formats/fmt_common.h"

static MemFS fs;
static SmFormat detected;

/* A fresh folder: pairs of path and text, ended by NULL. */
static void
folder(const char *path,...)
{
	va_list		ap;

	memset(&fs, 0, sizeof(fs));
	fs.env = env;
	va_start(ap, path);
	for (const char *p = path; p; p = va_arg(ap, const char *))
		mem_add(&fs, p, va_arg(ap, const char *));
	va_end(ap);
}

static Migration **
read_folder(int *n)
{
	SmFiles		f = mem_files(&fs);

	detected = fmt_detect(&f);
	return fmt_read(&f, detected, n);
}

/* "rev rev ..." in the order read */
static const char *
order(Migration **migs, int n)
{
	const char *s = "";

	for (int i = 0; i < n; i++)
		s = fmt("%s%s%s", s, i ? " " : "", migs[i]->revision);
	return s;
}

static const char *
parent_of(const Migration *m)
{
	return m->n_parents ? m->parents[0] : "";
}

static void
t_golang_order_and_keys(void)
{
	int			n;
	Migration **m;

	folder("100_add_y.up.sql", "ALTER TABLE t ADD y int;",
		   "30_add_x.up.sql", "ALTER TABLE t ADD x int;",
		   "30_drop_x.down.sql", "ALTER TABLE t DROP x;",
		   "31_gone.down.sql", "SELECT 1;",
		   "9_create.up.sql", "CREATE TABLE t ();", NULL);
	m = read_folder(&n);
	CHECK_INT(detected, SM_FMT_GOLANG_MIGRATE);
	REQUIRE(n == 4);
	CHECK_STR(order(m, n), "9 30 31 100");
	CHECK_STR(m[1]->message, "add x");
	CHECK_STR(m[1]->file, "30_add_x.up.sql");
	CHECK_STR(m[1]->down_file, "30_drop_x.down.sql");
	CHECK_STR(m[1]->down_sql, "ALTER TABLE t DROP x;");
	CHECK(m[1]->has_down);
	/* a down file alone: an empty up, named after the down file */
	CHECK_STR(m[2]->file, "31_gone.down.sql");
	CHECK_STR(m[2]->up_sql, "");
	CHECK(m[2]->has_down);
	CHECK(m[2]->down_file == NULL);
	CHECK(!m[0]->has_down);
	CHECK_STR(parent_of(m[3]), "31");
	CHECK_STR(m[0]->format, "golang-migrate");
}

static void
t_golang_duplicate(void)
{
	folder("9_a.up.sql", "SELECT 1;", "09_b.up.sql", "SELECT 2;", NULL);
	EXPECT_ERR(SM_ERR_DUPLICATE, { int n; read_folder(&n); }, "same version", "9_a.up.sql", "09_b.up.sql");
}

static void
t_dbmate_order_by_name(void)
{
	int			n;
	Migration **m;

	folder("9_add_c.sql", "-- a comment first\n\n-- migrate:up\nSELECT 3;\n-- migrate:down\n",
		   "10_add_b.sql", "-- migrate:up transaction:false\nSELECT 2;\n-- migrate:down\nSELECT -2;\n",
		   "011_create.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n", NULL);
	m = read_folder(&n);
	CHECK_INT(detected, SM_FMT_DBMATE);
	REQUIRE(n == 3);
	CHECK_STR(order(m, n), "011 10 9");
	CHECK(!m[1]->transactional);
	CHECK(m[0]->transactional);
	CHECK_STR(m[1]->down_sql, "SELECT -2;\n");
	CHECK_INT(m[2]->up_line, 4);
}

static void
t_dbmate_refusals(void)
{
	folder("1_a.sql", "CREATE TABLE x ();\n-- migrate:up\nSELECT 1;\n-- migrate:down\n", NULL);
	EXPECT_ERR(SM_ERR_MALFORMED, { int n; read_folder(&n); }, "before", "1_a.sql", "line 1");
	folder("1_a.sql", "-- migrate:up\nSELECT 1;\n", NULL);
	EXPECT_ERR(SM_ERR_MALFORMED, { int n; read_folder(&n); }, "no \"-- migrate:down\"");
}

static void
t_goose_order_and_go(void)
{
	int			n;
	Migration **m;

	folder("10_b.sql", "-- +goose Up\nSELECT 10;\n",
		   "2_a.sql", "-- +goose Up\nSELECT 2;\n-- +goose Down\nSELECT -2;\n",
		   "00003_c.go", "package m\n",
		   "00003_c_test.go", "package m\n",
		   "main.go", "package m\n", NULL);
	m = read_folder(&n);
	CHECK_INT(detected, SM_FMT_GOOSE);
	REQUIRE(n == 3);
	CHECK_STR(order(m, n), "2 3 10");
	CHECK_STR(m[1]->code_tool, "goose");
	CHECK_STR(m[1]->file, "00003_c.go");
	CHECK_STR(m[1]->message, "c");
	CHECK(m[0]->code_tool == NULL);
	/* no Down: goose rolls back a no-op */
	CHECK(m[2]->has_down);
	CHECK_STR(m[2]->down_sql, "");
}

static void
t_goose_go_stops_plans(void)
{
	int			n;
	Migration **m;
	Graph	   *g;
	bool	   *applied;

	folder("1_a.sql", "-- +goose Up\nSELECT 1;\n",
		   "2_b.go", "package m\n",
		   "3_c.sql", "-- +goose Up\nSELECT 3;\n", NULL);
	m = read_folder(&n);
	g = G(m, n);
	applied = applied_set(g, "");
	EXPECT_ERR(SM_ERR_CANNOT_RUN, plan_upgrade(env, g, applied, "head"), "Go migration", "2_b.go");
	CHECK(err_has("hint", "sm_stamp('2')"));
	/* up to the one before it is fine */
	CHECK_STR(plan_str(g, plan_upgrade(env, g, applied, "1")), "1");
	applied = applied_set(g, "1 2 3");
	EXPECT_ERR(SM_ERR_CANNOT_RUN, plan_downgrade(env, g, applied, "base"), "Go migration");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, applied, "2")), "3");
}

static void
t_goose_duplicate(void)
{
	folder("2_a.sql", "-- +goose Up\nSELECT 1;\n", "002_b.go", "package m\n", NULL);
	EXPECT_ERR(SM_ERR_DUPLICATE, { int n; read_folder(&n); }, "same version");
}

static void
t_diesel_order_as_strings(void)
{
	int			n;
	Migration **m;

	folder("9_add_c/up.sql", "SELECT 3;",
		   "20240113000000_add_b/up.sql", "SELECT 2;",
		   "20240113000000_add_b/down.sql", "SELECT -2;",
		   "2024-01-12-101500-0000_create/up.sql", "SELECT 1;",
		   "2024-01-12-101500-0000_create/metadata.toml", "run_in_transaction = false\n",
		   "README.md", "not a migration", NULL);
	m = read_folder(&n);
	CHECK_INT(detected, SM_FMT_DIESEL);
	REQUIRE(n == 3);
	CHECK_STR(order(m, n), "202401121015000000 20240113000000 9");
	CHECK(!m[0]->transactional);
	CHECK_STR(m[1]->down_file, "20240113000000_add_b/down.sql");
	CHECK_STR(m[1]->file, "20240113000000_add_b/up.sql");
	CHECK(!m[2]->has_down);
}

static void
t_diesel_refusals(void)
{
	folder("1_a/up.sql", "SELECT 1;", "2_b/down.sql", "SELECT 2;", NULL);
	EXPECT_ERR(SM_ERR_MALFORMED, { int n; read_folder(&n); }, "2_b", "no up.sql");
	folder("1_a/up.sql", "", NULL);
	EXPECT_ERR(SM_ERR_MALFORMED, { int n; read_folder(&n); }, "1_a/up.sql", "empty");
}

static void
t_flyway_order(void)
{
	int			n;
	Migration **m;

	folder("V1_11__e.sql", "SELECT 5;",
		   "V1.10__d.sql", "SELECT 4;",
		   "V1.9__c.sql", "SELECT 3;",
		   "V2__f.sql", "SELECT 6;",
		   "V1__a.sql", "SELECT 1;",
		   "V1.2__b.sql", "SELECT 2;",
		   "U1.9__c.sql", "SELECT -3;",
		   "R__views.sql", "SELECT 0;", NULL);
	m = read_folder(&n);
	CHECK_INT(detected, SM_FMT_FLYWAY);
	REQUIRE(n == 7);
	CHECK_STR(order(m, n), "1 1.2 1.9 1.10 1.11 2 R__views");
	CHECK_STR(m[2]->down_file, "U1.9__c.sql");
	CHECK(m[6]->repeatable);
	folder("V1__a.sql", "SELECT 1;", "V1.0__b.sql", "SELECT 2;", NULL);
	EXPECT_ERR(SM_ERR_DUPLICATE, { int n2; read_folder(&n2); }, "same version");
}

static void
t_sqitch_plan_order_and_names(void)
{
	int			n;
	Migration **m;

	folder("sqitch.plan",
		   "%project=p\n\nzeta 2024-01-01T00:00:00Z A <a@b> # first\n"
		   "base [zeta] 2024-01-02T00:00:00Z A <a@b> # named base\n"
		   "alpha 2024-01-03T00:00:00Z A <a@b>\n",
		   "deploy/zeta.sql", "CREATE INDEX CONCURRENTLY i ON t (c);",
		   "deploy/base.sql", "SELECT 2;",
		   "revert/base.sql", "SELECT -2;",
		   "verify/base.sql", "SELECT 1/1;",
		   "deploy/alpha.sql", "SELECT 3;", NULL);
	m = read_folder(&n);
	CHECK_INT(detected, SM_FMT_SQITCH);
	REQUIRE(n == 3);
	CHECK_STR(order(m, n), "zeta base alpha");
	CHECK_STR(m[1]->message, "named base");
	CHECK_STR(m[1]->down_file, "revert/base.sql");
	CHECK_STR(m[1]->verify_file, "verify/base.sql");
	CHECK_STR(m[2]->message, "alpha");
	CHECK(!m[2]->has_down);
	folder("sqitch.plan", "a 2024-01-01T00:00:00Z A <a@b>\n", NULL);
	EXPECT_ERR(SM_ERR_MALFORMED, { int n2; read_folder(&n2); }, "deploy script", "deploy/a.sql");
}

static void
t_reserved_names(void)
{
	int			n;
	Migration **m;
	Graph	   *g;

	folder("sqitch.plan", "head 2024-01-01T00:00:00Z A <a@b>\nbase 2024-01-02T00:00:00Z A <a@b>\n",
		   "deploy/head.sql", "SELECT 1;", "deploy/base.sql", "SELECT 2;",
		   "revert/head.sql", "SELECT -1;", "revert/base.sql", "SELECT -2;", NULL);
	m = read_folder(&n);
	g = G(m, n);
	/* the bare words are targets; revision:<id> is the revision */
	CHECK_STR(plan_str(g, plan_upgrade(env, g, applied_set(g, ""), "head")), "head base");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, applied_set(g, ""), "revision:head")), "head");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, applied_set(g, ""), "revision:head+1")), "head base");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, applied_set(g, "head base"), "revision:head")), "base");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, applied_set(g, "head base"), "base")), "base head");
	EXPECT_ERR(SM_ERR_UNKNOWN_REVISION, graph_resolve(env, g, "revision:hea"), "does not exist");
	/* native files keep the rule */
	folder("0001_x.sql", "-- revision: base\nSELECT 1;\n", NULL);
	EXPECT_ERR(SM_ERR_MALFORMED, { int n2; read_folder(&n2); }, "reserved");
}

static void
t_dispatcher_nothing_to_read(void)
{
	int			n;

	/* a Rails folder: Ruby migrations and a schema dump, which no reader knows */
	folder("20240101000000_init/create_users.rb", "class CreateUsers; end",
		   "schema.rb", "ActiveRecord::Schema.define {}", NULL);
	EXPECT_ERR(SM_ERR_MALFORMED, read_folder(&n), "no migrations");
	CHECK_DETAIL("20240101000000_init/");
	CHECK_DETAIL("schema.rb");
	/* a Prisma folder with its lock file but no migration yet */
	folder("migration_lock.toml", "provider = \"postgresql\"", NULL);
	EXPECT_ERR(SM_ERR_MALFORMED, read_folder(&n), "no migrations");
	CHECK_DETAIL("Prisma Migrate");
	/* an empty folder is an empty set */
	folder(NULL);
	read_folder(&n);
	CHECK_INT(n, 0);
	/* hidden files only: empty too */
	folder(".keep", "", NULL);
	read_folder(&n);
	CHECK_INT(n, 0);
}

static void
t_dispatcher_mixed(void)
{
	folder("1_a.up.sql", "SELECT 1;", "V2__b.sql", "SELECT 2;", NULL);
	EXPECT_ERR(SM_ERR_MALFORMED, { SmFiles f = mem_files(&fs); fmt_detect(&f); }, "mixes formats");
}

static void
t_native_natural_order(void)
{
	int			n;
	Migration **m;

	folder("10_ten.sql", "SELECT 10;", "2_two.sql", "SELECT 2;", "1_one.sql", "SELECT 1;", NULL);
	m = read_folder(&n);
	CHECK_INT(detected, SM_FMT_NATIVE);
	REQUIRE(n == 3);
	/* read in name order; the graph numbers them in natural order */
	CHECK_STR(order(m, n), "10 1 2");
	{
		Graph	   *g = G(m, n);

		CHECK_STR(g->nodes[0].mig->revision, "1");
		CHECK_STR(g->nodes[1].mig->revision, "2");
		CHECK_STR(g->nodes[2].mig->revision, "10");
	}
}

static void
t_flyway_callbacks(void)
{
	int			n;

	CHECK_INT(fmt_flyway_callback("afterMigrate.sql"), 'm');
	CHECK_INT(fmt_flyway_callback("afterMigrateApplied__001_views.sql"), 'm');
	CHECK_INT(fmt_flyway_callback("beforeClean.sql"), 'o');
	CHECK_INT(fmt_flyway_callback("afterMigrateX.sql"), 0);
	CHECK_INT(fmt_flyway_callback("V1__a.sql"), 0);
	folder("V1__a.sql", "SELECT 1;", "beforeClean.sql", "SELECT 2;", NULL);
	read_folder(&n);
	CHECK_INT(detected, SM_FMT_FLYWAY);
	CHECK_INT(n, 1);
	folder("V1__a.sql", "SELECT 1;", "afterMigrate.sql", "SELECT 2;", NULL);
	EXPECT_ERR(SM_ERR_CANNOT_RUN, read_folder(&n), "callback", "afterMigrate.sql");
}

const UnitCase format_cases[] = {
	{"golang: integer order, keyed by version and direction", t_golang_order_and_keys},
	{"golang: 9 and 09 are one version", t_golang_duplicate},
	{"dbmate: file-name order, options, lines", t_dbmate_order_by_name},
	{"dbmate: SQL before up, no down", t_dbmate_refusals},
	{"goose: integer order, Go migrations", t_goose_order_and_go},
	{"goose: a Go migration stops plans through it", t_goose_go_stops_plans},
	{"goose: duplicate versions across .sql and .go", t_goose_duplicate},
	{"diesel: string order, metadata, pairs", t_diesel_order_as_strings},
	{"diesel: directory without up.sql, empty up.sql", t_diesel_refusals},
	{"Flyway: part-wise order, undo, repeatable, 1.0 = 1", t_flyway_order},
	{"sqitch: plan order, scripts, missing deploy", t_sqitch_plan_order_and_names},
	{"Flyway: migrate callbacks refused, others left alone", t_flyway_callbacks},
	{"reserved names: foreign ids, revision:<id>", t_reserved_names},
	{"dispatcher: a folder with nothing to read", t_dispatcher_nothing_to_read},
	{"dispatcher: mixed formats", t_dispatcher_mixed},
	{"native: natural order", t_native_natural_order},
	{NULL, NULL}
};
