import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { linkSigningKey } from '../auth/tokens.ts'
import { caseLabel } from '../cases/terms.ts'
import { withOrg } from '../db.ts'
import { ConfirmResolvedPage, CustomerNotice, RatePage } from '../../views/pages/customer-links.tsx'
import { confirmByCustomer, ratingFormSchema, submitRating, type CustomerActionResult } from './csat.ts'
import {
  findCustomerCase,
  findCustomerLink,
  verifyCustomerLink,
  type CustomerCase,
  type CustomerLinkClaims,
  type CustomerLinkPurpose,
} from './links.ts'
import { formText as field } from '../http/forms.ts'
import { render } from '../http/htmx.ts'

// Public pages: the customer has no session. The signed link is the only credential, and it
// acts once, on the one case and org it names.

export const customerLinkRoutes = new Hono<AppEnv>()

type Problem = { title: string; message: string; status: 400 | 409 | 410 }
type LinkState = { ok: true; claims: CustomerLinkClaims; kase: CustomerCase } | { ok: false; problem: Problem; orgName?: string }

const invalid: Problem = {
  title: 'This link is not valid',
  message: 'It may have been cut short or changed. Open it again from our email, or simply reply to that email.',
  status: 400,
}
const expired: Problem = {
  title: 'This link has expired',
  message: 'Links in our emails work for 30 days. Reply to our email and it will reach the person who handled your case.',
  status: 410,
}

/** What the link points at; reads only (GET and POST share it). */
async function readLink(c: Context<AppEnv>, token: string, purpose: CustomerLinkPurpose): Promise<LinkState> {
  const { db, env } = c.get('deps')
  const verified = await verifyCustomerLink(await linkSigningKey(db, env.LINK_SECRET), token, purpose)
  if (!verified.ok) return { ok: false, problem: verified.reason === 'expired' ? expired : invalid }
  return withOrg(db, verified.claims.orgId, async (tx): Promise<LinkState> => {
    const link = await findCustomerLink(tx, verified.claims)
    if (!link) return { ok: false, problem: invalid }
    // A short token names the stored link; the case and expiry are the row's.
    const claims = { ...verified.claims, caseId: link.caseId, expiresAt: link.expiresAt }
    const kase = await findCustomerCase(tx, claims.caseId)
    if (!kase) return { ok: false, problem: invalid }
    if (link.consumedAt) {
      const message =
        purpose === 'csat'
          ? `Your rating of ${caseLabel(kase.number)} was already recorded. Thank you!`
          : `${caseLabel(kase.number)} was already confirmed as resolved. Thank you!`
      return { ok: false, problem: { title: 'This link was already used', message, status: 410 }, orgName: kase.orgName }
    }
    if (link.expiresAt <= new Date()) return { ok: false, problem: expired, orgName: kase.orgName }
    return { ok: true, claims, kase }
  })
}

const problemPage = (c: Context<AppEnv>, s: Extract<LinkState, { ok: false }>) =>
  render(c, <CustomerNotice title={s.problem.title} message={s.problem.message} orgName={s.orgName} />, s.problem.status)

const rating = (value: string | undefined) => (/^[1-5]$/.test(value ?? '') ? Number(value) : null)

customerLinkRoutes.get('/csat', async (c) => {
  const state = await readLink(c, c.req.query('t') ?? '', 'csat')
  if (!state.ok) return problemPage(c, state)
  return render(c, <RatePage token={c.req.query('t')!} kase={state.kase} rating={rating(c.req.query('r'))} />)
})

customerLinkRoutes.post('/csat', async (c) => {
  const form = await c.req.parseBody()
  const token = field(form, 't')
  const state = await readLink(c, token, 'csat')
  if (!state.ok) return problemPage(c, state)
  const parsed = ratingFormSchema.safeParse({ rating: field(form, 'rating') || undefined, comment: field(form, 'comment') })
  if (!parsed.success) {
    const error = parsed.error.issues[0]?.message ?? 'Choose a rating from 1 to 5.'
    return render(
      c,
      <RatePage token={token} kase={state.kase} rating={rating(field(form, 'rating'))} comment={field(form, 'comment')} error={error} />,
      400,
    )
  }
  const result = await withOrg(c.get('deps').db, state.claims.orgId, (tx) => submitRating(tx, state.claims, parsed.data))
  return done(c, result, state.kase, 'csat')
})

customerLinkRoutes.get('/confirm-resolution', async (c) => {
  const state = await readLink(c, c.req.query('t') ?? '', 'confirm_resolution')
  if (!state.ok) return problemPage(c, state)
  return render(c, <ConfirmResolvedPage token={c.req.query('t')!} kase={state.kase} />)
})

customerLinkRoutes.post('/confirm-resolution', async (c) => {
  const token = field(await c.req.parseBody(), 't')
  const state = await readLink(c, token, 'confirm_resolution')
  if (!state.ok) return problemPage(c, state)
  const result = await withOrg(c.get('deps').db, state.claims.orgId, (tx) => confirmByCustomer(tx, state.claims))
  return done(c, result, state.kase, 'confirm_resolution')
})

function done(c: Context<AppEnv>, result: CustomerActionResult, kase: CustomerCase, purpose: CustomerLinkPurpose) {
  const label = caseLabel(result.caseNumber)
  if (result.ok) {
    return purpose === 'csat'
      ? render(
          c,
          <CustomerNotice
            title="Thank you"
            message={`Your rating of ${label} is recorded. It helps us do better.`}
            orgName={kase.orgName}
          />,
        )
      : render(
          c,
          <CustomerNotice
            title="Thank you: the case is closed"
            message={`You confirmed that ${label} is resolved. If anything comes back, reply to our email and we will pick it up again.`}
            orgName={kase.orgName}
          />,
        )
  }
  if (result.reason === 'not_resolved') {
    return render(
      c,
      <CustomerNotice
        title="This case is open again"
        message={`${label} is being worked on again, so there is nothing to confirm yet. We will write when it is resolved.`}
        orgName={kase.orgName}
      />,
      409,
    )
  }
  return render(
    c,
    <CustomerNotice
      title="This link was already used"
      message={
        purpose === 'csat'
          ? `Your rating of ${label} was already recorded. Thank you!`
          : `${label} was already confirmed as resolved. Thank you!`
      }
      orgName={kase.orgName}
    />,
    410,
  )
}
