/*-------------------------------------------------------------------------
 *
 * adopt.c
 *	  sm_adopt(tool, set_name): take over a database that another migration
 *	  tool has been managing, by reading that tool's bookkeeping and
 *	  recording the same revisions as applied, with no hand-written stamp.
 *
 * Everything is checked before anything is written: each recorded version
 * must have a migration in the set, golang-migrate's dirty flag and
 * Flyway's failed rows refuse, and a set that schema_migrate already
 * tracks in this database refuses.  The rows then go in through
 * version_store.c like an upgrade's, logged as operation "adopt".
 *
 * The other tool's tables are found through the caller's search_path (as
 * the tool itself found them), then named schema-qualified; values go in
 * as typed parameters.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(sm_adopt);

/* How to read one tool's record of applied versions. */
typedef struct ToolSpec
{
	const char *tool;
	const char *table;			/* as the tool names it */
	const char *query;			/* %s: the table; columns: version, flag */
	bool		ancestors;		/* records only the current version(s) */
	bool		flag_reverts;	/* flag: a later revert, not a failure */
} ToolSpec;

static const ToolSpec tools[] = {
	{"alembic", "alembic_version",
	"SELECT version_num::text, false FROM %s", true},
	{"flyway", "flyway_schema_history",
		"SELECT version::text, NOT success FROM %s WHERE version IS NOT NULL"
		" AND type OPERATOR(pg_catalog.<>) 'UNDO_SQL' ORDER BY installed_rank", false},
	{"golang-migrate", "schema_migrations",
	"SELECT version::text, dirty FROM %s", true},
	{"dbmate", "schema_migrations",
	"SELECT version::text, false FROM %s ORDER BY version", false},
	{"goose", "goose_db_version",
		"SELECT version_id::text, NOT is_applied FROM %s"
	" WHERE version_id OPERATOR(pg_catalog.<>) 0 ORDER BY id", false, true},
	{"diesel", "__diesel_schema_migrations",
	"SELECT version::text, false FROM %s ORDER BY version", false},
	{"sqitch", "sqitch.changes",
	"SELECT change::text, false FROM %s ORDER BY committed_at", false},
};

static const ToolSpec *
find_tool(const char *name)
{
	for (size_t i = 0; i < lengthof(tools); i++)
		if (pg_strcasecmp(tools[i].tool, name) == 0)
			return &tools[i];
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown migration tool \"%s\"", name),
			 errhint("Known tools are alembic, flyway, golang-migrate, dbmate, goose, diesel and sqitch.")));
	return NULL;
}

/* The tool's table, schema-qualified, or an error when it is not there. */
static char *
tool_table(const ToolSpec *t)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(t->table)};
	bool		isnull;
	Oid			rel;

	sm_spi_check(SPI_execute_with_args("SELECT pg_catalog.to_regclass($1)::oid", 1,
									   types, values, NULL, true, 1),
				 "looking up the tool's table");
	rel = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" of %s does not exist", t->table, t->tool),
				 errhint("Run sm_adopt in the database %s has been migrating, with its schema on search_path.",
						 t->tool)));
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(rel)),
									  get_rel_name(rel));
}

static void
refuse_if_tracked(const char *schema, const MigrationSet *set)
{
	char	   *sql = psprintf("SELECT 1 FROM %s.sm_version"
							   " WHERE set_name OPERATOR(pg_catalog.=) $1 LIMIT 1", schema);
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(set->name)};

	sm_spi_check(SPI_execute_with_args(sql, 1, types, values, NULL, false, 1),
				 "reading the version table");
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("set \"%s\" already has revisions recorded by schema_migrate", set->name),
				 errdetail("Nothing was written."),
				 errhint("sm_adopt takes over from another tool once; use sm_stamp to change recorded revisions.")));
}

/*
 * The node of a recorded version.  sqitch records a reworked change's
 * name once per deployed instance: the k-th record of a name is the k-th
 * instance in the plan ("name--tag" for all but the last).
 */
static int
node_of(const MigrationSet *set, const ToolSpec *t, const char *v, const bool *seen)
{
	const Graph *g = set->graph;

	if (strcmp(t->tool, "sqitch") == 0)
	{
		size_t		vl = strlen(v);

		for (int i = 0; i < g->n; i++)
		{
			const char *r = g->nodes[i].mig->revision;

			if (strncmp(r, v, vl) == 0 && (r[vl] == '\0' || strncmp(r + vl, "--", 2) == 0) &&
				!seen[i])
				return i;
		}
		return -1;
	}
	return graph_find(g, v);
}

/* Read the tool's records into a flag per node; refuse on any mismatch. */
static bool *
read_applied(const MigrationSet *set, const ToolSpec *t, const char *table)
{
	const Graph *g = set->graph;
	bool	   *applied = palloc0(sizeof(bool) * (g->n + 1));

	sm_spi_check(SPI_execute(psprintf(t->query, table), true, 0),
				 "reading the tool's table");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		char	   *v = SPI_getvalue(tup, SPI_tuptable->tupdesc, 1);
		bool		isnull;
		bool		bad = DatumGetBool(SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &isnull));
		int			node;

		node = node_of(set, t, v, applied);
		if (bad && t->flag_reverts && node >= 0)
		{
			applied[node] = false;	/* goose logs a down as a new row */
			continue;
		}
		if (bad)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("%s records version %s of set \"%s\" as %s", t->tool, v, set->name,
							strcmp(t->tool, "golang-migrate") == 0 ? "dirty" :
							strcmp(t->tool, "goose") == 0 ? "rolled back" : "failed"),
					 errdetail("Nothing was written."),
					 errhint("%s", strcmp(t->tool, "golang-migrate") == 0 ?
							 "Repair the database with golang-migrate first: fix the schema, then \"migrate force VERSION\"." :
							 strcmp(t->tool, "flyway") == 0 ?
							 "Repair the database with Flyway first: fix the schema, then \"flyway repair\"." :
							 psprintf("Repair the database with %s first.", t->tool))));
		if (node < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FILE),
					 errmsg("%s records version %s, which has no migration in set \"%s\"",
							t->tool, v, set->name),
					 errdetail("Nothing was written."),
					 errhint("Add the missing file to the set, or point schema_migrate.set at the set %s ran.",
							 t->tool)));
		applied[node] = true;
	}
	if (t->ancestors)
		for (int i = 0; i < g->n; i++)
			for (int j = 0; j < g->n && !applied[i]; j++)
				if (applied[j] && graph_is_ancestor(g, i, j))
					applied[i] = true;
	return applied;
}

Datum
sm_adopt(PG_FUNCTION_ARGS)
{
	const ToolSpec *t;
	char	   *set_name = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	const char *schema = quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
	MigrationSet *set;
	bool	   *applied;
	StepRecord *steps;
	int			n = 0;
	char	   *now;
	text	   *result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("tool must not be null")));
	t = find_tool(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	exec_check_can_migrate("sm_adopt");
	set = set_load(set_name);
	sm_spi_connect(false);
	store_lock_set(set, false);
	refuse_if_tracked(schema, set);
	applied = read_applied(set, t, tool_table(t));

	steps = palloc0(sizeof(StepRecord) * (set->graph->n + 1));
	for (int i = 0; i < set->graph->n; i++)
		if (applied[i])
		{
			steps[n].mig = set->graph->nodes[i].mig;
			steps[n].started_at = GetCurrentTimestamp();
			steps[n].duration_ms = 0;
			n++;
		}
	store_record_steps(schema, set, PLAN_UP, "adopt", steps, n);
	now = ops_current_text(set->graph, applied);
	ereport(NOTICE,
			(errmsg("adopted %d revision%s of set \"%s\" from %s, now at %s",
					n, n == 1 ? "" : "s", set->name, t->tool, now)));
	result = (text *) SPI_palloc(strlen(now) + VARHDRSZ);
	SET_VARSIZE(result, strlen(now) + VARHDRSZ);
	memcpy(VARDATA(result), now, strlen(now));
	SPI_finish();
	PG_RETURN_TEXT_P(result);
}
