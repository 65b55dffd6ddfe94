#!/usr/bin/env node
//
// Live-update latency with many open status pages, on loopback.
//
//   node bench/live.js --base http://127.0.0.1:PORT --token TOKEN \
//       --incident ID [--pages 1000] [--writes 3] [--steady 3]
//       [--page /] [--nginx-pids "PID PID"] [--clk-tck 100] [--no-refetch]
//
// Every "page" does what the page's script does (src/incident_render.c,
// inc_script): GET <page>live with If-None-Match: <its ETag> one second
// after the previous answer; on a 200 whose ETag differs it takes the new
// ETag and fetches the page again (no conditional headers, as the script's
// fetch(location.href, {cache: 'no-store'}) does).  Each page has its own
// keep-alive connections (an agent of at most 2 sockets, as a browser tab
// would poll and reload over its own), and the pages start staggered over
// the first second.
//
// After a steady phase (the request rate the pages generate, nginx's CPU)
// it POSTs --writes updates to incident --incident, one after another, and
// measures for every page the time from the write's 201 to its first 200
// with the new ETag ("detect"), and to the end of its page reload
// ("load").  A poll answered between the commit and the 201 counts as a
// small negative time.  A page that has not seen a write after --timeout
// seconds is "missed".
//
// Only node's own modules.  Results go to stdout as "BENCH key value" lines
// (times in ms) for bench/run.sh; progress goes to stderr.

'use strict';

const http = require('node:http');
const fs = require('node:fs');
const { parseArgs } = require('node:util');
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');

const { values: opt } = parseArgs({
    options: {
        base:        { type: 'string' },
        token:       { type: 'string' },
        incident:    { type: 'string' },
        page:        { type: 'string', default: '/' },
        pages:       { type: 'string', default: '1000' },
        writes:      { type: 'string', default: '3' },
        steady:      { type: 'string', default: '3' },
        interval:    { type: 'string', default: '1000' },
        timeout:     { type: 'string', default: '5' },
        'nginx-pids': { type: 'string', default: '' },
        'clk-tck':   { type: 'string', default: '100' },
        'no-refetch': { type: 'boolean', default: false },
    },
});

function usage(msg) {
    process.stderr.write(`live.js: ${msg}\n`);
    process.exit(2);
}

if (!opt.base || !opt.token || !opt.incident) {
    usage('--base, --token and --incident are required');
}

const base = new URL(opt.base);
if (base.hostname !== '127.0.0.1') {
    usage('--base must be on 127.0.0.1 (loopback only)');
}

const PAGES = +opt.pages;
const WRITES = +opt.writes;
const STEADY_MS = +opt.steady * 1000;
const INTERVAL = +opt.interval;
const TIMEOUT_MS = +opt.timeout * 1000;
const REFETCH = !opt['no-refetch'];
const CLK_TCK = +opt['clk-tck'];
const NGINX_PIDS = opt['nginx-pids'].split(/\s+/).filter(Boolean);
const PAGE_PATH = opt.page.endsWith('/') ? opt.page : opt.page + '/';
const LIVE_PATH = PAGE_PATH + 'live';

for (const [k, v] of [['pages', PAGES], ['writes', WRITES],
                      ['interval', INTERVAL], ['timeout', TIMEOUT_MS]]) {
    if (!Number.isInteger(v) || v <= 0) {
        usage(`--${k} must be a positive integer`);
    }
}

// a hard bound on the whole run, whatever happens
const BUDGET_MS = 2 * INTERVAL + 2000 + STEADY_MS
                  + WRITES * (TIMEOUT_MS + 2 * INTERVAL + 1000) + 15000;

const budget = setTimeout(() => {
    process.stderr.write(`live.js: still running after ${BUDGET_MS} ms, `
                         + 'giving up\n');
    process.exit(3);
}, BUDGET_MS);

const now = () => performance.now();
const t0 = now();

function note(msg) {
    const secs = ((now() - t0) / 1000).toFixed(1);
    process.stderr.write(`[live ${secs}s] ${msg}\n`);
}

function out(key, value) {
    process.stdout.write(`BENCH ${key} ${value}\n`);
}

// nearest-rank percentile of a sorted array
function pct(sorted, q) {
    if (sorted.length === 0) {
        return NaN;
    }
    const i = Math.min(sorted.length - 1,
                       Math.max(0, Math.ceil(q / 100 * sorted.length) - 1));
    return sorted[i];
}

function fmt(ms) {
    return Number.isFinite(ms) ? ms.toFixed(1) : 'nan';
}

// CPU ticks of nginx's processes (master, worker; threads are included)
function nginxTicks() {
    let sum = 0;
    for (const pid of NGINX_PIDS) {
        try {
            const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
            const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
            sum += +f[11] + +f[12];         // utime, stime (fields 14, 15)
        } catch (e) {
            // gone: counts as nothing
        }
    }
    return sum;
}

function cpuMark() {
    return { t: now(), nginx: nginxTicks(), node: process.cpuUsage() };
}

// percent of one CPU used by nginx and by this process since mark m
function cpuSince(m) {
    const secs = (now() - m.t) / 1000;
    const u = process.cpuUsage(m.node);
    return {
        nginx: NGINX_PIDS.length
               ? 100 * (nginxTicks() - m.nginx) / CLK_TCK / secs : NaN,
        node: 100 * (u.user + u.system) / 1e6 / secs,
    };
}


// --- counters ----------------------------------------------------------------

const stats = {
    requests: 0,        // /live answers
    s304: 0,
    s200: 0,
    s200same: 0,        // a 200 carrying the ETag we sent: not expected
    bad: 0,             // any other status
    lastBad: '',
    errors: 0,          // network errors, timeouts
    lastError: '',
    sockets: 0,
    loads: 0,
    loadBad: 0,
    stalePages: 0,      // a reload whose data-etag is not the new ETag
    unexpected: 0,      // a new ETag while no write was under way
};

function request(agent, path, headers, callback) {
    let called = false;
    const done = (...a) => {
        if (!called) {
            called = true;
            callback(...a);
        }
    };

    const req = http.get({
        hostname: base.hostname, port: base.port, path, agent, headers,
    }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => done(null, res, Buffer.concat(chunks)));
        res.on('error', (e) => done(e));
    });

    req.on('socket', (s) => {
        if (!s.benchCounted) {
            s.benchCounted = true;
            stats.sockets++;
        }
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => done(e));
}

function pageEtag(body) {
    const m = /data-etag="&quot;(g\d+)&quot;"/.exec(body.toString('latin1'));
    return m ? `"${m[1]}"` : null;
}


// --- the write under way -----------------------------------------------------

let current = null;     // { k, tag, sent, got201, seen: Map, loaded: Map }


// --- one page ----------------------------------------------------------------

class Page {
    constructor(i, tag) {
        this.i = i;
        this.tag = tag;
        this.stopped = false;
        this.timer = null;
        this.agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    }

    start(delay) {
        this.timer = setTimeout(() => this.poll(), delay);
    }

    next() {
        if (!this.stopped) {
            this.timer = setTimeout(() => this.poll(), INTERVAL);
        }
    }

    poll() {
        if (this.stopped) {
            return;
        }

        const sent = this.tag;

        request(this.agent, LIVE_PATH, { 'If-None-Match': sent },
                (err, res) => {
            if (err) {
                stats.errors++;
                stats.lastError = `${LIVE_PATH}: ${err.message}`;
                this.next();
                return;
            }

            const t = now();
            const etag = res.headers.etag;

            stats.requests++;

            if (res.statusCode === 304) {
                stats.s304++;

            } else if (res.statusCode === 200) {
                stats.s200++;

                if (etag && etag !== this.tag) {
                    this.tag = etag;
                    this.changed(etag, t);

                } else {
                    stats.s200same++;
                }

            } else {
                stats.bad++;
                stats.lastBad = `${LIVE_PATH}: ${res.statusCode}`;
            }

            this.next();
        });
    }

    changed(etag, t) {
        const w = current;

        if (w === null || (w.tag !== null && w.tag !== etag)) {
            stats.unexpected++;

        } else {
            w.tag = etag;
            if (!w.seen.has(this.i)) {
                w.seen.set(this.i, t);
            }
        }

        if (REFETCH) {
            this.load(etag, w);
        }
    }

    // the script's load(): the whole page again, not conditional
    load(etag, w) {
        request(this.agent, PAGE_PATH, {}, (err, res, body) => {
            const t = now();

            if (err) {
                stats.errors++;
                stats.lastError = `${PAGE_PATH}: ${err.message}`;
                return;
            }

            stats.loads++;

            if (res.statusCode !== 200) {
                stats.loadBad++;
                stats.lastBad = `${PAGE_PATH}: ${res.statusCode}`;
                return;
            }

            if (pageEtag(body) !== etag) {
                stats.stalePages++;
            }

            if (w !== null && w === current && !w.loaded.has(this.i)) {
                w.loaded.set(this.i, t);
            }
        });
    }

    stop() {
        this.stopped = true;
        clearTimeout(this.timer);
        this.agent.destroy();
    }
}


// --- the writes --------------------------------------------------------------

const writeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function write(k) {
    return new Promise((resolve, reject) => {
        const body = JSON.stringify({
            status: 'monitoring',
            message: `Live update benchmark ${k}: a fix is being monitored.`,
            notify: false,
        });
        const req = http.request({
            hostname: base.hostname, port: base.port, method: 'POST',
            path: `/api/v1/incidents/${opt.incident}/updates`,
            agent: writeAgent,
            headers: {
                'Authorization': `Bearer ${opt.token}`,
                'Content-Type': 'application/json',
                'Content-Length': Buffer.byteLength(body),
            },
        }, (res) => {
            const t = now();
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                if (res.statusCode !== 201) {
                    reject(new Error(`POST answered ${res.statusCode}: `
                        + Buffer.concat(chunks).toString().slice(0, 300)));
                } else {
                    resolve(t);
                }
            });
        });
        req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(body);
    });
}

function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
}

function get(path) {
    return new Promise((resolve, reject) => {
        request(undefined, path, {}, (err, res, body) => {
            if (err) {
                reject(err);
            } else if (res.statusCode !== 200) {
                reject(new Error(`GET ${path} answered ${res.statusCode}`));
            } else {
                resolve({ res, body });
            }
        });
    });
}


// --- main --------------------------------------------------------------------

async function main() {
    const lag = monitorEventLoopDelay({ resolution: 10 });

    // what an open page starts from: the ETag in its body, which /live
    // must agree with
    const home = await get(PAGE_PATH);
    const live = await get(LIVE_PATH);
    const tag = pageEtag(home.body);

    if (tag === null) {
        throw new Error(`no data-etag in ${PAGE_PATH}`);
    }

    out('page_etag', tag);
    out('live_etag', live.res.headers.etag);
    out('etag_agree', tag === live.res.headers.etag ? 1 : 0);
    out('live_body_bytes', live.body.length);

    const pages = [];
    for (let i = 0; i < PAGES; i++) {
        pages.push(new Page(i, tag));
    }

    note(`${PAGES} pages polling ${LIVE_PATH} every ${INTERVAL} ms, `
         + `starting over ${INTERVAL} ms`);
    pages.forEach((p, i) => p.start(Math.floor(i * INTERVAL / PAGES)));

    await sleep(INTERVAL + 1000);       // all started, one more round

    lag.enable();

    // steady: what the open pages cost when nothing changes
    const r0 = stats.requests;
    const s0 = stats.s304;
    const m0 = cpuMark();
    await sleep(STEADY_MS);
    const c0 = cpuSince(m0);
    const secs = (now() - m0.t) / 1000;

    out('steady_s', secs.toFixed(2));
    out('steady_requests', stats.requests - r0);
    out('steady_rps', ((stats.requests - r0) / secs).toFixed(1));
    out('steady_304', stats.s304 - s0);
    out('steady_nginx_cpu_pct', fmt(c0.nginx));
    out('steady_node_cpu_pct', fmt(c0.node));
    note(`steady: ${((stats.requests - r0) / secs).toFixed(0)} req/s, `
         + `nginx ${fmt(c0.nginx)}% of a CPU, node ${fmt(c0.node)}%`);

    const all = { detect: [], load: [] };
    let missed = 0;
    let missedLoads = 0;
    const m1 = cpuMark();

    for (let k = 1; k <= WRITES; k++) {
        // a random phase against the pages' polls
        await sleep(200 + Math.floor(Math.random() * INTERVAL));

        const w = {
            k, tag: null, sent: now(), got201: null,
            seen: new Map(), loaded: new Map(),
        };
        current = w;

        w.got201 = await write(k);

        const deadline = w.got201 + TIMEOUT_MS;
        while (now() < deadline
               && (w.seen.size < PAGES || (REFETCH && w.loaded.size < PAGES)))
        {
            await sleep(20);
        }

        // stragglers after the deadline do not count for this write
        current = null;

        const detect = [...w.seen.values()].map((t) => t - w.got201)
                                           .sort((a, b) => a - b);
        const load = [...w.loaded.values()].map((t) => t - w.got201)
                                           .sort((a, b) => a - b);

        missed += PAGES - detect.length;
        missedLoads += REFETCH ? PAGES - load.length : 0;
        all.detect.push(...detect);
        all.load.push(...load);

        const before = detect.filter((d) => d < 0).length;

        out(`w${k}_write_ms`, fmt(w.got201 - w.sent));
        out(`w${k}_etag`, w.tag);
        out(`w${k}_seen`, detect.length);
        out(`w${k}_before_201`, before);
        for (const [name, a] of [['detect', detect], ['load', load]]) {
            out(`w${k}_${name}_min`, fmt(a[0]));
            out(`w${k}_${name}_p50`, fmt(pct(a, 50)));
            out(`w${k}_${name}_p99`, fmt(pct(a, 99)));
            out(`w${k}_${name}_max`, fmt(a[a.length - 1]));
        }

        note(`write ${k}: 201 in ${fmt(w.got201 - w.sent)} ms; `
             + `${detect.length}/${PAGES} saw ${w.tag} `
             + `(median ${fmt(pct(detect, 50))} ms, `
             + `max ${fmt(detect[detect.length - 1])} ms)`
             + (REFETCH ? `, ${load.length} reloaded `
                          + `(max ${fmt(load[load.length - 1])} ms)` : ''));
    }

    const c1 = cpuSince(m1);
    out('writes_s', ((now() - m1.t) / 1000).toFixed(2));
    out('writes_nginx_cpu_pct', fmt(c1.nginx));
    out('writes_node_cpu_pct', fmt(c1.node));

    for (const name of ['detect', 'load']) {
        const a = all[name].sort((x, y) => x - y);
        out(`${name}_n`, a.length);
        out(`${name}_min`, fmt(a[0]));
        out(`${name}_p50`, fmt(pct(a, 50)));
        out(`${name}_p99`, fmt(pct(a, 99)));
        out(`${name}_max`, fmt(a[a.length - 1]));
    }

    lag.disable();

    pages.forEach((p) => p.stop());
    writeAgent.destroy();

    out('pages', PAGES);
    out('interval_ms', INTERVAL);
    out('writes', WRITES);
    out('refetch', REFETCH ? 1 : 0);
    out('missed', missed);
    out('missed_loads', missedLoads);
    out('requests', stats.requests);
    out('s304', stats.s304);
    out('s200', stats.s200);
    out('s200_same_etag', stats.s200same);
    out('bad', stats.bad);
    out('errors', stats.errors);
    out('loads', stats.loads);
    out('load_bad', stats.loadBad);
    out('stale_pages', stats.stalePages);
    out('unexpected', stats.unexpected);
    out('sockets', stats.sockets);
    out('loop_delay_p99_ms', fmt(lag.percentile(99) / 1e6));
    out('loop_delay_max_ms', fmt(lag.max / 1e6));
    if (stats.lastBad) {
        out('last_bad', JSON.stringify(stats.lastBad));
    }
    if (stats.lastError) {
        out('last_error', JSON.stringify(stats.lastError));
    }

    clearTimeout(budget);
}

main().then(() => process.exit(0), (e) => {
    process.stderr.write(`live.js: ${e.message}\n`);
    process.exit(1);
});
