// Rebuilds an RFC 5322 message from a provider's parsed JSON, for providers that do not hand us
// the original bytes. Web-standard APIs only (atob/btoa, no Buffer): part of the Workers app.

export type Address = { email: string; name?: string | null }
export type Attachment = { filename: string; contentType: string; contentId?: string | null; base64: string }

export type MessageParts = {
  from: Address | null
  to: Address[]
  cc: Address[]
  replyTo?: Address[]
  subject: string
  date?: string | null
  /** Other headers as received (Message-ID, In-Reply-To, References, Received…), in order. */
  headers: { name: string; value: string }[]
  text?: string | null
  html?: string | null
  attachments: Attachment[]
}

const encoder = new TextEncoder()

// The parts we write ourselves; the same names coming from the provider would contradict them.
const ownHeaders = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
])

/** No CR/LF survives into a header: a value must never be able to start a header of its own. */
const oneLine = (value: string) => value.replace(/[\r\n]+[ \t]*/g, ' ').trim()

export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text.replace(/\s+/g, ''))
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}

const wrap76 = (base64: string) => base64.replace(/.{1,76}/g, '$&\r\n')

/** RFC 2047 encoded-word when the text is not plain printable ASCII. */
function encodeWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${toBase64(encoder.encode(text))}?=`
}

function formatAddress(a: Address): string {
  const email = oneLine(a.email).replace(/[<>,;\s"]/g, '')
  const name = oneLine(a.name ?? '')
  if (!name) return email
  const shown = /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : encodeWord(name)
  return `${shown} <${email}>`
}

function randomBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return `=_desk_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`
}

function textPart(type: 'plain' | 'html', body: string): string {
  return `Content-Type: text/${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${wrap76(toBase64(encoder.encode(body)))}`
}

function attachmentPart(a: Attachment): string {
  const filename = encodeWord(oneLine(a.filename || 'attachment')).replace(/"/g, '')
  const type = /^[\w.+-]+\/[\w.+-]+$/.test(a.contentType) ? a.contentType : 'application/octet-stream'
  const inline = a.contentId ? `Content-ID: <${oneLine(a.contentId).replace(/^<|>$/g, '')}>\r\n` : ''
  const disposition = a.contentId ? 'inline' : 'attachment'
  return (
    `Content-Type: ${type}; name="${filename}"\r\nContent-Transfer-Encoding: base64\r\n${inline}` +
    `Content-Disposition: ${disposition}; filename="${filename}"\r\n\r\n${wrap76(a.base64.replace(/\s+/g, ''))}`
  )
}

function multipart(subtype: string, parts: string[]): string {
  const boundary = randomBoundary()
  return (
    `Content-Type: multipart/${subtype}; boundary="${boundary}"\r\n\r\n` +
    parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') +
    `--${boundary}--\r\n`
  )
}

export function buildMime(m: MessageParts): Uint8Array {
  const lines: string[] = []
  if (m.from) lines.push(`From: ${formatAddress(m.from)}`)
  if (m.to.length) lines.push(`To: ${m.to.map(formatAddress).join(', ')}`)
  if (m.cc.length) lines.push(`Cc: ${m.cc.map(formatAddress).join(', ')}`)
  if (m.replyTo?.length) lines.push(`Reply-To: ${m.replyTo.map(formatAddress).join(', ')}`)
  lines.push(`Subject: ${encodeWord(oneLine(m.subject))}`)
  if (m.date) lines.push(`Date: ${oneLine(m.date)}`)
  for (const h of m.headers) {
    const name = h.name.trim()
    if (!/^[!-9;-~]+$/.test(name) || ownHeaders.has(name.toLowerCase())) continue
    lines.push(`${name}: ${encodeWord(oneLine(h.value))}`)
  }
  lines.push('MIME-Version: 1.0')

  const bodies = [m.text ? textPart('plain', m.text) : null, m.html ? textPart('html', m.html) : null].filter((p) => p !== null)
  let content = bodies.length === 2 ? multipart('alternative', bodies) : (bodies[0] ?? textPart('plain', ''))
  if (m.attachments.length) content = multipart('mixed', [content, ...m.attachments.map(attachmentPart)])
  return encoder.encode(`${lines.join('\r\n')}\r\n${content}`)
}
