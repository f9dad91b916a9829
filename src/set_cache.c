/*-------------------------------------------------------------------------
 *
 * set_cache.c
 *	  Loading a set: its files read (safe_files.c) and parsed in whatever
 *	  format they are in (src/formats/), the revision graph built; and the
 *	  result kept per backend while the files stay the same.
 *
 * The cache: a set is parsed once per backend and reused while every
 * directory listed and every file read to build it keep the same inode,
 * size, mtime and ctime.  Any edit, rename, addition or removal changes
 * one of those, so the no-op upgrade every application worker runs at
 * start-up costs one stat per file, not a parse; with inotify
 * (file_watch.c), not even that.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "formats/formats.h"
#include "graphile_placeholders.h"
#include "tool_transactions.h"

#include <sys/stat.h>

#include "common/md5.h"
#include "lib/stringinfo.h"
#include "utils/memutils.h"

/* A parsed set and what its files looked like then. */
typedef struct CachedSet
{
	struct CachedSet *next;
	MemoryContext cxt;
	char	   *dir;
	int			n_files;
	FileStamp  *files;
	MigrationSet *set;
	dev_t		dev;			/* the set directory, as it was */
	ino_t		ino;
	int			watch_fd;		/* inotify on the set's directories, or -1 */
	bool		stale;			/* found changed once: reading the watch drained it */
	char	   *settings_key;	/* graphile_placeholders_key() when read */
} CachedSet;

/* Per-backend cache of parsed sets, in CacheMemoryContext. */
static CachedSet *set_cache = NULL;

static void set_fingerprint(MigrationSet *set);

static void
set_error_context(void *arg)
{
	errcontext("migration set \"%s\"", (const char *) arg);
}

/* SmFiles.warn: a file the tool skips, named as the set is read */
static void
set_warn(void *arg, const char *message, const char *hint)
{
	ereport(WARNING,
			(errcode(ERRCODE_WARNING),
			 errmsg_internal("%s", message),
			 hint ? errhint("%s", hint) : 0));
}

/* Versioned migrations first, then repeatable ones; returns the former. */
static int
partition_repeatable(Migration **migs, int n)
{
	Migration **tmp = palloc(sizeof(Migration *) * (n + 1));
	int			k = 0;

	for (int i = 0; i < n; i++)
		if (!migs[i]->repeatable)
			tmp[k++] = migs[i];
	for (int i = 0, j = k; i < n; i++)
		if (migs[i]->repeatable)
			tmp[j++] = migs[i];
	memcpy(migs, tmp, sizeof(Migration *) * n);
	pfree(tmp);
	return k;
}

/*
 * Flyway and golang-migrate mark no migration as non-transactional: Flyway
 * runs a migration without a transaction when it holds a statement that
 * cannot run in one (CREATE INDEX CONCURRENTLY, VACUUM, ...), and
 * golang-migrate never opens one; sqitch runs each script through psql
 * (App::Sqitch::Engine::pg, run_file), which opens none either.  dbmate,
 * goose and diesel wrap each file in a transaction unless told not to
 * (transaction:false, NO TRANSACTION, run_in_transaction = false), so their
 * files keep the refusal they get from the tool.  Such a migration is made
 * non-transactional here, as a native file with "-- transactional: false"
 * would be, so that CALL sm_migrate() runs it as those tools do instead of
 * refusing a folder they apply.
 */
static void
detect_non_transactional(SmFormat fmt, Migration **migs, int n)
{
	/* Postgrator: one Query per file (tool_transactions.c) */
	if (fmt == SM_FMT_POSTGRATOR)
	{
		for (int i = 0; i < n; i++)
			if (migs[i]->transactional &&
				(tool_single_query_no_transaction(migs[i]->up_sql) ||
				 (migs[i]->has_down && tool_single_query_no_transaction(migs[i]->down_sql))))
				migs[i]->transactional = false;
		return;
	}
	if (fmt != SM_FMT_FLYWAY && fmt != SM_FMT_GOLANG_MIGRATE &&
		fmt != SM_FMT_SQITCH)
		return;
	for (int i = 0; i < n; i++)
		if (migs[i]->transactional &&
			(stmt_needs_no_transaction(migs[i]->up_sql) ||
			 (migs[i]->has_down && stmt_needs_no_transaction(migs[i]->down_sql))))
			migs[i]->transactional = false;
}

/*
 * Read and parse a set in whatever format its files are in.  The graph is
 * built from the versioned migrations, set->migs[0 .. set->n - 1];
 * repeatable ones follow them in set->migs up to a NULL, in run order.
 */
static MigrationSet *
parse_set(const char *name, const char *dir, SetReader *r)
{
	MigrationSet *set = palloc0(sizeof(MigrationSet));
	ErrorContextCallback cb;
	SmFiles		files;
	SmFormat	fmt;
	Migration **migs;
	int			n;

	files_callbacks(r, &files);
	files.warn = set_warn;
	cb.callback = set_error_context;
	cb.arg = (void *) name;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	fmt = fmt_detect(&files);
	/* the server's values: only graphile-migrate sets need them */
	if (fmt == SM_FMT_GRAPHILE)
		files.placeholders = graphile_placeholders();
	migs = fmt_read(&files, fmt, &n);
	detect_non_transactional(fmt, migs, n);
	set->name = pstrdup(name);
	set->dir = pstrdup(dir);
	set->migs = palloc0(sizeof(Migration *) * (n + 1));
	if (n > 0)
		memcpy(set->migs, migs, sizeof(Migration *) * n);
	for (int i = 0; i < n; i++)
	{
		Migration  *m = set->migs[i];

		if (m->format == NULL)
			m->format = fmt_name(fmt);
		m->checksum = files_checksum(m->text, m->text_len);
	}
	set->n = partition_repeatable(set->migs, n);
	set->repeatable = set->migs + set->n;
	set->n_repeatable = n - set->n;
	set->graph = graph_build(sm_server_env(), set->migs, set->n);
	set_fingerprint(set);

	error_context_stack = cb.previous;
	return set;
}

/*
 * What sm_fingerprint holds for this set when every revision is applied
 * with the checksum of its file now: md5 of "rev:checksum" joined by ","
 * in byte order of the ids (the triggers' ORDER BY ... COLLATE "C"); and
 * the current revisions then, which are the heads.
 */
static void
set_fingerprint(MigrationSet *set)
{
	const Graph *g = set->graph;
	StringInfoData buf;
	const char *errstr = NULL;

	set->all_fingerprint = NULL;
	set->heads_text = NULL;
	if (g->n == 0)
		return;
	initStringInfo(&buf);
	for (int i = 0; i < g->n; i++)
	{
		const Migration *m = g->nodes[g->by_name[i]].mig;

		appendStringInfo(&buf, "%s%s:%s", i ? "," : "", m->revision, m->checksum);
	}
	set->all_fingerprint = palloc(33);
	if (!pg_md5_hash(buf.data, buf.len, set->all_fingerprint, &errstr))
	{
		set->all_fingerprint = NULL;
		return;
	}
	pfree(buf.data);
	initStringInfo(&buf);
	for (int i = 0; i < g->n_heads; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", g->nodes[g->heads[i]].mig->revision);
	set->heads_text = buf.data;
}

/* ---------- the cache ---------- */

static CachedSet *
cache_lookup(const char *dir)
{
	for (CachedSet *c = set_cache; c; c = c->next)
		if (strcmp(c->dir, dir) == 0)
			return c;
	return NULL;
}

static void
cache_forget(CachedSet *victim)
{
	CachedSet **pp = &set_cache;

	while (*pp && *pp != victim)
		pp = &(*pp)->next;
	if (*pp)
		*pp = victim->next;
	watch_close(victim->watch_fd);
	MemoryContextDelete(victim->cxt);
}

static MigrationSet *set_load_files(const char *set_name);

/*
 * Load a set.  "set@schema" is the set's files applied to one tenant's
 * schema: its own version state (the whole name is the key) and its
 * schema first on search_path while its migrations run.
 */
MigrationSet *
set_load(const char *set_name)
{
	SetName		name = locate_split(set_name);
	MigrationSet *set;
	MigrationSet *tenant;

	set = set_load_files(name.base);
	if (name.tenant == NULL)
		return set;
	(void) locate_check_tenant(&name, true);
	tenant = palloc(sizeof(MigrationSet));
	*tenant = *set;
	tenant->name = pstrdup(name.full);
	tenant->tenant = pstrdup(name.tenant);
	return tenant;
}

/*
 * Is the cached set still what the files say?  The set directory must be
 * the same directory; then a quiet watch, or else every stamp unchanged.
 */
static bool
cache_valid(CachedSet *c)
{
	struct stat st;

	if (!c->stale && strcmp(c->settings_key, graphile_placeholders_key()) != 0)
		c->stale = true;
	if (!c->stale &&
		(stat(c->dir, &st) != 0 || st.st_dev != c->dev || st.st_ino != c->ino ||
		 (!watch_quiet(c->watch_fd) && !files_stamps_unchanged(c->dir, c->files, c->n_files))))
		c->stale = true;
	return !c->stale;
}

/*
 * Load a set, from the cache when its files are unchanged.  A new entry is
 * built in a child of the caller's context and moved under
 * CacheMemoryContext only once complete, so an error while parsing leaves
 * nothing behind.
 */
static MigrationSet *
set_load_files(const char *set_name)
{
	const char *name = locate_resolve_name(set_name);
	char	   *key = psprintf("%s/%s", locate_root(), name);
	CachedSet  *volatile c = cache_lookup(key);
	char	   *real_dir;
	char	   *dir;
	SetReader  *volatile r;
	MemoryContext cxt,
				old;
	struct stat st;

	if (c && cache_valid(c))
		return c->set;
	if (c)
		cache_forget(c);

	dir = locate_directory(name, &real_dir);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "schema_migrate set",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	c = palloc0(sizeof(CachedSet));
	c->cxt = cxt;
	c->dir = pstrdup(dir);
	c->watch_fd = -1;
	c->settings_key = graphile_placeholders_key();
	r = files_open_reader(name, c->dir, real_dir, watch_create());
	PG_TRY();
	{
		c->set = parse_set(name, c->dir, r);
	}
	PG_CATCH();
	{
		watch_close(files_watch_fd(r));
		PG_RE_THROW();
	}
	PG_END_TRY();
	c->files = files_stamps(r, &c->n_files);
	files_drop_texts(r);
	MemoryContextSwitchTo(old);

	/*
	 * Every directory was watched before it was listed, so a quiet watch
	 * means nothing changed while the files were read; without a watch,
	 * check the stamps once.  If something did change, use this load but
	 * do not keep it.
	 */
	c->watch_fd = files_watch_fd(r);
	if (stat(c->dir, &st) != 0 ||
		(c->watch_fd >= 0 ? !watch_quiet(c->watch_fd) :
		 !files_stamps_unchanged(c->dir, c->files, c->n_files)))
	{
		watch_close(c->watch_fd);
		return c->set;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	MemoryContextSetParent(cxt, CacheMemoryContext);
	MemoryContextSetIdentifier(cxt, c->dir);
	c->next = set_cache;
	set_cache = c;
	summary_write(c->dir, c->set, c->files, c->n_files);
	return c->set;
}

/*
 * What the start-up no-op needs, without parsing when the files have not
 * changed since this backend, or any backend of this server, parsed them:
 * from the cached set, or else from the summary file (set_summary.c).
 * NULL means: load the set.  The name may be a tenant's ("set@schema").
 */
SetSummary *
set_summary(const char *set_name)
{
	SetName		name = locate_split(set_name);
	char	   *key;
	CachedSet  *c;
	SetSummary *sum;

	if (!locate_check_tenant(&name, false))
		return NULL;
	key = psprintf("%s/%s", locate_root(), locate_resolve_name(name.base));
	c = cache_lookup(key);
	if (c && cache_valid(c))
	{
		if (c->set->all_fingerprint == NULL)
			return NULL;
		sum = palloc0(sizeof(SetSummary));
		sum->fingerprint = c->set->all_fingerprint;
		sum->heads_text = c->set->heads_text;
		sum->n_heads = c->set->graph->n_heads;
		sum->n_repeatable = c->set->n_repeatable;
	}
	else if (c != NULL || (sum = summary_lookup(key)) == NULL)
		return NULL;
	sum->name = pstrdup(name.full);
	return sum;
}
