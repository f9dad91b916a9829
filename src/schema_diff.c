/*-------------------------------------------------------------------------
 *
 * schema_diff.c
 *	  The differ: two schema models -> the ordered DDL that turns the first
 *	  into the second, each statement tagged with its hazards; and the
 *	  object-level differences sm_drift reports.
 *
 * The differ never writes SQL of its own from catalog facts: every
 * statement is one the catalog reader printed with the server's printers
 * (schema_model.c).  What the differ decides is which statements, and in
 * which order:
 *
 *	1. Renames: an object of "to" whose renamed_from names an object of
 *	   "from" (and neither name exists on the other side) is renamed, not
 *	   dropped and added.  The same hint read the other way round gives the
 *	   down direction.  The keys of "from" are rewritten to the new names so
 *	   that the children (columns, constraints, comments) match.
 *	2. Matching by key: missing -> drop, new -> create, changed -> alter in
 *	   place where the object has alter statements (and its "rebuild" text
 *	   agrees), else drop + create.
 *	3. Closure: whatever depends on a dropped object (pg_depend, or being
 *	   its child) is dropped too, and created again when "to" has it; an
 *	   altered column type or a rebuilt enum also rebuilds what reads it
 *	   (a view over the column is dropped before and created after).
 *	4. Order: one graph of drop, rename, alter and create nodes with the
 *	   dependency edges of both models, sorted topologically; among the
 *	   nodes that are ready, drops come first, then renames, alters and
 *	   creates, each in an order of kinds (types before tables, foreign
 *	   keys after the other constraints, comments and grants last).
 *
 * Plain C: memory and errors through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_model.h"

/* ---------- small helpers ---------- */

typedef struct StrBuf
{
	const SmEnv *env;
	char	   *data;
	size_t		len;
	size_t		cap;
} StrBuf;

static void
sb_add(StrBuf *b, const char *s)
{
	size_t		l = strlen(s);

	if (b->len + l + 1 > b->cap)
	{
		size_t		cap = b->cap ? b->cap : 256;
		char	   *n;

		while (b->len + l + 1 > cap)
			cap *= 2;
		n = sm_alloc(b->env, cap);
		if (b->len)
			memcpy(n, b->data, b->len);
		b->data = n;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, l + 1);
	b->len += l;
}

static const char *
sb_done(StrBuf *b)
{
	if (b->data == NULL)
		sb_add(b, "");
	return b->data;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* a SQL string literal (standard_conforming_strings is on since 9.1) */
static const char *
sql_literal(const SmEnv *env, const char *s)
{
	StrBuf		b = {env, NULL, 0, 0};
	char		one[2] = {0, 0};

	sb_add(&b, "'");
	for (const char *p = s; *p; p++)
	{
		one[0] = *p;
		sb_add(&b, *p == '\'' ? "''" : one);
	}
	sb_add(&b, "'");
	return sb_done(&b);
}

/*
 * Order of kinds when several nodes are ready: creates go up this list,
 * drops down it.
 */
static int
kind_rank(const SmObject *o)
{
	static const char *const kinds[] = {
		"schema", "extension", "type", "domain", "domain constraint",
		"sequence", "table", "column", "not null", "default", "identity",
		"storage parameters", "unlogged", "owned by", "table constraint",
		"index", "index attachment", "statistics", "function", "procedure", "view", "materialized view",
		"foreign key", "trigger", "row security", "force row security",
		"policy", "comment", "acl", NULL
	};
	const char *k = o->kind;

	if (strcmp(k, "table constraint") == 0 && o->def &&
		strncmp(o->def, "FOREIGN KEY", 11) == 0)
		k = "foreign key";
	for (int i = 0; kinds[i]; i++)
		if (strcmp(kinds[i], k) == 0)
			return i;
	return 30;
}

static bool
kind_is(const SmObject *o, const char *kind)
{
	return strcmp(o->kind, kind) == 0;
}

/*
 * The parent index of a partition's attached index (extra[0], see
 * ATTACHED_INDEX_QUERY in schema_model.c), as an index of m, or -1.
 */
static int	idx_of(const SmSchemaModel *m, const char *key);
struct Diff;
static bool column_out_of_order(const struct Diff *d, int j);

static int
attached_parent(const SmSchemaModel *m, int i)
{
	const SmObject *o = &m->objects[i];

	if (o->special == NULL || strcmp(o->special, "attached index") != 0 ||
		o->extra.n < 1)
		return -1;
	return idx_of(m, o->extra.v[0]);
}

/* ---------- renames ---------- */

typedef struct Rename
{
	const char *old_ident;		/* identity in "from" */
	const char *new_ident;		/* identity in "to" */
	const char *statement;
	const char *kind;
	const char *new_key;
} Rename;

/*
 * Replace whole occurrences of an identity inside a key: preceded by a
 * blank and followed by the end, a blank or a dot (a table's identity is a
 * prefix of its columns' identities).
 */
static const char *
rewrite_ident(const SmEnv *env, const char *key, const char *from,
			  const char *to)
{
	size_t		fl = strlen(from);
	StrBuf		b = {env, NULL, 0, 0};
	const char *p = key;
	bool		changed = false;

	while (*p)
	{
		const char *hit = strstr(p, from);

		if (hit == NULL)
			break;
		if (hit > key && hit[-1] == ' ' &&
			(hit[fl] == '\0' || hit[fl] == ' ' || hit[fl] == '.'))
		{
			char	   *pre = sm_strndup(env, p, (size_t) (hit - p));

			sb_add(&b, pre);
			sb_add(&b, to);
			p = hit + fl;
			changed = true;
		}
		else
		{
			char	   *pre = sm_strndup(env, p, (size_t) (hit - p) + 1);

			sb_add(&b, pre);
			p = hit + 1;
		}
	}
	if (!changed)
		return key;
	sb_add(&b, p);
	return sb_done(&b);
}

static const char *
rewrite_all(const SmEnv *env, const char *key, const Rename *r, int nr)
{
	if (key == NULL)
		return NULL;
	for (int i = 0; i < nr; i++)
		key = rewrite_ident(env, key, r[i].old_ident, r[i].new_ident);
	return key;
}

/* the key an object of this kind and identity has */
static const char *
make_key(const SmEnv *env, const char *kind, const char *ident)
{
	StrBuf		b = {env, NULL, 0, 0};

	sb_add(&b, kind);
	sb_add(&b, " ");
	sb_add(&b, ident);
	return sb_done(&b);
}

/*
 * The identity an object had before its rename: renamed_from is the bare
 * earlier name; the identity is the object's own with its last name part
 * replaced.  The reader stores that identity directly in extra-free form:
 * renamed_from already holds the full earlier identity.
 */
static int
find_renames(const SmEnv *env, const SmSchemaModel *from,
			 const SmSchemaModel *to, Rename **out)
{
	int			n = 0,
				cap = 8;
	Rename	   *r = sm_alloc(env, (size_t) cap * sizeof(Rename));

	/* up: "to" says it was renamed from an object "from" has */
	for (int j = 0; j < to->n; j++)
	{
		const SmObject *t = &to->objects[j];
		const char *old_key;

		if (t->renamed_from == NULL || t->rename == NULL)
			continue;
		old_key = make_key(env, t->kind, t->renamed_from);
		if (model_find(from, old_key) == NULL || model_find(to, old_key) ||
			model_find(from, t->key))
			continue;
		if (n == cap)
		{
			Rename	   *nr = sm_alloc(env, (size_t) cap * 2 * sizeof(Rename));

			memcpy(nr, r, (size_t) n * sizeof(Rename));
			r = nr;
			cap *= 2;
		}
		r[n].old_ident = t->renamed_from;
		r[n].new_ident = t->name;
		r[n].statement = t->rename;
		r[n].kind = t->kind;
		r[n].new_key = t->key;
		n++;
	}
	/* down: "from" carries the hint; "to" has the earlier name */
	for (int i = 0; i < from->n; i++)
	{
		const SmObject *f = &from->objects[i];
		const char *old_key;

		if (f->renamed_from == NULL || f->unrename == NULL)
			continue;
		old_key = make_key(env, f->kind, f->renamed_from);
		if (model_find(to, old_key) == NULL || model_find(from, old_key) ||
			model_find(to, f->key))
			continue;
		if (n == cap)
		{
			Rename	   *nr = sm_alloc(env, (size_t) cap * 2 * sizeof(Rename));

			memcpy(nr, r, (size_t) n * sizeof(Rename));
			r = nr;
			cap *= 2;
		}
		r[n].old_ident = f->name;
		r[n].new_ident = f->renamed_from;
		r[n].statement = f->unrename;
		r[n].kind = f->kind;
		r[n].new_key = old_key;
		n++;
	}
	*out = r;
	return n;
}

static bool
ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '$' || c == '"' ||
		(unsigned char) c >= 0x80;
}

/* replace every whole-name occurrence of a name */
static const char *
replace_all(const SmEnv *env, const char *s, const char *from, const char *to)
{
	StrBuf		b = {env, NULL, 0, 0};
	size_t		fl = strlen(from);
	const char *p = s;
	const char *hit;

	bool		changed = false;

	if (fl == 0 || strstr(s, from) == NULL)
		return s;
	while ((hit = strstr(p, from)) != NULL)
	{
		/* whole names only: "public.t" is not a part of "public.tags" */
		bool		whole = !ident_char(hit[fl]) &&
			(hit == s || (!ident_char(hit[-1]) && hit[-1] != '.'));

		sb_add(&b, sm_strndup(env, p, (size_t) (hit - p) + (whole ? 0 : 1)));
		if (whole)
		{
			sb_add(&b, to);
			p = hit + fl;
			changed = true;
		}
		else
			p = hit + 1;
	}
	if (!changed)
		return s;
	sb_add(&b, p);
	return sb_done(&b);
}

/* the last part of an identity: "public.t.c" -> "c" (quoted as printed) */
static const char *
last_part(const char *ident)
{
	const char *dot = NULL;
	bool		q = false;

	for (const char *p = ident; *p; p++)
	{
		if (*p == '"')
			q = !q;
		else if (*p == '.' && !q)
			dot = p;
	}
	return dot ? dot + 1 : ident;
}

/*
 * The canonical text of a "from" object as PostgreSQL prints it after the
 * renames: a renamed relation's qualified name wherever it appears (views,
 * indexes and foreign keys follow a rename), and a renamed column's own
 * definition, which starts with its name.
 */
static const char *
rewrite_def(const SmEnv *env, const SmObject *o, const Rename *r, int nr)
{
	const char *def = o->def;

	if (def == NULL)
		return NULL;
	for (int i = 0; i < nr; i++)
	{
		if (strcmp(r[i].kind, "column") == 0)
		{
			const char *oldn = last_part(r[i].old_ident);
			size_t		l = strlen(oldn);

			if (strcmp(o->key, r[i].new_key) == 0 &&
				strncmp(def, oldn, l) == 0 && def[l] == ' ')
			{
				StrBuf		b = {env, NULL, 0, 0};

				sb_add(&b, last_part(r[i].new_ident));
				sb_add(&b, def + l);
				def = sb_done(&b);
			}
		}
		else
			def = replace_all(env, def, r[i].old_ident, r[i].new_ident);
	}
	return def;
}

/* "from" with its keys moved to the names after the renames */
static SmSchemaModel *
apply_renames(const SmEnv *env, const SmSchemaModel *from, const Rename *r,
			  int nr, bool **affected)
{
	SmSchemaModel *m = sm_alloc(env, sizeof(SmSchemaModel));
	bool	   *aff = sm_alloc(env, (size_t) (from->n + 1) * sizeof(bool));

	m->n = from->n;
	m->objects = sm_alloc(env, (size_t) (from->n + 1) * sizeof(SmObject));
	if (from->n > 0)
		memcpy(m->objects, from->objects, (size_t) from->n * sizeof(SmObject));
	for (int i = 0; i < m->n && nr > 0; i++)
	{
		SmObject   *o = &m->objects[i];
		const char *k = rewrite_all(env, o->key, r, nr);

		if (k != o->key)
		{
			o->key = k;
			o->name = k + strlen(o->kind) + 1;
		}
		o->parent = rewrite_all(env, o->parent, r, nr);
		o->def = rewrite_def(env, o, r, nr);
		if (o->deps.n)
		{
			const char **v = sm_alloc(env, (size_t) o->deps.n * sizeof(char *));

			for (int d = 0; d < o->deps.n; d++)
				v[d] = rewrite_all(env, o->deps.v[d], r, nr);
			o->deps.v = v;
		}
	}
	model_sort(env, m);
	/* affected: objects whose key changed (their drops go before renames) */
	for (int i = 0; i < m->n; i++)
		aff[i] = model_find(from, m->objects[i].key) == NULL;
	*affected = aff;
	return m;
}

/* ---------- the node graph ---------- */

enum
{
	N_DROP = 0,
	N_RENAME = 1,
	N_ALTER = 2,
	N_CREATE = 3
};

typedef struct Node
{
	int			phase;
	int			obj;			/* index in F (drop) or T (others) */
	int			rank;
	const char *key;
	const char *table;			/* columns: their table's key, else NULL */
	int			position;		/* columns: attnum in the "to" model */
	int			indeg;
	int			nsucc;
	int			capsucc;
	int		   *succ;
	bool		done;
} Node;

typedef struct Diff
{
	const SmEnv *env;
	const SmSchemaModel *F;		/* "from", keys renamed */
	const SmSchemaModel *T;
	int		   *fmatch;
	int		   *tmatch;
	bool	   *drop;			/* per F */
	bool	   *create;			/* per T */
	bool	   *alter;			/* per T */
	bool	   *retype;			/* per F: alter that rebuilds readers */
	int		   *fparent;		/* per F: index of parent or -1 */
	int		   *tparent;
	int		  **rdeps;			/* per F: objects depending on it */
	int		   *nrdeps;
	int		   *dnode;			/* per F: drop node or -1 */
	int		   *anode;			/* per T */
	int		   *cnode;			/* per T */
	bool	   *folded;			/* per T: created inside its parent */
	bool	   *implied;		/* per F: dropped with its parent */
	Node	   *nodes;
	int			nn;
	int			capn;
	/* closure-caused drops that must precede an alter: pairs */
	int		   *cause_drop;
	int		   *cause_alter;
	int			ncause;
	int			capcause;
} Diff;

static int
add_node(Diff *d, int phase, int obj, const SmObject *o)
{
	Node	   *n;

	if (d->nn == d->capn)
	{
		int			cap = d->capn ? d->capn * 2 : 256;
		Node	   *nn = sm_alloc(d->env, (size_t) cap * sizeof(Node));

		if (d->nn)
			memcpy(nn, d->nodes, (size_t) d->nn * sizeof(Node));
		d->nodes = nn;
		d->capn = cap;
	}
	n = &d->nodes[d->nn];
	memset(n, 0, sizeof(Node));
	n->phase = phase;
	n->obj = obj;
	n->rank = o ? kind_rank(o) : 0;
	n->key = o ? o->key : "";
	if (o && kind_is(o, "column"))
	{
		n->table = o->parent;
		n->position = o->position;
	}
	return d->nn++;
}

static void
add_edge(Diff *d, int a, int b)
{
	Node	   *n;

	if (a < 0 || b < 0 || a == b)
		return;
	n = &d->nodes[a];
	if (n->nsucc == n->capsucc)
	{
		int			cap = n->capsucc ? n->capsucc * 2 : 4;
		int		   *s = sm_alloc(d->env, (size_t) cap * sizeof(int));

		if (n->nsucc)
			memcpy(s, n->succ, (size_t) n->nsucc * sizeof(int));
		n->succ = s;
		n->capsucc = cap;
	}
	n->succ[n->nsucc++] = b;
	d->nodes[b].indeg++;
}

static void
add_cause(Diff *d, int fdrop, int falter)
{
	if (d->ncause == d->capcause)
	{
		int			cap = d->capcause ? d->capcause * 2 : 32;
		int		   *a = sm_alloc(d->env, (size_t) cap * sizeof(int));
		int		   *b = sm_alloc(d->env, (size_t) cap * sizeof(int));

		if (d->ncause)
		{
			memcpy(a, d->cause_drop, (size_t) d->ncause * sizeof(int));
			memcpy(b, d->cause_alter, (size_t) d->ncause * sizeof(int));
		}
		d->cause_drop = a;
		d->cause_alter = b;
		d->capcause = cap;
	}
	d->cause_drop[d->ncause] = fdrop;
	d->cause_alter[d->ncause] = falter;
	d->ncause++;
}

/* index of a key in a model, or -1 */
static int
idx_of(const SmSchemaModel *m, const char *key)
{
	const SmObject *o;

	if (key == NULL)
		return -1;
	o = model_find(m, key);
	return o ? (int) (o - m->objects) : -1;
}

/* the top-level object an object of F belongs to */
static int
top_of(const Diff *d, int i)
{
	for (int depth = 0; depth < 16 && d->fparent[i] >= 0; depth++)
		i = d->fparent[i];
	return i;
}

/* reverse dependencies of F (deps and parent) */
static void
build_rdeps(Diff *d)
{
	const SmSchemaModel *F = d->F;
	int		   *cnt = sm_alloc(d->env, (size_t) (F->n + 1) * sizeof(int));

	d->rdeps = sm_alloc(d->env, (size_t) (F->n + 1) * sizeof(int *));
	d->nrdeps = sm_alloc(d->env, (size_t) (F->n + 1) * sizeof(int));
	for (int pass = 0; pass < 2; pass++)
	{
		for (int i = 0; i < F->n; i++)
		{
			const SmObject *o = &F->objects[i];

			/* k = -2: the parent index of an attached index (dropped with it) */
			for (int k = -2; k < o->deps.n; k++)
			{
				int			x = k == -2 ? attached_parent(F, i) :
					k < 0 ? d->fparent[i] : idx_of(F, o->deps.v[k]);

				if (x < 0 || x == i)
					continue;
				if (pass == 0)
					cnt[x]++;
				else
					d->rdeps[x][d->nrdeps[x]++] = i;
			}
		}
		if (pass == 0)
			for (int i = 0; i < F->n; i++)
				d->rdeps[i] = sm_alloc(d->env, (size_t) (cnt[i] + 1) * sizeof(int));
	}
}

/* is an object of "to" alterable in place from its "from" version? */
static bool
alterable(const SmObject *f, const SmObject *t)
{
	if (t->special && strcmp(t->special, "enum") == 0 &&
		f->special && strcmp(f->special, "enum") == 0)
		return true;
	return t->alter.n > 0 && str_eq(f->rebuild, t->rebuild);
}

/* is enum "to" reachable from "from" by ADD VALUE alone? */
static bool
enum_additive(const SmObject *f, const SmObject *t)
{
	int			j = 0;

	/* every old label must appear in "to", in the same order */
	for (int i = 0; i < f->labels.n; i++)
	{
		while (j < t->labels.n && strcmp(t->labels.v[j], f->labels.v[i]) != 0)
			j++;
		if (j == t->labels.n)
			return false;
		j++;
	}
	return true;
}

static bool
retypes(const SmObject *f, const SmObject *t)
{
	if (kind_is(t, "column"))
		return true;
	if (t->special && strcmp(t->special, "enum") == 0)
		return !enum_additive(f, t);
	return false;
}

/* children an in-place type change keeps (they follow the column) */
static bool
survives_retype(const SmObject *o)
{
	return kind_is(o, "not null") || kind_is(o, "identity") ||
		kind_is(o, "comment") || kind_is(o, "acl") || kind_is(o, "owned by");
}

static void
mark_drop(Diff *d, int i, int *queue, int *qn)
{
	int			j;

	if (d->drop[i])
		return;
	d->drop[i] = true;
	queue[(*qn)++] = i;
	j = d->fmatch[i];
	if (j >= 0)
	{
		d->create[j] = true;
		d->alter[j] = false;
	}
}

static void
closure(Diff *d)
{
	const SmSchemaModel *F = d->F;
	int		   *queue = sm_alloc(d->env, (size_t) (F->n + 1) * sizeof(int));
	int			qn = 0,
				qi = 0;

	for (int i = 0; i < F->n; i++)
		if (d->drop[i])
			queue[qn++] = i;

	/* readers of retyped objects: rebuilt around the alter */
	for (int i = 0; i < F->n; i++)
	{
		if (!d->retype[i] || d->drop[i])
			continue;
		for (int k = 0; k < d->nrdeps[i]; k++)
		{
			int			r = d->rdeps[i][k];
			const SmObject *ro = &F->objects[r];

			if (d->fparent[r] == i && survives_retype(ro))
				continue;
			if (kind_is(ro, "column") && !kind_is(&F->objects[i], "column"))
			{
				/* a column of a rebuilt enum: retyped too, readers rebuilt */
				for (int m = 0; m < d->nrdeps[r]; m++)
				{
					int			rr = d->rdeps[r][m];

					if (d->fparent[rr] == r && survives_retype(&F->objects[rr]))
						continue;
					mark_drop(d, rr, queue, &qn);
					add_cause(d, rr, i);
				}
				continue;
			}
			mark_drop(d, r, queue, &qn);
			add_cause(d, r, i);
		}
	}

	/* whatever depends on a dropped object goes too */
	while (qi < qn)
	{
		int			i = queue[qi++];

		for (int k = 0; k < d->nrdeps[i]; k++)
			mark_drop(d, d->rdeps[i][k], queue, &qn);
	}
}

/* ---------- statements and hazards ---------- */

typedef struct StepList
{
	const SmEnv *env;
	int			n;
	int			cap;
	SmDiffStep *v;
} StepList;

static void
emit(StepList *s, const char *stmt, const SmObject *o, unsigned hazards)
{
	StrBuf		b = {s->env, NULL, 0, 0};
	size_t		l;

	if (s->n == s->cap)
	{
		int			cap = s->cap ? s->cap * 2 : 64;
		SmDiffStep *v = sm_alloc(s->env, (size_t) cap * sizeof(SmDiffStep));

		if (s->n)
			memcpy(v, s->v, (size_t) s->n * sizeof(SmDiffStep));
		s->v = v;
		s->cap = cap;
	}
	/* one complete statement, ending in ';' */
	sb_add(&b, stmt);
	l = b.len;
	while (l > 0 && (b.data[l - 1] == ' ' || b.data[l - 1] == '\n' ||
					 b.data[l - 1] == '\t'))
		b.data[--l] = '\0';
	b.len = l;
	if (l == 0 || b.data[l - 1] != ';')
		sb_add(&b, ";");
	s->v[s->n].step = s->n + 1;
	s->v[s->n].statement = sb_done(&b);
	s->v[s->n].object_type = o->kind;
	s->v[s->n].object_name = o->name;
	s->v[s->n].hazards = hazards;
	s->n++;
}

static unsigned
drop_hazards(const SmObject *o)
{
	if (kind_is(o, "table") || kind_is(o, "column") ||
		kind_is(o, "materialized view"))
		return SM_HAZARD_DELETES_DATA | SM_HAZARD_ACCESS_EXCLUSIVE;
	if (kind_is(o, "sequence"))
		return SM_HAZARD_DELETES_DATA;
	if (kind_is(o, "index") || kind_is(o, "table constraint") ||
		kind_is(o, "trigger") || kind_is(o, "view") ||
		kind_is(o, "policy") || kind_is(o, "not null") ||
		kind_is(o, "default") || kind_is(o, "identity") ||
		kind_is(o, "row security") || kind_is(o, "force row security"))
		return SM_HAZARD_ACCESS_EXCLUSIVE;
	return 0;
}

static unsigned
create_hazards(const SmObject *o)
{
	if (kind_is(o, "index"))
		return SM_HAZARD_BUILDS_INDEX;
	if (kind_is(o, "table constraint"))
	{
		unsigned	h = SM_HAZARD_ACCESS_EXCLUSIVE;

		if (o->def && (strncmp(o->def, "PRIMARY KEY", 11) == 0 ||
					   strncmp(o->def, "UNIQUE", 6) == 0 ||
					   strncmp(o->def, "EXCLUDE", 7) == 0))
			h |= SM_HAZARD_BUILDS_INDEX;
		return h;
	}
	if (kind_is(o, "column") || kind_is(o, "not null") ||
		kind_is(o, "identity") || kind_is(o, "trigger") ||
		kind_is(o, "policy") || kind_is(o, "row security") ||
		kind_is(o, "force row security") || kind_is(o, "default"))
		return SM_HAZARD_ACCESS_EXCLUSIVE;
	if (kind_is(o, "unlogged"))
		return SM_HAZARD_REWRITES_TABLE | SM_HAZARD_ACCESS_EXCLUSIVE;
	if (kind_is(o, "materialized view"))
		return 0;
	return 0;
}

static unsigned
alter_hazards(const SmObject *o, bool retyped)
{
	if (kind_is(o, "column"))
		return SM_HAZARD_REWRITES_TABLE | SM_HAZARD_ACCESS_EXCLUSIVE;
	if (o->special && strcmp(o->special, "enum") == 0)
		return retyped ? SM_HAZARD_REWRITES_TABLE | SM_HAZARD_ACCESS_EXCLUSIVE
			: SM_HAZARD_NON_TRANSACTIONAL;
	if (kind_is(o, "storage parameters"))
		return SM_HAZARD_ACCESS_EXCLUSIVE;
	return 0;
}

/* the text of a column inside CREATE TABLE or ADD COLUMN, with children */
static void
add_inline(Diff *d, StrBuf *b, int j)
{
	const SmSchemaModel *T = d->T;
	const SmObject *c = &T->objects[j];

	sb_add(b, c->inline_def);
	/* children folded into the column: not null, default, identity */
	for (int k = 0; k < T->n; k++)
	{
		if (d->tparent[k] == j && d->folded[k])
		{
			sb_add(b, " ");
			sb_add(b, T->objects[k].inline_def);
		}
	}
}

static int
pos_cmp(const void *a, const void *b)
{
	const SmObject *const *x = a;
	const SmObject *const *y = b;

	if ((*x)->position != (*y)->position)
		return (*x)->position < (*y)->position ? -1 : 1;
	return strcmp((*x)->key, (*y)->key);
}

/* children of a T object, per parent, for folding */
typedef struct Kids
{
	int		  **v;
	int		   *n;
} Kids;

static Kids
build_kids(Diff *d)
{
	const SmSchemaModel *T = d->T;
	Kids		k;
	int		   *cnt = sm_alloc(d->env, (size_t) (T->n + 1) * sizeof(int));

	k.v = sm_alloc(d->env, (size_t) (T->n + 1) * sizeof(int *));
	k.n = sm_alloc(d->env, (size_t) (T->n + 1) * sizeof(int));
	for (int j = 0; j < T->n; j++)
		if (d->tparent[j] >= 0)
			cnt[d->tparent[j]]++;
	for (int j = 0; j < T->n; j++)
		k.v[j] = sm_alloc(d->env, (size_t) (cnt[j] + 1) * sizeof(int));
	for (int j = 0; j < T->n; j++)
		if (d->tparent[j] >= 0)
		{
			int			p = d->tparent[j];

			k.v[p][k.n[p]++] = j;
		}
	return k;
}

static void
emit_create(Diff *d, StepList *s, Kids *kids, int j)
{
	const SmSchemaModel *T = d->T;
	const SmObject *t = &T->objects[j];

	if (d->folded[j])
		return;
	if (t->head)
	{
		/* table or column: composed with the children folded into it */
		StrBuf		b = {d->env, NULL, 0, 0};

		sb_add(&b, t->head);
		if (kind_is(t, "column"))
			add_inline(d, &b, j);
		else
		{
			int			n = 0;
			const SmObject **cols =
				sm_alloc(d->env, (size_t) (kids->n[j] + 1) * sizeof(SmObject *));

			for (int k = 0; k < kids->n[j]; k++)
			{
				int			c = kids->v[j][k];

				if (d->folded[c] && kind_is(&T->objects[c], "column"))
					cols[n++] = &T->objects[c];
			}
			qsort(cols, (size_t) n, sizeof(SmObject *), pos_cmp);
			for (int k = 0; k < n; k++)
			{
				sb_add(&b, k ? ",\n    " : "\n    ");
				add_inline(d, &b, (int) (cols[k] - T->objects));
			}
			if (n)
				sb_add(&b, "\n");
		}
		if (t->tail)
			sb_add(&b, t->tail);
		emit(s, sb_done(&b), t, create_hazards(t) |
			 (kind_is(t, "column") && column_out_of_order(d, j) ?
			  SM_HAZARD_COLUMN_ORDER : 0));
		for (int k = 1; k < t->create.n; k++)
			emit(s, t->create.v[k], t, create_hazards(t));
		return;
	}
	for (int k = 0; k < t->create.n; k++)
		emit(s, t->create.v[k], t, create_hazards(t));
}

static void
emit_enum_alter(Diff *d, StepList *s, int fi, int j)
{
	const SmObject *f = &d->F->objects[fi];
	const SmObject *t = &d->T->objects[j];

	if (enum_additive(f, t))
	{
		/* ADD VALUE for each new label, next to its neighbour */
		for (int k = 0; k < t->labels.n; k++)
		{
			bool		old = false;
			StrBuf		b = {d->env, NULL, 0, 0};

			for (int m = 0; m < f->labels.n && !old; m++)
				old = strcmp(f->labels.v[m], t->labels.v[k]) == 0;
			if (old)
				continue;
			sb_add(&b, "ALTER TYPE ");
			sb_add(&b, t->name);
			sb_add(&b, " ADD VALUE ");
			sb_add(&b, sql_literal(d->env, t->labels.v[k]));
			if (k > 0)
			{
				sb_add(&b, " AFTER ");
				sb_add(&b, sql_literal(d->env, t->labels.v[k - 1]));
			}
			else if (f->labels.n > 0)
			{
				/* the first label of "to" that already exists */
				for (int m = 1; m < t->labels.n; m++)
				{
					bool		ex = false;

					for (int q = 0; q < f->labels.n && !ex; q++)
						ex = strcmp(f->labels.v[q], t->labels.v[m]) == 0;
					if (ex)
					{
						sb_add(&b, " BEFORE ");
						sb_add(&b, sql_literal(d->env, t->labels.v[m]));
						break;
					}
				}
			}
			emit(s, sb_done(&b), t, SM_HAZARD_NON_TRANSACTIONAL);
		}
		return;
	}

	/*
	 * Removal or reorder: rebuild the type.  extra = {rename the old type
	 * away, drop the old type}; each column of the type is cast through
	 * text (extra of a column = {ALTER ... TYPE prefix, column name, type}).
	 */
	if (t->extra.n < 2)
		return;
	emit(s, t->extra.v[0], t, SM_HAZARD_ACCESS_EXCLUSIVE);
	for (int k = 0; k < t->create.n; k++)
		emit(s, t->create.v[k], t, 0);
	for (int k = 0; k < d->nrdeps[fi]; k++)
	{
		int			c = d->rdeps[fi][k];
		int			tc;
		const SmObject *col;
		StrBuf		b = {d->env, NULL, 0, 0};

		if (!kind_is(&d->F->objects[c], "column") || d->drop[c])
			continue;
		tc = d->fmatch[c];
		if (tc < 0)
			continue;
		col = &d->T->objects[tc];
		if (col->extra.n < 3)
			continue;
		sb_add(&b, col->extra.v[0]);
		sb_add(&b, col->extra.v[2]);
		sb_add(&b, " USING ");
		sb_add(&b, col->extra.v[1]);
		sb_add(&b, "::text::");
		sb_add(&b, col->extra.v[2]);
		emit(s, sb_done(&b), col,
			 SM_HAZARD_REWRITES_TABLE | SM_HAZARD_ACCESS_EXCLUSIVE);
	}
	emit(s, t->extra.v[1], t, SM_HAZARD_ACCESS_EXCLUSIVE);
}

/* a type printed by format_type that casts to anything through text */
static bool
is_string_type(const char *type)
{
	static const char *const names[] = {"text", "character varying", "character",
	"name", "citext", NULL};

	for (int i = 0; names[i]; i++)
	{
		size_t		l = strlen(names[i]);

		if (strncmp(type, names[i], l) == 0 &&
			(type[l] == '\0' || type[l] == '(' || type[l] == '['))
			return true;
	}
	return false;
}

/*
 * A column retyped to an enum from anything but a string: the USING
 * col::enum the model prints fails (smallint has no cast to an enum);
 * only the author knows the mapping.  The statement is kept, flagged.
 */
static bool
needs_using(const Diff *d, int fi, int j)
{
	const SmObject *f = &d->F->objects[fi];
	const SmObject *t = &d->T->objects[j];
	bool		to_enum = false;

	if (f->extra.n < 3 || t->extra.n < 3 || is_string_type(f->extra.v[2]))
		return false;
	for (int k = 0; k < t->deps.n && !to_enum; k++)
	{
		const SmObject *o = model_find(d->T, t->deps.v[k]);

		to_enum = o && o->special && strcmp(o->special, "enum") == 0 &&
			strcmp(o->name, t->extra.v[2]) == 0;
	}
	return to_enum;
}

static void
emit_node(Diff *d, StepList *s, Kids *kids, const Node *n,
		  const Rename *renames)
{
	switch (n->phase)
	{
		case N_DROP:
			{
				const SmObject *f = &d->F->objects[n->obj];

				if (d->implied[n->obj])
					return;		/* dropped with its parent */
				for (int k = 0; k < f->drop.n; k++)
					emit(s, f->drop.v[k], f, drop_hazards(f));
				return;
			}
		case N_RENAME:
			{
				const Rename *r = &renames[n->obj];
				SmObject	o;

				memset(&o, 0, sizeof(o));
				o.kind = r->kind;
				o.name = r->new_ident;
				emit(s, r->statement, &o, SM_HAZARD_ACCESS_EXCLUSIVE);
				return;
			}
		case N_ALTER:
			{
				const SmObject *t = &d->T->objects[n->obj];
				int			fi = d->tmatch[n->obj];

				if (t->special && strcmp(t->special, "enum") == 0)
				{
					emit_enum_alter(d, s, fi, n->obj);
					return;
				}
				for (int k = 0; k < t->alter.n; k++)
					emit(s, t->alter.v[k], t, alter_hazards(t, d->retype[fi]) |
						 (kind_is(t, "column") && needs_using(d, fi, n->obj) ?
						  SM_HAZARD_NEEDS_USING : 0));
				return;
			}
		case N_CREATE:
			emit_create(d, s, kids, n->obj);
			return;
	}
}

/* ---------- ordering ---------- */

static bool
node_before(const Node *a, const Node *b)
{
	if (a->phase != b->phase)
		return a->phase < b->phase;
	if (a->rank != b->rank)
		return a->phase == N_DROP ? a->rank > b->rank : a->rank < b->rank;

	/*
	 * new columns of a table in their order there: ADD COLUMN appends, so
	 * key order would leave them in another order than the target's
	 */
	if (a->phase == N_CREATE && a->table && b->table)
	{
		int			c = strcmp(a->table, b->table);

		if (c != 0)
			return c < 0;
		if (a->position != b->position)
			return a->position < b->position;
	}
	return strcmp(a->key, b->key) < 0;
}

typedef struct Heap
{
	int		   *v;
	int			n;
	const Node *nodes;
} Heap;

static void
heap_push(Heap *h, int x)
{
	int			i = h->n++;

	h->v[i] = x;
	while (i > 0)
	{
		int			p = (i - 1) / 2;

		if (!node_before(&h->nodes[h->v[i]], &h->nodes[h->v[p]]))
			break;
		{
			int			t = h->v[i];

			h->v[i] = h->v[p];
			h->v[p] = t;
		}
		i = p;
	}
}

static int
heap_pop(Heap *h)
{
	int			top = h->v[0];
	int			i = 0;

	h->v[0] = h->v[--h->n];
	for (;;)
	{
		int			l = 2 * i + 1,
					r = l + 1,
					m = i;

		if (l < h->n && node_before(&h->nodes[h->v[l]], &h->nodes[h->v[m]]))
			m = l;
		if (r < h->n && node_before(&h->nodes[h->v[r]], &h->nodes[h->v[m]]))
			m = r;
		if (m == i)
			break;
		{
			int			t = h->v[i];

			h->v[i] = h->v[m];
			h->v[m] = t;
		}
		i = m;
	}
	return top;
}

/* node that "to"-side work on object j (alter or create) is in */
static int
tnode(const Diff *d, int j)
{
	if (j < 0)
		return -1;
	if (d->anode[j] >= 0)
		return d->anode[j];
	return d->cnode[j];
}

/* a folded object's work happens in the node of what it is folded into */
static int
tnode_folded(const Diff *d, int j)
{
	while (j >= 0 && d->folded[j])
		j = d->tparent[j];
	return tnode(d, j);
}

static bool
is_relation_kind(const SmObject *o)
{
	return kind_is(o, "table") || kind_is(o, "view") ||
		kind_is(o, "materialized view") || kind_is(o, "column") ||
		kind_is(o, "sequence") || kind_is(o, "type") || kind_is(o, "domain");
}

static void
order_checked_bodies(Diff *d)
{
	const SmSchemaModel *T = d->T;
	bool	   *seen = NULL;
	int		   *stack = NULL;

	for (int j = 0; j < T->n; j++)
	{
		int			f = tnode(d, j);
		int			sp = 0;

		if (f < 0 || T->objects[j].special == NULL ||
			strcmp(T->objects[j].special, "checked body") != 0)
			continue;
		if (seen == NULL)
		{
			seen = sm_alloc(d->env, (size_t) (d->nn + 1) * sizeof(bool));
			stack = sm_alloc(d->env, (size_t) (d->nn + 1) * sizeof(int));
		}
		/* what needs the function (reachable from it) must stay after it */
		memset(seen, 0, (size_t) (d->nn + 1) * sizeof(bool));
		seen[f] = true;
		stack[sp++] = f;
		while (sp > 0)
		{
			int			x = stack[--sp];

			for (int e = 0; e < d->nodes[x].nsucc; e++)
			{
				int			y = d->nodes[x].succ[e];

				if (!seen[y])
				{
					seen[y] = true;
					stack[sp++] = y;
				}
			}
		}
		for (int k = 0; k < T->n; k++)
		{
			int			c = d->cnode[k];

			if (c >= 0 && !seen[c] && !d->folded[k] &&
				is_relation_kind(&T->objects[k]))
				add_edge(d, c, f);
		}
	}
}

/*
 * A partition's attached index is created before its parent index: CREATE
 * INDEX on the partitioned table then attaches it, with its own name,
 * instead of cloning one under a generated name.
 */
static void
order_attached_indexes(Diff *d)
{
	for (int j = 0; j < d->T->n; j++)
	{
		int			p = attached_parent(d->T, j);

		if (p >= 0 && d->cnode[p] >= 0)
			add_edge(d, tnode(d, j), d->cnode[p]);
	}
}

/*
 * New columns of a table that stays are added in their target order, one
 * after the other: ADD COLUMN appends, so a column that waits for
 * something (a default calling a function created in the same script)
 * must hold back the columns after it, or it lands after them.  A new
 * column the target has before a column that stays cannot be placed by
 * ADD COLUMN at all: its step carries the hazard "column order differs".
 */
static const SmSchemaModel *col_sort_model;

static int
col_pos_cmp(const void *a, const void *b)
{
	const SmObject *x = &col_sort_model->objects[*(const int *) a];
	const SmObject *y = &col_sort_model->objects[*(const int *) b];
	int			c = strcmp(x->parent, y->parent);

	if (c != 0)
		return c;
	return x->position < y->position ? -1 : x->position > y->position;
}

static void
order_new_columns(Diff *d)
{
	const SmSchemaModel *T = d->T;
	int		   *cols = sm_alloc(d->env, (size_t) (T->n + 1) * sizeof(int));
	int			n = 0;

	for (int j = 0; j < T->n; j++)
		if (d->create[j] && !d->folded[j] && kind_is(&T->objects[j], "column") &&
			T->objects[j].parent != NULL)
			cols[n++] = j;
	col_sort_model = T;
	if (n > 1)
		qsort(cols, (size_t) n, sizeof(int), col_pos_cmp);
	for (int k = 1; k < n; k++)
		if (strcmp(T->objects[cols[k - 1]].parent, T->objects[cols[k]].parent) == 0)
			add_edge(d, d->cnode[cols[k - 1]], d->cnode[cols[k]]);
}

/* a created column placed before a column of its table that stays */
static bool
column_out_of_order(const struct Diff *d, int j)
{
	const SmSchemaModel *T = d->T;
	const SmObject *c = &T->objects[j];
	int			p = d->tparent[j];
	int			fp;

	if (p < 0 || d->create[p] || (fp = d->tmatch[p]) < 0 || d->drop[fp])
		return false;
	for (int k = 0; k < T->n; k++)
	{
		const SmObject *o = &T->objects[k];

		if (d->tparent[k] == p && kind_is(o, "column") && !d->create[k] &&
			o->position > c->position)
			return true;
	}
	return false;
}

/*
 * keep_column_order: per table that stays, the columns in target order
 * keep their place as long as they are old ones in their old order; from
 * the first that is not (a new column, or an old one out of order), every
 * old column after it is dropped and added again, so that ADD COLUMN,
 * which appends, gives the target order.  The closure then rebuilds what
 * reads them (indexes, keys, views).
 */
static void
move_columns(Diff *d)
{
	const SmSchemaModel *T = d->T;
	int		   *cols = sm_alloc(d->env, (size_t) (T->n + 1) * sizeof(int));
	int			n = 0;

	for (int j = 0; j < T->n; j++)
		if (kind_is(&T->objects[j], "column") && T->objects[j].parent != NULL)
			cols[n++] = j;
	col_sort_model = T;
	if (n > 1)
		qsort(cols, (size_t) n, sizeof(int), col_pos_cmp);
	for (int k = 0; k < n;)
	{
		int			p = d->tparent[cols[k]];
		int			last = -1;
		bool		moving = false;
		int			e = k;

		while (e < n && d->tparent[cols[e]] == p)
			e++;
		if (p >= 0 && !d->create[p])
		{
			for (int m = k; m < e; m++)
			{
				int			j = cols[m];
				int			fi = d->tmatch[j];

				if (!moving && fi >= 0 && !d->drop[fi] &&
					d->F->objects[fi].position > last)
				{
					last = d->F->objects[fi].position;
					continue;
				}
				moving = true;
				if (fi >= 0 && !d->drop[fi])
				{
					d->drop[fi] = true;
					d->create[j] = true;
					d->alter[j] = false;
					d->retype[fi] = false;
				}
			}
		}
		k = e;
	}
}

SmDiff *
diff_models(const SmEnv *env, const SmSchemaModel *from,
			const SmSchemaModel *to)
{
	SmDiffOptions opts = {false};

	return diff_models_opts(env, from, to, &opts);
}

SmDiff *
diff_models_opts(const SmEnv *env, const SmSchemaModel *from,
				 const SmSchemaModel *to, const SmDiffOptions *opts)
{
	Diff		dd;
	Diff	   *d = &dd;
	Rename	   *renames;
	int			nrenames;
	bool	   *affected;
	int		   *rnode;
	StepList	steps = {env, 0, 0, NULL};
	Kids		kids;
	Heap		heap;
	int			ndone = 0;
	SmDiff	   *result;
	const SmSchemaModel *T = to;
	const SmSchemaModel *F;

	memset(d, 0, sizeof(Diff));
	d->env = env;
	nrenames = find_renames(env, from, to, &renames);
	F = apply_renames(env, from, renames, nrenames, &affected);
	d->F = F;
	d->T = T;

	d->fmatch = sm_alloc(env, (size_t) (F->n + 1) * sizeof(int));
	d->tmatch = sm_alloc(env, (size_t) (T->n + 1) * sizeof(int));
	d->drop = sm_alloc(env, (size_t) (F->n + 1) * sizeof(bool));
	d->retype = sm_alloc(env, (size_t) (F->n + 1) * sizeof(bool));
	d->create = sm_alloc(env, (size_t) (T->n + 1) * sizeof(bool));
	d->alter = sm_alloc(env, (size_t) (T->n + 1) * sizeof(bool));
	d->folded = sm_alloc(env, (size_t) (T->n + 1) * sizeof(bool));
	d->fparent = sm_alloc(env, (size_t) (F->n + 1) * sizeof(int));
	d->tparent = sm_alloc(env, (size_t) (T->n + 1) * sizeof(int));
	d->dnode = sm_alloc(env, (size_t) (F->n + 1) * sizeof(int));
	d->anode = sm_alloc(env, (size_t) (T->n + 1) * sizeof(int));
	d->cnode = sm_alloc(env, (size_t) (T->n + 1) * sizeof(int));

	for (int i = 0; i < F->n; i++)
	{
		d->fmatch[i] = idx_of(T, F->objects[i].key);
		d->fparent[i] = idx_of(F, F->objects[i].parent);
		d->dnode[i] = -1;
	}
	for (int j = 0; j < T->n; j++)
	{
		d->tmatch[j] = idx_of(F, T->objects[j].key);
		d->tparent[j] = idx_of(T, T->objects[j].parent);
		d->anode[j] = d->cnode[j] = -1;
	}
	build_rdeps(d);

	/* 2. matching */
	for (int i = 0; i < F->n; i++)
		if (d->fmatch[i] < 0)
			d->drop[i] = true;
	for (int j = 0; j < T->n; j++)
	{
		int			i = d->tmatch[j];
		const SmObject *t = &T->objects[j];

		if (i < 0)
		{
			d->create[j] = true;
			continue;
		}
		if (str_eq(F->objects[i].def, t->def) &&
			str_eq(F->objects[i].rebuild, t->rebuild))
			continue;
		if (alterable(&F->objects[i], t))
		{
			d->alter[j] = true;
			d->retype[i] = retypes(&F->objects[i], t);
		}
		else
		{
			d->drop[i] = true;
			d->create[j] = true;
		}
	}

	if (opts && opts->keep_column_order)
		move_columns(d);

	/* 3. closure */
	closure(d);

	/*
	 * Implied drops: a child goes with its dropped parent, unless it also
	 * depends on something dropped elsewhere (a foreign key to another
	 * dropped table must go first, or that table's drop fails).
	 */
	d->implied = sm_alloc(env, (size_t) (F->n + 1) * sizeof(bool));
	for (int i = 0; i < F->n; i++)
	{
		const SmObject *o = &F->objects[i];
		int			top = top_of(d, i);
		int			ap = attached_parent(F, i);

		/* an attached index goes with its parent index, or its partition */
		if (d->drop[i] && ap >= 0 && d->drop[ap])
		{
			d->implied[i] = true;
			continue;
		}
		if (!d->drop[i] || d->fparent[i] < 0 || !d->drop[d->fparent[i]])
			continue;
		d->implied[i] = true;
		for (int k = 0; k < o->deps.n && d->implied[i]; k++)
		{
			int			x = idx_of(F, o->deps.v[k]);

			if (x >= 0 && d->drop[x] && top_of(d, x) != top)
				d->implied[i] = false;
		}
	}

	/*
	 * An attachment of a partition's index whose index and parent index are
	 * both new goes without saying: the parent's CREATE INDEX, which comes
	 * after the partition's, attaches it.
	 */
	for (int j = 0; j < T->n; j++)
	{
		const SmObject *t = &T->objects[j];
		int			child = d->tparent[j];
		int			p = t->deps.n > 0 ? idx_of(T, t->deps.v[0]) : -1;

		if (d->create[j] && kind_is(t, "index attachment") && child >= 0 &&
			d->create[child] && p >= 0 && d->create[p])
			d->create[j] = false;
	}

	/*
	 * Folding: a new column inside its new table's CREATE TABLE, a new not
	 * null, default or identity inside its new column.
	 */
	for (int j = 0; j < T->n; j++)
	{
		int			p = d->tparent[j];
		const SmObject *t = &T->objects[j];

		if (!d->create[j] || p < 0 || !d->create[p] || t->inline_def == NULL ||
			T->objects[p].head == NULL)
			continue;
		if (kind_is(t, "column") && !kind_is(&T->objects[p], "column"))
			d->folded[j] = true;
		else if (kind_is(&T->objects[p], "column") && !kind_is(t, "column"))
			d->folded[j] = true;
	}

	/* 4. nodes */
	for (int i = 0; i < F->n; i++)
		if (d->drop[i])
			d->dnode[i] = add_node(d, N_DROP, i, &F->objects[i]);
	rnode = sm_alloc(env, (size_t) (nrenames + 1) * sizeof(int));
	for (int r = 0; r < nrenames; r++)
	{
		SmObject	o;

		memset(&o, 0, sizeof(o));
		o.kind = renames[r].kind;
		o.key = renames[r].new_key;
		rnode[r] = add_node(d, N_RENAME, r, &o);
	}
	for (int j = 0; j < T->n; j++)
	{
		if (d->alter[j])
			d->anode[j] = add_node(d, N_ALTER, j, &T->objects[j]);
		if (d->create[j])
			d->cnode[j] = add_node(d, N_CREATE, j, &T->objects[j]);
	}

	/* edges from "from": a dependent goes before what it depends on */
	for (int i = 0; i < F->n; i++)
	{
		const SmObject *o = &F->objects[i];
		int			mine = d->drop[i] ? d->dnode[i] : tnode(d, d->fmatch[i]);

		if (mine < 0)
			continue;
		for (int k = -1; k < o->deps.n; k++)
		{
			int			x = k < 0 ? d->fparent[i] : idx_of(F, o->deps.v[k]);

			if (x < 0 || x == i)
				continue;
			if (d->drop[x])
				add_edge(d, mine, d->dnode[x]);
			else if (d->drop[i] && d->fmatch[x] >= 0)
				add_edge(d, mine, d->anode[d->fmatch[x]]);
		}
	}
	for (int c = 0; c < d->ncause; c++)
	{
		int			fa = d->fmatch[d->cause_alter[c]];

		if (fa >= 0)
			add_edge(d, d->dnode[d->cause_drop[c]], d->anode[fa]);
	}
	/* edges from "to": what an object depends on comes first */
	for (int j = 0; j < T->n; j++)
	{
		const SmObject *o = &T->objects[j];
		int			mine = tnode_folded(d, j);

		if (mine < 0)
			continue;
		for (int k = -1; k < o->deps.n; k++)
		{
			int			x = k < 0 ? d->tparent[j] : idx_of(T, o->deps.v[k]);

			if (x < 0 || x == j)
				continue;
			add_edge(d, tnode_folded(d, x), mine);
		}
		/* rebuilt: the drop of the old version first */
		if (d->tmatch[j] >= 0 && d->drop[d->tmatch[j]])
			add_edge(d, d->dnode[d->tmatch[j]], mine);
	}
	order_attached_indexes(d);
	order_new_columns(d);

	/* renames: after the drops that use old names, before everything new */
	for (int r = 0; r < nrenames; r++)
	{
		for (int i = 0; i < F->n; i++)
			if (d->drop[i] && affected[i])
				add_edge(d, d->dnode[i], rnode[r]);
		for (int j = 0; j < T->n; j++)
		{
			add_edge(d, rnode[r], d->anode[j]);
			add_edge(d, rnode[r], d->cnode[j]);
		}
	}

	/*
	 * A LANGUAGE sql function with a string body is checked when created
	 * (check_function_bodies), yet pg_depend knows nothing of the tables it
	 * reads: create it after every new relation that does not itself need
	 * the function.
	 */
	order_checked_bodies(d);

	/* 5. topological order, ready nodes by priority */
	kids = build_kids(d);
	heap.v = sm_alloc(env, (size_t) (d->nn + 1) * sizeof(int));
	heap.n = 0;
	heap.nodes = d->nodes;
	for (int k = 0; k < d->nn; k++)
		if (d->nodes[k].indeg == 0)
			heap_push(&heap, k);
	while (ndone < d->nn)
	{
		int			k;

		if (heap.n == 0)
		{
			/* a cycle: take the first remaining node and go on */
			int			best = -1;

			for (int x = 0; x < d->nn; x++)
				if (!d->nodes[x].done &&
					(best < 0 || node_before(&d->nodes[x], &d->nodes[best])))
					best = x;
			d->nodes[best].indeg = 0;
			heap_push(&heap, best);
		}
		k = heap_pop(&heap);
		if (d->nodes[k].done)
			continue;
		d->nodes[k].done = true;
		ndone++;
		emit_node(d, &steps, &kids, &d->nodes[k], renames);
		for (int e = 0; e < d->nodes[k].nsucc; e++)
		{
			Node	   *s = &d->nodes[d->nodes[k].succ[e]];

			if (!s->done && --s->indeg == 0)
				heap_push(&heap, d->nodes[k].succ[e]);
		}
	}

	result = sm_alloc(env, sizeof(SmDiff));
	result->n = steps.n;
	result->steps = steps.v;
	return result;
}

int
diff_hazard_names(unsigned hazards, const char **out, int max)
{
	static const struct
	{
		unsigned	flag;
		const char *name;
	}			names[] = {
		{SM_HAZARD_DELETES_DATA, "deletes data"},
		{SM_HAZARD_REWRITES_TABLE, "rewrites table"},
		{SM_HAZARD_ACCESS_EXCLUSIVE, "access exclusive lock"},
		{SM_HAZARD_BUILDS_INDEX, "builds index"},
		{SM_HAZARD_NON_TRANSACTIONAL, "cannot run in a transaction"},
		{SM_HAZARD_NEEDS_USING, "needs a hand-written USING"},
		{SM_HAZARD_COLUMN_ORDER, "column order differs"},
	};
	int			n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((hazards & names[i].flag) && n < max)
			out[n++] = names[i].name;
	return n;
}

SmDifference *
diff_differences(const SmEnv *env, const SmSchemaModel *expected,
				 const SmSchemaModel *actual, int *n)
{
	int			cap = 16,
				cnt = 0,
				i = 0,
				j = 0;
	SmDifference *v = sm_alloc(env, (size_t) cap * sizeof(SmDifference));

	/* both models are sorted by key: one merge pass */
	while (i < expected->n || j < actual->n)
	{
		const SmObject *e = i < expected->n ? &expected->objects[i] : NULL;
		const SmObject *a = j < actual->n ? &actual->objects[j] : NULL;
		int			c = e == NULL ? 1 : a == NULL ? -1 : strcmp(e->key, a->key);
		SmDifference x;

		memset(&x, 0, sizeof(x));
		if (c < 0)
		{
			x.object_type = e->kind;
			x.object_name = e->name;
			x.difference = "missing";
			x.expected = e->def;
			i++;
		}
		else if (c > 0)
		{
			x.object_type = a->kind;
			x.object_name = a->name;
			x.difference = "unexpected";
			x.actual = a->def;
			j++;
		}
		else
		{
			i++;
			j++;
			if (str_eq(e->def, a->def) && str_eq(e->rebuild, a->rebuild))
				continue;
			x.object_type = e->kind;
			x.object_name = e->name;
			x.difference = "changed";
			x.expected = e->def;
			x.actual = a->def;
		}
		if (cnt == cap)
		{
			SmDifference *nv = sm_alloc(env, (size_t) cap * 2 * sizeof(SmDifference));

			memcpy(nv, v, (size_t) cnt * sizeof(SmDifference));
			v = nv;
			cap *= 2;
		}
		v[cnt++] = x;
	}
	*n = cnt;
	return v;
}
