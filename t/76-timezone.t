# The page's time zone setting: times on the page, the incident page and
# the history are rendered in that zone by the server (no JavaScript
# needed), day headings stay UTC days, feeds stay UTC; an unknown zone is
# refused with 422 and changes nothing.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest qw(:DEFAULT :page);

my $t = IncidentTest->new(status_page => '/')->start;

# 2026-01-15 12:00 UTC is 13:00 in Paris (CET) and 07:00 in New York (EST)
my $inc = $t->create_incident(title => 'Winter incident', status => 'resolved',
                              impact => 'minor',
                              startedAt => '2026-01-15T12:00:00Z',
                              message => 'All good again.');
my $id = $inc->{id};

sub page_text {
    my ($path) = @_;
    my $r = $t->page($path);
    is_status($r, 200, "GET $path");
    return $r->{content};
}

sub set_zone {
    my ($zone) = @_;
    my $r = $t->api(PATCH => '/api/v1/settings', {timezone => $zone});
    return $r;
}

my $html = page_text("/incidents/$id");
like($html, qr{<time datetime="2026-01-15T12:00:00Z">Jan 15, 2026, 12:00 UTC</time>},
     'no zone set: the start is shown in UTC');

is_status(set_zone('Europe/Paris'), 200, 'timezone Europe/Paris saved');
$html = page_text("/incidents/$id");
like($html, qr{<time datetime="2026-01-15T12:00:00Z">Jan 15, 2026, 13:00 CET</time>},
     'Europe/Paris: the start is shown at 13:00 CET');
like($html, qr{Times are in the Europe/Paris time zone\.}, 'the footer names the zone');
like($html, qr{data-tz="Europe/Paris"}, 'the script is told the zone too');

is_status(set_zone('America/New_York'), 200, 'timezone America/New_York saved');
$html = page_text('/history');
like($html, qr{<time datetime="[^"]+Z">\w{3} \d+, \d{4}, \d\d:\d\d E[SD]T</time>},
     'America/New_York: the history shows its times in New York time');
like(page_text("/incidents/$id"), qr{Jan 15, 2026, 07:00 EST</time>},
     'and the incident page its start at 07:00 EST');

my $feed = page_text('/feed.atom');
like($feed, qr{<published>2026-\d\d-\d\dT\d\d:\d\d:\d\dZ</published>},
     'the feed keeps RFC 3339 UTC times');

# the page's other times follow the zone too, the day headings stay UTC
$html = page_text('/');
like($html, qr{<time datetime="[^"]+Z">\w{3} \d+, \d{4}, \d\d:\d\d E[SD]T</time>},
     'the status page shows its times in the zone');
like($html, qr{<time datetime="[^"]+T00:00:00Z" data-d>}, 'day headings are UTC days');

my $before = $t->get_json('/api/v1/settings');
my $r = set_zone('Mars/Olympus_Mons');
is_problem($r, 422, 'an unknown zone is refused');
is($r->{json}{errors}[0]{field}, 'timezone', 'the error names the field');
is_deeply($t->get_json('/api/v1/settings'), $before, 'and nothing changed');

is_status(set_zone(''), 200, 'an empty zone goes back to UTC');
$html = page_text("/incidents/$id");
like($html, qr{Jan 15, 2026, 12:00 UTC</time>}, 'UTC again');

$t->stop;
done_testing;
