import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

export type ChatRequest = { path: string; headers: IncomingMessage['headers']; body: Record<string, unknown>; raw: string }
type Failure = { status: number; body: string; retryAfter?: number }

/**
 * A local server that speaks what the desk talks to in Slack and Teams, with their documented
 * shapes, and records every request:
 *
 * - Slack's Web API at /api/<method> (form-encoded or JSON, `Authorization: Bearer xoxb-…`), always
 *   HTTP 200 with `{ok: true, …}` or `{ok: false, error}`, except rate limiting: HTTP 429 with
 *   Retry-After. `chat.postMessage` wants a channel and text or blocks; `chat.getPermalink` a
 *   channel and message_ts. Tokens other than the ones given answer `invalid_auth`.
 * - Slack incoming webhooks at /services/…: JSON with text or blocks; "ok", or 400 "invalid_payload",
 *   404 "channel_not_found" and the like.
 * - Teams webhooks (incoming webhook or Workflows) at /teams/…: a message whose attachments[0] is an
 *   Adaptive Card; "1" (200), or 400 "Bad payload received by generic incoming webhook.".
 * - Slack response_url at /actions/…: JSON, "ok".
 */
export async function startChatServer(options: { tokens?: string[] } = {}) {
  const tokens = new Set(options.tokens ?? ['xoxb-test-0000000000-token'])
  const requests: ChatRequest[] = []
  const failures = new Map<string, Failure[]>()
  let nextTs = 1_700_000_000

  const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers })
    res.end(text)
  }

  const parse = (req: IncomingMessage, raw: string): Record<string, unknown> => {
    if (String(req.headers['content-type'] ?? '').startsWith('application/json')) return JSON.parse(raw || '{}')
    const fields: Record<string, unknown> = Object.fromEntries(new URLSearchParams(raw))
    for (const key of ['blocks', 'attachments']) if (typeof fields[key] === 'string') fields[key] = JSON.parse(fields[key] as string)
    return fields
  }

  const webApi = (method: string, req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse) => {
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
    if (!tokens.has(token)) return reply(res, 200, { ok: false, error: 'invalid_auth' })
    if (method === 'chat.postMessage') {
      // Channels named C0GONE… do not exist (or the bot was never invited): Slack's channel_not_found.
      if (!body.channel || String(body.channel).startsWith('C0GONE')) return reply(res, 200, { ok: false, error: 'channel_not_found' })
      if (!body.text && !body.blocks) return reply(res, 200, { ok: false, error: 'no_text' })
      const ts = `${nextTs++}.000100`
      return reply(res, 200, { ok: true, channel: body.channel, ts, message: { text: body.text, ts } })
    }
    if (method === 'chat.getPermalink') {
      if (!body.channel || !body.message_ts) return reply(res, 200, { ok: false, error: 'invalid_arguments' })
      const p = String(body.message_ts).replace('.', '')
      return reply(res, 200, { ok: true, channel: body.channel, permalink: `https://acme.slack.com/archives/${body.channel}/p${p}` })
    }
    return reply(res, 200, { ok: false, error: 'unknown_method' })
  }

  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      const path = req.url ?? '/'
      let body: Record<string, unknown>
      try {
        body = parse(req, raw)
      } catch {
        return reply(res, 400, 'invalid_payload')
      }
      requests.push({ path, headers: req.headers, body, raw })
      const prefix = [...failures.keys()].find((p) => path.startsWith(p) && failures.get(p)!.length)
      const failure = prefix ? failures.get(prefix)!.shift() : undefined
      if (failure) {
        return reply(
          res,
          failure.status,
          failure.body,
          failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) },
        )
      }
      if (req.method !== 'POST') return reply(res, 405, 'method_not_allowed')
      if (path.startsWith('/api/')) return webApi(path.slice(5), req, body, res)
      if (path.startsWith('/services/')) return body.text || body.blocks ? reply(res, 200, 'ok') : reply(res, 400, 'invalid_payload')
      if (path.startsWith('/teams/')) {
        const card = (body.attachments as { contentType?: string; content?: { type?: string } }[] | undefined)?.[0]
        const valid =
          body.type === 'message' &&
          card?.contentType === 'application/vnd.microsoft.card.adaptive' &&
          card.content?.type === 'AdaptiveCard'
        return valid ? reply(res, 200, '1') : reply(res, 400, 'Bad payload received by generic incoming webhook.')
      }
      if (path.startsWith('/actions/')) return reply(res, 200, 'ok')
      reply(res, 404, 'no_service')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  const baseUrl = `http://127.0.0.1:${port}`
  return {
    baseUrl,
    apiUrl: `${baseUrl}/api/`,
    requests,
    /** The requests to paths starting with this. */
    to: (prefix: string) => requests.filter((r) => r.path.startsWith(prefix)),
    /** The next requests to paths starting with `prefix` get this answer instead. */
    failNext(prefix: string, failure: Failure, times = 1) {
      const list = failures.get(prefix) ?? []
      for (let i = 0; i < times; i++) list.push(failure)
      failures.set(prefix, list)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
