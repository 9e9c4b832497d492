// SPDX-License-Identifier: MIT
// Accessibility: axe-core (WCAG 2.0/2.1 A and AA, and axe's best practices)
// on the public pages, with JavaScript on, as a visitor sees them.
//
// The site's Content-Security-Policy (script-src 'self') forbids inline
// scripts, and page.addScriptTag({ path }) injects axe inline: these pages
// are opened in a context with bypassCSP, for the axe tests only.
import { assert, test, status, submitTo, screenshot, open, checkAxe } from './lib.mjs';

async function newAxePage(t) {
	return t.newPage({ bypassCSP: true });
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
