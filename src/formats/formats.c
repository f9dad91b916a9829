/*-------------------------------------------------------------------------
 *
 * formats.c
 *	  Decide which tool a migration set was written for and dispatch to that
 *	  format's adapter; the helpers the adapters share are in fmt_common.c.
 *
 * Detection looks at every entry of the set's directory and gives each a
 * format from its name, and for "{digits}_*.sql" files (native, dbmate and
 * goose all use that shape) from its section markers.  Entries that belong
 * to no format (README.md, sqitch.conf, a directory without up.sql) are
 * left alone, as the native reader always left non-*.sql files alone.  Two
 * entries of different formats make the set ambiguous: that is an error
 * naming both, never a guess.
 *
 * Plain C: no server headers; memory and errors go through SmEnv.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/fmt_common.h"
#include "formats/formats_b.h"
#include "formats/formats_a.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static Migration **fmt_dispatch(const SmFiles *f, SmFormat fmt, int *n_out);

static const char *const format_names[] = {
	"native", "golang-migrate", "Flyway", "dbmate", "goose", "diesel", "sqitch",
	"Liquibase", "graphile-migrate", "Hasura", "Drizzle",
	/* issue 16, part A */
	"sqlx", "Prisma Migrate", "Atlas", "tern", "node-pg-migrate", "Postgrator",
	"Supabase CLI"
};

const char *
fmt_name(SmFormat fmt)
{
	return format_names[fmt];
}

/* ---------- detection ---------- */

/* Does a line of text start with the comment marker "-- <word>"? */
static bool
has_marker_line(const char *text, const char *word, bool nocase)
{
	const char *cur = text,
			   *end = text + strlen(text),
			   *ls,
			   *le;
	size_t		wl = strlen(word);

	while (fmt_next_line(end, &cur, &ls, &le))
	{
		while (ls < le && (*ls == ' ' || *ls == '\t'))
			ls++;
		if (le - ls < 2 || ls[0] != '-' || ls[1] != '-')
			continue;
		ls += 2;
		while (ls < le && (*ls == ' ' || *ls == '\t'))
			ls++;
		if ((size_t) (le - ls) >= wl &&
			(nocase ? strncasecmp(ls, word, wl) : strncmp(ls, word, wl)) == 0 &&
			((size_t) (le - ls) == wl || isspace((unsigned char) ls[wl])))
			return true;
	}
	return false;
}

static bool
is_golang_name(const char *name)
{
	size_t		d = fmt_digits(name);

	return d > 0 && name[d] == '_' &&
		(fmt_has_suffix(name, ".up.sql") || fmt_has_suffix(name, ".down.sql"));
}

static bool
is_flyway_name(const char *name)
{
	if (strncmp(name, "R__", 3) == 0 || fmt_flyway_callback(name))
		return true;
	return (name[0] == 'V' || name[0] == 'U') &&
		isdigit((unsigned char) name[1]) && strstr(name, "__") != NULL;
}

/* A *.sql entry at the top of the set. */
static SmFormat
classify_sql(const SmFiles *f, const char *name)
{
	const char *text;
	size_t		len;

	if (is_golang_name(name))
		return SM_FMT_GOLANG_MIGRATE;
	if (is_flyway_name(name))
		return SM_FMT_FLYWAY;
	if (fmt_digits(name) == 0)
		return SM_FMT_NATIVE;
	text = f->read(f->arg, name, &len, false);
	if (has_marker_line(text, "migrate:up", false))
		return SM_FMT_DBMATE;
	if (has_marker_line(text, "+goose up", true))
		return SM_FMT_GOOSE;
	return SM_FMT_NATIVE;
}

static bool
dir_has_file(const SmFiles *f, const char *dir, const char *file)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, dir, &ents);

	for (int i = 0; i < n; i++)
		if (!ents[i].is_dir && strcmp(ents[i].name, file) == 0)
			return true;
	return false;
}

/* The format an entry belongs to, or -1 when it belongs to none. */
static int
classify_entry(const SmFiles *f, const SmDirEntry *e, bool has_plan,
			   bool has_diesel)
{
	if (e->is_dir)
	{
		if (has_plan && (strcmp(e->name, "deploy") == 0 ||
						 strcmp(e->name, "revert") == 0 ||
						 strcmp(e->name, "verify") == 0))
			return SM_FMT_SQITCH;
		return dir_has_file(f, e->name, "up.sql") ? SM_FMT_DIESEL : -1;
	}
	if (strcmp(e->name, "sqitch.plan") == 0)
		return SM_FMT_SQITCH;
	if (!fmt_has_suffix(e->name, ".sql") || strlen(e->name) <= 4)
		return -1;
	{
		SmFormat	k = classify_sql(f, e->name);

		/*
		 * sqitch reads only the scripts the plan names and diesel only the
		 * migration directories, so a project's other SQL files there (seed
		 * data, a schema dump) are no migrations; a file named in another
		 * tool's way still makes the set ambiguous.
		 */
		if ((has_plan || has_diesel) && k == SM_FMT_NATIVE)
			return -1;
		return k;
	}
}

/* Two entries disagree: say which, with a hint for the usual mistakes. */
static void
fail_mixed(const SmFiles *f, const char *a, SmFormat fa, const char *b,
		   SmFormat fb)
{
	char		detail[1024];
	const char *native = fa == SM_FMT_NATIVE ? a : fb == SM_FMT_NATIVE ? b : NULL;
	const char *hint = "Keep one tool's files per set: move the others to a set of their own.";

	snprintf(detail, sizeof(detail),
			 "\"%s\" is a %s migration and \"%s\" is a %s migration.",
			 a, fmt_name(fa), b, fmt_name(fb));
	if (native && (native[0] == 'V' || native[0] == 'U' || native[0] == 'R') &&
		(fa == SM_FMT_FLYWAY || fb == SM_FMT_FLYWAY))
		hint = "Flyway file names separate version and description with two underscores: V1__init.sql, U1__init.sql, R__views.sql.";
	else if (native && (strstr(native, ".up.") || strstr(native, ".down.")))
		hint = "golang-migrate file names are {version}_{title}.up.sql and {version}_{title}.down.sql.";
	sm_fail(f->env, SM_ERR_MALFORMED, b, 0, detail, hint,
			"migration set mixes formats: files \"%s\" and \"%s\"", a, b);
}

SmFormat
fmt_detect(const SmFiles *f)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	bool		has_plan = false;
	bool		has_diesel = false;
	int			found = -1;
	const char *found_name = NULL;
	FaLayout	lay;

	int		   *kb = n ? sm_alloc(f->env, sizeof(int) * n) : NULL;
	fa_layout(f, ents, n, &lay);
	for (int i = 0; i < n; i++)
	{
		if (!ents[i].is_dir && strcmp(ents[i].name, "sqitch.plan") == 0)
			has_plan = true;
		if (ents[i].is_dir && dir_has_file(f, ents[i].name, "up.sql"))
			has_diesel = true;
		/* Liquibase, graphile-migrate, Hasura, Drizzle (detect_b.c) */
		kb[i] = fmt_classify_b(f, &ents[i], &has_diesel);
	}
	for (int i = 0; i < n; i++)
	{
		int			k = kb[i] >= 0 ? kb[i] : fa_classify(f, &ents[i], &lay);

		if (k == FA_NOT_MINE)
			k = classify_entry(f, &ents[i], has_plan, has_diesel);
		if (k < 0)
			continue;
		if (found < 0)
		{
			found = k;
			found_name = ents[i].name;
		}
		else if (k != found && !fa_compatible(&found, k))
			fail_mixed(f, found_name, (SmFormat) found, ents[i].name,
					   (SmFormat) k);
	}
	return found < 0 ? SM_FMT_NATIVE : (SmFormat) found;
}

/*
 * A folder that holds entries of which no reader made a migration (a
 * Rails folder of <ts>_<name>.rb files, say) must not
 * read as an empty set that every upgrade leaves at base: say what is there.
 * A folder with nothing in it (a new project's) is an empty set.
 */
static void
check_something_read(const SmFiles *f, SmFormat fmt, int n_read)
{
	SmDirEntry *ents;
	int			n = f->list(f->arg, "", &ents);
	int			n_dirs = 0;
	char		names[400];
	size_t		l = 0;
	char		detail[700];

	if (n_read > 0 || n == 0)
		return;
	names[0] = '\0';
	for (int i = 0; i < n; i++)
	{
		n_dirs += ents[i].is_dir;
		if (i < 5 && l < sizeof(names) - 1)
			l += snprintf(names + l, sizeof(names) - l, "%s%s%s",
						  i ? ", " : "", ents[i].name, ents[i].is_dir ? "/" : "");
		if (l >= sizeof(names))
			l = sizeof(names) - 1;
	}
	snprintf(detail, sizeof(detail),
			 "Read as a %s set, the folder's %d entr%s (%d director%s) hold%s no migration: %s%s.",
			 fmt_name(fmt), n, n == 1 ? "y" : "ies", n_dirs, n_dirs == 1 ? "y" : "ies",
			 n == 1 ? "s" : "", names, n > 5 ? ", ..." : "");
	{
		/* the tools from format_names, so that a new reader is named too */
		int			nf = (int) (sizeof(format_names) / sizeof(format_names[0]));
		char		hint[512];
		size_t		hl;

		hl = snprintf(hint, sizeof(hint),
					  "schema_migrate reads native {revision}_{message}.sql files and the folders of ");
		for (int i = 1; i < nf && hl < sizeof(hint); i++)
			hl += snprintf(hint + hl, sizeof(hint) - hl, "%s%s", format_names[i],
						   i + 1 == nf ? "" : i + 2 == nf ? " and " : ", ");
		if (hl < sizeof(hint))
			snprintf(hint + hl, sizeof(hint) - hl,
					 " (see \"Coming from other tools\" in the README); convert the migrations to one of those layouts.");
		sm_fail(f->env, SM_ERR_MALFORMED, NULL, 0, detail, hint,
				"migration set has files but no migrations");
	}
}

Migration **
fmt_read(const SmFiles *f, SmFormat fmt, int *n_out)
{
	Migration **migs = fmt_dispatch(f, fmt, n_out);

	check_something_read(f, fmt, *n_out);
	return migs;
}

static Migration **
fmt_dispatch(const SmFiles *f, SmFormat fmt, int *n_out)
{
	switch (fmt)
	{
		case SM_FMT_NATIVE:
			return fmt_read_native(f, n_out);
		case SM_FMT_GOLANG_MIGRATE:
			return fmt_read_golang_migrate(f, n_out);
		case SM_FMT_FLYWAY:
			return fmt_read_flyway(f, n_out);
		case SM_FMT_DBMATE:
			return fmt_read_dbmate(f, n_out);
		case SM_FMT_GOOSE:
			return fmt_read_goose(f, n_out);
		case SM_FMT_DIESEL:
			return fmt_read_diesel(f, n_out);
		case SM_FMT_SQITCH:
			return fmt_read_sqitch(f, n_out);
		case SM_FMT_LIQUIBASE:
			return fmt_read_liquibase(f, n_out);
		case SM_FMT_GRAPHILE:
			return fmt_read_graphile(f, n_out);
		case SM_FMT_HASURA:
			return fmt_read_hasura(f, n_out);
		case SM_FMT_DRIZZLE:
			return fmt_read_drizzle(f, n_out);
			/* issue 16, part A */
		case SM_FMT_SQLX:
			return fmt_read_sqlx(f, n_out);
		case SM_FMT_PRISMA:
			return fmt_read_prisma(f, n_out);
		case SM_FMT_ATLAS:
			return fmt_read_atlas(f, n_out);
		case SM_FMT_TERN:
			return fmt_read_tern(f, n_out);
		case SM_FMT_NODE_PG_MIGRATE:
			return fmt_read_node_pg_migrate(f, n_out);
		case SM_FMT_POSTGRATOR:
			return fmt_read_postgrator(f, n_out);
		case SM_FMT_SUPABASE:
			return fmt_read_supabase(f, n_out);
	}
	return fmt_read_native(f, n_out);
}
