# 100 concurrent API writers while nginx workers are SIGKILLed at random
# (the master respawns them): every write that got a 2xx is in the store,
# nothing half-written is visible, the store opens clean after a full stop
# and start (mdb_stat agrees with the API), and no 5xx but the connection
# resets of killed workers
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;
use HTTP::Tiny;
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(time sleep);

my $WRITERS  = $ENV{KILL_WRITERS}  // 100;
my $DURATION = $ENV{KILL_DURATION} // 30;     # seconds of writes and kills
my $WORKERS  = 2;

my $JSON = JSON::PP->new->utf8->canonical;

my $t = IncidentTest->new(workers => $WORKERS)->start;
# the master's note of each worker we kill
$t->allow_log(qr/worker process \d+ exited on signal 9\b/);

my $base  = $t->base_url;
my $token = $t->token('admin');
my $master = $t->master_pid;

is_status($t->api(GET => '/api/v1/status'), 200, 'nginx answers');

# --- the killer: SIGKILL a random worker every 0.1-0.7 s -------------------------

my $deadline = time + $DURATION;
my $killfile = $t->prefix . '/kills.txt';

my $killer = fork // die "fork: $!";
if (!$killer) {
    srand($$ ^ time);
    # ahead of the 100 writers for the CPU (we may be root: else as is)
    setpriority(0, 0, -10);
    open my $log, '>>', $killfile or POSIX::_exit(1);
    $log->autoflush(1);
    sleep 1;                      # let the writers get going
    while (time < $deadline - 1) {
        # the master's children, without forking ps under load
        my @w = grep { IncidentTest::alive($_) } split ' ',
            (IncidentTest::read_file("/proc/$master/task/$master/children")
             // join ' ', IncidentTest::children_of($master));
        if (@w) {
            my $pid = $w[int rand @w];
            printf $log "%s %.3f\n", $pid, time if kill 'KILL', $pid;
        }
        sleep 0.1 + rand 0.6;
    }
    close $log;
    POSIX::_exit(0);
}

# --- 100 writers: create (with a message), then two updates, in a loop --------

# a 599 from HTTP::Tiny whose text says the connection went away: what a
# client of a SIGKILLed worker sees
my $RESET_RE = qr/reset\ by\ peer|end\ of\ stream|Broken\ pipe
                 |Connection\ refused|closed|Socket\ is\ not\ connected
                 |Could\ not\ read/xi;

my $results = $t->parallel($WRITERS, sub {
    my ($w) = @_;
    my $http = HTTP::Tiny->new(keep_alive => 0, timeout => 20,
                               agent => "writer-$w");
    my %h = ('Content-Type' => 'application/json',
             Authorization  => "Bearer $token");
    my @out;
    my $req = sub {
        my ($path, $body) = @_;
        my $t0 = time;
        my $r = $http->request(POST => "$base$path",
                               {headers => \%h,
                                content => $JSON->encode($body)});
        my $doc = eval { $JSON->decode($r->{content}) };
        my %rec = (status => $r->{status}, secs => time - $t0);
        $rec{id} = $doc->{id} if ref $doc eq 'HASH';
        $rec{error} = substr($r->{content} // '', 0, 200)
            if $r->{status} == 599 || $r->{status} >= 500;
        return \%rec;
    };
    my $n = 0;
    while (time < $deadline) {
        $n++;
        my $title = "w$w-$n";
        my $c = $req->('/api/v1/incidents',
                       {title => $title, status => 'investigating',
                        impact => 'minor', message => "first of $title"});
        push @out, {op => 'create', title => $title, %$c};
        next unless $c->{status} == 201 && $c->{id};
        for my $k (1 .. 2) {
            last if time >= $deadline;
            my $u = $req->("/api/v1/incidents/$c->{id}/updates",
                           {status => 'identified',
                            message => "update $k of $title"});
            push @out, {op => 'update', title => $title, incident => $c->{id},
                        k => $k, %$u};
        }
    }
    return @out;
});

waitpid $killer, 0;
my @kills = split /\n/, (IncidentTest::read_file($killfile) // '');

my @all = map { @$_ } @$results;
my @errors = grep { ref $_ eq 'HASH' && $_->{error} && !$_->{op} } @all;
ok(!@errors, "the $WRITERS writers ran") or diag(encode_json(\@errors));
@all = grep { $_->{op} } @all;

my @creates = grep { $_->{op} eq 'create' } @all;
my @updates = grep { $_->{op} eq 'update' } @all;
my @ok_c = grep { $_->{status} == 201 } @creates;
my @ok_u = grep { $_->{status} == 201 } @updates;
my @resets = grep { $_->{status} == 599 && ($_->{error} // '') =~ $RESET_RE } @all;
my @bad = grep { $_->{status} != 201
                 && !($_->{status} == 599 && ($_->{error} // '') =~ $RESET_RE) }
          @all;
my ($slowest) = sort { $b <=> $a } map { $_->{secs} } @all;

note(sprintf('%d writes in %d s (%d creates, %d updates acknowledged), '
             . '%d workers killed, %d connection resets, slowest %.2f s',
             scalar @all, $DURATION, scalar @ok_c, scalar @ok_u,
             scalar @kills, scalar @resets, $slowest // 0));

ok(@kills >= $DURATION, scalar(@kills) . ' workers were SIGKILLed during the writes');
ok(@ok_c >= 500, scalar(@ok_c) . ' creates were acknowledged (201)');
ok(@ok_u >= 500, scalar(@ok_u) . ' updates were acknowledged (201)');
ok(@resets > 0, scalar(@resets) . ' requests were cut by a killed worker '
                . '(the test did hit writes in flight)');
ok(!@bad, 'every answer is a 201 or a connection reset: no 4xx/5xx, no timeout')
    or diag(scalar(@bad) . " bad, e.g.\n"
            . join("\n", map { encode_json($_) } @bad[0 .. ($#bad < 9 ? $#bad : 9)]));

# the master respawned the workers
ok(IncidentTest::wait_until(10, sub { $t->worker_pids == $WORKERS }),
   "the master keeps $WORKERS workers running");

# --- what the writers know --------------------------------------------------------

my (%acked, %tried, %ids);
for my $c (@creates) {
    $tried{ $c->{title} } = { tried_updates => 0 };
    next unless $c->{status} == 201;
    $ids{ $c->{id} }++;
    $acked{ $c->{id} } = { title => $c->{title}, updates => {} };
}
is(scalar(grep { $_ > 1 } values %ids), 0, 'acknowledged creates got distinct ids');
for my $u (@updates) {
    $tried{ $u->{title} }{tried_updates}++;
    next unless $u->{status} == 201;
    $acked{ $u->{incident} }{updates}{ $u->{id} } = "update $u->{k} of $u->{title}";
}

# every acknowledged incident and update, read back by id; returns the
# number of problems (and diags the first ones)
sub check_acked {
    my ($when) = @_;
    my @ids = sort { $a <=> $b } keys %acked;
    my $per = int(@ids / 8) + 1;
    my $res = $t->parallel(8, sub {
        my ($c) = @_;
        my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 20);
        my @bad;
        for my $id (grep { defined } @ids[($c - 1) * $per .. $c * $per - 1]) {
            my $r = $http->get("$base/api/v1/incidents/$id");
            my $d = eval { $JSON->decode($r->{content}) };
            if ($r->{status} != 200 || ref $d ne 'HASH') {
                push @bad, "incident $id: GET -> $r->{status}";
                next;
            }
            my $a = $acked{$id};
            push @bad, "incident $id: title '$d->{title}', expected '$a->{title}'"
                unless ($d->{title} // '') eq $a->{title};
            my %u = map { $_->{id} => $_->{message} } @{ $d->{updates} || [] };
            my $first = ($d->{updates} || [])->[-1] || {};
            push @bad, "incident $id: oldest update is '"
                       . ($first->{message} // 'missing') . "'"
                unless ($first->{message} // '') eq "first of $a->{title}";
            for my $uid (sort keys %{ $a->{updates} }) {
                push @bad, "incident $id: acknowledged update $uid "
                           . (defined $u{$uid} ? "reads '$u{$uid}'" : 'is missing')
                    unless ($u{$uid} // '') eq $a->{updates}{$uid};
            }
        }
        return @bad;
    });
    my @bad = map { @$_ } @$res;
    ok(!@bad, "$when: each of the " . scalar(@ids) . ' acknowledged incidents '
              . 'reads back with its title, first update and every '
              . 'acknowledged update')
        or diag(scalar(@bad) . " problems:\n"
                . join("\n", @bad[0 .. ($#bad < 19 ? $#bad : 19)]));
}

# the whole list: nothing half-written, nothing unknown, counts that add up;
# returns a digest of the list (ids, titles, update ids and messages)
sub check_list {
    my ($when) = @_;
    my $items = $t->list_all('/api/v1/incidents?state=all', limit => 100);
    my (@bad, %seen);
    for my $i (@$items) {
        my $title = $i->{title} // '';
        push @bad, "incident $i->{id}: listed twice" if $seen{ $i->{id} }++;
        my $tr = $tried{$title};
        unless ($tr) {
            push @bad, "incident $i->{id}: title '$title' was never sent";
            next;
        }
        my @u = reverse @{ $i->{updates} || [] };       # oldest first
        push @bad, "incident $i->{id} ($title): no first update"
            unless @u && ($u[0]{message} // '') eq "first of $title"
                   && $u[0]{status} eq 'investigating';
        for my $u (@u[1 .. $#u]) {
            push @bad, "incident $i->{id} ($title): update $u->{id} reads "
                       . "'$u->{message}'"
                unless ($u->{message} // '') =~ /^update [12] of \Q$title\E\z/
                       && $u->{status} eq 'identified';
        }
        my $a = $acked{ $i->{id} };
        my $min = 1 + ($a ? keys %{ $a->{updates} } : 0);
        my $max = 1 + $tr->{tried_updates};
        push @bad, "incident $i->{id} ($title): " . scalar(@u) . " updates, "
                   . "expected $min..$max"
            unless @u >= $min && @u <= $max;
        push @bad, "incident $i->{id} ($title): status $i->{status} does not "
                   . "follow its newest update"
            unless $i->{status} eq ($u[-1] || {})->{status};
    }
    my @missing = grep { !$seen{$_} } sort { $a <=> $b } keys %acked;
    push @bad, "acknowledged incident $_ is not listed" for @missing;
    ok(!@bad, "$when: the list (" . scalar(@$items) . ' incidents) has every '
              . 'acknowledged one, each whole: its first update, updates '
              . 'that were sent, counts within acknowledged..tried')
        or diag(scalar(@bad) . " problems:\n"
                . join("\n", @bad[0 .. ($#bad < 19 ? $#bad : 19)]));
    ok(@$items <= @creates, "$when: no more incidents than were sent");
    my $nupd = 0;
    $nupd += @{ $_->{updates} || [] } for @$items;
    return ($items, $nupd,
            $JSON->encode([ map { [$_->{id}, $_->{title}, $_->{status},
                                   [ map { [$_->{id}, $_->{message}] }
                                     @{ $_->{updates} || [] } ]] } @$items ]));
}

check_acked('while running');
my ($items, $nupd, $digest) = check_list('while running');

# a new write after all that
{
    my $r = $t->api(POST => '/api/v1/incidents',
                    {title => 'after the kills', status => 'investigating',
                     impact => 'minor', message => 'first of after the kills'});
    is_status($r, 201, 'a write after the kills is acknowledged');
    my $max = (sort { $b <=> $a } map { $_->{id} } @$items)[0] // 0;
    ok(($r->{json}{id} // 0) > $max, 'with a new id above every stored one');
    my $x = $t->get_json("/api/v1/incidents/$r->{json}{id}");
    is(($x->{updates}[0] || {})->{message}, 'first of after the kills',
       'and reads back');
    $acked{ $r->{json}{id} } = { title => 'after the kills', updates => {} };
    $tried{'after the kills'} = { tried_updates => 0 };
    push @creates, {};
}
($items, $nupd, $digest) = check_list('after one more write');

# --- stale readers: the killed workers' reader slots were cleared ------------

{
    # while nginx runs: mdb_stat -rr lists the reader table and clears the
    # slots of dead processes, saying how many it found (it exits 1 whenever
    # it prints the table)
    my (undef, $out) = IncidentTest::run_cmd($t->prefix . '/logs/mdb_stat_r.out',
                                             'mdb_stat', '-rr', $t->prefix . '/db');
    like($out, qr/^\s*0 stale readers cleared/m,
         'no stale reader slots of killed workers are left (the respawned '
         . 'workers cleared them)') or diag($out);
}

# --- full stop: the store is clean on disk ----------------------------------------

$t->stop;

my $db = $t->prefix . '/db';
{
    my ($rc, $out) = IncidentTest::run_cmd($t->prefix . '/logs/mdb_stat.out',
                                           'mdb_stat', '-a', $db);
    is($rc, 0, 'mdb_stat -a reads every database of the stopped store')
        or diag($out);
    my %entries;
    while ($out =~ /^Status of (\S+(?: DB)?)\n(?:  .*\n)*?  Entries: (\d+)/mg) {
        $entries{$1} = $2;
    }
    is($entries{incidents}, scalar @$items,
       "mdb_stat: the incidents database has the " . scalar(@$items)
       . ' incidents the API lists');
    is($entries{updates}, $nupd,
       "mdb_stat: the updates database has the $nupd updates the API lists");

    ($rc, $out) = IncidentTest::run_cmd($t->prefix . '/logs/mdb_stat_e.out',
                                        'mdb_stat', '-e', $db);
    is($rc, 0, 'mdb_stat -e: the environment is readable') or diag($out);
}

# --- and start: everything is as it was ------------------------------------------

$t->start;
is_status($t->api(GET => '/api/v1/status'), 200, 'the store opens after the stop');
check_acked('after stop and start');
my ($items2, $nupd2, $digest2) = check_list('after stop and start');
ok($digest2 eq $digest, 'after stop and start: the list is exactly what it was');
is_status($t->api(POST => '/api/v1/incidents',
                  {title => 'after the restart', status => 'investigating',
                   impact => 'minor'}),
          201, 'writes work after the restart');

$t->stop;
done_testing;
