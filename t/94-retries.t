# webhook delivery outcomes: retries with backoff and a stable webhook-id,
# dead letters and their retry, 410 disables, 429/503 Retry-After,
# redirects not followed, timeouts, the SSRF guard
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;
use WebhookReceiver;
use Time::HiRes qw(time sleep);
use POSIX ();

my $REFUSED = 'refused: the address is not public '
            . '(incident_webhook_allow_private is off)';
my $NOTIFY = "incident_notify_retries 4 base=1s max=2s;\n"
           . "    incident_notify_timeout 2s;\n"
           . "    incident_notify_lease 3s;";

my $rx = WebhookReceiver->new(script => {
    '/flaky'    => [ [500], [500], [200] ],
    '/always'   => [ [500] ],
    '/gone'     => [ [410] ],
    '/busy'     => [ [429, {'Retry-After' => 3}], [200] ],
    '/unavail'  => [ [503, {'Retry-After' => 3}], [200] ],
    '/slow'     => [ [200, {}, "late\n", 6], [200] ],
    '*'         => [ [200] ],
});
$rx->set_script('/redirect' => [ [302, {Location => $rx->url('/target')}] ]);

# one worker: the one making the deliveries is the one answering the API
my $t = IncidentTest->new(
    workers    => 1,
    http_extra => "incident_webhook_allow_private on;\n    $NOTIFY",
)->start;

my $JSON = JSON::PP->new->utf8->canonical;
sub body_json { eval { $JSON->decode($_[0]{body}) } }

sub queue { $t->api(GET => '/api/v1/queue', undef, token => 'admin')->{json} || {} }

sub deliveries {
    my ($tt, $sid) = @_;
    my $r = $tt->api(GET => "/api/v1/subscribers/$sid/deliveries", undef,
                     token => 'admin');
    return $r->{json}{data} || [];
}

sub dead_letters {
    my ($tt) = @_;
    my $r = $tt->api(GET => '/api/v1/dead-letters', undef, token => 'admin');
    return $r->{json}{data} || [];
}

sub history_text {
    join ' | ', map { "#$_->{attempt} $_->{outcome} ($_->{detail})" } @{ $_[0] };
}

my %sub;
my $date_due = int(time) + 5;    # Retry-After as an HTTP-date
$rx->set_script('/busydate' => [
    [503, {'Retry-After' => POSIX::strftime('%a, %d %b %Y %H:%M:%S GMT',
                                             gmtime $date_due)}],
    [200] ]);
for my $p (qw(flaky always gone busy unavail busydate redirect slow fine)) {
    my $r = $t->api(POST => '/api/v1/subscribers',
                    {type => 'webhook', url => $rx->url("/$p")});
    is_status($r, 201, "webhook subscriber /$p");
    $sub{$p} = $r->{json} || {};
}

my $inc = $t->create_incident(title => 'Everything at once',
                              message => 'one message to every receiver');
my $t0 = time;

# --- a receiver that hangs past incident_notify_timeout ----------------------
# (first, while the hang lasts)

{
    my ($first) = $rx->wait_for('/slow', 1, 10);
    ok($first, 'the slow receiver got the request');
    my @lat;
    while ($first && time - $first->{time} < 1.5) {
        my $s = time;
        my $r = $t->api(GET => '/api/v1/status');
        push @lat, [time - $s, $r->{status}];
        sleep 0.1;
    }
    ok(@lat >= 3, 'asked GET /api/v1/status ' . scalar(@lat)
                  . ' times while the delivery hangs');
    ok(!grep({ $_->[1] != 200 || $_->[0] > 0.5 } @lat),
       'the worker answers quickly meanwhile (max '
       . sprintf('%.3f', (sort { $b <=> $a } map { $_->[0] } @lat)[0] // 0)
       . ' s)');

    my @r = $rx->wait_for('/slow', 2, 15);
    is(scalar @r, 2, 'the timed-out delivery is tried again');
    my $gap = @r == 2 ? $r[1]{time} - $r[0]{time} : 0;
    ok($gap >= 2.5, sprintf('not before the 2 s timeout and the backoff '
                            . '(%.2f s later)', $gap));
    is($r[1]{headers}{'webhook-id'}, $r[0]{headers}{'webhook-id'},
       'with the same webhook-id');
    my $h;
    IncidentTest::wait_until(10, sub {
        $h = deliveries($t, $sub{slow}{id});
        @$h >= 2 && $h->[0]{outcome} eq 'delivered';
    });
    is_deeply([map { "$_->{attempt} $_->{outcome}" } @$h],
              ['2 delivered', '1 retrying'],
              'history: the timeout counted as a failure, then delivered')
        or diag(history_text($h));
    like(($h->[1] || {})->{detail} // '', qr/time/i,
         'the failure\'s detail says it timed out')
        or diag(history_text($h));
}

# --- 500, 500, 200 ---------------------------------------------------------------

{
    my @r = $rx->wait_for('/flaky', 3, 20);
    is(scalar @r, 3, 'failing twice then succeeding: three tries');
    my %ids = map { ($_->{headers}{'webhook-id'} // '') => 1 } @r;
    is(scalar(keys %ids), 1, 'the same webhook-id on all three tries');
    ok(!grep({ !WebhookReceiver::verify_signature($sub{flaky}{secret}, $_) } @r),
       'each try is signed (with that try\'s timestamp)');
    my ($ts0, $ts2) = map { $_->{headers}{'webhook-timestamp'} } @r[0, 2];
    ok($ts2 > $ts0, 'the timestamp is the try\'s, not the first one\'s');
    if (@r == 3) {
        my ($g1, $g2) = ($r[1]{time} - $r[0]{time}, $r[2]{time} - $r[1]{time});
        ok($g1 >= 0.75 && $g1 < 3, sprintf('first retry after base=1s '
                                           . '+-20%% (%.2f s)', $g1));
        ok($g2 >= 1.55 && $g2 < 4, sprintf('second after 2 s +-20%% '
                                           . '(%.2f s)', $g2));
    }
    my $h;
    IncidentTest::wait_until(10, sub {
        $h = deliveries($t, $sub{flaky}{id});
        @$h >= 3;
    });
    is_deeply([map { "$_->{attempt} $_->{outcome} $_->{detail}" } @$h],
              ['3 delivered HTTP 200', '2 retrying HTTP 500',
               '1 retrying HTTP 500'],
              'history: retrying x2 then delivered, newest first');
    my %jobs = map { $_->{jobId} => 1 } @$h;
    is(scalar(keys %jobs), 1, 'one job throughout');
    ok(!grep({ $_->{type} ne 'incident.created' || $_->{incidentId} != $inc->{id} }
             @$h), 'all for the incident\'s creation');
}

# --- 429 and 503 with Retry-After: 3 ------------------------------------------

for my $p (qw(busy unavail)) {
    my @r = $rx->wait_for("/$p", 2, 15);
    is(scalar @r, 2, "/$p: tried again after the "
                     . ($p eq 'busy' ? 429 : 503));
    my $gap = @r == 2 ? $r[1]{time} - $r[0]{time} : 0;
    ok($gap >= 2.9, sprintf("/$p: no sooner than Retry-After: 3 (%.2f s; "
                            . 'the backoff alone would be ~1 s)', $gap));
    ok($gap < 6, "/$p: and not much later");
    is($r[1]{headers}{'webhook-id'}, $r[0]{headers}{'webhook-id'},
       "/$p: same webhook-id");
    my $h;
    IncidentTest::wait_until(10, sub {
        $h = deliveries($t, $sub{$p}{id});
        @$h >= 2;
    });
    is_deeply([map { "$_->{outcome} $_->{detail}" } @$h],
              ['delivered HTTP 200',
               'retrying HTTP ' . ($p eq 'busy' ? 429 : 503)],
              "/$p: history") or diag(history_text($h));
}

{
    my @r = $rx->wait_for('/busydate', 2, 15);
    is(scalar @r, 2, 'Retry-After as an HTTP-date: tried again');
    ok(@r == 2 && $r[1]{time} >= $date_due - 1,
       sprintf('not before that date (%.2f s after it)',
               @r == 2 ? $r[1]{time} - $date_due : 0));
    ok(@r == 2 && $r[1]{time} - $r[0]{time} >= 2,
       'later than the backoff alone');
}

# --- 410: the subscriber is disabled ---------------------------------------------

{
    my @r = $rx->wait_for('/gone', 1, 10);
    is(scalar @r, 1, '/gone got the request');
    my $s;
    IncidentTest::wait_until(10, sub {
        $s = $t->api(GET => "/api/v1/subscribers/$sub{gone}{id}", undef,
                     token => 'admin')->{json} || {};
        $s->{disabled};
    });
    is_true($s->{disabled}, '410: the subscriber is disabled');
    like($s->{disabledReason} // '', qr/410/, 'with a reason naming the 410');
    my $h = deliveries($t, $sub{gone}{id});
    is_deeply([map { "$_->{attempt} $_->{outcome} $_->{detail}" } @$h],
              ['1 disabled HTTP 410'], 'history: one try, outcome disabled');
}

# --- 302: not followed, a failure ------------------------------------------------

{
    my @r = $rx->wait_for('/redirect', 4, 20);
    is(scalar @r, 4, '302: tried 4 times (each a failure)');
    my $dl;
    IncidentTest::wait_until(10, sub {
        ($dl) = grep { $_->{subscriberId} == $sub{redirect}{id} }
                @{ dead_letters($t) };
        $dl;
    });
    ok($dl, 'and then a dead letter');
    is(($dl || {})->{lastError}, 'HTTP 302', 'lastError HTTP 302');
    is($rx->count('/target'), 0, 'the Location target received nothing');
    my $h = deliveries($t, $sub{redirect}{id});
    is_deeply([map { "$_->{outcome} $_->{detail}" } @$h],
              ['dead HTTP 302', ('retrying HTTP 302') x 3],
              'history: 3 x retrying, then dead');
}

# --- always 500: a dead letter after 4 attempts; retried by hand ---------------

{
    my @r = $rx->wait_for('/always', 4, 20);
    is(scalar @r, 4, 'always 500: 4 attempts');
    my %ids = map { ($_->{headers}{'webhook-id'} // '') => 1 } @r;
    is(scalar(keys %ids), 1, 'all with the same webhook-id');
    my $wid = $r[0]{headers}{'webhook-id'};

    my $dl;
    IncidentTest::wait_until(10, sub {
        ($dl) = grep { $_->{subscriberId} == $sub{always}{id} }
                @{ dead_letters($t) };
        $dl;
    });
    ok($dl, 'GET /dead-letters shows it');
    $dl ||= {};
    fields_are($dl, {kind => 'deliver', type => 'incident.created',
                     incidentId => $inc->{id}, subscriberId => $sub{always}{id},
                     attempt => 4, lastError => 'HTTP 500'},
               'the dead letter: kind, type, incident, subscriber, attempt 4, '
               . 'lastError');
    like($dl->{deadAt} // '', $RFC3339_RE, 'deadAt');
    like($dl->{createdAt} // '', $RFC3339_RE, 'createdAt');
    my $h = deliveries($t, $sub{always}{id});
    is_deeply([map { "$_->{attempt} $_->{outcome}" } @$h],
              ['4 dead', '3 retrying', '2 retrying', '1 retrying'],
              'history: 3 x retrying, then dead');
    is($h->[0]{jobId}, $dl->{id}, 'the dead letter\'s id is the job id');

    my @late = $rx->quiet_for('/always', 3);
    is(scalar @late, 0, 'no fifth attempt');
    ok(queue()->{dead} >= 2, 'GET /queue counts the dead letters');

    is($t->api(POST => "/api/v1/dead-letters/$dl->{id}/retry", undef,
               token => undef)->{status}, 401, 'retry needs a token');
    is($t->api(POST => '/api/v1/dead-letters/999999/retry')->{status}, 404,
       'retry of an unknown dead letter: 404');

    $rx->set_script('/always' => [[200]]);
    my $rr = $t->api(POST => "/api/v1/dead-letters/$dl->{id}/retry");
    is_status($rr, 202, 'POST /dead-letters/{id}/retry -> 202');
    @r = $rx->wait_for('/always', 5, 10);
    is(scalar @r, 5, 'the retried dead letter is delivered');
    is($r[4]{headers}{'webhook-id'}, $wid, 'with the same webhook-id');
    ok(WebhookReceiver::verify_signature($sub{always}{secret}, $r[4]),
       'and a valid signature');
    IncidentTest::wait_until(10, sub {
        $h = deliveries($t, $sub{always}{id});
        $h->[0]{outcome} eq 'delivered';
    });
    is("$h->[0]{attempt} $h->[0]{outcome} $h->[0]{detail}",
       '1 delivered HTTP 200', 'history: delivered at attempt 1 (reset)');
    ok(!grep({ $_->{id} == $dl->{id} } @{ dead_letters($t) }),
       'no longer a dead letter');
    is($t->api(POST => "/api/v1/dead-letters/$dl->{id}/retry")->{status}, 404,
       'retrying it again: 404');
}

# --- everything settles; no stray tries ------------------------------------------

{
    my $q;
    my $ok = IncidentTest::wait_until(15, sub {
        $q = queue();
        defined $q->{queued} && $q->{queued} == 0 && $q->{fanouts} == 0;
    });
    ok($ok, 'the queue drains') or diag(encode_json($q));
    is($q->{dead}, 1, 'one dead letter left (the redirect)');

    my %n = map { $_ => $rx->count("/$_") } keys %sub;
    # a new incident: everyone enabled gets it once more, /gone nothing
    $rx->set_script(map { ("/$_" => [[200]]) } keys %sub);
    $t->create_incident(title => 'Second');
    $rx->wait_for('/fine', $n{fine} + 1, 10);
    IncidentTest::wait_until(15, sub { queue()->{queued} == 0 });
    sleep 1;
    for my $p (sort keys %sub) {
        is($rx->count("/$p"), $n{$p} + ($p eq 'gone' ? 0 : 1),
           "/$p: " . ($p eq 'gone' ? 'a disabled subscriber gets nothing more'
                                   : 'one more delivery, exactly'));
    }
    is($rx->count('/target'), 0, 'the redirect target never got anything');
}

$t->stop;

# --- SSRF: incident_webhook_allow_private off (the default) ---------------------

{
    my $s = IncidentTest->new(
        workers    => 1,
        http_extra => "incident_notify_retries 2 base=1s max=1s;\n"
                    . "    incident_notify_timeout 2s;\n"
                    . "    incident_notify_lease 3s;",
    )->start;
    my $port = $rx->port;
    my %target = (
        ip       => "http://127.0.0.1:$port/ssrf/ip",
        name     => "http://localhost:$port/ssrf/name",
        short    => "http://127.1:$port/ssrf/short",
        zero     => "http://0.0.0.0:$port/ssrf/zero",
        v6       => "http://[::1]:$port/ssrf/v6",
        mapped   => "http://[::ffff:127.0.0.1]:$port/ssrf/mapped",
        private  => "http://10.255.255.1:$port/ssrf/private",
    );
    my %id;
    for my $k (sort keys %target) {
        my $r = $s->api(POST => '/api/v1/subscribers',
                        {type => 'webhook', url => $target{$k}});
        is_status($r, 201, "SSRF: subscriber $target{$k} accepted");
        $id{$k} = $r->{json}{id};
    }
    my $x = $s->api(POST => '/api/v1/incidents',
                    {title => 'SSRF', status => 'investigating',
                     impact => 'minor'});
    is_status($x, 201, 'SSRF: create an incident');

    my %h;
    my $ok = IncidentTest::wait_until(20, sub {
        for my $k (keys %id) {
            my $r = $s->api(GET => "/api/v1/subscribers/$id{$k}/deliveries",
                            undef, token => 'admin');
            $h{$k} = $r->{json}{data} || [];
        }
        !grep { !@{ $h{$_} } || $h{$_}[0]{outcome} ne 'dead' } keys %id;
    });
    ok($ok, 'SSRF: every private target ends as a dead letter');
    for my $k (sort keys %id) {
        my @d = @{ $h{$k} };
        ok(@d && !grep({ $_->{detail} ne $REFUSED } @d),
           "SSRF: $target{$k}: each try refused with the detail")
            or diag(history_text(\@d));
    }
    my @dl = grep { $_->{incidentId} == $x->{json}{id} } @{ dead_letters($s) };
    is(scalar @dl, scalar keys %id, 'SSRF: dead letters for each');
    ok(!grep({ $_->{lastError} ne $REFUSED } @dl),
       'SSRF: their lastError is the refusal');
    is(scalar $rx->requests(qr{^/ssrf/}), 0,
       'SSRF: the receiver on 127.0.0.1 got nothing');
    $s->stop;
}

$rx->stop;
done_testing;
