--
-- The command set: downgrade, stamp, heads, branches, show, plan, offline
-- scripts, graph, check, on a graph with two labelled branches, a
-- depends_on edge and a merge.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS schema_migrate;
RESET client_min_messages;
\getenv sets SM_TEST_SETS
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;
SET schema_migrate.set = 'branches';

SELECT revision, down_revisions, branch_labels, depends_on, is_head FROM sm_history();
SELECT * FROM sm_heads();
SELECT * FROM sm_branches();
\pset format unaligned
SELECT sm_graph();
SELECT sm_graph('dot');
\pset format aligned
SELECT sm_graph('svg');

-- sm_check before anything is applied
SELECT sm_check();

-- the search branch: 0006 depends on billing's 0003, not on 0004
SELECT * FROM sm_plan('0006');
SELECT sm_upgrade('0006');
SELECT * FROM sm_current() ORDER BY 1;
\pset format unaligned
SELECT sm_graph();
\pset format aligned
-- a labelled branch's head is the merged head
SELECT revision FROM sm_plan('search@head') ORDER BY step;
-- billing branch one step at a time
SELECT sm_upgrade('billing@+1');
SELECT * FROM sm_current() ORDER BY 1;
SELECT sm_upgrade('0004+1');
-- "head" is the merge's descendant; the merge applies after both branches
SELECT * FROM sm_plan('head');
SELECT sm_upgrade('head');
SELECT sm_check();
\pset format unaligned
SELECT sm_graph();
\pset format aligned

-- relative targets from a revision: rev-N and rev+N name a revision
SELECT revision, direction FROM sm_plan('0008-1');
SELECT revision, direction FROM sm_plan('0002+1');
SELECT sm_plan('0001-1');

-- downgrade: relative, to a revision, one branch, base
SELECT * FROM sm_plan('-1');
SELECT sm_downgrade('-1');
SELECT sm_downgrade('-2');
SELECT * FROM sm_current() ORDER BY 1;
-- downgrading the search branch leaves billing applied
SELECT * FROM sm_plan('0005');
SELECT sm_downgrade('search@-1');
SELECT * FROM sm_current() ORDER BY 1;
SELECT to_regclass('br_payments') IS NOT NULL AS billing_kept,
       to_regclass('br_search') IS NOT NULL AS search_kept;
SELECT sm_downgrade('-1');
SELECT sm_downgrade('0002');
SELECT * FROM sm_current();
SELECT sm_downgrade('0004');
SELECT sm_downgrade('-5');
SELECT sm_downgrade('head');
SELECT sm_downgrade('base');
SELECT * FROM sm_current();
SELECT count(*) AS leftover_tables FROM pg_class WHERE relname LIKE 'br\_%';
SELECT sm_downgrade('base');

-- missing down section stops the whole downgrade before anything runs
SELECT sm_upgrade('head', 'nodown');
SELECT sm_downgrade('base', 'nodown');
SELECT * FROM sm_current('nodown');
SELECT sm_downgrade('0002', 'nodown');
SELECT * FROM sm_current('nodown');

-- stamp: record without running
SELECT sm_stamp('0004');
SELECT * FROM sm_current();
SELECT to_regclass('br_payments') IS NULL AS nothing_ran;
SELECT sm_stamp('heads');
SELECT sm_check();
SELECT sm_stamp('base');
SELECT * FROM sm_current();
SELECT sm_stamp('nope');
SELECT sm_stamp('+1');
SELECT operation, direction, count(*) FROM sm_log WHERE set_name = 'branches'
 GROUP BY 1, 2 ORDER BY 1, 2;

-- show one revision
\x on
SELECT revision, down_revisions, depends_on, branch_labels, message, file,
       applied, transactional, lock_timeout_ms, up_sql, down_sql, is_head
  FROM sm_show('0006');
\x off
SELECT revision, message FROM sm_show('billing');
SELECT * FROM sm_show('00');
SELECT * FROM sm_show('head');

-- offline scripts
\pset format unaligned
SELECT sm_upgrade_sql('0004');
SELECT sm_upgrade('0004');
SELECT sm_downgrade_sql('base');
\pset format aligned
SELECT sm_downgrade('base');
SELECT sm_upgrade_sql('head', 'wrapped') LIKE '%BEGIN%' AS wrapper_kept;
