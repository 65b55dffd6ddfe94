# Caching of the public pages: ETag and Cache-Control on every page,
# If-None-Match -> 304, a write changes the ETags and bumps /live's
# generation, every worker sees the change, HEAD, 405, gzip.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use IncidentTest qw(:DEFAULT :page);

my $CACHE = 'public, max-age=5, stale-while-revalidate=30, stale-if-error=86400';

my $t = IncidentTest->new(
    status_page => '/',
    workers     => 2,
    http_extra  => 'gzip on; gzip_min_length 0; '
                   . 'gzip_types application/atom+xml application/rss+xml;',
)->start;

my $comp = $t->create_component(name => 'API');
my $inc = $t->create_incident(title => 'Cached incident', componentIds => [$comp->{id}],
                              message => 'first');

my @PAGES = ('/', "/incidents/$inc->{id}", '/history', '/feed.atom', '/feed.rss');

sub live {
    my $r = $t->page('/live');
    is_status($r, 200, 'GET /live -> 200');
    return $r;
}

sub generation {
    my $r = live();
    return ref $r->{json} eq 'HASH' ? $r->{json}{generation} : undef;
}

# --- /live ---------------------------------------------------------------------

{
    my $r = live();
    like($r->{headers}{'content-type'} // '', qr{^application/json\b}, '/live is JSON');
    ok(ref $r->{json} eq 'HASH' && ($r->{json}{generation} // '') =~ /^\d+$/,
       '/live: {"generation": N}') or diag($r->{content});
    my $n = $r->{json}{generation} // -1;
    is($r->{headers}{etag}, "\"g$n\"", '/live: ETag "gN"');
    like($r->{headers}{'cache-control'} // '', qr/^no-cache\b/, '/live: Cache-Control no-cache');
    my $nm = $t->page('/live', headers => {'If-None-Match' => "\"g$n\""});
    is_status($nm, 304, '/live with If-None-Match "gN" -> 304');
    is($nm->{content}, '', '304 has no body');

    my $page = $t->page('/');
    like($page->{content}, qr{<body[^>]* data-live="/live" data-etag="&quot;g$n&quot;"},
         "the page tells its script where to poll and the generation it shows");

    my @gens = ($n);
    for my $k (1 .. 3) {
        $t->api(PATCH => "/api/v1/components/$comp->{id}", {description => "rev $k"});
        push @gens, generation();
    }
    ok($gens[1] > $gens[0] && $gens[2] > $gens[1] && $gens[3] > $gens[2],
       "every write bumps the generation (@gens)");
    $nm = $t->page('/live', headers => {'If-None-Match' => "\"g$n\""});
    is_status($nm, 200, '/live with an old ETag -> 200');
}

# --- ETag, Cache-Control, 304, HEAD on every page ---------------------------------

my %etag;
for my $path (@PAGES) {
    my $r = $t->page($path);
    is_status($r, 200, "GET $path -> 200");
    my $e = $r->{headers}{etag};
    ok(defined $e && $e =~ /^"[^"]+"$/, "$path: a strong ETag") or diag($e // 'none');
    is($r->{headers}{'cache-control'}, $CACHE, "$path: Cache-Control for edges");
    $etag{$path} = $e;

    my $again = $t->page($path);
    is($again->{headers}{etag}, $e, "$path: the same ETag without a write");

    for my $inm ($e, "\"nope\", $e", "W/$e") {
        my $nm = $t->page($path, headers => {'If-None-Match' => $inm});
        is_status($nm, 304, "$path: If-None-Match: $inm -> 304");
        is($nm->{content}, '', "$path: 304 without a body");
        is($nm->{headers}{etag}, $e, "$path: 304 repeats the ETag");
    }
    my $stale = $t->page($path, headers => {'If-None-Match' => '"g0-0"'});
    is_status($stale, 200, "$path: a stale ETag -> 200");
    is($stale->{content}, $r->{content}, "$path: the full page again");

    my $head = $t->page($path, method => 'HEAD');
    is_status($head, 200, "HEAD $path -> 200");
    is($head->{content}, '', "HEAD $path: no body");
    is($head->{headers}{etag}, $e, "HEAD $path: the same ETag");
    is($head->{headers}{'content-length'}, length $r->{content},
       "HEAD $path: the Content-Length of the GET");

    my $post = $t->api(POST => $path, {a => 1}, token => 'admin');
    is_status($post, 405, "POST $path -> 405");
    is($post->{headers}{allow}, 'GET, HEAD', "POST $path: Allow: GET, HEAD");
}

# --- a write changes every ETag ---------------------------------------------------

{
    my $g0 = generation();
    $t->post_update($inc->{id}, status => 'identified', message => 'Second word');
    ok(generation() > $g0, 'the update bumps /live');
    for my $path (@PAGES) {
        my $r = $t->page($path, headers => {'If-None-Match' => $etag{$path}});
        is_status($r, 200, "$path: after a write the old ETag gets 200");
        isnt($r->{headers}{etag}, $etag{$path}, "$path: a new ETag");
        like($r->{content}, qr/Second word|Identified/, "$path: the new content");
    }
    my $r = $t->page('/');
    $t->api(PATCH => '/api/v1/settings', {pageTitle => 'Renamed'});
    my $r2 = $t->page('/', headers => {'If-None-Match' => $r->{headers}{etag}});
    is_status($r2, 200, 'a settings change invalidates the page too');
    like($r2->{content}, qr{<title>Renamed</title>}, 'with the new title');
}

# --- every worker sees the change -------------------------------------------------

{
    my $before = $t->per_worker(GET => '/');
    my %tags = map { $_->{headers}{etag} => 1 } values %$before;
    is(scalar keys %tags, 1, 'all workers give the same ETag');
    my ($old) = keys %tags;

    my $new = $t->create_incident(title => 'Seen by all workers', impact => 'critical');

    my $after = $t->per_worker(GET => '/');
    my @bad;
    for my $pid (sort keys %$after) {
        my $r = $after->{$pid};
        push @bad, "worker $pid: status $r->{status}" unless $r->{status} == 200;
        push @bad, "worker $pid: old ETag" if ($r->{headers}{etag} // '') eq $old;
        push @bad, "worker $pid: the new incident is missing"
            unless $r->{content} =~ /Seen by all workers/;
    }
    ok(!@bad, 'after a write every worker serves the new page') or diag(join "\n", @bad);
    %tags = map { $_->{headers}{etag} => 1 } values %$after;
    is(scalar keys %tags, 1, 'and they agree on the new ETag');

    my $nm = $t->per_worker(GET => '/', undef,
                            headers => {'If-None-Match' => (keys %tags)[0]});
    ok(!grep({ $_->{status} != 304 } values %$nm), 'every worker answers the new ETag with 304');
    my $live = $t->per_worker(GET => '/live');
    my %gens = map { ($_->{json} || {})->{generation} // 'none' => 1 } values %$live;
    is(scalar keys %gens, 1, 'every worker reports the same generation');

    my $inc_page = $t->per_worker(GET => "/incidents/$new->{id}");
    ok(!grep({ $_->{status} != 200 } values %$inc_page), "every worker knows the new incident's page");
}

# --- gzip through nginx's own filter ----------------------------------------------

# (the feeds and incident pages do not depend on the clock; the status page's
# uptime figures do, so two workers may render it a second apart)
for my $path ('/', "/incidents/$inc->{id}", '/feed.atom', '/feed.rss') {
    my $plain = $t->page($path);
    my $gz = $t->page($path, headers => {'Accept-Encoding' => 'gzip'});
    is_status($gz, 200, "$path with Accept-Encoding: gzip -> 200");
    is($gz->{headers}{'content-encoding'}, 'gzip', "$path: Content-Encoding gzip");
    my $out = '';
    gunzip(\$gz->{content} => \$out) or diag("gunzip: $GunzipError");
    if ($path eq '/') {
        like($out, qr{^<!doctype html>.*<section id="components".*</html>\n\z}s,
             "$path: it unzips to the whole page");
    } else {
        is($out, $plain->{content}, "$path: it unzips to the same bytes");
    }
}

$t->stop;
done_testing;
