# Status badges: /badge.svg (overall) and /components/{id}/badge.svg under
# incident_status_page.  The value follows the status as incidents open and
# resolve, component badges carry the name and the effective status, every
# text is escaped into well-formed XML, headers for caches (ETag by
# generation, 304, HEAD), ?style= and ?label= with their 400s, 404 for a
# component that does not exist, and a location that is not at "/".
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $SVG   = 'image/svg+xml; charset=utf-8';
my $CACHE = 'public, max-age=60';

my %COLOUR = (
    'Operational'          => '#2e7d32',
    'Degraded Performance' => '#876300',
    'Partial Outage'       => '#bf400c',
    'Major Outage'         => '#c62828',
    'Under Maintenance'    => '#1565c0',
);

my $t = IncidentTest->new(status_page => ['/', '/status/'], workers => 2)
                    ->start;

sub xml_unescape {
    my ($s) = @_;
    my %e = (amp => '&', lt => '<', gt => '>', quot => '"', apos => "'");
    $s =~ s/&(amp|lt|gt|quot|apos);/$e{$1}/g;
    $s =~ s/&#(\d+);/chr $1/ge;
    $s =~ s/&#x([0-9a-fA-F]+);/chr hex $1/ge;
    return $s;
}

# python3's XML parser accepts the document (stdin: the SVG's bytes)
sub xml_ok {
    my ($svg, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $pid = open(my $py, '|-', 'python3', '-c',
                   'import sys,xml.etree.ElementTree as E; '
                   . 'E.fromstring(sys.stdin.buffer.read())');
    ok($pid, 'python3 runs') or return;
    print {$py} $svg;
    close $py;
    is($?, 0, $name // 'the SVG is well-formed XML') or diag($svg);
}

# GET a badge that must answer 200; returns
# { r => response, svg, aria (unescaped), title (unescaped), colour }
sub badge {
    my ($path, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    $name //= $path;
    my $r = $t->page($path);
    is_status($r, 200, "GET $name -> 200") or return {r => $r};
    is($r->{headers}{'content-type'}, $SVG, "$name: $SVG");
    my $svg = $r->{content};
    utf8::decode(my $text = $svg);
    my %b = (r => $r, svg => $svg);
    ($b{aria})   = $text =~ /^<svg\b[^>]*\saria-label="([^"]*)"/;
    ($b{title})  = $text =~ m{<title>([^<]*)</title>};
    ($b{colour}) = $text =~ /<rect x="[^"]*" width="[^"]*" height="20" fill="(#[0-9a-f]{6})"/;
    $b{$_} = defined $b{$_} ? xml_unescape($b{$_}) : undef for qw(aria title);
    return \%b;
}

# the badge at PATH reads "LABEL: VALUE" in the value's colour
sub badge_is {
    my ($path, $label, $value, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $b = badge($path, $name);
    is($b->{aria}, "$label: $value", "$name: aria-label '$label: $value'");
    is($b->{title}, "$label: $value", "$name: the same <title>");
    is($b->{colour}, $COLOUR{$value}, "$name: coloured $COLOUR{$value}")
        if $COLOUR{$value};
    return $b;
}

# --- the overall badge follows the status --------------------------------------

{
    my $b = badge_is('/badge.svg', 'status', 'Operational', 'no incidents');
    like($b->{svg}, qr{^<svg\ xmlns="http://www\.w3\.org/2000/svg"
                        \ width="\d+(?:\.\d)?"\ height="20"
                        \ role="img"\ aria-label="}x,
         'the root element: SVG namespace, width, height 20, role img');
    xml_ok($b->{svg});
}

my $api = $t->create_component(name => 'API');
my $web = $t->create_component(name => 'Website');

# incidents that name no component count by their impact
my %incident;
for my $case (['minor', 'Degraded Performance'], ['major', 'Partial Outage'],
              ['critical', 'Major Outage'])
{
    my ($impact, $value) = @$case;
    my $inc = $t->create_incident(title => "An $impact one", impact => $impact);
    $incident{$impact} = $inc->{id};
    badge_is('/badge.svg', 'status', $value, "open $impact incident");
}

$t->post_update($incident{critical}, status => 'resolved', message => 'Fixed');
badge_is('/badge.svg', 'status', 'Partial Outage', 'critical resolved, major open');
$t->post_update($incident{major}, status => 'resolved', message => 'Fixed');
$t->post_update($incident{minor}, status => 'resolved', message => 'Fixed');
badge_is('/badge.svg', 'status', 'Operational', 'all resolved');

{
    my $r = $t->api(PATCH => "/api/v1/components/$web->{id}",
                    {baseStatus => 'under_maintenance'});
    is_status($r, 200, 'Website under maintenance');
    badge_is('/badge.svg', 'status', 'Under Maintenance', 'a component in maintenance');
    $r = $t->api(PATCH => "/api/v1/components/$web->{id}",
                 {baseStatus => 'operational'});
    is_status($r, 200, 'Website operational again');
    badge_is('/badge.svg', 'status', 'Operational', 'maintenance over');
}

# --- component badges: name and effective status ---------------------------------

{
    my $path = "/components/$api->{id}/badge.svg";
    badge_is($path, 'API', 'Operational', 'component API');
    badge_is("/components/$web->{id}/badge.svg", 'Website', 'Operational',
             'component Website');

    # an incident naming a component puts it at least in a partial outage
    my $inc = $t->create_incident(title => 'API slow', impact => 'minor',
                                  componentIds => [$api->{id}]);
    my $comp = $t->get_json("/api/v1/components/$api->{id}");
    is($comp->{baseStatus}, 'operational', 'the base status is unchanged');
    badge_is($path, 'API', 'Partial Outage', 'component API, effective status');
    badge_is("/components/$web->{id}/badge.svg", 'Website', 'Operational',
             'the other component is unaffected');
    badge_is('/badge.svg', 'status', 'Partial Outage', 'and the whole with it');

    my $r = $t->api(PATCH => "/api/v1/components/$api->{id}",
                    {name => 'Public API', baseStatus => 'major_outage'});
    is_status($r, 200, 'rename the component, worse base status');
    badge_is($path, 'Public API', 'Major Outage', 'the new name and status');

    $t->post_update($inc->{id}, status => 'resolved', message => 'Back');
    badge_is($path, 'Public API', 'Major Outage', 'resolved: the base status');
    $r = $t->api(PATCH => "/api/v1/components/$api->{id}",
                 {baseStatus => 'operational'});
    is_status($r, 200, 'API operational again');
    badge_is($path, 'Public API', 'Operational', 'component API, operational');

    my $deg = $t->create_component(name => 'Search', baseStatus => 'degraded_performance');
    badge_is("/components/$deg->{id}/badge.svg", 'Search', 'Degraded Performance',
             'a base status of its own');
    badge_is('/badge.svg', 'status', 'Degraded Performance', 'and so is the whole');
    $r = $t->api(PATCH => "/api/v1/components/$deg->{id}",
                 {baseStatus => 'operational'});
    is_status($r, 200, 'Search operational again');
}

# --- hostile names are escaped -----------------------------------------------------

{
    my $evil = q{<script>alert("x")</script> & 'quotes' "too"};
    my $c = $t->create_component(name => $evil);
    my $b = badge_is("/components/$c->{id}/badge.svg", $evil, 'Operational',
                     'a hostile name');
    unlike($b->{svg}, qr/<script/i, 'no <script> in the SVG');
    unlike($b->{svg}, qr/&(?!amp;|lt;|gt;|quot;|#39;|apos;)/, 'no bare &');
    like($b->{svg}, qr/&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &#39;quotes&#39;/,
         'the name escaped in the text');
    xml_ok($b->{svg}, 'the hostile badge is well-formed XML');

    my $name = "Z\x{fc}rich \x{65e5}\x{672c} \x{1F680}";
    my $u = $t->create_component(name => $name);
    $b = badge_is("/components/$u->{id}/badge.svg", $name,
                  'Operational', 'a UTF-8 name');
    xml_ok($b->{svg}, 'the UTF-8 badge is well-formed XML');
}

# --- headers: type, caching, ETag, 304, HEAD --------------------------------------

{
    my $path = "/components/$web->{id}/badge.svg";
    my %etag;

    for my $p ('/badge.svg', $path) {
        my $r = $t->page($p);
        is_status($r, 200, "GET $p");
        is($r->{headers}{'content-type'}, $SVG, "$p: Content-Type");
        is($r->{headers}{'cache-control'}, $CACHE, "$p: Cache-Control");
        my $e = $r->{headers}{etag} // '';
        like($e, qr/^"g\d+-b[0-9a-f]{8}"\z/, "$p: a strong ETag by generation ($e)");
        $etag{$p} = $e;

        my $all = $t->per_worker(GET => $p);
        my %seen = map { ($_->{headers}{etag} // 'none') => 1 } values %$all;
        is_deeply([keys %seen], [$e], "$p: every worker gives the same ETag");

        for my $inm ($e, "\"nope\", $e", "W/$e") {
            my $nm = $t->page($p, headers => {'If-None-Match' => $inm});
            is_status($nm, 304, "$p: If-None-Match: $inm -> 304");
            is($nm->{content}, '', "$p: 304 without a body");
            is($nm->{headers}{etag}, $e, "$p: 304 repeats the ETag");
        }

        my $head = $t->page($p, method => 'HEAD');
        is_status($head, 200, "HEAD $p -> 200");
        is($head->{content}, '', "HEAD $p: no body");
        is($head->{headers}{etag}, $e, "HEAD $p: the same ETag");
        is($head->{headers}{'content-type'}, $SVG, "HEAD $p: the same type");
        is($head->{headers}{'content-length'}, length $r->{content},
           "HEAD $p: the Content-Length of the GET");

        my $post = $t->api(POST => $p, {a => 1});
        is_status($post, 405, "POST $p -> 405");
    }

    my $flat = $t->page("$path?style=flat");
    my $square = $t->page("$path?style=flat-square");
    my $label = $t->page("$path?label=web");
    my %variants = map { ($_->{headers}{etag} // '') => 1 }
                       $flat, $square, $label;
    is(scalar keys %variants, 3, 'style and label vary the ETag');
    is($flat->{headers}{etag}, $etag{$path}, 'style=flat is the default badge');
    is_status($t->page("$path?style=flat-square",
                       headers => {'If-None-Match' => $etag{$path}}),
              200, "flat's ETag does not match flat-square");
    is_status($t->page("$path?style=flat-square",
                       headers => {'If-None-Match' => $square->{headers}{etag}}),
              304, "flat-square's own ETag does");

    $t->api(PATCH => "/api/v1/components/$web->{id}", {description => 'changed'});
    for my $p ('/badge.svg', $path) {
        my $r = $t->page($p, headers => {'If-None-Match' => $etag{$p}});
        is_status($r, 200, "$p: after a write the old ETag gets 200");
        isnt($r->{headers}{etag}, $etag{$p}, "$p: a new ETag");
    }
}

# --- ?style= and ?label= -------------------------------------------------------------

{
    my $flat = badge('/badge.svg?style=flat');
    like($flat->{svg}, qr/ rx="3"/, 'flat: rounded');
    like($flat->{svg}, qr/<linearGradient/, 'flat: a gradient');
    my $square = badge('/badge.svg?style=flat-square');
    unlike($square->{svg}, qr/ rx=/, 'flat-square: square');
    unlike($square->{svg}, qr/Gradient/, 'flat-square: no gradient');
    xml_ok($square->{svg}, 'flat-square is well-formed XML');
    is($square->{aria}, 'status: Operational', 'flat-square: the same text');

    for my $bad ('round', 'FLAT', '', 'flat-square2', 'flat%00') {
        my $r = $t->page("/badge.svg?style=$bad");
        is_status($r, 400, "style=$bad -> 400");
    }

    badge_is('/badge.svg?label=uptime', 'uptime', 'Operational', 'label=uptime');
    badge_is('/badge.svg?label=my+service%20now', 'my service now', 'Operational',
             'label: "+" and %20 are spaces');
    badge_is('/badge.svg?style=flat-square&label=%C3%A9t%C3%A9%20%E6%97%A5',
             "\x{e9}t\x{e9} \x{65e5}", 'Operational', 'label: UTF-8, with a style');
    badge_is("/components/$web->{id}/badge.svg?label=site", 'site', 'Operational',
             'label replaces the component name');

    my $b = badge_is('/badge.svg?label=%3Cb%3E%22%26%27', q{<b>"&'}, 'Operational',
                     'a hostile label');
    unlike($b->{svg}, qr/<b>/, 'the hostile label is escaped');
    xml_ok($b->{svg}, 'the hostile label badge is well-formed XML');

    my $w1 = badge('/badge.svg?label=ab')->{svg} =~ /width="([\d.]+)"/ ? $1 : 0;
    my $w2 = badge('/badge.svg?label=abababab')->{svg} =~ /width="([\d.]+)"/ ? $1 : 0;
    ok($w2 > $w1, "a longer label, a wider badge ($w1 < $w2)");

    badge_is('/badge.svg?label=' . ('x' x 64), 'x' x 64, 'Operational', '64 characters');
    badge_is('/badge.svg?label=' . ('%C3%A9' x 64), "\x{e9}" x 64, 'Operational',
             '64 characters of 2 bytes');

    for my $bad (['x' x 65, '65 characters'], ['%C3%A9' x 65, '65 of 2 bytes'],
                 ['', 'empty'], ['%FF', 'not UTF-8'], ['%C3', 'a cut UTF-8'],
                 ['a%0Ab', 'a line break'], ['a%00b', 'a NUL'],
                 ['a%09b', 'a tab'])
    {
        my ($label, $name) = @$bad;
        my $r = $t->page("/badge.svg?label=$label");
        is_status($r, 400, "label: $name -> 400");
    }
    is_status($t->page("/components/$web->{id}/badge.svg?style=x"), 400,
              'component badge: a bad style -> 400');
}

# --- 404s ------------------------------------------------------------------------

{
    my $gone = $t->create_component(name => 'Short-lived');
    badge("/components/$gone->{id}/badge.svg");
    my $r = $t->api(DELETE => "/api/v1/components/$gone->{id}");
    is_status($r, 204, 'delete a component');

    for my $p ("/components/$gone->{id}/badge.svg", '/components/999999/badge.svg',
               '/components/0/badge.svg', '/components/01/badge.svg',
               '/components/abc/badge.svg', '/components//badge.svg',
               "/components/$web->{id}/badge.svgx", "/components/$web->{id}/badge",
               '/badge.svg/', '/badge.png')
    {
        my $nf = $t->page($p);
        is_status($nf, 404, "GET $p -> 404");
        like($nf->{headers}{'content-type'} // '', qr{^text/html\b},
             "$p: the page's own 404");
    }
}

# --- under a location that is not "/" ------------------------------------------------

{
    my $root = badge('/badge.svg');
    my $b = badge_is('/status/badge.svg', 'status', 'Operational', '/status/badge.svg');
    is($b->{svg}, $root->{svg}, 'the same badge under /status/');
    badge_is("/status/components/$web->{id}/badge.svg", 'Website', 'Operational',
             'a component badge under /status/');
    badge_is('/status/badge.svg?style=flat-square&label=prod', 'prod', 'Operational',
             'query parameters under /status/');
    is_status($t->page('/status/badge.svg?style=3d'), 400, '/status/: bad style -> 400');
    is_status($t->page('/status/components/999999/badge.svg'), 404,
              '/status/: unknown component -> 404');
    is_status($t->page('/status/status/badge.svg'), 404,
              'the location prefix counts once');
}

$t->stop;
done_testing;
