/** fieldSelector and labelSelector matching for list and watch (the subset clients send). */
import { KubeError, type KubeObject } from './types.js'

export type Matcher = (object: KubeObject) => boolean

function fieldMatcher(selector: string): Matcher[] {
  return selector
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((term) => {
      const m = /^\s*([\w.]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(term)
      if (!m) throw new KubeError(400, 'BadRequest', `invalid selector: '${selector}'`)
      const [, field, op, value] = m
      const get = (o: KubeObject): string | undefined =>
        field === 'metadata.name'
          ? o.metadata.name
          : field === 'metadata.namespace'
            ? o.metadata.namespace
            : undefined
      if (field !== 'metadata.name' && field !== 'metadata.namespace') {
        throw new KubeError(
          400,
          'BadRequest',
          `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`
        )
      }
      return op === '!=' ? (o) => get(o) !== value : (o) => (get(o) ?? '') === value
    })
}

function labelMatcher(selector: string): Matcher[] {
  return selector
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((term): Matcher => {
      const t = term.trim()
      const labels = (o: KubeObject): Record<string, string> => o.metadata.labels ?? {}
      const eq = /^([\w./-]+)\s*(==|!=|=)\s*([\w.-]*)$/.exec(t)
      if (eq) {
        const [, k, op, v] = eq
        return op === '!=' ? (o) => labels(o)[k] !== v : (o) => labels(o)[k] === v
      }
      if (/^![\w./-]+$/.test(t)) return (o) => !(t.slice(1) in labels(o))
      if (/^[\w./-]+$/.test(t)) return (o) => t in labels(o)
      throw new KubeError(400, 'BadRequest', `unable to parse requirement: ${t}`)
    })
}

/** One predicate for both selectors of a request; throws a 400 Status for syntax it can't read. */
export function selectorMatcher(query: URLSearchParams): Matcher {
  const all = [
    ...fieldMatcher(query.get('fieldSelector') ?? ''),
    ...labelMatcher(query.get('labelSelector') ?? '')
  ]
  return (o) => all.every((m) => m(o))
}
