// SPDX-License-Identifier: MIT
// A gift as a member makes it in a browser, through nginx and the fake
// payment provider (scripts/fake-paybox): choose 50 €, confirm the
// details, the payment form posts itself to the provider, "Payer", back on
// the thank-you page; the gift shows paid in /account/donations and the
// tax receipt downloads as a PDF. axe on every page, the provider's
// included.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import {
	assert, test, submitTo, status, screenshot, assertNoPageErrors, open,
	checkAxe, newMember, login, psqlValue, BASE_URL,
} from './lib.mjs';

const PAYBOX_PORT = process.env.PAYBOX_PORT ||
	String(Number(new URL(BASE_URL).port) + 2);

/* Text with no-break spaces as plain spaces. */
function plain(s) {
	return (s || '').replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
}

async function paybox(path, payload) {
	const r = await fetch(`http://127.0.0.1:${PAYBOX_PORT}/_control/${path}`, {
		method: 'POST', body: JSON.stringify(payload),
		headers: { 'Content-Type': 'application/json' },
	});
	return r.json();
}

test('a member gives 50 € through the provider, sees it paid and downloads the receipt', async (t) => {
	await paybox('reset', {});
	const member = newMember({ first: 'Joséphine', last: 'Bérard' });
	// axe is injected inline: bypassCSP, as in a11y.test.mjs (the next
	// test walks to the provider under the real CSP).
	const page = await t.newPage({ acceptDownloads: true, bypassCSP: true });
	await login(page, member, '/donate');

	// 1. The amount, with its net cost.
	assert.equal(plain(await page.locator('h1').first().textContent()), 'Faire un don');
	await checkAxe(page);
	await screenshot(page, 'donate-amounts');
	const fifty = page.getByRole('radio', { name: /^50,00\s€/ });
	await fifty.check();
	assert.match(plain(await page.locator('label', { has: fifty }).textContent()),
		/50,00 € \(soit 17,00 € après réduction d'impôt\)/);
	await page.getByRole('radio', { name: 'Don unique' }).check();
	await submitTo(page, page.getByRole('button', { name: 'Continuer' }), '/donate/details');

	// 2. The details, prefilled for the member.
	await checkAxe(page);
	assert.equal(await page.getByLabel('Prénom', { exact: true }).inputValue(), 'Joséphine');
	assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), member.email);
	assert.equal(await page.getByLabel(/^Montant en euros/).inputValue(), '50');
	if (!(await page.getByLabel('Adresse postale').inputValue()))
		await page.getByLabel('Adresse postale').fill('1 place des Terreaux');
	if (!(await page.getByRole('radio', { name: 'Madame' }).isChecked()))
		await page.getByRole('radio', { name: 'Madame' }).check();
	const commune = page.locator('#city_code');
	if (await commune.isVisible() && !(await commune.inputValue())) {
		await page.waitForFunction(() => [...document.getElementById('city_code').options]
			.some((o) => o.value === '69381'));
		await commune.selectOption('69381');
	}
	await page.getByLabel(/personne physique/).check();
	await page.getByLabel(/nationalité française/).check();
	await screenshot(page, 'donate-details');

	// 3. The form posts itself to the provider (app.js): its page.
	const toProvider = page.waitForURL((u) => u.port === PAYBOX_PORT, { timeout: 15000 });
	await page.getByRole('button', { name: 'Je donne' }).click();
	await toProvider;
	await page.waitForLoadState('load');
	assert.equal(status(page), 200, 'the provider accepted the signed form');
	assert.equal(plain(await page.locator('h1').textContent()), 'Paiement de 50,00 €');
	assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
	await checkAxe(page);
	await screenshot(page, 'donate-provider');
	const uuid = psqlValue(`SELECT uuid FROM donations WHERE email = :'p1'
		ORDER BY id DESC LIMIT 1`, member.email);
	assert.ok(uuid, 'the gift was recorded as pending');
	assert.equal(psqlValue("SELECT status FROM donations WHERE uuid = :'p1'", uuid), 'pending');

	// 4. Payer: the provider notifies civitas, then brings the browser back.
	await submitTo(page, page.getByRole('button', { name: 'Payer' }),
		new RegExp(`^/donate/${uuid}/return$`));
	assert.equal(status(page), 200);
	const thanks = plain(await page.locator('main').textContent());
	assert.match(thanks, /Merci Joséphine ! Votre don de 50,00 € est bien reçu/);
	await checkAxe(page);
	await screenshot(page, 'donate-thanks');
	assert.equal(psqlValue("SELECT status FROM donations WHERE uuid = :'p1'", uuid), 'paid');

	// 5. The account lists it, paid, with the year's receipt.
	await open(page, '/account/donations');
	await checkAxe(page);
	const row = page.locator(`table.donations tr[data-uuid="${uuid}"]`);
	assert.match(plain(await row.textContent()), /50,00 €/);
	assert.match(plain(await row.textContent()), /[Pp]ayé/);
	await screenshot(page, 'donate-account');
	const year = psqlValue(`SELECT p.year FROM donation_payments p
		JOIN donations d ON d.id = p.donation_id WHERE d.uuid = :'p1'`, uuid);
	const link = page.getByRole('link', { name: new RegExp(`Reçu fiscal ${year}`) });
	const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
	assert.match(download.suggestedFilename(), new RegExp(`^recu-fiscal-${year}-\\d{6}\\.pdf$`));
	const pdf = fs.readFileSync(await download.path());
	assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
	const text = plain(execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString());
	assert.match(text, /Madame Joséphine Bérard/);
	assert.match(text, /50,00 €/);
	const number = psqlValue(`SELECT t.number FROM tax_receipts t WHERE t.year = :'p1'
		AND t.email = :'p2'`, year, member.email);
	assert.match(text, new RegExp(`Reçu n° ${year}-${String(number).padStart(6, '0')}`));
	assertNoPageErrors(page);
}, { timeout: 120000 });

test('under the real CSP, the payment form reaches the provider by itself', async (t) => {
	const member = newMember({ first: 'Anne', last: 'Mercier' });
	const page = await t.newPage();
	await login(page, member, '/donate');
	await page.getByRole('radio', { name: /^20,00\s€/ }).check();
	await submitTo(page, page.getByRole('button', { name: 'Continuer' }), '/donate/details');
	if (!(await page.getByRole('radio', { name: 'Madame' }).isChecked()))
		await page.getByRole('radio', { name: 'Madame' }).check();
	await page.getByLabel(/personne physique/).check();
	await page.getByLabel(/nationalité française/).check();
	const toProvider = page.waitForURL((u) => u.port === PAYBOX_PORT, { timeout: 15000 });
	await page.getByRole('button', { name: 'Je donne' }).click();
	await toProvider;
	await page.waitForLoadState('load');
	assert.equal(plain(await page.locator('h1').textContent()), 'Paiement de 20,00 €');
	await submitTo(page, page.getByRole('button', { name: 'Annuler' }), /^\/donate\/[0-9a-f-]+\/return$/);
	assert.match(plain(await page.locator('main').textContent()), /annulé le paiement/);
	assertNoPageErrors(page);
}, { timeout: 90000 });
