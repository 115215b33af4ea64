/**
 * Shared shapes of the Kubernetes API emulator: objects as plain JSON, Status errors, and small
 * JSON helpers. Everything the emulator stores or sends is plain JSON so it can be deep-copied and
 * compared structurally (no-op detection depends on that).
 */

/** Object metadata as the emulator keeps it (managedFields are rendered by store.ts). */
export interface ObjectMeta {
  name: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  finalizers?: string[]
  [key: string]: unknown
}

/** A Kubernetes object as the API returns it. */
export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  [key: string]: unknown
}

export type JsonMap = Record<string, unknown>

export interface StatusCause {
  reason: string
  message: string
  field: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  causes?: StatusCause[]
  retryAfterSeconds?: number
}

/** An error that is answered as a Kubernetes Status body. */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails
  ) {
    super(message)
  }
}

/** The Status body every error is sent as (kubectl prints `message` and keys off `reason`). */
export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails
): JsonMap {
  const body: JsonMap = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason
  }
  if (details !== undefined) body.details = details
  body.code = code
  return body
}

/** The 404 for a path no resource is served at (unknown group, version, resource or CRD not yet established). */
export function notServed(): KubeError {
  return new KubeError(404, 'NotFound', 'the server could not find the requested resource', {})
}

export function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function deepCopy<T>(value: T): T {
  return structuredClone(value)
}

/** Structural equality of JSON values; key order does not matter (as for the real server's DeepEqual). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]))
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined)
    const kb = Object.keys(b).filter((k) => b[k] !== undefined)
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]))
  }
  return false
}

/** RFC 3339 without fractional seconds, as metadata timestamps are serialized. */
export function rfc3339(date = new Date()): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z')
}
