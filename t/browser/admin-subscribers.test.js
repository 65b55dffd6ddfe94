'use strict';

// The admin's Subscribers pages as an operator uses them, by clicking and
// typing, at 1280 and 375 px: Admin -> Subscribers -> Add subscriber; a
// webhook URL that does not validate (the error announced and tied to its
// field), then a good one: the signing secret shown once, with its note,
// and on no page after; an email subscriber; a subscriber's page; Remove
// with its confirmation; the failed deliveries.  Every page is checked
// with axe-core (every rule it runs by default) in light and dark, for
// overflow at 375 px, for console errors and Content-Security-Policy
// violations.  Screenshots: build/screenshots/admin-subscriber*-*.png.
//
// The subscribers follow a component of this file's own that no incident
// names, so nothing is sent to them while other files run; they and the
// component are removed at the end.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
    ADMIN, api, launch, adminPage, visible, adminPath, adminNav, follow,
    submit, flash, inspect, assertNoFailures,
} = require('./helpers');

const COMPONENT = 'Pager gateway';
let component;
let browser;
const made = new Set();

before(async () => {
    browser = await launch();
    component = (await api('POST', '/api/v1/components', {
        name: COMPONENT, description: 'For the subscriber tests',
    }, 201)).json;
});

after(async () => {
    for (const id of made) {
        await api('DELETE', `/api/v1/subscribers/${id}`);
    }
    if (component) {
        await api('DELETE', `/api/v1/components/${component.id}`);
    }
    if (browser) {
        await browser.close();
    }
});

// the subscriber ids the list shows
async function listed(page) {
    return page.locator('tr[data-subscriber-id]').evaluateAll((rows) =>
        rows.map((r) => Number(r.dataset.subscriberId)));
}

for (const width of [1280, 375]) {
    test(`Admin -> Subscribers -> Add subscriber at ${width} px`,
        async () => {
            const page = await adminPage(browser, {
                viewport: { width, height: 800 },
            });
            const failures = [];
            const look = (what, shots) => inspect(page, what, failures, {
                schemes: ['light', 'dark'],
                shots: width === 1280 && shots ? `admin-${shots}` : null,
            });
            const token = `hookTOKEN${width}`;
            const hookUrl = `http://127.0.0.1:1/hooks/${token}`;

            try {
                await page.goto(ADMIN);
                await follow(page, adminNav(page, 'Subscribers'),
                    adminPath('subscribers'));
                assert.equal(await page.title(), 'Subscribers - Admin');
                await visible(page.getByRole('heading', {
                    level: 2, name: 'Notification queue',
                }), 'the queue figures');
                for (const figure of ['queued', 'dead', 'confirmed',
                    'unconfirmed'])
                {
                    assert.match(await page.locator(
                        `li[data-figure="${figure}"] strong`).innerText(),
                    /^\d+$/, `the "${figure}" figure`);
                }
                await look('the subscribers', 'subscribers');

                // Add subscriber: a webhook whose URL does not validate
                await follow(page, page.getByRole('link', {
                    name: 'Add subscriber', exact: true,
                }), adminPath('subscribers/new'));
                await look('the add subscriber form', 'subscriber-new');
                assert.ok(await page.getByRole('radio', { name: /^Email\b/ })
                    .isChecked(), 'Email unless chosen');
                await page.getByRole('radio', { name: /^Webhook\b/ }).check();
                const url = page.getByLabel('URL', { exact: true });
                await url.fill('hooks.example.com/no-scheme');
                await page.getByRole('checkbox', {
                    name: COMPONENT, exact: true,
                }).check();

                page.expectStatus(422, adminPath('subscribers'));
                const [res] = await Promise.all([
                    page.waitForResponse((r) =>
                        r.request().method() === 'POST'),
                    page.getByRole('button', {
                        name: 'Add subscriber', exact: true,
                    }).click(),
                ]);
                await page.waitForLoadState('load');
                assert.equal(res.status(), 422);

                const alert = page.getByRole('alert');
                await visible(alert, 'the problem summary');
                assert.match(await alert.innerText(),
                    /Nothing was changed: 1 field needs attention/);
                assert.equal(await url.getAttribute('aria-invalid'), 'true');
                const described = await url.evaluate((e) => (e.getAttribute(
                    'aria-describedby') || '').split(/\s+/)
                    .map((i) => document.getElementById(i))
                    .filter(Boolean).map((x) => x.textContent.trim()));
                assert.match(described[0] || '', /http:\/\/ or https:\/\//,
                    'the URL field is described by its error');
                await visible(page.locator('#f-url-err'),
                    'the error under the URL field');
                assert.equal(await url.inputValue(),
                    'hooks.example.com/no-scheme', 'the URL typed is kept');
                assert.ok(await page.getByRole('radio', {
                    name: /^Webhook\b/ }).isChecked(), 'the type kept');
                assert.ok(await page.getByRole('checkbox', {
                    name: COMPONENT, exact: true }).isChecked(),
                'the component kept');
                await look('the add subscriber form with an error',
                    'subscriber-new-error');

                // the good URL: the secret, once
                await url.fill(hookUrl);
                await submit(page, page.getByRole('button', {
                    name: 'Add subscriber', exact: true,
                }));
                assert.equal(new URL(page.url()).pathname,
                    adminPath('subscribers'), 'the answer to the POST '
                    + 'itself: no redirect, no URL with the secret');
                await flash(page, 'Subscriber added.');
                await visible(page.getByRole('heading', {
                    level: 1, name: 'Webhook added',
                }), 'the heading');
                const secretField = page.getByLabel('Signing secret', {
                    exact: true,
                });
                const secret = await secretField.inputValue();
                assert.match(secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/);
                assert.equal(await secretField.getAttribute('readonly'), '');
                assert.match(await page.locator('#f-secret-hint').innerText(),
                    /it will not be shown again/);
                assert.ok(!(await page.content()).includes(token),
                    'the URL path is not shown');
                await look('the new webhook and its secret',
                    'subscriber-secret');

                const done = page.getByRole('link', {
                    name: 'Done', exact: true,
                });
                const hookId = Number((await done.getAttribute('href'))
                    .split('/').pop());
                made.add(hookId);
                await follow(page, done, adminPath(`subscribers/${hookId}`));
                assert.ok(!(await page.content()).includes('whsec_'),
                    'its page does not show the secret');
                assert.ok(!(await page.content()).includes(token));
                await visible(page.getByRole('heading', {
                    level: 1, name: 'http://127.0.0.1:1/\u2026',
                }), 'the URL as scheme://host/…');
                await visible(page.getByRole('heading', {
                    level: 2, name: 'Delivery history',
                }), 'the delivery history');
                await look('a subscriber', 'subscriber');

                // an email subscriber, typed in
                await follow(page, page.getByRole('link', {
                    name: 'Back to subscribers', exact: true,
                }), adminPath('subscribers'));
                assert.ok((await listed(page)).includes(hookId),
                    'the list has the webhook');
                assert.ok(!(await page.content()).includes('whsec_'),
                    'the list does not show the secret');
                await follow(page, page.getByRole('link', {
                    name: 'Add subscriber', exact: true,
                }), adminPath('subscribers/new'));
                const email = `oncall-${width}@example.com`;
                await page.getByLabel('Email address', { exact: true })
                    .fill(email);
                await page.getByRole('checkbox', {
                    name: COMPONENT, exact: true,
                }).check();
                await submit(page, page.getByRole('button', {
                    name: 'Add subscriber', exact: true,
                }));
                await flash(page, 'Subscriber added.');
                const mailId = Number(new URL(page.url()).pathname
                    .split('/').pop());
                made.add(mailId);
                await visible(page.getByRole('heading', {
                    level: 1, name: email,
                }), 'its page');
                assert.match(await page.locator('dl.facts').innerText(),
                    new RegExp(`Components\\s+${COMPONENT}\\s+State\\s+`
                        + 'Confirmed'));

                // Remove, after a confirmation that names it
                await follow(page, page.getByRole('link', {
                    name: 'Remove subscriber', exact: true,
                }), adminPath(`subscribers/${mailId}/delete`));
                assert.equal((await page.locator('blockquote').innerText())
                    .trim(), `Email ${email} (${COMPONENT})`);
                await look('the removal confirmation', 'subscriber-delete');
                await submit(page, page.getByRole('button', {
                    name: 'Remove subscriber', exact: true,
                }));
                assert.equal(new URL(page.url()).pathname,
                    adminPath('subscribers'));
                await flash(page, 'Subscriber removed.');
                assert.ok(!(await listed(page)).includes(mailId),
                    'gone from the list');
                made.delete(mailId);

                // the failed deliveries
                await follow(page, page.getByRole('link', {
                    name: 'Failed deliveries', exact: true,
                }), adminPath('dead-letters'));
                await visible(page.getByRole('heading', {
                    level: 1, name: 'Failed deliveries',
                }), 'the heading');
                await look('the failed deliveries', 'dead-letters');

                page.assertClean();
                assertNoFailures(failures);
            } finally {
                await page.context().close();
            }
        });
}
