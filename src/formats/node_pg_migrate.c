/*-------------------------------------------------------------------------
 *
 * node_pg_migrate.c
 *	  node-pg-migrate sets of SQL files: {prefix}_{name}.sql with a
 *	  "-- Up Migration" section and an optional "-- Down Migration" one.
 *
 * As node-pg-migrate 9 reads its folder: every file not hidden is a
 * migration; a file whose name does not start with digits is an error
 * ("Cannot determine numeric prefix"); files are ordered by that prefix as
 * a number, then by name.  The sections start at the lines matching
 * /^\s*--[\s-]*up\s+migration/im and its down twin, each running to the
 * other marker or the end; a file with no up marker is all up, one with no
 * down marker has no down.  The migration's id is its name without ".sql",
 * as pgmigrations.name records it.  .js/.ts migrations are refused by name.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_a.h"

#include <stdlib.h>
#include <string.h>

static bool
is_script(const char *nm)
{
	static const char *const exts[] = {".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"};

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (fmt_has_suffix(nm, exts[i]))
			return true;
	return false;
}

static Migration *
parse_file(const SmFiles *f, const char *nm)
{
	const SmEnv *env = f->env;
	size_t		len,
				d = fmt_digits(nm);
	char	   *text = fa_read(f, nm, &len);
	const char *up = fa_npm_marker(text, "up"),
			   *down = fa_npm_marker(text, "down"),
			   *end = text + len,
			   *msg = nm + d + (nm[d] == '_');
	Migration  *m = fmt_new_migration(env, nm, sm_strndup(env, nm, strlen(nm) - 4),
									  fmt_message(env, nm, msg, strlen(msg) - 4));

	m->format = "node-pg-migrate";
	fmt_check_revision(env, nm, m->revision);
	fa_refuse_native(env, nm, text, "node-pg-migrate");
	m->text = text;
	m->text_len = len;
	if (up == NULL)
		up = text;
	m->up_sql = sm_strndup(env, up, (down > up ? down : end) - up);
	m->up_line = fa_line_of(text, up);
	if (down)
	{
		m->has_down = true;
		m->down_sql = sm_strndup(env, down, (up > down ? up : end) - down);
		m->down_line = fa_line_of(text, down);
	}
	return m;
}

static int
cmp_npm(const void *a, const void *b)
{
	const Migration *x = *(Migration *const *) a;
	const Migration *y = *(Migration *const *) b;
	int			c = fmt_cmp_digits(x->revision, fmt_digits(x->revision),
								   y->revision, fmt_digits(y->revision));

	return c ? c : strcmp(x->revision, y->revision);
}

Migration **
fmt_read_node_pg_migrate(const SmFiles *f, int *n_out)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	FmtList		l = {0};

	for (int i = 0; i < n; i++)
	{
		const char *nm = ents[i].name;

		if (ents[i].is_dir)
			continue;
		if (fmt_digits(nm) == 0)
			sm_fail(f->env, SM_ERR_MALFORMED, nm, 0,
					"node-pg-migrate takes every file of its folder that is not hidden as a migration.",
					"Move the file out of the migrations folder.",
					"Cannot determine numeric prefix for \"%s\"", nm);
		if (is_script(nm))
			fa_refuse_script(f->env, nm, "node-pg-migrate",
							 "Write the migration as SQL: {prefix}_{name}.sql with \"-- Up Migration\" and \"-- Down Migration\" sections (node-pg-migrate create -j sql).");
		if (!fmt_has_suffix(nm, ".sql"))
			sm_fail(f->env, SM_ERR_MALFORMED, nm, 0, NULL,
					"Move the file out of the migrations folder.",
					"node-pg-migrate file \"%s\" is neither SQL nor a script", nm);
		fmt_push(f->env, &l, parse_file(f, nm));
	}
	if (l.n > 1)
		qsort(l.items, l.n, sizeof(Migration *), cmp_npm);
	fmt_chain(f->env, l.items, l.n);
	*n_out = l.n;
	return l.items;
}
