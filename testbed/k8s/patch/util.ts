/**
 * Shared pieces of the patch engines: the error type the HTTP layer turns into a `Status`, and the
 * small JSON helpers (plain-object test, deep clone, deep equality) every engine needs so that no
 * input is ever mutated.
 */

/** One `details.causes[]` entry of a Kubernetes `Status`. */
export interface PatchCause {
  reason: string
  message: string
  field: string
}

/** A patch failure with the HTTP status and `Status.reason` the apiserver would answer with. */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string,
    readonly causes?: PatchCause[]
  ) {
    super(message)
    this.name = 'PatchError'
  }
}

/** A JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>

/** True for JSON objects; arrays and null are not. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Deep copy of a JSON value, so results never share structure with inputs. */
export function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => clone(v)) as T
  if (isObject(value)) {
    const out: JsonObject = {}
    for (const [k, v] of Object.entries(value)) out[k] = clone(v)
    return out as T
  }
  return value
}

/** JSON equality: key order of objects is irrelevant, array order is not. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]))
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a)
    if (ka.length !== Object.keys(b).length) return false
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]))
  }
  return false
}
