/*-------------------------------------------------------------------------
 *
 * server_env.c
 *	  The server's SmEnv: the plain-C core (parser, graph, format adapters)
 *	  allocates with palloc and reports errors with ereport and a SQLSTATE
 *	  per kind of error.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "utils/memutils.h"

static void *
server_alloc(void *arg, size_t size)
{
	return MemoryContextAllocExtended(CurrentMemoryContext, size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

static int
sqlstate_of(SmErrorKind kind)
{
	switch (kind)
	{
		case SM_ERR_MALFORMED:
			return ERRCODE_CONFIG_FILE_ERROR;
		case SM_ERR_DUPLICATE:
			return ERRCODE_DUPLICATE_OBJECT;
		case SM_ERR_UNKNOWN_REVISION:
			return ERRCODE_UNDEFINED_OBJECT;
		case SM_ERR_CYCLE:
			return ERRCODE_INVALID_RECURSION;
		case SM_ERR_AMBIGUOUS:
			return ERRCODE_AMBIGUOUS_PARAMETER;
		case SM_ERR_BAD_TARGET:
		case SM_ERR_TARGET_RANGE:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case SM_ERR_NOT_APPLIED:
		case SM_ERR_NO_DOWN:
			return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
		case SM_ERR_LIMIT:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		case SM_ERR_CANNOT_RUN:
			return ERRCODE_FEATURE_NOT_SUPPORTED;
	}
	return ERRCODE_INTERNAL_ERROR;
}

static void
server_fail(void *arg, const SmError *e)
{
	ereport(ERROR,
			(errcode(sqlstate_of(e->kind)),
			 errmsg_internal("%s", e->message),
			 e->detail[0] ? errdetail_internal("%s", e->detail) : 0,
			 e->hint[0] ? errhint("%s", e->hint) : 0));
	pg_unreachable();
}

static const SmEnv server_env = {server_alloc, server_fail, NULL};

const SmEnv *
sm_server_env(void)
{
	return &server_env;
}
