/*-------------------------------------------------------------------------
 *
 * statements.c
 *	  Split a migration's SQL into statements and check them before
 *	  anything runs; name the file and line of any error.
 *
 * Every step is split with PostgreSQL's own raw parser before the plan
 * runs, so a syntax error, a transaction-control statement or a statement
 * that cannot run inside a transaction stops the whole plan with nothing
 * executed.  The error context callback turns an error position (from the
 * parser here, or from SPI while running) into a line of the file.
 *
 * The list of statements that cannot run in a transaction is here too, and
 * serves the set loader as well: Flyway and golang-migrate files that hold
 * one are made non-transactional, as those tools run them.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include <ctype.h>

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/memutils.h"

/* ---------- positions and lines ---------- */

/* The number of line ends in the first nbytes of text. */
int
stmt_lines_before(const char *text, int nbytes)
{
	int			n = 0;

	for (int i = 0; i < nbytes && text[i]; i++)
		n += text[i] == '\n';
	return n;
}

/* Byte offset of the 1-based character position pos in text. */
int
stmt_char_to_byte(const char *text, int pos)
{
	int			off = 0;

	for (int c = 1; c < pos && text[off]; c++)
		off += pg_mblen(text + off);
	return off;
}

/*
 * Skip blanks and comments (nested block comments too, as the scanner
 * does), so a statement's line is that of its first word.
 */
int
stmt_skip_noise(const char *s, int off, int end)
{
	while (off < end)
	{
		if (isspace((unsigned char) s[off]))
			off++;
		else if (s[off] == '-' && off + 1 < end && s[off + 1] == '-')
		{
			while (off < end && s[off] != '\n')
				off++;
		}
		else if (s[off] == '/' && off + 1 < end && s[off + 1] == '*')
		{
			int			depth = 1;

			off += 2;
			while (off < end && depth > 0)
			{
				if (s[off] == '/' && off + 1 < end && s[off + 1] == '*')
					depth++, off++;
				else if (s[off] == '*' && off + 1 < end && s[off + 1] == '/')
					depth--, off++;
				off++;
			}
		}
		else
			break;
	}
	return off;
}

void
stmt_error_callback(void *arg)
{
	ExecPlace  *place = (ExecPlace *) arg;
	const Migration *m = place->step->mig;
	int			line = place->line;
	int			pos = geterrposition();

	/* a syntax error from our own raw_parser: keep it off the outer query */
	if (pos > 0)
		errposition(0);
	else
		pos = getinternalerrposition();
	if (pos > 0 && place->text)
	{
		int			off = stmt_char_to_byte(place->text, pos);

		line += stmt_lines_before(place->text, off);
		if (geterrcode() == ERRCODE_SYNTAX_ERROR && place->text[off] == '\\')
			errhint("Migration files are plain SQL: psql meta-commands such as \\i and \\set are not available.");
	}

	if (place->wait)
	{
		place->wait->fail_line = line;
		place->wait->stmt = place->stmt;
	}

	errcontext("%s migration %s (set \"%s\", file %s, line %d)",
			   place->dir == PLAN_UP ? "applying" : "reverting",
			   m->revision, place->set->name, place->step->file, line);
}

/* ---------- preparing: split and check before anything runs ---------- */

static bool
is_txn_stmt(Node *n, TransactionStmtKind kind)
{
	return IsA(n, TransactionStmt) && ((TransactionStmt *) n)->kind == kind;
}

/* Statements PostgreSQL refuses inside a transaction block or a function. */
const char *
stmt_non_transactional(Node *n)
{
	switch (nodeTag(n))
	{
		case T_IndexStmt:
			return ((IndexStmt *) n)->concurrent ? "CREATE INDEX CONCURRENTLY" : NULL;
		case T_DropStmt:
			return ((DropStmt *) n)->concurrent ? "DROP INDEX CONCURRENTLY" : NULL;
		case T_ReindexStmt:
			{
				ListCell   *lc;

				foreach(lc, ((ReindexStmt *) n)->params)
					if (strcmp(((DefElem *) lfirst(lc))->defname, "concurrently") == 0)
						return "REINDEX CONCURRENTLY";
				return NULL;
			}
		case T_VacuumStmt:
			return ((VacuumStmt *) n)->is_vacuumcmd ? "VACUUM" : NULL;
		case T_CreatedbStmt:
			return "CREATE DATABASE";
		case T_DropdbStmt:
			return "DROP DATABASE";
		case T_AlterSystemStmt:
			return "ALTER SYSTEM";
		case T_CreateTableSpaceStmt:
			return "CREATE TABLESPACE";
		case T_DropTableSpaceStmt:
			return "DROP TABLESPACE";
		default:
			return NULL;
	}
}

/*
 * The raw parse trees of sql, or NIL when it does not parse: the executor
 * reports the syntax error later, with its line.  Raw parsing touches
 * nothing but memory, so catching its error needs no subtransaction.
 */
static List *
parse_or_nil(const char *sql)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *volatile stmts = NIL;

	PG_TRY();
	{
		stmts = sm_raw_parser(sql);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		stmts = NIL;
	}
	PG_END_TRY();
	return stmts;
}

/*
 * Does a section hold a statement PostgreSQL refuses in a transaction
 * block (the executor's own list)?  The words that list needs are looked
 * for first, so most files are not parsed here at all.
 */
bool
stmt_needs_no_transaction(const char *sql)
{
	MemoryContext tmp,
				old;
	List	   *stmts;
	ListCell   *lc;
	bool		found = false;

	if (sql == NULL ||
		(strcasestr(sql, "concurrently") == NULL &&
		 strcasestr(sql, "vacuum") == NULL &&
		 strcasestr(sql, "database") == NULL &&
		 strcasestr(sql, "tablespace") == NULL &&
		 strcasestr(sql, "system") == NULL))
		return false;
	tmp = AllocSetContextCreate(CurrentMemoryContext, "schema_migrate scan",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(tmp);
	stmts = parse_or_nil(sql);
	foreach(lc, stmts)
	{
		Node	   *n = lfirst_node(RawStmt, lc)->stmt;

		found |= stmt_non_transactional(n) != NULL;
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);
	return found;
}

static void
refuse_statement(ExecPlace *place, int line, const char *errmsg_text,
				 const char *hint)
{
	place->text = NULL;
	place->line = line;
	ereport(ERROR,
			(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
			 errmsg("%s", errmsg_text),
			 errdetail("Nothing was run."),
			 errhint("%s", hint)));
}

/* BEGIN / START TRANSACTION without options, COMMIT, ROLLBACK: 'B', 'C', 'R' */
static char
own_txn_kind(Node *n)
{
	TransactionStmt *t;

	if (!IsA(n, TransactionStmt))
		return 0;
	t = (TransactionStmt *) n;
	switch (t->kind)
	{
		case TRANS_STMT_BEGIN:
		case TRANS_STMT_START:
			return t->options == NIL ? 'B' : 0;
		case TRANS_STMT_COMMIT:
			return t->chain ? 0 : 'C';
		case TRANS_STMT_ROLLBACK:
			return t->chain ? 0 : 'R';
		default:
			return 0;
	}
}

static const char *const txn_hint =
"schema_migrate runs each migration in a transaction of its own choosing; remove BEGIN, COMMIT, ROLLBACK and SAVEPOINT (a BEGIN first and a COMMIT last around the whole file are accepted).";

/*
 * A file that controls its own transactions (statements, then BEGIN ...
 * COMMIT) runs under CALL sm_migrate as psql and golang-migrate run it:
 * statement by statement as top-level statements, each BEGIN ... COMMIT
 * block as one transaction.  Check its blocks before anything runs.
 */
static void
check_own_txn(ExecPlace *place, char kind, Node *stmt, int line,
			  bool online, bool *in_block)
{
	const char *what;

	if (IsA(stmt, TransactionStmt) && (kind == 0 || online))
		refuse_statement(place, line,
						 "transaction control statements are not allowed in a migration",
						 kind == 0 ? txn_hint :
						 "Apply it with CALL sm_migrate(), which runs a file with its own BEGIN and COMMIT statement by statement as top-level statements, as psql does; or remove them (a BEGIN first and a COMMIT last around the whole file are accepted).");
	if (kind == 'B' && *in_block)
		refuse_statement(place, line, "BEGIN inside a transaction block of a migration",
						 "End the block with COMMIT before the next BEGIN.");
	if (kind == 'B')
		*in_block = true;
	else if (kind)
		*in_block = false;
	if ((what = stmt_non_transactional(stmt)) != NULL && *in_block)
		refuse_statement(place, line,
						 psprintf("%s cannot run inside a transaction block", what),
						 "Move it out of the file's BEGIN ... COMMIT block.");
}

/*
 * Split one section into statements.  A BEGIN first and a COMMIT last
 * around the whole body are the transaction schema_migrate provides
 * already, so they are dropped.  Other transaction control makes the
 * step a top-level one (see check_own_txn), or is refused.
 */
static void
split_statements(const MigrationSet *set, PreparedStep *ps, PlanDirection dir,
				 bool verify, bool online)
{
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext,
											  "schema_migrate parse",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(tmp);
	ExecPlace	place = {set, ps, dir, ps->sql, ps->first_line, NULL, -1};
	ErrorContextCallback cb = {error_context_stack, stmt_error_callback, &place};
	List	   *stmts;
	ListCell   *lc;
	int			n = 0,
				n_txn = 0,
				first,
				last;
	int			sqllen = strlen(ps->sql);
	bool		own_txn,
				in_block = false;

	error_context_stack = &cb;
	stmts = sm_raw_parser(ps->sql);
	MemoryContextSwitchTo(old);
	ps->stmts = palloc0(sizeof(StmtSpan) * (list_length(stmts) + 1));

	foreach(lc, stmts)
		n_txn += IsA(lfirst_node(RawStmt, lc)->stmt, TransactionStmt);
	first = 0;
	last = list_length(stmts) - 1;
	if (last >= 1 && n_txn == 2 &&
		(is_txn_stmt(((RawStmt *) linitial(stmts))->stmt, TRANS_STMT_BEGIN) ||
		 is_txn_stmt(((RawStmt *) linitial(stmts))->stmt, TRANS_STMT_START)) &&
		(is_txn_stmt(((RawStmt *) llast(stmts))->stmt, TRANS_STMT_COMMIT) ||
		 (verify && is_txn_stmt(((RawStmt *) llast(stmts))->stmt, TRANS_STMT_ROLLBACK))))
	{
		first++;
		last--;
		n_txn = 0;
	}
	/* a verify script runs inside its change's transaction: no own control */
	own_txn = n_txn > 0 && !verify;
	if (own_txn && !online)
		ps->toplevel = true;
	foreach(lc, stmts)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		int			idx = foreach_current_index(lc);
		int			off = rs->stmt_location;
		int			len = rs->stmt_len ? rs->stmt_len : sqllen - off;
		int			start = stmt_skip_noise(ps->sql, off, off + len);
		int			line = ps->first_line + stmt_lines_before(ps->sql, start);
		char		kind = own_txn ? own_txn_kind(rs->stmt) : 0;
		const char *what;

		if (idx < first || idx > last)
			continue;
		if (own_txn)
			check_own_txn(&place, kind, rs->stmt, line, online, &in_block);
		else if (IsA(rs->stmt, TransactionStmt))
			refuse_statement(&place, line,
							 "transaction control statements are not allowed in a migration",
							 txn_hint);
		if ((what = stmt_non_transactional(rs->stmt)) != NULL &&
			ps->mig->transactional && !own_txn)
			refuse_statement(&place, line,
							 psprintf("%s cannot run inside a transaction", what),
							 "Put it in a migration of its own marked \"-- transactional: false\", and apply that with CALL sm_migrate().");
		/* run from the first word: clean context text and exact lines */
		ps->stmts[n].offset = start;
		ps->stmts[n].len = off + len - start;
		ps->stmts[n].line = line;
		ps->stmts[n].txn = kind;
		if (IsA(rs->stmt, IndexStmt) && ((IndexStmt *) rs->stmt)->concurrent)
		{
			MemoryContext keep = MemoryContextSwitchTo(old);

			ps->stmts[n].index_check = copyObject((IndexStmt *) rs->stmt);
			MemoryContextSwitchTo(keep);
		}
		n++;
	}
	if (in_block)
		refuse_statement(&place, ps->stmts[n - 1].line,
						 "migration ends inside a transaction block",
						 "End the file's BEGIN ... block with COMMIT.");
	ps->n_stmts = n;
	error_context_stack = cb.previous;
	MemoryContextDelete(tmp);
}

/*
 * Split one migration's section (and, going up, its verify script) into
 * statements; nothing runs yet.
 */
void
stmt_prepare_migration(const MigrationSet *set, const Migration *m,
					   PlanDirection dir, bool online, PreparedStep *ps)
{
	if (!m->transactional && online)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("migration %s (set \"%s\", file %s) cannot run inside a transaction",
						m->revision, set->name, m->file),
				 errdetail("It is marked \"-- transactional: false\". Nothing was run."),
				 errhint("Use CALL sm_migrate() outside a transaction block, which runs such migrations statement by statement.")));
	ps->mig = m;
	ps->toplevel = !m->transactional;
	ps->file = (dir == PLAN_DOWN && m->down_file) ? m->down_file : m->file;
	ps->sql = dir == PLAN_UP ? m->up_sql : m->down_sql;
	ps->first_line = dir == PLAN_UP ? m->up_line : m->down_line;
	split_statements(set, ps, dir, false, online);
	if (dir == PLAN_UP && m->verify_sql)
	{
		PreparedStep *v = palloc0(sizeof(PreparedStep));

		v->mig = m;
		v->file = m->verify_file ? m->verify_file : m->file;
		v->sql = m->verify_sql;
		v->first_line = m->verify_line > 0 ? m->verify_line : 1;
		split_statements(set, v, dir, true, online);
		ps->verify = v;
	}
	CHECK_FOR_INTERRUPTS();
}

PreparedStep *
stmt_prepare_plan(const MigrationSet *set, const MigPlan *plan, bool online)
{
	PreparedStep *steps = palloc0(sizeof(PreparedStep) * (plan->n_steps + 1));

	for (int i = 0; i < plan->n_steps; i++)
		stmt_prepare_migration(set, set->graph->nodes[plan->steps[i]].mig,
							   plan->direction, online, &steps[i]);
	return steps;
}

