/*-------------------------------------------------------------------------
 *
 * script_writer.c
 *	  Offline mode: the SQL script an upgrade or downgrade would run,
 *	  including the statements that keep the version table, for a DBA to
 *	  review and run with "psql -1 -f".
 *
 * The statements are the ones the online run executes (split by the same
 * code, so a BEGIN/COMMIT wrapper is dropped here too), and the version
 * rows are written with literals quoted by quote_literal: the script is
 * meant to be read, so it cannot use parameters.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

static void
append_statements(StringInfo buf, const PreparedStep *ps)
{
	for (int i = 0; i < ps->n_stmts; i++)
		appendStringInfo(buf, "%.*s;\n", ps->stmts[i].len,
						 ps->sql + ps->stmts[i].offset);
}

static void
append_bookkeeping(StringInfo buf, const char *schema, const MigrationSet *set,
				   const Migration *m, PlanDirection dir)
{
	const char *qset = quote_literal_cstr(set->name);
	const char *qrev = quote_literal_cstr(m->revision);
	const char *qsum = quote_literal_cstr(m->checksum);

	if (dir == PLAN_UP)
		appendStringInfo(buf,
						 "INSERT INTO %s.sm_version (set_name, revision, checksum, applied_at, applied_by)"
						 " VALUES (%s, %s, %s, pg_catalog.now(), CURRENT_USER);\n",
						 schema, qset, qrev, qsum);
	else
		appendStringInfo(buf,
						 "DELETE FROM %s.sm_version WHERE set_name OPERATOR(pg_catalog.=) %s"
						 " AND revision OPERATOR(pg_catalog.=) %s;\n",
						 schema, qset, qrev);
	appendStringInfo(buf,
					 "INSERT INTO %s.sm_log (set_name, revision, operation, direction, checksum, file,"
					 " started_at, performed_by, success)"
					 " VALUES (%s, %s, %s, %s, %s, %s, pg_catalog.clock_timestamp(), CURRENT_USER, true);\n",
					 schema, qset, qrev,
					 dir == PLAN_UP ? "'offline upgrade'" : "'offline downgrade'",
					 dir == PLAN_UP ? "'up'" : "'down'", qsum,
					 quote_literal_cstr(m->file));
}

char *
script_for_plan(const char *schema, const MigrationSet *set,
				const MigPlan *plan, const bool *applied)
{
	PreparedStep *steps = stmt_prepare_plan(set, plan, false);
	bool	   *after = palloc(sizeof(bool) * (set->graph->n + 1));
	StringInfoData buf;

	memcpy(after, applied, sizeof(bool) * set->graph->n);
	for (int i = 0; i < plan->n_steps; i++)
		after[plan->steps[i]] = plan->direction == PLAN_UP;

	initStringInfo(&buf);
	appendStringInfo(&buf,
					 "-- schema_migrate: offline %s of set \"%s\" from %s to %s, %d migration%s\n"
					 "-- Run it with: psql -v ON_ERROR_STOP=1 -1 -f FILE\n"
					 "-- on a database where the schema_migrate extension is installed.\n"
					 "SELECT pg_catalog.pg_advisory_xact_lock(1397573959, pg_catalog.hashtext(%s));\n",
					 plan->direction == PLAN_UP ? "upgrade" : "downgrade",
					 set->name, ops_current_text(set->graph, applied),
					 ops_current_text(set->graph, after), plan->n_steps,
					 plan->n_steps == 1 ? "" : "s",
					 quote_literal_cstr(set->name));
	if (set->tenant)
		appendStringInfo(&buf,
						 "-- tenant: the migrations run with schema %s first on search_path\n"
						 "SELECT pg_catalog.set_config('search_path', %s || pg_catalog.current_setting('search_path'), true);\n",
						 quote_identifier(set->tenant),
						 quote_literal_cstr(psprintf("%s, ", quote_identifier(set->tenant))));
	for (int i = 0; i < plan->n_steps; i++)
	{
		const Migration *m = steps[i].mig;

		appendStringInfo(&buf, "\n-- %s %s \"%s\" (file %s)%s\n",
						 plan->direction == PLAN_UP ? "applying" : "reverting",
						 m->revision, m->message, m->file,
						 !steps[i].toplevel ? "" : !m->transactional ?
						 " -- marked transactional: false; run outside psql -1" :
						 " -- has its own BEGIN and COMMIT; run outside psql -1");
		append_statements(&buf, &steps[i]);
		append_bookkeeping(&buf, schema, set, m, plan->direction);
	}
	return buf.data;
}
