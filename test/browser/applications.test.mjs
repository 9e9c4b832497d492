// SPDX-License-Identifier: MIT
// Volunteer applications in a real browser (issue 11, part C): a member
// applies to a mission with a time slot and prerequisites (the form with
// its errors, then sent), the mails of both sides; a full mission offers
// its waiting list; a manager finds the application in the organisation's
// list, validates it in bulk and the volunteer sees it. axe-core on the
// application form (fresh and after errors), the application's page and
// the managers' list.
//
// Organisations, missions and members are written to the database, as
// the functional tests do (vol_fixtures); everything a person does goes
// through the pages.
import {
	assert, test, open, status, submitTo, screenshot, assertNoPageErrors, checkAxe,
	newMember, login, waitForMailMatching, psql, psqlValue, randomWord,
	assertFieldErrorsTied,
} from './lib.mjs';

/* A validated organisation in Lyon managed by manager. */
function newOrg(manager) {
	const slug = 'orga-' + randomWord(10);
	const id = psqlValue(`INSERT INTO organisations (slug, name, legal_kind, rna,
		street, postal_code, country, city_insee, city_name, description,
		description_html, charter_accepted_at, wizard_step, status, created_by,
		submitted_at, validated_at) VALUES (:'p1', :'p2', 'association',
		'W691000001', '1 place Bellecour', '69001', 'FR', '69381', 'Lyon',
		'Une association.', '<p>Une association.</p>', now(), 'charte',
		'validated', :'p3', now(), now()) RETURNING id`,
	slug, 'Association ' + randomWord(8), manager.id);
	psql("INSERT INTO organisation_managers (organisation_id, user_id) VALUES (:'p1', :'p2')",
		id, manager.id);
	return { id, slug };
}

/* An online one-off mission of org with places (and prerequisites). */
function newMission(org, { places = 3, prerequisites = [] } = {}) {
	const slug = 'mission-' + randomWord(10);
	const title = 'Mission ' + randomWord(8);
	const arr = '{' + prerequisites.map((p) => `"${p}"`).join(',') + '}';
	const id = psqlValue(`INSERT INTO missions (slug, organisation_id, title,
		domain_id, description, description_html, remote, date_kind, starts_at,
		ends_at, places, prerequisites, status, submitted_at, validated_at)
		VALUES (:'p1', :'p2', :'p3', 1, 'Aider.', '<p>Aider.</p>', true,
		'one_off', now() + interval '1 day', now() + interval '30 days', :'p4',
		:'p5'::text[], 'validated', now(), now()) RETURNING id`,
	slug, org.id, title, places, arr);
	return { id, slug, title };
}

function addSlot(mission, capacity) {
	return psqlValue(`INSERT INTO mission_slots (mission_id, starts_at, ends_at,
		capacity) VALUES (:'p1', now() + interval '2 days',
		now() + interval '2 days 3 hours', :'p2') RETURNING id`, mission.id, capacity);
}

async function heading(page) {
	return (await page.locator('h1').first().textContent()).trim();
}

test('applications: a member applies with a slot and prerequisites; axe on the form and the page', async (t) => {
	const manager = newMember({ first: 'Nadia', last: 'Benali' });
	const org = newOrg(manager);
	const m = newMission(org, { prerequisites: ['Avoir plus de 18 ans', 'Venir avec des gants'] });
	addSlot(m, 4);
	const vol = newMember({ first: 'Mathis', last: 'Roux' });
	// axe is injected inline: bypassCSP, as in a11y.test.mjs
	const page = await t.newPage({ bypassCSP: true });
	await login(page, vol);
	await open(page, `/missions/${m.slug}/apply`);
	assert.equal(await heading(page), `Candidater : « ${m.title} »`);
	await checkAxe(page);

	// Sent empty: a message at each field, tied to it; axe again.
	await submitTo(page, page.getByRole('button', { name: 'Envoyer ma candidature' }),
		`/missions/${m.slug}/apply`);
	assert.equal(status(page), 422);
	const errors = await page.locator('.field-error').allTextContents();
	assert.ok(errors.some((e) => e.includes('motivation')), 'motivation: ' + errors.join(' | '));
	assert.ok(errors.includes('Veuillez choisir un créneau.'), errors.join(' | '));
	assert.equal(errors.filter((e) => e.includes('prérequis')).length, 2);
	await assertFieldErrorsTied(page);
	await checkAxe(page);
	await screenshot(page, 'apply-errors');

	await page.getByLabel(/Votre message de motivation/).fill('Je viens avec plaisir, le samedi surtout.');
	await page.getByRole('radio').first().check();
	await page.getByLabel(/Avoir plus de 18 ans/).check();
	await page.getByLabel(/Venir avec des gants/).check();
	await submitTo(page, page.getByRole('button', { name: 'Envoyer ma candidature' }),
		/^\/applications\/\d+$/);
	assert.equal(status(page), 200);
	assert.match(await page.locator('main').textContent(), /Votre candidature est envoyée/);
	assert.equal(await page.locator('#application-status').getAttribute('data-status'), 'waiting');
	await checkAxe(page);
	const id = new URL(page.url()).pathname.split('/').pop();
	assert.equal(psqlValue("SELECT status FROM applications WHERE id = :'p1'", id), 'waiting');
	await waitForMailMatching(vol.email, /^Candidature envoyée : /);
	const mail = await waitForMailMatching(manager.email, /^Nouvelle candidature : /);
	assert.ok(mail.text.includes('Mathis R.'), 'the manager sees first name and initial');
	assert.ok(!mail.text.includes(vol.email), 'never the volunteer\'s address');

	// The thread: the volunteer writes.
	await page.getByLabel('Votre message').fill('Faut-il apporter quelque chose ?');
	await submitTo(page, page.getByRole('button', { name: 'Envoyer le message' }), `/applications/${id}`);
	assert.match(await page.locator('.thread').textContent(), /Faut-il apporter quelque chose/);
	assertNoPageErrors(page);
});

test('applications: a full mission offers its waiting list', async (t) => {
	const manager = newMember();
	const org = newOrg(manager);
	const m = newMission(org, { places: 1 });
	const first = newMember({ first: 'Inès' });
	psql(`SELECT application_apply(:'p1', :'p2', NULL, 'Une motivation de vingt caractères.', false)`,
		m.id, first.id);
	const vol = newMember({ first: 'Hugo' });
	const page = await t.newPage();
	await login(page, vol);
	await open(page, `/missions/${m.slug}/apply`);
	assert.match(await page.locator('main').textContent(), /Complet/);
	await page.getByLabel(/Votre message de motivation/).fill('Je peux attendre une place sans souci.');
	await page.getByLabel(/liste d'attente/).check();
	await submitTo(page, page.getByRole('button', { name: "Rejoindre la liste d'attente" }),
		/^\/applications\/\d+$/);
	assert.equal(await page.locator('#application-status').getAttribute('data-status'), 'queued');
	await waitForMailMatching(vol.email, /^Liste d'attente : /);
	assertNoPageErrors(page);
});

test('applications: a manager validates in bulk from the list; axe on the list', async (t) => {
	const manager = newMember({ first: 'Claire', last: 'Martin' });
	const org = newOrg(manager);
	const m = newMission(org, { places: 5 });
	const vols = [newMember({ first: 'Alice', last: 'Bernard' }), newMember({ first: 'Bruno', last: 'Colin' })];
	const ids = vols.map((v) => psqlValue(`SELECT application_id FROM application_apply(:'p1', :'p2',
		NULL, 'Une motivation de vingt caractères.', false)`, m.id, v.id));
	const page = await t.newPage({ bypassCSP: true });
	await login(page, manager);
	await open(page, `/organisations/${org.slug}/applications`);
	assert.equal(await heading(page), `Candidatures de ${psqlValue("SELECT name FROM organisations WHERE id = :'p1'", org.id)}`);
	const text = await page.locator('main').textContent();
	assert.ok(text.includes('Alice B.') && text.includes('Bruno C.'), 'first names and initials');
	assert.ok(!text.includes(vols[0].email), 'no address');
	await checkAxe(page);
	await page.getByLabel('Choisir la candidature de Alice B.').check();
	await page.getByLabel('Action').selectOption('validate');
	await submitTo(page, page.getByRole('button', { name: 'Appliquer' }),
		`/organisations/${org.slug}/applications`);
	assert.match(await page.locator('.notice').textContent(), /Candidatures validées : 1\./);
	assert.equal(psqlValue("SELECT status FROM applications WHERE id = :'p1'", ids[0]), 'validated');
	assert.equal(psqlValue("SELECT status FROM applications WHERE id = :'p1'", ids[1]), 'waiting');
	await checkAxe(page);
	await waitForMailMatching(vols[0].email, /^Candidature validée : /);
	assertNoPageErrors(page);
});
