# Secrets and the guards around them:
#   1. API tokens (valid and wrong ones, distinctive strings) sent to many
#      endpoints, failing ones included, never show in error.log (at info
#      and, through a second error_log, at debug level), in access.log, or
#      in any answer; nor does a webhook's signing secret after its 201.
#   2. A wrong token costs the same time whatever it is: a wrong token of
#      the right length, one sharing all but its last characters with a
#      real one, and an empty one (medians, interleaved, loose bound).
#   3. Every POST route of the admin (counted from src/incident_admin.c's
#      route table) refuses a missing, empty, wrong or other user's CSRF
#      token and a cross-site Origin, Sec-Fetch-Site or Referer, with a
#      403 and no change.
#   4. The webhook SSRF guard (incident_webhook_allow_private off) refuses
#      the loopback, private, link-local, CGNAT, multicast and reserved
#      targets that t/94 does not try, written every way curl reads them
#      (LOCALHOST, x.localhost, decimal, octal and hex IPv4, IPv4-mapped
#      and other IPv6 forms), for webhook, Slack and Discord subscribers:
#      each attempt is logged as refused and the receiver gets nothing.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IO::Socket::INET;
use IO::Select;
use List::Util qw(shuffle);
use POSIX ();
use Time::HiRes qw(time sleep);
use IncidentTest qw(:DEFAULT :page);
use WebhookReceiver;

my $REFUSED = 'refused: the address is not public '
            . '(incident_webhook_allow_private is off)';

sub hex_token { my $n = shift; join '', map { sprintf '%02x', int rand 256 } 1 .. $n }

# ===========================================================================
# 1. tokens never in logs or answers

my $VALID = 'tok_VALIDSECRET_' . hex_token(20);
my $t = IncidentTest->new(
    workers        => 2,
    status_page    => '/',
    tokens         => { admin => $VALID },
    main_extra     => 'error_log logs/debug.log debug;',
    location_extra => 'incident_alertmanager on; incident_api_max_body 4k;',
    http_extra     => "incident_notify_retries 1 base=1s max=1s;\n"
                    . "    incident_notify_timeout 2s;\n    incident_notify_lease 3s;",
)->with_admin(users => { alice => 'alice-pw', bob => 'bob-pw' }, user => 'alice')->start;

my %WRONG = (
    'a wrong token'          => 'tok_WRONGSECRET_' . hex_token(20),
    'the valid one + suffix' => $VALID . 'EXTRA_SUFFIX_9f3',
    'the valid one - its end' => substr($VALID, 0, -6),
    'its last digit changed' => substr($VALID, 0, -1) . (substr($VALID, -1) eq 'a' ? 'b' : 'a'),
    'a long one'             => 'tok_LONGSECRET_' . hex_token(2000),
    'with spaces'            => 'tok_SPACED SECRET ' . hex_token(8),
    'with a quote'           => qq{tok_QUOTED"SECRET\\} . hex_token(8),
);
my @ALL_SECRETS = ($VALID, values %WRONG);

my @BODIES;
sub keep { push @BODIES, $_[0]; $_[0] }

# $VALID carries a distinctive part that no log line should show even cut
# short; the wrong ones too
my @needles = map { (my $x = $_) =~ s/^tok_//; substr($x, 0, 24) } @ALL_SECRETS;

$t->create_component(name => 'API');
my $inc = $t->create_incident(title => 'Seeded', message => 'first', componentIds => [1]);
my $hook = keep($t->api(POST => '/api/v1/subscribers',
                        {type => 'webhook', url => 'http://127.0.0.1:1/hook'}));
is_status($hook, 201, 'a webhook subscriber (its secret is in this answer only)');
my $WHSEC = $hook->{json}{secret} // 'whsec_missing';
like($WHSEC, qr/^whsec_/, 'it has a whsec_ secret');
$t->create_incident(title => 'For the hook', message => 'm');    # a delivery, then a dead letter

my @endpoints = (
    [GET    => '/api/v1/status'],
    [GET    => '/api/v1/audit'],
    [GET    => '/api/v1/subscribers'],
    [GET    => "/api/v1/subscribers/$hook->{json}{id}"],
    [GET    => "/api/v1/subscribers/$hook->{json}{id}/deliveries"],
    [GET    => '/api/v1/queue'],
    [GET    => '/api/v1/dead-letters'],
    [GET    => '/api/v1/incidents?limit=0'],
    [GET    => '/api/v1/incidents/999999'],
    [GET    => '/api/v2/summary.json'],
    [GET    => '/api/v1/nope'],
    [POST   => '/api/v1/incidents', {title => 'Tok', status => 'investigating', impact => 'minor', notify => JSON::PP::false}],
    [POST   => '/api/v1/incidents', {title => '', status => 'nope', impact => 'minor'}],
    [POST   => '/api/v1/incidents', '{"title": '],
    [POST   => '/api/v1/incidents', '{"title":"' . ('x' x 5000) . '"}'],
    [POST   => '/api/v1/incidents', 'title=x', content_type => 'text/plain'],
    [PATCH  => "/api/v1/incidents/$inc->{id}", {title => 'Seeded'}],
    [PATCH  => '/api/v1/incidents/999999', {title => 'x'}],
    [DELETE => '/api/v1/incidents/999999'],
    [PUT    => '/api/v1/incidents'],
    [POST   => '/api/v1/status', {}],
    [PATCH  => '/api/v1/settings', {pageTitle => "Status"}],
    [POST   => '/api/v1/subscribers', {type => 'webhook', url => 'ftp://nope'}],
    [POST   => '/api/v1/dead-letters/999999/retry'],
    [POST   => '/api/v1/integrations/alertmanager', {version => '4', status => 'firing'}],
    [POST   => '/api/v1/integrations/alertmanager', '{bad json'],
);
my $n = 0;
for my $e (@endpoints) {
    my ($m, $p, $b, %o) = @$e;
    for my $tok ($VALID, values %WRONG) {
        my $r = keep($t->api($m, $p, $b, bearer => $tok, %o));
        $n++;
        # also as a query parameter and in other headers people misuse
        keep($t->api($m, $p, $b, authorization => "Token $tok", %o));
        keep($t->api($m, $p, $b, authorization => "Bearer  $tok  ", %o));
    }
}
keep($t->api(GET => '/api/v1/status', undef, authorization => "Bearer $VALID, Bearer $WRONG{'a wrong token'}"));
# the admin, with a token as its password and as a bearer
for my $tok ($VALID, $WRONG{'a wrong token'}) {
    keep($t->admin_get('', password => $tok));
    keep($t->admin_get('nope', headers => {'X-Api-Token' => $tok}));
    keep($t->admin_post('incidents', [csrf => $tok, title => 'x']));
    keep($t->admin_post('settings', [csrf => 'bad', pageTitle => $tok]));
}
ok($n > 200, "$n requests with tokens sent");

{
    # deliveries and a dead letter for the hook, so that their pages are read
    IncidentTest::wait_until(20, sub {
        @{ $t->api(GET => '/api/v1/dead-letters', undef, token => 'admin')->{json}{data} || [] };
    });
    for my $p ("/api/v1/subscribers/$hook->{json}{id}", '/api/v1/subscribers',
               "/api/v1/subscribers/$hook->{json}{id}/deliveries", '/api/v1/dead-letters',
               '/api/v1/audit?limit=100') {
        keep($t->api(GET => $p, undef, token => 'admin'));
    }
    keep($t->admin_get($_)) for 'subscribers', "subscribers/$hook->{json}{id}", 'dead-letters';
}

sub scan {
    my ($text, $where) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @found = grep { index($text, $_) >= 0 } @needles;
    ok(!@found, "$where: no token (" . scalar(@needles) . ' checked)')
        or diag("found: @found");
    ok(index($text, $WHSEC) < 0 && index($text, substr($WHSEC, 6, 16)) < 0,
       "$where: not the webhook secret");
}

{
    my $bodies = join "\n", map {
        my $r = $_;
        join("\n", map { "$_: " . (ref $r->{headers}{$_} ? join(',', @{ $r->{headers}{$_} })
                                                        : $r->{headers}{$_}) }
                   keys %{ $r->{headers} }) . "\n" . $r->{content}
    } @BODIES[1 .. $#BODIES];        # [0] is the 201 that shows the secret
    scan($bodies, 'the answers (' . (@BODIES - 1) . ', headers and bodies)');
    $t->stop;
    scan($t->error_log, 'error.log (info)');
    scan(IncidentTest::read_file($t->prefix . '/logs/access.log') // '', 'access.log');
    my $debug = IncidentTest::read_file($t->prefix . '/logs/debug.log') // '';
    ok(length $debug > 10000, 'the debug log was written (' . length($debug) . ' bytes)');
    # nginx's own core dumps every request header at debug level ("http
    # header: ..."): that is nginx, not this module. Everything else must
    # be clean.
    # (and its auth_basic module logs the crypt() of the password sent,
    # which for {PLAIN} is the password itself: "encrypted: ...")
    my @lines = grep { !/\] \d+#\d+: \*\d+ (?:http header: "|encrypted: ")/ } split /\n/, $debug;
    my $rest = join "\n", @lines;
    my @mod = grep { my $l = $_; grep { index($l, $_) >= 0 } @needles, $WHSEC } @lines;
    ok(!@mod, 'debug.log: no token or secret outside nginx\'s own header dump')
        or diag(join "\n", map { substr($_, 0, 300) } @mod[0 .. ($#mod > 10 ? 10 : $#mod)]);
}

# ===========================================================================
# 2. a wrong token costs the same time whatever it is

{
    my $tt = IncidentTest->new(workers => 1, tokens => { admin => $VALID })->start;
    my %cand = (
        'right length, all wrong' => 'tok_' . ('Z' x (length($VALID) - 4)),
        'shares all but the last'  => substr($VALID, 0, -1) . (substr($VALID, -1) eq 'a' ? 'b' : 'a'),
        'empty'                    => '',
    );
    # one keep-alive connection: the request and its answer, nothing else
    my $sock;
    my $connect = sub {
        $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $tt->port,
                                      Proto => 'tcp', Timeout => 5) or die "connect: $!";
        $sock->autoflush(1);
        setsockopt($sock, 6, 1, 1);        # TCP_NODELAY
    };
    my $one = sub {
        my ($tok) = @_;
        my $req = "GET /api/v1/audit HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                . "Authorization: Bearer $tok\r\n\r\n";
        my $t0 = time;
        syswrite($sock, $req) or do { $connect->(); syswrite($sock, $req) };
        my $buf = '';
        while (1) {
            my $n = sysread($sock, $buf, 65536, length $buf);
            die "connection closed" unless $n;
            if ($buf =~ /\r\n\r\n/ && $buf =~ /Content-Length: (\d+)/i) {
                my $need = $1 + index($buf, "\r\n\r\n") + 4;
                last if length $buf >= $need;
            }
        }
        my $dt = time - $t0;
        my ($status) = $buf =~ m{^HTTP/1\.1 (\d+)};
        return ($dt, $status);
    };
    my $median = sub { my @s = sort { $a <=> $b } @_; $s[int(@s / 2)] };

    $connect->();
    $one->($cand{empty}) for 1 .. 50;        # warm up
    my ($ok, $report, %bad);
    for my $round (1 .. 3) {
        my %times;
        my @order = shuffle map { my $k = $_; map { $k } 1 .. 400 } sort keys %cand;
        for my $k (@order) {
            my ($dt, $status) = eval { $one->($cand{$k}) };
            unless (defined $dt) { $connect->(); next }
            $bad{"$k: $status"}++ if $status != 401;
            push @{ $times{$k} }, $dt;
        }
        my %med = map { $_ => $median->(@{ $times{$_} }) } keys %times;
        my ($lo, $hi) = (sort { $a <=> $b } values %med)[0, -1];
        $report = join ', ', map { sprintf '%s %.0f us', $_, 1e6 * $med{$_} } sort keys %med;
        diag("round $round: medians $report");
        if ($hi <= $lo * 1.2 || $hi - $lo < 20e-6) {
            $ok = 1;
            last;
        }
    }
    ok(!%bad, 'every wrong token got 401') or diag(join ', ', keys %bad);
    ok($ok, "the medians are within 20% (or 20 us) of each other: $report");
    close $sock;
    $tt->stop;
}

# ===========================================================================
# 3. CSRF and origin checks on every admin POST route

my $rx = WebhookReceiver->new(script => { '*' => [ [200] ] });
my $c = IncidentTest->new(
    workers     => 1,
    status_page => '/',
    http_extra  => "incident_notify_retries 1 base=1s max=1s;\n"
                 . "    incident_notify_timeout 2s;\n    incident_notify_lease 3s;",
)->with_admin(users => { alice => 'alice-pw', bob => 'bob-pw' }, user => 'alice')->start;

$c->create_component(name => 'API');
$c->create_component(name => 'Web');
my $ci = $c->create_incident(title => 'Seeded', message => 'first', componentIds => [1]);
my $mt = $c->api(POST => '/api/v1/maintenances',
                 {title => 'Window', scheduledFor => epoch_to_rfc3339(time + 86400),
                  scheduledUntil => epoch_to_rfc3339(time + 90000)});
is_status($mt, 201, 'a maintenance');
my $sb = $c->api(POST => '/api/v1/subscribers', {type => 'webhook', url => 'http://127.0.0.1:1/x'});
is_status($sb, 201, 'a subscriber whose deliveries are refused (a dead letter soon)');
$c->create_incident(title => 'For the dead letter', message => 'm');
my $dead;
IncidentTest::wait_until(20, sub {
    my $d = $c->api(GET => '/api/v1/dead-letters', undef, token => 'admin')->{json}{data} || [];
    $dead = $d->[0]{id} if @$d;
    return defined $dead;
});
ok($dead, 'a dead letter to retry');
$dead //= 1;

my ($I, $U, $M, $S) = ($ci->{id}, $ci->{updates}[0]{id}, $mt->{json}{id}, $sb->{json}{id});
my $soon = epoch_to_rfc3339(time + 7200);
my @ROUTES = (
    ['incidents',                [title => 'X', status => 'investigating', impact => 'minor']],
    ["incidents/$I",             [title => 'X', impact => 'minor']],
    ["incidents/$I/delete",      []],
    ["incidents/$I/updates",     [status => 'resolved', message => 'X']],
    ["incidents/$I/updates/$U",  [message => 'X']],
    ["incidents/$I/updates/$U/delete", []],
    ['components',               [name => 'X']],
    ['components/1',             [name => 'X']],
    ['components/2/move',        [direction => 'up']],
    ['components/1/delete',      []],
    ['settings',                 [pageTitle => 'X', incidentPosition => 'below_status']],
    ['subscribers',              [type => 'email', email => 'csrf@example.org']],
    ["subscribers/$S/delete",    []],
    ["dead-letters/$dead/retry", []],
    ['maintenance',              [title => 'X', scheduledFor => $soon, scheduledUntil => $soon]],
    ["maintenance/$M",           [title => 'X']],
    ["maintenance/$M/updates",   [status => 'in_progress', message => 'X']],
    ["maintenance/$M/start",     []],
    ["maintenance/$M/complete",  []],
    ["maintenance/$M/delete",    []],
);
{
    # every route of the table with a write (op other than -1) is here
    my $src = join "\n", map { IncidentTest::read_file($_) // '' }
                           glob("$IncidentTest::ROOT/src/*.c");
    my ($table) = $src =~ /ngx_http_incident_admin_routes\[\]\s*=\s*\{(.*?)\n\};/s;
    my $writes = () = ($table // '') =~ /\{\s*INC_OP_/g;
    is(scalar @ROUTES, $writes, "this test posts to all $writes write routes of the admin's table");
}

sub snapshot {
    my %s = (state => $c->state_snapshot);
    for my $p ('/api/v1/subscribers?limit=100', '/api/v1/maintenances?state=all&limit=100',
               "/api/v1/maintenances/$M", '/api/v1/dead-letters?limit=100', '/api/v1/queue',
               '/api/v1/settings', "/api/v1/incidents/$I/updates") {
        my $r = $c->api(GET => $p, undef, token => 'admin');
        $s{$p} = "$r->{status} $r->{content}";
    }
    $s{$_} =~ s/"(?:due|nextAttemptAt|leasedUntil)":"[^"]*"//g for keys %s;
    return encode_json(\%s);
}

my $csrf = $c->admin_csrf($c->admin_page('incidents/new', 'alice opens a form'));
my $bob  = $c->admin_csrf($c->admin_page('incidents/new', 'bob opens a form', user => 'bob'));
(my $flipped = $csrf) =~ s/^(.)/$1 eq 'a' ? 'b' : 'a'/e;
my $port = $c->port;
my @TOKENS = (['no csrf', undef], ['an empty csrf', ''], ['a wrong csrf', $flipped],
              ["bob's csrf", $bob], ['the csrf twice as long', $csrf . $csrf],
              ['the csrf with a NUL', "$csrf\x00"], ['the csrf in upper case', uc $csrf],
              ['the csrf cut short', substr($csrf, 0, 63)]);
my @CROSS = (
    ['Origin: http://evil.example',           origin => 'http://evil.example'],
    ['Origin: null',                          origin => 'null'],
    ["Origin: this host as a subdomain",      origin => "http://127.0.0.1:$port.evil.example"],
    ['Origin: this origin with a path',       origin => "http://127.0.0.1:$port/admin/"],
    ['Origin: with user info',                origin => "http://evil\@127.0.0.1:$port"],
    ['Origin: ftp scheme',                    origin => "ftp://127.0.0.1:$port"],
    ['Sec-Fetch-Site: cross-site',            origin => undef, fetch_site => 'cross-site'],
    ['Sec-Fetch-Site: same-site',             origin => undef, fetch_site => 'same-site'],
    ['same Origin but Sec-Fetch-Site: cross-site', fetch_site => 'cross-site'],
    ['Origin: evil, Referer: this origin',    origin => 'http://evil.example', fetch_site => undef,
     headers => {Referer => "http://127.0.0.1:$port/admin/"}],
);

my $before = snapshot();
my $tries = 0;
for my $route (@ROUTES) {
    my ($path, $fields) = @$route;
    my @fails;
    for my $tk (@TOKENS) {
        my ($what, $v) = @$tk;
        my $r = $c->admin_post($path, [ (defined $v ? (csrf => $v) : ()), @$fields ]);
        $tries++;
        # a NUL never gets into a form value: a 400 before the check
        push @fails, "$what -> $r->{status}"
            unless $r->{status} == 403 || ($r->{status} == 400 && $what =~ /NUL/);
    }
    for my $x (@CROSS) {
        my ($what, %o) = @$x;
        my $r = $c->admin_post($path, [csrf => $csrf, @$fields], %o);
        $tries++;
        push @fails, "$what (valid csrf) -> $r->{status}" unless $r->{status} == 403;
    }
    ok(!@fails, "POST $path: every missing/wrong csrf and cross-site request -> 403")
        or diag(join "\n", @fails);
}
is(snapshot(), $before, "none of the $tries refused POSTs changed anything");

# the same requests with everything right do get through (so the 403s
# above were the guard's, not a broken form)
{
    my $r = $c->admin_post("maintenance/$M/updates", [csrf => $csrf, status => 'in_progress', message => 'ok']);
    $c->is_redirect($r, "maintenance/$M", 'posted', 'a same-origin POST with the token is accepted');
    $r = $c->admin_post("dead-letters/$dead/retry", [csrf => $csrf]);
    $c->is_redirect($r, 'dead-letters', 'retried', 'the dead letter retry too');
}

# A cross-site Referer with no Origin and no Sec-Fetch-Site (a browser
# that sends neither, or strips them) and a valid token: refused too. Run
# last, as each one that gets through makes its change.
{
    my @through;
    for my $route (@ROUTES) {
        my ($path, $fields) = @$route;
        my $r = $c->admin_post($path, [csrf => $csrf, @$fields], origin => undef, fetch_site => undef,
                               headers => {Referer => 'http://evil.example/page'});
        push @through, "$path -> $r->{status}" unless $r->{status} == 403;
    }
    ok(!@through, 'a cross-site Referer (no Origin, no Sec-Fetch-Site) with a valid csrf -> 403 on every route')
        or diag("got through the origin check:\n" . join "\n", @through);
}
$c->stop;

# ===========================================================================
# 4. the SSRF guard, every way of writing a private address

{
    my $s = IncidentTest->new(
        workers    => 1,
        http_extra => "incident_notify_retries 2 base=1s max=1s;\n"
                    . "    incident_notify_timeout 2s;\n    incident_notify_lease 3s;",
    )->start;
    my $p = $rx->port;
    my @targets = (
        [webhook => "http://LOCALHOST:$p/ssrf/upper"],
        [webhook => "http://LocalHost:$p/ssrf/mixed"],
        [webhook => "http://x.localhost:$p/ssrf/sub"],
        [webhook => "http://localhost.:$p/ssrf/dot"],
        [webhook => "http://127.0.0.1.:$p/ssrf/ipdot"],
        [webhook => "http://2130706433:$p/ssrf/decimal"],
        [webhook => "http://0x7f.1:$p/ssrf/hex-short"],
        [webhook => "http://0x7f000001:$p/ssrf/hex"],
        [webhook => "http://017700000001:$p/ssrf/octal"],
        [webhook => "http://0177.0.0.1:$p/ssrf/octal-dotted"],
        [webhook => "http://127.000.000.001:$p/ssrf/zeros"],
        [webhook => "http://127.255.255.254:$p/ssrf/loop-net"],
        [webhook => "http://[::ffff:7f00:1]:$p/ssrf/mapped-hex"],
        [webhook => "http://[0:0:0:0:0:ffff:127.0.0.1]:$p/ssrf/mapped-long"],
        [webhook => "http://[::127.0.0.1]:$p/ssrf/compat"],
        [webhook => "http://[::]:$p/ssrf/unspecified"],
        [webhook => "http://[0:0:0:0:0:0:0:1]:$p/ssrf/v6-long"],
        [webhook => "http://[fe80::1]:$p/ssrf/v6-link-local"],
        [webhook => "http://[fc00::1]:$p/ssrf/v6-ula"],
        [webhook => "http://[64:ff9b::7f00:1]:$p/ssrf/nat64"],
        [webhook => "http://[2002:7f00:1::1]:$p/ssrf/6to4"],
        [webhook => "http://[::ffff:169.254.169.254]/ssrf/mapped-metadata"],
        [webhook => 'http://169.254.169.254/latest/meta-data/'],
        [webhook => "http://169.254.1.1:$p/ssrf/link-local"],
        [webhook => "http://192.168.1.1:$p/ssrf/private-192"],
        [webhook => "http://172.16.0.1:$p/ssrf/private-172"],
        [webhook => "http://172.31.255.254:$p/ssrf/private-172-top"],
        [webhook => "http://100.64.0.1:$p/ssrf/cgnat"],
        [webhook => "http://198.18.0.1:$p/ssrf/benchmark"],
        [webhook => "http://192.0.0.1:$p/ssrf/ietf"],
        [webhook => "http://224.0.0.1:$p/ssrf/multicast"],
        [webhook => "http://255.255.255.255:$p/ssrf/broadcast"],
        [webhook => "http://0:$p/ssrf/zero-short"],
        [webhook => "https://127.0.0.1:$p/ssrf/https"],
        [slack   => "http://127.0.0.1:$p/ssrf/slack"],
        [slack   => "http://[::ffff:127.0.0.1]:$p/ssrf/slack-mapped"],
        [slack   => "http://2130706433:$p/ssrf/slack-decimal"],
        [discord => "http://localhost:$p/ssrf/discord"],
        [discord => "http://[::1]:$p/ssrf/discord-v6"],
        [discord => "http://0x7f.1:$p/ssrf/discord-hex"],
    );
    my %id;
    for my $tg (@targets) {
        my ($type, $url) = @$tg;
        my $r = $s->api(POST => '/api/v1/subscribers', {type => $type, url => $url});
        if ($r->{status} == 422) {
            pass("$type $url: refused at once (422)");
            next;
        }
        is_status($r, 201, "$type $url: accepted, to be refused when connecting");
        $id{$url} = $r->{json}{id} if $r->{status} == 201;
    }
    my $x = $s->api(POST => '/api/v1/incidents', {title => 'SSRF', status => 'investigating',
                                                  impact => 'minor', message => 'm'});
    is_status($x, 201, 'an incident to notify them all');
    my %h;
    my $done = IncidentTest::wait_until(40, sub {
        for my $u (keys %id) {
            my $r = $s->api(GET => "/api/v1/subscribers/$id{$u}/deliveries", undef, token => 'admin');
            $h{$u} = $r->{json}{data} || [];
        }
        !grep { !@{ $h{$_} } || $h{$_}[0]{outcome} ne 'dead' } keys %id;
    });
    ok($done, 'every target ends as a dead letter');
    for my $tg (@targets) {
        my $u = $tg->[1];
        next unless $id{$u};
        my @d = @{ $h{$u} || [] };
        # "localhost." and "127.0.0.1." do not resolve here (glibc): not
        # delivered either
        my $ok = @d && !grep { $_->{detail} ne $REFUSED
                               && !($u =~ m{//[^/]*\.:} && $_->{detail} =~ /resolve/i) } @d;
        ok($ok, "$tg->[0] $u: every attempt refused")
            or diag(join ' | ', map { "#$_->{attempt} $_->{outcome} ($_->{detail})" } @d);
    }
    my @got = $rx->requests(qr{^/ssrf/});
    is(scalar @got, 0, 'the receiver on 127.0.0.1 got nothing')
        or diag(join ', ', map { $_->{path} } @got);
    $s->stop;
}

$rx->stop;
done_testing;
