# GET /api/v1/status (overall status, descriptions, active incidents) and
# /api/v1/settings
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;

my %DESCRIPTION = (
    operational          => 'All Systems Operational',
    degraded_performance => 'Degraded Performance',
    partial_outage       => 'Partial System Outage',
    major_outage         => 'Major System Outage',
    under_maintenance    => 'Under Maintenance',
);

my $t = IncidentTest->new->start;

sub status { $t->get_json('/api/v1/status') || {} }

sub status_is {
    my ($want, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $s = status();
    fields_are($s, {status => $want, description => $DESCRIPTION{$want}}, $name);
    return $s;
}

sub resolve {
    $t->post_update($_[0]{id}, status => 'resolved', message => 'resolved');
}

# --- empty page -------------------------------------------------------------------

{
    my $s = status_is('operational', 'no components, no incidents: operational');
    is_deeply($s->{components}, [], 'components []');
    is_deeply($s->{activeIncidents}, [], 'activeIncidents []');
    ok(exists $s->{updatedAt}, 'updatedAt present');
    ok(!defined $s->{updatedAt} || $s->{updatedAt} =~ $RFC3339_RE,
       'updatedAt is null or RFC 3339');
}

# --- no components: active incidents map their impact ------------------------------

my %MAP = (critical => 'major_outage', major => 'partial_outage',
           minor => 'degraded_performance', none => 'operational');
for my $impact (qw(critical major minor none)) {
    my $i = $t->create_incident(title => "Impact $impact", impact => $impact);
    my $s = status_is($MAP{$impact},
                      "no components, an active $impact incident: $MAP{$impact}");
    is_deeply(ids_of($s->{activeIncidents}), [$i->{id}],
              'activeIncidents lists it');
    resolve($i);
    $s = status_is('operational', "resolved: operational again");
    is_deeply($s->{activeIncidents}, [], 'activeIncidents empty after resolving');
}

{
    my $minor = $t->create_incident(title => 'Minor one', impact => 'minor');
    my $crit = $t->create_incident(title => 'Critical one', impact => 'critical',
                                status => 'identified');
    my $past = $t->create_incident(title => 'Past one', impact => 'critical',
                                status => 'resolved');
    my $s = status_is('major_outage', 'the worst active incident wins');
    is_deeply([sort { $a <=> $b } @{ ids_of($s->{activeIncidents}) }],
              [sort { $a <=> $b } $minor->{id}, $crit->{id}],
              'activeIncidents lists only the unresolved ones');
    my ($entry) = grep { $_->{id} == $crit->{id} } @{ $s->{activeIncidents} };
    fields_are($entry, {title => 'Critical one', status => 'identified',
                        impact => 'critical'}, 'an active incident entry');
    resolve($crit);
    status_is('degraded_performance', 'after resolving the critical one');
    is_deeply(ids_of(status()->{activeIncidents}), [$minor->{id}],
              'one active incident left');
    resolve($minor);
    status_is('operational', 'all resolved');
}

# --- with components ---------------------------------------------------------------

my $api  = $t->create_component(name => 'API');
my $dash = $t->create_component(name => 'Dashboard');
my $grp  = $t->create_component(name => 'Backend');
my $db   = $t->create_component(name => 'Database', groupId => 0 + $grp->{id});

{
    my $s = status_is('operational', 'all components operational');
    is(scalar @{ $s->{components} || [] }, 4, 'status lists the components');
    my %by = map { $_->{id} => $_ } @{ $s->{components} || [] };
    fields_are($by{ $db->{id} }, {name => 'Database', groupId => 0 + $grp->{id},
                                  status => 'operational'},
               'a component entry in the status');

    my $i = $t->create_incident(title => 'API down', impact => 'critical',
                                componentIds => [0 + $api->{id}]);
    $s = status_is('partial_outage',
                   'a critical incident naming components: their partial_outage, '
                   . 'not the impact mapping');
    %by = map { $_->{id} => $_ } @{ $s->{components} || [] };
    is($by{ $api->{id} }{status}, 'partial_outage',
       'the status shows the effective component status');

    my $j = $t->create_incident(title => 'Everything slow', impact => 'critical');
    status_is('major_outage',
              'an active incident without components still maps its impact');
    resolve($j);
    resolve($i);
    status_is('operational', 'resolved: operational');

    for my $base (qw(degraded_performance under_maintenance partial_outage
                     major_outage)) {
        $t->api(PATCH => "/api/v1/components/$dash->{id}", {baseStatus => $base});
        status_is($base, "a component at $base");
    }
    $t->api(PATCH => "/api/v1/components/$dash->{id}",
            {baseStatus => 'under_maintenance'});
    $t->api(PATCH => "/api/v1/components/$db->{id}",
            {baseStatus => 'degraded_performance'});
    status_is('degraded_performance',
              'degraded_performance is worse than under_maintenance');
    $t->api(PATCH => "/api/v1/components/$db->{id}", {baseStatus => 'operational'});
    status_is('under_maintenance', 'under_maintenance is worse than operational');

    my $k = $t->create_incident(title => 'DB errors', impact => 'minor',
                                componentIds => [0 + $db->{id}]);
    $s = status_is('partial_outage', 'a member in an incident: partial_outage');
    %by = map { $_->{id} => $_ } @{ $s->{components} || [] };
    is($by{ $grp->{id} }{status}, 'partial_outage', 'and its group');
    is_deeply(ids_of($s->{activeIncidents}), [$k->{id}], 'activeIncidents');
    resolve($k);
    $t->api(PATCH => "/api/v1/components/$dash->{id}", {baseStatus => 'operational'});
    status_is('operational', 'back to operational');
}

# --- settings ------------------------------------------------------------------------

{
    my $s = $t->get_json('/api/v1/settings');
    fields_are($s, {pageTitle => 'Status', incidentPosition => 'top'},
               'settings defaults');

    my $r = $t->api(PATCH => '/api/v1/settings', {pageTitle => '  Acme Status  '});
    is_status($r, 200, 'PATCH pageTitle -> 200');
    fields_are($r->{json}, {pageTitle => 'Acme Status', incidentPosition => 'top'},
               'PATCH returns the settings, title trimmed');

    for my $pos (qw(below_status below_components top below_components)) {
        $r = $t->api(PATCH => '/api/v1/settings', {incidentPosition => $pos});
        is_status($r, 200, "PATCH incidentPosition $pos -> 200");
        fields_are($t->get_json('/api/v1/settings'),
                   {pageTitle => 'Acme Status', incidentPosition => $pos},
                   "GET shows incidentPosition $pos");
    }

    my $before = $t->get_json('/api/v1/settings');
    is_problem($t->api(PATCH => '/api/v1/settings', {incidentPosition => 'bottom'}),
               422, 'bad incidentPosition -> 422', ['incidentPosition']);
    is_problem($t->api(PATCH => '/api/v1/settings',
                       {pageTitle => 'Changed', incidentPosition => 'middle'}),
               422, 'a bad field rejects the whole PATCH', ['incidentPosition']);
    is_deeply($t->get_json('/api/v1/settings'), $before,
              'rejected PATCHes changed nothing');
}

$t->restart;
fields_are($t->get_json('/api/v1/settings'),
           {pageTitle => 'Acme Status', incidentPosition => 'below_components'},
           'settings survive a restart');

$t->stop;
done_testing;
