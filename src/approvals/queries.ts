import type { DbOrTx } from '../db.ts'

export type StoredApprovalRequest = {
  caseId: string
  draftId: string
  hash: string
  approverId: string
  decidedAt: Date | null
  voidedAt: Date | null
  voidReason: string | null
  consumedAt: Date | null
}

/** The approval request a link's jti names, with whether its link was used. */
export async function findApprovalRequest(db: DbOrTx, jti: string): Promise<StoredApprovalRequest | undefined> {
  const [row]: [StoredApprovalRequest?] = await db`
    select r.case_id as "caseId", r.draft_id as "draftId", r.content_hash as hash, r.approver_id as "approverId",
           r.decided_at as "decidedAt", r.voided_at as "voidedAt", r.void_reason as "voidReason", t.consumed_at as "consumedAt"
    from approval_requests r join link_tokens t on t.jti = r.jti where r.jti = ${jti}`
  return row
}

export type ThreadExcerpt = { from: string; at: Date; text: string }

/** The latest mail of the case, newest first, as an approver reads it beside the reply. */
export async function listLatestMail(db: DbOrTx, caseId: string, limit = 5): Promise<ThreadExcerpt[]> {
  return db<ThreadExcerpt[]>`
    select coalesce(from_name || ' <' || from_email || '>', from_email, 'us') as from, created_at as at, left(text_body, 2000) as text
    from messages where case_id = ${caseId} and direction <> 'note' order by created_at desc limit ${limit}`
}
