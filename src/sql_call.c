/*-------------------------------------------------------------------------
 *
 * sql_call.c
 *	  What every SQL-callable function does with its call: take its text
 *	  arguments, name the extension's schema, load the set and the
 *	  database's state of it, and build result datums.  One place, so
 *	  that every function says "must not be null" the same way and finds
 *	  its own schema the same way.
 *
 *-------------------------------------------------------------------------
 */
#include "sql_call.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

/* Argument n as a C string; NULL is an error naming the argument. */
char *
call_required_text(FunctionCallInfo fcinfo, int n, const char *name)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/* Argument n as a C string, or NULL when it is NULL or not given. */
char *
call_optional_text(FunctionCallInfo fcinfo, int n)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/* The extension's schema: the one this function lives in, quoted. */
const char *
call_ext_schema(FunctionCallInfo fcinfo)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);

	return quote_identifier(get_namespace_name(nsp));
}

/*
 * Load the set named by argument set_arg (NULL: schema_migrate.set) and the
 * database's state of it; leaves SPI connected.
 */
SetState *
call_load_state(FunctionCallInfo fcinfo, int set_arg, MigrationSet **set)
{
	const char *schema = call_ext_schema(fcinfo);

	*set = set_load(call_optional_text(fcinfo, set_arg));
	sm_spi_connect(false);
	return store_read_state(schema, *set);
}

/*
 * A text result: copied out of SPI's memory before SPI_finish (called here)
 * frees it.
 */
text *
call_finish_textn(const char *data, size_t len)
{
	text	   *t;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("result of %zu bytes is too large to return as text", len)));
	t = (text *) SPI_palloc(len + VARHDRSZ);
	SET_VARSIZE(t, len + VARHDRSZ);
	memcpy(VARDATA(t), data, len);
	SPI_finish();
	return t;
}

text *
call_finish_text(const char *s)
{
	return call_finish_textn(s, strlen(s));
}

Datum
call_text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

Datum
call_text_array(char **items, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n + 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}
