import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ErrorPage } from '../../views/components/layout.tsx'
import type { AppEnv } from './app-env.ts'
import { isDatabaseUnavailable, isUnstorableText } from '../db.ts'
import { AppError } from './errors.ts'
import { isHtmx, render } from './htmx.ts'

const titles: Partial<Record<number, string>> = {
  400: 'That request is not right',
  401: 'Sign-in needed',
  403: 'Not allowed',
  404: 'Not found',
  409: 'That cannot happen now',
  413: 'Too large',
  429: 'Slow down',
  503: 'Temporarily unavailable',
}

/** The one place errors become HTTP: JSON for API callers, a page for people (htmx swaps it in whole). */
export function handleError(c: Context<AppEnv>, error: unknown) {
  const id = c.get('requestId') ?? '-'
  let status: ContentfulStatusCode = 500
  let message = 'Something went wrong on our side. It has been logged.'
  if (error === null) {
    status = 404
    message = 'That page does not exist.'
  } else if (error instanceof AppError) {
    status = error.status
    message = error.message
  } else if (error instanceof HTTPException) {
    status = error.status as ContentfulStatusCode
    message = error.message || titles[status] || message
  } else if (isDatabaseUnavailable(error)) {
    status = 503
    message = 'The database is unavailable right now; please retry shortly.'
  } else if (isUnstorableText(error)) {
    status = 400
    message = 'The request contains a character that cannot be stored (a NUL byte); remove it and try again.'
  }
  // Our own refusals (an endpoint not configured, the inbound memory budget full) are decisions,
  // not faults: one line each, so a flood of them cannot bury the real errors in stack traces.
  if (error instanceof AppError && status >= 500) console.error(`[${id}] ${status} ${error.code}: ${error.message}`)
  else if (status >= 500) console.error(`[${id}]`, error)

  const wantsPage = (c.req.header('accept') ?? '').includes('text/html') || isHtmx(c)
  // A person without a session is sent to sign in (htmx follows HX-Redirect with a full page load).
  if (status === 401 && wantsPage) {
    if (isHtmx(c)) return c.body(null, 401, { 'hx-redirect': '/sign-in' })
    return c.redirect('/sign-in', 303)
  }
  if (!wantsPage) {
    return c.json({ error: { status, message, requestId: id } }, status)
  }
  return render(c, <ErrorPage title={titles[status] ?? 'Error'} message={message} requestId={id} />, status)
}
