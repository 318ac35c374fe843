import { createHash, createHmac, randomBytes } from 'node:crypto'
import { withOrg, type Db } from '../../src/db.ts'

export const nowSeconds = () => Math.floor(Date.now() / 1000)

/**
 * Headers for POST /inbound/raw, signature v2 (README, "Receiving mail"): HMAC-SHA256 of
 * `v2.<timestamp>.<path and query>\n<body>`. `target` is the URL (or path) the request goes to,
 * normalised the way the server reads it back.
 */
export function signRaw(secret: string, body: Uint8Array, o: { target?: string; timestamp?: number } = {}): Record<string, string> {
  const timestamp = o.timestamp ?? nowSeconds()
  const url = new URL(o.target ?? '/inbound/raw', 'http://desk.invalid')
  const signature = createHmac('sha256', secret).update(`v2.${timestamp}.${url.pathname}${url.search}\n`).update(body).digest('hex')
  return { 'x-desk-timestamp': String(timestamp), 'x-desk-signature': `v2=${signature}` }
}

/** The first signature version, `sha256=` over `<timestamp>.<body>`: accepted only without a query. */
export function signRawV1(secret: string, body: Uint8Array, timestamp = nowSeconds()): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')
  return { 'x-desk-timestamp': String(timestamp), 'x-desk-signature': `sha256=${signature}` }
}

export async function countFor(db: Db, orgId: string) {
  return withOrg(db, orgId, async (tx) => {
    const [row] = await tx<{ cases: number; messages: number; raw: number }[]>`
      select (select count(*)::int from cases) as cases, (select count(*)::int from messages) as messages,
             (select count(*)::int from inbound_raw) as raw`
    return row!
  })
}

/** Raw rows holding exactly these bytes, whatever their org (owner view, as an operator sees them). */
export async function rawRowsFor(db: Db, bytes: Uint8Array) {
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  return db<{ org_id: string | null; status: string; reason: string | null; raw: Buffer; provider: string }[]>`
    select org_id, status, reason, raw, provider from inbound_raw where sha256 = ${sha256} order by received_at`
}

/** The stored message of a case, by its label, as the org sees it. */
export async function messageOf(db: Db, orgId: string, label: string) {
  return withOrg(db, orgId, async (tx) => {
    const [row] = await tx<
      { message_id: string | null; subject: string; text_body: string; html_body: string | null; from_email: string | null; raw: Buffer }[]
    >`
      select m.message_id, m.subject, m.text_body, m.html_body, m.from_email, r.raw
      from messages m join cases c on c.id = m.case_id left join inbound_raw r on r.id = m.raw_id
      where 'ESC-' || c.number = ${label}`
    return row
  })
}

/** multipart/form-data as providers post it; byte values are sent untouched. */
export function multipart(fields: Record<string, string | Uint8Array>, asFile: string[] = []) {
  const boundary = `----desk${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    const file = asFile.includes(name) ? `; filename="${name}.eml"` : ''
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n`))
    parts.push(Buffer.from(value))
    parts.push(Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: new Uint8Array(Buffer.concat(parts)), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** A body stream of `total` bytes made on demand, reporting how much the server pulled. */
export function lazyBody(total: number, chunk = 64 * 1024) {
  let produced = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced >= total) return controller.close()
      const size = Math.min(chunk, total - produced)
      produced += size
      controller.enqueue(new Uint8Array(size).fill(0x61))
    },
  })
  return { stream, produced: () => produced }
}
