/*-------------------------------------------------------------------------
 *
 * tern.c
 *	  tern sets: NNN_name.sql, the down below a line
 *	  "---- create above / drop below ----", "---- tern: disable-tx ----"
 *	  for a migration that runs outside a transaction.
 *
 * As tern 2's FindMigrations: files matching \A(\d+)_.+\.sql\z are put at
 * the place their number says, which must be 1, 2, 3, ... with no gap
 * ("Duplicate migration N", "Missing migration N"); schema_version holds
 * the number of the last one applied.  The split is at the first
 * occurrence of the marker, as strings.SplitN does; a migration without a
 * down cannot be rolled back (tern's ErrIrreversible).  Each file is a Go
 * template in tern; "{{" is refused, since templates (and the shared
 * files they include) are not expanded here.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_a.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TERN_SPLIT "---- create above / drop below ----"
#define TERN_NOTX "---- tern: disable-tx ----"

/* Is there SQL, not only blank lines and "--" comments, in [p, e)? */
static bool
has_sql(const char *p, const char *e)
{
	const char *cur = p,
			   *ls,
			   *le;

	while (fmt_next_line(e, &cur, &ls, &le))
	{
		while (ls < le && (*ls == ' ' || *ls == '\t' || *ls == '\r'))
			ls++;
		if (ls < le && !(le - ls >= 2 && ls[0] == '-' && ls[1] == '-'))
			return true;
	}
	return false;
}

static bool
has_notx_line(const char *text)
{
	for (const char *p = strstr(text, TERN_NOTX); p; p = strstr(p + 1, TERN_NOTX))
		if ((p == text || p[-1] == '\n') &&
			(p[strlen(TERN_NOTX)] == '\0' || p[strlen(TERN_NOTX)] == '\n'))
			return true;
	return false;
}

static Migration *
parse_file(const SmFiles *f, const char *nm, const char *rev)
{
	const SmEnv *env = f->env;
	size_t		len,
				d = fmt_digits(nm);
	char	   *text = fa_read(f, nm, &len);
	const char *split = strstr(text, TERN_SPLIT),
			   *tmpl = strstr(text, "{{"),
			   *end = text + len;
	Migration  *m = fmt_new_migration(env, nm, (char *) rev,
									  fmt_message(env, nm, nm + d + 1, strlen(nm) - d - 5));

	m->format = "tern";
	m->text = text;
	m->text_len = len;
	fa_refuse_native(env, nm, text, "tern");
	if (tmpl)
		sm_fail(env, SM_ERR_MALFORMED, nm, fa_line_of(text, tmpl),
				"tern expands each migration as a Go text/template; schema_migrate does not.",
				"Write the SQL the template expands to into the file itself: schema_migrate reads neither templates nor the shared files they include.",
				"tern template in file \"%s\" line %d", nm, fa_line_of(text, tmpl));
	m->up_sql = sm_strndup(env, text, (split ? split : end) - text);
	if (!has_sql(m->up_sql, m->up_sql + strlen(m->up_sql)))
		sm_fail(env, SM_ERR_MALFORMED, nm, 0, NULL,
				"Write the migration's SQL above \"" TERN_SPLIT "\".",
				"no sql in forward migration step in file \"%s\"", nm);
	if (split)
	{
		const char *down = split + strlen(TERN_SPLIT);

		/* tern trims the down part; an empty one is no down */
		if (has_sql(down, end))
		{
			m->has_down = true;
			m->down_sql = sm_strndup(env, down, end - down);
			m->down_line = fa_line_of(text, down);
		}
	}
	/* tern's DisableTx() looks at the up part only, for both directions */
	m->transactional = !has_notx_line(m->up_sql);
	return m;
}

Migration **
fmt_read_tern(const SmFiles *f, int *n_out)
{
	const SmEnv *env = f->env;
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	Migration **slots = sm_alloc(env, sizeof(Migration *) * (n + 1));
	int			top = 0;

	for (int i = 0; i < n; i++)
	{
		const char *nm = ents[i].name;
		size_t		d = fa_numbered_sql(nm);
		char	   *rev;
		long		k;

		if (ents[i].is_dir || d == 0)
			continue;
		rev = fmt_strip_zeros(env, nm, d);
		k = strlen(rev) <= 10 ? strtol(rev, NULL, 10) : -1;
		if (k < 1 || k > 2147483647L)
			sm_fail(env, SM_ERR_MALFORMED, nm, 0, NULL,
					"tern numbers migrations 1, 2, 3, ... as 32-bit integers.",
					"tern migration number of \"%s\" is out of range", nm);
		/* more numbers than files: a gap, reported below as tern does */
		if (k > n)
			sm_fail(env, SM_ERR_MALFORMED, nm, 0,
					"tern numbers the migrations 1, 2, 3, ... with no gap.",
					"Number the migrations 1, 2, 3, ... with no gap.",
					"Missing migration %d (before file \"%s\")", top + 1, nm);
		if (slots[k - 1])
			sm_fail(env, SM_ERR_DUPLICATE, nm, 0, NULL,
					"Give each migration its own number.",
					"Duplicate migration %ld (files \"%s\" and \"%s\")",
					k, slots[k - 1]->file, nm);
		slots[k - 1] = parse_file(f, nm, rev);
		if (k > top)
			top = (int) k;
	}
	for (int i = 0; i < top; i++)
		if (slots[i] == NULL)
			sm_fail(env, SM_ERR_MALFORMED, slots[top - 1]->file, 0,
					"tern numbers the migrations 1, 2, 3, ... with no gap.",
					"Number the migrations 1, 2, 3, ... with no gap.",
					"Missing migration %d (before file \"%s\")", i + 1,
					slots[top - 1]->file);
	fmt_chain(env, slots, top);
	*n_out = top;
	return slots;
}
