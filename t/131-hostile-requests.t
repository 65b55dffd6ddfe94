# Hostile requests get a clean 4xx: never a 5xx, never a crash.  Path
# traversal and encoded slashes, overlong and overflowing ids, huge or
# negative pagination, 10,000 componentIds, JSON nested 10,000 deep,
# invalid UTF-8 and NUL bytes in bodies and queries, duplicate JSON keys
# (one rule everywhere), huge headers, a Content-Length that lies,
# chunked bodies, odd methods (TRACE, PROPFIND, ...), HEAD on every page,
# and the same on the admin UI's forms and the public subscribe forms.
# At the end: the same worker pids as at the start, no "exited on
# signal" or alert in error.log, and no 5xx in the access log.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time sleep);
use IncidentTest qw(:DEFAULT :page);
use SmtpSink;

my $sink = SmtpSink->new->start;
my $t = IncidentTest->new(
    workers     => 2,
    status_page => '/',
    http_extra  => 'incident_smtp ' . $sink->url . ";\n"
                 . "    incident_notify_retries 2 base=1s max=1s;",
)->with_admin(users => { alice => 'alice-pw' })->start;

my @PIDS = sort { $a <=> $b } $t->worker_pids;
is(scalar @PIDS, 2, 'two workers at the start');

my $TOKEN = $t->token('admin');
my $BASIC = 'Basic ' . MIME::Base64::encode_base64('alice:alice-pw', '');

# --- raw HTTP ---------------------------------------------------------------------

# raw(BYTES, %o): send BYTES as they are on a fresh connection (then
# half-close unless keep_open) and read the answer until EOF or the
# timeout. Returns {status (0: none), head, body, raw}.
sub raw {
    my ($bytes, %o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->port,
                                  Proto => 'tcp', Timeout => 5)
        or return {status => 0, raw => "connect: $!"};
    binmode $s;
    $s->autoflush(1);
    local $SIG{PIPE} = 'IGNORE';
    my $off = 0;
    while ($off < length $bytes) {
        my $n = syswrite($s, $bytes, 65536, $off);
        last unless defined $n;        # nginx may answer and close early
        $off += $n;
    }
    shutdown($s, 1) unless $o{keep_open};
    my $sel = IO::Select->new($s);
    my $buf = '';
    my $deadline = time + ($o{timeout} // 10);
    while (time < $deadline) {
        last unless $sel->can_read($deadline - time);
        my $n = sysread($s, $buf, 65536, length $buf);
        last unless $n;
    }
    close $s;
    my ($status) = $buf =~ m{^HTTP/1\.[01] (\d{3})};
    my ($head, $body) = split /\r\n\r\n/, $buf, 2;
    return {status => $status // 0, head => $head // '', body => $body // '', raw => $buf};
}

sub req_bytes {
    my ($method, $target, %o) = @_;
    my @h = ("Host: 127.0.0.1:" . $t->port, 'Connection: close');
    push @h, "Authorization: Bearer $TOKEN" if $o{token};
    push @h, "Authorization: $BASIC" if $o{basic};
    push @h, @{ $o{headers} || [] };
    my $body = $o{body};
    if (defined $body && !$o{no_length}) {
        push @h, 'Content-Length: ' . length $body;
    }
    push @h, "Content-Type: $o{type}" if defined $o{type};
    return "$method $target HTTP/1.1\r\n" . join('', map { "$_\r\n" } @h) . "\r\n"
           . ($body // '');
}

my %SEEN;       # every status seen, for the summary
sub clean_4xx {
    my ($r, $name, %o) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    $SEEN{$r->{status}}++;
    my $ok = $o{allow_ok} ? ($r->{status} >= 200 && $r->{status} < 500)
                          : ($r->{status} >= 400 && $r->{status} < 500);
    $ok &&= $r->{status} == $o{want} if $o{want};
    ok($ok, "$name -> $r->{status}" . ($o{want} ? " (want $o{want})" : ''))
        or diag(substr($r->{raw} // $r->{content} // '', 0, 600));
    return $ok;
}

# --- data -----------------------------------------------------------------------

my $c1 = $t->create_component(name => 'API');
my $c2 = $t->create_component(name => 'Web');
my $inc = $t->create_incident(title => 'Seeded', componentIds => [1], message => 'first');
my $m = $t->api(POST => '/api/v1/maintenances',
                {title => 'Window', scheduledFor => epoch_to_rfc3339(time + 86400),
                 scheduledUntil => epoch_to_rfc3339(time + 90000)});
is_status($m, 201, 'a maintenance');
my $hook = $t->api(POST => '/api/v1/subscribers', {type => 'email', email => 'w@example.org'});
is_status($hook, 201, 'a subscriber');
my $csrf = $t->admin_csrf($t->admin_page('incidents/new', 'an admin form'));

# --- paths: traversal, encoded slashes, overlong and overflowing ids -------------------

my @paths = (
    '/api/v1/incidents/..%2f..%2fetc', '/api/v1/incidents/..%2F..%2F..%2Fetc%2Fpasswd',
    '/api/v1/incidents/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/api/v1/../../../etc/passwd',
    '/api/v1/incidents/1%2f..%2f..%2f', '/api/v1/incidents/%252e%252e%252f',
    '/api/v1/incidents/1/updates/..%2f1', '/api/v1/incidents/1%00', '/api/v1/incidents/%00',
    '/api/v1/incidents/1%00/updates', '/api/v1/%00', '/api/v1/incidents/1;/etc/passwd',
    '/api/v1/incidents/1%5c..%5c..%5c', '/api/v1/incidents/%c0%ae%c0%ae/',
    '/api/v1/incidents/00000000000000000000000000001', '/api/v1/incidents/99999999999999999999',
    '/api/v1/incidents/18446744073709551616', '/api/v1/incidents/18446744073709551615',
    '/api/v1/incidents/9223372036854775808', '/api/v1/incidents/9223372036854775807',
    '/api/v1/incidents/-1', '/api/v1/incidents/+1', '/api/v1/incidents/0x10',
    '/api/v1/incidents/1e3', '/api/v1/incidents/1.0', '/api/v1/incidents/%201',
    '/api/v1/incidents/1/updates/99999999999999999999999', '/api/v1/incidents/1/updates/-1',
    '/api/v1/incidents/1/updates/1/x/y/z', '/api/v1/components/' . ('9' x 300),
    '/api/v1/maintenances/..%2f1', '/api/v1/subscribers/1%2f..%2f..',
    '/api/v1/dead-letters/99999999999999999999/retry', '/api/v1/' . ('a/' x 200),
    '/api/v2/..%2f..%2fetc/passwd', '/api/v2/incidents/%2e%2e.json', '/api/v2/' . ('x' x 3000),
    '/api/v2/summary.json%00', '/api/v2/components/99999999999999999999.json',
    '/incidents/%2e%2e/', '/incidents/..%2f..%2f..%2fetc%2fpasswd', '/incidents/%252e%252e%252f',
    '/incidents/99999999999999999', '/incidents/9999999999999999', '/incidents/0',
    '/incidents/-1', '/incidents/1%00', '/incidents/1/../../../etc/passwd',
    '/maintenances/%2e%2e', '/maintenances/18446744073709551616',
    '/components/99999999999999999999/badge.svg', '/components/0/badge.svg',
    '/components/-1/badge.svg', '/components/1%2f..%2f..%2fbadge.svg',
    '/components/1/../../../badge.svg/../..', '/history?cursor=-1',
    '/history?cursor=99999999999999999999', '/history?cursor=%00', '/history?cursor=0x10',
    '/feed.atom%00', '/feed.atom/..%2f..%2f', '/' . ('x' x 5000),
    '/subscribe/confirm?token=' . ('x' x 5000), '/subscribe/confirm?token=%00',
    '/subscribe/confirm?token=99999999999999999999.abc', '/unsubscribe?token=-1.abc',
    '/unsubscribe?token=%FF%FE', '/badge.svg?label=%FF', '/badge.svg?label=' . ('x' x 5000),
    '/badge.svg?style=%00', '/badge.svg?label=%0d%0aSet-Cookie:%20x=1',
);
# nginx resolves "." and ".." segments (also %2e and %2f) before the module
# sees the path: one that stays inside the site may land on a real page
# (/incidents/%2e%2e/ is /), never outside it
my %INSIDE = map { $_ => 1 } ('/incidents/%2e%2e/', '/maintenances/%2e%2e',
                              '/components/1%2f..%2f..%2fbadge.svg');
for my $p (@paths) {
    for my $m (qw(GET HEAD)) {
        my $r = raw(req_bytes($m, $p));
        clean_4xx($r, "$m " . (length $p > 80 ? substr($p, 0, 80) . '...' : $p),
                  allow_ok => $INSIDE{$p});
        unlike($r->{body}, qr/root:.*:0:0:/, '  no file from outside') if $INSIDE{$p};
        unlike($r->{head}, qr/^Set-Cookie:/mi, '  no injected header') if $p =~ /Set-Cookie/;
    }
}
# the admin's routes: same, with credentials
for my $p ('/admin/incidents/..%2f..%2fsettings', '/admin/incidents/%2e%2e/',
           '/admin/incidents/99999999999999999999', '/admin/incidents/1/updates/99999999999999999999/edit',
           '/admin/incidents/1%00', '/admin/components/-1', '/admin/' . ('a/' x 20),
           '/admin/maintenance/18446744073709551616', '/admin/subscribers/0/delete',
           '/admin/dead-letters/1/retry/x', '/admin/incidents?cursor=-5',
           '/admin/incidents?cursor=99999999999999999999', '/admin/incidents?state=%00',
           '/admin/incidents?done=%FF%FE', '/admin/dead-letters?cursor=%FF') {
    my $r = raw(req_bytes('GET', $p, basic => 1));
    clean_4xx($r, "admin GET $p", allow_ok => ($p =~ /\?|%2e%2e\/\z/));
    ok($r->{status} != 200 || $r->{body} !~ /\x00/, '  no NUL in the page') if $r->{status} == 200;
}

# --- pagination -------------------------------------------------------------------

for my $list ('/api/v1/incidents', '/api/v1/components', '/api/v1/maintenances',
              '/api/v1/audit', '/api/v1/subscribers', '/api/v1/dead-letters',
              '/api/v1/subscribers/1/deliveries') {
    for my $q ('limit=-1', 'limit=1e99', 'limit=99999999999999999999', 'limit=0x10',
               'limit=%00', 'limit=1%00', 'limit=%FF', 'limit= 5', 'limit=5abc',
               'limit=-9223372036854775808', 'cursor=99999999999999999999', 'cursor=-5',
               'cursor=0', 'cursor=%FF%FE', 'cursor=%00', 'cursor=' . ('A' x 4000),
               'cursor=-1&limit=-1', 'state=%00', 'state=' . ('x' x 3000)) {
        next if $q =~ /^state/ && $list !~ m{/(?:incidents|maintenances)\z};
        my $r = raw(req_bytes('GET', "$list?$q", token => 1));
        clean_4xx($r, "GET $list?" . substr($q, 0, 40), want => 400);
    }
}
for my $q ('limit=-1', 'limit=99999999999999999999', 'page=-1', 'per_page=99999999999999999999') {
    my $r = raw(req_bytes('GET', "/api/v2/incidents.json?$q"));
    clean_4xx($r, "GET /api/v2/incidents.json?$q", allow_ok => 1);
}

# --- bodies ----------------------------------------------------------------------------

sub post_json {
    my ($path, $body, %o) = @_;
    return raw(req_bytes($o{method} // 'POST', $path, token => 1, body => $body,
                         type => $o{type} // 'application/json'));
}
my $INC = '"title":"x","status":"investigating","impact":"minor"';
{
    my $ids = join ',', 1 .. 10000;
    clean_4xx(post_json('/api/v1/incidents', "{$INC,\"componentIds\":[$ids]}"),
              '10,000 componentIds (mostly unknown)', want => 422);
    clean_4xx(post_json('/api/v1/incidents/1', "{\"componentIds\":[$ids]}", method => 'PATCH'),
              'PATCH with 10,000 componentIds', want => 422);
    clean_4xx(post_json('/api/v1/maintenances', '{"title":"x","scheduledFor":"'
                        . epoch_to_rfc3339(time + 3600) . '","scheduledUntil":"'
                        . epoch_to_rfc3339(time + 7200) . "\",\"componentIds\":[$ids]}"),
              'a maintenance with 10,000 componentIds', want => 422);
    my $same = join ',', ('1') x 10000;
    my $r = post_json('/api/v1/incidents', "{$INC,\"componentIds\":[$same],\"notify\":false}");
    clean_4xx($r, '10,000 copies of one componentId', allow_ok => 1);
    clean_4xx(raw(req_bytes('POST', '/api/v1/subscribers', type => 'application/json',
                            body => "{\"email\":\"x\@example.org\",\"componentIds\":[$ids]}")),
              'public subscribe with 10,000 componentIds', want => 422);

    for my $deep (['[' x 10000 . ']' x 10000, 'arrays'],
                  ['{"a":' x 10000 . '1' . '}' x 10000, 'objects'],
                  ["{$INC,\"componentIds\":" . '[' x 10000 . ']' x 10000 . '}', 'in componentIds'],
                  ['[' x 100000, 'unclosed, 100,000 deep']) {
        clean_4xx(post_json('/api/v1/incidents', $deep->[0]), "JSON nested 10,000 deep ($deep->[1])",
                  ($deep->[1] =~ /^(?:arrays|objects)\z/ ? (want => 400) : ()));
        clean_4xx(post_json('/api/v1/settings', $deep->[0], method => 'PATCH'),
                  "PATCH settings nested deep ($deep->[1])");
    }

    # invalid UTF-8, NUL
    my %bad = (
        'invalid UTF-8 in a key'       => qq({"ti\xfftle":"x","status":"investigating","impact":"minor"}),
        'a lone continuation byte'     => qq({"title":"\x80","status":"investigating","impact":"minor"}),
        'a 4-byte sequence too high'   => qq({"title":"\xf4\x90\x80\x80","status":"investigating","impact":"minor"}),
        'a truncated sequence at the end' => qq({"title":"x","status":"investigating","impact":"minor"}\xe2\x82),
        'Latin-1 bytes'                => qq({"title":"caf\xe9","status":"investigating","impact":"minor"}),
        'a raw NUL in a string'        => qq({"title":"a\x00b","status":"investigating","impact":"minor"}),
        'a raw NUL after the document' => qq({$INC}\x00),
        'a raw NUL before the document' => qq(\x00{$INC}),
        '\u0000 in a key'              => qq({"ti\\u0000tle":"x",$INC}),
        '\u0000 in componentIds'       => qq({$INC,"componentIds":["\\u0000"]}),
        'a lone surrogate escape'      => qq({"title":"\\ud800","status":"investigating","impact":"minor"}),
        'a reversed surrogate pair'    => qq({"title":"\\udc00\\ud800","status":"investigating","impact":"minor"}),
        'a BOM then JSON'              => qq(\xef\xbb\xbf{$INC}),
        'UTF-16 JSON'                  => join("\x00", split //, "{$INC}") . "\x00",
        'numbers out of range'         => qq({$INC,"componentIds":[1e999,-1e999,18446744073709551617]}),
        'NaN and Infinity'             => qq({$INC,"componentIds":[NaN,Infinity]}),
        'a huge exponent startedAt'    => qq({$INC,"startedAt":1e999}),
        'a 60k-digit number'           => qq({$INC,"componentIds":[) . ('9' x 60000) . ']}',
    );
    for my $case (sort keys %bad) {
        my $r = post_json('/api/v1/incidents', $bad{$case});
        # RFC 8259 lets a parser skip a byte order mark
        clean_4xx($r, "POST /api/v1/incidents: $case", allow_ok => $case =~ /BOM/);
        like($r->{head}, qr{^Content-Type: application/problem\+json}mi, '  a problem document')
            if $r->{status} >= 400 && $r->{status} < 500 && $r->{status} != 413;
    }
    # a raw NUL is not JSON (RFC 8259 7): it must not cut "a\0b" to "a"
    my $l = $t->api(GET => '/api/v1/incidents?state=all&limit=100');
    ok(!grep({ $_->{title} eq 'a' } @{ $l->{json}{data} || [] }),
       'no title was cut short at a raw NUL (no incident titled "a")');
    for my $case ('invalid UTF-8 in a key', 'a raw NUL in a string', '\u0000 in a key',
                  'a lone surrogate escape') {
        (my $b = $bad{$case}) =~ s/"status":"investigating","impact":"minor"/"name":"n"/;
        clean_4xx(post_json('/api/v1/components', $b), "POST /api/v1/components: $case");
        clean_4xx(post_json('/api/v1/settings', $b, method => 'PATCH'), "PATCH /api/v1/settings: $case");
        clean_4xx(raw(req_bytes('POST', '/api/v1/subscribers', type => 'application/json',
                                body => $b =~ s/"name":"n"/"email":"a\@example.org"/r)),
                  "public POST /api/v1/subscribers: $case");
    }
    # invalid UTF-8 and NUL in a query
    for my $q ('/api/v1/incidents?state=%FF', '/api/v1/incidents?state=active%00',
               "/api/v1/incidents?state=\xff", '/api/v1/incidents?%00=1', '/api/v1/status?%FF%FE=%C0%AF') {
        # unknown parameters are ignored, whatever their names
        clean_4xx(raw(req_bytes('GET', $q)), "GET $q", allow_ok => ($q =~ m{/status\?|\?%00=}));
    }
}

# duplicate keys: one rule for every write (read from what the API does
# with the incident title, then held to it elsewhere)
{
    my $r = post_json('/api/v1/incidents',
                      '{"title":"First","title":"Second","status":"investigating",'
                      . '"impact":"minor","impact":"bogus","notify":false}');
    clean_4xx($r, 'POST an incident with duplicate keys', allow_ok => 1);
    my $rule;
    if ($r->{status} == 201) {
        my ($j) = $r->{body} =~ /("title":"[^"]*")/;
        $rule = ($j // '') =~ /First/ ? 'first' : 'last';
        # impact "minor" then "bogus": the first wins, or the last is a 422
        fail('duplicate keys: the last value would have been "bogus" (422), not 201')
            if $rule eq 'last';
    } else {
        $rule = $r->{status} == 422 ? 'last' : 'refused';
    }
    diag("duplicate keys: rule '$rule'");
    my $p = post_json('/api/v1/incidents',
                      '{"title":"First","title":"Second","status":"investigating",'
                      . '"impact":"minor","notify":false}');
    clean_4xx($p, 'POST an incident with a duplicate title', allow_ok => 1);
    my %want = (first => 'First', last => 'Second');
    if ($p->{status} == 201) {
        my $id = ($p->{body} =~ /"id":(\d+)/)[0];
        my $title = $t->get_json("/api/v1/incidents/$id")->{title};
        is($title, $want{$rule} // 'refused', "duplicate title: the $rule wins");
        my $q = post_json("/api/v1/incidents/$id", '{"title":"One","title":"Two"}', method => 'PATCH');
        clean_4xx($q, 'PATCH with a duplicate title', allow_ok => 1);
        is($t->get_json("/api/v1/incidents/$id")->{title},
           {first => 'One', last => 'Two'}->{$rule}, "PATCH: the $rule wins too");
    } else {
        is($rule, 'refused', "duplicates are refused ($p->{status}), consistently");
    }
    my $c = post_json('/api/v1/components', '{"name":"Alpha","name":"Beta"}');
    clean_4xx($c, 'POST a component with a duplicate name', allow_ok => 1);
    if ($c->{status} == 201) {
        my $want = { first => 'Alpha', last => 'Beta' }->{$rule} // '';
        like($c->{body}, qr/"name":"\Q$want\E"/, "component: the $rule wins");
    }
    my $s = post_json('/api/v1/settings', '{"pageTitle":"P1","pageTitle":"P2"}', method => 'PATCH');
    clean_4xx($s, 'PATCH settings with a duplicate pageTitle', allow_ok => 1);
    is($t->get_json('/api/v1/settings')->{pageTitle}, {first => 'P1', last => 'P2'}->{$rule},
       "settings: the $rule wins") if $s->{status} == 200;
    my $u = post_json('/api/v1/incidents/1/updates',
                      '{"status":"identified","status":"resolved","message":"dup","notify":false}');
    clean_4xx($u, 'POST an update with a duplicate status', allow_ok => 1);
    is((($u->{body} =~ /"status":"(\w+)"/)[0]) // '', {first => 'identified', last => 'resolved'}->{$rule},
       "update: the $rule wins") if $u->{status} == 201;
}

# --- headers, lengths, chunks -------------------------------------------------------

{
    clean_4xx(raw(req_bytes('GET', '/api/v1/status', headers => ['X-Big: ' . ('a' x 20000)])),
              'a 20 kB header');
    clean_4xx(raw(req_bytes('GET', '/', headers => [map { "X-H$_: " . ('b' x 100) } 1 .. 2000])),
              '2,000 headers');
    clean_4xx(raw(req_bytes('GET', '/api/v1/status', headers => ['Authorization: Bearer ' . ('t' x 20000)])),
              'a 20 kB bearer token');
    clean_4xx(raw(req_bytes('POST', '/api/v1/incidents', headers => ['Authorization: Bearer ' . ('t' x 7000)],
                            body => "{$INC}", type => 'application/json')),
              'a 7 kB wrong bearer token on a write', want => 401);
    clean_4xx(raw(req_bytes('GET', '/admin/', headers => ['Authorization: Basic ' . ('Q' x 7000)])),
              'a 7 kB Basic header on the admin', want => 401);
    clean_4xx(raw(req_bytes('GET', '/api/v1/status', headers => ["X-Bad: a\x00b"])),
              'a NUL in a header value');
    clean_4xx(raw(req_bytes('GET', '/api/v1/status', headers => ["Host: second.example"])),
              'two Host headers');
    clean_4xx(raw(req_bytes('POST', '/api/v1/incidents', token => 1, type => "application/json\x00",
                            body => "{$INC}")),
              'a NUL in Content-Type');
    clean_4xx(raw(req_bytes('POST', '/api/v1/incidents', token => 1, type => 'application/json' . (' ' x 3000),
                            body => "{$INC,\"notify\":false}")),
              'a Content-Type padded with 3,000 spaces', allow_ok => 1);
    clean_4xx(raw(req_bytes('POST', '/api/v1/incidents', token => 1, type => ';;;;',
                            body => "{$INC}")),
              'a Content-Type of semicolons', want => 415);

    # Content-Length that lies
    my $body = "{$INC,\"notify\":false}";
    for my $case (['longer than the body (then EOF)', length($body) + 100],
                  ['negative', -1], ['not a number', 'abc'],
                  ['huge', '99999999999999999999'], ['2^63', '9223372036854775808']) {
        my ($what, $len) = @$case;
        my $bytes = req_bytes('POST', '/api/v1/incidents', token => 1, type => 'application/json',
                              body => $body, no_length => 1);
        $bytes =~ s/\r\n\r\n/\r\nContent-Length: $len\r\n\r\n/;
        my $r = raw($bytes);
        ok($r->{status} == 0 || ($r->{status} >= 400 && $r->{status} < 500),
           "Content-Length $what -> " . ($r->{status} || 'closed without an answer'))
            or diag($r->{raw});
        $SEEN{$r->{status}}++;
    }
    {
        # shorter than the body: the rest is a second (broken) request
        my $bytes = req_bytes('POST', '/api/v1/incidents', token => 1, type => 'application/json',
                              body => $body . 'GARBAGE / HTTP/1.1', no_length => 1);
        $bytes =~ s/Connection: close\r\n//;
        $bytes =~ s/\r\n\r\n/\r\nContent-Length: 5\r\n\r\n/;
        my $r = raw($bytes);
        clean_4xx($r, 'Content-Length shorter than the body', want => 400);
        my @codes = $r->{raw} =~ m{^HTTP/1\.1 (\d{3})}mg;
        ok(!grep({ $_ >= 500 } @codes), "  every answer on the connection is < 500 (@codes)");
    }
    for my $two (['Content-Length: 5', 'Content-Length: 6'],
                 ['Content-Length: ' . length($body), 'Transfer-Encoding: chunked']) {
        my $bytes = req_bytes('POST', '/api/v1/incidents', token => 1, type => 'application/json',
                              body => $body, no_length => 1, headers => $two);
        clean_4xx(raw($bytes), "both '$two->[0]' and '$two->[1]'");
    }

    # chunked bodies
    my $chunked = sub {
        my (@chunks) = @_;
        my $b = join '', map { sprintf("%x\r\n%s\r\n", length $_, $_) } @chunks;
        return req_bytes('POST', '/api/v1/incidents', token => 1, type => 'application/json',
                         body => $b . "0\r\n\r\n", no_length => 1,
                         headers => ['Transfer-Encoding: chunked']);
    };
    my $r = raw($chunked->(split /(?<=,)/, "{$INC,\"notify\":false}"));
    is($r->{status}, 201, 'a valid chunked body is read whole -> 201') or diag($r->{raw});
    $r = raw($chunked->(map { 'x' x 8192 } 1 .. 20));
    clean_4xx($r, 'a chunked body over 64k', want => 413);
    for my $case (["zz\r\nabc\r\n0\r\n\r\n", 'a chunk size that is not hex'],
                  ["-5\r\nabc\r\n0\r\n\r\n", 'a negative chunk size'],
                  ["ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n", 'an overflowing chunk size'],
                  ["5\r\n{\"a\":1}\r\n0\r\n\r\n", 'a chunk longer than its size'],
                  ["3\r\n{}", 'a chunked body cut short (EOF)']) {
        my ($b, $what) = @$case;
        my $bytes = req_bytes('POST', '/api/v1/incidents', token => 1, type => 'application/json',
                              body => $b, no_length => 1, headers => ['Transfer-Encoding: chunked']);
        my $x = raw($bytes);
        ok($x->{status} == 0 || ($x->{status} >= 400 && $x->{status} < 500),
           "$what -> " . ($x->{status} || 'closed')) or diag($x->{raw});
        $SEEN{$x->{status}}++;
    }
    # nginx itself answers an unknown transfer coding with 501 (RFC 9112
    # 6.1), before any module runs: the one 5xx allowed here
    my $te = raw(req_bytes('POST', '/api/v1/incidents', token => 1, type => 'application/json',
                           body => "{$INC}", headers => ['Transfer-Encoding: gzip, chunked'],
                           no_length => 1));
    ok($te->{status} == 501 || ($te->{status} >= 400 && $te->{status} < 500),
       "Transfer-Encoding: gzip, chunked -> $te->{status} (nginx's 501 or a 4xx)");
    $SEEN{$te->{status}}++;
}

# --- methods and HEAD everywhere -----------------------------------------------------

my @GETS = ('/', '/history', "/incidents/$inc->{id}", "/maintenances/$m->{json}{id}",
            '/feed.atom', '/feed.rss', '/maintenance.ics', '/live', '/badge.svg',
            "/components/$c1->{id}/badge.svg", '/subscribe', '/subscribe/confirm?token=1.x',
            '/unsubscribe?token=1.x', '/incidents/99999', '/nope', '/api/v1/status',
            '/api/v1/incidents', "/api/v1/incidents/$inc->{id}", '/api/v1/incidents/1/updates',
            '/api/v1/components', '/api/v1/settings', '/api/v1/maintenances', '/api/v1/nope',
            '/api/v1/audit', '/api/v1/subscribers', '/api/v2/summary.json',
            '/api/v2/status.json', '/api/v2/components.json', '/api/v2/incidents.json',
            '/api/v2/incidents/unresolved.json', '/api/v2/scheduled-maintenances.json',
            '/api/v2/scheduled-maintenances/upcoming.json', '/api/v2/nope.json',
            '/admin/', '/admin/incidents', '/admin/incidents/1', '/admin/components',
            '/admin/settings', '/admin/subscribers', '/admin/maintenance', '/admin/dead-letters',
            '/admin/admin.css', '/admin/admin.js', '/admin/nope');
for my $p (@GETS) {
    my %o = (basic => scalar($p =~ m{^/admin/}));
    my $g = raw(req_bytes('GET', $p, %o));
    my $h = raw(req_bytes('HEAD', $p, %o));
    ok($g->{status} && $g->{status} < 500, "GET $p -> $g->{status}");
    is($h->{status}, $g->{status}, "HEAD $p -> the same status as GET");
    is($h->{body}, '', "HEAD $p has no body");
    my ($gl) = $g->{head} =~ /^Content-Length: (\d+)/mi;
    my ($hl) = $h->{head} =~ /^Content-Length: (\d+)/mi;
    is($hl, $gl, "HEAD $p: the same Content-Length") if defined $gl && $g->{status} == 200
                                                        && $p !~ m{^/admin/|/live|/api/};
    $SEEN{$_->{status}}++ for $g, $h;
}
for my $method (qw(TRACE PROPFIND PROPPATCH MKCOL COPY MOVE LOCK UNLOCK OPTIONS PUT PATCH DELETE
                   CONNECT FOO)) {
    for my $p ('/', '/incidents/1', '/feed.atom', '/subscribe', '/api/v1/status', '/api/v1/incidents',
               '/api/v1/incidents/1', '/api/v2/summary.json', '/admin/', '/admin/incidents',
               '/admin/incidents/1/delete') {
        next if $method =~ /^(?:PATCH|DELETE|PUT)\z/ && $p =~ m{^/api/v1/incidents};
        my $target = $method eq 'CONNECT' ? '127.0.0.1:1' : $p;
        my $r = raw(req_bytes($method, $target, basic => scalar($p =~ m{^/admin/}),
                              $method =~ /^(?:PROPFIND|PROPPATCH|LOCK|PUT|PATCH)\z/
                                  ? (body => '<?xml version="1.0"?><a/>', type => 'text/xml') : ()));
        # /api/v2 answers CORS preflights, as Statuspage does
        clean_4xx($r, "$method $target", allow_ok => $method eq 'OPTIONS' && $p =~ m{^/api/v2/});
        last if $method eq 'CONNECT';
    }
}

# --- the admin's forms with hostile encodings --------------------------------------------

{
    my $before = $t->state_snapshot;
    my $form = sub {
        my ($path, $body, %o) = @_;
        return raw(req_bytes('POST', "/admin/$path", basic => 1, body => $body,
                             type => $o{type} // 'application/x-www-form-urlencoded',
                             headers => ['Origin: ' . $t->origin, 'Sec-Fetch-Site: same-origin']));
    };
    my $C = "csrf=$csrf";
    my @cases = (
        ['incidents', "$C&title=a%00b&status=investigating&impact=minor", '%00 in a value'],
        ['incidents', "$C&title=a\x00b&status=investigating&impact=minor", 'a raw NUL'],
        ['incidents', "$C&ti%00tle=x&status=investigating&impact=minor", '%00 in a name'],
        ['incidents', "$C&title=%C0%AF&status=investigating&impact=minor", 'overlong UTF-8'],
        ['incidents', "$C&title=%ED%A0%80&status=investigating&impact=minor", 'a UTF-8 surrogate'],
        ['incidents', "$C&title=\xff\xfe&status=investigating&impact=minor", 'raw invalid UTF-8'],
        ['incidents', "$C&title=x&status=investigating&impact=minor&" . join('&', map { "componentIds=$_" } 1 .. 10000),
         '10,000 componentIds'],
        ['incidents', "$C&title=x&status=investigating&impact=minor&componentIds=99999999999999999999",
         'an overflowing componentId'],
        ['incidents', "$C&title=x&status=investigating&impact=minor&componentIds=-1", 'a negative componentId'],
        ['incidents', "$C&title=x&status=investigating&impact=minor&startedAt=%FF", 'a bad startedAt'],
        ['incidents', "$C&" . ('&' x 30000), '30,000 empty fields'],
        ['incidents', "$C&" . join('&', map { "f$_=" } 1 .. 6000), '6,000 unknown fields'],
        ['incidents', "$C&title&status&impact", 'fields without ='],
        ['incidents', "$C&=x&==&=", 'empty names'],
        ['incidents', "$C&title=" . ('%41' x 20000), '20,000 escapes (60 kB)'],
        ['incidents', "$C&title=x", 'multipart (not urlencoded)', type => 'multipart/form-data; boundary=x'],
        ['incidents', "{\"csrf\":\"$csrf\",\"title\":\"x\"}", 'JSON (not a form)', type => 'application/json'],
        ['incidents/1/updates', "$C&status=%00&message=x", '%00 as the status'],
        ['incidents/1/updates/99999999999999999999', "$C&message=x", 'an overflowing update id'],
        ['components', "$C&name=" . ('n' x 70000), 'a 70 kB name (over the limit)'],
        ['components/1/move', "$C&direction=%FF", 'a bad direction'],
        ['settings', "$C&pageTitle=%FF&incidentPosition=top", 'invalid UTF-8 in settings'],
        ['settings', "$C&footerLinks=" . ('x | https://e.example/%0A' x 500), '500 footer links'],
        ['settings', "$C&timezone=..%2F..%2F..%2Fetc%2Fpasswd", 'a path as the time zone'],
        ['settings', "$C&timezone=%2Fetc%2Fpasswd", 'an absolute path as the time zone'],
        ['settings', "$C&timezone=Europe%2F..%2F..%2F..%2Fetc%2Fpasswd", 'a traversing time zone'],
        ['maintenance', "$C&title=x&scheduledFor=%FF&scheduledUntil=99999999999999999999", 'bad window'],
        ['maintenance/1', "$C&title=x&scheduledFor=9999-99-99T99:99&timezone=..%2F..%2Fetc", 'bad times'],
        ['subscribers', "$C&type=webhook&url=javascript:alert(1)", 'a javascript: webhook'],
        ['subscribers', "$C&type=%00&email=a\@example.org", '%00 as the type'],
        ['subscribers', "$C&type=email&email=a%0d%0aBcc:x\@example.org", 'CR LF in an address'],
        ['dead-letters/99999999999999999999/retry', $C, 'an overflowing dead letter id'],
    );
    for my $c (@cases) {
        my ($path, $body, $what, %o) = @$c;
        my $r = $form->($path, $body, %o);
        clean_4xx($r, "admin POST $path: $what");
    }
    # the settings time zone never reads a file outside tzdata
    my $s = $t->get_json('/api/v1/settings');
    unlike($s->{timezone} // '', qr/\.\.|^\//, 'no path was stored as the time zone');
    is($t->state_snapshot, $before, 'none of the hostile forms changed anything');
    # what a lenient form decoder may take as text (like browsers' own
    # URLSearchParams): never a 5xx, never a NUL or invalid UTF-8 stored
    for my $c (["$C&title=%ZZ&status=investigating&impact=minor&notify=", 'a bad percent escape'],
               ["$C&title=%&status=investigating&impact=minor&notify=", 'a lone %'],
               ["$C&title=%2&status=investigating&impact=minor&notify=", 'a truncated escape']) {
        my $r = $form->('incidents', $c->[0]);
        clean_4xx($r, "admin POST incidents: $c->[1] (kept as text or refused)", allow_ok => 1);
    }
    my $r = $form->('incidents/1', "$C&title=Seeded&impact=minor&componentIds=1&componentIds=1&componentIds=1");
    clean_4xx($r, 'admin POST incidents/1: repeated ids', allow_ok => 1);
    my $all = $t->api(GET => '/api/v1/incidents?limit=100');
    ok($all->{json} && !grep({ $_->{title} =~ /\x00/ } @{ $all->{json}{data} }),
       'no title holds a NUL');
    is_deeply($t->get_json('/api/v1/incidents/1')->{componentIds}, [1], 'repeated ids count once');
}

# --- the public subscribe forms ------------------------------------------------------------

{
    my $count = sub {
        scalar @{ $t->api(GET => '/api/v1/subscribers?limit=100', undef, token => 'admin')->{json}{data} || [] };
    };
    my $n = $count->();
    my $sub = sub {
        my ($path, $body, %o) = @_;
        return raw(req_bytes('POST', $path, body => $body,
                             type => $o{type} // 'application/x-www-form-urlencoded'));
    };
    for my $c (['/subscribe', 'email=%FF%FE%40example.org', 'invalid UTF-8'],
               ['/subscribe', "email=a\x00\@example.org", 'a raw NUL'],
               ['/subscribe', 'email=a%00%40example.org', '%00'],
               ['/subscribe', 'email=a%40example.org%0d%0aBcc%3a%20x%40example.org', 'CR LF'],
               ['/subscribe', 'email=' . ('a' x 15000) . '%40example.org', 'a 15 kB address'],
               ['/subscribe', 'email=' . ('a' x 20000), 'a body over 16k'],
               ['/subscribe', 'email=a%40example.org&componentIds=99999999999999999999', 'an overflowing id'],
               ['/subscribe', 'email=a%40example.org&componentIds=-1', 'a negative id'],
               ['/subscribe', 'email=a%40example.org&' . join('&', map { "componentIds=$_" } 1 .. 2000),
                '2,000 component ids'],
               ['/subscribe', 'email=%ZZ', 'a bad escape'],
               ['/subscribe', '{"email":"a@example.org"}', 'JSON', type => 'application/json'],
               ['/subscribe/confirm', 'token=%00', '%00 token'],
               ['/subscribe/confirm', 'token=' . ('9' x 5000) . '.x', 'a 5 kB token'],
               ['/subscribe/confirm', 'token=18446744073709551616.abcdef', 'an overflowing id'],
               ['/subscribe/confirm', 'token=1.%FF', 'invalid UTF-8 token'],
               ['/subscribe/confirm?token=-1.x', '', 'a negative id in the query'],
               ['/unsubscribe', 'token=1.' . ('0' x 32), 'a wrong MAC'],
               ['/unsubscribe?token=1.' . ('0' x 32), 'List-Unsubscribe=One-Click', 'one-click, wrong MAC'],
               ['/unsubscribe?token=%FF', 'List-Unsubscribe=One-Click', 'one-click, invalid UTF-8'],
               ['/unsubscribe?token=99999999999999999999.' . ('0' x 32), 'List-Unsubscribe=One-Click',
                'one-click, overflowing id'],
               ['/unsubscribe', "List-Unsubscribe=One-Click\x00", 'a raw NUL']) {
        my ($path, $body, $what, %o) = @$c;
        clean_4xx($sub->($path, $body, %o), "POST $path: $what");
    }
    is($count->(), $n, 'no hostile form added a subscriber');
}

# --- nothing crashed ---------------------------------------------------------------------

{
    my $r = $t->api(GET => '/api/v1/status');
    is_status($r, 200, 'the API still answers');
    is_deeply([ sort { $a <=> $b } $t->worker_pids ], \@PIDS,
              'the same worker pids as at the start (no worker died)');
    my $log = $t->error_log;
    unlike($log, qr/exited on signal|\[alert\]|\[emerg\]|\[crit\]/,
           'error.log: no crash, no alert');
    my $access = IncidentTest::read_file($t->prefix . '/logs/access.log') // '';
    # the one 501 is nginx's own answer to "Transfer-Encoding: gzip, chunked"
    my @five = grep { m{" 5\d\d } } split /\n/, $access;
    my @te = grep { m{" 501 } } @five;
    @five = grep { !m{" 501 } } @five if @te == 1;
    ok(!@five, 'access.log: no 5xx answer') or diag(join "\n", @five[0 .. ($#five > 20 ? 20 : $#five)]);
    diag('statuses seen: ' . join ', ', map { "$_ x$SEEN{$_}" } sort keys %SEEN);
}

$t->stop;
$sink->stop;
done_testing;
