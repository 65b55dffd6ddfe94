'use strict';

// The admin UI as an on-call engineer uses it, by clicking and typing:
// the seed's path (Admin -> Incidents -> Create Incident -> title, status,
// impact, two components -> Create; an Identified update; the prepared
// resolution) at 1280 and 375 px, checked on the public page; components
// made on the Components page; a form that does not validate.  Every page
// on the way is checked with axe-core (no rule excluded), for overflow at
// 375 px, for console errors and Content-Security-Policy violations.
// admin-pages.test.js looks at every admin page in light and dark.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
    BASE, ADMIN, ADMIN_USER, COMPONENT_LABELS, api, launch, adminPage,
    visible, noHorizontalOverflow, screenshots, adminPath, adminNav, follow,
    submit, flash, inspect, assertNoFailures, componentRow, resolveAll,
} = require('./helpers');

// the seed (shared/seed/incident-management.txt): its API example's title
// and message, its "Good Update Example"
const TITLE = 'Database connectivity issues';
const FIRST_MESSAGE = 'We are investigating reports of database issues.';
const GOOD_UPDATE = "We've identified the root cause as a database "
    + 'connection pool exhaustion issue. Our team is working on '
    + 'implementing a fix. We expect to deploy the fix within the next 30 '
    + 'minutes.\n\nAffected services: API, Dashboard';
// what the operator writes over the "..." of the prepared resolution
const CAUSE = 'a database connection pool exhaustion during a traffic '
    + "spike. We've increased the pool size and added better connection "
    + 'handling to prevent this in the future.';

// made on the Components page by the first test, used by the others
const GROUP = 'Billing';
const MEMBERS = ['Billing API', 'Billing Dashboard'];
const DESCRIPTIONS = {
    [GROUP]: 'Invoices and payments',
    [MEMBERS[0]]: 'The billing REST API and its webhooks',
    [MEMBERS[1]]: 'Invoices and receipts in the customer dashboard',
};
const ids = {};

let browser;
// incidents this file made, resolved or deleted at the end whatever happens
const made = new Set();

before(async () => {
    browser = await launch();
});

after(async () => {
    await resolveAll(made);
    if (browser) {
        await browser.close();
    }
});

test('the admin asks for a password and knows who signed in', async () => {
    // (Chromium without credentials gives up on the challenge: asked
    // without a browser)
    const res = await fetch(ADMIN, { signal: AbortSignal.timeout(10000) });
    assert.equal(res.status, 401, 'no credentials: 401');
    assert.match(res.headers.get('www-authenticate') || '',
        /^Basic realm="Status admin"/);
    await res.arrayBuffer();

    const page = await adminPage(browser);

    try {
        const res = await page.goto(ADMIN);
        assert.equal(res.status(), 200);
        const h = res.headers();
        assert.match(h['content-security-policy'], /script-src 'self'/);
        assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
        assert.equal(h['x-frame-options'], 'DENY');
        assert.equal(h['cache-control'], 'no-store');
        assert.equal(await page.title(), 'Dashboard - Admin');
        await visible(page.getByText(`Signed in as ${ADMIN_USER}`),
            'who is signed in');
        page.assertClean();
    } finally {
        await page.context().close();
    }
});

test('components are added and grouped on the Components page', async () => {
    const page = await adminPage(browser);
    const failures = [];

    try {
        await page.goto(ADMIN);
        await follow(page, adminNav(page, 'Components'),
            adminPath('components'));
        await inspect(page, 'the components list', failures);

        for (const name of [GROUP, ...MEMBERS]) {
            await follow(page, page.getByRole('link', {
                name: 'Add component', exact: true,
            }), adminPath('components/new'));
            if (name === GROUP) {
                await inspect(page, 'the new component form', failures);
            }

            await page.getByLabel('Name', { exact: true }).fill(name);
            await page.getByLabel('Description', { exact: true })
                .fill(DESCRIPTIONS[name]);
            assert.ok(await page.getByRole('radio', {
                name: /^Operational\b/,
            }).isChecked(), 'a new component is Operational by default');
            if (name !== GROUP) {
                await page.getByLabel('Group', { exact: true })
                    .selectOption({ label: GROUP });
            }
            await submit(page, page.getByRole('button', {
                name: 'Add component', exact: true,
            }));

            assert.equal(new URL(page.url()).pathname,
                adminPath('components'));
            await flash(page, 'Component added.');
            const row = await componentRow(page, name);
            ids[name] = Number(await row.getAttribute('data-component-id'));
        }

        // members under their group, the group marked as one
        const order = await page.locator('tr[data-component-id]')
            .evaluateAll((rows) => rows.map((r) => Number(
                r.dataset.componentId)));
        const g = order.indexOf(ids[GROUP]);
        assert.deepEqual(order.slice(g, g + 3),
            [ids[GROUP], ...MEMBERS.map((m) => ids[m])],
            'the members are listed under their group');
        assert.match(await (await componentRow(page, GROUP)).innerText(),
            /\(group\)/);

        // the API agrees: one code path
        for (const m of MEMBERS) {
            const c = (await api('GET', `/api/v1/components/${ids[m]}`,
                undefined, 200)).json;
            assert.equal(c.name, m);
            assert.equal(c.groupId, ids[GROUP]);
            assert.equal(c.status, 'operational');
        }

        // an edit: the name's link leads to the form
        await follow(page, page.getByRole('link', {
            name: MEMBERS[1], exact: true,
        }), adminPath(`components/${ids[MEMBERS[1]]}`));
        await inspect(page, 'the edit component form', failures);
        const desc = page.getByLabel('Description', { exact: true });
        assert.equal(await desc.inputValue(), DESCRIPTIONS[MEMBERS[1]]);
        await desc.fill('Invoices, receipts and payment methods');
        await submit(page, page.getByRole('button', {
            name: 'Save', exact: true,
        }));
        await flash(page, 'Changes saved.');
        assert.equal((await api('GET',
            `/api/v1/components/${ids[MEMBERS[1]]}`, undefined, 200))
            .json.description, 'Invoices, receipts and payment methods');

        page.assertClean();
        assertNoFailures(failures);
    } finally {
        await page.context().close();
    }
});

// the public status page shows these components (and their group) so
async function publicComponents(page, status, label) {
    for (const name of [GROUP, ...MEMBERS]) {
        const li = page.locator(`#components li.comp[data-component-id=`
            + `"${ids[name]}"]`);
        await visible(li, `${label}: ${name} on the status page`);
        assert.equal(await li.getAttribute('data-status'), status,
            `${label}: ${name} is ${status}`);
        const st = li.locator(':scope > .row .st, '
            + ':scope > details > summary .st');
        assert.equal((await st.innerText()).trim(), COMPONENT_LABELS[status],
            `${label}: ${name} reads "${COMPONENT_LABELS[status]}"`);
    }
}

for (const width of [1280, 375]) {
    test(`the seed's path at ${width} px: create an incident, post an `
        + 'update, resolve it', async () => {
        assert.ok(ids[MEMBERS[0]] && ids[MEMBERS[1]],
            'the components of the test before');

        const page = await adminPage(browser, {
            viewport: { width, height: 800 },
        });
        const failures = [];
        // every page of the path: axe and, at 375 px, overflow
        const look = (what) => inspect(page, what, failures);
        let id;

        try {
            // Admin -> Incidents -> Create Incident
            await page.goto(ADMIN);
            await look('the dashboard');
            await follow(page, adminNav(page, 'Incidents'),
                adminPath('incidents'));
            await look('the incidents list');
            await follow(page, page.getByRole('link', {
                name: 'Create Incident', exact: true,
            }), adminPath('incidents/new'));
            await look('the create form');
            await visible(page.getByRole('heading', {
                level: 1, name: 'Create Incident',
            }), 'the form heading');

            // fill in title, status, impact; select affected components
            await page.getByLabel('Title', { exact: true }).fill(TITLE);
            const status = page.getByRole('group', { name: 'Status' });
            const impact = page.getByRole('group', { name: 'Impact' });
            await status.getByRole('radio', { name: /^Investigating\b/ })
                .check();
            await impact.getByRole('radio', { name: /^Major\b/ }).check();
            const affected = page.getByRole('group', {
                name: 'Affected components',
            });
            for (const m of MEMBERS) {
                await affected.getByRole('checkbox', { name: m, exact: true })
                    .check();
            }
            await page.getByLabel('First message', { exact: true })
                .fill(FIRST_MESSAGE);
            assert.ok(await page.getByRole('checkbox', {
                name: 'Notify subscribers',
            }).isChecked(), '"Notify subscribers" is ticked by default');

            // Create
            await submit(page, page.getByRole('button', {
                name: 'Create', exact: true,
            }));
            const url = new URL(page.url());
            const m = /\/incidents\/(\d+)$/.exec(url.pathname);
            assert.ok(m, `Create leads to the incident's page: ${url}`);
            id = Number(m[1]);
            made.add(id);
            await flash(page, 'Incident created.');
            await visible(page.getByRole('heading', {
                level: 1, name: TITLE, exact: true,
            }), 'the incident heading');
            const head = await page.locator('article p').first().innerText();
            assert.match(head, /Investigating/, head);
            assert.match(head, /Major impact/, head);
            assert.match(head, new RegExp(`Affects ${MEMBERS.join(' and ')}`),
                head);
            await look('the new incident');

            const inc = (await api('GET', `/api/v1/incidents/${id}`,
                undefined, 200)).json;
            assert.equal(inc.title, TITLE);
            assert.equal(inc.status, 'investigating');
            assert.equal(inc.impact, 'major');
            assert.deepEqual([...inc.componentIds].sort((a, b) => a - b),
                MEMBERS.map((x) => ids[x]).sort((a, b) => a - b));
            assert.equal(inc.updates.length, 1);
            assert.equal(inc.updates[0].message, FIRST_MESSAGE);

            // the public page: the incident, its components (and their
            // group) in Partial Outage
            await follow(page, adminNav(page, 'View status page'), '/');
            await noHorizontalOverflow(page, width, 'the status page');
            const art = page.locator(`#active-incidents `
                + `article[data-incident-id="${id}"]`);
            await visible(art, 'the new incident on the status page');
            const text = await art.innerText();
            assert.ok(text.includes(TITLE), text);
            assert.ok(text.includes(FIRST_MESSAGE), text);
            for (const x of MEMBERS) {
                assert.ok(text.includes(x), `${x} in: ${text}`);
            }
            await publicComponents(page, 'partial_outage', 'after Create');

            // back in the admin: the incident from the dashboard
            await page.goto(ADMIN);
            await follow(page, page.getByRole('region', {
                name: 'Active incidents',
            }).getByRole('link', { name: TITLE, exact: true }),
            adminPath(`incidents/${id}`));

            // an Identified update, the seed's good example
            const post = page.getByRole('region', { name: 'Post an update' });
            await post.getByRole('radio', { name: /^Identified\b/ }).check();
            const message = post.getByLabel('Message', { exact: true });
            assert.equal(await message.inputValue(), '',
                'the message starts empty');
            await message.fill(GOOD_UPDATE);
            for (const x of MEMBERS) {
                assert.ok(await post.getByRole('checkbox', {
                    name: x, exact: true,
                }).isChecked(), `${x} is pre-filled as affected`);
            }
            await submit(page, post.getByRole('button', {
                name: 'Post update', exact: true,
            }));
            assert.equal(new URL(page.url()).pathname,
                adminPath(`incidents/${id}`));
            await flash(page, 'Update posted.');
            const timeline = page.getByRole('region', { name: 'Timeline' })
                .locator('ol.tl > li');
            assert.equal(await timeline.count(), 2, 'two updates');
            const latest = await timeline.nth(1).innerText();
            assert.match(latest, /^Identified/, latest);
            assert.ok(latest.includes('identified the root cause as a '
                + 'database connection pool exhaustion issue'), latest);
            await look('the incident after an update');

            // Resolved: the message is prepared, to be edited
            assert.equal(await message.inputValue(), '',
                'the form is empty again after posting');
            await post.getByRole('radio', { name: /^Resolved\b/ }).check();
            await page.waitForFunction(() => document.getElementById(
                'f-message').value !== '', null, { timeout: 2000 });
            const prepared = await message.inputValue();
            assert.match(prepared, new RegExp('^This incident has been '
                + 'resolved\\. The issue was caused by \\.\\.\\.$', 'm'),
            prepared);
            assert.match(prepared, /^Duration: (\d+ minutes?|less than a minute)$/m, prepared);
            assert.match(prepared, new RegExp(`^Impact: ${MEMBERS.join(
                ' and ')} were unavailable$`, 'm'), prepared);
            assert.match(prepared, /We apologize for any inconvenience/,
                prepared);
            assert.ok(await message.evaluate((e) => e === document
                .activeElement), 'the prepared message has the focus');

            // the operator writes the cause over the "..."
            const resolution = prepared.replace('...', CAUSE);
            await message.fill(resolution);
            await submit(page, post.getByRole('button', {
                name: 'Post update', exact: true,
            }));
            await flash(page, 'Update posted.');
            assert.equal(await page.locator('article')
                .getAttribute('data-status'), 'resolved');
            assert.equal(await timeline.count(), 3, 'three updates');
            assert.match(await timeline.nth(2).innerText(), /^Resolved/);
            assert.ok((await timeline.nth(2).innerText()).includes(
                'connection pool exhaustion during a traffic spike'));

            // the duration on the admin's page ...
            const meta = await page.locator('article p.mu').first()
                .innerText();
            const d = /Duration: (\d+ minutes?|less than a minute)/.exec(meta);
            assert.ok(d, `the admin page shows the duration: ${meta}`);
            if (width === 1280) {
                await screenshots(page, 'admin-incident-resolved');
            }
            await look('the resolved incident');

            const done = (await api('GET', `/api/v1/incidents/${id}`,
                undefined, 200)).json;
            assert.equal(done.status, 'resolved');
            assert.equal(typeof done.durationSeconds, 'number');
            // (a form sends a textarea's line breaks as CRLF, and the
            // admin keeps them so)
            assert.equal(done.updates[0].message.replace(/\r\n/g, '\n'),
                resolution);

            // ... and on the public one
            await follow(page, page.getByRole('link', {
                name: 'Public page', exact: true,
            }), `/incidents/${id}`);
            await noHorizontalOverflow(page, width, 'the public incident');
            const pub = page.locator(
                `main > article[data-incident-id="${id}"]`);
            assert.equal(await pub.getAttribute('data-status'), 'resolved');
            const pubText = await pub.innerText();
            assert.ok(pubText.includes(`Duration: ${d[1]}`),
                `the public page shows "Duration: ${d[1]}": ${pubText}`);
            assert.ok(pubText.includes('identified the root cause'),
                pubText);
            if (width === 1280) {
                await screenshots(page, 'public-incident-resolved');
            }

            // the prepared lines stay lines where visitors read them, as
            // in the seed's "Good Resolution Message"
            const last = await pub.locator('ol.timeline > li').last()
                .innerText();
            if (!/^Duration: .*\n+Impact: /m.test(last)) {
                failures.push('the resolution\'s "Duration:" and "Impact:" '
                    + 'lines run together on the public incident page: '
                    + JSON.stringify(last));
            }

            // the components are back to Operational
            await follow(page, page.getByRole('link', {
                name: /Current status/,
            }).first(), '/');
            await publicComponents(page, 'operational', 'after Resolved');
            assert.equal(await page.locator(`#active-incidents `
                + `article[data-incident-id="${id}"]`).count(), 0,
            'no longer among the active incidents');

            page.assertClean();
            assertNoFailures(failures);
        } finally {
            await page.context().close();
            await resolveAll(made);
        }
    });
}

test('a form that does not validate comes back with the error announced',
    async () => {
        const page = await adminPage(browser);
        const failures = [];

        try {
            await page.goto(ADMIN);
            await follow(page, page.getByRole('link', {
                name: 'Create Incident', exact: true,
            }), adminPath('incidents/new'));

            // what the operator typed, all but the title
            await page.getByRole('radio', { name: /^Identified\b/ }).check();
            await page.getByRole('radio', { name: /^Critical\b/ }).check();
            await page.getByRole('checkbox', { name: MEMBERS[0], exact: true })
                .check();
            await page.getByRole('checkbox', { name: 'Notify subscribers' })
                .uncheck();
            await page.getByLabel('First message', { exact: true })
                .fill('Checkout fails for some cards.');

            // the browser itself would stop an empty title: let it through
            const title = page.getByLabel('Title', { exact: true });
            assert.equal(await title.getAttribute('required'), '',
                'the title is required in the browser too');
            await title.evaluate((e) => e.removeAttribute('required'));

            page.expectStatus(422, adminPath('incidents'));
            const [res] = await Promise.all([
                page.waitForResponse((r) => r.request().method() === 'POST'),
                page.getByRole('button', { name: 'Create', exact: true })
                    .click(),
            ]);
            await page.waitForLoadState('load');
            assert.equal(res.status(), 422);

            // announced: an alert at the top of the form ...
            const alert = page.getByRole('alert');
            await visible(alert, 'the problem summary');
            assert.match(await alert.innerText(),
                /Nothing was changed: 1 field needs attention/);

            // ... and the field marked, its error tied to it
            assert.equal(await title.getAttribute('aria-invalid'), 'true');
            const described = await title.evaluate((e) => (e.getAttribute(
                'aria-describedby') || '').split(/\s+/).filter(Boolean)
                .map((i) => document.getElementById(i))
                .filter(Boolean).map((x) => x.textContent.trim()));
            assert.ok(described.length >= 1 && described[0].length > 0,
                `the title's error is its description: `
                + JSON.stringify(described));
            const err = page.locator('#f-title-err');
            await visible(err, 'the error under the title');
            assert.equal((await err.innerText()).trim(), described[0],
                'the error shown is the one the field is described by');

            // the rest kept as typed
            assert.ok(await page.getByRole('radio', {
                name: /^Identified\b/ }).isChecked(), 'status kept');
            assert.ok(await page.getByRole('radio', {
                name: /^Critical\b/ }).isChecked(), 'impact kept');
            assert.ok(await page.getByRole('checkbox', {
                name: MEMBERS[0], exact: true }).isChecked(),
            'component kept');
            assert.ok(!await page.getByRole('checkbox', {
                name: 'Notify subscribers' }).isChecked(), 'notify kept');
            assert.equal(await page.getByLabel('First message', {
                exact: true }).inputValue(), 'Checkout fails for some cards.');

            await inspect(page, 'the create form with an error', failures, {
                widths: [1280, 375], schemes: ['light', 'dark'],
                shots: 'admin-incident-new-error',
            });

            // nothing was made
            const active = (await api('GET', '/api/v1/incidents?state=active',
                undefined, 200)).json.data;
            assert.ok(!active.some((i) => i.title === ''
                || i.updates?.[0]?.message === 'Checkout fails for some '
                   + 'cards.'), 'no incident was created');

            page.assertClean();
            assertNoFailures(failures);
        } finally {
            await page.context().close();
        }
    });

test('the admin pages load no script or style of another origin and '
    + 'nothing inline', async () => {
    // what the CSP allows is all they need: the page's own files
    const page = await adminPage(browser);

    try {
        await page.goto(ADMIN + 'incidents/new');
        const inline = await page.evaluate(() => ({
            scripts: [...document.scripts].filter((s) => !s.src).length,
            styles: document.querySelectorAll('style, [style]').length,
            handlers: [...document.querySelectorAll('*')].filter((e) =>
                [...e.attributes].some((a) => /^on/i.test(a.name))).length,
        }));
        assert.deepEqual(inline, { scripts: 0, styles: 0, handlers: 0 });
        assert.equal(BASE, new URL(ADMIN).origin);
        page.assertClean();
    } finally {
        await page.context().close();
    }
});
