#!/usr/bin/perl
#
# The measuring half of bench/notify.sh (which starts the peers and nginx
# and prints the summary).  Two modes, each printing "BENCH key value"
# lines on stdout (times in seconds unless the key says _ms):
#
#   idle    wrk on the status page for DURATION seconds, and the CPU that
#           every party used meanwhile
#
#   fanout  POST /api/v1/incidents (which notifies every subscriber), then
#           at once the same wrk on the status page, while this watches
#             - smtp-sink's counters (its -c output: "sess=N quit=N mesg=N")
#             - the receiver's access log (one line per webhook)
#             - GET /api/v1/queue, until queued == 0 and fanouts == 0
#           The page's req/s are read from nginx's stub_status (requests
#           counted by nginx, less our own) over two windows:
#             - during: from the POST until all is delivered and settled
#             - first:  the first DURATION seconds after the POST, as a
#                       wrk -dDURATION started with the POST would see it
#                       (after a fan-out shorter than that, the page is
#                       alone for the rest)
#           wrk starts 0.3 s before the POST and runs until both windows
#           are over (then SIGINT); the CPU figures are those of "during".
#           page=0: no wrk, the fan-out alone.
#
# Options are NAME=VALUE arguments (see %opt).  Only core Perl modules.

use strict;
use warnings;

use HTTP::Tiny;
use JSON::PP;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

my %opt = (
    mode        => '',
    base        => '',          # http://127.0.0.1:PORT of the module
    token       => '',
    conns       => 50,          # wrk -c, as bench/run.sh reads the page
    duration    => 10,          # idle: wrk seconds
    max_wait    => 120,         # fanout: give up after this many seconds
    lua         => '',          # bench/report.lua
    wrk_out     => '',          # wrk's output file
    sink_out    => '',          # smtp-sink -c output
    hook_log    => '',          # the receiver's access log
    mails       => 0,           # expected this fan-out
    hooks       => 0,
    incident    => '{}',        # the JSON to POST
    nginx_pid   => 0,           # the module's master
    recv_pid    => 0,           # the receiver's master
    sink_pid    => 0,
    # GET /api/v1/queue reads every job and subscriber on the event loop
    # (tens of ms with 11,000 subscribers): seldom while the peers' counts
    # show the deliveries flowing, more often once they have them all
    queue_every => 5,           # s between /queue polls while mails flow
    queue_fast  => 0.2,         # s between them once the peers have all
    sink_port   => 0,           # for counting the open connections
    recv_port   => 0,
    tick        => 0.025,       # s between looks at the peers' counters
    page        => 1,           # fanout: 0 for no wrk (the fan-out alone)
    stub        => '',          # the module's stub_status URL
);

for my $a (@ARGV) {
    my ($k, $v) = $a =~ /^(\w+)=(.*)$/s or die "notify-driver: bad arg $a\n";
    exists $opt{$k} or die "notify-driver: unknown option $k\n";
    $opt{$k} = $v;
}

$| = 1;

my $wrk_pid = 0;            # wrk, while it runs

my $CLK_TCK = `getconf CLK_TCK` + 0 || 100;

sub out { printf "BENCH %s %s\n", $_[0], $_[1] }


# --- CPU ----------------------------------------------------------------------

sub proc_ticks {            # utime + stime of a process (all its threads)
    my ($pid) = @_;
    open my $f, '<', "/proc/$pid/stat" or return 0;
    my $s = <$f>;
    close $f;
    $s =~ s/^.*\)\s+//s;    # past "pid (comm)"
    my @f = split ' ', $s;
    return $f[11] + $f[12]; # fields 14, 15 of stat(5)
}

sub children {              # by their parent pid, from /proc/*/stat
    my ($pid) = @_;
    my @c;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $f, '<', $stat or next;
        my $s = <$f> // next;
        close $f;
        push @c, $1 if $s =~ /^(\d+) \(.*\) \S+ (\d+) / && $2 == $pid;
    }
    return @c;
}

sub tree_ticks {            # a master and its workers
    my ($pid) = @_;
    return 0 unless $pid;
    my $t = proc_ticks($pid);
    $t += proc_ticks($_) for children($pid);
    return $t;
}

sub system_ticks {          # busy, all: of every CPU, from /proc/stat
    open my $f, '<', '/proc/stat' or return (0, 0);
    while (<$f>) {
        next unless /^cpu\s/;
        my @v = split;
        my $busy = $v[1] + $v[2] + $v[3] + $v[6] + $v[7] + $v[8];
        return ($busy, $busy + $v[4] + $v[5]);
    }
    return (0, 0);
}

sub cpu_sample {
    my ($busy, $all) = system_ticks();
    my @me = times;
    my $wrk_live = $wrk_pid ? proc_ticks($wrk_pid) : 0;
    my %s = (
        busy    => $busy,
        all     => $all,
        module  => tree_ticks($opt{nginx_pid}),
        recv    => tree_ticks($opt{recv_pid}),
        sink    => $opt{sink_pid} ? proc_ticks($opt{sink_pid}) : 0,
        self    => ($me[0] + $me[1]) * $CLK_TCK,
        # wrk: once reaped in our children's times, before in its own
        kids    => ($me[2] + $me[3]) * $CLK_TCK + $wrk_live,
    );
    if ($opt{nginx_pid}) {
        my $i = 0;
        $s{"worker" . $i++} = proc_ticks($_) for sort { $a <=> $b }
                                                  children($opt{nginx_pid});
    }
    return \%s;
}

# percent of one CPU each party used between two samples over SECS
sub cpu_report {
    my ($a, $b, $secs) = @_;
    my $pct = sub { sprintf '%.0f', 100 * $_[0] / $CLK_TCK / $secs };
    my %d = map { $_ => ($b->{$_} // 0) - ($a->{$_} // 0) } keys %$b;

    out("cpu_module_pct", $pct->($d{module}));
    for my $k (sort grep { /^worker/ } keys %d) {
        out("cpu_${k}_pct", $pct->($d{$k}));
    }
    out("cpu_wrk_pct", $pct->($d{kids}));
    out("cpu_sink_pct", $pct->($d{sink}));
    out("cpu_recv_pct", $pct->($d{recv}));
    out("cpu_driver_pct", $pct->($d{self}));

    my $ours = $d{module} + $d{kids} + $d{sink} + $d{recv} + $d{self};
    my $others = $d{busy} - $ours;
    out("cpu_others_pct", $pct->($others > 0 ? $others : 0));
    out("cpu_busy_pct", $d{all} ? sprintf('%.0f', 100 * $d{busy} / $d{all})
                                : 0);
}


# --- wrk ----------------------------------------------------------------------

sub wrk_start {
    my ($secs) = @_;
    my $pid = fork // die "notify-driver: fork: $!\n";
    if ($pid == 0) {
        open STDOUT, '>', $opt{wrk_out} or die "$opt{wrk_out}: $!\n";
        open STDERR, '>&', \*STDOUT;
        exec 'wrk', '-t1', "-c$opt{conns}", "-d${secs}s", '--latency',
             '-s', $opt{lua}, "$opt{base}/"
            or die "notify-driver: exec wrk: $!\n";
    }
    return $pid;
}

# a failing driver leaves no wrk behind
END {
    if ($wrk_pid) {
        kill 'INT', $wrk_pid;
        waitpid($wrk_pid, 0);
    }
}

sub wrk_wait {
    my ($pid) = @_;
    waitpid($pid, 0);
    $wrk_pid = 0 if $pid == $wrk_pid;
    $? == 0 or die "notify-driver: wrk failed ($?), see $opt{wrk_out}\n";
}


# --- the peers' counters ------------------------------------------------------

# smtp-sink -c rewrites one line ("sess=N quit=N mesg=N\r") at the end
sub sink_counts {
    open my $f, '<', $opt{sink_out} or return (0, 0);
    my $size = -s $f;
    seek $f, ($size > 200 ? $size - 200 : 0), 0;
    local $/;
    my $tail = <$f> // '';
    close $f;
    my @m = $tail =~ /sess=(\d+)\s+quit=\d+\s+mesg=(\d+)/g;
    return @m ? @m[-2, -1] : (0, 0);
}

# the receiver's log: "POST 204 CONNECTION" lines, read as they come
my %hook = (offset => 0, n => 0, ok => 0, conns => {}, bytes => 0);

sub hook_poll {
    open my $f, '<', $opt{hook_log} or return;
    seek $f, $hook{offset}, 0;
    while (my $l = <$f>) {
        if ($l !~ /\n\z/) {
            last;               # a line being written: next time
        }
        $hook{offset} += length $l;
        my ($method, $status, $conn, $len) = split ' ', $l;
        $hook{n}++;
        $hook{ok}++ if $method eq 'POST' && $status == 204;
        $hook{conns}{$conn} = 1;
        $hook{bytes} += $len if defined $len && $len =~ /^\d+$/;
    }
    close $f;
}


# the client sockets (ESTABLISHED) to a port, from /proc/net/tcp
sub open_conns {
    my %n;
    open my $f, '<', '/proc/net/tcp' or return \%n;
    <$f>;
    while (<$f>) {
        my (undef, undef, $rem, $st) = split;
        next unless $st eq '01';
        $n{hex((split /:/, $rem)[1])}++;
    }
    close $f;
    return \%n;
}


# --- modes --------------------------------------------------------------------

my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 30);
my %auth = (Authorization => "Bearer $opt{token}");

sub queue {
    my $t = time;
    my $r = $http->get("$opt{base}/api/v1/queue", { headers => \%auth });
    my $ms = 1000 * (time - $t);
    $r->{status} == 200
        or die "notify-driver: GET /api/v1/queue: $r->{status} "
               . substr($r->{content} // '', 0, 300) . "\n";
    return (decode_json($r->{content}), $ms);
}

# stub_status: the requests nginx has read, all workers; each of our own
# requests (this one included) is counted in $own and taken off
my $own = 0;

sub stub {
    $own++;
    my $r = $http->get($opt{stub});
    $r->{status} == 200 && $r->{content} =~ /^\s*\d+\s+\d+\s+(\d+)\s*$/m
        or die "notify-driver: GET $opt{stub}: $r->{status}\n";
    return ($1, time);
}

if ($opt{mode} eq 'idle') {
    my $c0 = cpu_sample();
    my $t0 = time;
    my $pid = $wrk_pid = wrk_start($opt{duration});

    # nginx's count, inside the run (wrk's own start and end left out)
    my ($a, $ta, $b, $tb) = (0, 0, 0, 1);
    if ($opt{stub}) {
        my $edge = $opt{duration} > 2 ? 0.5 : 0.1;
        sleep $edge;
        ($a, $ta) = stub();
        my $left = $t0 + $opt{duration} - $edge - time;
        sleep $left if $left > 0;
        ($b, $tb) = stub();
    }

    wrk_wait($pid);
    my $secs = time - $t0;
    cpu_report($c0, cpu_sample(), $secs);
    out("window_s", sprintf '%.2f', $secs);
    out("page_idle", $opt{stub} ? sprintf('%.1f', ($b - $a - 1) / ($tb - $ta))
                                : '-');
    exit 0;
}

$opt{mode} eq 'fanout' or die "usage: notify-driver.pl mode=idle|fanout ...\n";

# the counters before: smtp-sink's add up over the rounds
my ($sess0, $mesg0) = sink_counts();
hook_poll();
%hook = (%hook, n => 0, ok => 0, conns => {}, bytes => 0);

my ($q0) = queue();
$q0->{queued} == 0 && $q0->{fanouts} == 0
    or die "notify-driver: the queue is not empty before the fan-out: "
           . encode_json($q0) . "\n";

# wrk first: the page is under load when the POST comes
if ($opt{page}) {
    $wrk_pid = wrk_start($opt{max_wait} + $opt{duration} + 10);
    sleep 0.3;
}

my ($req0, $treq0) = $opt{page} ? stub() : (0, 0);
$own = 0;

my $c0 = cpu_sample();
my $t0 = time;

$own++;
my $r = $http->post("$opt{base}/api/v1/incidents", {
    headers => { %auth, 'Content-Type' => 'application/json' },
    content => $opt{incident},
});
my $t201 = time;
$r->{status} == 201
    or die "notify-driver: POST /api/v1/incidents: $r->{status} "
           . substr($r->{content} // '', 0, 300) . "\n";


my %at;                     # when (s after the POST) a milestone was seen
my ($mails, $qn, $qms_sum, $qms_max) = (0, 0, 0, 0);
my ($next_q, $next_p, $next_c) = ($t0, $t0 + 1, $t0);
my (@progress, @tail, $last_q, %conns_max, %win, $c_settled);

# window NAME: the page's req/s from the POST until now
sub window {
    my ($name) = @_;
    return unless $opt{page};
    my ($req, $t) = stub();
    $win{$name} = sprintf '%.1f', ($req - $req0 - $own) / ($t - $treq0);
    $win{"${name}_s"} = sprintf '%.3f', $t - $t0;
}

while (1) {
    my $now = time;
    my $t = $now - $t0;

    my ($s, $m) = sink_counts();
    $mails = $m - $mesg0;
    hook_poll();

    $at{mail_first} //= $t if $mails > 0;
    $at{mail_half}  //= $t if $mails >= $opt{mails} / 2;
    $at{mail_all}   //= $t if $mails >= $opt{mails};
    $at{hook_first} //= $t if $hook{n} > 0;
    $at{hook_half}  //= $t if $hook{n} >= $opt{hooks} / 2;
    $at{hook_all}   //= $t if $hook{n} >= $opt{hooks};

    my $peers_done = $mails >= $opt{mails} && $hook{n} >= $opt{hooks};

    if ($peers_done && !defined $at{peers}) {
        $at{peers} = $t;
        $next_q = $now;         # from now on the quick polls
    }

    if (!defined $at{settled} && $now >= $next_q) {
        $own++;
        my ($q, $ms) = queue();
        $qn++;
        $qms_sum += $ms;
        $qms_max = $ms if $ms > $qms_max;
        $last_q = $q;

        if ($peers_done) {     # what is left to settle, after the peers
            push @tail, sprintf '%.2f:%d:%d', time - $t0, $q->{queued},
                                $q->{fanouts};
        }

        if ($q->{queued} == 0 && $q->{fanouts} == 0) {
            $at{settled} = time - $t0;
            window('during');
            $c_settled = cpu_sample();
        }

        $next_q = time + ($peers_done ? $opt{queue_fast}
                                      : $opt{queue_every});
    }

    if (!defined $win{first} && $opt{page} && $t >= $opt{duration}) {
        window('first');
    }

    if (!defined $at{settled} && $now >= $next_c) {
        my $c = open_conns();
        for my $p (grep { $_ } $opt{sink_port}, $opt{recv_port}) {
            my $n = $c->{$p} // 0;
            $conns_max{$p} = $n if $n > ($conns_max{$p} // 0);
        }
        $next_c = $now + 0.25;
    }

    if (!defined $at{settled} && $now >= $next_p) {
        push @progress, sprintf '%d:%d:%d:%d', $t + 0.5, $mails, $hook{n},
                                $last_q ? $last_q->{queued} : -1;
        $next_p += 1;
    }

    if (defined $at{settled}) {
        # the peers short after the queue settled: failures (dead letters,
        # retries far off); give the counters a second, then report
        last if ($peers_done || $t - $at{settled} > 1)
                && ($win{first} || !$opt{page});
    }

    if ($t > $opt{max_wait}) {
        $at{timeout} = $t;
        last;
    }

    sleep $opt{tick};
}

my $t_end = time;
$c_settled //= cpu_sample();
if ($wrk_pid) {
    kill 'INT', $wrk_pid;
    wrk_wait($wrk_pid);
}

my ($lq) = queue();
my (undef, $m) = sink_counts();     # late duplicates, if any
hook_poll();

out("post_ms", sprintf '%.1f', 1000 * ($t201 - $t0));
out("window_s", sprintf '%.3f', $at{settled} // $t_end - $t0);
out("wrk_s", sprintf '%.3f', $t_end - $t0);
out("mails", $m - $mesg0);
out("smtp_conns_max", $conns_max{ $opt{sink_port} } // 0);
out("hook_conns_max", $conns_max{ $opt{recv_port} } // 0);
out("hooks", $hook{n});
out("hooks_204", $hook{ok});
out("hook_connections", scalar keys %{ $hook{conns} });
out("hook_body_bytes", $hook{n} ? int($hook{bytes} / $hook{n}) : 0);
for my $k (qw(mail_first mail_half mail_all hook_first hook_half hook_all
              settled timeout))
{
    out("${k}_s", defined $at{$k} ? sprintf('%.3f', $at{$k}) : '-');
}
for my $k (qw(during during_s first first_s)) {
    out("page_$k", $win{$k} // '-');
}
out("queue_polls", $qn);
out("queue_poll_avg_ms", sprintf '%.1f', $qn ? $qms_sum / $qn : 0);
out("queue_poll_max_ms", sprintf '%.1f', $qms_max);
out("queue_after", encode_json($lq));
out("progress", join ',', @progress);
out("tail", join ',', @tail);
cpu_report($c0, $c_settled, ($at{settled} // $t_end - $t0));
