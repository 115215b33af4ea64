/**
 * A forward proxy on 127.0.0.1 that records what went through it: CONNECT tunnels (https) by
 * host:port, and plain-http requests in absolute form by URL. Enough to check that a client
 * honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY.
 */
import { createServer, request, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'

export interface RecordingProxy {
  /** http://127.0.0.1:PORT */
  url: string
  /** host:port of every CONNECT, in order. */
  connects: string[]
  /** Absolute URL of every plain-http request, in order. */
  requests: string[]
  /** Local ports of the proxy's upstream connections: a server sees these as the client's port. */
  upstreamPorts: Set<number>
  close(): Promise<void>
}

export interface RecordingProxyOptions {
  /**
   * Host names only the proxy can resolve (name → address). A client that reaches such a name at
   * all has gone through the proxy.
   */
  hosts?: Record<string, string>
}

export async function startRecordingProxy(
  options: RecordingProxyOptions = {}
): Promise<RecordingProxy> {
  const connects: string[] = []
  const requests: string[] = []
  const upstreamPorts = new Set<number>()
  const resolveHost = (host: string): string => options.hosts?.[host] ?? host
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    // A plain-http request through a proxy names the whole URL.
    const target = req.url ?? ''
    requests.push(target)
    let url: URL
    try {
      url = new URL(target)
    } catch {
      res.writeHead(400).end('absolute URL expected')
      return
    }
    const upstream = request(
      {
        protocol: url.protocol,
        hostname: resolveHost(url.hostname),
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers: { ...req.headers, host: url.host },
        agent: false
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      }
    )
    upstream.on('socket', (s: Socket) =>
      s.on('connect', () => s.localPort && upstreamPorts.add(s.localPort))
    )
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? ''
    connects.push(target)
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), target.split(':').pop()]
    const upstream = connect(Number(port), resolveHost(host.replace(/^\[|\]$/g, '')), () => {
      if (upstream.localPort) upstreamPorts.add(upstream.localPort)
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(client).add(upstream)
    const end = (): void => {
      client.destroy()
      upstream.destroy()
    }
    upstream.on('error', end)
    client.on('error', end)
    upstream.on('close', end)
    client.on('close', end)
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    requests,
    upstreamPorts,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}
