/*-------------------------------------------------------------------------
 *
 * safety.c
 *	  The schema_migrate.safety gate where a plan is about to run
 *	  (sm_upgrade, sm_migrate): refuse, warn, log approvals.
 *
 *-------------------------------------------------------------------------
 */
#include "lint.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"


/* ---------- the gate ---------- */

/* Record an approval in sm_log, in the transaction that runs the plan. */
static void
log_approval(const char *schema, const MigrationSet *set, const LintFinding *f)
{
	char	   *sql = psprintf("INSERT INTO %s.sm_log"
							   " (set_name, revision, operation, direction, checksum, file,"
							   "  started_at, performed_by, success, error, error_line)"
							   " VALUES ($1, $2, 'approve', 'up', $3, $4, pg_catalog.clock_timestamp(),"
							   "  $5, true, $6, $7)", schema);
	Oid			types[7] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, NAMEOID, TEXTOID, INT4OID};
	Datum		values[7];

	values[0] = CStringGetTextDatum(set->name);
	values[1] = CStringGetTextDatum(f->mig->revision);
	values[2] = CStringGetTextDatum(f->mig->checksum);
	values[3] = CStringGetTextDatum(f->mig->file);
	values[4] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	values[5] = CStringGetTextDatum(psprintf("allow: %s (line %d): %s at line %d: %s",
											 f->allow, f->approved_line, f->rule,
											 f->line, f->message));
	values[6] = Int32GetDatum(f->line);
	if (SPI_execute_with_args(sql, 7, types, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "recording an approval in sm_log failed");
}

bool
safety_big_enough(int64 bytes)
{
	return bytes >= 0 && bytes >= sm_safety_min_bytes;
}

typedef struct GateLint
{
	const MigrationSet *set;
	const MigPlan *plan;
	LintResult *res;
} GateLint;

static void
gate_lint(void *arg)
{
	GateLint   *g = arg;

	g->res = lint_plan(g->set, g->plan);
}

/*
 * Called once where a plan is about to run.  Findings of severity error
 * (a lock, rewrite or scan of a relation above safety_min_bytes, or a
 * statement that cannot work) refuse the plan with safety = error, and
 * are NOTICEs with warn.  Approved ones are NOTICEs and sm_log rows.
 */
void
safety_gate(const char *schema, const MigrationSet *set, const MigPlan *plan)
{
	LintResult *res;
	LintBlocker *blockers;
	int			nb;
	int			refused = 0;
	const LintFinding *first = NULL;
	StringInfoData detail;

	if (sm_safety == SM_SAFETY_OFF || plan->direction != PLAN_UP || plan->n_steps == 0)
		return;
	/*
	 * A migration PostgreSQL cannot parse is the executor's to report, with
	 * its own message and line: the gate has nothing to judge then.
	 */
	{
		GateLint	g = {set, plan, NULL};
		ErrorData  *err = exec_in_subtransaction(gate_lint, &g);

		if (err)
		{
			if (err->sqlerrcode == ERRCODE_SYNTAX_ERROR)
			{
				FreeErrorData(err);
				return;
			}
			ReThrowError(err);
		}
		res = g.res;
	}
	initStringInfo(&detail);
	for (int i = 0; i < res->n; i++)
	{
		const LintFinding *f = &res->items[i];

		/* statements.c refuses that one itself, before anything runs */
		if (f->severity != LINT_ERROR ||
			strcmp(f->rule, "concurrently_in_transaction") == 0)
			continue;
		if (f->approved_line > 0)
		{
			ereport(NOTICE,
					(errmsg("migration %s approves %s (\"-- allow: %s\", file %s line %d): %s",
							f->mig->revision, f->rule, f->allow, f->mig->file,
							f->approved_line, f->message)));
			log_approval(schema, set, f);
			continue;
		}
		if (sm_safety == SM_SAFETY_WARN)
		{
			ereport(NOTICE,
					(errmsg("safety: migration %s (file %s, line %d): %s",
							f->mig->revision, f->mig->file, f->line, f->message),
					 errhint("%s%s", f->hint,
							 f->allow ? psprintf(" Or approve it with \"-- allow: %s\" in the migration.", f->allow) : "")));
			continue;
		}
		if (refused++ == 0)
			first = f;
		if (refused <= 5)
			appendStringInfo(&detail, "%sMigration %s (file %s, line %d): %s: %s.",
							 refused > 1 ? "\n" : "", f->mig->revision, f->mig->file,
							 f->line, f->rule, f->message);
	}
	if (refused > 0)
	{
		if (refused > 5)
			appendStringInfo(&detail, "\nAnd %d more; SELECT * FROM sm_lint() lists them.", refused - 5);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration %s of set \"%s\" is refused by schema_migrate.safety: %s at line %d%s",
						first->mig->revision, set->name, first->rule, first->line,
						refused > 1 ? psprintf(" (and %d more findings)", refused - 1) : ""),
				 errdetail_internal("%s\nNothing was run.", detail.data),
				 errhint("%s%s", first->hint,
						 first->allow ? psprintf(" Or, if it is intended, approve it with \"-- allow: %s\" in the header of file %s.",
												 first->allow, first->mig->file) : "")));
	}

	/* the queue a step would join: only where it matters (big tables) */
	blockers = lint_blockers(res, &nb);
	for (int i = 0; i < nb; i++)
		if (safety_big_enough(blockers[i].lock->bytes))
			ereport(NOTICE,
					(errmsg("migration %s line %d needs %s on %s, and pid %d holds %s on it (%s%s)",
							blockers[i].lock->mig->revision, blockers[i].lock->line,
							GetLockmodeName(DEFAULT_LOCKMETHOD, blockers[i].lock->mode),
							blockers[i].lock->relation, blockers[i].pid,
							blockers[i].holds, blockers[i].state ? blockers[i].state : "?",
							blockers[i].idle_in_xact_s >= 0 ?
							psprintf(" for %.0f s", blockers[i].idle_in_xact_s) : ""),
					 errhint("The step waits for it, and every query on the table waits behind the step. Let it finish, or end it with SELECT pg_terminate_backend(%d);",
							 blockers[i].pid)));
}

