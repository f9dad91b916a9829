/*-------------------------------------------------------------------------
 *
 * drizzle.c
 *	  Drizzle Kit folders: meta/_journal.json lists the migrations, each
 *	  "<tag>.sql" with "--> statement-breakpoint" between its statements.
 *
 * As drizzle-orm's migrator does (readMigrationFiles, pg-core dialect's
 * migrate): the journal's entries, in their order, are the migrations;
 * each reads "<tag>.sql" and splits it at every "--> statement-breakpoint"
 * (anywhere, even inside a string or a function body), running the parts
 * as separate statements.  Here each marker becomes ";", which splits the
 * same way under PostgreSQL's parser and keeps the line numbers.  The
 * revision id is the tag; the entry's "when" (folderMillis) is what
 * drizzle.__drizzle_migrations.created_at records, so it is the tool key
 * sm_adopt matches.  A journal for another dialect and an entry without
 * its file are refused (drizzle-orm fails on the latter: "No file ...
 * found"); a *.sql file the journal does not list is skipped, as
 * drizzle-orm skips it, but not silently: a WARNING names it.
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

#define JOURNAL "meta/_journal.json"
#define BREAKPOINT "--> statement-breakpoint"

typedef struct Json
{
	const SmEnv *env;
	const char *text;
	const char *p;
} Json;

static void
json_fail(Json *j, const char *what)
{
	sm_fail(j->env, SM_ERR_MALFORMED, JOURNAL, fmt_b_line_of(j->text, j->p),
			NULL, "Regenerate the journal with drizzle-kit generate.",
			"invalid Drizzle journal \"" JOURNAL "\" line %d: %s",
			fmt_b_line_of(j->text, j->p), what);
}

static void
ws(Json *j)
{
	while (*j->p && isspace((unsigned char) *j->p))
		j->p++;
}

static void
expect(Json *j, char c)
{
	ws(j);
	if (*j->p != c)
	{
		char		what[32];

		snprintf(what, sizeof(what), "expected \"%c\"", c);
		json_fail(j, what);
	}
	j->p++;
}

/* A JSON string; escapes other than \" \\ \/ are refused (tags have none). */
static char *
json_string(Json *j)
{
	const char *s;
	char	   *out,
			   *o;

	expect(j, '"');
	s = j->p;
	while (*j->p && *j->p != '"')
	{
		if (*j->p == '\\')
		{
			if (!strchr("\"\\/", j->p[1]) || !j->p[1])
				json_fail(j, "unsupported escape in a string");
			j->p++;
		}
		j->p++;
	}
	if (!*j->p)
		json_fail(j, "unterminated string");
	out = o = sm_alloc(j->env, j->p - s + 1);
	for (const char *q = s; q < j->p; q++)
	{
		if (*q == '\\')
			q++;
		*o++ = *q;
	}
	j->p++;
	return out;
}

/* Any value: a scalar's text is returned, an array or object is skipped. */
static char *
json_value(Json *j)
{
	const char *s;

	ws(j);
	if (*j->p == '"')
		return json_string(j);
	if (*j->p == '{' || *j->p == '[')
	{
		int			depth = 0;

		do
		{
			if (*j->p == '"')
			{
				json_string(j);
				continue;
			}
			if (*j->p == '{' || *j->p == '[')
				depth++;
			else if (*j->p == '}' || *j->p == ']')
				depth--;
			else if (!*j->p)
				json_fail(j, "unterminated value");
			j->p++;
		} while (depth > 0);
		return NULL;
	}
	s = j->p;
	while (*j->p && (isalnum((unsigned char) *j->p) || *j->p == '-' ||
					 *j->p == '+' || *j->p == '.'))
		j->p++;
	if (j->p == s)
		json_fail(j, "expected a value");
	return sm_strndup(j->env, s, j->p - s);
}

/* Is the next token the end of an object or array (after an optional ",")? */
static bool
json_more(Json *j, char close, bool first)
{
	ws(j);
	if (*j->p == close)
	{
		j->p++;
		return false;
	}
	if (!first)
		expect(j, ',');
	return true;
}

typedef struct Entry
{
	char	   *tag;
	char	   *when;
	int			line;
} Entry;

static Entry *
read_journal(const SmFiles *f, int *n_out)
{
	size_t		len;
	Json		j = {f->env, NULL, NULL};
	Entry	   *entries = NULL;
	int			n = 0;
	char	   *dialect = NULL;

	j.text = j.p = f->read(f->arg, JOURNAL, &len, false);
	expect(&j, '{');
	for (bool first = true; json_more(&j, '}', first); first = false)
	{
		char	   *key = json_string(&j);

		expect(&j, ':');
		if (strcmp(key, "dialect") == 0)
			dialect = json_value(&j);
		else if (strcmp(key, "entries") == 0)
		{
			entries = sm_alloc(f->env, sizeof(Entry) * (len / 8 + 1));
			expect(&j, '[');
			for (bool e1 = true; json_more(&j, ']', e1); e1 = false)
			{
				Entry	   *e = &entries[n++];

				ws(&j);
				e->line = fmt_b_line_of(j.text, j.p);
				expect(&j, '{');
				for (bool k1 = true; json_more(&j, '}', k1); k1 = false)
				{
					char	   *k = json_string(&j);
					char	   *v;

					expect(&j, ':');
					v = json_value(&j);
					if (strcmp(k, "tag") == 0)
						e->tag = v;
					else if (strcmp(k, "when") == 0)
						e->when = v;
				}
				if (!e->tag || !e->when || fmt_digits(e->when) != strlen(e->when))
					json_fail(&j, "an entry needs \"tag\" and a numeric \"when\"");
			}
		}
		else
			json_value(&j);
	}
	if (dialect && strcmp(dialect, "postgresql") != 0 && strcmp(dialect, "pg") != 0)
		sm_fail(f->env, SM_ERR_MALFORMED, JOURNAL, 0, NULL,
				"schema_migrate runs PostgreSQL migrations; generate them with dialect \"postgresql\".",
				"Drizzle journal \"" JOURNAL "\" is for dialect \"%s\"", dialect);
	*n_out = n;
	return entries;
}

/* The file with every breakpoint marker replaced by ";". */
static char *
split_breakpoints(const SmEnv *env, const char *text, size_t len)
{
	char	   *out = sm_alloc(env, len + 1),
			   *o = out;
	size_t		bl = strlen(BREAKPOINT);

	for (const char *p = text; p < text + len;)
	{
		if ((size_t) (text + len - p) >= bl && strncmp(p, BREAKPOINT, bl) == 0)
		{
			*o++ = ';';
			p += bl;
		}
		else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

static Migration *
read_entry(const SmFiles *f, const Entry *e)
{
	const SmEnv *env = f->env;
	size_t		tl = strlen(e->tag),
				len;
	char	   *file = sm_alloc(env, tl + 5);
	const char *raw;
	char	   *text;
	const char *msg;
	Migration  *m;

	snprintf(file, tl + 5, "%s.sql", e->tag);
	if (strchr(e->tag, '/'))
		sm_fail(env, SM_ERR_MALFORMED, JOURNAL, e->line, NULL,
				"Drizzle tags name files of the migrations folder itself.",
				"Drizzle journal entry \"%s\" names a file in another directory", e->tag);
	raw = f->read(f->arg, file, &len, true);
	if (!raw)
		sm_fail(env, SM_ERR_MALFORMED, JOURNAL, e->line, NULL,
				"Restore the file, or remove its entry with drizzle-kit drop.",
				"Drizzle journal \"" JOURNAL "\" lists \"%s\", which does not exist", file);
	text = sm_normalise(env, raw, len, &len);
	msg = e->tag + fmt_digits(e->tag);
	if (*msg == '_')
		msg++;
	fmt_check_revision(env, file, e->tag);
	m = fmt_new_migration(env, file, e->tag, fmt_message(env, file, msg, strlen(msg)));
	m->format = "Drizzle";
	m->text = text;
	m->text_len = len;
	m->up_sql = split_breakpoints(env, text, len);
	m->tool_key = e->when;
	return m;
}

/*
 * The *.sql files of the folder that the journal does not list: skipped,
 * as drizzle-orm's readMigrationFiles skips them (it reads the journal's
 * entries and never lists the folder), each named in a warning.
 */
static void
skip_unlisted(const SmFiles *f, const Entry *entries, int n)
{
	SmDirEntry *ents;
	int			ne = f->list(f->arg, "", &ents);

	for (int i = 0; i < ne; i++)
	{
		bool		listed = false;
		size_t		l = strlen(ents[i].name);
		char		msg[512];

		if (ents[i].is_dir || !fmt_has_suffix(ents[i].name, ".sql"))
			continue;
		for (int k = 0; k < n && !listed; k++)
			listed = strlen(entries[k].tag) == l - 4 &&
				strncmp(entries[k].tag, ents[i].name, l - 4) == 0;
		if (listed || f->warn == NULL)
			continue;
		snprintf(msg, sizeof(msg),
				 "Drizzle migration file \"%s\" is not in the journal \"" JOURNAL "\": skipped, as drizzle-orm skips it",
				 ents[i].name);
		f->warn(f->arg, msg,
				"drizzle-orm's migrator runs only the files meta/_journal.json lists: add it with drizzle-kit generate --custom if it should run, or move it out of the folder.");
	}
}

Migration **
fmt_read_drizzle(const SmFiles *f, int *n_out)
{
	int			n;
	Entry	   *entries = read_journal(f, &n);
	FmtList		l = {0};

	skip_unlisted(f, entries, n);
	for (int i = 0; i < n; i++)
		fmt_push(f->env, &l, read_entry(f, &entries[i]));
	fmt_chain(f->env, l.items, l.n);
	*n_out = l.n;
	return l.items;
}
