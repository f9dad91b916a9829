/*-------------------------------------------------------------------------
 *
 * atlas.c
 *	  Atlas versioned sets: {version}_{name}.sql files beside atlas.sum.
 *
 * As Atlas's migrate.LocalDir: the migrations are the folder's *.sql
 * files in name order; the version is the name up to its first "_".
 * atlas.sum is checked as migrate.Validate checks it: one SHA-256 runs
 * over every file's name and then its bytes (a file whose first line is
 * "-- atlas:sum ignore" adds only its name), each file's line holding the
 * base64 digest so far; the first line ("h1:...") is the SHA-256 of every
 * name with its line's digest.  Verified against real atlas.sum files.  Any
 * difference (a file edited, added or removed) refuses the set with
 * Atlas's own advice: "atlas migrate hash".  File directives (a comment
 * block at the top, ended by a blank line, as Atlas wants them): "-- atlas:
 * txmode none" runs the file outside a transaction ("file", "all": in
 * one, the default); "-- atlas:delimiter X" splits statements at X (\n is
 * a newline); "-- atlas:nolint" is for Atlas's linter and changes nothing
 * here.  Atlas has no down files.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_a.h"

#include <stdio.h>
#include <string.h>

#define ATLAS_DETAIL "You have a checksum error in your migration directory. This happens if you manually create or edit a migration file."
#define ATLAS_HINT "Please check your migration files and run \"atlas migrate hash\" to re-hash the contents and resolve the error."

static void
b64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t		o = 0;

	for (size_t i = 0; i < n; i += 3)
	{
		uint32_t	v = (uint32_t) in[i] << 16 |
			(i + 1 < n ? (uint32_t) in[i + 1] << 8 : 0) |
			(i + 2 < n ? in[i + 2] : 0);

		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/*
 * The value of header directive "-- atlas:<name>", or NULL.  The header
 * is the run of comment and blank lines that opens the file.
 */
static char *
directive(const SmEnv *env, const char *text, const char *name)
{
	const char *end = text + strlen(text),
			   *cur = text,
			   *ls,
			   *le;
	char		dir[64];
	size_t		dl;

	snprintf(dir, sizeof(dir), "-- atlas:%s", name);
	dl = strlen(dir);
	/* file directives stand in a comment block ended by a blank line */
	{
		const char *bl = strstr(text, "\n\n");

		if (bl == NULL)
			return NULL;
		end = bl;
	}
	while (fmt_next_line(end, &cur, &ls, &le))
	{
		if (le - ls < 2 || ls[0] != '-' || ls[1] != '-')
			return NULL;
		if ((size_t) (le - ls) >= dl && strncmp(ls, dir, dl) == 0 &&
			((size_t) (le - ls) == dl || ls[dl] == ' ' || ls[dl] == '\t'))
		{
			const char *v = ls + dl;

			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			while (le > v && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r'))
				le--;
			return sm_strndup(env, v, le - v);
		}
	}
	return NULL;
}

/* Does the file's first line end a directive "atlas:sum ignore"? */
static bool
sum_ignored(const char *raw, size_t len)
{
	const char *nl = memchr(raw, '\n', len);
	size_t		l = nl ? (size_t) (nl - raw) : len;
	const char *p = raw;

	/* reDirective: ^([ -~]*)atlas:(\w+)(?: +([ -~]*))* on the first line */
	for (; (size_t) (p - raw) + 9 <= l; p++)
		if (strncmp(p, "atlas:sum", 9) == 0)
		{
			const char *v = p + 9;

			if (v < raw + l && *v != ' ')
				continue;
			while (v < raw + l && *v == ' ')
				v++;
			return (size_t) (raw + l - v) == 6 && strncmp(v, "ignore", 6) == 0;
		}
	return false;
}

/*
 * atlas.sum as Atlas writes it for these files (migrate.NewHashFile and
 * HashFile.MarshalText): each file's line holds the running digest; the
 * first line is the SHA-256 over every name and its line's digest.
 */
static char *
compute_sum(const SmFiles *f, const char **names, int n)
{
	const SmEnv *env = f->env;
	FaSha256	c,
				total;
	unsigned char dg[32];
	char		b[48];
	size_t		cap = 64,
				used = 0;
	char	   *lines,
			   *out;

	for (int i = 0; i < n; i++)
		cap += strlen(names[i]) + 50;
	lines = sm_alloc(env, cap);
	fa_sha256_init(&c);
	fa_sha256_init(&total);
	for (int i = 0; i < n; i++)
	{
		size_t		len;
		const char *raw = f->read(f->arg, names[i], &len, false);

		fa_sha256_update(&c, (const unsigned char *) names[i], strlen(names[i]));
		if (sum_ignored(raw, len))
			continue;
		fa_sha256_update(&c, (const unsigned char *) raw, len);
		fa_sha256_final(&c, dg);
		b64(dg, 32, b);
		fa_sha256_update(&total, (const unsigned char *) names[i], strlen(names[i]));
		fa_sha256_update(&total, (const unsigned char *) b, strlen(b));
		used += snprintf(lines + used, cap - used, "%s h1:%s\n", names[i], b);
	}
	fa_sha256_final(&total, dg);
	b64(dg, 32, b);
	out = sm_alloc(env, used + 64);
	snprintf(out, used + 64, "h1:%s\n%s", b, lines);
	return out;
}

/* The line of file name in a sum ("name h1:..."), or NULL. */
static const char *
sum_line(const char *sum, const char *name, size_t nl)
{
	for (const char *p = strchr(sum, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
		if (strncmp(p + 1, name, nl) == 0 && p[1 + nl] == ' ')
			return p + 1;
	return NULL;
}

static bool
same_line(const char *a, const char *b)
{
	size_t		al = strcspn(a, "\n"),
				bl = strcspn(b, "\n");

	return al == bl && strncmp(a, b, al) == 0;
}

/*
 * Name the file that makes the sums differ: one that atlas.sum lists and
 * is gone was removed; else, the digests being cumulative, the first line
 * that differs in name order is the change: a file atlas.sum does not list
 * was added, one it lists with another digest was edited.
 */
static void
fail_sum(const SmEnv *env, const char *have, const char *want)
{
	const char *file = "atlas.sum",
			   *why = "edited";
	size_t		fl = strlen(file);

	/* a file atlas.sum lists that is gone */
	for (const char *h = strchr(have, '\n'); h && h[1]; h = strchr(h + 1, '\n'))
	{
		size_t		nl = strcspn(h + 1, " \n");

		if (sum_line(want, h + 1, nl) == NULL)
		{
			file = h + 1;
			fl = nl;
			why = "removed";
			goto report;
		}
	}
	/* else the first line that differs: a new file or an edited one */
	for (const char *w = strchr(want, '\n'); w && w[1]; w = strchr(w + 1, '\n'))
	{
		size_t		nl = strcspn(w + 1, " ");
		const char *h = sum_line(have, w + 1, nl);

		if (h && same_line(h, w + 1))
			continue;
		file = w + 1;
		fl = nl;
		why = h ? "edited" : "added";
		break;
	}
report:
	sm_fail(env, SM_ERR_MALFORMED, "atlas.sum", 0, ATLAS_DETAIL, ATLAS_HINT,
			"checksum mismatch in atlas.sum: file \"%.*s\" was %s", (int) fl, file, why);
}

static void
split_delimiter(const SmEnv *env, Migration *m, const char *delim_raw)
{
	char	   *delim = sm_alloc(env, strlen(delim_raw) + 1),
			   *d = delim,
			   *out;
	const char *p = m->up_sql,
			   *q;
	size_t		o = 0,
				dl;

	for (const char *s = delim_raw; *s; s++)
	{
		if (s[0] == '\\' && s[1] == 'n')
		{
			*d++ = '\n';
			s++;
		}
		else
			*d++ = *s;
	}
	*d = '\0';
	dl = strlen(delim);
	if (dl == 0)
		sm_fail(env, SM_ERR_MALFORMED, m->file, 0, NULL,
				"Give the delimiter after the directive: -- atlas:delimiter -- end",
				"empty \"atlas:delimiter\" in file \"%s\"", m->file);
	out = sm_alloc(env, strlen(p) * 2 + 2);
	while (*p)
	{
		const char *e;

		q = strstr(p, delim);
		e = q ? q : p + strlen(p);
		memcpy(out + o, p, e - p);
		o += e - p;
		{
			size_t		t = o;

			while (t > 0 && (out[t - 1] == ' ' || out[t - 1] == '\t' || out[t - 1] == '\n'))
				t--;
			if (t > 0 && out[t - 1] != ';' && q)
				out[o++] = ';';
		}
		if (!q)
			break;
		out[o++] = '\n';
		p = q + dl;
	}
	out[o] = '\0';
	m->up_sql = out;
}

static Migration *
make(const SmFiles *f, const char *nm)
{
	const SmEnv *env = f->env;
	const char *us = strchr(nm, '_');
	size_t		vl = us ? (size_t) (us - nm) : strlen(nm) - 4;
	size_t		len;
	char	   *tx,
			   *delim,
			   *cp;
	Migration  *m = fmt_new_migration(env, nm, sm_strndup(env, nm, vl),
									  us ? fmt_message(env, nm, us + 1, strlen(us + 1) - 4) :
									  sm_strndup(env, "", 0));

	fmt_check_revision(env, nm, m->revision);
	m->format = "Atlas";
	m->up_sql = fa_read(f, nm, &len);
	m->text = m->up_sql;
	m->text_len = len;
	cp = directive(env, m->up_sql, "checkpoint");
	if (cp)
		sm_fail(env, SM_ERR_MALFORMED, nm, 0,
				"Atlas runs a checkpoint file only on an empty database, in place of the files before it.",
				"Remove the checkpoint file from the set, or the files it replaces.",
				"Atlas checkpoint file \"%s\" is not supported", nm);
	tx = directive(env, m->up_sql, "txmode");
	if (tx && strcmp(tx, "none") == 0)
		m->transactional = false;
	else if (tx && strcmp(tx, "file") != 0 && strcmp(tx, "all") != 0)
		sm_fail(env, SM_ERR_MALFORMED, nm, 0, NULL,
				"Atlas knows the transaction modes none, file and all.",
				"unknown tx-mode \"%s\" in file \"%s\"", tx, nm);
	delim = directive(env, m->up_sql, "delimiter");
	if (delim)
		split_delimiter(env, m, delim);
	return m;
}

Migration **
fmt_read_atlas(const SmFiles *f, int *n_out)
{
	const SmEnv *env = f->env;
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	const char **names = sm_alloc(env, sizeof(char *) * (n + 1));
	int			nn = 0;
	size_t		len;
	const char *sum;
	char	   *want;
	FmtList		l = {0};

	for (int i = 0; i < n; i++)
		if (!ents[i].is_dir && fmt_has_suffix(ents[i].name, ".sql"))
			names[nn++] = ents[i].name;
	sum = f->read(f->arg, "atlas.sum", &len, false);
	want = compute_sum(f, names, nn);
	if (strlen(sum) != len || strcmp(sum, want) != 0)
		fail_sum(env, sum, want);
	for (int i = 0; i < nn; i++)
		fmt_push(env, &l, make(f, names[i]));
	fmt_chain(env, l.items, l.n);
	*n_out = l.n;
	return l.items;
}
