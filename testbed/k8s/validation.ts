/**
 * The part of the apiserver's object validation that clients of the test bed can trip over: the
 * names of container environment variables in pod specs and pod templates. Kubernetes 1.27–1.33
 * accept `[-._a-zA-Z][-._a-zA-Z0-9]*` (not `.`, `..` or a `..` prefix) and answer anything else
 * with a 422 Invalid Status naming each offending field.
 */
import type { ResourceType } from './kinds.js'
import { isMap, KubeError, type KubeObject, type StatusCause } from './types.js'

/** Where each kind keeps its pod spec. */
const POD_SPEC: Readonly<Record<string, string[]>> = {
  '/Pod': ['spec'],
  'apps/DaemonSet': ['spec', 'template', 'spec'],
  'apps/Deployment': ['spec', 'template', 'spec'],
  'apps/ReplicaSet': ['spec', 'template', 'spec'],
  'apps/StatefulSet': ['spec', 'template', 'spec'],
  'batch/Job': ['spec', 'template', 'spec']
}

const ENV_VAR_NAME_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*'
const ENV_VAR_NAME = new RegExp(`^${ENV_VAR_NAME_FMT}$`)

/** apimachinery's `RegexError`: the message, examples and the regex, in its exact wording. */
function regexError(msg: string, fmt: string, examples: string[]): string {
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`
}

/** apimachinery's `IsEnvVarName`: the problems with one name, none when it is valid. */
export function envVarNameErrors(name: string): string[] {
  const errs: string[] = []
  if (!ENV_VAR_NAME.test(name)) {
    errs.push(
      regexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
        ENV_VAR_NAME_FMT,
        ['my.env-name', 'MY_ENV.NAME', 'MyEnvName1']
      )
    )
  }
  if (name === '.') errs.push("must not be '.'")
  else if (name === '..') errs.push("must not be '..'")
  else if (name.startsWith('..')) errs.push("must not start with '..'")
  return errs
}

interface FieldError {
  field: string
  reason: string
  body: string
}

function envErrors(podSpec: unknown, path: string): FieldError[] {
  const out: FieldError[] = []
  if (!isMap(podSpec)) return out
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    const containers = podSpec[list]
    if (!Array.isArray(containers)) continue
    containers.forEach((c, i) => {
      const env = isMap(c) && Array.isArray(c.env) ? c.env : []
      env.forEach((e, j) => {
        const field = `${path}.${list}[${i}].env[${j}].name`
        const name = isMap(e) && typeof e.name === 'string' ? e.name : ''
        if (name === '') {
          out.push({ field, reason: 'FieldValueRequired', body: 'Required value' })
          return
        }
        for (const detail of envVarNameErrors(name)) {
          const body = `Invalid value: ${JSON.stringify(name)}: ${detail}`
          out.push({ field, reason: 'FieldValueInvalid', body })
        }
      })
    })
  }
  return out
}

/**
 * Validates an object about to be stored by a create, update, patch or apply (not a status
 * write) and throws the apiserver's 422: `DaemonSet.apps "x" is invalid: <field>: <error>`,
 * several errors in brackets, one `details.causes[]` entry each.
 */
export function validateObject(type: ResourceType, object: KubeObject): void {
  const specPath = POD_SPEC[`${type.group}/${type.kind}`]
  if (!specPath) return
  let spec: unknown = object
  for (const k of specPath) spec = isMap(spec) ? spec[k] : undefined
  const errors = envErrors(spec, specPath.join('.'))
  if (errors.length === 0) return
  const kind = type.group === '' ? type.kind : `${type.kind}.${type.group}`
  const all = errors.map((e) => `${e.field}: ${e.body}`)
  const listed = all.length === 1 ? all[0] : `[${all.join(', ')}]`
  const causes: StatusCause[] = errors.map((e) => ({
    reason: e.reason,
    message: e.body,
    field: e.field
  }))
  const name = object.metadata.name
  const details =
    type.group === ''
      ? { name, kind: type.kind, causes }
      : { name, group: type.group, kind: type.kind, causes }
  throw new KubeError(
    422,
    'Invalid',
    `${kind} ${JSON.stringify(name)} is invalid: ${listed}`,
    details
  )
}
