# scheduled maintenance, the automatic transitions (two workers): start at
# scheduledFor, complete at scheduledUntil, each with exactly one automatic
# update; autoStart/autoComplete false; windows moved, started or completed
# by hand, cancelled; a reload in the middle; a restart across the window;
# kill -9 around a transition
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;
use Time::HiRes qw(time sleep);

my $T = JSON::PP::true;
my $F = JSON::PP::false;
my $STARTED   = 'Scheduled maintenance is now in progress.';
my $COMPLETED = 'Scheduled maintenance has completed.';

# how late a transition may be: the timer looks every second
my $LATE = 4;

my $t = IncidentTest->new(workers => 2)->start;
my $api = $t->create_component(name => 'API')->{id};

sub rfc { epoch_to_rfc3339($_[0]) }
sub ep  { rfc3339_to_epoch($_[0]) // 0 }

sub create_m {
    my (%f) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $r = $t->api(POST => '/api/v1/maintenances', \%f);
    is_status($r, 201, "create maintenance '$f{title}'");
    return $r->{json} || {};
}

# the maintenance document (no assertion: used in polling loops)
sub m_doc {
    my ($id) = @_;
    my $r = $t->api(GET => "/api/v1/maintenances/$id");
    return $r->{status} == 200 ? $r->{json} : undef;
}

# every maintenance by id, in one request
sub all_docs {
    my $r = $t->api(GET => '/api/v1/maintenances?state=all&limit=100');
    return { map { $_->{id} => $_ } @{ ($r->{json} || {})->{data} || [] } };
}

# the automatic updates, oldest first, as "status: message"
sub autos {
    my ($doc) = @_;
    return [ map { "$_->{status}: $_->{message}" }
             sort { $a->{id} <=> $b->{id} }
             grep { JSON::PP::is_bool($_->{automatic}) && $_->{automatic} }
             @{ ($doc || {})->{updates} || [] } ];
}

sub comp_status {
    my ($id) = @_;
    my $s = $t->api(GET => '/api/v1/status')->{json} || {};
    my ($c) = grep { $_->{id} == $id } @{ $s->{components} || [] };
    return (($c || {})->{status} // 'missing', $s->{status} // 'missing');
}

# watch(UNTIL, {id => {from, until}}): polls the list until the epoch UNTIL;
# returns {id => {first => {status => epoch first seen}, bad => [...]}} where
# bad lists sightings of in_progress before scheduledFor or of completed
# before scheduledUntil
sub watch {
    my ($until, $windows) = @_;
    my %seen;
    while (time < $until) {
        my $docs = all_docs();
        my $now = time;
        for my $id (keys %$windows) {
            my $d = $docs->{$id} or next;
            my $w = $windows->{$id};
            $seen{$id}{first}{ $d->{status} } //= $now;
            push @{ $seen{$id}{bad} },
                sprintf('%s at %.2f s before scheduledFor', $d->{status},
                        $w->{from} - $now)
                if $w->{check_from} && $d->{status} ne 'scheduled'
                   && $now < $w->{from} - 0.05;
            push @{ $seen{$id}{bad} },
                sprintf('completed at %.2f s before scheduledUntil',
                        $w->{until} - $now)
                if $w->{check_until} && $d->{status} eq 'completed'
                   && $now < $w->{until} - 0.05;
        }
        sleep 0.2;
    }
    return \%seen;
}

# --- one batch of windows, watched together -------------------------------------------

my $now0 = int(time) + 1;
my %m;     # name => document
my %w;     # id => {from, until, check_from, check_until}

# a: the plain case, naming a component
$m{a} = create_m(title => 'Plain window', componentIds => [$api],
                 scheduledFor => rfc($now0 + 4), scheduledUntil => rfc($now0 + 8));
# b: autoStart false
$m{b} = create_m(title => 'No auto start', autoStart => $F,
                 scheduledFor => rfc($now0 + 2), scheduledUntil => rfc($now0 + 5));
# c: autoComplete false
$m{c} = create_m(title => 'No auto complete', autoComplete => $F,
                 scheduledFor => rfc($now0 + 2), scheduledUntil => rfc($now0 + 4));
# d: the start is already past: it starts at once
$m{d} = create_m(title => 'Late start', scheduledFor => rfc($now0 - 60),
                 scheduledUntil => rfc($now0 + 6));
# e: the whole window is past: it starts and completes at once
$m{e} = create_m(title => 'Whole window past', scheduledFor => rfc($now0 - 120),
                 scheduledUntil => rfc($now0 - 60));
# f: created verifying: only the completion
$m{f} = create_m(title => 'Verifying', status => 'verifying',
                 scheduledFor => rfc($now0 - 10), scheduledUntil => rfc($now0 + 4));
# g: moved later by a PATCH before its start
$m{g} = create_m(title => 'Moved', scheduledFor => rfc($now0 + 3),
                 scheduledUntil => rfc($now0 + 6));
is_status($t->api(PATCH => "/api/v1/maintenances/$m{g}{id}",
                  {scheduledFor => rfc($now0 + 9), scheduledUntil => rfc($now0 + 12)}),
          200, 'g: PATCH moves the window later');
# h: started by hand before scheduledFor
$m{h} = create_m(title => 'Started by hand', scheduledFor => rfc($now0 + 4),
                 scheduledUntil => rfc($now0 + 7));
is_status($t->api(POST => "/api/v1/maintenances/$m{h}{id}/updates",
                  {status => 'in_progress', message => 'We started early.'}),
          201, 'h: started by hand');
# i: completed by hand before scheduledFor
$m{i} = create_m(title => 'Done by hand', scheduledFor => rfc($now0 + 2),
                 scheduledUntil => rfc($now0 + 5));
is_status($t->api(POST => "/api/v1/maintenances/$m{i}{id}/updates",
                  {status => 'completed', message => 'Nothing to do after all.'}),
          201, 'i: completed by hand');
# j: autoStart switched off by a PATCH
$m{j} = create_m(title => 'Switched off', scheduledFor => rfc($now0 + 3),
                 scheduledUntil => rfc($now0 + 5));
is_status($t->api(PATCH => "/api/v1/maintenances/$m{j}{id}", {autoStart => $F}),
          200, 'j: PATCH autoStart false');
# k: cancelled before its start
$m{k} = create_m(title => 'Cancelled', scheduledFor => rfc($now0 + 2),
                 scheduledUntil => rfc($now0 + 4));
is_status($t->api(DELETE => "/api/v1/maintenances/$m{k}{id}"), 204,
          'k: cancelled');

for my $n (qw(a b c g j)) {
    $w{ $m{$n}{id} } = {from => ep($m{$n}{scheduledFor}),
                        until => ep($m{$n}{scheduledUntil}),
                        check_from => 1, check_until => 1};
}
$w{ $m{$_}{id} } = {from => ep($m{$_}{scheduledFor}), until => ep($m{$_}{scheduledUntil}),
                    check_until => 1} for qw(d e f h);
# i was completed by hand: only its first sighting matters
$w{ $m{i}{id} } = {from => ep($m{i}{scheduledFor}), until => ep($m{i}{scheduledUntil})};

my %etag0 = map { $_ => $t->api(GET => "/api/v1/maintenances/$m{a}{id}")->{headers}{etag} }
            ('a');
my $status_etag0 = $t->api(GET => '/api/v1/status')->{headers}{etag};

# in the middle of a's window: the component and the page
my ($mid_comp, $mid_overall);
my $seen = {};
{
    my $w1 = watch($now0 + 6, \%w);
    ($mid_comp, $mid_overall) = comp_status($api);
    my $w2 = watch($now0 + 12 + $LATE, \%w);
    # merge: the first sighting of each status
    for my $id (keys %w) {
        my %first = (%{ $w2->{$id}{first} || {} }, %{ $w1->{$id}{first} || {} });
        $seen->{$id} = {first => \%first,
                        bad => [@{ $w1->{$id}{bad} || [] }, @{ $w2->{$id}{bad} || [] }]};
    }
}
# and a little longer, for late duplicates from the other worker
sleep 2;
my $docs = all_docs();

for my $id (sort { $a <=> $b } keys %w) {
    my ($name) = grep { $m{$_}{id} == $id } keys %m;
    ok(!@{ $seen->{$id}{bad} || [] }, "$name: no transition before its time")
        or diag(join "\n", @{ $seen->{$id}{bad} });
}

# a
{
    my $d = $docs->{ $m{a}{id} } || {};
    my $s = $seen->{ $m{a}{id} }{first};
    my $w = $w{ $m{a}{id} };
    is($d->{status}, 'completed', 'a: completed on its own');
    ok(defined $s->{in_progress} && $s->{in_progress} - $w->{from} < $LATE,
       sprintf('a: in_progress seen %.2f s after scheduledFor',
               ($s->{in_progress} // 0) - $w->{from}));
    ok(defined $s->{completed} && $s->{completed} - $w->{until} < $LATE,
       sprintf('a: completed seen %.2f s after scheduledUntil',
               ($s->{completed} // 0) - $w->{until}));
    is_deeply(autos($d), ["in_progress: $STARTED", "completed: $COMPLETED"],
              'a: exactly two automatic updates, with the contract\'s messages');
    is(scalar @{ $d->{updates} || [] }, 2, 'a: and no other update');
    my ($u_start, $u_done) = sort { $a->{id} <=> $b->{id} } @{ $d->{updates} || [] };
    ok(ep($d->{startedAt}) >= $w->{from} && ep($d->{startedAt}) < $w->{from} + $LATE,
       "a: startedAt $d->{startedAt} at scheduledFor (or just after)");
    ok(ep($d->{completedAt}) >= $w->{until}
       && ep($d->{completedAt}) < $w->{until} + $LATE,
       "a: completedAt $d->{completedAt} at scheduledUntil (or just after)");
    is(($u_start || {})->{createdAt}, $d->{startedAt},
       'a: the start update was posted at startedAt');
    is(($u_done || {})->{createdAt}, $d->{completedAt},
       'a: the completion update was posted at completedAt');
    is($mid_comp, 'under_maintenance', 'a: in the middle, API under_maintenance');
    is($mid_overall, 'under_maintenance', 'a: and the page under_maintenance');
    my ($after, $overall) = comp_status($api);
    is($after, 'operational', 'a: completed: API operational again');
    is($overall, 'under_maintenance',
       'the page stays under maintenance: c (naming no component) is in progress');
    my $e = $t->api(GET => "/api/v1/maintenances/$m{a}{id}", undef,
                    headers => {'If-None-Match' => $etag0{a} // '"x"'});
    is_status($e, 200, 'a: the ETag from before the start no longer matches');
    isnt($t->api(GET => '/api/v1/status')->{headers}{etag} // '',
         $status_etag0 // '', 'the status ETag changed on its own');
}

# b: autoStart false
{
    my $d = $docs->{ $m{b}{id} } || {};
    fields_are($d, {status => 'scheduled', startedAt => undef, completedAt => undef},
               'b: autoStart false: still scheduled after its window');
    is_deeply($d->{updates}, [], 'b: no update');
}

# c: autoComplete false
{
    my $d = $docs->{ $m{c}{id} } || {};
    is($d->{status}, 'in_progress', 'c: autoComplete false: started, not completed');
    is_null($d, 'completedAt', 'c: completedAt null');
    is_deeply(autos($d), ["in_progress: $STARTED"], 'c: one automatic update');
}

# d: start already past at creation
{
    my $d = $docs->{ $m{d}{id} } || {};
    my $s = $seen->{ $m{d}{id} }{first};
    ok(defined $s->{in_progress}
       && $s->{in_progress} - ep($m{d}{createdAt}) < $LATE,
       'd: a start in the past: in progress right after creation');
    is($d->{status}, 'completed', 'd: then completed at scheduledUntil');
    is_deeply(autos($d), ["in_progress: $STARTED", "completed: $COMPLETED"],
              'd: two automatic updates');
}

# e: whole window past
{
    my $d = $docs->{ $m{e}{id} } || {};
    my $s = $seen->{ $m{e}{id} }{first};
    is($d->{status}, 'completed', 'e: a window wholly in the past: completed');
    ok(defined $s->{completed} && $s->{completed} - ep($m{e}{createdAt}) < $LATE,
       'e: right after creation');
    is_deeply(autos($d), ["in_progress: $STARTED", "completed: $COMPLETED"],
              'e: both transitions, once each');
}

# f: verifying completes
{
    my $d = $docs->{ $m{f}{id} } || {};
    my $s = $seen->{ $m{f}{id} }{first};
    is($d->{status}, 'completed', 'f: verifying + autoComplete: completed');
    ok(defined $s->{completed} && $s->{completed} - $w{ $m{f}{id} }{until} < $LATE,
       'f: at scheduledUntil');
    is_deeply(autos($d), ["completed: $COMPLETED"], 'f: one automatic update');
}

# g: moved
{
    my $d = $docs->{ $m{g}{id} } || {};
    my $s = $seen->{ $m{g}{id} }{first};
    is($d->{status}, 'completed', 'g: moved window: completed in the end');
    ok(ep($d->{startedAt}) >= $now0 + 9,
       "g: started at the new scheduledFor, not the old one ($d->{startedAt})");
    ok(ep($d->{completedAt}) >= $now0 + 12, 'g: completed at the new scheduledUntil');
    is_deeply(autos($d), ["in_progress: $STARTED", "completed: $COMPLETED"],
              'g: two automatic updates');
}

# h: started by hand
{
    my $d = $docs->{ $m{h}{id} } || {};
    is($d->{status}, 'completed', 'h: started by hand: completed at scheduledUntil');
    is_deeply(autos($d), ["completed: $COMPLETED"],
              'h: no automatic start (it was no longer scheduled), one completion');
    is(scalar @{ $d->{updates} || [] }, 2, 'h: the hand-made update and the completion');
    ok(ep($d->{startedAt}) < $now0 + 4, 'h: startedAt is the manual start');
}

# i: completed by hand
{
    my $d = $docs->{ $m{i}{id} } || {};
    is($d->{status}, 'completed', 'i: completed by hand stays completed');
    is_deeply(autos($d), [], 'i: no automatic update at all');
    is(scalar @{ $d->{updates} || [] }, 1, 'i: just the hand-made one');
}

# j: autoStart switched off
{
    my $d = $docs->{ $m{j}{id} } || {};
    is($d->{status}, 'scheduled', 'j: autoStart switched off by PATCH: not started');
    is_deeply($d->{updates}, [], 'j: no update');
}

# k: cancelled
is_problem($t->api(GET => "/api/v1/maintenances/$m{k}{id}"), 404,
           'k: the cancelled one stays gone (nothing recreated it)');

# b after its window: started by hand, autoComplete takes it at once
{
    my $id = $m{b}{id};
    my $b0 = time;
    is_status($t->api(POST => "/api/v1/maintenances/$id/updates",
                      {status => 'in_progress', message => 'Late, by hand.'}),
              201, 'b: started by hand after scheduledUntil');
    my $d;
    ok(IncidentTest::wait_until($LATE, sub {
        $d = m_doc($id); $d && $d->{status} eq 'completed' }),
       sprintf('b: autoComplete completes it at once (%.2f s)', time - $b0));
    is_deeply(autos($d), ["completed: $COMPLETED"], 'b: one automatic completion');
}

# c: completed by hand, the page is operational again
{
    is_status($t->api(POST => "/api/v1/maintenances/$m{c}{id}/updates",
                      {status => 'completed', message => 'Done by hand.'}),
              201, 'c: completed by hand');
    my @s = comp_status($api);
    is($s[1], 'operational',
       'nothing in progress any more (b, c completed): the page operational');
    sleep 1.5;
    is_deeply(autos(m_doc($m{c}{id})), ["in_progress: $STARTED"],
              'c: no automatic update after the manual completion');
}

# --- a reload before the start and in the middle of the window ------------------------------

{
    my $n = int(time) + 1;
    my $m = create_m(title => 'Across reloads', componentIds => [$api],
                     scheduledFor => rfc($n + 4), scheduledUntil => rfc($n + 11));
    my $id = $m->{id};
    sleep(($n + 3.4) - time) if $n + 3.4 > time;
    $t->reload;    # old workers go while the start is due
    my $d;
    ok(IncidentTest::wait_until($n + 4 + $LATE - time, sub {
        $d = m_doc($id); $d && $d->{status} eq 'in_progress' }),
       'reload: started');
    sleep(($n + 7) - time) if $n + 7 > time;
    $t->reload;    # in the middle
    $d = m_doc($id);
    is($d->{status}, 'in_progress', 'reload in the middle: still in progress');
    is_deeply(autos($d), ["in_progress: $STARTED"],
              'reload: still exactly one automatic update');
    ok(IncidentTest::wait_until($n + 11 + $LATE - time, sub {
        $d = m_doc($id); $d && $d->{status} eq 'completed' }),
       'reload: completed at scheduledUntil');
    sleep 2;
    $d = m_doc($id);
    is_deeply(autos($d), ["in_progress: $STARTED", "completed: $COMPLETED"],
              'reload: exactly one update per transition');
    ok(ep($d->{completedAt}) >= $n + 11, 'reload: not completed early');
}

# --- a restart across the window ------------------------------------------------------------

{
    my $n = int(time) + 1;
    # r1: the whole window passes while nginx is stopped
    my $r1 = create_m(title => 'Missed entirely', componentIds => [$api],
                      scheduledFor => rfc($n + 2), scheduledUntil => rfc($n + 4));
    # r2: its start passes while stopped, its end comes later
    my $r2 = create_m(title => 'Missed start',
                      scheduledFor => rfc($n + 2), scheduledUntil => rfc($n + 10));
    $t->stop;
    sleep(($n + 5) - time) if $n + 5 > time;
    my $s0 = time;
    $t->start;
    my ($d1, $d2);
    ok(IncidentTest::wait_until($LATE, sub {
        $d1 = m_doc($r1->{id}); $d1 && $d1->{status} eq 'completed' }),
       sprintf('restart: the window that passed is completed right after start '
               . '(%.2f s)', time - $s0));
    ok(IncidentTest::wait_until($LATE, sub {
        $d2 = m_doc($r2->{id}); $d2 && $d2->{status} eq 'in_progress' }),
       'restart: the one whose start passed is in progress right after start');
    is_deeply(autos($d1), ["in_progress: $STARTED", "completed: $COMPLETED"],
              'restart: both transitions, once each');
    ok(!grep({ ep($_->{createdAt}) < int($s0) } @{ $d1->{updates} || [] }),
       'restart: both posted after the start (nothing while stopped)');
    ok(ep($d1->{startedAt}) >= $n + 5 && ep($d1->{completedAt}) >= $n + 5,
       'restart: startedAt and completedAt are the moment after start');
    my ($c) = comp_status($api);
    is($c, 'operational', 'restart: the component is not left under maintenance');
    ok(IncidentTest::wait_until($n + 10 + $LATE - time, sub {
        $d2 = m_doc($r2->{id}); $d2 && $d2->{status} eq 'completed' }),
       'restart: the second completes at its scheduledUntil');
    ok(ep($d2->{completedAt}) >= $n + 10, 'restart: and not before');
    sleep 2;
    is_deeply(autos(m_doc($r1->{id})), ["in_progress: $STARTED", "completed: $COMPLETED"],
              'restart: still once each, later');
    is_deeply(autos(m_doc($r2->{id})), ["in_progress: $STARTED", "completed: $COMPLETED"],
              'restart: the second one too');
}

# --- kill -9 around a transition ---------------------------------------------------------------

for my $off (0, 0.3, 0.6, 0.9) {
    my $n = int(time) + 2;
    # s: starts at n; c: in progress, completes at n
    my $s = create_m(title => "Killed at start +$off", scheduledFor => rfc($n),
                     scheduledUntil => rfc($n + 300));
    my $c = create_m(title => "Killed at end +$off", status => 'in_progress',
                     scheduledFor => rfc($n - 60), scheduledUntil => rfc($n));
    sleep(($n + $off) - time) if $n + $off > time;
    $t->kill9_all;
    $t->start;
    my ($ds, $dc);
    ok(IncidentTest::wait_until($LATE, sub {
        $ds = m_doc($s->{id}); $dc = m_doc($c->{id});
        $ds && $dc && $ds->{status} eq 'in_progress' && $dc->{status} eq 'completed' }),
       "kill -9 at +$off s: after the start both transitions are done");
    sleep 2;
    $ds = m_doc($s->{id});
    $dc = m_doc($c->{id});
    is_deeply(autos($ds), ["in_progress: $STARTED"],
              "kill -9 at +$off s: exactly one automatic start");
    is_deeply(autos($dc), ["completed: $COMPLETED"],
              "kill -9 at +$off s: exactly one automatic completion");
    $t->api(DELETE => "/api/v1/maintenances/$s->{id}");
}

# --- nothing pending: the timer stays quiet ------------------------------------------------

{
    my $all = $t->list_all('/api/v1/maintenances?state=all', limit => 100);
    my %before = map { $_->{id} => scalar @{ $_->{updates} || [] } } @$all;
    sleep 3;
    my $again = $t->list_all('/api/v1/maintenances?state=all', limit => 100);
    my %after = map { $_->{id} => scalar @{ $_->{updates} || [] } } @$again;
    is_deeply(\%after, \%before, 'no more updates appear afterwards');
}

$t->stop;
done_testing;
