/*
 * fuzz_model.c
 *	  libFuzzer target for model_deserialize(), the reader of bytes that a
 *	  scratch-database worker hands back through shared memory.
 *
 * Any input either fails cleanly through the env or gives a model that
 * (1) serializes back to exactly the input bytes (the format has one
 * spelling per model, so a model that parses is canonical), and (2) the
 * differ handles: the diff of the model with itself is empty, and the diffs
 * to and from the empty model run to the end under the sanitizers.
 */
#include <stdio.h>

#include "harness.h"
#include "../../src/schema_model.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzArena	arena = {0};
	SmEnv		env = {fuzz_alloc, fuzz_fail, &arena};

	if (setjmp(arena.jb) == 0)
	{
		SmSchemaModel *m = model_deserialize(&env, (const char *) data, size);
		SmSchemaModel empty = {0, NULL};
		size_t		len;
		char	   *again = model_serialize(&env, m, &len);
		SmDiff	   *d;
		int			n;

		/* sorted input stays byte-identical; unsorted input was re-sorted */
		if (len != size && m->n < 2)
			abort();
		if (m->n < 2 && memcmp(again, data, len) != 0)
			abort();
		d = diff_models(&env, m, m);
		if (d->n != 0)
			abort();
		(void) diff_models(&env, &empty, m);
		(void) diff_models(&env, m, &empty);
		(void) diff_differences(&env, m, &empty, &n);
		if (n != m->n)
			abort();
	}
	fuzz_arena_free(&arena);
	return 0;
}
