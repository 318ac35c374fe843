import { Secret, TOTP } from 'otpauth'
import { expect } from 'vitest'
import { acceptTotpCode, startTotpEnrolment } from '../../src/auth/second-factor-totp.ts'
import { issueSignInLink } from '../../src/auth/sign-in.ts'
import type { Db } from '../../src/db.ts'
import type { createApp } from '../../src/app.ts'
import { testEnv } from '../support/app.ts'
import { formPost } from '../support/auth.ts'

type App = ReturnType<typeof createApp>

export const htmlPage = (cookie?: string) => ({ headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } })

/** Signs in the way a person does: the emailed link's button. Returns the session cookie. */
export async function signInByLink(app: App, db: Db, user: { id: string; orgId: string }): Promise<string> {
  const link = await issueSignInLink({ db, env: testEnv() }, { userId: user.id, orgId: user.orgId })
  const token = new URL(link.url).searchParams.get('token')!
  const res = await app.request('/sign-in/confirm', formPost({ token }))
  expect(res.status).toBe(303)
  const cookie = /desk_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1]
  expect(cookie).toBeTruthy()
  return `desk_session=${cookie}`
}

/** The code an authenticator app shows for the secret at a moment (default: now). */
export const totpCode = (secret: string, timestamp = Date.now()) =>
  new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp })

/** Enrols an authenticator app through the pages; returns its secret and the recovery codes shown. */
export async function enrolTotp(app: App, cookie: string) {
  const start = await app.request('/second-factor/totp', formPost({}, { cookie }))
  expect(start.status).toBe(200)
  const page = await start.text()
  const secret = /id="totp-secret" type="text" readonly="" value="([A-Z2-7]+)"/.exec(page)?.[1]
  expect(secret).toBeTruthy()
  const done = await app.request('/second-factor/totp/confirm', formPost({ code: totpCode(secret!) }, { cookie }))
  expect(done.status).toBe(200)
  return {
    secret: secret!,
    startPage: page,
    recoveryCodes: recoveryCodesIn(await done.text()),
    shownOnce: done.headers.get('x-desk-shown-once'),
  }
}

export const recoveryCodesIn = (page: string) => [...page.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!)

/** A user's authenticator app, set up without the pages (for tests of other routes); returns its secret. */
export async function confirmedTotp(db: Db, user: { id: string; orgId: string; email?: string }) {
  const deps = { db, env: testEnv() }
  const owner = { orgId: user.orgId, userId: user.id }
  const enrolment = await startTotpEnrolment(deps, { ...owner, email: user.email ?? 'user@example.test', orgName: 'Test' })
  expect(await acceptTotpCode(deps, owner, totpCode(enrolment!.secret), true)).toBe(true)
  return enrolment!.secret
}
