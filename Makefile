# ngx_http_incident_module: build against Debian's nginx-dev, run the demo,
# run the tests, run the benchmark.
#
#   make          build build/ngx_http_incident_module.so
#   make run      build and run nginx in the foreground on the demo config
#   make test     build and run every test (C unit tests, HTTP tests)
#   make bench    page and API vs static files, live updates, writes (bench/)
#   make bench-notify   one incident fanned out to 10,000 mails and 1,000
#                 webhooks, and the status page's throughput meanwhile

SHELL        := /bin/bash
ROOT         := $(CURDIR)
BUILD        := $(ROOT)/build
NGX_SRC      := /usr/share/nginx/src
NGX_BUILD    := $(BUILD)/nginx
NGINX        := /usr/sbin/nginx
MODULE       := $(BUILD)/ngx_http_incident_module.so
DEMO_PORT    ?= 8080

# Debian's own compiler flags for nginx, so the module matches its build
NGX_CC_OPT   := -g -O2 -fstack-protector-strong -Wformat \
                -Werror=format-security -fPIC -D_FORTIFY_SOURCE=2
NGX_LD_OPT   := -Wl,-z,relro -Wl,-z,now -fPIC

BUILD_DEPS   := gcc make nginx-core nginx-dev liblmdb-dev libcjson-dev \
                libcmark-dev libssl-dev libpcre2-dev zlib1g-dev openssl \
                libcurl4-openssl-dev
TEST_DEPS    := perl lmdb-utils curl python3 python3-aiosmtpd python3-icalendar \
                prometheus-alertmanager \
                chromium
BENCH_DEPS   := wrk curl perl gzip faketime nodejs
FUZZ_DEPS    := clang libclang-rt-14-dev

MODULE_SRCS  := $(wildcard $(ROOT)/src/*.c $(ROOT)/src/*.h) $(ROOT)/config

# The domain code (no nginx types) that the C unit tests link directly.
CORE_SRCS    := src/incident_model.c src/incident_store.c \
                src/incident_json.c src/incident_service.c \
                src/incident_service_page.c src/incident_uptime.c \
                src/incident_html.c src/incident_render.c \
                src/incident_form.c src/incident_admin_render.c \
                src/incident_subscriber.c src/incident_queue.c \
                src/incident_maintenance.c \
                src/incident_mail.c src/incident_message.c \
                src/incident_webhook.c src/incident_render_subscribe.c \
                src/incident_render_ics.c src/incident_statuspage.c \
                src/incident_alertmanager.c src/incident_render_badge.c \
                src/incident_route.c
UNIT_TESTS   := $(patsubst t/unit/%.c,$(BUILD)/unit/%.t,$(wildcard t/unit/test_*.c))
UNIT_CFLAGS  := -std=gnu99 -O1 -g -Wall -Wextra -Werror -Isrc -It/unit
UNIT_LIBS    := -llmdb -lcjson -lcmark -lcrypto -lm

.PHONY: all deps run-deps test-deps bench-deps fuzz-deps run test unit \
        http-test test-asan http-test-asan fuzz fuzz-regressions \
        browser-test bench bench-read bench-rss bench-notify clean

all: $(MODULE)

# Missing Debian packages are installed when we are root, named otherwise.
define ensure_packages
	@missing=""; for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	        | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "installing:$$missing"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	            apt-get install -y -qq $$missing >/dev/null || exit 1; \
	    else \
	        echo "missing Debian packages, run:" \
	             "sudo apt-get install$$missing"; exit 1; \
	    fi; \
	fi
endef

deps:
	$(call ensure_packages,$(BUILD_DEPS))

run-deps: deps
	$(call ensure_packages,python3-aiosmtpd)

test-deps: deps
	$(call ensure_packages,$(TEST_DEPS))

bench-deps: deps
	$(call ensure_packages,$(BENCH_DEPS))

fuzz-deps: deps
	$(call ensure_packages,$(FUZZ_DEPS))

# Configure a private copy of Debian's nginx sources with Debian's own flags
# (threads on, binary compatible) and our addon; never write into NGX_SRC.
$(NGX_BUILD)/objs/Makefile: $(ROOT)/config | deps
	rm -rf $(NGX_BUILD)
	mkdir -p $(BUILD)
	cp -a $(NGX_SRC) $(NGX_BUILD)
	cd $(NGX_BUILD) && . ./conf_flags && \
	    ./configure "$${NGX_CONF_FLAGS[@]}" \
	        --with-cc-opt='$(NGX_CC_OPT)' --with-ld-opt='$(NGX_LD_OPT)' \
	        --add-dynamic-module=$(ROOT) > $(BUILD)/configure.log \
	    || { tail -20 $(BUILD)/configure.log; exit 1; }

$(MODULE): $(NGX_BUILD)/objs/Makefile $(MODULE_SRCS)
	$(MAKE) -s -C $(NGX_BUILD) -f objs/Makefile modules
	@# a new inode: running nginx processes keep the file they mapped
	cp $(NGX_BUILD)/objs/ngx_http_incident_module.so $@.tmp
	mv -f $@.tmp $@

run: $(MODULE) run-deps
	@mkdir -p var
	@test -s var/demo-token || \
	    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > var/demo-token
	@printf 'demo:%s\n' "$$(printf %s "$$(cat var/demo-token)" \
	    | sha256sum | cut -d' ' -f1)" > var/tokens
	@test -s var/admin-password || \
	    head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' \
	        > var/admin-password
	@printf 'admin:%s\n' \
	    "$$(openssl passwd -6 "$$(cat var/admin-password)")" \
	    > var/admin.htpasswd
	@chmod 755 var
	@echo "status page: http://127.0.0.1:$(DEMO_PORT)/"
	@echo "admin UI:    http://127.0.0.1:$(DEMO_PORT)/admin/" \
	     "(user admin, password $$(cat var/admin-password))"
	@echo "status API:  http://127.0.0.1:$(DEMO_PORT)/api/v1/status"
	@echo "API token:   $$(cat var/demo-token)"
	@echo "mail sink:   smtp://127.0.0.1:8025, every mail kept in var/mail/new"
	@conf-examples/demo-seed.sh http://127.0.0.1:$(DEMO_PORT) \
	    "$$(cat var/demo-token)" &
	@/usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:8025 \
	    -c aiosmtpd.handlers.Mailbox $(ROOT)/var/mail & sink=$$!; \
	trap 'kill $$sink 2>/dev/null' EXIT INT TERM; \
	$(NGINX) -p $(ROOT)/ -c conf-examples/demo.conf \
	    -g 'daemon off; pid var/nginx.pid;'

$(BUILD)/unit/%.t: t/unit/%.c $(wildcard t/unit/*.h) $(CORE_SRCS) $(wildcard src/*.h)
	@mkdir -p $(BUILD)/unit
	$(CC) $(UNIT_CFLAGS) $(EXTRA_CFLAGS) -o $@ $< $(CORE_SRCS) $(UNIT_LIBS)

unit: $(UNIT_TESTS)
	prove --exec '' $(UNIT_TESTS)

http-test: $(MODULE) test-deps
	prove -r t/

# headless Chromium (Debian's) driven by playwright-core, axe-core
browser-test: $(MODULE) test-deps
	t/browser/run.sh

test: test-deps fuzz-deps
	$(MAKE) unit
	$(MAKE) test-asan
	$(MAKE) fuzz-regressions
	$(MAKE) http-test
	$(MAKE) http-test-asan
	$(MAKE) browser-test

# The unit tests again, under AddressSanitizer and UBSan.
SANITIZE     := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer

test-asan:
	$(MAKE) BUILD=$(BUILD)/asan EXTRA_CFLAGS='$(SANITIZE)' unit

# The HTTP tests against the module built with ASan and UBSan, in Debian's
# nginx with the runtimes preloaded: fails on any sanitizer report
# (t/asan/run.sh; logs in build/asan-module/logs)
http-test-asan: test-deps
	t/asan/run.sh

# libFuzzer targets (clang, ASan + UBSan) for every parser of untrusted
# input: fuzz/regressions replayed, then FUZZ_SECONDS (30) per target
fuzz: fuzz-deps
	fuzz/run.sh

# only the inputs that once failed, replayed through their targets
fuzz-regressions: fuzz-deps
	FUZZ_SECONDS=0 fuzz/run.sh

# every benchmark, one table: build/bench-summary.md (bench/all.sh runs
# bench/run.sh, bench/notify.sh and bench/rss.sh)
bench: $(MODULE) bench-deps
	bench/all.sh

bench-read: $(MODULE) bench-deps
	bench/run.sh

bench-rss: $(MODULE) bench-deps
	bench/rss.sh

# bench/notify.sh installs its own peers (postfix's smtp-sink, preseeded so
# that no mail daemon starts)
bench-notify: $(MODULE) deps
	bench/notify.sh

clean:
	rm -rf $(BUILD)
