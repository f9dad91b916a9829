/*-------------------------------------------------------------------------
 *
 * revision_graph.h
 *	  What revision_graph.c lends revision_plan.c, and nothing else uses:
 *	  closures over the graph and the target-parsing helpers.
 *
 * Plain C, like both files.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_REVISION_GRAPH_H
#define SM_REVISION_GRAPH_H

#include "sm_core.h"

/* every node reachable from the seeds, towards base or towards the heads */
extern bool *graph_closure_ext(const SmEnv *env, const Graph *g,
							   const int *seeds, int n_seeds,
							   bool towards_base, bool with_depends);
extern bool *graph_closure(const SmEnv *env, const Graph *g, const int *seeds,
						   int n_seeds, bool towards_base);
/* a malformed target: fails with SM_ERR_BAD_TARGET */
extern void graph_bad_target(const SmEnv *env, const char *target,
							 const char *why, const char *hint);
/* a positive step count of at most 9 digits; -1 if not a count */
extern int	graph_parse_count(const SmEnv *env, const char *target,
							  const char *s);

#endif							/* SM_REVISION_GRAPH_H */
