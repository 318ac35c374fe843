// Names and types of inbound files as the desk stores and serves them. A file's name and type
// are whatever the sender wrote: a name can carry a path, control characters or a right-to-left
// override ("invoice‮fdp.exe"), a type can claim anything.

const extensions: Record<string, string> = {
  'application/pdf': '.pdf',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'text/plain': '.txt',
  'text/calendar': '.ics',
  'message/rfc822': '.eml',
}

/** The file's own name, without a path, control or direction characters, at most 200 characters. */
export function safeFilename(name: string | null | undefined, position: number, contentType: string): string {
  const cleaned = (name ?? '')
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, '')
    .split(/[/\\]/)
    .pop()!
    .replace(/["*:<>?|]+/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '')
  const chars = [...cleaned]
  if (chars.length === 0) return `attachment-${position + 1}${extensions[contentType] ?? ''}`
  return chars.length > 200 ? chars.slice(0, 200).join('') : cleaned
}

const TYPE_SHAPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/

/** The declared type in lower case, or application/octet-stream when it is not shaped like one. */
export function declaredType(mimeType: string | null | undefined): string {
  const type = (mimeType ?? '').trim().toLowerCase()
  return TYPE_SHAPE.test(type) ? type : 'application/octet-stream'
}

/** A Content-ID without its angle brackets, or null. */
export function contentIdOf(value: string | null | undefined): string | null {
  const id = (value ?? '')
    .replace(/[\p{Cc}]+/gu, '')
    .trim()
    .replace(/^<|>$/g, '')
    .trim()
  return id && id.length <= 998 ? id : null
}
