# incidents: the seed call, reads, lists and pagination, past incidents,
# PATCH, DELETE, validation
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Encode qw(encode_utf8);
use IncidentTest;

my $t = IncidentTest->new->start;
my $port = $t->port;

# is the epoch of an RFC 3339 string within [lo-2, hi+2]?
sub time_between {
    my ($s, $lo, $hi, $name) = @_;
    my $e = rfc3339_to_epoch($s);
    ok(defined $e && $e >= $lo - 2 && $e <= $hi + 2, $name)
        or diag("got " . ($s // 'undef') . ", expected between "
                . epoch_to_rfc3339($lo) . " and " . epoch_to_rfc3339($hi));
}

# --- the seed call -----------------------------------------------------------

is($t->create_component(name => 'API')->{id}, 1, 'component API is 1');
is($t->create_component(name => 'Dashboard')->{id}, 2, 'component Dashboard is 2');

my $seed = <<'JSON';
{
"title": "Database connectivity issues",
"status": "investigating",
"impact": "major",
"message": "We are investigating reports of database issues.",
"componentIds": [1, 2]
}
JSON

my $t0 = time;
my $r = $t->api(POST => '/api/v1/incidents', $seed);
my $t1 = time;
is_status($r, 201, 'seed POST /api/v1/incidents -> 201');
like($r->{headers}{location} // '', qr{^(?:https?://[^/]+)?/api/v1/incidents/1\z},
     'Location /api/v1/incidents/1');
like($r->{headers}{'content-type'} // '', qr{^application/json\b},
     'content-type application/json');

my $inc = $r->{json} || {};
is($inc->{id}, 1, 'id 1');
is($inc->{title}, 'Database connectivity issues', 'title');
is($inc->{status}, 'investigating', 'status');
is($inc->{impact}, 'major', 'impact');
is_deeply($inc->{componentIds}, [1, 2], 'componentIds [1, 2]');
for my $k (qw(createdAt startedAt updatedAt)) {
    like($inc->{$k} // '', $RFC3339_RE, "$k is RFC 3339 UTC");
    time_between($inc->{$k}, $t0, $t1, "$k is now");
}
is($inc->{startedAt}, $inc->{createdAt}, 'startedAt defaults to createdAt');
is_null($inc, 'resolvedAt', 'resolvedAt null');
is_null($inc, 'durationSeconds', 'durationSeconds null');
is($inc->{url}, "http://127.0.0.1:$port/incidents/1",
   'url built from scheme and Host, ends in /incidents/1');

is(ref $inc->{updates}, 'ARRAY', 'updates is a list');
is(scalar @{ $inc->{updates} || [] }, 1, 'one update');
my $u = ($inc->{updates} || [])->[0] || {};
like($u->{id} // '', qr/^[1-9]\d*\z/, 'update id is a positive integer');
is($u->{status}, 'investigating', 'update status');
is($u->{message}, 'We are investigating reports of database issues.',
   'update message');
is_deeply($u->{componentIds}, [1, 2], 'update componentIds');
is_true($u->{notify}, 'update notify true by default');
like($u->{createdAt} // '', $RFC3339_RE, 'update createdAt');
time_between($u->{createdAt}, $t0, $t1, 'update createdAt is now');

my $got = $t->get_json('/api/v1/incidents/1');
is_deeply($got, $inc, 'GET /api/v1/incidents/1 returns the created object');

{
    my $h = $t->api(GET => '/api/v1/incidents/1', undef,
                    host => 'status.test');
    is($h->{json}{url}, "http://status.test:$port/incidents/1",
       'url follows the Host header');
}

# --- lists, state filter, pagination -------------------------------------------

# incidents 2..12, every third one created already resolved
my %resolved;
for my $i (2 .. 12) {
    my $res = $i % 3 == 0;
    my $x = $t->create_incident(title => "List incident $i",
                                status => $res ? 'resolved' : 'monitoring',
                                impact => 'minor');
    is($x->{id}, $i, "incident id $i counts up");
    $resolved{$i} = 1 if $res;
}
my @all      = reverse 1 .. 12;
my @active   = grep { !$resolved{$_} } @all;
my @resolved = grep { $resolved{$_} } @all;

for my $q ('', '?state=all') {
    my $l = $t->get_json("/api/v1/incidents$q");
    is_deeply(ids_of($l->{data}), \@all, "GET /api/v1/incidents$q: all, newest first");
    is_null($l, 'nextCursor', "GET /api/v1/incidents$q: nextCursor null");
}
is_deeply(ids_of($t->get_json('/api/v1/incidents?state=active')->{data}),
          \@active, 'state=active lists the unresolved ones, newest first');
is_deeply(ids_of($t->get_json('/api/v1/incidents?state=resolved')->{data}),
          \@resolved, 'state=resolved lists the resolved ones, newest first');

for my $limit (1, 5, 12, 100) {
    my ($items, $pages) = $t->list_walk('/api/v1/incidents', limit => $limit);
    is_deeply(ids_of($items), \@all,
              "limit=$limit: walking the cursor gives every incident once, in order");
    my $want_pages = $limit >= 12 ? 1 : int((12 + $limit - 1) / $limit);
    is($pages, $want_pages, "limit=$limit: $want_pages pages");
}
{
    my $first = $t->get_json('/api/v1/incidents?limit=5');
    is(scalar @{ $first->{data} }, 5, 'limit=5: first page has 5');
    ok(defined $first->{nextCursor} && length $first->{nextCursor},
       'limit=5: first page has a nextCursor');
}
{
    my $items = $t->list_all('/api/v1/incidents?state=active', limit => 2);
    is_deeply(ids_of($items), \@active, 'state=active with limit=2 walks all pages');
    $items = $t->list_all('/api/v1/incidents?state=resolved', limit => 2);
    is_deeply(ids_of($items), \@resolved, 'state=resolved with limit=2 walks all pages');
}

# default limit 25
for my $i (13 .. 27) {
    $t->create_incident(title => "Bulk incident $i");
}
{
    my $l = $t->get_json('/api/v1/incidents');
    is(scalar @{ $l->{data} }, 25, 'default page size is 25');
    ok(defined $l->{nextCursor}, 'default page has a nextCursor when more exist');
    my $items = $t->list_all('/api/v1/incidents');
    is_deeply(ids_of($items), [reverse 1 .. 27], 'default limit: all 27 over two pages');
}

# --- past incidents, backdating ----------------------------------------------------

{
    my $started = epoch_to_rfc3339(time - 2700);
    my $b = time;
    my $p = $t->create_incident(
        title => 'Connection pool exhaustion', status => 'resolved',
        impact => 'critical', startedAt => $started, componentIds => [1, 2],
        message => 'This incident has been resolved.');
    my $e = time;
    is($p->{status}, 'resolved', 'created resolved');
    is($p->{startedAt}, $started, 'startedAt is the backdated time');
    like($p->{resolvedAt} // '', $RFC3339_RE, 'resolvedAt set');
    time_between($p->{resolvedAt}, $b, $e, 'resolvedAt is now');
    my $d = $p->{durationSeconds};
    ok(defined $d && $d =~ /^\d+\z/ && $d >= 2695 && $d <= 2710,
       'durationSeconds is about 2700 (45 minutes)')
        or diag("durationSeconds: " . ($d // 'null'));
    my $diff = (rfc3339_to_epoch($p->{resolvedAt}) // 0)
             - (rfc3339_to_epoch($p->{startedAt}) // 0);
    ok(defined $d && abs($d - $diff) <= 1,
       'durationSeconds = resolvedAt - startedAt');
    is(scalar @{ $p->{updates} || [] }, 1, 'the message is its update');
    is($p->{updates}[0]{status}, 'resolved', 'the update has status resolved');
    is_deeply($t->get_json("/api/v1/incidents/$p->{id}"), $p,
              'GET returns the past incident');
    my $res = $t->get_json('/api/v1/incidents?state=resolved&limit=100');
    ok((grep { $_->{id} == $p->{id} } @{ $res->{data} }),
       'the past incident is listed under state=resolved');
}

# --- message, notify ----------------------------------------------------------------

{
    my $n = $t->create_incident(title => 'No message');
    is_deeply($n->{updates}, [], 'no message: no updates');
    $n = $t->create_incident(title => 'Empty message', message => '');
    is_deeply($n->{updates}, [], 'empty message: no updates');
    $n = $t->create_incident(title => 'Quiet', message => 'quiet one',
                             notify => JSON::PP::false);
    is_false($n->{updates}[0]{notify}, 'notify false is kept on the update');
}

# --- strings: trimming, UTF-8, lengths --------------------------------------------

{
    my $x = $t->create_incident(title => "  \t Padded title \n ",
                                message => "  padded message  ");
    is($x->{title}, 'Padded title', 'title is trimmed');
    is($x->{updates}[0]{message}, 'padded message', 'message is trimmed');
}
{
    my $title = "Base de donn\x{e9}es indisponible \x{2014} \x{6570}\x{636e}\x{5e93}";
    my $msg   = "Nous enqu\x{ea}tons \x{2014} \x{6211}\x{4eec}\x{6b63}\x{5728}\x{8c03}\x{67e5} \x{1f6a7}";
    my $r = $t->api(POST => '/api/v1/incidents',
                    {title => $title, status => 'investigating',
                     impact => 'major', message => $msg});
    is_status($r, 201, 'UTF-8 title accepted');
    my $id = $r->{json}{id};
    is($r->{json}{title}, $title, 'UTF-8 title round-trips');
    is($r->{json}{updates}[0]{message}, $msg, 'UTF-8 message round-trips');
    my $g = $t->api(GET => "/api/v1/incidents/$id");
    is($g->{json}{title}, $title, 'UTF-8 title round-trips through GET');
    ok(index($g->{content}, encode_utf8($title)) >= 0,
       'the response carries the title as the same UTF-8 bytes');
    ok(index($g->{content}, encode_utf8($msg)) >= 0,
       'the response carries the message as the same UTF-8 bytes');
}
{
    my $x = $t->create_incident(title => 'x' x 200);
    is(length($x->{title} // ''), 200, 'title of 200 characters accepted');
    $x = $t->create_incident(title => "\x{e9}" x 200);
    is($x->{title}, "\x{e9}" x 200,
       'title of 200 two-byte characters accepted (characters, not bytes)');
    is_problem($t->api(POST => '/api/v1/incidents',
                       {title => 'x' x 201, status => 'investigating',
                        impact => 'minor'}),
               422, 'title of 201 characters -> 422', ['title']);
    is_problem($t->api(POST => '/api/v1/incidents',
                       {title => '   ', status => 'investigating',
                        impact => 'minor'}),
               422, 'blank title -> 422', ['title']);
}

# --- bodies spooled to a temp file, and the default limit -----------------------

{
    # over client_body_buffer_size (8k/16k), so nginx spools it to a file
    my $msg = join '', map { sprintf "line %05d of a long update.\n", $_ } 1 .. 600;
    my $x = $t->create_incident(title => 'Long message', message => $msg);
    (my $trimmed = $msg) =~ s/\s+\z//;
    ok(($x->{updates}[0]{message} // '') eq $trimmed,
       'a ~18k body (spooled to a temp file) is read whole')
        or diag('got ' . length($x->{updates}[0]{message} // '') . ' characters');
    is_problem($t->api(POST => '/api/v1/incidents',
                       {title => 'Too long', status => 'investigating',
                        impact => 'minor', message => 'y' x 70000}),
               413, 'body over the default 64k -> 413');
}

# --- componentIds ---------------------------------------------------------------------

{
    my $x = $t->create_incident(title => 'Dups', componentIds => [2, 1, 2, 1]);
    is_deeply([sort @{ $x->{componentIds} || [] }], [1, 2],
              'duplicate componentIds are collapsed');
    for my $bad ([99], [1, 99], ['x'], [0], [-1], [1.5], '1', {}) {
        is_problem($t->api(POST => '/api/v1/incidents',
                           {title => 'Bad components', status => 'investigating',
                            impact => 'minor', componentIds => $bad}),
                   422, 'componentIds ' . encode_json([$bad]) . ' -> 422',
                   ['componentIds']);
    }
}

# --- other validation -----------------------------------------------------------------

{
    is_problem($t->api(POST => '/api/v1/incidents', {}),
               422, 'empty object -> 422 for each required field',
               [qw(title status impact)]);
    is_problem($t->api(POST => '/api/v1/incidents',
                       {title => '', status => 'broken', impact => 'huge'}),
               422, 'three bad fields -> three errors', [qw(title status impact)]);
    is_problem($t->api(POST => '/api/v1/incidents',
                       {title => '', status => 'investigating', impact => 'minor',
                        componentIds => [99]}),
               422, 'a bad title and a missing component -> two errors',
               [qw(title componentIds)]);
    is_problem($t->api(POST => '/api/v1/incidents',
                       {title => 5, status => 'investigating', impact => 'minor'}),
               422, 'title not a string -> 422', ['title']);
    is_problem($t->api(POST => '/api/v1/incidents',
                       {title => 'Future', status => 'investigating',
                        impact => 'minor',
                        startedAt => epoch_to_rfc3339(time + 3600)}),
               422, 'startedAt in the future -> 422', ['startedAt']);
    is_problem($t->api(POST => '/api/v1/incidents',
                       {title => 'Garbage', status => 'investigating',
                        impact => 'minor', startedAt => 'yesterday'}),
               422, 'startedAt not RFC 3339 -> 422', ['startedAt']);
    is_problem($t->api(POST => '/api/v1/incidents',
                       {title => 'Notify', status => 'investigating',
                        impact => 'minor', notify => 'yes'}),
               422, 'notify not a boolean -> 422', ['notify']);
    my $x = $t->create_incident(title => 'Unknown fields', colour => 'blue',
                                nested => {a => [1]});
    ok($x->{id}, 'unknown fields are ignored');
    ok(!exists $x->{colour}, 'and not stored');
}

# --- PATCH ------------------------------------------------------------------------------

{
    my $before = $t->get_json('/api/v1/incidents/1');
    my $started = epoch_to_rfc3339(time - 600);
    my $r = $t->api(PATCH => '/api/v1/incidents/1',
                    {title => 'Database connectivity issues (EU)',
                     impact => 'critical', componentIds => [2],
                     startedAt => $started});
    is_status($r, 200, 'PATCH /api/v1/incidents/1 -> 200');
    my $p = $r->{json} || {};
    is($p->{title}, 'Database connectivity issues (EU)', 'PATCH title');
    is($p->{impact}, 'critical', 'PATCH impact');
    is_deeply($p->{componentIds}, [2], 'PATCH componentIds');
    is($p->{startedAt}, $started, 'PATCH startedAt');
    is($p->{status}, 'investigating', 'status unchanged');
    is_deeply($p->{updates}, $before->{updates}, 'no update was posted');
    is($p->{createdAt}, $before->{createdAt}, 'createdAt unchanged');
    ok((rfc3339_to_epoch($p->{updatedAt}) // 0)
       >= (rfc3339_to_epoch($before->{updatedAt}) // 9e9), 'updatedAt moves on');
    is_deeply($t->get_json('/api/v1/incidents/1'), $p, 'GET shows the PATCH');

    my $o = $t->api(PATCH => '/api/v1/incidents/1', {title => 'Only the title'});
    is($o->{json}{impact}, 'critical', 'PATCH of one field keeps the others');
    is_deeply($o->{json}{componentIds}, [2], 'componentIds kept');

    my $cur = $t->get_json('/api/v1/incidents/1');
    is_problem($t->api(PATCH => '/api/v1/incidents/1', {status => 'resolved'}),
               422, 'PATCH with status -> 422', ['status']);
    is_problem($t->api(PATCH => '/api/v1/incidents/1', {impact => 'huge'}),
               422, 'PATCH bad impact -> 422', ['impact']);
    is_problem($t->api(PATCH => '/api/v1/incidents/1', {title => '  '}),
               422, 'PATCH blank title -> 422', ['title']);
    is_problem($t->api(PATCH => '/api/v1/incidents/1', {componentIds => [99]}),
               422, 'PATCH missing component -> 422', ['componentIds']);
    is_problem($t->api(PATCH => '/api/v1/incidents/1',
                       {startedAt => epoch_to_rfc3339(time + 3600)}),
               422, 'PATCH startedAt in the future -> 422', ['startedAt']);
    is_problem($t->api(PATCH => '/api/v1/incidents/1',
                       {title => 'Half good', impact => 'huge'}),
               422, 'PATCH with one bad field -> 422', ['impact']);
    is_deeply($t->get_json('/api/v1/incidents/1'), $cur,
              'rejected PATCHes changed nothing');
    is_problem($t->api(PATCH => '/api/v1/incidents/9999', {title => 'x'}),
               404, 'PATCH unknown incident -> 404');
}

# --- DELETE, ids keep counting ----------------------------------------------------------

{
    my $x = $t->create_incident(title => 'To be deleted', message => 'bye');
    my $id = $x->{id};
    my $r = $t->api(DELETE => "/api/v1/incidents/$id");
    is_status($r, 204, 'DELETE -> 204');
    is($r->{content}, '', '204 has no body');
    is_problem($t->api(GET => "/api/v1/incidents/$id"), 404, 'GET after DELETE -> 404');
    is_problem($t->api(DELETE => "/api/v1/incidents/$id"), 404,
               'DELETE again -> 404');
    my $items = $t->list_all('/api/v1/incidents', limit => 100);
    ok(!(grep { $_->{id} == $id } @$items), 'deleted incident is not listed');
    my $next = $t->create_incident(title => 'After delete');
    is($next->{id}, $id + 1, 'ids are not reused after a delete');
    is_problem($t->api(GET => '/api/v1/incidents/9999'), 404,
               'GET unknown incident -> 404');
}

$t->stop;

# --- incident_public_url --------------------------------------------------------------------

{
    my $p = IncidentTest->new(
        http_extra => 'incident_public_url https://status.example.com;')->start;
    my $x = $p->create_incident(title => 'Public url');
    is($x->{url}, 'https://status.example.com/incidents/1',
       'url uses incident_public_url');
    $p->stop;
}

done_testing;
