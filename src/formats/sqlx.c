/*-------------------------------------------------------------------------
 *
 * sqlx.c
 *	  sqlx sets: {version}_{description}.sql (up only), or
 *	  {version}_{description}.up.sql with {version}_{description}.down.sql.
 *
 * As sqlx-core's migrate::source resolves them: a file is a migration
 * when its name splits at the first "_" into two parts and the second
 * ends in ".sql" (other files are left out); the first part must parse as
 * an i64 ("error parsing migration filename"); the description is the
 * second part without its suffix, "_" read as a blank.  Migrations run in
 * version order.  A file whose text starts with "-- no-transaction" runs
 * outside a transaction.  The revision id is the version as sqlx records
 * it in _sqlx_migrations (an integer: no leading zeros).
 *
 * A sqlx folder needs no marker, so one without "-- no-transaction" is
 * read by the native reader (simple files) or the golang-migrate one
 * (reversible files), which read such files as sqlx does; sm_adopt('sqlx')
 * works on either.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_a.h"

#include <string.h>

typedef struct SxVersion
{
	char	   *version;
	const char *up;				/* simple or reversible up file */
	const char *down;
	const char *desc;
	size_t		desc_len;
} SxVersion;

static bool
starts_no_tx(const char *raw)
{
	return strncmp(raw, "-- no-transaction", 17) == 0;
}

static char *
parse_version(const SmEnv *env, const char *nm, size_t us)
{
	size_t		d = fmt_digits(nm);

	if (d != us || d == 0 ||
		fmt_cmp_digits(nm, d, "9223372036854775807", 19) > 0)
		sm_fail(env, SM_ERR_MALFORMED, nm, 0, NULL,
				"sqlx migration names start with an integer version: 20240101000000_create_users.sql.",
				"error parsing migration filename \"%s\"; expected integer version prefix (e.g. `01_foo.sql`)",
				nm);
	return fmt_strip_zeros(env, nm, d);
}

static Migration *
make(const SmFiles *f, const SxVersion *v)
{
	const SmEnv *env = f->env;
	size_t		rl,
				len;
	const char *raw;
	Migration  *m;

	if (v->up == NULL)
		sm_fail(env, SM_ERR_MALFORMED, v->down, 0, NULL,
				"Add the .up.sql file, or remove the .down.sql file.",
				"sqlx file \"%s\" has no matching up file", v->down);
	fmt_check_revision(env, v->up, v->version);
	m = fmt_new_migration(env, v->up, v->version,
						  fmt_message(env, v->up, v->desc, v->desc_len));
	m->format = "sqlx";
	raw = f->read(f->arg, v->up, &rl, false);
	m->transactional = !starts_no_tx(raw);
	m->up_sql = fa_read(f, v->up, &len);
	m->text = m->up_sql;
	m->text_len = len;
	fa_refuse_native(env, v->up, m->up_sql, "sqlx");
	if (v->down)
	{
		raw = f->read(f->arg, v->down, &rl, false);
		if (starts_no_tx(raw))
			m->transactional = false;
		m->down_sql = fa_read(f, v->down, &len);
		m->has_down = true;
		m->down_line = 1;
		m->down_file = v->down;
	}
	return m;
}

Migration **
fmt_read_sqlx(const SmFiles *f, int *n_out)
{
	const SmEnv *env = f->env;
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	SxVersion  *vs = sm_alloc(env, sizeof(SxVersion) * (n + 1));
	int			nv = 0;
	Migration **migs;

	for (int i = 0; i < n; i++)
	{
		const char *nm = ents[i].name;
		const char *us = strchr(nm, '_');
		bool		up = fmt_has_suffix(nm, ".up.sql"),
					down = fmt_has_suffix(nm, ".down.sql");
		size_t		sl = up ? 7 : down ? 9 : 4;
		char	   *ver;
		SxVersion  *v = NULL;

		if (ents[i].is_dir || us == NULL || !fmt_has_suffix(us + 1, ".sql"))
			continue;
		ver = parse_version(env, nm, us - nm);
		for (int j = 0; j < nv; j++)
			if (strcmp(vs[j].version, ver) == 0)
				v = &vs[j];
		if (v == NULL)
		{
			v = &vs[nv++];
			v->version = ver;
		}
		if (down ? v->down != NULL : v->up != NULL)
			sm_fail(env, SM_ERR_DUPLICATE, nm, 0, NULL,
					"Give each migration its own version.",
					"sqlx files \"%s\" and \"%s\" have the same version",
					down ? v->down : v->up, nm);
		if (down)
			v->down = nm;
		else
		{
			v->up = nm;
			v->desc = us + 1;
			v->desc_len = strlen(us + 1) - sl;
		}
	}
	migs = sm_alloc(env, sizeof(Migration *) * (nv + 1));
	for (int i = 0; i < nv; i++)
		migs[i] = make(f, &vs[i]);
	fa_sort_chain(env, migs, nv, "sqlx");
	*n_out = nv;
	return migs;
}
