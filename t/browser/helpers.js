'use strict';

// Shared by the browser tests: the server run.sh started, its API, and a
// headless Debian Chromium driven by playwright-core.

const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');

const BASE = process.env.INCIDENT_BASE_URL;
const TOKEN = process.env.INCIDENT_TOKEN;
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
// errors and requests that leave the status page's own origin.
async function newPage(browser, options = {}) {
    const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        ...options,
    });
    context.setDefaultTimeout(10000);
    context.setDefaultNavigationTimeout(15000);

    const page = await context.newPage();
    const problems = [];

    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
        // the browser's own look for /favicon.ico is no fault of the page
        if (m.type() === 'error'
            && !/\/favicon\.ico$/.test(m.location().url || ''))
        {
            problems.push(`console error: ${m.text()} `
                + `(${m.location().url || 'no url'})`);
        }
    });
    page.on('response', (r) => {
        if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) {
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
    page.assertClean = () => assert.deepEqual(problems, [],
        'no script errors, console errors or external requests');

    return page;
}

function shot(name) {
    fs.mkdirSync(SHOTS, { recursive: true });
    return path.join(SHOTS, `${name}.png`);
}

// axe-core in the page, every rule it runs by default (WCAG A/AA and best
// practices), nothing excluded
async function axe(page) {
    await page.addScriptTag({ path: require.resolve('axe-core') });

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

module.exports = {
    BASE, TOKEN, COMPONENT_LABELS, OVERALL_LABELS, STATUS_LABELS,
    IMPACT_LABELS, api, seed, launch, newPage, shot, axe, formatViolations,
};
