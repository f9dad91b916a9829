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
 * the tool itself found them), or where schema_migrate.adopt_table says
 * (a tool told to keep its table elsewhere), then named schema-qualified;
 * values go in as typed parameters.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"
#include "sql_call.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
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
	/* issue 16, part B: tools that name migrations their own way */
	bool		by_key;			/* version is Migration.tool_key, not revision */
	const char *busy_query;		/* a row: a run is in progress; NULL: none */
	const char *repair_hint;	/* the tool's own way out of a failed run */
	/* issue 16, part A: NULL/false for the tools above them */
	bool		numeric;		/* versions match revisions as integers */
	const char *bad_word;		/* what the flag means: "partially applied" */
	const char *fix;			/* the tool's way out; %s: the version */
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
	/* issue 16, part B; a third column is the tool's checksum, compared */
	{"liquibase", "databasechangelog",
		"SELECT filename || '::' || id || '::' || author,"
		" exectype NOT IN ('EXECUTED', 'MARK_RAN', 'RERAN'), md5sum"
		" FROM %s ORDER BY orderexecuted", false, false, true,
		"SELECT 1 WHERE CASE WHEN pg_catalog.to_regclass('databasechangeloglock') IS NULL"
		" THEN false ELSE (pg_catalog.xpath('//l/text()', pg_catalog.query_to_xml("
		"'SELECT bool_or(locked) AS l FROM databasechangeloglock', false, false, '')))[1]::text"
		" OPERATOR(pg_catalog.=) 'true' END",
		"Repair the database with Liquibase first: fix the schema, then \"liquibase release-locks\" or \"liquibase mark-next-changeset-ran\"."},
	{"graphile-migrate", "graphile_migrate.migrations",
	"SELECT filename, false, hash FROM %s ORDER BY filename", false, false, true},
	{"hasura", "hdb_catalog.schema_migrations",
		"SELECT version::text, dirty FROM %s ORDER BY version", false, false, false, NULL,
		"Repair the database with the Hasura CLI first: fix the schema, then \"hasura migrate apply --skip-execution --version VERSION\" (or --type down)."},
	{"drizzle", "drizzle.__drizzle_migrations",
		"SELECT created_at::text, false FROM %s"
	" ORDER BY created_at DESC LIMIT 1", true, false, true},
	/* issue 16, part A */
	{"sqlx", "_sqlx_migrations",
		"SELECT version::text, NOT success FROM %s ORDER BY version", false, false,
		.numeric = true, .bad_word = "partially applied", .fix =
	"Fix the database, then remove the row of version %s from _sqlx_migrations, as sqlx asks (\"fix and remove row from `_sqlx_migrations` table\")."},
	{"prisma", "_prisma_migrations",
		"SELECT migration_name, finished_at IS NULL FROM %s"
		" WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name", false, false,
		.bad_word = "failed", .fix =
	"Resolve it with Prisma first: fix the database, then \"prisma migrate resolve --rolled-back %s\" (or --applied)."},
	{"atlas", "atlas_schema_revisions.atlas_schema_revisions",
		"SELECT version, applied < total OR coalesce(error, '') <> '' FROM %s"
		" WHERE version NOT LIKE '.%%' ORDER BY version", false, false,
		.bad_word = "partially applied", .fix =
	"Fix the database, then \"atlas migrate apply\" resumes file %s at the statement that failed; or record the revision with \"atlas migrate set\"."},
	{"tern", "schema_version",
	"SELECT version::text, false FROM %s WHERE version > 0", true, false, .numeric = true},
	{"node-pg-migrate", "pgmigrations",
	"SELECT name::text, false FROM %s ORDER BY run_on, id", false},
	{"postgrator", "schemaversion",
		"SELECT max(version)::text, false FROM %s WHERE version > 0"
	" HAVING max(version) IS NOT NULL", true, false, .numeric = true},
	{"supabase", "supabase_migrations.schema_migrations",
	"SELECT version::text, false FROM %s ORDER BY version", false},
};

/* Is rev the integer v, leading zeros aside? */
static bool
same_number(const char *rev, const char *v)
{
	while (*rev == '0' && rev[1])
		rev++;
	while (*v == '0' && v[1])
		v++;
	return strcmp(rev, v) == 0 && strspn(rev, "0123456789") == strlen(rev);
}

static const ToolSpec *
find_tool(const char *name)
{
	for (size_t i = 0; i < lengthof(tools); i++)
		if (pg_strcasecmp(tools[i].tool, name) == 0)
			return &tools[i];
	{
		StringInfoData known;

		/* from the table, so that a tool added there is named here too */
		initStringInfo(&known);
		for (size_t i = 0; i < lengthof(tools); i++)
			appendStringInfo(&known, "%s%s", i == 0 ? "" :
							 i + 1 == lengthof(tools) ? " and " : ", ", tools[i].tool);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown migration tool \"%s\"", name),
				 errhint("Known tools are %s.", known.data)));
	}
	return NULL;
}

/* The relation a (maybe qualified) table name resolves to, or InvalidOid. */
static Oid
lookup_table(const char *name)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	bool		isnull;
	Datum		rel;

	sm_spi_check(SPI_execute_with_args("SELECT pg_catalog.to_regclass($1)::oid", 1,
									   types, values, NULL, true, 1),
				 "looking up the tool's table");
	rel = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? InvalidOid : DatumGetObjectId(rel);
}

/*
 * The default table is not on search_path: is a table of that name in
 * another schema?  node-pg-migrate, for one, keeps pgmigrations in the
 * --migrations-schema, else the first --schema.  One such table is named
 * with the setting that adopts it; several are listed.
 */
static void
refuse_table_elsewhere(const ToolSpec *t)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(t->table)};
	StringInfoData found;

	if (strchr(t->table, '.') != NULL)
		return;					/* the tool names its schema: nowhere else */
	sm_spi_check(SPI_execute_with_args("SELECT pg_catalog.quote_ident(n.nspname) || '.' ||"
									   " pg_catalog.quote_ident(c.relname)"
									   " FROM pg_catalog.pg_class c"
									   " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
									   " WHERE c.relname OPERATOR(pg_catalog.=) $1"
									   " AND c.relkind IN ('r', 'p') ORDER BY 1",
									   1, types, values, NULL, true, 0),
				 "looking for the tool's table in other schemas");
	if (SPI_processed == 0)
		return;
	if (SPI_processed == 1)
	{
		char	   *qualified = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" of %s is not on search_path, but %s exists",
						t->table, t->tool, qualified),
				 errdetail("%s was told to keep its table in another schema. Nothing was written.",
						   t->tool),
				 errhint("Adopt that table with SET schema_migrate.adopt_table = '%s'.",
						 qualified)));
	}
	initStringInfo(&found);
	for (uint64 i = 0; i < SPI_processed; i++)
		appendStringInfo(&found, "%s%s", i == 0 ? "" : ", ",
						 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_TABLE),
			 errmsg("table \"%s\" of %s is not on search_path, but %d schemas have one",
					t->table, t->tool, (int) SPI_processed),
			 errdetail("The tables are %s. Nothing was written.", found.data),
			 errhint("Name the one %s wrote for this set with SET schema_migrate.adopt_table.",
					 t->tool)));
}

/*
 * The tool's table, schema-qualified, or an error when it is not there:
 * schema_migrate.adopt_table when set, else the tool's default name through
 * search_path (as the tool itself found it).
 */
static char *
tool_table(const ToolSpec *t)
{
	bool		named = sm_adopt_table != NULL && sm_adopt_table[0] != '\0';
	Oid			rel = lookup_table(named ? sm_adopt_table : t->table);

	if (!OidIsValid(rel) && named)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" named by schema_migrate.adopt_table does not exist",
						sm_adopt_table),
				 errdetail("Nothing was written."),
				 errhint("Set schema_migrate.adopt_table to the table %s wrote, schema-qualified, or RESET it to read \"%s\".",
						 t->tool, t->table)));
	if (!OidIsValid(rel))
	{
		refuse_table_elsewhere(t);
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" of %s does not exist", t->table, t->tool),
				 errhint("Run sm_adopt in the database %s has been migrating, with its schema on search_path, or name its table with schema_migrate.adopt_table.",
						 t->tool)));
	}
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
static bool liquibase_key_match(const char *stored, const char *ours);

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
	if (t->by_key)
	{
		for (int i = 0; i < g->n; i++)
		{
			const char *k = g->nodes[i].mig->tool_key;

			if (k && !seen[i] && (strcmp(k, v) == 0 ||
								  (strcmp(t->tool, "liquibase") == 0 && liquibase_key_match(v, k))))
				return i;
		}
		return -1;
	}
	if (t->numeric)
	{
		for (int i = 0; i < g->n; i++)
			if (same_number(g->nodes[i].mig->revision, v))
				return i;
		return -1;
	}
	return graph_find(g, v);
}

/*
 * Liquibase records FILENAME as the path it was given (relative to its
 * search path, maybe with "classpath:"), so the file's path in the set
 * need only be a tail of it; id and author must be equal.
 */
static bool
liquibase_key_match(const char *stored, const char *ours)
{
	const char *ss = strstr(stored, "::"),
			   *os = strstr(ours, "::");
	size_t		sp,
				op;

	if (!ss || !os || strcmp(ss, os) != 0)
		return false;
	sp = ss - stored;
	op = os - ours;
	return sp >= op && strncmp(stored + sp - op, ours, op) == 0 &&
		(sp == op || stored[sp - op - 1] == '/' || stored[sp - op - 1] == ':');
}

/* A recorded checksum that differs from the file's: the file was edited. */
static void
check_tool_checksum(const ToolSpec *t, const MigrationSet *set, const Migration *m,
					const char *v, const char *stored)
{
	const char *ours = m->tool_checksum;

	if (!stored || !ours || m->repeatable)
		return;
	/* Liquibase upgrades older (8:) checksums itself; only 9: compares */
	if (strcmp(t->tool, "liquibase") == 0 && strncmp(stored, "9:", 2) != 0)
		return;
	if (strcmp(stored, ours) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("%s records %s with checksum %s, but file \"%s\" of set \"%s\" has %s",
						t->tool, v, stored, m->file, set->name, ours),
				 errdetail("The file was changed after %s ran it. Nothing was written.", t->tool),
				 errhint("%s", strcmp(t->tool, "liquibase") == 0 ?
						 "Restore the file as it was run, or run \"liquibase clear-checksums\" if the change is intended." :
						 "Restore the committed migration as it was run.")));
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
		if (node >= 0 && SPI_tuptable->tupdesc->natts >= 3)
			check_tool_checksum(t, set, g->nodes[node].mig, v,
								SPI_getvalue(tup, SPI_tuptable->tupdesc, 3));
		if (bad && t->flag_reverts && node >= 0)
		{
			applied[node] = false;	/* goose logs a down as a new row */
			continue;
		}
		if (bad)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("%s records version %s of set \"%s\" as %s", t->tool, v, set->name,
							t->bad_word ? t->bad_word :
							strcmp(t->tool, "golang-migrate") == 0 ||
							strcmp(t->tool, "hasura") == 0 ? "dirty" :
							strcmp(t->tool, "goose") == 0 ? "rolled back" : "failed"),
					 errdetail("Nothing was written."),
					 errhint("%s", t->fix ? psprintf(t->fix, v) :
							 strcmp(t->tool, "golang-migrate") == 0 ?
							 "Repair the database with golang-migrate first: fix the schema, then \"migrate force VERSION\"." :
							 t->repair_hint ? t->repair_hint :
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

/*
 * The Supabase CLI records the seed files it ran (db push --include-seed)
 * in supabase_migrations.seed_files(path, hash: SHA-256 hex of the file).
 * A seed recorded with the hash of the file now counts as run, so that the
 * next upgrade does not seed a live database again.  Returns 0 or 1.
 */
static int
adopt_supabase_seed(const char *schema, const MigrationSet *set)
{
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	StepRecord	rec;
	bool		isnull;

	if (set->n_repeatable == 0)
		return 0;
	if (SPI_execute("SELECT pg_catalog.to_regclass('supabase_migrations.seed_files') IS NOT NULL",
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "schema_migrate: looking up supabase_migrations.seed_files failed");
	if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		return 0;
	for (int i = 0; i < set->n_repeatable; i++)
	{
		const Migration *m = set->repeatable[i];

		values[0] = CStringGetTextDatum(m->file);
		values[1] = CStringGetTextDatum(psprintf("supabase/%s", m->file));
		values[2] = CStringGetTextDatum(m->checksum);
		if (SPI_execute_with_args("SELECT 1 FROM supabase_migrations.seed_files"
								  " WHERE path OPERATOR(pg_catalog.=) ANY (ARRAY[$1, $2])"
								  " AND hash OPERATOR(pg_catalog.=) $3",
								  3, types, values, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "schema_migrate: reading supabase_migrations.seed_files failed");
		if (SPI_processed == 0)
			continue;
		rec.mig = m;
		rec.started_at = GetCurrentTimestamp();
		rec.duration_ms = 0;
		store_log_steps(schema, set, PLAN_UP, "repeatable", &rec, 1);
		return 1;
	}
	return 0;
}

Datum
sm_adopt(PG_FUNCTION_ARGS)
{
	const ToolSpec *t;
	char	   *set_name = call_optional_text(fcinfo, 1);
	const char *schema = call_ext_schema(fcinfo);
	MigrationSet *set;
	bool	   *applied;
	StepRecord *steps;
	int			n = 0;
	char	   *now;

	t = find_tool(call_required_text(fcinfo, 0, "tool"));
	exec_check_can_migrate("sm_adopt");
	set = set_load(set_name);
	sm_spi_connect(false);
	store_lock_set(set, false);
	refuse_if_tracked(schema, set);
	applied = read_applied(set, t, tool_table(t));
	if (t->busy_query && SPI_execute(t->busy_query, true, 1) == SPI_OK_SELECT &&
		SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s holds its lock on the database: a run is in progress or was interrupted", t->tool),
				 errdetail("Nothing was written."),
				 errhint("%s", t->repair_hint)));

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
	if (strcmp(t->tool, "supabase") == 0 && adopt_supabase_seed(schema, set))
		ereport(NOTICE,
				(errmsg("the seed recorded in supabase_migrations.seed_files counts as run")));
	now = ops_current_text(set->graph, applied);
	ereport(NOTICE,
			(errmsg("adopted %d revision%s of set \"%s\" from %s, now at %s",
					n, n == 1 ? "" : "s", set->name, t->tool, now)));
	PG_RETURN_TEXT_P(call_finish_text(now));
}
