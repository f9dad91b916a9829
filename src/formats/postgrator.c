/*-------------------------------------------------------------------------
 *
 * postgrator.c
 *	  Postgrator sets: {version}.do.{name}.sql and, optionally,
 *	  {version}.undo.{name}.sql.
 *
 * As postgrator.js reads them: the name is split at its dots into
 * version, action and name; the version is Number(version), so 001 is 1;
 * files whose version is not a number are left out, as Postgrator filters
 * them; two files with one version and action are an error.  A .js, .cjs
 * or .mjs migration (generateSql()) cannot run in the server and is
 * refused by name.  The migrations run in version order; the database's
 * version is the highest one in schemaversion.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_a.h"

#include <string.h>

typedef struct PgVersion
{
	char	   *version;		/* digits without leading zeros */
	const char *doname;
	const char *undoname;
	const char *name;			/* the third part of the do file's name */
	size_t		name_len;
} PgVersion;

static PgVersion *
find_or_add(PgVersion *vs, int *n, const char *version)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(vs[i].version, version) == 0)
			return &vs[i];
	vs[*n].version = (char *) version;
	return &vs[(*n)++];
}

static Migration *
make(const SmFiles *f, const PgVersion *v)
{
	const SmEnv *env = f->env;
	Migration  *m;
	size_t		len;

	if (v->doname == NULL)
		sm_fail(env, SM_ERR_MALFORMED, v->undoname, 0, NULL,
				"Add the do file, or remove the undo file.",
				"Postgrator file \"%s\" has no matching do file", v->undoname);
	fmt_check_revision(env, v->doname, v->version);
	m = fmt_new_migration(env, v->doname, v->version,
						  fmt_message(env, v->doname, v->name, v->name_len));
	m->format = "Postgrator";
	m->up_sql = fa_read(f, v->doname, &len);
	m->text = m->up_sql;
	m->text_len = len;
	if (v->undoname)
	{
		m->down_sql = fa_read(f, v->undoname, &len);
		m->has_down = true;
		m->down_line = 1;
		m->down_file = v->undoname;
	}
	return m;
}

Migration **
fmt_read_postgrator(const SmFiles *f, int *n_out)
{
	const SmEnv *env = f->env;
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	PgVersion  *vs = sm_alloc(env, sizeof(PgVersion) * (n + 1));
	int			nv = 0;
	Migration **migs;

	for (int i = 0; i < n; i++)
	{
		const char *nm = ents[i].name;
		size_t		d = fmt_digits(nm);
		bool		undo;
		const char *rest,
				   *dot;
		PgVersion  *v;
		const char **slot;

		if (ents[i].is_dir || d == 0 || nm[d] != '.')
			continue;			/* Number() of it is NaN: left out */
		if (!fmt_has_suffix(nm, ".sql"))
		{
			if (fmt_has_suffix(nm, ".js") || fmt_has_suffix(nm, ".cjs") ||
				fmt_has_suffix(nm, ".mjs"))
				fa_refuse_script(env, nm, "Postgrator",
								 "Write the SQL that generateSql() returns into a .sql file of the same name.");
			continue;
		}
		undo = strncmp(nm + d, ".undo.", 6) == 0;
		if (!undo && strncmp(nm + d, ".do.", 4) != 0)
			continue;			/* neither do nor undo: Postgrator never runs it */
		rest = nm + d + (undo ? 6 : 4);
		dot = strchr(rest, '.');
		v = find_or_add(vs, &nv, fmt_strip_zeros(env, nm, d));
		slot = undo ? &v->undoname : &v->doname;
		if (*slot)
			sm_fail(env, SM_ERR_DUPLICATE, nm, 0, NULL,
					"Give each migration its own version.",
					"Two migrations found with version %s and action %s: \"%s\" and \"%s\"",
					v->version, undo ? "undo" : "do", *slot, nm);
		*slot = nm;
		if (!undo)
		{
			v->name = rest;
			v->name_len = dot ? (size_t) (dot - rest) : 0;
		}
	}
	migs = sm_alloc(env, sizeof(Migration *) * (nv + 1));
	for (int i = 0; i < nv; i++)
		migs[i] = make(f, &vs[i]);
	fa_sort_chain(env, migs, nv, "Postgrator");
	*n_out = nv;
	return migs;
}
