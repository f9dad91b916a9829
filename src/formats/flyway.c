/*-------------------------------------------------------------------------
 *
 * flyway.c
 *	  Flyway sets: V{version}__{description}.sql (versioned),
 *	  U{version}__{description}.sql (the undo of that version, used as its
 *	  down section) and R__{description}.sql (repeatable).
 *
 * A version is numbers separated by "." or "_", compared part by part as
 * integers with trailing zero parts ignored, as Flyway does: 1.2 < 1.10,
 * and 1.0 is the same version as 1 (a duplicate).  The revision id is the
 * version as Flyway shows it in flyway_schema_history ("_" written as
 * "."), the message the description with "_" as blanks.  Repeatable
 * migrations get the revision id "R__{description}", stay out of the
 * version chain, and come after the versioned migrations in name order.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/fmt_common.h"

#include <stdlib.h>
#include <string.h>

typedef struct FwFile
{
	const char *name;
	char		kind;			/* 'V', 'U' or 'R' */
	char	   *version;		/* parts joined with ".", NULL for R */
	char	   *message;
} FwFile;

static void
bad_name(const SmEnv *env, const char *name, const char *why)
{
	sm_fail(env, SM_ERR_MALFORMED, name, 0, NULL,
			"Flyway names files V<version>__<description>.sql, U<version>__<description>.sql or R__<description>.sql, where the version is numbers separated by \".\" or \"_\".",
			"invalid Flyway migration file name \"%s\": %s", name, why);
}

/*
 * A Flyway SQL callback (afterMigrate.sql, afterMigrateApplied__views.sql,
 * ...; Flyway's callback/Event.java) is no migration, but Flyway runs the
 * migrate ones around every migrate: skipping them would leave out what
 * they create (often views).  Those are refused, naming the file; the ones
 * other commands fire (clean, undo, validate, ...) never run on migrate and
 * are left alone.  Returns true for a callback left alone.
 */
static bool
refuse_callback(const SmEnv *env, const char *name)
{
	char		kind = fmt_flyway_callback(name);

	if (kind == 'm')
		sm_fail(env, SM_ERR_CANNOT_RUN, name, 0,
				"Flyway runs this callback script at that event of every migrate; schema_migrate has no callbacks, and skipping it would leave out what it does.",
				"If it (re)creates views, functions or grants, rename it R__<description>.sql: a repeatable migration runs after the versioned ones whenever it changes. Otherwise move its SQL into a versioned migration.",
				"Flyway callback \"%s\" cannot run in schema_migrate", name);
	return kind == 'o';
}

/* Split a file name into kind, version and description. */
static FwFile
parse_name(const SmEnv *env, const char *name)
{
	FwFile		r = {name, name[0], NULL, NULL};
	const char *sep = strstr(name + 1, "__");
	const char *desc;
	size_t		dl;

	if (sep == NULL || (r.kind != 'V' && r.kind != 'U' && r.kind != 'R'))
		bad_name(env, name, "no \"__\" after the prefix and version");
	desc = sep + 2;
	dl = strlen(desc) - 4;		/* ".sql" */
	if (dl == 0)
		bad_name(env, name, "the description is empty");
	r.message = fmt_message(env, name, desc, dl);
	if (r.kind == 'R')
	{
		if (sep != name + 1)
			bad_name(env, name, "a repeatable migration has no version");
		return r;
	}
	if (sep == name + 1)
		bad_name(env, name, "the version is empty");
	r.version = sm_strndup(env, name + 1, sep - name - 1);
	for (char *p = r.version; *p; p++)
	{
		if (*p == '_')
			*p = '.';
		if (*p == '.' && (p == r.version || p[1] == '\0' || p[1] == '.' || p[1] == '_'))
			bad_name(env, name, "a version part is empty");
		if (*p != '.' && (*p < '0' || *p > '9'))
			bad_name(env, name, "the version contains a character other than digits, \".\" and \"_\"");
	}
	return r;
}

/* Flyway's version order: numeric parts, missing or trailing parts are 0. */
static int
cmp_versions(const char *a, const char *b)
{
	while (*a || *b)
	{
		size_t		la = strcspn(a, "."),
					lb = strcspn(b, ".");
		int			c = fmt_cmp_digits(la ? a : "0", la ? la : 1,
									   lb ? b : "0", lb ? lb : 1);

		if (c != 0)
			return c;
		a += la + (a[la] == '.');
		b += lb + (b[lb] == '.');
	}
	return 0;
}

static int
cmp_files(const void *a, const void *b)
{
	const FwFile *x = a;
	const FwFile *y = b;

	if ((x->kind == 'R') != (y->kind == 'R'))
		return x->kind == 'R' ? 1 : -1;
	if (x->kind == 'R')
		return strcmp(x->name, y->name);
	return cmp_versions(x->version, y->version);
}

static Migration *
versioned(const SmFiles *f, const FwFile *v, const FwFile *undo)
{
	Migration  *m;

	fmt_check_revision(f->env, v->name, v->version);
	m = fmt_new_migration(f->env, v->name, v->version, v->message);
	m->format = "Flyway";
	fmt_read_pair(f, m, v->name, undo ? undo->name : NULL);
	return m;
}

static Migration *
repeatable(const SmFiles *f, const FwFile *r)
{
	const SmEnv *env = f->env;
	size_t		len = strlen(r->name) - 4;
	char	   *rev = sm_strndup(env, r->name, len);
	Migration  *m;

	fmt_check_revision(env, r->name, rev);
	m = fmt_new_migration(env, r->name, rev, r->message);
	m->format = "Flyway";
	m->repeatable = true;
	fmt_read_pair(f, m, r->name, NULL);
	return m;
}

/* The undo file of version v, if any; each undo must match a version. */
static const FwFile *
find_undo(const SmEnv *env, FwFile *us, int nu, const FwFile *v)
{
	const FwFile *found = NULL;

	for (int i = 0; i < nu; i++)
		if (cmp_versions(us[i].version, v->version) == 0)
		{
			if (found)
				sm_fail(env, SM_ERR_DUPLICATE, us[i].name, 0, NULL,
						"Keep one undo file per version.",
						"Flyway undo files \"%s\" and \"%s\" have the same version",
						found->name, us[i].name);
			found = &us[i];
			us[i].kind = 'u';	/* matched */
		}
	return found;
}

Migration **
fmt_read_flyway(const SmFiles *f, int *n_out)
{
	const SmEnv *env = f->env;
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	FwFile	   *vs = sm_alloc(env, sizeof(FwFile) * (n + 1));
	FwFile	   *us = sm_alloc(env, sizeof(FwFile) * (n + 1));
	int			nv = 0,
				nu = 0,
				n_versioned = 0;
	Migration **migs;

	for (int i = 0; i < n; i++)
	{
		FwFile		ff;

		if (ents[i].is_dir || !fmt_has_suffix(ents[i].name, ".sql"))
			continue;
		if (refuse_callback(env, ents[i].name))
			continue;
		ff = parse_name(env, ents[i].name);
		if (ff.kind == 'U')
			us[nu++] = ff;
		else
			vs[nv++] = ff;
	}
	qsort(vs, nv, sizeof(FwFile), cmp_files);
	migs = sm_alloc(env, sizeof(Migration *) * (nv + 1));
	for (int i = 0; i < nv; i++)
	{
		if (vs[i].kind == 'R')
		{
			migs[i] = repeatable(f, &vs[i]);
			continue;
		}
		if (i > 0 && cmp_files(&vs[i - 1], &vs[i]) == 0)
			sm_fail(env, SM_ERR_DUPLICATE, vs[i].name, 0, NULL,
					"Flyway ignores trailing zero parts, so 1.0 and 1 are the same version; give each migration its own version.",
					"Flyway files \"%s\" and \"%s\" have the same version",
					vs[i - 1].name, vs[i].name);
		migs[i] = versioned(f, &vs[i], find_undo(env, us, nu, &vs[i]));
		n_versioned++;
	}
	for (int i = 0; i < nu; i++)
		if (us[i].kind == 'U')
			sm_fail(env, SM_ERR_MALFORMED, us[i].name, 0, NULL,
					"An undo file U<version>__... needs the versioned file V<version>__... of the same version.",
					"Flyway undo file \"%s\" has no matching versioned migration",
					us[i].name);
	fmt_chain(env, migs, n_versioned);
	*n_out = nv;
	return migs;
}
