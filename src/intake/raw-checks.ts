// Cheap scans of a message's raw bytes before postal-mime sees them: is it mail at all, is it
// within the size, line and part limits a parse can finish in, and does it have a text/plain
// part. Linear in the bytes, no parsing: this is what keeps one parse short.

/** The limits these scans hold a message to (parse.ts's Limits without the depth). */
type SizeLimits = { maxBytes: number; maxParts: number; parseTimeoutMs: number }

const MB = 1024 * 1024
// Header-only scans never need the whole message: the header section of real mail is far below this.
export const SNIFF_BYTES = 64 * 1024

/** Cheap checks on the bytes before postal-mime sees them (promise 8). Checked per message
 * level: an attached message is checked again, on its own, when it is parsed. */
export function checkBeforeParsing(raw: Uint8Array, limits: SizeLimits): { ok: true; text: string } | { ok: false; reason: string } {
  if (raw.byteLength === 0) return { ok: false, reason: 'the message is empty' }
  if (raw.byteLength > limits.maxBytes) {
    const size = (raw.byteLength / MB).toFixed(1)
    return { ok: false, reason: `message is ${size} MB, over the ${formatMb(limits.maxBytes)} MB limit` }
  }
  if (!looksLikeHeaders(latin1(raw.subarray(0, SNIFF_BYTES)))) {
    return { ok: false, reason: 'not an email message: no header lines at the start' }
  }
  // postal-mime pays 10-15 µs for every line of text or quoted-printable content, however short,
  // so millions of tiny lines would take minutes while staying under the size limit. Base64
  // lines are decoded in bulk and cost almost nothing, so only the other lines count.
  const maxLines = limits.parseTimeoutMs * 50
  if (countCostlyLines(raw, maxLines) > maxLines) {
    return { ok: false, reason: `message has more than ${maxLines} text lines, too many to parse within ${limits.parseTimeoutMs} ms` }
  }
  const text = latin1(raw)
  const parts = countMimeParts(text)
  if (parts > limits.maxParts) return { ok: false, reason: `message has ${parts} MIME parts, over the ${limits.maxParts} part limit` }
  return { ok: true, text }
}

function looksLikeHeaders(head: string): boolean {
  // NUL never belongs in a header section; a binary body part (CTE binary) may contain it.
  const blank = head.search(/\r?\n\r?\n/)
  if ((blank < 0 ? head : head.slice(0, blank)).includes('\u0000')) return false
  // Some saved messages start with a whitespace-only line; postal-mime skips it, so do we.
  const first = head.replace(/^(?:[ \t]*\r?\n)+/, '').split(/\r?\n/, 1)[0] ?? ''
  return /^From \S/.test(first) || /^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(first)
}

const BASE64_BYTE = new Uint8Array(256)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=') BASE64_BYTE[c.charCodeAt(0)] = 1

function countCostlyLines(raw: Uint8Array, stopAfter: number): number {
  let costly = 0
  let length = 0
  let base64 = true
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!
    if (byte === 10) {
      if (!(base64 && length >= 40) && ++costly > stopAfter) return costly
      length = 0
      base64 = true
    } else if (byte !== 13) {
      length++
      if (base64 && BASE64_BYTE[byte] === 0) base64 = false
    }
  }
  return costly
}

/** Counts delimiter lines of every declared boundary; a pre-scan, not a parse. */
function countMimeParts(text: string): number {
  const boundaries = new Set<string>()
  for (const m of text.matchAll(/boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))/gi)) {
    boundaries.add(m[1] ?? m[2]!)
  }
  if (boundaries.size === 0) return 1
  let parts = 0
  for (const line of text.matchAll(/^--([^\r\n]*)/gm)) {
    if (boundaries.has(line[1]!.trimEnd())) parts++
  }
  return Math.max(parts, 1)
}

export function hasPlainTextPart(text: string): boolean {
  const headerEnd = text.search(/\r?\n\r?\n/)
  const topHeaders = headerEnd < 0 ? text : text.slice(0, headerEnd)
  // A message without Content-Type is text/plain by definition (RFC 2045 section 5.2).
  if (!/^content-type\s*:/im.test(topHeaders)) return true
  return /^content-type\s*:\s*text\/plain/im.test(text)
}

export function latin1(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes)
}

function formatMb(bytes: number): string {
  const mb = bytes / MB
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(1)
}
