/**
 * Narrowing values parsed from JSON or YAML (API answers, managedFields keys, configurationValues,
 * JWT claims), so one test says what a JSON object is.
 */

/** Whether `v` is a JSON object: not null, not an array. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `v` when it is a JSON object, else an empty one: for reading optional fields of untyped objects. */
export function asObject(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {}
}
