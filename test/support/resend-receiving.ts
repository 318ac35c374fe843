import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type ReceivedEmail = {
  id: string
  raw: Uint8Array | null
  to?: string[]
  from?: string
  subject?: string
  text?: string
  html?: string | null
  headers?: Record<string, string>
  messageId?: string
}
export type RecordedRequest = { method: string; path: string; authorization: string | undefined }

/**
 * A local stand-in for Resend's receiving API, reached through the real SDK via RESEND_BASE_URL:
 * GET /emails/receiving/:id answers like Resend (metadata + a raw download URL), GET /raw/:id
 * serves the bytes. It records every request and can fail the next N for an email.
 */
export class ResendReceivingStandIn {
  readonly requests: RecordedRequest[] = []
  private readonly emails = new Map<string, ReceivedEmail>()
  private readonly failures = new Map<string, number>()
  private server: Server | null = null
  url = ''

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  add(email: ReceivedEmail): void {
    this.emails.set(email.id, email)
  }

  /** The next `times` API reads of this email answer 500, as Resend would during an incident. */
  failNext(id: string, times = 1): void {
    this.failures.set(id, times)
  }

  requestsFor(id: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.includes(id))
  }

  private handle(req: IncomingMessage, res: import('node:http').ServerResponse) {
    const path = req.url ?? '/'
    this.requests.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization })
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const api = /^\/emails\/receiving\/([^/?]+)/.exec(path)
    if (api) {
      const email = this.emails.get(decodeURIComponent(api[1]!))
      if (req.headers.authorization !== 'Bearer re_test_key')
        return json(401, { name: 'validation_error', message: 'API key is invalid', statusCode: 401 })
      const failing = this.failures.get(api[1]!) ?? 0
      if (failing > 0) {
        this.failures.set(api[1]!, failing - 1)
        return json(500, { name: 'internal_server_error', message: 'Something went wrong', statusCode: 500 })
      }
      if (!email) return json(404, { name: 'not_found', message: 'Email not found', statusCode: 404 })
      return json(200, {
        object: 'email',
        id: email.id,
        to: email.to ?? [],
        from: email.from ?? 'Pat Customer <pat@customer.test>',
        created_at: '2026-11-22T09:00:00.000Z',
        subject: email.subject ?? '',
        bcc: null,
        cc: null,
        reply_to: null,
        received_for: email.to ?? [],
        html: email.html ?? null,
        text: email.text ?? null,
        headers: email.headers ?? null,
        message_id: email.messageId ?? '',
        raw: email.raw ? { download_url: `${this.url}/raw/${email.id}`, expires_at: '2026-11-22T10:00:00.000Z' } : null,
        attachments: [],
      })
    }
    const download = /^\/raw\/([^/?]+)$/.exec(path)
    const bytes = download ? this.emails.get(decodeURIComponent(download[1]!))?.raw : null
    if (bytes) {
      res.writeHead(200, { 'content-type': 'message/rfc822' })
      return res.end(bytes)
    }
    json(404, { name: 'not_found', message: 'Not found', statusCode: 404 })
  }
}
