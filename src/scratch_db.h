/*-------------------------------------------------------------------------
 *
 * scratch_db.h
 *	  Scratch databases: run a job in a fresh database on the same instance,
 *	  in a background worker connected to it, and get its bytes back.
 *
 * The generic entry is scratch_run(): it creates a database (TEMPLATE
 * template0, this database's encoding and locale, ALLOW_CONNECTIONS false,
 * CONNECTION LIMIT 0), starts a background worker connected to it
 * (BGWORKER_BYPASS_ALLOWCONN) as the calling role, calls the job there by
 * its exported C name, hands the bytes the job wrote back through a shm_mq
 * and drops the database, also on error.  Errors and warnings of the job
 * arrive in the caller as they were raised in the worker (SQLSTATE,
 * detail, hint, context).
 *
 * A job is a C function of this library:
 *
 *   PGDLLEXPORT void my_job(const char *input, size_t len, StringInfo out);
 *
 * called outside any transaction, as the caller's role, with the caller's
 * schema_migrate.* settings, search_path and timeouts.  It runs whatever it
 * needs with the helpers below (or starts transactions of its own) and
 * appends its result to out.  Example (sm_trace): replay the set to this
 * database's current revisions with scratch_replay_set(), then run and
 * observe the pending statements with scratch_exec().
 *
 * Every scratch database is recorded in $PGDATA/schema_migrate/scratch/
 * before it is created and holds a cluster-wide advisory lock for as long
 * as its caller runs; the next scratch_run() drops the ones whose caller is
 * gone (see scratch_db.c for the rule that keeps a user's database safe).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_SCRATCH_DB_H
#define SM_SCRATCH_DB_H

#include "schema_migrate.h"
#include "lib/stringinfo.h"
#include "schema_model.h"

typedef void (*ScratchJob) (const char *input, size_t len, StringInfo out);

/* schema_migrate.scratch_tablespace: where scratch databases live ("" = default) */
extern char *sm_scratch_tablespace;

/*
 * Run job_name (an exported function of schema_migrate.so with the
 * ScratchJob signature) in a fresh scratch database.  Returns the bytes the
 * job appended (palloc'd, NUL-terminated for convenience), *out_len their
 * count.  Needs CREATEDB or superuser and a free background worker slot.
 * May be called inside a transaction (SELECT sm_diff()); the scratch
 * database is created, used and dropped by other processes.
 */
extern char *scratch_run(const char *job_name, const char *input,
						 size_t input_len, size_t *out_len);

/*
 * Work of the caller's own while the worker runs the job: sm_diff reads
 * this database's model, sm_check_schema loads the second scratch database
 * (a nested scratch_run), each on a core of its own instead of one after
 * the other.  Errors of fn end the job and drop the database as any error.
 */
typedef struct ScratchMeanwhile
{
	void		(*fn) (void *arg);
	void	   *arg;
} ScratchMeanwhile;

/* scratch_run(), calling meanwhile->fn (when not NULL) once the worker is started */
extern char *scratch_run_meanwhile(const char *job_name, const char *input,
								   size_t input_len, size_t *out_len,
								   const ScratchMeanwhile *meanwhile);

/* Drop leftovers of killed callers now; returns how many were dropped. */
extern int	scratch_cleanup(void);

/* ---------- the two jobs autogenerate needs, as caller-side calls ---------- */

/* A schema file to load: its name (for errors) and text. */
typedef struct ScratchFile
{
	const char *name;			/* e.g. "schema/01_tables.sql" */
	const char *sql;
} ScratchFile;

/* The model of a database holding exactly these files, loaded in order. */
extern SmSchemaModel *scratch_model_of_sql(const ScratchFile *files, int n,
										   const ScratchMeanwhile *meanwhile);

/*
 * The model of a database where set_name's migrations were applied up to
 * each of targets[0..n_targets-1] in turn (CALL sm_migrate(target, set) as
 * a top-level statement, so non-transactional migrations run as they do in
 * production).  n_targets 0: an empty database (the set at base).
 */
extern SmSchemaModel *scratch_model_of_set(const char *set_name,
										   const char *const *targets,
										   int n_targets,
										   const ScratchMeanwhile *meanwhile);

/* ---------- helpers for jobs (inside the scratch worker only) ---------- */

/*
 * Run sql statement by statement in one transaction (statements that cannot
 * run in one, such as CREATE INDEX CONCURRENTLY, top-level on their own; a
 * commit after ALTER TYPE ... ADD VALUE); errors carry "schema file NAME,
 * line N" in their context (line counted from first_line at sql's start).
 */
extern void scratch_exec_script(const char *file, const char *sql,
								int first_line);

/* One top-level statement (CALL, CREATE INDEX CONCURRENTLY, ...). */
extern void scratch_exec(const char *sql);

/*
 * CREATE EXTENSION schema_migrate in the scratch database, in ext_schema
 * (pass the caller's scratch_ext_schema() in the job's input; as the bootstrap
 * superuser, since the extension is not trusted; the caller's role gets
 * sm_grant_migrator), then CALL sm_migrate(target, set) for each target.
 */
extern void scratch_replay_set(const char *ext_schema, const char *set_name,
							   const char *const *targets, int n_targets);

/* Caller side: the schema schema_migrate is installed in here ("public" if none). */
extern const char *scratch_ext_schema(void);

/* model_read_catalogs() + model_serialize() of the scratch database. */
extern void scratch_write_model(StringInfo out);

#endif							/* SM_SCRATCH_DB_H */
