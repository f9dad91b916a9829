/*-------------------------------------------------------------------------
 *
 * sm_core.h
 *	  Plain-C core of schema_migrate: migration files, the revision graph,
 *	  targets and plans.
 *
 * Nothing here includes postgres.h.  Memory and error reporting come in
 * through SmEnv, so the same code runs inside the server (palloc, ereport)
 * and in unit tests and fuzzers (an arena, longjmp).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_CORE_H
#define SM_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits that keep hostile input from exhausting the server. */
#define SM_MAX_REVISION_LEN		128
#define SM_MAX_MESSAGE_LEN		1024
#define SM_MAX_PARENTS			4096
#define SM_MAX_FILE_SIZE		(64 * 1024 * 1024)
#define SM_MAX_FILES			100000

/* What went wrong; the server maps each kind to a SQLSTATE. */
typedef enum SmErrorKind
{
	SM_ERR_MALFORMED,			/* a migration file breaks the format */
	SM_ERR_DUPLICATE,			/* two files claim one revision or label */
	SM_ERR_UNKNOWN_REVISION,	/* a reference to a revision that is not there */
	SM_ERR_CYCLE,				/* the graph is not acyclic */
	SM_ERR_AMBIGUOUS,			/* a prefix or relative target matches several */
	SM_ERR_BAD_TARGET,			/* a target string that cannot be parsed */
	SM_ERR_TARGET_RANGE,		/* a relative target that walks past base or head */
	SM_ERR_NOT_APPLIED,			/* downgrade to a revision that is not applied */
	SM_ERR_NO_DOWN,				/* a downgrade needs a down section that is missing */
	SM_ERR_LIMIT,				/* a size limit was exceeded */
	SM_ERR_CANNOT_RUN			/* a plan reaches a migration the server cannot run */
} SmErrorKind;

typedef struct SmError
{
	SmErrorKind kind;
	const char *file;			/* file name relative to the set, or NULL */
	int			line;			/* 1-based, or 0 */
	char		message[512];
	char		detail[1024];
	char		hint[512];
} SmError;

/*
 * The environment the core runs in.  alloc returns zeroed memory and never
 * returns NULL; fail never returns.
 */
typedef struct SmEnv
{
	void	   *(*alloc) (void *arg, size_t size);
	void		(*fail) (void *arg, const SmError *error);
	void	   *arg;
} SmEnv;

/* A parsed migration.  Strings are NUL-terminated and owned by the env. */
typedef struct Migration
{
	const char *file;			/* name relative to the set directory */
	char	   *revision;
	char	   *message;
	bool		down_given;		/* down_revision directive present */
	int			n_parents;
	char	  **parents;		/* down_revision list; empty for a root */
	int			n_depends;
	char	  **depends_on;
	int			n_labels;
	char	  **branch_labels;
	bool		transactional;	/* false: must run outside a transaction */
	int			lock_timeout_ms;	/* -1: not given */
	int			statement_timeout_ms;	/* -1: not given */

	char	   *up_sql;
	int			up_line;		/* line of the file where up_sql starts */
	bool		has_down;
	char	   *down_sql;
	int			down_line;

	/* normalised file text (no BOM, LF line ends), for checksums */
	const char *text;
	size_t		text_len;
	char	   *checksum;		/* filled in by whoever reads the file */

	/* Other tools' formats (src/formats/); zero for native files. */
	const char *format;			/* "native", "Flyway", ...; NULL: native */
	const char *down_file;		/* file of down_sql when not file; NULL: same */
	bool		repeatable;		/* re-run whenever its checksum changes */
	char	   *verify_sql;		/* run after up_sql; failing fails the step */
	int			verify_line;
	const char *verify_file;
	/* how the tool's own bookkeeping names it and sums it; NULL: revision */
	const char *tool_key;
	const char *tool_checksum;
	const char *code_tool;		/* a code migration (goose .go): the tool that
								 * runs it; NULL for SQL.  Planning through it
								 * is refused: it is never skipped */
} Migration;

/* Parse one file.  data need not be NUL-terminated; it is copied. */
extern Migration *mig_parse(const SmEnv *env, const char *file,
							const char *data, size_t len);

/* Is this a valid revision id?  (no quotes, slashes, blanks, reserved words) */
extern bool mig_valid_revision(const char *rev, const char **why);

/* Is it a target word (head, heads, base, none, current)? */
extern bool mig_reserved_revision(const char *rev);

/* Targets naming a revision by its exact id: "revision:<id>". */
#define SM_QUALIFIED_PREFIX "revision:"

/* Natural ("2" < "10") comparison used for version order. */
extern int	sm_natural_cmp(const char *a, const char *b);

/*
 * The revision graph.  Nodes are numbered in topological order (parents
 * before children, ties broken by version order), so iterating 0..n-1 is
 * an upgrade order and n-1..0 a downgrade order.
 */
typedef struct GraphNode
{
	Migration  *mig;
	int			n_parents;
	int		   *parents;		/* node indexes of down_revisions */
	int			n_depends;
	int		   *depends;		/* node indexes of depends_on */
	int			n_children;
	int		   *children;		/* nodes naming this one as a down_revision */
	int			n_dependents;
	int		   *dependents;		/* nodes naming this one in depends_on */
	bool		is_head;
} GraphNode;

typedef struct Graph
{
	int			n;
	GraphNode  *nodes;
	int		   *by_name;		/* node indexes sorted by revision (strcmp) */
	int			n_heads;
	int		   *heads;
} Graph;

/* Build and validate the graph; migrations may be in any order. */
extern Graph *graph_build(const SmEnv *env, Migration **migs, int n);

/* Node of an exact revision id, or -1. */
extern int	graph_find(const Graph *g, const char *rev);

/* Node of a revision id, branch label or unique prefix; fails otherwise. */
extern int	graph_resolve(const SmEnv *env, const Graph *g, const char *spec);

/* Current revisions: applied nodes with no applied child; returns count. */
extern int	graph_current(const Graph *g, const bool *applied, int *out);

/* Is node a an ancestor of node b (or the same node)? */
extern bool graph_is_ancestor(const Graph *g, int a, int b);

typedef enum PlanDirection
{
	PLAN_UP,
	PLAN_DOWN
} PlanDirection;

typedef struct MigPlan
{
	PlanDirection direction;
	int			n_steps;
	int		   *steps;			/* node indexes, in execution order */
} MigPlan;

/*
 * MigPlan a move of the database to target.  applied[i] says whether node i
 * is applied now.  Upgrade targets: head, heads, a revision or unique
 * prefix, +N, label@head, label@+N, rev+N.  Downgrade targets: base, -N,
 * a revision or prefix, label@-N, rev-N.
 */
extern MigPlan *plan_upgrade(const SmEnv *env, const Graph *g,
						  const bool *applied, const char *target);
extern MigPlan *plan_downgrade(const SmEnv *env, const Graph *g,
							const bool *applied, const char *target);

/* MigPlan for stamping: the applied set afterwards, as a flag per node. */
extern bool *plan_stamp(const SmEnv *env, const Graph *g, const char *target);

/* Report an error through env; printf-style message. */
extern void sm_fail(const SmEnv *env, SmErrorKind kind, const char *file,
					int line, const char *detail, const char *hint,
					const char *fmt,...)
			__attribute__((format(printf, 7, 8), noreturn));

extern void *sm_alloc(const SmEnv *env, size_t size);
extern char *sm_normalise(const SmEnv *env, const char *data, size_t len,
						  size_t *out_len);
extern char *sm_strndup(const SmEnv *env, const char *s, size_t len);

#endif							/* SM_CORE_H */
