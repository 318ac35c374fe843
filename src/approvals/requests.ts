import { recordAudit } from '../audit/audit.ts'
import { issueLinkToken } from '../auth/tokens.ts'
import { lockCase, label } from '../cases/case-record.ts'
import { changeStatus } from '../cases/lifecycle.ts'
import type { Tx } from '../db.ts'
import { listDraftVersions, type DraftVersion } from '../drafts/queries.ts'
import type { Env } from '../env.ts'
import { AppError } from '../http/errors.ts'

export type ApprovalInvite = { approverId: string; email: string; name: string; url: string; expiresAt: Date }

/** The hash the database computes (draft_content_hash): recipients, subject and body. */
export async function contentHash(tx: Tx, d: Pick<DraftVersion, 'toEmails' | 'subject' | 'body'>): Promise<string> {
  const [row] = await tx<{ hash: string }[]>`select draft_content_hash(${d.toEmails}::text[], ${d.subject}, ${d.body}) as hash`
  return row!.hash
}

/** Hours an approval link stays valid: SEV-1 moves fast, so its links expire sooner. */
export const approvalLinkHours = (env: Pick<Env, 'APPROVAL_LINK_HOURS' | 'APPROVAL_LINK_HOURS_SEV1'>, severity: string) =>
  severity === 'SEV-1' ? env.APPROVAL_LINK_HOURS_SEV1 : env.APPROVAL_LINK_HOURS

/**
 * Asks every active approver (or those the org lists for this severity) to review the latest
 * version. Each gets a link bound to them, the org, the case and the exact text (its hash), with
 * a stored jti. Earlier open requests on the case are voided: only the newest ask stands.
 */
export async function requestApproval(
  tx: Tx,
  deps: { env: Env; key: Uint8Array },
  orgId: string,
  caseId: string,
  requester: { id: string },
): Promise<{ version: number; invites: ApprovalInvite[] }> {
  const kase = await lockCase(tx, caseId)
  const [draft] = await listDraftVersions(tx, caseId, 1)
  if (!draft) throw new AppError('INVALID_STATE', `${label(kase)} has no reply drafted yet.`)
  const blocking = draft.guardrailFlags.filter((f) => f.severity === 'block')
  if (blocking.length) {
    throw new AppError('BAD_INPUT', `Fix this before asking for approval: ${blocking.map((f) => f.message).join(' ')}`)
  }
  const [org] = await tx<{ settings: { approvers_by_severity?: Record<string, string[]> } }[]>`select settings from orgs where id = ${orgId}`
  const listed = org?.settings.approvers_by_severity?.[kase.severity]?.map((e) => e.toLowerCase()) ?? null
  const approvers = await tx<{ id: string; email: string; name: string }[]>`
    select id, email, name from app_users
    where role in ('approver', 'admin') and disabled_at is null ${listed ? tx`and email = any(${listed})` : tx``}
    order by email`
  if (!approvers.length) throw new AppError('INVALID_STATE', 'Nobody in your organization can approve replies; an admin can give someone the approver role.')

  await tx`
    update approval_requests set voided_at = now(), void_reason = 'a new approval request was sent'
    where case_id = ${caseId} and decided_at is null and voided_at is null`
  const hash = await contentHash(tx, draft)
  const ttlSeconds = approvalLinkHours(deps.env, kase.severity) * 3600
  const invites: ApprovalInvite[] = []
  for (const approver of approvers) {
    const link = await issueLinkToken(tx, deps.key, {
      orgId, userId: approver.id, purpose: 'approve', ttlSeconds,
      bind: { case: caseId, draft: draft.id, version: String(draft.version), hash },
    })
    await tx`
      insert into approval_requests (org_id, case_id, draft_id, content_hash, approver_id, requested_by, jti, expires_at)
      values (${orgId}, ${caseId}, ${draft.id}, ${hash}, ${approver.id}, ${requester.id}, ${link.jti}, ${link.expiresAt})`
    invites.push({ approverId: approver.id, email: approver.email, name: approver.name, url: `${deps.env.PUBLIC_URL}/approve?token=${link.token}`, expiresAt: link.expiresAt })
  }
  if (kase.status !== 'awaiting_approval') {
    await changeStatus(tx, orgId, caseId, { kind: 'user', id: requester.id }, { to: 'awaiting_approval' })
  }
  await recordAudit(tx, orgId, {
    actor: { kind: 'user', id: requester.id },
    action: 'approval.request',
    caseId,
    details: { version: draft.version, approvers: approvers.map((a) => a.id), expiresInHours: ttlSeconds / 3600 },
  })
  return { version: draft.version, invites }
}

/**
 * New mail from the customer changes what a good reply is: open requests lapse, and an approved
 * reply that has not started sending is held back (cancelled) for a fresh look.
 */
export async function voidOnNewInbound(tx: Tx, orgId: string, caseId: string): Promise<{ requests: number; cancelled: number }> {
  const requests = await tx`
    update approval_requests set voided_at = now(), void_reason = 'the customer wrote again'
    where case_id = ${caseId} and decided_at is null and voided_at is null returning id`
  const cancelled = await tx`
    update outbox set status = 'cancelled', last_error = 'the customer wrote again before it was sent'
    where case_id = ${caseId} and status = 'pending' returning id`
  if (requests.length || cancelled.length) {
    await recordAudit(tx, orgId, {
      actor: { kind: 'system', id: null },
      action: 'approval.void',
      caseId,
      details: { reason: 'the customer wrote again', requests: requests.length, cancelledSends: cancelled.length },
    })
  }
  return { requests: requests.length, cancelled: cancelled.length }
}
