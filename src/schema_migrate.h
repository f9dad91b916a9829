/*-------------------------------------------------------------------------
 *
 * schema_migrate.h
 *	  Server-side declarations shared by the files of schema_migrate.
 *
 * Data flows one way: set_reader (files -> Migrations -> Graph, cached per
 * backend) -> revision_graph (plans) -> statements (split and checked) ->
 * executor (runs them through SPI) -> version_store (the extension's
 * tables).  operations.c is what each command does with those pieces;
 * functions.c is the thin SQL-callable layer on top.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMA_MIGRATE_H
#define SCHEMA_MIGRATE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "portability/instr_time.h"
#include "sm_core.h"

/* GUCs (module.c) */
extern char *sm_path;
extern char *sm_set;
extern bool sm_timing;
extern int	sm_lock_timeout;
extern int	sm_lock_retries;
extern int	sm_wait_timeout;
extern bool sm_verify_checksums;
extern bool sm_run_repeatable;
extern int	sm_out_of_order;

#define SM_OUT_OF_ORDER_APPLY	0
#define SM_OUT_OF_ORDER_ERROR	1

/* A loaded migration set: its files parsed and its graph built. */
typedef struct MigrationSet
{
	char	   *name;			/* "set", or "set@schema" for a tenant */
	char	   *tenant;			/* the tenant's schema, or NULL */
	char	   *dir;			/* absolute directory of the set */
	int			n;
	Migration **migs;
	Graph	   *graph;
	int			n_repeatable;	/* re-run when changed, after the others */
	Migration **repeatable;		/* in run order */
	char	   *all_fingerprint;	/* sm_fingerprint when all is applied */
	char	   *heads_text;		/* the current revisions then */
} MigrationSet;

/* One applied revision as the version table has it. */
typedef struct AppliedRev
{
	char	   *revision;
	char	   *checksum;
	TimestampTz applied_at;
	char	   *applied_by;
	double		duration_ms;
} AppliedRev;

/* A non-transactional migration that stopped half-way. */
typedef struct PartialRev
{
	char	   *revision;
	int			node;			/* -1 if its file is gone */
	PlanDirection direction;
	int			done;			/* statements that ran */
	int			total;
	TimestampTz started_at;
} PartialRev;

/* The database's state for one set: a flag per graph node. */
typedef struct SetState
{
	PartialRev *partial;		/* or NULL */
	bool	   *applied;		/* per graph node */
	AppliedRev **rows;			/* per graph node, NULL when not applied */
	int			n_orphans;		/* applied revisions with no file */
	AppliedRev *orphans;
} SetState;

/* What the start-up no-op needs to know about a set. */
typedef struct SetSummary
{
	char	   *name;			/* the key of the version state */
	char	   *fingerprint;	/* sm_fingerprint when all is applied */
	char	   *heads_text;
	int			n_heads;
	int			n_repeatable;
} SetSummary;

/* set_reader.c */
extern SetSummary *set_summary(const char *set_name);
extern const SmEnv *sm_server_env(void);
extern MigrationSet *set_load(const char *set_name);
extern const char *set_resolve_name(const char *set_name);

/* version_store.c -- caller must be SPI-connected */
extern SetState *store_read_state(const char *schema, const MigrationSet *set);
extern bool store_at_head(const char *schema, const char *set_name,
						  const char *fingerprint);
extern void store_lock_set(const MigrationSet *set, bool session);
extern void store_unlock_set(const MigrationSet *set);

typedef struct StepRecord
{
	const Migration *mig;
	TimestampTz started_at;
	double		duration_ms;
} StepRecord;

extern void store_record_steps(const char *schema, const MigrationSet *set,
							   PlanDirection dir, const char *operation,
							   StepRecord *steps, int n);
extern void store_stamp(const char *schema, const MigrationSet *set,
						const SetState *old, const bool *want);
extern void store_log_failure(const char *schema, const MigrationSet *set,
							  const Migration *m, PlanDirection dir,
							  const char *sqlstate, const char *message,
							  int line);
extern void store_log_failure_autonomous(const char *schema,
										 const MigrationSet *set,
										 const Migration *m, PlanDirection dir,
										 const char *sqlstate,
										 const char *message, int line);
extern void store_set_partial(const char *schema, const MigrationSet *set,
							  const Migration *m, PlanDirection dir, int done,
							  int total, const char *error);
extern void store_clear_partial(const char *schema, const MigrationSet *set);
extern void store_log_steps(const char *schema, const MigrationSet *set,
							PlanDirection dir, const char *operation,
							StepRecord *steps, int n);
extern struct SPITupleTable *store_read_status(const char *schema, uint64 *n);
extern char **store_repeatable_checksums(const char *schema,
										 const MigrationSet *set);
extern int	store_repair(const char *schema, const MigrationSet *set,
						 const SetState *st);

/* executor.c */

/* A statement of a step: where it is in the section's SQL. */
typedef struct StmtSpan
{
	int			offset;
	int			len;
	int			line;			/* file line where the statement starts */
	struct IndexStmt *index_check;	/* CREATE INDEX CONCURRENTLY: check it */
	char		txn;			/* a file's own transaction control: 'B'egin,
								 * 'C'ommit, 'R'ollback; 0 for other statements */
} StmtSpan;

/* A step split into statements and checked, before anything runs. */
typedef struct PreparedStep
{
	const Migration *mig;
	const char *file;			/* the file the section comes from */
	struct PreparedStep *verify;	/* a verify script to run after it */
	const char *sql;			/* the up or down section */
	int			first_line;		/* file line of the section's first line */
	int			n_stmts;
	StmtSpan   *stmts;
	bool		toplevel;		/* run statement by statement as top-level
								 * statements (CALL sm_migrate only): not
								 * transactional, or the file has its own
								 * BEGIN ... COMMIT */
} PreparedStep;

extern PreparedStep *exec_prepare_plan(const MigrationSet *set,
									   const MigPlan *plan, bool online);
extern void exec_prepare_migration(const MigrationSet *set,
								   const Migration *m, PlanDirection dir,
								   bool online, PreparedStep *ps);
extern int	exec_repeatable(const char *schema, const MigrationSet *set,
							bool dry_run);

typedef struct ExecResult
{
	int			n_done;
	double		elapsed_ms;
	int			n_repeatable;
} ExecResult;

extern ExecResult exec_plan(const char *schema, const MigrationSet *set,
							const MigPlan *plan, bool repeatables);
extern void exec_check_can_migrate(const char *fname);
/* a direction for exec_make_plan / exec_move: pick it from the target */
#define PLAN_AUTO 2

extern MigPlan *exec_make_plan(const MigrationSet *set, const bool *applied,
							   int dir, const char *target);
extern SetState *exec_lock_and_reread(const char *schema,
									  const MigrationSet *set);
extern char *exec_move(const char *schema, const MigrationSet *set, int dir,
					   const char *target);
extern char *exec_stamp(const char *schema, const MigrationSet *set,
						const char *target);
extern char *exec_fast_noop(const char *schema, const char *set_name,
							const char *target, bool check);
extern int	exec_repair(const char *schema, const MigrationSet *set);
extern void exec_resolve(const char *schema, const MigrationSet *set,
						 const char *rev, bool applied);
extern char *exec_try_move(const char *schema, const char *set_name,
						   const char *target, char **sqlstate, char **error);
extern char *exec_current_text(const Graph *g, const bool *applied);
extern char *exec_tenant_search_path(const MigrationSet *set);
extern void exec_check_drift(const MigrationSet *set, const SetState *st);
extern void exec_check_orphans(const MigrationSet *set, const SetState *st,
							   bool partial_ok);
extern void exec_check_out_of_order(const MigrationSet *set,
									const SetState *st, const MigPlan *plan);
extern void exec_run_step(const MigrationSet *set, const PreparedStep *ps,
						  PlanDirection dir, MemoryContext stmt_cxt,
						  int *fail_line);
extern char *exec_report_done(const MigrationSet *set, const SetState *st,
							  PlanDirection dir, const ExecResult *res);
extern double exec_elapsed_ms(instr_time start);
extern ErrorData *exec_in_subtransaction(void (*fn) (void *arg), void *arg);
extern bool exec_running;

/* stepwise.c */
extern char *stepwise_migrate(const char *schema, const MigrationSet *set,
							  const char *target);


/* statements.c and executor.c: naming the place of an error */
typedef struct LockWait
{
	int			stmt;			/* index of the failing statement, or -1 */
	int			fail_line;		/* line of any error */
} LockWait;

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

extern void exec_error_callback(void *arg);
extern const char *exec_non_transactional(Node *stmt);

/* script_writer.c */
extern char *script_for_plan(const char *schema, const MigrationSet *set,
							 const MigPlan *plan, const bool *applied);

/* graph_render.c */
extern char *render_graph_text(const Graph *g, const bool *applied);
extern char *render_graph_dot(const MigrationSet *set, const bool *applied);

/* worker.c */
typedef struct WorkerError
{
	char		sqlstate[6];
	char	   *message;
	char	   *detail;			/* may be NULL */
	char	   *hint;			/* may be NULL */
	char	   *context;		/* may be NULL: the worker's CONTEXT lines */
	int			position;		/* 1-based char position in the statement, or 0 */
} WorkerError;

/*
 * Run sql (exactly one statement) in a background worker connected to this
 * database as the current user, with the given search_path and timeouts
 * (NULL / <= 0: the caller's own setting).  Waits for it; returns true on
 * success, false with *err filled on failure.  Cancelling the caller
 * (statement_timeout, ^C, pg_cancel_backend) terminates the worker and
 * re-raises.  Must be called with no active snapshot and outside a
 * transaction block (the caller commits first); errors out otherwise.
 */
extern bool worker_run_statement(const char *sql, const char *search_path,
								 int lock_timeout_ms, int statement_timeout_ms,
								 WorkerError *err);
/* Run sql in a worker's own transaction, committed whatever the caller does. */
extern bool worker_run_autonomous(const char *sql, WorkerError *err);
/* Raise err as an ERROR with the worker's SQLSTATE; sql gives the position. */
extern void worker_raise_error(const WorkerError *err, const char *sql) pg_attribute_noreturn();
/* After CREATE INDEX CONCURRENTLY: is the index (or every index of the table) valid? */
struct IndexStmt;
extern bool worker_index_is_valid(const struct IndexStmt *stmt, char **invalid_name);

#endif							/* SCHEMA_MIGRATE_H */
