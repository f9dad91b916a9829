/*-------------------------------------------------------------------------
 *
 * tool_transactions.h
 *	  Tools that send a whole file as one simple Query (tool_transactions.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_TOOL_TRANSACTIONS_H
#define SM_TOOL_TRANSACTIONS_H

#include "postgres.h"

/*
 * Would PostgreSQL run sql, sent as one simple Query, outside a
 * transaction block?  Only when it is one statement, and that statement
 * is one a transaction block refuses.
 */
extern bool tool_single_query_no_transaction(const char *sql);

#endif							/* SM_TOOL_TRANSACTIONS_H */
