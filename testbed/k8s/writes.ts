/**
 * The write verbs: create (POST), update (PUT), patch (four content types) and delete. Each
 * computes the requested object, lets objects.ts add what the server owns, records field ownership
 * (Apply or Update) and commits, which is where dry runs and no-ops stop.
 */
import yaml from 'js-yaml'
import {
  ApplyConflict,
  conflictError,
  conflictsNotLastApplied,
  jsonPatch,
  mergePatch,
  recordUpdate,
  serverSideApply,
  strategicMergePatch,
  UPGRADED_MANAGER,
  type Ownership
} from './engine.js'
import { parseJsonObject } from './http.js'
import { groupVersion, qualifiedResource, type ResourceType } from './kinds.js'
import {
  asObject,
  checkIdentity,
  conflict,
  detailsFor,
  dryRun,
  fromPatchError,
  invalidPatchOptions,
  managerOf,
  requireNamespace
} from './write-checks.js'
import {
  commit,
  forPatching,
  outsideWrite,
  ownedView,
  prepareWrite,
  startingOwnership,
  type CommitResult,
  type WriteTarget
} from './objects.js'
import { notFound, type ResourcePath } from './resources.js'
import type { Store } from './store.js'
import { isMap, KubeError, rfc3339, type KubeObject } from './types.js'
import { validateObject } from './validation.js'

export interface WriteRequest extends ResourcePath {
  query: URLSearchParams
  body: string
  contentType: string
  userAgent: string
}

export interface WriteContext {
  store: Store
  /** Deletion the server finishes later (CRD cleanup finalizer); returns the object to answer with. */
  deferDelete?: (type: ResourceType, live: KubeObject) => KubeObject | undefined
}

export class Writer {
  constructor(
    private readonly ctx: WriteContext,
    private readonly namespaceType: ResourceType
  ) {}

  private target(p: ResourcePath, name: string): WriteTarget {
    const live = this.ctx.store.peek(p.type, p.namespace, name)
    return { type: p.type, namespace: p.namespace, name, live, subresource: p.subresource }
  }

  private finish(
    t: WriteTarget,
    next: KubeObject,
    manager: string,
    q: URLSearchParams,
    owned?: Ownership
  ): CommitResult {
    const requested = next.metadata.managedFields
    const prepared = prepareWrite(t, next)
    if (t.subresource !== 'status') validateObject(t.type, prepared)
    const stored = this.ctx.store.ownership(t.type, t.namespace, t.name)
    const ownership =
      owned ??
      recordUpdate({
        before: t.live ? ownedView(t.live, t.type, t.subresource) : undefined,
        after: ownedView(prepared, t.type, t.subresource),
        manager,
        ownership: startingOwnership(stored, requested, t.subresource),
        apiVersion: groupVersion(t.type.group, t.type.version),
        now: rfc3339(),
        subresource: t.subresource,
        keep: outsideWrite(t.type, t.subresource)
      })
    const result = commit(this.ctx.store, t, prepared, ownership, dryRun(q))
    // A write that drops the last finalizer of an object being deleted completes the deletion.
    const m = result.object.metadata
    if (!dryRun(q) && m.deletionTimestamp && !(m.finalizers ?? []).length) {
      this.ctx.store.remove(t.type, t.namespace, t.name)
    }
    return result
  }

  create(req: WriteRequest): CommitResult {
    const body = parseJsonObject(req.body)
    checkIdentity(req.type, body)
    const obj = asObject(body)
    const meta = obj.metadata
    if (!meta.name && typeof meta.generateName === 'string') {
      meta.name = `${meta.generateName}${Math.random().toString(36).slice(2, 7)}`
    }
    if (!meta.name) throw new KubeError(400, 'BadRequest', 'name or generateName is required')
    if (req.type.namespaced && meta.namespace !== undefined && meta.namespace !== req.namespace) {
      const msg =
        'the namespace of the provided object does not match the namespace sent on the request'
      throw new KubeError(400, 'BadRequest', msg)
    }
    requireNamespace(this.ctx.store, req, this.namespaceType)
    const t = this.target(req, meta.name)
    if (t.live) {
      const msg = `${qualifiedResource(req.type)} "${meta.name}" already exists`
      throw new KubeError(409, 'AlreadyExists', msg, detailsFor(req.type, meta.name))
    }
    return this.finish(t, obj, managerOf(req), req.query)
  }

  update(req: WriteRequest & { name: string }): CommitResult {
    const body = parseJsonObject(req.body)
    checkIdentity(req.type, body)
    const obj = asObject(body)
    if (obj.metadata.name !== undefined && obj.metadata.name !== req.name) {
      const msg = `the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${req.name})`
      throw new KubeError(400, 'BadRequest', msg)
    }
    const t = this.target(req, req.name)
    if (!t.live) throw notFound(req.type, req.name)
    const rv = obj.metadata.resourceVersion
    if (rv !== undefined && rv !== '' && rv !== t.live.metadata.resourceVersion)
      throw conflict(req.type, req.name)
    return this.finish(t, obj, managerOf(req), req.query)
  }

  patch(req: WriteRequest & { name: string }): CommitResult {
    const ct = req.contentType.split(';')[0].trim().toLowerCase()
    const apply = ct === 'application/apply-patch+yaml'
    if (req.query.has('force') && !apply) {
      throw invalidPatchOptions(
        'force',
        'FieldValueForbidden',
        'Forbidden: may not be specified for non-apply patch'
      )
    }
    const t = this.target(req, req.name)
    if (apply) return this.apply(req, t)
    const accepted = ['application/json-patch+json', 'application/merge-patch+json']
    if (!req.type.custom) accepted.push('application/strategic-merge-patch+json')
    if (!accepted.includes(ct)) {
      const msg = `the body of the request was in an unknown format - accepted media types include: ${[...accepted, 'application/apply-patch+yaml'].join(', ')}`
      throw new KubeError(415, 'UnsupportedMediaType', msg)
    }
    if (!t.live) throw notFound(req.type, req.name)
    let patch: unknown
    try {
      patch = JSON.parse(req.body)
    } catch (e) {
      throw new KubeError(400, 'BadRequest', `error decoding patch: ${(e as Error).message}`)
    }
    // Patch the object as stored, with its resourceVersion (a patch that carries one acts as a
    // precondition) and managedFields (which a patch may rewrite or clear).
    const base = structuredClone(t.live)
    let patched: unknown
    try {
      if (ct === 'application/json-patch+json') patched = jsonPatch(base, patch)
      else if (ct === 'application/merge-patch+json') patched = mergePatch(base, patch)
      else patched = strategicMergePatch(base, patch)
    } catch (e) {
      fromPatchError(e, req.type, req.name)
    }
    if (!isMap(patched)) throw new KubeError(422, 'Invalid', 'the patch did not produce an object')
    const obj = asObject(patched)
    const rv = obj.metadata.resourceVersion
    if (rv !== undefined && rv !== t.live.metadata.resourceVersion)
      throw conflict(req.type, req.name)
    return this.finish(t, obj, managerOf(req), req.query)
  }

  private apply(req: WriteRequest & { name: string }, t: WriteTarget): CommitResult {
    const manager = req.query.get('fieldManager')
    if (!manager) {
      throw invalidPatchOptions(
        'fieldManager',
        'FieldValueRequired',
        'Required value: is required for apply patch'
      )
    }
    let config: unknown
    try {
      config = yaml.load(req.body, { schema: yaml.CORE_SCHEMA })
    } catch (e) {
      throw new KubeError(400, 'BadRequest', `error decoding YAML: ${(e as Error).message}`)
    }
    if (!isMap(config))
      throw new KubeError(400, 'BadRequest', 'the apply configuration must be an object')
    if (config.apiVersion === undefined || config.kind === undefined) {
      throw new KubeError(
        400,
        'BadRequest',
        'apiVersion and kind must be set in an apply configuration'
      )
    }
    checkIdentity(req.type, config)
    if (isMap(config.metadata) && config.metadata.managedFields != null)
      throw new KubeError(400, 'BadRequest', 'metadata.managedFields must be nil')
    const name = isMap(config.metadata) ? config.metadata.name : undefined
    if (name !== req.name) {
      const msg = `the name of the object (${String(name)}) does not match the name on the URL (${req.name})`
      throw new KubeError(400, 'BadRequest', msg)
    }
    if (!t.live && req.subresource) throw notFound(req.type, req.name)
    if (!t.live) requireNamespace(this.ctx.store, req, this.namespaceType)
    // A resourceVersion in the configuration is a precondition (kubectl diff uses it as a lock).
    const rv = isMap(config.metadata) ? config.metadata.resourceVersion : undefined
    if (rv !== undefined && rv !== '' && rv !== t.live?.metadata.resourceVersion) {
      throw t.live ? conflict(req.type, req.name) : notFound(req.type, req.name)
    }
    const apiVersion = groupVersion(req.type.group, req.type.version)
    const live = t.live ? forPatching(t.live) : undefined
    const run = (force: boolean): { object: Record<string, unknown>; ownership: Ownership } =>
      serverSideApply({
        live,
        config,
        manager,
        force,
        ownership: this.ctx.store.ownership(req.type, req.namespace, req.name),
        apiVersion,
        now: rfc3339(),
        subresource: req.subresource
      })
    let result: { object: Record<string, unknown>; ownership: Ownership }
    try {
      try {
        result = run(req.query.get('force') === 'true')
      } catch (e) {
        // kubectl's first server-side apply after client-side ones takes over what it applied.
        if (manager !== UPGRADED_MANAGER || !(e instanceof ApplyConflict)) throw e
        const remaining = conflictsNotLastApplied(live, e)
        if (remaining.length > 0) throw conflictError(remaining)
        result = run(true)
      }
    } catch (e) {
      fromPatchError(e, req.type, req.name)
    }
    return this.finish(t, asObject(result.object), manager, req.query, result.ownership)
  }

  delete(req: WriteRequest & { name: string }): KubeObject {
    const t = this.target(req, req.name)
    if (!t.live) throw notFound(req.type, req.name)
    const options = req.body.trim() ? parseJsonObject(req.body) : {}
    const pre = isMap(options.preconditions) ? options.preconditions : {}
    if (
      pre.resourceVersion !== undefined &&
      pre.resourceVersion !== t.live.metadata.resourceVersion
    ) {
      throw conflict(req.type, req.name)
    }
    const out = structuredClone(t.live)
    out.apiVersion = groupVersion(req.type.group, req.type.version)
    if (dryRun(req.query) || (Array.isArray(options.dryRun) && options.dryRun.length)) return out
    const deferred = this.ctx.deferDelete?.(req.type, t.live)
    if (deferred) return deferred
    if ((t.live.metadata.finalizers ?? []).length) {
      // Finalizers hold the object until they are removed; it only gets a deletionTimestamp now.
      if (t.live.metadata.deletionTimestamp) return out
      const marked = structuredClone(t.live)
      marked.metadata.deletionTimestamp = rfc3339()
      return this.ctx.store.put(
        req.type,
        marked,
        this.ctx.store.ownership(req.type, req.namespace, req.name)
      )
    }
    return this.ctx.store.remove(req.type, req.namespace, req.name) ?? out
  }
}
