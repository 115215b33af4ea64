/**
 * A fake EKS endpoint on 127.0.0.1 speaking the rest-json wire format of the EKS 2017-11-01
 * model (paths, query strings, epoch-second timestamps, x-amzn-errortype), so the real SDK
 * serializes the requests and parses the answers. Tests set `route` to answer.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { EKSClient } from '@aws-sdk/client-eks'
import type { Clock } from '../../src/addon/wait.js'

export type Reply = { status?: number; error?: string; body: Record<string, unknown> }
export type Route = (req: {
  method: string
  path: string
  query: URLSearchParams
  body: Record<string, unknown>
}) => Reply | undefined
export interface Seen {
  method: string
  path: string
  query: string
  body: Record<string, unknown>
}

export interface FakeEks {
  eks: EKSClient
  route: Route
  seen: Seen[]
  close(): Promise<void>
}

export async function startFakeEks(): Promise<FakeEks> {
  const fake = { route: (() => undefined) as Route, seen: [] as Seen[] } as FakeEks
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = ''
    req.on('data', (c) => (text += c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
      const method = req.method ?? ''
      fake.seen.push({ method, path: url.pathname, query: url.search, body })
      const reply = fake.route({ method, path: url.pathname, query: url.searchParams, body }) ?? {
        status: 404,
        error: 'NotFoundException',
        body: { message: 'no route' }
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (reply.error) headers['x-amzn-errortype'] = reply.error
      res.writeHead(reply.status ?? 200, headers).end(JSON.stringify(reply.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  fake.eks = new EKSClient({
    region: 'us-west-2',
    endpoint: `http://127.0.0.1:${port}`,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }
  })
  fake.close = async () => {
    fake.eks.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
  return fake
}

/** A clock whose sleep advances it, recording each sleep. */
export function fakeClock(): Clock & { slept: number[] } {
  let t = 0
  const slept: number[] = []
  return { slept, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) }
}

/** DescribeAddon's answer for vpc-cni on cluster demo. */
export const addonBody = (status: string, extra: Record<string, unknown> = {}) => ({
  addon: {
    addonName: 'vpc-cni',
    clusterName: 'demo',
    status,
    addonVersion: 'v1.19.6-eksbuild.1',
    health: { issues: [] },
    addonArn: 'arn:aws:eks:us-west-2:123456789012:addon/demo/vpc-cni/abc',
    createdAt: 1764547200,
    modifiedAt: 1764550800.5,
    tags: {},
    ...extra
  }
})
