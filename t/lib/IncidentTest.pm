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

# status page helpers, imported on request:
#   use IncidentTest qw(:DEFAULT :page);
our @EXPORT_OK = qw(
    page_sections page_elements page_attr page_element_html page_section
    html_unescape html_text parse_feed
);
our %EXPORT_TAGS = (page => \@EXPORT_OK);

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
#   status_page    location prefix(es) served by incident_status_page: a
#                  string ("/" or "/status/") or an arrayref of them
#   page_extra     lines added inside each status page location
#   conf           the whole nginx.conf text instead of the generated one;
#                  @PREFIX@, @MODULE@, @PORT@ and @TOKENS@ are substituted
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

    if (defined $self->{conf}) {
        my %sub = (PREFIX => $p, MODULE => $MODULE, PORT => $self->{port},
                   TOKENS => "$p/tokens");
        (my $text = $self->{conf}) =~ s/\@(PREFIX|MODULE|PORT|TOKENS)\@/$sub{$1}/g;
        return $text;
    }

    my $sp = $self->{status_page};
    for my $prefix (ref $sp ? @$sp : defined $sp ? ($sp) : ()) {
        $server .= "\n        location $prefix {\n"
                 . "            incident_status_page;\n"
                 . "            " . ($self->{page_extra} // '') . "\n"
                 . "        }\n";
    }

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
# status page

# page(PATH, %opts): GET (or opts method => HEAD/POST...) a public page;
# same result shape and options as api()
sub page {
    my ($self, $path, %o) = @_;
    my $method = delete $o{method} // 'GET';
    return $self->api($method, $path, undef, token => undef, %o);
}

# the ids of the <section id=...> elements of the status page, in order
sub page_sections {
    my ($html) = @_;
    return [ $html =~ /<section\b[^>]*\bid="([^"]+)"/g ];
}

# the start tags (as attribute hashes) of the elements with attribute ATTR,
# in document order; each hash also has _tag and _pos (offset in HTML)
sub page_elements {
    my ($html, $attr) = @_;
    my @out;
    while ($html =~ /<([a-zA-Z][a-zA-Z0-9]*)((?:\s[^>]*?)?\s\Q$attr\E(?=[\s=\/>])[^>]*)>/g) {
        my ($tag, $attrs) = ($1, $2);
        my %a = (_tag => lc $tag, _pos => $-[0]);
        while ($attrs =~ /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g) {
            $a{lc $1} = defined $2 ? $2 : defined $3 ? $3 : defined $4 ? $4 : '';
        }
        push @out, \%a;
    }
    return \@out;
}

# the value of ATTR on the first element matching TAG and WHERE (a hash
# of attribute => value), undef when none
sub page_attr {
    my ($html, $attr, $tag, %where) = @_;
    for my $e (@{ page_elements($html, $attr) }) {
        next if defined $tag && $e->{_tag} ne $tag;
        next if grep { !defined $e->{$_} || $e->{$_} ne $where{$_} } keys %where;
        return $e->{$attr};
    }
    return undef;
}

# the whole element (start tag to its matching end tag) that starts at
# offset POS of HTML; elements of the same name nest
sub page_element_html {
    my ($html, $pos) = @_;
    pos($html) = $pos;
    $html =~ /\G<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>/g or return undef;
    my $tag = lc $1;
    my $depth = 1;
    while ($html =~ /<(\/?)\Q$tag\E\b[^>]*>/gi) {
        $depth += $1 ? -1 : 1;
        return substr($html, $pos, pos($html) - $pos) if $depth == 0;
    }
    return undef;
}

# the element with id="ID" (e.g. a <section>), or undef
sub page_section {
    my ($html, $id) = @_;
    for my $e (@{ page_elements($html, 'id') }) {
        return page_element_html($html, $e->{_pos}) if $e->{id} eq $id;
    }
    return undef;
}

sub html_unescape {
    my ($s) = @_;
    my %ent = (amp => '&', lt => '<', gt => '>', quot => '"', apos => "'",
               middot => "\x{b7}", rarr => "\x{2192}", larr => "\x{2190}");
    $s =~ s/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/
        substr($1, 0, 2) eq '#x' ? chr hex substr($1, 2)
        : substr($1, 0, 1) eq '#' ? chr substr($1, 1)
        : exists $ent{$1} ? $ent{$1} : "&$1;"/ge;
    return $s;
}

# the text of an HTML fragment: tags dropped, entities decoded, spaces
# collapsed
sub html_text {
    my ($html) = @_;
    $html =~ s/<script\b.*?<\/script>//gs;
    $html =~ s/<style\b.*?<\/style>//gs;
    # inline elements join their text; the others separate it
    $html =~ s/<\/?(?:a|abbr|b|code|em|i|small|span|strong|sub|sup|time)\b[^>]*>//gi;
    $html =~ s/<[^>]*>/ /g;
    my $t = html_unescape($html);
    $t =~ s/\s+/ /g;
    $t =~ s/^ | $//g;
    return $t;
}

# parse_feed(XML) -> { ok => 1, root => TAG, title => ..., entries => [
#   {id, title, link, content, updated}, ...] } or { ok => 0, error => ... }
# Atom (feed/entry) and RSS 2.0 (rss/channel/item), checked by a real XML
# parser: Debian's python3 (xml.etree.ElementTree).
our $PYTHON = $ENV{PYTHON3} // '/usr/bin/python3';

my $FEED_PY = <<'PY';
import json, sys
import xml.etree.ElementTree as ET
A = '{http://www.w3.org/2005/Atom}'
try:
    root = ET.fromstring(sys.stdin.buffer.read())
except ET.ParseError as e:
    print(json.dumps({'ok': 0, 'error': str(e)}))
    sys.exit(0)
def text(e, tag):
    x = e.find(tag)
    return None if x is None else (x.text or '')
out = {'ok': 1, 'root': root.tag, 'entries': []}
if root.tag == A + 'feed':
    out['title'] = text(root, A + 'title')
    out['id'] = text(root, A + 'id')
    for e in root.findall(A + 'entry'):
        link = e.find(A + 'link')
        out['entries'].append({
            'id': text(e, A + 'id'), 'title': text(e, A + 'title'),
            'link': None if link is None else link.get('href'),
            'content': text(e, A + 'content'),
            'contentType': None if e.find(A + 'content') is None
                           else e.find(A + 'content').get('type'),
            'updated': text(e, A + 'updated'),
            'published': text(e, A + 'published')})
elif root.tag == 'rss':
    ch = root.find('channel')
    out['version'] = root.get('version')
    out['title'] = None if ch is None else text(ch, 'title')
    for e in ([] if ch is None else ch.findall('item')):
        out['entries'].append({
            'id': text(e, 'guid'), 'title': text(e, 'title'),
            'link': text(e, 'link'), 'content': text(e, 'description'),
            'updated': text(e, 'pubDate')})
print(json.dumps(out))
PY

sub parse_feed {
    my ($xml) = @_;
    return { ok => 0, error => "$PYTHON not found (Debian package python3)" }
        unless -x $PYTHON;
    my $dir = File::Temp::tempdir('incident-feed-XXXXXX', TMPDIR => 1,
                                  CLEANUP => 1);
    write_file("$dir/feed.py", $FEED_PY);
    write_file("$dir/feed.xml", $xml);
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', "$dir/feed.xml" or POSIX::_exit(126);
        open STDOUT, '>', "$dir/out.json" or POSIX::_exit(126);
        open STDERR, '>', "$dir/err.txt";
        { no warnings 'exec'; exec $PYTHON, "$dir/feed.py"; }
        POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $out = read_file("$dir/out.json") // '';
    my $r = eval { JSON::PP->new->utf8->decode($out) };
    return $r if ref $r eq 'HASH';
    return { ok => 0, error => "python3 failed ($?): "
                               . (read_file("$dir/err.txt") // '') };
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
        # nginx reads NGINX as its inherited sockets (binary upgrade): with
        # our NGINX=/path set it would not daemonize and never return
        delete $ENV{NGINX};
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

# ---------------------------------------------------------------------------
# admin UI (location with incident_admin)
#
#   my $t = IncidentTest->new(status_page => '/')
#               ->with_admin(users => { alice => 'pw-a' })->start;
#   my $r = $t->admin_get('incidents/new');             # as alice
#   my $f = IncidentTest::form_fields($r->{content}, 'incidents');
#   IncidentTest::form_set($f, title => 'Database down');
#   $r = $t->admin_post('incidents', $f);               # a browser's POST
#   is($r->{status}, 303);
#
# The functions below are called by their full name (IncidentTest::...);
# they are not exported.

use MIME::Base64 ();

# with_admin(%o): add a location with incident_admin to the server (through
# server_extra) and rewrite nginx.conf. Options:
#   prefix   location prefix (default /admin/)
#   users    { name => password }: auth_basic with PREFIX/admin.htpasswd,
#            passwords stored as {PLAIN}; none: no auth_basic
#   crypt    { name => password }: more users, stored as SHA-512 crypt
#            hashes ($6$, as openssl passwd -6 writes them)
#   user     the user admin_get/admin_post send by default (default: the
#            first of users/crypt by name)
#   extra    more lines inside the location
# Returns $self.
sub with_admin {
    my ($self, %o) = @_;
    my $prefix = $o{prefix} // '/admin/';
    my %users = (%{ $o{users} || {} }, %{ $o{crypt} || {} });
    $self->{admin_prefix} = $prefix;
    $self->{admin_users} = { %{ $self->{admin_users} || {} }, %users };
    $self->{admin_user} = $o{user} // (sort keys %users)[0];

    my $auth = '';
    if (%users) {
        my $file = "$self->{prefix}/admin.htpasswd";
        my $text = '';
        for my $name (sort keys %{ $o{users} || {} }) {
            $text .= "$name:{PLAIN}$o{users}{$name}\n";
        }
        for my $name (sort keys %{ $o{crypt} || {} }) {
            my $salt = join '', map { ('a'..'z', 0..9)[rand 36] } 1 .. 12;
            my $hash = crypt($o{crypt}{$name}, "\$6\$$salt\$");
            die "crypt() does not do SHA-512 here" unless $hash =~ /^\$6\$/;
            $text .= "$name:$hash\n";
        }
        write_file($file, $text);
        $auth = "auth_basic \"Status admin\";\n"
              . "            auth_basic_user_file $file;";
    }

    $self->{server_extra} = ($self->{server_extra} // '')
        . "\n        location $prefix {\n"
        . "            $auth\n"
        . "            incident_admin;\n"
        . "            " . ($o{extra} // '') . "\n"
        . "        }\n";
    $self->write_conf;
    return $self;
}

sub admin_prefix { $_[0]{admin_prefix} // '/admin/' }

# this server's origin, as a browser sends it in Origin
sub origin { "http://127.0.0.1:$_[0]{port}" }

# admin_req(METHOD, PATH, %o) -> same result shape as api(); PATH is
# relative to the admin prefix ("incidents/new", "" for the dashboard) or
# absolute when it starts with "/". Options:
#   user        a user given to with_admin (default: its default user);
#               undef sends no Authorization
#   password    the password to send instead of the user's own
#   form        arrayref of name => value pairs (sent urlencoded, UTF-8)
#               or a raw body string
#   origin      Origin header; default for POST: this server's origin;
#               undef sends none
#   fetch_site  Sec-Fetch-Site header; default for POST: same-origin;
#               undef sends none
#   headers, host, content_type   as for api()
sub admin_req {
    my ($self, $method, $path, %o) = @_;
    my %h = %{ delete $o{headers} || {} };
    my $post = $method eq 'POST';

    my $user = exists $o{user} ? $o{user} : $self->{admin_user};
    my $auth;
    if (defined $user) {
        my $pw = $o{password} // $self->{admin_users}{$user} // '';
        $auth = 'Basic ' . MIME::Base64::encode_base64("$user:$pw", '');
    }

    my $origin = exists $o{origin} ? $o{origin} : $post ? $self->origin : undef;
    $h{Origin} = $origin if defined $origin;
    my $site = exists $o{fetch_site} ? $o{fetch_site}
             : $post ? 'same-origin' : undef;
    $h{'Sec-Fetch-Site'} = $site if defined $site;

    my $body = $o{form};
    $body = form_encode($body) if ref $body;
    my $ct = exists $o{content_type} ? $o{content_type}
           : 'application/x-www-form-urlencoded';
    $body //= '' if $post;

    $path = $self->admin_prefix . $path unless $path =~ m{^/};
    return $self->api($method, $path, $body, authorization => $auth,
                      content_type => $ct, headers => \%h,
                      (defined $o{host} ? (host => $o{host}) : ()));
}

sub admin_get  { my ($s, $p, %o) = @_; $s->admin_req(GET => $p, %o) }

# admin_post(PATH, FORM, %o): FORM as admin_req's form option
sub admin_post {
    my ($s, $p, $form, %o) = @_;
    return $s->admin_req(POST => $p, form => $form, %o);
}

# admin_page(PATH, NAME, %o): GET that must answer 200 text/html; returns
# the HTML ('' on failure)
sub admin_page {
    my ($self, $path, $name, %o) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $r = $self->admin_get($path, %o);
    is_status($r, 200, $name // "GET admin $path -> 200")
        or return '';
    return $r->{content};
}

# the CSRF token of the page's (first) form
sub admin_csrf {
    my ($self, $html) = @_;
    return form_value(form_fields($html), 'csrf');
}

# admin_submit(PAGE, ACTION, { name => value | [values] }, %o): GET the
# admin page PAGE, take its form that posts to ACTION (both relative to the
# admin prefix) with every field as the browser would send it, change the
# given fields and POST it. Returns the POST's result (or the failed GET's).
sub admin_submit {
    my ($self, $page, $action, $set, %o) = @_;
    my $r = $self->admin_get($page, %o);
    return $r unless $r->{status} == 200;
    my $f = form_fields($r->{content}, $self->admin_prefix . $action);
    unless ($f) {
        $r->{status} = 0;
        $r->{content} = "no form with action $action on $page";
        return $r;
    }
    form_set($f, %{ $set || {} });
    return $self->admin_post($action, $f, %o);
}

# the path of a redirect's Location, relative to the admin prefix, and its
# query ("incidents/3", "done=created"); Location may be absolute
sub admin_location {
    my ($self, $r) = @_;
    my $loc = $r->{headers}{location} // return;
    $loc =~ s{^https?://[^/]+}{};
    my $prefix = $self->admin_prefix;
    return unless $loc =~ s/^\Q$prefix\E//;
    my ($path, $query) = split /\?/, $loc, 2;
    return wantarray ? ($path, $query // '') : $path;
}

# "a=1&b=2" from [a => 1, b => 2]; values are sent as UTF-8
sub form_encode {
    my ($pairs) = @_;
    my @p = @$pairs;
    my @out;
    while (my ($k, $v) = splice @p, 0, 2) {
        for ($k, $v) {
            $_ //= '';
            $_ = "$_";
            utf8::encode($_) if utf8::is_utf8($_);
        }
        push @out, uri_escape($k) . '=' . uri_escape($v);
    }
    return join '&', @out;
}

# form_fields(HTML, ACTION): the fields of the form whose action is ACTION
# (the first form when ACTION is undef) as a browser submits them: [name =>
# value, ...] in document order (hidden and text inputs, checked radios and
# checkboxes, textareas, selected options). undef when there is no such form.
sub form_fields {
    my ($html, $action) = @_;
    my $form;
    while ($html =~ /<form\b([^>]*)>/gi) {
        my ($attrs, $start) = ($1, $-[0]);
        my ($a) = $attrs =~ /\baction="([^"]*)"/;
        next if defined $action && html_unescape($a // '') ne $action;
        my $end = index($html, '</form>', $start);
        return undef if $end < 0;
        $form = substr($html, $start, $end - $start);
        last;
    }
    return undef unless defined $form;

    my @out;
    my $attr = sub {
        my ($tag, $name) = @_;
        return $tag =~ /\s\Q$name\E="([^"]*)"/i ? html_unescape($1)
             : $tag =~ /\s\Q$name\E(?=[\s>\/]|\z)/i ? '' : undef;
    };
    while ($form =~ /<(input|textarea|select)\b([^>]*)>/gi) {
        my ($tag, $attrs, $end) = (lc $1, $2, pos $form);
        my $name = $attr->($attrs, 'name');
        next unless defined $name && !defined $attr->($attrs, 'disabled');
        if ($tag eq 'input') {
            my $type = lc($attr->($attrs, 'type') // 'text');
            next if $type =~ /^(?:submit|button|reset|image|file)\z/;
            next if $type =~ /^(?:radio|checkbox)\z/
                    && !defined $attr->($attrs, 'checked');
            my $v = $attr->($attrs, 'value');
            $v = 'on' if !defined $v && $type =~ /^(?:radio|checkbox)\z/;
            push @out, $name => $v // '';
        } elsif ($tag eq 'textarea') {
            my $close = index($form, '</textarea>', $end);
            my $v = html_unescape(substr($form, $end, $close - $end));
            $v =~ s/^\r?\n//;     # the HTML parser drops one leading newline
            push @out, $name => $v;
        } else {
            my $close = index($form, '</select>', $end);
            my $opts = substr($form, $end, $close - $end);
            my ($first, $sel);
            while ($opts =~ /<option\b([^>]*)>([^<]*)/gi) {
                my ($oa, $text) = ($1, $2);
                my $v = $attr->($oa, 'value') // html_unescape($text);
                $first //= $v;
                $sel = $v if defined $attr->($oa, 'selected');
            }
            push @out, $name => $sel // $first // '';
        }
    }
    return \@out;
}

# the first value of NAME in a field list (undef when absent); in list
# context all of them
sub form_value {
    my ($pairs, $name) = @_;
    my @p = @{ $pairs || [] };
    my @v;
    while (my ($k, $v) = splice @p, 0, 2) {
        push @v, $v if $k eq $name;
    }
    return wantarray ? @v : $v[0];
}

# form_set(PAIRS, name => value | [values] | undef, ...): replace every
# field NAME (in place) by the given value(s), at the first one's place;
# undef or [] removes it
sub form_set {
    my ($pairs, %set) = @_;
    for my $name (sort keys %set) {
        my @vals = ref $set{$name} ? @{ $set{$name} }
                 : defined $set{$name} ? ($set{$name}) : ();
        my (@new, $done);
        my @p = @$pairs;
        while (my ($k, $v) = splice @p, 0, 2) {
            if ($k ne $name) {
                push @new, $k => $v;
            } elsif (!$done++) {
                push @new, map { ($name => $_) } @vals;
            }
        }
        push @new, map { ($name => $_) } @vals unless $done;
        @$pairs = @new;
    }
    return $pairs;
}

# field_marked(HTML, FIELD): how FIELD is marked as invalid on a form page:
# { invalid => the control (or its fieldset, for radios and checkboxes)
#   has aria-invalid="true", error => the text of <p class="err"
#   id="f-FIELD-err"> or undef, described => the control's
#   aria-describedby names that error }
sub field_marked {
    my ($html, $field) = @_;
    my %m = (invalid => 0, error => undef, described => 0);

    if ($html =~ m{<p\b[^>]*\bid="f-\Q$field\E-err"[^>]*>(.*?)</p>}s) {
        $m{error} = html_text($1);
    }

    my $control;
    while ($html =~ /<(input|textarea|select)\b([^>]*\sname="\Q$field\E"[^>]*)>/gi) {
        my $attrs = $2;
        next if $attrs =~ /\stype="(?:hidden|radio|checkbox)"/i;
        $control = $attrs;
        last;
    }
    if (defined $control) {
        $m{invalid} = $control =~ /\saria-invalid="true"/ ? 1 : 0;
        $m{described} = $control =~ /\saria-describedby="[^"]*\bf-\Q$field\E-err\b/
                      ? 1 : 0;
    } else {
        # radios and checkboxes: the fieldset around them
        while ($html =~ /<fieldset\b([^>]*)>/gi) {
            my ($attrs, $pos) = ($1, $-[0]);
            my $fs = page_element_html($html, $pos) // next;
            next unless $fs =~ /\sname="\Q$field\E"/;
            $m{invalid} = $attrs =~ /\saria-invalid="true"/ ? 1 : 0;
            $m{described} = $attrs =~ /\saria-describedby="[^"]*\bf-\Q$field\E-err\b/
                          || (defined $m{error}) ? 1 : 0;
            last;
        }
    }
    return \%m;
}

# the fields marked invalid on a page: the FIELD of every f-FIELD-err
# paragraph and of every control with aria-invalid="true", sorted, unique
sub marked_fields {
    my ($html) = @_;
    my %f = map { $_ => 1 } $html =~ /<p\b[^>]*\bid="f-([A-Za-z]+)-err"/g;
    while ($html =~ /<(input|textarea|select)\b([^>]*\saria-invalid="true"[^>]*)>/gi) {
        $f{$1} = 1 if $2 =~ /\sname="([^"]+)"/;
    }
    while ($html =~ /<fieldset\b[^>]*\saria-invalid="true"[^>]*>/gi) {
        my $fs = page_element_html($html, $-[0]) // next;
        my %n = map { $_ => 1 } grep { !/_shown\z/ } $fs =~ /\sname="([^"]+)"/g;
        $f{$_} = 1 for keys %n;
    }
    return [ sort keys %f ];
}

# the whole state behind the API as one canonical JSON text: every
# incident (with its updates), the components, the settings and the audit
# trail; equal texts mean nothing changed
sub state_snapshot {
    my ($self) = @_;
    my %s;
    for my $list ([incidents => '/api/v1/incidents?state=all'],
                  [components => '/api/v1/components'],
                  [audit => '/api/v1/audit']) {
        my ($key, $path) = @$list;
        my (@items, $cursor);
        for (1 .. 100) {
            my $url = $path . ($path =~ /\?/ ? '&' : '?') . 'limit=100'
                    . (defined $cursor ? '&cursor=' . uri_escape($cursor) : '');
            my $r = $self->api(GET => $url, undef, token => 'admin');
            unless ($r->{status} == 200 && ref $r->{json} eq 'HASH') {
                push @items, "GET $url -> $r->{status}";
                last;
            }
            push @items, @{ $r->{json}{data} || [] };
            $cursor = $r->{json}{nextCursor};
            last unless defined $cursor;
        }
        $s{$key} = \@items;
    }
    $s{incident} = [ map {
        my $r = $self->api(GET => "/api/v1/incidents/$_->{id}");
        $r->{json} // $r->{status};
    } grep { ref $_ eq 'HASH' } @{ $s{incidents} } ];
    my $r = $self->api(GET => '/api/v1/settings');
    $s{settings} = $r->{json} // $r->{status};
    return $JSON->encode(\%s);
}

# is_redirect(R, PATH, DONE, NAME): a 303 to the admin page PATH (relative
# to the admin prefix; a regex or a string) with ?done=DONE
sub is_redirect {
    my ($self, $r, $path, $done, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my ($p, $q) = $self->admin_location($r);
    my @why;
    push @why, "status $r->{status}, expected 303" unless $r->{status} == 303;
    push @why, 'Location ' . ($r->{headers}{location} // 'missing')
               . " is not admin page $path?done=$done"
        unless defined $p
               && (ref $path ? $p =~ $path : $p eq $path)
               && $q eq "done=$done";
    ok(!@why, $name) or diag(join("\n", @why) . "\n" . dump_response($r));
    return !@why;
}

# follow(R): GET the Location of a redirect (as the same admin user);
# returns the HTML ('' on failure) after checking 200
sub follow {
    my ($self, $r, %o) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $loc = $r->{headers}{location};
    unless (defined $loc) {
        fail("the response has a Location to follow");
        return '';
    }
    $loc =~ s{^https?://[^/]+}{};
    return $self->admin_page($loc, "GET $loc (after the redirect) -> 200", %o);
}

# the text of the page's flash message(s) (role=status), '' when none
sub flash_of {
    my ($html) = @_;
    return join ' | ', map { html_text($_) }
        $html =~ m{<p class="flash" role="status">(.*?)</p>}gs;
}


# security headers every admin response carries; returns the list of
# problems (empty when all are right)
sub admin_header_problems {
    my ($r) = @_;
    my $h = $r->{headers};
    my @why;
    my $csp = $h->{'content-security-policy'} // '';
    push @why, 'no Content-Security-Policy' unless length $csp;
    my %dir;
    for (split /;/, $csp) {
        s/^\s+|\s+$//g;
        my ($k, @v) = split /\s+/;
        $dir{lc $k} = \@v if defined $k;
    }
    my $script = $dir{'script-src'} // $dir{'default-src'} // [];
    push @why, "CSP script-src allows inline script (@$script)"
        if grep { /^'(?:unsafe-inline|unsafe-eval)'\z/ || $_ eq '*' } @$script;
    push @why, 'CSP has no script-src/default-src' unless @$script;
    push @why, "CSP frame-ancestors is not 'none'"
        unless join(' ', @{ $dir{'frame-ancestors'} || [] }) eq "'none'";
    push @why, 'X-Frame-Options is not DENY'
        unless uc($h->{'x-frame-options'} // '') eq 'DENY';
    push @why, 'no Referrer-Policy'
        unless ($h->{'referrer-policy'} // '') =~ /^(?:no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)\z/;
    push @why, 'Cache-Control is not no-store'
        unless ($h->{'cache-control'} // '') =~ /\bno-store\b/;
    return @why;
}


1;
