'use strict';

// The admin's Maintenance pages as an operator uses them, by clicking and
// typing, at 1280 and 375 px: Admin -> Maintenance -> Schedule
// maintenance; a window that ends before it starts (the error announced
// and tied to its field, nothing changed), then a good one, seen on the
// maintenance's page, in the list and on the public status page (in the
// section with id scheduled-maintenance); its Edit form; Start now,
// Complete now; Cancel maintenance with its confirmation.  At 1280 px the
// window is typed in UTC (the status page has no time zone); at 375 px the
// status page's time zone is Europe/Paris, and the window is typed in
// Paris time.  Every page is checked with axe-core (every rule it runs by
// default) in light and dark, for overflow at 375 px, for console errors
// and Content-Security-Policy violations.  Screenshots:
// build/screenshots/admin-maintenance*-*.png.
//
// The maintenance names a component of this file's own; it is cancelled
// at the end, the component removed and the time zone put back.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
    BASE, ADMIN, api, launch, newPage, adminPage, visible, adminPath,
    adminNav, follow, submit, flash, inspect, assertNoFailures,
} = require('./helpers');

const COMPONENT = 'Backup storage';
let component;
let browser;
let zone;
const made = new Set();

before(async () => {
    browser = await launch();
    component = (await api('POST', '/api/v1/components', {
        name: COMPONENT, description: 'For the maintenance tests',
    }, 201)).json;
    zone = (await api('GET', '/api/v1/settings', undefined, 200)).json
        .timezone || '';
});

after(async () => {
    for (const id of made) {
        await api('DELETE', `/api/v1/maintenances/${id}`);
    }
    await api('PATCH', '/api/v1/settings', { timezone: zone });
    if (component) {
        await api('DELETE', `/api/v1/components/${component.id}`);
    }
    if (browser) {
        await browser.close();
    }
});

// the maintenance ids a section of the list shows
async function listed(page, heading) {
    return page.locator(`section[aria-labelledby="${heading}"] `
        + 'tr[data-maintenance-id]').evaluateAll((rows) =>
        rows.map((r) => Number(r.dataset.maintenanceId)));
}

// the texts of the elements an element's aria-describedby names
async function descriptions(locator) {
    return locator.evaluate((e) => (e.getAttribute('aria-describedby') || '')
        .split(/\s+/).map((i) => document.getElementById(i))
        .filter(Boolean).map((x) => x.textContent.trim()));
}

const CASES = [
    // the status page without a time zone: the window is typed in UTC
    {
        width: 1280, zone: '', label: 'UTC',
        start: '2030-01-15T22:00', end: '2030-01-15T23:30',
        utcStart: '2030-01-15T22:00:00Z', utcEnd: '2030-01-15T23:30:00Z',
    },
    // in Paris, in January: UTC+1
    {
        width: 375, zone: 'Europe/Paris', label: 'Europe/Paris',
        start: '2030-01-16T23:00', end: '2030-01-17T01:00',
        utcStart: '2030-01-16T22:00:00Z', utcEnd: '2030-01-17T00:00:00Z',
    },
];

for (const c of CASES) {
    test(`Admin -> Maintenance -> Schedule maintenance at ${c.width} px `
        + `(times in ${c.label})`, async () => {
        await api('PATCH', '/api/v1/settings', { timezone: c.zone }, 200);

        const page = await adminPage(browser, {
            viewport: { width: c.width, height: 800 },
        });
        const failures = [];
        const look = (what, shots) => inspect(page, what, failures, {
            schemes: ['light', 'dark'],
            shots: c.width === 1280 && shots ? `admin-${shots}` : null,
        });
        const title = `Storage firmware upgrade (${c.width} px)`;

        try {
            await page.goto(ADMIN);
            await follow(page, adminNav(page, 'Maintenance'),
                adminPath('maintenance'));
            assert.equal(await page.title(), 'Maintenance - Admin');
            for (const name of ['In progress', 'Upcoming', 'Past']) {
                await visible(page.getByRole('heading', {
                    level: 2, name, exact: true,
                }), `the "${name}" section`);
            }
            await look('the maintenance list', 'maintenance');

            // Schedule maintenance
            await follow(page, page.getByRole('link', {
                name: 'Schedule maintenance', exact: true,
            }), adminPath('maintenance/new'));
            await visible(page.getByRole('heading', {
                level: 1, name: 'Schedule maintenance',
            }), 'the form');
            await look('the schedule form', 'maintenance-new');

            const start = page.getByLabel(`Starts (${c.label})`,
                { exact: true });
            const end = page.getByLabel(`Ends (${c.label})`, { exact: true });
            assert.equal(await start.getAttribute('type'), 'datetime-local');
            assert.equal(await end.getAttribute('type'), 'datetime-local');
            const note = await descriptions(start);
            assert.ok(note.some((d) => d.startsWith(`Times are in ${c.label}`)),
                `the start is described by the note on the time zone: ${note}`);
            const autoStart = page.getByRole('checkbox', {
                name: /^Start automatically/ });
            const autoComplete = page.getByRole('checkbox', {
                name: /^Complete automatically/ });
            const notify = page.getByRole('checkbox', {
                name: 'Notify subscribers now', exact: true });
            const remind = page.getByLabel(
                'Reminder, in minutes before the start', { exact: true });
            assert.ok(await autoStart.isChecked(), 'autoStart checked');
            assert.ok(await autoComplete.isChecked(), 'autoComplete checked');
            assert.ok(await notify.isChecked(), 'notify checked');
            assert.equal(await remind.inputValue(), '60');

            // a window that ends before it starts
            await page.getByLabel('Title', { exact: true }).fill(title);
            await start.fill(c.start);
            await end.fill(c.start.replace(/T\d\d/, 'T00'));
            await page.getByLabel('Message', { exact: true }).fill(
                'The storage controllers get new firmware. Backups pause.');
            await page.getByRole('checkbox', {
                name: COMPONENT, exact: true,
            }).check();
            await remind.fill('30');
            await notify.uncheck();

            const before = (await api('GET',
                '/api/v1/maintenances?state=all&limit=100')).text;
            page.expectStatus(422, adminPath('maintenance'));
            const [res] = await Promise.all([
                page.waitForResponse((r) => r.request().method() === 'POST'),
                page.getByRole('button', {
                    name: 'Schedule maintenance', exact: true,
                }).click(),
            ]);
            await page.waitForLoadState('load');
            assert.equal(res.status(), 422);

            const alert = page.getByRole('alert');
            await visible(alert, 'the problem summary');
            assert.match(await alert.innerText(),
                /Nothing was changed: 1 field needs attention/);
            assert.equal(await end.getAttribute('aria-invalid'), 'true');
            assert.equal((await descriptions(end))[0],
                'must be after the start', 'the end is described by its error');
            await visible(page.locator('#f-scheduledUntil-err'),
                'the error under the end');
            assert.equal(await start.inputValue(), c.start, 'the start kept');
            assert.equal(await page.getByLabel('Title', { exact: true })
                .inputValue(), title, 'the title kept');
            assert.ok(await page.getByRole('checkbox', {
                name: COMPONENT, exact: true }).isChecked(),
            'the component kept');
            assert.equal(await remind.inputValue(), '30', 'the reminder kept');
            assert.ok(!(await notify.isChecked()), 'notify stays unticked');
            assert.equal((await api('GET',
                '/api/v1/maintenances?state=all&limit=100')).text, before,
            'nothing changed');
            await look('the schedule form with an error',
                'maintenance-new-error');

            // the good window
            await end.fill(c.end);
            await submit(page, page.getByRole('button', {
                name: 'Schedule maintenance', exact: true,
            }));
            await flash(page, 'Maintenance scheduled.');
            const id = Number(new URL(page.url()).pathname.split('/').pop());
            assert.ok(id > 0, `the maintenance's page: ${page.url()}`);
            made.add(id);
            await visible(page.getByRole('heading', { level: 1, name: title }),
                'its heading');
            const facts = await page.locator('dl.facts').innerText();
            assert.match(facts, new RegExp(`Components\\s+${COMPONENT}`));
            assert.match(facts, /Reminder\s+30 minutes before the start/);
            assert.equal(await page.locator('dl.facts time').first()
                .getAttribute('datetime'), c.utcStart);
            await look('a scheduled maintenance', 'maintenance-page');

            const m = (await api('GET', `/api/v1/maintenances/${id}`,
                undefined, 200)).json;
            assert.equal(m.title, title);
            assert.equal(m.status, 'scheduled');
            assert.equal(m.scheduledFor, c.utcStart,
                `${c.start} in ${c.label} is ${c.utcStart}`);
            assert.equal(m.scheduledUntil, c.utcEnd);
            assert.deepEqual(m.componentIds, [component.id]);
            assert.equal(m.remindBeforeMinutes, 30);
            assert.equal(m.autoStart, true);
            assert.equal(m.updates.length, 1);
            assert.equal(m.updates[0].notify, false);

            // in the list, under Upcoming
            await follow(page, adminNav(page, 'Maintenance'),
                adminPath('maintenance'));
            assert.ok((await listed(page, 'h-m-upcoming')).includes(id),
                'the list has it under Upcoming');
            const row = page.locator(`tr[data-maintenance-id="${id}"]`);
            assert.match(await row.innerText(), /Scheduled/);
            await look('the list with it');

            // on the public page
            const pub = await newPage(browser, {
                viewport: { width: c.width, height: 800 },
            });
            try {
                await pub.goto(BASE + '/');
                const section = pub.locator('#scheduled-maintenance');
                await visible(section, 'the scheduled maintenance section');
                const card = section.locator(
                    `[data-maintenance-id="${id}"]`);
                await visible(card, 'the maintenance on the public page');
                assert.match(await card.innerText(), new RegExp(
                    title.replace(/[()]/g, '\\$&')));
                const times = await card.locator('time').evaluateAll((ts) =>
                    ts.map((t) => t.getAttribute('datetime')));
                assert.ok(times.includes(c.utcStart)
                    && times.includes(c.utcEnd),
                `the public page has the window ${c.utcStart} - ${c.utcEnd}`
                    + `: ${times}`);
                await inspect(pub, 'the public page with it', failures, {
                    schemes: ['light', 'dark'],
                });
                pub.assertClean();
            } finally {
                await pub.context().close();
            }

            // Edit: the window shown as it was typed
            await follow(page, page.getByRole('link', {
                name: title, exact: true,
            }), adminPath(`maintenance/${id}`));
            await follow(page, page.getByRole('link', {
                name: 'Edit', exact: true,
            }), adminPath(`maintenance/${id}/edit`));
            assert.equal(await page.getByLabel(`Starts (${c.label})`,
                { exact: true }).inputValue(), c.start);
            assert.equal(await page.getByLabel(`Ends (${c.label})`,
                { exact: true }).inputValue(), c.end);
            await look('the edit form', 'maintenance-edit');
            await submit(page, page.getByRole('button', {
                name: 'Save', exact: true,
            }));
            await flash(page, 'Changes saved.');

            // Start now, Complete now
            await submit(page, page.getByRole('button', {
                name: 'Start now', exact: true,
            }));
            await flash(page, 'Maintenance started.');
            assert.equal(await page.locator('article').getAttribute(
                'data-status'), 'in_progress');
            await look('a maintenance in progress', 'maintenance-started');
            await submit(page, page.getByRole('button', {
                name: 'Complete now', exact: true,
            }));
            await flash(page, 'Maintenance completed.');
            assert.equal(await page.locator('article').getAttribute(
                'data-status'), 'completed');
            assert.equal(await page.locator('ol.tl > li').count(), 3,
                'the timeline: scheduled, started, completed');

            // Cancel maintenance, after a confirmation naming it
            await follow(page, page.getByRole('link', {
                name: 'Cancel maintenance', exact: true,
            }), adminPath(`maintenance/${id}/delete`));
            const named = (await page.locator('blockquote').innerText())
                .trim();
            assert.ok(named.startsWith(`${title}, `), named);
            assert.ok(named.endsWith(`(${COMPONENT})`), named);
            await look('the cancel confirmation', 'maintenance-delete');
            await submit(page, page.getByRole('button', {
                name: 'Cancel maintenance', exact: true,
            }));
            assert.equal(new URL(page.url()).pathname,
                adminPath('maintenance'));
            await flash(page, 'Maintenance cancelled.');
            assert.ok(!(await listed(page, 'h-m-past')).includes(id),
                'gone from the list');
            made.delete(id);

            page.assertClean();
            assertNoFailures(failures);
        } finally {
            await page.context().close();
            await api('PATCH', '/api/v1/settings', { timezone: zone });
        }
    });
}
