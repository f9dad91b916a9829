/*-------------------------------------------------------------------------
 *
 * pg_compat.h
 *	  Differences between the PostgreSQL versions schema_migrate builds
 *	  against, in one place (as pgvector keeps them), so that no other file
 *	  tests PG_VERSION_NUM.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_PG_COMPAT_H
#define SM_PG_COMPAT_H

#include "parser/parser.h"
#include "utils/guc.h"

/* PostgreSQL 14 gave raw_parser a mode argument. */
#if PG_VERSION_NUM >= 140000
#define sm_raw_parser(sql)	raw_parser((sql), RAW_PARSE_DEFAULT)
#else
#define sm_raw_parser(sql)	raw_parser(sql)
#endif

/* PostgreSQL 15 renamed EmitWarningsOnPlaceholders. */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix)	EmitWarningsOnPlaceholders(prefix)
#endif

#endif							/* SM_PG_COMPAT_H */
