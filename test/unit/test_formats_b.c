/*
 * test_formats_b.c
 *	  Unit tests of the Liquibase, graphile-migrate, Hasura and Drizzle
 *	  readers and of their digests, on sets held in memory.  The expected
 *	  checksums were written by the real tools (Liquibase 4.28's
 *	  DATABASECHANGELOG.MD5SUM, graphile-migrate 1.4's commit).
 */
#include "unit.h"

#include "formats/formats_b.h"

/* An in-memory set: paths relative to the set, "/" separated. */
typedef struct MemFile
{
	const char *path;
	const char *text;
} MemFile;

static const MemFile *mem;

static int
mem_list(void *arg, const char *dir, SmDirEntry **out)
{
	size_t		dl = strlen(dir);
	int			n = 0;
	SmDirEntry *e = sm_alloc(env, sizeof(SmDirEntry) * 64);

	(void) arg;
	for (const MemFile *m = mem; m->path; m++)
	{
		const char *rest = m->path,
				   *slash;
		char	   *name;
		bool		dup = false;

		if (dl && (strncmp(m->path, dir, dl) != 0 || m->path[dl] != '/'))
			continue;
		if (dl)
			rest += dl + 1;
		slash = strchr(rest, '/');
		name = sm_strndup(env, rest, slash ? (size_t) (slash - rest) : strlen(rest));
		for (int i = 0; i < n; i++)
			dup |= strcmp(e[i].name, name) == 0;
		if (dup)
			continue;
		e[n].name = name;
		e[n].is_dir = slash != NULL;
		n++;
	}
	/* sorted by name, as the server's reader lists them */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(e[j - 1].name, e[j].name) > 0; j--)
		{
			SmDirEntry	t = e[j];

			e[j] = e[j - 1];
			e[j - 1] = t;
		}
	*out = e;
	return n;
}

static const char *
mem_read(void *arg, const char *path, size_t *len, bool missing_ok)
{
	(void) arg;
	for (const MemFile *m = mem; m->path; m++)
		if (strcmp(m->path, path) == 0)
		{
			*len = strlen(m->text);
			return m->text;
		}
	if (!missing_ok)
		sm_fail(env, SM_ERR_MALFORMED, path, 0, NULL, NULL, "no file \"%s\"", path);
	return NULL;
}

/* graphile-migrate's placeholders for the next read_set (NULL: none) */
static const FmtPlaceholders *placeholders;

static Migration **
read_set(const MemFile *files, SmFormat want, int *n)
{
	SmFiles		f = {NULL, mem_list, mem_read, NULL, NULL, NULL};

	f.env = env;
	f.placeholders = placeholders;
	mem = files;
	CHECK_INT(fmt_detect(&f), want);
	return fmt_read(&f, want, n);
}

static void
test_digests(void)
{
	char		h[41];

	fmt_md5_hex("", 0, h);
	CHECK_STR(h, "d41d8cd98f00b204e9800998ecf8427e");
	fmt_md5_hex("The quick brown fox jumps over the lazy dog", 43, h);
	CHECK_STR(h, "9e107d9d372bb6826bd81d3542a419d6");
	fmt_sha1_hex("abc", 3, h);
	CHECK_STR(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
	/* 56 bytes: the padding spills into a second block */
	fmt_sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
	CHECK_STR(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

/* DATABASECHANGELOG.MD5SUM of fmt_liquibase's alice:1, as Liquibase 4.28 wrote it */
static void
test_liquibase_checksum(void)
{
	CHECK_STR(fmt_liquibase_checksum(env,
									 "CREATE TABLE accounts (\n    id bigserial PRIMARY KEY,\n"
									 "    email text NOT NULL UNIQUE,\n"
									 "    created_at timestamptz NOT NULL DEFAULT now()\n);"),
			  "9:00e3f2cf08d899e04422201e162ae8ee");
	/* blanks, tabs and line ends do not count */
	CHECK_STR(fmt_liquibase_checksum(env,
									 "CREATE TABLE accounts(id bigserial PRIMARY KEY,\temail text NOT NULL UNIQUE,"
									 "\r\ncreated_at timestamptz NOT NULL DEFAULT now());"),
			  "9:00e3f2cf08d899e04422201e162ae8ee");
}

static const MemFile lb_set[] = {
	{"master.yaml", "databaseChangeLog:\n  - include:\n      file: a.sql\n  - includeAll:\n      path: more/\n"},
	{"a.sql", "--liquibase formatted sql\n--changeset ann:1 runInTransaction:false dbms:postgresql\n"
	"CREATE INDEX CONCURRENTLY i ON t (x);\n--rollback DROP INDEX i;\n"
	"--changeset ann:2 dbms:!postgresql\nSELECT 1 FROM dual;\n"
	"--changeset ann:3 endDelimiter:GO\nSELECT 1\nGO\n--rollback not required\n"},
	{"more/b.sql", "--liquibase formatted sql\n--changeset bo:x runOnChange:true\nCREATE OR REPLACE VIEW v AS SELECT 1;\n"},
	{"more/a/c.sql", "CREATE TABLE plain (id int);\n"},
	{NULL, NULL}
};

static void
test_liquibase_read(void)
{
	int			n;
	Migration **m = read_set(lb_set, SM_FMT_LIQUIBASE, &n);

	REQUIRE(n == 4);
	CHECK_STR(m[0]->revision, "a.1.ann");
	CHECK_STR(m[0]->tool_key, "a.sql::1::ann");
	CHECK(!m[0]->transactional);
	CHECK_STR(m[0]->down_sql, "DROP INDEX i;");
	CHECK_STR(m[1]->revision, "a.3.ann");
	CHECK_STR(m[1]->up_sql, "SELECT 1\n;");	/* the GO line */
	CHECK(m[1]->has_down && m[1]->down_sql[0] == '\0');
	/* includeAll sorts by path: more/a/c.sql before more/b.sql */
	CHECK_STR(m[2]->revision, "c.raw.includeAll");
	CHECK_STR(m[2]->parents[0], "a.3.ann");
	CHECK(!m[2]->has_down);
	/* runOnChange keeps its place in the changelog, as Liquibase runs it */
	CHECK(!m[3]->repeatable);
	CHECK_STR(m[3]->parents[0], "c.raw.includeAll");
	CHECK_STR(m[3]->tool_key, "more/b.sql::x::bo");
}

static const MemFile lb_bad[] = {
	{"a.sql", "--liquibase formatted sql\n--changeset ann:1 runAlways:true\nSELECT 1;\n"},
	{NULL, NULL}
};

/* gobii-db's "tag:" is ignored, as Liquibase ignores it; a misspelling is not */
static const MemFile lb_unknown[] = {
	{"a.sql", "--liquibase formatted sql\n--changeset ann:1 tag:version_1.1 runInTransaction:false\nSELECT 1;\n"},
	{NULL, NULL}
};
static const MemFile lb_misspelt[] = {
	{"a.sql", "--liquibase formatted sql\n--changeset ann:1\nSELECT 1;\n--changeset ann:2 splitStatement:false\nSELECT 2;\n"},
	{NULL, NULL}
};

static void
test_liquibase_refuses(void)
{
	int			n;
	Migration **m;

	EXPECT_ERR(SM_ERR_MALFORMED, read_set(lb_bad, SM_FMT_LIQUIBASE, &n),
			   "\"runAlways\"", "a.sql", "line 2");
	m = read_set(lb_unknown, SM_FMT_LIQUIBASE, &n);
	CHECK(n == 1);
	CHECK(!m[0]->transactional);
	EXPECT_ERR(SM_ERR_MALFORMED, read_set(lb_misspelt, SM_FMT_LIQUIBASE, &n),
			   "\"splitStatement\" looks like a misspelling of \"splitStatements\"", "a.sql", "line 4");
}

/* graphile-migrate 1.4 committed these (fmt_graphile's first two files) */
static const MemFile gm_set[] = {
	{"committed/000001-a.sql", "--! Previous: -\n--! Hash: sha1:PLACEHOLDER\n\nselect 1;\n"},
	{"current.sql", "\n"},
	{NULL, NULL}
};

static void
test_graphile_hash(void)
{
	int			n;
	char		h[41];
	MemFile		files[3];
	char	   *text;
	Migration **m;

	/* sha1(trim("" + "\n" + "select 1;") + "\n") */
	fmt_sha1_hex("select 1;\n", 10, h);
	text = fmt("--! Previous: -\n--! Hash: sha1:%s\n--! Message: a\n\n--! no-transaction\nselect 1;\n", h);
	memcpy(files, gm_set, sizeof(files));
	files[0].text = fmt("--! Previous: -\n--! Hash: sha1:%s\n\nselect 1;\n", h);
	m = read_set(files, SM_FMT_GRAPHILE, &n);
	REQUIRE(n == 1);
	CHECK_STR(m[0]->revision, "000001");
	CHECK_STR(m[0]->tool_key, "000001.sql");
	CHECK(m[0]->transactional);
	/* the body starts at --! no-transaction: a different hash */
	files[0].text = text;
	EXPECT_ERR(SM_ERR_MALFORMED, read_set(files, SM_FMT_GRAPHILE, &n), "does not match", "000001-a.sql");
	files[0].text = gm_set[0].text;
	EXPECT_ERR(SM_ERR_MALFORMED, read_set(files, SM_FMT_GRAPHILE, &n), "tampered");
}

/* one committed file with a correct hash for body (trimmed, no Previous) */
static char *
gm_file(const char *body)
{
	char		h[41];
	char	   *b = fmt("%s\n", body);

	fmt_sha1_hex(b, strlen(b), h);
	return fmt("--! Previous: -\n--! Hash: sha1:%s\n\n%s\n", h, body);
}

static void
test_graphile_placeholders(void)
{
	static const char *names[] = {":VIS", ":DATABASE_NAME", ":DATABASE_OWNER"};
	static const char *values[] = {"v", "db", "own"};
	FmtPlaceholders ph = {3, names, values};
	MemFile		files[3];
	Migration **m;
	int			n;

	memcpy(files, gm_set, sizeof(files));
	placeholders = &ph;
	/* replaced everywhere, after any character; :NOPE only in comments and literals */
	files[0].text = gm_file("grant x to :DATABASE_OWNER; select 'in :DATABASE_NAME', a_:VIS, 1::INTEGER, ':NOPE', \"x:NOPE\", "
							"$f$ :NOPE $f$, :VIS2x, :VIS; -- :NOPE\n/* :NOPE /* :NOPE */ :NOPE */ select 1");
	m = read_set(files, SM_FMT_GRAPHILE, &n);
	REQUIRE(n == 1);
	CHECK_STR(m[0]->up_sql, "grant x to own; select 'in db', a_v, 1::INTEGER, ':NOPE', \"x:NOPE\", "
			  "$f$ :NOPE $f$, :VIS2x, v; -- :NOPE\n/* :NOPE /* :NOPE */ :NOPE */ select 1\n");
	/* in SQL code, a placeholder without a value: refused naming file and line */
	files[0].text = gm_file("select 1;\nselect :NOPE;");
	EXPECT_ERR(SM_ERR_MALFORMED, read_set(files, SM_FMT_GRAPHILE, &n),
			   "placeholder \":NOPE\"", "000001-a.sql", "line 5", "has no value");
	/* none given (a caller without the server's values): the built-ins too */
	placeholders = NULL;
	files[0].text = gm_file("grant x to :DATABASE_OWNER;");
	EXPECT_ERR(SM_ERR_MALFORMED, read_set(files, SM_FMT_GRAPHILE, &n), "\":DATABASE_OWNER\"", "line 4");
}

static const MemFile dz_set[] = {
	{"meta/_journal.json", "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":["
	"{\"idx\":0,\"version\":\"7\",\"when\":1700000000001,\"tag\":\"0000_a\",\"breakpoints\":true},"
	"{\"idx\":1,\"version\":\"7\",\"when\":1700000000002,\"tag\":\"0001_b\",\"breakpoints\":true}]}"},
	{"0000_a.sql", "CREATE TABLE a (id int);--> statement-breakpoint\nCREATE TABLE b (id int)--> statement-breakpoint\n"},
	{"0001_b.sql", "DROP TABLE b;"},
	{NULL, NULL}
};

/* a .sql file the journal does not list: skipped, and warned about */
static int	n_warned;
static char warned[512];

static void
collect_warning(void *arg, const char *message, const char *hint)
{
	(void) arg;
	(void) hint;
	n_warned++;
	snprintf(warned, sizeof(warned), "%s", message);
}

static void
test_drizzle_unlisted(void)
{
	MemFile		files[5];
	SmFiles		f = {NULL, mem_list, mem_read, NULL, NULL, NULL};
	Migration **m;
	int			n;

	memcpy(files, dz_set, sizeof(MemFile) * 3);
	files[3].path = "0001_stray.sql";
	files[3].text = "CREATE TABLE stray ();";
	files[4].path = NULL;
	f.env = env;
	f.warn = collect_warning;
	mem = files;
	n_warned = 0;
	m = fmt_read(&f, SM_FMT_DRIZZLE, &n);
	REQUIRE(n == 2);
	CHECK_STR(m[1]->revision, "0001_b");
	CHECK_INT(n_warned, 1);
	CHECK(strstr(warned, "\"0001_stray.sql\" is not in the journal") != NULL);
	/* without a warn callback it is skipped all the same */
	f.warn = NULL;
	m = fmt_read(&f, SM_FMT_DRIZZLE, &n);
	CHECK_INT(n, 2);
}

static void
test_drizzle(void)
{
	int			n;
	Migration **m = read_set(dz_set, SM_FMT_DRIZZLE, &n);

	REQUIRE(n == 2);
	CHECK_STR(m[0]->up_sql, "CREATE TABLE a (id int);;\nCREATE TABLE b (id int);\n");
	CHECK_STR(m[1]->tool_key, "1700000000002");
	CHECK_STR(m[1]->parents[0], "0000_a");
}

static const MemFile hs_set[] = {
	{"default/1700000000001_a/up.sql", "CREATE TABLE a ();"},
	{"default/1700000000001_a/down.sql", "DROP TABLE a;"},
	{"default/1700000000002_b/up.sql", ""},
	{"default/1700000000002_b/down.sql", ""},
	{"default/1700000000003_c/up.yaml", "- type: run_sql\n"},
	{NULL, NULL}
};

static void
test_hasura(void)
{
	int			n;

	EXPECT_ERR(SM_ERR_MALFORMED, read_set(hs_set, SM_FMT_HASURA, &n),
			   "default/1700000000003_c/up.yaml", "YAML");
}

const UnitCase formats_b_cases[] = {
	{"digests: MD5 and SHA-1 test vectors", test_digests},
	{"liquibase: 9: checksum as Liquibase 4.28 wrote it", test_liquibase_checksum},
	{"liquibase: YAML master, includeAll order, attributes, raw SQL", test_liquibase_read},
	{"liquibase: runAlways refused by name", test_liquibase_refuses},
	{"graphile-migrate: hash as graphile-migrate computes it", test_graphile_hash},
	{"graphile-migrate: placeholders replaced as graphile-migrate does, refused only in code", test_graphile_placeholders},
	{"drizzle: journal order, breakpoints, tool key", test_drizzle},
	{"drizzle: a file the journal does not list is skipped with a warning", test_drizzle_unlisted},
	{"hasura: up.yaml refused", test_hasura},
	{NULL, NULL}
};
