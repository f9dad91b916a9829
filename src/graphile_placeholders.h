/*-------------------------------------------------------------------------
 *
 * graphile_placeholders.h
 *	  schema_migrate.graphile_placeholders: the values graphile-migrate's
 *	  placeholders are replaced by (graphile_placeholders.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_GRAPHILE_PLACEHOLDERS_H
#define SM_GRAPHILE_PLACEHOLDERS_H

#include "postgres.h"

#include "utils/guc.h"

struct FmtPlaceholders;

extern char *sm_graphile_placeholders;

/* GUC check hook: the list parses and names placeholders graphile allows. */
extern bool graphile_placeholders_check(char **newval, void **extra,
										GucSource source);

/* The placeholders a set is read with: the built-in ones and the GUC's. */
extern const struct FmtPlaceholders *graphile_placeholders(void);

/* What graphile_placeholders() depends on, to tell a cached set is stale. */
extern char *graphile_placeholders_key(void);

#endif							/* SM_GRAPHILE_PLACEHOLDERS_H */
