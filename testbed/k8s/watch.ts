/**
 * Watch streams: chunked JSON lines of {type, object}. Headers are flushed at once (kubectl's
 * informers wait for them before `rollout status` can finish), events after the requested
 * resourceVersion are replayed from the store's log, and the stream ends after timeoutSeconds,
 * on client disconnect (res 'close', not req 'close', which fires once the body is read) or when
 * the emulator closes.
 */
import type { ServerResponse } from 'node:http'
import { groupVersion, type ResourceType } from './kinds.js'
import type { Matcher } from './selectors.js'
import { asVersion, type Store, type StoreEvent } from './store.js'
import { statusBody, type KubeObject } from './types.js'

export interface WatchOptions {
  store: Store
  type: ResourceType
  namespace?: string
  matches: Matcher
  query: URLSearchParams
  res: ServerResponse
  /** Open watches, so close() can end them. */
  active: Set<ServerResponse>
}

export function serveWatch(opts: WatchOptions): void {
  const { store, type, namespace, matches, query, res, active } = opts
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private'
  })
  res.flushHeaders()
  const write = (eventType: string, object: unknown): void => {
    if (!res.destroyed && !res.writableEnded)
      res.write(`${JSON.stringify({ type: eventType, object })}\n`)
  }
  const relevant = (o: KubeObject): boolean =>
    (!type.namespaced || namespace === undefined || o.metadata.namespace === namespace) &&
    matches(o)

  const rvParam = query.get('resourceVersion') ?? ''
  if (query.get('sendInitialEvents') === 'true' || rvParam === '' || rvParam === '0') {
    // No starting point: synthetic ADDED events for the current state (the real server's behaviour).
    for (const o of store.list(type, namespace)) if (relevant(o)) write('ADDED', o)
    if (query.get('sendInitialEvents') === 'true') {
      const bookmark = {
        kind: type.kind,
        apiVersion: groupVersion(type.group, type.version),
        metadata: {
          resourceVersion: store.resourceVersion,
          annotations: { 'k8s.io/initial-events-end': 'true' }
        }
      }
      write('BOOKMARK', bookmark)
    }
  } else {
    const since = store.eventsSince(Number(rvParam))
    if (since === 'expired' || !/^\d+$/.test(rvParam)) {
      const message = `too old resource version: ${rvParam} (${store.resourceVersion})`
      write('ERROR', statusBody(410, 'Expired', message))
      res.end()
      return
    }
    for (const e of since)
      if (forType(e, type) && relevant(e.object)) write(e.type, asVersion(e.object, type))
  }

  active.add(res)
  const unsubscribe = store.subscribe((e) => {
    if (forType(e, type) && relevant(e.object)) write(e.type, asVersion(e.object, type))
  })
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '')
  // Without timeoutSeconds the real server picks 30–60 minutes; the test bed never needs that long.
  const timer = setTimeout(
    () => res.end(),
    Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds * 1000 : 1800_000
  )
  res.on('close', () => {
    clearTimeout(timer)
    unsubscribe()
    active.delete(res)
  })
}

function forType(e: StoreEvent, type: ResourceType): boolean {
  return e.group === type.group && e.resource === type.resource
}
