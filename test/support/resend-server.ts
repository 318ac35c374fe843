import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

export type SentEmail = { id: string; idempotencyKey: string | null; body: Record<string, unknown>; at: Date }

/** A domain of the stand-in's account, as GET /domains lists it. */
export type StandInDomain = { name: string; status?: 'verified' | 'pending' | 'failed' | 'not_started'; sending?: boolean }

/**
 * A local server that speaks Resend's sending API (POST /emails) as Resend does: it keeps every
 * accepted email, and enforces Idempotency-Key like Resend (the same key and payload returns the
 * first email's id without sending again; the same key with another payload is a 409). Tests can
 * make it refuse for a while (429 with retry-after, 500), or hold a response after accepting the
 * email, to crash the sender between acceptance and its own record.
 */
export async function startResendServer() {
  const emails: SentEmail[] = []
  const byKey = new Map<string, { id: string; fingerprint: string }>()
  const failures: { status: number; retryAfter?: number }[] = []
  let requests = 0
  let holdNext: ((release: () => void) => void) | null = null
  let domains: StandInDomain[] = []

  const domainList = () => ({
    object: 'list',
    has_more: false,
    data: domains.map((d, i) => ({
      id: `dom_${i + 1}`,
      name: d.name,
      status: d.status ?? 'verified',
      created_at: new Date(0).toISOString(),
      region: 'us-east-1',
      capabilities: { sending: d.sending === false ? 'disabled' : 'enabled', receiving: 'disabled' },
    })),
  })

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      requests++
      const authorization = String(req.headers.authorization ?? '')
      if (req.method === 'GET' && req.url?.split('?')[0] === '/domains') {
        if (!authorization.startsWith('Bearer '))
          return answer(res, 401, { statusCode: 401, name: 'missing_api_key', message: 'Missing API key' })
        if (authorization.startsWith('Bearer re_sending_only')) {
          return answer(res, 401, {
            statusCode: 401,
            name: 'restricted_api_key',
            message: 'This API key is restricted to only send emails',
          })
        }
        return answer(res, 200, domainList())
      }
      if (req.method !== 'POST' || req.url !== '/emails')
        return answer(res, 404, { statusCode: 404, name: 'not_found', message: 'not found' })
      if (!String(req.headers.authorization ?? '').startsWith('Bearer '))
        return answer(res, 401, { statusCode: 401, name: 'missing_api_key', message: 'Missing API key' })
      const failure = failures.shift()
      if (failure) {
        const name = failure.status === 429 ? 'rate_limit_exceeded' : 'internal_server_error'
        return answer(
          res,
          failure.status,
          { statusCode: failure.status, name, message: `stand-in answered ${failure.status}` },
          failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {},
        )
      }
      const body = JSON.parse(raw) as Record<string, unknown>
      const key = (req.headers['idempotency-key'] as string | undefined) ?? null
      const fingerprint = createHash('sha256').update(raw).digest('hex')
      if (key) {
        const seen = byKey.get(key)
        if (seen && seen.fingerprint !== fingerprint) {
          return answer(res, 409, {
            statusCode: 409,
            name: 'invalid_idempotent_request',
            message: 'Same idempotency key used with a different request payload.',
          })
        }
        if (seen) return answer(res, 200, { id: seen.id })
      }
      const id = `re_${emails.length + 1}_${fingerprint.slice(0, 8)}`
      emails.push({ id, idempotencyKey: key, body, at: new Date() })
      if (key) byKey.set(key, { id, fingerprint })
      if (holdNext) {
        // Accepted and recorded here; the answer is held until the test releases it (or never).
        const hold = holdNext
        holdNext = null
        hold(() => answer(res, 200, { id }))
        return
      }
      answer(res, 200, { id })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    emails,
    requestCount: () => requests,
    /** The account's domains from now on (GET /domains). */
    setDomains(next: StandInDomain[]) {
      domains = next
    },
    /** The next n sends are refused with this status (429 may carry retry-after seconds). */
    failNext(n: number, status: number, retryAfter?: number) {
      for (let i = 0; i < n; i++) failures.push({ status, retryAfter })
    },
    /** The next accepted email's answer is held; resolves with a release function once it is. */
    holdNextAnswer(): Promise<() => void> {
      return new Promise((resolve) => (holdNext = resolve))
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
