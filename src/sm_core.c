/*-------------------------------------------------------------------------
 *
 * sm_core.c
 *	  Small helpers shared by the plain-C core: allocation and error
 *	  reporting through SmEnv, and the natural order of revision ids.
 *
 *-------------------------------------------------------------------------
 */
#include "sm_core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void *
sm_alloc(const SmEnv *env, size_t size)
{
	return env->alloc(env->arg, size);
}

char *
sm_strndup(const SmEnv *env, const char *s, size_t len)
{
	char	   *r = sm_alloc(env, len + 1);

	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}

void
sm_fail(const SmEnv *env, SmErrorKind kind, const char *file, int line,
		const char *detail, const char *hint, const char *fmt,...)
{
	SmError		err;
	va_list		ap;

	memset(&err, 0, sizeof(err));
	err.kind = kind;
	err.file = file;
	err.line = line;
	va_start(ap, fmt);
	vsnprintf(err.message, sizeof(err.message), fmt, ap);
	va_end(ap);
	if (detail)
		snprintf(err.detail, sizeof(err.detail), "%s", detail);
	if (hint)
		snprintf(err.hint, sizeof(err.hint), "%s", hint);
	env->fail(env->arg, &err);
	/* fail must not return; make sure of it even if a caller's does */
	for (;;)
		;
}

/* Strip a UTF-8 BOM and turn CRLF into LF, so checkouts agree. */
char *
sm_normalise(const SmEnv *env, const char *data, size_t len, size_t *out_len)
{
	char	   *out = sm_alloc(env, len + 1);
	size_t		o = 0;
	size_t		i = 0;

	if (len >= 3 && (unsigned char) data[0] == 0xEF &&
		(unsigned char) data[1] == 0xBB && (unsigned char) data[2] == 0xBF)
		i = 3;
	for (; i < len; i++)
	{
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			continue;
		out[o++] = data[i];
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Compare digit runs by value and everything else bytewise, so that "2"
 * sorts before "10" and "20240101_x" before "20240102_a".  Runs of equal
 * value but different spelling ("01" and "1") fall back to strcmp, which
 * keeps the order total.
 */
int
sm_natural_cmp(const char *a, const char *b)
{
	const char *pa = a;
	const char *pb = b;

	while (*pa && *pb)
	{
		if (is_digit(*pa) && is_digit(*pb))
		{
			const char *sa,
					   *sb;
			size_t		la,
						lb;

			while (*pa == '0' && is_digit(pa[1]))
				pa++;
			while (*pb == '0' && is_digit(pb[1]))
				pb++;
			sa = pa;
			sb = pb;
			while (is_digit(*pa))
				pa++;
			while (is_digit(*pb))
				pb++;
			la = pa - sa;
			lb = pb - sb;
			if (la != lb)
				return la < lb ? -1 : 1;
			for (size_t i = 0; i < la; i++)
				if (sa[i] != sb[i])
					return sa[i] < sb[i] ? -1 : 1;
			continue;
		}
		if (*pa != *pb)
			return (unsigned char) *pa < (unsigned char) *pb ? -1 : 1;
		pa++;
		pb++;
	}
	if (*pa || *pb)
		return *pa ? 1 : -1;
	return strcmp(a, b);
}
