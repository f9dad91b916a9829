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
#include "formats/formats.h"

#include <stdlib.h>
#include <string.h>

typedef struct GmVersion
{
	const char *digits;			/* points into the up or down name */
	size_t		ndigits;
	const char *title;			/* title part of the first file seen */
	size_t		title_len;
	const char *up;
	const char *down;
} GmVersion;

static int
cmp_version(const void *a, const void *b)
{
	const GmVersion *x = a;
	const GmVersion *y = b;

	return fmt_cmp_digits(x->digits, x->ndigits, y->digits, y->ndigits);
}

static GmVersion *
find_version(GmVersion *vs, int n, const char *digits, size_t nd)
{
	for (int i = 0; i < n; i++)
		if (fmt_cmp_digits(vs[i].digits, vs[i].ndigits, digits, nd) == 0)
			return &vs[i];
	return NULL;
}

/* Record one file in its version, refusing duplicates and mismatches. */
static int
add_file(const SmEnv *env, GmVersion *vs, int n, const char *name)
{
	size_t		nd = fmt_digits(name);
	bool		up = fmt_has_suffix(name, ".up.sql");
	const char *title = name + nd + 1;
	size_t		tl = strlen(title) - (up ? 7 : 9);
	GmVersion  *v = find_version(vs, n, name, nd);
	const char **slot;

	if (v == NULL)
	{
		v = &vs[n++];
		v->digits = name;
		v->ndigits = nd;
		v->title = title;
		v->title_len = tl;
	}
	else if (up)
	{
		/* the message comes from the up file's title */
		v->title = title;
		v->title_len = tl;
	}
	slot = up ? &v->up : &v->down;
	if (*slot)
		sm_fail(env, SM_ERR_DUPLICATE, name, 0, NULL,
				"Give each migration its own version number.",
				"golang-migrate files \"%s\" and \"%s\" have the same version",
				*slot, name);
	*slot = name;
	return n;
}

static Migration *
make_migration(const SmFiles *f, const GmVersion *v)
{
	const SmEnv *env = f->env;
	char	   *rev = fmt_strip_zeros(env, v->digits, v->ndigits);
	Migration  *m;
	const char *raw;
	size_t		len;
	const char *file = v->up ? v->up : v->down;

	fmt_check_revision(env, file, rev);
	m = fmt_new_migration(env, file, rev,
						  fmt_message(env, file, v->title, v->title_len));
	m->format = "golang-migrate";
	if (v->up)
	{
		raw = f->read(f->arg, v->up, &len, false);
		m->up_sql = sm_normalise(env, raw, len, &m->text_len);
	}
	m->text = m->up_sql;		/* a down file alone: up is empty */
	if (v->down)
	{
		raw = f->read(f->arg, v->down, &len, false);
		m->down_sql = sm_normalise(env, raw, len, &len);
		m->has_down = true;
		m->down_line = 1;
		m->down_file = v->down;
	}
	return m;
}

Migration **
fmt_read_golang_migrate(const SmFiles *f, int *n_out)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	GmVersion  *vs = sm_alloc(f->env, sizeof(GmVersion) * (n + 1));
	int			nv = 0;
	Migration **migs;

	for (int i = 0; i < n; i++)
		if (!ents[i].is_dir && fmt_has_suffix(ents[i].name, ".sql"))
			nv = add_file(f->env, vs, nv, ents[i].name);
	qsort(vs, nv, sizeof(GmVersion), cmp_version);
	migs = sm_alloc(f->env, sizeof(Migration *) * (nv + 1));
	for (int i = 0; i < nv; i++)
		migs[i] = make_migration(f, &vs[i]);
	fmt_chain(f->env, migs, nv);
	*n_out = nv;
	return migs;
}
