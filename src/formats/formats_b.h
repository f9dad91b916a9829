/*-------------------------------------------------------------------------
 *
 * formats_b.h
 *	  Liquibase formatted SQL, graphile-migrate, Hasura and Drizzle Kit:
 *	  what detection needs to know of them, and the digests their
 *	  bookkeeping uses (MD5 for Liquibase, SHA-1 for graphile-migrate).
 *
 * Plain C: no server headers.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_FORMATS_B_H
#define SM_FORMATS_B_H

#include "formats/formats.h"

/*
 * The format a top-level entry of the set belongs to among these four, or
 * -1 when it is none of theirs.  *owns_sql is set when the entry makes the
 * set's other plain *.sql files no migrations of their own (a Drizzle
 * journal, a Liquibase master changelog, graphile-migrate's committed/).
 */
extern int	fmt_classify_b(const SmFiles *f, const SmDirEntry *e,
						   bool *owns_sql);

/* Is dir (named name) a Hasura "<version>_<name>" migration directory? */
extern bool fmt_hasura_dir(const SmFiles *f, const char *dir, const char *name);

/*
 * graphile-migrate's placeholders: names (":NAME", as in .gmrc) and the
 * text each is replaced by, verbatim; the built-in :DATABASE_NAME and
 * :DATABASE_OWNER among them.
 */
typedef struct FmtPlaceholders
{
	int			n;
	const char **names;
	const char **values;
} FmtPlaceholders;

/* The 1-based line of text that p points into. */
extern int	fmt_b_line_of(const char *text, const char *p);

/* Lowercase hex digests of data, NUL-terminated in out. */
extern void fmt_md5_hex(const void *data, size_t len, char out[33]);
extern void fmt_sha1_hex(const void *data, size_t len, char out[41]);

/* A Liquibase 9: changeset checksum of its SQL (MD5SUM in DATABASECHANGELOG). */
extern char *fmt_liquibase_checksum(const SmEnv *env, const char *sql);

#endif							/* SM_FORMATS_B_H */
