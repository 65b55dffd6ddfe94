# The incident permalink (/incidents/{id}): title, impact, status,
# affected components, the timeline oldest -> newest, duration and
# resolution time; 404s for unknown incidents and paths; /history grouped
# by month and paginated with rel="next" links.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use POSIX ();
use IncidentTest qw(:DEFAULT :page);

my $t = IncidentTest->new(status_page => '/')->start;

my @MONTHS = qw(January February March April May June July August
                September October November December);

sub month_of {
    my @tm = gmtime $_[0];
    return "$MONTHS[$tm[4]] " . ($tm[5] + 1900);
}

sub get_page {
    my ($path, $name) = @_;
    my $r = $t->page($path);
    is_status($r, 200, $name // "GET $path -> 200");
    return $r->{content};
}

# the <li> entries of the timeline: [{status, time, text}]
sub timeline {
    my ($html) = @_;
    my ($ol) = $html =~ m{<ol class="timeline">(.*?)</ol>}s;
    return undef unless defined $ol;
    my @items;
    for my $li ($ol =~ m{<li>(.*?)</li>(?=<li>|\z)}gs) {
        my ($status) = $li =~ m{<p class="meta"><strong>([^<]*)</strong>};
        my ($time) = $li =~ m{<time datetime="([^"]+)"};
        my ($md) = $li =~ m{<div class="md">(.*)</div>}s;
        push @items, {status => $status, time => $time, html => $md,
                      text => html_text($md // '')};
    }
    return \@items;
}

# --- an incident's page ----------------------------------------------------

my $api = $t->create_component(name => 'API');
my $web = $t->create_component(name => 'Web & Mobile');

my $started = time - 45 * 60;
my $inc = $t->create_incident(
    title => 'Login failures', impact => 'major', status => 'investigating',
    componentIds => [$api->{id}, $web->{id}],
    startedAt => epoch_to_rfc3339($started),
    message => 'We are looking into **login** failures.');
is($inc->{startedAt}, epoch_to_rfc3339($started), 'startedAt backdated 45 minutes');

{
    my $html = get_page("/incidents/$inc->{id}", 'an active incident page');
    like($html, qr{<h1>Login failures</h1>}, 'the title is the <h1>');
    like($html, qr{<title>Login failures - Status</title>}, 'and in <title>');
    my ($art) = grep { $_->{_tag} eq 'article' }
                @{ page_elements($html, 'data-incident-id') };
    fields_are($art, {'data-incident-id' => $inc->{id}, 'data-status' => 'investigating',
                      'data-impact' => 'major'}, 'incident markers');
    my $text = html_text($html);
    like($text, qr/Major impact/, 'impact badge');
    like($text, qr/Affects API, Web & Mobile/, 'affected components, by name');
    like($html, qr/Web &amp; Mobile/, 'component names escaped');
    like($html, qr{Started <time datetime="\Q$inc->{startedAt}\E">},
         'when it started, as <time datetime>');
    unlike($text, qr/Duration:/, 'no duration while active');
    unlike($text, qr/Resolved /, 'not resolved');
    my $tl = timeline($html);
    is(scalar @{ $tl || [] }, 1, 'one update in the timeline');
    like($tl->[0]{html} // '', qr{<strong>login</strong>}, 'the message is Markdown');
}

for my $u (['identified', 'Root cause: an expired *certificate*.'],
           ['monitoring', 'Certificate renewed; watching.'],
           ['resolved', 'All logins work again.']) {
    $t->post_update($inc->{id}, status => $u->[0], message => $u->[1]);
}
my $full = $t->get_json("/api/v1/incidents/$inc->{id}");

{
    ok(defined $full->{durationSeconds}
       && $full->{durationSeconds} >= 45 * 60
       && $full->{durationSeconds} < 45 * 60 + 30,
       'durationSeconds is 45 minutes and a few seconds')
        or diag("durationSeconds: " . ($full->{durationSeconds} // 'null'));

    my $html = get_page("/incidents/$inc->{id}", 'the resolved incident page');
    my $tl = timeline($html);
    is_deeply([ map { $_->{status} } @{ $tl || [] } ],
              [qw(Investigating Identified Monitoring Resolved)],
              'the timeline runs oldest -> newest with status labels');
    is_deeply([ map { $_->{text} } @{ $tl || [] } ],
              ['We are looking into login failures.',
               'Root cause: an expired certificate.',
               'Certificate renewed; watching.',
               'All logins work again.'],
              'each update with its message');
    is_deeply([ map { $_->{time} } @{ $tl || [] } ],
              [ reverse map { $_->{createdAt} } @{ $full->{updates} } ],
              'each update with its time (<time datetime>)');
    my @times = map { rfc3339_to_epoch($_->{time} // '') // 0 } @{ $tl || [] };
    ok(!grep({ $times[$_] < $times[$_ - 1] } 1 .. $#times), 'times never go back');
    like($tl->[1]{html} // '', qr{<em>certificate</em>}, 'Markdown in a later update');

    my $text = html_text($html);
    like($text, qr/Duration: 45 minutes(?![\d ]*(?:second|hour))/, 'Duration: 45 minutes');
    like($html, qr{Resolved <time datetime="\Q$full->{resolvedAt}\E">},
         'Resolved <time> with the resolution time');
    my ($art) = grep { $_->{_tag} eq 'article' }
                @{ page_elements($html, 'data-incident-id') };
    is($art && $art->{'data-status'}, 'resolved', 'data-status resolved');
    like($html, qr{<strong>Resolved</strong>}, 'the status label');
}

# fixing and deleting updates shows on the page
{
    my ($first) = grep { $_->{status} eq 'investigating' } @{ $full->{updates} };
    my ($mon) = grep { $_->{status} eq 'monitoring' } @{ $full->{updates} };
    my $r = $t->api(PATCH => "/api/v1/incidents/$inc->{id}/updates/$first->{id}",
                    {message => 'Corrected: **logins** failed.'});
    is_status($r, 200, 'PATCH an update message');
    $r = $t->api(DELETE => "/api/v1/incidents/$inc->{id}/updates/$mon->{id}");
    is_status($r, 204, 'DELETE an update');
    my $tl = timeline(get_page("/incidents/$inc->{id}"));
    is_deeply([ map { $_->{status} } @{ $tl || [] } ],
              [qw(Investigating Identified Resolved)], 'the deleted update is gone');
    is($tl->[0]{text}, 'Corrected: logins failed.', 'the corrected message is shown');
}

# reopened: no duration any more
{
    $t->post_update($inc->{id}, status => 'investigating', message => 'It is back.');
    my $html = get_page("/incidents/$inc->{id}");
    unlike(html_text($html), qr/Duration:/, 'a reopened incident has no duration');
    is(timeline($html)->[-1]{text}, 'It is back.', 'the newest update is last');
    $t->post_update($inc->{id}, status => 'resolved', message => 'Fixed for good.');
}

# longer durations: hours, days
{
    my $s = time - (2 * 3600 + 5 * 60);
    my $i = $t->create_incident(title => 'Two hours', startedAt => epoch_to_rfc3339($s));
    $t->post_update($i->{id}, status => 'resolved', message => 'done');
    like(html_text(get_page("/incidents/$i->{id}")), qr/Duration: 2 hours 5 minutes/,
         'Duration: 2 hours 5 minutes');
    $s = time - (3 * 86400 + 4 * 3600 + 60);
    $i = $t->create_incident(title => 'Three days', startedAt => epoch_to_rfc3339($s));
    $t->post_update($i->{id}, status => 'resolved', message => 'done');
    like(html_text(get_page("/incidents/$i->{id}")), qr/Duration: 3 days 4 hours/,
         'Duration: 3 days 4 hours');
}

# an incident without updates
{
    my $i = $t->create_incident(title => 'Silent');
    my $html = get_page("/incidents/$i->{id}");
    like($html, qr{<ol class="timeline">}, 'a timeline even without updates');
    like(html_text($html), qr/No updates yet/, 'saying there are none');
}

# --- 404 --------------------------------------------------------------------

{
    my $gone = $t->create_incident(title => 'To be deleted');
    is_status($t->api(DELETE => "/api/v1/incidents/$gone->{id}"), 204, 'delete an incident');

    for my $path ('/incidents/999999', "/incidents/$gone->{id}", '/incidents/0',
                  '/incidents/abc', '/incidents/', '/incidents/1x',
                  "/incidents/$inc->{id}/", '/incidents/-1',
                  '/incidents/99999999999999999999999', '/nope', '/index.html',
                  '/history/2', '/feed', '/feed.xml', '/live/x', '/api') {
        my $r = $t->page($path);
        is_status($r, 404, "GET $path -> 404");
        like($r->{headers}{'content-type'} // '', qr{^text/html}i, "$path: an HTML 404");
        like($r->{content}, qr/Not found/, "$path: says Not found");
    }
    my $r = $t->page('/incidents/999999', method => 'HEAD');
    is_status($r, 404, 'HEAD of an unknown incident -> 404');
    is_status($t->page("/incidents/$inc->{id}?utm=x"), 200,
              'a query string does not change the incident page');
}

# --- /history ----------------------------------------------------------------

# the history pages from /history on, following rel="next"; returns a list
# of pages: {path, ids => [...], months => [[heading, [ids]], ...]}
sub walk_history {
    my (@pages, %seen);
    my $path = '/history';
    while (defined $path) {
        if ($seen{$path}++ || @pages > 50) {
            fail("history pagination terminates ($path repeats)");
            last;
        }
        my $html = get_page($path);
        my @months;
        my ($main) = $html =~ m{<main\b[^>]*>(.*)</main>}s;
        for my $sec (($main // '') =~ m{(<section class="month">.*?</section>)}gs) {
            my ($h) = $sec =~ m{<h2>([^<]*)</h2>};
            push @months, [$h, [ map { $_->{'data-incident-id'} }
                                 grep { $_->{_tag} eq 'article' }
                                 @{ page_elements($sec, 'data-incident-id') } ]];
        }
        my @ids = map { $_->{'data-incident-id'} }
                  grep { $_->{_tag} eq 'article' }
                  @{ page_elements($main // '', 'data-incident-id') };
        push @pages, {path => $path, ids => \@ids, months => \@months, html => $html};

        my ($next) = grep { ($_->{rel} // '') eq 'next' && $_->{_tag} eq 'a' }
                     @{ page_elements($html, 'href') };
        $path = $next ? html_unescape($next->{href}) : undef;
        if ($next) {
            like($html, qr{<a rel="next"[^>]*>Older incidents}, 'the next link says "Older incidents"');
            like($path, qr{^/history\?cursor=[^&]+$}, 'the next link is /history?cursor=...');
        }
    }
    return \@pages;
}

{
    # 60 incidents, ids and start times in the same order, spread over
    # about 10 months
    my $now = time;
    for my $k (1 .. 60) {
        my $s = $now - (61 - $k) * 5 * 86400;
        my $r = $t->api(POST => '/api/v1/incidents',
                        {title => "Past $k", status => 'resolved', impact => 'minor',
                         startedAt => epoch_to_rfc3339($s), message => "Report $k"});
        $r->{status} == 201 or fail("create past incident $k") && diag($r->{content});
    }
    my $all = $t->list_all('/api/v1/incidents', limit => 100);
    my %started = map { $_->{id} => rfc3339_to_epoch($_->{startedAt}) } @$all;

    my $pages = walk_history();
    my @ids = map { @{ $_->{ids} } } @$pages;
    my %count;
    $count{$_}++ for @ids;
    is(scalar(grep { $count{$_} > 1 } keys %count), 0, 'no incident on two history pages');
    is_deeply([ sort { $a <=> $b } keys %count ], [ sort { $a <=> $b } map { $_->{id} } @$all ],
              'the walk shows every incident');
    is(scalar @$pages, POSIX::ceil(@$all / 25), 'pages of 25');
    is(scalar @{ $pages->[0]{ids} }, 25, 'the first page has 25 incidents');
    ok(!grep({ @{ $_->{ids} } > 25 } @$pages), 'no page has more than 25');
    unlike($pages->[-1]{html}, qr/rel="next"/, 'the last page has no next link');
    like($pages->[0]{html}, qr{<h1>Incident history</h1>}, 'the history page heading');

    my @bad;
    for my $p (@$pages) {
        my $in_months = [ map { @{ $_->[1] } } @{ $p->{months} } ];
        push @bad, "$p->{path}: incidents outside a month section"
            unless "@$in_months" eq "@{ $p->{ids} }";
        for my $m (@{ $p->{months} }) {
            push @bad, "$p->{path}: heading '$m->[0]' is not like 'November 2026'"
                unless $m->[0] =~ /^(?:@{[ join '|', @MONTHS ]}) \d{4}$/;
            for my $id (@{ $m->[1] }) {
                push @bad, "incident $id (started " . epoch_to_rfc3339($started{$id})
                           . ") under '$m->[0]'"
                    unless month_of($started{$id}) eq $m->[0];
            }
        }
    }
    my %api = map { $_->{id} => $_ } @$all;
    for my $p (@$pages) {
        for my $e (grep { $_->{_tag} eq 'article' }
                   @{ page_elements($p->{html}, 'data-incident-id') }) {
            my $i = $api{ $e->{'data-incident-id'} } or next;
            push @bad, "incident $i->{id}: data-status $e->{'data-status'}, data-impact "
                       . "$e->{'data-impact'}; API $i->{status}, $i->{impact}"
                unless $e->{'data-status'} eq $i->{status}
                       && $e->{'data-impact'} eq $i->{impact};
        }
    }
    ok(!@bad, 'every incident is under the heading of the month it started, with its markers')
        or diag(join "\n", @bad);
    my %months = map { $_->[0] => 1 } map { @{ $_->{months} } } @$pages;
    ok(keys %months >= 10, 'about ten months of headings (' . scalar(keys %months) . ')');

    my %past = map { $_->{id} => 1 } grep { $_->{title} =~ /^Past \d+$/ } @$all;
    my @order = map { $started{$_} } grep { $past{$_} } @ids;
    ok(!grep({ $order[$_] > $order[$_ - 1] } 1 .. $#order),
       'history runs newest first');

    # a past incident recorded after the fact (created last, started in an
    # earlier month) belongs with that month, not at the top
    my $back = $now - 200 * 86400;
    my $late = $t->create_incident(title => 'Recorded late', status => 'resolved',
                                   impact => 'minor', startedAt => epoch_to_rfc3339($back));
    $pages = walk_history();
    @ids = map { @{ $_->{ids} } } @$pages;
    $started{$late->{id}} = $back;
    # a month cut by a page boundary is headed again at the top of the
    # next page; anywhere else a heading appears once
    my %heads;
    for my $k (0 .. $#$pages) {
        my @m = map { $_->[0] } @{ $pages->[$k]{months} };
        shift @m if $k > 0 && @m && @{ $pages->[$k - 1]{months} }
                    && $pages->[$k - 1]{months}[-1][0] eq $m[0];
        $heads{$_}++ for @m;
    }
    is_deeply([ grep { $heads{$_} > 1 } sort keys %heads ], [],
              'a backdated incident: each month heading appears once across the history')
        or diag("history ids in order: @ids");
    @order = map { $started{$_} } @ids;
    ok(!grep({ $order[$_] > $order[$_ - 1] } 1 .. $#order),
       'a backdated incident: the history still runs newest first by start time')
        or diag("ids in history order: @ids[0 .. 4] ...");

    for my $q ('cursor=abc', 'cursor=-5', 'cursor=0x10') {
        my $r = $t->page("/history?$q");
        ok($r->{status} >= 400 && $r->{status} < 500, "GET /history?$q -> 4xx")
            or diag("got $r->{status}");
    }
}

$t->stop;
done_testing;
