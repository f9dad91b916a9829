/*-------------------------------------------------------------------------
 *
 * golang_migrate.c
 *	  golang-migrate sets: {version}_{title}.up.sql and, optionally,
 *	  {version}_{title}.down.sql.
 *
 * The version is compared as an integer (golang-migrate parses it as a
 * uint64), so 9 comes before 10 and 0009 is the same version as 9: that is
 * a duplicate.  The revision id is the version as golang-migrate records
 * it in schema_migrations, without leading zeros.  Each file is SQL from
 * its first line; the up file is the migration's text for the checksum.
 * golang-migrate keys files by version and direction only
 * (source/migration.go, Migrations.Append), so the up and down files of a
 * version may have different titles; and a version with only a down file
 * goes up as an empty migration (migrate.go, newMigration), so here.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/fmt_common.h"

#include <stdlib.h>
#include <string.h>

static int
cmp_pairs(const void *a, const void *b)
{
	const FmtPair *x = a;
	const FmtPair *y = b;

	return fmt_cmp_digits(x->key, x->key_len, y->key, y->key_len);
}

/* File name -> its version's pair; the up file's title names the migration. */
static void
add_file(const SmEnv *env, FmtPair *pairs, int *n, const char *name)
{
	size_t		nd = fmt_digits(name);
	bool		up = fmt_has_suffix(name, ".up.sql");
	FmtPair    *p = fmt_pair_file(env, pairs, n, name, nd, up, name,
								  fmt_cmp_digits, "golang-migrate");

	if (up || p->title == NULL)
	{
		p->title = name + nd + 1;
		p->title_len = strlen(p->title) - (up ? 7 : 9);
	}
}

static Migration *
make_migration(const SmFiles *f, const FmtPair *v)
{
	const SmEnv *env = f->env;
	char	   *rev = fmt_strip_zeros(env, v->key, v->key_len);
	const char *file = v->up ? v->up : v->down;
	Migration  *m;

	fmt_check_revision(env, file, rev);
	m = fmt_new_migration(env, file, rev,
						  fmt_message(env, file, v->title, v->title_len));
	m->format = "golang-migrate";
	fmt_read_pair(f, m, v->up, v->down);
	return m;
}

Migration **
fmt_read_golang_migrate(const SmFiles *f, int *n_out)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	FmtPair    *vs = sm_alloc(f->env, sizeof(FmtPair) * (n + 1));
	int			nv = 0;
	Migration **migs;

	for (int i = 0; i < n; i++)
		if (!ents[i].is_dir && fmt_has_suffix(ents[i].name, ".sql"))
			add_file(f->env, vs, &nv, ents[i].name);
	qsort(vs, nv, sizeof(FmtPair), cmp_pairs);
	migs = sm_alloc(f->env, sizeof(Migration *) * (nv + 1));
	for (int i = 0; i < nv; i++)
		migs[i] = make_migration(f, &vs[i]);
	fmt_chain(f->env, migs, nv);
	*n_out = nv;
	return migs;
}
