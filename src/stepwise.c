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

#include "executor/spi.h"
#include "utils/builtins.h"
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
			  int line, int sqlerrcode, const char *message,
			  const char *detail)
{
	const Migration *m = ps->mig;

	ereport(ERROR,
			(errcode(sqlerrcode),
			 errmsg("%s", message),
			 detail ? errdetail_internal("%s", detail) : 0,
			 errhint("Migration %s is now partially %s: %d of %d statements ran and stay. %s",
					 m->revision, dir == PLAN_UP ? "applied" : "reverted", i,
					 ps->n_stmts, ops_hint_partial(s->set, m->revision, dir, true)),
			 errcontext("%s migration %s (set \"%s\", file %s, line %d)%s",
						dir == PLAN_UP ? "applying" : "reverting", m->revision,
						s->set->name, ps->file, line,
						i < ps->n_stmts && ps->stmts[i].txn == 'B' ? "" :
						" in a background worker")));
}

/* Record a failed statement of a non-transactional migration, then raise. */
static void
fail_statement(Stepper *s, const PreparedStep *ps, PlanDirection dir, int i,
			   int sqlerrcode, const char *message, const char *detail)
{
	store_set_partial(s->schema, s->set, ps->mig, dir, i, ps->n_stmts, message);
	store_log_failure(s->schema, s->set, ps->mig, dir,
					  unpack_sql_state(sqlerrcode), message, ps->stmts[i].line);
	SPI_commit();
	raise_partial(s, ps, dir, i, ps->stmts[i].line, sqlerrcode, message, detail);
}

/*
 * A file's own BEGIN ... COMMIT (or ROLLBACK) block, statements b .. e:
 * its statements run here as one transaction, as the executor runs a
 * transactional migration, and the progress past the block commits with
 * it.  A failure rolls the whole block back: the partial state stops at
 * its BEGIN.  Returns e.
 */
/* The COMMIT or ROLLBACK closing the block opened at b (checked when prepared). */
static pg_noinline int
block_end(const PreparedStep *ps, int b)
{
	int			e = b + 1;

	while (e < ps->n_stmts && ps->stmts[e].txn == 0)
		e++;
	return e;
}

static int
run_block(Stepper *s, const PreparedStep *ps, PlanDirection dir, int b)
{
	PreparedStep block = *ps;
	MemoryContext oldcxt = CurrentMemoryContext;
	const int	e = block_end(ps, b);
	int			fail_line = 0;

	block.verify = NULL;
	block.stmts = ps->stmts + b + 1;
	block.n_stmts = e - b - 1;
	PG_TRY();
	{
		exec_run_step(s->set, &block, dir, s->stmt_cxt, &fail_line);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		store_set_partial(s->schema, s->set, ps->mig, dir, b, ps->n_stmts,
						  edata->message);
		store_log_failure(s->schema, s->set, ps->mig, dir,
						  unpack_sql_state(edata->sqlerrcode), edata->message,
						  fail_line);
		SPI_commit();
		raise_partial(s, ps, dir, b, fail_line ? fail_line : ps->stmts[b].line,
					  edata->sqlerrcode, edata->message, edata->detail);
	}
	PG_END_TRY();
	if (ps->stmts[e].txn == 'R')
		SPI_rollback();
	store_set_partial(s->schema, s->set, ps->mig, dir, e + 1, ps->n_stmts, NULL);
	SPI_commit();
	return e;
}

/*
 * The verify script of a top-level step, after its last statement, in a
 * transaction of its own; a failure leaves the step partial with every
 * statement run, so the next sm_migrate verifies again.
 */
static void
run_verify_toplevel(Stepper *s, const PreparedStep *ps, PlanDirection dir)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	int			fail_line = 0;

	PG_TRY();
	{
		exec_run_step(s->set, ps->verify, dir, s->stmt_cxt, &fail_line);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		store_set_partial(s->schema, s->set, ps->mig, dir, ps->n_stmts,
						  ps->n_stmts, edata->message);
		store_log_failure(s->schema, s->set, ps->mig, dir,
						  unpack_sql_state(edata->sqlerrcode), edata->message,
						  fail_line);
		SPI_commit();
		ReThrowError(edata);
	}
	PG_END_TRY();
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
		char	   *sql;
		WorkerError err;
		char	   *message,
				   *detail,
				   *hint;

		if (ps->stmts[i].txn == 'B')
		{
			i = run_block(s, ps, dir, i);
			continue;
		}
		if (ps->stmts[i].txn)
			continue;			/* COMMIT with no block open: psql only warns */
		sql = pnstrdup(ps->sql + ps->stmts[i].offset, ps->stmts[i].len);

		if (!worker_run_statement(sql, search_path, lock_timeout,
								  m->statement_timeout_ms, &err))
			fail_statement(s, ps, dir, i, worker_sqlerrcode(&err), err.message,
						   err.detail);
		if (ps->stmts[i].index_check &&
			!index_check_valid(ps->stmts[i].index_check, &message, &detail, &hint))
			fail_statement(s, ps, dir, i, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
						   message, psprintf("%s %s", detail, hint));
		store_set_partial(s->schema, s->set, m, dir, i + 1, ps->n_stmts, NULL);
		SPI_commit();
		pfree(sql);
	}
	if (ps->verify)
		run_verify_toplevel(s, ps, dir);
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
				 errhint("Restore the file, or record the outcome with SELECT %s or %s.",
						 ops_call(s->set, "sm_resolve", psprintf("%s, 'applied'", quote_literal_cstr(p->revision)), NULL),
						 ops_call(s->set, "sm_resolve", psprintf("%s, 'not applied'", quote_literal_cstr(p->revision)), NULL))));
	ps = stmt_prepare_plan(s->set, single_step(p->node, p->direction), false);
	if (ps->n_stmts != p->total)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("partially applied migration %s of set \"%s\" now has %d statements, not %d",
						p->revision, s->set->name, ps->n_stmts, p->total),
				 errdetail("Its file changed after it stopped half-way, so the statements still to run are unknown."),
				 errhint("Finish it by hand and record the outcome with SELECT %s or %s.",
						 ops_call(s->set, "sm_resolve", psprintf("%s, 'applied'", quote_literal_cstr(p->revision)), NULL),
						 ops_call(s->set, "sm_resolve", psprintf("%s, 'not applied'", quote_literal_cstr(p->revision)), NULL))));
	ereport(NOTICE,
			(errmsg("resuming migration %s \"%s\" at statement %d of %d",
					ps->mig->revision, ps->mig->message, p->done + 1, p->total)));
	run_nontransactional(s, ps, p->direction, p->done);
	s->res.n_done++;
}

/* a migration left half-way is resumed here, not refused */
static SetState *
read_state(Stepper *s)
{
	return ops_read_state(s->schema, s->set, true);
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
	plan = ops_make_plan(s->set, st->applied, PLAN_AUTO, target);
	ops_check_out_of_order(s->set, st, plan);
	steps = stmt_prepare_plan(s->set, plan, false);
	safety_gate(s->schema, s->set, plan);
	for (int i = 0; i < plan->n_steps; i++)
	{
		const Migration *m = steps[i].mig;

		ereport(NOTICE,
				(errmsg("%s %s \"%s\" (%d/%d)%s",
						plan->direction == PLAN_UP ? "applying" : "reverting",
						m->revision, m->message, i + 1, plan->n_steps,
						!steps[i].toplevel ? "" :
						m->transactional ? ", statement by statement (the file has its own BEGIN and COMMIT)" :
						", outside a transaction")));
		if (!steps[i].toplevel)
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
		return ops_current_text(s->set->graph, st->applied);
	return ops_report_done(s->set, st, plan->direction, &s->res);
}

typedef struct StepwiseRun
{
	Stepper    *s;
	const char *target;
	char	   *now;
} StepwiseRun;

static void
migrate_locked_cb(void *arg)
{
	StepwiseRun *r = (StepwiseRun *) arg;

	r->now = migrate_locked(r->s, r->target);
}

/*
 * The body of CALL sm_migrate(); the caller is SPI-connected non-atomically.
 */
char *
stepwise_migrate(const char *schema, const MigrationSet *set,
				 const char *target)
{
	Stepper		s = {schema, set, NULL, {0, 0, 0}};
	StepwiseRun r = {&s, target, NULL};

	exec_check_isolation("sm_migrate");
	s.stmt_cxt = AllocSetContextCreate(CurrentMemoryContext,
									   "schema_migrate statement",
									   ALLOCSET_DEFAULT_SIZES);
	/* before the lock: a standby cannot take it, and must say why */
	exec_check_can_migrate("sm_migrate");
	store_lock_set(set, true);
	PG_TRY();
	{
		exec_as_migration("sm_migrate", migrate_locked_cb, &r);
	}
	PG_FINALLY();
	{
		store_unlock_set(set);
	}
	PG_END_TRY();
	return r.now;
}
