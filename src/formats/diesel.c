/*-------------------------------------------------------------------------
 *
 * diesel.c
 *	  diesel sets: one directory per migration, {version}_{name}/up.sql and
 *	  down.sql, and optionally metadata.toml.
 *
 * The version is the directory name up to the first "_" with every "-"
 * removed, as diesel records it in __diesel_schema_migrations; so
 * "2019-11-15-182353_x" (diesel's old naming) and "20191115182353_y" (its
 * new one) interleave by time.  Versions are ordered as strings, byte by
 * byte, as diesel orders them (MigrationVersion derives Ord on its string,
 * diesel/src/migration/mod.rs; migration_harness.rs sorts by it): so
 * "202401121015000000" (from 2024-01-12-101500-0000) comes before
 * "20240113000000".  The name may contain blanks.  A non-empty directory
 * without up.sql and an empty up.sql are errors, as in diesel
 * (FileBasedMigrations::from_path, run_sql_from_file).  metadata.toml's
 * "run_in_transaction = false" makes a non-transactional migration; other
 * keys are left alone.  Files are named "dir/up.sql" in messages.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/fmt_common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* "run_in_transaction = false" in a metadata.toml; true otherwise. */
static bool
run_in_transaction(const SmEnv *env, const char *file, const char *text)
{
	const char *end = text + strlen(text),
			   *cur = text,
			   *ls,
			   *le;
	bool		result = true;
	int			line = 0;

	while (fmt_next_line(end, &cur, &ls, &le))
	{
		const char *v;

		line++;
		while (ls < le && isspace((unsigned char) *ls))
			ls++;
		if (le - ls < 18 || strncmp(ls, "run_in_transaction", 18) != 0)
			continue;
		v = ls + 18;
		while (v < le && isspace((unsigned char) *v))
			v++;
		if (v >= le || *v != '=')
			continue;
		v++;
		while (v < le && isspace((unsigned char) *v))
			v++;
		while (le > v && isspace((unsigned char) le[-1]))
			le--;
		if (le - v == 5 && strncmp(v, "false", 5) == 0)
			result = false;
		else if (!(le - v == 4 && strncmp(v, "true", 4) == 0))
			sm_fail(env, SM_ERR_MALFORMED, file, line, NULL,
					"Write run_in_transaction = false or run_in_transaction = true.",
					"invalid value for run_in_transaction in file \"%s\" line %d",
					file, line);
	}
	return result;
}

/* The version of a migration directory: the part before "_", no "-". */
static char *
dir_version(const SmEnv *env, const char *dir)
{
	size_t		l = strcspn(dir, "_");
	char	   *v = sm_alloc(env, l + 1);
	size_t		o = 0;

	if (dir[l] != '_' || l == 0)
		sm_fail(env, SM_ERR_MALFORMED, dir, 0, NULL,
				"diesel names migration directories {version}_{name}, e.g. 2024-01-31-120000_create_users.",
				"invalid diesel migration directory name \"%s\"", dir);
	for (size_t i = 0; i < l; i++)
		if (dir[i] != '-')
			v[o++] = dir[i];
	v[o] = '\0';
	fmt_check_revision(env, dir, v);
	return v;
}

static Migration *
read_migration(const SmFiles *f, const char *dir)
{
	const SmEnv *env = f->env;
	char	   *up = fmt_path(env, dir, "up.sql");
	char	   *down = fmt_path(env, dir, "down.sql");
	char	   *meta = fmt_path(env, dir, "metadata.toml");
	const char *name = dir + strcspn(dir, "_") + 1;
	Migration  *m = fmt_new_migration(env, up, dir_version(env, dir),
									  fmt_message(env, dir, name, strlen(name)));
	const char *raw;
	size_t		len;

	m->format = "diesel";
	fmt_read_pair(f, m, up, down);
	if (m->text_len == 0)
		sm_fail(env, SM_ERR_MALFORMED, up, 0,
				"diesel refuses to run an empty migration file.",
				"Put the migration's SQL in it, or a comment such as \"-- nothing to do\".",
				"diesel migration file \"%s\" is empty", up);
	if ((raw = f->read(f->arg, meta, &len, true)) != NULL)
		m->transactional = run_in_transaction(env, meta, raw);
	return m;
}

static int
cmp_mig(const void *a, const void *b)
{
	const Migration *x = *(Migration *const *) a;
	const Migration *y = *(Migration *const *) b;

	return strcmp(x->revision, y->revision);
}

/* Does dir hold up.sql?  A non-empty directory without it is an error. */
static bool
has_up(const SmFiles *f, const char *dir)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, dir, &ents);

	for (int i = 0; i < n; i++)
		if (strcmp(ents[i].name, "up.sql") == 0)
			return true;
	if (n > 0)
		sm_fail(f->env, SM_ERR_MALFORMED, dir, 0,
				"diesel refuses it too: a directory of the migrations folder that is not empty must hold up.sql.",
				"Add up.sql, or move the directory out of the migration set.",
				"diesel migration directory \"%s\" has no up.sql", dir);
	return false;
}

Migration **
fmt_read_diesel(const SmFiles *f, int *n_out)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	FmtList		l = {0};

	/* an empty directory is not a migration (diesel skips it too) */
	for (int i = 0; i < n; i++)
		if (ents[i].is_dir && has_up(f, ents[i].name))
			fmt_push(f->env, &l, read_migration(f, ents[i].name));
	if (l.n)
		qsort(l.items, l.n, sizeof(Migration *), cmp_mig);
	for (int i = 1; i < l.n; i++)
		if (strcmp(l.items[i - 1]->revision, l.items[i]->revision) == 0)
			sm_fail(f->env, SM_ERR_DUPLICATE, l.items[i]->file, 0, NULL,
					"Give each migration directory its own version.",
					"diesel migrations \"%s\" and \"%s\" have the same version %s",
					l.items[i - 1]->file, l.items[i]->file, l.items[i]->revision);
	fmt_chain(f->env, l.items, l.n);
	*n_out = l.n;
	return l.items;
}
