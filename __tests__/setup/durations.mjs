// Refreshes durations.json (seconds per test file, used by sequencer.js to start the slowest files
// first) from a jest JSON report: `npm run jest -- --json --outputFile=/tmp/jest.json`, then
// `node __tests__/setup/durations.mjs /tmp/jest.json`.
import { readFileSync, writeFileSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const out = fileURLToPath(new URL('durations.json', import.meta.url))
const durations = {}
for (const file of process.argv.slice(2)) {
  for (const r of JSON.parse(readFileSync(file, 'utf8')).testResults)
    durations[relative(root, r.name)] = Math.round((r.endTime - r.startTime) / 100) / 10
}
const sorted = Object.fromEntries(Object.entries(durations).sort(([, a], [, b]) => b - a))
writeFileSync(out, JSON.stringify(sorted, null, 2) + '\n')
