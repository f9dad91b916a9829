/*-------------------------------------------------------------------------
 *
 * graph_render.c
 *	  The revision graph as a picture: text in the style of
 *	  "git log --graph" (newest first, one lane per open branch), or
 *	  Graphviz DOT.
 *
 * Markers: "@" the database is at this revision, "*" applied, "o" not
 * applied.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "lib/stringinfo.h"

static char
marker(const Graph *g, const bool *applied, const bool *current, int v)
{
	if (current[v])
		return '@';
	return applied[v] ? '*' : 'o';
}

static void
append_annotations(StringInfo buf, const Graph *g, const bool *current, int v)
{
	const GraphNode *node = &g->nodes[v];
	const Migration *m = node->mig;
	bool		open = false;

#define ANNOTATE(...) do { \
		appendStringInfoString(buf, open ? ", " : " ("); \
		appendStringInfo(buf, __VA_ARGS__); \
		open = true; \
	} while (0)

	if (node->is_head)
		ANNOTATE("head");
	if (current[v])
		ANNOTATE("current");
	if (node->n_parents > 1)
		ANNOTATE("merge");
	for (int i = 0; i < m->n_labels; i++)
		ANNOTATE("label %s", m->branch_labels[i]);
	for (int i = 0; i < node->n_depends; i++)
		ANNOTATE("depends on %s", g->nodes[node->depends[i]].mig->revision);
	if (open)
		appendStringInfoChar(buf, ')');
#undef ANNOTATE
}

static int
lane_of(const int *lanes, int n, int v, int from)
{
	for (int c = from; c < n; c++)
		if (lanes[c] == v)
			return c;
	return -1;
}

/* Close every extra lane waiting for v, drawing "|/" joins. */
static void
join_lanes(StringInfo buf, int *lanes, int *n, int col, int v)
{
	int			k;

	while ((k = lane_of(lanes, *n, v, col + 1)) >= 0)
	{
		for (int c = 0; c < k; c++)
			appendStringInfoString(buf, c + 1 < k ? "| " : "|");
		appendStringInfoString(buf, "/\n");
		memmove(&lanes[k], &lanes[k + 1], sizeof(int) * (*n - k - 1));
		(*n)--;
	}
}

char *
render_graph_text(const Graph *g, const bool *applied)
{
	int		   *lanes = palloc(sizeof(int) * (g->n + 1) * 2);
	int		   *cur = palloc(sizeof(int) * (g->n + 1));
	bool	   *current = palloc0(sizeof(bool) * (g->n + 1));
	int			n_lanes = 0;
	int			n_cur = graph_current(g, applied, cur);
	StringInfoData buf;

	for (int i = 0; i < n_cur; i++)
		current[cur[i]] = true;
	initStringInfo(&buf);
	for (int v = g->n - 1; v >= 0; v--)
	{
		const GraphNode *node = &g->nodes[v];
		int			col = lane_of(lanes, n_lanes, v, 0);

		if (col < 0)
			lanes[col = n_lanes++] = v;
		join_lanes(&buf, lanes, &n_lanes, col, v);
		for (int c = 0; c < n_lanes; c++)
		{
			if (c > 0)
				appendStringInfoChar(&buf, ' ');
			appendStringInfoChar(&buf, c == col ? marker(g, applied, current, v) : '|');
		}
		appendStringInfo(&buf, "  %s %s", node->mig->revision, node->mig->message);
		append_annotations(&buf, g, current, v);
		appendStringInfoChar(&buf, '\n');

		if (node->n_parents == 0)
		{
			memmove(&lanes[col], &lanes[col + 1], sizeof(int) * (n_lanes - col - 1));
			n_lanes--;
			continue;
		}
		lanes[col] = node->parents[0];
		for (int p = 1; p < node->n_parents; p++)
		{
			if (lane_of(lanes, n_lanes, node->parents[p], 0) >= 0)
				continue;
			lanes[n_lanes++] = node->parents[p];
			for (int c = 0; c < n_lanes - 1; c++)
				appendStringInfoString(&buf, c + 1 < n_lanes - 1 ? "| " : "|");
			appendStringInfoString(&buf, "\\\n");
		}
	}
	if (g->n == 0)
		appendStringInfoString(&buf, "(no migrations)\n");
	return buf.data;
}

static void
append_dot_id(StringInfo buf, const char *s)
{
	appendStringInfoChar(buf, '"');
	for (const char *p = s; *p; p++)
	{
		if (*p == '"' || *p == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, *p == '\n' ? ' ' : *p);
	}
	appendStringInfoChar(buf, '"');
}

char *
render_graph_dot(const MigrationSet *set, const bool *applied)
{
	const Graph *g = set->graph;
	int		   *cur = palloc(sizeof(int) * (g->n + 1));
	bool	   *current = palloc0(sizeof(bool) * (g->n + 1));
	int			n_cur = graph_current(g, applied, cur);
	StringInfoData buf;

	for (int i = 0; i < n_cur; i++)
		current[cur[i]] = true;
	initStringInfo(&buf);
	appendStringInfoString(&buf, "digraph ");
	append_dot_id(&buf, set->name);
	appendStringInfoString(&buf, " {\n  rankdir=BT;\n"
						   "  node [shape=box, style=\"rounded,filled\", fillcolor=white];\n");
	for (int v = 0; v < g->n; v++)
	{
		const Migration *m = g->nodes[v].mig;
		char	   *label = psprintf("%s\n%s", m->revision, m->message);

		appendStringInfoString(&buf, "  ");
		append_dot_id(&buf, m->revision);
		appendStringInfoString(&buf, " [label=");
		/* keep the line break of the label as DOT's \n */
		appendStringInfoChar(&buf, '"');
		for (const char *p = label; *p; p++)
		{
			if (*p == '\n')
				appendStringInfoString(&buf, "\\n");
			else
			{
				if (*p == '"' || *p == '\\')
					appendStringInfoChar(&buf, '\\');
				appendStringInfoChar(&buf, *p);
			}
		}
		appendStringInfoChar(&buf, '"');
		if (applied[v])
			appendStringInfoString(&buf, ", fillcolor=\"#c8e6c9\"");
		if (current[v])
			appendStringInfoString(&buf, ", penwidth=3");
		appendStringInfoString(&buf, "];\n");
	}
	for (int v = 0; v < g->n; v++)
	{
		const GraphNode *node = &g->nodes[v];

		for (int p = 0; p < node->n_parents + node->n_depends; p++)
		{
			bool		dep = p >= node->n_parents;
			int			to = dep ? node->depends[p - node->n_parents] : node->parents[p];

			appendStringInfoString(&buf, "  ");
			append_dot_id(&buf, node->mig->revision);
			appendStringInfoString(&buf, " -> ");
			append_dot_id(&buf, g->nodes[to].mig->revision);
			appendStringInfoString(&buf, dep ? " [style=dashed, label=\"depends on\"];\n" : ";\n");
		}
	}
	appendStringInfoString(&buf, "}\n");
	return buf.data;
}
