/**
 * A hint written once and rendered twice: plain lines for the log and the error message, markdown
 * for the job summary. Parts say what a piece is (a line, a list, a block of code), not how it
 * looks, so the two renderings cannot drift apart.
 */
import type { AuthHint } from '../errors.js'
import { code } from './markdown.js'

/** Text with inline code spans: plain in the log, `code` in markdown. */
export type Rich = string | readonly (string | { code: string })[]

export type HintPart =
  /** A line of the log; a paragraph of the summary. */
  | { line: Rich }
  /** `- item` lines in both. */
  | { list: readonly Rich[] }
  /** Lines indented by two in the log (raw when `raw`); a fenced block in the summary. */
  | { block: readonly string[]; lang: string; raw?: boolean }

export interface HintDoc {
  /** The summary's heading; the log starts with the first part instead. */
  title: string
  parts: readonly HintPart[]
}

function plain(r: Rich): string {
  return typeof r === 'string' ? r : r.map((s) => (typeof s === 'string' ? s : s.code)).join('')
}

function markdown(r: Rich): string {
  return typeof r === 'string'
    ? r
    : r.map((s) => (typeof s === 'string' ? s : code(s.code))).join('')
}

/** Renders `doc` as AuthHint text and markdown, each passed through `redact`. */
export function renderHint(doc: HintDoc, redact: (s: string) => string): AuthHint {
  const text = doc.parts.flatMap((p) =>
    'line' in p
      ? [plain(p.line)]
      : 'list' in p
        ? p.list.map((item) => `- ${plain(item)}`)
        : p.block.map((l) => (p.raw ? l : `  ${l}`))
  )
  const md = [`### ${doc.title}`, '']
  for (const p of doc.parts) {
    if ('line' in p) md.push(markdown(p.line), '')
    else if ('list' in p) md.push(...p.list.map((item) => `- ${markdown(item)}`), '')
    else md.push('```' + p.lang, ...p.block, '```', '')
  }
  return { text: redact(text.join('\n')), markdown: redact(md.join('\n')) }
}
