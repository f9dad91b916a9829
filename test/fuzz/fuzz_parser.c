/*
 * fuzz_parser.c
 *	  libFuzzer target for mig_parse().  The first byte picks a file name
 *	  (so name defaults get exercised), the rest is the file's content.
 *	  Errors longjmp back here; a parsed migration is checked for basic
 *	  invariants.
 */
#include <stdio.h>

#include "harness.h"

static const char *const names[] = {
	"0001_init.sql", "0003_order_status.sql", "abc.sql", "x", "sub/20240101_a_b.sql",
	"_leading.sql", ".sql", "",
};

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FuzzArena arena;
	SmEnv		env = {fuzz_alloc, fuzz_fail, &arena};
	const char *file;
	Migration  *volatile m = NULL;

	if (size == 0)
		return 0;
	file = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	if (setjmp(arena.jb) == 0)
	{
		const char *why;

		m = mig_parse(&env, file, (const char *) data + 1, size - 1);
		/* invariants of a successful parse */
		if (!m->revision || !mig_valid_revision(m->revision, &why))
			abort();
		if (!m->message || !m->up_sql || (m->has_down && !m->down_sql))
			abort();
		if (m->up_line < 1 || (m->has_down && m->down_line <= m->up_line - 1))
			abort();
		if (strlen(m->text) != m->text_len)
			abort();
		for (int i = 0; i < m->n_parents; i++)
			if (!mig_valid_revision(m->parents[i], &why))
				abort();
		if (m->n_parents > 0 && !m->down_given)
			abort();
	}
	else
	{
		/* an error: it must carry a message */
		if (arena.err.message[0] == '\0')
			abort();
	}
	fuzz_arena_free(&arena);
	return 0;
}
