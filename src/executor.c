/*-------------------------------------------------------------------------
 *
 * executor.c
 *	  Run prepared migrations through SPI: each in a subtransaction with
 *	  its lock_timeout and statement_timeout, retried after a lock timeout
 *	  or deadlock, statement by statement and one-shot (no saved plans:
 *	  those make every later DDL statement pay for invalidations); the
 *	  repeatable migrations after them; the guards every run passes.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

/* True while a plan runs: a migration must not start another one. */
bool		exec_running = false;

/* Refuse to change anything on a standby, or from inside a migration. */
void
exec_check_can_migrate(const char *fname)
{
	/* a standby replays the primary's migrations; it cannot run its own */
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("%s cannot run on a standby server", fname),
				 errdetail("This server is in recovery: it receives the primary's migrations through replication."),
				 errhint("Run it on the primary, then wait for the standby to replay it; sm_check() and sm_current() work here.")));
	if (exec_running)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s cannot be called from inside a migration", fname),
				 errhint("A migration's SQL must not run schema_migrate's functions that change the database.")));
}

/*
 * A migration runs with the caller's snapshot rules: under REPEATABLE READ
 * or SERIALIZABLE, a caller that waited for the set's lock could not see
 * what the previous holder committed, and would apply it again.
 */
void
exec_check_isolation(const char *fname)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s cannot migrate in a %s transaction", fname,
						IsolationIsSerializable() ? "SERIALIZABLE" : "REPEATABLE READ"),
				 errdetail("Its snapshot could not see migrations committed by a concurrent caller while it waited for the set's lock."),
				 errhint("Run it in a READ COMMITTED transaction: SET default_transaction_isolation = 'read committed'.")));
}

/*
 * Run fn(arg) as a migration: refused on a standby or inside another
 * migration, and exec_running set while it runs, cleared however it ends.
 */
void
exec_as_migration(const char *fname, void (*fn) (void *arg), void *arg)
{
	exec_check_can_migrate(fname);
	exec_running = true;
	PG_TRY();
	{
		fn(arg);
	}
	PG_FINALLY();
	{
		exec_running = false;
	}
	PG_END_TRY();
}

/* ---------- running ---------- */

static void
run_statements(const MigrationSet *set, const PreparedStep *ps,
			   PlanDirection dir, MemoryContext stmt_cxt, LockWait *wait)
{
	ExecPlace	place = {set, ps, dir, NULL, ps->first_line, wait, -1};
	ErrorContextCallback cb = {error_context_stack, stmt_error_callback, &place};

	error_context_stack = &cb;
	for (int i = 0; i < ps->n_stmts; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(stmt_cxt);
		char	   *sql = pnstrdup(ps->sql + ps->stmts[i].offset, ps->stmts[i].len);
		int			rc;

		place.text = sql;
		place.line = ps->stmts[i].line;
		place.stmt = i;
		rc = SPI_execute(sql, false, 0);
		if (rc < 0)
			place.text = NULL;
		sm_spi_check(rc, "running a statement");
		SPI_freetuptable(SPI_tuptable);
		MemoryContextSwitchTo(old);
		MemoryContextReset(stmt_cxt);
		CHECK_FOR_INTERRUPTS();
	}
	error_context_stack = cb.previous;
}

static void
set_timeout(const char *name, int ms)
{
	(void) set_config_option(name, psprintf("%d", ms), PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
}

static bool
is_lock_failure(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE ||
		sqlerrcode == ERRCODE_T_R_DEADLOCK_DETECTED;
}

/* Sleep before a retry: exponential backoff with jitter, interruptible. */
static void
backoff(int attempt)
{
	int			ms = Min(100 << Min(attempt, 6), 5000) + (int) (random() % 100);

	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 ms, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/* The table a DDL statement works on, as written, or NULL. */
static RangeVar *
target_relation(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_AlterTableStmt:
			return ((AlterTableStmt *) stmt)->relation;
		case T_IndexStmt:
			return ((IndexStmt *) stmt)->relation;
		case T_RenameStmt:
			return ((RenameStmt *) stmt)->relation;
		case T_CreateTrigStmt:
			return ((CreateTrigStmt *) stmt)->relation;
		case T_RuleStmt:
			return ((RuleStmt *) stmt)->relation;
		case T_LockStmt:
			return linitial_node(RangeVar, ((LockStmt *) stmt)->relations);
		case T_TruncateStmt:
			return linitial_node(RangeVar, ((TruncateStmt *) stmt)->relations);
		case T_DropStmt:
			{
				DropStmt   *d = (DropStmt *) stmt;

				if (d->removeType == OBJECT_TABLE || d->removeType == OBJECT_VIEW ||
					d->removeType == OBJECT_INDEX || d->removeType == OBJECT_MATVIEW)
					return makeRangeVarFromNameList(linitial_node(List, d->objects));
				return NULL;
			}
		default:
			return NULL;
	}
}

/*
 * A lock timeout does not say which lock it was (PostgreSQL forgets the
 * wait before raising it), so name the table the failing statement works
 * on and the sessions that hold locks on it now.
 */
static char *
describe_lock(const PreparedStep *ps, const LockWait *wait, char **holders)
{
	StringInfoData buf;
	List	   *stmts;
	RangeVar   *rv;
	char	   *sql;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];

	*holders = NULL;
	if (wait->stmt < 0)
		return pstrdup("a lock");
	sql = pnstrdup(ps->sql + ps->stmts[wait->stmt].offset, ps->stmts[wait->stmt].len);
	stmts = sm_raw_parser(sql);
	rv = stmts ? target_relation(linitial_node(RawStmt, stmts)->stmt) : NULL;
	if (rv == NULL)
		return psprintf("a lock for the statement at line %d", ps->stmts[wait->stmt].line);
	initStringInfo(&buf);
	appendStringInfo(&buf, "a lock on relation \"%s\"", quote_qualified_identifier(rv->schemaname, rv->relname));
	values[0] = CStringGetTextDatum(quote_qualified_identifier(rv->schemaname, rv->relname));
	if (SPI_execute_with_args("SELECT pg_catalog.string_agg(l.pid::pg_catalog.text || ' (' || l.mode || ')', ', ')"
							  " FROM pg_catalog.pg_locks l"
							  " WHERE l.granted AND l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()"
							  " AND l.relation OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)",
							  1, types, values, NULL, true, 1) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		*holders = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	}
	return buf.data;
}

static void
raise_lock_failure(const MigrationSet *set, const PreparedStep *ps,
				   PlanDirection dir, ErrorData *edata, const LockWait *wait,
				   int attempts, int lock_timeout)
{
	const Migration *m = ps->mig;
	char	   *holders;
	char	   *what = describe_lock(ps, wait, &holders);

	ereport(ERROR,
			(errcode(edata->sqlerrcode),
			 errmsg("migration %s could not get %s after %d attempt%s",
					m->revision, what, attempts, attempts == 1 ? "" : "s"),
			 errdetail("%s%sEach attempt waited lock_timeout (%d ms) and was rolled back: %s.",
					   holders ? psprintf("Locks on it are held by pid %s", holders) : "",
					   holders ? ". " : "", lock_timeout, edata->message),
			 errhint("Find the blocking session with pg_blocking_pids() and let it finish, or raise schema_migrate.lock_timeout or schema_migrate.lock_retries."),
			 errcontext("%s migration %s (set \"%s\", file %s, line %d)",
						dir == PLAN_UP ? "applying" : "reverting",
						m->revision, set->name, ps->file,
						wait->fail_line)));
}

/*
 * A verify script (sqitch) checks what the step did; whatever it does
 * itself is rolled back, and an error fails the step.
 */
static void
run_verify(const MigrationSet *set, const PreparedStep *v,
		   MemoryContext stmt_cxt, LockWait *wait)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		run_statements(set, v, PLAN_UP, stmt_cxt, wait);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		PG_RE_THROW();
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(oldcxt);
	CurrentResourceOwner = oldowner;
}

/* A tenant's schema first, then the caller's search_path. */
char *
exec_tenant_search_path(const MigrationSet *set)
{
	const char *path = GetConfigOption("search_path", false, false);

	if (set->tenant == NULL)
		return pstrdup(path);
	return psprintf("%s%s%s", quote_identifier(set->tenant),
					path && path[0] ? ", " : "", path ? path : "");
}

/*
 * PostgreSQL arms statement_timeout once per top-level statement, so a
 * migration's own limit is armed here by hand, never later than the
 * caller's, and the caller's is put back afterwards.
 */
typedef struct SavedTimeout
{
	bool		armed;
	bool		was_active;
	TimestampTz was_fin;
} SavedTimeout;

static SavedTimeout
arm_statement_timeout(int ms)
{
	SavedTimeout saved = {false, false, 0};
	TimestampTz fin;

	if (ms <= 0)
		return saved;
	saved.armed = true;
	saved.was_active = get_timeout_active(STATEMENT_TIMEOUT);
	if (saved.was_active)
		saved.was_fin = get_timeout_finish_time(STATEMENT_TIMEOUT);
	fin = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);
	if (!saved.was_active || fin < saved.was_fin)
		enable_timeout_at(STATEMENT_TIMEOUT, fin);
	return saved;
}

static void
restore_statement_timeout(const SavedTimeout *saved)
{
	if (!saved->armed)
		return;
	if (saved->was_active)
		enable_timeout_at(STATEMENT_TIMEOUT, saved->was_fin);
	else
		disable_timeout(STATEMENT_TIMEOUT, false);
}

/*
 * Run one migration in a subtransaction of its own, with its lock_timeout
 * and statement_timeout.  A lock timeout or deadlock rolls the migration
 * back to its start and retries it after a pause; any other error, or the
 * last failed retry, is raised with nothing of the migration left.
 */
void
exec_run_step(const MigrationSet *set, const PreparedStep *ps,
			  PlanDirection dir, MemoryContext stmt_cxt, int *fail_line)
{
	const Migration *m = ps->mig;
	int			guc_level = NewGUCNestLevel();
	int			lock_timeout = m->lock_timeout_ms >= 0 ? m->lock_timeout_ms : sm_lock_timeout;
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	bool		done = false;

	/*
	 * The migration starts from the caller's settings, and what it SETs
	 * does not leak into the next migration or back to the caller: the GUC
	 * nest level is undone when it is done.
	 */
	set_timeout("lock_timeout", lock_timeout);
	if (set->tenant)
		(void) set_config_option("search_path", exec_tenant_search_path(set),
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);

	for (int attempt = 1; !done; attempt++)
	{
		LockWait	wait = {-1, 0};
		SavedTimeout saved_timeout = arm_statement_timeout(m->statement_timeout_ms);

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(oldcxt);
		PG_TRY();
		{
			run_statements(set, ps, dir, stmt_cxt, &wait);
			if (ps->verify)
				run_verify(set, ps->verify, stmt_cxt, &wait);
			restore_statement_timeout(&saved_timeout);
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcxt);
			CurrentResourceOwner = oldowner;
			done = true;
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(oldcxt);
			edata = CopyErrorData();
			FlushErrorState();
			restore_statement_timeout(&saved_timeout);
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcxt);
			CurrentResourceOwner = oldowner;
			MemoryContextReset(stmt_cxt);

			if (fail_line)
				*fail_line = wait.fail_line;
			if (!is_lock_failure(edata->sqlerrcode))
			{
				AtEOXact_GUC(false, guc_level);
				ReThrowError(edata);
			}
			if (attempt > sm_lock_retries)
			{
				AtEOXact_GUC(false, guc_level);
				raise_lock_failure(set, ps, dir, edata, &wait, attempt, lock_timeout);
			}
			{
				char	   *holders;
				char	   *what = describe_lock(ps, &wait, &holders);

				ereport(NOTICE,
						(errmsg("migration %s waited longer than lock_timeout for %s%s%s; retrying (%d of %d)",
								m->revision, what, holders ? " held by pid " : "",
								holders ? holders : "", attempt, sm_lock_retries)));
			}
			backoff(attempt);
		}
		PG_END_TRY();
	}
	AtEOXact_GUC(false, guc_level);
}

double
exec_elapsed_ms(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_MILLISEC(now);
}

/* A step whose failure is recorded in sm_log before it is raised. */
static void
run_step_logged(const char *schema, const MigrationSet *set,
				const PreparedStep *ps, PlanDirection dir, MemoryContext stmt_cxt)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	int			fail_line = 0;

	PG_TRY();
	{
		exec_run_step(set, ps, dir, stmt_cxt, &fail_line);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/* the step's subtransaction is rolled back: the transaction is usable */
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		if (edata->sqlerrcode != ERRCODE_QUERY_CANCELED &&
			edata->sqlerrcode != ERRCODE_ADMIN_SHUTDOWN)
			store_log_failure_autonomous(schema, set, ps->mig, dir,
										 unpack_sql_state(edata->sqlerrcode),
										 edata->message, fail_line);

		/*
		 * One transaction holds a lock on every table each migration
		 * touched until it ends; a big set can fill the lock table.
		 */
		if (edata->sqlerrcode == ERRCODE_OUT_OF_MEMORY && edata->hint &&
			strstr(edata->hint, "max_locks_per_transaction"))
			edata->hint = psprintf("%s Or migrate step-wise with CALL sm_migrate(), which commits after every migration and so releases its locks.",
								   edata->hint);
		ReThrowError(edata);
	}
	PG_END_TRY();
}

/*
 * Repeatable migrations whose checksum changed since they last ran (or
 * that never ran), in run order: count them (dry_run), or run each in its
 * subtransaction and log it.  The caller holds the set's lock.
 */
int
exec_repeatable(const char *schema, const MigrationSet *set, bool dry_run)
{
	char	  **sums;
	int			n = 0;
	MemoryContext stmt_cxt;

	if (!sm_run_repeatable || set->n_repeatable == 0)
		return 0;
	sums = store_repeatable_checksums(schema, set);
	stmt_cxt = AllocSetContextCreate(CurrentMemoryContext,
									 "schema_migrate statement",
									 ALLOCSET_DEFAULT_SIZES);
	for (int i = 0; i < set->n_repeatable; i++)
	{
		const Migration *m = set->repeatable[i];
		PreparedStep ps = {0};
		StepRecord	rec = {m, 0, 0};
		instr_time	start;

		if (sums[i] && strcmp(sums[i], m->checksum) == 0)
			continue;
		n++;
		if (dry_run)
			continue;
		stmt_prepare_migration(set, m, PLAN_UP, true, &ps);
		ereport(NOTICE,
				(errmsg("running repeatable migration %s \"%s\"%s", m->revision,
						m->message, sums[i] ? " (changed)" : "")));
		INSTR_TIME_SET_CURRENT(start);
		rec.started_at = GetCurrentTimestamp();
		exec_run_step(set, &ps, PLAN_UP, stmt_cxt, NULL);
		rec.duration_ms = exec_elapsed_ms(start);
		store_log_steps(schema, set, PLAN_UP, "repeatable", &rec, 1);
	}
	MemoryContextDelete(stmt_cxt);
	return n;
}

static void
run_plan(const char *schema, const MigrationSet *set, const MigPlan *plan,
		 bool repeatables, ExecResult *res)
{
	PreparedStep *steps = stmt_prepare_plan(set, plan, true);
	StepRecord *records = palloc0(sizeof(StepRecord) * (plan->n_steps + 1));
	MemoryContext stmt_cxt = AllocSetContextCreate(CurrentMemoryContext,
												   "schema_migrate statement",
												   ALLOCSET_DEFAULT_SIZES);
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	for (int i = 0; i < plan->n_steps; i++)
	{
		const Migration *m = steps[i].mig;
		instr_time	step_start;

		ereport(NOTICE,
				(errmsg("%s %s \"%s\" (%d/%d)",
						plan->direction == PLAN_UP ? "applying" : "reverting",
						m->revision, m->message, i + 1, plan->n_steps)));
		INSTR_TIME_SET_CURRENT(step_start);
		records[i].mig = m;
		records[i].started_at = GetCurrentTimestamp();
		run_step_logged(schema, set, &steps[i], plan->direction, stmt_cxt);
		records[i].duration_ms = exec_elapsed_ms(step_start);
	}
	MemoryContextDelete(stmt_cxt);
	store_record_steps(schema, set, plan->direction,
					   plan->direction == PLAN_UP ? "upgrade" : "downgrade",
					   records, plan->n_steps);
	if (repeatables)
		res->n_repeatable = exec_repeatable(schema, set, false);
	res->n_done = plan->n_steps;
	res->elapsed_ms = exec_elapsed_ms(start);
}

typedef struct PlanRun
{
	const char *schema;
	const MigrationSet *set;
	const MigPlan *plan;
	bool		repeatables;
	ExecResult	res;
} PlanRun;

static void
run_plan_cb(void *arg)
{
	PlanRun    *r = (PlanRun *) arg;

	run_plan(r->schema, r->set, r->plan, r->repeatables, &r->res);
}

/*
 * Run the plan in the caller's transaction; the caller holds the set's
 * lock and is SPI-connected.  Any error aborts the whole plan with the
 * caller's transaction.
 */
ExecResult
exec_plan(const char *schema, const MigrationSet *set, const MigPlan *plan,
		  bool repeatables)
{
	PlanRun		r = {schema, set, plan, repeatables, {0, 0, 0}};

	exec_as_migration("schema_migrate", run_plan_cb, &r);
	return r.res;
}

/*
 * Run fn(arg) in a subtransaction of its own.  Returns NULL when it
 * succeeded (its work is kept), or its error, copied, after rolling the
 * subtransaction back: for callers that report a failure and go on.
 */
ErrorData *
exec_in_subtransaction(void (*fn) (void *arg), void *arg)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	CurrentResourceOwner = oldowner;
	return edata;
}
