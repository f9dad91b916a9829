/*-------------------------------------------------------------------------
 *
 * formats_a.h
 *	  Detection and shared helpers of the sqlx, Prisma Migrate, Atlas, tern,
 *	  node-pg-migrate, Postgrator and Supabase CLI adapters.
 *
 * Plain C, like formats.h: no server headers.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_FORMATS_A_H
#define SM_FORMATS_A_H

#include "formats/formats.h"

/* What the set's top directory says before its files are looked at. */
typedef struct FaLayout
{
	bool		atlas_sum;		/* atlas.sum: every *.sql is Atlas's */
	bool		prisma;			/* migration_lock.toml */
	bool		supabase;		/* config.toml beside migrations/ */
	bool		postgrator;		/* a {n}.do.{name}.sql file */
} FaLayout;

#define FA_NOT_MINE (-2)

extern void fa_layout(const SmFiles *f, const SmDirEntry *ents, int n,
					  FaLayout *lay);

/*
 * The format of an entry by these adapters' rules: a format, -1 for an
 * entry that belongs to no migration, FA_NOT_MINE to let the other rules
 * decide.
 */
extern int	fa_classify(const SmFiles *f, const SmDirEntry *e,
						const FaLayout *lay);

/*
 * tern, node-pg-migrate and sqlx files need no marker, so plain numbered
 * files (native without markers) belong with them; sqlx's reversible
 * files are named as golang-migrate's.  Merges *found and k when they go
 * together and returns true.
 */
extern bool fa_compatible(int *found, int k);

/* ---------- helpers of these adapters ---------- */

/* "{digits}_{rest}.sql": the digit count, or 0 when the name is not so. */
extern size_t fa_numbered_sql(const char *name);

/* Sort by the numeric revision (digits, leading zeros ignored) and chain. */
extern void fa_sort_chain(const SmEnv *env, Migration **migs, int n,
						  const char *tool);

/* A line at *p (after blanks) of the form "-- +up" etc. of native files. */
extern void fa_refuse_native(const SmEnv *env, const char *file,
							 const char *text, const char *tool);

/* node-pg-migrate's "-- Up Migration" / "-- Down Migration" line, or NULL. */
extern const char *fa_npm_marker(const char *text, const char *word);

/* Refuse a JavaScript or TypeScript migration by name. */
extern void fa_refuse_script(const SmEnv *env, const char *file,
							 const char *tool, const char *hint);

/* 1-based line number of p in text. */
extern int	fa_line_of(const char *text, const char *p);

/* The text of a file as the tool reads it: normalised, NUL-free. */
extern char *fa_read(const SmFiles *f, const char *path, size_t *len);

/* SHA-256 of data into out[32] (FIPS 180-4). */
extern void fa_sha256(const unsigned char *data, size_t len,
					  unsigned char out[32]);

typedef struct FaSha256
{
	uint32_t	h[8];
	uint64_t	len;
	unsigned char buf[64];
	size_t		nbuf;
} FaSha256;

extern void fa_sha256_init(FaSha256 *c);
extern void fa_sha256_update(FaSha256 *c, const unsigned char *p, size_t n);
extern void fa_sha256_final(const FaSha256 *c, unsigned char out[32]);

#endif							/* SM_FORMATS_A_H */
