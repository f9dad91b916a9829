/*-------------------------------------------------------------------------
 *
 * executor.c
 *	  Run a plan: each migration's SQL, statement by statement, through SPI.
 *
 * Every step is split into statements with PostgreSQL's own raw parser
 * before anything runs, so a syntax error, a transaction-control statement
 * or a statement that cannot run inside a transaction stops the whole plan
 * with nothing executed.  Statements then run one-shot (no saved plans:
 * those make every later DDL statement pay for invalidations), and an
 * error context names the set, the file and the line.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "portability/instr_time.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "catalog/namespace.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/timeout.h"
#include "utils/wait_event.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/* The lock a statement was waiting for when it timed out. */
typedef struct LockWait
{
	int			stmt;			/* index of the failing statement, or -1 */
	int			fail_line;		/* line of any error */
} LockWait;

/* What the error context callback needs to name the place. */
typedef struct ExecPlace
{
	const MigrationSet *set;
	const PreparedStep *step;
	PlanDirection dir;
	const char *text;			/* text positions are relative to */
	int			line;			/* file line where text starts */
	LockWait   *wait;			/* where to note which statement failed */
	int			stmt;			/* index of the running statement */
} ExecPlace;

/* True while a plan runs: a migration must not start another one. */
bool		exec_running = false;

/* sm_migrate resumes a partial migration instead of refusing to start. */
bool		exec_partial_allowed = false;

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

/* ---------- positions and lines ---------- */

static int
lines_before(const char *text, int nbytes)
{
	int			n = 0;

	for (int i = 0; i < nbytes && text[i]; i++)
		n += text[i] == '\n';
	return n;
}

/* Byte offset of the 1-based character position pos in text. */
static int
char_to_byte(const char *text, int pos)
{
	int			off = 0;

	for (int c = 1; c < pos && text[off]; c++)
		off += pg_mblen(text + off);
	return off;
}

/* Skip blanks and comments, so a statement's line is that of its first word. */
static int
skip_noise(const char *s, int off, int end)
{
	while (off < end)
	{
		if (isspace((unsigned char) s[off]))
			off++;
		else if (s[off] == '-' && off + 1 < end && s[off + 1] == '-')
		{
			while (off < end && s[off] != '\n')
				off++;
		}
		else if (s[off] == '/' && off + 1 < end && s[off + 1] == '*')
		{
			int			depth = 1;

			off += 2;
			while (off < end && depth > 0)
			{
				if (s[off] == '/' && off + 1 < end && s[off + 1] == '*')
					depth++, off++;
				else if (s[off] == '*' && off + 1 < end && s[off + 1] == '/')
					depth--, off++;
				off++;
			}
		}
		else
			break;
	}
	return off;
}

static void
exec_error_callback(void *arg)
{
	ExecPlace  *place = (ExecPlace *) arg;
	const Migration *m = place->step->mig;
	int			line = place->line;
	int			pos = geterrposition();

	/* a syntax error from our own raw_parser: keep it off the outer query */
	if (pos > 0)
		errposition(0);
	else
		pos = getinternalerrposition();
	if (pos > 0 && place->text)
	{
		int			off = char_to_byte(place->text, pos);

		line += lines_before(place->text, off);
		if (geterrcode() == ERRCODE_SYNTAX_ERROR && place->text[off] == '\\')
			errhint("Migration files are plain SQL: psql meta-commands such as \\i and \\set are not available.");
	}

	if (place->wait)
	{
		place->wait->fail_line = line;
		place->wait->stmt = place->stmt;
	}

	errcontext("%s migration %s (set \"%s\", file %s, line %d)",
			   place->dir == PLAN_UP ? "applying" : "reverting",
			   m->revision, place->set->name, place->step->file, line);
}

/* ---------- preparing: split and check before anything runs ---------- */

static bool
is_txn_stmt(Node *n, TransactionStmtKind kind)
{
	return IsA(n, TransactionStmt) && ((TransactionStmt *) n)->kind == kind;
}

/* Statements PostgreSQL refuses inside a transaction block or a function. */
static const char *
non_transactional(Node *n)
{
	switch (nodeTag(n))
	{
		case T_IndexStmt:
			return ((IndexStmt *) n)->concurrent ? "CREATE INDEX CONCURRENTLY" : NULL;
		case T_DropStmt:
			return ((DropStmt *) n)->concurrent ? "DROP INDEX CONCURRENTLY" : NULL;
		case T_ReindexStmt:
			{
				ListCell   *lc;

				foreach(lc, ((ReindexStmt *) n)->params)
					if (strcmp(((DefElem *) lfirst(lc))->defname, "concurrently") == 0)
						return "REINDEX CONCURRENTLY";
				return NULL;
			}
		case T_VacuumStmt:
			return ((VacuumStmt *) n)->is_vacuumcmd ? "VACUUM" : NULL;
		case T_CreatedbStmt:
			return "CREATE DATABASE";
		case T_DropdbStmt:
			return "DROP DATABASE";
		case T_AlterSystemStmt:
			return "ALTER SYSTEM";
		case T_CreateTableSpaceStmt:
			return "CREATE TABLESPACE";
		case T_DropTableSpaceStmt:
			return "DROP TABLESPACE";
		default:
			return NULL;
	}
}

static void
refuse_statement(ExecPlace *place, int line, const char *errmsg_text,
				 const char *hint)
{
	place->text = NULL;
	place->line = line;
	ereport(ERROR,
			(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
			 errmsg("%s", errmsg_text),
			 errdetail("Nothing was run."),
			 errhint("%s", hint)));
}

/*
 * Split one section into statements.  A BEGIN first and a COMMIT last
 * around the whole body are the transaction schema_migrate provides
 * already, so they are dropped; any other transaction control is refused.
 */
static void
split_statements(const MigrationSet *set, PreparedStep *ps, PlanDirection dir,
				 bool verify)
{
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext,
											  "schema_migrate parse",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(tmp);
	ExecPlace	place = {set, ps, dir, ps->sql, ps->first_line, NULL, -1};
	ErrorContextCallback cb = {error_context_stack, exec_error_callback, &place};
	List	   *stmts;
	ListCell   *lc;
	int			n = 0,
				first,
				last;
	int			sqllen = strlen(ps->sql);

	error_context_stack = &cb;
#if PG_VERSION_NUM >= 140000
	stmts = raw_parser(ps->sql, RAW_PARSE_DEFAULT);
#else
	stmts = raw_parser(ps->sql);
#endif
	MemoryContextSwitchTo(old);
	ps->stmts = palloc0(sizeof(StmtSpan) * (list_length(stmts) + 1));

	first = 0;
	last = list_length(stmts) - 1;
	if (last >= 1 &&
		(is_txn_stmt(((RawStmt *) linitial(stmts))->stmt, TRANS_STMT_BEGIN) ||
		 is_txn_stmt(((RawStmt *) linitial(stmts))->stmt, TRANS_STMT_START)) &&
		(is_txn_stmt(((RawStmt *) llast(stmts))->stmt, TRANS_STMT_COMMIT) ||
		 (verify && is_txn_stmt(((RawStmt *) llast(stmts))->stmt, TRANS_STMT_ROLLBACK))))
	{
		first++;
		last--;
	}
	foreach(lc, stmts)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		int			idx = foreach_current_index(lc);
		int			off = rs->stmt_location;
		int			len = rs->stmt_len ? rs->stmt_len : sqllen - off;
		int			start = skip_noise(ps->sql, off, off + len);
		int			line = ps->first_line + lines_before(ps->sql, start);
		const char *what;

		if (idx < first || idx > last)
			continue;
		if (IsA(rs->stmt, TransactionStmt))
			refuse_statement(&place, line,
							 "transaction control statements are not allowed in a migration",
							 "schema_migrate runs each migration in a transaction of its own choosing; remove BEGIN, COMMIT, ROLLBACK and SAVEPOINT (a BEGIN first and a COMMIT last around the whole file are accepted).");
		if ((what = non_transactional(rs->stmt)) != NULL && ps->mig->transactional)
			refuse_statement(&place, line,
							 psprintf("%s cannot run inside a transaction", what),
							 "Put it in a migration of its own marked \"-- transactional: false\", and apply that with CALL sm_migrate().");
		/* run from the first word: clean context text and exact lines */
		ps->stmts[n].offset = start;
		ps->stmts[n].len = off + len - start;
		ps->stmts[n].line = line;
		if (IsA(rs->stmt, IndexStmt) && ((IndexStmt *) rs->stmt)->concurrent)
		{
			MemoryContext keep = MemoryContextSwitchTo(old);

			ps->stmts[n].index_check = copyObject((IndexStmt *) rs->stmt);
			MemoryContextSwitchTo(keep);
		}
		n++;
	}
	ps->n_stmts = n;
	error_context_stack = cb.previous;
	MemoryContextDelete(tmp);
}

/*
 * Split one migration's section (and, going up, its verify script) into
 * statements; nothing runs yet.
 */
void
exec_prepare_migration(const MigrationSet *set, const Migration *m,
					   PlanDirection dir, bool online, PreparedStep *ps)
{
	if (!m->transactional && online)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("migration %s (set \"%s\", file %s) cannot run inside a transaction",
						m->revision, set->name, m->file),
				 errdetail("It is marked \"-- transactional: false\". Nothing was run."),
				 errhint("Use CALL sm_migrate() outside a transaction block, which runs such migrations statement by statement.")));
	ps->mig = m;
	ps->file = (dir == PLAN_DOWN && m->down_file) ? m->down_file : m->file;
	ps->sql = dir == PLAN_UP ? m->up_sql : m->down_sql;
	ps->first_line = dir == PLAN_UP ? m->up_line : m->down_line;
	split_statements(set, ps, dir, false);
	if (dir == PLAN_UP && m->verify_sql)
	{
		PreparedStep *v = palloc0(sizeof(PreparedStep));

		v->mig = m;
		v->file = m->verify_file ? m->verify_file : m->file;
		v->sql = m->verify_sql;
		v->first_line = m->verify_line > 0 ? m->verify_line : 1;
		split_statements(set, v, dir, true);
		ps->verify = v;
	}
	CHECK_FOR_INTERRUPTS();
}

PreparedStep *
exec_prepare_plan(const MigrationSet *set, const MigPlan *plan, bool online)
{
	PreparedStep *steps = palloc0(sizeof(PreparedStep) * (plan->n_steps + 1));

	for (int i = 0; i < plan->n_steps; i++)
		exec_prepare_migration(set, set->graph->nodes[plan->steps[i]].mig,
							   plan->direction, online, &steps[i]);
	return steps;
}

/* ---------- running ---------- */

static void
run_statements(const MigrationSet *set, const PreparedStep *ps,
			   PlanDirection dir, MemoryContext stmt_cxt, LockWait *wait)
{
	ExecPlace	place = {set, ps, dir, NULL, ps->first_line, wait, -1};
	ErrorContextCallback cb = {error_context_stack, exec_error_callback, &place};

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
		{
			place.text = NULL;
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("statement could not be run: %s", SPI_result_code_string(rc))));
		}
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
#if PG_VERSION_NUM >= 140000
	stmts = raw_parser(sql, RAW_PARSE_DEFAULT);
#else
	stmts = raw_parser(sql);
#endif
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

static double
elapsed_ms(instr_time start)
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

static void
run_plan(const char *schema, const MigrationSet *set, const MigPlan *plan,
		 bool repeatables, ExecResult *res)
{
	PreparedStep *steps = exec_prepare_plan(set, plan, true);
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
		records[i].duration_ms = elapsed_ms(step_start);
	}
	MemoryContextDelete(stmt_cxt);
	store_record_steps(schema, set, plan->direction,
					   plan->direction == PLAN_UP ? "upgrade" : "downgrade",
					   records, plan->n_steps);
	if (repeatables)
		res->n_repeatable = exec_repeatable(schema, set, false);
	res->n_done = plan->n_steps;
	res->elapsed_ms = elapsed_ms(start);
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
	ExecResult	res = {0, 0, 0};

	exec_check_can_migrate("schema_migrate");
	exec_running = true;
	PG_TRY();
	{
		run_plan(schema, set, plan, repeatables, &res);
	}
	PG_CATCH();
	{
		exec_running = false;
		PG_RE_THROW();
	}
	PG_END_TRY();
	exec_running = false;
	return res;
}

/* ---------- moving a set to a target ---------- */


/* The current revisions as "a, b", or "base". */
char *
exec_current_text(const Graph *g, const bool *applied)
{
	int		   *cur = palloc(sizeof(int) * (g->n + 1));
	int			n = graph_current(g, applied, cur);
	StringInfoData buf;

	if (n == 0)
		return pstrdup("base");
	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", g->nodes[cur[i]].mig->revision);
	return buf.data;
}

void
exec_check_orphans(const MigrationSet *set, const SetState *st)
{
	if (st->partial && !exec_partial_allowed)
	{
		const PartialRev *p = st->partial;

		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration %s of set \"%s\" is partially %s: %d of %d statements ran",
						p->revision, set->name, p->direction == PLAN_UP ? "applied" : "reverted",
						p->done, p->total),
				 errdetail("It is non-transactional, so what ran stays; nothing else can run until it is finished."),
				 errhint("Fix the cause and CALL sm_migrate() to run the rest, or record the outcome with SELECT sm_resolve('%s', 'applied') or sm_resolve('%s', 'not applied').",
						 p->revision, p->revision)));
	}
	if (st->n_orphans > 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("applied revision %s of set \"%s\" has no migration file",
						st->orphans[0].revision, set->name),
				 st->n_orphans > 1 ?
				 errdetail("%d applied revisions have no file.", st->n_orphans) : 0,
				 errhint("Restore the missing file, or accept its loss with SELECT sm_repair().")));
}

/* Which way does a target point?  Revisions can go either way. */
static bool
target_is_down(const char *target)
{
	return strcmp(target, "base") == 0 || target[0] == '-' ||
		strstr(target, "@-") != NULL;
}

static bool
target_is_up(const char *target)
{
	const char *at = strchr(target, '@');

	return strcmp(target, "head") == 0 || strcmp(target, "heads") == 0 ||
		target[0] == '+' || (at && (strcmp(at, "@head") == 0 || at[1] == '+'));
}

/*
 * Plan a move; PLAN_AUTO picks the direction: upgrade targets go up,
 * downgrade targets down, and a revision goes up when it is not applied
 * and down (reverting what came after it) when it is.
 */
MigPlan *
exec_make_plan(const MigrationSet *set, const bool *applied, int dir,
			   const char *target)
{
	const SmEnv *env = sm_server_env();
	MigPlan    *plan;

	if (dir == PLAN_UP)
		return plan_upgrade(env, set->graph, applied, target);
	if (dir == PLAN_DOWN)
		return plan_downgrade(env, set->graph, applied, target);
	if (target_is_down(target))
		return plan_downgrade(env, set->graph, applied, target);
	plan = plan_upgrade(env, set->graph, applied, target);
	if (plan->n_steps > 0 || target_is_up(target))
		return plan;
	return plan_downgrade(env, set->graph, applied, target);
}

/*
 * Applied migrations must still be what was applied: a file edited after
 * it ran means the database and the files tell different stories.
 */
void
exec_check_drift(const MigrationSet *set, const SetState *st)
{
	const Graph *g = set->graph;
	StringInfoData detail;
	int			n = 0;
	const char *first = NULL;

	if (!sm_verify_checksums)
		return;
	initStringInfo(&detail);
	for (int i = 0; i < g->n; i++)
	{
		const AppliedRev *row = st->rows[i];
		const Migration *m = g->nodes[i].mig;

		if (row == NULL || row->checksum == NULL ||
			strcmp(row->checksum, m->checksum) == 0)
			continue;
		if (n++ == 0)
			first = m->revision;
		if (n <= 5)
			appendStringInfo(&detail, "%sRevision %s (file %s) was applied with checksum %.12s, the file now has %.12s.",
							 n > 1 ? " " : "", m->revision, m->file,
							 row->checksum, m->checksum);
	}
	if (n == 0)
		return;
	if (n > 5)
		appendStringInfo(&detail, " And %d more.", n - 5);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("applied migration %s of set \"%s\" has changed since it was applied%s",
					first, set->name, n > 1 ? psprintf(" (and %d more)", n - 1) : ""),
			 errdetail_internal("%s", detail.data),
			 errhint("Restore the file as it was applied, or accept the change with SELECT sm_repair().")));
}

/* Unapplied revisions older than the newest applied one, if refused. */
void
exec_check_out_of_order(const MigrationSet *set, const SetState *st,
				   const MigPlan *plan)
{
	const Graph *g = set->graph;
	const char *newest = NULL;

	if (plan->direction != PLAN_UP || sm_out_of_order == SM_OUT_OF_ORDER_APPLY)
		return;
	for (int i = 0; i < g->n; i++)
		if (st->applied[i] &&
			(newest == NULL || sm_natural_cmp(g->nodes[i].mig->revision, newest) > 0))
			newest = g->nodes[i].mig->revision;
	for (int i = 0; newest && i < plan->n_steps; i++)
	{
		const Migration *m = g->nodes[plan->steps[i]].mig;

		if (sm_natural_cmp(m->revision, newest) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision %s of set \"%s\" is older than the newest applied revision %s",
							m->revision, set->name, newest),
					 errdetail("schema_migrate.out_of_order is \"error\"; nothing was run."),
					 errhint("Give the migration a newer revision id, or SET schema_migrate.out_of_order = 'apply'.")));
	}
}

static MigPlan *
make_plan(const MigrationSet *set, const SetState *st, int dir,
		  const char *target)
{
	return exec_make_plan(set, st->applied, dir, target);
}

/*
 * Take the set's lock and read its state again with a fresh snapshot: a
 * concurrent caller may have migrated while we waited.
 */
SetState *
exec_lock_and_reread(const char *schema, const MigrationSet *set)
{
	SetState   *st;

	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("schema_migrate cannot migrate in a %s transaction",
						IsolationIsSerializable() ? "SERIALIZABLE" : "REPEATABLE READ"),
				 errdetail("Its snapshot could not see migrations committed by a concurrent caller while it waited for the set's lock."),
				 errhint("Run it in a READ COMMITTED transaction.")));
	store_lock_set(set, false);
	st = store_read_state(schema, set);
	exec_check_orphans(set, st);
	exec_check_drift(set, st);
	return st;
}

/*
 * Move the set towards target in the caller's transaction.  The plan is
 * made first without the lock: when there is nothing to do (the start-up
 * case) that is the whole cost.  Otherwise take the set's lock, read the
 * state again with a fresh snapshot (a concurrent caller may have done the
 * work meanwhile), plan again, and run.  Returns the current revisions.
 */
char *
exec_move(const char *schema, const MigrationSet *set, int dir,
		  const char *target)
{
	SetState   *st;
	MigPlan    *plan;
	ExecResult	res;
	bool		up = dir == PLAN_UP;

	st = store_read_state(schema, set);
	exec_check_orphans(set, st);
	exec_check_drift(set, st);
	plan = make_plan(set, st, dir, target);
	if (plan->n_steps == 0 && !(up && exec_repeatable(schema, set, true) > 0))
		return exec_current_text(set->graph, st->applied);

	st = exec_lock_and_reread(schema, set);
	plan = make_plan(set, st, dir, target);
	if (plan->n_steps == 0 && !(up && exec_repeatable(schema, set, true) > 0))
		return exec_current_text(set->graph, st->applied);
	exec_check_out_of_order(set, st, plan);

	res = exec_plan(schema, set, plan, up);
	for (int i = 0; i < plan->n_steps; i++)
		st->applied[plan->steps[i]] = plan->direction == PLAN_UP;
	return exec_report_done(set, st, plan->direction, &res);
}

/*
 * The start-up case, before the set is even loaded: at the heads, every
 * checksum equal, nothing half-way, nothing to run.  Returns the current
 * revisions, or NULL when the set must be loaded and planned.
 */
char *
exec_fast_noop(const char *schema, const char *set_name, const char *target,
			   bool check)
{
	SetSummary *sum;

	if (!sm_verify_checksums)
		return NULL;
	if (!check && strcmp(target, "heads") != 0 && strcmp(target, "head") != 0)
		return NULL;
	if ((sum = set_summary(set_name)) == NULL || sum->n_repeatable > 0 ||
		(!check && strcmp(target, "head") == 0 && sum->n_heads != 1))
		return NULL;
	return store_at_head(schema, sum->name, sum->fingerprint) ?
		pstrdup(sum->heads_text) : NULL;
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
		exec_prepare_migration(set, m, PLAN_UP, true, &ps);
		ereport(NOTICE,
				(errmsg("running repeatable migration %s \"%s\"%s", m->revision,
						m->message, sums[i] ? " (changed)" : "")));
		INSTR_TIME_SET_CURRENT(start);
		rec.started_at = GetCurrentTimestamp();
		exec_run_step(set, &ps, PLAN_UP, stmt_cxt, NULL);
		rec.duration_ms = elapsed_ms(start);
		store_log_steps(schema, set, PLAN_UP, "repeatable", &rec, 1);
	}
	MemoryContextDelete(stmt_cxt);
	return n;
}

/* The closing NOTICE: how many, how long, where the database is now. */
char *
exec_report_done(const MigrationSet *set, const SetState *st, PlanDirection dir,
			const ExecResult *res)
{
	char	   *now = exec_current_text(set->graph, st->applied);
	char	   *took = sm_timing ? psprintf(" in %.0f ms", res->elapsed_ms) : "";
	StringInfoData what;

	initStringInfo(&what);
	if (res->n_done > 0 || res->n_repeatable == 0)
		appendStringInfo(&what, "%d migration%s", res->n_done,
						 res->n_done == 1 ? "" : "s");
	if (res->n_repeatable > 0)
		appendStringInfo(&what, "%s%d repeatable migration%s",
						 what.len > 0 ? " and " : "", res->n_repeatable,
						 res->n_repeatable == 1 ? "" : "s");
	ereport(NOTICE,
			(errmsg("%s %s%s, now at %s", what.data,
					dir == PLAN_UP ? "applied" : "reverted", took, now)));
	return now;
}

/*
 * Record the database as being at target without running anything: the
 * applied set becomes exactly the target's ancestors.
 */
char *
exec_stamp(const char *schema, const MigrationSet *set, const char *target)
{
	bool	   *want = plan_stamp(sm_server_env(), set->graph, target);
	SetState   *st = exec_lock_and_reread(schema, set);

	store_stamp(schema, set, st, want);
	ereport(NOTICE,
			(errmsg("stamped set \"%s\" at %s", set->name,
					exec_current_text(set->graph, want))));
	return exec_current_text(set->graph, want);
}

/* ---------- repair, resolve, tenants ---------- */

/* Accept edited and missing files as they are now (sm_repair). */
int
exec_repair(const char *schema, const MigrationSet *set)
{
	SetState   *st;
	int			n;

	/* the plain lock: the checks of exec_lock_and_reread are what this fixes */
	store_lock_set(set, false);
	st = store_read_state(schema, set);
	n = store_repair(schema, set, st);
	ereport(NOTICE,
			(errmsg("%d applied revision%s of set \"%s\" repaired", n,
					n == 1 ? "" : "s", set->name)));
	return n;
}

/*
 * Record the outcome of a migration stopped half-way, finished or undone
 * by hand (sm_resolve): it is applied, or not, and no longer partial.
 */
void
exec_resolve(const char *schema, const MigrationSet *set, const char *rev,
			 bool applied)
{
	SetState   *st;
	bool	   *want;

	store_lock_set(set, false);
	st = store_read_state(schema, set);
	if (st->partial == NULL || strcmp(st->partial->revision, rev) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision %s of set \"%s\" is not partially applied", rev, set->name),
				 st->partial ? errdetail("The partial migration is %s.", st->partial->revision) : 0));
	want = palloc(sizeof(bool) * (set->graph->n + 1));
	memcpy(want, st->applied, sizeof(bool) * set->graph->n);
	if (st->partial->node >= 0)
		want[st->partial->node] = ((st->partial->direction == PLAN_UP) == applied);
	store_clear_partial(schema, set);
	store_stamp(schema, set, st, want);
}

/*
 * Upgrade one set (a tenant's, say) in a subtransaction of its own: on
 * failure it is rolled back and the error returned instead of raised, so
 * a caller can go on with the next one.
 */
char *
exec_try_move(const char *schema, const char *set_name, const char *target,
			   char **sqlstate, char **error)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	char	   *volatile now = NULL;

	*sqlstate = *error = NULL;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		now = exec_move(schema, set_load(set_name), PLAN_UP, target);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		*sqlstate = pstrdup(unpack_sql_state(edata->sqlerrcode));
		*error = pstrdup(edata->message);
		FreeErrorData(edata);
		now = NULL;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	CurrentResourceOwner = oldowner;
	return now;
}
