/*-------------------------------------------------------------------------
 *
 * stepwise.c
 *	  CALL sm_migrate(): move a set to a target committing after every
 *	  migration, so a long run keeps what it finished and frees its locks as
 *	  it goes.
 *
 * Each transactional migration runs in its own transaction (and, inside
 * it, the executor's subtransaction with lock retries); a failure is logged
 * and committed before the error is raised, so the record survives it.
 *
 * A non-transactional migration ("-- transactional: false") runs statement
 * by statement in a background worker, as top-level statements, while this
 * backend holds no snapshot (a CREATE INDEX CONCURRENTLY would otherwise
 * wait for it forever).  Progress is committed after every statement in
 * sm_partial, so a failure or a crash leaves a partial state that blocks
 * other runs until it is resumed (the next sm_migrate) or resolved
 * (sm_resolve).
 *
 * The set's lock is session-level here: commits would release a
 * transaction-level one half-way.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"
#include "lint.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

typedef struct Stepper
{
	const char *schema;
	const MigrationSet *set;
	MemoryContext stmt_cxt;
	ExecResult	res;
} Stepper;

static const char *
op_name(PlanDirection dir)
{
	return dir == PLAN_UP ? "upgrade" : "downgrade";
}

/* One transactional migration, then commit; a failure is committed too. */
static void
run_transactional(Stepper *s, const PreparedStep *ps, PlanDirection dir)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	StepRecord	rec = {ps->mig, GetCurrentTimestamp(), 0};
	instr_time	start;
	int			fail_line = 0;

	INSTR_TIME_SET_CURRENT(start);
	PG_TRY();
	{
		exec_run_step(s->set, ps, dir, s->stmt_cxt, &fail_line);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/* the executor rolled its subtransaction back: ours is usable */
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		store_log_failure(s->schema, s->set, ps->mig, dir,
						  unpack_sql_state(edata->sqlerrcode), edata->message,
						  fail_line);
		SPI_commit();
		ReThrowError(edata);
	}
	PG_END_TRY();
	rec.duration_ms = exec_elapsed_ms(start);
	store_record_steps(s->schema, s->set, dir, op_name(dir), &rec, 1);
	SPI_commit();
}

static void
raise_partial(Stepper *s, const PreparedStep *ps, PlanDirection dir, int i,
			  const char *sqlstate, const char *message, const char *detail)
{
	const Migration *m = ps->mig;

	ereport(ERROR,
			(errcode(MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2],
								   sqlstate[3], sqlstate[4])),
			 errmsg("%s", message),
			 detail ? errdetail_internal("%s", detail) : 0,
			 errhint("Migration %s is now partially %s: %d of %d statements ran and stay. "
					 "Fix the cause and CALL sm_migrate() again to run the rest, or record the outcome with "
					 "SELECT sm_resolve('%s', 'applied') or sm_resolve('%s', 'not applied').",
					 m->revision, dir == PLAN_UP ? "applied" : "reverted", i,
					 ps->n_stmts, m->revision, m->revision),
			 errcontext("%s migration %s (set \"%s\", file %s, line %d) in a background worker",
						dir == PLAN_UP ? "applying" : "reverting", m->revision,
						s->set->name, ps->file, ps->stmts[i].line)));
}

/* Record a failed statement of a non-transactional migration, then raise. */
static void
fail_statement(Stepper *s, const PreparedStep *ps, PlanDirection dir, int i,
			   const char *sqlstate, const char *message, const char *detail)
{
	store_set_partial(s->schema, s->set, ps->mig, dir, i, ps->n_stmts, message);
	store_log_failure(s->schema, s->set, ps->mig, dir, sqlstate, message,
					  ps->stmts[i].line);
	SPI_commit();
	raise_partial(s, ps, dir, i, sqlstate, message, detail);
}

/*
 * A non-transactional migration, from statement `from` on: each statement
 * in a background worker, progress committed after each.
 */
static void
run_nontransactional(Stepper *s, const PreparedStep *ps, PlanDirection dir,
					 int from)
{
	const Migration *m = ps->mig;
	const char *search_path = exec_tenant_search_path(s->set);
	int			lock_timeout = m->lock_timeout_ms >= 0 ? m->lock_timeout_ms : sm_lock_timeout;
	StepRecord	rec = {m, GetCurrentTimestamp(), 0};
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	store_set_partial(s->schema, s->set, m, dir, from, ps->n_stmts, NULL);
	SPI_commit();
	for (int i = from; i < ps->n_stmts; i++)
	{
		char	   *sql = pnstrdup(ps->sql + ps->stmts[i].offset, ps->stmts[i].len);
		WorkerError err;
		char	   *invalid = NULL;

		if (!worker_run_statement(sql, search_path, lock_timeout,
								  m->statement_timeout_ms, &err))
			fail_statement(s, ps, dir, i, err.sqlstate, err.message, err.detail);
		if (ps->stmts[i].index_check &&
			!worker_index_is_valid(ps->stmts[i].index_check, &invalid))
			fail_statement(s, ps, dir, i, "55000",
						   psprintf("index \"%s\" was built but is invalid", invalid ? invalid : "?"),
						   "A failed concurrent index build leaves an invalid index behind; drop it before running the statement again.");
		store_set_partial(s->schema, s->set, m, dir, i + 1, ps->n_stmts, NULL);
		SPI_commit();
		pfree(sql);
	}
	rec.duration_ms = exec_elapsed_ms(start);
	store_clear_partial(s->schema, s->set);
	store_record_steps(s->schema, s->set, dir, op_name(dir), &rec, 1);
	SPI_commit();
}

/* A one-step plan for a single node. */
static MigPlan *
single_step(int node, PlanDirection dir)
{
	MigPlan    *p = palloc0(sizeof(MigPlan));

	p->direction = dir;
	p->n_steps = 1;
	p->steps = palloc(sizeof(int));
	p->steps[0] = node;
	return p;
}

/* A migration left half-way by an earlier run: finish it first. */
static void
resume_partial(Stepper *s, const PartialRev *p)
{
	PreparedStep *ps;

	if (p->node < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("partially applied migration %s of set \"%s\" has no migration file",
						p->revision, s->set->name),
				 errhint("Restore the file, or record the outcome with sm_resolve().")));
	ps = exec_prepare_plan(s->set, single_step(p->node, p->direction), false);
	if (ps->n_stmts != p->total)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("partially applied migration %s of set \"%s\" now has %d statements, not %d",
						p->revision, s->set->name, ps->n_stmts, p->total),
				 errdetail("Its file changed after it stopped half-way, so the statements still to run are unknown."),
				 errhint("Finish it by hand and record the outcome with sm_resolve().")));
	ereport(NOTICE,
			(errmsg("resuming migration %s \"%s\" at statement %d of %d",
					ps->mig->revision, ps->mig->message, p->done + 1, p->total)));
	run_nontransactional(s, ps, p->direction, p->done);
	s->res.n_done++;
}

static SetState *
read_state(Stepper *s)
{
	SetState   *st;

	/* a migration left half-way is resumed here, not refused */
	st = store_read_state(s->schema, s->set);
	exec_check_orphans(s->set, st, true);
	exec_check_drift(s->set, st);
	return st;
}

static char *
migrate_locked(Stepper *s, const char *target)
{
	SetState   *st = read_state(s);
	MigPlan    *plan;
	PreparedStep *steps;
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	if (st->partial)
	{
		resume_partial(s, st->partial);
		st = read_state(s);
	}
	plan = exec_make_plan(s->set, st->applied, PLAN_AUTO, target);
	exec_check_out_of_order(s->set, st, plan);
	steps = exec_prepare_plan(s->set, plan, false);
	safety_gate(s->schema, s->set, plan);
	for (int i = 0; i < plan->n_steps; i++)
	{
		const Migration *m = steps[i].mig;

		ereport(NOTICE,
				(errmsg("%s %s \"%s\" (%d/%d)%s",
						plan->direction == PLAN_UP ? "applying" : "reverting",
						m->revision, m->message, i + 1, plan->n_steps,
						m->transactional ? "" : ", outside a transaction")));
		if (m->transactional)
			run_transactional(s, &steps[i], plan->direction);
		else
			run_nontransactional(s, &steps[i], plan->direction, 0);
		st->applied[plan->steps[i]] = plan->direction == PLAN_UP;
		s->res.n_done++;
	}
	if (plan->direction == PLAN_UP)
	{
		s->res.n_repeatable = exec_repeatable(s->schema, s->set, false);
		SPI_commit();
	}
	s->res.elapsed_ms = exec_elapsed_ms(start);
	if (s->res.n_done == 0 && s->res.n_repeatable == 0)
		return exec_current_text(s->set->graph, st->applied);
	return exec_report_done(s->set, st, plan->direction, &s->res);
}

/*
 * The body of CALL sm_migrate(); the caller is SPI-connected non-atomically.
 */
char *
stepwise_migrate(const char *schema, const MigrationSet *set,
				 const char *target)
{
	Stepper		s = {schema, set, NULL, {0, 0, 0}};
	char	   *now;

	if (XactIsoLevel >= XACT_REPEATABLE_READ)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("sm_migrate() needs READ COMMITTED transactions"),
				 errhint("Reset default_transaction_isolation for this session.")));
	s.stmt_cxt = AllocSetContextCreate(CurrentMemoryContext,
									   "schema_migrate statement",
									   ALLOCSET_DEFAULT_SIZES);
	exec_check_can_migrate("sm_migrate");
	store_lock_set(set, true);
	exec_running = true;
	PG_TRY();
	{
		now = migrate_locked(&s, target);
	}
	PG_CATCH();
	{
		exec_running = false;
		store_unlock_set(set);
		PG_RE_THROW();
	}
	PG_END_TRY();
	exec_running = false;
	store_unlock_set(set);
	return now;
}
