# the public subscription pages under the status page: the form, the
# confirmation and unsubscribe links (a GET shows a button and changes
# nothing, the POST acts), bad and expired links, escaping
use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(sleep time);
use IncidentTest qw(:DEFAULT :page);
use SmtpSink;

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $API  = '/api/v1';
my $BASE = 'https://status.example.com';

*form_fields = \&IncidentTest::form_fields;
*form_value  = \&IncidentTest::form_value;
*form_encode = \&IncidentTest::form_encode;

sub mail_conf {
    my ($sink, @more) = @_;
    return join "\n    ",
        'incident_smtp ' . $sink->url . ';',
        "incident_public_url $BASE;",
        'incident_mail_from "Example Status <status@example.com>";',
        @more;
}

my $sink = SmtpSink->new->start;
my $t = IncidentTest->new(
    workers     => 2,
    status_page => '/',
    http_extra  => mail_conf($sink),
)->start;

# --- helpers ----------------------------------------------------------------------

sub aget { $t->api(GET => $_[0], undef, token => 'admin') }

sub form_post {
    my ($path, $body, %o) = @_;
    my $tt = delete $o{t} // $t;
    $body = form_encode($body) if ref $body;
    return $tt->api(POST => $path, $body, token => undef,
                    content_type => 'application/x-www-form-urlencoded', %o);
}

sub subscribers {
    my ($tt) = @_;
    $tt //= $t;
    my $r = $tt->api(GET => "$API/subscribers?limit=100", undef,
                     token => 'admin');
    return $r->{json}{data} || [];
}

sub subscriber {
    my ($email) = @_;
    my ($s) = grep { lc($_->{email} // '') eq lc $email } @{ subscribers() };
    return $s;
}

sub wait_mail {
    my ($addr, $n) = @_;
    return $sink->wait_for($n // 1, 20, sub { $_[0]->is_to($addr) });
}

sub local_path {
    my ($url) = @_;
    return undef unless defined $url;
    (my $p = $url) =~ s{^\Q$BASE\E}{} or return undef;
    return $p;
}

# an HTML page of ours: status, text/html, no-store
sub is_page {
    my ($r, $status, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why;
    push @why, "status $r->{status}, expected $status"
        unless $r->{status} == $status;
    push @why, 'Content-Type ' . ($r->{headers}{'content-type'} // 'missing')
        unless ($r->{headers}{'content-type'} // '') =~ m{^text/html\b}i;
    push @why, 'Cache-Control ' . ($r->{headers}{'cache-control'} // 'missing')
        unless ($r->{headers}{'cache-control'} // '') =~ /\bno-store\b/;
    push @why, 'a Location header' if defined $r->{headers}{location};
    push @why, 'no <html' unless $r->{content} =~ /<html\b/i;
    ok(!@why, $name)
        or diag(join("\n", @why) . "\n"
                . substr(html_text($r->{content} // ''), 0, 400));
    return !@why;
}

# the <form> elements of a page: [{method, action, fields}]
sub forms_of {
    my ($html) = @_;
    my @f;
    for my $e (@{ page_elements($html, 'action') }) {
        next unless $e->{_tag} eq 'form';
        my $action = html_unescape($e->{action});
        push @f, { method => lc($e->{method} // 'get'), action => $action,
                   fields => form_fields($html, $action) };
    }
    return \@f;
}

# --- setup ----------------------------------------------------------------------

my $TITLE = 'Acme <b>Status</b> & "Co"';
is_status($t->api(PATCH => "$API/settings", {pageTitle => $TITLE}), 200,
          'a page title with HTML special characters');
is($t->create_component(name => 'API')->{id}, 1, 'component API is 1');
my $EVIL = '<img src=x onerror=alert(1)> & "Dash"';
is($t->create_component(name => $EVIL)->{id}, 2,
   'component 2 with markup in its name');

# --- GET /subscribe: the form --------------------------------------------------------

my $form_page = $t->page('/subscribe');
is_page($form_page, 200, 'GET /subscribe -> 200 page');
my $fhtml = $form_page->{content};
{
    my @posts = grep { $_->{method} eq 'post' && $_->{action} =~ m{(?:^|/)subscribe\z} }
                @{ forms_of($fhtml) };
    is(scalar @posts, 1, 'one form that POSTs to /subscribe');
    like($posts[0]{action} // '', qr{^(?:\Q$BASE\E)?/subscribe\z},
         '  action /subscribe');
    is(page_attr($fhtml, 'type', 'input', name => 'email'), 'email',
       'an email field (type=email)');
    my $boxes = [ grep { $_->{_tag} eq 'input' && ($_->{name} // '') eq 'componentIds' }
                  @{ page_elements($fhtml, 'type') } ];
    is_deeply([ map { $_->{type} } @$boxes ], ['checkbox', 'checkbox'],
              'a checkbox per component');
    is_deeply([ map { $_->{value} } @$boxes ], ['1', '2'],
              '  with the component ids as values');
    ok(!grep({ exists $_->{checked} } @$boxes), '  none checked');
    like(html_text($fhtml), qr/\bAPI\b/, 'the component names are shown');
    like(html_text($fhtml), qr/\Q$EVIL\E/, '  the markup one as text');
    unlike($fhtml, qr/<img\b/i, '  its markup escaped');
    unlike($fhtml, qr/<b>Status<\/b>/, 'the page title is escaped');
    like($fhtml, qr/<button\b[^>]*type="submit"|<input\b[^>]*type="submit"/i,
         'a submit button');
    my $h = $t->page('/subscribe', method => 'HEAD');
    is($h->{status}, 200, 'HEAD /subscribe -> 200');
}

# --- POST /subscribe ---------------------------------------------------------------------

my $before_all = encode_json(subscribers());
{
    my $f = form_fields($fhtml, '/subscribe') || [];
    IncidentTest::form_set($f, email => 'pages@example.org');
    # check component 2, as a browser would
    push @$f, componentIds => '2';
    my $r = form_post('/subscribe', $f);
    is_page($r, 200, 'POST /subscribe (the form, component 2 checked) -> 200');
    like(html_text($r->{content}), qr/Check your inbox/, '  "Check your inbox"');
    unlike($r->{content}, qr/pages\@example\.org/,
           '  the page does not repeat the address');

    my $s = subscriber('pages@example.org') || {};
    fields_are($s, {confirmed => JSON::PP::false, componentIds => [2],
                    source => 'public'},
               '  stored unconfirmed, with component 2');

    my $mail = wait_mail('pages@example.org')->[0];
    ok($mail, '  the confirmation mail arrives');
    like($mail ? $mail->header('Subject') : '',
         qr/^Confirm your subscription to \Q$TITLE\E\z/,
         '  Subject: Confirm your subscription to <pageTitle>');

    # the same page for a known, a confirmed, and any other address
    my $again = form_post('/subscribe', [email => 'pages@example.org']);
    is_page($again, 200, 'POST /subscribe again (known address) -> 200');
    is(html_text($again->{content}), html_text($r->{content}),
       '  the same page');
    my $adm = $t->api(POST => "$API/subscribers",
                      {type => 'email', email => 'known@example.org'});
    is_status($adm, 201, '(admin adds known@example.org)');
    my $known = form_post('/subscribe', [email => 'known@example.org']);
    is_page($known, 200, 'POST /subscribe (a confirmed address) -> 200');
    is(html_text($known->{content}), html_text($r->{content}),
       '  the same page');
    is_true((subscriber('known@example.org') || {})->{confirmed},
            '  the confirmed address stays confirmed');
}

# invalid addresses: 422, the form again, the value escaped, nothing stored
{
    my $snap = encode_json(subscribers());
    my $xss = '"><script>alert(1)</script>@example.org';
    for my $case (['empty' => ''], ['no @' => 'nobody'],
                  ['CR LF Bcc' => "a\@b.com\r\nBcc: x\@y.com"],
                  ['markup' => $xss]) {
        my ($name, $email) = @$case;
        my $r = form_post('/subscribe', [email => $email]);
        is_page($r, 422, "POST /subscribe, email $name -> 422 page");
        my $f = form_fields($r->{content}, '/subscribe');
        ok($f, '  the form again');
        is(form_value($f, 'email'), $email =~ s/^\s+|\s+$//gr,
           '  with the address as typed')
            unless $name eq 'CR LF Bcc';
        is(page_attr($r->{content}, 'aria-invalid', 'input', name => 'email'),
           'true', '  the email field is marked invalid');
        unlike($r->{content}, qr/<script>alert/, '  no markup from the input');
    }
    {
        my $r = form_post('/subscribe', [email => 'boxes@example.org',
                                         componentIds => '1',
                                         componentIds => 'x']);
        is_page($r, 422, 'POST /subscribe with a bad component id -> 422 page');
        my $f = form_fields($r->{content}, '/subscribe') || [];
        is(form_value($f, 'email'), 'boxes@example.org', '  the address kept');
    }
    is(encode_json(subscribers()), $snap, 'the invalid forms stored nothing');
    sleep 1;
    is(scalar @{ $sink->messages }, 1, 'and sent nothing');
}

# --- the confirmation link -------------------------------------------------------------

my $cmail = wait_mail('pages@example.org')->[0];
my $links = $cmail ? $cmail->links : {};
my $cpath = local_path($links->{confirm});
my $upath = local_path($links->{unsubscribe});
ok(defined $cpath, 'the mail has the confirmation link');
ok(defined $upath, 'and an unsubscribe link');
$cpath //= '/subscribe/confirm?token=none';
$upath //= '/unsubscribe?token=none';
my ($ctoken) = $cpath =~ /token=([^&]+)/;
my ($utoken) = $upath =~ /token=([^&]+)/;

{
    my $g = $t->page($cpath);
    is_page($g, 200, "GET $cpath -> 200 page");
    my $html = $g->{content};
    my @posts = grep { $_->{method} eq 'post' } @{ forms_of($html) };
    is(scalar @posts, 1, '  one form, method post');
    my $p = $posts[0] || {fields => []};
    like($p->{action}, qr{^(?:\Q$BASE\E)?/subscribe/confirm(?:\?|\z)},
         '  it POSTs to /subscribe/confirm');
    is(form_value($p->{fields}, 'token'), $ctoken, '  with the token');
    like($html, qr/<button\b[^>]*>[^<]*Confirm/i, '  a Confirm button');
    unlike($html, qr/<b>Status<\/b>/, '  the page title is escaped');
    like(html_text($html), qr/\Q$TITLE\E/, '  and shown as text');
    unlike($html, qr/<meta\b[^>]*http-equiv="?refresh/i,
           '  no refresh that would submit by itself');
    unlike($html, qr/\.(?:request)?[sS]ubmit\s*\(/,
           '  no script that submits the form by itself');

    $t->page($cpath, method => 'HEAD');
    $t->page($cpath);
    is_false((subscriber('pages@example.org') || {})->{confirmed},
             'GET and HEAD of the link confirm nothing');
    sleep 1;
    is(scalar @{ $sink->messages }, 1, '  and send nothing');

    # the button, as a browser submits it
    my $r = form_post($p->{action} =~ s{^\Q$BASE\E}{}r, $p->{fields});
    is_page($r, 200, 'POST of the confirm form -> 200');
    like(html_text($r->{content}), qr/Subscription confirmed/,
         '  "Subscription confirmed"');
    my $s = subscriber('pages@example.org') || {};
    is_true($s->{confirmed}, '  the subscriber is confirmed');
    like($s->{confirmedAt} // '', $RFC3339_RE, '  confirmedAt set');

    $r = form_post('/subscribe/confirm', [token => $ctoken]);
    is_page($r, 200, 'POST /subscribe/confirm token=T again -> 200');
    is_true((subscriber('pages@example.org') || {})->{confirmed},
            '  still confirmed');
}

# the confirmed address gets the incidents of its component only
{
    $t->create_incident(title => 'On API only', componentIds => [1],
                        message => 'x');
    $t->create_incident(title => 'On component 2', componentIds => [2],
                        message => 'y');
    my $got = $sink->wait_for(1, 20, sub {
        $_[0]->is_to('pages@example.org')
        && ($_[0]->header('Subject') // '') =~ /On component 2/ });
    is(scalar @$got, 1, 'the confirmed address gets the incident on its component');
    ok(@{ $sink->wait_for(1, 20, sub {
        $_[0]->is_to('known@example.org')
        && ($_[0]->header('Subject') // '') =~ /On API only/ }) },
       '(known@ got the other)');
    sleep 1;
    is(scalar(grep { ($_->header('Subject') // '') =~ /On API only/ }
              @{ $sink->messages_to('pages@example.org') }), 0,
       '  and not the one on API');
}

# --- bad links: 400, nothing changes ----------------------------------------------------

{
    my $snap = encode_json(subscribers());
    my ($cid, $chex) = $ctoken =~ /^(\d+)\.([0-9a-f]+)\z/;
    $cid //= 1; $chex //= '0' x 32;
    (my $flipped = $chex) =~ s/^(.)/$1 eq 'a' ? 'b' : 'a'/e;
    my @bad = (
        ['no token'             => undef],
        ['an empty token'       => ''],
        ['letters'              => 'abc'],
        ['a short MAC'          => "$cid.deadbeef"],
        ['a changed MAC'        => "$cid.$flipped"],
        ['another id'           => ($cid + 1) . ".$chex"],
        ['an upper-case MAC'    => "$cid." . uc $chex],
        ['a leading zero'       => "0$cid.$chex"],
        ['too long'             => "$cid.$chex" . ('0' x 64)],
        ['markup'               => '<script>alert(1)</script>'],
        ['the unsubscribe token' => $utoken],
    );
    for my $case (@bad) {
        my ($name, $tok) = @$case;
        my $q = defined $tok ? '?token=' . uri_escape($tok) : '';
        my $g = $t->page("/subscribe/confirm$q");
        is_page($g, 400, "GET /subscribe/confirm with $name -> 400 page");
        unlike($g->{content}, qr/<script>alert/, '  nothing of it as markup');
        ok(!grep({ $_->{method} eq 'post' && $_->{action} =~ /confirm/ }
                 @{ forms_of($g->{content}) }), '  no confirm button');
        my $p = form_post('/subscribe/confirm',
                          defined $tok ? [token => $tok] : []);
        is_page($p, 400, "POST /subscribe/confirm with $name -> 400 page");
    }
    my @ubad = (
        ['no token'            => undef],
        ['letters'             => 'abc'],
        ['a changed MAC'       => do { my ($i, $h) = ($utoken // '') =~ /^(\d+)\.(.*)\z/;
                                       ($i // 1) . '.' . (($h // '0') =~ s/^(.)/$1 eq 'a' ? 'b' : 'a'/er) }],
        ['the confirm token'   => $ctoken],
        ['markup'              => '"><script>alert(1)</script>'],
    );
    for my $case (@ubad) {
        my ($name, $tok) = @$case;
        my $q = defined $tok ? '?token=' . uri_escape($tok) : '';
        my $g = $t->page("/unsubscribe$q");
        is_page($g, 400, "GET /unsubscribe with $name -> 400 page");
        unlike($g->{content}, qr/<script>alert/, '  nothing of it as markup');
        my $p = form_post("/unsubscribe$q", 'List-Unsubscribe=One-Click');
        is_page($p, 400, "POST /unsubscribe with $name -> 400 page");
    }
    is(encode_json(subscribers()), $snap, 'the bad links changed nothing');
}

# --- the unsubscribe link --------------------------------------------------------------

{
    my $g = $t->page($upath);
    is_page($g, 200, "GET $upath -> 200 page");
    my $html = $g->{content};
    my @posts = grep { $_->{method} eq 'post' } @{ forms_of($html) };
    is(scalar @posts, 1, '  one form, method post');
    my $p = $posts[0] || {fields => [], action => ''};
    like($p->{action}, qr{^(?:\Q$BASE\E)?/unsubscribe(?:\?|\z)},
         '  it POSTs to /unsubscribe');
    like($html, qr/<button\b[^>]*>[^<]*Unsubscribe/i, '  an Unsubscribe button');
    unlike($html, qr/<b>Status<\/b>/, '  the page title is escaped');

    $t->page($upath, method => 'HEAD');
    $t->page($upath);
    ok(subscriber('pages@example.org'),
       'GET and HEAD of the unsubscribe link remove nothing');

    # RFC 8058: the POST a mail client sends, no cookie, no CSRF token
    my $r = form_post($upath, 'List-Unsubscribe=One-Click');
    is_page($r, 200, 'POST List-Unsubscribe=One-Click -> 200 page, no redirect');
    like(html_text($r->{content}), qr/unsubscribed/i, '  says unsubscribed');
    ok(!subscriber('pages@example.org'), '  the subscriber is gone');

    # a second click is fine, and the confirm link now finds no one
    $r = form_post($upath, 'List-Unsubscribe=One-Click');
    ok($r->{status} == 200, 'a second one-click POST -> 200');
    $r = form_post('/subscribe/confirm', [token => $ctoken]);
    is_page($r, 410, 'the confirmation link of a removed subscriber -> 410');
    ok(!subscriber('pages@example.org'), '  and it does not come back');
}

# the button of the unsubscribe page works as a browser submits it
{
    my $r = $t->api(POST => "$API/subscribers",
                    {type => 'email', email => 'button@example.org'});
    is_status($r, 201, '(admin adds button@example.org)');
    $t->create_incident(title => 'For the button', message => 'z');
    my $m = $sink->wait_for(1, 20, sub { $_[0]->is_to('button@example.org') })->[0];
    my $path = local_path($m ? $m->links->{unsubscribe} : undef) // '/unsubscribe';
    my $g = $t->page($path);
    my ($p) = grep { $_->{method} eq 'post' } @{ forms_of($g->{content}) };
    $p ||= {fields => [], action => '/unsubscribe'};
    my $post = form_post($p->{action} =~ s{^\Q$BASE\E}{}r, $p->{fields});
    is_page($post, 200, 'the unsubscribe page\'s button -> 200');
    ok(!subscriber('button@example.org'), '  the subscriber is gone');
}

# --- methods ----------------------------------------------------------------------------

for my $path ('/subscribe', '/subscribe/confirm', '/unsubscribe') {
    my $r = $t->api(PUT => $path, 'x', token => undef, content_type => 'text/plain');
    is($r->{status}, 405, "PUT $path -> 405");
    like($r->{headers}{allow} // '', qr/\bPOST\b/, '  Allow names POST');
}

$t->stop;

# --- expired confirmation links: 410 ------------------------------------------------

{
    my $e = IncidentTest->new(
        workers     => 1,
        status_page => '/',
        http_extra  => mail_conf($sink, 'incident_subscribe_expiry 2s;'),
    )->start;
    my $r = form_post('/subscribe', [email => 'slow@example.org'], t => $e);
    my $asked = time;
    is_page($r, 200, 'expiry 2s: POST /subscribe slow@example.org -> 200');
    my $m = wait_mail('slow@example.org')->[0];
    ok($m, '  the confirmation mail arrives');
    my $path = local_path($m ? $m->links->{confirm} : undef)
               // '/subscribe/confirm?token=none';
    my ($tok) = $path =~ /token=([^&]+)/;
    sleep 0.1 while time < $asked + 3.5;

    my $p = form_post('/subscribe/confirm', [token => $tok], t => $e);
    is_page($p, 410, '  after the expiry, POST /subscribe/confirm -> 410 page');
    like(html_text($p->{content}), qr/expired/i, '  it says the link expired');
    ok(!grep({ $_->{confirmed} } @{ subscribers($e) }),
       '  nothing was confirmed');
    $e->stop;
}

$sink->stop;
done_testing;
