/*-------------------------------------------------------------------------
 *
 * functions.c
 *	  The SQL-callable surface.  Each function resolves its arguments, calls
 *	  down the flow (set_reader -> revision_graph -> executor ->
 *	  version_store) and turns the result into a value or rows.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(sm_upgrade);
PG_FUNCTION_INFO_V1(sm_current);
PG_FUNCTION_INFO_V1(sm_history);

/* ---------- argument helpers ---------- */

static char *
required_arg(FunctionCallInfo fcinfo, int n, const char *name)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

static char *
optional_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/* The extension's schema: the one this function lives in, quoted. */
static const char *
ext_schema(FunctionCallInfo fcinfo)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);

	return quote_identifier(get_namespace_name(nsp));
}

static void
connect_spi(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

/* Copy a result out of SPI's memory before SPI_finish frees it. */
static text *
finish_with_text(const char *s)
{
	text	   *t = (text *) SPI_palloc(strlen(s) + VARHDRSZ);

	SET_VARSIZE(t, strlen(s) + VARHDRSZ);
	memcpy(VARDATA(t), s, strlen(s));
	SPI_finish();
	return t;
}

static Datum
text_array_datum(char **items, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n + 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* ---------- changing the database ---------- */

Datum
sm_upgrade(PG_FUNCTION_ARGS)
{
	char	   *target = required_arg(fcinfo, 0, "target");
	char	   *set_name = optional_arg(fcinfo, 1);
	const char *schema = ext_schema(fcinfo);
	MigrationSet *set;

	exec_check_not_nested("sm_upgrade");
	set = set_load(set_name);
	connect_spi();
	PG_RETURN_TEXT_P(finish_with_text(exec_move(schema, set, PLAN_UP, target)));
}

/* ---------- reading the state ---------- */

Datum
sm_current(PG_FUNCTION_ARGS)
{
	char	   *set_name = optional_arg(fcinfo, 0);
	const char *schema = ext_schema(fcinfo);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrationSet *set = set_load(set_name);
	SetState   *st;
	int		   *cur;
	int			n;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	connect_spi();
	st = store_read_state(schema, set);
	cur = palloc(sizeof(int) * (set->graph->n + 1));
	n = graph_current(set->graph, st->applied, cur);
	for (int i = 0; i < n; i++)
	{
		Datum		v = CStringGetTextDatum(set->graph->nodes[cur[i]].mig->revision);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &isnull);
	}
	/* applied revisions whose file is gone are still where the database is */
	for (int i = 0; i < st->n_orphans; i++)
	{
		Datum		v = CStringGetTextDatum(st->orphans[i].revision);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &isnull);
	}
	SPI_finish();
	return (Datum) 0;
}

#define HISTORY_COLS 15

static void
history_row(ReturnSetInfo *rsinfo, const GraphNode *node, const AppliedRev *row,
			bool is_current)
{
	Datum		v[HISTORY_COLS];
	bool		nulls[HISTORY_COLS];
	const Migration *m = node ? node->mig : NULL;

	memset(nulls, 0, sizeof(nulls));
	memset(v, 0, sizeof(v));
	v[0] = CStringGetTextDatum(m ? m->revision : row->revision);
	if (m)
	{
		v[1] = text_array_datum(m->parents, m->n_parents);
		v[2] = CStringGetTextDatum(m->message);
		v[3] = CStringGetTextDatum(m->file);
		v[9] = text_array_datum(m->branch_labels, m->n_labels);
		v[10] = text_array_datum(m->depends_on, m->n_depends);
		v[11] = BoolGetDatum(m->has_down);
		v[12] = BoolGetDatum(m->transactional);
		v[13] = CStringGetTextDatum(m->checksum);
	}
	else
		nulls[1] = nulls[2] = nulls[3] = nulls[9] = nulls[10] =
			nulls[11] = nulls[12] = nulls[13] = true;
	v[4] = BoolGetDatum(row != NULL);
	if (row)
	{
		v[5] = TimestampTzGetDatum(row->applied_at);
		v[6] = DirectFunctionCall1(namein, CStringGetDatum(row->applied_by));
		v[14] = Float8GetDatum(row->duration_ms);
		nulls[14] = row->duration_ms < 0;
	}
	else
		nulls[5] = nulls[6] = nulls[14] = true;
	v[7] = BoolGetDatum(node ? node->is_head : false);
	v[8] = BoolGetDatum(is_current);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
}

Datum
sm_history(PG_FUNCTION_ARGS)
{
	char	   *set_name = optional_arg(fcinfo, 0);
	const char *schema = ext_schema(fcinfo);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrationSet *set = set_load(set_name);
	const Graph *g = set->graph;
	SetState   *st;
	bool	   *current;
	int		   *cur;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	connect_spi();
	st = store_read_state(schema, set);
	cur = palloc(sizeof(int) * (g->n + 1));
	current = palloc0(sizeof(bool) * (g->n + 1));
	n = graph_current(g, st->applied, cur);
	for (int i = 0; i < n; i++)
		current[cur[i]] = true;
	for (int i = 0; i < g->n; i++)
		history_row(rsinfo, &g->nodes[i], st->rows[i], current[i]);
	for (int i = 0; i < st->n_orphans; i++)
		history_row(rsinfo, NULL, &st->orphans[i], true);
	SPI_finish();
	return (Datum) 0;
}

/* ---------- the rest of the command set ---------- */

PG_FUNCTION_INFO_V1(sm_downgrade);
PG_FUNCTION_INFO_V1(sm_stamp);
PG_FUNCTION_INFO_V1(sm_heads);
PG_FUNCTION_INFO_V1(sm_branches);
PG_FUNCTION_INFO_V1(sm_show);
PG_FUNCTION_INFO_V1(sm_plan);
PG_FUNCTION_INFO_V1(sm_upgrade_sql);
PG_FUNCTION_INFO_V1(sm_downgrade_sql);
PG_FUNCTION_INFO_V1(sm_graph);
PG_FUNCTION_INFO_V1(sm_check);

Datum
sm_downgrade(PG_FUNCTION_ARGS)
{
	char	   *target = required_arg(fcinfo, 0, "target");
	char	   *set_name = optional_arg(fcinfo, 1);
	const char *schema = ext_schema(fcinfo);
	MigrationSet *set;

	exec_check_not_nested("sm_downgrade");
	set = set_load(set_name);
	connect_spi();
	PG_RETURN_TEXT_P(finish_with_text(exec_move(schema, set, PLAN_DOWN, target)));
}

Datum
sm_stamp(PG_FUNCTION_ARGS)
{
	char	   *target = required_arg(fcinfo, 0, "target");
	char	   *set_name = optional_arg(fcinfo, 1);
	const char *schema = ext_schema(fcinfo);
	MigrationSet *set;

	exec_check_not_nested("sm_stamp");
	set = set_load(set_name);
	connect_spi();
	PG_RETURN_TEXT_P(finish_with_text(exec_stamp(schema, set, target)));
}

/* Load the set and the database's state of it; leaves SPI connected. */
static SetState *
load_state(FunctionCallInfo fcinfo, int set_arg, MigrationSet **set)
{
	const char *schema = ext_schema(fcinfo);

	*set = set_load(optional_arg(fcinfo, set_arg));
	connect_spi();
	return store_read_state(schema, *set);
}

static Datum
nullable_text(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

Datum
sm_heads(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrationSet *set;
	SetState   *st;

	InitMaterializedSRF(fcinfo, 0);
	st = load_state(fcinfo, 0, &set);
	for (int i = 0; i < set->graph->n_heads; i++)
	{
		const GraphNode *node = &set->graph->nodes[set->graph->heads[i]];
		Datum		v[5];
		bool		nulls[5] = {false};

		v[0] = CStringGetTextDatum(node->mig->revision);
		v[1] = CStringGetTextDatum(node->mig->message);
		v[2] = CStringGetTextDatum(node->mig->file);
		v[3] = text_array_datum(node->mig->branch_labels, node->mig->n_labels);
		v[4] = BoolGetDatum(st->applied[set->graph->heads[i]]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

Datum
sm_branches(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrationSet *set;
	SetState   *st;
	const Graph *g;

	InitMaterializedSRF(fcinfo, 0);
	st = load_state(fcinfo, 0, &set);
	g = set->graph;
	for (int i = 0; i < g->n; i++)
	{
		const GraphNode *node = &g->nodes[i];
		char	  **kids;
		Datum		v[4];
		bool		nulls[4] = {false};

		if (node->n_children < 2)
			continue;
		kids = palloc(sizeof(char *) * node->n_children);
		for (int c = 0; c < node->n_children; c++)
			kids[c] = g->nodes[node->children[c]].mig->revision;
		v[0] = CStringGetTextDatum(node->mig->revision);
		v[1] = CStringGetTextDatum(node->mig->message);
		v[2] = text_array_datum(kids, node->n_children);
		v[3] = BoolGetDatum(st->applied[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

Datum
sm_show(PG_FUNCTION_ARGS)
{
	char	   *rev = required_arg(fcinfo, 0, "revision");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrationSet *set;
	SetState   *st;
	MigPlan    *one;
	const Migration *m;
	const AppliedRev *row;
	Datum		v[17];
	bool		nulls[17] = {false};
	int			node;

	InitMaterializedSRF(fcinfo, 0);
	st = load_state(fcinfo, 1, &set);
	/* resolve like any target: exact id, label or unique prefix */
	one = plan_upgrade(sm_server_env(), set->graph,
					   palloc0(sizeof(bool) * (set->graph->n + 1)), rev);
	if (one->n_steps == 0 || strchr(rev, '+') || strchr(rev, '@') ||
		strcmp(rev, "head") == 0 || strcmp(rev, "heads") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sm_show() takes one revision id, label or unique prefix")));
	node = one->steps[one->n_steps - 1];
	m = set->graph->nodes[node].mig;
	row = st->rows[node];
	v[0] = CStringGetTextDatum(m->revision);
	v[1] = text_array_datum(m->parents, m->n_parents);
	v[2] = text_array_datum(m->depends_on, m->n_depends);
	v[3] = text_array_datum(m->branch_labels, m->n_labels);
	v[4] = CStringGetTextDatum(m->message);
	v[5] = CStringGetTextDatum(m->file);
	v[6] = CStringGetTextDatum(m->checksum);
	v[7] = BoolGetDatum(row != NULL);
	v[8] = row ? TimestampTzGetDatum(row->applied_at) : (Datum) 0;
	nulls[8] = row == NULL;
	v[9] = nullable_text(row ? row->applied_by : NULL, &nulls[9]);
	v[10] = nullable_text(row ? row->checksum : NULL, &nulls[10]);
	v[11] = BoolGetDatum(m->transactional);
	v[12] = Int32GetDatum(m->lock_timeout_ms);
	nulls[12] = m->lock_timeout_ms < 0;
	v[13] = Int32GetDatum(m->statement_timeout_ms);
	nulls[13] = m->statement_timeout_ms < 0;
	v[14] = CStringGetTextDatum(m->up_sql);
	v[15] = nullable_text(m->has_down ? m->down_sql : NULL, &nulls[15]);
	v[16] = BoolGetDatum(set->graph->nodes[node].is_head);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	SPI_finish();
	return (Datum) 0;
}

Datum
sm_plan(PG_FUNCTION_ARGS)
{
	char	   *target = required_arg(fcinfo, 0, "target");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrationSet *set;
	SetState   *st;
	MigPlan    *plan;

	InitMaterializedSRF(fcinfo, 0);
	st = load_state(fcinfo, 1, &set);
	plan = exec_make_plan(set, st->applied, PLAN_AUTO, target);
	for (int i = 0; i < plan->n_steps; i++)
	{
		const Migration *m = set->graph->nodes[plan->steps[i]].mig;
		Datum		v[6];
		bool		nulls[6] = {false};

		v[0] = Int32GetDatum(i + 1);
		v[1] = CStringGetTextDatum(m->revision);
		v[2] = CStringGetTextDatum(plan->direction == PLAN_UP ? "up" : "down");
		v[3] = CStringGetTextDatum(m->file);
		v[4] = CStringGetTextDatum(m->message);
		v[5] = BoolGetDatum(m->transactional);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

static Datum
offline_script(FunctionCallInfo fcinfo, int dir)
{
	char	   *target = required_arg(fcinfo, 0, "target");
	const char *schema = ext_schema(fcinfo);
	MigrationSet *set;
	SetState   *st = load_state(fcinfo, 1, &set);
	MigPlan    *plan = exec_make_plan(set, st->applied, dir, target);

	PG_RETURN_TEXT_P(finish_with_text(script_for_plan(schema, set, plan, st->applied)));
}

Datum
sm_upgrade_sql(PG_FUNCTION_ARGS)
{
	return offline_script(fcinfo, PLAN_UP);
}

Datum
sm_downgrade_sql(PG_FUNCTION_ARGS)
{
	return offline_script(fcinfo, PLAN_DOWN);
}

Datum
sm_graph(PG_FUNCTION_ARGS)
{
	char	   *format = required_arg(fcinfo, 0, "format");
	MigrationSet *set;
	SetState   *st = load_state(fcinfo, 1, &set);

	if (strcmp(format, "text") == 0)
		PG_RETURN_TEXT_P(finish_with_text(render_graph_text(set->graph, st->applied)));
	if (strcmp(format, "dot") == 0)
		PG_RETURN_TEXT_P(finish_with_text(render_graph_dot(set, st->applied)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown graph format \"%s\"", format),
			 errhint("Use 'text' or 'dot'.")));
	PG_RETURN_NULL();
}

/*
 * For application start-up: true at the heads, otherwise an error that
 * says what is missing (Alembic's "Target database is not up to date").
 */
Datum
sm_check(PG_FUNCTION_ARGS)
{
	MigrationSet *set;
	SetState   *st = load_state(fcinfo, 0, &set);
	const Graph *g = set->graph;
	int			pending = 0;
	char	   *heads;

	for (int i = 0; i < g->n; i++)
		pending += !st->applied[i];
	if (pending == 0 && st->n_orphans == 0)
	{
		SPI_finish();
		PG_RETURN_BOOL(true);
	}
	{
		bool	   *all = palloc(sizeof(bool) * (g->n + 1));

		memset(all, true, sizeof(bool) * (g->n + 1));
		heads = exec_current_text(g, all);
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the database is not up to date"),
			 errdetail("Set \"%s\" is at %s; its head%s %s %s; %d migration%s pending%s.",
					   set->name, exec_current_text(g, st->applied),
					   g->n_heads == 1 ? "" : "s", g->n_heads == 1 ? "is" : "are",
					   heads, pending, pending == 1 ? " is" : "s are",
					   st->n_orphans ? ", and applied revisions have no file" : ""),
			 errhint("Run SELECT sm_upgrade('heads'), or CALL sm_migrate().")));
	PG_RETURN_BOOL(false);
}
