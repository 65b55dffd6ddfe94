# webhook, Slack and Discord subscribers: what is sent on creation, update
# and resolution, Standard Webhooks signatures, per-component filtering,
# notify=false, deleting a subscriber, many subscribers
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest;
use WebhookReceiver;
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(time sleep);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $PUBLIC = 'https://status.example.com';

my $rx = WebhookReceiver->new(script => {
    '/flaky' => [ [500], [200] ],
    '/down'  => [ [500] ],
    '*'      => [ [200] ],
});

my $t = IncidentTest->new(
    workers    => 2,
    http_extra => "incident_webhook_allow_private on;\n"
                . "    incident_public_url $PUBLIC;\n"
                . "    incident_notify_retries 3 base=1s max=1s;",
)->start;

my $JSON = JSON::PP->new->utf8->canonical;

sub body_json {
    my ($req) = @_;
    return eval { $JSON->decode($req->{body}) };
}

# every job settled: nothing queued, no fan-out left
sub settle {
    my ($name, $timeout) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $q;
    my $ok = IncidentTest::wait_until($timeout // 20, sub {
        my $r = $t->api(GET => '/api/v1/queue', undef, token => 'admin');
        $q = $r->{json};
        return $r->{status} == 200 && $q && $q->{queued} == 0
               && $q->{fanouts} == 0;
    });
    ok($ok, $name) or diag('queue: ' . encode_json($q // {}));
    return $ok;
}

sub subscribe {
    my (%f) = @_;
    my $r = $t->api(POST => '/api/v1/subscribers', \%f);
    is_status($r, 201, "add $f{type} subscriber $f{url}");
    return $r->{json} || {};
}

# --- setup ------------------------------------------------------------------

is_status($t->api(PATCH => '/api/v1/settings', {pageTitle => 'Acme Status'}),
          200, 'page title set');
my $api = $t->create_component(name => 'API');
my $db  = $t->create_component(name => 'Database');

my %sub;
$sub{all}     = subscribe(type => 'webhook', url => $rx->url('/wh/all'));
$sub{api}     = subscribe(type => 'webhook', url => $rx->url('/wh/api'),
                          componentIds => [$api->{id}]);
$sub{db}      = subscribe(type => 'webhook', url => $rx->url('/wh/db'),
                          componentIds => [$db->{id}]);
$sub{slack}   = subscribe(type => 'slack', url => $rx->url('/slack'));
$sub{discord} = subscribe(type => 'discord', url => $rx->url('/discord'));

{
    my $s = $sub{all};
    fields_are($s, {type => 'webhook', url => $rx->url('/wh/all'),
                    componentIds => [], confirmed => JSON::PP::true,
                    disabled => JSON::PP::false, source => 'admin'},
               'the 201 answer describes the webhook subscriber');
    like($s->{secret} // '', qr{^whsec_[A-Za-z0-9+/]{16,}={0,2}\z},
         'a webhook subscriber gets a whsec_ secret');
    my %secrets = map { ($_->{secret} // '') => 1 } @sub{qw(all api db)};
    is(scalar(keys %secrets), 3, 'each webhook subscriber has its own secret');
    ok(!exists $sub{slack}{secret} && !exists $sub{discord}{secret},
       'Slack and Discord subscribers get no secret');
    is_deeply($sub{api}{componentIds}, [$api->{id}], 'componentIds kept');

    my $g = $t->api(GET => "/api/v1/subscribers/$s->{id}", undef,
                    token => 'admin');
    is_status($g, 200, 'GET the subscriber');
    ok(!exists $g->{json}{secret}
       && index($g->{content}, $s->{secret} // 'x') < 0,
       'the secret is not shown again by GET /subscribers/{id}');
    my $l = $t->api(GET => '/api/v1/subscribers', undef, token => 'admin');
    ok(index($l->{content}, $s->{secret} // 'x') < 0,
       'nor by GET /subscribers');
}

# --- incident.created ---------------------------------------------------------

my $started = time - 45 * 60 - 1;
my $message = "We are looking into it \@everyone <!channel> <b>now</b> & then";
my $inc = $t->create_incident(
    title => 'Database down', status => 'investigating', impact => 'major',
    message => $message, componentIds => [$api->{id}],
    startedAt => epoch_to_rfc3339($started),
);
my $id = $inc->{id};

my ($created) = $rx->wait_for('/wh/all', 1, 15);
ok($created, 'the webhook subscriber receives the creation')
    or BAIL_OUT('no webhook arrived; nothing else can be tested');
my ($created_api) = $rx->wait_for('/wh/api', 1, 15);
ok($created_api, 'a subscriber to the incident\'s component receives it');
my ($slack1)   = $rx->wait_for('/slack', 1, 15);
my ($discord1) = $rx->wait_for('/discord', 1, 15);
ok($slack1 && $discord1, 'the Slack and Discord subscribers receive it');

{
    my $r = $created;
    is($r->{method}, 'POST', 'a webhook is a POST');
    like($r->{headers}{'content-type'} // '', qr{^application/json\b},
         'Content-Type application/json');
    is($r->{headers}{'user-agent'}, 'ngx_incident_module', 'User-Agent');

    my $wid = $r->{headers}{'webhook-id'} // '';
    like($wid, qr/^msg_[A-Za-z0-9_]+\z/, "webhook-id '$wid' is msg_...");
    my $ts = $r->{headers}{'webhook-timestamp'} // '';
    like($ts, qr/^\d+\z/, 'webhook-timestamp is unix seconds');
    ok(abs($ts - $r->{time}) <= 5,
       'webhook-timestamp is within 5 s of its arrival')
        or diag("timestamp $ts, arrived " . int $r->{time});
    like($r->{headers}{'webhook-signature'} // '', qr{^v1,[A-Za-z0-9+/]+=*(?: |\z)},
         'webhook-signature is v1,<base64>');

    ok(WebhookReceiver::verify_signature($sub{all}{secret}, $r),
       'the signature verifies with the secret from the 201 answer');
    ok(!WebhookReceiver::verify_signature($sub{api}{secret}, $r),
       'and fails with another subscriber\'s secret');
    ok(!WebhookReceiver::verify_signature(
           'whsec_' . encode_base64('x' x 24, ''), $r),
       'and with a made-up secret');
    my %tampered = (%$r, body => $r->{body} . ' ');
    ok(!WebhookReceiver::verify_signature($sub{all}{secret}, \%tampered),
       'and when the body is changed');
    my %late = (%$r, headers => {%{ $r->{headers} },
                                 'webhook-timestamp' => $ts + 1});
    ok(!WebhookReceiver::verify_signature($sub{all}{secret}, \%late),
       'and when the timestamp is changed (it is signed)');
    ok(WebhookReceiver::verify_signature($sub{api}{secret}, $created_api),
       'the component subscriber\'s copy verifies with its own secret');
    isnt($created_api->{headers}{'webhook-id'}, $wid,
         'each subscriber\'s delivery has its own webhook-id');

    my $p = body_json($r);
    ok($p, 'the body is JSON') or diag($r->{body});
    $p ||= {};
    is($p->{type}, 'incident.created', 'type incident.created');
    like($p->{timestamp} // '', $RFC3339_RE, 'timestamp is RFC 3339');
    ok(abs((rfc3339_to_epoch($p->{timestamp}) // 0) - $r->{time}) <= 5,
       'and about now');
    is(ref $p->{data}, 'HASH', 'data is an object');
    is_deeply([sort keys %{ $p->{data} || {} }], [qw(incident page update)],
              'data has page, incident and update');
    is_deeply($p->{data}{page}, {title => 'Acme Status', url => $PUBLIC},
              'data.page has the page title and the public URL');

    my $doc = $t->get_json("/api/v1/incidents/$id");
    my $i = $p->{data}{incident} || {};
    fields_are($i, {id => $id, title => 'Database down',
                    status => 'investigating', impact => 'major',
                    componentIds => [$api->{id}],
                    url => "$PUBLIC/incidents/$id"},
               'data.incident: id, title, status, impact, componentIds, url');
    for my $k (qw(startedAt createdAt resolvedAt durationSeconds)) {
        is_deeply($i->{$k}, $doc->{$k}, "data.incident.$k as the API has it");
    }
    is_deeply(ids_of($i->{updates}), ids_of($doc->{updates}),
              'data.incident.updates as the API has them');

    my $u = $p->{data}{update};
    fields_are($u, {id => $doc->{updates}[0]{id}, status => 'investigating',
                    message => $message},
               'data.update is the first update');
    is_deeply($u, $doc->{updates}[0], 'data.update is the API update document');
}

{
    my $s = body_json($slack1) || {};
    is_deeply([sort keys %$s], ['text'], 'Slack: one "text" member');
    is($s->{text},
       "*[Investigating] <$PUBLIC/incidents/$id|Database down>*\n"
       . "We are looking into it \@everyone &lt;!channel&gt; "
       . "&lt;b&gt;now&lt;/b&gt; &amp; then\n"
       . "Impact: Major \x{b7} Components: API",
       'Slack: the text (mrkdwn link, message with & < > escaped so that '
       . '<!channel> pings nobody, impact, components)');
    ok(!exists $slack1->{headers}{'webhook-signature'},
       'Slack: no Standard Webhooks headers');

    my $d = body_json($discord1) || {};
    is_deeply($d->{allowed_mentions}, {parse => []},
              'Discord: allowed_mentions.parse is [] (no pings)');
    ok(!exists $d->{content}, 'Discord: no "content" that could ping');
    is(ref $d->{embeds}, 'ARRAY', 'Discord: embeds');
    is(scalar @{ $d->{embeds} || [] }, 1, 'Discord: one embed');
    my $e = ($d->{embeds} || [])->[0] || {};
    fields_are($e, {title => '[Investigating] Database down',
                    url => "$PUBLIC/incidents/$id",
                    description => $message},
               'Discord: title, url, description (the message as text, '
               . '"@everyone" included)');
    like($e->{color} // '', qr/^\d+\z/, 'Discord: a color');
    like($e->{timestamp} // '', $RFC3339_RE, 'Discord: an RFC 3339 timestamp');
    my %f = map { $_->{name} => $_->{value} } @{ $e->{fields} || [] };
    is($f{Impact}, 'Major', 'Discord: Impact field');
    is($f{Components}, 'API', 'Discord: Components field');
    ok(!exists $f{Duration}, 'Discord: no Duration before the resolution');
}

# --- incident.updated (components unchanged) ---------------------------------

settle('the creation\'s jobs settle');
is(scalar $rx->requests('/wh/db'), 0,
   'a subscriber to another component gets nothing');

my %before = map { $_ => $rx->count($_) } qw(/wh/all /wh/api /wh/db /slack /discord);

my $upd1 = $t->post_update($id, status => 'identified',
                           message => 'The cause is known');
my $upd1_id = $upd1->{json}{id};
{
    my @r = $rx->wait_for('/wh/all', $before{'/wh/all'} + 1, 15);
    my $r = $r[-1];
    my $p = body_json($r) || {};
    is($p->{type}, 'incident.updated', 'an update sends incident.updated');
    is($p->{data}{incident}{status}, 'identified',
       'data.incident has the new status');
    fields_are($p->{data}{update}, {id => $upd1_id, status => 'identified',
                                    message => 'The cause is known'},
               'data.update is the new update');
    ok(WebhookReceiver::verify_signature($sub{all}{secret}, $r),
       'its signature verifies');
    isnt($r->{headers}{'webhook-id'}, $created->{headers}{'webhook-id'},
         'a new message has a new webhook-id');

    my @s = $rx->wait_for('/slack', $before{'/slack'} + 1, 15);
    is((body_json($s[-1]) || {})->{text},
       "*[Identified] <$PUBLIC/incidents/$id|Database down>*\n"
       . "The cause is known\nImpact: Major \x{b7} Components: API",
       'Slack: the update\'s text');
    my @d = $rx->wait_for('/discord', $before{'/discord'} + 1, 15);
    is(((body_json($d[-1]) || {})->{embeds} || [{}])->[0]{title},
       '[Identified] Database down', 'Discord: the update\'s title');
    $rx->wait_for('/wh/api', $before{'/wh/api'} + 1, 15);
    settle('the update\'s jobs settle');
    is($rx->count('/wh/api'), $before{'/wh/api'} + 1,
       'the component subscriber gets the update once');
    is($rx->count('/wh/db'), 0, 'the other component\'s subscriber still '
                                . 'gets nothing');
}

# --- incident.resolved, touching both components -----------------------------

%before = map { $_ => $rx->count($_) } qw(/wh/all /wh/api /wh/db /slack /discord);
my $res = $t->post_update($id, status => 'resolved', message => 'Fixed',
                          componentIds => [$api->{id}, $db->{id}]);
{
    my @r = $rx->wait_for('/wh/db', 1, 15);
    is(scalar @r, 1, 'an update touching the other component reaches its '
                     . 'subscriber');
    my $p = body_json($r[0]) || {};
    is($p->{type}, 'incident.resolved', 'resolution sends incident.resolved');
    my $i = $p->{data}{incident} || {};
    is($i->{status}, 'resolved', 'data.incident.status resolved');
    like($i->{resolvedAt} // '', $RFC3339_RE, 'data.incident.resolvedAt set');
    ok(($i->{durationSeconds} // 0) >= 45 * 60,
       'data.incident.durationSeconds counts from startedAt');
    is_deeply([sort { $a <=> $b } @{ $i->{componentIds} || [] }],
              [sort { $a <=> $b } $api->{id}, $db->{id}],
              'data.incident.componentIds has both components');
    fields_are($p->{data}{update}, {id => $res->{json}{id},
                                    status => 'resolved', message => 'Fixed'},
               'data.update is the resolving update');
    ok(WebhookReceiver::verify_signature($sub{db}{secret}, $r[0]),
       'signed with that subscriber\'s secret');

    for my $path (qw(/wh/all /wh/api)) {
        my @x = $rx->wait_for($path, $before{$path} + 1, 15);
        is((body_json($x[-1]) || {})->{type}, 'incident.resolved',
           "$path gets incident.resolved");
    }

    my @s = $rx->wait_for('/slack', $before{'/slack'} + 1, 15);
    is((body_json($s[-1]) || {})->{text},
       "*[Resolved] <$PUBLIC/incidents/$id|Database down>*\nFixed\n"
       . "Impact: Major \x{b7} Components: API, Database \x{b7} "
       . "Duration: 45 minutes",
       'Slack: the resolution\'s text with the components and the duration');
    my @d = $rx->wait_for('/discord', $before{'/discord'} + 1, 15);
    my $e = ((body_json($d[-1]) || {})->{embeds} || [{}])->[0];
    is($e->{title}, '[Resolved] Database down', 'Discord: resolved title');
    my %f = map { $_->{name} => $_->{value} } @{ $e->{fields} || [] };
    is($f{Duration}, '45 minutes', 'Discord: Duration field');
    is($f{Components}, 'API, Database', 'Discord: both components');
    settle('the resolution\'s jobs settle');
    for my $path (sort keys %before) {
        is($rx->count($path), $before{$path} + 1,
           "$path got the resolution exactly once");
    }
}

# --- delivery history ------------------------------------------------------------

{
    my $h = $t->api(GET => "/api/v1/subscribers/$sub{all}{id}/deliveries",
                    undef, token => 'admin');
    is_status($h, 200, 'the webhook subscriber\'s deliveries');
    my @d = @{ $h->{json}{data} || [] };
    is_deeply([map { $_->{type} } @d],
              [qw(incident.resolved incident.updated incident.created)],
              'three deliveries, newest first');
    ok(!grep({ $_->{outcome} ne 'delivered' || $_->{detail} ne 'HTTP 200'
               || $_->{incidentId} != $id || $_->{kind} ne 'deliver' } @d),
       'each delivered with HTTP 200 for the incident')
        or diag(encode_json(\@d));
}

# --- notify=false -------------------------------------------------------------------

{
    my $n0 = $rx->count;
    my $quiet = $t->create_incident(title => 'Quiet one', message => 'shh',
                                    notify => JSON::PP::false);
    $t->post_update($quiet->{id}, status => 'identified', message => 'still',
                    notify => JSON::PP::false);
    my $q = $t->api(GET => '/api/v1/queue', undef, token => 'admin')->{json};
    is($q->{queued} + $q->{fanouts}, 0, 'notify=false queues nothing');
    my @late = $rx->quiet_for(qr/./, 3);
    is($rx->count, $n0, 'notify=false: nothing arrives within 3 s')
        or diag(encode_json([map { $_->{path} } @late]));

    # the pipeline is alive: the next update (notify on) does arrive
    $t->post_update($quiet->{id}, status => 'monitoring', message => 'loud');
    my @r = $rx->wait_for('/wh/all', $before{'/wh/all'} + 2, 15);
    my $p = body_json($r[-1]) || {};
    is(($p->{data}{incident} || {})->{id}, $quiet->{id},
       'then a notifying update of that incident arrives');
    is(($p->{data}{update} || {})->{message}, 'loud', 'the notifying one');
    settle('its jobs settle');
}

# --- a retried message keeps its webhook-id, with a new timestamp and signature --

{
    my $s = subscribe(type => 'webhook', url => $rx->url('/flaky'));
    my $x = $t->create_incident(title => 'Flaky receiver');
    my @r = $rx->wait_for('/flaky', 2, 20);
    is(scalar @r, 2, '500 then 200: two tries');
    is($r[0]{headers}{'webhook-id'}, $r[1]{headers}{'webhook-id'},
       'the retry has the same webhook-id');
    # the envelope's "timestamp" is the try's (rendered per lease); the
    # event itself must be the same
    my ($p0, $p1) = map { body_json($_) || {} } @r;
    is_deeply([$p1->{type}, $p1->{data}], [$p0->{type}, $p0->{data}],
              'and the same type and data');
    ok(WebhookReceiver::verify_signature($s->{secret}, $_), 'try verifies')
        for @r;
    settle('settled');
    is($rx->count('/flaky'), 2, 'no try after the success');
}

# --- deleting a subscriber stops its deliveries -------------------------------

{
    # one whose deliveries fail keeps being retried ... until deleted
    my $s = subscribe(type => 'webhook', url => $rx->url('/down'));
    $t->create_incident(title => 'For the doomed subscriber');
    my @r = $rx->wait_for('/down', 1, 15);
    is(scalar @r, 1, 'the failing subscriber got its first try');
    is_status($t->api(DELETE => "/api/v1/subscribers/$s->{id}"), 204,
              'delete it while its retry waits');
    settle('its job is dropped (queue empty)', 15);
    my @late = $rx->quiet_for('/down', 2.5);
    is($rx->count('/down'), 1, 'no retry reaches a deleted subscriber')
        or diag(scalar(@late) . ' more tries');
    is($t->api(GET => "/api/v1/subscribers/$s->{id}", undef,
               token => 'admin')->{status}, 404, 'it is gone');

    # and a deleted subscriber gets no new messages
    is_status($t->api(DELETE => "/api/v1/subscribers/$sub{api}{id}"), 204,
              'delete the API component subscriber');
    my $n_api = $rx->count('/wh/api');
    my $n_all = $rx->count('/wh/all');
    $t->post_update($id, status => 'resolved', message => 'Postmortem',
                    componentIds => [$api->{id}]);
    $rx->wait_for('/wh/all', $n_all + 1, 15);
    is($rx->count('/wh/all'), $n_all + 1, 'the remaining subscriber gets it');
    settle('settled');
    sleep 1;
    is($rx->count('/wh/api'), $n_api, 'the deleted subscriber gets nothing');
}

# --- many subscribers: each gets exactly one ------------------------------------

{
    my %secret;
    for my $n (1 .. 50) {
        my $r = $t->api(POST => '/api/v1/subscribers',
                        {type => 'webhook', url => $rx->url("/many/$n")});
        $secret{"/many/$n"} = $r->{json}{secret} if $r->{status} == 201;
    }
    is(scalar(keys %secret), 50, '50 more webhook subscribers');
    my $x = $t->create_incident(title => 'Broadcast');
    my @r = $rx->wait_for(qr{^/many/}, 50, 30);
    is(scalar @r, 50, '50 deliveries arrive');
    settle('the fan-out settles', 30);
    sleep 1;
    @r = $rx->requests(qr{^/many/});
    my %per;
    $per{ $_->{path} }++ for @r;
    my @wrong = grep { ($per{$_} // 0) != 1 } sort keys %secret;
    ok(!@wrong, 'each of the 50 got exactly one')
        or diag(join ', ', map { "$_: " . ($per{$_} // 0) } @wrong);
    my @bad = grep { !WebhookReceiver::verify_signature($secret{ $_->{path} }, $_)
                     || (body_json($_) || {})->{data}{incident}{id} != $x->{id} }
              @r;
    ok(!@bad, 'each is about the incident and signed with its own secret')
        or diag(scalar(@bad) . ' bad');
    my %ids = map { $_->{headers}{'webhook-id'} => 1 } @r;
    is(scalar(keys %ids), 50, '50 distinct webhook-ids');
}

# --- long non-ASCII titles and messages: still valid UTF-8 JSON ------------------

{
    my $title = "\x{20ac}" x 200;          # 200 characters, 600 bytes
    my $msg = "\x{20ac}" x 3000;             # 3000 characters, 9000 bytes
    my %n = map { $_ => $rx->count($_) } qw(/wh/all /slack /discord);
    my $x = $t->create_incident(title => $title, message => $msg);
    my %last;
    for my $p (sort keys %n) {
        my @r = $rx->wait_for($p, $n{$p} + 1, 15);
        $last{$p} = $r[-1];
        my $bytes = $r[-1]{body};
        my $copy = $bytes;
        ok(utf8::decode($copy), "$p: a long title and message in valid UTF-8")
            or diag(length($bytes) . ' bytes; the first bad one at '
                    . bad_utf8_at($bytes));
        ok(eval { $JSON->decode($bytes); 1 }, "$p: the body is JSON")
            or diag($@);
    }
    my $w = eval { $JSON->decode($last{'/wh/all'}{body}) } || {};
    is($w->{data}{incident}{title}, $title, 'webhook: the whole title');
    is($w->{data}{update}{message}, $msg, 'webhook: the whole message');
    my $d = eval { $JSON->decode($last{'/discord'}{body}) } || {};
    my $e = ($d->{embeds} || [{}])->[0];
    like($e->{title} // '', qr/^\[Investigating\] \x{20ac}+\z/,
         'Discord: the title, maybe shortened, is whole characters');
    ok(defined $e->{title} && length($e->{title}) <= 256,
       'Discord: title within 256 characters');
    ok(defined $e->{description} && length($e->{description}) <= 4096
       && $e->{description} =~ /^\x{20ac}+\z/,
       'Discord: description within 4096 characters, whole ones');
    my $sl = eval { $JSON->decode($last{'/slack'}{body}) } || {};
    like($sl->{text} // '', qr/^\*\[Investigating\] <\Q$PUBLIC\E\/incidents\/$x->{id}\|\x{20ac}+>\*\n\x{20ac}+\nImpact: /,
         'Slack: the link text and the message, maybe shortened, are whole '
         . 'characters');
    settle('settled');
}

$t->stop;
$rx->stop;
done_testing;

# the offset of the first byte that is not part of valid UTF-8
sub bad_utf8_at {
    my ($b) = @_;
    my $ok = 0;
    while ($b =~ /\G(?:[\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]
                    |\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xef][\x80-\xbf]{2}
                    |\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}
                    |\xf4[\x80-\x8f][\x80-\xbf]{2})/gcx) {
        $ok = pos $b;
    }
    return $ok;
}
