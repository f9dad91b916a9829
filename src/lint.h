/*-------------------------------------------------------------------------
 *
 * lint.h
 *	  The safety lint (issue 15): what the pending migrations of a plan will
 *	  lock, rewrite, scan and break, judged with this database's live
 *	  facts; the schema_migrate.safety gate; the sessions a step would wait
 *	  for.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_LINT_H
#define SM_LINT_H

#include "schema_migrate.h"

/* GUCs (module.c) */
extern int	sm_safety;
extern int	sm_safety_min_bytes;

#define SM_SAFETY_OFF	0
#define SM_SAFETY_WARN	1
#define SM_SAFETY_ERROR	2

typedef enum LintSeverity
{
	LINT_NONE = 0,				/* not a hazard here: no finding */
	LINT_INFO,
	LINT_WARNING,
	LINT_ERROR
} LintSeverity;

/* One finding of the lint: a row of sm_lint(). */
typedef struct LintFinding
{
	const Migration *mig;
	int			line;
	char	   *statement;
	const char *rule;
	LintSeverity severity;
	const char *allow;			/* the approval that covers it, or NULL */
	int			approved_line;	/* line of the "-- allow:" approving it, or 0 */
	char	   *relation;		/* qualified name, or NULL */
	int64		bytes;			/* -1: unknown */
	double		rows;			/* -1: unknown */
	char	   *message;
	char	   *hint;
} LintFinding;

/* A statement that will lock an existing relation: for sm_blockers. */
typedef struct LintLock
{
	const Migration *mig;
	int			line;
	Oid			relid;
	char	   *relation;
	int64		bytes;
	int			mode;			/* LOCKMODE the statement takes */
} LintLock;

typedef struct LintResult
{
	int			n;
	int			cap;
	LintFinding *items;
	int			n_locks;
	int			cap_locks;
	LintLock   *locks;
} LintResult;

/* A session holding a lock a step needs. */
typedef struct LintBlocker
{
	const LintLock *lock;
	int			pid;
	char	   *holds;			/* PostgreSQL's mode name */
	char	   *state;
	double		idle_in_xact_s; /* -1 unless idle in transaction */
	double		xact_s;			/* age of its transaction, -1 if none */
	char	   *query;
} LintBlocker;

/* A statement of a migration's up section. */
typedef struct LintStmt
{
	int			line;			/* file line of its first word */
	char	   *text;
	struct Node *stmt;			/* raw parse tree */
} LintStmt;

extern LintStmt *lint_statements(const Migration *m, int *n);
extern void lint_measure(Oid relid, int64 *bytes, double *rows);
extern LintResult *lint_plan(const MigrationSet *set, const MigPlan *plan);
extern LintBlocker *lint_blockers(const LintResult *res, int *n);
extern const char *lint_severity_name(LintSeverity s);

/*
 * The gate: called once where a plan is about to run (sm_upgrade,
 * sm_migrate).  With schema_migrate.safety = error it refuses before
 * anything runs; with warn it prints NOTICEs; approvals are logged.
 */
extern bool safety_big_enough(int64 bytes);
extern void safety_gate(const char *schema, const MigrationSet *set,
						const MigPlan *plan);

#endif							/* SM_LINT_H */
