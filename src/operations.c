/*-------------------------------------------------------------------------
 *
 * operations.c
 *	  What each command does with a loaded set: check the database's
 *	  state against the files, plan, lock, run (executor.c) and report;
 *	  stamp, repair, resolve, try one tenant.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"
#include "lint.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

/* ---------- moving a set to a target ---------- */

static void check_orphans(const MigrationSet *set, const SetState *st,
						  bool partial_ok);


/* The current revisions as "a, b", or "base". */
char *
ops_current_text(const Graph *g, const bool *applied)
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

/*
 * A call for the hint of an error, "fn(args)", with the set's name added
 * unless it is the default set, so that following the hint acts on this
 * set; fill stands in for args the set's name must follow.
 */
char *
ops_call(const MigrationSet *set, const char *fn, const char *args,
		 const char *fill)
{
	const char *a = args ? args : fill;

	if (sm_set && strcmp(set->name, sm_set) == 0)
		return psprintf("%s(%s)", fn, args ? args : "");
	return psprintf("%s(%s%s%s)", fn, a ? a : "", a ? ", " : "",
					quote_literal_cstr(set->name));
}

/*
 * How to get out of a partial state: resume, or record the outcome.  A
 * downgrade resumes with its own target (not recorded), which "head"
 * would undo.
 */
char *
ops_hint_partial(const MigrationSet *set, const char *rev, PlanDirection dir,
				 bool again)
{
	char	   *q = quote_literal_cstr(rev);

	return psprintf("Fix the cause and CALL %s%s%s to run the rest, or record the outcome with SELECT %s or %s.",
					dir == PLAN_UP ? ops_call(set, "sm_migrate", NULL, "'head'") :
					ops_call(set, "sm_migrate", "target", NULL),
					dir == PLAN_UP ? "" : " with the downgrade's target",
					again ? " again" : "",
					ops_call(set, "sm_resolve", psprintf("%s, 'applied'", q), NULL),
					ops_call(set, "sm_resolve", psprintf("%s, 'not applied'", q), NULL));
}

/* How to get out of applied revisions without their files. */
char *
ops_hint_orphans(const MigrationSet *set)
{
	return psprintf("Restore the missing file, or accept its loss with SELECT %s.",
					ops_call(set, "sm_repair", NULL, NULL));
}

static void
check_orphans(const MigrationSet *set, const SetState *st, bool partial_ok)
{
	if (st->partial && !partial_ok)
	{
		const PartialRev *p = st->partial;

		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration %s of set \"%s\" is partially %s: %d of %d statements ran",
						p->revision, set->name, p->direction == PLAN_UP ? "applied" : "reverted",
						p->done, p->total),
				 errdetail("It is non-transactional, so what ran stays; nothing else can run until it is finished."),
				 errhint("%s", ops_hint_partial(set, p->revision, p->direction, false))));
	}
	if (st->n_orphans > 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("applied revision %s of set \"%s\" has no migration file",
						st->orphans[0].revision, set->name),
				 st->n_orphans > 1 ?
				 errdetail("%d applied revisions have no file.", st->n_orphans) : 0,
				 errhint("%s", ops_hint_orphans(set))));
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
ops_make_plan(const MigrationSet *set, const bool *applied, int dir,
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
ops_check_drift(const MigrationSet *set, const SetState *st)
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
			 errhint("Restore the file as it was applied, or accept the change with SELECT %s.",
					 ops_call(set, "sm_repair", NULL, NULL))));
}

/* Unapplied revisions older than the newest applied one, if refused. */
void
ops_check_out_of_order(const MigrationSet *set, const SetState *st,
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
	return ops_make_plan(set, st->applied, dir, target);
}

/*
 * The database's state of the set, checked against the files: nothing
 * half-way (unless partial_ok: sm_migrate resumes it), no applied revision
 * without its file, no applied file edited.
 */
SetState *
ops_read_state(const char *schema, const MigrationSet *set, bool partial_ok)
{
	SetState   *st = store_read_state(schema, set);

	check_orphans(set, st, partial_ok);
	ops_check_drift(set, st);
	return st;
}

/*
 * Take the set's lock and read its state again with a fresh snapshot: a
 * concurrent caller may have migrated while we waited.
 */
SetState *
ops_lock_and_reread(const char *schema, const MigrationSet *set)
{
	exec_check_isolation("schema_migrate");
	store_lock_set(set, false);
	return ops_read_state(schema, set, false);
}

/*
 * Move the set towards target in the caller's transaction.  The plan is
 * made first without the lock: when there is nothing to do (the start-up
 * case) that is the whole cost.  Otherwise take the set's lock, read the
 * state again with a fresh snapshot (a concurrent caller may have done the
 * work meanwhile), plan again, and run.  Returns the current revisions.
 */
char *
ops_move(const char *schema, const MigrationSet *set, int dir,
		  const char *target)
{
	SetState   *st;
	MigPlan    *plan;
	ExecResult	res;
	bool		up = dir == PLAN_UP;

	st = ops_read_state(schema, set, false);
	plan = make_plan(set, st, dir, target);
	if (plan->n_steps == 0 && !(up && exec_repeatable(schema, set, true) > 0))
		return ops_current_text(set->graph, st->applied);

	st = ops_lock_and_reread(schema, set);
	plan = make_plan(set, st, dir, target);
	if (plan->n_steps == 0 && !(up && exec_repeatable(schema, set, true) > 0))
		return ops_current_text(set->graph, st->applied);
	ops_check_out_of_order(set, st, plan);
	safety_gate(schema, set, plan);

	res = exec_plan(schema, set, plan, up);
	for (int i = 0; i < plan->n_steps; i++)
		st->applied[plan->steps[i]] = plan->direction == PLAN_UP;
	return ops_report_done(set, st, plan->direction, &res);
}

/*
 * The start-up case, before the set is even loaded: at the heads, every
 * checksum equal, nothing half-way, nothing to run.  Returns the current
 * revisions, or NULL when the set must be loaded and planned.
 */
char *
ops_fast_noop(const char *schema, const char *set_name, const char *target,
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

/* The closing NOTICE: how many, how long, where the database is now. */
char *
ops_report_done(const MigrationSet *set, const SetState *st, PlanDirection dir,
			const ExecResult *res)
{
	char	   *now = ops_current_text(set->graph, st->applied);
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
ops_stamp(const char *schema, const MigrationSet *set, const char *target)
{
	bool	   *want = plan_stamp(sm_server_env(), set->graph, target);
	SetState   *st = ops_lock_and_reread(schema, set);

	store_stamp(schema, set, st, want);
	ereport(NOTICE,
			(errmsg("stamped set \"%s\" at %s", set->name,
					ops_current_text(set->graph, want))));
	return ops_current_text(set->graph, want);
}

/* ---------- repair, resolve, tenants ---------- */

/* Accept edited and missing files as they are now (sm_repair). */
int
ops_repair(const char *schema, const MigrationSet *set)
{
	SetState   *st;
	int			n;

	/* the plain lock: the checks of ops_lock_and_reread are what this fixes */
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
ops_resolve(const char *schema, const MigrationSet *set, const char *rev,
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
	/*
	 * The outcome is the revision's state, whichever way it was going: a
	 * downgrade finished by hand leaves it "not applied".
	 */
	if (st->partial->node >= 0)
		want[st->partial->node] = applied;
	store_clear_partial(schema, set);
	store_stamp(schema, set, st, want);
}

/*
 * Upgrade one set (a tenant's, say) in a subtransaction of its own: on
 * failure it is rolled back and the error returned instead of raised, so
 * a caller can go on with the next one.
 */
typedef struct TryMove
{
	const char *schema;
	const char *set_name;
	const char *target;
	char	   *now;
} TryMove;

static void
try_move(void *arg)
{
	TryMove    *t = (TryMove *) arg;

	t->now = ops_move(t->schema, set_load(t->set_name), PLAN_UP, t->target);
}

char *
ops_try_move(const char *schema, const char *set_name, const char *target,
			  char **sqlstate, char **error)
{
	TryMove		t = {schema, set_name, target, NULL};
	ErrorData  *edata = exec_in_subtransaction(try_move, &t);

	*sqlstate = *error = NULL;
	if (edata == NULL)
		return t.now;
	*sqlstate = pstrdup(unpack_sql_state(edata->sqlerrcode));
	*error = pstrdup(edata->message);
	FreeErrorData(edata);
	return NULL;
}

