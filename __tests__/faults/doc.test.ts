/**
 * docs/fault-battery.md against the case table: every case in cases.ts has its row, in order, with
 * the current source, fault and expected text and an observed outcome (the cases themselves keep
 * that column current); every case has exactly one test, and the battery covers every source of
 * the battery with at least 15 cases. With UPDATE_FAULT_DOC=1 the static columns are rewritten.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  CASES,
  DOC_PATH,
  UPDATE_DOC,
  parseObserved,
  readDoc,
  renderDoc,
  withDocLock
} from './cases.js'

const HERE = dirname(fileURLToPath(import.meta.url))

describe('the fault battery', () => {
  it('has at least 15 cases with unique ids, covering every source', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15)
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length)
    expect(new Set(CASES.map((c) => c.source))).toEqual(
      new Set([
        'Kubernetes API',
        'AWS',
        'OIDC endpoint',
        'kubectl mirror',
        'cluster',
        'rollout',
        'token'
      ])
    )
    for (const c of CASES) {
      if (c.outcome === 'failure')
        expect({ id: c.id, cause: c.cause }).toEqual({
          id: c.id,
          cause: expect.any(RegExp)
        })
    }
  })

  it('runs every case in exactly one test', () => {
    const uses: Record<string, string[]> = {}
    for (const file of readdirSync(HERE).filter((f) => f.endsWith('.test.ts'))) {
      const text = readFileSync(join(HERE, file), 'utf8')
      for (const m of text.matchAll(/caseIt\(\s*'([A-Z]\d\d)'/g)) (uses[m[1]] ??= []).push(file)
    }
    expect(Object.keys(uses).sort()).toEqual(CASES.map((c) => c.id).sort())
    for (const [id, files] of Object.entries(uses))
      expect({ id, files }).toEqual({
        id,
        files: [expect.any(String)]
      })
  })

  it('is documented in docs/fault-battery.md, current with cases.ts', () => {
    if (UPDATE_DOC) {
      withDocLock(() => writeFileSync(DOC_PATH, renderDoc(parseObserved(readDoc()))))
      return
    }
    const doc = readDoc()
    // Rows, order and the case/source/fault/expected columns as cases.ts has them.
    expect(doc).toBe(renderDoc(parseObserved(doc)))
    // Every case has been observed (a case compares its own row with what it observes).
    const observed = parseObserved(doc)
    const missing = CASES.filter((c) => !observed[c.id] || observed[c.id] === 'not run')
    expect(missing.map((c) => c.id)).toEqual([])
  })
})
