import { AppError } from '../../http/errors.ts'

/**
 * Reads a request (or response) body, giving up as soon as it passes `limit` bytes: a 30 MB post costs at most
 * `limit` bytes of memory, never the whole thing. Content-Length, when sent, refuses it earlier.
 */
export async function readBodyLimited(request: Pick<Request, 'headers' | 'body'>, limit: number): Promise<Uint8Array> {
  const tooLarge = () => new AppError('TOO_LARGE', `The body is larger than the limit of ${limit} bytes.`)
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared > limit) {
    await request.body?.cancel().catch(() => {})
    throw tooLarge()
  }
  if (!request.body) return new Uint8Array()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  const body = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    body.set(chunk, at)
    at += chunk.byteLength
  }
  return body
}

/**
 * Form fields as bytes, from multipart/form-data or urlencoded. Written here instead of
 * Request.formData() because that decodes text fields as UTF-8, and a raw MIME field (SendGrid's
 * `email`, Mailgun's `body-mime`) with 8-bit bytes in another charset must reach intake unchanged.
 */
export function parseForm(body: Uint8Array, contentType: string): Map<string, Uint8Array> {
  const type = contentType.toLowerCase()
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
    if (!boundary) throw new AppError('BAD_INPUT', 'multipart/form-data without a boundary.')
    return parseMultipart(body, boundary[1] ?? boundary[2]!)
  }
  if (type.startsWith('application/x-www-form-urlencoded')) return parseUrlEncoded(body)
  throw new AppError('BAD_INPUT', 'Expected multipart/form-data or application/x-www-form-urlencoded.')
}

export const fieldText = (form: Map<string, Uint8Array>, name: string) => {
  const value = form.get(name)
  return value === undefined ? undefined : new TextDecoder().decode(value)
}

/** One character per byte (code point = byte value), so string offsets are byte offsets. */
function latin1(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return text
}

function parseMultipart(body: Uint8Array, boundary: string): Map<string, Uint8Array> {
  const fields = new Map<string, Uint8Array>()
  const text = latin1(body)
  const delimiter = `--${boundary}`
  let at = text.indexOf(delimiter)
  while (at !== -1) {
    const start = at + delimiter.length
    if (text.startsWith('--', start)) break // closing delimiter
    const headersEnd = text.indexOf('\r\n\r\n', start)
    if (headersEnd === -1) break
    const next = text.indexOf(`\r\n${delimiter}`, headersEnd + 4)
    if (next === -1) break
    const headers = text.slice(start, headersEnd)
    const name = /content-disposition:[^\r\n]*?\bname="([^"]*)"/i.exec(headers)?.[1]
    if (name !== undefined && !fields.has(name)) fields.set(name, body.subarray(headersEnd + 4, next))
    at = next + 2
  }
  return fields
}

function parseUrlEncoded(body: Uint8Array): Map<string, Uint8Array> {
  const fields = new Map<string, Uint8Array>()
  let start = 0
  while (start <= body.length) {
    let end = body.indexOf(0x26 /* & */, start)
    if (end === -1) end = body.length
    const pair = body.subarray(start, end)
    if (pair.length) {
      let eq = pair.indexOf(0x3d /* = */)
      if (eq === -1) eq = pair.length
      const name = new TextDecoder().decode(percentDecode(pair.subarray(0, eq)))
      if (!fields.has(name)) fields.set(name, percentDecode(pair.subarray(eq + 1)))
    }
    start = end + 1
  }
  return fields
}

const hexValue = (byte: number | undefined) =>
  byte === undefined ? -1 : byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66 ? (byte | 0x20) - 0x57 : -1

function percentDecode(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length)
  let n = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    const high = byte === 0x25 ? hexValue(bytes[i + 1]) : -1
    const low = byte === 0x25 ? hexValue(bytes[i + 2]) : -1
    if (byte === 0x2b /* + */) out[n++] = 0x20
    else if (high >= 0 && low >= 0) {
      out[n++] = high * 16 + low
      i += 2
    } else out[n++] = byte
  }
  return out.subarray(0, n)
}
