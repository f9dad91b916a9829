/*-------------------------------------------------------------------------
 *
 * goose.c
 *	  goose SQL sets: {version}_{name}.sql with "-- +goose Up" and
 *	  "-- +goose Down" annotations.
 *
 * Annotations are matched case-insensitively, as goose does.  "NO
 * TRANSACTION" makes a non-transactional migration.  "StatementBegin" and
 * "StatementEnd" only tell goose's own splitter where a statement with
 * semicolons inside ends; the server splits with PostgreSQL's parser, so
 * they are checked for balance and otherwise stay in the SQL as the
 * comments they are.  "ENVSUB ON" (substituting environment variables in
 * the SQL) is refused: the server has no business reading a client's
 * environment.  The version is an integer; the revision id is written
 * without leading zeros, as goose_db_version stores it.  Go migrations
 * ({version}_{name}.go) are revisions too, which the server cannot run.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/fmt_common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum GooseCmd
{
	G_NONE,
	G_UP,
	G_DOWN,
	G_NO_TX,
	G_BEGIN,
	G_END,
	G_ENVSUB_OFF
} GooseCmd;

static bool
word_is(const char *p, const char *le, const char *w)
{
	size_t		wl = strlen(w);

	return (size_t) (le - p) == wl && strncasecmp(p, w, wl) == 0;
}

/* The annotation on a "-- +goose ..." line; G_NONE for other lines. */
static GooseCmd
annotation(const SmEnv *env, const char *file, int line, const char *ls,
		   const char *le)
{
	const char *p = ls;

	while (le > p && isspace((unsigned char) le[-1]))
		le--;
	if (le - p < 9 || strncmp(p, "--", 2) != 0)
		return G_NONE;
	p += 2;
	while (p < le && (*p == ' ' || *p == '\t'))
		p++;
	if (le - p < 6 || strncasecmp(p, "+goose", 6) != 0)
		return G_NONE;
	p += 6;
	while (p < le && (*p == ' ' || *p == '\t'))
		p++;
	if (word_is(p, le, "up"))
		return G_UP;
	if (word_is(p, le, "down"))
		return G_DOWN;
	if (word_is(p, le, "no transaction"))
		return G_NO_TX;
	if (word_is(p, le, "statementbegin"))
		return G_BEGIN;
	if (word_is(p, le, "statementend"))
		return G_END;
	if (word_is(p, le, "envsub off"))
		return G_ENVSUB_OFF;
	sm_fail(env, SM_ERR_MALFORMED, file, line, NULL,
			"Known annotations are Up, Down, StatementBegin, StatementEnd and NO TRANSACTION; ENVSUB is not supported inside the server.",
			"unsupported goose annotation \"%.*s\" in file \"%s\" line %d",
			(int) (le - ls), ls, file, line);
	return G_NONE;
}

typedef struct GooseState
{
	const SmEnv *env;
	const char *file;
	Migration  *m;
	const char *up;
	const char *up_end;
	const char *down;
	bool		in_statement;
} GooseState;

static void
misplaced(GooseState *st, int line, const char *what)
{
	sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
			"A goose migration has \"-- +goose Up\", its SQL, then optionally \"-- +goose Down\" and its SQL; StatementBegin and StatementEnd come in pairs inside a section.",
			"misplaced %s in file \"%s\" line %d", what, st->file, line);
}

static void
apply(GooseState *st, GooseCmd c, int line, const char *ls, const char *next)
{
	switch (c)
	{
		case G_UP:
			if (st->up || st->in_statement)
				misplaced(st, line, "\"-- +goose Up\"");
			st->up = next;
			st->m->up_line = line + 1;
			break;
		case G_DOWN:
			if (!st->up || st->down || st->in_statement)
				misplaced(st, line, "\"-- +goose Down\"");
			st->up_end = ls;
			st->down = next;
			st->m->down_line = line + 1;
			break;
		case G_NO_TX:
			st->m->transactional = false;
			break;
		case G_BEGIN:
			if (!st->up || st->in_statement)
				misplaced(st, line, "\"-- +goose StatementBegin\"");
			st->in_statement = true;
			break;
		case G_END:
			if (!st->in_statement)
				misplaced(st, line, "\"-- +goose StatementEnd\"");
			st->in_statement = false;
			break;
		case G_NONE:
		case G_ENVSUB_OFF:
			break;
	}
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
			   *le;
	const char *msg = name + nd + 1;
	GooseState	st = {env, name, NULL, NULL, NULL, NULL, false};
	int			line = 0;

	if (name[nd] != '_')
		sm_fail(env, SM_ERR_MALFORMED, name, 0, NULL,
				"goose names files {version}_{name}.sql.",
				"invalid goose migration file name \"%s\"", name);
	st.m = fmt_new_migration(env, name, fmt_strip_zeros(env, name, nd),
							 fmt_message(env, name, msg, strlen(msg) - 4));
	st.m->format = "goose";
	st.m->text = text;
	st.m->text_len = len;
	fmt_check_revision(env, name, st.m->revision);
	while (fmt_next_line(end, &cur, &ls, &le))
	{
		line++;
		apply(&st, annotation(env, name, line, ls, le), line, ls, cur);
	}
	if (!st.up)
		sm_fail(env, SM_ERR_MALFORMED, name, 0, NULL,
				"Start the migration's SQL with a \"-- +goose Up\" line.",
				"goose migration \"%s\" has no \"-- +goose Up\" annotation", name);
	if (st.in_statement)
		misplaced(&st, line, "end of file inside StatementBegin");
	st.m->up_sql = sm_strndup(env, st.up, (st.up_end ? st.up_end : end) - st.up);
	/* goose rolls a migration without "-- +goose Down" back as a no-op */
	st.m->has_down = true;
	st.m->down_sql = st.down ? sm_strndup(env, st.down, end - st.down) :
		sm_strndup(env, "", 0);
	return st.m;
}

/*
 * A Go migration, {version}_{name}.go (not *_test.go): goose runs the
 * function it registers, in version order among the SQL files (migrate.go,
 * collectGoMigrations).  It becomes a revision that planning refuses to
 * run through (check_runnable), so it is never skipped silently.  Its text
 * is the file's, so an edit shows as drift like any other.
 */
static Migration *
go_migration(const SmFiles *f, const char *name)
{
	const SmEnv *env = f->env;
	size_t		nd = fmt_digits(name),
				len;
	const char *raw = f->read(f->arg, name, &len, false);
	const char *msg = name + nd + 1;
	Migration  *m = fmt_new_migration(env, name, fmt_strip_zeros(env, name, nd),
									  fmt_message(env, name, msg, strlen(msg) - 3));

	fmt_check_revision(env, name, m->revision);
	m->format = "goose";
	m->code_tool = "goose";
	m->text = sm_normalise(env, raw, len, &m->text_len);
	m->has_down = true;
	m->down_sql = sm_strndup(env, "", 0);
	return m;
}

static bool
is_go_migration(const char *name)
{
	size_t		nd = fmt_digits(name);

	return nd > 0 && name[nd] == '_' && fmt_has_suffix(name, ".go") &&
		!fmt_has_suffix(name, "_test.go");
}

/* SQL and Go migrations together, ordered by version as an integer. */
Migration **
fmt_read_goose(const SmFiles *f, int *n_out)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	FmtList		l = {0};

	for (int i = 0; i < n; i++)
	{
		if (ents[i].is_dir)
			continue;
		if (fmt_has_suffix(ents[i].name, ".sql"))
			fmt_push(f->env, &l, parse_file(f, ents[i].name));
		else if (is_go_migration(ents[i].name))
			fmt_push(f->env, &l, go_migration(f, ents[i].name));
	}
	if (l.n)
		qsort(l.items, l.n, sizeof(Migration *), fmt_cmp_numeric_version);
	fmt_check_unique(f->env, l.items, l.n, "goose");
	fmt_chain(f->env, l.items, l.n);
	*n_out = l.n;
	return l.items;
}
