# the map fills up: every kind of write answers 507 problem+json saying
# what to do, reads and the status page keep working (also across a reload
# that does not change the size); the operator raises size= in incident_db
# and reloads: writes work again, far past the old size, with the earlier
# data intact, also after a restart. Then a second grow through a binary
# upgrade (USR2), where the old workers still serve next to the new ones
# that grew the map: the old ones take the larger map too.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest qw(:DEFAULT :page);
use Time::HiRes qw(time sleep);

my $FULL_RE = qr/\[crit\][^\n]*incident_db is full/;

# the smallest map size nginx -t accepts (as t/60-mapfull.t)
my $t;
for my $size (qw(128k 256k 512k 1m)) {
    my $c = IncidentTest->new(db_size => $size, status_page => '/',
                              workers => 2);
    my ($ok) = $c->nginx_t;
    if ($ok) {
        note("using incident_db size=$size");
        $t = $c;
        last;
    }
}
ok($t, 'incident_db accepts a size between 128k and 1m') or do {
    done_testing;
    exit;
};
$t->allow_log($FULL_RE);
$t->start;

my %stored;     # id => [title, message of the first update] of every 201
my $seq = 0;

sub create {
    my ($msg_len, %o) = @_;
    my $title = 'Fill ' . ++$seq;
    my $msg = "first of $title" . ($msg_len ? ' ' . ('m' x $msg_len) : '');
    my $r = $t->api(POST => '/api/v1/incidents',
                    {title => $title, status => 'investigating',
                     impact => 'minor', message => $msg});
    $stored{ $r->{json}{id} } = [$title, $msg] if $r->{status} == 201;
    return $r;
}

# every stored incident reads back whole, through the list and by id
sub all_intact {
    my ($when) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $items = $t->list_all('/api/v1/incidents?state=all', limit => 100);
    my %got = map { $_->{id} => $_ } @$items;
    my @bad;
    for my $id (sort { $a <=> $b } keys %stored) {
        my $i = $got{$id};
        my $u = $i ? ($i->{updates} || [])->[-1] : undef;
        push @bad, "incident $id: " . (!$i ? 'missing'
                                       : "title '$i->{title}', first update "
                                         . length($u->{message} // ''))
            unless $i && $i->{title} eq $stored{$id}[0]
                   && ($u->{message} // '') eq $stored{$id}[1];
    }
    ok(!@bad && @$items == keys %stored,
       "$when: the " . scalar(keys %stored) . ' acknowledged incidents are '
       . 'all there, whole, and nothing else') or diag(join "\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)]);
    my ($first) = sort { $a <=> $b } keys %stored;
    my $one = $t->api(GET => "/api/v1/incidents/$first");
    is_status($one, 200, "$when: GET /api/v1/incidents/$first");
}

sub reads_work {
    my ($when, $newest_title) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    all_intact($when);
    my $s = $t->api(GET => '/api/v1/status');
    is_status($s, 200, "$when: GET /api/v1/status");
    my $p = $t->page('/');
    is_status($p, 200, "$when: the status page answers 200");
    like($p->{content}, qr/\Q$newest_title\E/,
         "$when: and shows the newest incident ('$newest_title')");
    my $n = $t->page('/incidents/' . (sort { $a <=> $b } keys %stored)[0]);
    is_status($n, 200, "$when: an incident page answers 200");
}

# --- fill the map: large writes until a 507, then small ones until three
# in a row are refused (LMDB may find a few pages again once old readers
# are gone: "full" is the state where even small writes fail)

sub fill {
    my ($big) = @_;
    my ($full_big, $full_small, $refused) = (undef, undef, 0);
    for (1 .. 5000) {
        my $r = create($big);
        next if $r->{status} == 201;
        $full_big = $r;
        last;
    }
    for (1 .. 5000) {
        my $r = create(0);
        if ($r->{status} == 201) {
            $refused = 0;
            next;
        }
        $full_small //= $r;
        last if $r->{status} != 507 || ++$refused == 3;
        $t->api(GET => '/api/v1/status');
    }
    return ($full_big, $full_small, $refused);
}

my ($full_big, $full_small, $refused) = fill(4000);
ok($full_big, scalar(keys %stored) . ' large incidents fit, then a write fails')
    or BAIL_OUT('the store never filled up');
ok($full_small && $refused == 3,
   'small incidents fill the rest, then three small writes in a row fail');
my $small_size = $t->{db_size};
my $filled = scalar keys %stored;
my ($newest) = map { $stored{$_}[0] } sort { $b <=> $a } keys %stored;
note("$filled incidents stored in size=$small_size");

for my $r ($full_big, $full_small) {
    is_problem($r, 507, "the refused write answers 507 problem+json");
    is($r->{json}{type}, 'urn:incident:problem:store-full',
       '  type urn:incident:problem:store-full');
    like($r->{json}{detail} // '', qr/full/i,
         '  its detail says the store is full')
        or diag($r->{content});
    like($r->{json}{detail} // '', qr/not made/i,
         '  and that the change was not made') or diag($r->{content});
}

# an update is refused the same way; the refused writes change nothing
{
    my ($id) = sort { $a <=> $b } keys %stored;
    my $before = $t->state_snapshot;
    my $r = $t->api(POST => "/api/v1/incidents/$id/updates",
                    {status => 'identified', message => 'u' x 20000});
    is_problem($r, 507, 'POST /api/v1/incidents/{id}/updates on the full '
                        . 'store: 507');
    like($r->{json}{detail} // '', qr/full/i, '  saying the store is full');
    is_problem(create(19000), 507, 'POST /api/v1/incidents: 507 again');
    is($t->state_snapshot, $before, 'the refused writes changed nothing');
}

my $crit = () = $t->error_log =~ /$FULL_RE/g;
ok($crit >= 1, "error.log has [crit] lines saying incident_db is full ($crit)");
like($t->error_log, qr/\[crit\][^\n]*raise "size=" of incident_db/,
     'and telling the operator to raise size=');

reads_work('full', $newest);

# a reload without a larger size: the new workers open the full store and
# serve reads; writes still answer 507
$t->reload;
reads_work('full, after a reload', $newest);
is_problem(create(19000), 507, 'full, after a reload: a write still answers 507');

# --- the operator raises size= and reloads --------------------------------------

$t->configure(db_size => '8m');
$t->reload;
{
    my $r = create(0);
    is_status($r, 201, 'size=8m and a reload: a write is acknowledged again');
    ($newest) = $stored{ $r->{json}{id} // 0 }[0] // 'none';
    my $u = $t->api(POST => '/api/v1/incidents/' . ($r->{json}{id} // 0)
                            . '/updates',
                    {status => 'identified', message => 'after the grow'});
    is_status($u, 201, '  an update too');
    my $c = $t->api(POST => '/api/v1/components', {name => 'After the grow'});
    is_status($c, 201, '  and a component');
}
reads_work('after the grow', $newest);

# far more than the old map held
{
    my $more = 0;
    my $bad;
    for (1 .. 2 * $filled) {
        my $r = create(4000);
        if ($r->{status} != 201) {
            $bad = $r;
            last;
        }
        $more++;
    }
    ok(!$bad, "after the grow: $more more large incidents fit "
              . "(twice what size=$small_size held)")
        or diag(IncidentTest::dump_response($bad));
    ($newest) = map { $stored{$_}[0] } sort { $b <=> $a } keys %stored;
}
reads_work('after writing past the old size', $newest);

$t->restart;
reads_work('after a restart with size=8m', $newest);

# --- a second grow through a binary upgrade (USR2) -------------------------------
# Fill size=8m, then raise it to 32m and start a new master with USR2: its
# workers open the larger map next to the old workers, which still answer
# on the same sockets until WINCH. Both kinds must answer writes.

{
    my ($big, $small, $n) = fill(16000);
    is_problem($big, 507, 'size=8m fills up too: 507') if $big;
    ok($big && $small && $n == 3, 'size=8m is full: large and small writes '
                                  . 'answer 507');

    my $old = $t->master_pid;
    my %old_w = map { $_ => 1 } $t->worker_pids;
    $t->configure(db_size => '32m');
    kill 'USR2', $old;
    my $new;
    ok(IncidentTest::wait_until(20, sub {
        my $ob = IncidentTest::read_pid($t->pid_path . '.oldbin');
        $new = IncidentTest::read_pid($t->pid_path);
        $ob && $ob == $old && $new && $new != $old && IncidentTest::alive($new);
    }), 'USR2: a new master starts (nginx.pid.oldbin is the old one)');
    my @new_w;
    ok(IncidentTest::wait_until(20, sub {
        @new_w = IncidentTest::children_of($new // 0);
        @new_w >= 2;
    }), 'and its workers start');
    my %new_w = map { $_ => 1 } @new_w;

    # writes through both kinds of workers until each kind has taken some.
    # Until a new worker commits, the store still records the 8m map: an
    # old worker's 507 then is right. From the first commit of a new worker
    # on, the store records 32m and the old workers must use it.
    my (%by, @refused, @seq, $grown);
    my $deadline = time + 20;
    while (time < $deadline) {
        my $r = create(2000);
        my $pid = $r->{headers}{'x-worker-pid'} // 0;
        my $kind = $old_w{$pid} ? 'old' : $new_w{$pid} ? 'new' : 'other';
        push @seq, "$kind $pid: $r->{status}";
        $grown = 1 if $kind eq 'new' && $r->{status} == 201;
        if ($r->{status} == 201) {
            $by{$kind}++;
        } elsif ($grown) {
            push @refused, "$kind worker $pid: $r->{status} "
                           . ($r->{json}{detail} // $r->{content});
        }
        last if ($by{old} // 0) >= 10 && ($by{new} // 0) >= 10;
    }
    ok($by{new}, 'the new workers (size=32m) take writes ('
                 . ($by{new} // 0) . ')');
    ok($by{old}, 'the old workers, still serving, take writes too ('
                 . ($by{old} // 0) . ')');
    ok($grown && !@refused,
       'once a new worker has committed (the store records size=32m), no '
       . 'old worker refuses a write')
        or diag(scalar(@refused) . " refused after the grow; requests in "
                . "order:\n" . join("\n", @seq));

    kill 'WINCH', $old;
    ok(IncidentTest::wait_until(20, sub {
        !grep { IncidentTest::alive($_) } keys %old_w }),
       'WINCH: the old workers exit');
    kill 'QUIT', $old;
    ok(IncidentTest::wait_until(20, sub { !IncidentTest::alive($old) }),
       'QUIT: the old master exits');
    # the harness follows the new master from here on
    $t->{master} = $new;
    ($newest) = map { $stored{$_}[0] } sort { $b <=> $a } keys %stored;
    reads_work('after the upgrade to size=32m', $newest);
}

$t->restart;
reads_work('after a last restart', $newest);
is_status(create(1000), 201, 'and writes work');

$t->stop;
done_testing;
