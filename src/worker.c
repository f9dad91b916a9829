/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  Run one SQL statement as a top-level statement in a dynamic
 *	  background worker.
 *
 * CREATE INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM, CREATE DATABASE and a few
 * others refuse to run inside a function, so SPI cannot run them.  A
 * background worker connected to the same database can: it parses, plans
 * and runs the statement through a portal exactly as a backend runs a
 * simple query, with isTopLevel = true.
 *
 * The caller hands the statement and its settings over in a DSM segment
 * and waits for the worker to exit; the worker writes its outcome (or the
 * error's SQLSTATE, message, detail, hint, context and position) back into
 * the same segment.  The worker acts as the caller's current role: it
 * connects as the caller's authenticated (login) role and then switches
 * with SET ROLE semantics, so NOLOGIN owner roles work.
 *
 * The caller must hold no snapshot while it waits: CREATE INDEX
 * CONCURRENTLY waits for every older snapshot, and the deadlock detector
 * does not know that the caller waits for the worker.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/analyze.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shm_toc.h"
#include "tcop/dest.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/ps_status.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/wait_event.h"

PGDLLEXPORT void sm_worker_main(Datum main_arg);

#define SM_WORKER_MAGIC		0x534d5752	/* "SMWR" */
#define SM_KEY_SHARED		1
#define SM_KEY_SQL			2
#define SM_KEY_GUCS			3
#define SM_KEY_ERROR		4

/* Room for the error's texts; longer ones are clipped. */
#define SM_ERROR_SPACE		32768

/* How long a cancelled caller waits for the terminated worker to exit. */
#define SM_TERMINATE_WAIT_MS	5000

/*
 * Settings of the caller's session the worker takes over, so the statement
 * runs as if the caller had run it: name resolution, timeouts, memory for
 * index builds, the parsing of dates and times, where new objects go.
 */
static const char *const copied_settings[] = {
	"search_path",
	"lock_timeout",
	"statement_timeout",
	"maintenance_work_mem",
	"max_parallel_maintenance_workers",
	"work_mem",
	"TimeZone",
	"DateStyle",
	"IntervalStyle",
	"default_tablespace",
	"temp_tablespaces",
	"default_table_access_method",
	"check_function_bodies",
	"synchronous_commit",
	NULL
};

typedef enum WorkerStatus
{
	WORKER_PENDING = 0,			/* not (yet) finished */
	WORKER_DONE,				/* the statement committed */
	WORKER_FAILED				/* the statement failed; error filled */
} WorkerStatus;

/* The fixed part of the segment.  Texts follow in their own toc entries. */
typedef struct WorkerShared
{
	Oid			database;
	Oid			login_role;		/* role the worker connects as */
	Oid			role;			/* role it then acts as */
	int			status;			/* WorkerStatus, written last */
	char		sqlstate[6];
	int			position;
	/* offsets into the error area, -1 when absent */
	int			message_off;
	int			detail_off;
	int			hint_off;
	int			context_off;
} WorkerShared;

/* ---------- the worker ---------- */

/* Apply the caller's role and settings, in a transaction of their own. */
static void
worker_apply_settings(const WorkerShared *shared, const char *gucs)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();

	/* the role first: "$user" in search_path must mean the caller's role */
	if (shared->role != shared->login_role)
		SetConfigOption("role", GetUserNameFromId(shared->role, false),
						PGC_USERSET, PGC_S_SESSION);

	while (*gucs)
	{
		const char *name = gucs;
		const char *value = name + strlen(name) + 1;

		SetConfigOption(name, value, PGC_USERSET, PGC_S_SESSION);
		gucs = value + strlen(value) + 1;
	}
	CommitTransactionCommand();
}

/* Statements that make no sense without a client or a session to keep. */
static void
worker_check_statement(RawStmt *parsetree)
{
	Node	   *stmt = parsetree->stmt;

	if (IsA(stmt, TransactionStmt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("transaction control statements cannot run in a background worker"),
				 errdetail("The worker runs the statement in a transaction of its own.")));
	if (IsA(stmt, CopyStmt) && ((CopyStmt *) stmt)->filename == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM STDIN and COPY TO STDOUT cannot run in a background worker"),
				 errdetail("A background worker has no client connection.")));
}

/*
 * Analyze, plan and run one parsed statement through an unnamed portal as a
 * top-level statement, as a backend runs a simple query.  The trees are
 * made in cxt, which must outlive the transaction: CALL and CREATE INDEX
 * CONCURRENTLY commit and restart it.  The caller starts the transaction
 * and commits it; the scratch-database worker runs its statements here too.
 */
void
worker_run_parsed(RawStmt *parsetree, const char *sql, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	CommandTag	tag;
	List	   *querytrees;
	List	   *plantrees;
	bool		snapshot_set = false;
	Portal		portal;
	DestReceiver *receiver;
	QueryCompletion qc;
	int16		format = 0;

	tag = CreateCommandTag(parsetree->stmt);
	set_ps_display(GetCommandTagName(tag));

	if (analyze_requires_snapshot(parsetree))
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		snapshot_set = true;
	}
	querytrees = pg_analyze_and_rewrite_fixedparams(parsetree, sql, NULL, 0, NULL);
	plantrees = pg_plan_queries(querytrees, sql, CURSOR_OPT_PARALLEL_OK, NULL);
	if (snapshot_set)
		PopActiveSnapshot();
	CHECK_FOR_INTERRUPTS();

	portal = CreatePortal("", true, true);
	portal->visible = false;
	PortalDefineQuery(portal, NULL, sql, tag, plantrees, NULL);
	PortalStart(portal, NULL, 0, InvalidSnapshot);
	PortalSetResultFormat(portal, 1, &format);
	receiver = CreateDestReceiver(DestNone);
	MemoryContextSwitchTo(old);

	(void) PortalRun(portal, FETCH_ALL, true, true, receiver, receiver, &qc);

	receiver->rDestroy(receiver);
	PortalDrop(portal, false);
}

/*
 * Run sql as a simple query does: one transaction (which the statement
 * itself may commit and restart, as CREATE INDEX CONCURRENTLY does), the
 * statement analyzed, planned and run through an unnamed portal as a
 * top-level statement.  The trees live in cxt, not in transaction memory,
 * since they must outlive those internal commits.
 */
static void
worker_execute(const char *sql, MemoryContext cxt)
{
	MemoryContext old;
	List	   *parsetrees;
	RawStmt    *parsetree;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	debug_query_string = sql;
	pgstat_report_activity(STATE_RUNNING, sql);
	/* a backend arms statement_timeout in start_xact_command(); do the same */
	if (StatementTimeout > 0)
		enable_timeout_after(STATEMENT_TIMEOUT, StatementTimeout);

	old = MemoryContextSwitchTo(cxt);
	parsetrees = pg_parse_query(sql);
	if (list_length(parsetrees) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("a background worker runs exactly one statement, not %d",
						list_length(parsetrees))));
	parsetree = linitial_node(RawStmt, parsetrees);
	worker_check_statement(parsetree);
	MemoryContextSwitchTo(old);

	worker_run_parsed(parsetree, sql, cxt);

	disable_timeout(STATEMENT_TIMEOUT, false);
	CommitTransactionCommand();
	debug_query_string = NULL;
	pgstat_report_activity(STATE_IDLE, NULL);
	set_ps_display("idle");
}

/* Append text to the error area; returns its offset, or -1 for none. */
static int
error_append(char *area, int *used, const char *text)
{
	int			off = *used;
	int			room = SM_ERROR_SPACE - off - 1;
	int			len;

	if (text == NULL || room <= 0)
		return -1;
	len = strlen(text);
	if (len > room)
		len = pg_mbcliplen(text, len, room);
	memcpy(area + off, text, len);
	area[off + len] = '\0';
	*used = off + len + 1;
	return off;
}

/*
 * The start of every worker of this library: SIGTERM ends it at the next
 * CHECK_FOR_INTERRUPTS (not inside a signal handler), and the caller's
 * segment, handed over as main_arg, is mapped and checked for magic.
 */
shm_toc *
worker_attach_segment(Datum main_arg, uint64 magic, dsm_segment **seg)
{
	shm_toc    *toc;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	*seg = dsm_attach(DatumGetUInt32(main_arg));
	if (*seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not map dynamic shared memory segment"),
				 errdetail("The caller gave up before the worker started.")));
	toc = shm_toc_attach(magic, dsm_segment_address(*seg));
	if (toc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("invalid magic number in dynamic shared memory segment")));
	return toc;
}

/*
 * Called in PG_CATCH: copy the error into the segment, then clean up as
 * PostgresMain does after an error, so the process exits in a sane state.
 */
static void
worker_report_error(WorkerShared *shared, char *area, MemoryContext cxt)
{
	ErrorData  *edata;
	int			used = 0;

	HOLD_INTERRUPTS();
	disable_all_timeouts(false);
	QueryCancelPending = false;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();

	strlcpy(shared->sqlstate, unpack_sql_state(edata->sqlerrcode),
			sizeof(shared->sqlstate));
	shared->position = edata->cursorpos;
	shared->message_off = error_append(area, &used, edata->message);
	shared->detail_off = error_append(area, &used, edata->detail);
	shared->hint_off = error_append(area, &used, edata->hint);
	shared->context_off = error_append(area, &used, edata->context);
	pg_write_barrier();
	shared->status = WORKER_FAILED;

	AbortCurrentTransaction();
	debug_query_string = NULL;
	RESUME_INTERRUPTS();
}

void
sm_worker_main(Datum main_arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	WorkerShared *shared;
	char	   *sql;
	char	   *gucs;
	char	   *area;
	MemoryContext cxt;

	toc = worker_attach_segment(main_arg, SM_WORKER_MAGIC, &seg);
	shared = shm_toc_lookup(toc, SM_KEY_SHARED, false);
	sql = shm_toc_lookup(toc, SM_KEY_SQL, false);
	gucs = shm_toc_lookup(toc, SM_KEY_GUCS, false);
	area = shm_toc_lookup(toc, SM_KEY_ERROR, false);

	BackgroundWorkerInitializeConnectionByOid(shared->database,
											  shared->login_role, 0);

	cxt = AllocSetContextCreate(TopMemoryContext, "schema_migrate worker",
								ALLOCSET_DEFAULT_SIZES);
	PG_TRY();
	{
		worker_apply_settings(shared, gucs);
		worker_execute(sql, cxt);
		pg_write_barrier();
		shared->status = WORKER_DONE;
	}
	PG_CATCH();
	{
		worker_report_error(shared, area, cxt);
	}
	PG_END_TRY();

	dsm_detach(seg);
	proc_exit(0);
}

/* ---------- the caller ---------- */

static void
check_caller_state(void)
{
	if (!IsTransactionState() || CurrentResourceOwner == NULL)
		elog(ERROR, "worker_run_statement called outside a transaction");
	if (IsTransactionBlock() || IsSubTransaction())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("cannot run a statement in a background worker inside a transaction block"),
				 errhint("Use CALL outside a transaction block, so the procedure can commit before it starts the worker.")));

	/* the catalog snapshot holds back xmin too; nothing needs it any more */
	InvalidateCatalogSnapshot();
	if (HaveRegisteredOrActiveSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot run a statement in a background worker while holding a snapshot"),
				 errdetail("CREATE INDEX CONCURRENTLY in the worker would wait for this snapshot forever."),
				 errhint("Commit first (SPI_commit()) and run no query between the commit and the call.")));
}

/*
 * The caller's settings as "name\0value\0...\0\0"; an explicit search_path
 * or timeout replaces the copied one.
 */
static void
collect_settings(StringInfo buf, const char *search_path,
				 int lock_timeout_ms, int statement_timeout_ms)
{
	for (int i = 0; copied_settings[i] != NULL; i++)
	{
		const char *name = copied_settings[i];
		const char *value = GetConfigOption(name, false, false);
		char		num[32];

		if (strcmp(name, "search_path") == 0 && search_path != NULL)
			value = search_path;
		else if (strcmp(name, "lock_timeout") == 0 && lock_timeout_ms > 0)
		{
			snprintf(num, sizeof(num), "%d", lock_timeout_ms);
			value = num;
		}
		else if (strcmp(name, "statement_timeout") == 0 && statement_timeout_ms > 0)
		{
			snprintf(num, sizeof(num), "%d", statement_timeout_ms);
			value = num;
		}
		if (value == NULL)
			continue;
		appendBinaryStringInfo(buf, name, strlen(name) + 1);
		appendBinaryStringInfo(buf, value, strlen(value) + 1);
	}
	appendStringInfoChar(buf, '\0');
}

static dsm_segment *
create_segment(const char *sql, StringInfo gucs, WorkerShared **shared_out)
{
	shm_toc_estimator e;
	Size		sql_len = strlen(sql) + 1;
	dsm_segment *seg;
	shm_toc    *toc;
	WorkerShared *shared;
	char	   *p;

	shm_toc_initialize_estimator(&e);
	shm_toc_estimate_chunk(&e, sizeof(WorkerShared));
	shm_toc_estimate_chunk(&e, sql_len);
	shm_toc_estimate_chunk(&e, gucs->len);
	shm_toc_estimate_chunk(&e, SM_ERROR_SPACE);
	shm_toc_estimate_keys(&e, 4);

	seg = dsm_create(shm_toc_estimate(&e), 0);
	toc = shm_toc_create(SM_WORKER_MAGIC, dsm_segment_address(seg),
						 shm_toc_estimate(&e));

	shared = shm_toc_allocate(toc, sizeof(WorkerShared));
	memset(shared, 0, sizeof(WorkerShared));
	shared->database = MyDatabaseId;
	shared->login_role = GetAuthenticatedUserId();
	shared->role = GetUserId();
	shared->status = WORKER_PENDING;
	shm_toc_insert(toc, SM_KEY_SHARED, shared);

	p = shm_toc_allocate(toc, sql_len);
	memcpy(p, sql, sql_len);
	shm_toc_insert(toc, SM_KEY_SQL, p);

	p = shm_toc_allocate(toc, gucs->len);
	memcpy(p, gucs->data, gucs->len);
	shm_toc_insert(toc, SM_KEY_GUCS, p);

	p = shm_toc_allocate(toc, SM_ERROR_SPACE);
	p[0] = '\0';
	shm_toc_insert(toc, SM_KEY_ERROR, p);

	*shared_out = shared;
	return seg;
}

/*
 * When the caller detaches the segment for any reason but a normal return
 * (an error aborting its transaction, or its own exit on FATAL), the
 * worker must not go on alone.
 */
static void
terminate_on_detach(dsm_segment *seg, Datum arg)
{
	BackgroundWorkerHandle *handle = (BackgroundWorkerHandle *) DatumGetPointer(arg);

	TerminateBackgroundWorker(handle);
	pfree(handle);
}

static BackgroundWorkerHandle *
launch_worker(dsm_segment *seg)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	MemoryContext old;
	bool		ok;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "schema_migrate", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "sm_worker_main", BGW_MAXLEN);
	snprintf(worker.bgw_name, BGW_MAXLEN, "schema_migrate worker for PID %d",
			 MyProcPid);
	strlcpy(worker.bgw_type, "schema_migrate worker", BGW_MAXLEN);
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	/* the detach callback may run at process exit: keep the handle there */
	old = MemoryContextSwitchTo(TopMemoryContext);
	ok = RegisterDynamicBackgroundWorker(&worker, &handle);
	MemoryContextSwitchTo(old);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start a background worker to run the statement"),
				 errdetail("All %d background worker slots (max_worker_processes) are in use.",
						   max_worker_processes),
				 errhint("Retry when parallel queries or other background workers have finished, or raise max_worker_processes (needs a server restart).")));
	on_dsm_detach(seg, terminate_on_detach, PointerGetDatum(handle));
	return handle;
}

/* After a cancel: stop the worker and give it a moment to roll back. */
static void
terminate_and_wait(BackgroundWorkerHandle *handle)
{
	pid_t		pid;

	TerminateBackgroundWorker(handle);
	HOLD_INTERRUPTS();
	for (int waited = 0; waited < SM_TERMINATE_WAIT_MS; waited += 10)
	{
		if (GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, WAIT_EVENT_BGWORKER_SHUTDOWN);
		ResetLatch(MyLatch);
	}
	RESUME_INTERRUPTS();
}

static char *
copy_error_text(const char *area, int off)
{
	return off < 0 ? NULL : pstrdup(area + off);
}

static bool run_in_worker(const char *sql, const char *search_path,
						  int lock_timeout_ms, int statement_timeout_ms,
						  WorkerError *err, bool check_state);

bool
worker_run_statement(const char *sql, const char *search_path,
					 int lock_timeout_ms, int statement_timeout_ms,
					 WorkerError *err)
{
	return run_in_worker(sql, search_path, lock_timeout_ms,
						 statement_timeout_ms, err, true);
}

/*
 * An autonomous transaction: run sql in a worker and commit it there,
 * whatever becomes of the caller's transaction.  For short writes that
 * cannot wait for anything the caller holds (a failure record); the
 * caller may be inside a transaction and hold a snapshot.
 */
bool
worker_run_autonomous(const char *sql, WorkerError *err)
{
	return run_in_worker(sql, NULL, 0, 0, err, false);
}

static bool
run_in_worker(const char *sql, const char *search_path,
			  int lock_timeout_ms, int statement_timeout_ms,
			  WorkerError *err, bool check_state)
{
	StringInfoData gucs;
	dsm_segment *seg;
	WorkerShared *shared;
	BackgroundWorkerHandle *handle;
	BgwHandleStatus status;
	bool		ok;

	if (check_state)
		check_caller_state();
	memset(err, 0, sizeof(WorkerError));

	initStringInfo(&gucs);
	collect_settings(&gucs, search_path, lock_timeout_ms, statement_timeout_ms);
	seg = create_segment(sql, &gucs, &shared);
	handle = launch_worker(seg);

	/* a cancel (statement_timeout, ^C) arrives here as an error */
	PG_TRY();
	{
		status = WaitForBackgroundWorkerShutdown(handle);
	}
	PG_CATCH();
	{
		terminate_and_wait(handle);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (status == BGWH_POSTMASTER_DIED)
		ereport(FATAL,
				(errcode(ERRCODE_ADMIN_SHUTDOWN),
				 errmsg("postmaster exited while a background worker ran a statement")));

	pg_read_barrier();
	if (shared->status == WORKER_PENDING)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("background worker exited without reporting a result"),
				 errdetail("It may have been terminated while the statement ran, so the statement may be partly done: statement: %s", sql),
				 errhint("The worker's own message is in the server log.")));

	ok = shared->status == WORKER_DONE;
	if (!ok)
	{
		char	   *area = shm_toc_lookup(shm_toc_attach(SM_WORKER_MAGIC,
														 dsm_segment_address(seg)),
										  SM_KEY_ERROR, false);

		memcpy(err->sqlstate, shared->sqlstate, sizeof(err->sqlstate));
		err->position = shared->position;
		err->message = copy_error_text(area, shared->message_off);
		err->detail = copy_error_text(area, shared->detail_off);
		err->hint = copy_error_text(area, shared->hint_off);
		err->context = copy_error_text(area, shared->context_off);
		if (err->message == NULL)
			err->message = pstrdup("background worker failed");
	}

	cancel_on_dsm_detach(seg, terminate_on_detach, PointerGetDatum(handle));
	pfree(handle);
	dsm_detach(seg);
	pfree(gucs.data);
	return ok;
}

int
worker_sqlerrcode(const WorkerError *err)
{
	const char *s = err->sqlstate;

	return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
}

void
worker_raise_error(const WorkerError *err, const char *sql)
{
	ereport(ERROR,
			(errcode(worker_sqlerrcode(err)),
			 errmsg_internal("%s", err->message),
			 err->detail ? errdetail_internal("%s", err->detail) : 0,
			 err->hint ? errhint("%s", err->hint) : 0,
			 err->context ? errcontext("%s", err->context) : 0,
			 err->position > 0 && sql ? internalerrposition(err->position) : 0,
			 err->position > 0 && sql ? internalerrquery(sql) : 0));
}
