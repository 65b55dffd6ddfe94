'use strict';

// Every page of the admin UI, reached by clicking: dashboard, incidents
// (all, active, resolved), the create form, an incident's page, the
// prepared resolution, edit incident, edit update, the delete
// confirmations (and the deletes), components list / new / edit, settings
// and the not-found page.  On each: axe-core with every rule it runs by
// default (none excluded) in light and dark at 1280 and 375 px, no
// horizontal overflow at 375 px, no console error or Content-Security-
// Policy violation; screenshots at 1280 and 375 px, light and dark, go to
// build/screenshots/admin-*.png.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
    ADMIN, api, launch, adminPage, visible, adminPath, adminNav, follow,
    submit, flash, inspect, assertNoFailures, componentRow, resolveAll,
} = require('./helpers');

// a component of its own, for an incident of its own to edit and delete
const MAILER = 'Invoice mailer';
let mailer;

let browser;
const made = new Set();

before(async () => {
    browser = await launch();
    mailer = (await api('POST', '/api/v1/components', {
        name: MAILER, description: 'Sends invoices and receipts',
    }, 201)).json;
});

after(async () => {
    await resolveAll(made);
    if (browser) {
        await browser.close();
    }
});

test('every admin page passes axe in light and dark, at 1280 and 375 px',
    async () => {
        // an incident to edit and delete, with an update to fix
        const scratch = (await api('POST', '/api/v1/incidents', {
            title: 'Invoice emails delayed',
            status: 'investigating',
            impact: 'minor',
            componentIds: [mailer.id],
            message: 'Invoice emails are sent late.',
        }, 201)).json;
        made.add(scratch.id);
        const typo = (await api('POST',
            `/api/v1/incidents/${scratch.id}/updates`, {
                status: 'identified',
                message: 'A backed-up mail qeue.',
            }, 201)).json;

        const page = await adminPage(browser);
        const failures = [];
        const all = (what, name) => inspect(page, what, failures, {
            widths: [1280, 375], schemes: ['light', 'dark'],
            shots: `admin-${name}`,
        });

        try {
            await page.goto(ADMIN);
            await all('the dashboard', 'dashboard');

            await follow(page, adminNav(page, 'Incidents'),
                adminPath('incidents'));
            await all('the incidents list', 'incidents');
            for (const filter of ['Active', 'Resolved']) {
                await page.getByRole('navigation', { name: 'Filter' })
                    .getByRole('link', { name: filter, exact: true }).click();
                await page.waitForURL((u) => u.searchParams.get('state')
                    === filter.toLowerCase());
                assert.equal(await page.getByRole('link', {
                    name: filter, exact: true,
                }).getAttribute('aria-current'), 'page');
                await inspect(page, `the ${filter.toLowerCase()} incidents`,
                    failures);
            }

            await follow(page, page.getByRole('link', {
                name: 'Create Incident', exact: true,
            }), adminPath('incidents/new'));
            await all('the create form', 'incident-new');

            // the incident's page, from the dashboard
            await follow(page, adminNav(page, 'Dashboard'), adminPath());
            await follow(page, page.getByRole('region', {
                name: 'Active incidents',
            }).getByRole('link', { name: scratch.title, exact: true }),
            adminPath(`incidents/${scratch.id}`));
            await all('the incident page', 'incident');

            // without script, the link prepares the resolution
            await page.getByRole('link', {
                name: 'Prepare the resolution', exact: true,
            }).click();
            await page.waitForURL((u) => u.searchParams.get('status')
                === 'resolved');
            assert.ok(await page.getByRole('radio', {
                name: /^Resolved\b/ }).isChecked(), 'Resolved is chosen');
            assert.match(await page.getByLabel('Message', { exact: true })
                .inputValue(), new RegExp('^Duration: (\\d+ minutes?|less '
                + `than a minute)\\n\\nImpact: ${MAILER} was unavailable$`,
                'm'));
            await inspect(page, 'the prepared resolution', failures, {
                widths: [1280, 375],
            });

            // edit title, impact, components
            await follow(page, page.getByRole('link', {
                name: 'Edit title, impact, components',
            }), adminPath(`incidents/${scratch.id}/edit`));
            await all('the edit incident form', 'incident-edit');
            await page.getByLabel('Title', { exact: true })
                .fill('Invoice emails delayed by hours');
            await submit(page, page.getByRole('button', {
                name: 'Save', exact: true,
            }));
            await flash(page, 'Changes saved.');
            await visible(page.getByRole('heading', {
                level: 1, name: 'Invoice emails delayed by hours',
            }), 'the new title');

            // fix the typo of an update
            const item = page.locator(`li#update-${typo.id}`);
            await follow(page, item.getByRole('link', {
                name: 'Edit', exact: true,
            }), adminPath(`incidents/${scratch.id}/updates/${typo.id}/edit`));
            await all('the edit update form', 'update-edit');
            const msg = page.getByLabel('Message', { exact: true });
            assert.equal(await msg.inputValue(), 'A backed-up mail qeue.');
            await msg.fill('A backed-up mail queue.');
            await submit(page, page.getByRole('button', {
                name: 'Save', exact: true,
            }));
            await flash(page, 'Changes saved.');
            assert.match(await item.innerText(), /A backed-up mail queue\./);

            // delete that update, then the incident
            await follow(page, item.getByRole('link', {
                name: 'Delete', exact: true,
            }), adminPath(
                `incidents/${scratch.id}/updates/${typo.id}/delete`));
            await all('the delete update confirmation', 'update-delete');
            await submit(page, page.getByRole('button', {
                name: 'Delete update', exact: true,
            }));
            await flash(page, 'Update deleted.');
            assert.equal(await page.locator(`li#update-${typo.id}`).count(),
                0);

            await follow(page, page.getByRole('link', {
                name: 'Delete incident', exact: true,
            }), adminPath(`incidents/${scratch.id}/delete`));
            await all('the delete incident confirmation',
                'incident-delete');
            await submit(page, page.getByRole('button', {
                name: 'Delete incident', exact: true,
            }));
            assert.equal(new URL(page.url()).pathname, adminPath('incidents'));
            await flash(page, 'Incident deleted.');
            assert.equal(await page.locator(`tr[data-incident-id=`
                + `"${scratch.id}"]`).count(), 0);
            assert.equal((await api('GET', `/api/v1/incidents/${scratch.id}`))
                .status, 404);
            made.delete(scratch.id);
            assert.equal((await api('GET',
                `/api/v1/components/${mailer.id}`, undefined, 200))
                .json.status, 'operational',
            'its component is operational again');

            // components: list, new, edit, delete
            await follow(page, adminNav(page, 'Components'),
                adminPath('components'));
            await all('the components list', 'components');
            await follow(page, page.getByRole('link', {
                name: 'Add component', exact: true,
            }), adminPath('components/new'));
            await all('the new component form', 'component-new');
            await page.getByLabel('Name', { exact: true }).fill('Legacy CDN');
            await page.getByRole('radio', { name: /^Under Maintenance\b/ })
                .check();
            await submit(page, page.getByRole('button', {
                name: 'Add component', exact: true,
            }));
            await flash(page, 'Component added.');

            await follow(page, page.getByRole('link', {
                name: MAILER, exact: true,
            }), adminPath(`components/${mailer.id}`));
            await all('the edit component form', 'component-edit');
            await follow(page, page.getByRole('link', {
                name: 'Cancel', exact: true,
            }), adminPath('components'));

            const legacy = await componentRow(page, 'Legacy CDN');
            const legacyId = await legacy.getAttribute('data-component-id');
            await follow(page, legacy.getByRole('link', {
                name: 'Delete', exact: true,
            }), adminPath(`components/${legacyId}/delete`));
            await all('the delete component confirmation',
                'component-delete');
            await submit(page, page.getByRole('button', {
                name: 'Delete component', exact: true,
            }));
            await flash(page, 'Component deleted.');
            assert.equal(await page.locator(`tr[data-component-id=`
                + `"${legacyId}"]`).count(), 0);

            // settings (looked at, not changed: the other tests expect
            // the default title)
            await follow(page, adminNav(page, 'Settings'),
                adminPath('settings'));
            await all('the settings', 'settings');
            assert.ok(await page.getByRole('radio', {
                name: /^Top \(Default\)/ }).isChecked());

            // a page that is not there still leads back
            page.expectStatus(404, adminPath('incidents/999999'));
            const res = await page.goto(ADMIN + 'incidents/999999');
            assert.equal(res.status(), 404);
            await inspect(page, 'the not found page', failures, {
                widths: [1280, 375], schemes: ['light', 'dark'],
            });
            await follow(page, page.getByRole('link', {
                name: 'Back to the dashboard',
            }), adminPath());

            page.assertClean();
            assertNoFailures(failures);
        } finally {
            await page.context().close();
        }
    });
