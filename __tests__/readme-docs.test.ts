/**
 * The README's inputs and outputs tables are generated from action.yml. When this test fails, run
 * `npm run docs` and commit README.md.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import * as yaml from 'js-yaml'
import { END, START, renderActionDocs, updateReadme } from '../scripts/action-docs.js'

const actionText = readFileSync('action.yml', 'utf8')
const readme = readFileSync('README.md', 'utf8')

describe('README inputs/outputs tables', () => {
  it('equal action.yml (run `npm run docs` when this fails)', () => {
    const current = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END)).trim()
    expect(current).toBe(renderActionDocs(actionText))
  })

  it('list every input and output of action.yml once', () => {
    const action = yaml.load(actionText) as {
      inputs: Record<string, unknown>
      outputs: Record<string, unknown>
    }
    const [inputRows, outputRows] = renderActionDocs(actionText)
      .split('### Outputs')
      .map((t) => t.split('\n'))
    const count = (rows: string[], name: string) =>
      rows.filter((r) => r.startsWith(`| \`${name}\` |`)).length
    for (const name of Object.keys(action.inputs)) {
      expect([name, count(inputRows, name)]).toEqual([name, 1])
    }
    for (const name of Object.keys(action.outputs)) {
      expect([name, count(outputRows, name)]).toEqual([name, 1])
    }
    expect(inputRows.filter((r) => r.startsWith('| `')).length).toBe(
      Object.keys(action.inputs).length
    )
  })

  it('notice an input added to action.yml, and the generator puts it in', () => {
    const added = actionText.replace(
      /^inputs:\n/m,
      "inputs:\n  max-eni:\n    description: MAX_ENI on aws-node | pipes escaped.\n    required: false\n    default: ''\n"
    )
    const table = renderActionDocs(added)
    expect(table).not.toBe(renderActionDocs(actionText))
    expect(table).toContain("| `max-eni` | no | `''` | MAX_ENI on aws-node \\| pipes escaped. |")
    const rewritten = updateReadme(readme, table)
    expect(rewritten).not.toBe(readme)
    // Only the generated part changes.
    expect(rewritten.slice(0, rewritten.indexOf(START))).toBe(
      readme.slice(0, readme.indexOf(START))
    )
    expect(rewritten.slice(rewritten.indexOf(END))).toBe(readme.slice(readme.indexOf(END)))
    expect(updateReadme(rewritten, renderActionDocs(actionText))).toBe(readme)
  })

  it('shows required inputs, defaults and one-line descriptions', () => {
    const table = renderActionDocs(actionText)
    expect(table).toContain('| `cluster-name` | yes |  | EKS cluster name. |')
    expect(table).toContain('| `kubectl-mirror` | no | `https://dl.k8s.io` |')
    expect(table).toMatch(/\| `changed` \| true when this run changed anything/)
  })

  it('refuses a README without the markers', () => {
    expect(() => updateReadme('# no markers\n', 'x')).toThrow('README.md must hold the lines')
  })
})
