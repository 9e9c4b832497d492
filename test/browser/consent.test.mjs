// SPDX-License-Identifier: MIT
// Consent pages (issue 9): axe-core (WCAG 2.0/2.1 A and AA, and axe's best
// practices) on /account/notifications and /newsletter, as they are fresh,
// after a change (notice, ledger table) and with a form error; and the
// checkboxes really saved from the browser.
import { assert, test, status, submitTo, screenshot, open, checkAxe, login,
	newMember, psql } from './lib.mjs';

async function newAxePage(t) {
	return t.newPage({ bypassCSP: true });
}

function subscriptionsOf(id) {
	return psql("SELECT type FROM user_subscriptions WHERE user_id = :'p1' ORDER BY type", id)
		.map((r) => r[0]);
}

test('axe: /account/notifications, saved, then the never-again error', async (t) => {
	const page = await newAxePage(t);
	const member = newMember();
	psql("INSERT INTO user_subscriptions (user_id, type) SELECT :'p1', code FROM subscription_types",
		member.id);
	await login(page, member);
	await open(page, '/account/notifications');
	await checkAxe(page);
	await page.getByRole('checkbox', { name: /Les événements près de chez moi/ }).uncheck();
	await submitTo(page, page.getByRole('button', { name: 'Enregistrer mes choix' }),
		'/account/notifications');
	assert.equal(status(page), 200);
	assert.match(await page.locator('.notice').innerText(), /Vos choix ont été enregistrés/);
	assert.deepEqual(subscriptionsOf(member.id), ['committees', 'departement', 'national']);
	assert.equal(await page.locator('table.ledger tbody tr').count(), 1, 'one ledger row');
	assert.equal(await page.getByRole('checkbox', { name: /Les événements près de chez moi/ })
		.isChecked(), false);
	await screenshot(page, 'notifications-saved');
	await checkAxe(page);
	// never again, without ticking the confirmation: the error at its field
	await submitTo(page, page.getByRole('button', {
		name: "Ne plus jamais recevoir d'e-mail de campagne" }), '/account/notifications/stop');
	assert.equal(status(page), 422);
	assert.ok(await page.locator('#error-confirm').count() === 1, 'error shown');
	await checkAxe(page);
	// confirmed: the state and the undo
	await page.getByLabel('Je confirme ne plus vouloir recevoir aucun e-mail de campagne.').check();
	await submitTo(page, page.getByRole('button', {
		name: "Ne plus jamais recevoir d'e-mail de campagne" }), '/account/notifications');
	assert.match(await page.locator('#suppressed').innerText(), /à votre demande/);
	await screenshot(page, 'notifications-suppressed');
	await checkAxe(page);
});

test('axe: /newsletter fresh and with errors', async (t) => {
	const page = await newAxePage(t);
	await open(page, '/newsletter');
	await checkAxe(page);
	await page.getByLabel('Adresse e-mail').fill('pas-une-adresse');
	await page.getByLabel(/Code postal/).fill('99999');
	await submitTo(page, page.getByRole('button', { name: "Je m'inscris" }), '/newsletter');
	assert.equal(status(page), 422);
	assert.equal(await page.locator('.field-error').count(), 2, 'both fields in error');
	await screenshot(page, 'newsletter-errors');
	await checkAxe(page);
	await open(page, '/newsletter/unsubscribe');
	await checkAxe(page);
});
