// SPDX-License-Identifier: MIT
// The public site in a real browser: pictures that show a blurred
// placeholder at once and sharpen when they come into view (lazy loading,
// with and without JavaScript), search as you type, and axe-core on the
// homepage, an article, search and the back-office article form.
//
// The content is made here, through the real command line and database
// (civitas-fcgi media-import, psql): 14 fresh articles with a photo, so the
// homepage's grid reaches far below the first screen of a phone.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert, test, status, open, submitTo, screenshot, assertNoPageErrors, checkAxe } from './lib.mjs';

const BIN = path.join(process.env.BIN_DIR || 'build', 'civitas-fcgi');
const WORD = 'zb' + Math.random().toString(36).slice(2, 9).replace(/[0-9]/g, 'k');
const ADMIN = { email: `browser-admin-${Date.now().toString(36)}@example.org`, password: 'browser-admin-pw' };
let seeded = null;

function psql(sql) {
	return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
		'-d', process.env.DATABASE_URL, '-c', sql], { encoding: 'utf8' }).trim();
}

/* 14 photos, 14 published articles using them (newest first), an admin. */
function seed() {
	if (seeded)
		return seeded;
	// A photo of its own for each article: pictures sharing one URL would
	// come from the memory cache and defeat the lazy-loading check.
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civitas-browser-'));
	const base = path.join(dir, 'xy.v');
	execFileSync('vips', ['xyz', base, '800', '450']);
	const media = [];
	for (let i = 0; i < 14; i++) {
		const jpg = path.join(dir, `photo-${i}.jpg`);
		execFileSync('vips', ['linear', base, jpg, String(0.05 + i / 100), String(20 + 10 * i)]);
		const id = execFileSync(BIN, ['media-import', jpg, `Une place de village, photo ${i}`],
			{ encoding: 'utf8' }).trim().split(/\s+/).pop();
		assert.match(id, /^\d+$/, 'media-import prints the id');
		media.push(id);
	}
	fs.rmSync(dir, { recursive: true, force: true });
	const slugs = [];
	for (let i = 0; i < 14; i++) {
		const slug = `${WORD}-article-${i}`;
		slugs.push(slug);
		psql(`INSERT INTO articles (slug, title, summary, body_md, body_html, media_id,
			status, published_at, first_published_at, author_name)
			VALUES ('${slug}', 'Réunion ${WORD} numéro ${i}', 'Résumé de la réunion ${i}.',
			'Texte ${i}.', '<p>Texte ${i}.</p>', ${media[i]}, 'published',
			now() - interval '${i} seconds', now(), 'Équipe civitas')`);
	}
	execFileSync(BIN, ['admin', ADMIN.email], { env: { ...process.env, PASSWORD: ADMIN.password } });
	seeded = { media, slugs };
	return seeded;
}

/* The homepage once it shows this run's articles (nginx keeps pages 5 s). */
async function openHome(page) {
	const { slugs } = seed();
	for (let i = 0; i < 40; i++) {
		await open(page, '/');
		if (await page.locator(`a[href="/articles/${slugs[0]}"]`).count())
			return;
		await page.waitForTimeout(250);
	}
	assert.fail('the homepage never showed the new articles');
}

function imgRequests(page) {
	const seen = [];
	page.on('request', (r) => {
		const u = new URL(r.url());
		if (u.pathname.startsWith('/img/'))
			seen.push(u.pathname);
	});
	return seen;
}

test('pictures: placeholder at once, real image lazily when scrolled into view', async (t) => {
	const page = await t.newPage({ viewport: { width: 390, height: 844 } });
	const requested = imgRequests(page);
	await openHome(page);
	const info = await page.$$eval('img.pic-img', (imgs) => imgs.map((img) => ({
		src: img.currentSrc || img.src, top: img.getBoundingClientRect().top,
		loading: img.getAttribute('loading'), w: img.getAttribute('width'),
		h: img.getAttribute('height'), natural: img.naturalWidth,
		ph: img.closest('.pic').querySelector('img.pic-ph')?.getAttribute('src') || '',
	})));
	assert.ok(info.length >= 10, `pictures on the homepage: ${info.length}`);
	for (const i of info) {
		assert.match(i.w || '', /^\d+$/, 'width attribute');
		assert.match(i.h || '', /^\d+$/, 'height attribute');
		assert.match(i.ph, /^data:image\/jpeg;base64,/, 'a placeholder as data: URI');
	}
	const far = info.filter((i) => i.top > 844 * 3);
	assert.ok(far.length >= 3, 'pictures far below the first screen');
	for (const i of far) {
		assert.equal(i.loading, 'lazy');
		assert.equal(i.natural, 0, 'a far picture is not loaded yet');
	}
	// Its placeholder shows; the real image waits, transparent, above it.
	const last = page.locator('img.pic-img').last();
	const lastPh = page.locator('.pic').last().locator('img.pic-ph');
	assert.ok(await lastPh.evaluate((img) => img.complete && img.naturalWidth > 0), 'placeholder decoded');
	assert.equal(await last.evaluate((img) => getComputedStyle(img).opacity), '0');
	const before = requested.length;
	await last.scrollIntoViewIfNeeded();
	await page.waitForFunction(() => {
		const imgs = document.querySelectorAll('img.pic-img');
		const img = imgs[imgs.length - 1];
		return img.complete && img.naturalWidth > 0 && img.classList.contains('loaded');
	}, null, { timeout: 15000 });
	assert.ok(requested.length > before, 'the picture was fetched when it came into view');
	await page.waitForFunction(() => {
		const imgs = document.querySelectorAll('img.pic-img');
		return getComputedStyle(imgs[imgs.length - 1]).opacity === '1';
	}, null, { timeout: 5000 });
	await screenshot(page, 'home-pictures');
	assertNoPageErrors(page);
});

test('pictures without JavaScript: the real images still show', async (t) => {
	const page = await t.newPage({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
	await openHome(page);
	const last = page.locator('img.pic-img').last();
	await last.scrollIntoViewIfNeeded();
	await page.waitForFunction(() => {
		const imgs = document.querySelectorAll('img.pic-img');
		const img = imgs[imgs.length - 1];
		return img.complete && img.naturalWidth > 0;
	}, null, { timeout: 15000 });
	assert.equal(await last.evaluate((img) => getComputedStyle(img).opacity), '1');
});

test('search as you type: results appear without submitting', async (t) => {
	seed();
	const page = await t.newPage();
	const api = [];
	page.on('request', (r) => {
		if (new URL(r.url()).pathname === '/api/search')
			api.push(r.url());
	});
	await open(page, '/search');
	await page.evaluate(() => { window.stillThisPage = true; });
	await page.locator('#q').pressSequentially(WORD, { delay: 40 });
	const first = page.locator('#search-results a', { hasText: `Réunion ${WORD}` }).first();
	await first.waitFor({ timeout: 15000 });
	assert.equal(await page.evaluate(() => window.stillThisPage), true, 'no page load');
	assert.ok(api.length >= 1, 'asked /api/search');
	assert.match(await page.locator('#search-status').textContent(), /\d+ résultat/);
	await screenshot(page, 'search-as-you-type');
	assertNoPageErrors(page);
});

test('axe: / (home with pictures)', async (t) => {
	const page = await t.newPage({ bypassCSP: true });
	await openHome(page);
	await checkAxe(page);
});

test('axe: an article', async (t) => {
	const { slugs } = seed();
	const page = await t.newPage({ bypassCSP: true });
	await open(page, `/articles/${slugs[1]}`);
	await checkAxe(page);
});

test('axe: /search with results', async (t) => {
	seed();
	const page = await t.newPage({ bypassCSP: true });
	await open(page, `/search?q=${WORD}`);
	assert.ok(await page.locator('#search-results li').count() >= 1, 'results shown');
	await checkAxe(page);
});

test('axe: the back-office article form, fresh and with errors', async (t) => {
	seed();
	const page = await t.newPage({ bypassCSP: true });
	await open(page, '/login');
	await page.getByLabel('Adresse e-mail').fill(ADMIN.email);
	await page.getByLabel('Mot de passe').fill(ADMIN.password);
	await submitTo(page, page.getByRole('button', { name: /connecter/i }), /.*/);
	await open(page, '/admin/articles/new');
	await checkAxe(page);
	await page.locator('#title').fill('');
	await page.locator('#title').evaluate((el) => { el.form.noValidate = true; });
	await page.locator('button[name="action"]').first().click();
	await page.waitForLoadState('load');
	assert.equal(status(page), 422, 'an empty title is refused');
	await checkAxe(page);
});
