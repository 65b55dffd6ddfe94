# components and groups: CRUD, ordering, one level of groups, effective
# status from incidents, pagination
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;

my $t = IncidentTest->new->start;

sub comp { $t->get_json("/api/v1/components/$_[0]") || {} }
sub all_components { $t->list_all('/api/v1/components', limit => 100) }
my ($T, $F) = (JSON::PP::true, JSON::PP::false);

# --- create, get ----------------------------------------------------------------

{
    my $r = $t->api(POST => '/api/v1/components',
                    {name => '  API  ', description => 'Public REST API'});
    is_status($r, 201, 'POST /api/v1/components -> 201');
    like($r->{headers}{location} // '', qr{^(?:https?://[^/]+)?/api/v1/components/1\z},
         'Location /api/v1/components/1');
    fields_are($r->{json},
               {id => 1, name => 'API', description => 'Public REST API',
                groupId => undef, position => 0, status => 'operational',
                baseStatus => 'operational', isGroup => $F},
               'the full component, name trimmed');
    is_deeply(comp(1), $r->{json}, 'GET returns the created component');
}
fields_are($t->create_component(name => 'Dashboard'),
           {id => 2, description => '', groupId => undef, position => 1},
           'second component: description "" by default, position after the last');
my $g = $t->create_component(name => 'Backend');
fields_are($g, {id => 3, position => 2, isGroup => $F}, 'Backend, not yet a group');

fields_are($t->create_component(name => 'Database', groupId => 3),
           {id => 4, groupId => 3, position => 0},
           'first member of a group gets position 0 in its level');
fields_are($t->create_component(name => 'Queue', groupId => 3),
           {id => 5, groupId => 3, position => 1}, 'second member: position 1');
fields_are($t->create_component(name => 'Search', groupId => 3, position => 5),
           {id => 6, groupId => 3, position => 5}, 'explicit position');
fields_are(comp(3), {isGroup => $T}, 'a component with members is a group');
fields_are(comp(4), {isGroup => $F}, 'a member is not a group');

# --- PATCH, ordering -------------------------------------------------------------------

{
    my $r = $t->api(PATCH => '/api/v1/components/5', {position => 9});
    is_status($r, 200, 'PATCH position -> 200');
    fields_are($r->{json}, {id => 5, position => 9, name => 'Queue', groupId => 3},
               'PATCH returns the component');
    $r = $t->api(PATCH => '/api/v1/components/1',
                 {position => 7, description => 'REST and GraphQL'});
    fields_are($r->{json}, {position => 7, description => 'REST and GraphQL',
                            name => 'API'}, 'PATCH two fields, others kept');
}

# checks "ordered by group, then position": top-level components in position
# order; members of a group contiguous, after their group, in position order
sub check_order {
    my ($list, $name) = @_;
    my @why;
    my (%index, @top);
    for my $i (0 .. $#$list) { $index{ $list->[$i]{id} } = $i }
    my %members;
    for my $c (@$list) {
        if (defined $c->{groupId}) { push @{ $members{ $c->{groupId} } }, $c }
        else { push @top, $c }
    }
    my @pos = map { $_->{position} } @top;
    push @why, "top level positions @pos not in order"
        if join(',', @pos) ne join(',', sort { $a <=> $b } @pos);
    for my $gid (sort keys %members) {
        my @m = @{ $members{$gid} };
        my @idx = map { $index{ $_->{id} } } @m;
        push @why, "members of $gid are not contiguous (@idx)"
            if $idx[-1] - $idx[0] != $#idx;
        push @why, "members of $gid come before their group"
            if !defined $index{$gid} || $idx[0] < $index{$gid};
        my @p = map { $_->{position} } @m;
        push @why, "members of $gid: positions @p not in order"
            if join(',', @p) ne join(',', sort { $a <=> $b } @p);
    }
    ok(!@why, $name) or diag(join("\n", @why) . "\nids: @{ ids_of($list) }");
}

{
    my $list = all_components();
    check_order($list, 'components are ordered by group, then position');
    my @top = map { $_->{id} } grep { !defined $_->{groupId} } @$list;
    is_deeply(\@top, [2, 3, 1], 'top level: Dashboard(1), Backend(2), API(7)');
    my @in3 = map { $_->{id} } grep { ($_->{groupId} // 0) == 3 } @$list;
    is_deeply(\@in3, [4, 6, 5], 'in Backend: Database(0), Search(5), Queue(9)');
}

# --- one level of groups ----------------------------------------------------------------

{
    is_problem($t->api(POST => '/api/v1/components', {name => 'Nested', groupId => 4}),
               422, 'a group member cannot be a group (POST)', ['groupId']);
    is_problem($t->api(PATCH => '/api/v1/components/2', {groupId => 4}),
               422, 'a group member cannot be a group (PATCH)', ['groupId']);
    is_problem($t->api(PATCH => '/api/v1/components/3', {groupId => 2}),
               422, 'a group cannot join a group', ['groupId']);
    is_problem($t->api(POST => '/api/v1/components', {name => 'Orphan', groupId => 999}),
               422, 'groupId naming a missing component', ['groupId']);
    is_problem($t->api(PATCH => '/api/v1/components/2', {groupId => 2}),
               422, 'a component cannot be its own group', ['groupId']);
    fields_are(comp(2), {groupId => undef}, 'rejected PATCHes changed nothing');
    fields_are(comp(3), {groupId => undef, isGroup => $T}, 'group unchanged');

    my $r = $t->api(PATCH => '/api/v1/components/2', {groupId => 3});
    fields_are($r->{json}, {groupId => 3}, 'PATCH groupId moves into a group');
    $r = $t->api(PATCH => '/api/v1/components/2', {groupId => undef});
    fields_are($r->{json}, {groupId => undef}, 'PATCH groupId null ungroups');
}

# --- validation ----------------------------------------------------------------------------

{
    my $p = '/api/v1/components';
    is_problem($t->api(POST => $p, {}), 422, 'no name -> 422', ['name']);
    is_problem($t->api(POST => $p, {name => "  \t "}), 422, 'blank name -> 422', ['name']);
    is_problem($t->api(POST => $p, {name => 'n' x 101}), 422, 'name of 101 -> 422', ['name']);
    is_problem($t->api(POST => $p, {name => 'Pos', position => -1}), 422,
               'negative position -> 422', ['position']);
    is_problem($t->api(POST => $p, {name => 'Pos', position => 'first'}), 422,
               'position not a number -> 422', ['position']);
    is_problem($t->api(POST => $p, {name => 'Pos', position => 1.5}), 422,
               'position not an integer -> 422', ['position']);
    is_problem($t->api(POST => $p, {name => 'St', baseStatus => 'down'}), 422,
               'unknown baseStatus -> 422', ['baseStatus']);
    is_problem($t->api(POST => $p, {name => '', baseStatus => 'down', position => -3}),
               422, 'three bad fields -> three errors', [qw(name baseStatus position)]);
    is_problem($t->api(POST => $p, {name => '', groupId => 999}), 422,
               'blank name and a missing group -> two errors', [qw(name groupId)]);
    is_problem($t->api(PATCH => '/api/v1/components/1', {name => ''}), 422,
               'PATCH blank name -> 422', ['name']);
    is_problem($t->api(PATCH => '/api/v1/components/1', {baseStatus => 'down'}), 422,
               'PATCH unknown baseStatus -> 422', ['baseStatus']);
    is_problem($t->api(GET => '/api/v1/components/999'), 404, 'GET unknown -> 404');
    is_problem($t->api(PATCH => '/api/v1/components/999', {name => 'x'}), 404,
               'PATCH unknown -> 404');
    is_problem($t->api(DELETE => '/api/v1/components/999'), 404, 'DELETE unknown -> 404');

    my $long = $t->create_component(name => 'n' x 100);
    is(length($long->{name} // ''), 100, 'name of 100 characters accepted');
    for my $s (qw(operational degraded_performance partial_outage major_outage
                  under_maintenance)) {
        my $c = $t->create_component(name => "Status $s", baseStatus => $s);
        fields_are($c, {baseStatus => $s, status => $s}, "baseStatus $s");
        is_status($t->api(DELETE => "/api/v1/components/$c->{id}"), 204,
                  "delete the $s component");
    }
    is_status($t->api(DELETE => "/api/v1/components/$long->{id}"), 204,
              'delete the long-named component');
}

# --- effective status ------------------------------------------------------------------------

{
    my $inc = $t->create_incident(title => 'DB slow', impact => 'minor',
                                  componentIds => [4]);
    fields_are(comp(4), {status => 'partial_outage', baseStatus => 'operational'},
               'a component linked to an unresolved incident: partial_outage');
    fields_are(comp(3), {status => 'partial_outage', baseStatus => 'operational'},
               'and its parent group too');
    fields_are(comp(5), {status => 'operational'}, 'a sibling is unaffected');
    fields_are(comp(1), {status => 'operational'}, 'an unrelated component is unaffected');
    my %in_list = map { $_->{id} => $_->{status} } @{ all_components() };
    is_deeply([@in_list{3, 4, 5}], [qw(partial_outage partial_outage operational)],
              'the list shows the effective statuses too');

    $t->post_update($inc->{id}, status => 'monitoring', message => 'watching');
    fields_are(comp(4), {status => 'partial_outage'}, 'still partial while monitoring');

    $t->post_update($inc->{id}, status => 'resolved', message => 'fixed');
    fields_are(comp(4), {status => 'operational', baseStatus => 'operational'},
               'resolved: back to the base status');
    fields_are(comp(3), {status => 'operational'}, 'and the group too');

    $t->api(PATCH => '/api/v1/components/4', {baseStatus => 'major_outage'});
    fields_are(comp(4), {status => 'major_outage', baseStatus => 'major_outage'},
               'baseStatus major_outage');
    fields_are(comp(3), {status => 'major_outage', baseStatus => 'operational'},
               'a group shows the worst of its members');
    my $inc2 = $t->create_incident(title => 'DB down', impact => 'critical',
                                   componentIds => [4]);
    fields_are(comp(4), {status => 'major_outage'},
               'a worse baseStatus wins over partial_outage');
    $t->post_update($inc2->{id}, status => 'resolved', message => 'fixed');
    $t->api(PATCH => '/api/v1/components/4', {baseStatus => 'operational'});

    $t->api(PATCH => '/api/v1/components/2', {baseStatus => 'under_maintenance'});
    fields_are(comp(2), {status => 'under_maintenance'}, 'under maintenance');
    my $inc3 = $t->create_incident(title => 'During maintenance', impact => 'none',
                                   componentIds => [2]);
    fields_are(comp(2), {status => 'partial_outage', baseStatus => 'under_maintenance'},
               'partial_outage is worse than under_maintenance');
    $t->post_update($inc3->{id}, status => 'resolved', message => 'done');
    fields_are(comp(2), {status => 'under_maintenance'}, 'back to under_maintenance');
    $t->api(PATCH => '/api/v1/components/2', {baseStatus => 'degraded_performance'});
    my $inc4 = $t->create_incident(title => 'Slow', componentIds => [2]);
    fields_are(comp(2), {status => 'partial_outage'},
               'partial_outage is worse than degraded_performance');
    is_status($t->api(DELETE => "/api/v1/incidents/$inc4->{id}"), 204,
              'delete the unresolved incident');
    fields_are(comp(2), {status => 'degraded_performance'},
               'a deleted incident no longer counts');
    $t->api(PATCH => '/api/v1/components/2', {baseStatus => 'operational'});

    my $inc5 = $t->create_incident(title => 'Backend-wide', componentIds => [3]);
    fields_are(comp(3), {status => 'partial_outage'},
               'an incident naming a group directly marks the group');
    $t->post_update($inc5->{id}, status => 'resolved', message => 'ok');

    my $inc6 = $t->create_incident(title => 'Moving', componentIds => [1]);
    fields_are(comp(1), {status => 'partial_outage'}, 'API partial');
    $t->post_update($inc6->{id}, status => 'identified', message => 'it is the queue',
                    componentIds => [5]);
    fields_are(comp(1), {status => 'operational'},
               'an update that replaces componentIds releases the old component');
    fields_are(comp(5), {status => 'partial_outage'}, 'and marks the new one');
    $t->post_update($inc6->{id}, status => 'resolved', message => 'ok');
}

# --- delete ---------------------------------------------------------------------------------

{
    my $inc = $t->create_incident(title => 'History', componentIds => [4, 5],
                                  message => 'keeps its history');
    $t->post_update($inc->{id}, status => 'resolved', message => 'done');

    my $r = $t->api(DELETE => '/api/v1/components/3');
    is_status($r, 204, 'DELETE a group -> 204');
    is_problem($t->api(GET => '/api/v1/components/3'), 404, 'the group is gone');
    for my $id (4, 5, 6) {
        fields_are(comp($id), {groupId => undef}, "member $id is ungrouped");
    }
    check_order(all_components(), 'order still holds after ungrouping');

    is_status($t->api(DELETE => '/api/v1/components/4'), 204,
              'DELETE a component named by an incident -> 204');
    my $x = $t->api(GET => "/api/v1/incidents/$inc->{id}");
    is_status($x, 200, 'the incident is still there');
    is(scalar @{ $x->{json}{updates} || [] }, 2, 'with its history');

    my $grp = $t->create_component(name => 'Edge');
    my $m = $t->create_component(name => 'CDN', groupId => 0 + $grp->{id});
    fields_are(comp($grp->{id}), {isGroup => $T}, 'Edge is a group');
    $t->api(PATCH => "/api/v1/components/$m->{id}", {groupId => undef});
    fields_are(comp($grp->{id}), {isGroup => $F},
               'a group whose last member left is no longer a group');
}

# --- pagination --------------------------------------------------------------------------------

{
    my $have = scalar @{ all_components() };
    $t->create_component(name => "Filler $_") for $have + 1 .. 30;
    my $everything = all_components();
    is(scalar @$everything, 30, '30 components');
    my %seen;
    ok(!(grep { $seen{$_->{id}}++ } @$everything), 'no duplicates');
    check_order($everything, 'ordering over 30 components');

    my $first = $t->get_json('/api/v1/components');
    is(scalar @{ $first->{data} }, 25, 'default page size 25');
    ok(defined $first->{nextCursor}, 'nextCursor on the first page');
    for my $limit (undef, 1, 7, 30) {
        my ($items, $pages) = $t->list_walk('/api/v1/components', limit => $limit);
        is_deeply(ids_of($items), ids_of($everything),
                  'limit=' . ($limit // 'default') . ': pages give the same list');
    }
}

$t->stop;
done_testing;
