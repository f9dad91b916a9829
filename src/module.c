/*-------------------------------------------------------------------------
 *
 * module.c
 *	  Module load: the schema_migrate.* configuration parameters.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

char	   *sm_path = NULL;
char	   *sm_set = NULL;
bool		sm_timing = true;

void		_PG_init(void);

void
_PG_init(void)
{
	/* It reaches the server's file system: superusers only. */
	DefineCustomStringVariable("schema_migrate.path",
							   "Directory holding the migration sets.",
							   "Empty means the schema_migrate folder of the installation's share directory.",
							   &sm_path,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("schema_migrate.set",
							   "Migration set used when a function is not given one.",
							   NULL,
							   &sm_set,
							   "main",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("schema_migrate.timing",
							 "Show how long migrations took in NOTICEs.",
							 "Off gives stable output for regression tests.",
							 &sm_timing,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("schema_migrate");
#else
	EmitWarningsOnPlaceholders("schema_migrate");
#endif
}
