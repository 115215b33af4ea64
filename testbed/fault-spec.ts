/**
 * The command-line form of a fault rule (`npm run testbed -- --fault SPEC`). Each spec becomes one
 * {@link FaultRule} of the test bed's FaultInjector, with the same fields and the same matching:
 *
 *   [SERVICE:][METHOD ]TARGET=EFFECT[,key=value…]
 *
 * - SERVICE: kube | aws | oidc | mirror. Without it, the target decides: an AWS operation → aws,
 *   `/_apis/…` → oidc, `/dl/…` or `/raw/…` → mirror, any other path → kube.
 * - METHOD: GET, PATCH, … (any when left out).
 * - TARGET: a path glob (`*` is one path segment or part of it, `...` or `**` any number of
 *   segments), `~REGEX` matched against the path, or an AWS operation such as
 *   `sts:AssumeRoleWithWebIdentity` or `DescribeCluster`.
 * - EFFECT: an HTTP status (`500`), `reset` (drop the connection) or `delay` (slow only), each
 *   optionally followed by `xN` (answer N matching requests) or `x*` (all of them); default x1.
 * - key=value: `retry-after` (seconds), `delay-ms`, `message`, `reason`, `body`, `name`.
 *
 * Examples: `PATCH /apis/.../eniconfigs/*=500x*`, `aws:sts:AssumeRoleWithWebIdentity=503x2`,
 * `mirror:GET /dl/.../kubectl=reset`, `GET ~^/apis/apps/v1/.*daemonsets=429x3,retry-after=1`.
 */
import type { FaultRule, Service } from './faults.js'

const SERVICES: readonly Service[] = ['kube', 'aws', 'oidc', 'mirror']

/** The syntax, for --help and error messages. */
export const FAULT_SPEC_SYNTAX =
  '[SERVICE:][METHOD ]TARGET=EFFECT[,key=value…]  e.g. PATCH /apis/.../eniconfigs/*=500x*'

/** Compiles a path glob: `*` stays inside a segment, `...` and `**` cross segments. */
export function globToRegExp(glob: string): RegExp {
  let re = ''
  for (const part of glob.split(/(\.\.\.|\*\*|\*)/)) {
    if (part === '...' || part === '**') re += '.*'
    else if (part === '*') re += '[^/]*'
    else re += part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** Parses one spec into a FaultRule; throws an Error naming the part that is wrong. */
export function parseFaultSpec(spec: string): FaultRule {
  const fail = (why: string): never => {
    throw new Error(`--fault '${spec}': ${why}; expected ${FAULT_SPEC_SYNTAX}`)
  }
  // The first `=` followed by an effect ends the target (a message may hold more `=`).
  const cut = spec.search(/=(?:\d{3}|reset|delay)(?:x(?:\d+|\*))?(?:,|$)/)
  if (cut < 0) return fail('no =EFFECT (a status such as 500, reset or delay)')
  const left = spec.slice(0, cut).trim()
  const [effect, ...options] = spec.slice(cut + 1).split(',')

  let rest = left
  let service: Service | undefined
  const prefix = /^([a-z]+):(?=\S)/.exec(rest)
  if (prefix && (SERVICES as readonly string[]).includes(prefix[1])) {
    service = prefix[1] as Service
    rest = rest.slice(prefix[0].length)
  }
  let method: string | undefined
  const m = /^([A-Za-z]+)\s+(\S.*)$/.exec(rest)
  if (m) {
    method = m[1].toUpperCase()
    rest = m[2]
  }
  const target = rest.trim()
  if (!target) return fail('no TARGET (a path, ~regex or AWS operation)')

  const rule: FaultRule = { service: 'kube', name: `cli: ${spec}` }
  if (target.startsWith('~')) {
    try {
      rule.path = new RegExp(target.slice(1))
    } catch (err) {
      return fail(`bad regular expression: ${(err as Error).message}`)
    }
  } else if (target.startsWith('/')) {
    rule.path = globToRegExp(target)
  } else if (/^([a-z0-9-]+:)?[A-Z][A-Za-z0-9]+$/.test(target)) {
    rule.operation = target
  } else {
    return fail(`TARGET '${target}' is neither a path, ~regex nor an AWS operation`)
  }
  rule.service =
    service ??
    (rule.operation
      ? 'aws'
      : target.startsWith('/_apis/')
        ? 'oidc'
        : /^\/(dl|raw)\//.test(target)
          ? 'mirror'
          : 'kube')
  if (rule.operation && rule.service !== 'aws') return fail('an AWS operation needs service aws')
  if (method) rule.method = method

  const e = /^(\d{3}|reset|delay)(?:x(\d+|\*))?$/.exec(effect)
  if (!e) return fail(`bad EFFECT '${effect}'`)
  if (e[1] === 'reset') rule.reset = true
  else if (e[1] !== 'delay') rule.status = Number(e[1])
  if (e[2] !== undefined) rule.times = e[2] === '*' ? Infinity : Number(e[2])
  if (rule.times === 0) return fail('x0 would never match')

  for (const option of options) {
    const i = option.indexOf('=')
    const key = i < 0 ? option : option.slice(0, i)
    const value = i < 0 ? '' : option.slice(i + 1)
    const int = (): number => {
      if (!/^\d+$/.test(value)) fail(`${key} must be a non-negative integer, got '${value}'`)
      return Number(value)
    }
    if (key === 'retry-after') rule.retryAfter = int()
    else if (key === 'delay-ms') rule.delayMs = int()
    else if (key === 'message') rule.message = value
    else if (key === 'reason') rule.reason = value
    else if (key === 'body') rule.body = value
    else if (key === 'name') rule.name = value
    else fail(`unknown option '${key}' (retry-after, delay-ms, message, reason, body, name)`)
  }
  if (e[1] === 'delay' && rule.delayMs === undefined) return fail('delay needs delay-ms=N')
  return rule
}
