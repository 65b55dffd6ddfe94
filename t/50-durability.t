# two workers share the store; data survives reload, restart and kill -9
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;

my $t = IncidentTest->new(workers => 2, listen_params => 'reuseport')->start;

my @pids = $t->worker_pids;
is(scalar @pids, 2, 'two workers');

my %titles;    # id => title of every acknowledged incident

sub create {
    my ($title) = @_;
    my $r = $t->api(POST => '/api/v1/incidents',
                    {title => $title, status => 'investigating', impact => 'minor',
                     message => "message of $title"});
    is_status($r, 201, "create '$title'");
    $titles{ $r->{json}{id} } = $title if $r->{status} == 201;
    return $r;
}

# every acknowledged incident is there, with its title and update
sub all_present {
    my ($name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $items = $t->list_all('/api/v1/incidents', limit => 100);
    my %got = map { $_->{id} => $_->{title} } @$items;
    my @missing = grep { !defined $got{$_} || $got{$_} ne $titles{$_} }
                  sort { $a <=> $b } keys %titles;
    ok(!@missing && keys %got == keys %titles, $name)
        or diag("missing or wrong: @missing; listed " . scalar(keys %got)
                . ", acknowledged " . scalar(keys %titles));
}

# --- write through one worker, read through the other ----------------------------

{
    # warm both workers' caches first
    $t->per_worker(GET => '/api/v1/status');
    $t->per_worker(GET => '/api/v1/incidents');

    my $r = create('Written by one worker');
    my $id = $r->{json}{id};
    my $writer = $r->{headers}{'x-worker-pid'};
    ok($writer, "the write was answered by worker " . ($writer // '?'));

    my $seen = $t->per_worker(GET => "/api/v1/incidents/$id");
    for my $pid (sort keys %$seen) {
        is($seen->{$pid}{status}, 200, "worker $pid reads incident $id")
            or diag(IncidentTest::dump_response($seen->{$pid}));
    }
    $seen = $t->per_worker(GET => '/api/v1/status');
    for my $pid (sort keys %$seen) {
        is_deeply(ids_of($seen->{$pid}{json}{activeIncidents}), [$id],
                  "worker $pid: the status shows the new incident (no stale cache)");
    }
    $seen = $t->per_worker(GET => '/api/v1/incidents');
    for my $pid (sort keys %$seen) {
        is(($seen->{$pid}{json}{data}[0] || {})->{id}, $id,
           "worker $pid: the list shows the new incident");
    }

    # and the other way round: a PATCH through whichever worker, read by all
    for my $n (1 .. 6) {
        my $p = $t->api(PATCH => "/api/v1/incidents/$id", {title => "Renamed $n"});
        is_status($p, 200, "rename $n");
        $titles{$id} = "Renamed $n";
        $seen = $t->per_worker(GET => "/api/v1/incidents/$id");
        my @stale = grep { ($seen->{$_}{json}{title} // '') ne "Renamed $n" }
                    keys %$seen;
        ok(!@stale, "rename $n (by worker "
                    . ($p->{headers}{'x-worker-pid'} // '?')
                    . ") is seen by every worker") or diag("stale: @stale");
    }
}

# --- concurrent-ish writes from both workers keep distinct ids ---------------------

{
    my %ids;
    for my $n (1 .. 20) {
        my $r = create("Burst $n");
        $ids{ $r->{json}{id} // 0 }++;
    }
    is(scalar(keys %ids), 20, '20 creates got 20 distinct ids');
    all_present('all incidents present');
}

# --- simultaneous writes from several clients -----------------------------------------

{
    my $results = $t->parallel(4, sub {
        my ($client) = @_;
        my @out;
        for my $n (1 .. 15) {
            my $title = "Client $client write $n";
            my $r = $t->api(POST => '/api/v1/incidents',
                            {title => $title, status => 'investigating',
                             impact => 'minor'});
            push @out, {status => $r->{status}, id => $r->{json}{id},
                        title => $title};
        }
        return @out;
    });
    my @all = map { @$_ } @$results;
    my @bad = grep { ($_->{status} // 0) != 201 } @all;
    is(scalar @all, 60, '4 clients made 15 writes each');
    ok(!@bad, 'every simultaneous write answered 201')
        or diag(encode_json(\@bad));
    my %ids;
    for my $w (grep { ($_->{status} // 0) == 201 } @all) {
        $ids{ $w->{id} }++;
        $titles{ $w->{id} } = $w->{title};
    }
    is(scalar(keys %ids), 60, 'and got 60 distinct ids');
    all_present('after simultaneous writes: all present');
}

# --- reload ----------------------------------------------------------------------------

{
    $t->reload;
    all_present('after reload: all data present');
    my $max = (sort { $b <=> $a } keys %titles)[0];
    my $r = create('After reload');
    is($r->{json}{id}, $max + 1, 'after reload: ids keep counting up');
    $t->per_worker(GET => '/api/v1/status');
    $t->reload;
    all_present('after a second reload: all data present');
}

# --- stop and start ---------------------------------------------------------------------

{
    $t->restart;
    all_present('after stop and start: all data present');
    my $max = (sort { $b <=> $a } keys %titles)[0];
    my $r = create('After restart');
    is($r->{json}{id}, $max + 1, 'after restart: ids keep counting up');
}

# --- kill -9 right after acknowledged writes --------------------------------------------

for my $round (1 .. 3) {
    my $max = (sort { $b <=> $a } keys %titles)[0];
    for my $n (1 .. 20) {
        create("Round $round create $n");
    }
    my $upd = $t->api(POST => "/api/v1/incidents/$max/updates",
                      {status => 'resolved', message => "resolved in round $round"});
    is_status($upd, 201, "round $round: an update is acknowledged");
    $t->kill9_all;
    $t->start;
    all_present("kill -9 round $round: every acknowledged incident survived");
    my $x = $t->get_json("/api/v1/incidents/$max");
    is(($x->{updates}[0] || {})->{message}, "resolved in round $round",
       "kill -9 round $round: the acknowledged update survived");
    is($x->{status}, 'resolved', "kill -9 round $round: and the status it set");
    my $r = create("After kill round $round");
    is($r->{json}{id}, $max + 21, "kill -9 round $round: ids keep counting up");
}

{
    my $c = $t->api(POST => '/api/v1/components', {name => 'After crashes'});
    is_status($c, 201, 'components can still be created');
    is($c->{json}{id}, 1, 'the first component gets id 1');
    $t->per_worker(GET => '/api/v1/status');
}

$t->stop;
done_testing;
