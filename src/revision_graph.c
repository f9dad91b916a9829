/*-------------------------------------------------------------------------
 *
 * revision_graph.c
 *	  Parsed migrations -> a validated revision graph: order, heads,
 *	  labels, closures, and targets resolved to a revision (the plans
 *	  for a target are revision_plan.c's).
 *
 * Every algorithm here is iterative (explicit stacks and heaps), so a
 * 10,000-deep chain or a 1,000-wide merge cannot overflow the stack, and
 * everything is O(n log n) in the number of revisions.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "sm_core.h"
#include "revision_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- sorting helpers ---------- */

static int
cmp_mig_natural(const void *a, const void *b)
{
	const Migration *ma = *(Migration *const *) a;
	const Migration *mb = *(Migration *const *) b;

	return sm_natural_cmp(ma->revision, mb->revision);
}

typedef struct NamedNode
{
	const char *rev;
	int			node;
} NamedNode;

static int
cmp_named(const void *a, const void *b)
{
	return strcmp(((const NamedNode *) a)->rev, ((const NamedNode *) b)->rev);
}

/* First position in by_name whose revision is >= key. */
static int
lower_bound(const Graph *g, const char *key)
{
	int			lo = 0,
				hi = g->n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (strcmp(g->nodes[g->by_name[mid]].mig->revision, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
graph_find(const Graph *g, const char *rev)
{
	int			pos = lower_bound(g, rev);

	if (pos < g->n && strcmp(g->nodes[g->by_name[pos]].mig->revision, rev) == 0)
		return g->by_name[pos];
	return -1;
}

/* Node carrying a branch label, or -1.  Labels are few: a linear scan. */
static int
graph_find_label(const Graph *g, const char *label)
{
	for (int i = 0; i < g->n; i++)
		for (int j = 0; j < g->nodes[i].mig->n_labels; j++)
			if (strcmp(g->nodes[i].mig->branch_labels[j], label) == 0)
				return i;
	return -1;
}

/* ---------- a min-heap of ints for Kahn's algorithm ---------- */

typedef struct IntHeap
{
	int		   *v;
	int			n;
} IntHeap;

static void
heap_push(IntHeap *h, int x)
{
	int			i = h->n++;

	h->v[i] = x;
	while (i > 0 && h->v[(i - 1) / 2] > h->v[i])
	{
		int			p = (i - 1) / 2,
					t = h->v[p];

		h->v[p] = h->v[i];
		h->v[i] = t;
		i = p;
	}
}

static int
heap_pop(IntHeap *h)
{
	int			top = h->v[0];
	int			i = 0;

	h->v[0] = h->v[--h->n];
	for (;;)
	{
		int			l = 2 * i + 1,
					r = l + 1,
					m = i,
					t;

		if (l < h->n && h->v[l] < h->v[m])
			m = l;
		if (r < h->n && h->v[r] < h->v[m])
			m = r;
		if (m == i)
			break;
		t = h->v[m];
		h->v[m] = h->v[i];
		h->v[i] = t;
		i = m;
	}
	return top;
}

/* ---------- building ---------- */

/* Edges of the version-ordered migrations, before renumbering. */
typedef struct RawEdges
{
	int		   *n_pred;			/* parents + depends per node */
	int		  **pred;
	int		   *n_par;			/* of which the first n_par are parents */
} RawEdges;

static int
resolve_name(const SmEnv *env, Migration **sorted, int n, const Migration *m,
			 const char *name, const char *what)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = sm_natural_cmp(sorted[mid]->revision, name);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (strcmp(what, "depends_on") == 0)
	{
		/* depends_on may name a branch label */
		for (int i = 0; i < n; i++)
			for (int j = 0; j < sorted[i]->n_labels; j++)
				if (strcmp(sorted[i]->branch_labels[j], name) == 0)
					return i;
	}
	{
		char		detail[256];

		snprintf(detail, sizeof(detail),
				 "Migration \"%s\" (file \"%s\") names it in %s.",
				 m->revision, m->file, what);
		sm_fail(env, SM_ERR_UNKNOWN_REVISION, m->file, 0, detail,
				"Check the revision id for typos, or restore the migration file that defines it.",
				"%s \"%s\" of revision \"%s\" does not exist",
				what, name, m->revision);
	}
	return -1;					/* not reached */
}

static void
check_duplicates(const SmEnv *env, Migration **sorted, int n)
{
	for (int i = 1; i < n; i++)
	{
		if (strcmp(sorted[i - 1]->revision, sorted[i]->revision) == 0)
		{
			char		detail[512];

			snprintf(detail, sizeof(detail),
					 "Files \"%s\" and \"%s\" both define it.",
					 sorted[i - 1]->file, sorted[i]->file);
			sm_fail(env, SM_ERR_DUPLICATE, sorted[i]->file, 0, detail,
					"Give one of them another revision id with a \"-- revision:\" directive, or rename the file.",
					"duplicate revision \"%s\"", sorted[i]->revision);
		}
	}
}

static RawEdges
resolve_edges(const SmEnv *env, Migration **sorted, int n)
{
	RawEdges	e;

	e.n_pred = sm_alloc(env, sizeof(int) * (n + 1));
	e.n_par = sm_alloc(env, sizeof(int) * (n + 1));
	e.pred = sm_alloc(env, sizeof(int *) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		Migration  *m = sorted[i];
		int			k = 0;

		/*
		 * Without a down_revision directive: the previous in version order.
		 * Reset first, so that a parent filled in by an earlier build of a
		 * different set does not stick to the migration.
		 */
		if (!m->down_given)
		{
			m->n_parents = 0;
			m->parents = NULL;
		}
		if (!m->down_given && i > 0)
		{
			m->n_parents = 1;
			m->parents = sm_alloc(env, sizeof(char *));
			m->parents[0] = sorted[i - 1]->revision;
		}
		e.pred[i] = sm_alloc(env, sizeof(int) * (m->n_parents + m->n_depends + 1));
		for (int j = 0; j < m->n_parents; j++)
			e.pred[i][k++] = resolve_name(env, sorted, n, m, m->parents[j],
										  "down_revision");
		e.n_par[i] = k;
		for (int j = 0; j < m->n_depends; j++)
			e.pred[i][k++] = resolve_name(env, sorted, n, m, m->depends_on[j],
										  "depends_on");
		for (int j = 0; j < k; j++)
			if (e.pred[i][j] == i)
				sm_fail(env, SM_ERR_CYCLE, m->file, 0, NULL,
						"A revision cannot be its own parent; name the revision it follows.",
						"revision \"%s\" names itself in %s", m->revision,
						j < e.n_par[i] ? "down_revision" : "depends_on");
		e.n_pred[i] = k;
	}
	return e;
}

/* Walk predecessors among the unsorted nodes until one repeats. */
static void
report_cycle(const SmEnv *env, Migration **sorted, int n, RawEdges *e,
			 const int *indeg)
{
	int		   *seen_at = sm_alloc(env, sizeof(int) * n);
	int		   *path = sm_alloc(env, sizeof(int) * (n + 1));
	int			len = 0;
	int			u = 0;
	char		detail[1024];
	size_t		dl = 0;

	while (indeg[u] == 0)
		u++;
	while (seen_at[u] == 0)
	{
		path[len++] = u;
		seen_at[u] = len;
		for (int j = 0; j < e->n_pred[u]; j++)
			if (indeg[e->pred[u][j]] > 0)
			{
				u = e->pred[u][j];
				break;
			}
	}
	/* the cycle is path[seen_at[u]-1 .. len-1], walked child -> parent */
	dl = snprintf(detail, sizeof(detail), "The cycle is: ");
	for (int i = len - 1; i >= seen_at[u] - 1 && dl < sizeof(detail) - 64; i--)
	{
		dl += snprintf(detail + dl, sizeof(detail) - dl, "%s -> ",
					   sorted[path[i]]->revision);
		/* snprintf returns the untruncated length; long ids overrun */
		if (dl >= sizeof(detail))
			dl = sizeof(detail) - 1;
	}
	snprintf(detail + dl, sizeof(detail) - dl, "%s.", sorted[path[len - 1]]->revision);
	sm_fail(env, SM_ERR_CYCLE, sorted[u]->file, 0, detail,
			"Fix the down_revision or depends_on directives so that every chain leads back to a root.",
			"the revision graph has a cycle through revision \"%s\"",
			sorted[u]->revision);
}

/* Kahn's algorithm, smallest version first: returns version idx per topo position. */
static int *
topo_order(const SmEnv *env, Migration **sorted, int n, RawEdges *e)
{
	int		   *indeg = sm_alloc(env, sizeof(int) * (n + 1));
	int		   *nsucc = sm_alloc(env, sizeof(int) * (n + 1));
	int		  **succ = sm_alloc(env, sizeof(int *) * (n + 1));
	int		   *order = sm_alloc(env, sizeof(int) * (n + 1));
	IntHeap		h;
	int			done = 0;

	for (int i = 0; i < n; i++)
		for (int j = 0; j < e->n_pred[i]; j++)
			nsucc[e->pred[i][j]]++;
	for (int i = 0; i < n; i++)
	{
		succ[i] = sm_alloc(env, sizeof(int) * (nsucc[i] + 1));
		nsucc[i] = 0;
	}
	for (int i = 0; i < n; i++)
	{
		/* a parent named twice (down_revision and depends_on) counts once */
		for (int j = 0; j < e->n_pred[i]; j++)
		{
			bool		dup = false;

			for (int k = 0; k < j && !dup; k++)
				dup = e->pred[i][k] == e->pred[i][j];
			if (dup)
				continue;
			succ[e->pred[i][j]][nsucc[e->pred[i][j]]++] = i;
			indeg[i]++;
		}
	}
	h.v = sm_alloc(env, sizeof(int) * (n + 1));
	h.n = 0;
	for (int i = 0; i < n; i++)
		if (indeg[i] == 0)
			heap_push(&h, i);
	while (h.n > 0)
	{
		int			u = heap_pop(&h);

		order[done++] = u;
		for (int j = 0; j < nsucc[u]; j++)
			if (--indeg[succ[u][j]] == 0)
				heap_push(&h, succ[u][j]);
	}
	if (done < n)
		report_cycle(env, sorted, n, e, indeg);
	return order;
}

static void
check_labels(const SmEnv *env, const Graph *g)
{
	for (int i = 0; i < g->n; i++)
		for (int j = 0; j < g->nodes[i].mig->n_labels; j++)
		{
			const char *label = g->nodes[i].mig->branch_labels[j];
			int			other = graph_find_label(g, label);

			if (other != i)
			{
				char		detail[512];

				snprintf(detail, sizeof(detail),
						 "Files \"%s\" and \"%s\" both use it.",
						 g->nodes[other].mig->file, g->nodes[i].mig->file);
				sm_fail(env, SM_ERR_DUPLICATE, g->nodes[i].mig->file, 0, detail,
						"A branch label names one revision, the base of its branch.",
						"duplicate branch label \"%s\"", label);
			}
		}
}

static void
fill_nodes(const SmEnv *env, Graph *g, Migration **sorted, RawEdges *e,
		   const int *order)
{
	int			n = g->n;
	int		   *pos = sm_alloc(env, sizeof(int) * (n + 1));

	for (int t = 0; t < n; t++)
		pos[order[t]] = t;
	for (int t = 0; t < n; t++)
	{
		GraphNode  *node = &g->nodes[t];
		int			v = order[t];

		node->mig = sorted[v];
		node->n_parents = e->n_par[v];
		node->n_depends = e->n_pred[v] - e->n_par[v];
		node->parents = sm_alloc(env, sizeof(int) * (node->n_parents + 1));
		node->depends = sm_alloc(env, sizeof(int) * (node->n_depends + 1));
		for (int j = 0; j < node->n_parents; j++)
			node->parents[j] = pos[e->pred[v][j]];
		for (int j = 0; j < node->n_depends; j++)
			node->depends[j] = pos[e->pred[v][node->n_parents + j]];
	}
	/* reverse edges: count, allocate, fill */
	for (int t = 0; t < n; t++)
	{
		for (int j = 0; j < g->nodes[t].n_parents; j++)
			g->nodes[g->nodes[t].parents[j]].n_children++;
		for (int j = 0; j < g->nodes[t].n_depends; j++)
			g->nodes[g->nodes[t].depends[j]].n_dependents++;
	}
	for (int t = 0; t < n; t++)
	{
		g->nodes[t].children = sm_alloc(env, sizeof(int) * (g->nodes[t].n_children + 1));
		g->nodes[t].dependents = sm_alloc(env, sizeof(int) * (g->nodes[t].n_dependents + 1));
		g->nodes[t].n_children = g->nodes[t].n_dependents = 0;
	}
	for (int t = 0; t < n; t++)
	{
		for (int j = 0; j < g->nodes[t].n_parents; j++)
		{
			GraphNode  *p = &g->nodes[g->nodes[t].parents[j]];

			p->children[p->n_children++] = t;
		}
		for (int j = 0; j < g->nodes[t].n_depends; j++)
		{
			GraphNode  *p = &g->nodes[g->nodes[t].depends[j]];

			p->dependents[p->n_dependents++] = t;
		}
	}
}

Graph *
graph_build(const SmEnv *env, Migration **migs, int n)
{
	Graph	   *g = sm_alloc(env, sizeof(Graph));
	Migration **sorted = sm_alloc(env, sizeof(Migration *) * (n + 1));
	RawEdges	e;
	int		   *order;

	/* an empty set may come with migs == NULL; memcpy must not see it */
	if (n > 0)
		memcpy(sorted, migs, sizeof(Migration *) * n);
	qsort(sorted, n, sizeof(Migration *), cmp_mig_natural);
	check_duplicates(env, sorted, n);
	e = resolve_edges(env, sorted, n);
	order = topo_order(env, sorted, n, &e);

	g->n = n;
	g->nodes = sm_alloc(env, sizeof(GraphNode) * (n + 1));
	fill_nodes(env, g, sorted, &e, order);

	{
		NamedNode  *names = sm_alloc(env, sizeof(NamedNode) * (n + 1));

		for (int i = 0; i < n; i++)
		{
			names[i].rev = g->nodes[i].mig->revision;
			names[i].node = i;
		}
		qsort(names, n, sizeof(NamedNode), cmp_named);
		g->by_name = sm_alloc(env, sizeof(int) * (n + 1));
		for (int i = 0; i < n; i++)
			g->by_name[i] = names[i].node;
	}

	g->heads = sm_alloc(env, sizeof(int) * (n + 1));
	for (int i = 0; i < n; i++)
		if (g->nodes[i].n_children == 0)
		{
			g->nodes[i].is_head = true;
			g->heads[g->n_heads++] = i;
		}
	check_labels(env, g);
	return g;
}

/* ---------- closures ---------- */

/* Mark every node reachable from the seeds, following parents+depends (up) or children+dependents (down). */
bool *
graph_closure_ext(const SmEnv *env, const Graph *g, const int *seeds, int n_seeds,
			bool towards_base, bool with_depends)
{
	bool	   *mark = sm_alloc(env, sizeof(bool) * (g->n + 1));
	int		   *stack = sm_alloc(env, sizeof(int) * (g->n + 1));
	int			sp = 0;

	for (int i = 0; i < n_seeds; i++)
		if (!mark[seeds[i]])
		{
			mark[seeds[i]] = true;
			stack[sp++] = seeds[i];
		}
	while (sp > 0)
	{
		const GraphNode *node = &g->nodes[stack[--sp]];
		int			na = towards_base ? node->n_parents : node->n_children;
		int		   *a = towards_base ? node->parents : node->children;
		int			nb = !with_depends ? 0 :
			towards_base ? node->n_depends : node->n_dependents;
		int		   *b = towards_base ? node->depends : node->dependents;

		for (int j = 0; j < na + nb; j++)
		{
			int			v = j < na ? a[j] : b[j - na];

			if (!mark[v])
			{
				mark[v] = true;
				stack[sp++] = v;
			}
		}
	}
	return mark;
}

bool *
graph_closure(const SmEnv *env, const Graph *g, const int *seeds, int n_seeds,
		bool towards_base)
{
	return graph_closure_ext(env, g, seeds, n_seeds, towards_base, true);
}

bool
graph_is_ancestor(const Graph *g, int a, int b)
{
	/* nodes are topologically numbered: an ancestor never comes later */
	int		   *stack;
	bool	   *seen;
	int			sp = 0;
	bool		found = false;

	if (a == b)
		return true;
	if (a > b)
		return false;
	stack = calloc(g->n + 1, sizeof(int));
	seen = calloc(g->n + 1, sizeof(bool));
	if (!stack || !seen)
	{
		free(stack);
		free(seen);
		return false;
	}
	stack[sp++] = b;
	seen[b] = true;
	while (sp > 0 && !found)
	{
		const GraphNode *node = &g->nodes[stack[--sp]];

		for (int j = 0; j < node->n_parents + node->n_depends; j++)
		{
			int			v = j < node->n_parents ? node->parents[j] :
				node->depends[j - node->n_parents];

			if (v == a)
				found = true;
			else if (v > a && !seen[v])
			{
				seen[v] = true;
				stack[sp++] = v;
			}
		}
	}
	free(stack);
	free(seen);
	return found;
}

/* ---------- targets ---------- */

void
graph_bad_target(const SmEnv *env, const char *target, const char *why,
		   const char *hint)
{
	sm_fail(env, SM_ERR_BAD_TARGET, NULL, 0, why, hint,
			"invalid target \"%.200s\"", target);
}

/* Parse a positive step count of at most 9 digits; -1 if not a count. */
int
graph_parse_count(const SmEnv *env, const char *target, const char *s)
{
	int			v = 0;
	int			digits = 0;

	if (*s == '\0')
		return -1;
	for (const char *p = s; *p; p++)
	{
		if (*p < '0' || *p > '9')
			return -1;
		if (++digits > 9)
			sm_fail(env, SM_ERR_TARGET_RANGE, NULL, 0, NULL, NULL,
					"step count in target \"%.200s\" is too large", target);
		v = v * 10 + (*p - '0');
	}
	if (v == 0)
		graph_bad_target(env, target, "A relative step count must be at least 1.", NULL);
	return v;
}

/*
 * A revision by exact id, branch label or unique prefix.  Fails when none
 * or several match.
 */
int
graph_resolve(const SmEnv *env, const Graph *g, const char *spec)
{
	int			node = graph_find(g, spec);
	int			pos,
				matches = 0;
	char		detail[512];
	size_t		dl = 0;
	size_t		speclen = strlen(spec);
	const char *why;

	if (node >= 0)
		return node;
	if (strncmp(spec, SM_QUALIFIED_PREFIX, strlen(SM_QUALIFIED_PREFIX)) == 0)
	{
		/* an exact id, even a target word that another tool's folder uses */
		const char *id = spec + strlen(SM_QUALIFIED_PREFIX);

		if ((node = graph_find(g, id)) < 0)
			sm_fail(env, SM_ERR_UNKNOWN_REVISION, NULL, 0, NULL,
					"\"revision:<id>\" takes an exact revision id; sm_history() lists them.",
					"revision \"%.200s\" does not exist in the set", id);
		return node;
	}
	if (!mig_valid_revision(spec, &why))
		sm_fail(env, SM_ERR_BAD_TARGET, NULL, 0, NULL,
				"Use \"head\", \"heads\", \"base\", a revision id or its prefix, a branch label, or a relative target such as \"+1\".",
				"invalid target \"%.200s\": %s", spec, why);
	if ((node = graph_find_label(g, spec)) >= 0)
		return node;
	pos = lower_bound(g, spec);
	for (int i = pos; i < g->n &&
		 strncmp(g->nodes[g->by_name[i]].mig->revision, spec, speclen) == 0; i++)
	{
		if (matches < 5)
		{
			dl += snprintf(detail + dl, sizeof(detail) - dl, "%s%s",
						   matches ? ", " : "Candidates: ",
						   g->nodes[g->by_name[i]].mig->revision);
			/* snprintf returns the untruncated length; long ids overrun */
			if (dl >= sizeof(detail))
				dl = sizeof(detail) - 1;
		}
		node = g->by_name[i];
		matches++;
	}
	if (matches == 1)
		return node;
	if (matches == 0)
		sm_fail(env, SM_ERR_UNKNOWN_REVISION, NULL, 0, NULL,
				"sm_history() lists the revisions of the set.",
				"revision \"%.200s\" does not exist in the set", spec);
	snprintf(detail + dl, sizeof(detail) - dl, "%s.", matches > 5 ? ", ..." : "");
	sm_fail(env, SM_ERR_AMBIGUOUS, NULL, 0, detail,
			"Give more characters of the revision id.",
			"revision prefix \"%.200s\" is ambiguous: %d revisions match",
			spec, matches);
	return -1;
}

/*
 * The database's current revisions: applied nodes none of whose children
 * are applied.  Writes node indexes to out (room for g->n) in topological
 * order and returns how many.
 */
int
graph_current(const Graph *g, const bool *applied, int *out)
{
	int			n = 0;

	for (int i = 0; i < g->n; i++)
	{
		bool		tip = applied[i];

		for (int j = 0; tip && j < g->nodes[i].n_children; j++)
			tip = !applied[g->nodes[i].children[j]];
		if (tip)
			out[n++] = i;
	}
	return n;
}
