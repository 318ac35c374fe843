import type { Q } from '../db.ts'

export type NewAttachment = {
  orgId: string
  messageId: string
  position: number
  depth: number
  filename: string
  contentType: string
  size: number
  sha256: string
  disposition: 'attachment' | 'inline' | null
  contentId: string | null
  content: Uint8Array | null
  notKept: string | null
  extractedText: string | null
}

export async function insertAttachments(db: Q, rows: NewAttachment[]): Promise<void> {
  if (!rows.length) return
  const values = rows.map((r) => ({
    org_id: r.orgId,
    message_id: r.messageId,
    position: r.position,
    depth: r.depth,
    filename: r.filename,
    content_type: r.contentType,
    size: r.size,
    sha256: r.sha256,
    disposition: r.disposition,
    content_id: r.contentId,
    content: r.content ? Buffer.from(r.content.buffer, r.content.byteOffset, r.content.byteLength) : null,
    not_kept: r.notKept,
    extracted_text: r.extractedText,
  }))
  await db`insert into message_attachments ${db(values)}`
}

/**
 * Which of these files (their sizes, in order) fit the organization's limit, their bytes added to
 * its usage: one statement (sql/00047), which locks the usage row until the transaction ends.
 */
export async function addAttachmentUsage(db: Q, orgId: string, sizes: number[], limit: number): Promise<boolean[]> {
  const [row]: [{ kept: boolean[] }?] = await db`
    select add_attachment_usage(${orgId}, ${sizes}::bigint[], ${limit}) as kept`
  return row?.kept ?? sizes.map(() => false)
}

/** What the case page shows of a file: everything but its bytes. */
export type AttachmentSummary = {
  id: string
  messageId: string
  position: number
  depth: number
  filename: string
  contentType: string
  size: number
  sha256: string
  disposition: 'attachment' | 'inline' | null
  contentId: string | null
  kept: boolean
  notKept: string | null
  extractedText: string | null
}

export async function listCaseAttachments(db: Q, caseId: string): Promise<AttachmentSummary[]> {
  return db<AttachmentSummary[]>`
    select a.id, a.message_id as "messageId", a.position, a.depth, a.filename, a.content_type as "contentType",
           a.size::float8 as size, a.sha256, a.disposition, a.content_id as "contentId",
           a.content is not null as kept, a.not_kept as "notKept", a.extracted_text as "extractedText"
    from message_attachments a join messages m on m.id = a.message_id
    where m.case_id = ${caseId} order by m.created_at, m.id, a.position`
}

/** Who each of the case's messages was copied to (and, for a forward, the original's To and Cc). */
export async function listCaseRecipients(
  db: Q,
  caseId: string,
): Promise<{ messageId: string; cc: string[]; originalTo: string[]; originalCc: string[] }[]> {
  return db`
    select id as "messageId", cc_emails as cc, original_to_emails as "originalTo", original_cc_emails as "originalCc"
    from messages where case_id = ${caseId}
      and (cardinality(cc_emails) > 0 or cardinality(original_to_emails) > 0 or cardinality(original_cc_emails) > 0)`
}

export type StoredFile = { filename: string; contentType: string; size: number; content: Uint8Array }

/** One kept file of one of the case's messages; undefined for another case's, another org's or one not kept. */
export async function findAttachmentContent(db: Q, caseId: string, attachmentId: string): Promise<StoredFile | undefined> {
  const [row]: [StoredFile?] = await db`
    select a.filename, a.content_type as "contentType", a.size::float8 as size, a.content
    from message_attachments a join messages m on m.id = a.message_id
    where a.id = ${attachmentId} and m.case_id = ${caseId} and a.content is not null`
  return row
}

/** The text of the PDF letters of a case's inbound mail, oldest first. */
export async function listCaseLetterTexts(db: Q, caseId: string): Promise<{ messageId: string; filename: string; text: string }[]> {
  return db`
    select a.message_id as "messageId", a.filename, a.extracted_text as text
    from message_attachments a join messages m on m.id = a.message_id
    where m.case_id = ${caseId} and m.direction = 'inbound' and a.extracted_text is not null
    order by m.created_at, m.id, a.position`
}
