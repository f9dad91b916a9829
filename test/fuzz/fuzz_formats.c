/*
 * fuzz_formats.c
 *	  libFuzzer target for format detection and the adapters (src/formats/),
 *	  through the in-memory SmFiles of the unit tests (test/unit/memfiles.h).
 *
 * Input layout: parts separated by NUL bytes (a file's text cannot hold
 * NUL: the server refuses it).  Each part is "path\ntext": the first line is
 * the file's path in the set ("1_a.up.sql", "deploy/x.sql", "d/up.sql",
 * "sqitch.plan"), the rest its text.  The folder goes through fmt_detect
 * and fmt_read as the server's set reader sends it, then the versioned
 * migrations through graph_build and a plan to head.
 *
 * Besides the sanitizers, the target checks what the rest of the server
 * relies on: every migration has a usable revision id, a message, up_sql,
 * text with text_len == strlen(text), down_sql when has_down, and a file
 * that is one of the folder's files.
 */
#include <stdio.h>

#include "harness.h"
#include "../unit/memfiles.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
is_folder_file(const MemFS *fs, const char *path)
{
	for (int i = 0; i < fs->n; i++)
		if (strcmp(fs->files[i].path, path) == 0)
			return true;
	return false;
}

static void
check_migration(const MemFS *fs, const Migration *m)
{
	const char *why;

	if (!m->revision || (!mig_valid_revision(m->revision, &why) &&
						 !mig_reserved_revision(m->revision)))
		abort();
	if (!m->message || !m->up_sql || !m->text || !m->file)
		abort();
	if (strlen(m->text) != m->text_len)
		abort();
	if (m->has_down && !m->down_sql)
		abort();
	if (!m->code_tool && !is_folder_file(fs, m->file))
		abort();
	if (m->down_file && !is_folder_file(fs, m->down_file))
		abort();
	if (m->verify_sql && !is_folder_file(fs, m->verify_file))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzArena	arena = {0};
	SmEnv		env = {fuzz_alloc, fuzz_fail, &arena};
	MemFS		fs;
	char	   *buf = malloc(size + 1);
	char	   *p = buf,
			   *end = buf + size;

	memcpy(buf, data, size);
	buf[size] = '\0';
	memset(&fs, 0, sizeof(fs));
	fs.env = &env;
	while (p < end && fs.n < MEM_MAX_FILES)
	{
		char	   *part_end = memchr(p, '\0', end - p);
		char	   *nl;

		if (!part_end)
			part_end = end;
		nl = memchr(p, '\n', part_end - p);
		if (nl && nl > p)
		{
			*nl = '\0';
			mem_add(&fs, p, nl + 1);
		}
		p = part_end + 1;
	}

	if (setjmp(arena.jb) == 0)
	{
		SmFiles		f = mem_files(&fs);
		SmFormat	fmt = fmt_detect(&f);
		int			n = 0;
		Migration **migs = fmt_read(&f, fmt, &n);
		int			n_versioned = 0;

		for (int i = 0; i < n; i++)
		{
			check_migration(&fs, migs[i]);
			/* versioned ones come first, then repeatable ones */
			if (!migs[i]->repeatable)
			{
				if (n_versioned != i)
					abort();
				n_versioned++;
			}
		}
		{
			Graph	   *g = graph_build(&env, migs, n_versioned);
			bool	   *applied = calloc(g->n + 1, sizeof(bool));

			if (g->n != n_versioned)
				abort();
			/* a plan through a Go migration fails; that is fine */
			if (setjmp(arena.jb) == 0 && g->n_heads == 1)
				(void) plan_upgrade(&env, g, applied, "head");
			free(applied);
		}
	}
	fuzz_arena_free(&arena);
	free(buf);
	return 0;
}
