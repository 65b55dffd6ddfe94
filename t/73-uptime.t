# 90-day uptime on the status page, for a known history.
#
# The rule: downtime = major-outage time + 0.3 x partial-outage time, at
# each moment the worst status counting, over the time the component has
# data (from the earlier of its creation and the start of the first
# incident naming it, clipped to the 90-day window, up to now). A component
# linked to an incident is partial_outage from startedAt to resolvedAt (or
# now); base status changes count from the moment they are made.
#
# Expectations come from a model of that rule. Times the API reports
# (createdAt, startedAt, resolvedAt) are exact; the moments of base status
# changes and of rendering are only known to the second they fall in, so
# the expectation is a range over those seconds.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use POSIX ();
use Time::HiRes qw(time sleep);
use IncidentTest qw(:DEFAULT :page);

my $DAY = 86400;
my %SEVERITY = (operational => 0, under_maintenance => 1,
                degraded_performance => 2, partial_outage => 3, major_outage => 4);
my %WEIGHT = (major_outage => 1, partial_outage => 0.3);

my $t = IncidentTest->new(status_page => '/')->start;

sub day_start { $_[0] - $_[0] % $DAY }

# uptime in percent of SPANS ([from, to, status]) over [since, now],
# since clipped to the 90-day window of now
sub model_uptime {
    my ($spans, $since, $now) = @_;
    my $window = day_start($now) - 89 * $DAY;
    $since = $window if $since < $window;
    my %cut = ($since => 1, $now => 1);
    for my $s (@$spans) {
        for my $x ($s->[0], $s->[1]) {
            $cut{$x} = 1 if $x > $since && $x < $now;
        }
    }
    my @cuts = sort { $a <=> $b } keys %cut;
    my ($known, $down) = (0, 0);
    for my $k (0 .. $#cuts - 1) {
        my ($a, $b) = @cuts[$k, $k + 1];
        my $worst = 'operational';
        for my $s (@$spans) {
            $worst = $s->[2] if $s->[0] <= $a && $s->[1] >= $b
                                && $SEVERITY{$s->[2]} > $SEVERITY{$worst};
        }
        $known += $b - $a;
        $down += ($WEIGHT{$worst} // 0) * ($b - $a);
    }
    return $known > 0 ? 100 * (1 - $down / $known) : 100;
}

# [min, max] of CODE->(values) over every corner of the ranges
sub model_range {
    my ($code, @ranges) = @_;
    my ($min, $max);
    for my $mask (0 .. 2**@ranges - 1) {
        my @v = map { $ranges[$_][ ($mask >> $_) & 1 ] } 0 .. $#ranges;
        my $u = $code->(@v);
        $min = $u if !defined $min || $u < $min;
        $max = $u if !defined $max || $u > $max;
    }
    return [$min, $max];
}

# the uptime shown for component NAME: (aria-label percent, .upl percent,
# the <svg> markup)
sub shown {
    my ($html, $id) = @_;
    my ($tag) = grep { $_->{'data-component-id'} eq $id }
                @{ page_elements($html, 'data-component-id') };
    return () unless $tag;
    my $li = page_element_html($html, $tag->{_pos});
    # a group's own bars come before its members' list
    $li =~ s{<ul class="comps">.*}{}s;
    my ($svg) = $li =~ m{(<svg class="bars".*?</svg>)}s;
    my ($label) = ($svg // '') =~ m{aria-label="[^"]*: ([^" ]+) uptime over the past 90 days"};
    my ($upl) = $li =~ m{<div class="upl">.*?<span>([^<]+) uptime</span>}s;
    return ($label, $upl, $svg // '');
}

sub uptime_is {
    my ($html, $comp, $range, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my ($label, $upl) = shown($html, $comp->{id});
    my $want = sprintf '%.2f%% .. %.2f%%', @$range;
    ok(defined $label && $label =~ /^(?:100|\d{1,2}\.\d\d)%\z/,
       "$name: aria-label gives a percentage like 99.95% or 100%")
        or diag('aria-label: ' . ($label // 'none'));
    is($upl, $label, "$name: the .upl line shows the same percentage");
    my ($p) = ($label // '') =~ /^([\d.]+)%/;
    my ($lo, $hi) = @$range;
    # rounding to two decimals; 100% for anything from 99.995 up
    my $ok = defined $p
        && ($p == 100 ? $hi >= 99.995
                      : $p >= $lo - 0.005 - 1e-9 && $p <= $hi + 0.005 + 1e-9);
    ok($ok, "$name: uptime $want") or diag("shown: " . ($label // 'none'));
}

# run CODE; returns ([first second, last second] it ran in, its result)
sub timed {
    my ($code) = @_;
    my $before = int time;
    my @r = $code->();
    return ([$before, int time], @r);
}

# wait until SECOND + 0.05 (so that what follows happens within it)
sub sync_to {
    my ($second) = @_;
    my $d = $second + 0.05 - time;
    sleep $d if $d > 0;
}

sub patch_base {
    my ($c, $status) = @_;
    my ($when, $r) = timed(sub {
        $t->api(PATCH => "/api/v1/components/$c->{id}", {baseStatus => $status})
    });
    is_status($r, 200, "$c->{name}: baseStatus $status");
    return $when;
}

sub resolve {
    my ($inc) = @_;
    $t->post_update($inc->{id}, status => 'resolved', message => 'Resolved.');
    return rfc3339_to_epoch($t->get_json("/api/v1/incidents/$inc->{id}")->{resolvedAt});
}

sub epoch { rfc3339_to_epoch($_[0]) }

# --- the history -------------------------------------------------------------

sync_to(int(time) + 1);
my $S = int time;

# a quiet component
my $quiet = $t->create_component(name => 'Quiet');

# an incident backdated two days, resolved now
my $back = $t->create_component(name => 'Backdated');
my $ib = $t->create_incident(title => 'Two days of trouble', impact => 'major',
                             componentIds => [$back->{id}],
                             startedAt => epoch_to_rfc3339($S - 2 * $DAY));
my $ib_start = epoch($ib->{startedAt});
is($ib_start, $S - 2 * $DAY, 'the incident starts two days ago');

# two overlapping incidents: the overlap counts once
my $over = $t->create_component(name => 'Overlap');
my $io1 = $t->create_incident(title => 'Long one', componentIds => [$over->{id}],
                              startedAt => epoch_to_rfc3339($S - 3 * $DAY));
my $io2 = $t->create_incident(title => 'Short one', componentIds => [$over->{id}],
                              startedAt => epoch_to_rfc3339($S - 1 * $DAY));

# older than the window: only the last 90 days count
my $old = $t->create_component(name => 'Ancient');
my $iold = $t->create_incident(title => 'Since long ago', componentIds => [$old->{id}],
                               startedAt => epoch_to_rfc3339($S - 120 * $DAY));

# a group: one member with a backdated incident, one quiet
my $grp = $t->create_component(name => 'Group');
my $gm1 = $t->create_component(name => 'Member hit', groupId => $grp->{id});
my $gm2 = $t->create_component(name => 'Member quiet', groupId => $grp->{id});
my $ig = $t->create_incident(title => 'Member trouble', componentIds => [$gm1->{id}],
                             startedAt => epoch_to_rfc3339($S - 1 * $DAY));

# a measured major outage
my $major = $t->create_component(name => 'Major');

# a major outage while an incident is open: the worst counts, not the sum
my $mixed = $t->create_component(name => 'Mixed');
my $im = $t->create_incident(title => 'Open during the outage', componentIds => [$mixed->{id}]);

for my $inc ($ib, $io1, $io2, $iold) {
    $inc->{resolved} = resolve($inc);
}

sync_to($S + 1);
my $major_on = patch_base($major, 'major_outage');
my $mixed_on = patch_base($mixed, 'major_outage');
sync_to($S + 4);
my $major_off = patch_base($major, 'operational');
my $mixed_off = patch_base($mixed, 'operational');
sync_to($S + 5);
my $im_resolved = resolve($im);
$ig->{resolved} = resolve($ig);
sync_to($S + 7);
my ($now, $r) = timed(sub { $t->page('/') });
is_status($r, 200, 'GET / -> 200');
my $html = $r->{content};

# --- what the page says ---------------------------------------------------------

{
    my ($label, $upl, $svg) = shown($html, $quiet->{id});
    is($label, '100%', 'no incidents: 100% in the aria-label');
    is($upl, '100%', 'no incidents: 100% on the .upl line');
    like($svg, qr{role="img" aria-label="Quiet: 100% uptime over the past 90 days"},
         'the bars are an image labelled with name and uptime');
    my @rects = $svg =~ m{(<rect .*?</rect>)}gs;
    is(scalar @rects, 2, 'a new quiet component: two runs of bars');
    like($rects[0] // '', qr{^<rect x="0" width="355" [^>]*fill="url\(#p-none\)"><title>No data</title>},
         'the 89 days before it existed: no data');
    like($rects[1] // '', qr{^<rect x="356" width="3" [^>]*fill="url\(#p-ok\)"><title>No downtime</title>},
         'today: no downtime');
}

uptime_is($html, $back, model_range(sub {
    model_uptime([[$ib_start, $ib->{resolved}, 'partial_outage']], $ib_start, $_[0]);
}, $now), 'an incident backdated two days, resolved now (about 70%)');

{
    my ($label, undef, $svg) = shown($html, $back->{id});
    like($label // '', qr/^(?:69\.99|70\.00)%$/, 'two days of partial outage: 70.00%');
    # the bars: no data before the incident's day, then partial outage days
    my $first = day_start($now->[1]) - 89 * $DAY;
    my @bad;
    for my $d (0 .. 89) {
        my $day = $first + $d * $DAY;
        my $x = $d * 4;
        my @tm = gmtime $day;
        my $date = POSIX::strftime('%b ', @tm) . $tm[3] . POSIX::strftime(', %Y', @tm);
        if ($day + $DAY <= $ib_start) {
            push @bad, "day $d ($date) has its own bar"
                if $svg =~ m{<rect x="$x" width="3"};
        } else {
            push @bad, "day $d ($date): no partial-outage bar with the incident"
                unless $svg =~ m{<rect x="$x" width="3" height="28" rx="1" fill="var\(--partial_outage\)"><title>\Q$date\E: Partial Outage - Two days of trouble</title></rect>};
        }
    }
    ok(!@bad, 'bars: no data before the incident, a partial outage bar for each of its days')
        or diag(join("\n", @bad) . "\n$svg");
    like($svg, qr{^<svg[^>]*><rect x="0" width="\d+" height="28" fill="url\(#p-none\)"><title>No data</title></rect>},
         'the days before run together as "No data"');
}

uptime_is($html, $over, model_range(sub {
    model_uptime([[epoch($io1->{startedAt}), $io1->{resolved}, 'partial_outage'],
                  [epoch($io2->{startedAt}), $io2->{resolved}, 'partial_outage']],
                 epoch($io1->{startedAt}), $_[0]);
}, $now), 'two overlapping incidents count once (about 70%)');

uptime_is($html, $old, model_range(sub {
    model_uptime([[epoch($iold->{startedAt}), $iold->{resolved}, 'partial_outage']],
                 epoch($iold->{startedAt}), $_[0]);
}, $now), 'an incident older than the window: only 90 days count (about 70%)');
{
    my (undef, undef, $svg) = shown($html, $old->{id});
    my $n = () = $svg =~ m{fill="var\(--partial_outage\)"}g;
    is($n, 90, 'an incident over the whole window: 90 partial-outage bars');
}

uptime_is($html, $major, model_range(sub {
    my ($on, $off, $n) = @_;
    model_uptime([[$on, $off, 'major_outage']], epoch($major->{createdAt}), $n);
}, $major_on, $major_off, $now), 'three seconds of major outage in seven (about 57%)');

uptime_is($html, $mixed, model_range(sub {
    my ($on, $off, $n) = @_;
    model_uptime([[$on, $off, 'major_outage'],
                  [epoch($im->{startedAt}), $im_resolved, 'partial_outage']],
                 epoch($mixed->{createdAt}), $n);
}, $mixed_on, $mixed_off, $now),
    'major outage during an open incident: the worst counts (about 49%)');

{
    my ($gl) = shown($html, $grp->{id});
    my ($ml) = shown($html, $gm1->{id});
    my ($ql) = shown($html, $gm2->{id});
    ok(defined $gl, 'a group has its own uptime bars');
    is($ql, '100%', 'the quiet member: 100%');
    uptime_is($html, $gm1, model_range(sub {
        model_uptime([[epoch($ig->{startedAt}), $ig->{resolved}, 'partial_outage']],
                     epoch($ig->{startedAt}), $_[0]);
    }, $now), 'the member with the incident (about 70%)');
    my ($g) = ($gl // '') =~ /^([\d.]+)%/;
    my ($m) = ($ml // '') =~ /^([\d.]+)%/;
    ok(defined $g && defined $m && $g >= $m && $g <= 100,
       "the group's uptime ($gl) lies between its worst member's ($ml) and 100%");
}

# nothing changes the past: a later render gives the same numbers
{
    sync_to(int(time) + 1);
    $t->api(PATCH => '/api/v1/settings', {pageTitle => 'Status again'});
    my ($now2, $r2) = timed(sub { $t->page('/') });
    uptime_is($r2->{content}, $major, model_range(sub {
        my ($on, $off, $n) = @_;
        model_uptime([[$on, $off, 'major_outage']], epoch($major->{createdAt}), $n);
    }, $major_on, $major_off, $now2), 'later: the major outage counts over a longer window');
}

$t->stop;
done_testing;
