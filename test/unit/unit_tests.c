/*
 * unit_tests.c
 *	  Runner and harness for the plain-C core's unit tests.  Each case runs
 *	  with a fresh arena that is freed afterwards; an unexpected sm_fail
 *	  fails the case and prints the error.
 */
#include <stdarg.h>
#include <time.h>

#include "unit.h"
#include "arena.h"

static Arena arena;
SmError		last_err;
jmp_buf    *volatile cur_jb;
const char *cur_case;
int			case_failed;
static jmp_buf case_jb;

static void
arena_fail(void *arg, const SmError *error)
{
	(void) arg;
	last_err = *error;
	longjmp(*cur_jb, 1);
}

static const SmEnv the_env = {arena_alloc, arena_fail, &arena};
const SmEnv *env = &the_env;

void
unit_fail(const char *file, int line, const char *f,...)
{
	va_list		ap;

	case_failed++;
	fprintf(stderr, "FAIL [%s] %s:%d: ", cur_case, file, line);
	va_start(ap, f);
	vfprintf(stderr, f, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (last_err.message[0])
		fprintf(stderr, "    last error (kind %d): %s\n    detail: %s\n",
				(int) last_err.kind, last_err.message, last_err.detail);
}

void
unit_abort_case(void)
{
	longjmp(case_jb, 2);
}

bool
err_has(const char *where, const char *word)
{
	const char *s = strcmp(where, "detail") == 0 ? last_err.detail :
		strcmp(where, "hint") == 0 ? last_err.hint : last_err.message;

	return strstr(s, word) != NULL;
}

char *
fmt(const char *f,...)
{
	va_list		ap;
	int			len;
	char	   *buf;

	va_start(ap, f);
	len = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	buf = arena_alloc(&arena, len + 1);
	va_start(ap, f);
	vsnprintf(buf, len + 1, f, ap);
	va_end(ap);
	return buf;
}

double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

Migration *
P(const char *file, const char *text)
{
	return mig_parse(env, file, text, strlen(text));
}

/* A migration with a revision, optional down_revision, extra directives, up and down. */
Migration *
mk(const char *rev, const char *down, const char *extra)
{
	char	   *text = fmt("-- revision: %s\n%s%s%s%s-- +up\nSELECT 1;\n-- +down\nSELECT 2;\n",
						   rev, down ? "-- down_revision: " : "", down ? down : "",
						   down ? "\n" : "", extra ? extra : "");

	return P(fmt("%s.sql", rev), text);
}

Graph *
G(Migration **migs, int n)
{
	return graph_build(env, migs, n);
}

/* Applied flags from a space-separated list of revisions; "*" = all. */
bool *
applied_set(const Graph *g, const char *revs)
{
	bool	   *a = arena_alloc(&arena, g->n + 1);
	char	   *copy = fmt("%s", revs);

	if (strcmp(revs, "*") == 0)
	{
		memset(a, 1, g->n);
		return a;
	}
	for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " "))
	{
		int			i = graph_find(g, tok);

		if (i < 0)
		{
			unit_fail(__FILE__, __LINE__, "fixture: no revision %s", tok);
			unit_abort_case();
		}
		a[i] = true;
	}
	return a;
}

/* "a b c" for a plan's steps. */
const char *
plan_str(const Graph *g, const MigPlan *p)
{
	char	   *s = fmt("%s", "");

	for (int i = 0; i < p->n_steps; i++)
		s = fmt("%s%s%s", s, i ? " " : "", g->nodes[p->steps[i]].mig->revision);
	return s;
}

/* "a b c" for the flagged nodes, in node order. */
const char *
stamp_str(const Graph *g, const bool *flags)
{
	char	   *s = fmt("%s", "");

	for (int i = 0; i < g->n; i++)
		if (flags[i])
			s = fmt("%s%s%s", s, s[0] ? " " : "", g->nodes[i].mig->revision);
	return s;
}

static void
run_cases(const UnitCase *cases, int *passed, int *failed)
{
	for (volatile int i = 0; cases[i].name; i++)
	{
		cur_case = cases[i].name;
		case_failed = 0;
		memset(&last_err, 0, sizeof(last_err));
		cur_jb = &case_jb;
		switch (setjmp(case_jb))
		{
			case 0:
				cases[i].fn();
				break;
			case 1:
				unit_fail(__FILE__, __LINE__, "unexpected error (kind %d): %s | %s",
						  (int) last_err.kind, last_err.message, last_err.detail);
				break;
			default:
				break;			/* REQUIRE failed, already reported */
		}
		arena_free(&arena);
		if (case_failed)
			(*failed)++;
		else
			(*passed)++;
	}
}

int
main(void)
{
	int			passed = 0,
				failed = 0;

	run_cases(natural_cases, &passed, &failed);
	run_cases(parser_cases, &passed, &failed);
	run_cases(formats_a_cases, &passed, &failed);
	run_cases(graph_cases, &passed, &failed);
	run_cases(plan_cases, &passed, &failed);
	run_cases(formats_b_cases, &passed, &failed);
	run_cases(format_cases, &passed, &failed);
	run_cases(model_cases, &passed, &failed);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
