/*
 * test_model.c
 *	  Unit tests of model_io.c (serialization) and schema_diff.c (the
 *	  differ) on hand-built models: the orders, folds, renames, enum
 *	  changes and hazards the server-side catalogue relies on.
 */
#include "unit.h"
#include "schema_model.h"

/* ---------- building models ---------- */

static SmStrList
L(const char *a, const char *b, const char *c)
{
	SmStrList	l = {0, NULL};

	l.v = sm_alloc(env, 3 * sizeof(char *));
	if (a)
		l.v[l.n++] = a;
	if (b)
		l.v[l.n++] = b;
	if (c)
		l.v[l.n++] = c;
	return l;
}

static SmObject *
add(SmSchemaModel *m, const char *kind, const char *name, const char *parent,
	const char *def, const char *create, const char *drop)
{
	SmObject   *o;
	SmObject   *n = sm_alloc(env, (size_t) (m->n + 1) * sizeof(SmObject));

	if (m->n)
		memcpy(n, m->objects, (size_t) m->n * sizeof(SmObject));
	m->objects = n;
	o = &m->objects[m->n++];
	o->kind = kind;
	o->name = name;
	o->key = fmt("%s %s", kind, name);
	o->parent = parent;
	o->def = def;
	o->create = L(create, NULL, NULL);
	o->drop = L(drop, NULL, NULL);
	return o;
}

static SmSchemaModel *
M(void)
{
	return sm_alloc(env, sizeof(SmSchemaModel));
}

static SmObject *
table(SmSchemaModel *m, const char *name)
{
	SmObject   *o = add(m, "table", name, NULL, fmt("CREATE TABLE %s ()", name),
						fmt("CREATE TABLE %s ()", name), fmt("DROP TABLE %s", name));

	o->head = fmt("CREATE TABLE %s (", name);
	o->tail = ")";
	return o;
}

static SmObject *
column(SmSchemaModel *m, const char *tab, const char *col, const char *type, int pos)
{
	const char *inl = fmt("%s %s", col, type);
	SmObject   *o = add(m, "column", fmt("%s.%s", tab, col), fmt("table %s", tab), inl,
						fmt("ALTER TABLE %s ADD COLUMN %s", tab, inl),
						fmt("ALTER TABLE %s DROP COLUMN %s", tab, col));

	o->head = fmt("ALTER TABLE %s ADD COLUMN ", tab);
	o->inline_def = inl;
	o->position = pos;
	o->alter = L(fmt("ALTER TABLE %s ALTER COLUMN %s TYPE %s", tab, col, type), NULL, NULL);
	o->extra = L(fmt("ALTER TABLE %s ALTER COLUMN %s TYPE ", tab, col), col, type);
	return o;
}

static SmObject *
view(SmSchemaModel *m, const char *name, const char *body, const char *dep)
{
	SmObject   *o = add(m, "view", name, NULL, body, fmt("CREATE VIEW %s AS %s", name, body),
						fmt("DROP VIEW %s", name));

	o->deps = L(dep, NULL, NULL);
	return o;
}

static SmObject *
enumtype(SmSchemaModel *m, const char *name, const char *a, const char *b, const char *c)
{
	SmObject   *o = add(m, "type", name, NULL, fmt("ENUM %s %s %s", a, b ? b : "", c ? c : ""),
						fmt("CREATE TYPE %s AS ENUM (...)", name), fmt("DROP TYPE %s", name));

	o->special = "enum";
	o->labels = L(a, b, c);
	o->extra = L(fmt("ALTER TYPE %s RENAME TO old", name), "DROP TYPE old", NULL);
	return o;
}

static SmSchemaModel *
done(SmSchemaModel *m)
{
	model_sort(env, m);
	return m;
}

/* the steps as one string, statements separated by " | " */
static const char *
steps(const SmDiff *d)
{
	char	   *s = fmt("%s", "");

	for (int i = 0; i < d->n; i++)
		s = fmt("%s%s%s", s, i ? " | " : "", d->steps[i].statement);
	return s;
}

static int
pos_of(const SmDiff *d, const char *prefix)
{
	for (int i = 0; i < d->n; i++)
		if (strncmp(d->steps[i].statement, prefix, strlen(prefix)) == 0)
			return i;
	return -1;
}

/* ---------- serialization ---------- */

static void
t_roundtrip(void)
{
	SmSchemaModel *m = M();
	SmObject   *o = table(m, "public.\"we|rd\"");
	SmSchemaModel *back;
	char	   *data;
	size_t		len;

	o->def = "line1\nline2 'quoted' \"dq\" ::: #3 -\n";
	o->renamed_from = "public.old";
	o->deps = L("schema public", "type public.x", NULL);
	column(m, "public.\"we|rd\"", "c", "integer", 3);
	done(m);
	data = model_serialize(env, m, &len);
	back = model_deserialize(env, data, len);
	REQUIRE(back->n == 2);
	for (int i = 0; i < 2; i++)
	{
		const SmObject *a = &m->objects[i];
		const SmObject *b = &back->objects[i];

		CHECK_STR(b->key, a->key);
		CHECK_STR(b->kind, a->kind);
		CHECK_STR(b->name, a->name);
		CHECK((a->parent == NULL) == (b->parent == NULL));
		CHECK_STR(b->def, a->def);
		CHECK_INT(b->create.n, a->create.n);
		CHECK_INT(b->deps.n, a->deps.n);
		CHECK_INT(b->position, a->position);
		CHECK_INT(b->extra.n, a->extra.n);
	}
	CHECK_STR(model_find(back, "table public.\"we|rd\"")->renamed_from, "public.old");
	CHECK_STR(model_find(back, "table public.\"we|rd\"")->deps.v[1], "type public.x");
	CHECK(model_find(back, "column public.\"we|rd\".c")->head != NULL);
	CHECK(model_find(back, "table nothing") == NULL);
	/* serializing again gives the same bytes */
	{
		size_t		len2;
		char	   *again = model_serialize(env, back, &len2);

		CHECK_INT(len2, len);
		CHECK(memcmp(again, data, len) == 0);
	}
}

static void
t_empty_model(void)
{
	SmSchemaModel *m = M();
	size_t		len;
	char	   *data = model_serialize(env, m, &len);

	CHECK_STR(data, "SMMODEL 1\n0\nEND\n");
	CHECK_INT(model_deserialize(env, data, len)->n, 0);
}

static void
t_damaged(void)
{
	SmSchemaModel *m = M();
	char	   *data;
	size_t		len;

	table(m, "public.t");
	done(m);
	data = model_serialize(env, m, &len);
	EXPECT_ERR(SM_ERR_MALFORMED, model_deserialize(env, data, len - 1), "malformed schema model");
	EXPECT_ERR(SM_ERR_MALFORMED, model_deserialize(env, data, 5), "no SMMODEL header");
	EXPECT_ERR(SM_ERR_MALFORMED, model_deserialize(env, NULL, 0), "no SMMODEL header");
	EXPECT_ERR(SM_ERR_MALFORMED, model_deserialize(env, "SMMODEL 2\n0\nEND\n", 16), "unknown format version");
	EXPECT_ERR(SM_ERR_MALFORMED, model_deserialize(env, "SMMODEL 1\n0\nEND\nX", 17), "trailing bytes");
	EXPECT_ERR(SM_ERR_LIMIT, model_deserialize(env, "SMMODEL 1\n99999999\n", 19), "too many objects");
	EXPECT_ERR(SM_ERR_MALFORMED, model_deserialize(env, "SMMODEL 1\n9999\nEND\n", 19), "larger than the data");
	/* a string length running past the end */
	EXPECT_ERR(SM_ERR_MALFORMED,
			   model_deserialize(env, "SMMODEL 1\n1\n999:abc-------------------\nEND\n", 42),
			   "runs past the end");
	/* a NUL inside a string */
	{
		const char	bad[] = "SMMODEL 1\n1\n3:a\0b5:table3:a b-------#0 #0 #0 ----#0 --0 -#0 #0 \nEND\n";

		EXPECT_ERR(SM_ERR_MALFORMED, model_deserialize(env, bad, sizeof(bad) - 1), "NUL byte");
	}
	/* two objects with one key */
	{
		SmSchemaModel *two = M();

		table(two, "public.t");
		table(two, "public.t");
		data = model_serialize(env, two, &len);
		EXPECT_ERR(SM_ERR_DUPLICATE, model_deserialize(env, data, len), "two objects");
	}
}

/* ---------- the differ ---------- */

static void
t_create_table_folds_columns(void)
{
	SmSchemaModel *a = done(M());
	SmSchemaModel *b = M();
	SmObject   *nn;
	SmDiff	   *d;

	table(b, "public.t");
	column(b, "public.t", "z", "text", 2);
	column(b, "public.t", "id", "integer", 1);
	nn = add(b, "not null", "public.t.id", "column public.t.id", "NOT NULL",
			 "ALTER TABLE public.t ALTER COLUMN id SET NOT NULL", "ALTER TABLE public.t ALTER COLUMN id DROP NOT NULL");
	nn->inline_def = "NOT NULL";
	done(b);
	d = diff_models(env, a, b);
	/* columns in attnum order, the NOT NULL inside its column */
	CHECK_STR(steps(d), "CREATE TABLE public.t (\n    id integer NOT NULL,\n    z text\n);");
	CHECK_STR(d->steps[0].object_type, "table");
	CHECK_STR(d->steps[0].object_name, "public.t");
	CHECK_INT(d->steps[0].step, 1);
	/* and back: one DROP TABLE, the columns go with it */
	d = diff_models(env, b, a);
	CHECK_STR(steps(d), "DROP TABLE public.t;");
	CHECK(d->steps[0].hazards & SM_HAZARD_DELETES_DATA);
}

static void
t_add_column_to_existing_table(void)
{
	SmSchemaModel *a = M(),
			   *b = M();
	SmObject   *df;
	SmDiff	   *d;

	table(a, "t");
	column(a, "t", "id", "integer", 1);
	done(a);
	table(b, "t");
	column(b, "t", "id", "integer", 1);
	column(b, "t", "n", "integer", 2);
	df = add(b, "default", "t.n", "column t.n", "0", "ALTER TABLE t ALTER COLUMN n SET DEFAULT 0",
			 "ALTER TABLE t ALTER COLUMN n DROP DEFAULT");
	df->inline_def = "DEFAULT 0";
	done(b);
	d = diff_models(env, a, b);
	/* the default inside ADD COLUMN, so existing rows get it */
	CHECK_STR(steps(d), "ALTER TABLE t ADD COLUMN n integer DEFAULT 0;");
	CHECK(d->steps[0].hazards & SM_HAZARD_ACCESS_EXCLUSIVE);
	d = diff_models(env, b, a);
	CHECK_STR(steps(d), "ALTER TABLE t DROP COLUMN n;");
	CHECK(d->steps[0].hazards & SM_HAZARD_DELETES_DATA);
}

static void
t_nothing_to_do(void)
{
	SmSchemaModel *a = M();

	table(a, "t");
	column(a, "t", "id", "integer", 1);
	done(a);
	CHECK_INT(diff_models(env, a, a)->n, 0);
}

static void
t_view_over_retyped_column(void)
{
	SmSchemaModel *a = M(),
			   *b = M();
	SmDiff	   *d;

	table(a, "t");
	column(a, "t", "n", "integer", 1);
	view(a, "v", "SELECT n FROM t", "column t.n");
	done(a);
	table(b, "t");
	column(b, "t", "n", "bigint", 1);
	view(b, "v", "SELECT n FROM t", "column t.n");
	done(b);
	d = diff_models(env, a, b);
	/* the view is dropped before the alter and created after */
	CHECK_STR(steps(d), "DROP VIEW v; | ALTER TABLE t ALTER COLUMN n TYPE bigint; | CREATE VIEW v AS SELECT n FROM t;");
	CHECK(d->steps[1].hazards & SM_HAZARD_REWRITES_TABLE);
	CHECK_STR(d->steps[1].object_type, "column");
}

static void
t_drop_order_follows_dependencies(void)
{
	SmSchemaModel *a = M(),
			   *b = done(M());
	SmDiff	   *d;

	table(a, "t");
	column(a, "t", "n", "integer", 1);
	view(a, "v1", "SELECT n FROM t", "column t.n");
	view(a, "v2", "SELECT * FROM v1", "view v1");
	done(a);
	d = diff_models(env, a, b);
	CHECK_STR(steps(d), "DROP VIEW v2; | DROP VIEW v1; | DROP TABLE t;");
	d = diff_models(env, b, a);
	CHECK(pos_of(d, "CREATE TABLE t") < pos_of(d, "CREATE VIEW v1"));
	CHECK(pos_of(d, "CREATE VIEW v1") < pos_of(d, "CREATE VIEW v2"));
}

static void
t_foreign_keys_after_tables(void)
{
	SmSchemaModel *a = done(M()),
			   *b = M();
	SmObject   *fk;
	SmDiff	   *d;

	/* "a_child" sorts before "b_parent": the dependency decides */
	table(b, "a_child");
	column(b, "a_child", "p", "integer", 1);
	table(b, "b_parent");
	column(b, "b_parent", "id", "integer", 1);
	add(b, "table constraint", "b_parent_pkey on b_parent", "table b_parent", "PRIMARY KEY (id)",
		"ALTER TABLE b_parent ADD CONSTRAINT b_parent_pkey PRIMARY KEY (id)",
		"ALTER TABLE b_parent DROP CONSTRAINT b_parent_pkey");
	fk = add(b, "table constraint", "fk on a_child", "table a_child", "FOREIGN KEY (p) REFERENCES b_parent(id)",
			 "ALTER TABLE a_child ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES b_parent(id)",
			 "ALTER TABLE a_child DROP CONSTRAINT fk");
	fk->deps = L("table b_parent", "table constraint b_parent_pkey on b_parent", "column a_child.p");
	done(b);
	d = diff_models(env, a, b);
	CHECK(pos_of(d, "ALTER TABLE a_child ADD CONSTRAINT fk") > pos_of(d, "CREATE TABLE b_parent"));
	CHECK(pos_of(d, "ALTER TABLE a_child ADD CONSTRAINT fk") > pos_of(d, "ALTER TABLE b_parent ADD CONSTRAINT b_parent_pkey"));
	REQUIRE(pos_of(d, "ALTER TABLE b_parent ADD CONSTRAINT") >= 0);
	CHECK(d->steps[pos_of(d, "ALTER TABLE b_parent ADD CONSTRAINT")].hazards & SM_HAZARD_BUILDS_INDEX);
	/* down: the foreign key goes explicitly, before the table it references */
	d = diff_models(env, b, a);
	CHECK(pos_of(d, "ALTER TABLE a_child DROP CONSTRAINT fk") >= 0);
	CHECK(pos_of(d, "ALTER TABLE a_child DROP CONSTRAINT fk") < pos_of(d, "DROP TABLE b_parent"));
	CHECK(pos_of(d, "ALTER TABLE b_parent DROP CONSTRAINT") < 0);
}

static void
t_enum_add_values(void)
{
	SmSchemaModel *a = M(),
			   *b = M();
	SmDiff	   *d;

	enumtype(a, "mood", "sad", "happy", NULL);
	done(a);
	enumtype(b, "mood", "meh", "sad", "happy");
	done(b);
	d = diff_models(env, a, b);
	CHECK_STR(steps(d), "ALTER TYPE mood ADD VALUE 'meh' BEFORE 'sad';");
	CHECK(d->steps[0].hazards & SM_HAZARD_NON_TRANSACTIONAL);

	b = M();
	enumtype(b, "mood", "sad", "it's ok", "happy");
	done(b);
	d = diff_models(env, a, b);
	CHECK_STR(steps(d), "ALTER TYPE mood ADD VALUE 'it''s ok' AFTER 'sad';");
}

static void
t_enum_remove_rebuilds(void)
{
	SmSchemaModel *a = M(),
			   *b = M();
	SmDiff	   *d;

	enumtype(a, "st", "a", "b", "c");
	table(a, "t");
	column(a, "t", "s", "st", 1)->deps = L("type st", NULL, NULL);
	view(a, "v", "SELECT s FROM t", "column t.s");
	done(a);
	enumtype(b, "st", "a", "c", NULL);
	table(b, "t");
	column(b, "t", "s", "st", 1)->deps = L("type st", NULL, NULL);
	view(b, "v", "SELECT s FROM t", "column t.s");
	done(b);
	d = diff_models(env, a, b);
	CHECK_STR(steps(d), "DROP VIEW v; | ALTER TYPE st RENAME TO old; | CREATE TYPE st AS ENUM (...); | "
			  "ALTER TABLE t ALTER COLUMN s TYPE st USING s::text::st; | DROP TYPE old; | "
			  "CREATE VIEW v AS SELECT s FROM t;");
	CHECK(d->steps[3].hazards & SM_HAZARD_REWRITES_TABLE);
}

static void
t_rename_with_hint(void)
{
	SmSchemaModel *a = M(),
			   *b = M();
	SmObject   *t;
	SmDiff	   *d;

	table(a, "public.customer");
	column(a, "public.customer", "id", "integer", 1);
	done(a);
	t = table(b, "public.client");
	t->renamed_from = "public.customer";
	t->rename = "ALTER TABLE public.customer RENAME TO client";
	t->unrename = "ALTER TABLE public.client RENAME TO customer";
	t->def = "CREATE TABLE public.client ()";
	column(b, "public.client", "id", "integer", 1);
	done(b);
	t = (SmObject *) model_find(b, "table public.client");
	d = diff_models(env, a, b);
	CHECK_STR(steps(d), "ALTER TABLE public.customer RENAME TO client;");
	CHECK_STR(d->steps[0].object_name, "public.client");
	d = diff_models(env, b, a);
	CHECK_STR(steps(d), "ALTER TABLE public.client RENAME TO customer;");

	/* a view over public.customers (a longer name) is not touched by the rename */
	{
		SmSchemaModel *a2 = M(),
				   *b2 = M();
		SmObject   *t2;

		table(a2, "public.customer");
		view(a2, "public.v", "SELECT 1 FROM public.customers, public.customer", NULL);
		done(a2);
		t2 = table(b2, "public.client");
		t2->renamed_from = "public.customer";
		t2->rename = "ALTER TABLE public.customer RENAME TO client";
		t2->def = "CREATE TABLE public.client ()";
		view(b2, "public.v", "SELECT 1 FROM public.customers, public.client", NULL);
		done(b2);
		d = diff_models(env, a2, b2);
		CHECK_STR(steps(d), "ALTER TABLE public.customer RENAME TO client;");
		/* and a view that really changed besides the rename is rebuilt */
		b2 = M();
		t2 = table(b2, "public.client");
		t2->renamed_from = "public.customer";
		t2->rename = "ALTER TABLE public.customer RENAME TO client";
		t2->def = "CREATE TABLE public.client ()";
		view(b2, "public.v", "SELECT 2 FROM public.customers, public.client", NULL);
		done(b2);
		d = diff_models(env, a2, b2);
		CHECK(pos_of(d, "DROP VIEW public.v") >= 0);
		CHECK(pos_of(d, "DROP VIEW public.v") < pos_of(d, "ALTER TABLE public.customer RENAME"));
		CHECK(pos_of(d, "CREATE VIEW public.v") > pos_of(d, "ALTER TABLE public.customer RENAME"));
	}

	/* without the hint: a drop and a create, flagged */
	t->renamed_from = NULL;
	d = diff_models(env, a, b);
	CHECK(pos_of(d, "DROP TABLE public.customer") >= 0);
	CHECK(pos_of(d, "CREATE TABLE public.client") >= 0);
	REQUIRE(pos_of(d, "DROP TABLE") >= 0);
	CHECK(d->steps[pos_of(d, "DROP TABLE")].hazards & SM_HAZARD_DELETES_DATA);
}

static void
t_rename_column_with_hint(void)
{
	SmSchemaModel *a = M(),
			   *b = M();
	SmObject   *c;
	SmDiff	   *d;

	table(a, "t");
	column(a, "t", "fullname", "text", 1);
	done(a);
	table(b, "t");
	c = column(b, "t", "name", "text", 1);
	c->renamed_from = "t.fullname";
	c->rename = "ALTER TABLE t RENAME COLUMN fullname TO name";
	c->unrename = "ALTER TABLE t RENAME COLUMN name TO fullname";
	done(b);
	d = diff_models(env, a, b);
	CHECK_STR(steps(d), "ALTER TABLE t RENAME COLUMN fullname TO name;");
	d = diff_models(env, b, a);
	CHECK_STR(steps(d), "ALTER TABLE t RENAME COLUMN name TO fullname;");
}

static void
t_alter_in_place_or_rebuild(void)
{
	SmSchemaModel *a = M(),
			   *b = M();
	SmObject   *f;
	SmDiff	   *d;

	f = add(a, "function", "f()", NULL, "body 1", "CREATE OR REPLACE FUNCTION f() body 1", "DROP FUNCTION f()");
	f->alter = f->create;
	f->rebuild = "returns int";
	done(a);
	f = add(b, "function", "f()", NULL, "body 2", "CREATE OR REPLACE FUNCTION f() body 2", "DROP FUNCTION f()");
	f->alter = f->create;
	f->rebuild = "returns int";
	done(b);
	d = diff_models(env, a, b);
	CHECK_STR(steps(d), "CREATE OR REPLACE FUNCTION f() body 2;");
	/* a changed result type cannot be replaced: drop and create */
	f->rebuild = "returns bigint";
	d = diff_models(env, a, b);
	CHECK_STR(steps(d), "DROP FUNCTION f(); | CREATE OR REPLACE FUNCTION f() body 2;");
}

static void
t_hazard_names(void)
{
	const char *n[8];

	CHECK_INT(diff_hazard_names(0, n, 8), 0);
	CHECK_INT(diff_hazard_names(SM_HAZARD_DELETES_DATA | SM_HAZARD_BUILDS_INDEX, n, 8), 2);
	CHECK_STR(n[0], "deletes data");
	CHECK_STR(n[1], "builds index");
	CHECK_INT(diff_hazard_names(0x1f, n, 8), 5);
	CHECK_STR(n[1], "rewrites table");
	CHECK_STR(n[2], "access exclusive lock");
	CHECK_STR(n[4], "cannot run in a transaction");
	CHECK_INT(diff_hazard_names(0x1f, n, 2), 2);
}

static void
t_differences(void)
{
	SmSchemaModel *e = M(),
			   *a = M();
	SmDifference *x;
	int			n;

	table(e, "t");
	column(e, "t", "id", "integer", 1);
	add(e, "index", "t_idx", "table t", "CREATE INDEX t_idx ON t (id)", "CREATE INDEX t_idx ON t (id)", "DROP INDEX t_idx");
	add(e, "function", "f()", NULL, "body 1", "x", "y");
	done(e);
	table(a, "t");
	column(a, "t", "id", "integer", 1);
	column(a, "t", "extra", "text", 2);
	add(a, "function", "f()", NULL, "body 2", "x", "y");
	done(a);
	x = diff_differences(env, e, a, &n);
	REQUIRE(n == 3);
	CHECK_STR(x[0].object_type, "column");
	CHECK_STR(x[0].object_name, "t.extra");
	CHECK_STR(x[0].difference, "unexpected");
	CHECK(x[0].expected == NULL);
	CHECK_STR(x[0].actual, "extra text");
	CHECK_STR(x[1].object_type, "function");
	CHECK_STR(x[1].difference, "changed");
	CHECK_STR(x[1].expected, "body 1");
	CHECK_STR(x[1].actual, "body 2");
	CHECK_STR(x[2].object_type, "index");
	CHECK_STR(x[2].difference, "missing");
	CHECK_STR(x[2].expected, "CREATE INDEX t_idx ON t (id)");
	CHECK(x[2].actual == NULL);
	x = diff_differences(env, e, e, &n);
	CHECK_INT(n, 0);
}

static void
t_many_tables_fast(void)
{
	SmSchemaModel *a = done(M()),
			   *b = M();
	double		t0;
	SmDiff	   *d;

	for (int i = 0; i < 2000; i++)
	{
		const char *t = fmt("t%04d", i);

		table(b, t);
		for (int c = 1; c <= 5; c++)
			column(b, t, fmt("c%d", c), "integer", c);
		if (i > 0)
			view(b, fmt("v%04d", i), "SELECT 1", fmt("table t%04d", i - 1));
	}
	done(b);
	t0 = now_ms();
	d = diff_models(env, a, b);
	CHECK_INT(d->n, 2000 + 1999);
	CHECK(now_ms() - t0 < 2000);
	t0 = now_ms();
	d = diff_models(env, b, a);
	CHECK_INT(d->n, 2000 + 1999);
	CHECK(now_ms() - t0 < 2000);
}


/* a partitioned table p with partition c, a parent index and c's own index */
static SmSchemaModel *
partitioned(bool with_parent_index, bool attached, bool parent_index_v2)
{
	SmSchemaModel *m = M();
	SmObject   *c;

	table(m, "p");
	column(m, "p", "k", "integer", 1);
	c = table(m, "c");
	c->parent = "table p";
	c->head = NULL;
	c->tail = "CREATE TABLE c PARTITION OF p FOR VALUES IN (1)";
	c->create = L(c->tail, NULL, NULL);
	c->def = c->tail;
	if (with_parent_index)
		add(m, "index", "pi", "table p", parent_index_v2 ? "CREATE INDEX pi ON p (k DESC)" : "CREATE INDEX pi ON p (k)",
			parent_index_v2 ? "CREATE INDEX pi ON p (k DESC)" : "CREATE INDEX pi ON p (k)", "DROP INDEX pi");
	{
		SmObject   *ci = add(m, "index", "c_own_idx", "table c", parent_index_v2 ? "CREATE INDEX c_own_idx ON c (k DESC)" : "CREATE INDEX c_own_idx ON c (k)",
							 parent_index_v2 ? "CREATE INDEX IF NOT EXISTS c_own_idx ON c (k DESC)" : "CREATE INDEX IF NOT EXISTS c_own_idx ON c (k)",
							 "DROP INDEX c_own_idx");

		if (attached)
		{
			SmObject   *at;

			ci->special = "attached index";
			ci->extra = L("index pi", NULL, NULL);
			at = add(m, "index attachment", "c_own_idx", "index c_own_idx", "pi",
					 "ALTER INDEX pi ATTACH PARTITION c_own_idx", NULL);
			at->deps = L("index pi", NULL, NULL);
		}
	}
	return done(m);
}

static void
t_attached_partition_index(void)
{
	SmSchemaModel *empty = done(M());
	SmDiff	   *d;

	/* from empty: the partition's index first, so that the parent's attaches it */
	d = diff_models(env, empty, partitioned(true, true, false));
	CHECK(pos_of(d, "CREATE TABLE c PARTITION OF") < pos_of(d, "CREATE INDEX IF NOT EXISTS c_own_idx"));
	CHECK(pos_of(d, "CREATE INDEX IF NOT EXISTS c_own_idx") >= 0);
	CHECK(pos_of(d, "CREATE INDEX IF NOT EXISTS c_own_idx") < pos_of(d, "CREATE INDEX pi"));
	/* ... which makes the ATTACH redundant: not emitted */
	CHECK(pos_of(d, "ALTER INDEX pi ATTACH") < 0);
	/* an index of the partition made apart, attached later: ATTACH alone */
	d = diff_models(env, partitioned(true, false, false), partitioned(true, true, false));
	CHECK_STR(steps(d), "ALTER INDEX pi ATTACH PARTITION c_own_idx;");
	/* the parent index rebuilt: its partition's index goes with it and comes back first */
	d = diff_models(env, partitioned(true, true, false), partitioned(true, true, true));
	CHECK_STR(steps(d), "DROP INDEX pi; | CREATE INDEX IF NOT EXISTS c_own_idx ON c (k DESC); | CREATE INDEX pi ON p (k DESC);");
	/* and all dropped: the partitioned table's drop takes partition and indexes */
	d = diff_models(env, partitioned(true, true, false), empty);
	CHECK_STR(steps(d), "DROP TABLE p;");
}

static SmObject *
fn(SmSchemaModel *m, const char *name)
{
	SmObject   *f = add(m, "function", name, NULL, "body", fmt("CREATE FUNCTION %s", name), fmt("DROP FUNCTION %s", name));

	f->alter = f->create;
	return f;
}

static void
t_new_columns_wait_for_a_new_function(void)
{
	SmSchemaModel *a = M(),
			   *b = M();
	SmObject   *df;
	SmDiff	   *d;

	table(a, "t");
	column(a, "t", "id", "integer", 1);
	done(a);
	table(b, "t");
	column(b, "t", "id", "integer", 1);
	column(b, "t", "made", "bigint", 2);
	column(b, "t", "owner", "bigint", 3);
	column(b, "t", "size", "bigint", 4);
	df = add(b, "default", "t.made", "column t.made", "now_us()", "ALTER TABLE t ALTER COLUMN made SET DEFAULT now_us()",
			 "ALTER TABLE t ALTER COLUMN made DROP DEFAULT");
	df->inline_def = "DEFAULT now_us()";
	df->deps = L("function now_us()", NULL, NULL);
	fn(b, "now_us()");
	done(b);
	d = diff_models(env, a, b);
	/* the function first; the columns in target order after it */
	CHECK_STR(steps(d), "CREATE FUNCTION now_us(); | ALTER TABLE t ADD COLUMN made bigint DEFAULT now_us(); | "
			  "ALTER TABLE t ADD COLUMN owner bigint; | ALTER TABLE t ADD COLUMN size bigint;");
	for (int i = 0; i < d->n; i++)
		CHECK(!(d->steps[i].hazards & SM_HAZARD_COLUMN_ORDER));
}

static void
t_column_order_hazard(void)
{
	SmSchemaModel *a = M(),
			   *b = M();
	SmDiff	   *d;

	/* "y" sits between two columns that stay: ADD COLUMN cannot put it there */
	table(a, "t");
	column(a, "t", "id", "integer", 1);
	column(a, "t", "z", "text", 3);
	done(a);
	table(b, "t");
	column(b, "t", "id", "integer", 1);
	column(b, "t", "y", "text", 2);
	column(b, "t", "z", "text", 3);
	column(b, "t", "zz", "text", 4);
	done(b);
	d = diff_models(env, a, b);
	CHECK_STR(steps(d), "ALTER TABLE t ADD COLUMN y text; | ALTER TABLE t ADD COLUMN zz text;");
	CHECK(d->steps[0].hazards & SM_HAZARD_COLUMN_ORDER);
	CHECK(!(d->steps[1].hazards & SM_HAZARD_COLUMN_ORDER));
	{
		const char *n[8];
		int			k = diff_hazard_names(d->steps[0].hazards, n, 8);

		REQUIRE(k == 2);
		CHECK_STR(n[0], "access exclusive lock");
		CHECK_STR(n[1], "column order differs");
	}
}

static void
t_keep_column_order(void)
{
	SmSchemaModel *a = M(),
			   *b = M();
	SmDiffOptions keep = {true};
	SmDiff	   *d;

	/* b was dropped and added again: now after c */
	table(a, "t");
	column(a, "t", "a", "integer", 1);
	column(a, "t", "b", "integer", 2);
	column(a, "t", "c", "integer", 3);
	done(a);
	table(b, "t");
	column(b, "t", "a", "integer", 1);
	column(b, "t", "c", "integer", 3);
	column(b, "t", "b", "integer", 4);
	done(b);
	/* by default nothing: the models agree but for the order */
	CHECK_INT(diff_models(env, a, b)->n, 0);
	d = diff_models_opts(env, a, b, &keep);
	CHECK_STR(steps(d), "ALTER TABLE t DROP COLUMN b; | ALTER TABLE t ADD COLUMN b integer;");
	CHECK(d->steps[0].hazards & SM_HAZARD_DELETES_DATA);
	/* and back: c moves behind b */
	d = diff_models_opts(env, b, a, &keep);
	CHECK_STR(steps(d), "ALTER TABLE t DROP COLUMN c; | ALTER TABLE t ADD COLUMN c integer;");

	/* a new column between two old ones: the later old one moves after it */
	a = M();
	table(a, "t");
	column(a, "t", "id", "integer", 1);
	column(a, "t", "z", "text", 3);
	done(a);
	b = M();
	table(b, "t");
	column(b, "t", "id", "integer", 1);
	column(b, "t", "y", "text", 2);
	column(b, "t", "z", "text", 3);
	done(b);
	d = diff_models_opts(env, a, b, &keep);
	CHECK_STR(steps(d), "ALTER TABLE t DROP COLUMN z; | ALTER TABLE t ADD COLUMN y text; | ALTER TABLE t ADD COLUMN z text;");
	for (int i = 0; i < d->n; i++)
		CHECK(!(d->steps[i].hazards & SM_HAZARD_COLUMN_ORDER));
	/* a new table is not touched */
	d = diff_models_opts(env, done(M()), b, &keep);
	CHECK_STR(steps(d), "CREATE TABLE t (\n    id integer,\n    y text,\n    z text\n);");
}

static void
t_retype_to_enum_needs_using(void)
{
	SmSchemaModel *a = M(),
			   *b = M(),
			   *c = M();
	SmDiff	   *d;
	const char *n[8];

	enumtype(a, "public.st", "x", "y", NULL);
	table(a, "t");
	column(a, "t", "s", "smallint", 1);
	done(a);
	enumtype(b, "public.st", "x", "y", NULL);
	table(b, "t");
	column(b, "t", "s", "public.st", 1)->deps = L("type public.st", NULL, NULL);
	done(b);
	d = diff_models(env, a, b);
	CHECK_STR(steps(d), "ALTER TABLE t ALTER COLUMN s TYPE public.st;");
	CHECK(d->steps[0].hazards & SM_HAZARD_NEEDS_USING);
	REQUIRE(diff_hazard_names(d->steps[0].hazards, n, 8) == 3);
	CHECK_STR(n[2], "needs a hand-written USING");
	/* from text the cast exists: no hazard */
	enumtype(c, "public.st", "x", "y", NULL);
	table(c, "t");
	column(c, "t", "s", "text", 1);
	done(c);
	d = diff_models(env, c, b);
	CHECK(!(d->steps[0].hazards & SM_HAZARD_NEEDS_USING));
	/* nor to an integer from smallint */
	d = diff_models(env, b, a);
	CHECK(!(d->steps[0].hazards & SM_HAZARD_NEEDS_USING));
}

static SmObject *
stats(SmSchemaModel *m, const char *kinds, int target)
{
	const char *def = fmt("CREATE STATISTICS public.s (%s) ON a, b FROM public.t", kinds);
	SmObject   *o = add(m, "statistics", "public.s", "table public.t", fmt("%s STATISTICS %d", def, target),
						def, "DROP STATISTICS public.s");

	o->rebuild = def;
	o->alter = L(fmt("ALTER STATISTICS public.s SET STATISTICS %d", target), NULL, NULL);
	o->deps = L("column public.t.a", "column public.t.b", NULL);
	return o;
}

static void
t_statistics(void)
{
	SmSchemaModel *a = M(),
			   *b = M(),
			   *c = M();
	SmDiff	   *d;

	table(a, "public.t");
	column(a, "public.t", "a", "integer", 1);
	column(a, "public.t", "b", "integer", 2);
	done(a);
	table(b, "public.t");
	column(b, "public.t", "a", "integer", 1);
	column(b, "public.t", "b", "integer", 2);
	stats(b, "ndistinct", -1);
	done(b);
	table(c, "public.t");
	column(c, "public.t", "a", "integer", 1);
	column(c, "public.t", "b", "integer", 2);
	stats(c, "ndistinct", 500);
	done(c);
	/* new: after the table it covers */
	d = diff_models(env, done(M()), b);
	CHECK(pos_of(d, "CREATE TABLE public.t") < pos_of(d, "CREATE STATISTICS public.s"));
	d = diff_models(env, a, b);
	CHECK_STR(steps(d), "CREATE STATISTICS public.s (ndistinct) ON a, b FROM public.t;");
	/* the target alone: altered in place */
	d = diff_models(env, b, c);
	CHECK_STR(steps(d), "ALTER STATISTICS public.s SET STATISTICS 500;");
	/* other kinds: rebuilt */
	c = M();
	table(c, "public.t");
	column(c, "public.t", "a", "integer", 1);
	column(c, "public.t", "b", "integer", 2);
	stats(c, "mcv", -1);
	done(c);
	d = diff_models(env, b, c);
	CHECK_STR(steps(d), "DROP STATISTICS public.s; | CREATE STATISTICS public.s (mcv) ON a, b FROM public.t;");
	/* a column it covers dropped: the statistics go first */
	d = diff_models(env, b, a);
	CHECK_STR(steps(d), "DROP STATISTICS public.s;");
}

const UnitCase model_cases[] = {
	{"model: serialize and deserialize round trip", t_roundtrip},
	{"model: the empty model", t_empty_model},
	{"model: damaged bytes are refused", t_damaged},
	{"diff: CREATE TABLE with its columns folded in", t_create_table_folds_columns},
	{"diff: ADD COLUMN with its default", t_add_column_to_existing_table},
	{"diff: equal models give no steps", t_nothing_to_do},
	{"diff: a view over a retyped column is rebuilt around it", t_view_over_retyped_column},
	{"diff: drops in reverse dependency order", t_drop_order_follows_dependencies},
	{"diff: foreign keys after both tables, dropped first", t_foreign_keys_after_tables},
	{"diff: enum ADD VALUE BEFORE/AFTER", t_enum_add_values},
	{"diff: enum value removed: the type is rebuilt", t_enum_remove_rebuilds},
	{"diff: hinted table rename, both ways", t_rename_with_hint},
	{"diff: hinted column rename, both ways", t_rename_column_with_hint},
	{"diff: alter in place unless the rebuild text differs", t_alter_in_place_or_rebuild},
	{"diff: hazard names", t_hazard_names},
	{"diff: object-level differences", t_differences},
	{"diff: 2,000 tables and views in well under a second", t_many_tables_fast},
	{"diff: a partition's own index before its parent index, attached", t_attached_partition_index},
	{"diff: new columns wait for a new function in target order", t_new_columns_wait_for_a_new_function},
	{"diff: a new column before one that stays carries a hazard", t_column_order_hazard},
	{"diff: a retype to an enum from smallint needs a USING", t_retype_to_enum_needs_using},
	{"diff: keep_column_order drops and re-adds moved columns", t_keep_column_order},
	{"diff: statistics created, altered in place, rebuilt", t_statistics},
	{NULL, NULL}
};
