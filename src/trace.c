/*-------------------------------------------------------------------------
 *
 * trace.c
 *	  sm_trace(): run the pending migrations for real, statement by
 *	  statement, in a scratch database holding this database's schema at its
 *	  current revision, and record what each statement locked, rewrote and
 *	  validated; then join that with the live sizes of the same relations
 *	  here.
 *
 * The scratch database comes from scratch_db.c: a fresh database, the set
 * replayed to the current revisions (schema only: no data of this
 * database is copied), and this file's job running in a worker connected
 * to it.  Each transactional statement runs in a transaction of its own,
 * between two snapshots of pg_class and pg_constraint, and the job reads
 * its own backend's relation locks from pg_locks before committing:
 *   locks     relation and PostgreSQL's mode name, as pg_locks has them;
 *   rewrites  relations whose relfilenode changed;
 *   scans     constraints that became validated (the table was scanned).
 * A statement that cannot run in a transaction (CREATE INDEX
 * CONCURRENTLY, VACUUM) runs top-level; its locks are not observable after
 * it commits, so only its rewrites and scans are recorded.
 *
 *-------------------------------------------------------------------------
 */
#include "lint.h"
#include "sql_call.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "scratch_db.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(sm_trace);
PGDLLEXPORT void sm_trace_job(const char *input, size_t len, StringInfo out);

/* separators of the job's output: records, fields, list items */
#define REC_SEP '\x1e'
#define FLD_SEP '\x1f'
#define ITEM_SEP '\x1d'

/* ---------- in the scratch worker ---------- */

typedef struct RelSnap
{
	int			n;
	Oid		   *oids;
	Oid		   *filenodes;
	char	  **names;
	char	  **kinds;
} RelSnap;

/* User relations of the scratch database: oid, relfilenode, name. */
static RelSnap
snap_relations(void)
{
	RelSnap		s;

	if (SPI_execute("SELECT c.oid, c.relfilenode,"
					" pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
					"  OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname), c.relkind::text"
					" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
					"  ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
					" WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,m,i,p,I}'::\"char\"[])"
					" AND n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}'::name[])"
					" AND n.nspname OPERATOR(pg_catalog.!~) '^pg_toast'",
					false, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading pg_class failed");
	s.n = SPI_processed;
	s.oids = palloc(sizeof(Oid) * (s.n + 1));
	s.filenodes = palloc(sizeof(Oid) * (s.n + 1));
	s.names = palloc(sizeof(char *) * (s.n + 1));
	s.kinds = palloc(sizeof(char *) * (s.n + 1));
	for (int i = 0; i < s.n; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		bool		isnull;

		s.oids[i] = DatumGetObjectId(SPI_getbinval(t, SPI_tuptable->tupdesc, 1, &isnull));
		s.filenodes[i] = DatumGetObjectId(SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull));
		s.names[i] = pstrdup(SPI_getvalue(t, SPI_tuptable->tupdesc, 3));
		s.kinds[i] = pstrdup(SPI_getvalue(t, SPI_tuptable->tupdesc, 4));
	}
	return s;
}

static int
snap_find(const RelSnap *s, Oid oid)
{
	for (int i = 0; i < s->n; i++)
		if (s->oids[i] == oid)
			return i;
	return -1;
}

/* Validated CHECK and FOREIGN KEY constraints: "table: name" per oid. */
static List *
snap_validated(void)
{
	List	   *out = NIL;

	if (SPI_execute("SELECT co.oid::text OPERATOR(pg_catalog.||) ' '"
					"  OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
					"  OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) OPERATOR(pg_catalog.||) ': '"
					"  OPERATOR(pg_catalog.||) pg_catalog.quote_ident(co.conname)"
					" FROM pg_catalog.pg_constraint co"
					" JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) co.conrelid"
					" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
					" WHERE co.contype OPERATOR(pg_catalog.=) ANY ('{c,f}'::\"char\"[]) AND co.convalidated"
					" AND n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}'::name[])",
					false, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading pg_constraint failed");
	for (uint64 i = 0; i < SPI_processed; i++)
		out = lappend(out, pstrdup(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1)));
	return out;
}

static bool
list_has_string(List *l, const char *s)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(lfirst(lc), s) == 0)
			return true;
	return false;
}

/* Relation locks this backend holds now, named from either snapshot. */
static void
append_locks(StringInfo out, const RelSnap *before)
{
	RelSnap		after = snap_relations();
	bool		first = true;

	if (SPI_execute("SELECT relation, mode FROM pg_catalog.pg_locks"
					" WHERE pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()"
					" AND locktype OPERATOR(pg_catalog.=) 'relation' AND granted"
					" ORDER BY relation, mode", false, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading pg_locks failed");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			rel = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														 SPI_tuptable->tupdesc, 1, &isnull));
		char	   *mode = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		int			k = snap_find(&after, rel);
		const char *name = k >= 0 ? after.names[k] : NULL;

		if (name == NULL && (k = snap_find(before, rel)) >= 0)
			name = before->names[k];	/* dropped by the statement */
		if (name == NULL)
			continue;			/* a catalog */
		appendStringInfo(out, "%s%s: %s", first ? "" : "\x1d", name, mode);
		first = false;
	}
}

static void
append_rewrites(StringInfo out, const RelSnap *before, const RelSnap *after)
{
	bool		first = true;

	for (int i = 0; i < before->n; i++)
	{
		int			k = snap_find(after, before->oids[i]);

		if (k < 0 || before->filenodes[i] == 0 ||
			after->filenodes[k] == before->filenodes[i])
			continue;
		appendStringInfo(out, "%s%s", first ? "" : "\x1d", before->names[i]);
		first = false;
	}
}

static void
append_scans(StringInfo out, List *before, List *after)
{
	ListCell   *lc;
	bool		first = true;

	foreach(lc, after)
	{
		const char *s = lfirst(lc);

		if (list_has_string(before, s))
			continue;
		/* "oid schema.table: name" -> "schema.table: name" */
		appendStringInfo(out, "%s%s", first ? "" : "\x1d", strchr(s, ' ') + 1);
		first = false;
	}
}

typedef struct TracePlace
{
	const char *revision;
	const char *file;
	int			line;
} TracePlace;

static void
trace_context(void *arg)
{
	TracePlace *p = arg;

	errcontext("tracing migration %s (file %s, line %d) in a scratch database",
			   p->revision, p->file, p->line);
}

/* One statement: run it and append its record. */
static void
trace_statement(StringInfo out, const char *rev, const LintStmt *st, bool top_level)
{
	RelSnap		before,
				after;
	List	   *vbefore,
			   *vafter;
	instr_time	start;
	double		ms;
	StringInfoData locks;

	initStringInfo(&locks);
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	sm_spi_connect(false);
	PushActiveSnapshot(GetTransactionSnapshot());
	before = snap_relations();
	vbefore = snap_validated();
	if (top_level)
	{
		/* the snapshots must outlive this transaction */
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
		RelSnap		copy = before;

		copy.oids = palloc(sizeof(Oid) * (before.n + 1));
		copy.filenodes = palloc(sizeof(Oid) * (before.n + 1));
		copy.names = palloc(sizeof(char *) * (before.n + 1));
		for (int i = 0; i < before.n; i++)
		{
			copy.oids[i] = before.oids[i];
			copy.filenodes[i] = before.filenodes[i];
			copy.names[i] = pstrdup(before.names[i]);
		}
		before = copy;
		{
			List	   *v = NIL;
			ListCell   *lc;

			foreach(lc, vbefore)
				v = lappend(v, pstrdup(lfirst(lc)));
			vbefore = v;
		}
		MemoryContextSwitchTo(old);
		PopActiveSnapshot();
		SPI_finish();
		CommitTransactionCommand();
		INSTR_TIME_SET_CURRENT(start);
		scratch_exec(st->text);
		ms = exec_elapsed_ms(start);
		StartTransactionCommand();
		sm_spi_connect(false);
		PushActiveSnapshot(GetTransactionSnapshot());
	}
	else
	{
		int			rc;

		INSTR_TIME_SET_CURRENT(start);
		rc = SPI_execute(st->text, false, 0);
		ms = exec_elapsed_ms(start);
		if (rc < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("statement failed in the scratch database: %s",
							SPI_result_code_string(rc))));
		append_locks(&locks, &before);
	}
	after = snap_relations();
	vafter = snap_validated();
	appendStringInfo(out, "%s%c%d%c%s%c%s%c", rev, FLD_SEP, st->line, FLD_SEP,
					 st->text, FLD_SEP, locks.data, FLD_SEP);
	append_rewrites(out, &before, &after);
	appendStringInfoChar(out, FLD_SEP);
	append_scans(out, vbefore, vafter);
	appendStringInfo(out, "%c%.3f%c", FLD_SEP, ms, REC_SEP);
	PopActiveSnapshot();
	SPI_finish();
	CommitTransactionCommand();
}

/*
 * The job: input "set\0schema\0ncurrent\0current...\0pending...\0".
 * Replays the set to the current revisions, then traces each pending
 * migration's statements in order.
 */
void
sm_trace_job(const char *input, size_t len, StringInfo out)
{
	const char *end = input + len;
	const char *set_name = input;
	const char *schema = set_name + strlen(set_name) + 1;
	const char *p = schema + strlen(schema) + 1;
	int			ncur = (int) strtol(p, NULL, 10);
	const char **cur = palloc(sizeof(char *) * (ncur + 1));
	List	   *pending = NIL;
	MemoryContext keep = AllocSetContextCreate(TopMemoryContext, "schema_migrate trace",
											   ALLOCSET_DEFAULT_SIZES);

	p += strlen(p) + 1;
	for (int i = 0; i < ncur; i++, p += strlen(p) + 1)
		cur[i] = p;
	for (; p < end; p += strlen(p) + 1)
		pending = lappend(pending, (char *) p);

	/* replaying what is applied here is not what is being judged */
	SetConfigOption("schema_migrate.safety", "off", PGC_SUSET, PGC_S_OVERRIDE);
	scratch_replay_set(schema, set_name, cur, ncur);

	for (int i = 0; i < list_length(pending); i++)
	{
		const char *rev = list_nth(pending, i);
		LintStmt   *stmts;
		int			n;
		bool		transactional;
		const char *file;
		MemoryContext old;

		StartTransactionCommand();
		{
			MigrationSet *set = set_load(set_name);
			int			node = graph_find(set->graph, rev);
			const Migration *m;

			if (node < 0)
				elog(ERROR, "revision %s vanished from the set", rev);
			m = set->graph->nodes[node].mig;
			old = MemoryContextSwitchTo(keep);
			stmts = lint_statements(m, &n);
			file = pstrdup(m->file);
			transactional = m->transactional;
			MemoryContextSwitchTo(old);
		}
		CommitTransactionCommand();
		for (int k = 0; k < n; k++)
		{
			TracePlace	place = {rev, file, stmts[k].line};
			ErrorContextCallback cb = {error_context_stack, trace_context, &place};

			error_context_stack = &cb;
			trace_statement(out, rev, &stmts[k],
							!transactional || stmt_non_transactional(stmts[k].stmt) != NULL);
			error_context_stack = cb.previous;
		}
	}
}

/* ---------- the caller ---------- */

static char *
field(char **p, char sep)
{
	char	   *s = *p;
	char	   *e = strchr(s, sep);

	if (e)
	{
		*e = '\0';
		*p = e + 1;
	}
	else
		*p = s + strlen(s);
	return s;
}

/* "schema.rel" -> live size text, or NULL if it is not in this database */
static char *
live_size(const char *qualname, bool *exists)
{
	List	   *names = stringToQualifiedNameList(qualname);
	Oid			relid = RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true);
	int64		bytes;
	double		rows;

	*exists = OidIsValid(relid);
	if (!*exists)
		return pstrdup("not in this database");
	lint_measure(relid, &bytes, &rows);
	if (bytes < 0)
		return pstrdup("size unknown: locked");
	if (rows < 0)
		return psprintf("%s, never analyzed",
						text_to_cstring(DatumGetTextPP(DirectFunctionCall1(pg_size_pretty, Int64GetDatum(bytes)))));
	return psprintf("%s, %.0f rows",
					text_to_cstring(DatumGetTextPP(DirectFunctionCall1(pg_size_pretty, Int64GetDatum(bytes)))),
					rows);
}

/* A list field as a text[]; with_size appends the live size to each item. */
static Datum
items_array(char *s, bool with_size, const char *rev, int line, bool rewrites)
{
	Datum	   *d = palloc(sizeof(Datum) * (strlen(s) + 2));
	int			n = 0;

	while (*s)
	{
		char	   *item = field(&s, ITEM_SEP);

		if (with_size)
		{
			/* "schema.rel" or "schema.rel: constraint" */
			char	   *colon = strstr(item, ": ");
			char	   *rel = colon ? pnstrdup(item, colon - item) : item;
			bool		exists;
			char	   *size = live_size(rel, &exists);

			if (rewrites && exists &&
				get_rel_relkind(RangeVarGetRelid(makeRangeVarFromNameList(stringToQualifiedNameList(rel)),
												 NoLock, true)) != RELKIND_INDEX)
				ereport(NOTICE,
						(errmsg("%s line %d: rewrites %s (%s) under an ACCESS EXCLUSIVE lock: every read and write of it waits until it ends",
								rev, line, rel, size)));
			else if (!rewrites && exists)
				ereport(NOTICE,
						(errmsg("%s line %d: validates %s by scanning %s (%s)",
								rev, line, colon ? colon + 2 : "a constraint", rel, size)));
			item = psprintf("%s (%s)", item, size);
		}
		d[n++] = CStringGetTextDatum(item);
	}
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * sm_trace(target, set_name): the pending migrations run for real in a
 * scratch database; one row per statement.
 */
Datum
sm_trace(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *target = call_required_text(fcinfo, 0, "target");
	char	   *set_name = call_optional_text(fcinfo, 1);
	const char *schema = call_ext_schema(fcinfo);
	MigrationSet *set;
	SetState   *st;
	MigPlan    *plan;
	StringInfoData in;
	int		   *cur;
	int			ncur;
	char	   *bytes;
	char	   *p;
	size_t		len;

	InitMaterializedSRF(fcinfo, 0);
	sm_spi_connect(false);
	set = set_load(set_name);
	if (set->tenant)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("sm_trace() does not trace tenant sets"),
				 errhint("Trace the set itself: sm_trace(target, '%s') runs it in a scratch database of its own.",
						 pnstrdup(set->name, strchr(set->name, '@') - set->name))));
	st = store_read_state(schema, set);
	plan = ops_make_plan(set, st->applied, PLAN_UP, target);
	SPI_finish();
	if (plan->n_steps == 0)
		return (Datum) 0;

	initStringInfo(&in);
	appendBinaryStringInfo(&in, set->name, strlen(set->name) + 1);
	{
		const char *ext = scratch_ext_schema();

		appendBinaryStringInfo(&in, ext, strlen(ext) + 1);
	}
	cur = palloc(sizeof(int) * (set->graph->n + 1));
	ncur = graph_current(set->graph, st->applied, cur);
	{
		char	   *n = psprintf("%d", ncur);

		appendBinaryStringInfo(&in, n, strlen(n) + 1);
	}
	for (int i = 0; i < ncur; i++)
	{
		const char *r = set->graph->nodes[cur[i]].mig->revision;

		appendBinaryStringInfo(&in, r, strlen(r) + 1);
	}
	for (int i = 0; i < plan->n_steps; i++)
	{
		const char *r = set->graph->nodes[plan->steps[i]].mig->revision;

		appendBinaryStringInfo(&in, r, strlen(r) + 1);
	}
	bytes = scratch_run("sm_trace_job", in.data, in.len, &len);

	for (p = bytes; *p;)
	{
		char	   *rec = field(&p, REC_SEP);
		char	   *rev = field(&rec, FLD_SEP);
		int			line = (int) strtol(field(&rec, FLD_SEP), NULL, 10);
		char	   *stmt = field(&rec, FLD_SEP);
		char	   *locks = field(&rec, FLD_SEP);
		char	   *rewrites = field(&rec, FLD_SEP);
		char	   *scans = field(&rec, FLD_SEP);
		Datum		v[7];
		bool		nulls[7] = {false};

		v[0] = CStringGetTextDatum(rev);
		v[1] = Int32GetDatum(line);
		v[2] = CStringGetTextDatum(stmt);
		v[3] = items_array(locks, false, rev, line, false);
		v[4] = items_array(rewrites, true, rev, line, true);
		v[5] = items_array(scans, true, rev, line, false);
		v[6] = Float8GetDatum(strtod(rec, NULL));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	return (Datum) 0;
}
