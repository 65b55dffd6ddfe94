# Statuspage's public v2 API (/api/v2/*.json): the golden shape of every
# document (members, JSON types, ids as strings, times with milliseconds)
# over a page with a group, ungrouped components, active and resolved
# incidents, a maintenance in progress and upcoming ones; and the HTTP
# side: CORS on every answer, OPTIONS, ETag and 304, 405, 404
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;
use B ();
use Time::HiRes qw(time sleep);

my $t = IncidentTest->new->start;
my $port = $t->port;
my $base = "http://127.0.0.1:$port";

my @DOCS = qw(summary.json status.json components.json incidents.json
              incidents/unresolved.json scheduled-maintenances.json
              scheduled-maintenances/upcoming.json
              scheduled-maintenances/active.json);

my $TIME_RE = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z\z/;

# the members of each object and their JSON types: s string, S string or
# null, n number, b boolean, t time, T time or null, d date, a array,
# A array or null, z null, o object
my %PAGE = (id => 's', name => 's', url => 's', time_zone => 's',
            updated_at => 'T');
my %STATUS = (indicator => 's', description => 's');
my %COMPONENT = (id => 's', name => 's', status => 's', created_at => 't',
                 updated_at => 't', position => 'n', description => 'S',
                 showcase => 'b', start_date => 'd', group_id => 'S',
                 page_id => 's', group => 'b',
                 only_show_if_degraded => 'b');
my %GROUP = (%COMPONENT, components => 'a');
my %INCIDENT = (id => 's', name => 's', status => 's', created_at => 't',
                updated_at => 't', monitoring_at => 'T', resolved_at => 'T',
                impact => 's', shortlink => 's', started_at => 't',
                page_id => 's', incident_updates => 'a', components => 'a');
my %MAINTENANCE = (%INCIDENT, scheduled_for => 't', scheduled_until => 't');
my %UPDATE = (id => 's', status => 's', body => 's', incident_id => 's',
              created_at => 't', updated_at => 't', display_at => 't',
              affected_components => 'A', deliver_notifications => 'b',
              custom_tweet => 'z', tweet_id => 'z');
my %AFFECTED = (code => 's', name => 's', old_status => 's',
                new_status => 's');

my %DOC_KEYS = (
    'summary.json' => [qw(page components incidents scheduled_maintenances
                          status)],
    'status.json' => [qw(page status)],
    'components.json' => [qw(page components)],
    'incidents.json' => [qw(page incidents)],
    'incidents/unresolved.json' => [qw(page incidents)],
    'scheduled-maintenances.json' => [qw(page scheduled_maintenances)],
    'scheduled-maintenances/upcoming.json' => [qw(page scheduled_maintenances)],
    'scheduled-maintenances/active.json' => [qw(page scheduled_maintenances)],
);

# the JSON type of a freshly decoded value (before any use as a string)
sub json_type {
    my ($v) = @_;
    return 'null' unless defined $v;
    return 'bool' if JSON::PP::is_bool($v);
    return 'array' if ref $v eq 'ARRAY';
    return 'object' if ref $v eq 'HASH';
    my $flags = B::svref_2object(\$v)->FLAGS;
    return ($flags & (B::SVp_IOK | B::SVp_NOK)) && !($flags & B::SVp_POK)
           ? 'number' : 'string';
}

sub type_ok {
    my ($v, $want) = @_;
    my $got = json_type($v);
    return $got eq 'string' if $want eq 's';
    return $got eq 'string' || $got eq 'null' if $want eq 'S';
    return $got eq 'number' if $want eq 'n';
    return $got eq 'bool' if $want eq 'b';
    return $got eq 'array' if $want eq 'a';
    return $got eq 'array' || $got eq 'null' if $want eq 'A';
    return $got eq 'null' if $want eq 'z';
    return $got eq 'object' if $want eq 'o';
    return $got eq 'null' || ($got eq 'string' && $v =~ $TIME_RE)
        if $want eq 'T';
    return $got eq 'string' && $v =~ $TIME_RE if $want eq 't';
    return $got eq 'string' && $v =~ /^\d{4}-\d\d-\d\d\z/ if $want eq 'd';
    return 0;
}

# the problems of one object against its shape, as strings
sub shape_problems {
    my ($obj, $shape, $where) = @_;
    return ("$where: not an object") unless ref $obj eq 'HASH';
    my @why;
    for my $k (sort keys %$shape) {
        if (!exists $obj->{$k}) {
            push @why, "$where: $k missing";
        } elsif (!type_ok($obj->{$k}, $shape->{$k})) {
            push @why, "$where: $k is " . json_type($obj->{$k})
                       . ", not $shape->{$k}";
        }
    }
    push @why, map { "$where: unexpected member $_" }
               grep { !exists $shape->{$_} } sort keys %$obj;
    return @why;
}

sub component_problems {
    my ($c, $where) = @_;
    my $group = ref $c eq 'HASH' && JSON::PP::is_bool($c->{group})
                && $c->{group};
    my @why = shape_problems($c, $group ? \%GROUP : \%COMPONENT, $where);
    push @why, map { "$where: member id $_ is not a string" }
               grep { json_type($_) ne 'string' } @{ $c->{components} || [] }
        if $group && ref $c->{components} eq 'ARRAY';
    return @why;
}

# an incident or a maintenance with its updates and components
sub event_problems {
    my ($e, $shape, $where) = @_;
    my @why = shape_problems($e, $shape, $where);
    return @why unless ref $e eq 'HASH';
    my $i = 0;
    for my $u (@{ ref $e->{incident_updates} eq 'ARRAY'
                  ? $e->{incident_updates} : [] }) {
        my $w = "$where update $i";
        push @why, shape_problems($u, \%UPDATE, $w);
        my $j = 0;
        push @why, shape_problems($_, \%AFFECTED, "$w affected " . $j++)
            for @{ ref $u->{affected_components} eq 'ARRAY'
                   ? $u->{affected_components} : [] };
        $i++;
    }
    $i = 0;
    push @why, component_problems($_, "$where component " . $i++)
        for @{ ref $e->{components} eq 'ARRAY' ? $e->{components} : [] };
    return @why;
}

# the golden shape of a document, decoded afresh from its bytes
sub doc_shape_ok {
    my ($doc, $content) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $j = eval { decode_json($content) };
    my @why;
    if (ref $j ne 'HASH') {
        @why = ('not a JSON object');
    } else {
        my @keys = sort keys %$j;
        push @why, "members: @keys" unless
            "@keys" eq join ' ', sort @{ $DOC_KEYS{$doc} };
        push @why, shape_problems($j->{page}, \%PAGE, 'page');
        push @why, shape_problems($j->{status}, \%STATUS, 'status')
            if exists $j->{status};
        my $i = 0;
        push @why, component_problems($_, 'component ' . $i++)
            for @{ $j->{components} || [] };
        $i = 0;
        push @why, event_problems($_, \%INCIDENT, 'incident ' . $i++)
            for @{ $j->{incidents} || [] };
        $i = 0;
        push @why, event_problems($_, \%MAINTENANCE, 'maintenance ' . $i++)
            for @{ $j->{scheduled_maintenances} || [] };
    }
    ok(!@why, "$doc: the golden shape (members, types, times)")
        or diag(join "\n", @why[0 .. ($#why > 20 ? 20 : $#why)]);
}

sub v2 {
    my ($doc, %o) = @_;
    return $t->api(($o{method} // 'GET') => "/api/v2/$doc", $o{body},
                   %{ $o{opts} || {} });
}

sub v2_json {
    my ($doc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $r = v2($doc);
    is_status($r, 200, "GET /api/v2/$doc -> 200");
    return $r->{json} || {};
}

sub ids { join ',', map { $_->{id} // '?' } @{ $_[0] || [] } }

sub find_id {
    my ($list, $id) = @_;
    my ($x) = grep { ($_->{id} // '') eq $id } @{ $list || [] };
    return $x || {};
}

sub affected {
    my ($u) = @_;
    return 'null' unless defined $u->{affected_components};
    return join ',', map { "$_->{code} $_->{name}:$_->{old_status}>"
                           . "$_->{new_status}" }
                     @{ $u->{affected_components} };
}

sub v2_time {
    my ($v1) = @_;
    return undef unless defined $v1;
    (my $s = $v1) =~ s/Z\z/.000Z/;
    return $s;
}

# --- the page ----------------------------------------------------------------

$t->create_component(name => 'API', description => 'The public API');  # 1
$t->create_component(name => 'Databases');                            # 2
$t->create_component(name => 'Primary', groupId => 2);                # 3
$t->create_component(name => 'Replica', groupId => 2);                # 4
$t->create_component(name => 'Dashboard');                            # 5

# incident 1: resolved; incident 2: active, major, on Primary
my $i1 = $t->create_incident(title => 'API errors', impact => 'minor',
                             componentIds => [1], message => 'Looking.');
$t->post_update($i1->{id}, status => 'resolved', message => 'Fixed.');
my $i2 = $t->create_incident(title => 'Database failover', impact => 'major',
                             componentIds => [3], message => 'Failing over.');
$t->post_update($i2->{id}, status => 'monitoring', message => 'Watching.');

# maintenance 1 started by the timer: its window began a minute ago
my $r = $t->api(POST => '/api/v1/maintenances',
                {title => 'Dashboard upgrade', componentIds => [5],
                 message => 'Upgrading the dashboard.',
                 scheduledFor => epoch_to_rfc3339(int(time) - 60),
                 scheduledUntil => epoch_to_rfc3339(int(time) + 3600)});
is_status($r, 201, 'maintenance 1, its window open');
ok(IncidentTest::wait_until(10, sub {
       ($t->api(GET => '/api/v1/maintenances/1')->{json}{status} // '')
           eq 'in_progress' }),
   'the timer starts maintenance 1');

# maintenances 2 (in two days) and 3 (tomorrow): upcoming
for my $m ([2, 'Storage move'], [1, 'Network change']) {
    my $from = int(time) + $m->[0] * 86400;
    $r = $t->api(POST => '/api/v1/maintenances',
                 {title => $m->[1], componentIds => [1, 4],
                  scheduledFor => epoch_to_rfc3339($from),
                  scheduledUntil => epoch_to_rfc3339($from + 3600)});
    is_status($r, 201, "upcoming maintenance '$m->[1]'");
}

# --- every document: HTTP and the golden shape --------------------------------

my %page_ids;
for my $doc (@DOCS) {
    $r = v2($doc);
    is_status($r, 200, "GET /api/v2/$doc -> 200");
    like($r->{headers}{'content-type'} // '', qr{^application/json\b}i,
         "$doc: application/json");
    is($r->{headers}{'access-control-allow-origin'}, '*',
       "$doc: Access-Control-Allow-Origin: *");
    like($r->{headers}{etag} // '', qr/^"[^"]+"\z/, "$doc: an ETag");
    is($r->{headers}{'cache-control'},
       'public, max-age=5, stale-while-revalidate=30, stale-if-error=86400',
       "$doc: cached like the status page");
    doc_shape_ok($doc, $r->{content});
    $page_ids{ $r->{json}{page}{id} // '' }++;

    my $h = v2($doc, method => 'HEAD');
    is_status($h, 200, "HEAD /api/v2/$doc -> 200");
    is($h->{content}, '', "HEAD $doc: no body");

    my $nm = v2($doc, opts => {headers => {'If-None-Match'
                                           => $r->{headers}{etag} // ''}});
    is_status($nm, 304, "$doc: If-None-Match -> 304");
    is($nm->{headers}{'access-control-allow-origin'}, '*',
       "$doc: 304 with Access-Control-Allow-Origin: *");

    my $p = v2($doc, method => 'POST', body => {});
    is_problem($p, 405, "POST /api/v2/$doc -> 405");
    is($p->{headers}{allow}, 'GET, HEAD, OPTIONS', "$doc: Allow");
    is($p->{headers}{'access-control-allow-origin'}, '*',
       "$doc: 405 with Access-Control-Allow-Origin: *");

    my $o = v2($doc, method => 'OPTIONS');
    is_status($o, 204, "OPTIONS /api/v2/$doc -> 204");
    is($o->{headers}{'access-control-allow-origin'}, '*',
       "$doc OPTIONS: Access-Control-Allow-Origin: *");
    is($o->{headers}{'access-control-allow-methods'}, 'GET, HEAD, OPTIONS',
       "$doc OPTIONS: Access-Control-Allow-Methods");
    is($o->{headers}{'access-control-max-age'}, '86400',
       "$doc OPTIONS: Access-Control-Max-Age: 86400");
}

is(scalar keys %page_ids, 1, 'one page id in every document');
my ($page_id) = keys %page_ids;
like($page_id, qr/^[a-z2-7]{12}\z/, 'the page id: 12 characters of [a-z2-7]');

for my $method (qw(PUT PATCH DELETE)) {
    my $p = v2('summary.json', method => $method, body => {});
    is_problem($p, 405, "$method /api/v2/summary.json -> 405");
    is($p->{headers}{allow}, 'GET, HEAD, OPTIONS', "$method: Allow");
}

for my $path (qw(nope.json summary incidents/ scheduled-maintenances/past.json
                 summary.json/x pages/abc/summary.json)) {
    my $n = $t->api(GET => "/api/v2/$path");
    is_problem($n, 404, "GET /api/v2/$path -> 404");
    is($n->{headers}{'access-control-allow-origin'}, '*',
       "404 with Access-Control-Allow-Origin: *");
}

# the prefix itself is /api/v2's too
for my $uri ('/api/v2', '/api/v2/') {
    my $n = $t->api(GET => $uri);
    is_problem($n, 404, "GET $uri -> 404");
    is($n->{headers}{'access-control-allow-origin'}, '*',
       "$uri: Access-Control-Allow-Origin: *");
}

{
    my $a = $t->api(GET => '/api/v2/status.json', undef, token => 'admin');
    my $b = $t->api(GET => '/api/v2/status.json', undef,
                    bearer => 'tok_' . ('0' x 48));
    is_status($a, 200, 'a valid token is ignored');
    is_status($b, 200, 'so is a wrong one');
    is($a->{content}, $b->{content}, 'the same document either way');
}

# --- the values --------------------------------------------------------------

{
    my $s = v2_json('summary.json');
    my $p = $s->{page} || {};
    is($p->{id}, $page_id, 'page.id');
    is($p->{name}, 'Status', 'page.name: the pageTitle');
    is($p->{url}, $base, 'page.url: the base URL, no trailing slash');
    is($p->{time_zone}, 'Etc/UTC', 'page.time_zone: Etc/UTC when unset');
    is(v2_time($t->get_json('/api/v1/status')->{updatedAt}), $p->{updated_at},
       'page.updated_at: the last write, as /api/v1/status says');

    is(ids($s->{components}), '1,2,3,4,5', 'components in page order');
    is_deeply([map { $_->{position} } @{ $s->{components} || [] }],
              [1 .. 5], 'positions 1..5');
    my $g = find_id($s->{components}, '2');
    is_true($g->{group}, 'Databases is a group');
    is_false($g->{showcase}, 'a group is no showcase');
    is_deeply($g->{components}, ['3', '4'], 'its members, as strings');
    is($g->{status}, 'partial_outage', 'a group shows its worst member');
    is(find_id($s->{components}, '3')->{group_id}, '2',
       'a member names its group');
    is(find_id($s->{components}, '3')->{status}, 'partial_outage',
       'Primary: an active incident names it');
    is(find_id($s->{components}, '5')->{status}, 'under_maintenance',
       'Dashboard: under maintenance');
    is_null(find_id($s->{components}, '1'), 'group_id', 'API: no group');
    is(find_id($s->{components}, '1')->{description}, 'The public API',
       'a description');
    is_null(find_id($s->{components}, '4'), 'description',
            'an empty description is null');
    is_true(find_id($s->{components}, '1')->{showcase}, 'API: a showcase');
    is_false(find_id($s->{components}, '1')->{only_show_if_degraded},
             'only_show_if_degraded false');
    is(find_id($s->{components}, '1')->{page_id}, $page_id,
       'a component\'s page_id');

    is(ids($s->{incidents}), '2', 'summary incidents: the unresolved');
    is(ids($s->{scheduled_maintenances}), 'm1,m3,m2',
       'summary maintenances: active, then upcoming soonest first');
    is_deeply($s->{status}, {indicator => 'major',
                             description => 'Partial System Outage'},
              'status: major (a partial outage; the major incident)');

    my $c = v2_json('components.json');
    is_deeply($c->{components}, $s->{components},
              'components.json: as in the summary');
    is_deeply(v2_json('status.json')->{status}, $s->{status},
              'status.json: as in the summary');
}

{
    my $doc = v2_json('incidents.json');
    is(ids($doc->{incidents}), '2,1', 'incidents.json: newest first');
    my $v1 = $t->get_json('/api/v1/incidents/2');
    my $i = find_id($doc->{incidents}, '2');
    is($i->{name}, 'Database failover', 'name: the title');
    is($i->{status}, 'monitoring', 'status');
    is($i->{impact}, 'major', 'impact');
    is($i->{shortlink}, "$base/incidents/2", 'shortlink: the incident page');
    is($i->{created_at}, v2_time($v1->{createdAt}), 'created_at');
    is($i->{started_at}, v2_time($v1->{startedAt}), 'started_at');
    is_null($i, 'resolved_at', 'unresolved: resolved_at null');
    is($i->{monitoring_at}, v2_time($v1->{updates}[0]{createdAt}),
       'monitoring_at: the monitoring update');
    is(ids($i->{components}), '3', 'components: the ones it names');
    is($i->{components}[0]{name}, 'Primary', 'as component objects');
    is(ids($i->{incident_updates}),
       join(',', map { $_->{id} } @{ $v1->{updates} }),
       'incident_updates: ours, newest first');
    my ($new, $old) = @{ $i->{incident_updates} || [] };
    is($new->{incident_id}, '2', 'incident_id');
    is($new->{body}, 'Watching.', 'body: the message');
    is($new->{display_at}, $new->{created_at}, 'display_at: created_at');
    is($new->{updated_at}, $new->{created_at}, 'updated_at: created_at');
    is_true($new->{deliver_notifications}, 'deliver_notifications: notify');
    is(affected($new), '3 Primary:partial_outage>partial_outage',
       'affected: partial after partial');
    is(affected($old), '3 Primary:operational>partial_outage',
       'affected: the first update, operational before');

    $i = find_id($doc->{incidents}, '1');
    is($i->{status}, 'resolved', 'incident 1 resolved');
    is($i->{resolved_at},
       v2_time($t->get_json('/api/v1/incidents/1')->{resolvedAt}),
       'resolved_at');
    is_null($i, 'monitoring_at', 'never monitored: monitoring_at null');
    is(affected($i->{incident_updates}[0]), '1 API:partial_outage>operational',
       'resolved: operational');

    is(ids(v2_json('incidents/unresolved.json')->{incidents}), '2',
       'unresolved.json: the active incident');
}

{
    my $act = v2_json('scheduled-maintenances/active.json');
    is(ids($act->{scheduled_maintenances}), 'm1', 'active.json: m1');
    my $m = $act->{scheduled_maintenances}[0] || {};
    my $v1 = $t->get_json('/api/v1/maintenances/1');
    is($m->{status}, 'in_progress', 'in progress');
    is($m->{impact}, 'maintenance', 'impact maintenance');
    is_null($m, 'monitoring_at', 'monitoring_at null');
    is_null($m, 'resolved_at', 'resolved_at null');
    is($m->{started_at}, v2_time($v1->{startedAt}), 'started_at: startedAt');
    is($m->{scheduled_for}, v2_time($v1->{scheduledFor}), 'scheduled_for');
    is($m->{scheduled_until}, v2_time($v1->{scheduledUntil}),
       'scheduled_until');
    is($m->{shortlink}, "$base/maintenances/1", 'shortlink');
    is(ids($m->{components}), '5', 'its component');
    is($m->{components}[0]{status}, 'under_maintenance', 'under maintenance');
    is(ids($m->{incident_updates}),
       join(',', map { "mu$_->{id}" } @{ $v1->{updates} }),
       'update ids: "mu" + ours, newest first');
    my ($start, $first) = @{ $m->{incident_updates} || [] };
    is($start->{body}, 'Scheduled maintenance is now in progress.',
       'the timer\'s update');
    is($start->{incident_id}, 'm1', 'incident_id: the maintenance\'s id');
    is(affected($start), '5 Dashboard:operational>under_maintenance',
       'in progress: under maintenance');
    is(affected($first), '5 Dashboard:operational>operational',
       'scheduled: operational');

    my $up = v2_json('scheduled-maintenances/upcoming.json');
    is(ids($up->{scheduled_maintenances}), 'm3,m2',
       'upcoming.json: soonest first');
    $m = $up->{scheduled_maintenances}[0] || {};
    is($m->{started_at}, $m->{scheduled_for},
       'not started: started_at is scheduled_for');
    is_deeply($m->{incident_updates}, [], 'no message: no updates');
    is(ids($m->{components}), '1,4', 'its components');

    is(ids(v2_json('scheduled-maintenances.json')->{scheduled_maintenances}),
       'm3,m2,m1', 'scheduled-maintenances.json: newest first');
}

# --- a write changes the ETag ------------------------------------------------

{
    my $before = v2('status.json');
    my $etag = $before->{headers}{etag} // '';
    $t->post_update($i2->{id}, status => 'resolved', message => 'Done.');
    my $after = v2('status.json', opts => {headers => {'If-None-Match'
                                                      => $etag}});
    is_status($after, 200, 'after a write the old ETag gets 200');
    isnt($after->{headers}{etag} // '', $etag, 'and a new ETag');
    is_deeply($after->{json}{status},
              {indicator => 'maintenance',
               description => 'Service Under Maintenance'},
              'the incident resolved: maintenance');
    is($after->{json}{page}{id}, $page_id, 'the page id stays');
    is(ids(v2_json('incidents/unresolved.json')->{incidents}), '',
       'unresolved.json: empty');
    is(ids(v2_json('summary.json')->{incidents}), '',
       'summary incidents: empty');
}

$t->stop;
done_testing;
