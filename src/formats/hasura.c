/*-------------------------------------------------------------------------
 *
 * hasura.c
 *	  Hasura CLI migration folders: "<version>_<name>/up.sql" and
 *	  "down.sql", in the migrations folder (config v2) or in its database
 *	  folder "migrations/<database>/" (config v3).
 *
 * As the CLI reads them (cli/migrate/source/file.Scan and Parse): each
 * directory's files are named "<dir>.<file>" and matched against
 * ^([0-9]+)_(.*)\.(up|down)\.(sql|yaml)$, so only up.sql, down.sql,
 * up.yaml and down.yaml count and other files are ignored; a file of zero
 * bytes is skipped; the version is a uint64 and orders the migrations.
 * The revision id is the version as written (hdb_catalog.schema_migrations
 * stores it as a bigint, so "0012" would not match: such names are
 * refused).  up.yaml / down.yaml hold metadata API calls of config v1,
 * which only a Hasura server can run: they are refused by name.  Hasura
 * runs each file through run_sql, in a transaction.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_b.h"

#include <stdlib.h>
#include <string.h>

/* The folder holding the migration directories: "" or "<database>". */
static const char *
migrations_dir(const SmFiles *f)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	const char *db = NULL;

	for (int i = 0; i < n; i++)
	{
		if (!ents[i].is_dir)
			continue;
		if (fmt_hasura_dir(f, ents[i].name, ents[i].name))
			return "";
	}
	for (int i = 0; i < n; i++)
	{
		if (!ents[i].is_dir)
			continue;
		if (db)
			sm_fail(f->env, SM_ERR_MALFORMED, ents[i].name, 0, NULL,
					"A set is one database's migrations: point schema_migrate.path at migrations/<database> of one database, or give each database its own set.",
					"Hasura migrations folder has more than one database folder: \"%s\" and \"%s\"",
					db, ents[i].name);
		db = ents[i].name;
	}
	return db ? db : "";
}

/* The text of dir/file, or NULL when absent or of zero bytes. */
static const char *
read_part(const SmFiles *f, const char *path, size_t *len)
{
	const char *t = f->read(f->arg, path, len, true);

	return t && *len > 0 ? t : NULL;
}

static Migration *
read_dir(const SmFiles *f, const char *top, const char *name)
{
	const SmEnv *env = f->env;
	const char *dir = fmt_path(env, top, name);
	const char *yaml[2] = {"up.yaml", "down.yaml"};
	size_t		d = fmt_digits(name),
				len,
				dlen;
	const char *up,
			   *down;
	char	   *upf = fmt_path(env, dir, "up.sql");
	Migration  *m;

	for (int i = 0; i < 2; i++)
	{
		char	   *p = fmt_path(env, dir, yaml[i]);

		if (read_part(f, p, &len))
			sm_fail(env, SM_ERR_MALFORMED, p, 0, NULL,
					"up.yaml and down.yaml hold Hasura metadata API calls (config v1), which only a Hasura server runs: upgrade the project with hasura scripts update-project-v2, which turns them into SQL and metadata.",
					"Hasura migration \"%s\" is YAML, not SQL", p);
	}
	up = read_part(f, upf, &len);
	down = read_part(f, fmt_path(env, dir, "down.sql"), &dlen);
	if (!up && !down)
		return NULL;			/* Hasura skips empty files */
	if (!up)
		sm_fail(env, SM_ERR_MALFORMED, upf, 0, NULL,
				"Write the migration's SQL into up.sql.",
				"Hasura migration \"%s\" has a down.sql but no up.sql", dir);
	if (d > 1 && name[0] == '0')
		sm_fail(env, SM_ERR_MALFORMED, upf, 0, NULL,
				"Hasura records the version as a number; rename the directory without leading zeros.",
				"Hasura migration version \"%.*s\" has leading zeros", (int) d, name);
	if (d > 20 || (d == 20 && strncmp(name, "18446744073709551615", 20) > 0))
		sm_fail(env, SM_ERR_MALFORMED, upf, 0, NULL,
				"Hasura versions are unsigned 64-bit integers.",
				"Hasura migration version \"%.*s\" is out of range", (int) d, name);
	m = fmt_new_migration(env, upf, sm_strndup(env, name, d),
						  fmt_message(env, upf, name + d + 1, strlen(name + d + 1)));
	m->format = "Hasura";
	m->text = sm_normalise(env, up, len, &m->text_len);
	m->up_sql = (char *) m->text;
	if (down)
	{
		m->has_down = true;
		m->down_sql = sm_normalise(env, down, dlen, &dlen);
		m->down_file = fmt_path(env, dir, "down.sql");
	}
	fmt_check_revision(env, upf, m->revision);
	return m;
}

static int
cmp_version(const void *a, const void *b)
{
	const Migration *x = *(Migration *const *) a;
	const Migration *y = *(Migration *const *) b;

	return fmt_cmp_digits(x->revision, strlen(x->revision),
						  y->revision, strlen(y->revision));
}

Migration **
fmt_read_hasura(const SmFiles *f, int *n_out)
{
	const char *top = migrations_dir(f);
	SmDirEntry *ents;
	int			n = f->list(f->arg, top, &ents);
	FmtList		l = {0};

	for (int i = 0; i < n; i++)
	{
		size_t		d = fmt_digits(ents[i].name);
		Migration  *m;

		if (!ents[i].is_dir || d == 0 || ents[i].name[d] != '_')
			continue;
		if ((m = read_dir(f, top, ents[i].name)) != NULL)
			fmt_push(f->env, &l, m);
	}
	if (l.n)
		qsort(l.items, l.n, sizeof(Migration *), cmp_version);
	for (int i = 1; i < l.n; i++)
		if (cmp_version(&l.items[i - 1], &l.items[i]) == 0)
			sm_fail(f->env, SM_ERR_DUPLICATE, l.items[i]->file, 0, NULL,
					"Give each migration its own version.",
					"Hasura migrations \"%s\" and \"%s\" have the same version",
					l.items[i - 1]->file, l.items[i]->file);
	fmt_chain(f->env, l.items, l.n);
	*n_out = l.n;
	return l.items;
}
