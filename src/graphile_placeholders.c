/*-------------------------------------------------------------------------
 *
 * graphile_placeholders.c
 *	  The values of graphile-migrate's placeholders, for the reader
 *	  (src/formats/graphile.c).
 *
 * graphile-migrate (settings.js, migration.js) replaces in each migration
 * :DATABASE_NAME by the database of its connection string, :DATABASE_OWNER
 * by its "databaseOwner" setting, which defaults to the user of the
 * connection string (or else the database name), and the names of its
 * .gmrc "placeholders" object by their values.  The server does not read
 * .gmrc: it lives in the project folder, above the migrations folder that
 * is installed as a set, it is JSON5 or JavaScript (.gmrc.js), and its
 * values are often "!ENV", the client's environment.  So the built-in
 * ones come from the server (current_database() and session_user, the
 * role that logged in as the connection string's user does), and the
 * user's own from schema_migrate.graphile_placeholders:
 *
 *	 SET schema_migrate.graphile_placeholders = ':DATABASE_VISITOR=app_visitor, :ROOT=app';
 *
 * Items are separated by commas; a value may be written in double quotes
 * ("" for a quote) to hold commas or blanks at its ends.  ":DATABASE_OWNER"
 * stands for the databaseOwner setting; ":DATABASE_NAME" cannot be given,
 * as graphile-migrate refuses to clobber it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "graphile_placeholders.h"
#include "formats/formats_b.h"

#include "commands/dbcommands.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/guc.h"

char	   *sm_graphile_placeholders = NULL;

typedef struct PhItem
{
	char	   *name;			/* ":NAME" */
	char	   *value;
} PhItem;

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* graphile-migrate's rule for placeholder keys: ^:[A-Z][0-9A-Z_]+$ */
static bool
valid_key(const char *k)
{
	if (k[0] != ':' || !(k[1] >= 'A' && k[1] <= 'Z') || k[2] == '\0')
		return false;
	for (const char *p = k + 2; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

/*
 * Split the setting into items.  Returns false with *why set on a syntax
 * error.  The strings are palloc'd in the current context.
 */
static bool
parse_items(const char *s, List **items, char **why)
{
	const char *p = s;

	*items = NIL;
	while (is_blank(*p))
		p++;
	while (*p)
	{
		StringInfoData key,
					val;
		PhItem	   *it;
		ListCell   *lc;

		initStringInfo(&key);
		initStringInfo(&val);
		while (*p && *p != '=' && *p != ',')
			appendStringInfoChar(&key, *p++);
		while (key.len > 0 && is_blank(key.data[key.len - 1]))
			key.data[--key.len] = '\0';
		if (*p != '=')
		{
			*why = psprintf("Item \"%s\" has no \"=\"; write \":NAME=value\".", key.data);
			return false;
		}
		p++;
		while (is_blank(*p))
			p++;
		if (*p == '"')
		{
			for (p++;; p++)
			{
				if (*p == '\0')
				{
					*why = psprintf("The value of \"%s\" has no closing double quote.", key.data);
					return false;
				}
				if (*p == '"' && p[1] == '"')
					appendStringInfoChar(&val, *p++);
				else if (*p == '"')
					break;
				else
					appendStringInfoChar(&val, *p);
			}
			p++;
			while (is_blank(*p))
				p++;
			if (*p && *p != ',')
			{
				*why = psprintf("The quoted value of \"%s\" is followed by text; put a comma between items.", key.data);
				return false;
			}
		}
		else
		{
			while (*p && *p != ',')
				appendStringInfoChar(&val, *p++);
			while (val.len > 0 && is_blank(val.data[val.len - 1]))
				val.data[--val.len] = '\0';
		}
		it = palloc(sizeof(PhItem));
		it->name = key.data[0] == ':' ? key.data : psprintf(":%s", key.data);
		it->value = val.data;
		if (!valid_key(it->name))
		{
			*why = psprintf("Invalid placeholders key '%s' - expected to follow format ':ABCD_EFG_HIJ' (as graphile-migrate requires).",
							it->name);
			return false;
		}
		if (strcmp(it->name, ":DATABASE_NAME") == 0)
		{
			*why = pstrdup("graphile-migrate sets :DATABASE_NAME to the database it migrates and refuses to clobber it; it is current_database() here.");
			return false;
		}
		foreach(lc, *items)
		{
			if (strcmp(((PhItem *) lfirst(lc))->name, it->name) == 0)
			{
				*why = psprintf("Placeholder \"%s\" is given twice.", it->name);
				return false;
			}
		}
		*items = lappend(*items, it);
		if (*p == ',')
			p++;
		while (is_blank(*p))
			p++;
	}
	return true;
}

bool
graphile_placeholders_check(char **newval, void **extra, GucSource source)
{
	List	   *items;
	char	   *why = NULL;

	if (*newval == NULL || parse_items(*newval, &items, &why))
		return true;
	GUC_check_errmsg("invalid value for parameter \"schema_migrate.graphile_placeholders\"");
	GUC_check_errdetail("%s", why);
	GUC_check_errhint("Give \":NAME=value\" items separated by commas, e.g. ':DATABASE_VISITOR=app_visitor, :ROOT_ROLE=app'.");
	return false;
}

const FmtPlaceholders *
graphile_placeholders(void)
{
	FmtPlaceholders *ph = palloc0(sizeof(FmtPlaceholders));
	List	   *items = NIL;
	char	   *why;
	const char *owner = NULL;
	int			n;
	ListCell   *lc;

	/* the check hook accepted the value, so it parses */
	if (sm_graphile_placeholders && !parse_items(sm_graphile_placeholders, &items, &why))
		items = NIL;
	n = list_length(items) + 2;
	ph->names = palloc(sizeof(char *) * n);
	ph->values = palloc(sizeof(char *) * n);
	foreach(lc, items)
	{
		PhItem	   *it = lfirst(lc);

		if (strcmp(it->name, ":DATABASE_OWNER") == 0)
		{
			owner = it->value;
			continue;
		}
		ph->names[ph->n] = it->name;
		ph->values[ph->n++] = it->value;
	}
	ph->names[ph->n] = ":DATABASE_NAME";
	ph->values[ph->n++] = get_database_name(MyDatabaseId);
	ph->names[ph->n] = ":DATABASE_OWNER";
	ph->values[ph->n++] = owner ? owner : GetUserNameFromId(GetSessionUserId(), false);
	return ph;
}

char *
graphile_placeholders_key(void)
{
	return psprintf("%u:%s", GetSessionUserId(),
					sm_graphile_placeholders ? sm_graphile_placeholders : "");
}
