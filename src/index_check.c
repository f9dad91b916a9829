/*-------------------------------------------------------------------------
 *
 * index_check.c
 *	  After CREATE INDEX CONCURRENTLY in a background worker: is the index
 *	  valid?  A build that failed half-way leaves an invalid index behind,
 *	  and one that "succeeded" with IF NOT EXISTS may have skipped silently
 *	  over such a leftover.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "nodes/parsenodes.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

/*
 * Whether the indexes a CREATE INDEX (CONCURRENTLY) statement built are
 * valid: the named one, or, for an unnamed index, every index of the
 * table.  The table is resolved with the caller's search_path.  Only
 * catalog lookups, no lock on the table: the caller may wait for a worker
 * that needs a strong lock on it next.  *invalid_name gets the first
 * invalid index's name.
 */
static bool
index_is_valid(const IndexStmt *stmt, char **invalid_name)
{
	Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	Relation	pg_index;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		valid = true;

	if (invalid_name)
		*invalid_name = NULL;
	if (!OidIsValid(relid))
		return false;

	pg_index = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(pg_index, IndexIndrelidIndexId, true, NULL, 1, &key);
	while (valid && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);
		char	   *name = get_rel_name(idx->indexrelid);

		if (stmt->idxname && (name == NULL || strcmp(name, stmt->idxname) != 0))
			continue;
		if (!idx->indisvalid)
		{
			valid = false;
			if (invalid_name)
				*invalid_name = name;
		}
	}
	systable_endscan(scan);
	table_close(pg_index, AccessShareLock);
	/* the lookups took a catalog snapshot; a worker may come next */
	InvalidateCatalogSnapshot();
	return valid;
}

/*
 * True when the indexes stmt built are valid; otherwise false, with the
 * error's message, detail and hint, written here once for every caller.
 */
bool
index_check_valid(const IndexStmt *stmt, char **message, char **detail,
				  char **hint)
{
	char	   *invalid;

	if (index_is_valid(stmt, &invalid))
		return true;
	*message = psprintf("index \"%s\" is not valid after CREATE INDEX CONCURRENTLY",
						invalid ? invalid : stmt->idxname ? stmt->idxname : "?");
	*detail = pstrdup("A failed build left it behind (indisvalid = false): this one, or an earlier one that IF NOT EXISTS skipped over.");
	*hint = pstrdup("Drop it with DROP INDEX CONCURRENTLY, then run the statement again.");
	return false;
}

/*
 * After sql ran as a top-level statement: if it was CREATE INDEX
 * CONCURRENTLY, raise the error of index_check_valid for an invalid index.
 */
void
index_check_after(const char *sql)
{
	List	   *stmts = sm_raw_parser(sql);
	IndexStmt  *stmt;
	char	   *message,
			   *detail,
			   *hint;

	if (list_length(stmts) != 1 ||
		!IsA(linitial_node(RawStmt, stmts)->stmt, IndexStmt))
		return;
	stmt = (IndexStmt *) linitial_node(RawStmt, stmts)->stmt;
	if (!stmt->concurrent || index_check_valid(stmt, &message, &detail, &hint))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("%s", message),
			 errdetail("%s", detail),
			 errhint("%s", hint)));
}
