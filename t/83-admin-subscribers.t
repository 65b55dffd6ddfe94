# The admin UI, subscribers: Admin -> Subscribers (the list, its queue
# figures, pages of 25), Add subscriber (email, webhook, Slack, Discord,
# components), every validation error (422, input kept, the field marked,
# nothing changed), a webhook's signing secret shown once (in the answer
# to the POST: never in a URL, on a later page, in the API or in a log)
# and really the one that signs, URLs shown as scheme://host/… only, a
# subscriber's page with its delivery history (delivered, dead, disabled
# by a 410), the removal and its confirmation, the failed deliveries (dead
# letters) and Retry, the CSRF token and the same-origin check on every
# new form, the methods, the security headers, hostile input escaped.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest qw(:DEFAULT :page);
use WebhookReceiver;

*form_fields   = \&IncidentTest::form_fields;
*form_value    = \&IncidentTest::form_value;
*field_marked  = \&IncidentTest::field_marked;
*marked_fields = \&IncidentTest::marked_fields;
*flash_of      = \&IncidentTest::flash_of;

my $ELL = "\xe2\x80\xa6";     # "…", as the page's UTF-8 bytes
my $QUICK = "incident_webhook_allow_private off;\n"
          . "    incident_notify_retries 1 base=1s max=1s;";

my $t = IncidentTest->new(status_page => '/', workers => 2,
                          http_extra => $QUICK)
            ->with_admin(users => { alice => 'alice-pw' })->start;

sub headers_ok {
    my ($r, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why = IncidentTest::admin_header_problems($r);
    ok(!@why, "$name: security headers") or diag(join "\n", @why);
}

# no script but our own file, no inline handlers or styles
sub no_inline_script {
    my ($html, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why;
    while ($html =~ m{<script\b([^>]*)>(.*?)</script>}gis) {
        push @why, "inline <script> ($2)" if $2 =~ /\S/;
        push @why, '<script> without src' unless $1 =~ /\ssrc="[^"]+"/;
    }
    push @why, '<style> element' if $html =~ /<style\b/i;
    while ($html =~ /<[a-zA-Z][a-zA-Z0-9]*(\s[^>]*)?>/g) {
        (my $names = $1 // '') =~ s/"[^"]*"|'[^']*'//g;
        push @why, "inline event handler ($&)" if $names =~ /\son[a-z]+\s*=/i;
        push @why, "style attribute ($&)" if $names =~ /\sstyle\s*=/i;
    }
    ok(!@why, "$name: no inline script or style") or diag(join "\n", @why);
}

# everything behind the API, subscribers and queue included
sub snap {
    my ($i) = @_;
    $i //= $t;
    my $s = $i->state_snapshot;
    for my $path ('/api/v1/subscribers?limit=100', '/api/v1/dead-letters',
                  '/api/v1/queue') {
        my $r = $i->api(GET => $path, undef, token => 'admin');
        $s .= "\n$path $r->{status} $r->{content}";
    }
    return $s;
}

sub refused_422 {
    my ($r, $before, $fields, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is_status($r, 422, "$name: 422");
    is_deeply(marked_fields($r->{content}), [sort @$fields],
              "$name: exactly @$fields marked");
    for my $f (@$fields) {
        my $m = field_marked($r->{content}, $f);
        ok($m->{invalid}, "$name: $f has aria-invalid=true");
        ok(defined $m->{error} && length $m->{error},
           "$name: $f has its error message (p.err#f-$f-err)");
        ok($m->{described}, "$name: ${f}'s control points at its error");
    }
    like($r->{content}, qr{<p class="flash problem" role="alert">Nothing was changed},
         "$name: the page says (role=alert) nothing was changed");
    like($r->{content}, qr{<h1>Add subscriber</h1>}, "$name: the form again");
    headers_ok($r, $name);
    is(snap(), $before, "$name: nothing changed in the store");
}

# the queue figures of the Subscribers page
sub figures {
    my ($html) = @_;
    my %f;
    while ($html =~ m{<li data-figure="(\w+)"><strong>(\d+)</strong>}g) {
        $f{$1} = $2;
    }
    return \%f;
}

sub row_of {
    my ($html, $attr, $id) = @_;
    my ($row) = $html =~ m{(<tr $attr="$id"[^>]*>.*?</tr>)}s;
    return $row // '';
}

sub sub_json {
    my ($i, $id) = @_;
    return $i->api(GET => "/api/v1/subscribers/$id", undef, token => 'admin');
}

sub id_of_redirect {
    my ($i, $r) = @_;
    my ($path) = $i->admin_location($r);
    return ($path // '') =~ m{^subscribers/(\d+)\z} ? $1 : undef;
}

my $api = $t->create_component(name => 'API')->{id};
my $web = $t->create_component(name => 'Web')->{id};

# ---------------------------------------------------------------------------
# Admin -> Subscribers

my $html = $t->admin_page('', 'the dashboard');
my ($nav) = $html =~ m{<nav aria-label="Admin">(.*?)</nav>}s;
like($nav // '', qr{<a href="/admin/subscribers">Subscribers</a>},
     'the admin navigation has Subscribers');
is_deeply([ ($nav // '') =~ />([^<]+)<\/a>/g ],
          ['Dashboard', 'Incidents', 'Maintenance', 'Components',
           'Subscribers', 'Settings', 'View status page'],
          'in its place in the navigation');

my $r = $t->admin_get('subscribers');
is_status($r, 200, 'Admin -> Subscribers');
headers_ok($r, 'the Subscribers page');
$html = $r->{content};
like($html, qr{<title>Subscribers - Admin</title>}, 'its title');
like($html, qr{<h1>Subscribers</h1>}, 'its heading');
like($html, qr{No subscribers yet\.}, 'none yet');
is_deeply(figures($html), { queued => 0, dead => 0, confirmed => 0, unconfirmed => 0 },
          'the queue figures: queued, dead, confirmed, unconfirmed, all 0');
like($html, qr{<a class="btn" href="/admin/subscribers/new">Add subscriber</a>},
     'an "Add subscriber" link');
like($html, qr{<a class="btn sec" href="/admin/dead-letters">Failed deliveries</a>},
     'a "Failed deliveries" link');

# ---------------------------------------------------------------------------
# Add subscriber: the form

$html = $t->admin_page('subscribers/new', 'Subscribers -> Add subscriber');
my $f = form_fields($html, '/admin/subscribers');
ok($f, 'the form posts to /admin/subscribers');
like(form_value($f, 'csrf') // '', qr/^[0-9a-f]{64}\z/, 'with the CSRF token');
is(form_value($f, 'type'), 'email', 'the type is Email unless chosen');
is_deeply([ $html =~ /name="type" value="(\w+)"/g ], [qw(email webhook slack discord)],
          'four types: email, webhook, Slack, Discord');
like($html, qr{<label for="f-email">Email address</label><input type="text" id="f-email" name="email"},
     'an email field with its label');
like($html, qr{<label for="f-url">URL</label><input type="text" id="f-url" name="url"},
     'a URL field with its label');
is_deeply([ $html =~ /name="componentIds" value="(\d+)"/g ], [$api, $web],
          'one checkbox a component');
like($html, qr{<legend>Components</legend>}, 'under "Components"');
like($html, qr{None ticked: all components}, 'none ticked is all components');

# ---------------------------------------------------------------------------
# the happy paths: email, Slack, Discord

my $before_audit = $t->api(GET => '/api/v1/audit?limit=1', undef, token => 'admin')->{json}{data}[0]{id} // 0;

$r = $t->admin_submit('subscribers/new', 'subscribers',
                      { type => 'email', email => 'ops@example.com', componentIds => [$api] });
$t->is_redirect($r, qr{^subscribers/\d+\z}, 'subscriber-added',
                'add an email subscriber for API -> 303 to its page');
my $mail = id_of_redirect($t, $r);
$html = $t->follow($r);
is(flash_of($html), 'Subscriber added.', 'the flash says "Subscriber added."');
like($html, qr{<h1 class="addr">ops\@example\.com</h1>}, 'its page is headed by the address');
like(html_text($html), qr/Type Email Email ops\@example\.com Components API State Confirmed Added By an admin/,
     'its details: type, address, components, state, who added it');
like($html, qr{Nothing sent yet\.}, 'an empty delivery history');
fields_are(sub_json($t, $mail)->{json},
           { type => 'email', email => 'ops@example.com', componentIds => [$api],
             confirmed => JSON::PP::true, disabled => JSON::PP::false, source => 'admin' },
           'the API has it, confirmed at once');

my %url = (
    slack   => 'https://hooks.slack.com/services/T0SECRET/B0SECRET/slackTOKENxyz',
    discord => 'https://discord.com/api/webhooks/123456/discordTOKENxyz?wait=true',
);
my %shown = (slack => "https://hooks.slack.com/$ELL", discord => "https://discord.com/$ELL");
my %label = (slack => 'Slack', discord => 'Discord');
my %id;
for my $type ('slack', 'discord') {
    $r = $t->admin_submit('subscribers/new', 'subscribers',
                          { type => $type, url => $url{$type},
                            componentIds => $type eq 'slack' ? [] : [$api, $web] });
    $t->is_redirect($r, qr{^subscribers/\d+\z}, 'subscriber-added',
                    "add a $label{$type} subscriber -> 303 to its page");
    $id{$type} = id_of_redirect($t, $r);
    $html = $t->follow($r);
    like($html, qr{<h1 class="addr">\Q$shown{$type}\E</h1>},
         "$label{$type}: the URL shows as $shown{$type}");
    unlike($html, qr/TOKEN|SECRET|123456|wait=true/, "$label{$type}: nothing of its path or query");
    like(html_text($html), qr/Components \Q@{[ $type eq 'slack' ? 'All components' : 'API, Web' ]}\E State/,
         "$label{$type}: its components");
    fields_are(sub_json($t, $id{$type})->{json},
               { type => $type, url => $url{$type}, confirmed => JSON::PP::true },
               "$label{$type}: the API has the whole URL");
    ok(!exists sub_json($t, $id{$type})->{json}{secret}, "$label{$type}: no secret");
}

# ---------------------------------------------------------------------------
# a webhook: its signing secret, once

my $hook_url = 'http://127.0.0.1:1/hooks/hookTOKENxyz';
$r = $t->admin_submit('subscribers/new', 'subscribers', { type => 'webhook', url => $hook_url });
is_status($r, 200, 'add a webhook -> 200: the page with its secret, not a redirect');
ok(!defined $r->{headers}{location}, 'no Location: nothing of it goes into a URL');
headers_ok($r, 'the secret page');
like($r->{headers}{'cache-control'} // '', qr/\bno-store\b/, 'Cache-Control: no-store');
no_inline_script($r->{content}, 'the secret page');
my $page = $r->{content};
my ($secret) = $page =~ m{<input type="text" id="f-secret" readonly[^>]*value="([^"]*)"};
like($secret // '', qr{^whsec_[A-Za-z0-9+/]{32,}={0,2}\z}, 'the page shows a whsec_ signing secret');
like($page, qr{<label for="f-secret">Signing secret</label>}, 'labelled "Signing secret"');
like($page, qr{aria-describedby="f-secret-hint"[^>]*>.*?<p class="hint" id="f-secret-hint"><strong>Copy it now: it will not be shown again\.</strong>}s,
     'the note that it will not be shown again, tied to the field');
is(flash_of($page), 'Subscriber added.', 'the flash says "Subscriber added."');
like($page, qr{<h1>Webhook added</h1>}, 'headed "Webhook added"');
like($page, qr{<dd class="addr">http://127\.0\.0\.1:1/\Q$ELL\E }, 'the URL as scheme://host/…');
unlike($page, qr/hookTOKEN/, 'nothing of the URL path, even there');
my ($hook) = $page =~ m{<a class="btn" href="/admin/subscribers/(\d+)">Done</a>};
ok($hook, 'a "Done" link to its page');
fields_are(sub_json($t, $hook)->{json}, { type => 'webhook', url => $hook_url },
           'the API has the webhook');

# never again: no page, no API read, no log has it
for my $path ('', 'subscribers', 'subscribers/new', "subscribers/$hook",
              "subscribers/$hook/delete", 'dead-letters') {
    my $g = $t->admin_get($path);
    is_status($g, 200, "GET $path");
    unlike($g->{content}, qr/whsec_/, "GET $path: no secret")
        or diag("the secret is on $path");
}
my $g = sub_json($t, $hook);
ok(!exists $g->{json}{secret} && index($g->{content}, $secret) < 0,
   'GET /api/v1/subscribers/N: no secret');
$g = $t->api(GET => '/api/v1/subscribers?limit=100', undef, token => 'admin');
unlike($g->{content}, qr/whsec_/, 'GET /api/v1/subscribers: no secret');
for my $log ('error.log', 'access.log') {
    my $text = IncidentTest::read_file($t->prefix . "/logs/$log") // '';
    ok(length $text, "$log has lines");
    ok(index($text, $secret) < 0, "the secret is not in $log");
    ok(index($text, 'hookTOKEN') < 0, "nor the webhook's URL path");
}

# the form posted again (a reload) makes another webhook with a new
# secret; the first one's stays unseen
$r = $t->admin_submit('subscribers/new', 'subscribers', { type => 'webhook', url => $hook_url });
is_status($r, 200, 'the same form again -> 200');
my ($secret2) = $r->{content} =~ m{id="f-secret" readonly[^>]*value="([^"]*)"};
my ($hook2) = $r->{content} =~ m{href="/admin/subscribers/(\d+)">Done</a>};
isnt($hook2, $hook, 'another subscriber');
ok($secret2 && $secret2 ne $secret && index($r->{content}, $secret) < 0,
   'with its own secret; the first one is not shown');
is_status($t->api(DELETE => "/api/v1/subscribers/$hook2"), 204, 'remove it (API)');

# ---------------------------------------------------------------------------
# the list

$r = $t->admin_get('subscribers');
$html = $r->{content};
is_deeply([ map { $_->{'data-subscriber-id'} } @{ page_elements($html, 'data-subscriber-id') } ],
          [$mail, $id{slack}, $id{discord}, $hook], 'the list: every subscriber, in order');
like(row_of($html, 'data-subscriber-id', $mail),
     qr{<a href="/admin/subscribers/$mail">ops\@example\.com</a></td><td data-label="Type">Email</td><td data-label="Components">API</td><td data-label="State">Confirmed</td>},
     'the email row: address (a link to its page), type, components, state');
like(row_of($html, 'data-subscriber-id', $id{slack}),
     qr{>https://hooks\.slack\.com/\Q$ELL\E</a></td><td data-label="Type">Slack</td><td data-label="Components">All components</td>},
     'the Slack row: scheme://host/… only, "All components"');
like(row_of($html, 'data-subscriber-id', $id{discord}),
     qr{>https://discord\.com/\Q$ELL\E</a></td><td data-label="Type">Discord</td><td data-label="Components">API, Web</td>},
     'the Discord row');
like(row_of($html, 'data-subscriber-id', $hook),
     qr{>http://127\.0\.0\.1:1/\Q$ELL\E</a></td><td data-label="Type">Webhook</td>},
     'the webhook row');
unlike($html, qr/TOKEN|SECRET|123456|wait=true/, 'no URL path or query anywhere on the list');
is_deeply(figures($html), { queued => 0, dead => 0, confirmed => 4, unconfirmed => 0 },
          'the figures: 4 confirmed');
my $q = $t->api(GET => '/api/v1/queue', undef, token => 'admin')->{json};
is_deeply(figures($html), { queued => $q->{queued}, dead => $q->{dead},
                            confirmed => $q->{subscribers}, unconfirmed => $q->{unconfirmed} },
          'as GET /api/v1/queue says');

my $audit = $t->api(GET => '/api/v1/audit?limit=100', undef, token => 'admin')->{json}{data} || [];
is_deeply([ map { [$_->{actor}, $_->{action}, $_->{objectId}] }
            reverse grep { $_->{id} > $before_audit } @$audit ],
          [ (map { ['alice', 'subscriber.create', $_] } $mail, $id{slack}, $id{discord}, $hook, $hook2),
            ['admin', 'subscriber.delete', $hook2] ],
          'the audit trail names alice for each addition');

# ---------------------------------------------------------------------------
# validation: 422, the field marked, what was typed kept, nothing changed

my $before = snap();
my @bad = (
    ['an empty email', { type => 'email', email => '', url => 'https://kept.example/x' }, ['email']],
    ['an email that is no address', { type => 'email', email => 'not an address' }, ['email']],
    ['an address subscribed already (other case)', { type => 'email', email => 'OPS@Example.COM' },
     ['email'], qr/already subscribed/],
    ['a webhook without a URL', { type => 'webhook', email => 'kept@example.com', url => '' }, ['url']],
    ['a webhook to ftp://', { type => 'webhook', url => 'ftp://example.com/x' }, ['url']],
    ['a Slack URL with credentials in the host part',
     { type => 'slack', url => 'https://user:pw@hooks.slack.com/x' }, ['url']],
    ['a Discord URL without a scheme', { type => 'discord', url => 'discord.com/api/webhooks/1/x' }, ['url']],
    ['an unknown type', { type => 'pigeon', email => 'coo@example.com' }, ['type']],
    ['a bad URL, two components ticked', { type => 'slack', url => 'nope', componentIds => [$api, $web] },
     ['url']],
    ['an unknown component', { type => 'email', email => 'new@example.com', componentIds => [99] },
     ['componentIds'], qr/unknown component 99/],
    ['an unknown component and a bad email', { type => 'email', email => 'bad', componentIds => [99] },
     ['componentIds', 'email']],
    ['a component id that is no number', { type => 'email', email => 'new@example.com',
                                            componentIds => ['abc'] }, ['componentIds']],
);
for my $case (@bad) {
    my ($name, $set, $fields, $message) = @$case;
    $r = $t->admin_submit('subscribers/new', 'subscribers', $set);
    refused_422($r, $before, $fields, $name);
    my $back = form_fields($r->{content}, '/admin/subscribers');
    for my $k (grep { $_ eq 'email' || $_ eq 'url' } sort keys %$set) {
        is(form_value($back, $k), $set->{$k}, "$name: the $k typed is kept");
    }
    is(form_value($back, 'type'), $set->{type}, "$name: the type chosen is kept")
        unless $set->{type} eq 'pigeon';
    is_deeply([ form_value($back, 'componentIds') ], $set->{componentIds},
              "$name: the components ticked are kept")
        if $set->{componentIds} && !grep { !/^(?:$api|$web)\z/ } @{ $set->{componentIds} };
    like(field_marked($r->{content}, $fields->[0])->{error}, $message, "$name: the message")
        if $message;
}

# ---------------------------------------------------------------------------
# CSRF and the same-origin check on the new forms

my $csrf = $t->admin_csrf($t->admin_page('subscribers/new'));
(my $wrong = $csrf) =~ s/^(.)/$1 eq 'a' ? 'b' : 'a'/e;
$before = snap();
for my $route (['subscribers', [type => 'email', email => 'csrf@example.com']],
               ["subscribers/$mail/delete", []],
               ['dead-letters/1/retry', []]) {
    my ($path, $fields) = @$route;
    for my $tk (['no csrf field', undef], ['an empty csrf', ''], ['a wrong csrf', $wrong]) {
        my ($what, $value) = @$tk;
        $r = $t->admin_post($path, [ (defined $value ? (csrf => $value) : ()), @$fields ]);
        is($r->{status}, 403, "POST $path with $what -> 403")
            or diag(IncidentTest::dump_response($r));
    }
    like($r->{content}, qr/nothing was\s+changed/i, "POST $path: the 403 page says nothing was changed");
    headers_ok($r, "POST $path: the 403 page");
    $r = $t->admin_post($path, [csrf => $csrf, @$fields], origin => 'http://evil.example');
    is($r->{status}, 403, "POST $path from another origin (valid token) -> 403");
    $r = $t->admin_post($path, [csrf => $csrf, @$fields], origin => undef, fetch_site => 'cross-site');
    is($r->{status}, 403, "POST $path with Sec-Fetch-Site: cross-site -> 403");
}
is(snap(), $before, 'no refused POST changed anything');

# ---------------------------------------------------------------------------
# GET changes nothing; the methods; not found

my @gets = ('subscribers', 'subscribers?cursor=1', 'subscribers/new', "subscribers/$mail",
            "subscribers/$mail?cursor=5", "subscribers/$mail/delete", 'dead-letters',
            'dead-letters?cursor=3', "subscribers/$mail/delete?csrf=$csrf",
            "subscribers?csrf=$csrf&type=email&email=get\@example.com");
$before = snap();
for my $path (@gets) {
    for my $m (qw(GET HEAD)) {
        $r = $t->admin_req($m, $path);
        is($r->{status}, 200, "$m $path -> 200") or diag(IncidentTest::dump_response($r));
    }
    headers_ok($r, "HEAD $path");
    $r = $t->admin_get($path);
    headers_ok($r, "GET $path");
    no_inline_script($r->{content}, "GET $path");
}
is(snap(), $before, 'no GET or HEAD changed anything');

$r = $t->admin_get("dead-letters/1/retry?csrf=$csrf");
is_status($r, 405, 'GET dead-letters/1/retry (a POST-only route) -> 405');
is($r->{headers}{allow}, 'POST', 'Allow: POST');
headers_ok($r, 'the 405');
for my $m (['POST', 'subscribers/new', 'GET, HEAD'], ['POST', "subscribers/$mail", 'GET, HEAD'],
           ['POST', 'dead-letters', 'GET, HEAD'], ['DELETE', "subscribers/$mail", 'GET, HEAD'],
           ['PUT', 'subscribers', 'GET, HEAD, POST'],
           ['DELETE', "subscribers/$mail/delete", 'GET, HEAD, POST']) {
    my ($method, $path, $allow) = @$m;
    $r = $t->admin_req($method, $path, form => [csrf => $csrf, type => 'email', email => 'm@example.com']);
    is_status($r, 405, "$method $path -> 405");
    is($r->{headers}{allow}, $allow, "$method $path: Allow: $allow");
}
is(snap(), $before, 'no refused method changed anything');

for my $path ('subscribers/999999', 'subscribers/999999/delete', 'subscribers/0',
              'subscribers/abc', 'subscribers/1/edit', 'dead-letters/abc/retry',
              'dead-letters/1', 'subscribers/new/delete') {
    $r = $t->admin_get($path);
    is_status($r, 404, "GET $path -> 404");
    headers_ok($r, "the 404 of $path");
    like($r->{headers}{'content-type'} // '', qr{^text/html}, "$path: an HTML page");
}
like($t->admin_get('subscribers/999999')->{content}, qr/There is no such subscriber\./,
     'subscribers/999999: "There is no such subscriber."');
for my $path ('subscribers/999999/delete', 'dead-letters/999999/retry') {
    $r = $t->admin_post($path, [csrf => $csrf]);
    is_status($r, 404, "POST $path -> 404");
    like($r->{content}, qr/nothing was changed/, "POST $path: nothing was changed");
}
is(snap(), $before, 'nothing changed');

# ---------------------------------------------------------------------------
# escaping

my %hostile = (
    comp  => q{<script>alert("c")</script>&amp;'},
    email => q{o'brien&co@example.com},
    url   => q{https://x"'<svg>/p<script>alert(1)</script>},
    typed => q{"><script>alert(9)</script>},
);
my $evil = $t->create_component(name => $hostile{comp})->{id};
$r = $t->admin_submit('subscribers/new', 'subscribers',
                      { type => 'email', email => $hostile{email}, componentIds => [$evil] });
$t->is_redirect($r, qr{^subscribers/\d+\z}, 'subscriber-added', 'an address with \' and &');
my $evil_mail = id_of_redirect($t, $r);
$r = $t->admin_submit('subscribers/new', 'subscribers',
                      { type => 'slack', url => $hostile{url}, componentIds => [$evil, $api] });
$t->is_redirect($r, qr{^subscribers/\d+\z}, 'subscriber-added', 'a URL with " \' < > in its host');
my $evil_url = id_of_redirect($t, $r);
is(sub_json($t, $evil_url)->{json}{url}, $hostile{url}, 'stored as typed');

my $e_comp  = q{&lt;script&gt;alert(&quot;c&quot;)&lt;/script&gt;&amp;amp;&#39;};
my $e_email = q{o&#39;brien&amp;co@example.com};
my $e_url   = qq{https://x&quot;&#39;&lt;svg&gt;/$ELL};
my @raw = ('<script>alert', '<svg>', q{o'brien}, 'brien&co');
sub escaped_ok {
    my ($html, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @found = grep { index($html, $_) >= 0 } @raw;
    ok(!@found, "$name: nothing hostile unescaped") or diag("found: @found");
    no_inline_script($html, $name);
}
for my $path ('subscribers', 'subscribers/new', "subscribers/$evil_mail",
              "subscribers/$evil_mail/delete", "subscribers/$evil_url",
              "subscribers/$evil_url/delete", 'dead-letters') {
    escaped_ok($t->admin_page($path, "GET $path"), "GET $path");
}
$html = $t->admin_page('subscribers', 'the list');
like(row_of($html, 'data-subscriber-id', $evil_mail),
     qr{>\Q$e_email\E</a></td><td data-label="Type">Email</td><td data-label="Components">\Q$e_comp\E</td>},
     'the list: the address and the component name escaped');
like(row_of($html, 'data-subscriber-id', $evil_url),
     qr{>\Q$e_url\E</a></td><td data-label="Type">Slack</td><td data-label="Components">\Q$e_comp\E, API</td>},
     'the list: the URL host escaped, its path elided');
$html = $t->admin_page("subscribers/$evil_mail", 'its page');
like($html, qr{<title>\Q$e_email\E - Admin</title>}, 'the <title> is escaped');
like($html, qr{<h1 class="addr">\Q$e_email\E</h1>}, 'the heading is escaped');
$html = $t->admin_page("subscribers/$evil_url/delete", 'its removal');
like($html, qr{<blockquote class="card">Slack \Q$e_url\E \(\Q$e_comp\E, API\)</blockquote>},
     'the confirmation names it, escaped');
$html = $t->admin_page('subscribers/new', 'the form');
like($html, qr{value="$evil"> \Q$e_comp\E</label>}, 'the checkbox label is escaped');

$r = $t->admin_submit('subscribers/new', 'subscribers',
                      { type => 'webhook', url => $hostile{typed}, email => $hostile{typed} });
is_status($r, 422, 'a 422 with hostile input');
escaped_ok($r->{content}, 'the 422 page');
my $back = form_fields($r->{content}, '/admin/subscribers');
is(form_value($back, 'url'), $hostile{typed}, 'the hostile URL comes back intact');
is(form_value($back, 'email'), $hostile{typed}, 'the hostile email comes back intact');
for my $q ('done=%3Cscript%3Ealert(8)%3C/script%3E', 'cursor=%3Cscript%3Ealert(8)') {
    $html = $t->admin_page("subscribers?$q", "GET subscribers?$q");
    is(flash_of($html), '', "?$q: no flash");
    unlike($html, qr/alert\(8\)/, "?$q: not reflected");
}

# ---------------------------------------------------------------------------
# remove, with a confirmation that names what goes

$html = $t->admin_page("subscribers/$id{slack}", 'the Slack subscriber');
like($html, qr{<a class="btn sec del" href="/admin/subscribers/$id{slack}/delete">Remove subscriber</a>},
     'its page has "Remove subscriber"');
$html = $t->admin_page("subscribers/$id{slack}/delete", 'Remove subscriber');
like($html, qr{<h1>Remove subscriber</h1>}, 'the confirmation page');
like($html, qr{<blockquote class="card">Slack https://hooks\.slack\.com/\Q$ELL\E \(All components\)</blockquote>},
     'it names what goes: type, address, components');
like($html, qr{delivery history goes with it}, 'and says the history goes too');
like($html, qr{<button class="danger" type="submit">Remove subscriber</button><a href="/admin/subscribers/$id{slack}">Cancel</a>},
     'a "Remove subscriber" button and a way back');
unlike($html, qr/TOKEN|SECRET/, 'not the URL path');
ok(form_fields($html, "/admin/subscribers/$id{slack}/delete"), 'the form posts to .../delete');

$r = $t->admin_submit("subscribers/$id{slack}/delete", "subscribers/$id{slack}/delete", {});
$t->is_redirect($r, 'subscribers', 'subscriber-removed', 'remove it -> 303 to the list');
$html = $t->follow($r);
is(flash_of($html), 'Subscriber removed.', 'the flash says "Subscriber removed."');
ok(!(grep { $_->{'data-subscriber-id'} eq $id{slack} }
         @{ page_elements($html, 'data-subscriber-id') }), 'gone from the list');
is_status(sub_json($t, $id{slack}), 404, 'gone from the API');
is_status($t->admin_get("subscribers/$id{slack}"), 404, 'its page -> 404');
$audit = $t->api(GET => '/api/v1/audit?limit=1', undef, token => 'admin')->{json}{data}[0];
fields_are($audit, { actor => 'alice', action => 'subscriber.delete', objectId => $id{slack} },
           'the audit trail names alice');
$before = snap();
$r = $t->admin_post("subscribers/$id{slack}/delete", [csrf => $csrf]);
is_status($r, 404, 'removing it again -> 404');
is(snap(), $before, 'nothing changed');

# ---------------------------------------------------------------------------
# pages of 25

my @more;
for my $n (1 .. 30) {
    my $p = $t->api(POST => '/api/v1/subscribers',
                    { type => 'email', email => sprintf('page%02d@example.com', $n) },
                    token => 'admin');
    push @more, $p->{json}{id} if $p->{status} == 201;
}
is(scalar @more, 30, '30 more subscribers (API)');
my @all = @{ ids_of($t->api(GET => '/api/v1/subscribers?limit=100', undef,
                            token => 'admin')->{json}{data}) };
my (@seen, $next, $pages);
$next = 'subscribers';
while (defined $next && ++$pages <= 5) {
    $html = $t->admin_page($next, "GET $next");
    my $rows = page_elements($html, 'data-subscriber-id');
    ok(@$rows <= 25, "$next: at most 25 rows");
    push @seen, map { $_->{'data-subscriber-id'} } @$rows;
    ($next) = $html =~ m{<a rel="next" href="/admin/(subscribers\?cursor=\d+)">More subscribers &rarr;</a>};
}
is($pages, 2, 'two pages');
is_deeply(\@seen, \@all, 'every subscriber once, in order, over the pages');

$t->stop;

# ---------------------------------------------------------------------------
# failed deliveries (dead letters) and Retry

my $d = IncidentTest->new(status_page => '/', workers => 2, http_extra => $QUICK)
            ->with_admin(users => { alice => 'alice-pw' })->start;
$d->create_component(name => 'Checkout');
$r = $d->admin_submit('subscribers/new', 'subscribers',
                      { type => 'webhook', url => 'http://127.0.0.1:1/' });
is_status($r, 200, 'a webhook to http://127.0.0.1:1/ (not public: refused)');
($hook) = $r->{content} =~ m{href="/admin/subscribers/(\d+)">Done</a>};
my $inc = $d->create_incident(title => 'Checkout <b>errors</b>', componentIds => [1]);

my $dead;
ok(IncidentTest::wait_until(30, sub {
    $dead = $d->api(GET => '/api/v1/dead-letters', undef, token => 'admin')->{json}{data};
    return $dead && @$dead == 1;
}), 'its delivery becomes a dead letter (1 attempt)');
$dead = $dead->[0];
fields_are($dead, { subscriberId => $hook, incidentId => $inc->{id}, attempt => 1 },
           'the dead letter (API)');

$html = $d->admin_page('subscribers', 'the Subscribers page');
is(figures($html)->{dead}, 1, 'the figures: 1 dead');
is(figures($html)->{queued}, 0, 'nothing queued');
like($html, qr{<strong>1</strong> <a href="/admin/dead-letters">failed for good</a>},
     'the dead figure links to the failed deliveries');

$r = $d->admin_get('dead-letters');
is_status($r, 200, 'Subscribers -> Failed deliveries');
headers_ok($r, 'the failed deliveries');
no_inline_script($r->{content}, 'the failed deliveries');
$html = $r->{content};
like($html, qr{<h1>Failed deliveries</h1>}, 'its heading');
my $row = row_of($html, 'data-dead-letter-id', $dead->{id});
like($row, qr{<a href="/admin/subscribers/$hook">http://127\.0\.0\.1:1/\Q$ELL\E</a> <span class="mu">\(Webhook\)</span>},
     'the row: its subscriber (a link)');
like($row, qr{<a href="/admin/incidents/$inc->{id}">Checkout &lt;b&gt;errors&lt;/b&gt;</a>},
     'its incident (a link, the title escaped)');
like($row, qr{<td data-label="Attempts">1</td>}, 'its attempts');
like($row, qr{<td data-label="Last error" class="addr">refused: the address is not public},
     'its last error');
like($row, qr{<td data-label="Failed"><time datetime="\Q$dead->{deadAt}\E">}, 'when it failed');
like($row, qr{<button class="sec" type="submit" aria-label="Retry the delivery to http://127\.0\.0\.1:1/\Q$ELL\E about Checkout &lt;b&gt;errors&lt;/b&gt;">Retry</button>},
     'a Retry button that says what it retries');
my $rf = form_fields($html, "/admin/dead-letters/$dead->{id}/retry");
ok($rf && form_value($rf, 'csrf'), 'Retry is a POST form with the CSRF token');

$html = $d->admin_page("subscribers/$hook", 'the webhook\'s page');
my $hist = page_elements($html, 'data-delivery-id');
is(scalar @$hist, 1, 'its history: one delivery');
$row = row_of($html, 'data-delivery-id', $hist->[0]{'data-delivery-id'});
like($row, qr{data-outcome="dead"}, 'outcome dead');
like(html_text($row), qr/^\d{4}-\d\d-\d\d \d\d:\d\d UTC Checkout <b>errors<\/b> Incident created 1 Failed for good refused: the address is not public/,
     'time, incident, kind, attempt, outcome, detail');

my $top = $d->api(GET => '/api/v1/audit?limit=1', undef, token => 'admin')->{json}{data}[0]{id};
$r = $d->admin_submit('dead-letters', "dead-letters/$dead->{id}/retry", {});
$d->is_redirect($r, 'dead-letters', 'retried', 'Retry -> 303 to the failed deliveries');
$html = $d->follow($r);
is(flash_of($html), 'The delivery is queued again.', 'the flash says so');
fields_are($d->api(GET => '/api/v1/audit?limit=1', undef, token => 'admin')->{json}{data}[0],
           { actor => 'alice', action => 'notification.retry' }, 'the audit trail names alice');

# it fails again (still not public): two deliveries, newest first
my $again;
ok(IncidentTest::wait_until(30, sub {
    $again = $d->api(GET => "/api/v1/subscribers/$hook/deliveries", undef,
                     token => 'admin')->{json}{data};
    my $dl = $d->api(GET => '/api/v1/dead-letters', undef, token => 'admin')->{json}{data};
    return $again && @$again == 2 && $dl && @$dl == 1;
}), 'tried again, and dead again');
$html = $d->admin_page("subscribers/$hook", 'the history again');
is_deeply([ map { $_->{'data-delivery-id'} } @{ page_elements($html, 'data-delivery-id') } ],
          ids_of($again), 'the history: both, newest first, as the API');
ok($again->[0]{id} > $again->[1]{id}, 'newest first');

$before = snap($d);
$r = $d->admin_post('dead-letters/999999/retry', [csrf => $d->admin_csrf($d->admin_page('subscribers/new'))]);
is_status($r, 404, 'Retry of no dead letter -> 404');
like($r->{content}, qr/nothing was changed/, 'nothing was changed');
is(snap($d), $before, 'nothing changed');

# a public subscriber, pending; with no incident_smtp its confirmation
# mail fails for good too
$r = $d->api(POST => '/api/v1/subscribers', { email => 'reader@example.com' }, token => undef);
is_status($r, 202, 'someone subscribes on the status page');
my $reader = $d->api(GET => '/api/v1/subscribers?limit=100', undef, token => 'admin')->{json}{data}[-1]{id};
$html = $d->admin_page('subscribers', 'the list');
$row = row_of($html, 'data-subscriber-id', $reader);
like($row, qr{data-state="pending"}, 'the new one is pending');
like($row, qr{<td data-label="State">Pending confirmation</td>}, '"Pending confirmation"');
is(figures($html)->{unconfirmed}, 1, 'the figures: 1 unconfirmed');
like(html_text($d->admin_page("subscribers/$reader")), qr/Added On the status page/,
     'its page says it came from the status page');
ok(IncidentTest::wait_until(30, sub {
    my $dl = $d->api(GET => '/api/v1/dead-letters', undef, token => 'admin')->{json}{data};
    return $dl && @$dl == 2;
}), 'its confirmation mail fails for good (no incident_smtp)');
$html = $d->admin_page('dead-letters', 'the failed deliveries');
is(scalar @{ page_elements($html, 'data-dead-letter-id') }, 2, 'two failed deliveries');
like($html, qr{<a href="/admin/subscribers/$reader">reader\@example\.com</a> <span class="mu">\(Email\)</span></td><td data-label="Incident">Confirmation mail</td>},
     'the confirmation mail, for its address');

# a subscriber removed since: its dead letter stays, without a link
is_status($d->api(DELETE => "/api/v1/subscribers/$hook"), 204, 'remove the webhook (API)');
$html = $d->admin_page('dead-letters', 'the failed deliveries');
like($html, qr{<span class="mu">Subscriber $hook \(removed\)</span>},
     'a dead letter of a removed subscriber says so');
$d->stop;

# ---------------------------------------------------------------------------
# the secret shown is the one that signs; a 410 disables, with its reason

my $rx = WebhookReceiver->new(script => { '/gone' => [[410]], '*' => [[200]] });
my $w = IncidentTest->new(status_page => '/', workers => 2,
                          http_extra => "incident_webhook_allow_private on;\n"
                                      . "    incident_notify_retries 1 base=1s max=1s;")
            ->with_admin(users => { alice => 'alice-pw' })->start;
$r = $w->admin_submit('subscribers/new', 'subscribers',
                      { type => 'webhook', url => $rx->url('/ok/hookTOKEN') });
is_status($r, 200, 'a webhook to a receiver');
my ($wsecret) = $r->{content} =~ m{id="f-secret" readonly[^>]*value="([^"]*)"};
my ($ok_id) = $r->{content} =~ m{href="/admin/subscribers/(\d+)">Done</a>};
$r = $w->admin_submit('subscribers/new', 'subscribers', { type => 'discord', url => $rx->url('/gone') });
my $gone_id = id_of_redirect($w, $r);
ok($gone_id, 'a Discord subscriber whose URL answers 410');
$inc = $w->create_incident(title => 'Signed');
my @got = $rx->wait_for('/ok/hookTOKEN', 1, 30);
is(scalar @got, 1, 'the webhook gets the incident');
ok(@got && WebhookReceiver::verify_signature($wsecret, $got[0]),
   'signed with the secret the page showed (Standard Webhooks)');
ok(IncidentTest::wait_until(30, sub { sub_json($w, $gone_id)->{json}{disabled} }),
   'the 410 disables the Discord subscriber');

$html = $w->admin_page('subscribers', 'the list');
$row = row_of($html, 'data-subscriber-id', $gone_id);
like($row, qr{data-state="disabled"}, 'its row says disabled');
like($row, qr{<td data-label="State"><strong>Disabled</strong>: the target answered 410 Gone</td>},
     '"Disabled" with its reason');
$html = $w->admin_page("subscribers/$gone_id", 'its page');
like(html_text($html), qr/State Disabled: the target answered 410 Gone/, 'its page: disabled, and why');
like(html_text(row_of($html, 'data-delivery-id', page_elements($html, 'data-delivery-id')->[0]{'data-delivery-id'})),
     qr/Signed Incident created 1 Gone: subscriber disabled HTTP 410/, 'its history: the 410');
$html = $w->admin_page("subscribers/$ok_id", 'the webhook\'s page');
like($html, qr{<a href="/admin/incidents/$inc->{id}">Signed</a>}, 'its history links the incident');
like(html_text($html), qr/Signed Incident created 1 Delivered HTTP 200/, 'delivered, HTTP 200');
unlike($html, qr/whsec_|hookTOKEN/, 'neither the secret nor the URL path');
$w->stop;
$rx->stop;

done_testing;
