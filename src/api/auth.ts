import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from '../http/app-env.ts'
import { isDatabaseUnavailable, isUnstorableText } from '../db.ts'
import { AppError, errorStatus, type ErrorCode } from '../http/errors.ts'
import { authenticateApiToken, type ApiCaller } from './tokens.ts'

// /api/v1 is for programs: a bearer token on every request, never a cookie. The session
// middleware and the CSRF check skip it (src/http/security.ts isMachinePath): with no ambient
// credential a browser could attach, another site's page cannot act through it.

export type ApiEnv = { Variables: AppEnv['Variables'] & { caller: ApiCaller } }

/** The token's caller, or 401 (missing, malformed, unknown, revoked) or 429 (over its rate). */
export const bearerAuth: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const auth = await authenticateApiToken(c.get('deps').db, c.req.header('authorization'))
  if (!auth.ok && auth.reason === 'rate_limited') {
    c.header('retry-after', String(auth.retryAfter))
    throw new AppError('RATE_LIMITED', `This token may make ${auth.limit} requests a minute; retry in ${auth.retryAfter} s.`)
  }
  if (!auth.ok) {
    c.header('www-authenticate', 'Bearer')
    const message = auth.reason === 'missing' ? 'Send Authorization: Bearer <token>.' : 'That token is not valid (unknown or revoked).'
    throw new AppError('UNAUTHORIZED', message)
  }
  c.set('caller', auth.caller)
  // So a client can pace itself before it meets a 429.
  c.header('ratelimit-limit', String(auth.usage.limit))
  c.header('ratelimit-remaining', String(auth.usage.remaining))
  c.header('ratelimit-reset', String(auth.usage.resetSeconds))
  await next()
}

/** Routes that change cases need a write token. */
export const requireWrite: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (c.get('caller').scope !== 'write') throw new AppError('FORBIDDEN', 'This token may only read; changing cases needs a write token.')
  await next()
}

const codeOfStatus = new Map<number, ErrorCode>(Object.entries(errorStatus).map(([code, status]) => [status, code as ErrorCode]))

/** Every /api/v1 error as `{ "error": { "code", "message", "requestId" } }`. */
export function apiError(error: unknown, c: Context<ApiEnv>) {
  const requestId = c.get('requestId') ?? '-'
  let status: ContentfulStatusCode = 500
  let code = 'INTERNAL'
  let message = 'Something went wrong on our side. It has been logged.'
  if (error instanceof AppError) {
    ;[status, code, message] = [error.status, error.code, error.message]
  } else if (error instanceof HTTPException) {
    status = error.status as ContentfulStatusCode
    code = codeOfStatus.get(status) ?? 'BAD_INPUT'
    message = error.message || 'That request is not right.'
  } else if (isDatabaseUnavailable(error)) {
    ;[status, code, message] = [503, 'UNAVAILABLE', 'The database is unavailable right now; please retry shortly.']
  } else if (isUnstorableText(error)) {
    ;[status, code, message] = [400, 'BAD_INPUT', 'The request contains a character that cannot be stored (a NUL byte).']
  }
  if (status >= 500) console.error(`[${requestId}]`, error)
  return c.json({ error: { code, message, requestId } }, status)
}
