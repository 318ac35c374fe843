import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { AppEnv } from './app-env.ts'
import { admitSession, pendingSessionRedirect } from '../auth/second-factor-gate.ts'
import { SESSION_COOKIE, validateSession, type SessionUser } from '../auth/sessions.ts'
import { AppError } from './errors.ts'
import { idempotentSubmissions } from './idempotency.ts'
import { isMachinePath } from './security.ts'

/**
 * Sets c.get('user') (and the session id) for requests that carry a live session cookie; then a
 * signed-in user's form submissions run once per key (src/http/idempotency.ts), for every route.
 */
export const sessionMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!isMachinePath(c.req.path)) {
    const session = await validateSession(c.get('deps').db, getCookie(c, SESSION_COOKIE))
    // A session still owing its second factor gets no user (src/auth/second-factor-gate.ts).
    if (session) admitSession(c, session)
  }
  return pendingSessionRedirect(c) ?? idempotentSubmissions(c, next)
}

/** The signed-in user; otherwise UNAUTHORIZED (a page request is sent to /sign-in). */
export function requireUser(c: Context<AppEnv>): SessionUser {
  const user = c.get('user')
  if (!user) throw new AppError('UNAUTHORIZED', 'Please sign in to continue.')
  return user
}

const granted: Record<'approver' | 'admin', SessionUser['role'][]> = {
  approver: ['approver', 'admin'], // an admin is also an approver (the demo org's one admin must be able to approve)
  admin: ['admin'],
}

export function requireRole(c: Context<AppEnv>, role: 'approver' | 'admin'): SessionUser {
  const user = requireUser(c)
  if (!granted[role].includes(user.role)) {
    throw new AppError('FORBIDDEN', role === 'admin' ? 'Only an admin can do that.' : 'Only an approver can do that.')
  }
  return user
}
