// SPDX-License-Identifier: MIT
// "Convaincre un ami" (issue 10) in Chromium with JavaScript on, through
// nginx: every step, a step sent with errors (422), a step posted from a
// stale tab (409), going back once with "Modifier" and answering again,
// the subject edited, the message sent; the friend's mail read in the
// SMTP sink, then its opt-out link. axe on every page shown.
import {
	assert, test, submitTo, status, screenshot, assertNoPageErrors, open,
	checkAxe, assertFieldErrorsTied, waitForMailMatching, uniqueEmail, psql,
	BASE_URL,
} from './lib.mjs';

/* [id, label, paragraph] of the active choices of kind, in page order. */
function choices(kind) {
	return psql(`SELECT id, label, replace(paragraph, E'\\n', ' ') FROM convince_choices
		WHERE kind = :'p1' AND active ORDER BY position, id`, kind);
}

/* Text with no-break spaces as plain spaces, white space collapsed. */
function plain(s) {
	return (s || '').replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
}

async function stepTitle(page) {
	return plain(await page.locator('h2').first().textContent());
}

async function next(page) {
	await submitTo(page, page.getByRole('button', { name: 'Suivant' }), '/convince');
	assert.equal(status(page), 200);
}

test('convince a friend: every step, a 422, a 409, Modifier, the mail and its opt-out', async (t) => {
	// axe is injected inline: bypassCSP, as in the other axe tests.
	const page = await t.newPage({ bypassCSP: true });
	await open(page, '/convince');
	assert.equal(plain(await page.locator('h1').textContent()), 'Convaincre un ami');
	assert.equal(await stepTitle(page), 'Étape 1 sur 5 : Votre ami');
	assert.equal(await page.locator('[aria-current="step"]').count(), 1);
	await checkAxe(page);
	await screenshot(page, 'convince-1');

	// A second tab of the same visitor, still on step 1 (used below).
	const stale = await t.newPage({ bypassCSP: true,
		storageState: await page.context().storageState() });
	await open(stale, '/convince');
	assert.equal(await stepTitle(stale), 'Étape 1 sur 5 : Votre ami');

	// 1. Sent empty: 422, a message at each field, tied to it.
	await submitTo(page, page.getByRole('button', { name: 'Suivant' }), '/convince');
	assert.equal(status(page), 422);
	assert.equal(await page.locator('.field-error').count(), 4, 'four fields in error');
	await assertFieldErrorsTied(page);
	await checkAxe(page);
	await screenshot(page, 'convince-1-errors');
	// ...then answered.
	const [situation] = choices('situation');
	await page.getByLabel('Son prénom').fill('Léa');
	await page.getByLabel('Son âge').fill('34');
	await page.getByRole('radio', { name: 'une amie' }).check();
	await page.getByRole('radio', { name: situation[1] }).check();
	await next(page);

	// 2. Her concern.
	assert.equal(await stepTitle(page), 'Étape 2 sur 5 : Sa préoccupation');
	await checkAxe(page);
	const concerns = choices('concern');
	await page.getByRole('radio', { name: concerns[0][1] }).check();
	await next(page);

	// The stale tab posts step 1 again: refused (409), nothing changes,
	// and it shows where the visitor really is.
	await stale.getByLabel('Son prénom').fill('Autre');
	await stale.getByLabel('Son âge').fill('50');
	await stale.getByRole('radio', { name: 'un ami', exact: true }).check();
	await stale.getByRole('radio', { name: situation[1] }).check();
	await submitTo(stale, stale.getByRole('button', { name: 'Suivant' }), '/convince');
	assert.equal(status(stale), 409);
	assert.ok(await stale.locator('.form-error[role="alert"]').count() === 1, 'the refusal is shown');
	assert.equal(await stepTitle(stale), 'Étape 3 sur 5 : Ses centres d\'intérêt');
	await checkAxe(stale);
	await screenshot(stale, 'convince-409');

	// 3. Two interests; 4. two reasons.
	assert.equal(await stepTitle(page), 'Étape 3 sur 5 : Ses centres d\'intérêt');
	await checkAxe(page);
	const interests = choices('interest').slice(0, 2);
	for (const c of interests)
		await page.getByRole('checkbox', { name: c[1] }).check();
	await next(page);
	assert.equal(await stepTitle(page), 'Étape 4 sur 5 : Vos raisons');
	await checkAxe(page);
	const reasons = choices('reason').slice(0, 2);
	for (const c of reasons)
		await page.getByRole('checkbox', { name: c[1] }).check();
	await next(page);

	// 5. The summary: the message composed from the answers.
	assert.equal(await stepTitle(page), 'Étape 5 sur 5 : Votre message');
	await checkAxe(page);
	let body = plain(await page.getByLabel('Message').inputValue());
	assert.ok(body.includes(plain(concerns[0][2].replace('{prenom}', 'Léa'))),
		'the first concern in the message');

	// Back once to step 2 with "Modifier": the answer is still there;
	// another concern, then forward again with the later answers kept.
	await submitTo(page, page.getByRole('button', { name: 'Modifier : Sa préoccupation' }), '/convince');
	assert.equal(await stepTitle(page), 'Étape 2 sur 5 : Sa préoccupation');
	assert.ok(await page.getByRole('radio', { name: concerns[0][1] }).isChecked(), 'answer kept');
	await checkAxe(page);
	await page.getByRole('radio', { name: concerns[1][1] }).check();
	await next(page);
	for (const c of interests)
		assert.ok(await page.getByRole('checkbox', { name: c[1] }).isChecked(), 'interest kept');
	await next(page);
	for (const c of reasons)
		assert.ok(await page.getByRole('checkbox', { name: c[1] }).isChecked(), 'reason kept');
	await next(page);
	assert.equal(await stepTitle(page), 'Étape 5 sur 5 : Votre message');
	body = plain(await page.getByLabel('Message').inputValue());
	assert.ok(body.includes(plain(concerns[1][2].replace('{prenom}', 'Léa'))),
		'the new concern in the message');
	assert.ok(!body.includes(plain(concerns[0][2].replace('{prenom}', 'Léa'))),
		'the old concern no longer');

	// The subject edited, the author, the friend; a wrong address: 422.
	const subject = 'Léa, lis ceci ' + Date.now().toString(36);
	const friend = uniqueEmail('ami');
	await page.getByLabel('Objet').fill(subject);
	await page.getByLabel('Votre prénom').fill('Marie');
	await page.getByLabel('Votre nom').fill('Curie');
	await page.getByLabel(/^Votre adresse e-mail/).fill(uniqueEmail('auteur'));
	await page.getByLabel("L'adresse e-mail de Léa").fill('pas-une-adresse');
	await submitTo(page, page.getByRole('button', { name: 'Envoyer' }), '/convince');
	assert.equal(status(page), 422);
	assert.equal(await page.getByLabel('Objet').inputValue(), subject, 'the edited subject kept');
	await assertFieldErrorsTied(page);
	await checkAxe(page);
	await screenshot(page, 'convince-5-errors');
	await page.getByLabel("L'adresse e-mail de Léa").fill(friend);
	await submitTo(page, page.getByRole('button', { name: 'Envoyer' }), '/convince/sent');
	assert.equal(status(page), 200);
	assert.match(plain(await page.locator('h1').textContent()), /Merci/);
	assert.match(plain(await page.locator('main').textContent()), /Léa/);
	await checkAxe(page);
	await screenshot(page, 'convince-sent');
	assertNoPageErrors(page);
	assertNoPageErrors(stale);

	// The mail, with the edited subject and the new concern.
	const mail = await waitForMailMatching(friend, new RegExp('^' + subject + '$'));
	const text = plain(mail.text.replace(/=\r?\n/g, ''));
	assert.match(text, /Bonjour Léa/);

	// Its opt-out link: the page, then the button.
	const m = /https?:\/\/\S+?(\/optout\/[A-Za-z0-9_.-]+)/.exec(mail.text.replace(/=\r?\n/g, ''));
	assert.ok(m, `no /optout/ link in ${mail.file}`);
	assert.ok(m[0].startsWith(BASE_URL), `the link ${m[0]} is not on ${BASE_URL}`);
	const out = await t.newPage({ bypassCSP: true });
	await open(out, m[1]);
	assert.match(plain(await out.locator('main').textContent()), new RegExp(friend.replace(/[.]/g, '\\.')));
	await checkAxe(out);
	await submitTo(out, out.getByRole('button', { name: 'Ne plus jamais recevoir ce type de message' }), m[1]);
	assert.equal(status(out), 200);
	await checkAxe(out);
	await screenshot(out, 'convince-optout-done');
	assertNoPageErrors(out);
	assert.equal(psql("SELECT reason FROM suppressions WHERE email = :'p1'", friend)[0]?.[0], 'request');
});
