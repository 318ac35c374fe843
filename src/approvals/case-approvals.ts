import type { DbOrTx } from '../db.ts'

export type CaseApprovals = {
  /** Four eyes on the latest version: who wrote it, and whether the org lets them approve it alone. */
  fourEyes: { version: number; authors: { id: string; name: string }[]; selfApprovalAllowed: boolean } | null
  open: { approverId: string; approverName: string; createdAt: Date; expiresAt: Date }[]
  decisions: { decision: 'approved' | 'rejected'; approverName: string; version: number; note: string | null; createdAt: Date }[]
  sends: {
    status: string
    toEmails: string[]
    subject: string
    attempts: number
    lastError: string | null
    sentAt: Date | null
    createdAt: Date
    version: number
  }[]
}

/** Who was asked, who decided, and what happened to each approved reply. */
export async function loadCaseApprovals(db: DbOrTx, caseId: string): Promise<CaseApprovals> {
  const [open, decisions, sends, [fourEyes]] = await Promise.all([
    db<CaseApprovals['open']>`
      select u.id as "approverId", coalesce(nullif(u.name, ''), u.email) as "approverName", r.created_at as "createdAt", r.expires_at as "expiresAt"
      from approval_requests r join app_users u on u.id = r.approver_id
      where r.case_id = ${caseId} and r.decided_at is null and r.voided_at is null and r.expires_at > now()
      order by r.created_at`,
    db<CaseApprovals['decisions']>`
      select a.decision, coalesce(nullif(u.name, ''), u.email) as "approverName", d.version, a.note, a.created_at as "createdAt"
      from approvals a join app_users u on u.id = a.approver_id join drafts d on d.id = a.draft_id
      where a.case_id = ${caseId} order by a.created_at desc limit 10`,
    db<CaseApprovals['sends']>`
      select o.status, o.to_emails as "toEmails", o.subject, o.attempts, o.last_error as "lastError", o.sent_at as "sentAt",
             o.created_at as "createdAt", d.version
      from outbox o join drafts d on d.id = o.draft_id where o.case_id = ${caseId} order by o.created_at desc`,
    db<NonNullable<CaseApprovals['fourEyes']>[]>`
      select d.version, coalesce(self_approval_allowed(d.case_id), false) as "selfApprovalAllowed",
             coalesce((select json_agg(json_build_object('id', u.id, 'name', coalesce(nullif(u.name, ''), u.email)) order by u.email)
                       from app_users u where u.id = any(draft_text_authors(d.id))), '[]') as authors
      from drafts d where d.case_id = ${caseId} order by d.version desc limit 1`,
  ])
  return { open, decisions, sends, fourEyes: fourEyes ?? null }
}
