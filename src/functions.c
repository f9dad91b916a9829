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
