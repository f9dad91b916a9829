/*-------------------------------------------------------------------------
 *
 * formats_a.c
 *	  Which of sqlx, Prisma Migrate, Atlas, tern, node-pg-migrate,
 *	  Postgrator and Supabase CLI wrote a set, and the helpers their
 *	  adapters share (numeric order, SHA-256 for Atlas's atlas.sum).
 *
 * Three of them say so by a file of their own at the top of the set:
 * atlas.sum (Atlas), migration_lock.toml (Prisma), config.toml beside a
 * migrations folder (Supabase, whose project folder is the set, or holds
 * it as supabase/).  Postgrator says so in every name ({n}.do.{name}.sql);
 * tern and node-pg-migrate by their section markers; sqlx by a first line
 * "-- no-transaction".  A tern, node-pg-migrate or sqlx file without a
 * marker is plain SQL, which is what a native file without markers is too:
 * such files go with the marked ones, so a folder is not refused for files
 * the tool itself does not tell apart.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_a.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_postgrator_name(const char *name);

static bool
dir_has(const SmFiles *f, const char *dir, const char *name, bool is_dir)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, dir, &ents);

	for (int i = 0; i < n; i++)
		if (ents[i].is_dir == is_dir && strcmp(ents[i].name, name) == 0)
			return true;
	return false;
}

void
fa_layout(const SmFiles *f, const SmDirEntry *ents, int n, FaLayout *lay)
{
	bool		config = false,
				migrations = false;

	memset(lay, 0, sizeof(*lay));
	for (int i = 0; i < n; i++)
	{
		const char *nm = ents[i].name;

		if (!ents[i].is_dir && strcmp(nm, "atlas.sum") == 0)
			lay->atlas_sum = true;
		else if (!ents[i].is_dir && strcmp(nm, "migration_lock.toml") == 0)
			lay->prisma = true;
		else if (!ents[i].is_dir && strcmp(nm, "config.toml") == 0)
			config = true;
		else if (ents[i].is_dir && strcmp(nm, "migrations") == 0)
			migrations = true;
		else if (!ents[i].is_dir && is_postgrator_name(nm))
			lay->postgrator = true;
		else if (ents[i].is_dir && strcmp(nm, "supabase") == 0 &&
				 dir_has(f, "supabase", "migrations", true))
			lay->supabase = true;
	}
	if (config && migrations)
		lay->supabase = true;
}

static bool
is_script_ext(const char *name)
{
	return fmt_has_suffix(name, ".js") || fmt_has_suffix(name, ".cjs") ||
		fmt_has_suffix(name, ".mjs") || fmt_has_suffix(name, ".ts") ||
		fmt_has_suffix(name, ".cts") || fmt_has_suffix(name, ".mts");
}

/* "{digits}.do." or "{digits}.undo." */
static bool
is_postgrator_name(const char *name)
{
	size_t		d = fmt_digits(name);

	return d > 0 && (strncmp(name + d, ".do.", 4) == 0 ||
					 strncmp(name + d, ".undo.", 6) == 0) &&
		(fmt_has_suffix(name, ".sql") || is_script_ext(name));
}

size_t
fa_numbered_sql(const char *name)
{
	size_t		d = fmt_digits(name);

	if (d == 0 || name[d] != '_' || !fmt_has_suffix(name, ".sql") ||
		strlen(name) < d + 6)
		return 0;
	return d;
}

/* tern's markers: anywhere for the split, a whole line for disable-tx */
static bool
has_tern_marker(const char *text)
{
	const char *p;

	if (strstr(text, "---- create above / drop below ----"))
		return true;
	for (p = strstr(text, "---- tern: disable-tx ----"); p;
		 p = strstr(p + 1, "---- tern: disable-tx ----"))
		if ((p == text || p[-1] == '\n') &&
			(p[26] == '\0' || p[26] == '\n' || (p[26] == '\r' && p[27] == '\n')))
			return true;
	return false;
}

/*
 * node-pg-migrate's /^\s*--[\s-]*(up|down)\s+migration/im at a line start;
 * returns the line's start or NULL.
 */
const char *
fa_npm_marker(const char *text, const char *word)
{
	size_t		wl = strlen(word);

	for (const char *ls = text; ls && *ls; ls = strchr(ls, '\n'), ls = ls ? ls + 1 : NULL)
	{
		const char *p = ls;

		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (p[0] != '-' || p[1] != '-')
			continue;
		p += 2;
		while (*p == ' ' || *p == '\t' || *p == '-')
			p++;
		if (strncasecmp(p, word, wl) != 0)
			continue;
		p += wl;
		if (*p != ' ' && *p != '\t')
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "migration", 9) == 0)
			return ls;
	}
	return NULL;
}

int
fa_classify(const SmFiles *f, const SmDirEntry *e, const FaLayout *lay)
{
	const char *nm = e->name;

	if (e->is_dir)
	{
		if (lay->supabase)
			return (strcmp(nm, "migrations") == 0 || strcmp(nm, "supabase") == 0) ?
				SM_FMT_SUPABASE : -1;
		if (lay->prisma || dir_has(f, nm, "migration.sql", false))
			return SM_FMT_PRISMA;
		return FA_NOT_MINE;
	}
	if (strcmp(nm, "atlas.sum") == 0)
		return SM_FMT_ATLAS;
	if (strcmp(nm, "migration_lock.toml") == 0)
		return SM_FMT_PRISMA;
	if (lay->supabase)
		return (strcmp(nm, "config.toml") == 0 || strcmp(nm, "seed.sql") == 0) ?
			SM_FMT_SUPABASE : -1;
	if (lay->prisma)
		return -1;				/* Prisma reads only the folders */
	if (lay->atlas_sum && fmt_has_suffix(nm, ".sql"))
		return SM_FMT_ATLAS;
	if (is_postgrator_name(nm))
		return SM_FMT_POSTGRATOR;
	/* Postgrator runs only {n}.do. and {n}.undo. files; it leaves the rest */
	if (lay->postgrator && fmt_has_suffix(nm, ".sql"))
		return -1;
	if (fmt_digits(nm) > 0 && nm[fmt_digits(nm)] == '_' && is_script_ext(nm))
		return SM_FMT_NODE_PG_MIGRATE;
	if (fa_numbered_sql(nm))
	{
		size_t		len;
		const char *text = f->read(f->arg, nm, &len, false);

		if (has_tern_marker(text))
			return SM_FMT_TERN;
		if (fa_npm_marker(text, "up") || fa_npm_marker(text, "down"))
			return SM_FMT_NODE_PG_MIGRATE;
		if (strncmp(text, "-- no-transaction", 17) == 0)
			return SM_FMT_SQLX;
	}
	return FA_NOT_MINE;
}

bool
fa_compatible(int *found, int k)
{
	bool		plain_k = k == SM_FMT_NATIVE;
	bool		plain_found = *found == SM_FMT_NATIVE;
	bool		marker_k = k == SM_FMT_TERN || k == SM_FMT_NODE_PG_MIGRATE || k == SM_FMT_SQLX;
	bool		marker_found = *found == SM_FMT_TERN || *found == SM_FMT_NODE_PG_MIGRATE ||
		*found == SM_FMT_SQLX;

	if ((plain_found && marker_k) || (*found == SM_FMT_GOLANG_MIGRATE && k == SM_FMT_SQLX))
	{
		*found = k;
		return true;
	}
	return (marker_found && plain_k) || (*found == SM_FMT_SQLX && k == SM_FMT_GOLANG_MIGRATE);
}

/* ---------- helpers ---------- */

static int
cmp_rev(const void *a, const void *b)
{
	const Migration *x = *(Migration *const *) a;
	const Migration *y = *(Migration *const *) b;

	return fmt_cmp_digits(x->revision, strlen(x->revision),
						  y->revision, strlen(y->revision));
}

void
fa_sort_chain(const SmEnv *env, Migration **migs, int n, const char *tool)
{
	if (n > 1)
		qsort(migs, n, sizeof(Migration *), cmp_rev);
	for (int i = 1; i < n; i++)
		if (cmp_rev(&migs[i - 1], &migs[i]) == 0)
			sm_fail(env, SM_ERR_DUPLICATE, migs[i]->file, 0, NULL,
					"Give each migration its own version.",
					"%s files \"%s\" and \"%s\" have the same version",
					tool, migs[i - 1]->file, migs[i]->file);
	fmt_chain(env, migs, n);
}

void
fa_refuse_native(const SmEnv *env, const char *file, const char *text,
				 const char *tool)
{
	for (const char *ls = text; ls && *ls; ls = strchr(ls, '\n'), ls = ls ? ls + 1 : NULL)
	{
		const char *p = ls;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "-- +up", 6) == 0 || strncmp(p, "-- +down", 8) == 0)
			sm_fail(env, SM_ERR_MALFORMED, file, 0, NULL,
					"Keep one tool's files per set: move the others to a set of their own.",
					"migration set mixes formats: file \"%s\" is a native migration in a %s set",
					file, tool);
	}
}

void
fa_refuse_script(const SmEnv *env, const char *file, const char *tool,
				 const char *hint)
{
	sm_fail(env, SM_ERR_MALFORMED, file, 0,
			"schema_migrate runs SQL inside the server; it cannot run JavaScript or TypeScript.",
			hint, "%s migration \"%s\" is not SQL", tool, file);
}

int
fa_line_of(const char *text, const char *p)
{
	int			line = 1;

	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

char *
fa_read(const SmFiles *f, const char *path, size_t *len)
{
	size_t		rl;
	const char *raw = f->read(f->arg, path, &rl, false);
	char	   *text = sm_normalise(f->env, raw, rl, len);

	if (memchr(text, '\0', *len) != NULL)
		sm_fail(f->env, SM_ERR_MALFORMED, path, 0, NULL,
				"Migration files are text; remove the NUL bytes.",
				"migration file \"%s\" contains a NUL byte", path);
	return text;
}

/* ---------- SHA-256 (FIPS 180-4) ---------- */

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t	w[64],
				s[8];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 |
			(uint32_t) p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
			w[i - 7] + (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	memcpy(s, h, sizeof(s));
	for (int i = 0; i < 64; i++)
	{
		uint32_t	t1 = s[7] + (ROR(s[4], 6) ^ ROR(s[4], 11) ^ ROR(s[4], 25)) +
			((s[4] & s[5]) ^ (~s[4] & s[6])) + K256[i] + w[i];
		uint32_t	t2 = (ROR(s[0], 2) ^ ROR(s[0], 13) ^ ROR(s[0], 22)) +
			((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));

		memmove(s + 1, s, 7 * sizeof(uint32_t));
		s[4] += t1;
		s[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		h[i] += s[i];
}

void
fa_sha256_init(FaSha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memset(c, 0, sizeof(*c));
	memcpy(c->h, iv, sizeof(iv));
}

void
fa_sha256_update(FaSha256 *c, const unsigned char *p, size_t n)
{
	c->len += n;
	while (n > 0)
	{
		size_t		take = 64 - c->nbuf < n ? 64 - c->nbuf : n;

		memcpy(c->buf + c->nbuf, p, take);
		c->nbuf += take;
		p += take;
		n -= take;
		if (c->nbuf == 64)
		{
			sha256_block(c->h, c->buf);
			c->nbuf = 0;
		}
	}
}

/* Like Go's hash.Sum: the digest so far, c itself unchanged. */
void
fa_sha256_final(const FaSha256 *c, unsigned char out[32])
{
	FaSha256	t = *c;
	uint64_t	bits = c->len * 8;
	unsigned char pad = 0x80,
				zero = 0,
				lenb[8];

	fa_sha256_update(&t, &pad, 1);
	while (t.nbuf != 56)
		fa_sha256_update(&t, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (unsigned char) (bits >> (56 - 8 * i));
	fa_sha256_update(&t, lenb, 8);
	for (int i = 0; i < 8; i++)
	{
		out[4 * i] = (unsigned char) (t.h[i] >> 24);
		out[4 * i + 1] = (unsigned char) (t.h[i] >> 16);
		out[4 * i + 2] = (unsigned char) (t.h[i] >> 8);
		out[4 * i + 3] = (unsigned char) t.h[i];
	}
}

void
fa_sha256(const unsigned char *data, size_t len, unsigned char out[32])
{
	FaSha256	c;

	fa_sha256_init(&c);
	fa_sha256_update(&c, data, len);
	fa_sha256_final(&c, out);
}
