// Keeps the files of an inbound message, in the transaction that stores the message. The
// analysis worker already read them and applied the per-message limits (src/intake/parse.ts);
// here the organization's limit is applied in one statement (add_attachment_usage, sql/00047),
// which locks the org's usage row to commit: intake calls this as late as it can.
import type { Tx } from '../db.ts'
import type { MailFile } from '../intake/parse.ts'
import { defaultFileLimits, formatBytes, type FileLimits } from './limits.ts'
import { addAttachmentUsage, insertAttachments } from './queries.ts'

export async function storeAttachments(
  tx: Tx,
  orgId: string,
  messageId: string,
  files: MailFile[],
  limits: FileLimits = defaultFileLimits,
): Promise<{ kept: number; notKept: number }> {
  if (!files.length) return { kept: 0, notKept: 0 }
  const decided = files.map((f) => ({ ...f }))
  const wanted = decided.filter((f) => f.content)
  if (wanted.length) {
    const kept = await addAttachmentUsage(
      tx,
      orgId,
      wanted.map((f) => f.size),
      limits.maxOrgBytes,
    )
    wanted.forEach((file, i) => {
      if (kept[i]) return
      file.content = null
      file.notKept = `the organization keeps at most ${formatBytes(limits.maxOrgBytes)} of attachments, and that is used up`
    })
  }
  await insertAttachments(
    tx,
    decided.map((f, position) => ({
      orgId,
      messageId,
      position,
      depth: f.depth,
      filename: f.filename,
      contentType: f.contentType,
      size: f.size,
      sha256: f.sha256,
      disposition: f.disposition,
      contentId: f.contentId,
      content: f.content,
      notKept: f.content ? null : (f.notKept ?? 'not kept'),
      // PostgreSQL text holds no U+0000, which a PDF's text can carry.
      extractedText: f.text ? f.text.replaceAll('\0', '') : null,
    })),
  )
  const kept = decided.filter((f) => f.content).length
  return { kept, notKept: decided.length - kept }
}
