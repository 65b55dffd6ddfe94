package SmtpSink;

# A real SMTP server on loopback for the notification tests: aiosmtpd
# (Debian package python3-aiosmtpd) with its Mailbox handler, which
# stores every message it accepts in a Maildir.
#
#   use lib 't/lib';
#   use SmtpSink;
#   my $sink = SmtpSink->new;            # picks a free port, starts nothing
#   ... incident_smtp smtp://127.0.0.1:@{[ $sink->port ]}; ...
#   $sink->start;                        # returns once the port accepts
#   my $msgs = $sink->wait_for(1, 10);   # at least 1 message within 10 s
#   my $m = $msgs->[0];
#   $m->header('Subject');               # unfolded, RFC 2047 decoded
#   $m->{text}; $m->{html};              # the decoded alternatives
#   $m->{rcpt};                          # the envelope recipient(s)
#   my $l = SmtpSink::links($m);         # {confirm, unsubscribe, incident}
#   $sink->stop;                         # also in DESTROY and END
#
#   SmtpSink->new(fail_first => 1)       # answers the first DATA with 451
#                                        # (kept: $sink->rejected), then 250
#
# The Mailbox handler parses a message with Python's email package and
# writes it back out, adding X-Peer, X-MailFrom and X-RcptTo (the
# envelope). Headers keep their text, but not necessarily their folding.

use strict;
use warnings;

use Encode ();
use File::Temp ();
use IO::Socket::INET;
use MIME::Base64 ();
use MIME::QuotedPrint ();
use POSIX ();
use Time::HiRes qw(sleep time);

our $PYTHON = $ENV{SMTP_PYTHON3} // '/usr/bin/python3';

my @SINKS;

sub new {
    my ($class, %o) = @_;
    my $parent = File::Temp::tempdir('incident-smtp-XXXXXX', TMPDIR => 1,
                                     CLEANUP => !$ENV{KEEP});
    my $self = bless {
        port   => $o{port} // free_port(),
        parent => $parent,
        # must not exist yet: the Mailbox handler creates new/ cur/ tmp/
        dir    => "$parent/maildir",
        rejected_dir => "$parent/rejected",
        fail_first => $o{fail_first} // 0,
        pid    => undef,
        owner  => $$,
    }, $class;
    push @SINKS, $self;
    return $self;
}

sub port { $_[0]{port} }
sub dir  { $_[0]{dir} }
sub url  { "smtp://127.0.0.1:$_[0]{port}" }
sub running { defined $_[0]{pid} }

sub start {
    my ($self, %o) = @_;
    die "SMTP sink already running\n" if $self->{pid};
    die "$PYTHON not found (Debian packages python3, python3-aiosmtpd)\n"
        unless -x $PYTHON;

    my $log = "$self->{parent}/aiosmtpd.log";
    my @handler = ('aiosmtpd.handlers.Mailbox', $self->{dir});
    if ($self->{fail_first}) {
        write_handler("$self->{parent}/flaky_sink.py");
        @handler = ('flaky_sink.FlakyMailbox', $self->{dir},
                    $self->{rejected_dir}, $self->{fail_first});
    }
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        POSIX::setsid();
        $ENV{PYTHONPATH} = $self->{parent};
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $log;
        open STDERR, '>>', $log;
        { no warnings 'exec';
          exec $PYTHON, '-m', 'aiosmtpd', '-n',
               '-l', "127.0.0.1:$self->{port}", '-c', @handler; }
        POSIX::_exit(127);
    }
    $self->{pid} = $pid;
    $self->{owner} = $$;

    my $timeout = $o{timeout} // 15;
    my $deadline = time + $timeout;
    while (time < $deadline) {
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
            $self->{pid} = undef;
            die "aiosmtpd exited at once ($?):\n" . $self->log . "\n";
        }
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $self->{port},
                                      Proto => 'tcp', Timeout => 1);
        if ($s) {
            # a greeting means the server, not just a listening socket
            my $line = '';
            $s->blocking(1);
            local $SIG{ALRM} = sub { die "alarm\n" };
            eval { alarm 3; $line = <$s> // ''; alarm 0; };
            alarm 0;
            print $s "QUIT\r\n";
            close $s;
            return $self if $line =~ /^220[ -]/;
        }
        sleep 0.1;
    }
    $self->stop;
    die "aiosmtpd did not accept on 127.0.0.1:$self->{port} within "
        . "$timeout s:\n" . $self->log . "\n";
}

sub stop {
    my ($self) = @_;
    my $pid = $self->{pid} or return $self;
    return $self unless $self->{owner} == $$;     # not from a forked child
    $self->{pid} = undef;
    kill 'TERM', $pid;
    my $deadline = time + 10;
    while (time < $deadline) {
        return $self if waitpid($pid, POSIX::WNOHANG()) == $pid;
        sleep 0.05;
    }
    kill 'KILL', $pid;
    waitpid $pid, 0;
    return $self;
}

# a Mailbox that answers the first N messages with 451 (a temporary
# failure), keeping them in a second Maildir
my $FLAKY_PY = <<'PY';
import mailbox
from aiosmtpd.handlers import Mailbox


class FlakyMailbox(Mailbox):
    def __init__(self, mail_dir, rejected_dir, count):
        super().__init__(mail_dir)
        self.rejected = mailbox.Maildir(rejected_dir)
        self.left = int(count)

    async def handle_DATA(self, server, session, envelope):
        message = self.prepare_message(session, envelope)
        if self.left > 0:
            self.left -= 1
            self.rejected.add(message)
            return '451 4.3.0 Temporary failure, try again later'
        self.handle_message(message)
        return '250 OK'

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 3:
            parser.error('FlakyMailbox needs: maildir rejected-maildir count')
        return cls(*args)
PY

sub write_handler {
    my ($path) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $FLAKY_PY;
    close $fh or die "$path: $!";
}

sub log {
    my ($self) = @_;
    open my $fh, '<', "$self->{parent}/aiosmtpd.log" or return '';
    local $/;
    return <$fh> // '';
}

sub DESTROY {
    my ($self) = @_;
    local ($?, $!, $@);
    $self->stop if $self->{pid};
}

END {
    local $?;
    for my $s (@SINKS) {
        $s->stop if $s && $s->{pid};
    }
}


# ---------------------------------------------------------------------------
# the mailbox

# the message files, oldest first
sub files {
    my ($self, $dir) = @_;
    $dir //= $self->{dir};
    my @f;
    for my $sub (qw(new cur)) {
        opendir my $dh, "$dir/$sub" or next;
        push @f, map { "$dir/$sub/$_" } grep { !/^\./ } readdir $dh;
        closedir $dh;
    }
    # Python's Maildir names start "SECONDS.MMICROSECONDSP..."
    my %when = map {
        $_ => m{/(\d+)\.M(\d+)P[^/]*\z} ? $1 * 1e6 + $2
                                         : ((stat $_)[9] // 0) * 1e6
    } @f;
    return sort { $when{$a} <=> $when{$b} || $a cmp $b } @f;
}

# the messages answered with 451 (fail_first), parsed, oldest first
sub rejected {
    my ($self) = @_;
    return $self->messages($self->{rejected_dir});
}

# every message received (not cleared), parsed, oldest first
sub messages {
    my ($self, $dir) = @_;
    my @out;
    for my $f ($self->files($dir)) {
        open my $fh, '<:raw', $f or next;
        local $/;
        my $raw = <$fh>;
        close $fh;
        next unless defined $raw && length $raw;
        my $m = parse_message($raw);
        $m->{file} = $f;
        push @out, $m;
    }
    return \@out;
}

# the messages whose envelope recipient (or To:) is ADDRESS
sub messages_to {
    my ($self, $address) = @_;
    return [ grep { $_->is_to($address) } @{ $self->messages } ];
}

# forget the messages received so far
sub clear {
    my ($self) = @_;
    unlink $_ for $self->files;
    return $self;
}

# wait_for(COUNT, TIMEOUT, [FILTER]): polls until at least COUNT messages
# (matching FILTER, a code ref on a message, when given) are there or
# TIMEOUT seconds passed; returns the arrayref of (matching) messages
sub wait_for {
    my ($self, $count, $timeout, $filter) = @_;
    $timeout //= 10;
    my $deadline = time + $timeout;
    my $msgs;
    while (1) {
        $msgs = $self->messages;
        $msgs = [ grep { $filter->($_) } @$msgs ] if $filter;
        return $msgs if @$msgs >= $count || time >= $deadline;
        sleep 0.1;
    }
}

# wait_quiet(SECONDS, [FILTER]): waits the whole time; returns the messages
# (matching FILTER) that came meanwhile, for "nothing is sent" checks
sub wait_quiet {
    my ($self, $seconds, $filter) = @_;
    my %before = map { $_ => 1 } $self->files;
    sleep $seconds;
    my $msgs = [ grep { !$before{ $_->{file} } } @{ $self->messages } ];
    $msgs = [ grep { $filter->($_) } @$msgs ] if $filter;
    return $msgs;
}


# ---------------------------------------------------------------------------
# parsing

sub parse_message {
    my ($raw) = @_;
    (my $text = $raw) =~ s/\r\n/\n/g;
    my ($head, $body) = split_head($text);
    my $m = bless {
        raw     => $raw,
        headers => parse_headers($head),
        body    => $body,
        parts   => [],
        text    => undef,
        html    => undef,
    }, 'SmtpSink::Message';

    $m->{rcpt} = [ map { s/^\s+|\s+$//gr } split /,/,
                   $m->header('X-RcptTo') // '' ];
    $m->{mail_from} = $m->header('X-MailFrom');
    $m->{subject} = $m->header('Subject');

    my $ct = $m->header('Content-Type') // 'text/plain';
    if ($ct =~ m{^\s*multipart/}i) {
        my $boundary = content_param($ct, 'boundary');
        $m->{parts} = defined $boundary ? split_multipart($body, $boundary)
                                        : [];
        $m->{multipart_error} = 'no boundary' unless defined $boundary;
    } else {
        $m->{parts} = [ { headers => $m->{headers}, raw => $body } ];
    }
    for my $p (@{ $m->{parts} }) {
        $p->{headers} //= [];
        my $pct = header_of($p->{headers}, 'Content-Type') // 'text/plain';
        my $cte = lc(header_of($p->{headers}, 'Content-Transfer-Encoding')
                     // '7bit');
        $cte =~ s/^\s+|\s+$//g;
        my $bytes = $p->{raw};
        if ($cte eq 'quoted-printable') {
            $bytes = MIME::QuotedPrint::decode_qp($bytes);
        } elsif ($cte eq 'base64') {
            $bytes = MIME::Base64::decode_base64($bytes);
        }
        my $charset = content_param($pct, 'charset') // 'us-ascii';
        my $dec = eval {
            Encode::decode($charset =~ /^utf-?8\z/i ? 'UTF-8' : $charset,
                           $bytes, Encode::FB_CROAK());
        };
        $p->{decode_error} = $@ unless defined $dec;
        $p->{content_type} = lc((split /;/, $pct)[0] =~ s/\s+//gr);
        $p->{charset} = $charset;
        $p->{cte} = $cte;
        $p->{decoded} = $dec // $bytes;
        $m->{text} //= $p->{decoded} if $p->{content_type} eq 'text/plain';
        $m->{html} //= $p->{decoded} if $p->{content_type} eq 'text/html';
    }
    return $m;
}

sub split_head {
    my ($text) = @_;
    my $i = index($text, "\n\n");
    return ($text, '') if $i < 0;
    return (substr($text, 0, $i + 1), substr($text, $i + 2));
}

# [ [Name, value (unfolded, RFC 2047 decoded), raw value], ... ]
sub parse_headers {
    my ($head) = @_;
    my @h;
    for my $line (split /\n/, $head) {
        if ($line =~ /^[ \t]/ && @h) {
            $h[-1][2] .= "\n$line";
        } elsif ($line =~ /^([!-9;-~]+):[ \t]?(.*)\z/s) {
            push @h, [$1, undef, $2];
        } else {
            push @h, ['(malformed)', undef, $line];
        }
    }
    for my $h (@h) {
        (my $v = $h->[2]) =~ s/\n(?=[ \t])//g;     # RFC 5322 unfolding
        $h->[1] = decode_words($v);
    }
    return \@h;
}

sub header_of {
    my ($headers, $name) = @_;
    my @v = map { $_->[1] } grep { lc $_->[0] eq lc $name } @$headers;
    return wantarray ? @v : $v[0];
}

# RFC 2047 encoded words -> characters; white space between two encoded
# words goes, as the RFC says
sub decode_words {
    my ($v) = @_;
    my $ew = qr/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/;
    $v =~ s/($ew)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/$1/g;
    $v =~ s{$ew}{
        my ($cs, $enc, $data) = ($1, uc $2, $3);
        my $bytes;
        if ($enc eq 'B') {
            $bytes = MIME::Base64::decode_base64($data);
        } else {
            ($bytes = $data) =~ s/_/ /g;
            $bytes =~ s/=([0-9A-Fa-f]{2})/chr hex $1/ge;
        }
        my $s = eval { Encode::decode($cs =~ /^utf-?8\z/i ? 'UTF-8' : $cs,
                                      $bytes, Encode::FB_CROAK()) };
        defined $s ? $s : "=?$cs?$enc?$data?=";
    }ge;
    return $v;
}

sub content_param {
    my ($value, $name) = @_;
    return $1 if $value =~ /;\s*\Q$name\E\s*=\s*"([^"]*)"/i;
    return $1 if $value =~ /;\s*\Q$name\E\s*=\s*([^\s;]+)/i;
    return undef;
}

sub split_multipart {
    my ($body, $boundary) = @_;
    my @parts;
    my @chunks = split /^--\Q$boundary\E(--)?[ \t]*(?:\n|\z)/m, $body, -1;
    # chunks: preamble, then (close-marker, content) pairs
    shift @chunks;
    while (@chunks) {
        my ($close, $content) = splice @chunks, 0, 2;
        last if defined $close;
        $content //= '';
        my ($h, $b) = split_head($content);
        $b =~ s/\n\z//;     # the line break before the next delimiter
        push @parts, { headers => parse_headers($h), raw => $b };
    }
    return \@parts;
}

# links(MESSAGE): { confirm, unsubscribe, incident, confirm_token,
# unsubscribe_token, list_unsubscribe, all => [every URL in the text] }
# from the plain text part (the HTML's links go to html_links)
sub links {
    my ($m) = @_;
    my %l;
    my $text = $m->{text} // '';
    my @urls = $text =~ m{(https?://[^\s<>"]+)}g;
    $l{all} = \@urls;
    for my $u (@urls) {
        if ($u =~ m{/subscribe/confirm\?token=([^&#\s]+)\z}) {
            $l{confirm} //= $u;
            $l{confirm_token} //= $1;
        } elsif ($u =~ m{/unsubscribe\?token=([^&#\s]+)\z}) {
            $l{unsubscribe} //= $u;
            $l{unsubscribe_token} //= $1;
        } elsif ($u =~ m{/incidents/(\d+)\z}) {
            $l{incident} //= $u;
            $l{incident_id} //= $1;
        }
    }
    my $lu = $m->header('List-Unsubscribe');
    $l{list_unsubscribe} = $1 if defined $lu && $lu =~ /^\s*<([^>]+)>\s*\z/;
    return \%l;
}

# the href values of the HTML part's <a> elements, entities decoded
sub html_links {
    my ($m) = @_;
    my @h = ($m->{html} // '') =~ /<a\b[^>]*\bhref="([^"]*)"/gi;
    s/&amp;/&/g for @h;
    return \@h;
}

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or die "cannot bind a port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}


package SmtpSink::Message;

# header(NAME): the first value (unfolded, decoded); in list context all
sub header {
    my ($self, $name) = @_;
    return SmtpSink::header_of($self->{headers}, $name);
}

# the header names in order, as sent
sub header_names {
    my ($self) = @_;
    return map { $_->[0] } @{ $self->{headers} };
}

sub is_to {
    my ($self, $address) = @_;
    my $a = lc $address;
    return 1 if grep { lc $_ eq $a } @{ $self->{rcpt} };
    my $to = $self->header('To') // '';
    return $to =~ /(?:^|[<\s,])\Q$address\E(?:$|[>\s,])/i ? 1 : 0;
}

sub links { SmtpSink::links($_[0]) }
sub html_links { SmtpSink::html_links($_[0]) }

1;
