# Every output context escapes hostile input.  One set of hostile strings
# (markup, attribute breakers in both quote styles, "]]>", "&amp;", CR LF,
# U+2028/U+2029, emoji, javascript:/data: links and raw HTML in Markdown,
# Slack and Discord mention syntax) goes into incident titles and
# messages, component names and descriptions, maintenance titles and
# messages, the page title, subscriber addresses and webhook URLs; then
# every place that shows them is read back by a parser:
#   - HTML: the status page, incident and maintenance pages, history, the
#     subscribe/confirm/unsubscribe pages, the admin pages (subscribers,
#     maintenance, dead letters...): tokenized the way a browser does, no
#     element or attribute from the input, no javascript: URL, and the
#     text reads back exactly;
#   - XML: Atom, RSS and the SVG badges through python3's XML parser;
#   - iCalendar: /maintenance.ics lines, no injected component;
#   - JSON: /api/v1 and /api/v2 documents, webhook, Slack and Discord
#     bodies: valid, and the strings round-trip exactly;
#   - mail: headers (no injected header, one Subject, the envelope
#     untouched) and the HTML part (escaped, Markdown safe);
#   - HTTP headers of every answer: nothing injected.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Encode ();
use File::Temp ();
use JSON::PP ();
use Time::HiRes qw(time sleep);
use IncidentTest qw(:DEFAULT :page);
use SmtpSink;
use WebhookReceiver;

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $PUBLIC = 'https://status.example.com';
my $JSON   = JSON::PP->new->utf8->canonical;

# --- the hostile strings --------------------------------------------------------

my $SCRIPT = '<script>alert(1)</script>';
my $IMG    = '"><img src=x onerror=alert(2)>';
my $SQ     = "' onmouseover='alert(3)' x='";
my $TAIL   = "]]> &amp; &lt;b&gt; \x{2028}\x{2029} \x{1F525}\x{1F4A5} \@everyone <!channel> <\@123>";

my %H = (
    # component names: at most 100 characters
    comp_name  => "C $SCRIPT$IMG$SQ]]>&amp;\x{2028}\x{1F525}",
    comp_desc  => "Desc </textarea></title>$SCRIPT $IMG $SQ $TAIL",
    group_name => "G <svg onload=alert(4)> $SQ",
    title      => "Title $SCRIPT $IMG $SQ $TAIL",
    page_title => "Page $SCRIPT $IMG $SQ ]]> &amp; \x{1F525}",
    maint      => "Maint $SCRIPT $IMG $SQ $TAIL",
);
# Markdown: raw HTML, javascript:/data:/vbscript: links and images, an
# autolink, mention syntax
my $MESSAGE = join "\n\n",
    "Msg $SCRIPT $IMG $SQ $TAIL",
    '[js](javascript:alert(5)) [JS](JaVaScRiPt:alert(6)) '
    . '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==) '
    . '[vb](vbscript:msgbox(8)) [ent](&#106;avascript:alert(9)) '
    . '<javascript:alert(10)> ![i](javascript:alert(11))',
    '<a href="javascript:alert(12)">raw link</a> <img src=x onerror=alert(13)>',
    '<iframe src="//evil.example/"></iframe><style>body{display:none}</style>',
    '[ok](https://example.com/?a=1&b="2"\'3) **bold**';
my $MAINT_MSG = "Maint msg $SCRIPT $IMG $SQ $TAIL\n\n[js](javascript:alert(14))";
# for the mail and HTTP header checks: line breaks in a title
my $CRLF_TITLE = "Outage\r\nBcc: evil\@example.org\r\nX-Injected: yes\r\n\r\nbody";

# the markers that must never appear as markup (compared on parsed tags)
my @JS_SCHEMES = qr/^\s*(?:javascript|vbscript|data):/i;

# --- setup ----------------------------------------------------------------------

my $sink = SmtpSink->new->start;
my $rx = WebhookReceiver->new(script => { '*' => [ [200] ] });

my $t = IncidentTest->new(
    workers     => 1,
    status_page => '/',
    http_extra  => join("\n    ",
        'incident_smtp ' . $sink->url . ';',
        "incident_public_url $PUBLIC;",
        'incident_mail_from "Example Status <status@example.com>";',
        'incident_webhook_allow_private on;',
        'incident_notify_retries 2 base=1s max=1s;'),
)->with_admin(users => { alice => 'alice-pw' })->start;

# every answer's headers: nothing from the input became a header
my @ANSWERS;
sub req {
    my $r = $t->api(@_);
    push @ANSWERS, $r;
    return $r;
}
sub page_get {
    my ($path) = @_;
    my $r = $t->page($path);
    push @ANSWERS, $r;
    return $r;
}
sub admin_get {
    my ($path) = @_;
    my $r = $t->admin_get($path);
    push @ANSWERS, $r;
    return $r;
}

sub chars { my $b = shift; my $c = eval { Encode::decode('UTF-8', $b, Encode::FB_CROAK()) };
            return $c // Encode::decode('UTF-8', $b) }

# the start tags of HTML, tokenized as a browser does ("..." '...' or bare
# values, attributes without values); [name, {attr => value}, raw]
sub start_tags {
    my ($html) = @_;
    my @tags;
    # comments hide nothing from us: drop them first
    (my $h = $html) =~ s/<!--.*?-->//gs;
    while ($h =~ /<([a-zA-Z][^\s\/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g) {
        my ($name, $attrs, $raw) = (lc $1, $2, $&);
        my %a;
        while ($attrs =~ /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g) {
            $a{lc $1} //= $2 // $3 // $4 // '';
        }
        push @tags, [$name, \%a, $raw];
    }
    return \@tags;
}

# no markup from the input: no <script> (but the page's own, listed in
# OWN as exact bodies or src values), no <img>/<iframe>/<svg>/<style>/
# <object>/<embed> (but the allowed img), no on* attribute, no
# javascript:/data:/vbscript: URL, no bare "&"; OK returns the reasons
sub markup_problems {
    my ($html, %o) = @_;
    my @why;
    my $body = $html;
    # the page's own scripts: inline ones must not carry input
    while ($body =~ m{<script\b([^>]*)>(.*?)</script>}gis) {
        my ($attrs, $code) = ($1, $2);
        push @why, "a <script> carries input ($code)"
            if $code =~ /alert\(|onerror|onmouseover|\x{2028}|Comp |Title |Msg /;
        push @why, "a <script src> that is not the module's ($attrs)"
            if $attrs =~ /\bsrc\s*=\s*"([^"]*)"/ && $1 !~ m{^/[\w/.-]*admin\.js\z};
    }
    $body =~ s{<script\b[^>]*>.*?</script>}{}gis;
    # the page's own style sheet is the one in <head>
    my ($head, $rest) = $body =~ m{^(.*?</head>)(.*)\z}s ? ($1, $2) : ('', $body);
    push @why, 'a <style> element outside <head>' if $rest =~ /<style\b/i;
    my %svg = map { $_ => 1 } qw(svg defs symbol path g circle rect pattern use title text tspan line polyline
                                 lineargradient stop clippath mask desc);
    for my $tag (@{ start_tags($body) }) {
        my ($name, $a, $raw) = @$tag;
        push @why, "a <$name> element ($raw)"
            if $name =~ /^(?:script|iframe|frame|object|embed|math|base|meta|foreignobject|animate|set)\z/
               && !($name eq 'meta' && (exists $a->{charset} || ($a->{name} // '') =~ /^(?:viewport|description|color-scheme|theme-color|referrer|robots)\z/));
        push @why, "an <$name> element from the input ($raw)"
            if $name eq 'svg' && grep { /^on/ } keys %$a;
        # a Markdown image keeps only an http(s) URL, or none
        push @why, "an <img> element ($raw)"
            if $name eq 'img' && (grep({ !/^(?:src|alt)\z/ } keys %$a)
                                  || html_unescape($a->{src} // '') !~ m{^(?:https?://[^\s"'<>]*|)\z});
        for my $k (keys %$a) {
            push @why, "<$name> has an event handler $k ($raw)" if $k =~ /^on/;
            push @why, "<$name> has an attribute x from the input ($raw)"
                if $k eq 'x' && !$svg{$name};
        }
        for my $k (qw(href src action formaction xlink:href poster background)) {
            next unless defined $a->{$k};
            my $v = html_unescape($a->{$k});
            $v =~ s/[\x00-\x20]//g;
            next if $name eq 'link' && $v eq 'data:,';        # the empty favicon
            push @why, "<$name $k> is a script URL ($raw)" if $v =~ $JS_SCHEMES[0];
        }
    }
    push @why, 'a bare & in the text'
        if $body =~ /&(?![a-zA-Z][a-zA-Z0-9]*;|#\d+;|#x[0-9a-fA-F]+;)/;
    return @why;
}

sub html_ok {
    my ($html, $name, %o) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why = markup_problems($html, %o);
    ok(!@why, "$name: the input stays text") or diag(join "\n", @why);
}

# the unescaped text of the HTML contains STRING (characters), white space
# compared loosely (U+2028 and line breaks are white space in HTML text)
sub norm { my $s = shift; $s =~ s/[\s\x{2028}\x{2029}]+/ /g; $s =~ s/^ | $//g; $s }
sub text_has {
    my ($html, $string, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $text = norm(html_text(chars($html)));
    ok(index($text, norm($string)) >= 0, $name)
        or diag("not found: " . norm($string) . "\nin: " . substr($text, 0, 3000));
}

# well-formed XML (python3's parser); returns the parse error or ''
my $XML_PY = "import sys,xml.etree.ElementTree as E\n"
           . "E.fromstring(sys.stdin.buffer.read())\n";
sub xml_error {
    my ($xml) = @_;
    my $dir = File::Temp::tempdir('esc-xml-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    IncidentTest::write_file("$dir/x.py", $XML_PY);
    IncidentTest::write_file("$dir/x.xml", $xml);
    my $out = `/usr/bin/python3 $dir/x.py < $dir/x.xml 2>&1`;
    return $? == 0 ? '' : ($out || "python3 exited with $?");
}

sub strict_json {
    my ($bytes) = @_;
    return eval { JSON::PP->new->utf8->decode($bytes) };
}

# --- the data -------------------------------------------------------------------

is_status(req(PATCH => '/api/v1/settings', {pageTitle => $H{page_title}}), 200,
          'a hostile page title is stored');
my $group = $t->create_component(name => $H{group_name});
my $comp = $t->create_component(name => $H{comp_name}, description => $H{comp_desc},
                                groupId => $group->{id});
is(req(GET => "/api/v1/components/$comp->{id}")->{json}{name}, $H{comp_name},
   'the component name is stored exactly');

# subscribers: a mailbox, a webhook, Slack, Discord, and a webhook whose URL
# is hostile (quotes and angle brackets are legal in its path)
my $MAIL = 'watcher@example.org';
is_status(req(POST => '/api/v1/subscribers', {type => 'email', email => $MAIL}), 201,
          'an email subscriber');
my %sub;
for my $k (qw(webhook slack discord)) {
    my $r = req(POST => '/api/v1/subscribers', {type => $k, url => $rx->url("/$k")});
    is_status($r, 201, "a $k subscriber");
    $sub{$k} = $r->{json};
}
my $EVIL_URL = $rx->url(q{/evil/"><script>alert(20)</script>'onmouseover='x'});
{
    my $r = req(POST => '/api/v1/subscribers', {type => 'webhook', url => $EVIL_URL});
    is_status($r, 201, 'a webhook whose URL carries quotes and <script>');
    $sub{evil} = $r->{json};
}
# addresses with markup: refused, or shown escaped later
my @ODD_MAIL = ('x<script>alert(21)</script>@example.org',
                q{"><img/src=x/onerror=alert(22)>@example.org},
                "a\@example.org>\r\nBcc: evil\@example.org");
my @odd_ok;
for my $a (@ODD_MAIL) {
    my $r = req(POST => '/api/v1/subscribers', {type => 'email', email => $a});
    ok($r->{status} == 201 || $r->{status} == 422,
       "an email subscriber '" . ($a =~ s/\r\n/\\r\\n/gr) . "' -> 201 or 422 ($r->{status})");
    ok($r->{status} != 201 || $a !~ /[\r\n]/, '  never with a line break in it');
    push @odd_ok, $a if $r->{status} == 201;
}

my $inc = $t->create_incident(title => $H{title}, impact => 'major', message => $MESSAGE,
                              componentIds => [$comp->{id}]);
my $iid = $inc->{id};
is(req(GET => "/api/v1/incidents/$iid")->{json}{title}, $H{title}, 'the title is stored exactly');
is(req(GET => "/api/v1/incidents/$iid")->{json}{updates}[0]{message}, $MESSAGE,
   'the message is stored exactly');
my $SECOND = "Second \x{1F525} 1 < 2 > 0";
$t->post_update($iid, status => 'identified', message => $SECOND);

# a past, resolved one for the history and the uptime tooltip
my $past = $t->create_incident(title => "Past $SCRIPT $SQ ]]>", status => 'resolved',
                               impact => 'minor', message => $MESSAGE,
                               componentIds => [$comp->{id}],
                               startedAt => epoch_to_rfc3339(time - 7200));

# a maintenance in progress and one upcoming (an ICS injection attempt)
my $ICS_TITLE = "Window\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected;x=1,\\";
my %maint;
for my $m (['now', $H{maint}, time - 600, time + 3600],
           ['later', $ICS_TITLE, time + 86400, time + 90000]) {
    my ($k, $title, $from, $until) = @$m;
    my $r = req(POST => '/api/v1/maintenances',
                {title => $title, message => $MAINT_MSG,
                 scheduledFor => epoch_to_rfc3339($from),
                 scheduledUntil => epoch_to_rfc3339($until),
                 componentIds => [$comp->{id}]});
    is_status($r, 201, "a maintenance ($k) with a hostile title");
    $maint{$k} = $r->{json};
}
is(req(GET => "/api/v1/maintenances/$maint{later}{id}")->{json}{title}, $ICS_TITLE,
   'the ICS-breaking title is stored exactly');

# one incident whose title has line breaks: mail and HTTP headers
my $crlf = req(POST => '/api/v1/incidents',
               {title => $CRLF_TITLE, status => 'investigating', impact => 'minor',
                message => "Line one\r\nBcc: evil2\@example.org\r\n\r\nbody"});
is_status($crlf, 201, 'an incident whose title has CR LF is stored (line breaks are text)');

# --- HTML pages -------------------------------------------------------------------

my $home = page_get('/');
is_status($home, 200, 'the status page');
html_ok($home->{content}, 'the status page');
text_has($home->{content}, $H{title}, 'the status page shows the very title');
text_has($home->{content}, $H{comp_name}, 'the status page shows the very component name');
text_has($home->{content}, $H{group_name}, 'the status page shows the very group name');
text_has($home->{content}, $H{maint}, 'the status page shows the very maintenance title');
# Markdown drops raw HTML (cmark safe mode) and keeps the rest as text
my $MSG_TEXT = "]]> & <b> \x{1F525}\x{1F4A5} \@everyone <!channel> <\@123>";
text_has($home->{content}, $MSG_TEXT, 'the message\'s text is shown as text');
{
    my $c = chars($home->{content});
    my ($t1) = $c =~ m{<title>(.*?)</title>}s;
    is(html_unescape($t1 // ''), $H{page_title}, '<title> is exactly the page title');
    # every attribute that carries a name holds it whole (nothing broke out)
    my @named = grep { html_unescape($_->[1]{'aria-label'} // '') =~ /^C </ }
                @{ start_tags($c) };
    ok(@named, 'an aria-label names the component');
    for my $e (@named) {
        like(norm(html_unescape($e->[1]{'aria-label'})), qr/^\Q${\ norm($H{comp_name}) }\E/,
             "  <$e->[0] aria-label> holds the whole name");
    }
    my @links = grep { $_->[0] eq 'a' } @{ start_tags($c) };
    ok(!grep({ html_unescape($_->[1]{href} // '') =~ /^\s*(?:javascript|data|vbscript):/i } @links),
       'no link on the page is a script URL');
    like($c, qr{<a href="https://example\.com/\?a=1&amp;b=(?:&quot;|%22)2(?:&quot;|%22)(?:&#39;|&#x27;|'|%27)3">ok</a>},
         'the safe Markdown link renders, its URL escaped');
    like($c, qr{<strong>bold</strong>}, 'Markdown still renders');
}

for my $p (["/incidents/$iid", $H{title}], ["/incidents/$past->{id}", $past->{title}],
           ['/history', $past->{title}], ["/maintenances/$maint{now}{id}", $H{maint}],
           ["/maintenances/$maint{later}{id}", $ICS_TITLE],
           ["/incidents/$crlf->{json}{id}", 'Outage']) {
    my ($path, $text) = @$p;
    my $r = page_get($path);
    is_status($r, 200, "GET $path");
    html_ok($r->{content}, "GET $path");
    text_has($r->{content}, $text, "GET $path shows the very title");
}
{
    my $r = page_get("/incidents/$iid");
    my ($h1) = chars($r->{content}) =~ m{<h1[^>]*>(.*?)</h1>}s;
    is(html_unescape($h1 // ''), $H{title}, 'the incident page <h1> is exactly the title');
    text_has($r->{content}, $SECOND, 'the second update reads back');
}

# the subscribe pages show the page title and the component names
{
    my $r = page_get('/subscribe');
    is_status($r, 200, 'GET /subscribe');
    html_ok($r->{content}, 'GET /subscribe');
    text_has($r->{content}, $H{comp_name}, '/subscribe lists the very component name');
    for my $q ('/subscribe/confirm?token=' . uri_escape("1.$SCRIPT"),
               '/unsubscribe?token=' . uri_escape("1.$IMG"),
               '/subscribe/confirm?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E') {
        my $x = page_get($q);
        ok($x->{status} >= 200 && $x->{status} < 500, "GET $q -> $x->{status} (not 5xx)");
        html_ok($x->{content}, "GET $q");
        unlike($x->{content}, qr/<script>alert|<img src=x/i, "GET $q does not reflect the token raw");
    }
    # a subscription with a hostile address: the answer does not reflect it raw
    my $form = IncidentTest::form_encode([email => $ODD_MAIL[0], componentIds => $comp->{id}]);
    my $s = $t->api(POST => '/subscribe', $form, token => undef,
                 content_type => 'application/x-www-form-urlencoded');
    push @ANSWERS, $s;
    ok($s->{status} < 500, "POST /subscribe with a hostile address -> $s->{status} (not 5xx)");
    html_ok($s->{content}, 'POST /subscribe with a hostile address');
}

# --- admin pages that t/82 does not visit -----------------------------------------

for my $path ('', 'incidents', "incidents/$iid", "incidents/$iid/edit", 'components',
              "components/$comp->{id}", 'settings', 'subscribers', "subscribers/$sub{evil}{id}",
              "subscribers/$sub{evil}{id}/delete", 'subscribers/new', 'dead-letters',
              'maintenance', "maintenance/$maint{now}{id}", "maintenance/$maint{now}{id}/edit",
              "maintenance/$maint{later}{id}", "maintenance/$maint{now}{id}/delete",
              'maintenance/new', "incidents/$iid?status=resolved") {
    my $r = admin_get($path);
    is_status($r, 200, "admin GET $path");
    html_ok($r->{content}, "admin GET $path");
}
{
    my $r = admin_get("subscribers/$sub{evil}{id}");
    unlike($r->{content}, qr/alert\(20\)/,
           'the admin subscriber page does not show the hostile URL path (only its origin)');
    $r = admin_get('subscribers');
    for my $a (@odd_ok) {
        text_has($r->{content}, $a, "the admin subscriber list shows '$a' as text");
    }
    $r = admin_get("maintenance/$maint{now}{id}");
    text_has($r->{content}, $H{maint}, 'the admin maintenance page shows the very title');
    $r = admin_get("maintenance/$maint{now}{id}/edit");
    my $f = IncidentTest::form_fields($r->{content});
    is(IncidentTest::form_value($f, 'title'), Encode::encode('UTF-8', $H{maint}),
       'the maintenance edit form holds the very title in its value');
    $r = admin_get("components/$comp->{id}");
    $f = IncidentTest::form_fields($r->{content});
    is(IncidentTest::form_value($f, 'description'), Encode::encode('UTF-8', $H{comp_desc}),
       'the component form holds the very description (</textarea> did not break out)');
}

# --- feeds ----------------------------------------------------------------------------

for my $feed ('/feed.atom', '/feed.rss') {
    my $r = page_get($feed);
    is_status($r, 200, "GET $feed");
    is(xml_error($r->{content}), '', "$feed is well-formed XML (python3)");
    my $f = parse_feed($r->{content});
    ok($f->{ok}, "$feed parses") or next;
    is($f->{title}, $H{page_title}, "$feed: the feed title is exactly the page title");
    my @mine = grep { ($_->{id} // '') =~ m{/incidents/$iid#} } @{ $f->{entries} };
    ok(@mine >= 2, "$feed: the hostile incident's updates are entries");
    for my $e (@mine) {
        like($e->{title} // '', qr/\Q$H{title}\E/, "$feed: an entry title holds the very title");
        my @why = markup_problems($e->{content} // '');
        ok(!@why, "$feed: the entry's HTML content keeps the input as text")
            or diag(join "\n", @why);
    }
    my ($first) = grep { ($_->{content} // '') =~ /Msg / } @mine;
    ok($first, "$feed: the first update's content is there");
    like(norm(html_text($first->{content} // '')), qr/\Q$MSG_TEXT\E/,
         "$feed: the message's text reads back as text");
    my @links = ($first->{content} // '') =~ /href="([^"]*)"/g;
    ok(!grep({ html_unescape($_) =~ /^\s*(?:javascript|data|vbscript):/i } @links),
       "$feed: no script URL in the content");
    ok(!grep({ index($_->{title} // '', "Bcc:") >= 0 && ($_->{title} // '') !~ /Outage/ } @{ $f->{entries} }),
       "$feed: the CR LF title stays one title");
}

# --- iCalendar ---------------------------------------------------------------------------

{
    my $r = page_get('/maintenance.ics');
    is_status($r, 200, 'GET /maintenance.ics');
    my $ics = $r->{content};
    like($ics, qr/\r\n\z/, 'the calendar ends with CRLF');
    ok($ics !~ /(?<!\r)\n/ && $ics !~ /\r(?!\n)/, 'no bare CR or LF');
    my $events = () = $ics =~ /^BEGIN:VEVENT\r$/mg;
    is($events, 2, 'exactly two VEVENTs: the title did not start one');
    my @summary = grep { /^SUMMARY[:;]/ } split /\r\n(?![ \t])/, $ics;
    is(scalar @summary, 2, 'two SUMMARY properties');
    ok(!grep({ /^SUMMARY:injected/ } split /\r\n/, $ics), 'no injected SUMMARY line');
    (my $unfolded = $ics) =~ s/\r\n[ \t]//g;
    my ($later) = grep { /Window/ } split /\r\n/, $unfolded;
    ok(defined $later && $later =~ /^SUMMARY:Window\\n/, 'the line break is written \\n')
        or diag($later // 'no summary with Window');
    like($later // '', qr/injected\\;x=1\\,\\\\\z/, 'and ; , \\ are escaped');
}

# --- JSON: /api/v1 and /api/v2 -----------------------------------------------------------

{
    my %want = (title => $H{title}, name => $H{comp_name}, desc => $H{comp_desc},
                maint => $H{maint}, msg => $MESSAGE);
    for my $p ('/api/v1/status', "/api/v1/incidents/$iid", '/api/v1/incidents',
               "/api/v1/components/$comp->{id}", '/api/v1/maintenances?state=all',
               '/api/v1/settings', '/api/v2/summary.json', '/api/v2/status.json',
               '/api/v2/components.json', '/api/v2/incidents.json',
               '/api/v2/incidents/unresolved.json', '/api/v2/scheduled-maintenances.json',
               '/api/v2/scheduled-maintenances/active.json') {
        my $r = req(GET => $p);
        is_status($r, 200, "GET $p");
        like($r->{headers}{'content-type'} // '', qr{^application/json}, "$p is application/json");
        my $doc = strict_json($r->{content});
        ok(defined $doc, "$p is valid UTF-8 JSON") or next;
        # every string in the document, as characters
        my @s;
        my $walk;
        $walk = sub {
            my $x = shift;
            if (ref $x eq 'HASH') { $walk->($_) for values %$x }
            elsif (ref $x eq 'ARRAY') { $walk->($_) for @$x }
            elsif (defined $x && !JSON::PP::is_bool($x)) { push @s, $x }
        };
        $walk->($doc);
        my %has = map { $_ => 1 } @s;
        my @found = grep { $has{$want{$_}} } sort keys %want;
        ok(@found, "$p: the hostile strings round-trip exactly (@found)")
            unless $p =~ m{/settings|/status\.json|unresolved};
        ok(!grep({ /&lt;|&amp;lt;|&#/ && !/&lt;b&gt;/ } @s),
           "$p: JSON strings are not HTML-escaped (they are data)");
    }
    my $v2 = strict_json(req(GET => '/api/v2/summary.json')->{content}) || {};
    is($v2->{page}{name}, $H{page_title}, '/api/v2: page.name is exactly the page title');
    my ($c) = grep { $_->{name} eq $H{comp_name} } @{ $v2->{components} || [] };
    ok($c, '/api/v2: the component name is exact');
    is($c && $c->{description}, $H{comp_desc}, '/api/v2: and its description');
    my ($i) = grep { $_->{name} eq $H{title} } @{ $v2->{incidents} || [] };
    ok($i, '/api/v2: the incident name is exact');
    ok($i && grep({ ($_->{body} // '') eq $MESSAGE } @{ $i->{incident_updates} || [] }),
       '/api/v2: the update body is exactly the message');
}

# --- badges -------------------------------------------------------------------------------

for my $p ('/badge.svg', "/components/$comp->{id}/badge.svg", "/components/$group->{id}/badge.svg",
           '/badge.svg?label=' . uri_escape(Encode::encode('UTF-8', "]]>$IMG\x{2028}\x{1F525}")),
           '/badge.svg?style=flat-square&label=' . uri_escape('<![CDATA[x]]><script>alert(1)</script>')) {
    my $r = page_get($p);
    is_status($r, 200, "GET $p");
    is(xml_error($r->{content}), '', "$p is well-formed XML");
    my @why = markup_problems($r->{content}, svg_ok => 1);
    push @why, 'a <foreignObject>' if $r->{content} =~ /<foreignObject/i;
    ok(!@why, "$p: no markup from the input") or diag(join "\n", @why);
}
{
    my $r = page_get("/components/$comp->{id}/badge.svg");
    my $c = chars($r->{content});
    my ($aria) = $c =~ /aria-label="([^"]*)"/;
    like(html_unescape($aria // ''), qr/^\Q$H{comp_name}\E/,
         'the component badge names the component exactly (aria-label)');
}

# --- mail -----------------------------------------------------------------------------------

{
    my $got = $sink->wait_for(3, 30, sub { $_[0]->is_to($MAIL) });
    my ($m) = grep { ($_->header('Subject') // '') =~ /^\[Investigating\] Title/ } @$got;
    ok($m, 'the watcher got the hostile incident\'s mail') or diag(join ' | ', map { $_->header('Subject') // '' } @$got);
    $m ||= bless { headers => [], rcpt => [], parts => [] }, 'SmtpSink::Message';
    my $subject = $m->header('Subject') // '';
    ok($subject eq "[Investigating] $H{title}"
       || $subject eq "[Investigating] $H{title}" =~ s/[\x{2028}\x{2029}]/ /gr,
       'Subject: the very title (U+2028/9 kept or made spaces)') or diag($subject);
    my $html = $m->{html} // '';
    html_ok($html, 'the mail\'s HTML part');
    text_has(Encode::encode('UTF-8', $html), $H{title}, 'the HTML part shows the very title');
    text_has(Encode::encode('UTF-8', $html), $H{comp_name}, 'the HTML part shows the very component name');
    my @links = @{ $m->html_links };
    ok(@links && !grep({ length && !m{^https?://} } @links),
       'every link of the HTML part is http(s) (no javascript:, data:, none empty)')
        or diag("links: @links");
    like($m->{text} // '', qr/\Q$H{title}\E/, 'the text part has the very title');

    my ($c) = grep { ($_->header('Subject') // '') =~ /Outage/ } @$got;
    ok($c, 'the CR LF incident\'s mail arrived');
    $c ||= bless { headers => [], rcpt => [], parts => [] }, 'SmtpSink::Message';
    is(scalar(() = $c->header('Subject')), 1, 'one Subject header');
    ok(!defined $c->header('Bcc') && !defined $c->header('X-Injected'),
       'no Bcc or X-Injected header');
    is_deeply($c->{rcpt}, [$MAIL], 'the envelope has the subscriber only');
    unlike($c->header('Subject') // '', qr/[\r\n]/, 'the Subject has no line break');
    my $all = $sink->messages;
    ok(!grep({ grep { /evil/ } @{ $_->{rcpt} } } @$all), 'no mail to an injected address');
    ok(!grep({ ($_->header('To') // '') =~ /evil/ } @$all), 'no injected To');
}

# --- webhook, Slack, Discord --------------------------------------------------------------

{
    my ($w) = grep { ($_->{body} // '') =~ /Title / } $rx->wait_for('/webhook', 2, 30);
    ok($w, 'the webhook got the hostile incident');
    my $d = $w && strict_json($w->{body});
    ok($d, 'its body is valid UTF-8 JSON');
    is($d && $d->{data}{incident}{title}, $H{title}, 'webhook: the title round-trips exactly');
    my $msgs = join "\n", map { $_->{message} // '' } @{ ($d && $d->{data}{incident}{updates}) || [] };
    ok(index($msgs, $MESSAGE) >= 0, 'webhook: the message round-trips exactly');
    ok(WebhookReceiver::verify_signature($sub{webhook}{secret}, $w || {headers => {}, body => ''}),
       'webhook: signed over the exact bytes');

    my ($s) = grep { ($_->{body} // '') =~ /Title / } $rx->wait_for('/slack', 2, 30);
    ok($s, 'Slack got the hostile incident');
    my $sj = $s && strict_json($s->{body});
    ok($sj, 'Slack: valid JSON');
    my $text = ($sj && $sj->{text}) // '';
    # mrkdwn: < > & escaped in user text, so only our own <url|label> link
    my @angle = $text =~ /<([^>]*)>/g;
    is(scalar @angle, 1, 'Slack: one <...> sequence, the link to the incident')
        or diag("text: $text");
    like($angle[0] // '', qr{^\Q$PUBLIC\E/incidents/$iid\|}, 'Slack: it is the incident link');
    unlike($text, qr/<!channel>|<\@123>/, 'Slack: no live mention');
    (my $unesc = $text) =~ s/&lt;/</g;
    $unesc =~ s/&gt;/>/g;
    $unesc =~ s/&amp;/&/g;
    like($unesc, qr/\QMsg $SCRIPT $IMG $SQ\E/, 'Slack: the message, unescaped, reads back');

    my ($dc) = grep { ($_->{body} // '') =~ /Title / } $rx->wait_for('/discord', 2, 30);
    ok($dc, 'Discord got the hostile incident');
    my $dj = $dc && strict_json($dc->{body});
    ok($dj, 'Discord: valid JSON');
    is_deeply($dj && $dj->{allowed_mentions}, {parse => []}, 'Discord: allowed_mentions.parse is []');
    ok($dj && !exists $dj->{content}, 'Discord: no content (mentions in content would ping)');
    my $e = ($dj && $dj->{embeds} && $dj->{embeds}[0]) || {};
    like($e->{title} // '', qr/\Q$H{title}\E/, 'Discord: the embed title holds the very title');
    ok(index($e->{description} // '', "Msg $SCRIPT $IMG $SQ $TAIL") >= 0,
       'Discord: the description holds the very message');
    my %f = map { $_->{name} => $_->{value} } @{ $e->{fields} || [] };
    like($f{Components} // '', qr/\Q$H{comp_name}\E/, 'Discord: the component name is exact');

    # the hostile URL was called as written (its bytes, percent-encoded or not)
    my @evil = $rx->wait_for(qr{^/evil/}, 1, 30);
    ok(@evil, 'the webhook with a hostile URL was delivered to (its path stays a path)');
}

# --- HTTP headers of every answer --------------------------------------------------------

{
    my @bad;
    for my $r (@ANSWERS) {
        for my $k (keys %{ $r->{headers} }) {
            push @bad, "$r->{method} $r->{path}: header $k" if $k =~ /^(?:bcc|x-injected)\z/i;
            my $v = ref $r->{headers}{$k} ? join("\n", @{ $r->{headers}{$k} }) : $r->{headers}{$k};
            push @bad, "$r->{method} $r->{path}: $k has markup ($v)"
                if $v =~ /<script|onerror|evil\@/i;
        }
    }
    ok(!@bad, 'no answer carries an injected header (' . scalar(@ANSWERS) . ' answers)')
        or diag(join "\n", @bad);
}

$t->stop;
$rx->stop;
$sink->stop;
done_testing;
