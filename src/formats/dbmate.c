/*-------------------------------------------------------------------------
 *
 * dbmate.c
 *	  dbmate sets: {version}*.sql files, each with a "-- migrate:up" block
 *	  and an optional "-- migrate:down" block.
 *
 * The version is the leading digits, kept as written (dbmate stores it so
 * in schema_migrations).  dbmate orders migrations by file name as a
 * string (pkg/dbmate/db.go, FindMigrations: sort.Slice by FileName), so
 * 10_b.sql runs before 9_a.sql, and so here.  As in dbmate
 * (pkg/dbmate/migration.go), SQL before "-- migrate:up" and a missing
 * "-- migrate:down" are errors, not skipped or assumed.  Options follow the
 * marker: "-- migrate:up transaction:false" makes a migration that must
 * run outside a transaction.  The markers are SQL comments, so the
 * sections are the file's lines between them, with their own line numbers.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/fmt_common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* "-- migrate:up ..." -> 'u', "-- migrate:down ..." -> 'd', else 0 */
static char
marker(const char *ls, const char *le, const char **opts)
{
	const char *p = ls;

	if (le - p < 2 || p[0] != '-' || p[1] != '-')
		return 0;
	p += 2;
	while (p < le && isspace((unsigned char) *p))
		p++;
	if (le - p >= 10 && strncmp(p, "migrate:up", 10) == 0 &&
		(le - p == 10 || isspace((unsigned char) p[10])))
	{
		*opts = p + 10;
		return 'u';
	}
	if (le - p >= 12 && strncmp(p, "migrate:down", 12) == 0 &&
		(le - p == 12 || isspace((unsigned char) p[12])))
	{
		*opts = p + 12;
		return 'd';
	}
	return 0;
}

/* Options after a marker: only transaction:true|false is known. */
static bool
transaction_option(const SmEnv *env, const char *file, int line,
				   const char *p, const char *le)
{
	bool		transactional = true;

	while (p < le)
	{
		const char *w;

		while (p < le && isspace((unsigned char) *p))
			p++;
		w = p;
		while (p < le && !isspace((unsigned char) *p))
			p++;
		if (p == w)
			break;
		if (p - w == 17 && strncmp(w, "transaction:false", 17) == 0)
			transactional = false;
		else if (!(p - w == 16 && strncmp(w, "transaction:true", 16) == 0))
			sm_fail(env, SM_ERR_MALFORMED, file, line, NULL,
					"dbmate knows the option transaction:false (and transaction:true).",
					"unknown dbmate option \"%.*s\" in file \"%s\" line %d",
					(int) (p - w), w, file, line);
	}
	return transactional;
}

/* dbmate's isEmptyLine / isCommentLine: lines allowed before migrate:up */
static bool
blank_or_comment(const char *ls, const char *le)
{
	while (ls < le && isspace((unsigned char) *ls))
		ls++;
	return ls == le || (le - ls >= 2 && ls[0] == '-' && ls[1] == '-');
}

static Migration *
parse_file(const SmFiles *f, const char *name)
{
	const SmEnv *env = f->env;
	size_t		nd = fmt_digits(name),
				len;
	const char *raw = f->read(f->arg, name, &len, false);
	char	   *text = sm_normalise(env, raw, len, &len);
	const char *end = text + len,
			   *cur = text,
			   *ls,
			   *le,
			   *up = NULL,
			   *up_end = NULL,
			   *down = NULL;
	const char *msg = name + nd + (name[nd] == '_');
	Migration  *m = fmt_new_migration(env, name, sm_strndup(env, name, nd),
									  fmt_message(env, name, msg, strlen(msg) - 4));
	int			line = 0;

	m->format = "dbmate";
	m->text = text;
	m->text_len = len;
	fmt_check_revision(env, name, m->revision);
	while (fmt_next_line(end, &cur, &ls, &le))
	{
		const char *opts;
		char		k = marker(ls, le, &opts);

		line++;
		if (!up && k != 'u' && !blank_or_comment(ls, le))
			sm_fail(env, SM_ERR_MALFORMED, name, line,
					"dbmate refuses it too: \"dbmate does not support statements preceding the '-- migrate:up' block\".",
					"Move the SQL below the \"-- migrate:up\" line.",
					"SQL before \"-- migrate:up\" in file \"%s\" line %d", name, line);
		if (k == 'u')
		{
			if (up)
				sm_fail(env, SM_ERR_MALFORMED, name, line, NULL,
						"A dbmate migration has one \"-- migrate:up\" block, then optionally one \"-- migrate:down\" block.",
						"second \"-- migrate:up\" in file \"%s\" line %d", name, line);
			up = cur;
			m->up_line = line + 1;
			m->transactional = transaction_option(env, name, line, opts, le);
		}
		else if (k == 'd')
		{
			if (!up || down)
				sm_fail(env, SM_ERR_MALFORMED, name, line, NULL,
						"A dbmate migration has one \"-- migrate:up\" block, then optionally one \"-- migrate:down\" block.",
						"misplaced \"-- migrate:down\" in file \"%s\" line %d", name, line);
			up_end = ls;
			down = cur;
			m->down_line = line + 1;
			if (!transaction_option(env, name, line, opts, le))
				m->transactional = false;
		}
	}
	if (!up)
		sm_fail(env, SM_ERR_MALFORMED, name, 0, NULL,
				"Start the migration with a \"-- migrate:up\" line.",
				"dbmate migration \"%s\" has no \"-- migrate:up\" block", name);
	if (!down)
		sm_fail(env, SM_ERR_MALFORMED, name, 0,
				"dbmate refuses it too: \"dbmate requires each migration to define a down block with '-- migrate:down'\".",
				"End the file with a \"-- migrate:down\" line, followed by the SQL that reverts it or by nothing.",
				"dbmate migration \"%s\" has no \"-- migrate:down\" block", name);
	m->up_sql = sm_strndup(env, up, (up_end ? up_end : end) - up);
	if (down)
	{
		m->has_down = true;
		m->down_sql = sm_strndup(env, down, end - down);
	}
	return m;
}

Migration **
fmt_read_dbmate(const SmFiles *f, int *n_out)
{
	return fmt_read_numbered_by(f, parse_file, "dbmate", fmt_cmp_file_name, n_out);
}
