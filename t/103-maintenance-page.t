# Scheduled maintenance on the public side: the status page (in progress
# inside #active-incidents, upcoming in #scheduled-maintenance right after
# it, soonest first, for every incidentPosition), the effect on the banner
# and the components (an incident on the same component wins), the
# maintenance's own page (/maintenances/N, 404s), /history's
# #past-maintenance, the feeds, the calendar /maintenance.ics (parsed by an
# independent parser: Debian's python3-icalendar, plus strict checks of the
# raw octets), escaping of hostile text in HTML, XML and iCalendar, and
# ETags that change when a window starts or ends by itself.
use strict;
use warnings;
use utf8;
use lib 't/lib';

use Test::More;
use Encode ();
use File::Temp ();
use IncidentTest qw(:DEFAULT :page);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $PYTHON = '/usr/bin/python3';
my $CACHE = 'public, max-age=5, stale-while-revalidate=30, stale-if-error=86400';

my %LABEL = (scheduled => 'Scheduled', in_progress => 'In Progress',
             verifying => 'Verifying', completed => 'Completed');
my %DESCRIPTION = (
    operational          => 'All Systems Operational',
    degraded_performance => 'Degraded Performance',
    partial_outage       => 'Partial System Outage',
    major_outage         => 'Major System Outage',
    under_maintenance    => 'Under Maintenance',
);
my @MAIN = qw(overall-status active-incidents scheduled-maintenance
              components incident-history);
my %ORDER = (
    top              => [qw(active-incidents scheduled-maintenance
                            overall-status components incident-history)],
    below_status     => [qw(overall-status active-incidents
                            scheduled-maintenance components incident-history)],
    below_components => [qw(overall-status components active-incidents
                            scheduled-maintenance incident-history)],
);

my $t = IncidentTest->new(status_page => '/', workers => 2)->start;
my $BASE = $t->base_url;
my $MSEQ = 0;


# --- helpers -------------------------------------------------------------------

sub utf8_text {
    my ($bytes) = @_;
    my $copy = $bytes;
    return eval { Encode::decode('UTF-8', $copy, Encode::FB_CROAK) };
}

# GET PATH that must answer 200 text/html; the HTML as characters
sub html_of {
    my ($path, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $r = $t->page($path);
    is_status($r, 200, $name // "GET $path -> 200") or return '';
    like($r->{headers}{'content-type'} // '', qr{^text/html\b}i,
         "$path is text/html");
    return utf8_text($r->{content}) // do {
        fail("$path is valid UTF-8");
        '';
    };
}

sub home { html_of('/', $_[0]) }

# a window starting IN seconds from now, LEN seconds long
sub window {
    my ($in, $len) = @_;
    my $from = int(time) + $in;
    return (scheduledFor => epoch_to_rfc3339($from),
            scheduledUntil => epoch_to_rfc3339($from + ($len // 3600)));
}

sub create_m {
    my (%f) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $inst = delete $f{_t} // $t;
    $f{title} //= 'Maintenance ' . ++$MSEQ;
    $f{notify} //= JSON::PP::false;
    my $r = $inst->api(POST => '/api/v1/maintenances', \%f);
    (my $name = $f{title}) =~ s/\s+/ /g;
    $name = substr($name, 0, 50) . '...' if length $name > 50;
    is_status($r, 201, "create maintenance '$name'");
    return $r->{json} || {};
}

sub post_mu {
    my ($id, %f) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $r = $t->api(POST => "/api/v1/maintenances/$id/updates", \%f);
    is_status($r, 201, "post update ($f{status}) to maintenance $id");
    return $r->{json} || {};
}

sub m_get { $t->get_json("/api/v1/maintenances/$_[0]") || {} }

sub m_delete {
    my ($id, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is_status($t->api(DELETE => "/api/v1/maintenances/$id"), 204,
              $name // "delete maintenance $id");
}

# wait until maintenance ID has STATUS (the 1 s timer); true when it has
sub wait_status {
    my ($id, $status, $secs) = @_;
    my $deadline = time + ($secs // 15);
    while (time < $deadline) {
        my $r = $t->api(GET => "/api/v1/maintenances/$id");
        return 1 if $r->{status} == 200 && $r->{json}{status} eq $status;
        select undef, undef, undef, 0.2;
    }
    return 0;
}

sub settings {
    my ($s) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is_status($t->api(PATCH => '/api/v1/settings', $s), 200,
              'PATCH settings ' . encode_json($s));
}

# the maintenance cards (attribute hashes) in an HTML fragment
sub cards_in {
    my ($html) = @_;
    return [ grep { $_->{_tag} eq 'article' }
                  @{ page_elements($html // '', 'data-maintenance-id') } ];
}

sub card_ids { [ map { $_->{'data-maintenance-id'} } @{ cards_in($_[0]) } ] }

# the whole <article> of maintenance ID in HTML, or undef
sub card_html {
    my ($html, $id) = @_;
    my ($c) = grep { $_->{'data-maintenance-id'} eq $id } @{ cards_in($html) };
    return $c ? page_element_html($html, $c->{_pos}) : undef;
}

sub incidents_in {
    my ($html) = @_;
    return [ grep { $_->{_tag} eq 'article' }
                  @{ page_elements($html // '', 'data-incident-id') } ];
}

# is section ID hidden (undef when it is missing)?
sub section_hidden {
    my ($html, $id) = @_;
    my ($s) = grep { $_->{_tag} eq 'section' && $_->{id} eq $id }
                   @{ page_elements($html, 'id') };
    return $s ? (exists $s->{hidden} ? 1 : 0) : undef;
}

sub section_heading {
    my ($html, $id) = @_;
    my $s = page_section($html, $id) // return undef;
    return $s =~ m{<h2\b[^>]*>(.*?)</h2>}s ? html_text($1) : undef;
}

sub order_is {
    my ($html, $position, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my %main = map { $_ => 1 } @MAIN;
    my @got = grep { $main{$_} } @{ page_sections($html) };
    is_deeply(\@got, $ORDER{$position}, $name) or diag("sections: @got");
}

sub comp_status {
    my ($html, $id) = @_;
    my @e = grep { $_->{'data-component-id'} eq $id }
                 @{ page_elements($html, 'data-component-id') };
    return @e == 1 ? $e[0]{'data-status'} : 'missing or repeated';
}

sub banner_is {
    my ($html, $want, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $b = page_section($html, 'overall-status') // '';
    my ($tag) = @{ page_elements($b, 'data-status') };
    is($tag && $tag->{'data-status'}, $want, "$name: banner data-status $want");
    like(html_text($b), qr/\Q$DESCRIPTION{$want}\E/,
         "$name: banner says '$DESCRIPTION{$want}'");
}

# every component's data-status and the banner equal the API's
sub page_matches_api {
    my ($html, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $comps = $t->get_json('/api/v1/components?limit=100')->{data} || [];
    my @bad;
    for my $c (@$comps) {
        my $s = comp_status($html, $c->{id});
        push @bad, "component $c->{id}: page $s, API $c->{status}"
            unless $s eq $c->{status};
    }
    my $status = $t->get_json('/api/v1/status');
    my ($tag) = @{ page_elements(page_section($html, 'overall-status') // '',
                                 'data-status') };
    push @bad, 'banner ' . ($tag ? $tag->{'data-status'} : 'missing')
               . ", API $status->{status}"
        unless $tag && $tag->{'data-status'} eq $status->{status};
    ok(!@bad, $name) or diag(join "\n", @bad);
}

# what a card must show for maintenance M (the API document)
sub card_shows {
    my ($html, $m, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $card = card_html($html, $m->{id});
    ok(defined $card, "$name: a card for maintenance $m->{id}") or return;
    my ($tag) = grep { $_->{'data-maintenance-id'} eq $m->{id} } @{ cards_in($html) };
    is($tag->{'data-status'}, $m->{status}, "$name: data-status $m->{status}");
    like($card, qr{<a href="/maintenances/$m->{id}">}, "$name: links to /maintenances/$m->{id}");
    like($card, qr{<strong>\Q$LABEL{$m->{status}}\E</strong>},
         "$name: the status label '$LABEL{$m->{status}}'");
    like($card, qr{<time datetime="\Q$m->{scheduledFor}\E">.*<time datetime="\Q$m->{scheduledUntil}\E">}s,
         "$name: the window as <time datetime> (start, then end)");
    my $title = $card =~ m{<h\d><a [^>]*>(.*?)</a></h\d>}s ? html_unescape($1) : undef;
    is($title, $m->{title}, "$name: the title");
    return $card;
}

# the <li> of a timeline: [{status, time, text, html}]
sub timeline {
    my ($html) = @_;
    my ($ol) = $html =~ m{<ol class="timeline">(.*?)</ol>}s;
    return [] unless defined $ol;
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

# the start tags of an HTML text, tokenized the way a browser does
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

# hostile text never turns into markup
sub no_raw {
    my ($html, $where) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $body = $html;
    $body =~ s{<script>\(function\(\)\{.*?</script>}{}s;   # the page's own
    my @why;
    for my $tag (@{ start_tags($body) }) {
        my ($name, $a) = @$tag;
        push @why, "a <$name> element"
            if $name eq 'script' || $name eq 'img' || $name eq 'iframe';
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


# --- the calendar ----------------------------------------------------------------

# An independent parser: Debian's python3-icalendar.  It prints the
# calendar's properties and every VEVENT's as JSON, times as UTC
# "YYYY-MM-DDTHH:MM:SSZ" (or "not UTC: ..."), and the parse errors it
# collected on the way.
my $ICS_PY = <<'PY';
import icalendar, sys, json, datetime
data = open(sys.argv[1], 'rb').read()
try:
    cal = icalendar.Calendar.from_ical(data)
except Exception as e:
    print(json.dumps({'ok': 0, 'error': repr(e)}))
    sys.exit(0)
def t(c, name):
    if name not in c:
        return None
    v = c.decoded(name)
    if not isinstance(v, datetime.datetime) or v.tzinfo is None \
            or v.utcoffset() != datetime.timedelta(0):
        return 'not UTC: ' + repr(v)
    return v.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
def s(c, name):
    return None if name not in c else str(c.get(name))
out = {'ok': 1, 'name': cal.name, 'errors': [str(e) for e in cal.errors],
       'version': s(cal, 'version'), 'prodid': s(cal, 'prodid'),
       'method': s(cal, 'method'), 'calscale': s(cal, 'calscale'),
       'calname': s(cal, 'x-wr-calname'), 'events': [],
       'components': [c.name for c in cal.subcomponents]}
for ev in cal.walk('VEVENT'):
    out['events'].append({
        'uid': s(ev, 'uid'),
        'sequence': ev.decoded('sequence') if 'sequence' in ev else None,
        'dtstamp': t(ev, 'dtstamp'), 'lastModified': t(ev, 'last-modified'),
        'dtstart': t(ev, 'dtstart'), 'dtend': t(ev, 'dtend'),
        'summary': s(ev, 'summary'), 'description': s(ev, 'description'),
        'url': s(ev, 'url'), 'status': s(ev, 'status'),
        'errors': [str(e) for e in ev.errors]})
print(json.dumps(out))
PY

my $PY_OK = -x $PYTHON
    && system($PYTHON, '-c', 'import icalendar') == 0;
ok($PY_OK, 'python3-icalendar is installed (make test-deps)')
    or diag('apt-get install python3-icalendar');

sub py_ics {
    my ($bytes) = @_;
    return { ok => 0, error => 'no python3-icalendar' } unless $PY_OK;
    my $tmp = File::Temp->new(SUFFIX => '.ics');
    binmode $tmp;
    print $tmp $bytes;
    close $tmp;
    open my $fh, '-|', $PYTHON, '-c', $ICS_PY, $tmp->filename
        or return { ok => 0, error => "python3: $!" };
    local $/;
    my $out = <$fh>;
    close $fh;
    my $j = eval { JSON::PP->new->utf8->decode($out // '') };
    return ref $j eq 'HASH' ? $j : { ok => 0, error => "python3 said: "
                                                      . ($out // '') };
}

# RFC 5545 TEXT, unescaped in one pass
sub ics_unescape {
    my ($s) = @_;
    $s =~ s/\\([\\;,nN])/$1 eq 'n' || $1 eq 'N' ? "\n" : $1/ge;
    return $s;
}

# The raw octets checked against RFC 5545 section 3.1 (CRLF, lines of at
# most 75 octets, folds that start with one space and never split a UTF-8
# character, no control characters but HTAB), then unfolded and read by
# this test itself: {problems => [...], cal => {NAME => value},
# events => [{NAME => value}]} (values as characters, not unescaped).
sub ics_raw {
    my ($bytes) = @_;
    my @why;
    my $text = utf8_text($bytes);
    push @why, 'not valid UTF-8' unless defined $text;
    push @why, 'does not end with CRLF' unless $bytes =~ /\r\n\z/;
    my @phys = split /\r\n/, $bytes, -1;
    pop @phys if @phys && $phys[-1] eq '';
    my (@lines, $n);
    for my $l (@phys) {
        $n++;
        push @why, "line $n has a bare CR or LF" if $l =~ /[\r\n]/;
        push @why, "line $n is " . length($l) . ' octets (> 75)'
            if length $l > 75;
        my $chars = utf8_text($l);
        push @why, "line $n is not valid UTF-8 on its own (a fold split a character)"
            unless defined $chars;
        $chars //= Encode::decode('UTF-8', $l);
        if ($chars =~ s/^[ \t]//) {
            if (@lines) { $lines[-1] .= $chars } else { push @why, 'starts with a fold' }
        } else {
            push @lines, $chars;
        }
    }
    push @why, "a control character in: $_"
        for grep { /[\x00-\x08\x0a-\x1f\x7f]/ } @lines;
    push @why, 'does not begin with BEGIN:VCALENDAR'
        unless @lines && $lines[0] eq 'BEGIN:VCALENDAR';
    push @why, 'does not end with END:VCALENDAR'
        unless @lines && $lines[-1] eq 'END:VCALENDAR';

    my (%cal, @events, $ev);
    for my $l (@lines) {
        my ($name, $value) = $l =~ /^([A-Za-z0-9-]+)(?:;[^:]*)?:(.*)\z/s
            or do { push @why, "not a content line: $l"; next };
        if ($l eq 'BEGIN:VEVENT') { $ev = {}; next }
        if ($l eq 'END:VEVENT') { push @events, $ev; undef $ev; next }
        next if $name eq 'BEGIN' || $name eq 'END';
        if ($ev) {
            push @why, "event property $name twice" if exists $ev->{$name};
            $ev->{$name} = $value;
        } else {
            $cal{$name} = $value;
        }
    }
    return {problems => \@why, cal => \%cal, events => \@events,
            physical => \@phys, lines => \@lines};
}

# GET /maintenance.ics, check its type and octets, parse it both ways
sub ics {
    my (%o) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $inst = $o{t} // $t;
    my $path = $o{path} // '/maintenance.ics';
    my $r = $inst->page($path, ($o{host} ? (host => $o{host}) : ()));
    is_status($r, 200, "GET $path -> 200") or return {raw => {}, py => {}};
    is($r->{headers}{'content-type'}, 'text/calendar; charset=utf-8',
       "$path: Content-Type text/calendar; charset=utf-8");
    my $raw = ics_raw($r->{content});
    ok(!@{ $raw->{problems} }, "$path: well-formed RFC 5545 octets")
        or diag(join "\n", @{ $raw->{problems} });
    my $py = py_ics($r->{content});
    ok($py->{ok} && $py->{name} eq 'VCALENDAR' && !@{ $py->{errors} }
       && !grep({ @{ $_->{errors} } } @{ $py->{events} }),
       "$path: python3-icalendar reads a VCALENDAR without errors")
        or diag(encode_json($py) . "\n" . substr($r->{content}, 0, 2000));
    $py->{events} ||= [];
    return {r => $r, raw => $raw, py => $py, etag => $r->{headers}{etag}};
}

# the event of maintenance ID in a parsed calendar: (python's, ours)
sub event_of {
    my ($c, $id) = @_;
    my ($p) = grep { ($_->{uid} // '') =~ /^maintenance-\Q$id\E@/ } @{ $c->{py}{events} };
    my ($r) = grep { ($_->{UID} // '') =~ /^maintenance-\Q$id\E@/ } @{ $c->{raw}{events} || [] };
    return ($p, $r);
}

# the event of M (the API document) tells what the API does
sub event_matches {
    my ($c, $m, $name, %o) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my ($p, $r) = event_of($c, $m->{id});
    ok($p && $r, "$name: a VEVENT for maintenance $m->{id}") or return;
    my $latest = $m->{updates}[0];
    my $desc = $LABEL{$m->{status}} . ($latest ? ": $latest->{message}" : '');
    my $host = $o{host} // '127.0.0.1';
    my $base = $o{base} // "$BASE/";
    fields_are($p, {
        uid => "maintenance-$m->{id}\@$host",
        sequence => $m->{revision},
        dtstamp => $m->{updatedAt}, lastModified => $m->{updatedAt},
        dtstart => $m->{scheduledFor}, dtend => $m->{scheduledUntil},
        summary => $m->{title}, description => $desc,
        url => "${base}maintenances/$m->{id}", status => 'CONFIRMED',
    }, "$name: python3-icalendar reads UID, SEQUENCE, times, SUMMARY, "
       . 'DESCRIPTION, URL, STATUS as the API has them');
    (my $compact = $m->{scheduledFor}) =~ s/[-:]//g;
    is($r->{DTSTART}, $compact, "$name: DTSTART is a UTC date-time (…Z, no TZID)");
    is(ics_unescape($r->{SUMMARY} // ''), $m->{title},
       "$name: SUMMARY unescapes (RFC 5545 3.3.11) to the title");
    is(ics_unescape($r->{DESCRIPTION} // ''), $desc,
       "$name: DESCRIPTION unescapes to '<Status label>: <latest message>'");
}


# --- an empty store ------------------------------------------------------------

{
    my $html = home('empty store: GET / -> 200');
    order_is($html, 'top', 'default position: scheduled-maintenance right after active-incidents');
    is(section_hidden($html, 'scheduled-maintenance'), 1,
       '#scheduled-maintenance is present and hidden without upcoming windows');
    is(scalar @{ cards_in($html) }, 0, 'no maintenance card');
    like(page_section($html, 'scheduled-maintenance') // '', qr{<a href="/maintenance\.ics">},
         '#scheduled-maintenance links to maintenance.ics');
    is(section_heading($html, 'active-incidents'), 'Active incidents',
       'active-incidents heading without anything active');
    for my $pos (qw(below_status below_components top)) {
        settings({incidentPosition => $pos});
        order_is(home(), $pos, "$pos: the hidden scheduled-maintenance right after active-incidents");
    }

    my $c = ics();
    is(scalar @{ $c->{py}{events} }, 0, 'an empty calendar: no VEVENT');
    is_deeply($c->{py}{components}, [], 'and no other component');
    fields_are($c->{py}, {version => '2.0', method => 'PUBLISH', calname => 'Status'},
               'VERSION:2.0, METHOD:PUBLISH, X-WR-CALNAME is the page title');
    ok(length($c->{py}{prodid} // ''), 'a PRODID');

    my $r = $t->page('/history');
    unlike($r->{content}, qr/id="past-maintenance"/,
           '/history: no #past-maintenance without completed windows');
}

# --- components ------------------------------------------------------------------

my $api   = $t->create_component(name => 'API');
my $dash  = $t->create_component(name => 'Dashboard');
my $group = $t->create_component(name => 'Platform');
my $queue = $t->create_component(name => 'Queue', groupId => $group->{id});
my $db    = $t->create_component(name => 'Database', groupId => $group->{id});

# --- upcoming: soonest first, not affecting any status -----------------------------

my $later  = create_m(title => 'Later window', window(3 * 86400, 7200),
                      componentIds => [$api->{id}],
                      message => 'Planned **network** work.');
my $sooner = create_m(title => 'Sooner window', window(86400, 3600),
                      componentIds => [$api->{id}, $dash->{id}],
                      message => 'Database upgrade.');
my $middle = create_m(title => 'Middle window', window(2 * 86400, 1800));

{
    my $html = home('three upcoming windows');
    my $up = page_section($html, 'scheduled-maintenance') // '';
    is(section_hidden($html, 'scheduled-maintenance'), 0,
       '#scheduled-maintenance is shown');
    is(section_heading($html, 'scheduled-maintenance'), 'Upcoming maintenance',
       'its heading: Upcoming maintenance');
    is_deeply(card_ids($up), [$sooner->{id}, $middle->{id}, $later->{id}],
              'upcoming windows soonest first (not in id order)');
    my $card = card_shows($up, m_get($sooner->{id}), 'the soonest window');
    like(html_text($card // ''), qr/Affects API, Dashboard/, 'its affected components');
    like(html_text($card // ''), qr/Database upgrade\./, 'its latest message');
    $card = card_shows($up, m_get($later->{id}), 'the latest window');
    like($card // '', qr{<strong>network</strong>}, 'the message is Markdown');
    like($up, qr{<a href="/maintenance\.ics">}, 'with a link to maintenance.ics');

    is(section_hidden($html, 'active-incidents'), 1,
       'scheduled windows are not active: #active-incidents stays hidden');
    is_deeply(card_ids(page_section($html, 'active-incidents')), [],
              'no card in #active-incidents');
    banner_is($html, 'operational', 'upcoming windows only');
    is(comp_status($html, $api->{id}), 'operational',
       'a component with an upcoming window stays operational');
    page_matches_api($html, 'page statuses match the API (upcoming)');

    for my $pos (qw(below_status below_components top)) {
        settings({incidentPosition => $pos});
        order_is(home(), $pos, "$pos: scheduled-maintenance right after active-incidents (upcoming only)");
    }
}

# a window whose start passed without autoStart is still upcoming
my $manual = create_m(title => 'Manual start', window(-600, 7200),
                      autoStart => JSON::PP::false, componentIds => [$db->{id}]);
{
    select undef, undef, undef, 2;      # two ticks of the 1 s timer
    is(m_get($manual->{id})->{status}, 'scheduled', 'autoStart false: still scheduled');
    my $html = home();
    is_deeply(card_ids(page_section($html, 'scheduled-maintenance')),
              [$manual->{id}, $sooner->{id}, $middle->{id}, $later->{id}],
              'a window whose start passed (autoStart false) is listed first');
    is(comp_status($html, $db->{id}), 'operational', 'and changes no status');
    m_delete($manual->{id}, 'cancel it');
}

# --- in progress ------------------------------------------------------------------------

my $now_m = create_m(title => 'Dashboard migration', window(-300, 7200),
                     status => 'in_progress', componentIds => [$dash->{id}],
                     message => 'Migrating the dashboard.');
{
    my $html = home('a window in progress');
    my $active = page_section($html, 'active-incidents') // '';
    is(section_hidden($html, 'active-incidents'), 0, '#active-incidents is shown');
    is(section_heading($html, 'active-incidents'), 'Maintenance in progress',
       'heading: Maintenance in progress');
    is_deeply(card_ids($active), [$now_m->{id}], 'its card is in #active-incidents');
    my $card = card_shows($active, m_get($now_m->{id}), 'the window in progress');
    like(html_text($card // ''), qr/Migrating the dashboard\./, 'with its latest message');
    ok(!grep({ $_ eq $now_m->{id} } @{ card_ids(page_section($html, 'scheduled-maintenance')) }),
       'and not among the upcoming ones');
    is(comp_status($html, $dash->{id}), 'under_maintenance', 'Dashboard under_maintenance');
    is(comp_status($html, $api->{id}), 'operational', 'API untouched');
    like(html_text(page_section($html, 'components') // ''),
         qr/Dashboard Under Maintenance/, 'the component says Under Maintenance');
    banner_is($html, 'under_maintenance', 'a window in progress');
    page_matches_api($html, 'page statuses match the API (in progress)');

    for my $pos (qw(top below_status below_components)) {
        settings({incidentPosition => $pos});
        order_is(home(), $pos, "$pos: section order with a window in progress and upcoming ones");
    }
    settings({incidentPosition => 'top'});

    post_mu($now_m->{id}, status => 'verifying', message => 'Checking the result.');
    $html = home();
    $active = page_section($html, 'active-incidents') // '';
    card_shows($active, m_get($now_m->{id}), 'verifying');
    like(html_text(card_html($active, $now_m->{id}) // ''), qr/Checking the result\./,
         'verifying: the newest message, not an older one');
    unlike(html_text(card_html($active, $now_m->{id}) // ''), qr/Migrating the dashboard/,
           'verifying: the older message is not on the card');
    is(comp_status($html, $dash->{id}), 'under_maintenance',
       'verifying: still under_maintenance');
    banner_is($html, 'under_maintenance', 'verifying');
}

# a group shows the worst of its members
{
    my $m = create_m(title => 'Queue resize', window(-60, 3600), status => 'in_progress',
                     componentIds => [$queue->{id}]);
    my $html = home();
    is(comp_status($html, $queue->{id}), 'under_maintenance', 'a member under maintenance');
    is(comp_status($html, $group->{id}), 'under_maintenance', 'its group under_maintenance');
    is(comp_status($html, $db->{id}), 'operational', 'the other member operational');
    is_status($t->api(PATCH => "/api/v1/components/$db->{id}",
                      {baseStatus => 'degraded_performance'}), 200,
              'the other member degraded');
    $html = home();
    is(comp_status($html, $group->{id}), 'degraded_performance',
       'the group: degraded beats under_maintenance');
    banner_is($html, 'degraded_performance', 'a degraded component and a window');
    page_matches_api($html, 'page statuses match the API (group)');
    is_status($t->api(PATCH => "/api/v1/components/$db->{id}",
                      {baseStatus => 'operational'}), 200, 'the member operational again');
    post_mu($m->{id}, status => 'completed', message => 'Done.');
    is(comp_status(home(), $group->{id}), 'operational', 'the group operational again');
}

# a window that names no component: the banner only
{
    my $m = create_m(title => 'Everything, briefly', window(-60, 3600),
                     status => 'in_progress');
    my $html = home();
    banner_is($html, 'under_maintenance', 'a window naming no component');
    is(comp_status($html, $api->{id}), 'operational', 'components keep their status');
    is_deeply(card_ids(page_section($html, 'active-incidents')),
              [$now_m->{id}, $m->{id}], 'both windows in progress are listed');
    post_mu($m->{id}, status => 'completed', message => 'Done.');
}

# --- precedence: an incident on the same component wins -----------------------------

{
    my $inc = $t->create_incident(title => 'Dashboard errors', impact => 'major',
                                  componentIds => [$dash->{id}],
                                  message => 'Errors on the dashboard.');
    my $html = home('an incident on the component under maintenance');
    is(comp_status($html, $dash->{id}), 'partial_outage',
       'a major incident beats under_maintenance (partial_outage)');
    banner_is($html, 'partial_outage', 'incident and maintenance');
    is(section_heading($html, 'active-incidents'), 'Active incidents and maintenance',
       'heading: Active incidents and maintenance');
    my $active = page_section($html, 'active-incidents') // '';
    is_deeply([ map { $_->{'data-incident-id'} } @{ incidents_in($active) } ], [$inc->{id}],
              'the incident is listed');
    is_deeply(card_ids($active), [$now_m->{id}], 'and the maintenance too');
    my @pos = map { $_->{_pos} } @{ incidents_in($active) }, @{ cards_in($active) };
    ok(@pos == 2 && $pos[0] < $pos[1], 'the incident comes before the maintenance');
    page_matches_api($html, 'page statuses match the API (incident + maintenance)');

    # any unresolved incident puts its components in partial_outage
    # (API.md), whatever its impact: that still beats under_maintenance
    is_status($t->api(PATCH => "/api/v1/incidents/$inc->{id}", {impact => 'none'}), 200,
              'impact none');
    $html = home();
    is(comp_status($html, $dash->{id}), 'partial_outage',
       'an incident of no impact still beats under_maintenance');
    banner_is($html, 'partial_outage', 'no-impact incident and maintenance');
    page_matches_api($html, 'page statuses match the API (no-impact incident)');

    $t->post_update($inc->{id}, status => 'resolved', message => 'Fixed.');
    $html = home();
    is(comp_status($html, $dash->{id}), 'under_maintenance',
       'the incident resolved: under_maintenance again');
    is(section_heading($html, 'active-incidents'), 'Maintenance in progress',
       'heading back to Maintenance in progress');

    is_status($t->api(PATCH => "/api/v1/components/$dash->{id}",
                      {baseStatus => 'major_outage'}), 200, 'Dashboard base major_outage');
    $html = home();
    is(comp_status($html, $dash->{id}), 'major_outage',
       'a major outage beats under_maintenance');
    banner_is($html, 'major_outage', 'major outage and maintenance');
    is_status($t->api(PATCH => "/api/v1/components/$dash->{id}",
                      {baseStatus => 'operational'}), 200, 'Dashboard base operational');
}

# --- completed: off the page, into the history --------------------------------------

post_mu($now_m->{id}, status => 'completed', message => 'The dashboard runs on the new cluster.');
{
    my $html = home('the window completed');
    is(section_hidden($html, 'active-incidents'), 1, '#active-incidents hidden again');
    is_deeply(card_ids(page_section($html, 'active-incidents')), [],
              'no card in #active-incidents');
    ok(!grep({ $_ eq $now_m->{id} } @{ card_ids($html) }), 'the completed window is not on /');
    is(comp_status($html, $dash->{id}), 'operational', 'Dashboard operational again');
    banner_is($html, 'operational', 'completed');
    is(section_heading($html, 'active-incidents'), 'Active incidents', 'heading back');
    is_deeply(card_ids(page_section($html, 'scheduled-maintenance')),
              [$sooner->{id}, $middle->{id}, $later->{id}], 'the upcoming ones remain');

    my $hist = html_of('/history');
    my $past = page_section($hist, 'past-maintenance');
    ok(defined $past, '/history has #past-maintenance');
    like($past // '', qr{<h2\b[^>]*>Past maintenance</h2>}, 'headed Past maintenance');
    my @completed = map { $_->{id} }
                    @{ $t->list_all('/api/v1/maintenances?state=past', limit => 100) };
    is_deeply(card_ids($past), \@completed, 'the completed windows, newest first');
    ok(!grep({ $_ == $sooner->{id} } @{ card_ids($past) }), 'no upcoming window there');
    my $card = card_shows($past // '', m_get($now_m->{id}), 'history: the completed window');
    like(html_text($card // ''), qr/The dashboard runs on the new cluster\./,
         'history: its last message');
}

# --- /maintenances/N ---------------------------------------------------------------------

{
    my $m = m_get($now_m->{id});
    my $html = html_of("/maintenances/$m->{id}", 'the completed window\'s page');
    like($html, qr{<h1>Dashboard migration</h1>}, 'the title is the <h1>');
    like($html, qr{<title>Dashboard migration - Status</title>}, 'and in <title>');
    my ($art) = @{ cards_in($html) };
    fields_are($art, {'data-maintenance-id' => $m->{id}, 'data-status' => 'completed'},
               'the article carries data-maintenance-id and data-status');
    my $text = html_text($html);
    like($text, qr/Scheduled maintenance/, 'says it is scheduled maintenance');
    like($html, qr{<p class="meta">.*<strong>Completed</strong>}, 'the status label Completed');
    like($text, qr/Affects Dashboard/, 'the affected components');
    like($html, qr{Window: <time datetime="\Q$m->{scheduledFor}\E">[^<]*</time> &ndash; <time datetime="\Q$m->{scheduledUntil}\E">},
         'the window, start and end as <time datetime>');
    my $tl = timeline($html);
    my @old_first = reverse @{ $m->{updates} };
    is_deeply([ map { $_->{status} } @$tl ], [ map { $LABEL{$_->{status}} } @old_first ],
              'the timeline runs oldest first, with status labels');
    is_deeply([ map { $_->{text} } @$tl ], [ map { $_->{message} } @old_first ],
              'each update with its message');
    is_deeply([ map { $_->{time} } @$tl ], [ map { $_->{createdAt} } @old_first ],
              'each update with its time');
    like($html, qr{<a href="/maintenance\.ics">}, 'a link to the calendar');
    like($html, qr{<a href="/">[^<]*Current status</a>}, 'a link back to the status page');

    $html = html_of("/maintenances/$later->{id}", 'an upcoming window\'s page');
    like($html, qr{<strong>Scheduled</strong>}, 'upcoming: the label Scheduled');
    like($html, qr{<strong>network</strong>}, 'upcoming: Markdown in the message');
    like(html_text($html), qr/Affects API/, 'upcoming: affected components');

    my $silent = create_m(title => 'No message', window(5 * 86400));
    $html = html_of("/maintenances/$silent->{id}");
    like(html_text($html), qr/No updates yet/, 'a window without updates says so');
    unlike(html_text($html), qr/Affects/, 'and names no component when it has none');

    my $gone = create_m(title => 'To be cancelled', window(86400));
    m_delete($gone->{id}, 'cancel a window');
    for my $path ('/maintenances/999999', "/maintenances/$gone->{id}", '/maintenances/0',
                  '/maintenances/abc', '/maintenances/', '/maintenances', "/maintenances/$m->{id}x",
                  "/maintenances/$m->{id}/", '/maintenances/-1',
                  '/maintenances/99999999999999999999999', '/maintenance', '/maintenance.ical',
                  '/maintenances.ics') {
        my $r = $t->page($path);
        is_status($r, 404, "GET $path -> 404");
        like($r->{headers}{'content-type'} // '', qr{^text/html}i, "$path: an HTML 404");
        like($r->{content}, qr/Not found/, "$path: says Not found");
    }
    is_status($t->page('/maintenances/999999', method => 'HEAD'), 404, 'HEAD of an unknown window -> 404');
    is_status($t->page("/maintenances/$m->{id}?utm=x"), 200, 'a query string does not matter');
}

# --- the feeds ---------------------------------------------------------------------------

sub feed {
    my ($kind) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $r = $t->page("/feed.$kind");
    is_status($r, 200, "GET /feed.$kind");
    my $f = parse_feed($r->{content});
    ok($f->{ok}, "/feed.$kind parses as XML") or diag($f->{error});
    $f->{entries} ||= [];
    $f->{raw} = $r->{content};
    return $f;
}

# each maintenance (newest first) with each update (newest first):
# [id, link, title, message]
sub expected_m_entries {
    my $all = $t->list_all('/api/v1/maintenances?state=all', limit => 100);
    my @want;
    for my $m (@$all[0 .. ($#$all < 49 ? $#$all : 49)]) {
        my $full = m_get($m->{id});
        push @want, [ "$BASE/maintenances/$m->{id}#update-$_->{id}",
                      "$BASE/maintenances/$m->{id}",
                      "[$LABEL{$_->{status}}] $m->{title}", $_->{message} ]
            for @{ $full->{updates} };
    }
    return \@want;
}

{
    my $want = expected_m_entries();
    ok(@$want >= 5, 'several maintenance updates to find in the feeds');
    for my $kind (qw(atom rss)) {
        my $f = feed($kind);
        my @got = grep { ($_->{id} // '') =~ m{/maintenances/} } @{ $f->{entries} };
        is_deeply([ map { $_->{id} } @got ], [ map { $_->[0] } @$want ],
                  "$kind: one entry per maintenance update, id BASE/maintenances/N#update-UID");
        is_deeply([ map { $_->{link} } @got ], [ map { $_->[1] } @$want ],
                  "$kind: each links to /maintenances/N");
        is_deeply([ map { $_->{title} } @got ], [ map { $_->[2] } @$want ],
                  "$kind: titled '[Status label] Title'");
        my ($net) = grep { ($_->{content} // '') =~ /network/ } @got;
        like($net->{content} // '', qr{<strong>network</strong>}, "$kind: content is the message as HTML");
        my @inc = grep { ($_->{id} // '') =~ m{/incidents/} } @{ $f->{entries} };
        ok(@inc >= 1, "$kind: the incident entries are still there");
        my %seen;
        ok(!grep({ $seen{$_->{id} // ''}++ } @{ $f->{entries} }), "$kind: ids are unique");
    }
}

# --- the calendar -----------------------------------------------------------------------

{
    my $c = ics();
    my $all = $t->list_all('/api/v1/maintenances?state=all', limit => 100);
    is_deeply([ map { ($_->{uid} // '') =~ /^maintenance-(\d+)@/ ? $1 : 'bad' } @{ $c->{py}{events} } ],
              [ map { $_->{id} } @$all ], 'one VEVENT per maintenance, newest first');
    is_deeply($c->{py}{components}, [ ('VEVENT') x @$all ], 'nothing but VEVENTs in it');
    event_matches($c, m_get($_->{id}), "event $_->{id}") for @$all;
    is($c->{raw}{cal}{'X-WR-CALNAME'}, 'Status', 'X-WR-CALNAME');

    # caching like the other pages
    my $e = $c->{etag};
    ok(defined $e && $e =~ /^"[^"]+"$/, 'maintenance.ics: a strong ETag');
    is($c->{r}{headers}{'cache-control'}, $CACHE, 'maintenance.ics: Cache-Control for edges');
    for my $path ('/maintenance.ics', "/maintenances/$now_m->{id}") {
        my $first = $t->page($path);
        my $tag = $first->{headers}{etag};
        my $nm = $t->page($path, headers => {'If-None-Match' => $tag});
        is_status($nm, 304, "$path: If-None-Match -> 304");
        is($nm->{content}, '', "$path: 304 without a body");
        is($nm->{headers}{etag}, $tag, "$path: 304 repeats the ETag");
        my $head = $t->page($path, method => 'HEAD');
        is_status($head, 200, "HEAD $path -> 200");
        is($head->{content}, '', "HEAD $path: no body");
        is($head->{headers}{etag}, $tag, "HEAD $path: the same ETag");
        is($head->{headers}{'content-length'}, length $first->{content},
           "HEAD $path: the Content-Length of the GET");
        my $post = $t->api(POST => $path, {a => 1});
        is_status($post, 405, "POST $path -> 405");
        is($post->{headers}{allow}, 'GET, HEAD', "POST $path: Allow: GET, HEAD");
    }

    # an update: a new ETag, SEQUENCE up, the new description
    my $before = m_get($later->{id});
    post_mu($later->{id}, status => 'scheduled', message => 'Moved to the **new** rack.');
    my $c2 = ics();
    isnt($c2->{etag}, $e, 'an update changes the ETag of maintenance.ics');
    is_status($t->page('/maintenance.ics', headers => {'If-None-Match' => $e}), 200,
              'the old ETag gets 200');
    my ($p) = event_of($c2, $later->{id});
    is($p && $p->{sequence}, $before->{revision} + 1, 'SEQUENCE goes up with the update');
    is($p && $p->{description}, 'Scheduled: Moved to the **new** rack.',
       'DESCRIPTION: the status label and the newest message (its Markdown as written)');
    my $etag_page = $t->page("/maintenances/$later->{id}")->{headers}{etag};

    # moving the window is a significant revision (RFC 5545 3.8.7.4; RFC
    # 5546 2.1.4 names DTSTART and DTEND): SEQUENCE must go up, or a
    # calendar that has the event may keep the old time (the module's own
    # comment: "a calendar takes a change when the sequence goes up")
    my $seq = $p && $p->{sequence};
    my %w = window(4 * 86400, 5400);
    is_status($t->api(PATCH => "/api/v1/maintenances/$later->{id}", \%w), 200,
              'PATCH the window of an upcoming maintenance');
    my $c3 = ics();
    my $m3 = m_get($later->{id});
    event_matches($c3, $m3, 'the moved window');
    ($p) = event_of($c3, $later->{id});
    ok($p && defined $seq && $p->{sequence} > $seq,
       'moving the window (PATCH, no update) raises SEQUENCE')
        or diag('SEQUENCE ' . ($p ? $p->{sequence} : 'none') . ' before and after the move: '
                . ($seq // 'none'));
    isnt($t->page("/maintenances/$later->{id}")->{headers}{etag}, $etag_page,
         'the maintenance page has a new ETag after the move');
}

# --- hostile text: HTML, XML, iCalendar ------------------------------------------------

my $XSS = '<script>alert(1)</script>';
my $IMG = '"><img src=x onerror=alert(1)>';

{
    my $evil = create_m(title => "Evil $XSS & $IMG", window(-60, 3600), status => 'in_progress',
                        componentIds => [$api->{id}],
                        message => "**bold** & co [click](javascript:alert(1)) $XSS\n\n$IMG ]]> --> \x{1F4A5}");
    my $html = home();
    no_raw($html, 'status page with a hostile window in progress');
    like($html, qr/Evil &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/,
         'the title is shown escaped');
    my $card = card_html($html, $evil->{id}) // '';
    like($card, qr{<strong>bold</strong>}, 'Markdown still renders');
    unlike($card, qr{javascript:}i, 'no javascript: link');
    like($card, qr{\x{1F4A5}}, 'UTF-8 survives');

    $html = html_of("/maintenances/$evil->{id}");
    no_raw($html, 'the hostile window\'s page');
    like($html, qr{<h1>Evil &lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &quot;&gt;&lt;img},
         'its page: title escaped in <h1>');
    like($html, qr{<title>Evil &lt;script&gt;}, 'its page: title escaped in <title>');

    post_mu($evil->{id}, status => 'completed', message => "Done $XSS & $IMG");
    $html = html_of('/history');
    no_raw($html, 'history with a hostile past window');
    like(page_section($html, 'past-maintenance') // '', qr{Evil &lt;script&gt;},
         'history: title escaped');

    for my $kind (qw(atom rss)) {
        my $f = feed($kind);
        my @e = grep { ($_->{id} // '') =~ m{/maintenances/$evil->{id}#} } @{ $f->{entries} };
        is(scalar @e, 2, "$kind: both updates of the hostile window");
        is($e[0]{title}, "[Completed] Evil $XSS & $IMG", "$kind: its title is exactly the text");
        unlike(join('', map { $_->{content} // '' } @e), qr{<script|<img|javascript:}i,
               "$kind: no markup from the hostile text in the content");
        unlike($f->{raw}, qr{<script}i, "$kind: no <script> anywhere in the XML");
    }

    my $c = ics();
    event_matches($c, m_get($evil->{id}), 'the hostile window in the calendar');
    m_delete($evil->{id});
}

# iCalendar TEXT: ; , \ newlines, non-ASCII
my $TITLE = "Upgrade; db, cache \\ \"quoted\" <b>&amp;</b>\nsecond line: Grüße ✓ 日本語 \x{1F527}";
my $MSG = "Line one; two, three \\ four\nLine two ✓\n\n- bullet, with; marks";
{
    my $m = create_m(title => $TITLE, window(6 * 86400, 3600), componentIds => [$dash->{id}],
                     message => $MSG);
    is($m->{title}, $TITLE, 'the API keeps the title as written');
    my $c = ics();
    event_matches($c, m_get($m->{id}), 'title and message with ; , \\ newline and non-ASCII');
    my (undef, $r) = event_of($c, $m->{id});
    is($r->{SUMMARY}, "Upgrade\\; db\\, cache \\\\ \"quoted\" <b>&amp\\;</b>\\nsecond line: Grüße ✓ 日本語 \x{1F527}",
       'SUMMARY escapes ; , \\ and the newline as RFC 5545 says, and nothing else');

    my $html = html_of("/maintenances/$m->{id}");
    my ($h1) = $html =~ m{<h1>(.*?)</h1>}s;
    is(html_unescape($h1 // ''), $TITLE, 'the page shows the very title');
    m_delete($m->{id});
}

# a 200-character title folds into lines of at most 75 octets and unfolds
# back to exactly the title
{
    my $unit = 'Größere Wartung; am Netz, mit \\ 日本語 ✓ ';
    my $long = substr($unit x 10, 0, 199) . 'Z';
    is(length $long, 200, 'a title of 200 characters');
    my $m = create_m(title => $long, window(7 * 86400, 3600));
    is(length($m->{title} // ''), 200, 'accepted whole');
    my $c = ics();
    my (undef, $r) = event_of($c, $m->{id});
    my @phys = @{ $c->{raw}{physical} || [] };
    my ($at) = grep { $phys[$_] =~ /^SUMMARY:/ } 0 .. $#phys;
    my $n = 1;
    $n++ while defined $at && $at + $n < @phys && $phys[$at + $n] =~ /^ /;
    ok($n >= 3, "SUMMARY is folded over several lines ($n)");
    ok(!grep({ length > 75 } @phys[$at .. $at + $n - 1]), 'each of them at most 75 octets');
    is(ics_unescape($r->{SUMMARY} // ''), $long, 'unfolded and unescaped: exactly the title');
    my ($p) = event_of($c, $m->{id});
    is($p && $p->{summary}, $long, 'python3-icalendar reads exactly the title');
    m_delete($m->{id});
}

# the page title in X-WR-CALNAME
{
    my $title = 'Acme; Status, Inc. \\ ✓';
    settings({pageTitle => $title});
    my $c = ics();
    is($c->{py}{calname}, $title, 'X-WR-CALNAME: the page title, escaped and read back');
    is($c->{raw}{cal}{'X-WR-CALNAME'}, 'Acme\\; Status\\, Inc. \\\\ ✓', 'X-WR-CALNAME escaped');
    settings({pageTitle => 'Status'});
}

# a long message: DESCRIPTION carries all of it, and stays UTF-8
{
    my $msg = 'x' . ('✓' x 1000) . ' end.';
    my $m = create_m(title => 'Long message', window(8 * 86400, 3600), message => $msg);
    my $c = ics();
    my ($p, $r) = event_of($c, $m->{id});
    is(ics_unescape($r->{DESCRIPTION} // ''), "Scheduled: $msg",
       'DESCRIPTION has the whole message (3000+ octets), not a truncated one')
        or diag('got ' . length(ics_unescape($r->{DESCRIPTION} // '')) . ' characters, '
                . 'expected ' . length("Scheduled: $msg"));
    is($p && $p->{description}, "Scheduled: $msg", 'python3-icalendar reads the whole message');
    m_delete($m->{id});
}

# control characters in a title: refused, or kept out of the XML and the
# calendar (XML 1.0 and RFC 5545 TEXT both forbid them)
{
    my $r = $t->api(POST => '/api/v1/maintenances',
                    {title => "Bell \x07 and \x01 start", window(9 * 86400, 3600),
                     message => "ctl \x02 here", notify => JSON::PP::false});
    ok($r->{status} == 201 || $r->{status} == 422,
       'a title with control characters: 201 or 422') or diag($r->{content});
    if ($r->{status} == 201) {
        my $id = $r->{json}{id};
        for my $kind (qw(atom rss)) {
            my $x = parse_feed($t->page("/feed.$kind")->{content});
            ok($x->{ok}, "$kind: still well-formed XML with a control character in a title")
                or diag($x->{error});
        }
        my $c = ics();
        ok(!grep({ /[\x00-\x08\x0a-\x1f\x7f]/ } @{ $c->{raw}{lines} || [] }),
           'maintenance.ics: no control character in any line');
        m_delete($id);
    }
}

# a hostile Host (no incident_public_url): still one well-formed calendar
for my $host ('a;b,c.example', 'evil.example"><x') {
    my $c = ics(host => $host);
    my $n = scalar @{ $t->list_all('/api/v1/maintenances?state=all', limit => 100) };
    is(scalar @{ $c->{py}{events} }, $n, "Host: $host: every event is still there");
    ok(!grep({ ($_->{uid} // '') !~ /^maintenance-\d+@/ } @{ $c->{py}{events} }),
       "Host: $host: every UID still maintenance-N\@...");
}

# --- starting and ending by themselves: the caches follow -------------------------------

{
    my $auto = create_m(title => 'Self-starting window', window(4, 4),
                        componentIds => [$queue->{id}], message => 'Short work.');
    my $r1 = $t->page('/');
    my $e1 = $r1->{headers}{etag};
    ok(grep({ $_ eq $auto->{id} } @{ card_ids(page_section($r1->{content}, 'scheduled-maintenance')) }),
       'before its start the window is upcoming');
    my $ics1 = $t->page('/maintenance.ics')->{headers}{etag};
    my $mp1 = $t->page("/maintenances/$auto->{id}")->{headers}{etag};
    is_status($t->page('/', headers => {'If-None-Match' => $e1}), 304,
              'nothing changed yet: 304');

    ok(wait_status($auto->{id}, 'in_progress', 15), 'it starts by itself');
    my $r2 = $t->page('/', headers => {'If-None-Match' => $e1});
    is_status($r2, 200, 'after the start the old ETag of / gets 200');
    isnt($r2->{headers}{etag}, $e1, 'a new ETag');
    my $html = $r2->{content};
    is_deeply(card_ids(page_section($html, 'active-incidents')), [$auto->{id}],
              'the page shows it in progress');
    is(comp_status($html, $queue->{id}), 'under_maintenance', 'its component under_maintenance');
    banner_is($html, 'under_maintenance', 'started by itself');
    like(html_text(card_html($html, $auto->{id}) // ''),
         qr/Scheduled maintenance is now in progress\./, 'with the automatic update');

    my $w = $t->per_worker(GET => '/');
    my @stale = grep { !grep { $_ eq $auto->{id} }
                            @{ card_ids(page_section($w->{$_}{content}, 'active-incidents')) } }
                keys %$w;
    ok(!@stale, 'every worker serves the started window') or diag("stale workers: @stale");

    my $ics2 = $t->page('/maintenance.ics', headers => {'If-None-Match' => $ics1});
    is_status($ics2, 200, 'maintenance.ics: the old ETag gets 200 after the start');
    my $c = ics();
    my ($p) = event_of($c, $auto->{id});
    is($p && $p->{description}, 'In Progress: Scheduled maintenance is now in progress.',
       'maintenance.ics: In Progress with the automatic message');
    is($p && $p->{sequence}, m_get($auto->{id})->{revision},
       'SEQUENCE is the revision after the automatic update');
    cmp_ok($p && $p->{sequence}, '>', 0, '  which the start raised');
    is_status($t->page("/maintenances/$auto->{id}", headers => {'If-None-Match' => $mp1}), 200,
              'its page: the old ETag gets 200');

    my $e2 = $t->page('/')->{headers}{etag};
    ok(wait_status($auto->{id}, 'completed', 15), 'it ends by itself');
    my $r3 = $t->page('/', headers => {'If-None-Match' => $e2});
    is_status($r3, 200, 'after the end the old ETag gets 200');
    $html = $r3->{content};
    ok(!grep({ $_ eq $auto->{id} } @{ card_ids($html) }), 'the window is off the page');
    is(comp_status($html, $queue->{id}), 'operational', 'its component operational again');
    banner_is($html, 'operational', 'ended by itself');
    ok(grep({ $_ eq $auto->{id} } @{ card_ids(page_section(html_of('/history'), 'past-maintenance') // '') }),
       'and in the history');
}

# --- the latest 50 in the calendar and the feeds ------------------------------------------

{
    my $have = scalar @{ $t->list_all('/api/v1/maintenances?state=all', limit => 100) };
    for my $k ($have + 1 .. 53) {
        my $r = $t->api(POST => '/api/v1/maintenances',
                        {title => "Bulk $k", window(30 * 86400 + $k * 3600, 600),
                         notify => JSON::PP::false, message => "bulk $k"});
        $r->{status} == 201 or fail("create bulk maintenance $k") && diag($r->{content});
    }
    my $all = $t->list_all('/api/v1/maintenances?state=all', limit => 100);
    ok(@$all > 50, 'more than 50 maintenances (' . scalar(@$all) . ')');
    my $c = ics();
    is_deeply([ map { ($_->{uid} // '') =~ /^maintenance-(\d+)@/ ? $1 : 'bad' } @{ $c->{py}{events} } ],
              [ map { $_->{id} } @$all[0 .. 49] ], 'maintenance.ics: the latest 50');
    my $f = feed('atom');
    my %in = map { ($_->{link} // '') =~ m{/maintenances/(\d+)$} ? ($1 => 1) : () } @{ $f->{entries} };
    my @with = grep { @{ m_get($_->{id})->{updates} } } @$all[0 .. 49];
    is_deeply([ sort { $a <=> $b } keys %in ], [ sort { $a <=> $b } map { $_->{id} } @with ],
              'atom: the updates of the latest 50 (those that have any)');
}

# --- /history: #past-maintenance on its first page only -------------------------------------

{
    for my $k (1 .. 26) {
        my $r = $t->api(POST => '/api/v1/incidents',
                        {title => "Old $k", status => 'resolved', impact => 'minor',
                         startedAt => epoch_to_rfc3339(time - (40 + $k) * 86400)});
        $r->{status} == 201 or fail("create incident $k");
    }
    my $first = html_of('/history');
    ok(defined page_section($first, 'past-maintenance'), 'the first page has #past-maintenance');
    my ($next) = grep { ($_->{rel} // '') eq 'next' } @{ page_elements($first, 'href') };
    ok($next, 'there is a second page');
    if ($next) {
        my $second = html_of(html_unescape($next->{href}));
        unlike($second, qr/id="past-maintenance"/, 'the second page has no #past-maintenance');
        is_deeply(card_ids($second), [], 'and no maintenance card');
    }
}

# --- a prefixed location ------------------------------------------------------------------------

{
    my $p = IncidentTest->new(status_page => '/status/')->start;
    my $m = create_m(_t => $p, title => 'Prefixed window', window(-60, 3600),
                     status => 'in_progress', message => 'hello');
    my $u = create_m(_t => $p, title => 'Prefixed upcoming', window(86400, 3600));
    my $r = $p->page('/status/');
    is_status($r, 200, 'GET /status/');
    like($r->{content}, qr{<a href="/status/maintenances/$m->{id}">}, 'card links under the prefix');
    like($r->{content}, qr{<a href="/status/maintenances/$u->{id}">}, 'upcoming card too');
    like($r->{content}, qr{<a href="/status/maintenance\.ics">}, 'the calendar under the prefix');
    unlike($r->{content}, qr{href="/maintenance}, 'no link outside the prefix');
    is_status($p->page("/status/maintenances/$m->{id}"), 200, 'GET /status/maintenances/N');
    is_status($p->page('/maintenance.ics'), 404, 'no calendar outside the location');
    my $full = $p->get_json("/api/v1/maintenances/$m->{id}");
    my $c = ics(t => $p, path => '/status/maintenance.ics');
    event_matches($c, $full, 'prefixed', base => $p->base_url . '/status/');
    $p->stop;
}

$t->stop;
done_testing;
