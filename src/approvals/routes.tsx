import { Hono, type Context } from 'hono'
import type { AppEnv } from '../app.ts'
import { findUserById } from '../auth/queries.ts'
import { consumeLinkToken, linkSigningKey, verifyLinkToken } from '../auth/tokens.ts'
import { getCaseDetail } from '../cases/detail.ts'
import { isUuid } from '../http/ids.ts'
import { withOrg, type Tx } from '../db.ts'
import { oneLineSubject } from '../drafts/drafts.ts'
import { listDraftVersions } from '../drafts/queries.ts'
import { AppError, notFound } from '../http/errors.ts'
import { runAfterResponse } from '../http/after-response.ts'
import { requireUser } from '../http/session.ts'
import { LinkNotice, ReviewPage, type ReviewProps } from '../../views/approve.tsx'
import { decide, DecisionRefused, type DecisionResult } from './decide.ts'
import { loadFourEyes, needsAnotherApprover } from './four-eyes.ts'
import { requestApproval, type ApprovalInvite } from './requests.ts'
import { formList as list, formText as field } from '../http/forms.ts'

export const approvalRoutes = new Hono<AppEnv>()


/** The domain our Message-IDs use: the sender's, so replies look like they come from where they do. */
export const messageIdDomain = (mailFrom: string) => /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'escalation-desk.local'

/** Emails each invited approver their link, after the response (the request does not wait for mail). */
function sendInvites(c: Context<AppEnv>, orgId: string, requester: { name: string; email: string }, kase: { number: number; subject: string }, invites: ApprovalInvite[]) {
  const { mailer } = c.get('deps')
  const subject = oneLineSubject(kase.subject)
  runAfterResponse(c, Promise.all(invites.map((invite) => mailer.send({
    orgId,
    to: invite.email,
    subject: `Approval needed: ESC-${kase.number} — ${subject}`,
    text: [
      `Hello ${invite.name || invite.email},`, '',
      `${requester.name || requester.email} asks you to review the reply to ESC-${kase.number} (“${subject}”) before it goes to the customer.`, '',
      `Review, edit, approve or reject: ${invite.url}`, '',
      `The link is yours alone, works once, and expires ${invite.expiresAt.toUTCString()}. Nothing is sent until you approve.`,
    ].join('\n'),
    idempotencyKey: `approval/${invite.url.slice(-24)}`,
    tags: { kind: 'approval_request', case: `ESC-${kase.number}` },
  }))))
}

/** What an approver who handed their version on is told (on the link page or the case page). */
export function handedOnMessage(version: number, invites: ApprovalInvite[]): string {
  const asked = invites.map((i) => i.name || i.email)
  return `Your edit is saved as version ${version}; another approver must approve it. ${asked.length
    ? `${asked.join(', ')} ${asked.length === 1 ? 'has' : 'have'} been asked.`
    : 'Nobody else in your organization can approve replies yet: an admin can give someone the approver role.'}`
}

// Anyone on the team may ask; approvers are emailed a link each.
approvalRoutes.post('/cases/:id/approval/request', async (c) => {
  const user = requireUser(c)
  const caseId = c.req.param('id')
  if (!isUuid(caseId)) throw notFound('That case')
  const { db, env } = c.get('deps')
  const key = await linkSigningKey(db, env.LINK_SECRET)
  const { invites, kase } = await withOrg(db, user.orgId, async (tx) => {
    const kase = await getCaseDetail(tx, caseId)
    if (!kase) throw notFound('That case')
    return { kase, ...(await requestApproval(tx, { env, key }, user.orgId, caseId, user)) }
  })
  sendInvites(c, user.orgId, user, kase, invites)
  return c.redirect(`/cases/${caseId}?notice=approval-requested`, 303)
})

// A signed-in approver decides in the portal, on the version the case page showed.
approvalRoutes.post('/cases/:id/approval/decide', async (c) => {
  const user = requireUser(c)
  const caseId = c.req.param('id')
  if (!isUuid(caseId)) throw notFound('That case')
  const form = await c.req.parseBody({ all: true })
  const { db, env } = c.get('deps')
  const links = { env, key: await linkSigningKey(db, env.LINK_SECRET) }
  let kase: { number: number; subject: string } | undefined
  const result = await runDecision(db, user.orgId, async (tx) => {
    kase = await getCaseDetail(tx, caseId)
    if (!kase) throw notFound('That case')
    return decide(tx, {
      orgId: user.orgId, caseId, draftId: field(form, 'draftId'), approver: user,
      decision: field(form, 'decision') === 'rejected' ? 'rejected' : 'approved',
      note: field(form, 'note'), acknowledged: list(form.ack), via: 'portal', messageIdDomain: messageIdDomain(env.MAIL_FROM), links,
    })
  })
  if (!result.ok) {
    const message = result.reason === 'superseded' ? 'A newer version was saved; review that one.' : result.message
    throw new AppError(result.reason === 'superseded' ? 'CONFLICT' : 'BAD_INPUT', message)
  }
  if (result.decision === 'handed_on') {
    // The approver wrote part of this version: the other approvers were asked instead.
    sendInvites(c, user.orgId, user, kase!, result.invites)
    return c.redirect(`/cases/${caseId}?notice=approval-requested`, 303)
  }
  return c.redirect(`/cases/${caseId}?notice=${result.decision}`, 303)
})

/** Runs a decision; a refusal rolls the transaction back, so a link's single use is not spent. */
async function runDecision(db: AppEnv['Variables']['deps']['db'], orgId: string, fn: (tx: Tx) => Promise<DecisionResult>): Promise<DecisionResult> {
  try {
    return await withOrg(db, orgId, async (tx) => {
      const result = await fn(tx)
      if (!result.ok) throw new DecisionRefused(result)
      return result
    })
  } catch (error) {
    if (error instanceof DecisionRefused) return error.result
    throw error
  }
}

type LinkState =
  | { ok: true; props: Omit<ReviewProps, 'nonce'>; orgId: string; userId: string; role: string; approver: { name: string; email: string }; jti: string; claims: Awaited<ReturnType<typeof verifyLinkToken>> }
  | { ok: false; title: string; message: string; caseId?: string }

/** Reads what a link points at, changing nothing (a GET and the POST share it). */
async function readLink(c: Context<AppEnv>, token: string): Promise<LinkState> {
  const { db, env } = c.get('deps')
  const verified = await verifyLinkToken(await linkSigningKey(db, env.LINK_SECRET), token, 'approve')
  if (!verified.ok) {
    return verified.reason === 'expired'
      ? { ok: false, title: 'This approval link has expired', message: 'Approval links expire for safety. Ask the case owner to request approval again, or sign in and approve from the case page.' }
      : { ok: false, title: 'This link is not valid', message: 'It may be incomplete or altered. Open the link from the email again, or sign in to the desk.' }
  }
  const { claims } = verified
  return withOrg(db, claims.orgId, async (tx): Promise<LinkState> => {
    const [request] = await tx<{ caseId: string; draftId: string; hash: string; approverId: string; decidedAt: Date | null; voidedAt: Date | null; voidReason: string | null; consumedAt: Date | null }[]>`
      select r.case_id as "caseId", r.draft_id as "draftId", r.content_hash as hash, r.approver_id as "approverId",
             r.decided_at as "decidedAt", r.voided_at as "voidedAt", r.void_reason as "voidReason", t.consumed_at as "consumedAt"
      from approval_requests r join link_tokens t on t.jti = r.jti where r.jti = ${claims.jti}`
    // Every binding must agree: the signed claims, the stored request and the approver.
    if (!request || request.approverId !== claims.userId || claims.bind.case !== request.caseId ||
        claims.bind.draft !== request.draftId || claims.bind.hash !== request.hash) {
      return { ok: false, title: 'This link is not valid', message: 'It does not match any approval request. Sign in to the desk to review the case.' }
    }
    const kase = await getCaseDetail(tx, request.caseId)
    const approver = await findUserById(tx, claims.userId)
    if (!kase || !approver || approver.disabledAt) return { ok: false, title: 'This link is not valid', message: 'The approver or the case no longer exists.' }
    const [current] = await listDraftVersions(tx, kase.id, 1)
    if (request.consumedAt || request.decidedAt) {
      return { ok: false, title: 'This link was already used', message: `A decision on ESC-${kase.number} has been recorded. Sign in to see where it stands.`, caseId: kase.id }
    }
    if (request.voidedAt || !current || current.id !== request.draftId) {
      return {
        ok: false, caseId: kase.id, title: 'This version was replaced',
        message: `${request.voidReason ? `${request.voidReason[0]!.toUpperCase()}${request.voidReason.slice(1)}, so this` : 'This'} approval link no longer applies. The current version is ${current ? `version ${current.version}` : 'not drafted yet'}; review it on the case page (or ask for a new approval link).`,
      }
    }
    const fourEyes = await loadFourEyes(tx, kase.id, current.id)
    const thread = await tx<{ from: string; at: Date; text: string }[]>`
      select coalesce(from_name || ' <' || from_email || '>', from_email, 'us') as from, created_at as at, left(text_body, 2000) as text
      from messages where case_id = ${kase.id} and direction <> 'note' order by created_at desc limit 5`
    return {
      ok: true, orgId: claims.orgId, userId: approver.id, role: approver.role, approver: { name: approver.name, email: approver.email }, jti: claims.jti, claims: verified,
      props: {
        token, kase, draft: current, thread, approverName: approver.name || approver.email, expiresAt: claims.expiresAt, now: new Date(),
        fourEyes: fourEyes.selfApprovalAllowed ? 'none' : needsAnotherApprover(fourEyes, approver.id) ? 'yours' : 'edits',
      },
    }
  })
}

const noticePage = (c: Context<AppEnv>, s: Extract<LinkState, { ok: false }>, status: 200 | 400 | 409 | 410) =>
  c.html(<LinkNotice title={s.title} message={s.message} nonce={c.get('secureHeadersNonce')} link={s.caseId ? { href: `/cases/${s.caseId}`, text: 'Open the case (sign-in needed)' } : { href: '/sign-in', text: 'Sign in' }} />, status)

approvalRoutes.get('/approve', async (c) => {
  const state = await readLink(c, c.req.query('token') ?? '')
  if (!state.ok) return noticePage(c, state, state.title.includes('replaced') ? 409 : state.title.includes('used') || state.title.includes('expired') ? 410 : 400)
  return c.html(<ReviewPage {...state.props} nonce={c.get('secureHeadersNonce')} />)
})

approvalRoutes.post('/approve', async (c) => {
  const form = await c.req.parseBody({ all: true })
  const token = field(form, 'token')
  const state = await readLink(c, token)
  if (!state.ok) return noticePage(c, state, 409)
  const decision = field(form, 'decision') === 'rejected' ? 'rejected' : 'approved'
  const values = { to: field(form, 'to'), subject: field(form, 'subject'), body: field(form, 'body'), note: field(form, 'note') }
  if (decision === 'rejected' && !values.note.trim()) {
    return c.html(<ReviewPage {...state.props} values={values} error="Say why you reject it, so the owner knows what to change." nonce={c.get('secureHeadersNonce')} />, 400)
  }
  const { db, env } = c.get('deps')
  const links = { env, key: await linkSigningKey(db, env.LINK_SECRET) }
  const result = await runDecision(db, state.orgId, async (tx) => {
    // Single use: the jti is consumed in the same transaction as the decision it authorises.
    if (state.claims.ok && !(await consumeLinkToken(tx, state.claims.claims))) {
      return { ok: false, reason: 'refused', message: 'This link was already used.' }
    }
    return decide(tx, {
      orgId: state.orgId, caseId: state.props.kase.id, draftId: state.props.draft.id,
      approver: { id: state.userId, role: state.role }, decision, note: values.note,
      acknowledged: list(form.ack), edit: decision === 'approved' ? values : null, via: 'link',
      requestJti: state.jti, messageIdDomain: messageIdDomain(env.MAIL_FROM), links,
    })
  })
  if (!result.ok) {
    const error = result.reason === 'superseded' ? 'A newer version was saved meanwhile; reload this page to review it.' : [result.message, ...Object.values(result.errors ?? {})].join(' ')
    return c.html(<ReviewPage {...state.props} values={values} error={error} nonce={c.get('secureHeadersNonce')} />, 409)
  }
  if (result.decision === 'handed_on') {
    sendInvites(c, state.orgId, state.approver, state.props.kase, result.invites)
    return c.html(<LinkNotice title="Saved for a second approver" message={handedOnMessage(result.version, result.invites)} nonce={c.get('secureHeadersNonce')} link={{ href: `/cases/${state.props.kase.id}`, text: 'Open the case' }} />)
  }
  const message = result.decision === 'approved'
    ? `Version ${result.version} of the reply to ESC-${state.props.kase.number} is approved and on its way to the customer, in their original thread.`
    : `The reply to ESC-${state.props.kase.number} was sent back to its owner with your note.`
  return c.html(<LinkNotice title={result.decision === 'approved' ? 'Approved' : 'Rejected'} message={message} nonce={c.get('secureHeadersNonce')} link={{ href: `/cases/${state.props.kase.id}`, text: 'Open the case' }} />)
})
