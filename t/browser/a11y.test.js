'use strict';

// axe-core on the public pages, light and dark: zero violations, with every
// rule axe runs by default (WCAG 2 A/AA and best practices), none excluded.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
    BASE, COMPONENT_LABELS, OVERALL_LABELS, seed, launch, newPage, axe,
    formatViolations,
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

const pages = () => [
    ['/', 'the status page'],
    [`/incidents/${data.active.id}`, 'an active incident'],
    [`/incidents/${data.resolved.id}`, 'a resolved incident'],
    ['/history', 'the history'],
];

for (const scheme of ['light', 'dark']) {
    test(`axe finds no violations in ${scheme} mode`, async (t) => {
        for (const [url, what] of pages()) {
            await t.test(`${what} (${url}, ${scheme})`, async () => {
                const page = await newPage(browser, { colorScheme: scheme });

                try {
                    const res = await page.goto(BASE + url);
                    assert.equal(res.status(), 200);
                    assert.equal(await page.evaluate(() => matchMedia(
                        '(prefers-color-scheme: dark)').matches),
                    scheme === 'dark');

                    const violations = await axe(page);
                    assert.equal(violations.length, 0,
                        `axe violations on ${url} (${scheme}):\n`
                        + formatViolations(violations));
                    page.assertClean();
                } finally {
                    await page.context().close();
                }
            });
        }
    });
}

test('axe finds no violations at 375 px', async (t) => {
    for (const [url, what] of pages()) {
        await t.test(`${what} (${url}, 375 px)`, async () => {
            const page = await newPage(browser, {
                viewport: { width: 375, height: 800 },
            });

            try {
                await page.goto(BASE + url);
                const violations = await axe(page);
                assert.equal(violations.length, 0,
                    `axe violations on ${url} at 375 px:\n`
                    + formatViolations(violations));
            } finally {
                await page.context().close();
            }
        });
    }
});

// The seeded page shows some statuses only; the banner and the status
// labels must be readable in every status's colour, light and dark.  The
// page's own markup and CSS, with the status swapped in place.

for (const scheme of ['light', 'dark']) {
    test(`every status colour has enough contrast (${scheme})`, async () => {
        const page = await newPage(browser, { colorScheme: scheme });

        try {
            await page.goto(BASE + '/');
            await page.addScriptTag({ path: require.resolve('axe-core') });
            const problems = [];

            for (const [status, label] of Object.entries(OVERALL_LABELS)) {
                const v = await page.evaluate(async ([s, text, compText]) => {
                    const b = document.getElementById('overall-status');
                    // the page's own colour variable, with the status swapped
                    b.style.setProperty('--st', b.style.getPropertyValue('--st')
                        .replace(b.dataset.status, s));
                    b.dataset.status = s;
                    b.querySelector('h2').textContent = text;
                    b.querySelector('use').setAttribute('href', `#i-${s}`);

                    // every component's status label in this colour too
                    document.querySelectorAll('li.comp .st').forEach((e) => {
                        e.style.setProperty('--st', `var(--${s})`);
                        e.lastChild.textContent = compText;
                    });

                    const r = await window.axe.run({
                        include: [['#overall-status'], ['#components']],
                    }, {
                        runOnly: { type: 'rule', values: ['color-contrast'] },
                        resultTypes: ['violations'],
                    });

                    return r.violations.flatMap((x) => x.nodes.map((n) =>
                        `${n.target.join(' ')}: ${n.html.slice(0, 120)}: `
                        + n.failureSummary.split('\n').slice(1).join(' ')));
                }, [status, label, COMPONENT_LABELS[status]]);

                // the <time> inside a failing <p> tells nothing more
                for (const line of v) {
                    if (!/ > time\b/.test(line.split(': ')[0])) {
                        problems.push(`${status} (${scheme}): ${line}`);
                    }
                }
            }

            assert.equal(problems.length, 0,
                `color-contrast violations:\n${problems.join('\n')}`);
        } finally {
            await page.context().close();
        }
    });
}
