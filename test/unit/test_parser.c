/*
 * test_parser.c
 *	  Natural order and the migration file parser.
 */
#include "unit.h"

/* ---------- natural order ---------- */

static int
sgn(int x)
{
	return (x > 0) - (x < 0);
}

static void
t_natural_basic(void)
{
	CHECK(sm_natural_cmp("2", "10") < 0);
	CHECK(sm_natural_cmp("10", "2") > 0);
	CHECK(sm_natural_cmp("9", "10") < 0);
	CHECK(sm_natural_cmp("x", "x") == 0);
	CHECK(sm_natural_cmp("", "") == 0);
	CHECK(sm_natural_cmp("", "a") < 0);
	CHECK(sm_natural_cmp("a", "a1") < 0);
}

static void
t_natural_leading_zeros(void)
{
	CHECK(sm_natural_cmp("0002", "0010") < 0);
	CHECK(sm_natural_cmp("002", "10") < 0);
	CHECK(sm_natural_cmp("0010", "9") > 0);
	/* equal value, different spelling: distinct but ordered consistently */
	CHECK(sm_natural_cmp("01", "1") != 0);
	CHECK(sgn(sm_natural_cmp("01", "1")) == -sgn(sm_natural_cmp("1", "01")));
	CHECK(sm_natural_cmp("0", "00") != 0);
}

static void
t_natural_timestamps(void)
{
	CHECK(sm_natural_cmp("20240101_x", "20240102_a") < 0);
	CHECK(sm_natural_cmp("20240101120000", "20240101120001") < 0);
	CHECK(sm_natural_cmp("99999999999999999999999", "100000000000000000000000") < 0);
	CHECK(sm_natural_cmp("20231231", "20240101") < 0);
}

static void
t_natural_mixed(void)
{
	CHECK(sm_natural_cmp("a2b", "a10a") < 0);
	CHECK(sm_natural_cmp("abc", "abd") < 0);
	CHECK(sm_natural_cmp("v1.2", "v1.10") < 0);
	CHECK(sm_natural_cmp("rel-9", "rel-10") < 0);
	CHECK(sm_natural_cmp("a", "B") > 0);	/* bytewise for non-digits */
}

static void
t_natural_total_order(void)
{
	static const char *const s[] = {
		"", "0", "00", "000", "01", "1", "001", "2", "10", "010", "a", "a0",
		"a00", "a1", "a01", "a1b", "a01b", "a1a", "a01a", "a10", "b", "B",
		"1a", "01a", "1b", "01b", "1-2", "1-10", "1.2", "1_2", "-", "_",
		"9", "99", "099", "x9y", "x10y", "x09y", "Z", "z0", "z", "0a0", "00a00",
		"18446744073709551616", "18446744073709551615", "0018446744073709551617",
	};
	int			n = sizeof(s) / sizeof(s[0]);

	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
		{
			int			ij = sgn(sm_natural_cmp(s[i], s[j]));

			if (ij != -sgn(sm_natural_cmp(s[j], s[i])))
				unit_fail(__FILE__, __LINE__, "not antisymmetric: \"%s\" \"%s\"", s[i], s[j]);
			if ((ij == 0) != (strcmp(s[i], s[j]) == 0))
				unit_fail(__FILE__, __LINE__, "0 only for equal strings: \"%s\" \"%s\"", s[i], s[j]);
			for (int k = 0; k < n; k++)
				if (ij < 0 && sm_natural_cmp(s[j], s[k]) < 0 &&
					sm_natural_cmp(s[i], s[k]) >= 0)
					unit_fail(__FILE__, __LINE__, "not transitive: \"%s\" < \"%s\" < \"%s\"",
							  s[i], s[j], s[k]);
		}
}

const UnitCase natural_cases[] = {
	{"natural: 2 < 10", t_natural_basic},
	{"natural: leading zeros", t_natural_leading_zeros},
	{"natural: timestamps", t_natural_timestamps},
	{"natural: mixed text", t_natural_mixed},
	{"natural: total order", t_natural_total_order},
	{NULL, NULL}
};

/* ---------- parser ---------- */

static void
t_name_defaults(void)
{
	Migration  *m = P("0003_order_status.sql", "SELECT 1;\n");

	CHECK_STR(m->revision, "0003");
	CHECK_STR(m->message, "order status");
	CHECK_STR(m->file, "0003_order_status.sql");
	CHECK(!m->down_given);
	CHECK_INT(m->n_parents, 0);
	CHECK(m->transactional);
	CHECK_INT(m->lock_timeout_ms, -1);
	CHECK_INT(m->statement_timeout_ms, -1);
	CHECK(!m->has_down);

	m = P("sub/dir/20240101_add_users.sql", "SELECT 1;\n");
	CHECK_STR(m->revision, "20240101");
	CHECK_STR(m->message, "add users");

	/* no "_": the whole stem is the revision, the message is empty */
	m = P("0007.sql", "SELECT 1;\n");
	CHECK_STR(m->revision, "0007");
	CHECK_STR(m->message, "");
	m = P("abc", "SELECT 1;\n");
	CHECK_STR(m->revision, "abc");

	/* directives override the name */
	m = P("0003_order_status.sql", "-- revision: r3\n-- message: other\nSELECT 1;\n");
	CHECK_STR(m->revision, "r3");
	CHECK_STR(m->message, "other");

	/* a file name that gives no valid revision */
	EXPECT_ERR(SM_ERR_MALFORMED, P("_x.sql", "SELECT 1;\n"), "invalid revision", "_x.sql");
	EXPECT_ERR(SM_ERR_MALFORMED, P("head.sql", "SELECT 1;\n"), "invalid revision", "reserved");
}

static void
t_directives_all(void)
{
	Migration  *m = P("x.sql",
					  "-- revision: 0005\n"
					  "-- down_revision: 0003, 0004\n"
					  "-- message:   Add orders table  \n"
					  "-- branch_labels: feat, shop\n"
					  "-- depends_on: 0001,0002\n"
					  "-- transactional: false\n"
					  "-- lock_timeout: 500\n"
					  "-- statement_timeout: 2min\n"
					  "-- +up\n"
					  "CREATE TABLE orders ();\n");

	CHECK_STR(m->revision, "0005");
	CHECK(m->down_given);
	REQUIRE(m->n_parents == 2);
	CHECK_STR(m->parents[0], "0003");
	CHECK_STR(m->parents[1], "0004");
	CHECK_STR(m->message, "Add orders table");
	REQUIRE(m->n_labels == 2);
	CHECK_STR(m->branch_labels[0], "feat");
	CHECK_STR(m->branch_labels[1], "shop");
	REQUIRE(m->n_depends == 2);
	CHECK_STR(m->depends_on[0], "0001");
	CHECK_STR(m->depends_on[1], "0002");
	CHECK(!m->transactional);
	CHECK_INT(m->lock_timeout_ms, 500);
	CHECK_INT(m->statement_timeout_ms, 120000);
	CHECK_STR(m->up_sql, "CREATE TABLE orders ();\n");
	CHECK_INT(m->up_line, 10);

	m = P("x.sql", "-- down_revision: none\n-- +up\n");
	CHECK(m->down_given);
	CHECK_INT(m->n_parents, 0);
	m = P("x.sql", "-- down_revision: NONE\n-- +up\n");
	CHECK(m->down_given);
	CHECK_INT(m->n_parents, 0);
	m = P("x.sql", "-- down_revision: a\n-- +up\n");
	REQUIRE(m->n_parents == 1);
	CHECK_STR(m->parents[0], "a");
	m = P("x.sql", "-- transactional: true\n-- +up\n");
	CHECK(m->transactional);
	m = P("x.sql", "-- transactional: off\n-- +up\n");
	CHECK(!m->transactional);
}

/* "-- allow:" approvals: accepted in the header, read by the server's lint */
static void
t_allow(void)
{
	Migration  *m = P("x.sql", "-- allow: rewrite, table_lock\n-- +up\nALTER TABLE t ALTER COLUMN n TYPE bigint;\n");

	CHECK_STR(m->up_sql, "ALTER TABLE t ALTER COLUMN n TYPE bigint;\n");
	CHECK_INT(m->up_line, 3);
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- allow: rewrite\n-- allow: data_loss\n-- +up\n"),
			   "given twice", "allow", "line 2");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- +up\nSELECT 1;\n-- allow: rewrite\n"),
			   "after SQL", "allow", "line 3");
}

static void
t_timeouts(void)
{
	CHECK_INT(P("x.sql", "-- lock_timeout: 500\n-- +up\n")->lock_timeout_ms, 500);
	CHECK_INT(P("x.sql", "-- lock_timeout: 500ms\n-- +up\n")->lock_timeout_ms, 500);
	CHECK_INT(P("x.sql", "-- lock_timeout: 5s\n-- +up\n")->lock_timeout_ms, 5000);
	CHECK_INT(P("x.sql", "-- lock_timeout: 2min\n-- +up\n")->lock_timeout_ms, 120000);
	CHECK_INT(P("x.sql", "-- statement_timeout: 0\n-- +up\n")->statement_timeout_ms, 0);
	CHECK_INT(P("x.sql", "-- statement_timeout: 1440min\n-- +up\n")->statement_timeout_ms, 86400000);

	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- lock_timeout: 5h\n-- +up\n"),
			   "invalid value", "lock_timeout", "line 1");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- lock_timeout: -5\n-- +up\n"),
			   "invalid value", "lock_timeout");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- lock_timeout: \n-- +up\n"),
			   "invalid value", "lock_timeout");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- statement_timeout: abc\n-- +up\n"),
			   "invalid value", "statement_timeout");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- statement_timeout: 1441min\n-- +up\n"),
			   "invalid value", "statement_timeout");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- statement_timeout: 99999999999999999999\n-- +up\n"),
			   "invalid value", "statement_timeout");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- statement_timeout: 5.5s\n-- +up\n"),
			   "invalid value");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- transactional: maybe\n-- +up\n"),
			   "invalid value", "transactional");
}

static void
t_markers_and_lines(void)
{
	Migration  *m = P("x.sql",
					  "-- message: m\n"	/* 1 */
					  "\n"				/* 2 */
					  "-- +up\n"		/* 3 */
					  "CREATE TABLE t ();\n"	/* 4 */
					  "INSERT INTO t DEFAULT VALUES;\n"	/* 5 */
					  "-- +down\n"		/* 6 */
					  "DROP TABLE t;\n");	/* 7 */

	CHECK_INT(m->up_line, 4);
	CHECK_INT(m->down_line, 7);
	CHECK(m->has_down);
	CHECK_STR(m->up_sql, "CREATE TABLE t ();\nINSERT INTO t DEFAULT VALUES;\n");
	CHECK_STR(m->down_sql, "DROP TABLE t;\n");

	/* markers are case- and space-insensitive */
	m = P("x.sql", "  --+UP  \nSELECT 1;\n--   +Down\nSELECT 2;");
	CHECK_STR(m->up_sql, "SELECT 1;\n");
	CHECK_STR(m->down_sql, "SELECT 2;");
	CHECK_INT(m->up_line, 2);
	CHECK_INT(m->down_line, 4);

	/* "-- +upgrade" is not a marker: just a comment in a markerless file */
	m = P("x.sql", "-- +upgrade\nSELECT 1;\n");
	CHECK_STR(m->up_sql, "SELECT 1;\n");
	CHECK(!m->has_down);
}

static void
t_markerless(void)
{
	Migration  *m = P("0001_a.sql", "-- a comment\n\nCREATE TABLE t ();\n-- +ignored? no\nSELECT 1;\n");

	CHECK_STR(m->up_sql, "CREATE TABLE t ();\n-- +ignored? no\nSELECT 1;\n");
	CHECK_INT(m->up_line, 3);
	CHECK(!m->has_down);
	CHECK(m->down_sql == NULL);

	m = P("0001_a.sql", "SELECT 1;");
	CHECK_STR(m->up_sql, "SELECT 1;");
	CHECK_INT(m->up_line, 1);
}

static void
t_empty_files(void)
{
	EXPECT_ERR(SM_ERR_MALFORMED, P("0001_a.sql", ""), "empty", "0001_a.sql");
	EXPECT_ERR(SM_ERR_MALFORMED, P("0001_a.sql", " \n\t\r\n  \n"), "empty");
	EXPECT_ERR(SM_ERR_MALFORMED, P("0001_a.sql", "-- just a comment\n-- another\n"),
			   "only comments", "0001_a.sql");
	EXPECT_ERR(SM_ERR_MALFORMED, P("0001_a.sql", "/* block */\n"), "only comments");
}

static void
t_empty_up(void)
{
	Migration  *m = P("0001_a.sql", "-- revision: r1\n-- message: nothing\n-- +up\n");

	CHECK_STR(m->up_sql, "");
	CHECK_STR(m->revision, "r1");
	CHECK(!m->has_down);
	m = P("0001_a.sql", "-- +up");
	CHECK_STR(m->up_sql, "");
	m = P("0001_a.sql", "-- +up\n-- +down\n");
	CHECK_STR(m->up_sql, "");
	CHECK_STR(m->down_sql, "");
	CHECK(m->has_down);
}

static void
t_marker_errors(void)
{
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- +down\nSELECT 2;\n-- +up\nSELECT 1;\n"),
			   "+down", "before", "line 1");
	CHECK_INT(last_err.line, 1);
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- +up\nSELECT 1;\n-- +up\nSELECT 1;\n"),
			   "second", "+up", "line 3");
	CHECK_INT(last_err.line, 3);
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- +up\n-- +down\n-- +down\n"),
			   "second", "+down", "line 3");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- +up\n-- +down\n-- +up\n"),
			   "+up", "after", "+down");
	/* SQL before +up when the file has markers */
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- message: m\nSELECT 0;\n-- +up\nSELECT 1;\n"),
			   "SQL before", "+up", "line 2");
	CHECK_STR(last_err.file, "x.sql");
}

static void
t_directive_errors(void)
{
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- revison: 1\n-- +up\n"),
			   "unknown directive", "revison", "line 1");
	CHECK_DETAIL("revision");
	/* near a directive: misspelt; far from all: a comment (issue 16) */
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- depends: a\n-- +up\n"),
			   "unknown directive", "depends");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- transaction: false\n-- +up\n"),
			   "unknown directive", "transaction");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- mesage: m\n-- +up\n"),
			   "unknown directive", "mesage");
	{
		Migration  *m = P("x.sql", "-- SPDX-License-Identifier: MIT\n-- Copyright (c) 2024 Example\n"
						  "-- copyright: 2024 Example\n-- license: MIT\n-- author: jane\n"
						  "-- atlas:nolint\n-- revision: r1\n-- +up\nSELECT 1;\n");

		CHECK_STR(m->revision, "r1");
	}
	/* a directive after SQL */
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- +up\nSELECT 1;\n-- revision: 5\n"),
			   "directive", "revision", "after SQL", "line 3");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "SELECT 1;\n-- message: late\n"),
			   "directive", "message", "after SQL");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- +up\nSELECT 1;\n-- +down\n-- down_revision: a\n"),
			   "after SQL", "down_revision");
	/* duplicate directive */
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- message: a\n-- message: b\n-- +up\n"),
			   "given twice", "message", "line 2");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- down_revision: a\n-- down_revision: none\n-- +up\n"),
			   "given twice", "down_revision");
	/* same parent twice in a merge */
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- down_revision: a, b, a\n-- +up\n"),
			   "twice", "\"a\"");
	/* empty list items */
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- down_revision: a,,b\n-- +up\n"),
			   "invalid down_revision", "empty");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- depends_on: a,\n-- +up\n"),
			   "invalid depends_on");
}

static void
t_header_comments(void)
{
	Migration  *m = P("0001_a.sql",
					  "-- see https://example.com/docs\n"
					  "-- Note: upper-case words are comments\n"
					  "-- TODO:fix later\n"
					  "/* a block comment\n"
					  "   -- revison: not a directive here\n"
					  "   spanning lines */\n"
					  "-- message: after block\n"
					  "-- +up\n"
					  "SELECT 1;\n"
					  "-- note: x\n"
					  "-- +down\n"
					  "-- whatever: y\n");

	CHECK_STR(m->message, "after block");
	CHECK_STR(m->up_sql, "SELECT 1;\n-- note: x\n");
	CHECK_STR(m->down_sql, "-- whatever: y\n");
	CHECK_INT(m->up_line, 9);
	CHECK_INT(m->down_line, 12);

	/* a one-line block comment in the header */
	m = P("0001_a.sql", "/* header */\n-- message: m\n-- +up\nSELECT 1;\n");
	CHECK_STR(m->message, "m");
}

static void
t_invalid_revisions(void)
{
	static const char *const bad[] = {
		"a b", "a'b", "a\"b", "a/b", "a..b", "head", "HEAD", "heads", "base",
		"current", "-abc", "_abc", ".abc", "a;b", "a\\b",
	};
	const char *why;

	for (volatile size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		CHECK(!mig_valid_revision(bad[i], &why));
		EXPECT_ERR(SM_ERR_MALFORMED,
				   P("x.sql", fmt("-- revision: %s\n-- +up\n", bad[i])),
				   "invalid revision", "x.sql", "line 1");
	}
	{
		char		long_rev[301];

		memset(long_rev, 'a', 300);
		long_rev[300] = '\0';
		CHECK(!mig_valid_revision(long_rev, &why));
		CHECK(strstr(why, "128") != NULL);
		EXPECT_ERR(SM_ERR_MALFORMED,
				   P("x.sql", fmt("-- revision: %s\n-- +up\n", long_rev)),
				   "invalid revision", "longer");
		long_rev[128] = '\0';
		CHECK(mig_valid_revision(long_rev, &why));
		long_rev[129] = '\0';
		long_rev[128] = 'a';
		CHECK(!mig_valid_revision(long_rev, &why));
	}
	CHECK(!mig_valid_revision("", &why));
	CHECK(mig_valid_revision("a.b-c_d9", &why));
	CHECK(mig_valid_revision("0001", &why));
	CHECK(mig_valid_revision("headx", &why));
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- revision:\n-- +up\n"), "invalid revision", "empty");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- down_revision: a b\n-- +up\n"),
			   "invalid down_revision");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- branch_labels: base\n-- +up\n"),
			   "invalid branch label", "reserved");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "-- depends_on: ../x\n-- +up\n"),
			   "invalid depends_on");
}

static void
t_bom_crlf(void)
{
	const char *lf = "-- message: m\n-- +up\nSELECT 1;\n-- +down\nSELECT 2;\n";
	const char *crlf = "\xEF\xBB\xBF-- message: m\r\n-- +up\r\nSELECT 1;\r\n-- +down\r\nSELECT 2;\r\n";
	Migration  *a = P("0001_a.sql", lf);
	Migration  *b = P("0001_a.sql", crlf);

	CHECK_STR(b->message, "m");
	CHECK_STR(b->up_sql, "SELECT 1;\n");
	CHECK_STR(b->down_sql, "SELECT 2;\n");
	CHECK_INT(b->up_line, a->up_line);
	CHECK_INT(b->down_line, a->down_line);
	CHECK_INT(b->text_len, a->text_len);
	CHECK_STR(b->text, a->text);

	/* a BOM alone, before markerless SQL */
	b = P("0001_a.sql", "\xEF\xBB\xBFSELECT 1;\n");
	CHECK_STR(b->up_sql, "SELECT 1;\n");
	CHECK_STR(b->text, "SELECT 1;\n");
}

static void
t_nul_byte(void)
{
	static const char data[] = "-- +up\nSELECT 1;\0\n";

	EXPECT_ERR(SM_ERR_MALFORMED, mig_parse(env, "x.sql", data, sizeof(data) - 1),
			   "NUL", "x.sql");
	/* data need not be terminated: only len bytes are read */
	{
		Migration  *m = mig_parse(env, "x.sql", "SELECT 1;XXXX", 9);

		CHECK_STR(m->up_sql, "SELECT 1;");
	}
}

static void
t_too_many_names(void)
{
	char	   *list = fmt("%*s", (SM_MAX_PARENTS + 1) * 8, "");
	size_t		l = 0;

	for (int i = 0; i < SM_MAX_PARENTS + 1; i++)
		l += sprintf(list + l, "%sa%d", i ? "," : "", i);
	EXPECT_ERR(SM_ERR_LIMIT, P("x.sql", fmt("-- down_revision: %s\n-- +up\n", list)),
			   "too many");
}

/*
 * Regression: SQL after a header block comment on the same line was
 * silently dropped (markerless file) or accepted before "-- +up".
 */
static void
t_regress_sql_after_block_comment(void)
{
	Migration  *m = P("0001_a.sql", "/* x */ CREATE TABLE a ();\nCREATE TABLE b ();\n");

	CHECK(strstr(m->up_sql, "CREATE TABLE a ();") != NULL);
	CHECK(strstr(m->up_sql, "CREATE TABLE b ();") != NULL);
	CHECK_INT(m->up_line, 1);

	m = P("0001_a.sql", "/* x\n y */ CREATE TABLE a ();\n");
	CHECK(strstr(m->up_sql, "CREATE TABLE a ();") != NULL);
	CHECK(strstr(m->up_sql, "y */") == NULL);
	CHECK_INT(m->up_line, 2);

	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "/* x */ SELECT 0;\n-- +up\nSELECT 1;\n"),
			   "SQL before", "line 1");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "/* x\n*/ SELECT 0;\n-- +up\nSELECT 1;\n"),
			   "SQL before", "line 2");

	/* comments only around the header stay comments */
	m = P("x.sql", "/* a */ /* b\n c */ -- d\n-- message: m\n-- +up\nSELECT 1;\n");
	CHECK_STR(m->message, "m");
	CHECK_STR(m->up_sql, "SELECT 1;\n");
	m = P("x.sql", "/*/ still a comment\n-- revison: inside\n*/\n-- +up\nSELECT 1;\n");
	CHECK_STR(m->up_sql, "SELECT 1;\n");
	EXPECT_ERR(SM_ERR_MALFORMED, P("x.sql", "/* only a comment */\n"), "only comments");
}

const UnitCase parser_cases[] = {
	{"parser: defaults from file name", t_name_defaults},
	{"parser: all directives", t_directives_all},
	{"parser: timeouts", t_timeouts},
	{"parser: allow approvals", t_allow},
	{"parser: markers and line numbers", t_markers_and_lines},
	{"parser: markerless file", t_markerless},
	{"parser: empty / blank / comment-only files", t_empty_files},
	{"parser: directives and empty up", t_empty_up},
	{"parser: marker errors", t_marker_errors},
	{"parser: directive errors", t_directive_errors},
	{"parser: header comments", t_header_comments},
	{"parser: invalid revision ids", t_invalid_revisions},
	{"parser: BOM and CRLF", t_bom_crlf},
	{"parser: NUL byte", t_nul_byte},
	{"parser: too many names", t_too_many_names},
	{"regression: SQL after a header block comment", t_regress_sql_after_block_comment},
	{NULL, NULL}
};
