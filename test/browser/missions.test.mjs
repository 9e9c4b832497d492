// SPDX-License-Identifier: MIT
// Missions (issue 11, part B): axe-core on a mission's page as a visitor
// sees it, on the search, and on the editor as its manager sees it (the
// organisation and the mission are rows written with psql).
import { assert, test, status, open, checkAxe, psql, psqlValue, randomWord,
	newMember, login } from './lib.mjs';

function newOrg(manager) {
	const slug = 'orga-' + randomWord(10);
	const id = psqlValue(`INSERT INTO organisations (slug, name, legal_kind, rna,
		street, postal_code, country, city_insee, city_name, description,
		description_html, charter_accepted_at, wizard_step, status, created_by,
		submitted_at, validated_at) VALUES (:'p1', :'p2', 'association',
		'W691000001', '1 place Bellecour', '69001', 'FR', '69381', 'Lyon',
		'Une association.', '<p>Une association.</p>', now(), 'charte',
		'validated', :'p3', now(), now()) RETURNING id`, slug,
		'Association ' + randomWord(8), manager.id);
	psql(`INSERT INTO organisation_managers (organisation_id, user_id)
		VALUES (:'p1', :'p2')`, id, manager.id);
	return { id, slug };
}

function newMission(orgId) {
	const slug = 'mission-' + randomWord(10);
	const id = psqlValue(`INSERT INTO missions (slug, organisation_id, title,
		domain_id, description, description_html, date_kind, starts_at, ends_at,
		places, prerequisites, status, submitted_at, validated_at) VALUES
		(:'p1', :'p2', :'p3', 1, 'Aider à distribuer des repas.',
		'<p>Aider à distribuer des repas.</p>', 'one_off',
		now() + interval '1 day', now() + interval '10 days', 3,
		'{"Savoir porter des cartons"}', 'validated', now(), now())
		RETURNING id`, slug, orgId, 'Distribution de repas ' + randomWord(5));
	psql(`INSERT INTO mission_places (mission_id, street, postal_code, country,
		city_insee, city_name) VALUES (:'p1', '2 rue de la République',
		'69001', 'FR', '69381', 'Lyon')`, id);
	psql(`INSERT INTO mission_slots (mission_id, starts_at, ends_at, capacity)
		VALUES (:'p1', now() + interval '2 days', now() + interval '2 days 3 hours', 2)`, id);
	return { id, slug };
}

test('axe: a mission page (visitor), the search, the editor (manager)', async (t) => {
	const manager = newMember();
	const org = newOrg(manager);
	const m = newMission(org.id);
	const page = await t.newPage({ bypassCSP: true });
	await open(page, `/missions/${m.slug}`);
	assert.equal(status(page), 200);
	assert.ok(await page.getByRole('link', { name: 'Je veux aider' }).count() === 1);
	await checkAxe(page);
	await open(page, '/missions?near=69001');
	assert.equal(status(page), 200);
	await checkAxe(page);
	const mp = await t.newPage({ bypassCSP: true });
	await login(mp, manager, `/missions/${m.slug}/edit`);
	assert.equal(status(mp), 200);
	await checkAxe(mp);
});
