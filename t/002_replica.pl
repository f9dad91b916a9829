# schema_migrate on real PostgreSQL replication (was test/t_replica.sh,
# with its own initdb, ports, sockets, base backup and cleanup; those are
# PostgreSQL::Test::Cluster's now).
#
#   1. physical: a primary and a hot standby from a base backup taken
#      before the migration; the primary is migrated, the standby replays
#      it and reports the primary's state (sm_current, sm_history, sm_check,
#      sm_status), and sm_upgrade / sm_downgrade / sm_stamp on the standby
#      fail, naming the standby, and change nothing.
#   2. logical: a publisher and a subscriber, both migrated to the same head
#      (subscriber first); a published table's rows replicate; sm_current,
#      sm_status (but last_at) and sm_history are equal on both.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Path qw(make_path);

my $sets = PostgreSQL::Test::Utils::tempdir() . '/sets';

# N migrations, each a table with an index, and a down section
sub gen_set
{
	my ($dir, $n) = @_;
	make_path($dir);
	for my $i (1 .. $n)
	{
		my $f = sprintf('%s/%04d_t%d.sql', $dir, $i, $i);
		PostgreSQL::Test::Utils::append_to_file($f,
			"-- message: table t$i\n\n-- +up\n"
			  . "CREATE TABLE t$i (id bigint PRIMARY KEY, v text NOT NULL);\n"
			  . "CREATE INDEX t${i}_v ON t$i (v);\n\n-- +down\nDROP TABLE t$i;\n");
	}
	return;
}
gen_set("$sets/rep", 5);

my $history_sql =
  "SELECT revision, applied, applied_at, applied_by, is_head, is_current, checksum FROM sm_history() ORDER BY revision";
my $current_sql = "SELECT string_agg(r, ',' ORDER BY r) FROM sm_current() r";

sub install_extension
{
	my ($node) = @_;
	$node->safe_psql('postgres', 'CREATE DATABASE app');
	$node->safe_psql('app', qq{
CREATE EXTENSION schema_migrate;
ALTER DATABASE app SET schema_migrate.path = '$sets';
ALTER DATABASE app SET schema_migrate.set = 'rep';
ALTER DATABASE app SET client_min_messages = warning;
});
	return;
}

########################################################################
# 1. physical streaming replication
########################################################################
my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
install_extension($primary);

# the standby starts from a base backup taken before the migration, so the
# migration reaches it through WAL only
$primary->backup('before_migration');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'before_migration', has_streaming => 1);
$standby->start;
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'),
	't', 'a hot standby from a base backup is in recovery');

my $head = $primary->safe_psql('app', "SELECT sm_upgrade('head')");
is($head, '0005', 'the primary is migrated to 0005');
$primary->wait_for_catchup($standby);

my $p_cur = $primary->safe_psql('app', $current_sql);
is($standby->safe_psql('app', $current_sql), $p_cur,
	"sm_current() on the standby = the primary's ($p_cur)");
my $p_hist = $primary->safe_psql('app', $history_sql);
is(scalar(grep { /^\d+\|t\|/ } split /\n/, $p_hist), 5,
	'the primary shows 5 applied revisions');
is($standby->safe_psql('app', $history_sql), $p_hist,
	"sm_history() on the standby = the primary's (every column)");
is( $standby->safe_psql('app',
		"SELECT count(*) FROM pg_class WHERE relname ~ '^t[1-5]\$' AND relkind = 'r'"),
	'5', 'the migrated tables exist on the standby');
for my $fn ('sm_check', 'sm_status')
{
	is($standby->safe_psql('app', "SELECT * FROM $fn()"),
		$primary->safe_psql('app', "SELECT * FROM $fn()"),
		"$fn() on the standby = the primary's");
}

my $log_before = $standby->safe_psql('app', 'SELECT count(*) FROM sm_log');

# the standby must refuse and change nothing
sub refused_on_standby
{
	my ($sql, $what) = @_;
	my ($stdout, $stderr) = ('', '');
	my $rc = $standby->psql('app', $sql, stdout => \$stdout, stderr => \$stderr);
	isnt($rc, 0, "$what fails on the standby");
	like($stderr, qr/standby|recovery/i, "...and the error says the server is a standby");
	is($standby->safe_psql('app', $current_sql), $p_cur, "...and the standby's state is unchanged");
	is($standby->safe_psql('app', 'SELECT count(*) FROM sm_log'),
		$log_before, '...and sm_log is unchanged');
	is($standby->safe_psql('app', "SELECT count(*) FROM pg_class WHERE relname = 't6'"),
		'0', '...and no table of a pending migration exists');
	return;
}

# a new migration on disk (the set directory is shared by both servers here)
PostgreSQL::Test::Utils::append_to_file("$sets/rep/0006_t6.sql",
	"-- +up\nCREATE TABLE t6 (id bigint PRIMARY KEY);\n\n-- +down\nDROP TABLE t6;\n");
refused_on_standby("SELECT sm_upgrade('head')", "sm_upgrade('head') with a pending migration");
unlink("$sets/rep/0006_t6.sql") or die "unlink: $!";
refused_on_standby("SELECT sm_upgrade('head')", "sm_upgrade('head') at head");
refused_on_standby("SELECT sm_downgrade('base')", "sm_downgrade('base')");
refused_on_standby("SELECT sm_stamp('base')", "sm_stamp('base')");
is($primary->safe_psql('app', $current_sql), $p_cur, 'the primary is unchanged');

$standby->stop;
$primary->stop;

########################################################################
# 2. logical replication: publisher and subscriber both migrated
########################################################################
my $pub = PostgreSQL::Test::Cluster->new('pub');
$pub->init(allows_streaming => 'logical');
$pub->start;
my $sub = PostgreSQL::Test::Cluster->new('sub');
$sub->init;
$sub->start;

for my $node ($sub, $pub)    # subscriber first: additive changes
{
	install_extension($node);
	$node->safe_psql('app', "SELECT sm_upgrade('head')");
}
my $pub_cur = $pub->safe_psql('app', $current_sql);
is($sub->safe_psql('app', $current_sql), $pub_cur,
	"subscriber then publisher migrated to the same head ($pub_cur)");
is($pub_cur, '0005', 'both are at 0005');

$pub->safe_psql('app', 'CREATE PUBLICATION sm_pub FOR TABLE t1');
$pub->safe_psql('app', "INSERT INTO t1 SELECT g, 'before ' || g FROM generate_series(1, 10) g");
my $pub_conn = $pub->connstr . ' dbname=app';
$sub->safe_psql('app', "CREATE SUBSCRIPTION sm_sub CONNECTION '$pub_conn' PUBLICATION sm_pub");
$pub->safe_psql('app', "INSERT INTO t1 SELECT g, 'after ' || g FROM generate_series(11, 25) g");
$sub->poll_query_until('app', 'SELECT count(*) = 25 FROM t1')
  or die 'the rows did not reach the subscriber';
is($sub->safe_psql('app', 'SELECT sum(id), count(DISTINCT v) FROM t1'),
	'325|25', 'the rows of a published table reach the subscriber (25 rows)');

is($sub->safe_psql('app', $current_sql), $pub->safe_psql('app', $current_sql),
	'sm_current() is equal on publisher and subscriber');
my $status_sql =
  "SELECT set_name, current, pending, partial, last_operation, last_revision, last_success, last_error FROM sm_status() ORDER BY set_name";
my $p_status = $pub->safe_psql('app', $status_sql);
isnt($p_status, '', 'sm_status() on the publisher has a row');
is($sub->safe_psql('app', $status_sql), $p_status,
	'sm_status() is equal on publisher and subscriber (but last_at)');
my $rev_sql = 'SELECT revision, applied, checksum FROM sm_history() ORDER BY revision';
is($sub->safe_psql('app', $rev_sql), $pub->safe_psql('app', $rev_sql),
	'sm_history() revisions and checksums are equal on publisher and subscriber');

$sub->safe_psql('app', 'DROP SUBSCRIPTION sm_sub');
$sub->stop;
$pub->stop;
done_testing();
