/*-------------------------------------------------------------------------
 *
 * safety.c
 *	  The schema_migrate.safety gate where a plan is about to run, and the
 *	  SQL functions sm_lint() and sm_blockers() over the lint (lint.c).
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

PG_FUNCTION_INFO_V1(sm_lint);
PG_FUNCTION_INFO_V1(sm_blockers);

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

static bool
big_enough(int64 bytes)
{
	return bytes >= 0 && bytes >= sm_safety_min_bytes;
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
	res = lint_plan(set, plan);
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
		if (big_enough(blockers[i].lock->bytes))
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

/* ---------- SQL functions ---------- */

static LintResult *
lint_for_call(FunctionCallInfo fcinfo)
{
	char	   *target;
	char	   *set_name = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	const char *schema = quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
	MigrationSet *set;
	SetState   *st;
	MigPlan    *plan;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be null")));
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	set = set_load(set_name);
	st = store_read_state(schema, set);
	plan = exec_make_plan(set, st->applied, PLAN_UP, target);
	return lint_plan(set, plan);
}

static Datum
nullable_text(const char *s, bool *isnull)
{
	*isnull = s == NULL;
	return s ? CStringGetTextDatum(s) : (Datum) 0;
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
		v[6] = nullable_text(f->relation, &nulls[6]);
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
		v[5] = CStringGetTextDatum(big_enough(bl[i].lock->bytes) ? "error" : "warning");
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
		v[6] = nullable_text(bl[i].state, &nulls[6]);
		v[7] = Float8GetDatum(bl[i].idle_in_xact_s);
		nulls[7] = bl[i].idle_in_xact_s < 0;
		v[8] = Float8GetDatum(bl[i].xact_s);
		nulls[8] = bl[i].xact_s < 0;
		v[9] = nullable_text(bl[i].query, &nulls[9]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
