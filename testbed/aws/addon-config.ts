/**
 * configurationValues as EKS takes them: a JSON or YAML string that must be an object and valid
 * against the add-on version's JSON schema (draft-06). Rejections carry EKS's wording,
 * `ConfigurationValue provided in request is not supported [<path>: <complaint>, ...]`, with the
 * complaint phrased the way EKS's validator phrases it (`$.env.X: is not defined in the schema and
 * the schema does not allow additional properties`). Only that additionalProperties wording is
 * known from real EKS answers; the other complaints follow the same validator's style.
 */
import { createRequire } from 'node:module'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import * as yaml from 'js-yaml'

const require = createRequire(import.meta.url)
const DRAFT_06 = require('ajv/dist/refs/json-schema-draft-06.json') as Record<string, unknown>

export type ConfigValues = Record<string, unknown>

/** A configurationValues string EKS would refuse; `message` is the whole API error message. */
export class ConfigurationError extends Error {}

const PREFIX = 'ConfigurationValue provided in request is not supported'

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Parses configurationValues (JSON first, then YAML); empty means no values. */
export function parseConfigurationValues(text: string | undefined): ConfigValues {
  if (text === undefined || text.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    try {
      parsed = yaml.load(text)
    } catch (e) {
      throw new ConfigurationError(
        `${PREFIX} [configuration values are neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}]`
      )
    }
  }
  if (parsed === null || parsed === undefined) return {}
  if (!isObject(parsed)) {
    throw new ConfigurationError(`${PREFIX} [$: ${typeof parsed} found, object expected]`)
  }
  return parsed
}

let ajv: Ajv | undefined
const compiled = new Map<string, ValidateFunction>()

function validatorFor(schemaText: string): ValidateFunction {
  let validate = compiled.get(schemaText)
  if (validate) return validate
  if (!ajv) {
    // The add-on schemas declare draft-06 and use two string formats of their own.
    ajv = new Ajv({ allErrors: true, strict: false, meta: false })
    ajv.addMetaSchema(DRAFT_06)
    ajv.addFormat('boolean', /^(true|false)$/)
    ajv.addFormat('integer', /^-?\d+$/)
  }
  validate = ajv.compile(JSON.parse(schemaText) as Record<string, unknown>)
  compiled.set(schemaText, validate)
  return validate
}

/** `/env/X` → `$.env.X`; array indices as `[0]`. */
function jsonPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1)
  if (extra !== undefined) parts.push(extra)
  let out = '$'
  for (const raw of parts) {
    const p = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    out += /^\d+$/.test(p) ? `[${p}]` : `.${p}`
  }
  return out
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function valueAt(root: unknown, instancePath: string): unknown {
  let cur = root
  for (const raw of instancePath.split('/').slice(1)) {
    const p = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    cur = isObject(cur) || Array.isArray(cur) ? (cur as Record<string, unknown>)[p] : undefined
  }
  return cur
}

function complaint(e: ErrorObject, values: unknown): string {
  const p = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'additionalProperties':
      return `${jsonPath(e.instancePath, String(p.additionalProperty))}: is not defined in the schema and the schema does not allow additional properties`
    case 'required':
      return `${jsonPath(e.instancePath, String(p.missingProperty))}: is missing but it is required`
    case 'type':
      return `${jsonPath(e.instancePath)}: ${typeOf(valueAt(values, e.instancePath))} found, ${String(p.type).replace(',', ', ')} expected`
    case 'minProperties':
      return `${jsonPath(e.instancePath)}: should have a minimum of ${String(p.limit)} properties`
    case 'format':
      return `${jsonPath(e.instancePath)}: does not match the ${String(p.format)} pattern`
    default:
      return `${jsonPath(e.instancePath)}: ${e.message ?? e.keyword}`
  }
}

/** Parses and validates configurationValues against a schema; throws ConfigurationError. */
export function validateConfigurationValues(
  text: string | undefined,
  schemaText: string
): ConfigValues {
  const values = parseConfigurationValues(text)
  const validate = validatorFor(schemaText)
  if (!validate(values)) {
    const list = (validate.errors ?? []).map((e) => complaint(e, values))
    throw new ConfigurationError(`${PREFIX} [${[...new Set(list)].join(', ')}]`)
  }
  return values
}
