/*-------------------------------------------------------------------------
 *
 * supabase.c
 *	  Supabase CLI sets: the supabase/ project folder (config.toml,
 *	  migrations/<version>_<name>.sql, seed.sql), or a folder holding it.
 *
 * As the CLI reads supabase/migrations: files matching
 * ^([0-9]+)_(.*)\.sql$ in name order; others are skipped, as "supabase
 * migration up" skips them with a warning, and so is a first file
 * <timestamp>_init.sql from before 2021-12-09 (a schema dump of old CLIs,
 * skipped by the CLI's shouldSkip).  The version is the digits as
 * written (schema_migrations.version is text).  seed.sql, which the CLI
 * runs after the migrations on "supabase db reset", is a repeatable
 * migration here: it runs after them, and again whenever it changes.
 * Supabase has no down migrations.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_a.h"

#include <string.h>

Migration **
fmt_read_supabase(const SmFiles *f, int *n_out)
{
	const SmEnv *env = f->env;
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	const char *base = "";
	char	   *mdir;
	char	   *seed;
	FmtList		l = {0};
	size_t		len;

	for (int i = 0; i < n; i++)
		if (ents[i].is_dir && strcmp(ents[i].name, "supabase") == 0)
			base = "supabase";
	mdir = fmt_path(env, base, "migrations");
	n = f->list(f->arg, mdir, &ents);
	for (int i = 0; i < n; i++)
	{
		const char *nm = ents[i].name;
		size_t		d = fmt_digits(nm);
		char	   *path;
		Migration  *m;

		if (ents[i].is_dir || d == 0 || nm[d] != '_' || !fmt_has_suffix(nm, ".sql"))
			continue;
		/*
		 * The CLI skips a first entry <timestamp>_init.sql older than
		 * 20211209000000: the schema dump earlier CLIs wrote there.
		 */
		if (i == 0 && d == 14 && strcmp(nm + 14, "_init.sql") == 0 &&
			fmt_cmp_digits(nm, 14, "20211209000000", 14) < 0)
			continue;
		path = fmt_path(env, mdir, nm);
		m = fmt_new_migration(env, path, sm_strndup(env, nm, d),
							  fmt_message(env, path, nm + d + 1, strlen(nm) - d - 5));
		fmt_check_revision(env, path, m->revision);
		m->format = "Supabase CLI";
		m->up_sql = fa_read(f, path, &len);
		m->text = m->up_sql;
		m->text_len = len;
		if (l.n > 0 && strcmp(l.items[l.n - 1]->revision, m->revision) == 0)
			sm_fail(env, SM_ERR_DUPLICATE, path, 0, NULL,
					"Give each migration its own timestamp (supabase migration new).",
					"Supabase files \"%s\" and \"%s\" have the same version",
					l.items[l.n - 1]->file, path);
		fmt_push(env, &l, m);
	}
	fmt_chain(env, l.items, l.n);
	seed = fmt_path(env, base, "seed.sql");
	if (f->read(f->arg, seed, &len, true) != NULL)
	{
		Migration  *m = fmt_new_migration(env, seed, "seed", "seed data");

		m->format = "Supabase CLI";
		m->repeatable = true;
		m->up_sql = fa_read(f, seed, &len);
		m->text = m->up_sql;
		m->text_len = len;
		fmt_push(env, &l, m);
	}
	*n_out = l.n;
	return l.items;
}
