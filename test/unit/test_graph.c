/*
 * test_graph.c
 *	  Building the revision graph, and the planners.
 */
#include "unit.h"

static int
node_of(const Graph *g, const char *rev)
{
	int			i = graph_find(g, rev);

	if (i < 0)
	{
		unit_fail(__FILE__, __LINE__, "no node %s", rev);
		unit_abort_case();
	}
	return i;
}

/* order of the nodes as "a b c" */
static const char *
order_str(const Graph *g)
{
	char	   *s = fmt("%s", "");

	for (int i = 0; i < g->n; i++)
		s = fmt("%s%s%s", s, i ? " " : "", g->nodes[i].mig->revision);
	return s;
}

static const char *
heads_str(const Graph *g)
{
	char	   *s = fmt("%s", "");

	for (int i = 0; i < g->n_heads; i++)
		s = fmt("%s%s%s", s, i ? " " : "", g->nodes[g->heads[i]].mig->revision);
	return s;
}

/*
 * Fixtures.
 *
 * linear: 0001 .. 0005 from file names, default chain, all with down.
 * branched:
 *		ae1f (label trunk) <- ae2b <- bc01 (label left) <- bc02
 *								   <- cd01 (label right) <- cd02
 */
static Graph *
linear(void)
{
	Migration  *m[5];

	/* given in reverse order on purpose */
	for (int i = 0; i < 5; i++)
		m[i] = P(fmt("%04d_step_%d.sql", 5 - i, 5 - i),
				 "-- +up\nSELECT 1;\n-- +down\nSELECT 2;\n");
	return G(m, 5);
}

static Graph *
branched(void)
{
	Migration  *m[6];

	m[0] = mk("cd02", "cd01", NULL);
	m[1] = mk("bc01", "ae2b", "-- branch_labels: left\n");
	m[2] = mk("ae1f", "none", "-- branch_labels: trunk\n");
	m[3] = mk("cd01", "ae2b", "-- branch_labels: right\n");
	m[4] = mk("bc02", "bc01", NULL);
	m[5] = mk("ae2b", "ae1f", NULL);
	return G(m, 6);
}

/* ---------- graph ---------- */

static void
t_linear_chain(void)
{
	Migration  *m[4];
	Graph	   *g;

	m[0] = P("10_c.sql", "SELECT 10;");
	m[1] = P("2_b.sql", "SELECT 2;");
	m[2] = P("1_a.sql", "SELECT 1;");
	m[3] = P("0009_x.sql", "SELECT 9;");
	g = G(m, 4);
	CHECK_STR(order_str(g), "1 2 0009 10");
	CHECK_STR(heads_str(g), "10");
	CHECK_INT(g->nodes[0].n_parents, 0);
	for (int i = 1; i < 4; i++)
	{
		REQUIRE(g->nodes[i].n_parents == 1);
		CHECK_INT(g->nodes[i].parents[0], i - 1);
	}
	CHECK(graph_is_ancestor(g, 0, 3));
	CHECK(!graph_is_ancestor(g, 3, 0));
	CHECK(graph_is_ancestor(g, 2, 2));
	CHECK_INT(graph_find(g, "2"), 1);
	CHECK_INT(graph_find(g, "02"), -1);
	CHECK_INT(graph_find(g, ""), -1);

	g = linear();
	CHECK_STR(order_str(g), "0001 0002 0003 0004 0005");
}

static void
t_empty_graph(void)
{
	Graph	   *g = G(NULL, 0);
	bool	   *applied = applied_set(g, "");

	CHECK_INT(g->n, 0);
	CHECK_INT(g->n_heads, 0);
	CHECK_INT(plan_upgrade(env, g, applied, "head")->n_steps, 0);
	CHECK_INT(plan_upgrade(env, g, applied, "heads")->n_steps, 0);
	CHECK_INT(plan_downgrade(env, g, applied, "base")->n_steps, 0);
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_upgrade(env, g, applied, "+1"), "past the head");
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_downgrade(env, g, applied, "-1"), "past base");
	EXPECT_ERR(SM_ERR_UNKNOWN_REVISION, plan_upgrade(env, g, applied, "x"), "\"x\"", "does not exist");
}

static void
t_duplicate_revision(void)
{
	Migration  *m[3];

	m[0] = P("0001_a.sql", "SELECT 1;");
	m[1] = P("0002_b.sql", "-- revision: dup\nSELECT 1;");
	m[2] = P("0003_c.sql", "-- revision: dup\nSELECT 1;");
	EXPECT_ERR(SM_ERR_DUPLICATE, G(m, 3), "duplicate revision", "dup");
	CHECK_DETAIL("0002_b.sql");
	CHECK_DETAIL("0003_c.sql");
}

static void
t_unknown_parent(void)
{
	Migration  *m[2];

	m[0] = mk("a", "none", NULL);
	m[1] = mk("b", "nosuch", NULL);
	EXPECT_ERR(SM_ERR_UNKNOWN_REVISION, G(m, 2), "down_revision", "nosuch", "\"b\"", "does not exist");
	CHECK_DETAIL("b.sql");
	m[1] = mk("b", "a", "-- depends_on: ghost\n");
	EXPECT_ERR(SM_ERR_UNKNOWN_REVISION, G(m, 2), "depends_on", "ghost");
}

static void
t_self_parent(void)
{
	Migration  *m[2];

	m[0] = mk("a", "none", NULL);
	m[1] = mk("b", "b", NULL);
	EXPECT_ERR(SM_ERR_CYCLE, G(m, 2), "\"b\"", "itself", "down_revision");
	m[1] = mk("b", "a", "-- depends_on: b\n");
	EXPECT_ERR(SM_ERR_CYCLE, G(m, 2), "\"b\"", "itself", "depends_on");
}

static void
t_cycle_of_three(void)
{
	Migration  *m[4];

	m[0] = mk("root", "none", NULL);
	m[1] = mk("x", "z", NULL);
	m[2] = mk("y", "x", NULL);
	m[3] = mk("z", "y", NULL);
	EXPECT_ERR(SM_ERR_CYCLE, G(m, 4), "cycle");
	CHECK(err_has("message", "\"x\"") || err_has("message", "\"y\"") ||
		  err_has("message", "\"z\""));
	CHECK_DETAIL("x -> ");
	CHECK_DETAIL("y -> ");
	CHECK_DETAIL("z -> ");
	CHECK(!err_has("detail", "root"));

	/* a cycle through depends_on */
	m[1] = mk("x", "root", "-- depends_on: y\n");
	m[2] = mk("y", "x", NULL);
	EXPECT_ERR(SM_ERR_CYCLE, G(m, 3), "cycle");
}

static void
t_heads_and_merge(void)
{
	Graph	   *g = branched();
	Migration  *m[7];

	CHECK_STR(order_str(g), "ae1f ae2b bc01 bc02 cd01 cd02");
	CHECK_STR(heads_str(g), "bc02 cd02");
	CHECK(g->nodes[node_of(g, "bc02")].is_head);
	CHECK(!g->nodes[node_of(g, "ae2b")].is_head);
	CHECK_INT(g->nodes[node_of(g, "ae2b")].n_children, 2);
	CHECK(graph_is_ancestor(g, node_of(g, "ae1f"), node_of(g, "cd02")));
	CHECK(!graph_is_ancestor(g, node_of(g, "bc01"), node_of(g, "cd02")));

	m[0] = mk("a", "none", NULL);
	m[1] = mk("b1", "a", NULL);
	m[2] = mk("b2", "a", NULL);
	m[3] = mk("c", "b2, b1", NULL);
	g = G(m, 4);
	CHECK_STR(heads_str(g), "c");
	REQUIRE(g->nodes[node_of(g, "c")].n_parents == 2);
	CHECK_INT(g->nodes[node_of(g, "c")].parents[0], node_of(g, "b2"));
	CHECK_INT(g->nodes[node_of(g, "c")].parents[1], node_of(g, "b1"));
	CHECK_STR(order_str(g), "a b1 b2 c");
}

static void
t_depends_on(void)
{
	Migration  *m[5];
	Graph	   *g;
	int			y;

	/* two independent roots; y depends on b of the other branch */
	m[0] = mk("a", "none", NULL);
	m[1] = mk("b", "a", "-- branch_labels: lib\n");
	m[2] = mk("0x", "none", NULL);
	m[3] = mk("0y", "0x", "-- depends_on: b\n");
	g = G(m, 4);
	y = node_of(g, "0y");
	REQUIRE(g->nodes[y].n_depends == 1);
	CHECK_INT(g->nodes[y].depends[0], node_of(g, "b"));
	CHECK(node_of(g, "b") < y);
	CHECK_INT(g->nodes[node_of(g, "b")].n_dependents, 1);
	/* depends_on is not a parent edge: b stays a head */
	CHECK_STR(heads_str(g), "b 0y");
	CHECK(graph_is_ancestor(g, node_of(g, "a"), y));
	/* plan to 0y pulls in a and b */
	CHECK_STR(plan_str(g, plan_upgrade(env, g, applied_set(g, ""), "0y")), "0x a b 0y");

	/* by label */
	m[3] = mk("0y", "0x", "-- depends_on: lib\n");
	g = G(m, 4);
	y = node_of(g, "0y");
	REQUIRE(g->nodes[y].n_depends == 1);
	CHECK_INT(g->nodes[y].depends[0], node_of(g, "b"));

	/* the same node as parent and dependency counts once */
	m[3] = mk("0y", "b", "-- depends_on: b\n");
	g = G(m, 4);
	CHECK_STR(plan_str(g, plan_upgrade(env, g, applied_set(g, ""), "0y")), "a b 0y");
}

static void
t_duplicate_label(void)
{
	Migration  *m[3];

	m[0] = mk("a", "none", "-- branch_labels: feat\n");
	m[1] = mk("b", "a", NULL);
	m[2] = mk("c", "a", "-- branch_labels: other, feat\n");
	EXPECT_ERR(SM_ERR_DUPLICATE, G(m, 3), "duplicate branch label", "feat");
	CHECK_DETAIL("a.sql");
	CHECK_DETAIL("c.sql");
	EXPECT_ERR(SM_ERR_MALFORMED, mk("d", "none", "-- branch_labels: x, x\n"), "twice");
}

static void
t_topo_order(void)
{
	Migration  *m[7];
	Graph	   *g;

	/*
	 * Roots 2, 10, 1 (version order 1, 2, 10); 3 follows 10; 05 merges 1
	 * and 3.  Kahn with smallest version first: 1 2 10 3 05? no: after 1,
	 * 2, 10 are ready... versions: 1 < 2 < 3 < 05 < 10.
	 */
	m[0] = mk("2", "none", NULL);
	m[1] = mk("10", "none", NULL);
	m[2] = mk("1", "none", NULL);
	m[3] = mk("3", "10", NULL);
	m[4] = mk("05", "1, 3", NULL);
	g = G(m, 5);
	CHECK_STR(order_str(g), "1 2 10 3 05");
	for (int i = 0; i < g->n; i++)
	{
		for (int j = 0; j < g->nodes[i].n_parents; j++)
			CHECK(g->nodes[i].parents[j] < i);
		for (int j = 0; j < g->nodes[i].n_depends; j++)
			CHECK(g->nodes[i].depends[j] < i);
	}
	/* ties by version order: a diamond */
	m[0] = mk("d", "b, c", NULL);
	m[1] = mk("c", "a", NULL);
	m[2] = mk("b", "a", NULL);
	m[3] = mk("a", "none", NULL);
	g = G(m, 4);
	CHECK_STR(order_str(g), "a b c d");
	/* by_name is strcmp order */
	for (int i = 1; i < g->n; i++)
		CHECK(strcmp(g->nodes[g->by_name[i - 1]].mig->revision,
					  g->nodes[g->by_name[i]].mig->revision) < 0);
}

static void
t_deep_chain(void)
{
	enum
	{
	N = 10000};
	Migration **m = calloc(N, sizeof(Migration *));
	Graph	   *g;
	double		t0,
				t1;
	bool	   *applied;
	MigPlan	   *p;

	for (int i = 0; i < N; i++)
		m[N - 1 - i] = P(fmt("%d_m.sql", i + 1), "-- +up\nSELECT 1;\n-- +down\nSELECT 1;\n");
	t0 = now_ms();
	g = G(m, N);
	t1 = now_ms();
	free(m);
	fprintf(stderr, "    10,000-deep chain: graph_build %.1f ms", t1 - t0);
	CHECK_INT(g->n, N);
	CHECK_INT(g->n_heads, 1);
	CHECK_STR(g->nodes[g->heads[0]].mig->revision, "10000");
	CHECK_STR(g->nodes[0].mig->revision, "1");
	applied = applied_set(g, "");
	t0 = now_ms();
	p = plan_upgrade(env, g, applied, "head");
	CHECK_INT(p->n_steps, N);
	p = plan_upgrade(env, g, applied, "1+9999");
	CHECK_INT(p->n_steps, N);
	CHECK(graph_is_ancestor(g, 0, N - 1));
	memset(applied, 1, N);
	p = plan_downgrade(env, g, applied, "base");
	CHECK_INT(p->n_steps, N);
	p = plan_downgrade(env, g, applied, "-9999");
	CHECK_INT(p->n_steps, 9999);
	p = plan_downgrade(env, g, applied, "1");
	CHECK_INT(p->n_steps, N - 1);
	{
		bool	   *st = plan_stamp(env, g, "head");
		int			cnt = 0;

		for (int i = 0; i < N; i++)
			cnt += st[i];
		CHECK_INT(cnt, N);
	}
	t1 = now_ms();
	fprintf(stderr, ", plans %.1f ms\n", t1 - t0);
	/* milliseconds really; generous for sanitizers and slow machines */
	CHECK(t1 - t0 < 1000);
}

static void
t_wide_merge(void)
{
	enum
	{
	N = 1000};
	Migration **m = calloc(N + 1, sizeof(Migration *));
	char	   *parents = fmt("%*s", N * 8, "");
	size_t		l = 0;
	Graph	   *g;
	double		t0,
				t1;
	MigPlan	   *p;

	for (int i = 0; i < N; i++)
	{
		m[i] = mk(fmt("r%d", i), "none", NULL);
		l += sprintf(parents + l, "%sr%d", i ? ", " : "", i);
	}
	m[N] = mk("zmerge", parents, NULL);
	t0 = now_ms();
	g = G(m, N + 1);
	t1 = now_ms();
	free(m);
	fprintf(stderr, "    1,000-wide merge: graph_build %.1f ms\n", t1 - t0);
	CHECK_INT(g->n_heads, 1);
	CHECK_STR(g->nodes[g->heads[0]].mig->revision, "zmerge");
	CHECK_INT(g->nodes[N].n_parents, N);
	p = plan_upgrade(env, g, applied_set(g, ""), "head");
	CHECK_INT(p->n_steps, N + 1);
	CHECK_STR(g->nodes[p->steps[N]].mig->revision, "zmerge");
	CHECK_STR(g->nodes[p->steps[0]].mig->revision, "r0");
	CHECK_STR(g->nodes[p->steps[10]].mig->revision, "r10");
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_upgrade(env, g, applied_set(g, ""), "zmerge-1"),
			   "ambiguous", "1000 parents");
	p = plan_downgrade(env, g, applied_set(g, "*"), "r5");
	CHECK_STR(plan_str(g, p), "zmerge");
	CHECK(t1 - t0 < 2000);
}

/*
 * Regression: the list of candidates of an ambiguous prefix could run past
 * the detail buffer with long revision ids (found by reading; 128-char ids).
 */
static void
t_regress_ambiguous_long_ids(void)
{
	Migration  *m[8];
	char		base[121];
	Graph	   *g;

	memset(base, 'p', 120);
	base[120] = '\0';
	for (int i = 0; i < 8; i++)
		m[i] = mk(fmt("%s%07d", base, i), i ? fmt("%s%07d", base, i - 1) : "none", NULL);
	g = G(m, 8);
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_upgrade(env, g, applied_set(g, ""), "ppp"),
			   "ambiguous", "8 revisions");
	CHECK(strlen(last_err.detail) < sizeof(last_err.detail));
}

/* Regression: the cycle description could run past its buffer likewise. */
static void
t_regress_long_cycle(void)
{
	Migration  *m[12];
	char		base[121];

	memset(base, 'c', 120);
	base[120] = '\0';
	for (int i = 0; i < 12; i++)
		m[i] = mk(fmt("%s%07d", base, i), fmt("%s%07d", base, (i + 11) % 12), NULL);
	EXPECT_ERR(SM_ERR_CYCLE, G(m, 12), "cycle");
}

/* Regression: graph_build must not keep the default parent it filled in. */
static void
t_regress_rebuild(void)
{
	Migration  *m[2];
	Graph	   *g;

	m[0] = P("0001_a.sql", "SELECT 1;");
	m[1] = P("0002_b.sql", "SELECT 2;");
	g = G(m, 2);
	CHECK_INT(g->nodes[1].n_parents, 1);
	/* the same parsed file alone: it is a root now */
	g = G(&m[1], 1);
	CHECK_INT(g->nodes[0].n_parents, 0);
	CHECK_INT(plan_upgrade(env, g, applied_set(g, ""), "head")->n_steps, 1);
}

const UnitCase graph_cases[] = {
	{"graph: linear default chain in natural order", t_linear_chain},
	{"graph: empty set", t_empty_graph},
	{"graph: duplicate revision", t_duplicate_revision},
	{"graph: unknown down_revision / depends_on", t_unknown_parent},
	{"graph: self-parent", t_self_parent},
	{"graph: cycle of three", t_cycle_of_three},
	{"graph: heads and merge", t_heads_and_merge},
	{"graph: depends_on across branches", t_depends_on},
	{"graph: duplicate label", t_duplicate_label},
	{"graph: topological order", t_topo_order},
	{"graph: 10,000-deep chain", t_deep_chain},
	{"graph: 1,000-wide merge", t_wide_merge},
	{"regression: ambiguous prefix with long ids", t_regress_ambiguous_long_ids},
	{"regression: long cycle description", t_regress_long_cycle},
	{"regression: graph_build twice on the same migrations", t_regress_rebuild},
	{NULL, NULL}
};

/* ---------- plans ---------- */

static void
t_upgrade_targets(void)
{
	Graph	   *g = linear();
	bool	   *none = applied_set(g, "");
	bool	   *one = applied_set(g, "0001");

	CHECK_STR(plan_str(g, plan_upgrade(env, g, none, "head")), "0001 0002 0003 0004 0005");
	CHECK_INT(plan_upgrade(env, g, none, "head")->direction, PLAN_UP);
	CHECK_STR(plan_str(g, plan_upgrade(env, g, one, "heads")), "0002 0003 0004 0005");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, one, "0003")), "0002 0003");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, one, "0001")), "");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, one, "+2")), "0002 0003");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, one, "+4")), "0002 0003 0004 0005");
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_upgrade(env, g, one, "+5"), "+5", "past the head", "4 revisions");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, none, "0001+2")), "0001 0002 0003");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, none, "0004-1")), "0001 0002 0003");
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_upgrade(env, g, none, "0004+2"), "past the head");
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_upgrade(env, g, none, "0002-2"), "past the base");
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_upgrade(env, g, none, "000"), "prefix", "\"000\"", "ambiguous", "5 revisions");
	CHECK_DETAIL("0001");
	EXPECT_ERR(SM_ERR_UNKNOWN_REVISION, plan_upgrade(env, g, none, "0009"), "\"0009\"", "does not exist");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, ""), "invalid target");
	CHECK_DETAIL("empty");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, "head; DROP TABLE x"),
			   "head; DROP TABLE x", "invalid target");
	EXPECT_ERR(SM_ERR_UNKNOWN_REVISION, plan_upgrade(env, g, none, "0009"), "does not exist");
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_upgrade(env, g, none, "+99999999999999999999"), "too large");
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_upgrade(env, g, none, "0001+99999999999999999999"), "too large");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, "+0"), "invalid target", "+0");
	CHECK_DETAIL("at least 1");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, "-0"), "invalid target", "-0");
	CHECK_DETAIL("downgrade");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, "-1"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, "base"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, "+"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, "+x"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, "0001+0"), "invalid target");
}

static void
t_upgrade_branched(void)
{
	Graph	   *g = branched();
	bool	   *none = applied_set(g, "");
	bool	   *trunk = applied_set(g, "ae1f ae2b");

	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_upgrade(env, g, none, "head"), "2 heads");
	CHECK_DETAIL("bc02");
	CHECK_DETAIL("cd02");
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_upgrade(env, g, none, "+1"), "2 heads");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, none, "heads")), "ae1f ae2b bc01 bc02 cd01 cd02");
	/* unique prefix, and prefix ambiguity */
	CHECK_STR(plan_str(g, plan_upgrade(env, g, none, "ae1")), "ae1f");
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_upgrade(env, g, trunk, "cd0"), "prefix", "ambiguous", "2 revisions");
	CHECK_DETAIL("cd01");
	CHECK_DETAIL("cd02");
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_upgrade(env, g, trunk, "ae"), "ambiguous");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, trunk, "cd02")), "cd01 cd02");
	/* label@head, label@+N, label as a revision */
	CHECK_STR(plan_str(g, plan_upgrade(env, g, none, "left@head")), "ae1f ae2b bc01 bc02");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, trunk, "right@head")), "cd01 cd02");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, trunk, "right@+1")), "cd01");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, trunk, "right@+2")), "cd01 cd02");
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_upgrade(env, g, trunk, "right@+3"), "past the head");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, none, "left")), "ae1f ae2b bc01");
	CHECK_STR(plan_str(g, plan_upgrade(env, g, none, "cd01+1")), "ae1f ae2b cd01 cd02");
	/* trunk@head: the trunk has two heads below it */
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_upgrade(env, g, none, "trunk@head"), "2 heads");
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_upgrade(env, g, none, "ae2b+1"), "ambiguous", "2 children");
	EXPECT_ERR(SM_ERR_UNKNOWN_REVISION, plan_upgrade(env, g, none, "nolabel@head"), "nolabel", "does not exist");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, "left@-1"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, "left@tail"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_upgrade(env, g, none, "left@+0"), "invalid target");
}

static void
t_downgrade_linear(void)
{
	Graph	   *g = linear();
	bool	   *all = applied_set(g, "*");
	bool	   *three = applied_set(g, "0001 0002 0003");
	MigPlan    *p = plan_downgrade(env, g, all, "base");

	CHECK_INT(p->direction, PLAN_DOWN);
	CHECK_STR(plan_str(g, p), "0005 0004 0003 0002 0001");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, three, "base")), "0003 0002 0001");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "-2")), "0005 0004");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, three, "-3")), "0003 0002 0001");
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_downgrade(env, g, three, "-4"), "-4", "past base", "3 revisions");
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_downgrade(env, g, three, "-99999999999999999999"), "too large");
	/* to a revision: it stays applied */
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "0003")), "0005 0004");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "0005")), "");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "0005-2")), "0005 0004");
	EXPECT_ERR(SM_ERR_NOT_APPLIED, plan_downgrade(env, g, three, "0004"), "\"0004\"", "not applied");
	EXPECT_ERR(SM_ERR_UNKNOWN_REVISION, plan_downgrade(env, g, all, "0009"), "does not exist");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_downgrade(env, g, all, ""), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_downgrade(env, g, all, "-0"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_downgrade(env, g, all, "+0"), "invalid target");
	CHECK_DETAIL("upgrade");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_downgrade(env, g, all, "head"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_downgrade(env, g, all, "heads"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_downgrade(env, g, all, "-x"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_downgrade(env, g, all, "base; DROP TABLE x"), "invalid target");
}

static void
t_downgrade_no_down(void)
{
	Migration  *m[3];
	Graph	   *g;

	m[0] = P("0001_a.sql", "-- +up\nSELECT 1;\n-- +down\nSELECT 1;\n");
	m[1] = P("0002_b.sql", "SELECT 2;\n");
	m[2] = P("0003_c.sql", "-- +up\nSELECT 3;\n-- +down\nSELECT 3;\n");
	g = G(m, 3);
	CHECK_STR(plan_str(g, plan_downgrade(env, g, applied_set(g, "*"), "-1")), "0003");
	EXPECT_ERR(SM_ERR_NO_DOWN, plan_downgrade(env, g, applied_set(g, "*"), "-2"),
			   "\"0002\"", "0002_b.sql", "no down section");
	CHECK_STR(last_err.file, "0002_b.sql");
	CHECK_DETAIL("2 revisions");
	EXPECT_ERR(SM_ERR_NO_DOWN, plan_downgrade(env, g, applied_set(g, "*"), "base"), "no down section");
	EXPECT_ERR(SM_ERR_NO_DOWN, plan_downgrade(env, g, applied_set(g, "*"), "0001"), "\"0002\"");
	/* an unapplied revision without down does not matter */
	CHECK_STR(plan_str(g, plan_downgrade(env, g, applied_set(g, "0001"), "base")), "0001");
}

static void
t_downgrade_branched(void)
{
	Graph	   *g = branched();
	bool	   *all = applied_set(g, "*");
	bool	   *left = applied_set(g, "ae1f ae2b bc01 bc02");

	/* downgrading one branch keeps the other */
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "bc01")), "bc02");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "cd01")), "cd02");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "ae2b")), "cd02 cd01 bc02 bc01");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "ae1")), "cd02 cd01 bc02 bc01 ae2b");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "base")), "cd02 cd01 bc02 bc01 ae2b ae1f");
	/* label@-N stays within the branch */
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "left@-1")), "bc02");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "right@-2")), "cd02 cd01");
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_downgrade(env, g, all, "right@-3"), "past base");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_downgrade(env, g, all, "right@+1"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_downgrade(env, g, all, "right@head"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_downgrade(env, g, all, "right@-0"), "invalid target");
	/* several current heads: -1 is ambiguous */
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_downgrade(env, g, all, "-1"), "\"-1\"", "ambiguous");
	/* one current head in a branched graph: fine */
	CHECK_STR(plan_str(g, plan_downgrade(env, g, left, "-1")), "bc02");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, left, "-3")), "bc02 bc01 ae2b");
	EXPECT_ERR(SM_ERR_NOT_APPLIED, plan_downgrade(env, g, left, "cd01"), "not applied");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, all, "bc02-1")), "bc02");
	EXPECT_ERR(SM_ERR_TARGET_RANGE, plan_downgrade(env, g, all, "ae1f-1"), "past the base");
}

static void
t_downgrade_merge(void)
{
	Migration  *m[4];
	Graph	   *g;

	m[0] = mk("a", "none", NULL);
	m[1] = mk("b1", "a", NULL);
	m[2] = mk("b2", "a", NULL);
	m[3] = mk("c", "b1, b2", NULL);
	g = G(m, 4);
	CHECK_STR(plan_str(g, plan_downgrade(env, g, applied_set(g, "*"), "-1")), "c");
	CHECK_STR(plan_str(g, plan_downgrade(env, g, applied_set(g, "*"), "b1")), "c");
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_downgrade(env, g, applied_set(g, "*"), "c-1"), "2 parents");
	/* after -1 there are two current heads */
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_downgrade(env, g, applied_set(g, "a b1 b2"), "-1"), "ambiguous");
}

static void
t_stamp(void)
{
	Graph	   *g = linear();
	Graph	   *b = branched();

	CHECK_STR(stamp_str(g, plan_stamp(env, g, "head")), "0001 0002 0003 0004 0005");
	CHECK_STR(stamp_str(g, plan_stamp(env, g, "heads")), "0001 0002 0003 0004 0005");
	CHECK_STR(stamp_str(g, plan_stamp(env, g, "base")), "");
	CHECK_STR(stamp_str(g, plan_stamp(env, g, "0003")), "0001 0002 0003");
	CHECK_STR(stamp_str(b, plan_stamp(env, b, "heads")), "ae1f ae2b bc01 bc02 cd01 cd02");
	CHECK_STR(stamp_str(b, plan_stamp(env, b, "bc01")), "ae1f ae2b bc01");
	CHECK_STR(stamp_str(b, plan_stamp(env, b, "right")), "ae1f ae2b cd01");
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_stamp(env, b, "head"), "2 heads");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_stamp(env, g, ""), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_stamp(env, g, "+1"), "invalid target");
	EXPECT_ERR(SM_ERR_BAD_TARGET, plan_stamp(env, g, "-1"), "invalid target");
	EXPECT_ERR(SM_ERR_UNKNOWN_REVISION, plan_stamp(env, g, "0009"), "does not exist");
	EXPECT_ERR(SM_ERR_AMBIGUOUS, plan_stamp(env, g, "000"), "ambiguous");
}

/*
 * label@head follows child edges only: a branch that another branch depends
 * on still has one head.  A markerless file of directives only is an empty
 * migration (a merge point, say).
 */
static void
t_design_pins(void)
{
	Migration  *m[4];
	Graph	   *g;

	m[0] = mk("a", "none", "-- branch_labels: left\n");
	m[1] = mk("b", "a", NULL);
	m[2] = mk("x", "none", "-- depends_on: a\n");
	g = G(m, 3);
	{
		MigPlan    *p = plan_upgrade(env, g, applied_set(g, ""), "left@head");

		CHECK(p->n_steps == 2 && strcmp(g->nodes[p->steps[1]].mig->revision, "b") == 0);
	}
	CHECK_STR(P("0001_a.sql", "-- message: only a directive\n")->up_sql, "");
}

const UnitCase plan_cases[] = {
	{"plan: upgrade targets (linear)", t_upgrade_targets},
	{"plan: upgrade targets (branched)", t_upgrade_branched},
	{"plan: downgrade (linear)", t_downgrade_linear},
	{"plan: downgrade with a missing down section", t_downgrade_no_down},
	{"plan: downgrade (branched)", t_downgrade_branched},
	{"plan: downgrade around a merge", t_downgrade_merge},
	{"plan: stamp", t_stamp},
	{"design: label@head ignores depends_on; directive-only file", t_design_pins},
	{NULL, NULL}
};
