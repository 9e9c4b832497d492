#!/usr/bin/env node
// Convert data/communes.json of the npm package @etalab/decoupage-administratif
// into sql/data/communes.csv (header: postal_code,insee_code,name).
//
// Usage: node scripts/communes-to-csv.js <communes.json> <output.csv>
//
// Rules (see sql/data/README.md):
//  - keep type "commune-actuelle" and "arrondissement-municipal" only
//    (drop "commune-deleguee" and "commune-associee");
//  - one row per (postal code, commune); entries without postal code are
//    skipped (the TAAF districts have none);
//  - a commune split into municipal arrondissements (Paris, Lyon, Marseille)
//    is not listed for a postal code that one of its arrondissements has:
//    69001 gives only "Lyon 1er Arrondissement" (69381), not Lyon (69123);
//  - sorted by postal_code, then name, then insee_code (byte order of UTF-8,
//    i.e. PostgreSQL "C" collation), no duplicate rows;
//  - RFC 4180 quoting only where needed, LF line endings, UTF-8.
//
// Plain Node.js, no dependency; works with Debian 12's nodejs (18.x).
'use strict'

const fs = require('fs')

function die(msg) {
  process.stderr.write('communes-to-csv: ' + msg + '\n')
  process.exit(1)
}

if (process.argv.length !== 4) {
  die('usage: node communes-to-csv.js <communes.json> <output.csv>')
}
const inPath = process.argv[2]
const outPath = process.argv[3]

let communes
try {
  communes = JSON.parse(fs.readFileSync(inPath, 'utf8'))
} catch (err) {
  die('cannot read ' + inPath + ': ' + err.message)
}
if (!Array.isArray(communes) || communes.length === 0) {
  die(inPath + ' is not a non-empty JSON array')
}

const INSEE_RE = /^(?:[0-9]{5}|2[AB][0-9]{3})$/
const POSTAL_RE = /^[0-9]{5}$/

const KEPT_TYPES = new Set(['commune-actuelle', 'arrondissement-municipal'])
const DROPPED_TYPES = new Set(['commune-deleguee', 'commune-associee'])

const stats = {byType: {}, noPostal: [], removedParentRows: 0}

// First pass: validate and collect kept entries.
const kept = []
const droppedPostals = new Map() // postal code -> entries dropped with it
for (const c of communes) {
  stats.byType[c.type] = (stats.byType[c.type] || 0) + 1
  if (DROPPED_TYPES.has(c.type)) {
    for (const p of (Array.isArray(c.codesPostaux) ? c.codesPostaux : [])) {
      if (!droppedPostals.has(p)) droppedPostals.set(p, [])
      droppedPostals.get(p).push(c.code + ' ' + c.nom)
    }
    continue
  }
  if (!KEPT_TYPES.has(c.type)) die('unknown commune type "' + c.type + '" for ' + c.code)
  if (typeof c.code !== 'string' || !INSEE_RE.test(c.code)) {
    die('unexpected INSEE code ' + JSON.stringify(c.code))
  }
  const name = typeof c.nom === 'string' ? c.nom.trim() : ''
  if (name === '') die('empty name for ' + c.code)
  if (/[\r\n]/.test(name)) die('line break in name of ' + c.code)
  const postals = Array.isArray(c.codesPostaux) ? c.codesPostaux : []
  if (postals.length === 0) {
    stats.noPostal.push(c.code + ' ' + name)
    continue
  }
  for (const p of postals) {
    if (typeof p !== 'string' || !POSTAL_RE.test(p)) {
      die('unexpected postal code ' + JSON.stringify(p) + ' for ' + c.code)
    }
  }
  if (c.type === 'arrondissement-municipal' &&
      (typeof c.commune !== 'string' || !INSEE_RE.test(c.commune))) {
    die('arrondissement ' + c.code + ' has no parent commune')
  }
  kept.push({type: c.type, code: c.code, name: name, postals: postals, parent: c.commune})
}

// Postal codes covered by the arrondissements of each parent commune.
const arrPostalsByParent = new Map()
for (const c of kept) {
  if (c.type !== 'arrondissement-municipal') continue
  if (!arrPostalsByParent.has(c.parent)) arrPostalsByParent.set(c.parent, new Set())
  for (const p of c.postals) arrPostalsByParent.get(c.parent).add(p)
}
const currentCodes = new Set(kept.filter(c => c.type === 'commune-actuelle').map(c => c.code))
for (const parent of arrPostalsByParent.keys()) {
  if (!currentCodes.has(parent)) die('arrondissements point to unknown commune ' + parent)
}

// Build rows.
const seen = new Set()
const rows = []
for (const c of kept) {
  const covered = c.type === 'commune-actuelle' ? arrPostalsByParent.get(c.code) : undefined
  for (const p of c.postals) {
    if (covered && covered.has(p)) {
      stats.removedParentRows++
      continue
    }
    const key = p + '\u0000' + c.code + '\u0000' + c.name
    if (seen.has(key)) continue
    seen.add(key)
    rows.push({postal: p, insee: c.code, name: c.name, nameBytes: Buffer.from(c.name, 'utf8')})
  }
}

function cmpAscii(a, b) {
  return a < b ? -1 : (a > b ? 1 : 0)
}
rows.sort((a, b) =>
  cmpAscii(a.postal, b.postal) ||
  Buffer.compare(a.nameBytes, b.nameBytes) ||
  cmpAscii(a.insee, b.insee))

function csvField(s) {
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s
}

const lines = ['postal_code,insee_code,name']
for (const r of rows) lines.push(csvField(r.postal) + ',' + csvField(r.insee) + ',' + csvField(r.name))
try {
  fs.writeFileSync(outPath, lines.join('\n') + '\n', 'utf8')
} catch (err) {
  die('cannot write ' + outPath + ': ' + err.message)
}

const postalSet = new Set(rows.map(r => r.postal))
const inseeSet = new Set(rows.map(r => r.insee))
const log = s => process.stderr.write('communes-to-csv: ' + s + '\n')
log('input entries by type: ' + JSON.stringify(stats.byType))
log('skipped (no postal code): ' + (stats.noPostal.length ? stats.noPostal.join('; ') : 'none'))
log('parent-commune rows replaced by arrondissements: ' + stats.removedParentRows)
const orphans = [...droppedPostals.keys()].filter(p => !postalSet.has(p)).sort()
log('postal codes lost with delegated/associated communes: ' +
    (orphans.length ? orphans.map(p => p + ' (' + droppedPostals.get(p).join(', ') + ')').join('; ') : 'none'))
log('rows: ' + rows.length + ', distinct postal codes: ' + postalSet.size +
    ', distinct INSEE codes: ' + inseeSet.size)
