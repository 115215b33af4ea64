import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  downloadFile,
  fetchText,
  HttpStatusError,
  isRetryableDownloadError,
  redactUrl
} from '../src/download.js'

describe('fetchText', () => {
  let server: Server
  let base: string
  let requests: string[]
  let script: Map<string, { status: number; body?: string; headers?: Record<string, string> }[]>
  const waits: number[] = []
  const sleep = async (ms: number): Promise<void> => void waits.push(ms)

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? ''
      requests.push(url)
      if (url === '/hang') return // never answers: the timeout must fire
      const queue = script.get(url) ?? []
      const answer = queue.length > 1 ? queue.shift() : queue[0]
      res.writeHead(answer?.status ?? 404, answer?.headers ?? {})
      res.end(answer?.body ?? '')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  beforeEach(() => {
    requests = []
    script = new Map()
    waits.length = 0
  })

  describe('downloadFile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'download-file-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('writes the body to the file, creating its folder, after retrying a 503', async () => {
      const body = 'x'.repeat(100_000)
      script.set('/bin', [{ status: 503 }, { status: 200, body }])
      const dest = join(dir, 'sub', 'bin')
      await downloadFile(`${base}/bin`, dest, { sleep })
      expect(readFileSync(dest, 'utf8')).toBe(body)
      expect(requests).toEqual(['/bin', '/bin'])
      expect(waits).toHaveLength(1)
    })

    it('fails at once on 404 and leaves no file', async () => {
      const dest = join(dir, 'missing')
      const error = await downloadFile(`${base}/missing`, dest, { sleep }).catch((e: unknown) => e)
      expect((error as HttpStatusError).status).toBe(404)
      expect(requests).toHaveLength(1)
      expect(existsSync(dest)).toBe(false)
    })

    it('does not wait for a Retry-After that ends after the deadline', async () => {
      script.set('/busy', [{ status: 503, headers: { 'retry-after': '30' } }])
      const deadline = Date.now() + 20_000
      await expect(
        downloadFile(`${base}/busy`, join(dir, 'busy'), { sleep, deadline })
      ).rejects.toThrow('HTTP 503')
      expect(requests).toHaveLength(1)
      expect(waits).toEqual([])
    })

    it('makes no request once the deadline has passed', async () => {
      await expect(
        downloadFile(`${base}/bin`, join(dir, 'late'), { sleep, deadline: Date.now() - 1 })
      ).rejects.toThrow(`GET ${base}/bin was not attempted: the run's timeout-seconds ran out`)
      expect(requests).toEqual([])
    })

    it('refuses credentials in the URL before any request, without showing them', async () => {
      const url = base.replace('http://', 'http://user:hunter2@')
      const error = await downloadFile(`${url}/bin`, join(dir, 'cred')).catch((e: unknown) => e)
      expect((error as Error).message).toMatch(/credentials in the URL are not supported/)
      expect((error as Error).message).not.toContain('hunter2')
      expect(requests).toEqual([])
    })
  })

  it('returns the body', async () => {
    script.set('/ok.txt', [{ status: 200, body: 'v1.31.2\n' }])
    expect(await fetchText(`${base}/ok.txt`, { sleep })).toBe('v1.31.2\n')
  })

  it('fails at once on 404, naming the URL and status', async () => {
    const error = await fetchText(`${base}/missing`, { sleep }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HttpStatusError)
    expect((error as HttpStatusError).status).toBe(404)
    expect((error as Error).message).toBe(`GET ${base}/missing failed: HTTP 404 Not Found`)
    expect(requests).toHaveLength(1)
  })

  it('does not retry 403', async () => {
    script.set('/forbidden', [{ status: 403 }])
    await expect(fetchText(`${base}/forbidden`, { sleep })).rejects.toThrow('HTTP 403')
    expect(requests).toHaveLength(1)
  })

  it('retries 5xx and then succeeds', async () => {
    script.set('/flaky', [{ status: 502 }, { status: 503 }, { status: 200, body: 'ok' }])
    const retries: string[] = []
    expect(await fetchText(`${base}/flaky`, { sleep, onRetry: (m) => retries.push(m) })).toBe('ok')
    expect(requests).toHaveLength(3)
    expect(retries[0]).toMatch(/^Retry download: attempt 2 of 4 .*HTTP 502/)
  })

  it('gives up after the last attempt with the last status', async () => {
    script.set('/down', [{ status: 500 }])
    await expect(fetchText(`${base}/down`, { sleep, attempts: 3 })).rejects.toThrow(
      `GET ${base}/down failed: HTTP 500`
    )
    expect(requests).toHaveLength(3)
  })

  it('waits for the Retry-After of a 429, capped', async () => {
    script.set('/slow', [
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 503, headers: { 'retry-after': '9999' } },
      { status: 200, body: 'ok' }
    ])
    expect(await fetchText(`${base}/slow`, { sleep })).toBe('ok')
    expect(waits).toEqual([2000, 30000])
  })

  it('retries network errors and names the URL and the cause', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const url = `http://127.0.0.1:${port}/x`
    const error = await fetchText(url, { sleep, attempts: 2 }).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(new RegExp(`^GET ${url} failed: .*ECONNREFUSED`))
    expect((error as Error).cause).toBeDefined()
    expect(waits).toHaveLength(1)
  })

  it('times out a server that never answers', async () => {
    await expect(fetchText(`${base}/hang`, { sleep, attempts: 1, timeoutMs: 200 })).rejects.toThrow(
      `GET ${base}/hang failed:`
    )
  })

  test.each(['ftp://example.com/x', 'file:///etc/passwd', 'not a url'])(
    'refuses %s',
    async (url) => {
      await expect(fetchText(url, { sleep })).rejects.toThrow(`Cannot download '${url}'`)
      expect(requests).toHaveLength(0)
    }
  )

  test.each([
    [new HttpStatusError('u', 500, ''), true],
    [new HttpStatusError('u', 408, ''), true],
    [new HttpStatusError('u', 429, '', 1000), 1000],
    [new HttpStatusError('u', 404, ''), false],
    [new Error('fetch failed'), true]
  ])('classifies %p as %p', (error, verdict) => {
    expect(isRetryableDownloadError(error)).toBe(verdict)
  })
})

describe('redactUrl', () => {
  test.each([
    ['https://user:secret@mirror.example/x', 'https://***@mirror.example/x'],
    ['https://token@mirror.example/x', 'https://***@mirror.example/x'],
    ['https://mirror.example/x', 'https://mirror.example/x'],
    ['not a url', 'not a url']
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown)
  })

  it('keeps credentials out of fetchText errors', async () => {
    await expect(fetchText('https://user:secret@127.0.0.1:1/x')).rejects.toThrow(
      "Cannot download 'https://***@127.0.0.1:1/x': credentials in the URL are not supported"
    )
  })
})
