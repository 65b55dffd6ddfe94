# Recording a past incident: created as resolved with startedAt and
# resolvedAt, it keeps both times; resolvedAt is refused on an open
# incident, before startedAt and in the future; a resolved incident's
# resolvedAt can be corrected with PATCH.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use POSIX qw(strftime);
use IncidentTest;

my $t = IncidentTest->new->start;

sub iso { strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($_[0])) }

my $now = time;
my $api = $t->api(POST => '/api/v1/components', {name => 'API'});
is_status($api, 201, 'a component');

my $r = $t->api(POST => '/api/v1/incidents',
                {title => 'Last week', status => 'resolved', impact => 'major',
                 startedAt => iso($now - 7 * 86400),
                 resolvedAt => iso($now - 7 * 86400 + 2700),
                 componentIds => [1], message => 'Fixed after 45 minutes.'});
is_status($r, 201, 'a past incident with both times');
my $id = $r->{json}{id};
is($r->{json}{resolvedAt}, iso($now - 7 * 86400 + 2700), 'resolvedAt kept');
is($r->{json}{durationSeconds}, 2700, 'durationSeconds from the two times');
is($t->get_json('/api/v1/status')->{status}, 'operational',
   'a past incident does not touch the current status');

for my $case (
    [{title => 'x', status => 'investigating', impact => 'minor',
      resolvedAt => iso($now - 60)}, 'resolvedAt on an open incident'],
    [{title => 'x', status => 'resolved', impact => 'minor',
      startedAt => iso($now - 600), resolvedAt => iso($now - 3600)},
     'resolvedAt before startedAt'],
    [{title => 'x', status => 'resolved', impact => 'minor',
      resolvedAt => iso($now - 3600)},
     'resolvedAt before the default startedAt (now)'],
    [{title => 'x', status => 'resolved', impact => 'minor',
      resolvedAt => iso($now + 86400)}, 'resolvedAt in the future'],
    [{title => 'x', status => 'resolved', impact => 'minor',
      resolvedAt => 'yesterday'}, 'resolvedAt not a time'],
) {
    my ($body, $name) = @$case;
    my $before = $t->get_json('/api/v1/incidents?limit=100');
    my $e = $t->api(POST => '/api/v1/incidents', $body);
    is_problem($e, 422, $name);
    is((map { $_->{field} } @{ $e->{json}{errors} || [] })[0], 'resolvedAt',
       "$name: the error names resolvedAt");
    is_deeply($t->get_json('/api/v1/incidents?limit=100'), $before,
              "$name: nothing created");
}

my $p = $t->api(PATCH => "/api/v1/incidents/$id",
                {resolvedAt => iso($now - 7 * 86400 + 3600)});
is_status($p, 200, 'PATCH resolvedAt of a resolved incident');
is($p->{json}{durationSeconds}, 3600, 'the duration follows');

$p = $t->api(PATCH => "/api/v1/incidents/$id",
             {startedAt => iso($now - 7 * 86400 + 7200)});
is_problem($p, 422, 'PATCH startedAt after resolvedAt');
is($p->{json}{errors}[0]{field}, 'startedAt', 'the error names startedAt');

my $open = $t->api(POST => '/api/v1/incidents',
                   {title => 'Open', status => 'investigating', impact => 'minor'});
$p = $t->api(PATCH => "/api/v1/incidents/$open->{json}{id}",
             {resolvedAt => iso($now - 60)});
is_problem($p, 422, 'PATCH resolvedAt of an open incident');
is($p->{json}{errors}[0]{field}, 'resolvedAt', 'the error names resolvedAt');
is($t->get_json("/api/v1/incidents/$open->{json}{id}")->{resolvedAt}, undef,
   'and it stays open');

$t->stop;
done_testing;
