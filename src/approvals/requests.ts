import { recordAudit, userActor } from '../audit/audit.ts'
import { issueLinkToken } from '../auth/tokens.ts'
import { lockCase } from '../cases/case-record.ts'
import { caseLabel } from '../cases/terms.ts'
import { changeStatus, transitions } from '../cases/lifecycle.ts'
import type { Tx } from '../db.ts'
import { listDraftVersions, type DraftVersion } from '../drafts/queries.ts'
import type { Env } from '../env.ts'
import { AppError } from '../http/errors.ts'
import { listedApprovers } from '../orgs/approvers.ts'
import { replyFrom } from '../outbound/identity.ts'
import { loadFourEyes, type FourEyes } from './four-eyes.ts'
import { voidPendingApprovals, type Voided } from './void.ts'

export type ApprovalInvite = { approverId: string; email: string; name: string; url: string; expiresAt: Date; orgName: string }
export type LinkDeps = { env: Env; key: Uint8Array }
type Approver = { id: string; email: string; name: string }

/**
 * The hash the database computes (draft_reply_hash, sql/00033): recipients, copies, subject,
 * body, the From the reply will carry and each file's name, type and SHA-256, so an approval
 * covers everything the approver saw.
 */
export async function contentHash(tx: Tx, d: Pick<DraftVersion, 'id'>, from: string): Promise<string> {
  const [row] = await tx<{ hash: string }[]>`select draft_reply_hash(d, ${from}) as hash from drafts d where d.id = ${d.id}`
  return row!.hash
}

/** Hours an approval link stays valid: SEV-1 moves fast, so its links expire sooner. */
export const approvalLinkHours = (env: Pick<Env, 'APPROVAL_LINK_HOURS' | 'APPROVAL_LINK_HOURS_SEV1'>, severity: string) =>
  severity === 'SEV-1' ? env.APPROVAL_LINK_HOURS_SEV1 : env.APPROVAL_LINK_HOURS

/**
 * Who may be asked to approve this version: the active approvers and admins the org lists for
 * the case's source or severity (every one when nothing is listed; src/orgs/approvers.ts), minus
 * its authors when the org does not allow self-approval on the case.
 */
export async function eligibleApprovers(tx: Tx, caseId: string, fourEyes: FourEyes): Promise<Approver[]> {
  const listed = await listedApprovers(tx, caseId)
  const authors = fourEyes.selfApprovalAllowed ? [] : fourEyes.authors
  return tx<Approver[]>`
    select id, email, name from app_users
    where role in ('approver', 'admin') and disabled_at is null ${listed ? tx`and id = any(${listed}::uuid[])` : tx``}
      and not (id = any(${authors}::uuid[]))
    order by email`
}

/** Why nobody can be asked: the listed approvers are all gone, or all wrote the text, or there are none. */
async function nobodyToAsk(tx: Tx, caseId: string, version: number, fourEyes: FourEyes): Promise<string> {
  const listed = await listedApprovers(tx, caseId)
  if (fourEyes.authors.length && !fourEyes.selfApprovalAllowed) {
    return `Nobody else in your organization can approve version ${version}: the approvers${listed ? ' listed for this case' : ''} wrote or edited it, and this case needs a second person. An admin can give someone else the approver role${listed ? ' or list more approvers on the Organization page' : ''}.`
  }
  return listed
    ? "The approvers listed for this case's source or severity are no longer active approvers; an admin can change the list on the Organization page."
    : 'Nobody in your organization can approve replies; an admin can give someone the approver role.'
}

/** A version that was approved cannot be approved again: the next send needs a new version. */
async function refuseIfApproved(tx: Tx, draft: DraftVersion): Promise<void> {
  const [approved] = await tx<{ status: string | null }[]>`
    select o.status from approvals a left join outbox o on o.approval_id = a.id
    where a.draft_id = ${draft.id} and a.decision = 'approved'`
  if (!approved) return
  throw new AppError(
    'INVALID_STATE',
    approved.status === 'cancelled'
      ? `Version ${draft.version} was approved, then held back before it was sent. Edit or redraft it: the new version needs its own approval.`
      : `Version ${draft.version} is already approved and on its way.`,
  )
}

/**
 * Asks every approver who may approve the latest version to review it. Each gets a link bound to
 * them, the org, the case and the exact text (its hash), with a stored jti. Earlier open
 * requests on the case lapse (audited): only the newest ask stands.
 */
export async function requestApproval(
  tx: Tx,
  deps: LinkDeps,
  orgId: string,
  caseId: string,
  requester: { id: string },
  because?: string,
): Promise<{ version: number; invites: ApprovalInvite[] }> {
  const kase = await lockCase(tx, caseId)
  const [draft] = await listDraftVersions(tx, caseId, 1)
  if (!draft) throw new AppError('INVALID_STATE', `${caseLabel(kase.number)} has no reply drafted yet.`)
  const blocking = draft.guardrailFlags.filter((f) => f.severity === 'block')
  if (blocking.length) {
    throw new AppError('BAD_INPUT', `Fix this before asking for approval: ${blocking.map((f) => f.message).join(' ')}`)
  }
  await refuseIfApproved(tx, draft)
  const fourEyes = await loadFourEyes(tx, caseId, draft.id)
  const eligible = await eligibleApprovers(tx, caseId, fourEyes)
  if (!eligible.length) throw new AppError('INVALID_STATE', await nobodyToAsk(tx, caseId, draft.version, fourEyes))
  // The requester is not asked when someone else can be: asking yourself is no second look. The
  // only approver of a small desk still asks themselves (where four eyes allow it).
  const approvers = eligible.some((a) => a.id !== requester.id) ? eligible.filter((a) => a.id !== requester.id) : eligible

  await voidPendingApprovals(tx, orgId, caseId, 'a new approval request was sent', userActor(requester))
  const invites = await inviteApprovers(tx, deps, { orgId, caseId, severity: kase.severity, draft, requester, approvers })
  if (kase.status !== 'awaiting_approval' && transitions[kase.status].includes('awaiting_approval')) {
    await changeStatus(tx, orgId, caseId, userActor(requester), { to: 'awaiting_approval' })
  }
  const excluded = fourEyes.selfApprovalAllowed ? [] : fourEyes.authors
  await recordAudit(tx, orgId, {
    actor: userActor(requester),
    action: 'approval.request',
    caseId,
    details: {
      version: draft.version,
      approvers: approvers.map((a) => a.id),
      expiresInHours: approvalLinkHours(deps.env, kase.severity),
      ...(excluded.length ? { notAskedAsAuthors: excluded } : {}),
      ...(because ? { because } : {}),
    },
  })
  return { version: draft.version, invites }
}

async function inviteApprovers(
  tx: Tx,
  deps: LinkDeps,
  r: { orgId: string; caseId: string; severity: string; draft: DraftVersion; requester: { id: string }; approvers: Approver[] },
): Promise<ApprovalInvite[]> {
  const hash = await contentHash(tx, r.draft, await replyFrom(tx, r.caseId, deps.env.MAIL_FROM))
  const ttlSeconds = approvalLinkHours(deps.env, r.severity) * 3600
  const [org] = await tx<{ name: string }[]>`select name from orgs where id = ${r.orgId}`
  const invites: ApprovalInvite[] = []
  for (const approver of r.approvers) {
    const link = await issueLinkToken(tx, deps.key, {
      orgId: r.orgId,
      userId: approver.id,
      purpose: 'approve',
      ttlSeconds,
      bind: { case: r.caseId, draft: r.draft.id, version: String(r.draft.version), hash },
    })
    await tx`
      insert into approval_requests (org_id, case_id, draft_id, content_hash, approver_id, requested_by, jti, expires_at)
      values (${r.orgId}, ${r.caseId}, ${r.draft.id}, ${hash}, ${approver.id}, ${r.requester.id}, ${link.jti}, ${link.expiresAt})`
    invites.push({
      approverId: approver.id,
      email: approver.email,
      name: approver.name,
      url: `${deps.env.PUBLIC_URL.replace(/\/+$/, '')}/approve?token=${link.token}`,
      expiresAt: link.expiresAt,
      orgName: org!.name,
    })
  }
  return invites
}

/** New mail from the customer changes what a good reply is (see voidPendingApprovals). */
export const voidOnNewInbound = (tx: Tx, orgId: string, caseId: string): Promise<Voided> =>
  voidPendingApprovals(tx, orgId, caseId, 'the customer wrote again')
