// SPDX-License-Identifier: MIT
// The back-office's second factor (issue 13, admin accounts) in a real
// browser: the enrolment page shows its QR code (inline SVG, drawn by the
// server) and the secret, a wrong code comes back with its message tied to
// the field, the recovery codes are shown; then the code form of the next
// session. axe-core finds no violation on any of these screens.
import {
	assert, test, open, status, submitTo, checkAxe, assertFieldErrorsTied,
	newAdmin, login, enrolmentLink, useAuthenticator, nextCode,
} from './lib.mjs';

test('axe: the second factor — enrolment with its QR code, a wrong code, the recovery codes, the code form', async (t) => {
	const admin = newAdmin();
	const link = new URL(enrolmentLink(admin));
	const page = await t.newPage({ bypassCSP: true });
	await login(page, admin, link.pathname);
	const qr = page.locator('.totp-qr svg');
	assert.equal(await qr.count(), 1, 'one QR code');
	assert.ok(await qr.isVisible(), 'the QR code is shown');
	const box = await qr.boundingBox();
	assert.ok(box.width >= 150 && Math.abs(box.width - box.height) < 1, `a square QR code: ${box.width}×${box.height}`);
	assert.equal(await page.getByRole('img', { name: /Code QR/ }).count(), 1, 'the QR code is named');
	await checkAxe(page);
	const secret = (await page.locator('#totp-secret').textContent()).replace(/\s+/g, '');
	assert.match(secret, /^[A-Z2-7]{32}$/, 'the secret in base32');
	useAuthenticator(admin, secret);
	await page.locator('#code').fill('12345');
	await submitTo(page, page.getByRole('button', { name: 'Activer' }), link.pathname);
	assert.equal(status(page), 422, 'a wrong code');
	await assertFieldErrorsTied(page);
	await checkAxe(page);
	await page.locator('#code').fill(await nextCode(admin));
	await submitTo(page, page.getByRole('button', { name: 'Activer' }), link.pathname);
	assert.equal(status(page), 200);
	assert.equal(await page.locator('.totp-codes li').count(), 10, 'ten recovery codes');
	await checkAxe(page);
	await submitTo(page, page.getByRole('link', { name: /continuer/ }), '/admin');

	const next = await t.newPage({ bypassCSP: true });
	await login(next, admin);
	await open(next, '/admin/2fa?next=%2Fadmin%2Fcampaigns');
	await checkAxe(next);
	await next.locator('#code').fill('abc');
	await submitTo(next, next.getByRole('button', { name: 'Vérifier' }), '/admin/2fa');
	assert.equal(status(next), 422, 'not a code');
	await assertFieldErrorsTied(next);
	await checkAxe(next);
	await next.locator('#code').fill(await nextCode(admin));
	await submitTo(next, next.getByRole('button', { name: 'Vérifier' }), '/admin/campaigns');
});
