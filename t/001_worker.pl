# A non-transactional migration's background worker is terminated, then
# crashes the server: the committed progress survives both, nothing is left
# running, and the next CALL sm_migrate resumes at the failed statement.
#
# Cluster-level, so with PostgreSQL::Test::Cluster instead of hand-written
# cluster handling (run by test/run-all.sh, or "make installcheck" as a
# non-root user).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Path qw(make_path);
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
my $sets = $node->basedir . '/sets';
$node->append_conf('postgresql.conf', qq{
schema_migrate.path = '$sets'
schema_migrate.timing = off
restart_after_crash = on
});
$node->start;

# A table, then a non-transactional migration whose second statement waits
# in its worker (the sleep stands for a long index build).
sub write_set
{
	my ($name, $sleep) = @_;
	make_path("$sets/$name");
	open my $fh, '>', "$sets/$name/0001_table.sql" or die $!;
	print $fh "CREATE TABLE ${name}_t (a int, b int);\n"
	  . "INSERT INTO ${name}_t SELECT g, g FROM generate_series(1, 1000) g;\n";
	close $fh;
	open $fh, '>', "$sets/$name/0002_indexes.sql" or die $!;
	print $fh "-- transactional: false\n\n"
	  . "CREATE INDEX CONCURRENTLY ${name}_a ON ${name}_t (a);\n"
	  . "SELECT pg_sleep($sleep);\n"
	  . "CREATE INDEX CONCURRENTLY ${name}_b ON ${name}_t (b);\n";
	close $fh;
	return;
}

$node->safe_psql('postgres', 'CREATE EXTENSION schema_migrate');

# CALL sm_migrate in a session of its own; returns the harness.
sub start_migrate
{
	my ($set, $out, $err) = @_;
	return IPC::Run::start(
		[
			$node->installed_command('psql'), '-X', '-d',
			$node->connstr('postgres'), '-c',
			"CALL sm_migrate('head', '$set')"
		],
		'>', $out, '2>', $err);
}

sub wait_for_sleeping_worker
{
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity"
		  . " WHERE backend_type = 'schema_migrate worker' AND query LIKE 'SELECT pg_sleep%'"
	) or die "the worker never started its statement";
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'schema_migrate worker'");
}

sub workers_left
{
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'schema_migrate worker'");
}

sub partial_of
{
	my ($set) = @_;
	return $node->safe_psql('postgres',
		"SELECT revision || ' ' || direction || ' ' || statements_done || '/' || statements_total"
		  . " FROM sm_partial WHERE set_name = '$set'");
}

# --- the worker is terminated (pg_terminate_backend)
write_set('term', 600);
my ($out, $err) = ('', '');
my $h = start_migrate('term', \$out, \$err);
my $pid = wait_for_sleeping_worker();
ok($node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)") eq 't',
	'the worker running the second statement is terminated');
$h->finish;
like($err, qr/ERROR:  background worker exited without reporting a result/,
	'CALL sm_migrate fails naming the lost worker');
like($err, qr/statement: SELECT pg_sleep\(600\)/,
	'...and the statement that may be partly done');
is(workers_left(), '0', 'no worker is left running');
is(partial_of('term'), '0002 up 1/3',
	'the first statement stays committed: 0002 is partial at 1 of 3');
is($node->safe_psql('postgres', "SELECT string_agg(c, ',') FROM sm_current('term') c"),
	'0001,0002 (partial: 1 of 3 statements)', 'sm_current shows the partial state');
ok($node->safe_psql('postgres', "SELECT to_regclass('term_a') IS NOT NULL"
	  . " AND (SELECT indisvalid FROM pg_index WHERE indexrelid = 'term_a'::regclass)") eq 't',
	'the index the first statement built is there and valid');

# fix the cause (same statements, a short sleep) and resume
write_set('term', 0);
($out, $err) = ('', '');
$h = start_migrate('term', \$out, \$err);
$h->finish;
like($err, qr/NOTICE:  resuming migration 0002 "indexes" at statement 2 of 3/,
	'the next CALL sm_migrate resumes at the failed statement');
is(partial_of('term'), '', 'and finishes: nothing is partial');
is($node->safe_psql('postgres', "SELECT * FROM sm_current('term')"),
	'0002', 'the set is at head');

# --- the worker crashes (SIGKILL): the server restarts every backend
write_set('crash', 600);
($out, $err) = ('', '');
$h = start_migrate('crash', \$out, \$err);
$pid = wait_for_sleeping_worker();
kill "KILL", $pid;
$h->finish;
like($err, qr/server closed the connection unexpectedly|terminating connection because of crash/,
	'a SIGKILL of the worker restarts the server; the caller loses its connection');
$node->poll_query_until('postgres', 'SELECT true')
  or die 'the server did not come back';
ok($node->log_contains('background worker "schema_migrate worker" \(PID \d+\) was terminated by signal 9'),
	'the server log names the killed worker');
ok($node->log_contains('all server processes terminated; reinitializing'),
	'...and the server went through crash recovery');
is(workers_left(), '0', 'after the restart no worker is running');
is(partial_of('crash'), '0002 up 1/3',
	'the committed progress survived the crash: 0002 is partial at 1 of 3');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"),
	'0', 'no advisory lock of the dead session is left');

write_set('crash', 0);
($out, $err) = ('', '');
$h = start_migrate('crash', \$out, \$err);
$h->finish;
like($err, qr/NOTICE:  resuming migration 0002 "indexes" at statement 2 of 3/,
	'after the crash, CALL sm_migrate resumes at the killed statement');
is($node->safe_psql('postgres', "SELECT * FROM sm_current('crash')"),
	'0002', 'the set is at head');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_index WHERE indexrelid IN ('crash_a'::regclass, 'crash_b'::regclass) AND indisvalid"),
	'2', 'both indexes exist and are valid');

# --- a clean restart: the version state and the start-up no-op are intact
$node->restart;
is($node->safe_psql('postgres', "SELECT sm_check('term') AND sm_check('crash')"),
	't', 'after a restart sm_check() passes for both sets');

$node->stop;
done_testing();
