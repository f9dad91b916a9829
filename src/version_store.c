/*-------------------------------------------------------------------------
 *
 * version_store.c
 *	  The extension's tables, through SPI: which revisions are applied, and
 *	  the log of operations.
 *
 * Every query names its tables, functions and operators with their schema
 * (the extension's, or pg_catalog), and passes every value as a typed
 * parameter: a caller's search_path cannot redirect them, and no revision
 * id or message is ever spliced into SQL.
 *
 * Writes are batched: one INSERT of all steps of an operation (unnest of
 * arrays) instead of one statement per migration, which keeps the
 * bookkeeping of a 500-migration upgrade to a few statements.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "access/hash.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

/* The first key of the advisory lock, "SMIG"; the second hashes the set. */
#define SM_LOCK_CLASS	0x534D4947

static Datum
text_array(char **items, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n + 1));
	bool	   *nulls = palloc(sizeof(bool) * (n + 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		nulls[i] = items[i] == NULL;
		d[i] = items[i] ? CStringGetTextDatum(items[i]) : (Datum) 0;
	}
	return PointerGetDatum(construct_md_array(d, nulls, 1, dims, lbs, TEXTOID,
											  -1, false, TYPALIGN_INT));
}

static Datum
float8_array(double *items, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n + 1));

	for (int i = 0; i < n; i++)
		d[i] = Float8GetDatum(items[i]);
	return PointerGetDatum(construct_array(d, n, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static Datum
timestamptz_array(TimestampTz *items, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n + 1));

	for (int i = 0; i < n; i++)
		d[i] = TimestampTzGetDatum(items[i]);
	return PointerGetDatum(construct_array(d, n, TIMESTAMPTZOID, sizeof(TimestampTz),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static char *
current_role_name(void)
{
	return GetUserNameFromId(GetUserId(), false);
}

/* ---------- reading ---------- */

static char *
col_text(HeapTuple tup, TupleDesc desc, int col)
{
	return SPI_getvalue(tup, desc, col);
}

/*
 * Read the applied revisions of the set: one indexed read.  Uses a fresh
 * snapshot (read_only = false), so a caller that just waited for the set's
 * lock sees what the previous holder committed.
 */
SetState *
store_read_state(const char *schema, const MigrationSet *set)
{
	const Graph *g = set->graph;
	SetState   *st = palloc0(sizeof(SetState));
	char	   *sql = psprintf("SELECT revision, checksum, applied_at, applied_by, duration_ms,"
							   " NULL::int, NULL::int, NULL::text"
							   " FROM %s.sm_version WHERE set_name OPERATOR(pg_catalog.=) $1"
							   " UNION ALL"
							   " SELECT revision, NULL, started_at, NULL, NULL,"
							   " statements_done, statements_total, direction"
							   " FROM %s.sm_partial WHERE set_name OPERATOR(pg_catalog.=) $1",
							   schema, schema);
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(set->name)};
	uint64		n;

	sm_spi_check(SPI_execute_with_args(sql, 1, types, values, NULL, false, 0),
			  "reading the version table");
	n = SPI_processed;
	st->applied = palloc0(sizeof(bool) * (g->n + 1));
	st->rows = palloc0(sizeof(AppliedRev *) * (g->n + 1));
	st->orphans = palloc0(sizeof(AppliedRev) * (n + 1));
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		AppliedRev *r = palloc0(sizeof(AppliedRev));
		bool		isnull;
		int			node;

		r->revision = col_text(tup, desc, 1);
		r->checksum = col_text(tup, desc, 2);
		r->applied_at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 3, &isnull));
		r->applied_by = col_text(tup, desc, 4);
		r->duration_ms = DatumGetFloat8(SPI_getbinval(tup, desc, 5, &isnull));
		if (isnull)
			r->duration_ms = -1;
		node = graph_find(g, r->revision);
		if (col_text(tup, desc, 8) != NULL)
		{
			/* a non-transactional migration stopped half-way */
			PartialRev *p = palloc0(sizeof(PartialRev));

			p->revision = r->revision;
			p->node = node;
			p->started_at = r->applied_at;
			p->done = DatumGetInt32(SPI_getbinval(tup, desc, 6, &isnull));
			p->total = DatumGetInt32(SPI_getbinval(tup, desc, 7, &isnull));
			p->direction = strcmp(col_text(tup, desc, 8), "up") == 0 ? PLAN_UP : PLAN_DOWN;
			st->partial = p;
		}
		else if (node < 0)
			st->orphans[st->n_orphans++] = *r;
		else
		{
			st->applied[node] = true;
			st->rows[node] = r;
		}
	}
	SPI_freetuptable(SPI_tuptable);
	return st;
}

/*
 * The fast path of the start-up no-op: is every revision of the set
 * applied, with the checksum its file has now, and nothing half-way?  One
 * index probe of sm_fingerprint, which triggers keep up to date with every
 * change to the version rows.  The plan is kept per backend (one saved
 * plan; re-made if the extension's schema differs), since planning would
 * cost more than the probe.
 */
static SPIPlanPtr at_head_plan = NULL;
static char at_head_schema[NAMEDATALEN * 2 + 3];

bool
store_at_head(const char *schema, const char *set_name, const char *fingerprint)
{
	Datum		values[1];
	bool		isnull;
	bool		same;

	if (fingerprint == NULL)
		return false;
	if (at_head_plan == NULL || strcmp(at_head_schema, schema) != 0)
	{
		Oid			types[1] = {TEXTOID};
		SPIPlanPtr	plan;

		if (at_head_plan)
			SPI_freeplan(at_head_plan);
		at_head_plan = NULL;
		plan = SPI_prepare(psprintf("SELECT fingerprint FROM %s.sm_fingerprint"
									" WHERE set_name OPERATOR(pg_catalog.=) $1", schema),
						   1, types);
		if (plan == NULL)
			sm_spi_check(SPI_result, "preparing the fingerprint probe");
		sm_spi_check(SPI_keepplan(plan), "keeping the fingerprint probe");
		at_head_plan = plan;
		strlcpy(at_head_schema, schema, sizeof(at_head_schema));
	}
	values[0] = CStringGetTextDatum(set_name);
	sm_spi_check(SPI_execute_plan(at_head_plan, values, NULL, false, 1),
			  "reading the fingerprint");
	if (SPI_processed != 1)
		return false;
	(void) SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	same = !isnull &&
		strcmp(TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc, 1, &isnull)),
			   fingerprint) == 0;
	SPI_freetuptable(SPI_tuptable);
	return same;
}

/* ---------- locking ---------- */

static void
set_lock_tag(LOCKTAG *tag, const MigrationSet *set)
{
	uint32		key = hash_bytes((const unsigned char *) set->name, strlen(set->name));

	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, SM_LOCK_CLASS, key, 2);
}

/*
 * Serialize migrations of one set in one database: an advisory lock, the
 * same as pg_advisory_xact_lock(1397573959, hashtext(set_name)), so a DBA
 * can see in pg_locks who is migrating.  Transaction-level for functions;
 * session-level for sm_migrate, whose commits would release the other.
 * schema_migrate.wait_timeout bounds the wait with a clear error.
 */
void
store_lock_set(const MigrationSet *set, bool session)
{
	LOCKTAG		tag;
	TimestampTz deadline;

	set_lock_tag(&tag, set);
	if (sm_wait_timeout <= 0)
	{
		(void) LockAcquire(&tag, ExclusiveLock, session, false);
		return;
	}
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), sm_wait_timeout);
	while (LockAcquire(&tag, ExclusiveLock, session, true) == LOCKACQUIRE_NOT_AVAIL)
	{
		if (GetCurrentTimestamp() >= deadline)
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("another session has been migrating set \"%s\" for longer than schema_migrate.wait_timeout (%d ms)",
							set->name, sm_wait_timeout),
					 errhint("Let it finish, or raise schema_migrate.wait_timeout; the session holding it is SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 1397573959 AND objid = %u AND granted.",
							 tag.locktag_field3)));
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

void
store_unlock_set(const MigrationSet *set)
{
	LOCKTAG		tag;

	set_lock_tag(&tag, set);
	(void) LockRelease(&tag, ExclusiveLock, true);
}

/* ---------- writing ---------- */

static void
insert_version_rows(const char *schema, const MigrationSet *set,
					StepRecord *steps, int n)
{
	char	   *sql = psprintf("INSERT INTO %s.sm_version"
							   " (set_name, revision, checksum, applied_at, applied_by, duration_ms)"
							   " SELECT $1, u.r, u.c, u.a, $2, u.d"
							   " FROM ROWS FROM (pg_catalog.unnest($3), pg_catalog.unnest($4),"
							   "  pg_catalog.unnest($5), pg_catalog.unnest($6)) AS u(r, c, a, d)",
							   schema);
	Oid			types[6] = {TEXTOID, NAMEOID, TEXTARRAYOID, TEXTARRAYOID,
	TIMESTAMPTZARRAYOID, FLOAT8ARRAYOID};
	Datum		values[6];
	char	  **revs = palloc(sizeof(char *) * (n + 1));
	char	  **sums = palloc(sizeof(char *) * (n + 1));
	TimestampTz *ats = palloc(sizeof(TimestampTz) * (n + 1));
	double	   *durs = palloc(sizeof(double) * (n + 1));

	for (int i = 0; i < n; i++)
	{
		revs[i] = steps[i].mig->revision;
		sums[i] = steps[i].mig->checksum;
		ats[i] = steps[i].started_at;
		durs[i] = steps[i].duration_ms;
	}
	values[0] = CStringGetTextDatum(set->name);
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(current_role_name()));
	values[2] = text_array(revs, n);
	values[3] = text_array(sums, n);
	values[4] = timestamptz_array(ats, n);
	values[5] = float8_array(durs, n);
	sm_spi_check(SPI_execute_with_args(sql, 6, types, values, NULL, false, 0),
			  "recording applied revisions");
}

static void
delete_version_rows(const char *schema, const MigrationSet *set,
					StepRecord *steps, int n)
{
	char	   *sql = psprintf("DELETE FROM %s.sm_version"
							   " WHERE set_name OPERATOR(pg_catalog.=) $1"
							   " AND revision OPERATOR(pg_catalog.=) ANY ($2)",
							   schema);
	Oid			types[2] = {TEXTOID, TEXTARRAYOID};
	Datum		values[2];
	char	  **revs = palloc(sizeof(char *) * (n + 1));

	for (int i = 0; i < n; i++)
		revs[i] = steps[i].mig->revision;
	values[0] = CStringGetTextDatum(set->name);
	values[1] = text_array(revs, n);
	sm_spi_check(SPI_execute_with_args(sql, 2, types, values, NULL, false, 0),
			  "recording reverted revisions");
}

/* One successful log row per step. */
void
store_log_steps(const char *schema, const MigrationSet *set, PlanDirection dir,
		  const char *operation, StepRecord *steps, int n)
{
	char	   *sql = psprintf("INSERT INTO %s.sm_log"
							   " (set_name, revision, operation, direction, checksum, file,"
							   "  started_at, duration_ms, performed_by, success)"
							   " SELECT $1, u.r, $2, $3, u.c, u.f, u.a, u.d, $4, true"
							   " FROM ROWS FROM (pg_catalog.unnest($5), pg_catalog.unnest($6),"
							   "  pg_catalog.unnest($7), pg_catalog.unnest($8), pg_catalog.unnest($9))"
							   " AS u(r, c, f, a, d)",
							   schema);
	Oid			types[9] = {TEXTOID, TEXTOID, TEXTOID, NAMEOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, FLOAT8ARRAYOID};
	Datum		values[9];
	char	  **revs = palloc(sizeof(char *) * (n + 1));
	char	  **sums = palloc(sizeof(char *) * (n + 1));
	char	  **files = palloc(sizeof(char *) * (n + 1));
	TimestampTz *ats = palloc(sizeof(TimestampTz) * (n + 1));
	double	   *durs = palloc(sizeof(double) * (n + 1));

	if (n == 0)
		return;

	for (int i = 0; i < n; i++)
	{
		revs[i] = steps[i].mig->revision;
		sums[i] = steps[i].mig->checksum;
		files[i] = (char *) steps[i].mig->file;
		ats[i] = steps[i].started_at;
		durs[i] = steps[i].duration_ms;
	}
	values[0] = CStringGetTextDatum(set->name);
	values[1] = CStringGetTextDatum(operation);
	values[2] = CStringGetTextDatum(dir == PLAN_UP ? "up" : "down");
	values[3] = DirectFunctionCall1(namein, CStringGetDatum(current_role_name()));
	values[4] = text_array(revs, n);
	values[5] = text_array(sums, n);
	values[6] = text_array(files, n);
	values[7] = timestamptz_array(ats, n);
	values[8] = float8_array(durs, n);
	sm_spi_check(SPI_execute_with_args(sql, 9, types, values, NULL, false, 0),
			  "writing the operations log");
}

void
store_record_steps(const char *schema, const MigrationSet *set,
				   PlanDirection dir, const char *operation,
				   StepRecord *steps, int n)
{
	if (n == 0)
		return;
	if (dir == PLAN_UP)
		insert_version_rows(schema, set, steps, n);
	else
		delete_version_rows(schema, set, steps, n);
	store_log_steps(schema, set, dir, operation, steps, n);
}

/*
 * Make the applied set exactly want: revisions that leave are deleted,
 * revisions that arrive are inserted with their files' checksums, and each
 * change is logged as a stamp.
 */
void
store_stamp(const char *schema, const MigrationSet *set, const SetState *old,
			const bool *want)
{
	const Graph *g = set->graph;
	StepRecord *add = palloc0(sizeof(StepRecord) * (g->n + 1));
	StepRecord *drop = palloc0(sizeof(StepRecord) * (g->n + 1));
	int			n_add = 0,
				n_drop = 0;
	TimestampTz now = GetCurrentTimestamp();

	for (int i = 0; i < g->n; i++)
	{
		StepRecord *r;

		if (want[i] == old->applied[i])
			continue;
		r = want[i] ? &add[n_add++] : &drop[n_drop++];
		r->mig = g->nodes[i].mig;
		r->started_at = now;
		r->duration_ms = 0;
	}
	if (n_add > 0)
		insert_version_rows(schema, set, add, n_add);
	if (n_drop > 0)
		delete_version_rows(schema, set, drop, n_drop);
	store_log_steps(schema, set, PLAN_UP, "stamp", add, n_add);
	store_log_steps(schema, set, PLAN_DOWN, "stamp", drop, n_drop);
}

/* ---------- failures, partial state, repair ---------- */

/*
 * A failed step, for the log.  The caller commits (sm_migrate) so that the
 * record survives the error that follows.
 */
void
store_log_failure(const char *schema, const MigrationSet *set,
				  const Migration *m, PlanDirection dir, const char *sqlstate,
				  const char *message, int line)
{
	char	   *sql = psprintf("INSERT INTO %s.sm_log"
							   " (set_name, revision, operation, direction, checksum, file,"
							   "  started_at, performed_by, success, sqlstate, error, error_line)"
							   " VALUES ($1, $2, $3, $4, $5, $6, pg_catalog.clock_timestamp(), $7,"
							   "  false, $8, $9, $10)",
							   schema);
	Oid			types[10] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	NAMEOID, TEXTOID, TEXTOID, INT4OID};
	Datum		values[10];
	char		nulls[11] = "          ";

	values[0] = CStringGetTextDatum(set->name);
	values[1] = CStringGetTextDatum(m->revision);
	values[2] = CStringGetTextDatum("failure");
	values[3] = CStringGetTextDatum(dir == PLAN_UP ? "up" : "down");
	values[4] = CStringGetTextDatum(m->checksum);
	values[5] = CStringGetTextDatum(m->file);
	values[6] = DirectFunctionCall1(namein, CStringGetDatum(current_role_name()));
	values[7] = CStringGetTextDatum(sqlstate);
	values[8] = CStringGetTextDatum(message);
	values[9] = Int32GetDatum(line);
	if (line <= 0)
		nulls[9] = 'n';
	sm_spi_check(SPI_execute_with_args(sql, 10, types, values, nulls, false, 0),
			  "recording a failure");
}

/* Record how far a non-transactional migration got (one row per set). */
void
store_set_partial(const char *schema, const MigrationSet *set,
				  const Migration *m, PlanDirection dir, int done, int total,
				  const char *error)
{
	char	   *sql = psprintf("INSERT INTO %s.sm_partial AS p"
							   " (set_name, revision, direction, statements_done, statements_total,"
							   "  started_at, updated_at, last_error)"
							   " VALUES ($1, $2, $3, $4, $5, pg_catalog.clock_timestamp(),"
							   "  pg_catalog.clock_timestamp(), $6)"
							   " ON CONFLICT (set_name) DO UPDATE SET"
							   "  statements_done = EXCLUDED.statements_done,"
							   "  updated_at = EXCLUDED.updated_at, last_error = EXCLUDED.last_error",
							   schema);
	Oid			types[6] = {TEXTOID, TEXTOID, TEXTOID, INT4OID, INT4OID, TEXTOID};
	Datum		values[6];
	char		nulls[7] = "      ";

	values[0] = CStringGetTextDatum(set->name);
	values[1] = CStringGetTextDatum(m->revision);
	values[2] = CStringGetTextDatum(dir == PLAN_UP ? "up" : "down");
	values[3] = Int32GetDatum(done);
	values[4] = Int32GetDatum(total);
	values[5] = error ? CStringGetTextDatum(error) : (Datum) 0;
	if (!error)
		nulls[5] = 'n';
	sm_spi_check(SPI_execute_with_args(sql, 6, types, values, nulls, false, 0),
			  "recording partial progress");
}

void
store_clear_partial(const char *schema, const MigrationSet *set)
{
	char	   *sql = psprintf("DELETE FROM %s.sm_partial WHERE set_name OPERATOR(pg_catalog.=) $1",
							   schema);
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(set->name)};

	sm_spi_check(SPI_execute_with_args(sql, 1, types, values, NULL, false, 0),
			  "clearing partial progress");
}

/*
 * Accept the files as they are: record the current checksum of every
 * applied migration whose file changed, and forget applied revisions whose
 * file is gone.  Each change is logged.  Returns how many rows changed.
 */
int
store_repair(const char *schema, const MigrationSet *set, const SetState *st)
{
	const Graph *g = set->graph;
	char	   *upd = psprintf("UPDATE %s.sm_version SET checksum = $3"
							   " WHERE set_name OPERATOR(pg_catalog.=) $1"
							   " AND revision OPERATOR(pg_catalog.=) $2", schema);
	char	   *del = psprintf("DELETE FROM %s.sm_version"
							   " WHERE set_name OPERATOR(pg_catalog.=) $1"
							   " AND revision OPERATOR(pg_catalog.=) $2", schema);
	char	   *logsql = psprintf("INSERT INTO %s.sm_log"
								  " (set_name, revision, operation, direction, checksum,"
								  "  started_at, performed_by, success, error)"
								  " VALUES ($1, $2, 'repair', NULL, $3, pg_catalog.clock_timestamp(),"
								  "  $4, true, $5)", schema);
	Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, NAMEOID, TEXTOID};
	Datum		values[5];
	char		nulls[6] = "     ";
	int			changed = 0;

	values[0] = CStringGetTextDatum(set->name);
	values[3] = DirectFunctionCall1(namein, CStringGetDatum(current_role_name()));
	for (int i = 0; i < g->n + st->n_orphans; i++)
	{
		bool		orphan = i >= g->n;
		const char *rev = orphan ? st->orphans[i - g->n].revision : g->nodes[i].mig->revision;
		const char *sum = orphan ? NULL : g->nodes[i].mig->checksum;

		if (!orphan && (st->rows[i] == NULL ||
						(st->rows[i]->checksum && strcmp(st->rows[i]->checksum, sum) == 0)))
			continue;
		values[1] = CStringGetTextDatum(rev);
		values[2] = sum ? CStringGetTextDatum(sum) : (Datum) 0;
		nulls[2] = sum ? ' ' : 'n';
		sm_spi_check(SPI_execute_with_args(orphan ? del : upd, orphan ? 2 : 3, types,
										values, nulls, false, 0), "repairing");
		values[4] = CStringGetTextDatum(orphan ? "file gone: applied row removed" :
										"file changed: checksum updated");
		sm_spi_check(SPI_execute_with_args(logsql, 5, types, values, nulls, false, 0),
				  "logging a repair");
		changed++;
	}
	return changed;
}

/*
 * The checksum each repeatable migration last ran with, in the order of
 * set->repeatable (NULL: never ran).  Read only for sets that have any.
 */
char **
store_repeatable_checksums(const char *schema, const MigrationSet *set)
{
	char	  **sums = palloc0(sizeof(char *) * (set->n_repeatable + 1));
	char	   *sql = psprintf("SELECT DISTINCT ON (revision) revision, checksum"
							   " FROM %s.sm_log WHERE set_name OPERATOR(pg_catalog.=) $1"
							   " AND operation OPERATOR(pg_catalog.=) 'repeatable' AND success"
							   " ORDER BY revision, id DESC", schema);
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(set->name)};

	sm_spi_check(SPI_execute_with_args(sql, 1, types, values, NULL, false, 0),
			  "reading repeatable migrations");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *rev = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		for (int j = 0; j < set->n_repeatable; j++)
			if (strcmp(set->repeatable[j]->revision, rev) == 0)
				sums[j] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
	}
	return sums;
}

/*
 * A failure record that survives the caller's rollback: sm_upgrade runs
 * in the caller's transaction, which the error is about to abort, so the
 * row is written by a background worker in a transaction of its own.
 * Best effort: if no worker can be had, a WARNING says so and the error
 * itself still carries everything.
 */
void
store_log_failure_autonomous(const char *schema, const MigrationSet *set,
							 const Migration *m, PlanDirection dir,
							 const char *sqlstate, const char *message,
							 int line)
{
	char	   *sql = psprintf("INSERT INTO %s.sm_log"
							   " (set_name, revision, operation, direction, checksum, file,"
							   "  started_at, performed_by, success, sqlstate, error, error_line)"
							   " VALUES (%s, %s, 'failure', %s, %s, %s, pg_catalog.clock_timestamp(),"
							   "  CURRENT_USER, false, %s, %s, %s)",
							   schema, quote_literal_cstr(set->name),
							   quote_literal_cstr(m->revision),
							   dir == PLAN_UP ? "'up'" : "'down'",
							   quote_literal_cstr(m->checksum),
							   quote_literal_cstr(m->file),
							   quote_literal_cstr(sqlstate),
							   quote_literal_cstr(message),
							   line > 0 ? psprintf("%d", line) : "NULL");
	WorkerError err;
	MemoryContext oldcxt = CurrentMemoryContext;

	PG_TRY();
	{
		if (!worker_run_autonomous(sql, &err))
			ereport(WARNING,
					(errmsg("could not record the failure of migration %s in sm_log: %s",
							m->revision, err.message)));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		ereport(WARNING,
				(errmsg("could not record the failure of migration %s in sm_log: %s",
						m->revision, edata->message)));
	}
	PG_END_TRY();
}

/*
 * For sm_status: one row per set this database knows, with its last
 * operation and any partial migration.  Columns: set_name, operation,
 * revision, success, started_at, error, partial revision, statements
 * done, statements total.
 */
SPITupleTable *
store_read_status(const char *schema, uint64 *n)
{
	char	   *sql = psprintf("SELECT s.set_name, l.operation, l.revision, l.success, l.started_at,"
							   " l.error, p.revision, p.statements_done, p.statements_total"
							   " FROM (SELECT set_name FROM %s.sm_version UNION"
							   "       SELECT set_name FROM %s.sm_log UNION"
							   "       SELECT set_name FROM %s.sm_partial) s"
							   " LEFT JOIN LATERAL (SELECT * FROM %s.sm_log g"
							   "   WHERE g.set_name OPERATOR(pg_catalog.=) s.set_name"
							   "   ORDER BY g.id DESC LIMIT 1) l ON true"
							   " LEFT JOIN %s.sm_partial p ON p.set_name OPERATOR(pg_catalog.=) s.set_name"
							   " ORDER BY 1", schema, schema, schema, schema, schema);

	sm_spi_check(SPI_execute(sql, true, 0), "reading the operations log");
	*n = SPI_processed;
	return SPI_tuptable;
}
