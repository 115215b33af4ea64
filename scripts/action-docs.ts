/**
 * The README's inputs and outputs tables, generated from action.yml so the two cannot drift.
 * `npm run docs` rewrites the tables in place; `npm run docs -- --check` only says whether they are
 * current (exit 1 when not). A unit test keeps them equal too.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as yaml from 'js-yaml'

export const START = '<!-- action-docs:start (generated from action.yml by `npm run docs`) -->'
export const END = '<!-- action-docs:end -->'

interface ActionYaml {
  inputs?: Record<string, { description?: string; required?: boolean; default?: unknown }>
  outputs?: Record<string, { description?: string }>
}

/** One table cell: a single line, with `|` escaped so the cell cannot split. */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')
}

/** A default in backticks; `''` for an empty default, so it is visible. */
function defaultCell(value: unknown): string {
  if (value === undefined) return ''
  const text = String(value)
  if (text === '') return "`''`"
  return text.includes('`') ? cell(text) : `\`${cell(text)}\``
}

/** The markdown between the markers: the inputs table, then the outputs table. */
export function renderActionDocs(actionYamlText: string): string {
  const action = yaml.load(actionYamlText) as ActionYaml
  const inputs = Object.entries(action.inputs ?? {}).map(
    ([name, spec]) =>
      `| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${defaultCell(spec.default)} | ` +
      `${cell(spec.description ?? '')} |`
  )
  const outputs = Object.entries(action.outputs ?? {}).map(
    ([name, spec]) => `| \`${name}\` | ${cell(spec.description ?? '')} |`
  )
  return [
    '### Inputs',
    '',
    '| Input | Required | Default | Description |',
    '| --- | --- | --- | --- |',
    ...inputs,
    '',
    '### Outputs',
    '',
    '| Output | Description |',
    '| --- | --- |',
    ...outputs
  ].join('\n')
}

/**
 * The README with the generated part between START and END replaced.
 *
 * @throws Error when the README lacks either marker
 */
export function updateReadme(readme: string, generated: string): string {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) {
    throw new Error(`README.md must hold the lines\n${START}\n${END}\nwhere the tables go`)
  }
  return `${readme.slice(0, start + START.length)}\n\n${generated}\n\n${readme.slice(end)}`
}

function main(): number {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const readmePath = join(root, 'README.md')
  const readme = readFileSync(readmePath, 'utf8')
  const updated = updateReadme(
    readme,
    renderActionDocs(readFileSync(join(root, 'action.yml'), 'utf8'))
  )
  if (process.argv.includes('--check')) {
    if (updated === readme) return 0
    console.error('README.md inputs/outputs tables differ from action.yml: run `npm run docs`')
    return 1
  }
  if (updated !== readme) writeFileSync(readmePath, updated)
  console.log(
    updated === readme ? 'README.md is current' : 'README.md tables rewritten from action.yml'
  )
  return 0
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main()
}
