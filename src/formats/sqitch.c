/*-------------------------------------------------------------------------
 *
 * sqitch.c
 *	  sqitch projects: sqitch.plan, with deploy/, revert/ and verify/
 *	  scripts named after the changes.
 *
 * The plan decides the order: each change's parent is the change before
 * it, and its [dependencies] become depends_on edges.  A dependency on
 * another project ("other:change") cannot be checked against this set's
 * files, so it is ignored (the docs say so); a conflict ("!change") is
 * ignored too.  A tag ("@v1.0") becomes a branch label of the change
 * before it.  A reworked change (its name planned again after a tag)
 * keeps the plain name and scripts for its last instance; an earlier
 * instance uses the scripts "name@TAG.sql", TAG being a tag between it
 * and the next instance (see name_changes), and gets the revision id
 * "name--TAG" ("@" cannot be in a revision id).  The verify script goes
 * into the migration's verify_sql, to run after the deploy script.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/fmt_common.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PLAN "sqitch.plan"

typedef struct PlanChange
{
	char	   *name;
	int			line;
	int			n_deps;
	char	  **deps;
	char	   *note;
	char	   *base;			/* script name without ".sql" */
	Migration  *mig;
} PlanChange;

typedef struct PlanTag
{
	char	   *name;
	int			after;			/* index of the change it tags */
} PlanTag;

typedef struct Plan
{
	const SmEnv *env;
	char	   *project;
	int			n_changes;
	PlanChange *changes;
	int			n_tags;
	PlanTag    *tags;
} Plan;

static void
plan_error(const Plan *p, int line, const char *hint, const char *what)
{
	sm_fail(p->env, SM_ERR_MALFORMED, PLAN, line, NULL, hint,
			"%s in file \"" PLAN "\" line %d", what, line);
}

static const char *
skip_ws(const char *s, const char *e)
{
	while (s < e && isspace((unsigned char) *s))
		s++;
	return s;
}

static const char *
word_end(const char *s, const char *e)
{
	while (s < e && !isspace((unsigned char) *s) && *s != '[')
		s++;
	return s;
}

/* "[a b:c !d]" -> the names */
static int
parse_deps(Plan *p, int line, const char **sp, const char *e, char ***out)
{
	const char *s = *sp + 1;
	const char *close = memchr(s, ']', e - s);
	int			n = 0;

	if (!close)
		plan_error(p, line, "Close the dependency list with \"]\".", "unclosed \"[\"");
	*out = sm_alloc(p->env, sizeof(char *) * ((close - s) / 2 + 2));
	for (s = skip_ws(s, close); s < close; s = skip_ws(s, close))
	{
		const char *we = s;

		while (we < close && !isspace((unsigned char) *we))
			we++;
		(*out)[n++] = sm_strndup(p->env, s, we - s);
		s = we;
	}
	*sp = close + 1;
	return n;
}

static char *
note_of(const Plan *p, const char *s, const char *e)
{
	const char *hash = memchr(s, '#', e - s);

	if (!hash)
		return NULL;
	hash = skip_ws(hash + 1, e);
	while (e > hash && isspace((unsigned char) e[-1]))
		e--;
	return e > hash ? sm_strndup(p->env, hash, e - hash) : NULL;
}

static void
plan_line(Plan *p, int line, const char *s, const char *e)
{
	const char *we;

	s = skip_ws(s, e);
	if (s == e || *s == '#')
		return;
	if (*s == '%')
	{
		if (e - s > 9 && strncmp(s, "%project=", 9) == 0)
			p->project = sm_strndup(p->env, s + 9, word_end(s + 9, e) - (s + 9));
		return;
	}
	if (*s == '@')
	{
		if (p->n_changes == 0)
			plan_error(p, line, "A tag names the change planned before it.", "tag before the first change");
		we = word_end(s + 1, e);
		p->tags[p->n_tags].name = sm_strndup(p->env, s + 1, we - s - 1);
		p->tags[p->n_tags].after = p->n_changes - 1;
		p->n_tags++;
		return;
	}
	if (*s == '+')
		s++;
	else if (*s == '-')
		plan_error(p, line, "Plans that revert changes (\"-name\") are not supported; edit the plan with sqitch rework or remove.", "a revert entry");
	{
		PlanChange *c = &p->changes[p->n_changes];

		we = word_end(s, e);
		if (we == s)
			plan_error(p, line, "A change line starts with the change's name.", "a change without a name");
		c->name = sm_strndup(p->env, s, we - s);
		c->line = line;
		s = skip_ws(we, e);
		if (s < e && *s == '[')
			c->n_deps = parse_deps(p, line, &s, e, &c->deps);
		c->note = note_of(p, s, e);
		p->n_changes++;
	}
}

static void
parse_plan(Plan *p, const char *text)
{
	const char *end = text + strlen(text),
			   *cur = text,
			   *ls,
			   *le;
	int			line = 0,
				lines = 1;

	for (const char *q = text; *q; q++)
		lines += *q == '\n';
	p->changes = sm_alloc(p->env, sizeof(PlanChange) * (lines + 1));
	p->tags = sm_alloc(p->env, sizeof(PlanTag) * (lines + 1));
	while (fmt_next_line(end, &cur, &ls, &le))
		{
		line++;
		plan_line(p, line, ls, le);
	}
}

/* "name@tag" */
static char *
tagged_name(const Plan *p, const char *name, const char *tag)
{
	size_t		nl = strlen(name),
				tl = strlen(tag);
	char	   *b = sm_alloc(p->env, nl + tl + 2);

	snprintf(b, nl + tl + 2, "%s@%s", name, tag);
	return b;
}

/*
 * Script names and revision ids, now that reworks are known.  An earlier
 * instance of a reworked change may carry any tag planned between it and
 * the next instance: sqitch rework names the copy after the latest tag
 * when it runs, so with several tags in between, the scripts are found
 * under whichever of them exists in deploy/, first in plan order, as
 * sqitch looks them up.  With none there, the first tag's name is used
 * (and the missing script is reported).
 */
static void
name_changes(Plan *p, const SmFiles *f)
{
	for (int i = 0; i < p->n_changes; i++)
	{
		PlanChange *c = &p->changes[i];
		int			next = -1;
		int			t = -1;

		for (int j = i + 1; j < p->n_changes && next < 0; j++)
			if (strcmp(p->changes[j].name, c->name) == 0)
				next = j;
		c->base = c->name;
		if (next < 0)
			continue;
		for (int k = 0; k < p->n_tags; k++)
		{
			char	   *b,
					   *path;
			size_t		len;

			if (p->tags[k].after < i || p->tags[k].after >= next)
				continue;
			b = tagged_name(p, c->name, p->tags[k].name);
			if (t < 0)
			{
				t = k;
				c->base = b;
			}
			path = sm_alloc(p->env, strlen(b) + 12);
			snprintf(path, strlen(b) + 12, "deploy/%s.sql", b);
			if (f->read(f->arg, path, &len, true) != NULL)
			{
				c->base = b;
				break;
			}
		}
		if (t < 0)
			plan_error(p, c->line, "sqitch reworks a change only after a tag; add one between.", "reworked change without a tag after it");
	}
}

/* The change a dependency names, as seen from change i; -1 to ignore. */
static int
resolve_dep(const Plan *p, int i, const char *dep)
{
	const char *colon = strchr(dep, ':');
	const char *at;
	size_t		nl;
	int			limit = i;

	if (dep[0] == '!')
		return -1;				/* a conflict: nothing to order */
	if (colon)
	{
		if (p->project == NULL || strncmp(dep, p->project, colon - dep) != 0 ||
			p->project[colon - dep] != '\0')
			return -1;			/* another project's change */
		dep = colon + 1;
	}
	at = strchr(dep, '@');
	nl = at ? (size_t) (at - dep) : strlen(dep);
	if (at)
	{
		limit = -1;
		for (int k = 0; k < p->n_tags; k++)
			if (strcmp(p->tags[k].name, at + 1) == 0)
				limit = p->tags[k].after + 1;
		if (limit < 0 || limit > i)
			return -2;
	}
	for (int j = limit - 1; j >= 0; j--)
		if (strlen(p->changes[j].name) == nl &&
			strncmp(p->changes[j].name, dep, nl) == 0)
			return j;
	return -2;
}

static char *
revision_of(const Plan *p, const PlanChange *c)
{
	char	   *rev = sm_strndup(p->env, c->base, strlen(c->base));
	char	   *at = strchr(rev, '@');

	if (at)
	{
		size_t		l = strlen(rev);
		char	   *r2 = sm_alloc(p->env, l + 2);

		memcpy(r2, rev, at - rev);
		r2[at - rev] = '-';
		r2[at - rev + 1] = '-';
		memcpy(r2 + (at - rev) + 2, at + 1, l - (at - rev) - 1);
		rev = r2;
	}
	return rev;
}

/*
 * sqitch change names may hold "/" (their scripts then sit in
 * subdirectories: "type/user" is deploy/type/user.sql), and sqitch
 * deploys them; the revision id keeps the name as sqitch.changes records
 * it.  Everything else a revision id must be, it must be.
 */
static void
check_change_id(const SmEnv *env, const char *file, const char *rev)
{
	size_t		l = strlen(rev);
	char	   *copy = sm_strndup(env, rev, l);

	for (char *p = copy; *p; p++)
		if (*p == '/' && p > copy && p[1] != '\0' && p[1] != '/')
			*p = '-';
	fmt_check_revision(env, file, copy);
}

/* "dir/base.sql" */
static char *
script_path(const SmFiles *f, const char *dir, const char *base)
{
	size_t		bl = strlen(base);
	char	   *name = sm_alloc(f->env, bl + 5);

	snprintf(name, bl + 5, "%s.sql", base);
	return fmt_path(f->env, dir, name);
}

static Migration *
make_migration(const SmFiles *f, Plan *p, int i)
{
	PlanChange *c = &p->changes[i];
	char	   *deploy = script_path(f, "deploy", c->base);
	char	   *verify = script_path(f, "verify", c->base);
	Migration  *m = fmt_new_migration(f->env, deploy, revision_of(p, c),
									  c->note ? c->note : c->name);
	const char *raw;
	size_t		len;

	check_change_id(f->env, deploy, m->revision);
	m->format = "sqitch";
	if (!fmt_read_pair(f, m, deploy, script_path(f, "revert", c->base)))
		sm_fail(f->env, SM_ERR_MALFORMED, PLAN, 0,
				"Every change in the plan needs a deploy script.",
				"Add the script, or remove the change from the plan.",
				"sqitch plan names change \"%s\" but its deploy script \"%s\" is missing",
				c->base, deploy);
	if ((raw = f->read(f->arg, verify, &len, true)) != NULL)
	{
		m->verify_sql = sm_normalise(f->env, raw, len, &len);
		m->verify_line = 1;
		m->verify_file = verify;
	}
	return m;
}

static void
add_edges(const Plan *p, int i)
{
	PlanChange *c = &p->changes[i];
	Migration  *m = c->mig;

	m->depends_on = sm_alloc(p->env, sizeof(char *) * (c->n_deps + 1));
	for (int d = 0; d < c->n_deps; d++)
	{
		int			j = resolve_dep(p, i, c->deps[d]);

		if (j == -2)
		{
			char		msg[512];

			snprintf(msg, sizeof(msg), "change \"%s\" depends on \"%s\", which is not planned before it",
					 c->name, c->deps[d]);
			plan_error(p, c->line, "A dependency names a change (or change@tag) planned earlier in the same plan.", msg);
		}
		if (j < 0 || (i > 0 && j == i - 1))
			continue;			/* ignored, or the parent already */
		m->depends_on[m->n_depends++] = p->changes[j].mig->revision;
	}
}

Migration **
fmt_read_sqitch(const SmFiles *f, int *n_out)
{
	size_t		len;
	const char *text = f->read(f->arg, PLAN, &len, false);
	Plan		p = {f->env, NULL, 0, NULL, 0, NULL};
	Migration **migs;

	parse_plan(&p, sm_normalise(f->env, text, len, &len));
	name_changes(&p, f);
	migs = sm_alloc(f->env, sizeof(Migration *) * (p.n_changes + 1));
	for (int i = 0; i < p.n_changes; i++)
		migs[i] = p.changes[i].mig = make_migration(f, &p, i);
	for (int i = 0; i < p.n_changes; i++)
		add_edges(&p, i);
	for (int t = 0; t < p.n_tags; t++)
	{
		Migration  *m = p.changes[p.tags[t].after].mig;
		char	  **labels = sm_alloc(f->env, sizeof(char *) * (m->n_labels + 1));

		fmt_check_revision(f->env, PLAN, p.tags[t].name);
		if (m->n_labels)
			memcpy(labels, m->branch_labels, sizeof(char *) * m->n_labels);
		labels[m->n_labels++] = p.tags[t].name;
		m->branch_labels = labels;
	}
	fmt_chain(f->env, migs, p.n_changes);
	*n_out = p.n_changes;
	return migs;
}
