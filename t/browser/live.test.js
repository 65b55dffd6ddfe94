'use strict';

// Live updates: with the status page and an incident page open, changes
// made through the API show up without a reload within 2 seconds, and the
// status page announces them in its aria-live region.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, api, seed, launch, newPage } = require('./helpers');

// the promise: an open page learns of a change within 2 seconds
const LIMIT_MS = 2000;
// how long we wait to see a change at all, so a slow page is measured
const WAIT_MS = 6000;

let browser;
let data;

before(async () => {
    data = seed();
    browser = await launch();
});

after(async () => {
    if (browser) {
        await browser.close();
    }
});

// Records, with the browser's clock, each moment the part of the page the
// test looks at changes, and remembers that the page was never reloaded.
async function watch(page, id, componentId) {
    await page.evaluate(([incidentId, compId]) => {
        const state = () => {
            const q = (s) => document.querySelector(s);
            const sel = `article[data-incident-id="${incidentId}"]`;
            const active = q(`#active-incidents ${sel}`);
            const past = q(`#incident-history ${sel}`);
            const permalink = q(`main > ${sel}`);
            const website = q(`li.comp[data-component-id="${compId}"]`);
            const banner = q('#overall-status h2');

            return JSON.stringify({
                active: active ? active.dataset.status : null,
                history: past ? past.dataset.status : null,
                permalink: permalink ? permalink.dataset.status : null,
                timeline: document.querySelectorAll('ol.timeline > li')
                    .length,
                website: website ? website.dataset.status : null,
                banner: banner ? banner.textContent.trim() : null,
            });
        };
        let last = state();

        window.__noReload = true;
        window.__changes = [];
        new MutationObserver(() => {
            const s = state();
            if (s !== last) {
                last = s;
                window.__changes.push({ t: Date.now(), s: JSON.parse(s) });
            }
        }).observe(document.body, { childList: true, subtree: true,
            attributes: true, characterData: true });
    }, [id, componentId]);
}

// ms from the start of the API call to the first change matching `want`
async function latency(page, t0, want) {
    try {
        await page.waitForFunction((w) => window.__changes.some((c) =>
            Object.keys(w).every((k) => c.s[k] === w[k])), want,
        { timeout: WAIT_MS, polling: 20 });
    } catch (e) {
        const seen = await page.evaluate(() => window.__changes);
        assert.fail(`no change to ${JSON.stringify(want)} within ${WAIT_MS} ms;`
            + ` changes seen: ${JSON.stringify(seen)}`);
    }

    const seen = await page.evaluate((w) => window.__changes.find((c) =>
        Object.keys(w).every((k) => c.s[k] === w[k])), want);

    return seen.t - t0;
}

test('an open page shows API changes without a reload within 2 s',
    async (t) => {
        const websiteId = data.components[4];
        const incident = (await api('POST', '/api/v1/incidents', {
            title: 'Website slow in some regions',
            status: 'investigating',
            impact: 'minor',
            componentIds: [websiteId],
            message: 'Some visitors see slow page loads.',
        }, 201)).json;
        const id = incident.id;

        const home = await newPage(browser);
        const perma = await newPage(browser);
        const navigations = [];
        const measured = [];

        try {
            await home.goto(BASE + '/');
            await perma.goto(`${BASE}/incidents/${id}`);
            for (const p of [home, perma]) {
                p.on('framenavigated', (f) => {
                    if (f === p.mainFrame()) {
                        navigations.push(f.url());
                    }
                });
            }

            const live = home.locator('#live');
            assert.equal(await live.getAttribute('role'), 'status');
            assert.equal(await live.getAttribute('aria-live'), 'polite');
            assert.equal((await live.textContent()).trim(), '',
                'nothing announced yet');
            assert.equal(await home.locator(`#active-incidents `
                + `article[data-incident-id="${id}"]`).getAttribute(
                'data-status'), 'investigating');
            const before = await home.locator('#overall-status h2')
                .textContent();

            await watch(home, id, websiteId);
            await watch(perma, id, websiteId);

            // wait until the pages' first poll went by, so each change
            // below meets a poll loop in its steady state
            await home.waitForTimeout(1200);

            const change = async (what, call, wants) => {
                const t0 = Date.now();
                await call();
                const apiMs = Date.now() - t0;

                for (const [name, page, want] of wants) {
                    const ms = await latency(page, t0, want);
                    measured.push(ms);
                    t.diagnostic(`live update (${what}) on ${name}: ${ms} ms `
                        + `(API call ${apiMs} ms)`);
                    assert.ok(ms < LIMIT_MS, `${what}: ${name} changed after `
                        + `${ms} ms, not within ${LIMIT_MS} ms`);
                }
            };

            // 1. an update: the incident's status changes on both pages
            await change('update posted', () => api('POST',
                `/api/v1/incidents/${id}/updates`, {
                    status: 'identified',
                    message: 'A CDN node in one region is overloaded.',
                }, 201), [
                ['/', home, { active: 'identified' }],
                [`/incidents/${id}`, perma,
                    { permalink: 'identified', timeline: 2 }],
            ]);
            await home.waitForFunction(() => document.getElementById('live')
                .textContent.trim().length > 0, null, { timeout: 2000 });
            assert.equal((await live.textContent()).trim(),
                `Status updated: ${before.trim()}`);

            // 2. a component's status: the banner changes and is announced
            await change('component status set', () => api('PATCH',
                `/api/v1/components/${websiteId}`,
                { baseStatus: 'major_outage' }, 200), [
                ['/', home, { website: 'major_outage',
                    banner: 'Major System Outage' }],
            ]);
            await home.waitForFunction(() => document.getElementById('live')
                .textContent.includes('Major System Outage'), null,
            { timeout: 2000 });
            assert.equal((await live.textContent()).trim(),
                'Status updated: Major System Outage');
            assert.ok(await home.locator('#overall-status').isVisible());

            // 3. resolved: it leaves the active incidents for the history
            await change('incident resolved', () => api('POST',
                `/api/v1/incidents/${id}/updates`, {
                    status: 'resolved',
                    message: 'Traffic is balanced again.',
                }, 201), [
                ['/', home, { active: null, history: 'resolved' }],
                [`/incidents/${id}`, perma,
                    { permalink: 'resolved', timeline: 3 }],
            ]);
            assert.ok(await perma.getByText(/Duration:/).isVisible(),
                'the resolved incident page tells its duration');
            assert.ok(await home.locator('#incident-history '
                + `article[data-incident-id="${id}"]`).isVisible());

            // 4. and back to what it was
            await change('component status restored', () => api('PATCH',
                `/api/v1/components/${websiteId}`,
                { baseStatus: 'operational' }, 200), [
                ['/', home, { website: 'operational', banner: before.trim() }],
            ]);
            await home.waitForFunction((b) => document.getElementById('live')
                .textContent.trim() === `Status updated: ${b}`,
            before.trim(), { timeout: 2000 });

            // never reloaded
            assert.deepEqual(navigations, [], 'no navigation');
            for (const p of [home, perma]) {
                assert.equal(await p.evaluate(() => window.__noReload), true,
                    'the same document all along');
            }

            measured.sort((a, b) => a - b);
            t.diagnostic(`live update latency: min ${measured[0]} ms, median `
                + `${measured[Math.floor(measured.length / 2)]} ms, max `
                + `${measured[measured.length - 1]} ms over `
                + `${measured.length} changes`);

            home.assertClean();
            perma.assertClean();
        } finally {
            await home.context().close();
            await perma.context().close();
            // leave the seeded state as it was for the other tests
            await api('PATCH', `/api/v1/components/${websiteId}`,
                { baseStatus: 'operational' });
            const now = (await api('GET', `/api/v1/incidents/${id}`)).json;
            if (now && now.status !== 'resolved') {
                await api('POST', `/api/v1/incidents/${id}/updates`,
                    { status: 'resolved', message: 'Test over.' });
            }
        }
    });
