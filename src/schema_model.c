/*-------------------------------------------------------------------------
 *
 * schema_model.c
 *	  Catalogs -> schema model, through SPI.
 *
 * One query per kind of object, each returning the same columns (see
 * OBJ_COLUMNS): the key, the canonical text to compare, and the statements
 * that create, drop and alter the object, all printed by the server
 * itself (pg_get_*def, format_type, format('%I')).  The queries run with
 * search_path = pg_catalog, so every name they print is schema-qualified.
 *
 * Dependencies come from pg_depend: each object row carries the catalog
 * address (classid, objid, objsubid) it stands for, an alias query adds
 * the addresses that stand for an object without being it (a view's
 * rewrite rule, a constraint's index, a table's row type, an array type,
 * a column default, an identity column's sequence), and every pg_depend
 * row whose two ends are in the model becomes a dependency.
 *
 * Left out: the catalogs' own schemas, schema_migrate itself (and its
 * schema when it is not public), and every member of an extension
 * (pg_depend deptype 'e'); the extensions themselves are in.
 *
 * Rename hints: an object whose comment starts with "renamed from: NAME"
 * (tables, views, materialized views, sequences, indexes, types, domains
 * and columns) carries NAME as its earlier name; the differ turns a drop
 * of NAME plus an add of the object into a rename (and the other way
 * round for the down direction).
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "schema_model.h"

/* the excluded schemas, as a condition on n.nspname */
#define NSP_OK(n) \
	"(" n ".nspname NOT IN ('pg_catalog', 'information_schema') AND " n ".nspname !~ '^pg_(toast|temp_)' " \
	"AND NOT (" n ".nspname <> 'public' AND " n ".oid IN (SELECT extnamespace FROM pg_extension WHERE extname = 'schema_migrate')))"

/* not a member of any extension */
#define NOT_MEMBER(cls, oid) \
	"NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" cls "'::regclass AND e.objid = " oid " AND e.deptype = 'e')"

/* the rename hint of an object, from its comment */
#define HINT(cls, oid, sub) \
	"(SELECT substring(d.description FROM '^renamed from: *([^[:space:]]+)') FROM pg_description d " \
	"WHERE d.classoid = '" cls "'::regclass AND d.objoid = " oid " AND d.objsubid = " sub ")"

/*
 * Column order of every object query:
 *  0 key, 1 kind, 2 name, 3 parent, 4 def, 5 rebuild, 6 create[], 7 drop[],
 *  8 alter[], 9 head, 10 tail, 11 inline, 12 deps[], 13 renamed_from,
 *  14 rename, 15 unrename, 16 position, 17 special, 18 labels[], 19 extra[],
 *  20 classid, 21 objid, 22 objsubid
 */
#define NCOLS 23

/* tables, partitions, columns and their attributes share this FROM ... WHERE */
#define REL_FROM_PRE \
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace" \
	" CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, c.oid, 0) io" \
	" CROSS JOIN LATERAL (SELECT 'table ' || io.identity AS tkey, io.identity AS t) x"
#define REL_WHERE \
	" WHERE c.relkind IN ('r', 'p') AND " NSP_OK("n") " AND " NOT_MEMBER("pg_class", "c.oid")

/* ... and columns, local ones of tables only (a partition's are inherited) */
#define COL_FROM_PRE \
	REL_FROM_PRE \
	" JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attislocal" \
	" CROSS JOIN LATERAL (SELECT x.t || '.' || quote_ident(a.attname) AS col, 'column ' || x.t || '.' || quote_ident(a.attname) AS ckey," \
	"   format('ALTER TABLE %s ALTER COLUMN %I ', x.t, a.attname) AS alt) y"

/*
 * Extended statistics (CREATE STATISTICS): the definition from
 * pg_get_statisticsobjdef; the statistics target (ALTER STATISTICS ... SET
 * STATISTICS, -1 the default) is the one part altered in place, so the
 * definition is the rebuild text.  Its table is its parent: dropping the
 * table drops it; pg_depend orders it after the columns it covers.
 */
#define STATISTICS_QUERY \
	"SELECT 'statistics ' || sio.identity, 'statistics', sio.identity, pk.pkey," \
	" pg_get_statisticsobjdef(s.oid) || ' STATISTICS ' || s.stxstattarget, pg_get_statisticsobjdef(s.oid)," \
	" ARRAY[pg_get_statisticsobjdef(s.oid)] || CASE WHEN s.stxstattarget >= 0" \
	"   THEN ARRAY[format('ALTER STATISTICS %s SET STATISTICS %s', sio.identity, s.stxstattarget)] ELSE '{}'::text[] END," \
	" ARRAY[format('DROP STATISTICS %s', sio.identity)]," \
	" ARRAY[format('ALTER STATISTICS %s SET STATISTICS %s', sio.identity, s.stxstattarget)]," \
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL," \
	" 'pg_statistic_ext'::regclass, s.oid, 0" \
	" FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace JOIN pg_class c ON c.oid = s.stxrelid" \
	" CROSS JOIN LATERAL pg_identify_object('pg_statistic_ext'::regclass, s.oid, 0) sio" \
	" CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, c.oid, 0) tio" \
	" CROSS JOIN LATERAL (SELECT CASE c.relkind WHEN 'm' THEN 'materialized view ' ELSE 'table ' END || tio.identity AS pkey) pk" \
	" WHERE " NSP_OK("n") " AND " NOT_MEMBER("pg_statistic_ext", "s.oid") " AND " NOT_MEMBER("pg_class", "c.oid")

/*
 * Indexes of partitions attached to an index of their parent (not those of
 * constraints).  PostgreSQL clones a partitioned index onto each partition
 * under a generated name, but a history may create the partition's index
 * first under a name of its own and attach it (ALTER INDEX ... ATTACH
 * PARTITION): the name is part of the schema.  Created on the partition
 * before its parent index (the differ orders it so; extra[0] is the parent
 * index's key), CREATE INDEX on the parent then attaches it instead of
 * making a clone.  IF NOT EXISTS: a partition created later under an
 * existing parent index already has its clone, usually of that name.
 */
#define ATTACHED_INDEX_QUERY \
	"SELECT 'index ' || iio.identity, 'index', iio.identity, 'table ' || tio.identity, d.def, NULL," \
	" ARRAY[regexp_replace(d.def, '^CREATE (UNIQUE )?INDEX ', 'CREATE \\1INDEX IF NOT EXISTS ')]," \
	" ARRAY[format('DROP INDEX %s', iio.identity)], NULL," \
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 'attached index', NULL, ARRAY['index ' || pio.identity]," \
	" 'pg_class'::regclass, ic.oid, 0" \
	" FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid" \
	" JOIN pg_namespace n ON n.oid = ic.relnamespace" \
	" JOIN pg_inherits ih ON ih.inhrelid = ic.oid" \
	" CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, ic.oid, 0) iio" \
	" CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, c.oid, 0) tio" \
	" CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, ih.inhparent, 0) pio" \
	" CROSS JOIN LATERAL (SELECT CASE WHEN c.relkind = 'p' THEN replace(pg_get_indexdef(ic.oid), ' ON ONLY ', ' ON ')" \
	"   ELSE pg_get_indexdef(ic.oid) END AS def) d" \
	" WHERE c.relkind IN ('r', 'p') AND c.relispartition AND " NSP_OK("n") " AND " NOT_MEMBER("pg_class", "c.oid") \
	" AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_class'::regclass AND i.objid = ic.oid" \
	"   AND i.refclassid = 'pg_constraint'::regclass AND i.deptype = 'i')"

/*
 * ... and the attachment itself: a partition's index may exist unattached
 * at one point of a history and be attached at the next.  Attaching an
 * index already attached to that parent does nothing, so after a parent
 * index created in the same script (which attached it) it is harmless.
 */
#define INDEX_ATTACHMENT_QUERY \
	"SELECT 'index attachment ' || iio.identity, 'index attachment', iio.identity, 'index ' || iio.identity, pio.identity, NULL," \
	" ARRAY[format('ALTER INDEX %s ATTACH PARTITION %s', pio.identity, iio.identity)], NULL, NULL," \
	" NULL, NULL, NULL, ARRAY['index ' || pio.identity], NULL, NULL, NULL, 0, NULL, NULL, NULL," \
	" NULL, NULL, NULL" \
	" FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid" \
	" JOIN pg_namespace n ON n.oid = ic.relnamespace" \
	" JOIN pg_inherits ih ON ih.inhrelid = ic.oid" \
	" CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, ic.oid, 0) iio" \
	" CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, ih.inhparent, 0) pio" \
	" WHERE c.relkind IN ('r', 'p') AND c.relispartition AND " NSP_OK("n") " AND " NOT_MEMBER("pg_class", "c.oid") \
	" AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_class'::regclass AND i.objid = ic.oid" \
	"   AND i.refclassid = 'pg_constraint'::regclass AND i.deptype = 'i')"

static const char *const object_queries[] = {
	/* schemas */
	"SELECT 'schema ' || io.identity, 'schema', io.identity, NULL, format('CREATE SCHEMA %I', n.nspname), NULL,"
	" ARRAY[format('CREATE SCHEMA %I', n.nspname)], ARRAY[format('DROP SCHEMA %I', n.nspname)], NULL,"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,"
	" 'pg_namespace'::regclass, n.oid, 0"
	" FROM pg_namespace n, LATERAL pg_identify_object('pg_namespace'::regclass, n.oid, 0) io"
	" WHERE " NSP_OK("n") " AND " NOT_MEMBER("pg_namespace", "n.oid"),

	/* extensions (not schema_migrate itself) */
	"SELECT 'extension ' || quote_ident(x.extname), 'extension', quote_ident(x.extname), NULL,"
	" format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I VERSION %L', x.extname, n.nspname, x.extversion),"
	" n.nspname,"
	" ARRAY[format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I VERSION %L', x.extname, n.nspname, x.extversion)],"
	" ARRAY[format('DROP EXTENSION %I', x.extname)],"
	" ARRAY[format('ALTER EXTENSION %I UPDATE TO %L', x.extname, x.extversion)],"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,"
	" 'pg_extension'::regclass, x.oid, 0"
	" FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extname <> 'schema_migrate'",

	/* enums */
	"SELECT 'type ' || io.identity, 'type', io.identity, NULL,"
	" format('CREATE TYPE %s AS ENUM (%s)', io.identity, l.list), NULL,"
	" ARRAY[format('CREATE TYPE %s AS ENUM (%s)', io.identity, l.list)], ARRAY[format('DROP TYPE %s', io.identity)], NULL,"
	" NULL, NULL, NULL, NULL, h.hint, CASE WHEN h.hint IS NOT NULL THEN format('ALTER TYPE %I.%I RENAME TO %I', n.nspname, h.hint, t.typname) END,"
	" CASE WHEN h.hint IS NOT NULL THEN format('ALTER TYPE %s RENAME TO %I', io.identity, h.hint) END, 0, 'enum', l.labels,"
	" ARRAY[format('ALTER TYPE %s RENAME TO %I', io.identity, t.typname || '__sm_old'),"
	"       format('DROP TYPE %I.%I', n.nspname, t.typname || '__sm_old')],"
	" 'pg_type'::regclass, t.oid, 0"
	" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace,"
	" LATERAL pg_identify_object('pg_type'::regclass, t.oid, 0) io,"
	" LATERAL (SELECT coalesce(string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder), '') AS list,"
	"          coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder), '{}') AS labels"
	"          FROM pg_enum e WHERE e.enumtypid = t.oid) l,"
	" LATERAL (SELECT " HINT("pg_type", "t.oid", "0") " AS hint) h"
	" WHERE t.typtype = 'e' AND " NSP_OK("n") " AND " NOT_MEMBER("pg_type", "t.oid"),

	/* domains: base type and collation fixed, default and NOT NULL altered in place */
	"SELECT 'domain ' || io.identity, 'domain', io.identity, NULL,"
	" format('CREATE DOMAIN %s AS %s%s%s%s', io.identity, format_type(t.typbasetype, t.typtypmod), co.c,"
	"   CASE WHEN t.typdefaultbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(t.typdefaultbin, 0) ELSE '' END,"
	"   CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END),"
	" format_type(t.typbasetype, t.typtypmod) || co.c,"
	" ARRAY[format('CREATE DOMAIN %s AS %s%s%s%s', io.identity, format_type(t.typbasetype, t.typtypmod), co.c,"
	"   CASE WHEN t.typdefaultbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(t.typdefaultbin, 0) ELSE '' END,"
	"   CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END)],"
	" ARRAY[format('DROP DOMAIN %s', io.identity)],"
	" ARRAY[CASE WHEN t.typdefaultbin IS NOT NULL THEN format('ALTER DOMAIN %s SET DEFAULT %s', io.identity, pg_get_expr(t.typdefaultbin, 0))"
	"            ELSE format('ALTER DOMAIN %s DROP DEFAULT', io.identity) END,"
	"       format('ALTER DOMAIN %s %s NOT NULL', io.identity, CASE WHEN t.typnotnull THEN 'SET' ELSE 'DROP' END)],"
	" NULL, NULL, NULL, NULL, h.hint, CASE WHEN h.hint IS NOT NULL THEN format('ALTER DOMAIN %I.%I RENAME TO %I', n.nspname, h.hint, t.typname) END,"
	" CASE WHEN h.hint IS NOT NULL THEN format('ALTER DOMAIN %s RENAME TO %I', io.identity, h.hint) END, 0, NULL, NULL, NULL,"
	" 'pg_type'::regclass, t.oid, 0"
	" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace,"
	" LATERAL pg_identify_object('pg_type'::regclass, t.oid, 0) io,"
	" LATERAL (SELECT CASE WHEN t.typcollation <> 0 AND t.typcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)"
	"          THEN ' COLLATE ' || (SELECT format('%I.%I', cn.nspname, cl.collname) FROM pg_collation cl JOIN pg_namespace cn ON cn.oid = cl.collnamespace WHERE cl.oid = t.typcollation)"
	"          ELSE '' END AS c) co,"
	" LATERAL (SELECT " HINT("pg_type", "t.oid", "0") " AS hint) h"
	" WHERE t.typtype = 'd' AND " NSP_OK("n") " AND " NOT_MEMBER("pg_type", "t.oid"),

	/* domain constraints */
	"SELECT 'domain constraint ' || io.identity, 'domain constraint', io.identity, 'domain ' || dio.identity,"
	" pg_get_constraintdef(k.oid), NULL,"
	" ARRAY[format('ALTER DOMAIN %s ADD CONSTRAINT %I %s', dio.identity, k.conname, pg_get_constraintdef(k.oid))],"
	" ARRAY[format('ALTER DOMAIN %s DROP CONSTRAINT %I', dio.identity, k.conname)], NULL,"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,"
	" 'pg_constraint'::regclass, k.oid, 0"
	" FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid JOIN pg_namespace n ON n.oid = t.typnamespace,"
	" LATERAL pg_identify_object('pg_constraint'::regclass, k.oid, 0) io,"
	" LATERAL pg_identify_object('pg_type'::regclass, t.oid, 0) dio"
	" WHERE " NSP_OK("n") " AND " NOT_MEMBER("pg_type", "t.oid"),

	/* composite types */
	"SELECT 'type ' || io.identity, 'type', io.identity, NULL,"
	" format('CREATE TYPE %s AS (%s)', io.identity, a.list), NULL,"
	" ARRAY[format('CREATE TYPE %s AS (%s)', io.identity, a.list)], ARRAY[format('DROP TYPE %s', io.identity)], NULL,"
	" NULL, NULL, NULL, NULL, h.hint, CASE WHEN h.hint IS NOT NULL THEN format('ALTER TYPE %I.%I RENAME TO %I', n.nspname, h.hint, t.typname) END,"
	" CASE WHEN h.hint IS NOT NULL THEN format('ALTER TYPE %s RENAME TO %I', io.identity, h.hint) END, 0, NULL, NULL, NULL,"
	" 'pg_type'::regclass, t.oid, 0"
	" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid,"
	" LATERAL pg_identify_object('pg_type'::regclass, t.oid, 0) io,"
	" LATERAL (SELECT coalesce(string_agg(format('%I %s', at.attname, format_type(at.atttypid, at.atttypmod))"
	"            || CASE WHEN at.attcollation <> 0 AND at.attcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = at.atttypid)"
	"               THEN ' COLLATE ' || (SELECT format('%I.%I', cn.nspname, cl.collname) FROM pg_collation cl JOIN pg_namespace cn ON cn.oid = cl.collnamespace WHERE cl.oid = at.attcollation) ELSE '' END,"
	"            ', ' ORDER BY at.attnum), '') AS list"
	"          FROM pg_attribute at WHERE at.attrelid = c.oid AND at.attnum > 0 AND NOT at.attisdropped) a,"
	" LATERAL (SELECT " HINT("pg_type", "t.oid", "0") " AS hint) h"
	" WHERE t.typtype = 'c' AND c.relkind = 'c' AND " NSP_OK("n") " AND " NOT_MEMBER("pg_type", "t.oid"),

	/* range types */
	"SELECT 'type ' || io.identity, 'type', io.identity, NULL, r.def, NULL,"
	" ARRAY[r.def], ARRAY[format('DROP TYPE %s', io.identity)], NULL,"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,"
	" 'pg_type'::regclass, t.oid, 0"
	" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_range rg ON rg.rngtypid = t.oid,"
	" LATERAL pg_identify_object('pg_type'::regclass, t.oid, 0) io,"
	" LATERAL (SELECT format('CREATE TYPE %s AS RANGE (subtype = %s, multirange_type_name = %s%s%s%s%s)', io.identity,"
	"   format_type(rg.rngsubtype, NULL), format_type(rg.rngmultitypid, NULL),"
	"   CASE WHEN rg.rngcollation <> 0 AND rg.rngcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = rg.rngsubtype)"
	"     THEN ', collation = ' || (SELECT format('%I.%I', cn.nspname, cl.collname) FROM pg_collation cl JOIN pg_namespace cn ON cn.oid = cl.collnamespace WHERE cl.oid = rg.rngcollation) ELSE '' END,"
	"   CASE WHEN NOT (SELECT oc.opcdefault FROM pg_opclass oc WHERE oc.oid = rg.rngsubopc)"
	"     THEN ', subtype_opclass = ' || (SELECT format('%I.%I', on_.nspname, oc.opcname) FROM pg_opclass oc JOIN pg_namespace on_ ON on_.oid = oc.opcnamespace WHERE oc.oid = rg.rngsubopc) ELSE '' END,"
	"   CASE WHEN rg.rngcanonical <> 0 THEN ', canonical = ' || rg.rngcanonical::regproc::text ELSE '' END,"
	"   CASE WHEN rg.rngsubdiff <> 0 THEN ', subtype_diff = ' || rg.rngsubdiff::regproc::text ELSE '' END) AS def) r"
	" WHERE t.typtype = 'r' AND " NSP_OK("n") " AND " NOT_MEMBER("pg_type", "t.oid"),

	/* sequences (not those of identity columns) */
	"SELECT 'sequence ' || io.identity, 'sequence', io.identity, NULL, d.def, NULL,"
	" ARRAY[d.def], ARRAY[format('DROP SEQUENCE %s', io.identity)], ARRAY['ALTER' || substr(d.def, 7)],"
	" NULL, NULL, NULL, NULL, h.hint, CASE WHEN h.hint IS NOT NULL THEN format('ALTER SEQUENCE %I.%I RENAME TO %I', n.nspname, h.hint, c.relname) END,"
	" CASE WHEN h.hint IS NOT NULL THEN format('ALTER SEQUENCE %s RENAME TO %I', io.identity, h.hint) END, 0, NULL, NULL, NULL,"
	" 'pg_class'::regclass, c.oid, 0"
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid,"
	" LATERAL pg_identify_object('pg_class'::regclass, c.oid, 0) io,"
	" LATERAL (SELECT format('CREATE SEQUENCE %s AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %s',"
	"   io.identity, format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcache,"
	"   CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END) AS def) d,"
	" LATERAL (SELECT " HINT("pg_class", "c.oid", "0") " AS hint) h"
	" WHERE c.relkind = 'S' AND " NSP_OK("n") " AND " NOT_MEMBER("pg_class", "c.oid")
	" AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_class'::regclass AND i.objid = c.oid AND i.deptype = 'i')",

	/* OWNED BY of sequences */
	"SELECT 'owned by ' || io.identity, 'owned by', io.identity, NULL,"
	" tio.identity || '.' || quote_ident(a.attname), NULL,"
	" ARRAY[format('ALTER SEQUENCE %s OWNED BY %s.%I', io.identity, tio.identity, a.attname)],"
	" ARRAY[format('ALTER SEQUENCE %s OWNED BY NONE', io.identity)],"
	" ARRAY[format('ALTER SEQUENCE %s OWNED BY %s.%I', io.identity, tio.identity, a.attname)],"
	" NULL, NULL, NULL, ARRAY['column ' || tio.identity || '.' || quote_ident(a.attname), 'sequence ' || io.identity], NULL, NULL, NULL, 0, NULL, NULL, NULL,"
	" NULL, NULL, NULL"
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	" JOIN pg_depend dp ON dp.classid = 'pg_class'::regclass AND dp.objid = c.oid AND dp.deptype = 'a'"
	"   AND dp.refclassid = 'pg_class'::regclass AND dp.refobjsubid > 0"
	" JOIN pg_attribute a ON a.attrelid = dp.refobjid AND a.attnum = dp.refobjsubid,"
	" LATERAL pg_identify_object('pg_class'::regclass, c.oid, 0) io,"
	" LATERAL pg_identify_object('pg_class'::regclass, dp.refobjid, 0) tio"
	" WHERE c.relkind = 'S' AND " NSP_OK("n") " AND " NOT_MEMBER("pg_class", "c.oid"),

	/* tables and partitions */
	"SELECT x.tkey, 'table', x.t, CASE WHEN c.relispartition THEN 'table ' || pio.identity END,"
	" coalesce(hd.head, '') || tl.tail, NULL,"
	" ARRAY[coalesce(hd.head, '') || tl.tail], ARRAY[format('DROP TABLE %s', x.t)], NULL,"
	" hd.head, tl.tail, NULL, NULL, h.hint, CASE WHEN h.hint IS NOT NULL THEN format('ALTER TABLE %I.%I RENAME TO %I', n.nspname, h.hint, c.relname) END,"
	" CASE WHEN h.hint IS NOT NULL THEN format('ALTER TABLE %s RENAME TO %I', x.t, h.hint) END, 0, NULL, NULL, NULL,"
	" 'pg_class'::regclass, c.oid, 0"
	REL_FROM_PRE
	" LEFT JOIN LATERAL (SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = c.oid AND c.relispartition) pi ON true"
	" LEFT JOIN LATERAL pg_identify_object('pg_class'::regclass, pi.inhparent, 0) pio ON true"
	" CROSS JOIN LATERAL (SELECT CASE WHEN NOT c.relispartition THEN format('CREATE TABLE %s (', x.t) END AS head) hd"
	" CROSS JOIN LATERAL (SELECT CASE WHEN c.relispartition"
	"     THEN format('CREATE TABLE %s PARTITION OF %s %s', x.t, pio.identity, pg_get_expr(c.relpartbound, c.oid))"
	"     ELSE ')' ||"
	"       coalesce((SELECT ' INHERITS (' || string_agg(ii.inhparent::regclass::text, ', ' ORDER BY ii.inhseqno) || ')'"
	"                 FROM pg_inherits ii WHERE ii.inhrelid = c.oid), '') END"
	"   || CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END AS tail) tl"
	" CROSS JOIN LATERAL (SELECT " HINT("pg_class", "c.oid", "0") " AS hint) h"
	REL_WHERE,

	/* storage parameters of tables */
	"SELECT 'storage parameters ' || x.t, 'storage parameters', x.t, x.tkey, array_to_string(c.reloptions, ', '), NULL,"
	" ARRAY[format('ALTER TABLE %s SET (%s)', x.t, array_to_string(c.reloptions, ', '))],"
	" ARRAY[format('ALTER TABLE %s RESET (%s)', x.t, (SELECT string_agg(split_part(o, '=', 1), ', ') FROM unnest(c.reloptions) o))], NULL,"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL"
	REL_FROM_PRE REL_WHERE " AND c.reloptions IS NOT NULL",

	/* UNLOGGED */
	"SELECT 'unlogged ' || x.t, 'unlogged', x.t, x.tkey, 'UNLOGGED', NULL,"
	" ARRAY[format('ALTER TABLE %s SET UNLOGGED', x.t)], ARRAY[format('ALTER TABLE %s SET LOGGED', x.t)], NULL,"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL"
	REL_FROM_PRE REL_WHERE " AND c.relpersistence = 'u'",

	/* row level security, enabled and forced */
	"SELECT 'row security ' || x.t, 'row security', x.t, x.tkey, 'ENABLE ROW LEVEL SECURITY', NULL,"
	" ARRAY[format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', x.t)], ARRAY[format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', x.t)], NULL,"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL"
	REL_FROM_PRE REL_WHERE " AND c.relrowsecurity",
	"SELECT 'force row security ' || x.t, 'force row security', x.t, x.tkey, 'FORCE ROW LEVEL SECURITY', NULL,"
	" ARRAY[format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', x.t)], ARRAY[format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', x.t)], NULL,"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL"
	REL_FROM_PRE REL_WHERE " AND c.relforcerowsecurity",

	/* columns: type, collation, generation; the rest are attributes below */
	"SELECT y.ckey, 'column', y.col, x.tkey, d.inl, d.gen,"
	" ARRAY[format('ALTER TABLE %s ADD COLUMN ', x.t) || d.inl], ARRAY[format('ALTER TABLE %s DROP COLUMN %I', x.t, a.attname)],"
	" ARRAY[y.alt || format('TYPE %s%s USING %I::%s', format_type(a.atttypid, a.atttypmod), d.coll, a.attname, format_type(a.atttypid, a.atttypmod))],"
	" format('ALTER TABLE %s ADD COLUMN ', x.t), NULL, d.inl, NULL,"
	" CASE WHEN h.hint IS NOT NULL THEN x.t || '.' || quote_ident(h.hint) END,"
	" CASE WHEN h.hint IS NOT NULL THEN format('ALTER TABLE %s RENAME COLUMN %I TO %I', x.t, h.hint, a.attname) END,"
	" CASE WHEN h.hint IS NOT NULL THEN format('ALTER TABLE %s RENAME COLUMN %I TO %I', x.t, a.attname, h.hint) END, a.attnum, NULL, NULL,"
	" ARRAY[y.alt || 'TYPE ', quote_ident(a.attname), format_type(a.atttypid, a.atttypmod)],"
	" 'pg_class'::regclass, c.oid, a.attnum"
	COL_FROM_PRE
	" LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum"
	" CROSS JOIN LATERAL (SELECT CASE WHEN a.attcollation <> 0 AND a.attcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = a.atttypid)"
	"     THEN ' COLLATE ' || (SELECT format('%I.%I', cn.nspname, cl.collname) FROM pg_collation cl JOIN pg_namespace cn ON cn.oid = cl.collnamespace WHERE cl.oid = a.attcollation) ELSE '' END AS coll,"
	"   CASE WHEN a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS gen) d0"
	" CROSS JOIN LATERAL (SELECT format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)) || d0.coll"
	"   || CASE WHEN d0.gen IS NOT NULL THEN ' GENERATED ALWAYS AS (' || d0.gen || ') STORED' ELSE '' END AS inl,"
	"   d0.coll AS coll, d0.gen AS gen) d"
	" CROSS JOIN LATERAL (SELECT " HINT("pg_class", "c.oid", "a.attnum") " AS hint) h"
	REL_WHERE " AND NOT c.relispartition",

	/* NOT NULL of columns */
	"SELECT 'not null ' || y.col, 'not null', y.col, y.ckey, 'NOT NULL', NULL,"
	" ARRAY[y.alt || 'SET NOT NULL'], ARRAY[y.alt || 'DROP NOT NULL'], NULL,"
	" NULL, NULL, 'NOT NULL', NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL"
	COL_FROM_PRE REL_WHERE " AND NOT c.relispartition AND a.attnotnull",

	/* defaults (not generation expressions) */
	"SELECT 'default ' || y.col, 'default', y.col, y.ckey, pg_get_expr(ad.adbin, ad.adrelid), NULL,"
	" ARRAY[y.alt || 'SET DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid)], ARRAY[y.alt || 'DROP DEFAULT'],"
	" ARRAY[y.alt || 'SET DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid)],"
	" NULL, NULL, 'DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,"
	" 'pg_attrdef'::regclass, ad.oid, 0"
	COL_FROM_PRE " JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum"
	REL_WHERE " AND NOT c.relispartition AND a.attgenerated = ''",

	/*
	 * defaults of partitions' columns where they are not the parent's: a
	 * table made apart (CREATE TABLE ... LIKE) and attached keeps its own
	 * defaults, or none, while PARTITION OF would give it the parent's
	 */
	"SELECT 'default ' || y.col, 'default', y.col, x.tkey, coalesce(pg_get_expr(ad.adbin, ad.adrelid), 'NULL'), NULL,"
	" ARRAY[y.alt || coalesce('SET DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), 'DROP DEFAULT')],"
	" ARRAY[y.alt || coalesce('SET DEFAULT ' || pg_get_expr(pd.adbin, pd.adrelid), 'DROP DEFAULT')],"
	" ARRAY[y.alt || coalesce('SET DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), 'DROP DEFAULT')],"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,"
	" 'pg_attrdef'::regclass, ad.oid, 0"
	REL_FROM_PRE
	" JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
	" CROSS JOIN LATERAL (SELECT x.t || '.' || quote_ident(a.attname) AS col,"
	"   format('ALTER TABLE %s ALTER COLUMN %I ', x.t, a.attname) AS alt) y"
	" JOIN pg_inherits i ON i.inhrelid = c.oid"
	" JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname"
	" LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum"
	" LEFT JOIN pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum"
	REL_WHERE " AND c.relispartition AND a.attgenerated = ''"
	" AND pg_get_expr(ad.adbin, ad.adrelid) IS DISTINCT FROM pg_get_expr(pd.adbin, pd.adrelid)",

	/* identity columns, with their sequence's name and options */
	"SELECT 'identity ' || y.col, 'identity', y.col, y.ckey, i.spec, sio.identity,"
	" ARRAY[y.alt || 'ADD ' || i.spec], ARRAY[y.alt || 'DROP IDENTITY'],"
	" ARRAY[y.alt || format('SET GENERATED %s SET INCREMENT BY %s SET MINVALUE %s SET MAXVALUE %s SET START WITH %s SET CACHE %s SET %s',"
	"   CASE a.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END, s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcache,"
	"   CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END)],"
	" NULL, NULL, i.spec, ARRAY['not null ' || y.col], NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL"
	COL_FROM_PRE
	" JOIN pg_depend dp ON dp.refclassid = 'pg_class'::regclass AND dp.refobjid = c.oid AND dp.refobjsubid = a.attnum"
	"   AND dp.classid = 'pg_class'::regclass AND dp.deptype = 'i'"
	" JOIN pg_sequence s ON s.seqrelid = dp.objid"
	" CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, dp.objid, 0) sio"
	" CROSS JOIN LATERAL (SELECT format('GENERATED %s AS IDENTITY (SEQUENCE NAME %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %s)',"
	"   CASE a.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END, sio.identity, s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcache,"
	"   CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END) AS spec) i"
	REL_WHERE " AND NOT c.relispartition AND a.attidentity <> ''",

	/* table constraints: local ones, not clones on partitions */
	"SELECT 'table constraint ' || kio.identity, 'table constraint', kio.identity, x.tkey, pg_get_constraintdef(k.oid), NULL,"
	" ARRAY[format('ALTER TABLE %s ADD CONSTRAINT %I %s', x.t, k.conname, pg_get_constraintdef(k.oid))],"
	" ARRAY[format('ALTER TABLE %s DROP CONSTRAINT %I', x.t, k.conname)], NULL,"
	" NULL, NULL, NULL,"
	" CASE WHEN k.contype = 'p' THEN (SELECT array_agg('not null ' || x.t || '.' || quote_ident(pa.attname))"
	"   FROM pg_attribute pa WHERE pa.attrelid = c.oid AND pa.attnum = ANY (k.conkey)) END,"
	" NULL, NULL, NULL, 0, NULL, NULL, NULL,"
	" 'pg_constraint'::regclass, k.oid, 0"
	REL_FROM_PRE
	" JOIN pg_constraint k ON k.conrelid = c.oid AND k.conislocal AND k.conparentid = 0 AND k.contype IN ('p', 'u', 'c', 'f', 'x')"
	" CROSS JOIN LATERAL pg_identify_object('pg_constraint'::regclass, k.oid, 0) kio"
	REL_WHERE,

	/* indexes not owned by a constraint, nor attached to a parent index */
	"SELECT 'index ' || iio.identity, 'index', iio.identity, pk.pkey, d.def, NULL,"
	" ARRAY[d.def], ARRAY[format('DROP INDEX %s', iio.identity)], NULL,"
	" NULL, NULL, NULL, NULL, h.hint, CASE WHEN h.hint IS NOT NULL THEN format('ALTER INDEX %I.%I RENAME TO %I', n.nspname, h.hint, ic.relname) END,"
	" CASE WHEN h.hint IS NOT NULL THEN format('ALTER INDEX %s RENAME TO %I', iio.identity, h.hint) END, 0, NULL, NULL, NULL,"
	" 'pg_class'::regclass, ic.oid, 0"
	" FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid"
	" JOIN pg_namespace n ON n.oid = ic.relnamespace"
	" CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, ic.oid, 0) iio"
	" CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, c.oid, 0) tio"
	" CROSS JOIN LATERAL (SELECT CASE c.relkind WHEN 'm' THEN 'materialized view ' ELSE 'table ' END || tio.identity AS pkey) pk"
	" CROSS JOIN LATERAL (SELECT CASE WHEN c.relkind = 'p' THEN replace(pg_get_indexdef(ic.oid), ' ON ONLY ', ' ON ')"
	"   ELSE pg_get_indexdef(ic.oid) END AS def) d"
	" CROSS JOIN LATERAL (SELECT " HINT("pg_class", "ic.oid", "0") " AS hint) h"
	" WHERE c.relkind IN ('r', 'p', 'm') AND " NSP_OK("n") " AND " NOT_MEMBER("pg_class", "c.oid")
	" AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_class'::regclass AND i.objid = ic.oid"
	"   AND i.refclassid = 'pg_constraint'::regclass AND i.deptype = 'i')"
	" AND NOT EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = ic.oid)",

	/* views and materialized views */
	"SELECT v.kind || ' ' || io.identity, v.kind, io.identity, NULL, v.def, NULL,"
	" ARRAY[v.def], ARRAY[format('DROP %s %s', upper(v.kind), io.identity)], NULL,"
	" NULL, NULL, NULL, NULL, h.hint, CASE WHEN h.hint IS NOT NULL THEN format('ALTER %s %I.%I RENAME TO %I', upper(v.kind), n.nspname, h.hint, c.relname) END,"
	" CASE WHEN h.hint IS NOT NULL THEN format('ALTER %s %s RENAME TO %I', upper(v.kind), io.identity, h.hint) END, 0, NULL, NULL, NULL,"
	" 'pg_class'::regclass, c.oid, 0"
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	" CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, c.oid, 0) io"
	" CROSS JOIN LATERAL (SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END AS kind,"
	"   format('CREATE %s %s%s AS %s%s', CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END, io.identity,"
	"     CASE WHEN c.reloptions IS NOT NULL THEN ' WITH (' || array_to_string(c.reloptions, ', ') || ')' ELSE '' END,"
	"     rtrim(pg_get_viewdef(c.oid), ';'), CASE WHEN c.relkind = 'm' THEN ' WITH DATA' ELSE '' END) AS def) v"
	" CROSS JOIN LATERAL (SELECT " HINT("pg_class", "c.oid", "0") " AS hint) h"
	" WHERE c.relkind IN ('v', 'm') AND " NSP_OK("n") " AND " NOT_MEMBER("pg_class", "c.oid"),

	/* functions and procedures (aggregates are not printable by pg_get_functiondef) */
	"SELECT f.kind || ' ' || io.identity, f.kind, io.identity, NULL, pg_get_functiondef(p.oid),"
	" f.kind || ' ' || pg_get_function_arguments(p.oid) || ' ' || coalesce(pg_get_function_result(p.oid), ''),"
	" ARRAY[pg_get_functiondef(p.oid)], ARRAY[format('DROP %s %s', upper(f.kind), io.identity)], ARRAY[pg_get_functiondef(p.oid)],"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0,"
	/* a body the server checks on CREATE: needs the tables it reads first */
	" CASE WHEN p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql') AND p.prosqlbody IS NULL"
	"   THEN 'checked body' END, NULL, NULL,"
	" 'pg_proc'::regclass, p.oid, 0"
	" FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
	" CROSS JOIN LATERAL pg_identify_object('pg_proc'::regclass, p.oid, 0) io"
	" CROSS JOIN LATERAL (SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END AS kind) f"
	" WHERE p.prokind IN ('f', 'p', 'w') AND " NSP_OK("n") " AND " NOT_MEMBER("pg_proc", "p.oid")
	/* not the constructors a range type makes for itself */
	" AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')",

	/* triggers: user triggers, not clones on partitions */
	"SELECT 'trigger ' || gio.identity, 'trigger', gio.identity, x.tkey, pg_get_triggerdef(g.oid) || ' ' || g.tgenabled::text, NULL,"
	" ARRAY[pg_get_triggerdef(g.oid)] || CASE g.tgenabled"
	"   WHEN 'D' THEN ARRAY[format('ALTER TABLE %s DISABLE TRIGGER %I', x.t, g.tgname)]"
	"   WHEN 'R' THEN ARRAY[format('ALTER TABLE %s ENABLE REPLICA TRIGGER %I', x.t, g.tgname)]"
	"   WHEN 'A' THEN ARRAY[format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', x.t, g.tgname)]"
	"   ELSE '{}'::text[] END,"
	" ARRAY[format('DROP TRIGGER %I ON %s', g.tgname, x.t)], NULL,"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,"
	" 'pg_trigger'::regclass, g.oid, 0"
	REL_FROM_PRE
	" JOIN pg_trigger g ON g.tgrelid = c.oid AND NOT g.tgisinternal AND g.tgparentid = 0"
	" CROSS JOIN LATERAL pg_identify_object('pg_trigger'::regclass, g.oid, 0) gio"
	REL_WHERE,

	/* policies */
	"SELECT 'policy ' || pio.identity, 'policy', pio.identity, x.tkey, d.def, NULL,"
	" ARRAY[d.def], ARRAY[format('DROP POLICY %I ON %s', po.polname, x.t)], NULL,"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,"
	" 'pg_policy'::regclass, po.oid, 0"
	REL_FROM_PRE
	" JOIN pg_policy po ON po.polrelid = c.oid"
	" CROSS JOIN LATERAL pg_identify_object('pg_policy'::regclass, po.oid, 0) pio"
	" CROSS JOIN LATERAL (SELECT format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', po.polname, x.t,"
	"   CASE WHEN po.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,"
	"   CASE po.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,"
	"   (SELECT string_agg(CASE WHEN r.r = 0 THEN 'PUBLIC' ELSE r.r::regrole::text END, ', ' ORDER BY r.r::regrole::text)"
	"      FROM unnest(po.polroles) r(r)),"
	"   CASE WHEN po.polqual IS NOT NULL THEN ' USING (' || pg_get_expr(po.polqual, po.polrelid) || ')' ELSE '' END,"
	"   CASE WHEN po.polwithcheck IS NOT NULL THEN ' WITH CHECK (' || pg_get_expr(po.polwithcheck, po.polrelid) || ')' ELSE '' END) AS def) d"
	REL_WHERE,

	/* privileges, where they differ from the owner's default */
	"WITH src(tkey, kw, obj, acl, dflt) AS ("
	"  SELECT CASE c.relkind WHEN 'S' THEN 'sequence ' WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' ELSE 'table ' END || io.identity,"
	"    CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, io.identity, c.relacl,"
	"    acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::\"char\", c.relowner)"
	"  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	"  CROSS JOIN LATERAL pg_identify_object('pg_class'::regclass, c.oid, 0) io"
	"  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relacl IS NOT NULL AND " NSP_OK("n") " AND " NOT_MEMBER("pg_class", "c.oid")
	" UNION ALL"
	"  SELECT 'schema ' || quote_ident(n.nspname), 'SCHEMA', quote_ident(n.nspname), n.nspacl, acldefault('n', n.nspowner)"
	"  FROM pg_namespace n WHERE n.nspacl IS NOT NULL AND " NSP_OK("n") " AND " NOT_MEMBER("pg_namespace", "n.oid")
	" UNION ALL"
	"  SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' ELSE 'function ' END || io.identity,"
	"    CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, io.identity, p.proacl, acldefault('f', p.proowner)"
	"  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
	"  CROSS JOIN LATERAL pg_identify_object('pg_proc'::regclass, p.oid, 0) io"
	"  WHERE p.prokind IN ('f', 'p', 'w') AND p.proacl IS NOT NULL AND " NSP_OK("n") " AND " NOT_MEMBER("pg_proc", "p.oid")
	" UNION ALL"
	"  SELECT CASE t.typtype WHEN 'd' THEN 'domain ' ELSE 'type ' END || io.identity,"
	"    CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, io.identity, t.typacl, acldefault('T', t.typowner)"
	"  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
	"  CROSS JOIN LATERAL pg_identify_object('pg_type'::regclass, t.oid, 0) io"
	"  WHERE t.typtype IN ('e', 'd', 'r', 'c') AND t.typacl IS NOT NULL AND " NSP_OK("n") " AND " NOT_MEMBER("pg_type", "t.oid")
	"    AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')"
	")"
	"SELECT 'acl ' || s.tkey, 'acl', s.tkey, s.tkey, a.def, NULL, r.revokes || g.grants, r.revokes || gd.grants, NULL,"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL"
	" FROM src s"
	" CROSS JOIN LATERAL (SELECT string_agg(x::text, ' ' ORDER BY x::text) AS def FROM unnest(s.acl) x) a"
	" CROSS JOIN LATERAL (SELECT string_agg(x::text, ' ' ORDER BY x::text) AS def FROM unnest(s.dflt) x) ad"
	" CROSS JOIN LATERAL (SELECT array_agg(format('REVOKE ALL ON %s %s FROM %s', s.kw, s.obj,"
	"     CASE WHEN g = 0 THEN 'PUBLIC' ELSE g::regrole::text END) ORDER BY g) AS revokes"
	"   FROM (SELECT (aclexplode(s.acl)).grantee UNION SELECT (aclexplode(s.dflt)).grantee UNION SELECT 0::oid) gg(g)) r"
	" CROSS JOIN LATERAL (SELECT coalesce(array_agg(format('GRANT %s ON %s %s TO %s%s', e.privs, s.kw, s.obj,"
	"     CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE e.grantee::regrole::text END,"
	"     CASE WHEN e.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) ORDER BY e.grantee, e.is_grantable), '{}') AS grants"
	"   FROM (SELECT x.grantee, x.is_grantable, string_agg(x.privilege_type, ', ' ORDER BY x.privilege_type) AS privs"
	"         FROM aclexplode(s.acl) x GROUP BY x.grantee, x.is_grantable) e) g"
	" CROSS JOIN LATERAL (SELECT coalesce(array_agg(format('GRANT %s ON %s %s TO %s%s', e.privs, s.kw, s.obj,"
	"     CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE e.grantee::regrole::text END,"
	"     CASE WHEN e.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) ORDER BY e.grantee, e.is_grantable), '{}') AS grants"
	"   FROM (SELECT x.grantee, x.is_grantable, string_agg(x.privilege_type, ', ' ORDER BY x.privilege_type) AS privs"
	"         FROM aclexplode(s.dflt) x GROUP BY x.grantee, x.is_grantable) e) gd"
	" WHERE a.def IS DISTINCT FROM ad.def",

	STATISTICS_QUERY,
	ATTACHED_INDEX_QUERY,
	INDEX_ATTACHMENT_QUERY,

	NULL
};

/*
 * Addresses that stand for a model object without being one:
 * (classid, objid, objsubid) -> (classid, objid, objsubid) or a key.
 */
static const char alias_query[] =
	"SELECT 'pg_rewrite'::regclass, r.oid, 0, 'pg_class'::regclass, r.ev_class, 0, NULL::text"
	" FROM pg_rewrite r WHERE r.oid >= 16384"
	" UNION ALL SELECT 'pg_class'::regclass, k.conindid, 0, 'pg_constraint'::regclass, k.oid, 0, NULL"
	" FROM pg_constraint k WHERE k.contype IN ('p', 'u', 'x') AND k.conindid <> 0 AND k.oid >= 16384"
	" UNION ALL SELECT 'pg_type'::regclass, c.reltype, 0, 'pg_class'::regclass, c.oid, 0, NULL"
	" FROM pg_class c WHERE c.relkind IN ('r', 'p', 'v', 'm') AND c.reltype <> 0 AND c.oid >= 16384"
	" UNION ALL SELECT 'pg_class'::regclass, t.typrelid, 0, 'pg_type'::regclass, t.oid, 0, NULL"
	" FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid WHERE c.relkind = 'c' AND t.oid >= 16384"
	" UNION ALL SELECT 'pg_type'::regclass, t.oid, 0, 'pg_type'::regclass, t.typelem, 0, NULL"
	" FROM pg_type t WHERE t.typelem <> 0 AND t.typsubscript = 'array_subscript_handler'::regproc AND t.oid >= 16384"
	" UNION ALL SELECT 'pg_type'::regclass, rg.rngmultitypid, 0, 'pg_type'::regclass, rg.rngtypid, 0, NULL"
	" FROM pg_range rg WHERE rg.rngtypid >= 16384"
	" UNION ALL SELECT 'pg_attrdef'::regclass, ad.oid, 0, 'pg_class'::regclass, ad.adrelid, ad.adnum, NULL"
	" FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum"
	" WHERE a.attgenerated = 's' AND ad.oid >= 16384"
	" UNION ALL SELECT 'pg_class'::regclass, dp.objid, 0, NULL, NULL, NULL,"
	"   'identity ' || (pg_identify_object('pg_class'::regclass, dp.refobjid, dp.refobjsubid)).identity"
	" FROM pg_depend dp WHERE dp.classid = 'pg_class'::regclass AND dp.refclassid = 'pg_class'::regclass"
	"   AND dp.deptype = 'i' AND dp.refobjsubid > 0 AND dp.objid >= 16384"
	"   AND (SELECT relkind FROM pg_class WHERE oid = dp.objid) = 'S'";

/* pg_depend between user objects; a sequence's OWNED BY is its own object */
static const char deps_query[] =
	"SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid"
	" FROM pg_depend d WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384 AND d.refobjid >= 16384"
	" AND NOT (d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'"
	"   AND d.refobjsubid > 0 AND (SELECT relkind FROM pg_class WHERE oid = d.objid) = 'S')";

/* comments on user objects: the model keeps those whose object it has */
static const char comments_query[] =
	"SELECT d.classoid, d.objoid, d.objsubid, d.description,"
	" format('COMMENT ON %s IS %L', t.target, d.description), format('COMMENT ON %s IS NULL', t.target)"
	" FROM pg_description d"
	" CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) io"
	" CROSS JOIN LATERAL (SELECT CASE"
	"   WHEN io.type IN ('table column', 'view column', 'materialized view column') THEN 'COLUMN ' || io.identity"
	"   WHEN io.type = 'table constraint' THEN 'CONSTRAINT ' || io.identity"
	"   WHEN io.type = 'statistics object' THEN 'STATISTICS ' || io.identity"
	"   WHEN io.type = 'domain constraint' THEN (SELECT format('CONSTRAINT %I ON DOMAIN %s', k.conname, k.contypid::regtype::text)"
	"     FROM pg_constraint k WHERE k.oid = d.objoid)"
	"   ELSE upper(io.type) || ' ' || io.identity END AS target) t"
	" WHERE d.objoid >= 16384 AND d.classoid IN ('pg_class'::regclass, 'pg_namespace'::regclass, 'pg_extension'::regclass,"
	"   'pg_type'::regclass, 'pg_proc'::regclass, 'pg_constraint'::regclass, 'pg_trigger'::regclass, 'pg_policy'::regclass,"
	"   'pg_statistic_ext'::regclass)"
	" AND io.type NOT IN ('composite type', 'composite type column', 'toast table')";

/* ---------- collecting ---------- */

typedef struct Addr
{
	Oid			classid;
	Oid			objid;
	int32		subid;
	int			obj;			/* index in the object array, or -1 */
	const char *key;			/* alias by key (resolved later) */
	Oid			tclassid;		/* alias by address */
	Oid			tobjid;
	int32		tsubid;
} Addr;

typedef struct Reader
{
	const SmEnv *env;
	SmObject   *objs;
	int			n;
	int			cap;
	Addr	   *addrs;
	int			na;
	int			capa;
	/* dependencies, collected per object before they become lists */
	int		   *dep_from;
	const char **dep_to;
	int			nd;
	int			capd;
} Reader;

static char *
col_text(const SmEnv *env, HeapTuple tup, TupleDesc td, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, td, col + 1, &isnull);
	text	   *t;
	size_t		len;

	if (isnull)
		return NULL;
	/* a query may yield a name or another type: print it then */
	if (TupleDescAttr(td, col)->atttypid != TEXTOID)
	{
		char	   *v = SPI_getvalue(tup, td, col + 1);

		return sm_strndup(env, v, strlen(v));
	}
	t = DatumGetTextPP(d);
	len = VARSIZE_ANY_EXHDR(t);
	return sm_strndup(env, VARDATA_ANY(t), len);
}

static SmStrList
col_list(const SmEnv *env, HeapTuple tup, TupleDesc td, int col)
{
	SmStrList	l = {0, NULL};
	bool		isnull;
	Datum		d = SPI_getbinval(tup, td, col + 1, &isnull);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			k = 0;

	if (isnull)
		return l;
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	l.v = sm_alloc(env, sizeof(char *) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		text	   *t;

		if (nulls[i])
			continue;
		t = DatumGetTextPP(elems[i]);
		l.v[k++] = sm_strndup(env, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	l.n = k;
	return l;
}

static Oid
col_oid(HeapTuple tup, TupleDesc td, int col, bool *isnull)
{
	Datum		d = SPI_getbinval(tup, td, col + 1, isnull);

	return *isnull ? InvalidOid : DatumGetObjectId(d);
}

static int32
col_int(HeapTuple tup, TupleDesc td, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, td, col + 1, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

static void
add_addr(Reader *r, Addr a)
{
	if (r->na == r->capa)
	{
		r->capa = r->capa ? r->capa * 2 : 1024;
		r->addrs = r->addrs ? repalloc_huge(r->addrs, sizeof(Addr) * r->capa)
			: palloc_extended(sizeof(Addr) * r->capa, MCXT_ALLOC_HUGE);
	}
	r->addrs[r->na++] = a;
}

static SmObject *
new_object(Reader *r)
{
	if (r->n == r->cap)
	{
		SmObject   *n;

		r->cap = r->cap ? r->cap * 2 : 1024;
		n = sm_alloc(r->env, sizeof(SmObject) * r->cap);
		if (r->n)
			memcpy(n, r->objs, sizeof(SmObject) * r->n);
		r->objs = n;
	}
	return &r->objs[r->n++];
}

static void
add_dep(Reader *r, int from, const char *to)
{
	if (r->nd == r->capd)
	{
		r->capd = r->capd ? r->capd * 2 : 4096;
		r->dep_from = r->dep_from ? repalloc_huge(r->dep_from, sizeof(int) * r->capd)
			: palloc_extended(sizeof(int) * r->capd, MCXT_ALLOC_HUGE);
		r->dep_to = r->dep_to ? repalloc_huge(r->dep_to, sizeof(char *) * r->capd)
			: palloc_extended(sizeof(char *) * r->capd, MCXT_ALLOC_HUGE);
	}
	r->dep_from[r->nd] = from;
	r->dep_to[r->nd] = to;
	r->nd++;
}

static void
run_query(const char *sql)
{
	int			rc = SPI_execute(sql, true, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "schema_migrate: catalog query failed: %s", SPI_result_code_string(rc));
}

static void
read_objects(Reader *r, const char *sql)
{
	TupleDesc	td;

	run_query(sql);
	td = SPI_tuptable->tupdesc;
	if (td->natts != NCOLS)
		elog(ERROR, "schema_migrate: catalog query returned %d columns, not %d", td->natts, NCOLS);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		SmObject   *o = new_object(r);
		SmStrList	deps;
		bool		isnull;
		Oid			cls;
		int			idx = r->n - 1;

		o->key = col_text(r->env, tup, td, 0);
		o->kind = col_text(r->env, tup, td, 1);
		o->name = col_text(r->env, tup, td, 2);
		o->parent = col_text(r->env, tup, td, 3);
		o->def = col_text(r->env, tup, td, 4);
		o->rebuild = col_text(r->env, tup, td, 5);
		o->create = col_list(r->env, tup, td, 6);
		o->drop = col_list(r->env, tup, td, 7);
		o->alter = col_list(r->env, tup, td, 8);
		o->head = col_text(r->env, tup, td, 9);
		o->tail = col_text(r->env, tup, td, 10);
		o->inline_def = col_text(r->env, tup, td, 11);
		deps = col_list(r->env, tup, td, 12);
		o->renamed_from = col_text(r->env, tup, td, 13);
		o->rename = col_text(r->env, tup, td, 14);
		o->unrename = col_text(r->env, tup, td, 15);
		o->position = col_int(tup, td, 16);
		o->special = col_text(r->env, tup, td, 17);
		o->labels = col_list(r->env, tup, td, 18);
		o->extra = col_list(r->env, tup, td, 19);
		if (o->key == NULL || o->kind == NULL || o->name == NULL)
			elog(ERROR, "schema_migrate: catalog query returned an object without a key");
		/* the hint names a whole identity for columns, a bare name otherwise */
		if (o->renamed_from && strcmp(o->kind, "column") != 0)
		{
			const char *dot = strrchr(o->name, '.');

			/* same schema: replace the last part of the identity */
			o->renamed_from = dot
				? psprintf("%.*s.%s", (int) (dot - o->name), o->name,
						   quote_identifier(o->renamed_from))
				: pstrdup(quote_identifier(o->renamed_from));
		}
		for (int k = 0; k < deps.n; k++)
			add_dep(r, idx, deps.v[k]);
		cls = col_oid(tup, td, 20, &isnull);
		if (!isnull)
		{
			Addr		a = {0};

			a.classid = cls;
			a.objid = col_oid(tup, td, 21, &isnull);
			a.subid = col_int(tup, td, 22);
			a.obj = idx;
			add_addr(r, a);
		}
	}
	SPI_freetuptable(SPI_tuptable);
}

static int
addr_cmp(const void *a, const void *b)
{
	const Addr *x = a;
	const Addr *y = b;

	if (x->classid != y->classid)
		return x->classid < y->classid ? -1 : 1;
	if (x->objid != y->objid)
		return x->objid < y->objid ? -1 : 1;
	if (x->subid != y->subid)
		return x->subid < y->subid ? -1 : 1;
	return 0;
}

static const Addr *
addr_find(const Reader *r, Oid classid, Oid objid, int32 subid)
{
	Addr		k = {0};

	k.classid = classid;
	k.objid = objid;
	k.subid = subid;
	return bsearch(&k, r->addrs, r->na, sizeof(Addr), addr_cmp);
}

/* key of an address, following aliases; falls back to the whole object */
static const char *
addr_key(const Reader *r, Oid classid, Oid objid, int32 subid)
{
	for (int depth = 0; depth < 8; depth++)
	{
		const Addr *a = addr_find(r, classid, objid, subid);

		if (a == NULL && subid != 0)
			a = addr_find(r, classid, objid, 0);
		if (a == NULL)
			return NULL;
		if (a->obj >= 0)
			return r->objs[a->obj].key;
		if (a->key)
			return a->key;
		classid = a->tclassid;
		objid = a->tobjid;
		subid = a->tsubid;
	}
	return NULL;
}

static void
read_aliases(Reader *r)
{
	TupleDesc	td;

	run_query(alias_query);
	td = SPI_tuptable->tupdesc;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		Addr		a = {0};
		bool		isnull;

		a.classid = col_oid(tup, td, 0, &isnull);
		a.objid = col_oid(tup, td, 1, &isnull);
		a.subid = col_int(tup, td, 2);
		a.obj = -1;
		a.tclassid = col_oid(tup, td, 3, &isnull);
		a.tobjid = col_oid(tup, td, 4, &isnull);
		a.tsubid = col_int(tup, td, 5);
		a.key = col_text(r->env, tup, td, 6);
		add_addr(r, a);
	}
	SPI_freetuptable(SPI_tuptable);
}

/* drop duplicate addresses: a real object wins over an alias */
static void
sort_addrs(Reader *r)
{
	int			k = 0;

	if (r->na > 1)
		qsort(r->addrs, r->na, sizeof(Addr), addr_cmp);
	for (int i = 0; i < r->na; i++)
	{
		if (k > 0 && addr_cmp(&r->addrs[k - 1], &r->addrs[i]) == 0)
		{
			if (r->addrs[i].obj >= 0)
				r->addrs[k - 1] = r->addrs[i];
			continue;
		}
		r->addrs[k++] = r->addrs[i];
	}
	r->na = k;
}

static void
read_comments(Reader *r)
{
	TupleDesc	td;

	run_query(comments_query);
	td = SPI_tuptable->tupdesc;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		bool		isnull;
		Oid			cls = col_oid(tup, td, 0, &isnull);
		Oid			oid = col_oid(tup, td, 1, &isnull);
		int32		sub = col_int(tup, td, 2);
		const Addr *a = addr_find(r, cls, oid, sub);
		const char *target;
		SmObject   *o;

		/* only comments on objects of the model (a view column: the view) */
		if (a == NULL && sub != 0)
			a = addr_find(r, cls, oid, 0);
		if (a == NULL || a->obj < 0)
			continue;
		target = r->objs[a->obj].key;
		o = new_object(r);
		o->key = psprintf("comment %s", target);
		o->kind = "comment";
		o->name = target;
		o->parent = target;
		o->def = col_text(r->env, tup, td, 3);
		o->create.n = 1;
		o->create.v = sm_alloc(r->env, sizeof(char *));
		o->create.v[0] = col_text(r->env, tup, td, 4);
		o->alter = o->create;
		o->drop.n = 1;
		o->drop.v = sm_alloc(r->env, sizeof(char *));
		o->drop.v[0] = col_text(r->env, tup, td, 5);
		if (sub != 0 && a->subid == 0)
		{
			/* a comment on a view's column: the same key space as a table's */
			o->key = psprintf("comment column %s.%d", target, sub);
		}
	}
	SPI_freetuptable(SPI_tuptable);
}

/* order of the objects by key, for finding a key before the model is sorted */
static const SmObject *sort_base;

static int
perm_cmp(const void *a, const void *b)
{
	return strcmp(sort_base[*(const int *) a].key, sort_base[*(const int *) b].key);
}

static int *
key_order(Reader *r)
{
	int		   *perm = palloc_extended(sizeof(int) * (r->n + 1), MCXT_ALLOC_HUGE);

	for (int i = 0; i < r->n; i++)
		perm[i] = i;
	sort_base = r->objs;
	if (r->n > 1)
		qsort(perm, r->n, sizeof(int), perm_cmp);
	return perm;
}

static int
key_index(const Reader *r, const int *perm, const char *key)
{
	int			lo = 0,
				hi = r->n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = strcmp(r->objs[perm[mid]].key, key);

		if (c == 0)
			return perm[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static void
read_deps(Reader *r)
{
	TupleDesc	td;
	int		   *perm = key_order(r);

	run_query(deps_query);
	td = SPI_tuptable->tupdesc;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		bool		isnull;
		const char *from = addr_key(r, col_oid(tup, td, 0, &isnull),
									col_oid(tup, td, 1, &isnull), col_int(tup, td, 2));
		const char *to;
		int			fi;

		if (from == NULL)
			continue;
		to = addr_key(r, col_oid(tup, td, 3, &isnull),
					  col_oid(tup, td, 4, &isnull), col_int(tup, td, 5));
		if (to == NULL || strcmp(from, to) == 0)
			continue;
		fi = key_index(r, perm, from);
		if (fi >= 0)
			add_dep(r, fi, to);
	}
	SPI_freetuptable(SPI_tuptable);
	pfree(perm);
}

/* dependencies into per-object lists, without duplicates */
static void
attach_deps(Reader *r)
{
	int		   *cnt = palloc_extended(sizeof(int) * (r->n + 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);

	for (int i = 0; i < r->nd; i++)
		cnt[r->dep_from[i]]++;
	for (int i = 0; i < r->n; i++)
	{
		r->objs[i].deps.v = cnt[i] ? sm_alloc(r->env, sizeof(char *) * cnt[i]) : NULL;
		r->objs[i].deps.n = 0;
	}
	for (int i = 0; i < r->nd; i++)
	{
		SmObject   *o = &r->objs[r->dep_from[i]];
		bool		dup = false;

		for (int k = 0; k < o->deps.n && !dup; k++)
			dup = strcmp(o->deps.v[k], r->dep_to[i]) == 0;
		if (!dup)
			o->deps.v[o->deps.n++] = r->dep_to[i];
	}
	pfree(cnt);
}

SmSchemaModel *
model_read_catalogs(const SmEnv *env)
{
	Reader		r;
	SmSchemaModel *m;
	int			save_nestlevel;

	memset(&r, 0, sizeof(r));
	r.env = env;

	/* every name the server prints comes out schema-qualified */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	PG_TRY();
	{
		for (int q = 0; object_queries[q]; q++)
			read_objects(&r, object_queries[q]);
		read_aliases(&r);
		sort_addrs(&r);
		read_comments(&r);
		read_deps(&r);
		attach_deps(&r);
	}
	PG_FINALLY();
	{
		AtEOXact_GUC(true, save_nestlevel);
	}
	PG_END_TRY();

	m = sm_alloc(env, sizeof(SmSchemaModel));
	m->n = r.n;
	m->objects = r.objs;
	model_sort(env, m);
	if (r.addrs)
		pfree(r.addrs);
	if (r.dep_from)
	{
		pfree(r.dep_from);
		pfree(r.dep_to);
	}
	return m;
}
