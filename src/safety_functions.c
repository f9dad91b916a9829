/*-------------------------------------------------------------------------
 *
 * safety_functions.c
 *	  The SQL functions over the safety lint: sm_lint() and sm_blockers().
 *
 *-------------------------------------------------------------------------
 */
#include "lint.h"
#include "sql_call.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(sm_lint);
PG_FUNCTION_INFO_V1(sm_blockers);

/* ---------- SQL functions ---------- */

static LintResult *
lint_for_call(FunctionCallInfo fcinfo)
{
	char	   *target = call_required_text(fcinfo, 0, "target");
	MigrationSet *set;
	SetState   *st = call_load_state(fcinfo, 1, &set);
	MigPlan    *plan = ops_make_plan(set, st->applied, PLAN_UP, target);

	return lint_plan(set, plan);
}

static char *
blocker_message(const LintBlocker *b)
{
	return psprintf("pid %d holds %s on %s (%s%s): this statement needs %s and waits for it, and every later query on the table waits behind it",
					b->pid, b->holds, b->lock->relation, b->state ? b->state : "?",
					b->idle_in_xact_s >= 0 ? psprintf(" for %.0f s", b->idle_in_xact_s) : "",
					GetLockmodeName(DEFAULT_LOCKMETHOD, b->lock->mode));
}

/*
 * sm_lint(target, set_name): the findings of the pending migrations, then
 * one row per session that would make a step wait (rule blocked_by_session).
 */
Datum
sm_lint(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LintResult *res;
	LintBlocker *bl;
	int			nb;

	InitMaterializedSRF(fcinfo, 0);
	res = lint_for_call(fcinfo);
	for (int i = 0; i < res->n; i++)
	{
		const LintFinding *f = &res->items[i];
		Datum		v[11];
		bool		nulls[11] = {false};

		v[0] = CStringGetTextDatum(f->mig->revision);
		v[1] = CStringGetTextDatum(f->mig->file);
		v[2] = Int32GetDatum(f->line);
		v[3] = CStringGetTextDatum(f->statement);
		v[4] = CStringGetTextDatum(f->rule);
		v[5] = CStringGetTextDatum(lint_severity_name(f->severity));
		v[6] = call_text_or_null(f->relation, &nulls[6]);
		v[7] = Int64GetDatum(f->bytes);
		nulls[7] = f->bytes < 0;
		v[8] = Int64GetDatum((int64) f->rows);
		nulls[8] = f->rows < 0;
		v[9] = CStringGetTextDatum(f->approved_line > 0 ?
								   psprintf("%s (approved by \"-- allow: %s\" on line %d)",
											f->message, f->allow, f->approved_line) :
								   f->message);
		v[10] = CStringGetTextDatum(f->hint);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	bl = lint_blockers(res, &nb);
	for (int i = 0; i < nb; i++)
	{
		Datum		v[11];
		bool		nulls[11] = {false};

		v[0] = CStringGetTextDatum(bl[i].lock->mig->revision);
		v[1] = CStringGetTextDatum(bl[i].lock->mig->file);
		v[2] = Int32GetDatum(bl[i].lock->line);
		v[3] = CStringGetTextDatum(bl[i].query ? bl[i].query : "");
		v[4] = CStringGetTextDatum("blocked_by_session");
		v[5] = CStringGetTextDatum(safety_big_enough(bl[i].lock->bytes) ? "error" : "warning");
		v[6] = CStringGetTextDatum(bl[i].lock->relation);
		v[7] = Int64GetDatum(bl[i].lock->bytes);
		nulls[7] = bl[i].lock->bytes < 0;
		nulls[8] = true;
		v[8] = (Datum) 0;
		v[9] = CStringGetTextDatum(blocker_message(&bl[i]));
		v[10] = CStringGetTextDatum(psprintf("Let it finish, or end it with SELECT pg_terminate_backend(%d); schema_migrate.lock_timeout bounds the wait.",
											 bl[i].pid));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

/*
 * sm_blockers(target, set_name): per step and relation, the sessions whose
 * locks conflict with the lock the step takes.
 */
Datum
sm_blockers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LintResult *res;
	LintBlocker *bl;
	int			nb;

	InitMaterializedSRF(fcinfo, 0);
	res = lint_for_call(fcinfo);
	bl = lint_blockers(res, &nb);
	for (int i = 0; i < nb; i++)
	{
		Datum		v[10];
		bool		nulls[10] = {false};

		v[0] = CStringGetTextDatum(bl[i].lock->mig->revision);
		v[1] = Int32GetDatum(bl[i].lock->line);
		v[2] = CStringGetTextDatum(bl[i].lock->relation);
		v[3] = CStringGetTextDatum(GetLockmodeName(DEFAULT_LOCKMETHOD, bl[i].lock->mode));
		v[4] = Int32GetDatum(bl[i].pid);
		v[5] = CStringGetTextDatum(bl[i].holds);
		v[6] = call_text_or_null(bl[i].state, &nulls[6]);
		v[7] = Float8GetDatum(bl[i].idle_in_xact_s);
		nulls[7] = bl[i].idle_in_xact_s < 0;
		v[8] = Float8GetDatum(bl[i].xact_s);
		nulls[8] = bl[i].xact_s < 0;
		v[9] = call_text_or_null(bl[i].query, &nulls[9]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
