# The admin UI, incidents: the seed's path (Admin -> Incidents -> Create
# Incident, an Identified update, the prepared resolution) over HTTP with
# the public API and status page agreeing at each step; every incident form
# (create, update, edit, edit/delete an update, delete) with its happy path
# and each validation error (422, input kept, the field marked, nothing
# changed); the delete confirmations; the list filters and pagination.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest qw(:DEFAULT :page);

my $SEED_TITLE   = 'Database connectivity issues';
my $SEED_MESSAGE = 'We are investigating reports of database issues.';
my $GOOD_UPDATE  = "We've identified the root cause as a database connection\n"
                 . "pool exhaustion issue. Our team is working on implementing\n"
                 . "a fix. We expect to deploy the fix within the next 30 minutes.\n"
                 . "Affected services: API, Dashboard";
my $CAUSE = "The issue was caused by\na database connection pool exhaustion "
          . "during a traffic spike.\nWe've increased the pool size and added "
          . "better connection\nhandling to prevent this in the future.";

my $t = IncidentTest->new(status_page => '/')
            ->with_admin(users => { alice => 'alice-pw' })->start;

*form_fields  = \&IncidentTest::form_fields;
*form_set     = \&IncidentTest::form_set;
*form_value   = \&IncidentTest::form_value;
*field_marked = \&IncidentTest::field_marked;
*marked_fields = \&IncidentTest::marked_fields;
*flash_of     = \&IncidentTest::flash_of;

# the links of a page (href values, unescaped)
sub links_of {
    my ($html) = @_;
    return [ map { html_unescape($_) } $html =~ /<a\b[^>]*\shref="([^"]*)"/g ];
}

sub has_link {
    my ($html, $href, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    ok((grep { $_ eq $href } @{ links_of($html) }), $name)
        or diag("links: @{ links_of($html) }");
}

# a 422 that shows FORM again with exactly the fields FIELDS marked, each
# with its message, and nothing changed
sub refused_422 {
    my ($r, $before, $fields, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is_status($r, 422, "$name: 422");
    like($r->{headers}{'content-type'} // '', qr{^text/html\b}i,
         "$name: the form is shown again (text/html)");
    is_deeply(marked_fields($r->{content}), [sort @$fields],
              "$name: exactly @$fields marked");
    for my $f (@$fields) {
        my $m = field_marked($r->{content}, $f);
        ok($m->{invalid}, "$name: $f has aria-invalid=true");
        ok(defined $m->{error} && length $m->{error},
           "$name: $f has its error message (f-$f-err)")
            or diag("error paragraph for $f missing");
        ok($m->{described}, "$name: ${f}'s control points at its error");
    }
    like($r->{content}, qr/Nothing was changed/, "$name: the page says nothing was changed");
    is($t->state_snapshot, $before, "$name: nothing changed in the store");
}

sub comp_statuses {
    my $c = $t->get_json('/api/v1/components')->{data} || [];
    return { map { $_->{id} => $_->{status} } @$c };
}

# the data-status of component ID on the public page
sub page_comp_status {
    my ($html, $id) = @_;
    my @e = grep { $_->{'data-component-id'} eq $id }
                 @{ page_elements($html, 'data-component-id') };
    return @e ? $e[0]{'data-status'} : undef;
}

# ---------------------------------------------------------------------------
# 1. the seed's path

my $html = $t->admin_page('', 'GET the admin root (the dashboard)');
for my $link (qw(incidents components settings)) {
    has_link($html, "/admin/$link", "the dashboard links to $link");
}

$html = $t->admin_page('incidents', 'Admin -> Incidents');
has_link($html, '/admin/incidents/new', 'the incidents page has Create Incident');
like($html, qr{<a\b[^>]*href="/admin/incidents/new"[^>]*>Create Incident</a>},
     'the link says "Create Incident"');

$html = $t->admin_page('components', 'Admin -> Components');
has_link($html, '/admin/components/new', 'the components page links to Add component');

for my $name (qw(API Dashboard)) {
    my $r = $t->admin_submit('components/new', 'components', { name => $name });
    $t->is_redirect($r, 'components', 'component-added', "add component $name -> 303");
    my $page = $t->follow($r);
    is(flash_of($page), 'Component added.', "flash after adding $name");
    like($page, qr{>\Q$name\E</a>}, "the components page lists $name");
}
my $comps = $t->get_json('/api/v1/components')->{data};
is_deeply([ map { [$_->{id}, $_->{name}, $_->{status}] } @$comps ],
          [[1, 'API', 'operational'], [2, 'Dashboard', 'operational']],
          'the API has components 1 API and 2 Dashboard, operational');

# the create form: the four states with their meanings, the impacts with
# the seed's descriptions and examples, the components, notify checked
$html = $t->admin_page('incidents/new', 'GET Create Incident');
for my $s (['investigating', 'Issue is being looked into'],
           ['identified', 'Root cause has been found'],
           ['monitoring', 'Fix deployed, watching for issues'],
           ['resolved', 'Issue is completely fixed']) {
    like($html, qr{name="status" value="$s->[0]"[^>]*>[^<]*<small>[^<]*\Q$s->[1]\E},
         "status $s->[0] with its meaning");
}
for my $i (['critical', 'Complete service outage', 'Website is down'],
           ['major', 'Some features unavailable', 'Login is broken'],
           ['minor', 'Performance issues', 'Slow response times'],
           ['none', 'Minimal impact', 'UI glitch']) {
    like($html, qr{name="impact" value="$i->[0]"[^>]*>[^<]*<small>[^<]*\Q$i->[1]\E[^<]*\Q$i->[2]\E},
         "impact $i->[0] with the seed's description and example");
}
my $f = form_fields($html, '/admin/incidents');
ok($f, 'the create form posts to /admin/incidents') or BAIL_OUT('no create form');
is(form_value($f, 'status'), 'investigating', 'status defaults to investigating');
is(form_value($f, 'notify'), '1', 'notify subscribers is checked by default');
like($html, qr{type="checkbox" name="componentIds" value="1"[^>]*> API</label>},
     'a checkbox for API');
like($html, qr{type="checkbox" name="componentIds" value="2"[^>]*> Dashboard</label>},
     'a checkbox for Dashboard');

my $t0 = time;
form_set($f, title => $SEED_TITLE, status => 'investigating', impact => 'major',
         componentIds => [1, 2], message => $SEED_MESSAGE);
my $r = $t->admin_post('incidents', $f);
$t->is_redirect($r, 'incidents/1', 'created', 'Create -> 303 to the new incident');
$html = $t->follow($r);
is(flash_of($html), 'Incident created.', 'the flash says "Incident created."');
like($html, qr{<h1>\Q$SEED_TITLE\E</h1>}, 'the incident page shows the title');
like(html_text($html), qr/Investigating \x{b7} Major impact \x{b7} Affects API and Dashboard/,
     'status, impact and components shown');
like($html, qr{<li id="update-\d+"><strong>Investigating</strong>.*?\Q$SEED_MESSAGE\E}s,
     'the first message is on the timeline');

my $inc = $t->get_json('/api/v1/incidents/1');
fields_are($inc, { id => 1, title => $SEED_TITLE, status => 'investigating',
                   impact => 'major', componentIds => [1, 2],
                   resolvedAt => undef, durationSeconds => undef },
           'the API has the incident as created in the form');
is(scalar @{ $inc->{updates} || [] }, 1, 'one update');
fields_are($inc->{updates}[0], { status => 'investigating', message => $SEED_MESSAGE,
                                 componentIds => [1, 2], notify => JSON::PP::true },
           'the first update as typed, notify on');

is_deeply(comp_statuses(), { 1 => 'partial_outage', 2 => 'partial_outage' },
          'API and Dashboard are in partial outage (API)');
is($t->get_json('/api/v1/status')->{status}, 'partial_outage',
   'the page status is partial_outage');
my $pub = $t->page('/');
is_status($pub, 200, 'GET the status page');
is(page_comp_status($pub->{content}, $_), 'partial_outage',
   "the status page shows component $_ in partial outage") for 1, 2;
ok((grep { $_->{'data-incident-id'} eq '1' }
         @{ page_elements(page_section($pub->{content}, 'active-incidents') // '',
                          'data-incident-id') }),
   'the status page lists the incident as active');

# the incident began 45 minutes ago (set through the API, as the form has
# no start time), so that the prepared duration means something
my $started = time - 45 * 60;
$r = $t->api(PATCH => '/api/v1/incidents/1', { startedAt => epoch_to_rfc3339($started) });
is_status($r, 200, 'backdate startedAt 45 minutes');
my $before_updates = $t->state_snapshot;

# an Identified update with the seed's "Good Update Example"
$html = $t->admin_page('incidents/1', 'GET the incident page');
$f = form_fields($html, '/admin/incidents/1/updates');
ok($f, 'the incident page has the update form');
is_deeply([ form_value($f, 'componentIds') ], [1, 2],
          'the update form has the current components ticked');
is(form_value($f, 'status'), 'investigating', 'the update form starts at the current status');
is(form_value($f, 'message'), '', 'the message is empty without ?status=resolved');
form_set($f, status => 'identified', message => $GOOD_UPDATE);
$r = $t->admin_post('incidents/1/updates', $f);
$t->is_redirect($r, 'incidents/1', 'posted', 'Post update -> 303 to the incident');
$html = $t->follow($r);
is(flash_of($html), 'Update posted.', 'the flash says "Update posted."');
like($html, qr{<li id="update-\d+"><strong>Identified</strong>}, 'the timeline has the Identified update');
like(html_text($html), qr/\Qpool exhaustion issue. Our team is working on implementing\E/,
     'the update text is on the page');
$inc = $t->get_json('/api/v1/incidents/1');
is($inc->{status}, 'identified', 'the incident is identified (API)');
fields_are($inc->{updates}[0], { status => 'identified', message => $GOOD_UPDATE,
                                 componentIds => [1, 2] },
           'the newest update is the good update example');
isnt($t->state_snapshot, $before_updates, 'the store changed');

# "Prepare the resolution"
like($html, qr{href="/admin/incidents/1\?status=resolved#h-post"}, 'a link prepares the resolution');
$html = $t->admin_page('incidents/1?status=resolved', 'GET ?status=resolved');
my $now = time;
$f = form_fields($html, '/admin/incidents/1/updates');
is(form_value($f, 'status'), 'resolved', 'Resolved is chosen');
my $msg = form_value($f, 'message') // '';
like($msg, qr/^This incident has been resolved\. /, 'the message is the seed-shaped resolution');
my ($mins) = $msg =~ /^Duration: (\d+) minutes$/m;
ok(defined $mins && $mins >= 45 && $mins <= 45 + int(($now - $started - 2700) / 60) + 1,
   "Duration: 45 minutes (computed from startedAt)") or diag($msg);
like($msg, qr/^Impact: API and Dashboard were unavailable$/m, 'Impact: API and Dashboard were unavailable');
is_deeply([ form_value($f, 'componentIds') ], [1, 2], 'components still ticked');

# the operator writes what happened, keeps the rest, and posts it
$msg =~ s/The issue was caused by \.\.\./$CAUSE/ or fail('the cause placeholder is there to replace');
form_set($f, message => $msg);
$r = $t->admin_post('incidents/1/updates', $f);
$t->is_redirect($r, 'incidents/1', 'posted', 'post the resolution -> 303');
$html = $t->follow($r);
$inc = $t->get_json('/api/v1/incidents/1');
is($inc->{status}, 'resolved', 'resolved (API)');
ok(defined $inc->{resolvedAt}, 'resolvedAt set');
my $dur = $inc->{durationSeconds} // -1;
ok($dur >= 2700 && $dur <= time - $started + 1, "durationSeconds is about 45 minutes ($dur)");
is($inc->{updates}[0]{message}, $msg, 'the resolution message as posted');
is_deeply(comp_statuses(), { 1 => 'operational', 2 => 'operational' },
          'API and Dashboard are operational again');
is($t->get_json('/api/v1/status')->{status}, 'operational', 'the page status is operational');
like(html_text($html), qr/Duration: 45 minutes/, 'the admin page shows the duration');
$pub = $t->page('/incidents/1');
is_status($pub, 200, 'GET the public incident page');
like(html_text($pub->{content}), qr/Duration: 45 minutes/, 'the public incident page shows the duration');
like(html_text($pub->{content}), qr/increased the pool size and added better connection handling/, 'and the resolution');
$pub = $t->page('/');
is(page_comp_status($pub->{content}, $_), 'operational',
   "the status page shows component $_ operational") for 1, 2;

# ---------------------------------------------------------------------------
# 2. create: validation errors

# submit the create form with the given fields changed
sub create_with {
    my (%set) = @_;
    return $t->admin_submit('incidents/new', 'incidents', \%set);
}

my $before = $t->state_snapshot;

$r = create_with(title => '', impact => 'critical', componentIds => [2],
                 message => 'kept message <3');
refused_422($r, $before, ['title'], 'create with an empty title');
$f = form_fields($r->{content}, '/admin/incidents');
is(form_value($f, 'message'), 'kept message <3', 'the message is kept');
is(form_value($f, 'impact'), 'critical', 'the chosen impact is kept');
is_deeply([ form_value($f, 'componentIds') ], [2], 'the ticked component is kept');
like($r->{content}, qr{<h1>Create Incident</h1>}, 'it is the create form');

$r = create_with(title => "   \t ");
refused_422($r, $before, ['title'], 'create with a blank title');

$r = create_with(title => 'x' x 201);
refused_422($r, $before, ['title'], 'create with a 201-character title');
is(form_value(form_fields($r->{content}, '/admin/incidents'), 'title'), 'x' x 201,
   'the long title is kept');

$r = create_with(title => 'Bad impact', impact => 'catastrophic');
refused_422($r, $before, ['impact'], 'create with an unknown impact');
is(form_value(form_fields($r->{content}, '/admin/incidents'), 'title'), 'Bad impact',
   'the title is kept');

$r = create_with(title => 'Bad status', status => 'fixed');
refused_422($r, $before, ['status'], 'create with an unknown status');

$r = create_with(title => 'Unknown component', componentIds => [1, 99]);
refused_422($r, $before, ['componentIds'], 'create naming component 99');
like(field_marked($r->{content}, 'componentIds')->{error} // '', qr/99/,
     'the error names the unknown id');
$f = form_fields($r->{content}, '/admin/incidents');
is(form_value($f, 'title'), 'Unknown component', 'the title is kept');
is_deeply([ form_value($f, 'componentIds') ], [1], 'the existing ticked component is kept');

$r = create_with(title => 'Not a number', componentIds => ['abc']);
refused_422($r, $before, ['componentIds'], 'create with a component id that is no number');

$r = create_with(title => '', impact => 'nope');
refused_422($r, $before, ['title', 'impact'], 'create with two bad fields');
like($r->{content}, qr/2 fields need attention/, 'the summary counts both');
$r = create_with(title => '', message => 'quiet', notify => undef);
refused_422($r, $before, ['title'], 'create with notify unticked and no title');
is(form_value(form_fields($r->{content}, '/admin/incidents'), 'notify'), undef,
   'notify stays unticked');

# ---------------------------------------------------------------------------
# create: the quick path and the options

# only the title typed: status investigating, impact as the form offers
$r = create_with(title => 'Only a title');
$t->is_redirect($r, 'incidents/2', 'created', 'create with only a title -> 303');
$inc = $t->get_json('/api/v1/incidents/2');
fields_are($inc, { title => 'Only a title', status => 'investigating',
                   impact => 'minor', componentIds => [] },
           'the quick incident: investigating, minor, no components');
is(scalar @{ $inc->{updates} || [] }, 0, 'no message, no update');
is_deeply(comp_statuses(), { 1 => 'operational', 2 => 'operational' },
          'no component affected');

# a POST with nothing but the token and the title (no status, no radios)
$r = $t->admin_post('incidents', [csrf => $t->admin_csrf($t->admin_page('incidents/new')),
                                  title => 'Bare', impact => 'none']);
$t->is_redirect($r, 'incidents/3', 'created', 'a POST without status -> 303');
is($t->get_json('/api/v1/incidents/3')->{status}, 'investigating',
   'status defaults to investigating');

# notify unticked
$r = create_with(title => 'Quiet one', message => 'No mail for this', notify => undef);
$t->is_redirect($r, 'incidents/4', 'created', 'create with notify unticked -> 303');
is_false($t->get_json('/api/v1/incidents/4')->{updates}[0]{notify},
         'the first update has notify false');

# a past incident, created resolved
$r = create_with(title => 'Past', status => 'resolved', message => 'It was over already.',
                 componentIds => [1]);
$t->is_redirect($r, 'incidents/5', 'created', 'create as resolved -> 303');
$inc = $t->get_json('/api/v1/incidents/5');
is($inc->{status}, 'resolved', 'recorded as resolved');
is(comp_statuses()->{1}, 'operational', 'a resolved incident leaves API operational');

# ---------------------------------------------------------------------------
# post update: validation errors

$r = create_with(title => 'Open one', impact => 'critical', componentIds => [1, 2],
                 message => 'Looking.');
$t->is_redirect($r, 'incidents/6', 'created', 'create incident 6');
$before = $t->state_snapshot;

sub update_with {
    my ($id, %set) = @_;
    return $t->admin_submit("incidents/$id", "incidents/$id/updates", \%set);
}

$r = update_with(6, status => 'monitoring', message => '');
refused_422($r, $before, ['message'], 'update with an empty message');
is(form_value(form_fields($r->{content}, '/admin/incidents/6/updates'), 'status'),
   'monitoring', 'the chosen status is kept');
like($r->{content}, qr{<h1>Open one</h1>}, 'shown again on the incident page');

$r = update_with(6, status => 'done', message => 'Kept text');
refused_422($r, $before, ['status'], 'update with an unknown status');
is(form_value(form_fields($r->{content}, '/admin/incidents/6/updates'), 'message'),
   'Kept text', 'the message is kept');

$r = update_with(6, status => 'identified', message => 'Kept too', componentIds => [2, 42]);
refused_422($r, $before, ['componentIds'], 'update naming component 42');
$f = form_fields($r->{content}, '/admin/incidents/6/updates');
is_deeply([ form_value($f, 'componentIds') ], [2], 'the ticks as submitted are kept');
is(form_value($f, 'message'), 'Kept too', 'the message is kept');

$r = update_with(6, status => 'resolved', message => '');
refused_422($r, $before, ['message'], 'resolved with an empty message');
is(form_value(form_fields($r->{content}, '/admin/incidents/6/updates'), 'message'), '',
   'an emptied message is not silently refilled');

$r = update_with(6, status => 'identified', message => '', notify => undef);
refused_422($r, $before, ['message'], 'update with notify unticked and no message');
is(form_value(form_fields($r->{content}, '/admin/incidents/6/updates'), 'notify'), undef,
   'notify stays unticked');

# unticking every component: the update clears them
$r = update_with(6, status => 'identified', message => 'Only the banner now.',
                 componentIds => []);
$t->is_redirect($r, 'incidents/6', 'posted', 'update with no component ticked -> 303');
$inc = $t->get_json('/api/v1/incidents/6');
is_deeply($inc->{componentIds}, [], 'the incident names no component any more');
is_deeply(comp_statuses(), { 1 => 'operational', 2 => 'operational' },
          'the components are operational again');

$r = update_with(6, status => 'monitoring', message => 'Back on API.', componentIds => [1]);
$t->is_redirect($r, 'incidents/6', 'posted', 'update ticking API -> 303');
is_deeply($t->get_json('/api/v1/incidents/6')->{componentIds}, [1], 'API linked again');
is(comp_statuses()->{1}, 'partial_outage', 'API in partial outage');

# an update to an incident that does not exist
$r = $t->admin_post('incidents/999/updates',
                    [csrf => $t->admin_csrf($html), status => 'identified', message => 'x']);
is_status($r, 404, 'post an update to incident 999 -> 404');

# ---------------------------------------------------------------------------
# 3. edit the incident

$html = $t->admin_page('incidents/6', 'GET incident 6');
has_link($html, '/admin/incidents/6/edit', 'the incident page links to its edit form');
$html = $t->admin_page('incidents/6/edit', 'GET the edit form');
$f = form_fields($html, '/admin/incidents/6');
is(form_value($f, 'title'), 'Open one', 'the edit form has the title');
is(form_value($f, 'impact'), 'critical', 'the impact');
is_deeply([ form_value($f, 'componentIds') ], [1], 'the components');

$before = $t->state_snapshot;
my $n_updates = @{ $t->get_json('/api/v1/incidents/6')->{updates} };
for my $case ([{ title => '' }, ['title'], 'empty title'],
              [{ impact => 'huge' }, ['impact'], 'unknown impact'],
              [{ componentIds => [7] }, ['componentIds'], 'unknown component'],
              [{ title => '', componentIds => [1, 8] }, ['title', 'componentIds'], 'two bad fields']) {
    my ($set, $fields, $what) = @$case;
    $r = $t->admin_submit('incidents/6/edit', 'incidents/6', $set);
    refused_422($r, $before, $fields, "edit with $what");
    like($r->{content}, qr{<h1>Edit incident</h1>}, "edit with $what: the edit form again");
    my $g = form_fields($r->{content}, '/admin/incidents/6');
    is(form_value($g, 'title'), $set->{title} // 'Open one', "edit with $what: the title as typed");
    is_deeply([ form_value($g, 'componentIds') ],
              $set->{componentIds} ? [ grep { $_ < 7 } @{ $set->{componentIds} } ] : [1],
              "edit with $what: the ticks as submitted");
}

$r = $t->admin_submit('incidents/6/edit', 'incidents/6',
                      { title => 'Renamed one', impact => 'minor', componentIds => [1, 2] });
$t->is_redirect($r, 'incidents/6', 'saved', 'save the edit form -> 303 to the incident');
$html = $t->follow($r);
is(flash_of($html), 'Changes saved.', 'the flash says "Changes saved."');
like($html, qr{<h1>Renamed one</h1>}, 'the new title is shown');
$inc = $t->get_json('/api/v1/incidents/6');
fields_are($inc, { title => 'Renamed one', impact => 'minor', componentIds => [1, 2],
                   status => 'monitoring' },
           'the API has the edit; the status is unchanged');
is(scalar @{ $inc->{updates} }, $n_updates, 'no update was posted by the edit');
is(comp_statuses()->{2}, 'partial_outage', 'Dashboard now affected');

$r = $t->admin_submit('incidents/6/edit', 'incidents/6', { componentIds => [] });
$t->is_redirect($r, 'incidents/6', 'saved', 'untick every component -> 303');
is_deeply($t->get_json('/api/v1/incidents/6')->{componentIds}, [], 'no component any more');

$r = $t->admin_post('incidents/999', [csrf => $t->admin_csrf($html), title => 'x']);
is_status($r, 404, 'save the edit of incident 999 -> 404');
is_status($t->admin_get('incidents/999/edit'), 404, 'GET incidents/999/edit -> 404');
is_status($t->admin_get('incidents/999'), 404, 'GET incidents/999 -> 404');

# ---------------------------------------------------------------------------
# edit and delete an update

$inc = $t->get_json('/api/v1/incidents/6');
my ($oldest) = $inc->{updates}[-1];
my $uid = $oldest->{id};
$html = $t->admin_page('incidents/6', 'GET incident 6');
has_link($html, "/admin/incidents/6/updates/$uid/edit", 'each update has an Edit link');
has_link($html, "/admin/incidents/6/updates/$uid/delete", 'and a Delete link');

$html = $t->admin_page("incidents/6/updates/$uid/edit", 'GET the update edit form');
$f = form_fields($html, "/admin/incidents/6/updates/$uid");
is(form_value($f, 'message'), 'Looking.', 'the form has the message');

$before = $t->state_snapshot;
$r = $t->admin_submit("incidents/6/updates/$uid/edit", "incidents/6/updates/$uid",
                      { message => "  \n " });
refused_422($r, $before, ['message'], 'edit an update to a blank message');

$r = $t->admin_submit("incidents/6/updates/$uid/edit", "incidents/6/updates/$uid",
                      { message => 'Looking into it (typo fixed).' });
$t->is_redirect($r, 'incidents/6', 'saved', 'save the update -> 303 to the incident');
$html = $t->follow($r);
is(flash_of($html), 'Changes saved.', 'flash after editing the update');
like($html, qr/Looking into it \(typo fixed\)\./, 'the fixed text is on the timeline');
my ($u) = grep { $_->{id} == $uid } @{ $t->get_json('/api/v1/incidents/6')->{updates} };
fields_are($u, { message => 'Looking into it (typo fixed).', status => $oldest->{status},
                 createdAt => $oldest->{createdAt} },
           'the API has the new message; status and time unchanged');

is_status($t->admin_get("incidents/6/updates/9999/edit"), 404, 'GET the edit form of update 9999 -> 404');

# an update of another incident is not this incident's
my $other = $t->create_incident(title => 'Other', message => 'Not yours.');
my $ouid = $other->{updates}[0]{id};
$before = $t->state_snapshot;
my $tok = $t->admin_csrf($t->admin_page('incidents/6'));
is_status($t->admin_get("incidents/6/updates/$ouid/edit"), 404,
          "GET incidents/6/updates/$ouid/edit (an update of incident $other->{id}) -> 404");
is_status($t->admin_get("incidents/6/updates/$ouid/delete"), 404,
          "GET incidents/6/updates/$ouid/delete (an update of incident $other->{id}) -> 404");
is_status($t->admin_get('incidents/6/updates/9999/delete'), 404,
          'GET the delete confirmation of update 9999 -> 404');
is_status($t->admin_post("incidents/6/updates/$ouid", [csrf => $tok, message => 'Hijacked']), 404,
          "POST incidents/6/updates/$ouid (another incident's update) -> 404");
is_status($t->admin_post("incidents/6/updates/$ouid/delete", [csrf => $tok]), 404,
          "POST incidents/6/updates/$ouid/delete -> 404");
is($t->state_snapshot, $before, "incident $other->{id}'s update is untouched");
$t->api(DELETE => "/api/v1/incidents/$other->{id}");

# delete: the confirmation page first, which changes nothing
$before = $t->state_snapshot;
$html = $t->admin_page("incidents/6/updates/$uid/delete", 'GET the update delete confirmation');
like($html, qr{<button class="danger" type="submit">Delete update</button>}, 'it asks to confirm');
has_link($html, '/admin/incidents/6', 'with a way back');
is($t->state_snapshot, $before, 'the confirmation page changes nothing');
$r = $t->admin_submit("incidents/6/updates/$uid/delete", "incidents/6/updates/$uid/delete", {});
$t->is_redirect($r, 'incidents/6', 'update-deleted', 'confirm -> 303 to the incident');
$html = $t->follow($r);
is(flash_of($html), 'Update deleted.', 'the flash says "Update deleted."');
unlike($html, qr/typo fixed/, 'the update is gone from the timeline');
ok(!(grep { $_->{id} == $uid } @{ $t->get_json('/api/v1/incidents/6')->{updates} }),
   'the API no longer lists the update');
$r = $t->admin_post("incidents/6/updates/$uid/delete", [csrf => $t->admin_csrf($html)]);
is_status($r, 404, 'deleting it again -> 404');

# ---------------------------------------------------------------------------
# delete an incident: confirmation, then POST

$before = $t->state_snapshot;
$html = $t->admin_page('incidents/6', 'GET incident 6');
has_link($html, '/admin/incidents/6/delete', 'the incident page links to Delete incident');
$html = $t->admin_page('incidents/6/delete', 'GET the delete confirmation');
like($html, qr{<button class="danger" type="submit">Delete incident</button>}, 'it asks to confirm');
ok(form_fields($html, '/admin/incidents/6/delete'), 'its form posts to incidents/6/delete');
is($t->state_snapshot, $before, 'the confirmation page changes nothing');
$r = $t->admin_submit('incidents/6/delete', 'incidents/6/delete', {});
$t->is_redirect($r, 'incidents', 'deleted', 'confirm -> 303 to the incidents list');
$html = $t->follow($r);
is(flash_of($html), 'Incident deleted.', 'the flash says "Incident deleted."');
unlike($html, qr{data-incident-id="6"}, 'the list no longer has it');
is_status($t->api(GET => '/api/v1/incidents/6'), 404, 'the API answers 404 for it');
is_status($t->admin_get('incidents/6'), 404, 'its admin page is 404');
is_status($t->admin_get('incidents/6/delete'), 404, 'its confirmation page is 404');
is_status($t->page('/incidents/6'), 404, 'its public page is 404');
is_deeply(comp_statuses(), { 1 => 'operational', 2 => 'operational' },
          'no component is affected any more');

# ---------------------------------------------------------------------------
# the prepared resolution for one component and for none

my $one = $t->create_incident(title => 'One component', componentIds => [2]);
$f = form_fields($t->admin_page("incidents/$one->{id}?status=resolved"),
                 "/admin/incidents/$one->{id}/updates");
like(form_value($f, 'message') // '', qr/^Impact: Dashboard was unavailable$/m,
     'one component: "Impact: Dashboard was unavailable"');
like(form_value($f, 'message') // '', qr/^Duration: (?:less than a minute|1 minute)$/m,
     'a fresh incident: less than a minute (or 1 minute)');
my $none = $t->create_incident(title => 'No component');
$f = form_fields($t->admin_page("incidents/$none->{id}?status=resolved"),
                 "/admin/incidents/$none->{id}/updates");
like(form_value($f, 'message') // '', qr/^This incident has been resolved\./,
     'no component: still the resolution text');
unlike(form_value($f, 'message') // '', qr/^Impact:/m, 'without an Impact line');
$t->api(DELETE => "/api/v1/incidents/$_") for $one->{id}, $none->{id};

# ---------------------------------------------------------------------------
# the list: state filter and pagination

$t->create_incident(title => "Active $_") for 1 .. 24;   # 7 .. 30
my $all = $t->list_all('/api/v1/incidents?state=all', limit => 100);
my $active = $t->list_all('/api/v1/incidents?state=active', limit => 100);
my $resolved = $t->list_all('/api/v1/incidents?state=resolved', limit => 100);

# walk the admin list through its "Older incidents" links
sub admin_list {
    my ($state) = @_;
    my (@ids, %seen);
    my $path = "incidents?state=$state";
    for (1 .. 20) {
        my $page = $t->admin_page($path, "GET admin $path");
        my @rows = map { $_->{'data-incident-id'} }
                   grep { $_->{_tag} eq 'tr' } @{ page_elements($page, 'data-incident-id') };
        push @ids, @rows;
        my ($next) = $page =~ /<a rel="next" href="([^"]+)"/;
        last unless defined $next;
        $next = html_unescape($next);
        $next =~ s{^/admin/}{};
        if ($seen{$next}++) { fail("admin $state list: the next link repeats"); last }
        $path = $next;
    }
    return \@ids;
}
is_deeply(admin_list('all'), ids_of($all), 'admin list "all" shows every incident, newest first, across pages');
is_deeply(admin_list('active'), ids_of($active), 'admin list "active" = the API\'s active incidents');
is_deeply(admin_list('resolved'), ids_of($resolved), 'admin list "resolved" = the API\'s resolved incidents');
ok(@$all > 25, 'more than one page of incidents (' . scalar(@$all) . ')');
$html = $t->admin_page('incidents?state=active', 'GET active incidents');
like($html, qr{href="/admin/incidents\?state=active" aria-current="page"}, 'the active filter is marked current');

# the dashboard: active incidents first, then recent ones
$html = $t->admin_page('', 'GET the dashboard');
my $pos_active = index($html, 'Active incidents');
my $pos_recent = index($html, 'Recent incidents');
ok($pos_active >= 0 && $pos_recent > $pos_active, 'the dashboard shows active incidents, then recent ones');
my $active_part = substr($html, $pos_active, $pos_recent - $pos_active);
ok($active_part =~ /data-incident-id="30"/ && $active_part !~ /data-incident-id="1"/,
   'the active section has an active incident and not the resolved one');
like(substr($html, $pos_recent), qr/data-incident-id="1"/, 'the recent section has the resolved incident');

$t->stop;
done_testing;
