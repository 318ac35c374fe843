import { createSession } from '../../src/auth/sessions.ts'
import { withOrg, type Db } from '../../src/db.ts'

/** The origin app.request() uses (http://localhost), sent by browsers on same-origin posts. */
export const sameOrigin = 'http://localhost'

/** A session cookie for the user, created directly (no link, no rate limit): `cookie` header value. */
export async function sessionCookie(db: Db, user: { id: string; orgId: string }): Promise<string> {
  const { token } = await withOrg(db, user.orgId, (tx) => createSession(tx, { orgId: user.orgId, userId: user.id }))
  return `desk_session=${token}`
}

/** A same-origin HTML form POST, as a browser sends it. */
export function formPost(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { origin: sameOrigin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers },
    body: new URLSearchParams(fields).toString(),
  }
}

/** An execution context that collects deferred work, so a test can await it (see runAfterResponse). */
export function collectingExecutionCtx() {
  const pending: Promise<unknown>[] = []
  return {
    ctx: { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {}, props: {} },
    settled: () => Promise.allSettled(pending.splice(0)),
  }
}
