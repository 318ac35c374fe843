import { Hono, type Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.ts'
import { runAfterResponse } from '../http/after-response.ts'
import { clientAddress } from '../http/security.ts'
import { devMailboxOpen } from '../outbound/mailbox-routes.tsx'
import { ConfirmSignInPage, SignInLinkProblemPage, SignInPage, type SignInState } from '../../views/pages/sign-in.tsx'
import { DEVICE_COOKIE, deviceCookieOptions, rememberDevice } from './devices.ts'
import { invalidateSession, SESSION_COOKIE, sessionCookieOptions } from './sessions.ts'
import { redeemSignInLink, requestSignInLinks } from './sign-in.ts'
import { networkSummary, recordSessionOrigin } from './session-admin.ts'
import { withOrg } from '../db.ts'
import { render } from '../http/htmx.ts'

export const authRoutes = new Hono<AppEnv>()

const emailField = z.email().max(320)
const tokenField = z.string().min(20).max(4096)

// Link pages hold a live token: never cache them (Referrer-Policy: no-referrer is set globally).
// '/sign-in/*' also matches '/sign-in' itself; a path-less use() here would reach every route.
authRoutes.use('/sign-in/*', async (c, next) => {
  await next()
  c.header('cache-control', 'no-store')
})

const page = (c: Context<AppEnv>, state: SignInState, status: 200 | 422 | 429 = 200) =>
  render(c, <SignInPage state={state} devMailbox={devMailboxOpen(c)} />, status)

authRoutes.get('/sign-in', async (c) => (c.get('user') ? c.redirect('/', 303) : page(c, { kind: 'form' })))

authRoutes.post('/sign-in', async (c) => {
  const deps = c.get('deps')
  const raw = String((await c.req.parseBody()).email ?? '').trim()
  const email = emailField.safeParse(raw)
  if (!email.success)
    return page(c, { kind: 'form', email: raw.slice(0, 320), error: 'Enter an email address like name@company.com.' }, 422)
  const request = await requestSignInLinks(deps, {
    email: email.data,
    ip: clientAddress(c, deps.env.TRUST_PROXY),
    deviceToken: getCookie(c, DEVICE_COOKIE),
  })
  if (!request.ok) return page(c, { kind: 'rate_limited' }, 429)
  runAfterResponse(c, request.delivery)
  return page(c, { kind: 'sent' })
})

// Changes nothing: link checkers and mail scanners fetch URLs; only the POST below signs in.
authRoutes.get('/sign-in/confirm', (c) => {
  const token = tokenField.safeParse(c.req.query('token'))
  if (!token.success) return render(c, <SignInLinkProblemPage reason="invalid" />, 400)
  return render(c, <ConfirmSignInPage token={token.data} />)
})

authRoutes.post('/sign-in/confirm', async (c) => {
  const deps = c.get('deps')
  const token = tokenField.safeParse((await c.req.parseBody()).token)
  if (!token.success) return render(c, <SignInLinkProblemPage reason="invalid" />, 400)
  const result = await redeemSignInLink(deps, token.data, { userAgent: c.req.header('user-agent') })
  if (!result.ok) return render(c, <SignInLinkProblemPage reason={result.reason} />, 400)
  const network = networkSummary(clientAddress(c, deps.env.TRUST_PROXY))
  await withOrg(deps.db, result.user.orgId, (tx) => recordSessionOrigin(tx, result.session.sessionId, { network, method: 'link' }))
  // Signing in again (e.g. into another org) ends the session this browser had.
  const previous = c.get('user')
  const previousId = c.get('sessionId')
  if (previous && previousId) await invalidateSession(deps.db, { sessionId: previousId, orgId: previous.orgId, userId: previous.id })
  setCookie(c, SESSION_COOKIE, result.session.token, sessionCookieOptions(result.session.expiresAt))
  // This browser's later requests for this address get past the per-address mail budget.
  setCookie(c, DEVICE_COOKIE, await rememberDevice(deps.db, getCookie(c, DEVICE_COOKIE), result.user.email), deviceCookieOptions())
  return c.redirect('/', 303)
})

authRoutes.post('/sign-out', async (c) => {
  const user = c.get('user')
  const sessionId = c.get('sessionId')
  if (user && sessionId) await invalidateSession(c.get('deps').db, { sessionId, orgId: user.orgId, userId: user.id })
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' })
  return c.redirect('/sign-in', 303)
})
