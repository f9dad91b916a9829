/*
 * memfiles.h
 *	  An in-memory SmFiles for the format adapters, shared by the unit tests
 *	  and the fuzz target: a list of (path, text) with "/" separated paths;
 *	  directories are implied by the paths of their files.  list() returns
 *	  the entries of a directory sorted by strcmp, hidden ones left out, as
 *	  the server's reader does; read() of a missing file returns NULL when
 *	  missing_ok and fails otherwise.  A set can be built file by file
 *	  (mem_add) or loaded from a {path, text} array ended by {NULL, NULL}
 *	  (mem_load).  Everything is static inline: each includer uses a part.
 */
#ifndef MEMFILES_H
#define MEMFILES_H

#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"

#define MEM_MAX_FILES 64

typedef struct MemFile
{
	const char *path;
	const char *text;
} MemFile;

typedef struct MemFS
{
	const SmEnv *env;
	int			n;
	MemFile		files[MEM_MAX_FILES];
} MemFS;

static inline int
mem_cmp_entries(const void *a, const void *b)
{
	return strcmp(((const SmDirEntry *) a)->name, ((const SmDirEntry *) b)->name);
}

static inline int
mem_list(void *arg, const char *dir, SmDirEntry **entries)
{
	MemFS	   *fs = arg;
	size_t		dl = strlen(dir);
	SmDirEntry *out = sm_alloc(fs->env, sizeof(SmDirEntry) * (fs->n + 1));
	int			n = 0;

	for (int i = 0; i < fs->n; i++)
	{
		const char *p = fs->files[i].path;
		const char *rest,
				   *slash;
		size_t		nl;
		bool		seen = false;

		if (dl > 0 && (strncmp(p, dir, dl) != 0 || p[dl] != '/'))
			continue;
		rest = dl > 0 ? p + dl + 1 : p;
		slash = strchr(rest, '/');
		nl = slash ? (size_t) (slash - rest) : strlen(rest);
		if (nl == 0 || rest[0] == '.')
			continue;
		for (int j = 0; j < n && !seen; j++)
			seen = strlen(out[j].name) == nl && strncmp(out[j].name, rest, nl) == 0;
		if (seen)
			continue;
		out[n].name = sm_strndup(fs->env, rest, nl);
		out[n].is_dir = slash != NULL;
		n++;
	}
	qsort(out, n, sizeof(SmDirEntry), mem_cmp_entries);
	*entries = out;
	return n;
}

static inline const char *
mem_read(void *arg, const char *path, size_t *len, bool missing_ok)
{
	MemFS	   *fs = arg;

	for (int i = 0; i < fs->n; i++)
		if (strcmp(fs->files[i].path, path) == 0)
		{
			*len = strlen(fs->files[i].text);
			return fs->files[i].text;
		}
	if (!missing_ok)
		sm_fail(fs->env, SM_ERR_MALFORMED, path, 0, NULL, NULL,
				"could not open file \"%s\"", path);
	*len = 0;
	return NULL;
}

/* Add one file; a set larger than MEM_MAX_FILES is a bug of the test. */
static inline void
mem_add(MemFS *fs, const char *path, const char *text)
{
	if (fs->n >= MEM_MAX_FILES)
		abort();
	fs->files[fs->n++] = (MemFile) {path, text};
}

/* Make fs the set "set" (ended by {NULL, NULL}), read through env. */
static inline void
mem_load(MemFS *fs, const SmEnv *env, const MemFile *set)
{
	memset(fs, 0, sizeof(*fs));
	fs->env = env;
	for (const MemFile *m = set; m->path; m++)
		mem_add(fs, m->path, m->text);
}

static inline SmFiles
mem_files(MemFS *fs)
{
	SmFiles		f = {fs->env, mem_list, mem_read, fs, NULL, NULL};

	return f;
}

#endif
