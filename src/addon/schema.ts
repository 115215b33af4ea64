/**
 * Local validation of configurationValues against the add-on version's schema (the JSON schema,
 * draft-06, that DescribeAddonConfiguration returns), before any write. Complaints are phrased the
 * way EKS phrases them (`$.env.X: is not defined in the schema and the schema does not allow
 * additional properties`) and each names the input that put the key there.
 */
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv'
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' }
import { Inputs } from '../constants.js'
import { AWS_NODE_INIT_CONTAINER } from '../cni/aws-node.js'
import { AWS_NODE_SETTINGS, settingInput } from '../settings.js'
import { isObject } from '../json.js'
import type { ConfigValues } from './values.js'

/** A compiled add-on schema. */
export interface AddonSchema {
  /** Whether the schema allows `eniConfig` (older versions have none). */
  hasEniConfig: boolean
  /** Whether the schema allows `init.env`. */
  hasInitEnv: boolean
  validate: ValidateFunction
}

let ajv: Ajv | undefined

/**
 * Loads and sets up the JSON-schema validator (ajv). Only runs on the managed add-on need it, so
 * it is imported then, not at every start.
 */
export async function loadSchemaCompiler(): Promise<void> {
  if (ajv) return
  // ajv is CommonJS whose module.exports is the class itself (with Ajv and default on it): every
  // loader hands it over as `default`, while webpack's namespace has no named Ajv beside it.
  const { Ajv } = (await import('ajv')).default
  // allErrors: report every problem at once. strict off: the schemas carry keywords such as
  // `title` and `description` at places strict mode objects to.
  const compiler = new Ajv({ allErrors: true, strict: false })
  compiler.addMetaSchema(draft06)
  // The vpc-cni schemas type every env value as a string with a format of its own.
  compiler.addFormat('boolean', /^(true|false)$/)
  compiler.addFormat('integer', /^-?\d+$/)
  ajv = compiler
}

function compiler(): Ajv {
  if (!ajv) throw new Error('The add-on schema compiler is not loaded (loadSchemaCompiler)')
  return ajv
}

/**
 * Compiles DescribeAddonConfiguration's `configurationSchema` (after loadSchemaCompiler).
 *
 * @throws Error when the text is not a JSON schema
 */
export function compileAddonSchema(schemaText: string, addonVersion: string): AddonSchema {
  let schema: unknown
  try {
    schema = JSON.parse(schemaText)
  } catch (error) {
    throw new Error(
      `The configuration schema of add-on version ${addonVersion} is not JSON: ${String(error)}`
    )
  }
  if (!isObject(schema)) {
    throw new Error(`The configuration schema of add-on version ${addonVersion} is not an object`)
  }
  return {
    hasEniConfig: propertyAt(schema, ['eniConfig']) !== undefined,
    hasInitEnv: propertyAt(schema, ['init', 'env']) !== undefined,
    validate: compiler().compile(schema)
  }
}

/** The sub-schema at a property path, following local `$ref`s; undefined when not allowed. */
function propertyAt(root: Record<string, unknown>, path: readonly string[]): unknown {
  const deref = (node: unknown, depth = 0): unknown => {
    if (!isObject(node) || typeof node.$ref !== 'string' || depth > 20) return node
    const ref = node.$ref
    if (!ref.startsWith('#/')) return undefined
    let target: unknown = root
    for (const part of ref.slice(2).split('/')) target = isObject(target) ? target[part] : undefined
    return deref(target, depth + 1)
  }
  let node = deref(root)
  for (const key of path) {
    const properties = isObject(node) ? node.properties : undefined
    node = deref(isObject(properties) ? properties[key] : undefined)
    if (node === undefined) return undefined
  }
  return node
}

/** One schema complaint with the input responsible. */
export interface SchemaProblem {
  /** EKS's style: `$.env.X: is not defined in the schema and ...`. */
  complaint: string
  /** The input that set the key, or undefined when the key was already in the add-on's values. */
  input?: Inputs
}

/**
 * Validates the desired values. `changedKeys` are the dotted keys this run adds or changes
 * (diffValues); a problem at a key it did not touch is reported as already in the add-on.
 */
export function checkValues(
  schema: AddonSchema,
  values: ConfigValues,
  changedKeys: readonly string[]
): SchemaProblem[] {
  if (schema.validate(values)) return []
  const problems = new Map<string, SchemaProblem>()
  for (const error of schema.validate.errors ?? []) {
    const { path, complaint } = describe(error, values)
    // A missing required key belongs to whoever wrote the object that lacks it.
    const owner = error.keyword === 'required' ? pathOf(error.instancePath).dotted : path
    const touched = changedKeys.some((k) => k === owner || k.startsWith(`${owner}.`))
    problems.set(complaint, { complaint, input: touched ? inputFor(path) : undefined })
  }
  return [...problems.values()]
}

/** One error for every problem, before any write; undefined when there are none. */
export function schemaError(
  problems: readonly SchemaProblem[],
  addonVersion: string
): Error | undefined {
  if (problems.length === 0) return undefined
  const lines = problems.map((p) =>
    p.input !== undefined
      ? `- input '${p.input}': ${p.complaint}`
      : `- already in the add-on's configurationValues (not set by this action): ${p.complaint}`
  )
  const initHint = problems.some((p) => p.input === Inputs.DisableTcpEarlyDemux)
    ? `\nThis version has no init.env: set ${Inputs.DisableTcpEarlyDemux}: '' to leave it out.`
    : ''
  const versionHint = problems.some(
    (p) => p.input !== undefined && p.complaint.endsWith('does not allow additional properties')
  )
    ? `\nEach add-on version allows its own keys; a newer one may allow these: set ${Inputs.CniVersion}.`
    : ''
  return new Error(
    `The vpc-cni configurationValues this run would send do not match the schema of add-on ` +
      `version ${addonVersion}, so nothing was changed:\n${lines.join('\n')}${initHint}${versionHint}`
  )
}

/** The input behind the init container's settings, for a complaint about `init` as a whole. */
const INIT_INPUT =
  AWS_NODE_SETTINGS.find((s) => s.container === AWS_NODE_INIT_CONTAINER)?.input ?? Inputs.Env

/** The input that writes a dotted key. */
function inputFor(path: string): Inputs {
  const [top, second, third] = path.split('.')
  if (top === 'env' && second !== undefined) return settingInput(second) ?? Inputs.Env
  // Only named inputs write init.env (the env input sets aws-node's own env).
  if (top === 'init') return (third && settingInput(third, AWS_NODE_INIT_CONTAINER)) || INIT_INPUT
  if (top === 'eniConfig' && third !== undefined && path.endsWith('.securityGroups'))
    return Inputs.SecurityGroups
  if (top === 'eniConfig') return Inputs.Subnets
  return Inputs.Env
}

/** `/env/X` plus an optional property → `$.env.X` (and the dotted form for input lookup). */
function pathOf(instancePath: string, extra?: string): { dollar: string; dotted: string } {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (extra !== undefined) parts.push(extra)
  const dollar = parts.reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : `${out}.${p}`), '$')
  return { dollar, dotted: parts.join('.') }
}

function describe(error: ErrorObject, values: unknown): { path: string; complaint: string } {
  const params = error.params as Record<string, unknown>
  const at = (extra?: string) => pathOf(error.instancePath, extra)
  switch (error.keyword) {
    case 'additionalProperties': {
      const p = at(String(params.additionalProperty))
      return {
        path: p.dotted,
        complaint: `${p.dollar}: is not defined in the schema and the schema does not allow additional properties`
      }
    }
    case 'required': {
      const p = at(String(params.missingProperty))
      return { path: p.dotted, complaint: `${p.dollar}: is missing but it is required` }
    }
    case 'type': {
      const p = at()
      const found = typeName(valueAt(values, error.instancePath))
      return {
        path: p.dotted,
        complaint: `${p.dollar}: ${found} found, ${String(params.type)} expected`
      }
    }
    case 'format': {
      const p = at()
      return {
        path: p.dotted,
        complaint: `${p.dollar}: does not match the ${String(params.format)} pattern`
      }
    }
    default: {
      const p = at()
      return { path: p.dotted, complaint: `${p.dollar}: ${error.message ?? error.keyword}` }
    }
  }
}

function valueAt(root: unknown, instancePath: string): unknown {
  let cur = root
  for (const part of instancePath.split('/').slice(1)) {
    cur = isObject(cur) || Array.isArray(cur) ? (cur as Record<string, unknown>)[part] : undefined
  }
  return cur
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}
