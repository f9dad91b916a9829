/*-------------------------------------------------------------------------
 *
 * tool_transactions.c
 *	  How a file runs when its tool sends it as one simple Query.
 *
 * Postgrator runs each file with pg's client.query(text), one Query
 * message (lib/Client.js runSqlScript).  PostgreSQL runs the statements of
 * such a message in one implicit transaction block when there are two or
 * more, and a lone statement by itself: so a file holding only
 * CREATE INDEX CONCURRENTLY (or VACUUM, ...) runs, and the same statement
 * beside another fails ("cannot run inside a transaction block").  Such a
 * lone statement makes the migration non-transactional here too, so that
 * CALL sm_migrate() runs what the tool runs and a file the tool would
 * refuse stays refused.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "schema_migrate.h"
#include "pg_compat.h"
#include "tool_transactions.h"

#include "parser/parser.h"
#include "utils/memutils.h"

bool
tool_single_query_no_transaction(const char *sql)
{
	MemoryContext cxt = CurrentMemoryContext,
				tmp;
	volatile int n = -1;

	if (!stmt_needs_no_transaction(sql))
		return false;
	tmp = AllocSetContextCreate(cxt, "schema_migrate one query", ALLOCSET_SMALL_SIZES);
	MemoryContextSwitchTo(tmp);
	/* raw parsing touches only memory: its error needs no subtransaction */
	PG_TRY();
	{
		n = list_length(sm_raw_parser(sql));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(tmp);
		FlushErrorState();
		n = -1;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	MemoryContextDelete(tmp);
	return n == 1;
}
