import { AppError } from '../../http/errors.ts'

/**
 * A cap on the bytes of inbound request bodies held in memory at once, across every concurrent
 * request of this process (or Workers isolate). A body is read before its signature can be
 * checked, so without it anyone could make the desk hold 12 × 25 MB of unsigned uploads, or a
 * hundred, at the same time.
 */
class ByteBudget {
  private used = 0
  constructor(readonly capacity: number) {}

  /**
   * `bytes` more for a request that already holds `held`. A body larger than the whole budget (a
   * provider payload at its limit) still fits when its request is the only one holding any.
   */
  tryTake(bytes: number, held: number): boolean {
    if (this.used > held && this.used + bytes > this.capacity) return false
    this.used += bytes
    return true
  }

  give(bytes: number) {
    this.used = Math.max(0, this.used - bytes)
  }
}

/** How long a request waits for room in the budget before it is answered 503 (providers retry). */
export const BODY_WAIT_MS = 5_000
export const RETRY_AFTER_SECONDS = 5
const POLL_MS = 20

// One budget per capacity: every app built with the same limits shares it, as they share memory.
const budgets = new Map<number, ByteBudget>()
const budgetOf = (capacity: number) => budgets.get(capacity) ?? budgets.set(capacity, new ByteBudget(capacity)).get(capacity)!

/** The bytes one request holds in the budget; all of them go back with `release()`. */
export type BodyLease = { take(bytes: number): Promise<void>; release(): void }

export const tooBusy = () => new AppError('UNAVAILABLE', 'Too many inbound messages are being received right now; retry shortly.')

/**
 * A lease on the shared budget for one request. `take` waits (polling: on Workers a promise must
 * not be resolved from another request's context) until the bytes fit, for `waitMs` at most, then
 * throws 503.
 */
export function leaseBodyBytes(capacity: number, waitMs = BODY_WAIT_MS): BodyLease {
  const budget = budgetOf(capacity)
  let held = 0
  return {
    async take(bytes) {
      const deadline = Date.now() + waitMs
      while (!budget.tryTake(bytes, held)) {
        if (Date.now() >= deadline) throw tooBusy()
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      }
      held += bytes
    },
    release() {
      budget.give(held)
      held = 0
    },
  }
}

type BodySource = Pick<Request, 'headers' | 'body'>
type ReadOptions = {
  /** Counts every byte held against the shared budget; without it the read is bounded by `limit` only. */
  lease?: BodyLease
  /** Sees each chunk as it arrives (e.g. to compute a MAC without a second pass). */
  onChunk?: (chunk: Uint8Array) => void
  /** Runs once the whole body has arrived, before it is put together; throwing refuses it uncopied. */
  verify?: () => void
  /** The whole body must have arrived by then, or the read stops with 503 (the sender retries). */
  deadlineMs?: number
}

/** A sender that trickles its body would otherwise hold its share of the budget for minutes. */
export const BODY_READ_MS = 30_000

/**
 * Reads a request (or response) body, giving up as soon as it passes `limit` bytes: a 30 MB post
 * costs at most `limit` bytes of memory, never the whole thing. Content-Length, when sent, refuses
 * it before anything is read. Bytes are taken from the lease before they are held: with a
 * Content-Length, all of them at once when the first chunk arrives (a connection that sends only
 * headers holds nothing, and a request never holds part of the budget while it waits for the
 * rest, which could leave every upload waiting on the others); without one, chunk by chunk.
 * The chunks are put together only after `verify`, so a forged body is never copied.
 */
export async function readBodyLimited(source: BodySource, limit: number, options: ReadOptions = {}): Promise<Uint8Array> {
  const tooLarge = () => new AppError('TOO_LARGE', `The body is larger than the limit of ${limit} bytes.`)
  const header = source.headers.get('content-length')
  const declared = header !== null && /^\d{1,15}$/.test(header.trim()) ? Number(header) : null
  if (declared !== null && declared > limit) {
    await source.body?.cancel().catch(() => {})
    throw tooLarge()
  }
  if (!source.body) {
    options.verify?.()
    return new Uint8Array()
  }
  const reader = source.body.getReader()
  let timedOut = false
  const timer = options.deadlineMs
    ? setTimeout(() => ((timedOut = true), void reader.cancel().catch(() => {})), options.deadlineMs)
    : undefined
  const chunks: Uint8Array[] = []
  let size = 0
  let reserved = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (timedOut) throw new AppError('UNAVAILABLE', `The body did not arrive within ${options.deadlineMs! / 1000} s; retry.`)
      if (done) break
      const end = size + value.byteLength
      if (end > limit) throw tooLarge()
      if (end > reserved) {
        const wanted = declared !== null && declared >= end ? declared : end
        await options.lease?.take(wanted - reserved)
        reserved = wanted
      }
      chunks.push(value)
      size = end
      options.onChunk?.(value)
    }
  } catch (error) {
    await reader.cancel().catch(() => {})
    throw error
  } finally {
    clearTimeout(timer)
  }
  options.verify?.()
  if (chunks.length === 1) return chunks[0]!
  const body = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks.splice(0)) {
    body.set(chunk, at)
    at += chunk.byteLength
  }
  return body
}

/**
 * Form fields as bytes, from multipart/form-data or urlencoded. Written here instead of
 * Request.formData() because that decodes text fields as UTF-8, and a raw MIME field (SendGrid's
 * `email`, Mailgun's `body-mime`) with 8-bit bytes in another charset must reach intake unchanged.
 * Fields are views into the body: parsing copies nothing.
 */
export function parseForm(body: Uint8Array, contentType: string): Map<string, Uint8Array> {
  const type = contentType.toLowerCase()
  if (type.startsWith('multipart/form-data')) return parseMultipart(body, multipartBoundary(contentType))
  if (type.startsWith('application/x-www-form-urlencoded')) return parseUrlEncoded(body)
  throw new AppError('BAD_INPUT', 'Expected multipart/form-data or application/x-www-form-urlencoded.')
}

/** The boundary of a multipart/form-data Content-Type; checked before any body is read. */
export function multipartBoundary(contentType: string): string {
  const boundary = /boundary=(?:"([^"]{1,200})"|([^;\s]{1,200}))/i.exec(contentType)
  const value = boundary ? (boundary[1] ?? boundary[2]!) : ''
  // RFC 2046 caps a boundary at 70 characters; it also bounds the delimiter search below.
  if (!value || value.length > 70) throw new AppError('BAD_INPUT', 'multipart/form-data needs a boundary of 1 to 70 characters.')
  return value
}

export const fieldText = (form: Map<string, Uint8Array>, name: string) => {
  const value = form.get(name)
  return value === undefined ? undefined : new TextDecoder().decode(value)
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
const CRLF_CRLF = ascii('\r\n\r\n')
// A part's headers are a few lines; past this, what follows is not a form part.
const MAX_PART_HEADERS = 8 * 1024

function parseMultipart(body: Uint8Array, boundary: string): Map<string, Uint8Array> {
  const fields = new Map<string, Uint8Array>()
  const delimiter = new BytePattern(ascii(`--${boundary}`))
  const nextDelimiter = new BytePattern(ascii(`\r\n--${boundary}`))
  const blankLine = new BytePattern(CRLF_CRLF)
  let at = delimiter.indexIn(body, 0)
  while (at !== -1) {
    const start = at + delimiter.length
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break // closing delimiter
    const headersEnd = blankLine.indexIn(body, start, start + MAX_PART_HEADERS)
    if (headersEnd === -1) break
    const next = nextDelimiter.indexIn(body, headersEnd + 4)
    if (next === -1) break
    const headers = String.fromCharCode(...body.subarray(start, headersEnd))
    const name = /content-disposition:[^\r\n]*?\bname="([^"]*)"/i.exec(headers)?.[1]
    if (name !== undefined && !fields.has(name)) fields.set(name, body.subarray(headersEnd + 4, next))
    at = next + 2
  }
  return fields
}

/**
 * Knuth-Morris-Pratt search over bytes: linear in the text whatever it holds. A naive search
 * costs the pattern's length at every near-match, and both the body and the boundary come from
 * whoever posts the form.
 */
class BytePattern {
  private readonly fallback: Int32Array
  constructor(private readonly bytes: Uint8Array) {
    this.fallback = new Int32Array(bytes.length)
    for (let i = 1, k = 0; i < bytes.length; i++) {
      while (k > 0 && bytes[i] !== bytes[k]) k = this.fallback[k - 1]!
      if (bytes[i] === bytes[k]) k++
      this.fallback[i] = k
    }
  }

  get length() {
    return this.bytes.length
  }

  /** The offset of the first match starting at or after `from` (and ending by `until`), or -1. */
  indexIn(text: Uint8Array, from: number, until = text.length): number {
    const end = Math.min(until, text.length)
    for (let i = from, k = 0; i < end; i++) {
      while (k > 0 && text[i] !== this.bytes[k]) k = this.fallback[k - 1]!
      if (text[i] === this.bytes[k]) k++
      if (k === this.bytes.length) return i - k + 1
    }
    return -1
  }
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
  byte === undefined
    ? -1
    : byte >= 0x30 && byte <= 0x39
      ? byte - 0x30
      : (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66
        ? (byte | 0x20) - 0x57
        : -1

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
