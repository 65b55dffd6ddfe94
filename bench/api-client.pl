#!/usr/bin/perl
#
# A small HTTP/1.1 client for the benchmarks, on keep-alive connections
# multiplexed in one event loop (core Perl only).  It prints "BENCH key
# value" lines on stdout (times in microseconds unless the key says _s).
#
#   batch   send the requests of FILE ("METHOD PATH [JSON]" a line, ids in
#           the JSON as the API wants them) over CONNS connections at once,
#           each as soon as a connection is free; every answer must be
#           EXPECT.  For seeding a store through the API, fast:
#
#             perl bench/api-client.pl mode=batch base=http://127.0.0.1:P \
#                 token=T conns=32 file=requests.txt
#
#   paced   POST BODY (its "%d" replaced by a counter) to PATH at RATE a
#           second for DURATION seconds, on a schedule (a late answer does
#           not delay the next request: it goes on another connection, up
#           to CONNS): a write load of a given rate, which wrk cannot do
#           (Debian's wrk has no -R).  Latency is from the scheduled time,
#           so a stall is not hidden (no coordinated omission).
#
#             perl bench/api-client.pl mode=paced base=... token=T rate=50 \
#                 duration=10 path=/api/v1/incidents/1/updates \
#                 body='{"status":"resolved","message":"Update %d."}'
#
# Options are NAME=VALUE arguments (see %opt).  Exit status 1 when an
# answer was not EXPECT (counted in "bad", the first one shown) or a
# connection failed.

use strict;
use warnings;

use IO::Socket::INET;
use IO::Select;
use Errno qw(EAGAIN EWOULDBLOCK EINTR);
use Time::HiRes qw(time sleep);

my %opt = (
    mode     => '',
    base     => '',     # http://127.0.0.1:PORT
    token    => '',     # bearer token (none: no Authorization header)
    conns    => 8,      # connections at most
    expect   => 201,    # the status every answer must have
    file     => '',     # batch: the requests
    rate     => 50,     # paced: requests a second
    duration => 10,     # paced: seconds
    path     => '',     # paced: where to POST
    body     => '',     # paced: the JSON, %d the request's number
    method   => 'POST', # paced
    progress => 0,      # batch: a line on stderr every N answers (0: none)
);

for my $a (@ARGV) {
    my ($k, $v) = $a =~ /^(\w+)=(.*)$/s or die "api-client: bad arg $a\n";
    exists $opt{$k} or die "api-client: unknown option $k\n";
    $opt{$k} = $v;
}

my ($host, $port) = $opt{base} =~ m{^http://([^/:]+):(\d+)/?$}
    or die "api-client: base must be http://HOST:PORT\n";

$| = 1;

sub out { printf "BENCH %s %s\n", $_[0], $_[1] }


# --- connections --------------------------------------------------------------

my $sel_r = IO::Select->new;
my $sel_w = IO::Select->new;
my %conn;                   # fileno => { sock, wbuf, rbuf, job }
my $bad = 0;
my $first_bad = '';
my @lat;                    # microseconds, one per answer

sub conn_open {
    my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
                                  Proto => 'tcp')
        or die "api-client: connect $host:$port: $!\n";
    $s->blocking(0);
    setsockopt($s, Socket::IPPROTO_TCP(), Socket::TCP_NODELAY(), 1);
    my $c = { sock => $s, wbuf => '', rbuf => '', job => undef };
    $conn{fileno $s} = $c;
    $sel_r->add($s);
    return $c;
}

sub conn_close {
    my ($c) = @_;
    $sel_r->remove($c->{sock});
    $sel_w->remove($c->{sock});
    delete $conn{fileno $c->{sock}};
    close $c->{sock};
}

sub request_text {
    my ($method, $path, $body) = @_;
    my $h = "$method $path HTTP/1.1\r\nHost: $host:$port\r\n";
    $h .= "Authorization: Bearer $opt{token}\r\n" if length $opt{token};
    if (defined $body && length $body) {
        $h .= "Content-Type: application/json\r\n"
            . "Content-Length: " . length($body) . "\r\n\r\n" . $body;
    } else {
        $h .= ($method eq 'GET' ? '' : "Content-Length: 0\r\n") . "\r\n";
    }
    return $h;
}

# send JOB ({method, path, body, t0}) on the idle connection C
sub conn_send {
    my ($c, $job) = @_;
    $c->{job} = $job;
    $c->{wbuf} = request_text(@$job{qw(method path body)});
    $job->{sent} = time;
    conn_write($c);
}

sub conn_write {
    my ($c) = @_;
    while (length $c->{wbuf}) {
        my $n = syswrite($c->{sock}, $c->{wbuf});
        if (!defined $n) {
            if ($! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR) {
                $sel_w->add($c->{sock});
                return;
            }
            die "api-client: write: $!\n";
        }
        substr($c->{wbuf}, 0, $n, '');
    }
    $sel_w->remove($c->{sock});
}

# the answer's status and length once whole, else ()
sub parse_answer {
    my ($c) = @_;
    my $end = index($c->{rbuf}, "\r\n\r\n");
    return () if $end < 0;
    my $head = substr($c->{rbuf}, 0, $end);
    my ($status) = $head =~ m{^HTTP/1\.[01] (\d{3})}
        or die "api-client: not an HTTP answer: "
               . substr($head, 0, 200) . "\n";
    my $close = $head =~ /^connection:\s*close/mi;
    if ($head =~ /^content-length:\s*(\d+)/mi) {
        my $total = $end + 4 + $1;
        return () if length $c->{rbuf} < $total;
        return ($status, substr($c->{rbuf}, $end + 4, $1), $total, $close);
    }
    if ($head =~ /^transfer-encoding:\s*chunked/mi) {
        my ($pos, $body) = ($end + 4, '');
        while (1) {
            my $eol = index($c->{rbuf}, "\r\n", $pos);
            return () if $eol < 0;
            my $size = hex substr($c->{rbuf}, $pos, $eol - $pos);
            if ($size == 0) {
                my $fin = index($c->{rbuf}, "\r\n", $eol + 2);
                return () if $fin < 0;
                return ($status, $body, $fin + 2, $close);
            }
            return () if length $c->{rbuf} < $eol + 2 + $size + 2;
            $body .= substr($c->{rbuf}, $eol + 2, $size);
            $pos = $eol + 2 + $size + 2;
        }
    }
    # no length: 204, 304, or until the close
    return ($status, '', $end + 4, $close) if $status =~ /^(1|204|304)/;
    die "api-client: an answer without a length\n";
}

# read what C has; on a whole answer, account for it and return the job
sub conn_read {
    my ($c) = @_;
    my $n = sysread($c->{sock}, $c->{rbuf}, 65536, length $c->{rbuf});
    if (!defined $n) {
        return if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;
        die "api-client: read: $!\n";
    }
    die "api-client: the server closed a connection"
        . ($c->{job} ? " during $c->{job}{method} $c->{job}{path}" : '')
        . "\n" if $n == 0;
    my ($status, $body, $used, $close) = parse_answer($c) or return;
    substr($c->{rbuf}, 0, $used, '');
    my $job = $c->{job} or die "api-client: an answer to nothing\n";
    $c->{job} = undef;
    push @lat, (time - ($job->{t0} // $job->{sent})) * 1e6;
    if ($status != $opt{expect}) {
        $bad++;
        $first_bad ||= "$status $job->{method} $job->{path}: "
                       . substr($body, 0, 300);
    }
    if ($close) {
        conn_close($c);
    }
    return $job;
}

# wait up to TIMEOUT s for the sockets; returns the jobs answered
sub poll_once {
    my ($timeout) = @_;
    my ($r, $w) = IO::Select->select($sel_r, $sel_w, undef, $timeout);
    my @done;
    for my $s (@{ $w // [] }) {
        my $c = $conn{fileno $s} or next;
        conn_write($c);
    }
    for my $s (@{ $r // [] }) {
        my $c = $conn{fileno $s} or next;
        my $job = conn_read($c);
        push @done, $job if $job;
    }
    return @done;
}

sub idle_conn {
    for my $c (values %conn) {
        return $c unless $c->{job};
    }
    return scalar(keys %conn) < $opt{conns} ? conn_open() : undef;
}

sub pct {
    my ($p, @s) = @_;
    return 0 unless @s;
    my $i = int($p / 100 * @s + 0.5) - 1;
    $i = 0 if $i < 0;
    $i = $#s if $i > $#s;
    return sprintf '%.0f', $s[$i];
}

sub latency_report {
    my @s = sort { $a <=> $b } @lat;
    out('p50_us', pct(50, @s));
    out('p99_us', pct(99, @s));
    out('max_us', @s ? sprintf('%.0f', $s[-1]) : 0);
}


# --- batch --------------------------------------------------------------------

sub batch {
    open my $f, '<', $opt{file} or die "api-client: $opt{file}: $!\n";
    my @jobs;
    while (my $l = <$f>) {
        chomp $l;
        next if $l =~ /^\s*(#|$)/;
        my ($m, $p, $b) = split ' ', $l, 3;
        push @jobs, { method => $m, path => $p, body => $b };
    }
    close $f;

    my ($next, $answered, $n) = (0, 0, scalar @jobs);
    my $t0 = time;
    while ($answered < $n) {
        while ($next < $n) {
            my $c = idle_conn() or last;
            conn_send($c, $jobs[$next++]);
        }
        my @done = poll_once(1);
        $answered += @done;
        if ($opt{progress} && @done
            && int($answered / $opt{progress})
               != int(($answered - @done) / $opt{progress}))
        {
            printf STDERR "api-client: %d of %d (%.0f/s)\n", $answered, $n,
                $answered / (time - $t0 || 1e-6);
        }
    }
    my $secs = time - $t0;
    out('requests', $n);
    out('bad', $bad);
    out('seconds', sprintf '%.2f', $secs);
    out('per_s', sprintf '%.0f', $secs > 0 ? $n / $secs : 0);
    latency_report();
    print "BENCH_FIRST_BAD $first_bad\n" if $bad;
}


# --- paced --------------------------------------------------------------------

sub paced {
    my $interval = 1 / $opt{rate};
    my $count = int($opt{rate} * $opt{duration} + 0.5);
    my ($next, $answered, $late, $max_late) = (0, 0, 0, 0);
    my @waiting;            # due, but no connection free

    # one connection open before the clock starts
    conn_open();
    my $t0 = time;
    while ($answered < $count) {
        my $now = time;
        while ($next < $count && $t0 + $next * $interval <= $now) {
            my $n = $next++;
            (my $body = $opt{body}) =~ s/%d/$n + 1/ge;
            push @waiting, { method => $opt{method}, path => $opt{path},
                             body => $body, t0 => $t0 + $n * $interval };
        }
        while (@waiting) {
            my $c = idle_conn() or last;
            my $job = shift @waiting;
            my $l = time - $job->{t0};
            $late++ if $l > 0.005;
            $max_late = $l if $l > $max_late;
            conn_send($c, $job);
        }
        my $wait = $next < $count ? $t0 + $next * $interval - time : 1;
        $wait = 0 if $wait < 0;
        $answered += poll_once(@waiting ? 0.001 : $wait);
    }
    my $secs = time - $t0;
    out('requests', $count);
    out('bad', $bad);
    out('seconds', sprintf '%.2f', $secs);
    out('per_s', sprintf '%.1f', $secs > 0 ? $count / $secs : 0);
    out('late', $late);
    out('max_late_us', sprintf '%.0f', $max_late * 1e6);
    out('conns', scalar keys %conn);
    latency_report();
    print "BENCH_FIRST_BAD $first_bad\n" if $bad;
}


if ($opt{mode} eq 'batch') {
    batch();
} elsif ($opt{mode} eq 'paced') {
    $opt{path} && $opt{rate} > 0 && $opt{duration} > 0
        or die "api-client: paced needs path, rate and duration\n";
    paced();
} else {
    die "api-client: mode=batch or mode=paced\n";
}

exit($bad ? 1 : 0);
