/**
 * RFC 6902 JSON patch (`application/json-patch+json`). Error messages follow evanphx/json-patch
 * (what the apiserver and `kubectl patch --local --type json` print).
 */
import { PatchError, clone, deepEqual, isObject } from './util.js'

type Op = { op: string; path: string; from?: string; value?: unknown }
type Container = unknown[] | Record<string, unknown>

const invalid = (message: string): PatchError => new PatchError(message, 422, 'Invalid')
const has = (o: Record<string, unknown>, k: string): boolean =>
  Object.prototype.hasOwnProperty.call(o, k)

/** Splits an RFC 6901 pointer into unescaped reference tokens. */
function parsePointer(op: string, pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) {
    throw invalid(
      `${op} operation does not apply: doc is missing path: "${pointer}": missing value`
    )
  }
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** Array index token per RFC 6901: no leading zeros or signs; `-` only where `allowEnd`. */
function arrayIndex(
  op: string,
  pointer: string,
  token: string,
  length: number,
  allowEnd: boolean
): number {
  if (allowEnd && token === '-') return length
  const index = /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : -1
  if (index < 0 || index > length || (!allowEnd && index === length)) {
    throw invalid(
      `error in ${op} for path: '${pointer}': Unable to access invalid index: ${token}: invalid index referenced`
    )
  }
  return index
}

/** Resolves the container holding the last token; the root has none. */
function parentOf(op: string, doc: unknown, tokens: string[], pointer: string): Container {
  const missing = (): PatchError =>
    invalid(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`)
  let node = doc
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(op, pointer, token, node.length, false)]
    else if (isObject(node) && has(node, token)) node = node[token]
    else throw missing()
  }
  if (!Array.isArray(node) && !isObject(node)) throw missing()
  return node
}

function get(op: string, doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(op, pointer)
  if (tokens.length === 0) return doc
  const parent = parentOf(op, doc, tokens, pointer)
  const last = tokens[tokens.length - 1]
  if (Array.isArray(parent)) return parent[arrayIndex(op, pointer, last, parent.length, false)]
  if (!has(parent, last)) {
    throw invalid(
      `${op} operation does not apply: doc is missing path: "${pointer}": missing value`
    )
  }
  return parent[last]
}

/** Adds (or, for objects, overwrites) a value; returns the document, whose root may change. */
function add(op: string, doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(op, pointer)
  if (tokens.length === 0) return value
  const parent = parentOf(op, doc, tokens, pointer)
  const last = tokens[tokens.length - 1]
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(op, pointer, last, parent.length, true), 0, value)
  } else parent[last] = value
  return doc
}

function remove(op: string, doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(op, pointer)
  if (tokens.length === 0) return null
  const parent = parentOf(op, doc, tokens, pointer)
  const last = tokens[tokens.length - 1]
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(op, pointer, last, parent.length, false), 1)
  } else if (has(parent, last)) delete parent[last]
  else {
    throw invalid(
      `error in ${op} for path: '${pointer}': Unable to remove nonexistent key: ${last}: missing value`
    )
  }
  return doc
}

/**
 * Replaces a value. Like evanphx/json-patch v4 (the apiserver's library), a missing object member
 * is simply set, which kubectl's managedFields migration patch relies on; array slots must exist.
 */
function replace(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer('replace', pointer)
  if (tokens.length === 0) return value
  const parent = parentOf('replace', doc, tokens, pointer)
  const last = tokens[tokens.length - 1]
  if (!Array.isArray(parent)) parent[last] = value
  else if (/^(0|[1-9][0-9]*)$/.test(last) && Number(last) < parent.length) {
    parent[Number(last)] = value
  } else throw invalid(`Object to be patched is missing field (${pointer}: missing value)`)
  return doc
}

/** Validates the shape of one operation; a body that is not a list of objects is a 400. */
function decode(raw: unknown, i: number): Op {
  if (!isObject(raw)) throw new PatchError(`operation ${i} is not an object`, 400, 'BadRequest')
  const { op, path, from } = raw
  if (typeof op !== 'string') throw invalid(`Unexpected kind: ${String(op)}`)
  if (typeof path !== 'string') throw invalid(`${op} operation: missing "path"`)
  if ((op === 'move' || op === 'copy') && typeof from !== 'string') {
    throw invalid(`${op} operation: missing "from"`)
  }
  if ((op === 'add' || op === 'replace' || op === 'test') && !has(raw, 'value')) {
    throw invalid(`${op} operation: missing "value"`)
  }
  return { op, path, from: from as string | undefined, value: raw.value }
}

/**
 * Applies an RFC 6902 patch (add, remove, replace, move, copy, test) atomically: any failure throws
 * and the target is left untouched. A body that is not an array of objects is a 400 BadRequest
 * (the apiserver cannot decode it); a bad pointer, unknown op or missing member is a 422 Invalid;
 * a failed `test` is a 422, except on `/metadata/resourceVersion` where it is a 409 Conflict.
 */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw new PatchError(
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
      400,
      'BadRequest'
    )
  }
  let doc = clone(target)
  ops.forEach((raw, i) => {
    const op = decode(raw, i)
    switch (op.op) {
      case 'add':
        doc = add('add', doc, op.path, clone(op.value))
        break
      case 'remove':
        doc = remove('remove', doc, op.path)
        break
      case 'replace':
        doc = replace(doc, op.path, clone(op.value))
        break
      case 'move': {
        const from = op.from as string
        if (op.path !== from && op.path.startsWith(`${from}/`)) {
          throw invalid(`move operation: "from" ${from} is a prefix of "path" ${op.path}`)
        }
        const value = get('move', doc, from)
        doc = add('move', remove('move', doc, from), op.path, value)
        break
      }
      case 'copy':
        doc = add('copy', doc, op.path, clone(get('copy', doc, op.from as string)))
        break
      case 'test': {
        let actual: unknown
        let found = true
        try {
          actual = get('test', doc, op.path)
        } catch {
          found = false
        }
        if (found && deepEqual(actual, op.value)) break
        if (op.path === '/metadata/resourceVersion') {
          throw new PatchError(
            'the object has been modified; please apply your changes to the latest version and try again',
            409,
            'Conflict'
          )
        }
        throw invalid(`testing value ${op.path} failed: test failed`)
      }
      default:
        throw invalid(`Unexpected kind: ${op.op}`)
    }
  })
  return doc
}
