// SPDX-License-Identifier: MIT
// The organisation wizard (issue 11, helper A) in Chromium through nginx,
// with JavaScript on and off: every step, a step sent with errors (422,
// the messages tied to their fields), a logout in the middle and the
// wizard resumed where it was (its state is the draft row in
// PostgreSQL), the charter, the organisation pending. axe on every step.
import {
	assert, test, submitTo, status, open, checkAxe, assertFieldErrorsTied,
	psql, psqlValue, newMember, login, randomWord,
} from './lib.mjs';

const NEW = '/organisations/new';

function plain(s) {
	return (s || '').replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
}

async function stepTitle(page) {
	return plain(await page.locator('h2').first().textContent());
}

async function next(page, label = 'Suivant') {
	await submitTo(page, page.locator('#organisation-form').getByRole('button',
		{ name: label }), NEW);
	assert.equal(status(page), 200);
}

function draftStep(member) {
	return psqlValue(`SELECT wizard_step FROM organisations
		WHERE created_by = :'p1' AND status = 'draft'`, member.id);
}

/* axe-core runs in the page: with JavaScript only. */
async function axe(page, javaScriptEnabled) {
	if (javaScriptEnabled)
		await checkAxe(page);
}

async function wizard(t, javaScriptEnabled) {
	const member = newMember({ first: 'Inès', last: 'Morel' });
	const name = 'Les Jardins ' + randomWord(6);
	let page = await t.newPage({ bypassCSP: true, javaScriptEnabled });
	await login(page, member, NEW);
	assert.equal(await stepTitle(page), 'Étape 1 sur 6 : Votre organisation');
	await axe(page, javaScriptEnabled);

	// Sent empty: 422, a message at each field, tied to it.
	await submitTo(page, page.locator('#organisation-form').getByRole('button',
		{ name: 'Suivant' }), NEW);
	assert.equal(status(page), 422);
	assert.equal(await page.locator('.field-error').count(), 2);
	await assertFieldErrorsTied(page);
	await axe(page, javaScriptEnabled);
	await page.getByLabel("Nom de l'organisation").fill(name);
	await page.getByRole('radio', { name: 'Association' }).check();
	await next(page);
	assert.equal(await stepTitle(page), 'Étape 2 sur 6 : Son identifiant');
	await axe(page, javaScriptEnabled);
	await page.getByLabel('Numéro SIRET').fill('732 829 320 00075');
	await submitTo(page, page.locator('#organisation-form').getByRole('button',
		{ name: 'Suivant' }), NEW);
	assert.equal(status(page), 422);
	await assertFieldErrorsTied(page);
	await axe(page, javaScriptEnabled);
	await page.getByLabel('Numéro SIRET').fill('732 829 320 00074');
	await next(page);
	assert.equal(draftStep(member), 'adresse');

	// Leave: log out, come back in a new browser, resume at step 3.
	await submitTo(page, page.getByRole('button', { name: 'Se déconnecter' }), /.*/);
	await page.close();
	page = await t.newPage({ bypassCSP: true, javaScriptEnabled });
	await login(page, member, NEW);
	assert.equal(await stepTitle(page), 'Étape 3 sur 6 : Son adresse');
	await axe(page, javaScriptEnabled);
	await page.getByLabel('Adresse postale').fill('12 rue Mercière');
	if (javaScriptEnabled) {
		// The communes of the postal code, fetched as it is typed.
		const api = page.waitForResponse((r) => r.url().includes('/api/cities?') &&
			r.url().includes('69002'));
		await page.getByLabel('Code postal').pressSequentially('69002', { delay: 30 });
		await api;
		await page.waitForFunction(() => [...document.getElementById('city_code').options]
			.some((o) => o.textContent === 'Lyon 2e Arrondissement'));
		await page.getByLabel('Commune').selectOption({ label: 'Lyon 2e Arrondissement' });
	} else {
		// Without JavaScript the worker takes the only commune.
		await page.getByLabel('Code postal').fill('69002');
	}
	await next(page);
	assert.equal(await stepTitle(page), 'Étape 4 sur 6 : Sa présentation');
	await axe(page, javaScriptEnabled);
	await page.getByLabel('Présentation').fill('Des jardins partagés ouverts à tous, le samedi matin.');
	await page.getByRole('checkbox', { name: 'Protection de la nature' }).check();
	await next(page);
	assert.equal(await stepTitle(page), 'Étape 5 sur 6 : Son logo');
	await axe(page, javaScriptEnabled);
	await next(page);
	assert.equal(await stepTitle(page), 'Étape 6 sur 6 : La charte');
	await axe(page, javaScriptEnabled);
	// Back to step 1 with "Modifier", then forward again: kept.
	await submitTo(page, page.getByRole('button', { name: 'Modifier : Votre organisation' }), NEW);
	assert.equal(await page.getByLabel("Nom de l'organisation").inputValue(), name);
	await next(page);
	for (let i = 0; i < 4; i++)
		await next(page);
	assert.equal(await stepTitle(page), 'Étape 6 sur 6 : La charte');
	await page.getByLabel(/J'accepte la charte/).check();
	await next(page, 'Envoyer pour validation');
	assert.equal(await stepTitle(page), 'Étape 1 sur 6 : Votre organisation');
	assert.match(plain(await page.locator('.notice').textContent()), /envoyée pour validation/);
	const [row] = psql(`SELECT status, siret, postal_code, city_insee FROM organisations
		WHERE created_by = :'p1'`, member.id);
	assert.deepEqual(row, ['pending', '73282932000074', '69002', '69382']);
	await open(page, '/account/organisations');
	assert.match(plain(await page.locator('main').textContent()), new RegExp(name));
	await axe(page, javaScriptEnabled);
}

test('organisation wizard with JavaScript: every step, a 422, resumed after logout, axe', async (t) => {
	await wizard(t, true);
});

test('organisation wizard without JavaScript: the same, by plain forms', async (t) => {
	await wizard(t, false);
});
