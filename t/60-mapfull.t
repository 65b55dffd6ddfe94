# a full store: writes answer 507 with a [crit] log line, reads keep working
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;

my $FULL_RE = qr/\[crit\][^\n]*(?:full|MDB_MAP_FULL)/i;

# the smallest map size nginx -t accepts
my $t;
for my $size (qw(128k 256k 512k 1m)) {
    my $c = IncidentTest->new(db_size => $size);
    my ($ok, $out) = $c->nginx_t;
    if ($ok) {
        note("using incident_db size=$size");
        $t = $c;
        last;
    }
    note("size=$size rejected:\n$out");
}
ok($t, 'incident_db accepts a size between 128k and 1m') or do {
    done_testing;
    exit;
};
$t->allow_log($FULL_RE);
$t->start;

is_status($t->api(GET => '/api/v1/status'), 200, 'a small store opens');

my (@ids, $full);
for my $n (1 .. 2000) {
    my $r = $t->api(POST => '/api/v1/incidents',
                    {title => "Fill $n", status => 'investigating', impact => 'minor',
                     message => "update $n " . ('m' x 4000)});
    if ($r->{status} == 201) {
        push @ids, $r->{json}{id};
        next;
    }
    $full = $r;
    last;
}
ok(@ids > 0, scalar(@ids) . ' incidents fit before the store is full');
ok($full, 'a write eventually fails') or do {
    $t->stop;
    done_testing;
    exit;
};
is_problem($full, 507, 'the write to a full store answers 507');

my $crit = () = $t->error_log =~ /$FULL_RE/g;
is($crit, 1, 'error.log has one [crit] line saying the store is full')
    or diag($t->error_log_tail);

sub reads_work {
    my ($when) = @_;
    my $items = $t->list_all('/api/v1/incidents', limit => 100);
    is_deeply(ids_of($items), [reverse @ids], "$when: the list has every incident written");
    my $first = $t->get_json("/api/v1/incidents/$ids[0]");
    is(length(($first->{updates}[0] || {})->{message} // ''), length("update 1 ") + 4000,
       "$when: the first incident is whole");
    my $last = $t->get_json("/api/v1/incidents/$ids[-1]");
    is($last->{title}, "Fill " . scalar(@ids), "$when: the last acknowledged incident is there");
    my $s = $t->get_json('/api/v1/status');
    is(scalar @{ $s->{activeIncidents} || [] }, scalar @ids,
       "$when: the status lists them");
}

reads_work('after the 507');

my $again = $t->api(POST => '/api/v1/incidents',
                    {title => 'Still full', status => 'investigating', impact => 'minor',
                     message => 'n' x 16000});
is_problem($again, 507, 'a second large write also answers 507');
ok(!(grep { $_->{title} eq 'Still full' }
     @{ $t->list_all('/api/v1/incidents', limit => 100) }),
   'the refused incident was not stored');

$t->restart;
reads_work('after a restart');

$t->stop;
done_testing;
