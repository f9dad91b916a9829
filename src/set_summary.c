/*-------------------------------------------------------------------------
 *
 * set_summary.c
 *	  The at-head summary of a set, shared by the server's backends: what
 *	  the start-up no-op needs to know, without parsing the set.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "common/md5.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/fd.h"
#include "utils/memutils.h"

/*
 * Every new connection that runs the start-up no-op would otherwise parse
 * the whole set before it could say "nothing to do".  After a parse, the
 * facts that question needs (the stamps of every file and directory, the
 * fingerprint of "everything applied", the heads) are kept in a small file
 * in the server's pg_stat_tmp directory, written only by the server's OS
 * user like pg_stat_statements' query texts; a new backend checks the
 * stamps (one stat per file) and answers from it without parsing.  Any
 * change of any stamp, or a missing or foreign file, means: parse.
 */
#define SUMMARY_MAGIC "schema_migrate summary 1"

static char *
summary_path(const char *key)
{
	char		hex[33];
	const char *errstr = NULL;
	char	   *k = psprintf("%s\t%d", key, GetDatabaseEncoding());

	if (!pg_md5_hash(k, strlen(k), hex, &errstr))
		return NULL;
	return psprintf("%s/%s/schema_migrate.%s", DataDir, PG_STAT_TMP_DIR, hex);
}

void
summary_write(const char *key, const MigrationSet *set,
			  const FileStamp *stamps, int n_stamps)
{
	char	   *path = summary_path(key);
	char	   *tmp;
	FILE	   *f;

	if (path == NULL || set->all_fingerprint == NULL)
		return;
	tmp = psprintf("%s.%d", path, MyProcPid);
	if ((f = AllocateFile(tmp, PG_BINARY_W)) == NULL)
		return;
	fprintf(f, "%s\n%s\n%s\n%d %d\n%d\n", SUMMARY_MAGIC, key,
			set->all_fingerprint, set->graph->n_heads, set->n_repeatable,
			n_stamps);
	fprintf(f, "%s\n", set->heads_text);
	for (int i = 0; i < n_stamps; i++)
	{
		const FileStamp *s = &stamps[i];

		fprintf(f, "%lld %lld %lld %ld %lld %ld %d %s\n",
				(long long) s->size, (long long) s->ino,
				(long long) s->mtime.tv_sec, (long) s->mtime.tv_nsec,
				(long long) s->ctime.tv_sec, (long) s->ctime.tv_nsec,
				(int) s->is_dir, s->name);
	}
	if (FreeFile(f) != 0 || rename(tmp, path) != 0)
		(void) unlink(tmp);
}

/*
 * Parse n space-separated integers from *p into out; advances *p past them
 * and one space.  False on anything else, which the caller treats as a
 * summary that does not match.
 */
static bool
parse_ints(char **p, long long *out, int n)
{
	for (int i = 0; i < n; i++)
	{
		char	   *end;

		errno = 0;
		out[i] = strtoll(*p, &end, 10);
		if (end == *p || errno != 0 || (*end != ' ' && *end != '\0'))
			return false;
		*p = *end ? end + 1 : end;
	}
	return true;
}

/*
 * Read a summary file and check every stamp; NULL if anything differs.
 * Each directory is added to *watch_fd (if >= 0) before its stamp is
 * checked, so a quiet watch later means the check still holds.
 */
static SetSummary *
summary_read(const char *key, int *watch_fd)
{
	char	   *path = summary_path(key);
	FILE	   *f;
	char		line[MAXPGPATH + 256];
	SetSummary *sum;
	int			n_files = -1;
	bool		ok = true;
	char	   *p;
	long long	counts[2];
	int			dfd;

	if (path == NULL || (f = AllocateFile(path, PG_BINARY_R)) == NULL)
		return NULL;
	/* stat relative to the set directory: no path walk per file */
	if ((dfd = OpenTransientFile(key, O_RDONLY | O_DIRECTORY)) < 0)
	{
		FreeFile(f);
		return NULL;
	}
	sum = palloc0(sizeof(SetSummary));
#define NEXT_LINE() (fgets(line, sizeof(line), f) != NULL && \
					 (line[strcspn(line, "\n")] = '\0', true))
	ok = NEXT_LINE() && strcmp(line, SUMMARY_MAGIC) == 0 &&
		NEXT_LINE() && strcmp(line, key) == 0 &&
		NEXT_LINE() && strlen(line) == 32 && (sum->fingerprint = pstrdup(line)) &&
		NEXT_LINE() && (p = line, parse_ints(&p, counts, 2)) &&
		(sum->n_heads = (int) counts[0], sum->n_repeatable = (int) counts[1], true) &&
		NEXT_LINE() && (p = line, parse_ints(&p, counts, 1)) && counts[0] > 0 &&
		counts[0] <= SM_MAX_FILES * 2 && (n_files = (int) counts[0], true) &&
		NEXT_LINE() && (sum->heads_text = pstrdup(line));
	for (int i = 0; ok && i < n_files; i++)
	{
		long long	v[7];
		struct stat st;
		char	   *name = line;

		ok = NEXT_LINE() && (name = line, parse_ints(&name, v, 7));
		if (!ok)
			break;
		if (v[6])
			*watch_fd = watch_add(*watch_fd, name[0] ? psprintf("%s/%s", key, name) : key);
		ok = fstatat(dfd, name[0] ? name : ".", &st, 0) == 0 &&
			(long long) st.st_size == v[0] && (long long) st.st_ino == v[1] &&
			(long long) st.st_mtim.tv_sec == v[2] && (long long) st.st_mtim.tv_nsec == v[3] &&
			(long long) st.st_ctim.tv_sec == v[4] && (long long) st.st_ctim.tv_nsec == v[5] &&
			(bool) S_ISDIR(st.st_mode) == (v[6] != 0);
	}
#undef NEXT_LINE
	FreeFile(f);
	CloseTransientFile(dfd);
	return ok ? sum : NULL;
}

/*
 * Summaries read from files, kept while an inotify watch on their
 * directories stays quiet (without inotify they are read every time).
 */
typedef struct CachedSummary
{
	struct CachedSummary *next;
	char	   *key;
	SetSummary	sum;
	int			watch_fd;
	dev_t		dev;
	ino_t		ino;
} CachedSummary;

static CachedSummary *summary_cache = NULL;

static SetSummary *
cached_summary(const char *key)
{
	CachedSummary **pp = &summary_cache;
	struct stat st;

	for (; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->key, key) == 0)
			break;
	if (*pp == NULL)
		return NULL;
	if (stat(key, &st) == 0 && st.st_dev == (*pp)->dev && st.st_ino == (*pp)->ino &&
		watch_quiet((*pp)->watch_fd))
		return &(*pp)->sum;
	{
		CachedSummary *gone = *pp;

		*pp = gone->next;
		watch_close(gone->watch_fd);
		pfree(gone->sum.fingerprint);
		pfree(gone->sum.heads_text);
		pfree(gone->key);
		pfree(gone);
	}
	return NULL;
}

static SetSummary *
read_and_keep_summary(const char *key)
{
	int			fd = watch_create();
	SetSummary *sum;
	CachedSummary *cs;
	struct stat st;

	fd = watch_add(fd, key);
	sum = summary_read(key, &fd);
	if (sum == NULL || fd < 0 || stat(key, &st) != 0)
	{
		watch_close(fd);
		return sum;
	}
	cs = MemoryContextAllocZero(CacheMemoryContext, sizeof(CachedSummary));
	cs->key = MemoryContextStrdup(CacheMemoryContext, key);
	cs->sum.fingerprint = MemoryContextStrdup(CacheMemoryContext, sum->fingerprint);
	cs->sum.heads_text = MemoryContextStrdup(CacheMemoryContext, sum->heads_text);
	cs->sum.n_heads = sum->n_heads;
	cs->sum.n_repeatable = sum->n_repeatable;
	cs->watch_fd = fd;
	cs->dev = st.st_dev;
	cs->ino = st.st_ino;
	cs->next = summary_cache;
	summary_cache = cs;
	return sum;
}

/*
 * The summary of the set in directory key, from this backend's copy while
 * its watch is quiet, else from the file; NULL when there is none or any
 * stamp differs.
 */
SetSummary *
summary_lookup(const char *key)
{
	SetSummary *sum = cached_summary(key);

	if (sum != NULL)
		return memcpy(palloc(sizeof(SetSummary)), sum, sizeof(SetSummary));
	return read_and_keep_summary(key);
}
