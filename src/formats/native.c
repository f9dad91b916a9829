/*-------------------------------------------------------------------------
 *
 * native.c
 *	  schema_migrate's own format: every *.sql file of the set, parsed by
 *	  the native parser (migration_parser.c).
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/fmt_common.h"

#include <string.h>

Migration **
fmt_read_native(const SmFiles *f, int *n_out)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	FmtList		l = {0};

	for (int i = 0; i < n; i++)
	{
		const char *text;
		size_t		len;
		Migration  *m;

		/* a directory named x.sql is read too, and refused as not a file */
		if (!fmt_has_suffix(ents[i].name, ".sql") || strlen(ents[i].name) <= 4)
			continue;
		text = f->read(f->arg, ents[i].name, &len, false);
		m = mig_parse(f->env, ents[i].name, text, len);
		m->format = "native";
		fmt_push(f->env, &l, m);
	}
	*n_out = l.n;
	return l.items;
}
