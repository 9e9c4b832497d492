// SPDX-License-Identifier: MIT
// Events in a real browser: registration as a guest (the form, the
// confirmation, the mail with its cancel link and the event as an .ics)
// and as a logged-in member (one click); the waiting list of an event of
// one seat (the second person waits, the first cancels through the link
// of their mail, the second gets the seat and a mail); axe-core on the
// event page and the registration form, fresh and after errors.
//
// Events and members are written to the database (lib.mjs, "committees
// and events"); everything a person does goes through the pages.
import {
	assert, test, open, status, submitTo, screenshot, assertNoPageErrors, checkAxe,
	uniqueEmail, newMember, newEvent, login, registrationsOf, waitForMailMatching,
	cancelLinkOf, psql, psqlValue, newCommittee, assertFieldErrorsTied,
} from './lib.mjs';

async function heading(page) {
	return (await page.locator('h1').first().textContent()).trim();
}

/* The event page, then its registration link, as a visitor goes. */
async function openRsvp(page, ev, linkName = "S'inscrire") {
	await open(page, `/events/${ev.slug}`);
	assert.equal(await heading(page), ev.name);
	await submitTo(page, page.getByRole('link', { name: linkName, exact: true }),
		`/events/${ev.slug}/rsvp`);
	assert.equal(status(page), 200);
	assert.equal(await heading(page), `S'inscrire à « ${ev.name} »`);
}

async function fillGuest(page, g) {
	await page.getByLabel('Prénom').fill(g.first);
	await page.getByLabel('Nom', { exact: true }).fill(g.last);
	await page.getByLabel('Adresse e-mail').fill(g.email);
	await page.getByLabel('Code postal').fill(g.postal);
}

function guest(tag, first = 'Léa', last = 'Durand') {
	return { first, last, email: uniqueEmail(tag), postal: '69003' };
}

/* A registration mail: its subject, text, cancel link and .ics. */
async function seatMail(email, ev, kind) {
	const mail = await waitForMailMatching(email, new RegExp('^' + kind + ' : '));
	assert.equal(mail.subject, `${kind} : ${ev.name}`);
	assert.ok(mail.text.includes(`« ${ev.name} »`), 'the mail names the event');
	const link = cancelLinkOf(mail);
	const ics = mail.attachments.filter((a) => a.filename.endsWith('.ics'));
	assert.equal(ics.length, 1, `one .ics attached to ${mail.file}`);
	assert.match(ics[0].type, /^text\/calendar; charset=UTF-8; method=REQUEST$/);
	assert.match(ics[0].content, /^BEGIN:VCALENDAR\r\n/);
	assert.match(ics[0].content, /\r\nMETHOD:REQUEST\r\n/);
	assert.match(ics[0].content, /\r\nBEGIN:VEVENT\r\n/);
	// SUMMARY may be folded at 75 octets: unfold before looking.
	const unfolded = ics[0].content.replace(/\r\n[ \t]/g, '');
	assert.ok(unfolded.includes('SUMMARY:' + ev.name), 'SUMMARY is the event');
	return { mail, link, ics: unfolded };
}

test('event: a guest registers with the form; mail with a cancel link and the .ics', async (t) => {
	const ev = newEvent({ capacity: 20 });
	const page = await t.newPage();
	await openRsvp(page, ev);
	const g = guest('guest', 'Léa', 'Durand-Müller');
	await fillGuest(page, g);
	await page.getByLabel(/recevoir les actualités/).check();
	await screenshot(page, 'event-rsvp-guest');
	await submitTo(page, page.getByRole('button', { name: "Je m'inscris" }), `/events/${ev.slug}/rsvp`);
	assert.equal(status(page), 200);
	assert.equal(await heading(page), 'Inscription confirmée');
	assert.match(await page.locator('main').textContent(), /Un e-mail de confirmation vous attend/);

	const rows = registrationsOf(ev.id);
	assert.deepEqual(rows, [{ email: g.email.toLowerCase(), status: 'registered', user_id: '' }]);
	const { link, ics } = await seatMail(g.email, ev, 'Inscription confirmée');
	const uuid = psqlValue("SELECT uuid FROM events WHERE id = :'p1'", ev.id);
	assert.match(ics, new RegExp(`\r\nUID:${uuid}@`), 'the UID is the event\'s');
	assert.ok(ics.toLowerCase().includes('mailto:' + g.email.toLowerCase()), 'the guest is the ATTENDEE');
	assert.match(link, /^\/events\/cancel\/[A-Za-z0-9_-]{20,}$/);

	// The same address again is the same registration, not a second one.
	await openRsvp(page, ev);
	await fillGuest(page, { ...g, first: 'Léa-Marie' });
	await submitTo(page, page.getByRole('button', { name: "Je m'inscris" }), `/events/${ev.slug}/rsvp`);
	assert.equal(await heading(page), 'Inscription confirmée');
	assert.match(await page.locator('main').textContent(), /déjà inscrit\(e\)/);
	assert.equal(registrationsOf(ev.id).length, 1, 'one registration per address');
	assertNoPageErrors(page);
});

test('event: a logged-in member registers in one click with their profile', async (t) => {
	const ev = newEvent({ capacity: 20 });
	const member = newMember({ first: 'Mathis', last: 'Roux' });
	const page = await t.newPage();
	await login(page, member);
	await openRsvp(page, ev);
	// No guest field: one button, with the member's name.
	assert.equal(await page.locator('#rsvp-form input:not([type=hidden])').count(), 0, 'no field to fill');
	assert.match(await page.locator('#rsvp-form').textContent(),
		/Vous vous inscrivez en tant que Mathis Roux/);
	await submitTo(page, page.getByRole('button', { name: "Je m'inscris" }), `/events/${ev.slug}/rsvp`);
	assert.equal(status(page), 200);
	assert.equal(await heading(page), 'Inscription confirmée');
	assert.deepEqual(registrationsOf(ev.id),
		[{ email: member.email.toLowerCase(), status: 'registered', user_id: member.id }]);
	await seatMail(member.email, ev, 'Inscription confirmée');
	assertNoPageErrors(page);
});

test('event: waiting list of one seat; the first cancels by the mail link, the second gets the seat', async (t) => {
	const ev = newEvent({ capacity: 1 });
	const first = guest('first', 'Inès', 'Garnier');
	const second = guest('second', 'Hugo', 'Petit');

	// The first person takes the only seat.
	const p1 = await t.newPage();
	await openRsvp(p1, ev);
	await fillGuest(p1, first);
	await submitTo(p1, p1.getByRole('button', { name: "Je m'inscris" }), `/events/${ev.slug}/rsvp`);
	assert.equal(await heading(p1), 'Inscription confirmée');
	const { link } = await seatMail(first.email, ev, 'Inscription confirmée');

	// The second is offered the waiting list (the page says "Complet")
	// and ends waiting, with a mail that says so.
	const p2 = await t.newPage();
	await open(p2, `/events/${ev.slug}/rsvp`);
	assert.match(await p2.locator('.event-full').textContent(), /Complet/);
	await fillGuest(p2, second);
	await screenshot(p2, 'event-rsvp-full');
	await submitTo(p2, p2.getByRole('button', { name: "Rejoindre la liste d'attente" }),
		`/events/${ev.slug}/rsvp`);
	assert.equal(status(p2), 200);
	assert.equal(await heading(p2), "Vous êtes sur la liste d'attente");
	assert.deepEqual(registrationsOf(ev.id).map((r) => r.status), ['registered', 'waiting']);
	const waiting = await waitForMailMatching(second.email, /^Liste d'attente : /);
	assert.equal(waiting.attachments.length, 0, 'no calendar for a place in the queue');
	// Its link offers to leave the queue (not followed here).
	const waitingLink = cancelLinkOf(waiting);
	await open(p2, waitingLink);
	assert.match(await p2.locator('main').textContent(), /vous êtes sur la liste d'attente de l'événement/);
	assert.equal(await p2.getByRole('button', { name: "Quitter la liste d'attente" }).count(), 1);

	// The first cancels through the link of their mail: the link shows a
	// page with a button (a GET changes nothing), the button cancels.
	await open(p1, link);
	assert.equal(await heading(p1), 'Annuler mon inscription');
	assert.match(await p1.locator('main').textContent(), /Bonjour Inès, vous êtes inscrit\(e\) à l'événement/);
	assert.deepEqual(registrationsOf(ev.id).map((r) => r.status), ['registered', 'waiting'],
		'opening the link changes nothing');
	await screenshot(p1, 'event-cancel-confirm');
	await submitTo(p1, p1.getByRole('button', { name: 'Annuler mon inscription' }), link);
	assert.equal(status(p1), 200);
	assert.equal(await heading(p1), 'Inscription annulée');

	// The second is promoted and mailed, with the calendar and a link.
	assert.deepEqual(registrationsOf(ev.id).map((r) => [r.email, r.status]),
		[[first.email.toLowerCase(), 'cancelled'], [second.email.toLowerCase(), 'registered']]);
	const promoted = await seatMail(second.email, ev, "Une place s'est libérée");
	assert.notEqual(promoted.link, link);
	// The newest mail's link is the one that works now.
	await open(p2, waitingLink, 404);
	await open(p2, promoted.link);
	assert.match(await p2.locator('main').textContent(), /Bonjour Hugo, vous êtes inscrit\(e\) à l'événement/);

	// The link served once.
	await open(p1, link, 404);
	assert.equal(await heading(p1), 'Lien inconnu ou déjà utilisé');
	assertNoPageErrors(p1);
	assertNoPageErrors(p2);
});

/* axe needs bypassCSP (it is injected inline), as in a11y.test.mjs. */
test('axe: an event page', async (t) => {
	const ev = newEvent({ capacity: 20 });
	const page = await t.newPage({ bypassCSP: true });
	await open(page, `/events/${ev.slug}`);
	await screenshot(page, 'event-page');
	await checkAxe(page);
});

test('axe: the registration form of a full event (waiting list offered)', async (t) => {
	const ev = newEvent({ capacity: 1 });
	const page = await t.newPage({ bypassCSP: true });
	await openRsvp(page, ev);
	await fillGuest(page, guest('axefull'));
	await submitTo(page, page.getByRole('button', { name: "Je m'inscris" }), `/events/${ev.slug}/rsvp`);
	await open(page, `/events/${ev.slug}/rsvp`);
	assert.equal(await page.locator('.event-full').count(), 1, 'the form says Complet');
	await checkAxe(page);
});

test('axe: the registration form, fresh and after errors (422)', async (t) => {
	const ev = newEvent({ capacity: 20 });
	const page = await t.newPage({ bypassCSP: true });
	await open(page, `/events/${ev.slug}/rsvp`);
	await checkAxe(page);
	await page.getByLabel('Adresse e-mail').fill('pas-une-adresse');
	await submitTo(page, page.getByRole('button', { name: "Je m'inscris" }), `/events/${ev.slug}/rsvp`);
	assert.equal(status(page), 422);
	assert.ok(await page.locator('.field-error').count() >= 3, 'field errors shown');
	assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), 'pas-une-adresse', 'value kept');
	assert.equal(await page.getByLabel('Adresse e-mail').getAttribute('aria-describedby'), 'error-email');
	await assertFieldErrorsTied(page);
	await screenshot(page, 'event-rsvp-errors');
	await checkAxe(page);
	assert.deepEqual(registrationsOf(ev.id), [], 'nothing registered');
});

test('axe: the registration form of a logged-in member', async (t) => {
	const ev = newEvent({ capacity: 20 });
	const page = await t.newPage({ bypassCSP: true });
	await login(page, newMember());
	await open(page, `/events/${ev.slug}/rsvp`);
	await checkAxe(page);
});

test("axe: a committee's event page, and a cancelled one (registration closed)", async (t) => {
	const c = newCommittee();
	const ev = newEvent({ committeeId: c.id, capacity: 5 });
	const page = await t.newPage({ bypassCSP: true });
	await open(page, `/events/${ev.slug}`);
	assert.equal(await page.getByRole('link', { name: c.name }).getAttribute('href'), `/committees/${c.slug}`);
	await checkAxe(page);
	// Cancelled before anyone saw it (no cached copy of the page).
	const gone = newEvent({ committeeId: c.id, capacity: 5 });
	psql(`UPDATE events SET status = 'cancelled', cancel_message = 'La salle n''est plus disponible.'
		WHERE id = :'p1'`, gone.id);
	await open(page, `/events/${gone.slug}`);
	assert.equal(await page.locator('.event-state.cancelled').count(), 1, 'the page says cancelled');
	assert.match(await page.locator('.event-cancel-message').textContent(), /La salle n'est plus disponible/);
	assert.equal(await page.getByRole('link', { name: "S'inscrire" }).count(), 0, 'no registration link');
	await checkAxe(page);
	await open(page, `/events/${gone.slug}/rsvp`, 409);
	assert.equal(await heading(page), 'Inscriptions closes');
});

test('axe: the events list, a confirmation, the cancel link page and its answer', async (t) => {
	const ev = newEvent({ capacity: 20 });
	const page = await t.newPage({ bypassCSP: true });
	await open(page, '/events');
	await checkAxe(page);
	await open(page, `/events/${ev.slug}/rsvp`);
	const g = guest('axecancel');
	await fillGuest(page, g);
	await submitTo(page, page.getByRole('button', { name: "Je m'inscris" }), `/events/${ev.slug}/rsvp`);
	assert.equal(await heading(page), 'Inscription confirmée');
	await checkAxe(page);
	const { link } = await seatMail(g.email, ev, 'Inscription confirmée');
	await open(page, link);
	assert.equal(await heading(page), 'Annuler mon inscription');
	await checkAxe(page);
	await submitTo(page, page.getByRole('button', { name: 'Annuler mon inscription' }), link);
	assert.equal(await heading(page), 'Inscription annulée');
	await checkAxe(page);
	await open(page, link, 404);
	await checkAxe(page);
});

test('event page when full: "Complet", the count, and the waiting list offered (axe too)', async (t) => {
	const ev = newEvent({ capacity: 1 });
	psql(`INSERT INTO event_registrations (event_id, email, first_name, last_name, status,
		registered_at, created_at) VALUES
		(:'p1', :'p2', 'Inès', 'Garnier', 'registered', now(), now() - interval '1 minute'),
		(:'p1', :'p3', 'Hugo', 'Petit', 'waiting', NULL, now())`,
	ev.id, uniqueEmail('seat'), uniqueEmail('queue'));
	const page = await t.newPage({ bypassCSP: true });
	await open(page, `/events/${ev.slug}`);
	const seats = page.locator('.event-seats');
	assert.match(await seats.textContent(), /1 inscrit sur 1 place, 1 en liste d'attente\./);
	assert.match(await seats.locator('.event-full').textContent(), /Complet/);
	assert.equal(await page.getByRole('link', { name: "S'inscrire", exact: true }).count(), 0);
	await submitTo(page, page.getByRole('link', { name: "Rejoindre la liste d'attente" }), `/events/${ev.slug}/rsvp`);
	await open(page, `/events/${ev.slug}`);
	await checkAxe(page);
});
