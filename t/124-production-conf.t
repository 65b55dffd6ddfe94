# conf-examples/production.conf, run as it is but for paths, ports and a
# self-signed certificate: TLS with HSTS, HTTP redirected, the API's writes
# and the subscribe form rate limited, the admin behind a password and an
# address list, Alertmanager from allowed hosts only.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use File::Temp ();
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(sleep);
use IncidentTest;

my $NGINX  = $ENV{NGINX} // '/usr/sbin/nginx';
my $MODULE = $IncidentTest::MODULE;
my $dir    = File::Temp->newdir('incident-prod-XXXXXX', TMPDIR => 1,
                                CLEANUP => !$ENV{KEEP});
my $p      = "$dir";

# the workers (nobody) go through this folder to the store in it
chmod 0755, $p;
my ($http, $https) = (IncidentTest::free_port(), IncidentTest::free_port());
my $token  = 'prod-test-token-0123456789';

sub slurp { IncidentTest::read_file($_[0]) // '' }

sub run { IncidentTest::run_cmd("$p/cmd.out", @_) }

sub curl {
    my (@args) = @_;
    my $out = "$p/curl.out";
    my ($rc, $text) = run('curl', '-sk', '--max-time', '10',
                          '-o', $out, '-D', '-', @args);
    my ($status) = $text =~ m{^HTTP/\S+ (\d{3})}m;
    my %h;
    $h{ lc $1 } = $2 while $text =~ /^([\w-]+):\s*(.*?)\r?$/mg;
    return { status => $status // 0, headers => \%h, body => slurp($out) };
}

# the file, with this test's paths
my $conf = slurp("$IncidentTest::ROOT/conf-examples/production.conf");
ok(length $conf, 'conf-examples/production.conf is there');

my %swap = (
    'load_module modules/ngx_http_incident_module.so;'
        => "load_module $MODULE;",
    'user www-data;'                   => '',
    'pid /run/nginx.pid;'              => "pid $p/nginx.pid;",
    'include       mime.types;'         => 'include /etc/nginx/mime.types;',
    '/var/lib/nginx/incidents'         => "$p/db",
    '/etc/nginx/incident-tokens'       => "$p/tokens",
    'smtp://mail.example.com:587'      => 'smtp://127.0.0.1:9',
    '/etc/ssl/status.example.com'      => $p,
    '/etc/nginx/status-admins'         => "$p/admins",
    'listen 80;'                       => "listen 127.0.0.1:$http;",
    'listen 443 ssl http2;'            => "listen 127.0.0.1:$https ssl http2;",
    'allow 192.0.2.0/24;'              => 'allow 127.0.0.1;',
);

for my $from (sort keys %swap) {
    my $n = ($conf =~ s/\Q$from\E/$swap{$from}/g);
    ok($n, "the file has \"$from\"");
}

$conf =~ s/^\s*listen \[::\].*\n//mg;
$conf =~ s/^(events \{)/error_log $p\/error.log info;\n\n$1/m;
$conf =~ s/^(http \{)/$1\n    access_log $p\/access.log;/m;
IncidentTest::write_file("$p/nginx.conf", $conf);

IncidentTest::write_file("$p/tokens", 'ops:' . sha256_hex($token) . "\n");

my ($rc, $out) = run('openssl', 'passwd', '-6', 'secret');
IncidentTest::write_file("$p/admins", "alice:$out");

($rc, $out) = run('openssl', 'req', '-x509', '-newkey', 'rsa:2048',
                  '-nodes', '-days', '1', '-subj', '/CN=status.example.com',
                  '-keyout', "$p/privkey.pem", '-out', "$p/fullchain.pem");
is($rc, 0, 'a self-signed certificate') or diag($out);

($rc, $out) = run($NGINX, '-t', '-p', "$p/", '-c', "$p/nginx.conf");
is($rc, 0, 'nginx -t accepts the production configuration') or diag($out);

($rc, $out) = run($NGINX, '-p', "$p/", '-c', "$p/nginx.conf");
is($rc, 0, 'nginx starts with it') or diag($out . slurp("$p/error.log"));

my $up = IncidentTest::wait_until(10, sub {
    curl("https://127.0.0.1:$https/")->{status} == 200;
});
ok($up, 'the status page answers over TLS');

END {
    my $pid = IncidentTest::read_pid("$p/nginx.pid") if $p;
    kill 'QUIT', $pid if $pid;
}

my $r = curl("https://127.0.0.1:$https/");
like($r->{headers}{'strict-transport-security'} // '', qr/max-age=\d+/,
     'HSTS on the page');
like($r->{body}, qr/id="overall-status"/, 'it is the status page');

$r = curl("http://127.0.0.1:$http/incidents/1?x=1");
is($r->{status}, 301, 'plain HTTP is redirected');
like($r->{headers}{location} // '', qr{^https://[^/]+/incidents/1\?x=1$},
     'to the same path over HTTPS');

$r = curl("https://127.0.0.1:$https/api/v2/summary.json");
is($r->{status}, 200, 'the Statuspage API answers');

# writes: a token, and at most 20/s (+40 burst) per address
my @auth = ('-H', "Authorization: Bearer $token",
            '-H', 'Content-Type: application/json');
$r = curl(@auth, '-d', '{"name": "API"}',
          "https://127.0.0.1:$https/api/v1/components");
is($r->{status}, 201, 'a write with the token');

$r = curl('-H', 'Content-Type: application/json', '-d', '{"name": "X"}',
          "https://127.0.0.1:$https/api/v1/components");
is($r->{status}, 401, 'a write without one is refused');

# one curl, 80 transfers at once: a config file with a block for each
sub burst {
    my ($make) = @_;
    # "next" starts every option afresh
    my $cfg = join "next\n",
                   map { "silent\ninsecure\n" . $make->($_) } 1 .. 80;
    IncidentTest::write_file("$p/burst.cfg", $cfg);
    my ($rc, $out) = run('curl', '-sk', '--max-time', '30', '--parallel',
                         '--parallel-max', '20', '-K', "$p/burst.cfg");
    my %seen;
    # the codes; curl's parallel progress meter goes to the same file
    $seen{$_}++ for grep { /^\d{3}\z/ } split /[\r\n]+/, $out;
    return \%seen;
}

my $seen = burst(sub {
    qq{url = "https://127.0.0.1:$https/api/v1/components"\n}
    . qq{header = "Authorization: Bearer $token"\n}
    . qq{header = "Content-Type: application/json"\n}
    . qq{data = "{\\"name\\": \\"C$_[0]\\"}"\n}
    . qq{output = "/dev/null"\nwrite-out = "%{http_code}\\n"\n};
});
my %seen = %$seen;
ok($seen{429}, 'a burst of writes meets limit_req (429)')
    or diag(explain \%seen);
ok(!grep({ $_ >= 500 } keys %seen), 'and nothing fails');

%seen = %{ burst(sub {
    qq{url = "https://127.0.0.1:$https/api/v1/status"\n}
    . qq{output = "/dev/null"\nwrite-out = "%{http_code}\\n"\n};
}) };
is_deeply(\%seen, { 200 => 80 }, 'reads are not limited');

# the subscribe form: a few a minute per address
my $limited = 0;
for (1 .. 8) {
    my $s = curl('-d', 'email=someone%40example.com',
                 "https://127.0.0.1:$https/subscribe")->{status};
    $limited++ if $s == 429;
}
ok($limited, 'subscribing meets its own limit');

# the admin: password and address
$r = curl("https://127.0.0.1:$https/admin/");
is($r->{status}, 401, 'the admin asks for a password');
$r = curl('-u', 'alice:wrong', "https://127.0.0.1:$https/admin/");
is($r->{status}, 401, 'a wrong one is refused');
$r = curl('-u', 'alice:secret', "https://127.0.0.1:$https/admin/");
is($r->{status}, 200, 'the right one opens it');

# Alertmanager: only from the hosts allowed (10.0.0.0/8 here: not us)
$r = curl(@auth, '-d', '{}',
          "https://127.0.0.1:$https/api/v1/integrations/alertmanager");
is($r->{status}, 403, 'Alertmanager\'s endpoint refuses other hosts');

my $log = slurp("$p/error.log");
unlike($log, qr/\[(?:alert|emerg|crit)\]|exited on signal/,
       'error.log is clean');
unlike($log . slurp("$p/access.log"), qr/\Q$token\E/,
       'the token is in no log');

done_testing;
