// SPDX-License-Identifier: MIT
// Campaigns in a real browser (issue 9, section 2): an admin composes a
// campaign to the members of the Rhône, previews it, sends it; the
// campaign's page shows a <progress> bar that its script (60-campaigns.js)
// updates from the JSON endpoint without reloading the page, and the page
// reloads itself without script; axe-core finds no violation on the
// campaign screens (list, form with and without errors, the campaign with
// its count, the preview, the progress, the failures, the referents, and
// the host's screens).
//
// Members and committees are written to the database (lib.mjs); what the
// admin does goes through the pages. Whether the mail worker delivers the
// campaign is not this file's business: the bar is seen moving when a
// recipient gets an outcome, from the worker or written here as the
// worker would.
import {
	assert, test, open, status, submitTo, screenshot, assertNoPageErrors, checkAxe,
	psql, psqlValue, newMember, newAdmin, newCommittee, login, randomWord,
	assertFieldErrorsTied,
} from './lib.mjs';

function subscribe(member, type = 'national') {
	psql("INSERT INTO user_subscriptions (user_id, type) VALUES (:'p1', :'p2') ON CONFLICT DO NOTHING",
		member.id, type);
}

function campaignId(page) {
	const m = /\/campaigns\/(\d+)$/.exec(new URL(page.url()).pathname);
	assert.ok(m, `a campaign's page, not ${page.url()}`);
	return m[1];
}

test('campaign: compose, preview, send, the progress bar moves; axe on every screen', async (t) => {
	const people = [newMember({ first: 'Léa' }), newMember({ first: 'Hugo' })];
	people.forEach((p) => subscribe(p));
	const admin = newAdmin();
	const page = await t.newPage({ bypassCSP: true });
	await login(page, admin, '/admin/campaigns');
	await checkAxe(page);
	await open(page, '/admin/campaigns/new');
	await checkAxe(page);

	// A wrong form comes back with its values and its errors tied.
	await page.getByLabel('Objet').fill('');
	await page.getByLabel('Départements', { exact: false }).fill('69 999');
	await submitTo(page, page.getByRole('button', { name: 'Enregistrer le brouillon' }),
		'/admin/campaigns/new');
	assert.equal(status(page), 422);
	assert.equal(await page.getByLabel('Départements', { exact: false }).inputValue(), '69 999');
	await assertFieldErrorsTied(page);
	await checkAxe(page);

	const subject = 'Samedi à Lyon ' + randomWord();
	await page.getByLabel('Objet').fill(subject);
	await page.getByLabel('Message', { exact: false }).fill(
		'Bonjour {first_name},\n\nRendez-vous **samedi** place Bellecour.\n\n' +
		'[Se désabonner]({unsubscribe_url})');
	await page.getByLabel('Départements', { exact: false }).fill('69');
	await page.getByLabel('Les adhérents', { exact: true }).check();
	await submitTo(page, page.getByRole('button', { name: 'Enregistrer le brouillon' }),
		/^\/admin\/campaigns\/\d+$/);
	const id = campaignId(page);
	const count = Number((await page.locator('#campaign-count').textContent()).trim());
	assert.equal(count, Number(psqlValue("SELECT count(*) FROM campaign_audience(:'p1')", id)));
	assert.ok(count >= 2, `the Rhône's members: ${count}`);
	await checkAxe(page);
	await screenshot(page, 'campaign-draft');

	// Preview for one of them, by address: the HTML and the text parts.
	await page.getByRole('link', { name: 'Aperçu' }).click();
	await page.waitForLoadState('load');
	await page.getByLabel("Adresse d'un destinataire").fill(people[0].email);
	await submitTo(page, page.getByRole('button', { name: 'Prévisualiser pour cette adresse' }),
		`/admin/campaigns/${id}/preview`);
	assert.match(await page.locator('#preview-html').innerHTML(), /Bonjour Léa,[\s\S]*<strong>samedi<\/strong>/);
	assert.match(await page.locator('#preview-text').textContent(), /Bonjour Léa,\n\nRendez-vous \*\*samedi\*\*/);
	await checkAxe(page);
	await screenshot(page, 'campaign-preview');

	// Send: the page answers at once with the progress.
	await open(page, `/admin/campaigns/${id}`);
	await submitTo(page, page.getByRole('button', { name: /^Envoyer maintenant/ }),
		`/admin/campaigns/${id}`);
	const bar = page.locator('progress#campaign-bar');
	await bar.waitFor();
	assert.equal(Number(await bar.getAttribute('max')), count);
	assert.equal(Number(psqlValue("SELECT count(*) FROM campaign_recipients WHERE campaign_id = :'p1'", id)), count);
	await checkAxe(page);

	// The bar moves in place: one outcome (the worker's, or one written
	// here as the worker writes it) shows without a page load.
	let loads = 0;
	page.on('framenavigated', (f) => { if (f === page.mainFrame()) loads += 1; });
	psql("UPDATE campaign_recipients SET status = 'sent', sent_at = now() WHERE campaign_id = :'p1' AND id = 1 AND status = 'pending'", id);
	await page.waitForFunction(() => document.getElementById('campaign-bar').value >= 1, null, { timeout: 15000 });
	assert.equal(loads, 0, 'updated without reloading');
	const sentShown = Number((await page.locator('dd[data-k="sent"]').textContent()).trim());
	assert.ok(sentShown >= 1, `sent shown: ${sentShown}`);
	await screenshot(page, 'campaign-progress');

	// Failures (one recorded), the referents' screen.
	psql("UPDATE campaign_recipients SET status = 'failed', error = '550 Boîte inconnue' WHERE campaign_id = :'p1' AND id = 2 AND status = 'pending'", id);
	await open(page, `/admin/campaigns/${id}/failures`);
	await checkAxe(page);
	await open(page, '/admin/referents');
	await checkAxe(page);
	assertNoPageErrors(page);
});

test('campaign: without JavaScript the progress page reloads itself while sending', async (t) => {
	const m = newMember({ first: 'Inès' });
	subscribe(m);
	const admin = newAdmin();
	const id = psqlValue(`INSERT INTO campaigns (sender, author_id, subject, body_md, audience,
		departements, subscription_type) VALUES ('admin', :'p1', 'Sans script', 'Bonjour {first_name}',
		'members', '{69}', 'national') RETURNING id`, admin.id);
	psql("SELECT campaign_start(:'p1', '<p>Bonjour {first_name}</p>')", id);
	const page = await t.newPage({ javaScriptEnabled: false });
	await login(page, admin, `/admin/campaigns/${id}`);
	const st = psqlValue("SELECT status FROM campaigns WHERE id = :'p1'", id);
	if (st === 'sending') {
		assert.equal(await page.locator('noscript meta[http-equiv="refresh"]').count() +
			await page.locator('head noscript').count() > 0, true, 'a refresh inside <noscript>');
		assert.equal(await page.getByRole('link', { name: 'Actualiser' }).count(), 1);
	}
	assert.equal(await page.locator('progress#campaign-bar').count(), 1);
});

test('campaign: a host composes for the followers; axe on the host screens', async (t) => {
	const c = newCommittee({ followers: 2 });
	psql("INSERT INTO user_subscriptions (user_id, type) SELECT user_id, 'committees' FROM committee_memberships WHERE committee_id = :'p1' ON CONFLICT DO NOTHING", c.id);
	const page = await t.newPage({ bypassCSP: true });
	await login(page, c.supervisor, `/committees/${c.slug}/manage/campaigns`);
	await checkAxe(page);
	await open(page, `/committees/${c.slug}/manage/campaigns/new`);
	await checkAxe(page);
	await page.getByLabel('Objet').fill('Réunion du comité');
	await page.getByLabel('Message', { exact: false }).fill('Bonjour {first_name}, à jeudi !');
	await submitTo(page, page.getByRole('button', { name: 'Enregistrer le brouillon' }),
		/^\/committees\/[^/]+\/manage\/campaigns\/\d+$/);
	assert.equal(Number((await page.locator('#campaign-count').textContent()).trim()), 3);
	await checkAxe(page);
	await page.getByRole('link', { name: 'Aperçu' }).click();
	await page.waitForLoadState('load');
	assert.equal(await page.locator('body').textContent().then((s) => s.includes('@')), false,
		'no address on a host page');
	await checkAxe(page);
	assertNoPageErrors(page);
});
