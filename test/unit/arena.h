/*
 * arena.h
 *	  The allocator of the SmEnv the unit tests and the fuzz targets give
 *	  the plain-C core: every block is zeroed and remembered, and
 *	  arena_free() frees them all at once (after a case, after an input),
 *	  so that what the core never frees itself does not pile up.
 */
#ifndef SM_TEST_ARENA_H
#define SM_TEST_ARENA_H

#include <stdlib.h>
#include <string.h>

typedef struct Arena
{
	void	  **blocks;
	size_t		n;
	size_t		cap;
} Arena;

/* An SmEnv alloc callback: arg is the Arena. */
static inline void *
arena_alloc(void *arg, size_t size)
{
	Arena	   *a = arg;
	void	   *p;

	if (a->n == a->cap)
	{
		a->cap = a->cap ? a->cap * 2 : 256;
		a->blocks = realloc(a->blocks, a->cap * sizeof(void *));
		if (!a->blocks)
			abort();
	}
	p = calloc(1, size ? size : 1);
	if (!p)
		abort();
	a->blocks[a->n++] = p;
	return p;
}

static inline void
arena_free(Arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->blocks[i]);
	free(a->blocks);
	memset(a, 0, sizeof(*a));
}

#endif
