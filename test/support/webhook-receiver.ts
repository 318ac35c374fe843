import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Received = { headers: Record<string, string>; body: string; at: Date }

/**
 * A receiver of outgoing webhooks, as a customer's server would run one: it keeps every POST
 * (headers and the raw body, byte for byte, which is what a signature covers) and answers with
 * the statuses queued by the test, then 200.
 */
export async function startWebhookReceiver() {
  const received: Received[] = []
  const answers: { status: number; headers?: Record<string, string> }[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]))
      received.push({ headers, body: Buffer.concat(chunks).toString('utf8'), at: new Date() })
      const answer = answers.shift() ?? { status: 200 }
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers })
      res.end(answer.status < 300 ? 'ok' : 'no')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** The next answers, in order; after them every POST gets 200. */
    answerWith: (...statuses: (number | { status: number; headers?: Record<string, string> })[]) =>
      answers.push(...statuses.map((s) => (typeof s === 'number' ? { status: s } : s))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
