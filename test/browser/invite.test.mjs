// SPDX-License-Identifier: MIT
// /invite (issue 10): axe-core (WCAG 2.0/2.1 A and AA, and axe's best
// practices) on the form as a visitor and as a member sees it, with
// errors at their fields, and after a send; and the invitation really
// mailed from the browser, with its opt-out link.
import { assert, test, status, submitTo, screenshot, open, checkAxe, login,
	newMember, uniqueEmail, waitForMail } from './lib.mjs';

async function newAxePage(t) {
	return t.newPage({ bypassCSP: true });
}

test('axe: /invite as a visitor, with errors, then sent', async (t) => {
	const page = await newAxePage(t);
	await open(page, '/invite');
	await checkAxe(page);
	// errors: an invalid address, a first name without an address, no name
	await page.locator('#first_name_1').fill('Jules');
	await page.locator('#email_1').fill('pas-une-adresse');
	await page.locator('#first_name_2').fill('Inès');
	await submitTo(page, page.getByRole('button', { name: 'Envoyer les invitations' }), '/invite');
	assert.equal(status(page), 422);
	assert.equal(await page.locator('#error-email_1').count(), 1, 'error of email_1');
	assert.equal(await page.locator('#error-email_2').count(), 1, 'error of email_2');
	assert.equal(await page.locator('#error-inviter_name').count(), 1, 'error of the name');
	assert.equal(await page.locator('#first_name_1').inputValue(), 'Jules', 'value kept');
	await screenshot(page, 'invite-errors');
	await checkAxe(page);
	const friend = uniqueEmail('invite');
	await page.locator('#email_1').fill(friend);
	await page.locator('#first_name_2').fill('');
	await page.getByLabel(/Votre nom/).fill('Claire Dubois');
	await page.getByLabel(/Votre message/).fill('Viens, on a besoin de toi.');
	await submitTo(page, page.getByRole('button', { name: 'Envoyer les invitations' }), '/invite');
	assert.equal(status(page), 200);
	assert.match(await page.locator('.notice').innerText(), /Invitations envoyées : 1\./);
	await checkAxe(page);
	const mail = await waitForMail(friend);
	assert.match(mail.body.replace(/=\r?\n/g, ''), /\/optout\//, 'an opt-out link');
});

test('axe: /invite as a member, and the notice after the send', async (t) => {
	const page = await newAxePage(t);
	const member = newMember();
	await login(page, member);
	await open(page, '/invite');
	assert.equal(await page.locator('#inviter_name').count(), 0, 'no name field for a member');
	await checkAxe(page);
	await page.locator('#first_name_1').fill('Paul');
	await page.locator('#email_1').fill(uniqueEmail('invite'));
	await submitTo(page, page.getByRole('button', { name: 'Envoyer les invitations' }), '/invite');
	assert.equal(status(page), 200);
	assert.match(await page.locator('.notice').innerText(), /Invitations envoyées : 1\./);
	await screenshot(page, 'invite-member-sent');
	await checkAxe(page);
});
