/*-------------------------------------------------------------------------
 *
 * set_locate.c
 *	  Where a set is: its name checked to be a plain name (files are read
 *	  as the server's OS user, so SQL privileges do not guard them), a
 *	  tenant's "set@schema" taken apart, the sets' root directory and the
 *	  set's own directory.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include <sys/stat.h>
#include <unistd.h>

#include "catalog/namespace.h"
#include "miscadmin.h"

/* realpath() into palloc'd memory, or NULL with errno set. */
char *
locate_real_path(const char *path)
{
	char	   *r = realpath(path, NULL);
	char	   *copy;

	if (r == NULL)
		return NULL;
	copy = pstrdup(r);
	free(r);
	return copy;
}

static bool
valid_set_name(const char *name)
{
	size_t		len = strlen(name);

	if (len == 0 || len > NAMEDATALEN - 1 || name[0] == '.' || strstr(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!(isalnum((unsigned char) *p) || *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

/* The set to use: the argument, or schema_migrate.set; checked. */
const char *
locate_resolve_name(const char *set_name)
{
	const char *name = set_name ? set_name : sm_set;

	if (name == NULL || !valid_set_name(name))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid migration set name \"%s\"", name ? name : ""),
				 errdetail("A set name is 1 to 63 letters, digits, \"_\", \"-\" or \".\", and does not start with \".\" or contain \"..\"."),
				 errhint("Set schema_migrate.set, or pass the set name, to the name of a folder under schema_migrate.path.")));
	return name;
}

/* The directory holding the sets: schema_migrate.path or the default. */
char *
locate_root(void)
{
	char		share[MAXPGPATH];

	if (sm_path && sm_path[0] != '\0')
	{
		if (!is_absolute_path(sm_path))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("schema_migrate.path must be an absolute path")));
		return pstrdup(sm_path);
	}
	get_share_path(my_exec_path, share);
	return psprintf("%s/schema_migrate", share);
}

/* A set's directory, which must exist; *real_dir gets it resolved. */
char *
locate_directory(const char *name, char **real_dir)
{
	char	   *dir = psprintf("%s/%s", locate_root(), name);
	struct stat st;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("migration set \"%s\" does not exist", name),
				 errdetail("Directory \"%s\" is missing or is not a directory.", dir),
				 errhint("Install the set's files into that directory, or set schema_migrate.set or schema_migrate.path.")));
	if ((*real_dir = locate_real_path(dir)) == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not resolve directory \"%s\": %m", dir)));
	return dir;
}

/*
 * Take "set@schema" apart, in this one place: the set's files applied to
 * one tenant's schema, with its own version state (the whole name is the
 * key).  No argument means schema_migrate.set.  Nothing is checked yet.
 */
SetName
locate_split(const char *set_name)
{
	SetName		n;
	const char *at;

	n.full = set_name ? set_name : sm_set;
	at = n.full ? strchr(n.full, '@') : NULL;
	n.base = at ? pnstrdup(n.full, at - n.full) : n.full;
	n.tenant = at ? at + 1 : NULL;
	return n;
}

/*
 * A tenant's schema must be a plain name and must exist: its migrations
 * would otherwise create objects elsewhere on the search_path.  Raises,
 * or returns false when !raise; true for a name without a tenant.
 */
bool
locate_check_tenant(const SetName *name, bool raise)
{
	if (name->tenant == NULL)
		return true;
	if (!valid_set_name(name->tenant))
	{
		if (!raise)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid tenant schema name \"%s\"", name->tenant),
				 errhint("Write \"set@schema\" with a plain schema name.")));
	}
	if (!OidIsValid(get_namespace_oid(name->tenant, true)))
	{
		if (!raise)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" of tenant \"%s\" does not exist", name->tenant, name->full),
				 errhint("Create the tenant's schema first: its migrations would otherwise create objects elsewhere on the search_path.")));
	}
	return true;
}
