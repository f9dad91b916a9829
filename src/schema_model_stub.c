/*-------------------------------------------------------------------------
 *
 * schema_model_stub.c
 *	  TEMPORARY stand-in for h-model's schema_model.c / schema_diff.c, so
 *	  that the scratch database and the SQL surface can be tested before the
 *	  real model lands.  Tables, columns (type, not null, default), indexes
 *	  and functions only.  Delete when merging h-model.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "schema_model.h"
#include "utils/builtins.h"

struct SmObject
{
	char	   *type;			/* table, column, index, function */
	char	   *name;			/* qualified */
	char	   *parent;			/* table of a column; else "" */
	char	   *def;			/* canonical text */
};

struct SmSchemaModel
{
	int			n;
	SmObject   *objs;
};

static const char *const stub_query =
"WITH u AS (SELECT c.oid, c.relname, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
"  WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname !~ '^pg_toast'"
"  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'))"
" SELECT 'table', format('%I.%I', nspname, relname), '', 'table' FROM u"
" UNION ALL SELECT 'column', format('%I.%I.%I', u.nspname, u.relname, a.attname), format('%I.%I', u.nspname, u.relname),"
"   format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
"   || coalesce(' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), '')"
"   FROM u JOIN pg_attribute a ON a.attrelid = u.oid AND a.attnum > 0 AND NOT a.attisdropped"
"   LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
" UNION ALL SELECT 'index', format('%I.%I', u.nspname, ic.relname), '', pg_get_indexdef(i.indexrelid)"
"   FROM u JOIN pg_index i ON i.indrelid = u.oid JOIN pg_class ic ON ic.oid = i.indexrelid"
" UNION ALL SELECT 'function', format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), '',"
"   pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
"   WHERE n.nspname NOT IN ('pg_catalog','information_schema') AND p.prokind IN ('f','p')"
"   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')"
" ORDER BY 1, 2";

SmSchemaModel *
model_read_catalogs(const SmEnv *env)
{
	SmSchemaModel *m = sm_alloc(env, sizeof(SmSchemaModel));

	if (SPI_execute(stub_query, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "stub model query failed");
	m->n = SPI_processed;
	m->objs = sm_alloc(env, sizeof(SmObject) * (m->n + 1));
	for (int i = 0; i < m->n; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;

		m->objs[i].type = pstrdup(SPI_getvalue(t, d, 1));
		m->objs[i].name = pstrdup(SPI_getvalue(t, d, 2));
		m->objs[i].parent = pstrdup(SPI_getvalue(t, d, 3));
		m->objs[i].def = pstrdup(SPI_getvalue(t, d, 4));
	}
	return m;
}

char *
model_serialize(const SmEnv *env, const SmSchemaModel *m, size_t *len)
{
	StringInfoData b;

	initStringInfo(&b);
	for (int i = 0; i < m->n; i++)
	{
		const char *f[4] = {m->objs[i].type, m->objs[i].name, m->objs[i].parent, m->objs[i].def};

		for (int k = 0; k < 4; k++)
			appendBinaryStringInfo(&b, f[k], strlen(f[k]) + 1);
	}
	*len = b.len;
	return b.data;
}

SmSchemaModel *
model_deserialize(const SmEnv *env, const char *data, size_t len)
{
	SmSchemaModel *m = sm_alloc(env, sizeof(SmSchemaModel));
	const char *p = data;
	int			cap = 16;

	m->objs = sm_alloc(env, sizeof(SmObject) * cap);
	while (p < data + len)
	{
		char	   *f[4];

		for (int k = 0; k < 4; k++)
		{
			f[k] = pstrdup(p);
			p += strlen(p) + 1;
		}
		if (m->n == cap)
		{
			cap *= 2;
			m->objs = repalloc(m->objs, sizeof(SmObject) * cap);
		}
		m->objs[m->n].type = f[0];
		m->objs[m->n].name = f[1];
		m->objs[m->n].parent = f[2];
		m->objs[m->n].def = f[3];
		m->n++;
	}
	return m;
}

static const SmObject *
find(const SmSchemaModel *m, const SmObject *o)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->objs[i].type, o->type) == 0 && strcmp(m->objs[i].name, o->name) == 0)
			return &m->objs[i];
	return NULL;
}

static void
add_step(SmDiff *d, int *cap, char *stmt, const char *type, const char *name, unsigned hz)
{
	if (d->n == *cap)
	{
		*cap *= 2;
		d->steps = repalloc(d->steps, sizeof(SmDiffStep) * *cap);
	}
	d->steps[d->n].step = d->n + 1;
	d->steps[d->n].statement = stmt;
	d->steps[d->n].object_type = type;
	d->steps[d->n].object_name = name;
	d->steps[d->n].hazards = hz;
	d->n++;
}

static const char *
colname(const SmObject *o)
{
	return o->name + strlen(o->parent) + 1;
}

SmDiff *
diff_models(const SmEnv *env, const SmSchemaModel *from, const SmSchemaModel *to)
{
	SmDiff	   *d = sm_alloc(env, sizeof(SmDiff));
	int			cap = 16;
	static const char *const order[] = {"table", "column", "index", "function"};

	d->steps = sm_alloc(env, sizeof(SmDiffStep) * cap);
	/* drops, dependents first */
	for (int k = 3; k >= 0; k--)
		for (int i = 0; i < from->n; i++)
		{
			const SmObject *o = &from->objs[i];

			if (strcmp(o->type, order[k]) != 0 || find(to, o))
				continue;
			if (k == 0)
				add_step(d, &cap, psprintf("DROP TABLE %s;", o->name), "table", o->name, SM_HAZARD_DELETES_DATA);
			else if (k == 1)
			{
				SmObject	t = {"table", o->parent, "", ""};

				if (find(to, &t))
					add_step(d, &cap, psprintf("ALTER TABLE %s DROP COLUMN %s;", o->parent, colname(o)),
							 "column", o->name, SM_HAZARD_DELETES_DATA | SM_HAZARD_ACCESS_EXCLUSIVE);
			}
			else if (k == 2)
				add_step(d, &cap, psprintf("DROP INDEX %s;", o->name), "index", o->name, SM_HAZARD_ACCESS_EXCLUSIVE);
			else
				add_step(d, &cap, psprintf("DROP FUNCTION %s;", o->name), "function", o->name, 0);
		}
	/* creates and changes */
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < to->n; i++)
		{
			const SmObject *o = &to->objs[i];
			const SmObject *old = find(from, o);

			if (strcmp(o->type, order[k]) != 0 || (old && strcmp(old->def, o->def) == 0))
				continue;
			if (k == 0)
				add_step(d, &cap, psprintf("CREATE TABLE %s ();", o->name), "table", o->name, 0);
			else if (k == 1 && !old)
				add_step(d, &cap, psprintf("ALTER TABLE %s ADD COLUMN %s %s;", o->parent, colname(o), o->def),
						 "column", o->name, SM_HAZARD_ACCESS_EXCLUSIVE);
			else if (k == 1)
				add_step(d, &cap, psprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s;", o->parent, colname(o), o->def),
						 "column", o->name, SM_HAZARD_REWRITES_TABLE | SM_HAZARD_ACCESS_EXCLUSIVE);
			else if (k == 2)
			{
				if (old)
					add_step(d, &cap, psprintf("DROP INDEX %s;", o->name), "index", o->name, SM_HAZARD_ACCESS_EXCLUSIVE);
				add_step(d, &cap, psprintf("%s;", o->def), "index", o->name, SM_HAZARD_BUILDS_INDEX);
			}
			else
				add_step(d, &cap, psprintf("%s;", o->def), "function", o->name, 0);
		}
	return d;
}

int
diff_hazard_names(unsigned hazards, const char **out, int max)
{
	static const char *const names[] = {"deletes data", "rewrites table",
		"takes an ACCESS EXCLUSIVE lock", "builds an index", "cannot run in a transaction"};
	int			n = 0;

	for (int i = 0; i < 5 && n < max; i++)
		if (hazards & (1u << i))
			out[n++] = names[i];
	return n;
}

SmDifference *
diff_differences(const SmEnv *env, const SmSchemaModel *expected,
				 const SmSchemaModel *actual, int *n)
{
	SmDifference *r = sm_alloc(env, sizeof(SmDifference) * (expected->n + actual->n + 1));

	*n = 0;
	for (int i = 0; i < expected->n; i++)
	{
		const SmObject *e = &expected->objs[i];
		const SmObject *a = find(actual, e);

		if (a && strcmp(a->def, e->def) == 0)
			continue;
		r[*n].object_type = e->type;
		r[*n].object_name = e->name;
		r[*n].difference = a ? "changed" : "missing";
		r[*n].expected = e->def;
		r[*n].actual = a ? a->def : NULL;
		(*n)++;
	}
	for (int i = 0; i < actual->n; i++)
	{
		const SmObject *a = &actual->objs[i];

		if (find(expected, a))
			continue;
		r[*n].object_type = a->type;
		r[*n].object_name = a->name;
		r[*n].difference = "unexpected";
		r[*n].expected = NULL;
		r[*n].actual = a->def;
		(*n)++;
	}
	return r;
}
