# the SMTP relay is down for a while (nothing listens on its port) while an
# incident is created and updated for several email subscribers; then an
# SMTP server comes up on that same port. Every notification arrives,
# exactly once per subscriber per event, with the Message-ID of the job
# whose failed attempts the delivery log shows, with growing gaps between
# them (the backoff). Then a webhook receiver that accepts connections and
# never answers: the status page stays fast while those deliveries hang.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest qw(:DEFAULT :page);
use SmtpSink;
use IO::Socket::INET;
use HTTP::Tiny;
use POSIX ();
use Time::HiRes qw(time sleep);

my $API  = '/api/v1';
my $BASE = 'https://status.example.com';
my @EMAILS = map { "outage$_\@example.org" } 1 .. 4;
my $HOOKS = 64;       # hanging webhook subscribers (8 x the per-host limit)

my $sink = SmtpSink->new;           # its port, nothing listening yet

my $t = IncidentTest->new(
    workers     => 1,               # the worker delivering is the one serving
    status_page => '/',
    http_extra  => join("\n    ",
        'incident_smtp ' . $sink->url . ';',
        "incident_public_url $BASE;",
        'incident_mail_from "Example Status <status@example.com>";',
        'incident_webhook_allow_private on;',
        'incident_notify_retries 10 base=1s max=4s;',
        'incident_notify_timeout 3s;',
        'incident_notify_lease 5s;'),
)->start;

sub aget { $t->api(GET => $_[0], undef, token => 'admin') }

# a subscriber's delivery history, oldest first
sub history {
    my ($id) = @_;
    my $r = aget("$API/subscribers/$id/deliveries?limit=100");
    return [ reverse @{ $r->{json}{data} || [] } ];
}

sub history_text {
    join ' | ', map { "#$_->{attempt} job $_->{jobId} $_->{outcome} "
                      . "$_->{at} ($_->{detail})" } @{ $_[0] };
}

# --- the relay is down: an incident and an update meanwhile -------------------------

my %sub;    # email => id
for my $e (@EMAILS) {
    my $r = $t->api(POST => "$API/subscribers", {type => 'email', email => $e});
    is_status($r, 201, "admin adds $e");
    $sub{$e} = $r->{json}{id};
}

my $inc = $t->create_incident(title => 'Relay outage', impact => 'major',
                              message => 'We are looking into it.');
my $iid = $inc->{id};
sleep 1.5;
$t->post_update($iid, status => 'identified', message => 'Found the cause.');

# each subscriber: two jobs (created, updated), each with four failed
# attempts (at ~0, 1, 3 and 7 s) before the relay comes back
my %hist;
my $failing = IncidentTest::wait_until(30, sub {
    for my $e (@EMAILS) {
        $hist{$e} = history($sub{$e});
    }
    !grep {
        my %fails;
        $fails{ $_->{jobId} }++ for grep { $_->{outcome} eq 'retrying' }
                                    @{ $hist{$_} };
        keys %fails < 2 || grep { $_ < 4 } values %fails;
    } @EMAILS;
});
ok($failing, 'while nothing listens on the relay port, each subscriber\'s '
             . 'two jobs fail four times each')
    or diag(join "\n", map { "$_: " . history_text($hist{$_}) } @EMAILS);
is(scalar @{ $sink->messages }, 0, 'nothing was delivered meanwhile');
ok(!grep({ $_->{outcome} ne 'retrying' } map { @{ $hist{$_} } } @EMAILS),
   'no attempt is marked delivered, dead or disabled meanwhile');
ok(!grep({ ($_->{detail} // '') !~ /^SMTP \d+: \S/ } map { @{ $hist{$_} } } @EMAILS),
   'each failed attempt records the SMTP error')
    or diag(history_text($hist{ $EMAILS[0] }));

my $q = aget("$API/queue")->{json} || {};
is($q->{queued}, 2 * @EMAILS, 'GET /queue: the ' . 2 * @EMAILS
                               . ' deliveries are queued for their retry')
    or diag(encode_json($q));
is($q->{dead}, 0, 'no dead letters');

# the status page is not held up by the outage
{
    my $p = $t->page('/');
    is_status($p, 200, 'the status page answers during the outage');
    like($p->{content}, qr/Relay outage/, '  and shows the incident');
}

# --- the relay comes back on the same port ------------------------------------------

$sink->start;
my $want = 2 * @EMAILS;
my $got = $sink->wait_for($want, 30);
is(scalar @$got, $want, "once the relay is up, the $want mails arrive");

# every job settles as delivered
my $settled = IncidentTest::wait_until(20, sub {
    for my $e (@EMAILS) {
        $hist{$e} = history($sub{$e});
    }
    !grep {
        my %last;
        $last{ $_->{jobId} } = $_->{outcome} for @{ $hist{$_} };
        keys %last != 2 || grep { $_ ne 'delivered' } values %last;
    } @EMAILS;
});
ok($settled, 'the delivery log of every subscriber ends with "delivered" '
             . 'for both jobs') or diag(join "\n", map { "$_: " . history_text($hist{$_}) } @EMAILS);

# nothing more comes: no second copy of anything
my $late = $sink->wait_quiet(3);
is(scalar @$late, 0, 'no further mail in the next 3 s');
$got = $sink->messages;
is(scalar @$got, $want, "$want mails in all");

# per subscriber: exactly one mail per event, the Message-ID of the job whose
# failed attempts the log shows, and growing gaps between those attempts
my %subjects = ('[Investigating] Relay outage' => 'incident.created',
                '[Identified] Relay outage'    => 'incident.updated');
for my $e (@EMAILS) {
    my @mine = grep { $_->is_to($e) } @$got;
    my %by_subject;
    push @{ $by_subject{ $_->header('Subject') // '' } }, $_ for @mine;
    is_deeply({ map { $_ => scalar @{ $by_subject{$_} } } keys %by_subject },
              { map { $_ => 1 } keys %subjects },
              "$e: exactly one mail per event (created, updated)");

    my $h = $hist{$e};
    my %jobs;
    push @{ $jobs{ $_->{jobId} } }, $_ for @$h;
    is(scalar keys %jobs, 2, "$e: two jobs in the delivery log");

    for my $job (sort { $a <=> $b } keys %jobs) {
        my @a = @{ $jobs{$job} };
        my $type = $a[0]{type} // '';
        my $what = "$e, $type (job $job)";
        is_deeply([ map { $_->{outcome} } @a ],
                  [ ('retrying') x (@a - 1), 'delivered' ],
                  "$what: " . (@a - 1) . ' failed attempts, then delivered')
            or diag(history_text(\@a));
        is_deeply([ map { $_->{attempt} } @a ], [ 1 .. scalar @a ],
                  "$what: attempts numbered 1.." . scalar @a);
        ok(@a >= 5, "$what: at least 4 of them failed");

        # the one mail for this event carries the job's id
        my ($subject) = grep { $subjects{$_} eq $type } keys %subjects;
        my $m = ($by_subject{ $subject // '' } || [])->[0];
        my $mid = $m ? $m->header('Message-ID') // '' : '';
        like($mid, qr/^<\Q$job\E\.[0-9a-f]+\@status\.example\.com>\z/,
             "$what: the mail's Message-ID is the job's (<$job.…>), the "
             . 'same for every attempt');

        # backoff: base=1s max=4s, so 1, 2, 4, 4... s (+-20%) between the
        # attempts; the log's times are whole seconds (+-1 s)
        my @at = map { rfc3339_to_epoch($_->{at}) // 0 } @a;
        my @gap = map { $at[$_] - $at[$_ - 1] } 1 .. $#at;
        my @off = grep {
            my $d = $_ < 2 ? 2 ** $_ : 4;
            $gap[$_] < int(0.8 * $d + 0.999) - 1 || $gap[$_] > int(1.2 * $d) + 1;
        } 0 .. $#gap;
        ok(@gap >= 4 && !@off,
           "$what: gaps of ~1, ~2, ~4, ~4 s between attempts (@gap)")
            or diag(history_text(\@a));
        ok(@gap >= 3 && $gap[2] > $gap[0],
           "$what: the gaps grow (the third is longer than the first)");
    }
}

# all four subscribers got the same event under different Message-IDs
{
    my %mids = map { ($_->header('Message-ID') // '') => 1 } @$got;
    is(scalar keys %mids, $want, "$want distinct Message-IDs: one per "
                                 . 'subscriber per event');
}

is(aget("$API/queue")->{json}{queued}, 0, 'GET /queue: nothing queued');

$t->stop;
$sink->stop;

# --- a webhook receiver that accepts and never answers ------------------------------
# (another nginx: a short incident_notify_timeout, so that the hung
# deliveries time out and new ones start while the page is measured)

my $w = IncidentTest->new(
    workers     => 1,
    status_page => '/',
    http_extra  => join("\n    ",
        'incident_webhook_allow_private on;',
        'incident_notify_retries 10 base=1s max=4s;',
        'incident_notify_timeout 1s;',
        'incident_notify_lease 9s;'),
)->start;

# the receiver: accepts every connection and keeps it open, reading nothing
my $hang = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                 Proto => 'tcp', Listen => 1024, ReuseAddr => 1)
    or die "listen: $!";
my $hang_port = $hang->sockport;
my $hang_log = $w->prefix . '/hang-accepts.txt';
my $hang_pid = fork // die "fork: $!";
if (!$hang_pid) {
    $SIG{TERM} = sub { POSIX::_exit(0) };
    open my $log, '>>', $hang_log or POSIX::_exit(1);
    $log->autoflush(1);
    my @held;
    while (1) {
        my $c = $hang->accept or next;
        push @held, $c;
        printf $log "%.3f\n", time;
    }
}
close $hang;
END { kill 'TERM', $hang_pid if $hang_pid; }

sub accepts { scalar(() = (IncidentTest::read_file($hang_log) // '') =~ /\n/g) }

my @hooks;
for my $n (1 .. $HOOKS) {
    my $r = $w->api(POST => "$API/subscribers",
                    {type => 'webhook',
                     url => "http://127.0.0.1:$hang_port/hook/$n"});
    is_status($r, 201, "webhook subscriber $n on the hanging receiver")
        if $n == 1 || $r->{status} != 201;
    push @hooks, $r->{json}{id};
}
my $inc2 = $w->create_incident(title => 'Hanging receivers',
                               message => 'Deliveries will hang.');

ok(IncidentTest::wait_until(10, sub { accepts() >= 8 }),
   'the module connects to the hanging receiver (' . accepts()
   . ' connections held)');

# GET / (and an incident page) for 8 s while those deliveries hang, time
# out and start again; a new incident every 2 s starts 64 more at once
my (@lat, @bad);
my $t_start = time;
my $t_end = $t_start + 8;
my $http = HTTP::Tiny->new(keep_alive => 0, timeout => 10);
my ($n, $more) = (0, 0);
while (time < $t_end) {
    if (time - $t_start >= 2 * ($more + 1) && $more < 3) {
        $more++;
        my $r = $w->api(POST => "$API/incidents",
                        {title => "Hanging receivers $more",
                         status => 'investigating', impact => 'minor'});
        push @bad, "POST incident $more -> $r->{status}"
            unless $r->{status} == 201;
    }
    my $path = $n++ % 4 == 3 ? "/incidents/$inc2->{id}" : '/';
    my $s = time;
    my $r = $http->get($w->base_url . $path);
    push @lat, time - $s;
    push @bad, "$path -> $r->{status}" unless $r->{status} == 200;
}
my $held = accepts();
@lat = sort { $a <=> $b } @lat;
my $p95 = $lat[ int(0.95 * $#lat) ];
my $max = $lat[-1];
note(sprintf('%d page requests while deliveries hang: p50 %.1f ms, p95 %.1f '
             . 'ms, max %.1f ms; %d connections accepted by the receiver',
             scalar @lat, 1000 * $lat[ int(0.5 * $#lat) ], 1000 * $p95,
             1000 * $max, $held));
ok(@lat >= 100, scalar(@lat) . ' page requests made while deliveries hang');
ok(!@bad, 'each answered 200') or diag(join "\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)]);
ok($p95 < 0.1, sprintf('p95 latency of the status page under 100 ms (%.1f ms)',
                       1000 * $p95));
ok($max < 0.5, sprintf('and no request over 500 ms (max %.1f ms)', 1000 * $max));
ok($held >= 32, "the deliveries kept hanging, timing out and starting again "
                . "meanwhile ($held connections)");

# the timed-out connections were given back to curl cleanly: nginx never
# tried to remove from epoll a socket that curl had already closed (on a
# descriptor reused meanwhile by a client connection, that would silently
# drop the client's events)
{
    my @ebadf = $w->error_log =~ /^(.*epoll_ctl\(\d+, \d+\) failed \(9: Bad file descriptor\).*)$/mg;
    ok(!@ebadf, 'no "epoll_ctl() failed (9: Bad file descriptor)" alert '
                . 'while the hung deliveries time out and new ones start')
        or diag(scalar(@ebadf) . " lines, e.g.\n"
                . join("\n", @ebadf[0 .. ($#ebadf < 3 ? $#ebadf : 3)]));
    # reported once here; the final error.log check looks for anything else
    $w->allow_log(qr/epoll_ctl\(\d+, \d+\) failed \(9: Bad file descriptor\)/);
}

# the hang was real: the deliveries time out and are retried
my $h;
ok(IncidentTest::wait_until(10, sub {
    my $r = $w->api(GET => "$API/subscribers/$hooks[0]/deliveries?limit=100",
                    undef, token => 'admin');
    $h = [ reverse @{ $r->{json}{data} || [] } ];
    grep { $_->{outcome} eq 'retrying' } @$h;
}), 'a hung delivery ends as a failed attempt (incident_notify_timeout)')
    or diag(history_text($h));
like((grep { $_->{outcome} eq 'retrying' } @$h)[0]{detail} // '', qr/time/i,
     '  whose detail says it timed out') if @$h;

kill 'TERM', $hang_pid;
waitpid $hang_pid, 0;
$hang_pid = undef;

$w->stop;
done_testing;
