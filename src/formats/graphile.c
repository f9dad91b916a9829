/*-------------------------------------------------------------------------
 *
 * graphile.c
 *	  graphile-migrate: committed/NNNNNN[-slug].sql files with "--! Previous:"
 *	  and "--! Hash:" headers forming a SHA-1 hash chain.
 *
 * Read as graphile-migrate 1.4 reads them (migration.js, hash.js,
 * header.js):
 *	 - files matching ^[0-9]+(-[-_a-zA-Z0-9]*)?\.sql$, others ignored;
 *	   ordered by "<number>.sql" (what graphile_migrate.migrations.filename
 *	   stores, so that is the tool key; the number as written is the
 *	   revision id);
 *	 - the headers are the leading lines "--! Key" or "--! Key: value"
 *	   (Key starting upper case), each at most once, then an empty line;
 *	   the body is the rest, trimmed, plus "\n";
 *	 - "Previous" is required ("-" for none), so is "Hash"; the first
 *	   migration has no previous one, every other names the hash of the one
 *	   before it; the hash is "sha1:" + SHA-1 of
 *	   trim((previous or "") + "\n" + trim(body)) + "\n", and a mismatch is
 *	   refused unless "--! AllowInvalidHash" is given (which then refuses a
 *	   matching hash, as graphile-migrate does);
 *	 - a body whose first line is "--! no-transaction" runs outside a
 *	   transaction;
 *	 - placeholders are replaced in the body after the hash is checked,
 *	   as migration.js's generatePlaceholderReplacement does: a ':' and the
 *	   word characters after it, when that word is a placeholder's name
 *	   (the regexp "(?::NAME|...)\b", with no boundary before the ':'), by
 *	   its value verbatim.  The names and values come from the caller
 *	   (SmFiles.placeholders: :DATABASE_NAME, :DATABASE_OWNER and the
 *	   user's own); a ":NAME" (":[A-Z][0-9A-Z_]+" as a word of its own)
 *	   that is none of them is left as it is in comments and literals, as
 *	   graphile-migrate leaves it, and refused naming its line in SQL code,
 *	   where it could only be a syntax error.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_b.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct GmFile
{
	const char *file;			/* path in the set */
	char	   *number;
	char	   *slug;
	const char *previous;		/* NULL: none */
	const char *hash;
	const char *message;
	bool		allow_invalid;
	char	   *body;
	int			body_line;		/* line of the file where body starts */
	const char *text;
	size_t		len;
} GmFile;

static bool
valid_name(const char *name)
{
	size_t		d = fmt_digits(name);
	const char *p = name + d;

	if (d == 0)
		return false;
	if (*p == '-')
	{
		p++;
		while (*p && (isalnum((unsigned char) *p) || *p == '-' || *p == '_'))
			p++;
	}
	return strcmp(p, ".sql") == 0;
}

static bool
is_js_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* s[0..len) trimmed as JavaScript's String.prototype.trim does (ASCII) */
static void
trim(const char **s, size_t *len)
{
	while (*len && is_js_space(**s))
		(*s)++, (*len)--;
	while (*len && is_js_space((*s)[*len - 1]))
		(*len)--;
}

static void
gm_fail(const SmEnv *env, const char *file, int line, const char *hint,
		const char *what)
{
	sm_fail(env, SM_ERR_MALFORMED, file, line, NULL, hint,
			"invalid graphile-migrate migration \"%s\": %s", file, what);
}

/* Headers and body, as parseMigrationText(strict) splits them. */
static void
parse_text(const SmEnv *env, GmFile *g)
{
	const char *end = g->text + g->len,
			   *cur = g->text,
			   *ls,
			   *le,
			   *body = end;
	int			line = 0;
	bool		seen_prev = false;
	size_t		bl;

	while (fmt_next_line(end, &cur, &ls, &le))
	{
		const char *k,
				   *ke,
				   *v = NULL;

		line++;
		if (le - ls < 5 || strncmp(ls, "--! ", 4) != 0 || !isupper((unsigned char) ls[4]))
		{
			if (le != ls)
				gm_fail(env, g->file, line,
						"graphile-migrate commit writes the headers, then an empty line, then the SQL.",
						"there should be two newlines after the headers section");
			body = cur;
			g->body_line = line + 1;
			break;
		}
		k = ls + 4;
		for (ke = k; ke < le && (isalnum((unsigned char) *ke) || *ke == '_'); ke++)
			;
		if (ke < le && *ke == ':')
			v = ke + 1;
		else if (ke != le)
		{
			if (le != ls)
				gm_fail(env, g->file, line,
						"graphile-migrate commit writes the headers, then an empty line, then the SQL.",
						"there should be two newlines after the headers section");
		}
		{
			const char *vs = v;
			size_t		vl = v ? (size_t) (le - v) : 0;
			char	   *val;

			if (vs)
				trim(&vs, &vl);
			val = vs && vl ? sm_strndup(env, vs, vl) : NULL;
#define KEY_IS(s) ((size_t) (ke - k) == strlen(s) && strncmp(k, s, ke - k) == 0)
			if ((KEY_IS("Previous") && seen_prev) ||
				(KEY_IS("Hash") && g->hash) || (KEY_IS("Message") && g->message))
				gm_fail(env, g->file, line, "Give each header once.",
						"a header is specified more than once");
			if (KEY_IS("Previous"))
			{
				seen_prev = val != NULL;
				g->previous = val && strcmp(val, "-") != 0 ? val : NULL;
			}
			else if (KEY_IS("Hash"))
				g->hash = val;
			else if (KEY_IS("Message"))
				g->message = val;
			else if (KEY_IS("AllowInvalidHash"))
				g->allow_invalid = true;
#undef KEY_IS
		}
	}
	if (!seen_prev)
		gm_fail(env, g->file, 1, "Committed migrations start with \"--! Previous: sha1:...\" (\"-\" for the first); commit them with graphile-migrate commit.",
				"no 'Previous' comment");
	if (!g->hash)
		gm_fail(env, g->file, 1, "Committed migrations carry \"--! Hash: sha1:...\"; commit them with graphile-migrate commit.",
				"no 'Hash' comment");
	bl = end - body;
	{
		const char *b = body;

		for (const char *p = body; p < end && is_js_space(*p); p++)
			if (*p == '\n')
				g->body_line++;
		trim(&b, &bl);
		g->body = sm_alloc(env, bl + 2);
		memcpy(g->body, b, bl);
		g->body[bl] = '\n';
	}
}

static void
check_hash(const SmEnv *env, const GmFile *g)
{
	size_t		pl = g->previous ? strlen(g->previous) : 0,
				bl = strlen(g->body),
				len;
	char	   *buf = sm_alloc(env, pl + bl + 3);
	const char *s = buf;
	char		hex[41],
				want[48];
	bool		ok;

	if (pl)
		memcpy(buf, g->previous, pl);
	buf[pl] = '\n';
	memcpy(buf + pl + 1, g->body, bl);
	len = pl + 1 + bl;
	trim(&s, &len);
	memmove(buf, s, len);
	buf[len] = '\n';
	fmt_sha1_hex(buf, len + 1, hex);
	snprintf(want, sizeof(want), "sha1:%s", hex);
	ok = strcmp(want, g->hash) == 0;
	if (!ok && !g->allow_invalid)
		sm_fail(env, SM_ERR_MALFORMED, g->file, 0, NULL,
				"A committed migration must not be edited: restore it, or add \"--! AllowInvalidHash\" to its headers if the change is intended.",
				"hash for graphile-migrate migration \"%s\" does not match - %s !== %s; has the file been tampered with?",
				g->file, want, g->hash);
	if (ok && g->allow_invalid)
		sm_fail(env, SM_ERR_MALFORMED, g->file, 0, NULL,
				"Remove the \"--! AllowInvalidHash\" header.",
				"invalid hash allowed for graphile-migrate migration \"%s\", but the hash matches", g->file);
}

static bool
is_word(char c)
{
	return isalnum((unsigned char) c) || c == '_';
}

/* The value of the placeholder named [p, p + len), or NULL. */
static const char *
placeholder_value(const FmtPlaceholders *ph, const char *p, size_t len)
{
	for (int i = 0; ph && i < ph->n; i++)
		if (strlen(ph->names[i]) == len && strncmp(ph->names[i], p, len) == 0)
			return ph->values[i];
	return NULL;
}

/* Where the scan of a body is, for telling code from comments and literals. */
typedef enum GmLex
{
	GM_CODE,
	GM_LINE_COMMENT,
	GM_BLOCK_COMMENT,
	GM_QUOTE,					/* '...' */
	GM_IDENT,					/* "..." */
	GM_DOLLAR					/* $tag$...$tag$ */
} GmLex;

/* The length of a dollar-quote delimiter ("$", tag, "$") at p, or 0. */
static size_t
dollar_tag(const char *body, const char *p)
{
	const char *q = p + 1;

	if (*p != '$' || (p > body && is_word(p[-1])))
		return 0;
	if (*q && !isdigit((unsigned char) *q))
		while (is_word(*q))
			q++;
	return *q == '$' ? (size_t) (q - p + 1) : 0;
}

/*
 * How many bytes at p the scan copies unchanged, moving *st on: SQL's
 * comments (block comments nest), quoted strings and identifiers and
 * dollar quotes, as far as telling them from code needs.
 */
static size_t
lex_step(const char *body, const char *p, GmLex *st, int *depth,
		 const char **tag, size_t *tag_len)
{
	switch (*st)
	{
		case GM_CODE:
			if (p[0] == '-' && p[1] == '-')
				return *st = GM_LINE_COMMENT, 2;
			if (p[0] == '/' && p[1] == '*')
				return *st = GM_BLOCK_COMMENT, *depth = 1, 2;
			if (*p == '\'')
				return *st = GM_QUOTE, 1;
			if (*p == '"')
				return *st = GM_IDENT, 1;
			if ((*tag_len = dollar_tag(body, p)) > 0)
				return *st = GM_DOLLAR, *tag = p, *tag_len;
			return 1;
		case GM_LINE_COMMENT:
			if (*p == '\n')
				*st = GM_CODE;
			return 1;
		case GM_BLOCK_COMMENT:
			if (p[0] == '/' && p[1] == '*')
				return (*depth)++, 2;
			if (p[0] == '*' && p[1] == '/')
			{
				if (--(*depth) == 0)
					*st = GM_CODE;
				return 2;
			}
			return 1;
		case GM_QUOTE:
			if (p[0] == '\'' && p[1] == '\'')
				return 2;
			if (*p == '\'')
				*st = GM_CODE;
			return 1;
		case GM_IDENT:
			if (*p == '"')
				*st = GM_CODE;
			return 1;
		case GM_DOLLAR:
			if (strncmp(p, *tag, *tag_len) == 0)
				return *st = GM_CODE, *tag_len;
			return 1;
	}
	return 1;
}

/* Is [p, q) a ":NAME" word, ":[A-Z][0-9A-Z_]+", not after a word or ':'? */
static bool
looks_like_placeholder(const char *body, const char *p, const char *q)
{
	if (q - p < 3 || (p > body && (p[-1] == ':' || is_word(p[-1]))) ||
		!isupper((unsigned char) p[1]))
		return false;
	for (const char *r = p + 1; r < q; r++)
		if (!isupper((unsigned char) *r) && !isdigit((unsigned char) *r) && *r != '_')
			return false;
	return true;
}

/*
 * The body with its placeholders replaced, as graphile-migrate replaces
 * them: everywhere, comments and strings included.  graphile-migrate
 * leaves a ":NAME" with no value as it is; in SQL code that is a syntax
 * error at ':' later, so it is refused here naming it (in a comment or a
 * literal it is harmless text, and stays).
 */
static char *
fill_placeholders(const SmEnv *env, const GmFile *g, const FmtPlaceholders *ph)
{
	size_t		cap = strlen(g->body) + 1,
				n = 0;
	char	   *out = sm_alloc(env, cap);
	GmLex		st = GM_CODE;
	int			depth = 0;
	const char *tag = NULL;
	size_t		tag_len = 0;

	for (const char *p = g->body; *p;)
	{
		const char *q = p + 1,
				   *val;
		size_t		vl;

		if (*p != ':')
		{
			size_t		k = lex_step(g->body, p, &st, &depth, &tag, &tag_len);

			memcpy(out + n, p, k);
			n += k;
			p += k;
			continue;
		}
		while (is_word(*q))
			q++;
		val = q - p > 1 ? placeholder_value(ph, p, q - p) : NULL;
		if (val == NULL)
		{
			if (st == GM_CODE && looks_like_placeholder(g->body, p, q))
			{
				int			line = g->body_line + fmt_b_line_of(g->body, p) - 1;

				sm_fail(env, SM_ERR_MALFORMED, g->file, line, NULL,
						"graphile-migrate takes it from \"placeholders\" in .gmrc, which the server does not read: give it in schema_migrate.graphile_placeholders (SET schema_migrate.graphile_placeholders = ':NAME=value').",
						"graphile-migrate placeholder \"%.*s\" in file \"%s\", line %d, has no value",
						(int) (q - p), p, g->file, line);
			}
			out[n++] = *p++;
			continue;
		}
		vl = strlen(val);
		if (vl > (size_t) (q - p))
		{
			char	   *bigger;

			cap += vl - (q - p);
			bigger = sm_alloc(env, cap);
			memcpy(bigger, out, n);
			out = bigger;
		}
		memcpy(out + n, val, vl);
		n += vl;
		p = q;
	}
	out[n] = '\0';
	return out;
}

/* graphile-migrate sorts by "<number>.sql"; "." sorts before the digits */
static int
cmp_gm(const void *a, const void *b)
{
	const GmFile *x = a,
			   *y = b;
	size_t		xl = strlen(x->number),
				yl = strlen(y->number);
	int			c = strncmp(x->number, y->number, xl < yl ? xl : yl);

	if (c != 0 || xl == yl)
		return c;
	return xl < yl ? -1 : 1;
}

/* header.js: the body's first line is "--!" blanks "no-transaction" \b */
static bool
no_transaction(const char *body)
{
	const char *p = body + 3;

	if (strncmp(body, "--!", 3) != 0)
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	return strncmp(p, "no-transaction", 14) == 0 &&
		!isalnum((unsigned char) p[14]) && p[14] != '_';
}

static Migration *
to_migration(const SmEnv *env, const GmFile *g)
{
	Migration  *m;
	const char *msg = g->message ? g->message : g->slug ? g->slug : "";
	char	   *key = sm_alloc(env, strlen(g->number) + 5);

	snprintf(key, strlen(g->number) + 5, "%s.sql", g->number);
	fmt_check_revision(env, g->file, g->number);
	m = fmt_new_migration(env, g->file, g->number, fmt_message(env, g->file, msg, strlen(msg)));
	m->format = "graphile-migrate";
	m->text = sm_normalise(env, g->text, g->len, &m->text_len);
	m->up_sql = g->body;
	m->transactional = !no_transaction(g->body);
	m->tool_key = key;
	m->tool_checksum = g->hash;
	return m;
}

Migration **
fmt_read_graphile(const SmFiles *f, int *n_out)
{
	const SmEnv *env = f->env;
	SmDirEntry *top,
			   *ents;
	int			nt = f->list(f->arg, "", &top),
				n;
	const char *dir = "";
	GmFile	   *files;
	int			nf = 0;
	FmtList		l = {0};

	for (int i = 0; i < nt; i++)
		if (top[i].is_dir && strcmp(top[i].name, "committed") == 0)
			dir = "committed";
	n = f->list(f->arg, dir, &ents);
	files = sm_alloc(env, sizeof(GmFile) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		GmFile	   *g = &files[nf];
		size_t		d = fmt_digits(ents[i].name);

		if (ents[i].is_dir || !valid_name(ents[i].name))
			continue;
		nf++;
		g->file = fmt_path(env, dir, ents[i].name);
		g->number = sm_strndup(env, ents[i].name, d);
		if (ents[i].name[d] == '-')
			g->slug = sm_strndup(env, ents[i].name + d + 1, strlen(ents[i].name) - d - 5);
		g->text = f->read(f->arg, g->file, &g->len, false);
		parse_text(env, g);
	}
	if (nf)
		qsort(files, nf, sizeof(GmFile), cmp_gm);
	for (int i = 0; i < nf; i++)
	{
		GmFile	   *g = &files[i];

		if (i > 0 && strcmp(files[i - 1].number, g->number) == 0)
			sm_fail(env, SM_ERR_DUPLICATE, g->file, 0, NULL, "Give each committed migration its own number.",
					"graphile-migrate files \"%s\" and \"%s\" have the same number",
					files[i - 1].file, g->file);
		if (i == 0 && g->previous)
			sm_fail(env, SM_ERR_MALFORMED, g->file, 1, NULL,
					"The first committed migration has \"--! Previous: -\"; restore the missing migrations before it.",
					"graphile-migrate migration \"%s\" expected a previous migration ('%s'), but no correctly ordered previous migration was found",
					g->file, g->previous);
		if (i > 0 && (!g->previous || strcmp(g->previous, files[i - 1].hash) != 0))
			sm_fail(env, SM_ERR_MALFORMED, g->file, 1, NULL,
					"The hash chain is broken: a migration was removed, reordered or edited after commit; restore it (graphile-migrate refuses this folder too).",
					"previous migration with hash '%s' doesn't match graphile-migrate migration \"%s\"'s expected previous hash '%s'",
					files[i - 1].hash, g->file, g->previous ? g->previous : "-");
		check_hash(env, g);
		g->body = fill_placeholders(env, g, f->placeholders);
		fmt_push(env, &l, to_migration(env, g));
	}
	fmt_chain(env, l.items, l.n);
	*n_out = l.n;
	return l.items;
}
