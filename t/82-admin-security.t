# The admin UI's security: nginx's auth_basic in front of it ({PLAIN} and
# SHA-512 crypt users), the CSRF token (per user, on every POST route),
# the same-origin check (Origin, Sec-Fetch-Site), GET never changing
# anything, the methods, the security headers on pages and on errors, no
# inline script, admin and API agreeing (the audit actor is the basic-auth
# user), and hostile names and titles escaped on every admin page.
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use IncidentTest qw(:DEFAULT :page);

my $EVE = '<i>eve</i>&"x';

my $t = IncidentTest->new(status_page => '/', workers => 2)
            ->with_admin(users => { alice => 'alice-pw', $EVE => 'eve-pw' },
                         crypt => { bob => 'bob-pw' },
                         user  => 'alice')
            ->start;

*form_fields = \&IncidentTest::form_fields;
*form_value  = \&IncidentTest::form_value;

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
        my ($attrs, $body) = ($1, $2);
        push @why, "inline <script> ($body)" if $body =~ /\S/;
        push @why, "<script> without src" unless $attrs =~ /\ssrc="[^"]+"/;
    }
    push @why, "<style> element" if $html =~ /<style\b/i;
    # attribute names, outside the quoted values
    while ($html =~ /<[a-zA-Z][a-zA-Z0-9]*(\s[^>]*)?>/g) {
        my $attrs = $1 // '';
        push @why, "javascript: URL ($&)"
            if $attrs =~ /\s(?:href|src|action|formaction)\s*=\s*"\s*javascript:/i;
        (my $names = $attrs) =~ s/"[^"]*"|'[^']*'//g;
        push @why, "inline event handler ($&)" if $names =~ /\son[a-z]+\s*=/i;
        push @why, "style attribute ($&)" if $names =~ /\sstyle\s*=/i;
    }
    ok(!@why, "$name: no inline script or style") or diag(join "\n", @why);
}

sub snap { $t->state_snapshot }

sub csrf_for {
    my ($user) = @_;
    return $t->admin_csrf($t->admin_page('incidents/new', "GET a form as $user",
                                         user => $user));
}

# ---------------------------------------------------------------------------
# authentication is nginx's

my $r = $t->admin_get('', user => undef);
is_status($r, 401, 'GET the dashboard without credentials -> 401');
like($r->{headers}{'www-authenticate'} // '', qr/^Basic realm="Status admin"/,
     'WWW-Authenticate: Basic');
unlike($r->{content}, qr/Dashboard/, 'no admin page without credentials');
is_status($t->admin_get('', password => 'wrong'), 401, 'a wrong password -> 401');
is_status($t->admin_get('', user => 'mallory', password => 'x'), 401, 'an unknown user -> 401');
is_status($t->admin_get('admin.js', user => undef), 401, 'admin.js is behind the login too');

my $html = $t->admin_page('', 'alice ({PLAIN} password) signs in');
like($html, qr/Signed in as alice/, 'the page says who is signed in');
$html = $t->admin_page('', 'bob (SHA-512 crypt password) signs in', user => 'bob');
like($html, qr/Signed in as bob/, 'signed in as bob');
is_status($t->admin_get('', user => 'bob', password => 'alice-pw'), 401,
          "bob with alice's password -> 401");

$t->create_component(name => 'API');
$t->create_component(name => 'Dashboard');
$t->create_incident(title => 'Seeded', componentIds => [1], message => 'First.');

my $before = snap();
my $alice_csrf = csrf_for('alice');
$r = $t->admin_post('incidents', [csrf => $alice_csrf, title => 'No login'], user => undef);
is_status($r, 401, 'POST without credentials (with a valid token) -> 401');
is(snap(), $before, 'nothing changed');

# ---------------------------------------------------------------------------
# the token: per user, stable

like($alice_csrf // '', qr/^[0-9a-f]{64}\z/, "alice's token is 64 hex digits");
my $bob_csrf = csrf_for('bob');
isnt($bob_csrf, $alice_csrf, 'bob has another token');
my %seen;
for (1 .. 6) {
    $seen{ csrf_for('alice') }++;
    $seen{ $t->admin_csrf($t->admin_page('components/new', 'GET another form')) }++;
}
is_deeply([ keys %seen ], [$alice_csrf], "alice's token is the same on every page and worker");

# every POST route refuses a missing, wrong or foreign token
my @routes = (
    ['incidents', [title => 'X', status => 'investigating', impact => 'minor']],
    ['incidents/1', [title => 'X', impact => 'minor']],
    ['incidents/1/updates', [status => 'resolved', message => 'X']],
    ['incidents/1/updates/1', [message => 'X']],
    ['incidents/1/updates/1/delete', []],
    ['incidents/1/delete', []],
    ['components', [name => 'X']],
    ['components/1', [name => 'X']],
    ['components/2/move', [direction => 'up']],
    ['components/1/delete', []],
    ['settings', [pageTitle => 'X', incidentPosition => 'below_status']],
);
(my $wrong = $alice_csrf) =~ s/^(.)/$1 eq 'a' ? 'b' : 'a'/e;
my @tokens = (
    ['no csrf field', undef],
    ['an empty csrf', ''],
    ['a wrong csrf (one digit changed)', $wrong],
    ['a csrf cut short', substr($alice_csrf, 0, 63)],
    ['the csrf in upper case', uc $alice_csrf],
    ["bob's csrf", $bob_csrf],
);
$before = snap();
for my $route (@routes) {
    my ($path, $fields) = @$route;
    for my $tk (@tokens) {
        my ($what, $value) = @$tk;
        my @form = ((defined $value ? (csrf => $value) : ()), @$fields);
        $r = $t->admin_post($path, \@form);
        is($r->{status}, 403, "POST $path with $what -> 403")
            or diag(IncidentTest::dump_response($r));
    }
}
headers_ok($r, 'the 403 page');
like($r->{content}, qr/nothing was\s+changed/i, 'the 403 page says nothing was changed');
is(snap(), $before, 'none of those changed anything');

# with the right token each user gets through; a token is its user's only
$r = $t->admin_post('components', [csrf => $alice_csrf, name => 'By alice']);
$t->is_redirect($r, 'components', 'component-added', "alice's token for alice -> 303");
$r = $t->admin_post('components', [csrf => $bob_csrf, name => 'By bob'], user => 'bob');
$t->is_redirect($r, 'components', 'component-added', "bob's token for bob -> 303");
$before = snap();
$r = $t->admin_post('components', [csrf => $alice_csrf, name => 'Stolen'], user => 'bob');
is_status($r, 403, "alice's token sent by bob -> 403");
$r = $t->admin_post('components', [csrf => $bob_csrf, name => 'Stolen'], user => 'alice');
is_status($r, 403, "bob's token sent by alice -> 403");
is(snap(), $before, 'nothing changed');

# two users whose names differ only after the 300th character
my %long = (a => ('l' x 300) . '-a', b => ('l' x 300) . '-b');
{
    my $l = IncidentTest->new->with_admin(users => { $long{a} => 'pa', $long{b} => 'pb' });
    $l->start;
    my $ta = $l->admin_csrf($l->admin_page('incidents/new', 'long user a signs in', user => $long{a}));
    my $tb = $l->admin_csrf($l->admin_page('incidents/new', 'long user b signs in', user => $long{b}));
    isnt($ta, $tb, 'users whose names share the first 300 characters get different tokens');
    my $r = $l->admin_post('components', [csrf => $ta, name => 'Stolen'], user => $long{b});
    is($r->{status}, 403, "a's token sent by b (names alike for 300 characters) -> 403");
    $l->stop;
}

# the token survives a restart (the secret is in the store)
$t->restart;
is(csrf_for('alice'), $alice_csrf, "alice's token after a restart is the same");
$r = $t->admin_post('components', [csrf => $alice_csrf, name => 'After restart']);
$t->is_redirect($r, 'components', 'component-added', 'a form opened before the restart still posts');

# ---------------------------------------------------------------------------
# the same-origin check

my $port = $t->port;
my @cross = (
    ['Origin: http://evil.example', origin => 'http://evil.example'],
    ['Origin: null', origin => 'null'],
    ['Origin: another port', origin => 'http://127.0.0.1:' . ($port == 65535 ? 1 : $port + 1)],
    ['Origin: https (another scheme)', origin => "https://127.0.0.1:$port"],
    ['Origin: a suffix of this origin', origin => "http://127.0.0.1:${port}0"],
    ['Origin: evil, Sec-Fetch-Site: same-origin', origin => 'http://evil.example',
                                                 fetch_site => 'same-origin'],
    ['Sec-Fetch-Site: cross-site (no Origin)', origin => undef, fetch_site => 'cross-site'],
    ['Sec-Fetch-Site: same-site (no Origin)', origin => undef, fetch_site => 'same-site'],
    ['Sec-Fetch-Site: cross-site, Origin: this one', fetch_site => 'cross-site'],
);
$before = snap();
for my $c (@cross) {
    my ($what, %o) = @$c;
    for my $path ('incidents', 'settings', 'components/3/delete') {
        my @fields = $path eq 'incidents' ? (title => 'Cross', impact => 'minor')
                   : $path eq 'settings' ? (pageTitle => 'Cross') : ();
        $r = $t->admin_post($path, [csrf => $alice_csrf, @fields], %o);
        is($r->{status}, 403, "POST $path with $what (valid token) -> 403")
            or diag(IncidentTest::dump_response($r));
    }
}
headers_ok($r, 'the cross-site 403');
is(snap(), $before, 'no cross-site POST changed anything');

# what a browser sends for a same-origin form, and what tools send
for my $c (['Origin: this one, Sec-Fetch-Site: same-origin'],
           ['Sec-Fetch-Site: same-origin only', origin => undef],
           ['Origin: this one only', fetch_site => undef],
           ['Sec-Fetch-Site: none (typed by the user)', origin => undef, fetch_site => 'none'],
           ['neither header (not a browser)', origin => undef, fetch_site => undef]) {
    my ($what, %o) = @$c;
    $r = $t->admin_post('components', [csrf => $alice_csrf, name => "OK: $what"], %o);
    $t->is_redirect($r, 'components', 'component-added', "$what -> accepted");
}

# ---------------------------------------------------------------------------
# GET never changes state; the methods

$t->create_incident(title => 'Resolved one', status => 'resolved', message => 'Over.');
$before = snap();
my @gets = ('', 'incidents', 'incidents?state=active', 'incidents?state=resolved',
            'incidents?state=all&cursor=1', 'incidents/new', 'incidents/1',
            'incidents/1?status=resolved', 'incidents/1?done=created', 'incidents/1/edit',
            'incidents/1/updates/1/edit', 'incidents/1/updates/1/delete',
            'incidents/1/delete', 'components', 'components/new', 'components/1',
            'components/1/delete', 'settings', 'admin.css', 'admin.js',
            "incidents?csrf=$alice_csrf&title=ViaGet&status=investigating&impact=minor",
            "settings?csrf=$alice_csrf&pageTitle=ViaGet",
            "incidents/1/delete?csrf=$alice_csrf",
            "components/1/delete?csrf=$alice_csrf&confirm=1");
for my $path (@gets) {
    for my $m (qw(GET HEAD)) {
        $r = $t->admin_req($m, $path);
        is($r->{status}, 200, "$m $path -> 200")
            or diag(IncidentTest::dump_response($r));
        headers_ok($r, "$m $path") if $m eq 'GET';
    }
}
for my $p (['incidents/1/updates', 'POST'], ['incidents/1/updates/1', 'POST'],
           ['components/1/move', 'POST']) {
    $r = $t->admin_get($p->[0] . "?csrf=$alice_csrf&direction=up&message=x&status=resolved");
    is_status($r, 405, "GET $p->[0] (a POST-only route) -> 405");
    is($r->{headers}{allow}, $p->[1], "Allow: $p->[1]");
    headers_ok($r, "the 405 of $p->[0]");
}
is(snap(), $before, 'no GET or HEAD changed anything');

for my $m (['PUT', 'incidents', 'GET, HEAD, POST'], ['DELETE', 'incidents/1', 'GET, HEAD, POST'],
           ['DELETE', 'components/1/delete', 'GET, HEAD, POST'],
           ['PATCH', 'settings', 'GET, HEAD, POST'], ['POST', '', 'GET, HEAD'],
           ['POST', 'incidents/new', 'GET, HEAD'], ['POST', 'admin.css', 'GET, HEAD'],
           ['POST', 'incidents/1/edit', 'GET, HEAD']) {
    my ($method, $path, $allow) = @$m;
    $r = $t->admin_req($method, $path, form => [csrf => $alice_csrf, title => 'M']);
    is_status($r, 405, "$method $path -> 405");
    is($r->{headers}{allow}, $allow, "$method $path: Allow: $allow");
}
is(snap(), $before, 'no refused method changed anything');

# ---------------------------------------------------------------------------
# headers on pages and errors; no inline script

for my $path (@gets[0 .. 17]) {
    $r = $t->admin_get($path);
    no_inline_script($r->{content}, "GET $path");
}
for my $c (['GET', 'nothing/here', 404], ['GET', 'incidents/0', 404],
           ['GET', 'incidents/99999', 404], ['GET', 'components/99999', 404],
           ['GET', 'incidents/1/updates/99999/edit', 404]) {
    my ($m, $path, $status) = @$c;
    $r = $t->admin_req($m, $path);
    is_status($r, $status, "$m $path -> $status");
    headers_ok($r, "the $status page of $path");
    like($r->{headers}{'content-type'} // '', qr{^text/html}, "$path: an HTML error page");
    no_inline_script($r->{content}, "the $status page of $path");
}
$r = $t->admin_post('incidents', [csrf => $alice_csrf, title => '']);
is_status($r, 422, 'a 422');
headers_ok($r, 'the 422 page');
no_inline_script($r->{content}, 'the 422 page');
$r = $t->admin_post('incidents', [csrf => $alice_csrf, title => 'Big', message => 'x' x 70000]);
is_status($r, 413, 'a form over 64k -> 413');
headers_ok($r, 'the 413 page');
$r = $t->admin_post('incidents', "csrf=$alice_csrf&title=%FF%FE");
is_status($r, 400, 'a form that is not UTF-8 -> 400');
headers_ok($r, 'the 400 page');
$r = $t->admin_post('components', [csrf => $alice_csrf, name => 'Redirected']);
is_status($r, 303, 'a 303');
headers_ok($r, 'the 303');
$r = $t->admin_get('admin.js');
like($r->{headers}{'content-type'} // '', qr{^text/javascript}, 'admin.js is text/javascript');
$r = $t->admin_get('admin.css');
like($r->{headers}{'content-type'} // '', qr{^text/css}, 'admin.css is text/css');

# ---------------------------------------------------------------------------
# admin and API agree; the audit actor is the basic-auth user

my $audit_top = $t->api(GET => '/api/v1/audit?limit=1', undef, token => 'admin')->{json}{data}[0]{id} // 0;

$r = $t->admin_submit('incidents/new', 'incidents',
                      { title => 'Made by bob', status => 'identified', impact => 'critical',
                        componentIds => [1, 2], message => 'Bob says hi.' }, user => 'bob');
$t->is_redirect($r, qr{^incidents/\d+\z}, 'created', 'bob creates an incident');
my ($bob_id) = ($t->admin_location($r))[0] =~ /(\d+)/;
my $inc = $t->get_json("/api/v1/incidents/$bob_id");
fields_are($inc, { title => 'Made by bob', status => 'identified', impact => 'critical',
                   componentIds => [1, 2] },
           'the API has what the admin form made');
fields_are($inc->{updates}[0], { status => 'identified', message => 'Bob says hi.',
                                 componentIds => [1, 2], notify => JSON::PP::true },
           'and its first update');

$r = $t->admin_submit("incidents/$bob_id", "incidents/$bob_id/updates",
                      { status => 'monitoring', message => 'Alice watches.' });
$t->is_redirect($r, "incidents/$bob_id", 'posted', 'alice posts an update');
$r = $t->admin_submit('settings', 'settings', { pageTitle => 'Set by eve' }, user => $EVE);
$t->is_redirect($r, 'settings', 'saved', 'eve saves the settings');
my $api_inc = $t->create_incident(title => 'Made by the API', impact => 'major',
                                  componentIds => [2], message => 'From a script.');

my $audit = $t->api(GET => '/api/v1/audit?limit=100', undef, token => 'admin')->{json}{data} || [];
my @new = reverse grep { $_->{id} > $audit_top } @$audit;
is_deeply([ map { [$_->{actor}, $_->{action}] } @new ],
          [['bob', 'incident.create'], ['alice', 'incident.update.create'],
           [$EVE, 'settings.patch'], ['admin', 'incident.create']],
          'the audit trail names the basic-auth users (and the API token)');
is($new[0]{objectId}, $bob_id, "the audit entry names bob's incident");

$html = $t->admin_page("incidents/$api_inc->{id}", 'the API-made incident in the admin');
like($html, qr{<h1>Made by the API</h1>}, 'its title');
like(html_text($html), qr/Investigating \x{b7} Major impact \x{b7} Affects Dashboard/,
     'its status, impact and component');
like($html, qr/From a script\./, 'its message');
$html = $t->admin_page('incidents?state=active', 'the active list');
ok((grep { $_->{'data-incident-id'} eq $api_inc->{id} }
        @{ page_elements($html, 'data-incident-id') }),
   'the admin list has the API-made incident');
$html = $t->admin_page('components', 'the components list');
my $comps = $t->get_json('/api/v1/components')->{data};
is_deeply([ map { $_->{'data-component-id'} } @{ page_elements($html, 'data-component-id') } ],
          [ map { $_->{id} } @$comps ], 'the admin lists the components in the API order');
for my $c (@$comps) {
    my ($row) = $html =~ m{(<tr data-component-id="$c->{id}">.*?</tr>)}s;
    my %label = (operational => 'Operational', partial_outage => 'Partial Outage',
                 major_outage => 'Major Outage', degraded_performance => 'Degraded Performance',
                 under_maintenance => 'Under Maintenance');
    like($row // '', qr{<td[^>]*>\Q$label{$c->{baseStatus}}\E</td><td[^>]*>\Q$label{$c->{status}}\E</td>},
         "component $c->{id}: base status and shown status as in the API");
}

# ---------------------------------------------------------------------------
# escaping

my %hostile = (
    comp  => q{<script>alert("c")</script>&amp;'},
    desc  => q{<b onmouseover=alert(1)>desc</b>},
    title => q{"><img src=x onerror=alert(2)>},
    msg   => qq{<script>alert(3)</script>\n\n[click](javascript:alert(4)) <img src=y onerror=alert(5)>},
    page  => q{<svg onload=alert(6)>},
    label => q{</textarea><script>alert(7)</script>},
);
$r = $t->admin_submit('components/new', 'components',
                      { name => $hostile{comp}, description => $hostile{desc} });
$t->is_redirect($r, 'components', 'component-added', 'a component with a hostile name');
my $cid = $t->get_json('/api/v1/components')->{data}[-1]{id};
is($t->get_json("/api/v1/components/$cid")->{name}, $hostile{comp}, 'stored as typed');
$r = $t->admin_submit('incidents/new', 'incidents',
                      { title => $hostile{title}, componentIds => [$cid], message => $hostile{msg} });
$t->is_redirect($r, qr{^incidents/\d+\z}, 'created', 'an incident with a hostile title');
my ($hid) = ($t->admin_location($r))[0] =~ /(\d+)/;
my $huid = $t->get_json("/api/v1/incidents/$hid")->{updates}[0]{id};
$r = $t->admin_submit('settings', 'settings',
                      { pageTitle => $hostile{page},
                        footerLinks => "$hostile{label} | https://example.com/" });
$t->is_redirect($r, 'settings', 'saved', 'settings with a hostile title and link label');

my @raw = ('<script>alert', '<img src=x', '<img src=y', '<svg onload', '<b onmouseover',
           '</textarea><script', '<i>eve');
sub escaped_ok {
    my ($html, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @found = grep { index($html, $_) >= 0 } @raw;
    ok(!@found, "$name: nothing hostile unescaped") or diag("found: @found");
    no_inline_script($html, $name);
}
my $e_comp = q{&lt;script&gt;alert(&quot;c&quot;)&lt;/script&gt;&amp;amp;&#39;};
my $e_title = q{&quot;&gt;&lt;img src=x onerror=alert(2)&gt;};
for my $page ('', 'incidents', "incidents/$hid", "incidents/$hid?status=resolved",
              "incidents/$hid/edit", "incidents/$hid/updates/$huid/edit",
              "incidents/$hid/updates/$huid/delete", "incidents/$hid/delete", 'incidents/new',
              'components', "components/$cid", "components/$cid/delete", 'components/new',
              'settings') {
    $html = $t->admin_page($page, "GET $page");
    escaped_ok($html, "GET $page");
}
$html = $t->admin_page('components', 'components');
like($html, qr{>\Q$e_comp\E</a>}, 'the components list shows the name escaped');
like($html, qr{aria-label="Move \Q$e_comp\E up"}, 'and in the move button label');
$html = $t->admin_page("components/$cid", 'the component form');
like($html, qr{name="name"[^>]*value="\Q$e_comp\E"}, 'the form value is escaped');
like($html, qr{value="&lt;b onmouseover=alert\(1\)&gt;desc&lt;/b&gt;"}, 'and the description');
$html = $t->admin_page('incidents/new', 'the create form');
like($html, qr{value="$cid"> \Q$e_comp\E</label>}, 'the checkbox label is escaped');
$html = $t->admin_page("incidents/$hid", 'the incident page');
like($html, qr{<title>\Q$e_title\E - Admin</title>}, 'the <title> is escaped');
like($html, qr{<h1>\Q$e_title\E</h1>}, 'the heading is escaped');
like($html, qr{Affects \Q$e_comp\E}, 'the component name is escaped');
$html = $t->admin_page("incidents/$hid?status=resolved", 'the prepared resolution');
like($html, qr{Impact: \Q$e_comp\E was unavailable}, 'the prepared resolution is escaped');
$html = $t->admin_page("incidents/$hid/edit", 'the edit form');
like($html, qr{name="title"[^>]*value="\Q$e_title\E"}, 'the edit form value is escaped');
$html = $t->admin_page('incidents', 'the incidents list');
like($html, qr{>\Q$e_title\E</a>}, 'the list shows the title escaped');
$html = $t->admin_page('settings', 'the settings form');
like($html, qr{value="&lt;svg onload=alert\(6\)&gt;"}, 'the page title is escaped');
like($html, qr{&lt;/textarea&gt;&lt;script&gt;alert\(7\)&lt;/script&gt; \| https://example\.com/},
     'the footer link label is escaped inside the textarea');
$html = $t->admin_page('', 'the dashboard as eve', user => $EVE);
like($html, qr{Signed in as &lt;i&gt;eve&lt;/i&gt;&amp;&quot;x}, "eve's name is escaped");
escaped_ok($html, 'the dashboard as eve');

# hostile input shown again on a 422
$r = $t->admin_submit('incidents/new', 'incidents',
                      { title => $hostile{title}, impact => 'bad', message => $hostile{label} });
is_status($r, 422, 'a 422 with hostile input');
escaped_ok($r->{content}, 'the 422 page');
is(form_value(form_fields($r->{content}, '/admin/incidents'), 'title'), $hostile{title},
   'the hostile title comes back intact (escaped in the HTML)');
is(form_value(form_fields($r->{content}, '/admin/incidents'), 'message'), $hostile{label},
   'the hostile message comes back intact');

# the flash is one of a fixed set of texts, never taken from the URL
for my $done ('<script>alert(8)</script>', 'Hacked', 'created%3Cscript%3E') {
    $html = $t->admin_page("incidents?done=$done", "GET ?done=$done");
    is(IncidentTest::flash_of($html), '', "?done=$done shows no message");
    unlike($html, qr/alert\(8\)|Hacked/, 'and does not reflect it');
}

$t->stop;

# ---------------------------------------------------------------------------
# the same-origin check follows the request, not incident_public_url

for my $case (['a path', '/status'], ['another host', undef]) {
    my ($what, $path) = @$case;
    my $p = IncidentTest->new(status_page => '/')
                ->with_admin(users => { alice => 'alice-pw' });
    my $url = defined $path ? $p->origin . $path : 'https://status.example.com';
    $p->configure(http_extra => "incident_public_url $url;")->start;
    my $csrf = $p->admin_csrf($p->admin_page('components/new', "incident_public_url with $what: a form"));
    my $r = $p->admin_post('components', [csrf => $csrf, name => 'Same origin']);
    $p->is_redirect($r, 'components', 'component-added',
                    "incident_public_url $url: a same-origin POST (Origin "
                    . $p->origin . ') is accepted');
    $r = $p->admin_post('components', [csrf => $csrf, name => 'Cross'],
                        origin => 'https://status.example.com', fetch_site => undef);
    is($r->{status}, 403, "incident_public_url $url: a POST with Origin "
                          . 'https://status.example.com (not the admin\'s origin) -> 403');
    $p->stop;
}

done_testing;
