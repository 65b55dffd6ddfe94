# under load (wrk on the status page and the API, forked writers): several
# `nginx -s reload`s and a binary upgrade (USR2, then WINCH and QUIT of the
# old master). Zero failed requests, every acknowledged write is there, the
# new master's workers open the store and answer, and the notification
# queue keeps going: a webhook subscriber gets the incidents created while
# both masters' workers serve and after the old ones are gone.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;
use WebhookReceiver;
use HTTP::Tiny;
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(time sleep);

my $WRK      = $ENV{WRK} // '/usr/bin/wrk';
my $DURATION = 24;      # seconds of load
my $WRITERS  = 8;

ok(-x $WRK, "wrk is installed ($WRK; Debian package wrk)") or do {
    done_testing;
    exit;
};

my $JSON = JSON::PP->new->utf8->canonical;

my $rx = WebhookReceiver->new(script => { '*' => [ [200] ] });

my $t = IncidentTest->new(
    workers     => 2,
    status_page => '/',
    http_extra  => join("\n    ",
        'incident_webhook_allow_private on;',
        'incident_notify_retries 5 base=1s max=2s;',
        'incident_notify_timeout 2s;',
        'incident_notify_lease 3s;'),
)->start;

my $base  = $t->base_url;
my $token = $t->token('admin');
my ($base_prefix, $base_conf) = ($t->prefix, $t->conf_path);

# a binary upgrade re-executes argv[0] with the same arguments: the harness
# starts nginx by its absolute path with -p and -c, so the new master finds
# the same prefix and configuration
{
    # nginx sets its title to "nginx: master process ARGV..."
    my $cmd = IncidentTest::read_file('/proc/' . $t->master_pid . '/cmdline') // '';
    my ($argv0) = $cmd =~ /master process (\S+)/;
    like($argv0 // '', qr{^/}, 'the master was started by an absolute path ('
                               . ($argv0 // $cmd) . '), so USR2 can '
                               . 're-execute it');
    like($cmd, qr{ -p \Q$base_prefix\E/? -c \Q$base_conf\E\b},
         'with -p PREFIX and -c CONF: the new master reads the same ones');
}

my $sub = $t->api(POST => '/api/v1/subscribers',
                  {type => 'webhook', url => $rx->url('/hook')});
is_status($sub, 201, 'a webhook subscriber');
my $secret = $sub->{json}{secret};

# a few incidents before the load
my %acked;      # id => title of every acknowledged write
for my $n (1 .. 5) {
    my $i = $t->create_incident(title => "Before $n", notify => JSON::PP::false);
    $acked{ $i->{id} } = "Before $n" if $i->{id};
}

# --- the load ----------------------------------------------------------------------
# wrk with "Connection: close": each request on its own connection. (With
# keep-alive, a worker that shuts down gracefully closes its idle
# connections, and a request sent on one at that moment fails in any
# nginx: that race is not the module's.)

my $dir = $t->prefix;
my @wrk;
for my $target (['/', 'page'], ['/api/v1/status', 'api']) {
    my ($path, $name) = @$target;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDOUT, '>', "$dir/wrk-$name.txt" or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT;
        { exec $WRK, '-t1', '-c8', "-d${DURATION}s", '--timeout', '10s',
               '-H', 'Connection: close', "$base$path"; }
        POSIX::_exit(127);
    }
    push @wrk, [$pid, $name, $path];
}

# writers: create an incident and post an update, in a loop; every answer
# is recorded (a 599 is a connection that failed)
my $deadline = time + $DURATION - 1;
my @writers;
for my $w (1 .. $WRITERS) {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        my $http = HTTP::Tiny->new(keep_alive => 0, timeout => 15);
        my %h = ('Content-Type' => 'application/json',
                 Authorization  => "Bearer $token");
        open my $out, '>', "$dir/writer-$w.jsonl" or POSIX::_exit(1);
        $out->autoflush(1);
        my $n = 0;
        while (time < $deadline) {
            $n++;
            my $title = "w$w-$n";
            my $r = $http->request(POST => "$base/api/v1/incidents",
                {headers => \%h,
                 content => $JSON->encode({title => $title,
                                           status => 'investigating',
                                           impact => 'minor',
                                           message => "first of $title",
                                           notify => JSON::PP::false})});
            my $d = eval { $JSON->decode($r->{content}) } || {};
            print $out $JSON->encode({op => 'create', title => $title,
                                      status => $r->{status}, id => $d->{id},
                                      error => $r->{status} == 201 ? undef
                                               : substr($r->{content}, 0, 200)}),
                       "\n";
            next unless $r->{status} == 201;
            my $u = $http->request(POST => "$base/api/v1/incidents/$d->{id}/updates",
                {headers => \%h,
                 content => $JSON->encode({status => 'identified',
                                           message => "update of $title",
                                           notify => JSON::PP::false})});
            my $ud = eval { $JSON->decode($u->{content}) } || {};
            print $out $JSON->encode({op => 'update', title => $title,
                                      incident => $d->{id},
                                      status => $u->{status}, id => $ud->{id},
                                      error => $u->{status} == 201 ? undef
                                               : substr($u->{content}, 0, 200)}),
                       "\n";
            sleep 0.01;
        }
        close $out;
        POSIX::_exit(0);
    }
    push @writers, $pid;
}

# --- reloads under load --------------------------------------------------------------

sleep 2;
for my $n (1 .. 3) {
    $t->reload;
    sleep 1;
}

# --- the binary upgrade ----------------------------------------------------------------

my $old = $t->master_pid;
my %old_w = map { $_ => 1 } $t->worker_pids;
kill 'USR2', $old;
my $new;
ok(IncidentTest::wait_until(20, sub {
    my $ob = IncidentTest::read_pid($t->pid_path . '.oldbin');
    $new = IncidentTest::read_pid($t->pid_path);
    $ob && $ob == $old && $new && $new != $old && IncidentTest::alive($new);
}), 'USR2: a new master starts; nginx.pid.oldbin names the old one');
$new //= 0;
my @new_w;
ok(IncidentTest::wait_until(20, sub {
    @new_w = IncidentTest::children_of($new);
    @new_w >= 2;
}), 'the new master starts its workers (' . scalar(@new_w) . ')');
my %new_w = map { $_ => 1 } @new_w;
ok(!grep({ $old_w{$_} } @new_w) && !$new_w{$new},
   'they are other processes than the old workers');

# both generations serve now: reads and writes from the new workers
my (%seen_by, $upgrade_inc);
{
    my $ok = IncidentTest::wait_until(20, sub {
        my $r = $t->api(GET => '/api/v1/status');
        my $pid = $r->{headers}{'x-worker-pid'} // 0;
        $seen_by{ $new_w{$pid} ? 'new' : $old_w{$pid} ? 'old' : 'other' }++
            if $r->{status} == 200;
        $seen_by{new};
    });
    ok($ok, 'a new worker answers GET /api/v1/status: the store opens in '
            . 'the new master\'s workers');

    # the incident that announces itself during the upgrade
    my $r = $t->api(POST => '/api/v1/incidents',
                    {title => 'During the upgrade', status => 'investigating',
                     impact => 'major', message => 'Both masters serve.'});
    is_status($r, 201, 'an incident created while both masters\' workers serve');
    $upgrade_inc = $r->{json}{id};
    $acked{$upgrade_inc} = 'During the upgrade' if $upgrade_inc;

    # a write committed by a new worker
    my $by_new = 0;
    for my $n (1 .. 200) {
        my $w = $t->api(POST => '/api/v1/incidents',
                        {title => "Upgrade write $n", status => 'investigating',
                         impact => 'minor', notify => JSON::PP::false});
        last unless $w->{status} == 201;
        $acked{ $w->{json}{id} } = "Upgrade write $n";
        if ($new_w{ $w->{headers}{'x-worker-pid'} // 0 }) {
            $by_new = 1;
            last;
        }
    }
    ok($by_new, 'a new worker commits a write');
}

kill 'WINCH', $old;
ok(IncidentTest::wait_until(30, sub { !grep { IncidentTest::alive($_) } keys %old_w }),
   'WINCH: the old workers finish and exit');
ok(IncidentTest::alive($old), 'the old master stays (it could still be '
                              . 'rolled back to)');

my $after_inc;
{
    my $r = $t->api(POST => '/api/v1/incidents',
                    {title => 'After WINCH', status => 'investigating',
                     impact => 'minor', message => 'Only new workers now.'});
    is_status($r, 201, 'an incident created once only the new workers serve');
    $after_inc = $r->{json}{id};
    $acked{$after_inc} = 'After WINCH' if $after_inc;
    ok($new_w{ $r->{headers}{'x-worker-pid'} // 0 },
       'answered by a new worker');
}

kill 'QUIT', $old;
ok(IncidentTest::wait_until(20, sub { !IncidentTest::alive($old) }),
   'QUIT: the old master exits');
ok(!-e $t->pid_path . '.oldbin', 'and removes nginx.pid.oldbin');
is(IncidentTest::read_pid($t->pid_path), $new, 'nginx.pid names the new master');

# the harness follows the new master from here on
$t->{master} = $new;

# one more reload, of the new master, still under load
$t->reload;

# --- the load ends -----------------------------------------------------------------------

waitpid $_, 0 for @writers;
my %wrk_out;
for my $w (@wrk) {
    my ($pid, $name, $path) = @$w;
    waitpid $pid, 0;
    $wrk_out{$name} = IncidentTest::read_file("$dir/wrk-$name.txt") // '';
}

for my $w (@wrk) {
    my (undef, $name, $path) = @$w;
    my $out = $wrk_out{$name};
    my ($reqs) = $out =~ /(\d+) requests in/;
    my ($non2xx) = $out =~ /Non-2xx or 3xx responses: (\d+)/;
    my ($sock) = $out =~ /Socket errors: ([^\n]*)/;
    note("wrk GET $path: " . ($reqs // '?') . ' requests; '
         . ($out =~ /(Requests\/sec:\s+[\d.]+)/ ? $1 : ''));
    ok(($reqs // 0) >= 1000, "wrk GET $path: " . ($reqs // 0) . ' requests '
                             . 'during the reloads and the upgrade')
        or diag($out);
    ok(!$non2xx, "wrk GET $path: no non-2xx answer (" . ($non2xx // 0) . ')')
        or diag($out);
    ok(!defined $sock, "wrk GET $path: no socket error (connect, read, "
                       . 'write, timeout)') or diag($out);
}

my @log;
for my $w (1 .. $WRITERS) {
    my $text = IncidentTest::read_file("$dir/writer-$w.jsonl") // '';
    push @log, map { $JSON->decode($_) } grep { length } split /\n/, $text;
}
my @failed = grep { $_->{status} != 201 } @log;
my @creates = grep { $_->{op} eq 'create' && $_->{status} == 201 } @log;
my @updates = grep { $_->{op} eq 'update' && $_->{status} == 201 } @log;
ok(@creates >= 50, scalar(@creates) . ' incidents and ' . scalar(@updates)
                   . ' updates written during the reloads and the upgrade');
ok(!@failed, 'no write failed (every one answered 201)')
    or do {
        # were they committed? the client cannot know
        my $items = $t->list_all('/api/v1/incidents?state=all', limit => 100);
        my %by_title = map { $_->{title} => $_ } @$items;
        for my $f (@failed) {
            my $i = $by_title{ $f->{title} };
            $f->{committed} = $f->{op} eq 'create' ? ($i ? 1 : 0)
                : ($i && grep { $_->{message} eq "update of $f->{title}" }
                               @{ $i->{updates} || [] }) ? 1 : 0;
        }
        diag(scalar(@failed) . " failed, e.g.\n"
             . join("\n", map { $JSON->encode($_) }
                           @failed[0 .. ($#failed < 9 ? $#failed : 9)]));
    };

# a worker leaving (reload, WINCH) finishes the requests it has: none of
# them is cut while its write runs in the thread pool
{
    my @left = $t->error_log =~ /^(.*(?:open socket #\d+ left in connection|\[alert\].*aborting).*)$/mg;
    ok(!@left, 'no worker exits with a request still open ("open socket '
               . '... left in connection", "aborting")')
        or diag(join "\n", @left[0 .. ($#left < 9 ? $#left : 9)]);
    # reported here; the error.log checks look for anything else
    $t->allow_log(qr/open socket #\d+ left in connection|\[alert\][^\n]*: aborting$/);
}

# --- no data lost ---------------------------------------------------------------------------

my %upd;    # incident id => update id
$acked{ $_->{id} } = $_->{title} for @creates;
$upd{ $_->{incident} } = $_->{id} for @updates;

sub all_there {
    my ($when) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $items = $t->list_all('/api/v1/incidents?state=all', limit => 100);
    my %got = map { $_->{id} => $_ } @$items;
    my @bad;
    for my $id (sort { $a <=> $b } keys %acked) {
        my $i = $got{$id};
        unless ($i && $i->{title} eq $acked{$id}) {
            push @bad, "incident $id ($acked{$id}) " . ($i ? "is '$i->{title}'" : 'missing');
            next;
        }
        next unless $upd{$id};
        push @bad, "incident $id: update $upd{$id} missing"
            unless grep { $_->{id} == $upd{$id}
                          && $_->{message} eq "update of $acked{$id}" }
                   @{ $i->{updates} || [] };
    }
    ok(!@bad, "$when: every acknowledged write is there ("
              . scalar(keys %acked) . ' incidents, ' . scalar(keys %upd)
              . ' updates)')
        or diag(join "\n", @bad[0 .. ($#bad < 19 ? $#bad : 19)]);
}

all_there('after the upgrade');

# --- the notification queue kept going --------------------------------------------------

my %got_hook;
ok(IncidentTest::wait_until(30, sub {
    for my $r ($rx->requests('/hook')) {
        my $p = eval { $JSON->decode($r->{body}) } || {};
        my $iid = ((($p->{data} || {})->{incident}) || {})->{id} // 0;
        push @{ $got_hook{$iid} }, $r;
    }
    my $ok = $got_hook{$upgrade_inc // -1} && $got_hook{$after_inc // -1};
    %got_hook = () unless $ok;
    $ok;
}), 'the subscriber receives the incidents created during the upgrade and '
    . 'after WINCH');
for my $iid (grep { defined } $upgrade_inc, $after_inc) {
    my @r = @{ $got_hook{$iid} || [] };
    my %ids = map { ($_->{headers}{'webhook-id'} // '') => 1 } @r;
    is(scalar keys %ids, 1, "incident $iid: one message (a redelivery would "
                            . 'keep its webhook-id)');
    ok(@r && !grep({ !WebhookReceiver::verify_signature($secret, $_) } @r),
       "incident $iid: correctly signed");
}
{
    my $q;
    my $ok = IncidentTest::wait_until(20, sub {
        $q = $t->api(GET => '/api/v1/queue', undef, token => 'admin')->{json} || {};
        ($q->{queued} // -1) == 0 && ($q->{fanouts} // -1) == 0;
    });
    ok($ok, 'the queue drains') or diag(encode_json($q));
    is($q->{dead}, 0, 'no dead letters');
}
is(scalar(grep { !$acked{ ((eval { $JSON->decode($_->{body}) } || {})->{data}
                          || {})->{incident}{id} // 0 } }
          $rx->requests('/hook')),
   0, 'the subscriber got nothing for incidents that were not written');

# --- and after a stop and start --------------------------------------------------------

$t->restart;
all_there('after a stop and start');
is_status($t->api(POST => '/api/v1/incidents',
                  {title => 'After all', status => 'investigating',
                   impact => 'minor', notify => JSON::PP::false}),
          201, 'writes work');

$t->stop;
$rx->stop;
done_testing;
