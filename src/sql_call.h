/*-------------------------------------------------------------------------
 *
 * sql_call.h
 *	  What every SQL-callable function does with its call: take its text
 *	  arguments, name the extension's schema, load the set and the
 *	  database's state of it, and build result datums (a text result
 *	  copied out of SPI's memory before SPI_finish frees it).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_SQL_CALL_H
#define SM_SQL_CALL_H

#include "schema_migrate.h"

#include "fmgr.h"

extern char *call_required_text(FunctionCallInfo fcinfo, int n, const char *name);
extern char *call_optional_text(FunctionCallInfo fcinfo, int n);
extern const char *call_ext_schema(FunctionCallInfo fcinfo);
extern SetState *call_load_state(FunctionCallInfo fcinfo, int set_arg,
								 MigrationSet **set);
extern text *call_finish_text(const char *s);
extern text *call_finish_textn(const char *data, size_t len);
extern Datum call_text_or_null(const char *s, bool *isnull);
extern Datum call_text_array(char **items, int n);

#endif							/* SM_SQL_CALL_H */
