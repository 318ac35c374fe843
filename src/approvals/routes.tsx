import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from '../http/app-env.ts'
import { consumeLinkToken, linkSigningKey } from '../auth/tokens.ts'
import { getCaseDetail } from '../cases/detail.ts'
import { caseLabel } from '../cases/terms.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import { AppError, notFound } from '../http/errors.ts'
import { runAfterResponse } from '../http/after-response.ts'
import { formList as list, formText as field } from '../http/forms.ts'
import { isUuid } from '../http/ids.ts'
import { requireUser } from '../http/session.ts'
import { messageIdDomain } from '../outbound/headers.ts'
import { handedOnMessage, LinkNotice, LinkProblemPage, ApprovalLinkPage, type ApprovalLinkProps } from '../../views/pages/approval-link.tsx'
import { decide, DecisionRefused, type DecisionResult } from './decide.ts'
import { mailApprovalInvites } from './invites.ts'
import { readApprovalLink, type ApprovalLink, type LinkProblem } from './links.ts'
import { requestApproval, type ApprovalInvite } from './requests.ts'
import { approvalFactorAsk, checkApprovalFactor } from '../auth/second-factor-admin.ts'
import { render } from '../http/htmx.ts'

export const approvalRoutes = new Hono<AppEnv>()

/** Emails each invited approver their link, after the response (the request does not wait for mail). */
function sendInvites(
  c: Context<AppEnv>,
  orgId: string,
  requester: { name: string; email: string },
  kase: { number: number; subject: string },
  invites: ApprovalInvite[],
) {
  runAfterResponse(c, mailApprovalInvites(c.get('deps').mailer, orgId, requester, kase, invites))
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
      orgId: user.orgId,
      caseId,
      draftId: field(form, 'draftId'),
      approver: user,
      decision: field(form, 'decision') === 'rejected' ? 'rejected' : 'approved',
      note: field(form, 'note'),
      acknowledged: list(form.ack),
      via: 'portal',
      messageIdDomain: messageIdDomain(env.MAIL_FROM),
      mailFrom: env.MAIL_FROM,
      links,
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
async function runDecision(db: Db, orgId: string, fn: (tx: Tx) => Promise<DecisionResult>): Promise<DecisionResult> {
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

// A link that cannot be acted on says why; the answer's status follows from the reason.
const problemStatus = { expired: 410, used: 410, replaced: 409, invalid: 400 } as const satisfies Record<
  LinkProblem['reason'],
  ContentfulStatusCode
>

const approverOf = (link: ApprovalLink) => ({ id: link.approver.id, orgId: link.orgId, role: link.approver.role })

const reviewProps = (link: ApprovalLink): ApprovalLinkProps => ({
  token: link.token,
  kase: link.kase,
  draft: link.draft,
  thread: link.thread,
  approverName: link.approver.name || link.approver.email,
  expiresAt: link.claims.expiresAt,
  now: new Date(),
  fourEyes: link.fourEyes,
  sender: link.sender,
})

approvalRoutes.get('/approve', async (c) => {
  const { db, env } = c.get('deps')
  const link = await readApprovalLink(db, env, c.req.query('token') ?? '')
  if (!link.ok) return render(c, <LinkProblemPage problem={link} />, problemStatus[link.reason])
  const secondFactor = await approvalFactorAsk(c.get('deps'), approverOf(link), c.get('user')?.id)
  return render(c, <ApprovalLinkPage {...reviewProps(link)} secondFactor={secondFactor} />)
})

approvalRoutes.post('/approve', async (c) => {
  const form = await c.req.parseBody({ all: true })
  const { db, env } = c.get('deps')
  const link = await readApprovalLink(db, env, field(form, 'token'))
  // Whatever the reason, nothing was decided: the page may have been open while it changed.
  if (!link.ok) return render(c, <LinkProblemPage problem={link} />, 409)
  const ask = await approvalFactorAsk(c.get('deps'), approverOf(link), c.get('user')?.id)
  const props = { ...reviewProps(link), secondFactor: ask }
  const decision = field(form, 'decision') === 'rejected' ? 'rejected' : 'approved'
  const values = { to: field(form, 'to'), subject: field(form, 'subject'), body: field(form, 'body'), note: field(form, 'note') }
  if (decision === 'rejected' && !values.note.trim()) {
    return render(c, <ApprovalLinkPage {...props} values={values} error="Say why you reject it, so the owner knows what to change." />, 400)
  }
  // A link in a mailbox is not enough when the approver has a second factor (or must have one).
  const factor = await checkApprovalFactor(c.get('deps'), approverOf(link), ask, field(form, 'secondFactorCode'))
  if (!factor.ok) return render(c, <ApprovalLinkPage {...props} values={values} error={factor.message} />, 403)
  const links = { env, key: await linkSigningKey(db, env.LINK_SECRET) }
  const result = await runDecision(db, link.orgId, async (tx) => {
    // Single use: the jti is consumed in the same transaction as the decision it authorises.
    if (!(await consumeLinkToken(tx, link.claims))) return { ok: false, reason: 'refused', message: 'This link was already used.' }
    return decide(tx, {
      orgId: link.orgId,
      caseId: link.kase.id,
      draftId: link.draft.id,
      approver: { id: link.approver.id, role: link.approver.role },
      decision,
      note: values.note,
      acknowledged: list(form.ack),
      edit: decision === 'approved' ? values : null,
      via: 'link',
      requestJti: link.claims.jti,
      messageIdDomain: messageIdDomain(env.MAIL_FROM),
      mailFrom: env.MAIL_FROM,
      links,
    })
  })
  if (!result.ok) {
    const error =
      result.reason === 'superseded'
        ? 'A newer version was saved meanwhile; reload this page to review it.'
        : [result.message, ...Object.values(result.errors ?? {})].join(' ')
    return render(c, <ApprovalLinkPage {...props} values={values} error={error} />, 409)
  }
  const caseLink = { href: `/cases/${link.kase.id}`, text: 'Open the case' }
  if (result.decision === 'handed_on') {
    sendInvites(c, link.orgId, link.approver, link.kase, result.invites)
    return render(
      c,
      <LinkNotice title="Saved for a second approver" message={handedOnMessage(result.version, result.invites)} link={caseLink} />,
    )
  }
  const message =
    result.decision === 'approved'
      ? `Version ${result.version} of the reply to ${caseLabel(link.kase.number)} is approved and on its way to the customer, in their original thread.`
      : `The reply to ${caseLabel(link.kase.number)} was sent back to its owner with your note.`
  return render(c, <LinkNotice title={result.decision === 'approved' ? 'Approved' : 'Rejected'} message={message} link={caseLink} />)
})
