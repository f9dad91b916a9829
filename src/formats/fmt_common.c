/*-------------------------------------------------------------------------
 *
 * fmt_common.c
 *	  Helpers shared by the format adapters: building migrations, names and
 *	  versions, the {digits}_*.sql readers, and the one reader of a
 *	  migration kept as an up file and a down file.
 *
 * The adapters depend on these helpers, not on the dispatcher (formats.c),
 * as amcheck's verify_heapam.c and verify_nbtree.c depend on
 * verify_common.c.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/fmt_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- building migrations ---------- */

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

	/*
	 * A foreign tool's names are its users' names: a sqitch change may be
	 * called "base".  Only the target words themselves stay reserved for
	 * targets; such a revision is reached as "revision:base".
	 */
	if (!mig_valid_revision(rev, &why) && !mig_reserved_revision(rev))
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

/* ---------- up and down files ---------- */

/*
 * Key file to its pair: the pair of key (compared with cmp) gets file as
 * its up or down half, a new pair is made for a new key.  golang-migrate
 * and Flyway key files by version and direction only, so a second file of
 * one key and direction is the one error.
 */
FmtPair *
fmt_pair_file(const SmEnv *env, FmtPair *pairs, int *n, const char *key,
			  size_t key_len, bool up, const char *file,
			  int (*cmp) (const char *, size_t, const char *, size_t),
			  const char *tool)
{
	FmtPair    *p = NULL;
	const char **slot;

	for (int i = 0; i < *n && p == NULL; i++)
		if (cmp(pairs[i].key, pairs[i].key_len, key, key_len) == 0)
			p = &pairs[i];
	if (p == NULL)
	{
		p = &pairs[(*n)++];
		p->key = key;
		p->key_len = key_len;
	}
	slot = up ? &p->up : &p->down;
	if (*slot)
		sm_fail(env, SM_ERR_DUPLICATE, file, 0, NULL,
				"Give each migration its own version.",
				"%s files \"%s\" and \"%s\" have the same version",
				tool, *slot, file);
	*slot = file;
	return p;
}

/*
 * The SQL of a migration kept as an up file and a down file (golang-migrate,
 * Flyway, diesel, sqitch): up becomes up_sql and the text of the checksum
 * (NULL: an empty up, as golang-migrate runs a version that has only a down
 * file); down, when given and present, the down section.  Returns false,
 * setting nothing, when the up file does not exist.
 */
bool
fmt_read_pair(const SmFiles *f, Migration *m, const char *up, const char *down)
{
	const char *raw;
	size_t		len;

	if (up)
	{
		if ((raw = f->read(f->arg, up, &len, true)) == NULL)
			return false;
		m->up_sql = sm_normalise(f->env, raw, len, &m->text_len);
	}
	m->text = m->up_sql;
	if (down && (raw = f->read(f->arg, down, &len, true)) != NULL)
	{
		m->down_sql = sm_normalise(f->env, raw, len, &len);
		m->has_down = true;
		m->down_line = 1;
		m->down_file = strcmp(down, m->file) == 0 ? NULL : down;
	}
	return true;
}

/* ---------- Flyway callbacks ---------- */

/* The events of org.flywaydb.core.api.callback.Event that migrate fires. */
static const char *const flyway_migrate_events[] = {
	"beforeMigrate", "beforeEachMigrate", "beforeEachMigrateStatement",
	"afterEachMigrateStatement", "afterEachMigrateStatementError",
	"afterEachMigrate", "afterEachMigrateError", "beforeRepeatables",
	"afterVersioned", "afterMigrateApplied", "afterMigrate",
	"afterMigrateError", "afterMigrateOperationFinish", "beforeConnect",
	"afterConnect", "beforeCreateSchema", "createSchema"
};
static const char *const flyway_other_prefixes[] = {
	"beforeClean", "afterClean", "beforeUndo", "beforeEachUndo",
	"afterEachUndo", "afterUndo", "beforeValidate", "afterValidate",
	"beforeBaseline", "afterBaseline", "beforeRepair", "afterRepair",
	"beforeInfo", "afterInfo"
};

static bool
is_event(const char *name, const char *event, bool prefix_only)
{
	size_t		el = strlen(event);

	if (strncmp(name, event, el) != 0)
		return false;
	if (prefix_only)
		return true;
	return strcmp(name + el, ".sql") == 0 || strncmp(name + el, "__", 2) == 0;
}

char
fmt_flyway_callback(const char *name)
{
	for (size_t i = 0; i < sizeof(flyway_migrate_events) / sizeof(flyway_migrate_events[0]); i++)
		if (is_event(name, flyway_migrate_events[i], false))
			return 'm';
	for (size_t i = 0; i < sizeof(flyway_other_prefixes) / sizeof(flyway_other_prefixes[0]); i++)
		if (is_event(name, flyway_other_prefixes[i], true))
			return 'o';
	return 0;
}
