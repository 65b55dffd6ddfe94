# subscribers API: the public double opt-in request, admin creation,
# validation (header injection among it), authentication, list, get,
# delete, pagination, caching headers, the webhook secret, and the shapes
# of the deliveries, dead letters and queue documents
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(sleep time);
use IncidentTest;

# no incident_smtp: every mail fails at once ("incident_smtp is not
# configured"); webhooks to loopback are refused (allow_private is off);
# two tries one second apart, so jobs end up as dead letters quickly
my $t = IncidentTest->new(
    workers    => 2,
    http_extra => 'incident_notify_retries 2 base=1s max=1s;',
)->start;

my $API = '/api/v1';

is($t->create_component(name => 'API')->{id}, 1, 'component API is 1');
is($t->create_component(name => 'Dashboard')->{id}, 2,
   'component Dashboard is 2');

# --- helpers -------------------------------------------------------------------

sub public_subscribe {
    my ($body, %o) = @_;
    return $t->api(POST => "$API/subscribers", $body, token => undef, %o);
}

sub admin_create {
    my ($body, %o) = @_;
    return $t->api(POST => "$API/subscribers", $body, %o);
}

sub aget {
    my ($path) = @_;
    return $t->api(GET => $path, undef, token => 'admin');
}

# every subscriber, walking the cursor with the admin token
sub all_subscribers {
    my ($limit) = @_;
    my (@all, $cursor, %seen);
    for (1 .. 1000) {
        my $url = "$API/subscribers?limit=" . ($limit // 100)
                . (defined $cursor ? '&cursor=' . uri_escape($cursor) : '');
        my $r = aget($url);
        return ["GET $url -> $r->{status}"] unless $r->{status} == 200
                                                && ref $r->{json} eq 'HASH';
        push @all, @{ $r->{json}{data} || [] };
        $cursor = $r->{json}{nextCursor};
        last unless defined $cursor;
        return ["cursor $cursor repeats"] if $seen{$cursor}++;
    }
    return \@all;
}

sub queue {
    my $r = aget("$API/queue");
    return $r->{json} || {};
}

# waits until no delivery or confirmation job is pending (all delivered or
# dead), so that snapshots compare what requests changed, not the runner
sub settle {
    my ($why) = @_;
    my $ok = IncidentTest::wait_until(20, sub {
        my $q = queue();
        return defined $q->{queued} && $q->{queued} == 0
               && defined $q->{fanouts} && $q->{fanouts} == 0;
    });
    ok($ok, "the queue settles ($why)")
        or diag(encode_json(queue()));
}

# everything the API shows about subscribers and notifications
sub snapshot {
    my %s = (subscribers => all_subscribers(), queue => queue());
    my $r = aget("$API/dead-letters?limit=100");
    $s{dead} = $r->{json} // $r->{status};
    $r = aget("$API/audit?limit=100");
    $s{audit} = $r->{json} // $r->{status};
    for my $sub (@{ $s{subscribers} }) {
        next unless ref $sub eq 'HASH';
        my $d = aget("$API/subscribers/$sub->{id}/deliveries?limit=100");
        $s{"deliveries $sub->{id}"} = $d->{json} // $d->{status};
    }
    return encode_json(\%s);
}

sub no_store_no_etag {
    my ($r, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why;
    push @why, 'Cache-Control is ' . ($r->{headers}{'cache-control'} // 'missing')
        unless ($r->{headers}{'cache-control'} // '') =~ /\bno-store\b/;
    push @why, "ETag $r->{headers}{etag}" if defined $r->{headers}{etag};
    push @why, "Last-Modified $r->{headers}{'last-modified'}"
        if defined $r->{headers}{'last-modified'};
    ok(!@why, $name) or diag(join "\n", @why);
}

# --- the public request: 202, the same for every address ---------------------

my $q0 = queue();
fields_are($q0, {queued => 0, fanouts => 0, dead => 0, subscribers => 0,
                 unconfirmed => 0}, 'GET /queue on an empty store: all 0');

my %public;        # case => response
$public{new} = public_subscribe({email => 'alice@example.net'});
is_status($public{new}, 202, 'public POST /subscribers (new address) -> 202');
like($public{new}{headers}{'content-type'} // '', qr{^application/json\b},
     'the 202 is application/json');
fields_are($public{new}{json}, {status => 'pending'},
           'the 202 says status "pending"');
ok(defined $public{new}{json}{detail} && length $public{new}{json}{detail},
   'the 202 has a detail text');
no_store_no_etag($public{new}, 'the 202 is no-store without an ETag');

my $adm = admin_create({type => 'email', email => 'carol@example.net'});
is_status($adm, 201, 'admin POST /subscribers (email) -> 201');

$public{known}     = public_subscribe({email => 'alice@example.net'});
$public{known_uc}  = public_subscribe({email => 'ALICE@Example.NET'});
$public{confirmed} = public_subscribe({email => 'carol@example.net'});
$public{with_components} =
    public_subscribe({email => 'dave@example.net', componentIds => [2]});

for my $case (sort keys %public) {
    my $r = $public{$case};
    is($r->{status}, 202, "public POST ($case) -> 202");
    is($r->{content}, $public{new}{content},
       "public POST ($case): the body is byte for byte the new address's");
    ok(!defined $r->{headers}{location},
       "public POST ($case): no Location (it would tell the address's id)");
}

{
    my $subs = all_subscribers();
    my %by = map { lc($_->{email} // '') => $_ } grep { ref $_ eq 'HASH' } @$subs;
    is(scalar @$subs, 3,
       'three subscribers: the address in two cases made only one');
    my $a = $by{'alice@example.net'} || {};
    fields_are($a, {type => 'email', email => 'alice@example.net',
                    componentIds => [], confirmed => JSON::PP::false,
                    disabled => JSON::PP::false, source => 'public',
                    confirmedAt => undef},
               'the public subscriber is unconfirmed, source "public"');
    like($a->{createdAt} // '', $RFC3339_RE, '  createdAt is RFC 3339');
    ok(!exists $a->{secret} && !exists $a->{token}
       && !exists $a->{confirmSentAt},
       '  no secret, token or internal field shows');

    fields_are($by{'carol@example.net'} || {},
               {confirmed => JSON::PP::true, source => 'admin',
                email => 'carol@example.net'},
               'a public request for a confirmed address changes nothing');
    fields_are($by{'dave@example.net'} || {},
               {componentIds => [2], confirmed => JSON::PP::false},
               'the public request keeps its componentIds');

    my $q = queue();
    is($q->{subscribers}, 1, 'GET /queue: subscribers counts the confirmed one');
    is($q->{unconfirmed}, 2, 'GET /queue: unconfirmed counts the two pending');
}

# --- the admin's creation ---------------------------------------------------------

{
    my $c = $adm->{json} || {};
    fields_are($c, {type => 'email', email => 'carol@example.net',
                    componentIds => [], confirmed => JSON::PP::true,
                    disabled => JSON::PP::false, source => 'admin'},
               'admin email subscriber: confirmed at once, source "admin"');
    like($c->{id} // '', qr/^[1-9]\d*\z/, '  id is a positive integer');
    like($c->{createdAt} // '', $RFC3339_RE, '  createdAt is RFC 3339');
    is($c->{confirmedAt}, $c->{createdAt}, '  confirmedAt is createdAt');
    ok(!exists $c->{secret}, '  an email subscriber has no secret');
    like($adm->{headers}{location} // '',
         qr{^(?:https?://[^/]+)?/api/v1/subscribers/\Q$c->{id}\E\z},
         '  Location names the new subscriber');
    ok(!defined $adm->{headers}{etag}, '  the 201 has no ETag');

    my $g = aget("$API/subscribers/$c->{id}");
    is_status($g, 200, "GET /subscribers/$c->{id} -> 200");
    is_deeply($g->{json}, $c, '  the same document as the 201');
}

my ($hook, $hook_secret);
{
    my $r = admin_create({type => 'webhook', url => 'http://127.0.0.1:1/hook',
                          componentIds => [1]});
    is_status($r, 201, 'admin POST /subscribers (webhook) -> 201');
    $hook = $r->{json} || {};
    $hook_secret = $hook->{secret} // '';
    fields_are($hook, {type => 'webhook', url => 'http://127.0.0.1:1/hook',
                       componentIds => [1], confirmed => JSON::PP::true,
                       disabled => JSON::PP::false, source => 'admin'},
               '  the webhook subscriber document');
    ok(!exists $hook->{email}, '  a webhook has url, no email');
    like($hook_secret, qr{^whsec_[A-Za-z0-9+/]{24,}={0,2}\z},
         '  the 201 shows the secret, whsec_ and base64');
    # the only copy of the secret: no cache may keep it
    no_store_no_etag($r, '  the 201 with the secret is no-store');

    my $g = aget("$API/subscribers/$hook->{id}");
    is_status($g, 200, '  GET it -> 200');
    ok(!exists $g->{json}{secret}, '  GET does not show the secret');
    unlike($g->{content}, qr/\Q$hook_secret\E/,
           '  nor does any part of the GET body contain it');
    my $l = aget("$API/subscribers?limit=100");
    unlike($l->{content}, qr/\Q$hook_secret\E|whsec_/,
           '  the list does not contain it either');

    my $r2 = admin_create({type => 'webhook', url => 'http://127.0.0.1:1/hook'});
    is_status($r2, 201, '  a second webhook to the same URL -> 201');
    isnt($r2->{json}{secret}, $hook_secret, '  with a secret of its own');
    is_status($t->api(DELETE => "$API/subscribers/$r2->{json}{id}"), 204,
              '  (deleted again)');
}

for my $type (qw(slack discord)) {
    my $url = $type eq 'slack' ? 'https://hooks.slack.example.com/services/T/B/x'
                               : 'https://discord.example.com/api/webhooks/1/x';
    my $r = admin_create({type => $type, url => $url});
    is_status($r, 201, "admin POST /subscribers ($type) -> 201");
    fields_are($r->{json}, {type => $type, url => $url,
                            confirmed => JSON::PP::true},
               "  the $type subscriber document");
    ok(!exists $r->{json}{secret}, "  a $type subscriber has no secret");
    is_status($t->api(DELETE => "$API/subscribers/$r->{json}{id}"), 204,
              "  (deleted again)");
}

{
    my $r = admin_create({email => 'erin@example.net'});
    is_status($r, 201, 'admin POST without type means email -> 201');
    is($r->{json}{type}, 'email', '  type email');
}
{
    my $r = admin_create({type => 'email', email => '  frank@example.net  '});
    is_status($r, 201, 'admin POST with white space around the address -> 201');
    is($r->{json}{email}, 'frank@example.net', '  stored trimmed');
}

settle('after the first subscribers');

# --- validation: 422, nothing changes ------------------------------------------------

my $long_local = ('a' x 65) . '@example.com';
my $long_total = ('a' x 60) . '@' . join('.', ('b' x 60) x 3) . '.' . ('c' x 7)
               . '.com';                                    # 255 characters
my $long_label = 'a@' . ('d' x 64) . '.com';
my $ok_total   = ('a' x 60) . '@' . join('.', ('b' x 60) x 3) . '.' . ('c' x 6)
               . '.com';                                    # 254 characters
is(length $long_total, 255, '(the too long address has 255 characters)');
is(length $ok_total, 254, '(the longest address has 254 characters)');

my @bad_emails = (
    ['an empty string'               => ''],
    ['white space only'              => '   '],
    ['no @'                          => 'plainaddress'],
    ['no local part'                 => '@example.com'],
    ['no domain'                     => 'alice@'],
    ['a domain without a dot'        => 'alice@localhost'],
    ['two @'                         => 'alice@bob@example.com'],
    ['a space inside'                => 'alice smith@example.com'],
    ['a display name'                => 'Alice <alice@example.com>'],
    ['angle brackets'                => '<alice@example.com>'],
    ['two addresses with a comma'    => 'alice@example.com,bob@example.com'],
    ['two addresses with ;'          => 'alice@example.com;bob@example.com'],
    ['CR LF Bcc injection'           => "a\@b.com\r\nBcc: x\@y.com"],
    ['LF Bcc injection'              => "a\@b.com\nBcc: x\@y.com"],
    ['CR injection'                  => "a\@b.com\rBcc: x\@y.com"],
    ['CR LF in the local part'       => "a\r\nBcc: x\@y.com"],
    ['a header in the local part'    => "Bcc: x\@y.com"],
    ['a tab inside'                  => "alice\t\@example.com"],
    ['a leading dot'                 => '.alice@example.com'],
    ['a trailing dot in the local part' => 'alice.@example.com'],
    ['two dots'                      => 'al..ice@example.com'],
    ['a domain starting with -'      => 'alice@-example.com'],
    ['a label ending with -'         => 'alice@example-.com'],
    ['an underscore in the domain'   => 'alice@exa_mple.com'],
    ['an empty label'                => 'alice@example..com'],
    ['a trailing dot in the domain'  => 'alice@example.com.'],
    ['a quoted local part'           => '"alice"@example.com'],
    ['non-ASCII'                     => "j\x{fc}rgen\@example.com"],
    ['an IP literal'                 => 'alice@[127.0.0.1]'],
    ['a local part of 65 characters' => $long_local],
    ['255 characters'                => $long_total],
    ['a domain label of 64 characters' => $long_label],
);
my @bad_email_values = (
    ['a number'  => 42],
    ['null'      => undef],
    ['an array'  => ['alice@example.com']],
    ['an object' => {address => 'alice@example.com'}],
    ['true'      => JSON::PP::true],
);

my $before = snapshot();

for my $case (@bad_emails, @bad_email_values) {
    my ($name, $email) = @$case;
    is_problem(public_subscribe({email => $email}), 422,
               "public POST, email $name -> 422", ['email']);
    is_problem(admin_create({type => 'email', email => $email}), 422,
               "admin POST, email $name -> 422", ['email']);
}
is_problem(public_subscribe({}), 422, 'public POST without email -> 422',
           ['email']);
is_problem(public_subscribe({componentIds => [1]}), 422,
           'public POST with only componentIds -> 422', ['email']);
is_problem(admin_create({type => 'email'}), 422,
           'admin POST email without email -> 422', ['email']);
is_problem(admin_create({type => 'email', url => 'https://example.com/'}), 422,
           'admin POST email with a url instead -> 422', ['email']);

for my $case (['sms' => 'sms'], ['Email (case)' => 'Email'], ['empty' => ''],
              ['a number' => 1], ['null' => undef], ['an array' => ['email']],
              ['teams' => 'teams']) {
    my ($name, $type) = @$case;
    is_problem(admin_create({type => $type, email => 'type@example.net',
                             url => 'https://hooks.example.com/x'}),
               422, "admin POST, type $name -> 422", ['type']);
}

for my $case (['ftp://'               => 'ftp://hooks.example.com/x'],
              ['no scheme'            => 'hooks.example.com/x'],
              ['a path only'          => '/hook'],
              ['javascript:'          => 'javascript:alert(1)'],
              ['credentials'          => 'https://user:pw@hooks.example.com/x'],
              ['no host'              => 'https:///x'],
              ['a space'              => 'https://hooks.example.com/a b'],
              ['CR LF'                => "https://hooks.example.com/x\r\nX-Evil: 1"],
              ['an empty string'      => ''],
              ['a number'             => 7],
              ['2001 characters'      => 'https://hooks.example.com/'
                                         . ('x' x 1975)]) {
    my ($name, $url) = @$case;
    for my $type (qw(webhook slack discord)) {
        is_problem(admin_create({type => $type, url => $url}), 422,
                   "admin POST $type, url $name -> 422", ['url']);
    }
}
is_problem(admin_create({type => 'webhook'}), 422,
           'admin POST webhook without url -> 422', ['url']);
is_problem(admin_create({type => 'webhook', email => 'w@example.net'}), 422,
           'admin POST webhook with an email instead -> 422', ['url']);

for my $case (['unknown 99' => [99]], ['one known, one unknown' => [1, 99]],
              ['0' => [0]], ['negative' => [-1]], ['a string id' => ['1']],
              ['a fraction' => [1.5]], ['not an array' => 1],
              ['a string' => '1,2']) {
    my ($name, $ids) = @$case;
    is_problem(admin_create({type => 'email', email => 'ids@example.net',
                             componentIds => $ids}),
               422, "admin POST, componentIds $name -> 422", ['componentIds']);
}
for my $case (['0' => [0]], ['a string id' => ['1']], ['not an array' => 1]) {
    my ($name, $ids) = @$case;
    is_problem(public_subscribe({email => 'ids@example.net',
                                 componentIds => $ids}),
               422, "public POST, componentIds $name -> 422", ['componentIds']);
}

for my $email ('carol@example.net', 'CAROL@EXAMPLE.NET', 'alice@example.net',
               'Alice@Example.Net') {
    my $r = admin_create({type => 'email', email => $email});
    is_problem($r, 422, "admin POST of a known address ($email) -> 422",
               ['email']);
    like(($r->{json}{errors} || [{}])->[0]{message} // '',
         qr/already subscribed/, '  "is already subscribed"');
}

{
    my $r = admin_create({type => 'email', email => 'bad', componentIds => [99]});
    is_problem($r, 422, 'two bad fields: both are named',
               ['email', 'componentIds']);
}

# not JSON, not an object
is_problem(public_subscribe('email=alice@example.net',
                            content_type => 'application/x-www-form-urlencoded'),
           415, 'public POST with a form body -> 415');
is_problem(public_subscribe('{"email":'), 400, 'public POST, broken JSON -> 400');
is_problem(public_subscribe('["alice@example.net"]'), 400,
           'public POST, a JSON array -> 400');
is_problem(admin_create('{"email":'), 400, 'admin POST, broken JSON -> 400');

is(snapshot(), $before, 'none of the rejected requests changed anything');

# the address that is exactly as long as allowed passes
{
    my $r = admin_create({type => 'email', email => $ok_total});
    is_status($r, 201, 'an address of 254 characters -> 201');
    is($r->{json}{email}, $ok_total, '  stored whole');
    my $l = ('a' x 64) . '@example.com';
    $r = admin_create({type => 'email', email => $l});
    is_status($r, 201, 'a local part of 64 characters -> 201');
}

# a NUL character must not cut an address short into a valid one
{
    my $body = '{"type":"email","email":"nul@example.net\u0000\r\nBcc: x@y.com"}';
    my $r = admin_create($body);
    ok($r->{status} == 422 || ($r->{json}{email} // '') !~ /[\r\n]/,
       'an address with U+0000 and CR LF never stores CR or LF');
    # C strings end at U+0000: the API refuses it anywhere in a body
    is_problem($r, 400, 'an address with U+0000 in it -> 400');
    like($r->{json}{detail} // '', qr/U\+0000/, '  the detail names U+0000');
    $r = $t->api(POST => "$API/subscribers",
                 '{"email":"nul@example.net\u0000x"}', token => undef);
    is_problem($r, 400, 'the public form of it -> 400 as well');
    $r = $t->api(POST => "$API/incidents",
                 '{"title":"x\u0000y","status":"investigating",'
                 . '"impact":"minor","notify":false}', token => 'admin');
    is_problem($r, 400, 'an incident title with U+0000 -> 400');
    $r = $t->api(POST => "$API/incidents",
                 '{"title":"a \\\\u0000 b","status":"investigating",'
                 . '"impact":"minor","notify":false}', token => 'admin');
    is_status($r, 201, 'an escaped backslash before u0000 is text -> 201');
    is($r->{json}{title}, 'a \\u0000 b', '  and stored as written');
    $t->api(DELETE => "$API/incidents/$r->{json}{id}")
        if $r->{status} == 201;
}

settle('after the validation cases');

# --- authentication ---------------------------------------------------------------------

my $carol = $adm->{json}{id};
my @private = (
    [GET    => "$API/subscribers"],
    [GET    => "$API/subscribers?limit=1"],
    [HEAD   => "$API/subscribers"],
    [GET    => "$API/subscribers/$carol"],
    [HEAD   => "$API/subscribers/$carol"],
    [DELETE => "$API/subscribers/$carol"],
    [GET    => "$API/subscribers/$carol/deliveries"],
    [GET    => "$API/subscribers/999999"],
    [DELETE => "$API/subscribers/999999"],
    [GET    => "$API/dead-letters"],
    [POST   => "$API/dead-letters/1/retry"],
    [GET    => "$API/queue"],
);
my %bad_auth = (
    'no token'        => [token => undef],
    'a wrong token'   => [bearer => 'tok_' . ('0' x 48)],
    'Basic credentials' => [authorization => 'Basic YWRtaW46YWRtaW4='],
);

$before = snapshot();
for my $case (sort keys %bad_auth) {
    for my $p (@private) {
        my ($m, $path) = @$p;
        my $r = $t->api($m, $path, undef, @{ $bad_auth{$case} });
        if ($m eq 'HEAD') {
            is($r->{status}, 401, "$m $path with $case -> 401");
        } else {
            is_problem($r, 401, "$m $path with $case -> 401");
            unlike($r->{content}, qr/carol|alice|dave\@/,
                   '  the 401 tells no address');
        }
        like($r->{headers}{'www-authenticate'} // '', qr/^Bearer\b/,
             '  WWW-Authenticate: Bearer');
    }
}
# an Authorization header that is wrong is not the public's request
for my $case ('a wrong token', 'Basic credentials') {
    my $r = admin_create({type => 'email', email => 'mallory@example.net'},
                         @{ $bad_auth{$case} });
    is_problem($r, 401, "POST /subscribers with $case -> 401, not the "
                        . 'public 202');
    $r = admin_create({email => 'mallory@example.net'}, @{ $bad_auth{$case} });
    is_problem($r, 401, "POST /subscribers {email} with $case -> 401");
}
is(snapshot(), $before, 'the unauthorized requests changed nothing');

{
    my $r = $t->api(GET => "$API/subscribers", undef, token => 'ci');
    is_status($r, 200, 'the second token (ci) may list subscribers');
}

# --- list, pagination, get -------------------------------------------------------------

# a few more, to page through
my @more;
for my $i (1 .. 7) {
    my $r = admin_create({type => 'email', email => "page$i\@example.net",
                          componentIds => [1 + $i % 2]});
    is_status($r, 201, "admin POST page$i -> 201");
    push @more, $r->{json}{id};
}

my $everyone = all_subscribers(100);
my @ids = map { $_->{id} } grep { ref $_ eq 'HASH' } @$everyone;
my %uniq = map { $_ => 1 } @ids;
is(scalar keys %uniq, scalar @ids, 'the list has no subscriber twice');
ok(@ids >= 14, 'the list has every subscriber (' . scalar(@ids) . ')');
ok(!grep({ !$uniq{$_} } @more), 'the list has the new ones');

for my $limit (1, 2, 3, 5) {
    my $walk = all_subscribers($limit);
    is_deeply([ map { ref $_ ? $_->{id} : $_ } @$walk ], \@ids,
              "limit=$limit: walking the cursor gives the same list");
    my $first = aget("$API/subscribers?limit=$limit");
    is(scalar @{ $first->{json}{data} || [] }, $limit,
       "limit=$limit: the first page has $limit");
    ok(defined $first->{json}{nextCursor},
       "limit=$limit: and a nextCursor");
}
{
    my $l = aget("$API/subscribers?limit=100");
    ok(exists $l->{json}{nextCursor} && !defined $l->{json}{nextCursor},
       'the last page has nextCursor null');
    no_store_no_etag($l, 'the list is no-store without an ETag');
    # a validator from a public document never matches a private one
    my $pub = $t->api(GET => "$API/incidents");
    my $h = $t->api(GET => "$API/subscribers?limit=100", undef, token => 'admin',
                    headers => {'If-None-Match' => $pub->{headers}{etag}
                                                   // '"x"',
                                'If-Modified-Since' =>
                                    'Fri, 01 Jan 2100 00:00:00 GMT'});
    is_status($h, 200, 'conditional headers do not turn the list into a 304');
    is($h->{content}, $l->{content}, '  the whole list again');

    my $by_id = {map { $_->{id} => $_ } @{ $l->{json}{data} || [] }};
    my $id = $more[0];
    my $g = aget("$API/subscribers/$id");
    is_status($g, 200, "GET /subscribers/$id -> 200");
    is_deeply($g->{json}, $by_id->{$id}, '  the same document as in the list');
    no_store_no_etag($g, '  no-store without an ETag');
    is_problem(aget("$API/subscribers/999999"), 404,
               'GET /subscribers/999999 -> 404');
    is_problem(aget("$API/subscribers/999999/deliveries"), 404,
               'GET /subscribers/999999/deliveries -> 404');
}
for my $q ('limit=0', 'limit=101', 'limit=abc', 'limit=-1') {
    is_problem(aget("$API/subscribers?$q"), 400,
               "GET /subscribers?$q -> 400", ['limit']);
}
for my $q ('cursor=abc', 'cursor=0', 'cursor=-3') {
    is_problem(aget("$API/subscribers?$q"), 400,
               "GET /subscribers?$q -> 400", ['cursor']);
}

# --- deliveries, dead letters, retry, queue ----------------------------------------

# an incident on component 1: every email subscriber without components or
# with component 1, and the webhook (component 1), get a job; all fail
my $inc = $t->create_incident(title => 'Queue shapes', status => 'investigating',
                              impact => 'major', componentIds => [1],
                              message => 'Looking into it.');
my $upd = $inc->{updates}[0]{id};

settle('after the incident');

my $q = queue();
for my $k (qw(queued fanouts dead subscribers unconfirmed)) {
    like($q->{$k} // '', qr/^\d+\z/, "GET /queue: $k is a count");
}
is(scalar(keys %$q), 5, 'GET /queue has exactly those five members');
ok($q->{dead} > 0, 'the failed deliveries are dead letters now');
{
    my $r = aget("$API/queue");
    no_store_no_etag($r, 'GET /queue is no-store without an ETag');
}

my $dl = aget("$API/dead-letters?limit=100");
is_status($dl, 200, 'GET /dead-letters -> 200');
no_store_no_etag($dl, '  no-store without an ETag');
my @dead = @{ $dl->{json}{data} || [] };
is(scalar @dead, $q->{dead}, '  as many as /queue counts');

my ($hook_dead) = grep { ($_->{subscriberId} // 0) == $hook->{id}
                         && ($_->{kind} // '') eq 'deliver' } @dead;
ok($hook_dead, 'the webhook\'s delivery is a dead letter');
fields_are($hook_dead || {},
           {kind => 'deliver', type => 'incident.created',
            incidentId => $inc->{id}, updateId => $upd,
            subscriberId => $hook->{id}, attempt => 2,
            lastError => 'refused: the address is not public '
                         . '(incident_webhook_allow_private is off)'},
           '  its fields');
like($hook_dead->{id} // '', qr/^[1-9]\d*\z/, '  id (the job id)');
like($hook_dead->{deadAt} // '', $RFC3339_RE, '  deadAt is RFC 3339');
like($hook_dead->{createdAt} // '', $RFC3339_RE, '  createdAt is RFC 3339');
ok(!grep({ /^(?:due|v|secret|body)\z/ } keys %{ $hook_dead || {} }),
   '  no internal field shows');

my ($confirm_dead) = grep { ($_->{kind} // '') eq 'confirm' } @dead;
fields_are($confirm_dead || {}, {kind => 'confirm', attempt => 2,
                                 lastError => 'incident_smtp is not configured'},
           'an unsent confirmation mail is a dead letter too');

my @order = map { $_->{id} } @dead;
is_deeply(\@order, [ sort { $b <=> $a } @order ],
          'dead letters come newest first');

{
    my $d = aget("$API/subscribers/$hook->{id}/deliveries");
    is_status($d, 200, 'GET /subscribers/{webhook}/deliveries -> 200');
    no_store_no_etag($d, '  no-store without an ETag');
    my @h = @{ $d->{json}{data} || [] };
    is_deeply([ map { $_->{outcome} } @h ], ['dead', 'retrying'],
              '  newest first: dead, then retrying');
    is_deeply([ map { $_->{attempt} } @h ], [2, 1], '  attempts 2 then 1');
    fields_are($h[0] || {}, {jobId => $hook_dead->{id}, kind => 'deliver',
                             type => 'incident.created',
                             incidentId => $inc->{id}, updateId => $upd,
                             detail => $hook_dead->{lastError}},
               '  the entry\'s fields');
    like($h[0]{id} // '', qr/^[1-9]\d*\z/, '  id');
    like($h[0]{at} // '', $RFC3339_RE, '  at is RFC 3339');
    unlike($d->{content}, qr/\Q$hook_secret\E/, '  the secret does not show');

    my $p = aget("$API/subscribers/$hook->{id}/deliveries?limit=1");
    is(scalar @{ $p->{json}{data} || [] }, 1, '  limit=1: one entry');
    ok(defined $p->{json}{nextCursor}, '  and a nextCursor');
    my $p2 = aget("$API/subscribers/$hook->{id}/deliveries?limit=1&cursor="
                  . uri_escape($p->{json}{nextCursor} // ''));
    is_deeply([ map { $_->{id} } @{ $p->{json}{data} || [] },
                                 @{ $p2->{json}{data} || [] } ],
              [ map { $_->{id} } @h ], '  the two pages are the history');
}

# a subscriber of component 2 only got nothing for an incident on 1
{
    my ($p1) = grep { ($_->{email} // '') eq 'page1@example.net' } @$everyone;
    is_deeply($p1->{componentIds}, [2], '(page1 follows component 2)');
    my $d = aget("$API/subscribers/$p1->{id}/deliveries");
    is_deeply($d->{json}{data}, [], 'no delivery to a subscriber of another '
                                  . 'component');
}

# retry a dead letter: due again with its attempts reset
{
    my $before_dead = $q->{dead};
    my $r = $t->api(POST => "$API/dead-letters/$hook_dead->{id}/retry", undef);
    is_status($r, 202, 'POST /dead-letters/{id}/retry -> 202');
    fields_are($r->{json}, {status => 'queued'}, '  status "queued"');
    settle('after the retry');
    my $d = aget("$API/subscribers/$hook->{id}/deliveries");
    is_deeply([ map { "$_->{outcome}/$_->{attempt}" }
                @{ $d->{json}{data} || [] } ],
              ['dead/2', 'retrying/1', 'dead/2', 'retrying/1'],
              '  the job ran twice more, from attempt 1');
    is(queue()->{dead}, $before_dead, '  and is a dead letter again');
    is_problem($t->api(POST => "$API/dead-letters/999999/retry", undef), 404,
               'retry of an unknown dead letter -> 404');
}

# --- delete ------------------------------------------------------------------------------

{
    my $id = $hook->{id};
    my $before_q = queue();
    my $r = $t->api(DELETE => "$API/subscribers/$id");
    is_status($r, 204, "DELETE /subscribers/$id -> 204");
    is($r->{content}, '', '  no body');
    no_store_no_etag($r, '  no-store without an ETag (as every answer here)');
    is_problem(aget("$API/subscribers/$id"), 404, '  GET it -> 404');
    is_problem(aget("$API/subscribers/$id/deliveries"), 404,
               '  its deliveries -> 404');
    is_problem($t->api(DELETE => "$API/subscribers/$id"), 404,
               '  DELETE again -> 404');
    ok(!grep({ $_->{id} == $id } @{ all_subscribers() }),
       '  not in the list');
    is(queue()->{subscribers}, $before_q->{subscribers} - 1,
       '  /queue counts one confirmed subscriber less');
}
{
    my $r = $t->api(DELETE => "$API/subscribers/$carol");
    is_status($r, 204, 'DELETE carol -> 204');
    $r = admin_create({type => 'email', email => 'carol@example.net'});
    is_status($r, 201, 'the address can be added again after DELETE');
    isnt($r->{json}{id}, $carol, '  under a new id');
}
{
    my ($alice) = grep { ($_->{email} // '') eq 'alice@example.net' }
                  @{ all_subscribers() };
    my $before_q = queue();
    is_status($t->api(DELETE => "$API/subscribers/$alice->{id}"), 204,
              'DELETE of an unconfirmed subscriber -> 204');
    is(queue()->{unconfirmed}, $before_q->{unconfirmed} - 1,
       '  /queue counts one unconfirmed less');
}
is_problem($t->api(DELETE => "$API/subscribers/abc"), 404,
           'DELETE /subscribers/abc -> 404');
is_problem($t->api(PATCH => "$API/subscribers/$more[0]", {email => 'x@y.com'}),
           405, 'PATCH /subscribers/{id} -> 405');

# --- a deleted component leaves the subscribers' lists -------------------

{
    my $c1 = $t->create_component(name => 'Short-lived one')->{id};
    my $c2 = $t->create_component(name => 'Short-lived two')->{id};
    my $two = admin_create({type => 'email', email => 'two@example.org',
                            componentIds => [$c1, $c2]});
    my $one = admin_create({type => 'email', email => 'one@example.org',
                            componentIds => [$c1]});
    is_status($two, 201, 'a subscriber to two components');
    is_status($one, 201, 'a subscriber to one of them');

    is_status($t->api(DELETE => "$API/components/$c1"), 204,
              'the component both name is deleted');
    my $g = aget("$API/subscribers/$two->{json}{id}");
    is_deeply($g->{json}{componentIds}, [$c2], '  it leaves the list');
    is_false($g->{json}{disabled}, '  that subscriber stays enabled');
    $g = aget("$API/subscribers/$one->{json}{id}");
    is_deeply($g->{json}{componentIds}, [],
              '  the other one names no component now');
    is_true($g->{json}{disabled},
            '  and is disabled rather than sent every incident');
    is($g->{json}{disabledReason}, 'its components were deleted',
       '  with the reason');
}

$t->stop;
done_testing;
