/*
 * unit.h
 *	  A tiny test harness for the plain-C core: an arena SmEnv whose fail
 *	  callback longjmps, assertion macros that print the case name and the
 *	  last error message, and fixtures shared by the case files.
 */
#ifndef UNIT_H
#define UNIT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm_core.h"

extern const SmEnv *env;
extern SmError last_err;
extern jmp_buf *volatile cur_jb;
extern const char *cur_case;
extern int	case_failed;

extern void unit_fail(const char *file, int line, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
extern void unit_abort_case(void) __attribute__((noreturn));
extern bool err_has(const char *where, const char *word);

/* non-fatal check */
#define CHECK(cond) \
	do { if (!(cond)) unit_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); } while (0)
/* fatal check: ends the case */
#define REQUIRE(cond) \
	do { if (!(cond)) { unit_fail(__FILE__, __LINE__, "REQUIRE(%s)", #cond); unit_abort_case(); } } while (0)
#define CHECK_INT(a, b) \
	do { long _a = (long) (a), _b = (long) (b); \
		if (_a != _b) unit_fail(__FILE__, __LINE__, "%s == %ld, expected %ld", #a, _a, _b); } while (0)
#define CHECK_STR(a, b) \
	do { const char *_a = (a), *_b = (b); \
		if (!_a || strcmp(_a, _b) != 0) unit_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", _b); } while (0)

/*
 * Run stmt expecting an sm_fail of the given kind; then check that each
 * of the following words appears in the message.  last_err keeps the
 * error for further checks (e.g. of detail).
 */
#define EXPECT_ERR(kind_, stmt, ...) \
	do { \
		jmp_buf		_jb; \
		jmp_buf    *volatile _prev = cur_jb; \
		cur_jb = &_jb; \
		if (setjmp(_jb) == 0) \
		{ \
			stmt; \
			cur_jb = _prev; \
			unit_fail(__FILE__, __LINE__, "expected error %s from: %s", #kind_, #stmt); \
		} \
		else \
		{ \
			const char *_w[] = {__VA_ARGS__}; \
			cur_jb = _prev; \
			if (last_err.kind != (kind_)) \
				unit_fail(__FILE__, __LINE__, "error kind %d, expected %s (%d)", \
						  (int) last_err.kind, #kind_, (int) (kind_)); \
			for (size_t _i = 0; _i < sizeof(_w) / sizeof(_w[0]); _i++) \
				if (!err_has("message", _w[_i])) \
					unit_fail(__FILE__, __LINE__, "error message lacks \"%s\"", _w[_i]); \
		} \
	} while (0)

#define CHECK_DETAIL(word) \
	do { if (!err_has("detail", (word))) unit_fail(__FILE__, __LINE__, "error detail \"%s\" lacks \"%s\"", last_err.detail, (word)); } while (0)

/* helpers */
extern Migration *P(const char *file, const char *text);
extern Migration *mk(const char *rev, const char *down, const char *extra);
extern Graph *G(Migration **migs, int n);
extern bool *applied_set(const Graph *g, const char *revs);
extern const char *plan_str(const Graph *g, const MigPlan *p);
extern const char *stamp_str(const Graph *g, const bool *flags);
extern char *fmt(const char *f,...) __attribute__((format(printf, 1, 2)));
extern double now_ms(void);

typedef struct UnitCase
{
	const char *name;
	void		(*fn) (void);
} UnitCase;

extern const UnitCase natural_cases[];
extern const UnitCase parser_cases[];
extern const UnitCase graph_cases[];
extern const UnitCase plan_cases[];
extern const UnitCase formats_b_cases[];
extern const UnitCase format_cases[];
extern const UnitCase formats_a_cases[];
extern const UnitCase model_cases[];

#endif
