import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'
import { withOrg, type DbOrTx } from '../db.ts'
import { AppError } from './errors.ts'

// One submission, one effect. The browser script (views/static/desk.js) sends a random key with
// every state-changing request, the same key for the same submission: a double click, a retry,
// a back-button resubmit of the same form. The first request with a key claims it (a row in
// form_submissions, sql/00021, whose primary key lets exactly one claim win) and runs; its
// answer is kept, and every later request with that key gets the same answer without running
// the handler again. A request that fails (an error, a refusal, a form sent back with its
// errors) gives the key back, so the corrected or retried submission runs.
//
// It applies to every POST (PUT, PATCH, DELETE) of a signed-in user, with no code in the
// routes. Requests without a key run as before: a script that is not the portal, or a browser
// without JavaScript. Public link pages (approval, rating, sign-in) have no user: their links
// are single use in the database already.

/** The request header carrying the key (htmx requests), or the query parameter (plain forms). */
export const IDEMPOTENCY_HEADER = 'idempotency-key'
export const IDEMPOTENCY_PARAM = '_submission'

const KEY_SHAPE = /^[A-Za-z0-9_-]{16,100}$/
const UNSAFE = /^(POST|PUT|PATCH|DELETE)$/
/** A replay waits this long for the first request's answer before saying it is still running. */
const WAIT_MS = 15_000
const POLL_MS = 100
/** A claim older than this with no answer is from a process that died: the next request takes it over. */
const ABANDONED_SECONDS = 120
/** Bodies kept for replay; a larger answer is replayed as a redirect to where the user was. */
const MAX_BODY_CHARS = 262_144
const KEPT_HEADERS = /^(content-type|location|hx-[a-z-]+)$/i
/**
 * Set by a handler whose answer shows a secret once (a new API token): its body is never kept, so
 * the secret is not stored in the clear; a replay goes back to the page, as for a large answer.
 */
export const SHOWN_ONCE_HEADER = 'x-desk-shown-once'

type Claim = { state: 'running' | 'answered'; method: string; path: string } & Answer
type Answer = {
  responseStatus: number | null
  responseHeaders: Record<string, string>
  responseBody: string | null
  responseNonce: string | null
}

/** The key of this request, or null when it has none (or one of the wrong shape: ignored). */
export function submissionKey(c: Context<AppEnv>): string | null {
  const key = c.req.header(IDEMPOTENCY_HEADER) ?? c.req.query(IDEMPOTENCY_PARAM)
  return key && KEY_SHAPE.test(key) ? key : null
}

export const idempotentSubmissions: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = c.get('user')
  const key = UNSAFE.test(c.req.method) && user ? submissionKey(c) : null
  if (!user || !key) return next()
  const { db } = c.get('deps')
  const scope = { orgId: user.orgId, userId: user.id, key }
  const path = c.req.path
  const deadline = Date.now() + WAIT_MS

  for (;;) {
    const claimed = await withOrg(db, user.orgId, (tx) => claimSubmission(tx, scope, c.req.method, path))
    if (claimed) break
    const seen = await withOrg(db, user.orgId, (tx) => findSubmission(tx, scope))
    if (!seen) continue // the first request failed and gave the key back: this one runs
    if (seen.method !== c.req.method || seen.path !== path) {
      throw new AppError('BAD_INPUT', 'That submission was already sent to another page. Reload the page and try again.')
    }
    if (seen.state === 'answered') return replay(c, seen)
    if (Date.now() > deadline) {
      throw new AppError('CONFLICT', 'That form is still being sent. Wait a moment, then reload the page to see the result.')
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }

  try {
    await next()
  } catch (error) {
    await withOrg(db, user.orgId, (tx) => releaseSubmission(tx, scope))
    throw error
  }
  const res = c.res
  if (c.error || res.status >= 400) {
    await withOrg(db, user.orgId, (tx) => releaseSubmission(tx, scope))
    return
  }
  const headers: Record<string, string> = {}
  res.headers.forEach((value, name) => {
    if (KEPT_HEADERS.test(name)) headers[name.toLowerCase()] = value
  })
  let body: string | null = null
  if (res.status < 300 || res.status >= 400) {
    const text = await res.clone().text()
    body = text.length <= MAX_BODY_CHARS && !res.headers.has(SHOWN_ONCE_HEADER) ? text : null
  }
  await withOrg(db, user.orgId, (tx) =>
    answerSubmission(tx, scope, {
      responseStatus: res.status,
      responseHeaders: headers,
      responseBody: body,
      responseNonce: c.get('secureHeadersNonce') ?? null,
    }),
  )
}

/** The first answer again, with this request's CSP nonce, marked as a replay. */
function replay(c: Context<AppEnv>, seen: Claim): Response {
  const headers = new Headers(seen.responseHeaders)
  headers.set('idempotent-replay', 'true')
  const status = seen.responseStatus!
  if (status >= 300 && status < 400) return new Response(null, { status, headers })
  if (seen.responseBody === null) {
    // Too large to keep: back to the page the form was on, which shows what the first request did.
    const back = sameOriginPath(c, c.req.header('referer')) ?? '/'
    headers.delete('content-type')
    if (c.req.header('hx-request')) {
      headers.set('hx-redirect', back)
      return new Response(null, { status: 200, headers })
    }
    headers.set('location', back)
    return new Response(null, { status: 303, headers })
  }
  const nonce = c.get('secureHeadersNonce')
  const body = seen.responseNonce && nonce ? seen.responseBody.replaceAll(seen.responseNonce, nonce) : seen.responseBody
  return new Response(body, { status, headers })
}

function sameOriginPath(c: Context<AppEnv>, url: string | undefined): string | null {
  if (!url) return null
  try {
    const parsed = new URL(url)
    return parsed.origin === new URL(c.req.url).origin ? parsed.pathname + parsed.search : null
  } catch {
    return null
  }
}

type Scope = { orgId: string; userId: string; key: string }

/**
 * True when this request now holds the key: it was free, expired, or claimed by a request that
 * never answered (its process died). The user's expired keys go first.
 */
export async function claimSubmission(db: DbOrTx, s: Scope, method: string, path: string): Promise<boolean> {
  await db`delete from form_submissions where org_id = ${s.orgId} and user_id = ${s.userId} and expires_at < now()`
  const rows = await db`
    insert into form_submissions (org_id, user_id, key, method, path)
    values (${s.orgId}, ${s.userId}, ${s.key}, ${method}, ${path.slice(0, 2000)})
    on conflict (org_id, user_id, key) do update
      set method = excluded.method, path = excluded.path, state = 'running', claimed_at = now(),
          expires_at = excluded.expires_at, response_status = null, response_headers = '{}', response_body = null, response_nonce = null
      where form_submissions.state = 'running' and form_submissions.claimed_at < now() - make_interval(secs => ${ABANDONED_SECONDS})
    returning key`
  return rows.length === 1
}

export async function findSubmission(db: DbOrTx, s: Scope): Promise<Claim | undefined> {
  const [row]: [Claim?] = await db`
    select state, method, path, response_status as "responseStatus", response_headers as "responseHeaders",
           response_body as "responseBody", response_nonce as "responseNonce"
    from form_submissions where org_id = ${s.orgId} and user_id = ${s.userId} and key = ${s.key}`
  return row
}

export async function answerSubmission(db: DbOrTx, s: Scope, a: Answer): Promise<void> {
  await db`
    update form_submissions
    set state = 'answered', response_status = ${a.responseStatus}, response_headers = ${db.json(a.responseHeaders)},
        response_body = ${a.responseBody}, response_nonce = ${a.responseNonce}
    where org_id = ${s.orgId} and user_id = ${s.userId} and key = ${s.key}`
}

export async function releaseSubmission(db: DbOrTx, s: Scope): Promise<void> {
  await db`delete from form_submissions where org_id = ${s.orgId} and user_id = ${s.userId} and key = ${s.key} and state = 'running'`
}

/**
 * Expired keys of every org, a batch at a time (the scheduler's tick, as the owner): a user who
 * never posts again does not keep their answers forever.
 */
export async function deleteExpiredSubmissions(db: DbOrTx, limit = 5000): Promise<number> {
  const rows = await db`
    delete from form_submissions where ctid in (select ctid from form_submissions where expires_at < now() limit ${limit})
    returning 1`
  return rows.length
}
