/*
 * harness.h
 *	  Arena allocator and longjmp error handler shared by the fuzz targets.
 *	  Every allocation of one input is freed after the input, so leaks in
 *	  the core never pile up across iterations.
 */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sm_core.h"

typedef struct FuzzArena
{
	void	  **blocks;
	size_t		n;
	size_t		cap;
	jmp_buf		jb;
	SmError		err;
} FuzzArena;

static void *
fuzz_alloc(void *arg, size_t size)
{
	FuzzArena  *a = arg;
	void	   *p;

	if (a->n == a->cap)
	{
		a->cap = a->cap ? a->cap * 2 : 64;
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

static void
fuzz_fail(void *arg, const SmError *error)
{
	FuzzArena  *a = arg;

	/* the message must be a terminated string */
	if (strlen(error->message) >= sizeof(error->message))
		abort();
	a->err = *error;
	longjmp(a->jb, 1);
}

static void
fuzz_arena_free(FuzzArena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->blocks[i]);
	free(a->blocks);
	a->blocks = NULL;
	a->n = a->cap = 0;
}

#endif
