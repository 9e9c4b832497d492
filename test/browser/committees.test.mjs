// SPDX-License-Identifier: MIT
// Committees in a real browser: following and unfollowing with JavaScript
// (40-committees.js posts the form for JSON: the button and the member
// count change in place, no page load) and without it (the form posts,
// the server redirects back to the page in its new state); a visitor who
// is not logged in goes through the login page and back; axe-core on a
// committee page (as a visitor and as a follower), the directory, the
// creation form and the host's members page.
//
// Committees, members and events are written to the database (lib.mjs,
// "committees and events"); everything a person does goes through the
// pages.
import {
	assert, test, open, status, submitTo, screenshot, assertNoPageErrors, checkAxe,
	psql, psqlValue, newMember, newAdmin, newCommittee, newEvent, login, membershipRole,
	randomWord, waitForMailMatching, assertFieldErrorsTied,
} from './lib.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FOLLOW = 'Suivre ce comité';
const UNFOLLOW = 'Ne plus suivre ce comité';

function memberCount(c) {
	return Number(psqlValue("SELECT count(*) FROM committee_memberships WHERE committee_id = :'p1'", c.id));
}

function countText(n) {
	return `${n} membre${n > 1 ? 's' : ''}`;
}

async function shownCount(page) {
	return (await page.locator('#committee-members').textContent()).trim();
}

/* Count the page loads of the main frame from now on. */
function countLoads(page) {
	const loads = { n: 0 };
	page.on('framenavigated', (f) => {
		if (f === page.mainFrame())
			loads.n += 1;
	});
	return loads;
}

/* The follow button of the page: exactly one, with this name. */
async function followButton(page, name) {
	const b = page.getByRole('button', { name, exact: true });
	await b.waitFor({ state: 'visible' });
	assert.equal(await page.locator('form.js-follow button').count(), 1, 'one follow button');
	return b;
}

test('committee: follow and unfollow with JavaScript, in place (no page load)', async (t) => {
	const c = newCommittee({ followers: 2 });
	const member = newMember({ first: 'Nora', last: 'Lambert' });
	const page = await t.newPage();
	await login(page, member, `/committees/${c.slug}`);
	assert.equal((await page.locator('h1').textContent()).trim(), c.name);
	const n = memberCount(c);
	assert.equal(n, 3, 'the supervisor and two followers');
	assert.equal(await shownCount(page), countText(n));

	const loads = countLoads(page);
	await page.evaluate(() => { window.civStillHere = true; });
	const posted = [];
	page.on('request', (r) => {
		if (r.method() === 'POST')
			posted.push([new URL(r.url()).pathname, r.headers().accept || '', r.isNavigationRequest()]);
	});

	// Follow: the script posts for JSON and turns the button and the count.
	const answer = page.waitForResponse((r) => r.url().endsWith(`/committees/${c.slug}/follow`));
	await (await followButton(page, FOLLOW)).click();
	const resp = await answer;
	assert.equal(resp.status(), 200);
	assert.match(resp.headers()['content-type'] || '', /^application\/json/);
	assert.deepEqual(await resp.json(), { following: true, members: n + 1, message: 'Vous suivez ce comité.' });
	await followButton(page, UNFOLLOW);
	assert.equal(await shownCount(page), countText(n + 1));
	assert.equal((await page.locator('.follow-status').textContent()).trim(), 'Vous suivez ce comité.');
	assert.equal(membershipRole(c.id, member.id), 'follower');
	await screenshot(page, 'committee-followed-js');

	// Unfollow, still in place.
	const answer2 = page.waitForResponse((r) => r.url().endsWith(`/committees/${c.slug}/unfollow`));
	await (await followButton(page, UNFOLLOW)).click();
	assert.deepEqual(await (await answer2).json(),
		{ following: false, members: n, message: 'Vous ne suivez plus ce comité.' });
	await followButton(page, FOLLOW);
	assert.equal(await shownCount(page), countText(n));
	assert.equal(membershipRole(c.id, member.id), null);

	// Neither click loaded a page: same document, no navigation, both
	// POSTs were fetches asking for JSON.
	assert.equal(loads.n, 0, 'no page load');
	assert.equal(await page.evaluate(() => window.civStillHere), true, 'the same document');
	assert.deepEqual(posted, [
		[`/committees/${c.slug}/follow`, 'application/json', false],
		[`/committees/${c.slug}/unfollow`, 'application/json', false],
	]);

	// Follow again, then a fresh load of the page shows the server's state.
	await (await followButton(page, FOLLOW)).click();
	await followButton(page, UNFOLLOW);
	await open(page, `/committees/${c.slug}`);
	await followButton(page, UNFOLLOW);
	assert.equal(await shownCount(page), countText(n + 1));
	assertNoPageErrors(page);
});

test('committee: follow and unfollow without JavaScript (the form posts, the page comes back)', async (t) => {
	const c = newCommittee({ followers: 1 });
	const member = newMember({ first: 'Jules', last: 'Fontaine' });
	const page = await t.newPage({ javaScriptEnabled: false });
	await login(page, member, `/committees/${c.slug}`);
	const n = memberCount(c);
	assert.equal(await shownCount(page), countText(n));

	await submitTo(page, await followButton(page, FOLLOW), `/committees/${c.slug}`);
	assert.equal(status(page), 200);
	assert.equal((await page.locator('.notice').textContent()).trim(), 'Vous suivez ce comité.');
	await followButton(page, UNFOLLOW);
	assert.equal(await shownCount(page), countText(n + 1));
	assert.equal(membershipRole(c.id, member.id), 'follower');
	// A follower has the opt-ins of the membership.
	assert.equal(await page.getByLabel('Recevoir les messages du comité').isChecked(), true);
	await screenshot(page, 'committee-followed-nojs');

	await submitTo(page, await followButton(page, UNFOLLOW), `/committees/${c.slug}`);
	assert.equal(status(page), 200);
	assert.equal((await page.locator('.notice').textContent()).trim(), 'Vous ne suivez plus ce comité.');
	await followButton(page, FOLLOW);
	assert.equal(await shownCount(page), countText(n));
	assert.equal(membershipRole(c.id, member.id), null);
});

/*
 * With the keyboard: the focus stays on the follow button through the
 * request, so that Enter again unfollows (a button that is disabled while
 * focused loses the focus to <body>, and a keyboard user their place).
 */
test('committee: follow with the keyboard; the focus stays on the button, Enter again unfollows', async (t) => {
	const c = newCommittee();
	const member = newMember({ first: 'Timéo', last: 'Blanc' });
	const page = await t.newPage();
	await login(page, member, `/committees/${c.slug}`);
	await (await followButton(page, FOLLOW)).focus();
	await page.keyboard.press('Enter');
	await followButton(page, UNFOLLOW);
	await page.locator('.follow-status').waitFor();
	assert.equal(membershipRole(c.id, member.id), 'follower');
	const focused = await page.evaluate(() => {
		const el = document.activeElement;
		return el ? el.tagName + (el.textContent ? ': ' + el.textContent.trim().slice(0, 40) : '') : '';
	});
	assert.equal(focused, 'BUTTON: ' + UNFOLLOW, 'the focus is still on the follow button');
	const answer = page.waitForResponse((r) => r.url().endsWith(`/committees/${c.slug}/unfollow`));
	await page.keyboard.press('Enter');
	await answer;
	await followButton(page, FOLLOW);
	assert.equal(membershipRole(c.id, member.id), null);
	assertNoPageErrors(page);
});

/*
 * Logged out in another tab, then a click on Follow: the server refuses
 * (401, problem+json) and the script says to log in, the button stays.
 */
test('committee: with JavaScript, a follow after logging out elsewhere says to log in', async (t) => {
	const c = newCommittee();
	const member = newMember({ first: 'Noé', last: 'Gauthier' });
	const page = await t.newPage();
	await login(page, member, `/committees/${c.slug}`);
	await followButton(page, FOLLOW);
	const other = await page.context().newPage();
	await other.goto('/account');
	await other.getByRole('button', { name: 'Se déconnecter' }).click();
	await other.waitForLoadState('load');
	assert.equal(await other.getByRole('button', { name: 'Se déconnecter' }).count(), 0, 'logged out');

	const answer = page.waitForResponse((r) => r.url().endsWith(`/committees/${c.slug}/follow`));
	await (await followButton(page, FOLLOW)).click();
	const resp = await answer;
	assert.equal(resp.status(), 401);
	assert.match(resp.headers()['content-type'] || '', /^application\/problem\+json/);
	await page.locator('.follow-status').waitFor();
	assert.equal((await page.locator('.follow-status').textContent()).trim(),
		'Connectez-vous pour suivre ce comité.');
	await followButton(page, FOLLOW);
	assert.equal(membershipRole(c.id, member.id), null);
});

test('committee: a visitor is sent to the login page and back, then follows', async (t) => {
	const c = newCommittee();
	const member = newMember({ first: 'Lina', last: 'Chevalier' });
	const page = await t.newPage();
	await open(page, `/committees/${c.slug}`);
	assert.equal(await page.locator('form.js-follow').count(), 0, 'no follow form for a visitor');
	await submitTo(page, page.getByRole('link', { name: 'Se connecter pour suivre ce comité' }), '/login');
	await page.getByLabel('Adresse e-mail').fill(member.email);
	await page.getByLabel('Mot de passe').fill(member.password);
	await submitTo(page, page.getByRole('button', { name: 'Se connecter' }), `/committees/${c.slug}`);
	await (await followButton(page, FOLLOW)).click();
	await followButton(page, UNFOLLOW);
	assert.equal(membershipRole(c.id, member.id), 'follower');
	assertNoPageErrors(page);
});

test('committee: the supervisor has no button to leave their committee', async (t) => {
	const c = newCommittee();
	const page = await t.newPage();
	await login(page, c.supervisor, `/committees/${c.slug}`);
	assert.equal(await page.locator('form.js-follow').count(), 0);
	assert.match(await page.locator('.committee-actions').textContent(), /Vous êtes l'animateur de ce comité/);
});

/* A committee page with every section filled: an event, a message. */
function fullCommittee() {
	const c = newCommittee({ followers: 2 });
	newEvent({ committeeId: c.id, capacity: 30 });
	psql(`INSERT INTO committee_messages (committee_id, author_id, author_name, subject,
		body_md, body_html) VALUES (:'p1', :'p2', 'Sacha M.', 'Réunion de rentrée',
		'Nous nous retrouvons **jeudi** au local.',
		'<p>Nous nous retrouvons <strong>jeudi</strong> au local.</p>')`, c.id, c.supervisor.id);
	return c;
}

/* axe needs bypassCSP (it is injected inline), as in a11y.test.mjs. */
test('axe: a committee page (visitor)', async (t) => {
	const c = fullCommittee();
	const page = await t.newPage({ bypassCSP: true });
	await open(page, `/committees/${c.slug}`);
	assert.equal(await page.locator('.committee-events li').count(), 1, 'the event is listed');
	assert.equal(await page.locator('.committee-message').count(), 1, 'the message is shown');
	await screenshot(page, 'committee-page');
	await checkAxe(page);
});

test('axe: a committee page (follower, with the opt-ins and the status line)', async (t) => {
	const c = fullCommittee();
	const page = await t.newPage({ bypassCSP: true });
	await login(page, c.followers[0], `/committees/${c.slug}`);
	await followButton(page, UNFOLLOW);
	assert.equal(await page.locator('.committee-preferences').count(), 1);
	await checkAxe(page);
	// After a click, with the script's status line in the page.
	await (await followButton(page, UNFOLLOW)).click();
	await page.locator('.follow-status').waitFor();
	await checkAxe(page);
});

test('axe: the committee directory, and near a postal code', async (t) => {
	const c = newCommittee();
	const page = await t.newPage({ bypassCSP: true });
	await open(page, '/committees');
	await checkAxe(page);
	await open(page, `/committees?q=${encodeURIComponent(c.name)}&near=69001&radius=20`);
	assert.equal(await page.getByRole('link', { name: c.name }).count(), 1, 'the committee is found near 69001');
	await checkAxe(page);
});

test('axe: the committee creation form, fresh and after errors (422)', async (t) => {
	const page = await t.newPage({ bypassCSP: true });
	await login(page, newMember(), '/committees/new');
	await checkAxe(page);
	// Empty: the form is novalidate, the server answers with the errors.
	await submitTo(page, page.getByRole('button', { name: 'Créer le comité' }), '/committees/new');
	assert.equal(status(page), 422);
	assert.ok(await page.locator('.field-error').count() >= 2, 'field errors shown');
	await assertFieldErrorsTied(page);
	await checkAxe(page);
});

/* A committee with a co-host, two followers and an event with people
 * registered (a member and a guest). */
function hostedCommittee() {
	const c = newCommittee({ followers: 2 });
	c.host = newMember({ first: 'Rose', last: 'Mercier' });
	psql(`INSERT INTO committee_memberships (committee_id, user_id, role)
		VALUES (:'p1', :'p2', 'host')`, c.id, c.host.id);
	c.event = newEvent({ committeeId: c.id, capacity: 30 });
	psql(`INSERT INTO event_registrations (event_id, user_id, email, first_name, last_name,
		postal_code, status, registered_at) VALUES
		(:'p1', :'p2', :'p3', 'Alex', 'Bernard', '69001', 'registered', now()),
		(:'p1', NULL, :'p4', 'Léa', 'Durand', '69003', 'registered', now())`,
	c.event.id, c.followers[0].id, c.followers[0].email, 'guest-' + c.followers[0].email);
	return c;
}

function everyone(c) {
	return [c.supervisor, c.host, ...c.followers];
}

test("axe: the host's members page (supervisor); no e-mail address shown; promote a follower", async (t) => {
	const c = hostedCommittee();
	const base = `/committees/${c.slug}/manage/members`;
	const page = await t.newPage({ bypassCSP: true });
	await login(page, c.supervisor, base);
	assert.equal(status(page), 200);
	const rows = page.locator('table tbody tr');
	assert.equal(await rows.count(), 4, 'the supervisor, the co-host, two followers');
	assert.equal(await page.getByRole('button', { name: 'Nommer co-animateur' }).count(), 2);
	assert.equal(await page.getByRole('button', { name: 'Retirer le rôle' }).count(), 1);
	const text = await page.locator('main').textContent();
	for (const m of everyone(c))
		assert.ok(!text.includes(m.email), `${m.email} is not shown`);
	assert.ok(!text.includes('@'), 'no e-mail address at all');
	await screenshot(page, 'manage-members');
	await checkAxe(page);

	// The supervisor names a follower co-host: the page comes back with a
	// notice and the new role (checked by axe in that state too).
	const follower = c.followers[1];
	const row = rows.filter({ hasText: follower.first });
	await submitTo(page, row.getByRole('button', { name: 'Nommer co-animateur' }), base);
	assert.equal(await page.locator('.notice').count(), 1, 'a notice');
	assert.equal(membershipRole(c.id, follower.id), 'host');
	assert.equal(await page.getByRole('button', { name: 'Retirer le rôle' }).count(), 2);
	await checkAxe(page);
});

test("axe: the members page of a co-host (no promote or demote)", async (t) => {
	const c = hostedCommittee();
	const page = await t.newPage({ bypassCSP: true });
	await login(page, c.host, `/committees/${c.slug}/manage/members`);
	assert.equal(await page.locator('table tbody tr').count(), 4);
	assert.equal(await page.locator('table form').count(), 0, 'no role action for a co-host');
	await checkAxe(page);
});

/*
 * The other host pages, as the supervisor: axe on each, every violation of
 * every page reported at once.
 */
test('axe: the other host pages (dashboard, contact, timeline, event tools)', async (t) => {
	const c = hostedCommittee();
	const page = await t.newPage({ bypassCSP: true });
	await login(page, c.supervisor);
	const pages = [
		`/committees/${c.slug}/manage`,
		`/committees/${c.slug}/manage/contact`,
		`/committees/${c.slug}/manage/messages`,
		`/committees/${c.slug}/manage/edit`,
		`/committees/${c.slug}/events/new`,
		`/events/${c.event.slug}/manage`,
		`/events/${c.event.slug}/manage/checkin`,
		`/events/${c.event.slug}/manage/contact`,
		`/events/${c.event.slug}/invite`,
		`/events/${c.event.slug}/edit`,
		`/events/${c.event.slug}/cancel`,
	];
	const failures = [];
	for (const url of pages) {
		try {
			await open(page, url);
			const text = await page.locator('main').textContent();
			for (const m of everyone(c))
				assert.ok(!text.includes(m.email), `${url} shows ${m.email}`);
			await checkAxe(page);
		} catch (e) {
			failures.push(`${url}: ${e.message}`);
		}
	}
	assert.deepEqual(failures, [], failures.join('\n'));
});

/* A committee whose only host is `host` (its supervisor left the site). */
function committeeWithLastHost() {
	const c = newCommittee();
	c.host = newMember({ first: 'Rose', last: 'Mercier' });
	psql(`INSERT INTO committee_memberships (committee_id, user_id, role)
		VALUES (:'p1', :'p2', 'host')`, c.id, c.host.id);
	psql(`DELETE FROM committee_memberships WHERE committee_id = :'p1' AND role = 'supervisor'`, c.id);
	return c;
}

test('committee: the last host cannot leave; the refusal is said, with and without JavaScript', async (t) => {
	const c = committeeWithLastHost();
	const page = await t.newPage();
	await login(page, c.host, `/committees/${c.slug}`);
	const answer = page.waitForResponse((r) => r.url().endsWith(`/committees/${c.slug}/unfollow`));
	await (await followButton(page, UNFOLLOW)).click();
	assert.equal((await answer).status(), 409);
	await page.locator('.follow-status').waitFor();
	assert.match(await page.locator('.follow-status').textContent(), /dernier animateur/);
	await followButton(page, UNFOLLOW);
	assert.equal(membershipRole(c.id, c.host.id), 'host');
	assertNoPageErrors(page);

	const nojs = await t.newPage({ javaScriptEnabled: false });
	await login(nojs, c.host, `/committees/${c.slug}`);
	await submitTo(nojs, await followButton(nojs, UNFOLLOW), `/committees/${c.slug}`);
	assert.match(await nojs.locator('.notice').textContent(), /dernier animateur/);
	await followButton(nojs, UNFOLLOW);
	assert.equal(membershipRole(c.id, c.host.id), 'host');
});

test('axe: a pending committee as its creator, and the back-office committee screens', async (t) => {
	const c = newCommittee({ status: 'pending' });
	const page = await t.newPage({ bypassCSP: true });
	await login(page, c.supervisor, `/committees/${c.slug}`);
	assert.match(await page.locator('main').textContent(), /attend la validation/);
	await checkAxe(page);

	const admin = await t.newPage({ bypassCSP: true });
	await login(admin, newAdmin(), '/admin/committees');
	assert.ok(await admin.getByRole('link', { name: c.name }).count() >= 1, 'the pending committee is listed');
	await checkAxe(admin);
	await open(admin, `/admin/committees/${c.id}`);
	await checkAxe(admin);
	// A refusal without a reason: the form comes back with its error.
	await submitTo(admin, admin.getByRole('button', { name: 'Refuser le comité' }),
		`/admin/committees/${c.id}/refuse`);
	assert.equal(status(admin), 422);
	assert.equal(await admin.locator('#error-reason').count(), 1);
	await assertFieldErrorsTied(admin);
	await checkAxe(admin);
});

/* attended of the registrations of an event, by first name. */
function attendance(eventId) {
	return Object.fromEntries(psql(`SELECT first_name, coalesce(attended::text, '') FROM
		event_registrations WHERE event_id = :'p1'`, eventId));
}

const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

/* The check-in on a phone: everything fits the screen, the buttons are
 * targets a thumb can hit (WCAG 2.2's 24 px at least). */
async function checkPhoneCheckin(page) {
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
	for (const box of await page.locator('.checkin-row button').evaluateAll((bs) =>
		bs.map((b) => { const r = b.getBoundingClientRect(); return [r.width, r.height, b.textContent]; }))) {
		assert.ok(box[0] >= 24 && box[1] >= 24, `the button ${box[2]} is ${box[0]}×${box[1]} px`);
	}
}

test('check-in on a phone with JavaScript: present, then absent, in place', async (t) => {
	const c = hostedCommittee();
	const url = `/events/${c.event.slug}/manage/checkin`;
	const page = await t.newPage(PHONE);
	await login(page, c.host, url);
	await checkPhoneCheckin(page);
	const loads = countLoads(page);
	const row = page.locator('.checkin-row', { hasText: 'Léa' });
	await row.getByRole('button', { name: 'Présent' }).tap();
	await row.locator('.checkin-state', { hasText: 'Présent' }).waitFor();
	assert.equal(await row.getByRole('button', { name: 'Présent' }).getAttribute('aria-pressed'), 'true');
	assert.deepEqual(attendance(c.event.id), { Alex: '', 'Léa': 'true' });
	await row.getByRole('button', { name: 'Absent' }).tap();
	await row.locator('.checkin-state', { hasText: 'Absent' }).waitFor();
	assert.equal(await row.getByRole('button', { name: 'Présent' }).getAttribute('aria-pressed'), 'false');
	assert.equal(await row.getByRole('button', { name: 'Absent' }).getAttribute('aria-pressed'), 'true');
	assert.deepEqual(attendance(c.event.id), { Alex: '', 'Léa': 'false' });
	assert.equal(loads.n, 0, 'no page load');
	await screenshot(page, 'checkin-phone');
	assertNoPageErrors(page);
});

test('check-in on a phone without JavaScript: the form posts, the page comes back at the person', async (t) => {
	const c = hostedCommittee();
	const url = `/events/${c.event.slug}/manage/checkin`;
	const page = await t.newPage({ ...PHONE, javaScriptEnabled: false });
	await login(page, c.supervisor, url);
	await checkPhoneCheckin(page);
	const row = page.locator('.checkin-row', { hasText: 'Alex' });
	await submitTo(page, row.getByRole('button', { name: 'Présent' }), url);
	const id = psqlValue(`SELECT id FROM event_registrations WHERE event_id = :'p1'
		AND first_name = 'Alex'`, c.event.id);
	assert.equal(new URL(page.url()).hash, `#r-${id}`);
	assert.equal((await row.locator('.checkin-state').textContent()).trim(), 'Présent');
	assert.deepEqual(attendance(c.event.id), { Alex: 'true', 'Léa': '' });
});

/* A small JPEG made with vips (as content.test.mjs makes its photos). */
function photoFile() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civitas-browser-'));
	const file = path.join(dir, 'local.jpg');
	execFileSync('vips', ['xyz', path.join(dir, 'xy.v'), '640', '360']);
	execFileSync('vips', ['linear', path.join(dir, 'xy.v'), file, '0.2', '30']);
	return file;
}

/*
 * A member creates a committee with JavaScript (the commune picker fed by
 * the postal code, a photo): it waits, pending, seen by its creator only;
 * an admin approves it in the back-office; the creator is mailed both
 * times and becomes its supervisor; the page is public, with its photo.
 */
test('committee: created with the commune picker and a photo, pending, approved by an admin; axe on its page', async (t) => {
	const creator = newMember({ first: 'Zoé', last: 'Marchand' });
	const name = 'Comité ' + randomWord(6) + ' des pentes';
	const page = await t.newPage();
	await login(page, creator, '/committees/new');
	await page.getByLabel(/^Nom du comité/).fill(name);
	await page.getByLabel(/^Description/).fill('Un comité **de quartier** pour la Croix-Rousse.');
	await page.getByLabel(/^Photo/).setInputFiles(photoFile());
	// The address starts as the creator's (Lyon 1er); the committee meets
	// in the 4th: a new postal code, typed, brings its communes.
	assert.equal(await page.getByLabel('Code postal').inputValue(), '69001');
	assert.equal(await page.getByLabel('Commune').inputValue(), '69381');
	await page.getByLabel('Code postal').fill('');
	const api = page.waitForResponse((r) => r.url().includes('/api/cities?') && r.url().includes('69004'));
	await page.getByLabel('Code postal').pressSequentially('69004', { delay: 30 });
	await api;
	await page.waitForFunction(() => [...document.getElementById('city_code').options]
		.some((o) => o.textContent === 'Lyon 4e Arrondissement'));
	await page.getByLabel('Commune').selectOption({ label: 'Lyon 4e Arrondissement' });
	await page.getByLabel('Compte X (Twitter)').fill('@pentes69');
	await screenshot(page, 'committee-new');
	await submitTo(page, page.getByRole('button', { name: 'Créer le comité' }), /^\/committees\/[a-z0-9-]+$/);
	const slug = new URL(page.url()).pathname.split('/').pop();
	assert.match(await page.locator('main').textContent(), /attend la validation d'un administrateur/);
	const [st, insee, media] = psql(`SELECT status, city_insee, coalesce(media_id::text, '')
		FROM committees WHERE slug = :'p1'`, slug)[0];
	assert.deepEqual([st, insee], ['pending', '69384']);
	assert.match(media, /^\d+$/, 'the photo went through the media pipeline');
	await waitForMailMatching(creator.email, /attend sa validation$/);
	// Nobody else sees it yet. (bypassCSP: axe runs on its page below.)
	const visitor = await t.newPage({ bypassCSP: true });
	await open(visitor, `/committees/${slug}`, 404);

	const admin = await t.newPage();
	await login(admin, newAdmin(), '/admin/committees');
	await submitTo(admin, admin.getByRole('link', { name }), /^\/admin\/committees\/\d+$/);
	await submitTo(admin, admin.getByRole('button', { name: 'Valider le comité' }), /^\/admin\/committees\/\d+$/);
	assert.equal(await admin.locator('.notice').count(), 1);
	await waitForMailMatching(creator.email, /est validé$/);
	const id = psqlValue("SELECT id FROM committees WHERE slug = :'p1'", slug);
	assert.equal(membershipRole(id, creator.id), 'supervisor');

	await open(visitor, `/committees/${slug}`);
	assert.equal((await visitor.locator('h1').textContent()).trim(), name);
	assert.equal(await visitor.locator('.committee-photo img').count() >= 1, true, 'the photo is shown');
	assert.equal(await visitor.getByRole('link', { name: '@pentes69' }).getAttribute('href'), 'https://x.com/pentes69');
	assert.equal(await visitor.locator('.committee-description strong').textContent(), 'de quartier');
	await screenshot(visitor, 'committee-with-photo');
	await checkAxe(visitor);
	assertNoPageErrors(page);
	assertNoPageErrors(admin);
});

/*
 * The host's forms sent empty: each comes back (422) with its errors at
 * the fields, and axe finds nothing on it. Every page is checked and every
 * failure reported at once.
 */
test("axe: the host's forms after errors (event, contact, message, invitations)", async (t) => {
	const c = hostedCommittee();
	const page = await t.newPage({ bypassCSP: true });
	await login(page, c.supervisor);
	const forms = [
		[`/committees/${c.slug}/events/new`, "Enregistrer l'événement"],
		[`/committees/${c.slug}/manage/contact`, 'Envoyer'],
		[`/committees/${c.slug}/manage/messages`, 'Publier'],
		[`/events/${c.event.slug}/manage/contact`, 'Envoyer'],
		[`/events/${c.event.slug}/invite`, 'Envoyer les invitations'],
	];
	const failures = [];
	for (const [url, button] of forms) {
		try {
			await open(page, url);
			// Fields the browser would check are left to the server.
			await page.evaluate(() => document.querySelectorAll('form').forEach((f) => { f.noValidate = true; }));
			await page.locator('main form input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]), main form textarea')
				.evaluateAll((els) => els.forEach((el) => { if (!el.readOnly) el.value = ''; }));
			await submitTo(page, page.getByRole('button', { name: button, exact: true }), url);
			assert.equal(status(page), 422, `${url}: an empty form is refused`);
			assert.ok(await page.locator('.field-error, .form-error').count() >= 1, `${url}: errors shown`);
			await assertFieldErrorsTied(page);
			await checkAxe(page);
		} catch (e) {
			failures.push(`${url}: ${e.message}`);
		}
	}
	assert.deepEqual(failures, [], failures.join('\n'));
});
