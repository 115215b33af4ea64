/** RFC 7386 JSON merge patch (`application/merge-patch+json`). */
import { clone, isObject, type JsonObject } from './util.js'

/**
 * Applies an RFC 7386 merge patch: object members merge recursively, `null` deletes a member,
 * arrays and scalars replace, and a non-object patch replaces the whole target.
 * Neither argument is mutated.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch)
  const out: JsonObject = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else out[key] = mergePatch(out[key], value)
  }
  // Members the patch did not touch are still shared with the target; copy them.
  for (const key of Object.keys(out)) if (!(key in patch)) out[key] = clone(out[key])
  return out
}
