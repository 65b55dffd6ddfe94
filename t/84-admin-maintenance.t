# The admin UI, scheduled maintenance: Admin -> Maintenance (in progress,
# upcoming, past, each with its window, status and components; pages of
# the past), Schedule maintenance (title, window, message, components,
# automatic start and completion, the reminder, notify) and each of its
# validation errors (422, input kept, the field marked, nothing changed),
# the window typed in UTC or in the status page's time zone (daylight
# saving time: the hour skipped, the hour that happens twice), a
# maintenance's page with its timeline, Post update, Start now and
# Complete now (and what they do on a page shown before the timer did it),
# Edit, Cancel maintenance with its confirmation, the CSRF token and the
# same-origin check on every POST, the methods, hostile input escaped; the
# notifications a maintenance sends in a subscriber's delivery history and
# the failed deliveries.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest qw(:DEFAULT :page);

*form_fields   = \&IncidentTest::form_fields;
*form_value    = \&IncidentTest::form_value;
*field_marked  = \&IncidentTest::field_marked;
*marked_fields = \&IncidentTest::marked_fields;
*flash_of      = \&IncidentTest::flash_of;

my $NDASH = "\xe2\x80\x93";          # "–", as the page's UTF-8 bytes

my $t = IncidentTest->new(status_page => '/', workers => 2)
            ->with_admin(users => { alice => 'alice-pw' })->start;

sub headers_ok {
    my ($r, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why = IncidentTest::admin_header_problems($r);
    ok(!@why, "$name: security headers") or diag(join "\n", @why);
}

# no script but our own file, no inline handlers or styles
sub no_inline_script {
    my ($html, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why;
    while ($html =~ m{<script\b([^>]*)>(.*?)</script>}gis) {
        push @why, "inline <script> ($2)" if $2 =~ /\S/;
        push @why, '<script> without src' unless $1 =~ /\ssrc="[^"]+"/;
    }
    push @why, '<style> element' if $html =~ /<style\b/i;
    while ($html =~ /<[a-zA-Z][a-zA-Z0-9]*(\s[^>]*)?>/g) {
        (my $names = $1 // '') =~ s/"[^"]*"|'[^']*'//g;
        push @why, "inline event handler ($&)" if $names =~ /\son[a-z]+\s*=/i;
        push @why, "style attribute ($&)" if $names =~ /\sstyle\s*=/i;
    }
    ok(!@why, "$name: no inline script or style") or diag(join "\n", @why);
}

# everything behind the API, maintenance (with its updates) included
sub snap {
    my $s = $t->state_snapshot;
    my $r = $t->api(GET => '/api/v1/maintenances?state=all&limit=100');
    $s .= "\nmaintenances $r->{status} $r->{content}";
    for my $m (@{ $r->{json}{data} || [] }) {
        my $one = $t->api(GET => "/api/v1/maintenances/$m->{id}");
        $s .= "\n$m->{id} $one->{status} $one->{content}";
    }
    $r = $t->api(GET => '/api/v1/queue', undef, token => 'admin');
    return "$s\nqueue $r->{status} $r->{content}";
}

# a 422 that shows the form headed HEADING again with exactly FIELDS
# marked, each with its message, and nothing changed
sub refused_422 {
    my ($r, $before, $fields, $heading, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is_status($r, 422, "$name: 422");
    is_deeply(marked_fields($r->{content}), [sort @$fields],
              "$name: exactly @$fields marked");
    for my $f (@$fields) {
        my $m = field_marked($r->{content}, $f);
        ok($m->{invalid}, "$name: $f has aria-invalid=true");
        ok(defined $m->{error} && length $m->{error},
           "$name: $f has its error message (p.err#f-$f-err)");
        ok($m->{described}, "$name: ${f}'s control points at its error");
    }
    like($r->{content}, qr{<p class="flash problem" role="alert">Nothing was changed},
         "$name: the page says (role=alert) nothing was changed");
    like($r->{content}, qr{<h1>\Q$heading\E</h1>}, "$name: the form again");
    headers_ok($r, $name);
    is(snap(), $before, "$name: nothing changed in the store");
}

sub error_of {
    my ($r, $field) = @_;
    return field_marked($r->{content}, $field)->{error} // '';
}

sub maint {
    my ($id) = @_;
    return $t->get_json("/api/v1/maintenances/$id");
}

sub maint_api {
    my (%body) = @_;
    my $r = $t->api(POST => '/api/v1/maintenances', \%body);
    is_status($r, 201, "create maintenance '$body{title}' through the API");
    return $r->{json};
}

sub id_of_redirect {
    my ($r) = @_;
    my ($path) = $t->admin_location($r);
    return ($path // '') =~ m{^maintenance/(\d+)\z} ? $1 : undef;
}

sub row_of {
    my ($html, $id) = @_;
    my ($row) = $html =~ m{(<tr data-maintenance-id="$id"[^>]*>.*?</tr>)}s;
    return $row // '';
}

# the ids of the rows of a section of the list
sub section_ids {
    my ($html, $id) = @_;
    my ($part) = $html =~ m{<section class="card" aria-labelledby="$id">(.*?)</section>}s;
    return [ ($part // '') =~ /data-maintenance-id="(\d+)"/g ];
}

sub comp_statuses {
    my $c = $t->get_json('/api/v1/components')->{data} || [];
    return { map { $_->{id} => $_->{status} } @$c };
}

sub schedule {
    my (%set) = @_;
    return $t->admin_submit('maintenance/new', 'maintenance', \%set);
}

sub set_zone {
    my ($zone) = @_;
    my $r = $t->api(PATCH => '/api/v1/settings', { timezone => $zone });
    is_status($r, 200, "the status page's time zone: '$zone'");
}

my $api = $t->create_component(name => 'API')->{id};
my $web = $t->create_component(name => 'Web')->{id};

# ---------------------------------------------------------------------------
# Admin -> Maintenance

my $html = $t->admin_page('', 'the dashboard');
my ($nav) = $html =~ m{<nav aria-label="Admin">(.*?)</nav>}s;
is_deeply([ ($nav // '') =~ />([^<]+)<\/a>/g ],
          ['Dashboard', 'Incidents', 'Maintenance', 'Components', 'Subscribers',
           'Settings', 'View status page'],
          'the admin navigation has Maintenance, after Incidents');
like($nav // '', qr{<a href="/admin/maintenance">Maintenance</a>}, 'it links to /admin/maintenance');

my $r = $t->admin_get('maintenance');
is_status($r, 200, 'Admin -> Maintenance');
headers_ok($r, 'the Maintenance page');
$html = $r->{content};
like($html, qr{<title>Maintenance - Admin</title>}, 'its title');
like($html, qr{<h1>Maintenance</h1>}, 'its heading');
like($html, qr{<a class="btn" href="/admin/maintenance/new">Schedule maintenance</a>},
     'a "Schedule maintenance" link');
is_deeply([ $html =~ m{<h2 id="h-m-\w+">([^<]+)</h2>}g ], ['In progress', 'Upcoming', 'Past'],
          'three sections: In progress, Upcoming, Past');
my $nones = () = $html =~ m{<p class="mu">None\.</p>}g;
is($nones, 3, 'each says None.');
like(html_text($html), qr/Times are in UTC\./, 'the times are said to be UTC');

# ---------------------------------------------------------------------------
# Schedule maintenance: the form

$html = $t->admin_page('maintenance/new', 'Maintenance -> Schedule maintenance');
like($html, qr{<h1>Schedule maintenance</h1>}, 'its heading');
my $f = form_fields($html, '/admin/maintenance');
ok($f, 'the form posts to /admin/maintenance') or BAIL_OUT('no form');
like(form_value($f, 'csrf') // '', qr/^[0-9a-f]{64}\z/, 'with the CSRF token');
like($html, qr{<label for="f-title">Title</label><input type="text" id="f-title" name="title" required},
     'a title field with its label');
for my $w (['scheduledFor', 'Starts'], ['scheduledUntil', 'Ends']) {
    my ($name, $label) = @$w;
    like($html, qr{<label for="f-$name">$label <span class="mu">\(UTC\)</span></label><input type="datetime-local" id="f-$name" name="$name" required value=""},
         "$label: a datetime-local control, its label saying UTC");
    like($html, qr{id="f-$name"[^>]*aria-describedby="f-window-hint"},
         "$label: described by the note on the time zone");
}
like(html_text(($html =~ m{(<p class="hint" id="f-window-hint">.*?</p>)}s)[0] // ''),
     qr/^Times are in UTC\. To type and see them in your own time zone, set the status page's time zone in Settings\.$/,
     'the note next to the fields: UTC, and where to change it');
like($html, qr{<textarea id="f-message" name="message"}, 'a message field');
is_deeply([ $html =~ /name="componentIds" value="(\d+)"/g ], [$api, $web],
          'one checkbox a component');
like($html, qr{<legend>Components under maintenance</legend>}, 'under "Components under maintenance"');
is(form_value($f, 'autoStart'), '1', 'start automatically: checked');
is(form_value($f, 'autoComplete'), '1', 'complete automatically: checked');
is(form_value($f, 'notify'), '1', 'notify: checked');
is(form_value($f, 'remindBeforeMinutes'), '60', 'the reminder: 60 minutes');
like($html, qr{<input type="number" id="f-remindBeforeMinutes" name="remindBeforeMinutes" min="0" max="10080"},
     'the reminder is a number field, 0 to 10080');
is_deeply([ form_value($f, 'componentIds') ], [], 'no component ticked');

# ---------------------------------------------------------------------------
# the happy paths

$r = schedule(title => 'Database upgrade', scheduledFor => '2030-01-15T22:00',
              scheduledUntil => '2030-01-15T23:30', componentIds => [$api, $web],
              message => "We upgrade the **database** cluster.\n\nExpect short pauses.");
$t->is_redirect($r, qr{^maintenance/\d+\z}, 'maintenance-scheduled',
                'schedule a maintenance -> 303 to its page');
my $db = id_of_redirect($r);
$html = $t->follow($r);
is(flash_of($html), 'Maintenance scheduled.', 'the flash says "Maintenance scheduled."');
like($html, qr{<h1>Database upgrade</h1>}, 'its page, headed by its title');
like(html_text($html),
     qr/Status Scheduled Window 2030-01-15 22:00 $NDASH 23:30 UTC Components API, Web Starts Automatically, at the start time Completes Automatically, at the end time Reminder 60 minutes before the start/,
     'its details: status, window, components, automation, reminder');
like($html, qr{<time datetime="2030-01-15T22:00:00Z">2030-01-15 22:00</time>},
     'the window with machine-readable times');
like($html, qr{<li id="update-\d+"><strong>Scheduled</strong>.*?<strong>database</strong> cluster}s,
     'the message is on the timeline, as Markdown');
my $m = maint($db);
fields_are($m, { title => 'Database upgrade', status => 'scheduled', kind => 'maintenance',
                 componentIds => [$api, $web], scheduledFor => '2030-01-15T22:00:00Z',
                 scheduledUntil => '2030-01-15T23:30:00Z', autoStart => JSON::PP::true,
                 autoComplete => JSON::PP::true, remindBeforeMinutes => 60,
                 startedAt => undef, completedAt => undef },
           'the API has it as typed: the window in UTC, the defaults of the form');
is(scalar @{ $m->{updates} }, 1, 'one update: the message');
fields_are($m->{updates}[0], { status => 'scheduled', notify => JSON::PP::true,
                               automatic => JSON::PP::false,
                               message => "We upgrade the **database** cluster.\n\nExpect short pauses." },
           'the update: scheduled, notify on, typed by hand');

$html = $t->admin_page('maintenance', 'the list');
is_deeply(section_ids($html, 'h-m-upcoming'), [$db], 'the list has it under Upcoming');
is(html_text(row_of($html, $db)), "Database upgrade 2030-01-15 22:00 $NDASH 23:30 UTC Scheduled API, Web",
   'its row: title, window, status, components');
like(row_of($html, $db), qr{<a href="/admin/maintenance/$db">Database upgrade</a>}, 'the title links to its page');

# everything unticked, no message
$r = schedule(title => 'Quiet window', scheduledFor => '2030-02-01T08:00',
              scheduledUntil => '2030-02-02T09:15', autoStart => undef,
              autoComplete => undef, remindBeforeMinutes => '0', notify => undef);
$t->is_redirect($r, qr{^maintenance/\d+\z}, 'maintenance-scheduled',
                'schedule one with every box unticked -> 303');
my $quiet = id_of_redirect($r);
$html = $t->follow($r);
like(html_text($html),
     qr/Window 2030-02-01 08:00 $NDASH 2030-02-02 09:15 UTC Components None named: the whole page Starts By hand Completes By hand Reminder None/,
     'a window over two days; no component (the whole page); by hand; no reminder');
like($html, qr/No updates yet\./, 'no message, no update');
fields_are(maint($quiet), { componentIds => [], autoStart => JSON::PP::false,
                            autoComplete => JSON::PP::false, remindBeforeMinutes => 0,
                            updates => [] },
           'the API: no components, no automation, no reminder, no update');

# notify unticked with a message: the update says so
$r = schedule(title => 'Silent', scheduledFor => '2030-03-01T10:00',
              scheduledUntil => '2030-03-01T11:00', message => 'Nobody is told.',
              notify => undef, remindBeforeMinutes => '15');
$t->is_redirect($r, qr{^maintenance/\d+\z}, 'maintenance-scheduled', 'notify unticked -> 303');
my $silent = id_of_redirect($r);
fields_are(maint($silent), { remindBeforeMinutes => 15 }, 'a reminder of 15 minutes');
is_false(maint($silent)->{updates}[0]{notify}, 'its update has notify false');

# seconds are taken, and kept
$r = schedule(title => 'To the second', scheduledFor => '2030-03-02T10:00:30',
              scheduledUntil => '2030-03-02T10:45:00');
$t->is_redirect($r, qr{^maintenance/\d+\z}, 'maintenance-scheduled', 'a window with seconds -> 303');
my $secs = id_of_redirect($r);
fields_are(maint($secs), { scheduledFor => '2030-03-02T10:00:30Z',
                           scheduledUntil => '2030-03-02T10:45:00Z' },
           'the seconds as typed');

# ---------------------------------------------------------------------------
# Schedule maintenance: every validation error, nothing changed

my $before = snap();
my %good = (title => 'Good title', scheduledFor => '2031-05-01T10:00',
            scheduledUntil => '2031-05-01T12:00');

$r = schedule(%good, title => '', message => 'kept <message>', componentIds => [$web],
              autoStart => undef, remindBeforeMinutes => '45', notify => undef);
refused_422($r, $before, ['title'], 'Schedule maintenance', 'an empty title');
$f = form_fields($r->{content}, '/admin/maintenance');
is(form_value($f, 'message'), 'kept <message>', 'the message is kept');
is(form_value($f, 'scheduledFor'), '2031-05-01T10:00', 'the start is kept');
is(form_value($f, 'scheduledUntil'), '2031-05-01T12:00', 'the end is kept');
is_deeply([ form_value($f, 'componentIds') ], [$web], 'the ticked component is kept');
is(form_value($f, 'autoStart'), undef, 'automatic start stays unticked');
is(form_value($f, 'autoComplete'), '1', 'automatic completion stays ticked');
is(form_value($f, 'remindBeforeMinutes'), '45', 'the reminder typed is kept');
is(form_value($f, 'notify'), undef, 'notify stays unticked');

$r = schedule(%good, title => "  \t ");
refused_422($r, $before, ['title'], 'Schedule maintenance', 'a blank title');

$r = schedule(%good, title => 'x' x 201);
refused_422($r, $before, ['title'], 'Schedule maintenance', 'a 201-character title');
is(form_value(form_fields($r->{content}, '/admin/maintenance'), 'title'), 'x' x 201,
   'the long title is kept');

$r = schedule(%good, scheduledFor => '');
refused_422($r, $before, ['scheduledFor'], 'Schedule maintenance', 'no start');
is(error_of($r, 'scheduledFor'), 'is required', 'the start "is required"');

$r = schedule(%good, scheduledUntil => '');
refused_422($r, $before, ['scheduledUntil'], 'Schedule maintenance', 'no end');
is(error_of($r, 'scheduledUntil'), 'is required', 'the end "is required"');

for my $bad ('tomorrow', '2031-05-01', '2031-05-01 10:00', '2031-02-30T10:00',
             '2031-05-01T25:00', '2031-05-01T10:00Z', '2031-05-01T10:00:00+02:00') {
    $r = schedule(%good, scheduledFor => $bad);
    refused_422($r, $before, ['scheduledFor'], 'Schedule maintenance', "a start of '$bad'");
    like(error_of($r, 'scheduledFor'), qr/^must be a date and a time, such as 2026-11-27 22:00$/,
         "'$bad': must be a date and a time");
}

$r = schedule(%good, scheduledFor => '1999-12-31T23:00');
refused_422($r, $before, ['scheduledFor'], 'Schedule maintenance', 'a start in 1999');
is(error_of($r, 'scheduledFor'), 'must be in 2000 or later', '"must be in 2000 or later"');

$r = schedule(%good, scheduledUntil => '2031-05-01T09:59');
refused_422($r, $before, ['scheduledUntil'], 'Schedule maintenance', 'an end before the start');
is(error_of($r, 'scheduledUntil'), 'must be after the start', '"must be after the start"');
$f = form_fields($r->{content}, '/admin/maintenance');
is(form_value($f, 'scheduledUntil'), '2031-05-01T09:59', 'the end typed is kept');

$r = schedule(%good, scheduledUntil => '2031-05-01T10:00');
refused_422($r, $before, ['scheduledUntil'], 'Schedule maintenance', 'an end equal to the start');

for my $bad ('-5', '10081', '1.5', 'abc', '') {
    $r = schedule(%good, remindBeforeMinutes => $bad);
    refused_422($r, $before, ['remindBeforeMinutes'], 'Schedule maintenance',
                "a reminder of '$bad'");
    is(form_value(form_fields($r->{content}, '/admin/maintenance'), 'remindBeforeMinutes'),
       $bad, "'$bad' is kept");
}
like(error_of($r, 'remindBeforeMinutes'), qr/whole number of minutes from 0 to 10080/,
     'the reminder: a whole number of minutes from 0 to 10080');

$r = schedule(%good, componentIds => [$api, 99]);
refused_422($r, $before, ['componentIds'], 'Schedule maintenance', 'naming component 99');
like(error_of($r, 'componentIds'), qr/99/, 'the error names the unknown id');
is_deeply([ form_value(form_fields($r->{content}, '/admin/maintenance'), 'componentIds') ],
          [$api], 'the existing ticked component is kept');

$r = schedule(%good, componentIds => ['abc']);
refused_422($r, $before, ['componentIds'], 'Schedule maintenance', 'a component id that is no number');

$r = schedule(%good, title => '', scheduledFor => 'soon', scheduledUntil => '');
refused_422($r, $before, ['title', 'scheduledFor', 'scheduledUntil'], 'Schedule maintenance',
            'three bad fields');
like($r->{content}, qr/3 fields need attention/, 'the summary counts three');

$r = schedule(%good, title => '', scheduledUntil => '2031-04-01T00:00');
refused_422($r, $before, ['title', 'scheduledUntil'], 'Schedule maintenance',
            'no title and the end before the start');
like($r->{content}, qr/2 fields need attention/, 'the summary counts two');

# a POST without the window's controls at all
$r = $t->admin_post('maintenance', [csrf => $t->admin_csrf($html), title => 'Bare']);
refused_422($r, $before, ['scheduledFor', 'scheduledUntil'], 'Schedule maintenance',
            'a POST without the window');

# ---------------------------------------------------------------------------
# the time zone: the window is typed and shown in the status page's zone

# a form shown in UTC and sent after the zone changed: not read in either
my $stale = form_fields($t->admin_page('maintenance/new'), '/admin/maintenance');
is(form_value($stale, 'zone'), 'UTC', 'the form says which zone it was shown in');
IncidentTest::form_set($stale, title => 'Stale', scheduledFor => '2030-01-20T10:00',
                       scheduledUntil => '2030-01-20T11:00');
set_zone('America/New_York');
$before = snap();
$r = $t->admin_post('maintenance', $stale);
refused_422($r, $before, ['scheduledFor', 'scheduledUntil'], 'Schedule maintenance',
            'a form typed in UTC, sent after the zone became New York');
is(error_of($r, 'scheduledFor'),
   "was typed in UTC, but the status page's time zone is now America/New_York: check it",
   'the times are to be checked');
$f = form_fields($r->{content}, '/admin/maintenance');
is(form_value($f, 'scheduledFor'), '2030-01-20T10:00', 'the start as typed');
is(form_value($f, 'zone'), 'America/New_York', 'the form now in New York time');

$html = $t->admin_page('maintenance/new', 'the form with a time zone set');
like($html, qr{<label for="f-scheduledFor">Starts <span class="mu">\(America/New_York\)</span></label>},
     'the start field says America/New_York');
like($html, qr{<label for="f-scheduledUntil">Ends <span class="mu">\(America/New_York\)</span></label>},
     'the end field says America/New_York');
like(html_text(($html =~ m{(<p class="hint" id="f-window-hint">.*?</p>)}s)[0] // ''),
     qr/^Times are in America\/New_York, the status page's time zone \(set in Settings\)\.$/,
     'the note: the page\'s time zone');

$r = schedule(title => 'Winter window', scheduledFor => '2030-01-15T17:00',
              scheduledUntil => '2030-01-15T18:30', componentIds => [$api]);
$t->is_redirect($r, qr{^maintenance/\d+\z}, 'maintenance-scheduled', 'schedule in New York, winter -> 303');
my $winter = id_of_redirect($r);
fields_are(maint($winter), { scheduledFor => '2030-01-15T22:00:00Z',
                             scheduledUntil => '2030-01-15T23:30:00Z' },
           '17:00 in New York in January is 22:00 UTC (EST, UTC-5)');
$html = $t->follow($r);
like(html_text($html), qr/Window 2030-01-15 17:00 $NDASH 18:30 EST \(2030-01-15 22:00 $NDASH 23:30 UTC\)/,
     'its page: the window in New York time, and in UTC');

$r = schedule(title => 'Summer window', scheduledFor => '2030-07-15T17:00',
              scheduledUntil => '2030-07-15T18:00');
$t->is_redirect($r, qr{^maintenance/\d+\z}, 'maintenance-scheduled', 'schedule in New York, summer -> 303');
my $summer = id_of_redirect($r);
fields_are(maint($summer), { scheduledFor => '2030-07-15T21:00:00Z',
                             scheduledUntil => '2030-07-15T22:00:00Z' },
           '17:00 in New York in July is 21:00 UTC (EDT, UTC-4)');

# across the change of the clocks: each end with its own abbreviation
$r = schedule(title => 'Over the change', scheduledFor => '2030-11-02T23:00',
              scheduledUntil => '2030-11-03T03:00');
$t->is_redirect($r, qr{^maintenance/\d+\z}, 'maintenance-scheduled', 'a window over the night the clocks go back -> 303');
my $over = id_of_redirect($r);
fields_are(maint($over), { scheduledFor => '2030-11-03T03:00:00Z',
                           scheduledUntil => '2030-11-03T08:00:00Z' },
           '23:00 EDT to 03:00 EST: five hours');
like(html_text($t->admin_page("maintenance/$over")),
     qr/Window 2030-11-02 23:00 EDT $NDASH 2030-11-03 03:00 EST/,
     'its page: each end with its abbreviation');

$html = $t->admin_page('maintenance', 'the list in New York time');
is(html_text(row_of($html, $winter)), "Winter window 2030-01-15 17:00 $NDASH 18:30 EST Scheduled API",
   'the list shows the window in New York time');
like(html_text($html), qr/Times are in America\/New_York, the status page's time zone/,
     'and says so');
is(html_text(row_of($html, $db)), "Database upgrade 2030-01-15 17:00 $NDASH 18:30 EST Scheduled API, Web",
   'one scheduled before the zone was set too (22:00-23:30 UTC)');

# the edit form shows the stored times in the zone; saved unchanged, they stay
$f = form_fields($t->admin_page("maintenance/$winter/edit"), "/admin/maintenance/$winter");
is(form_value($f, 'scheduledFor'), '2030-01-15T17:00', 'the edit form: the start in New York time');
is(form_value($f, 'scheduledUntil'), '2030-01-15T18:30', 'the end in New York time');
$f = form_fields($t->admin_page("maintenance/$secs/edit"), "/admin/maintenance/$secs");
is(form_value($f, 'scheduledFor'), '2030-03-02T05:00:30', 'a start with seconds keeps them');
like($t->admin_page("maintenance/$secs/edit"), qr{id="f-scheduledFor" name="scheduledFor" required step="1"},
     'and its control takes seconds (step=1)');
my $secs_before = maint($secs);
$r = $t->admin_submit("maintenance/$secs/edit", "maintenance/$secs", {});
$t->is_redirect($r, "maintenance/$secs", 'saved', 'save the edit form unchanged -> 303');
fields_are(maint($secs), { scheduledFor => $secs_before->{scheduledFor},
                           scheduledUntil => $secs_before->{scheduledUntil} },
           'the window is exactly as it was');

# the hour the clocks skip, and the one they repeat
$before = snap();
$r = schedule(title => 'Gap', scheduledFor => '2030-03-10T02:30', scheduledUntil => '2030-03-10T04:00');
refused_422($r, $before, ['scheduledFor'], 'Schedule maintenance', '02:30 on the day the clocks go forward');
like(error_of($r, 'scheduledFor'), qr/^does not exist in America\/New_York: the clocks go forward over it/,
     'it does not exist in America/New_York');
$r = schedule(title => 'Twice', scheduledFor => '2030-11-03T00:30', scheduledUntil => '2030-11-03T01:30');
refused_422($r, $before, ['scheduledUntil'], 'Schedule maintenance', '01:30 on the day the clocks go back');
like(error_of($r, 'scheduledUntil'), qr/^happens twice in America\/New_York/,
     'it happens twice in America/New_York');
$r = $t->admin_submit("maintenance/$winter/edit", "maintenance/$winter",
                      { scheduledFor => '2030-03-10T02:00' });
refused_422($r, $before, ['scheduledFor'], 'Edit maintenance', 'edit: a start the clocks skip');

# a time zone east of UTC, across midnight
set_zone('Asia/Tokyo');
$r = schedule(title => 'Tokyo', scheduledFor => '2030-01-01T08:00', scheduledUntil => '2030-01-01T09:00');
$t->is_redirect($r, qr{^maintenance/\d+\z}, 'maintenance-scheduled', 'schedule in Tokyo -> 303');
my $tokyo = id_of_redirect($r);
fields_are(maint($tokyo), { scheduledFor => '2029-12-31T23:00:00Z',
                            scheduledUntil => '2030-01-01T00:00:00Z' },
           '08:00 in Tokyo on New Year\'s day is 23:00 UTC the day before');

# back to UTC: the page's time zone unset
set_zone('');
like($t->admin_page('maintenance/new'), qr{Starts <span class="mu">\(UTC\)</span>},
     'without a time zone, UTC again');
$t->api(DELETE => "/api/v1/maintenances/$_") for $winter, $summer, $over, $tokyo, $secs;

# ---------------------------------------------------------------------------
# a maintenance's page: Post update

$html = $t->admin_page("maintenance/$db", 'the page of a scheduled maintenance');
like($html, qr{<article data-maintenance-id="$db" data-status="scheduled">}, 'its article');
is_deeply([ $html =~ m{<button type="submit">([^<]+)</button>}g ], ['Start now', 'Post update'],
          'a scheduled one: Start now (no Complete now) and Post update');
ok(form_fields($html, "/admin/maintenance/$db/start"), 'Start now is a POST form');
like($html, qr{<a class="btn sec" href="/admin/maintenance/$db/edit">Edit</a>}, 'an Edit link');
like($html, qr{<a class="btn sec del" href="/admin/maintenance/$db/delete">Cancel maintenance</a>},
     'a "Cancel maintenance" link');
like($html, qr{<a href="http://127\.0\.0\.1:\d+/maintenances/$db">Public page</a>}, 'its public page');
$f = form_fields($html, "/admin/maintenance/$db/updates");
ok($f, 'the update form posts to maintenance/N/updates');
is_deeply([ $html =~ /name="status" value="(\w+)"[^>]*> ([^<]+) </g ],
          [scheduled => 'Scheduled', in_progress => 'In Progress', verifying => 'Verifying',
           completed => 'Completed'],
          'four statuses: Scheduled, In Progress, Verifying, Completed');
is(form_value($f, 'status'), 'scheduled', 'the current status is chosen');
is(form_value($f, 'notify'), '1', 'notify is checked');

$before = snap();
sub update_with {
    my ($id, %set) = @_;
    return $t->admin_submit("maintenance/$id", "maintenance/$id/updates", \%set);
}
$r = update_with($db, status => 'verifying', message => '');
refused_422($r, $before, ['message'], 'Database upgrade', 'an update without a message');
is(form_value(form_fields($r->{content}, "/admin/maintenance/$db/updates"), 'status'),
   'verifying', 'the chosen status is kept');
$r = update_with($db, status => 'done', message => 'Kept text', notify => undef);
refused_422($r, $before, ['status'], 'Database upgrade', 'an unknown status');
$f = form_fields($r->{content}, "/admin/maintenance/$db/updates");
is(form_value($f, 'message'), 'Kept text', 'the message is kept');
is(form_value($f, 'notify'), undef, 'notify stays unticked');
$r = $t->admin_post('maintenance/99999/updates',
                    [csrf => $t->admin_csrf($html), status => 'in_progress', message => 'x']);
is_status($r, 404, 'an update to maintenance 99999 -> 404');
like($r->{content}, qr/nothing was changed/, 'nothing was changed');
is(snap(), $before, 'nothing changed');

$r = update_with($db, status => 'in_progress', message => 'The upgrade has begun.');
$t->is_redirect($r, "maintenance/$db", 'posted', 'post an In Progress update -> 303');
$html = $t->follow($r);
is(flash_of($html), 'Update posted.', 'the flash says "Update posted."');
like($html, qr{<li id="update-\d+"><strong>In Progress</strong>[^\n]*The upgrade has begun\.}s,
     'the timeline has it');
$m = maint($db);
is($m->{status}, 'in_progress', 'in progress (API)');
like($m->{startedAt} // '', $RFC3339_RE, 'startedAt set');
fields_are($m->{updates}[0], { status => 'in_progress', message => 'The upgrade has begun.',
                               notify => JSON::PP::true },
           'the update as posted');
is_deeply(comp_statuses(), { $api => 'under_maintenance', $web => 'under_maintenance' },
          'API and Web are under maintenance');
is_deeply([ $html =~ m{<button type="submit">([^<]+)</button>}g ], ['Complete now', 'Post update'],
          'in progress: Complete now (no Start now)');
like(html_text($html), qr/Started \d{4}-\d\d-\d\d \d\d:\d\d UTC/, 'when it started');
$html = $t->admin_page('maintenance', 'the list');
is_deeply(section_ids($html, 'h-m-active'), [$db], 'the list has it under In progress');
like(html_text(row_of($html, $db)), qr/ In Progress API, Web$/, 'with its status');

$r = update_with($db, status => 'verifying', message => 'Checking.', notify => undef);
$t->is_redirect($r, "maintenance/$db", 'posted', 'a Verifying update, notify unticked -> 303');
fields_are(maint($db)->{updates}[0], { status => 'verifying', notify => JSON::PP::false },
           'verifying, notify false');

$r = update_with($db, status => 'completed', message => 'All done.');
$t->is_redirect($r, "maintenance/$db", 'posted', 'a Completed update -> 303');
$m = maint($db);
is($m->{status}, 'completed', 'completed (API)');
like($m->{completedAt} // '', $RFC3339_RE, 'completedAt set');
is_deeply(comp_statuses(), { $api => 'operational', $web => 'operational' },
          'the components are operational again');
$html = $t->admin_page("maintenance/$db", 'its page');
is_deeply([ $html =~ m{<button type="submit">([^<]+)</button>}g ], ['Post update'],
          'completed: neither Start now nor Complete now');
is_deeply([ map { html_text($_) } $html =~ m{<li id="update-\d+">(<strong>\w[^<]*</strong>)}g ],
          ['Scheduled', 'In Progress', 'Verifying', 'Completed'], 'the timeline, oldest first');
is_deeply(section_ids($t->admin_page('maintenance'), 'h-m-past'), [$db], 'the list has it under Past');

# ---------------------------------------------------------------------------
# Start now and Complete now

my $hand = maint_api(title => 'By hand', scheduledFor => '2032-06-01T10:00:00Z',
                     scheduledUntil => '2032-06-01T11:00:00Z', componentIds => [$web])->{id};
$html = $t->admin_page("maintenance/$hand", 'a maintenance scheduled for 2032');
like(html_text($html), qr/Start now posts the update the timer would, and notifies subscribers\./,
     'the page says what Start now does');
$r = $t->admin_submit("maintenance/$hand", "maintenance/$hand/start", {});
$t->is_redirect($r, "maintenance/$hand", 'maintenance-started', 'Start now -> 303');
$html = $t->follow($r);
is(flash_of($html), 'Maintenance started.', 'the flash says "Maintenance started."');
$m = maint($hand);
is($m->{status}, 'in_progress', 'in progress, years early (API)');
fields_are($m->{updates}[0], { status => 'in_progress',
                               message => 'Scheduled maintenance is now in progress.',
                               notify => JSON::PP::true, automatic => JSON::PP::false },
           'the update the timer would post, by hand, notifying');
is(comp_statuses()->{$web}, 'under_maintenance', 'Web is under maintenance');
is_deeply([ $html =~ m{<button type="submit">([^<]+)</button>}g ], ['Complete now', 'Post update'],
          'now Complete now');

# Start now again, from the page shown before: nothing changes
$before = snap();
my $tok = $t->admin_csrf($html);
$r = $t->admin_post("maintenance/$hand/start", [csrf => $tok]);
$t->is_redirect($r, "maintenance/$hand", 'already-started', 'Start now on one in progress -> 303');
is(flash_of($t->follow($r)), 'It had already started: nothing was changed.', 'and it says so');
is(snap(), $before, 'no second "now in progress"');

$r = $t->admin_submit("maintenance/$hand", "maintenance/$hand/complete", {});
$t->is_redirect($r, "maintenance/$hand", 'maintenance-completed', 'Complete now -> 303');
$html = $t->follow($r);
is(flash_of($html), 'Maintenance completed.', 'the flash says "Maintenance completed."');
$m = maint($hand);
is($m->{status}, 'completed', 'completed (API)');
fields_are($m->{updates}[0], { status => 'completed', message => 'Scheduled maintenance has completed.',
                               notify => JSON::PP::true, automatic => JSON::PP::false },
           'the completion update');
is(comp_statuses()->{$web}, 'operational', 'Web is operational again');

$before = snap();
for my $what ('complete', 'start') {
    $r = $t->admin_post("maintenance/$hand/$what", [csrf => $tok]);
    $t->is_redirect($r, "maintenance/$hand", 'already-completed', "\u$what now on a completed one -> 303");
    is(flash_of($t->follow($r)), 'It had already completed: nothing was changed.', 'and it says so');
}
is(snap(), $before, 'nothing changed');
for my $what ('start', 'complete') {
    $r = $t->admin_post("maintenance/99999/$what", [csrf => $tok]);
    is_status($r, 404, "\u$what now on maintenance 99999 -> 404");
}

# a maintenance whose start has passed starts on its own: the list shows it
my $auto = maint_api(title => 'Started on its own', scheduledFor => epoch_to_rfc3339(time - 60),
                     scheduledUntil => epoch_to_rfc3339(time + 3600), notify => JSON::PP::false)->{id};
ok(IncidentTest::wait_until(10, sub { maint($auto)->{status} eq 'in_progress' }),
   'an autoStart maintenance whose start has passed starts at once');
$html = $t->admin_page('maintenance', 'the list');
ok((grep { $_ == $auto } @{ section_ids($html, 'h-m-active') }), 'it is In progress on the list');
like($t->admin_page("maintenance/$auto"), qr{<strong>In Progress</strong> &middot; <time[^>]*>[^<]*</time> <span class="mu">\(automatic\)</span>},
     'its timeline marks the automatic update');
$t->api(DELETE => "/api/v1/maintenances/$auto");

# ---------------------------------------------------------------------------
# Edit

my $ed = maint_api(title => 'To edit', scheduledFor => '2033-01-10T10:00:00Z',
                   scheduledUntil => '2033-01-10T12:00:00Z', componentIds => [$api],
                   message => 'First.', remindBeforeMinutes => 30)->{id};
$html = $t->admin_page("maintenance/$ed/edit", 'GET the edit form');
like($html, qr{<h1>Edit maintenance</h1>}, 'its heading');
$f = form_fields($html, "/admin/maintenance/$ed");
is(form_value($f, 'title'), 'To edit', 'the title');
is(form_value($f, 'scheduledFor'), '2033-01-10T10:00', 'the start');
is(form_value($f, 'scheduledUntil'), '2033-01-10T12:00', 'the end');
is_deeply([ form_value($f, 'componentIds') ], [$api], 'the components');
is(form_value($f, 'autoStart'), '1', 'automatic start');
is(form_value($f, 'autoComplete'), '1', 'automatic completion');
is(form_value($f, 'remindBeforeMinutes'), '30', 'the reminder');
is(form_value($f, 'status'), undef, 'no status: that is for updates');
is(form_value($f, 'message'), undef, 'no message');

$before = snap();
for my $case ([{ title => '' }, ['title'], 'an empty title'],
              [{ scheduledFor => '' }, ['scheduledFor'], 'no start'],
              [{ scheduledUntil => 'later' }, ['scheduledUntil'], 'an end that is no time'],
              [{ scheduledUntil => '2033-01-10T09:00' }, ['scheduledUntil'], 'an end before the start'],
              [{ remindBeforeMinutes => '99999' }, ['remindBeforeMinutes'], 'a reminder of 99999'],
              [{ componentIds => [$api, 77] }, ['componentIds'], 'an unknown component'],
              [{ title => '', componentIds => [88] }, ['title', 'componentIds'], 'two bad fields']) {
    my ($set, $fields, $what) = @$case;
    $r = $t->admin_submit("maintenance/$ed/edit", "maintenance/$ed", $set);
    refused_422($r, $before, $fields, 'Edit maintenance', "edit with $what");
    my $g = form_fields($r->{content}, "/admin/maintenance/$ed");
    is(form_value($g, 'title'), $set->{title} // 'To edit', "edit with $what: the title as typed");
    is(form_value($g, 'scheduledUntil'), $set->{scheduledUntil} // '2033-01-10T12:00',
       "edit with $what: the end as typed");
}

$r = $t->admin_submit("maintenance/$ed/edit", "maintenance/$ed",
                      { title => 'Edited', scheduledFor => '2033-01-11T20:00',
                        scheduledUntil => '2033-01-11T21:00', componentIds => [$web],
                        autoStart => undef, remindBeforeMinutes => '0' });
$t->is_redirect($r, "maintenance/$ed", 'saved', 'save the edit form -> 303 to its page');
$html = $t->follow($r);
is(flash_of($html), 'Changes saved.', 'the flash says "Changes saved."');
like($html, qr{<h1>Edited</h1>}, 'the new title');
like(html_text($html), qr/Window 2033-01-11 20:00 $NDASH 21:00 UTC Components Web Starts By hand Completes Automatically, at the end time Reminder None/,
     'the new window, components, automation and reminder');
$m = maint($ed);
fields_are($m, { title => 'Edited', scheduledFor => '2033-01-11T20:00:00Z',
                 scheduledUntil => '2033-01-11T21:00:00Z', componentIds => [$web],
                 autoStart => JSON::PP::false, autoComplete => JSON::PP::true,
                 remindBeforeMinutes => 0, status => 'scheduled' },
           'the API has the edit; the status is unchanged');
is(scalar @{ $m->{updates} }, 1, 'no update was posted by the edit');

$r = $t->admin_submit("maintenance/$ed/edit", "maintenance/$ed", { componentIds => [] });
$t->is_redirect($r, "maintenance/$ed", 'saved', 'untick every component -> 303');
is_deeply(maint($ed)->{componentIds}, [], 'no component any more');

$r = $t->admin_post('maintenance/99999', [csrf => $tok, title => 'x',
                                          scheduledFor => '2033-01-01T00:00',
                                          scheduledUntil => '2033-01-01T01:00']);
is_status($r, 404, 'save the edit of maintenance 99999 -> 404');
for my $path ('maintenance/99999', 'maintenance/99999/edit', 'maintenance/99999/delete') {
    $r = $t->admin_get($path);
    is_status($r, 404, "GET $path -> 404");
    like($r->{content}, qr/There is no such maintenance\./, "$path: \"There is no such maintenance.\"");
}

# ---------------------------------------------------------------------------
# Cancel maintenance: a confirmation naming what goes, then POST

$r = update_with($ed, status => 'scheduled', message => 'Moved to the evening.');
$t->is_redirect($r, "maintenance/$ed", 'posted', 'a second update');
$t->admin_submit("maintenance/$ed/edit", "maintenance/$ed", { componentIds => [$api, $web] });
$before = snap();
$html = $t->admin_page("maintenance/$ed/delete", 'GET the cancel confirmation');
like($html, qr{<h1>Cancel maintenance</h1>}, 'its heading');
like(html_text($html), qr/Cancel this maintenance\? It is deleted with its 2 updates and disappears from the status page\. Subscribers are not told: post an update first if they should be\. This cannot be undone\./,
     'it says what goes, and that subscribers are not told');
like($html, qr{<blockquote class="card">Edited, 2033-01-11 20:00 $NDASH 21:00 UTC \(API, Web\)</blockquote>},
     'it names the maintenance: title, window, components');
like($html, qr{<button class="danger" type="submit">Cancel maintenance</button>}, 'it asks to confirm');
like($html, qr{<a href="/admin/maintenance/$ed">Keep it</a>}, 'with a way back: "Keep it"');
ok(form_fields($html, "/admin/maintenance/$ed/delete"), 'its form posts to maintenance/N/delete');
is(snap(), $before, 'the confirmation page changes nothing');
$r = $t->admin_submit("maintenance/$ed/delete", "maintenance/$ed/delete", {});
$t->is_redirect($r, 'maintenance', 'maintenance-cancelled', 'confirm -> 303 to the list');
$html = $t->follow($r);
is(flash_of($html), 'Maintenance cancelled.', 'the flash says "Maintenance cancelled."');
unlike($html, qr{data-maintenance-id="$ed"}, 'the list no longer has it');
is_status($t->api(GET => "/api/v1/maintenances/$ed"), 404, 'the API answers 404 for it');
is_status($t->admin_get("maintenance/$ed"), 404, 'its admin page is 404');
$r = $t->admin_post("maintenance/$ed/delete", [csrf => $tok]);
is_status($r, 404, 'cancelling it again -> 404');
like($r->{content}, qr/nothing was changed/, 'nothing was changed');

$html = $t->admin_page("maintenance/$quiet/delete", 'the confirmation of one without updates');
like(html_text($html), qr/Cancel this maintenance\? It is deleted and disappears from the status page\./,
     'no updates to name');
like($html, qr{<blockquote class="card">Quiet window, 2030-02-01 08:00 $NDASH 2030-02-02 09:15 UTC \(None named: the whole page\)</blockquote>},
     'a window over two days, no component');

# ---------------------------------------------------------------------------
# CSRF and the same-origin check on every POST

my $csrf = $t->admin_csrf($t->admin_page('maintenance/new'));
(my $wrong = $csrf) =~ s/^(.)/$1 eq 'a' ? 'b' : 'a'/e;
my $victim = maint_api(title => 'Victim', scheduledFor => '2034-01-01T00:00:00Z',
                       scheduledUntil => '2034-01-01T01:00:00Z')->{id};
my @window = (scheduledFor => '2034-02-01T00:00', scheduledUntil => '2034-02-01T01:00');
$before = snap();
for my $route (['maintenance', [title => 'Forged', @window]],
               ["maintenance/$victim", [title => 'Forged', @window]],
               ["maintenance/$victim/updates", [status => 'in_progress', message => 'Forged']],
               ["maintenance/$victim/start", []],
               ["maintenance/$victim/complete", []],
               ["maintenance/$victim/delete", []]) {
    my ($path, $fields) = @$route;
    for my $tk (['no csrf field', undef], ['an empty csrf', ''], ['a wrong csrf', $wrong],
                ['the csrf in upper case', uc $csrf]) {
        my ($what, $value) = @$tk;
        $r = $t->admin_post($path, [ (defined $value ? (csrf => $value) : ()), @$fields ]);
        is($r->{status}, 403, "POST $path with $what -> 403")
            or diag(IncidentTest::dump_response($r));
    }
    like($r->{content}, qr/nothing was\s+changed/i, "POST $path: the 403 page says nothing was changed");
    headers_ok($r, "POST $path: the 403 page");
    $r = $t->admin_post($path, [csrf => $csrf, @$fields], origin => 'http://evil.example');
    is($r->{status}, 403, "POST $path from another origin (valid token) -> 403");
    $r = $t->admin_post($path, [csrf => $csrf, @$fields], origin => undef, fetch_site => 'cross-site');
    is($r->{status}, 403, "POST $path with Sec-Fetch-Site: cross-site -> 403");
    $r = $t->admin_post($path, [csrf => $csrf, @$fields], user => undef);
    is($r->{status}, 401, "POST $path without signing in -> 401");
}
is(snap(), $before, 'no refused POST changed anything');

# ---------------------------------------------------------------------------
# GET changes nothing; the methods

$before = snap();
for my $path ('maintenance', 'maintenance?cursor=5', 'maintenance/new', "maintenance/$victim",
              "maintenance/$victim/edit", "maintenance/$victim/delete",
              "maintenance/$victim/delete?csrf=$csrf",
              "maintenance?csrf=$csrf&title=Get&scheduledFor=2034-01-01T00:00") {
    for my $method (qw(GET HEAD)) {
        $r = $t->admin_req($method, $path);
        is($r->{status}, 200, "$method $path -> 200") or diag(IncidentTest::dump_response($r));
    }
    $r = $t->admin_get($path);
    headers_ok($r, "GET $path");
    no_inline_script($r->{content}, "GET $path");
}
is(snap(), $before, 'no GET or HEAD changed anything');

for my $m (['GET', "maintenance/$victim/start", 'POST'],
           ['GET', "maintenance/$victim/complete", 'POST'],
           ['GET', "maintenance/$victim/updates", 'POST'],
           ['POST', 'maintenance/new', 'GET, HEAD'],
           ['POST', "maintenance/$victim/edit", 'GET, HEAD'],
           ['PUT', 'maintenance', 'GET, HEAD, POST'],
           ['DELETE', "maintenance/$victim", 'GET, HEAD, POST'],
           ['DELETE', "maintenance/$victim/delete", 'GET, HEAD, POST']) {
    my ($method, $path, $allow) = @$m;
    $r = $t->admin_req($method, $path, form => [csrf => $csrf, title => 'x']);
    is_status($r, 405, "$method $path -> 405");
    is($r->{headers}{allow}, $allow, "$method $path: Allow: $allow");
}
for my $path ('maintenance/0', 'maintenance/abc', 'maintenance/new/edit',
              "maintenance/$victim/updates/1", "maintenance/$victim/pause") {
    is_status($t->admin_get($path), 404, "GET $path -> 404");
}
is(snap(), $before, 'no refused method changed anything');

# ---------------------------------------------------------------------------
# escaping

my %hostile = (
    title => q{<script>alert("t")</script> & 'quotes'},
    comp  => q{<img src=x onerror=alert(1)>&amp;},
    msg   => qq{<script>alert("m")</script>\n\n<b>bold?</b> [link](javascript:alert(1))},
    typed => q{"><script>alert(9)</script>},
);
my $evil = $t->create_component(name => $hostile{comp})->{id};
$r = schedule(title => $hostile{title}, scheduledFor => '2035-01-01T10:00',
              scheduledUntil => '2035-01-01T11:00', message => $hostile{msg},
              componentIds => [$evil, $api]);
$t->is_redirect($r, qr{^maintenance/\d+\z}, 'maintenance-scheduled', 'schedule one with hostile text -> 303');
my $ev = id_of_redirect($r);
is(maint($ev)->{title}, $hostile{title}, 'stored as typed');

my $e_title = q{&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;};
my $e_comp  = q{&lt;img src=x onerror=alert(1)&gt;&amp;amp;};
my @raw = ('<script>alert', '<img src=x', '<b>bold', 'javascript:');
sub escaped_ok {
    my ($html, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @found = grep { index($html, $_) >= 0 } @raw;
    ok(!@found, "$name: nothing hostile unescaped") or diag("found: @found");
    no_inline_script($html, $name);
}
for my $path ('maintenance', 'maintenance/new', "maintenance/$ev", "maintenance/$ev/edit",
              "maintenance/$ev/delete") {
    escaped_ok($t->admin_page($path, "GET $path"), "GET $path");
}
$html = $t->admin_page('maintenance', 'the list');
like(row_of($html, $ev), qr{<a href="/admin/maintenance/$ev">\Q$e_title\E</a>}, 'the list: the title escaped');
like(row_of($html, $ev), qr{<td data-label="Components">\Q$e_comp\E, API</td>},
     'the list: the component name escaped');
$html = $t->admin_page("maintenance/$ev", 'its page');
like($html, qr{<title>\Q$e_title\E - Admin</title>}, 'the <title> is escaped');
like($html, qr{<h1>\Q$e_title\E</h1>}, 'the heading is escaped');
like($html, qr{<li id="update-\d+">.*?<!-- raw HTML omitted -->.*?<a href="">link</a>}s,
     'the message: Markdown with its raw HTML and its javascript: link dropped');
$html = $t->admin_page("maintenance/$ev/delete", 'its confirmation');
like($html, qr{<blockquote class="card">\Q$e_title\E, 2035-01-01 10:00 $NDASH 11:00 UTC \(\Q$e_comp\E, API\)</blockquote>},
     'the confirmation names it, escaped');

# what was typed, shown again after a 422, escaped
$r = schedule(title => $hostile{typed}, scheduledFor => $hostile{typed},
              scheduledUntil => '2035-01-01T11:00', remindBeforeMinutes => $hostile{typed},
              message => $hostile{typed});
is_status($r, 422, 'hostile input that does not validate -> 422');
escaped_ok($r->{content}, 'the form shown again');
$f = form_fields($r->{content}, '/admin/maintenance');
is(form_value($f, 'title'), $hostile{typed}, 'the title comes back as typed');
is(form_value($f, 'remindBeforeMinutes'), $hostile{typed}, 'the reminder too');

# ---------------------------------------------------------------------------
# the list: in order, and the past a page at a time

my @up = map { maint_api(title => "Later $_", scheduledFor => sprintf('2036-0%d-01T10:00:00Z', 10 - $_),
                         scheduledUntil => sprintf('2036-0%d-01T11:00:00Z', 10 - $_),
                         notify => JSON::PP::false)->{id} } 1 .. 3;
$html = $t->admin_page('maintenance', 'the list');
my @upcoming = @{ section_ids($html, 'h-m-upcoming') };
my %pos = map { $upcoming[$_] => $_ } 0 .. $#upcoming;
ok($pos{$up[2]} < $pos{$up[1]} && $pos{$up[1]} < $pos{$up[0]},
   'Upcoming: the soonest first, whatever the order they were made in')
    or diag("@upcoming");

my @past = map { maint_api(title => "Old $_", scheduledFor => '2020-01-01T10:00:00Z',
                           scheduledUntil => '2020-01-01T11:00:00Z', status => 'completed',
                           notify => JSON::PP::false)->{id} } 1 .. 26;
my $all_past = $t->list_all('/api/v1/maintenances?state=past', limit => 100);
my (@ids, %seen);
my $path = 'maintenance';
for (1 .. 10) {
    my $page = $t->admin_page($path, "GET admin $path");
    push @ids, @{ section_ids($page, 'h-m-past') };
    my ($next) = $page =~ /<a rel="next" href="([^"]+)"/;
    last unless defined $next;
    $next = html_unescape($next);
    $next =~ s{^/admin/}{};
    if ($seen{$next}++) { fail('the next link repeats'); last }
    $path = $next;
}
is_deeply(\@ids, ids_of($all_past), 'Past: every completed one, newest first, across pages');
ok(@ids > 25, 'more than one page (' . scalar(@ids) . ')');
like($t->admin_page('maintenance'), qr{<a rel="next" href="/admin/maintenance\?cursor=\d+">Older maintenance &rarr;</a>},
     'an "Older maintenance" link');

$t->stop;

# ---------------------------------------------------------------------------
# the notifications a maintenance sends, in a subscriber's history and the
# failed deliveries: a webhook to an address that is not public fails at
# once, for good

my $ELL = "\xe2\x80\xa6";
my $d = IncidentTest->new(status_page => '/', workers => 2,
                          http_extra => "incident_webhook_allow_private off;\n"
                                      . "    incident_notify_retries 1 base=1s max=1s;")
            ->with_admin(users => { alice => 'alice-pw' })->start;
$r = $d->api(POST => '/api/v1/subscribers', { type => 'webhook', url => 'http://127.0.0.1:1/' },
             token => 'admin');
is_status($r, 201, 'a webhook subscriber to http://127.0.0.1:1/ (not public: refused)');
my $hook = $r->{json}{id};

$r = $d->admin_submit('maintenance/new', 'maintenance',
                      { title => 'Disk <b>swap</b>', scheduledFor => '2037-01-01T10:00',
                        scheduledUntil => '2037-01-01T11:00' });
$d->is_redirect($r, qr{^maintenance/\d+\z}, 'maintenance-scheduled', 'schedule one, notify ticked');
my ($nm) = ($d->admin_location($r) =~ m{(\d+)\z});
$r = $d->admin_submit("maintenance/$nm", "maintenance/$nm/start", {});
$d->is_redirect($r, "maintenance/$nm", 'maintenance-started', 'and start it by hand');

my $deads;
ok(IncidentTest::wait_until(30, sub {
    $deads = $d->api(GET => '/api/v1/dead-letters', undef, token => 'admin')->{json}{data};
    return $deads && @$deads == 2;
}), 'both notifications (scheduled, started) become dead letters');

$html = $d->admin_page("subscribers/$hook", "the webhook's page");
like(html_text($html), qr/UTC Disk <b>swap<\/b> Maintenance started 1 Failed for good refused: the address is not public/,
     'its history: the start, a link to the maintenance');
like(html_text($html), qr/UTC Disk <b>swap<\/b> Maintenance scheduled 1 Failed for good/,
     'and the announcement');
like($html, qr{<td data-label="Incident"><a href="/admin/maintenance/$nm">Disk &lt;b&gt;swap&lt;/b&gt;</a></td>},
     'the maintenance linked, its title escaped');

$html = $d->admin_page('dead-letters', 'the failed deliveries');
like($html, qr{<a href="/admin/maintenance/$nm">Disk &lt;b&gt;swap&lt;/b&gt;</a>},
     'the failed deliveries link to the maintenance');
like($html, qr{aria-label="Retry the delivery to http://127\.0\.0\.1:1/\Q$ELL\E about Disk &lt;b&gt;swap&lt;/b&gt;"},
     'Retry says what it is about');

$r = $d->admin_submit("maintenance/$nm/delete", "maintenance/$nm/delete", {});
$d->is_redirect($r, 'maintenance', 'maintenance-cancelled', 'cancel it');
like($d->admin_page('dead-letters'), qr{<span class="mu">Maintenance $nm \(cancelled\)</span>},
     'the failed deliveries: "Maintenance N (cancelled)"');

$d->stop;
done_testing;
