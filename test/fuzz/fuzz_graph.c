/*
 * fuzz_graph.c
 *	  libFuzzer target for graph_build() and the planners.
 *
 * Input layout: parts separated by NUL bytes (a NUL can never appear in a
 * valid migration file).  Every part but the last is a migration file named
 * "NNNN_mN.sql"; files that fail to parse are skipped.  The last part is a
 * control text: its first line sets the applied flags -- either a string
 * of '0'/'1' (one per node, cycled) or "@target" to take the applied set
 * from plan_stamp(target) -- and each further line (up to 8) is a target
 * tried with plan_upgrade, plan_downgrade and plan_stamp.
 *
 * Besides the sanitizers, the target checks invariants: topological
 * numbering, heads, lookups, and that plans keep an ancestor-closed applied
 * set ancestor-closed.
 */
#include <stdio.h>

#include "harness.h"

#define MAX_FILES	64
#define MAX_TARGETS	8

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
closed(const Graph *g, const bool *applied)
{
	for (int i = 0; i < g->n; i++)
	{
		const GraphNode *nd = &g->nodes[i];

		if (!applied[i])
			continue;
		for (int j = 0; j < nd->n_parents; j++)
			if (!applied[nd->parents[j]])
				return false;
		for (int j = 0; j < nd->n_depends; j++)
			if (!applied[nd->depends[j]])
				return false;
	}
	return true;
}

static void
check_graph(const Graph *g)
{
	int			heads = 0;

	for (int i = 0; i < g->n; i++)
	{
		const GraphNode *nd = &g->nodes[i];

		for (int j = 0; j < nd->n_parents; j++)
			if (nd->parents[j] >= i)
				abort();
		for (int j = 0; j < nd->n_depends; j++)
			if (nd->depends[j] >= i)
				abort();
		if (nd->is_head != (nd->n_children == 0))
			abort();
		heads += nd->is_head;
		if (graph_find(g, nd->mig->revision) != i)
			abort();
		if (i > 0 && strcmp(g->nodes[g->by_name[i - 1]].mig->revision,
							g->nodes[g->by_name[i]].mig->revision) >= 0)
			abort();
	}
	if (heads != g->n_heads || (g->n > 0 && heads == 0))
		abort();
}

static void
check_plan(const Graph *g, const bool *applied, const MigPlan *p, bool was_closed)
{
	bool	   *after = calloc(g->n + 1, 1);

	memcpy(after, applied, g->n);
	for (int i = 0; i < p->n_steps; i++)
	{
		int			s = p->steps[i];

		if (s < 0 || s >= g->n)
			abort();
		if (i > 0 && (p->direction == PLAN_UP ? s <= p->steps[i - 1] :
					  s >= p->steps[i - 1]))
			abort();
		if (p->direction == PLAN_UP)
		{
			if (applied[s])
				abort();
			after[s] = true;
		}
		else
		{
			if (!applied[s] || !g->nodes[s].mig->has_down)
				abort();
			after[s] = false;
		}
	}
	if (was_closed && !closed(g, after))
		abort();
	free(after);
}

/*
 * The control line at pos into line (cut at size - 1); returns where the
 * next one starts.
 */
static size_t
next_line(const char *ctl, size_t ctl_len, size_t pos, char *line, size_t size)
{
	size_t		l = 0;

	while (pos < ctl_len && ctl[pos] != '\n')
	{
		if (l < size - 1)
			line[l++] = ctl[pos];
		pos++;
	}
	line[l] = '\0';
	return pos < ctl_len ? pos + 1 : pos;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FuzzArena arena;
	SmEnv		env = {fuzz_alloc, fuzz_fail, &arena};
	const char *parts[MAX_FILES + 1];
	size_t		lens[MAX_FILES + 1];
	int			nparts = 0;
	size_t		start = 0;
	Migration  *migs[MAX_FILES];
	char		names[MAX_FILES][32];
	volatile int nmigs = 0;
	Graph	   *volatile g = NULL;
	bool	   *volatile applied = NULL;
	const char *ctl;
	size_t		ctl_len;
	char		line[256];
	volatile size_t pos;

	for (size_t i = 0; i <= size && nparts < MAX_FILES + 1; i++)
		if (i == size || data[i] == 0)
		{
			parts[nparts] = (const char *) data + start;
			lens[nparts++] = i - start;
			start = i + 1;
		}
	if (nparts < 2)
		return 0;
	ctl = parts[nparts - 1];
	ctl_len = lens[nparts - 1];
	/* the last "part" may have swallowed NULs when MAX_FILES was reached */
	ctl_len = strnlen(ctl, ctl_len);

	for (int i = 0; i < nparts - 1; i++)
	{
		snprintf(names[i], sizeof(names[i]), "%04d_m%d.sql", i + 1, i);
		if (setjmp(arena.jb) == 0)
			migs[nmigs++] = mig_parse(&env, names[i], parts[i], lens[i]);
	}

	if (setjmp(arena.jb) != 0)
		goto done;
	g = graph_build(&env, migs, nmigs);
	check_graph(g);

	/* first control line: the applied flags */
	pos = 0;
	pos = next_line(ctl, ctl_len, pos, line, sizeof(line));
	if (line[0] == '@')
	{
		if (setjmp(arena.jb) == 0)
			applied = plan_stamp(&env, g, line + 1);
		else
			applied = NULL;
		if (applied && !closed(g, applied))
			abort();
	}
	if (!applied)
	{
		size_t		l = strlen(line);

		applied = env.alloc(env.arg, g->n + 1);
		for (int i = 0; i < g->n; i++)
			applied[i] = l > 0 && line[i % l] == '1';
	}

	for (int t = 0; t < MAX_TARGETS && pos < ctl_len; t++)
	{
		bool		was_closed = closed(g, applied);
		MigPlan	   *volatile p;

		pos = next_line(ctl, ctl_len, pos, line, sizeof(line));

		if (setjmp(arena.jb) == 0)
		{
			p = plan_upgrade(&env, g, applied, line);
			check_plan(g, applied, p, was_closed);
		}
		if (setjmp(arena.jb) == 0)
		{
			p = plan_downgrade(&env, g, applied, line);
			check_plan(g, applied, p, was_closed);
		}
		if (setjmp(arena.jb) == 0)
		{
			bool	   *s = plan_stamp(&env, g, line);

			if (!closed(g, s))
				abort();
		}
		for (int i = 0; i < g->n; i++)
		{
			int			j = (i * 7 + t) % g->n;

			if (graph_is_ancestor(g, j, i) && j > i)
				abort();
		}
	}

done:
	fuzz_arena_free(&arena);
	return 0;
}
