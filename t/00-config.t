# nginx -t: directive arguments are validated; the db directory is created
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;

# nginx -t must fail with an [emerg] message naming the directive
sub rejects {
    my ($t, $directive, $name) = @_;
    my ($ok, $out) = $t->nginx_t;
    ok(!$ok, "nginx -t fails: $name");
    like($out, qr/\[emerg\][^\n]*\Q$directive\E/,
         "the message names $directive: $name")
        or diag($out);
}

sub accepts {
    my ($t, $name) = @_;
    my ($ok, $out) = $t->nginx_t;
    ok($ok, "nginx -t passes: $name") or diag($out);
}

# --- a good configuration ------------------------------------------------

accepts(IncidentTest->new, 'default test configuration');
accepts(IncidentTest->new(db_size => undef), 'incident_db without size=');
accepts(IncidentTest->new(db_params => 'thread_pool=default'),
        'incident_db thread_pool=default');
accepts(IncidentTest->new(
            http_extra     => 'incident_public_url https://status.example.com;',
            server_extra   => 'incident_api_max_body 1m;',
            location_extra => 'incident_api_max_body 16k;'),
        'incident_public_url and incident_api_max_body');
{
    my $t = IncidentTest->new;
    $t->configure(server_extra =>
        "incident_public_url http://status.example.com/;\n"
        . "incident_api_tokens " . $t->prefix . "/tokens;");
    accepts($t, 'incident_public_url (server) and incident_api_tokens (server)');
}

# --- incident_db -----------------------------------------------------------

for my $size (qw(abc 0 -5 12q)) {
    rejects(IncidentTest->new(db_size => $size), 'incident_db',
            "incident_db size=$size");
}
rejects(IncidentTest->new(db_params => 'colour=blue'), 'incident_db',
        'incident_db with an unknown parameter');
{
    my $t = IncidentTest->new;
    $t->configure(http_extra => 'incident_db ' . $t->prefix . '/db2;');
    rejects($t, 'incident_db', 'two incident_db in one http block');
}
{
    my $t = IncidentTest->new;
    $t->configure(server_extra => 'incident_db ' . $t->prefix . '/db2;');
    rejects($t, 'incident_db', 'incident_db in a server block');
}

# --- incident_api_tokens ---------------------------------------------------

{
    my $t = IncidentTest->new;
    $t->configure(tokens_line =>
        'incident_api_tokens ' . $t->prefix . '/no-such-tokens;');
    rejects($t, 'incident_api_tokens', 'tokens file missing');
}
my %bad_tokens = (
    'line without a colon'        => "admin" . ('a' x 64) . "\n",
    'hash of 63 hex digits'       => "admin:" . ('a' x 63) . "\n",
    'hash of 65 hex digits'       => "admin:" . ('a' x 65) . "\n",
    'hash with non-hex digits'    => "admin:" . ('g' x 64) . "\n",
    'empty name'                  => ":" . ('a' x 64) . "\n",
);
for my $case (sort keys %bad_tokens) {
    rejects(IncidentTest->new(tokens_text => $bad_tokens{$case}),
            'incident_api_tokens', "tokens file: $case");
}
accepts(IncidentTest->new(tokens_text => "# only a comment\n\n"
                                         . "ops:" . ('0' x 64) . "\n\n"),
        'tokens file with comments and blank lines');

# --- incident_api ----------------------------------------------------------

rejects(IncidentTest->new(api_line => 'incident_api on;'), 'incident_api',
        'incident_api with an argument');
rejects(IncidentTest->new(server_extra => 'incident_api;'), 'incident_api',
        'incident_api in a server block');

# --- incident_public_url ---------------------------------------------------

for my $url ('ftp://status.example.com', 'status.example.com',
             '/incidents') {
    rejects(IncidentTest->new(http_extra => "incident_public_url $url;"),
            'incident_public_url', "incident_public_url $url");
}

# --- incident_api_max_body -------------------------------------------------

for my $size (qw(abc 10q -1)) {
    rejects(IncidentTest->new(location_extra => "incident_api_max_body $size;"),
            'incident_api_max_body', "incident_api_max_body $size");
}

# --- free-form configurations ------------------------------------------------

my $minimal = <<'CONF';
load_module @MODULE@;
error_log logs/error.log info;
pid logs/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    incident_db @PREFIX@/db;
    incident_api_tokens @TOKENS@;
    incident_api_max_body 32k;
    server {
        listen 127.0.0.1:@PORT@;
        location /api/ { incident_api; %LOCATION% }
    }
}
CONF
{
    (my $conf = $minimal) =~ s/%LOCATION%//;
    my ($ok, $out) = run_nginx_t($conf);
    ok($ok, 'nginx -t passes: minimal configuration, max_body in http')
        or diag($out);
}
{
    (my $conf = $minimal)
        =~ s/%LOCATION%/incident_public_url https:\/\/status.example.com;/;
    my ($ok, $out) = run_nginx_t($conf);
    ok(!$ok, 'nginx -t fails: incident_public_url in a location');
    like($out, qr/incident_public_url/, 'the message names incident_public_url')
        or diag($out);
}

# --- the db directory is created (nested) and owned by the worker user -----

{
    my $t = IncidentTest->new;
    my $db = $t->prefix . '/data/nested/db';
    $t->configure(db_path => $db);
    ok(!-e $db, 'db directory does not exist before start');
    $t->start;

    ok(-d $db, 'nginx created the nested incident_db directory');
    my $uid = (stat $db)[4];
    my $want = $> == 0 ? scalar getpwnam('nobody') : $>;
    is($uid, $want, 'the db directory belongs to the worker user'
                    . ($> == 0 ? ' (nobody)' : ''));

    # and the workers can write to it
    my $c = $t->create_component(name => 'API');
    is($c->{id}, 1, 'workers running as the default user can write');
    is($t->get_json('/api/v1/components/1')->{name}, 'API',
       'and read back');
    $t->stop;
}

done_testing;
