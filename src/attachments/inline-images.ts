// The images a message's HTML refers to by cid:, for its sanitized frame: only kept parts whose
// bytes are PNG, JPEG, GIF or WebP (never SVG, whatever the part declares), up to a total size,
// as data: URIs (the frame's CSP loads nothing else; a remote image never loads).
import type { Q } from '../db.ts'
import { isUuid } from '../http/ids.ts'
import type { InlineImages } from '../http/sanitize.ts'
import { sniffImage } from './serve.ts'

/** Bytes of inline images one framed message may carry (a signature's logos, a screenshot or two). */
export const MAX_INLINE_IMAGE_BYTES = 5 * 1024 * 1024

export async function inlineImagesOf(db: Q, caseId: string, messageId: string): Promise<InlineImages> {
  const images = new Map<string, string>()
  if (!isUuid(caseId) || !isUuid(messageId)) return images
  const rows = await db<{ contentId: string; content: Uint8Array }[]>`
    select a.content_id as "contentId", a.content from message_attachments a join messages m on m.id = a.message_id
    where a.message_id = ${messageId} and m.case_id = ${caseId} and a.content_id is not null and a.content is not null
      and a.size <= ${MAX_INLINE_IMAGE_BYTES}
    order by a.position`
  let total = 0
  for (const row of rows) {
    const type = sniffImage(row.content)
    if (!type || total + row.content.byteLength > MAX_INLINE_IMAGE_BYTES) continue
    total += row.content.byteLength
    images.set(row.contentId.replace(/^<|>$/g, '').toLowerCase(), `data:${type};base64,${Buffer.from(row.content).toString('base64')}`)
  }
  return images
}
