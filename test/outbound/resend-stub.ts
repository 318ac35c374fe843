import { createServer, type Server } from 'node:http'

export type RecordedRequest = {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: Record<string, unknown>
}

/**
 * A local stand-in for Resend's API (POST /emails), reached through the real SDK via its base URL.
 * Records every request; `failWith` makes it answer like Resend does for a refused message.
 */
export async function startResendStub() {
  const requests: RecordedRequest[] = []
  let failWith: { status: number; body: Record<string, unknown> } | null = null
  const server: Server = createServer((req, res) => {
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : {} })
      res.setHeader('content-type', 'application/json')
      if (failWith) {
        res.statusCode = failWith.status
        res.end(JSON.stringify(failWith.body))
        return
      }
      res.end(JSON.stringify({ id: `re_stub_${requests.length}` }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    fail(status: number, body: Record<string, unknown>) {
      failWith = { status, body }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
