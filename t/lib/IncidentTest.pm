package IncidentTest;

# Test harness for ngx_incident_module: runs a real nginx in a temp prefix
# with a generated nginx.conf and talks to it over HTTP.
#
#   use lib 't/lib';
#   use IncidentTest;
#   my $t = IncidentTest->new(workers => 2)->start;
#   my $r = $t->api(POST => '/api/v1/incidents', {title => ...});
#   is($r->{status}, 201); is($r->{json}{id}, 1);
#   $t->stop;            # checks error.log for [alert]/[emerg]/[crit]
#   done_testing;
#
# Environment: INCIDENT_MODULE (path of the .so), NGINX (nginx binary),
# KEEP=1 keeps the temp prefixes (their paths are printed).

use strict;
use warnings;

use Test::More;
use Exporter 'import';
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Temp ();
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(sleep time);
use Time::Local qw(timegm);
use HTTP::Tiny;
use JSON::PP ();
use Digest::SHA qw(sha256_hex);

our @EXPORT = qw(
    run_nginx_t rfc3339_to_epoch epoch_to_rfc3339 uri_escape
    encode_json decode_json is_problem is_status is_null is_true is_false
    fields_are ids_of $RFC3339_RE
);

our $ROOT   = abs_path(dirname(abs_path(__FILE__)) . '/../..');
our $NGINX  = $ENV{NGINX} // '/usr/sbin/nginx';
our $MODULE = $ENV{INCIDENT_MODULE}
              // "$ROOT/build/ngx_http_incident_module.so";

our $RFC3339_RE = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\z/;

my $JSON = JSON::PP->new->utf8->canonical;
my @INSTANCES;

# log lines that make a run fail unless a test allowed them
my $BAD_LOG_RE = qr/\[(?:alert|emerg|crit)\]|exited on signal/;


# ---------------------------------------------------------------------------
# construction and configuration

# Options (all optional):
#   workers        worker_processes (default 1)
#   db_path        incident_db directory (default PREFIX/db)
#   db_size        size= value (default "64m"; undef omits the parameter)
#   db_params      more incident_db parameters, e.g. "thread_pool=default"
#   db_line        the whole incident_db line (overrides the three above;
#                  "" omits the directive)
#   tokens         { name => token } added to/overriding admin and ci
#   tokens_text    the whole content of PREFIX/tokens
#   tokens_line    the whole incident_api_tokens line ("" omits it)
#   api_line       the directive inside location /api/ (default incident_api;)
#   listen_params  extra listen parameters, e.g. "reuseport"
#   main_extra, http_extra, server_extra, location_extra
#                  lines added to the main, http, server and /api/ location
sub new {
    my ($class, %o) = @_;

    my $self = bless {
        workers => 1,
        db_size => '64m',
        %o,
        allowed     => [],
        log_offset  => 0,
        running     => 0,
    }, $class;

    my $prefix = File::Temp::tempdir('incident-t-XXXXXX',
                                     TMPDIR => 1, CLEANUP => !$ENV{KEEP});
    chmod 0755, $prefix or die "chmod $prefix: $!";
    make_path("$prefix/logs");
    $self->{prefix} = $prefix;
    diag("IncidentTest prefix: $prefix") if $ENV{KEEP};

    $self->{port}   = free_port();
    $self->{tokens} = {
        admin => random_token(),
        ci    => random_token(),
        %{ $o{tokens} || {} },
    };
    $self->{http} = HTTP::Tiny->new(
        keep_alive   => 0,
        max_redirect => 0,
        timeout      => 30,
        agent      => 'incident-test/1',
    );

    $self->write_tokens;
    $self->write_conf;

    push @INSTANCES, $self;
    return $self;
}

sub prefix   { $_[0]{prefix} }
sub port     { $_[0]{port} }
sub base_url { "http://127.0.0.1:$_[0]{port}" }
sub conf_path { "$_[0]{prefix}/nginx.conf" }
sub pid_path  { "$_[0]{prefix}/logs/nginx.pid" }
sub log_path  { "$_[0]{prefix}/logs/error.log" }

sub token {
    my ($self, $name) = @_;
    my $t = $self->{tokens}{$name};
    die "no token named $name" unless defined $t;
    return $t;
}

# change options after construction, rewriting nginx.conf and tokens
sub configure {
    my ($self, %o) = @_;
    @$self{ keys %o } = values %o;
    $self->write_tokens;
    $self->write_conf;
    return $self;
}

sub tokens_text {
    my ($self) = @_;
    return $self->{tokens_text} if defined $self->{tokens_text};

    my $text = "# tokens for the test suite\n\n";
    for my $name (sort keys %{ $self->{tokens} }) {
        $text .= "$name:" . sha256_hex($self->{tokens}{$name}) . "\n";
    }
    return $text;
}

sub write_tokens {
    my ($self) = @_;
    write_file("$self->{prefix}/tokens", $self->tokens_text);
}

sub conf_text {
    my ($self) = @_;
    my $p = $self->{prefix};

    my $db = $self->{db_line};
    unless (defined $db) {
        $db = join ' ', 'incident_db', $self->{db_path} // "$p/db",
                  (defined $self->{db_size} ? "size=$self->{db_size}" : ()),
                  (defined $self->{db_params} ? $self->{db_params} : ());
        $db .= ';';
    }
    my $tokens = $self->{tokens_line} // "incident_api_tokens $p/tokens;";
    my $api    = $self->{api_line} // 'incident_api;';
    my $listen = join ' ', "127.0.0.1:$self->{port}",
                     ($self->{listen_params} // ());
    my ($main, $http, $server, $loc) =
        map { $self->{$_} // '' }
            qw(main_extra http_extra server_extra location_extra);

    return <<"CONF";
load_module $MODULE;
worker_processes $self->{workers};
error_log logs/error.log info;
pid logs/nginx.pid;
$main

events {
    worker_connections 256;
}

http {
    access_log logs/access.log;
    client_body_temp_path $p/body;
    proxy_temp_path $p/proxy;
    fastcgi_temp_path $p/fastcgi;
    uwsgi_temp_path $p/uwsgi;
    scgi_temp_path $p/scgi;

    $db
    $tokens
    $http

    server {
        listen $listen;
        add_header X-Worker-Pid \$pid always;
        $server

        location /api/ {
            $api
            $loc
        }
    }
}
CONF
}

sub write_conf {
    my ($self) = @_;
    write_file($self->conf_path, $self->conf_text);
}


# ---------------------------------------------------------------------------
# running nginx

# nginx -t on this instance's config: returns (ok, output)
sub nginx_t {
    my ($self) = @_;
    my ($rc, $out) = run_cmd("$self->{prefix}/logs/nginx-t.out",
                             $NGINX, '-p', "$self->{prefix}/",
                             '-c', $self->conf_path, '-t');
    return ($rc == 0, $out);
}

# nginx -t on arbitrary text: @PREFIX@, @MODULE@, @PORT@ and @TOKENS@
# (a valid tokens file) are substituted. Returns (ok, output).
sub run_nginx_t {
    my ($text) = @_;
    my $t = IncidentTest->new;
    my %sub = (
        PREFIX => $t->{prefix},
        MODULE => $MODULE,
        PORT   => $t->{port},
        TOKENS => "$t->{prefix}/tokens",
    );
    $text =~ s/\@(PREFIX|MODULE|PORT|TOKENS)\@/$sub{$1}/g;
    write_file($t->conf_path, $text);
    return $t->nginx_t;
}

sub start {
    my ($self) = @_;

    die "nginx already running" if $self->{running};

    my ($ok, $out) = $self->nginx_t;
    unless ($ok) {
        fail("nginx -t passes for the test configuration");
        diag("nginx -t output:\n$out");
        diag("module: $MODULE " . (-e $MODULE ? '(exists)' : '(MISSING)'));
        die "nginx -t failed\n";
    }

    unlink $self->pid_path;
    my ($rc, $sout) = run_cmd("$self->{prefix}/logs/start.out",
                              $NGINX, '-p', "$self->{prefix}/",
                              '-c', $self->conf_path);
    if ($rc != 0) {
        fail("nginx starts");
        diag("nginx exited with $rc:\n$sout" . $self->error_log_tail);
        die "nginx did not start\n";
    }

    my $master;
    my $ready = wait_until(10, sub {
        $master = read_pid($self->pid_path);
        return $master && alive($master);
    });
    unless ($ready) {
        fail("nginx writes its pid file");
        diag($sout . $self->error_log_tail);
        die "nginx did not start\n";
    }
    $self->{master}  = $master;
    $self->{running} = 1;

    my $workers_up = wait_until(10, sub {
        my @w = $self->worker_pids;
        return @w >= $self->{workers};
    });
    my $port_up = $workers_up && wait_until(10, sub {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $self->{port},
                                      Proto => 'tcp', Timeout => 1);
        return $s ? 1 : 0;
    });
    unless ($port_up) {
        fail("nginx answers on port $self->{port}");
        diag("workers: " . join(' ', $self->worker_pids)
             . $self->error_log_tail);
        die "nginx did not start\n";
    }
    return $self;
}

sub master_pid { $_[0]{running} ? $_[0]{master} : undef }

sub worker_pids {
    my ($self) = @_;
    return () unless $self->{master};
    return children_of($self->{master});
}

sub stop {
    my ($self, %o) = @_;
    return unless $self->{running};

    my $master = $self->{master};
    kill 'QUIT', $master;
    my $gone = wait_until(20, sub { !alive($master) });
    $self->{running} = 0;

    unless ($gone) {
        my @kids = children_of($master);
        kill 'KILL', $master, @kids;
        wait_until(5, sub { !grep { alive($_) } $master, @kids });
        ok(0, "nginx exits on QUIT within 20 s") unless $o{quiet};
        diag("nginx master $master did not exit on QUIT; killed");
    }
    $self->check_log(%o);
    return $self;
}

sub restart {
    my ($self) = @_;
    $self->stop;
    return $self->start;
}

# HUP; wait for the old workers to exit and a new one to answer
sub reload {
    my ($self) = @_;
    die "nginx not running" unless $self->{running};

    my %old = map { $_ => 1 } $self->worker_pids;
    $self->write_conf;
    kill 'HUP', $self->{master};

    my @new;
    my $ok = wait_until(20, sub {
        return 0 if grep { alive($_) } keys %old;
        @new = grep { !$old{$_} } $self->worker_pids;
        return @new >= $self->{workers};
    });
    ok($ok, "reload: old workers exit and new ones start")
        or diag("old: @{[ sort keys %old ]} now: @{[ $self->worker_pids ]}"
                . $self->error_log_tail);

    my %new = map { $_ => 1 } @new;
    my $answered = wait_until(10, sub {
        my $r = $self->api(GET => '/api/v1/status');
        return $r->{status} == 200
            && $new{ $r->{headers}{'x-worker-pid'} // 0 };
    });
    ok($answered, "reload: a new worker answers");
    return $self;
}

# SIGKILL the master and every child, as a crash or an OOM kill would
sub kill9_all {
    my ($self) = @_;
    die "nginx not running" unless $self->{running};

    my $master = $self->{master};
    my @kids = children_of($master);

    # master first so that it cannot log the workers' deaths
    kill 'KILL', $master;
    wait_until(10, sub { !alive($master) });
    kill 'KILL', @kids if @kids;
    my $ok = wait_until(10, sub { !grep { alive($_) } $master, @kids });
    ok($ok, "kill -9: all nginx processes are gone");

    $self->{running} = 0;
    unlink $self->pid_path;
    $self->check_log;
    return $self;
}

# allow error.log lines matching RE (e.g. an expected [crit] line)
sub allow_log {
    my ($self, $re) = @_;
    push @{ $self->{allowed} }, $re;
}

sub error_log {
    my ($self) = @_;
    return read_file($self->log_path) // '';
}

sub error_log_tail {
    my ($self, $n) = @_;
    my @lines = split /\n/, $self->error_log;
    $n //= 30;
    @lines = @lines[-$n .. -1] if @lines > $n;
    return "\n--- error.log (tail) ---\n" . join("\n", @lines) . "\n";
}

# fails the test for [alert]/[emerg]/[crit]/"exited on signal" lines
# written since the last check, except allowed ones
sub check_log {
    my ($self, %o) = @_;
    my $log = $self->error_log;
    my $new = substr($log, $self->{log_offset} > length $log
                           ? 0 : $self->{log_offset});
    $self->{log_offset} = length $log;

    my @bad;
    LINE: for my $line (split /\n/, $new) {
        next unless $line =~ $BAD_LOG_RE;
        for my $re (@{ $self->{allowed} }) {
            next LINE if $line =~ $re;
        }
        push @bad, $line;
    }

    if ($o{quiet}) {
        # from END: only report trouble
        if (@bad) {
            ok(0, "error.log has no alert/emerg/crit lines");
            diag(join "\n", @bad);
        }
        return !@bad;
    }
    ok(!@bad, "error.log has no alert/emerg/crit/signal lines")
        or diag(join "\n", @bad);
    return !@bad;
}

END {
    local $?;
    for my $self (@INSTANCES) {
        $self->stop(quiet => 1) if $self->{running};
    }
}


# ---------------------------------------------------------------------------
# HTTP

# api(METHOD, PATH, BODY, %opts) -> {status, headers, content, json}
#   BODY: undef (none), a hash/array ref (sent as JSON), or raw bytes
#   opts: token => NAME (a token from the tokens file; undef sends none),
#         bearer => STRING (raw bearer value), authorization => HEADER,
#         content_type => TYPE (undef sends none; default application/json),
#         headers => { ... }, host => NAME (Host header; still connects
#         to 127.0.0.1)
# Writes carry the admin token unless told otherwise; reads carry none.
sub api {
    my ($self, $method, $path, $body, %o) = @_;
    my %h = %{ $o{headers} || {} };

    my $write = $method !~ /^(?:GET|HEAD)\z/;
    if (exists $o{authorization}) {
        $h{Authorization} = $o{authorization} if defined $o{authorization};
    } elsif (exists $o{bearer}) {
        $h{Authorization} = "Bearer $o{bearer}" if defined $o{bearer};
    } elsif (exists $o{token}) {
        $h{Authorization} = 'Bearer ' . $self->token($o{token})
            if defined $o{token};
    } elsif ($write) {
        $h{Authorization} = 'Bearer ' . $self->token('admin');
    }

    my %req = (headers => \%h);
    if (defined $body) {
        $req{content} = ref $body ? $JSON->encode($body) : $body;
        if (exists $o{content_type}) {
            $h{'Content-Type'} = $o{content_type} if defined $o{content_type};
        } else {
            $h{'Content-Type'} = 'application/json';
        }
    }

    my $url = $self->base_url . $path;
    if (defined $o{host}) {
        $url = "http://$o{host}:$self->{port}$path";
        $req{peer} = '127.0.0.1';
    }
    my $res = $self->{http}->request($method, $url, \%req);
    my $r = {
        method  => $method,
        path    => $path,
        status  => $res->{status},
        headers => $res->{headers} || {},
        content => $res->{content} // '',
    };
    diag("HTTP::Tiny error on $method $path: $r->{content}")
        if $r->{status} == 599;

    my $ct = $r->{headers}{'content-type'} // '';
    if ($ct =~ m{^application/(?:problem\+)?json\b}i && length $r->{content}) {
        $r->{json} = eval { $JSON->decode($r->{content}) };
        $r->{json_error} = $@ unless defined $r->{json};
    }
    return $r;
}

# GET that must answer 200; returns the decoded JSON (or undef)
sub get_json {
    my ($self, $path, $name) = @_;
    my $r = $self->api(GET => $path);
    is_status($r, 200, $name // "GET $path");
    return $r->{json};
}

sub create_component {
    my ($self, %f) = @_;
    $f{name} //= 'Component ' . ++$self->{seq};
    my $r = $self->api(POST => '/api/v1/components', \%f);
    (my $name = $f{name}) =~ s/\s+/ /g;
    $name = substr($name, 0, 60) . '...' if length $name > 60;
    is_status($r, 201, "create component '$name'");
    return $r->{json} || {};
}

sub create_incident {
    my ($self, %f) = @_;
    my $opts = delete $f{_opts} || {};
    $f{title}  //= 'Incident ' . ++$self->{seq};
    $f{status} //= 'investigating';
    $f{impact} //= 'minor';
    my $r = $self->api(POST => '/api/v1/incidents', \%f, %$opts);
    (my $name = $f{title}) =~ s/\s+/ /g;
    $name = substr($name, 0, 60) . '...' if length $name > 60;
    is_status($r, 201, "create incident '$name'");
    return $r->{json} || {};
}

sub post_update {
    my ($self, $id, %f) = @_;
    my $r = $self->api(POST => "/api/v1/incidents/$id/updates", \%f);
    is_status($r, 201, "post update ($f{status}) to incident $id");
    return $r;
}

# walk a paginated list; returns an arrayref of all items
sub list_all {
    my ($self, $path, %o) = @_;
    my ($items) = $self->list_walk($path, %o);
    return $items;
}

# walk a paginated list; returns (arrayref of all items, number of pages).
# Checks the list shape, bounded number of pages, no repeated cursor.
sub list_walk {
    my ($self, $path, %o) = @_;
    my $limit = $o{limit};
    my $sep = $path =~ /\?/ ? '&' : '?';
    my (@items, %seen_cursor);
    my $cursor;
    my $pages = 0;

    while (1) {
        my $url = $path;
        my @q;
        push @q, "limit=$limit" if defined $limit;
        push @q, 'cursor=' . uri_escape($cursor) if defined $cursor;
        $url .= $sep . join('&', @q) if @q;

        my $r = $self->api(GET => $url);
        unless ($r->{status} == 200 && ref $r->{json} eq 'HASH'
                && ref $r->{json}{data} eq 'ARRAY'
                && exists $r->{json}{nextCursor}) {
            fail("list page GET $url");
            diag(dump_response($r));
            last;
        }
        $pages++;
        my $data = $r->{json}{data};
        if (defined $limit && @$data > $limit) {
            fail("page of $url has at most $limit items (got "
                 . scalar(@$data) . ")");
        }
        push @items, @$data;

        $cursor = $r->{json}{nextCursor};
        last unless defined $cursor;
        if ($seen_cursor{$cursor}++ || $pages > 1000) {
            fail("pagination of $path terminates (cursor $cursor repeats)");
            last;
        }
        if (!@$data) {
            fail("a page with a nextCursor is not empty ($url)");
        }
    }
    return (\@items, $pages);
}

# call f(pid, response) for a fresh-connection request answered by each
# worker; fails when not every worker answered within the bound
sub per_worker {
    my ($self, $method, $path, $body, %o) = @_;
    my %want = map { $_ => 1 } $self->worker_pids;
    my %got;
    for (1 .. 400) {
        my $r = $self->api($method, $path, $body, %o);
        my $pid = $r->{headers}{'x-worker-pid'};
        $got{$pid} //= $r if defined $pid;
        last if keys %got >= keys %want && !grep { !$got{$_} } keys %want;
    }
    my @missing = grep { !$got{$_} } keys %want;
    ok(!@missing, "$method $path answered by every worker ("
                  . join(',', sort keys %want) . ")")
        or diag("missing: @missing");
    return \%got;
}


# run CODE in N forked clients at once; CODE gets the client number and
# returns a list of plain data (hashes, arrays, strings). Returns an
# arrayref with each client's list. Children make no test assertions.
sub parallel {
    my ($self, $n, $code) = @_;
    my @kids;
    for my $i (1 .. $n) {
        pipe(my $r, my $w) or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $r;
            my @out = eval { $code->($i) };
            @out = ({error => "$@"}) if $@;
            print $w $JSON->encode(\@out);
            close $w;
            POSIX::_exit(0);
        }
        close $w;
        push @kids, [$pid, $r];
    }
    my @results;
    for my $k (@kids) {
        my ($pid, $r) = @$k;
        local $/;
        my $data = <$r>;
        close $r;
        waitpid $pid, 0;
        push @results, eval { $JSON->decode($data) } || [{error => 'no output'}];
    }
    return \@results;
}


# ---------------------------------------------------------------------------
# assertions

sub dump_response {
    my ($r) = @_;
    my $c = $r->{content} // '';
    $c = substr($c, 0, 2000) . '...' if length $c > 2000;
    my $h = join "\n", map { "  $_: " . (ref $r->{headers}{$_}
                                         ? join(', ', @{ $r->{headers}{$_} })
                                         : $r->{headers}{$_}) }
                       sort keys %{ $r->{headers} };
    return "$r->{method} $r->{path} -> $r->{status}\n$h\n  body: $c";
}

sub is_status {
    my ($r, $status, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return ok($r->{status} == $status, $name // "$r->{method} $r->{path} -> $status")
        || diag("expected $status\n" . dump_response($r));
}

# is_problem($r, STATUS, NAME, [FIELDS]): the response is an
# application/problem+json document with that status; when FIELDS is given
# the errors[] fields are exactly those (as a set)
sub is_problem {
    my ($r, $status, $name, $fields) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why;

    push @why, "status $r->{status}, expected $status"
        unless $r->{status} == $status;
    my $ct = $r->{headers}{'content-type'} // '';
    push @why, "content-type '$ct' is not application/problem+json"
        unless $ct =~ m{^application/problem\+json\b}i;
    my $j = $r->{json};
    if (ref $j ne 'HASH') {
        push @why, "body is not a JSON object";
    } else {
        push @why, "member status is "
                   . (defined $j->{status} ? $j->{status} : 'missing')
            unless defined $j->{status} && $j->{status} =~ /^\d+\z/
                   && $j->{status} == $status;
        for my $m (qw(type title)) {
            push @why, "member $m missing"
                unless defined $j->{$m} && length $j->{$m};
        }
        if ($fields) {
            my @got = ref $j->{errors} eq 'ARRAY'
                ? map { ref $_ eq 'HASH' ? $_->{field} // '(none)' : '(bad)' }
                      @{ $j->{errors} }
                : ();
            my $got = join ',', sort @got;
            my $want = join ',', sort @$fields;
            push @why, "errors fields [$got], expected [$want]"
                unless $got eq $want;
            if (ref $j->{errors} eq 'ARRAY') {
                for my $e (@{ $j->{errors} }) {
                    push @why, "errors entry without a message"
                        unless ref $e eq 'HASH' && defined $e->{message}
                               && length $e->{message};
                }
            }
        }
    }
    ok(!@why, $name) or diag(join("\n", @why) . "\n" . dump_response($r));
    return !@why;
}

sub is_null {
    my ($h, $key, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    ok(ref $h eq 'HASH' && exists $h->{$key} && !defined $h->{$key}, $name)
        or diag("$key: " . (ref $h eq 'HASH'
                            ? (exists $h->{$key} ? $JSON->encode([$h->{$key}])
                                                 : 'missing')
                            : 'not an object'));
}

sub is_true {
    my ($v, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    ok(JSON::PP::is_bool($v) && $v, $name);
}

sub is_false {
    my ($v, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    ok(JSON::PP::is_bool($v) && !$v, $name);
}

# fields_are($obj, {key => expected, ...}, NAME): only the given keys are
# compared; undef expects JSON null, JSON::PP::true/false a JSON boolean,
# refs are compared structurally, the rest as strings
sub fields_are {
    my ($got, $want, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why;
    my $enc = sub { $JSON->encode([$_[0]]) };

    if (ref $got ne 'HASH') {
        push @why, 'not an object: ' . $enc->($got);
    } else {
        for my $k (sort keys %$want) {
            my ($w, $g) = ($want->{$k}, $got->{$k});
            my $bad;
            if (!exists $got->{$k}) {
                push @why, "$k missing";
                next;
            } elsif (!defined $w) {
                $bad = defined $g;
            } elsif (JSON::PP::is_bool($w)) {
                $bad = !JSON::PP::is_bool($g) || !!$g != !!$w;
            } elsif (ref $w) {
                $bad = $enc->($g) ne $enc->($w);
            } else {
                $bad = !defined $g || ref $g || $g ne $w;
            }
            push @why, "$k is " . $enc->($g) . ", expected " . $enc->($w)
                if $bad;
        }
    }
    ok(!@why, $name) or diag(join "\n", @why);
    return !@why;
}

sub ids_of {
    my ($list) = @_;
    return [ map { $_->{id} } @{ $list || [] } ];
}


# ---------------------------------------------------------------------------
# utilities

sub encode_json { $JSON->encode($_[0]) }
sub decode_json { $JSON->decode($_[0]) }

sub rfc3339_to_epoch {
    my ($s) = @_;
    return undef unless defined $s
        && $s =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?Z\z/;
    return timegm($6, $5, $4, $3, $2 - 1, $1);
}

sub epoch_to_rfc3339 {
    return POSIX::strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $_[0]);
}

sub uri_escape {
    my ($s) = @_;
    $s =~ s/([^A-Za-z0-9\-._~])/sprintf '%%%02X', ord $1/ge;
    return $s;
}

sub random_token {
    open my $fh, '<:raw', '/dev/urandom' or die "urandom: $!";
    read $fh, my $bytes, 24;
    return 'tok_' . unpack 'H*', $bytes;
}

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or die "cannot bind a port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

sub write_file {
    my ($path, $content) = @_;
    open my $fh, '>:raw', $path or die "write $path: $!";
    print $fh $content;
    close $fh or die "close $path: $!";
}

sub read_file {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return undef;
    local $/;
    my $c = <$fh>;
    return $c // '';
}

sub read_pid {
    my $c = read_file($_[0]);
    return defined $c && $c =~ /^\s*(\d+)/ ? $1 : undef;
}

# run a command with stdout+stderr to FILE; returns (exit status, output)
sub run_cmd {
    my ($outfile, @cmd) = @_;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', $outfile or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT;
        { no warnings "exec"; exec { $cmd[0] } @cmd; }
        print STDERR "exec $cmd[0]: $!\n";
        POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $rc = $? >> 8 || ($? & 127 ? 128 + ($? & 127) : 0);
    return ($rc, read_file($outfile) // '');
}

# alive and not a zombie (PID 1 may not reap daemonized nginx)
sub alive {
    my ($pid) = @_;
    return 0 unless $pid && kill 0, $pid;
    my $stat = read_file("/proc/$pid/stat") // return 0;
    return $stat =~ /^\d+ \(.*\) ([A-Za-z])/ && $1 ne 'Z' && $1 ne 'X';
}

sub children_of {
    my ($ppid) = @_;
    my $out = `ps -o pid= --ppid $ppid 2>/dev/null`;
    return grep { alive($_) } $out =~ /(\d+)/g;
}

sub wait_until {
    my ($seconds, $cond) = @_;
    my $deadline = time + $seconds;
    while (1) {
        return 1 if $cond->();
        return 0 if time > $deadline;
        sleep 0.05;
    }
}

1;
