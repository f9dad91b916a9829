/*-------------------------------------------------------------------------
 *
 * set_reader.c
 *	  Locate a migration set, read its files safely, parse them and build
 *	  the revision graph; keep the result per backend while the files stay
 *	  the same.
 *
 * Files are read as the server's OS user, so SQL privileges do not guard
 * them: the set name is checked to be a plain name, and every file must
 * resolve to a regular file inside the set's directory.
 *
 * The cache: a set is parsed once per backend and reused while its
 * directory lists the same files with the same inode, size, mtime and
 * ctime.  Any edit, rename, addition or removal changes one of those, so
 * the no-op upgrade every application worker runs at start-up costs a
 * directory scan and one stat per file, not a parse.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cryptohash.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port.h"
#include "storage/fd.h"
#include "utils/memutils.h"

/* What a file looked like when the cached set was built. */
typedef struct FileStamp
{
	char	   *name;
	off_t		size;
	ino_t		ino;
	struct timespec mtime;
	struct timespec ctime;
} FileStamp;

typedef struct CachedSet
{
	struct CachedSet *next;
	MemoryContext cxt;
	char	   *dir;
	int			n_files;
	FileStamp  *files;
	MigrationSet *set;
} CachedSet;

/* Per-backend cache of parsed sets, in CacheMemoryContext. */
static CachedSet *set_cache = NULL;

/* ---------- the server's SmEnv ---------- */

static void *
server_alloc(void *arg, size_t size)
{
	return MemoryContextAllocExtended(CurrentMemoryContext, size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

static int
sqlstate_of(SmErrorKind kind)
{
	switch (kind)
	{
		case SM_ERR_MALFORMED:
			return ERRCODE_CONFIG_FILE_ERROR;
		case SM_ERR_DUPLICATE:
			return ERRCODE_DUPLICATE_OBJECT;
		case SM_ERR_UNKNOWN_REVISION:
			return ERRCODE_UNDEFINED_OBJECT;
		case SM_ERR_CYCLE:
			return ERRCODE_INVALID_RECURSION;
		case SM_ERR_AMBIGUOUS:
			return ERRCODE_AMBIGUOUS_PARAMETER;
		case SM_ERR_BAD_TARGET:
		case SM_ERR_TARGET_RANGE:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case SM_ERR_NOT_APPLIED:
		case SM_ERR_NO_DOWN:
			return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
		case SM_ERR_LIMIT:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
	}
	return ERRCODE_INTERNAL_ERROR;
}

static void
server_fail(void *arg, const SmError *e)
{
	ereport(ERROR,
			(errcode(sqlstate_of(e->kind)),
			 errmsg_internal("%s", e->message),
			 e->detail[0] ? errdetail_internal("%s", e->detail) : 0,
			 e->hint[0] ? errhint("%s", e->hint) : 0));
	pg_unreachable();
}

static const SmEnv server_env = {server_alloc, server_fail, NULL};

const SmEnv *
sm_server_env(void)
{
	return &server_env;
}

/* ---------- locating the set ---------- */

/* realpath() into palloc'd memory, or NULL with errno set. */
static char *
resolve_path(const char *path)
{
	char	   *r = realpath(path, NULL);
	char	   *copy;

	if (r == NULL)
		return NULL;
	copy = pstrdup(r);
	free(r);
	return copy;
}

static bool
valid_set_name(const char *name)
{
	size_t		len = strlen(name);

	if (len == 0 || len > NAMEDATALEN - 1 || name[0] == '.' || strstr(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!(isalnum((unsigned char) *p) || *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

/* The set to use: the argument, or schema_migrate.set; checked. */
const char *
set_resolve_name(const char *set_name)
{
	const char *name = set_name ? set_name : sm_set;

	if (name == NULL || !valid_set_name(name))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid migration set name \"%s\"", name ? name : ""),
				 errdetail("A set name is 1 to 63 letters, digits, \"_\", \"-\" or \".\", and does not start with \".\" or contain \"..\"."),
				 errhint("Set schema_migrate.set, or pass the set name, to the name of a folder under schema_migrate.path.")));
	return name;
}

static char *
set_root(void)
{
	char		share[MAXPGPATH];

	if (sm_path && sm_path[0] != '\0')
	{
		if (!is_absolute_path(sm_path))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("schema_migrate.path must be an absolute path")));
		return pstrdup(sm_path);
	}
	get_share_path(my_exec_path, share);
	return psprintf("%s/schema_migrate", share);
}

static char *
set_directory(const char *name, char **real_dir)
{
	char	   *dir = psprintf("%s/%s", set_root(), name);
	struct stat st;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("migration set \"%s\" does not exist", name),
				 errdetail("Directory \"%s\" is missing or is not a directory.", dir),
				 errhint("Install the set's files into that directory, or set schema_migrate.set or schema_migrate.path.")));
	if ((*real_dir = resolve_path(dir)) == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not resolve directory \"%s\": %m", dir)));
	return dir;
}

/* ---------- listing the files ---------- */

static bool
wanted_file(const char *name)
{
	size_t		len = strlen(name);

	return name[0] != '.' && len > 4 && strcmp(name + len - 4, ".sql") == 0;
}

/* Refuse anything but a regular file that stays inside the set. */
static void
check_entry(const char *set_name, const char *dir, const char *real_dir,
			const char *name, struct stat *st)
{
	char	   *path = psprintf("%s/%s", dir, name);

	for (const char *p = name; *p; p++)
		if ((unsigned char) *p < 0x20)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("migration file name in set \"%s\" contains a control character", set_name)));
	if (lstat(path, st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat migration file \"%s\" of set \"%s\": %m", name, set_name)));
	if (S_ISLNK(st->st_mode))
	{
		char	   *resolved = resolve_path(path);
		size_t		rl = strlen(real_dir);

		if (resolved == NULL ||
			strncmp(resolved, real_dir, rl) != 0 || resolved[rl] != '/')
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("migration file \"%s\" of set \"%s\" is a symbolic link that leads outside the set", name, set_name),
					 errhint("Copy the file into the set's directory instead of linking to it.")));
		if (stat(path, st) != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not stat migration file \"%s\" of set \"%s\": %m", name, set_name)));
	}
	if (!S_ISREG(st->st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("migration file \"%s\" of set \"%s\" is not a regular file", name, set_name),
				 errhint("Remove or rename it: every *.sql entry of a set must be a migration file.")));
	if (st->st_size > SM_MAX_FILE_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("migration file \"%s\" of set \"%s\" is larger than %d MB", name, set_name,
						SM_MAX_FILE_SIZE / (1024 * 1024)),
				 errhint("Split the migration into several files.")));
}

static int
cmp_stamp(const void *a, const void *b)
{
	return strcmp(((const FileStamp *) a)->name, ((const FileStamp *) b)->name);
}

static FileStamp *
list_files(const char *set_name, const char *dir, const char *real_dir, int *n_out)
{
	DIR		   *d = AllocateDir(dir);
	struct dirent *de;
	int			n = 0,
				cap = 64;
	FileStamp  *files = palloc(sizeof(FileStamp) * cap);

	while ((de = ReadDir(d, dir)) != NULL)
	{
		struct stat st;

		if (!wanted_file(de->d_name))
			continue;
		if (n >= SM_MAX_FILES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("migration set \"%s\" has more than %d files", set_name, SM_MAX_FILES)));
		check_entry(set_name, dir, real_dir, de->d_name, &st);
		if (n == cap)
		{
			cap *= 2;
			files = repalloc_huge(files, sizeof(FileStamp) * cap);
		}
		files[n].name = pstrdup(de->d_name);
		files[n].size = st.st_size;
		files[n].ino = st.st_ino;
		files[n].mtime = st.st_mtim;
		files[n].ctime = st.st_ctim;
		n++;
	}
	FreeDir(d);
	qsort(files, n, sizeof(FileStamp), cmp_stamp);
	*n_out = n;
	return files;
}

static bool
same_stamps(const FileStamp *a, const FileStamp *b, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(a[i].name, b[i].name) != 0 || a[i].size != b[i].size ||
			a[i].ino != b[i].ino ||
			a[i].mtime.tv_sec != b[i].mtime.tv_sec ||
			a[i].mtime.tv_nsec != b[i].mtime.tv_nsec ||
			a[i].ctime.tv_sec != b[i].ctime.tv_sec ||
			a[i].ctime.tv_nsec != b[i].ctime.tv_nsec)
			return false;
	return true;
}

/* ---------- reading and parsing ---------- */

static char *
read_file(const char *set_name, const char *dir, const char *name, size_t *len)
{
	char	   *path = psprintf("%s/%s", dir, name);
	int			fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	struct stat st;
	char	   *buf;
	size_t		done = 0;

	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open migration file \"%s\" of set \"%s\": %m", name, set_name)));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > SM_MAX_FILE_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("migration file \"%s\" of set \"%s\" changed while it was read", name, set_name)));
	buf = palloc_extended(st.st_size + 1, MCXT_ALLOC_HUGE);
	while (done < (size_t) st.st_size)
	{
		ssize_t		r = read(fd, buf + done, st.st_size - done);

		if (r < 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read migration file \"%s\" of set \"%s\": %m", name, set_name)));
		if (r == 0)
			break;
		done += r;
	}
	CloseTransientFile(fd);
	buf[done] = '\0';
	*len = done;
	return buf;
}

/* Files are UTF-8; check them and convert to the database's encoding. */
static char *
to_server_encoding(const char *set_name, const char *name, char *buf, size_t *len)
{
	int			valid = pg_encoding_verifymbstr(PG_UTF8, buf, *len);
	char	   *conv;

	if ((size_t) valid < *len)
	{
		int			line = 1;

		for (int i = 0; i < valid; i++)
			line += buf[i] == '\n';
		ereport(ERROR,
				(errcode((unsigned char) buf[valid] == 0 ?
						 ERRCODE_CONFIG_FILE_ERROR : ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("migration file \"%s\" of set \"%s\" is not valid UTF-8 at line %d",
						name, set_name, line),
				 (unsigned char) buf[valid] == 0 ?
				 errdetail("The file contains a NUL byte.") :
				 errdetail("Invalid byte 0x%02x at byte offset %d.", (unsigned char) buf[valid], valid),
				 errhint("Save migration files as UTF-8 text.")));
	}
	conv = pg_any_to_server(buf, (int) *len, PG_UTF8);
	if (conv != buf)
		*len = strlen(conv);
	return conv;
}

static char *
checksum_hex(const char *text, size_t len)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[32];
	char	   *hex = palloc(65);

	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) text, len) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute SHA-256 checksum");
	pg_cryptohash_free(ctx);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return hex;
}

static void
set_error_context(void *arg)
{
	errcontext("migration set \"%s\"", (const char *) arg);
}

static MigrationSet *
parse_set(const char *name, const char *dir, FileStamp *files, int n)
{
	MigrationSet *set = palloc0(sizeof(MigrationSet));
	ErrorContextCallback cb;

	cb.callback = set_error_context;
	cb.arg = (void *) name;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	set->name = pstrdup(name);
	set->dir = pstrdup(dir);
	set->n = n;
	set->migs = palloc0(sizeof(Migration *) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		size_t		len;
		char	   *raw = read_file(name, dir, files[i].name, &len);
		char	   *text = to_server_encoding(name, files[i].name, raw, &len);
		Migration  *m = mig_parse(&server_env, files[i].name, text, len);

		m->checksum = checksum_hex(m->text, m->text_len);
		set->migs[i] = m;
		if (text != raw)
			pfree(text);
		pfree(raw);
		CHECK_FOR_INTERRUPTS();
	}
	set->graph = graph_build(&server_env, set->migs, n);

	error_context_stack = cb.previous;
	return set;
}

/* ---------- the cache ---------- */

static CachedSet *
cache_lookup(const char *dir)
{
	for (CachedSet *c = set_cache; c; c = c->next)
		if (strcmp(c->dir, dir) == 0)
			return c;
	return NULL;
}

static void
cache_forget(CachedSet *victim)
{
	CachedSet **pp = &set_cache;

	while (*pp && *pp != victim)
		pp = &(*pp)->next;
	if (*pp)
		*pp = victim->next;
	MemoryContextDelete(victim->cxt);
}

/*
 * Load a set, from the cache when its files are unchanged.  A new entry is
 * built in a child of the caller's context and moved under
 * CacheMemoryContext only once complete, so an error while parsing leaves
 * nothing behind.
 */
MigrationSet *
set_load(const char *set_name)
{
	const char *name = set_resolve_name(set_name);
	char	   *real_dir;
	char	   *dir = set_directory(name, &real_dir);
	int			n;
	FileStamp  *files = list_files(name, dir, real_dir, &n);
	CachedSet  *c = cache_lookup(dir);
	MemoryContext cxt,
				old;

	if (c && c->n_files == n && same_stamps(c->files, files, n))
		return c->set;
	if (c)
		cache_forget(c);

	cxt = AllocSetContextCreate(CurrentMemoryContext, "schema_migrate set",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	c = palloc0(sizeof(CachedSet));
	c->cxt = cxt;
	c->dir = pstrdup(dir);
	c->n_files = n;
	c->files = palloc(sizeof(FileStamp) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		c->files[i] = files[i];
		c->files[i].name = pstrdup(files[i].name);
	}
	c->set = parse_set(name, dir, c->files, n);
	MemoryContextSwitchTo(old);

	MemoryContextSetParent(cxt, CacheMemoryContext);
	MemoryContextSetIdentifier(cxt, c->dir);
	c->next = set_cache;
	set_cache = c;
	return c->set;
}
