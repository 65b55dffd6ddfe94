# scheduled maintenance, the API: create, validation (422, nothing
# changed), auth, 404, 405, lists and pagination, PATCH, updates and manual
# transitions, DELETE (cancel), ETags; the effect on /api/v1/status and the
# components' effective statuses
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;

my $T = JSON::PP::true;
my $F = JSON::PP::false;

my @DOC_KEYS = sort qw(id kind title status componentIds scheduledFor
                       scheduledUntil autoStart autoComplete
                       remindBeforeMinutes startedAt completedAt createdAt
                       updatedAt url updates revision);
my @UPDATE_KEYS = sort qw(id maintenanceId status message notify automatic
                          createdAt);

my $t = IncidentTest->new->start;
my $port = $t->port;
my $wrong = 'tok_' . ('0' x 48);

# is the epoch of an RFC 3339 string within [lo-2, hi+2]?
sub time_between {
    my ($s, $lo, $hi, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $e = rfc3339_to_epoch($s);
    ok(defined $e && $e >= $lo - 2 && $e <= $hi + 2, $name)
        or diag("got " . ($s // 'undef') . ", expected between "
                . epoch_to_rfc3339($lo) . " and " . epoch_to_rfc3339($hi));
}

sub keys_are {
    my ($h, $want, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is_deeply([sort keys %{ ref $h eq 'HASH' ? $h : {} }], $want, $name);
}

# a window DAYS days ahead, HOURS long (whole seconds, as stored)
sub window {
    my ($days, $hours) = @_;
    my $from = int(time) + int($days * 86400);
    return (scheduledFor => epoch_to_rfc3339($from),
            scheduledUntil => epoch_to_rfc3339($from + int(($hours // 1) * 3600)));
}

sub create_m {
    my ($tt, %f) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $r = $tt->api(POST => '/api/v1/maintenances', \%f);
    is_status($r, 201, "create maintenance '" . ($f{title} // '') . "'");
    return $r->{json} || {};
}

sub m_get { $_[0]->get_json("/api/v1/maintenances/$_[1]") || {} }

sub post_mu {
    my ($tt, $id, %f) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $r = $tt->api(POST => "/api/v1/maintenances/$id/updates", \%f);
    is_status($r, 201, "post update ($f{status}) to maintenance $id");
    return $r->{json} || {};
}

# every maintenance (with its updates) and the newest audit entries: equal
# snapshots mean nothing was written
sub snapshot {
    my ($tt) = @_;
    my $list = $tt->list_all('/api/v1/maintenances?state=all', limit => 100);
    my $audit = $tt->api(GET => '/api/v1/audit?limit=100', undef,
                         token => 'admin');
    return encode_json([$list, $audit->{json}]);
}

$t->create_component(name => 'API');          # 1
$t->create_component(name => 'Dashboard');    # 2

# --- create -------------------------------------------------------------------------

my %w1 = window(1, 2);
my $t0 = time;
my $r = $t->api(POST => '/api/v1/maintenances',
                {title => 'Database upgrade', %w1, componentIds => [1]});
my $t1 = time;
is_status($r, 201, 'POST /api/v1/maintenances -> 201');
like($r->{headers}{location} // '',
     qr{^(?:https?://[^/]+)?/api/v1/maintenances/1\z},
     'Location /api/v1/maintenances/1');
like($r->{headers}{'content-type'} // '', qr{^application/json\b},
     'content-type application/json');
my $m1 = $r->{json} || {};
keys_are($m1, \@DOC_KEYS, 'the document has exactly the contract\'s members');
fields_are($m1, {id => 1, kind => 'maintenance', title => 'Database upgrade',
                 status => 'scheduled', componentIds => [1],
                 scheduledFor => $w1{scheduledFor},
                 scheduledUntil => $w1{scheduledUntil},
                 autoStart => $T, autoComplete => $T,
                 remindBeforeMinutes => 60, startedAt => undef,
                 completedAt => undef, updates => [], revision => 0,
                 url => "http://127.0.0.1:$port/maintenances/1"},
           'the created maintenance: defaults autoStart/autoComplete true, '
           . 'remindBeforeMinutes 60, no times, no updates');
for my $k (qw(createdAt updatedAt)) {
    like($m1->{$k} // '', $RFC3339_RE, "$k is RFC 3339 UTC");
    time_between($m1->{$k}, $t0, $t1, "$k is now");
}
is_deeply(m_get($t, 1), $m1, 'GET /api/v1/maintenances/1 returns the created document');
is($t->api(GET => '/api/v1/maintenances/1', undef, host => 'status.test')->{json}{url},
   "http://status.test:$port/maintenances/1", 'url follows the Host header');

{
    my %w = window(2);
    my $x = create_m($t, title => 'With a message', %w,
                     message => 'We will upgrade the database.');
    is($x->{id}, 2, 'ids count up');
    is(scalar @{ $x->{updates} || [] }, 1, 'a message is the first update');
    my $u = $x->{updates}[0] || {};
    keys_are($u, \@UPDATE_KEYS, 'an update has exactly the contract\'s members');
    fields_are($u, {maintenanceId => 2, status => 'scheduled',
                    message => 'We will upgrade the database.',
                    notify => $T, automatic => $F},
               'the update: status scheduled, notify true, automatic false');
    like($u->{id} // '', qr/^[1-9]\d*\z/, 'update id is a positive integer');
    time_between($u->{createdAt}, $t0, time, 'update createdAt is now');
    is_deeply($x->{componentIds}, [], 'componentIds defaults to []');

    $x = create_m($t, title => 'All given', window(3),
                  componentIds => [2, 1], autoStart => $F, autoComplete => $F,
                  remindBeforeMinutes => 0, message => 'quiet',
                  notify => $F);
    fields_are($x, {autoStart => $F, autoComplete => $F,
                    remindBeforeMinutes => 0, status => 'scheduled'},
               'autoStart/autoComplete false and remindBeforeMinutes 0 are kept');
    is_deeply([sort @{ $x->{componentIds} || [] }], [1, 2], 'both components');
    is_false($x->{updates}[0]{notify}, 'notify false is kept on the update');
    is_deeply(m_get($t, $x->{id}), $x, 'GET returns it');

    $x = create_m($t, title => 'A week ahead of the reminder', window(10),
                  remindBeforeMinutes => 10080);
    is($x->{remindBeforeMinutes}, 10080, 'remindBeforeMinutes 10080 (the maximum)');

    # past times are allowed (not started: autoStart false)
    my %past = (scheduledFor => epoch_to_rfc3339(time - 7200),
                scheduledUntil => epoch_to_rfc3339(time - 3600));
    $x = create_m($t, title => 'Backfilled', %past, autoStart => $F,
                  autoComplete => $F);
    fields_are($x, {status => 'scheduled', %past},
               'a window in the past is accepted as given');
    $x = create_m($t, title => 'From 2000', autoStart => $F, autoComplete => $F,
                  scheduledFor => '2000-01-01T00:00:00Z',
                  scheduledUntil => '2000-01-01T01:00:00Z');
    is($x->{scheduledFor}, '2000-01-01T00:00:00Z', '2000-01-01 is accepted');
    $x = create_m($t, title => 'Offset', autoStart => $F,
                  scheduledFor => '2030-06-01T12:00:00+02:00',
                  scheduledUntil => '2030-06-01T13:30:00+02:00');
    fields_are($x, {scheduledFor => '2030-06-01T10:00:00Z',
                    scheduledUntil => '2030-06-01T11:30:00Z'},
               'an RFC 3339 offset is stored and shown in UTC');
    $x = create_m($t, title => 'x' x 200, window(4));
    is(length($x->{title} // ''), 200, 'title of 200 characters accepted');

    # created already going: in_progress sets startedAt
    my $b = time;
    $x = create_m($t, title => 'Already going', window(-0.01, 48),
                  status => 'in_progress', message => 'started by hand');
    fields_are($x, {status => 'in_progress', completedAt => undef},
               'created in_progress');
    time_between($x->{startedAt}, $b, time, 'startedAt is now');
    is($x->{updates}[0]{status}, 'in_progress', 'its update has that status');
    $x = create_m($t, title => 'Already done', window(-1),
                  status => 'completed', autoStart => $F);
    is($x->{status}, 'completed', 'created completed');
    time_between($x->{completedAt}, $b, time, 'completedAt is now');
    $x = create_m($t, title => 'Checking', window(-0.01, 48),
                  status => 'verifying');
    is($x->{status}, 'verifying', 'created verifying');
    time_between($x->{startedAt}, $b, time, 'verifying sets startedAt');
}

# --- 422: each bad field, nothing changed ---------------------------------------------

{
    my %ok = (title => 'Valid', window(5));
    my $before = snapshot($t);
    my @cases = (
        ['empty object', {}, [qw(title scheduledFor scheduledUntil)]],
        ['missing title', {%ok, title => undef}, ['title']],
        ['missing scheduledFor', {%ok, scheduledFor => undef}, ['scheduledFor']],
        ['missing scheduledUntil', {%ok, scheduledUntil => undef},
         ['scheduledUntil']],
        ['blank title', {%ok, title => '   '}, ['title']],
        ['empty title', {%ok, title => ''}, ['title']],
        ['title of 201 characters', {%ok, title => 'x' x 201}, ['title']],
        ['title not a string', {%ok, title => 5}, ['title']],
        ['scheduledUntil equal to scheduledFor',
         {%ok, scheduledUntil => $ok{scheduledFor}}, ['scheduledUntil']],
        ['scheduledUntil before scheduledFor',
         {%ok, scheduledFor => $ok{scheduledUntil},
          scheduledUntil => $ok{scheduledFor}}, ['scheduledUntil']],
        ['scheduledUntil one second before',
         {%ok, scheduledUntil => epoch_to_rfc3339(
             rfc3339_to_epoch($ok{scheduledFor}) - 1)}, ['scheduledUntil']],
        ['scheduledFor "tomorrow"', {%ok, scheduledFor => 'tomorrow'},
         ['scheduledFor']],
        ['scheduledFor month 13', {%ok, scheduledFor => '2030-13-01T00:00:00Z'},
         ['scheduledFor']],
        ['scheduledFor without a zone', {%ok, scheduledFor => '2030-01-01T00:00:00'},
         ['scheduledFor']],
        ['scheduledFor a date only', {%ok, scheduledFor => '2030-01-01'},
         ['scheduledFor']],
        ['scheduledFor before 2000',
         {%ok, scheduledFor => '1999-12-31T23:00:00Z'}, ['scheduledFor']],
        ['scheduledFor a number', {%ok, scheduledFor => 1900000000},
         ['scheduledFor']],
        ['scheduledFor empty', {%ok, scheduledFor => ''}, ['scheduledFor']],
        ['scheduledUntil garbage', {%ok, scheduledUntil => 'later'},
         ['scheduledUntil']],
        ['scheduledUntil null', {%ok, scheduledUntil => JSON::PP::null},
         ['scheduledUntil']],
        (map { ["remindBeforeMinutes " . encode_json([$_]), {%ok,
                 remindBeforeMinutes => $_}, ['remindBeforeMinutes']] }
             -1, 10081, 1.5, 0.5, '60', $T, [60]),
        (map { ["autoStart " . encode_json([$_]), {%ok, autoStart => $_},
                ['autoStart']] } 'yes', 1, 0, 'true'),
        (map { ["autoComplete " . encode_json([$_]), {%ok, autoComplete => $_},
                ['autoComplete']] } 'no', 1, 'false'),
        ['notify "false"', {%ok, notify => 'false'}, ['notify']],
        (map { ["componentIds " . encode_json([$_]), {%ok, componentIds => $_},
                ['componentIds']] } [99], [1, 99], ['x'], [0], [-1], [1.5], 1),
        ['status open', {%ok, status => 'open'}, ['status']],
        ['status resolved (an incident\'s)', {%ok, status => 'resolved'},
         ['status']],
        ['a bad title and a bad window',
         {%ok, title => '', scheduledUntil => $ok{scheduledFor}},
         [qw(title scheduledUntil)]],
        ['three bad fields',
         {%ok, scheduledFor => 'x', remindBeforeMinutes => -5,
          componentIds => [42]},
         [qw(scheduledFor remindBeforeMinutes componentIds)]],
    );
    for my $c (@cases) {
        my ($name, $body, $fields) = @$c;
        # "missing X": the member is left out altogether
        if ($name =~ /^missing (\w+)/) {
            delete $body->{$1};
        }
        my $x = $t->api(POST => '/api/v1/maintenances', $body);
        is_problem($x, 422, "POST: $name -> 422", $fields);
        if ($name =~ /scheduledUntil (?:equal|before|one second)/) {
            my ($e) = grep { $_->{field} eq 'scheduledUntil' }
                      @{ $x->{json}{errors} || [] };
            like(($e || {})->{message} // '', qr/must be after scheduledFor/,
                 "  the message says it must be after scheduledFor");
        }
    }
    like($t->api(POST => '/api/v1/maintenances', {})->{json}{detail} // '',
         qr/nothing was changed/i, 'the 422 says nothing was changed');
    is(snapshot($t), $before, 'none of the rejected POSTs changed anything');
}

# --- auth -----------------------------------------------------------------------------

{
    my $before = snapshot($t);
    my %body = (title => 'Sneaky', window(6));
    for my $auth ([token => undef], [bearer => $wrong]) {
        my $how = defined $auth->[1] ? 'a wrong token' : 'no token';
        is_problem($t->api(POST => '/api/v1/maintenances', \%body, @$auth), 401,
                   "POST /maintenances with $how -> 401");
        is_problem($t->api(PATCH => '/api/v1/maintenances/1', {title => 'x'},
                           @$auth), 401, "PATCH with $how -> 401");
        is_problem($t->api(DELETE => '/api/v1/maintenances/1', undef, @$auth),
                   401, "DELETE with $how -> 401");
        is_problem($t->api(POST => '/api/v1/maintenances/1/updates',
                           {status => 'in_progress', message => 'x'}, @$auth),
                   401, "POST updates with $how -> 401");
    }
    is(snapshot($t), $before, 'the unauthorised writes changed nothing');
    is_status($t->api(GET => '/api/v1/maintenances'), 200,
              'reads are public: GET /maintenances without a token -> 200');
    is_status($t->api(GET => '/api/v1/maintenances/1'), 200,
              'GET /maintenances/1 without a token -> 200');
    my $ci = $t->api(POST => '/api/v1/maintenances',
                     {title => 'By CI', window(6)}, token => 'ci');
    is_status($ci, 201, 'another token from the tokens file may write');
    is_status($t->api(DELETE => "/api/v1/maintenances/$ci->{json}{id}"), 204,
              '(and it is cancelled again)');
}

# --- updates: manual transitions -------------------------------------------------------

my $mid = $m1->{id};
{
    my $b = time;
    $r = $t->api(POST => "/api/v1/maintenances/$mid/updates",
                 {status => 'in_progress', message => 'We have begun.'});
    is_status($r, 201, 'POST /maintenances/1/updates -> 201');
    like($r->{headers}{location} // '',
         qr{^(?:https?://[^/]+)?/api/v1/maintenances/$mid/updates/\d+\z},
         'Location names the new update');
    my ($loc_uid) = ($r->{headers}{location} // '') =~ m{/updates/(\d+)\z};
    my $u = $r->{json} || {};
    keys_are($u, \@UPDATE_KEYS, 'the update has exactly the contract\'s members');
    fields_are($u, {id => $loc_uid, maintenanceId => $mid,
                    status => 'in_progress', message => 'We have begun.',
                    notify => $T, automatic => $F},
               'the update: as posted, notify true by default, not automatic');
    time_between($u->{createdAt}, $b, time, 'update createdAt is now');

    my $m = m_get($t, $mid);
    is($m->{status}, 'in_progress', 'the maintenance is in_progress');
    time_between($m->{startedAt}, $b, time, 'startedAt is set');
    is_null($m, 'completedAt', 'completedAt still null');
    is_deeply($m->{updates}, [$u], 'the document lists the update');
    ok((rfc3339_to_epoch($m->{updatedAt}) // 0) >= (rfc3339_to_epoch($m1->{updatedAt}) // 9e9),
       'updatedAt moves on');
    my $started = $m->{startedAt};

    sleep 1.1;
    my $v = post_mu($t, $mid, status => 'verifying', message => 'Checking.',
                    notify => $F);
    is_false($v->{notify}, 'notify false kept');
    $m = m_get($t, $mid);
    is($m->{status}, 'verifying', 'verifying');
    is($m->{startedAt}, $started, 'startedAt is set once (verifying keeps it)');
    my $same = post_mu($t, $mid, status => 'verifying', message => 'Still checking.');
    is(m_get($t, $mid)->{startedAt}, $started, 'another update keeps startedAt');

    $b = time;
    my $c = post_mu($t, $mid, status => 'completed', message => 'All done.');
    $m = m_get($t, $mid);
    is($m->{status}, 'completed', 'completed');
    time_between($m->{completedAt}, $b, time, 'completedAt is set');
    is($m->{startedAt}, $started, 'startedAt unchanged by completion');
    is_deeply(ids_of($m->{updates}), [$c->{id}, $same->{id}, $v->{id}, $u->{id}],
              'updates newest first');
    ok($c->{id} > $same->{id} && $same->{id} > $v->{id} && $v->{id} > $u->{id},
       'update ids count up');

    my $l = $t->get_json("/api/v1/maintenances/$mid/updates");
    is_deeply($l->{data}, $m->{updates},
              'GET /maintenances/1/updates: the same updates, newest first');
    ok(exists $l->{nextCursor} && !defined $l->{nextCursor}, 'nextCursor null');
    is_deeply($t->get_json("/api/v1/maintenances/$mid/updates/$v->{id}"), $v,
              'GET /maintenances/1/updates/{uid} returns the update');

    # an update on a scheduled one: no transition, no times
    my $s = create_m($t, title => 'Just a note', window(7));
    my $n = post_mu($t, $s->{id}, status => 'scheduled',
                    message => 'Moved to the weekend.');
    my $sm = m_get($t, $s->{id});
    fields_are($sm, {status => 'scheduled', startedAt => undef,
                     completedAt => undef},
               'an update with status scheduled changes no state');
    is_deeply(ids_of($sm->{updates}), [$n->{id}], 'but is listed');
    is_problem($t->api(GET => "/api/v1/maintenances/$s->{id}/updates/$v->{id}"),
               404, 'another maintenance\'s update id under this one -> 404');

    my $before = snapshot($t);
    for my $c (['no status', {message => 'x'}, ['status']],
               ['status done', {status => 'done', message => 'x'}, ['status']],
               ['status investigating', {status => 'investigating', message => 'x'},
                ['status']],
               ['no message', {status => 'in_progress'}, ['message']],
               ['notify "yes"', {status => 'in_progress', message => 'x',
                                 notify => 'yes'}, ['notify']],
               ['empty object', {}, [qw(status message)]]) {
        is_problem($t->api(POST => "/api/v1/maintenances/$s->{id}/updates", $c->[1]),
                   422, "POST update: $c->[0] -> 422", $c->[2]);
    }
    is(snapshot($t), $before, 'the rejected updates changed nothing');
    is(m_get($t, $s->{id})->{status}, 'scheduled', 'still scheduled');
}

# --- PATCH -----------------------------------------------------------------------------

{
    my %w = window(8, 2);
    my $p = create_m($t, title => 'To be patched', %w, componentIds => [1],
                     message => 'first');
    my $id = $p->{id};
    my $from = rfc3339_to_epoch($w{scheduledFor});
    my $until = rfc3339_to_epoch($w{scheduledUntil});
    my $cur = $p;

    my $patch = sub {
        my ($body, $name) = @_;
        local $Test::Builder::Level = $Test::Builder::Level + 1;
        sleep 1.05;    # updatedAt moves to another second
        my $x = $t->api(PATCH => "/api/v1/maintenances/$id", $body);
        is_status($x, 200, "PATCH $name -> 200");
        my $m = $x->{json} || {};
        my %want = (%$cur, %$body);
        delete @want{qw(updatedAt revision)};
        my %got = %$m;
        delete @got{qw(updatedAt revision)};
        is_deeply(\%got, \%want, "PATCH $name: that field changed, nothing else");
        is($m->{revision}, ($cur->{revision} // 0) + 1,
           "PATCH $name: the revision goes up by one");
        ok((rfc3339_to_epoch($m->{updatedAt}) // 0)
           > (rfc3339_to_epoch($cur->{updatedAt}) // 9e9),
           "PATCH $name: updatedAt moves on");
        is_deeply(m_get($t, $id), $m, "PATCH $name: GET shows it");
        $cur = $m;
    };
    $patch->({title => 'Patched title'}, 'title');
    $patch->({componentIds => [2, 1]}, 'componentIds');
    $patch->({componentIds => []}, 'componentIds []');
    $patch->({scheduledFor => epoch_to_rfc3339($from + 1800)}, 'scheduledFor');
    $patch->({scheduledUntil => epoch_to_rfc3339($until + 3600)}, 'scheduledUntil');
    $patch->({scheduledFor => epoch_to_rfc3339($from + 86400),
              scheduledUntil => epoch_to_rfc3339($until + 86400)},
             'both ends of the window, moved past the stored end');
    $patch->({autoStart => $F}, 'autoStart');
    $patch->({autoComplete => $F}, 'autoComplete');
    $patch->({autoStart => $T, autoComplete => $T}, 'both flags back');
    $patch->({remindBeforeMinutes => 15}, 'remindBeforeMinutes');
    $patch->({remindBeforeMinutes => 0}, 'remindBeforeMinutes 0');
    is($cur->{status}, 'scheduled', 'PATCH never changes the status');
    is(scalar @{ $cur->{updates} }, 1, 'PATCH posts no update');

    # the window check against the stored half
    my $sf = rfc3339_to_epoch($cur->{scheduledFor});
    my $su = rfc3339_to_epoch($cur->{scheduledUntil});
    my $before = snapshot($t);
    for my $c (
        ['scheduledUntil equal to the stored scheduledFor',
         {scheduledUntil => epoch_to_rfc3339($sf)}, ['scheduledUntil']],
        ['scheduledUntil before the stored scheduledFor',
         {scheduledUntil => epoch_to_rfc3339($sf - 60)}, ['scheduledUntil']],
        ['scheduledFor equal to the stored scheduledUntil',
         {scheduledFor => epoch_to_rfc3339($su)}, ['scheduledUntil']],
        ['scheduledFor after the stored scheduledUntil',
         {scheduledFor => epoch_to_rfc3339($su + 3600)}, ['scheduledUntil']],
        ['both given, reversed',
         {scheduledFor => epoch_to_rfc3339($su), scheduledUntil => epoch_to_rfc3339($sf)},
         ['scheduledUntil']],
        ['status', {status => 'in_progress'}, ['status']],
        ['status completed, with a title', {status => 'completed', title => 'x'},
         ['status']],
        ['blank title', {title => '  '}, ['title']],
        ['title null', {title => JSON::PP::null}, ['title']],
        ['scheduledFor garbage', {scheduledFor => 'soon'}, ['scheduledFor']],
        ['scheduledUntil before 2000', {scheduledUntil => '1990-01-01T00:00:00Z'},
         ['scheduledUntil']],
        ['remindBeforeMinutes 10081', {remindBeforeMinutes => 10081},
         ['remindBeforeMinutes']],
        ['remindBeforeMinutes 2.5', {remindBeforeMinutes => 2.5},
         ['remindBeforeMinutes']],
        ['remindBeforeMinutes -1', {remindBeforeMinutes => -1},
         ['remindBeforeMinutes']],
        ['autoStart "true"', {autoStart => 'true'}, ['autoStart']],
        ['autoComplete 0', {autoComplete => 0}, ['autoComplete']],
        ['componentIds [99]', {componentIds => [99]}, ['componentIds']],
        ['a good title and a bad flag', {title => 'Half good', autoStart => 1},
         ['autoStart']],
    ) {
        my ($name, $body, $fields) = @$c;
        my $x = $t->api(PATCH => "/api/v1/maintenances/$id", $body);
        is_problem($x, 422, "PATCH $name -> 422", $fields);
        if ($name =~ /stored|reversed/) {
            my ($e) = grep { $_->{field} eq 'scheduledUntil' }
                      @{ $x->{json}{errors} || [] };
            like(($e || {})->{message} // '', qr/must be after scheduledFor/,
                 '  "must be after scheduledFor"');
        }
    }
    my $st = $t->api(PATCH => "/api/v1/maintenances/$id", {status => 'completed'});
    my ($se) = grep { $_->{field} eq 'status' } @{ $st->{json}{errors} || [] };
    like(($se || {})->{message} // '', qr/post an update/,
         'PATCH status: the message says to post an update');
    is(snapshot($t), $before, 'the rejected PATCHes changed nothing');
    is_problem($t->api(PATCH => '/api/v1/maintenances/9999', {title => 'x'}),
               404, 'PATCH an unknown maintenance -> 404');
}

# --- 404 and 405 ----------------------------------------------------------------------

{
    my $uid = m_get($t, $mid)->{updates}[0]{id};
    for my $p ('/api/v1/maintenances/9999', '/api/v1/maintenances/9999/updates',
               "/api/v1/maintenances/$mid/updates/999999",
               '/api/v1/maintenances/9999/updates/1',
               '/api/v1/maintenances/abc', '/api/v1/maintenances/0',
               "/api/v1/maintenances/$mid/nope",
               "/api/v1/maintenances/$mid/updates/abc") {
        is_problem($t->api(GET => $p), 404, "GET $p -> 404");
    }
    is_problem($t->api(DELETE => '/api/v1/maintenances/9999'), 404,
               'DELETE an unknown maintenance -> 404');
    is_problem($t->api(POST => '/api/v1/maintenances/9999/updates',
                       {status => 'in_progress', message => 'x'}), 404,
               'POST an update to an unknown maintenance -> 404');

    for my $case (['PUT', '/api/v1/maintenances', [qw(GET POST)]],
                  ['DELETE', '/api/v1/maintenances', [qw(GET POST)]],
                  ['PATCH', '/api/v1/maintenances', [qw(GET POST)]],
                  ['PUT', "/api/v1/maintenances/$mid", [qw(GET PATCH DELETE)]],
                  ['POST', "/api/v1/maintenances/$mid", [qw(GET PATCH DELETE)]],
                  ['PATCH', "/api/v1/maintenances/$mid/updates", [qw(GET POST)]],
                  ['DELETE', "/api/v1/maintenances/$mid/updates", [qw(GET POST)]],
                  ['PATCH', "/api/v1/maintenances/$mid/updates/$uid", ['GET']],
                  ['DELETE', "/api/v1/maintenances/$mid/updates/$uid", ['GET']],
                  ['POST', "/api/v1/maintenances/$mid/updates/$uid", ['GET']]) {
        my ($m, $p, $allow) = @$case;
        my $before = snapshot($t);
        my $x = $t->api($m, $p, $m eq 'DELETE' ? undef : {title => 'x'});
        is_problem($x, 405, "$m $p -> 405");
        my $hdr = $x->{headers}{allow} // '';
        my %got = map { uc($_) => 1 } split /\s*,\s*/, $hdr;
        ok(!(grep { !$got{$_} } @$allow), "  Allow lists @$allow (got '$hdr')");
        ok(!$got{$m}, "  Allow does not list $m");
        is(snapshot($t), $before, '  nothing changed') if $m eq 'DELETE';
    }
    is_status($t->api(GET => "/api/v1/maintenances/$mid/updates/$uid"), 200,
              'the update is still there after the 405s');
}

# --- DELETE (cancel) ---------------------------------------------------------------------

{
    my $x = create_m($t, title => 'To be cancelled', window(9), message => 'one');
    my $id = $x->{id};
    my $u2 = post_mu($t, $id, status => 'scheduled', message => 'two');
    my $uid = $x->{updates}[0]{id};
    my $dr = $t->api(DELETE => "/api/v1/maintenances/$id");
    is_status($dr, 204, 'DELETE /maintenances/{id} -> 204');
    is($dr->{content}, '', '204 has no body');
    is_problem($t->api(GET => "/api/v1/maintenances/$id"), 404, 'GET after DELETE -> 404');
    is_problem($t->api(GET => "/api/v1/maintenances/$id/updates"), 404,
               'its updates list -> 404');
    is_problem($t->api(GET => "/api/v1/maintenances/$id/updates/$uid"), 404,
               'its first update -> 404');
    is_problem($t->api(GET => "/api/v1/maintenances/$id/updates/$u2->{id}"), 404,
               'its second update -> 404');
    is_problem($t->api(DELETE => "/api/v1/maintenances/$id"), 404, 'DELETE again -> 404');
    is_problem($t->api(PATCH => "/api/v1/maintenances/$id", {title => 'x'}), 404,
               'PATCH after DELETE -> 404');
    is_problem($t->api(POST => "/api/v1/maintenances/$id/updates",
                       {status => 'in_progress', message => 'x'}), 404,
               'an update after DELETE -> 404');
    my $all = $t->list_all('/api/v1/maintenances?state=all', limit => 100);
    ok(!(grep { $_->{id} == $id } @$all), 'not listed any more');
    my $next = create_m($t, title => 'After the cancel', window(9));
    is($next->{id}, $id + 1, 'ids are not reused after a DELETE');
    $t->api(DELETE => "/api/v1/maintenances/$next->{id}");

    # an in-progress one can be cancelled too
    my $g = create_m($t, title => 'Going, then cancelled', window(-0.01, 48),
                     status => 'in_progress');
    is_status($t->api(DELETE => "/api/v1/maintenances/$g->{id}"), 204,
              'DELETE of an in-progress maintenance -> 204');
    my $act = $t->list_all('/api/v1/maintenances?state=active', limit => 100);
    ok(!(grep { $_->{id} == $g->{id} } @$act), 'not listed as active');
}

# --- ETag, 304 -------------------------------------------------------------------------

{
    my $uid = m_get($t, $mid)->{updates}[0]{id};
    for my $p ('/api/v1/maintenances', '/api/v1/maintenances?state=upcoming',
               "/api/v1/maintenances/$mid", "/api/v1/maintenances/$mid/updates",
               "/api/v1/maintenances/$mid/updates/$uid") {
        my $x = $t->api(GET => $p);
        my $etag = $x->{headers}{etag};
        ok(defined $etag && $etag =~ /^"[^"]+"\z/, "GET $p has a strong ETag")
            or diag($etag // 'none');
        like($x->{headers}{'cache-control'} // '', qr/\bno-cache\b/,
             "GET $p: Cache-Control no-cache");
        my $c = $t->api(GET => $p, undef, headers => {'If-None-Match' => $etag // '"x"'});
        is($c->{status}, 304, "GET $p with If-None-Match -> 304");
        is($c->{content}, '', '  304 has no body');
        is($t->api(GET => $p, undef, headers => {'If-None-Match' => '"not-it"'})
               ->{status}, 200, "GET $p with another ETag -> 200");
    }
    my $p = "/api/v1/maintenances/$mid";
    my $e1 = $t->api(GET => $p)->{headers}{etag} // '';
    my $l1 = $t->api(GET => '/api/v1/maintenances')->{headers}{etag} // '';
    $t->api(PATCH => $p, {title => 'Database upgrade (renamed)'});
    my $x = $t->api(GET => $p, undef, headers => {'If-None-Match' => $e1});
    is_status($x, 200, 'after a PATCH the old ETag no longer matches');
    isnt($x->{headers}{etag} // '', $e1, 'the ETag changed');
    is($x->{json}{title}, 'Database upgrade (renamed)', 'and the body is fresh');
    is($t->api(GET => '/api/v1/maintenances', undef,
               headers => {'If-None-Match' => $l1})->{status}, 200,
       'the list\'s old ETag no longer matches either');
}

$t->stop;

# --- lists: state filters, pagination ------------------------------------------------------

{
    my $l = IncidentTest->new->start;
    # 12 maintenances; statuses set by creation or by updates
    my @plan = qw(scheduled in_progress completed scheduled verifying completed
                  scheduled scheduled in_progress completed scheduled completed);
    my %status;
    for my $i (1 .. @plan) {
        my $want = $plan[$i - 1];
        # half get their status at creation, the others by an update
        my $direct = $want ne 'scheduled' && $i % 2 == 0;
        my $x = create_m($l, title => "List $i", window(1 + $i, 1),
                         ($direct ? (status => $want) : ()));
        is($x->{id}, $i, "maintenance $i");
        post_mu($l, $i, status => $want, message => "to $want")
            if $want ne 'scheduled' && !$direct;
        $status{$i} = $want;
    }
    my @all = sort { $b <=> $a } keys %status;
    my %of = (upcoming => ['scheduled'], active => [qw(in_progress verifying)],
              past => ['completed']);
    for my $state (qw(all upcoming active past)) {
        my @want = $state eq 'all' ? @all
                 : grep { my $s = $status{$_}; grep { $_ eq $s } @{ $of{$state} } } @all;
        my $got = $l->get_json("/api/v1/maintenances?state=$state");
        is_deeply(ids_of($got->{data}), \@want,
                  "state=$state: " . scalar(@want) . ' maintenances, newest first');
        is_deeply([map { $_->{status} } @{ $got->{data} || [] }],
                  [map { $status{$_} } @want],
                  "state=$state: each with its status");
        for my $limit (1, 2, 5) {
            my ($items, $pages) = $l->list_walk("/api/v1/maintenances?state=$state",
                                                limit => $limit);
            is_deeply(ids_of($items), \@want,
                      "state=$state limit=$limit: the walk gives each once, in order");
            my $wp = @want ? int((@want + $limit - 1) / $limit) : 1;
            is($pages, $wp, "state=$state limit=$limit: $wp pages");
        }
    }
    is_deeply(ids_of($l->get_json('/api/v1/maintenances')->{data}), \@all,
              'no state: all');
    my $full = $l->get_json('/api/v1/maintenances?limit=100')->{data} || [];
    is_deeply($full->[0], $l->get_json("/api/v1/maintenances/$all[0]"),
              'list entries are the full documents');
    for my $c (['state=resolved', 'state'], ['state=open', 'state'],
               ['state=', 'state'], ['state=UPCOMING', 'state'],
               ['limit=0', 'limit'], ['limit=101', 'limit'],
               ['limit=abc', 'limit'], ['cursor=%21nope', 'cursor']) {
        my ($q, $field) = @$c;
        is_problem($l->api(GET => "/api/v1/maintenances?$q"), 400,
                   "GET /api/v1/maintenances?$q -> 400 naming $field", [$field]);
    }
    # a maintenance started by an update moves from upcoming to active,
    # completed moves it to past
    my ($up) = grep { $status{$_} eq 'scheduled' } @all;
    post_mu($l, $up, status => 'in_progress', message => 'go');
    ok(!(grep { $_ == $up } @{ ids_of($l->get_json('/api/v1/maintenances?state=upcoming&limit=100')->{data}) }),
       'started: no longer upcoming');
    ok((grep { $_ == $up } @{ ids_of($l->get_json('/api/v1/maintenances?state=active&limit=100')->{data}) }),
       'started: active');
    post_mu($l, $up, status => 'completed', message => 'done');
    ok((grep { $_ == $up } @{ ids_of($l->get_json('/api/v1/maintenances?state=past&limit=100')->{data}) }),
       'completed: past');
    ok(!(grep { $_ == $up } @{ ids_of($l->get_json('/api/v1/maintenances?state=active&limit=100')->{data}) }),
       'completed: not active');
    # incidents are not maintenances
    $l->create_incident(title => 'An incident');
    is_deeply(ids_of($l->get_json('/api/v1/maintenances?limit=100')->{data}),
              \@all, 'an incident does not show among the maintenances');
    is_deeply(ids_of($l->get_json('/api/v1/incidents')->{data}), [1],
              'and the maintenances not among the incidents');
    $l->stop;
}

# --- the effect on /api/v1/status and the components ------------------------------------

{
    my %DESC = (operational => 'All Systems Operational',
                under_maintenance => 'Under Maintenance',
                degraded_performance => 'Degraded Performance',
                partial_outage => 'Partial System Outage',
                major_outage => 'Major System Outage');
    my $s = IncidentTest->new->start;
    my $api  = $s->create_component(name => 'API')->{id};
    my $dash = $s->create_component(name => 'Dashboard')->{id};
    my $grp  = $s->create_component(name => 'Backend')->{id};
    my $db   = $s->create_component(name => 'Database', groupId => 0 + $grp)->{id};
    my $q    = $s->create_component(name => 'Queue', groupId => 0 + $grp)->{id};

    # state(OVERALL, {id => status}, NAME): the overall status and description,
    # every component's status in /status, GET /components and /components/{id}
    my $state = sub {
        my ($overall, $comps, $name) = @_;
        local $Test::Builder::Level = $Test::Builder::Level + 1;
        my %want = (map({ $_ => 'operational' } $api, $dash, $grp, $db, $q),
                    %$comps);
        my $st = $s->get_json('/api/v1/status') || {};
        my %got = map { $_->{id} => $_->{status} } @{ $st->{components} || [] };
        my $cl = $s->get_json('/api/v1/components') || {};
        my $list = ref $cl eq 'HASH' ? $cl->{data} : $cl;
        my %lst = map { $_->{id} => $_->{status} } @{ $list || [] };
        my %one = map { $_ => ($s->get_json("/api/v1/components/$_") || {})->{status} }
                  keys %want;
        my @why;
        push @why, "overall $st->{status} ($st->{description})"
            unless ($st->{status} // '') eq $overall
                   && ($st->{description} // '') eq $DESC{$overall};
        for my $id (sort keys %want) {
            for my $src (['status', \%got], ['list', \%lst], ['one', \%one]) {
                push @why, "$src->[0]: component $id is "
                           . ($src->[1]{$id} // 'missing') . ", expected $want{$id}"
                    unless ($src->[1]{$id} // '') eq $want{$id};
            }
        }
        ok(!@why, $name) or diag(join "\n", @why);
    };

    $state->('operational', {}, 'nothing going on: all operational');

    my $m = create_m($s, title => 'API maintenance', window(1), componentIds => [$api]);
    $state->('operational', {}, 'a scheduled maintenance changes nothing');

    post_mu($s, $m->{id}, status => 'in_progress', message => 'started');
    $state->('under_maintenance', {$api => 'under_maintenance'},
             'in progress: API under_maintenance, overall "Under Maintenance"');

    my $i = $s->create_incident(title => 'API errors', impact => 'minor',
                                componentIds => [$api]);
    $state->('partial_outage', {$api => 'partial_outage'},
             'an incident on the same component: partial_outage beats maintenance');
    $s->post_update($i->{id}, status => 'resolved', message => 'fixed');
    $state->('under_maintenance', {$api => 'under_maintenance'},
             'incident resolved: under maintenance again');

    post_mu($s, $m->{id}, status => 'verifying', message => 'checking');
    $state->('under_maintenance', {$api => 'under_maintenance'},
             'verifying still counts as under maintenance');

    my $m2 = create_m($s, title => 'Database maintenance', window(1),
                      componentIds => [$db], status => 'in_progress');
    $state->('under_maintenance',
             {$api => 'under_maintenance', $db => 'under_maintenance',
              $grp => 'under_maintenance'},
             'a member under maintenance: its group under_maintenance, '
             . 'the other member operational');

    $s->api(PATCH => "/api/v1/components/$q", {baseStatus => 'degraded_performance'});
    $state->('degraded_performance',
             {$api => 'under_maintenance', $db => 'under_maintenance',
              $q => 'degraded_performance', $grp => 'degraded_performance'},
             'the group takes the worst of its members (degraded beats maintenance)');
    $s->api(PATCH => "/api/v1/components/$q", {baseStatus => 'operational'});

    my $j = $s->create_incident(title => 'Queue stuck', impact => 'major',
                                componentIds => [$q]);
    $state->('partial_outage',
             {$api => 'under_maintenance', $db => 'under_maintenance',
              $q => 'partial_outage', $grp => 'partial_outage'},
             'an incident on the other member: the group partial_outage');
    $s->post_update($j->{id}, status => 'resolved', message => 'unstuck');

    $s->api(PATCH => "/api/v1/components/$dash", {baseStatus => 'major_outage'});
    $state->('major_outage',
             {$api => 'under_maintenance', $db => 'under_maintenance',
              $grp => 'under_maintenance', $dash => 'major_outage'},
             'a component at major_outage: the overall is the worst');
    $s->api(PATCH => "/api/v1/components/$dash", {baseStatus => 'operational'});

    post_mu($s, $m->{id}, status => 'completed', message => 'done');
    $state->('under_maintenance',
             {$db => 'under_maintenance', $grp => 'under_maintenance'},
             'the API maintenance completed: API operational again');
    post_mu($s, $m2->{id}, status => 'completed', message => 'done');
    $state->('operational', {}, 'both completed: everything operational');

    # a maintenance naming no component: the whole page
    my $w = create_m($s, title => 'Everything', window(1));
    $state->('operational', {}, 'scheduled, naming no component: nothing yet');
    post_mu($s, $w->{id}, status => 'in_progress', message => 'down for a bit');
    $state->('under_maintenance', {},
             'in progress, naming no component: overall under_maintenance, '
             . 'the components operational');
    my $k = $s->create_incident(title => 'Slow everywhere', impact => 'major');
    $state->('partial_outage', {},
             'an incident without components is worse than the maintenance');
    $s->post_update($k->{id}, status => 'resolved', message => 'ok');
    $s->api(PATCH => "/api/v1/components/$dash", {baseStatus => 'degraded_performance'});
    $state->('degraded_performance', {$dash => 'degraded_performance'},
             'a degraded component is worse than the maintenance');
    $s->api(PATCH => "/api/v1/components/$dash", {baseStatus => 'operational'});
    $state->('under_maintenance', {}, 'back to under_maintenance');
    post_mu($s, $w->{id}, status => 'completed', message => 'back');
    $state->('operational', {}, 'completed: operational');

    # a component at a worse base status keeps it under maintenance, and
    # has it back afterwards
    $s->api(PATCH => "/api/v1/components/$dash", {baseStatus => 'degraded_performance'});
    my $d = create_m($s, title => 'Dashboard work', window(1),
                     componentIds => [$dash], status => 'in_progress');
    $state->('degraded_performance', {$dash => 'degraded_performance'},
             'base degraded_performance beats maintenance');
    post_mu($s, $d->{id}, status => 'completed', message => 'done');
    $state->('degraded_performance', {$dash => 'degraded_performance'},
             'completed: back to the base status');
    $s->api(PATCH => "/api/v1/components/$dash", {baseStatus => 'operational'});

    # cancelling an in-progress maintenance ends its effect
    my $c = create_m($s, title => 'Cancelled midway', window(1),
                     componentIds => [$api], status => 'in_progress');
    $state->('under_maintenance', {$api => 'under_maintenance'}, 'in progress again');
    my $e1 = $s->api(GET => '/api/v1/status')->{headers}{etag} // '';
    $s->api(DELETE => "/api/v1/maintenances/$c->{id}");
    $state->('operational', {}, 'cancelled (DELETE): operational');
    isnt($s->api(GET => '/api/v1/status')->{headers}{etag} // '', $e1,
         'and the status ETag changed');
    $s->stop;
}

done_testing;
