// Starts the slowest test files first, so that neither worker sits idle at the end of the run
// while the other works through a long file. A file's weight is its duration from jest's own
// cache when this checkout has run it before, else the committed durations.json (a clean clone,
// as in CI), else an estimate from its size; the ones that start a test bed count as slow.
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import Sequencer from '@jest/test-sequencer'

const root = fileURLToPath(new URL('../..', import.meta.url))
const committed = JSON.parse(readFileSync(new URL('durations.json', import.meta.url), 'utf8'))

export default class SlowestFirst extends Sequencer {
  sort(tests) {
    const weight = new Map()
    for (const test of tests) weight.set(test, this.weight(test))
    return [...tests].sort((a, b) => weight.get(b) - weight.get(a) || (a.path < b.path ? -1 : 1))
  }

  /** Expected seconds. */
  weight(test) {
    const cached = this.time(test)
    if (cached) return cached / 1000
    const known = committed[relative(root, test.path)]
    if (known !== undefined) return known
    const source = readFileSync(test.path, 'utf8')
    const beds = source.match(/\bstartTestbed\(|\brunAction\(/g)?.length ?? 0
    return source.length / 5000 + beds * 5
  }
}
