/*-------------------------------------------------------------------------
 *
 * detect_b.c
 *	  Which top-level entries of a set belong to Liquibase, graphile-migrate,
 *	  Hasura or Drizzle Kit (called by fmt_detect in formats.c).
 *
 * Each test looks for what the tool itself requires, so that a folder of
 * another tool never matches by accident:
 *	 - Drizzle: "meta/_journal.json" (drizzle-orm's migrator reads nothing
 *	   else first); the folder's *.sql files are then its migrations;
 *	 - graphile-migrate: a "committed" directory (the set is the migrations
 *	   folder), or *.sql files starting "--! Previous:" (the set is the
 *	   committed folder itself);
 *	 - Liquibase: a *.sql file whose first non-blank line is
 *	   "--liquibase formatted sql" (Liquibase's own test), or a master
 *	   changelog (*.xml, *.yaml, *.yml holding "databaseChangeLog");
 *	 - Hasura: "<version>_<name>" directories holding up.sql, down.sql,
 *	   up.yaml or down.yaml (config v2, the set is the migrations folder),
 *	   or a directory of such directories (config v3, the database folder).
 *	   diesel uses the same shape; Hasura's CLI names them after the time
 *	   in milliseconds (13 digits; nanoseconds, 19, in old projects),
 *	   diesel after the date (14 digits or dashed, or any version written
 *	   by hand) and diesel may add metadata.toml, which decides.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_b.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool
has_file(const SmFiles *f, const char *dir, const char *file)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, dir, &ents);

	for (int i = 0; i < n; i++)
		if (!ents[i].is_dir && strcmp(ents[i].name, file) == 0)
			return true;
	return false;
}

int
fmt_b_line_of(const char *text, const char *p)
{
	int			line = 1;

	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

/* First non-blank line, as Liquibase's FIRST_LINE_PATTERN wants it. */
static bool
is_liquibase_sql(const char *text)
{
	const char *p = text;

	while (*p && isspace((unsigned char) *p))
		p++;
	if (strncmp(p, "--", 2) != 0)
		return false;
	p += 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "liquibase", 9) != 0)
		return false;
	p += 9;
	while (*p == ' ' || *p == '\t')
		p++;
	return strncasecmp(p, "formatted", 9) == 0;
}

/* A Hasura migration directory "<digits>_<name>" (dir is its path). */
bool
fmt_hasura_dir(const SmFiles *f, const char *dir, const char *name)
{
	size_t		d = fmt_digits(name);
	bool		yaml,
				sql;

	if (d == 0 || name[d] != '_')
		return false;
	yaml = has_file(f, dir, "up.yaml") || has_file(f, dir, "down.yaml");
	sql = has_file(f, dir, "up.sql") || has_file(f, dir, "down.sql");
	if (yaml)
		return true;
	return sql && (d == 13 || d >= 16) && !has_file(f, dir, "metadata.toml");
}

static bool
is_hasura_database_dir(const SmFiles *f, const char *dir)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, dir, &ents);

	if (has_file(f, dir, "up.sql"))
		return false;
	for (int i = 0; i < n; i++)
		if (ents[i].is_dir &&
			fmt_hasura_dir(f, fmt_path(f->env, dir, ents[i].name), ents[i].name))
			return true;
	return false;
}

int
fmt_classify_b(const SmFiles *f, const SmDirEntry *e, bool *owns_sql)
{
	const char *name = e->name;

	if (e->is_dir)
	{
		if (strcmp(name, "meta") == 0 && has_file(f, "meta", "_journal.json"))
			return *owns_sql = true, SM_FMT_DRIZZLE;
		if (strcmp(name, "committed") == 0)
			return *owns_sql = true, SM_FMT_GRAPHILE;
		if (fmt_hasura_dir(f, name, name) || is_hasura_database_dir(f, name))
			return *owns_sql = true, SM_FMT_HASURA;
		return -1;
	}
	if (fmt_has_suffix(name, ".sql") && strlen(name) > 4)
	{
		size_t		len;
		const char *text = f->read(f->arg, name, &len, false);

		if (is_liquibase_sql(text))
			return SM_FMT_LIQUIBASE;
		if (strncmp(text, "--! Previous:", 13) == 0)
			return SM_FMT_GRAPHILE;
		return -1;
	}
	if (fmt_has_suffix(name, ".xml") || fmt_has_suffix(name, ".yaml") ||
		fmt_has_suffix(name, ".yml"))
	{
		size_t		len;
		const char *text = f->read(f->arg, name, &len, false);

		if (strstr(text, "databaseChangeLog"))
			return *owns_sql = true, SM_FMT_LIQUIBASE;
	}
	return -1;
}
