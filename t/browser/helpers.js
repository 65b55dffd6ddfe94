'use strict';

// Shared by the browser tests: the server run.sh started, its API and its
// admin UI, and a headless Debian Chromium driven by playwright-core.

const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');

const BASE = process.env.INCIDENT_BASE_URL;
const TOKEN = process.env.INCIDENT_TOKEN;
// the admin UI (a location with incident_admin behind auth_basic)
const ADMIN = process.env.INCIDENT_ADMIN_URL;
const ADMIN_USER = process.env.INCIDENT_ADMIN_USER;
const ADMIN_PASSWORD = process.env.INCIDENT_ADMIN_PASSWORD;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.INCIDENT_SCREENSHOTS
    || path.resolve(__dirname, '../../build/screenshots');

if (!BASE || !TOKEN) {
    throw new Error('INCIDENT_BASE_URL and INCIDENT_TOKEN must be set: '
        + 'run the browser tests through t/browser/run.sh');
}

// the labels API.md gives
const COMPONENT_LABELS = {
    operational: 'Operational',
    degraded_performance: 'Degraded Performance',
    partial_outage: 'Partial Outage',
    major_outage: 'Major Outage',
    under_maintenance: 'Under Maintenance',
};
const OVERALL_LABELS = {
    operational: 'All Systems Operational',
    degraded_performance: 'Degraded Performance',
    partial_outage: 'Partial System Outage',
    major_outage: 'Major System Outage',
    under_maintenance: 'Under Maintenance',
};
const STATUS_LABELS = {
    investigating: 'Investigating',
    identified: 'Identified',
    monitoring: 'Monitoring',
    resolved: 'Resolved',
};
const IMPACT_LABELS = {
    critical: 'Critical', major: 'Major', minor: 'Minor', none: 'Minimal',
};

// Chromium as the environment notes say: no sandbox (root), no network
// chatter (the machine's network is closed), no GPU.  playwright-core
// gives every launch a fresh --user-data-dir of its own.
const CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
];

async function api(method, url, body, expect) {
    const headers = { Accept: 'application/json' };

    if (method !== 'GET' && method !== 'HEAD') {
        headers.Authorization = `Bearer ${TOKEN}`;
    }
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
    }

    const res = await fetch(BASE + url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10000),
    });
    const text = await res.text();

    if (expect !== undefined && res.status !== expect) {
        throw new Error(`${method} ${url}: ${res.status}, not ${expect}: `
            + text);
    }

    let json = null;
    try {
        json = text ? JSON.parse(text) : null;
    } catch (e) {
        // not JSON: left null
    }

    return { status: res.status, headers: res.headers, json, text };
}

function seed() {
    return JSON.parse(fs.readFileSync(process.env.INCIDENT_SEED, 'utf8'));
}

async function launch() {
    // required here so a missing package fails the test, not the import
    const { chromium } = require('playwright-core');

    return chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        chromiumSandbox: false,
        args: CHROMIUM_ARGS,
        timeout: 30000,
    });
}

// A page that records what should never happen: script errors, console
// errors, Content-Security-Policy violations, error responses and requests
// that leave the status page's own origin.  page.expectStatus(status, path)
// lets one response with that status for that path through (a 422 form that
// did not validate, a 401 without credentials).
async function newPage(browser, options = {}) {
    const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        ...options,
    });
    context.setDefaultTimeout(10000);
    context.setDefaultNavigationTimeout(15000);

    const problems = [];
    const expected = [];

    // the browser tells a page of each violation of its policy; the page
    // tells us (the binding outlives navigations, the listener is added
    // to every document before its own scripts run)
    await context.exposeBinding('__incidentCspViolation', (source, v) => {
        problems.push(`CSP violation: ${v.directive} blocked `
            + `${v.blocked || 'inline'} (${v.source}:${v.line})`);
    });
    await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
            window.__incidentCspViolation({
                directive: e.effectiveDirective || e.violatedDirective,
                blocked: e.blockedURI,
                source: e.sourceFile || document.location.href,
                line: e.lineNumber,
            });
        });
    });

    const page = await context.newPage();

    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
        // the browser's own look for /favicon.ico is no fault of the page,
        // nor is the line it logs for a response we expected to fail
        const url = m.location().url || '';
        const failed = /^Failed to load resource: .* status of (\d+)/
            .exec(m.text());
        if (m.type() === 'error' && !/\/favicon\.ico$/.test(url)
            && !(failed && url && expected.some((e) =>
                e.path === new URL(url).pathname
                && e.status === Number(failed[1]))))
        {
            problems.push(`console error: ${m.text()} `
                + `(${url || 'no url'})`);
        }
    });
    page.on('response', (r) => {
        if (r.status() < 400 || r.url().endsWith('/favicon.ico')) {
            return;
        }
        const path = new URL(r.url()).pathname;
        const e = expected.find((x) => !x.seen && x.status === r.status()
            && x.path === path);
        if (e) {
            e.seen = true;
        } else {
            problems.push(`${r.status()} for ${r.url()}`);
        }
    });
    page.on('request', (r) => {
        const u = r.url();
        if (!u.startsWith(BASE + '/') && !u.startsWith('data:')
            && !u.startsWith('about:'))
        {
            problems.push(`external request: ${u}`);
        }
    });

    page.problems = problems;
    page.expectStatus = (status, path) => {
        expected.push({ status, path, seen: false });
    };
    page.assertClean = () => assert.deepEqual(problems, [],
        'no script errors, console errors, CSP violations, unexpected '
        + 'error responses or external requests');

    return page;
}

// A page of the admin UI's user: the browser answers auth_basic itself
async function adminPage(browser, options = {}) {
    if (!ADMIN || !ADMIN_USER || !ADMIN_PASSWORD) {
        throw new Error('INCIDENT_ADMIN_URL, INCIDENT_ADMIN_USER and '
            + 'INCIDENT_ADMIN_PASSWORD must be set: run the browser tests '
            + 'through t/browser/run.sh');
    }

    return newPage(browser, {
        httpCredentials: {
            username: ADMIN_USER,
            password: ADMIN_PASSWORD,
            origin: new URL(ADMIN).origin,
            send: 'always',
        },
        ...options,
    });
}

async function visible(locator, what) {
    assert.equal(await locator.count(), 1, `${what}: one element`);
    assert.ok(await locator.isVisible(), `${what} is visible`);
}

// the page fits the viewport: nothing to scroll sideways
async function noHorizontalOverflow(page, width, what = '') {
    const m = await page.evaluate(() => ({
        doc: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
        inner: window.innerWidth,
        // what sticks out, to tell where to look
        wide: [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right
                > window.innerWidth + 0.5)
            .slice(0, 5)
            .map((e) => `<${e.tagName.toLowerCase()}`
                + `${e.id ? '#' + e.id : ''}`
                + `${e.className && typeof e.className === 'string'
                    ? '.' + e.className.trim().replace(/\s+/g, '.') : ''}`
                + `> right=${Math.round(e.getBoundingClientRect().right)}`),
    }));
    const where = what ? ` on ${what}` : '';
    assert.equal(m.inner, width);
    assert.ok(m.doc <= width,
        `no horizontal overflow at ${width} px${where}: scrollWidth `
        + `${m.doc}; wider: ${m.wide.join(', ')}`);
    assert.ok(m.body <= width,
        `no horizontal overflow at ${width} px${where}: body ${m.body}; `
        + `wider: ${m.wide.join(', ')}`);
}

function shot(name) {
    fs.mkdirSync(SHOTS, { recursive: true });
    return path.join(SHOTS, `${name}.png`);
}

// full-page screenshots NAME-WIDTH-SCHEME.png at each width, light and
// dark; the page is left at the size it had, in light mode
async function screenshots(page, name, widths = [1280, 375]) {
    const size = page.viewportSize();
    const height = size.height;

    for (const width of widths) {
        await page.setViewportSize({ width, height });
        for (const scheme of ['light', 'dark']) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.screenshot({
                path: shot(`${name}-${width}-${scheme}`), fullPage: true,
            });
        }
    }

    await page.setViewportSize(size);
    await page.emulateMedia({ colorScheme: 'light' });
}

// axe-core in the page, every rule it runs by default (WCAG A/AA and best
// practices), nothing excluded.  Evaluated through the DevTools protocol,
// not as a <script> element: the admin pages' Content-Security-Policy
// (script-src 'self') would rightly refuse an inline one.
let axeSource;

async function axe(page) {
    if (await page.evaluate(() => window.axe === undefined)) {
        axeSource = axeSource || fs.readFileSync(
            require.resolve('axe-core/axe.min.js'), 'utf8');
        await page.evaluate(axeSource);
    }

    return page.evaluate(async () => {
        const r = await window.axe.run(document, {
            resultTypes: ['violations'],
        });

        return r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => ({
                target: n.target.join(' '),
                html: n.html,
                summary: n.failureSummary,
            })),
        }));
    });
}

function formatViolations(violations) {
    return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n`
        + v.nodes.map((n) => `    ${n.target}\n      ${n.html}\n      `
            + String(n.summary).replace(/\n/g, '\n      ')).join('\n'))
        .join('\n');
}

// --- the admin UI, as a person uses it --------------------------------------

// a path of the admin UI: adminPath('incidents/new')
const adminPath = (rest = '') => new URL(ADMIN).pathname + rest;

// a link of the admin's own navigation
function adminNav(page, name) {
    return page.getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name, exact: true });
}

// click and wait for the page it leads to
async function follow(page, locator, path) {
    await Promise.all([
        page.waitForURL((u) => u.pathname === path),
        locator.click(),
    ]);
}

// submit and wait for the page the server answers with (the redirect of
// Post/Redirect/Get, or the form again)
async function submit(page, button) {
    await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        button.click(),
    ]);
}

// the confirmation a change lands with
async function flash(page, text) {
    const status = page.getByRole('status');
    await visible(status, `the confirmation "${text}"`);
    assert.equal((await status.innerText()).trim(), text);
}

// A page the admin shows, looked at: axe-core with every rule it runs by
// default in the given colour schemes and widths, horizontal overflow at
// every width below 1280, and screenshots SHOTS-WIDTH-SCHEME.png if asked.
// What fails is collected in `failures`, so one run tells every page that
// is wrong; the page is left at the first width, light.
async function inspect(page, what, failures, {
    widths = [page.viewportSize().width], schemes = ['light'], shots = null,
} = {}) {
    const height = page.viewportSize().height;

    if (shots) {
        await screenshots(page, shots);
    }

    for (const width of widths) {
        await page.setViewportSize({ width, height });
        for (const scheme of schemes) {
            await page.emulateMedia({ colorScheme: scheme });
            const v = await axe(page);
            if (v.length) {
                failures.push(`axe on ${what} (${new URL(page.url()).pathname}`
                    + `, ${width} px, ${scheme}):\n${formatViolations(v)}`);
            }
        }
        if (width < 1280) {
            try {
                await noHorizontalOverflow(page, width, what);
            } catch (e) {
                failures.push(e.message);
            }
        }
    }

    await page.setViewportSize({ width: widths[0], height });
    await page.emulateMedia({ colorScheme: 'light' });
}

function assertNoFailures(failures) {
    assert.equal(failures.length, 0, `${failures.length} problem(s):\n\n`
        + failures.join('\n\n'));
}

// resolve the incidents of these ids that a test left active, through the
// API, so that a failure stays its own and the other files see the state
// they expect
async function resolveAll(ids) {
    for (const id of ids) {
        const inc = (await api('GET', `/api/v1/incidents/${id}`)).json;
        if (inc && inc.status && inc.status !== 'resolved') {
            await api('POST', `/api/v1/incidents/${id}/updates`,
                { status: 'resolved', message: 'Test over.' }, 201);
        }
    }
}

// the row of a component on the admin's Components page
async function componentRow(page, name) {
    const row = page.locator('tr[data-component-id]', {
        has: page.getByRole('link', { name, exact: true }),
    });
    await visible(row, `the row of ${name}`);
    return row;
}

module.exports = {
    BASE, TOKEN, ADMIN, ADMIN_USER, COMPONENT_LABELS, OVERALL_LABELS,
    STATUS_LABELS, IMPACT_LABELS, api, seed, launch, newPage, adminPage,
    visible, noHorizontalOverflow, shot, screenshots, axe, formatViolations,
    adminPath, adminNav, follow, submit, flash, inspect, assertNoFailures,
    componentRow, resolveAll,
};
