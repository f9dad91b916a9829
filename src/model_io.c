/*-------------------------------------------------------------------------
 *
 * model_io.c
 *	  The schema model as bytes: model_serialize() / model_deserialize(),
 *	  plus sorting and lookup by key.
 *
 * The format is versioned and length-prefixed, so any byte (NUL, newline,
 * quotes) survives inside a string and a reader never scans for
 * delimiters inside data:
 *
 *	 "SMMODEL <version>\n" <count> "\n" then per object, in a fixed field
 *	 order, strings as "<len>:<bytes>" or "-" for NULL, lists as
 *	 "#<count>" followed by their strings; "\nEND\n" at the end.
 *
 * Bytes come from a scratch-database worker through shared memory, so the
 * reader trusts nothing: every length is checked against what is left,
 * counts against limits, and the result is re-sorted and checked for
 * unique keys.  Plain C: memory and errors through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_model.h"

/* ---------- a growing output buffer ---------- */

typedef struct OutBuf
{
	const SmEnv *env;
	char	   *data;
	size_t		len;
	size_t		cap;
} OutBuf;

static void
out_reserve(OutBuf *b, size_t more)
{
	char	   *n;

	if (b->len + more + 1 <= b->cap)
		return;
	while (b->len + more + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 4096;
	n = sm_alloc(b->env, b->cap);
	if (b->len)
		memcpy(n, b->data, b->len);
	b->data = n;
}

static void
out_bytes(OutBuf *b, const char *s, size_t len)
{
	out_reserve(b, len);
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static void
out_num(OutBuf *b, char prefix, size_t n, char suffix)
{
	char		tmp[32];
	int			l;

	if (prefix)
		out_bytes(b, &prefix, 1);
	l = snprintf(tmp, sizeof(tmp), "%zu%c", n, suffix);
	out_bytes(b, tmp, (size_t) l);
}

static void
out_str(OutBuf *b, const char *s)
{
	size_t		len;

	if (s == NULL)
	{
		out_bytes(b, "-", 1);
		return;
	}
	len = strlen(s);
	out_num(b, 0, len, ':');
	out_bytes(b, s, len);
}

static void
out_list(OutBuf *b, const SmStrList *l)
{
	out_num(b, '#', (size_t) l->n, ' ');
	for (int i = 0; i < l->n; i++)
		out_str(b, l->v[i]);
}

/* an upper bound of a string's or list's serialized size */
static size_t
str_size(const char *s)
{
	return s ? strlen(s) + 12 : 1;
}

static size_t
list_size(const SmStrList *l)
{
	size_t		n = 13;

	for (int i = 0; i < l->n; i++)
		n += str_size(l->v[i]);
	return n;
}

/* one allocation of the right size instead of a doubling buffer */
static size_t
model_size(const SmSchemaModel *m)
{
	size_t		n = 64;

	for (int i = 0; i < m->n; i++)
	{
		const SmObject *o = &m->objects[i];

		n += str_size(o->key) + str_size(o->kind) + str_size(o->name) +
			str_size(o->parent) + str_size(o->def) + str_size(o->rebuild) +
			list_size(&o->create) + list_size(&o->drop) + list_size(&o->alter) +
			str_size(o->head) + str_size(o->tail) + str_size(o->inline_def) +
			list_size(&o->deps) + str_size(o->renamed_from) +
			str_size(o->rename) + str_size(o->unrename) + 13 +
			str_size(o->special) + list_size(&o->labels) +
			list_size(&o->extra) + 1;
	}
	return n;
}

char *
model_serialize(const SmEnv *env, const SmSchemaModel *m, size_t *len)
{
	OutBuf		b = {env, NULL, 0, 0};
	char		hdr[64];

	b.cap = model_size(m);
	b.data = sm_alloc(env, b.cap);

	snprintf(hdr, sizeof(hdr), "SMMODEL %d\n%d\n", SM_MODEL_FORMAT_VERSION, m->n);
	out_bytes(&b, hdr, strlen(hdr));
	for (int i = 0; i < m->n; i++)
	{
		const SmObject *o = &m->objects[i];

		out_str(&b, o->key);
		out_str(&b, o->kind);
		out_str(&b, o->name);
		out_str(&b, o->parent);
		out_str(&b, o->def);
		out_str(&b, o->rebuild);
		out_list(&b, &o->create);
		out_list(&b, &o->drop);
		out_list(&b, &o->alter);
		out_str(&b, o->head);
		out_str(&b, o->tail);
		out_str(&b, o->inline_def);
		out_list(&b, &o->deps);
		out_str(&b, o->renamed_from);
		out_str(&b, o->rename);
		out_str(&b, o->unrename);
		out_num(&b, 0, (size_t) (o->position < 0 ? 0 : o->position), ' ');
		out_str(&b, o->special);
		out_list(&b, &o->labels);
		out_list(&b, &o->extra);
		out_bytes(&b, "\n", 1);
	}
	out_bytes(&b, "END\n", 4);
	if (len)
		*len = b.len;
	return b.data;
}

/* ---------- reading ---------- */

typedef struct InBuf
{
	const SmEnv *env;
	const char *p;
	const char *end;
	int			object;			/* for messages */
} InBuf;

static void in_fail(InBuf *b, const char *what) __attribute__((noreturn));

static void
in_fail(InBuf *b, const char *what)
{
	sm_fail(b->env, SM_ERR_MALFORMED, NULL, 0,
			"The serialized schema model is damaged or of another version.",
			"Read the model again from the database it came from.",
			"malformed schema model: %s (object %d, offset %ld)",
			what, b->object, (long) (b->end - b->p));
}

/* A decimal number of at most 10 digits; stops at the first non-digit. */
static size_t
in_num(InBuf *b, const char *what)
{
	size_t		n = 0;
	int			digits = 0;

	while (b->p < b->end && *b->p >= '0' && *b->p <= '9')
	{
		if (++digits > 10)
			in_fail(b, what);
		n = n * 10 + (size_t) (*b->p - '0');
		b->p++;
	}
	/* one spelling per number: no leading zeros */
	if (digits == 0 || (digits > 1 && b->p[-digits] == '0'))
		in_fail(b, what);
	return n;
}

static void
in_expect(InBuf *b, char c, const char *what)
{
	if (b->p >= b->end || *b->p != c)
		in_fail(b, what);
	b->p++;
}

static const char *
in_str(InBuf *b)
{
	size_t		len;

	if (b->p < b->end && *b->p == '-')
	{
		b->p++;
		return NULL;
	}
	len = in_num(b, "bad string length");
	in_expect(b, ':', "missing ':' after a string length");
	if (len > (size_t) (b->end - b->p))
		in_fail(b, "string runs past the end");
	/* a NUL inside a string would truncate it silently: refuse */
	if (memchr(b->p, '\0', len) != NULL)
		in_fail(b, "NUL byte inside a string");
	{
		const char *s = sm_strndup(b->env, b->p, len);

		b->p += len;
		return s;
	}
}

/* A string that must be present. */
static const char *
in_req(InBuf *b, const char *what)
{
	const char *s = in_str(b);

	if (s == NULL)
		in_fail(b, what);
	return s;
}

static void
in_list(InBuf *b, SmStrList *l)
{
	size_t		n;

	in_expect(b, '#', "missing list");
	n = in_num(b, "bad list length");
	in_expect(b, ' ', "missing blank after a list length");
	if (n > SM_MODEL_MAX_LIST)
		in_fail(b, "list too long");
	/* every element takes at least one byte: cheap plausibility check */
	if (n > (size_t) (b->end - b->p))
		in_fail(b, "list runs past the end");
	l->n = (int) n;
	l->v = n ? sm_alloc(b->env, n * sizeof(char *)) : NULL;
	for (size_t i = 0; i < n; i++)
	{
		l->v[i] = in_str(b);
		if (l->v[i] == NULL)
			in_fail(b, "NULL inside a list");
	}
}

SmSchemaModel *
model_deserialize(const SmEnv *env, const char *data, size_t len)
{
	InBuf		b = {env, data, data, 0};
	SmSchemaModel *m;
	size_t		n;
	static const char magic[] = "SMMODEL ";

	if (data != NULL)
		b.end = data + len;
	if (data == NULL || len < sizeof(magic) - 1 ||
		memcmp(data, magic, sizeof(magic) - 1) != 0)
		in_fail(&b, "no SMMODEL header");
	b.p += sizeof(magic) - 1;
	if (in_num(&b, "bad version") != SM_MODEL_FORMAT_VERSION)
		in_fail(&b, "unknown format version");
	in_expect(&b, '\n', "missing newline after the version");
	n = in_num(&b, "bad object count");
	in_expect(&b, '\n', "missing newline after the count");
	if (n > SM_MODEL_MAX_OBJECTS)
		sm_fail(env, SM_ERR_LIMIT, NULL, 0, NULL, NULL,
				"schema model has too many objects (%zu, at most %d)",
				n, SM_MODEL_MAX_OBJECTS);
	/* an object takes at least 16 bytes: refuse counts the data cannot hold */
	if (n > (size_t) (b.end - b.p) / 16)
		in_fail(&b, "object count larger than the data");

	m = sm_alloc(env, sizeof(SmSchemaModel));
	m->n = (int) n;
	m->objects = n ? sm_alloc(env, n * sizeof(SmObject)) : NULL;
	for (size_t i = 0; i < n; i++)
	{
		SmObject   *o = &m->objects[i];

		b.object = (int) i + 1;
		o->key = in_req(&b, "object without a key");
		o->kind = in_req(&b, "object without a kind");
		o->name = in_req(&b, "object without a name");
		o->parent = in_str(&b);
		o->def = in_str(&b);
		o->rebuild = in_str(&b);
		in_list(&b, &o->create);
		in_list(&b, &o->drop);
		in_list(&b, &o->alter);
		o->head = in_str(&b);
		o->tail = in_str(&b);
		o->inline_def = in_str(&b);
		in_list(&b, &o->deps);
		o->renamed_from = in_str(&b);
		o->rename = in_str(&b);
		o->unrename = in_str(&b);
		{
			size_t		pos = in_num(&b, "bad position");

			if (pos > 100000)
				in_fail(&b, "position out of range");
			o->position = (int) pos;
		}
		in_expect(&b, ' ', "missing blank after a position");
		o->special = in_str(&b);
		in_list(&b, &o->labels);
		in_list(&b, &o->extra);
		in_expect(&b, '\n', "missing newline after an object");
	}
	b.object = 0;
	if ((size_t) (b.end - b.p) != 4 || memcmp(b.p, "END\n", 4) != 0)
		in_fail(&b, "missing END or trailing bytes");
	model_sort(env, m);
	return m;
}

/* ---------- order and lookup ---------- */

static int
obj_cmp(const void *a, const void *b)
{
	return strcmp(((const SmObject *) a)->key, ((const SmObject *) b)->key);
}

void
model_sort(const SmEnv *env, SmSchemaModel *m)
{
	if (m->n > 1)
		qsort(m->objects, (size_t) m->n, sizeof(SmObject), obj_cmp);
	for (int i = 1; i < m->n; i++)
		if (strcmp(m->objects[i - 1].key, m->objects[i].key) == 0)
			sm_fail(env, SM_ERR_DUPLICATE, NULL, 0,
					"Every object of a schema model must have a unique key.",
					NULL,
					"schema model has two objects \"%.200s\"",
					m->objects[i].key);
}

const SmObject *
model_find(const SmSchemaModel *m, const char *key)
{
	int			lo = 0,
				hi = m->n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = strcmp(m->objects[mid].key, key);

		if (c == 0)
			return &m->objects[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}
