/*
 * harness.h
 *	  The SmEnv of the fuzz targets: the unit tests' arena allocator
 *	  (test/unit/arena.h), freed after each input so that leaks in the core
 *	  never pile up across iterations, and a longjmp error handler.
 */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sm_core.h"
#include "../unit/arena.h"

/* The SmEnv's arg, for both callbacks. */
typedef struct FuzzArena
{
	Arena		arena;
	jmp_buf		jb;
	SmError		err;
} FuzzArena;

static void *
fuzz_alloc(void *arg, size_t size)
{
	return arena_alloc(&((FuzzArena *) arg)->arena, size);
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
	arena_free(&a->arena);
}

#endif
