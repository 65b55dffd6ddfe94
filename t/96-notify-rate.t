# incident_notify_rate paces deliveries: a fan-out to 40 webhooks at 10 a
# second takes about 4 seconds, where without a limit it takes a moment
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;
use WebhookReceiver;
use Time::HiRes qw(time);

my $rx = WebhookReceiver->new(script => { '*' => [ [200] ] });

sub fan_out {
    my ($rate, $path) = @_;
    my $t = IncidentTest->new(
        workers    => 1,
        http_extra => "incident_webhook_allow_private on;\n    "
                    . ($rate ? "incident_notify_rate $rate;" : ''),
    )->start;

    for my $n (1 .. 40) {
        my $r = $t->api(POST => '/api/v1/subscribers',
                        {type => 'webhook', url => $rx->url("$path/$n")});
        die "subscriber $n: $r->{status}" unless $r->{status} == 201;
    }

    my $start = time;
    is($t->create_incident(title => 'Paced', status => 'investigating',
                           impact => 'minor')->{id}, 1, "incident ($path)");

    my @got = $rx->wait_for(qr{^\Q$path\E/}, 40, 30);
    is(scalar @got, 40, "all 40 webhooks arrived ($path)");
    my @times = sort { $a <=> $b } map { $_->{time} } @got;
    $t->stop;

    return ($times[-1] - $start, $times[-1] - $times[0]);
}

my ($free_total) = fan_out(0, '/free');
cmp_ok($free_total, '<', 3, "without a limit: all within 3 s ($free_total)");

my ($paced_total, $paced_span) = fan_out(10, '/paced');
cmp_ok($paced_span, '>=', 2.5,
       "at 10 a second the 40 deliveries spread over 2.5 s or more "
       . "($paced_span)");
cmp_ok($paced_total, '<', 15, "and all arrive within 15 s ($paced_total)");

$rx->stop;
done_testing;
