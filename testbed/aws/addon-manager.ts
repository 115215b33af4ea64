/**
 * The add-on manager: puts an add-on's objects on the cluster as EKS does, as a client of the
 * Kubernetes API using server-side apply with field manager `eks`, and honours resolveConflicts
 * against fields other managers own:
 * - NONE: nothing is written when any object conflicts; the result carries EKS's conflict text.
 * - OVERWRITE: applies with force, taking the fields back.
 * - PRESERVE: leaves the conflicting fields out of the apply, so their owners keep them.
 * ENIConfigs the add-on created earlier and no longer wants are deleted (unless `preserve`).
 */
import { request } from 'node:https'
import { ENICONFIG_API, type Obj } from './addon-render.js'

export type ResolveConflicts = 'NONE' | 'OVERWRITE' | 'PRESERVE'

export interface KubeTarget {
  /** https URL of the API server. */
  url: string
  caPem: string
  /** Bearer token with cluster-admin rights. */
  token: string
}

export type ReconcileResult =
  { ok: true } | { ok: false; errorCode: string; message: string; resourceIds: string[] }

interface Reply {
  status: number
  body: Obj
}

const FIELD_MANAGER = 'eks'
const CONFLICT_PREFIX =
  'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode. Conflicts:'

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

function meta(obj: Obj): { name: string; namespace?: string } {
  const m = isObj(obj.metadata) ? obj.metadata : {}
  return {
    name: String(m.name),
    namespace: typeof m.namespace === 'string' ? m.namespace : undefined
  }
}

/** REST path of an object (every kind the add-on ships pluralises by adding `s`). */
export function objectPath(obj: Obj): string {
  const apiVersion = String(obj.apiVersion)
  const { name, namespace } = meta(obj)
  const plural = `${String(obj.kind).toLowerCase()}s`
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''
  return `${base}${ns}/${plural}/${encodeURIComponent(name)}`
}

/** `DaemonSet.apps aws-node`, `ConfigMap amazon-vpc-cni`: how EKS names an object in conflicts. */
function qualifiedName(obj: Obj): string {
  const apiVersion = String(obj.apiVersion)
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : ''
  return `${String(obj.kind)}${group ? `.${group}` : ''} ${meta(obj).name}`
}

/** Parses `.a.b[name="x"].c` into steps; undefined for forms it does not know. */
function parseFieldPath(path: string): (string | Record<string, string>)[] | undefined {
  const steps: (string | Record<string, string>)[] = []
  const re = /\.([^.[\]]+)|\[([^\]]*)\]/g
  let m: RegExpExecArray | null
  let consumed = 0
  while ((m = re.exec(path))) {
    if (m.index !== consumed) return undefined
    consumed = re.lastIndex
    if (m[1] !== undefined) steps.push(m[1])
    else {
      const key: Record<string, string> = {}
      for (const part of m[2].split(',')) {
        const kv = /^([^=]+)=(".*")$/.exec(part)
        if (!kv) return undefined
        key[kv[1]] = JSON.parse(kv[2]) as string
      }
      steps.push(key)
    }
  }
  return consumed === path.length ? steps : undefined
}

/** Removes one field from an apply configuration; an element left with only its keys goes too. */
export function removeField(obj: Obj, path: string): boolean {
  const steps = parseFieldPath(path)
  if (!steps?.length) return false
  const trail: { parent: Obj | unknown[]; at: string | number; key?: Record<string, string> }[] = []
  let cur: unknown = obj
  for (const step of steps) {
    if (typeof step === 'string') {
      if (!isObj(cur) || !(step in cur)) return false
      trail.push({ parent: cur, at: step })
      cur = cur[step]
    } else {
      if (!Array.isArray(cur)) return false
      const i = cur.findIndex(
        (el) => isObj(el) && Object.entries(step).every(([k, v]) => String(el[k]) === v)
      )
      if (i < 0) return false
      trail.push({ parent: cur, at: i, key: step })
      cur = cur[i]
    }
  }
  const remove = ({ parent, at }: (typeof trail)[number]): void => {
    if (Array.isArray(parent)) parent.splice(at as number, 1)
    else delete parent[at as string]
  }
  remove(trail[trail.length - 1])
  for (let i = trail.length - 2; i >= 0; i--) {
    const { parent, at, key } = trail[i]
    const value = Array.isArray(parent) ? parent[at as number] : parent[at as string]
    const empty = isObj(value)
      ? Object.keys(value).every((k) => key !== undefined && k in key)
      : Array.isArray(value) && value.length === 0
    if (!empty) break
    remove(trail[i])
  }
  return true
}

export class AddonManager {
  constructor(private readonly kube: KubeTarget) {}

  /** One request, retried like a controller would on 429, 5xx and dropped connections. */
  private async call(
    method: string,
    path: string,
    body?: string,
    contentType?: string
  ): Promise<Reply> {
    for (let attempt = 1; ; attempt++) {
      try {
        const reply = await this.once(method, path, body, contentType)
        if ((reply.status !== 429 && reply.status < 500) || attempt >= 5) return reply
      } catch (e) {
        if (attempt >= 5) throw e
      }
      await new Promise((r) => setTimeout(r, 100 * attempt))
    }
  }

  private once(method: string, path: string, body?: string, contentType?: string): Promise<Reply> {
    const url = new URL(path, this.kube.url)
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: this.kube.caPem,
          headers: {
            authorization: `Bearer ${this.kube.token}`,
            accept: 'application/json',
            'user-agent': 'eks-addon-manager',
            ...(contentType ? { 'content-type': contentType } : {})
          }
        },
        (res) => {
          let text = ''
          res.on('data', (d: Buffer) => (text += d.toString()))
          res.on('end', () => {
            let parsed: unknown = {}
            try {
              parsed = JSON.parse(text)
            } catch {
              parsed = { message: text }
            }
            resolve({ status: res.statusCode ?? 0, body: isObj(parsed) ? parsed : {} })
          })
        }
      )
      req.on('error', reject)
      req.end(body)
    })
  }

  private apply(obj: Obj, opts: { force?: boolean; dryRun?: boolean }): Promise<Reply> {
    const q = new URLSearchParams({ fieldManager: FIELD_MANAGER })
    if (opts.force) q.set('force', 'true')
    if (opts.dryRun) q.set('dryRun', 'All')
    const path = `${objectPath(obj)}?${q.toString()}`
    return this.call('PATCH', path, JSON.stringify(obj), 'application/apply-patch+yaml')
  }

  /** Applies until the kind is served (a CRD applied just before may not be Established yet). */
  private async applyServed(obj: Obj, force: boolean): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      const reply = await this.apply(obj, { force })
      const kindMissing =
        reply.status === 404 && !(isObj(reply.body.details) && reply.body.details.name)
      if (!kindMissing || attempt >= 50) return reply
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  /** Conflicting field paths per object, found with dry-run applies. */
  private async conflicts(objects: Obj[]): Promise<Map<Obj, string[]>> {
    const found = new Map<Obj, string[]>()
    for (const obj of objects) {
      const reply = await this.apply(obj, { dryRun: true })
      if (reply.status !== 409) continue
      const causes = isObj(reply.body.details) ? reply.body.details.causes : undefined
      const fields = Array.isArray(causes) ? causes.filter(isObj).map((c) => String(c.field)) : []
      found.set(obj, fields)
    }
    return found
  }

  /**
   * Applies the objects. `previous` are the ENIConfig names the add-on owned before; those not
   * rendered now are deleted.
   */
  async reconcile(
    objects: Obj[],
    mode: ResolveConflicts,
    previous: string[] = []
  ): Promise<ReconcileResult> {
    const apply = structuredClone(objects)
    if (mode !== 'OVERWRITE') {
      const conflicts = await this.conflicts(apply)
      if (conflicts.size && mode === 'NONE') {
        const list = [...conflicts].flatMap(([obj, fields]) =>
          fields.map((f) => `${qualifiedName(obj)} - ${f}`)
        )
        return {
          ok: false,
          errorCode: 'ConfigurationConflict',
          message: `${CONFLICT_PREFIX} ${list.join(' ')}`,
          resourceIds: []
        }
      }
      for (const [obj, fields] of conflicts) for (const f of fields) removeField(obj, f)
    }
    for (const obj of apply) {
      const reply = await this.applyServed(obj, mode === 'OVERWRITE')
      if (reply.status >= 300) {
        return {
          ok: false,
          errorCode: reply.status === 409 ? 'ConfigurationConflict' : 'Unknown',
          message: String(reply.body.message ?? `HTTP ${reply.status}`),
          resourceIds: [qualifiedName(obj)]
        }
      }
    }
    const wanted = new Set(apply.filter((o) => o.kind === 'ENIConfig').map((o) => meta(o).name))
    for (const name of previous.filter((n) => !wanted.has(n))) {
      await this.call(
        'DELETE',
        objectPath({ apiVersion: ENICONFIG_API, kind: 'ENIConfig', metadata: { name } })
      )
    }
    return { ok: true }
  }

  /** Deletes the add-on's objects (DeleteAddon without `preserve`). */
  async remove(objects: Obj[]): Promise<void> {
    for (const obj of [...objects].reverse()) await this.call('DELETE', objectPath(obj))
  }
}
