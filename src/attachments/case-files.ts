// The files and copied recipients of a case's messages, as the case page shows them beside each
// message of the thread. Loaded once per request, whichever message asks first.
import type { Context } from 'hono'
import { withOrg, type Q } from '../db.ts'
import type { AppEnv } from '../http/app-env.ts'
import { listCaseAttachments, listCaseRecipients, type AttachmentSummary } from './queries.ts'

export type MessageFiles = { attachments: AttachmentSummary[]; cc: string[]; originalTo: string[]; originalCc: string[] }

export async function loadCaseFiles(db: Q, caseId: string): Promise<Map<string, MessageFiles>> {
  const [attachments, recipients] = await Promise.all([listCaseAttachments(db, caseId), listCaseRecipients(db, caseId)])
  const byMessage = new Map<string, MessageFiles>()
  const entry = (id: string) => {
    let files = byMessage.get(id)
    if (!files) byMessage.set(id, (files = { attachments: [], cc: [], originalTo: [], originalCc: [] }))
    return files
  }
  for (const r of recipients) Object.assign(entry(r.messageId), { cc: r.cc, originalTo: r.originalTo, originalCc: r.originalCc })
  for (const a of attachments) entry(a.messageId).attachments.push(a)
  return byMessage
}

const loaded = new WeakMap<object, { caseId: string; files: Promise<Map<string, MessageFiles>> }>()

/** The case's files for the signed-in user's organization (RLS), read once per request. */
export function caseFilesOf(c: Context<AppEnv>, caseId: string): Promise<Map<string, MessageFiles>> {
  const cached = loaded.get(c)
  if (cached?.caseId === caseId) return cached.files
  const user = c.get('user')
  const files = user ? withOrg(c.get('deps').db, user.orgId, (tx) => loadCaseFiles(tx, caseId)) : Promise.resolve(new Map())
  loaded.set(c, { caseId, files })
  return files
}
