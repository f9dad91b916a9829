/*-------------------------------------------------------------------------
 *
 * functions.c
 *	  The SQL-callable surface.  Each function resolves its arguments, calls
 *	  down the flow (set_cache, then operations.c, which plans with
 *	  revision_graph, runs with the executor and records in version_store)
 *	  and turns the result into a value or rows.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"
#include "sql_call.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(sm_upgrade);
PG_FUNCTION_INFO_V1(sm_current);
PG_FUNCTION_INFO_V1(sm_history);

static int
finish_with_int(int n)
{
	SPI_finish();
	return n;
}

/* ---------- changing the database ---------- */

Datum
sm_upgrade(PG_FUNCTION_ARGS)
{
	char	   *target = call_required_text(fcinfo, 0, "target");
	char	   *set_name = call_optional_text(fcinfo, 1);
	const char *schema = call_ext_schema(fcinfo);
	MigrationSet *set;
	char	   *now;

	exec_check_can_migrate("sm_upgrade");
	sm_spi_connect(false);
	if ((now = ops_fast_noop(schema, set_name, target, false)) != NULL)
		PG_RETURN_TEXT_P(call_finish_text(now));
	set = set_load(set_name);
	PG_RETURN_TEXT_P(call_finish_text(ops_move(schema, set, PLAN_UP, target)));
}

/* ---------- reading the state ---------- */

Datum
sm_current(PG_FUNCTION_ARGS)
{
	char	   *set_name = call_optional_text(fcinfo, 0);
	const char *schema = call_ext_schema(fcinfo);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrationSet *set = set_load(set_name);
	SetState   *st;
	int		   *cur;
	int			n;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	sm_spi_connect(false);
	st = store_read_state(schema, set);
	cur = palloc(sizeof(int) * (set->graph->n + 1));
	n = graph_current(set->graph, st->applied, cur);
	for (int i = 0; i < n; i++)
	{
		Datum		v = CStringGetTextDatum(set->graph->nodes[cur[i]].mig->revision);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &isnull);
	}
	/* a migration stopped half-way is where the database is, too */
	if (st->partial)
	{
		Datum		v = CStringGetTextDatum(psprintf("%s (partial: %d of %d statements)",
													 st->partial->revision,
													 st->partial->done,
													 st->partial->total));
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

#define HISTORY_COLS 16

static void
history_row(ReturnSetInfo *rsinfo, const GraphNode *node, const AppliedRev *row,
			bool is_current, const char *state)
{
	Datum		v[HISTORY_COLS];
	bool		nulls[HISTORY_COLS];
	const Migration *m = node ? node->mig : NULL;

	memset(nulls, 0, sizeof(nulls));
	memset(v, 0, sizeof(v));
	v[0] = CStringGetTextDatum(m ? m->revision : row->revision);
	if (m)
	{
		v[1] = call_text_array(m->parents, m->n_parents);
		v[2] = CStringGetTextDatum(m->message);
		v[3] = CStringGetTextDatum(m->file);
		v[9] = call_text_array(m->branch_labels, m->n_labels);
		v[10] = call_text_array(m->depends_on, m->n_depends);
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
	v[15] = CStringGetTextDatum(state);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
}

Datum
sm_history(PG_FUNCTION_ARGS)
{
	char	   *set_name = call_optional_text(fcinfo, 0);
	const char *schema = call_ext_schema(fcinfo);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrationSet *set = set_load(set_name);
	const Graph *g = set->graph;
	SetState   *st;
	bool	   *current;
	int		   *cur;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	sm_spi_connect(false);
	st = store_read_state(schema, set);
	cur = palloc(sizeof(int) * (g->n + 1));
	current = palloc0(sizeof(bool) * (g->n + 1));
	n = graph_current(g, st->applied, cur);
	for (int i = 0; i < n; i++)
		current[cur[i]] = true;
	for (int i = 0; i < g->n; i++)
	{
		const char *state = st->rows[i] ? "applied" : "pending";

		if (st->rows[i] && st->rows[i]->checksum &&
			strcmp(st->rows[i]->checksum, g->nodes[i].mig->checksum) != 0)
			state = "applied, file changed";
		if (st->partial && st->partial->node == i)
			state = psprintf("partially %s: %d of %d statements",
							 st->partial->direction == PLAN_UP ? "applied" : "reverted",
							 st->partial->done, st->partial->total);
		history_row(rsinfo, &g->nodes[i], st->rows[i], current[i], state);
	}
	for (int i = 0; i < st->n_orphans; i++)
		history_row(rsinfo, NULL, &st->orphans[i], true, "applied, file missing");
	if (set->n_repeatable > 0)
	{
		char	  **sums = store_repeatable_checksums(schema, set);

		for (int i = 0; i < set->n_repeatable; i++)
		{
			GraphNode	node = {0};

			node.mig = set->repeatable[i];
			history_row(rsinfo, &node, NULL, false,
						sums[i] == NULL ? "repeatable, not run yet" :
						strcmp(sums[i], set->repeatable[i]->checksum) == 0 ?
						"repeatable, up to date" : "repeatable, changed since it ran");
		}
	}
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
	char	   *target = call_required_text(fcinfo, 0, "target");
	char	   *set_name = call_optional_text(fcinfo, 1);
	const char *schema = call_ext_schema(fcinfo);
	MigrationSet *set;

	exec_check_can_migrate("sm_downgrade");
	set = set_load(set_name);
	sm_spi_connect(false);
	PG_RETURN_TEXT_P(call_finish_text(ops_move(schema, set, PLAN_DOWN, target)));
}

Datum
sm_stamp(PG_FUNCTION_ARGS)
{
	char	   *target = call_required_text(fcinfo, 0, "target");
	char	   *set_name = call_optional_text(fcinfo, 1);
	const char *schema = call_ext_schema(fcinfo);
	MigrationSet *set;

	exec_check_can_migrate("sm_stamp");
	set = set_load(set_name);
	sm_spi_connect(false);
	PG_RETURN_TEXT_P(call_finish_text(ops_stamp(schema, set, target)));
}

Datum
sm_heads(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrationSet *set;
	SetState   *st;

	InitMaterializedSRF(fcinfo, 0);
	st = call_load_state(fcinfo, 0, &set);
	for (int i = 0; i < set->graph->n_heads; i++)
	{
		const GraphNode *node = &set->graph->nodes[set->graph->heads[i]];
		Datum		v[5];
		bool		nulls[5] = {false};

		v[0] = CStringGetTextDatum(node->mig->revision);
		v[1] = CStringGetTextDatum(node->mig->message);
		v[2] = CStringGetTextDatum(node->mig->file);
		v[3] = call_text_array(node->mig->branch_labels, node->mig->n_labels);
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
	st = call_load_state(fcinfo, 0, &set);
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
		v[2] = call_text_array(kids, node->n_children);
		v[3] = BoolGetDatum(st->applied[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

Datum
sm_show(PG_FUNCTION_ARGS)
{
	char	   *rev = call_required_text(fcinfo, 0, "revision");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrationSet *set;
	SetState   *st;
	const Migration *m;
	const AppliedRev *row;
	Datum		v[17];
	bool		nulls[17] = {false};
	int			node;

	InitMaterializedSRF(fcinfo, 0);
	st = call_load_state(fcinfo, 1, &set);
	{
		const char *why;

		/* a foreign tool's revision may be named like a target word */
		if (!mig_valid_revision(rev, &why) &&
			!(mig_reserved_revision(rev) && graph_find(set->graph, rev) >= 0) &&
			strncmp(rev, SM_QUALIFIED_PREFIX, strlen(SM_QUALIFIED_PREFIX)) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("sm_show() takes one revision id, label or unique prefix")));
	}
	node = graph_resolve(sm_server_env(), set->graph, rev);
	m = set->graph->nodes[node].mig;
	row = st->rows[node];
	v[0] = CStringGetTextDatum(m->revision);
	v[1] = call_text_array(m->parents, m->n_parents);
	v[2] = call_text_array(m->depends_on, m->n_depends);
	v[3] = call_text_array(m->branch_labels, m->n_labels);
	v[4] = CStringGetTextDatum(m->message);
	v[5] = CStringGetTextDatum(m->file);
	v[6] = CStringGetTextDatum(m->checksum);
	v[7] = BoolGetDatum(row != NULL);
	v[8] = row ? TimestampTzGetDatum(row->applied_at) : (Datum) 0;
	nulls[8] = row == NULL;
	/* applied_by is a name column: a name datum, not text */
	v[9] = row && row->applied_by ?
		DirectFunctionCall1(namein, CStringGetDatum(row->applied_by)) : (Datum) 0;
	nulls[9] = !(row && row->applied_by);
	v[10] = call_text_or_null(row ? row->checksum : NULL, &nulls[10]);
	v[11] = BoolGetDatum(m->transactional);
	v[12] = Int32GetDatum(m->lock_timeout_ms);
	nulls[12] = m->lock_timeout_ms < 0;
	v[13] = Int32GetDatum(m->statement_timeout_ms);
	nulls[13] = m->statement_timeout_ms < 0;
	v[14] = CStringGetTextDatum(m->up_sql);
	v[15] = call_text_or_null(m->has_down ? m->down_sql : NULL, &nulls[15]);
	v[16] = BoolGetDatum(set->graph->nodes[node].is_head);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	SPI_finish();
	return (Datum) 0;
}

Datum
sm_plan(PG_FUNCTION_ARGS)
{
	char	   *target = call_required_text(fcinfo, 0, "target");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrationSet *set;
	SetState   *st;
	MigPlan    *plan;

	InitMaterializedSRF(fcinfo, 0);
	st = call_load_state(fcinfo, 1, &set);
	plan = ops_make_plan(set, st->applied, PLAN_AUTO, target);
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
	char	   *target = call_required_text(fcinfo, 0, "target");
	const char *schema = call_ext_schema(fcinfo);
	MigrationSet *set;
	SetState   *st = call_load_state(fcinfo, 1, &set);
	MigPlan    *plan = ops_make_plan(set, st->applied, dir, target);

	PG_RETURN_TEXT_P(call_finish_text(script_for_plan(schema, set, plan, st->applied)));
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
	char	   *format = call_required_text(fcinfo, 0, "format");
	MigrationSet *set;
	SetState   *st = call_load_state(fcinfo, 1, &set);

	if (strcmp(format, "text") == 0)
		PG_RETURN_TEXT_P(call_finish_text(render_graph_text(set->graph, st->applied)));
	if (strcmp(format, "dot") == 0)
		PG_RETURN_TEXT_P(call_finish_text(render_graph_dot(set, st->applied)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown graph format \"%s\"", format),
			 errhint("Use 'text' or 'dot'.")));
	PG_RETURN_NULL();
}

/*
 * Where the version table says the set is: the current revisions by the
 * files, unless an applied revision whose file is gone is newer than all of
 * them (the usual case: the newest file was removed), which is then where
 * the database is.
 */
static char *
recorded_current(const Graph *g, const SetState *st)
{
	int		   *cur = palloc(sizeof(int) * (g->n + 1));
	int			n = graph_current(g, st->applied, cur);
	const char *newest = NULL;

	for (int i = 0; i < st->n_orphans; i++)
		if (newest == NULL || sm_natural_cmp(st->orphans[i].revision, newest) > 0)
			newest = st->orphans[i].revision;
	for (int i = 0; newest && i < n; i++)
		if (sm_natural_cmp(g->nodes[cur[i]].mig->revision, newest) >= 0)
			newest = NULL;
	return newest ? pstrdup(newest) : ops_current_text(g, st->applied);
}

static char *
orphan_list(const SetState *st)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < st->n_orphans && i < 5; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", st->orphans[i].revision);
	if (st->n_orphans > 5)
		appendStringInfo(&buf, " and %d more", st->n_orphans - 5);
	return buf.data;
}

/*
 * For application start-up: true at the heads, otherwise an error that
 * says what is missing (Alembic's "Target database is not up to date"),
 * with the hint that fixes that cause.
 */
Datum
sm_check(PG_FUNCTION_ARGS)
{
	MigrationSet *set;
	SetState   *st;
	const Graph *g;
	int			pending = 0;
	char	   *heads;

	/* the start-up case: one probe of the fingerprint */
	sm_spi_connect(false);
	if (ops_fast_noop(call_ext_schema(fcinfo), call_optional_text(fcinfo, 0), "heads", true))
	{
		SPI_finish();
		PG_RETURN_BOOL(true);
	}
	set = set_load(call_optional_text(fcinfo, 0));
	st = store_read_state(call_ext_schema(fcinfo), set);
	g = set->graph;

	ops_check_drift(set, st);
	for (int i = 0; i < g->n; i++)
		pending += !st->applied[i];
	if (pending == 0 && st->n_orphans == 0 && st->partial == NULL)
	{
		SPI_finish();
		PG_RETURN_BOOL(true);
	}
	{
		bool	   *all = palloc(sizeof(bool) * (g->n + 1));

		memset(all, true, sizeof(bool) * (g->n + 1));
		heads = ops_current_text(g, all);
	}
	/* upgrading cannot help here: the record and the files disagree */
	if (st->n_orphans > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the database is not up to date"),
				 errdetail("Set \"%s\" is at %s as recorded in sm_version, but applied revision%s %s ha%s no migration file; its files end at %s.",
						   set->name, recorded_current(g, st),
						   st->n_orphans == 1 ? "" : "s", orphan_list(st),
						   st->n_orphans == 1 ? "s" : "ve", heads),
				 errhint("%s", ops_hint_orphans(set))));
	if (st->partial)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the database is not up to date"),
				 errdetail("Set \"%s\" is at %s; migration %s is partially %s: %d of %d statements ran.",
						   set->name, ops_current_text(g, st->applied),
						   st->partial->revision,
						   st->partial->direction == PLAN_UP ? "applied" : "reverted",
						   st->partial->done, st->partial->total),
				 errhint("%s", ops_hint_partial(set, st->partial->revision,
										  st->partial->direction, false))));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the database is not up to date"),
			 errdetail("Set \"%s\" is at %s; its head%s %s %s; %d migration%s pending.",
					   set->name, ops_current_text(g, st->applied),
					   g->n_heads == 1 ? "" : "s", g->n_heads == 1 ? "is" : "are",
					   heads, pending, pending == 1 ? " is" : "s are"),
			 errhint("Run SELECT %s, or CALL %s.",
					 ops_call(set, "sm_upgrade", "'heads'", NULL),
					 g->n_heads == 1 ? ops_call(set, "sm_migrate", NULL, "'head'") :
					 ops_call(set, "sm_migrate", "'heads'", NULL))));
	PG_RETURN_BOOL(false);
}

/* ---------- production operation ---------- */

PG_FUNCTION_INFO_V1(sm_migrate);
PG_FUNCTION_INFO_V1(sm_repair);
PG_FUNCTION_INFO_V1(sm_resolve);
PG_FUNCTION_INFO_V1(sm_status);
PG_FUNCTION_INFO_V1(sm_run_toplevel);

/*
 * CALL sm_migrate(target, set): step-wise, committing after each
 * migration.  Only as a top-level CALL: inside a transaction block its
 * commits are impossible, and sm_upgrade() is the all-or-nothing form.
 */
Datum
sm_migrate(PG_FUNCTION_ARGS)
{
	char	   *target = call_required_text(fcinfo, 0, "target");
	char	   *set_name = call_optional_text(fcinfo, 1);
	const char *schema = call_ext_schema(fcinfo);
	MigrationSet *set;

	if (fcinfo->context == NULL || !IsA(fcinfo->context, CallContext) ||
		castNode(CallContext, fcinfo->context)->atomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("sm_migrate() cannot run inside a transaction block"),
				 errdetail("It commits after every migration."),
				 errhint("Call it as a top-level CALL statement, or use SELECT sm_upgrade(...) to migrate all or nothing inside your transaction.")));
	set = set_load(set_name);
	sm_spi_connect(true);
	(void) stepwise_migrate(schema, set, target);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * CALL sm_run_toplevel(sql): one statement as a top-level statement in a
 * background worker, as sm_migrate runs non-transactional migrations; for
 * tests and DBAs.
 */
Datum
sm_run_toplevel(PG_FUNCTION_ARGS)
{
	char	   *sql;
	WorkerError err;
	bool		ok;

	if (fcinfo->context == NULL || !IsA(fcinfo->context, CallContext) ||
		((CallContext *) fcinfo->context)->atomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("sm_run_toplevel() must be called with CALL outside a transaction block"),
				 errdetail("It commits the current transaction before it runs the statement in a background worker."),
				 errhint("Run CALL sm_run_toplevel(...) as a statement of its own: not inside BEGIN ... COMMIT, in a multi-statement query string or from a function.")));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("sql must not be null")));
	exec_check_can_migrate("sm_run_toplevel");

	/* portal memory: survives the commit below */
	sql = text_to_cstring(PG_GETARG_TEXT_PP(0));

	sm_spi_connect(true);
	SPI_commit();
	ok = worker_run_statement(sql, NULL, 0, 0, &err);
	if (!ok)
		worker_raise_error(&err, sql);
	index_check_after(sql);
	SPI_finish();
	PG_RETURN_VOID();
}

/* Accept changed or missing files: record what the files say now. */
Datum
sm_repair(PG_FUNCTION_ARGS)
{
	const char *schema = call_ext_schema(fcinfo);
	MigrationSet *set;

	exec_check_can_migrate("sm_repair");
	set = set_load(call_optional_text(fcinfo, 0));
	sm_spi_connect(false);
	PG_RETURN_INT32(finish_with_int(ops_repair(schema, set)));
}

/*
 * Record the outcome of a partially run non-transactional migration after
 * it was finished or undone by hand.
 */
Datum
sm_resolve(PG_FUNCTION_ARGS)
{
	char	   *rev = call_required_text(fcinfo, 0, "revision");
	char	   *outcome = call_required_text(fcinfo, 1, "outcome");
	const char *schema = call_ext_schema(fcinfo);
	MigrationSet *set;

	if (strcmp(outcome, "applied") != 0 && strcmp(outcome, "not applied") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid outcome \"%s\"", outcome),
				 errhint("Use 'applied' or 'not applied'.")));
	exec_check_can_migrate("sm_resolve");
	set = set_load(call_optional_text(fcinfo, 2));
	sm_spi_connect(false);
	ops_resolve(schema, set, rev, strcmp(outcome, "applied") == 0);
	PG_RETURN_TEXT_P(call_finish_text(psprintf("%s %s", rev, outcome)));
}

/*
 * Load a set, or NULL when it cannot be (its files are not installed on
 * this server, say): a subtransaction keeps the error from aborting ours.
 */
typedef struct TryLoad
{
	const char *name;
	MigrationSet *set;
} TryLoad;

static void
try_load(void *arg)
{
	TryLoad    *t = (TryLoad *) arg;

	t->set = set_load(t->name);
}

static MigrationSet *
try_set_load(const char *name)
{
	TryLoad		t = {name, NULL};
	ErrorData  *edata = exec_in_subtransaction(try_load, &t);

	if (edata)
	{
		FreeErrorData(edata);
		return NULL;
	}
	return t.set;
}

/* One row per set this database has migrated. */
Datum
sm_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const char *schema = call_ext_schema(fcinfo);
	SPITupleTable *tt;
	uint64		n;

	InitMaterializedSRF(fcinfo, 0);
	sm_spi_connect(false);
	tt = store_read_status(schema, &n);
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	tup = tt->vals[i];
		TupleDesc	desc = tt->tupdesc;
		char	   *name = SPI_getvalue(tup, desc, 1);
		Datum		v[9];
		bool		nulls[9] = {false};
		bool		isnull;
		MigrationSet *set = NULL;

		set = try_set_load(name);
		v[0] = CStringGetTextDatum(name);
		if (set)
		{
			SetState   *st = store_read_state(schema, set);
			int			pending = 0;

			for (int j = 0; j < set->graph->n; j++)
				pending += !st->applied[j];
			v[1] = CStringGetTextDatum(ops_current_text(set->graph, st->applied));
			v[2] = Int32GetDatum(pending);
		}
		else
			nulls[1] = nulls[2] = true;
		v[3] = SPI_getbinval(tup, desc, 7, &isnull);
		nulls[3] = isnull;
		if (!isnull)
			v[3] = CStringGetTextDatum(psprintf("%s: %s of %s statements",
												SPI_getvalue(tup, desc, 7),
												SPI_getvalue(tup, desc, 8),
												SPI_getvalue(tup, desc, 9)));
		v[4] = SPI_getbinval(tup, desc, 2, &nulls[4]);
		v[5] = SPI_getbinval(tup, desc, 3, &nulls[5]);
		v[6] = SPI_getbinval(tup, desc, 4, &nulls[6]);
		v[7] = SPI_getbinval(tup, desc, 5, &nulls[7]);
		v[8] = SPI_getbinval(tup, desc, 6, &nulls[8]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

/* ---------- tenants (1.1) ---------- */

PG_FUNCTION_INFO_V1(sm_upgrade_tenants);

/*
 * Upgrade one set in many schemas, each tenant in a subtransaction of its
 * own: a failing tenant is rolled back and reported, and the others go on.
 */
Datum
sm_upgrade_tenants(PG_FUNCTION_ARGS)
{
	char	   *target = call_required_text(fcinfo, 0, "target");
	ArrayType  *arr;
	char	   *base = call_optional_text(fcinfo, 2);
	const char *schema = call_ext_schema(fcinfo);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *elems;
	bool	   *elem_nulls;
	int			n;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("schemas must not be null")));
	arr = PG_GETARG_ARRAYTYPE_P(1);
	exec_check_can_migrate("sm_upgrade_tenants");
	base = pstrdup(locate_resolve_name(base));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &elem_nulls, &n);
	InitMaterializedSRF(fcinfo, 0);
	sm_spi_connect(false);
	for (int i = 0; i < n; i++)
	{
		char	   *tenant = elem_nulls[i] ? "" : TextDatumGetCString(elems[i]);
		Datum		v[4];
		bool		nulls[4] = {false};
		char	   *sqlstate;
		char	   *error;
		char	   *now = ops_try_move(schema, psprintf("%s@%s", base, tenant),
										target, &sqlstate, &error);

		v[0] = CStringGetTextDatum(tenant);
		v[1] = now ? CStringGetTextDatum(now) : (Datum) 0;
		nulls[1] = now == NULL;
		v[2] = sqlstate ? CStringGetTextDatum(sqlstate) : (Datum) 0;
		nulls[2] = sqlstate == NULL;
		v[3] = error ? CStringGetTextDatum(error) : (Datum) 0;
		nulls[3] = error == NULL;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
