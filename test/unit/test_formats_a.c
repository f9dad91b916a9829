/*
 * test_formats_a.c
 *	  Unit tests of the sqlx, Prisma, Atlas, tern, node-pg-migrate,
 *	  Postgrator and Supabase adapters (issue 16, part A), on sets held in
 *	  memory: detection, order, sections, atlas.sum, refusals.
 */
#include "unit.h"

#include "formats/formats_a.h"

typedef struct MemFile
{
	const char *path;			/* "dir/name"; a trailing "/" makes a directory */
	const char *text;
} MemFile;

static const MemFile *mem;

static int
mem_list(void *arg, const char *dir, SmDirEntry **out)
{
	size_t		dl = strlen(dir);
	SmDirEntry *e = env->alloc(env->arg, sizeof(SmDirEntry) * 64);
	int			n = 0;

	(void) arg;
	for (const MemFile *m = mem; m->path; m++)
	{
		const char *rest;
		const char *slash;
		char	   *name;

		if (dl && (strncmp(m->path, dir, dl) != 0 || m->path[dl] != '/'))
			continue;
		rest = m->path + (dl ? dl + 1 : 0);
		slash = strchr(rest, '/');
		name = env->alloc(env->arg, strlen(rest) + 1);
		memcpy(name, rest, slash ? (size_t) (slash - rest) : strlen(rest));
		for (int i = 0; i < n; i++)
			if (strcmp(e[i].name, name) == 0)
				goto next;
		e[n].name = name;
		e[n].is_dir = slash != NULL;
		n++;
next:	;
	}
	/* sorted by name, as the server's reader sorts */
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
		sm_fail(env, SM_ERR_MALFORMED, path, 0, NULL, NULL, "no file %s", path);
	return NULL;
}

static const SmFiles files = {NULL, mem_list, mem_read, NULL, NULL, NULL};

static Migration **
read_set(const MemFile *set, SmFormat want, int *n)
{
	SmFiles		f = files;
	SmFormat	got;

	f.env = env;
	mem = set;
	got = fmt_detect(&f);
	CHECK_STR(fmt_name(got), fmt_name(want));
	return fmt_read(&f, got, n);
}

static void
t_sha256(void)
{
	unsigned char d[32];
	char		hex[65];
	static const char abc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	static const char a1000[] = "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3";
	char		thousand[1001];

	fa_sha256((const unsigned char *) "abc", 3, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	CHECK_STR(hex, abc);
	memset(thousand, 'a', 1000);
	fa_sha256((const unsigned char *) thousand, 1000, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	CHECK_STR(hex, a1000);
}

/* atlas.sum as Python's hashlib computes Atlas's algorithm for these files */
static const MemFile atlas_ok[] = {
	{"1_a.sql", "CREATE TABLE t (id int);\n"},
	{"2_b.sql", "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t (id);\n"},
	{"atlas.sum", "h1:JKdHfFwLqa/NB7SXJDFv/mR/0JA1VyBwh7rbahj+iHU=\n"
		"1_a.sql h1:RyL1nDQ6LvKjltyMld6lIILdIMAYseO5LygOKjzFtaU=\n"
	"2_b.sql h1:wh9tmWUS3H8kbisyW0NBAXXM5ue37q2NtgvFykDGmAM=\n"},
	{NULL, NULL}
};

static void
t_atlas(void)
{
	int			n;
	Migration **m = read_set(atlas_ok, SM_FMT_ATLAS, &n);
	MemFile		edited[4];

	REQUIRE(n == 2);
	CHECK_STR(m[0]->revision, "1");
	CHECK_STR(m[1]->revision, "2");
	CHECK(m[0]->transactional);
	CHECK(!m[1]->transactional);
	CHECK(!m[1]->has_down);
	memcpy(edited, atlas_ok, sizeof(edited));
	edited[1].text = "CREATE INDEX i ON t (id);\n";
	EXPECT_ERR(SM_ERR_MALFORMED, read_set(edited, SM_FMT_ATLAS, &n),
			   "checksum mismatch", "2_b.sql", "edited");
	CHECK(strstr(last_err.hint, "atlas migrate hash") != NULL);
}

static const MemFile tern_set[] = {
	{"001_a.sql", "CREATE TABLE a ();\n---- create above / drop below ----\nDROP TABLE a;\n"},
	{"002_b.sql", "---- tern: disable-tx ----\nCREATE INDEX CONCURRENTLY i ON a ((1));\n"},
	{"003_c.sql", "CREATE TABLE c ();\n"},
	{"tern.conf", "[database]\n"},
	{NULL, NULL}
};

static void
t_tern(void)
{
	int			n;
	Migration **m = read_set(tern_set, SM_FMT_TERN, &n);

	REQUIRE(n == 3);
	CHECK_STR(m[0]->revision, "1");
	CHECK_STR(m[0]->up_sql, "CREATE TABLE a ();\n");
	CHECK(m[0]->has_down);
	CHECK(strstr(m[0]->down_sql, "DROP TABLE a;") != NULL);
	CHECK(!m[1]->transactional);
	CHECK(!m[1]->has_down);
	CHECK_STR(m[2]->parents[0], "2");
}

static const MemFile npm_set[] = {
	{"1704067200000_b.sql", "-- Down Migration\nDROP TABLE b;\n-- Up Migration\nCREATE TABLE b ();\n"},
	{"999_a.sql", "  --  up   MIGRATION\nCREATE TABLE a ();\n"},
	{NULL, NULL}
};

static void
t_npm(void)
{
	int			n;
	Migration **m = read_set(npm_set, SM_FMT_NODE_PG_MIGRATE, &n);

	REQUIRE(n == 2);
	/* numeric order of the prefixes: 999 before 1704067200000 */
	CHECK_STR(m[0]->revision, "999_a");
	CHECK(!m[0]->has_down);
	CHECK_STR(m[1]->revision, "1704067200000_b");
	CHECK_STR(m[1]->up_sql, "-- Up Migration\nCREATE TABLE b ();\n");
	CHECK_STR(m[1]->down_sql, "-- Down Migration\nDROP TABLE b;\n");
}

static const MemFile postgrator_set[] = {
	{"002.do.b.sql", "CREATE TABLE b ();\n"},
	{"002.undo.b.sql", "DROP TABLE b;\n"},
	{"10.do.c.sql", "CREATE TABLE c ();\n"},
	{"1.do.a.sql", "CREATE TABLE a ();\n"},
	{"notes.sql", "SELECT 1/0;\n"},
	{NULL, NULL}
};

static void
t_postgrator(void)
{
	int			n;
	Migration **m = read_set(postgrator_set, SM_FMT_POSTGRATOR, &n);

	REQUIRE(n == 3);
	CHECK_STR(m[0]->revision, "1");
	CHECK_STR(m[1]->revision, "2");
	CHECK_STR(m[1]->down_file, "002.undo.b.sql");
	CHECK_STR(m[2]->revision, "10");
}

static const MemFile sqlx_set[] = {
	{"0002_b.up.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON a ((1));\n"},
	{"0002_b.down.sql", "DROP INDEX i;\n"},
	{"1_a.up.sql", "CREATE TABLE a ();\n"},
	{"1_a.down.sql", "DROP TABLE a;\n"},
	{NULL, NULL}
};

static const MemFile prisma_bad[] = {
	{"migration_lock.toml", "# comment\nprovider = \"sqlite\"\n"},
	{"20240101000000_init/migration.sql", "CREATE TABLE a ();\n"},
	{NULL, NULL}
};

static const MemFile supabase_set[] = {
	{"supabase/config.toml", "project_id = \"x\"\n"},
	{"supabase/migrations/20211101000000_init.sql", "SELECT 1/0;\n"},
	{"supabase/migrations/20240102000000_b.sql", "CREATE TABLE b ();\n"},
	{"supabase/migrations/20240101000000_a.sql", "CREATE TABLE a ();\n"},
	{"supabase/migrations/draft.sql", "SELECT 1/0;\n"},
	{"supabase/seed.sql", "INSERT INTO a DEFAULT VALUES;\n"},
	{NULL, NULL}
};

static void
t_sqlx_prisma_supabase(void)
{
	int			n;
	Migration **m = read_set(sqlx_set, SM_FMT_SQLX, &n);

	REQUIRE(n == 2);
	CHECK_STR(m[0]->revision, "1");
	CHECK(m[0]->transactional);
	CHECK_STR(m[1]->revision, "2");
	CHECK(!m[1]->transactional);
	CHECK_STR(m[1]->message, "b");

	EXPECT_ERR(SM_ERR_MALFORMED, read_set(prisma_bad, SM_FMT_PRISMA, &n),
			   "migration_lock.toml", "sqlite");

	m = read_set(supabase_set, SM_FMT_SUPABASE, &n);
	REQUIRE(n == 3);
	CHECK_STR(m[0]->revision, "20240101000000");
	CHECK_STR(m[1]->file, "supabase/migrations/20240102000000_b.sql");
	CHECK(m[2]->repeatable);
	CHECK_STR(m[2]->file, "supabase/seed.sql");
}

const UnitCase formats_a_cases[] = {
	{"formats-a: SHA-256 vectors", t_sha256},
	{"formats-a: Atlas and atlas.sum", t_atlas},
	{"formats-a: tern", t_tern},
	{"formats-a: node-pg-migrate sections and order", t_npm},
	{"formats-a: Postgrator", t_postgrator},
	{"formats-a: sqlx, Prisma, Supabase", t_sqlx_prisma_supabase},
	{NULL, NULL}
};
