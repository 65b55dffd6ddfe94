# Alertmanager integration: POST /api/v1/integrations/alertmanager
# (incident_alertmanager, incident_alertmanager_impact).
#   a) webhook notifications (Alertmanager's version 4 JSON) posted directly:
#      auth, the directive, validation, created / updated / resolved /
#      noted / unchanged / ignored, the severity map, the audit trail;
#   b) a real Alertmanager (Debian's prometheus-alertmanager) on loopback
#      sending to nginx: open, update, resolve, repeats add nothing.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;
use Digest::SHA qw(sha256_hex);
use File::Temp ();
use HTTP::Tiny;
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(sleep time);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $PATH = '/api/v1/integrations/alertmanager';
my $ALERTMANAGER = $ENV{ALERTMANAGER} // '/usr/bin/prometheus-alertmanager';
my $JSON = JSON::PP->new->utf8->canonical;

# --- nginx ----------------------------------------------------------------------
#
# the main server: the endpoint's own location (built-in severity map);
# by Host, more servers on the same port:
#   sev.test      incident_alertmanager_impact overrides and a default
#   inherit.test  incident_alertmanager on at server level
#   off.test      on at server level, off in the location
#   none.test     no incident_alertmanager at all

my $t = IncidentTest->new(
    workers       => 2,
    tokens        => { alertmanager => IncidentTest::random_token() },
    listen_params => 'default_server',
    server_extra  => <<"EOF",
        location = $PATH {
            incident_api;
            incident_alertmanager on;
            incident_api_max_body 1m;
        }
EOF
);
{
    my $port = $t->port;
    $t->configure(http_extra => <<"EOF");
    server {
        listen 127.0.0.1:$port;
        server_name sev.test;
        location /api/ {
            incident_api;
            incident_alertmanager on;
            incident_alertmanager_impact warning major;
            incident_alertmanager_impact PAGE critical;
            incident_alertmanager_impact default none;
        }
    }
    server {
        listen 127.0.0.1:$port;
        server_name inherit.test;
        incident_alertmanager on;
        location /api/ {
            incident_api;
        }
    }
    server {
        listen 127.0.0.1:$port;
        server_name off.test;
        incident_alertmanager on;
        location /api/ {
            incident_api;
            incident_alertmanager off;
        }
    }
    server {
        listen 127.0.0.1:$port;
        server_name none.test;
        location /api/ {
            incident_api;
        }
    }
EOF
}
$t->start;

my $api = $t->create_component(name => 'API');
my $db  = $t->create_component(name => 'Database');
my $pay = $t->create_component(name => 'Payments');

# --- helpers --------------------------------------------------------------------

sub iso { epoch_to_rfc3339($_[0]) }

my $ZERO = '0001-01-01T00:00:00Z';

# alert(name, %o): one alert as Alertmanager sends it; o: status, labels
# (more), annotations, startsAt (epoch), endsAt (epoch)
sub alert {
    my ($name, %o) = @_;
    my %labels = (alertname => $name, %{ $o{labels} || {} });
    my $status = $o{status} // 'firing';
    return {
        status      => $status,
        labels      => \%labels,
        annotations => $o{annotations} || {},
        startsAt    => iso($o{startsAt} // time - 60),
        endsAt      => defined $o{endsAt} ? iso($o{endsAt})
                     : $status eq 'resolved' ? iso(time) : $ZERO,
        generatorURL => 'http://prometheus.example:9090/graph',
        fingerprint => substr(sha256_hex($JSON->encode(\%labels)), 0, 16),
    };
}

# the labels (or annotations) with the same value in every alert
sub common {
    my ($key, @alerts) = @_;
    return {} unless @alerts;
    my %c = %{ $alerts[0]{$key} };
    for my $a (@alerts[1 .. $#alerts]) {
        for my $k (keys %c) {
            delete $c{$k} unless defined $a->{$key}{$k}
                                 && $a->{$key}{$k} eq $c{$k};
        }
    }
    return \%c;
}

# notification(group, status, [alerts], %o): the webhook body; o overrides
# any member (commonLabels, commonAnnotations, version, ...)
sub notification {
    my ($group, $status, $alerts, %o) = @_;
    return {
        receiver          => 'status',
        status            => $status,
        alerts            => $alerts,
        groupLabels       => { alertname => $group },
        commonLabels      => common(labels => @$alerts),
        commonAnnotations => common(annotations => @$alerts),
        externalURL       => 'http://alertmanager.example:9093',
        version           => '4',
        groupKey          => qq({}:{alertname="$group"}),
        truncatedAlerts   => 0,
        %o,
    };
}

sub am_post {
    my ($body, %o) = @_;
    return $t->api(POST => $PATH, $body, token => 'alertmanager', %o);
}

sub incident {
    my ($id) = @_;
    my $r = $t->api(GET => "/api/v1/incidents/$id");
    return $r->{status} == 200 ? $r->{json} : undef;
}

sub incident_count {
    return scalar @{ $t->list_all('/api/v1/incidents?state=all', limit => 100) };
}

sub audit_top_id {
    my $r = $t->api(GET => '/api/v1/audit?limit=1', undef, token => 'admin');
    my $d = $r->{json} && $r->{json}{data} || [];
    return @$d ? $d->[0]{id} : 0;
}

# the audit entries newer than entry id SINCE, newest first
sub audit_since {
    my ($since) = @_;
    my $r = $t->api(GET => '/api/v1/audit?limit=100', undef, token => 'admin');
    return [ grep { ref $_ eq 'HASH' && ($_->{id} // 0) > $since }
             @{ $r->{json} && $r->{json}{data} || [] } ];
}

sub audit_has {
    my ($since, $action, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $e = audit_since($since);
    ok((grep { ($_->{action} // '') eq "alertmanager.$action"
               && ($_->{actor} // '') eq 'alertmanager' } @$e),
       $name // "audit: actor alertmanager, action alertmanager.$action")
        or diag('new audit entries: ' . encode_json($e));
}

# is_action(R, STATUS, ACTION, NAME): the answer's status and shape
sub is_action {
    my ($r, $status, $action, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why;
    push @why, "status $r->{status}, expected $status"
        unless $r->{status} == $status;
    my $j = $r->{json};
    if (ref $j ne 'HASH') {
        push @why, 'the body is not a JSON object';
    } else {
        push @why, 'action is ' . ($j->{action} // 'missing')
                   . ", expected $action"
            unless ($j->{action} // '') eq $action;
        push @why, "no member $_" for grep { !exists $j->{$_} }
                                      qw(action incidentId incident);
    }
    ok(!@why, $name) or diag(join("\n", @why) . "\n"
                             . IncidentTest::dump_response($r));
    return !@why;
}

sub sorted { [ sort { $a <=> $b } @_ ] }

sub is_location {
    my ($r, $id, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    like($r->{headers}{location} // '',
         qr{^(?:https?://[^/]+)?/api/v1/incidents/\Q$id\E\z},
         $name // "Location /api/v1/incidents/$id");
}

# a firing group of one alert -> the created incident (or {})
sub open_one {
    my ($group, %o) = @_;
    my $host = delete $o{host};
    my $r = am_post(notification($group, 'firing', [ alert($group, %o) ]),
                    (defined $host ? (host => $host) : ()));
    is_action($r, 201, 'created', "$group: a firing group opens an incident"
                                  . (defined $host ? " ($host)" : ''));
    return $r->{json} && $r->{json}{incident} || {};
}

# =============================================================================
# a) direct notifications
# =============================================================================

# --- authorization, the directive, content type ---------------------------------

{
    my $body = notification('AuthCheck', 'firing', [ alert('AuthCheck') ]);
    my $before = incident_count();
    is_problem(am_post($body, token => undef), 401, 'no token -> 401');
    is_problem(am_post($body, bearer => 'tok_not_a_token'), 401,
               'a wrong token -> 401');
    is_problem(am_post($body, authorization => 'Basic YWRtaW46YWRtaW4='), 401,
               'Basic credentials -> 401');
    for my $host (qw(none.test off.test)) {
        my $r = am_post($body, host => $host);
        is_problem($r, 404, "incident_alertmanager "
                   . ($host eq 'none.test' ? 'not set' : 'off') . " -> 404");
        like($r->{content}, qr/There is no such resource\./,
             '"There is no such resource."');
    }
    is_problem(am_post($JSON->encode($body), content_type => 'text/plain'), 415,
               'text/plain -> 415');
    is(incident_count(), $before, 'none of these opened an incident');

    my $r = am_post(notification('InheritCheck', 'resolved',
                                 [ alert('InheritCheck', status => 'resolved') ]),
                    host => 'inherit.test');
    is_action($r, 200, 'ignored',
              'incident_alertmanager on at server level reaches the location');
}

# --- validation ---------------------------------------------------------------

{
    my $good = sub { notification('Invalid', 'firing', [ alert('Invalid') ], @_) };
    my $before = incident_count();
    my $top = audit_top_id();

    my $missing = $good->();
    delete $missing->{groupKey};
    is_problem(am_post($missing), 422, 'no groupKey -> 422', ['groupKey']);
    is_problem(am_post($good->(groupKey => '')), 422, 'an empty groupKey -> 422',
               ['groupKey']);
    is_problem(am_post($good->(groupKey => 'k' x 4097)), 422,
               'a groupKey of 4097 bytes -> 422', ['groupKey']);
    is_problem(am_post($good->(groupKey => 42)), 422,
               'a groupKey that is a number -> 422', ['groupKey']);
    is_problem(am_post($good->(status => 'pending')), 422,
               'status "pending" -> 422', ['status']);
    my $nostatus = $good->();
    delete $nostatus->{status};
    is_problem(am_post($nostatus), 422, 'no status -> 422', ['status']);
    is_problem(am_post($good->(version => '3')), 422, 'version "3" -> 422');
    is_problem(am_post($good->(version => '5')), 422, 'version "5" -> 422');
    is_problem(am_post($good->(alerts => {})), 422,
               'alerts an object -> 422', ['alerts']);
    is_problem(am_post($good->(alerts => 'x')), 422,
               'alerts a string -> 422', ['alerts']);
    my $noalerts = $good->();
    delete $noalerts->{alerts};
    is_problem(am_post($noalerts), 422, 'no alerts -> 422', ['alerts']);
    is_problem(am_post($good->(alerts => [])), 422,
               'a firing group with no alerts -> 422', ['alerts']);
    is_problem(am_post('[1, 2]'), 400, 'a JSON array -> 400 (as everywhere)');
    is_problem(am_post('{"status": "firing", '), 400, 'truncated JSON -> 400');

    is(incident_count(), $before, 'no incident was opened by a bad payload');
    is(audit_top_id(), $top, 'nor anything audited');

    # resolved with no alerts is valid (and nothing is open for it)
    my $r = am_post(notification('EmptyResolved', 'resolved', []));
    is_action($r, 200, 'ignored', 'resolved with an empty alerts array -> 200 ignored');

    # a group key of exactly 4096 bytes is fine
    $r = am_post(notification('LongKey', 'resolved',
                              [ alert('LongKey', status => 'resolved') ],
                              groupKey => 'k' x 4096));
    is_action($r, 200, 'ignored', 'a groupKey of 4096 bytes is accepted');
}

# --- body limit: incident_api_max_body 1m in the location -------------------------

{
    # about 200 KB: over the default 64k, under the location's 1m
    my @alerts = map { alert('BigBody', status => 'resolved',
                             labels => { instance => "i$_" },
                             annotations => { runbook => 'r' x 2000 }) } 1 .. 100;
    my $body = notification('BigBody', 'resolved', \@alerts);
    my $r = am_post($body);
    is_action($r, 200, 'ignored', 'a 200 KB notification is read (max body 1m)');
    is_problem(am_post($body, host => 'inherit.test'), 413,
               'the same to a location with the default 64k -> 413');

    my @huge = map { alert('HugeBody', status => 'resolved',
                           labels => { instance => "i$_" },
                           annotations => { runbook => 'r' x 20000 }) } 1 .. 60;
    # (nginx's own client_max_body_size, 1m by default, answers this one)
    is_status(am_post(notification('HugeBody', 'resolved', \@huge)), 413,
              'a 1.2 MB notification -> 413');
}

# --- created: title, impact, components, startedAt, message ----------------------

{
    my $now = time;
    my $top = audit_top_id();
    my @alerts = (
        alert('DbDown', labels => { severity => 'warning', component => 'api',
                                    instance => 'a' },
              annotations => { summary => 'Database down on a',
                               description => 'Primary is unreachable.' },
              startsAt => $now - 300),
        alert('DbDown', labels => { severity => 'critical',
                                    component => "$db->{id}", instance => 'b' },
              annotations => { summary => 'Database down on b',
                               description => 'Replica is unreachable.' },
              startsAt => $now - 600),
        alert('DbDown', labels => { severity => 'warning', component => 'API',
                                    instance => 'c' },
              annotations => { summary => 'Database down on c' },
              startsAt => $now - 120),
    );
    my $body = notification('DbDown', 'firing', \@alerts,
        commonAnnotations => { summary => 'Database down',
                               description => 'The database is unreachable.' });
    my $r = am_post($body);
    is_action($r, 201, 'created', 'a firing group -> 201 created');
    my $j = $r->{json} || {};
    my $id = $j->{incidentId};
    like($id // '', qr/^\d+\z/, 'incidentId is a number');
    is_location($r, $id // 'x');
    fields_are($j->{incident},
               { id => $id, title => 'Database down', status => 'investigating',
                 impact => 'critical', resolvedAt => undef },
               'incident: title = commonAnnotations.summary, investigating, '
               . 'impact = worst severity');
    is_deeply(sorted(@{ $j->{incident}{componentIds} || [] }),
              sorted($api->{id}, $db->{id}),
              'componentIds: by name (case-insensitive) and by id, once each');
    is($j->{incident}{startedAt}, iso($now - 600),
       'startedAt = the earliest startsAt');

    my $doc = incident($id) || {};
    is_deeply([ map { $doc->{$_} } qw(id title status impact startedAt) ],
              [ map { $j->{incident}{$_} } qw(id title status impact startedAt) ],
              'the answer\'s incident is the stored one');
    my $u = ($doc->{updates} || [])->[0] || {};
    is(scalar @{ $doc->{updates} || [] }, 1, 'one update');
    is($u->{status}, 'investigating', 'the update is investigating');
    is_true($u->{notify}, 'and notifies');
    my $m = $u->{message} // '';
    like($m, qr/^The database is unreachable\./,
         'the message begins with commonAnnotations.description');
    for my $s ('Database down on a', 'Database down on b', 'Database down on c') {
        like($m, qr/^\s*[-*] .*\Q$s\E/m, "and lists '$s' (Markdown list)");
    }
    unlike($m, qr/Unknown components/, 'no unknown components');
    audit_has($top, 'created');
}

# unknown components are named at the end of the message
{
    my $r = am_post(notification('Ghosts', 'firing', [
        alert('Ghosts', labels => { component => 'Ghost', instance => 'a' },
              annotations => { summary => 'S1' }),
        alert('Ghosts', labels => { component => 'payments', instance => 'b' },
              annotations => { summary => 'S2' }),
        alert('Ghosts', labels => { component => 'Nope', instance => 'c' },
              annotations => { summary => 'S3' }),
    ]));
    is_action($r, 201, 'created', 'a group with unknown components opens an incident');
    my $inc = $r->{json} && $r->{json}{incident} || {};
    is_deeply($inc->{componentIds}, [$pay->{id}], 'only the known component is set');
    my $doc = incident($inc->{id} // 0) || {};
    like($doc->{updates}[0]{message} // '',
         qr/Unknown components in the alert: Ghost, Nope\.\s*\z/,
         'the message ends with "Unknown components in the alert: Ghost, Nope."')
        or diag($doc->{updates}[0]{message});
    is($inc->{impact}, 'minor', 'no severity label -> minor');
}

# the title: commonAnnotations.summary, else the first firing alert's summary,
# else commonLabels.alertname, else the first alert's alertname, else
# "Alert firing"; cut to 200 characters
{
    my @cases = (
        [ 'the first firing alert\'s summary', 'First firing summary',
          [ alert('TitleA', status => 'resolved', labels => { i => 1 },
                  annotations => { summary => 'Already resolved' }),
            alert('TitleA', labels => { i => 2 },
                  annotations => { summary => 'First firing summary' }),
            alert('TitleA', labels => { i => 3 },
                  annotations => { summary => 'Second firing summary' }) ],
          commonAnnotations => {} ],
        [ 'commonLabels.alertname', 'TitleB',
          [ alert('TitleB', labels => { i => 1 }),
            alert('TitleB', labels => { i => 2 }) ] ],
        [ 'the first alert\'s alertname', 'TitleC-first',
          [ alert('TitleC-first'), alert('TitleC-second') ],
          commonLabels => {} ],
        [ '"Alert firing"', 'Alert firing',
          [ { %{ alert('x') }, labels => { instance => 'nameless' } } ],
          commonLabels => {} ],
    );
    for my $c (@cases) {
        my ($what, $want, $alerts, %o) = @$c;
        my $group = "Title-$want";
        my $r = am_post(notification($group, 'firing', $alerts, %o));
        is_action($r, 201, 'created', "title from $what: created");
        is($r->{json} && $r->{json}{incident}{title}, $want,
           "title from $what: '$want'");
    }

    my $long = ("\x{e9}" x 150) . ('a' x 150);
    my $r = am_post(notification('LongTitle', 'firing', [
        alert('LongTitle', annotations => { summary => $long }) ]));
    is_action($r, 201, 'created', 'a 300-character summary: created');
    is($r->{json} && $r->{json}{incident}{title}, substr($long, 0, 200),
       'the title is its first 200 characters');
}

# the message: commonAnnotations.description, else the first firing alert's
# description, else its summary
{
    my $inc = open_one('MsgDesc', annotations => { summary => 'Sum',
                                                   description => 'Desc here.' });
    is((incident($inc->{id} // 0) || {})->{updates}[0]{message}, 'Desc here.',
       'one alert: the message is its description');
    my $r = am_post(notification('MsgFirst', 'firing', [
        alert('MsgFirst', status => 'resolved', labels => { i => 1 },
              annotations => { description => 'Resolved one.' }),
        alert('MsgFirst', labels => { i => 2 },
              annotations => { summary => 'Two', description => 'Firing one.' }),
    ], commonAnnotations => {}));
    is_action($r, 201, 'created', 'description of the first firing alert: created');
    my $id = $r->{json} && $r->{json}{incidentId} // 0;
    like((incident($id) || {})->{updates}[0]{message} // '', qr/^Firing one\./,
         'the message is the first firing alert\'s description');
    $inc = open_one('MsgSum', annotations => { summary => 'Only a summary.' });
    is((incident($inc->{id} // 0) || {})->{updates}[0]{message}, 'Only a summary.',
       'no description: the message is the summary');
}

# startsAt as Prometheus and Alertmanager write it: fractional seconds, or
# an offset
{
    my $base = time - 3600;
    my $frac = iso($base);
    $frac =~ s/Z\z/.123456789Z/;
    my $r = am_post(notification('Frac', 'firing', [
        { %{ alert('Frac') }, startsAt => $frac } ]));
    is_action($r, 201, 'created', "startsAt $frac: created");
    is($r->{json} && $r->{json}{incident}{startedAt}, iso($base),
       'startedAt is that second');
    my @t = gmtime($base + 5400);
    my $off = POSIX::strftime('%Y-%m-%dT%H:%M:%S+01:30', @t);
    $r = am_post(notification('Offset', 'firing', [
        { %{ alert('Offset') }, startsAt => $off } ]));
    is_action($r, 201, 'created', "startsAt $off: created");
    is($r->{json} && $r->{json}{incident}{startedAt}, iso($base),
       'startedAt is that time in UTC');
}

# startedAt is not after now
{
    my $inc = open_one('Future', startsAt => time + 3600);
    my $s = rfc3339_to_epoch($inc->{startedAt});
    ok(defined $s && $s <= time + 1 && $s >= time - 30,
       'startsAt in the future -> startedAt is now')
        or diag("startedAt " . ($inc->{startedAt} // 'missing'));
}

# --- the severity map ---------------------------------------------------------

{
    my @builtin = (
        [critical => 'critical'], [error => 'major'], [major => 'major'],
        [warning => 'minor'], [minor => 'minor'], [info => 'none'],
        [none => 'none'], [CRITICAL => 'critical'], [Warning => 'minor'],
        [bogus => 'minor'], [undef, 'minor'],
    );
    my $n = 0;
    for my $c (@builtin) {
        my ($sev, $want) = @$c;
        my $inc = open_one('Sev' . ++$n,
                           labels => { defined $sev ? (severity => $sev) : () });
        is($inc->{impact}, $want, 'built-in map: severity '
           . ($sev // '(none)') . " -> $want");
    }
    my $r = am_post(notification('SevWorst', 'firing', [
        alert('SevWorst', labels => { severity => 'info', i => 1 }),
        alert('SevWorst', labels => { severity => 'error', i => 2 }),
        alert('SevWorst', labels => { severity => 'warning', i => 3 }),
        alert('SevWorst', status => 'resolved',
              labels => { severity => 'critical', i => 4 }),
    ]));
    is_action($r, 201, 'created', 'info + error + warning (+ a resolved critical)');
    is($r->{json} && $r->{json}{incident}{impact}, 'major',
       'the worst firing severity wins; resolved alerts do not count');

    my @over = (
        [warning => 'major'], [WARNING => 'major'], [page => 'critical'],
        [PAGE => 'critical'], [error => 'major'], [info => 'none'],
        [bogus => 'none'], [undef, 'none'],
    );
    for my $c (@over) {
        my ($sev, $want) = @$c;
        my $inc = open_one('Over' . ++$n, host => 'sev.test',
                           labels => { defined $sev ? (severity => $sev) : () });
        is($inc->{impact}, $want, 'incident_alertmanager_impact: severity '
           . ($sev // '(none)') . " -> $want");
    }
}

# --- one group's life: unchanged, updated, resolved, unchanged, reopened -----------

{
    my $G = 'ApiLatency';
    my $t0 = time - 900;
    my $l1 = alert($G, labels => { severity => 'warning', component => 'API',
                                   instance => 'a' },
                   annotations => { summary => 'Latency high on a' },
                   startsAt => $t0);
    my $l2 = alert($G, labels => { severity => 'critical',
                                   component => 'database', instance => 'b' },
                   annotations => { summary => 'Latency high on b' },
                   startsAt => $t0 + 60);

    my $top = audit_top_id();
    my $r = am_post(notification($G, 'firing', [$l1]));
    is_action($r, 201, 'created', "$G: created");
    my $id = $r->{json} && $r->{json}{incidentId} // 0;
    fields_are($r->{json}{incident}, { impact => 'minor',
                                       componentIds => [$api->{id}] },
               'minor, API');

    # the same notification again
    my $snap = $t->state_snapshot;
    $r = am_post(notification($G, 'firing', [$l1]));
    is_action($r, 200, 'unchanged', 'the same notification again -> 200 unchanged');
    is($r->{json} && $r->{json}{incidentId}, $id, 'incidentId is the open incident');
    ok($t->state_snapshot eq $snap, 'nothing was written (incidents, audit)');

    # a second alert joins the group: impact rises, components added, notify
    $top = audit_top_id();
    $r = am_post(notification($G, 'firing', [$l1, $l2]));
    is_action($r, 200, 'updated', 'an alert joins the group -> 200 updated');
    is($r->{json} && $r->{json}{incidentId}, $id, 'the same incident');
    my $doc = incident($id) || {};
    fields_are($doc, { status => 'investigating', impact => 'critical',
                       resolvedAt => undef },
               'the impact rose to critical');
    is_deeply(sorted(@{ $doc->{componentIds} || [] }), sorted($api->{id}, $db->{id}),
              'Database was added to the components');
    is(scalar @{ $doc->{updates} || [] }, 2, 'a second update');
    my $u = $doc->{updates}[0] || {};
    is($u->{status}, 'investigating', 'with the incident\'s status');
    is_true($u->{notify}, 'notify: the impact rose');
    like($u->{message} // '', qr/Latency high on a/, 'it lists alert a');
    like($u->{message} // '', qr/Latency high on b/, 'and alert b');
    audit_has($top, 'updated');

    # same set in another order, other common annotations: still the same
    $snap = $t->state_snapshot;
    $r = am_post(notification($G, 'firing', [$l2, $l1],
                              commonAnnotations => { note => 'reordered' }));
    is_action($r, 200, 'unchanged',
              'the same alerts in another order -> unchanged');
    ok($t->state_snapshot eq $snap, 'nothing was written');

    # the critical alert resolves within the group: impact is not lowered
    my $l2r = { %$l2, status => 'resolved', endsAt => iso(time) };
    $r = am_post(notification($G, 'firing', [$l1, $l2r]));
    is_action($r, 200, 'updated', 'an alert resolves within the group -> updated');
    $doc = incident($id) || {};
    is($doc->{impact}, 'critical', 'the impact is not lowered');
    is_deeply(sorted(@{ $doc->{componentIds} || [] }), sorted($api->{id}, $db->{id}),
              'no component is removed');
    is(scalar @{ $doc->{updates} || [] }, 3, 'a third update');
    $u = $doc->{updates}[0] || {};
    is($u->{status}, 'investigating', 'investigating');
    is_false($u->{notify}, 'notify false: the impact did not rise');
    like($u->{message} // '', qr/Latency high on a/, 'it lists the firing alert');

    # all resolved
    $top = audit_top_id();
    my $l1r = { %$l1, status => 'resolved', endsAt => iso(time) };
    my $resolved = notification($G, 'resolved', [$l1r, $l2r]);
    $r = am_post($resolved);
    is_action($r, 200, 'resolved', 'the group resolves -> 200 resolved');
    is($r->{json} && $r->{json}{incidentId}, $id, 'the same incident');
    $doc = incident($id) || {};
    is($doc->{status}, 'resolved', 'the incident is resolved');
    like($doc->{resolvedAt} // '', $RFC3339_RE, 'resolvedAt is set');
    is(scalar @{ $doc->{updates} || [] }, 4, 'a fourth update');
    $u = $doc->{updates}[0] || {};
    is($u->{status}, 'resolved', 'a resolved update');
    is_true($u->{notify}, 'that notifies');
    like($u->{message} // '', qr/^All alerts have resolved\./,
         'message "All alerts have resolved."');
    like($u->{message} // '', qr/Latency high on a/, 'with alert a\'s summary');
    like($u->{message} // '', qr/Latency high on b/, 'and alert b\'s');
    audit_has($top, 'resolved');

    $snap = $t->state_snapshot;
    $r = am_post($resolved);
    is_action($r, 200, 'unchanged', 'the same resolved notification again -> unchanged');
    ok($t->state_snapshot eq $snap, 'nothing was written');

    # firing again after the resolution: a new incident
    my $l1b = alert($G, labels => $l1->{labels},
                    annotations => $l1->{annotations}, startsAt => time - 10);
    $r = am_post(notification($G, 'firing', [$l1b]));
    is_action($r, 201, 'created', 'the group fires again -> a new incident');
    my $id2 = $r->{json} && $r->{json}{incidentId} // 0;
    isnt($id2, $id, 'with a new id');
    is_location($r, $id2);
    is((incident($id) || {})->{status}, 'resolved', 'the old one stays resolved');
}

# --- resolved for a group nobody knows --------------------------------------------

{
    my $before = incident_count();
    my $r = am_post(notification('NeverFired', 'resolved',
                                 [ alert('NeverFired', status => 'resolved') ]));
    is_action($r, 200, 'ignored', 'resolved for an unknown group -> 200 ignored');
    ok($r->{json} && !defined $r->{json}{incidentId}
       && !defined $r->{json}{incident}, 'incidentId and incident are null');
    is(incident_count(), $before, 'no incident');
}

# --- an operator takes over -------------------------------------------------------

{
    my $G = 'QueueBacklog';
    my $q1 = alert($G, labels => { severity => 'warning', instance => 'a' },
                   annotations => { summary => 'Backlog on a' });
    my $q2 = alert($G, labels => { severity => 'critical', instance => 'b' },
                   annotations => { summary => 'Backlog on b' });
    my $r = am_post(notification($G, 'firing', [$q1]));
    is_action($r, 201, 'created', "$G: created");
    my $id = $r->{json} && $r->{json}{incidentId} // 0;

    $t->post_update($id, status => 'identified',
                    message => 'We found the cause; a fix is rolling out.');

    my $top = audit_top_id();
    $r = am_post(notification($G, 'firing', [$q1, $q2]));
    is_action($r, 200, 'noted', 'the group changes after an operator\'s update -> noted');
    is($r->{json} && $r->{json}{incidentId}, $id, 'the same incident');
    my $doc = incident($id) || {};
    is($doc->{status}, 'identified', 'the operator\'s status stays');
    is(scalar @{ $doc->{updates} || [] }, 3, 'an update was added');
    my $u = $doc->{updates}[0] || {};
    is($u->{status}, 'identified', 'with the incident\'s current status');
    is_false($u->{notify}, 'notify false');
    like($u->{message} // '', qr/^Alertmanager reports/,
         'message begins "Alertmanager reports"');
    audit_has($top, 'noted');

    $top = audit_top_id();
    my @res = map { { %$_, status => 'resolved', endsAt => iso(time) } } $q1, $q2;
    $r = am_post(notification($G, 'resolved', \@res));
    is_action($r, 200, 'noted', 'the group resolves after an operator\'s update -> noted');
    $doc = incident($id) || {};
    is($doc->{status}, 'identified', 'the incident is not resolved');
    is_null($doc, 'resolvedAt', 'resolvedAt stays null');
    is(scalar @{ $doc->{updates} || [] }, 4, 'an update was added');
    $u = $doc->{updates}[0] || {};
    is($u->{status}, 'identified', 'with the incident\'s current status');
    is_false($u->{notify}, 'notify false');
    like($u->{message} // '', qr/^Alertmanager reports/,
         'message begins "Alertmanager reports"');
    audit_has($top, 'noted');

    # the operator resolves it; the group fires again -> a new incident
    $t->post_update($id, status => 'resolved', message => 'Fixed.');
    my $q1b = alert($G, labels => $q1->{labels}, annotations => $q1->{annotations},
                    startsAt => time - 5);
    $r = am_post(notification($G, 'firing', [$q1b]));
    is_action($r, 201, 'created',
              'firing after an operator resolved the incident -> created');
    my $id2 = $r->{json} && $r->{json}{incidentId} // 0;
    isnt($id2, $id, 'a new incident');

    # deleted: the group changes -> a new incident
    is_status($t->api(DELETE => "/api/v1/incidents/$id2"), 204,
              'the operator deletes the new incident');
    my $q3 = alert($G, labels => { severity => 'critical', instance => 'c' },
                   annotations => { summary => 'Backlog on c' });
    $r = am_post(notification($G, 'firing', [$q1b, $q3]));
    is_action($r, 201, 'created', 'firing after the incident was deleted -> created');
    my $id3 = $r->{json} && $r->{json}{incidentId} // 0;
    ok($id3 && $id3 != $id2 && $id3 != $id, 'a new incident');
    is($r->{json} && $r->{json}{incident}{impact}, 'critical', 'critical');

    # the group's state is stored: it survives a restart
    $t->restart;
    my $snap = $t->state_snapshot;
    $r = am_post(notification($G, 'firing', [$q1b, $q3]));
    is_action($r, 200, 'unchanged', 'after a restart the same notification -> unchanged');
    is($r->{json} && $r->{json}{incidentId}, $id3, 'for the same incident');
    ok($t->state_snapshot eq $snap, 'nothing was written');
}

# --- nginx -t: the directives' arguments, the example snippet -------------------

{
    for my $bad (['incident_alertmanager maybe;', 'incident_alertmanager'],
                 ['incident_alertmanager_impact warning severe;',
                  'incident_alertmanager_impact'],
                 ['incident_alertmanager_impact warning;',
                  'incident_alertmanager_impact']) {
        my ($line, $directive) = @$bad;
        my ($ok, $out) = IncidentTest->new(location_extra => $line)->nginx_t;
        ok(!$ok, "nginx -t rejects '$line'");
        like($out, qr/\[emerg\][^\n]*\Q$directive\E/, "naming $directive")
            or diag($out);
    }
    my ($ok, $out) = IncidentTest->new(
        server_extra => "include $IncidentTest::ROOT/conf-examples/alertmanager.conf;",
    )->nginx_t;
    ok($ok, 'nginx -t accepts conf-examples/alertmanager.conf in a server')
        or diag($out);
}

$t->check_log;

# =============================================================================
# b) a real Alertmanager
# =============================================================================

my ($AM_PID, $AM_DIR);

sub am_stop {
    return unless $AM_PID;
    my $pid = $AM_PID;
    undef $AM_PID;
    kill 'TERM', $pid;
    my $deadline = time + 10;
    while (time < $deadline) {
        return if waitpid($pid, POSIX::WNOHANG()) == $pid;
        sleep 0.05;
    }
    kill 'KILL', $pid;
    waitpid $pid, 0;
}

END { local $?; am_stop(); }
$SIG{INT} = $SIG{TERM} = sub { am_stop(); exit 1 };

sub am_log {
    return '' unless $AM_DIR;
    my $l = IncidentTest::read_file("$AM_DIR/alertmanager.log") // '';
    my @l = split /\n/, $l;
    @l = @l[-30 .. -1] if @l > 30;
    return "\n--- alertmanager log (tail) ---\n" . join("\n", @l) . "\n";
}

sub am_start {
    my ($port) = @_;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        POSIX::setsid();
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', "$AM_DIR/alertmanager.log";
        open STDERR, '>&', \*STDOUT;
        { no warnings 'exec';
          exec $ALERTMANAGER, "--config.file=$AM_DIR/alertmanager.yml",
               "--storage.path=$AM_DIR/data",
               "--web.listen-address=127.0.0.1:$port",
               '--cluster.listen-address=', '--log.level=debug'; }
        POSIX::_exit(127);
    }
    $AM_PID = $pid;
}

my $http = HTTP::Tiny->new(timeout => 10, keep_alive => 0);
my $am_port = IncidentTest::free_port();
my $am_url = "http://127.0.0.1:$am_port";

sub am_push {
    my (@alerts) = @_;
    my $r = $http->post("$am_url/api/v2/alerts", {
        headers => { 'Content-Type' => 'application/json' },
        content => $JSON->encode(\@alerts) });
    return $r->{status} == 200
        || (diag("POST /api/v2/alerts -> $r->{status} $r->{content}"), 0);
}

# the newest incident titled TITLE
sub find_incident {
    my ($title) = @_;
    my @m = grep { ($_->{title} // '') eq $title }
            @{ $t->list_all('/api/v1/incidents?state=all', limit => 100) };
    return undef unless @m;
    my ($newest) = sort { $b->{id} <=> $a->{id} } @m;
    return incident($newest->{id});
}

# POSTs from Alertmanager in nginx's access log
sub am_deliveries {
    my $log = IncidentTest::read_file($t->prefix . '/logs/access.log') // '';
    return scalar(() = $log =~ m{"POST \Q$PATH\E HTTP/[^"]*" 2\d\d [^\n]*Alertmanager/}g);
}

sub metric {
    my ($re) = @_;
    my $r = $http->get("$am_url/metrics");
    my $sum = 0;
    for (split /\n/, $r->{content} // '') {
        $sum += $1 if /$re\s+([\d.e+]+)$/;
    }
    return $sum;
}

SKIP_AM: {
    unless (-x $ALERTMANAGER) {
        fail("$ALERTMANAGER is installed (Debian: apt-get install "
             . "prometheus-alertmanager; or set ALERTMANAGER)");
        last SKIP_AM;
    }

    my $amtool = $ENV{AMTOOL} // '/usr/bin/amtool';
    my ($rc, $out) = IncidentTest::run_cmd(
        "$t->{prefix}/amtool.out", $amtool, 'check-config',
        "$IncidentTest::ROOT/conf-examples/alertmanager.yml");
    is($rc, 0, 'amtool check-config accepts conf-examples/alertmanager.yml')
        or diag($out);

    $AM_DIR = File::Temp::tempdir('incident-am-XXXXXX', TMPDIR => 1,
                                  CLEANUP => !$ENV{KEEP});
    my $token = $t->token('alertmanager');
    my $port = $t->port;
    IncidentTest::write_file("$AM_DIR/alertmanager.yml", <<"YML");
global:
  resolve_timeout: 5m
route:
  receiver: status
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 4h
  routes:
    - receiver: status
      matchers: ['repeat="fast"']
      group_wait: 1s
      group_interval: 1s
      repeat_interval: 2s
receivers:
  - name: status
    webhook_configs:
      - url: http://127.0.0.1:$port$PATH
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: $token
YML
    am_start($am_port);
    my $ready = IncidentTest::wait_until(30, sub {
        return 0 unless $AM_PID && IncidentTest::alive($AM_PID);
        my $r = $http->get("$am_url/-/ready");
        return $r->{status} == 200;
    });
    ok($ready, 'Alertmanager is ready') or do {
        diag(am_log());
        last SKIP_AM;
    };

    # --- a group opens an incident, grows, resolves -----------------------
    my $t0 = time - 120;
    my %a1 = (labels => { alertname => 'CheckoutErrors', severity => 'warning',
                          component => 'payments', instance => 'a' },
              annotations => { summary => 'Checkout errors on a',
                               description => 'Error rate above 5% on a.' },
              startsAt => iso($t0));
    my %a2 = (labels => { alertname => 'CheckoutErrors', severity => 'critical',
                          component => 'API', instance => 'b' },
              annotations => { summary => 'Checkout errors on b' },
              startsAt => iso($t0 + 30));

    ok(am_push(\%a1), 'an alert is pushed to Alertmanager');
    my $inc;
    ok(IncidentTest::wait_until(30, sub {
        $inc = find_incident('Checkout errors on a');
    }), 'within 30 s nginx has an incident for the group')
        or diag(am_log() . $t->error_log_tail);
    $inc ||= {};
    fields_are($inc, { status => 'investigating', impact => 'minor',
                       componentIds => [$pay->{id}], startedAt => iso($t0),
                       resolvedAt => undef },
               'investigating, minor, Payments, startedAt = startsAt');
    is($inc->{updates}[0]{message}, 'Error rate above 5% on a.',
       'the message is the description');
    my $id = $inc->{id} // 0;

    ok(am_push(\%a1, \%a2), 'a second alert joins the group');
    ok(IncidentTest::wait_until(30, sub {
        $inc = incident($id);
        return $inc && @{ $inc->{updates} || [] } >= 2;
    }), 'within 30 s the incident has an update')
        or diag(am_log());
    $inc ||= {};
    is(scalar @{ $inc->{updates} || [] }, 2, 'exactly one update was added');
    fields_are($inc, { status => 'investigating', impact => 'critical' },
               'the impact rose to critical');
    is_deeply(sorted(@{ $inc->{componentIds} || [] }), sorted($api->{id}, $pay->{id}),
              'API was added');
    like($inc->{updates}[0]{message} // '', qr/Checkout errors on b/,
         'the update lists the new alert');
    is_true($inc->{updates}[0]{notify}, 'and notifies');

    my $end = iso(time - 1);
    ok(am_push({ %a1, endsAt => $end }, { %a2, endsAt => $end }),
       'both alerts are resolved (endsAt in the past)');
    ok(IncidentTest::wait_until(30, sub {
        $inc = incident($id);
        return $inc && ($inc->{status} // '') eq 'resolved';
    }), 'within 30 s the incident is resolved')
        or diag(am_log());
    $inc ||= {};
    is(scalar @{ $inc->{updates} || [] }, 3, 'by one resolved update');
    like($inc->{updates}[0]{message} // '', qr/^All alerts have resolved\./,
         '"All alerts have resolved."');
    my $after = encode_json($inc);
    sleep 3;
    is(encode_json(incident($id) || {}), $after,
       'nothing more happens to it in the next 3 s');

    # --- repeated notifications add nothing ---------------------------------
    my %r1 = (labels => { alertname => 'SlowQueries', severity => 'major',
                          component => 'Database', repeat => 'fast' },
              annotations => { summary => 'Slow queries' },
              startsAt => iso(time - 30));
    ok(am_push(\%r1), 'an alert on the fast-repeat route');
    my $rep;
    ok(IncidentTest::wait_until(30, sub { $rep = find_incident('Slow queries') }),
       'within 30 s its incident is open')
        or diag(am_log());
    $rep ||= {};
    fields_are($rep, { impact => 'major', componentIds => [$db->{id}] },
               'major, Database');
    my $doc = encode_json($rep);
    my $n0 = am_deliveries();
    my $top = audit_top_id();
    ok(IncidentTest::wait_until(15, sub { am_deliveries() >= $n0 + 3 }),
       'Alertmanager repeats the notification (3 more within 15 s)')
        or diag("deliveries: $n0 -> " . am_deliveries() . am_log());
    is(encode_json(incident($rep->{id} // 0) || {}), $doc,
       'the incident did not change (no updates)');
    is(audit_top_id(), $top, 'nothing was audited');

    is(metric(qr/^alertmanager_notifications_failed_total\{[^}]*integration="webhook"[^}]*\}/),
       0, 'Alertmanager saw no failed notification');
    ok(metric(qr/^alertmanager_notifications_total\{[^}]*integration="webhook"[^}]*\}/) >= 5,
       'and sent at least 5');

    # resolve it too, so that Alertmanager stops
    ok(am_push({ %r1, endsAt => iso(time - 1) }), 'the repeating alert is resolved');
    ok(IncidentTest::wait_until(30, sub {
        ((incident($rep->{id} // 0) || {})->{status} // '') eq 'resolved';
    }), 'its incident is resolved') or diag(am_log());

    am_stop();
    ok(!$AM_PID, 'Alertmanager stopped');
}

$t->stop;
done_testing;
