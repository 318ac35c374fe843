import { findUserById } from '../auth/queries.ts'
import { linkSigningKey, verifyLinkToken, type LinkClaims } from '../auth/tokens.ts'
import { getCaseDetail, type CaseDetail } from '../cases/detail.ts'
import { withOrg, type Db } from '../db.ts'
import { listDraftVersions, type DraftVersion } from '../drafts/queries.ts'
import type { Env } from '../env.ts'
import { loadFourEyes, needsAnotherApprover } from './four-eyes.ts'
import { findApprovalRequest, listLatestMail, type ThreadExcerpt } from './queries.ts'
import { replyHeaders, type ReplyHeaders } from '../outbound/identity.ts'

// What an approval link points at, read without changing anything: mail scanners open links, so
// the GET that shows the page and the POST that decides share this reading, and only the POST
// consumes the link (in the transaction of the decision).

export type ApprovalLink = {
  ok: true
  token: string
  claims: LinkClaims
  orgId: string
  approver: { id: string; role: string; name: string; email: string }
  kase: CaseDetail
  draft: DraftVersion
  thread: ThreadExcerpt[]
  /** The From and Reply-To the reply goes out with if approved now (approved with the text). */
  sender: ReplyHeaders
  /** Four eyes for this approver: they wrote part of it ('yours'), an edit would need another ('edits'), or neither. */
  fourEyes: 'yours' | 'edits' | 'none'
}

/** Why a link cannot be acted on; each reason has its own answer (status and wording). */
export type LinkProblem =
  | { ok: false; reason: 'expired' }
  /** Altered or incomplete, matching no request, or for an approver or case that is gone. */
  | { ok: false; reason: 'invalid'; why: 'altered' | 'unmatched' | 'gone' }
  | { ok: false; reason: 'used'; caseId: string; caseNumber: number }
  | { ok: false; reason: 'replaced'; caseId: string; voidReason: string | null; currentVersion: number | null }

export async function readApprovalLink(
  db: Db,
  env: Pick<Env, 'LINK_SECRET' | 'MAIL_FROM'>,
  token: string,
): Promise<ApprovalLink | LinkProblem> {
  const verified = await verifyLinkToken(await linkSigningKey(db, env.LINK_SECRET), token, 'approve')
  if (!verified.ok)
    return verified.reason === 'expired' ? { ok: false, reason: 'expired' } : { ok: false, reason: 'invalid', why: 'altered' }
  const { claims } = verified
  return withOrg(db, claims.orgId, async (tx): Promise<ApprovalLink | LinkProblem> => {
    const request = await findApprovalRequest(tx, claims.jti)
    // Every binding must agree: the signed claims, the stored request and the approver.
    if (
      !request ||
      request.approverId !== claims.userId ||
      claims.bind.case !== request.caseId ||
      claims.bind.draft !== request.draftId ||
      claims.bind.hash !== request.hash
    ) {
      return { ok: false, reason: 'invalid', why: 'unmatched' }
    }
    const kase = await getCaseDetail(tx, request.caseId)
    const approver = await findUserById(tx, claims.userId)
    if (!kase || !approver || approver.disabledAt) return { ok: false, reason: 'invalid', why: 'gone' }
    const [current] = await listDraftVersions(tx, kase.id, 1)
    if (request.consumedAt || request.decidedAt) return { ok: false, reason: 'used', caseId: kase.id, caseNumber: kase.number }
    if (request.voidedAt || !current || current.id !== request.draftId) {
      return { ok: false, reason: 'replaced', caseId: kase.id, voidReason: request.voidReason, currentVersion: current?.version ?? null }
    }
    const fourEyes = await loadFourEyes(tx, kase.id, current.id)
    return {
      ok: true,
      token,
      claims,
      orgId: claims.orgId,
      approver: { id: approver.id, role: approver.role, name: approver.name, email: approver.email },
      kase,
      draft: current,
      thread: await listLatestMail(tx, kase.id),
      sender: await replyHeaders(tx, kase.id, env.MAIL_FROM),
      fourEyes: fourEyes.selfApprovalAllowed ? 'none' : needsAnotherApprover(fourEyes, approver.id) ? 'yours' : 'edits',
    }
  })
}
