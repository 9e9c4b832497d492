// SPDX-License-Identifier: MIT
// Accessibility: axe-core (WCAG 2.0/2.1 A and AA, and axe's best practices)
// on the public pages, with JavaScript on, as a visitor sees them.
//
// The site's Content-Security-Policy (script-src 'self') forbids inline
// scripts, and page.addScriptTag({ path }) injects axe inline: these pages
// are opened in a context with bypassCSP, for the axe tests only.
import { assert, test, AXE_PATH, status, submitTo, screenshot, open } from './lib.mjs';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

async function newAxePage(t) {
	return t.newPage({ bypassCSP: true });
}

/* Run axe on the page; fail with every violation, node by node. */
export async function checkAxe(page) {
	await page.addScriptTag({ path: AXE_PATH });
	assert.equal(await page.evaluate(() => typeof window.axe), 'object', 'axe-core not loaded');
	const result = await page.evaluate(async (tags) => {
		const r = await window.axe.run(document, {
			runOnly: { type: 'tag', values: tags },
			resultTypes: ['violations'],
		});
		return r.violations.map((v) => ({
			id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map((n) => ({
				target: n.target.join(' '),
				html: n.html.length > 160 ? n.html.slice(0, 157) + '...' : n.html,
				summary: n.failureSummary,
			})),
		}));
	}, TAGS);
	if (result.length) {
		const lines = [`${result.length} axe violation(s) on ${new URL(page.url()).pathname}:`];
		for (const v of result) {
			lines.push(`[${v.impact}] ${v.id}: ${v.help}`);
			for (const n of v.nodes) {
				lines.push(`    ${n.target}    ${n.html}`);
				if (n.summary)
					lines.push('        ' + n.summary.replace(/\n/g, ' / '));
			}
		}
		assert.fail(lines.join('\n'));
	}
}

test('axe: /signup (fresh)', async (t) => {
	const page = await newAxePage(t);
	await open(page, '/signup');
	// Wait for app.js to set up the commune select.
	await page.waitForFunction(() => document.getElementById('city_code').options.length > 0);
	await checkAxe(page);
});

test('axe: /signup after a failed submit (errors shown)', async (t) => {
	const page = await newAxePage(t);
	await open(page, '/signup');
	await page.getByLabel('Code postal').fill('01000');
	await submitTo(page, page.getByRole('button', { name: 'Je rejoins le mouvement' }), '/signup');
	assert.equal(status(page), 422);
	assert.ok(await page.locator('.field-error').count() >= 5, 'field errors shown');
	await screenshot(page, 'signup-errors');
	await checkAxe(page);
});

test('axe: /login', async (t) => {
	const page = await newAxePage(t);
	await open(page, '/login');
	await checkAxe(page);
});

test('axe: / (home)', async (t) => {
	const page = await newAxePage(t);
	await open(page, '/');
	await screenshot(page, 'home');
	await checkAxe(page);
});
