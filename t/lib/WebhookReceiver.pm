package WebhookReceiver;

# A real HTTP/1.1 server for the notification tests: it listens on a free
# loopback port in a forked child, records every request it receives and
# answers each path from a script.
#
#   use lib 't/lib';
#   use WebhookReceiver;
#   my $rx = WebhookReceiver->new(script => {
#       '/flaky'    => [ [500], [500], [200] ],         # the last one repeats
#       '/gone'     => [ [410] ],
#       '/busy'     => [ [429, {'Retry-After' => 3}], [200] ],
#       '/redirect' => [ [302, {Location => $rx2->url('/target')}] ],
#       '/slow'     => [ [200, {}, 'late', 10] ],        # answers after 10 s
#       '/hook/*'   => [ [200] ],      # a prefix: every /hook/N has its own
#                                      # position in the list
#       '*'         => [ [404] ],      # anything else (default: 200)
#   });
#   $rx->url('/flaky');                       # http://127.0.0.1:PORT/flaky
#   my @r = $rx->wait_for('/flaky', 3, 30);   # the requests, or fewer
#   $r[0]{headers}{'webhook-id'}; $r[0]{body}; $r[0]{time};
#   $rx->requests(qr{^/hook/});               # all of them, or by path
#   $rx->count('/flaky');
#   my @late = $rx->quiet_for('/gone', 3);    # what arrives in 3 s
#   $rx->set_script('/flaky' => [[200]]);     # starts that list over
#   $rx->stop;                                # also done at exit
#
# A response is [STATUS, {HEADER => VALUE}, BODY, DELAY_SECONDS]; all but
# STATUS optional.  {close => 1} among the headers closes the connection
# after the answer.  The server serves many connections at once (a delayed
# answer holds up nobody else), keep-alive or Connection: close,
# Content-Length or chunked request bodies, Expect: 100-continue.
#
# Each request is one JSON line in a file (read back incrementally): {seq, method, path, query,
# target, headers (names lower-cased; repeated ones joined by ", "), body
# (the bytes), time (epoch seconds, float: when the request was complete),
# status (the answer chosen), conn (a connection number)}.
#
# Standard Webhooks verification (independent of the module's C code):
#   WebhookReceiver::verify_signature($secret, $request)   -> 1/0
#   WebhookReceiver::sign($secret, $id, $timestamp, $body) -> "v1,<base64>"

use strict;
use warnings;

use Errno qw(EAGAIN EINTR EWOULDBLOCK);
use Fcntl qw(O_WRONLY O_APPEND O_CREAT F_GETFL F_SETFL O_NONBLOCK);
use File::Temp ();
use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(time sleep);
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64 decode_base64);

# bodies are kept as bytes: characters 0-255 in, \u00XX escapes out
my $JSON = JSON::PP->new->ascii->canonical;

my %REASON = (
    100 => 'Continue', 200 => 'OK', 201 => 'Created', 202 => 'Accepted',
    204 => 'No Content', 301 => 'Moved Permanently', 302 => 'Found',
    303 => 'See Other', 307 => 'Temporary Redirect', 400 => 'Bad Request',
    404 => 'Not Found', 408 => 'Request Timeout', 410 => 'Gone',
    429 => 'Too Many Requests', 500 => 'Internal Server Error',
    502 => 'Bad Gateway', 503 => 'Service Unavailable',
);

my @RUNNING;


sub new {
    my ($class, %o) = @_;

    my $dir = File::Temp::tempdir('webhook-rx-XXXXXX', TMPDIR => 1,
                                  CLEANUP => !$ENV{KEEP});
    my $self = bless {
        dir    => $dir,
        log    => "$dir/requests.jsonl",
        script => "$dir/script.json",
        gen    => 0,
        paths  => {},
    }, $class;

    open my $fh, '>', $self->{log} or die "create $self->{log}: $!";
    close $fh;
    $self->set_script(%{ $o{script} || {} });

    my $listen = IO::Socket::INET->new(
        LocalAddr => '127.0.0.1',
        LocalPort => $o{port} // 0,
        Proto     => 'tcp',
        Listen    => 1024,
        ReuseAddr => 1,
    ) or die "WebhookReceiver: cannot listen: $!";
    $self->{port} = $listen->sockport;

    my $pid = fork // die "fork: $!";
    if (!$pid) {
        # never run the parent's END blocks (they would stop its nginx)
        $SIG{TERM} = $SIG{INT} = sub { POSIX::_exit(0) };
        $SIG{PIPE} = 'IGNORE';
        eval { serve($self, $listen) };
        print STDERR "WebhookReceiver: $@" if $@;
        POSIX::_exit(0);
    }
    close $listen;
    $self->{pid} = $pid;
    $self->{owner} = $$;
    push @RUNNING, $self;
    return $self;
}

sub port { $_[0]{port} }
sub pid  { $_[0]{pid} }

sub url {
    my ($self, $path) = @_;
    $path //= '/';
    return "http://127.0.0.1:$self->{port}$path";
}

# set_script(PATH => [responses], ...): replaces the lists of those paths
# (the others stay) and starts them over from their first response
sub set_script {
    my ($self, %script) = @_;
    $self->{gen}++;
    for my $p (keys %script) {
        my $list = $script{$p};
        $list = [$list] if ref $list eq 'ARRAY' && !ref $list->[0];
        die "script for $p: a list of responses" unless ref $list eq 'ARRAY'
                                                   && @$list;
        $self->{paths}{$p} = {gen => $self->{gen}, responses => $list};
    }
    my $tmp = "$self->{script}.tmp";
    open my $fh, '>:raw', $tmp or die "write $tmp: $!";
    print $fh $JSON->encode($self->{paths});
    close $fh or die "close $tmp: $!";
    rename $tmp, $self->{script} or die "rename $tmp: $!";
    return $self;
}

# every recorded request (hashes), in arrival order; with PATH (a string:
# exact path; a regex: matched against the path) only those.  The file is
# read incrementally and the hashes are shared between calls: do not
# change them.
sub requests {
    my ($self, $path) = @_;
    my $cache = $self->{cache} ||= [];
    if (open my $fh, '<:raw', $self->{log}) {
        seek $fh, $self->{offset} // 0, 0;
        while (my $line = <$fh>) {
            last unless $line =~ /\n\z/;    # a line still being written
            $self->{offset} += length $line;
            my $r = eval { $JSON->decode($line) } or next;
            push @$cache, $r;
        }
        close $fh;
    }
    return @$cache unless defined $path;
    return ref $path eq 'Regexp' ? grep { $_->{path} =~ $path } @$cache
                                 : grep { $_->{path} eq $path } @$cache;
}

sub count {
    my ($self, $path) = @_;
    return scalar(my @r = $self->requests($path));
}

# wait until PATH has at least COUNT requests or TIMEOUT seconds pass;
# returns the requests for PATH (maybe fewer than COUNT)
sub wait_for {
    my ($self, $path, $count, $timeout) = @_;
    $timeout //= 30;
    my $deadline = time + $timeout;
    my @r;
    while (1) {
        @r = $self->requests($path);
        return @r if @r >= $count || time > $deadline;
        sleep 0.05;
    }
}

# the requests for PATH that arrive within SECONDS after the ones already
# recorded (for "nothing more arrives" checks): waits the whole time
sub quiet_for {
    my ($self, $path, $seconds) = @_;
    my $before = $self->count($path);
    sleep $seconds;
    my @r = $self->requests($path);
    return @r[$before .. $#r];
}

sub stop {
    my ($self) = @_;
    return unless $self->{pid} && $self->{owner} == $$;
    kill 'TERM', $self->{pid};
    waitpid $self->{pid}, 0;
    delete $self->{pid};
    @RUNNING = grep { $_ != $self } @RUNNING;
}

END {
    local $?;
    $_->stop for @RUNNING;
}


# ---------------------------------------------------------------------------
# Standard Webhooks (https://www.standardwebhooks.com/): the signature over
# "ID.TIMESTAMP.BODY" with the key base64-decoded from "whsec_<base64>"

sub sign {
    my ($secret, $id, $timestamp, $body) = @_;
    (my $b64 = $secret) =~ s/^whsec_//;
    my $key = decode_base64($b64);
    my $mac = hmac_sha256("$id.$timestamp.$body", $key);
    return 'v1,' . encode_base64($mac, '');
}

# verify_signature(SECRET, REQUEST): REQUEST a recorded request (or a hash
# with headers and body).  True when any of the space-separated v1
# signatures matches; constant-time enough for a test.
sub verify_signature {
    my ($secret, $req) = @_;
    my $h = $req->{headers} || {};
    my ($id, $ts, $sigs) = @$h{qw(webhook-id webhook-timestamp
                                  webhook-signature)};
    return 0 unless defined $id && defined $ts && defined $sigs
                    && defined $secret && $secret =~ /^whsec_[A-Za-z0-9+\/=]+\z/;
    my $want = sign($secret, $id, $ts, $req->{body} // '');
    for my $s (split / +/, $sigs) {
        return 1 if $s eq $want;
    }
    return 0;
}


# ---------------------------------------------------------------------------
# the server (in the child)

sub nonblock {
    my ($fh) = @_;
    my $fl = fcntl($fh, F_GETFL, 0) or die "fcntl: $!";
    fcntl($fh, F_SETFL, $fl | O_NONBLOCK) or die "fcntl: $!";
}

sub serve {
    my ($self, $listen) = @_;

    nonblock($listen);
    sysopen my $log, $self->{log}, O_WRONLY | O_APPEND | O_CREAT
        or die "open $self->{log}: $!";

    my $sel = IO::Select->new($listen);
    my %conn;              # "$fh" => state
    my %counter;           # path => [gen, next index]
    my ($seq, $nconn) = (0, 0);
    my ($script, $script_text) = ({}, '');

    # read at every request (a small file): set_script() takes effect at
    # once, whatever the file system's time stamps
    my $load_script = sub {
        open my $fh, '<:raw', $self->{script} or return;
        local $/;
        my $text = <$fh>;
        close $fh;
        return if !defined $text || $text eq $script_text;
        my $s = eval { $JSON->decode($text) } or return;
        $script = $s;
        $script_text = $text;
    };

    my $choose = sub {
        my ($path) = @_;
        $load_script->();
        my $entry = $script->{$path};
        unless ($entry) {
            my $best = '';
            for my $k (keys %$script) {
                next unless $k =~ /^(.*)\*\z/;
                my $p = $1;
                $best = $k if substr($path, 0, length $p) eq $p
                              && length $k > length $best;
            }
            $entry = $script->{$best} if length $best;
        }
        return [200] unless $entry;
        my $c = $counter{$path};
        $c = $counter{$path} = [$entry->{gen}, 0]
            if !$c || $c->[0] != $entry->{gen};
        my $list = $entry->{responses};
        my $i = $c->[1] < @$list ? $c->[1] : $#$list;
        $c->[1]++;
        return $list->[$i];
    };

    my $close = sub {
        my ($key) = @_;
        my $c = delete $conn{$key} or return;
        $sel->remove($c->{fh});
        close $c->{fh};
    };

    # one complete request at the front of the buffer: take it
    my $parse = sub {
        my ($c) = @_;
        return 0 if $c->{busy};
        my $end = index($c->{in}, "\r\n\r\n");
        if ($end < 0) {
            return 0;
        }
        my $head = substr($c->{in}, 0, $end);
        my @lines = split /\r\n/, $head;
        my $rl = shift @lines // '';
        my ($method, $target, $proto) = $rl =~ m{^(\S+) (\S+) (HTTP/\d\.\d)\z};
        unless ($method) {
            $c->{out} .= "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                       . "Connection: close\r\n\r\n";
            $c->{close_after} = 1;
            $c->{in} = '';
            return 0;
        }
        my %h;
        for (@lines) {
            my ($k, $v) = /^([^:]+):\s*(.*?)\s*\z/ or next;
            $k = lc $k;
            $h{$k} = exists $h{$k} ? "$h{$k}, $v" : $v;
        }
        my $rest = $end + 4;
        my $body;
        if (($h{'transfer-encoding'} // '') =~ /chunked/i) {
            my $pos = $rest;
            $body = '';
            while (1) {
                my $le = index($c->{in}, "\r\n", $pos);
                return 0 if $le < 0;
                my ($size) = substr($c->{in}, $pos, $le - $pos) =~ /^([0-9a-fA-F]+)/;
                $size = hex($size // 0);
                if ($size == 0) {
                    # trailers up to an empty line
                    my $te = index($c->{in}, "\r\n\r\n", $le);
                    return 0 if $te < 0;
                    $rest = $te + 4;
                    last;
                }
                return 0 if length($c->{in}) < $le + 2 + $size + 2;
                $body .= substr($c->{in}, $le + 2, $size);
                $pos = $le + 2 + $size + 2;
            }
        } else {
            my $len = $h{'content-length'} // 0;
            $len = 0 unless $len =~ /^\d+\z/;
            if (length($c->{in}) < $rest + $len) {
                if (($h{expect} // '') =~ /100-continue/i && !$c->{continued}) {
                    $c->{out} .= "HTTP/1.1 100 Continue\r\n\r\n";
                    $c->{continued} = 1;
                }
                return 0;
            }
            $body = substr($c->{in}, $rest, $len);
            $rest += $len;
        }
        substr($c->{in}, 0, $rest) = '';
        $c->{continued} = 0;

        my ($path, $query) = $target =~ /^([^?]*)(?:\?(.*))?\z/;
        my $resp = $choose->($path);
        my ($status, $rh, $rbody, $delay) = @$resp;
        $rh = {%{ $rh || {} }};
        my $close_after = delete $rh->{close};
        $close_after = 1 if ($h{connection} // '') =~ /\bclose\b/i
                            || ($proto eq 'HTTP/1.0'
                                && ($h{connection} // '') !~ /keep-alive/i);
        $rbody //= $status == 204 || $status == 304 ? '' : "$status\n";

        my $rec = {
            seq => ++$seq, method => $method, path => $path,
            query => $query, target => $target, headers => \%h,
            body => $body, time => time, status => $status + 0,
            conn => $c->{id},
        };
        my $line = $JSON->encode($rec) . "\n";
        my $off = 0;
        while ($off < length $line) {
            my $n = syswrite($log, $line, length($line) - $off, $off);
            die "write log: $!" unless defined $n;
            $off += $n;
        }

        my $out = "HTTP/1.1 $status " . ($REASON{$status} // 'Status') . "\r\n";
        for my $k (sort keys %$rh) {
            $out .= "$k: $rh->{$k}\r\n";
        }
        $out .= "Content-Type: text/plain\r\n" unless grep { lc eq 'content-type' } keys %$rh;
        $out .= "Content-Length: " . length($rbody) . "\r\n";
        $out .= $close_after ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
        $out .= "\r\n" . ($method eq 'HEAD' ? '' : $rbody);

        $c->{busy} = 1;
        $c->{due} = time + ($delay // 0);
        $c->{pending} = $out;
        $c->{pending_close} = $close_after;
        return 1;
    };

    while (1) {
        my $now = time;
        # answers whose time has come
        my $next;
        for my $fd (keys %conn) {
            my $c = $conn{$fd};
            next unless $c->{busy};
            if ($c->{due} <= $now) {
                $c->{out} .= $c->{pending};
                $c->{close_after} = 1 if $c->{pending_close};
                $c->{busy} = 0;
                delete $c->{pending};
                $parse->($c) unless $c->{close_after};
            }
            $next = $c->{due} if $c->{busy}
                                 && (!defined $next || $c->{due} < $next);
        }
        # pipelined requests parsed just now may be due at once
        if (grep { $_->{busy} && $_->{due} <= time } values %conn) {
            next;
        }

        my $wsel = IO::Select->new(map { $_->{fh} }
                                   grep { length $_->{out} } values %conn);
        my $timeout = defined $next ? $next - time : 0.5;
        $timeout = 0 if $timeout < 0;
        $timeout = 0.5 if $timeout > 0.5;
        my ($r, $w) = IO::Select->select($sel, $wsel, undef, $timeout);

        for my $fh (@{ $w || [] }) {
            my $c = $conn{"$fh"} or next;
            my $n = syswrite($fh, $c->{out});
            if (!defined $n) {
                next if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;
                $close->("$fh");
                next;
            }
            substr($c->{out}, 0, $n) = '';
            $close->("$fh") if !length $c->{out} && $c->{close_after};
        }

        for my $fh (@{ $r || [] }) {
            if ($fh == $listen) {
                while (my $s = $listen->accept) {
                    nonblock($s);
                    $conn{"$s"} = {fh => $s, in => '', out => '',
                                        id => ++$nconn, busy => 0};
                    $sel->add($s);
                }
                next;
            }
            my $c = $conn{"$fh"} or next;
            my $n = sysread($fh, my $buf, 65536);
            if (!defined $n) {
                next if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;
                $close->("$fh");
                next;
            }
            if ($n == 0) {
                # the client went away (e.g. its timeout): drop what is
                # still to answer
                $close->("$fh");
                next;
            }
            $c->{in} .= $buf;
            $parse->($c) unless $c->{close_after};
        }

        # answers to flush right away
        for my $c (values %conn) {
            next unless length $c->{out};
            my $n = syswrite($c->{fh}, $c->{out});
            if (defined $n) {
                substr($c->{out}, 0, $n) = '';
                $close->("$c->{fh}")
                    if !length $c->{out} && $c->{close_after};
            } elsif ($! != EAGAIN && $! != EWOULDBLOCK && $! != EINTR) {
                $close->("$c->{fh}");
            }
        }
    }
}

1;
