// SPDX-License-Identifier: MIT
// Load every *.test.mjs of this directory (sorted), or those named on the
// command line, run them in one headless Chromium, print "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
let files = process.argv.slice(2);
if (files.length === 0)
	files = fs.readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort();
for (const f of files) {
	const file = fs.existsSync(f) ? path.resolve(f) : path.resolve(here, f);
	await import(pathToFileURL(file).href);
}
process.exitCode = await run();
