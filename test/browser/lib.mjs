// SPDX-License-Identifier: MIT
// civitas browser tests: the small harness shared by every *.test.mjs file.
//
// Debian's Chromium (/usr/bin/chromium), headless, driven by playwright-core;
// no browser is downloaded. Environment (the stack's env file):
//   BASE_URL       the site, e.g. http://127.0.0.1:18080 (required)
//   CIVITAS_VAR    the stack directory; mail is read from $CIVITAS_VAR/mail
//   TRUSTED_PROXY  the proxy address nginx trusts for X-Forwarded-For
//                  (default 127.0.0.2), see startProxy()
//   CHROMIUM       the browser (default /usr/bin/chromium)
//   BROWSER_SHOTS  a directory: when set, tests save screenshots there
//   BROWSER_DIRECT=1  no proxy: the browser talks to nginx directly
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';

export { assert };

export const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
export const CIVITAS_VAR = process.env.CIVITAS_VAR || '';
export const SHOTS = process.env.BROWSER_SHOTS || '';
export const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const tests = [];

/* Register a test case: fn(t) with t = { newPage(opts), ... } (see run()). */
export function test(name, fn, { timeout = 60000 } = {}) {
	tests.push({ name, fn, timeout });
}

/*
 * A unique sign-up address for this run. The e-mail check of the app wants
 * a dot in the domain; nothing is ever sent outside the SMTP sink.
 */
let serial = 0;
export function uniqueEmail(tag) {
	serial += 1;
	return `browser-${tag}-${Date.now().toString(36)}-${process.pid}-${serial}@example.org`;
}

/*
 * An HTTP forward proxy on loopback through which the browser reaches nginx:
 * it connects from TRUSTED_PROXY (127.0.0.2) and so nginx takes the client
 * address from X-Forwarded-For, which every browser context sets to an
 * address of its own (127.77.x.y). That way the sign-up/login rate limit
 * (10 POST a minute per client) counts each test case apart, and other suites
 * that ran just before on the same stack cannot make these tests fail with a
 * 429. The proxy forwards only to BASE_URL's origin, and to the fake payment
 * provider's (PAYBOX_PORT on 127.0.0.1) for the donation tests.
 */
function startProxy(target, localAddress) {
	const hop = new Set(['connection', 'keep-alive', 'proxy-connection',
		'proxy-authorization', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
	const agent = new http.Agent({ keepAlive: true, localAddress });
	const server = http.createServer((req, res) => {
		let url;
		try {
			url = new URL(req.url);
		} catch {
			res.writeHead(400).end('proxy: absolute URL expected\n');
			return;
		}
		// donations (issue 10): the fake payment provider's page too
		const provider = process.env.PAYBOX_PORT ?
			'http://127.0.0.1:' + process.env.PAYBOX_PORT : '';
		if (url.origin !== target.origin && url.origin !== provider) {
			res.writeHead(403).end('proxy: only ' + target.origin + '\n');
			req.resume();
			return;
		}
		server.count += 1;
		const headers = {};
		for (const [k, v] of Object.entries(req.headers))
			if (!hop.has(k))
				headers[k] = v;
		const up = http.request({
			host: url.hostname, port: url.port || 80, method: req.method,
			path: url.pathname + url.search, headers, agent,
		}, (ur) => {
			const raw = [];
			for (let i = 0; i < ur.rawHeaders.length; i += 2)
				if (!hop.has(ur.rawHeaders[i].toLowerCase()))
					raw.push(ur.rawHeaders[i], ur.rawHeaders[i + 1]);
			res.writeHead(ur.statusCode, ur.statusMessage, raw);
			ur.pipe(res);
		});
		up.on('error', (e) => {
			if (!res.headersSent)
				res.writeHead(502).end('proxy: ' + e.message + '\n');
			else
				res.destroy();
		});
		req.pipe(up);
	});
	server.count = 0;
	server.on('connect', (req, sock) => sock.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
	return new Promise((resolve, reject) => {
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			server.agent = agent;
			resolve(server);
		});
	});
}

const LAUNCH_ARGS = ['--no-sandbox', '--headless', '--disable-gpu',
	'--disable-quic', '--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/*
 * Track a page: its last main-frame navigation response (status of the page
 * shown), and the JavaScript errors and CSP violations it reported.
 */
function track(page) {
	page.civ = { last: null, errors: [] };
	page.on('response', (r) => {
		if (r.request().isNavigationRequest() && r.frame() === page.mainFrame())
			page.civ.last = r;
	});
	page.on('pageerror', (e) => page.civ.errors.push('pageerror: ' + e.message));
	page.on('console', (m) => {
		// A 4xx/5xx page is reported as "Failed to load resource": the
		// status itself is checked by the tests, not an error of the page.
		if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of/.test(m.text()))
			page.civ.errors.push('console: ' + m.text());
	});
	return page;
}

/* The status of the page now shown (after redirects). */
export function status(page) {
	return page.civ.last ? page.civ.last.status() : 0;
}

/* Open a path (or URL) and check the status of the page shown. */
export async function open(page, url, expected = 200) {
	await page.goto(url);
	// issue 13: an admin sent to the back-office's second factor passes it
	if (!/\/admin\/2fa/.test(url))
		await secondFactorIfAsked(page);
	const got = status(page);
	if (got !== expected) {
		const h1 = await page.locator('h1').first().textContent({ timeout: 1000 }).catch(() => '');
		const body = h1 || (await page.locator('body').textContent({ timeout: 1000 }).catch(() => '')).slice(0, 200);
		assert.fail(`GET ${url}: HTTP ${got}, expected ${expected}` + (body ? ` (${body.trim()})` : ''));
	}
}

/* No JavaScript error nor CSP violation on this page so far. */
export function assertNoPageErrors(page) {
	assert.deepEqual(page.civ.errors, [], 'errors reported by the page');
}

/* What the page says went wrong: banner and field errors, for messages. */
export async function pageErrors(page) {
	const texts = await page.locator('.form-error, .field-error').allTextContents().catch(() => []);
	return texts.map((s) => s.trim()).filter(Boolean);
}

/*
 * Click a submit control and wait for the next page; check that it is at
 * urlPath (a string or RegExp on the path) else fail with what the page said.
 */
export async function submitTo(page, button, urlPath) {
	const nav = page.waitForEvent('framenavigated', {
		predicate: (f) => f === page.mainFrame(), timeout: 15000,
	});
	nav.catch(() => {});	// awaited below; not unhandled if click throws
	await button.click();
	await nav;
	await page.waitForLoadState('load');
	const p = new URL(page.url()).pathname;
	const ok = typeof urlPath === 'string' ? p === urlPath : urlPath.test(p);
	if (!ok) {
		const errs = await pageErrors(page);
		assert.fail(`after submit: at ${p} (HTTP ${status(page)}), expected ${urlPath}` +
			(errs.length ? '; the page says: ' + errs.join(' | ') : ''));
	}
}

export async function screenshot(page, name) {
	if (!SHOTS)
		return;
	fs.mkdirSync(SHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}

/*
 * The mail sink's files: wait for a message to `to` (the To: header), with
 * an optional subject check. Returns { file, headers, body }.
 */
const mailCache = new Map();
function parseMail(text) {
	const m = /\r?\n\r?\n/.exec(text);
	const head = m ? text.slice(0, m.index) : text;
	const body = m ? text.slice(m.index + m[0].length) : '';
	const headers = {};
	for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
		const i = line.indexOf(':');
		if (i > 0)
			headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
	}
	return { headers, body };
}

export async function waitForMail(to, { timeout = 20000 } = {}) {
	assert.ok(CIVITAS_VAR, 'CIVITAS_VAR is not set');
	const dir = path.join(CIVITAS_VAR, 'mail');
	const want = to.toLowerCase();
	const deadline = Date.now() + timeout;
	for (;;) {
		let names = [];
		try {
			names = fs.readdirSync(dir).filter((n) => n.endsWith('.eml'));
		} catch (e) {
			if (e.code !== 'ENOENT')
				throw e;
		}
		for (const n of names) {
			const file = path.join(dir, n);
			if (!mailCache.has(file))
				mailCache.set(file, parseMail(fs.readFileSync(file, 'utf8')));
			const mail = mailCache.get(file);
			const rcpt = (mail.headers.to || '').toLowerCase();
			if (rcpt === want || rcpt.includes('<' + want + '>'))
				return { file, ...mail };
		}
		if (Date.now() > deadline)
			assert.fail(`no mail to ${to} under ${dir} after ${timeout / 1000} s`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/* Run every registered test; print one line each and the closing count. */
export async function run() {
	if (!BASE_URL) {
		console.log('browser: BASE_URL is not set (source the stack env)');
		return 1;
	}
	const target = new URL(BASE_URL);
	let proxy = null;
	if (process.env.BROWSER_DIRECT !== '1') {
		proxy = await startProxy(target, process.env.TRUSTED_PROXY || '127.0.0.2');
	}
	const launch = {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: LAUNCH_ARGS,
		timeout: 30000,
	};
	if (proxy) {
		// "<-loopback>": the proxy is used for 127.0.0.1 too.
		launch.proxy = { server: 'http://127.0.0.1:' + proxy.address().port, bypass: '<-loopback>' };
	}
	let browser;
	let passed = 0;
	let failed = 0;
	try {
		browser = await chromium.launch(launch);
	} catch (e) {
		console.log('browser: Chromium did not start: ' + e.message);
		proxy?.close();
		console.log('0 passed, 1 failed');
		return 1;
	}
	const only = process.env.TEST_FILTER ? new RegExp(process.env.TEST_FILTER) : null;
	let client = 0;
	for (const tc of tests) {
		if (only && !only.test(tc.name))
			continue;
		const contexts = [];
		const ip = `127.77.${process.pid % 250 + 1}.${++client}`;
		const t = {
			// A page in a fresh context (no cookies), as a new visitor.
			async newPage(opts = {}) {
				const ctx = await browser.newContext({
					baseURL: BASE_URL, locale: 'fr-FR', timezoneId: 'Europe/Paris',
					...opts,
					extraHTTPHeaders: { 'X-Forwarded-For': ip, ...(opts.extraHTTPHeaders || {}) },
				});
				ctx.setDefaultTimeout(10000);
				ctx.setDefaultNavigationTimeout(15000);
				contexts.push(ctx);
				return track(await ctx.newPage());
			},
		};
		const started = Date.now();
		let timer;
		try {
			await Promise.race([
				tc.fn(t),
				new Promise((_, reject) => {
					timer = setTimeout(() => reject(new Error(`timed out after ${tc.timeout / 1000} s`)), tc.timeout);
				}),
			]);
			passed += 1;
			console.log(`ok - ${tc.name} (${Date.now() - started} ms)`);
		} catch (e) {
			failed += 1;
			console.log(`FAIL - ${tc.name} (${Date.now() - started} ms)`);
			console.log(String(e && e.message || e).replace(/^/gm, '    '));
		} finally {
			clearTimeout(timer);
			for (const c of contexts)
				await c.close().catch(() => {});
		}
	}
	await browser.close().catch(() => {});
	if (proxy) {
		if (passed + failed > 0 && proxy.count === 0)
			console.log('browser: note: no request went through the proxy (direct connections)');
		proxy.agent.destroy();
		proxy.close();
	}
	console.log(`${passed} passed, ${failed} failed`);
	return failed === 0 && passed > 0 ? 0 : 1;
}

/* Accessibility: axe-core (WCAG 2.0/2.1 A and AA, and best practices). */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/* Run axe on the page; fail with every violation, node by node. */
export async function checkAxe(page) {
	await page.addScriptTag({ path: AXE_PATH });
	assert.equal(await page.evaluate(() => typeof window.axe), 'object', 'axe-core not loaded');
	const result = await page.evaluate(async (tags) => {
		const r = await window.axe.run(document, {
			runOnly: { type: 'tag', values: tags },
			resultTypes: ['violations'],
		});
		return r.violations.map((v) => ({
			id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map((n) => ({
				target: n.target.join(' '),
				html: n.html.length > 160 ? n.html.slice(0, 157) + '...' : n.html,
				summary: n.failureSummary,
			})),
		}));
	}, TAGS);
	if (result.length) {
		const lines = [`${result.length} axe violation(s) on ${new URL(page.url()).pathname}:`];
		for (const v of result) {
			lines.push(`[${v.impact}] ${v.id}: ${v.help}`);
			for (const n of v.nodes) {
				lines.push(`    ${n.target}    ${n.html}`);
				if (n.summary)
					lines.push('        ' + n.summary.replace(/\n/g, ' / '));
			}
		}
		assert.fail(lines.join('\n'));
	}
}


/* ---- committees and events ---------------------------------------------
 * Data for the committee and event tests, written the way the functional
 * tests write it: members, committees and events straight into the stack's
 * database (psql, DATABASE_URL of the env file), everything else through
 * the real pages and mails.
 */
import { execFileSync } from 'node:child_process';

/* Run SQL through psql; :'p1', :'p2'... are the params, quoted by psql.
 * Returns the rows, each an array of column texts. */
export function psql(sql, ...params) {
	assert.ok(process.env.DATABASE_URL, 'DATABASE_URL is not set (source the stack env)');
	const args = ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1',
		'-d', process.env.DATABASE_URL];
	params.forEach((p, i) => args.push('-v', `p${i + 1}=${p}`));
	const out = execFileSync('psql', args, { input: sql, encoding: 'utf8' });
	return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/* The first column of the first row, or null. */
export function psqlValue(sql, ...params) {
	const rows = psql(sql, ...params);
	return rows.length ? rows[0][0] : null;
}

/* Lower-case letters only: names and slugs unique to this run. */
export function randomWord(n = 8) {
	let s = '';
	while (s.length < n)
		s += Math.random().toString(36).slice(2).replace(/[0-9]/g, '');
	return s.slice(0, n);
}

export const MEMBER_PASSWORD = 'browser-member-pw';
let passwordHash = null;

/*
 * A confirmed member (Lyon 1er by default), written in SQL with the
 * password hash of an account made once by `civitas-fcgi admin` (the real
 * hashing, once per run). Returns { id, email, password, first, last }.
 */
export function newMember({ first = 'Camille', last = 'Durand', postal = '69001',
	insee = '69381', city = 'Lyon' } = {}) {
	if (!passwordHash)
		passwordHash = psqlValue("SELECT password_hash FROM users WHERE id = :'p1'", newAdmin().id);
	const email = uniqueEmail('member');
	const id = psqlValue(`INSERT INTO users (email, password_hash, first_name, last_name,
		gender, birth_date, address_street, postal_code, country, city_insee, city_name,
		status, charter_accepted_at, activated_at)
		VALUES (:'p1', :'p2', :'p3', :'p4', 'female', '1985-06-01', '1 place des Terreaux',
		:'p5', 'FR', :'p6', :'p7', 'active', now(), now()) RETURNING id`,
	email, passwordHash, first, last, postal, insee, city);
	return { id, email, password: MEMBER_PASSWORD, first, last };
}

/* An admin made by `civitas-fcgi admin`: { id, email, password }. Its
 * second factor (issue 13) is enrolled through the link the command
 * printed, by the first login or page that asks for it. */
export function newAdmin() {
	const email = uniqueEmail('admin');
	const out = execFileSync(FCGI_BIN, ['admin', email], {
		env: { ...process.env, PASSWORD: MEMBER_PASSWORD },
		stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
	const id = psqlValue("SELECT id FROM users WHERE email = :'p1'", email);
	assert.ok(id, 'civitas-fcgi admin made the account');
	enrolLinks.set(email, enrolLinkOf(out));
	return { id, email, password: MEMBER_PASSWORD };
}

/* Log in through the login page; ends on `next` (default /account). An
 * admin sent to the second factor (issue 13) passes it on the way. */
export async function login(page, member, next = '') {
	await open(page, '/login' + (next ? '?next=' + encodeURIComponent(next) : ''));
	await page.getByLabel('Adresse e-mail').fill(member.email);
	await page.getByLabel('Mot de passe').fill(member.password);
	await submitTo(page, page.getByRole('button', { name: 'Se connecter' }), /.*/);
	await secondFactorIfAsked(page);
	const p = new URL(page.url()).pathname;
	if (next && p !== next.split('?')[0]) {
		const errs = await pageErrors(page);
		assert.fail(`after login: at ${p} (HTTP ${status(page)}), expected ${next}` +
			(errs.length ? '; the page says: ' + errs.join(' | ') : ''));
	}
}

/*
 * The back-office's second factor (issue 13, admin accounts), passed as an
 * admin would: an authenticator enrolled through the admin's link (the
 * secret read on the enrolment page), then a code typed at /admin/2fa.
 * Codes are computed here (RFC 6238: HMAC-SHA1, 30 s, 6 digits); each
 * step is accepted once per admin, so a third login within a step waits
 * for the next one.
 */
const FCGI_BIN = path.join(process.env.BIN_DIR || 'build', 'civitas-fcgi');
const enrolLinks = new Map();	/* email -> link printed, not used yet */
const authenticators = new Map();	/* email -> { secret, last } */

function enrolLinkOf(out) {
	const m = /(https?:\S+\/admin\/2fa\/enrol\/[A-Za-z0-9_-]{43})\s/.exec(out);
	assert.ok(m, 'civitas-fcgi admin printed an enrolment link: ' + out);
	return m[1];
}

function base32Decode(s) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0, value = 0;
	const out = [];
	for (const c of s.toUpperCase()) {
		value = (value << 5) | alphabet.indexOf(c);
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 255);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

export function totpCode(secret, step) {
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(step));
	const mac = crypto.createHmac('sha1', base32Decode(secret)).update(msg).digest();
	const off = mac[19] & 15;
	return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

/* A step the server accepts now for this admin (after the last one used,
 * within now - 1 and now + 1; the step before only when the current one
 * has 3 s left), waiting for the next step when all are used. */
async function takeStep(email) {
	const a = authenticators.get(email);
	for (;;) {
		const t = Date.now();
		const now = Math.floor(t / 30000);
		const step = Math.max(t % 30000 < 27000 ? now - 1 : now, a.last + 1);
		if (step <= now + 1) {
			a.last = step;
			return step;
		}
		await new Promise((r) => setTimeout(r, (now + 1) * 30000 - Date.now() + 50));
	}
}

/* The e-mail address of the page's session (its cookie, Redis, then
 * PostgreSQL). */
async function sessionEmail(page) {
	const sid = (await page.context().cookies(BASE_URL)).find((c) => c.name === 'sid');
	assert.ok(sid, 'a session cookie');
	const sock = (process.env.REDIS_URL || '').replace(/^unix:\/\//, '');
	const uid = execFileSync('redis-cli', ['-s', sock, 'HGET', 'sess:' + sid.value, 'uid'],
		{ encoding: 'utf8' }).trim();
	return psqlValue("SELECT email FROM users WHERE id = :'p1'", uid);
}

/* Enrol the admin of the page (its link, or a new one made without
 * touching the password), then come back to `back`. */
async function enrol(page, email, back) {
	let link = enrolLinks.get(email);
	if (!link)
		link = enrolLinkOf(execFileSync(FCGI_BIN, ['admin', email], {
			env: { ...process.env, PASSWORD: '' }, encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'] }));
	enrolLinks.delete(email);
	await open(page, link);
	const secret = (await page.locator('#totp-secret').textContent()).replace(/\s+/g, '');
	authenticators.set(email, { secret, last: -1 });
	await page.locator('#code').fill(totpCode(secret, await takeStep(email)));
	await submitTo(page, page.getByRole('button', { name: 'Activer' }), /^\/admin\/2fa\/enrol\//);
	assert.equal(await page.locator('.totp-codes li').count(), 10, 'ten recovery codes');
	await page.goto(back);
}

/* For the second factor's own tests: the link newAdmin() got, not used
 * yet; an authenticator set up by hand; a code it accepts now. */
export function enrolmentLink(admin) {
	const link = enrolLinks.get(admin.email);
	enrolLinks.delete(admin.email);
	return link;
}
export function useAuthenticator(admin, secret, lastStep = -1) {
	authenticators.set(admin.email, { secret, last: lastStep });
}
export async function nextCode(admin) {
	return totpCode(authenticators.get(admin.email).secret, await takeStep(admin.email));
}

/* On /admin/2fa (the dispatcher sent an admin there): enrol when needed,
 * type a code, and end on the page asked for first. */
export async function secondFactorIfAsked(page) {
	const here = new URL(page.url());
	if (here.pathname !== '/admin/2fa')
		return;
	const next = here.searchParams.get('next') || '/admin';
	const email = await sessionEmail(page);
	if (!authenticators.has(email)) {
		await enrol(page, email, next);
		return;
	}
	await page.locator('#code').fill(totpCode(authenticators.get(email).secret,
		await takeStep(email)));
	await submitTo(page, page.getByRole('button', { name: 'Vérifier' }), next.split('?')[0]);
}

/*
 * An approved committee in Lyon with a supervisor and `followers` more
 * followers (members). Returns { id, slug, name, supervisor, followers }.
 */
export function newCommittee({ followers = 0, status = 'approved' } = {}) {
	const word = randomWord();
	const name = 'Comité ' + word;
	const slug = 'comite-' + word;
	const supervisor = newMember({ first: 'Sacha', last: 'Morel' });
	const id = psqlValue(`INSERT INTO committees (slug, name, description, description_html,
		postal_code, country, city_insee, city_name, status, approved_at, created_by)
		VALUES (:'p1', :'p2', 'Un comité pour les tests du navigateur.',
		'<p>Un comité pour les tests du navigateur.</p>', '69001', 'FR', '69381', 'Lyon',
		:'p3', CASE WHEN :'p3' = 'approved' THEN now() END, :'p4') RETURNING id`,
	slug, name, status, supervisor.id);
	const out = { id, slug, name, supervisor, followers: [] };
	if (status === 'approved') {
		psql(`INSERT INTO committee_memberships (committee_id, user_id, role)
			VALUES (:'p1', :'p2', 'supervisor')`, id, supervisor.id);
		const names = [['Alex', 'Bernard'], ['Maëlle', 'Girard'], ['Yanis', 'Robin'], ['Chloé', 'Faure']];
		for (let i = 0; i < followers; i++) {
			const [first, last] = names[i % names.length];
			const m = newMember({ first, last });
			psql(`INSERT INTO committee_memberships (committee_id, user_id, role)
				VALUES (:'p1', :'p2', 'follower')`, id, m.id);
			out.followers.push(m);
		}
	}
	return out;
}

/* The role of a member in a committee, or null. */
export function membershipRole(committeeId, userId) {
	return psqlValue(`SELECT role FROM committee_memberships
		WHERE committee_id = :'p1' AND user_id = :'p2'`, committeeId, userId);
}

/*
 * An event in Lyon ten days ahead, 18:00–20:00 Paris time, of a committee
 * (committeeId) or national; capacity null for no limit. Returns
 * { id, slug, name }.
 */
export function newEvent({ capacity = null, committeeId = null } = {}) {
	const word = randomWord();
	const name = 'Débat sur les transports ' + word;
	const day = new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10);
	const slug = `${day}-debat-sur-les-transports-${word}`;
	const id = psqlValue(`INSERT INTO events (slug, committee_id, organizer_name, name,
		description, description_html, begins_at, finishes_at, time_zone, street,
		postal_code, country, city_insee, city_name, capacity)
		VALUES (:'p1', NULLIF(:'p2', '')::bigint, 'Équipe civitas', :'p3',
		'Venez **débattre** des transports.',
		'<p>Venez <strong>débattre</strong> des transports.</p>',
		(:'p4' || ' 18:00')::timestamp AT TIME ZONE 'Europe/Paris',
		(:'p4' || ' 20:00')::timestamp AT TIME ZONE 'Europe/Paris', 'Europe/Paris',
		'1 place des Terreaux', '69001', 'FR', '69381', 'Lyon', NULLIF(:'p5', '')::integer)
		RETURNING id`, slug, committeeId ?? '', name, day, capacity ?? '');
	return { id, slug, name };
}

/* The registrations of an event: [{ email, status, user_id }], oldest first. */
export function registrationsOf(eventId) {
	return psql(`SELECT email, status, coalesce(user_id::text, '') FROM event_registrations
		WHERE event_id = :'p1' ORDER BY id`, eventId)
		.map(([email, st, uid]) => ({ email, status: st, user_id: uid }));
}

/* A header value with its RFC 2047 "B" words decoded (the subjects). The
 * white space between two adjacent encoded-words is not part of the text
 * (RFC 2047, 6.2): a long subject is several words on folded lines. */
export function decodeHeader(value) {
	return (value || '')
		.replace(/(\?=)\s+(?==\?UTF-8\?B\?)/gi, '$1')
		.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/gi,
			(_, b64) => Buffer.from(b64, 'base64').toString('utf8'));
}

/*
 * Wait for a mail to `to` whose decoded subject matches `subject` (a
 * RegExp); returns { file, headers, subject, body, text, attachments }
 * with the text part and the attachments ({ filename, type, content })
 * of a multipart message.
 */
export async function waitForMailMatching(to, subject, { timeout = 20000 } = {}) {
	assert.ok(CIVITAS_VAR, 'CIVITAS_VAR is not set');
	const dir = path.join(CIVITAS_VAR, 'mail');
	const deadline = Date.now() + timeout;
	let subjects = [];
	while (Date.now() <= deadline) {
		const mails = mailFiles(dir).map((n) => ({ file: path.join(dir, n) }))
			.map((m) => ({ ...m, ...cachedMail(m.file) }))
			.filter((m) => addressedTo(m, to))
			.map((m) => ({ ...m, subject: decodeHeader(m.headers.subject) }));
		const hit = mails.find((m) => subject.test(m.subject));
		if (hit)
			return { ...hit, ...mimeParts(hit) };
		subjects = mails.map((m) => m.subject);
		await new Promise((r) => setTimeout(r, 200));
	}
	assert.fail(`no mail to ${to} with a subject like ${subject} under ${dir} after ` +
		`${timeout / 1000} s` + (subjects.length ? ` (subjects: ${subjects.join(' | ')})` : ''));
}

/* The .eml files of the sink, sorted by name ([] before the first mail). */
function mailFiles(dir) {
	try {
		return fs.readdirSync(dir).filter((n) => n.endsWith('.eml')).sort();
	} catch (e) {
		if (e.code === 'ENOENT')
			return [];
		throw e;
	}
}

function cachedMail(file) {
	if (!mailCache.has(file))
		mailCache.set(file, parseMail(fs.readFileSync(file, 'utf8')));
	return mailCache.get(file);
}

function addressedTo(mail, to) {
	const rcpt = (mail.headers.to || '').toLowerCase();
	const want = to.toLowerCase();
	return rcpt === want || rcpt.includes('<' + want + '>');
}

/* The text and the attachments of a parsed mail (multipart/mixed or not). */
function mimeParts(mail) {
	const m = /boundary="([^"]+)"/.exec(mail.headers['content-type'] || '');
	if (!m)
		return { text: mail.body, attachments: [] };
	let text = '';
	const attachments = [];
	for (const chunk of mail.body.split('--' + m[1]).slice(1)) {
		if (chunk.startsWith('--'))
			break;
		const part = parseMail(chunk.replace(/^\r?\n/, ''));
		const disp = part.headers['content-disposition'] || '';
		if (/^attachment/i.test(disp)) {
			const name = /filename="([^"]*)"/.exec(disp);
			const b64 = /base64/i.test(part.headers['content-transfer-encoding'] || '');
			attachments.push({
				filename: name ? name[1] : '',
				type: part.headers['content-type'] || '',
				content: b64 ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8') : part.body,
			});
		} else if (!text) {
			text = part.body;
		}
	}
	return { text, attachments };
}

/* The cancel link (/events/cancel/TOKEN) of a registration mail, as a path. */
export function cancelLinkOf(mail) {
	const m = /https?:\/\/\S+?(\/events\/cancel\/[A-Za-z0-9_-]+)/.exec(mail.text);
	assert.ok(m, `no /events/cancel/ link in ${mail.file}:\n${mail.text}`);
	assert.ok(m[0].startsWith(BASE_URL), `the link ${m[0]} is not on ${BASE_URL}`);
	return m[1];
}
/* Each message at a field (or a group of fields) is tied to it by
 * aria-describedby, so that a screen reader reads it with the field. */
export async function assertFieldErrorsTied(page) {
	const loose = await page.locator('.field-error').evaluateAll((ps) => ps.filter((p) =>
		!p.id || !document.querySelector(`[aria-describedby~="${p.id}"]`))
		.map((p) => (p.id || '(no id)') + ': ' + p.textContent.trim()));
	assert.deepEqual(loose, [], `field errors not tied to their field on ${new URL(page.url()).pathname}`);
}
/* ---- end of committees and events ---- */
