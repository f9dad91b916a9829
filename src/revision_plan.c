/*-------------------------------------------------------------------------
 *
 * revision_plan.c
 *	  Targets -> plans: the steps an upgrade, a downgrade or a stamp takes
 *	  through a validated revision graph (revision_graph.c), for every
 *	  target form (head, heads, base, a revision, a label, +N/-N,
 *	  label@head, label@+N, rev+N, ...).
 *
 * Iterative like the graph (no recursion), and plain C: no server headers;
 * memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "sm_core.h"
#include "revision_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
describe_heads(const Graph *g, const int *nodes, int n, char *buf, size_t size)
{
	size_t		l = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && l < size - 16; i++)
		l += snprintf(buf + l, size - l, "%s%s", i ? ", " : "",
					  g->nodes[nodes[i]].mig->revision);
}

static int
single_head(const SmEnv *env, const Graph *g, const int *heads, int n_heads,
			const char *what)
{
	char		list[512];
	char		detail[600];

	if (n_heads == 1)
		return heads[0];
	describe_heads(g, heads, n_heads, list, sizeof(list));
	snprintf(detail, sizeof(detail), "The heads are: %s.", list);
	sm_fail(env, SM_ERR_AMBIGUOUS, NULL, 0, detail,
			"Use \"heads\" to apply every branch, name one head, or add a merge revision.",
			"%s has %d heads", what, n_heads);
	return -1;
}

/* Walk n single steps from node along children (forward) or parents. */
static int
walk_steps(const SmEnv *env, const Graph *g, int node, int n, bool forward,
		   const char *target)
{
	for (int i = 0; i < n; i++)
	{
		const GraphNode *gn = &g->nodes[node];
		int			cnt = forward ? gn->n_children : gn->n_parents;

		if (cnt == 0)
			sm_fail(env, SM_ERR_TARGET_RANGE, NULL, 0, NULL, NULL,
					"target \"%.200s\" walks past the %s of the graph",
					target, forward ? "head" : "base");
		if (cnt > 1)
			sm_fail(env, SM_ERR_AMBIGUOUS, NULL, 0, NULL,
					"Name the revision to go to instead of a relative step.",
					"target \"%.200s\" is ambiguous: revision \"%s\" has %d %s",
					target, gn->mig->revision, cnt,
					forward ? "children" : "parents");
		node = forward ? gn->children[0] : gn->parents[0];
	}
	return node;
}

/* The node of "name+N" or "name-N" (rest is "+N" or "-N"). */
static int
relative_node(const SmEnv *env, const Graph *g, const char *target,
			  const char *name, const char *rest)
{
	return walk_steps(env, g, graph_resolve(env, g, name),
					  graph_parse_count(env, target, rest + 1),
					  rest[0] == '+', target);
}

/*
 * The head a node's branch leads to.  Only child edges count: another
 * branch that merely depends on this one does not make it a second head.
 */
static int
branch_head(const SmEnv *env, const Graph *g, int node, const char *label)
{
	bool	   *desc = graph_closure_ext(env, g, &node, 1, false, false);
	int		   *heads = sm_alloc(env, sizeof(int) * (g->n_heads + 1));
	int			n = 0;

	for (int i = 0; i < g->n_heads; i++)
		if (desc[g->heads[i]])
			heads[n++] = g->heads[i];
	return single_head(env, g, heads, n, label);
}

/* Is target a revision id as it is, or as "revision:<id>"? */
static bool
is_exact_id(const Graph *g, const char *target)
{
	size_t		pl = strlen(SM_QUALIFIED_PREFIX);

	return graph_find(g, target) >= 0 ||
		(strncmp(target, SM_QUALIFIED_PREFIX, pl) == 0 &&
		 graph_find(g, target + pl) >= 0);
}

/* Split "name@rest" or "name+N" / "name-N"; returns the operator or 0. */
static char
split_target(const SmEnv *env, const char *target, char **name,
			 const char **rest)
{
	const char *at = strchr(target, '@');

	if (at)
	{
		*name = sm_strndup(env, target, at - target);
		*rest = at + 1;
		return '@';
	}
	/* "rev-N": the last '-' or '+' followed only by digits */
	for (const char *p = target + strlen(target) - 1; p > target; p--)
	{
		if (*p >= '0' && *p <= '9')
			continue;
		if ((*p == '+' || *p == '-') && p[1] != '\0')
		{
			*name = sm_strndup(env, target, p - target);
			*rest = p;
			return *p;
		}
		break;
	}
	return 0;
}

static MigPlan *
new_plan(const SmEnv *env, const Graph *g, PlanDirection dir)
{
	MigPlan	   *p = sm_alloc(env, sizeof(MigPlan));

	p->direction = dir;
	p->steps = sm_alloc(env, sizeof(int) * (g->n + 1));
	return p;
}

/* Upgrade to all of targets: every unapplied ancestor, in topological order. */
static MigPlan *
plan_to_nodes(const SmEnv *env, const Graph *g, const bool *applied,
			  const int *targets, int n_targets)
{
	MigPlan	   *p = new_plan(env, g, PLAN_UP);
	bool	   *need = graph_closure(env, g, targets, n_targets, true);

	for (int i = 0; i < g->n; i++)
		if (need[i] && !applied[i])
			p->steps[p->n_steps++] = i;
	return p;
}

static MigPlan *
truncate_plan(const SmEnv *env, MigPlan *p, int n, const char *target)
{
	if (p->n_steps < n)
		sm_fail(env, SM_ERR_TARGET_RANGE, NULL, 0, NULL, NULL,
				"target \"%.200s\" goes past the head: only %d revision%s %s not applied",
				target, p->n_steps, p->n_steps == 1 ? "" : "s",
				p->n_steps == 1 ? "is" : "are");
	p->n_steps = n;
	return p;
}

static MigPlan *plan_upgrade_steps(const SmEnv *env, const Graph *g,
								   const bool *applied, const char *target);
static MigPlan *plan_downgrade_steps(const SmEnv *env, const Graph *g,
									 const bool *applied, const char *target);

/*
 * A plan through a code migration (a goose .go file) stops before anything
 * runs: it is a revision of the graph that the server cannot run, never one
 * to skip.  The error says what the tool would do and the ways out.
 */
static void
check_runnable(const SmEnv *env, const Graph *g, const MigPlan *p)
{
	for (int i = 0; i < p->n_steps; i++)
	{
		const Migration *m = g->nodes[p->steps[i]].mig;
		bool		up = p->direction == PLAN_UP;
		const char *before;
		int			stem;
		char		detail[700];
		char		hint[700];

		if (m->code_tool == NULL)
			continue;
		before = m->n_parents == 1 ? m->parents[0] : "base";
		stem = (int) strlen(m->file) - 3;	/* the name without ".go" */
		snprintf(detail, sizeof(detail),
				 "%s would %s the Go function that \"%s\" registers, as step %d of the %d this %s takes. Nothing was run.",
				 m->code_tool, up ? "run" : "run the down part of", m->file,
				 i + 1, p->n_steps, up ? "upgrade" : "downgrade");
		if (up)
			snprintf(hint, sizeof(hint),
					 "Upgrade to the revision before it, run this migration with %s (%s up-to %s), then record it with SELECT sm_stamp('%s'); or port it to a SQL migration %.*s.sql.",
					 m->code_tool, m->code_tool, m->revision, m->revision,
					 stem, m->file);
		else
			snprintf(hint, sizeof(hint),
					 "Downgrade to revision %s, revert this migration with %s (%s down-to %s), then record that with SELECT sm_stamp('%s'); or port it to a SQL migration %.*s.sql.",
					 m->revision, m->code_tool, m->code_tool, before, before,
					 stem, m->file);
		sm_fail(env, SM_ERR_CANNOT_RUN, m->file, 0, detail, hint,
				"revision \"%s\" (file \"%s\") is a Go migration, which schema_migrate cannot run",
				m->revision, m->file);
	}
}

MigPlan *
plan_upgrade(const SmEnv *env, const Graph *g, const bool *applied,
			 const char *target)
{
	MigPlan    *p = plan_upgrade_steps(env, g, applied, target);

	check_runnable(env, g, p);
	return p;
}

MigPlan *
plan_downgrade(const SmEnv *env, const Graph *g, const bool *applied,
			   const char *target)
{
	MigPlan    *p = plan_downgrade_steps(env, g, applied, target);

	check_runnable(env, g, p);
	return p;
}

static MigPlan *
plan_upgrade_steps(const SmEnv *env, const Graph *g, const bool *applied,
				   const char *target)
{
	char	   *name;
	const char *rest;
	int			node;

	if (target[0] == '\0')
		graph_bad_target(env, target, "The target is empty.",
				   "Use \"head\", \"heads\", a revision id, or \"+N\".");
	if (strcmp(target, "heads") == 0)
		return plan_to_nodes(env, g, applied, g->heads, g->n_heads);
	if (strcmp(target, "head") == 0)
	{
		if (g->n == 0)
			return new_plan(env, g, PLAN_UP);
		node = single_head(env, g, g->heads, g->n_heads, "the revision graph");
		return plan_to_nodes(env, g, applied, &node, 1);
	}
	if (strcmp(target, "base") == 0 || target[0] == '-')
		graph_bad_target(env, target, "That target is a downgrade target.",
				   "Use sm_downgrade() to move towards base.");
	if (target[0] == '+')
	{
		int			n = graph_parse_count(env, target, target + 1);

		if (n < 0)
			graph_bad_target(env, target, NULL, "Write \"+N\" with N a number of steps.");
		node = g->n == 0 ? -1 : single_head(env, g, g->heads, g->n_heads,
											"the revision graph");
		if (node < 0)
			return truncate_plan(env, new_plan(env, g, PLAN_UP), n, target);
		return truncate_plan(env, plan_to_nodes(env, g, applied, &node, 1),
							 n, target);
	}
	if (!is_exact_id(g, target))
	{
		switch (split_target(env, target, &name, &rest))
		{
			case '@':
				node = graph_resolve(env, g, name);
				if (strcmp(rest, "head") == 0)
					node = branch_head(env, g, node, target);
				else if (rest[0] == '+' && graph_parse_count(env, target, rest + 1) > 0)
				{
					int			head = branch_head(env, g, node, target);

					return truncate_plan(env,
										 plan_to_nodes(env, g, applied, &head, 1),
										 graph_parse_count(env, target, rest + 1), target);
				}
				else
					graph_bad_target(env, target, NULL,
							   "Write \"label@head\" or \"label@+N\".");
				return plan_to_nodes(env, g, applied, &node, 1);
			case '+':
			case '-':
				node = relative_node(env, g, target, name, rest);
				return plan_to_nodes(env, g, applied, &node, 1);
			default:
				break;
		}
	}
	node = graph_resolve(env, g, target);
	return plan_to_nodes(env, g, applied, &node, 1);
}

/* ---------- downgrade ---------- */

static void
check_down_sections(const SmEnv *env, const Graph *g, const MigPlan *p)
{
	for (int i = 0; i < p->n_steps; i++)
	{
		const Migration *m = g->nodes[p->steps[i]].mig;

		if (!m->has_down)
		{
			char		detail[256];

			snprintf(detail, sizeof(detail),
					 "The downgrade would revert %d revision%s; nothing was changed.",
					 p->n_steps, p->n_steps == 1 ? "" : "s");
			sm_fail(env, SM_ERR_NO_DOWN, m->file, 0, detail,
					m->format && strcmp(m->format, "native") != 0 ?
					"Add the migration's down script as its tool names it, or downgrade to a later revision." :
					"Add a \"-- +down\" section to the file, or downgrade to a later revision.",
					"revision \"%s\" (file \"%s\") has no down section",
					m->revision, m->file);
		}
	}
}

/* Revert the applied nodes in mark, newest first. */
static MigPlan *
plan_revert(const SmEnv *env, const Graph *g, const bool *applied,
			const bool *mark)
{
	MigPlan	   *p = new_plan(env, g, PLAN_DOWN);

	for (int i = g->n - 1; i >= 0; i--)
		if (applied[i] && (!mark || mark[i]))
			p->steps[p->n_steps++] = i;
	check_down_sections(env, g, p);
	return p;
}

/* Revert the last n applied nodes, optionally within a branch. */
static MigPlan *
plan_revert_last(const SmEnv *env, const Graph *g, const bool *applied,
				 const bool *within, int n, const char *target)
{
	bool	   *mark = sm_alloc(env, sizeof(bool) * (g->n + 1));
	int			found = 0;
	int			current_heads = 0;

	if (!within)
	{
		/* several applied branch tips make "the last N" ambiguous */
		for (int i = 0; i < g->n; i++)
		{
			bool		tip = applied[i];

			for (int j = 0; tip && j < g->nodes[i].n_children; j++)
				tip = !applied[g->nodes[i].children[j]];
			current_heads += tip;
		}
		if (current_heads > 1)
			sm_fail(env, SM_ERR_AMBIGUOUS, NULL, 0,
					"The database is at several revisions at once.",
					"Use \"label@-N\", or name the revision to go back to.",
					"target \"%.200s\" is ambiguous", target);
	}
	for (int i = g->n - 1; i >= 0 && found < n; i--)
		if (applied[i] && (!within || within[i]))
		{
			mark[i] = true;
			found++;
		}
	if (found < n)
		sm_fail(env, SM_ERR_TARGET_RANGE, NULL, 0, NULL,
				"Use \"base\" to revert everything.",
				"target \"%.200s\" goes past base: only %d revision%s %s applied",
				target, found, found == 1 ? "" : "s", found == 1 ? "is" : "are");
	return plan_revert(env, g, applied, mark);
}

/* Leave the database at node: revert its applied descendants. */
static MigPlan *
plan_down_to(const SmEnv *env, const Graph *g, const bool *applied, int node)
{
	bool	   *desc;

	if (!applied[node])
		sm_fail(env, SM_ERR_NOT_APPLIED, NULL, 0, NULL,
				"Use sm_upgrade() to move forward to it.",
				"revision \"%s\" is not applied", g->nodes[node].mig->revision);
	desc = graph_closure(env, g, &node, 1, false);
	desc[node] = false;
	return plan_revert(env, g, applied, desc);
}

static MigPlan *
plan_downgrade_steps(const SmEnv *env, const Graph *g, const bool *applied,
					 const char *target)
{
	char	   *name;
	const char *rest;
	int			node;

	if (target[0] == '\0')
		graph_bad_target(env, target, "The target is empty.",
				   "Use \"base\", a revision id, or \"-N\".");
	if (strcmp(target, "base") == 0)
		return plan_revert(env, g, applied, NULL);
	if (strcmp(target, "head") == 0 || strcmp(target, "heads") == 0 || target[0] == '+')
		graph_bad_target(env, target, "That target is an upgrade target.",
				   "Use sm_upgrade() to move towards head.");
	if (target[0] == '-')
	{
		int			n = graph_parse_count(env, target, target + 1);

		if (n < 0)
			graph_bad_target(env, target, NULL, "Write \"-N\" with N a number of steps.");
		return plan_revert_last(env, g, applied, NULL, n, target);
	}
	if (!is_exact_id(g, target))
	{
		switch (split_target(env, target, &name, &rest))
		{
			case '@':
				node = graph_resolve(env, g, name);
				if (rest[0] == '-' && graph_parse_count(env, target, rest + 1) > 0)
					return plan_revert_last(env, g, applied,
											graph_closure(env, g, &node, 1, false),
											graph_parse_count(env, target, rest + 1),
											target);
				graph_bad_target(env, target, NULL, "Write \"label@-N\".");
				break;
			case '+':
			case '-':
				return plan_down_to(env, g, applied,
									relative_node(env, g, target, name, rest));
			default:
				break;
		}
	}
	return plan_down_to(env, g, applied, graph_resolve(env, g, target));
}

bool *
plan_stamp(const SmEnv *env, const Graph *g, const char *target)
{
	int			node;

	if (strcmp(target, "base") == 0)
		return sm_alloc(env, sizeof(bool) * (g->n + 1));
	if (strcmp(target, "heads") == 0)
		return graph_closure(env, g, g->heads, g->n_heads, true);
	if (strcmp(target, "head") == 0)
		node = single_head(env, g, g->heads, g->n_heads, "the revision graph");
	else if (target[0] == '\0' || target[0] == '+' || target[0] == '-')
	{
		graph_bad_target(env, target, NULL,
				   "Stamp takes \"head\", \"heads\", \"base\" or a revision id.");
		return NULL;
	}
	else
		node = graph_resolve(env, g, target);
	return graph_closure(env, g, &node, 1, true);
}
