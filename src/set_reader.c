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
 * A set may be in another tool's format (src/formats/): the adapters get
 * at the files only through the SmFiles callbacks here, so these checks
 * hold for every file any adapter opens, in subdirectories too (diesel,
 * sqitch): each path must resolve, whatever links lie on the way, to a
 * regular file inside the set's directory, of bounded size, in UTF-8.
 *
 * The cache: a set is parsed once per backend and reused while every
 * directory listed and every file read to build it keep the same inode,
 * size, mtime and ctime.  Any edit, rename, addition or removal changes
 * one of those, so the no-op upgrade every application worker runs at
 * start-up costs one stat per file, not a parse.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "formats/formats.h"

#include <fcntl.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/namespace.h"
#include "common/cryptohash.h"
#include "common/file_utils.h"
#include "common/hashfn.h"
#include "common/md5.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port.h"
#include "storage/fd.h"
#include "utils/memutils.h"

/* What a file or directory looked like when the cached set was built. */
typedef struct FileStamp
{
	char	   *name;			/* relative to the set; "" is the set itself */
	off_t		size;
	ino_t		ino;
	struct timespec mtime;
	struct timespec ctime;
	bool		is_dir;
} FileStamp;

typedef struct CachedSet
{
	struct CachedSet *next;
	MemoryContext cxt;
	char	   *dir;
	int			n_files;
	FileStamp  *files;
	MigrationSet *set;
	dev_t		dev;			/* the set directory, as it was */
	ino_t		ino;
	int			watch_fd;		/* inotify on the set's directories, or -1 */
	bool		stale;			/* found changed once: reading the watch drained it */
} CachedSet;

/* A file an adapter read, kept so that detection and parsing share it. */
typedef struct ReadFile
{
	char	   *name;
	char	   *text;
	size_t		len;
} ReadFile;

/*
 * The state behind the SmFiles given to the format adapters: where the set
 * is, and every directory listed and file read, for the cache's stamps.
 */
typedef struct SetReader
{
	const char *set_name;
	const char *dir;
	const char *real_dir;
	int			n_stamps;
	int			cap_stamps;
	FileStamp  *stamps;
	int			n_read;
	int			cap_read;
	ReadFile   *read;
	int		   *slots;			/* open-addressing index into read[] */
	int			n_slots;		/* a power of two, > 2 * n_read */
	int			watch_fd;		/* every directory is watched before it is listed */
	SmDirEntry *root;			/* the set directory's listing, once made */
	int			n_root;
} SetReader;

/* Per-backend cache of parsed sets, in CacheMemoryContext. */
static CachedSet *set_cache = NULL;

static void set_fingerprint(MigrationSet *set);
static void summary_write(const struct CachedSet *c);
static int	watch_add(int fd, const char *path);

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
		case SM_ERR_CANNOT_RUN:
			return ERRCODE_FEATURE_NOT_SUPPORTED;
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

/* ---------- checking every path an adapter touches ---------- */

/*
 * A relative path from an adapter: no absolute paths, no "." or ".."
 * components, no control characters.  The realpath check below is what
 * keeps files inside the set; this keeps messages and stamps sane.
 */
static void
check_rel_path(const SetReader *r, const char *rel)
{
	bool		bad = rel[0] == '/';

	/* names reach text columns and messages: they must be UTF-8 too */
	if (!pg_verify_mbstr(PG_UTF8, rel, strlen(rel), true))
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("a migration file name in set \"%s\" is not valid UTF-8", r->set_name),
				 errhint("Rename the file with a UTF-8 (or plain ASCII) name.")));
	for (const char *p = rel; *p && !bad; p++)
		if ((unsigned char) *p < 0x20)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("migration file name in set \"%s\" contains a control character",
							r->set_name)));
	for (const char *c = rel; *c && !bad; c += strcspn(c, "/") + (c[strcspn(c, "/")] == '/'))
	{
		size_t		l = strcspn(c, "/");

		bad = l == 0 || (l == 1 && c[0] == '.') || (l == 2 && c[0] == '.' && c[1] == '.');
	}
	if (bad)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("migration file \"%s\" of set \"%s\" is outside the set", rel, r->set_name),
				 errhint("Files of a set are named relative to its directory, without \"..\".")));
}

/*
 * Stat a path of the set (following links) and make sure it resolves to
 * something inside the set's directory, whatever symbolic links lie on
 * the way.  Returns false only for a missing file when missing_ok.
 */
static bool
stat_inside(const SetReader *r, const char *rel, struct stat *st, bool missing_ok)
{
	char	   *path = rel[0] ? psprintf("%s/%s", r->dir, rel) : pstrdup(r->dir);
	char	   *resolved;
	size_t		rl = strlen(r->real_dir);

	if (rel[0])
		check_rel_path(r, rel);

	/*
	 * A plain entry directly in the set's (already resolved) directory is
	 * inside it; only symbolic links and nested paths need resolving, which
	 * costs a system call per path component.
	 */
	if (rel[0] && strchr(rel, '/') == NULL && lstat(path, st) == 0 &&
		!S_ISLNK(st->st_mode))
	{
		pfree(path);
		return true;
	}
	if (stat(path, st) != 0)
	{
		if (errno == ENOENT && missing_ok)
			return false;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat migration file \"%s\" of set \"%s\": %m", rel, r->set_name)));
	}
	resolved = resolve_path(path);
	if (rel[0] &&
		(resolved == NULL || strncmp(resolved, r->real_dir, rl) != 0 || resolved[rl] != '/'))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("migration file \"%s\" of set \"%s\" is a symbolic link that leads outside the set", rel, r->set_name),
				 errhint("Copy the file into the set's directory instead of linking to it.")));
	return true;
}

/* Stamps may repeat (a file read twice): checking one twice is harmless. */
static void
add_stamp(SetReader *r, const char *rel, const struct stat *st)
{
	if (r->n_stamps == r->cap_stamps)
	{
		r->cap_stamps = r->cap_stamps ? r->cap_stamps * 2 : 64;
		r->stamps = r->stamps ?
			repalloc_huge(r->stamps, sizeof(FileStamp) * r->cap_stamps) :
			palloc(sizeof(FileStamp) * r->cap_stamps);
	}
	r->stamps[r->n_stamps].name = pstrdup(rel);
	r->stamps[r->n_stamps].size = st->st_size;
	r->stamps[r->n_stamps].ino = st->st_ino;
	r->stamps[r->n_stamps].mtime = st->st_mtim;
	r->stamps[r->n_stamps].ctime = st->st_ctim;
	r->stamps[r->n_stamps].is_dir = S_ISDIR(st->st_mode);
	r->n_stamps++;
}

/* Refuse anything but a regular file of sane size. */
static void
check_regular(const SetReader *r, const char *rel, const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("migration file \"%s\" of set \"%s\" is not a regular file", rel, r->set_name),
				 errhint("Remove or rename it: every *.sql entry of a set must be a migration file.")));
	if (st->st_size > SM_MAX_FILE_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("migration file \"%s\" of set \"%s\" is larger than %d MB", rel, r->set_name,
						SM_MAX_FILE_SIZE / (1024 * 1024)),
				 errhint("Split the migration into several files.")));
}

/* ---------- listing directories ---------- */

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const SmDirEntry *) a)->name, ((const SmDirEntry *) b)->name);
}

/* SmFiles.list: the entries of a directory of the set, sorted. */
static int
reader_list(void *arg, const char *rel, SmDirEntry **out)
{
	SetReader  *r = (SetReader *) arg;
	struct stat st;
	char	   *path;
	DIR		   *d;
	struct dirent *de;
	int			n = 0,
				cap = 64;
	SmDirEntry *ents;

	/* detection and the adapter both list the set: list it once */
	if (rel[0] == '\0' && r->root)
	{
		*out = r->root;
		return r->n_root;
	}
	ents = palloc(sizeof(SmDirEntry) * cap);
	stat_inside(r, rel, &st, false);
	if (!S_ISDIR(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" of set \"%s\" is not a directory", rel, r->set_name)));
	add_stamp(r, rel, &st);
	path = rel[0] ? psprintf("%s/%s", r->dir, rel) : pstrdup(r->dir);
	r->watch_fd = watch_add(r->watch_fd, path);
	d = AllocateDir(path);
	while ((de = ReadDir(d, path)) != NULL)
	{
		char	   *child;

		if (de->d_name[0] == '.')
			continue;
		if (n >= SM_MAX_FILES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("migration set \"%s\" has more than %d files", r->set_name, SM_MAX_FILES)));
		child = rel[0] ? psprintf("%s/%s", rel, de->d_name) : pstrdup(de->d_name);
		check_rel_path(r, child);
		if (n == cap)
		{
			cap *= 2;
			ents = repalloc_huge(ents, sizeof(SmDirEntry) * cap);
		}
		ents[n].name = pstrdup(de->d_name);
		/* d_type where the file system gives it: a stat only for links */
		ents[n].is_dir = get_dirent_type(psprintf("%s/%s", path, de->d_name),
										 de, true, ERROR) == PGFILETYPE_DIR;
		n++;
		pfree(child);
	}
	FreeDir(d);
	qsort(ents, n, sizeof(SmDirEntry), cmp_entry);
	*out = ents;
	if (rel[0] == '\0')
	{
		r->root = ents;
		r->n_root = n;
	}
	return n;
}

static bool
same_stamp(const FileStamp *a, const struct stat *st)
{
	return a->size == st->st_size && a->ino == st->st_ino &&
		a->mtime.tv_sec == st->st_mtim.tv_sec &&
		a->mtime.tv_nsec == st->st_mtim.tv_nsec &&
		a->ctime.tv_sec == st->st_ctim.tv_sec &&
		a->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/*
 * Is every directory and file the cached set was built from unchanged?
 * A directory's mtime changes with every entry added, removed or renamed,
 * and a file's stamp with every edit.
 */
static bool
stamps_unchanged(const char *dir, const FileStamp *stamps, int n)
{
	for (int i = 0; i < n; i++)
	{
		char	   *path = stamps[i].name[0] ?
			psprintf("%s/%s", dir, stamps[i].name) : pstrdup(dir);
		struct stat st;
		bool		same = stat(path, &st) == 0 && same_stamp(&stamps[i], &st);

		pfree(path);
		if (!same)
			return false;
	}
	return true;
}

/* ---------- watching for changes ---------- */

/*
 * On Linux the cache also holds an inotify descriptor watching every
 * directory of the set: while it reports nothing, nothing was added,
 * removed, renamed, written or had its attributes changed, and the
 * no-op path skips the per-file stat.  Elsewhere, or when no inotify
 * instance can be had (fs.inotify.max_user_instances), the stamps are
 * checked on every call.
 */
#ifdef __linux__
#define SM_WATCH_MASK (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | \
					   IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | \
					   IN_MOVE_SELF | IN_UNMOUNT)
#endif

static int
watch_create(void)
{
#ifdef __linux__
	int			fd;

	if (!AcquireExternalFD())
		return -1;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		ReleaseExternalFD();
	return fd;
#else
	return -1;
#endif
}

static void watch_close(int fd);

/* Watch one more directory; on failure give up watching (-1). */
static int
watch_add(int fd, const char *path)
{
#ifdef __linux__
	if (fd >= 0 && inotify_add_watch(fd, path, SM_WATCH_MASK) < 0)
	{
		watch_close(fd);
		return -1;
	}
#endif
	return fd;
}

static void
watch_close(int fd)
{
	if (fd >= 0)
	{
		close(fd);
		ReleaseExternalFD();
	}
}

/* Has nothing happened since the last look?  Drains what did. */
static bool
watch_quiet(int fd)
{
	char		buf[4096] pg_attribute_aligned(8);
	bool		quiet = true;

	if (fd < 0)
		return false;
	while (read(fd, buf, sizeof(buf)) > 0)
		quiet = false;
	return quiet;
}

/* ---------- reading and parsing ---------- */

/* Read an open file to its end; fd is closed. */
static char *
read_fd(const char *set_name, const char *name, int fd, const struct stat *st,
		size_t *len)
{
	char	   *buf = palloc_extended(st->st_size + 1, MCXT_ALLOC_HUGE);
	size_t		done = 0;

	while (done < (size_t) st->st_size)
	{
		ssize_t		r = read(fd, buf + done, st->st_size - done);

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

static char *
read_file(const char *set_name, const char *dir, const char *name, size_t *len,
		  struct stat *st_out)
{
	char	   *path = psprintf("%s/%s", dir, name);
	int			fd = OpenTransientFile(path, O_RDONLY | PG_BINARY | O_NONBLOCK);
	struct stat st;

	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open migration file \"%s\" of set \"%s\": %m", name, set_name)));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > SM_MAX_FILE_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("migration file \"%s\" of set \"%s\" changed while it was read", name, set_name)));
	*st_out = st;
	return read_fd(set_name, name, fd, &st, len);
}

/*
 * The common case in one path lookup: a plain file directly in the set,
 * opened without following a link (O_NONBLOCK: a FIFO must not block us)
 * and checked through its descriptor.  NULL with *fallback set when it is
 * anything else, for the careful path to judge.
 */
static char *
read_plain(SetReader *r, const char *rel, size_t *len, struct stat *st,
		   bool *fallback)
{
	char	   *path = psprintf("%s/%s", r->dir, rel);
	int			fd;

	*fallback = true;
	if (strchr(rel, '/') != NULL)
		return NULL;
	check_rel_path(r, rel);
	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY | O_NOFOLLOW | O_NONBLOCK);
	pfree(path);
	if (fd < 0)
		return NULL;
	if (fstat(fd, st) != 0)
	{
		CloseTransientFile(fd);
		return NULL;
	}
	*fallback = false;
	check_regular(r, rel, st);
	return read_fd(r->set_name, rel, fd, st, len);
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
	/* a table, not snprintf: this runs for every file of a 10,000-file set */
	for (int i = 0; i < 32; i++)
	{
		hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 0xF];
	}
	hex[64] = '\0';
	return hex;
}

static void
set_error_context(void *arg)
{
	errcontext("migration set \"%s\"", (const char *) arg);
}

/*
 * SmFiles.read: a file of the set, checked (inside the set, regular, not
 * too large, UTF-8) and converted to the database's encoding.  Each file
 * is read once per load; detection and the adapter share the text.
 */
/* The slot of rel in the read-file index: its entry, or an empty one (-1). */
static int *
read_slot(SetReader *r, const char *rel)
{
	uint32		h = hash_bytes((const unsigned char *) rel, strlen(rel));

	for (uint32 i = h & (r->n_slots - 1);; i = (i + 1) & (r->n_slots - 1))
		if (r->slots[i] < 0 || strcmp(r->read[r->slots[i]].name, rel) == 0)
			return &r->slots[i];
}

/* Keep the index at most half full, so lookups stay O(1) for 100,000 files. */
static void
grow_slots(SetReader *r)
{
	int			n = r->n_slots ? r->n_slots * 2 : 256;

	if (r->slots)
		pfree(r->slots);
	r->slots = palloc_extended(sizeof(int) * n, MCXT_ALLOC_HUGE);
	memset(r->slots, -1, sizeof(int) * n);
	r->n_slots = n;
	for (int i = 0; i < r->n_read; i++)
		*read_slot(r, r->read[i].name) = i;
}

static const char *
reader_read(void *arg, const char *rel, size_t *len, bool missing_ok)
{
	SetReader  *r = (SetReader *) arg;
	struct stat st;
	char	   *raw,
			   *text;
	int		   *slot;

	if (2 * (r->n_read + 1) > r->n_slots)
		grow_slots(r);
	slot = read_slot(r, rel);
	if (*slot >= 0)
	{
		*len = r->read[*slot].len;
		return r->read[*slot].text;
	}
	{
		bool		fallback;

		raw = read_plain(r, rel, len, &st, &fallback);
		if (fallback)
		{
			if (!stat_inside(r, rel, &st, missing_ok))
				return NULL;
			check_regular(r, rel, &st);
			raw = read_file(r->set_name, r->dir, rel, len, &st);
		}
	}
	text = to_server_encoding(r->set_name, rel, raw, len);
	if (text != raw)
		pfree(raw);
	add_stamp(r, rel, &st);
	if (r->n_read == r->cap_read)
	{
		r->cap_read = r->cap_read ? r->cap_read * 2 : 64;
		r->read = r->read ?
			repalloc_huge(r->read, sizeof(ReadFile) * r->cap_read) :
			palloc(sizeof(ReadFile) * r->cap_read);
	}
	r->read[r->n_read].name = pstrdup(rel);
	r->read[r->n_read].text = text;
	r->read[r->n_read].len = *len;
	*read_slot(r, rel) = r->n_read;
	r->n_read++;
	CHECK_FOR_INTERRUPTS();
	return text;
}

/* Versioned migrations first, then repeatable ones; returns the former. */
static int
partition_repeatable(Migration **migs, int n)
{
	Migration **tmp = palloc(sizeof(Migration *) * (n + 1));
	int			k = 0;

	for (int i = 0; i < n; i++)
		if (!migs[i]->repeatable)
			tmp[k++] = migs[i];
	for (int i = 0, j = k; i < n; i++)
		if (migs[i]->repeatable)
			tmp[j++] = migs[i];
	memcpy(migs, tmp, sizeof(Migration *) * n);
	pfree(tmp);
	return k;
}

/*
 * The raw parse trees of sql, or NIL when it does not parse: the executor
 * reports the syntax error later, with its line.  Raw parsing touches
 * nothing but memory, so catching its error needs no subtransaction.
 */
static List *
parse_or_nil(const char *sql)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *volatile stmts = NIL;

	PG_TRY();
	{
#if PG_VERSION_NUM >= 140000
		stmts = raw_parser(sql, RAW_PARSE_DEFAULT);
#else
		stmts = raw_parser(sql);
#endif
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		stmts = NIL;
	}
	PG_END_TRY();
	return stmts;
}

/*
 * Does a section hold a statement PostgreSQL refuses in a transaction
 * block (the executor's own list)?  The words that list needs are looked
 * for first, so most files are not parsed here at all.
 */
static bool
needs_no_transaction(const char *sql)
{
	MemoryContext tmp,
				old;
	List	   *stmts;
	ListCell   *lc;
	bool		found = false;

	if (sql == NULL ||
		(strcasestr(sql, "concurrently") == NULL &&
		 strcasestr(sql, "vacuum") == NULL &&
		 strcasestr(sql, "database") == NULL &&
		 strcasestr(sql, "tablespace") == NULL &&
		 strcasestr(sql, "system") == NULL))
		return false;
	tmp = AllocSetContextCreate(CurrentMemoryContext, "schema_migrate scan",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(tmp);
	stmts = parse_or_nil(sql);
	foreach(lc, stmts)
	{
		Node	   *n = lfirst_node(RawStmt, lc)->stmt;

		found |= exec_non_transactional(n) != NULL;
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);
	return found;
}

/*
 * Flyway and golang-migrate mark no migration as non-transactional: Flyway
 * runs a migration without a transaction when it holds a statement that
 * cannot run in one (CREATE INDEX CONCURRENTLY, VACUUM, ...), and
 * golang-migrate never opens one; sqitch runs each script through psql
 * (App::Sqitch::Engine::pg, run_file), which opens none either.  dbmate,
 * goose and diesel wrap each file in a transaction unless told not to
 * (transaction:false, NO TRANSACTION, run_in_transaction = false), so their
 * files keep the refusal they get from the tool.  Such a migration is made
 * non-transactional here, as a native file with "-- transactional: false"
 * would be, so that CALL sm_migrate() runs it as those tools do instead of
 * refusing a folder they apply.
 */
static void
detect_non_transactional(SmFormat fmt, Migration **migs, int n)
{
	if (fmt != SM_FMT_FLYWAY && fmt != SM_FMT_GOLANG_MIGRATE &&
		fmt != SM_FMT_SQITCH)
		return;
	for (int i = 0; i < n; i++)
		if (migs[i]->transactional &&
			(needs_no_transaction(migs[i]->up_sql) ||
			 (migs[i]->has_down && needs_no_transaction(migs[i]->down_sql))))
			migs[i]->transactional = false;
}

/*
 * Read and parse a set in whatever format its files are in.  The graph is
 * built from the versioned migrations, set->migs[0 .. set->n - 1];
 * repeatable ones follow them in set->migs up to a NULL, in run order.
 */
static MigrationSet *
parse_set(const char *name, SetReader *r)
{
	MigrationSet *set = palloc0(sizeof(MigrationSet));
	ErrorContextCallback cb;
	SmFiles		files = {&server_env, reader_list, reader_read, r};
	SmFormat	fmt;
	Migration **migs;
	int			n;

	cb.callback = set_error_context;
	cb.arg = (void *) name;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	fmt = fmt_detect(&files);
	migs = fmt_read(&files, fmt, &n);
	detect_non_transactional(fmt, migs, n);
	set->name = pstrdup(name);
	set->dir = pstrdup(r->dir);
	set->migs = palloc0(sizeof(Migration *) * (n + 1));
	if (n > 0)
		memcpy(set->migs, migs, sizeof(Migration *) * n);
	for (int i = 0; i < n; i++)
	{
		Migration  *m = set->migs[i];

		if (m->format == NULL)
			m->format = fmt_name(fmt);
		m->checksum = checksum_hex(m->text, m->text_len);
	}
	set->n = partition_repeatable(set->migs, n);
	set->repeatable = set->migs + set->n;
	set->n_repeatable = n - set->n;
	set->graph = graph_build(&server_env, set->migs, set->n);
	set_fingerprint(set);

	error_context_stack = cb.previous;
	return set;
}

/*
 * What sm_fingerprint holds for this set when every revision is applied
 * with the checksum of its file now: md5 of "rev:checksum" joined by ","
 * in byte order of the ids (the triggers' ORDER BY ... COLLATE "C"); and
 * the current revisions then, which are the heads.
 */
static void
set_fingerprint(MigrationSet *set)
{
	const Graph *g = set->graph;
	StringInfoData buf;
	const char *errstr = NULL;

	set->all_fingerprint = NULL;
	set->heads_text = NULL;
	if (g->n == 0)
		return;
	initStringInfo(&buf);
	for (int i = 0; i < g->n; i++)
	{
		const Migration *m = g->nodes[g->by_name[i]].mig;

		appendStringInfo(&buf, "%s%s:%s", i ? "," : "", m->revision, m->checksum);
	}
	set->all_fingerprint = palloc(33);
	if (!pg_md5_hash(buf.data, buf.len, set->all_fingerprint, &errstr))
	{
		set->all_fingerprint = NULL;
		return;
	}
	pfree(buf.data);
	initStringInfo(&buf);
	for (int i = 0; i < g->n_heads; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", g->nodes[g->heads[i]].mig->revision);
	set->heads_text = buf.data;
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
	watch_close(victim->watch_fd);
	MemoryContextDelete(victim->cxt);
}

/*
 * Load a set, from the cache when its files are unchanged.  A new entry is
 * built in a child of the caller's context and moved under
 * CacheMemoryContext only once complete, so an error while parsing leaves
 * nothing behind.
 */
static MigrationSet *set_load_files(const char *set_name);

/*
 * Load a set.  "set@schema" is the set's files applied to one tenant's
 * schema: its own version state (the whole name is the key) and its
 * schema first on search_path while its migrations run.
 */
MigrationSet *
set_load(const char *set_name)
{
	const char *full = set_name ? set_name : sm_set;
	const char *at = full ? strchr(full, '@') : NULL;
	MigrationSet *set;
	MigrationSet *tenant;

	if (at == NULL)
		return set_load_files(full);
	set = set_load_files(pnstrdup(full, at - full));
	if (!valid_set_name(at + 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid tenant schema name \"%s\"", at + 1),
				 errhint("Write \"set@schema\" with a plain schema name.")));
	if (!OidIsValid(get_namespace_oid(at + 1, true)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" of tenant \"%s\" does not exist", at + 1, full),
				 errhint("Create the tenant's schema first: its migrations would otherwise create objects elsewhere on the search_path.")));
	tenant = palloc(sizeof(MigrationSet));
	*tenant = *set;
	tenant->name = pstrdup(full);
	tenant->tenant = pstrdup(at + 1);
	return tenant;
}

/*
 * Is the cached set still what the files say?  The set directory must be
 * the same directory; then a quiet watch, or else every stamp unchanged.
 */
static bool
cache_valid(CachedSet *c)
{
	struct stat st;

	if (!c->stale &&
		(stat(c->dir, &st) != 0 || st.st_dev != c->dev || st.st_ino != c->ino ||
		 (!watch_quiet(c->watch_fd) && !stamps_unchanged(c->dir, c->files, c->n_files))))
		c->stale = true;
	return !c->stale;
}

static MigrationSet *
set_load_files(const char *set_name)
{
	const char *name = set_resolve_name(set_name);
	char	   *key = psprintf("%s/%s", set_root(), name);
	CachedSet  *volatile c = cache_lookup(key);
	char	   *real_dir;
	char	   *dir;
	SetReader  *r;
	MemoryContext cxt,
				old;
	struct stat st;

	if (c && cache_valid(c))
		return c->set;
	if (c)
		cache_forget(c);

	dir = set_directory(name, &real_dir);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "schema_migrate set",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	c = palloc0(sizeof(CachedSet));
	c->cxt = cxt;
	c->dir = pstrdup(dir);
	c->watch_fd = -1;
	r = palloc0(sizeof(SetReader));
	r->set_name = name;
	r->dir = c->dir;
	r->real_dir = pstrdup(real_dir);
	r->watch_fd = watch_create();
	PG_TRY();
	{
		c->set = parse_set(name, r);
	}
	PG_CATCH();
	{
		watch_close(r->watch_fd);
		PG_RE_THROW();
	}
	PG_END_TRY();
	c->files = r->stamps;
	c->n_files = r->n_stamps;
	/* the migrations hold copies of what they need: drop the raw texts */
	for (int i = 0; i < r->n_read; i++)
		pfree(r->read[i].text);
	if (r->read)
		pfree(r->read);
	if (r->slots)
		pfree(r->slots);
	MemoryContextSwitchTo(old);

	/*
	 * Every directory was watched before it was listed, so a quiet watch
	 * means nothing changed while the files were read; without a watch,
	 * check the stamps once.  If something did change, use this load but
	 * do not keep it.
	 */
	c->watch_fd = r->watch_fd;
	if (stat(c->dir, &st) != 0 ||
		(c->watch_fd >= 0 ? !watch_quiet(c->watch_fd) :
		 !stamps_unchanged(c->dir, c->files, c->n_files)))
	{
		watch_close(c->watch_fd);
		return c->set;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	MemoryContextSetParent(cxt, CacheMemoryContext);
	MemoryContextSetIdentifier(cxt, c->dir);
	c->next = set_cache;
	set_cache = c;
	summary_write(c);
	return c->set;
}

/* ---------- the at-head summary, for backends that have not parsed yet ---------- */

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

static void
summary_write(const CachedSet *c)
{
	const MigrationSet *set = c->set;
	char	   *path = summary_path(c->dir);
	char	   *tmp;
	FILE	   *f;

	if (path == NULL || set->all_fingerprint == NULL)
		return;
	tmp = psprintf("%s.%d", path, MyProcPid);
	if ((f = AllocateFile(tmp, PG_BINARY_W)) == NULL)
		return;
	fprintf(f, "%s\n%s\n%s\n%d %d\n%d\n", SUMMARY_MAGIC, c->dir,
			set->all_fingerprint, set->graph->n_heads, set->n_repeatable,
			c->n_files);
	fprintf(f, "%s\n", set->heads_text);
	for (int i = 0; i < c->n_files; i++)
	{
		const FileStamp *s = &c->files[i];

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
 * What the start-up no-op needs, without parsing when the files have not
 * changed since this backend, or any backend of this server, parsed them.
 * NULL means: load the set.  The name may be a tenant's ("set@schema").
 */
SetSummary *
set_summary(const char *set_name)
{
	const char *full = set_name ? set_name : sm_set;
	const char *at = full ? strchr(full, '@') : NULL;
	const char *base = at ? pnstrdup(full, at - full) : full;
	char	   *key;
	CachedSet  *c;
	SetSummary *sum;

	if (at && (!valid_set_name(at + 1) || !OidIsValid(get_namespace_oid(at + 1, true))))
		return NULL;
	key = psprintf("%s/%s", set_root(), set_resolve_name(base));
	c = cache_lookup(key);
	if (c && cache_valid(c))
	{
		if (c->set->all_fingerprint == NULL)
			return NULL;
		sum = palloc0(sizeof(SetSummary));
		sum->fingerprint = c->set->all_fingerprint;
		sum->heads_text = c->set->heads_text;
		sum->n_heads = c->set->graph->n_heads;
		sum->n_repeatable = c->set->n_repeatable;
	}
	else if (c == NULL && (sum = cached_summary(key)) != NULL)
		sum = memcpy(palloc(sizeof(SetSummary)), sum, sizeof(SetSummary));
	else if (c == NULL && (sum = read_and_keep_summary(key)) != NULL)
		;
	else
		return NULL;
	sum->name = pstrdup(full);
	return sum;
}
