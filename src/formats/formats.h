/*-------------------------------------------------------------------------
 *
 * formats.h
 *	  Reading migration sets written for other tools: format detection and
 *	  one adapter per format, each turning a set's files into Migrations.
 *
 * Plain C, like the native parser: no server headers.  Files come in
 * through SmFiles, so that the server's reader (safe_files.c) applies its
 * checks (names, symbolic links, size, encoding) to every file an adapter
 * opens, and a unit test can feed files from memory.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SM_FORMATS_H
#define SM_FORMATS_H

#include "sm_core.h"

typedef enum SmFormat
{
	SM_FMT_NATIVE,
	SM_FMT_GOLANG_MIGRATE,
	SM_FMT_FLYWAY,
	SM_FMT_DBMATE,
	SM_FMT_GOOSE,
	SM_FMT_DIESEL,
	SM_FMT_SQITCH,
	/* issue 16, part B */
	SM_FMT_LIQUIBASE,
	SM_FMT_GRAPHILE,
	SM_FMT_HASURA,
	SM_FMT_DRIZZLE,
	/* issue 16, part A (formats_a.c) */
	SM_FMT_SQLX,
	SM_FMT_PRISMA,
	SM_FMT_ATLAS,
	SM_FMT_TERN,
	SM_FMT_NODE_PG_MIGRATE,
	SM_FMT_POSTGRATOR,
	SM_FMT_SUPABASE
} SmFormat;

typedef struct SmDirEntry
{
	const char *name;
	bool		is_dir;
} SmDirEntry;

/*
 * Access to the set's files.  Paths are relative to the set directory and
 * use "/"; "" is the set directory itself.  list returns the entries of a
 * directory sorted by name (strcmp), hidden ones left out.  read returns
 * the file's text, NUL-terminated, or NULL when missing_ok and the file
 * does not exist; every other problem is reported through env.
 */
typedef struct SmFiles
{
	const SmEnv *env;
	int			(*list) (void *arg, const char *dir, SmDirEntry **entries);
	const char *(*read) (void *arg, const char *path, size_t *len,
						 bool missing_ok);
	void	   *arg;
	/* graphile-migrate's placeholders (formats_b.h); NULL: none given */
	const struct FmtPlaceholders *placeholders;
	/* A warning about a file the tool itself skips; NULL: none is shown */
	void		(*warn) (void *arg, const char *message, const char *hint);
} SmFiles;

/* Which format is this set in?  A mix of formats is an error. */
extern SmFormat fmt_detect(const SmFiles *f);
extern const char *fmt_name(SmFormat fmt);

/*
 * Read the set in the given format.  Returns the migrations, versioned
 * ones first in the tool's own order, then repeatable ones; *n_out counts
 * all of them.
 */
extern Migration **fmt_read(const SmFiles *f, SmFormat fmt, int *n_out);

/* The adapters. */
extern Migration **fmt_read_native(const SmFiles *f, int *n_out);
extern Migration **fmt_read_golang_migrate(const SmFiles *f, int *n_out);
extern Migration **fmt_read_flyway(const SmFiles *f, int *n_out);
extern Migration **fmt_read_dbmate(const SmFiles *f, int *n_out);
extern Migration **fmt_read_goose(const SmFiles *f, int *n_out);
extern Migration **fmt_read_diesel(const SmFiles *f, int *n_out);
extern Migration **fmt_read_sqitch(const SmFiles *f, int *n_out);
/* issue 16, part B (formats_b.h has their detection and digests) */
extern Migration **fmt_read_liquibase(const SmFiles *f, int *n_out);
extern Migration **fmt_read_graphile(const SmFiles *f, int *n_out);
extern Migration **fmt_read_hasura(const SmFiles *f, int *n_out);
extern Migration **fmt_read_drizzle(const SmFiles *f, int *n_out);
/* issue 16, part A */
extern Migration **fmt_read_sqlx(const SmFiles *f, int *n_out);
extern Migration **fmt_read_prisma(const SmFiles *f, int *n_out);
extern Migration **fmt_read_atlas(const SmFiles *f, int *n_out);
extern Migration **fmt_read_tern(const SmFiles *f, int *n_out);
extern Migration **fmt_read_node_pg_migrate(const SmFiles *f, int *n_out);
extern Migration **fmt_read_postgrator(const SmFiles *f, int *n_out);
extern Migration **fmt_read_supabase(const SmFiles *f, int *n_out);

/* ---------- helpers shared by the adapters (fmt_common.c) ---------- */

/* A growable array of migrations. */
typedef struct FmtList
{
	Migration **items;
	int			n;
	int			cap;
} FmtList;

extern void fmt_push(const SmEnv *env, FmtList *l, Migration *m);

/* A migration with the defaults of a foreign format: explicit parents. */
extern Migration *fmt_new_migration(const SmEnv *env, const char *file,
									const char *revision, const char *message);


/* Fail unless rev is a usable revision id. */
extern void fmt_check_revision(const SmEnv *env, const char *file,
							   const char *rev);

/* A message from a file name part: "_" becomes a blank; length-checked. */
extern char *fmt_message(const SmEnv *env, const char *file, const char *s,
						 size_t len);

/* Give each migration the previous one as its only parent. */
extern void fmt_chain(const SmEnv *env, Migration **migs, int n);

/* Compare two digit strings as integers of any length. */
extern int	fmt_cmp_digits(const char *a, size_t alen, const char *b,
						   size_t blen);

/* The digits with leading zeros removed ("0007" -> "7", "000" -> "0"). */
extern char *fmt_strip_zeros(const SmEnv *env, const char *s, size_t len);

extern bool fmt_has_suffix(const char *s, const char *suffix);
extern size_t fmt_digits(const char *s);
extern char *fmt_path(const SmEnv *env, const char *dir, const char *name);

/* Next line of text: [*ls, *le) without its newline; false at the end. */
extern bool fmt_next_line(const char *end, const char **cursor,
						  const char **ls, const char **le);

/* dbmate and goose: {digits}_*.sql in numeric order */
extern Migration **fmt_read_numbered(const SmFiles *f,
									 Migration *(*parse) (const SmFiles *f, const char *name),
									 const char *tool, int *n_out);

#endif							/* SM_FORMATS_H */
