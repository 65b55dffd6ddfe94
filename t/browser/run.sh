#!/usr/bin/env bash
# Browser tests of the public status page and the admin UI, in Debian's
# headless Chromium driven by playwright-core, with axe-core for
# accessibility.
#
#   t/browser/run.sh                  (from anywhere; `make test` calls it)
#   t/browser/run.sh t/browser/live.test.js    (some files only)
#
# It installs the npm packages of t/browser (package-lock.json), starts
# Debian's nginx with the module in a temporary prefix on a free loopback
# port (the admin UI under /admin/ behind auth_basic, for a user with a
# password made for the run), seeds demo data through the JSON API, runs
# `node --test t/browser/` and stops nginx again.  Exit status: non-zero
# when a test fails, when nginx logged [alert]/[emerg]/[crit] or a worker
# died on a signal.
#
# Environment: INCIDENT_MODULE (the .so, default build/...), NGINX (default
# /usr/sbin/nginx), CHROMIUM (default /usr/bin/chromium), KEEP=1 keeps the
# temporary prefix.  Screenshots go to build/screenshots/.  The tests get
# INCIDENT_BASE_URL, INCIDENT_TOKEN (an API token), INCIDENT_ADMIN_URL,
# INCIDENT_ADMIN_USER, INCIDENT_ADMIN_PASSWORD and INCIDENT_MAILDIR (where
# the run's SMTP server, Debian's aiosmtpd, keeps the mails it receives).

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NGINX=${NGINX:-/usr/sbin/nginx}
MODULE=${INCIDENT_MODULE:-$ROOT/build/ngx_http_incident_module.so}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

say() { printf '# browser: %s\n' "$*"; }
die() { printf 'browser tests: %s\n' "$*" >&2; exit 1; }

# --- what the tests need ---------------------------------------------------

[ -f "$MODULE" ] || die "no module at $MODULE (run make first)"
[ -x "$NGINX" ] || die "no nginx at $NGINX (apt-get install nginx-core)"
command -v node >/dev/null && command -v npm >/dev/null \
    || die "node and npm are needed (Node.js 20)"

if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" = 0 ] && [ "$CHROMIUM" = /usr/bin/chromium ]; then
        say "installing Debian's chromium"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
            >/dev/null
    else
        die "no Chromium at $CHROMIUM (sudo apt-get install chromium)"
    fi
fi

# the npm packages, exactly as locked; never a browser download
(
    cd "$HERE"
    export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
    if [ -f package-lock.json ]; then
        npm ci --no-audit --no-fund --loglevel=error >/dev/null
    else
        npm install --no-audit --no-fund --loglevel=error >/dev/null
    fi
) || die "npm ci failed in $HERE"

# --- nginx in a temporary prefix -------------------------------------------

PREFIX=$(mktemp -d "${TMPDIR:-/tmp}/incident-browser-XXXXXX")
chmod 755 "$PREFIX"
mkdir -p "$PREFIX/logs"
NGINX_STARTED=0

cleanup() {
    local rc=$?

    if [ "$NGINX_STARTED" = 1 ] && [ -s "$PREFIX/logs/nginx.pid" ]; then
        local pid
        pid=$(cat "$PREFIX/logs/nginx.pid")
        kill -QUIT "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi

    if [ -n "${SMTP_PID:-}" ]; then
        kill "$SMTP_PID" 2>/dev/null || true
    fi

    if [ "${KEEP:-0}" = 1 ]; then
        say "kept $PREFIX"
    else
        rm -rf "$PREFIX"
    fi

    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '# browser tests\nbrowser:%s\n' \
    "$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" > "$PREFIX/tokens"
chmod 644 "$PREFIX/tokens"

# the admin UI's user, with a password made for this run (SHA-512 crypt,
# which nginx's auth_basic reads through the system's crypt())
command -v openssl >/dev/null \
    || die "openssl is needed (apt-get install openssl)"
ADMIN_USER=oncall
ADMIN_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s:%s\n' "$ADMIN_USER" \
    "$(printf %s "$ADMIN_PASSWORD" | openssl passwd -6 -stdin)" \
    > "$PREFIX/admin.htpasswd"
chmod 644 "$PREFIX/admin.htpasswd"

free_port() {
    node -e 'const s = require("net").createServer();
             s.listen(0, "127.0.0.1", () => {
                 console.log(s.address().port); s.close(); });'
}

write_conf() {
    cat > "$PREFIX/nginx.conf" <<CONF
load_module $MODULE;
worker_processes 2;
error_log $PREFIX/logs/error.log info;
pid $PREFIX/logs/nginx.pid;

events {
    worker_connections 256;
}

http {
    access_log $PREFIX/logs/access.log;
    client_body_temp_path $PREFIX/body;
    proxy_temp_path $PREFIX/proxy;
    fastcgi_temp_path $PREFIX/fastcgi;
    uwsgi_temp_path $PREFIX/uwsgi;
    scgi_temp_path $PREFIX/scgi;

    incident_db $PREFIX/db size=64m;
    incident_api_tokens $PREFIX/tokens;
    incident_smtp smtp://127.0.0.1:$SMTP_PORT;
    incident_public_url http://127.0.0.1:$PORT;
    incident_notify_retries 1 base=1s max=1s;

    server {
        listen 127.0.0.1:$PORT;

        location / {
            incident_status_page;
        }

        location /api/ {
            incident_api;
        }

        location /admin/ {
            auth_basic           "Status admin";
            auth_basic_user_file $PREFIX/admin.htpasswd;
            incident_admin;
        }
    }
}
CONF
}

# a real SMTP server for the subscribe pages' mails (a Maildir in PREFIX)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null \
    || die "python3-aiosmtpd is needed (apt-get install python3-aiosmtpd)"
SMTP_PORT=$(free_port)
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
    -c aiosmtpd.handlers.Mailbox "$PREFIX/mail" 2>"$PREFIX/logs/smtp.log" &
SMTP_PID=$!
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null && break
    sleep 0.1
done
export INCIDENT_MAILDIR="$PREFIX/mail"

# a free port may be taken between the look and the bind: try a few
for attempt in 1 2 3 4 5; do
    PORT=$(free_port)
    write_conf
    if "$NGINX" -p "$PREFIX/" -c "$PREFIX/nginx.conf" \
            2>>"$PREFIX/logs/start.log"; then
        NGINX_STARTED=1
        break
    fi
    grep -q 'Address already in use' "$PREFIX/logs/start.log" \
        || { cat "$PREFIX/logs/start.log" >&2; die "nginx did not start"; }
    : > "$PREFIX/logs/error.log"    # that bind [emerg] is not the module's
done
[ "$NGINX_STARTED" = 1 ] || die "no free port for nginx"

BASE_URL="http://127.0.0.1:$PORT"
export INCIDENT_BASE_URL="$BASE_URL"
export INCIDENT_TOKEN="$TOKEN"
export INCIDENT_ADMIN_URL="$BASE_URL/admin/"
export INCIDENT_ADMIN_USER="$ADMIN_USER"
export INCIDENT_ADMIN_PASSWORD="$ADMIN_PASSWORD"
export INCIDENT_SCREENSHOTS="$ROOT/build/screenshots"
export INCIDENT_SEED="$PREFIX/seed.json"
export CHROMIUM
mkdir -p "$INCIDENT_SCREENSHOTS"
[ "$#" -gt 0 ] || rm -f "$INCIDENT_SCREENSHOTS"/*.png   # none left from before

say "nginx on $BASE_URL (prefix $PREFIX)"
say "admin UI on $INCIDENT_ADMIN_URL as $ADMIN_USER"

# --- demo data, through the API --------------------------------------------

node "$HERE/seed.js" > "$INCIDENT_SEED" || die "seeding through the API failed"

# --- the tests --------------------------------------------------------------

rc=0
(
    cd "$ROOT"
    timeout -k 10 600 node --test --test-concurrency=1 --test-timeout=120000 \
        "${@:-t/browser/}"
) || rc=$?

# the same rule as the HTTP harness: nginx must not have complained
if grep -E '\[(alert|emerg|crit)\]|exited on signal' \
        "$PREFIX/logs/error.log"; then
    echo "not ok - nginx error.log has [alert]/[emerg]/[crit] lines" >&2
    [ "$rc" != 0 ] || rc=1
fi

exit "$rc"
