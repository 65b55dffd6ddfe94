'use strict';

// What a visitor sees on the status page: at 1280 and 375 px (and 320), in
// light and dark, with and without JavaScript; following an incident link to
// its timeline.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
    BASE, COMPONENT_LABELS, OVERALL_LABELS, STATUS_LABELS, IMPACT_LABELS,
    api, seed, launch, newPage, visible, noHorizontalOverflow, shot,
} = require('./helpers');

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

// the state to expect, from the API
async function expected() {
    const status = (await api('GET', '/api/v1/status', undefined, 200)).json;
    const comps = (await api('GET', '/api/v1/components?limit=100',
        undefined, 200)).json.data;
    const active = (await api('GET', '/api/v1/incidents?state=active',
        undefined, 200)).json.data;

    return { status, comps, active };
}

// banner, components and active incidents as the API describes them
async function checkVisitorView(page, label) {
    const { status, comps, active } = await expected();

    const banner = page.locator('#overall-status');
    await visible(banner, `${label}: the banner`);
    assert.equal(await banner.getAttribute('data-status'), status.status);
    const bannerText = (await banner.innerText()).trim();
    assert.ok(bannerText.includes(OVERALL_LABELS[status.status]),
        `${label}: banner says "${OVERALL_LABELS[status.status]}": `
        + JSON.stringify(bannerText));
    assert.equal(status.description, OVERALL_LABELS[status.status]);
    // never colour alone: an icon as well as the words
    assert.equal(await banner.locator('svg').count(), 1,
        `${label}: the banner has an icon`);

    await visible(page.locator('#components'), `${label}: #components`);
    assert.ok(comps.length >= 8, 'the seeded components are listed');

    for (const c of comps) {
        const li = page.locator(`#components li.comp[data-component-id="${c.id}"]`);
        await visible(li, `${label}: component ${c.name}`);
        assert.equal(await li.getAttribute('data-status'), c.status,
            `${label}: ${c.name} data-status`);

        const name = li.locator(':scope > .row .name, '
            + ':scope > details > summary .name');
        await visible(name, `${label}: the name of ${c.name}`);
        assert.equal((await name.innerText()).trim(), c.name);

        const st = li.locator(':scope > .row .st, '
            + ':scope > details > summary .st');
        await visible(st, `${label}: the status of ${c.name}`);
        assert.equal((await st.innerText()).trim(),
            COMPONENT_LABELS[c.status], `${label}: ${c.name}'s status label`);

        if (c.groupId !== null && c.groupId !== undefined) {
            assert.equal(await page.locator(`li.comp[data-component-id="${c.groupId}"] `
                + `li.comp[data-component-id="${c.id}"]`).count(), 1,
                `${label}: ${c.name} is shown inside its group`);
        }
    }

    // the groups, in the API's order, members after their group
    const order = await page.locator('#components li.comp').evaluateAll(
        (els) => els.map((e) => Number(e.dataset.componentId)));
    assert.deepEqual(order, comps.map((c) => c.id),
        `${label}: components in the API's order`);

    const section = page.locator('#active-incidents');
    assert.ok(active.length >= 1, 'an active incident was seeded');
    await visible(section, `${label}: #active-incidents`);

    for (const inc of active) {
        const art = section.locator(`article[data-incident-id="${inc.id}"]`);
        await visible(art, `${label}: active incident ${inc.id}`);
        assert.equal(await art.getAttribute('data-status'), inc.status);
        assert.equal(await art.getAttribute('data-impact'), inc.impact);

        const title = art.getByRole('link', { name: inc.title, exact: true });
        await visible(title, `${label}: the title of incident ${inc.id}`);
        assert.equal(new URL(await title.getAttribute('href'), BASE).pathname,
            `/incidents/${inc.id}`);

        const text = await art.innerText();
        assert.ok(text.includes(STATUS_LABELS[inc.status]),
            `${label}: the incident's status label: ${text}`);
        assert.ok(text.includes(`${IMPACT_LABELS[inc.impact]} impact`),
            `${label}: the incident's impact: ${text}`);
        const latest = inc.updates[0].message.replace(/\*\*/g, '')
            .split('\n')[0];
        assert.ok(text.includes(latest),
            `${label}: the latest update "${latest}": ${text}`);
        for (const id of inc.componentIds) {
            const c = comps.find((x) => x.id === id);
            assert.ok(text.includes(c.name),
                `${label}: affected component ${c.name}: ${text}`);
        }
    }

    const history = page.locator('#incident-history');
    await visible(history, `${label}: #incident-history`);
    await visible(history.getByRole('link', {
        name: data.resolved.title, exact: true,
    }), `${label}: the resolved incident in the history`);
}

for (const width of [1280, 375, 320]) {
    test(`a visitor at ${width} px sees the banner, components and the `
        + 'active incident', async () => {
        const page = await newPage(browser, {
            viewport: { width, height: 900 },
        });

        try {
            const res = await page.goto(BASE + '/');
            assert.equal(res.status(), 200);
            assert.match(res.headers()['content-type'], /^text\/html/);
            assert.equal(await page.title(), 'Status');

            // first, so they are there to look at when a check fails
            if (width !== 320) {
                for (const scheme of ['light', 'dark']) {
                    await page.emulateMedia({ colorScheme: scheme });
                    await page.screenshot({
                        path: shot(`home-${width}-${scheme}`),
                        fullPage: true,
                    });
                }
            }

            await page.emulateMedia({ colorScheme: 'light' });

            await checkVisitorView(page, `${width} px`);
            await noHorizontalOverflow(page, width);

            // a banner at the top of the page, readable without scrolling
            const box = await page.locator('#overall-status').boundingBox();
            assert.ok(box.y < 900 && box.width <= width,
                `the banner is in the first screen: ${JSON.stringify(box)}`);

            // the script formatted the times (they stay <time datetime>)
            const times = await page.locator('main time[datetime]')
                .evaluateAll((ts) => ts.map((t) => [
                    t.getAttribute('datetime'), t.textContent]));
            assert.ok(times.length > 0, 'times on the page');
            for (const [dt, text] of times) {
                assert.match(dt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
                assert.ok(text.trim().length > 0, `a time is shown: ${dt}`);
            }

            page.assertClean();
        } finally {
            await page.context().close();
        }
    });
}

test('a group of components collapses and expands', async () => {
    const page = await newPage(browser);

    try {
        await page.goto(BASE + '/');
        const group = page.locator(`li.comp[data-component-id="${data.groups[0]}"]`);
        const member = page.locator(`li.comp[data-component-id="${data.components[1]}"]`);
        const summary = group.locator(':scope > details > summary');

        await visible(summary, 'the group heading');
        assert.ok(await member.isVisible(), 'members shown at first');

        await summary.click();
        await member.waitFor({ state: 'hidden', timeout: 2000 });
        // the group still tells its worst status when collapsed
        assert.ok(await summary.locator('.st').isVisible());

        await summary.click();
        await member.waitFor({ state: 'visible', timeout: 2000 });

        page.assertClean();
    } finally {
        await page.context().close();
    }
});

test('following the active incident link shows its whole timeline',
    async () => {
        const page = await newPage(browser);
        const inc = (await api('GET', `/api/v1/incidents/${data.active.id}`,
            undefined, 200)).json;

        try {
            await page.goto(BASE + '/');
            await page.locator(`#active-incidents article[data-incident-id="${inc.id}"]`)
                .getByRole('link', { name: inc.title, exact: true }).click();
            await page.waitForURL(`${BASE}/incidents/${inc.id}`);

            for (const width of [1280, 375]) {
                await page.setViewportSize({ width, height: 900 });
                for (const scheme of ['light', 'dark']) {
                    await page.emulateMedia({ colorScheme: scheme });
                    await page.screenshot({
                        path: shot(`incident-${width}-${scheme}`),
                        fullPage: true,
                    });
                }
            }
            await page.setViewportSize({ width: 1280, height: 900 });
            await page.emulateMedia({ colorScheme: 'light' });

            await visible(page.getByRole('heading', {
                level: 1, name: inc.title, exact: true,
            }), 'the incident page heading');
            assert.equal(await page.title(), `${inc.title} - Status`);

            const art = page.locator(`article[data-incident-id="${inc.id}"]`);
            assert.equal(await art.getAttribute('data-status'), inc.status);
            assert.equal(await art.getAttribute('data-impact'), inc.impact);
            const head = await art.locator('.meta').first().innerText();
            assert.ok(head.includes(`${IMPACT_LABELS[inc.impact]} impact`),
                head);
            assert.ok(head.includes('API') && head.includes('Database'),
                `affected components: ${head}`);

            // oldest first, each with its status label, time and message
            const items = art.locator('ol.timeline > li');
            assert.equal(await items.count(), inc.updates.length,
                'one timeline entry per update');
            const oldestFirst = [...inc.updates].reverse();
            for (let i = 0; i < oldestFirst.length; i++) {
                const li = items.nth(i);
                const u = oldestFirst[i];
                assert.ok(await li.isVisible());
                const text = await li.innerText();
                assert.ok(text.includes(STATUS_LABELS[u.status]), text);
                const first = u.message.replace(/\*\*/g, '').split('\n')[0];
                assert.ok(text.includes(first),
                    `update ${i}: "${first}" in ${text}`);
                assert.equal(await li.locator('time').getAttribute('datetime'),
                    u.createdAt);
            }
            // Markdown rendered, not shown raw
            assert.equal(await items.nth(0).locator('strong', {
                hasText: '5xx',
            }).count(), 1, 'the **5xx** of the first update is bold');
            assert.equal(await items.nth(1).locator('ul > li').count(), 2,
                'the list of the second update is a list');
            // ... that looks like one, not like more timeline entries
            const listStyle = await items.nth(1).locator('ul > li').first()
                .evaluate((li) => {
                    const cs = getComputedStyle(li);
                    return { border: cs.borderLeftStyle,
                        bullet: getComputedStyle(li.parentElement)
                            .listStyleType };
                });

            for (const width of [375, 320]) {
                await page.setViewportSize({ width, height: 900 });
                await noHorizontalOverflow(page, width);
            }
            await page.setViewportSize({ width: 1280, height: 900 });

            // and back
            await page.getByRole('link', { name: /Current status/ }).first()
                .click();
            await page.waitForURL(`${BASE}/`);
            await visible(page.locator('#overall-status'), 'the banner again');

            page.assertClean();
            // last, so the screenshots above are taken all the same
            assert.deepEqual(listStyle, { border: 'none', bullet: 'disc' },
                'a Markdown list in an update is styled as a plain list, '
                + 'not as timeline entries (.timeline li matches it)');
        } finally {
            await page.context().close();
        }
    });

test('a resolved incident, from the history, tells its duration',
    async () => {
        const page = await newPage(browser);
        const inc = data.resolved;

        try {
            await page.goto(BASE + '/');
            // not among the active ones
            assert.equal(await page.locator(`#active-incidents `
                + `article[data-incident-id="${inc.id}"]`).count(), 0);

            await page.locator('#incident-history').getByRole('link', {
                name: inc.title, exact: true,
            }).click();
            await page.waitForURL(`${BASE}/incidents/${inc.id}`);

            const art = page.locator(`article[data-incident-id="${inc.id}"]`);
            assert.equal(await art.getAttribute('data-status'), 'resolved');
            const text = await art.innerText();
            assert.match(text, /Duration: 50 minutes/, text);
            assert.match(text, /Resolved/, text);
            assert.equal(await art.locator('ol.timeline > li').count(), 3);

            // the history page lists it under its month
            await page.getByRole('link', { name: 'History', exact: true })
                .click();
            await page.waitForURL(`${BASE}/history`);
            for (const scheme of ['light', 'dark']) {
                await page.emulateMedia({ colorScheme: scheme });
                await page.screenshot({
                    path: shot(`history-1280-${scheme}`), fullPage: true,
                });
            }
            await page.emulateMedia({ colorScheme: 'light' });

            await visible(page.getByRole('heading', {
                level: 1, name: 'Incident history',
            }), 'the history heading');
            await visible(page.locator(`article[data-incident-id="${inc.id}"]`),
                'the resolved incident in /history');
            const month = new Date().toLocaleString('en-US', {
                month: 'long', year: 'numeric', timeZone: 'UTC',
            });
            await visible(page.getByRole('heading', {
                level: 2, name: month, exact: true,
            }), `the month heading ${month}`);

            page.assertClean();
        } finally {
            await page.context().close();
        }
    });

test('the page works with JavaScript disabled', async () => {
    const page = await newPage(browser, { javaScriptEnabled: false });

    try {
        const res = await page.goto(BASE + '/');
        assert.equal(res.status(), 200);

        // really off: the script would have reformatted this (with
        // JavaScript, Chromium's en-US format has "AM"/"PM" in it)
        const first = page.locator('#overall-status time').first();
        assert.match(await first.innerText(),
            /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC$/,
            'the server-rendered time is shown as is');

        await checkVisitorView(page, 'no JavaScript');

        // a link works without script too
        await page.locator(`#active-incidents article[data-incident-id="${data.active.id}"] h3 a`)
            .click();
        await page.waitForURL(`${BASE}/incidents/${data.active.id}`);
        assert.equal(await page.locator('ol.timeline > li').count(),
            data.active.updates.length);

        page.assertClean();
    } finally {
        await page.context().close();
    }
});

test('an unknown incident is a page that leads back', async () => {
    const page = await newPage(browser);

    try {
        const res = await page.goto(`${BASE}/incidents/999999`);
        assert.equal(res.status(), 404);
        await visible(page.getByRole('heading', { level: 1 }), 'a heading');
        await page.getByRole('link', { name: /Current status/ }).click();
        await page.waitForURL(`${BASE}/`);
        await visible(page.locator('#overall-status'), 'the banner');
    } finally {
        await page.context().close();
    }
});
