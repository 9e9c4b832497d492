// SPDX-License-Identifier: MIT
// Sign-up as a person does it in a browser: with JavaScript (the commune
// select filled from /api/cities), abroad, and without JavaScript (the
// server asks for the commune on a second render).
import {
	assert, test, uniqueEmail, submitTo, status, screenshot, waitForMail,
	assertNoPageErrors, BASE_URL, SHOTS, open,
} from './lib.mjs';

const PASSWORD = 'correct horse battery';

/* The fields every sign-up has, found by their labels as a person would. */
async function fillCommon(page, p) {
	await page.getByRole('radio', { name: p.gender }).check();
	await page.getByLabel('Prénom', { exact: true }).fill(p.first);
	await page.getByLabel('Nom', { exact: true }).fill(p.last);
	await page.getByLabel('Date de naissance').fill(p.birth);
	await page.getByLabel('Adresse e-mail').fill(p.email);
	await page.getByLabel(/^Mot de passe/).fill(PASSWORD);
	await page.getByLabel('Adresse postale').fill(p.street);
}

function submitButton(page) {
	return page.getByRole('button', { name: 'Je rejoins le mouvement' });
}

/* The confirmation mail to `email`: its /signup/confirm/ link (full URL). */
async function confirmLink(email) {
	const mail = await waitForMail(email);
	const m = /https?:\/\/\S+?(\/signup\/confirm\/[A-Za-z0-9_-]+)/.exec(mail.body);
	assert.ok(m, `no /signup/confirm/ link in ${mail.file}:\n${mail.body}`);
	assert.ok(m[0].startsWith(BASE_URL), `the link ${m[0]} is not on ${BASE_URL}`);
	return m[0];
}

async function heading(page) {
	return (await page.locator('h1').first().textContent()).trim();
}

test('sign-up with JavaScript as a Lyon resident, confirm, log in, account', async (t) => {
	const page = await t.newPage();
	const email = uniqueEmail('lyon');
	await open(page, '/signup');
	assert.equal(await page.title(), 'Adhérer · civitas');
	await screenshot(page, 'signup-fresh');
	if (SHOTS) {	// the same page on a phone
		const phone = await t.newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
		await open(phone, '/signup');
		await screenshot(phone, 'signup-fresh-phone');
	}

	// app.js ran: France is chosen, the commune select is shown and waits
	// for a postal code; the free city name is hidden.
	const country = page.getByLabel('Pays');
	const select = page.locator('#city_code');
	assert.equal(await country.inputValue(), 'FR');
	await page.waitForFunction(() => {
		const s = document.getElementById('city_code');
		return s.options.length > 0 && !document.getElementById('field-city-code').hidden;
	});
	assert.match(await select.locator('option').first().textContent(), /code postal/);
	assert.equal(await page.locator('#city_name').isVisible(), false, 'city name input hidden for France');

	await fillCommon(page, {
		gender: 'Madame', first: 'Camille', last: 'Lefèvre', birth: '1988-04-12',
		email, street: '12 rue de la République',
	});
	// Typed key by key, as a person does: app.js fetches the communes.
	const api = page.waitForResponse((r) => r.url().includes('/api/cities?') &&
		r.url().includes('postal_code=69001'));
	await page.getByLabel('Code postal').pressSequentially('69001', { delay: 30 });
	const apiResp = await api;
	assert.equal(apiResp.status(), 200, '/api/cities status');
	await select.waitFor({ state: 'visible' });
	await page.waitForFunction(() => [...document.getElementById('city_code').options]
		.some((o) => o.textContent === 'Lyon 1er Arrondissement'));
	assert.deepEqual(await select.locator('option').allTextContents(), ['Lyon 1er Arrondissement']);
	await page.getByLabel('Commune').selectOption({ label: 'Lyon 1er Arrondissement' });
	assert.equal(await select.inputValue(), '69381');
	await screenshot(page, 'signup-communes-lyon');

	await page.getByLabel(/J'adhère à la charte/).check();
	await submitTo(page, submitButton(page), '/signup/done');
	assert.equal(await heading(page), 'Vérifiez votre boîte mail');

	const link = await confirmLink(email);
	await open(page, link);
	assert.equal(await heading(page), 'Adhésion confirmée');

	await open(page, '/login');
	await page.getByLabel('Adresse e-mail').fill(email);
	await page.getByLabel('Mot de passe').fill(PASSWORD);
	await submitTo(page, page.getByRole('button', { name: 'Se connecter' }), '/account');
	assert.equal(await heading(page), 'Mon compte');
	assert.ok((await page.locator('main').textContent()).includes(email), 'account shows the e-mail');
	const commune = page.getByLabel('Commune');
	await commune.waitFor({ state: 'visible' });
	assert.equal(await commune.inputValue(), '69381');
	assert.equal((await commune.locator('option:checked').textContent()).trim(), 'Lyon 1er Arrondissement');
	assert.equal(await page.getByLabel('Code postal').inputValue(), '69001');
	assert.equal(await page.getByLabel('Prénom', { exact: true }).inputValue(), 'Camille');
	await screenshot(page, 'account-lyon');
	assertNoPageErrors(page);
});

test('sign-up with JavaScript abroad: Switzerland shows the city input (Zürich)', async (t) => {
	const page = await t.newPage();
	const email = uniqueEmail('zurich');
	await open(page, '/signup');
	const codeField = page.locator('#field-city-code');
	const nameInput = page.getByLabel('Ville');
	await codeField.waitFor({ state: 'visible' });

	await page.getByLabel('Pays').selectOption({ label: 'Suisse' });
	await codeField.waitFor({ state: 'hidden' });
	await nameInput.waitFor({ state: 'visible' });
	assert.equal(await page.locator('#city_code').isDisabled(), true, 'hidden select is disabled (not sent)');
	// Back to France and again abroad: the fields follow the country.
	await page.getByLabel('Pays').selectOption('FR');
	await codeField.waitFor({ state: 'visible' });
	assert.equal(await nameInput.isVisible(), false);
	await page.getByLabel('Pays').selectOption('CH');
	await nameInput.waitFor({ state: 'visible' });

	await fillCommon(page, {
		gender: 'Monsieur', first: 'Jean-Luc', last: "D'Aubigné", birth: '1975-11-30',
		email, street: 'Bahnhofstrasse 1',
	});
	await page.getByLabel('Code postal').fill('8001');
	await nameInput.fill('Zürich');
	await page.getByLabel(/J'adhère à la charte/).check();
	await screenshot(page, 'signup-abroad');
	await submitTo(page, submitButton(page), '/signup/done');
	assert.equal(await heading(page), 'Vérifiez votre boîte mail');
	await confirmLink(email);
	assertNoPageErrors(page);
});

test('sign-up without JavaScript: postal code 01000 asks for the commune', async (t) => {
	const page = await t.newPage({ javaScriptEnabled: false });
	const email = uniqueEmail('nojs');
	await open(page, '/signup');
	// Without JavaScript the server's first render has the free city name,
	// not the (empty) commune select.
	assert.equal(await page.locator('#field-city-code').isVisible(), false);
	await fillCommon(page, {
		gender: 'Autre', first: 'Dominique', last: 'Martin', birth: '2001-02-03',
		email, street: '3 place Bernard',
	});
	await page.getByLabel('Code postal').fill('01000');
	await page.getByLabel(/J'adhère à la charte/).check();
	await submitTo(page, submitButton(page), '/signup');
	assert.equal(status(page), 422, 'the form comes back with the choice');

	const select = page.getByLabel('Commune');
	assert.equal(await select.isVisible(), true, 'commune select shown');
	const err = page.locator('#error-city_code');
	assert.equal((await err.textContent()).trim(), 'Veuillez choisir votre commune dans la liste.');
	assert.equal(await select.getAttribute('aria-invalid'), 'true');
	assert.equal(await select.getAttribute('aria-describedby'), 'error-city_code');
	assert.deepEqual(await select.locator('option').allTextContents(),
		['Choisissez votre commune', 'Bourg-en-Bresse', 'Saint-Denis-lès-Bourg']);
	// Every other error is absent, every value kept (never the password).
	assert.deepEqual((await page.locator('.field-error').allTextContents()).map((s) => s.trim()),
		['Veuillez choisir votre commune dans la liste.']);
	assert.equal(await page.getByLabel('Prénom', { exact: true }).inputValue(), 'Dominique');
	assert.equal(await page.getByLabel('Nom', { exact: true }).inputValue(), 'Martin');
	assert.equal(await page.getByLabel('Date de naissance').inputValue(), '2001-02-03');
	assert.equal(await page.getByRole('radio', { name: 'Autre' }).isChecked(), true);
	assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), email);
	assert.equal(await page.getByLabel('Adresse postale').inputValue(), '3 place Bernard');
	assert.equal(await page.getByLabel('Pays').inputValue(), 'FR');
	assert.equal(await page.getByLabel('Code postal').inputValue(), '01000');
	assert.equal(await page.getByLabel(/J'adhère à la charte/).isChecked(), true);
	assert.equal(await page.getByLabel(/^Mot de passe/).inputValue(), '');
	await screenshot(page, 'signup-nojs-choose-commune');

	await select.selectOption({ label: 'Bourg-en-Bresse' });
	await page.getByLabel(/^Mot de passe/).fill(PASSWORD);
	await submitTo(page, submitButton(page), '/signup/done');
	assert.equal(await heading(page), 'Vérifiez votre boîte mail');
	await confirmLink(email);
});
