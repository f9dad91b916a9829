/*-------------------------------------------------------------------------
 *
 * formats.c
 *	  Decide which tool a migration set was written for, dispatch to that
 *	  format's adapter, and the small helpers the adapters share.
 *
 * Detection looks at every entry of the set's directory and gives each a
 * format from its name, and for "{digits}_*.sql" files (native, dbmate and
 * goose all use that shape) from its section markers.  Entries that belong
 * to no format (README.md, sqitch.conf, a directory without up.sql) are
 * left alone, as the native reader always left non-*.sql files alone.  Two
 * entries of different formats make the set ambiguous: that is an error
 * naming both, never a guess.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const format_names[] = {
	"native", "golang-migrate", "Flyway", "dbmate", "goose", "diesel", "sqitch"
};

const char *
fmt_name(SmFormat fmt)
{
	return format_names[fmt];
}

/* ---------- shared helpers ---------- */

void
fmt_push(const SmEnv *env, FmtList *l, Migration *m)
{
	if (l->n == l->cap)
	{
		int			cap = l->cap ? l->cap * 2 : 32;
		Migration **items = sm_alloc(env, sizeof(Migration *) * (cap + 1));

		if (l->n)
			memcpy(items, l->items, sizeof(Migration *) * l->n);
		l->items = items;
		l->cap = cap;
	}
	if (l->n >= SM_MAX_FILES)
		sm_fail(env, SM_ERR_LIMIT, m->file, 0, NULL, NULL,
				"migration set has more than %d migrations", SM_MAX_FILES);
	l->items[l->n++] = m;
}

Migration *
fmt_new_migration(const SmEnv *env, const char *file, const char *revision,
				  const char *message)
{
	Migration  *m = sm_alloc(env, sizeof(Migration));

	m->file = file;
	m->revision = (char *) revision;
	m->message = (char *) message;
	m->down_given = true;		/* parents come from the tool's order */
	m->transactional = true;
	m->lock_timeout_ms = -1;
	m->statement_timeout_ms = -1;
	m->up_sql = sm_strndup(env, "", 0);
	m->up_line = 1;
	return m;
}


void
fmt_check_revision(const SmEnv *env, const char *file, const char *rev)
{
	const char *why;

	if (!mig_valid_revision(rev, &why))
		sm_fail(env, SM_ERR_MALFORMED, file, 0, NULL,
				"Revision ids may contain only letters, digits, \"_\", \"-\" and \".\"; rename the file.",
				"invalid version \"%.64s\" taken from file \"%s\": %s",
				rev, file, why);
}

char *
fmt_message(const SmEnv *env, const char *file, const char *s, size_t len)
{
	char	   *msg;

	if (len > SM_MAX_MESSAGE_LEN)
		sm_fail(env, SM_ERR_LIMIT, file, 0, NULL, NULL,
				"description longer than %d bytes in file \"%s\"",
				SM_MAX_MESSAGE_LEN, file);
	msg = sm_strndup(env, s, len);
	for (char *p = msg; *p; p++)
		if (*p == '_')
			*p = ' ';
	return msg;
}

void
fmt_chain(const SmEnv *env, Migration **migs, int n)
{
	for (int i = 0; i < n; i++)
	{
		migs[i]->down_given = true;
		if (i == 0)
			continue;
		migs[i]->n_parents = 1;
		migs[i]->parents = sm_alloc(env, sizeof(char *));
		migs[i]->parents[0] = migs[i - 1]->revision;
	}
}

int
fmt_cmp_digits(const char *a, size_t alen, const char *b, size_t blen)
{
	int			c;

	while (alen > 1 && *a == '0')
		a++, alen--;
	while (blen > 1 && *b == '0')
		b++, blen--;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	c = memcmp(a, b, alen);
	return c < 0 ? -1 : c > 0;
}

char *
fmt_strip_zeros(const SmEnv *env, const char *s, size_t len)
{
	while (len > 1 && *s == '0')
		s++, len--;
	return sm_strndup(env, s, len);
}

bool
fmt_has_suffix(const char *s, const char *suffix)
{
	size_t		l = strlen(s),
				sl = strlen(suffix);

	return l >= sl && strcmp(s + l - sl, suffix) == 0;
}

size_t
fmt_digits(const char *s)
{
	size_t		n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

char *
fmt_path(const SmEnv *env, const char *dir, const char *name)
{
	size_t		dl = strlen(dir),
				nl = strlen(name);
	char	   *p;

	if (dl == 0)
		return sm_strndup(env, name, nl);
	p = sm_alloc(env, dl + nl + 2);
	snprintf(p, dl + nl + 2, "%s/%s", dir, name);
	return p;
}

int
fmt_line_of(const char *text, const char *p)
{
	int			line = 1;

	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

bool
fmt_next_line(const char *end, const char **cursor, const char **ls,
			  const char **le)
{
	const char *nl;

	if (*cursor >= end)
		return false;
	*ls = *cursor;
	nl = memchr(*ls, '\n', end - *ls);
	*le = nl ? nl : end;
	*cursor = nl ? nl + 1 : end;
	return true;
}

/* ---------- detection ---------- */

/* Does a line of text start with the comment marker "-- <word>"? */
static bool
has_marker_line(const char *text, const char *word, bool nocase)
{
	const char *cur = text,
			   *end = text + strlen(text),
			   *ls,
			   *le;
	size_t		wl = strlen(word);

	while (fmt_next_line(end, &cur, &ls, &le))
	{
		while (ls < le && (*ls == ' ' || *ls == '\t'))
			ls++;
		if (le - ls < 2 || ls[0] != '-' || ls[1] != '-')
			continue;
		ls += 2;
		while (ls < le && (*ls == ' ' || *ls == '\t'))
			ls++;
		if ((size_t) (le - ls) >= wl &&
			(nocase ? strncasecmp(ls, word, wl) : strncmp(ls, word, wl)) == 0 &&
			((size_t) (le - ls) == wl || isspace((unsigned char) ls[wl])))
			return true;
	}
	return false;
}

static bool
is_golang_name(const char *name)
{
	size_t		d = fmt_digits(name);

	return d > 0 && name[d] == '_' &&
		(fmt_has_suffix(name, ".up.sql") || fmt_has_suffix(name, ".down.sql"));
}

static bool
is_flyway_name(const char *name)
{
	if (strncmp(name, "R__", 3) == 0)
		return true;
	return (name[0] == 'V' || name[0] == 'U') &&
		isdigit((unsigned char) name[1]) && strstr(name, "__") != NULL;
}

/* A *.sql entry at the top of the set. */
static SmFormat
classify_sql(const SmFiles *f, const char *name)
{
	const char *text;
	size_t		len;

	if (is_golang_name(name))
		return SM_FMT_GOLANG_MIGRATE;
	if (is_flyway_name(name))
		return SM_FMT_FLYWAY;
	if (fmt_digits(name) == 0)
		return SM_FMT_NATIVE;
	text = f->read(f->arg, name, &len, false);
	if (has_marker_line(text, "migrate:up", false))
		return SM_FMT_DBMATE;
	if (has_marker_line(text, "+goose up", true))
		return SM_FMT_GOOSE;
	return SM_FMT_NATIVE;
}

static bool
dir_has_file(const SmFiles *f, const char *dir, const char *file)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, dir, &ents);

	for (int i = 0; i < n; i++)
		if (!ents[i].is_dir && strcmp(ents[i].name, file) == 0)
			return true;
	return false;
}

/* The format an entry belongs to, or -1 when it belongs to none. */
static int
classify_entry(const SmFiles *f, const SmDirEntry *e, bool has_plan,
			   bool has_diesel)
{
	if (e->is_dir)
	{
		if (has_plan && (strcmp(e->name, "deploy") == 0 ||
						 strcmp(e->name, "revert") == 0 ||
						 strcmp(e->name, "verify") == 0))
			return SM_FMT_SQITCH;
		return dir_has_file(f, e->name, "up.sql") ? SM_FMT_DIESEL : -1;
	}
	if (strcmp(e->name, "sqitch.plan") == 0)
		return SM_FMT_SQITCH;
	if (!fmt_has_suffix(e->name, ".sql") || strlen(e->name) <= 4)
		return -1;
	{
		SmFormat	k = classify_sql(f, e->name);

		/*
		 * sqitch reads only the scripts the plan names and diesel only the
		 * migration directories, so a project's other SQL files there (seed
		 * data, a schema dump) are no migrations; a file named in another
		 * tool's way still makes the set ambiguous.
		 */
		if ((has_plan || has_diesel) && k == SM_FMT_NATIVE)
			return -1;
		return k;
	}
}

/* Two entries disagree: say which, with a hint for the usual mistakes. */
static void
fail_mixed(const SmFiles *f, const char *a, SmFormat fa, const char *b,
		   SmFormat fb)
{
	char		detail[1024];
	const char *native = fa == SM_FMT_NATIVE ? a : fb == SM_FMT_NATIVE ? b : NULL;
	const char *hint = "Keep one tool's files per set: move the others to a set of their own.";

	snprintf(detail, sizeof(detail),
			 "\"%s\" is a %s migration and \"%s\" is a %s migration.",
			 a, fmt_name(fa), b, fmt_name(fb));
	if (native && (native[0] == 'V' || native[0] == 'U' || native[0] == 'R') &&
		(fa == SM_FMT_FLYWAY || fb == SM_FMT_FLYWAY))
		hint = "Flyway file names separate version and description with two underscores: V1__init.sql, U1__init.sql, R__views.sql.";
	else if (native && (strstr(native, ".up.") || strstr(native, ".down.")))
		hint = "golang-migrate file names are {version}_{title}.up.sql and {version}_{title}.down.sql.";
	sm_fail(f->env, SM_ERR_MALFORMED, b, 0, detail, hint,
			"migration set mixes formats: files \"%s\" and \"%s\"", a, b);
}

SmFormat
fmt_detect(const SmFiles *f)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	bool		has_plan = false;
	bool		has_diesel = false;
	int			found = -1;
	const char *found_name = NULL;

	for (int i = 0; i < n; i++)
	{
		if (!ents[i].is_dir && strcmp(ents[i].name, "sqitch.plan") == 0)
			has_plan = true;
		if (ents[i].is_dir && dir_has_file(f, ents[i].name, "up.sql"))
			has_diesel = true;
	}
	for (int i = 0; i < n; i++)
	{
		int			k = classify_entry(f, &ents[i], has_plan, has_diesel);

		if (k < 0)
			continue;
		if (found < 0)
		{
			found = k;
			found_name = ents[i].name;
		}
		else if (k != found)
			fail_mixed(f, found_name, (SmFormat) found, ents[i].name,
					   (SmFormat) k);
	}
	return found < 0 ? SM_FMT_NATIVE : (SmFormat) found;
}

Migration **
fmt_read(const SmFiles *f, SmFormat fmt, int *n_out)
{
	switch (fmt)
	{
		case SM_FMT_NATIVE:
			return fmt_read_native(f, n_out);
		case SM_FMT_GOLANG_MIGRATE:
			return fmt_read_golang_migrate(f, n_out);
		case SM_FMT_FLYWAY:
			return fmt_read_flyway(f, n_out);
		case SM_FMT_DBMATE:
			return fmt_read_dbmate(f, n_out);
		case SM_FMT_GOOSE:
			return fmt_read_goose(f, n_out);
		case SM_FMT_DIESEL:
			return fmt_read_diesel(f, n_out);
		case SM_FMT_SQITCH:
			return fmt_read_sqitch(f, n_out);
	}
	return fmt_read_native(f, n_out);
}

/* ---------- the native format ---------- */

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

/* ---------- {digits}_*.sql formats (dbmate, goose) ---------- */

/* goose: the version as an integer (int64 in goose) */
int
fmt_cmp_numeric_version(const void *a, const void *b)
{
	const Migration *x = *(Migration *const *) a;
	const Migration *y = *(Migration *const *) b;

	return fmt_cmp_digits(x->revision, strlen(x->revision),
						  y->revision, strlen(y->revision));
}

/* dbmate: the file name, byte by byte (Go's sort of string file names) */
int
fmt_cmp_file_name(const void *a, const void *b)
{
	const Migration *x = *(Migration *const *) a;
	const Migration *y = *(Migration *const *) b;

	return strcmp(x->file, y->file);
}

Migration **
fmt_read_numbered(const SmFiles *f,
				  Migration *(*parse) (const SmFiles *f, const char *name),
				  const char *tool, int *n_out)
{
	return fmt_read_numbered_by(f, parse, tool, fmt_cmp_numeric_version, n_out);
}

/*
 * Every *.sql file of the set through parse, in the tool's order (cmp),
 * chained in that order.  Two files with one revision id are an error.
 */
Migration **
fmt_read_numbered_by(const SmFiles *f,
					 Migration *(*parse) (const SmFiles *f, const char *name),
					 const char *tool, int (*cmp) (const void *, const void *),
					 int *n_out)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	FmtList		l = {0};

	for (int i = 0; i < n; i++)
		if (!ents[i].is_dir && fmt_has_suffix(ents[i].name, ".sql"))
			fmt_push(f->env, &l, parse(f, ents[i].name));
	if (l.n)
		qsort(l.items, l.n, sizeof(Migration *), cmp);
	fmt_check_unique(f->env, l.items, l.n, tool);
	fmt_chain(f->env, l.items, l.n);
	*n_out = l.n;
	return l.items;
}

/* Refuse two migrations with one revision id (or one integer version). */
void
fmt_check_unique(const SmEnv *env, Migration **migs, int n, const char *tool)
{
	Migration **byrev;

	if (n < 2)
		return;
	byrev = sm_alloc(env, sizeof(Migration *) * n);
	memcpy(byrev, migs, sizeof(Migration *) * n);
	qsort(byrev, n, sizeof(Migration *), fmt_cmp_numeric_version);
	for (int i = 1; i < n; i++)
		if (fmt_cmp_numeric_version(&byrev[i - 1], &byrev[i]) == 0)
			sm_fail(env, SM_ERR_DUPLICATE, byrev[i]->file, 0, NULL,
					"Give each migration its own version.",
					"%s files \"%s\" and \"%s\" have the same version",
					tool, byrev[i - 1]->file, byrev[i]->file);
}
