/*-------------------------------------------------------------------------
 *
 * fmt_common.h
 *	  Helpers shared by the format adapters (fmt_common.c), beyond those
 *	  formats.h has always declared.
 *
 * Plain C, like the adapters: no server headers.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_FMT_COMMON_H
#define SM_FMT_COMMON_H

#include "formats/formats.h"

/* {digits}_*.sql in the order cmp gives (qsort comparators of Migration *). */
extern Migration **fmt_read_numbered_by(const SmFiles *f,
										Migration *(*parse) (const SmFiles *f, const char *name),
										const char *tool,
										int (*cmp) (const void *, const void *),
										int *n_out);
extern int	fmt_cmp_numeric_version(const void *a, const void *b);
extern int	fmt_cmp_file_name(const void *a, const void *b);

/* Refuse two migrations whose revision ids are one version. */
extern void fmt_check_unique(const SmEnv *env, Migration **migs, int n,
							 const char *tool);

/* An up file and a down file keyed to one version. */
typedef struct FmtPair
{
	const char *key;			/* the version, pointing into a file name */
	size_t		key_len;
	const char *up;
	const char *down;
	const char *title;			/* the adapter's: e.g. golang-migrate's title */
	size_t		title_len;
} FmtPair;

extern FmtPair *fmt_pair_file(const SmEnv *env, FmtPair *pairs, int *n,
							  const char *key, size_t key_len, bool up,
							  const char *file,
							  int (*cmp) (const char *, size_t, const char *, size_t),
							  const char *tool);
extern bool fmt_read_pair(const SmFiles *f, Migration *m, const char *up,
						  const char *down);

/*
 * Flyway's SQL callbacks: "<event>.sql" or "<event>__<description>.sql".
 * Returns 'm' for an event Flyway fires during migrate, 'o' for one of
 * another command (clean, undo, validate, baseline, repair, info), 0 for a
 * name that is no callback.
 */
extern char fmt_flyway_callback(const char *name);

#endif							/* SM_FMT_COMMON_H */
