/*-------------------------------------------------------------------------
 *
 * safe_files.c
 *	  Reading a set's files safely, for the format adapters: the SmFiles
 *	  callbacks (list a directory, read a file), every path checked, every
 *	  text checked to be UTF-8 and converted, every directory and file
 *	  stamped for the cache; and the files' checksums.
 *
 * Files are read as the server's OS user, so SQL privileges do not guard
 * them.  The adapters (src/formats/) get at the files only through these
 * callbacks, so the checks hold for every file any adapter opens, in
 * subdirectories too (diesel, sqitch): each path must resolve, whatever
 * links lie on the way, to a regular file inside the set's directory, of
 * bounded size, in UTF-8.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "formats/formats.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cryptohash.h"
#include "common/file_utils.h"
#include "common/hashfn.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/memutils.h"

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
	resolved = locate_real_path(path);
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
bool
files_stamps_unchanged(const char *dir, const FileStamp *stamps, int n)
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

/* SHA-256 of a file's text (BOM stripped, CRLF made LF), in hex. */
char *
files_checksum(const char *text, size_t len)
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

/*
 * SmFiles.read: a file of the set, checked (inside the set, regular, not
 * too large, UTF-8) and converted to the database's encoding.  Each file
 * is read once per load; detection and the adapter share the text.
 */
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

/* ---------- the reader's life ---------- */

/* A reader of the set in dir; directories it lists are added to watch_fd. */
SetReader *
files_open_reader(const char *set_name, const char *dir, const char *real_dir,
				  int watch_fd)
{
	SetReader  *r = palloc0(sizeof(SetReader));

	r->set_name = set_name;
	r->dir = dir;
	r->real_dir = pstrdup(real_dir);
	r->watch_fd = watch_fd;
	return r;
}

void
files_callbacks(SetReader *r, SmFiles *files)
{
	files->env = sm_server_env();
	files->list = reader_list;
	files->read = reader_read;
	files->arg = r;
	files->placeholders = NULL;
	files->warn = NULL;
}

/* The watch, which may have been given up (-1) on the way. */
int
files_watch_fd(const SetReader *r)
{
	return r->watch_fd;
}

/* Every directory listed and file read, as it was then. */
FileStamp *
files_stamps(const SetReader *r, int *n)
{
	*n = r->n_stamps;
	return r->stamps;
}

/* The migrations hold copies of what they need: drop the raw texts. */
void
files_drop_texts(SetReader *r)
{
	for (int i = 0; i < r->n_read; i++)
		pfree(r->read[i].text);
	if (r->read)
		pfree(r->read);
	if (r->slots)
		pfree(r->slots);
	r->read = NULL;
	r->slots = NULL;
	r->n_read = r->cap_read = r->n_slots = 0;
}
