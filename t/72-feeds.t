# /feed.atom (Atom 1.0) and /feed.rss (RSS 2.0): content types, XML that a
# real parser accepts (Debian's python3, xml.etree), one entry per incident
# update with stable ids BASE/incidents/ID#update-UID, newest incidents
# first, links to the permalink, the message as escaped HTML, and hostile
# text that stays text.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest qw(:DEFAULT :page);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $BASE = 'https://status.example.com';
my $t = IncidentTest->new(status_page => '/',
                          http_extra => "incident_public_url $BASE;")->start;

my %TYPE = (atom => qr{^application/atom\+xml\b}i, rss => qr{^application/rss\+xml\b}i);

# GET the feed, check its type, parse it; returns the parsed feed
sub feed {
    my ($kind, %o) = @_;
    my $inst = $o{t} // $t;
    my $path = $o{path} // "/feed.$kind";
    my $r = $inst->page($path, %o{grep { exists $o{$_} } qw(host)});
    is_status($r, 200, "GET $path -> 200");
    like($r->{headers}{'content-type'} // '', $TYPE{$kind}, "$path: Content-Type");
    my $f = parse_feed($r->{content});
    ok($f->{ok}, "$path parses as XML") or diag($f->{error} . "\n"
                                               . substr($r->{content}, 0, 3000));
    $f->{raw} = $r->{content};
    $f->{entries} ||= [];
    return $f;
}

sub check_shape {
    my ($kind, $f) = @_;
    if ($kind eq 'atom') {
        is($f->{root}, '{http://www.w3.org/2005/Atom}feed', 'Atom: a <feed> in the Atom namespace');
        ok(!grep({ ($_->{contentType} // '') ne 'html' } @{ $f->{entries} }),
           'Atom: every entry has <content type="html">');
        ok(!grep({ ($_->{updated} // '') !~ $RFC3339_RE } @{ $f->{entries} }),
           'Atom: every entry has an RFC 3339 <updated>');
    } else {
        is($f->{root}, 'rss', 'RSS: an <rss> root');
        is($f->{version}, '2.0', 'RSS: version 2.0');
        ok(!grep({ ($_->{updated} // '') !~ /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d (?:GMT|\+0000)$/ }
                 @{ $f->{entries} }),
           'RSS: every item has an RFC 822 <pubDate>');
    }
}

# the expected entries: for each incident (newest first) each update
# (newest first): [id, link]
sub expected_entries {
    my ($base) = @_;
    my $incs = $t->list_all('/api/v1/incidents', limit => 100);
    my @want;
    for my $i (@$incs) {
        my $full = $t->get_json("/api/v1/incidents/$i->{id}");
        for my $u (@{ $full->{updates} }) {
            push @want, ["$base/incidents/$i->{id}#update-$u->{id}",
                         "$base/incidents/$i->{id}"];
        }
    }
    return \@want;
}

# --- empty -----------------------------------------------------------------

for my $kind (qw(atom rss)) {
    my $f = feed($kind);
    check_shape($kind, $f);
    is(scalar @{ $f->{entries} }, 0, "$kind: no entries without incidents");
    is($f->{title}, 'Status', "$kind: the feed title is the page title");
}

# --- incidents with updates ------------------------------------------------

my $c = $t->create_component(name => 'API');
my $i1 = $t->create_incident(title => 'First outage', impact => 'major',
                             componentIds => [$c->{id}],
                             message => 'We are **investigating**.');
$t->post_update($i1->{id}, status => 'identified', message => "Found it:\n\n- one\n- two");
$t->post_update($i1->{id}, status => 'resolved', message => 'Fixed. See [the report](https://example.com/r?a=1&b=2).');
my $i2 = $t->create_incident(title => 'Second one', impact => 'minor',
                             message => 'Slow responses.');
my $i3 = $t->create_incident(title => 'No message yet', impact => 'none');

for my $kind (qw(atom rss)) {
    my $f = feed($kind);
    check_shape($kind, $f);
    my $want = expected_entries($BASE);
    is(scalar @{ $f->{entries} }, 4, "$kind: one entry per update (4)");
    is_deeply([ map { $_->{id} } @{ $f->{entries} } ], [ map { $_->[0] } @$want ],
              "$kind: ids are BASE/incidents/ID#update-UID, newest incidents first");
    is_deeply([ map { $_->{link} } @{ $f->{entries} } ], [ map { $_->[1] } @$want ],
              "$kind: each entry links to the incident's permalink");
    my %ids;
    ok(!grep({ $ids{$_->{id} // ''}++ } @{ $f->{entries} }), "$kind: ids are unique");
    is($f->{entries}[0]{id}, "$BASE/incidents/$i2->{id}#update-"
                             . $t->get_json("/api/v1/incidents/$i2->{id}")->{updates}[0]{id},
       "$kind: the newest incident comes first");

    my ($res) = grep { ($_->{title} // '') eq '[Resolved] First outage' } @{ $f->{entries} };
    ok($res, "$kind: an entry titled '[Resolved] First outage'");
    like($res->{content} // '', qr{<a href="https://example\.com/r\?a=1&amp;b=2">the report</a>},
         "$kind: content is the message as HTML (a link)");
    my ($inv) = grep { ($_->{title} // '') eq '[Investigating] First outage' } @{ $f->{entries} };
    like($inv->{content} // '', qr{<strong>investigating</strong>}, "$kind: **bold** as <strong>");
    my ($idf) = grep { ($_->{title} // '') eq '[Identified] First outage' } @{ $f->{entries} };
    like($idf->{content} // '', qr{<ul>\s*<li>one</li>\s*<li>two</li>\s*</ul>}, "$kind: a list");
    unlike($f->{raw}, qr{<strong>}, "$kind: the HTML travels escaped, not as XML elements");
}

# the feed follows writes, and ids stay the same
{
    my $before = feed('atom');
    my $u = $t->post_update($i2->{id}, status => 'monitoring', message => 'Better now.');
    my $after = feed('atom');
    is(scalar @{ $after->{entries} }, scalar(@{ $before->{entries} }) + 1,
       'a new update adds one entry');
    is($after->{entries}[0]{id}, "$BASE/incidents/$i2->{id}#update-$u->{json}{id}",
       'the new entry is first, with its update id');
    my %old = map { $_->{id} => 1 } @{ $before->{entries} };
    is(scalar(grep { $old{$_->{id}} } @{ $after->{entries} }),
       scalar @{ $before->{entries} }, 'the older entries keep their ids');
    is($t->page('/feed.rss', method => 'HEAD')->{status}, 200, 'HEAD /feed.rss -> 200');
}

# --- hostile text ------------------------------------------------------------

{
    my $XSS = '<script>alert(1)</script>';
    my $IMG = '"><img src=x onerror=alert(1)>';
    $t->api(PATCH => '/api/v1/settings', {pageTitle => "Acme & $XSS"});
    my $h = $t->create_incident(
        title => "Evil $XSS & $IMG", impact => 'critical',
        message => "[click](javascript:alert(1)) $XSS\n\n$IMG & <b>x</b> ]]> --> \x{1F4A5}");

    for my $kind (qw(atom rss)) {
        my $f = feed($kind);
        is($f->{title}, "Acme & $XSS", "$kind: a hostile page title survives as text");
        my ($e) = grep { ($_->{id} // '') =~ m{/incidents/$h->{id}#} } @{ $f->{entries} };
        ok($e, "$kind: the hostile incident has an entry");
        is($e->{title}, "[Investigating] Evil $XSS & $IMG", "$kind: its title is exactly the text");
        my $html = $e->{content} // '';
        unlike($html, qr{<script}i, "$kind: no <script> in the content HTML");
        unlike($html, qr{<img}i, "$kind: no <img> in the content HTML");
        unlike($html, qr{<b>}i, "$kind: raw HTML dropped");
        unlike($html, qr{javascript:}i, "$kind: no javascript: link");
        like($html, qr{&amp; }, "$kind: & escaped inside the HTML");
        like($html, qr{\]\]&gt; \S*&gt;}, "$kind: ]]> and --> are harmless");
        like($html, qr{\x{1F4A5}}, "$kind: UTF-8 survives");
        unlike($f->{raw}, qr{<script}i, "$kind: no <script> anywhere in the XML");
    }
    $t->api(PATCH => '/api/v1/settings', {pageTitle => 'Status'});
}

# --- base URL from the request; a prefixed location ----------------------------

{
    my $p = IncidentTest->new(status_page => '/status/')->start;
    my $i = $p->create_incident(title => 'Prefixed', message => 'hello');
    my $uid = $p->get_json("/api/v1/incidents/$i->{id}")->{updates}[0]{id};
    my $base = $p->base_url;
    for my $kind (qw(atom rss)) {
        my $f = feed($kind, t => $p, path => "/status/feed.$kind");
        is_deeply([ map { $_->{id} } @{ $f->{entries} } ],
                  ["$base/status/incidents/$i->{id}#update-$uid"],
                  "$kind: without incident_public_url the id uses the request's host and the prefix");
        is($f->{entries}[0]{link}, "$base/status/incidents/$i->{id}",
           "$kind: the permalink under the prefix");
    }

    # the Host header is not trusted to be XML-safe (nginx passes these)
    for my $host ('evil.example"><x', "a&b.example", "x<y.example") {
        for my $kind (qw(atom rss)) {
            my $r = $p->page("/status/feed.$kind", host => $host);
            is_status($r, 200, "$kind with Host: $host -> 200") or next;
            my $f = parse_feed($r->{content});
            ok($f->{ok}, "$kind with Host: $host still parses")
                or diag(($f->{error} // '') . "\n" . substr($r->{content}, 0, 600));
        }
    }
    $p->stop;
}

$t->stop;
done_testing;
