/*-------------------------------------------------------------------------
 *
 * liquibase.c
 *	  Liquibase formatted SQL changelogs ("--liquibase formatted sql"), and
 *	  the master changelogs (XML or YAML include / includeAll) that order
 *	  them.
 *
 * Read as Liquibase 4 reads them (AbstractFormattedChangeLogParser,
 * FormattedSqlChangeLogParser, SqlChangeLogParser):
 *	 - lines before the first "--changeset author:id" are no SQL; each
 *	   changeset's SQL is its lines up to the next changeset, trimmed,
 *	   without the lines Liquibase takes for itself: "--comment",
 *	   "--rollback ...", "/ * liquibase rollback ... * /" blocks (whose lines
 *	   Liquibase joins without a separator), "--preconditions",
 *	   "--precondition-...", "--validCheckSum", "--ignoreLines";
 *	 - the changeset's identity is file + id + author; its MD5SUM is the
 *	   checksum version 9 of its SQL: "9:" + MD5 of ("9:" + MD5 of the SQL
 *	   without blanks, tabs, CR and LF, + ":") (AbstractSQLChange.
 *	   NormalizingStream, ChangeSet.generateCheckSum);
 *	 - a master changelog's include and includeAll entries give the order;
 *	   includeAll takes the directory's changelogs recursively, sorted by
 *	   path; a plain *.sql file there (no formatted header) is one
 *	   changeset with id "raw" and author "includeAll" (SqlChangeLogParser);
 *	 - without a master changelog, the set's top-level changelogs are read
 *	   in name order, as an includeAll of the set would;
 *	 - a liquibase.properties at the top gives the contexts, as the command
 *	   line's defaults file does (read_properties);
 *	 - every changeset, runOnChange ones too, runs in changelog order.
 * The changeset attributes honoured, and the ones refused, are listed at
 * apply_attribute; preconditions become a check run before the SQL (see
 * precondition_sql).
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_b.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LB_MAX_DEPTH 32

typedef struct LbState
{
	const SmFiles *f;
	const SmEnv *env;
	FmtList		list;			/* every changeset, in changelog order */
	bool	   *skipped;		/* dbms or ignore: for rollback references only */
	int			skipped_cap;
	int			depth;
	char	  **contexts;		/* liquibase.properties "contexts", lower case */
	int			n_contexts;		/* 0: none given, every changeset runs */
} LbState;

/* One changeset being read. */
typedef struct LbChangeSet
{
	const char *file;
	int			line;
	char	   *author;
	char	   *id;
	char	   *comment;
	const char *logical_path;
	bool		run_on_change;
	bool		transactional;
	bool		skip;			/* dbms excludes PostgreSQL, or ignore:true */
	bool		any_checksum;	/* --validCheckSum given */
	bool		strip_comments; /* stripComments (true unless said otherwise) */
	char	   *end_delimiter;
	char	   *rollback_delimiter;
	/* buffers */
	char	   *sql;
	size_t		sql_len;
	char	   *rollback;
	size_t		rb_len;
	bool		has_rollback;
	bool		rollback_empty;
	char	   *rollback_ref;	/* changesetId:... changesetAuthor:... */
	char	   *checks;			/* preconditions, as a SQL condition */
	size_t		checks_len;
	char	   *on_fail;
} LbChangeSet;

static void lb_read_changelog(LbState *st, const char *path);

static void
lb_fail(LbState *st, const char *file, int line, const char *hint,
		const char *fmt, const char *arg)
{
	sm_fail(st->env, SM_ERR_MALFORMED, file, line, NULL, hint,
			"%s in Liquibase changelog \"%s\" line %d", arg ? arg : fmt, file, line);
}

static void
append(const SmEnv *env, char **buf, size_t *len, const char *s, size_t n)
{
	char	   *nb = sm_alloc(env, *len + n + 1);

	if (*len)
		memcpy(nb, *buf, *len);
	memcpy(nb + *len, s, n);
	*len += n;
	nb[*len] = '\0';
	*buf = nb;
}

static bool
starts_ci(const char *p, const char *e, const char *w)
{
	size_t		wl = strlen(w);

	return (size_t) (e - p) >= wl && strncasecmp(p, w, wl) == 0;
}

static const char *
skip_blank(const char *p, const char *e)
{
	while (p < e && isspace((unsigned char) *p))
		p++;
	return p;
}

/* "--" then blanks, as Liquibase's "\s*--[\s]*" (lead: leading blanks allowed) */
static const char *
after_dashes(const char *ls, const char *le, bool lead)
{
	const char *p = lead ? skip_blank(ls, le) : ls;

	if (le - p < 2 || p[0] != '-' || p[1] != '-')
		return NULL;
	return skip_blank(p + 2, le);
}

/* ---------- the changeset's checksum ---------- */

char *
fmt_liquibase_checksum(const SmEnv *env, const char *sql)
{
	size_t		n = strlen(sql),
				k = 0;
	char	   *squeezed = sm_alloc(env, n + 1);
	char		inner[33],
				outer[33],
				buf[40];
	char	   *out = sm_alloc(env, 36);

	for (size_t i = 0; i < n; i++)
		if (sql[i] != ' ' && sql[i] != '\t' && sql[i] != '\n' && sql[i] != '\r')
			squeezed[k++] = sql[i];
	fmt_md5_hex(squeezed, k, inner);
	snprintf(buf, sizeof(buf), "9:%s:", inner);
	fmt_md5_hex(buf, strlen(buf), outer);
	snprintf(out, 36, "9:%s", outer);
	return out;
}

/* ---------- contexts (liquibase.properties) ---------- */

static bool context_expr(LbState *st, const char *e, size_t l);

static bool
context_given(LbState *st, const char *w, size_t l)
{
	for (int i = 0; i < st->n_contexts; i++)
		if (strlen(st->contexts[i]) == l && strncasecmp(st->contexts[i], w, l) == 0)
			return true;
	return false;
}

/* [p, p+l) without the blanks around it */
static void
trim_span(const char **p, size_t *l)
{
	while (*l && isspace((unsigned char) **p))
		(*p)++, (*l)--;
	while (*l && isspace((unsigned char) (*p)[*l - 1]))
		(*l)--;
}

/*
 * Split [e, e+l) at the top-level occurrences of sep (outside parentheses);
 * any (or all) of the parts must match.  sep is "," or " or " (any) or
 * " and " (all).  Returns -1 when sep does not occur at top level.
 */
static int
context_split(LbState *st, const char *e, size_t l, const char *sep, bool all)
{
	size_t		sl = strlen(sep),
				start = 0;
	int			depth = 0;
	bool		found = false,
				result = all;

	for (size_t i = 0; i <= l; i++)
	{
		bool		at_sep = i + sl <= l && depth == 0 && strncasecmp(e + i, sep, sl) == 0;

		if (i < l && e[i] == '(')
			depth++;
		else if (i < l && e[i] == ')')
			depth--;
		if (at_sep || (i == l && found))
		{
			bool		m = context_expr(st, e + start, i - start);

			result = all ? (result && m) : (result || m);
			found = true;
			start = i + sl;
			i += sl - 1;
		}
	}
	return found ? result : -1;
}

/*
 * ContextExpression.matches of Liquibase 4.28, for the contexts given:
 * "a, b" and "a or b" match when either does, "a and b" when both do,
 * "!a" when a does not, parentheses group; a word matches a given context
 * whatever the case.
 */
static bool
context_expr(LbState *st, const char *e, size_t l)
{
	int			r;

	trim_span(&e, &l);
	if (l == 0)
		return true;
	if ((r = context_split(st, e, l, ",", false)) >= 0 ||
		(r = context_split(st, e, l, " or ", false)) >= 0 ||
		(r = context_split(st, e, l, " and ", true)) >= 0)
		return r;
	if (*e == '!')
		return !context_expr(st, e + 1, l - 1);
	if (*e == '(' && e[l - 1] == ')')
		return context_expr(st, e + 1, l - 2);
	return context_given(st, e, l);
}

static bool
context_matches(LbState *st, const char *expr)
{
	return st->n_contexts == 0 || context_expr(st, expr, strlen(expr));
}

/*
 * liquibase.properties at the top of the set, which the Liquibase command
 * line reads from the directory it runs in: its "contexts" (or
 * "liquibase.command.contexts") choose the changesets as --contexts does.
 * Other keys (url, username, changeLogFile, ...) say nothing about the
 * migrations and are not read, except a label filter, which is refused.
 */
static void
read_properties(LbState *st)
{
	size_t		len;
	const char *raw = st->f->read(st->f->arg, "liquibase.properties", &len, true),
			   *text,
			   *end,
			   *cur,
			   *ls,
			   *le;
	int			line = 0;

	if (!raw)
		return;
	text = sm_normalise(st->env, raw, len, &len);
	end = text + len;
	cur = text;
	while (fmt_next_line(end, &cur, &ls, &le))
	{
		const char *k = skip_blank(ls, le),
				   *ke = k,
				   *v;

		line++;
		if (k == le || *k == '#' || *k == '!')
			continue;
		while (ke < le && *ke != ':' && *ke != '=' && !isspace((unsigned char) *ke))
			ke++;
		v = skip_blank(ke, le);
		if (v < le && (*v == ':' || *v == '='))
			v = skip_blank(v + 1, le);
#define KEY(s) ((size_t) (ke - k) == strlen(s) && strncasecmp(k, s, ke - k) == 0)
		if (KEY("contexts") || KEY("liquibase.command.contexts") || KEY("context-filter") ||
			KEY("contextFilter") || KEY("liquibase.command.contextFilter"))
		{
			const char *w = v;

			st->n_contexts = 0;
			st->contexts = sm_alloc(st->env, sizeof(char *) * (le - v + 1));
			while (w < le)
			{
				const char *we = w;
				size_t		wl;

				while (we < le && *we != ',')
					we++;
				wl = we - w;
				trim_span(&w, &wl);
				if (wl)
					st->contexts[st->n_contexts++] = sm_strndup(st->env, w, wl);
				w = we < le ? we + 1 : le;
			}
		}
		else if (KEY("labels") || KEY("labelFilter") || KEY("label-filter") ||
				 KEY("liquibase.command.labelFilter") || KEY("liquibase.command.labels"))
			lb_fail(st, "liquibase.properties", line,
					"Remove the label filter: schema_migrate runs every changeset whatever its labels.",
					NULL, "a label filter is not supported");
#undef KEY
	}
}

/* ---------- changeset attributes ---------- */

/* DatabaseList.definitionMatches for "postgresql" */
static bool
dbms_matches(const char *list)
{
	bool		any_positive = false,
				matched = false;
	const char *p = list;

	while (*p)
	{
		const char *w = p;
		size_t		l;
		bool		neg;

		while (*p && *p != ',')
			p++;
		l = p - w;
		if (*p)
			p++;
		while (l && isspace((unsigned char) *w))
			w++, l--;
		neg = l && *w == '!';
		if (neg)
			w++, l--;
		if (l == 0)
			continue;
		if ((l == 10 && strncasecmp(w, "postgresql", 10) == 0) ||
			(l == 3 && strncasecmp(w, "all", 3) == 0 && !neg))
		{
			if (neg)
				return false;
			matched = true;
		}
		if (l == 4 && strncasecmp(w, "none", 4) == 0 && !neg)
			return false;
		if (!neg)
			any_positive = true;
	}
	return matched || !any_positive;
}

static bool
is_true(const char *v)
{
	return strcasecmp(v, "true") == 0;
}

static char *
unquote(const SmEnv *env, const char *v, size_t l)
{
	if (l >= 2 && (v[0] == '"' || v[0] == '\'') && v[l - 1] == v[0])
		return sm_strndup(env, v + 1, l - 2);
	return sm_strndup(env, v, l);
}

/*
 * The attribute names Liquibase 4.28 knows on a "--changeset" line
 * (AbstractFormattedChangeLogParser matches each by a pattern of its own,
 * and ignores every other word of the line).
 */
static const char *const lb_attribute_names[] = {
	"stripComments", "splitStatements", "rollbackSplitStatements", "endDelimiter",
	"rollbackEndDelimiter", "runWith", "runWithSpoolFile", "runOnChange", "runAlways",
	"context", "contextFilter", "logicalFilePath", "labels", "runInTransaction",
	"dbms", "ignore", "failOnError",
};

/* Levenshtein distance, case-blind, of two short words (or a large number) */
static size_t
word_distance(const char *a, size_t al, const char *b, size_t bl)
{
	size_t		row[64];

	if (al >= 64 || bl >= 64)
		return 64;
	for (size_t j = 0; j <= bl; j++)
		row[j] = j;
	for (size_t i = 1; i <= al; i++)
	{
		size_t		diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= bl; j++)
		{
			size_t		up = row[j];
			size_t		best = diag + (tolower((unsigned char) a[i - 1]) != tolower((unsigned char) b[j - 1]));

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[bl];
}

/*
 * An attribute name Liquibase does not know is ignored by Liquibase, and so
 * here ("tag:version_1.1", "ticket:ABC-12" on gobii-db's changesets), unless
 * it is within a few edits of one it knows ("runInTransacton"): Liquibase
 * would silently run such a changeset otherwise than its author meant, so
 * that is refused as a misspelling.  Returns the name it resembles, or NULL.
 */
static const char *
misspelt_attribute(const char *name, size_t nl)
{
	for (size_t i = 0; i < sizeof(lb_attribute_names) / sizeof(lb_attribute_names[0]); i++)
	{
		const char *k = lb_attribute_names[i];
		size_t		kl = strlen(k);
		size_t		limit = kl / 4 > 2 ? kl / 4 : 2;

		if (nl > 2 && word_distance(name, nl, k, kl) <= limit)
			return k;
	}
	return NULL;
}

/*
 * Honoured: runOnChange (see finish_changeset), runInTransaction,
 * failOnError:true, stripComments (see strip_comments), splitStatements
 * (PostgreSQL's parser splits), endDelimiter and rollbackEndDelimiter
 * (where the delimiter stands on a line of its own), rollbackSplitStatements,
 * context / contextFilter (against the contexts of liquibase.properties, see
 * read_properties; with none, every changeset runs, as in Liquibase), labels
 * (every changeset runs, as Liquibase runs them without --labels), dbms, ignore,
 * logicalFilePath.  Refused by name: runAlways, failOnError:false, runWith,
 * runWithSpoolFile, and a misspelling of a name Liquibase knows; other
 * "name:value" words are ignored, as Liquibase ignores them.
 */
static void
apply_attribute(LbState *st, LbChangeSet *cs, const char *name, size_t nl,
				const char *v)
{
#define IS(s) (nl == strlen(s) && strncasecmp(name, s, nl) == 0)
	if (IS("runOnChange"))
		cs->run_on_change = is_true(v);
	else if (IS("runInTransaction"))
		cs->transactional = strcasecmp(v, "false") != 0;
	else if (IS("failOnError"))
	{
		if (!is_true(v))
			lb_fail(st, cs->file, cs->line,
					"schema_migrate stops at the first error and records nothing for the migration; remove failOnError:false and make the SQL succeed (for example with IF EXISTS).",
					NULL, "changeset attribute \"failOnError:false\" is not supported");
	}
	else if (IS("dbms"))
		cs->skip |= !dbms_matches(v);
	else if (IS("ignore"))
		cs->skip |= is_true(v);
	else if (IS("logicalFilePath"))
		cs->logical_path = v;
	else if (IS("endDelimiter"))
		cs->end_delimiter = *v ? (char *) v : NULL;
	else if (IS("rollbackEndDelimiter"))
		cs->rollback_delimiter = *v ? (char *) v : NULL;
	else if (IS("stripComments"))
		cs->strip_comments = is_true(v);
	else if (IS("context") || IS("contextFilter"))
		cs->skip |= !context_matches(st, v);
	else if (IS("splitStatements") || IS("rollbackSplitStatements") || IS("labels"))
		;
	else if (IS("runAlways") || IS("runWith") || IS("runWithSpoolFile"))
	{
		char		msg[200];

		snprintf(msg, sizeof(msg), "changeset attribute \"%.*s\" is not supported", (int) nl, name);
		lb_fail(st, cs->file, cs->line,
				IS("runAlways") ?
				"schema_migrate runs a migration once; a changeset to run on every update belongs in a repeatable migration of the native format (-- repeatable: true) or outside the migrations." :
				"schema_migrate runs the SQL itself, inside the server; remove the attribute to have it run so.",
				NULL, msg);
	}
	else
	{
		const char *like = misspelt_attribute(name, nl);
		char		msg[200],
					hint[200];

		if (like)
		{
			snprintf(msg, sizeof(msg), "changeset attribute \"%.*s\" looks like a misspelling of \"%s\"",
					 (int) nl, name, like);
			snprintf(hint, sizeof(hint),
					 "Liquibase ignores attribute names it does not know, so this changeset would not run as written; spell it \"%s\".",
					 like);
			lb_fail(st, cs->file, cs->line, hint, NULL, msg);
		}
	}
#undef IS
}

/* "--changeset author:id attr:value ..." */
static bool
parse_changeset_line(LbState *st, LbChangeSet *cs, const char *ls, const char *le)
{
	const char *p = after_dashes(ls, le, true),
			   *a,
			   *ae;

	if (!p || !starts_ci(p, le, "changeset"))
		return false;
	p += 9;
	if (p == le || !isspace((unsigned char) *p))
		lb_fail(st, cs->file, cs->line, "Write \"--changeset author:id\".", NULL,
				"malformed \"--changeset\" line");
	p = skip_blank(p, le);
	a = p;
	if (*p == '"')
	{
		ae = memchr(p + 1, '"', le - p - 1);
		if (!ae || ae + 1 >= le || ae[1] != ':')
			lb_fail(st, cs->file, cs->line, "Write \"--changeset author:id\".", NULL,
					"malformed \"--changeset\" line");
		ae++;
	}
	else
	{
		ae = memchr(p, ':', le - p);
		if (!ae || ae == p)
			lb_fail(st, cs->file, cs->line, "Write \"--changeset author:id\".", NULL,
					"malformed \"--changeset\" line");
	}
	cs->author = unquote(st->env, a, ae - a);
	p = ae + 1;
	if (p < le && isspace((unsigned char) *p))
		lb_fail(st, cs->file, cs->line, "No blank may follow the \":\" of author:id.", NULL,
				"malformed \"--changeset\" line");
	a = p;
	if (p < le && *p == '"')
	{
		ae = memchr(p + 1, '"', le - p - 1);
		ae = ae ? ae + 1 : le;
	}
	else
		for (ae = p; ae < le && !isspace((unsigned char) *ae); ae++)
			;
	if (ae == a)
		lb_fail(st, cs->file, cs->line, "Write \"--changeset author:id\".", NULL,
				"the changeset id is empty");
	cs->id = unquote(st->env, a, ae - a);
	/* attributes: name:value, the value maybe quoted */
	for (p = skip_blank(ae, le); p < le; p = skip_blank(p, le))
	{
		const char *n = p,
				   *colon,
				   *v;

		while (p < le && !isspace((unsigned char) *p) && *p != ':')
			p++;
		colon = p;
		if (colon >= le || *colon != ':')
		{
			char		msg[200];

			snprintf(msg, sizeof(msg), "unexpected \"%.*s\" on the \"--changeset\" line", (int) (p - n), n);
			lb_fail(st, cs->file, cs->line, "Changeset attributes are written name:value.", NULL, msg);
		}
		v = ++p;
		if (p < le && (*p == '"' || *p == '\''))
		{
			const char *q = memchr(p + 1, *p, le - p - 1);

			p = q ? q + 1 : le;
		}
		else
			while (p < le && !isspace((unsigned char) *p))
				p++;
		apply_attribute(st, cs, n, colon - n, unquote(st->env, v, p - v));
	}
	return true;
}

/* ---------- preconditions ---------- */

static char *
sql_literal(const SmEnv *env, const char *s)
{
	size_t		n = strlen(s);
	char	   *o = sm_alloc(env, 2 * n + 3),
			   *q = o;

	*q++ = '\'';
	for (; *s; s++)
	{
		if (*s == '\'')
			*q++ = '\'';
		*q++ = *s;
	}
	*q++ = '\'';
	return o;
}

/* name:value from a precondition line, or NULL */
static char *
word_arg(const SmEnv *env, const char *p, const char *le, const char *name)
{
	size_t		nl = strlen(name);

	for (; p < le; p++)
		if ((size_t) (le - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':' &&
			(p == le || !isalnum((unsigned char) p[-1])))
		{
			const char *v = p + nl + 1,
					   *ve = v;

			while (ve < le && !isspace((unsigned char) *ve))
				ve++;
			return ve > v ? sm_strndup(env, v, ve - v) : NULL;
		}
	return NULL;
}

static void
add_check(LbState *st, LbChangeSet *cs, const char *cond)
{
	if (cs->checks_len)
		append(st->env, &cs->checks, &cs->checks_len, " AND ", 5);
	append(st->env, &cs->checks, &cs->checks_len, cond, strlen(cond));
}

static void
relation_check(LbState *st, LbChangeSet *cs, const char *p, const char *le,
			   const char *what, const char *kinds)
{
	char	   *name = word_arg(st->env, p, le, what);
	char	   *schema = word_arg(st->env, p, le, "schema");
	char		buf[1024];

	if (!name)
		lb_fail(st, cs->file, cs->line, "Write for example \"--precondition-table-exists table:users schema:public\".",
				NULL, "precondition without a name");
	for (char *c = name; *c; c++)
		*c = tolower((unsigned char) *c);
	snprintf(buf, sizeof(buf),
			 "EXISTS (SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
			 " WHERE c.relname = %s AND c.relkind IN (%s) AND n.nspname = %s)",
			 sql_literal(st->env, name), kinds,
			 schema ? sql_literal(st->env, schema) : "pg_catalog.current_schema()");
	add_check(st, cs, buf);
}

/* "--preconditions ..." or "--precondition-X ..."; true when it was one */
static bool
precondition_line(LbState *st, LbChangeSet *cs, const char *p, const char *le, int line)
{
	cs->line = line;
	if (starts_ci(p, le, "preconditions"))
	{
		char	   *on_fail = word_arg(st->env, p, le, "onFail");
		char	   *on_error = word_arg(st->env, p, le, "onError");

		if (on_fail && strcasecmp(on_fail, "HALT") != 0 && strcasecmp(on_fail, "MARK_RAN") != 0 &&
			strcasecmp(on_fail, "WARN") != 0)
			lb_fail(st, cs->file, line,
					"onFail:CONTINUE would try the changeset again on every run, which schema_migrate cannot record; use HALT, MARK_RAN or WARN.",
					NULL, "precondition onFail value is not supported");
		if (on_error && strcasecmp(on_error, "HALT") != 0)
			lb_fail(st, cs->file, line,
					"A precondition whose check fails with an error stops the migration here (onError:HALT); fix the check instead.",
					NULL, "precondition onError value other than HALT is not supported");
		cs->on_fail = on_fail;
		return true;
	}
	if (!starts_ci(p, le, "precondition-"))
		return false;
	p += 13;
	if (starts_ci(p, le, "sql-check"))
	{
		const char *q = skip_blank(p + 9, le),
				   *v,
				   *ve;
		char	   *expected,
				   *sql,
				   *cond;
		size_t		sl;

		if (starts_ci(q, le, "expectedResult:"))
			q += 15;
		v = q;
		if (q < le && (*q == '\'' || *q == '"'))
		{
			ve = memchr(q + 1, *q, le - q - 1);
			if (!ve)
				lb_fail(st, cs->file, line, "Close the quoted expected result.", NULL, "unterminated expected result");
			expected = sm_strndup(st->env, v + 1, ve - v - 1);
			q = ve + 1;
		}
		else
		{
			while (q < le && (isalnum((unsigned char) *q) || *q == '_'))
				q++;
			expected = sm_strndup(st->env, v, q - v);
		}
		q = skip_blank(q, le);
		if (q == le || !*expected)
			lb_fail(st, cs->file, line, "Write \"--precondition-sql-check expectedResult:0 SELECT ...\".",
					NULL, "precondition-sql-check needs an expected result and a query");
		sl = le - q;
		while (sl && (isspace((unsigned char) q[sl - 1]) || q[sl - 1] == ';'))
			sl--;
		sql = sm_strndup(st->env, q, sl);
		cond = sm_alloc(st->env, sl + strlen(expected) * 2 + 64);
		sprintf(cond, "((%s)::text IS NOT DISTINCT FROM %s)", sql, sql_literal(st->env, expected));
		add_check(st, cs, cond);
	}
	else if (starts_ci(p, le, "table-exists"))
		relation_check(st, cs, p + 12, le, "table", "'r', 'p'");
	else if (starts_ci(p, le, "view-exists"))
		relation_check(st, cs, p + 11, le, "view", "'v', 'm'");
	else
		lb_fail(st, cs->file, line,
				"Formatted SQL knows --precondition-sql-check, --precondition-table-exists and --precondition-view-exists.",
				NULL, "unknown precondition");
	return true;
}

/* A dollar-quote tag that does not occur in s. */
static char *
dollar_tag(const SmEnv *env, const char *s)
{
	char	   *tag = sm_alloc(env, 32);

	for (int i = 0;; i++)
	{
		snprintf(tag, 32, "$lb%d$", i);
		if (!strstr(s, tag))
			return tag;
	}
}

/*
 * The preconditions as SQL run before the changeset's: onFail:HALT (the
 * default) raises an error naming the changeset; WARN raises a warning and
 * runs the SQL; MARK_RAN runs the SQL only when the check holds (through
 * EXECUTE, so only for a transactional changeset) and records it either way.
 */
static char *
precondition_sql(LbState *st, LbChangeSet *cs, const char *sql)
{
	const char *of = cs->on_fail ? cs->on_fail : "HALT";
	char	   *t = dollar_tag(st->env, sql),
			   *out;
	size_t		n = strlen(sql) + cs->checks_len + strlen(cs->id) + strlen(cs->author) + 256;

	if (strcasecmp(of, "MARK_RAN") == 0)
	{
		/* the body goes in as a second dollar-quoted string */
		char	   *t2 = sm_alloc(st->env, 40);

		if (!cs->transactional)
			lb_fail(st, cs->file, cs->line,
					"Use onFail:HALT, or move the precondition to a changeset that runs in a transaction.",
					NULL, "onFail:MARK_RAN with runInTransaction:false is not supported");
		snprintf(t2, 40, "$lbsql0$");
		for (int i = 1; strstr(sql, t2) || strstr(cs->checks, t2); i++)
			snprintf(t2, 40, "$lbsql%d$", i);
		n += strlen(t2) * 2;
		out = sm_alloc(st->env, n);
		snprintf(out, n, "DO %s BEGIN IF %s THEN EXECUTE %s%s%s; END IF; END %s;\n",
				 t, cs->checks, t2, sql, t2, t);
		return out;
	}
	out = sm_alloc(st->env, n);
	snprintf(out, n,
			 "DO %s BEGIN IF NOT (%s) THEN RAISE %s 'Liquibase precondition failed for changeset %s::%s::%s'; END IF; END %s;\n%s",
			 t, cs->checks, strcasecmp(of, "WARN") == 0 ? "WARNING" : "EXCEPTION",
			 cs->file, cs->id, cs->author, t, sql);
	return out;
}

/* ---------- building the migration ---------- */

static char *
sanitize(const SmEnv *env, const char *s)
{
	char	   *o = sm_strndup(env, s, strlen(s));

	for (char *p = o; *p; p++)
		if (!isalnum((unsigned char) *p) && *p != '_' && *p != '-' && *p != '.')
			*p = '_';
	return o;
}

/*
 * stripComments, as Liquibase 4.28 does it before running a formatted SQL
 * changeset (its SimpleSqlGrammar tokens): "--" to the end of the line and
 * "/" "* ... *" "/" go, wherever they stand outside '...' and "..." (in which
 * a backslash escapes the next character); the line end stays.  Liquibase
 * does not know dollar quoting, so comments in function bodies go too, which
 * is what pg_proc then holds (found on kevinpalis/gobii-db).
 */
static char *
strip_comments(const SmEnv *env, const char *s)
{
	size_t		n = strlen(s),
				k = 0;
	char	   *o = sm_alloc(env, n + 1);

	for (size_t i = 0; i < n;)
	{
		char		c = s[i];

		if (c == '\'' || c == '"')
		{
			o[k++] = s[i++];
			while (i < n && s[i] != c)
			{
				if (s[i] == '\\' && i + 1 < n)
					o[k++] = s[i++];
				o[k++] = s[i++];
			}
			if (i < n)
				o[k++] = s[i++];
		}
		else if (c == '-' && i + 1 < n && s[i + 1] == '-')
		{
			while (i < n && s[i] != '\n' && s[i] != '\r')
				i++;
		}
		else if (c == '/' && i + 1 < n && s[i + 1] == '*')
		{
			const char *e = strstr(s + i + 2, "*/");

			i = e ? (size_t) (e - s) + 2 : n;
		}
		else
			o[k++] = s[i++];
	}
	o[k] = '\0';
	return o;
}

/* Lines that are the delimiter alone become ";" (see apply_attribute). */
static char *
apply_delimiter(const SmEnv *env, const char *sql, const char *delim)
{
	char	   *out = NULL;
	size_t		ol = 0;
	const char *end = sql + strlen(sql),
			   *cur = sql,
			   *ls,
			   *le;
	size_t		dl;

	if (!delim || strcmp(delim, ";") == 0)
		return (char *) sql;
	dl = strlen(delim);
	while (fmt_next_line(end, &cur, &ls, &le))
	{
		const char *a = skip_blank(ls, le),
				   *b = le;

		while (b > a && isspace((unsigned char) b[-1]))
			b--;
		if ((size_t) (b - a) == dl && strncasecmp(a, delim, dl) == 0)
			append(env, &out, &ol, ";", 1);
		else
			append(env, &out, &ol, ls, le - ls);
		if (cur > le)
			append(env, &out, &ol, "\n", 1);
	}
	return out ? out : sm_strndup(env, "", 0);
}

static char *
trimmed(const SmEnv *env, const char *s, size_t n)
{
	while (n && isspace((unsigned char) *s))
		s++, n--;
	while (n && isspace((unsigned char) s[n - 1]))
		n--;
	return sm_strndup(env, s, n);
}

static void
finish_changeset(LbState *st, LbChangeSet *cs)
{
	const SmEnv *env = st->env;
	char	   *sql = trimmed(env, cs->sql ? cs->sql : "", cs->sql_len);
	const char *path = cs->logical_path ? cs->logical_path : cs->file;
	char	   *stem,
			   *rev,
			   *key,
			   *msg;
	size_t		n;
	Migration  *m;
	const char *slash = strrchr(path, '/'),
			   *base = slash ? slash + 1 : path;

	if (!*sql)
		lb_fail(st, cs->file, cs->line, "Give the changeset its SQL, or remove it.", NULL,
				"changeset without SQL");
	stem = sm_strndup(env, base, fmt_has_suffix(base, ".sql") ? strlen(base) - 4 : strlen(base));
	n = strlen(stem) + strlen(cs->id) + strlen(cs->author) + 3;
	rev = sm_alloc(env, n);
	snprintf(rev, n, "%s.%s.%s", sanitize(env, stem), sanitize(env, cs->id), sanitize(env, cs->author));
	n = strlen(path) + strlen(cs->id) + strlen(cs->author) + 5;
	key = sm_alloc(env, n);
	snprintf(key, n, "%s::%s::%s", path, cs->id, cs->author);
	if (cs->comment)
		msg = fmt_message(env, cs->file, cs->comment, strlen(cs->comment));
	else
	{
		msg = sm_alloc(env, strlen(cs->id) + strlen(cs->author) + 16);
		sprintf(msg, "changeset %s:%s", cs->author, cs->id);
	}
	fmt_check_revision(env, cs->file, rev);
	m = fmt_new_migration(env, cs->file, rev, msg);
	m->format = "Liquibase";
	m->text = sql;
	m->text_len = strlen(sql);
	m->up_line = cs->line + 1;
	m->transactional = cs->transactional;
	/*
	 * runOnChange: Liquibase runs such a changeset in its place in the
	 * changelog on a database that has not seen it (gobii-db's seed
	 * changesets call functions its runOnChange changesets define), so it
	 * is a migration of the chain here too; re-running it when it changes
	 * cannot be honoured, and schema_migrate.verify_checksums refuses the
	 * edited file as it refuses any edited migration.
	 */
	m->repeatable = false;
	m->tool_key = key;
	m->tool_checksum = cs->any_checksum ? NULL : fmt_liquibase_checksum(env, sql);
	m->up_sql = apply_delimiter(env, cs->strip_comments ? strip_comments(env, sql) : sql,
								cs->end_delimiter);
	if (cs->checks_len)
		m->up_sql = precondition_sql(st, cs, m->up_sql);
	if (cs->has_rollback)
	{
		m->has_down = true;
		m->down_sql = cs->rollback_empty ? sm_strndup(env, "", 0) :
			apply_delimiter(env, trimmed(env, cs->rollback, cs->rb_len), cs->rollback_delimiter);
	}
	if (cs->rollback_ref)
		m->down_file = cs->rollback_ref;	/* resolved in resolve_rollback_refs */
	if (st->list.n >= st->skipped_cap)
	{
		bool	   *ns = sm_alloc(env, sizeof(bool) * (st->skipped_cap * 2 + 64));

		if (st->skipped_cap)
			memcpy(ns, st->skipped, sizeof(bool) * st->skipped_cap);
		st->skipped = ns;
		st->skipped_cap = st->skipped_cap * 2 + 64;
	}
	st->skipped[st->list.n] = cs->skip;
	fmt_push(env, &st->list, m);
}

/*
 * "--rollback changesetId:x changesetAuthor:y [changesetPath:z]": the
 * rollback is that changeset's SQL.  Without changesetPath, Liquibase
 * looks in the same changelog and then in the ones including it; here in
 * the same file.
 */
static void
resolve_rollback_refs(LbState *st)
{
	for (int i = 0; i < st->list.n; i++)
	{
		Migration  *m = st->list.items[i];
		const char *ref = m->down_file;
		char	   *id,
				   *author,
				   *path;
		bool		found = false;

		if (!ref)
			continue;
		m->down_file = NULL;
		id = word_arg(st->env, ref, ref + strlen(ref), "changesetId");
		author = word_arg(st->env, ref, ref + strlen(ref), "changesetAuthor");
		path = word_arg(st->env, ref, ref + strlen(ref), "changesetPath");
		if (!id || !author)
			lb_fail(st, m->file, m->up_line, "Write \"--rollback changesetId:ID changesetAuthor:AUTHOR\".",
					NULL, "rollback reference without changesetId or changesetAuthor");
		/* Liquibase looks the changeset up as it parses: earlier ones only */
		for (int j = 0; j < i && !found; j++)
		{
			Migration  *o = st->list.items[j];
			size_t		kl = strlen(o->tool_key);
			char	   *suffix = sm_alloc(st->env, strlen(id) + strlen(author) + 5);

			sprintf(suffix, "::%s::%s", id, author);
			if (kl > strlen(suffix) && strcmp(o->tool_key + kl - strlen(suffix), suffix) == 0 &&
				(path ? strncmp(o->tool_key, path, strlen(path)) == 0 : strcmp(o->file, m->file) == 0))
			{
				m->has_down = true;
				m->down_sql = o->up_sql;
				found = true;
			}
		}
		if (!found)
			lb_fail(st, m->file, m->up_line, "The rollback names a changeset that is not in the changelog.",
					NULL, "rollback changeset does not exist");
	}
}

/* ---------- formatted SQL ---------- */

static bool
contains_ci(const char *p, const char *e, const char *w)
{
	for (; p < e; p++)
		if (starts_ci(p, e, w))
			return true;
	return false;
}

static void
read_formatted(LbState *st, const char *path, const char *text)
{
	const SmEnv *env = st->env;
	const char *end = text + strlen(text),
			   *cur = text,
			   *ls,
			   *le;
	int			line = 0;
	LbChangeSet *cs = NULL;
	const char *file_logical = NULL;
	bool		seen_header = false;

	while (fmt_next_line(end, &cur, &ls, &le))
	{
		const char *p;
		LbChangeSet next = {0};

		line++;
		if (le > ls && le[-1] == '\r')
			le--;
		p = after_dashes(ls, le, true);
		if (p && !seen_header && starts_ci(p, le, "liquibase"))
		{
			const char *lp;

			seen_header = true;
			for (lp = p; lp + 16 < le; lp++)
				if (strncasecmp(lp, "logicalFilePath:", 16) == 0)
				{
					const char *v = lp + 16,
							   *ve = v;

					while (ve < le && !isspace((unsigned char) *ve))
						ve++;
					file_logical = sm_strndup(env, v, ve - v);
				}
			if (!cs)
				continue;
		}
		if (p && starts_ci(p, le, "property"))
			lb_fail(st, path, line,
					"Liquibase changelog properties (${name}) are not supported: write the values into the SQL.",
					NULL, "\"--property\" is not supported");
		if (p && ls[0] == '-' && starts_ci(p, le, "ignoreLines:"))
		{
			const char *v = p + 12;

			if (starts_ci(v, le, "start"))
			{
				while (fmt_next_line(end, &cur, &ls, &le))
				{
					const char *q = after_dashes(ls, le, false);

					line++;
					if (q && starts_ci(q, le, "ignoreLines:end"))
						break;
				}
			}
			else
			{
				long		k = strtol(v, NULL, 10);

				if (k <= 0)
					lb_fail(st, path, line, "Write --ignoreLines:start, --ignoreLines:end or --ignoreLines:N.",
							NULL, "unknown ignoreLines syntax");
				while (k-- > 0 && fmt_next_line(end, &cur, &ls, &le))
					line++;
			}
			continue;
		}
		next.file = path;
		next.line = line;
		next.transactional = true;
		next.strip_comments = true;
		next.logical_path = file_logical;
		if (parse_changeset_line(st, &next, ls, le))
		{
			if (cs)
				finish_changeset(st, cs);
			cs = sm_alloc(env, sizeof(LbChangeSet));
			*cs = next;
			continue;
		}
		if (!cs)
		{
			if (p && ls[0] == '-' && starts_ci(p, le, "comment"))
				lb_fail(st, path, line, "Put the comment inside a changeset.", NULL,
						"comment line outside of a changeset");
			continue;
		}
		if (p && ls[0] == '-' && starts_ci(p, le, "comment") &&
			(starts_ci(p + 7, le, ": ") || starts_ci(p + 7, le, " ")))
		{
			const char *c = skip_blank(p + 7 + (p[7] == ':'), le);

			cs->comment = sm_strndup(env, c, le - c);
			continue;
		}
		if (p && ls[0] == '-' && starts_ci(p, le, "validCheckSum"))
		{
			cs->any_checksum = true;
			continue;
		}
		if (p && starts_ci(p, le, "rollback ") )
		{
			const char *r = p + 9;

			if (cs->rollback_ref == NULL && cs->rb_len == 0 &&
				(starts_ci(skip_blank(r, le), le, "not required") || starts_ci(skip_blank(r, le), le, "empty")))
				cs->rollback_empty = true;
			else if (contains_ci(r, le, "changesetid"))
				cs->rollback_ref = sm_strndup(env, r, le - r);
			else
			{
				append(env, &cs->rollback, &cs->rb_len, r, le - r);
				append(env, &cs->rollback, &cs->rb_len, "\n", 1);
			}
			cs->has_rollback = !cs->rollback_ref;
			continue;
		}
		{
			const char *q = skip_blank(ls, le);

			if (le - q >= 2 && q[0] == '/' && q[1] == '*' &&
				starts_ci(skip_blank(q + 2, le), le, "liquibase") &&
				starts_ci(skip_blank(skip_blank(q + 2, le) + 9, le), le, "rollback"))
			{
				bool		closed = false;

				while (!closed && fmt_next_line(end, &cur, &ls, &le))
				{
					const char *ce = le;

					line++;
					while (ce > ls && isspace((unsigned char) ce[-1]))
						ce--;
					if (ce - ls >= 2 && ce[-2] == '*' && ce[-1] == '/')
					{
						closed = true;
						ce -= 2;
					}
					else
						ce = le;
					append(env, &cs->rollback, &cs->rb_len, ls, ce - ls);
				}
				if (!closed)
					lb_fail(st, path, line, "Close the block with \"*/\".", NULL,
							"Liquibase rollback comment is not closed");
				cs->has_rollback = true;
				continue;
			}
		}
		if (p && precondition_line(st, cs, p, le, line))
			continue;
		append(env, &cs->sql, &cs->sql_len, ls, le - ls);
		append(env, &cs->sql, &cs->sql_len, "\n", 1);
	}
	if (cs)
		finish_changeset(st, cs);
}

/* SqlChangeLogParser: a plain SQL file is one changeset "raw" by "includeAll". */
static void
read_plain_sql(LbState *st, const char *path, const char *text)
{
	LbChangeSet cs = {0};

	cs.file = path;
	cs.line = 0;
	cs.id = "raw";
	cs.author = "includeAll";
	cs.transactional = true;
	append(st->env, &cs.sql, &cs.sql_len, text, strlen(text));
	finish_changeset(st, &cs);
}

/* ---------- master changelogs ---------- */

/* dir of path ("" for a top-level file) */
static char *
dir_of(const SmEnv *env, const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? sm_strndup(env, path, s - path) : sm_strndup(env, "", 0);
}

/* base + "/" + rel, with "./" and "../" resolved; NULL when it leaves the set */
static char *
resolve(const SmEnv *env, const char *base, const char *rel)
{
	char	   *joined = fmt_path(env, *rel == '/' ? "" : base, *rel == '/' ? rel + 1 : rel);
	char	   *out = sm_alloc(env, strlen(joined) + 1);
	size_t		ol = 0;
	char	   *p = joined;

	if (strncmp(p, "classpath:", 10) == 0)
		p += 10;
	while (*p)
	{
		char	   *seg = p;
		size_t		sl;

		while (*p && *p != '/')
			p++;
		sl = p - seg;
		if (*p)
			p++;
		if (sl == 0 || (sl == 1 && seg[0] == '.'))
			continue;
		if (sl == 2 && seg[0] == '.' && seg[1] == '.')
		{
			if (ol == 0)
				return NULL;
			while (ol > 0 && out[ol - 1] != '/')
				ol--;
			if (ol > 0)
				ol--;
			continue;
		}
		if (ol)
			out[ol++] = '/';
		memcpy(out + ol, seg, sl);
		ol += sl;
	}
	out[ol] = '\0';
	return out;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* every changelog file under dir, recursively */
static void
collect(LbState *st, const char *dir, char ***paths, int *n, int *cap)
{
	SmDirEntry *ents;
	int			ne = st->f->list(st->f->arg, dir, &ents);

	for (int i = 0; i < ne; i++)
	{
		char	   *p = fmt_path(st->env, dir, ents[i].name);

		if (ents[i].is_dir)
		{
			collect(st, p, paths, n, cap);
			continue;
		}
		if (!fmt_has_suffix(p, ".sql") && !fmt_has_suffix(p, ".xml") &&
			!fmt_has_suffix(p, ".yaml") && !fmt_has_suffix(p, ".yml"))
			continue;
		if (*n == *cap)
		{
			char	  **np = sm_alloc(st->env, sizeof(char *) * (*cap * 2 + 16));

			if (*n)
				memcpy(np, *paths, sizeof(char *) * *n);
			*paths = np;
			*cap = *cap * 2 + 16;
		}
		(*paths)[(*n)++] = p;
	}
}

static void
include_all(LbState *st, const char *from, int line, const char *dir)
{
	char	  **paths = NULL;
	int			n = 0,
				cap = 0;

	if (!dir)
		lb_fail(st, from, line, "includeAll paths stay inside the set.", NULL, "includeAll path leaves the set");
	collect(st, dir, &paths, &n, &cap);
	if (n == 0)
		lb_fail(st, from, line, "Point includeAll at a directory of changelogs.", NULL,
				"includeAll directory has no changelogs");
	qsort(paths, n, sizeof(char *), cmp_str);
	for (int i = 0; i < n; i++)
		lb_read_changelog(st, paths[i]);
}

/* value of attr="..." inside an XML tag [p, e) */
static char *
xml_attr(const SmEnv *env, const char *p, const char *e, const char *attr)
{
	size_t		al = strlen(attr);

	for (; p + al + 2 < e; p++)
		if (strncmp(p, attr, al) == 0 && isspace((unsigned char) p[-1]))
		{
			const char *q = skip_blank(p + al, e),
					   *v,
					   *ve;

			if (*q != '=')
				continue;
			q = skip_blank(q + 1, e);
			if (*q != '"' && *q != '\'')
				continue;
			v = q + 1;
			ve = memchr(v, *q, e - v);
			return ve ? sm_strndup(env, v, ve - v) : NULL;
		}
	return NULL;
}

static void
include_entry(LbState *st, const char *from, int line, bool all, const char *target,
			  const char *relative)
{
	const char *base = relative && is_true(relative) ? dir_of(st->env, from) : "";
	char	   *path;

	if (!target)
		lb_fail(st, from, line, all ? "Give includeAll a path." : "Give include a file.", NULL,
				all ? "includeAll without path" : "include without file");
	path = resolve(st->env, base, target);
	if (all)
	{
		include_all(st, from, line, path);
		return;
	}
	if (!path)
		lb_fail(st, from, line, "Included files stay inside the set.", NULL, "include leaves the set");
	lb_read_changelog(st, path);
}

static void
read_xml(LbState *st, const char *path, const char *text)
{
	for (const char *p = text; (p = strchr(p, '<')) != NULL; p++)
	{
		const char *e;
		int			line = fmt_b_line_of(text, p);

		if (strncmp(p, "<!--", 4) == 0)
		{
			e = strstr(p, "-->");
			if (!e)
				break;
			p = e;
			continue;
		}
		e = strchr(p, '>');
		if (!e)
			lb_fail(st, path, line, "Close the tag.", NULL, "unterminated XML tag");
		if (st->n_contexts && strncmp(p, "<include", 8) == 0 &&
			(xml_attr(st->env, p, e, "context") || xml_attr(st->env, p, e, "contextFilter")))
			lb_fail(st, path, line,
					"Give the contexts on the changesets of the included files.", NULL,
					"a context on an include is not supported");
		if (strncmp(p, "<include", 8) == 0 && (isspace((unsigned char) p[8]) || p[8] == '/'))
			include_entry(st, path, line, false, xml_attr(st->env, p, e, "file"),
						  xml_attr(st->env, p, e, "relativeToChangelogFile"));
		else if (strncmp(p, "<includeAll", 11) == 0)
			include_entry(st, path, line, true, xml_attr(st->env, p, e, "path"),
						  xml_attr(st->env, p, e, "relativeToChangelogFile"));
		else if (p[1] != '?' && p[1] != '/' && strncmp(p, "<databaseChangeLog", 18) != 0)
		{
			char		msg[200];
			const char *ne = p + 1;

			while (ne < e && !isspace((unsigned char) *ne) && *ne != '/')
				ne++;
			snprintf(msg, sizeof(msg), "XML element \"%.*s\" is not supported", (int) (ne - p - 1), p + 1);
			lb_fail(st, path, line,
					"A master changelog is read for its include and includeAll entries; write changesets in formatted SQL files.",
					NULL, msg);
		}
		p = e;
	}
}

/* YAML: "- include:" / "- includeAll:" items with file/path/relativeToChangelogFile */
static void
read_yaml(LbState *st, const char *path, const char *text)
{
	const char *end = text + strlen(text),
			   *cur = text,
			   *ls,
			   *le;
	int			line = 0,
				item_line = 0;
	int			kind = 0;		/* 1 include, 2 includeAll */
	char	   *target = NULL,
			   *relative = NULL;

	for (;;)
	{
		bool		more = fmt_next_line(end, &cur, &ls, &le);
		const char *p = more ? skip_blank(ls, le) : NULL;

		if (more)
			line++;
		if (more && (p == le || *p == '#'))
			continue;
		if (!more || (*p == '-' && (p + 1 == le || isspace((unsigned char) p[1]))))
		{
			if (kind)
				include_entry(st, path, item_line, kind == 2, target, relative);
			kind = 0;
			target = relative = NULL;
			if (!more)
				break;
			p = skip_blank(p + 1, le);
			item_line = line;
			if (starts_ci(p, le, "includeAll:"))
				kind = 2, p = skip_blank(p + 11, le);
			else if (starts_ci(p, le, "include:"))
				kind = 1, p = skip_blank(p + 8, le);
			else
			{
				const char *ke = p;
				char		msg[200];

				while (ke < le && *ke != ':')
					ke++;
				snprintf(msg, sizeof(msg), "YAML entry \"%.*s\" is not supported", (int) (ke - p), p);
				lb_fail(st, path, line,
						"A master changelog is read for its include and includeAll entries; write changesets in formatted SQL files.",
						NULL, msg);
			}
			if (p == le)
				continue;
		}
		if (starts_ci(p, le, "databaseChangeLog:"))
			continue;
		{
			const char *k = p,
					   *colon = memchr(p, ':', le - p),
					   *v;
			char	   *val;

			if (!colon || !kind)
				continue;
			v = skip_blank(colon + 1, le);
			val = trimmed(st->env, v, le - v);
			val = unquote(st->env, val, strlen(val));
			if (starts_ci(k, colon, "file") || starts_ci(k, colon, "path"))
				target = val;
			else if (starts_ci(k, colon, "relativeToChangelogFile"))
				relative = val;
		}
	}
}

static void
lb_read_changelog(LbState *st, const char *path)
{
	size_t		len;
	const char *raw,
			   *text;

	if (++st->depth > LB_MAX_DEPTH)
		lb_fail(st, path, 0, "Changelogs that include each other never end.", NULL,
				"changelogs nest too deeply");
	raw = st->f->read(st->f->arg, path, &len, true);
	if (!raw)
		sm_fail(st->env, SM_ERR_MALFORMED, path, 0, NULL,
				"Fix the include, or restore the file.",
				"Liquibase changelog \"%s\" does not exist", path);
	text = sm_normalise(st->env, raw, len, &len);
	if (fmt_has_suffix(path, ".xml"))
		read_xml(st, path, text);
	else if (fmt_has_suffix(path, ".yaml") || fmt_has_suffix(path, ".yml"))
		read_yaml(st, path, text);
	else
	{
		const char *p = skip_blank(text, text + len);
		const char *d = after_dashes(p, text + len, false);

		if (d && starts_ci(d, text + len, "liquibase") &&
			starts_ci(skip_blank(d + 9, text + len), text + len, "formatted"))
			read_formatted(st, path, text);
		else
			read_plain_sql(st, path, text);
	}
	st->depth--;
}

Migration **
fmt_read_liquibase(const SmFiles *f, int *n_out)
{
	LbState		st = {f, f->env, {0}, NULL, 0, 0, NULL, 0};
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	const char *master = NULL;
	FmtList		versioned = {0},
				repeatable = {0};

	for (int i = 0; i < n; i++)
	{
		size_t		len;
		const char *t;

		if (ents[i].is_dir || !(fmt_has_suffix(ents[i].name, ".xml") ||
								fmt_has_suffix(ents[i].name, ".yaml") ||
								fmt_has_suffix(ents[i].name, ".yml")))
			continue;
		t = f->read(f->arg, ents[i].name, &len, false);
		if (!strstr(t, "databaseChangeLog"))
			continue;
		if (master)
			sm_fail(f->env, SM_ERR_MALFORMED, ents[i].name, 0, NULL,
					"Keep one master changelog at the top of the set and include the others from it.",
					"Liquibase set has two master changelogs: \"%s\" and \"%s\"", master, ents[i].name);
		master = ents[i].name;
	}
	read_properties(&st);
	if (master)
		lb_read_changelog(&st, master);
	else
		for (int i = 0; i < n; i++)
			if (!ents[i].is_dir && fmt_has_suffix(ents[i].name, ".sql"))
				lb_read_changelog(&st, ents[i].name);
	resolve_rollback_refs(&st);
	for (int i = 0; i < st.list.n; i++)
		if (!st.skipped[i])
			fmt_push(f->env, st.list.items[i]->repeatable ? &repeatable : &versioned,
					 st.list.items[i]);
	fmt_chain(f->env, versioned.items, versioned.n);
	for (int i = 0; i < repeatable.n; i++)
		fmt_push(f->env, &versioned, repeatable.items[i]);
	*n_out = versioned.n;
	return versioned.items;
}
