'use strict';

// Scheduled maintenance as a visitor sees it: the status page with a
// window in progress (inside #active-incidents) and one to come (in
// #scheduled-maintenance, right after it), the window's own page reached by
// its link, and /history with a past window.  On each, at 1280 and 375 px,
// light and dark: axe-core with every rule it runs by default (none
// excluded), no horizontal overflow at 375 px, no script error, console
// error or Content-Security-Policy violation.  Screenshots go to
// build/screenshots/maintenance-*.png.
//
// The windows are made through the API (notify: false, so the mail sink
// stays quiet) and cancelled (DELETE) in the `after` hook whatever happens,
// so the files after this one see the seeded state they expect.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
    BASE, COMPONENT_LABELS, OVERALL_LABELS, api, seed, launch, newPage,
    visible, screenshots, inspect, assertNoFailures,
} = require('./helpers');

const HOUR = 3600 * 1000;
const LABELS = {
    scheduled: 'Scheduled', in_progress: 'In Progress',
    verifying: 'Verifying', completed: 'Completed',
};
const WIDTHS = [1280, 375];
const SCHEMES = ['light', 'dark'];

// RFC 3339 in whole seconds, as the API keeps them
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

let browser;
let data;
// the windows this file made, cancelled at the end
const made = new Set();
const win = {};
let baseline;

async function maintenance(body) {
    const m = (await api('POST', '/api/v1/maintenances', {
        notify: false, remindBeforeMinutes: 0, ...body,
    }, 201)).json;
    made.add(m.id);
    return m;
}

async function current(id) {
    return (await api('GET', `/api/v1/maintenances/${id}`, undefined, 200))
        .json;
}

// what the other files expect to find: the components, the banner, and
// what the status page and the history show of maintenance
async function pageState() {
    const status = (await api('GET', '/api/v1/status', undefined, 200)).json;
    const comps = (await api('GET', '/api/v1/components?limit=100',
        undefined, 200)).json.data;
    const page = await newPage(browser);

    try {
        await page.goto(BASE + '/');
        const shown = {
            heading: (await page.locator('#active-incidents > h2')
                .innerText()).trim(),
            activeHidden: await page.locator('#active-incidents').isHidden(),
            upcomingHidden: await page.locator('#scheduled-maintenance')
                .isHidden(),
            cards: await page.locator('article[data-maintenance-id]')
                .evaluateAll((as) => as.map((a) => a.dataset.maintenanceId)),
        };
        await page.goto(BASE + '/history');
        shown.past = await page.locator('#past-maintenance article')
            .evaluateAll((as) => as.map((a) => a.dataset.maintenanceId));
        page.assertClean();

        return {
            status: status.status,
            components: comps.map((c) => [c.id, c.status]),
            shown,
        };
    } finally {
        await page.context().close();
    }
}

before(async () => {
    data = seed();
    browser = await launch();
    baseline = await pageState();

    const now = Date.now();
    const [, , , database, website] = data.components;

    // in progress on the Website, with a long host name in its title
    win.active = await maintenance({
        title: 'Website migration to web-frontend-eu-west-1.internal.example.com',
        status: 'in_progress',
        scheduledFor: iso(now - HOUR),
        scheduledUntil: iso(now + 3 * HOUR),
        autoComplete: false,
        componentIds: [website],
        message: 'We are moving the **website** to the new cluster:\n\n'
            + '- static files: moving\n- sessions: waiting',
    });
    await api('POST', `/api/v1/maintenances/${win.active.id}/updates`, {
        status: 'in_progress', notify: false,
        message: 'Static files are served from the new cluster; sessions '
            + 'move next.',
    }, 201);

    // tomorrow, on the Database
    win.upcoming = await maintenance({
        title: 'Database upgrade to PostgreSQL 17',
        scheduledFor: iso(now + 24 * HOUR),
        scheduledUntil: iso(now + 26 * HOUR),
        autoStart: false,
        componentIds: [database],
        message: 'Writes pause for about **ten minutes** during the switch.',
    });

    // over: for the history
    win.past = await maintenance({
        title: 'Core network switch replacement',
        status: 'completed',
        scheduledFor: iso(now - 30 * HOUR),
        scheduledUntil: iso(now - 28 * HOUR),
        componentIds: [website, database],
        message: 'The switches were replaced without downtime.',
    });
});

after(async () => {
    for (const id of made) {
        const r = await api('DELETE', `/api/v1/maintenances/${id}`);
        assert.ok(r.status === 204 || r.status === 404,
            `cancel maintenance ${id}: ${r.status}`);
    }
    if (browser) {
        await browser.close();
    }
});

// the card of a maintenance window in a section
function card(page, section, m) {
    return page.locator(`${section} article[data-maintenance-id="${m.id}"]`);
}

// Runs the checks of `fn`; one that fails is added to `failures`, so that
// a run tells everything that is wrong (axe, overflow, what is shown).
async function checking(failures, what, fn) {
    try {
        await fn();
    } catch (e) {
        failures.push(`${what}: ${e.message}`);
    }
}

test('the status page shows the window in progress and the one to come',
    async () => {
        const page = await newPage(browser);
        const failures = [];
        const active = await current(win.active.id);
        const upcoming = await current(win.upcoming.id);

        try {
            const res = await page.goto(BASE + '/');
            assert.equal(res.status(), 200);
            await screenshots(page, 'maintenance-home', WIDTHS);
            await inspect(page, 'the status page with maintenance', failures,
                { widths: WIDTHS, schemes: SCHEMES });

            await checking(failures, 'the window in progress', async () => {
                // with the active incidents, marked, linked
                const heading = page.locator('#active-incidents > h2');
                await visible(heading, 'the heading of #active-incidents');
                assert.equal((await heading.innerText()).trim(),
                    'Active incidents and maintenance');
                const a = card(page, '#active-incidents', active);
                await visible(a, 'the window in progress');
                assert.equal(await a.getAttribute('data-status'),
                    'in_progress');
                const link = a.getByRole('link', {
                    name: active.title, exact: true,
                });
                await visible(link, 'the link of the window in progress');
                assert.equal(new URL(await link.getAttribute('href'), BASE)
                    .pathname, `/maintenances/${active.id}`);
                const text = await a.innerText();
                assert.ok(text.includes(active.updates[0].message
                    .split(';')[0]), `its latest update: ${text}`);
                assert.ok(text.includes('Website'),
                    `what it affects: ${text}`);
                // the active incident of the seed is still listed, first
                const first = page.locator('#active-incidents > article')
                    .first();
                assert.equal(await first.getAttribute('data-incident-id'),
                    String(data.active.id), 'the incident comes first');
                assert.ok(text.includes(LABELS.in_progress),
                    `its status label "${LABELS.in_progress}": ${text}`);
            });

            await checking(failures, 'the window to come', async () => {
                // its own section, right after the active one
                const sched = page.locator('#scheduled-maintenance');
                await visible(sched, '#scheduled-maintenance');
                assert.equal(await sched.evaluate((s) =>
                    s.previousElementSibling && s.previousElementSibling.id),
                'active-incidents',
                '#scheduled-maintenance follows #active-incidents');
                await visible(sched.getByRole('heading', {
                    level: 2, name: 'Upcoming maintenance', exact: true,
                }), 'its heading');
                const u = card(page, '#scheduled-maintenance', upcoming);
                await visible(u, 'the window to come');
                assert.equal(await u.getAttribute('data-status'),
                    'scheduled');
                const times = await u.locator('time[datetime]').evaluateAll(
                    (ts) => ts.map((t) => t.getAttribute('datetime')));
                assert.ok(times.includes(upcoming.scheduledFor)
                    && times.includes(upcoming.scheduledUntil),
                `its window as <time datetime>: ${times}`);
                const cal = sched.getByRole('link', {
                    name: 'Add the maintenance calendar', exact: true,
                });
                await visible(cal, 'the calendar link');
                assert.equal(new URL(await cal.getAttribute('href'), BASE)
                    .pathname, '/maintenance.ics');
                // a past window is not on the page
                assert.equal(await page.locator(
                    `article[data-maintenance-id="${win.past.id}"]`).count(),
                0, 'the completed window is not on the status page');
                const text = await u.innerText();
                assert.ok(text.includes('ten minutes'), text);
                assert.ok(text.includes(LABELS.scheduled),
                    `its status label "${LABELS.scheduled}": ${text}`);
            });

            await checking(failures, 'the component and the banner',
                async () => {
                    const [, , , , website] = data.components;
                    const comp = page.locator('#components '
                        + `li.comp[data-component-id="${website}"]`);
                    assert.equal(await comp.getAttribute('data-status'),
                        'under_maintenance');
                    assert.equal((await comp.locator(':scope > .row .st')
                        .innerText()).trim(),
                    COMPONENT_LABELS.under_maintenance);
                    const status = (await api('GET', '/api/v1/status',
                        undefined, 200)).json;
                    const banner = page.locator('#overall-status');
                    assert.equal(await banner.getAttribute('data-status'),
                        status.status);
                    assert.ok((await banner.innerText()).includes(
                        OVERALL_LABELS[status.status]));
                });

            await checking(failures, 'the status page', () =>
                page.assertClean());
        } finally {
            await page.context().close();
        }
        assertNoFailures(failures);
    });

test('a window\'s link leads to its page with the whole timeline',
    async () => {
        const page = await newPage(browser);
        const failures = [];
        const m = await current(win.active.id);
        const u = await current(win.upcoming.id);

        try {
            await page.goto(BASE + '/');
            await card(page, '#active-incidents', m).getByRole('link', {
                name: m.title, exact: true,
            }).click();
            await page.waitForURL(`${BASE}/maintenances/${m.id}`);
            await screenshots(page, 'maintenance-page', WIDTHS);
            await inspect(page, 'a window in progress', failures,
                { widths: WIDTHS, schemes: SCHEMES });

            await checking(failures, 'the window\'s page', async () => {
                await visible(page.getByRole('heading', {
                    level: 1, name: m.title, exact: true,
                }), 'the window\'s heading');
                assert.equal(await page.title(), `${m.title} - Status`);
                const art = page.locator(
                    `article[data-maintenance-id="${m.id}"]`);
                assert.equal(await art.getAttribute('data-status'), m.status);
                const head = await art.locator('.meta').first().innerText();
                assert.ok(head.includes('Scheduled maintenance'), head);
                assert.ok(head.includes('Website'), head);
                const window = await art.locator('.meta').nth(1)
                    .locator('time').evaluateAll((ts) =>
                        ts.map((t) => t.getAttribute('datetime')));
                assert.deepEqual(window, [m.scheduledFor, m.scheduledUntil],
                    'the window, start and end');

                // oldest first, each with its time and message
                const items = art.locator('ol.timeline > li');
                assert.equal(await items.count(), m.updates.length);
                const oldest = [...m.updates].reverse();
                for (let i = 0; i < oldest.length; i++) {
                    const li = items.nth(i);
                    assert.equal(await li.locator('time')
                        .getAttribute('datetime'), oldest[i].createdAt);
                    const t = await li.innerText();
                    const words = oldest[i].message.replace(/\*\*/g, '')
                        .split(/[:;]/)[0];
                    assert.ok(t.includes(words),
                        `update ${i}: "${words}" in ${t}`);
                }
                assert.equal(await items.nth(0).locator('strong', {
                    hasText: 'website',
                }).count(), 1, 'Markdown rendered');
                assert.equal(await items.nth(0).locator('ul > li').count(),
                    2, 'a list in an update is a list');
                // the labels, last: a wrong one should not hide the rest
                assert.ok(head.includes(LABELS[m.status]),
                    `the status label "${LABELS[m.status]}": ${head}`);
                for (let i = 0; i < oldest.length; i++) {
                    const t = await items.nth(i).innerText();
                    assert.ok(t.includes(LABELS[oldest[i].status]),
                        `update ${i}: the label `
                        + `"${LABELS[oldest[i].status]}": ${t}`);
                }
            });

            await checking(failures, 'the calendar link', async () => {
                const cal = page.getByRole('link', {
                    name: 'Add to a calendar', exact: true,
                });
                await visible(cal, 'the calendar link');
                const href = new URL(await cal.getAttribute('href'), BASE)
                    .href;
                const ics = await page.evaluate(async (url) => {
                    const r = await fetch(url);
                    return { status: r.status,
                        type: r.headers.get('content-type'),
                        text: await r.text() };
                }, href);
                assert.equal(ics.status, 200);
                assert.equal(ics.type, 'text/calendar; charset=utf-8');
                assert.match(ics.text, new RegExp(
                    `\r\nUID:maintenance-${m.id}@127\\.0\\.0\\.1\r\n`));
            });

            // the window to come has a page too
            const res = await page.goto(`${BASE}/maintenances/${u.id}`);
            assert.equal(res.status(), 200);
            await inspect(page, 'a window to come', failures,
                { widths: WIDTHS, schemes: SCHEMES });
            await checking(failures, 'the upcoming window\'s page',
                async () => {
                    await visible(page.getByRole('heading', {
                        level: 1, name: u.title, exact: true,
                    }), 'the upcoming window\'s heading');
                    assert.equal(await page.locator(
                        `article[data-maintenance-id="${u.id}"]`)
                        .getAttribute('data-status'), 'scheduled');
                });

            // and back
            await page.getByRole('link', { name: /Current status/ }).first()
                .click();
            await page.waitForURL(`${BASE}/`);
            await visible(page.locator('#overall-status'), 'the banner again');

            await checking(failures, 'the window\'s pages', () =>
                page.assertClean());
        } finally {
            await page.context().close();
        }
        assertNoFailures(failures);
    });

test('the history lists the past window', async () => {
    const page = await newPage(browser);
    const failures = [];
    const m = await current(win.past.id);

    try {
        await page.goto(BASE + '/');
        await page.getByRole('link', { name: 'History', exact: true }).click();
        await page.waitForURL(`${BASE}/history`);
        await screenshots(page, 'maintenance-history', WIDTHS);
        await inspect(page, 'the history with a past window', failures,
            { widths: WIDTHS, schemes: SCHEMES });

        const past = page.locator('#past-maintenance');
        const c = card(page, '#past-maintenance', m);
        await checking(failures, 'the history', async () => {
            await visible(past, '#past-maintenance');
            await visible(past.getByRole('heading', {
                level: 2, name: 'Past maintenance', exact: true,
            }), 'its heading');
            await visible(c, 'the completed window');
            assert.equal(await c.getAttribute('data-status'), 'completed');
            const text = await c.innerText();
            assert.ok(text.includes(m.updates[0].message), text);
            for (const w of [win.active, win.upcoming]) {
                assert.equal(await past.locator(
                    `article[data-maintenance-id="${w.id}"]`).count(), 0,
                `window ${w.id} is not over: not in the history`);
            }
            // the incidents are still there
            await visible(page.locator(
                `article[data-incident-id="${data.resolved.id}"]`),
            'the resolved incident of the seed');
            assert.ok(text.includes(LABELS.completed),
                `the status label "${LABELS.completed}": ${text}`);
        });

        await c.getByRole('link', { name: m.title, exact: true }).click();
        await page.waitForURL(`${BASE}/maintenances/${m.id}`);
        await inspect(page, 'a completed window', failures,
            { widths: WIDTHS, schemes: SCHEMES });
        await checking(failures, 'the completed window\'s page', async () => {
            assert.equal(await page.locator(
                `article[data-maintenance-id="${m.id}"]`)
                .getAttribute('data-status'), 'completed');
        });

        await checking(failures, 'the history and the window\'s page', () =>
            page.assertClean());
    } finally {
        await page.context().close();
    }
    assertNoFailures(failures);
});

test('an unknown window is a page that leads back', async () => {
    const page = await newPage(browser);

    try {
        page.expectStatus(404, '/maintenances/999999');
        const res = await page.goto(`${BASE}/maintenances/999999`);
        assert.equal(res.status(), 404);
        await visible(page.getByRole('heading', { level: 1 }), 'a heading');
        await page.getByRole('link', { name: /Current status/ }).click();
        await page.waitForURL(`${BASE}/`);
        page.assertClean();
    } finally {
        await page.context().close();
    }
});

// last: cancelling the windows puts the page back as the seed left it
test('cancelled windows leave the page as it was', async () => {
    for (const id of made) {
        await api('DELETE', `/api/v1/maintenances/${id}`, undefined, 204);
        made.delete(id);
    }
    assert.deepEqual(await pageState(), baseline,
        'the components, the banner, the headings and the maintenance '
        + 'shown on / and /history are as before this file');
});
