import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { formText as field } from '../http/forms.ts'
import { render } from '../http/htmx.ts'
import { SHOWN_ONCE_HEADER } from '../http/idempotency.ts'
import { RecoveryCodesPage, SecondFactorPage, SecondFactorVerifyPage, TotpSetupPage } from '../../views/pages/second-factor.tsx'
import {
  checkSecondFactorCode,
  completeEnrolment,
  completeSecondFactor,
  countSecondFactorFailure,
  issueRecoveryCodes,
} from './second-factor.ts'
import { authenticatePasskey, passkeyAuthenticationOptions, passkeyRegistrationOptions, registerPasskey } from './second-factor-passkeys.ts'
import { findFactorSummary } from './second-factor-queries.ts'
import { acceptTotpCode, pendingTotpEnrolment, startTotpEnrolment } from './second-factor-totp.ts'
import type { SessionUser } from './sessions.ts'

// /second-factor. A pending session that owes a factor can only pass it here (never enrol a new
// one: that would let whoever holds the emailed link replace the factor it owes); a pending
// session that must enrol, or a full one, can set factors up.

export const secondFactorRoutes = new Hono<AppEnv>()

type Actor = { sessionId: string; user: SessionUser; mustEnrol: boolean }

/** The session passing its factor now. */
function verifying(c: Context<AppEnv>): Actor {
  const pending = c.get('secondFactor')
  if (pending?.due !== 'verify') throw new AppError('UNAUTHORIZED', 'Please sign in to continue.')
  return { sessionId: pending.sessionId, user: pending.user, mustEnrol: false }
}

/** A full session, or a pending one that must enrol. */
function enrolling(c: Context<AppEnv>): Actor {
  const user = c.get('user')
  const sessionId = c.get('sessionId')
  if (user && sessionId) return { sessionId, user, mustEnrol: false }
  const pending = c.get('secondFactor')
  if (pending?.due === 'enrol') return { sessionId: pending.sessionId, user: pending.user, mustEnrol: true }
  if (pending) throw new AppError('FORBIDDEN', 'Confirm it is you with your second factor first.')
  throw new AppError('UNAUTHORIZED', 'Please sign in to continue.')
}

const summaryOf = (c: Context<AppEnv>, user: { id: string; orgId: string }) =>
  withOrg(c.get('deps').db, user.orgId, (tx) => findFactorSummary(tx, user.id))

const notices = new Map([
  ['passkey', 'Passkey added.'],
  ['totp', 'Authenticator app set up.'],
])

secondFactorRoutes.get('/', async (c) => {
  const pending = c.get('secondFactor')
  if (pending?.due === 'verify') {
    const summary = await summaryOf(c, pending.user)
    return render(c, <SecondFactorVerifyPage summary={summary} />)
  }
  const actor = enrolling(c)
  const summary = await summaryOf(c, actor.user)
  const notice = notices.get(c.req.query('notice') ?? '') ?? null
  return render(c, <SecondFactorPage summary={summary} mustEnrol={actor.mustEnrol} notice={notice} />)
})

secondFactorRoutes.post('/verify', async (c) => {
  const actor = verifying(c)
  const deps = c.get('deps')
  const code = field(await c.req.parseBody(), 'code')
  const checked = await checkSecondFactorCode(deps, { orgId: actor.user.orgId, userId: actor.user.id }, code)
  if (checked.ok) {
    await completeSecondFactor(deps, actor, checked.method)
    return c.redirect('/', 303)
  }
  const summary = await summaryOf(c, actor.user)
  const error =
    checked.reason === 'locked'
      ? 'Too many wrong codes. Wait 15 minutes and try again.'
      : 'That code is not right, or was used already. Enter the code your app shows now.'
  return render(c, <SecondFactorVerifyPage summary={summary} error={error} />, checked.reason === 'locked' ? 429 : 422)
})

secondFactorRoutes.post('/passkey/options', async (c) => {
  const actor = verifying(c)
  return c.json(await passkeyAuthenticationOptions(c.get('deps'), passkeyActor(actor)))
})

secondFactorRoutes.post('/passkey', async (c) => {
  const actor = verifying(c)
  const deps = c.get('deps')
  const response = parseJson(field(await c.req.parseBody(), 'response'))
  const result = await authenticatePasskey(deps, passkeyActor(actor), response)
  if (result.ok) {
    await completeSecondFactor(deps, actor, 'passkey')
    return c.redirect('/', 303)
  }
  await countSecondFactorFailure(deps, { orgId: actor.user.orgId, userId: actor.user.id })
  const summary = await summaryOf(c, actor.user)
  const error = result.reason === 'expired' ? 'That took too long; press the button again.' : 'That passkey was not accepted.'
  return render(c, <SecondFactorVerifyPage summary={summary} error={error} />, 422)
})

secondFactorRoutes.post('/totp', async (c) => {
  const actor = enrolling(c)
  const owner = { orgId: actor.user.orgId, userId: actor.user.id, email: actor.user.email, orgName: actor.user.orgName }
  const enrolment = await startTotpEnrolment(c.get('deps'), owner)
  if (!enrolment) return c.redirect('/second-factor', 303)
  c.header(SHOWN_ONCE_HEADER, '1')
  return render(c, <TotpSetupPage {...enrolment} />)
})

secondFactorRoutes.post('/totp/confirm', async (c) => {
  const actor = enrolling(c)
  const deps = c.get('deps')
  const owner = { orgId: actor.user.orgId, userId: actor.user.id, email: actor.user.email, orgName: actor.user.orgName }
  const code = field(await c.req.parseBody(), 'code').trim()
  if (await acceptTotpCode(deps, owner, code, true)) return enrolled(c, actor, 'totp')
  const enrolment = await pendingTotpEnrolment(deps, owner)
  if (!enrolment) return c.redirect('/second-factor', 303)
  c.header(SHOWN_ONCE_HEADER, '1')
  return render(c, <TotpSetupPage {...enrolment} error="That code is not right. Enter the 6 digits the app shows now." />, 422)
})

secondFactorRoutes.post('/passkeys/options', async (c) => {
  const actor = enrolling(c)
  return c.json(await passkeyRegistrationOptions(c.get('deps'), passkeyActor(actor)))
})

secondFactorRoutes.post('/passkeys', async (c) => {
  const actor = enrolling(c)
  const deps = c.get('deps')
  const form = await c.req.parseBody()
  const name = field(form, 'name').trim().slice(0, 60) || 'Passkey'
  const result = await registerPasskey(deps, passkeyActor(actor), parseJson(field(form, 'response')), name)
  if (result.ok) return enrolled(c, actor, 'passkey')
  const summary = await summaryOf(c, actor.user)
  const error = result.reason === 'expired' ? 'That took too long; press the button again.' : 'That passkey could not be added.'
  return render(c, <SecondFactorPage summary={summary} mustEnrol={actor.mustEnrol} error={error} />, 422)
})

secondFactorRoutes.post('/recovery-codes', async (c) => {
  const user = c.get('user')
  if (!user) throw new AppError('UNAUTHORIZED', 'Please sign in to continue.')
  const deps = c.get('deps')
  const summary = await summaryOf(c, user)
  if (!summary.totp && summary.passkeys === 0) throw new AppError('INVALID_STATE', 'Set up an authenticator app or a passkey first.')
  const codes = await withOrg(deps.db, user.orgId, (tx) => issueRecoveryCodes(tx, { orgId: user.orgId, userId: user.id }))
  c.header(SHOWN_ONCE_HEADER, '1')
  return render(c, <RecoveryCodesPage codes={codes} title="New recovery codes" />)
})

/** The session is full now; a first factor's recovery codes are shown, once. */
async function enrolled(c: Context<AppEnv>, actor: Actor, method: 'totp' | 'passkey') {
  const codes = await completeEnrolment(c.get('deps'), actor, method)
  if (!codes) return c.redirect(`/second-factor?notice=${method}`, 303)
  c.header(SHOWN_ONCE_HEADER, '1')
  return render(c, <RecoveryCodesPage codes={codes} title="Second factor set up" />)
}

const passkeyActor = (actor: Actor) => ({ sessionId: actor.sessionId, user: actor.user })

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
