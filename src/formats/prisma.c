/*-------------------------------------------------------------------------
 *
 * prisma.c
 *	  Prisma Migrate sets: {timestamp}_{name}/migration.sql folders beside
 *	  migration_lock.toml.
 *
 * As prisma-engines lists a migrations directory: every subfolder is a
 * migration, ordered by folder name; its migration.sql is the script (a
 * folder without one is an error, as "Failed to read migration script"
 * is in Prisma); files at the top other than migration_lock.toml are left
 * out.  migration_lock.toml must name provider "postgresql": another
 * provider's SQL is not PostgreSQL's, and Prisma itself refuses the
 * switch (P3019).  Prisma has no down migrations.  The revision id is the
 * folder name, as _prisma_migrations.migration_name records it.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_a.h"

#include <string.h>

/* The value of `provider = "..."` in migration_lock.toml, or NULL. */
static char *
lock_provider(const SmEnv *env, const char *text)
{
	const char *end = text + strlen(text),
			   *cur = text,
			   *ls,
			   *le;

	while (fmt_next_line(end, &cur, &ls, &le))
	{
		const char *q;

		while (ls < le && (*ls == ' ' || *ls == '\t'))
			ls++;
		if (le - ls < 8 || strncmp(ls, "provider", 8) != 0)
			continue;
		ls += 8;
		while (ls < le && (*ls == ' ' || *ls == '\t'))
			ls++;
		if (ls >= le || *ls != '=')
			continue;
		ls++;
		while (ls < le && (*ls == ' ' || *ls == '\t'))
			ls++;
		if (ls >= le || (*ls != '"' && *ls != '\''))
			continue;
		q = memchr(ls + 1, *ls, le - ls - 1);
		if (q)
			return sm_strndup(env, ls + 1, q - ls - 1);
	}
	return NULL;
}

static void
check_lock(const SmFiles *f)
{
	size_t		len;
	const char *text = f->read(f->arg, "migration_lock.toml", &len, true);
	char	   *prov;

	if (text == NULL)
		return;					/* Prisma runs a folder without a lock file too */
	prov = lock_provider(f->env, text);
	if (prov == NULL)
		sm_fail(f->env, SM_ERR_MALFORMED, "migration_lock.toml", 0, NULL,
				"The file holds one line: provider = \"postgresql\".",
				"Prisma file \"migration_lock.toml\" names no provider");
	if (strcmp(prov, "postgresql") != 0)
		sm_fail(f->env, SM_ERR_MALFORMED, "migration_lock.toml", 0,
				"These migrations were written for another database; their SQL is not PostgreSQL's.",
				"Please remove your current migration directory and start a new migration history with prisma migrate dev. Read more: https://pris.ly/d/migrate-provider-switch",
				"The datasource provider `postgresql` does not match the one specified in the migration_lock.toml, `%s`",
				prov);
}

Migration **
fmt_read_prisma(const SmFiles *f, int *n_out)
{
	const SmEnv *env = f->env;
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	FmtList		l = {0};

	check_lock(f);
	for (int i = 0; i < n; i++)
	{
		const char *dir = ents[i].name;
		const char *us = strchr(dir, '_');
		char	   *path;
		const char *raw;
		size_t		len;
		Migration  *m;

		if (!ents[i].is_dir)
			continue;
		path = fmt_path(env, dir, "migration.sql");
		raw = f->read(f->arg, path, &len, true);
		if (raw == NULL)
			sm_fail(env, SM_ERR_MALFORMED, path, 0,
					"Prisma takes every folder of its migrations directory as a migration.",
					"Add the folder's migration.sql, or move the folder out of the migrations directory.",
					"Failed to read migration script at %s", path);
		fmt_check_revision(env, path, dir);
		m = fmt_new_migration(env, path, sm_strndup(env, dir, strlen(dir)),
							  us ? fmt_message(env, path, us + 1, strlen(us + 1)) :
							  sm_strndup(env, dir, strlen(dir)));
		m->format = "Prisma Migrate";
		m->up_sql = fa_read(f, path, &len);
		m->text = m->up_sql;
		m->text_len = len;
		fmt_push(env, &l, m);
	}
	/* list() is in strcmp order already: Prisma's order of names */
	fmt_chain(env, l.items, l.n);
	*n_out = l.n;
	return l.items;
}
