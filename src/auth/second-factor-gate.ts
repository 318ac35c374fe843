import type { Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import type { SessionUser, ValidSession } from './sessions.ts'
import { secondFactorDue, type SecondFactorDue } from './second-factor.ts'

// A session that still owes its second factor is no session for the rest of the app: `user` is
// not set, so every route treats the request as signed out (public link pages keep working).
// Only the second-factor pages see it, as `secondFactor`; the pages a signed-out person is sent
// to (/ and /sign-in) send it on to /second-factor instead.

export type PendingSession = { sessionId: string; user: SessionUser; due: SecondFactorDue }

const SENT_ON = /^\/(sign-in)?$/

/** Sets `user` for a full session, `secondFactor` for a pending one. */
export function admitSession(c: Context<AppEnv>, session: ValidSession): void {
  const due = secondFactorDue(session.secondFactor, session.user.role)
  if (due) {
    c.set('secondFactor', { sessionId: session.sessionId, user: session.user, due })
    return
  }
  c.set('user', session.user)
  c.set('sessionId', session.sessionId)
}

/** Where a pending session goes instead of the queue or the sign-in form; null elsewhere. */
export function pendingSessionRedirect(c: Context<AppEnv>): Response | null {
  if (!c.get('secondFactor') || c.req.method !== 'GET' || !SENT_ON.test(c.req.path)) return null
  return c.redirect('/second-factor', 303)
}
