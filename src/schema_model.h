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

/* Format version of model_serialize(); bump on any change of the layout. */
#define SM_MODEL_FORMAT_VERSION	1

/* Limits model_deserialize() enforces against hostile input. */
#define SM_MODEL_MAX_OBJECTS	1000000
#define SM_MODEL_MAX_LIST		100000

/*
 * A list of strings (statements, dependency keys).
 */
typedef struct SmStrList
{
	int			n;
	const char **v;
} SmStrList;

/*
 * One object of the schema.  Everything the differ needs is text the
 * catalog reader produced with the server's own printers; the differ never
 * re-derives SQL from parts, it only chooses and orders these statements.
 *
 *   key        unique identity: "<kind> <identity>", e.g. "table public.t",
 *              "column public.t.c", "comment table public.t"; kinds and
 *              identities are those of pg_identify_object() where the
 *              object is a catalog object, plus a few attribute kinds
 *              ("default", "not null", "identity", "acl", "comment", ...)
 *   kind       the first word(s) of key, the object_type of a diff step
 *   name       the identity part of key, the object_name of a diff step
 *   parent     key of the object this one belongs to ("column" -> its
 *              table); dropping the parent drops it, so its own drop is
 *              not emitted then.  NULL for top-level objects.
 *   def        canonical text compared between two models
 *   rebuild    text that, when it differs, forces drop + create even where
 *              an in-place alter exists (e.g. a function's result type)
 *   create     statements that create the object
 *   drop       statements that drop it
 *   alter      statements that turn any earlier version into this one in
 *              place; empty: a change is drop + create
 *   head/tail  for tables: create is composed as head, the "inline" text
 *              of the child columns joined by ",\n    ", and tail
 *   inline     a column's definition inside CREATE TABLE
 *   deps       keys of objects this one depends on (pg_depend, parent)
 *   renamed_from  the hint: the object's earlier name (identity part)
 *   rename     statement that renames the earlier name to this one
 */
typedef struct SmObject
{
	const char *key;
	const char *kind;
	const char *name;
	const char *parent;
	const char *def;
	const char *rebuild;
	SmStrList	create;
	SmStrList	drop;
	SmStrList	alter;
	const char *head;
	const char *tail;
	const char *inline_def;
	SmStrList	deps;
	const char *renamed_from;
	const char *rename;
	const char *unrename;		/* statement that renames this back */
	int			position;		/* columns: attnum, the order in CREATE TABLE */
	const char *special;		/* "enum": labels hold its values in order */
	SmStrList	labels;
	SmStrList	extra;			/* kind-specific statement parts, see
								 * schema_model.c */
} SmObject;

/* A model: objects sorted by key (strcmp), keys unique. */
typedef struct SmSchemaModel
{
	int			n;
	SmObject   *objects;
} SmSchemaModel;

/* Object of a key, or NULL (binary search). */
extern const SmObject *model_find(const SmSchemaModel *m, const char *key);

/* Sort the objects by key and check that keys are unique. */
extern void model_sort(const SmEnv *env, SmSchemaModel *m);

/* ---------- catalogs -> model (schema_model.c, server side) ---------- */

/*
 * Read the current database's catalogs through SPI (the caller is
 * connected).  Leaves out schema_migrate's own objects and every member of
 * any extension (pg_depend deptype 'e'); the extensions themselves are in.
 * The model is allocated through env in the memory context current at the
 * call (inside SPI: the procedure context), so use or serialize it before
 * SPI_finish().  Rename hints come from comments that start with
 * "renamed from: NAME" (see schema_model.c).  About 0.35 s and 4.7 MB for
 * 1,000 tables with their indexes, keys, views and functions.
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
/* the statement needs a USING of the author's: no cast the differ can name */
#define SM_HAZARD_NEEDS_USING		0x20
/* ADD COLUMN appends: the target has the column before existing ones */
#define SM_HAZARD_COLUMN_ORDER		0x40

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

/* What the caller may ask of the differ beyond the default. */
typedef struct SmDiffOptions
{
	/*
	 * Columns of a table that stays whose target position ADD COLUMN cannot
	 * give (the history dropped and re-added them, or rebuilt the table) are
	 * dropped and added again in target order: their data is lost (the
	 * drops say "deletes data").  Off: they stay where they are.
	 */
	bool		keep_column_order;
} SmDiffOptions;

extern SmDiff *diff_models_opts(const SmEnv *env, const SmSchemaModel *from,
								const SmSchemaModel *to,
								const SmDiffOptions *opts);

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
