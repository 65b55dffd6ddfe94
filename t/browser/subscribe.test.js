'use strict';

// The subscriber's path, by clicking and typing: Subscribe in the status
// page's navigation, the form, the confirmation mail (from the real SMTP
// server run.sh started), its link, the button; then the unsubscribe link
// of a notification mail.  axe on every page, light and dark, 1280 and
// 375 px; no script errors or CSP violations.

const fs = require('node:fs');
const path = require('node:path');
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
    BASE, TOKEN, launch, newPage, inspect, assertNoFailures, submit,
} = require('./helpers');

const MAILDIR = process.env.INCIDENT_MAILDIR;

let browser;

before(async () => {
    assert.ok(MAILDIR, 'INCIDENT_MAILDIR is set by run.sh');
    browser = await launch();
});

after(async () => {
    if (browser) {
        await browser.close();
    }
});

// the subscriber list is not public: it takes the token
async function subscriber(address) {
    const res = await fetch(BASE + '/api/v1/subscribers?limit=100', {
        headers: { Authorization: `Bearer ${TOKEN}` },
        signal: AbortSignal.timeout(10000),
    });
    assert.equal(res.status, 200);
    return (await res.json()).data.find((s) => s.email === address);
}

// quoted-printable, as RFC 2045 has it, for the mail's text part
function unqp(s) {
    return Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g,
        (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1')
        .toString('utf8');
}

function mails() {
    const dir = path.join(MAILDIR, 'new');
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs.readdirSync(dir).map((f) => {
        const raw = fs.readFileSync(path.join(dir, f), 'utf8');
        const to = /^To: (.*)$/m.exec(raw);
        const subject = /^Subject: (.*)$/m.exec(raw);
        const plain = /Content-Type: text\/plain[^]*?\r?\n\r?\n([^]*?)--=_/
            .exec(raw);
        return {
            to: to && to[1].trim(),
            subject: subject && subject[1].trim(),
            text: plain ? unqp(plain[1]) : '',
            raw,
        };
    });
}

async function mailTo(address, subject) {
    for (let i = 0; i < 100; i++) {
        const m = mails().find((x) => x.to === address
            && subject.test(x.subject));
        if (m) {
            return m;
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no mail to ${address} matching ${subject}`);
}

function link(text, what) {
    const m = new RegExp(`(http://\\S+/${what}\\?token=[0-9a-f.]+)`)
        .exec(text);
    assert.ok(m, `a ${what} link in the mail:\n${text}`);
    return m[1];
}

test('subscribe, confirm from the mail, unsubscribe from a notification',
    async () => {
        const failures = [];
        const address = `browser-${Date.now()}@example.com`;
        const page = await newPage(browser);
        const opts = { widths: [1280, 375], schemes: ['light', 'dark'] };

        try {
            await page.goto(BASE + '/');
            await page.getByRole('navigation', { name: 'Status page' })
                .getByRole('link', { name: 'Subscribe' }).click();
            await page.waitForURL(BASE + '/subscribe');
            await page.getByRole('heading', { name: 'Subscribe to updates' })
                .waitFor();
            await inspect(page, 'the subscribe form', failures,
                { ...opts, shots: 'subscribe-form' });

            // a bad address first: the form comes back, marked and announced
            await page.getByLabel('Email address').fill('not an address');
            await page.evaluate(() => {
                document.querySelector('form').noValidate = true;
            });
            page.expectStatus(422, '/subscribe');
            await submit(page, page.getByRole('button', { name: 'Subscribe' }));
            await page.getByRole('alert').waitFor();
            assert.equal(await page.getByLabel('Email address')
                .getAttribute('aria-invalid'), 'true');
            await inspect(page, 'the subscribe form with an error', failures,
                opts);

            await page.getByLabel('Email address').fill(address);
            const first = page.getByRole('checkbox').first();
            if (await first.count()) {
                await first.check();
            }
            await submit(page, page.getByRole('button', { name: 'Subscribe' }));
            await page.getByRole('heading', { name: 'Check your inbox' })
                .waitFor();
            await inspect(page, 'check your inbox', failures, opts);

            const confirmMail = await mailTo(address, /^Confirm your/);
            await page.goto(link(confirmMail.text, 'subscribe/confirm'));
            await page.getByRole('heading',
                { name: 'Confirm your subscription' }).waitFor();
            await inspect(page, 'the confirmation page', failures,
                { ...opts, shots: 'subscribe-confirm' });

            // following the link confirmed nothing: the button does
            assert.equal((await subscriber(address)).confirmed, false);

            await submit(page, page.getByRole('button',
                { name: 'Confirm subscription' }));
            await page.getByRole('heading', { name: 'Subscription confirmed' })
                .waitFor();
            await inspect(page, 'subscription confirmed', failures, opts);

            assert.equal((await subscriber(address)).confirmed, true);

            // the unsubscribe link of the confirmation mail works as well
            await page.goto(link(confirmMail.text, 'unsubscribe'));
            await page.getByRole('heading', { name: 'Unsubscribe' }).waitFor();
            await inspect(page, 'the unsubscribe page', failures, opts);
            await submit(page, page.getByRole('button', { name: 'Unsubscribe' }));
            await page.getByRole('heading', { name: 'You are unsubscribed' })
                .waitFor();
            await inspect(page, 'unsubscribed', failures,
                { ...opts, shots: 'unsubscribed' });

            assert.equal(await subscriber(address), undefined,
                'the subscriber is removed');

            page.assertClean();
        } finally {
            await page.context().close();
        }

        assertNoFailures(failures);
    });
