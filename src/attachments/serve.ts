// How a stored file leaves the desk: always as a download, never rendered, except an image the
// bytes prove to be PNG, JPEG, GIF or WebP (never SVG, which is a document that runs script),
// which may be shown inline. The declared type is the sender's claim: it is sent only when it is
// one of a few types no browser renders as a page.

const downloadTypes = new Set([
  'application/pdf',
  'application/zip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'text/plain',
  'text/csv',
  'text/calendar',
  'message/rfc822',
])

const previewTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const

/** The Content-Type a download is served with. */
export const servedType = (declared: string) => (downloadTypes.has(declared) ? declared : 'application/octet-stream')

/** Whether the type is one the case page previews (the bytes are checked when serving). */
export const isPreviewType = (declared: string) => (previewTypes as readonly string[]).includes(declared)

/** The image type the bytes themselves show, or null: what an inline preview is served as. */
export function sniffImage(bytes: Uint8Array): (typeof previewTypes)[number] | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b)
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png'
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg'
  if (starts(0x47, 0x49, 0x46, 0x38) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif'
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50)
    return 'image/webp'
  return null
}

/** RFC 6266 / 5987: an ASCII fallback and the UTF-8 name, neither able to end the header early. */
export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%;]/g, '_') || 'attachment'
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

export type Served = { filename: string; contentType: string; content: Uint8Array }

/** The headers of a download, or of an inline preview when one was asked for and the bytes are an image of its declared type. */
export function servedHeaders(file: Served, wantsInline: boolean): Record<string, string> {
  const image = wantsInline && isPreviewType(file.contentType) ? sniffImage(file.content) : null
  const inline = image !== null && image === file.contentType
  return {
    'content-type': inline ? image : servedType(file.contentType),
    'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', file.filename),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'",
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'cache-control': 'private, no-store',
  }
}
