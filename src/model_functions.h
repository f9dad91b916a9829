/*-------------------------------------------------------------------------
 *
 * model_functions.h
 *	  The differ's settings, shared by sm_diff_models (model_functions.c)
 *	  and sm_diff / sm_autogenerate (autogenerate.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_MODEL_FUNCTIONS_H
#define SM_MODEL_FUNCTIONS_H

#include "schema_model.h"

/* schema_migrate.diff_keep_column_order */

/* define the differ's GUCs (called from _PG_init) */

/* the options the differ runs with, from the GUCs */
extern const SmDiffOptions *model_diff_options(void);

#endif							/* SM_MODEL_FUNCTIONS_H */
