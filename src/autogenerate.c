/*-------------------------------------------------------------------------
 *
 * autogenerate.c
 *	  The SQL surface of autogenerate, the schema check and drift:
 *	  sm_diff, sm_autogenerate, sm_check_schema, sm_drift.
 *
 * Each function gets two schema models and compares them; nothing here
 * runs DDL on the caller's database.  The models come from:
 *   - this database: model_read_catalogs() through SPI;
 *   - the declarative schema (*.sql of the set's folder schema/ in name order, or SQL
 *     text): loaded into a scratch database (scratch_model_of_sql);
 *   - what the set's migrations produce: replayed in a scratch database
 *     (scratch_model_of_set).
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "scratch_db.h"
#include "storage/fd.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(sm_diff);
PG_FUNCTION_INFO_V1(sm_autogenerate);
PG_FUNCTION_INFO_V1(sm_check_schema);
PG_FUNCTION_INFO_V1(sm_drift);

/* How many differences sm_check_schema's detail lists. */
#define CHECK_DETAIL_MAX	10

static char *
optional_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

static const char *
ext_schema(FunctionCallInfo fcinfo)
{
	return quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
}

/* ---------- the declarative schema folder ---------- */

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* One schema file: a regular file (no link), at most SM_MAX_FILE_SIZE, UTF-8. */
static char *
read_schema_file(const MigrationSet *set, const char *dir, const char *name)
{
	char	   *path = psprintf("%s/%s", dir, name);
	int			fd = OpenTransientFile(path, O_RDONLY | PG_BINARY | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	char	   *buf;
	size_t		done = 0;
	size_t		len;
	int			valid;

	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open schema file \"schema/%s\" of set \"%s\": %m", name, set->name),
				 errhint("Schema files must be regular files, not symbolic links.")));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > SM_MAX_FILE_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("schema file \"schema/%s\" of set \"%s\" is not a regular file of at most %d MB",
						name, set->name, SM_MAX_FILE_SIZE / (1024 * 1024))));
	buf = palloc(st.st_size + 1);
	while (done < (size_t) st.st_size)
	{
		ssize_t		r = read(fd, buf + done, st.st_size - done);

		if (r < 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read schema file \"schema/%s\" of set \"%s\": %m", name, set->name)));
		if (r == 0)
			break;
		done += r;
	}
	CloseTransientFile(fd);
	buf = sm_normalise(sm_server_env(), buf, done, &len);
	valid = pg_encoding_verifymbstr(PG_UTF8, buf, len);
	if ((size_t) valid < len)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("schema file \"schema/%s\" of set \"%s\" is not valid UTF-8", name, set->name),
				 errhint("Save schema files as UTF-8 text.")));
	return pg_any_to_server(buf, (int) len, PG_UTF8);
}

/* The set's schema folder: its *.sql files in name order; an error when there is none. */
static ScratchFile *
read_schema_folder(const MigrationSet *set, int *n_out)
{
	char	   *dir = psprintf("%s/schema", set->dir);
	DIR		   *d;
	struct dirent *de;
	char	  **names = NULL;
	int			n = 0,
				cap = 0;
	ScratchFile *files;

	d = AllocateDir(dir);
	if (d == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("migration set \"%s\" has no declarative schema", set->name),
				 errdetail("Directory \"schema\" is missing in \"%s\".", set->dir),
				 errhint("Put the desired schema as *.sql files (CREATE statements, run in name order) into a folder \"schema\" of the set, or pass it as text: sm_diff(desired => '...').")));
	while ((de = ReadDir(d, dir)) != NULL)
	{
		size_t		len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len <= 4 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		if (n == cap)
		{
			cap = cap ? cap * 2 : 16;
			names = names ? repalloc(names, sizeof(char *) * cap) : palloc(sizeof(char *) * cap);
		}
		if (n >= SM_MAX_FILES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("declarative schema of set \"%s\" has more than %d files", set->name, SM_MAX_FILES)));
		names[n++] = pstrdup(de->d_name);
	}
	FreeDir(d);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("declarative schema of set \"%s\" has no *.sql files", set->name),
				 errhint("Put the desired schema as *.sql files into \"%s\".", dir)));
	qsort(names, n, sizeof(char *), cmp_names);
	files = palloc(sizeof(ScratchFile) * n);
	for (int i = 0; i < n; i++)
	{
		files[i].name = psprintf("schema/%s", names[i]);
		files[i].sql = read_schema_file(set, dir, names[i]);
	}
	*n_out = n;
	return files;
}

/*
 * The desired model: SQL text, or the set's schema folder; meanwhile runs
 * in this backend while the scratch database loads.
 */
static SmSchemaModel *
desired_model(const char *desired, const char *set_name,
			  const ScratchMeanwhile *meanwhile)
{
	if (desired != NULL)
	{
		ScratchFile f = {"desired", desired};

		return scratch_model_of_sql(&f, 1, meanwhile);
	}
	else
	{
		MigrationSet *set = set_load(set_name);
		int			n;
		ScratchFile *files = read_schema_folder(set, &n);

		return scratch_model_of_sql(files, n, meanwhile);
	}
}

/* This database's model (SPI connected by the caller). */
static SmSchemaModel *
live_model(void)
{
	return model_read_catalogs(sm_server_env());
}

/*
 * Models computed while a scratch worker runs: this database's (its
 * catalogs, read through the caller's SPI connection), or the declarative
 * schema's (a second scratch database, loaded beside the first).
 */
typedef struct ModelMeanwhile
{
	const char *set_name;		/* for desired_meanwhile */
	SmSchemaModel *model;
} ModelMeanwhile;

static void
live_meanwhile(void *arg)
{
	((ModelMeanwhile *) arg)->model = live_model();
}

static void
desired_meanwhile(void *arg)
{
	ModelMeanwhile *mw = arg;

	mw->model = desired_model(NULL, mw->set_name, NULL);
}

static Datum
hazards_array(unsigned hazards)
{
	const char *names[16];
	Datum		elems[16];
	int			n = diff_hazard_names(hazards, names, 16);

	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(names[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = s == NULL;
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* ---------- sm_diff ---------- */

/*
 * sm_diff(desired text DEFAULT NULL, set_name text DEFAULT NULL): the
 * statements that turn this database's schema into the desired one.
 */
Datum
sm_diff(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *desired = optional_arg(fcinfo, 0);
	char	   *set_name = optional_arg(fcinfo, 1);
	SmSchemaModel *want;
	SmDiff	   *d;
	ModelMeanwhile live = {NULL, NULL};
	ScratchMeanwhile live_read = {live_meanwhile, &live};

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	want = desired_model(desired, set_name, &live_read);
	d = diff_models(sm_server_env(), live.model, want);
	for (int i = 0; i < d->n; i++)
	{
		const SmDiffStep *s = &d->steps[i];
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = Int32GetDatum(s->step);
		values[1] = CStringGetTextDatum(s->statement);
		values[2] = text_or_null(s->object_type, &nulls[2]);
		values[3] = text_or_null(s->object_name, &nulls[3]);
		values[4] = hazards_array(s->hazards);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

/* ---------- sm_autogenerate ---------- */

static bool
is_timestamp_id(const char *rev)
{
	if (strlen(rev) != 14 || (rev[0] != '1' && rev[0] != '2'))
		return false;
	for (int i = 0; i < 14; i++)
		if (!isdigit((unsigned char) rev[i]))
			return false;
	return true;
}

/*
 * The next revision id in the folder's own style, as bin/sm-new picks it:
 * a UTC timestamp YYYYMMDDHHMMSS when the newest revision is one (bumped
 * past the highest id), else one more than the highest numeric prefix, at
 * least 4 digits wide.
 */
static char *
next_revision(const MigrationSet *set)
{
	const char *last = NULL;
	const char *maxnum = NULL;
	int			maxlen = 0;

	for (int i = 0; i < set->n; i++)
	{
		const char *rev = set->migs[i]->revision;
		int			digits = strspn(rev, "0123456789");

		if (set->migs[i]->repeatable)
			continue;
		if (last == NULL || sm_natural_cmp(rev, last) > 0)
			last = rev;
		if (digits > 0)
		{
			char	   *num = pnstrdup(rev, digits);

			if (maxnum == NULL || sm_natural_cmp(num, maxnum) > 0)
			{
				maxnum = num;
				maxlen = digits;
			}
		}
	}
	if (last && is_timestamp_id(last))
	{
		time_t		now = time(NULL);
		struct tm	tm;
		char		buf[32];

		gmtime_r(&now, &tm);
		strftime(buf, sizeof(buf), "%Y%m%d%H%M%S", &tm);
		if (maxnum && sm_natural_cmp(buf, maxnum) <= 0)
			snprintf(buf, sizeof(buf), "%llu", strtoull(maxnum, NULL, 10) + 1);
		return pstrdup(buf);
	}
	else
	{
		unsigned long long next = maxnum ? strtoull(maxnum, NULL, 10) + 1 : 1;

		return psprintf("%0*llu", maxlen < 4 ? 4 : maxlen, next);
	}
}

static void
append_steps(StringInfo buf, const SmDiff *d)
{
	for (int i = 0; i < d->n; i++)
	{
		const SmDiffStep *s = &d->steps[i];
		const char *names[16];
		int			n = diff_hazard_names(s->hazards, names, 16);

		if (n > 0)
		{
			appendStringInfoString(buf, "-- hazards: ");
			for (int k = 0; k < n; k++)
				appendStringInfo(buf, "%s%s", k ? ", " : "", names[k]);
			appendStringInfoChar(buf, '\n');
		}
		appendStringInfo(buf, "%s\n", s->statement);
	}
}

static bool
any_hazard(const SmDiff *d, unsigned hazard)
{
	for (int i = 0; i < d->n; i++)
		if (d->steps[i].hazards & hazard)
			return true;
	return false;
}

/* One line, no directive-breaking characters. */
static char *
clean_message(const char *message)
{
	char	   *m = pstrdup(message);

	for (char *p = m; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if (strlen(m) > SM_MAX_MESSAGE_LEN)
		m[pg_mbcliplen(m, strlen(m), SM_MAX_MESSAGE_LEN)] = '\0';
	return m;
}

/* Refuse unless every revision is applied (Alembic's "not up to date"). */
static void
check_at_head(const char *schema, const MigrationSet *set, const SetState *st)
{
	const Graph *g = set->graph;
	int			pending = 0;
	bool	   *all;

	for (int i = 0; i < g->n; i++)
		pending += !st->applied[i];
	if (pending == 0 && st->partial == NULL)
		return;
	all = palloc(sizeof(bool) * (g->n + 1));
	memset(all, true, sizeof(bool) * (g->n + 1));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the database is not up to date"),
			 errdetail("Set \"%s\" is at %s; its head%s %s %s; %d migration%s pending%s.",
					   set->name, ops_current_text(g, st->applied),
					   g->n_heads == 1 ? "" : "s", g->n_heads == 1 ? "is" : "are",
					   ops_current_text(g, all), pending, pending == 1 ? " is" : "s are",
					   st->partial ? ", and one stopped half-way" : ""),
			 errhint("Autogenerate compares the declarative schema with this database: run SELECT sm_upgrade('heads') first.")));
}

/*
 * sm_autogenerate(message, set_name): the next migration file, native
 * format, or NULL (with a NOTICE) when there is nothing to change.
 */
Datum
sm_autogenerate(PG_FUNCTION_ARGS)
{
	char	   *message;
	char	   *set_name = optional_arg(fcinfo, 1);
	const char *schema = ext_schema(fcinfo);
	MigrationSet *set;
	SetState   *st;
	SmSchemaModel *want;
	SmSchemaModel *have;
	SmDiff	   *up;
	SmDiff	   *down;
	StringInfoData buf;
	int		   *heads;
	int			n_heads;
	text	   *result;
	ModelMeanwhile live = {NULL, NULL};
	ScratchMeanwhile live_read = {live_meanwhile, &live};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("message must not be null"),
				 errhint("Describe the change, as for alembic revision -m: sm_autogenerate('add invoices').")));
	message = clean_message(text_to_cstring(PG_GETARG_TEXT_PP(0)));

	set = set_load(set_name);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	st = store_read_state(schema, set);
	check_at_head(schema, set, st);

	want = desired_model(NULL, set_name, &live_read);
	have = live.model;
	up = diff_models(sm_server_env(), have, want);
	down = diff_models(sm_server_env(), want, have);
	if (up->n == 0)
	{
		SPI_finish();
		ereport(NOTICE,
				(errmsg("nothing to change: the database matches the declarative schema of set \"%s\"",
						set->name)));
		PG_RETURN_NULL();
	}

	heads = palloc(sizeof(int) * (set->graph->n + 1));
	n_heads = graph_current(set->graph, st->applied, heads);
	initStringInfo(&buf);
	appendStringInfo(&buf, "-- revision: %s\n", next_revision(set));
	appendStringInfoString(&buf, "-- down_revision: ");
	if (n_heads == 0)
		appendStringInfoString(&buf, "none");
	for (int i = 0; i < n_heads; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", set->graph->nodes[heads[i]].mig->revision);
	appendStringInfo(&buf, "\n-- message: %s\n", message);
	if (any_hazard(up, SM_HAZARD_NON_TRANSACTIONAL) ||
		any_hazard(down, SM_HAZARD_NON_TRANSACTIONAL))
		appendStringInfoString(&buf, "-- transactional: false\n");
	appendStringInfoString(&buf, "-- Generated by sm_autogenerate() from the declarative schema: review it before you commit it.\n");
	appendStringInfoString(&buf, "\n-- +up\n");
	append_steps(&buf, up);
	appendStringInfoString(&buf, "\n-- +down\n");
	append_steps(&buf, down);

	result = cstring_to_text(buf.data);
	{
		text	   *copy = (text *) SPI_palloc(VARSIZE(result));

		memcpy(copy, result, VARSIZE(result));
		SPI_finish();
		PG_RETURN_TEXT_P(copy);
	}
}

/* ---------- sm_check_schema ---------- */

static const char *
describe(const SmDifference *d)
{
	const char *what = strcmp(d->difference, "missing") == 0 ?
		"in the declarative schema, not produced by the migrations" :
		strcmp(d->difference, "unexpected") == 0 ?
		"produced by the migrations, not in the declarative schema" :
		"differs between the declarative schema and the migrations";

	return psprintf("%s %s: %s", d->object_type, d->object_name, what);
}

/*
 * sm_check_schema(set_name): the set's migrations replayed to head give
 * exactly the declarative schema (alembic check).
 */
Datum
sm_check_schema(PG_FUNCTION_ARGS)
{
	char	   *set_name = optional_arg(fcinfo, 0);
	MigrationSet *set = set_load(set_name);
	const char *heads[1] = {"heads"};
	SmSchemaModel *want;
	SmSchemaModel *replayed;
	SmDifference *diffs;
	int			n;
	StringInfoData detail;
	ModelMeanwhile desired = {set_name, NULL};
	ScratchMeanwhile desired_load = {desired_meanwhile, &desired};

	/* the two scratch databases load side by side */
	replayed = scratch_model_of_set(set->name, heads, set->n > 0 ? 1 : 0,
									&desired_load);
	want = desired.model;
	diffs = diff_differences(sm_server_env(), want, replayed, &n);
	if (n == 0)
		PG_RETURN_BOOL(true);

	initStringInfo(&detail);
	appendStringInfo(&detail, "%d difference%s between the migrations of set \"%s\" replayed to head and its declarative schema: ",
					 n, n == 1 ? "" : "s", set->name);
	for (int i = 0; i < n && i < CHECK_DETAIL_MAX; i++)
		appendStringInfo(&detail, "%s%s", i ? "; " : "", describe(&diffs[i]));
	if (n > CHECK_DETAIL_MAX)
		appendStringInfo(&detail, "; and %d more", n - CHECK_DETAIL_MAX);
	appendStringInfoChar(&detail, '.');
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the migrations do not produce the declarative schema"),
			 errdetail_internal("%s", detail.data),
			 errhint("On a database at head, run sm-new --autogenerate \"message\" (or SELECT sm_autogenerate('message')), review the file and add it to the set.")));
	PG_RETURN_BOOL(false);
}

/* ---------- sm_drift ---------- */

/*
 * sm_drift(set_name): where this database differs from what its applied
 * migrations produce.
 */
Datum
sm_drift(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *set_name = optional_arg(fcinfo, 0);
	const char *schema = ext_schema(fcinfo);
	MigrationSet *set;
	SetState   *st;
	int		   *cur;
	int			n_cur;
	const char **targets;
	SmSchemaModel *expected;
	SmDifference *diffs;
	int			n;
	ModelMeanwhile live = {NULL, NULL};
	ScratchMeanwhile live_read = {live_meanwhile, &live};

	InitMaterializedSRF(fcinfo, 0);
	set = set_load(set_name);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	st = store_read_state(schema, set);
	cur = palloc(sizeof(int) * (set->graph->n + 1));
	n_cur = graph_current(set->graph, st->applied, cur);
	targets = palloc(sizeof(char *) * (n_cur + 1));
	for (int i = 0; i < n_cur; i++)
		targets[i] = set->graph->nodes[cur[i]].mig->revision;

	expected = scratch_model_of_set(set->name, targets, n_cur, &live_read);
	diffs = diff_differences(sm_server_env(), expected, live.model, &n);
	for (int i = 0; i < n; i++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = text_or_null(diffs[i].object_type, &nulls[0]);
		values[1] = text_or_null(diffs[i].object_name, &nulls[1]);
		values[2] = text_or_null(diffs[i].difference, &nulls[2]);
		values[3] = text_or_null(diffs[i].expected, &nulls[3]);
		values[4] = text_or_null(diffs[i].actual, &nulls[4]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
