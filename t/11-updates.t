# incident updates: status changes, resolve/reopen, components, edit, delete
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;

my $t = IncidentTest->new->start;

$t->create_component(name => 'API');          # 1
$t->create_component(name => 'Dashboard');    # 2

my $started = epoch_to_rfc3339(time - 2700);
my $inc = $t->create_incident(
    title => 'Database connectivity issues', status => 'investigating',
    impact => 'major', componentIds => [1, 2], startedAt => $started,
    message => 'We are investigating reports of database issues.');
my $id = $inc->{id};
my $first_update = $inc->{updates}[0]{id};

sub incident { $t->get_json("/api/v1/incidents/$id") }
sub update_statuses { [ map { $_->{status} } @{ $_[0]{updates} || [] } ] }

# --- posting an update ----------------------------------------------------------

my $identified_msg = "We've identified the root cause as a database connection\n"
    . "pool exhaustion issue. Our team is working on implementing\n"
    . "a fix. We expect to deploy the fix within the next 30 minutes.";
my $r = $t->post_update($id, status => 'identified', message => $identified_msg);
like($r->{headers}{location} // '',
     qr{^(?:https?://[^/]+)?/api/v1/incidents/$id/updates/\d+\z},
     'Location names the new update');
my ($loc_uid) = ($r->{headers}{location} // '') =~ m{/updates/(\d+)\z};
my $u = $r->{json} || {};
is($u->{id}, $loc_uid, 'the body is the update (id as in Location)');
is($u->{status}, 'identified', 'update status');
is($u->{message}, $identified_msg, 'update message, line breaks kept');
is_true($u->{notify}, 'notify defaults to true');
like($u->{createdAt} // '', $RFC3339_RE, 'update createdAt');
ok($u->{id} > $first_update, 'update ids count up');

my $x = incident();
is($x->{status}, 'identified', 'the update\'s status becomes the incident\'s');
is_deeply(update_statuses($x), [qw(identified investigating)],
          'updates are listed newest first');
is($x->{updates}[0]{id}, $u->{id}, 'newest update first');
is_null($x, 'resolvedAt', 'still unresolved');

# --- components replaced by an update -----------------------------------------------

$r = $t->post_update($id, status => 'monitoring', message => 'Fix deployed.',
                     componentIds => [2], notify => JSON::PP::false);
is_false($r->{json}{notify}, 'notify false kept');
is_deeply($r->{json}{componentIds}, [2], 'update componentIds');
$x = incident();
is($x->{status}, 'monitoring', 'status monitoring');
is_deeply($x->{componentIds}, [2], 'componentIds on an update replace the incident\'s');
$t->post_update($id, status => 'monitoring', message => 'Still watching.');
is_deeply(incident()->{componentIds}, [2],
          'an update without componentIds leaves them alone');

# --- resolve and reopen ----------------------------------------------------------------

my $b = time;
$t->post_update($id, status => 'resolved', message => 'This incident has been resolved.');
my $e = time;
$x = incident();
is($x->{status}, 'resolved', 'resolved');
my $res_at = rfc3339_to_epoch($x->{resolvedAt});
ok(defined $res_at && $res_at >= $b - 2 && $res_at <= $e + 2, 'resolvedAt is now')
    or diag('resolvedAt: ' . ($x->{resolvedAt} // 'null'));
my $d = $x->{durationSeconds};
ok(defined $d && $d >= 2695 && $d <= 2710, 'durationSeconds about 2700')
    or diag('durationSeconds: ' . ($d // 'null'));
ok(defined $d && defined $res_at
   && abs($d - ($res_at - rfc3339_to_epoch($started))) <= 1,
   'durationSeconds = resolvedAt - startedAt');
is_deeply(ids_of($t->get_json('/api/v1/incidents?state=active')->{data}), [],
          'no active incident');

$t->post_update($id, status => 'investigating', message => 'It is back.');
$x = incident();
is($x->{status}, 'investigating', 'a later update reopens the incident');
is_null($x, 'resolvedAt', 'reopened: resolvedAt null');
is_null($x, 'durationSeconds', 'reopened: durationSeconds null');
is_deeply(ids_of($t->get_json('/api/v1/incidents?state=active')->{data}), [$id],
          'the reopened incident is active again');

$t->post_update($id, status => 'resolved', message => 'Resolved again.');
$x = incident();
ok(defined $x->{resolvedAt} && defined $x->{durationSeconds},
   'resolving again sets resolvedAt and durationSeconds');
is_deeply(update_statuses($x),
          [qw(resolved investigating resolved monitoring monitoring
              identified investigating)],
          'the whole timeline, newest first');

# --- editing an update ---------------------------------------------------------------------

{
    my $target = $x->{updates}[-1];      # the first one (investigating)
    my $r = $t->api(PATCH => "/api/v1/incidents/$id/updates/$target->{id}",
                    {message => '  Corrected: we are investigating.  '});
    is_status($r, 200, 'PATCH an update -> 200');
    is($r->{json}{message}, 'Corrected: we are investigating.',
       'PATCH returns the update with the new (trimmed) message');
    my $y = incident();
    is($y->{updates}[-1]{message}, 'Corrected: we are investigating.',
       'the incident shows the new message');
    is($y->{updates}[-1]{status}, 'investigating', 'the update status is kept');
    is($y->{status}, 'resolved', 'the incident status is unchanged');

    is_problem($t->api(PATCH => "/api/v1/incidents/$id/updates/$target->{id}",
                       {message => '   '}),
               422, 'PATCH an update with a blank message -> 422', ['message']);
    is_deeply(incident(), $y, 'the rejected PATCH changed nothing');
}

# --- deleting an update ---------------------------------------------------------------------

{
    my $before = incident();
    my $latest = $before->{updates}[0];
    is($latest->{status}, 'resolved', 'latest update is the resolution');
    my $r = $t->api(DELETE => "/api/v1/incidents/$id/updates/$latest->{id}");
    is_status($r, 204, 'DELETE an update -> 204');
    my $y = incident();
    is(scalar @{ $y->{updates} }, scalar(@{ $before->{updates} }) - 1,
       'one update fewer');
    ok(!(grep { $_->{id} == $latest->{id} } @{ $y->{updates} }),
       'the deleted update is gone');
    is($y->{status}, 'resolved',
       'deleting the latest update leaves the incident status as it is');
    is_problem($t->api(DELETE => "/api/v1/incidents/$id/updates/$latest->{id}"),
               404, 'DELETE it again -> 404');
    is_problem($t->api(PATCH => "/api/v1/incidents/$id/updates/$latest->{id}",
                       {message => 'x'}),
               404, 'PATCH a deleted update -> 404');
}

# --- 404s -----------------------------------------------------------------------------------

{
    my $other = $t->create_incident(title => 'Other', message => 'other one');
    my $other_uid = $other->{updates}[0]{id};
    my $mine = incident()->{updates}[0]{id};

    is_problem($t->api(POST => '/api/v1/incidents/9999/updates',
                       {status => 'identified', message => 'x'}),
               404, 'POST update to an unknown incident -> 404');
    is_problem($t->api(PATCH => "/api/v1/incidents/$id/updates/99999",
                       {message => 'x'}),
               404, 'PATCH unknown update -> 404');
    is_problem($t->api(DELETE => "/api/v1/incidents/$id/updates/99999"),
               404, 'DELETE unknown update -> 404');
    is_problem($t->api(PATCH => "/api/v1/incidents/9999/updates/$mine",
                       {message => 'x'}),
               404, 'PATCH an update under an unknown incident -> 404');
    is_problem($t->api(PATCH => "/api/v1/incidents/$other->{id}/updates/$mine",
                       {message => 'x'}),
               404, 'PATCH an update through another incident -> 404');
    is_problem($t->api(DELETE => "/api/v1/incidents/$id/updates/$other_uid"),
               404, 'DELETE an update through another incident -> 404');
    is(scalar @{ $t->get_json("/api/v1/incidents/$other->{id}")->{updates} }, 1,
       'the other incident\'s update is still there');
}

# --- 422s -------------------------------------------------------------------------------------

{
    my $before = incident();
    my $path = "/api/v1/incidents/$id/updates";
    is_problem($t->api(POST => $path, {}), 422,
               'empty update -> 422 for status and message', [qw(status message)]);
    is_problem($t->api(POST => $path, {status => 'identified'}), 422,
               'update without message -> 422', ['message']);
    is_problem($t->api(POST => $path, {message => 'no status'}), 422,
               'update without status -> 422', ['status']);
    is_problem($t->api(POST => $path, {status => 'fixed', message => 'x'}), 422,
               'unknown status -> 422', ['status']);
    is_problem($t->api(POST => $path, {status => 'identified', message => "  \n "}),
               422, 'blank message -> 422', ['message']);
    is_problem($t->api(POST => $path, {status => 'identified', message => 'x',
                                       componentIds => [99]}),
               422, 'missing component -> 422', ['componentIds']);
    is_problem($t->api(POST => $path, {status => 'identified', message => 'x',
                                       componentIds => [0, 'a']}),
               422, 'bad component ids -> 422', ['componentIds']);
    is_problem($t->api(POST => $path, {status => 'identified', message => 'x',
                                       notify => 'yes'}),
               422, 'notify not a boolean -> 422', ['notify']);
    is_problem($t->api(POST => $path, {status => 'later', message => '',
                                       componentIds => [99]}),
               422, 'three bad fields -> three errors',
               [qw(status message componentIds)]);
    is_deeply(incident(), $before, 'rejected updates changed nothing');
}

$t->stop;
done_testing;
