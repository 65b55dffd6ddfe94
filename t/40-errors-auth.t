# authentication, error documents, methods, content types, body limits,
# query parameters, ETags, audit trail
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Digest::SHA ();
use IncidentTest;

my $t = IncidentTest->new(location_extra => 'incident_api_max_body 1k;')->start;

my $comp = $t->create_component(name => 'API');
my $inc  = $t->create_incident(title => 'Seeded', componentIds => [1],
                               message => 'first');
my ($iid, $uid, $cid) = ($inc->{id}, $inc->{updates}[0]{id}, $comp->{id});

# everything a reader can see, to prove that rejected writes changed nothing
sub snapshot {
    return {
        incidents  => $t->list_all('/api/v1/incidents?state=all', limit => 100),
        components => $t->list_all('/api/v1/components', limit => 100),
        settings   => $t->get_json('/api/v1/settings'),
        status     => $t->get_json('/api/v1/status'),
    };
}

# --- authentication ------------------------------------------------------------------

my @writes = (
    [POST   => '/api/v1/incidents',
     {title => 'Nope', status => 'investigating', impact => 'minor'}],
    [PATCH  => "/api/v1/incidents/$iid", {title => 'Nope'}],
    [DELETE => "/api/v1/incidents/$iid"],
    [POST   => "/api/v1/incidents/$iid/updates",
     {status => 'resolved', message => 'Nope'}],
    [PATCH  => "/api/v1/incidents/$iid/updates/$uid", {message => 'Nope'}],
    [DELETE => "/api/v1/incidents/$iid/updates/$uid"],
    [POST   => '/api/v1/components', {name => 'Nope'}],
    [PATCH  => "/api/v1/components/$cid", {name => 'Nope'}],
    [DELETE => "/api/v1/components/$cid"],
    [PATCH  => '/api/v1/settings', {pageTitle => 'Nope'}],
);
my $wrong = 'tok_' . ('0' x 48);
my %bad_auth = (
    'no token'                  => [token => undef],
    'a wrong token'             => [bearer => $wrong],
    'the hash instead of the token' =>
        [bearer => Digest::SHA::sha256_hex($t->token('admin'))],
    'an admin token with a suffix' => [bearer => $t->token('admin') . 'x'],
    'a token prefix'            => [bearer => substr($t->token('admin'), 0, 10)],
    'an empty bearer'           => [authorization => 'Bearer '],
    'Basic credentials'         => [authorization => 'Basic YWRtaW46YWRtaW4='],
    'the token without Bearer'  => [authorization => $t->token('admin')],
);

my $before = snapshot();
for my $case (sort keys %bad_auth) {
    for my $w (@writes) {
        my ($m, $p, $b) = @$w;
        my $r = $t->api($m, $p, $b, @{ $bad_auth{$case} });
        is_problem($r, 401, "$m $p with $case -> 401");
        like($r->{headers}{'www-authenticate'} // '', qr/^Bearer\b/,
             "  WWW-Authenticate: Bearer");
    }
}
is_deeply(snapshot(), $before, 'rejected writes changed nothing');

{
    my $r = $t->api(PATCH => '/api/v1/settings', {pageTitle => 'By ci'}, token => 'ci');
    is_status($r, 200, 'the second token (ci) may write');
    $r = $t->api(PATCH => '/api/v1/settings', {pageTitle => 'Status'},
                 authorization => 'bearer ' . $t->token('admin'));
    is_status($r, 200, 'the auth scheme is case-insensitive');
}

for my $p ('/api/v1/incidents', "/api/v1/incidents/$iid", '/api/v1/components',
           "/api/v1/components/$cid", '/api/v1/status', '/api/v1/settings') {
    is_status($t->api(GET => $p), 200, "GET $p needs no token");
    my $h = $t->api(HEAD => $p);
    is_status($h, 200, "HEAD $p needs no token");
    is($h->{content}, '', "HEAD $p has no body");
}

{
    my $log = $t->error_log;
    for my $name (qw(admin ci)) {
        ok(index($log, $t->token($name)) < 0, "the $name token is not in error.log");
    }
    ok(index($log, $wrong) < 0, 'a wrong token is not in error.log');
}

# --- malformed bodies: 400 ----------------------------------------------------------

{
    my $p = '/api/v1/incidents';
    my %bad = (
        'truncated JSON'      => '{"title": "x", "status": ',
        'not JSON'            => 'title=x&status=investigating',
        'empty body'          => '',
        'top-level array'     => '[{"title": "x", "status": "investigating", "impact": "minor"}]',
        'top-level string'    => '"x"',
        'top-level number'    => '42',
        'top-level null'      => 'null',
        'trailing garbage'    => '{"title": "x", "status": "investigating", "impact": "minor"} x',
        'invalid UTF-8 in a string' =>
            qq({"title": "bad \xff\xfe bytes", "status": "investigating", "impact": "minor"}),
        'overlong UTF-8'      =>
            qq({"title": "bad \xc0\xaf", "status": "investigating", "impact": "minor"}),
        'UTF-16 surrogate as UTF-8' =>
            qq({"title": "bad \xed\xa0\x80", "status": "investigating", "impact": "minor"}),
    );
    for my $case (sort keys %bad) {
        is_problem($t->api(POST => $p, $bad{$case}), 400, "$case -> 400");
    }
    is_problem($t->api(PATCH => "/api/v1/incidents/$iid", '[1]'), 400,
               'PATCH with an array -> 400');
    is_problem($t->api(POST => '/api/v1/components', '{"name": '), 400,
               'components: malformed JSON -> 400');
    is_problem($t->api(PATCH => '/api/v1/settings', '"top"'), 400,
               'settings: a string -> 400');
}

# --- well-formed, bad fields: 422 -------------------------------------------------------

{
    my $r = $t->api(POST => '/api/v1/incidents',
                    {title => '', status => 'open', impact => 'catastrophic'});
    is_problem($r, 422, 'bad fields -> 422', [qw(title status impact)]);
    like($r->{json}{type} // '', qr/^urn:incident:problem:/, 'type is a urn');
}

# --- 404 -------------------------------------------------------------------------------

for my $p ('/api/v1/incidents/9999', '/api/v1/components/9999',
           "/api/v1/incidents/$iid/updates/9999", '/api/v1/nope',
           '/api/v1/', '/api/v1/incidents/abc', "/api/v1/incidents/$iid/nope",
           '/api/v1/incidents/0') {
    is_problem($t->api(GET => $p), 404, "GET $p -> 404");
}
is_problem($t->api(POST => '/api/v1/nope', {a => 1}), 404, 'POST to an unknown path -> 404');

# --- 405 -------------------------------------------------------------------------------

for my $case (['PUT', '/api/v1/incidents', [qw(GET POST)]],
              ['DELETE', '/api/v1/incidents', [qw(GET POST)]],
              ['DELETE', '/api/v1/status', ['GET']],
              ['POST', '/api/v1/status', ['GET']],
              ['POST', '/api/v1/settings', [qw(GET PATCH)]],
              ['PUT', "/api/v1/incidents/$iid", [qw(GET PATCH DELETE)]],
              ['POST', "/api/v1/components/$cid", [qw(GET PATCH DELETE)]]) {
    my ($m, $p, $allow) = @$case;
    my $r = $t->api($m, $p, $m eq 'DELETE' ? undef : {title => 'x'});
    is_problem($r, 405, "$m $p -> 405");
    my $hdr = $r->{headers}{allow} // '';
    my %got = map { uc($_) => 1 } split /\s*,\s*/, $hdr;
    ok(!(grep { !$got{$_} } @$allow), "  Allow lists @$allow (got '$hdr')");
    ok(!$got{$m}, "  Allow does not list $m");
}

# --- 415, 413 ------------------------------------------------------------------------

{
    my $body = {title => 'Typed', status => 'investigating', impact => 'minor'};
    is_problem($t->api(POST => '/api/v1/incidents', $body, content_type => 'text/plain'),
               415, 'Content-Type text/plain -> 415');
    is_problem($t->api(POST => '/api/v1/incidents', $body,
                       content_type => 'application/x-www-form-urlencoded'),
               415, 'Content-Type form -> 415');
    is_problem($t->api(PATCH => '/api/v1/settings', {pageTitle => 'x'},
                       content_type => 'text/plain'),
               415, 'PATCH with text/plain -> 415');
    my $r = $t->api(POST => '/api/v1/incidents', $body,
                    content_type => 'application/json; charset=utf-8');
    is_status($r, 201, 'application/json; charset=utf-8 is accepted');

    my $big = {title => 'Big', status => 'investigating', impact => 'minor',
               message => 'z' x 2000};
    is_problem($t->api(POST => '/api/v1/incidents', $big), 413,
               'body over incident_api_max_body 1k -> 413');
    my $fits = {title => 'Fits', status => 'investigating', impact => 'minor',
                message => 'z' x 800};
    is_status($t->api(POST => '/api/v1/incidents', $fits), 201,
              'body under 1k -> 201');
}

# --- query parameters: 400 naming the parameter -----------------------------------------

for my $case (['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=abc', 'limit'],
              ['limit=-1', 'limit'], ['limit=', 'limit'],
              ['cursor=%21%21not-a-cursor%21%21', 'cursor'],
              ['state=open', 'state']) {
    my ($q, $field) = @$case;
    is_problem($t->api(GET => "/api/v1/incidents?$q"), 400,
               "GET /api/v1/incidents?$q -> 400", [$field]);
}
is_problem($t->api(GET => '/api/v1/components?limit=1000'), 400,
           'GET /api/v1/components?limit=1000 -> 400', ['limit']);
is_status($t->api(GET => '/api/v1/incidents?limit=100'), 200, 'limit=100 is fine');
is_status($t->api(GET => '/api/v1/incidents?limit=1'), 200, 'limit=1 is fine');

# --- ETag, Cache-Control, 304 -------------------------------------------------------------

for my $p ('/api/v1/incidents', "/api/v1/incidents/$iid", '/api/v1/components',
           "/api/v1/components/$cid", '/api/v1/status', '/api/v1/settings') {
    my $r = $t->api(GET => $p);
    my $etag = $r->{headers}{etag};
    ok(defined $etag && length $etag, "GET $p has an ETag");
    like($r->{headers}{'cache-control'} // '', qr/\bno-cache\b/,
         "GET $p has Cache-Control: no-cache");
    my $c = $t->api(GET => $p, undef, headers => {'If-None-Match' => $etag // '"x"'});
    is($c->{status}, 304, "GET $p with If-None-Match -> 304");
    is($c->{content}, '', '304 has no body');
    my $o = $t->api(GET => $p, undef, headers => {'If-None-Match' => '"not-it"'});
    is($o->{status}, 200, "GET $p with another ETag -> 200");
}
{
    my $e1 = $t->api(GET => '/api/v1/status')->{headers}{etag} // '';
    my $i1 = $t->api(GET => "/api/v1/incidents/$iid")->{headers}{etag} // '';
    $t->api(PATCH => "/api/v1/incidents/$iid", {title => 'Seeded, renamed'});
    my $r = $t->api(GET => "/api/v1/incidents/$iid", undef,
                    headers => {'If-None-Match' => $i1});
    is_status($r, 200, 'after a write the old ETag no longer matches');
    isnt($r->{headers}{etag} // '', $i1, 'the incident ETag changed');
    is($r->{json}{title}, 'Seeded, renamed', 'and the body is fresh');
    isnt($t->api(GET => '/api/v1/status')->{headers}{etag} // '', $e1,
         'the status ETag changed');
}

# --- audit trail ----------------------------------------------------------------------------

{
    is_problem($t->api(GET => '/api/v1/audit'), 401, 'GET /api/v1/audit without a token -> 401');
    is_problem($t->api(GET => '/api/v1/audit', undef, bearer => $wrong), 401,
               'GET /api/v1/audit with a wrong token -> 401');

    my $by_ci = $t->create_incident(title => 'Created by CI', _opts => {token => 'ci'});
    my $r = $t->api(GET => '/api/v1/audit', undef, token => 'admin');
    is_status($r, 200, 'GET /api/v1/audit with a token -> 200');
    my $data = $r->{json}{data} || [];
    ok(exists $r->{json}{nextCursor}, 'audit is a list with nextCursor');
    fields_are($data->[0], {actor => 'ci', action => 'incident.create'},
               'the newest audit entry: ci created an incident');

    $t->create_incident(title => 'Created by admin');
    $data = $t->api(GET => '/api/v1/audit', undef, token => 'ci')->{json}{data} || [];
    fields_are($data->[0], {actor => 'admin', action => 'incident.create'},
               'then admin, newest first');
    fields_are($data->[1], {actor => 'ci', action => 'incident.create'},
               'ci second');
    ok(index($r->{content}, $t->token('ci')) < 0
       && index($r->{content}, $t->token('admin')) < 0,
       'the audit trail does not show tokens');
}

$t->stop;
done_testing;
