# The public status page (location with incident_status_page): sections and
# their order for the three incidentPosition values, the markers on
# components (groups included) and incidents, the overall banner, the last
# 14 days, settings on the page, methods, and escaping of everything that
# users write.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use POSIX ();
use IncidentTest qw(:DEFAULT :page);

my %DESCRIPTION = (
    operational          => 'All Systems Operational',
    degraded_performance => 'Degraded Performance',
    partial_outage       => 'Partial System Outage',
    major_outage         => 'Major System Outage',
    under_maintenance    => 'Under Maintenance',
);

my %ORDER = (
    top              => [qw(active-incidents overall-status components incident-history)],
    below_status     => [qw(overall-status active-incidents components incident-history)],
    below_components => [qw(overall-status components active-incidents incident-history)],
);

my $t = IncidentTest->new(status_page => '/')->start;

# GET / -> the page's HTML (fails the test on anything but 200 text/html)
sub home {
    my ($name) = @_;
    my $r = $t->page('/');
    is_status($r, 200, $name // 'GET / -> 200');
    like($r->{headers}{'content-type'} // '', qr{^text/html\b}i,
         'the page is text/html');
    return $r->{content};
}

sub settings {
    my ($s) = @_;
    my $r = $t->api(PATCH => '/api/v1/settings', $s);
    is_status($r, 200, 'PATCH settings ' . encode_json($s));
}

sub order_is {
    my ($html, $position, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @want = @{ $ORDER{$position} };
    my %main = map { $_ => 1 } @want;
    my @got = grep { $main{$_} } @{ page_sections($html) };
    is_deeply(\@got, \@want, $name) or diag("sections: @got");
}

# the start tag of component ID on the page (a hash of its attributes)
sub comp_tag {
    my ($html, $id) = @_;
    my @e = grep { $_->{'data-component-id'} eq $id }
                 @{ page_elements($html, 'data-component-id') };
    return @e == 1 ? $e[0] : undef;
}

sub comp_status_is {
    my ($html, $id, $want, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $e = comp_tag($html, $id);
    ok($e, "component $id appears once on the page") or return;
    is($e->{'data-status'}, $want, $name);
}

sub banner_is {
    my ($html, $want, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $b = page_section($html, 'overall-status');
    ok(defined $b, "$name: banner present") or return;
    my ($tag) = @{ page_elements($b, 'data-status') };
    is($tag && $tag->{'data-status'}, $want, "$name: banner data-status $want");
    like(html_text($b), qr/\Q$DESCRIPTION{$want}\E/,
         "$name: banner says '$DESCRIPTION{$want}'");
    # never colour alone: an icon naming the status too
    like($b, qr/<use href="#i-\Q$want\E"/, "$name: banner has the $want icon");
}

# the incident articles inside a section, as attribute hashes
sub incidents_in {
    my ($html) = @_;
    return [ grep { $_->{_tag} eq 'article' }
                  @{ page_elements($html // '', 'data-incident-id') } ];
}

sub active_section_hidden {
    my ($html) = @_;
    my ($s) = grep { $_->{id} eq 'active-incidents' }
                   @{ page_elements($html, 'id') };
    return $s ? exists $s->{hidden} : undef;
}

# every component's data-status equals its effective status in the API
sub page_matches_api {
    my ($html, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $comps = $t->get_json('/api/v1/components')->{data} || [];
    my @bad;
    for my $c (@$comps) {
        my $e = comp_tag($html, $c->{id});
        push @bad, "component $c->{id} missing or repeated" unless $e;
        push @bad, "component $c->{id}: page $e->{'data-status'}, API $c->{status}"
            if $e && $e->{'data-status'} ne $c->{status};
    }
    my $status = $t->get_json('/api/v1/status');
    my ($tag) = @{ page_elements(page_section($html, 'overall-status') // '',
                                 'data-status') };
    push @bad, "banner " . ($tag ? $tag->{'data-status'} : 'missing')
               . ", API $status->{status}"
        unless $tag && $tag->{'data-status'} eq $status->{status};
    ok(!@bad, $name) or diag(join "\n", @bad);
}

my $DAY = 86400;
sub day_start { $_[0] - $_[0] % $DAY }

# --- the empty page --------------------------------------------------------

{
    my $html = home('empty store: GET / -> 200');
    like($html, qr/^<!doctype html>/i, 'an HTML document');
    order_is($html, 'top', 'default position (top): section order');
    banner_is($html, 'operational', 'empty page');
    ok(active_section_hidden($html),
       'active-incidents is present but hidden when there are none');
    is(scalar @{ incidents_in(page_section($html, 'active-incidents')) }, 0,
       'no active incident articles');
    ok(defined page_section($html, 'components'), 'components section present');

    my $hist = page_section($html, 'incident-history');
    ok(defined $hist, 'incident-history present');
    my @days = $hist =~ /<div class="day">(.*?)<\/div>/gs;
    is(scalar @days, 14, '14 day blocks in the incident history');
    my $today = day_start(time);
    my @dates = map { /<h3><time datetime="([^"]+)" data-d>/ ? $1 : 'none' } @days;
    is_deeply(\@dates, [ map { epoch_to_rfc3339($today - $_ * $DAY) } 0 .. 13 ],
              'days are today and the 13 before, newest first, as <time datetime data-d>');
    is(scalar(grep { /No incidents reported\./ } @days), 14,
       'every quiet day says "No incidents reported."');
}

# --- methods --------------------------------------------------------------

{
    my $get = $t->page('/');
    my $head = $t->page('/', method => 'HEAD');
    is_status($head, 200, 'HEAD / -> 200');
    is($head->{content}, '', 'HEAD has no body');
    is($head->{headers}{etag}, $get->{headers}{etag}, 'HEAD carries the same ETag');
    like($head->{headers}{'content-type'} // '', qr{^text/html}, 'HEAD: Content-Type');

    for my $m (qw(POST PUT DELETE PATCH)) {
        my $r = $t->api($m => '/', {x => 1}, token => undef);
        is_status($r, 405, "$m / -> 405");
        like($r->{headers}{allow} // '', qr/^GET, HEAD$/, "$m /: Allow: GET, HEAD");
    }
}

# --- the seed: API and Dashboard, a major incident naming both ---------------

my $api  = $t->create_component(name => 'API');
my $dash = $t->create_component(name => 'Dashboard');
is_deeply([$api->{id}, $dash->{id}], [1, 2], 'the seed components are ids 1 and 2');

{
    my $html = home('two components');
    comp_status_is($html, 1, 'operational', 'API operational before the incident');
    comp_status_is($html, 2, 'operational', 'Dashboard operational before the incident');
    banner_is($html, 'operational', 'two operational components');
    like($html, qr/<span class="name">API<\/span>/, 'the API component is named');
}

my $seed = $t->create_incident(
    title       => 'Database connectivity issues',
    status      => 'investigating',
    impact      => 'major',
    message     => 'We are investigating reports of database issues.',
    componentIds => [1, 2],
);

{
    my $html = home('seed incident open');
    comp_status_is($html, 1, 'partial_outage', 'API partial_outage while the incident is open');
    comp_status_is($html, 2, 'partial_outage', 'Dashboard partial_outage while the incident is open');
    banner_is($html, 'partial_outage', 'seed incident');
    ok(!active_section_hidden($html), 'active-incidents is not hidden');
    my $active = page_section($html, 'active-incidents');
    my $incs = incidents_in($active);
    is(scalar @$incs, 1, 'one active incident article');
    fields_are($incs->[0], {'data-incident-id' => $seed->{id},
                            'data-status' => 'investigating',
                            'data-impact' => 'major'},
               'the active incident carries its id, status and impact');
    my $text = html_text($active);
    like($text, qr/Database connectivity issues/, 'active incident: title');
    like($text, qr/Major impact/, 'active incident: impact');
    like($text, qr/Investigating/, 'active incident: status label');
    like($text, qr/API, Dashboard/, 'active incident: affected components');
    like($text, qr/We are investigating reports of database issues\./,
         'active incident: its latest update');
    like($active, qr{href="/incidents/$seed->{id}"}, 'active incident links to its page');
    page_matches_api($html, 'page statuses match the API');

    # listed in the history under today
    my $hist = page_section($html, 'incident-history');
    my ($first_day) = $hist =~ /(<div class="day">.*?)(?=<div class="day">)/s;
    is_deeply([ map { $_->{'data-incident-id'} } @{ incidents_in($first_day) } ],
              [$seed->{id}], "today's history lists the incident");
    unlike($first_day // '', qr/No incidents reported/, 'today is not quiet');

    for my $pos (qw(top below_status below_components)) {
        settings({incidentPosition => $pos});
        order_is(home(), $pos, "$pos: section order with an active incident");
    }
}

$t->post_update($seed->{id}, status => 'identified',
                message => 'Connection pool exhaustion.');
{
    my $html = home();
    my $incs = incidents_in(page_section($html, 'active-incidents'));
    is($incs->[0]{'data-status'}, 'identified', 'data-status follows the update');
    like(html_text(page_section($html, 'active-incidents')),
         qr/Connection pool exhaustion\./, 'the latest update is shown');
    unlike(html_text(page_section($html, 'active-incidents')),
           qr/We are investigating reports/, 'not an older one');
}

$t->post_update($seed->{id}, status => 'resolved', message => 'Fixed.');
{
    my $html = home('seed incident resolved');
    comp_status_is($html, 1, 'operational', 'API operational after resolving');
    comp_status_is($html, 2, 'operational', 'Dashboard operational after resolving');
    banner_is($html, 'operational', 'resolved');
    ok(active_section_hidden($html), 'active-incidents hidden again');
    is(scalar @{ incidents_in(page_section($html, 'active-incidents')) }, 0,
       'no active incident article');
    my $hist = incidents_in(page_section($html, 'incident-history'));
    is(scalar(grep { $_->{'data-incident-id'} eq $seed->{id}
                     && $_->{'data-status'} eq 'resolved' } @$hist), 1,
       'the resolved incident stays in the history, marked resolved');
    for my $pos (qw(top below_status below_components)) {
        settings({incidentPosition => $pos});
        order_is(home(), $pos, "$pos: section order without active incidents");
    }
    settings({incidentPosition => 'top'});
}

# --- groups ------------------------------------------------------------------

my $group = $t->create_component(name => 'Platform');
my $m1 = $t->create_component(name => 'Database', groupId => $group->{id});
my $m2 = $t->create_component(name => 'Queue', groupId => $group->{id});

{
    my $html = home('a group with two members');
    my $g = comp_tag($html, $group->{id});
    ok($g, 'the group carries data-component-id');
    is($g && $g->{'data-status'}, 'operational', 'group operational');
    is($g && $g->{_tag}, 'li', 'the group is an <li>');
    my $li = $g ? page_element_html($html, $g->{_pos}) : '';
    like($li, qr/^<li class="comp"[^>]*><details open><summary>/,
         'the group is a collapsible <details open><summary>');
    my ($nested) = $li =~ /(<ul class="comps">.*<\/ul>)/s;
    ok($nested, 'the group has a nested <ul class="comps">');
    is_deeply([ map { $_->{'data-component-id'} }
                    @{ page_elements($nested // '', 'data-component-id') } ],
              [$m1->{id}, $m2->{id}], 'the nested list holds the members in order');
    is(scalar(() = $html =~ /data-component-id="$m1->{id}"/g), 1,
       'a member is shown once, inside its group');
    my @top = map { $_->{'data-component-id'} }
              grep { $_->{_pos} <= ($g ? $g->{_pos} : 0)
                     || $_->{_pos} >= ($g ? $g->{_pos} + length $li : 0) }
              @{ page_elements($html, 'data-component-id') };
    is_deeply(\@top, [1, 2, $group->{id}], 'top level: API, Dashboard, the group');
}

{
    my $r = $t->api(PATCH => "/api/v1/components/$m1->{id}",
                    {baseStatus => 'degraded_performance'});
    is_status($r, 200, 'member baseStatus degraded_performance');
    my $html = home();
    comp_status_is($html, $m1->{id}, 'degraded_performance', 'member degraded');
    comp_status_is($html, $group->{id}, 'degraded_performance',
                   'the group shows the worst of its members');
    comp_status_is($html, $m2->{id}, 'operational', 'the other member stays operational');
    banner_is($html, 'degraded_performance', 'a degraded member');

    my $inc = $t->create_incident(title => 'Queue backlog', impact => 'critical',
                                  componentIds => [$m2->{id}]);
    $html = home();
    comp_status_is($html, $m2->{id}, 'partial_outage', 'member linked to an incident');
    comp_status_is($html, $group->{id}, 'partial_outage', 'group: worst of members');
    comp_status_is($html, 1, 'operational', 'unrelated component untouched');
    banner_is($html, 'partial_outage', 'incident on a member');
    my $incs = incidents_in(page_section($html, 'active-incidents'));
    is($incs->[0]{'data-impact'}, 'critical', 'data-impact critical');
    page_matches_api($html, 'page statuses match the API (group)');

    $r = $t->api(PATCH => "/api/v1/components/1", {baseStatus => 'major_outage'});
    is_status($r, 200, 'API baseStatus major_outage');
    $html = home();
    comp_status_is($html, 1, 'major_outage', 'major_outage shown');
    banner_is($html, 'major_outage', 'a major outage');

    $r = $t->api(PATCH => "/api/v1/components/1", {baseStatus => 'under_maintenance'});
    $r = $t->api(PATCH => "/api/v1/components/$m1->{id}", {baseStatus => 'operational'});
    $t->post_update($inc->{id}, status => 'resolved', message => 'Drained.');
    $html = home();
    comp_status_is($html, 1, 'under_maintenance', 'under_maintenance shown');
    comp_status_is($html, $group->{id}, 'operational', 'group operational again');
    banner_is($html, 'under_maintenance', 'maintenance only');
    page_matches_api($html, 'page statuses match the API (maintenance)');
    $r = $t->api(PATCH => "/api/v1/components/1", {baseStatus => 'operational'});
    banner_is(home(), 'operational', 'all operational');
}

# --- impact and status markers -------------------------------------------------

{
    my %made;
    my @st = qw(investigating identified monitoring);
    my $k = 0;
    for my $impact (qw(critical major minor none)) {
        my $i = $t->create_incident(title => "Impact $impact", impact => $impact,
                                    status => $st[$k++ % 3]);
        $made{$i->{id}} = [$i->{status}, $impact];
    }
    my $html = home();
    my $incs = incidents_in(page_section($html, 'active-incidents'));
    my %got = map { $_->{'data-incident-id'} => [$_->{'data-status'}, $_->{'data-impact'}] }
              @$incs;
    is_deeply(\%got, \%made, 'every active incident with its data-status and data-impact');
    like(html_text(page_section($html, 'active-incidents')),
         qr/Minimal impact/, 'impact none is labelled Minimal');
    for my $id (keys %made) {
        $t->post_update($id, status => 'resolved', message => 'ok');
    }
    ok(active_section_hidden(home()), 'all resolved: active-incidents hidden');
}

# --- the 14 days: incidents under the day they started ------------------------

{
    my $now = time;
    my $started = $now - 3 * $DAY;
    my $old = $t->create_incident(title => 'Three days ago', status => 'resolved',
                                  impact => 'minor',
                                  startedAt => epoch_to_rfc3339($started),
                                  message => 'Recorded after the fact.');
    my $html = home();
    my $hist = page_section($html, 'incident-history');
    my %by_day;
    for my $day ($hist =~ /(<div class="day">.*?)(?=<div class="day">|<p><a href)/gs) {
        my ($date) = $day =~ /<time datetime="([^"]+)" data-d>/;
        $by_day{$date} = [ map { $_->{'data-incident-id'} } @{ incidents_in($day) } ];
    }
    is(scalar keys %by_day, 14, '14 days');
    my $want_day = epoch_to_rfc3339(day_start($started));
    is_deeply($by_day{$want_day}, [$old->{id}],
              'a backdated incident is listed under the day it started');
    my @elsewhere = grep { $_ ne $want_day && grep { $_ == $old->{id} } @{ $by_day{$_} } }
                    keys %by_day;
    is_deeply(\@elsewhere, [], 'and under no other day');
    for my $d (grep { !@{ $by_day{$_} } } keys %by_day) {
        like($hist, qr/<time datetime="\Q$d\E" data-d>[^<]*<\/time><\/h3><p class="quiet">No incidents reported\.<\/p>/,
             "quiet day $d says so") or last;
    }
}

# --- settings on the page ------------------------------------------------------

{
    settings({pageTitle => 'Acme Cloud Status', logoUrl => 'https://acme.example/logo.png',
              accentColor => '#2f6feb', timezone => 'Europe/Paris',
              footerLinks => [{label => 'Acme home', url => 'https://acme.example/'},
                              {label => 'Support', url => '/support'}]});
    my $html = home();
    like($html, qr{<title>Acme Cloud Status</title>}, 'pageTitle in <title>');
    like($html, qr{<h1[^>]*>Acme Cloud Status</h1>}, 'pageTitle in the heading');
    like($html, qr{<img src="https://acme\.example/logo\.png"}, 'logo shown');
    like($html, qr{--ac:#2f6feb}, 'accent colour applied');
    like($html, qr{<body[^>]* data-tz="Europe/Paris"}, 'body carries data-tz');
    my ($footer) = $html =~ /<footer\b[^>]*>(.*?)<\/footer>/s;
    like($footer // '', qr{<a href="https://acme\.example/">Acme home</a>},
         'footer link 1');
    like($footer // '', qr{<a href="/support">Support</a>}, 'footer link 2');

    for my $bad ({logoUrl => 'javascript:alert(1)'}, {accentColor => 'red;x:y'},
                 {footerLinks => [{label => 'x', url => 'javascript:alert(1)'}]},
                 {timezone => '"><b>'}, {incidentPosition => 'sideways'}) {
        my $r = $t->api(PATCH => '/api/v1/settings', $bad);
        is_status($r, 422, 'PATCH settings rejects ' . encode_json($bad));
    }
    unlike(home(), qr/javascript:/i, 'no javascript: URL reached the page');
    settings({logoUrl => '', accentColor => '', timezone => '', footerLinks => [],
              pageTitle => 'Status'});
    my $h2 = home();
    unlike($h2, qr/<img src=/, 'no logo once cleared');
    unlike($h2, qr/ data-tz=/, 'no data-tz once cleared');
}

# --- escaping: hostile names, titles, messages, settings --------------------

my $XSS = '<script>alert(1)</script>';
my $IMG = '"><img src=x onerror=alert(1)>';

# the start tags of an HTML text: [name, {attr => value}], values quoted
# or not, parsed the way a browser tokenizes them
sub start_tags {
    my ($html) = @_;
    my @tags;
    while ($html =~ /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g) {
        my ($name, $attrs, %a) = (lc $1, $2);
        while ($attrs =~ /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g) {
            $a{lc $1} = $2 // $3 // $4 // '';
        }
        push @tags, [$name, \%a];
    }
    return \@tags;
}

# the hostile strings must never turn into markup: no <script> but the
# page's own, no <img> but the logo, no on* attribute, no javascript: URL,
# and no bare &
sub no_raw {
    my ($html, $where, $logo) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $body = $html;
    $body =~ s{<script>\(function\(\)\{.*?</script>}{}s;   # the page's own script
    my @why;
    for my $tag (@{ start_tags($body) }) {
        my ($name, $a) = @$tag;
        next if $name eq 'img' && defined $logo && html_unescape($a->{src} // '') eq $logo
                && keys %$a == 2 && exists $a->{alt};
        push @why, "a <$name> element" if $name eq 'script' || $name eq 'img'
                                          || $name eq 'iframe';
        push @why, "<$name> has an event handler attribute"
            if grep { /^on/ } keys %$a;
        push @why, "<$name> has a javascript: URL"
            if grep { defined $a->{$_} && html_unescape($a->{$_}) =~ /^\s*javascript:/i }
               qw(href src action formaction);
    }
    push @why, 'a bare & in the text'
        if $body =~ /&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)/;
    ok(!@why, "$where: user text stays text") or diag(join "\n", @why);
}

{
    my $c = $t->create_component(name => "Svc $IMG & $XSS",
                                 description => "Desc $XSS & more");
    settings({pageTitle => "Acme $XSS & $IMG"});
    my $inc = $t->create_incident(
        title => "Title $XSS & $IMG", impact => 'major',
        startedAt => epoch_to_rfc3339(time - 3600),
        componentIds => [$c->{id}],
        message => "**bold** and *em* & co\n\n- one\n- two\n\n"
                   . "[click](javascript:alert(1)) [ok](https://example.com/x?a=1&b=2)\n\n"
                   . "<script>alert(1)</script>\n\n$IMG\n");
    my $html = home();
    no_raw($html, 'status page');
    like($html, qr/Title &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/,
         'the title is shown escaped');
    like($html, qr/Svc &quot;&gt;&lt;img src=x onerror=alert\(1\)&gt; &amp; &lt;script&gt;/,
         'the component name is shown escaped');
    like($html, qr/aria-label="Svc &quot;&gt;&lt;img src=x onerror=alert\(1\)&gt; &amp; &lt;script&gt;alert\(1\)&lt;\/script&gt;: (?:100|\d{1,2}\.\d\d)% uptime/,
         'the component name is escaped in the uptime aria-label');
    like($html, qr{<title>Acme &lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &quot;&gt;&lt;img},
         'pageTitle escaped in <title>');
    like($html, qr{title="Acme &lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &quot;&gt;&lt;img src=x onerror=alert\(1\)&gt; \(Atom\)"},
         'pageTitle escaped in an attribute');
    like($html, qr/Desc &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; more/,
         'the description is escaped');

    my $md = page_section($html, 'active-incidents');
    like($md, qr{<strong>bold</strong>}, 'Markdown **bold** renders');
    like($md, qr{<em>em</em>}, 'Markdown *em* renders');
    like($md, qr{<ul>\s*<li>one</li>\s*<li>two</li>\s*</ul>}, 'Markdown list renders');
    like($md, qr{<a href="https://example\.com/x\?a=1&amp;b=2">ok</a>},
         'Markdown link renders with an escaped URL');
    like($md, qr{&amp; co}, 'a bare & in a message is escaped');

    my $r = $t->page("/incidents/$inc->{id}");
    is_status($r, 200, 'incident page of the hostile incident');
    no_raw($r->{content}, 'incident page');
    like($r->{content}, qr{<h1>Title &lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &quot;&gt;&lt;img},
         'incident page: title escaped in <h1>');
    like($r->{content}, qr{<title>Title &lt;script&gt;}, 'incident page: title escaped in <title>');
    like($r->{content}, qr{<strong>bold</strong>}, 'incident page: Markdown renders');

    $r = $t->page('/history');
    is_status($r, 200, 'history page');
    no_raw($r->{content}, 'history page');
    like($r->{content}, qr{Title &lt;script&gt;}, 'history: title escaped');

    # resolve it: the uptime bar of today names it in a <title>
    $t->post_update($inc->{id}, status => 'resolved', message => 'done');
    $html = home();
    no_raw($html, 'status page after resolving');
    like($html, qr{<title>[A-Z][a-z]{2} \d{1,2}, \d{4}: Partial Outage - Title &lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;</title>},
         'the uptime bar tooltip names the incident, escaped');
    settings({pageTitle => 'Status'});
}

# settings that end up in attributes and the footer
{
    settings({logoUrl => "https://cdn.example/logo.png?a=1&b='2'",
              footerLinks => [{label => "<b>Terms</b> & \"privacy\"",
                               url => "/terms?x=1&y='2'"}]});
    my $html = home();
    no_raw($html, 'logo and footer links', "https://cdn.example/logo.png?a=1&b='2'");
    like($html, qr{<img src="https://cdn\.example/logo\.png\?a=1&amp;b=&#39;2&#39;" alt="">},
         'logoUrl escaped in src');
    like($html, qr{<a href="/terms\?x=1&amp;y=&#39;2&#39;">&lt;b&gt;Terms&lt;/b&gt; &amp; &quot;privacy&quot;</a>},
         'footer link label and url escaped');
    unlike($html, qr{<b>Terms}, 'no raw markup from a footer label');
    settings({logoUrl => '', footerLinks => []});
}

# --- a prefixed location --------------------------------------------------------

{
    my $p = IncidentTest->new(status_page => '/status/')->start;
    my $inc = $p->create_incident(title => 'Prefixed', impact => 'minor');
    my $r = $p->page('/status/');
    is_status($r, 200, 'GET /status/ -> 200');
    like($r->{content}, qr{href="/status/incidents/$inc->{id}"},
         'incident links are under the prefix');
    like($r->{content}, qr{href="/status/history"}, 'history link under the prefix');
    like($r->{content}, qr{href="/status/feed\.atom"}, 'feed link under the prefix');
    unlike($r->{content}, qr{href="/(?:incidents|history|feed)}, 'no link outside the prefix');
    is_status($p->page("/status/incidents/$inc->{id}"), 200, 'GET /status/incidents/ID -> 200');
    is_status($p->page('/status/history'), 200, 'GET /status/history -> 200');
    is_status($p->page('/status/nope'), 404, 'GET /status/nope -> 404');
    $p->stop;
}

$t->stop;
done_testing;
