/*-------------------------------------------------------------------------
 *
 * lint.c
 *	  The safety lint: rules over PostgreSQL's own parse trees of the
 *	  pending migrations, with severity from this database's live facts.
 *
 * Client linters read a file and guess.  Inside the server the guesses
 * become facts: the relation's size and row estimate (pg_class, the
 * files), whether it exists at all or is created earlier in the same plan
 * (then nothing about it is a hazard), whether a type change rewrites (the
 * server's own coercion of the column, simplified by the planner, judged
 * as ALTER TABLE judges it), whether a validated CHECK (col IS NOT NULL)
 * spares SET NOT NULL its scan, whether a lock_timeout is in force.
 *
 * Facts come from the syscache and relcache in this backend, one lookup
 * per relation for the whole plan (cached in a list): there is no SPI
 * round trip per statement.  Sessions that would make a step wait are read
 * with one query over pg_locks and pg_stat_activity for all relations.
 *
 *-------------------------------------------------------------------------
 */
#include "lint.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"


/* The approvals a migration can give, and what each covers. */
static const char *const allow_names[] = {
	"rewrite",					/* the table is rewritten under ACCESS EXCLUSIVE */
	"table_lock",				/* reads or writes wait while it runs */
	"table_scan",				/* the table is scanned under a lock */
	"data_loss",				/* a table, column or schema is dropped */
	"breaking_change",			/* a rename breaks running applications */
	"no_lock_timeout"			/* ACCESS EXCLUSIVE may queue with no limit */
};
#define N_ALLOW (int) lengthof(allow_names)

/* ---------- what the walk knows ---------- */

/* Live facts about one relation, looked up once per plan. */
typedef struct RelFact
{
	char	   *schema;			/* as written, or NULL */
	char	   *name;
	bool		created;		/* created earlier in the plan */
	Oid			relid;			/* InvalidOid: does not exist (yet) */
	char	   *qualname;
	int64		bytes;
	double		rows;
} RelFact;

/* A CHECK (col IS NOT NULL) added in the plan, validated or not yet. */
typedef struct PlanCheck
{
	RelFact    *rel;
	char	   *conname;
	char	   *column;
	bool		validated;
} PlanCheck;

typedef struct EnumAdd
{
	int			step;
	char	   *value;
	char	   *type;
} EnumAdd;

typedef struct Walk
{
	const MigrationSet *set;
	LintResult *res;
	List	   *rels;			/* RelFact * */
	List	   *created_schemas;	/* char * */
	List	   *checks;			/* PlanCheck * */
	List	   *enums;			/* EnumAdd * */

	/* the migration being read */
	int			step;
	const Migration *mig;
	const char *sql;
	int			line;
	char	   *stmt_text;
	bool		lock_timeout_on;
	char	  **allows;			/* approvals given by the migration */
	int		   *allow_lines;
	int			n_allows;
	int			ae_line;		/* first ACCESS EXCLUSIVE on an existing table */
	RelFact    *ae_rel;
	char	   *ae_text;
	int			after_ae;		/* statements after it */
} Walk;

const char *
lint_severity_name(LintSeverity s)
{
	switch (s)
	{
		case LINT_ERROR:
			return "error";
		case LINT_WARNING:
			return "warning";
		case LINT_INFO:
			return "info";
		default:
			return "none";
	}
}

static char *
size_text(int64 bytes)
{
	return text_to_cstring(DatumGetTextPP(DirectFunctionCall1(pg_size_pretty,
															  Int64GetDatum(bytes))));
}

/* "public.orders (41 GB, 380000000 rows)" */
static char *
rel_desc(const RelFact *f)
{
	if (f == NULL)
		return pstrdup("?");
	if (!OidIsValid(f->relid))
		return psprintf("%s (not in this database yet)", f->qualname);
	if (f->rows >= 0)
		return psprintf("%s (%s, %.0f rows)", f->qualname, size_text(f->bytes), f->rows);
	return psprintf("%s (%s, never analyzed)", f->qualname, size_text(f->bytes));
}

/* ---------- live facts ---------- */

static void measure(RelFact *f);

/* Live size and row estimate of a relation; -1 where unknown. */
void
lint_measure(Oid relid, int64 *bytes, double *rows)
{
	RelFact		f;

	memset(&f, 0, sizeof(f));
	f.relid = relid;
	measure(&f);
	*bytes = f.bytes;
	*rows = f.rows;
}

/* Size of a relation's heap and TOAST; a partitioned table sums its leaves. */
static void
measure(RelFact *f)
{
	List	   *rels = list_make1_oid(f->relid);
	ListCell   *lc;

	if (get_rel_relkind(f->relid) == RELKIND_PARTITIONED_TABLE)
		rels = find_all_inheritors(f->relid, NoLock, NULL);
	f->bytes = 0;
	f->rows = 0;
	foreach(lc, rels)
	{
		Oid			r = lfirst_oid(lc);
		HeapTuple	tup;
		char		kind = get_rel_relkind(r);

		if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW &&
			kind != RELKIND_TOASTVALUE && kind != RELKIND_INDEX)
			continue;
		/* never wait behind another session's lock just to measure */
		if (!ConditionalLockRelationOid(r, AccessShareLock))
		{
			f->bytes = -1;
			continue;
		}
		if (f->bytes >= 0)
			f->bytes += DatumGetInt64(DirectFunctionCall1(pg_table_size,
														  ObjectIdGetDatum(r)));
		UnlockRelationOid(r, AccessShareLock);
		tup = SearchSysCache1(RELOID, ObjectIdGetDatum(r));
		if (HeapTupleIsValid(tup))
		{
			float4		t = ((Form_pg_class) GETSTRUCT(tup))->reltuples;

			f->rows = (t < 0 || f->rows < 0) ? -1 : f->rows + t;
			ReleaseSysCache(tup);
		}
	}
}

static bool
same_name(const char *a, const char *b)
{
	return a == NULL || b == NULL || strcmp(a, b) == 0;
}

/*
 * The facts of a relation named in a statement: created earlier in the
 * plan, or looked up (once) in this database.
 */
static RelFact *
rel_fact(Walk *w, const RangeVar *rv)
{
	ListCell   *lc;
	RelFact    *f;

	if (rv == NULL)
		return NULL;
	foreach(lc, w->rels)
	{
		f = lfirst(lc);
		if (strcmp(f->name, rv->relname) == 0 && same_name(f->schema, rv->schemaname))
			return f;
	}
	f = palloc0(sizeof(RelFact));
	f->schema = rv->schemaname ? pstrdup(rv->schemaname) : NULL;
	f->name = pstrdup(rv->relname);
	f->bytes = -1;
	f->rows = -1;
	f->created = rv->schemaname && list_member(w->created_schemas,
											   makeString(rv->schemaname));
	f->relid = f->created ? InvalidOid : RangeVarGetRelid(rv, NoLock, true);
	if (OidIsValid(f->relid))
	{
		f->qualname = quote_qualified_identifier(get_namespace_name(get_rel_namespace(f->relid)),
												 get_rel_name(f->relid));
		measure(f);
	}
	else
		f->qualname = rv->schemaname ? quote_qualified_identifier(rv->schemaname, rv->relname)
			: pstrdup(quote_identifier(rv->relname));
	w->rels = lappend(w->rels, f);
	return f;
}

/* A relation the plan creates: nothing done to it later is a hazard. */
static void
mark_created(Walk *w, const RangeVar *rv)
{
	RelFact    *f = rel_fact(w, rv);

	if (!OidIsValid(f->relid))
		f->created = true;
}

/*
 * How bad a lock, rewrite or scan of f is: nothing for a relation created
 * in the plan, an error above schema_migrate.safety_min_bytes, info below
 * it, a warning when the relation cannot be measured.
 */
static LintSeverity
size_severity(const RelFact *f)
{
	if (f == NULL || f->created)
		return f == NULL ? LINT_WARNING : LINT_NONE;
	if (!OidIsValid(f->relid) || f->bytes < 0)
		return LINT_WARNING;
	return f->bytes >= sm_safety_min_bytes ? LINT_ERROR : LINT_INFO;
}

/* Breaking changes are at least warnings, whatever the size. */
static LintSeverity
breaking_severity(const RelFact *f)
{
	LintSeverity s = size_severity(f);

	if (s == LINT_NONE)
		return s;
	if (f && !OidIsValid(f->relid))
		return LINT_WARNING;
	return s < LINT_WARNING ? LINT_WARNING : s;
}

/* ---------- findings ---------- */

static void
add_finding(Walk *w, const char *rule, LintSeverity sev, const char *allow,
			const RelFact *f, char *message, char *hint)
{
	LintResult *r = w->res;
	LintFinding *x;

	if (sev == LINT_NONE)
		return;
	if (r->n == r->cap)
	{
		r->cap = r->cap ? r->cap * 2 : 16;
		r->items = r->items ? repalloc(r->items, sizeof(LintFinding) * r->cap)
			: palloc(sizeof(LintFinding) * r->cap);
	}
	x = &r->items[r->n++];
	memset(x, 0, sizeof(*x));
	x->mig = w->mig;
	x->line = w->line;
	x->statement = w->stmt_text;
	x->rule = rule;
	x->severity = sev;
	x->allow = allow;
	x->relation = f ? f->qualname : NULL;
	x->bytes = (f && OidIsValid(f->relid)) ? f->bytes : -1;
	x->rows = (f && OidIsValid(f->relid)) ? f->rows : -1;
	x->message = message;
	x->hint = hint;
	for (int i = 0; allow && i < w->n_allows; i++)
		if (strcmp(w->allows[i], allow) == 0)
			x->approved_line = w->allow_lines[i];
}

static void
add_lock(Walk *w, const RelFact *f, LOCKMODE mode)
{
	LintResult *r = w->res;
	LintLock   *l;

	if (f == NULL || f->created || !OidIsValid(f->relid))
		return;
	if (r->n_locks == r->cap_locks)
	{
		r->cap_locks = r->cap_locks ? r->cap_locks * 2 : 16;
		r->locks = r->locks ? repalloc(r->locks, sizeof(LintLock) * r->cap_locks)
			: palloc(sizeof(LintLock) * r->cap_locks);
	}
	l = &r->locks[r->n_locks++];
	l->mig = w->mig;
	l->line = w->line;
	l->relid = f->relid;
	l->relation = f->qualname;
	l->bytes = f->bytes;
	l->mode = mode;
}

/* The statement with its final semicolon and blanks taken off. */
static char *
stmt_body(const char *s)
{
	int			len = strlen(s);

	while (len > 0 && (isspace((unsigned char) s[len - 1]) || s[len - 1] == ';'))
		len--;
	return pnstrdup(s, len);
}

/* The statement with word inserted after the first keyword kw. */
static char *
insert_after(const char *s, const char *kw, const char *word)
{
	int			kl = strlen(kw);

	for (const char *p = s; *p; p++)
		if (pg_strncasecmp(p, kw, kl) == 0 &&
			(p == s || !isalnum((unsigned char) p[-1])) &&
			!isalnum((unsigned char) p[kl]))
			return psprintf("%.*s %s%s;", (int) (p - s + kl), s, word,
							stmt_body(p + kl));
	return psprintf("%s;", stmt_body(s));
}

/* ---------- the lock the statement takes ---------- */

static void
note_access_exclusive(Walk *w, RelFact *f)
{
	if (f == NULL || f->created || !OidIsValid(f->relid))
		return;
	if (!w->lock_timeout_on)
		add_finding(w, "no_lock_timeout", LINT_WARNING, "no_lock_timeout", f,
					psprintf("ACCESS EXCLUSIVE lock on %s with no lock_timeout in force: if a long transaction holds any lock on it, this statement waits with no limit, and every query on the table queues behind it",
							 rel_desc(f)),
					pstrdup("Set a lock timeout for the migration: \"-- lock_timeout: 5s\" in its header, or SET lock_timeout = '5s'; as its first statement (schema_migrate.lock_timeout does it for every migration unless set to 0)."));
	if (w->ae_rel == NULL && w->mig->transactional)
	{
		w->ae_rel = f;
		w->ae_line = w->line;
		w->ae_text = w->stmt_text;
		w->after_ae = -1;		/* counts itself on the way out */
	}
}

/* ---------- rules per statement ---------- */

static char *
index_hint(const char *stmt, const char *kw)
{
	return psprintf("Build it without blocking writes, in a migration of its own marked \"-- transactional: false\" (applied with CALL sm_migrate()): %s",
					insert_after(stmt, kw, "CONCURRENTLY"));
}

static void
lint_index(Walk *w, IndexStmt *st)
{
	RelFact    *f = rel_fact(w, st->relation);

	if (st->idxname)
		mark_created(w, makeRangeVar(st->relation->schemaname, st->idxname, -1));
	if (st->concurrent)
		return;
	add_lock(w, f, ShareLock);
	add_finding(w, "index_not_concurrent", size_severity(f), "table_lock", f,
				psprintf("CREATE INDEX without CONCURRENTLY on %s takes a SHARE lock: every INSERT, UPDATE and DELETE on it waits until the index is built",
						 rel_desc(f)),
				index_hint(w->stmt_text, "INDEX"));
}

static void
concurrently_in_txn(Walk *w, const char *what)
{
	add_finding(w, "concurrently_in_transaction", LINT_ERROR, NULL, NULL,
				psprintf("%s cannot run inside a transaction, and this migration is transactional", what),
				pstrdup("Put the statement in a migration of its own marked \"-- transactional: false\", and apply it with CALL sm_migrate()."));
}

static void
lint_drop(Walk *w, DropStmt *st)
{
	ListCell   *lc;

	foreach(lc, st->objects)
	{
		RangeVar   *rv;
		RelFact    *f;

		if (st->removeType == OBJECT_SCHEMA)
		{
			char	   *nsp = strVal(lfirst(lc));

			if (list_member(w->created_schemas, makeString(nsp)))
				continue;
			if (!OidIsValid(get_namespace_oid(nsp, true)))
				continue;
			add_finding(w, "drop_schema", st->behavior == DROP_CASCADE ? LINT_ERROR : LINT_WARNING,
						"data_loss", NULL,
						psprintf("DROP SCHEMA %s%s: its data is lost, and applications still using it break",
								 quote_identifier(nsp), st->behavior == DROP_CASCADE ? " CASCADE drops every object in it" : ""),
						pstrdup("Drop it only in a release after no deployed code uses it, and approve the loss with \"-- allow: data_loss\" in the migration's header."));
			continue;
		}
		if (st->removeType != OBJECT_TABLE && st->removeType != OBJECT_INDEX)
			continue;
		rv = makeRangeVarFromNameList(lfirst(lc));
		f = rel_fact(w, rv);
		if (st->removeType == OBJECT_TABLE)
		{
			if (!OidIsValid(f->relid) && st->missing_ok)
				continue;
			add_lock(w, f, AccessExclusiveLock);
			add_finding(w, "drop_table", breaking_severity(f), "data_loss", f,
						psprintf("DROP TABLE %s: its data is lost, and applications still using it break",
								 rel_desc(f)),
						psprintf("Stop using the table in a release first; keep a copy if it may be needed (CREATE TABLE %s_archive AS TABLE %s;), then drop it and approve with \"-- allow: data_loss\".",
								 f->name, f->qualname));
			note_access_exclusive(w, f);
			continue;
		}
		/* DROP INDEX: the table it belongs to is what waits */
		if (f->created || !OidIsValid(f->relid))
			continue;
		if (st->concurrent)
		{
			if (w->mig->transactional)
				concurrently_in_txn(w, "DROP INDEX CONCURRENTLY");
			continue;
		}
		{
			Oid			tab = IndexGetRelation(f->relid, true);
			RelFact    *t;

			if (!OidIsValid(tab))
				continue;
			t = rel_fact(w, makeRangeVar(get_namespace_name(get_rel_namespace(tab)),
										 get_rel_name(tab), -1));
			add_lock(w, t, AccessExclusiveLock);
			add_finding(w, "index_not_concurrent", size_severity(t), "table_lock", t,
						psprintf("DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on %s: every read and write of it waits",
								 rel_desc(t)),
						index_hint(w->stmt_text, "INDEX"));
			note_access_exclusive(w, t);
		}
	}
}

static void
lint_rename(Walk *w, RenameStmt *st)
{
	RelFact    *f;

	if (st->renameType != OBJECT_TABLE && st->renameType != OBJECT_COLUMN)
		return;
	if (st->renameType == OBJECT_COLUMN && st->relationType != OBJECT_TABLE)
		return;
	f = rel_fact(w, st->relation);
	if (!OidIsValid(f->relid) && st->missing_ok && !f->created)
		return;
	if (f->created)
	{
		if (st->renameType == OBJECT_TABLE)
			mark_created(w, makeRangeVar(st->relation->schemaname, st->newname, -1));
		return;
	}
	add_lock(w, f, AccessExclusiveLock);
	if (st->renameType == OBJECT_TABLE)
		add_finding(w, "rename_table", breaking_severity(f), "breaking_change", f,
					psprintf("renaming table %s to %s breaks every running application that still uses the old name",
							 rel_desc(f), quote_identifier(st->newname)),
					psprintf("Expand and contract: rename it and keep the old name working with a view until no deployed code uses it: ALTER TABLE %s RENAME TO %s; CREATE VIEW %s AS SELECT * FROM %s; (drop the view in a later migration).",
							 f->qualname, quote_identifier(st->newname), f->qualname,
							 quote_identifier(st->newname)));
	else
		add_finding(w, "rename_column", breaking_severity(f), "breaking_change", f,
					psprintf("renaming column %s of %s to %s breaks every running application that still uses the old name",
							 quote_identifier(st->subname), rel_desc(f), quote_identifier(st->newname)),
					psprintf("Expand and contract: ALTER TABLE %s ADD COLUMN %s <type>; keep both written (a trigger), backfill in batches (UPDATE %s SET %s = %s WHERE ...;), move readers to the new column, and drop the old one in a later migration.",
							 f->qualname, quote_identifier(st->newname), f->qualname,
							 quote_identifier(st->newname), quote_identifier(st->subname)));
	note_access_exclusive(w, f);
}

/* ---------- ALTER TABLE ---------- */

/*
 * Does changing a column to the result of expr rewrite the table?  The
 * same judgement as ATColumnChangeRequiresRewrite() in tablecmds.c: only
 * relabelling (binary-coercible casts, and length coercions the planner's
 * support functions simplified away) keeps the table's files.
 */
static bool
change_rewrites(Node *expr, AttrNumber attnum)
{
	for (;;)
	{
		if (IsA(expr, Var) && ((Var *) expr)->varattno == attnum)
			return false;
		else if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (IsA(expr, CoerceToDomain))
		{
			CoerceToDomain *d = (CoerceToDomain *) expr;

			if (DomainHasConstraints(d->resulttype))
				return true;
			expr = (Node *) d->arg;
		}
		else if (IsA(expr, FuncExpr) &&
				 (((FuncExpr *) expr)->funcid == F_TIMESTAMPTZ_TIMESTAMP ||
				  ((FuncExpr *) expr)->funcid == F_TIMESTAMP_TIMESTAMPTZ) &&
				 !TimestampTimestampTzRequiresRewrite())
			expr = linitial(((FuncExpr *) expr)->args);
		else
			return true;
	}
}

typedef struct TypeChange
{
	Oid			relid;
	const char *column;
	TypeName   *type;
	bool		rewrites;
	char	   *from;
	char	   *to;
} TypeChange;

/* In a subtransaction: the target type may not exist before the plan runs. */
static void
judge_type_change(void *arg)
{
	TypeChange *tc = arg;
	AttrNumber	attnum = get_attnum(tc->relid, tc->column);
	Oid			atttype,
				attcoll,
				newtype;
	int32		atttypmod,
				newtypmod;
	Node	   *expr;

	if (attnum == InvalidAttrNumber)
		elog(ERROR, "no such column");
	get_atttypetypmodcoll(tc->relid, attnum, &atttype, &atttypmod, &attcoll);
	typenameTypeIdAndMod(NULL, tc->type, &newtype, &newtypmod);
	tc->from = format_type_with_typemod(atttype, atttypmod);
	tc->to = format_type_with_typemod(newtype, newtypmod);
	expr = (Node *) makeVar(1, attnum, atttype, atttypmod, attcoll, 0);
	expr = coerce_to_target_type(NULL, expr, atttype, newtype, newtypmod,
								 COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	/* no assignment cast: it needs USING, which computes new values */
	tc->rewrites = expr == NULL ||
		change_rewrites((Node *) expression_planner((Expr *) expr), attnum);
}

static void
lint_alter_type(Walk *w, RelFact *f, AlterTableCmd *cmd)
{
	ColumnDef  *def = castNode(ColumnDef, cmd->def);
	TypeChange	tc = {f->relid, cmd->name, def->typeName, true, NULL, NULL};
	ErrorData  *err = NULL;

	if (def->raw_default == NULL)
		err = exec_in_subtransaction(judge_type_change, &tc);
	if (err)
		FreeErrorData(err);
	if (!tc.rewrites)
	{
		add_finding(w, "type_change_no_rewrite", size_severity(f) ? LINT_INFO : LINT_NONE, NULL, f,
					psprintf("changing column %s of %s from %s to %s is binary-coercible: no rewrite, only a brief ACCESS EXCLUSIVE lock",
							 quote_identifier(cmd->name), rel_desc(f), tc.from, tc.to),
					pstrdup("Nothing to do: this form is safe."));
		return;
	}
	add_finding(w, "type_change_rewrite", size_severity(f), "rewrite", f,
				def->raw_default ?
				psprintf("changing the type of column %s of %s with USING rewrites the table under an ACCESS EXCLUSIVE lock: every read and write of it waits until it ends",
						 quote_identifier(cmd->name), rel_desc(f)) :
				tc.from ?
				psprintf("changing column %s of %s from %s to %s rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock: every read and write of it waits until it ends",
						 quote_identifier(cmd->name), rel_desc(f), tc.from, tc.to) :
				psprintf("changing the type of column %s of %s rewrites the table unless the types are binary-coercible, which cannot be judged before the plan runs",
						 quote_identifier(cmd->name), rel_desc(f)),
				psprintf("Expand and contract: ALTER TABLE %s ADD COLUMN %s_new <new type>; backfill in batches (UPDATE %s SET %s_new = %s WHERE ...;), keep both written (a trigger), then switch readers and drop the old column in a later migration.",
						 f->qualname, cmd->name, f->qualname, cmd->name,
						 quote_identifier(cmd->name)));
}

typedef struct Volatility
{
	Node	   *raw;
	bool		is_volatile;
} Volatility;

static void
judge_default(void *arg)
{
	Volatility *v = arg;
	ParseState *ps = make_parsestate(NULL);
	Node	   *e = transformExpr(ps, copyObject(v->raw), EXPR_KIND_COLUMN_DEFAULT);

	v->is_volatile = contain_volatile_functions(e);
	free_parsestate(ps);
}

static bool
is_serial(const TypeName *t)
{
	static const char *const serials[] = {"serial", "bigserial", "smallserial",
	"serial2", "serial4", "serial8"};
	const char *name;

	if (t == NULL || list_length(t->names) != 1 || t->arrayBounds != NIL)
		return false;
	name = strVal(linitial(t->names));
	for (int i = 0; i < (int) lengthof(serials); i++)
		if (strcmp(name, serials[i]) == 0)
			return true;
	return false;
}

static void constraint_rules(Walk *w, RelFact *f, Constraint *c, const char *column);

static void
lint_add_column(Walk *w, RelFact *f, ColumnDef *def)
{
	ListCell   *lc;
	const char *why = NULL;
	Node	   *raw = def->raw_default;

	if (is_serial(def->typeName))
		why = "a serial column gets nextval() as its default, which is volatile";
	foreach(lc, def->constraints)
	{
		Constraint *c = lfirst_node(Constraint, lc);

		if (c->contype == CONSTR_DEFAULT)
			raw = c->raw_expr;
		else if (c->contype == CONSTR_IDENTITY)
			why = "an identity column fills every row from its sequence";
		else if (c->contype == CONSTR_GENERATED)
			why = "a stored generated column is computed for every row";
		else
			constraint_rules(w, f, c, def->colname);
	}
	if (why == NULL && raw)
	{
		Volatility	v = {raw, true};
		ErrorData  *err = exec_in_subtransaction(judge_default, &v);

		if (err)
		{
			FreeErrorData(err);
			why = "its default cannot be judged before the plan runs, and a volatile default rewrites";
		}
		else if (v.is_volatile)
			why = "its default is volatile, so it is computed for every row";
	}
	if (why == NULL)
		return;
	add_finding(w, "volatile_default", size_severity(f), "rewrite", f,
				psprintf("adding column %s to %s rewrites the table under an ACCESS EXCLUSIVE lock: %s",
						 quote_identifier(def->colname), rel_desc(f), why),
				psprintf("Add the column without the default, set the default for new rows, then backfill existing rows in batches: ALTER TABLE %s ADD COLUMN %s <type>; ALTER TABLE %s ALTER COLUMN %s SET DEFAULT <expression>; UPDATE %s SET %s = <expression> WHERE %s IS NULL AND ...; (in batches)",
						 f->qualname, quote_identifier(def->colname), f->qualname,
						 quote_identifier(def->colname), f->qualname,
						 quote_identifier(def->colname), quote_identifier(def->colname)));
}

/* The column c of CHECK (c IS NOT NULL), or NULL. */
static char *
not_null_check_column(Node *expr)
{
	NullTest   *nt;
	ColumnRef  *cr;

	if (expr == NULL || !IsA(expr, NullTest))
		return NULL;
	nt = (NullTest *) expr;
	if (nt->nulltesttype != IS_NOT_NULL || !IsA(nt->arg, ColumnRef))
		return NULL;
	cr = (ColumnRef *) nt->arg;
	if (list_length(cr->fields) != 1 || !IsA(linitial(cr->fields), String))
		return NULL;
	return strVal(linitial(cr->fields));
}

static bool
attr_not_null(Oid relid, AttrNumber attnum)
{
	HeapTuple	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
	bool		nn = false;

	if (HeapTupleIsValid(tup))
	{
		nn = ((Form_pg_attribute) GETSTRUCT(tup))->attnotnull;
		ReleaseSysCache(tup);
	}
	return nn;
}

/* Does a validated CHECK constraint of relid prove column attnum NOT NULL? */
static bool
has_validated_not_null_check(Oid relid, AttrNumber attnum)
{
	Relation	rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
		Datum		bin;
		bool		isnull;
		ListCell   *lc;

		if (con->contype != CONSTRAINT_CHECK || !con->convalidated)
			continue;
		bin = heap_getattr(tup, Anum_pg_constraint_conbin, RelationGetDescr(rel), &isnull);
		if (isnull)
			continue;
		foreach(lc, make_ands_implicit((Expr *) stringToNode(TextDatumGetCString(bin))))
		{
			NullTest   *nt = lfirst(lc);

			if (IsA(nt, NullTest) && nt->nulltesttype == IS_NOT_NULL &&
				!nt->argisrow && IsA(nt->arg, Var) &&
				((Var *) nt->arg)->varattno == attnum)
				found = true;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

static bool
plan_check_proves(Walk *w, RelFact *f, const char *column)
{
	ListCell   *lc;

	foreach(lc, w->checks)
	{
		PlanCheck  *pc = lfirst(lc);

		if (pc->rel == f && pc->validated && strcmp(pc->column, column) == 0)
			return true;
	}
	return false;
}

static void
lint_set_not_null(Walk *w, RelFact *f, const char *column)
{
	AttrNumber	attnum = get_attnum(f->relid, column);
	char	   *cn;

	if (attnum != InvalidAttrNumber &&
		(attr_not_null(f->relid, attnum) || has_validated_not_null_check(f->relid, attnum)))
		return;
	if (plan_check_proves(w, f, column))
		return;
	cn = psprintf("%s_%s_not_null", f->name, column);
	add_finding(w, "set_not_null", size_severity(f), "table_scan", f,
				psprintf("SET NOT NULL on column %s of %s scans the whole table under an ACCESS EXCLUSIVE lock: no validated CHECK (%s IS NOT NULL) proves it first",
						 quote_identifier(column), rel_desc(f), quote_identifier(column)),
				psprintf("Prove it with a check validated without the exclusive lock, then SET NOT NULL skips the scan: ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID; and in a later migration: ALTER TABLE %s VALIDATE CONSTRAINT %s; ALTER TABLE %s ALTER COLUMN %s SET NOT NULL; ALTER TABLE %s DROP CONSTRAINT %s;",
						 f->qualname, quote_identifier(cn), quote_identifier(column),
						 f->qualname, quote_identifier(cn), f->qualname,
						 quote_identifier(column), f->qualname, quote_identifier(cn)));
}

static void
constraint_rules(Walk *w, RelFact *f, Constraint *c, const char *column)
{
	const char *name = c->conname ? quote_identifier(c->conname) : "<name>";

	switch (c->contype)
	{
		case CONSTR_CHECK:
			{
				char	   *col = not_null_check_column(c->raw_expr);

				if (col && c->conname)
				{
					PlanCheck  *pc = palloc0(sizeof(PlanCheck));

					pc->rel = f;
					pc->conname = pstrdup(c->conname);
					pc->column = pstrdup(col);
					pc->validated = !c->skip_validation;
					w->checks = lappend(w->checks, pc);
				}
			}
			/* FALLTHROUGH */
		case CONSTR_FOREIGN:
			if (c->skip_validation || column)
			{
				if (column && c->contype == CONSTR_FOREIGN)
					add_finding(w, "constraint_not_valid", size_severity(f), "table_scan", f,
								psprintf("a REFERENCES constraint on new column %s of %s is validated at once under a SHARE ROW EXCLUSIVE lock on both tables",
										 quote_identifier(column), rel_desc(f)),
								psprintf("Add the column first, then the constraint as NOT VALID, and validate it in a later migration: ALTER TABLE %s ADD CONSTRAINT <name> FOREIGN KEY (%s) REFERENCES ... NOT VALID; ALTER TABLE %s VALIDATE CONSTRAINT <name>;",
										 f->qualname, quote_identifier(column), f->qualname));
				return;
			}
			add_finding(w, "constraint_not_valid", size_severity(f), "table_scan", f,
						psprintf("adding %s constraint %s to %s without NOT VALID scans the whole table%s while writes wait",
								 c->contype == CONSTR_FOREIGN ? "FOREIGN KEY" : "CHECK", name, rel_desc(f),
								 c->contype == CONSTR_FOREIGN ? " (and locks the referenced table)" : ""),
						psprintf("Add it as NOT VALID (checked for new rows only), then validate it in a later migration under a lock that lets writes go on: %s NOT VALID; and then ALTER TABLE %s VALIDATE CONSTRAINT %s;",
								 stmt_body(w->stmt_text), f->qualname, name));
			return;
		case CONSTR_PRIMARY:
		case CONSTR_UNIQUE:
			if (c->indexname)
				return;			/* USING INDEX: the safe form already */
			add_finding(w, "unique_constraint", size_severity(f), "table_lock", f,
						psprintf("adding a %s constraint to %s builds its index under an ACCESS EXCLUSIVE lock: every read and write of it waits",
								 c->contype == CONSTR_PRIMARY ? "PRIMARY KEY" : "UNIQUE", rel_desc(f)),
						psprintf("Build the index first without blocking, in a migration marked \"-- transactional: false\": CREATE UNIQUE INDEX CONCURRENTLY <index> ON %s (<columns>); then attach it: ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX <index>;",
								 f->qualname, f->qualname, name,
								 c->contype == CONSTR_PRIMARY ? "PRIMARY KEY" : "UNIQUE"));
			return;
		case CONSTR_EXCLUSION:
			add_finding(w, "exclusion_constraint", size_severity(f), "table_lock", f,
						psprintf("adding an EXCLUSION constraint to %s builds its index under an ACCESS EXCLUSIVE lock, and there is no concurrent form",
								 rel_desc(f)),
						pstrdup("Add it when the table is created, or in a maintenance window; approve with \"-- allow: table_lock\"."));
			return;
		default:
			return;
	}
}

static void
lint_alter_cmd(Walk *w, RelFact *f, AlterTableStmt *st, AlterTableCmd *cmd)
{
	switch (cmd->subtype)
	{
		case AT_AddColumn:
			lint_add_column(w, f, castNode(ColumnDef, cmd->def));
			break;
		case AT_AlterColumnType:
			lint_alter_type(w, f, cmd);
			break;
		case AT_SetNotNull:
			lint_set_not_null(w, f, cmd->name);
			break;
		case AT_AddConstraint:
			constraint_rules(w, f, castNode(Constraint, cmd->def), NULL);
			break;
		case AT_ValidateConstraint:
			{
				ListCell   *lc;

				foreach(lc, w->checks)
				{
					PlanCheck  *pc = lfirst(lc);

					if (pc->rel == f && strcmp(pc->conname, cmd->name) == 0)
						pc->validated = true;
				}
				break;
			}
		case AT_DropColumn:
			add_finding(w, "drop_column", breaking_severity(f), "data_loss", f,
						psprintf("dropping column %s of %s loses its data, and applications still reading it break",
								 quote_identifier(cmd->name), rel_desc(f)),
						psprintf("Stop reading and writing the column in a release first, then drop it: ALTER TABLE %s DROP COLUMN %s; approved with \"-- allow: data_loss\".",
								 f->qualname, quote_identifier(cmd->name)));
			break;
		case AT_DetachPartition:
			if (!castNode(PartitionCmd, cmd->def)->concurrent)
				add_finding(w, "detach_partition", size_severity(f), "table_lock", f,
							psprintf("DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on %s: every query on it waits",
									 rel_desc(f)),
							psprintf("In a migration marked \"-- transactional: false\": %s CONCURRENTLY;",
									 stmt_body(w->stmt_text)));
			break;
		default:
			break;
	}
}

static void
lint_alter_table(Walk *w, AlterTableStmt *st)
{
	RelFact    *f;
	LOCKMODE	mode;
	ListCell   *lc;

	if (st->objtype != OBJECT_TABLE)
		return;
	f = rel_fact(w, st->relation);
	if (f->created || (!OidIsValid(f->relid) && st->missing_ok))
		return;
	if (!OidIsValid(f->relid))
	{
		add_finding(w, "unknown_relation", LINT_WARNING, NULL, f,
					psprintf("%s does not exist in this database and is not created earlier in the plan: nothing can be judged about it",
							 f->qualname),
					pstrdup("Check the name; a table created by a function or a DO block is not seen by the lint."));
		return;
	}
	mode = AlterTableGetLockLevel(st->cmds);
	add_lock(w, f, mode);
	foreach(lc, st->cmds)
		lint_alter_cmd(w, f, st, lfirst_node(AlterTableCmd, lc));
	if (mode == AccessExclusiveLock)
		note_access_exclusive(w, f);
}

/* ---------- other statements ---------- */

static void
lint_reindex(Walk *w, ReindexStmt *st)
{
	ListCell   *lc;
	RelFact    *f = NULL;

	foreach(lc, st->params)
		if (strcmp(((DefElem *) lfirst(lc))->defname, "concurrently") == 0)
		{
			if (w->mig->transactional)
				concurrently_in_txn(w, "REINDEX CONCURRENTLY");
			return;
		}
	if (st->relation)
	{
		f = rel_fact(w, st->relation);
		if (st->kind == REINDEX_OBJECT_INDEX && OidIsValid(f->relid))
		{
			Oid			tab = IndexGetRelation(f->relid, true);

			if (OidIsValid(tab))
				f = rel_fact(w, makeRangeVar(get_namespace_name(get_rel_namespace(tab)),
											 get_rel_name(tab), -1));
		}
		else if (st->kind == REINDEX_OBJECT_INDEX && f->created)
			return;
	}
	add_lock(w, f, ShareLock);
	add_finding(w, "reindex_not_concurrent", f ? size_severity(f) : LINT_WARNING, "table_lock", f,
				psprintf("REINDEX without CONCURRENTLY blocks writes to %s (and reads that use the index) until it ends",
						 f ? rel_desc(f) : "every table it covers"),
				index_hint(w->stmt_text, st->kind == REINDEX_OBJECT_INDEX ? "INDEX" :
						   st->kind == REINDEX_OBJECT_TABLE ? "TABLE" :
						   st->kind == REINDEX_OBJECT_SCHEMA ? "SCHEMA" : "DATABASE"));
}

static void
lint_rewrite_all(Walk *w, const char *what, RangeVar *rv)
{
	RelFact    *f = rv ? rel_fact(w, rv) : NULL;

	if (f && f->created)
		return;
	add_lock(w, f, AccessExclusiveLock);
	add_finding(w, strcmp(what, "CLUSTER") == 0 ? "cluster" : "vacuum_full",
				f ? size_severity(f) : LINT_WARNING, "rewrite", f,
				psprintf("%s rewrites %s under an ACCESS EXCLUSIVE lock: every read and write waits until it ends",
						 what, f ? rel_desc(f) : "every table it covers"),
				pstrdup("Rebuild the table online instead (pg_repack, or a new table filled in batches and swapped in), or run it in a maintenance window and approve with \"-- allow: rewrite\"."));
	note_access_exclusive(w, f);
}

static void
lint_vacuum(Walk *w, VacuumStmt *st)
{
	ListCell   *lc;
	bool		full = false;

	foreach(lc, st->options)
		if (strcmp(((DefElem *) lfirst(lc))->defname, "full") == 0)
			full = defGetBoolean(lfirst(lc));
	if (!st->is_vacuumcmd || !full)
		return;
	if (st->rels == NIL)
		lint_rewrite_all(w, "VACUUM FULL", NULL);
	foreach(lc, st->rels)
		lint_rewrite_all(w, "VACUUM FULL", ((VacuumRelation *) lfirst(lc))->relation);
}

static void
lint_set(Walk *w, VariableSetStmt *st)
{
	if (st->name == NULL || strcmp(st->name, "lock_timeout") != 0)
		return;
	if (st->kind == VAR_SET_VALUE && list_length(st->args) == 1)
	{
		A_Const    *c = linitial(st->args);

		if (IsA(c, A_Const) && !c->isnull)
			w->lock_timeout_on = IsA(&c->val, Integer) ? intVal(&c->val) != 0 :
				IsA(&c->val, String) ? strspn(strVal(&c->val), "0 ") != strlen(strVal(&c->val)) : true;
	}
	else if (st->kind == VAR_SET_DEFAULT || st->kind == VAR_RESET)
		w->lock_timeout_on = LockTimeout > 0;
}

/*
 * ALTER TYPE ... ADD VALUE: a new enum value cannot be used in the same
 * transaction.  Later statements naming the value as a literal are flagged.
 */
static void
lint_enum_use(Walk *w)
{
	ListCell   *lc;

	foreach(lc, w->enums)
	{
		EnumAdd    *e = lfirst(lc);
		char	   *lit = quote_literal_cstr(e->value);

		if (strstr(w->stmt_text, lit) == NULL)
			continue;
		if (e->step == w->step && w->mig->transactional)
			add_finding(w, "enum_value_used", LINT_ERROR, NULL, NULL,
						psprintf("enum value %s added to %s earlier in this migration is used in the same transaction: PostgreSQL refuses that (\"unsafe use of new value\")",
								 lit, e->type),
						psprintf("Put ALTER TYPE %s ADD VALUE %s; in a migration of its own and apply with CALL sm_migrate(), which commits after each migration.",
								 e->type, lit));
		else if (e->step != w->step)
			add_finding(w, "enum_value_used", LINT_WARNING, NULL, NULL,
						psprintf("enum value %s added to %s by an earlier migration of this plan is used here: that fails under SELECT sm_upgrade(), which runs the whole plan in one transaction",
								 lit, e->type),
						pstrdup("Apply the plan with CALL sm_migrate(), which commits after each migration."));
	}
}

static void
lint_statement(Walk *w, Node *n)
{
	lint_enum_use(w);
	switch (nodeTag(n))
	{
		case T_CreateStmt:
			mark_created(w, ((CreateStmt *) n)->relation);
			break;
		case T_CreateTableAsStmt:
			mark_created(w, ((CreateTableAsStmt *) n)->into->rel);
			break;
		case T_CreateSchemaStmt:
			if (((CreateSchemaStmt *) n)->schemaname &&
				!OidIsValid(get_namespace_oid(((CreateSchemaStmt *) n)->schemaname, true)))
				w->created_schemas = lappend(w->created_schemas,
											 makeString(pstrdup(((CreateSchemaStmt *) n)->schemaname)));
			break;
		case T_IndexStmt:
			if (((IndexStmt *) n)->concurrent && w->mig->transactional)
				concurrently_in_txn(w, "CREATE INDEX CONCURRENTLY");
			lint_index(w, (IndexStmt *) n);
			break;
		case T_DropStmt:
			lint_drop(w, (DropStmt *) n);
			break;
		case T_RenameStmt:
			lint_rename(w, (RenameStmt *) n);
			break;
		case T_AlterTableStmt:
			lint_alter_table(w, (AlterTableStmt *) n);
			break;
		case T_ReindexStmt:
			lint_reindex(w, (ReindexStmt *) n);
			break;
		case T_ClusterStmt:
			lint_rewrite_all(w, "CLUSTER", ((ClusterStmt *) n)->relation);
			break;
		case T_VacuumStmt:
			lint_vacuum(w, (VacuumStmt *) n);
			break;
		case T_VariableSetStmt:
			lint_set(w, (VariableSetStmt *) n);
			break;
		case T_AlterEnumStmt:
			{
				AlterEnumStmt *st = (AlterEnumStmt *) n;

				if (st->newVal && st->oldVal == NULL)
				{
					EnumAdd    *e = palloc(sizeof(EnumAdd));

					e->step = w->step;
					e->value = pstrdup(st->newVal);
					e->type = NameListToQuotedString(st->typeName);
					w->enums = lappend(w->enums, e);
				}
				break;
			}
		case T_LockStmt:
			{
				LockStmt   *st = (LockStmt *) n;
				ListCell   *lc;

				foreach(lc, st->relations)
				{
					RelFact    *f = rel_fact(w, lfirst(lc));

					add_lock(w, f, st->mode);
					if (st->mode == AccessExclusiveLock)
						note_access_exclusive(w, f);
				}
				break;
			}
		case T_TruncateStmt:
			{
				ListCell   *lc;

				foreach(lc, ((TruncateStmt *) n)->relations)
				{
					RelFact    *f = rel_fact(w, lfirst(lc));

					add_lock(w, f, AccessExclusiveLock);
					note_access_exclusive(w, f);
				}
				break;
			}
		default:
			break;
	}
}

/* ---------- approvals ---------- */

/*
 * "-- allow: rewrite, table_lock" lines anywhere in the file: the native
 * parser accepts the directive in the header; other formats carry it as a
 * plain comment.  An unknown name is a finding, not ignored.
 */
static void
read_allows(Walk *w, const Migration *m)
{
	const char *p = m->text;
	const char *end = p ? p + m->text_len : NULL;
	int			line = 1;

	w->n_allows = 0;
	w->allows = palloc(sizeof(char *) * N_ALLOW);
	w->allow_lines = palloc(sizeof(int) * N_ALLOW);
	for (; p && p < end; line++)
	{
		const char *le = memchr(p, '\n', end - p);
		const char *q = p;

		if (le == NULL)
			le = end;
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		if (le - q > 2 && q[0] == '-' && q[1] == '-')
		{
			q += 2;
			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			if (le - q >= 6 && strncmp(q, "allow:", 6) == 0)
			{
				char	   *list = pnstrdup(q + 6, le - q - 6);
				char	   *tok;
				char	   *save;

				for (tok = strtok_r(list, ", \t\r", &save); tok; tok = strtok_r(NULL, ", \t\r", &save))
				{
					int			i;

					for (i = 0; i < N_ALLOW; i++)
						if (strcmp(tok, allow_names[i]) == 0)
							break;
					if (i == N_ALLOW)
					{
						w->line = line;
						w->stmt_text = pnstrdup(p, le - p);
						add_finding(w, "unknown_allow", LINT_ERROR, NULL, NULL,
									psprintf("unknown approval \"%s\" in \"-- allow:\" (file %s line %d)", tok, m->file, line),
									pstrdup("Approvals are rewrite, table_lock, table_scan, data_loss, breaking_change and no_lock_timeout."));
						continue;
					}
					if (w->n_allows < N_ALLOW)
					{
						w->allows[w->n_allows] = (char *) allow_names[i];
						w->allow_lines[w->n_allows++] = line;
					}
				}
			}
		}
		p = le + 1;
	}
}

/* ---------- one migration ---------- */

static void
lint_context(void *arg)
{
	Walk	   *w = arg;
	int			pos = geterrposition();

	/* a syntax error: its line in the file, kept off the outer query */
	if (pos > 0 && w->sql)
	{
		errposition(0);
		w->line = w->mig->up_line +
			stmt_lines_before(w->sql, stmt_char_to_byte(w->sql, pos));
	}
	errcontext("linting migration %s (set \"%s\", file %s, line %d)",
			   w->mig->revision, w->set->name, w->mig->file, w->line);
}

/*
 * The statements of a migration's up section, from their first word, with
 * their file lines; BEGIN / COMMIT around the body are left out.
 */
LintStmt *
lint_statements(const Migration *m, int *n)
{
	List	   *stmts;
	ListCell   *lc;
	int			sqllen;
	LintStmt   *out;

	*n = 0;
	if (m->up_sql == NULL)
		return NULL;
	sqllen = strlen(m->up_sql);
	stmts = raw_parser(m->up_sql, RAW_PARSE_DEFAULT);
	out = palloc0(sizeof(LintStmt) * (list_length(stmts) + 1));
	foreach(lc, stmts)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		int			off = rs->stmt_location;
		int			len = rs->stmt_len ? rs->stmt_len : sqllen - off;
		int			start = stmt_skip_noise(m->up_sql, off, off + len);

		if (IsA(rs->stmt, TransactionStmt))
			continue;
		out[*n].line = m->up_line + stmt_lines_before(m->up_sql, start);
		out[*n].text = pnstrdup(m->up_sql + start, off + len - start);
		out[*n].stmt = rs->stmt;
		(*n)++;
	}
	return out;
}

static void
lint_migration(Walk *w, const Migration *m)
{
	LintStmt   *stmts;
	int			n;
	/* what the executor sets for the migration (0: no limit) */
	int			effective = m->lock_timeout_ms >= 0 ? m->lock_timeout_ms :
		sm_lock_timeout;

	w->mig = m;
	w->sql = m->up_sql;
	w->lock_timeout_on = effective > 0;
	w->ae_rel = NULL;
	w->line = m->up_line;
	read_allows(w, m);
	stmts = lint_statements(m, &n);
	for (int i = 0; i < n; i++)
	{
		w->line = stmts[i].line;
		w->stmt_text = stmts[i].text;
		if (w->ae_rel)
			w->after_ae++;
		lint_statement(w, stmts[i].stmt);
	}
	if (w->ae_rel && w->after_ae > 0)
	{
		w->line = w->ae_line;
		w->stmt_text = w->ae_text;
		/* the statements after it are judged by their own rules */
		add_finding(w, "lock_held", Min(size_severity(w->ae_rel), LINT_WARNING),
					"table_lock", w->ae_rel,
					psprintf("the ACCESS EXCLUSIVE lock on %s taken here is held for the %d statement%s after it, until the migration commits (under SELECT sm_upgrade(), until the whole plan commits)",
							 rel_desc(w->ae_rel), w->after_ae, w->after_ae == 1 ? "" : "s"),
					pstrdup("Move the statements after it into a migration of their own, so the lock is held for this statement only; apply with CALL sm_migrate(), which commits after each migration."));
	}
}

/*
 * Lint the pending migrations of an upgrade plan, in order.  Relations
 * created earlier in the plan are never hazards; everything else is judged
 * with this database's facts.
 */
LintResult *
lint_plan(const MigrationSet *set, const MigPlan *plan)
{
	Walk		w;
	ErrorContextCallback cb;
	int			guc_level = -1;

	memset(&w, 0, sizeof(w));
	w.set = set;
	w.res = palloc0(sizeof(LintResult));
	if (plan->direction != PLAN_UP)
		return w.res;
	if (set->tenant)
	{
		guc_level = NewGUCNestLevel();
		(void) set_config_option("search_path", exec_tenant_search_path(set),
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
	}
	cb.previous = error_context_stack;
	cb.callback = lint_context;
	cb.arg = &w;
	error_context_stack = &cb;
	for (int i = 0; i < plan->n_steps; i++)
	{
		w.step = i;
		lint_migration(&w, set->graph->nodes[plan->steps[i]].mig);
		CHECK_FOR_INTERRUPTS();
	}
	error_context_stack = cb.previous;
	if (guc_level >= 0)
		AtEOXact_GUC(true, guc_level);
	return w.res;
}

/* ---------- sessions a step would wait for ---------- */

static LOCKMODE
lock_mode_by_name(const char *name)
{
	for (LOCKMODE m = AccessShareLock; m <= AccessExclusiveLock; m++)
		if (strcmp(GetLockmodeName(DEFAULT_LOCKMETHOD, m), name) == 0)
			return m;
	return NoLock;
}

/*
 * Sessions holding (or waiting for) a lock that conflicts with what a
 * step needs, one query for all relations of the plan.  Caller is
 * SPI-connected.
 */
LintBlocker *
lint_blockers(const LintResult *res, int *n)
{
	Datum	   *oids;
	Oid			types[1] = {OIDARRAYOID};
	Datum		values[1];
	LintBlocker *out;
	int			nout = 0;

	*n = 0;
	if (res->n_locks == 0)
		return NULL;
	oids = palloc(sizeof(Datum) * res->n_locks);
	for (int i = 0; i < res->n_locks; i++)
		oids[i] = ObjectIdGetDatum(res->locks[i].relid);
	values[0] = PointerGetDatum(construct_array(oids, res->n_locks, OIDOID,
												sizeof(Oid), true, TYPALIGN_INT));
	if (SPI_execute_with_args("SELECT l.relation, l.pid, l.mode, a.state,"
							  " CASE WHEN a.state OPERATOR(pg_catalog.~~) 'idle in transaction%'"
							  "  THEN pg_catalog.date_part('epoch', pg_catalog.clock_timestamp()"
							  "   OPERATOR(pg_catalog.-) a.state_change) END,"
							  " pg_catalog.date_part('epoch', pg_catalog.clock_timestamp()"
							  "  OPERATOR(pg_catalog.-) a.xact_start), a.query"
							  " FROM pg_catalog.pg_locks l"
							  " JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) l.pid"
							  " WHERE l.locktype OPERATOR(pg_catalog.=) 'relation'"
							  " AND l.database OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database"
							  "  WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database())"
							  " AND l.relation OPERATOR(pg_catalog.=) ANY ($1)"
							  " AND l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()"
							  " ORDER BY l.pid, l.mode",
							  1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading pg_locks failed");
	out = palloc0(sizeof(LintBlocker) * (SPI_processed * res->n_locks + 1));
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		char	   *mode = SPI_getvalue(tup, desc, 3);
		LOCKMODE	held = lock_mode_by_name(mode);

		for (int i = 0; i < res->n_locks; i++)
		{
			LintBlocker *b;
			Datum		d;

			if (res->locks[i].relid != relid || !DoLockModesConflict(held, res->locks[i].mode))
				continue;
			b = &out[nout++];
			b->lock = &res->locks[i];
			b->pid = DatumGetInt32(SPI_getbinval(tup, desc, 2, &isnull));
			b->holds = pstrdup(mode);
			b->state = SPI_getvalue(tup, desc, 4);
			b->state = b->state ? pstrdup(b->state) : NULL;
			d = SPI_getbinval(tup, desc, 5, &isnull);
			b->idle_in_xact_s = isnull ? -1 : DatumGetFloat8(d);
			d = SPI_getbinval(tup, desc, 6, &isnull);
			b->xact_s = isnull ? -1 : DatumGetFloat8(d);
			b->query = SPI_getvalue(tup, desc, 7);
			b->query = b->query ? pstrdup(b->query) : NULL;
		}
	}
	*n = nout;
	return out;
}
