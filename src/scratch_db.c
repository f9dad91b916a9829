/*-------------------------------------------------------------------------
 *
 * scratch_db.c
 *	  Scratch databases: create one on this instance, run a job in a
 *	  background worker connected to it, hand its bytes back, drop it.
 *
 * CREATE DATABASE and DROP DATABASE cannot run in a transaction block or a
 * function, so the caller has them run by worker.c's autonomous worker
 * (connected to the caller's database, as the caller's role, committed on
 * its own).  The job runs in a second worker of this file, connected to the
 * scratch database with BGWORKER_BYPASS_ALLOWCONN: the database is created
 * with ALLOW_CONNECTIONS false and CONNECTION LIMIT 0, so no session can
 * connect to it while it exists (background workers are not counted against
 * the connection limit, so worker.c's workers still can once a replay opens
 * ALLOW_CONNECTIONS for a non-transactional migration).
 *
 * The job's worker sends its output and any error or warning back through
 * a shm_mq in the protocol parallel workers use (pq_redirect_to_shm_mq), so
 * an error arrives in the caller exactly as it was raised, context lines
 * included.  None of this touches the caller's database but for the two
 * autonomous statements.
 *
 * Leftovers.  Before CREATE DATABASE the caller writes a record file
 * $PGDATA/schema_migrate/scratch/<name> and takes a cluster-wide advisory
 * lock on the name's token (session level, so a caller killed in any way
 * loses it); after CREATE it adds the database's oid to the record.  Every
 * scratch_run() first looks at the records whose lock is free: the database
 * of that name is dropped only if its oid is the recorded one, or, when the
 * caller died between CREATE and writing the oid, if it still has the
 * ALLOW_CONNECTIONS false / CONNECTION LIMIT 0 it was created with.  A
 * user's database is never named in a record, so a user's database that
 * merely looks like a scratch name is never dropped; a record whose
 * database is gone or is another one is simply removed.
 *
 *-------------------------------------------------------------------------
 */
#include "scratch_db.h"

#include <sys/stat.h>
#include <unistd.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "commands/tablespace.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "libpq/pqmq.h"
#include "miscadmin.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "tcop/dest.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/ps_status.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timeout.h"

PGDLLEXPORT void sm_scratch_worker_main(Datum main_arg);
PGDLLEXPORT void sm_scratch_job_sql(const char *input, size_t len, StringInfo out);
PGDLLEXPORT void sm_scratch_job_set(const char *input, size_t len, StringInfo out);

#define SCRATCH_MAGIC		0x534d5344	/* "SMSD" */
#define KEY_SHARED			1
#define KEY_INPUT			2
#define KEY_GUCS			3
#define KEY_MQ				4

#define SCRATCH_MQ_SIZE		(256 * 1024)
#define SCRATCH_PREFIX		"sm_scratch_"
#define SCRATCH_RECORD_DIR	"schema_migrate/scratch"
/* field4 of the advisory lock tags: not 1 or 2, which SQL's advisory locks use */
#define SCRATCH_LOCK_FIELD4	0x5353

/* How long a failed caller waits for its terminated job worker. */
#define SCRATCH_TERMINATE_WAIT_MS	5000

typedef struct ScratchShared
{
	Oid			database;		/* the scratch database */
	Oid			login_role;		/* role the worker connects as */
	Oid			role;			/* role it then acts as */
	char		job[NAMEDATALEN];
	Size		input_len;
} ScratchShared;

/*
 * Settings of the caller the job takes over: where sets are and how they
 * migrate, name resolution, timeouts, the parsing of dates and times.
 */
static const char *const copied_settings[] = {
	"schema_migrate.path",
	"schema_migrate.set",
	"schema_migrate.lock_timeout",
	"schema_migrate.lock_retries",
	"schema_migrate.verify_checksums",
	"schema_migrate.repeatable",
	"schema_migrate.out_of_order",
	"search_path",
	"lock_timeout",
	"statement_timeout",
	"maintenance_work_mem",
	"work_mem",
	"TimeZone",
	"DateStyle",
	"IntervalStyle",
	"check_function_bodies",
	"default_table_access_method",
	NULL
};

/* ---------- records of the scratch databases this instance created ---------- */

typedef struct ScratchRecord
{
	char		name[NAMEDATALEN];
	uint64		token;
	Oid			oid;			/* InvalidOid until CREATE DATABASE returned */
} ScratchRecord;

static const char *
record_dir(void)
{
	return psprintf("%s/%s", DataDir, SCRATCH_RECORD_DIR);
}

static void
make_record_dir(void)
{
	char	   *parent = psprintf("%s/schema_migrate", DataDir);

	if (MakePGDirectory(parent) != 0 && errno != EEXIST)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create directory \"%s\": %m", parent)));
	if (MakePGDirectory(record_dir()) != 0 && errno != EEXIST)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create directory \"%s\": %m", record_dir())));
}

static char *
record_path(const char *name)
{
	return psprintf("%s/%s", record_dir(), name);
}

/* Write the record durably (temporary file, fsync, rename). */
static void
record_write(const ScratchRecord *r)
{
	char	   *path = record_path(r->name);
	char	   *tmp = psprintf("%s.tmp", path);
	FILE	   *f;

	f = AllocateFile(tmp, PG_BINARY_W);
	if (f == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create file \"%s\": %m", tmp)));
	fprintf(f, "schema_migrate scratch database\ntoken %016llx\noid %u\n",
			(unsigned long long) r->token, r->oid);
	if (fflush(f) != 0 || pg_fsync(fileno(f)) != 0)
	{
		int			save = errno;

		FreeFile(f);
		errno = save;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write file \"%s\": %m", tmp)));
	}
	if (FreeFile(f) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not close file \"%s\": %m", tmp)));
	(void) durable_rename(tmp, path, ERROR);
}

static bool
record_read(const char *name, ScratchRecord *r)
{
	FILE	   *f = AllocateFile(record_path(name), PG_BINARY_R);
	unsigned long long token;
	unsigned int oid;
	bool		ok;

	if (f == NULL)
		return false;
	ok = fscanf(f, "schema_migrate scratch database\ntoken %llx\noid %u",
				&token, &oid) == 2;
	FreeFile(f);
	if (!ok)
		return false;
	strlcpy(r->name, name, NAMEDATALEN);
	r->token = token;
	r->oid = oid;
	return true;
}

static void
record_remove(const char *name)
{
	if (unlink(record_path(name)) != 0 && errno != ENOENT)
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not remove file \"%s\": %m", record_path(name))));
}

/* The cluster-wide lock a live caller holds on its scratch database. */
static void
record_locktag(LOCKTAG *tag, uint64 token)
{
	SET_LOCKTAG_ADVISORY(*tag, InvalidOid, (uint32) (token >> 32),
						 (uint32) token, SCRATCH_LOCK_FIELD4);
}

/* ---------- the caller's checks ---------- */

static void
check_can_create(void)
{
	HeapTuple	tup;
	bool		createdb;

	if (superuser())
		return;
	tup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(GetUserId()));
	createdb = HeapTupleIsValid(tup) && ((Form_pg_authid) GETSTRUCT(tup))->rolcreatedb;
	if (HeapTupleIsValid(tup))
		ReleaseSysCache(tup);
	if (!createdb)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to create a scratch database"),
				 errdetail("Comparing schemas loads them into a temporary database on this server, created and dropped by role \"%s\", which lacks CREATEDB.",
						   GetUserNameFromId(GetUserId(), false)),
				 errhint("Run ALTER ROLE %s CREATEDB, or call the function as a role that has CREATEDB or is a superuser.",
						 quote_identifier(GetUserNameFromId(GetUserId(), false)))));
}

/* Run one statement in worker.c's autonomous worker; warn instead of failing. */
static bool
run_autonomous(const char *sql, int elevel)
{
	WorkerError err;

	if (worker_run_autonomous(sql, &err))
		return true;
	if (elevel >= ERROR)
		worker_raise_error(&err, NULL);
	ereport(elevel,
			(errcode(MAKE_SQLSTATE(err.sqlstate[0], err.sqlstate[1], err.sqlstate[2],
								   err.sqlstate[3], err.sqlstate[4])),
			 errmsg("could not drop scratch database: %s", err.message),
			 err.detail ? errdetail_internal("%s", err.detail) : 0,
			 errhint("The next call that uses a scratch database drops it.")));
	return false;
}

static bool
drop_database(const char *name, int elevel)
{
	return run_autonomous(psprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)",
								   quote_identifier(name)), elevel);
}

/* ---------- leftovers ---------- */

/*
 * Is the database named in r the one the record's caller created?  The
 * oid decides; without one (the caller died right after CREATE), the
 * options it was created with must still be there.
 */
static bool
record_owns_database(const ScratchRecord *r, Oid dboid)
{
	HeapTuple	tup;
	bool		ours;
	Form_pg_database db;

	if (OidIsValid(r->oid))
		return r->oid == dboid;
	tup = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(dboid));
	if (!HeapTupleIsValid(tup))
		return false;
	db = (Form_pg_database) GETSTRUCT(tup);
	ours = !db->datallowconn && db->datconnlimit == 0;
	ReleaseSysCache(tup);
	return ours;
}

/* Drop one record's database if its caller is gone; true if dropped. */
static bool
cleanup_one(const char *name)
{
	ScratchRecord r;
	LOCKTAG		tag;
	volatile bool dropped = false;

	if (!record_read(name, &r))
		return false;
	record_locktag(&tag, r.token);
	/* a live caller holds it: that database is in use */
	switch (LockAcquire(&tag, ExclusiveLock, true, true))
	{
		case LOCKACQUIRE_NOT_AVAIL:
			return false;
		case LOCKACQUIRE_ALREADY_HELD:
		case LOCKACQUIRE_ALREADY_CLEAR:
			/* this backend's own, one scratch_run further out */
			LockRelease(&tag, ExclusiveLock, true);
			return false;
		case LOCKACQUIRE_OK:
			break;
	}
	PG_TRY();
	{
		Oid			dboid;

		InvalidateCatalogSnapshot();
		dboid = get_database_oid(name, true);
		if (!OidIsValid(dboid) || !record_owns_database(&r, dboid))
			record_remove(name);	/* gone, or a database of someone else */
		else if (superuser() || pg_database_ownercheck(dboid, GetUserId()))
		{
			if (drop_database(name, WARNING))
			{
				record_remove(name);
				dropped = true;
			}
		}
		/* else: another role's leftover; its owner's next call drops it */
	}
	PG_FINALLY();
	{
		LockRelease(&tag, ExclusiveLock, true);
	}
	PG_END_TRY();
	return dropped;
}

int
scratch_cleanup(void)
{
	DIR		   *dir;
	struct dirent *de;
	List	   *names = NIL;
	ListCell   *lc;
	int			dropped = 0;

	dir = AllocateDir(record_dir());
	if (dir == NULL)
		return 0;				/* no scratch database was ever made */
	while ((de = ReadDirExtended(dir, record_dir(), LOG)) != NULL)
	{
		if (strncmp(de->d_name, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)) == 0 &&
			strlen(de->d_name) < NAMEDATALEN && strchr(de->d_name, '.') == NULL)
			names = lappend(names, pstrdup(de->d_name));
	}
	FreeDir(dir);

	foreach(lc, names)
		dropped += cleanup_one(lfirst(lc));
	return dropped;
}

/* ---------- creating the scratch database ---------- */

/* schema_migrate.scratch_tablespace, checked here to say which setting is wrong */
static const char *
scratch_tablespace(void)
{
	Oid			spc = get_tablespace_oid(sm_scratch_tablespace, true);

	if (!OidIsValid(spc))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("tablespace \"%s\" does not exist", sm_scratch_tablespace),
				 errdetail("schema_migrate.scratch_tablespace names it as the tablespace of scratch databases."),
				 errhint("Create it, or RESET schema_migrate.scratch_tablespace to use the default tablespace.")));
	if (pg_tablespace_aclcheck(spc, GetUserId(), ACL_CREATE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for tablespace %s", sm_scratch_tablespace),
				 errdetail("schema_migrate.scratch_tablespace names it as the tablespace of scratch databases, and role \"%s\" lacks CREATE on it.",
						   GetUserNameFromId(GetUserId(), false)),
				 errhint("GRANT CREATE ON TABLESPACE %s TO %s, or RESET schema_migrate.scratch_tablespace.",
						 quote_identifier(sm_scratch_tablespace),
						 quote_identifier(GetUserNameFromId(GetUserId(), false)))));
	return quote_identifier(sm_scratch_tablespace);
}

/*
 * CREATE DATABASE with this database's encoding and locale, in
 * schema_migrate.scratch_tablespace when that is set.  STRATEGY wal_log
 * (PostgreSQL 15's default), not file_copy: file_copy is a few tens of
 * milliseconds faster on an idle server, but it forces two immediate
 * checkpoints, and on a busy production server (sm_drift's home) that is
 * every dirty buffer written at once, a wait for the caller and an I/O
 * burst for everyone; wal_log writes template0's few megabytes to WAL.
 */
static char *
create_statement(const char *name)
{
	char	   *sql;
	int			rc;
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2] = {ObjectIdGetDatum(MyDatabaseId), CStringGetTextDatum(name)};
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(
							   "SELECT pg_catalog.format('CREATE DATABASE %I TEMPLATE template0 ENCODING %L"
							   " LOCALE_PROVIDER %s LC_COLLATE %L LC_CTYPE %L%s STRATEGY wal_log"
							   " ALLOW_CONNECTIONS false CONNECTION LIMIT 0', $2,"
							   " pg_catalog.pg_encoding_to_char(encoding),"
							   " CASE datlocprovider WHEN 'i' THEN 'icu' ELSE 'libc' END,"
							   " datcollate, datctype,"
							   " CASE WHEN datlocprovider = 'i' THEN pg_catalog.format(' ICU_LOCALE %L', daticulocale) ELSE '' END)"
							   " FROM pg_catalog.pg_database WHERE oid = $1",
							   2, argtypes, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the encoding and locale of this database");
	sql = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0],
											SPI_tuptable->tupdesc, 1, &isnull));
	if (sm_scratch_tablespace != NULL && sm_scratch_tablespace[0] != '\0')
		sql = psprintf("%s TABLESPACE %s", sql, scratch_tablespace());
	sql = MemoryContextStrdup(TopTransactionContext, sql);
	SPI_finish();
	return sql;
}

/* ---------- running the job in a worker ---------- */

static void
collect_settings(StringInfo buf)
{
	for (int i = 0; copied_settings[i] != NULL; i++)
	{
		const char *value = GetConfigOption(copied_settings[i], true, false);

		if (value == NULL)
			continue;
		appendBinaryStringInfo(buf, copied_settings[i], strlen(copied_settings[i]) + 1);
		appendBinaryStringInfo(buf, value, strlen(value) + 1);
	}
	appendStringInfoChar(buf, '\0');
}

static BackgroundWorkerHandle *
launch_job_worker(dsm_segment *seg)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "schema_migrate", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "sm_scratch_worker_main", BGW_MAXLEN);
	snprintf(worker.bgw_name, BGW_MAXLEN,
			 "schema_migrate scratch worker for PID %d", MyProcPid);
	strlcpy(worker.bgw_type, "schema_migrate scratch worker", BGW_MAXLEN);
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start a background worker for the scratch database"),
				 errdetail("All %d background worker slots (max_worker_processes) are in use.",
						   max_worker_processes),
				 errhint("Retry when parallel queries or other background workers have finished, or raise max_worker_processes (needs a server restart).")));
	return handle;
}

static void
terminate_and_wait(BackgroundWorkerHandle *handle)
{
	pid_t		pid;

	TerminateBackgroundWorker(handle);
	for (int waited = 0; waited < SCRATCH_TERMINATE_WAIT_MS; waited += 10)
	{
		if (GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, WAIT_EVENT_BGWORKER_SHUTDOWN);
		ResetLatch(MyLatch);
	}
}

/*
 * An error or warning from the worker, raised here as it was raised there.
 * Its cursor position points into a statement of the scratch database that
 * the client never saw; the context names the file and line instead.
 */
static void
rethrow_message(StringInfo msg)
{
	ErrorData	edata;

	pq_parse_errornotice(msg, &edata);
	edata.cursorpos = 0;
	/* a FATAL of the worker (it could not connect) is this call's ERROR */
	if (edata.elevel > ERROR)
		edata.elevel = ERROR;
	if (edata.elevel < WARNING)
		return;
	ThrowErrorData(&edata);
}

/* Receive until the worker detaches; returns the job's output. */
static char *
receive_output(shm_mq_handle *mqh, size_t *out_len)
{
	char	   *out = NULL;

	*out_len = 0;
	for (;;)
	{
		Size		nbytes;
		void	   *data;
		StringInfoData msg;
		char		type;

		if (shm_mq_receive(mqh, &nbytes, &data, false) != SHM_MQ_SUCCESS)
			break;
		if (nbytes < 1)
			continue;
		msg.data = data;
		msg.len = nbytes;
		msg.maxlen = nbytes;
		msg.cursor = 0;
		type = pq_getmsgbyte(&msg);
		if (type == 'E' || type == 'N')
			rethrow_message(&msg);
		else if (type == 'd' && out == NULL)
		{
			*out_len = nbytes - 1;
			out = palloc(*out_len + 1);
			memcpy(out, msg.data + 1, *out_len);
			out[*out_len] = '\0';
		}
	}
	if (out == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the scratch database's background worker exited without a result"),
				 errhint("Its own message is in the server log.")));
	return out;
}

static char *
run_job(Oid dboid, const char *job_name, const char *input, size_t input_len,
		size_t *out_len, const ScratchMeanwhile *meanwhile)
{
	StringInfoData gucs;
	shm_toc_estimator e;
	dsm_segment *seg;
	shm_toc    *toc;
	ScratchShared *shared;
	char	   *p;
	shm_mq	   *mq;
	shm_mq_handle *mqh;
	BackgroundWorkerHandle *volatile handle = NULL;
	char	   *out;

	initStringInfo(&gucs);
	collect_settings(&gucs);

	shm_toc_initialize_estimator(&e);
	shm_toc_estimate_chunk(&e, sizeof(ScratchShared));
	shm_toc_estimate_chunk(&e, input_len + 1);
	shm_toc_estimate_chunk(&e, gucs.len);
	shm_toc_estimate_chunk(&e, SCRATCH_MQ_SIZE);
	shm_toc_estimate_keys(&e, 4);
	seg = dsm_create(shm_toc_estimate(&e), 0);
	toc = shm_toc_create(SCRATCH_MAGIC, dsm_segment_address(seg),
						 shm_toc_estimate(&e));

	shared = shm_toc_allocate(toc, sizeof(ScratchShared));
	memset(shared, 0, sizeof(ScratchShared));
	shared->database = dboid;
	shared->login_role = GetAuthenticatedUserId();
	shared->role = GetUserId();
	strlcpy(shared->job, job_name, NAMEDATALEN);
	shared->input_len = input_len;
	shm_toc_insert(toc, KEY_SHARED, shared);

	p = shm_toc_allocate(toc, input_len + 1);
	if (input_len)
		memcpy(p, input, input_len);
	p[input_len] = '\0';
	shm_toc_insert(toc, KEY_INPUT, p);

	p = shm_toc_allocate(toc, gucs.len);
	memcpy(p, gucs.data, gucs.len);
	shm_toc_insert(toc, KEY_GUCS, p);

	mq = shm_mq_create(shm_toc_allocate(toc, SCRATCH_MQ_SIZE), SCRATCH_MQ_SIZE);
	shm_toc_insert(toc, KEY_MQ, mq);
	shm_mq_set_receiver(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);

	PG_TRY();
	{
		handle = launch_job_worker(seg);
		shm_mq_set_handle(mqh, handle);
		if (meanwhile != NULL)
			meanwhile->fn(meanwhile->arg);
		out = receive_output(mqh, out_len);
		/* gone before DROP DATABASE, which would otherwise terminate it */
		(void) WaitForBackgroundWorkerShutdown(handle);
	}
	PG_FINALLY();
	{
		if (handle != NULL)
		{
			HOLD_INTERRUPTS();
			terminate_and_wait(handle);
			RESUME_INTERRUPTS();
			pfree(handle);
		}
		dsm_detach(seg);
	}
	PG_END_TRY();
	pfree(gucs.data);
	return out;
}

char *
scratch_run(const char *job_name, const char *input, size_t input_len,
			size_t *out_len)
{
	return scratch_run_meanwhile(job_name, input, input_len, out_len, NULL);
}

char *
scratch_run_meanwhile(const char *job_name, const char *input,
					  size_t input_len, size_t *out_len,
					  const ScratchMeanwhile *meanwhile)
{
	ScratchRecord r;
	LOCKTAG		tag;
	char	   *create_sql;
	volatile bool created = false;
	char	   *volatile out = NULL;

	check_can_create();
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("a scratch database cannot be created on a standby server"),
				 errhint("Compare schemas on the primary.")));
	(void) scratch_cleanup();
	make_record_dir();

	memset(&r, 0, sizeof(r));
	if (!pg_strong_random(&r.token, sizeof(r.token)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random scratch database name")));
	snprintf(r.name, NAMEDATALEN, SCRATCH_PREFIX "%016llx",
			 (unsigned long long) r.token);
	create_sql = create_statement(r.name);

	record_locktag(&tag, r.token);
	(void) LockAcquire(&tag, ExclusiveLock, true, false);
	PG_TRY();
	{
		record_write(&r);
		run_autonomous(create_sql, ERROR);
		created = true;
		InvalidateCatalogSnapshot();
		r.oid = get_database_oid(r.name, false);
		record_write(&r);
		out = run_job(r.oid, job_name, input, input_len, out_len, meanwhile);
	}
	PG_FINALLY();
	{
		bool		gone;

		/*
		 * Not with interrupts held: DROP DATABASE waits for every backend,
		 * this one included, to absorb a ProcSignalBarrier.  Should a
		 * second cancel stop the drop, the record stays for the next call.
		 */
		gone = !created || drop_database(r.name, WARNING);
		if (gone)
			record_remove(r.name);
		LockRelease(&tag, ExclusiveLock, true);
	}
	PG_END_TRY();
	return out;
}

/* ---------- the worker ---------- */

static void
apply_settings(const ScratchShared *shared, const char *gucs)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (shared->role != shared->login_role)
		SetConfigOption("role", GetUserNameFromId(shared->role, false),
						PGC_USERSET, PGC_S_SESSION);
	while (*gucs)
	{
		const char *name = gucs;
		const char *value = name + strlen(name) + 1;

		SetConfigOption(name, value, PGC_SUSET, PGC_S_SESSION);
		gucs = value + strlen(value) + 1;
	}
	/* the loaded SQL's NOTICEs ("... does not exist, skipping") are noise */
	SetConfigOption("client_min_messages", "warning", PGC_SUSET, PGC_S_SESSION);
	CommitTransactionCommand();
}

void
sm_scratch_worker_main(Datum main_arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	ScratchShared *shared;
	shm_mq	   *mq;
	shm_mq_handle *mqh;
	char	   *input;
	char	   *gucs;
	ScratchJob	job;
	StringInfoData out;

	toc = worker_attach_segment(main_arg, SCRATCH_MAGIC, &seg);
	shared = shm_toc_lookup(toc, KEY_SHARED, false);
	input = shm_toc_lookup(toc, KEY_INPUT, false);
	gucs = shm_toc_lookup(toc, KEY_GUCS, false);
	mq = shm_toc_lookup(toc, KEY_MQ, false);
	shm_mq_set_sender(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);
	/* from here on, errors and warnings go to the caller */
	pq_redirect_to_shm_mq(seg, mqh);

	BackgroundWorkerInitializeConnectionByOid(shared->database,
											  shared->login_role,
											  BGWORKER_BYPASS_ALLOWCONN);
	apply_settings(shared, gucs);

	job = (ScratchJob) load_external_function(MyBgworkerEntry->bgw_library_name,
											  shared->job, true, NULL);
	initStringInfo(&out);
	job(input, shared->input_len, &out);
	{
		StringInfoData msg;

		pq_beginmessage(&msg, 'd');
		pq_sendbytes(&msg, out.data, out.len);
		pq_endmessage(&msg);
	}
	proc_exit(0);
}

/* ---------- helpers for jobs ---------- */

/*
 * One statement as a simple query runs it: its own transaction (which the
 * statement may commit and restart, as CALL and CREATE INDEX CONCURRENTLY
 * do), analyzed, planned and run through an unnamed portal as a top-level
 * statement.  The trees live outside transaction memory for that reason.
 */
static void
exec_parsed(RawStmt *parsetree, const char *sql)
{
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext,
											  "schema_migrate scratch statement",
											  ALLOCSET_DEFAULT_SIZES);

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	debug_query_string = sql;
	pgstat_report_activity(STATE_RUNNING, sql);
	if (StatementTimeout > 0)
		enable_timeout_after(STATEMENT_TIMEOUT, StatementTimeout);

	if (IsA(parsetree->stmt, TransactionStmt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("transaction control statements are not allowed in a schema file"),
				 errdetail("Every statement of a schema file runs in a transaction of its own.")));
	worker_run_parsed(parsetree, sql, cxt);

	disable_timeout(STATEMENT_TIMEOUT, false);
	CommitTransactionCommand();
	debug_query_string = NULL;
	pgstat_report_activity(STATE_IDLE, NULL);
	MemoryContextDelete(cxt);
}

void
scratch_exec(const char *sql)
{
	List	   *trees = raw_parser(sql, RAW_PARSE_DEFAULT);

	if (list_length(trees) != 1)
		elog(ERROR, "scratch_exec runs exactly one statement, not %d",
			 list_length(trees));
	exec_parsed(linitial_node(RawStmt, trees), sql);
}

/* Where an error of a schema file is: file and line. */
typedef struct ScriptPlace
{
	const char *file;
	const char *text;			/* the whole file */
	int			first_line;		/* line of text[0] */
	int			stmt_offset;	/* offset of the running statement, or -1 */
	int			stmt_len;
} ScriptPlace;

static int
line_at(const ScriptPlace *p, int offset)
{
	int			line = p->first_line;

	for (int i = 0; i < offset && p->text[i]; i++)
		line += p->text[i] == '\n';
	return line;
}

/* offset of the first character that is neither blank nor comment */
static int
skip_blank(const char *s, int off, int end)
{
	while (off < end)
	{
		if (isspace((unsigned char) s[off]))
			off++;
		else if (s[off] == '-' && s[off + 1] == '-')
		{
			while (off < end && s[off] != '\n')
				off++;
		}
		else if (s[off] == '/' && s[off + 1] == '*')
		{
			const char *close = strstr(s + off + 2, "*/");

			off = close ? (int) (close - s) + 2 : end;
		}
		else
			break;
	}
	return off;
}

static void
script_error_callback(void *arg)
{
	ScriptPlace *p = arg;
	int			pos = geterrposition() > 0 ? geterrposition() : getinternalerrposition();
	int			base = p->stmt_offset < 0 ? 0 : p->stmt_offset;
	int			offset;

	if (pos > 0)
	{
		/* a character position (1-based) into the running text */
		const char *s = p->text + base;

		offset = 0;
		for (int c = 1; c < pos && s[offset]; c++)
			offset += pg_mblen(s + offset);
		offset += base;
	}
	else if (p->stmt_offset >= 0)
		offset = skip_blank(p->text, p->stmt_offset,
							p->stmt_offset + p->stmt_len);
	else
		offset = 0;
	errcontext("schema file \"%s\", line %d", p->file, line_at(p, offset));
}

/* Open the batch transaction of scratch_exec_script if none is open. */
static void
batch_begin(bool *open)
{
	if (*open)
		return;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	*open = true;
}

static void
batch_commit(bool *open)
{
	if (!*open)
		return;
	SPI_finish();
	CommitTransactionCommand();
	*open = false;
}

/*
 * The statements of a schema file run in batches of SCRATCH_BATCH
 * statements, each batch one transaction through SPI: a commit per
 * statement costs a WAL flush each, seconds for a schema of a few thousand
 * statements with synchronous_commit on, while one transaction for all of
 * them is a third slower than batches (measured: 3,235 statements of
 * bench/autogenerate.sh, 2.5 s against 1.8 s), the cost of DDL growing
 * with the transaction.  Nobody sees the scratch database, and an error
 * drops it, so the batches change nothing but the time.  After a SET
 * LOCAL the rest of the file stays in one transaction, which that setting
 * lasts for.  A statement that cannot run in a transaction (CREATE INDEX
 * CONCURRENTLY, ...) runs top-level on its own; after ALTER TYPE ... ADD
 * VALUE the batch commits, so that later statements may use the new value.
 */
#define SCRATCH_BATCH 500

void
scratch_exec_script(const char *file, const char *sql, int first_line)
{
	ScriptPlace place = {file, sql, first_line, -1, 0};
	ErrorContextCallback cb = {error_context_stack, script_error_callback, &place};
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext,
											  "schema_migrate scratch script",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	List	   *trees;
	ListCell   *lc;
	int			total = strlen(sql);
	bool		open = false;
	int			in_batch = 0;
	bool		set_local = false;

	error_context_stack = &cb;
	trees = raw_parser(sql, RAW_PARSE_DEFAULT);
	foreach(lc, trees)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		int			end = rs->stmt_len ? rs->stmt_location + rs->stmt_len : total;
		/* from the first word: clean context lines, positions from there */
		int			start = skip_blank(sql, rs->stmt_location, end);
		char	   *text = pnstrdup(sql + start, end - start);
		int			rc;

		place.stmt_offset = start;
		place.stmt_len = end - start;
		if (IsA(rs->stmt, TransactionStmt))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
					 errmsg("transaction control statements are not allowed in a schema file"),
					 errdetail("schema_migrate decides where the schema's transactions begin and end.")));
		if (stmt_non_transactional(rs->stmt) != NULL)
		{
			List	   *one;

			batch_commit(&open);
			/* positions of the statement's own parse tree count from its text */
			one = raw_parser(text, RAW_PARSE_DEFAULT);
			if (list_length(one) == 1)
				exec_parsed(linitial_node(RawStmt, one), text);
			continue;
		}
		batch_begin(&open);
		/* as a portal would; not read-only, so SPI sees each earlier statement */
		PushActiveSnapshot(GetTransactionSnapshot());
		rc = SPI_execute(text, false, 0);
		PopActiveSnapshot();
		if (rc < 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("statement cannot run in a schema file: %s", SPI_result_code_string(rc)),
					 errhint("A schema file holds plain SQL statements: no COPY from the client, no transaction control.")));
		if (IsA(rs->stmt, VariableSetStmt) && ((VariableSetStmt *) rs->stmt)->is_local)
			set_local = true;
		if (IsA(rs->stmt, AlterEnumStmt) ||
			(++in_batch >= SCRATCH_BATCH && !set_local))
		{
			batch_commit(&open);
			in_batch = 0;
		}
	}
	batch_commit(&open);
	error_context_stack = cb.previous;
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

/*
 * Let a non-superuser caller migrate with the extension the bootstrap
 * superuser installed: sm_grant_migrator(), less the USAGE on the schema
 * when PUBLIC has it already (public), since that grant would show in the
 * schema's ACL and so in the model as a difference nobody made.
 */
static void
grant_migrator(const char *ext_schema, const char *role)
{
	bool		explicit_usage;
	bool		public_usage;
	bool		isnull;

	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_execute_with_args("SELECT pg_catalog.bool_or(a.grantee = r.oid), pg_catalog.bool_or(a.grantee = 0 AND a.privilege_type = 'USAGE')"
							  " FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a, pg_catalog.pg_roles r"
							  " WHERE n.nspname = $1 AND r.rolname = $2",
							  2, (Oid[]) {TEXTOID, TEXTOID},
							  (Datum[]) {CStringGetTextDatum(ext_schema), CStringGetTextDatum(role)},
							  NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ACL of schema \"%s\"", ext_schema);
	explicit_usage = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) && !isnull;
	public_usage = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)) && !isnull;
	PopActiveSnapshot();
	SPI_finish();
	CommitTransactionCommand();

	scratch_exec(psprintf("SELECT %s.sm_grant_migrator(%s)", quote_identifier(ext_schema),
						  quote_literal_cstr(role)));
	if (public_usage && !explicit_usage)
		scratch_exec(psprintf("REVOKE USAGE ON SCHEMA %s FROM %s", quote_identifier(ext_schema),
							  quote_identifier(role)));
}

void
scratch_replay_set(const char *ext_schema, const char *set_name,
				   const char *const *targets, int n_targets)
{
	const char *qschema = quote_identifier(ext_schema);
	Oid			save_uid;
	int			save_sec;
	char	   *role;
	char	   *dbname;
	bool		caller_is_superuser;
	bool		non_transactional = false;

	/* catalog lookups need a transaction; the job runs outside one */
	StartTransactionCommand();
	role = MemoryContextStrdup(TopMemoryContext, GetUserNameFromId(GetUserId(), false));
	dbname = MemoryContextStrdup(TopMemoryContext, get_database_name(MyDatabaseId));
	caller_is_superuser = superuser();
	{
		MigrationSet *set = set_load(set_name);

		for (int i = 0; i < set->n; i++)
			non_transactional |= !set->migs[i]->transactional;
	}
	CommitTransactionCommand();

	/*
	 * The extension is not trusted: create it as the bootstrap superuser,
	 * with SET ROLE locked out, and let the caller's role migrate.
	 */
	GetUserIdAndSecContext(&save_uid, &save_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE);
	scratch_exec(psprintf("CREATE SCHEMA IF NOT EXISTS %s", qschema));
	scratch_exec(psprintf("CREATE EXTENSION schema_migrate SCHEMA %s", qschema));
	if (!caller_is_superuser)
		grant_migrator(ext_schema, role);

	/*
	 * worker.c runs non-transactional statements in a worker of its own,
	 * which connects normally: open the database to background workers.
	 * CONNECTION LIMIT 0 still keeps every non-superuser session out.
	 */
	if (non_transactional)
		scratch_exec(psprintf("ALTER DATABASE %s ALLOW_CONNECTIONS true",
							  quote_identifier(dbname)));
	SetUserIdAndSecContext(save_uid, save_sec);

	for (int i = 0; i < n_targets; i++)
		scratch_exec(psprintf("CALL %s.sm_migrate(%s, %s)", qschema,
							  quote_literal_cstr(targets[i]),
							  quote_literal_cstr(set_name)));
}

void
scratch_write_model(StringInfo out)
{
	const SmEnv *env;
	SmSchemaModel *m;
	char	   *bytes;
	size_t		len;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	env = sm_server_env();
	m = model_read_catalogs(env);
	bytes = model_serialize(env, m, &len);
	appendBinaryStringInfo(out, bytes, len);
	PopActiveSnapshot();
	SPI_finish();
	CommitTransactionCommand();
}

/* ---------- the two jobs ---------- */

/* input: "name\0sql\0" per file */
void
sm_scratch_job_sql(const char *input, size_t len, StringInfo out)
{
	const char *p = input;
	const char *end = input + len;

	while (p < end)
	{
		const char *name = p;
		const char *sql = name + strlen(name) + 1;

		scratch_exec_script(name, sql, 1);
		p = sql + strlen(sql) + 1;
	}
	scratch_write_model(out);
}

/* input: "set\0schema\0target\0target\0..." */
void
sm_scratch_job_set(const char *input, size_t len, StringInfo out)
{
	const char *end = input + len;
	const char *set_name = input;
	const char *schema = set_name + strlen(set_name) + 1;
	const char *p = schema + strlen(schema) + 1;
	const char **targets = palloc(sizeof(char *) * (len + 1));
	int			n = 0;

	while (p < end)
	{
		targets[n++] = p;
		p += strlen(p) + 1;
	}
	scratch_replay_set(schema, set_name, targets, n);
	scratch_write_model(out);
}

/* ---------- caller side of the two jobs ---------- */

const char *
scratch_ext_schema(void)
{
	char	   *schema = NULL;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT n.nspname FROM pg_catalog.pg_extension e"
					" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
					" WHERE e.extname OPERATOR(pg_catalog.=) 'schema_migrate'", true, 1) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		schema = MemoryContextStrdup(TopTransactionContext, NameStr(*DatumGetName(d)));
	}
	SPI_finish();
	return schema ? schema : "public";
}

static SmSchemaModel *
model_from_bytes(const char *bytes, size_t len)
{
	return model_deserialize(sm_server_env(), bytes, len);
}

SmSchemaModel *
scratch_model_of_sql(const ScratchFile *files, int n,
					 const ScratchMeanwhile *meanwhile)
{
	StringInfoData in;
	char	   *bytes;
	size_t		len;

	initStringInfo(&in);
	for (int i = 0; i < n; i++)
	{
		appendBinaryStringInfo(&in, files[i].name, strlen(files[i].name) + 1);
		appendBinaryStringInfo(&in, files[i].sql, strlen(files[i].sql) + 1);
	}
	bytes = scratch_run_meanwhile("sm_scratch_job_sql", in.data, in.len, &len,
								  meanwhile);
	return model_from_bytes(bytes, len);
}

SmSchemaModel *
scratch_model_of_set(const char *set_name, const char *const *targets,
					 int n_targets, const ScratchMeanwhile *meanwhile)
{
	StringInfoData in;
	const char *schema = scratch_ext_schema();
	char	   *bytes;
	size_t		len;

	initStringInfo(&in);
	appendBinaryStringInfo(&in, set_name, strlen(set_name) + 1);
	appendBinaryStringInfo(&in, schema, strlen(schema) + 1);
	for (int i = 0; i < n_targets; i++)
		appendBinaryStringInfo(&in, targets[i], strlen(targets[i]) + 1);
	bytes = scratch_run_meanwhile("sm_scratch_job_set", in.data, in.len, &len,
								  meanwhile);
	return model_from_bytes(bytes, len);
}
