/**
 * Safe text for the job summary (GitHub-flavoured markdown that may hold HTML) and for annotations.
 * Every value that comes from an input or from the cluster goes through one of these, so a name
 * such as `a|b`, `<img src=x>` or `**x**` shows as written and cannot change the page around it.
 */

/** One line: CR, LF and other control characters become spaces. */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
}

/** Text for HTML: &, <, >, " and ' as entities. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/**
 * Plain text inside markdown, also inside a table cell: the characters that start emphasis, code,
 * links, images, strikethrough or a cell are backslash-escaped, a leading heading, list or quote
 * marker too, and HTML's special characters become entities.
 */
export function text(s: string): string {
  return escapeHtml(oneLine(s))
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/^(\s*)([#+-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2')
}

/**
 * An inline code span that shows `s` exactly, in running text or in a table cell; '—' for
 * undefined. The fence is longer than any run of backticks inside, as CommonMark allows.
 */
export function code(s: string | undefined): string {
  if (s === undefined) return '—'
  const body = oneLine(s).replace(/\|/g, '\\|')
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = body.startsWith('`') || body.endsWith('`') || body === '' ? ' ' : ''
  return `${fence}${pad}${body}${pad}${fence}`
}

/** An HTML code element, for the summary's HTML tables. */
export function htmlCode(s: string): string {
  return `<code>${escapeHtml(oneLine(s))}</code>`
}

/** `a, b, c and 7 more`: at most `max` items, then a count. */
export function listSome(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ')
  return items.length > max ? `${shown} and ${items.length - max} more` : shown
}

/**
 * A word for a shell command line: kept as is when it holds only safe characters, else in single
 * quotes, so a command copied from the summary does what it says.
 */
export function shellWord(s: string): string {
  const word = oneLine(s)
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`
}
