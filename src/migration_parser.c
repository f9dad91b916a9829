/*-------------------------------------------------------------------------
 *
 * migration_parser.c
 *	  Turn the text of one native migration file into a Migration.
 *
 * The format: optional "-- key: value" directives, then "-- +up" and SQL,
 * then optionally "-- +down" and SQL.  A file without markers is all up.
 * The SQL itself is not looked at here; the server splits it into
 * statements with PostgreSQL's own parser when it runs it.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "sm_core.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KNOWN_DIRECTIVES \
	"revision, down_revision, message, branch_labels, depends_on, " \
	"transactional, lock_timeout, statement_timeout, repeatable, allow"

typedef enum Section
{
	SEC_HEADER,					/* before any SQL or marker */
	SEC_UP,
	SEC_DOWN
} Section;

typedef struct ParseState
{
	const SmEnv *env;
	const char *file;
	Migration  *mig;
	const char *text;
	size_t		len;
	bool		has_markers;	/* the file has a +up or +down marker */
	bool		any_directive;
	bool		any_sql;
	bool		seen[10];		/* which directives were given */
	Section		section;
	const char *up_start;
	const char *up_end;
	const char *down_start;
	bool		in_block_comment;
} ParseState;

static const char *const directive_names[] = {
	"revision", "down_revision", "message", "branch_labels",
	"depends_on", "transactional", "lock_timeout", "statement_timeout",
	"repeatable", "allow"
};

#define N_DIRECTIVES (int) (sizeof(directive_names) / sizeof(directive_names[0]))

/* ---------- small text helpers ---------- */

static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *
trim_end(const char *start, const char *end)
{
	while (end > start && isspace((unsigned char) end[-1]))
		end--;
	return end;
}

static bool
is_blank(const char *p, const char *end)
{
	return trim_end(p, end) == p;
}

static bool
is_comment(const char *p, const char *end)
{
	p = skip_blanks(p, end);
	return end - p >= 2 && p[0] == '-' && p[1] == '-';
}

/* Is the line "-- +up" / "-- +down" (any case, any spacing)? */
static bool
is_marker(const char *p, const char *end, const char *word)
{
	size_t		wl = strlen(word);

	p = skip_blanks(p, end);
	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return false;
	p = skip_blanks(p + 2, end);
	if (p >= end || *p != '+')
		return false;
	p++;
	end = trim_end(p, end);
	return (size_t) (end - p) == wl && strncasecmp(p, word, wl) == 0;
}

/*
 * A directive line is "-- key: value" with a lower-case identifier key.
 * Returns the key's length and sets *value, or 0 when not a directive.
 */
static size_t
directive_key(const char *p, const char *end, const char **key,
			  const char **value)
{
	const char *k;

	p = skip_blanks(p, end);
	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return 0;
	p = skip_blanks(p + 2, end);
	k = p;
	if (p >= end || !(*p >= 'a' && *p <= 'z'))
		return 0;
	while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
		p++;
	{
		const char *klen_end = p;

		p = skip_blanks(p, end);
		/* "-- see https://..." is a comment, not a directive */
		if (p >= end || *p != ':' || (p + 1 < end && p[1] != ' ' && p[1] != '\t'))
			return 0;
		*key = k;
		*value = skip_blanks(p + 1, end);
		return klen_end - k;
	}
}

static int
directive_index(const char *key, size_t len)
{
	for (int i = 0; i < N_DIRECTIVES; i++)
		if (strlen(directive_names[i]) == len &&
			strncmp(directive_names[i], key, len) == 0)
			return i;
	return -1;
}

/*
 * Is key close enough to a directive to be a misspelling of one?  Header
 * comments of other tools and of licenses ("-- copyright: 2024 ...",
 * "-- license: MIT", "-- author: ...") have the directive shape too; they
 * are comments unless the key is within a few edits of a directive name
 * ("revison", "down_revison") or one of the two holds the other
 * ("depends", "timeout", "transaction").
 */
static bool
holds(const char *h, size_t hl, const char *n, size_t nl)
{
	for (size_t i = 0; i + nl <= hl; i++)
		if (memcmp(h + i, n, nl) == 0)
			return true;
	return false;
}

static bool
near_directive(const char *key, size_t len)
{
	for (int i = 0; i < N_DIRECTIVES; i++)
	{
		const char *d = directive_names[i];
		size_t		dl = strlen(d);
		size_t		row[64];
		size_t		limit = dl / 4 > 2 ? dl / 4 : 2;

		if (len >= 4 && (holds(d, dl, key, len) || holds(key, len, d, dl)))
			return true;
		if (len >= 63)
			continue;
		/* Levenshtein distance, one row at a time */
		for (size_t j = 0; j <= len; j++)
			row[j] = j;
		for (size_t a = 1; a <= dl; a++)
		{
			size_t		diag = row[0];

			row[0] = a;
			for (size_t j = 1; j <= len; j++)
			{
				size_t		up = row[j];
				size_t		best = diag + (d[a - 1] != key[j - 1]);

				if (up + 1 < best)
					best = up + 1;
				if (row[j - 1] + 1 < best)
					best = row[j - 1] + 1;
				diag = up;
				row[j] = best;
			}
		}
		if (row[len] <= limit)
			return true;
	}
	return false;
}

/* ---------- validation ---------- */

/*
 * Is rev one of the target words (head, heads, base, none, current)?  A
 * native file may not use them as ids; another tool's names may (see
 * fmt_check_revision): the bare word stays the target, and the revision is
 * reached as "revision:<id>".
 */
bool
mig_reserved_revision(const char *rev)
{
	static const char *const reserved[] = {"head", "heads", "base", "none", "current"};

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcasecmp(rev, reserved[i]) == 0)
			return true;
	return false;
}

/* ASCII only: the server's locale must not change what an id may be. */
static bool
is_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9');
}

bool
mig_valid_revision(const char *rev, const char **why)
{
	size_t		len = strlen(rev);

	if (len == 0)
	{
		*why = "it is empty";
		return false;
	}
	if (len > SM_MAX_REVISION_LEN)
	{
		*why = "it is longer than 128 characters";
		return false;
	}
	if (!is_id_char(rev[0]))
	{
		*why = "it must start with a letter or digit";
		return false;
	}
	for (const char *p = rev; *p; p++)
	{
		if (!(is_id_char(*p) || *p == '_' || *p == '-' || *p == '.'))
		{
			*why = "it may contain only letters, digits, \"_\", \"-\" and \".\"";
			return false;
		}
		if (p[0] == '.' && p[1] == '.')
		{
			*why = "it may not contain \"..\"";
			return false;
		}
	}
	if (mig_reserved_revision(rev))
	{
		*why = "it is a reserved target name";
		return false;
	}
	return true;
}

static char *
checked_name(ParseState *st, int line, const char *what, const char *s,
			 size_t len)
{
	char	   *name = sm_strndup(st->env, s, len);
	const char *why;

	if (!mig_valid_revision(name, &why))
	{
		char		detail[SM_MAX_REVISION_LEN + 128];

		snprintf(detail, sizeof(detail), "The %s is \"%.*s\"%s.", what,
				 (int) (len > 64 ? 64 : len), s, len > 64 ? "..." : "");
		sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, detail,
				"Revision ids and branch labels may contain only letters, digits, \"_\", \"-\" and \".\".",
				"invalid %s in file \"%s\" line %d: %s", what, st->file,
				line, why);
	}
	return name;
}

/* Split "a, b, c" into names; "none" or empty gives zero names. */
static int
parse_name_list(ParseState *st, int line, const char *what, const char *p,
				const char *end, char ***out)
{
	int			n = 0;
	int			cap = 1;
	const char *q;

	end = trim_end(p, end);
	if (p == end || ((size_t) (end - p) == 4 && strncasecmp(p, "none", 4) == 0))
	{
		*out = NULL;
		return 0;
	}
	for (q = p; q < end; q++)
		if (*q == ',')
			cap++;
	if (cap > SM_MAX_PARENTS)
		sm_fail(st->env, SM_ERR_LIMIT, st->file, line, NULL, NULL,
				"too many names in %s in file \"%s\" line %d", what,
				st->file, line);
	*out = sm_alloc(st->env, sizeof(char *) * cap);
	while (p <= end)
	{
		const char *comma = memchr(p, ',', end - p);
		const char *item_end = comma ? comma : end;
		const char *s = skip_blanks(p, item_end);
		char	   *name = checked_name(st, line, what, s,
										trim_end(s, item_end) - s);

		for (int i = 0; i < n; i++)
			if (strcmp((*out)[i], name) == 0)
				sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
						"Name each revision once.",
						"%s lists \"%s\" twice in file \"%s\" line %d",
						what, name, st->file, line);
		(*out)[n++] = name;
		if (!comma)
			break;
		p = comma + 1;
	}
	return n;
}

static bool
parse_bool(const char *p, const char *end, bool *out)
{
	static const char *const yes[] = {"true", "on", "yes", "1"};
	static const char *const no[] = {"false", "off", "no", "0"};
	size_t		len = trim_end(p, end) - p;

	for (int i = 0; i < 4; i++)
	{
		if (strlen(yes[i]) == len && strncasecmp(p, yes[i], len) == 0)
			return (*out = true);
		if (strlen(no[i]) == len && strncasecmp(p, no[i], len) == 0)
		{
			*out = false;
			return true;
		}
	}
	return false;
}

/* "500", "500ms", "5s", "2min" -> milliseconds; -1 when not a duration */
static int
parse_duration_ms(const char *p, const char *end)
{
	long		v = 0;
	const char *u;
	size_t		ul;

	end = trim_end(p, end);
	if (p >= end || !isdigit((unsigned char) *p))
		return -1;
	while (p < end && isdigit((unsigned char) *p))
	{
		v = v * 10 + (*p++ - '0');
		if (v > 24L * 3600 * 1000)
			return -1;
	}
	u = skip_blanks(p, end);
	ul = end - u;
	if (ul == 0 || (ul == 2 && strncmp(u, "ms", 2) == 0))
		return (int) v;
	if (ul == 1 && *u == 's')
		v *= 1000;
	else if (ul == 3 && strncmp(u, "min", 3) == 0)
		v *= 60 * 1000;
	else
		return -1;
	return v > 24L * 3600 * 1000 ? -1 : (int) v;
}

/* ---------- directives ---------- */

static void
apply_directive(ParseState *st, int line, int idx, const char *v,
				const char *end)
{
	Migration  *m = st->mig;
	const char *vend = trim_end(v, end);

	if (st->seen[idx])
		sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
				"Give each directive once.",
				"directive \"%s\" given twice in file \"%s\" line %d",
				directive_names[idx], st->file, line);
	st->seen[idx] = true;
	st->any_directive = true;

	switch (idx)
	{
		case 0:					/* revision */
			m->revision = checked_name(st, line, "revision", v, vend - v);
			break;
		case 1:					/* down_revision */
			m->down_given = true;
			m->n_parents = parse_name_list(st, line, "down_revision", v, vend,
										   &m->parents);
			break;
		case 2:					/* message */
			if (vend - v > SM_MAX_MESSAGE_LEN)
				sm_fail(st->env, SM_ERR_LIMIT, st->file, line, NULL, NULL,
						"message longer than %d bytes in file \"%s\" line %d",
						SM_MAX_MESSAGE_LEN, st->file, line);
			m->message = sm_strndup(st->env, v, vend - v);
			break;
		case 3:					/* branch_labels */
			m->n_labels = parse_name_list(st, line, "branch label", v, vend,
										  &m->branch_labels);
			break;
		case 4:					/* depends_on */
			m->n_depends = parse_name_list(st, line, "depends_on", v, vend,
										   &m->depends_on);
			break;
		case 5:					/* transactional */
			if (!parse_bool(v, vend, &m->transactional))
				sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
						"Write \"-- transactional: false\" or \"-- transactional: true\".",
						"invalid value for \"transactional\" in file \"%s\" line %d",
						st->file, line);
			break;
		case 6:					/* lock_timeout */
		case 7:					/* statement_timeout */
			{
				int			ms = parse_duration_ms(v, vend);

				if (ms < 0)
					sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
							"Write a number of milliseconds, or a number followed by ms, s or min (at most one day).",
							"invalid value for \"%s\" in file \"%s\" line %d",
							directive_names[idx], st->file, line);
				if (idx == 6)
					m->lock_timeout_ms = ms;
				else
					m->statement_timeout_ms = ms;
			}
			break;
		case 8:					/* repeatable */
			if (!parse_bool(v, vend, &m->repeatable))
				sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
						"Write \"-- repeatable: true\".",
						"invalid value for \"repeatable\" in file \"%s\" line %d",
						st->file, line);
			break;
		case 9:					/* allow */
			/* approvals: read and checked by the safety lint (src/lint.c) */
			break;
	}
}

/* ---------- the line loop ---------- */

static void
handle_marker(ParseState *st, int line, bool up, const char *ls,
			  const char *next)
{
	if (up)
	{
		if (st->section != SEC_HEADER)
			sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
					"A migration has one \"-- +up\" section, optionally followed by one \"-- +down\" section.",
					"%s in file \"%s\" line %d",
					st->section == SEC_UP ? "second \"-- +up\" marker" :
					"\"-- +up\" marker after \"-- +down\"",
					st->file, line);
		st->section = SEC_UP;
		st->up_start = next;
		st->mig->up_line = line + 1;
	}
	else
	{
		if (st->section == SEC_HEADER)
			sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
					"Put the \"-- +up\" section first, then \"-- +down\".",
					"\"-- +down\" marker before \"-- +up\" in file \"%s\" line %d",
					st->file, line);
		if (st->section == SEC_DOWN)
			sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
					"A migration has one \"-- +up\" section, optionally followed by one \"-- +down\" section.",
					"second \"-- +down\" marker in file \"%s\" line %d",
					st->file, line);
		st->section = SEC_DOWN;
		st->up_end = ls;
		st->down_start = next;
		st->mig->has_down = true;
		st->mig->down_line = line + 1;
	}
}

static void
handle_line(ParseState *st, int line, const char *ls, const char *le,
			const char *next)
{
	const char *key;
	const char *value;
	size_t		klen;

	if (is_marker(ls, le, "up"))
	{
		handle_marker(st, line, true, ls, next);
		return;
	}
	if (is_marker(ls, le, "down"))
	{
		handle_marker(st, line, false, ls, next);
		return;
	}
	if (is_blank(ls, le))
		return;

	klen = directive_key(ls, le, &key, &value);
	if (st->section == SEC_HEADER && !st->in_block_comment)
	{
		if (klen > 0)
		{
			int			idx = directive_index(key, klen);

			if (idx < 0 && !near_directive(key, klen))
				return;			/* a comment such as "-- license: MIT" */
			if (idx < 0)
				sm_fail(st->env, SM_ERR_MALFORMED, st->file, line,
						"Known directives are " KNOWN_DIRECTIVES ".",
						"Header comments of the form \"-- word: text\" are read as directives; reword other comments.",
						"unknown directive \"%.*s\" in file \"%s\" line %d",
						(int) klen, key, st->file, line);
			apply_directive(st, line, idx, value, le);
			return;
		}
		if (is_comment(ls, le))
			return;
		if (skip_blanks(ls, le)[0] == '/' && skip_blanks(ls, le)[1] == '*')
		{
			/* a block comment opens: scanned below */
		}
		else if (st->has_markers)
			sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
					"Only \"-- key: value\" directives and comments may stand before \"-- +up\".",
					"SQL before the \"-- +up\" marker in file \"%s\" line %d",
					st->file, line);
		else
		{
			/* a file without markers: its SQL starts here */
			st->section = SEC_UP;
			st->up_start = ls;
			st->mig->up_line = line;
		}
	}
	if (st->section == SEC_HEADER)
	{
		/*
		 * The line opens a block comment or is inside one.  Scan it, since
		 * SQL may follow the comment on the same line (comment, then SELECT);
		 * that SQL must not be dropped, nor slip in before "-- +up".
		 * Nesting is not tracked.
		 */
		bool		in = st->in_block_comment;

		for (const char *p = ls; p < le; p++)
		{
			if (in)
			{
				if (p + 1 < le && p[0] == '*' && p[1] == '/')
				{
					in = false;
					p++;
				}
				continue;
			}
			if (p + 1 < le && p[0] == '/' && p[1] == '*')
			{
				in = true;
				p++;
				continue;
			}
			if (p + 1 < le && p[0] == '-' && p[1] == '-')
				break;
			if (isspace((unsigned char) *p))
				continue;
			if (st->has_markers)
				sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
						"Only \"-- key: value\" directives and comments may stand before \"-- +up\".",
						"SQL before the \"-- +up\" marker in file \"%s\" line %d",
						st->file, line);
			/* a file without markers: its SQL starts after the comment */
			st->section = SEC_UP;
			st->up_start = p;
			st->mig->up_line = line;
			st->any_sql = true;
			st->in_block_comment = false;
			return;
		}
		st->in_block_comment = in;
		return;
	}
	if (klen > 0 && directive_index(key, klen) >= 0)
		sm_fail(st->env, SM_ERR_MALFORMED, st->file, line, NULL,
				"Move the directive above the \"-- +up\" marker and the first SQL statement.",
				"directive \"%.*s\" after SQL in file \"%s\" line %d",
				(int) klen, key, st->file, line);
	if (!is_comment(ls, le))
		st->any_sql = true;
}


static bool
find_markers(const char *text, const char *end)
{
	const char *ls = text;

	while (ls < end)
	{
		const char *le = memchr(ls, '\n', end - ls);

		if (!le)
			le = end;
		if (is_marker(ls, le, "up") || is_marker(ls, le, "down"))
			return true;
		ls = le + 1;
	}
	return false;
}

/* Defaults from the file name: "0003_order_status.sql" -> 0003, "order status". */
static void
apply_name_defaults(ParseState *st)
{
	Migration  *m = st->mig;
	const char *base = strrchr(st->file, '/');
	const char *stem_end;
	const char *us;

	base = base ? base + 1 : st->file;
	stem_end = base + strlen(base);
	if (stem_end - base > 4 && strcmp(stem_end - 4, ".sql") == 0)
		stem_end -= 4;
	us = memchr(base, '_', stem_end - base);
	if (!m->revision)
		m->revision = checked_name(st, 0, "revision", base,
								   (us ? us : stem_end) - base);
	if (!m->message)
	{
		const char *ms = us ? us + 1 : stem_end;
		char	   *msg = sm_strndup(st->env, ms, stem_end - ms);

		for (char *p = msg; *p; p++)
			if (*p == '_')
				*p = ' ';
		m->message = msg;
	}
}

Migration *
mig_parse(const SmEnv *env, const char *file, const char *data, size_t len)
{
	ParseState	st;
	Migration  *m;
	const char *end;
	const char *ls;
	int			line = 1;

	if (len > SM_MAX_FILE_SIZE)
		sm_fail(env, SM_ERR_LIMIT, file, 0, NULL,
				"Split the migration into several files.",
				"migration file \"%s\" is larger than %d MB", file,
				SM_MAX_FILE_SIZE / (1024 * 1024));

	memset(&st, 0, sizeof(st));
	st.env = env;
	st.file = file;
	st.mig = m = sm_alloc(env, sizeof(Migration));
	m->file = file;
	m->transactional = true;
	m->lock_timeout_ms = -1;
	m->statement_timeout_ms = -1;
	st.text = sm_normalise(env, data, len, &st.len);
	m->text = st.text;
	m->text_len = st.len;
	end = st.text + st.len;

	if (memchr(st.text, '\0', st.len) != NULL)
		sm_fail(env, SM_ERR_MALFORMED, file, 0, NULL,
				"Migration files are text; remove the NUL bytes.",
				"migration file \"%s\" contains a NUL byte", file);
	if (is_blank(st.text, end))
		sm_fail(env, SM_ERR_MALFORMED, file, 0, NULL,
				"Write the migration's SQL, or \"-- +up\" alone for an intentionally empty migration.",
				"migration file \"%s\" is empty", file);

	st.has_markers = find_markers(st.text, end);
	for (ls = st.text; ls < end; line++)
	{
		const char *le = memchr(ls, '\n', end - ls);
		const char *next;

		if (!le)
			le = end;
		next = le < end ? le + 1 : end;
		handle_line(&st, line, ls, le, next);
		ls = next;
	}

	if (!st.has_markers && !st.any_sql && !st.any_directive)
		sm_fail(env, SM_ERR_MALFORMED, file, 0, NULL,
				"Write the migration's SQL, or \"-- +up\" alone for an intentionally empty migration.",
				"migration file \"%s\" contains only comments", file);

	if (st.section == SEC_HEADER)
	{
		m->up_sql = sm_strndup(env, "", 0);
		m->up_line = line;
	}
	else
	{
		const char *ue = st.up_end ? st.up_end : end;

		m->up_sql = sm_strndup(env, st.up_start, ue - st.up_start);
	}
	if (m->has_down)
		m->down_sql = sm_strndup(env, st.down_start, end - st.down_start);

	apply_name_defaults(&st);
	return m;
}
