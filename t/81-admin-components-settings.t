# The admin UI, components and settings: create, rename, describe, base
# status, group and ungroup, move up/down (the order of /api/v1/components
# follows), delete with confirmation (members ungrouped); the settings form
# (reflected in /api/v1/settings and on the public page: section order,
# footer links, title, logo, accent); every validation error (422, input
# kept, the field marked, nothing changed).
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest qw(:DEFAULT :page);

my $t = IncidentTest->new(status_page => '/')
            ->with_admin(users => { alice => 'alice-pw' })->start;

*form_fields   = \&IncidentTest::form_fields;
*form_set      = \&IncidentTest::form_set;
*form_value    = \&IncidentTest::form_value;
*field_marked  = \&IncidentTest::field_marked;
*marked_fields = \&IncidentTest::marked_fields;
*flash_of      = \&IncidentTest::flash_of;

sub refused_422 {
    my ($r, $before, $fields, $name) = @_;
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
    like($r->{content}, qr/Nothing was changed/, "$name: the page says nothing was changed");
    is($t->state_snapshot, $before, "$name: nothing changed in the store");
}

# [id, groupId] in the API's order
sub order {
    my $c = $t->get_json('/api/v1/components')->{data} || [];
    return [ map { [$_->{id}, $_->{groupId}] } @$c ];
}

sub comp {
    my ($id) = @_;
    return $t->get_json("/api/v1/components/$id", "GET component $id");
}

sub add_component {
    my (%set) = @_;
    my $r = $t->admin_submit('components/new', 'components', \%set);
    $t->is_redirect($r, 'components', 'component-added', "add component '$set{name}' -> 303");
    return $r;
}

# the move form for ID in DIRECTION, from the components page
sub move_btn {
    my ($id, $dir) = @_;
    my $html = $t->admin_page('components');
    my $action = "/admin/components/$id/move";
    # the page has two forms for this action (up and down): take the one
    # whose direction is DIR
    my @forms;
    while ($html =~ m{(<form\b[^>]*action="\Q$action\E".*?</form>)}gs) {
        push @forms, $1;
    }
    my ($form) = grep { /name="direction" value="$dir"/ } @forms;
    return undef unless $form;
    return form_fields($form, $action);
}

# set positions through the API: what the moves above were to reach, so
# that the tests below do not depend on the move buttons working
sub set_positions {
    my (%pos) = @_;
    for my $id (sort keys %pos) {
        my $r = $t->api(PATCH => "/api/v1/components/$id", { position => $pos{$id} });
        is_status($r, 200, "API: component $id to position $pos{$id}");
    }
}

sub move_by_button {
    my ($id, $dir, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $f = move_btn($id, $dir);
    ok($f, "the components page has a move $dir button for $id") or return;
    my $r = $t->admin_post("components/$id/move", $f);
    $t->is_redirect($r, 'components', 'moved', $name);
    return $r;
}

# ---------------------------------------------------------------------------
# create

my $html = $t->admin_page('components/new', 'GET Add component');
my $f = form_fields($html, '/admin/components');
is(form_value($f, 'baseStatus'), 'operational', 'base status defaults to operational');
is(form_value($f, 'groupId'), '', 'no group by default');

my $r = add_component(name => 'API', description => 'The public REST API');
$html = $t->follow($r);
is(flash_of($html), 'Component added.', 'the flash says "Component added."');
add_component(name => 'Dashboard');
add_component(name => 'Website', baseStatus => 'degraded_performance');
fields_are(comp(1), { name => 'API', description => 'The public REST API',
                      groupId => undef, baseStatus => 'operational', isGroup => JSON::PP::false },
           'component 1 as typed');
fields_are(comp(3), { name => 'Website', baseStatus => 'degraded_performance',
                      status => 'degraded_performance' },
           'component 3 with its base status');
is_deeply(order(), [[1, undef], [2, undef], [3, undef]], 'order: 1 2 3');

# create: validation
my $before = $t->state_snapshot;
$r = $t->admin_submit('components/new', 'components', { name => '', description => 'kept desc' });
refused_422($r, $before, ['name'], 'add a component without a name');
is(form_value(form_fields($r->{content}, '/admin/components'), 'description'), 'kept desc',
   'the description is kept');
like($r->{content}, qr{<h1>Add component</h1>}, 'the add form again');

$r = $t->admin_submit('components/new', 'components', { name => '   ' });
refused_422($r, $before, ['name'], 'add a component with a blank name');

$r = $t->admin_submit('components/new', 'components', { name => 'Odd', baseStatus => 'on_fire' });
refused_422($r, $before, ['baseStatus'], 'add a component with an unknown base status');
is(form_value(form_fields($r->{content}, '/admin/components'), 'name'), 'Odd', 'the name is kept');

$r = $t->admin_submit('components/new', 'components', { name => 'Orphan', groupId => 99 });
refused_422($r, $before, ['groupId'], 'add a component into group 99 (no such component)');
is(form_value(form_fields($r->{content}, '/admin/components'), 'name'), 'Orphan', 'the name is kept');

$r = $t->admin_submit('components/new', 'components', { name => 'Orphan', groupId => 'abc' });
refused_422($r, $before, ['groupId'], 'add a component with a group that is no number');

# ---------------------------------------------------------------------------
# move up / down

move_by_button(3, 'up', 'move 3 up -> 303');
is_deeply(order(), [[1, undef], [3, undef], [2, undef]], 'order: 1 3 2');
$html = $t->follow(move_by_button(1, 'down', 'move 1 down -> 303'));
is(flash_of($html), 'Order changed.', 'the flash says "Order changed."');
is_deeply(order(), [[3, undef], [1, undef], [2, undef]], 'order: 3 1 2');
my @rows = map { $_->{'data-component-id'} } @{ page_elements($html, 'data-component-id') };
is_deeply(\@rows, [3, 1, 2], 'the components page shows the new order');

# the ends have no button that would do nothing; a post anyway is harmless
ok(!move_btn(3, 'up'), 'the first one has no up button');
ok(!move_btn(2, 'down'), 'the last one has no down button');
$f = move_btn(3, 'down');
form_set($f, direction => 'up');
$t->is_redirect($t->admin_post('components/3/move', $f), 'components', 'moved',
                'move the first one up anyway -> 303');
is_deeply(order(), [[3, undef], [1, undef], [2, undef]], 'the first one stays first');
$f = move_btn(2, 'up');
form_set($f, direction => 'down');
$t->is_redirect($t->admin_post('components/2/move', $f), 'components', 'moved',
                'move the last one down anyway -> 303');
is_deeply(order(), [[3, undef], [1, undef], [2, undef]], 'the last one stays last');
set_positions(3 => 0, 1 => 1, 2 => 2);
is_deeply(order(), [[3, undef], [1, undef], [2, undef]], 'order: 3 1 2');

$before = $t->state_snapshot;
$f = move_btn(1, 'up');
form_set($f, direction => 'sideways');
$r = $t->admin_post('components/1/move', $f);
is_status($r, 422, 'move with direction=sideways -> 422');
is($t->state_snapshot, $before, 'nothing changed');
form_set($f, direction => 'up');
is_status($t->admin_post('components/99/move', $f), 404, 'move component 99 -> 404');
is($t->state_snapshot, $before, 'nothing changed');

# ---------------------------------------------------------------------------
# edit: rename, describe, base status

$html = $t->admin_page('components', 'GET components');
like($html, qr{<a href="/admin/components/1">API</a>}, 'each component links to its form');
$html = $t->admin_page('components/1', 'GET component 1');
$f = form_fields($html, '/admin/components/1');
is(form_value($f, 'name'), 'API', 'the form has the name');
is(form_value($f, 'description'), 'The public REST API', 'and the description');
is(form_value($f, 'baseStatus'), 'operational', 'and the base status');

$r = $t->admin_submit('components/1', 'components/1',
                      { name => 'Public API', description => 'REST and GraphQL',
                        baseStatus => 'major_outage' });
$t->is_redirect($r, 'components', 'saved', 'save component 1 -> 303 to components');
$html = $t->follow($r);
is(flash_of($html), 'Changes saved.', 'the flash says "Changes saved."');
like($html, qr{>Public API</a>}, 'the list shows the new name');
fields_are(comp(1), { name => 'Public API', description => 'REST and GraphQL',
                      baseStatus => 'major_outage', status => 'major_outage' },
           'the API has the edit');
my $pub = $t->page('/');
my ($tag) = grep { $_->{'data-component-id'} eq '1' }
                 @{ page_elements($pub->{content}, 'data-component-id') };
is($tag && $tag->{'data-status'}, 'major_outage', 'the status page shows the base status');

$before = $t->state_snapshot;
$r = $t->admin_submit('components/1', 'components/1', { name => '', description => 'typed' });
refused_422($r, $before, ['name'], 'save component 1 with an empty name');
$f = form_fields($r->{content}, '/admin/components/1');
is(form_value($f, 'name'), '', 'the emptied name is shown as typed');
is(form_value($f, 'description'), 'typed', 'the description is kept');
like($r->{content}, qr{<h1>Edit component</h1>}, 'the edit form again');

$r = $t->admin_submit('components/1', 'components/1', { baseStatus => 'meh' });
refused_422($r, $before, ['baseStatus'], 'save component 1 with an unknown base status');

is_status($t->admin_get('components/99'), 404, 'GET components/99 -> 404');
$f = form_fields($t->admin_page('components/1'), '/admin/components/1');
is_status($t->admin_post('components/99', $f), 404, 'POST components/99 -> 404');
is($t->state_snapshot, $before, 'nothing changed');

$r = $t->admin_submit('components/1', 'components/1', { baseStatus => 'operational' });
$t->is_redirect($r, 'components', 'saved', 'base status back to operational');

# ---------------------------------------------------------------------------
# group and ungroup

add_component(name => 'Platform');    # 4
is_deeply(order(), [[3, undef], [1, undef], [2, undef], [4, undef]], 'the new one goes last');

$html = $t->admin_page('components/1', 'GET component 1');
like($html, qr{<option value="4">Platform</option>}, 'Platform is offered as a group');
$r = $t->admin_submit('components/1', 'components/1', { groupId => 4 });
$t->is_redirect($r, 'components', 'saved', 'put 1 into group 4 -> 303');
$r = $t->admin_submit('components/2', 'components/2', { groupId => 4 });
$t->is_redirect($r, 'components', 'saved', 'put 2 into group 4 -> 303');
fields_are(comp(4), { isGroup => JSON::PP::true }, '4 is a group');
fields_are(comp(1), { groupId => 4 }, '1 is in group 4');
is_deeply(order(), [[3, undef], [4, undef], [1, 4], [2, 4]],
          'order: 3, group 4 with its members 1 and 2');
$html = $t->admin_page('components', 'GET components');
like($html, qr{<a href="/admin/components/4">Platform</a> <span class="mu">\(group\)</span>},
     'the list marks the group');

# a component added straight into the group
add_component(name => 'Workers', groupId => 4);     # 5
is_deeply(order(), [[3, undef], [4, undef], [1, 4], [2, 4], [5, 4]], 'added last in the group');

# moving inside a group
move_by_button(5, 'up', 'move 5 up inside the group');
is_deeply(order(), [[3, undef], [4, undef], [1, 4], [5, 4], [2, 4]], 'order inside the group: 1 5 2');
move_by_button(1, 'down', 'move 1 down inside the group');
is_deeply(order(), [[3, undef], [4, undef], [5, 4], [1, 4], [2, 4]], 'order inside the group: 5 1 2');
move_by_button(4, 'up', 'move the group up');
is_deeply(order(), [[4, undef], [5, 4], [1, 4], [2, 4], [3, undef]], 'the group moves with its members');
set_positions(4 => 0, 3 => 1, 5 => 0, 1 => 1, 2 => 2);
is_deeply(order(), [[4, undef], [5, 4], [1, 4], [2, 4], [3, undef]], 'order: 4 (5 1 2) 3');

# a group cannot be in a group
add_component(name => 'Edge');     # 6
$before = $t->state_snapshot;
$html = $t->admin_page('components/4', 'GET group 4');
like($html, qr{<option value="6">Edge</option>}, 'the group\'s form offers Edge');
$r = $t->admin_submit('components/4', 'components/4', { groupId => 6, name => 'Platform 2' });
refused_422($r, $before, ['groupId'], 'put group 4 (with members) into 6');
is(form_value(form_fields($r->{content}, '/admin/components/4'), 'name'), 'Platform 2',
   'the name is kept');

$r = $t->admin_submit('components/6', 'components/6', { groupId => 1 });
refused_422($r, $before, ['groupId'], 'put 6 into 1, which is in a group');
$r = $t->admin_submit('components/new', 'components', { name => 'Deep', groupId => 5 });
refused_422($r, $before, ['groupId'], 'add a component into 5, which is in a group');
$r = $t->admin_submit('components/6', 'components/6', { groupId => 6 });
refused_422($r, $before, ['groupId'], 'put 6 into itself');
$r = $t->admin_submit('components/6', 'components/6', { groupId => 77 });
refused_422($r, $before, ['groupId'], 'put 6 into group 77 (no such component)');

# ungroup
$r = $t->admin_submit('components/1', 'components/1', { groupId => '' });
$t->is_redirect($r, 'components', 'saved', 'ungroup 1 -> 303');
fields_are(comp(1), { groupId => undef }, '1 is ungrouped');
is_deeply(order(), [[4, undef], [5, 4], [2, 4], [3, undef], [6, undef], [1, undef]],
          'order: 1 goes last among the top level');

# ---------------------------------------------------------------------------
# delete, with confirmation

my $inc = $t->create_incident(title => 'Platform trouble', componentIds => [4, 5]);
is(comp(4)->{status}, 'partial_outage', 'the group is in partial outage');

$before = $t->state_snapshot;
$html = $t->admin_page('components', 'GET components');
like($html, qr{<a href="/admin/components/4/delete">Delete</a>}, 'a Delete link per component');
$html = $t->admin_page('components/4/delete', 'GET the delete confirmation of group 4');
like($html, qr{<button class="danger" type="submit">Delete component</button>}, 'it asks to confirm');
like($html, qr/members\s+become ungrouped/, 'it says the members become ungrouped');
is($t->state_snapshot, $before, 'the confirmation page changes nothing');
$r = $t->admin_submit('components/4/delete', 'components/4/delete', {});
$t->is_redirect($r, 'components', 'component-deleted', 'confirm -> 303 to components');
$html = $t->follow($r);
is(flash_of($html), 'Component deleted.', 'the flash says "Component deleted."');
unlike($html, qr{data-component-id="4"}, 'the list no longer has it');
is_status($t->api(GET => '/api/v1/components/4'), 404, 'the API answers 404 for it');
fields_are(comp(5), { groupId => undef }, 'its member 5 is ungrouped');
fields_are(comp(2), { groupId => undef }, 'its member 2 is ungrouped');
is_status($t->api(GET => "/api/v1/incidents/$inc->{id}"), 200, 'the incident is still there');
is($t->admin_post('components/4/delete', [csrf => $t->admin_csrf($html)])->{status}, 404,
   'deleting it again -> 404');
is_status($t->admin_get('components/4/delete'), 404, 'its confirmation page is 404');
$t->api(DELETE => "/api/v1/incidents/$inc->{id}");

# ---------------------------------------------------------------------------
# settings

$html = $t->admin_page('settings', 'GET settings');
$f = form_fields($html, '/admin/settings');
is(form_value($f, 'pageTitle'), 'Status', 'the page title');
is(form_value($f, 'incidentPosition'), 'top', 'incidentPosition: top');
like($html, qr/Top \(Default\)/, 'Top (Default)');
like($html, qr/best for Maximum visibility/i, 'Top: best for maximum visibility');
like($html, qr/best for Balanced visibility/i, 'Below Status: best for balanced visibility');
like($html, qr/best for Secondary focus/i, 'Below Components: best for secondary focus');

# an active incident, so that its section takes part in the order
$t->create_incident(title => 'Something', componentIds => [2]);

my $links = "Docs | https://docs.example.com/\r\nAPI status | /api/v1/status\r\n";
$r = $t->admin_submit('settings', 'settings',
                      { pageTitle => 'Acme Status', incidentPosition => 'below_components',
                        timezone => 'Europe/Paris', logoUrl => 'https://cdn.example.com/logo.png',
                        accentColor => '#12ab34', footerLinks => $links });
$t->is_redirect($r, 'settings', 'saved', 'save settings -> 303 to settings');
$html = $t->follow($r);
is(flash_of($html), 'Changes saved.', 'the flash says "Changes saved."');
my $s = $t->get_json('/api/v1/settings');
fields_are($s, { pageTitle => 'Acme Status', incidentPosition => 'below_components',
                 timezone => 'Europe/Paris', logoUrl => 'https://cdn.example.com/logo.png',
                 accentColor => '#12ab34',
                 footerLinks => [ { label => 'Docs', url => 'https://docs.example.com/' },
                                  { label => 'API status', url => '/api/v1/status' } ] },
           'GET /api/v1/settings has every field as saved');
$f = form_fields($html, '/admin/settings');
is(form_value($f, 'incidentPosition'), 'below_components', 'the form shows the new position');
is(form_value($f, 'footerLinks'), "Docs | https://docs.example.com/\nAPI status | /api/v1/status\n",
   'the form shows the footer links, one a line');

my %ORDER = (
    top              => [qw(active-incidents overall-status components)],
    below_status     => [qw(overall-status active-incidents components)],
    below_components => [qw(overall-status components active-incidents)],
);
sub page_order {
    my $p = $t->page('/');
    my %main = map { $_ => 1 } qw(active-incidents overall-status components);
    return ([ grep { $main{$_} } @{ page_sections($p->{content}) } ], $p->{content});
}
my ($got, $page) = page_order();
is_deeply($got, $ORDER{below_components}, 'the status page: incidents below the components');
like($page, qr{<title>[^<]*Acme Status</title>}, 'the status page has the new title');
my $footer = ($page =~ m{<footer\b.*?</footer>}s) ? $& : '';
like($footer, qr{<a href="https://docs\.example\.com/">Docs</a>}, 'the footer has the Docs link');
like($footer, qr{<a href="/api/v1/status">API status</a>}, 'and the API status link');
ok(index($footer, 'Docs') < index($footer, 'API status'), 'in the order given');
like($page, qr{<img src="https://cdn\.example\.com/logo\.png"}, 'the logo');
like($page, qr{--ac:#12ab34}, 'the accent colour');

for my $pos (qw(below_status top)) {
    $r = $t->admin_submit('settings', 'settings', { incidentPosition => $pos });
    $t->is_redirect($r, 'settings', 'saved', "incidentPosition $pos -> 303");
    is($t->get_json('/api/v1/settings')->{incidentPosition}, $pos, "the API says $pos");
    is_deeply((page_order())[0], $ORDER{$pos}, "the status page follows $pos");
}
is($t->get_json('/api/v1/settings')->{pageTitle}, 'Acme Status',
   'saving the form again keeps the other settings');
is(scalar @{ $t->get_json('/api/v1/settings')->{footerLinks} }, 2, 'and the footer links');

# settings: validation
$before = $t->state_snapshot;
my @bad = (
    [{ incidentPosition => 'middle' }, ['incidentPosition'], 'incidentPosition "middle"'],
    [{ accentColor => 'red' }, ['accentColor'], 'accentColor "red"'],
    [{ accentColor => '#12345' }, ['accentColor'], 'accentColor "#12345"'],
    [{ accentColor => '#12345g' }, ['accentColor'], 'accentColor "#12345g"'],
    [{ logoUrl => 'javascript:alert(1)' }, ['logoUrl'], 'logoUrl javascript:'],
    [{ logoUrl => '//evil.example/logo.png' }, ['logoUrl'], 'logoUrl protocol-relative'],
    [{ footerLinks => "Docs\n" }, ['footerLinks'], 'a footer link without a URL'],
    [{ footerLinks => "Docs | \n" }, ['footerLinks'], 'a footer link with an empty URL'],
    [{ footerLinks => "Evil | javascript:alert(1)\n" }, ['footerLinks'], 'a footer link to javascript:'],
    [{ footerLinks => " | https://example.com/\n" }, ['footerLinks'], 'a footer link without a label'],
    [{ footerLinks => join('', map { "L$_ | /p$_\n" } 1 .. 11) }, ['footerLinks'], '11 footer links'],
    [{ pageTitle => '' }, ['pageTitle'], 'an empty page title'],
    [{ timezone => '../../etc/passwd' }, ['timezone'], 'timezone ../../etc/passwd'],
    [{ accentColor => 'red', logoUrl => 'ftp://x/y' }, ['accentColor', 'logoUrl'], 'two bad fields'],
);
for my $case (@bad) {
    my ($set, $fields, $what) = @$case;
    my %typed = (pageTitle => 'Typed title', %$set);
    $r = $t->admin_submit('settings', 'settings', \%typed);
    refused_422($r, $before, $fields, "settings with $what");
    my $g = form_fields($r->{content}, '/admin/settings');
    is(form_value($g, 'pageTitle'), $typed{pageTitle}, "settings with $what: the page title as typed");
    for my $k (grep { $_ ne 'incidentPosition' } keys %$set) {
        my $v = form_value($g, $k) // '';
        my $want = $set->{$k};
        if ($k eq 'footerLinks') {
            # kept line by line (the URL part may come back empty)
            my @lines = grep { /\S/ } split /\n/, $want;
            my @shown = grep { /\S/ } split /\n/, $v;
            is(scalar @shown, scalar @lines, "settings with $what: every link line is kept");
            my ($label) = $lines[0] =~ /^\s*([^|]*?)\s*(?:\||$)/;
            like($shown[0] // '', qr/^\s*\Q$label\E\s*(?:\||$)/,
                 "settings with $what: the first line is kept") if length $label;
        } else {
            is($v, $want, "settings with $what: $k kept as typed");
        }
    }
}

is_status($t->admin_get('settings/extra'), 404, 'GET settings/extra -> 404');

$t->stop;
done_testing;
