# email notifications through a real SMTP server (aiosmtpd on loopback):
# double opt-in, the notification mail's headers and parts, per-component
# filtering, notify=false, admin-added subscribers, the confirmation
# throttle, expiry of unconfirmed addresses, RFC 8058 one-click
# unsubscribe, non-ASCII subjects and header injection, retries with the
# same Message-ID
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(sleep time);
use Time::Local qw(timegm);
use IncidentTest qw(:DEFAULT :page);
use SmtpSink;

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $API  = '/api/v1';
my $BASE = 'https://status.example.com';
my $FROM = 'Example Status <status@example.com>';

sub mail_conf {
    my ($sink, @more) = @_;
    return join "\n    ",
        'incident_smtp ' . $sink->url . ';',
        "incident_public_url $BASE;",
        qq{incident_mail_from "$FROM";},
        @more;
}

my $sink = SmtpSink->new->start;

my $t = IncidentTest->new(
    workers     => 2,
    status_page => '/',
    http_extra  => mail_conf($sink,
                             'incident_notify_retries 3 base=1s max=1s;',
                             'incident_subscribe_resend 1h;'),
)->start;

# --- helpers -----------------------------------------------------------------------

sub aget { $t->api(GET => $_[0], undef, token => 'admin') }

# the mails to ADDRESS (envelope recipient), optionally whose subject
# matches RE
sub mails_to {
    my ($addr, $re, $s) = @_;
    $s //= $sink;
    return [ grep { $_->is_to($addr)
                    && (!$re || ($_->header('Subject') // '') =~ $re) }
             @{ $s->messages } ];
}

# waits until COUNT mails to ADDRESS (subject matching RE) are there;
# returns them
sub wait_mails {
    my ($addr, $re, $count, $timeout, $s) = @_;
    $s //= $sink;
    return $s->wait_for($count // 1, $timeout // 20, sub {
        $_[0]->is_to($addr) && (!$re || ($_[0]->header('Subject') // '') =~ $re)
    });
}

# exactly one mail to ADDRESS with a subject matching RE, also after a
# short quiet time; returns it (or {})
sub one_mail {
    my ($addr, $re, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $got = wait_mails($addr, $re, 1);
    if (@$got) {
        sleep 1;            # a second copy would come about now
        $got = mails_to($addr, $re);
    }
    is(scalar @$got, 1, $name)
        or diag("mails to $addr: "
                . join(' | ', map { $_->header('Subject') // '(none)' }
                                  @{ mails_to($addr) }));
    return $got->[0] // bless({ headers => [], rcpt => [] },
                              'SmtpSink::Message');
}

# the lines of TEXT match the regexes in this order (other lines between)
sub lines_in_order {
    my ($text, $res, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @lines = split /\n/, $text // '';
    my $i = 0;
    my @missing;
    for my $re (@$res) {
        my $found;
        while ($i < @lines) {
            if ($lines[$i++] =~ $re) { $found = 1; last; }
        }
        unless ($found) { push @missing, "$re"; last; }
    }
    ok(!@missing, $name)
        or diag("no line matching $missing[0] (in order) in:\n$text");
}

my %MON = (Jan => 0, Feb => 1, Mar => 2, Apr => 3, May => 4, Jun => 5,
           Jul => 6, Aug => 7, Sep => 8, Oct => 9, Nov => 10, Dec => 11);
sub mail_date_epoch {
    my ($d) = @_;
    return undef unless defined $d && $d =~
        /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d?) (\w{3}) (\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)\z/;
    return undef unless exists $MON{$2};
    my $e = timegm($6, $5, $4, $1, $MON{$2}, $3);
    my $off = ($8 * 60 + $9) * 60;
    return $7 eq '+' ? $e - $off : $e + $off;
}

sub form_post {
    my ($path, $body, %o) = @_;
    return $t->api(POST => $path, $body, token => undef,
                   content_type => 'application/x-www-form-urlencoded', %o);
}

# the path and query of one of our public links
sub local_path {
    my ($url) = @_;
    return undef unless defined $url;
    (my $p = $url) =~ s{^\Q$BASE\E}{} or return undef;
    return $p;
}

sub deliveries {
    my ($id) = @_;
    my $r = aget("$API/subscribers/$id/deliveries?limit=100");
    return $r->{json}{data} || [];
}

sub subscriber_id {
    my ($email) = @_;
    my $r = aget("$API/subscribers?limit=100");
    my ($s) = grep { lc($_->{email} // '') eq lc $email }
              @{ $r->{json}{data} || [] };
    return $s ? $s->{id} : undef;
}

# waits until no job is pending: every mail so far has been sent
sub settle {
    my ($tt) = @_;
    $tt //= $t;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $ok = IncidentTest::wait_until(20, sub {
        my $q = $tt->api(GET => "$API/queue", undef, token => 'admin')->{json};
        return $q && defined $q->{queued} && $q->{queued} == 0
               && defined $q->{fanouts} && $q->{fanouts} == 0;
    });
    ok($ok, 'the queue is empty');
}

# the header lines of a raw message, as they came
sub raw_header_lines {
    my ($m) = @_;
    (my $raw = $m->{raw}) =~ s/\r\n/\n/g;
    my ($head) = split /\n\n/, $raw, 2;
    return split /\n/, $head;
}

# --- setup -------------------------------------------------------------------------

is($t->create_component(name => 'API')->{id}, 1, 'component API is 1');
is($t->create_component(name => 'Dashboard')->{id}, 2,
   'component Dashboard is 2');
is_status($t->api(PATCH => "$API/settings", {pageTitle => 'Example Status'}),
          200, 'page title "Example Status"');

# admin-added: confirmed at once, no confirmation mail
my $watcher = $t->api(POST => "$API/subscribers",
                      {type => 'email', email => 'watcher@example.org'});
is_status($watcher, 201, 'admin adds watcher@example.org (all components)');
is_true($watcher->{json}{confirmed}, '  confirmed at once');
my $comp1 = $t->api(POST => "$API/subscribers",
                    {type => 'email', email => 'comp1@example.org',
                     componentIds => [1]});
is_status($comp1, 201, 'admin adds comp1@example.org (component API only)');

# --- double opt-in ----------------------------------------------------------------------

my $r = $t->api(POST => "$API/subscribers", {email => 'sub@example.org'},
                token => undef);
is_status($r, 202, 'public POST /subscribers sub@example.org -> 202');
my $sub_id = subscriber_id('sub@example.org');
ok($sub_id, '  the address is stored (unconfirmed)');

my $confirm = one_mail('sub@example.org', qr/^Confirm your subscription/,
                       'exactly one confirmation mail');
is($confirm->header('Subject'), 'Confirm your subscription to Example Status',
   '  Subject: Confirm your subscription to <pageTitle>');
is($confirm->header('From'), $FROM, '  From: incident_mail_from');
is($confirm->header('To'), 'sub@example.org', '  To: the address');
is_deeply($confirm->{rcpt}, ['sub@example.org'],
          '  envelope: to the address only');
is($confirm->{mail_from}, 'status@example.com',
   '  envelope sender: the bare address of incident_mail_from');
my $cl = $confirm->links;
like($cl->{confirm} // '',
     qr{^\Q$BASE\E/subscribe/confirm\?token=[0-9]+\.[0-9a-f]+\z},
     '  the text has URL/subscribe/confirm?token=T');
ok(grep({ $_ eq ($cl->{confirm} // 'none') } @{ $confirm->html_links }),
   '  the HTML links to the same confirmation URL');
like($confirm->header('Message-ID') // '',
     qr/^<\d+\.[0-9a-f]+\@status\.example\.com>\z/,
     '  Message-ID <JOBID.hex@host of the public URL>');
is($confirm->header('Auto-Submitted'), 'auto-generated',
   '  Auto-Submitted: auto-generated');
unlike($confirm->{text} // '', qr{/incidents/\d}, '  no incident in it');

# before confirming: no notification to the address
my $pre = $t->create_incident(title => 'Before the confirmation',
                              status => 'investigating', impact => 'minor',
                              message => 'Not for sub yet.',
                              componentIds => [1, 2]);
ok(@{ wait_mails('watcher@example.org', qr/Before the confirmation/) },
   'the incident before the confirmation reaches watcher');
ok(@{ wait_mails('comp1@example.org', qr/Before the confirmation/) },
   '  and comp1 (it is on component API)');
sleep 1.5;
is_deeply([ map { $_->header('Subject') } @{ mails_to('sub@example.org') } ],
          ['Confirm your subscription to Example Status'],
          'an unconfirmed address gets no notification, only its '
          . 'confirmation mail');
is_deeply([ map { $_->{kind} } @{ deliveries($sub_id) } ], ['confirm'],
          '  its delivery history has only the confirmation');

# confirm with the token of the mail's link
my ($ctoken) = ($cl->{confirm} // '') =~ /token=([^&]+)/;
$r = form_post('/subscribe/confirm', 'token=' . uri_escape($ctoken // ''));
is_status($r, 200, 'POST /subscribe/confirm token=T -> 200');
like(html_text($r->{content}), qr/Subscription confirmed/,
     '  "Subscription confirmed"');
{
    my $s = aget("$API/subscribers/$sub_id")->{json} || {};
    is_true($s->{confirmed}, '  the subscriber is confirmed');
    like($s->{confirmedAt} // '', $RFC3339_RE, '  confirmedAt is set');
    is($s->{source}, 'public', '  source stays "public"');
}

# --- the notification mail ---------------------------------------------------------

my $t0 = time;
my $seed = $t->create_incident(
    title => 'Database connectivity issues', status => 'investigating',
    impact => 'major',
    message => 'We are investigating reports of database issues.',
    componentIds => [1, 2]);
my $t1 = time;
my $sid = $seed->{id};
my $seed_upd = $seed->{updates}[0] || {};

my $m = one_mail('sub@example.org', qr/Database connectivity issues/,
                 'after confirming, the incident sends exactly one mail');
is($m->header('Subject'), '[Investigating] Database connectivity issues',
   'Subject: [Investigating] Database connectivity issues');
is($m->header('From'), $FROM, 'From');
is($m->header('To'), 'sub@example.org', 'To');
is_deeply($m->{rcpt}, ['sub@example.org'], 'envelope recipient');
{
    my $e = mail_date_epoch($m->header('Date'));
    ok(defined $e && $e >= int($t0) - 2 && $e <= $t1 + 30,
       'Date: an RFC 5322 date of now')
        or diag('Date: ' . ($m->header('Date') // 'missing'));
}
my $mid = $m->header('Message-ID') // '';
like($mid, qr/^<[0-9]+\.[0-9a-f]{8,}\@status\.example\.com>\z/,
     'Message-ID <JOBID.hex@status.example.com>');
{
    my ($job) = $mid =~ /^<([0-9]+)\./;
    my ($d) = grep { ($_->{kind} // '') eq 'deliver'
                     && ($_->{incidentId} // 0) == $sid } @{ deliveries($sub_id) };
    fields_are($d || {}, {outcome => 'delivered', type => 'incident.created',
                          updateId => $seed_upd->{id}, attempt => 1},
               'the delivery history: delivered at the first attempt');
    like($d->{detail} // '', qr/^SMTP 250\b/, '  detail "SMTP 250..."');
    is($job, $d->{jobId}, 'the Message-ID starts with the job id');
}
my $lu = $m->header('List-Unsubscribe') // '';
like($lu, qr{^<\Q$BASE\E/unsubscribe\?token=[0-9]+\.[0-9a-f]+>\z},
     'List-Unsubscribe: <URL/unsubscribe?token=T>');
is($m->header('List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click',
   'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
is($m->header('Auto-Submitted'), 'auto-generated',
   'Auto-Submitted: auto-generated');
is($m->header('MIME-Version'), '1.0', 'MIME-Version: 1.0');
like($m->header('Content-Type') // '', qr{^multipart/alternative;\s*boundary=}i,
     'Content-Type: multipart/alternative');
is(scalar(() = $m->header('Subject')), 1, 'one Subject header');
is(scalar(() = $m->header('To')), 1, 'one To header');
ok(!defined $m->header('Bcc') && !defined $m->header('Cc'), 'no Cc, no Bcc');

is_deeply([ map { $_->{content_type} } @{ $m->{parts} } ],
          ['text/plain', 'text/html'],
          'two parts: text/plain, then text/html');
for my $p (@{ $m->{parts} }) {
    is(lc $p->{charset}, 'utf-8', "$p->{content_type}: charset UTF-8");
    is($p->{cte}, 'quoted-printable', "$p->{content_type}: quoted-printable");
    ok(!$p->{decode_error}, "$p->{content_type}: valid UTF-8");
}

my ($hhmm) = ($seed_upd->{createdAt} // '') =~ /T(\d\d:\d\d)/;
lines_in_order($m->{text}, [
    qr/^Database connectivity issues$/,
    qr/^Investigating - We are investigating reports of database issues\.$/,
    qr/^Impact: Major$/,
    qr/^Affected components: API, Dashboard$/,
    qr/^Posted: .*\b\Q$hhmm\E\b/,
    qr/^View the incident: \Q$BASE\E\/incidents\/$sid$/,
], 'text/plain: title, "Investigating - message", Impact, Affected '
   . 'components, Posted, View the incident: URL');
unlike($m->{text}, qr/^Duration:/m, 'text/plain: no Duration before resolution');
my $lu_url = $lu =~ /^<(.*)>\z/ ? $1 : '';
like($m->{text}, qr/^Unsubscribe: \Q$lu_url\E$/m,
     'text/plain: the unsubscribe link of List-Unsubscribe');
{
    my $h = $m->{html} // '';
    my $txt = html_text($h);
    like($txt, qr/Database connectivity issues/, 'text/html: the title');
    like($txt, qr/\bInvestigating\b/, 'text/html: the status label');
    like($txt, qr/We are investigating reports of database issues\./,
         'text/html: the message');
    like($txt, qr/Impact: Major/, 'text/html: Impact: Major');
    like($txt, qr/Affected components: API, Dashboard/,
         'text/html: Affected components: API, Dashboard');
    unlike($txt, qr/Duration/, 'text/html: no Duration');
    my @links = @{ $m->html_links };
    ok(grep({ $_ eq "$BASE/incidents/$sid" } @links),
       'text/html: a link to URL/incidents/N');
    ok(grep({ $_ eq $lu_url } @links),
       'text/html: a link to the unsubscribe URL');
    ok(!grep({ !m{^\Q$BASE\E/} } @links),
       'text/html: every link goes to the public URL');
    unlike($h, qr/<script\b/i, 'text/html: no script');
}
{
    my $w = one_mail('watcher@example.org', qr/Database connectivity issues/,
                     'watcher gets exactly one mail too');
    isnt($w->header('Message-ID'), $mid,
         '  with a Message-ID of its own (another job)');
    my ($wu) = ($w->header('List-Unsubscribe') // '') =~ /token=([^>]+)/;
    my ($su) = $lu =~ /token=([^>]+)/;
    isnt($wu, $su, '  and an unsubscribe token of its own');
    one_mail('comp1@example.org', qr/Database connectivity issues/,
             'comp1 (component API) gets it: the incident is on API');
}

# --- resolution: the Duration line --------------------------------------------------

{
    my $pool = $t->create_incident(
        title => 'Connection pool exhaustion', status => 'identified',
        impact => 'critical', message => 'The pool is exhausted.',
        componentIds => [1], startedAt => epoch_to_rfc3339(time - 2700));
    my $first = one_mail('sub@example.org', qr/Connection pool exhaustion/,
                         'the backdated incident sends one mail');
    is($first->header('Subject'), '[Identified] Connection pool exhaustion',
       '  Subject: [Identified] ...');
    unlike($first->{text}, qr/^Duration:/m, '  no Duration yet');

    $t->post_update($pool->{id}, status => 'resolved',
                    message => 'All connections are back.');
    my $res = one_mail('sub@example.org',
                       qr/^\[Resolved\] Connection pool exhaustion\z/,
                       'the resolution sends one mail');
    lines_in_order($res->{text}, [
        qr/^Connection pool exhaustion$/,
        qr/^Resolved - All connections are back\.$/,
        qr/^Impact: Critical$/,
        qr/^Affected components: API$/,
        qr/^Duration: 45 minutes$/,
        qr/^Posted: /,
        qr/^View the incident: \Q$BASE\E\/incidents\/$pool->{id}$/,
    ], '  text/plain: Resolved - message, Impact, components, '
       . 'Duration: 45 minutes, Posted, link');
    like(html_text($res->{html}), qr/Duration: 45 minutes/,
         '  text/html: Duration: 45 minutes');
    isnt($res->header('Message-ID'), $first->header('Message-ID'),
         '  a new Message-ID for the new update');
}

# --- per-component filtering --------------------------------------------------------------

{
    my $dash = $t->create_incident(title => 'Dashboard is slow',
                                   status => 'investigating', impact => 'minor',
                                   message => 'Pages load slowly.',
                                   componentIds => [2]);
    one_mail('watcher@example.org', qr/Dashboard is slow/,
             'an incident on Dashboard reaches watcher (all components)');
    one_mail('sub@example.org', qr/Dashboard is slow/,
             '  and sub (all components)');
    is(scalar @{ mails_to('comp1@example.org', qr/Dashboard is slow/) }, 0,
       '  not comp1 (API only)');

    my $api = $t->create_incident(title => 'API errors',
                                  status => 'investigating', impact => 'major',
                                  message => 'Some requests fail.',
                                  componentIds => [1]);
    my $c = one_mail('comp1@example.org', qr/API errors/,
                     'an incident on API reaches comp1');
    like($c->{text}, qr/^Affected components: API$/m,
         '  "Affected components: API"');

    # an update that names API brings comp1 in
    $t->post_update($dash->{id}, status => 'identified',
                    message => 'The API behind the dashboard is slow.',
                    componentIds => [1, 2]);
    one_mail('comp1@example.org', qr/^\[Identified\] Dashboard is slow\z/,
             'an update naming API on the Dashboard incident reaches comp1');
    is(scalar @{ mails_to('comp1@example.org', qr/^\[Investigating\] Dashboard/) },
       0, '  (still nothing for the first update)');
}

# --- notify=false --------------------------------------------------------------------------

{
    settle();
    sleep 0.5;
    my %before = map { $_ => scalar @{ mails_to($_) } }
                 qw(watcher@example.org sub@example.org comp1@example.org);
    my $quiet = $t->create_incident(title => 'Silent maintenance',
                                    status => 'investigating', impact => 'none',
                                    message => 'Nobody is told.',
                                    componentIds => [1, 2],
                                    notify => JSON::PP::false);
    is_false($quiet->{updates}[0]{notify}, 'an incident with notify false');
    my $u = $t->api(POST => "$API/incidents/$sid/updates",
                    {status => 'identified', message => 'Quietly identified.',
                     notify => JSON::PP::false});
    is_status($u, 201, 'an update with notify false');
    my $new = $sink->wait_quiet(4);
    is_deeply([ map { $_->header('Subject') } @$new ], [],
              'notify=false: no mail at all within 4 s');
    is(aget("$API/queue")->{json}{queued}, 0, '  and no job waits');

    # the runner is alive: a notifying update goes out
    $t->post_update($sid, status => 'monitoring',
                    message => 'A fix is in place.');
    one_mail('watcher@example.org', qr/^\[Monitoring\] Database connectivity/,
             'the next notifying update reaches watcher');
    for my $a (sort keys %before) {
        is(scalar(grep { ($_->header('Subject') // '') =~ /Silent|Identified\] Database/ }
                  @{ mails_to($a) }), 0, "  $a never got the silent ones");
    }
}

# --- admin-added subscribers get no confirmation mail -------------------------------------

for my $a ('watcher@example.org', 'comp1@example.org') {
    is(scalar @{ mails_to($a, qr/^Confirm/) }, 0,
       "$a (added by an admin) never got a confirmation mail");
}

# --- throttle: one confirmation mail per address per incident_subscribe_resend ----------

{
    for my $e ('throttle@example.org', 'throttle@example.org',
               'Throttle@Example.org') {
        is_status($t->api(POST => "$API/subscribers", {email => $e},
                          token => undef), 202, "public POST $e -> 202");
    }
    my $got = wait_mails('throttle@example.org', qr/^Confirm/, 1);
    is(scalar @$got, 1, 'the first request sends a confirmation mail');
    sleep 3;
    is(scalar @{ mails_to('throttle@example.org') }, 1,
       'three requests within incident_subscribe_resend: one mail only');
    my $id = subscriber_id('throttle@example.org');
    is(scalar(grep { $_->{kind} eq 'confirm' } @{ deliveries($id) }), 1,
       '  one confirmation in its delivery history');

    # a confirmed address gets no new confirmation mail either
    my $n = scalar @{ mails_to('sub@example.org', qr/^Confirm/) };
    is_status($t->api(POST => "$API/subscribers", {email => 'sub@example.org'},
                      token => undef), 202, 'public POST for confirmed sub -> 202');
    is_status($t->api(POST => "$API/subscribers",
                      {email => 'watcher@example.org'}, token => undef), 202,
              'public POST for admin-added watcher -> 202');
    sleep 3;
    is(scalar @{ mails_to('sub@example.org', qr/^Confirm/) }, $n,
       '  no new confirmation mail to a confirmed address');
    is(scalar @{ mails_to('watcher@example.org', qr/^Confirm/) }, 0,
       '  nor to an admin-added one');
    is_true(aget("$API/subscribers/$sub_id")->{json}{confirmed},
            '  sub is still confirmed');
}

# --- non-ASCII and header injection --------------------------------------------------------

my $UNI = "Panne de la base de donn\x{e9}es \x{2014} \x{6771}\x{4eac}";
{
    my $inc = $t->create_incident(title => $UNI, status => 'investigating',
                                  impact => 'major',
                                  message => "Les requ\x{ea}tes \x{e9}chouent.",
                                  componentIds => [1]);
    my $got = wait_mails('sub@example.org', qr/Panne/, 1);
    my $u = $got->[0] || bless({ headers => [], rcpt => [] }, 'SmtpSink::Message');
    is($u->header('Subject'), "[Investigating] $UNI",
       'a non-ASCII title arrives decoded intact in the Subject');
    my ($raw_subject) = grep { /^Subject:/ } raw_header_lines($u);
    like($raw_subject // '', qr/^Subject: =\?UTF-8\?B\?[A-Za-z0-9+\/=]+\?=/i,
         '  sent as RFC 2047 B encoded words');
    ok(!grep({ /[^\x20-\x7e]/ } raw_header_lines($u)),
       '  every header line is printable ASCII');
    my @long = grep { /=\?/ && length > 76 } raw_header_lines($u);
    ok(!@long, '  no line with an encoded word is longer than 76 characters '
               . '(RFC 2047 section 2)')
        or diag(join "\n", @long);
    like($u->{text}, qr/^\Q$UNI\E$/m, '  the text part has the title intact');
    like($u->{text}, qr/^Investigating - Les requ\x{ea}tes \x{e9}chouent\.$/m,
         '  and the message');
    like(html_text($u->{html}), qr/\Q$UNI\E/,
         '  the HTML part has the title intact');
}
{
    # CR LF in a title, a message and the page title: never a header
    my $evil = "Outage\r\nBcc: evil\@example.org\r\nX-Injected: yes";
    is_status($t->api(PATCH => "$API/settings",
                      {pageTitle => "Example Status\r\nBcc: evil2\@example.org"}),
              200, 'a page title with CR LF is stored');
    my $r = $t->api(POST => "$API/incidents",
                    {title => $evil, status => 'investigating',
                     impact => 'major', componentIds => [1],
                     message => "First line\r\nBcc: evil3\@example.org\r\n"
                                . "\r\nX-Injected: yes"});
    ok($r->{status} == 201 || $r->{status} == 422,
       'an incident title with CR LF is stored or refused');
    my $new_sub = $t->api(POST => "$API/subscribers",
                          {email => 'inject@example.org'}, token => undef);
    is_status($new_sub, 202, 'a public request, for a confirmation mail '
                             . 'with the page title in its Subject');

    my $conf = wait_mails('inject@example.org', qr/^Confirm/, 1)->[0];
    my @check = ($conf ? ['the confirmation mail', $conf] : ());
    if ($r->{status} == 201) {
        my $n = wait_mails('sub@example.org', qr/Outage/, 1)->[0];
        ok($n, 'the notification with the CR LF title arrives');
        push @check, ['the notification', $n] if $n;
    }
    ok(@check, 'mails to check for injected headers');
    for my $c (@check) {
        my ($what, $msg) = @$c;
        ok(!defined $msg->header('Bcc'), "$what: no Bcc header");
        ok(!defined $msg->header('X-Injected'), "$what: no X-Injected header");
        ok(!grep({ $_->[0] eq '(malformed)' } @{ $msg->{headers} }),
           "$what: no malformed header line");
        is(scalar(() = $msg->header('Subject')), 1, "$what: one Subject");
        unlike($msg->header('Subject') // '', qr/[\r\n]/,
               "$what: the Subject has no line break");
        is(scalar @{ $msg->{rcpt} }, 1, "$what: one envelope recipient");
        is_deeply([ map { $_->{content_type} } @{ $msg->{parts} } ],
                  ['text/plain', 'text/html'], "$what: the two parts intact");
    }
    if ($conf) {
        like($conf->header('Subject') // '',
             qr/^Confirm your subscription to Example Status\s+Bcc: evil2\@example\.org\z/,
             'the page title is in the Subject, its CR LF made spaces');
    }
    sleep 1.5;
    for my $e ('evil@example.org', 'evil2@example.org', 'evil3@example.org') {
        is(scalar @{ mails_to($e) }, 0, "nothing went to $e");
    }
    is_status($t->api(PATCH => "$API/settings", {pageTitle => 'Example Status'}),
              200, '(page title back)');
}

# --- one-click unsubscribe (RFC 8058) -----------------------------------------------------

{
    my $last = mails_to('sub@example.org', qr/^\[/)->[-1];
    my ($url) = ($last->header('List-Unsubscribe') // '') =~ /^<(.*)>\z/;
    my $path = local_path($url);
    ok(defined $path, 'the List-Unsubscribe URL is under the public URL');
    $path //= '/unsubscribe?token=none';

    # a link scanner's GET changes nothing
    my $g = $t->page($path);
    is_status($g, 200, 'GET of the unsubscribe link -> 200 (a page)');
    my $s = aget("$API/subscribers/$sub_id");
    is_status($s, 200, '  the subscriber is still there');
    is_true($s->{json}{confirmed}, '  and confirmed');

    my $p = form_post($path, 'List-Unsubscribe=One-Click');
    is_status($p, 200, 'POST List-Unsubscribe=One-Click to the URL -> 200');
    ok(!defined $p->{headers}{location}, '  no Location (no redirect)');
    ok(!defined $p->{headers}{'set-cookie'}, '  no cookie');
    is_problem(aget("$API/subscribers/$sub_id"), 404,
               '  the subscriber is gone');

    my $before = scalar @{ mails_to('sub@example.org') };
    $t->create_incident(title => 'After the unsubscribe',
                        status => 'investigating', impact => 'minor',
                        message => 'sub must not see this.',
                        componentIds => [1, 2]);
    one_mail('watcher@example.org', qr/After the unsubscribe/,
             'the next incident reaches watcher');
    sleep 1;
    is(scalar @{ mails_to('sub@example.org') }, $before,
       'and nothing more reaches the unsubscribed address');
}

# --- no duplicates -------------------------------------------------------------------------

{
    my %seen;
    my @dups;
    for my $msg (@{ $sink->messages }) {
        my $k = join ' ', @{ $msg->{rcpt} }, $msg->header('Message-ID') // '';
        push @dups, $k if $seen{$k}++;
    }
    is_deeply(\@dups, [], 'no message was delivered twice to the same address');
}

$t->stop;

# --- expiry of unconfirmed addresses ----------------------------------------------------

{
    my $e = IncidentTest->new(
        workers     => 2,
        status_page => '/',
        http_extra  => mail_conf($sink, 'incident_subscribe_expiry 2s;'),
    )->start;

    my $r = $e->api(POST => "$API/subscribers", {email => 'late@example.org'},
                    token => undef);
    my $asked = time;
    is_status($r, 202, 'expiry 2s: public POST late@example.org -> 202');
    my $q = $e->api(GET => "$API/queue", undef, token => 'admin')->{json} || {};
    is($q->{unconfirmed}, 1, '  GET /queue: unconfirmed 1');
    my $mail = wait_mails('late@example.org', qr/^Confirm/, 1)->[0];
    ok($mail, '  the confirmation mail arrives');
    my $token = $mail ? ($mail->links->{confirm_token} // '') : '';

    my $unconfirmed_is_0 = sub {
        my $j = $e->api(GET => "$API/queue", undef, token => 'admin')->{json};
        return $j && defined $j->{unconfirmed} && $j->{unconfirmed} == 0;
    };
    ok(IncidentTest::wait_until(8, $unconfirmed_is_0),
       '  on an idle queue, unconfirmed drops to 0 within 8 s');
    # any job makes a worker lease, and the lease purges
    sleep 0.1 while time < $asked + 3.5;
    is_status($e->api(POST => "$API/incidents",
                      {title => 'Wake the queue', status => 'investigating',
                       impact => 'none'}), 201,
              '  (an incident, so that a worker leases)');
    my $gone = IncidentTest::wait_until(15, $unconfirmed_is_0);
    ok($gone, '  GET /queue: unconfirmed drops to 0 once the queue runs');
    my $l = $e->api(GET => "$API/subscribers", undef, token => 'admin');
    is_deeply($l->{json}{data}, [], '  the address is gone from the list');

    my $c = $e->api(POST => '/subscribe/confirm', 'token=' . uri_escape($token),
                    token => undef,
                    content_type => 'application/x-www-form-urlencoded');
    is_status($c, 410, '  the confirmation link answers 410');
    $l = $e->api(GET => "$API/subscribers", undef, token => 'admin');
    is_deeply($l->{json}{data}, [], '  and confirms nothing');

    # forgotten: a new request is a new address, with a new mail
    is_status($e->api(POST => "$API/subscribers", {email => 'late@example.org'},
                      token => undef), 202, '  a new request -> 202');
    is(scalar @{ wait_mails('late@example.org', qr/^Confirm/, 2) }, 2,
       '  sends a new confirmation mail');
    $e->stop;
}

# --- retries: the SMTP server is down at first ------------------------------------------

{
    my $down = SmtpSink->new;           # not started yet
    my $c = IncidentTest->new(
        workers     => 2,
        status_page => '/',
        http_extra  => mail_conf($down,
                                 'incident_notify_retries 5 base=1s max=2s;'),
    )->start;

    my $s = $c->api(POST => "$API/subscribers",
                    {type => 'email', email => 'retry@example.org'});
    is_status($s, 201, 'sink down: admin adds retry@example.org');
    my $id = $s->{json}{id};
    my $inc = $c->api(POST => "$API/incidents",
                      {title => 'Mail server trouble', status => 'investigating',
                       impact => 'minor', message => 'Retry me.'});
    is_status($inc, 201, '  an incident');

    my $hist = sub {
        my $r = $c->api(GET => "$API/subscribers/$id/deliveries?limit=100",
                        undef, token => 'admin');
        return [ reverse @{ $r->{json}{data} || [] } ];     # oldest first
    };
    my $failed = IncidentTest::wait_until(10, sub {
        grep { $_->{outcome} eq 'retrying' } @{ $hist->() }
    });
    ok($failed, '  a failed attempt is recorded while the sink is down');
    my $f = $hist->()->[0] || {};
    fields_are($f, {outcome => 'retrying', attempt => 1, kind => 'deliver'},
               '  the first attempt: retrying');
    like($f->{detail} // '', qr/^SMTP \d+: /, '  its detail is the SMTP error');
    unlike($f->{detail} // '', qr/No error/, '  (not a success)');
    is($c->api(GET => "$API/queue", undef, token => 'admin')->{json}{queued}, 1,
       '  GET /queue: the job is queued, waiting for its retry');
    is(scalar @{ $down->messages }, 0, '  nothing arrived');

    $down->start;
    my $got = $down->wait_for(1, 20);
    is(scalar @$got, 1, 'once the sink is up, the mail arrives');
    my $msg = $got->[0] || bless({ headers => [], rcpt => [] }, 'SmtpSink::Message');
    is($msg->header('Subject'), '[Investigating] Mail server trouble',
       '  the notification');

    my $ok = IncidentTest::wait_until(10, sub {
        my $h = $hist->();
        @$h && $h->[-1]{outcome} eq 'delivered';
    });
    my @h = @{ $hist->() };
    ok($ok, '  the history ends with "delivered"');
    ok(@h >= 2, '  after at least one failed attempt (' . scalar(@h) . ')');
    is_deeply([ map { $_->{outcome} } @h ],
              [ ('retrying') x (@h - 1), 'delivered' ],
              '  outcomes: retrying..., delivered');
    is_deeply([ map { $_->{attempt} } @h ], [ 1 .. scalar @h ],
              '  attempts 1, 2, ... in order');
    my %jobs = map { $_->{jobId} => 1 } @h;
    is(scalar keys %jobs, 1, '  all attempts are the same job');
    my ($job) = ($msg->header('Message-ID') // '') =~ /^<([0-9]+)\./;
    is($job, $h[0]{jobId}, '  the Message-ID names that job');
    is($c->api(GET => "$API/queue", undef, token => 'admin')->{json}{queued}, 0,
       '  GET /queue: nothing queued any more');
    sleep 2.5;
    is(scalar @{ $down->messages }, 1, '  and no second copy comes');
    $c->stop;
    $down->stop;
}

# --- retries: the same Message-ID on every try -------------------------------------------

{
    # answers the first DATA with 451 after reading the whole message
    my $flaky = SmtpSink->new(fail_first => 1)->start;
    my $c = IncidentTest->new(
        workers     => 1,
        status_page => '/',
        http_extra  => mail_conf($flaky,
                                 'incident_notify_retries 3 base=1s max=1s;'),
    )->start;

    my $s = $c->api(POST => "$API/subscribers",
                    {type => 'email', email => 'flaky@example.org'});
    is_status($s, 201, '451 once: admin adds flaky@example.org');
    $c->api(POST => "$API/incidents",
            {title => 'Greylisted', status => 'investigating',
             impact => 'minor', message => 'Try again.'});

    my $got = $flaky->wait_for(1, 20);
    is(scalar @$got, 1, 'the second try is accepted');
    my $rej = $flaky->rejected;
    is(scalar @$rej, 1, 'the first try was answered 451');
    my ($a, $b) = ($rej->[0], $got->[0]);
    if ($a && $b) {
        like($a->header('Message-ID') // '', qr/^<\d+\.[0-9a-f]+\@status\.example\.com>\z/,
             '  a Message-ID on the first try');
        is($b->header('Message-ID'), $a->header('Message-ID'),
           '  the same Message-ID on the retry');
        is($b->header('Subject'), $a->header('Subject'), '  the same Subject');
        is($b->{text}, $a->{text}, '  the same text');
    }
    # the outcome is settled (in a batch) after the relay took the mail
    my $h = [];
    IncidentTest::wait_until(10, sub {
        $h = $c->api(GET => "$API/subscribers/$s->{json}{id}/deliveries",
                     undef, token => 'admin')->{json}{data} || [];
        @$h >= 2;
    });
    is_deeply([ map { "$_->{outcome}/$_->{attempt}" } reverse @$h ],
              ['retrying/1', 'delivered/2'], '  history: retrying, delivered');
    like((reverse @$h)[0]{detail} // '', qr/^SMTP 451\b/,
         '  the failed attempt says SMTP 451');
    $c->stop;
    $flaky->stop;
}

$sink->stop;
done_testing;
