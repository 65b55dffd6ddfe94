# conf-examples/edge.conf in front of an origin running the module: the
# edge caches the pages, honours the origin's max-age, and keeps serving
# them (200, same bytes) while the origin is down; once the origin is back
# the edge catches up. The edge runs the example file itself, with only its
# port, cache folder and origin address replaced.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(time sleep);
use HTTP::Tiny;
use IncidentTest qw(:DEFAULT :page);

my $EXAMPLE = "$IncidentTest::ROOT/conf-examples/edge.conf";

my $origin = IncidentTest->new(status_page => '/')->start;

my $comp = $origin->create_component(name => 'API');
my $inc = $origin->create_incident(title => 'Served from the edge', impact => 'major',
                                   componentIds => [$comp->{id}],
                                   message => 'Investigating.');

# --- the edge: the example, with this test's port, folder and origin ---------------

my $edge = IncidentTest->new(conf => <<'CONF');
worker_processes 1;
error_log logs/error.log info;
pid logs/nginx.pid;

events {
    worker_connections 256;
}

http {
    access_log logs/access.log;
    client_body_temp_path @PREFIX@/body;
    proxy_temp_path @PREFIX@/proxy;
    fastcgi_temp_path @PREFIX@/fastcgi;
    uwsgi_temp_path @PREFIX@/uwsgi;
    scgi_temp_path @PREFIX@/scgi;

    include @PREFIX@/edge.conf;
}
CONF

{
    my $text = IncidentTest::read_file($EXAMPLE);
    ok(defined $text, 'conf-examples/edge.conf exists') or BAIL_OUT('no edge.conf');
    my $prefix = $edge->prefix;
    my $port = $edge->port;
    my $oport = $origin->port;
    # each must match exactly once: keeps this test and the example in step
    for my $s ([qr{/var/cache/nginx/status-page\b}, "$prefix/cache"],
               [qr{\bserver 127\.0\.0\.1:8080;}, "server 127.0.0.1:$oport;"],
               [qr{\blisten 80;}, "listen 127.0.0.1:$port;"]) {
        my $n = $text =~ s/$s->[0]/$s->[1]/g;
        is($n, 1, "edge.conf: $s->[0] replaced once");
    }
    like($text, qr/^\s*proxy_cache_use_stale\s+error\s+timeout\s+updating\s+http_500\s+http_502\s+http_503\s+http_504;/m,
         'edge.conf: proxy_cache_use_stale error timeout updating http_5xx');
    like($text, qr/^\s*proxy_cache_background_update\s+on;/m, 'edge.conf: background update');
    like($text, qr/^\s*proxy_cache_lock\s+on;/m, 'edge.conf: cache lock');
    like($text, qr/^\s*proxy_cache_valid\s/m, 'edge.conf: proxy_cache_valid');
    unlike($text, qr/^\s*proxy_ignore_headers\b[^;]*Cache-Control/m,
           "edge.conf: the origin's Cache-Control is honoured");
    IncidentTest::write_file("$prefix/edge.conf", $text);
}
$edge->start;

# HTTP to the edge without the harness's diagnostics for expected failures
my $ua = HTTP::Tiny->new(keep_alive => 0, timeout => 15, max_redirect => 0);

sub via_edge {
    my ($path) = @_;
    my $res = $ua->get("http://127.0.0.1:" . $edge->port . $path);
    return {status => $res->{status}, content => $res->{content} // '',
            headers => $res->{headers} || {}, cache => $res->{headers}{'x-cache-status'} // ''};
}

my @PATHS = ('/', "/incidents/$inc->{id}", '/history', '/feed.atom', '/feed.rss');
my %body;

# --- warm the cache ------------------------------------------------------------

my $warmed = time;
for my $path (@PATHS) {
    my $first = via_edge($path);
    is($first->{status}, 200, "edge: GET $path -> 200");
    is($first->{cache}, 'MISS', "edge: $path first from the origin (MISS)");
    is($first->{headers}{'cache-control'},
       'public, max-age=5, stale-while-revalidate=30, stale-if-error=86400',
       "edge: $path passes on the origin's Cache-Control");
    my $second = via_edge($path);
    is($second->{cache}, 'HIT', "edge: $path then from the cache (HIT)");
    is($second->{content}, $first->{content}, "edge: $path the same bytes from the cache");
    $body{$path} = $second->{content};
}
like($body{'/'}, qr/Served from the edge/, 'the edge serves the status page');

{
    my $nm = $ua->get("http://127.0.0.1:" . $edge->port . '/',
                      {headers => {'If-None-Match' => via_edge('/')->{headers}{etag} // 'x'}});
    is($nm->{status}, 304, 'edge: If-None-Match with the ETag -> 304 from the cache');

    my $l1 = via_edge('/live');
    is($l1->{status}, 200, 'edge: /live passes through');
    is($l1->{cache}, '', 'edge: /live is not cached');
    $origin->api(PATCH => "/api/v1/components/$comp->{id}", {description => 'bump'});
    my $l2 = via_edge('/live');
    my ($g1) = $l1->{content} =~ /"generation":\s*(\d+)/;
    my ($g2) = $l2->{content} =~ /"generation":\s*(\d+)/;
    ok(defined $g1 && defined $g2 && $g2 > $g1,
       'edge: /live shows a write at once') or diag("$l1->{content} / $l2->{content}");
}

# --- the origin goes down --------------------------------------------------------

$origin->stop;
{
    my $direct = HTTP::Tiny->new(timeout => 3)->get($origin->base_url . '/');
    is($direct->{status}, 599, 'the origin is down (connection refused)');
}

# let every cached copy expire (max-age=5), so the edge has to try the origin
sleep($warmed + 6.5 - time) if time < $warmed + 6.5;

for my $path (@PATHS) {
    my $r = via_edge($path);
    is($r->{status}, 200, "origin down: edge GET $path -> 200");
    ok($r->{content} eq $body{$path}, "origin down: $path the same body as before")
        or diag("got " . length($r->{content}) . " bytes, had " . length $body{$path});
    like($r->{cache}, qr/^(?:STALE|UPDATING)$/, "origin down: $path served stale ($r->{cache})");
}
{
    my $r = via_edge('/history?cursor=3');
    ok($r->{status} == 502 || $r->{status} == 504,
       "origin down: a page never cached -> 502 ($r->{status})");
    my $again = via_edge('/');
    is($again->{status}, 200, 'origin down: asked again, still 200');
    is($again->{content}, $body{'/'}, 'origin down: still the same page');
}

# --- the origin comes back --------------------------------------------------------

$origin->start;
$origin->create_incident(title => 'Back again', impact => 'minor');
{
    my ($seen, $last);
    my $deadline = time + 20;
    while (time < $deadline) {
        $last = via_edge('/');
        if ($last->{status} == 200 && $last->{content} =~ /Back again/) {
            $seen = 1;
            last;
        }
        sleep 0.5;
    }
    ok($seen, 'origin back: the edge serves the new page within seconds')
        or diag("last: $last->{status} $last->{cache}");
}

$origin->stop;
$edge->stop;
done_testing;
