# a fan-out to 1,000 webhook subscribers survives kill -9 of every nginx
# process and a graceful reload in the middle: every subscriber gets the
# message at least once (a redelivery keeps its webhook-id), the queue
# drains, the store opens again
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;
use WebhookReceiver;
use Time::HiRes qw(time sleep);

my $N = 1000;

# each answer waits a little, so that a fan-out lasts long enough to be
# interrupted (2 workers x 8 connections per host in flight)
my $DELAY = $ENV{CRASH_DELAY} // 0.15;
my $rx = WebhookReceiver->new(script => {
    '/hook/*' => [ [200, {}, "ok\n", $DELAY] ],
});

my $t = IncidentTest->new(
    workers    => 2,
    http_extra => "incident_webhook_allow_private on;\n"
                . "    incident_notify_lease 3s;\n"
                . "    incident_notify_timeout 2s;\n"
                . "    incident_notify_concurrency 16;\n"
                . "    incident_notify_retries 5 base=1s max=2s;",
)->start;

my $JSON = JSON::PP->new->utf8->canonical;

# --- 1,000 subscribers --------------------------------------------------------------

my %secret;    # path => secret
{
    my $per = $N / 4;
    my $res = $t->parallel(4, sub {
        my ($c) = @_;
        my @out;
        for my $n (($c - 1) * $per + 1 .. $c * $per) {
            my $path = "/hook/$n";
            my $r = $t->api(POST => '/api/v1/subscribers',
                            {type => 'webhook', url => $rx->url($path)});
            push @out, {path => $path, status => $r->{status},
                        secret => ($r->{json} || {})->{secret}};
        }
        return @out;
    });
    my @all = map { @$_ } @$res;
    my @bad = grep { ($_->{status} // 0) != 201 } @all;
    ok(!@bad && @all == $N, "$N webhook subscribers created")
        or diag(scalar(@bad) . ' failed, e.g. ' . encode_json($bad[0] // {}));
    $secret{ $_->{path} } = $_->{secret} for grep { $_->{secret} } @all;
    is($t->api(GET => '/api/v1/queue', undef, token => 'admin')->{json}{subscribers},
       $N, "GET /queue counts $N subscribers");
}

# what each /hook/N got, per incident: path => [requests]
my %got;       # incident id => { path => [req, ...] }
my $seen = 0;  # requests looked at so far
my @problems;  # deliveries that are not what they should be

sub scan {
    my @r = $rx->requests(qr{^/hook/});
    for my $req (@r[$seen .. $#r]) {
        my $p = eval { $JSON->decode($req->{body}) } || {};
        my $iid = (($p->{data} || {})->{incident} || {})->{id} // 0;
        push @{ $got{$iid}{ $req->{path} } }, $req;
        push @problems, "$req->{path}: bad signature"
            unless WebhookReceiver::verify_signature($secret{ $req->{path} },
                                                     $req);
        push @problems, "$req->{path}: type " . ($p->{type} // 'none')
            unless ($p->{type} // '') eq 'incident.created';
    }
    $seen = @r;
}

sub covered { scan(); scalar keys %{ $got{ $_[0] } || {} } }
sub received { scan(); my $n = 0; $n += @$_ for values %{ $got{ $_[0] } || {} }; $n }

sub queue_settled {
    my ($name, $timeout) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $q;
    my $ok = IncidentTest::wait_until($timeout, sub {
        my $r = $t->api(GET => '/api/v1/queue', undef, token => 'admin');
        $q = $r->{json} || {};
        $r->{status} == 200 && $q->{queued} == 0 && $q->{fanouts} == 0;
    });
    ok($ok, $name) or diag(encode_json($q));
    is($q->{dead}, 0, 'no dead letters');
}

# every subscriber got the incident at least once; a path that got it more
# than once got the same message (same webhook-id); returns the number of
# extra copies
sub check_all_received {
    my ($iid, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $by = $got{$iid} || {};
    my @missing = grep { !$by->{"/hook/$_"} } 1 .. $N;
    ok(!@missing, "$what: each of the $N subscribers got incident $iid")
        or diag(scalar(@missing) . " missing, e.g. @missing[0 .. ($#missing < 9 ? $#missing : 9)]");
    my ($extra, @changed) = (0);
    for my $path (sort keys %$by) {
        my @reqs = @{ $by->{$path} };
        $extra += @reqs - 1;
        my %ids = map { ($_->{headers}{'webhook-id'} // '') => 1 } @reqs;
        push @changed, $path if keys %ids > 1;
    }
    ok(!@changed, "$what: a redelivered message keeps its webhook-id")
        or diag("changed ids: @changed[0 .. ($#changed < 9 ? $#changed : 9)]");
    ok(!@problems, "$what: every delivery is incident.created, correctly signed")
        or diag(join "\n", @problems[0 .. ($#problems < 9 ? $#problems : 9)]);
    @problems = ();
    return $extra;
}

# --- kill -9 in the middle of the fan-out ------------------------------------------

my $inc1 = $t->create_incident(title => 'Crash during the fan-out');
my $iid1 = $inc1->{id};
{
    my $t0 = time;
    ok(IncidentTest::wait_until(60, sub { received($iid1) >= 150 }),
       'the fan-out is under way (150 deliveries arrived)');
    $t->kill9_all;
    my $at_kill = covered($iid1);
    diag("killed after " . sprintf('%.1f', time - $t0) . " s with $at_kill of $N "
         . 'subscribers served') if $ENV{TEST_VERBOSE};
    ok($at_kill < $N * 0.9, "killed in the middle: $at_kill of $N served")
        or diag('the fan-out was too fast to interrupt: raise CRASH_DELAY');

    $t->start;
    my $st = $t->api(GET => '/api/v1/status');
    is_status($st, 200, 'after kill -9 the store opens and the API answers');
    my $i = $t->api(GET => "/api/v1/incidents/$iid1");
    is_status($i, 200, 'the incident is there');
    is($t->api(GET => '/api/v1/queue', undef, token => 'admin')->{json}{subscribers},
       $N, "all $N subscribers are there");

    my $ok = IncidentTest::wait_until(120, sub { covered($iid1) >= $N });
    ok($ok, 'after the restart the fan-out completes') or diag(covered($iid1)
                                                              . " of $N");
    queue_settled('GET /queue ends with queued 0 and no fan-out', 30);
    sleep 1;
    my $extra = check_all_received($iid1, 'kill -9');
    # only deliveries leased at the kill (at most 2 workers x concurrency
    # 16) may be made twice
    ok($extra <= 32, "kill -9: at most 32 redelivered ($extra)");
}

# --- kill -9 right after the acknowledged write -------------------------------------

my $inc2 = $t->create_incident(title => 'Crash right after the write');
my $iid2 = $inc2->{id};
{
    $t->kill9_all;
    my $at_kill = covered($iid2);
    ok($at_kill < $N * 0.5, "killed at once ($at_kill of $N served)");
    $t->start;
    my $ok = IncidentTest::wait_until(120, sub { covered($iid2) >= $N });
    ok($ok, 'after the restart the whole fan-out is made')
        or diag(covered($iid2) . " of $N");
    queue_settled('and the queue drains', 30);
    sleep 1;
    my $extra = check_all_received($iid2, 'kill -9 at once');
    ok($extra <= 32, "kill -9 at once: at most 32 redelivered ($extra)");
}

# --- graceful reload in the middle of a fan-out ---------------------------------------

my $inc3 = $t->create_incident(title => 'Reload during the fan-out');
my $iid3 = $inc3->{id};
{
    ok(IncidentTest::wait_until(60, sub { received($iid3) >= 150 }),
       'the next fan-out is under way');
    $t->reload;
    my $at = covered($iid3);
    ok($at < $N, "reloaded in the middle ($at of $N served)");
    my $ok = IncidentTest::wait_until(120, sub { covered($iid3) >= $N });
    ok($ok, 'after the reload the fan-out completes')
        or diag(covered($iid3) . " of $N");
    queue_settled('the queue drains after the reload', 30);
    sleep 1;
    my $extra = check_all_received($iid3, 'reload');
    ok($extra <= 32, "reload: at most 32 redelivered ($extra)");
}

# --- the store still works after all that -----------------------------------------------

{
    my $r = $t->api(POST => '/api/v1/incidents',
                    {title => 'After', status => 'investigating',
                     impact => 'minor', notify => JSON::PP::false});
    is_status($r, 201, 'writes work');
    is($r->{json}{id}, $iid3 + 1, 'ids keep counting');
    my $d = $t->api(GET => '/api/v1/subscribers/1/deliveries', undef,
                    token => 'admin');
    is_status($d, 200, 'delivery history readable');
    ok(grep({ $_->{outcome} eq 'delivered' && $_->{incidentId} == $iid3 }
            @{ $d->{json}{data} || [] }),
       'and it records the deliveries');
}

$t->stop;
$rx->stop;
done_testing;
