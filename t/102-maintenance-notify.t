# scheduled maintenance, the notifications: maintenance.scheduled on
# create, maintenance.reminder (and again after the window moved),
# maintenance.started, maintenance.updated, maintenance.completed, to a real
# SMTP server (aiosmtpd) and a webhook receiver (Standard Webhooks
# signatures); notify false; per-component filtering; no reminder whose
# moment came before the creation; the announcement's subject when it is
# delivered late
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;
use SmtpSink;
use WebhookReceiver;
use POSIX ();
use Time::HiRes qw(time sleep);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $BASE = 'https://status.example.com';
my $T = JSON::PP::true;
my $F = JSON::PP::false;
my $STARTED   = 'Scheduled maintenance is now in progress.';
my $COMPLETED = 'Scheduled maintenance has completed.';
my @DOC_KEYS = sort qw(id kind title status componentIds scheduledFor
                       scheduledUntil autoStart autoComplete
                       remindBeforeMinutes startedAt completedAt createdAt
                       updatedAt url updates revision);
my @UPDATE_KEYS = sort qw(id maintenanceId status message notify automatic
                          createdAt);

my $JSON = JSON::PP->new->utf8->canonical;

my $sink = SmtpSink->new->start;
my $rx = WebhookReceiver->new(script => {'*' => [[200]]});

sub conf {
    my ($s, @more) = @_;
    return join "\n    ",
        'incident_smtp ' . $s->url . ';',
        "incident_public_url $BASE;",
        'incident_mail_from "Example Status <status@example.com>";',
        'incident_webhook_allow_private on;',
        @more;
}

my $t = IncidentTest->new(
    workers    => 2,
    http_extra => conf($sink, 'incident_notify_retries 4 base=1s max=2s;'),
)->start;

sub rfc { epoch_to_rfc3339($_[0]) }
sub ep  { rfc3339_to_epoch($_[0]) // 0 }

# "27 Nov 2026 22:00 UTC – 27 Nov 2026 23:00 UTC"
sub human { POSIX::strftime('%d %b %Y %H:%M UTC', gmtime ep($_[0])) }
sub window_line {
    my ($m) = @_;
    return 'Window: ' . human($m->{scheduledFor}) . " \x{2013} "
           . human($m->{scheduledUntil});
}

sub create_m {
    my ($tt, %f) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $r = $tt->api(POST => '/api/v1/maintenances', \%f);
    is_status($r, 201, "create maintenance '$f{title}'");
    return $r->{json} || {};
}

sub subscriber {
    my ($tt, %f) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $r = $tt->api(POST => '/api/v1/subscribers', \%f);
    is_status($r, 201, "add $f{type} subscriber " . ($f{email} // $f{url}));
    return $r->{json} || {};
}

# the subjects of the mails to ADDR, oldest first
sub subjects {
    my ($addr) = @_;
    return [ map { $_->{subject} // '' } @{ $sink->messages_to($addr) } ];
}

# the mails to ADDR whose subject is SUBJECT
sub mails {
    my ($addr, $subject) = @_;
    return [ grep { ($_->{subject} // '') eq $subject }
             @{ $sink->messages_to($addr) } ];
}

# waits until ADDR has COUNT mails; returns them
sub wait_mails {
    my ($addr, $count, $timeout) = @_;
    return $sink->wait_for($count, $timeout // 10, sub { $_[0]->is_to($addr) });
}

# the webhook requests to PATH, as [request, decoded body]
sub hooks {
    my ($path) = @_;
    return [ map { [$_, eval { $JSON->decode($_->{body}) } || {}] }
             $rx->requests($path) ];
}

sub hook_types { [ map { $_->[1]{type} // '' } @{ hooks($_[0]) } ] }

# the deliveries to PATH of type TYPE, waiting up to 10 s for COUNT of them
sub hooks_of {
    my ($path, $type, $count) = @_;
    my @h;
    IncidentTest::wait_until(10, sub {
        @h = grep { ($_->[1]{type} // '') eq $type } @{ hooks($path) };
        @h >= ($count // 1);
    });
    return \@h;
}

# every job settled: nothing queued, no fan-out left
sub settle {
    my ($tt, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $q;
    my $ok = IncidentTest::wait_until(20, sub {
        my $r = $tt->api(GET => '/api/v1/queue', undef, token => 'admin');
        $q = $r->{json};
        return $r->{status} == 200 && $q && $q->{queued} == 0
               && $q->{fanouts} == 0;
    });
    ok($ok, $name) or diag('queue: ' . encode_json($q // {}));
}

# checks one webhook delivery: type, signature, envelope, data
sub check_hook {
    my ($h, $secret, $type, $m, $update, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my ($req, $body) = @{ $h || [{}, {}] };
    my @why;
    push @why, 'type ' . ($body->{type} // 'none') unless ($body->{type} // '') eq $type;
    push @why, 'bad signature' unless WebhookReceiver::verify_signature($secret, $req);
    push @why, 'content-type ' . ($req->{headers}{'content-type'} // 'none')
        unless ($req->{headers}{'content-type'} // '') =~ m{^application/json\b};
    push @why, 'no webhook-id' unless ($req->{headers}{'webhook-id'} // '') =~ /^msg_/;
    my $d = $body->{data} || {};
    push @why, 'data.page.url ' . ($d->{page}{url} // 'none')
        unless ($d->{page}{url} // '') eq $BASE;
    push @why, 'data has an incident member' if exists $d->{incident};
    my $dm = $d->{maintenance};
    if (ref $dm ne 'HASH') {
        push @why, 'no data.maintenance';
    } else {
        my $keys = join ',', sort keys %$dm;
        push @why, "data.maintenance members $keys" unless $keys eq join ',', @DOC_KEYS;
        push @why, "data.maintenance.$_ " . encode_json([$dm->{$_}])
            for grep { encode_json([$dm->{$_}]) ne encode_json([$m->{$_}]) }
                qw(id kind title componentIds url);
        push @why, "data.maintenance.url $dm->{url}"
            unless $dm->{url} eq "$BASE/maintenances/$m->{id}";
    }
    if (!exists $d->{update}) {
        push @why, 'no data.update member';
    } elsif (!defined $update) {
        push @why, 'data.update is not null' if defined $d->{update};
    } else {
        my $u = $d->{update};
        if (ref $u ne 'HASH') {
            push @why, 'data.update is not an object';
        } else {
            my $keys = join ',', sort keys %$u;
            push @why, "data.update members $keys" unless $keys eq join ',', @UPDATE_KEYS;
            for my $k (sort keys %$update) {
                push @why, "data.update.$k " . encode_json([$u->{$k}])
                    unless encode_json([$u->{$k}]) eq encode_json([$update->{$k}]);
            }
        }
    }
    ok(!@why, $name) or diag(join("\n", @why) . "\n" . ($req->{body} // ''));
    return $body;
}

# checks one mail: subject, recipient, window line, link, message
sub check_mail {
    my ($mail, $subject, $m, $message, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why;
    if (!$mail) {
        ok(0, $name);
        diag("no mail with subject '$subject'");
        return;
    }
    my $text = $mail->{text} // '';
    push @why, "subject '" . ($mail->{subject} // '') . "'"
        unless ($mail->{subject} // '') eq $subject;
    my $wl = window_line($m);
    push @why, "no line '$wl'" unless $text =~ /^\Q$wl\E$/m;
    push @why, 'no "View the maintenance: URL"'
        unless $text =~ m{^View the maintenance: \Q$BASE\E/maintenances/$m->{id}$}m;
    push @why, "no '$message'" if defined $message && index($text, $message) < 0;
    push @why, 'the HTML part does not link the maintenance'
        unless grep { $_ eq "$BASE/maintenances/$m->{id}" } @{ SmtpSink::html_links($mail) };
    push @why, 'no List-Unsubscribe' unless defined $mail->header('List-Unsubscribe');
    ok(!@why, $name) or diag(join("\n", @why) . "\n--- text ---\n$text");
}

my $api  = $t->create_component(name => 'API')->{id};
my $dash = $t->create_component(name => 'Dashboard')->{id};

my ($ALL, $APIM, $DASHM) = ('all@example.com', 'api@example.com', 'dash@example.com');
subscriber($t, type => 'email', email => $ALL);
subscriber($t, type => 'email', email => $APIM, componentIds => [$api]);
subscriber($t, type => 'email', email => $DASHM, componentIds => [$dash]);
my $h_all = subscriber($t, type => 'webhook', url => $rx->url('/hook/all'));
my $h_dash = subscriber($t, type => 'webhook', url => $rx->url('/hook/dash'),
                        componentIds => [$dash]);
like($h_all->{secret} // '', qr/^whsec_/, 'the webhook secret is shown');
settle($t, 'nothing pending after adding the subscribers');
$sink->clear;

# --- M1: scheduled, reminded, reminded again, started, updated, completed ----------------

# the reminder comes at scheduledFor - 1 minute, and only if that moment is
# after the creation: scheduledFor 64 s ahead puts it ~4 s after the
# creation. Waiting for the start would take a minute more, so once the
# reminders are seen the window is moved close (its reminder moment then
# lies before the creation: no third reminder).
my $c0 = int(time) + 1;
my $m1 = create_m($t, title => 'Database upgrade', componentIds => [$api],
                  scheduledFor => rfc($c0 + 64), scheduledUntil => rfc($c0 + 3600),
                  remindBeforeMinutes => 1,
                  message => 'We will upgrade the database.');
my $id = $m1->{id};
my $u1 = $m1->{updates}[0] || {};

{
    wait_mails($ALL, 1);
    wait_mails($APIM, 1);
    $rx->wait_for('/hook/all', 1, 10);
    my ($mail) = @{ mails($ALL, '[Scheduled] Database upgrade') };
    check_mail($mail, '[Scheduled] Database upgrade', $m1,
               'We will upgrade the database.',
               'maintenance.scheduled: mail "[Scheduled] Database upgrade" with the '
               . 'window, the message and the link');
    ok($mail && $mail->is_to($ALL), 'to the unfiltered subscriber');
    check_mail(mails($APIM, '[Scheduled] Database upgrade')->[0],
               '[Scheduled] Database upgrade', $m1, undef,
               'and to the subscriber of the API component');
    like(($mail || {})->{text} // '', qr/^Scheduled - We will upgrade the database\.$/m,
         'the body has "Scheduled - message"');
    like(($mail || {})->{text} // '', qr/^Affected components: API$/m,
         'and the affected component');
    my $hk = hooks('/hook/all');
    is(scalar @$hk, 1, 'one webhook delivery');
    check_hook($hk->[0], $h_all->{secret}, 'maintenance.scheduled', $m1,
               {id => $u1->{id}, maintenanceId => $id, status => 'scheduled',
                message => 'We will upgrade the database.', automatic => $F},
               'webhook maintenance.scheduled: data.maintenance, data.update, '
               . 'signature');
    is($hk->[0][1]{data}{maintenance}{status}, 'scheduled',
       'data.maintenance.status scheduled');
}

# the reminder, ~4 s after the creation
my $remind_subject = '[Starting soon] Database upgrade';
{
    my $got = $sink->wait_for(1, 15, sub { $_[0]->is_to($ALL)
                                           && $_[0]{subject} eq $remind_subject });
    my $at = time;
    ok(@$got == 1, sprintf('maintenance.reminder: "%s" mail (%.1f s after the '
                           . 'creation; its moment was %d s after)',
                           $remind_subject, $at - $c0, 4));
    ok($at >= $c0 + 4 - 0.5, 'not before scheduledFor - remindBeforeMinutes');
    check_mail($got->[0], $remind_subject, $m1, undef,
               'the reminder has the window and the link');
    wait_mails($APIM, 2);
    is_deeply(subjects($APIM), ['[Scheduled] Database upgrade', $remind_subject],
              'the API subscriber gets the reminder too');
    my $hk = hooks_of('/hook/all', 'maintenance.reminder');
    check_hook($hk->[0], $h_all->{secret}, 'maintenance.reminder', $m1, undef,
               'webhook maintenance.reminder: data.update null');
    my $m = $t->get_json("/api/v1/maintenances/$id");
    is(scalar @{ $m->{updates} }, 1, 'a reminder posts no update');
    is($m->{status}, 'scheduled', 'and changes no status');
}

# moving scheduledFor re-arms the reminder: its new moment ~3 s ahead
{
    my $n = int(time);
    my $p = $t->api(PATCH => "/api/v1/maintenances/$id",
                    {scheduledFor => rfc($n + 63)});
    is_status($p, 200, 'PATCH scheduledFor (the reminder moment 3 s ahead)');
    $m1 = $p->{json} || $m1;
    my $got = $sink->wait_for(2, 15, sub { $_[0]->is_to($ALL)
                                           && $_[0]{subject} eq $remind_subject });
    is(scalar @$got, 2, 'the moved window is reminded of again');
    check_mail($got->[1], $remind_subject, $m1, undef,
               'with the new window');
    my $hk = hooks_of('/hook/all', 'maintenance.reminder', 2);
    is(scalar @$hk, 2, 'and a second maintenance.reminder webhook');
    is(($hk->[1][1]{data}{maintenance} || {})->{scheduledFor}, $m1->{scheduledFor},
       'whose data.maintenance has the new scheduledFor');
}

# now move it close: started in ~4 s, completed ~8 s later
my $start_at;
{
    my $n = int(time) + 1;
    $start_at = $n + 4;
    my $p = $t->api(PATCH => "/api/v1/maintenances/$id",
                    {scheduledFor => rfc($start_at), scheduledUntil => rfc($start_at + 8)});
    is_status($p, 200, 'PATCH the window close');
    $m1 = $p->{json} || $m1;
    my $got = $sink->wait_for(1, 15, sub { $_[0]->is_to($ALL)
                                           && $_[0]{subject} eq '[In Progress] Database upgrade' });
    ok(@$got && time >= $start_at - 0.2, 'maintenance.started: "[In Progress] Database upgrade"');
    my $m = $t->get_json("/api/v1/maintenances/$id");
    check_mail($got->[0], '[In Progress] Database upgrade', $m,
               "In Progress - $STARTED", 'the started mail says it is now in progress');
    my ($auto) = grep { $_->{automatic} } @{ $m->{updates} };
    my $b = check_hook(hooks_of('/hook/all', 'maintenance.started')->[0],
                       $h_all->{secret}, 'maintenance.started', $m1,
                       {id => ($auto || {})->{id}, status => 'in_progress',
                        message => $STARTED, automatic => $T},
                       'webhook maintenance.started: data.update is the automatic update');
    is(($b->{data}{maintenance} || {})->{status}, 'in_progress',
       'data.maintenance.status in_progress');

    # an update with notify (default): maintenance.updated
    my $u = $t->api(POST => "/api/v1/maintenances/$id/updates",
                    {status => 'in_progress', message => 'Halfway there.'});
    is_status($u, 201, 'post an update (notify by default)');
    $got = $sink->wait_for(2, 10, sub { $_[0]->is_to($ALL)
                                        && $_[0]{subject} eq '[In Progress] Database upgrade' });
    is(scalar @$got, 2, 'maintenance.updated: a second "[In Progress]" mail');
    check_mail($got->[1], '[In Progress] Database upgrade', $m1,
               'In Progress - Halfway there.', 'with the update\'s message');
    check_hook(hooks_of('/hook/all', 'maintenance.updated')->[0], $h_all->{secret},
               'maintenance.updated', $m1,
               {id => $u->{json}{id}, message => 'Halfway there.',
                status => 'in_progress', automatic => $F, notify => $T},
               'webhook maintenance.updated');

    # notify false: silence
    my $before_all = scalar @{ $sink->messages_to($ALL) };
    my $before_hk = $rx->count('/hook/all');
    my $q = $t->api(POST => "/api/v1/maintenances/$id/updates",
                    {status => 'verifying', message => 'Checking quietly.',
                     notify => $F});
    is_status($q, 201, 'post an update with notify false');
    my $quiet = $sink->wait_quiet(2.5, sub { $_[0]->is_to($ALL) });
    is(scalar @$quiet, 0, 'notify false: no mail');
    is($rx->count('/hook/all'), $before_hk, 'notify false: no webhook');
}

# completed at scheduledUntil (from verifying)
{
    my $got = $sink->wait_for(1, $start_at + 8 + 6 - time, sub {
        $_[0]->is_to($ALL) && $_[0]{subject} eq '[Completed] Database upgrade' });
    ok(@$got && time >= $start_at + 8 - 0.2,
       'maintenance.completed: "[Completed] Database upgrade" at scheduledUntil');
    my $m = $t->get_json("/api/v1/maintenances/$id");
    check_mail($got->[0], '[Completed] Database upgrade', $m,
               "Completed - $COMPLETED", 'the completed mail');
    my ($auto) = grep { $_->{automatic} && $_->{status} eq 'completed' } @{ $m->{updates} };
    my $b = check_hook(hooks_of('/hook/all', 'maintenance.completed')->[0],
                       $h_all->{secret}, 'maintenance.completed',
                       $m1, {id => ($auto || {})->{id}, status => 'completed',
                             message => $COMPLETED, automatic => $T},
                       'webhook maintenance.completed');
    is(($b->{data}{maintenance} || {})->{status}, 'completed',
       'data.maintenance.status completed');
    ok(defined(($b->{data}{maintenance} || {})->{completedAt}),
       'data.maintenance.completedAt set');
}

settle($t, 'M1: the queue settles');
sleep 1.5;
{
    my @want = ('[Scheduled] Database upgrade', $remind_subject, $remind_subject,
                '[In Progress] Database upgrade', '[In Progress] Database upgrade',
                '[Completed] Database upgrade');
    is_deeply(subjects($ALL), \@want,
              'M1, unfiltered subscriber: each step once, in order');
    is_deeply(subjects($APIM), \@want, 'M1, API subscriber: the same');
    is_deeply(subjects($DASHM), [],
              'M1, Dashboard subscriber: nothing (another component)');
    is_deeply(hook_types('/hook/all'),
              [qw(maintenance.scheduled maintenance.reminder maintenance.reminder
                  maintenance.started maintenance.updated maintenance.completed)],
              'M1, webhook: each type once, in order');
    is($rx->count('/hook/dash'), 0, 'M1, Dashboard webhook: nothing');
    my %ids = map { ($_->{headers}{'webhook-id'} // '') => 1 } $rx->requests('/hook/all');
    is(scalar keys %ids, 6, 'six distinct webhook-ids');
    ok(!grep({ !WebhookReceiver::verify_signature($h_all->{secret}, $_) }
             $rx->requests('/hook/all')), 'every delivery is signed');
    ok(!grep({ WebhookReceiver::verify_signature($h_dash->{secret}, $_) }
             $rx->requests('/hook/all')), '(with its own subscriber\'s secret)');
}

# --- M2 (Dashboard, notify false) and M3 (no component, no message) ------------------------

{
    my %before = map { $_ => scalar @{ $sink->messages_to($_) } } $ALL, $APIM, $DASHM;
    my %hk = map { $_ => $rx->count($_) } '/hook/all', '/hook/dash';
    my $n = int(time) + 1;
    my $m2 = create_m($t, title => 'Dashboard move', componentIds => [$dash],
                      notify => $F, remindBeforeMinutes => 0,
                      scheduledFor => rfc($n + 4), scheduledUntil => rfc($n + 7));
    my $m3 = create_m($t, title => 'Whole site', remindBeforeMinutes => 0,
                      scheduledFor => rfc($n + 4), scheduledUntil => rfc($n + 7));

    # M3's announcement to the unfiltered subscribers only
    my $got = $sink->wait_for(1, 10, sub { $_[0]->is_to($ALL)
                                           && $_[0]{subject} eq '[Scheduled] Whole site' });
    check_mail($got->[0], '[Scheduled] Whole site', $m3, undef,
               'M3 (no component): "[Scheduled] Whole site"');
    unlike(($got->[0] || {})->{text} // '', qr/^Affected components:/m,
           'no "Affected components" line');
    my $w = $rx->wait_for('/hook/all', $hk{'/hook/all'} + 1, 10);
    my $b = check_hook(hooks('/hook/all')->[ $hk{'/hook/all'} ], $h_all->{secret},
                       'maintenance.scheduled', $m3, undef,
                       'M3: webhook maintenance.scheduled without a message: '
                       . 'data.update null');

    # both start and complete
    $sink->wait_for(1, $n + 7 + 8 - time, sub {
        $_[0]->is_to($DASHM) && $_[0]{subject} eq '[Completed] Dashboard move' });
    $sink->wait_for(1, 8, sub {
        $_[0]->is_to($ALL) && $_[0]{subject} eq '[Completed] Whole site' });
    settle($t, 'M2/M3: the queue settles');
    sleep 1.5;

    my $new = sub {
        my ($addr) = @_;
        my $s = subjects($addr);
        return [ sort @$s[ $before{$addr} .. $#$s ] ];
    };
    is_deeply($new->($ALL),
              [sort '[Scheduled] Whole site', '[In Progress] Dashboard move',
                    '[In Progress] Whole site', '[Completed] Dashboard move',
                    '[Completed] Whole site'],
              'unfiltered subscriber: M3 scheduled; both started and completed; '
              . 'no "[Scheduled] Dashboard move" (notify false)');
    is_deeply($new->($DASHM),
              [sort '[In Progress] Dashboard move', '[Completed] Dashboard move'],
              'Dashboard subscriber: M2 started and completed only');
    is_deeply($new->($APIM), [],
              'API subscriber: nothing (M2 is another component, M3 names none)');
    check_mail(mails($DASHM, '[In Progress] Dashboard move')->[0],
               '[In Progress] Dashboard move', $m2, $STARTED,
               'the Dashboard subscriber\'s started mail');

    my @hd = @{ hooks('/hook/dash') }[ $hk{'/hook/dash'} .. $rx->count('/hook/dash') - 1 ];
    is_deeply([map { "$_->[1]{type} $_->[1]{data}{maintenance}{id}" } @hd],
              ["maintenance.started $m2->{id}", "maintenance.completed $m2->{id}"],
              'Dashboard webhook: M2 started and completed');
    ok(!grep({ !WebhookReceiver::verify_signature($h_dash->{secret}, $_->[0]) } @hd),
       'signed with the Dashboard webhook\'s secret');
    my @ha = @{ hooks('/hook/all') }[ $hk{'/hook/all'} .. $rx->count('/hook/all') - 1 ];
    is_deeply([sort map { "$_->[1]{type} $_->[1]{data}{maintenance}{id}" } @ha],
              [sort "maintenance.scheduled $m3->{id}",
                    "maintenance.started $m2->{id}", "maintenance.started $m3->{id}",
                    "maintenance.completed $m2->{id}", "maintenance.completed $m3->{id}"],
              'unfiltered webhook: the same steps');
}

# --- no reminder when its moment came before the creation ----------------------------------

# X starts in 40 s with the default reminder of 60 minutes: that moment is
# before the creation, so X is never reminded of. Y's start 2 s ahead makes
# the timer look at every open maintenance meanwhile.
{
    my $n = int(time) + 1;
    my $x = create_m($t, title => 'Too close to remind', notify => $F,
                     autoStart => $F,
                     scheduledFor => rfc($n + 40), scheduledUntil => rfc($n + 100));
    is($x->{remindBeforeMinutes}, 60, 'X: remindBeforeMinutes 60 (the default)');
    my $y = create_m($t, title => 'Quick one', notify => $F, componentIds => [$dash],
                     remindBeforeMinutes => 0,
                     scheduledFor => rfc($n + 2), scheduledUntil => rfc($n + 4));
    $sink->wait_for(1, 12, sub {
        $_[0]->is_to($DASHM) && $_[0]{subject} eq '[Completed] Quick one' });
    settle($t, 'X/Y: the queue settles');
    sleep 1;
    is_deeply(mails($ALL, '[Starting soon] Too close to remind'), [],
              'X: no reminder (its moment, scheduledFor - 60 min, came before '
              . 'the creation), although the timer ran for Y');
    ok(!grep({ ($_->[1]{type} // '') eq 'maintenance.reminder'
               && $_->[1]{data}{maintenance}{id} == $x->{id} } @{ hooks('/hook/all') }),
       'X: no maintenance.reminder webhook');
    is_status($t->api(DELETE => "/api/v1/maintenances/$x->{id}"), 204, 'X cancelled');
}

$t->stop;

# --- the announcement delivered late still says "[Scheduled]" -----------------------------------

# the first try of the announcement is refused (451); the retry comes
# after the window has started
{
    my $flaky = SmtpSink->new(fail_first => 1)->start;
    my $l = IncidentTest->new(
        workers    => 1,
        http_extra => conf($flaky, 'incident_notify_retries 4 base=4s max=4s;'),
    )->start;
    subscriber($l, type => 'email', email => $ALL);
    settle($l, 'late: nothing pending after adding the subscriber');
    my $n = int(time) + 1;
    my $z = create_m($l, title => 'Late news', remindBeforeMinutes => 0,
                     scheduledFor => rfc($n + 1), scheduledUntil => rfc($n + 60));
    my $got = $flaky->wait_for(2, 15, sub { $_[0]->is_to($ALL)
                                            && $_[0]{subject} =~ /Late news/ });
    my $started = $l->get_json("/api/v1/maintenances/$z->{id}")->{status};
    is(scalar @{ $flaky->rejected }, 1, 'late: the first try was refused');
    is($started, 'in_progress', 'late: the window has started by the retry');
    my $refused = $flaky->rejected->[0] || {};
    is($refused->{subject}, '[Scheduled] Late news',
       'late: the refused first try was "[Scheduled] Late news"');
    # the retry keeps the job's Message-ID
    my $mid = $refused->{headers} ? $refused->header('Message-ID') // '' : '';
    my ($retry) = grep { ($_->header('Message-ID') // '') eq $mid && length $mid }
                  @{ $flaky->messages };
    ok($retry, 'late: the retry arrived (same Message-ID)');
    is(($retry || {})->{subject}, '[Scheduled] Late news',
       'late: the retried announcement (maintenance.scheduled) is still '
       . '"[Scheduled] Late news", not the status at delivery time')
        or diag('subjects: ' . join(' | ', map { $_->{subject} } @{ $flaky->messages }));
    $l->stop;
    $flaky->stop;
}

$rx->stop;
$sink->stop;
done_testing;
