/*-------------------------------------------------------------------------
 *
 * schema_model.h
 *	  The schema model: the one currency between the catalogs, the differ,
 *	  the scratch database, lint and trace.
 *
 * A model is a flat, sorted list of objects.  Each object carries the
 * canonical text PostgreSQL itself prints for it (pg_get_indexdef,
 * pg_get_constraintdef, pg_get_functiondef, pg_get_viewdef, format_type,
 * ...), so two models compare by text and never by re-derived SQL.
 *
 * Plain C: no server headers.  The catalog reader (schema_model.c) is the
 * only part that runs SPI; serialization and the differ run anywhere, so
 * they are unit-tested and fuzzed outside the server.
 *
 * Contract between the features (keep these signatures stable; add fields
 * to the structs freely):
 *   catalogs -> model         model_read_catalogs()       (server, SPI)
 *   model -> bytes -> model   model_serialize() / model_deserialize()
 *                             (a scratch-database worker hands a model back
 *                             to its caller through shared memory this way)
 *   model x model -> DDL      diff_models()
 *   model x model -> rows     diff_differences()  (sm_drift)
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_SCHEMA_MODEL_H
#define SM_SCHEMA_MODEL_H

#include "sm_core.h"

typedef struct SmObject SmObject;		/* defined by schema_model.c's author */
typedef struct SmSchemaModel SmSchemaModel;

/* ---------- catalogs -> model (schema_model.c, server side) ---------- */

/*
 * Read the current database's catalogs through SPI (the caller is
 * connected).  Leaves out schema_migrate's own objects and every member of
 * any extension (pg_depend deptype 'e'); the extensions themselves are in.
 */
extern SmSchemaModel *model_read_catalogs(const SmEnv *env);

/* ---------- model <-> bytes (plain C) ---------- */

extern char *model_serialize(const SmEnv *env, const SmSchemaModel *m,
							 size_t *len);
extern SmSchemaModel *model_deserialize(const SmEnv *env, const char *data,
										size_t len);

/* ---------- the differ (plain C) ---------- */

/* Hazards a step carries (bit flags; names in diff_hazard_name()). */
#define SM_HAZARD_DELETES_DATA		0x01
#define SM_HAZARD_REWRITES_TABLE	0x02
#define SM_HAZARD_ACCESS_EXCLUSIVE	0x04
#define SM_HAZARD_BUILDS_INDEX		0x08
#define SM_HAZARD_NON_TRANSACTIONAL	0x10

typedef struct SmDiffStep
{
	int			step;			/* 1-based order */
	const char *statement;		/* one complete SQL statement, with ';' */
	const char *object_type;	/* "table", "column", "index", ... */
	const char *object_name;	/* schema-qualified, quoted as needed */
	unsigned	hazards;		/* SM_HAZARD_* */
} SmDiffStep;

typedef struct SmDiff
{
	int			n;
	SmDiffStep *steps;
} SmDiff;

/* The statements that turn "from" into "to", in dependency order. */
extern SmDiff *diff_models(const SmEnv *env, const SmSchemaModel *from,
						   const SmSchemaModel *to);

/* Hazard names of a flag set, e.g. {"deletes data", "rewrites table"}. */
extern int	diff_hazard_names(unsigned hazards, const char **out, int max);

/* One object-level difference (sm_drift, sm_check_schema's detail). */
typedef struct SmDifference
{
	const char *object_type;
	const char *object_name;
	const char *difference;		/* "missing", "unexpected", "changed" */
	const char *expected;		/* canonical text, or NULL */
	const char *actual;			/* canonical text, or NULL */
} SmDifference;

extern SmDifference *diff_differences(const SmEnv *env,
									  const SmSchemaModel *expected,
									  const SmSchemaModel *actual, int *n);

#endif							/* SM_SCHEMA_MODEL_H */
