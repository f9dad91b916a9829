/*-------------------------------------------------------------------------
 *
 * module.c
 *	  Module load: the schema_migrate.* configuration parameters.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"
#include "lint.h"
#include "graphile_placeholders.h"
#include "scratch_db.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

static bool check_scratch_tablespace(char **newval, void **extra, GucSource source);

char	   *sm_path = NULL;
char	   *sm_set = NULL;
bool		sm_timing = true;
int			sm_lock_timeout = 5000;
int			sm_lock_retries = 3;
int			sm_wait_timeout = 0;
bool		sm_verify_checksums = true;
bool		sm_run_repeatable = true;
int			sm_out_of_order = SM_OUT_OF_ORDER_APPLY;
int			sm_safety = SM_SAFETY_WARN;
int			sm_safety_min_bytes = 10 * 1024 * 1024;
char	   *sm_scratch_tablespace = NULL;
bool		sm_diff_keep_column_order = false;
char	   *sm_adopt_table = NULL;

static const struct config_enum_entry out_of_order_options[] = {
	{"apply", SM_OUT_OF_ORDER_APPLY, false},
	{"error", SM_OUT_OF_ORDER_ERROR, false},
	{NULL, 0, false}
};

static const struct config_enum_entry safety_options[] = {
	{"off", SM_SAFETY_OFF, false},
	{"warn", SM_SAFETY_WARN, false},
	{"error", SM_SAFETY_ERROR, false},
	{NULL, 0, false}
};

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

	DefineCustomIntVariable("schema_migrate.lock_timeout",
							"lock_timeout for each migration's statements.",
							"DDL that cannot get its lock within this time is rolled back and retried, instead of queueing every other query behind it. 0 means no limit.",
							&sm_lock_timeout,
							5000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("schema_migrate.lock_retries",
							"How often a migration is retried after a lock timeout or deadlock.",
							NULL,
							&sm_lock_retries,
							3, 0, 100,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("schema_migrate.wait_timeout",
							"How long to wait for another session that is migrating the same set.",
							"0 means wait as long as it takes.",
							&sm_wait_timeout,
							0, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("schema_migrate.verify_checksums",
							 "Refuse to migrate when an applied migration's file has changed.",
							 NULL,
							 &sm_verify_checksums,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("schema_migrate.repeatable",
							 "Run changed repeatable migrations after an upgrade.",
							 NULL,
							 &sm_run_repeatable,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("schema_migrate.out_of_order",
							 "What to do with an unapplied revision older than the newest applied one.",
							 "apply: apply it (a branch merged late); error: refuse.",
							 &sm_out_of_order,
							 SM_OUT_OF_ORDER_APPLY,
							 out_of_order_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	/*
	 * A policy of the DBA's (issue 15): a migrator must not be able to switch
	 * it off for itself; a migration approves what it knowingly does with
	 * "-- allow:" instead, and that is logged.
	 */
	DefineCustomEnumVariable("schema_migrate.safety",
							 "What to do when a pending migration would lock, rewrite or scan a big table.",
							 "off: nothing; warn: a NOTICE per finding of severity error, then run; error: refuse the plan before anything runs.",
							 &sm_safety,
							 SM_SAFETY_WARN,
							 safety_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("schema_migrate.safety_min_bytes",
							"Tables at least this big make a lock, rewrite or scan a finding of severity error.",
							"Smaller tables give findings of severity info. Measured as pg_table_size (heap and TOAST; a partitioned table sums its partitions).",
							&sm_safety_min_bytes,
							10 * 1024 * 1024, 0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomStringVariable("schema_migrate.scratch_tablespace",
							   "Tablespace of the scratch databases (sm_diff, sm_autogenerate, sm_check_schema, sm_drift, sm_trace).",
							   "Empty: the default tablespace. A tablespace on fast local storage, as one would pick for temp_tablespaces, makes loading a large schema faster; the calling role needs CREATE on it.",
							   &sm_scratch_tablespace,
							   "",
							   PGC_SUSET,
							   0,
							   check_scratch_tablespace, NULL, NULL);

	DefineCustomBoolVariable("schema_migrate.diff_keep_column_order",
							 "Makes the differ drop and add again the columns whose target position ADD COLUMN cannot give.",
							 "ADD COLUMN appends: a column the target has before columns that stay (the history dropped and re-added it, or rebuilt the table) keeps its place unless this is on. On, the differ drops those columns and adds them again in target order, which deletes their data (the steps say so).",
							 &sm_diff_keep_column_order,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	/* issue 16: graphile-migrate's placeholders (graphile_placeholders.c) */
	DefineCustomStringVariable("schema_migrate.graphile_placeholders",
							   "Values of graphile-migrate placeholders, as \":NAME=value\" items separated by commas.",
							   "They stand for the \"placeholders\" of .gmrc; \":DATABASE_OWNER\" for its databaseOwner setting.",
							   &sm_graphile_placeholders,
							   "",
							   PGC_USERSET,
							   0,
							   graphile_placeholders_check, NULL, NULL);

	/* issue 16: a tool told to keep its table elsewhere (adopt.c) */
	DefineCustomStringVariable("schema_migrate.adopt_table",
							   "Table sm_adopt reads the other tool's bookkeeping from, instead of the tool's default.",
							   "Empty: the tool's default table, found through search_path. Set it, schema-qualified, when the tool was told where to keep its table (node-pg-migrate --schema, --migrations-schema or --migrations-table, for instance).",
							   &sm_adopt_table,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	MarkGUCPrefixReserved("schema_migrate");
}

/*
 * A tablespace name; whether it exists and may be used is only known in a
 * transaction, so CREATE DATABASE says that when a scratch database is made.
 */
static bool
check_scratch_tablespace(char **newval, void **extra, GucSource source)
{
	if (strlen(*newval) >= NAMEDATALEN)
	{
		GUC_check_errcode(ERRCODE_NAME_TOO_LONG);
		GUC_check_errdetail("A tablespace name has at most %d bytes.", NAMEDATALEN - 1);
		return false;
	}
	return true;
}
