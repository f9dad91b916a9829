/*-------------------------------------------------------------------------
 *
 * schema_migrate.h
 *	  Server-side declarations shared by the files of schema_migrate,
 *	  grouped by the file that defines them.
 *
 * Calls point one way, from the SQL surface down to the mechanisms:
 *
 *	 functions.c, adopt.c            the SQL-callable functions
 *	   -> operations.c, stepwise.c   what each command does (ops_, stepwise_)
 *	   -> executor.c                 runs prepared steps (exec_)
 *	   -> statements.c               splits and checks them (stmt_)
 *	   -> version_store.c            the extension's tables (store_)
 *	   -> worker.c, index_check.c    background worker, catalog checks
 *
 * beside the set loading chain set_cache.c (set_) -> set_summary.c
 * (summary_), safe_files.c (files_), file_watch.c (watch_), set_locate.c
 * (locate_) and the plain-C core (sm_core.h).  README.md's "Layout of the
 * source" lists every file's dependencies; test/check_layout.sh checks it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMA_MIGRATE_H
#define SCHEMA_MIGRATE_H

#include "postgres.h"

#include <sys/stat.h>

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "portability/instr_time.h"
#include "pg_compat.h"
#include "sm_core.h"

struct IndexStmt;
struct SPITupleTable;

/* ==================== types shared by several files ==================== */

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

/* What a file or directory looked like when a set was read. */
typedef struct FileStamp
{
	char	   *name;			/* relative to the set; "" is the set itself */
	off_t		size;
	ino_t		ino;
	struct timespec mtime;
	struct timespec ctime;
	bool		is_dir;
} FileStamp;

/* One step's record for the version table and the log. */
typedef struct StepRecord
{
	const Migration *mig;
	TimestampTz started_at;
	double		duration_ms;
} StepRecord;

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

/* What a run did, for the closing NOTICE. */
typedef struct ExecResult
{
	int			n_done;
	double		elapsed_ms;
	int			n_repeatable;
} ExecResult;

/* Where the error of a running step was, for lock retries and the log. */
typedef struct LockWait
{
	int			stmt;			/* index of the failing statement, or -1 */
	int			fail_line;		/* line of any error */
} LockWait;

/* The place of an error, for stmt_error_callback. */
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

/* An error a background worker reported. */
typedef struct WorkerError
{
	char		sqlstate[6];
	char	   *message;
	char	   *detail;			/* may be NULL */
	char	   *hint;			/* may be NULL */
	char	   *context;		/* may be NULL: the worker's CONTEXT lines */
	int			position;		/* 1-based char position in the statement, or 0 */
} WorkerError;

/* A set name taken apart: "set" or "set@tenant". */
typedef struct SetName
{
	const char *full;			/* as given (or schema_migrate.set) */
	const char *base;			/* the set's directory name */
	const char *tenant;			/* the tenant's schema, or NULL */
} SetName;

/* a direction for ops_make_plan / ops_move: pick it from the target */
#define PLAN_AUTO 2

/* ==================== declarations, by file ==================== */

/* module.c: the GUCs */
extern char *sm_path;
extern char *sm_set;
extern bool sm_timing;
extern bool sm_diff_keep_column_order;
extern char *sm_adopt_table;	/* the other tool's table, for sm_adopt */
extern int	sm_lock_timeout;
extern int	sm_lock_retries;
extern int	sm_wait_timeout;
extern bool sm_verify_checksums;
extern bool sm_run_repeatable;
extern int	sm_out_of_order;

#define SM_OUT_OF_ORDER_APPLY	0
#define SM_OUT_OF_ORDER_ERROR	1

/* server_env.c: the plain-C core's memory and errors in the server */
extern const SmEnv *sm_server_env(void);

/* sm_spi.c: SPI calls checked one way */
extern void sm_spi_connect(bool nonatomic);
extern void sm_spi_check(int rc, const char *what);

/* set_locate.c: set names, the sets' root, a set's directory */
extern SetName locate_split(const char *set_name);
extern const char *locate_resolve_name(const char *set_name);
extern bool locate_check_tenant(const SetName *name, bool raise);
extern char *locate_root(void);
extern char *locate_directory(const char *name, char **real_dir);
extern char *locate_real_path(const char *path);

/* file_watch.c: inotify on a set's directories (-1: not watching) */
extern int	watch_create(void);
extern int	watch_add(int fd, const char *path);
extern void watch_close(int fd);
extern bool watch_quiet(int fd);

/* safe_files.c: reading a set's files safely, for the format adapters */
typedef struct SetReader SetReader;
struct SmFiles;

extern SetReader *files_open_reader(const char *set_name, const char *dir,
									const char *real_dir, int watch_fd);
extern void files_callbacks(SetReader *r, struct SmFiles *files);
extern int	files_watch_fd(const SetReader *r);
extern FileStamp *files_stamps(const SetReader *r, int *n);
extern void files_drop_texts(SetReader *r);
extern bool files_stamps_unchanged(const char *dir, const FileStamp *stamps,
								   int n);
extern char *files_checksum(const char *text, size_t len);

/* set_cache.c: loaded sets, kept per backend while their files stay */
extern MigrationSet *set_load(const char *set_name);
extern SetSummary *set_summary(const char *set_name);

/* set_summary.c: the at-head summary shared by the server's backends */
extern void summary_write(const char *key, const MigrationSet *set,
						  const FileStamp *stamps, int n_stamps);
extern SetSummary *summary_lookup(const char *key);

/* statements.c: split and check a step's SQL before anything runs */
extern PreparedStep *stmt_prepare_plan(const MigrationSet *set,
									   const MigPlan *plan, bool online);
extern void stmt_prepare_migration(const MigrationSet *set,
								   const Migration *m, PlanDirection dir,
								   bool online, PreparedStep *ps);
extern void stmt_error_callback(void *arg);
extern const char *stmt_non_transactional(Node *stmt);
extern bool stmt_needs_no_transaction(const char *sql);
extern int	stmt_lines_before(const char *text, int nbytes);
extern int	stmt_char_to_byte(const char *text, int pos);
extern int	stmt_skip_noise(const char *s, int off, int end);

/* executor.c: run prepared steps through SPI */
extern bool exec_running;
extern void exec_check_can_migrate(const char *fname);
extern void exec_check_isolation(const char *fname);
extern void exec_as_migration(const char *fname, void (*fn) (void *arg),
							  void *arg);
extern void exec_run_step(const MigrationSet *set, const PreparedStep *ps,
						  PlanDirection dir, MemoryContext stmt_cxt,
						  int *fail_line);
extern ExecResult exec_plan(const char *schema, const MigrationSet *set,
							const MigPlan *plan, bool repeatables);
extern int	exec_repeatable(const char *schema, const MigrationSet *set,
							bool dry_run);
extern char *exec_tenant_search_path(const MigrationSet *set);
extern double exec_elapsed_ms(instr_time start);
extern ErrorData *exec_in_subtransaction(void (*fn) (void *arg), void *arg);

/* operations.c: what each command does with a loaded set */
extern SetState *ops_read_state(const char *schema, const MigrationSet *set,
								bool partial_ok);
extern SetState *ops_lock_and_reread(const char *schema,
									 const MigrationSet *set);
extern MigPlan *ops_make_plan(const MigrationSet *set, const bool *applied,
							  int dir, const char *target);
extern void ops_check_out_of_order(const MigrationSet *set,
								   const SetState *st, const MigPlan *plan);
extern void ops_check_drift(const MigrationSet *set, const SetState *st);
extern char *ops_move(const char *schema, const MigrationSet *set, int dir,
					  const char *target);
extern char *ops_fast_noop(const char *schema, const char *set_name,
						   const char *target, bool check);
extern char *ops_stamp(const char *schema, const MigrationSet *set,
					   const char *target);
extern int	ops_repair(const char *schema, const MigrationSet *set);
extern void ops_resolve(const char *schema, const MigrationSet *set,
						const char *rev, bool applied);
extern char *ops_try_move(const char *schema, const char *set_name,
						  const char *target, char **sqlstate, char **error);
extern char *ops_current_text(const Graph *g, const bool *applied);
extern char *ops_call(const MigrationSet *set, const char *fn,
					  const char *args, const char *fill);
extern char *ops_hint_partial(const MigrationSet *set, const char *rev,
							  PlanDirection dir, bool again);
extern char *ops_hint_orphans(const MigrationSet *set);
extern char *ops_report_done(const MigrationSet *set, const SetState *st,
							 PlanDirection dir, const ExecResult *res);

/* stepwise.c: CALL sm_migrate(), committing after every migration */
extern char *stepwise_migrate(const char *schema, const MigrationSet *set,
							  const char *target);

/* index_check.c: after CREATE INDEX CONCURRENTLY, is the index valid? */
extern bool index_check_valid(const struct IndexStmt *stmt, char **message,
							  char **detail, char **hint);
extern void index_check_after(const char *sql);

/* version_store.c: the extension's tables -- caller must be SPI-connected */
extern SetState *store_read_state(const char *schema, const MigrationSet *set);
extern bool store_at_head(const char *schema, const char *set_name,
						  const char *fingerprint);
extern void store_lock_set(const MigrationSet *set, bool session);
extern void store_unlock_set(const MigrationSet *set);
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

/* worker.c: one statement as a top-level statement in a background worker */

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
/*
 * In a background worker of this library, first thing: SIGTERM handling,
 * then the caller's segment (main_arg) mapped, *seg set, its table of
 * contents returned (magic checked).
 */
struct shm_toc;
struct dsm_segment;
extern struct shm_toc *worker_attach_segment(Datum main_arg, uint64 magic,
											 struct dsm_segment **seg);
/* Run sql in a worker's own transaction, committed whatever the caller does. */
extern bool worker_run_autonomous(const char *sql, WorkerError *err);
extern void worker_run_parsed(struct RawStmt *parsetree, const char *sql,
							  MemoryContext cxt);
/* Raise err as an ERROR with the worker's SQLSTATE; sql gives the position. */
extern void worker_raise_error(const WorkerError *err, const char *sql) pg_attribute_noreturn();
/* The worker's SQLSTATE as an error code. */
extern int	worker_sqlerrcode(const WorkerError *err);

/* script_writer.c: the offline script of a plan */
extern char *script_for_plan(const char *schema, const MigrationSet *set,
							 const MigPlan *plan, const bool *applied);

/* graph_render.c: the graph as text or Graphviz DOT */
extern char *render_graph_text(const Graph *g, const bool *applied);
extern char *render_graph_dot(const MigrationSet *set, const bool *applied);

#endif							/* SCHEMA_MIGRATE_H */
